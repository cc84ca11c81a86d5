// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency: reconfiguration, rebinding and adapter removal while frames
 * pour in on other CPUs and a reader reads. These look for races in the
 * kernel: a failure here may leave a CPU stuck (soft lockup), which is why
 * this program runs last.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "npf_util.h"
#include "harness.h"

#define BIG	(1 << 20)

FIXTURE(conc) {
	struct npf_env env;
	int fd;			/* opened, not bound */
	struct reclist l;
	uint8_t *buf;
};

FIXTURE_SETUP(conc)
{
	reclist_init(&self->l);
	self->fd = -1;
	self->buf = malloc(BIG);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
}

FIXTURE_TEARDOWN(conc)
{
	if (self->fd >= 0)
		close(self->fd);
	reclist_free(&self->l);
	free(self->buf);
	env_teardown(&self->env);
}

struct flood {
	pthread_t th;
	int tx;
	const struct frame *f;
	int nf;
	int stop;		/* atomic */
	long sent;
};

static void *flood_fn(void *arg)
{
	struct flood *fl = arg;

	while (!__atomic_load_n(&fl->stop, __ATOMIC_RELAXED)) {
		if (send(fl->tx, fl->f[fl->sent % fl->nf].b,
			 fl->f[fl->sent % fl->nf].len, 0) < 0)
			sleep_ms(1);
		/* bursts, so that the receive softirq and the others run */
		if (++fl->sent % 32 == 0)
			usleep(200);
	}
	return NULL;
}

struct chaos {
	pthread_t th;
	int fd;
	int stop;
	long ops, errors;
	char what[600];
};

/* Undo env_setup()'s pinning: races want every CPU. */
static void unpin(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	for (long c = 0; c < n && c < CPU_SETSIZE; c++)
		CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *chaos_fn(void *arg)
{
	struct chaos *c = arg;
	struct sock_filter udp_snap[] = {
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0x0800 },
		{ BPF_RET | BPF_K, 0, 0, 96 },
		{ BPF_RET | BPF_K, 0, 0, 65535 },
	};
	static const uint32_t sizes[] = { 4096, 65536, 8192, 1000000, 20000 };
	struct npf_stats st;

	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		int r = 0;

		switch (c->ops % 7) {
		case 0:
			r = npf_set_bufsize(c->fd, sizes[(c->ops / 7) % 5]);
			break;
		case 1:
			r = npf_set_filter(c->fd, udp_snap, 4);
			break;
		case 2:
			r = npf_set_filter(c->fd, NULL, 0);
			break;
		case 3:
			r = npf_stats(c->fd, &st);
			break;
		case 4:
			r = npf_set_mintocopy(c->fd, (c->ops / 7) % 3000);
			break;
		case 5:
			r = npf_set_timeout(c->fd, (c->ops / 7) % 2 ? -1 : 5);
			break;
		case 6: {
			struct {
				struct npf_oid_data h;
				uint32_t v;
			} req = { { OID_GEN_CURRENT_PACKET_FILTER, 4 },
				  (c->ops / 7) % 2 ? NDIS_PACKET_TYPE_PROMISCUOUS :
				  NDIS_PACKET_TYPE_DIRECTED };

			r = ioctl(c->fd, BIOCSETOID, &req);
			if (r)
				snprintf(npf_err, sizeof(npf_err),
					 "BIOCSETOID: %s", strerror(errno));
			break;
		}
		}
		/* leave the reader a chance at the lock now and then */
		if (c->ops % 4 == 0)
			usleep(500);
		if (r && c->errors++ == 0)
			snprintf(c->what, sizeof(c->what), "op %ld: %s",
				 c->ops % 7, npf_err);
		/* read by the main thread while this runs */
		__atomic_store_n(&c->ops, c->ops + 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * Reconfiguring (ring size, filter, MinToCopy, timeout, packet filter
 * OID) while frames pour
 * in and another thread reads: every read still returns well-formed
 * records of frames that were sent, and nothing breaks (the runner checks
 * the kernel log afterwards).
 *
 * How long: 4 s, and on until OPS reconfigurations were made (20 s at
 * most), and in any case until each of the seven was made at least three
 * times (60 s at most), which is what it must do. Three of the seven wait
 * for an RCU grace period: a fast machine makes hundreds in 4 s, a debug
 * kernel under TCG on a loaded 2-core host a few dozen a minute.
 */
TEST_F_TIMEOUT(conc, reconfigure_under_traffic, 120)
{
	enum { NF = 8, OPS = 100, MIN_OPS = 3 * 7 };
	struct frame f[NF];
	struct flood fl = { .f = f, .nf = NF };
	struct chaos ch = { 0 };
	int64_t start;
	long reads = 0, recs = 0, bad = 0;

	for (int i = 0; i < NF; i++)
		mk_mixed(&f[i], self->env.mac_a, self->env.mac_b, i,
			 60 + i * 190, i);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 5));
	ch.fd = self->fd;
	fl.tx = self->env.tx_b;
	unpin();
	ASSERT_EQ(0, pthread_create(&fl.th, NULL, flood_fn, &fl));
	ASSERT_EQ(0, pthread_create(&ch.th, NULL, chaos_fn, &ch));
	start = now_ms();
	for (;;) {
		long ops = __atomic_load_n(&ch.ops, __ATOMIC_RELAXED);
		int64_t t = now_ms() - start;
		int base = self->l.n, c;
		ssize_t n;

		if (t >= 4000 && (ops > OPS || t >= 20000) &&
		    (ops >= MIN_OPS || t >= 60000))
			break;
		n = read(self->fd, self->buf, BIG);

		if (n < 0) {
			if (errno != EAGAIN && bad++ == 0)
				TH_LOG("read: %s", strerror(errno));
			continue;
		}
		reads++;
		if (!n)
			continue;
		c = parse_records(self->buf, n, &self->l, false);
		if (c < 0) {
			if (bad++ == 0)
				TH_LOG("read %zd bytes: %s", n, npf_err);
			continue;
		}
		for (int k = base; k < self->l.n; k++) {
			struct rec *r = &self->l.r[k];
			bool ok = false;

			for (int i = 0; i < NF && !ok; i++)
				ok = r->h.bh_datalen == f[i].len &&
				     r->h.bh_caplen <= f[i].len &&
				     !memcmp(r->data, f[i].b, r->h.bh_caplen);
			if (!ok && bad++ == 0)
				TH_LOG("record with caplen %u datalen %u matches no frame",
				       r->h.bh_caplen, r->h.bh_datalen);
		}
		recs += c;
		reclist_clear(&self->l);
	}
	__atomic_store_n(&fl.stop, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&ch.stop, 1, __ATOMIC_RELAXED);
	pthread_join(fl.th, NULL);
	pthread_join(ch.th, NULL);
	TH_LOG("%ld frames sent, %ld reconfigurations, %ld reads, %ld records in %lld ms",
	       fl.sent, ch.ops, reads, recs, (long long)(now_ms() - start));
	{
		struct npf_stats st;

		npf_stats(self->fd, &st);
		TH_LOG("last counters: recv %llu capt %llu drop %llu filtered %llu",
		       (unsigned long long)st.bs_recv,
		       (unsigned long long)st.bs_capt,
		       (unsigned long long)st.bs_drop,
		       (unsigned long long)st.bs_filtered);
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, ch.errors) TH_LOG("%s", ch.what);
	EXPECT_LT(0, recs);
	EXPECT_LE(MIN_OPS, ch.ops);
}

/* The adapter goes away while frames pour in and a reader reads. */
TEST_F_TIMEOUT(conc, removal_under_traffic, 120)
{
	struct frame f[4];
	struct flood fl = { .f = f, .nf = 4 };
	int64_t end;
	int err = 0;

	for (int i = 0; i < 4; i++)
		mk_mixed(&f[i], self->env.mac_a, self->env.mac_b, i,
			 100 + i * 300, i);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 1));
	fl.tx = self->env.tx_b;
	unpin();
	ASSERT_EQ(0, pthread_create(&fl.th, NULL, flood_fn, &fl));
	sleep_ms(300);
	ASSERT_EQ(0, link_del(IF_B)) TH_LOG("%s", npf_err);
	end = now_ms() + 10000;
	while (now_ms() < end) {
		ssize_t n = read(self->fd, self->buf, BIG);

		if (n < 0) {
			err = errno;
			break;
		}
		ASSERT_LT(0, parse_records(self->buf, n, &self->l, false))
			TH_LOG("%s", npf_err);
		reclist_clear(&self->l);
	}
	__atomic_store_n(&fl.stop, 1, __ATOMIC_RELAXED);
	pthread_join(fl.th, NULL);
	EXPECT_EQ(ENODEV, err) TH_LOG("%s", strerror(err));
}

/*
 * Send one frame right after a flood. veth hands a frame to its peer's
 * receive backlog (netdev_max_backlog frames per CPU) and, when that is
 * full, drops it and send() fails with ENOBUFS; a debug kernel under TCG
 * drains the flood's frames through the taps slowly. That drop is the
 * receive side's, not npf's: send again until the backlog has room (10 s
 * at most). Any other error fails at once.
 */
static int send_after_flood(int tx, const struct frame *f, int *refused)
{
	int64_t end = now_ms() + 10000;

	for (*refused = 0;; ++*refused) {
		ssize_t n = send(tx, f->b, f->len, 0);

		if (n == (ssize_t)f->len)
			return 0;
		if (n >= 0 || errno != ENOBUFS || now_ms() >= end) {
			snprintf(npf_err, sizeof(npf_err),
				 "send %u bytes after %d ENOBUFS: %s", f->len,
				 *refused, n < 0 ? strerror(errno) : "short");
			return -1;
		}
		sleep_ms(20);
	}
}

/* Join, but give up after ms: a thread stuck in the kernel never returns. */
static bool join_within(pthread_t th, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return pthread_timedjoin_np(th, NULL, &ts) == 0;
}

/*
 * BIOCSETIF moving an open between two adapters while frames go out of
 * them on another CPU. The tap's packet_type leaves one device's list and
 * joins the other's; a CPU walking the first list at that moment must not
 * follow it into the second (that needs an RCU grace period between the
 * removal and the re-insertion): if it does, it never finds its list head
 * again and spins forever in dev_queue_xmit_nit (soft lockup).
 */
TEST_F_TIMEOUT(conc, rebind_under_traffic, 90)
{
	enum { NF = 2, REBINDS = 2000 };
	struct frame f[NF];
	struct flood fa = { .f = f, .nf = NF }, fb = { .f = f, .nf = NF };
	int64_t t0;
	int errors = 0, rebinds, refused;

	mk_udp4(&f[0], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 100, 0);
	mk_udp4(&f[1], self->env.mac_b, self->env.mac_a, "10.0.0.1",
		"10.0.0.2", 1, 2, 100, 1);
	ASSERT_EQ(0, npf_bind(self->fd, IF_B));
	TH_LOG("if this times out, look for a soft lockup in dev_queue_xmit_nit in the kernel log");
	unpin();
	fa.tx = self->env.tx_a;
	fb.tx = self->env.tx_b;
	ASSERT_EQ(0, pthread_create(&fa.th, NULL, flood_fn, &fa));
	ASSERT_EQ(0, pthread_create(&fb.th, NULL, flood_fn, &fb));
	t0 = now_ms();
	for (rebinds = 0; rebinds < REBINDS && now_ms() - t0 < 20000;
	     rebinds++) {
		if (npf_bind(self->fd, rebinds % 2 ? IF_B : IF_A) &&
		    errors++ == 0)
			TH_LOG("rebind %d: %s", rebinds, npf_err);
	}
	TH_LOG("%d rebinds in %lld ms, %ld + %ld frames sent", rebinds,
	       (long long)(now_ms() - t0), fa.sent, fb.sent);
	__atomic_store_n(&fa.stop, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&fb.stop, 1, __ATOMIC_RELAXED);
	ASSERT_TRUE(join_within(fa.th, 10000))
		TH_LOG("the sender on %s is stuck in the kernel (soft lockup?)",
		       IF_A);
	ASSERT_TRUE(join_within(fb.th, 10000))
		TH_LOG("the sender on %s is stuck in the kernel (soft lockup?)",
		       IF_B);
	EXPECT_EQ(0, errors);
	/* still capturing */
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(0, send_after_flood(self->env.tx_b, &f[0], &refused))
		TH_LOG("%s", npf_err);
	if (refused)
		TH_LOG("the peer's backlog refused %d sends after the flood", refused);
	EXPECT_LE(1, collect(self->fd, &self->l, 1, 5000, BIG))
		TH_LOG("%s", npf_err);
}

TEST_HARNESS_MAIN
