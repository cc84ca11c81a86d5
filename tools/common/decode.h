/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode.h - print one captured packet the way tcpdump 4.99 does.
 *
 * npf_print_packet() writes one packet to @out in the format of
 * "tcpdump -r FILE" (tcpdump 4.99.3 as shipped in Debian 12 is the
 * reference, compared byte for byte by tools/tests/decode/run.sh): the
 * time stamp, then the link, network and transport headers, on one line
 * ending with '\n'.  The -x/-xx/-X/-XX hex dumps follow on lines of their
 * own ("\t0x0000:  4500 0054 ...", -X adding the ASCII column).  Like
 * tcpdump, a few packets take more lines: -v output (IPv4 header fields
 * on a line of their own, ICMP quoted packets, ICMPv6 neighbor discovery
 * options) and the hex dump of what cannot be decoded (unknown
 * ethertypes, ARP operations and ICMPv6 types, 802.2 LLC payloads).
 *
 * @sec/@frac is the capture time: @frac is microseconds, or nanoseconds
 * when opts->nano is set.  @data holds @caplen captured bytes of a packet
 * that was @len bytes long on the wire.  @linktype is the pcap LINKTYPE_
 * value: 1 (Ethernet) or 101 (raw IPv4/IPv6); any other prints an
 * "unsupported link type" line.  Records with caplen 0, len 0 or
 * len < caplen print tcpdump's "[Invalid header: ...]" line instead.
 *
 * The decoder reads nothing past @caplen, keeps no state between calls (no
 * globals, caches or allocation), does no I/O but writing to @out and may
 * be called from several threads.  Data cut short by a snap length gets
 * tcpdump's "[|proto]" marker where tcpdump prints one, and any byte
 * string prints something: tools/tests/decode fuzzes it under ASan/UBSan.
 *
 * Decoded: Ethernet (802.1Q/802.1ad/0x9100 VLAN tags, any depth), 802.2
 * LLC (generic U/S/I frames, SNAP with an ethertype, IP SAP), ARP, RARP,
 * InARP, IPv4 (with -v: options, checksum), fragments, IPv4/IPv6
 * tunnels, IPv6 (hop-by-hop, destination options and fragment headers),
 * TCP (flags, seq/ack, window, urgent pointer, options; with -v the
 * checksum and RST text), UDP, ICMP (echo, unreachable, time exceeded,
 * redirect, source quench, parameter problem, router discovery, timestamp,
 * address mask), ICMPv6 (echo, errors, router/neighbor discovery and
 * their options, redirect, MLDv1/v2).  Other protocols get tcpdump's
 * fallback forms: "ethertype NAME (0xNNNN)" plus a hex dump,
 * " ip-proto-N LEN" (" NAME LEN" without -n), "unknown icmp6 type".
 *
 * Documented differences from tcpdump:
 *
 *  - Host addresses are never resolved: without -n tcpdump looks up IP
 *    addresses in DNS; npf always prints them as numbers.  MAC addresses
 *    are printed as tcpdump prints them without -n ("Broadcast",
 *    "(oui NAME)"), but /etc/ethers is not read.
 *  - Port names (without -n) come from a built-in copy of Debian 12's
 *    /etc/services (netbase 6.4), not from the file at run time.
 *  - TCP sequence numbers are absolute, as with "tcpdump -S": the relative
 *    numbers tcpdump prints by default need state kept across packets.
 *    Both agree on SYN and non-ACK segments and on the first segment of a
 *    connection, except for SACK blocks, which tcpdump makes relative.
 *  - No application protocols: where tcpdump decodes DNS, DHCP, NTP, SNMP,
 *    HTTP, SSH, BGP, NFS... by port, npf prints "UDP, length N" or the
 *    plain TCP summary.  Likewise IGMP, GRE, ESP/AH, OSPF, PIM, VRRP,
 *    SCTP, DCCP, MPTCP options, IPv6 routing and mobility headers,
 *    non-IP ethertypes (IPX, MPLS, PPPoE, LLDP, ...) and LLC/SNAP payloads
 *    (STP, CDP, ...) are shown in the fallback forms above.
 *  - Rare -v details are left out: ICMP multi-part (MPLS) extensions and
 *    IPv6 home address options; DNS names in ICMPv6 DNSSL options are
 *    printed without EDNS0 bit labels.
 */
#ifndef NPF_TOOLS_DECODE_H
#define NPF_TOOLS_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct npf_print_opts {
	bool numeric;	/* -n: no port/protocol name look-ups */
	bool link;	/* -e: print the link-level header */
	int hex;	/* 0; 1: -x (hex); 2: -X (hex and ASCII) */
	bool hex_link;	/* -xx / -XX: include the link header in hex dumps */
	bool nano;	/* frac is nanoseconds: print 9 digits */
	int tstamp;	/* 0: local HH:MM:SS.frac, 1: -t (none), 2: -tt */
	bool verbose;	/* -v: IP header fields, checksums */
};

/* linktype: pcap LINKTYPE_ value: 1 Ethernet, 101 raw IP. */
void npf_print_packet(FILE *out, const struct npf_print_opts *opts,
		      int64_t sec, uint32_t frac, const uint8_t *data,
		      uint32_t caplen, uint32_t len, int linktype);

#endif /* NPF_TOOLS_DECODE_H */
