// SPDX-License-Identifier: MIT
/*
 * The documented include order: <pcap.h>, then <Packet32.h>. libpcap's
 * struct bpf_program is then the one PacketSetBpf() takes. Compiling this
 * file is most of the test.
 */
#include <pcap.h>
#include <Packet32.h>

#include "t.h"

static void pcap_program_accepted(void)
{
	/* Filled the way pcap_compile() fills it for "ret #96". */
	struct bpf_insn insn = BPF_STMT(BPF_RET | BPF_K, 96);
	struct bpf_program fp = { 1, &insn };
	ADAPTER dead = { .hFile = -1 };

	CHECK(!PacketSetBpf(&dead, &fp));	/* EBADF, but it compiled */
	CHECK(sizeof(fp.bf_insns[0]) == 8);
#ifdef _NPF_BPF_PROGRAM
	CHECK(0);	/* Packet32.h defined its own after libpcap's */
#endif
}

const struct t_case pcap_order_cases[] = {
	T_CASE(pcap_program_accepted),
	T_END
};
