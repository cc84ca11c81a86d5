// SPDX-License-Identifier: GPL-2.0
/*
 * npf_filter: installing, replacing and removing cBPF filters
 * (kmod/filter.c): the kernel's checker decides, a rejected program
 * leaves the previous one in force, a new one starts afresh.
 */

#include "../filter.c"

#include <linux/if_ether.h>
#include <linux/skbuff.h>

#include "npf_test.h"

#define RET_K(k)	BPF_STMT(BPF_RET | BPF_K, k)

/* IPv4 frames whole (65535), everything else rejected. */
static const struct sock_filter ipv4_only[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 1),
	RET_K(65535),
	RET_K(0),
};

static const struct sock_filter ret64[] = { RET_K(64) };

/* Install @n instructions (copied to user memory @u) on @o. */
static int set_prog(struct kunit *test, struct npf_open *o, void __user *u,
		    const struct sock_filter *insns, u32 n)
{
	struct npf_program p = {
		.bf_len = n,
		.bf_insns = (u64)(unsigned long)u,
	};
	int ret;

	if (n && insns)
		NPF_TEST_PUT(test, u, insns, n * sizeof(*insns));
	mutex_lock(&o->lock);
	ret = npf_filter_set(o, &p);
	mutex_unlock(&o->lock);
	return ret;
}

static int set_raw(struct npf_open *o, const struct npf_program *p)
{
	int ret;

	mutex_lock(&o->lock);
	ret = npf_filter_set(o, p);
	mutex_unlock(&o->lock);
	return ret;
}

static struct bpf_prog *cur(struct npf_open *o)
{
	return rcu_access_pointer(o->filter);
}

/* Run the open's filter on a frame of @len bytes with EtherType @proto. */
static u32 run_on(struct kunit *test, struct npf_open *o, u16 proto, u32 len)
{
	struct sk_buff *skb = alloc_skb(len, GFP_KERNEL);
	u8 *d;
	u32 snap;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	d = skb_put_zero(skb, len);
	if (len >= ETH_HLEN) {
		memset(d, 0xff, ETH_ALEN);
		*(__be16 *)(d + 12) = htons(proto);
	}
	skb_reset_mac_header(skb);
	/* as in the tap: softirq, under RCU */
	local_bh_disable();
	rcu_read_lock();
	snap = npf_filter_run(o, rcu_dereference(o->filter), skb);
	rcu_read_unlock();
	local_bh_enable();
	kfree_skb(skb);
	return snap;
}

static void filter_snaplen_of_program(struct kunit *test)
{
	const struct sock_filter big[] = { RET_K(300000) };
	const struct sock_filter zero[] = { RET_K(0) };
	const struct sock_filter reta[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	const struct sock_filter mixed[] = {
		BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
		RET_K(100),
		BPF_STMT(BPF_LD | BPF_IMM, 70000),	/* not a ret */
		RET_K(70000),
	};

	KUNIT_EXPECT_EQ(test, npf_filter_snaplen(ret64, 1), 64U);
	KUNIT_EXPECT_EQ(test, npf_filter_snaplen(ipv4_only, 4), 65535U);
	KUNIT_EXPECT_EQ(test, npf_filter_snaplen(big, 1), 262144U);
	/* keeps nothing: the header still gets a valid snap length */
	KUNIT_EXPECT_EQ(test, npf_filter_snaplen(zero, 1), 262144U);
	KUNIT_EXPECT_EQ(test, npf_filter_snaplen(reta, 2), 262144U);
	KUNIT_EXPECT_EQ(test, npf_filter_snaplen(mixed, 4), 70000U);
}

static void filter_install_and_run(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *u = npf_test_ualloc(test, 4096);
	struct bpf_prog *prog;

	/* no filter: every frame whole */
	KUNIT_EXPECT_EQ(test, run_on(test, o, ETH_P_ARP, 60), U32_MAX);

	KUNIT_ASSERT_EQ(test, set_prog(test, o, u, ipv4_only, 4), 0);
	prog = cur(o);
	KUNIT_ASSERT_NOT_NULL(test, prog);
	KUNIT_EXPECT_TRUE(test, prog->jited);
	KUNIT_EXPECT_EQ(test, o->snaplen, 65535U);
	KUNIT_EXPECT_EQ(test, run_on(test, o, ETH_P_IP, 100), 65535U);
	KUNIT_EXPECT_EQ(test, run_on(test, o, ETH_P_ARP, 60), 0U);
	KUNIT_EXPECT_EQ(test, run_on(test, o, ETH_P_IPV6, 100), 0U);
	/* a load beyond the frame ends the program with 0 */
	KUNIT_EXPECT_EQ(test, run_on(test, o, 0, 10), 0U);

	/* replaced */
	KUNIT_ASSERT_EQ(test, set_prog(test, o, u, ret64, 1), 0);
	KUNIT_EXPECT_PTR_NE(test, cur(o), prog);
	KUNIT_EXPECT_EQ(test, o->snaplen, 64U);
	KUNIT_EXPECT_EQ(test, run_on(test, o, ETH_P_ARP, 100), 64U);
}

/* Every kind of rejection leaves the filter, the ring and the counters. */
static void filter_rejected_keeps_previous(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *u = npf_test_ualloc(test, 8 * (NPF_MAXINSNS + 1));
	const struct sock_filter no_ret[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 1),
	};
	const struct sock_filter bad_jump[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0),
		RET_K(1),
	};
	const struct sock_filter bad_code[] = {
		{ .code = 0xffff },
		RET_K(1),
	};
	const struct sock_filter bad_mem[] = {
		BPF_STMT(BPF_LD | BPF_MEM, 16),		/* M[16] does not exist */
		RET_K(1),
	};
	const struct sock_filter uninit_mem[] = {
		BPF_STMT(BPF_LD | BPF_MEM, 0),		/* read before write */
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct npf_program p = { .bf_len = 1, .bf_insns = (u64)(unsigned long)u };
	struct bpf_prog *prog;

	KUNIT_ASSERT_EQ(test, set_prog(test, o, u, ret64, 1), 0);
	prog = cur(o);
	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 10, 0, 1));
	npf_test_count(o, NPF_STAT_CAPT, 1);

	KUNIT_EXPECT_EQ(test, set_prog(test, o, u, no_ret, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_prog(test, o, u, bad_jump, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_prog(test, o, u, bad_code, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_prog(test, o, u, bad_mem, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_prog(test, o, u, uninit_mem, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_prog(test, o, u, NULL, NPF_MAXINSNS + 1),
			-EINVAL);
	p.bf_pad = 1;
	KUNIT_EXPECT_EQ(test, set_raw(o, &p), -EINVAL);
	p.bf_pad = 0;
	p.bf_insns = (u64)(unsigned long)NPF_TEST_BADPTR;
	KUNIT_EXPECT_EQ(test, set_raw(o, &p), -EFAULT);

	KUNIT_EXPECT_PTR_EQ(test, cur(o), prog);
	KUNIT_EXPECT_EQ(test, o->snaplen, 64U);
	KUNIT_EXPECT_EQ(test, o->ring.used, 48U);
	KUNIT_EXPECT_EQ(test, o->stats_base.c[NPF_STAT_CAPT], 0ULL);
	KUNIT_EXPECT_EQ(test, run_on(test, o, ETH_P_IP, 100), 64U);
}

/* The longest program is accepted. */
static void filter_max_insns(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	size_t n = NPF_MAXINSNS;
	void __user *u = npf_test_ualloc(test, 8 * n);
	struct sock_filter *f = kunit_kcalloc(test, n, sizeof(*f), GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	for (i = 0; i < n - 1; i++)
		f[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, i);
	f[n - 1] = (struct sock_filter)RET_K(200);
	KUNIT_EXPECT_EQ(test, set_prog(test, o, u, f, n), 0);
	KUNIT_EXPECT_EQ(test, o->snaplen, 200U);
	KUNIT_EXPECT_EQ(test, run_on(test, o, ETH_P_IP, 60), 200U);
}

/*
 * A new filter starts afresh: the ring is flushed, the counters zeroed,
 * the mode kept (and no longer paused).
 */
static void filter_success_starts_afresh(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *u = npf_test_ualloc(test, 4096);
	u64 sum = 0;
	int cpu;

	o->mode = NPF_MODE_STAT;
	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 10, 0, 1));
	npf_test_count(o, NPF_STAT_RECV, 5);
	KUNIT_ASSERT_EQ(test, set_prog(test, o, u, ret64, 1), 0);
	KUNIT_EXPECT_EQ(test, o->ring.used, 0U);
	KUNIT_EXPECT_EQ(test, o->mode, (u32)NPF_MODE_STAT);
	for_each_possible_cpu(cpu)
		sum += u64_stats_read(&per_cpu_ptr(o->stats, cpu)->c[NPF_STAT_RECV]);
	KUNIT_EXPECT_EQ(test, sum, 5ULL);
	KUNIT_EXPECT_EQ(test, o->stats_base.c[NPF_STAT_RECV], 5ULL);
	KUNIT_EXPECT_EQ(test, o->stat_mark.c[NPF_STAT_RECV], 5ULL);
}

/* bf_len 0 removes the filter (and needs no instructions). */
static void filter_remove(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *u = npf_test_ualloc(test, 4096);
	struct npf_program p = {
		.bf_insns = (u64)(unsigned long)NPF_TEST_BADPTR,
	};

	KUNIT_ASSERT_EQ(test, set_prog(test, o, u, ret64, 1), 0);
	KUNIT_EXPECT_EQ(test, set_raw(o, &p), 0);
	KUNIT_EXPECT_NULL(test, cur(o));
	KUNIT_EXPECT_EQ(test, o->snaplen, 262144U);
	KUNIT_EXPECT_EQ(test, run_on(test, o, ETH_P_ARP, 60), U32_MAX);
	/* removing nothing is fine too */
	KUNIT_EXPECT_EQ(test, set_raw(o, &p), 0);
	KUNIT_EXPECT_NULL(test, cur(o));
}

/* Each allocation of an installation may fail: the old filter stays. */
static void filter_alloc_failures(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *ua = npf_test_ualloc(test, 4096);
	void __user *ub = npf_test_ualloc(test, 4096);
	struct npf_program pa = { .bf_len = 1, .bf_insns = (u64)(unsigned long)ua };
	struct npf_program pb = { .bf_len = 4, .bf_insns = (u64)(unsigned long)ub };
	unsigned int n, failed = 0;
	struct bpf_prog *a;
	int ret;

	NPF_TEST_PUT(test, ua, ret64, sizeof(ret64));
	NPF_TEST_PUT(test, ub, ipv4_only, sizeof(ipv4_only));
	KUNIT_ASSERT_EQ(test, set_raw(o, &pa), 0);
	for (n = 1; n < 2000; n++) {
		a = cur(o);
		npf_test_fail_nth(test, n);
		ret = set_raw(o, &pb);
		if (npf_test_fail_off()) {
			KUNIT_EXPECT_EQ(test, ret, 0);
			break;
		}
		if (ret) {
			failed++;
			/*
			 * Not the kernel-internal ENOTSUPP (524) that
			 * bpf_prog_create() returns when the JIT fails.
			 */
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM,
					    "allocation %u: errno %d reaches user space",
					    n, -ret);
			KUNIT_EXPECT_PTR_EQ(test, cur(o), a);
			KUNIT_EXPECT_EQ(test, o->snaplen, 64U);
		} else {
			KUNIT_ASSERT_EQ(test, set_raw(o, &pa), 0);
		}
	}
	KUNIT_EXPECT_LT(test, n, 2000U);
	KUNIT_EXPECT_GE(test, failed, 2U);
	KUNIT_EXPECT_EQ(test, o->snaplen, 65535U);
	KUNIT_EXPECT_EQ(test, run_on(test, o, ETH_P_IP, 100), 65535U);
}

static struct kunit_case npf_filter_cases[] = {
	KUNIT_CASE(filter_snaplen_of_program),
	KUNIT_CASE(filter_install_and_run),
	KUNIT_CASE(filter_rejected_keeps_previous),
	KUNIT_CASE(filter_max_insns),
	KUNIT_CASE(filter_success_starts_afresh),
	KUNIT_CASE(filter_remove),
	KUNIT_CASE(filter_alloc_failures),
	{}
};

static struct kunit_suite npf_filter_suite = {
	.name = "npf_filter",
	.suite_init = npf_test_mm_get,
	.suite_exit = npf_test_mm_put,
	.test_cases = npf_filter_cases,
};

kunit_test_suites(&npf_filter_suite);
