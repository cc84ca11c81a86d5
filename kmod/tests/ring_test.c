// SPDX-License-Identifier: GPL-2.0
/*
 * npf_ring: the per-open ring (kmod/ring.c) and the record layout of
 * uapi/linux/npf.h.
 */

#include "../ring.c"

#include <linux/slab.h>

#include "npf_test.h"

#define HDR	((u32)sizeof(struct bpf_hdr))

/* A ring of @size bytes, freed when the case ends. */
static void ring_free_res(struct kunit_resource *res)
{
	npf_ring_free(res->data);
}

static struct npf_ring *ring_new(struct kunit *test, u32 size)
{
	struct npf_ring *ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ring);
	KUNIT_ASSERT_EQ(test, npf_ring_init(ring, size), 0);
	npf_test_on_exit(test, ring_free_res, ring);
	return ring;
}

/*
 * Reserve a record of @caplen bytes as the tap does and fill it: header,
 * then @caplen bytes of @tag. Returns its offset in the ring, or -1.
 */
static long ring_put(struct npf_ring *ring, u32 caplen, u8 tag)
{
	u32 len = NPF_WORDALIGN(HDR + caplen);
	struct bpf_hdr *h;

	spin_lock_bh(&ring->lock);
	h = npf_ring_reserve(ring, len);
	if (h) {
		memset(h, 0, len);
		h->bh_caplen = caplen;
		h->bh_datalen = caplen;
		h->bh_hdrlen = HDR;
		h->bh_tstamp.tv_sec = tag;
		memset(h + 1, tag, caplen);
	}
	spin_unlock_bh(&ring->lock);
	return h ? (long)((u8 *)h - ring->buf) : -1;
}

/* A sink that copies what it is given, within limits. */
struct sink {
	u8 *buf;		/* everything taken, back to back */
	u32 cap;
	u32 got;
	u32 room;		/* at most this many bytes in all (whole records) */
	int calls;
	int max_calls;		/* 0: unlimited; then returns 0 */
	int fail_call;		/* 1-based call that returns @err; 0: none */
	int err;
	u32 runs[4];		/* the lengths offered */
};

static ssize_t sink_fn(void *ctx, const u8 *recs, u32 len)
{
	struct sink *s = ctx;
	u32 n;

	s->calls++;
	if (s->calls <= ARRAY_SIZE(s->runs))
		s->runs[s->calls - 1] = len;
	if (s->fail_call == s->calls)
		return s->err;
	if (s->max_calls && s->calls > s->max_calls)
		return 0;
	n = npf_ring_span(recs, len, s->room - s->got, false);
	if (s->got + n > s->cap)
		return -ENOSPC;
	memcpy(s->buf + s->got, recs, n);
	s->got += n;
	return n;
}

static struct sink *sink_new(struct kunit *test, u32 cap)
{
	struct sink *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->buf = kunit_kzalloc(test, cap, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->buf);
	s->cap = cap;
	s->room = cap;
	return s;
}

/* The tags of the records in @buf[0..len), in order; returns how many. */
static int tags_of(const u8 *buf, u32 len, u8 *tags, int max)
{
	u32 off = 0;
	int n = 0;

	while (off < len && n < max) {
		const struct bpf_hdr *h = (const void *)(buf + off);

		tags[n++] = h->bh_tstamp.tv_sec;
		off += NPF_WORDALIGN(h->bh_hdrlen + h->bh_caplen);
	}
	return n;
}

static void expect_empty(struct kunit *test, struct npf_ring *ring)
{
	KUNIT_EXPECT_EQ(test, ring->head, 0U);
	KUNIT_EXPECT_EQ(test, ring->tail, 0U);
	KUNIT_EXPECT_EQ(test, ring->wrap, 0U);
	KUNIT_EXPECT_EQ(test, ring->used, 0U);
}

/* Lend the next run (the ring is readable): its length, its offset in *@off. */
static u32 lend(struct kunit *test, struct npf_ring *ring, u32 *off)
{
	u32 len = 0xdeadbeef;

	KUNIT_EXPECT_EQ(test, npf_ring_lend(ring, off, &len), 0);
	return len;
}

/* --- record layout --------------------------------------------------------- */

static void layout_wordalign(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, NPF_ALIGNMENT, 8);
	KUNIT_EXPECT_EQ(test, NPF_WORDALIGN(0U), 0U);
	KUNIT_EXPECT_EQ(test, NPF_WORDALIGN(1U), 8U);
	KUNIT_EXPECT_EQ(test, NPF_WORDALIGN(7U), 8U);
	KUNIT_EXPECT_EQ(test, NPF_WORDALIGN(8U), 8U);
	KUNIT_EXPECT_EQ(test, NPF_WORDALIGN(9U), 16U);
	KUNIT_EXPECT_EQ(test, NPF_WORDALIGN(32U + 60U), 96U);
	KUNIT_EXPECT_EQ(test, NPF_WORDALIGN(32U + 1514U), 1552U);
	KUNIT_EXPECT_EQ(test, NPF_WORDALIGN(32U + 262144U), 262176U);
}

static void layout_structs(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct bpf_timeval), 16UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct bpf_timeval, tv_usec), 8UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct bpf_timeval, tv_pad), 12UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct bpf_hdr), 32UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct bpf_hdr, bh_caplen), 16UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct bpf_hdr, bh_datalen), 20UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct bpf_hdr, bh_hdrlen), 24UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct bpf_hdr, bh_pad0), 26UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct bpf_hdr, bh_pad1), 28UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct bpf_hdr) % NPF_ALIGNMENT, 0UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct bpf_stat), 16UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_stats), 72UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_stats, bs_filtered), 32UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_stats, bs_senterr), 64UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_ifname), 16UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_program), 16UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_program, bf_insns), 8UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct sock_filter), 8UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_oid_data), 8UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_oid_data, data), 8UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_dump_name), 16UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_dump_limits), 16UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_dump_stats), 32UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_dump_stats, error), 16UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_sendq_hdr), 16UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_sendq), 16UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_sendq, consumed), 12UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_version), 8UL);
}

/* --- reserve ----------------------------------------------------------------- */

static void ring_init_is_empty(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 4096);

	KUNIT_EXPECT_EQ(test, ring->size, 4096U);
	KUNIT_EXPECT_NOT_NULL(test, ring->buf);
	expect_empty(test, ring);
	KUNIT_EXPECT_FALSE(test, ring->overflow);
	KUNIT_EXPECT_NULL(test, memchr_inv(ring->buf, 0, ring->size));
	/* a new open is in MODE_CAPT: its reads consume; nothing maps it */
	KUNIT_EXPECT_TRUE(test, ring->readable);
	KUNIT_EXPECT_FALSE(test, ring->pcap);
	KUNIT_EXPECT_EQ(test, ring->mapped, 0);
}

/* 64-byte records (32 of header, 32 of data) fill a 4096-byte ring in 64. */
static void ring_reserve_until_full(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 4096);
	int i;

	for (i = 0; i < 64; i++) {
		KUNIT_ASSERT_EQ(test, ring_put(ring, 32, i), (long)i * 64);
		KUNIT_EXPECT_EQ(test, ring->used, (u32)(i + 1) * 64);
		KUNIT_EXPECT_EQ(test, ring->head, (u32)(i + 1) * 64);
		KUNIT_EXPECT_FALSE(test, ring->overflow);
	}
	KUNIT_EXPECT_EQ(test, ring_put(ring, 32, 64), -1L);
	KUNIT_EXPECT_TRUE(test, ring->overflow);
	/* even the smallest record is refused */
	KUNIT_EXPECT_EQ(test, ring_put(ring, 0, 65), -1L);
	KUNIT_EXPECT_EQ(test, ring->used, 4096U);
	KUNIT_EXPECT_EQ(test, ring->head, 4096U);
	KUNIT_EXPECT_EQ(test, ring->tail, 0U);
	KUNIT_EXPECT_EQ(test, ring->wrap, 0U);
}

static void ring_reserve_exact_fit(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 4096);

	/* one record of exactly the ring's size */
	KUNIT_EXPECT_EQ(test, ring_put(ring, 4096 - HDR, 1), 0L);
	KUNIT_EXPECT_EQ(test, ring->used, 4096U);
	KUNIT_EXPECT_EQ(test, ring_put(ring, 0, 2), -1L);
	KUNIT_EXPECT_TRUE(test, ring->overflow);
}

static void ring_reserve_larger_than_ring(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 4096);

	KUNIT_EXPECT_EQ(test, ring_put(ring, 4096 - HDR + 1, 1), -1L);
	KUNIT_EXPECT_TRUE(test, ring->overflow);
	expect_empty(test, ring);
	/* nothing buffered: a small one still fits */
	KUNIT_EXPECT_EQ(test, ring_put(ring, 8, 2), 0L);
}

/* A full ring refuses; what it holds is intact, in order. */
static void ring_never_overwrites(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 1024);
	struct sink *s = sink_new(test, 1024);
	u8 tags[32];
	int i, n;

	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_GE(test, ring_put(ring, 96, 10 + i), 0L);
	for (i = 0; i < 20; i++)
		KUNIT_EXPECT_EQ(test, ring_put(ring, 96, 100 + i), -1L);
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 1024L);
	n = tags_of(s->buf, s->got, tags, ARRAY_SIZE(tags));
	KUNIT_ASSERT_EQ(test, n, 8);
	for (i = 0; i < 8; i++) {
		const struct bpf_hdr *h = (const void *)(s->buf + i * 128);

		KUNIT_EXPECT_EQ(test, tags[i], 10 + i);
		KUNIT_EXPECT_EQ(test, h->bh_caplen, 96U);
		KUNIT_EXPECT_NULL(test, memchr_inv(h + 1, 10 + i, 96));
	}
}

/* --- drain ---------------------------------------------------------------------- */

static void ring_drain_empty(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 4096);
	struct sink *s = sink_new(test, 4096);

	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 0L);
	KUNIT_EXPECT_EQ(test, s->calls, 0);
}

static void ring_drain_all_resets(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 4096);
	struct sink *s = sink_new(test, 4096);

	KUNIT_ASSERT_EQ(test, ring_put(ring, 10, 1), 0L);	/* 48 */
	KUNIT_ASSERT_EQ(test, ring_put(ring, 100, 2), 48L);	/* 136 */
	KUNIT_ASSERT_EQ(test, ring_put(ring, 0, 3), 184L);	/* 32 */
	KUNIT_EXPECT_EQ(test, ring->used, 216U);
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 216L);
	KUNIT_EXPECT_EQ(test, s->calls, 1);
	KUNIT_EXPECT_EQ(test, s->runs[0], 216U);
	expect_empty(test, ring);
	/* the next record starts at 0 again */
	KUNIT_EXPECT_EQ(test, ring_put(ring, 10, 4), 0L);
}

/* The sink takes whole records only; the rest stays, exactly. */
static void ring_drain_partial(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 4096);
	struct sink *s = sink_new(test, 4096);
	int i;

	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_GE(test, ring_put(ring, 32, i), 0L);	/* 64 each */
	s->room = 64 * 2 + 63;
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 128L);
	KUNIT_EXPECT_EQ(test, ring->tail, 128U);
	KUNIT_EXPECT_EQ(test, ring->head, 320U);
	KUNIT_EXPECT_EQ(test, ring->used, 192U);
	/* stopped after a short take: one call */
	KUNIT_EXPECT_EQ(test, s->calls, 1);

	s->room = 4096;
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 192L);
	KUNIT_EXPECT_EQ(test, s->got, 320U);
	expect_empty(test, ring);
}

/* The wrap: records never straddle the end; the data comes back in order. */
static void ring_wrap_around(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 256);
	struct sink *s = sink_new(test, 1024);
	u8 tags[8];
	int i;

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, ring_put(ring, 32, i), (long)i * 64);
	s->room = 128;
	KUNIT_ASSERT_EQ(test, npf_ring_drain(ring, sink_fn, s), 128L);
	KUNIT_EXPECT_EQ(test, ring->tail, 128U);
	KUNIT_EXPECT_EQ(test, ring->used, 128U);

	/* no room at the end: goes to 0, the end is marked */
	KUNIT_EXPECT_EQ(test, ring_put(ring, 32, 4), 0L);
	KUNIT_EXPECT_EQ(test, ring->wrap, 256U);
	KUNIT_EXPECT_EQ(test, ring->head, 64U);
	KUNIT_EXPECT_EQ(test, ring_put(ring, 32, 5), 64L);
	KUNIT_EXPECT_EQ(test, ring->head, 128U);
	KUNIT_EXPECT_EQ(test, ring->used, 256U);
	KUNIT_EXPECT_FALSE(test, ring->overflow);
	/* head met tail: full */
	KUNIT_EXPECT_EQ(test, ring_put(ring, 0, 6), -1L);
	KUNIT_EXPECT_TRUE(test, ring->overflow);

	/* one drain, two runs: [128, 256) then [0, 128) */
	s->room = 1024;
	s->calls = 0;
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 256L);
	KUNIT_EXPECT_EQ(test, s->calls, 2);
	KUNIT_EXPECT_EQ(test, s->runs[0], 128U);
	KUNIT_EXPECT_EQ(test, s->runs[1], 128U);
	KUNIT_ASSERT_EQ(test, tags_of(s->buf, s->got, tags, 8), 6);
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_EQ(test, tags[i], i);
	expect_empty(test, ring);
	KUNIT_EXPECT_FALSE(test, ring->overflow);
}

/* The unused end before the wrap point is skipped, not read. */
static void ring_wrap_marker_gap(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 256);
	struct sink *s = sink_new(test, 1024);

	/* 96-byte records: two fit, 64 bytes are left at the end */
	KUNIT_ASSERT_EQ(test, ring_put(ring, 64, 1), 0L);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 64, 2), 96L);
	/* tail 0 < 96: no wrap possible, full */
	KUNIT_EXPECT_EQ(test, ring_put(ring, 64, 3), -1L);
	KUNIT_EXPECT_EQ(test, ring->wrap, 0U);
	KUNIT_EXPECT_TRUE(test, ring->overflow);
	/* a record that fits in the 64 bytes at the end still goes there */
	KUNIT_EXPECT_EQ(test, ring_put(ring, 32, 3), 192L);
	KUNIT_EXPECT_EQ(test, ring->head, 256U);

	s->room = 96;
	KUNIT_ASSERT_EQ(test, npf_ring_drain(ring, sink_fn, s), 96L);
	KUNIT_EXPECT_FALSE(test, ring->overflow);	/* a read clears it */
	KUNIT_EXPECT_EQ(test, ring_put(ring, 64, 4), 0L);
	KUNIT_EXPECT_EQ(test, ring->wrap, 256U);
	KUNIT_EXPECT_EQ(test, ring->head, 96U);
	KUNIT_EXPECT_EQ(test, ring->used, 96U + 64U + 96U);

	/* take the run up to the wrap point only: tail goes back to 0 */
	s->room = 96 + 160;
	s->max_calls = 1;
	s->calls = 0;
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 160L);
	KUNIT_EXPECT_EQ(test, s->runs[0], 160U);
	KUNIT_EXPECT_EQ(test, ring->tail, 0U);
	KUNIT_EXPECT_EQ(test, ring->wrap, 0U);
	KUNIT_EXPECT_EQ(test, ring->head, 96U);
	KUNIT_EXPECT_EQ(test, ring->used, 96U);

	s->room = 1024;
	s->max_calls = 0;
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 96L);
	expect_empty(test, ring);
	KUNIT_EXPECT_EQ(test, s->got, 96U + 160U + 96U);
}

/* A sink error with nothing taken is the drain's result; nothing is lost. */
static void ring_drain_sink_error(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 256);
	struct sink *s = sink_new(test, 1024);

	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 1), 0L);
	s->fail_call = 1;
	s->err = -EFAULT;
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), -EFAULT);
	KUNIT_EXPECT_EQ(test, ring->used, 64U);
	KUNIT_EXPECT_EQ(test, ring->tail, 0U);

	/* a sink that takes nothing: 0, overflow not cleared */
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 2), 64L);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 3), 128L);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 4), 192L);
	KUNIT_EXPECT_EQ(test, ring_put(ring, 32, 5), -1L);
	s->fail_call = 0;
	s->room = 63;
	s->calls = 0;
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 0L);
	KUNIT_EXPECT_TRUE(test, ring->overflow);
	KUNIT_EXPECT_EQ(test, ring->used, 256U);
}

/* An error in the second run: what the first run took is consumed. */
static void ring_drain_error_after_wrap(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 256);
	struct sink *s = sink_new(test, 1024);
	int i;

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_GE(test, ring_put(ring, 32, i), 0L);
	s->room = 128;
	KUNIT_ASSERT_EQ(test, npf_ring_drain(ring, sink_fn, s), 128L);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 4), 0L);
	KUNIT_ASSERT_EQ(test, ring->wrap, 256U);

	s->room = 1024;
	s->calls = 0;
	s->fail_call = 2;
	s->err = -EFAULT;
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 128L);
	KUNIT_EXPECT_EQ(test, ring->tail, 0U);
	KUNIT_EXPECT_EQ(test, ring->wrap, 0U);
	KUNIT_EXPECT_EQ(test, ring->head, 64U);
	KUNIT_EXPECT_EQ(test, ring->used, 64U);
}

static void ring_span_whole_records(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 4096);

	KUNIT_ASSERT_EQ(test, ring_put(ring, 8, 1), 0L);	/* 40 */
	KUNIT_ASSERT_EQ(test, ring_put(ring, 9, 2), 40L);	/* 48 */
	KUNIT_ASSERT_EQ(test, ring_put(ring, 1, 3), 88L);	/* 40 */
	KUNIT_EXPECT_EQ(test, npf_ring_span(ring->buf, 128, 128, false), 128U);
	KUNIT_EXPECT_EQ(test, npf_ring_span(ring->buf, 128, 127, false), 88U);
	KUNIT_EXPECT_EQ(test, npf_ring_span(ring->buf, 128, 88, false), 88U);
	KUNIT_EXPECT_EQ(test, npf_ring_span(ring->buf, 128, 87, false), 40U);
	KUNIT_EXPECT_EQ(test, npf_ring_span(ring->buf, 128, 39, false), 0U);
	KUNIT_EXPECT_EQ(test, npf_ring_span(ring->buf, 128, 0, false), 0U);
	KUNIT_EXPECT_EQ(test, npf_ring_span(ring->buf, 88, SIZE_MAX, false), 88U);
}

/* --- flush, resize ---------------------------------------------------------------- */

static void ring_flush_empties(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 256);
	int i;

	for (i = 0; i < 5; i++)
		ring_put(ring, 32, i);
	KUNIT_EXPECT_TRUE(test, ring->overflow);
	npf_ring_flush(ring, false, true);
	expect_empty(test, ring);
	KUNIT_EXPECT_FALSE(test, ring->overflow);
	KUNIT_EXPECT_EQ(test, ring->size, 256U);
}

static void ring_resize_ok(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 256);
	u8 *old = ring->buf;

	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 1), 0L);
	KUNIT_EXPECT_EQ(test, npf_ring_resize(ring, 8192), 0);
	KUNIT_EXPECT_EQ(test, ring->size, 8192U);
	KUNIT_EXPECT_PTR_NE(test, ring->buf, old);
	expect_empty(test, ring);
	KUNIT_EXPECT_NULL(test, memchr_inv(ring->buf, 0, 8192));
	/* the whole new size is usable */
	KUNIT_EXPECT_EQ(test, ring_put(ring, 8192 - HDR, 2), 0L);
}

/* An allocation that cannot succeed: the old ring and its records stay. */
static void ring_resize_failure_keeps_old(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 256);
	struct sink *s = sink_new(test, 256);
	u8 *old = ring->buf;
	u8 tags[4];

	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 7), 0L);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 8), 64L);
	/* more than the guest's RAM: vmalloc refuses at once */
	KUNIT_EXPECT_EQ(test, npf_ring_resize(ring, 0xfffffff8U), -ENOMEM);
	KUNIT_EXPECT_PTR_EQ(test, ring->buf, old);
	KUNIT_EXPECT_EQ(test, ring->size, 256U);
	KUNIT_EXPECT_EQ(test, ring->used, 128U);
	KUNIT_EXPECT_EQ(test, ring->head, 128U);
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 128L);
	KUNIT_ASSERT_EQ(test, tags_of(s->buf, s->got, tags, 4), 2);
	KUNIT_EXPECT_EQ(test, tags[0], 7);
	KUNIT_EXPECT_EQ(test, tags[1], 8);
}

/* --- npf_ring_read: to user memory ------------------------------------------------ */

static void ring_read_user(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 256);
	char __user *ubuf = npf_test_ualloc(test, 4096);
	u8 *kbuf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	u8 tags[8];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, kbuf);
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_GE(test, ring_put(ring, 32, i), 0L);

	/* smaller than the first record: EMSGSIZE, nothing lost */
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 63), (ssize_t)-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 0), (ssize_t)-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, ring->used, 256U);
	/* a bad buffer: EFAULT, nothing lost */
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, NPF_TEST_BADPTR, 4096),
			(ssize_t)-EFAULT);
	KUNIT_EXPECT_EQ(test, ring->used, 256U);
	/* room for 1.5 records: exactly one */
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 96), 64L);
	KUNIT_EXPECT_EQ(test, ring->used, 192U);
	NPF_TEST_GET(test, kbuf, ubuf, 64);
	KUNIT_EXPECT_EQ(test, tags_of(kbuf, 64, tags, 8), 1);
	KUNIT_EXPECT_EQ(test, tags[0], 0);

	/* wrap, then read it all: the two runs arrive back to back */
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 4), 0L);
	KUNIT_ASSERT_EQ(test, ring->wrap, 256U);
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 4096), 256L);
	NPF_TEST_GET(test, kbuf, ubuf, 256);
	KUNIT_ASSERT_EQ(test, tags_of(kbuf, 256, tags, 8), 4);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, tags[i], i + 1);
	expect_empty(test, ring);
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 4096), 0L);
}

/* --- NPF_RECFMT_PCAP: unpadded, unaligned records ---------------------------------- */

#define PHDR	((u32)sizeof(struct npf_pcap_hdr))

/* As the tap stores a pcap record: 16-byte header, @caplen bytes of @tag. */
static long ring_put_pcap(struct npf_ring *ring, u32 caplen, u8 tag)
{
	struct npf_pcap_hdr h = { .ts_sec = tag, .caplen = caplen, .len = caplen };
	u8 *rec;

	spin_lock_bh(&ring->lock);
	rec = npf_ring_reserve(ring, PHDR + caplen);
	if (rec) {
		memcpy(rec, &h, sizeof(h));
		memset(rec + PHDR, tag, caplen);
	}
	spin_unlock_bh(&ring->lock);
	return rec ? (long)(rec - ring->buf) : -1;
}

/* The tags of the pcap records in @buf[0..len); -1 if they do not tile it. */
static int pcap_tags_of(const u8 *buf, u32 len, u8 *tags, int max)
{
	struct npf_pcap_hdr h;
	u32 off = 0;
	int n = 0;

	while (off < len && n < max) {
		memcpy(&h, buf + off, sizeof(h));
		if (buf[off + PHDR] != (u8)h.ts_sec && h.caplen)
			return -1;
		tags[n++] = h.ts_sec;
		off += PHDR + h.caplen;
	}
	return off == len ? n : -1;
}

static void ring_pcap_span(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 4096);

	npf_ring_flush(ring, true, true);
	KUNIT_EXPECT_TRUE(test, ring->pcap);
	/* 16 + 5, 16 + 0, 16 + 9: offsets 0, 21, 37; no padding */
	KUNIT_ASSERT_EQ(test, ring_put_pcap(ring, 5, 1), 0L);
	KUNIT_ASSERT_EQ(test, ring_put_pcap(ring, 0, 2), 21L);
	KUNIT_ASSERT_EQ(test, ring_put_pcap(ring, 9, 3), 37L);
	KUNIT_EXPECT_EQ(test, ring->used, 62U);
	KUNIT_EXPECT_EQ(test, npf_ring_span(ring->buf, 62, 62, true), 62U);
	KUNIT_EXPECT_EQ(test, npf_ring_span(ring->buf, 62, 61, true), 37U);
	KUNIT_EXPECT_EQ(test, npf_ring_span(ring->buf, 62, 37, true), 37U);
	KUNIT_EXPECT_EQ(test, npf_ring_span(ring->buf, 62, 36, true), 21U);
	KUNIT_EXPECT_EQ(test, npf_ring_span(ring->buf, 62, 20, true), 0U);
	/* the same bytes read as bpf records would be nonsense: flush */
	npf_ring_flush(ring, false, true);
	expect_empty(test, ring);
	KUNIT_EXPECT_FALSE(test, ring->pcap);
}

/* Reads of pcap records: whole records, wrap-around, EMSGSIZE. */
static void ring_pcap_read_user(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 128);
	char __user *ubuf = npf_test_ualloc(test, 4096);
	u8 *kbuf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	u8 tags[8];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, kbuf);
	npf_ring_flush(ring, true, true);
	/* 3 x 33 bytes = 99; a fourth does not fit in the 29 left */
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, ring_put_pcap(ring, 17, i), 33L * i);
	KUNIT_EXPECT_EQ(test, ring_put_pcap(ring, 17, 3), -1L);
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 32), (ssize_t)-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 65), 33L);
	/* now it wraps to 0 (33 bytes free before the tail) */
	KUNIT_ASSERT_EQ(test, ring_put_pcap(ring, 17, 3), 0L);
	KUNIT_EXPECT_EQ(test, ring->wrap, 99U);
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 4096), 99L);
	NPF_TEST_GET(test, kbuf, ubuf, 99);
	KUNIT_ASSERT_EQ(test, pcap_tags_of(kbuf, 99, tags, 8), 3);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, tags[i], i + 1);
	expect_empty(test, ring);
}

/* --- lending (mmap'ed reads) ------------------------------------------------------ */

static void ring_lend_and_give_back(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 1024);	/* loans: 256 at most */
	char __user *ubuf = npf_test_ualloc(test, 4096);
	u32 off = 99;
	int i;

	/* empty: a loan of nothing */
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 0), 0);
	KUNIT_EXPECT_EQ(test, lend(test, ring, &off), 0U);
	KUNIT_EXPECT_EQ(test, off, 0U);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 0), 0);

	/* 64-byte records: both fit in one loan */
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 1), 0L);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 2), 64L);
	KUNIT_EXPECT_EQ(test, lend(test, ring, &off), 128U);
	KUNIT_EXPECT_EQ(test, off, 0U);
	/* lent records stay: read() may not take them, the tap not reuse them */
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 4096), (ssize_t)-EBUSY);
	KUNIT_EXPECT_EQ(test, ring->used, 128U);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 3), 128L);
	/* only the whole loan comes back */
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 64), -EINVAL);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ring->used, 192U);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 128), 0);
	KUNIT_EXPECT_EQ(test, ring->used, 64U);
	KUNIT_EXPECT_EQ(test, ring->tail, 128U);
	KUNIT_EXPECT_EQ(test, lend(test, ring, &off), 64U);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 64), 0);
	expect_empty(test, ring);

	/* 192-byte records: a loan is at most a quarter, in whole records */
	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_EQ(test, ring_put(ring, 160, 10 + i), 192L * i);
	KUNIT_EXPECT_EQ(test, lend(test, ring, &off), 192U);
	KUNIT_EXPECT_EQ(test, off, 0U);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 192), 0);
	/* the tap wraps into the space given back */
	KUNIT_ASSERT_EQ(test, ring_put(ring, 160, 15), 0L);
	KUNIT_EXPECT_EQ(test, ring->wrap, 960U);
	for (i = 1; i < 5; i++) {
		KUNIT_EXPECT_EQ(test, lend(test, ring, &off), 192U);
		KUNIT_EXPECT_EQ(test, off, 192U * i);
		KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 192), 0);
	}
	/* past the wrap point: from 0 */
	KUNIT_EXPECT_EQ(test, ring->wrap, 0U);
	KUNIT_EXPECT_EQ(test, lend(test, ring, &off), 192U);
	KUNIT_EXPECT_EQ(test, off, 0U);

	/* a flush takes the loan back: its give-back is then a no-op */
	npf_ring_flush(ring, false, true);
	expect_empty(test, ring);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 192), 0);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 192), -EINVAL);
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 4096), 0L);

	/* a loan the reader never learnt of is undone */
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 6), 0L);
	KUNIT_EXPECT_EQ(test, lend(test, ring, &off), 64U);
	npf_ring_unlend(ring);
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 4096), 64L);

	/* one record larger than a quarter of the ring is lent whole */
	KUNIT_ASSERT_EQ(test, ring_put(ring, 500, 7), 0L);
	KUNIT_EXPECT_EQ(test, lend(test, ring, &off), NPF_WORDALIGN(HDR + 500));
}

/* --- readable: the ring is the reader's in MODE_CAPT only --------------------- */

/*
 * Guards issue 12's "mode change under a waiting read": a read() or
 * BIOCMMAPNEXT that began waiting in MODE_CAPT and woke after BIOCSMODE
 * gave the ring to the dump worker (or to MODE_STAT) must not consume
 * the new mode's records, and must not return "nothing" either. Outside
 * MODE_CAPT, npf_resume() flushes with readable = false: the ring then
 * refuses read and lend with -NPF_EMODE (the caller starts over in the
 * new mode), while the dump worker's drain goes on working.
 */
static void ring_not_readable(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 1024);
	char __user *ubuf = npf_test_ualloc(test, 4096);
	struct sink *s = sink_new(test, 1024);
	u32 off = 99, len = 99;
	u8 tags[4];

	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 1), 0L);
	npf_ring_flush(ring, false, false);
	KUNIT_EXPECT_FALSE(test, ring->readable);
	expect_empty(test, ring);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 2), 0L);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 3), 64L);
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 4096),
			(ssize_t)-NPF_EMODE);
	KUNIT_EXPECT_EQ(test, npf_ring_lend(ring, &off, &len), -NPF_EMODE);
	/* nothing taken, nothing lent, nothing told */
	KUNIT_EXPECT_EQ(test, ring->used, 128U);
	KUNIT_EXPECT_EQ(test, ring->tail, 0U);
	KUNIT_EXPECT_EQ(test, ring->lent, 0U);
	KUNIT_EXPECT_EQ(test, off, 99U);
	KUNIT_EXPECT_EQ(test, len, 99U);
	/* the dump worker's drain takes them, in order */
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 128L);
	KUNIT_ASSERT_EQ(test, tags_of(s->buf, s->got, tags, 4), 2);
	KUNIT_EXPECT_EQ(test, tags[0], 2);
	KUNIT_EXPECT_EQ(test, tags[1], 3);
	expect_empty(test, ring);
	/* empty, it still refuses: "nothing" would end a blocking read */
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 4096),
			(ssize_t)-NPF_EMODE);
	KUNIT_EXPECT_EQ(test, npf_ring_lend(ring, &off, &len), -NPF_EMODE);

	/* back in MODE_CAPT: the reader's again */
	npf_ring_flush(ring, false, true);
	KUNIT_EXPECT_TRUE(test, ring->readable);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 4), 0L);
	KUNIT_EXPECT_EQ(test, lend(test, ring, &off), 64U);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 64), 0);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 5), 0L);
	KUNIT_EXPECT_EQ(test, npf_ring_read(ring, ubuf, 4096), 64L);
}

/*
 * The same with a batch lent when the mode changes: the flush takes the
 * loan back, the reader's give-back of it is a no-op, the next lend is
 * refused, and the dump worker is not blocked by a loan that is gone.
 */
static void ring_not_readable_loan(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 1024);
	struct sink *s = sink_new(test, 1024);
	u32 off, len = 99;

	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 1), 0L);
	KUNIT_EXPECT_EQ(test, lend(test, ring, &off), 64U);
	npf_ring_flush(ring, false, false);
	KUNIT_EXPECT_EQ(test, ring->lent, 0U);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 2), 0L);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 64), 0);
	KUNIT_EXPECT_EQ(test, ring->used, 64U);
	KUNIT_EXPECT_EQ(test, npf_ring_lend(ring, &off, &len), -NPF_EMODE);
	KUNIT_EXPECT_EQ(test, len, 99U);
	KUNIT_EXPECT_EQ(test, npf_ring_drain(ring, sink_fn, s), 64L);
	expect_empty(test, ring);
}

/*
 * Two flushes in a row while a batch is lent (BIOCSETBUFFERSIZE's
 * install, then npf_resume()'s flush): the second must not forget that
 * the first took the loan back, else the reader's give-back of it fails
 * with EINVAL and BIOCMMAPNEXT is stuck (found by cfuzz, fixed in
 * 5b55cfc). The give-back is a no-op once, then lengths count again.
 */
static void ring_loan_gone_twice(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 1024);
	u32 off;

	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 1), 0L);
	KUNIT_EXPECT_EQ(test, lend(test, ring, &off), 64U);
	npf_ring_flush(ring, false, true);
	npf_ring_flush(ring, false, true);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 64), 0);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 64), -EINVAL);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 0), 0);

	/* the same with a resize first */
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 2), 0L);
	KUNIT_EXPECT_EQ(test, lend(test, ring, &off), 64U);
	KUNIT_EXPECT_EQ(test, npf_ring_resize(ring, 2048), 0);
	npf_ring_flush(ring, false, true);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 64), 0);
	expect_empty(test, ring);
	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 3), 0L);
	KUNIT_EXPECT_EQ(test, lend(test, ring, &off), 64U);
	KUNIT_EXPECT_EQ(test, npf_ring_give_back(ring, 64), 0);
	expect_empty(test, ring);
}

/* --- mmap: the buffer never changes under a mapping ------------------------------ */

/*
 * Guards issue 12's "mapping of a ring being replaced": while a vma maps
 * the buffer, BIOCSETBUFFERSIZE must not free it (the vma would keep
 * pages of a freed ring, and BIOCMMAPNEXT's offsets would be in another
 * buffer than the one mapped). Mappings are counted under ring->lock,
 * the lock npf_ring_install() tests the count under, so a mapping made
 * meanwhile is seen: install and resize fail with EBUSY and change
 * nothing. A mapping longer than the ring rounded up to pages is
 * refused and not counted.
 */
static void ring_replace_busy_while_mapped(struct kunit *test)
{
	/* 5000 bytes: two pages mapped */
	struct npf_ring *ring = ring_new(test, 5000);
	u8 *old = ring->buf, *buf;
	int ret;

	KUNIT_ASSERT_EQ(test, ring_put(ring, 32, 1), 0L);
	KUNIT_EXPECT_FALSE(test, npf_ring_mapped(ring));
	KUNIT_EXPECT_EQ(test, npf_ring_map(ring, 3 * PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, ring->mapped, 0);
	KUNIT_EXPECT_FALSE(test, npf_ring_mapped(ring));
	KUNIT_EXPECT_EQ(test, npf_ring_map(ring, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, ring->mapped, 1);
	KUNIT_EXPECT_TRUE(test, npf_ring_mapped(ring));

	KUNIT_EXPECT_EQ(test, npf_ring_resize(ring, 16384), -EBUSY);
	buf = npf_ring_alloc(4096);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	ret = npf_ring_install(ring, buf, 4096);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	if (ret)
		vfree(buf);	/* refused: still ours */
	KUNIT_EXPECT_PTR_EQ(test, ring->buf, old);
	KUNIT_EXPECT_EQ(test, ring->size, 5000U);
	KUNIT_EXPECT_EQ(test, ring->used, 64U);
	KUNIT_EXPECT_EQ(test, ring->head, 64U);

	/* a second vma (a fork, a split): mapped until both are gone */
	npf_ring_map_get(ring);
	KUNIT_EXPECT_EQ(test, ring->mapped, 2);
	npf_ring_map_put(ring);
	KUNIT_EXPECT_TRUE(test, npf_ring_mapped(ring));
	KUNIT_EXPECT_EQ(test, npf_ring_resize(ring, 16384), -EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, ring->buf, old);
	npf_ring_map_put(ring);
	KUNIT_EXPECT_FALSE(test, npf_ring_mapped(ring));
	KUNIT_EXPECT_EQ(test, npf_ring_resize(ring, 16384), 0);
	KUNIT_EXPECT_EQ(test, ring->size, 16384U);
	expect_empty(test, ring);
}

/* The fault handler's pages: the buffer's own, within the mapping only. */
static void ring_map_pages(struct kunit *test)
{
	struct npf_ring *ring = ring_new(test, 5000);
	struct page *p;

	p = npf_ring_page(ring, 0);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, p, vmalloc_to_page(ring->buf));
	put_page(p);
	p = npf_ring_page(ring, PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, p, vmalloc_to_page(ring->buf + PAGE_SIZE));
	put_page(p);
	KUNIT_EXPECT_NULL(test, npf_ring_page(ring, 2 * PAGE_SIZE));
}

static struct kunit_case npf_ring_cases[] = {
	KUNIT_CASE(ring_lend_and_give_back),
	KUNIT_CASE(ring_pcap_span),
	KUNIT_CASE(ring_pcap_read_user),
	KUNIT_CASE(layout_wordalign),
	KUNIT_CASE(layout_structs),
	KUNIT_CASE(ring_init_is_empty),
	KUNIT_CASE(ring_reserve_until_full),
	KUNIT_CASE(ring_reserve_exact_fit),
	KUNIT_CASE(ring_reserve_larger_than_ring),
	KUNIT_CASE(ring_never_overwrites),
	KUNIT_CASE(ring_drain_empty),
	KUNIT_CASE(ring_drain_all_resets),
	KUNIT_CASE(ring_drain_partial),
	KUNIT_CASE(ring_wrap_around),
	KUNIT_CASE(ring_wrap_marker_gap),
	KUNIT_CASE(ring_drain_sink_error),
	KUNIT_CASE(ring_drain_error_after_wrap),
	KUNIT_CASE(ring_span_whole_records),
	KUNIT_CASE(ring_flush_empties),
	KUNIT_CASE(ring_resize_ok),
	KUNIT_CASE(ring_resize_failure_keeps_old),
	KUNIT_CASE(ring_read_user),
	KUNIT_CASE(ring_not_readable),
	KUNIT_CASE(ring_not_readable_loan),
	KUNIT_CASE(ring_loan_gone_twice),
	KUNIT_CASE(ring_replace_busy_while_mapped),
	KUNIT_CASE(ring_map_pages),
	{}
};

static struct kunit_suite npf_ring_suite = {
	.name = "npf_ring",
	.suite_init = npf_test_mm_get,
	.suite_exit = npf_test_mm_put,
	.test_cases = npf_ring_cases,
};

kunit_test_suites(&npf_ring_suite);
