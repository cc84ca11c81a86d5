// SPDX-License-Identifier: GPL-2.0
/*
 * npfdump's command line, run as a program: options, -d listings and the
 * error paths that need no module. Every error is one "npfdump: " line on
 * stderr, nothing on stdout, exit status 1.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "t.h"

#define MAXARGS		16

static void slurp(FILE *f, char *buf, size_t size)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

int t_run(struct t_run *r, const char *path, ...)
{
	const char *argv[MAXARGS + 2] = { path };
	FILE *out, *err;
	int i = 1, status;
	va_list ap;
	pid_t pid;

	va_start(ap, path);
	while (i <= MAXARGS && (argv[i] = va_arg(ap, const char *)))
		i++;
	va_end(ap);
	out = tmpfile();
	err = tmpfile();
	if (!out || !err)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
	return 0;
}

int t_error_line(const struct t_run *r, const char *tool, const char *want)
{
	const char *nl = strchr(r->err, '\n');
	size_t n = strlen(tool);

	if (r->status != 1 || r->out[0] || !nl || nl[1])
		return 0;
	if (strncmp(r->err, tool, n) || strncmp(r->err + n, ": ", 2))
		return 0;
	return !strncmp(r->err + n + 2, want, strlen(want));
}

int t_can_run(const char *path)
{
	return path && access(path, X_OK) == 0;
}

#define RUN(r, ...)	\
	CHECK(t_run(r, t_npfdump, __VA_ARGS__, (const char *)NULL) == 0)

static int one_error_line(const struct t_run *r, const char *want)
{
	return t_error_line(r, "npfdump", want);
}

static int have_npfdump(void)
{
	return t_can_run(t_npfdump);
}

static void help(void)
{
	struct t_run r;

	if (!have_npfdump())
		SKIP("no npfdump binary given");
	RUN(&r, "--help");
	CHECK(r.status == 0 && !strncmp(r.out, "Usage: npfdump", 14));
	CHECK(strstr(r.out, "received by filter") != NULL);
	RUN(&r, "-h");
	CHECK(r.status == 0 && !strncmp(r.out, "Usage: npfdump", 14));
	RUN(&r, "--version");
	CHECK(r.status == 0 && strstr(r.out, "libnpf version") != NULL);
}

static void bad_options(void)
{
	struct t_run r;

	if (!have_npfdump())
		SKIP("no npfdump binary given");
	RUN(&r, "-z");
	CHECK(one_error_line(&r, "invalid option -- 'z'"));
	RUN(&r, "--no-such-option");
	CHECK(one_error_line(&r, "unrecognized option '--no-such-option'"));
	RUN(&r, "-i", "eth0", "-c");
	CHECK(one_error_line(&r, "option requires an argument -- 'c'"));
	RUN(&r, "-i", "eth0", "-c", "0");
	CHECK(one_error_line(&r, "invalid packet count '0'"));
	RUN(&r, "-i", "eth0", "-s", "262145");
	CHECK(one_error_line(&r, "invalid snaplen '262145'"));
	RUN(&r, "-i", "eth0", "-B", "-1");
	CHECK(one_error_line(&r, "invalid packet buffer size '-1'"));
	RUN(&r, "-i", "eth0", "--read-timeout", "-2");
	CHECK(one_error_line(&r, "invalid read-timeout '-2'"));
	RUN(&r, "-i", "eth0", "--min-to-copy", "x");
	CHECK(one_error_line(&r, "invalid min-to-copy 'x'"));
	RUN(&r, "-i", "eth0", "-ttt");
	CHECK(one_error_line(&r, "-ttt"));
	RUN(&r, "ip");
	CHECK(one_error_line(&r, "no interface given"));
	/* the kernel dump */
	RUN(&r, "-i", "eth0", "-K");
	CHECK(one_error_line(&r, "-K: the kernel writes a pcap file: give it with -w FILE"));
	RUN(&r, "-i", "eth0", "-K", "-w", "-");
	CHECK(one_error_line(&r, "-K: the kernel writes regular files only"));
	RUN(&r, "-i", "eth0", "-w", "x.pcap", "--max-bytes", "1000");
	CHECK(one_error_line(&r, "--max-bytes limits a kernel dump: it needs -K"));
	RUN(&r, "-i", "eth0", "-K", "-w", "x.pcap", "--max-bytes", "0");
	CHECK(one_error_line(&r, "invalid max-bytes '0'"));
}

/* -d without -i: the program for an Ethernet device, as tcpdump -d. */
static void dump_program(void)
{
	struct t_run r;

	if (!have_npfdump())
		SKIP("no npfdump binary given");
	RUN(&r, "-d");
	CHECK(r.status == 0 && !strcmp(r.out, "(000) ret      #262144\n"));
	RUN(&r, "-d", "-s", "96", "ip");
	CHECK(r.status == 0 && !strcmp(r.out,
		"(000) ldh      [12]\n"
		"(001) jeq      #0x800           jt 2\tjf 3\n"
		"(002) ret      #96\n"
		"(003) ret      #0\n"));
	/* The expression is the remaining words, joined. */
	RUN(&r, "-d", "-s", "0", "ip", "and", "udp");
	CHECK(r.status == 0 && strstr(r.out, "ret      #262144\n") &&
	      strstr(r.out, "jeq      #0x11"));
	RUN(&r, "-dd", "-s", "96");
	CHECK(r.status == 0 && !strcmp(r.out, "{ 0x6, 0, 0, 0x00000060 },\n"));
	RUN(&r, "-d", "tcp", "port", "((");
	CHECK(one_error_line(&r, "can't parse filter expression: syntax error"));
}

static void no_module(void)
{
	struct t_run r;

	if (!have_npfdump())
		SKIP("no npfdump binary given");
	if (access("/dev/npf", F_OK) == 0)
		SKIP("/dev/npf exists here");
	RUN(&r, "-i", "eth0");
	CHECK(one_error_line(&r,
		"/dev/npf not found: the npf module is not loaded"));
	RUN(&r, "-i", "\\Device\\NPF_eth0", "-c", "1", "tcp");
	CHECK(one_error_line(&r,
		"/dev/npf not found: the npf module is not loaded"));
	/* tcpdump -d opens the interface too */
	RUN(&r, "-d", "-i", "eth0");
	CHECK(one_error_line(&r, "/dev/npf not found"));
}

/* With the module loaded (in the VM): an interface that is not there. */
static void no_such_interface(void)
{
	struct t_run r;

	if (!have_npfdump())
		SKIP("no npfdump binary given");
	if (access("/dev/npf", F_OK) != 0)
		SKIP("no /dev/npf here");
	RUN(&r, "-i", "npfnosuch0");
	CHECK(one_error_line(&r, "npfnosuch0: No such device exists") ||
	      one_error_line(&r, "npfnosuch0: You don't have permission"));
}

static void bad_names(void)
{
	struct t_run r;

	if (!have_npfdump())
		SKIP("no npfdump binary given");
	RUN(&r, "-i", "an-interface-name-too-long");
	CHECK(one_error_line(&r,
		"an-interface-name-too-long: interface name too long"));
	RUN(&r, "-i", "");
	CHECK(one_error_line(&r, "invalid interface name ''"));
}

const struct t_case cli_cases[] = {
	T_CASE(help),
	T_CASE(bad_options),
	T_CASE(dump_program),
	T_CASE(no_module),
	T_CASE(no_such_interface),
	T_CASE(bad_names),
	T_END
};
