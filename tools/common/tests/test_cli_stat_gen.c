// SPDX-License-Identifier: GPL-2.0
/*
 * npfstat's and npfgen's command lines, run as programs: help, option
 * errors, file errors, a missing module. Every error is one "TOOL: " line
 * on stderr, nothing on stdout, exit status 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

#define STAT(r, ...)	\
	CHECK(t_run(r, t_npfstat, __VA_ARGS__, (const char *)NULL) == 0)
#define GEN(r, ...)	\
	CHECK(t_run(r, t_npfgen, __VA_ARGS__, (const char *)NULL) == 0)

static int stat_error(const struct t_run *r, const char *want)
{
	return t_error_line(r, "npfstat", want);
}

static int gen_error(const struct t_run *r, const char *want)
{
	return t_error_line(r, "npfgen", want);
}

static void stat_help(void)
{
	struct t_run r;

	if (!t_can_run(t_npfstat))
		SKIP("no npfstat binary given");
	STAT(&r, "--help");
	CHECK(r.status == 0 && !strncmp(r.out, "Usage: npfstat", 14));
	CHECK(strstr(r.out, "\"packets\"") && strstr(r.out, "\"bps\""));
	STAT(&r, "-h");
	CHECK(r.status == 0 && !strncmp(r.out, "Usage: npfstat", 14));
	STAT(&r, "--version");
	CHECK(r.status == 0 && strstr(r.out, "npfstat version") &&
	      strstr(r.out, "libnpf version"));
}

static void stat_bad_options(void)
{
	struct t_run r;

	if (!t_can_run(t_npfstat))
		SKIP("no npfstat binary given");
	STAT(&r, "-z");
	CHECK(stat_error(&r, "invalid option -- 'z'"));
	STAT(&r, "--no-such-option");
	CHECK(stat_error(&r, "unrecognized option '--no-such-option'"));
	STAT(&r, "-i", "eth0", "-t");
	CHECK(stat_error(&r, "option requires an argument -- 't'"));
	STAT(&r, "-i", "eth0", "-t", "0");
	CHECK(stat_error(&r, "invalid interval '0'"));
	STAT(&r, "-i", "eth0", "-t", "0.0005");
	CHECK(stat_error(&r, "invalid interval '0.0005'"));
	STAT(&r, "-i", "eth0", "-t", "1s");
	CHECK(stat_error(&r, "invalid interval '1s'"));
	STAT(&r, "-i", "eth0", "-t", "2147484");
	CHECK(stat_error(&r, "invalid interval '2147484'"));
	STAT(&r, "-i", "eth0", "-c", "0");
	CHECK(stat_error(&r, "invalid interval count '0'"));
	STAT(&r, "udp");
	CHECK(stat_error(&r, "no interface given"));
}

static int no_module_here(void)
{
	return access("/dev/npf", F_OK) != 0;
}

static void stat_no_module(void)
{
	struct t_run r;

	if (!t_can_run(t_npfstat))
		SKIP("no npfstat binary given");
	if (!no_module_here())
		SKIP("/dev/npf exists here");
	STAT(&r, "-i", "eth0", "-t", "0.5", "-c", "3", "--json", "udp");
	CHECK(stat_error(&r, "/dev/npf not found: the npf module is not loaded"));
}

static void gen_help(void)
{
	struct t_run r;

	if (!t_can_run(t_npfgen))
		SKIP("no npfgen binary given");
	GEN(&r, "--help");
	CHECK(r.status == 0 && !strncmp(r.out, "Usage: npfgen", 13));
	CHECK(strstr(r.out, "--sync") && strstr(r.out, "\"frames\""));
	GEN(&r, "--version");
	CHECK(r.status == 0 && strstr(r.out, "npfgen version"));
}

static void gen_bad_options(void)
{
	struct t_run r;

	if (!t_can_run(t_npfgen))
		SKIP("no npfgen binary given");
	GEN(&r, "-z");
	CHECK(gen_error(&r, "invalid option -- 'z'"));
	GEN(&r, "--flows");
	CHECK(gen_error(&r, "option '--flows' requires an argument"));
	GEN(&r, "--size", "60");
	CHECK(gen_error(&r, "no interface given"));
	GEN(&r, "-i", "eth0", "extra");
	CHECK(gen_error(&r, "unexpected argument 'extra'"));
	GEN(&r, "-i", "eth0", "--sync");
	CHECK(gen_error(&r, "--sync replays the timing of a file"));
	GEN(&r, "-i", "eth0", "-r", "x.pcap", "--sync", "-n", "2");
	CHECK(gen_error(&r, "--sync sends each frame once"));
	GEN(&r, "-i", "eth0", "-r", "x.pcap", "--sync", "--pps", "10");
	CHECK(gen_error(&r, "--sync takes the timing from the file"));
	GEN(&r, "-i", "eth0", "-r", "x.pcap", "--dport", "53");
	CHECK(gen_error(&r, "-r sends the file's frames"));
	GEN(&r, "-i", "eth0", "--size", "59");
	CHECK(gen_error(&r, "invalid frame size '59' (must be 60 to"));
	GEN(&r, "-i", "eth0", "--flows", "0");
	CHECK(gen_error(&r, "invalid flow count '0'"));
	GEN(&r, "-i", "eth0", "--flows", "3", "--sport", "65534");
	CHECK(gen_error(&r, "3 flows from source port 65534 go past port 65535"));
	GEN(&r, "-i", "eth0", "--sport", "65536");
	CHECK(gen_error(&r, "invalid source port '65536'"));
	GEN(&r, "-i", "eth0", "-n", "0");
	CHECK(gen_error(&r, "invalid repeat count '0'"));
	GEN(&r, "-i", "eth0", "--loop", "1.5");
	CHECK(gen_error(&r, "invalid loop count '1.5'"));
	GEN(&r, "-i", "eth0", "--pps", "0");
	CHECK(gen_error(&r, "invalid rate '0'"));
	GEN(&r, "-i", "eth0", "--pps", "0.0001");
	CHECK(gen_error(&r, "invalid rate '0.0001'"));
	GEN(&r, "-i", "eth0", "--dst-mac", "ff:ff:ff:ff:ff");
	CHECK(gen_error(&r, "invalid destination MAC address 'ff:ff:ff:ff:ff'"));
	GEN(&r, "-i", "eth0", "--src-ip", "10.1");
	CHECK(gen_error(&r, "invalid source address '10.1'"));
}

/* A file of @len bytes of @data in a fresh directory; its path. */
static const char *tmp_file(char *dir, size_t size, const char *name,
			    const void *data, size_t len)
{
	static char path[128];
	const char *base = getenv("TMPDIR");
	FILE *f;

	if (!dir[0]) {
		snprintf(dir, size, "%s/npfgen-test.XXXXXX",
			 base && strlen(base) < 64 ? base : "/tmp");
		if (!mkdtemp(dir))
			return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fwrite(data, 1, len, f);
	fclose(f);
	return path;
}

/* A pcap file header, Ethernet, then nothing or a cut record. */
static const uint8_t pcap_head[24] = {
	0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 4, 0, 1, 0, 0, 0,
};

/* File errors come before the interface is opened: no module needed. */
static void gen_bad_files(void)
{
	uint8_t cut[24 + 16 + 3];
	char dir[96] = "";
	const char *p;
	char want[160];
	struct t_run r;

	if (!t_can_run(t_npfgen))
		SKIP("no npfgen binary given");
	GEN(&r, "-i", "eth0", "-r", "/nonexistent/x.pcap");
	CHECK(gen_error(&r, "/nonexistent/x.pcap: No such file or directory"));
	p = tmp_file(dir, sizeof(dir), "text.pcap", "hello, world\n", 13);
	CHECK(p != NULL);
	if (!p)
		return;
	snprintf(want, sizeof(want), "%s: unknown file format", p);
	GEN(&r, "-i", "eth0", "-r", p);
	CHECK(gen_error(&r, want));
	p = tmp_file(dir, sizeof(dir), "empty.pcap", pcap_head, 24);
	snprintf(want, sizeof(want), "%s: no frames to send", p);
	GEN(&r, "-i", "eth0", "-r", p);
	CHECK(gen_error(&r, want));
	/* a record of 60 bytes with 3 in the file */
	memcpy(cut, pcap_head, 24);
	memcpy(cut + 24, "\1\0\0\0\0\0\0\0\x3c\0\0\0\x3c\0\0\0abc", 19);
	p = tmp_file(dir, sizeof(dir), "cut.pcap", cut, sizeof(cut));
	snprintf(want, sizeof(want), "%s: truncated dump file", p);
	GEN(&r, "-i", "eth0", "-r", p);
	CHECK(gen_error(&r, want));
	unlink(p);
	snprintf(want, sizeof(want), "%s/empty.pcap", dir);
	unlink(want);
	snprintf(want, sizeof(want), "%s/text.pcap", dir);
	unlink(want);
	rmdir(dir);
}

static void gen_no_module(void)
{
	struct t_run r;

	if (!t_can_run(t_npfgen))
		SKIP("no npfgen binary given");
	if (!no_module_here())
		SKIP("/dev/npf exists here");
	GEN(&r, "-i", "eth0", "-n", "1000", "--pps", "0.5");
	CHECK(gen_error(&r, "/dev/npf not found: the npf module is not loaded"));
}

/* With the module loaded (in the VM): an interface that is not there. */
static void stat_gen_no_such_interface(void)
{
	struct t_run r;

	if (!t_can_run(t_npfstat) || !t_can_run(t_npfgen))
		SKIP("no npfstat or npfgen binary given");
	if (no_module_here())
		SKIP("no /dev/npf here");
	STAT(&r, "-i", "npfnosuch0");
	CHECK(stat_error(&r, "npfnosuch0: No such device exists") ||
	      stat_error(&r, "npfnosuch0: You don't have permission"));
	GEN(&r, "-i", "npfnosuch0");
	CHECK(gen_error(&r, "npfnosuch0: No such device exists") ||
	      gen_error(&r, "npfnosuch0: You don't have permission"));
}

const struct t_case cli_stat_gen_cases[] = {
	T_CASE(stat_help),
	T_CASE(stat_bad_options),
	T_CASE(stat_no_module),
	T_CASE(gen_help),
	T_CASE(gen_bad_options),
	T_CASE(gen_bad_files),
	T_CASE(gen_no_module),
	T_CASE(stat_gen_no_such_interface),
	T_END
};
