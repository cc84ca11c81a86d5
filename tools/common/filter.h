/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filter.h - filter expressions to classic BPF with libpcap's compiler
 * (WinPcap's wpcap.dll did the same for WinDump).
 */
#ifndef NPF_TOOLS_FILTER_H
#define NPF_TOOLS_FILTER_H

#include <stddef.h>

#include <pcap.h>

/* tcpdump's default and largest snap length. */
#define TOOL_MAX_SNAPLEN	262144

/*
 * The libpcap DLT_ value for a pcap LINKTYPE_ value of BIOCGDLT. They
 * differ for raw IP: LINKTYPE_RAW is 101, DLT_RAW is 12 (14 on OpenBSD).
 */
int tool_linktype_to_dlt(int linktype);

/*
 * Compile @expr for a capture of @dlt frames into @prog, optimized and
 * without a netmask (as tcpdump does without an IPv4 address on the
 * interface). Every accepting path returns @snaplen: the filter sets the
 * snap length. "" gives the single instruction "ret #snaplen".
 * 0, or -1 with libpcap's message in @err. Free @prog with pcap_freecode().
 */
int tool_compile_filter(int dlt, int snaplen, const char *expr,
			struct bpf_program *prog, char *err, size_t errlen);

#endif /* NPF_TOOLS_FILTER_H */
