// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: with no traffic in flight bs_recv = bs_capt + bs_drop +
 * bs_filtered + bs_nomem exactly; a full ring drops and counts the drops
 * without overwriting what it holds; BIOCGSTATS agrees with BIOCGSTATSEX;
 * BIOCSETBUFFERSIZE flushes and zeroes, and refuses absurd sizes without
 * touching the ring it has.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "npf_util.h"
#include "harness.h"

#define BIG		(1 << 20)
#define MAXBUF_PARAM	"/sys/module/npf/parameters/max_buffer_size"

FIXTURE(stats) {
	struct npf_env env;
	int fd;
	struct reclist l;
};

FIXTURE_SETUP(stats)
{
	reclist_init(&self->l);
	self->fd = -1;
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
}

FIXTURE_TEARDOWN(stats)
{
	if (self->fd >= 0)
		close(self->fd);
	reclist_free(&self->l);
	env_teardown(&self->env);
}

#define EXPECT_STATS(st, recv, capt, drop, filtered)			\
	do {								\
		EXPECT_EQ((uint64_t)(recv), (st).bs_recv);		\
		EXPECT_EQ((uint64_t)(capt), (st).bs_capt);		\
		EXPECT_EQ((uint64_t)(drop), (st).bs_drop);		\
		EXPECT_EQ((uint64_t)(filtered), (st).bs_filtered);	\
		EXPECT_EQ(0ULL, (st).bs_nomem);				\
		EXPECT_EQ(0ULL, (st).ps_ifdrop);			\
	} while (0)

static void mk_n(struct frame *f, int n, const struct npf_env *e,
		 uint32_t len, int seq0)
{
	for (int i = 0; i < n; i++)
		mk_udp4(&f[i], e->mac_a, e->mac_b, "10.0.0.2", "10.0.0.1",
			3000, 3001, len, seq0 + i);
}

/*
 * A 4096-byte ring and 1000-byte frames (1032-byte records): three fit,
 * the rest are dropped, nothing already buffered is overwritten, and the
 * counters add up exactly. Reading frees the space again.
 */
TEST_F_TIMEOUT(stats, small_ring_exact_counts, 120)
{
	enum { K = 20 };
	struct frame f[K + 2];
	struct npf_stats st;
	struct bpf_stat st32;

	mk_n(f, K + 2, &self->env, 1000, 0);
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 4096)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, K)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(self->fd, K, 20000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)K, st.bs_recv);
	EXPECT_EQ((uint64_t)K, st.bs_capt + st.bs_drop + st.bs_filtered +
				   st.bs_nomem);
	EXPECT_LT(0ULL, st.bs_drop);
	EXPECT_EQ(3ULL, st.bs_capt)
		TH_LOG("a 4096-byte ring holds three 1032-byte records");
	EXPECT_STATS(st, K, 3, K - 3, 0);

	ASSERT_EQ(0, npf_stats32(self->fd, &st32));
	EXPECT_EQ((uint32_t)st.bs_recv, st32.bs_recv);
	EXPECT_EQ((uint32_t)st.bs_capt, st32.bs_capt);
	EXPECT_EQ((uint32_t)(st.bs_drop + st.bs_nomem), st32.bs_drop);
	EXPECT_EQ((uint32_t)st.ps_ifdrop, st32.ps_ifdrop);

	/* the first three are the ones kept */
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(3, collect(self->fd, &self->l, 3, 5000, BIG))
		TH_LOG("%s", npf_err);
	for (int i = 0; i < 3; i++) {
		EXPECT_TRUE(rec_matches(&self->l.r[i], &f[i]))
			TH_LOG("record %d is not frame %d", i, i);
	}
	EXPECT_EQ(0, collect(self->fd, &self->l, 1, 200, BIG));

	/* space again */
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f + K, 2));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, K + 2, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, K + 2, 5, K - 3, 0);
	ASSERT_EQ(2, collect(self->fd, &self->l, 2, 5000, BIG));
	EXPECT_TRUE(rec_matches(&self->l.r[3], &f[K]));
	EXPECT_TRUE(rec_matches(&self->l.r[4], &f[K + 1]));
}

/* The default ring is 1,000,000 bytes: 644 records of 1514-byte frames. */
TEST_F_TIMEOUT(stats, default_ring_is_1000000_bytes, 300)
{
	enum { K = 700 };
	struct frame *f = calloc(K, sizeof(*f));
	struct npf_stats st;
	uint64_t fit = 1000000 / RECLEN(1514);

	ASSERT_NE(NULL, f);
	mk_n(f, K, &self->env, 1514, 0);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, K)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(self->fd, K, 60000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, K, fit, K - fit, 0);
	free(f);
}

/* Frames the filter rejects are counted in bs_filtered, apart from drops. */
TEST_F_TIMEOUT(stats, filtered_and_dropped_counted_apart, 120)
{
	struct frame f[16];
	struct sock_filter *prog;
	struct npf_stats st;
	struct bpf_stat st32;
	int len, n = 0;

	len = compile_filter("udp", 65535, &prog);
	ASSERT_LT(0, len) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_filter(self->fd, prog, len)) TH_LOG("%s", npf_err);
	free(prog);

	/* 6 UDP, 4 TCP, 3 ARP, with room for everything */
	for (int i = 0; i < 6; i++)
		mk_udp4(&f[n++], self->env.mac_a, self->env.mac_b, "10.0.0.2",
			"10.0.0.1", 1, 2, 100 + i, i);
	for (int i = 0; i < 4; i++)
		mk_tcp4(&f[n++], self->env.mac_a, self->env.mac_b, "10.0.0.2",
			"10.0.0.1", 1, 2, TH_ACK, 100 + i, i);
	for (int i = 0; i < 3; i++)
		mk_arp(&f[n++], mac_bcast, self->env.mac_b, 1, "10.0.0.2",
		       "10.0.0.1", 60 + i);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, n));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, n, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, 13, 6, 0, 7);

	/* now a full ring: 10 UDP of 1000 bytes, 5 TCP */
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 4096));
	n = 0;
	for (int i = 0; i < 10; i++)
		mk_udp4(&f[n++], self->env.mac_a, self->env.mac_b, "10.0.0.2",
			"10.0.0.1", 1, 2, 1000, i);
	for (int i = 0; i < 5; i++)
		mk_tcp4(&f[n++], self->env.mac_a, self->env.mac_b, "10.0.0.2",
			"10.0.0.1", 1, 2, TH_ACK, 1000, i);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, n));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, n, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, 15, 3, 7, 5);
	ASSERT_EQ(0, npf_stats32(self->fd, &st32));
	EXPECT_EQ(15U, st32.bs_recv);
	EXPECT_EQ(3U, st32.bs_capt);
	EXPECT_EQ(7U, st32.bs_drop);
	EXPECT_EQ(0U, st32.ps_ifdrop);
}

/* Frames this host sends on the adapter count as seen too. */
TEST_F_TIMEOUT(stats, outgoing_frames_counted, 60)
{
	struct frame f[6];
	struct npf_stats st;

	for (int i = 0; i < 6; i++)
		mk_udp4(&f[i], i & 1 ? self->env.mac_b : self->env.mac_a,
			i & 1 ? self->env.mac_a : self->env.mac_b, "10.0.0.2",
			"10.0.0.1", 1, 2, 100, i);
	for (int i = 0; i < 6; i++) {
		ASSERT_EQ(0, tx_send(i & 1 ? self->env.tx_a : self->env.tx_b,
				     &f[i]));
	}
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 6, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, 6, 6, 0, 0);
}

/* BIOCSETBUFFERSIZE flushes the ring and zeroes the counters. */
TEST_F_TIMEOUT(stats, setbuffersize_flushes_and_zeroes, 60)
{
	struct frame f[5];
	struct npf_stats st;
	uint8_t buf[8192];

	mk_n(f, 5, &self->env, 500, 0);
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 4096));
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 5));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 5, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	/* 4096 bytes hold 7 records of 536 bytes: all five fit */
	EXPECT_STATS(st, 5, 5, 0, 0);

	ASSERT_EQ(0, npf_set_bufsize(self->fd, 65536)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, 0, 0, 0, 0);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)))
		TH_LOG("records survived BIOCSETBUFFERSIZE");

	/* the new ring works: all five fit now */
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 5));
	ASSERT_EQ(5, collect(self->fd, &self->l, 5, 10000, BIG))
		TH_LOG("%s", npf_err);
	for (int i = 0; i < 5; i++) {
		EXPECT_TRUE(rec_matches(&self->l.r[i], &f[i]));
	}
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, 5, 5, 0, 0);

	/* the same size again still flushes */
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 2));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 7, 10000));
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 65536));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, 0, 0, 0, 0);
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
}

/*
 * Sizes below 4096, above max_buffer_size, 0 and 0xffffffff are refused
 * with EINVAL; the ring in place keeps its records, its counters and its
 * size. The bounds themselves are accepted.
 */
TEST_F_TIMEOUT(stats, absurd_sizes_refused_old_ring_kept, 120)
{
	struct frame f[12];
	struct npf_stats st;
	long long max = file_read_ll(MAXBUF_PARAM);
	uint32_t bad[] = { 0, 1, 4095, 0xffffffff, 0, 0x80000000 };
	int nbad = 4;

	ASSERT_LT(0, max) TH_LOG("%s", npf_err);
	ASSERT_GE(max, 1000000) TH_LOG("max_buffer_size %lld below the default ring",
				       max);
	if (max < 0xffffffffLL) {
		bad[nbad++] = (uint32_t)max + 1;
		if (max < 0x80000000LL)
			bad[nbad++] = 0x80000000;
	}

	mk_n(f, 12, &self->env, 1000, 0);
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 8192)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 2));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 2, 10000))
		TH_LOG("%s", npf_err);

	for (int i = 0; i < nbad; i++) {
		errno = 0;
		EXPECT_EQ(-1, npf_set_bufsize(self->fd, bad[i]))
			TH_LOG("size %u accepted", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("size %u: %s", bad[i],
						strerror(errno));
	}
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, 2, 2, 0, 0);

	/* still 8192 bytes: 7 records of 1032 */
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f + 2, 10));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 12, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, 12, 7, 5, 0);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(7, collect(self->fd, &self->l, 7, 5000, BIG))
		TH_LOG("%s", npf_err);
	for (int i = 0; i < 7; i++) {
		EXPECT_TRUE(rec_matches(&self->l.r[i], &f[i]));
	}

	/* the bounds are legal sizes */
	EXPECT_EQ(0, npf_set_bufsize(self->fd, 4096)) TH_LOG("%s", npf_err);
	if (max <= 64LL << 20) {
		EXPECT_EQ(0, npf_set_bufsize(self->fd, (uint32_t)max))
			TH_LOG("max_buffer_size %lld: %s", max, npf_err);
	} else {
		TH_LOG("max_buffer_size %lld: not allocating that much", max);
	}
	/* and a bad pointer is EFAULT, not a resize */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, BIOCSETBUFFERSIZE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

/* Rebinding (BIOCSETIF) zeroes the counters. */
TEST_F_TIMEOUT(stats, setif_zeroes_counters, 60)
{
	struct frame f[3];
	struct npf_stats st;

	mk_n(f, 3, &self->env, 100, 0);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 3));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 3, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_B)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, 0, 0, 0, 0);
	/* and the open now counts IF_B: frames from B are outgoing there */
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 3));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 3, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, 3, 3, 0, 0);
}

/* Counters are per open and an unread ring does not disturb another. */
TEST_F_TIMEOUT(stats, counters_per_open, 60)
{
	struct frame f[8];
	struct npf_stats st;
	int fd2 = npf_open(0);

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, npf_bind(fd2, IF_A));
	ASSERT_EQ(0, npf_set_bufsize(fd2, 4096));
	mk_n(f, 8, &self->env, 1000, 0);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 8));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 8, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(fd2, 8, 10000)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_STATS(st, 8, 8, 0, 0);
	ASSERT_EQ(0, npf_stats(fd2, &st));
	EXPECT_STATS(st, 8, 3, 5, 0);
	close(fd2);
}

TEST_HARNESS_MAIN
