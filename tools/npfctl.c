// SPDX-License-Identifier: GPL-2.0
/*
 * npfctl: what the npf module is doing, from its generic netlink family
 * "npf": its version and parameters (npfctl info), and every open of
 * /dev/npf in this network namespace with its adapter, mode, ring and
 * counters (npfctl opens). Read-only: an open is configured by its owner.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"		/* <pcap.h>, then <Packet32.h> */
#include "ctl.h"

#ifndef NPF_TOOLS_VERSION
#define NPF_TOOLS_VERSION	"0.0.0"
#endif

enum {
	OPT_VERSION = 256,
};

static const struct option long_options[] = {
	{ "help",	no_argument,	NULL, 'h' },
	{ "version",	no_argument,	NULL, OPT_VERSION },
	{ "json",	no_argument,	NULL, 'j' },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: npfctl [-j] [info | opens]\n"
"\n"
"Show what the npf module is doing, from its generic netlink family \"npf\".\n"
"\n"
"  info          (the default) the module's version, the version of its\n"
"                ioctl API, its max_buffer_size parameter (the largest ring\n"
"                an open may ask for, bytes) and the number of opens of\n"
"                /dev/npf in this network namespace\n"
"  opens         every open of /dev/npf in this network namespace: its id,\n"
"                the process that opened it (pid, and its command name when\n"
"                /proc tells it), the adapter it is bound to, its mode\n"
"                (capt, stat, dump, stat+dump), ring bytes used and size,\n"
"                MinToCopy, read timeout, flags (filter: a BPF filter is\n"
"                installed; promisc: it holds promiscuous mode; dumping: a\n"
"                kernel dump file is open) and counters (recv, capt, drop,\n"
"                filter_rejects, nomem, sent: see <linux/npf.h>). Needs\n"
"                CAP_NET_ADMIN\n"
"  -j, --json    one JSON object per line: info has the keys \"version\",\n"
"                \"api_major\", \"api_minor\", \"max_buffer_size\", \"opens\";\n"
"                an open \"id\", \"pid\", \"comm\" (when known), \"ifindex\" and\n"
"                \"adapter\" (when bound), \"gone\", \"mode\", \"ring_used\",\n"
"                \"ring_size\", \"min_to_copy\", \"timeout\" (ms; 0 none, -1\n"
"                immediate), \"filter\", \"promisc\", \"dumping\", and the counters\n"
"  -h, --help    this help; --version: versions\n");
}

/* The command word; dies on options or words it does not know. */
static const char *parse_args(int argc, char **argv, bool *json)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "hj", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case 'j':
			*json = true;
			break;
		case OPT_VERSION:
			tool_print_version(false);
			exit(0);
		default:
			tool_bad_option(argv[optind - 1], false);
		}
	}
	if (optind == argc)
		return "info";
	if (optind + 1 < argc)
		tool_die("unexpected argument '%s' (see npfctl --help)",
			 argv[optind + 1]);
	if (strcmp(argv[optind], "info") && strcmp(argv[optind], "opens"))
		tool_die("unknown command '%s' (see npfctl --help)",
			 argv[optind]);
	return argv[optind];
}

static void __attribute__((noreturn)) netlink_error(const char *what)
{
	if (errno == ENOENT)
		tool_die("the npf module is not loaded (no generic netlink family \"%s\")",
			 NPF_GENL_NAME);
	if (errno == EPERM || errno == EACCES)
		tool_die("%s needs CAP_NET_ADMIN (%s)", what, strerror(errno));
	tool_die("%s: %s", what, strerror(errno));
}

/* /proc/PID/comm without the newline, or NULL. */
static const char *comm_of(uint32_t pid, char *buf, size_t size)
{
	char path[32];
	FILE *f;

	if (!pid)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	if (!fgets(buf, (int)size, f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int show_info(bool json)
{
	struct ctl_info info;

	if (ctl_get_info(&info) < 0)
		netlink_error("asking the module");
	ctl_print_info(stdout, &info, json);
	return 0;
}

static int show_opens(bool json)
{
	struct ctl_open *opens;
	char comm[64];
	size_t i, n;

	if (ctl_get_opens(&opens, &n) < 0)
		netlink_error("listing the opens");
	for (i = 0; i < n; i++)
		ctl_print_open(stdout, &opens[i],
			       comm_of(opens[i].pid, comm, sizeof(comm)), json);
	free(opens);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd;
	bool json = false;
	int ret;

	tool_name = "npfctl";
	cmd = parse_args(argc, argv, &json);
	if (!strcmp(cmd, "opens"))
		ret = show_opens(json);
	else
		ret = show_info(json);
	if (fflush(stdout) || ferror(stdout))
		tool_die("standard output: write error");
	return ret;
}
