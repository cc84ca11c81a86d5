// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the npf tools; see util.h. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *tool_name = "npf";
volatile sig_atomic_t tool_stop_signal;

static void tool_vprint(const char *tag, const char *fmt, va_list ap)
{
	/* One fprintf per piece; stderr is unbuffered, lines stay whole. */
	fflush(stdout);
	fprintf(stderr, "%s: %s", tool_name, tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void tool_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tool_vprint("", fmt, ap);
	va_end(ap);
	exit(1);
}

void tool_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tool_vprint("WARNING: ", fmt, ap);
	va_end(ap);
}

int tool_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 0);
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

long tool_opt_long(const char *s, const char *what, long min, long max)
{
	long v;

	if (tool_parse_long(s, min, max, &v) < 0)
		tool_die("invalid %s '%s' (must be %ld to %ld)", what, s, min,
			 max);
	return v;
}

char *tool_join_args(int argc, char *const argv[])
{
	size_t len = 1;
	char *buf;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	buf = malloc(len);
	if (!buf)
		tool_die("out of memory");
	buf[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, argv[i]);
	}
	return buf;
}

const char *tool_open_error(const char *ifname, int err, char *buf,
			    size_t size)
{
	switch (err) {
	case ENOENT:
		/* libnpf reports a missing or driverless /dev/npf so. */
		snprintf(buf, size,
			 "/dev/npf not found: the npf module is not loaded");
		break;
	case EPERM:
	case EACCES:
		snprintf(buf, size,
			 "%s: You don't have permission to perform this capture on that device (%s; CAP_NET_RAW is needed)",
			 ifname, strerror(err));
		break;
	case ENODEV:
	case ENXIO:
		snprintf(buf, size, "%s: No such device exists", ifname);
		break;
	case EOPNOTSUPP:
		snprintf(buf, size,
			 "%s: link type not supported (npf captures Ethernet and raw IP devices)",
			 ifname);
		break;
	case ENAMETOOLONG:
		snprintf(buf, size, "%s: interface name too long", ifname);
		break;
	case EINVAL:
		snprintf(buf, size, "invalid interface name '%s'", ifname);
		break;
	default:
		snprintf(buf, size, "%s: %s", ifname, strerror(err));
		break;
	}
	return buf;
}

LPADAPTER tool_open_adapter(const char *ifname)
{
	LPADAPTER a = PacketOpenAdapter(ifname);
	char msg[256];

	if (!a)
		tool_die("%s", tool_open_error(ifname, errno, msg, sizeof(msg)));
	return a;
}

static void on_stop_signal(int sig)
{
	tool_stop_signal = sig;
}

void tool_catch_stop_signals(sigset_t *waitmask)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		if (stops[i] == SIGHUP && sigaction(SIGHUP, NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(stops[i], &sa, NULL);
		sigaddset(&block, stops[i]);
	}
	/* Caught, never blocked: only the tool's own writes raise it. */
	sigaction(SIGPIPE, &sa, NULL);
	if (!waitmask)
		return;
	sigprocmask(SIG_BLOCK, &block, waitmask);
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		if (sigismember(&block, stops[i]))
			sigdelset(waitmask, stops[i]);
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

void tool_print_stats(FILE *out, uint64_t captured, const struct bpf_stat *st)
{
	/* u32 arithmetic: the kernel's 32-bit counters wrap, so does this. */
	uint32_t recv = st->bs_capt + st->bs_drop;

	fprintf(out, "%llu packet%s captured\n",
		(unsigned long long)captured, plural(captured));
	fprintf(out, "%u packet%s received by filter\n", recv, plural(recv));
	fprintf(out, "%u packet%s dropped by kernel\n", st->bs_drop,
		plural(st->bs_drop));
	if (st->ps_ifdrop)
		fprintf(out, "%u packet%s dropped by interface\n",
			st->ps_ifdrop, plural(st->ps_ifdrop));
}

/* As tcpdump's bittok2str(): the names of the bits set, or "none". */
static void if_flag_names(unsigned long flags, char *buf, size_t size)
{
	static const struct {
		unsigned long bit;
		const char *name;
	} names[] = {
		{ PACKET_IF_UP, "Up" },
		{ PACKET_IF_RUNNING, "Running" },
		{ PACKET_IF_LOOPBACK, "Loopback" },
	};
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						len ? ", " : "",
						names[i].name);
	if (!len)
		snprintf(buf, size, "none");
}

const char *tool_format_if_flags(unsigned long flags, char *buf, size_t size)
{
	static const char *const status[] = {
		", Connection status unknown", ", Connected", ", Disconnected",
		"",
	};
	size_t len;

	buf[0] = '\0';
	if (!flags)
		return buf;
	if_flag_names(flags, buf, size);
	len = strlen(buf);
	snprintf(buf + len, size - len, "%s",
		 status[(flags & PACKET_IF_CONNECTION_STATUS) >> 4]);
	return buf;
}

/* PacketGetAdapterNames() into a malloc()ed buffer; NULL and errno. */
static char *adapter_names(void)
{
	ULONG size = 0;
	char *buf = NULL, *bigger;
	int tries;

	/* The list may grow between the two calls: ask again. */
	for (tries = 0; tries < 4; tries++) {
		if (PacketGetAdapterNames(buf, &size))
			return buf;
		if (errno != ENOBUFS)
			break;
		bigger = realloc(buf, size);
		if (!bigger)
			break;
		buf = bigger;
	}
	free(buf);
	return NULL;
}

int tool_print_adapters(FILE *out)
{
	char *buf = adapter_names(), *name, *desc, flags[96];
	ULONG f;
	int i = 1;

	if (!buf)
		return -1;
	for (desc = buf; *desc; desc += strlen(desc) + 1)
		;
	desc++;
	for (name = buf; *name; name += strlen(name) + 1, i++) {
		fprintf(out, "%d.%s (%s)", i, name, desc);
		if (PacketGetAdapterFlags(name, &f) &&
		    *tool_format_if_flags(f, flags, sizeof(flags)))
			fprintf(out, " [%s]", flags);
		fputc('\n', out);
		desc += strlen(desc) + 1;
	}
	free(buf);
	return 0;
}

void tool_print_version(bool with_pcap)
{
	const char *drv = PacketGetDriverVersion();

	printf("%s version %s\n", tool_name, NPF_TOOLS_VERSION);
	printf("libnpf version %s\n", PacketGetVersion());
	if (drv)
		printf("npf module version %s\n", drv);
	else
		printf("npf module not loaded\n");
	if (with_pcap)
		printf("%s\n", pcap_lib_version());
}

void tool_bad_option(const char *arg, bool missing)
{
	bool is_short = optopt > 0 && optopt < 256;

	if (missing && is_short)
		tool_die("option requires an argument -- '%c' (see %s --help)",
			 optopt, tool_name);
	if (missing)
		tool_die("option '%s' requires an argument (see %s --help)",
			 arg, tool_name);
	if (is_short)
		tool_die("invalid option -- '%c' (see %s --help)", optopt,
			 tool_name);
	tool_die("unrecognized option '%s' (see %s --help)", arg, tool_name);
}
