// SPDX-License-Identifier: GPL-2.0
/*
 * Filters: the program's return value is the snap length; libpcap-compiled
 * tcpdump expressions select exactly the frames the kernel's own socket
 * filter (SO_ATTACH_FILTER on an AF_PACKET socket) and libpcap's
 * interpreter select; bad programs are refused and leave the previous one
 * in force; bf_len 0 removes the filter; BIOCSETF flushes and zeroes.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "npf_util.h"
#include "harness.h"

#define BIG	(1 << 20)

#define STMT(c, k)		{ (unsigned short)(c), 0, 0, (unsigned int)(k) }
#define JUMP(c, k, jt, jf)	{ (unsigned short)(c), jt, jf, (unsigned int)(k) }

static int compile_set(int fd, const char *expr, int snaplen)
{
	struct sock_filter *prog;
	int len = compile_filter(expr, snaplen, &prog), ret;

	if (len < 0)
		return -1;
	ret = npf_set_filter(fd, prog, len);
	free(prog);
	return ret;
}

FIXTURE(filter) {
	struct npf_env env;
	int fd;
	struct reclist l;
};

FIXTURE_SETUP(filter)
{
	reclist_init(&self->l);
	self->fd = -1;
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
}

FIXTURE_TEARDOWN(filter)
{
	if (self->fd >= 0)
		close(self->fd);
	reclist_free(&self->l);
	env_teardown(&self->env);
}

/* A constant return value N keeps min(N, frame length) bytes. */
TEST_F_TIMEOUT(filter, snaplen_from_constant_return, 60)
{
	static const uint32_t lens[] = { 60, 99, 100, 101, 107, 1514 };
	enum { N = sizeof(lens) / sizeof(lens[0]) };
	struct sock_filter ret100[] = { STMT(BPF_RET | BPF_K, 100) };
	struct frame f[N];
	struct npf_stats st;

	ASSERT_EQ(0, npf_set_filter(self->fd, ret100, 1)) TH_LOG("%s", npf_err);
	for (int i = 0; i < N; i++)
		mk_mixed(&f[i], self->env.mac_a, self->env.mac_b, i, lens[i], i);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, N)) TH_LOG("%s", npf_err);
	ASSERT_EQ(N, collect(self->fd, &self->l, N, 10000, BIG))
		TH_LOG("%s", npf_err);
	for (int i = 0; i < N; i++) {
		EXPECT_TRUE(rec_matches_snap(&self->l.r[i], &f[i], 100))
			TH_LOG("frame %d (%u bytes): caplen %u datalen %u", i,
			       f[i].len, self->l.r[i].h.bh_caplen,
			       self->l.r[i].h.bh_datalen);
	}
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)N, st.bs_recv);
	EXPECT_EQ((uint64_t)N, st.bs_capt);
	EXPECT_EQ(0ULL, st.bs_filtered);
}

/* The snap length can come from the accumulator, and a huge return value
 * keeps the whole frame. */
TEST_F_TIMEOUT(filter, snaplen_from_accumulator_and_huge, 60)
{
	struct sock_filter reta[] = {
		STMT(BPF_LD | BPF_IMM, 70),
		STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_filter retbig[] = { STMT(BPF_RET | BPF_K, 0xffffffff) };
	struct frame f[3];

	mk_udp4(&f[0], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 60, 0);
	mk_udp4(&f[1], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 71, 1);
	mk_udp4(&f[2], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 1514, 2);
	ASSERT_EQ(0, npf_set_filter(self->fd, reta, 2)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 3));
	ASSERT_EQ(3, collect(self->fd, &self->l, 3, 10000, BIG))
		TH_LOG("%s", npf_err);
	for (int i = 0; i < 3; i++) {
		EXPECT_TRUE(rec_matches_snap(&self->l.r[i], &f[i], 70))
			TH_LOG("ret A: frame %d caplen %u", i,
			       self->l.r[i].h.bh_caplen);
	}
	reclist_clear(&self->l);
	ASSERT_EQ(0, npf_set_filter(self->fd, retbig, 1)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 3));
	ASSERT_EQ(3, collect(self->fd, &self->l, 3, 10000, BIG))
		TH_LOG("%s", npf_err);
	for (int i = 0; i < 3; i++) {
		EXPECT_TRUE(rec_matches(&self->l.r[i], &f[i]))
			TH_LOG("ret 0xffffffff: frame %d caplen %u", i,
			       self->l.r[i].h.bh_caplen);
	}
}

/* libpcap's snaplen lands in the program: pcap_open_dead(..., 128). */
TEST_F_TIMEOUT(filter, snaplen_from_compiled_filter, 60)
{
	struct frame f[4];
	struct npf_stats st;

	ASSERT_EQ(0, compile_set(self->fd, "udp", 128)) TH_LOG("%s", npf_err);
	mk_udp4(&f[0], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 1000, 0);
	mk_tcp4(&f[1], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, TH_SYN, 1000, 1);
	mk_udp4(&f[2], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 100, 2);
	mk_arp(&f[3], mac_bcast, self->env.mac_b, 1, "10.0.0.2", "10.0.0.1",
	       60);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 4));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 4, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(2, collect(self->fd, &self->l, 2, 10000, BIG))
		TH_LOG("%s", npf_err);
	EXPECT_TRUE(rec_matches_snap(&self->l.r[0], &f[0], 128));
	EXPECT_TRUE(rec_matches(&self->l.r[1], &f[2]));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(4ULL, st.bs_recv);
	EXPECT_EQ(2ULL, st.bs_capt);
	EXPECT_EQ(2ULL, st.bs_filtered);
	EXPECT_EQ(0ULL, st.bs_drop);
}

/* Return 0 rejects; a load past the end of the frame rejects too. */
TEST_F_TIMEOUT(filter, reject_all_and_out_of_bounds_load, 60)
{
	struct sock_filter ret0[] = { STMT(BPF_RET | BPF_K, 0) };
	struct sock_filter oob[] = {
		STMT(BPF_LD | BPF_B | BPF_ABS, 1600),
		STMT(BPF_RET | BPF_K, 65535),
	};
	uint8_t buf[4096];
	struct frame f[5];
	struct npf_stats st;

	for (int i = 0; i < 5; i++)
		mk_mixed(&f[i], self->env.mac_a, self->env.mac_b, i,
			 300 + 250 * i, i);
	ASSERT_EQ(0, npf_set_filter(self->fd, ret0, 1)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 5));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 5, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(5ULL, st.bs_recv);
	EXPECT_EQ(5ULL, st.bs_filtered);
	EXPECT_EQ(0ULL, st.bs_capt);
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));

	ASSERT_EQ(0, npf_set_filter(self->fd, oob, 2)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 5));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 5, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(5ULL, st.bs_recv);
	EXPECT_EQ(5ULL, st.bs_filtered);
	EXPECT_EQ(0ULL, st.bs_capt);
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
}

/*
 * Bad programs are refused with EINVAL (or EFAULT for a bad pointer); the
 * filter, the buffered records and the counters stay as they were.
 */
TEST_F_TIMEOUT(filter, bad_programs_rejected_previous_kept, 60)
{
	struct sock_filter bad_opcode[] = {
		STMT(0xffff, 0),
		STMT(BPF_RET | BPF_K, 65535),
	};
	struct sock_filter jump_out[] = {
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 10, 0),
		STMT(BPF_RET | BPF_K, 65535),
	};
	struct sock_filter ja_out[] = {
		STMT(BPF_JMP | BPF_JA, 5),
		STMT(BPF_RET | BPF_K, 65535),
	};
	struct sock_filter no_ret[] = {
		STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	};
	struct sock_filter no_ret2[] = {
		STMT(BPF_RET | BPF_K, 65535),
		STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	};
	struct sock_filter bad_mem[] = {
		STMT(BPF_LD | BPF_MEM, 16),
		STMT(BPF_RET | BPF_K, 65535),
	};
	struct sock_filter div0[] = {
		STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
		STMT(BPF_RET | BPF_K, 65535),
	};
	struct sock_filter uninit_mem[] = {
		STMT(BPF_LD | BPF_MEM, 3),	/* M[3] never stored */
		STMT(BPF_RET | BPF_A, 0),
	};
	struct {
		const char *what;
		struct sock_filter *insns;
		uint32_t len;
	} bad[] = {
		{ "bad opcode", bad_opcode, 2 },
		{ "conditional jump out of range", jump_out, 2 },
		{ "ja out of range", ja_out, 2 },
		{ "no return at the end", no_ret, 1 },
		{ "last insn not a return", no_ret2, 2 },
		{ "scratch memory index 16", bad_mem, 2 },
		{ "division by constant zero", div0, 2 },
		{ "read of unwritten scratch memory", uninit_mem, 2 },
	};
	struct sock_filter *huge = calloc(NPF_MAXINSNS + 2, sizeof(*huge));
	void *unmapped;
	struct frame f[4];
	struct npf_stats st;

	ASSERT_NE(NULL, huge);
	/* previous filter: UDP only, 100 bytes */
	ASSERT_EQ(0, compile_set(self->fd, "udp", 100)) TH_LOG("%s", npf_err);
	mk_udp4(&f[0], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 300, 0);
	mk_tcp4(&f[1], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, TH_SYN, 300, 1);
	mk_udp4(&f[2], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 400, 2);
	mk_tcp4(&f[3], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, TH_SYN, 400, 3);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 2));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 2, 10000))
		TH_LOG("%s", npf_err);

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, npf_set_filter(self->fd, bad[i].insns,
					     bad[i].len))
			TH_LOG("%s accepted", bad[i].what);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", bad[i].what,
						strerror(errno));
	}
	/* NPF_MAXINSNS + 1 valid instructions */
	for (int i = 0; i < NPF_MAXINSNS; i++)
		huge[i] = (struct sock_filter)STMT(BPF_LD | BPF_IMM, i);
	huge[NPF_MAXINSNS] = (struct sock_filter)STMT(BPF_RET | BPF_K, 65535);
	errno = 0;
	EXPECT_EQ(-1, npf_set_filter(self->fd, huge, NPF_MAXINSNS + 1));
	EXPECT_EQ(EINVAL, errno) TH_LOG("bf_len 4097: %s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, npf_set_filter(self->fd, huge, 0xffffffff));
	EXPECT_EQ(EINVAL, errno) TH_LOG("bf_len 0xffffffff: %s",
					strerror(errno));
	/* a pointer to nothing */
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	ASSERT_NE(MAP_FAILED, unmapped);
	errno = 0;
	EXPECT_EQ(-1, npf_set_filter(self->fd, unmapped, 2));
	EXPECT_EQ(EFAULT, errno) TH_LOG("bad bf_insns: %s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, npf_set_filter(self->fd, (void *)8, 2));
	EXPECT_EQ(EFAULT, errno) TH_LOG("bf_insns 8: %s", strerror(errno));
	/* and the struct itself unreadable */
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, BIOCSETF, unmapped));
	EXPECT_EQ(EFAULT, errno) TH_LOG("bad npf_program pointer: %s",
					strerror(errno));
	/* bf_len 0 with a bogus pointer is still a removal: not tried, the
	 * previous filter has to survive this test */

	/* nothing changed: counters, buffered records, filter */
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(2ULL, st.bs_recv) TH_LOG("a refused BIOCSETF zeroed the counters");
	EXPECT_EQ(1ULL, st.bs_capt);
	EXPECT_EQ(1ULL, st.bs_filtered);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f + 2, 2));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 4, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(2, collect(self->fd, &self->l, 2, 5000, BIG))
		TH_LOG("%s", npf_err);
	EXPECT_TRUE(rec_matches_snap(&self->l.r[0], &f[0], 100))
		TH_LOG("the record buffered before the refused programs is gone");
	EXPECT_TRUE(rec_matches_snap(&self->l.r[1], &f[2], 100))
		TH_LOG("the previous filter is not in force");
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(4ULL, st.bs_recv);
	EXPECT_EQ(2ULL, st.bs_filtered);

	/* the longest legal program is accepted */
	huge[NPF_MAXINSNS - 1] = (struct sock_filter)STMT(BPF_RET | BPF_K, 65535);
	EXPECT_EQ(0, npf_set_filter(self->fd, huge, NPF_MAXINSNS))
		TH_LOG("%d instructions: %s", NPF_MAXINSNS, npf_err);

	munmap(unmapped, 4096);
	free(huge);
}

/* bf_len 0 removes the filter: whole frames again, of every kind. */
TEST_F_TIMEOUT(filter, len_zero_removes_filter, 60)
{
	struct frame f[4];
	struct npf_program p;

	for (int i = 0; i < 4; i++)
		mk_mixed(&f[i], self->env.mac_a, self->env.mac_b, i, 800, i);
	ASSERT_EQ(0, compile_set(self->fd, "udp", 64)) TH_LOG("%s", npf_err);
	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, ioctl(self->fd, BIOCSETF, &p))
		TH_LOG("bf_len 0: %s", strerror(errno));
	/* the pointer of an empty program is never read */
	ASSERT_EQ(0, compile_set(self->fd, "udp", 64)) TH_LOG("%s", npf_err);
	p.bf_insns = 8;
	ASSERT_EQ(0, ioctl(self->fd, BIOCSETF, &p))
		TH_LOG("bf_len 0, bf_insns 8: %s", strerror(errno));
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 4));
	ASSERT_EQ(4, collect(self->fd, &self->l, 4, 10000, BIG))
		TH_LOG("%s", npf_err);
	for (int i = 0; i < 4; i++) {
		EXPECT_TRUE(rec_matches(&self->l.r[i], &f[i]))
			TH_LOG("frame %d: caplen %u", i,
			       self->l.r[i].h.bh_caplen);
	}
}

/* BIOCSETF (install or removal) flushes the ring and zeroes counters. */
TEST_F_TIMEOUT(filter, setf_flushes_and_zeroes, 60)
{
	struct frame f[3];
	struct npf_stats st;
	struct npf_program p;
	uint8_t buf[8192];

	for (int i = 0; i < 3; i++)
		mk_mixed(&f[i], self->env.mac_a, self->env.mac_b, i, 200, i);

	for (int round = 0; round < 2; round++) {
		ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 3));
		ASSERT_EQ(0, npf_wait_accounted(self->fd, 3, 10000))
			TH_LOG("%s", npf_err);
		if (round == 0) {
			ASSERT_EQ(0, compile_set(self->fd, "ip or ip6", 65535))
				TH_LOG("%s", npf_err);
		} else {
			memset(&p, 0, sizeof(p));
			ASSERT_EQ(0, ioctl(self->fd, BIOCSETF, &p));
		}
		ASSERT_EQ(0, npf_stats(self->fd, &st));
		EXPECT_EQ(0ULL, st.bs_recv) TH_LOG("round %d", round);
		EXPECT_EQ(0ULL, st.bs_capt);
		EXPECT_EQ(0ULL, st.bs_drop);
		EXPECT_EQ(0ULL, st.bs_filtered);
		EXPECT_EQ(0ULL, st.bs_nomem);
		EXPECT_EQ(0ULL, st.ps_ifdrop);
		EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)))
			TH_LOG("round %d: records survived BIOCSETF", round);
	}
}

/* ---- filter correctness against the kernel socket filter ---------------- */

FIXTURE(expr) {
	struct npf_env env;
	int fd, sniff;
	struct reclist l;
};

FIXTURE_VARIANT(expr) {
	const char *expr;
};

#define EXPR(name, e) \
	FIXTURE_VARIANT_ADD(expr, name) { .expr = e }

EXPR(udp, "udp");
EXPR(tcp_port_80, "tcp port 80");
EXPR(icmp, "icmp");
EXPR(arp, "arp");
EXPR(ip6, "ip6");
EXPR(udp_dst_53, "udp and dst port 53");
EXPR(len_gt_500, "len > 500");
EXPR(ether_broadcast, "ether broadcast");
EXPR(not_ip, "not ip");
EXPR(syn_to_host, "ip host 10.0.0.1 and tcp[tcpflags] & tcp-syn != 0");
EXPR(fragments, "ip[6:2] & 0x3fff != 0");
EXPR(ip6_tcp, "ip6 and tcp");
EXPR(multicast, "ether multicast and not ether broadcast");
EXPR(net_and_len, "src net 10.0.0.0/24 and less 200");
EXPR(ethertype_88b5, "ether proto 0x88b5");
EXPR(everything, "");

FIXTURE_SETUP(expr)
{
	reclist_init(&self->l);
	self->fd = self->sniff = -1;
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
}

FIXTURE_TEARDOWN(expr)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->sniff >= 0)
		close(self->sniff);
	reclist_free(&self->l);
	env_teardown(&self->env);
}

/* The mixed traffic set every expression is tried on. */
static int mixed_set(struct frame *f, const uint8_t *a, const uint8_t *b)
{
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	int n = 0;

	mk_udp4(&f[n++], a, b, "10.0.0.2", "10.0.0.1", 1000, 53, 60, 1);
	mk_udp4(&f[n++], a, b, "10.0.0.2", "10.0.0.1", 1001, 5353, 600, 2);
	mk_udp4(&f[n++], a, b, "10.0.0.3", "10.0.0.1", 1002, 53, 1514, 3);
	mk_udp4(&f[n++], a, b, "10.0.0.1", "10.0.0.2", 53, 1003, 200, 4);
	mk_tcp4(&f[n++], a, b, "10.0.0.2", "10.0.0.1", 40000, 80, TH_SYN,
		74, 5);
	mk_tcp4(&f[n++], a, b, "10.0.0.1", "10.0.0.2", 80, 40000,
		TH_SYN | TH_ACK, 74, 6);
	mk_tcp4(&f[n++], a, b, "10.0.0.2", "10.0.0.1", 40000, 80, TH_ACK,
		1514, 7);
	mk_tcp4(&f[n++], a, b, "10.0.0.5", "10.0.0.6", 40001, 22, TH_SYN,
		60, 8);
	mk_tcp4(&f[n++], a, b, "10.0.0.2", "10.0.0.1", 40002, 443,
		TH_PSH | TH_ACK, 800, 9);
	mk_tcp4_opts(&f[n++], a, b, "10.0.0.2", "10.0.0.1", 40003, 80,
		     TH_SYN, 200, 10);
	mk_icmp4(&f[n++], a, b, "10.0.0.2", "10.0.0.1", 8, 98, 11);
	mk_icmp4(&f[n++], a, b, "10.0.0.1", "10.0.0.2", 0, 1000, 12);
	mk_arp(&f[n++], mac_bcast, b, 1, "10.0.0.2", "10.0.0.1", 60);
	mk_arp(&f[n++], a, b, 2, "10.0.0.2", "10.0.0.1", 60);
	mk_ip6(&f[n++], a, b, "2001:db8::2", "2001:db8::1", 17, 1000, 53,
	       100, 13);
	mk_ip6(&f[n++], a, b, "2001:db8::2", "2001:db8::1", 6, 40000, 80,
	       94, 14);
	mk_ip6(&f[n++], a, b, "2001:db8::2", "2001:db8::1", 58, 0, 0, 1514,
	       15);
	mk_udp4(&f[n++], mac_bcast, b, "10.0.0.2", "255.255.255.255", 68, 67,
		300, 16);
	mk_udp4(&f[n++], mcast, b, "10.0.0.2", "224.0.0.251", 5353, 5353,
		120, 17);
	mk_raw(&f[n++], a, b, 0x88b5, 601, 18);
	mk_raw(&f[n++], mac_bcast, b, 0x88b5, 64, 19);
	mk_udp4_frag(&f[n++], a, b, "10.0.0.2", "10.0.0.1", 1004, 53, 0,
		     true, 1514, 20);
	mk_udp4_frag(&f[n++], a, b, "10.0.0.2", "10.0.0.1", 1004, 53, 185,
		     false, 700, 21);
	mk_tcp4(&f[n++], a, b, "10.0.0.2", "10.0.0.1", 40004, 80,
		TH_RST, 501, 22);
	return n;
}

#define MAXSET 32

TEST_F_TIMEOUT(expr, same_frames_as_kernel_socket_filter, 120)
{
	struct frame *f = calloc(MAXSET, sizeof(*f));
	struct sock_filter *prog;
	uint8_t buf[2048];
	int n, len, want = 0, got_sock = 0;
	uint32_t expect_snap[MAXSET];
	int sock_hit[MAXSET];

	ASSERT_NE(NULL, f);
	n = mixed_set(f, self->env.mac_a, self->env.mac_b);
	for (int i = 0; i < n; i++) {
		ASSERT_NE(0U, f[i].len) TH_LOG("frame %d not built", i);
	}
	len = compile_filter(variant->expr, 65535, &prog);
	ASSERT_LT(0, len) TH_LOG("%s", npf_err);
	for (int i = 0; i < n; i++) {
		expect_snap[i] = offline_filter(prog, len, &f[i]);
		want += expect_snap[i] != 0;
	}
	TH_LOG("'%s': %d instructions, libpcap says %d of %d frames match",
	       variant->expr, len, want, n);

	self->sniff = rx_socket(self->env.ifindex_a, prog, len);
	ASSERT_LE(0, self->sniff) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_filter(self->fd, prog, len)) TH_LOG("%s", npf_err);

	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, n)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(self->fd, n, 20000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(want, collect(self->fd, &self->l, want, 5000, BIG))
		TH_LOG("npf captured %d, want %d (%s)", self->l.n, want,
		       npf_err);
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)))
		TH_LOG("npf captured more than libpcap's interpreter accepts");

	/* the kernel's socket filter on the same device */
	for (int i = 0; i < MAXSET; i++)
		sock_hit[i] = 0;
	for (;;) {
		struct pollfd p = { .fd = self->sniff, .events = POLLIN };
		ssize_t r;
		int hit = -1;

		if (poll(&p, 1, got_sock < want ? 3000 : 200) <= 0)
			break;
		r = recv(self->sniff, buf, sizeof(buf), MSG_TRUNC);
		ASSERT_LT(0, r);
		for (int i = 0; i < n; i++) {
			if (r == (ssize_t)f[i].len &&
			    !memcmp(buf, f[i].b, f[i].len))
				hit = i;
		}
		EXPECT_LE(0, hit) TH_LOG("socket got a frame not sent");
		if (hit >= 0)
			sock_hit[hit]++;
		got_sock++;
	}

	for (int i = 0, k = 0; i < n; i++) {
		bool npf_hit = k < self->l.n &&
			rec_matches_snap(&self->l.r[k], &f[i], 65535);

		if (npf_hit)
			k++;
		EXPECT_EQ(expect_snap[i] != 0, npf_hit)
			TH_LOG("'%s' on %s: libpcap %s, npf %s", variant->expr,
			       f[i].desc, expect_snap[i] ? "accepts" : "rejects",
			       npf_hit ? "captured it" : "did not");
		EXPECT_EQ(sock_hit[i], npf_hit ? 1 : 0)
			TH_LOG("'%s' on %s: kernel socket filter %s, npf %s",
			       variant->expr, f[i].desc,
			       sock_hit[i] ? "accepts" : "rejects",
			       npf_hit ? "captured it" : "did not");
	}
	free(prog);
	free(f);
}

/* A filter installed before BIOCSETIF stays in force after it. */
TEST_F_TIMEOUT(filter, filter_set_before_bind, 60)
{
	struct frame f[2];
	int fd = npf_open(0);

	ASSERT_LE(0, fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, compile_set(fd, "tcp", 65535)) TH_LOG("unbound: %s",
							   npf_err);
	ASSERT_EQ(0, npf_set_timeout(fd, -1));
	ASSERT_EQ(0, npf_bind(fd, IF_A)) TH_LOG("%s", npf_err);
	mk_udp4(&f[0], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 100, 0);
	mk_tcp4(&f[1], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, TH_SYN, 100, 1);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 2));
	ASSERT_EQ(0, npf_wait_accounted(fd, 2, 10000)) TH_LOG("%s", npf_err);
	ASSERT_EQ(1, collect(fd, &self->l, 2, 500, BIG)) TH_LOG("%s", npf_err);
	EXPECT_TRUE(rec_matches(&self->l.r[0], &f[1]));
	close(fd);
}

TEST_HARNESS_MAIN
