/* SPDX-License-Identifier: GPL-2.0 */
/*
 * frame.h - the frames npfgen builds: Ethernet + IPv4 + UDP, checksums
 * filled in, zero payload; and the parsing of the addresses they carry.
 */
#ifndef NPF_TOOLS_FRAME_H
#define NPF_TOOLS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define TOOL_ETH_ALEN		6
#define TOOL_ETH_HLEN		14
#define TOOL_UDP_HLEN		(TOOL_ETH_HLEN + 20 + 8)	/* 42 */
/* Smallest Ethernet frame without its FCS; shorter ones are runts. */
#define TOOL_ETH_MIN_FRAME	60

struct tool_udp_frame {
	uint8_t src_mac[TOOL_ETH_ALEN];
	uint8_t dst_mac[TOOL_ETH_ALEN];
	uint32_t src_ip;	/* host byte order */
	uint32_t dst_ip;
	uint16_t sport;
	uint16_t dport;
	uint32_t size;		/* frame bytes, >= TOOL_UDP_HLEN, no FCS */
};

/*
 * Write the frame @f describes into @buf (at least f->size bytes): IPv4
 * (TTL 64, DF, header checksum), UDP (checksum), payload of zeros up to
 * f->size. 0, or -1 with errno EINVAL when f->size is too small for the
 * headers or too large for IPv4.
 */
int tool_build_udp(const struct tool_udp_frame *f, uint8_t *buf);

/*
 * The Internet checksum (RFC 1071) of @len bytes at @data, starting from
 * the partial sum @sum (0, or a pseudo-header's): the value to store, in
 * network byte order as the bytes are.
 */
uint16_t tool_inet_csum(const void *data, size_t len, uint32_t sum);

/*
 * "02:00:5e:10:00:01" (or with '-', as Windows prints them) into @mac.
 * 0, or -1 with errno EINVAL.
 */
int tool_parse_mac(const char *s, uint8_t mac[TOOL_ETH_ALEN]);

/* A dotted-quad IPv4 address into host byte order: 0, or -1 EINVAL. */
int tool_parse_ipv4(const char *s, uint32_t *addr);

#endif /* NPF_TOOLS_FRAME_H */
