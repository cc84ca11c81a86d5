// SPDX-License-Identifier: GPL-2.0
/* Option parsing, the expression, error messages, the statistics lines. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "t.h"

static void parse_long(void)
{
	long v = 42;

	CHECK(tool_parse_long("10", 0, 100, &v) == 0 && v == 10);
	CHECK(tool_parse_long("0x10", 0, 100, &v) == 0 && v == 16);
	CHECK(tool_parse_long("-1", -1, 100, &v) == 0 && v == -1);
	CHECK_ERR(tool_parse_long("-2", -1, 100, &v), -1, ERANGE);
	CHECK_ERR(tool_parse_long("101", 0, 100, &v), -1, ERANGE);
	CHECK_ERR(tool_parse_long("99999999999999999999", 0, LONG_MAX, &v),
		  -1, ERANGE);
	CHECK_ERR(tool_parse_long("", 0, 100, &v), -1, EINVAL);
	CHECK_ERR(tool_parse_long("12k", 0, 100, &v), -1, EINVAL);
	CHECK_ERR(tool_parse_long(NULL, 0, 100, &v), -1, EINVAL);
	CHECK(v == -1);
}

static void join_args(void)
{
	char *words[] = { "tcp", "port", "80" };
	char *one[] = { "not arp" };
	char *s;

	s = tool_join_args(3, words);
	CHECK(!strcmp(s, "tcp port 80"));
	free(s);
	s = tool_join_args(1, one);
	CHECK(!strcmp(s, "not arp"));
	free(s);
	s = tool_join_args(0, NULL);
	CHECK(!strcmp(s, ""));
	free(s);
}

static int msg_is(int err, const char *want)
{
	char buf[256];

	return !strcmp(tool_open_error("eth9", err, buf, sizeof(buf)), want);
}

static void open_errors(void)
{
	CHECK(msg_is(ENOENT, "/dev/npf not found: the npf module is not loaded"));
	CHECK(msg_is(ENODEV, "eth9: No such device exists"));
	CHECK(msg_is(EPERM, "eth9: You don't have permission to perform this capture on that device (Operation not permitted; CAP_NET_RAW is needed)"));
	CHECK(msg_is(ENAMETOOLONG, "eth9: interface name too long"));
	CHECK(msg_is(EIO, "eth9: Input/output error"));
}

static char *stats_text(uint64_t captured, uint32_t recv, uint32_t drop,
			uint32_t ifdrop, uint32_t capt)
{
	struct bpf_stat st = { recv, drop, ifdrop, capt };
	char *text = NULL;
	size_t size;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	tool_print_stats(f, captured, &st);
	fclose(f);
	return text;
}

static void stats_lines(void)
{
	char *s;

	/* received by filter = bs_capt + bs_drop; bs_recv is not shown */
	s = stats_text(5, 100, 2, 0, 7);
	CHECK(s && !strcmp(s, "5 packets captured\n"
			      "9 packets received by filter\n"
			      "2 packets dropped by kernel\n"));
	free(s);
	s = stats_text(1, 1, 0, 3, 1);
	CHECK(s && !strcmp(s, "1 packet captured\n"
			      "1 packet received by filter\n"
			      "0 packets dropped by kernel\n"
			      "3 packets dropped by interface\n"));
	free(s);
	s = stats_text(0, 0, 1, 1, 0);
	CHECK(s && !strcmp(s, "0 packets captured\n"
			      "1 packet received by filter\n"
			      "1 packet dropped by kernel\n"
			      "1 packet dropped by interface\n"));
	free(s);
}

const struct t_case util_cases[] = {
	T_CASE(parse_long),
	T_CASE(join_args),
	T_CASE(open_errors),
	T_CASE(stats_lines),
	T_END
};
