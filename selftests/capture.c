// SPDX-License-Identifier: GPL-2.0
/*
 * Capture: frames sent on a veth pair come back from /dev/npf byte for
 * byte, in records laid out as uapi/linux/npf.h says, in both directions,
 * with plausible monotonic timestamps, many per read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include "npf_util.h"
#include "harness.h"

#define BIG	(1 << 20)

FIXTURE(capture) {
	struct npf_env env;
	int fd;
	struct reclist l;
};

FIXTURE_SETUP(capture)
{
	reclist_init(&self->l);
	self->fd = -1;
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
}

FIXTURE_TEARDOWN(capture)
{
	if (self->fd >= 0)
		close(self->fd);
	reclist_free(&self->l);
	env_teardown(&self->env);
}

static int64_t ts_ns(const struct rec *r, bool nano)
{
	return r->h.bh_tstamp.tv_sec * 1000000000LL +
	       (int64_t)r->h.bh_tstamp.tv_usec * (nano ? 1 : 1000);
}

static const uint32_t sizes[] = {
	60, 61, 62, 63, 64, 65, 66, 67, 68, 71, 72, 100, 127, 128, 129, 255,
	256, 500, 511, 512, 513, 1000, 1023, 1024, 1025, 1499, 1500, 1511,
	1512, 1513, 1514,
};
#define NSIZES (int)(sizeof(sizes) / sizeof(sizes[0]))

/*
 * Every size 60..1514 that matters for padding, each frame a different
 * protocol; records must be byte-exact, in order, with the documented
 * layout, timestamps within the send window and never going backwards.
 */
TEST_F_TIMEOUT(capture, record_layout_and_bytes, 120)
{
	struct frame *f = calloc(NSIZES, sizeof(*f));
	int64_t t0, t1, prev = 0;
	uint8_t *buf = malloc(BIG);
	struct npf_stats st;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < NSIZES; i++) {
		ASSERT_EQ(sizes[i], mk_mixed(&f[i], self->env.mac_a,
					     self->env.mac_b, i, sizes[i], i));
	}
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));

	t0 = real_ns();
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, NSIZES))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(NSIZES, collect(self->fd, &self->l, NSIZES, 20000, BIG))
		TH_LOG("%s", npf_err);
	t1 = real_ns();

	for (int i = 0; i < NSIZES; i++) {
		struct rec *r = &self->l.r[i];
		int64_t ts = ts_ns(r, false);

		EXPECT_EQ(HDRLEN, r->h.bh_hdrlen);
		EXPECT_EQ(f[i].len, r->h.bh_caplen);
		EXPECT_EQ(f[i].len, r->h.bh_datalen);
		EXPECT_TRUE(rec_matches(r, &f[i]))
			TH_LOG("record %d differs from frame %s", i, f[i].desc);
		EXPECT_EQ(0U, r->off % NPF_ALIGNMENT);
		/* microsecond stamps: allow the truncation below t0 */
		EXPECT_LE(t0 / 1000 * 1000 - 1000000, ts)
			TH_LOG("record %d: stamp %lld before the send started %lld",
			       i, (long long)ts, (long long)t0);
		EXPECT_GE(t1 + 1000000, ts)
			TH_LOG("record %d: stamp %lld after the capture ended %lld",
			       i, (long long)ts, (long long)t1);
		EXPECT_LE(prev, ts) TH_LOG("record %d: stamp went backwards", i);
		prev = ts;
	}
	/* nothing more */
	EXPECT_EQ(0, read(self->fd, buf, BIG));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)NSIZES, st.bs_recv);
	EXPECT_EQ((uint64_t)NSIZES, st.bs_capt);
	EXPECT_EQ(0ULL, st.bs_drop);
	EXPECT_EQ(0ULL, st.bs_filtered);
	EXPECT_EQ(0ULL, st.bs_nomem);
	free(buf);
	free(f);
}

/*
 * A read returns exactly the bytes of its whole records, each record
 * padded: the sum of NPF_WORDALIGN(32 + caplen) over the records.
 */
TEST_F_TIMEOUT(capture, read_length_is_sum_of_padded_records, 60)
{
	struct frame f[5];
	uint8_t *buf = malloc(BIG);
	uint32_t want = 0;
	ssize_t n;

	for (int i = 0; i < 5; i++) {
		mk_udp4(&f[i], self->env.mac_a, self->env.mac_b, "10.0.0.2",
			"10.0.0.1", 1, 2, 61 + i * 3, i);
		want += RECLEN(f[i].len);
	}
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 5));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 5, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	n = read(self->fd, buf, BIG);
	ASSERT_EQ((ssize_t)want, n) TH_LOG("read: %s", strerror(errno));
	ASSERT_EQ(5, parse_records(buf, n, &self->l, false))
		TH_LOG("%s", npf_err);
	for (int i = 0; i < 5; i++) {
		struct rec *r = &self->l.r[i];
		uint32_t end = r->off + HDRLEN + r->h.bh_caplen;

		EXPECT_TRUE(rec_matches(r, &f[i]));
		EXPECT_EQ(0U, r->off % 8);
		/* a fresh ring: the padding can only be zeros, or kernel
		 * memory that was never initialised */
		for (uint32_t k = end; k < r->off + RECLEN(r->h.bh_caplen); k++) {
			EXPECT_EQ(0, buf[k])
				TH_LOG("record %d: padding byte %u is %#x", i,
				       k - end, buf[k]);
		}
	}
	free(buf);
}

/*
 * Frames this host transmits on the capture adapter (an AF_PACKET socket
 * bound to it) are captured too, as are frames received from the peer.
 */
TEST_F_TIMEOUT(capture, both_directions, 120)
{
	enum { N = 24 };
	struct frame f[N];
	bool seen[N] = { false };
	struct npf_stats st;

	for (int i = 0; i < N; i++) {
		bool out = i & 1;	/* odd frames go out of IF_A */
		const uint8_t *dst = out ? self->env.mac_b : self->env.mac_a;
		const uint8_t *src = out ? self->env.mac_a : self->env.mac_b;

		mk_mixed(&f[i], dst, src, i / 2, 60 + i * 61, 100 + i);
	}
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(0, tx_send(i & 1 ? self->env.tx_a : self->env.tx_b,
				     &f[i])) TH_LOG("%s", npf_err);
	}
	ASSERT_EQ(N, collect(self->fd, &self->l, N, 20000, BIG))
		TH_LOG("%s", npf_err);
	/* order between the directions is up to the stack; each must be
	 * there exactly once */
	for (int k = 0; k < self->l.n; k++) {
		int hit = -1;

		for (int i = 0; i < N; i++)
			if (!seen[i] && rec_matches(&self->l.r[k], &f[i]))
				hit = i;
		EXPECT_LE(0, hit) TH_LOG("record %d matches no frame sent", k);
		if (hit >= 0)
			seen[hit] = true;
	}
	for (int i = 0; i < N; i++) {
		EXPECT_TRUE(seen[i]) TH_LOG("frame %d (%s, %s) not captured", i,
					    f[i].desc, i & 1 ? "out" : "in");
	}
	/* and the frames of each direction keep their order */
	for (int dir = 0; dir < 2; dir++) {
		int next = dir;

		for (int k = 0; k < self->l.n; k++) {
			if (next < N && rec_matches(&self->l.r[k], &f[next]))
				next += 2;
		}
		EXPECT_LE(N, next) TH_LOG("direction %d out of order", dir);
	}
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)N, st.bs_recv);
	EXPECT_EQ((uint64_t)N, st.bs_capt);
}

/* Many records come back from a single read. */
TEST_F_TIMEOUT(capture, batching_one_read, 120)
{
	enum { N = 200 };
	struct frame *f = calloc(N, sizeof(*f));
	uint8_t *buf = malloc(BIG);
	ssize_t n;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < N; i++)
		mk_mixed(&f[i], self->env.mac_a, self->env.mac_b, i,
			 200 + (i % 7), i);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, N)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(self->fd, N, 20000))
		TH_LOG("%s", npf_err);
	/* defaults: 46 KB buffered >= MinToCopy 16000, so ready at once */
	n = read(self->fd, buf, BIG);
	ASSERT_LT(0, n) TH_LOG("read: %s", strerror(errno));
	ASSERT_EQ(N, parse_records(buf, n, &self->l, false))
		TH_LOG("%s", npf_err);
	for (int i = 0; i < N; i++) {
		EXPECT_TRUE(rec_matches(&self->l.r[i], &f[i]))
			TH_LOG("record %d", i);
	}
	free(buf);
	free(f);
}

/* A read takes as many whole records as fit, the rest stay for later. */
TEST_F_TIMEOUT(capture, read_takes_whole_records_that_fit, 60)
{
	enum { N = 10 };
	struct frame f[N];
	uint8_t buf[4096];
	size_t bufsz = 3 * RECLEN(100) + 100;	/* room for 3.x records */
	int total = 0;

	for (int i = 0; i < N; i++)
		mk_udp4(&f[i], self->env.mac_a, self->env.mac_b, "10.0.0.2",
			"10.0.0.1", 7, 8, 100, i);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, N));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, N, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	while (total < N) {
		ssize_t n = read(self->fd, buf, bufsz);
		int want = N - total < 3 ? N - total : 3;
		int c;

		ASSERT_EQ((ssize_t)(want * RECLEN(100)), n)
			TH_LOG("after %d records: read %zd (%s)", total, n,
			       strerror(errno));
		c = parse_records(buf, n, &self->l, false);
		ASSERT_EQ(want, c) TH_LOG("%s", npf_err);
		total += c;
	}
	for (int i = 0; i < N; i++) {
		EXPECT_TRUE(rec_matches(&self->l.r[i], &f[i]));
	}
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
}

/* Timestamps follow the send times: two frames 400 ms apart. */
TEST_F_TIMEOUT(capture, timestamps_follow_send_time, 60)
{
	struct frame f[2];
	int64_t gap;

	mk_udp4(&f[0], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 80, 1);
	mk_udp4(&f[1], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 80, 2);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f[0]));
	sleep_ms(400);
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f[1]));
	ASSERT_EQ(2, collect(self->fd, &self->l, 2, 10000, BIG))
		TH_LOG("%s", npf_err);
	gap = ts_ns(&self->l.r[1], false) - ts_ns(&self->l.r[0], false);
	EXPECT_LE(399000000LL, gap) TH_LOG("gap %lld ns", (long long)gap);
	EXPECT_GT(5000000000LL, gap) TH_LOG("gap %lld ns", (long long)gap);
}

/* BIOCSTIMESTAMPMODE NPF_TSTAMP_NANO: the fraction is in nanoseconds. */
TEST_F_TIMEOUT(capture, nanosecond_timestamps, 60)
{
	uint32_t mode = NPF_TSTAMP_NANO;
	uint8_t *buf = malloc(BIG);
	struct frame f;
	int64_t t0, t1, ts;
	ssize_t n;

	ASSERT_EQ(0, ioctl(self->fd, BIOCSTIMESTAMPMODE, &mode))
		TH_LOG("BIOCSTIMESTAMPMODE: %s", strerror(errno));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	mk_udp4(&f, self->env.mac_a, self->env.mac_b, "10.0.0.2", "10.0.0.1",
		1, 2, 90, 3);
	t0 = real_ns();
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 1, 10000))
		TH_LOG("%s", npf_err);
	t1 = real_ns();
	n = read(self->fd, buf, BIG);
	ASSERT_EQ((ssize_t)RECLEN(90), n);
	ASSERT_EQ(1, parse_records(buf, n, &self->l, true))
		TH_LOG("%s", npf_err);
	ts = ts_ns(&self->l.r[0], true);
	/* the same clock (CLOCK_REALTIME) at nanosecond precision; allow
	 * 2 ms of slack for clock sources of different granularity */
	EXPECT_LE(t0 - 2000000, ts) TH_LOG("stamp %lld, send %lld",
					   (long long)ts, (long long)t0);
	EXPECT_GE(t1 + 2000000, ts) TH_LOG("stamp %lld, seen %lld",
					   (long long)ts, (long long)t1);
	EXPECT_TRUE(rec_matches(&self->l.r[0], &f));
	free(buf);
}

/*
 * VLAN tags: the receive path strips an 802.1Q tag into skb metadata
 * before any tap runs; npf puts it back, so the captured bytes are the
 * frame on the wire. Also a QinQ frame (outer 802.1ad tag stripped, inner
 * kept) and tagged frames going out.
 */
TEST_F_TIMEOUT(capture, vlan_tags_restored, 60)
{
	struct frame f[4];

	mk_vlan_udp4(&f[0], self->env.mac_a, self->env.mac_b, 0x8100,
		     (3 << 13) | 100, -1, 120, 1);
	mk_vlan_udp4(&f[1], self->env.mac_a, self->env.mac_b, 0x88a8,
		     (5 << 13) | 200, 300, 130, 2);
	mk_vlan_udp4(&f[2], self->env.mac_b, self->env.mac_a, 0x8100,
		     (1 << 13) | 7, -1, 140, 3);
	mk_vlan_udp4(&f[3], self->env.mac_a, self->env.mac_b, 0x8100,
		     4094, -1, 1518, 4);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f[0])) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f[1])) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, tx_send(self->env.tx_a, &f[2])) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f[3])) TH_LOG("%s", npf_err);
	ASSERT_EQ(4, collect(self->fd, &self->l, 4, 10000, BIG))
		TH_LOG("%s", npf_err);
	for (int i = 0; i < 4; i++) {
		bool found = false;

		for (int k = 0; k < self->l.n; k++)
			found |= rec_matches(&self->l.r[k], &f[i]);
		EXPECT_TRUE(found) TH_LOG("%s not captured byte for byte",
					  f[i].desc);
	}
	for (int k = 0; k < self->l.n; k++) {
		struct rec *r = &self->l.r[k];

		TH_LOG("record %d: caplen %u datalen %u type %02x%02x", k,
		       r->h.bh_caplen, r->h.bh_datalen, r->data[12],
		       r->data[13]);
	}
}

/* Several opens on one adapter each get every frame, independently. */
TEST_F_TIMEOUT(capture, independent_opens, 60)
{
	enum { OPENS = 6, N = 5 };
	int fds[OPENS];
	struct frame f[N];
	struct sock_filter *prog;
	int len;

	for (int i = 0; i < N; i++)
		mk_mixed(&f[i], self->env.mac_a, self->env.mac_b, i, 300, i);
	for (int o = 0; o < OPENS; o++) {
		fds[o] = npf_open(0);
		ASSERT_LE(0, fds[o]) TH_LOG("%s", npf_err);
		ASSERT_EQ(0, npf_bind(fds[o], IF_A)) TH_LOG("%s", npf_err);
		ASSERT_EQ(0, npf_set_timeout(fds[o], -1));
	}
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	/* one of them only wants UDP: the others must not care */
	len = compile_filter("udp", 65535, &prog);
	ASSERT_LT(0, len) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_filter(self->fd, prog, len)) TH_LOG("%s", npf_err);
	free(prog);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, N));
	for (int o = 0; o < OPENS; o++) {
		reclist_clear(&self->l);
		ASSERT_EQ(N, collect(fds[o], &self->l, N, 10000, BIG))
			TH_LOG("open %d: %s", o, npf_err);
		for (int i = 0; i < N; i++) {
			EXPECT_TRUE(rec_matches(&self->l.r[i], &f[i]));
		}
		close(fds[o]);
	}
	reclist_clear(&self->l);
	/* mk_mixed kinds 0 (UDP/IPv4) and 3 (UDP/IPv6) are the UDP ones */
	ASSERT_EQ(2, collect(self->fd, &self->l, N, 1000, BIG));
	EXPECT_TRUE(rec_matches(&self->l.r[0], &f[0]));
	EXPECT_TRUE(rec_matches(&self->l.r[1], &f[3]));
}

/*
 * BIOCSRECFMT NPF_RECFMT_PCAP: the same frames, in a pcap file's record
 * layout (16-byte header, no padding), tile each read exactly; the bytes,
 * lengths and timestamps match what a second open captures in the bpf
 * layout. A snap length cuts caplen, not len. Bad values: EINVAL, and the
 * layout in force stays; a change flushes the ring.
 */
TEST_F_TIMEOUT(capture, pcap_record_layout, 120)
{
	struct frame *f = calloc(NSIZES, sizeof(*f));
	uint8_t *buf = malloc(BIG);
	struct sock_filter snap[] = { BPF_STMT(BPF_RET | BPF_K, 100) };
	struct npf_pcap_hdr h;
	struct npf_stats st;
	uint32_t v, off = 0;
	int bfd, n = 0, i;
	ssize_t len;

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, buf);
	bfd = npf_open(0);
	ASSERT_LE(0, bfd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(bfd, IF_A)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(bfd, -1));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	for (i = 0; i < NSIZES; i++)
		ASSERT_EQ(sizes[i], mk_mixed(&f[i], self->env.mac_a,
					     self->env.mac_b, i, sizes[i], i));

	v = 2;
	EXPECT_EQ(-1, ioctl(self->fd, BIOCSRECFMT, &v));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, BIOCSRECFMT, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* one frame buffered in the bpf layout, then the switch drops it */
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 1));
	ASSERT_EQ(0, npf_wait_recv(self->fd, 1, 5000));
	v = NPF_RECFMT_PCAP;
	ASSERT_EQ(0, ioctl(self->fd, BIOCSRECFMT, &v)) TH_LOG("%m");
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(0ULL, st.bs_recv);
	EXPECT_EQ(0, read(self->fd, buf, BIG));
	ASSERT_EQ(1, collect(bfd, &self->l, 1, 5000, BIG));
	reclist_clear(&self->l);

	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, NSIZES));
	ASSERT_EQ(NSIZES, collect(bfd, &self->l, NSIZES, 20000, BIG))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_recv(self->fd, NSIZES, 5000));
	/* a buffer one byte short of the first record: EMSGSIZE, no loss */
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(h) + sizes[0] - 1));
	EXPECT_EQ(EMSGSIZE, errno);
	while (n < NSIZES && (len = read(self->fd, buf, BIG)) > 0) {
		for (off = 0; off < (uint32_t)len; n++) {
			struct rec *r = &self->l.r[n];

			ASSERT_LE(off + sizeof(h), (uint32_t)len);
			memcpy(&h, buf + off, sizeof(h));
			ASSERT_LT(n, NSIZES);
			EXPECT_EQ(f[n].len, h.caplen);
			EXPECT_EQ(f[n].len, h.len);
			/* two opens, two clock reads: microseconds apart */
			EXPECT_GT(1000000U, h.ts_frac);
			EXPECT_GT(1000000LL,
				  llabs((int64_t)h.ts_sec * 1000000 + h.ts_frac -
					(r->h.bh_tstamp.tv_sec * 1000000 +
					 r->h.bh_tstamp.tv_usec)));
			ASSERT_LE(off + sizeof(h) + h.caplen, (uint32_t)len);
			EXPECT_EQ(0, memcmp(buf + off + sizeof(h), f[n].b,
					    f[n].len))
				TH_LOG("record %d differs from %s", n, f[n].desc);
			off += sizeof(h) + h.caplen;
		}
		EXPECT_EQ((uint32_t)len, off);
	}
	EXPECT_EQ(NSIZES, n);

	/* a snap length cuts caplen only */
	ASSERT_EQ(0, npf_set_filter(self->fd, snap, 1)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, &f[NSIZES - 1], 1));
	ASSERT_EQ(0, npf_wait_recv(self->fd, 1, 5000));
	len = read(self->fd, buf, BIG);
	ASSERT_EQ((ssize_t)(sizeof(h) + 100), len);
	memcpy(&h, buf, sizeof(h));
	EXPECT_EQ(100U, h.caplen);
	EXPECT_EQ(1514U, h.len);
	EXPECT_EQ(0, memcmp(buf + sizeof(h), f[NSIZES - 1].b, 100));

	/* and back: bpf records again */
	v = NPF_RECFMT_BPF;
	ASSERT_EQ(0, ioctl(self->fd, BIOCSRECFMT, &v));
	reclist_clear(&self->l);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, &f[NSIZES - 1], 1));
	ASSERT_EQ(1, collect(self->fd, &self->l, 1, 5000, BIG))
		TH_LOG("%s", npf_err);
	EXPECT_EQ(100U, self->l.r[0].h.bh_caplen);
	EXPECT_EQ(1514U, self->l.r[0].h.bh_datalen);
	close(bfd);
	free(buf);
	free(f);
}

/* BIOCMMAPNEXT on @fd until @want records are in @l (timeout -1 set). */
static int mmap_collect(int fd, const uint8_t *ring, struct reclist *l,
			int want, int timeout_ms, int *batches)
{
	struct npf_mmap_batch b = { 0 };
	int64_t end = now_ms() + timeout_ms;

	while (l->n < want && now_ms() < end) {
		if (ioctl(fd, BIOCMMAPNEXT, &b) < 0)
			return -1;
		if (b.len) {
			if (parse_records(ring + b.offset, b.len, l, false) < 0)
				return -1;
			(*batches)++;
		} else {
			sleep_ms(10);
		}
		b.release = b.len;
	}
	/* give the last batch back */
	b.release = b.len;
	if (ioctl(fd, BIOCMMAPNEXT, &b) < 0 && errno != EAGAIN)
		return -1;
	return l->n;
}

/*
 * Zero-copy reads: the ring mapped read-only, batches lent by
 * BIOCMMAPNEXT. The frames come back byte for byte, in order, across the
 * ring's wrap-around; the mapping's rules (read-only, offset 0, no larger
 * than the ring) and the ring's (no resize while mapped, no read() while a
 * batch is lent) hold.
 */
TEST_F_TIMEOUT(capture, mmap_zero_copy_reads, 120)
{
	enum { ROUNDS = 6 };
	const uint32_t ring_size = 16384;
	size_t maplen = (ring_size + 4095) & ~4095UL;
	struct frame *f = calloc(NSIZES, sizeof(*f));
	struct npf_mmap_batch b = { 0 };
	int batches = 0, got = 0;
	uint8_t *ring, buf[64];
	struct npf_stats st;

	ASSERT_NE(NULL, f);
	for (int i = 0; i < NSIZES; i++)
		ASSERT_EQ(sizes[i], mk_mixed(&f[i], self->env.mac_a,
					     self->env.mac_b, i, sizes[i], i));
	ASSERT_EQ(0, npf_set_bufsize(self->fd, ring_size));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 0));

	EXPECT_EQ(MAP_FAILED, mmap(NULL, maplen, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED,
				   self->fd, 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, maplen + 4096, PROT_READ, MAP_SHARED,
				   self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	ring = mmap(NULL, maplen, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, ring) TH_LOG("mmap: %m");
	EXPECT_EQ(-1, mprotect(ring, maplen, PROT_READ | PROT_WRITE));
	EXPECT_EQ(-1, npf_set_bufsize(self->fd, 32768));
	EXPECT_EQ(EBUSY, errno);

	/* a bad release changes nothing */
	b.release = 8;
	EXPECT_EQ(-1, ioctl(self->fd, BIOCMMAPNEXT, &b));
	EXPECT_EQ(EINVAL, errno);

	/*
	 * Rounds of every size (about 21 KB each) through a 16 KB ring,
	 * a few frames at a time so that nothing is dropped: the tail
	 * goes round the ring several times.
	 */
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < NSIZES; i += 4) {
			int n = NSIZES - i < 4 ? NSIZES - i : 4;

			ASSERT_EQ(0, tx_send_all(self->env.tx_b, &f[i], n));
			got += n;
			ASSERT_EQ(got, mmap_collect(self->fd, ring, &self->l,
						    got, 10000, &batches))
				TH_LOG("round %d frame %d: %s", r, i, npf_err);
		}
	}
	for (int i = 0; i < got; i++) {
		EXPECT_TRUE(rec_matches(&self->l.r[i], &f[i % NSIZES]))
			TH_LOG("record %d differs from %s", i,
			       f[i % NSIZES].desc);
	}
	/* at least one batch per group of frames sent */
	EXPECT_LE(ROUNDS * ((NSIZES + 3) / 4), batches);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)got, st.bs_capt);
	EXPECT_EQ(0ULL, st.bs_drop);

	/* a lent batch blocks read(); given back, read() works again */
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 1));
	ASSERT_EQ(0, npf_wait_recv(self->fd, (uint64_t)got + 1, 5000));
	memset(&b, 0, sizeof(b));
	ASSERT_EQ(0, ioctl(self->fd, BIOCMMAPNEXT, &b)) TH_LOG("%m");
	EXPECT_EQ(RECLEN(f[0].len), b.len);
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EBUSY, errno);
	b.release = b.len;
	/* given back; then nothing, at once (read timeout -1) */
	EXPECT_EQ(0, ioctl(self->fd, BIOCMMAPNEXT, &b)) TH_LOG("%m");
	EXPECT_EQ(0U, b.len);
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));

	ASSERT_EQ(0, munmap(ring, maplen));
	EXPECT_EQ(0, npf_set_bufsize(self->fd, 32768));
	free(f);
}

/*
 * A device without a link-layer header (an ipip tunnel, ARPHRD_TUNNEL):
 * BIOCGDLT says LINKTYPE_RAW and the capture starts at the IPv4 header.
 */
TEST_F_TIMEOUT(capture, raw_linktype_without_l2_header, 60)
{
	static const char payload[] = "npf raw linktype probe";
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	uint32_t dlt = 0;
	int fd, s, rc;
	struct rec *r;

	rc = system("ip link add npfip0 type ipip local 10.0.0.1 remote 10.0.0.2 2>/dev/null");
	if (rc != 0)
		SKIP(return, "this kernel cannot create an ipip device");
	ASSERT_EQ(0, system("ip addr add 192.168.77.1/24 dev npfip0 && ip link set npfip0 up"));
	fd = npf_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, npf_bind(fd, "npfip0")) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, ioctl(fd, BIOCGDLT, &dlt)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ((uint32_t)NPF_LINKTYPE_RAW, dlt);
	ASSERT_EQ(0, npf_set_timeout(fd, -1));

	s = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, s);
	inet_pton(AF_INET, "192.168.77.2", &to.sin_addr);
	ASSERT_EQ((ssize_t)sizeof(payload),
		  sendto(s, payload, sizeof(payload), 0,
			 (struct sockaddr *)&to, sizeof(to)))
		TH_LOG("sendto: %s", strerror(errno));
	close(s);
	ASSERT_EQ(1, collect(fd, &self->l, 1, 10000, BIG)) TH_LOG("%s", npf_err);
	r = &self->l.r[0];
	ASSERT_EQ((uint32_t)(20 + 8 + sizeof(payload)), r->h.bh_datalen);
	ASSERT_EQ(r->h.bh_datalen, r->h.bh_caplen);
	EXPECT_EQ(0x45, r->data[0]);
	EXPECT_EQ(17, r->data[9]);
	EXPECT_EQ(0, memcmp(r->data + 12, "\xc0\xa8\x4d\x01\xc0\xa8\x4d\x02", 8));
	EXPECT_EQ(9, r->data[23]);
	EXPECT_EQ(0, memcmp(r->data + 28, payload, sizeof(payload)));
	close(fd);
}

/* ---- real stack traffic --------------------------------------------- */

struct blob {
	uint32_t caplen, len;
	uint8_t *b;
	bool used;
};

struct bloblist {
	int n, cap;
	struct blob *v;
};

static void blob_add(struct bloblist *l, const uint8_t *b, uint32_t caplen,
		     uint32_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].caplen = caplen;
	l->v[l->n].len = len;
	l->v[l->n].b = malloc(caplen ? caplen : 1);
	memcpy(l->v[l->n].b, b, caplen);
	l->v[l->n].used = false;
	l->n++;
}

static void blob_free(struct bloblist *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i].b);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

#define TCP_BYTES	400000

/* The peer side, in a namespace of its own: a TCP sink on 10.1.0.2:5555. */
static int tcp_sink(int ready_w, int moved_r)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(5555) };
	char buf[65536], c = 'r';
	long total = 0;
	int l, s, one = 1;
	ssize_t n;

	if (unshare(CLONE_NEWNET))
		return 10;
	if (!access("/proc/sys/net/ipv6", F_OK) &&
	    (file_write_str("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1") ||
	     file_write_str("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1")))
		return 11;
	if (write(ready_w, &c, 1) != 1 || read(moved_r, &c, 1) != 1)
		return 12;
	if (system("ip addr add 10.1.0.2/24 dev " IF_B " && ip link set " IF_B " up"))
		return 13;
	l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 1))
		return 14;
	c = 'l';
	if (write(ready_w, &c, 1) != 1)
		return 15;
	alarm(60);
	s = accept(l, NULL, NULL);
	alarm(0);
	if (s < 0)
		return 16;
	while ((n = read(s, buf, sizeof(buf))) > 0)
		total += n;
	close(s);
	close(l);
	/* report, then keep the namespace (and with it the veth pair)
	 * alive until the parent is done */
	c = total == TCP_BYTES ? 'o' : 'f';
	if (write(ready_w, &c, 1) != 1)
		return 18;
	while (read(moved_r, &c, 1) > 0)
		;
	return 0;
}

/*
 * What the kernel stack sends and receives over a real TCP connection
 * (GSO super-frames, paged skbs, checksums left to the device) is captured
 * exactly as an AF_PACKET socket on the same device sees it.
 */
TEST_F_TIMEOUT(capture, real_tcp_traffic_matches_af_packet, 180)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(5555) };
	struct bloblist snf = { 0 }, cap = { 0 };
	int ready[2], moved[2], sniff, s = -1, st, big = 0, unmatched = 0;
	uint8_t *buf = malloc(BIG), *data = malloc(TCP_BYTES);
	struct npf_stats nst;
	int64_t end;
	pid_t pid;
	char c;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, data);
	for (int i = 0; i < TCP_BYTES; i++)
		data[i] = (uint8_t)(i * 131 + (i >> 9));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(moved));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(ready[0]);
		close(moved[1]);
		_exit(tcp_sink(ready[1], moved[0]));
	}
	close(ready[1]);
	close(moved[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, link_move_to_pid(IF_B, pid)) TH_LOG("%s", npf_err);

	/* both observers start from the same point, before any traffic */
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 16 << 20)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 0));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	sniff = rx_socket(self->env.ifindex_a, NULL, 0);
	ASSERT_LE(0, sniff) TH_LOG("%s", npf_err);

	ASSERT_EQ(0, system("ip addr add 10.1.0.1/24 dev " IF_A));
	ASSERT_EQ(1, write(moved[1], "m", 1));
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the sink did not start");
	inet_pton(AF_INET, "10.1.0.2", &sa.sin_addr);
	end = now_ms() + 20000;
	while (now_ms() < end) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		ASSERT_LE(0, s);
		if (!connect(s, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		close(s);
		s = -1;
		sleep_ms(100);
	}
	ASSERT_LE(0, s) TH_LOG("cannot connect to the sink");
	for (size_t off = 0; off < TCP_BYTES;) {
		ssize_t n = write(s, data + off, TCP_BYTES - off);

		ASSERT_LT(0, n) TH_LOG("write: %s", strerror(errno));
		off += n;
	}
	shutdown(s, SHUT_WR);
	while (read(s, buf, 4096) > 0)
		;
	close(s);
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the sink died");
	ASSERT_EQ('o', c) TH_LOG("the sink did not get all the bytes");
	sleep_ms(300);		/* the last ACKs */

	/* AF_PACKET's view */
	for (;;) {
		struct pollfd p = { .fd = sniff, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			break;
		n = recv(sniff, buf, 1 << 17, MSG_TRUNC);
		ASSERT_LT(0, n) TH_LOG("AF_PACKET recv: %s (revents %#x)",
				       strerror(errno), p.revents);
		blob_add(&snf, buf, n > (1 << 17) ? 1 << 17 : n, n);
	}
	/* npf's */
	ASSERT_EQ(0, npf_stats(self->fd, &nst));
	EXPECT_EQ(0ULL, nst.bs_drop);
	EXPECT_EQ(nst.bs_recv, nst.bs_capt);
	for (uint64_t got = 0; got < nst.bs_capt;) {
		ssize_t n = read(self->fd, buf, BIG);
		size_t off = 0;

		ASSERT_LT(0, n) TH_LOG("read after %llu of %llu records: %s",
				       (unsigned long long)got,
				       (unsigned long long)nst.bs_capt,
				       strerror(errno));
		while (off < (size_t)n) {
			struct bpf_hdr h;

			memcpy(&h, buf + off, sizeof(h));
			ASSERT_EQ(HDRLEN, h.bh_hdrlen);
			ASSERT_GE((size_t)n, off + HDRLEN + h.bh_caplen);
			blob_add(&cap, buf + off + HDRLEN, h.bh_caplen,
				 h.bh_datalen);
			off += NPF_WORDALIGN(HDRLEN + h.bh_caplen);
			got++;
		}
		ASSERT_EQ((size_t)n, off);
	}

	for (int i = 0; i < cap.n; i++) {
		struct blob *b = &cap.v[i];
		bool hit = false;

		big += b->len > 1514;
		for (int k = 0; k < snf.n && !hit; k++) {
			struct blob *o = &snf.v[k];

			if (!o->used && o->len == b->len &&
			    o->caplen == b->caplen &&
			    !memcmp(o->b, b->b, b->caplen))
				hit = o->used = true;
		}
		if (!hit && unmatched++ < 5)
			TH_LOG("npf record %d (caplen %u len %u) not seen by AF_PACKET",
			       i, b->caplen, b->len);
	}
	TH_LOG("%d frames via npf, %d via AF_PACKET, %d longer than 1514",
	       cap.n, snf.n, big);
	EXPECT_EQ(0, unmatched);
	EXPECT_EQ(snf.n, cap.n);
	EXPECT_LT(50, cap.n);
	for (int i = 0; i < cap.n; i++) {
		EXPECT_EQ(cap.v[i].len, cap.v[i].caplen);
	}
	close(sniff);
	close(moved[1]);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("sink status %#x", st);
	blob_free(&snf);
	blob_free(&cap);
	free(buf);
	free(data);
}

/* And the veth reports Ethernet. */
TEST_F(capture, dlt_ethernet)
{
	uint32_t dlt = 0;

	ASSERT_EQ(0, ioctl(self->fd, BIOCGDLT, &dlt))
		TH_LOG("BIOCGDLT: %s", strerror(errno));
	EXPECT_EQ((uint32_t)NPF_LINKTYPE_ETHERNET, dlt);
}

TEST_HARNESS_MAIN
