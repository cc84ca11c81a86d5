// SPDX-License-Identifier: GPL-2.0
/*
 * npf_xmit: write() and send queues (kmod/xmit.c): parsing, the length
 * rules, the bytes consumed on error, repeats and their counters. Frames
 * go out on the initial namespace's loopback device (up in the test VM),
 * addressed to nobody: the stack drops them.
 */

#include "../xmit.c"

#include <net/net_namespace.h>

#include "npf_test.h"

#define QOFF	4096			/* the queue, after the npf_sendq */
#define SQH	((u32)sizeof(struct npf_sendq_hdr))

static u64 counter(struct npf_open *o, int which)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += u64_stats_read(&per_cpu_ptr(o->stats, cpu)->c[which]);
	return sum;
}

/* An open with a socket, bound to lo (without a tap). */
static struct npf_open *xopen(struct kunit *test)
{
	struct net_device *lo = init_net.loopback_dev;
	struct npf_open *o = npf_test_open(test, 0);

	if (!lo || !(lo->flags & IFF_UP))
		kunit_skip(test, "lo is not up");
	KUNIT_ASSERT_EQ(test, npf_xmit_init(o), 0);
	KUNIT_EXPECT_EQ(test, o->write_rep, 1U);
	o->bound = true;
	o->dev = lo;
	o->linktype = NPF_LINKTYPE_ETHERNET;
	return o;
}

/* An Ethernet frame of @len bytes nobody wants (EtherType 0x88b5). */
static void frame(u8 *p, u32 len, u16 proto)
{
	static const u8 dst[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const u8 src[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = i;
	if (len >= ETH_HLEN) {
		memcpy(p, dst, ETH_ALEN);
		memcpy(p + ETH_ALEN, src, ETH_ALEN);
		*(__be16 *)(p + 12) = htons(proto);
	}
}

/* A queue under construction, in kernel memory. */
struct q {
	u8 *buf;
	u32 len;
};

static void q_add(struct q *q, u32 sec, u32 usec, u32 caplen, u32 have)
{
	struct npf_sendq_hdr h = {
		.tv_sec = sec, .tv_usec = usec, .caplen = caplen, .len = caplen,
	};

	memcpy(q->buf + q->len, &h, sizeof(h));
	q->len += sizeof(h);
	frame(q->buf + q->len, have, 0x88b5);
	q->len += have;
}

static struct q *q_new(struct kunit *test, u32 cap)
{
	struct q *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, q);
	q->buf = kunit_kzalloc(test, cap, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q->buf);
	return q;
}

/* Send queue @q (copied to @u + QOFF); *@consumed as written back. */
static long sendq(struct kunit *test, struct npf_open *o, void __user *u,
		  struct q *q, bool sync, u32 *consumed)
{
	struct npf_sendq sq = {
		.buf = (u64)(unsigned long)u + QOFF,
		.len = q->len,
		.consumed = 0xdeadbeef,
	};
	long ret;

	NPF_TEST_PUT(test, u, &sq, sizeof(sq));
	if (q->len)
		NPF_TEST_PUT(test, u + QOFF, q->buf, q->len);
	ret = npf_xmit_sendq(o, u, sync);
	NPF_TEST_GET(test, &sq, u, sizeof(sq));
	*consumed = sq.consumed;
	return ret;
}

static void xmit_sendq_ok(struct kunit *test)
{
	struct npf_open *o = xopen(test);
	void __user *u = npf_test_ualloc(test, 2 * QOFF);
	struct q *q = q_new(test, QOFF);
	u32 consumed;

	q_add(q, 1, 0, 60, 60);
	q_add(q, 1, 0, 14, 14);		/* just the link header */
	q_add(q, 1, 0, 100, 100);
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, false, &consumed), 0L);
	KUNIT_EXPECT_EQ(test, consumed, 3 * SQH + 174);
	KUNIT_EXPECT_EQ(test, consumed, q->len);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT), 3ULL);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT_BYTES), 174ULL);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT_ERR), 0ULL);

	q->len = 0;
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, false, &consumed), 0L);
	KUNIT_EXPECT_EQ(test, consumed, 0U);
}

/* An entry that stops the queue: the bytes of the entries before it. */
static void xmit_sendq_parse_errors(struct kunit *test)
{
	struct npf_open *o = xopen(test);
	void __user *u = npf_test_ualloc(test, 2 * QOFF);
	struct q *q = q_new(test, QOFF);
	u32 consumed, good = SQH + 60;

	/* caplen 0 */
	q_add(q, 1, 0, 60, 60);
	q_add(q, 1, 0, 0, 0);
	q_add(q, 1, 0, 60, 60);
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, false, &consumed), -EINVAL);
	KUNIT_EXPECT_EQ(test, consumed, good);

	/* caplen beyond the end of the queue */
	q->len = 0;
	q_add(q, 1, 0, 60, 60);
	q_add(q, 1, 0, 100, 50);
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, false, &consumed), -EINVAL);
	KUNIT_EXPECT_EQ(test, consumed, good);

	/* trailing bytes shorter than an entry header */
	q->len = 0;
	q_add(q, 1, 0, 60, 60);
	q->len += SQH - 1;
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, false, &consumed), -EINVAL);
	KUNIT_EXPECT_EQ(test, consumed, good);

	/* only a partial header */
	q->len = 8;
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, false, &consumed), -EINVAL);
	KUNIT_EXPECT_EQ(test, consumed, 0U);

	/* shorter than the link header */
	q->len = 0;
	q_add(q, 1, 0, 60, 60);
	q_add(q, 1, 0, 13, 13);
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, false, &consumed), -EINVAL);
	KUNIT_EXPECT_EQ(test, consumed, good);

	/* every good entry went out once */
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT), 4ULL);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT_BYTES), 240ULL);
}

/* Longer than MTU + link header (lo is not Ethernet: no tag allowance). */
static void xmit_sendq_too_long(struct kunit *test)
{
	struct npf_open *o = xopen(test);
	u32 max = o->dev->mtu + o->dev->hard_header_len, consumed;
	void __user *u = npf_test_ualloc(test, QOFF + max + 128);
	struct q *q = q_new(test, max + 128);

	q_add(q, 1, 0, 60, 60);
	q_add(q, 1, 0, max + 1, max + 1);
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, false, &consumed), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, consumed, SQH + 60);

	q->len = 0;
	q_add(q, 1, 0, max + VLAN_HLEN + 1, max + VLAN_HLEN + 1);
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, false, &consumed), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, consumed, 0U);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT), 1ULL);
}

static void xmit_sendq_state_errors(struct kunit *test)
{
	struct npf_open *o = xopen(test);
	void __user *u = npf_test_ualloc(test, 2 * QOFF);
	struct q *q = q_new(test, QOFF);
	struct npf_sendq sq = { .buf = (u64)(unsigned long)NPF_TEST_BADPTR,
				.len = 100 };
	u32 consumed;

	q_add(q, 1, 0, 60, 60);
	/* the queue is not readable */
	NPF_TEST_PUT(test, u, &sq, sizeof(sq));
	KUNIT_EXPECT_EQ(test, npf_xmit_sendq(o, u, false), -EFAULT);
	NPF_TEST_GET(test, &sq, u, sizeof(sq));
	KUNIT_EXPECT_EQ(test, sq.consumed, 0U);
	KUNIT_EXPECT_EQ(test, npf_xmit_sendq(o, NPF_TEST_BADPTR, false), -EFAULT);

	o->dev = NULL;		/* the adapter went away */
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, false, &consumed), -ENODEV);
	o->bound = false;
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, false, &consumed), -ENXIO);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT), 0ULL);
}

/* SYNC: entry i leaves at the first's departure + (ts[i] - ts[0]). */
static void xmit_sendq_sync_spacing(struct kunit *test)
{
	struct npf_open *o = xopen(test);
	void __user *u = npf_test_ualloc(test, 2 * QOFF);
	struct q *q = q_new(test, QOFF);
	u32 consumed;
	ktime_t t0;

	q_add(q, 100, 999000, 60, 60);
	q_add(q, 101, 9000, 60, 60);	/* +10 ms, across a second */
	q_add(q, 101, 59000, 60, 60);	/* +60 ms */
	t0 = ktime_get();
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, true, &consumed), 0L);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), t0), 60LL);
	KUNIT_EXPECT_EQ(test, consumed, q->len);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT), 3ULL);

	/* NOSYNC ignores the timestamps */
	q->len = 0;
	q_add(q, 100, 0, 60, 60);
	q_add(q, 4000, 0, 60, 60);	/* an hour later */
	t0 = ktime_get();
	KUNIT_EXPECT_EQ(test, sendq(test, o, u, q, false, &consumed), 0L);
	KUNIT_EXPECT_LT(test, ktime_ms_delta(ktime_get(), t0), 60000LL);
}

static void xmit_write_repeats(struct kunit *test)
{
	struct npf_open *o = xopen(test);
	char __user *u = npf_test_ualloc(test, QOFF);
	u8 f[60];

	frame(f, sizeof(f), 0x88b5);
	NPF_TEST_PUT(test, u, f, sizeof(f));
	KUNIT_EXPECT_EQ(test, npf_xmit_write(o, u, 60, false), 60L);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT), 1ULL);
	o->write_rep = 3;
	KUNIT_EXPECT_EQ(test, npf_xmit_write(o, u, 60, false), 60L);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT), 4ULL);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT_BYTES), 240ULL);
	/* 0 repeats: accepted, nothing sent */
	o->write_rep = 0;
	KUNIT_EXPECT_EQ(test, npf_xmit_write(o, u, 60, false), 60L);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT), 4ULL);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT_ERR), 0ULL);
}

static void xmit_write_errors(struct kunit *test)
{
	struct npf_open *o = xopen(test);
	char __user *u = npf_test_ualloc(test, QOFF);
	u8 f[60];

	frame(f, sizeof(f), 0x88b5);
	NPF_TEST_PUT(test, u, f, sizeof(f));
	KUNIT_EXPECT_EQ(test, npf_xmit_write(o, u, 0, false), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, npf_xmit_write(o, u, 13, false), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, npf_xmit_write(o, NPF_TEST_BADPTR, 60, false),
			(ssize_t)-EFAULT);
	KUNIT_EXPECT_EQ(test, npf_xmit_write(o, u, 0x7fffffff, false),
			(ssize_t)-EMSGSIZE);
	o->dev = NULL;
	KUNIT_EXPECT_EQ(test, npf_xmit_write(o, u, 60, false), (ssize_t)-ENODEV);
	o->bound = false;
	KUNIT_EXPECT_EQ(test, npf_xmit_write(o, u, 60, false), (ssize_t)-ENXIO);
	KUNIT_EXPECT_EQ(test, counter(o, NPF_STAT_SENT), 0ULL);
}

/* The length rule on an Ethernet adapter: +4 only for a tagged frame. */
static void xmit_len_rule_ethernet(struct kunit *test)
{
	struct net_device *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	struct sk_buff *skb;
	static const struct {
		u32 len;
		u16 proto;
		bool ok;
	} cases[] = {
		{ 1514, ETH_P_IP, true },
		{ 1515, ETH_P_IP, false },
		{ 1518, ETH_P_8021Q, true },
		{ 1518, ETH_P_8021AD, true },
		{ 1519, ETH_P_8021Q, false },
		{ 1518, ETH_P_IP, false },
	};
	int i;

	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->mtu = 1500;
	dev->hard_header_len = ETH_HLEN;
	dev->type = ARPHRD_ETHER;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		skb = alloc_skb(cases[i].len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		frame(skb_put(skb, cases[i].len), cases[i].len, cases[i].proto);
		KUNIT_EXPECT_EQ_MSG(test, npf_xmit_len_ok(dev, skb), cases[i].ok,
				    "len %u proto %#x", cases[i].len,
				    cases[i].proto);
		kfree_skb(skb);
	}
	/* other link types: no allowance */
	dev->type = ARPHRD_LOOPBACK;
	skb = alloc_skb(1518, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	frame(skb_put(skb, 1518), 1518, ETH_P_8021Q);
	KUNIT_EXPECT_FALSE(test, npf_xmit_len_ok(dev, skb));
	kfree_skb(skb);
}

static void xmit_loopback_switch(struct kunit *test)
{
	struct npf_open *o = xopen(test);

	KUNIT_EXPECT_NULL(test, o->ptype.af_packet_priv);
	npf_xmit_set_loopback(o, false);
	KUNIT_EXPECT_PTR_EQ(test, o->ptype.af_packet_priv, (void *)o->sk);
	npf_xmit_set_loopback(o, true);
	KUNIT_EXPECT_NULL(test, o->ptype.af_packet_priv);
	KUNIT_EXPECT_TRUE(test, npf_xmit_writeable(o));
	KUNIT_EXPECT_PTR_EQ(test, npf_xmit_waitq(o), sk_sleep(o->sk));
}

static struct kunit_case npf_xmit_cases[] = {
	KUNIT_CASE(xmit_sendq_ok),
	KUNIT_CASE(xmit_sendq_parse_errors),
	KUNIT_CASE(xmit_sendq_too_long),
	KUNIT_CASE(xmit_sendq_state_errors),
	KUNIT_CASE(xmit_sendq_sync_spacing),
	KUNIT_CASE(xmit_write_repeats),
	KUNIT_CASE(xmit_write_errors),
	KUNIT_CASE(xmit_len_rule_ethernet),
	KUNIT_CASE(xmit_loopback_switch),
	{}
};

static struct kunit_suite npf_xmit_suite = {
	.name = "npf_xmit",
	.suite_init = npf_test_mm_get,
	.suite_exit = npf_test_mm_put,
	.test_cases = npf_xmit_cases,
};

kunit_test_suites(&npf_xmit_suite);
