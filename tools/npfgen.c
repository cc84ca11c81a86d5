// SPDX-License-Identifier: GPL-2.0
/*
 * npfgen: a traffic generator over NPF's transmit paths, as WinPcap's
 * were used for one: write() with BIOCSWRITEREP sends a frame many times
 * in one system call, a send queue (BIOCSENDPACKETSNOSYNC) sends many
 * frames in one, and BIOCSENDPACKETSSYNC replays a capture with its
 * timing.
 *
 * The frames: a pcap file's (-r), or UDP/IPv4 frames built here, one per
 * flow. The run sends the set --loop times; within it each frame -n times
 * in a row. The set is one send queue in memory (small sets are repeated
 * in it, so that a step sends many frames); a step sends a run of its
 * entries with one ioctl, or one entry with BIOCSWRITEREP copies with one
 * write(). Steps are bounded (MAX_STEP_FRAMES, MAX_STEP_BYTES, and a
 * quarter second of a --sync file) so that progress and signals are seen.
 *
 * Counts come from the kernel: the frames and bytes sent and refused are
 * the BIOCGSTATSEX deltas of the run, not arithmetic. A write() that a
 * signal cut short (a stop and continue, say) is resumed exactly where the
 * kernel's counters say it stopped; libnpf resumes a send queue itself
 * (PacketSendPackets() goes on from the first entry not sent), and one it
 * gives back early is resumed here so.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP are caught and not blocked, so that
 * they interrupt a long write (EINTR), or end the run after the current
 * step of a send queue (libnpf finishes the queue), with its summary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"		/* <pcap.h>, then <Packet32.h> */
#include "filter.h"
#include "frame.h"
#include "json.h"
#include "rate.h"

#ifndef NPF_TOOLS_VERSION
#define NPF_TOOLS_VERSION	"0.0.0"
#endif

#define MAX_STEP_FRAMES		65536		/* per system call */
#define MAX_STEP_BYTES		(16u << 20)	/* of send queue per call */
#define SYNC_STEP_NS		(250 * 1000 * 1000ULL)	/* of file time */
#define MIN_QUEUE_ENTRIES	1024		/* small sets are repeated */
#define PROGRESS_NS		TOOL_NSEC_PER_SEC

#define DEFAULT_SRC_IP		0xc6120001	/* 198.18.0.1 (RFC 2544) */
#define DEFAULT_DST_IP		0xc6120002	/* 198.18.0.2 */
#define DEFAULT_SPORT		1024
#define DEFAULT_DPORT		9		/* discard */

struct gen_opts {
	const char *ifname;		/* -i */
	const char *rfile;		/* -r */
	struct tool_udp_frame tmpl;	/* the template's first frame */
	bool src_mac_set;		/* --src-mac given */
	bool template_set;		/* a template option given */
	uint32_t flows;			/* --flows */
	uint64_t reps;			/* -n */
	uint64_t loops;			/* --loop */
	bool sync;			/* --sync */
	uint64_t pps_milli;		/* --pps * 1000; 0: as fast as can be */
	bool verbose;			/* -v */
	bool json;			/* --json */
};

/* The frames of one pass (or of a few), as one send queue. */
struct gen_set {
	PPACKET_SEND_QUEUE q;
	uint32_t *off;			/* entry i at off[i]; off[n] = q->len */
	size_t n;
	size_t room;			/* of off[] */
	uint64_t truncated;		/* entries with caplen < len */
};

struct gen_run {
	const struct gen_opts *o;
	LPADAPTER a;
	struct gen_set set;
	uint64_t reps;			/* copies of each entry in a row */
	uint64_t total;			/* frames the run sends */
	uint64_t done;			/* frames handed to the kernel */
	size_t idx;			/* entry of frame @done */
	uint64_t rep;			/* ... and how many copies of it went */
	int writerep;			/* BIOCSWRITEREP in force */
	uint64_t pass_start;		/* --sync: when this pass began */
	struct tool_pace pace;
	struct npf_stats s0;		/* counters before the run */
	uint64_t start_ns;
	uint64_t end_ns;
	bool progress;			/* show it (tty or -v) */
	bool tty;			/* ... in place, on a terminal */
	uint64_t progress_ns;		/* last shown */
	bool progress_shown;
};

enum {
	OPT_VERSION = 256,
	OPT_SRC_MAC,
	OPT_DST_MAC,
	OPT_SRC_IP,
	OPT_DST_IP,
	OPT_SPORT,
	OPT_DPORT,
	OPT_SIZE,
	OPT_FLOWS,
	OPT_LOOP,
	OPT_SYNC,
	OPT_PPS,
	OPT_JSON,
};

static const struct option long_options[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ "interface",		required_argument,	NULL, 'i' },
	{ "read-file",		required_argument,	NULL, 'r' },
	{ "src-mac",		required_argument,	NULL, OPT_SRC_MAC },
	{ "dst-mac",		required_argument,	NULL, OPT_DST_MAC },
	{ "src-ip",		required_argument,	NULL, OPT_SRC_IP },
	{ "dst-ip",		required_argument,	NULL, OPT_DST_IP },
	{ "sport",		required_argument,	NULL, OPT_SPORT },
	{ "dport",		required_argument,	NULL, OPT_DPORT },
	{ "size",		required_argument,	NULL, OPT_SIZE },
	{ "flows",		required_argument,	NULL, OPT_FLOWS },
	{ "loop",		required_argument,	NULL, OPT_LOOP },
	{ "sync",		no_argument,		NULL, OPT_SYNC },
	{ "pps",		required_argument,	NULL, OPT_PPS },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: npfgen -i interface [-r file] [-n count] [--loop count] [--sync]\n"
"              [--pps rate] [-v] [--json] [template options]\n"
"\n"
"Send frames through /dev/npf (WinPcap's NPF transmit model): a pcap file's\n"
"frames, or UDP/IPv4 frames built from a template.\n"
"\n"
"  -i IFACE        interface to send on (also \\Device\\NPF_IFACE)\n"
"  -r FILE         send the frames of a pcap or pcapng FILE (- for stdin);\n"
"                  its link type must be the interface's\n"
"  -n COUNT        send each frame COUNT times in a row (default 1; done by\n"
"                  the kernel, BIOCSWRITEREP)\n"
"  --loop COUNT    send the whole set of frames COUNT times (default 1)\n"
"  --sync          replay -r FILE with its timing: each frame leaves at its\n"
"                  timestamp's offset from the first (each --loop pass\n"
"                  starts when the previous one ended)\n"
"  --pps RATE      at most RATE frames per second (fractions allowed, e.g.\n"
"                  0.5); exact on average: frames leave in batches at the\n"
"                  times the rate gives\n"
"  -v              show progress on stderr even when it is not a terminal\n"
"  --json          print the summary as one JSON object\n"
"  -h, --help      this help; --version: versions\n"
"\n"
"Template (without -r; Ethernet interfaces):\n"
"  --src-mac MAC   source address (default: the interface's)\n"
"  --dst-mac MAC   destination (default ff:ff:ff:ff:ff:ff, broadcast)\n"
"  --src-ip ADDR   source IPv4 address (default 198.18.0.1)\n"
"  --dst-ip ADDR   destination (default 198.18.0.2; 198.18.0.0/15 is for\n"
"                  benchmarks, RFC 2544)\n"
"  --sport PORT    UDP source port (default %d)\n"
"  --dport PORT    UDP destination port (default %d, discard)\n"
"  --size BYTES    frame size without FCS, %d to MTU + 14 (default %d)\n"
"  --flows COUNT   COUNT frames, source ports PORT to PORT + COUNT - 1\n"
"                  (default 1)\n"
"\n"
"The run sends COUNT(-n) x COUNT(--loop) x (frames in the set) frames, or\n"
"stops at SIGINT or SIGTERM. Runs longer than a second show their progress\n"
"on stderr when it is a terminal (or with -v). At the end npfgen prints\n"
"the frames and bytes the kernel handed to the interface (its transmit\n"
"counters for this run, exact), the time, and the rates: pkt/s and bit/s\n"
"of frame bytes (no preamble, FCS or gap). Frames the qdisc or driver\n"
"refused are reported apart. --json prints one object with the keys\n"
"\"frames\", \"bytes\", \"errors\" (refused), \"seconds\", \"pps\", \"bps\" and\n"
"\"interrupted\".\n"
"\n"
"Frames longer than the interface takes (MTU + link header, + 4 for an\n"
"802.1Q tag) are refused before anything is sent. Frames a capture cut\n"
"short (caplen < len) are sent as captured.\n",
		DEFAULT_SPORT, DEFAULT_DPORT, TOOL_ETH_MIN_FRAME,
		TOOL_ETH_MIN_FRAME);
}

static void opt_mac(const char *s, uint8_t mac[TOOL_ETH_ALEN],
		    const char *what)
{
	if (tool_parse_mac(s, mac) < 0)
		tool_die("invalid %s '%s' (must be like 02:00:00:00:00:01)",
			 what, s);
}

static void opt_ipv4(const char *s, uint32_t *addr, const char *what)
{
	if (tool_parse_ipv4(s, addr) < 0)
		tool_die("invalid %s '%s' (must be an IPv4 address like 198.18.0.1)",
			 what, s);
}

static uint64_t opt_count(const char *s, const char *what)
{
	uint64_t v;

	if (tool_parse_fixed(s, 0, 1, UINT64_MAX, &v) < 0)
		tool_die("invalid %s '%s' (must be 1 or more)", what, s);
	return v;
}

static void parse_template_opt(struct gen_opts *o, int c, const char *arg)
{
	struct tool_udp_frame *t = &o->tmpl;

	o->template_set = true;
	switch (c) {
	case OPT_SRC_MAC:
		opt_mac(arg, t->src_mac, "source MAC address");
		o->src_mac_set = true;
		break;
	case OPT_DST_MAC:
		opt_mac(arg, t->dst_mac, "destination MAC address");
		break;
	case OPT_SRC_IP:
		opt_ipv4(arg, &t->src_ip, "source address");
		break;
	case OPT_DST_IP:
		opt_ipv4(arg, &t->dst_ip, "destination address");
		break;
	case OPT_SPORT:
		t->sport = (uint16_t)tool_opt_long(arg, "source port", 0, 65535);
		break;
	case OPT_DPORT:
		t->dport = (uint16_t)tool_opt_long(arg, "destination port", 0,
						   65535);
		break;
	case OPT_SIZE:
		/* The interface's limit is checked once it is open. */
		t->size = (uint32_t)tool_opt_long(arg, "frame size",
						  TOOL_ETH_MIN_FRAME, 65535 + 14);
		break;
	case OPT_FLOWS:
		o->flows = (uint32_t)tool_opt_long(arg, "flow count", 1, 65536);
		break;
	}
}

static void parse_other_opt(struct gen_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'n':
		o->reps = opt_count(arg, "repeat count");
		break;
	case OPT_LOOP:
		o->loops = opt_count(arg, "loop count");
		break;
	case OPT_SYNC:
		o->sync = true;
		break;
	case OPT_PPS:
		if (tool_parse_fixed(arg, 3, 1, UINT64_MAX / 1000, &o->pps_milli) < 0)
			tool_die("invalid rate '%s' (frames per second, 0.001 or more)",
				 arg);
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case 'v':
		o->verbose = true;
		break;
	}
}

/* Options that cannot go together, and what the template needs. */
static void check_args(const struct gen_opts *o)
{
	const struct tool_udp_frame *t = &o->tmpl;

	if (!o->ifname)
		tool_die("no interface given: use -i IFACE (see npfgen --help)");
	if (o->rfile && o->template_set)
		tool_die("-r sends the file's frames: the template options do not apply");
	if (o->sync && !o->rfile)
		tool_die("--sync replays the timing of a file: it needs -r FILE");
	if (o->sync && o->reps > 1)
		tool_die("--sync sends each frame once, at its time: -n does not apply");
	if (o->sync && o->pps_milli)
		tool_die("--sync takes the timing from the file: --pps does not apply");
	if ((uint32_t)t->sport + o->flows - 1 > 65535)
		tool_die("%u flows from source port %u go past port 65535",
			 o->flows, t->sport);
}

static void parse_args(int argc, char **argv, struct gen_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	memset(o->tmpl.dst_mac, 0xff, TOOL_ETH_ALEN);
	o->tmpl.src_ip = DEFAULT_SRC_IP;
	o->tmpl.dst_ip = DEFAULT_DST_IP;
	o->tmpl.sport = DEFAULT_SPORT;
	o->tmpl.dport = DEFAULT_DPORT;
	o->tmpl.size = TOOL_ETH_MIN_FRAME;
	o->flows = 1;
	o->reps = 1;
	o->loops = 1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hi:n:r:v", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_VERSION:
			tool_print_version(true);
			exit(0);
		case 'i':
			o->ifname = optarg;
			break;
		case 'r':
			o->rfile = optarg;
			break;
		case OPT_SRC_MAC ... OPT_FLOWS:
			parse_template_opt(o, c, optarg);
			break;
		case 'n':
		case 'v':
		case OPT_LOOP ... OPT_JSON:
			parse_other_opt(o, c, optarg);
			break;
		case ':':
			tool_bad_option(argv[optind - 1], true);
		default:
			tool_bad_option(argv[optind - 1], false);
		}
	}
	if (optind < argc)
		tool_die("unexpected argument '%s' (see npfgen --help)",
			 argv[optind]);
	check_args(o);
}

/* Room for @need bytes of entries in @set's queue. */
static void set_reserve(struct gen_set *set, uint64_t need, const char *what)
{
	PPACKET_SEND_QUEUE q = set->q, bigger;
	uint64_t size = 2 * (uint64_t)q->maxlen;

	if (need <= q->maxlen)
		return;
	/* PacketSendPackets() takes at most INT_MAX bytes. */
	if (need > INT_MAX)
		tool_die("%s: too many frames to send (more than 2 GiB)", what);
	size = size < need ? need : size > INT_MAX ? INT_MAX : size;
	bigger = PacketSendQueueAlloc((UINT)size);
	if (!bigger)
		tool_die("out of memory");
	memcpy(bigger->buffer, q->buffer, q->len);
	bigger->len = q->len;
	PacketSendQueueFree(q);
	set->q = bigger;
}

/* Append an entry to @set; @data must not point into the set. */
static void set_add(struct gen_set *set, const struct npf_sendq_hdr *h,
		    const uint8_t *data, const char *what)
{
	if (set->n + 1 >= set->room) {
		set->room = set->room ? 2 * set->room : 1024;
		set->off = realloc(set->off, set->room * sizeof(*set->off));
		if (!set->off)
			tool_die("out of memory");
	}
	set_reserve(set, (uint64_t)set->q->len + sizeof(*h) + h->caplen, what);
	set->off[set->n] = set->q->len;
	if (PacketSendQueueQueue(set->q, h, data) < 0)
		tool_die("%s: cannot queue a frame: %s", what, strerror(errno));
	set->n++;
	set->off[set->n] = set->q->len;
	if (h->caplen < h->len)
		set->truncated++;
}

static void set_init(struct gen_set *set, uint32_t size)
{
	memset(set, 0, sizeof(*set));
	set->q = PacketSendQueueAlloc(size);
	if (!set->q)
		tool_die("out of memory");
}

static void set_free(struct gen_set *set)
{
	PacketSendQueueFree(set->q);
	free(set->off);
}

/* Entry @i's header (the queue is not aligned). */
static struct npf_sendq_hdr set_hdr(const struct gen_set *set, size_t i)
{
	struct npf_sendq_hdr h;

	memcpy(&h, set->q->buffer + set->off[i], sizeof(h));
	return h;
}

static uint64_t set_ts_ns(const struct gen_set *set, size_t i)
{
	struct npf_sendq_hdr h = set_hdr(set, i);

	return h.tv_sec * TOOL_NSEC_PER_SEC + h.tv_usec * 1000ULL;
}

/* libpcap's message, with the path in front once. */
static void __attribute__((noreturn)) file_error(const char *path,
						  const char *err)
{
	size_t n = strlen(path);

	if (!strncmp(err, path, n) && err[n] == ':')
		tool_die("%s", err);
	tool_die("%s: %s", path, err);
}

/* -r: every frame of the file, in order; returns its DLT_. */
static int load_file(struct gen_set *set, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	struct npf_sendq_hdr h;
	const u_char *data;
	pcap_t *p;
	int ret, dlt;

	p = pcap_open_offline_with_tstamp_precision(path,
			PCAP_TSTAMP_PRECISION_MICRO, err);
	if (!p)
		file_error(path, err);
	dlt = pcap_datalink(p);
	set_init(set, 1 << 20);
	while ((ret = pcap_next_ex(p, &ph, &data)) == 1) {
		if (!ph->caplen)
			continue;	/* nothing to send */
		h.tv_sec = (uint32_t)ph->ts.tv_sec;
		h.tv_usec = (uint32_t)ph->ts.tv_usec;
		h.caplen = ph->caplen;
		h.len = ph->len;
		set_add(set, &h, data, path);
	}
	if (ret == PCAP_ERROR)
		file_error(path, pcap_geterr(p));
	pcap_close(p);
	if (!set->n)
		tool_die("%s: no frames to send", path);
	return dlt;
}

/* The template's frames, one per flow. */
static void build_template(struct gen_set *set, const struct gen_opts *o)
{
	struct tool_udp_frame f = o->tmpl;
	struct npf_sendq_hdr h = { .caplen = f.size, .len = f.size };
	uint64_t bytes = (uint64_t)o->flows * (sizeof(h) + f.size);
	uint8_t *buf;
	uint32_t i;

	if (bytes > INT_MAX)
		tool_die("%u flows of %u bytes: too many to send (more than 2 GiB)",
			 o->flows, f.size);
	buf = malloc(f.size);
	if (!buf)
		tool_die("out of memory");
	set_init(set, (uint32_t)bytes);
	for (i = 0; i < o->flows; i++) {
		f.sport = (uint16_t)(o->tmpl.sport + i);
		if (tool_build_udp(&f, buf) < 0)
			tool_die("cannot build a frame of %u bytes", f.size);
		set_add(set, &h, buf, "template");
	}
	free(buf);
}

/*
 * Repeat a small set in its queue (without --sync and -n), so that one
 * send queue carries many frames; the run's frame sequence is the same.
 */
static void replicate(struct gen_set *set, uint64_t loops)
{
	size_t n = set->n, i;
	uint64_t copies = MIN_QUEUE_ENTRIES / n, c;

	if (copies > loops)
		copies = loops;
	while (copies > 1 && copies * set->q->len > MAX_STEP_BYTES)
		copies--;
	/* Reserved first: the entries are copied from the queue itself. */
	set_reserve(set, copies * set->q->len, "frames");
	for (c = 1; c < copies; c++) {
		for (i = 0; i < n; i++) {
			struct npf_sendq_hdr h = set_hdr(set, i);

			set_add(set, &h, (const uint8_t *)set->q->buffer +
				set->off[i] + sizeof(h), "frames");
		}
	}
}

static uint32_t oid_u32(LPADAPTER a, ULONG oid, const char *what)
{
	union {
		PACKET_OID_DATA req;
		uint8_t room[sizeof(PACKET_OID_DATA) + 8];
	} u;
	uint32_t v;

	memset(&u, 0, sizeof(u));
	u.req.Oid = oid;
	u.req.Length = sizeof(v);
	if (!PacketRequest(a, FALSE, &u.req))
		tool_die("%s: cannot get the %s: %s", a->Name, what,
			 strerror(errno));
	memcpy(&v, u.req.Data, sizeof(v));
	return v;
}

static void adapter_mac(LPADAPTER a, uint8_t mac[TOOL_ETH_ALEN])
{
	union {
		PACKET_OID_DATA req;
		uint8_t room[sizeof(PACKET_OID_DATA) + 32];
	} u;

	memset(&u, 0, sizeof(u));
	u.req.Oid = OID_802_3_CURRENT_ADDRESS;
	u.req.Length = 32;
	if (!PacketRequest(a, FALSE, &u.req) || u.req.Length != TOOL_ETH_ALEN)
		tool_die("%s: cannot get the interface's MAC address (%s): use --src-mac",
			 a->Name, strerror(errno));
	memcpy(mac, u.req.Data, TOOL_ETH_ALEN);
}

static const char *dlt_name(int dlt)
{
	const char *name = pcap_datalink_val_to_name(dlt);

	return name ? name : "unknown";
}

/* An 802.1Q or 802.1ad tag follows the addresses. */
static bool vlan_tagged(const uint8_t *frame, uint32_t caplen)
{
	return caplen >= 14 && ((frame[12] == 0x81 && frame[13] == 0x00) ||
				(frame[12] == 0x88 && frame[13] == 0xa8));
}

/* Refuse, before sending anything, what the kernel would refuse. */
static void check_frames(const struct gen_set *set, LPADAPTER a, int linktype,
			 const char *what)
{
	uint32_t max = oid_u32(a, OID_GEN_MAXIMUM_TOTAL_SIZE,
			       "largest frame size");
	bool eth = linktype == NPF_LINKTYPE_ETHERNET;
	size_t i;

	for (i = 0; i < set->n; i++) {
		struct npf_sendq_hdr h = set_hdr(set, i);
		const uint8_t *data = (const uint8_t *)set->q->buffer +
				      set->off[i] + sizeof(h);
		uint32_t limit = max + (eth && vlan_tagged(data, h.caplen) ? 4 : 0);

		if (eth && h.caplen < TOOL_ETH_HLEN)
			tool_die("%s: frame %zu is %u bytes, shorter than an Ethernet header",
				 what, i + 1, h.caplen);
		if (h.caplen > limit)
			tool_die("%s: frame %zu is %u bytes, more than %s takes (%u)",
				 what, i + 1, h.caplen, a->Name, limit);
	}
}

/* -r: the file's frames must suit the adapter. */
static void check_file(struct gen_run *r, int dlt, int linktype)
{
	const char *path = r->o->rfile;

	if (dlt != tool_linktype_to_dlt(linktype))
		tool_die("%s: link type %s, but %s is %s: the frames would not fit",
			 path, dlt_name(dlt), r->a->Name,
			 dlt_name(tool_linktype_to_dlt(linktype)));
	check_frames(&r->set, r->a, linktype, path);
	if (r->set.truncated)
		tool_warn("%s: %llu frame%s cut short by the capture (caplen < len): sending %s as captured",
			  path, (unsigned long long)r->set.truncated,
			  r->set.truncated == 1 ? " was" : "s were",
			  r->set.truncated == 1 ? "it" : "them");
}

/* The template's frames, for an Ethernet adapter. */
static void make_template(struct gen_run *r, struct gen_opts *o, int linktype)
{
	uint32_t max;

	if (linktype != NPF_LINKTYPE_ETHERNET)
		tool_die("%s: link type %s: the UDP template needs an Ethernet interface (use -r with a file of the interface's link type)",
			 r->a->Name,
			 dlt_name(tool_linktype_to_dlt(linktype)));
	max = oid_u32(r->a, OID_GEN_MAXIMUM_TOTAL_SIZE, "largest frame size");
	if (o->tmpl.size > max)
		tool_die("--size %u is more than %s takes (%u: MTU %u + %u)",
			 o->tmpl.size, r->a->Name, max, max - TOOL_ETH_HLEN,
			 TOOL_ETH_HLEN);
	if (!o->src_mac_set)
		adapter_mac(r->a, o->tmpl.src_mac);
	build_template(&r->set, o);
}

/* Frames in all and their order: -n copies in a row, --loop passes. */
static void plan(struct gen_run *r, const struct gen_opts *o)
{
	uint64_t n = r->set.n;

	if (o->reps > UINT64_MAX / n || o->loops > UINT64_MAX / (n * o->reps))
		tool_die("too many frames to send (more than 2^64)");
	r->total = n * o->reps * o->loops;
	r->reps = o->reps;
	/* One frame: the passes are more copies of it. */
	if (n == 1)
		r->reps = r->total;
	else if (r->reps == 1 && !o->sync)
		replicate(&r->set, o->loops);
}

/*
 * Own frames are not captured (loopback off) and a filter that rejects
 * everything keeps the tap from copying received ones: the open only
 * sends.
 */
static void configure(struct gen_run *r)
{
	struct bpf_insn reject = BPF_STMT(BPF_RET | BPF_K, 0);
	struct bpf_program prog = { 1, &reject };

	if (!PacketSetLoopbackBehavior(r->a, NPF_DISABLE_LOOPBACK))
		tool_die("%s: cannot turn loopback capture off: %s",
			 r->a->Name, strerror(errno));
	if (!PacketSetBpf(r->a, &prog))
		tool_die("%s: cannot install the filter: %s", r->a->Name,
			 strerror(errno));
	r->writerep = 1;
}

static void get_stats(struct gen_run *r, struct npf_stats *s)
{
	if (!PacketGetNpfStats(r->a, s))
		tool_die("%s: cannot get the counters: %s", r->a->Name,
			 strerror(errno));
}

/* Frames through dev_queue_xmit() in this run: sent or refused. */
static uint64_t frames_out(const struct gen_run *r, const struct npf_stats *s)
{
	return s->bs_sent - r->s0.bs_sent + s->bs_senterr - r->s0.bs_senterr;
}

/* Put the cursor at frame @done of the run. */
static void seek(struct gen_run *r, uint64_t done)
{
	r->done = done;
	r->rep = done % r->reps;
	r->idx = (size_t)((done / r->reps) % r->set.n);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* One write(): the current entry, up to @budget copies of it. */
static int step_write(struct gen_run *r, uint64_t budget)
{
	struct npf_sendq_hdr h = set_hdr(&r->set, r->idx);
	uint64_t reps = min_u64(min_u64(r->reps - r->rep, budget),
				MAX_STEP_FRAMES);
	PACKET pkt;

	if ((int)reps != r->writerep) {
		if (!PacketSetNumWrites(r->a, (int)reps))
			return -1;
		r->writerep = (int)reps;
	}
	PacketInitPacket(&pkt, r->set.q->buffer + r->set.off[r->idx] +
			 sizeof(h), h.caplen);
	if (!PacketSendPacket(r->a, &pkt, TRUE))
		return -1;
	seek(r, r->done + reps);
	return 0;
}

/* Entries from the cursor that one send queue takes. */
static size_t step_entries(const struct gen_run *r, uint64_t budget)
{
	const struct gen_set *set = &r->set;
	uint64_t max = min_u64(min_u64(set->n - r->idx, budget),
			       min_u64(r->total - r->done, MAX_STEP_FRAMES));
	uint64_t first = r->o->sync ? set_ts_ns(set, r->idx) : 0;
	size_t m = 1;

	while (m < max && set->off[r->idx + m + 1] - set->off[r->idx] <=
	       MAX_STEP_BYTES) {
		if (r->o->sync &&
		    set_ts_ns(set, r->idx + m) - first > SYNC_STEP_NS)
			break;
		m++;
	}
	return m;
}

/*
 * --sync: a pass starts now; an entry leaves at the pass's start plus its
 * timestamp's offset from the first entry's. The kernel spaces the
 * entries of one queue; sleeping here places the queue's first one.
 */
static int sync_wait(struct gen_run *r)
{
	uint64_t t0 = set_ts_ns(&r->set, 0), t = set_ts_ns(&r->set, r->idx);

	if (!r->idx)
		r->pass_start = tool_now_ns();
	if (t <= t0)
		return 0;
	return tool_sleep_until(r->pass_start + (t - t0)) ? -1 : 0;
}

/* One send queue of entries from the cursor. */
static int step_queue(struct gen_run *r, uint64_t budget)
{
	size_t m = step_entries(r, budget);
	uint32_t from = r->set.off[r->idx];
	uint32_t len = r->set.off[r->idx + m] - from;

	if (r->o->sync && sync_wait(r) < 0) {
		errno = EINTR;
		return -1;
	}
	if ((uint32_t)PacketSendPackets(r->a, r->set.q->buffer + from, len,
					r->o->sync) < len)
		return -1;
	seek(r, r->done + m);
	return 0;
}

static void show_progress(struct gen_run *r, uint64_t now, bool last)
{
	double secs = (double)(now - r->start_ns) / 1e9;
	struct npf_stats s;
	uint64_t frames;

	get_stats(r, &s);
	frames = s.bs_sent - r->s0.bs_sent;
	fprintf(stderr, "%ssent %llu frames, %.1f s, %.0f pkt/s%s",
		r->tty ? "\r" : "", (unsigned long long)frames, secs,
		secs > 0 ? (double)frames / secs : 0,
		r->tty ? (last ? "\033[K\n" : "\033[K") : "\n");
	r->progress_ns = now;
	r->progress_shown = true;
}

/* After each step: a line a second, once the run lasted a second. */
static void progress(struct gen_run *r)
{
	uint64_t now;

	if (!r->progress)
		return;
	now = tool_now_ns();
	if (now - r->start_ns < PROGRESS_NS || now - r->progress_ns < PROGRESS_NS)
		return;
	show_progress(r, now, false);
}

static int send_error(const struct gen_run *r, int err)
{
	const char *name = r->a->Name;

	if (err == ENETDOWN)
		fprintf(stderr, "%s: %s: the interface is down\n", tool_name,
			name);
	else if (err == ENODEV)
		fprintf(stderr, "%s: %s: The interface disappeared\n",
			tool_name, name);
	else if (err == EMSGSIZE)
		fprintf(stderr, "%s: %s: a frame is too long for the interface\n",
			tool_name, name);
	else
		fprintf(stderr, "%s: %s: send failed: %s\n", tool_name, name,
			strerror(err));
	return 1;
}

/* How many frames may go now; 0 after a sleep (or a signal) in its place. */
static uint64_t pace(struct gen_run *r)
{
	uint64_t due;

	if (!r->o->pps_milli)
		return UINT64_MAX;
	due = tool_pace_due(&r->pace, r->done, tool_now_ns());
	if (!due)
		tool_sleep_until(tool_pace_time(&r->pace, r->done));
	return due;
}

static int run(struct gen_run *r)
{
	struct npf_stats s;
	uint64_t budget;
	int ret;

	get_stats(r, &r->s0);
	r->start_ns = tool_now_ns();
	r->progress_ns = r->start_ns;
	r->pass_start = r->start_ns;
	tool_pace_init(&r->pace, r->o->pps_milli, r->start_ns);
	while (r->done < r->total && !tool_stop_signal) {
		budget = pace(r);
		if (!budget)
			continue;
		ret = r->reps > 1 ? step_write(r, budget) :
				    step_queue(r, budget);
		if (ret < 0 && errno != EINTR)
			return send_error(r, errno);
		if (ret < 0) {
			/* Cut short: go on from where the kernel stopped. */
			get_stats(r, &s);
			seek(r, frames_out(r, &s));
		}
		progress(r);
	}
	r->end_ns = tool_now_ns();
	return 0;
}

static void print_summary(struct gen_run *r)
{
	double secs = (double)(r->end_ns - r->start_ns) / 1e9;
	uint64_t frames, bytes, errors;
	char bits[32];
	struct npf_stats s;

	get_stats(r, &s);
	frames = s.bs_sent - r->s0.bs_sent;
	bytes = s.bs_sent_bytes - r->s0.bs_sent_bytes;
	errors = s.bs_senterr - r->s0.bs_senterr;
	if (r->progress_shown)
		show_progress(r, r->end_ns, true);
	if (r->o->json) {
		struct tool_json j;

		tool_json_begin(&j, stdout);
		tool_json_u64(&j, "frames", frames);
		tool_json_u64(&j, "bytes", bytes);
		tool_json_u64(&j, "errors", errors);
		tool_json_double(&j, "seconds", secs, 6);
		tool_json_double(&j, "pps", secs > 0 ? frames / secs : 0, 3);
		tool_json_double(&j, "bps", secs > 0 ? bytes * 8 / secs : 0, 3);
		tool_json_bool(&j, "interrupted", r->done < r->total);
		tool_json_end(&j);
		return;
	}
	tool_format_si(secs > 0 ? bytes * 8 / secs : 0, "bit/s", bits,
		       sizeof(bits));
	printf("sent %llu frames (%llu bytes) in %.3f s: %.0f pkt/s, %s\n",
	       (unsigned long long)frames, (unsigned long long)bytes, secs,
	       secs > 0 ? frames / secs : 0, bits);
	if (errors)
		printf("%llu frame%s refused by the qdisc or driver\n",
		       (unsigned long long)errors, errors == 1 ? "" : "s");
	if (r->done < r->total)
		printf("interrupted: %llu of %llu frames handed to the kernel\n",
		       (unsigned long long)r->done,
		       (unsigned long long)r->total);
}

int main(int argc, char **argv)
{
	int ret, dlt = -1, linktype;
	struct gen_opts o;
	struct gen_run r;

	tool_name = "npfgen";
	parse_args(argc, argv, &o);
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.tty = isatty(STDERR_FILENO);
	r.progress = r.tty || o.verbose;
	/* A bad file is reported whatever the interface. */
	if (o.rfile)
		dlt = load_file(&r.set, o.rfile);
	/* Before the open: a signal now ends the run before it starts. */
	tool_catch_stop_signals(NULL);
	r.a = tool_open_adapter(o.ifname);
	linktype = PacketGetLinkType(r.a);
	if (linktype < 0)
		tool_die("%s: cannot get the link type: %s", r.a->Name,
			 strerror(errno));
	if (o.rfile)
		check_file(&r, dlt, linktype);
	else
		make_template(&r, &o, linktype);
	plan(&r, &o);
	configure(&r);
	ret = run(&r);
	if (!ret)
		print_summary(&r);
	set_free(&r.set);
	PacketCloseAdapter(r.a);
	return ret;
}
