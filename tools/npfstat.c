// SPDX-License-Identifier: GPL-2.0
/*
 * npfstat: NPF's statistics mode (MODE_STAT) as a command: the kernel
 * filter classifies, nothing is copied, and once per interval a read
 * returns how many packets and bytes the filter accepted.
 *
 * The interval is the read timeout. The kernel starts each interval at the
 * read that ended the previous one, so no packet falls between two
 * intervals, and an interval that a late reader ends is longer, never
 * short of packets. Rates therefore divide by the interval's real length,
 * measured here with CLOCK_MONOTONIC from read to read.
 *
 * Waiting: the descriptor is non-blocking; ppoll() sleeps until the
 * interval's end (computed here, to the nanosecond, rather than with the
 * poll timer's jiffy) with the stop signals unblocked, so SIGINT and
 * SIGTERM end the wait at once and never land before it unseen.
 */
#define _GNU_SOURCE		/* ppoll() */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"		/* <pcap.h>, then <Packet32.h> */
#include "filter.h"
#include "json.h"
#include "rate.h"

#ifndef NPF_TOOLS_VERSION
#define NPF_TOOLS_VERSION	"0.0.0"
#endif

#define DEFAULT_INTERVAL_MS	1000

struct stat_opts {
	const char *ifname;		/* -i */
	uint64_t interval_ms;		/* -t, in ms */
	long count;			/* -c; 0: no limit */
	bool json;			/* --json */
	bool promisc;			/* not -p */
	char *expr;			/* the filter expression */
};

/* One interval, as printed. */
struct stat_line {
	int64_t sec;			/* end of the interval (the record's) */
	uint32_t usec;
	double seconds;			/* its measured length */
	uint64_t packets;
	uint64_t bytes;
};

enum {
	OPT_VERSION = 256,
	OPT_JSON,
};

static const struct option long_options[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ "interface",		required_argument,	NULL, 'i' },
	{ "interval",		required_argument,	NULL, 't' },
	{ "count",		required_argument,	NULL, 'c' },
	{ "no-promiscuous-mode", no_argument,		NULL, 'p' },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: npfstat -i interface [-p] [-t seconds] [-c count] [--json]\n"
"               [expression]\n"
"\n"
"Count the packets and bytes that match a filter, through NPF's statistics\n"
"mode: the kernel runs the filter on every packet and copies none; once per\n"
"interval npfstat reads the two counters and prints a line.\n"
"\n"
"  -i IFACE      interface to count on (also \\Device\\NPF_IFACE)\n"
"  -t SECONDS    interval length, fractions allowed (default 1; 0.001 to\n"
"                2147483)\n"
"  -c COUNT      exit after COUNT intervals\n"
"  -p            do not put the interface into promiscuous mode\n"
"  --json        one JSON object per interval (JSON Lines)\n"
"  -h, --help    this help; --version: versions\n"
"\n"
"The expression is tcpdump's (pcap-filter(7)), compiled by libpcap; without\n"
"one, every packet counts.\n"
"\n"
"Each line gives the time the interval ended, the packets and bytes the\n"
"filter accepted during it, and their rates. Bytes are the frames' exact\n"
"lengths from the link-layer header on, without preamble or FCS, as the\n"
"adapter saw them (WinPcap's statistics mode estimated max(len, 60) + 12).\n"
"Intervals follow each other without a gap; a rate divides by the\n"
"interval's measured length, which can exceed -t by the time it took to\n"
"read the counters.\n"
"\n"
"With --json each line is an object with the keys \"time\" (end of the\n"
"interval, seconds since the Epoch), \"interval\" (its length in seconds),\n"
"\"packets\", \"bytes\" (integers), \"pps\" and \"bps\" (bit/s).\n"
"\n"
"SIGINT and SIGTERM end npfstat (exit status 0); a partial interval is not\n"
"printed.\n");
}

/* -t: seconds with up to three decimals, as a read timeout in ms. */
static uint64_t parse_interval(const char *s)
{
	uint64_t ms;

	if (tool_parse_fixed(s, 3, 1, INT_MAX, &ms) < 0)
		tool_die("invalid interval '%s' (seconds, 0.001 to %d.%03d)", s,
			 INT_MAX / 1000, INT_MAX % 1000);
	return ms;
}

static void parse_args(int argc, char **argv, struct stat_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->interval_ms = DEFAULT_INTERVAL_MS;
	o->promisc = true;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:hi:pt:", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			o->count = tool_opt_long(optarg, "interval count", 1,
						 LONG_MAX);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'i':
			o->ifname = optarg;
			break;
		case 'p':
			o->promisc = false;
			break;
		case 't':
			o->interval_ms = parse_interval(optarg);
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_VERSION:
			tool_print_version(true);
			exit(0);
		case ':':
			tool_bad_option(argv[optind - 1], true);
		default:
			tool_bad_option(argv[optind - 1], false);
		}
	}
	if (!o->ifname)
		tool_die("no interface given: use -i IFACE (see npfstat --help)");
	o->expr = tool_join_args(argc - optind, argv + optind);
}

static void set_promisc(LPADAPTER a)
{
	if (PacketSetHwFilter(a, NDIS_PACKET_TYPE_PROMISCUOUS))
		return;
	if (errno == EPERM || errno == EACCES)
		tool_die("%s: You don't have permission to capture in promiscuous mode (%s)",
			 a->Name, strerror(errno));
	tool_warn("%s: cannot enable promiscuous mode: %s", a->Name,
		  strerror(errno));
}

/*
 * The filter, the interval, then the mode: the switch to MODE_STAT zeroes
 * the counters and starts the first interval, at *@start (CLOCK_MONOTONIC
 * ns). Returns the link type.
 */
static int configure(LPADAPTER a, const struct stat_opts *o, uint64_t *start)
{
	char err[PCAP_ERRBUF_SIZE + 64];
	struct bpf_program prog;
	int linktype, fd;

	linktype = PacketGetLinkType(a);
	if (linktype < 0)
		tool_die("%s: cannot get the link type: %s", a->Name,
			 strerror(errno));
	/* Any non-zero snap length accepts; nothing is copied anyway. */
	if (tool_compile_filter(tool_linktype_to_dlt(linktype),
				TOOL_MAX_SNAPLEN, o->expr, &prog, err,
				sizeof(err)) < 0)
		tool_die("%s", err);
	if (o->promisc)
		set_promisc(a);
	if (!PacketSetBpf(a, &prog))
		tool_die("%s: cannot install the filter: %s", a->Name,
			 strerror(errno));
	pcap_freecode(&prog);
	if (!PacketSetReadTimeout(a, (int)o->interval_ms))
		tool_die("%s: cannot set the interval to %llu ms: %s", a->Name,
			 (unsigned long long)o->interval_ms, strerror(errno));
	fd = PacketGetReadEvent(a);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		tool_die("%s: cannot make the descriptor non-blocking: %s",
			 a->Name, strerror(errno));
	if (!PacketSetMode(a, PACKET_MODE_STAT))
		tool_die("%s: cannot enter statistics mode: %s", a->Name,
			 strerror(errno));
	*start = tool_now_ns();
	return linktype;
}

static void print_counting(LPADAPTER a, int linktype,
			   const struct stat_opts *o)
{
	int dlt = tool_linktype_to_dlt(linktype);
	const char *name = pcap_datalink_val_to_name(dlt);

	fprintf(stderr, "%s: counting on %s, link-type %s, every %llu.%03llu s\n",
		tool_name, a->Name, name ? name : "?",
		(unsigned long long)(o->interval_ms / 1000),
		(unsigned long long)(o->interval_ms % 1000));
}

static double rate(uint64_t n, double seconds)
{
	return seconds > 0 ? (double)n / seconds : 0;
}

static void print_json(const struct stat_line *l)
{
	struct tool_json j;

	tool_json_begin(&j, stdout);
	tool_json_double(&j, "time", (double)l->sec + l->usec / 1e6, 6);
	tool_json_double(&j, "interval", l->seconds, 6);
	tool_json_u64(&j, "packets", l->packets);
	tool_json_u64(&j, "bytes", l->bytes);
	tool_json_double(&j, "pps", rate(l->packets, l->seconds), 3);
	tool_json_double(&j, "bps", rate(l->bytes * 8, l->seconds), 3);
	tool_json_end(&j);
}

/* "12:00:01  packets 1234  bytes 98765  1234 pkt/s  790.1 kbit/s" */
static void print_text(const struct stat_line *l, bool millis)
{
	time_t t = (time_t)l->sec;
	char when[32], bits[32];
	struct tm tm;

	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (millis)
		snprintf(when + strlen(when), sizeof(when) - strlen(when),
			 ".%03u", l->usec / 1000);
	tool_format_si(rate(l->bytes * 8, l->seconds), "bit/s", bits,
		       sizeof(bits));
	printf("%s  packets %9llu  bytes %12llu  %9.0f pkt/s  %13s\n", when,
	       (unsigned long long)l->packets, (unsigned long long)l->bytes,
	       rate(l->packets, l->seconds), bits);
	fflush(stdout);
}

/* The record of one read; -1 if it is not one (a kernel bug). */
static int parse_record(const PACKET *pkt, struct stat_line *l)
{
	struct npf_stat_record rec;

	if (pkt->ulBytesReceived < sizeof(rec))
		return -1;
	memcpy(&rec, pkt->Buffer, sizeof(rec));
	if (rec.hdr.bh_hdrlen != sizeof(rec.hdr) ||
	    rec.hdr.bh_caplen < sizeof(rec) - sizeof(rec.hdr))
		return -1;
	l->sec = rec.hdr.bh_tstamp.tv_sec;
	l->usec = rec.hdr.bh_tstamp.tv_usec;
	l->packets = rec.packets;
	l->bytes = rec.bytes;
	return 0;
}

static int read_error(LPADAPTER a, int err)
{
	if (err == ENODEV)
		fprintf(stderr, "%s: %s: The interface disappeared\n",
			tool_name, a->Name);
	else
		fprintf(stderr, "%s: %s: read error: %s\n", tool_name, a->Name,
			strerror(err));
	return 1;
}

/*
 * Sleep until @until (CLOCK_MONOTONIC ns) or readable, with the stop
 * signals unblocked. 0, or -1 and errno.
 */
static int wait_until(int fd, uint64_t until, const sigset_t *waitmask)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t now = tool_now_ns();
	uint64_t left = until > now ? until - now : 0;
	struct timespec ts = {
		.tv_sec = (time_t)(left / TOOL_NSEC_PER_SEC),
		.tv_nsec = (long)(left % TOOL_NSEC_PER_SEC),
	};

	if (ppoll(&pfd, 1, &ts, waitmask) < 0 && errno != EINTR)
		return -1;
	return 0;
}

/* Print an interval at each read; the first began at @prev. */
/* "npfstat | head -3" ends normally; other write errors do not. */
static int write_error(void)
{
	if (tool_stop_signal == SIGPIPE)
		return 0;
	fprintf(stderr, "%s: standard output: write error\n", tool_name);
	return 1;
}

static int count_loop(LPADAPTER a, const struct stat_opts *o, uint64_t prev,
		      const sigset_t *waitmask)
{
	uint64_t interval = o->interval_ms * 1000000;
	uint64_t wake = prev + interval, now;
	union {
		struct npf_stat_dump_record rec;
		uint8_t bytes[256];
	} buf;
	struct stat_line l;
	PACKET pkt;
	long n = 0;

	while (!tool_stop_signal && (!o->count || n < o->count)) {
		if (wait_until(PacketGetReadEvent(a), wake, waitmask) < 0)
			return read_error(a, errno);
		if (tool_stop_signal)
			break;
		PacketInitPacket(&pkt, &buf, sizeof(buf));
		if (!PacketReceivePacket(a, &pkt, TRUE)) {
			if (errno != EAGAIN && errno != EINTR)
				return read_error(a, errno);
			/* Early by a hair: ask again in a millisecond. */
			wake = tool_now_ns() + 1000000;
			continue;
		}
		now = tool_now_ns();
		if (parse_record(&pkt, &l) < 0) {
			fprintf(stderr, "%s: %s: malformed statistics record of %u bytes\n",
				tool_name, a->Name,
				(unsigned int)pkt.ulBytesReceived);
			return 1;
		}
		l.seconds = (double)(now - prev) / 1e9;
		if (o->json)
			print_json(&l);
		else
			print_text(&l, o->interval_ms % 1000);
		prev = now;
		wake = now + interval;
		n++;
		if (ferror(stdout))
			return write_error();
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct stat_opts o;
	sigset_t waitmask;
	uint64_t start;
	LPADAPTER a;
	int linktype, ret;

	tool_name = "npfstat";
	parse_args(argc, argv, &o);
	tool_catch_stop_signals(&waitmask);
	a = tool_open_adapter(o.ifname);
	linktype = configure(a, &o, &start);
	print_counting(a, linktype, &o);
	ret = count_loop(a, &o, start, &waitmask);
	if (!ret && fflush(stdout))
		ret = write_error();
	PacketCloseAdapter(a);
	free(o.expr);
	return ret;
}
