// SPDX-License-Identifier: GPL-2.0
/*
 * decode.c - tcpdump-style one-line packet printer for npfdump.
 *
 * See decode.h for the API and for the documented differences from
 * tcpdump 4.99.  Every protocol printer takes a print context whose @end
 * is the end of the bytes that may be read (the snap length, narrowed to
 * the IP datagram as tcpdump does); nothing is read at or past it.  A
 * printer that runs out of captured bytes prints " [|proto]" and returns
 * -1, which its callers pass up without printing more.
 */
#include "decode.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define ETH_HLEN	14
#define IP4_HLEN	20
#define IP6_HLEN	40
#define TCP_HLEN	20
#define UDP_HLEN	8
#define MAX_NEST	16	/* IP-in-IP and quoted-packet depth */

struct ctx {
	FILE *f;
	const struct npf_print_opts *o;
	const uint8_t *end;	/* end of the readable bytes */
	const char *proto;	/* named by the truncation marker */
	bool *early_end;	/* set when tcpdump would have longjmp()ed */
	int depth;		/* IP nesting depth */
};

struct tok {
	unsigned int v;
	const char *s;
};

/* ------------------------------------------------------------------ */
/* Reading and printing helpers                                        */

static size_t left(const struct ctx *c, const uint8_t *p)
{
	return p < c->end ? (size_t)(c->end - p) : 0;
}

static bool have(const struct ctx *c, const uint8_t *p, size_t n)
{
	return n <= left(c, p);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The end of @n bytes from @p, or of the readable bytes if sooner. */
static const uint8_t *clip(const struct ctx *c, const uint8_t *p, size_t n)
{
	return n < left(c, p) ? p + n : c->end;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
__attribute__((format(printf, 2, 3)))
static void pr(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(c->f, fmt, ap);
	va_end(ap);
}

static int mark_trunc(struct ctx *c)
{
	pr(c, " [|%s]", c->proto);
	return -1;
}

/*
 * The same marker where tcpdump gets there by a longjmp() out of the
 * printers (its GET_ macros): tcpdump then dumps -x/-X from the start of
 * the packet, link header included.
 */
static int mark_jump(struct ctx *c)
{
	*c->early_end = true;
	return mark_trunc(c);
}

static const char *tok_find(const struct tok *t, unsigned int v)
{
	for (; t->s; t++)
		if (t->v == v)
			return t->s;
	return NULL;
}

/* The name of @v, or @fmt formatted with @v (tcpdump's tok2str()). */
static const char *tok_fmt(char *buf, size_t sz, const struct tok *t,
			   unsigned int v, const char *fmt)
{
	const char *s = tok_find(t, v);

	if (s)
		return s;
	snprintf(buf, sz, fmt, v);
	return buf;
}

static const char *tok_or(const struct tok *t, unsigned int v,
			  const char *dflt)
{
	const char *s = tok_find(t, v);

	return s ? s : dflt;
}

/* tcpdump's bittok2str(): names of the set bits, joined by @sep. */
static const char *bits_str(char *buf, size_t sz, const struct tok *t,
			    unsigned int v, const char *sep)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; t->s; t++) {
		if (!t->v || (v & t->v) != t->v)
			continue;
		n += snprintf(buf + n, sz - n, "%s%s", n ? sep : "", t->s);
		if (n >= sz)
			break;
	}
	return buf[0] ? buf : "none";
}

/* ------------------------------------------------------------------ */
/* Hex dumps, as tcpdump's hex_print() and hex_and_ascii_print()       */

static void hex_lines(FILE *f, const char *ind, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 16 == 0)
			fprintf(f, "%s0x%04zx: ", ind, i);
		if (i % 2 == 0)
			fputc(' ', f);
		fprintf(f, "%02x", p[i]);
	}
}

static void hex_ascii_line(FILE *f, const uint8_t *p, size_t n, size_t off)
{
	char hex[41], asc[17];
	size_t i, h = 0;

	for (i = 0; i < n; i++) {
		h += snprintf(hex + h, sizeof(hex) - h, "%s%02x",
			      i % 2 ? "" : " ", p[i]);
		asc[i] = p[i] > 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	}
	asc[n] = '\0';
	fprintf(f, "\n\t0x%04zx: %-40s  %s", off, hex, asc);
}

static void hex_ascii_lines(FILE *f, const uint8_t *p, size_t n)
{
	size_t off;

	for (off = 0; off < n; off += 16)
		hex_ascii_line(f, p + off, n - off < 16 ? n - off : 16, off);
}

/* tcpdump's default printer for undecoded payload: hex and ASCII. */
static void default_print(struct ctx *c, const uint8_t *p, size_t n)
{
	size_t l = left(c, p);

	hex_ascii_lines(c->f, p, n < l ? n : l);
	if (n > l)
		mark_trunc(c);
}

/* tcpdump's print_unknown_data(): hex only, clipped to the capture. */
static void unknown_data(struct ctx *c, const char *ind, const uint8_t *p,
			 size_t n)
{
	size_t l = left(c, p);

	hex_lines(c->f, ind, p, n < l ? n : l);
}

/* ------------------------------------------------------------------ */
/* Addresses and names                                                 */

struct oui_name {
	uint32_t oui;
	const char *name;
};

/* The OUIs tcpdump names after a MAC address when run without -n. */
static const struct oui_name ouis[] = {
	{ 0x000000, "Ethernet" }, { 0x00000c, "Cisco" },
	{ 0x00005e, "IANA" }, { 0x000081, "Nortel Networks SONMP" },
	{ 0x0000f8, "Cisco bridged" }, { 0x0080c2, "Ethernet bridged" },
	{ 0x00a03e, "ATM Forum" }, { 0x00e02f, "DOCSIS Spanning Tree" },
	{ 0x080007, "Appletalk" }, { 0x009069, "Juniper" },
	{ 0x080009, "Hewlett-Packard" }, { 0x00120f, "IEEE 802.3 Private" },
	{ 0x0012bb, "ANSI/TIA" }, { 0x001b21, "DCBX" },
	{ 0x002320, "Nicira Networks" }, { 0x5c16c7, "Big Switch Networks" },
	{ 0xb0d2f5, "Vello Systems" }, { 0x002481, "HP" },
	{ 0x0004ea, "HP-Labs" }, { 0x748771, "Infoblox Inc" },
	{ 0xa42305, "Open Networking Lab" }, { 0x00049f, "Freescale" },
	{ 0x0015ad, "Netronome" }, { 0x001018, "Broadcom" },
	{ 0x00e004, "PMC-Sierra" }, { 0xd0f0db, "Ericsson" },
};

static const char *oui_str(uint32_t oui)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ouis); i++)
		if (ouis[i].oui == oui)
			return ouis[i].name;
	return "Unknown";
}

#define MAC_STRLEN 64

static const char *mac_str(const struct ctx *c, char *buf, const uint8_t *m)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	int n;

	if (!c->o->numeric && !memcmp(m, bcast, 6))
		return "Broadcast";
	n = snprintf(buf, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		     m[0], m[1], m[2], m[3], m[4], m[5]);
	if (!c->o->numeric)
		snprintf(buf + n, MAC_STRLEN - n, " (oui %s)",
			 oui_str((uint32_t)m[0] << 16 | m[1] << 8 | m[2]));
	return buf;
}

#define LINKADDR_STRLEN (3 * 256)

/* tcpdump's linkaddr_string() for Ethernet-style hardware addresses. */
static const char *linkaddr_str(const struct ctx *c, char *buf,
				const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0)
		return "<empty>";
	if (n == 6)
		return mac_str(c, buf, p);
	for (i = 0; i < n; i++)
		snprintf(buf + (i ? 3 * i - 1 : 0), 4, "%s%02x", i ? ":" : "",
			 p[i]);
	return buf;
}

static const char *ip4_str(char *buf, const uint8_t *p)
{
	snprintf(buf, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
	return buf;
}

static const char *ip6_str(char *buf, const uint8_t *p)
{
	uint8_t a[16];

	memcpy(a, p, 16);
	if (!inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN))
		snprintf(buf, INET6_ADDRSTRLEN, "?");
	return buf;
}

struct service {
	uint16_t port;
	const char *tcp;
	const char *udp;
};

/*
 * Service names: the tcp and udp entries of Debian 12's /etc/services
 * (netbase 6.4): for each port the first tcp and the first udp name,
 * sorted by port.  tcpdump reads the same file through getservent().
 */
static const struct service services[] = {
	{ 1, "tcpmux", NULL },
	{ 7, "echo", "echo" },
	{ 9, "discard", "discard" },
	{ 11, "systat", NULL },
	{ 13, "daytime", "daytime" },
	{ 15, "netstat", NULL },
	{ 17, "qotd", NULL },
	{ 19, "chargen", "chargen" },
	{ 20, "ftp-data", NULL },
	{ 21, "ftp", "fsp" },
	{ 22, "ssh", NULL },
	{ 23, "telnet", NULL },
	{ 25, "smtp", NULL },
	{ 37, "time", "time" },
	{ 43, "whois", NULL },
	{ 49, "tacacs", "tacacs" },
	{ 53, "domain", "domain" },
	{ 67, NULL, "bootps" },
	{ 68, NULL, "bootpc" },
	{ 69, NULL, "tftp" },
	{ 70, "gopher", NULL },
	{ 79, "finger", NULL },
	{ 80, "http", NULL },
	{ 88, "kerberos", "kerberos" },
	{ 102, "iso-tsap", NULL },
	{ 104, "acr-nema", NULL },
	{ 106, "poppassd", NULL },
	{ 110, "pop3", NULL },
	{ 111, "sunrpc", "sunrpc" },
	{ 113, "auth", NULL },
	{ 119, "nntp", NULL },
	{ 123, NULL, "ntp" },
	{ 135, "epmap", NULL },
	{ 137, NULL, "netbios-ns" },
	{ 138, NULL, "netbios-dgm" },
	{ 139, "netbios-ssn", NULL },
	{ 143, "imap2", NULL },
	{ 161, "snmp", "snmp" },
	{ 162, "snmp-trap", "snmp-trap" },
	{ 163, "cmip-man", "cmip-man" },
	{ 164, "cmip-agent", "cmip-agent" },
	{ 174, "mailq", NULL },
	{ 177, NULL, "xdmcp" },
	{ 179, "bgp", NULL },
	{ 199, "smux", NULL },
	{ 209, "qmtp", NULL },
	{ 210, "z3950", NULL },
	{ 213, NULL, "ipx" },
	{ 319, NULL, "ptp-event" },
	{ 320, NULL, "ptp-general" },
	{ 345, "pawserv", NULL },
	{ 346, "zserv", NULL },
	{ 369, "rpc2portmap", "rpc2portmap" },
	{ 370, "codaauth2", "codaauth2" },
	{ 371, NULL, "clearcase" },
	{ 389, "ldap", "ldap" },
	{ 427, "svrloc", "svrloc" },
	{ 443, "https", "https" },
	{ 444, "snpp", NULL },
	{ 445, "microsoft-ds", NULL },
	{ 464, "kpasswd", "kpasswd" },
	{ 465, "submissions", NULL },
	{ 487, "saft", NULL },
	{ 500, NULL, "isakmp" },
	{ 512, "exec", "biff" },
	{ 513, "login", "who" },
	{ 514, "shell", "syslog" },
	{ 515, "printer", NULL },
	{ 517, NULL, "talk" },
	{ 518, NULL, "ntalk" },
	{ 520, NULL, "route" },
	{ 538, "gdomap", "gdomap" },
	{ 540, "uucp", NULL },
	{ 543, "klogin", NULL },
	{ 544, "kshell", NULL },
	{ 546, NULL, "dhcpv6-client" },
	{ 547, NULL, "dhcpv6-server" },
	{ 548, "afpovertcp", NULL },
	{ 554, "rtsp", "rtsp" },
	{ 563, "nntps", NULL },
	{ 587, "submission", NULL },
	{ 607, "nqs", NULL },
	{ 623, NULL, "asf-rmcp" },
	{ 628, "qmqp", NULL },
	{ 631, "ipp", NULL },
	{ 636, "ldaps", "ldaps" },
	{ 646, "ldp", "ldp" },
	{ 655, "tinc", "tinc" },
	{ 706, "silc", NULL },
	{ 749, "kerberos-adm", NULL },
	{ 750, "kerberos4", "kerberos4" },
	{ 751, "kerberos-master", "kerberos-master" },
	{ 752, NULL, "passwd-server" },
	{ 754, "krb-prop", NULL },
	{ 775, "moira-db", NULL },
	{ 777, "moira-update", NULL },
	{ 779, NULL, "moira-ureg" },
	{ 783, "spamd", NULL },
	{ 853, "domain-s", "domain-s" },
	{ 871, "supfilesrv", NULL },
	{ 873, "rsync", NULL },
	{ 989, "ftps-data", NULL },
	{ 990, "ftps", NULL },
	{ 992, "telnets", NULL },
	{ 993, "imaps", NULL },
	{ 995, "pop3s", NULL },
	{ 1080, "socks", NULL },
	{ 1093, "proofd", NULL },
	{ 1094, "rootd", NULL },
	{ 1099, "rmiregistry", NULL },
	{ 1127, "supfiledbg", NULL },
	{ 1178, "skkserv", NULL },
	{ 1194, "openvpn", "openvpn" },
	{ 1210, NULL, "predict" },
	{ 1236, "rmtcfg", NULL },
	{ 1313, "xtel", NULL },
	{ 1314, "xtelw", NULL },
	{ 1352, "lotusnote", NULL },
	{ 1433, "ms-sql-s", NULL },
	{ 1434, NULL, "ms-sql-m" },
	{ 1524, "ingreslock", NULL },
	{ 1645, "datametrics", "datametrics" },
	{ 1646, "sa-msg-port", "sa-msg-port" },
	{ 1649, "kermit", NULL },
	{ 1677, "groupwise", NULL },
	{ 1701, NULL, "l2f" },
	{ 1812, "radius", "radius" },
	{ 1813, "radius-acct", "radius-acct" },
	{ 2000, "cisco-sccp", NULL },
	{ 2049, "nfs", "nfs" },
	{ 2086, "gnunet", "gnunet" },
	{ 2101, "rtcm-sc104", "rtcm-sc104" },
	{ 2102, NULL, "zephyr-srv" },
	{ 2103, NULL, "zephyr-clt" },
	{ 2104, NULL, "zephyr-hm" },
	{ 2119, "gsigatekeeper", NULL },
	{ 2121, "iprop", NULL },
	{ 2135, "gris", NULL },
	{ 2401, "cvspserver", NULL },
	{ 2430, "venus", "venus" },
	{ 2431, "venus-se", "venus-se" },
	{ 2432, "codasrv", "codasrv" },
	{ 2433, "codasrv-se", "codasrv-se" },
	{ 2583, "mon", "mon" },
	{ 2600, "zebrasrv", NULL },
	{ 2601, "zebra", NULL },
	{ 2602, "ripd", NULL },
	{ 2603, "ripngd", NULL },
	{ 2604, "ospfd", NULL },
	{ 2605, "bgpd", NULL },
	{ 2606, "ospf6d", NULL },
	{ 2607, "ospfapi", NULL },
	{ 2608, "isisd", NULL },
	{ 2628, "dict", NULL },
	{ 2792, "f5-globalsite", NULL },
	{ 2811, "gsiftp", NULL },
	{ 2947, "gpsd", NULL },
	{ 3050, "gds-db", NULL },
	{ 3130, NULL, "icpv2" },
	{ 3205, "isns", "isns" },
	{ 3260, "iscsi-target", NULL },
	{ 3306, "mysql", NULL },
	{ 3389, "ms-wbt-server", NULL },
	{ 3493, "nut", "nut" },
	{ 3632, "distcc", NULL },
	{ 3689, "daap", NULL },
	{ 3690, "svn", NULL },
	{ 4031, "suucp", NULL },
	{ 4094, "sysrqd", NULL },
	{ 4190, "sieve", NULL },
	{ 4353, "f5-iquery", NULL },
	{ 4369, "epmd", NULL },
	{ 4373, "remctl", NULL },
	{ 4460, "ntske", NULL },
	{ 4500, NULL, "ipsec-nat-t" },
	{ 4557, "fax", NULL },
	{ 4559, "hylafax", NULL },
	{ 4569, NULL, "iax" },
	{ 4691, "mtn", NULL },
	{ 4899, "radmin-port", NULL },
	{ 4949, "munin", NULL },
	{ 5060, "sip", "sip" },
	{ 5061, "sip-tls", "sip-tls" },
	{ 5222, "xmpp-client", NULL },
	{ 5269, "xmpp-server", NULL },
	{ 5308, "cfengine", NULL },
	{ 5353, NULL, "mdns" },
	{ 5432, "postgresql", NULL },
	{ 5555, NULL, "rplay" },
	{ 5556, "freeciv", NULL },
	{ 5666, "nrpe", NULL },
	{ 5667, "nsca", NULL },
	{ 5671, "amqps", NULL },
	{ 5672, "amqp", NULL },
	{ 5680, "canna", NULL },
	{ 6000, "x11", NULL },
	{ 6001, "x11-1", NULL },
	{ 6002, "x11-2", NULL },
	{ 6003, "x11-3", NULL },
	{ 6004, "x11-4", NULL },
	{ 6005, "x11-5", NULL },
	{ 6006, "x11-6", NULL },
	{ 6007, "x11-7", NULL },
	{ 6346, "gnutella-svc", "gnutella-svc" },
	{ 6347, "gnutella-rtr", "gnutella-rtr" },
	{ 6379, "redis", NULL },
	{ 6444, "sge-qmaster", NULL },
	{ 6445, "sge-execd", NULL },
	{ 6446, "mysql-proxy", NULL },
	{ 6514, "syslog-tls", NULL },
	{ 6566, "sane-port", NULL },
	{ 6667, "ircd", NULL },
	{ 6696, NULL, "babel" },
	{ 6697, "ircs-u", NULL },
	{ 7000, "bbs", "afs3-fileserver" },
	{ 7001, NULL, "afs3-callback" },
	{ 7002, NULL, "afs3-prserver" },
	{ 7003, NULL, "afs3-vlserver" },
	{ 7004, NULL, "afs3-kaserver" },
	{ 7005, NULL, "afs3-volser" },
	{ 7007, NULL, "afs3-bos" },
	{ 7008, NULL, "afs3-update" },
	{ 7009, NULL, "afs3-rmtsys" },
	{ 7100, "font-service", NULL },
	{ 8021, "zope-ftp", NULL },
	{ 8080, "http-alt", NULL },
	{ 8081, "tproxy", NULL },
	{ 8088, "omniorb", NULL },
	{ 8140, "puppet", NULL },
	{ 8990, "clc-build-daemon", NULL },
	{ 9098, "xinetd", NULL },
	{ 9101, "bacula-dir", NULL },
	{ 9102, "bacula-fd", NULL },
	{ 9103, "bacula-sd", NULL },
	{ 9418, "git", NULL },
	{ 9667, "xmms2", NULL },
	{ 9673, "zope", NULL },
	{ 10000, "webmin", NULL },
	{ 10050, "zabbix-agent", NULL },
	{ 10051, "zabbix-trapper", NULL },
	{ 10080, "amanda", NULL },
	{ 10081, "kamanda", NULL },
	{ 10082, "amandaidx", NULL },
	{ 10083, "amidxtape", NULL },
	{ 10809, "nbd", NULL },
	{ 11112, "dicom", NULL },
	{ 11371, "hkp", NULL },
	{ 17001, NULL, "sgi-cmsd" },
	{ 17002, NULL, "sgi-crsd" },
	{ 17003, NULL, "sgi-gcd" },
	{ 17004, "sgi-cad", NULL },
	{ 17500, "db-lsp", NULL },
	{ 22125, "dcap", NULL },
	{ 22128, "gsidcap", NULL },
	{ 22273, "wnn6", NULL },
	{ 24554, "binkp", NULL },
	{ 27374, "asp", "asp" },
	{ 30865, "csync2", NULL },
	{ 57000, "dircproxy", NULL },
	{ 60177, "tfido", NULL },
	{ 60179, "fido", NULL },
};

static const size_t n_services = ARRAY_SIZE(services);

/* The port as a service name (without -n) or a number. */
static const char *port_str(const struct ctx *c, char *buf, uint16_t port,
			    bool tcp)
{
	size_t lo = 0, hi = n_services;

	while (!c->o->numeric && lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct service *s = &services[mid];

		if (s->port == port) {
			if (tcp ? s->tcp : s->udp)
				return tcp ? s->tcp : s->udp;
			break;
		}
		if (s->port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	snprintf(buf, 8, "%u", port);
	return buf;
}

/* IANA keywords, as tcpdump prints unknown protocols without -n. */
static const char *const proto_names[256] = {
	"hopopt", "icmp", "igmp", "ggp", "ipencap", "st", "tcp", "cbt",
	"egp", "igp", "bbn-rcc-mon", "nvp-ii", "pup", "argus", "emcon",
	"xnet", "chaos", "udp", "mux", "dcn-meas", "hmp", "prm", "xns-idp",
	"trunk-1", "trunk-2", "leaf-1", "leaf-2", "rdp", "irtp", "iso-tp4",
	"netblt", "mfe-nsp", "merit-inp", "dccp", "3pc", "idpr", "xtp",
	"ddp", "idpr-cmtp", "tp++", "il", "ipv6", "sdrp", "ipv6-route",
	"ipv6-frag", "idrp", "rsvp", "gre", "dsr", "bna", "esp", "ah",
	"i-nlsp", "swipe", "narp", "mobile", "tlsp", "skip", "ipv6-icmp",
	"ipv6-nonxt", "ipv6-opts", NULL, "cftp", NULL, "sat-expak",
	"kryptolan", "rvd", "ippc", NULL, "sat-mon", "visa", "ipcv", "cpnx",
	"rspf", "wsn", "pvp", "br-sat-mon", "sun-nd", "wb-mon", "wb-expak",
	"iso-ip", "vmtp", "secure-vmtp", "vines", "ttp", "nsfnet-igp", "dgp",
	"tcf", "eigrp", "ospf", "sprite-rpc", "larp", "mtp", "ax.25", "ipip",
	"micp", "scc-sp", "etherip", "encap", NULL, "gmtp", "ifmp", "pnni",
	"pim", "aris", "scps", "qnx", "a/n", "ipcomp", "snp", "compaq-peer",
	"ipx-in-ip", "vrrp", "pgm", NULL, "l2tp", "ddx", "iatp", "stp", "srp",
	"uti", "smp", "sm", "ptp", "isis", "fire", "crtp", "crudp",
	"sscopmce", "iplt", "sps", "pipe", "sctp", "fc", "rsvp-e2e-ignore",
	"mobility-header", "udplite", "mpls-in-ip", "manet", "hip", "shim6",
	"wesp", "rohc",
	[253] = "exptest-253", [254] = "exptest-254", [255] = "reserved",
};

/* tcpdump's ipproto_values: the names -v prints in "proto NAME (N)". */
static const struct tok ipproto_tok[] = {
	{ 0, "Options" }, { 1, "ICMP" }, { 2, "IGMP" }, { 4, "IPIP" },
	{ 6, "TCP" }, { 8, "EGP" }, { 9, "IGRP" }, { 17, "UDP" },
	{ 33, "DCCP" }, { 41, "IPv6" }, { 43, "Routing" },
	{ 44, "Fragment" }, { 46, "RSVP" }, { 47, "GRE" }, { 50, "ESP" },
	{ 51, "AH" }, { 55, "Mobile IP" }, { 58, "ICMPv6" },
	{ 62, "Mobile IP (old)" }, { 88, "EIGRP" }, { 89, "OSPF" },
	{ 103, "PIM" }, { 108, "Compressed IP" }, { 112, "VRRP" },
	{ 113, "PGM" }, { 132, "SCTP" }, { 135, "Mobility" },
	{ 143, "Ethernet" }, { 0, NULL }
};

/* " NAME" (without -n) or " ip-proto-N", for undecoded protocols. */
static void print_proto_name(struct ctx *c, unsigned int p)
{
	if (!c->o->numeric && proto_names[p])
		pr(c, " %s", proto_names[p]);
	else
		pr(c, " ip-proto-%u", p);
}

static const struct tok ethertype_tok[] = {
	{ 0x0600, "NS" }, { 0x0707, "GeoNet (old)" }, { 0x0800, "IPv4" },
	{ 0x0806, "ARP" }, { 0x1000, "Trail" }, { 0x1111, "CALM FAST" },
	{ 0x6001, "MOP DL" }, { 0x6002, "MOP RC" }, { 0x6003, "DN" },
	{ 0x6004, "LAT" }, { 0x6007, "SCA" }, { 0x6558, "TEB" },
	{ 0x8035, "Reverse ARP" }, { 0x8038, "Lanbridge" },
	{ 0x803c, "DEC DNS" }, { 0x803e, "DEC DTS" }, { 0x805b, "VEXP" },
	{ 0x805c, "VPROD" }, { 0x809b, "Appletalk" },
	{ 0x80f3, "Appletalk ARP" }, { 0x8100, "802.1Q" }, { 0x8137, "IPX" },
	{ 0x86dd, "IPv6" }, { 0x8808, "MPCP" }, { 0x8809, "Slow Protocols" },
	{ 0x880b, "PPP" }, { 0x8847, "MPLS unicast" },
	{ 0x8848, "MPLS multicast" }, { 0x8863, "PPPoE D" },
	{ 0x8864, "PPPoE S" }, { 0x886f, "MS NLB heartbeat" },
	{ 0x8870, "Jumbo" }, { 0x888e, "EAPOL" },
	{ 0x8899, "Realtek protocols" }, { 0x88a2, "AoE" },
	{ 0x88a8, "802.1Q-QinQ" }, { 0x88ca, "TIPC" }, { 0x88cc, "LLDP" },
	{ 0x88e5, "802.1AE MACsec" }, { 0x88f7, "PTP" }, { 0x8902, "CFM" },
	{ 0x893a, "IEEE1905.1" }, { 0x8947, "GeoNet" }, { 0x894f, "NSH" },
	{ 0x9000, "Loopback" }, { 0x9100, "802.1Q-9100" },
	{ 0x9200, "802.1Q-9200" }, { 0xabcd, "CFM (old)" },
	{ 0xd28b, "Arista Vendor Specific Protocol" }, { 0xfefe, "OSI" },
	{ 0, NULL }
};

static void print_ethertype(struct ctx *c, uint16_t type)
{
	pr(c, "ethertype %s (0x%04x)", tok_or(ethertype_tok, type, "Unknown"),
	   type);
}

/* ------------------------------------------------------------------ */
/* Internet checksums                                                  */

static uint32_t sum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t sum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* tcpdump's in_cksum_shouldbe(): the checksum the packet should carry. */
static uint16_t cksum_shouldbe(uint16_t sum, uint16_t computed)
{
	uint32_t s = (uint32_t)sum + computed;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* ------------------------------------------------------------------ */
/* IP headers as seen by the transport printers                        */

static void ip4_print(struct ctx *c, const uint8_t *p, uint32_t length);
static void ip6_print(struct ctx *c, const uint8_t *p, uint32_t length);

static bool is_ip6(const uint8_t *iph)
{
	return iph[0] >> 4 == 6;
}

/* The protocol the IP header itself names (not after extensions). */
static unsigned int ip_nh(const uint8_t *iph)
{
	return is_ip6(iph) ? iph[6] : iph[9];
}

static void print_ip_addrs(struct ctx *c, const uint8_t *iph, const char *sep)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	if (is_ip6(iph))
		pr(c, "%s > %s%s", ip6_str(a, iph + 8), ip6_str(b, iph + 24),
		   sep);
	else
		pr(c, "%s > %s%s", ip4_str(a, iph + 12), ip4_str(b, iph + 16),
		   sep);
}

static void print_ports(struct ctx *c, const uint8_t *iph, unsigned int nh,
			uint16_t sport, uint16_t dport, bool tcp)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], s[8], d[8];
	const char *ps = port_str(c, s, sport, tcp);
	const char *pd = port_str(c, d, dport, tcp);

	if (ip_nh(iph) != nh)
		pr(c, "%s > %s: ", ps, pd);
	else if (is_ip6(iph))
		pr(c, "%s.%s > %s.%s: ", ip6_str(a, iph + 8), ps,
		   ip6_str(b, iph + 24), pd);
	else
		pr(c, "%s.%s > %s.%s: ", ip4_str(a, iph + 12), ps,
		   ip4_str(b, iph + 16), pd);
}

/* An IPv4 source route's final hop, for the pseudo-header (ip_finddst). */
static const uint8_t *ip4_finddst(const struct ctx *c, const uint8_t *iph)
{
	const uint8_t *cp = iph + IP4_HLEN;
	unsigned int length = (iph[0] & 0xf) * 4 - IP4_HLEN, len;

	for (; length; cp += len, length -= len) {
		if (!have(c, cp, 1) || cp[0] == 0)
			break;
		len = 1;
		if (cp[0] != 1) {
			if (!have(c, cp, 2) || cp[1] < 2)
				break;
			len = cp[1];
		}
		if (length < len || !have(c, cp, len))
			break;
		if ((cp[0] == 131 || cp[0] == 137) && len >= 7)
			return cp + len - 4;
	}
	return iph + 16;
}

/* The final destination after IPv6 routing headers (ip6_finddst). */
static const uint8_t *ip6_finddst(const struct ctx *c, const uint8_t *iph)
{
	const uint8_t *dst = iph + 24, *cp = iph;
	size_t adv = IP6_HLEN;
	unsigned int nh = iph[6], n, i;

	while (adv <= left(c, cp)) {
		cp += adv;
		if (nh == 0 || nh == 60 || nh == 135 || nh == 62) {
			if (!have(c, cp, 2))
				break;
			adv = ((size_t)cp[1] + 1) << 3;
			nh = cp[0];
		} else if (nh == 44) {
			if (!have(c, cp, 1))
				break;
			adv = 8;
			nh = cp[0];
		} else if (nh == 43) {
			if (!have(c, cp, 4))
				break;
			n = cp[1];
			if (cp[2] == 0 || cp[2] == 2) {
				if (n % 2)
					break;
				for (i = 0; i < n / 2; i++) {
					if (!have(c, cp + 8, 16 * i + 16))
						break;
					dst = cp + 8 + 16 * i;
				}
			} else if (cp[2] == 4 && !(n % 2) && have(c, cp, 24)) {
				dst = cp + 8;
			}
			break;
		}
		break;
	}
	return dst;
}

/* The transport checksum over @len bytes at @p; 0 when correct. */
static uint16_t l4_cksum(const struct ctx *c, const uint8_t *iph,
			 const uint8_t *p, uint32_t len, unsigned int proto)
{
	uint32_t sum = proto;

	if (is_ip6(iph)) {
		sum = sum_add(sum, iph + 8, 16);
		sum = sum_add(sum, ip6_finddst(c, iph), 16);
		sum += (len >> 16) + (len & 0xffff);
	} else {
		sum = sum_add(sum, iph + 12, 4);
		sum = sum_add(sum, ip4_finddst(c, iph), 4);
		sum += len & 0xffff;
	}
	return sum_fold(sum_add(sum, p, len));
}

/* ------------------------------------------------------------------ */
/* TCP                                                                 */

enum {
	TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PUSH = 0x08,
	TH_ACK = 0x10, TH_URG = 0x20, TH_ECE = 0x40, TH_CWR = 0x80,
};

static const struct tok tcp_opt_tok[] = {
	{ 0, "eol" }, { 1, "nop" }, { 2, "mss" }, { 3, "wscale" },
	{ 4, "sackOK" }, { 5, "sack" }, { 6, "echo" }, { 7, "echoreply" },
	{ 8, "TS" }, { 11, "cc" }, { 12, "ccnew" }, { 13, "" },
	{ 19, "md5" }, { 20, "scps" }, { 28, "uto" }, { 29, "tcp-ao" },
	{ 30, "mptcp" }, { 34, "tfo" }, { 254, "exp" }, { 0, NULL }
};

static const char *tcp_flags_str(char *buf, uint8_t flags)
{
	static const char names[] = "FSRP.UEW";
	int i, n = 0;

	for (i = 0; i < 8; i++)
		if (flags & (1 << i))
			buf[n++] = names[i];
	buf[n] = '\0';
	return n ? buf : "none";
}

/* tcpdump's fn_print_char(). */
static void print_char(struct ctx *c, uint8_t ch)
{
	if (ch & 0x80) {
		ch &= 0x7f;
		pr(c, "M-");
	}
	if (ch < 0x20 || ch == 0x7f) {
		ch ^= 0x40;
		pr(c, "^");
	}
	pr(c, "%c", ch);
}

static void tcp_fastopen(struct ctx *c, const uint8_t *cp, unsigned int n,
			 bool exp)
{
	unsigned int i;

	if (exp)
		pr(c, "tfo");
	if (n == 0) {
		pr(c, " cookiereq");
	} else if (n % 2 || n < 4 || n > 16) {
		pr(c, " (invalid)");
	} else {
		pr(c, " cookie ");
		for (i = 0; i < n; i++)
			pr(c, "%02x", cp[i]);
	}
}

struct tcp_opt {
	const uint8_t *seg;	/* the TCP header */
	uint32_t paylen;	/* TCP payload length */
	unsigned int len;	/* option length, kind and length bytes too */
	unsigned int room;	/* header bytes left after kind and length */
};

/* LENCHECK: 0, -1 ("[bad opt]": past the header) or -2 (not captured). */
static int opt_check(const struct ctx *c, const uint8_t *cp,
		     const struct tcp_opt *t, unsigned int l)
{
	if (l > t->room)
		return -1;
	return have(c, cp, l) ? 0 : -2;
}

static int tcp_opt_sack(struct ctx *c, const uint8_t *cp,
			const struct tcp_opt *t)
{
	unsigned int n = t->len - 2, i;
	int e;

	if (n % 8) {
		pr(c, " invalid sack");
		return (int)n;
	}
	pr(c, " %u ", n / 8);
	for (i = 0; i < n; i += 8) {
		e = opt_check(c, cp, t, i + 4);
		if (e)
			return e;
		e = opt_check(c, cp, t, i + 8);
		if (e)
			return e;
		pr(c, "{%u:%u}", get32(cp + i), get32(cp + i + 4));
	}
	return (int)n;
}

/* tcpdump built with libcrypto, given no -M secret. */
static int tcp_opt_md5(struct ctx *c, const uint8_t *cp,
		       const struct tcp_opt *t)
{
	size_t seglen = (size_t)(t->seg[12] >> 4) * 4 + t->paylen;
	unsigned int i;
	int e;

	e = opt_check(c, cp, t, 16);
	if (e)
		return e;
	if (!have(c, t->seg, seglen))
		pr(c, " snaplen too short, can't check - ");
	else
		pr(c, " shared secret not supplied with -M, can't check - ");
	for (i = 0; i < 16; i++)
		pr(c, "%02x", cp[i]);
	return 16;
}

static int tcp_opt_ao(struct ctx *c, const uint8_t *cp,
		      const struct tcp_opt *t)
{
	unsigned int n = t->len - 2, i;
	int e;

	if (n < 2) {
		pr(c, " (invalid)");
		return (int)n;
	}
	e = opt_check(c, cp, t, 1);
	if (e)
		return e;
	pr(c, " keyid %u", cp[0]);
	e = opt_check(c, cp, t, 2);
	if (e)
		return e;
	pr(c, " rnextkeyid %u", cp[1]);
	if (n > 2)
		pr(c, " mac 0x");
	for (i = 2; i < n; i++) {
		e = opt_check(c, cp, t, i + 1);
		if (e)
			return e;
		pr(c, "%02x", cp[i]);
	}
	return (int)n;
}

static int tcp_opt_exp(struct ctx *c, const uint8_t *cp,
		       const struct tcp_opt *t)
{
	unsigned int n = t->len - 2;
	int e;

	e = opt_check(c, cp, t, n);
	if (e)
		return e;
	if (n < 2)
		return -1;
	pr(c, "-");
	if (get16(cp) == 0xf989)
		tcp_fastopen(c, cp + 2, n - 2, true);
	else
		pr(c, "%04x", get16(cp));
	return (int)n;
}

static int tcp_opt_hex(struct ctx *c, const uint8_t *cp,
		       const struct tcp_opt *t)
{
	unsigned int n = t->len - 2, i;
	int e;

	if (n)
		pr(c, " 0x");
	for (i = 0; i < n; i++) {
		e = opt_check(c, cp, t, i + 1);
		if (e)
			return e;
		pr(c, "%02x", cp[i]);
	}
	return (int)n;
}

/* The options with a value of fixed size @n. */
static int tcp_opt_fixed(struct ctx *c, unsigned int kind, const uint8_t *cp,
			 const struct tcp_opt *t, unsigned int n)
{
	int e = opt_check(c, cp, t, n);
	unsigned int v;

	if (e)
		return e;
	switch (kind) {
	case 2:
		pr(c, " %u", get16(cp));
		break;
	case 3:
		pr(c, " %u", cp[0]);
		break;
	case 8:
		pr(c, " val %u ecr %u", get32(cp), get32(cp + 4));
		break;
	case 20:
		pr(c, " cap %02x id %u", cp[0], cp[1]);
		break;
	case 28:
		v = get16(cp);
		pr(c, " 0x%x %u", v, v & 1 ? (v >> 1) * 60 : v >> 1);
		break;
	default:
		pr(c, " %u", get32(cp));
		break;
	}
	return (int)n;
}

static int tcp_opt_tfo(struct ctx *c, const uint8_t *cp,
		       const struct tcp_opt *t)
{
	unsigned int n = t->len - 2;
	int e = opt_check(c, cp, t, n);

	if (e)
		return e;
	pr(c, " ");
	tcp_fastopen(c, cp, n, false);
	return (int)n;
}

/*
 * Print the value of one option at @cp (after its kind and length).
 * Returns the bytes used, -1 for "[bad opt]" or -2 when not captured.
 */
static int tcp_opt_value(struct ctx *c, unsigned int kind,
			 const uint8_t *cp, const struct tcp_opt *t)
{
	switch (kind) {
	case 0: case 1: case 4:
		return 0;
	case 2: case 20: case 28:
		return tcp_opt_fixed(c, kind, cp, t, 2);
	case 3:
		return tcp_opt_fixed(c, kind, cp, t, 1);
	case 6: case 7: case 11: case 12: case 13:
		return tcp_opt_fixed(c, kind, cp, t, 4);
	case 8:
		return tcp_opt_fixed(c, kind, cp, t, 8);
	case 5:
		return tcp_opt_sack(c, cp, t);
	case 19:
		return tcp_opt_md5(c, cp, t);
	case 29:
		return tcp_opt_ao(c, cp, t);
	case 34:
		return tcp_opt_tfo(c, cp, t);
	case 254:
		return tcp_opt_exp(c, cp, t);
	default:
		return tcp_opt_hex(c, cp, t);
	}
}

/* The ", options [...]" list; -1 when the caller must stop printing. */
static int tcp_options(struct ctx *c, const uint8_t *tp, unsigned int hlen,
		       uint32_t paylen)
{
	struct tcp_opt t = { .seg = tp, .paylen = paylen };
	const uint8_t *cp = tp + TCP_HLEN;
	unsigned int kind;
	bool first = true;
	int used;

	t.room = hlen - TCP_HLEN;
	pr(c, ", options [");
	while (t.room > 0) {
		if (!first)
			pr(c, ",");
		if (!have(c, cp, 1))
			return mark_jump(c);
		kind = *cp++;
		t.len = 1;
		if (kind > 1) {
			if (!have(c, cp, 1))
				return mark_jump(c);
			t.len = *cp++;
			if (t.len < 2 || t.len > t.room)
				goto bad;
			t.room--;
		}
		t.room--;
		if (tok_find(tcp_opt_tok, kind))
			pr(c, "%s", tok_find(tcp_opt_tok, kind));
		else
			pr(c, "unknown-%u", kind);
		used = tcp_opt_value(c, kind, cp, &t);
		if (used == -1)
			goto bad;
		if (used == -2) {
			mark_trunc(c);
			if (!first)
				pr(c, ">");
			return -1;
		}
		cp = clip(c, cp, (size_t)used);
		t.room -= (unsigned int)used;
		if ((unsigned int)used + (kind > 1 ? 2 : 1) != t.len)
			pr(c, "[len %u]", t.len);
		first = false;
		if (kind == 0)
			break;
	}
	pr(c, "]");
	return 0;
bad:
	pr(c, "[bad opt]");
	if (!first)
		pr(c, "]");
	return -1;
}

static void tcp_rst_data(struct ctx *c, const uint8_t *sp, uint32_t length)
{
	size_t l = left(c, sp);

	pr(c, have(c, sp, length) ? " [RST" : " [!RST");
	if (length > 30) {
		length = 30;
		pr(c, "+");
	}
	pr(c, " ");
	for (; length && l; length--, l--)
		print_char(c, *sp++);
	pr(c, "]");
}

static void tcp_cksum_print(struct ctx *c, const uint8_t *tp, uint32_t length,
			    const uint8_t *iph)
{
	uint16_t sum, tsum;

	if (!have(c, tp, length))
		return;
	sum = l4_cksum(c, iph, tp, length, 6);
	tsum = get16(tp + 16);
	pr(c, ", cksum 0x%04x", tsum);
	if (sum)
		pr(c, " (incorrect -> 0x%04x)", cksum_shouldbe(tsum, sum));
	else
		pr(c, " (correct)");
}

static void tcp_print(struct ctx *c, const uint8_t *tp, uint32_t length,
		      const uint8_t *iph, bool frag)
{
	unsigned int hlen;
	uint32_t seq;
	uint8_t flags;
	char fl[9];

	c->proto = "tcp";
	if (!have(c, tp, 4)) {
		print_ip_addrs(c, iph, ":");
		mark_trunc(c);
		return;
	}
	print_ports(c, iph, 6, get16(tp), get16(tp + 2), true);
	if (!have(c, tp, TCP_HLEN)) {
		mark_trunc(c);
		return;
	}
	hlen = (tp[12] >> 4) * 4;
	if (hlen < TCP_HLEN) {
		pr(c, " tcp %u [bad hdr length %u - too short, < 20]",
		   length - hlen, hlen);
		return;
	}
	flags = tp[13];
	seq = get32(tp + 4);
	pr(c, "Flags [%s]", tcp_flags_str(fl, flags));
	if (hlen > length) {
		pr(c, " [bad hdr length %u - too long, > %u]", hlen, length);
		return;
	}
	if (c->o->verbose && !frag)
		tcp_cksum_print(c, tp, length, iph);
	length -= hlen;
	if (length > 0 || flags & (TH_SYN | TH_FIN | TH_RST)) {
		pr(c, ", seq %u", seq);
		if (length > 0)
			pr(c, ":%u", seq + length);
	}
	if (flags & TH_ACK)
		pr(c, ", ack %u", get32(tp + 8));
	pr(c, ", win %u", get16(tp + 14));
	if (flags & TH_URG)
		pr(c, ", urg %u", get16(tp + 18));
	if (hlen > TCP_HLEN && tcp_options(c, tp, hlen, length) < 0)
		return;
	pr(c, ", length %u", length);
	if (length == 0)
		return;
	if (!have(c, tp, hlen)) {
		pr(c, " [remaining caplen(%zu) < header length(%u)]",
		   left(c, tp), hlen);
		mark_jump(c);
		return;
	}
	if (flags & TH_RST && c->o->verbose)
		tcp_rst_data(c, tp + hlen, length);
}

/* ------------------------------------------------------------------ */
/* UDP                                                                 */

static void udp_addrs(struct ctx *c, const uint8_t *iph, int sport, int dport)
{
	if (sport >= 0)
		print_ports(c, iph, 17, (uint16_t)sport, (uint16_t)dport,
			    false);
	else if (ip_nh(iph) == 17)
		print_ip_addrs(c, iph, ": ");
}

static void udp_cksum_print(struct ctx *c, const uint8_t *up, uint32_t length,
			    const uint8_t *iph)
{
	uint16_t sum, usum;

	/* tcpdump checks IPv4 UDP checksums with -vv only. */
	if (!is_ip6(iph) || !have(c, up + UDP_HLEN, length))
		return;
	sum = l4_cksum(c, iph, up, length + UDP_HLEN, 17);
	usum = get16(up + 6);
	if (sum)
		pr(c, "[bad udp cksum 0x%04x -> 0x%04x!] ", usum,
		   cksum_shouldbe(usum, sum));
	else
		pr(c, "[udp sum ok] ");
}

static void udp_print(struct ctx *c, const uint8_t *up, uint32_t length,
		      const uint8_t *iph, bool frag)
{
	uint16_t sport, dport;
	uint32_t ulen;

	c->proto = "udp";
	if (!have(c, up, 4)) {
		udp_addrs(c, iph, -1, -1);
		mark_trunc(c);
		return;
	}
	sport = get16(up);
	dport = get16(up + 2);
	if (length < UDP_HLEN) {
		udp_addrs(c, iph, sport, dport);
		pr(c, "truncated-udp %u", length);
		return;
	}
	if (!have(c, up, 6)) {
		udp_addrs(c, iph, sport, dport);
		mark_trunc(c);
		return;
	}
	ulen = get16(up + 4);
	if (ulen == 0 && length > 65535)
		ulen = length;
	if (ulen < UDP_HLEN) {
		udp_addrs(c, iph, sport, dport);
		pr(c, "truncated-udplength %u", ulen);
		return;
	}
	ulen -= UDP_HLEN;
	length -= UDP_HLEN;
	if (ulen < length)
		length = ulen;
	udp_addrs(c, iph, sport, dport);
	if (!have(c, up, UDP_HLEN)) {
		mark_trunc(c);
		return;
	}
	if (c->o->verbose && !frag)
		udp_cksum_print(c, up, length, iph);
	if (ulen > length && !frag)
		pr(c, "UDP, bad length %u > %u", ulen, length);
	else
		pr(c, "UDP, length %u", ulen);
}

/* ------------------------------------------------------------------ */
/* ICMP                                                                */

static const struct tok icmp_tok[] = {
	{ 0, "echo reply" }, { 4, "source quench" }, { 8, "echo request" },
	{ 10, "router solicitation" }, { 13, "time stamp request" },
	{ 14, "time stamp reply" }, { 15, "information request" },
	{ 16, "information reply" }, { 17, "address mask request" },
	{ 0, NULL }
};

static const char *const unreach_fmt[16] = {
	"net %s unreachable", "host %s unreachable", NULL, NULL, NULL,
	"%s unreachable - source route failed",
	"net %s unreachable - unknown", "host %s unreachable - unknown",
	"%s unreachable - source host isolated",
	"net %s unreachable - admin prohibited",
	"host %s unreachable - admin prohibited",
	"net %s unreachable - tos prohibited",
	"host %s unreachable - tos prohibited",
	"host %s unreachable - admin prohibited filter",
	"host %s unreachable - host precedence violation",
	"host %s unreachable - precedence cutoff",
};

static const char *icmp_tstamp(char *buf, uint32_t t)
{
	uint32_t ms = t % 1000, s = t / 1000, m = s / 60, h = m / 60;

	snprintf(buf, 16, "%02u:%02u:%02u.%03u", h, m % 60, s % 60, ms);
	return buf;
}

/*
 * The ICMP printers return -1 where tcpdump's ND_TCHECK finds the bytes
 * missing, and -2 where its GET_ macros do (and longjmp()).
 */

/* The text of an unreachable message. */
static int icmp_unreach(struct ctx *c, char *buf, size_t sz,
			const uint8_t *bp, unsigned int code)
{
	char a[16], s[8];
	const uint8_t *oip = bp + 8;
	unsigned int hlen;

	if (code == 3 && !have(c, oip, 10))
		return -1;
	if (!have(c, bp, 28))
		return -2;
	ip4_str(a, oip + 16);
	switch (code) {
	case 2:
		snprintf(buf, sz, "%s protocol %u unreachable", a, oip[9]);
		break;
	case 3:
		if (!have(c, oip, 10))
			return -1;
		hlen = (oip[0] & 0xf) * 4;
		if (!have(c, oip, hlen + 4))
			return -2;
		if (oip[9] == 6 || oip[9] == 17)
			snprintf(buf, sz, "%s %s port %s unreachable", a,
				 oip[9] == 6 ? "tcp" : "udp",
				 port_str(c, s, get16(oip + hlen + 2),
					  oip[9] == 6));
		else
			snprintf(buf, sz, "%s protocol %u port %u unreachable",
				 a, oip[9], get16(oip + hlen + 2));
		break;
	case 4:
		if (get16(bp + 6))
			snprintf(buf, sz,
				 "%s unreachable - need to frag (mtu %u)", a,
				 get16(bp + 6));
		else
			snprintf(buf, sz, "%s unreachable - need to frag", a);
		break;
	default:
		if (code < 16 && unreach_fmt[code])
			snprintf(buf, sz, unreach_fmt[code], a);
		else
			snprintf(buf, sz, "%s unreachable - #%u", a, code);
		break;
	}
	return 0;
}

static int icmp_redirect(struct ctx *c, char *buf, size_t sz,
			 const uint8_t *bp, unsigned int code)
{
	static const char *const fmt[4] = {
		"redirect %s to net %s", "redirect %s to host %s",
		"redirect-tos %s to net %s", "redirect-tos %s to host %s",
	};
	char a[16], b[16];

	if (!have(c, bp, 28))
		return -2;
	ip4_str(a, bp + 24);
	ip4_str(b, bp + 4);
	if (code < 4)
		snprintf(buf, sz, fmt[code], a, b);
	else
		snprintf(buf, sz, "redirect-#%u %s to %s", code, a, b);
	return 0;
}

static int icmp_router_adv(struct ctx *c, char *buf, size_t sz,
			   const uint8_t *bp)
{
	unsigned int life, num, i;
	size_t n;
	char a[16];

	if (!have(c, bp, 8))
		return -1;
	life = get16(bp + 6);
	n = (size_t)snprintf(buf, sz, "router advertisement lifetime ");
	if (life < 60)
		n += snprintf(buf + n, sz - n, "%u", life);
	else if (life < 3600)
		n += snprintf(buf + n, sz - n, "%u:%02u", life / 60,
			      life % 60);
	else
		n += snprintf(buf + n, sz - n, "%u:%02u:%02u", life / 3600,
			      life % 3600 / 60, life % 60);
	num = bp[4];
	n += snprintf(buf + n, sz - n, " %u:", num);
	if (bp[5] != 2) {
		snprintf(buf + n, sz - n, " [size %u]", bp[5]);
		return 0;
	}
	for (i = 0; i < num; i++) {
		if (!have(c, bp + 8, 8 * (size_t)i + 8))
			return -1;
		if (n < sz)
			n += snprintf(buf + n, sz - n, " {%s %u}",
				      ip4_str(a, bp + 8 + 8 * i),
				      get32(bp + 12 + 8 * i));
	}
	return 0;
}

static int icmp_tstamp_reply(struct ctx *c, char *buf, size_t sz,
			     const uint8_t *bp)
{
	char o[16], r[16], t[16];

	if (!have(c, bp, 20))
		return -1;
	snprintf(buf, sz,
		 "time stamp reply id %u seq %u: org %s, recv %s, xmit %s",
		 get16(bp + 4), get16(bp + 6), icmp_tstamp(o, get32(bp + 8)),
		 icmp_tstamp(r, get32(bp + 12)),
		 icmp_tstamp(t, get32(bp + 16)));
	return 0;
}

/* The message text after "ICMP "; -1 when the bytes were not captured. */
static int icmp_text(struct ctx *c, char *buf, size_t sz, const uint8_t *bp)
{
	unsigned int type = bp[0], code = bp[1];

	switch (type) {
	case 0:
	case 8:
		if (!have(c, bp, 8))
			return -2;
		snprintf(buf, sz, "echo %s, id %u, seq %u",
			 type == 8 ? "request" : "reply", get16(bp + 4),
			 get16(bp + 6));
		return 0;
	case 3:
		return icmp_unreach(c, buf, sz, bp, code);
	case 5:
		return icmp_redirect(c, buf, sz, bp, code);
	case 9:
		return icmp_router_adv(c, buf, sz, bp);
	case 11:
		if (!have(c, bp, 28))
			return -1;
		if (code < 2)
			snprintf(buf, sz, "%s", code ?
				 "ip reassembly time exceeded" :
				 "time exceeded in-transit");
		else
			snprintf(buf, sz, "time exceeded-#%u", code);
		return 0;
	case 12:
		if (code)
			snprintf(buf, sz, "parameter problem - code %u", code);
		else if (have(c, bp, 5))
			snprintf(buf, sz, "parameter problem - octet %u",
				 bp[4]);
		else
			return -2;
		return 0;
	case 18:
		if (!have(c, bp, 12))
			return -2;
		snprintf(buf, sz, "address mask is 0x%08x", get32(bp + 8));
		return 0;
	case 13:
		if (!have(c, bp, 8))
			return -2;
		snprintf(buf, sz, "time stamp query id %u seq %u",
			 get16(bp + 4), get16(bp + 6));
		return 0;
	case 14:
		return icmp_tstamp_reply(c, buf, sz, bp);
	default:
		if (tok_find(icmp_tok, type))
			snprintf(buf, sz, "%s", tok_find(icmp_tok, type));
		else
			snprintf(buf, sz, "type-#%u", type);
		return 0;
	}
}

static bool icmp_is_error(unsigned int type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static void icmp_print(struct ctx *c, const uint8_t *bp, uint32_t plen,
		       bool frag)
{
	char buf[512];
	struct ctx sub;
	uint16_t sum;
	int ret;

	c->proto = "icmp";
	ret = have(c, bp, 2) ? icmp_text(c, buf, sizeof(buf), bp) : -2;
	if (ret < 0) {
		if (ret == -1)
			mark_trunc(c);
		else
			mark_jump(c);
		return;
	}
	pr(c, "ICMP %s, length %u", buf, plen);
	if (c->o->verbose && !frag && have(c, bp, plen)) {
		sum = sum_fold(sum_add(0, bp, plen));
		if (sum)
			pr(c, " (wrong icmp cksum %x (->%x)!)", get16(bp + 2),
			   cksum_shouldbe(get16(bp + 2), sum));
	}
	if (!c->o->verbose || !icmp_is_error(bp[0]))
		return;
	pr(c, "\n\t");
	if (!have(c, bp, 12)) {
		mark_jump(c);
		return;
	}
	sub = *c;
	sub.end = clip(c, bp + 8, get16(bp + 10));
	ip4_print(&sub, bp + 8, get16(bp + 10));
}

/* ------------------------------------------------------------------ */
/* ICMPv6                                                              */

static const struct tok icmp6_tok[] = {
	{ 1, "destination unreachable" }, { 2, "packet too big" },
	{ 3, "time exceeded in-transit" }, { 4, "parameter problem" },
	{ 128, "echo request" }, { 129, "echo reply" },
	{ 130, "multicast listener query" },
	{ 131, "multicast listener report" },
	{ 132, "multicast listener done" }, { 133, "router solicitation" },
	{ 134, "router advertisement" }, { 135, "neighbor solicitation" },
	{ 136, "neighbor advertisement" }, { 137, "redirect" },
	{ 138, "router renumbering" },
	{ 141, "inverse neighbor solicitation" },
	{ 142, "inverse neighbor advertisement" },
	{ 143, "multicast listener report v2" },
	{ 144, "ha discovery request" }, { 145, "ha discovery reply" },
	{ 146, "mobile router solicitation" },
	{ 147, "mobile router advertisement" },
	{ 139, "who-are-you request" }, { 140, "who-are-you reply" },
	{ 201, "mtrace message" }, { 200, "mtrace response" },
	{ 155, "RPL" }, { 0, NULL }
};

static const struct tok unreach6_tok[] = {
	{ 0, "unreachable route" }, { 1, " unreachable prohibited" },
	{ 2, "beyond scope" }, { 3, "unreachable address" },
	{ 4, "unreachable port" }, { 0, NULL }
};

static const struct tok pi_flag_tok[] = {
	{ 0x80, "onlink" }, { 0x40, "auto" }, { 0x20, "router" }, { 0, NULL }
};

static const struct tok ra_flag_tok[] = {
	{ 0x80, "managed" }, { 0x40, "other stateful" },
	{ 0x20, "home agent" }, { 0x02, "ipv6 only" }, { 0, NULL }
};

static const struct tok na_flag_tok[] = {
	{ 0x80000000, "router" }, { 0x40000000, "solicited" },
	{ 0x20000000, "override" }, { 0, NULL }
};

static const struct tok nd_opt_tok[] = {
	{ 1, "source link-address" }, { 2, "destination link-address" },
	{ 3, "prefix info" }, { 4, "redirected header" }, { 5, "mtu" },
	{ 25, "rdnss" }, { 31, "dnssl" }, { 7, "advertisement interval" },
	{ 8, "homeagent information" }, { 24, "route info" }, { 0, NULL }
};

static const char *rtpref_str(unsigned int v)
{
	static const char *const s[] = { "medium", "high", "rsv", "low" };

	return s[(v & 0x18) >> 3];
}

static const char *lifetime_str(char *buf, uint32_t v)
{
	if (v == 0xffffffff)
		return "infinity";
	snprintf(buf, 16, "%us", v);
	return buf;
}

static void print_lladdr(struct ctx *c, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pr(c, "%s%02x", i ? ":" : "", p[i]);
}

static int nd_opt_prefix(struct ctx *c, const uint8_t *op, unsigned int olen)
{
	char a[INET6_ADDRSTRLEN], fl[64], v[16], p[16];

	if (!have(c, op, 32))
		return -2;
	pr(c, "%s/%u%s, Flags [%s], valid time %s", ip6_str(a, op + 16), op[2],
	   olen != 4 ? "badlen" : "",
	   bits_str(fl, sizeof(fl), pi_flag_tok, op[3], ", "),
	   lifetime_str(v, get32(op + 4)));
	pr(c, ", pref. time %s", lifetime_str(p, get32(op + 8)));
	return 0;
}

static int nd_opt_route(struct ctx *c, const uint8_t *op, unsigned int olen)
{
	char a[INET6_ADDRSTRLEN], l[16];
	uint8_t in6[16] = { 0 };

	if (!have(c, op, 8) || olen < 1 || olen > 3)
		return -2;
	if (olen > 1) {
		if (!have(c, op, 8 + (olen - 1) * 8))
			return -2;
		memcpy(in6, op + 8, (olen - 1) * 8);
	}
	pr(c, " %s/%u", ip6_str(a, in6), op[2]);
	pr(c, ", pref=%s", rtpref_str(op[3]));
	pr(c, ", lifetime=%s", lifetime_str(l, get32(op + 4)));
	return 0;
}

/*
 * tcpdump's fqdn_print() for a DNS name at @cp; compression pointers
 * point back from @bp.  Returns the end of the name, or NULL.
 */
static const uint8_t *dns_name(struct ctx *c, const uint8_t *cp,
			       const uint8_t *bp)
{
	const uint8_t *rp = NULL;
	size_t max = (size_t)(cp - bp), off;
	unsigned int l, i;

	if (!have(c, cp, 1))
		return NULL;
	l = *cp++;
	if (l == 0) {
		pr(c, ".");
		return cp;
	}
	while (l) {
		if ((l & 0xc0) == 0xc0) {
			if (!have(c, cp, 1))
				return NULL;
			off = ((l << 8) | *cp) & 0x3fff;
			if (!rp)
				rp = cp + 1;
			if (off >= max) {
				pr(c, "<BAD PTR>");
				return NULL;
			}
			max = off;
			cp = bp + off;
			l = *cp++;
			continue;
		}
		if (l & 0xc0) {
			pr(c, "<ELT %u>", l & 0x3f);
			return NULL;
		}
		for (i = 0; i < l; i++) {
			if (!have(c, cp, 1))
				return NULL;
			print_char(c, *cp++);
		}
		if (!have(c, cp, 1))
			return NULL;
		l = *cp++;
		pr(c, ".");
	}
	return rp ? rp : cp;
}

static int nd_opt_dnssl(struct ctx *c, const uint8_t *op, unsigned int olen,
			const uint8_t *bp)
{
	const uint8_t *dp = op + 8, *end = op + olen * 8;

	if (!have(c, op, 8))
		return -2;
	pr(c, " lifetime %us, domain(s):", get32(op + 4));
	while (dp < end) {
		if (!have(c, dp, 1))
			return -2;
		if (*dp == 0)
			break;
		pr(c, " ");
		dp = dns_name(c, dp, bp);
		if (!dp)
			return -1;
	}
	return 0;
}

/* One option's value; 1 to stop after it, -2 when not captured. */
static int nd_opt_value(struct ctx *c, const uint8_t *op, unsigned int olen,
			const uint8_t *first)
{
	char a[INET6_ADDRSTRLEN];
	unsigned int i;

	switch (op[0]) {
	case 1:
	case 2:
		print_lladdr(c, op + 2, olen * 8 - 2);
		return 0;
	case 3:
		return nd_opt_prefix(c, op, olen);
	case 4:
		unknown_data(c, "\n\t    ", first, olen * 8);
		return 0;
	case 5:
		if (!have(c, op, 8))
			return -2;
		pr(c, " %u%s", get32(op + 4),
		   olen != 1 ? "bad option length" : "");
		return 0;
	case 25:
		if (!have(c, op, 8))
			return -2;
		pr(c, " lifetime %us,", get32(op + 4));
		for (i = 0; i < (olen - 1) / 2; i++) {
			if (!have(c, op + 8, 16 * (size_t)i + 16))
				return -2;
			pr(c, " addr: %s", ip6_str(a, op + 8 + 16 * i));
		}
		return 0;
	case 7:
		if (!have(c, op, 8))
			return -2;
		pr(c, " %ums", get32(op + 4));
		return 0;
	case 8:
		if (!have(c, op, 8))
			return -2;
		pr(c, " preference %u, lifetime %u", get16(op + 4),
		   get16(op + 6));
		return 0;
	case 24:
		return nd_opt_route(c, op, olen);
	case 31:
		return nd_opt_dnssl(c, op, olen, first);
	default:
		unknown_data(c, "\n\t  ", op + 2, olen * 8 - 2);
		return 1;
	}
}

/* tcpdump's icmp6_opt_print(): the -v neighbor discovery options. */
static int nd_opts(struct ctx *c, const uint8_t *bp, int resid)
{
	const uint8_t *cp = bp;
	unsigned int olen;
	int ret;

	while (left(c, cp) > 0) {
		if (!have(c, cp, 2))
			return -1;
		if (resid <= 0)
			return 0;
		olen = cp[1];
		if (olen == 0 || !have(c, cp, olen * 8))
			return -1;
		pr(c, "\n\t  %s option (%u), length %u (%u): ",
		   tok_or(nd_opt_tok, cp[0], "unknown"), cp[0], olen * 8,
		   olen);
		ret = nd_opt_value(c, cp, olen, bp);
		if (ret)
			return ret < 0 ? ret : 0;
		cp += olen * 8;
		resid -= (int)olen * 8;
	}
	return 0;
}

/* tcpdump's get_upperlayer(): the transport header of a quoted packet. */
static const uint8_t *icmp6_upper(const struct ctx *c, const uint8_t *oip,
				  unsigned int *prot)
{
	const uint8_t *cp = oip;
	size_t hlen = IP6_HLEN;
	unsigned int nh;

	if (!have(c, oip, 7))
		return NULL;
	nh = oip[6];
	while (hlen < left(c, cp)) {
		cp += hlen;
		switch (nh) {
		case 6:
		case 17:
			*prot = nh;
			return have(c, cp, 4) ? cp : NULL;
		case 0:
		case 60:
		case 43:
			if (!have(c, cp, 2))
				return NULL;
			nh = cp[0];
			hlen = ((size_t)cp[1] + 1) << 3;
			break;
		case 44:
			if (!have(c, cp, 4) || get16(cp + 2) & 0xfff8)
				return NULL;
			nh = cp[0];
			hlen = 8;
			break;
		case 51:
			if (!have(c, cp, 2))
				return NULL;
			nh = cp[0];
			hlen = ((size_t)cp[1] + 2) << 2;
			break;
		default:
			return NULL;
		}
	}
	return NULL;
}

static int icmp6_unreach(struct ctx *c, const uint8_t *bp, uint32_t length,
			 unsigned int code)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], s[8], t[40];
	const uint8_t *oip = bp + 8, *ouh;
	unsigned int prot = 0;

	pr(c, ", %s", tok_fmt(t, sizeof(t), unreach6_tok, code,
			      "unknown unreach code (%u)"));
	switch (code) {
	case 0:
	case 1:
	case 3:
		if (!have(c, oip, 40))
			return -2;
		pr(c, " %s", ip6_str(a, oip + 24));
		return 0;
	case 2:
		if (!have(c, oip, 40))
			return -2;
		pr(c, " %s, source address %s", ip6_str(a, oip + 24),
		   ip6_str(b, oip + 8));
		return 0;
	case 4:
		ouh = icmp6_upper(c, oip, &prot);
		if (!ouh)
			return -1;
		if (!have(c, oip, 40))
			return -2;
		ip6_str(a, oip + 24);
		if (prot == 6 || prot == 17)
			pr(c, ", %s %s port %s", a, prot == 6 ? "tcp" : "udp",
			   port_str(c, s, get16(ouh + 2), prot == 6));
		else
			pr(c, ", %s protocol %u port %u unreachable", a, prot,
			   get16(ouh + 2));
		return 0;
	default:
		unknown_data(c, "\n\t", bp, length);
		return 1;
	}
}

static int icmp6_param(struct ctx *c, const uint8_t *bp, unsigned int code)
{
	static const char *const what[] = {
		"erroneous", "next header", "option",
		"incomplete header chain",
	};

	if (!have(c, bp, 48))
		return -1;
	if (code < 4)
		pr(c, ", %s - octet %u", what[code], get32(bp + 4));
	else
		pr(c, ", code-#%u", code);
	return 0;
}

static int mld_print(struct ctx *c, const uint8_t *bp)
{
	char a[INET6_ADDRSTRLEN];

	if (!have(c, bp, 24))
		return 0;
	pr(c, "max resp delay: %u ", get16(bp + 4));
	pr(c, "addr: %s", ip6_str(a, bp + 8));
	return 0;
}

static int mldv2_query(struct ctx *c, const uint8_t *bp, uint32_t len)
{
	char a[INET6_ADDRSTRLEN];
	unsigned int mrc, mrt, qqi, nsrcs;

	if (len < 28) {
		pr(c, " [invalid len %u]", len);
		return 0;
	}
	if (!have(c, bp, 28))
		return -2;
	mrc = get16(bp + 4);
	mrt = mrc < 32768 ? mrc :
	      ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
	if (c->o->verbose)
		pr(c, " [max resp delay=%u]", mrt);
	pr(c, " [gaddr %s", ip6_str(a, bp + 8));
	if (c->o->verbose) {
		if (bp[24] & 0x08)
			pr(c, " sflag");
		if (bp[24] & 0x07)
			pr(c, " robustness=%u", bp[24] & 0x07);
		qqi = bp[25] < 128 ? bp[25] :
		      ((bp[25] & 0x0f) | 0x10) << (((bp[25] & 0x70) >> 4) + 3);
		pr(c, " qqi=%u", qqi);
	}
	nsrcs = get16(bp + 26);
	if (nsrcs > 0) {
		if (len < 28 + nsrcs * 16)
			pr(c, " [invalid number of sources]");
		else
			pr(c, ", %u source(s)", nsrcs);
	}
	pr(c, "]");
	return 0;
}

static int mldv2_report(struct ctx *c, const uint8_t *bp, uint32_t len)
{
	static const struct tok rec_tok[] = {
		{ 1, "is_in" }, { 2, "is_ex" }, { 3, "to_in" }, { 4, "to_ex" },
		{ 5, "allow" }, { 6, "block" }, { 0, NULL }
	};
	char a[INET6_ADDRSTRLEN];
	unsigned int ngroups, i, nsrcs;
	size_t group = 8;

	if (len < 8) {
		pr(c, " [invalid len %u]", len);
		return 0;
	}
	if (!have(c, bp, 8))
		return -2;
	ngroups = get16(bp + 6);
	pr(c, ", %u group record(s)", ngroups);
	for (i = 0; c->o->verbose && i < ngroups; i++) {
		if (len < group + 20) {
			pr(c, " [invalid number of groups]");
			return 0;
		}
		if (!have(c, bp + group, 20))
			return -2;
		pr(c, " [gaddr %s", ip6_str(a, bp + group + 4));
		if (tok_find(rec_tok, bp[group]))
			pr(c, " %s", tok_find(rec_tok, bp[group]));
		else
			pr(c, "  [v2-report-#%u]", bp[group]);
		nsrcs = get16(bp + group + 2);
		if (len < group + 20 + nsrcs * 16) {
			pr(c, " [invalid number of sources %u]", nsrcs);
			return 0;
		}
		pr(c, ", %u source(s)]", nsrcs);
		group += 20 + (size_t)nsrcs * 16;
	}
	return 0;
}

static int icmp6_nd(struct ctx *c, const uint8_t *bp, uint32_t length,
		    unsigned int type)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], fl[96];

	switch (type) {
	case 133:
		return c->o->verbose ? nd_opts(c, bp + 8, (int)length - 8) : 0;
	case 134:
		if (!c->o->verbose)
			return 0;
		if (!have(c, bp, 16))
			return -2;
		pr(c, "\n\thop limit %u, Flags [%s], pref %s", bp[4],
		   bits_str(fl, sizeof(fl), ra_flag_tok, bp[5], ", "),
		   rtpref_str(bp[5]));
		pr(c, ", router lifetime %us", get16(bp + 6));
		pr(c, ", reachable time %ums", get32(bp + 8));
		pr(c, ", retrans timer %ums", get32(bp + 12));
		return nd_opts(c, bp + 16, (int)length - 16);
	case 135:
		if (!have(c, bp, 24))
			return -2;
		pr(c, ", who has %s", ip6_str(a, bp + 8));
		return c->o->verbose ? nd_opts(c, bp + 24, (int)length - 24)
				     : 0;
	case 136:
		if (!have(c, bp, 24))
			return -2;
		pr(c, ", tgt is %s", ip6_str(a, bp + 8));
		if (!c->o->verbose)
			return 0;
		pr(c, ", Flags [%s]", bits_str(fl, sizeof(fl), na_flag_tok,
					       get32(bp + 4), ", "));
		return nd_opts(c, bp + 24, (int)length - 24);
	default:
		if (!have(c, bp, 40))
			return -2;
		pr(c, ", %s to %s", ip6_str(a, bp + 24), ip6_str(b, bp + 8));
		return c->o->verbose ? nd_opts(c, bp + 40, (int)length - 40)
				     : 0;
	}
}

/*
 * The message after "ICMP6, NAME": 1 when done, -1 or -2 when not captured
 * (tcpdump's ND_TCHECK or GET_ macros, as for ICMP).
 */
static int icmp6_body(struct ctx *c, const uint8_t *bp, uint32_t length,
		      unsigned int type, unsigned int code)
{
	char a[INET6_ADDRSTRLEN];

	switch (type) {
	case 1:
		return icmp6_unreach(c, bp, length, code);
	case 2:
		if (!have(c, bp, 8))
			return -2;
		pr(c, ", mtu %u", get32(bp + 4));
		return 0;
	case 3:
		if (code == 0) {
			if (!have(c, bp, 48))
				return -2;
			pr(c, " for %s", ip6_str(a, bp + 32));
		} else if (code == 1) {
			pr(c, " (reassembly)");
		} else {
			pr(c, ", unknown code (%u)", code);
		}
		return 0;
	case 4:
		return icmp6_param(c, bp, code);
	case 128:
	case 129:
		if (!have(c, bp, 8))
			return -2;
		pr(c, ", id %u, seq %u", get16(bp + 4), get16(bp + 6));
		return 0;
	case 130:
		if (length == 24)
			return mld_print(c, bp);
		if (length >= 28) {
			pr(c, " v2");
			return mldv2_query(c, bp, length);
		}
		pr(c, " unknown-version (len %u) ", length);
		return 0;
	case 131:
	case 132:
		return mld_print(c, bp);
	case 133: case 134: case 135: case 136: case 137:
		return icmp6_nd(c, bp, length, type);
	case 143:
		return mldv2_report(c, bp, length);
	case 144:
	case 146:
		if (!have(c, bp, 6))
			return -2;
		pr(c, ", id 0x%04x", get16(bp + 4));
		return 0;
	case 138: case 139: case 140: case 141: case 142: case 145:
	case 147: case 155:
		return 0;
	default:
		pr(c, ", length %u", length);
		unknown_data(c, "\n\t", bp, length);
		return 1;
	}
}

/* The -v checksum check; the caller made sure @length bytes are there. */
static void icmp6_cksum_print(struct ctx *c, const uint8_t *bp,
			      uint32_t length, const uint8_t *iph)
{
	uint16_t sum, isum;

	isum = get16(bp + 2);
	sum = l4_cksum(c, iph, bp, length, 58);
	if (sum)
		pr(c, "[bad icmp6 cksum 0x%04x -> 0x%04x!] ", isum,
		   cksum_shouldbe(isum, sum));
	else
		pr(c, "[icmp6 sum ok] ");
}

static bool icmp6_len_after_v(unsigned int type)
{
	return (type >= 133 && type <= 137) || type == 145 || type == 147;
}

static void icmp6_print(struct ctx *c, const uint8_t *bp, uint32_t length,
			const uint8_t *iph, bool frag)
{
	unsigned int type;
	char t[40];
	int ret;

	c->proto = "icmp6";
	if (length == 0) {
		pr(c, "ICMP6, length 0 (invalid)");
		return;
	}
	if (c->o->verbose && !frag && have(c, bp, length)) {
		if (!have(c, bp, 4)) {
			mark_jump(c);
			return;
		}
		icmp6_cksum_print(c, bp, length, iph);
	}
	if (!have(c, bp, 1)) {
		mark_jump(c);
		return;
	}
	type = bp[0];
	pr(c, "ICMP6, %s", tok_fmt(t, sizeof(t), icmp6_tok, type,
				   "unknown icmp6 type (%u)"));
	if (c->o->verbose && icmp6_len_after_v(type))
		pr(c, ", length %u", length);
	if (!have(c, bp, 2)) {
		mark_jump(c);
		return;
	}
	ret = icmp6_body(c, bp, length, type, bp[1]);
	if (ret == -1)
		mark_trunc(c);
	else if (ret == -2)
		mark_jump(c);
	else if (ret == 0 && !c->o->verbose)
		pr(c, ", length %u", length);
}

/* ------------------------------------------------------------------ */
/* IP demultiplexing                                                   */

static uint32_t ether_print(struct ctx *c, const uint8_t *p, uint32_t length,
			    uint32_t caplen);

static void ip_in_ip(struct ctx *c, const uint8_t *bp, uint32_t len,
		     unsigned int nh)
{
	struct ctx sub = *c;

	if (++sub.depth > MAX_NEST) {
		pr(c, " [too deep]");
		return;
	}
	if (nh == 4)
		ip4_print(&sub, bp, len);
	else if (nh == 41)
		ip6_print(&sub, bp, len);
	else
		ether_print(&sub, bp, len, (uint32_t)left(c, bp));
}

/* tcpdump's ip_demux_print(): the protocol after the IP headers. */
static void demux(struct ctx *c, const uint8_t *bp, uint32_t len,
		  const uint8_t *iph, bool frag, unsigned int nh)
{
	bool v6 = is_ip6(iph);

	switch (nh) {
	case 6:
		tcp_print(c, bp, len, iph, frag);
		break;
	case 17:
		udp_print(c, bp, len, iph, frag);
		break;
	case 1:
		if (v6)
			pr(c, "[ICMP requires IPv4] (invalid)");
		else
			icmp_print(c, bp, len, frag);
		break;
	case 58:
		if (v6)
			icmp6_print(c, bp, len, iph, frag);
		else
			pr(c, "[ICMPv6 requires IPv6] (invalid)");
		break;
	case 4:
	case 41:
		ip_in_ip(c, bp, len, nh);
		break;
	case 143:
		if (v6)
			ip_in_ip(c, bp, len, nh);
		else
			pr(c, "[Ethernet requires IPv6] (invalid)");
		break;
	case 59:
		pr(c, "no next header");
		break;
	case 77:
		pr(c, " nd %u", len);
		break;
	default:
		print_proto_name(c, nh);
		pr(c, " %u", len);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* IPv4                                                                */

static const struct tok ipopt_tok[] = {
	{ 0, "EOL" }, { 1, "NOP" }, { 68, "timestamp" }, { 130, "security" },
	{ 7, "RR" }, { 137, "SSRR" }, { 131, "LSRR" }, { 148, "RA" },
	{ 82, "traceroute" }, { 0, NULL }
};

static int ip4_opt_route(struct ctx *c, const uint8_t *cp, unsigned int len)
{
	unsigned int ptr, i;
	char a[16];

	if (len < 3) {
		pr(c, " [bad length %u]", len);
		return 0;
	}
	if ((len + 1) & 3)
		pr(c, " [bad length %u]", len);
	ptr = cp[2] - 1u;
	if (ptr < 3 || ((ptr + 1) & 3) || ptr > len + 1)
		pr(c, " [bad ptr %u]", cp[2]);
	for (i = 3; i < len; i += 4) {
		if (!have(c, cp + i, 4))
			return -1;
		pr(c, " %s", ip4_str(a, cp + i));
		if (ptr > i)
			pr(c, ",");
	}
	return 0;
}

static int ip4_opt_ts(struct ctx *c, const uint8_t *cp, unsigned int len)
{
	static const char *const kind[4] = {
		"TSONLY", "TS+ADDR", NULL, "PRESPEC"
	};
	unsigned int ptr, i = 0, hop, fl;
	const char *type = " ";
	char a[16];

	if (len < 4) {
		pr(c, "[bad length %u]", len);
		return 0;
	}
	pr(c, " TS{");
	fl = cp[3] & 0xf;
	hop = fl != 0 ? 8 : 4;
	if ((len - 4) & (hop - 1))
		pr(c, "[bad length %u]", len);
	ptr = cp[2] - 1u;
	if (ptr < 4 || ((ptr - 4) & (hop - 1)) || ptr > len + 1)
		pr(c, "[bad ptr %u]", cp[2]);
	if (fl > 3 || !kind[fl]) {
		pr(c, "[bad ts type %u]", fl);
	} else {
		pr(c, "%s", kind[fl]);
		for (i = 4; i < len; i += hop) {
			if (ptr == i)
				type = " ^ ";
			if (!have(c, cp + i, hop))
				return -1;
			pr(c, "%s%u@%s", type, get32(cp + i + hop - 4),
			   hop != 8 ? "" : ip4_str(a, cp + i));
			type = " ";
		}
	}
	pr(c, "%s", ptr == i ? " ^ " : "");
	if (cp[3] >> 4)
		pr(c, " [%u hops not recorded]} ", cp[3] >> 4);
	else
		pr(c, "}");
	return 0;
}

/* tcpdump's ip_optprint(): 0, or -1 when the options were not captured. */
static int ip4_opts(struct ctx *c, const uint8_t *cp, unsigned int length)
{
	unsigned int code, len;
	const char *sep = "";
	char t[24];

	for (; length > 0; cp += len, length -= len) {
		pr(c, "%s", sep);
		sep = ",";
		if (!have(c, cp, 1))
			return -1;
		code = cp[0];
		pr(c, "%s", tok_fmt(t, sizeof(t), ipopt_tok, code,
				    "unknown %u"));
		len = 1;
		if (code > 1) {
			if (!have(c, cp, 2))
				return -1;
			len = cp[1];
			if (len < 2) {
				pr(c, " [bad length %u]", len);
				return 0;
			}
		}
		if (len > length) {
			pr(c, " [bad length %u]", len);
			return 0;
		}
		if (!have(c, cp, len))
			return -1;
		if (code == 0)
			return 0;
		if ((code == 68 && ip4_opt_ts(c, cp, len) < 0) ||
		    ((code == 7 || code == 131 || code == 137) &&
		     ip4_opt_route(c, cp, len) < 0))
			return -1;
		if (code == 148 && len < 4)
			pr(c, " [bad length %u]", len);
		else if (code == 148 && get16(cp + 2))
			pr(c, " value %u", get16(cp + 2));
	}
	return 0;
}

static const struct tok ipfrag_tok[] = {
	{ 0x2000, "+" }, { 0x4000, "DF" }, { 0x8000, "rsvd" }, { 0, NULL }
};

/* The -v "(tos ..., length N)" part; -1 when the caller must stop. */
static int ip4_verbose(struct ctx *c, const uint8_t *ip, unsigned int hlen)
{
	static const char *const ecn[4] = { "", ",ECT(1)", ",ECT(0)", ",CE" };
	unsigned int off = get16(ip + 6);
	bool truncated = false;
	char fl[24];
	uint16_t sum;

	pr(c, "(tos 0x%x%s", ip[1], ecn[ip[1] & 3]);
	if (ip[8] >= 1)
		pr(c, ", ttl %u", ip[8]);
	pr(c, ", id %u, offset %u, flags [%s], proto %s (%u)", get16(ip + 4),
	   (off & 0x1fff) * 8, bits_str(fl, sizeof(fl), ipfrag_tok,
					off & 0xe000, ", "),
	   tok_or(ipproto_tok, ip[9], "unknown"), ip[9]);
	pr(c, ", length %u", get16(ip + 2));
	if (hlen > IP4_HLEN) {
		pr(c, ", options (");
		if (ip4_opts(c, ip + IP4_HLEN, hlen - IP4_HLEN) < 0) {
			pr(c, " [truncated-option]");
			truncated = true;
		}
		pr(c, ")");
	}
	if (have(c, ip, hlen)) {
		sum = sum_fold(sum_add(0, ip, hlen));
		if (sum)
			pr(c, ", bad cksum %x (->%x)!", get16(ip + 10),
			   cksum_shouldbe(get16(ip + 10), sum));
	}
	pr(c, ")\n    ");
	if (!truncated)
		return 0;
	print_ip_addrs(c, ip, ": ");
	return mark_trunc(c);
}

static void ip4_print(struct ctx *c, const uint8_t *ip, uint32_t length)
{
	unsigned int hlen, len, off;

	c->proto = "ip";
	if (!have(c, ip, 1)) {
		mark_jump(c);
		return;
	}
	if (ip[0] >> 4 != 4) {
		if (ip[0] >> 4 == 6)
			pr(c, "IP6, wrong link-layer encapsulation (invalid)");
		else
			pr(c, "IP%u (invalid)", ip[0] >> 4);
		return;
	}
	if (!c->o->link)
		pr(c, "IP ");
	if (!have(c, ip, IP4_HLEN)) {
		mark_trunc(c);
		return;
	}
	if (length < IP4_HLEN) {
		pr(c, "truncated-ip %u", length);
		return;
	}
	hlen = (ip[0] & 0xf) * 4;
	if (hlen < IP4_HLEN) {
		pr(c, "bad-hlen %u", hlen);
		return;
	}
	len = get16(ip + 2);
	if (length < len)
		pr(c, "truncated-ip - %u bytes missing! ", len - length);
	if (len < hlen) {
		pr(c, "bad-len %u", len);
		return;
	}
	c->end = clip(c, ip, len);
	len -= hlen;
	off = get16(ip + 6);
	if (c->o->verbose && ip4_verbose(c, ip, hlen) < 0)
		return;
	if (off & 0x1fff) {
		print_ip_addrs(c, ip, ":");
		print_proto_name(c, ip[9]);
		return;
	}
	if (ip[9] != 6 && ip[9] != 17)
		print_ip_addrs(c, ip, ": ");
	demux(c, clip(c, ip, hlen), len, ip, off & 0x3fff, ip[9]);
}

/* ------------------------------------------------------------------ */
/* IPv6                                                                */

struct ip6_state {
	uint32_t payload_len;
	bool jumbo;
};

/* The jumbo payload option at @o (6 bytes): -1 when malformed. */
static int ip6_opt_jumbo(struct ctx *c, const uint8_t *o,
			 struct ip6_state *st, bool *seen)
{
	const char *why = NULL;
	uint32_t j;

	if (o[1] != 4) {
		pr(c, "(jumbo: invalid len %u)", o[1]);
		return -1;
	}
	j = get32(o + 2);
	if (*seen)
		why = " - already seen";
	else if (!st)
		why = " - not a hop-by-hop option";
	else if (st->payload_len)
		why = " - payload len != 0";
	else if (j < 65536)
		why = " - < 65536";
	*seen = true;
	if (!why) {
		st->jumbo = true;
		st->payload_len = j;
	}
	if (c->o->verbose)
		pr(c, "(jumbo: %u%s) ", j, why ? why : "");
	return 0;
}

/* One option at @o with @room bytes left: -1 when malformed. */
static int ip6_opt(struct ctx *c, const uint8_t *o, int room,
		   struct ip6_state *st, bool *seen)
{
	static const struct tok min_len[] = {
		{ 1, "padn" }, { 5, "rtalert" }, { 0xc2, "jumbo" }, { 0, NULL }
	};
	bool v = c->o->verbose;
	int n = o[0] == 0xc2 ? 6 : o[0] == 5 ? 4 : 2;

	if (o[0] == 0) {
		if (v)
			pr(c, "(pad1)");
		return 0;
	}
	if (room < n) {
		if (tok_find(min_len, o[0]))
			pr(c, "(%s: trunc)", tok_find(min_len, o[0]));
		else
			pr(c, "(type %u: trunc)", o[0]);
		return -1;
	}
	switch (o[0]) {
	case 1:
		if (v)
			pr(c, "(padn)");
		return 0;
	case 5:
		if (o[1] != 2) {
			pr(c, "(rtalert: invalid len %u)", o[1]);
			return -1;
		}
		if (v)
			pr(c, "(rtalert: 0x%04x) ", get16(o + 2));
		return 0;
	case 0xc2:
		return ip6_opt_jumbo(c, o, st, seen);
	default:
		if (v)
			pr(c, "(opt_type 0x%02x: len=%u)", o[0], o[1]);
		return 0;
	}
}

/* tcpdump's ip6_opt_process(): hop-by-hop and destination options. */
static int ip6_opts(struct ctx *c, const uint8_t *bp, int len,
		    struct ip6_state *st)
{
	bool seen = false;
	int i, olen;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i += olen) {
		olen = 1;
		if (bp[i] != 0) {
			if (i + 1 >= len)
				return -1;
			olen = bp[i + 1] + 2;
		}
		if (i + olen > len || ip6_opt(c, bp + i, len - i, st, &seen))
			return -1;
	}
	if (c->o->verbose)
		pr(c, " ");
	return 0;
}

/* HBH (@st set) or DSTOPT header: its length, or -1 to stop. */
static int ip6_optshdr(struct ctx *c, const uint8_t *cp,
		       struct ip6_state *st)
{
	unsigned int hlen;

	c->proto = st ? "hbhopt" : "dstopt";
	if (!have(c, cp, 2))
		return mark_trunc(c);
	hlen = ((unsigned int)cp[1] + 1) << 3;
	if (!have(c, cp, hlen))
		return mark_trunc(c);
	pr(c, st ? "HBH " : "DSTOPT ");
	if (ip6_opts(c, cp + 2, (int)hlen - 2, st) < 0)
		return mark_trunc(c);
	return (int)hlen;
}

/* tcpdump's frag6_print(): 8, or -1 for a non-first fragment. */
static int ip6_frag(struct ctx *c, const uint8_t *cp, const uint8_t *ip6)
{
	uint64_t rest;
	unsigned int off;

	c->proto = "frag6";
	if (!have(c, cp, c->o->verbose ? 8 : 4))
		return mark_jump(c);
	off = get16(cp + 2) & 0xfff8;
	rest = (uint64_t)IP6_HLEN + get16(ip6 + 4) - (uint64_t)(cp - ip6) - 8;
	if (c->o->verbose)
		pr(c, "frag (0x%08x:%u|%" PRIu64 ")", get32(cp + 4), off, rest);
	else
		pr(c, "frag (%u|%" PRIu64 ")", off, rest);
	if (off)
		return -1;
	pr(c, " ");
	return 8;
}

static void ip6_verbose(struct ctx *c, const uint8_t *ip6)
{
	uint32_t flow = get32(ip6);

	pr(c, "(");
	if (flow & 0x0ff00000)
		pr(c, "class 0x%02x, ", (flow & 0x0ff00000) >> 20);
	if (flow & 0x000fffff)
		pr(c, "flowlabel 0x%05x, ", flow & 0x000fffff);
	pr(c, "hlim %u, next-header %s (%u) payload length: %u) ", ip6[7],
	   tok_or(ipproto_tok, ip6[6], "unknown"), ip6[6], get16(ip6 + 4));
}

static bool ip6_prints_addrs(unsigned int nh)
{
	return nh != 6 && nh != 17 && nh != 33 && nh != 132;
}

/* Hand the payload after @total header bytes to the demultiplexer. */
static void ip6_upper(struct ctx *c, const uint8_t *ip6, uint32_t length,
		      uint32_t len, size_t total, unsigned int nh, bool ext,
		      bool frag, const struct ip6_state *st)
{
	if (st->jumbo) {
		len = st->payload_len + IP6_HLEN;
		if (len < total) {
			mark_trunc(c);
			return;
		}
		if (length < len)
			pr(c, "truncated-ip6 - %u bytes missing!",
			   len - length);
		c->end = clip(c, ip6, len);
		len -= (uint32_t)total;
	} else if (st->payload_len == 0) {
		if (ext) {
			mark_trunc(c);
			return;
		}
		c->end = clip(c, ip6, IP6_HLEN);
		len = 0;
	}
	demux(c, clip(c, ip6, total), len, ip6, frag, nh);
}

static bool hbh_misplaced(struct ctx *c, bool hbh, unsigned int ph)
{
	if (!hbh && ph == 255)
		return false;
	pr(c, "[The Hop-by-Hop Options header %s] (invalid)",
	   hbh ? "was already found" : "don't follow the IPv6 header");
	return true;
}

/* tcpdump's extension header loop in ip6_print(). */
static void ip6_headers(struct ctx *c, const uint8_t *ip6, uint32_t length,
			uint32_t len, struct ip6_state *st)
{
	unsigned int nh = ip6[6], ph = 255;
	size_t off = 0, adv = IP6_HLEN;
	bool ext = false, frag = false, hbh = false;
	int r;

	while (off < left(c, ip6)) {
		if (len < adv) {
			mark_trunc(c);
			return;
		}
		off += adv;
		len -= (uint32_t)adv;
		if (off == IP6_HLEN && ip6_prints_addrs(nh))
			print_ip_addrs(c, ip6, ": ");
		if (nh == 0 || nh == 60) {
			if (nh == 0 && hbh_misplaced(c, hbh, ph))
				return;
			r = ip6_optshdr(c, clip(c, ip6, off),
					nh == 0 ? st : NULL);
			if (nh == 0 && st->payload_len == 0 && !st->jumbo) {
				pr(c, "[No valid Jumbo Payload %s] (invalid)",
				   "Hop-by-Hop option found");
				return;
			}
			if (r < 0)
				return;
			hbh |= nh == 0;
		} else if (nh == 44) {
			r = ip6_frag(c, clip(c, ip6, off), ip6);
			if (r < 0 || left(c, ip6) - off <= (size_t)r)
				return;
			frag = true;
		} else {
			ip6_upper(c, ip6, length, len, off, nh, ext, frag, st);
			return;
		}
		ext = true;
		adv = (size_t)r;
		nh = ip6[off];
		ph = nh;
		c->proto = "ip6";
	}
}

static void ip6_print(struct ctx *c, const uint8_t *ip6, uint32_t length)
{
	struct ip6_state st = { 0 };
	uint32_t len;

	c->proto = "ip6";
	if (!have(c, ip6, IP6_HLEN)) {
		mark_trunc(c);
		return;
	}
	if (length < IP6_HLEN) {
		pr(c, "truncated-ip6 %u", length);
		return;
	}
	if (!c->o->link)
		pr(c, "IP6 ");
	if (ip6[0] >> 4 != 6) {
		pr(c, "version error: %u != 6", ip6[0] >> 4);
		return;
	}
	st.payload_len = get16(ip6 + 4);
	if (st.payload_len) {
		len = st.payload_len + IP6_HLEN;
		if (length < len)
			pr(c, "truncated-ip6 - %u bytes missing!",
			   len - length);
	} else {
		len = length + IP6_HLEN;
	}
	if (c->o->verbose)
		ip6_verbose(c, ip6);
	c->end = clip(c, ip6, len);
	ip6_headers(c, ip6, length, len, &st);
}

/* ------------------------------------------------------------------ */
/* ARP                                                                 */

static const struct tok arpop_tok[] = {
	{ 1, "Request" }, { 2, "Reply" }, { 3, "Reverse Request" },
	{ 4, "Reverse Reply" }, { 8, "Inverse Request" },
	{ 9, "Inverse Reply" }, { 10, "NACK Reply" }, { 0, NULL }
};

static const struct tok arphrd_tok[] = {
	{ 1, "Ethernet" }, { 6, "TokenRing" }, { 7, "ArcNet" },
	{ 15, "FrameRelay" }, { 23, "Strip" }, { 24, "IEEE 1394" },
	{ 19, "ATM" }, { 32, "InfiniBand" }, { 0, NULL }
};

struct arp {
	const uint8_t *sha, *spa, *tha, *tpa;
	unsigned int hln, pln, pro;
};

static void arp_paddr(struct ctx *c, const struct arp *a, const uint8_t *pa)
{
	char s[16];

	if (a->pro != 0x0800 && a->pro != 0x1000)
		pr(c, "<wrong proto type>");
	else if (a->pln != 4)
		pr(c, "<wrong len>");
	else
		pr(c, "%s", ip4_str(s, pa));
}

static void arp_haddr(struct ctx *c, const char *fmt, const struct arp *a,
		      const uint8_t *ha)
{
	char s[LINKADDR_STRLEN];

	pr(c, fmt, linkaddr_str(c, s, ha, a->hln));
}

static bool arp_nonzero(const uint8_t *p, unsigned int n)
{
	while (n--)
		if (*p++)
			return true;
	return false;
}

/* The operation and its addresses; false for an unknown operation. */
static bool arp_op(struct ctx *c, const struct arp *a, unsigned int op)
{
	switch (op) {
	case 1:
		pr(c, "who-has ");
		arp_paddr(c, a, a->tpa);
		if (arp_nonzero(a->tha, a->hln))
			arp_haddr(c, " (%s)", a, a->tha);
		pr(c, " tell ");
		arp_paddr(c, a, a->spa);
		return true;
	case 2:
		arp_paddr(c, a, a->spa);
		arp_haddr(c, " is-at %s", a, a->sha);
		return true;
	case 3:
	case 8:
		arp_haddr(c, "who-is %s", a, a->tha);
		arp_haddr(c, " tell %s", a, a->sha);
		return true;
	case 4:
		arp_haddr(c, "%s at ", a, a->tha);
		arp_paddr(c, a, a->tpa);
		return true;
	case 9:
		arp_haddr(c, "%s at ", a, a->sha);
		arp_paddr(c, a, a->spa);
		return true;
	default:
		return false;
	}
}

static void arp_print(struct ctx *c, const uint8_t *ap, uint32_t length,
		      uint32_t caplen)
{
	char h[40], p[40], o[24];
	unsigned int hrd, op;
	struct arp a;

	c->proto = "arp";
	if (!have(c, ap, 8)) {
		mark_jump(c);
		return;
	}
	hrd = get16(ap);
	a.pro = get16(ap + 2);
	a.hln = ap[4];
	a.pln = ap[5];
	op = get16(ap + 6);
	if (!have(c, ap, 8 + 2 * (size_t)a.hln + 2 * (size_t)a.pln)) {
		mark_jump(c);
		return;
	}
	a.sha = ap + 8;
	a.spa = a.sha + a.hln;
	a.tha = a.spa + a.pln;
	a.tpa = a.tha + a.hln;
	if (!c->o->link)
		pr(c, "ARP, ");
	if ((a.pro != 0x0800 && a.pro != 0x1000) || a.pln != 4 ||
	    a.hln == 0 || c->o->verbose) {
		pr(c, "%s (len %u), %s (len %u)",
		   tok_fmt(h, sizeof(h), arphrd_tok, hrd,
			   "Unknown Hardware (%u)"), a.hln,
		   tok_fmt(p, sizeof(p), ethertype_tok, a.pro,
			   "Unknown Protocol (0x%04x)"), a.pln);
		if (!c->o->verbose) {
			pr(c, ", length %u", length);
			return;
		}
	}
	pr(c, "%s%s ", c->o->verbose ? ", " : "",
	   tok_fmt(o, sizeof(o), arpop_tok, op, "Unknown (%u)"));
	if (!arp_op(c, &a, op)) {
		default_print(c, ap, caplen);
		return;
	}
	pr(c, ", length %u", length);
}

/* ------------------------------------------------------------------ */
/* 802.2 LLC and SNAP                                                  */

struct macs {
	const uint8_t *src, *dst;
};

static const struct tok llc_sap_tok[] = {
	{ 0x00, "Null" }, { 0x02, "802.1B I" }, { 0x04, "SNA" },
	{ 0x06, "IP" }, { 0x0e, "ProWay NM" }, { 0x42, "STP" },
	{ 0x4e, "RS511" }, { 0x7e, "ISO8208" }, { 0x8e, "ProWay" },
	{ 0xaa, "SNAP" }, { 0xe0, "IPX" }, { 0xf0, "NetBeui" },
	{ 0xfe, "OSI" }, { 0xff, "Global" }, { 0, NULL }
};

static const struct tok llc_cmd_tok[] = {
	{ 0x03, "ui" }, { 0xe3, "test" }, { 0xaf, "xid" }, { 0x63, "ua" },
	{ 0x43, "disc" }, { 0x0f, "dm" }, { 0x6f, "sabme" },
	{ 0x87, "frmr" }, { 0, NULL }
};

static const struct tok llc_flag_tok[] = {
	{ 0x000, "Command" }, { 0x001, "Response" }, { 0x010, "Poll" },
	{ 0x011, "Final" }, { 0x100, "Poll" }, { 0x101, "Final" },
	{ 0, NULL }
};

static const char *const llc_s_names[4] = {
	"Receiver Ready", "Receiver not Ready", "Reject", "?"
};

static void snap_print(struct ctx *c, const uint8_t *p, uint32_t length,
		       uint32_t caplen, const struct macs *m, int *ret);

static void llc_addrs(struct ctx *c, const struct macs *m, unsigned int ssap,
		      unsigned int dsap)
{
	char s[MAC_STRLEN], d[MAC_STRLEN], ts[32], td[32];
	const char *dname;

	mac_str(c, s, m->src);
	mac_str(c, d, m->dst);
	/* A known SAP's name is returned, not written to td. */
	dname = tok_fmt(td, sizeof(td), llc_sap_tok, dsap,
			"Unknown DSAP 0x%02x");
	if (ssap == dsap)
		pr(c, "%s > %s %s ", s, d, dname);
	else
		pr(c, "%s %s > %s %s ", s,
		   tok_fmt(ts, sizeof(ts), llc_sap_tok, ssap,
			   "Unknown SSAP 0x%02x"), d, dname);
}

static void llc_link(struct ctx *c, unsigned int dsapf, unsigned int ssapf,
		     unsigned int ctl, bool is_u)
{
	pr(c, "LLC, dsap %s (0x%02x) %s, ssap %s (0x%02x) %s",
	   tok_or(llc_sap_tok, dsapf & ~1u, "Unknown"), dsapf & ~1u,
	   dsapf & 1 ? "Group" : "Individual",
	   tok_or(llc_sap_tok, ssapf & ~1u, "Unknown"), ssapf & ~1u,
	   ssapf & 1 ? "Response" : "Command");
	pr(c, is_u ? ", ctrl 0x%02x: " : ", ctrl 0x%04x: ", ctl);
}

/* The frame type part; true when the payload is to be dumped. */
static bool llc_frame(struct ctx *c, const uint8_t *p, uint32_t length,
		      unsigned int ssapf, unsigned int ctl, bool is_u)
{
	unsigned int hl = is_u ? 3 : 4;
	char cmd[8];

	if (!is_u) {
		if ((ctl & 3) == 1) {
			pr(c, "Supervisory, %s, rcv seq %u, Flags [%s]",
			   llc_s_names[(ctl >> 2) & 3], (ctl >> 9) & 0x7f,
			   tok_or(llc_flag_tok, (ssapf & 1) | (ctl & 0x100),
				  "?"));
			pr(c, ", length %u", length);
			return false;
		}
		pr(c, "Information, send seq %u, rcv seq %u, Flags [%s]",
		   (ctl >> 1) & 0x7f, (ctl >> 9) & 0x7f,
		   tok_or(llc_flag_tok, (ssapf & 1) | (ctl & 0x100), "?"));
		pr(c, ", length %u", length);
		return true;
	}
	pr(c, "Unnumbered, %s, Flags [%s], length %u",
	   tok_fmt(cmd, sizeof(cmd), llc_cmd_tok, ctl & 0xef, "%02x"),
	   tok_or(llc_flag_tok, (ssapf & 1) | (ctl & 0x10), "?"), length);
	if ((ctl & 0xef) != 0xaf)
		return true;
	if (length == hl)
		return false;
	if (!have(c, p + hl, 1)) {
		mark_trunc(c);
		return false;
	}
	if (p[hl] != 0x81)
		return true;
	if (!have(c, p + hl, 3) || length < hl + 3) {
		mark_trunc(c);
		default_print(c, p + hl, left(c, p + hl));
	} else {
		pr(c, ": %02x %02x", p[hl + 1], p[hl + 2]);
	}
	return false;
}

/*
 * tcpdump's llc_print(): returns the LLC header length, negated when the
 * caller is to dump the frame as unknown.
 */
static int llc_print(struct ctx *c, const uint8_t *p, uint32_t length,
		     uint32_t caplen, const struct macs *m)
{
	unsigned int dsapf, ssapf, ctl, hl = 3;
	bool is_u;
	int ret = 0;

	c->proto = "llc";
	if (caplen < 3 || length < 3) {
		mark_trunc(c);
		default_print(c, p, caplen);
		return (int)(caplen < 3 ? caplen : length);
	}
	dsapf = p[0];
	ssapf = p[1];
	ctl = p[2];
	is_u = (ctl & 3) == 3;
	if (!is_u) {
		if (caplen < 4 || length < 4) {
			mark_trunc(c);
			default_print(c, p, caplen);
			return (int)(caplen < 4 ? caplen : length);
		}
		ctl |= (unsigned int)p[3] << 8;
		hl = 4;
	}
	if (c->o->link)
		llc_link(c, dsapf, ssapf, ctl, is_u);
	if ((dsapf & ~1u) == 0xaa && (ssapf & ~1u) == 0xaa && ctl == 3) {
		snap_print(c, p + 3, length - 3, caplen - 3, m, &ret);
		return ret ? 8 : -8;
	}
	if ((dsapf & ~1u) == 0x06 && (ssapf & ~1u) == 0x06 && ctl == 3) {
		ip4_print(c, p + 3, length - 3);
		return 3;
	}
	if (!c->o->link)
		llc_addrs(c, m, ssapf & ~1u, dsapf & ~1u);
	return llc_frame(c, p, length, ssapf, ctl, is_u) ? -(int)hl : (int)hl;
}

/* ------------------------------------------------------------------ */
/* Ethernet                                                            */

/* Decodes the ethertypes npf knows; false for the others. */
static bool ethertype_print(struct ctx *c, uint16_t type, const uint8_t *p,
			    uint32_t length, uint32_t caplen)
{
	switch (type) {
	case 0x0800:
		ip4_print(c, p, length);
		return true;
	case 0x86dd:
		ip6_print(c, p, length);
		return true;
	case 0x0806:
	case 0x8035:
		arp_print(c, p, length, caplen);
		return true;
	default:
		return false;
	}
}

static void snap_print(struct ctx *c, const uint8_t *p, uint32_t length,
		       uint32_t caplen, const struct macs *m, int *ret)
{
	char s[MAC_STRLEN], d[MAC_STRLEN];
	uint32_t oui;
	uint16_t et;
	bool ethertype;

	c->proto = "snap";
	if (!have(c, p, 5)) {
		mark_trunc(c);
		*ret = 1;
		return;
	}
	oui = (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
	et = get16(p + 3);
	ethertype = oui == 0 || oui == 0xf8;
	if (c->o->link)
		pr(c, "oui %s (0x%06x), %s %s (0x%04x), length %u: ",
		   oui_str(oui), oui, oui == 0 ? "ethertype" : "pid",
		   ethertype ? tok_or(ethertype_tok, et, "Unknown") :
		   "Unknown", et, length - 5);
	if (ethertype && ethertype_print(c, et, p + 5, length - 5,
					 caplen - 5)) {
		*ret = 1;
		return;
	}
	if (c->o->link)
		return;
	pr(c, "%s > %s ", mac_str(c, s, m->src), mac_str(c, d, m->dst));
	if (oui == 0)
		pr(c, "SNAP, ethertype %s (0x%04x), length %u: ",
		   tok_or(ethertype_tok, et, "Unknown"), et, length - 5);
	else
		pr(c, "SNAP, oui %s (0x%06x), pid %s (0x%04x), length %u: ",
		   oui_str(oui), oui,
		   ethertype ? tok_or(ethertype_tok, et, "Unknown") : "Unknown",
		   et, length - 5);
}

static void print_macs(struct ctx *c, const struct macs *m)
{
	char s[MAC_STRLEN], d[MAC_STRLEN];

	pr(c, "%s > %s, ", mac_str(c, s, m->src), mac_str(c, d, m->dst));
}

static bool is_vlan_type(uint16_t type)
{
	return type == 0x8100 || type == 0x9100 || type == 0x9200 ||
	       type == 0x88a8;
}

/* An 802.3 frame: the type field is a length; returns the LLC length. */
static uint32_t ether_llc(struct ctx *c, const uint8_t *p, uint32_t length,
			  uint32_t caplen, const struct macs *m, bool printed)
{
	int llc;

	if (caplen > length) {
		caplen = length;
		c->end = p + caplen;
	}
	if (c->o->link) {
		pr(c, "802.3");
		if (!printed)
			pr(c, ", length %u: ", length);
	}
	llc = llc_print(c, p, length, caplen, m);
	if (llc < 0) {
		if (!c->o->hex)
			default_print(c, p, caplen);
		llc = -llc;
	}
	return (uint32_t)llc;
}

/* tcpdump's ether_common_print(): returns the link header length. */
static uint32_t ether_print(struct ctx *c, const uint8_t *p, uint32_t length,
			    uint32_t caplen)
{
	const uint32_t orig = length;
	struct macs m = { p + 6, p };
	uint32_t hdrlen = ETH_HLEN;
	bool printed = false;
	uint16_t type, tci;

	c->proto = "ether";
	if (length < caplen) {
		pr(c, "[length %u < caplen %u] (invalid)", length, caplen);
		return length;
	}
	if (caplen < ETH_HLEN) {
		mark_trunc(c);
		return caplen;
	}
	if (c->o->link)
		print_macs(c, &m);
	type = get16(p + 12);
	p += ETH_HLEN;
	length -= ETH_HLEN;
	caplen -= ETH_HLEN;
	while (is_vlan_type(type)) {
		if (caplen < 4 || length < 4) {
			c->proto = "vlan";
			mark_trunc(c);
			return hdrlen + (caplen < 4 ? caplen : length);
		}
		if (c->o->link) {
			tci = get16(p);
			print_ethertype(c, type);
			pr(c, printed ? ", " : ", length %u: ", orig);
			printed = true;
			pr(c, "vlan %u, p %u%s, ", tci & 0xfff, tci >> 13,
			   tci & 0x1000 ? ", DEI" : "");
		}
		type = get16(p + 2);
		p += 4;
		length -= 4;
		caplen -= 4;
		hdrlen += 4;
	}
	if (type <= 1500)
		return hdrlen + ether_llc(c, p, type, caplen, &m, printed);
	if (c->o->link) {
		print_ethertype(c, type);
		pr(c, printed ? ", " : ", length %u: ", orig);
	}
	if (!ethertype_print(c, type, p, length, caplen)) {
		if (!c->o->link) {
			print_macs(c, &m);
			print_ethertype(c, type);
			pr(c, ", length %u: ", orig);
		}
		if (!c->o->hex)
			default_print(c, p, caplen);
	}
	return hdrlen;
}

/* ------------------------------------------------------------------ */
/* Raw IP and the packet                                               */

static void raw_print(struct ctx *c, const uint8_t *p, uint32_t length)
{
	c->proto = "ipn";
	if (c->o->link)
		pr(c, "ip: ");
	if (length < 1) {
		pr(c, "truncated-ip %u", length);
		return;
	}
	if (!have(c, p, 1)) {
		mark_trunc(c);
		return;
	}
	if (p[0] >> 4 == 4)
		ip4_print(c, p, length);
	else if (p[0] >> 4 == 6)
		ip6_print(c, p, length);
	else
		pr(c, "unknown ip %u", p[0] >> 4);
}

static void print_ts(FILE *f, const struct npf_print_opts *o, int64_t sec,
		     uint32_t frac)
{
	int digits = o->nano ? 9 : 6;
	time_t t = (time_t)sec;
	struct tm tm;

	if (o->tstamp == 1)
		return;
	if (o->tstamp == 2) {
		fprintf(f, "%" PRId64 ".%0*" PRIu32 " ", sec, digits, frac);
		return;
	}
	if (!localtime_r(&t, &tm)) {
		fprintf(f, "[localtime() fails] ");
		return;
	}
	fprintf(f, "%02d:%02d:%02d.%0*" PRIu32 " ", tm.tm_hour, tm.tm_min,
		tm.tm_sec, digits, frac);
}

/* tcpdump refuses records with impossible lengths, printing only this. */
static bool invalid_header(FILE *f, uint32_t caplen, uint32_t len)
{
	const char *sep = "[Invalid header:";

	if (caplen && len && len >= caplen && caplen <= 262144)
		return false;
	if (caplen == 0) {
		fprintf(f, "%s caplen==0", sep);
		sep = ",";
	}
	if (len == 0) {
		fprintf(f, "%s len==0", sep);
		sep = ",";
	} else if (len < caplen) {
		fprintf(f, "%s len(%u) < caplen(%u)", sep, len, caplen);
		sep = ",";
	}
	if (caplen > 262144)
		fprintf(f, "%s caplen(%u) > 262144", sep, caplen);
	fputs("]\n", f);
	return true;
}

void npf_print_packet(FILE *out, const struct npf_print_opts *opts,
		      int64_t sec, uint32_t frac, const uint8_t *data,
		      uint32_t caplen, uint32_t len, int linktype)
{
	bool early_end = false;
	struct ctx c = {
		.f = out, .o = opts, .end = data + caplen, .proto = "ether",
		.early_end = &early_end,
	};
	uint32_t hdrlen = 0;

	if (invalid_header(out, caplen, len))
		return;
	print_ts(out, opts, sec, frac);
	if (linktype == 1)
		hdrlen = ether_print(&c, data, len, caplen);
	else if (linktype == 101)
		raw_print(&c, data, len);
	else
		fprintf(out, "unsupported link type %d, length %" PRIu32,
			linktype, len);
	if (opts->hex_link || early_end)
		hdrlen = 0;
	if (opts->hex && caplen > hdrlen) {
		if (opts->hex == 2)
			hex_ascii_lines(out, data + hdrlen, caplen - hdrlen);
		else
			hex_lines(out, "\n\t", data + hdrlen, caplen - hdrlen);
	}
	fputc('\n', out);
}
