// SPDX-License-Identifier: GPL-2.0
/* Filter compilation: the snap length is the accepting return value. */
#include <string.h>

#include "filter.h"
#include "t.h"

static void linktypes(void)
{
	CHECK(tool_linktype_to_dlt(1) == DLT_EN10MB);
	CHECK(tool_linktype_to_dlt(101) == DLT_RAW);
	CHECK(DLT_RAW != 101);	/* the reason for the mapping */
}

static void empty_is_ret_snaplen(void)
{
	struct bpf_program p;
	char err[PCAP_ERRBUF_SIZE];

	CHECK(tool_compile_filter(DLT_EN10MB, TOOL_MAX_SNAPLEN, "", &p, err,
				  sizeof(err)) == 0);
	CHECK(p.bf_len == 1);
	CHECK(p.bf_insns[0].code == (BPF_RET | BPF_K));
	CHECK(p.bf_insns[0].k == TOOL_MAX_SNAPLEN);
	pcap_freecode(&p);

	CHECK(tool_compile_filter(DLT_RAW, 96, "", &p, err, sizeof(err)) == 0);
	CHECK(p.bf_len == 1 && p.bf_insns[0].k == 96);
	pcap_freecode(&p);
}

/* Every accepting return is the snap length, every other 0. */
static void returns_are_snaplen(void)
{
	struct bpf_program p;
	char err[PCAP_ERRBUF_SIZE];
	unsigned int i, accept = 0;

	CHECK(tool_compile_filter(DLT_EN10MB, 128, "tcp port 80 or icmp", &p,
				  err, sizeof(err)) == 0);
	for (i = 0; i < p.bf_len; i++) {
		if (p.bf_insns[i].code != (BPF_RET | BPF_K))
			continue;
		CHECK(p.bf_insns[i].k == 128 || p.bf_insns[i].k == 0);
		accept += p.bf_insns[i].k == 128;
	}
	CHECK(accept >= 1);
	pcap_freecode(&p);
}

static void raw_ip(void)
{
	struct bpf_program p;
	char err[PCAP_ERRBUF_SIZE];

	CHECK(tool_compile_filter(DLT_RAW, 262144, "ip and udp", &p, err,
				  sizeof(err)) == 0);
	pcap_freecode(&p);
	/* no link header to match on */
	CHECK(tool_compile_filter(DLT_RAW, 262144, "ether host 1:2:3:4:5:6",
				  &p, err, sizeof(err)) == -1);
	CHECK(strlen(err) > 0);
}

static void syntax_error(void)
{
	struct bpf_program p;
	char err[PCAP_ERRBUF_SIZE];

	err[0] = '\0';
	CHECK(tool_compile_filter(DLT_EN10MB, 262144, "tcp port ((", &p, err,
				  sizeof(err)) == -1);
	CHECK(strstr(err, "syntax error") != NULL);
}

const struct t_case filter_cases[] = {
	T_CASE(linktypes),
	T_CASE(empty_is_ret_snaplen),
	T_CASE(returns_are_snaplen),
	T_CASE(raw_ip),
	T_CASE(syntax_error),
	T_END
};
