// SPDX-License-Identifier: GPL-2.0
/*
 * npfdump: tcpdump's command line over /dev/npf, as WinDump was tcpdump's
 * over NPF on Windows.
 *
 * The capture path is packet.dll's: PacketOpenAdapter, the filter compiled
 * by libpcap and installed with PacketSetBpf (its return value is the snap
 * length), then PacketReceivePacket into a 256,000-byte buffer, each read
 * a batch of records walked with bh_hdrlen / bh_caplen / Packet_WORDALIGN.
 * The defaults are libpcap-on-Windows': MinToCopy 16,000 bytes, read
 * timeout 1 s, the kernel's 1,000,000-byte ring.
 *
 * -K is NPF's kernel dump (MODE_DUMP): the module writes the pcap file
 * itself and npfdump only waits, in ppoll(), for the dump to end (a -c or
 * --max-bytes limit, a write error) or a signal.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP are blocked except while waiting in
 * ppoll(), which unblocks them atomically; a signal therefore always ends
 * the wait, even with --read-timeout 0, and never lands between a check of
 * the stop flag and the wait.
 */
#define _GNU_SOURCE		/* ppoll() */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"		/* <pcap.h>, then <Packet32.h> */
#include "decode.h"
#include "filter.h"
#include "records.h"

#ifndef NPF_TOOLS_VERSION
#define NPF_TOOLS_VERSION	"0.0.0"
#endif

#define USER_BUFFER_SIZE	256000	/* libpcap on Windows */
#define MAX_BUFFER_SIZE		(16 << 20)	/* for giant (GSO) frames */
#define DEFAULT_MIN_TO_COPY	16000	/* libpcap on Windows */
/*
 * -w FILE without -U: a batch every 192,000 bytes rather than every 16,000:
 * a twelfth of the wakeups and system calls (at 1500-byte frames, 16,000
 * is one every 10 frames). Nobody watches a file being written, and the
 * read timeout still bounds the delay (tcpdump's TPACKET_V3 ring hands
 * over whole blocks too).
 */
#define FILE_MIN_TO_COPY	(USER_BUFFER_SIZE / 4 * 3)
#define DEFAULT_READ_TIMEOUT	1000	/* ms; pcap_open_live's usual to_ms */

struct dump_opts {
	const char *ifname;		/* -i */
	long count;			/* -c; 0: no limit */
	long snaplen;			/* -s */
	const char *wfile;		/* -w */
	int dflag;			/* -d, -dd, -ddd */
	long bufsize_kib;		/* -B; 0: the kernel's default */
	bool promisc;			/* not -p */
	bool unbuffered;		/* -U */
	bool linebuf;			/* -l */
	long min_to_copy;		/* --min-to-copy, --immediate */
	bool min_to_copy_set;		/* ... given on the command line */
	long read_timeout;		/* --read-timeout */
	bool kdump;			/* -K: the kernel writes -w FILE */
	bool list;			/* -D */
	uint64_t max_bytes;		/* --max-bytes; 0: no limit */
	struct npf_print_opts print;
	char *expr;			/* the filter expression */
};

/* A running capture. */
struct dump {
	const struct dump_opts *o;
	LPADAPTER adapter;
	int linktype;			/* LINKTYPE_ of BIOCGDLT */
	int dlt;			/* libpcap's DLT_ for it */
	pcap_t *dead;			/* -w: the dumper's handle */
	pcap_dumper_t *dumper;		/* -w */
	FILE *out;			/* where packets go */
	bool pcap_recs;			/* -w: reads return pcap records */
	uint64_t captured;		/* packets printed or written */
};

enum {
	OPT_VERSION = 256,
	OPT_MIN_TO_COPY,
	OPT_READ_TIMEOUT,
	OPT_IMMEDIATE,
	OPT_MAX_BYTES,
};

static const struct option long_options[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ "interface",		required_argument,	NULL, 'i' },
	{ "list-interfaces",	no_argument,		NULL, 'D' },
	{ "buffer-size",	required_argument,	NULL, 'B' },
	{ "snapshot-length",	required_argument,	NULL, 's' },
	{ "no-promiscuous-mode", no_argument,		NULL, 'p' },
	{ "packet-buffered",	no_argument,		NULL, 'U' },
	{ "immediate-mode",	no_argument,		NULL, OPT_IMMEDIATE },
	{ "immediate",		no_argument,		NULL, OPT_IMMEDIATE },
	{ "min-to-copy",	required_argument,	NULL, OPT_MIN_TO_COPY },
	{ "read-timeout",	required_argument,	NULL, OPT_READ_TIMEOUT },
	{ "kernel-dump",	no_argument,		NULL, 'K' },
	{ "max-bytes",		required_argument,	NULL, OPT_MAX_BYTES },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: npfdump [-dDehKlnptUvxX] [-B size] [-c count] [-i interface]\n"
"               [-s snaplen] [-w file] [--immediate] [--min-to-copy bytes]\n"
"               [--read-timeout ms] [--max-bytes bytes] [expression]\n"
"\n"
"Capture packets through /dev/npf (WinPcap's NPF model) and print them as\n"
"tcpdump does, or write them to a pcap file.\n"
"\n"
"  -D, --list-interfaces  the interfaces npf can capture on, as tcpdump -D:\n"
"                number, name, description (alias, or driver and bus) and\n"
"                flags (Up, Running, Loopback; Connected or Disconnected\n"
"                when the driver reports a link state); needs no module\n"
"  -i IFACE      interface to capture on (also \\Device\\NPF_IFACE)\n"
"  -c COUNT      exit after COUNT packets\n"
"  -s SNAPLEN    bytes to keep of each packet (default and 0: %d); the\n"
"                compiled filter returns it\n"
"  -w FILE       write a pcap file instead of printing (- for stdout)\n"
"  -U            flush the output after every read batch\n"
"  -l            line-buffer standard output\n"
"  -B KIB        kernel ring size in KiB (default: the module's, 1,000,000\n"
"                bytes)\n"
"  -p            do not put the interface into promiscuous mode\n"
"  -d            print the compiled filter and exit (-dd as C, -ddd decimal)\n"
"  -n            do not convert port numbers to names\n"
"  -e            print the link-level header\n"
"  -x, -xx       hex dump of each packet (-xx: with the link header)\n"
"  -X, -XX       hex and ASCII dump (-XX: with the link header)\n"
"  -t            no timestamps; -tt: seconds since the Epoch\n"
"  -v            verbose decode\n"
"  --min-to-copy BYTES   a read waits for BYTES of packets (default %d;\n"
"                        %d with -w FILE, unless -U)\n"
"  --read-timeout MS     ... or MS milliseconds (default %d; 0 waits for\n"
"                        ever, -1 returns at once)\n"
"  --immediate           deliver packets at once (MinToCopy 0)\n"
"  -K, --kernel-dump     with -w FILE: the kernel writes FILE itself (NPF's\n"
"                        MODE_DUMP); npfdump copies no packet, it waits for\n"
"                        -c COUNT packets, --max-bytes or a signal. FILE is\n"
"                        a regular file, opened by the kernel with your\n"
"                        credentials, relative to the current directory\n"
"  --max-bytes BYTES     with -K: stop when FILE would grow past BYTES\n"
"                        (pcap header included; whole packets only)\n"
"  -h, --help    this help; --version: versions\n"
"\n"
"The expression is tcpdump's (pcap-filter(7)), compiled by libpcap.\n"
"\n"
"On exit npfdump prints tcpdump's statistics: \"packets captured\" are the\n"
"packets npfdump printed or wrote; \"received by filter\" are the packets\n"
"the filter accepted (the kernel's bs_capt + bs_drop, which is what\n"
"tcpdump reports on Linux; WinDump reported every packet seen, bs_recv);\n"
"\"dropped by kernel\" are accepted packets that did not fit in the ring\n"
"(bs_drop); \"dropped by interface\", shown when not 0, are packets the\n"
"adapter itself dropped (ps_ifdrop). With -K, \"captured\" are the packets\n"
"in FILE, as the kernel counted them, and a write error of the kernel ends\n"
"the dump with \"npfdump: kernel dump: ERROR\" and exit status 1.\n",
		TOOL_MAX_SNAPLEN, DEFAULT_MIN_TO_COPY, FILE_MIN_TO_COPY,
		DEFAULT_READ_TIMEOUT);
}

/* -x/-xx/-X/-XX, -t/-tt: counted like tcpdump counts them. */
static void set_print_flags(struct dump_opts *o, int xflag, int Xflag,
			    int tflag)
{
	if (Xflag) {
		o->print.hex = 2;
		o->print.hex_link = Xflag > 1;
	} else if (xflag) {
		o->print.hex = 1;
		o->print.hex_link = xflag > 1;
	}
	if (tflag > 2)
		tool_die("-ttt and more t's are not supported (only -t and -tt)");
	o->print.tstamp = tflag;
}

/* -K needs a file for the kernel to write. */
static void check_kdump_args(const struct dump_opts *o)
{
	if (o->max_bytes && !o->kdump)
		tool_die("--max-bytes limits a kernel dump: it needs -K");
	if (!o->kdump || o->dflag)
		return;
	if (!o->wfile)
		tool_die("-K: the kernel writes a pcap file: give it with -w FILE");
	if (!strcmp(o->wfile, "-"))
		tool_die("-K: the kernel writes regular files only, not -w -");
}

static void parse_args(int argc, char **argv, struct dump_opts *o)
{
	int c, xflag = 0, Xflag = 0, tflag = 0;

	memset(o, 0, sizeof(*o));
	o->snaplen = TOOL_MAX_SNAPLEN;
	o->promisc = true;
	o->min_to_copy = DEFAULT_MIN_TO_COPY;
	o->read_timeout = DEFAULT_READ_TIMEOUT;

	opterr = 0;	/* our own one-line messages */
	/* Leading ':': a missing argument is told from an unknown option. */
	while ((c = getopt_long(argc, argv, ":B:c:dDehi:Klnps:tUvw:xX",
				long_options, NULL)) != -1) {
		switch (c) {
		case 'D':
			o->list = true;
			break;
		case 'B':
			/* KiB; PacketSetBuff() takes an int of bytes */
			o->bufsize_kib = tool_opt_long(optarg, "packet buffer size",
						       1, INT_MAX / 1024);
			break;
		case 'c':
			o->count = tool_opt_long(optarg, "packet count", 1,
						 INT_MAX);
			break;
		case 'd':
			o->dflag++;
			break;
		case 'e':
			o->print.link = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'i':
			o->ifname = optarg;
			break;
		case 'K':
			o->kdump = true;
			break;
		case 'l':
			o->linebuf = true;
			break;
		case 'n':
			o->print.numeric = true;
			break;
		case 'p':
			o->promisc = false;
			break;
		case 's':
			o->snaplen = tool_opt_long(optarg, "snaplen", 0,
						   TOOL_MAX_SNAPLEN);
			if (!o->snaplen)
				o->snaplen = TOOL_MAX_SNAPLEN;
			break;
		case 't':
			tflag++;
			break;
		case 'U':
			o->unbuffered = true;
			break;
		case 'v':
			o->print.verbose = true;
			break;
		case 'w':
			o->wfile = optarg;
			break;
		case 'x':
			xflag++;
			break;
		case 'X':
			Xflag++;
			break;
		case OPT_VERSION:
			tool_print_version(true);
			exit(0);
		case OPT_MIN_TO_COPY:
			o->min_to_copy = tool_opt_long(optarg, "min-to-copy",
						       0, INT_MAX);
			o->min_to_copy_set = true;
			break;
		case OPT_READ_TIMEOUT:
			o->read_timeout = tool_opt_long(optarg, "read-timeout",
							-1, INT_MAX);
			break;
		case OPT_IMMEDIATE:
			o->min_to_copy = 0;
			o->min_to_copy_set = true;
			break;
		case OPT_MAX_BYTES:
			o->max_bytes = (uint64_t)tool_opt_long(optarg,
							       "max-bytes", 1,
							       LONG_MAX);
			break;
		case ':':
			tool_bad_option(argv[optind - 1], true);
		default:
			tool_bad_option(argv[optind - 1], false);
		}
	}
	set_print_flags(o, xflag, Xflag, tflag);
	check_kdump_args(o);
	if (!o->min_to_copy_set && o->wfile && !o->unbuffered)
		o->min_to_copy = FILE_MIN_TO_COPY;
	/*
	 * The module refuses a MinToCopy larger than the ring: with a small
	 * -B, lower the default (not a value the user gave) to half the ring,
	 * so that the ring does not fill before the reader is woken.
	 */
	if (!o->min_to_copy_set && o->bufsize_kib &&
	    o->min_to_copy > o->bufsize_kib * 1024 / 2)
		o->min_to_copy = o->bufsize_kib * 1024 / 2;
	o->expr = tool_join_args(argc - optind, argv + optind);
}

static void compile_or_die(const struct dump_opts *o, int dlt,
			   struct bpf_program *prog)
{
	char err[PCAP_ERRBUF_SIZE + 64];

	if (tool_compile_filter(dlt, (int)o->snaplen, o->expr, prog, err,
				sizeof(err)) < 0)
		tool_die("%s", err);
}

/* -d: tcpdump -d's listing. Without -i, for an Ethernet device. */
static int print_program(const struct dump_opts *o, int dlt)
{
	struct bpf_program prog;

	compile_or_die(o, dlt, &prog);
	bpf_dump(&prog, o->dflag);
	pcap_freecode(&prog);
	free(o->expr);
	return 0;
}

/* Promiscuous mode is what tcpdump asks for unless -p. */
static void set_promisc(LPADAPTER a)
{
	if (PacketSetHwFilter(a, NDIS_PACKET_TYPE_PROMISCUOUS))
		return;
	/* As libpcap: refused permission is an error, the rest a warning. */
	if (errno == EPERM || errno == EACCES)
		tool_die("%s: You don't have permission to capture in promiscuous mode (%s)",
			 a->Name, strerror(errno));
	tool_warn("%s: cannot enable promiscuous mode: %s", a->Name,
		  strerror(errno));
}

/*
 * Ring size first and the filter last: both flush the ring and zero the
 * counters, so the statistics count from the moment the filter is in.
 */
static void configure(struct dump *d, struct bpf_program *prog)
{
	const struct dump_opts *o = d->o;
	LPADAPTER a = d->adapter;

	if (o->bufsize_kib && !PacketSetBuff(a, (int)(o->bufsize_kib * 1024)))
		tool_die("%s: cannot set the kernel buffer to %ld KiB: %s",
			 a->Name, o->bufsize_kib, strerror(errno));
	if (o->promisc)
		set_promisc(a);
	if (!PacketSetMinToCopy(a, (int)o->min_to_copy))
		tool_die("%s: cannot set MinToCopy to %ld bytes: %s", a->Name,
			 o->min_to_copy, strerror(errno));
	if (!PacketSetReadTimeout(a, (int)o->read_timeout))
		tool_die("%s: cannot set the read timeout to %ld ms: %s",
			 a->Name, o->read_timeout, strerror(errno));
	/*
	 * -w: records in the pcap file's own layout, so that a whole read
	 * goes to the file in one write. A module older than API 1.1 does
	 * not know the ioctl: then records are converted one by one.
	 */
	if (o->wfile && !o->kdump) {
		d->pcap_recs = PacketSetRecordFormat(a, PACKET_RECFMT_PCAP);
		if (!d->pcap_recs && errno != ENOTTY)
			tool_die("%s: cannot set the record format: %s",
				 a->Name, strerror(errno));
	}
	if (!PacketSetBpf(a, prog))
		tool_die("%s: cannot install the filter: %s", a->Name,
			 strerror(errno));
}

static void open_output(struct dump *d)
{
	const struct dump_opts *o = d->o;

	d->out = stdout;
	if (o->linebuf)
		setvbuf(stdout, NULL, _IOLBF, 0);
	if (!o->wfile)
		return;
	d->dead = pcap_open_dead(d->dlt, (int)o->snaplen);
	if (!d->dead)
		tool_die("%s: pcap_open_dead failed", o->wfile);
	d->dumper = pcap_dump_open(d->dead, o->wfile);
	if (!d->dumper)
		tool_die("%s", pcap_geterr(d->dead));
	d->out = pcap_dump_file(d->dumper);
}

static void print_listening(const struct dump *d)
{
	const char *name = pcap_datalink_val_to_name(d->dlt);
	const char *desc = pcap_datalink_val_to_description(d->dlt);

	if (name)
		fprintf(stderr, "%s: listening on %s, link-type %s (%s), snapshot length %ld bytes\n",
			tool_name, d->adapter->Name, name, desc ? desc : "?",
			d->o->snaplen);
	else
		fprintf(stderr, "%s: listening on %s, link-type %d, snapshot length %ld bytes\n",
			tool_name, d->adapter->Name, d->linktype, d->o->snaplen);
}

static void dump_one(struct dump *d, const struct tool_record *r)
{
	struct pcap_pkthdr h;

	if (d->dumper) {
		h.ts.tv_sec = (time_t)r->sec;
		h.ts.tv_usec = (suseconds_t)r->frac;
		h.caplen = r->caplen;
		h.len = r->len;
		pcap_dump((u_char *)d->dumper, &h, r->data);
	} else {
		npf_print_packet(stdout, &d->o->print, r->sec, r->frac,
				 r->data, r->caplen, r->len, d->linktype);
	}
	d->captured++;
}

enum { RUN_ON, RUN_DONE, RUN_ERROR };

/*
 * -w with pcap records: the records of one read, up to the -c limit, go to
 * the file as they are.
 */
static int write_batch(struct dump *d, const uint8_t *buf, uint32_t len)
{
	uint64_t left = d->o->count ? (uint64_t)d->o->count - d->captured : 0;
	struct npf_pcap_hdr h;
	uint32_t off = 0;
	uint64_t n = 0;

	while (off < len && (!d->o->count || n < left)) {
		if (len - off < sizeof(h))
			break;
		memcpy(&h, buf + off, sizeof(h));	/* not aligned */
		if (h.caplen > len - off - sizeof(h))
			break;
		off += sizeof(h) + h.caplen;
		n++;
	}
	if (off < len && (!d->o->count || n < left)) {
		fprintf(stderr, "%s: %s: malformed record at offset %u of a %u-byte read\n",
			tool_name, d->adapter->Name, off, len);
		return RUN_ERROR;
	}
	fwrite(buf, 1, off, d->out);
	d->captured += n;
	return d->o->count && d->captured >= (uint64_t)d->o->count ?
	       RUN_DONE : RUN_ON;
}

/* Print or write the records of one read; RUN_DONE once -c is reached. */
static int dump_batch(struct dump *d, const uint8_t *buf, uint32_t len)
{
	struct tool_record r;
	uint32_t off = 0;
	int ret;

	if (d->pcap_recs)
		return write_batch(d, buf, len);

	while ((ret = tool_record_next(buf, len, &off, &r)) > 0) {
		dump_one(d, &r);
		if (d->o->count && d->captured >= (uint64_t)d->o->count)
			return RUN_DONE;
	}
	if (ret < 0) {
		fprintf(stderr, "%s: %s: malformed record at offset %u of a %u-byte read\n",
			tool_name, d->adapter->Name, off, len);
		return RUN_ERROR;
	}
	return RUN_ON;
}

/* -U, and the check for a failed write (disk full, closed pipe). */
static int flush_batch(struct dump *d)
{
	if (d->o->unbuffered) {
		if (d->dumper)
			pcap_dump_flush(d->dumper);
		else
			fflush(stdout);
	}
	if (!ferror(d->out))
		return RUN_ON;
	if (tool_stop_signal == SIGPIPE)
		return RUN_DONE;	/* "npfdump | head": a normal end */
	fprintf(stderr, "%s: %s: write error\n", tool_name,
		d->o->wfile ? d->o->wfile : "standard output");
	return RUN_ERROR;
}

/* Wait for data with the stop signals unblocked; 0 or -1 on error. */
static int wait_ready(int fd, const sigset_t *waitmask)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (ppoll(&pfd, 1, NULL, waitmask) < 0 && errno != EINTR)
		return -1;
	return 0;
}

static int read_error(struct dump *d, int err)
{
	if (err == ENODEV)
		fprintf(stderr, "%s: %s: The interface disappeared\n",
			tool_name, d->adapter->Name);
	else
		fprintf(stderr, "%s: %s: read error: %s\n", tool_name,
			d->adapter->Name, strerror(err));
	return RUN_ERROR;
}

/*
 * A record larger than the buffer (a frame over 255,968 bytes, which
 * GSO/BIG TCP can make) fails the read with EMSGSIZE and stays queued:
 * grow the buffer, up to a limit, rather than fail for ever.
 */
static bool grow_buffer(PACKET *pkt)
{
	uint8_t *bigger;
	UINT size = pkt->Length * 2;

	if (size > MAX_BUFFER_SIZE)
		return false;
	bigger = realloc(pkt->Buffer, size);
	if (!bigger)
		return false;
	PacketInitPacket(pkt, bigger, size);
	return true;
}

/*
 * One batch of records into @pkt. -w (pcap records) reads the kernel's
 * ring in place (PacketReceiveMapped: nothing is copied to us, and the
 * batch goes to the file from there); otherwise a read() into our buffer.
 */
static bool receive(struct dump *d, PACKET *pkt)
{
	PVOID data;
	UINT len;

	if (!d->pcap_recs)
		return PacketReceivePacket(d->adapter, pkt, TRUE);
	if (!PacketReceiveMapped(d->adapter, &data, &len))
		return false;
	pkt->Buffer = data;
	pkt->ulBytesReceived = len;
	return true;
}

static int capture_loop(struct dump *d, PACKET *pkt, const sigset_t *waitmask)
{
	int fd = PacketGetReadEvent(d->adapter);
	int ret;

	while (!tool_stop_signal) {
		if (wait_ready(fd, waitmask) < 0)
			return read_error(d, errno);
		if (tool_stop_signal)
			break;
		if (!receive(d, pkt)) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == EMSGSIZE && !d->pcap_recs &&
			    grow_buffer(pkt))
				continue;
			return read_error(d, errno);
		}
		ret = dump_batch(d, pkt->Buffer, pkt->ulBytesReceived);
		if (ret == RUN_ON)
			ret = flush_batch(d);
		else
			flush_batch(d);
		if (ret != RUN_ON)
			return ret;
	}
	return RUN_DONE;
}

static int capture(struct dump *d, const sigset_t *waitmask)
{
	void *buf = malloc(USER_BUFFER_SIZE);
	PACKET pkt;
	int ret;

	if (!buf)
		tool_die("out of memory");
	PacketInitPacket(&pkt, buf, USER_BUFFER_SIZE);
	ret = capture_loop(d, &pkt, waitmask);
	/* read(): grow_buffer() may have replaced it; mapped: the ring's */
	free(d->pcap_recs ? buf : pkt.Buffer);
	return ret;
}

/* Flush and close the output; false on a write error. */
static bool close_output(struct dump *d)
{
	bool ok;

	if (!d->dumper)
		return fflush(stdout) == 0 || tool_stop_signal == SIGPIPE;
	/* "npfdump -w - | head -c 100": a closed pipe is a normal end. */
	ok = pcap_dump_flush(d->dumper) == 0 || tool_stop_signal == SIGPIPE;
	pcap_dump_close(d->dumper);
	pcap_close(d->dead);
	if (!ok)
		fprintf(stderr, "%s: %s: write error\n", tool_name,
			d->o->wfile);
	return ok;
}

/*
 * PacketSetDumpName()'s errors, one line each: open()'s (libnpf opens the
 * file as fopen would and hands it to the module), EINVAL for what is not
 * a regular file (refused without being opened), and the module's.
 */
static void __attribute__((noreturn)) kdump_file_error(LPADAPTER a,
							const char *path,
							int err)
{
	switch (err) {
	case EINVAL:
		tool_die("%s: not a regular file (the kernel dump writes regular files only)",
			 path);
	case EAGAIN:
		tool_die("%s: another process holds a lease on it; try again",
			 path);
	case EFBIG:
		tool_die("%s: the file size limit (ulimit -f) leaves no room for the pcap header",
			 path);
	case ENODEV:
		tool_die("%s: The interface disappeared", a->Name);
	default:
		tool_die("%s: %s", path, strerror(err));
	}
}

/*
 * -K: the limits and the file first, the mode last: the switch to
 * MODE_DUMP empties the ring and zeroes the counters, so that the file and
 * the statistics start together.
 */
static void kdump_start(struct dump *d)
{
	const struct dump_opts *o = d->o;
	LPADAPTER a = d->adapter;

	if (!PacketSetDumpLimitsEx(a, o->max_bytes, (uint64_t)o->count))
		tool_die("%s: cannot set the dump limits: %s", a->Name,
			 strerror(errno));
	/* As given: opened here, from our working directory, as fopen. */
	if (!PacketSetDumpName(a, (void *)o->wfile, (int)strlen(o->wfile)))
		kdump_file_error(a, o->wfile, errno);
	if (!PacketSetMode(a, PACKET_MODE_DUMP))
		tool_die("%s: cannot start the kernel dump: %s", a->Name,
			 strerror(errno));
}

/* Until the dump ends (a limit, a write error) or a stop signal. */
static int kdump_wait(struct dump *d, const sigset_t *waitmask)
{
	struct pollfd pfd = {
		.fd = PacketGetReadEvent(d->adapter),
		.events = POLLIN,
	};

	while (!tool_stop_signal) {
		if (ppoll(&pfd, 1, NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			return read_error(d, errno);
		}
		/* EPOLLERR | EPOLLHUP: the adapter went away. */
		if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))
			return read_error(d, ENODEV);
		if (PacketIsDumpEnded(d->adapter, FALSE))
			break;
	}
	return RUN_DONE;
}

/*
 * End the dump and report it. The counters come first; then a packet
 * limit at the packets they say the ring took (bs_capt), so that frames
 * arriving from now on cannot reach the file without being counted; then
 * leaving MODE_DUMP writes out what is buffered and closes the file, whose
 * packet count is then final.
 */
static int kdump_finish(struct dump *d)
{
	const struct dump_opts *o = d->o;
	LPADAPTER a = d->adapter;
	struct npf_dump_stats ds;
	uint64_t limit, max_bytes = o->max_bytes;
	struct npf_stats st;
	struct bpf_stat bs;

	if (!PacketGetNpfStats(a, &st) || !PacketGetDumpStats(a, &ds))
		goto fail;
	limit = st.bs_capt;
	if (o->count && (uint64_t)o->count < limit)
		limit = (uint64_t)o->count;
	/* 0 is "no limit": "nothing more" is a limit at the current size. */
	if (!limit)
		max_bytes = ds.bytes;
	if (!PacketSetDumpLimitsEx(a, max_bytes, limit) ||
	    !PacketSetMode(a, PACKET_MODE_CAPT) ||
	    !PacketGetDumpStats(a, &ds))
		goto fail;
	/* The 32-bit counters as BIOCGSTATS would give them. */
	bs.bs_recv = (uint32_t)st.bs_recv;
	bs.bs_drop = (uint32_t)(st.bs_drop + st.bs_nomem);
	bs.ps_ifdrop = (uint32_t)st.ps_ifdrop;
	bs.bs_capt = (uint32_t)st.bs_capt;
	tool_print_stats(stderr, ds.packets, &bs);
	if (ds.error) {
		/* EFBIG: the dump reached RLIMIT_FSIZE as of kdump_start() */
		fprintf(stderr, "%s: kernel dump: %s%s\n", tool_name,
			strerror(-ds.error), ds.error == -EFBIG ?
			" (the file size limit, ulimit -f)" : "");
		return RUN_ERROR;
	}
	return RUN_DONE;
fail:
	fprintf(stderr, "%s: %s: cannot finish the kernel dump: %s\n",
		tool_name, a->Name, strerror(errno));
	return RUN_ERROR;
}

static int kdump(struct dump *d, const sigset_t *waitmask)
{
	int ret;

	kdump_start(d);
	print_listening(d);
	ret = kdump_wait(d, waitmask);
	if (kdump_finish(d) == RUN_ERROR)
		ret = RUN_ERROR;
	return ret;
}

/* -D: as tcpdump, the list and nothing else. */
static int list_interfaces(struct dump_opts *o)
{
	free(o->expr);
	if (tool_print_adapters(stdout) < 0)
		tool_die("cannot list the interfaces: %s", strerror(errno));
	if (fflush(stdout) || ferror(stdout))
		tool_die("standard output: write error");
	return 0;
}

static void print_stats(const struct dump *d)
{
	struct bpf_stat st;

	if (!PacketGetStats(d->adapter, &st)) {
		fprintf(stderr, "%s: %s: cannot get statistics: %s\n",
			tool_name, d->adapter->Name, strerror(errno));
		return;
	}
	tool_print_stats(stderr, d->captured, &st);
}

int main(int argc, char **argv)
{
	struct dump_opts o;
	struct dump d = { .o = &o };
	struct bpf_program prog;
	sigset_t waitmask;
	int ret;

	tool_name = "npfdump";
	parse_args(argc, argv, &o);
	if (o.list)
		return list_interfaces(&o);
	if (o.dflag && !o.ifname)
		return print_program(&o, DLT_EN10MB);
	if (!o.ifname)
		tool_die("no interface given: use -i IFACE (see npfdump --help)");

	/* From here a stop signal waits for the capture loop, which ends. */
	tool_catch_stop_signals(&waitmask);
	d.adapter = tool_open_adapter(o.ifname);
	d.linktype = PacketGetLinkType(d.adapter);
	if (d.linktype < 0)
		tool_die("%s: cannot get the link type: %s", d.adapter->Name,
			 strerror(errno));
	d.dlt = tool_linktype_to_dlt(d.linktype);
	if (o.dflag) {
		ret = print_program(&o, d.dlt);
		PacketCloseAdapter(d.adapter);
		return ret;
	}

	compile_or_die(&o, d.dlt, &prog);
	configure(&d, &prog);
	pcap_freecode(&prog);
	if (o.kdump) {
		ret = kdump(&d, &waitmask);
		PacketCloseAdapter(d.adapter);
		free(o.expr);
		return ret == RUN_ERROR ? 1 : 0;
	}
	open_output(&d);
	print_listening(&d);

	ret = capture(&d, &waitmask);
	/* As tcpdump: end a line a signal may have cut short. */
	if (tool_stop_signal && tool_stop_signal != SIGPIPE && !d.dumper)
		putchar('\n');
	if (!close_output(&d))
		ret = RUN_ERROR;
	print_stats(&d);
	PacketCloseAdapter(d.adapter);
	free(o.expr);
	return ret == RUN_ERROR ? 1 : 0;
}
