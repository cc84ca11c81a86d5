// SPDX-License-Identifier: GPL-2.0
/* UDP/IPv4 frames and address parsing; see frame.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "frame.h"

#define ETH_P_IPV4	0x0800
#define IP_DF		0x4000
#define IPPROTO_UDP_NR	17

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

uint16_t tool_inet_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint64_t s = sum;

	for (; len > 1; p += 2, len -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		s += (uint32_t)(p[0] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

static void put_ipv4(const struct tool_udp_frame *f, uint8_t *ip)
{
	uint16_t csum;

	ip[0] = 0x45;			/* version 4, 20-byte header */
	ip[1] = 0;			/* DSCP, ECN */
	put16(ip + 2, (uint16_t)(f->size - TOOL_ETH_HLEN));
	put16(ip + 4, 0);		/* id: DF is set, no fragments */
	put16(ip + 6, IP_DF);
	ip[8] = 64;			/* TTL */
	ip[9] = IPPROTO_UDP_NR;
	put16(ip + 10, 0);
	put32(ip + 12, f->src_ip);
	put32(ip + 16, f->dst_ip);
	csum = tool_inet_csum(ip, 20, 0);
	memcpy(ip + 10, &csum, 2);
}

static void put_udp(const struct tool_udp_frame *f, uint8_t *udp)
{
	uint16_t len = (uint16_t)(f->size - TOOL_ETH_HLEN - 20), csum;
	uint32_t pseudo;

	put16(udp, f->sport);
	put16(udp + 2, f->dport);
	put16(udp + 4, len);
	put16(udp + 6, 0);
	memset(udp + 8, 0, len - 8u);
	/* Pseudo-header: addresses, protocol, UDP length. */
	pseudo = (f->src_ip >> 16) + (f->src_ip & 0xffff) +
		 (f->dst_ip >> 16) + (f->dst_ip & 0xffff) +
		 IPPROTO_UDP_NR + len;
	csum = tool_inet_csum(udp, len, pseudo);
	/* A computed 0 is sent as all ones: 0 means "no checksum". */
	if (!csum)
		csum = 0xffff;
	memcpy(udp + 6, &csum, 2);
}

int tool_build_udp(const struct tool_udp_frame *f, uint8_t *buf)
{
	if (f->size < TOOL_UDP_HLEN || f->size - TOOL_ETH_HLEN > 0xffff) {
		errno = EINVAL;
		return -1;
	}
	memcpy(buf, f->dst_mac, TOOL_ETH_ALEN);
	memcpy(buf + TOOL_ETH_ALEN, f->src_mac, TOOL_ETH_ALEN);
	put16(buf + 12, ETH_P_IPV4);
	put_ipv4(f, buf + TOOL_ETH_HLEN);
	put_udp(f, buf + TOOL_ETH_HLEN + 20);
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int tool_parse_mac(const char *s, uint8_t mac[TOOL_ETH_ALEN])
{
	uint8_t m[TOOL_ETH_ALEN];
	char sep = 0;
	int i, hi, lo;

	for (i = 0; s && i < TOOL_ETH_ALEN; i++) {
		hi = hex_digit(s[0]);
		lo = hi < 0 ? -1 : hex_digit(s[1]);
		if (lo < 0)
			break;
		m[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i == TOOL_ETH_ALEN - 1) {
			if (*s)
				break;
			memcpy(mac, m, sizeof(m));
			return 0;
		}
		/* One separator, the same throughout. */
		if ((*s != ':' && *s != '-') || (sep && *s != sep))
			break;
		sep = *s++;
	}
	errno = EINVAL;
	return -1;
}

int tool_parse_ipv4(const char *s, uint32_t *addr)
{
	struct in_addr a;

	/* inet_pton: exactly four decimal parts, no shorthand. */
	if (!s || inet_pton(AF_INET, s, &a) != 1) {
		errno = EINVAL;
		return -1;
	}
	*addr = ntohl(a.s_addr);
	return 0;
}
