// SPDX-License-Identifier: GPL-2.0
/* npfgen's UDP/IPv4 frames, byte for byte, and the address parsers. */
#include <errno.h>
#include <string.h>

#include "frame.h"
#include "t.h"

static const struct tool_udp_frame base = {
	.src_mac = { 0x02, 0, 0, 0, 0, 0x01 },
	.dst_mac = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	.src_ip = 0xc6120001,		/* 198.18.0.1 */
	.dst_ip = 0xc6120002,
	.sport = 1024,
	.dport = 9,
	.size = 60,
};

/* The 60-byte frame, checksums computed independently. */
static const uint8_t want60[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00,
	0x45, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xae, 0x97,
	0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02,
	0x04, 0x00, 0x00, 0x09, 0x00, 0x1a, 0x6f, 0x89,
	/* 18 bytes of payload, zero */
};

static void udp_frame_bytes(void)
{
	uint8_t buf[64];

	memset(buf, 0x55, sizeof(buf));
	CHECK(tool_build_udp(&base, buf) == 0);
	CHECK(!memcmp(buf, want60, sizeof(want60)));
	CHECK(buf[60] == 0x55);		/* nothing past size */
}

/* A received frame's checksums verify: sums of all ones. */
static void udp_checksums_verify(void)
{
	struct tool_udp_frame f = base;
	uint8_t buf[1514];
	uint32_t pseudo, ulen;

	for (f.size = 60; f.size <= 1514; f.size += 97) {
		f.sport = (uint16_t)(1024 + f.size);
		CHECK(tool_build_udp(&f, buf) == 0);
		CHECK(tool_inet_csum(buf + 14, 20, 0) == 0);
		ulen = f.size - 34;
		CHECK(buf[38] == ulen >> 8 && buf[39] == (ulen & 0xff));
		pseudo = 0xc612 + 0x0001 + 0xc612 + 0x0002 + 17 + ulen;
		CHECK(tool_inet_csum(buf + 34, ulen, pseudo) == 0);
	}
	/* An odd size: IP checksum for total length 47 */
	f.size = 61;
	f.sport = 1025;
	CHECK(tool_build_udp(&f, buf) == 0);
	CHECK(buf[24] == 0xae && buf[25] == 0x96);
	CHECK(buf[40] == 0x6f && buf[41] == 0x86);
}

static void udp_frame_bad_size(void)
{
	struct tool_udp_frame f = base;
	uint8_t buf[64];

	f.size = 41;
	CHECK_ERR(tool_build_udp(&f, buf), -1, EINVAL);
	f.size = 65536 + 14;
	CHECK_ERR(tool_build_udp(&f, buf), -1, EINVAL);
	f.size = 42;			/* headers only: fine */
	CHECK(tool_build_udp(&f, buf) == 0);
}

static void parse_mac(void)
{
	static const uint8_t want[6] = { 0x02, 0x00, 0x5e, 0x10, 0xab, 0xCD };
	uint8_t mac[6] = { 0 };

	CHECK(tool_parse_mac("02:00:5e:10:ab:CD", mac) == 0);
	CHECK(!memcmp(mac, want, 6));
	memset(mac, 0, 6);
	CHECK(tool_parse_mac("02-00-5E-10-AB-cd", mac) == 0);
	CHECK(!memcmp(mac, want, 6));
	CHECK_ERR(tool_parse_mac("02:00:5e:10:ab", mac), -1, EINVAL);
	CHECK_ERR(tool_parse_mac("02:00:5e:10:ab:cd:ef", mac), -1, EINVAL);
	CHECK_ERR(tool_parse_mac("02:00-5e:10:ab:cd", mac), -1, EINVAL);
	CHECK_ERR(tool_parse_mac("2:0:5e:10:ab:cd", mac), -1, EINVAL);
	CHECK_ERR(tool_parse_mac("02:00:5e:10:ab:cg", mac), -1, EINVAL);
	CHECK_ERR(tool_parse_mac("", mac), -1, EINVAL);
	CHECK_ERR(tool_parse_mac(NULL, mac), -1, EINVAL);
	CHECK(!memcmp(mac, want, 6));	/* untouched on failure */
}

static void parse_ipv4(void)
{
	uint32_t a = 7;

	CHECK(tool_parse_ipv4("198.18.0.1", &a) == 0 && a == 0xc6120001);
	CHECK(tool_parse_ipv4("255.255.255.255", &a) == 0 &&
	      a == 0xffffffff);
	CHECK_ERR(tool_parse_ipv4("198.18.1", &a), -1, EINVAL);
	CHECK_ERR(tool_parse_ipv4("256.0.0.1", &a), -1, EINVAL);
	CHECK_ERR(tool_parse_ipv4("::1", &a), -1, EINVAL);
	CHECK_ERR(tool_parse_ipv4("", &a), -1, EINVAL);
	CHECK(a == 0xffffffff);
}

const struct t_case frame_cases[] = {
	T_CASE(udp_frame_bytes),
	T_CASE(udp_checksums_verify),
	T_CASE(udp_frame_bad_size),
	T_CASE(parse_mac),
	T_CASE(parse_ipv4),
	T_END
};
