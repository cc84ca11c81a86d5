// SPDX-License-Identifier: GPL-2.0
/*
 * sendframes: send COUNT known Ethernet frames (UDP, TCP, ICMP, IPv6, ARP,
 * other ethertypes; 60..1514 bytes) out of IFACE, addressed to the MAC of
 * PEER, through an AF_PACKET socket; optionally write what was sent to a
 * pcap file. A helper of npfdump_vs_tcpdump.sh, not a test by itself.
 *
 *   sendframes IFACE PEER COUNT [SENT.pcap]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <pcap/pcap.h>

#include "npf_util.h"

int main(int argc, char **argv)
{
	uint8_t src[6], dst[6];
	pcap_dumper_t *dumper = NULL;
	pcap_t *dead = NULL;
	struct frame f;
	int ifindex, s, count;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: %s IFACE PEER COUNT [SENT.pcap]\n",
			argv[0]);
		return 2;
	}
	count = atoi(argv[3]);
	ifindex = link_ifindex(argv[1]);
	if (ifindex < 0 || link_mac(argv[1], src) || link_mac(argv[2], dst)) {
		fprintf(stderr, "sendframes: %s\n", npf_err);
		return 1;
	}
	s = tx_socket(ifindex);
	if (s < 0) {
		fprintf(stderr, "sendframes: %s\n", npf_err);
		return 1;
	}
	if (argc == 5) {
		dead = pcap_open_dead(DLT_EN10MB, 65535);
		dumper = dead ? pcap_dump_open(dead, argv[4]) : NULL;
		if (!dumper) {
			fprintf(stderr, "sendframes: cannot write %s\n",
				argv[4]);
			return 1;
		}
	}
	for (int i = 0; i < count; i++) {
		uint32_t len = 60 + (uint32_t)(i * 397) % 1455;
		struct pcap_pkthdr h;

		if (!mk_mixed(&f, dst, src, i, len, 5000 + i)) {
			fprintf(stderr, "sendframes: cannot build frame %d\n",
				i);
			return 1;
		}
		gettimeofday(&h.ts, NULL);
		if (tx_send(s, &f)) {
			fprintf(stderr, "sendframes: %s\n", npf_err);
			return 1;
		}
		if (dumper) {
			h.caplen = h.len = f.len;
			pcap_dump((u_char *)dumper, &h, f.b);
		}
	}
	if (dumper) {
		pcap_dump_close(dumper);
		pcap_close(dead);
	}
	close(s);
	return 0;
}
