// SPDX-License-Identifier: GPL-2.0
/*
 * Reconfigure, then block (issue 12, bug 3: a lost wakeup).
 *
 * The tap wakes the reader once per read: it sets a "woken" bit when the
 * open becomes ready and wakes no one while the bit is set; read() and
 * BIOCMMAPNEXT clear it. A reconfiguration that flushes the ring must
 * clear it too, or the next blocking read sleeps through frames that make
 * the open ready (uapi/linux/npf.h "Delayed write": a blocking read waits
 * until the open is ready or the timeout expires; poll() reports EPOLLIN
 * exactly when it is ready).
 *
 * For every reconfiguring ioctl (BIOCSETF, BIOCSETBUFFERSIZE, BIOCSMODE
 * CAPT->STAT->CAPT, BIOCSRECFMT to the other and to the same layout,
 * BIOCSTIMESTAMPMODE, BIOCSETIF to the same and to another adapter), for
 * every way to wait (read(), BIOCMMAPNEXT on the mapped ring, poll()) and
 * read timeouts 0 and 1000 ms: MinToCopy 1, one frame makes the tap fire
 * and is not read, the reconfiguration flushes it, the caller blocks, and
 * only once it is seen asleep in the call (/proc/self/task/TID) does a
 * sender start putting a frame on the wire every 5 ms. The first of them
 * meets the rule: the call must return within 100 ms of it, with that
 * frame first. A watchdog (SIGALRM without SA_RESTART; poll's own
 * timeout) ends a wait that does not return: after 1300 ms, which the
 * 1000 ms read timeout would also end, too late.
 *
 * Timing is judged on CLOCK_MONOTONIC. A try whose sender was itself held
 * up (the guest stalled) while the call was due is tried again, up to
 * three times; a call that returns late while the sender kept its pace is
 * a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "npf_util.h"
#include "harness.h"

#define BIG		(1 << 20)
#define RING		1000000		/* the default ring */
#define RING2		500000		/* BIOCSETBUFFERSIZE's new size */
#define RULE_MS		100	/* return within this of the rule being met */
#define WATCHDOG_MS	1300	/* a wait still blocked now never returns */
#define PACE_MS		5	/* the sender's gap between frames */
#define NTRIES		3
#define NFRAMES		512	/* frame 0 fires the tap, 1.. are the traffic */
#define FLEN		100

enum reconf {
	R_SETF, R_BUFSIZE, R_MODE, R_RECFMT_PCAP, R_RECFMT_SAME, R_TSTAMP,
	R_SETIF_SAME, R_SETIF_OTHER,
};

static const char *const reconf_name[] = {
	[R_SETF]	= "BIOCSETF (accept all)",
	[R_BUFSIZE]	= "BIOCSETBUFFERSIZE",
	[R_MODE]	= "BIOCSMODE CAPT->STAT->CAPT",
	[R_RECFMT_PCAP]	= "BIOCSRECFMT PCAP",
	[R_RECFMT_SAME]	= "BIOCSRECFMT BPF (unchanged)",
	[R_TSTAMP]	= "BIOCSTIMESTAMPMODE NANO",
	[R_SETIF_SAME]	= "BIOCSETIF to the same adapter",
	[R_SETIF_OTHER]	= "BIOCSETIF to another adapter",
};

enum waitk { W_READ, W_MMAP, W_POLL };

static const char *const wait_name[] = {
	[W_READ] = "read()", [W_MMAP] = "BIOCMMAPNEXT", [W_POLL] = "poll()",
};

enum { T_OK, T_RETRY, T_FAIL };

FIXTURE(rw) {
	struct npf_env env;
	struct frame *f;	/* f[i] carries sequence number i */
	uint8_t *buf;
};

FIXTURE_VARIANT(rw) {
	enum reconf r;
};

FIXTURE_VARIANT_ADD(rw, setf) { .r = R_SETF };
FIXTURE_VARIANT_ADD(rw, setbuffersize) { .r = R_BUFSIZE };
FIXTURE_VARIANT_ADD(rw, smode_stat_capt) { .r = R_MODE };
FIXTURE_VARIANT_ADD(rw, srecfmt_pcap) { .r = R_RECFMT_PCAP };
FIXTURE_VARIANT_ADD(rw, srecfmt_same) { .r = R_RECFMT_SAME };
FIXTURE_VARIANT_ADD(rw, stimestampmode) { .r = R_TSTAMP };
FIXTURE_VARIANT_ADD(rw, setif_same) { .r = R_SETIF_SAME };
FIXTURE_VARIANT_ADD(rw, setif_other) { .r = R_SETIF_OTHER };

FIXTURE_SETUP(rw)
{
	self->buf = malloc(BIG);
	ASSERT_NE(NULL, self->buf);
	self->f = calloc(NFRAMES, sizeof(*self->f));
	ASSERT_NE(NULL, self->f);
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	/* from IF_B to IF_A: received on IF_A, sent on IF_B */
	for (int i = 0; i < NFRAMES; i++)
		mk_udp4(&self->f[i], self->env.mac_a, self->env.mac_b,
			"10.0.0.2", "10.0.0.1", 1000, 2000, FLEN, i);
}

FIXTURE_TEARDOWN(rw)
{
	free(self->f);
	free(self->buf);
	env_teardown(&self->env);
}

/* ---- the sender ------------------------------------------------------- */

struct sender {
	pthread_t th;
	int tx;
	const struct frame *f;
	pid_t waiter;		/* the thread that blocks */
	long nr, nr2;		/* ... in this system call */
	int stop;		/* atomic */
	bool saw_asleep;
	int sent;		/* frames 1..sent went out */
	int64_t t_first;	/* us, just before frame 1 was sent */
	int64_t t_sent[NFRAMES]; /* us, when send() of frame i returned */
	char err[128];
};

static void *sender_fn(void *arg)
{
	struct sender *s = arg;
	int64_t end = now_ms() + 5000;

	/* the blocked call must be in the kernel before any frame comes */
	while (!task_asleep_in(s->waiter, s->nr, s->nr2)) {
		if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
			return NULL;
		if (now_ms() > end) {
			snprintf(s->err, sizeof(s->err),
				 "never saw the caller asleep in its call");
			return NULL;
		}
		usleep(500);
	}
	s->saw_asleep = true;
	for (int i = 1; i < NFRAMES; i++) {
		if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
			break;
		if (i == 1)
			s->t_first = now_us();
		if (send(s->tx, s->f[i].b, s->f[i].len, 0) !=
		    (ssize_t)s->f[i].len) {
			snprintf(s->err, sizeof(s->err), "send %d: %s", i,
				 strerror(errno));
			break;
		}
		s->t_sent[i] = now_us();
		__atomic_store_n(&s->sent, i, __ATOMIC_RELEASE);
		sleep_ms(PACE_MS);
	}
	return NULL;
}

/*
 * How long the guest was stalled while the call should have returned: the
 * sender's lateness (its first send's own time, and every gap beyond its
 * pace by more than a few ms) from frame 1 until RULE_MS plus the stalls
 * found so far. A call back by RULE_MS plus that may have been held up by
 * the stall, not by the kernel: such a try is repeated. A stall elsewhere
 * (while a broken kernel keeps a caller asleep for a second) excuses
 * nothing.
 */
static int64_t sender_stall_us(const struct sender *s)
{
	int64_t excuse = 0, prev = s->t_first;

	for (int i = 1; i <= s->sent; i++) {
		int64_t late = s->t_sent[i] - prev -
			       (i == 1 ? 0 : PACE_MS * 1000);

		if (prev > s->t_first + RULE_MS * 1000 + excuse)
			break;
		if (late > 3000)
			excuse += late;
		prev = s->t_sent[i];
	}
	return excuse;
}

/* ---- records ------------------------------------------------------------ */

/*
 * The records in p[0..len) are frames first, first + 1, ... whole, in the
 * layout the open was set to. Returns how many, or -1 with why.
 */
static int check_records(const struct frame *f, const uint8_t *p, size_t len,
			 bool pcap, bool nano, int first, char *why,
			 size_t whylen)
{
	uint32_t frac_max = nano ? 1000000000u : 1000000u;
	struct reclist l;
	int n = 0;

	if (pcap) {
		size_t off = 0;

		while (off < len) {
			struct npf_pcap_hdr h;
			const struct frame *want = &f[first + n];

			if (len - off < sizeof(h) || first + n >= NFRAMES) {
				snprintf(why, whylen, "pcap walk: %zu stray bytes at %zu",
					 len - off, off);
				return -1;
			}
			memcpy(&h, p + off, sizeof(h));
			if (h.caplen != want->len || h.len != want->len ||
			    h.ts_frac >= frac_max ||
			    off + sizeof(h) + h.caplen > len ||
			    memcmp(p + off + sizeof(h), want->b, want->len)) {
				snprintf(why, whylen,
					 "pcap record %d (caplen %u len %u frac %u) is not frame %d",
					 n, h.caplen, h.len, h.ts_frac,
					 first + n);
				return -1;
			}
			off += sizeof(h) + h.caplen;
			n++;
		}
		return n;
	}
	reclist_init(&l);
	n = parse_records(p, len, &l, nano);
	if (n < 0) {
		snprintf(why, whylen, "%s", npf_err);
		reclist_free(&l);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (first + i >= NFRAMES || !rec_matches(&l.r[i], &f[first + i])) {
			snprintf(why, whylen, "record %d of %d is not frame %d",
				 i, n, first + i);
			n = -1;
			break;
		}
	}
	reclist_free(&l);
	return n;
}

/* ---- one try ------------------------------------------------------------ */

static int reconfigure(int fd, enum reconf r)
{
	struct sock_filter all[] = { { BPF_RET | BPF_K, 0, 0, 262144 } };
	uint32_t v;

	switch (r) {
	case R_SETF:
		return npf_set_filter(fd, all, 1);
	case R_BUFSIZE:
		return npf_set_bufsize(fd, RING2);
	case R_MODE:
		v = NPF_MODE_STAT;
		if (ioctl(fd, BIOCSMODE, &v))
			return -1;
		v = NPF_MODE_CAPT;
		return ioctl(fd, BIOCSMODE, &v);
	case R_RECFMT_PCAP:
		v = NPF_RECFMT_PCAP;
		return ioctl(fd, BIOCSRECFMT, &v);
	case R_RECFMT_SAME:
		v = NPF_RECFMT_BPF;
		return ioctl(fd, BIOCSRECFMT, &v);
	case R_TSTAMP:
		v = NPF_TSTAMP_NANO;
		return ioctl(fd, BIOCSTIMESTAMPMODE, &v);
	case R_SETIF_SAME:
		return npf_bind(fd, IF_A);
	case R_SETIF_OTHER:
		return npf_bind(fd, IF_B);
	}
	return -1;
}

struct try {
	enum reconf r;
	enum waitk w;
	int32_t timeout;
	int64_t latency_ms;	/* from frame 1 to the return */
	char why[384];
};

static int try_fail(struct try *t, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int try_fail(struct try *t, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	return status;
}

/* Not inlined into the test, whose frame setjmp() saves. */
static __attribute__((noinline)) int try_once(FIXTURE_DATA(rw) *self,
					     struct try *t)
{
	bool pcap = t->r == R_RECFMT_PCAP, nano = t->r == R_TSTAMP;
	struct npf_mmap_batch b = { 0 };
	struct pollfd pfd;
	struct npf_stats st;
	struct sender *s = NULL;
	sigset_t alrm, old;
	size_t map_len = 0;
	void *ring = NULL;
	int64_t t_ret, stall;
	const uint8_t *recs = NULL;
	size_t nrecs = 0;
	ssize_t n = 0;
	int fd, rc = 0, err = 0, status = T_FAIL, c;
	bool bad_records = false;
	char why[512];

	t->latency_ms = -1;
	t->why[0] = 0;
	fd = npf_open(0);
	if (fd < 0)
		return try_fail(t, T_FAIL, "%s", npf_err);
	if (npf_bind(fd, IF_A) || npf_set_mintocopy(fd, 1) ||
	    npf_set_timeout(fd, t->timeout)) {
		status = try_fail(t, T_FAIL, "setup: %s", npf_err);
		goto out;
	}
	/* BIOCSETBUFFERSIZE is EBUSY while mapped: map after it */
	if (t->w == W_MMAP && t->r != R_BUFSIZE) {
		map_len = (RING + 4095) & ~4095ul;
		ring = mmap(NULL, map_len, PROT_READ, MAP_SHARED, fd, 0);
		if (ring == MAP_FAILED) {
			ring = NULL;
			status = try_fail(t, T_FAIL, "mmap: %s",
					  strerror(errno));
			goto out;
		}
	}

	/* the tap fires (MinToCopy 1) for frame 0, which nobody reads */
	if (tx_send(self->env.tx_b, &self->f[0]) ||
	    npf_wait_accounted(fd, 1, 10000)) {
		status = try_fail(t, T_FAIL, "firing the tap: %s", npf_err);
		goto out;
	}
	if (reconfigure(fd, t->r)) {
		status = try_fail(t, T_FAIL, "%s: %s", reconf_name[t->r],
				  strerror(errno));
		goto out;
	}
	if (t->w == W_MMAP && t->r == R_BUFSIZE) {
		map_len = (RING2 + 4095) & ~4095ul;
		ring = mmap(NULL, map_len, PROT_READ, MAP_SHARED, fd, 0);
		if (ring == MAP_FAILED) {
			ring = NULL;
			status = try_fail(t, T_FAIL, "mmap: %s",
					  strerror(errno));
			goto out;
		}
	}
	/* the reconfiguration flushed frame 0 and zeroed the counters */
	if (npf_stats(fd, &st) || st.bs_recv || st.bs_capt) {
		status = try_fail(t, T_FAIL,
				  "after %s: bs_recv %llu bs_capt %llu, want 0 0",
				  reconf_name[t->r],
				  (unsigned long long)st.bs_recv,
				  (unsigned long long)st.bs_capt);
		goto out;
	}

	s = calloc(1, sizeof(*s));
	if (!s) {
		status = try_fail(t, T_FAIL, "out of memory");
		goto out;
	}
	s->tx = self->env.tx_b;
	s->f = self->f;
	s->waiter = (pid_t)syscall(SYS_gettid);
	switch (t->w) {
	case W_READ:
		s->nr = s->nr2 = SYS_read;
		break;
	case W_MMAP:
		s->nr = s->nr2 = SYS_ioctl;
		break;
	case W_POLL:
		s->nr = SYS_poll;
		s->nr2 = SYS_ppoll;
		break;
	}
	/* the watchdog's SIGALRM is for this thread, not the sender */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, &old);
	rc = pthread_create(&s->th, NULL, sender_fn, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		free(s);
		s = NULL;
		status = try_fail(t, T_FAIL, "pthread_create failed");
		goto out;
	}

	switch (t->w) {
	case W_READ:
		alarm_ms(WATCHDOG_MS);
		n = read(fd, self->buf, BIG);
		err = errno;
		alarm_ms(0);
		break;
	case W_MMAP:
		alarm_ms(WATCHDOG_MS);
		rc = ioctl(fd, BIOCMMAPNEXT, &b);
		err = errno;
		alarm_ms(0);
		break;
	case W_POLL:
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		rc = poll(&pfd, 1, WATCHDOG_MS);
		err = errno;
		break;
	}
	t_ret = now_us();
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	pthread_join(s->th, NULL);

	if (!s->saw_asleep || !s->sent) {
		/* it came back with no frame sent after the flush */
		status = try_fail(t, T_FAIL,
				  "returned before any frame came (n %zd rc %d %s; %s)",
				  n, rc, strerror(err),
				  s->err[0] ? s->err : "sender not started");
		goto out;
	}
	if (s->err[0]) {
		status = try_fail(t, T_FAIL, "sender: %s", s->err);
		goto out;
	}
	t->latency_ms = (t_ret - s->t_first) / 1000;
	stall = sender_stall_us(s) / 1000;

	/* what came back */
	switch (t->w) {
	case W_READ:
		if (n < 0)
			status = try_fail(t, T_FAIL, "read: %s%s",
					  strerror(err), err == EINTR ?
					  " (the watchdog: never returned)" : "");
		else if (!n)
			status = try_fail(t, T_FAIL,
					  "read returned 0 (its timeout)");
		else
			status = T_OK;
		recs = self->buf;
		nrecs = n;
		break;
	case W_MMAP:
		if (rc)
			status = try_fail(t, T_FAIL, "BIOCMMAPNEXT: %s%s",
					  strerror(err), err == EINTR ?
					  " (the watchdog: never returned)" : "");
		else if (!b.len)
			status = try_fail(t, T_FAIL,
					  "BIOCMMAPNEXT returned len 0 (its timeout)");
		else if (b.offset + (size_t)b.len > map_len)
			status = try_fail(t, T_FAIL,
					  "batch %u+%u beyond the mapping",
					  b.offset, b.len);
		else
			status = T_OK;
		recs = (const uint8_t *)ring + b.offset;
		nrecs = b.len;
		break;
	case W_POLL:
		if (rc < 0) {
			status = try_fail(t, T_FAIL, "poll: %s",
					  strerror(err));
		} else if (!rc) {
			status = try_fail(t, T_FAIL,
					  "poll timed out (the watchdog: never returned)");
		} else if (pfd.revents != POLLIN) {
			status = try_fail(t, T_FAIL, "poll revents %#x",
					  pfd.revents);
		} else {
			/* ready: a read takes it without waiting */
			fcntl(fd, F_SETFL, O_NONBLOCK);
			n = read(fd, self->buf, BIG);
			if (n <= 0)
				status = try_fail(t, T_FAIL,
						  "POLLIN, then read: %zd %s",
						  n, strerror(errno));
			else
				status = T_OK;
			recs = self->buf;
			nrecs = n;
		}
		break;
	}
	if (status == T_OK) {
		c = check_records(self->f, recs, nrecs, pcap, nano, 1, why,
				  sizeof(why));
		if (c <= 0) {
			/* wrong records: no stall excuses that */
			status = try_fail(t, T_FAIL, "records: %s", why);
			bad_records = true;
		}
	}
	if (t->latency_ms > RULE_MS && !bad_records) {
		/* late is a failure, unless the guest stalled meanwhile */
		if (t->latency_ms <= RULE_MS + stall)
			status = try_fail(t, T_RETRY,
					  "returned %lld ms after frame 1, but the sender was held up %lld ms meanwhile",
					  (long long)t->latency_ms,
					  (long long)stall);
		else if (status == T_OK)
			status = try_fail(t, T_FAIL,
					  "returned %lld ms after frame 1 (%d frames sent; sender held up %lld ms)",
					  (long long)t->latency_ms, s->sent,
					  (long long)stall);
		else
			snprintf(t->why + strlen(t->why),
				 sizeof(t->why) - strlen(t->why),
				 ", %lld ms after frame 1 (%d frames sent)",
				 (long long)t->latency_ms, s->sent);
	}
out:
	free(s);
	if (ring)
		munmap(ring, map_len);
	close(fd);
	return status;
}

TEST_F_TIMEOUT(rw, reconfigure_then_block, 300)
{
	static const enum waitk waits[] = { W_READ, W_MMAP, W_POLL };
	static const int32_t timeouts[] = { 0, 1000 };

	for (size_t wi = 0; wi < 3; wi++) {
		for (size_t ti = 0; ti < 2; ti++) {
			struct try t = {
				.r = variant->r,
				.w = waits[wi],
				.timeout = timeouts[ti],
			};
			int status;

			for (int n = 1;; n++) {
				status = try_once(self, &t);
				if (status != T_RETRY || n == NTRIES)
					break;
				fprintf(stderr, "# %s, %s, timeout %d: try %d: %s; again\n",
					reconf_name[t.r], wait_name[t.w],
					t.timeout, n, t.why);
			}
			fprintf(stderr, "# %s, then %s, timeout %d: %s (%lld ms after frame 1)\n",
				reconf_name[t.r], wait_name[t.w], t.timeout,
				status == T_OK ? "ok" : "FAIL",
				(long long)t.latency_ms);
			EXPECT_EQ(T_OK, status)
				TH_LOG("%s, then %s with read timeout %d: %s",
				       reconf_name[t.r], wait_name[t.w],
				       t.timeout, t.why);
		}
	}
}

TEST_HARNESS_MAIN
