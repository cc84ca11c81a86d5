// SPDX-License-Identifier: GPL-2.0
/* Filter compilation with libpcap; see filter.h. */
#include <stdio.h>

#include "filter.h"

#ifndef LINKTYPE_RAW
#define LINKTYPE_RAW		101
#endif
#ifndef LINKTYPE_ETHERNET
#define LINKTYPE_ETHERNET	1
#endif

int tool_linktype_to_dlt(int linktype)
{
	switch (linktype) {
	case LINKTYPE_ETHERNET:
		return DLT_EN10MB;
	case LINKTYPE_RAW:
		return DLT_RAW;
	}
	/* Most other LINKTYPE_ values equal their DLT_ value. */
	return linktype;
}

int tool_compile_filter(int dlt, int snaplen, const char *expr,
			struct bpf_program *prog, char *err, size_t errlen)
{
	/* A dead handle: no device needed, only its link type and snaplen. */
	pcap_t *p = pcap_open_dead(dlt, snaplen);
	int ret;

	if (!p) {
		snprintf(err, errlen, "pcap_open_dead failed");
		return -1;
	}
	ret = pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	if (ret < 0)
		snprintf(err, errlen, "%s", pcap_geterr(p));
	pcap_close(p);
	return ret < 0 ? -1 : 0;
}
