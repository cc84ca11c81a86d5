// SPDX-License-Identifier: MIT
/* Adapter names: Linux names as they are, WinPcap device names stripped. */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "t.h"

/* The interface name npf_parse_adapter_name() makes of @name, or NULL. */
static const char *parse(const char *name)
{
	static char ifname[NPF_IFNAMSIZ];

	memset(ifname, 'x', sizeof(ifname));
	return npf_parse_adapter_name(name, ifname) ? NULL : ifname;
}

static int parses_to(const char *name, const char *want)
{
	const char *got = parse(name);

	return got && !strcmp(got, want);
}

static void linux_name_as_is(void)
{
	CHECK(parses_to("eth0", "eth0"));
	CHECK(parses_to("lo", "lo"));
	CHECK(parses_to("veth-a.100", "veth-a.100"));
	/* Not a device path: NPF_ is part of the name. */
	CHECK(parses_to("NPF_eth0", "NPF_eth0"));
}

static void device_prefix_stripped(void)
{
	CHECK(parses_to("\\Device\\NPF_eth0", "eth0"));
	/* The same with C-escaped backslashes typed literally. */
	CHECK(parses_to("\\\\Device\\\\NPF_eth0", "eth0"));
	/* Win32 device namespace form. */
	CHECK(parses_to("\\\\.\\NPF_eth0", "eth0"));
	/* Windows object names are case-insensitive. */
	CHECK(parses_to("\\DEVICE\\npf_eth0", "eth0"));
	CHECK(parses_to("\\Device\\NPF_Loopback", "Loopback"));
}

static void partial_prefix_kept(void)
{
	/* Linux allows backslashes in names: no full prefix, no stripping. */
	CHECK(parses_to("\\Device\\eth0", "\\Device\\eth0"));
	CHECK(parses_to("\\eth0", "\\eth0"));
	CHECK(parses_to("Device\\NPF_x", "Device\\NPF_x"));
}

static void empty_name_einval(void)
{
	char ifname[NPF_IFNAMSIZ];

	CHECK_ERR(npf_parse_adapter_name("", ifname), -1, EINVAL);
	CHECK_ERR(npf_parse_adapter_name("\\Device\\NPF_", ifname), -1, EINVAL);
	CHECK_ERR(npf_parse_adapter_name(NULL, ifname), -1, EINVAL);
	CHECK_ERR(npf_parse_adapter_name("eth0", NULL), -1, EINVAL);
}

static void long_name_enametoolong(void)
{
	char ifname[NPF_IFNAMSIZ];

	/* 15 characters and the NUL fit in IFNAMSIZ; 16 do not. */
	CHECK(parses_to("abcdefghijklmno", "abcdefghijklmno"));
	CHECK(parses_to("\\Device\\NPF_abcdefghijklmno", "abcdefghijklmno"));
	CHECK_ERR(npf_parse_adapter_name("abcdefghijklmnop", ifname), -1,
		  ENAMETOOLONG);
	/* A Windows GUID name cannot be a Linux interface. */
	CHECK_ERR(npf_parse_adapter_name(
		"\\Device\\NPF_{4E273621-5161-46C8-895A-48D0E52A0B83}", ifname),
		-1, ENAMETOOLONG);
}

const struct t_case name_cases[] = {
	T_CASE(linux_name_as_is),
	T_CASE(device_prefix_stripped),
	T_CASE(partial_prefix_kept),
	T_CASE(empty_name_einval),
	T_CASE(long_name_enametoolong),
	T_END
};
