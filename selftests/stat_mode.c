// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics mode (BIOCSMODE NPF_MODE_STAT), as uapi/linux/npf.h documents
 * it: the filter only classifies, nothing is stored; a read() returns one
 * struct npf_stat_record (48 bytes: a bpf_hdr with caplen = datalen = 16,
 * then u64 packets and u64 bytes) once the current interval is over. An
 * interval lasts one read timeout and runs from the previous read (or the
 * mode switch); a late reader gets a longer interval, never lost packets.
 * Bytes are exact frame lengths, link header included, no FCS. Timeout -1
 * returns at once, timeout 0 is EINVAL, a short buffer EMSGSIZE (nothing
 * lost), O_NONBLOCK before the end EAGAIN, poll() EPOLLIN once it is over.
 * Switching modes flushes the ring and zeroes every counter.
 *
 * Timing under TCG: lower bounds are strict. Where the kernel's anchor
 * (the instant the previous read or the mode switch started the interval)
 * cannot be observed exactly from user space, the record timestamps are
 * used: the record of an interval is stamped after the interval's end and
 * the next interval starts after that stamp, so consecutive record stamps
 * are at least one timeout apart, exactly. Upper bounds are loose (TCG on
 * a loaded 2-core host can add hundreds of milliseconds to a wakeup).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "npf_util.h"
#include "harness.h"

#define BIG		(1 << 20)
#define STATREC		((ssize_t)sizeof(struct npf_stat_record))
#define LATE		1500	/* ms: what TCG may add to a wakeup */

FIXTURE(stat) {
	struct npf_env env;
	int fd;
	uint8_t *buf;
	struct reclist l;
	uint64_t sent;		/* frames sent to IF_A so far */
};

FIXTURE_SETUP(stat)
{
	reclist_init(&self->l);
	self->fd = -1;
	self->sent = 0;
	self->buf = malloc(BIG);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
}

FIXTURE_TEARDOWN(stat)
{
	if (self->fd >= 0)
		close(self->fd);
	reclist_free(&self->l);
	free(self->buf);
	env_teardown(&self->env);
}

/* ---- helpers ----------------------------------------------------------- */

static int set_mode(int fd, uint32_t mode)
{
	return ioctl(fd, BIOCSMODE, &mode);
}

/*
 * A frame of a length that varies with i (60..1514), of a kind that
 * varies with i too.
 */
static uint32_t mk_var(struct frame *f, const struct npf_env *e, uint32_t i)
{
	uint32_t len = 60 + (i * 397) % (MAX_FRAME - 60 + 1);

	return mk_mixed(f, e->mac_a, e->mac_b, i, len, 0x5000 + i);
}

/*
 * Send n varied frames (seq from seq0) from the peer, wait until the tap
 * accounted for every frame sent so far; *bytes gets their total length.
 */
static int send_var(int fd, const struct npf_env *e, uint64_t *sent,
		    uint32_t seq0, int n, uint64_t *bytes)
{
	struct frame f;

	*bytes = 0;
	for (int i = 0; i < n; i++) {
		if (!mk_var(&f, e, seq0 + i)) {
			snprintf(npf_err, sizeof(npf_err), "mk_var %u failed",
				 seq0 + i);
			return -1;
		}
		if (tx_send(e->tx_b, &f))
			return -1;
		*bytes += f.len;
	}
	*sent += n;
	return npf_wait_accounted(fd, *sent, 20000);
}

/* UDP when i % 3 == 0, else TCP, ICMP or ARP; length varies. */
static uint32_t mk_udp_or_not(struct frame *f, const struct npf_env *e,
			      uint32_t i, bool *is_udp)
{
	uint32_t len = 60 + (i * 211) % (MAX_FRAME - 60 + 1);

	*is_udp = false;
	switch (i % 6) {
	case 0:
	case 3:
		*is_udp = true;
		return mk_udp4(f, e->mac_a, e->mac_b, "10.0.0.2", "10.0.0.1",
			       4000 + i, 53, len, i);
	case 1:
	case 4:
		return mk_tcp4(f, e->mac_a, e->mac_b, "10.0.0.2", "10.0.0.1",
			       5000 + i, 80, TH_ACK, len, i);
	case 2:
		return mk_icmp4(f, e->mac_a, e->mac_b, "10.0.0.2", "10.0.0.1",
				8, len, i);
	default:
		return mk_arp(f, mac_bcast, e->mac_b, 1, "10.0.0.2",
			      "10.0.0.1", 60);
	}
}

struct mix {
	uint64_t n, bytes;		/* all sent */
	uint64_t udp, udp_bytes;	/* of which UDP */
};

static int send_mix(int fd, const struct npf_env *e, uint64_t *sent,
		    const struct sock_filter *prog, uint32_t plen,
		    uint32_t seq0, int n, struct mix *m)
{
	struct frame f;
	bool udp;

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < n; i++) {
		if (!mk_udp_or_not(&f, e, seq0 + i, &udp)) {
			snprintf(npf_err, sizeof(npf_err), "frame %u failed",
				 seq0 + i);
			return -1;
		}
		/* libpcap's interpreter must agree with the construction */
		if (prog && (offline_filter(prog, plen, &f) != 0) != udp) {
			snprintf(npf_err, sizeof(npf_err),
				 "libpcap disagrees on frame %u (%s)",
				 seq0 + i, f.desc);
			return -1;
		}
		if (tx_send(e->tx_b, &f))
			return -1;
		m->n++;
		m->bytes += f.len;
		if (udp) {
			m->udp++;
			m->udp_bytes += f.len;
		}
	}
	*sent += n;
	return npf_wait_accounted(fd, *sent, 20000);
}

/* One read with a big buffer; the record is copied out. */
static ssize_t stat_read(int fd, uint8_t *buf, struct npf_stat_record *r)
{
	ssize_t n = read(fd, buf, BIG);

	if (n >= STATREC)
		memcpy(r, buf, sizeof(*r));
	return n;
}

static int64_t rec_us(const struct npf_stat_record *r)
{
	return r->hdr.bh_tstamp.tv_sec * 1000000LL + r->hdr.bh_tstamp.tv_usec;
}

/* The layout uapi/linux/npf.h promises for a MODE_STAT record. */
#define EXPECT_STAT_LAYOUT(r)						\
	do {								\
		EXPECT_EQ(16U, (r).hdr.bh_caplen);			\
		EXPECT_EQ(16U, (r).hdr.bh_datalen);			\
		EXPECT_EQ(32U, (r).hdr.bh_hdrlen);			\
		EXPECT_EQ(0U, (r).hdr.bh_pad0);				\
		EXPECT_EQ(0U, (r).hdr.bh_pad1);				\
		EXPECT_EQ(0U, (r).hdr.bh_tstamp.tv_pad);		\
		EXPECT_GT(1000000U, (r).hdr.bh_tstamp.tv_usec);		\
	} while (0)

/* ---- layout and counts ------------------------------------------------- */

/*
 * The record: 48 bytes (even with a 1 MiB buffer), caplen = datalen = 16,
 * hdrlen 32, stamped "now" (between the call and the return), returned no
 * earlier than one timeout after the mode switch.
 */
TEST_F_TIMEOUT(stat, record_layout, 60)
{
	struct npf_stat_record r;
	int64_t t0, t1, r0, r1;
	uint64_t bytes;

	ASSERT_EQ(0, npf_set_timeout(self->fd, 400));
	t0 = now_ms();
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT)) TH_LOG("%s",
							    strerror(errno));
	ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 0, 5,
			      &bytes)) TH_LOG("%s", npf_err);
	r0 = real_ns() / 1000;
	ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r))
		TH_LOG("%s", strerror(errno));
	r1 = real_ns() / 1000;
	t1 = now_ms();
	EXPECT_STAT_LAYOUT(r);
	EXPECT_EQ(5ULL, r.packets);
	EXPECT_EQ(bytes, r.bytes);
	/* stamped while the read ran (1 us: the kernel truncates) */
	EXPECT_LE(r0 - 1, rec_us(&r));
	EXPECT_GE(r1 + 1, rec_us(&r));
	/* the interval ran from the mode switch, one timeout long */
	EXPECT_LE(400, t1 - t0);
	EXPECT_GT(400 + LATE, t1 - t0);
}

/*
 * Several intervals of known traffic: each record holds exactly the frames
 * sent during its interval and the sum of their lengths (link header on,
 * no FCS); an interval without traffic gives 0/0; the counters restart at
 * every read.
 */
TEST_F_TIMEOUT(stat, exact_counts_per_interval, 90)
{
	static const int batch[] = { 7, 0, 13, 1, 0, 24 };
	struct npf_stat_record r;
	uint32_t seq = 0;
	int64_t prev = 0;

	ASSERT_EQ(0, npf_set_timeout(self->fd, 250));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
	for (size_t i = 0; i < ARRAY_SIZE(batch); i++) {
		uint64_t bytes;

		ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, seq,
				      batch[i], &bytes)) TH_LOG("%s", npf_err);
		seq += batch[i];
		ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r))
			TH_LOG("interval %zu: %s", i, strerror(errno));
		EXPECT_STAT_LAYOUT(r);
		EXPECT_EQ((uint64_t)batch[i], r.packets)
			TH_LOG("interval %zu", i);
		EXPECT_EQ(bytes, r.bytes) TH_LOG("interval %zu", i);
		/* consecutive intervals: at least one timeout apart */
		if (i) {
			EXPECT_LE(250000, rec_us(&r) - prev)
				TH_LOG("interval %zu", i);
		}
		prev = rec_us(&r);
	}
}

/*
 * With a libpcap-compiled "udp" filter: the records count the UDP frames
 * and their bytes only; BIOCGSTATSEX says bs_capt = accepted, bs_filtered
 * = rejected, bs_recv = bs_capt + bs_filtered exactly, nothing dropped.
 */
TEST_F_TIMEOUT(stat, filtered_counts_and_statsex, 90)
{
	struct sock_filter *prog;
	struct npf_stat_record r;
	struct npf_stats st;
	uint64_t all = 0, udp = 0;
	struct mix m;
	int n;

	n = compile_filter("udp", 65535, &prog);
	ASSERT_LT(0, n) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_filter(self->fd, prog, n)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 250));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));

	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, send_mix(self->fd, &self->env, &self->sent, prog,
				      n, i * 100, 12 + 7 * i, &m))
			TH_LOG("%s", npf_err);
		ASSERT_LT(0ULL, m.udp);
		ASSERT_LT(m.udp, m.n);
		ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r));
		EXPECT_STAT_LAYOUT(r);
		EXPECT_EQ(m.udp, r.packets) TH_LOG("interval %d", i);
		EXPECT_EQ(m.udp_bytes, r.bytes) TH_LOG("interval %d", i);
		all += m.n;
		udp += m.udp;
	}
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(all, st.bs_recv);
	EXPECT_EQ(udp, st.bs_capt);
	EXPECT_EQ(all - udp, st.bs_filtered);
	EXPECT_EQ(st.bs_recv, st.bs_capt + st.bs_filtered);
	EXPECT_EQ(0ULL, st.bs_drop);
	EXPECT_EQ(0ULL, st.bs_nomem);
	free(prog);
}

/* ---- the interval -------------------------------------------------------- */

/*
 * A reader that comes late gets the longer interval at once: nothing is
 * lost and it does not wait another timeout.
 */
TEST_F_TIMEOUT(stat, late_read_returns_longer_interval_at_once, 60)
{
	struct npf_stat_record r0, r;
	uint64_t bytes;
	int64_t t0, t;

	/* anchor: an immediate read starts a new interval */
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
	ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r0));
	t0 = now_ms();
	ASSERT_EQ(0, npf_set_timeout(self->fd, 1000));
	ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 0, 9,
			      &bytes)) TH_LOG("%s", npf_err);
	/* come 1.5 timeouts late */
	while (now_ms() - t0 < 2500)
		sleep_ms(50);
	t = now_ms();
	ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r));
	t = now_ms() - t;
	EXPECT_GT(700, t) TH_LOG("a late read waited %lld ms", (long long)t);
	EXPECT_EQ(9ULL, r.packets);
	EXPECT_EQ(bytes, r.bytes);
	EXPECT_LE(2500000, rec_us(&r) - rec_us(&r0));

	/* the next interval runs from that read: a full timeout */
	t = now_ms();
	ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r0));
	t = now_ms() - t;
	EXPECT_EQ(0ULL, r0.packets);
	EXPECT_EQ(0ULL, r0.bytes);
	EXPECT_LE(1000000, rec_us(&r0) - rec_us(&r));
	EXPECT_GT(1000 + LATE, t);
}

/*
 * The interval runs from the previous read, not from the read call: a read
 * issued half-way returns at the interval's end (one timeout after the
 * previous read), not one timeout after the call. And a periodic reader
 * sees intervals of one timeout each.
 */
TEST_F_TIMEOUT(stat, interval_anchored_to_previous_read, 60)
{
	struct npf_stat_record r0, r;
	int64_t t0, t;

	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 1000));
	ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r0));
	t0 = now_ms();
	sleep_ms(500);
	ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r));
	t = now_ms() - t0;
	EXPECT_LE(1000000, rec_us(&r) - rec_us(&r0));
	/* anchored to the call it would be >= 1500 */
	EXPECT_GT(1400, t) TH_LOG("returned %lld ms after the previous read",
				  (long long)t);

	/* periodic reader: 4 intervals of 300 ms */
	ASSERT_EQ(0, npf_set_timeout(self->fd, 300));
	ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r0));
	t0 = rec_us(&r0);
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r));
		EXPECT_LE(300000, rec_us(&r) - rec_us(&r0))
			TH_LOG("interval %d", i);
		EXPECT_GT(300000 + 1000 * LATE, rec_us(&r) - rec_us(&r0))
			TH_LOG("interval %d", i);
		r0 = r;
	}
	t = rec_us(&r) - t0;
	EXPECT_LE(1200000, t);
	EXPECT_GT(1200000 + 2000 * LATE, t);
}

/* Timeout -1: a read returns at once with the counts since the last one. */
TEST_F_TIMEOUT(stat, immediate_timeout, 60)
{
	struct npf_stat_record r;
	uint64_t bytes;
	int64_t t;

	ASSERT_EQ(0, npf_set_timeout(self->fd, 10000));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 0, 6,
			      &bytes)) TH_LOG("%s", npf_err);
	t = now_ms();
	ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r));
	EXPECT_EQ(6ULL, r.packets);
	EXPECT_EQ(bytes, r.bytes);
	ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r));
	EXPECT_EQ(0ULL, r.packets);
	EXPECT_EQ(0ULL, r.bytes);
	ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 6, 1,
			      &bytes));
	ASSERT_EQ(STATREC, stat_read(self->fd, self->buf, &r));
	EXPECT_EQ(1ULL, r.packets);
	EXPECT_EQ(bytes, r.bytes);
	t = now_ms() - t;
	EXPECT_GT(2000, t);
}

/*
 * Timeout 0 would be an interval that never ends: EINVAL (from the ioctl
 * in MODE_STAT, or from the read), never a read that sleeps for ever.
 */
static void expect_no_endless_interval(struct __test_metadata *_metadata,
				       int fd)
{
	struct npf_stat_record r;
	ssize_t n;
	int err;

	alarm_ms(3000);
	n = read(fd, &r, sizeof(r));
	err = errno;
	alarm_ms(0);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EINVAL, err) TH_LOG("read with timeout 0: %s",
				      n < 0 ? strerror(err) : "a record");
}

TEST_F_TIMEOUT(stat, timeout_zero_einval, 60)
{
	int32_t zero = 0;
	uint32_t mode = NPF_MODE_STAT;

	/* set in MODE_STAT */
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
	if (ioctl(self->fd, BIOCSRTIMEOUT, &zero)) {
		EXPECT_EQ(EINVAL, errno);
	} else {
		expect_no_endless_interval(_metadata, self->fd);
	}

	/* set in MODE_CAPT (where 0 means "no timeout"), then MODE_STAT */
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_CAPT));
	ASSERT_EQ(0, ioctl(self->fd, BIOCSRTIMEOUT, &zero));
	if (ioctl(self->fd, BIOCSMODE, &mode)) {
		EXPECT_EQ(EINVAL, errno);
	} else {
		expect_no_endless_interval(_metadata, self->fd);
	}
}

/*
 * A buffer smaller than the record: EMSGSIZE, and the counts stay: the
 * interval is still over and the next read returns them at once.
 */
TEST_F_TIMEOUT(stat, small_buffer_emsgsize_loses_nothing, 60)
{
	struct npf_stat_record r;
	uint64_t bytes;
	int64_t t0, t;

	ASSERT_EQ(0, npf_set_timeout(self->fd, 1000));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
	t0 = now_ms();		/* after the interval started */
	ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 0, 11,
			      &bytes)) TH_LOG("%s", npf_err);
	while (now_ms() - t0 <= 1100)
		sleep_ms(20);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->buf, STATREC - 1));
	EXPECT_EQ(EMSGSIZE, errno);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->buf, 16));
	EXPECT_EQ(EMSGSIZE, errno);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->buf, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	t = now_ms();
	ASSERT_EQ(STATREC, read(self->fd, &r, sizeof(r)));
	t = now_ms() - t;
	EXPECT_GT(700, t) TH_LOG("EMSGSIZE restarted the interval?");
	EXPECT_STAT_LAYOUT(r);
	EXPECT_EQ(11ULL, r.packets);
	EXPECT_EQ(bytes, r.bytes);
}

/*
 * A non-blocking read in MODE_STAT, judged by the clock (CLOCK_MONOTONIC,
 * the kernel's too): the interval began at some instant in [from, to]
 * (inside the BIOCSMODE or the read that started it) and ends exactly one
 * timeout later. EAGAIN is right only if the read started before the
 * latest possible end, a record only if it returned after the earliest
 * possible one; in between either is. Returns 0 for EAGAIN, 1 for a
 * record (in *r), -1 for anything else; [*a, *b] is when the read ran.
 */
static int nb_read(struct __test_metadata *_metadata, int fd, int64_t from,
		   int64_t to, int64_t tmo_us, struct npf_stat_record *r,
		   int64_t *a, int64_t *b)
{
	ssize_t n;
	int err;

	*a = now_us();
	errno = 0;
	n = read(fd, r, sizeof(*r));
	err = errno;
	*b = now_us();
	if (n == STATREC) {
		EXPECT_LE(from + tmo_us, *b)
			TH_LOG("a record %lld us after the interval began (timeout %lld us)",
			       (long long)(*b - from), (long long)tmo_us);
		return 1;
	}
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, err) TH_LOG("%s", strerror(err));
	if (n != -1 || err != EAGAIN)
		return -1;
	EXPECT_GT(to + tmo_us, *a)
		TH_LOG("EAGAIN %lld us after the interval began (timeout %lld us)",
		       (long long)(*a - to), (long long)tmo_us);
	return 0;
}

/*
 * O_NONBLOCK: EAGAIN before the interval is over, the record after. Each
 * outcome is checked against the clock (nb_read()), so a test delayed by
 * the machine (TCG, a debug kernel) proves less but never fails for it;
 * only the first EAGAIN must be seen: a mode switch whose read came too
 * late to see it is done again.
 */
TEST_F_TIMEOUT(stat, nonblock_eagain_before_end, 60)
{
	const int64_t tmo = 1500000;
	struct npf_stat_record r;
	uint64_t bytes;
	int64_t t0, t1, a, b;
	int fl, got, tries;

	fl = fcntl(self->fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	ASSERT_EQ(0, npf_set_timeout(self->fd, tmo / 1000));
	for (tries = 0;; tries++) {
		ASSERT_GT(5, tries)
			TH_LOG("no read within 1.5 s of BIOCSMODE in 5 tries: too slow to see EAGAIN");
		ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_CAPT));
		/* the interval starts inside the ioctl: between t0 and t1 */
		t0 = now_us();
		ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
		t1 = now_us();
		got = nb_read(_metadata, self->fd, t0, t1, tmo, &r, &a, &b);
		ASSERT_LE(0, got);
		if (!got)
			break;
		/* too late (and rightly a record, of no traffic): again */
		EXPECT_EQ(0ULL, r.packets);
		TH_LOG("try %d: first read %lld us after the mode switch",
		       tries, (long long)(b - t0));
	}
	ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 0, 4,
			      &bytes)) TH_LOG("%s", npf_err);
	/* EAGAIN if still before the end, else already the record */
	got = nb_read(_metadata, self->fd, t0, t1, tmo, &r, &a, &b);
	ASSERT_LE(0, got);
	if (!got) {
		while (now_us() - t1 <= tmo)
			sleep_ms(20);
		got = nb_read(_metadata, self->fd, t0, t1, tmo, &r, &a, &b);
		ASSERT_EQ(1, got);
	}
	EXPECT_EQ(4ULL, r.packets);
	EXPECT_EQ(bytes, r.bytes);
	/* a new interval has begun inside that read: EAGAIN, or (the
	 * machine stalled for a timeout) the record of an empty interval */
	got = nb_read(_metadata, self->fd, a, b, tmo, &r, &a, &b);
	ASSERT_LE(0, got);
	if (got)
		EXPECT_EQ(0ULL, r.packets);
}

/*
 * poll() in MODE_STAT, judged by the clock as nb_read() judges a read:
 * not ready is right only if poll's last look (at the end of its timeout)
 * came before the latest possible end of the interval, ready only if it
 * returned after the earliest possible one. Returns poll()'s result; *b is
 * when it returned.
 */
static int poll_at(struct __test_metadata *_metadata, int fd, int ms,
		   int64_t from, int64_t to, int64_t tmo_us, int64_t *b)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int64_t a = now_us();
	int n = poll(&p, 1, ms);

	*b = now_us();
	if (n == 1) {
		EXPECT_TRUE(!!(p.revents & POLLIN)) TH_LOG("revents %#x", p.revents);
		EXPECT_LE(from + tmo_us, *b)
			TH_LOG("POLLIN %lld us after the interval began (timeout %lld us)",
			       (long long)(*b - from), (long long)tmo_us);
	} else {
		EXPECT_EQ(0, n) TH_LOG("%s", strerror(errno));
		EXPECT_GT(to + tmo_us, a + ms * 1000LL)
			TH_LOG("not ready %lld us after the interval began (timeout %lld us)",
			       (long long)(a + ms * 1000LL - to), (long long)tmo_us);
	}
	return n;
}

/*
 * poll() reports EPOLLIN once the interval is over and not before, traffic
 * or not; the read that follows does not wait. A try whose polls came too
 * late to see "not ready" (the machine stalled) is done again.
 */
TEST_F_TIMEOUT(stat, poll_in_only_after_interval, 60)
{
	const int64_t tmo = 1500000;
	struct npf_stat_record r;
	uint64_t bytes;
	int64_t t0, t1, a, b;
	int tries, fl;

	ASSERT_EQ(0, npf_set_timeout(self->fd, tmo / 1000));
	for (tries = 0;; tries++) {
		ASSERT_GT(5, tries)
			TH_LOG("no poll within 1.5 s of BIOCSMODE in 5 tries: too slow to see \"not ready\"");
		ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_CAPT));
		self->sent = 0;
		t0 = now_us();
		ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
		t1 = now_us();
		if (poll_at(_metadata, self->fd, 0, t0, t1, tmo, &b))
			continue;
		ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 0, 5,
				      &bytes)) TH_LOG("%s", npf_err);
		/* traffic does not make it ready */
		if (poll_at(_metadata, self->fd, 0, t0, t1, tmo, &b) ||
		    poll_at(_metadata, self->fd, 100, t0, t1, tmo, &b)) {
			TH_LOG("try %d: too late to see \"not ready\"", tries);
			continue;
		}
		break;
	}
	/* ready at the end (loose upper bound: TCG wakeups can be late) */
	ASSERT_EQ(1, poll_at(_metadata, self->fd, tmo / 1000 + 2 * LATE, t0, t1,
			     tmo, &b));
	EXPECT_GT(t1 + tmo + LATE * 1000LL, b)
		TH_LOG("POLLIN %lld ms after the end", (long long)(b - t1 - tmo) / 1000);
	/* the read that follows does not wait: it succeeds non-blocking */
	fl = fcntl(self->fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	ASSERT_EQ(1, nb_read(_metadata, self->fd, t0, t1, tmo, &r, &a, &b));
	EXPECT_EQ(5ULL, r.packets);
	EXPECT_EQ(bytes, r.bytes);
	/* a new interval began inside that read: not ready again (or, after
	 * a stall of a whole timeout, rightly ready) */
	poll_at(_metadata, self->fd, 0, a, b, tmo, &b);
}

/*
 * A registered epoll (level-triggered) is woken at the end of every
 * interval, read after read, as poll() is.
 */
TEST_F_TIMEOUT(stat, epoll_each_interval, 60)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct npf_stat_record r;
	int ep, n;

	ASSERT_EQ(0, npf_set_timeout(self->fd, 400));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	for (int i = 0; i < 3; i++) {
		int64_t t = now_ms();

		n = epoll_wait(ep, &ev, 1, 400 + 3 * LATE);
		t = now_ms() - t;
		EXPECT_EQ(1, n) TH_LOG("round %d: epoll_wait gave %d after %lld ms",
				       i, n, (long long)t);
		if (n != 1)
			break;
		EXPECT_TRUE(!!(ev.events & EPOLLIN));
		ASSERT_EQ(STATREC, read(self->fd, &r, sizeof(r)))
			TH_LOG("round %d: %s", i, strerror(errno));
		/* after a read, a full interval: never right away */
		if (i) {
			EXPECT_LE(400 - 12, t) TH_LOG("round %d", i);
		}
	}
	close(ep);
}

/* ---- modes ------------------------------------------------------------- */

/*
 * CAPT -> STAT -> CAPT: every switch flushes the ring and zeroes every
 * counter; frames seen in MODE_STAT are never stored.
 */
TEST_F_TIMEOUT(stat, mode_switches_flush_and_zero, 60)
{
	struct npf_stat_record r;
	struct npf_stats st;
	uint64_t bytes;
	ssize_t n;

	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	/* CAPT: 5 records buffered */
	ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 0, 5,
			      &bytes)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(5ULL, st.bs_capt);

	/* -> STAT: counters zero, the first interval is empty */
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(0ULL, st.bs_recv);
	EXPECT_EQ(0ULL, st.bs_capt);
	ASSERT_EQ(STATREC, read(self->fd, &r, sizeof(r)));
	EXPECT_EQ(0ULL, r.packets);
	EXPECT_EQ(0ULL, r.bytes);
	self->sent = 0;
	ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 10, 8,
			      &bytes)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(8ULL, st.bs_recv);
	EXPECT_EQ(8ULL, st.bs_capt);

	/* STAT -> STAT: a new start, the 8 are forgotten */
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(0ULL, st.bs_recv);
	ASSERT_EQ(STATREC, read(self->fd, &r, sizeof(r)));
	EXPECT_EQ(0ULL, r.packets);
	EXPECT_EQ(0ULL, r.bytes);
	self->sent = 0;
	ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 20, 3,
			      &bytes)) TH_LOG("%s", npf_err);

	/* -> CAPT: nothing buffered (neither the 5 nor the 3), zeroes */
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_CAPT));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(0ULL, st.bs_recv);
	EXPECT_EQ(0ULL, st.bs_capt);
	n = read(self->fd, self->buf, BIG);
	EXPECT_EQ(0, n) TH_LOG("read gave %zd bytes after the switch", n);
	/* and capture works again */
	self->sent = 0;
	ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 30, 2,
			      &bytes)) TH_LOG("%s", npf_err);
	reclist_clear(&self->l);
	ASSERT_EQ(2, collect(self->fd, &self->l, 2, 5000, BIG))
		TH_LOG("%s", npf_err);
	EXPECT_EQ(bytes, (uint64_t)self->l.r[0].h.bh_datalen +
				 self->l.r[1].h.bh_datalen);
}

/* Unknown mode bits: EINVAL, and the mode and its counts stay. */
TEST_F_TIMEOUT(stat, invalid_mode_einval_unchanged, 60)
{
	static const uint32_t bad[] = {
		NPF_MODE_MON, NPF_MODE_MON | NPF_MODE_STAT, 0x4, 0x8, 0x20,
		0x100, 0x80000000u, 0xffffffffu,
	};
	struct npf_stat_record r;
	uint64_t bytes;

	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	/* from CAPT: refused, still capturing */
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, set_mode(self->fd, bad[i]))
			TH_LOG("mode %#x accepted", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("mode %#x", bad[i]);
	}
	ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 0, 2,
			      &bytes)) TH_LOG("%s", npf_err);
	reclist_clear(&self->l);
	EXPECT_EQ(2, collect(self->fd, &self->l, 2, 5000, BIG))
		TH_LOG("%s", npf_err);

	/* from STAT: refused, still counting, counts kept */
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
	self->sent = 0;
	ASSERT_EQ(0, send_var(self->fd, &self->env, &self->sent, 10, 3,
			      &bytes)) TH_LOG("%s", npf_err);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, set_mode(self->fd, bad[i]))
			TH_LOG("mode %#x accepted", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("mode %#x", bad[i]);
	}
	ASSERT_EQ(STATREC, read(self->fd, self->buf, BIG));
	memcpy(&r, self->buf, sizeof(r));
	EXPECT_STAT_LAYOUT(r);
	EXPECT_EQ(3ULL, r.packets);
	EXPECT_EQ(bytes, r.bytes);
}

/*
 * A new filter while counting: the counts start again from zero and the
 * new filter decides from then on.
 */
TEST_F_TIMEOUT(stat, filter_change_while_counting, 60)
{
	struct sock_filter *prog;
	struct npf_stat_record r;
	struct npf_stats st;
	struct mix m;
	int n;

	n = compile_filter("udp", 65535, &prog);
	ASSERT_LT(0, n) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
	/* no filter: everything counts */
	ASSERT_EQ(0, send_mix(self->fd, &self->env, &self->sent, NULL, 0, 0,
			      12, &m)) TH_LOG("%s", npf_err);
	ASSERT_EQ(STATREC, read(self->fd, &r, sizeof(r)));
	EXPECT_EQ(m.n, r.packets);
	EXPECT_EQ(m.bytes, r.bytes);
	/* traffic, then a filter: what came before it is zeroed */
	ASSERT_EQ(0, send_mix(self->fd, &self->env, &self->sent, NULL, 0, 20,
			      12, &m)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_filter(self->fd, prog, n)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(0ULL, st.bs_recv);
	EXPECT_EQ(0ULL, st.bs_capt);
	ASSERT_EQ(STATREC, read(self->fd, &r, sizeof(r)));
	EXPECT_EQ(0ULL, r.packets);
	EXPECT_EQ(0ULL, r.bytes);
	/* the filter applies */
	self->sent = 0;
	ASSERT_EQ(0, send_mix(self->fd, &self->env, &self->sent, prog, n, 40,
			      18, &m)) TH_LOG("%s", npf_err);
	ASSERT_EQ(STATREC, read(self->fd, &r, sizeof(r)));
	EXPECT_EQ(m.udp, r.packets);
	EXPECT_EQ(m.udp_bytes, r.bytes);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(m.n, st.bs_recv);
	EXPECT_EQ(m.udp, st.bs_capt);
	EXPECT_EQ(m.n - m.udp, st.bs_filtered);
	free(prog);
}

/*
 * Nothing is copied: with the smallest ring (4096 bytes) two thousand
 * 1000-byte frames cause no drop in MODE_STAT, where in MODE_CAPT the
 * same ring overflows after three.
 */
TEST_F_TIMEOUT(stat, ring_unused, 180)
{
	enum { K = 2000 };
	struct npf_stat_record r;
	struct npf_stats st;
	struct frame f;
	uint64_t bytes = 0;

	ASSERT_EQ(0, npf_set_bufsize(self->fd, 4096)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	/* control: MODE_CAPT overflows this ring */
	for (int i = 0; i < 10; i++) {
		mk_udp4(&f, self->env.mac_a, self->env.mac_b, "10.0.0.2",
			"10.0.0.1", 3000, 3001, 1000, i);
		ASSERT_EQ(0, tx_send(self->env.tx_b, &f));
	}
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 10, 20000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(3ULL, st.bs_capt);
	EXPECT_EQ(7ULL, st.bs_drop);

	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT));
	for (int i = 0; i < K; i++) {
		mk_udp4(&f, self->env.mac_a, self->env.mac_b, "10.0.0.2",
			"10.0.0.1", 3000, 3001, 1000, 100 + i);
		ASSERT_EQ(0, tx_send(self->env.tx_b, &f)) TH_LOG("%s", npf_err);
		bytes += f.len;
	}
	ASSERT_EQ(0, npf_wait_accounted(self->fd, K, 60000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)K, st.bs_recv);
	EXPECT_EQ((uint64_t)K, st.bs_capt);
	EXPECT_EQ(0ULL, st.bs_drop);
	EXPECT_EQ(0ULL, st.bs_nomem);
	ASSERT_EQ(STATREC, read(self->fd, &r, sizeof(r)));
	EXPECT_EQ((uint64_t)K, r.packets);
	EXPECT_EQ(bytes, r.bytes);

	/* back to MODE_CAPT: nothing was stored */
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_CAPT));
	EXPECT_EQ(0, read(self->fd, self->buf, BIG));
}

TEST_HARNESS_MAIN
