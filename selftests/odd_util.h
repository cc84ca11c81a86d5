/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Odd adapters for the selftests (odd_adapters, fuzz): the loopback, a
 * dummy, a tap, a bond alone and one with an enslaved dummy, and the
 * header-less IP adapters npf describes as LINKTYPE_RAW: ipip, sit, gre
 * with a remote (no header_ops), wireguard and tun (addr_len 0). Each is
 * created in the caller's network namespace with a way to make it carry
 * frames whose exact bytes the test knows, as npf records them:
 *
 *   lo, dummy, bond       an AF_PACKET socket sends on the adapter (lo:
 *                         the tap sees the received copy; the others: the
 *                         outgoing frame, which their drivers then drop)
 *   tap, tun              a write into the character device: the adapter
 *                         receives it
 *   ipip, sit, gre        an encapsulated packet sent on lo to a local
 *                         address: the tunnel decapsulates and receives
 *                         the inner packet
 *   wireguard             a raw IP socket (IP_HDRINCL) routed into the
 *                         adapter: the tap sees it go out (no peer: the
 *                         driver drops it, and the socket says ENOKEY)
 *   bond without slave    nothing: it has no carrier, so its noop qdisc
 *                         drops what is sent before any tap sees it
 *
 * Received IP packets are addressed so that the stack drops them silently
 * (forwarding off, no local address, no ICMP), so the adapter carries
 * nothing but what the test sends. Like hostile_util.h, everything here is
 * static and each program includes it once; helpers return -1 and leave a
 * message in npf_err.
 */
#ifndef NPF_ODD_UTIL_H
#define NPF_ODD_UTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/if_tunnel.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include "npf_util.h"

enum odd_kind {
	ODD_LO,
	ODD_DUMMY,
	ODD_TAP,
	ODD_BOND,		/* no slave: no carrier, drops what it sends */
	ODD_BOND_SLAVE,		/* a dummy enslaved */
	ODD_IPIP,
	ODD_SIT,
	ODD_GRE,		/* with a remote: no header_ops */
	ODD_WG,
	ODD_TUN,
	ODD_NKINDS,
};

/* What npf must make of each kind (kmod/adapter.c, uapi/linux/npf.h). */
struct odd_kind_info {
	const char *what;
	const char *ifname;
	uint32_t dlt;		/* BIOCGDLT */
	uint32_t hdrlen;	/* link header in front of what is captured */
	bool ether;		/* ARPHRD_ETHER: the multicast list applies */
	bool refuses_xmit;	/* its driver refuses frames: bs_senterr */
	uint8_t ipver;		/* raw kinds: the IP version of our packets */
	bool mute;		/* carries nothing: no carrier, no slave */
};

static const struct odd_kind_info odd_kinds[ODD_NKINDS] = {
	[ODD_LO]	 = { "lo", "lo", 1, 14, false, false, 0 },
	[ODD_DUMMY]	 = { "dummy", "npfdum0", 1, 14, true, false, 0 },
	[ODD_TAP]	 = { "tap", "npftap0", 1, 14, true, false, 0 },
	[ODD_BOND]	 = { "bond", "npfbond0", 1, 14, true, false, 0, true },
	[ODD_BOND_SLAVE] = { "bond with a slave", "npfbond1", 1, 14, true,
			     false, 0 },
	[ODD_IPIP]	 = { "ipip", "npfipip0", 101, 0, false, false, 4 },
	[ODD_SIT]	 = { "sit", "npfsit0", 101, 0, false, false, 6 },
	[ODD_GRE]	 = { "gre", "npfgre0", 101, 0, false, false, 4 },
	[ODD_WG]	 = { "wireguard", "npfwg0", 101, 0, false, true, 4 },
	[ODD_TUN]	 = { "tun", "npftun0", 101, 0, false, false, 4 },
};

#define ODD_SLAVE	"npfdum1"	/* ODD_BOND_SLAVE's dummy */
#define ODD_NBMA	"npfgre9"	/* a gre without remote: header_ops */
#define ODD_ABSENT	(-2)		/* the kernel cannot make this kind */

/* Tunnel endpoints (on lo), inner and wireguard addresses. */
#define ODD_LOCAL	"10.200.0.1"
#define ODD_REMOTE	"10.200.0.2"
#define ODD_IN_SRC	"10.201.0.2"	/* received inner packets: not local */
#define ODD_IN_DST	"10.201.0.1"
#define ODD_WG_SRC	"10.202.0.1"	/* wg0's address ... */
#define ODD_WG_DST	"10.202.0.2"	/* ... and where it sends */
#define ODD_ETH_SRC	"10.203.0.2"	/* Ethernet kinds */
#define ODD_ETH_DST	"10.203.0.1"

struct odd_adapter {
	enum odd_kind kind;
	const struct odd_kind_info *k;
	const char *name;
	int ifindex;
	uint8_t mac[6];		/* Ethernet kinds */
	uint32_t mtu;
	int fd;			/* tun, tap: the device, kept open */
	int tx;			/* AF_PACKET sender (tunnels: on lo) */
	int raw;		/* wireguard: raw IP socket */
	uint16_t id;		/* IP id of the next outer header */
};

/*
 * Run a shell command; its exit status (0 = success). The command's output
 * goes to npf_err when it fails.
 */
static __attribute__((format(printf, 1, 2), unused))
int odd_run(const char *fmt, ...)
{
	char cmd[512], out[384];
	va_list ap;
	size_t n;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 8, fmt, ap);
	va_end(ap);
	strcat(cmd, " 2>&1");
	p = popen(cmd, "r");
	if (!p)
		return npf_fail("popen %s: %s", cmd, strerror(errno)), 127;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	while (n && out[n - 1] == '\n')
		out[--n] = 0;
	st = pclose(p);
	if (st == -1 || !WIFEXITED(st))
		return npf_fail("%s: did not exit", cmd), 127;
	if (WEXITSTATUS(st))
		npf_fail("%s: exit %d: %s", cmd, WEXITSTATUS(st), out);
	return WEXITSTATUS(st);
}

/*
 * The modules the odd adapters need. Built-in on the debug kernel (where
 * modprobe may not even find a module directory): failures are ignored,
 * creating the adapter is the test. No bond or dummy device of their own.
 */
static __attribute__((unused)) void odd_modprobe(void)
{
	odd_run("modprobe -a tun wireguard ipip sit ip_gre");
	odd_run("modprobe bonding max_bonds=0");
	odd_run("modprobe dummy numdummies=0");
}

/*
 * A private network and mount namespace (sysfs of our own), IPv6 off,
 * forwarding and reverse-path filtering off, lo up. env_setup() without
 * the veth pair.
 */
static __attribute__((unused)) int odd_netns(void)
{
	static const char *const off[] = {
		"/proc/sys/net/ipv4/ip_forward",
		"/proc/sys/net/ipv4/conf/all/rp_filter",
		"/proc/sys/net/ipv4/conf/default/rp_filter",
	};

	if (unshare(CLONE_NEWNET | CLONE_NEWNS))
		return npf_fail("unshare: %s", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL))
		return npf_fail("mount sysfs: %s", strerror(errno));
	if (!access("/proc/sys/net/ipv6", F_OK) &&
	    (file_write_str("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1") ||
	     file_write_str("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1")))
		return -1;
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (file_write_str(off[i], "0"))
			return -1;
	return link_set_up("lo", true);
}

static __attribute__((unused)) int odd_sysfs_ll(const char *ifname,
						const char *attr,
						long long *v)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	*v = file_read_ll(path);
	return *v < 0 && access(path, R_OK) ? -1 : 0;
}

/* /sys/class/net/X/address as bytes (addr_len of them); its length. */
static __attribute__((unused)) int odd_sysfs_addr(const char *ifname,
						  uint8_t *addr, int max)
{
	char path[128], s[128];
	int n = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	if (file_read_str(path, s, sizeof(s)))
		return -1;
	for (char *p = s; *p && n < max; p += 2) {
		unsigned int b;

		if (*p == ':')
			p++;
		if (sscanf(p, "%2x", &b) != 1)
			return npf_fail("%s: cannot parse '%s'", path, s);
		addr[n++] = (uint8_t)b;
	}
	return n;
}

/* The adapter's permanent address (ETHTOOL_GPERMADDR); its length. */
static __attribute__((unused)) int odd_perm_addr(const char *ifname,
						 uint8_t *addr, int max)
{
	struct {
		struct ethtool_perm_addr h;
		uint8_t d[32];
	} ep;
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	if (s < 0)
		return npf_fail("socket: %s", strerror(errno));
	memset(&ep, 0, sizeof(ep));
	ep.h.cmd = ETHTOOL_GPERMADDR;
	ep.h.size = sizeof(ep.d);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ep;
	ret = ioctl(s, SIOCETHTOOL, &ifr);
	close(s);
	if (ret)
		return npf_fail("ETHTOOL_GPERMADDR %s: %s", ifname,
				strerror(errno));
	if ((int)ep.h.size > max)
		return npf_fail("%s: permanent address of %u bytes", ifname,
				ep.h.size);
	memcpy(addr, ep.d, ep.h.size);
	return (int)ep.h.size;
}

/*
 * The adapter's multicast list as /proc/net/dev_mcast shows it (in list
 * order, the order of a query): the bytes of all addresses back to back,
 * how many bytes; *count gets the number of addresses.
 */
static __attribute__((unused)) int odd_dev_mcast(int ifindex, uint8_t *out,
						 int max, int *count)
{
	FILE *f = fopen("/proc/net/dev_mcast", "re");
	char line[256];
	int n = 0;

	*count = 0;
	if (!f)
		return npf_fail("/proc/net/dev_mcast: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char name[32], hex[128];
		int idx, users, global;

		if (sscanf(line, "%d %31s %d %d %127s", &idx, name, &users,
			   &global, hex) != 5 || idx != ifindex)
			continue;
		for (char *p = hex; p[0] && p[1]; p += 2) {
			unsigned int b;

			if (n >= max || sscanf(p, "%2x", &b) != 1) {
				fclose(f);
				return npf_fail("dev_mcast: '%s'", line);
			}
			out[n++] = (uint8_t)b;
		}
		(*count)++;
	}
	fclose(f);
	return n;
}

/* An IPv4 header (no options) with its checksum. */
static __attribute__((unused))
void odd_ip4hdr(uint8_t *b, uint16_t total, uint16_t id, uint8_t proto,
		const char *src, const char *dst)
{
	uint32_t sum = 0;

	memset(b, 0, 20);
	b[0] = 0x45;
	b[2] = total >> 8;
	b[3] = total & 0xff;
	b[4] = id >> 8;
	b[5] = id & 0xff;
	b[8] = 64;
	b[9] = proto;
	inet_pton(AF_INET, src, b + 12);
	inet_pton(AF_INET, dst, b + 16);
	for (int i = 0; i < 20; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	b[10] = (uint8_t)(~sum >> 8);
	b[11] = (uint8_t)~sum;
}

/*
 * A frame of exactly len bytes as npf records it on adapter a: Ethernet
 * (UDP/IPv4, to the adapter's address) for the Ethernet and loopback
 * kinds; for the raw kinds an IP packet without link header: UDP/IPv4, or
 * UDP/IPv6 for sit. seq makes it unique and is its IP id (never 0: a raw
 * socket would choose one). Returns len, or 0 when len cannot be built.
 */
static __attribute__((unused))
uint32_t odd_frame(const struct odd_adapter *a, struct frame *f, uint32_t len,
		   uint32_t seq)
{
	static const uint8_t peer[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x02 };
	static const uint8_t zero[6];
	uint32_t l;

	seq = (seq % 0xfff0) + 1;
	if (a->k->dlt == NPF_LINKTYPE_ETHERNET)
		return mk_udp4(f, a->kind == ODD_LO ? zero : a->mac, peer,
			       ODD_ETH_SRC, ODD_ETH_DST, 4000, 9, len, seq);
	if (a->k->ipver == 6)
		l = mk_ip6(f, zero, zero, "fd00::2", "fd00::1", 17, 4000, 9,
			   len + 14, seq);
	else if (a->kind == ODD_WG)
		l = mk_udp4(f, zero, zero, ODD_WG_SRC, ODD_WG_DST, 4000, 9,
			    len + 14, seq);
	else
		l = mk_udp4(f, zero, zero, ODD_IN_SRC, ODD_IN_DST, 4000, 9,
			    len + 14, seq);
	if (!l)
		return f->len = 0;
	memmove(f->b, f->b + 14, len);
	f->len = len;
	return len;
}

/* Make adapter a carry frame f (see the top of this file). */
static __attribute__((unused))
int odd_inject(struct odd_adapter *a, const struct frame *f)
{
	uint8_t outer[MAX_FRAME + 128];
	struct sockaddr_in sin;
	uint32_t off = 14;
	ssize_t n;

	switch (a->kind) {
	case ODD_LO:
	case ODD_DUMMY:
	case ODD_BOND:
	case ODD_BOND_SLAVE:
		n = send(a->tx, f->b, f->len, 0);
		break;
	case ODD_TAP:
	case ODD_TUN:
		n = write(a->fd, f->b, f->len);
		break;
	case ODD_WG:
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		inet_pton(AF_INET, ODD_WG_DST, &sin.sin_addr);
		n = sendto(a->raw, f->b, f->len, 0, (struct sockaddr *)&sin,
			   sizeof(sin));
		/* wg_xmit() refused it for want of a peer, after the taps */
		if (n < 0 && errno == ENOKEY)
			n = f->len;
		break;
	default: {
		/* lo frame: Ethernet (zero addresses), outer IPv4, [GRE] */
		uint8_t proto = a->kind == ODD_IPIP ? 4 :
				a->kind == ODD_SIT ? 41 : 47;

		memset(outer, 0, 14);
		outer[12] = 0x08;
		if (a->kind == ODD_GRE) {
			memset(outer + 34, 0, 4);
			outer[36] = f->b[0] >> 4 == 6 ? 0x86 : 0x08;
			outer[37] = f->b[0] >> 4 == 6 ? 0xdd : 0x00;
			off += 4;
		}
		a->id = a->id == 0xffff ? 1 : a->id + 1;
		odd_ip4hdr(outer + 14, (uint16_t)(20 + off - 14 + f->len),
			   a->id, proto, ODD_REMOTE, ODD_LOCAL);
		off += 20;
		memcpy(outer + off, f->b, f->len);
		n = send(a->tx, outer, off + f->len, 0);
		if (n == (ssize_t)(off + f->len))
			n = f->len;
		break;
	}
	}
	if (n != (ssize_t)f->len)
		return npf_fail("%s: injecting %u bytes: %s", a->name, f->len,
				n < 0 ? strerror(errno) : "short");
	return 0;
}

static __attribute__((unused)) void odd_destroy(struct odd_adapter *a)
{
	if (a->fd >= 0)
		close(a->fd);
	if (a->tx >= 0)
		close(a->tx);
	if (a->raw >= 0)
		close(a->raw);
	a->fd = a->tx = a->raw = -1;
}

static __attribute__((unused)) int odd_tuntap(struct odd_adapter *a, short flags)
{
	struct ifreq ifr;

	a->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (a->fd < 0) {
		npf_fail("/dev/net/tun: %s", strerror(errno));
		return errno == ENOENT || errno == ENODEV ? ODD_ABSENT : -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = flags | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", a->name);
	if (ioctl(a->fd, TUNSETIFF, &ifr))
		return npf_fail("TUNSETIFF %s: %s", a->name, strerror(errno));
	/* the test reads what the adapter sends without ever waiting */
	if (fcntl(a->fd, F_SETFL, O_NONBLOCK))
		return npf_fail("O_NONBLOCK: %s", strerror(errno));
	return 0;
}

/* ---- rtnetlink ---------------------------------------------------- */

/*
 * A link of kind (dummy, bond, wireguard, ipip, sit, gre), tunnels from
 * local to remote (remote may be NULL). ODD_ABSENT when the kernel has no
 * such kind (EOPNOTSUPP once it tried to load the module).
 */
static int odd_link_add(const char *name, const char *kind, const char *local,
			const char *remote)
{
	struct rtnl_req req;
	struct rtattr *li, *data;
	bool gre = !strcmp(kind, "gre");
	uint32_t a;
	int ret;

	li = rtnl_newlink(&req, name, kind);
	if (local) {
		data = rta_put(&req.n, IFLA_INFO_DATA, NULL, 0);
		inet_pton(AF_INET, local, &a);
		rta_put(&req.n, gre ? IFLA_GRE_LOCAL : IFLA_IPTUN_LOCAL, &a, 4);
		if (remote) {
			inet_pton(AF_INET, remote, &a);
			rta_put(&req.n, gre ? IFLA_GRE_REMOTE :
				IFLA_IPTUN_REMOTE, &a, 4);
		}
		rta_nest_end(&req.n, data);
	}
	rta_nest_end(&req.n, li);
	ret = rtnl_request(&req.n);
	if (ret)
		npf_fail("add %s link %s: %s", kind, name, npf_err);
	if (ret == -EOPNOTSUPP)
		return ODD_ABSENT;
	return ret ? -1 : 0;
}

/* Enslave slave to master. */
static __attribute__((unused)) int odd_link_master(const char *slave, const char *master)
{
	struct rtnl_req req;
	uint32_t m = if_nametoindex(master);

	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.n.nlmsg_type = RTM_NEWLINK;
	req.i.ifi_family = AF_UNSPEC;
	req.i.ifi_index = (int)if_nametoindex(slave);
	rta_put(&req.n, IFLA_MASTER, &m, 4);
	if (rtnl_request(&req.n))
		return npf_fail("enslave: %s", npf_err);
	return 0;
}

/* An IPv4 address on a link. */
static __attribute__((unused)) int odd_addr_add(const char *ifname, const char *addr, int prefix)
{
	struct rtnl_req req;
	uint32_t a;

	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	req.n.nlmsg_type = RTM_NEWADDR;
	/* the tunnels of one namespace share their local address */
	req.n.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	req.a.ifa_family = AF_INET;
	req.a.ifa_prefixlen = (unsigned char)prefix;
	req.a.ifa_index = if_nametoindex(ifname);
	inet_pton(AF_INET, addr, &a);
	rta_put(&req.n, IFA_LOCAL, &a, 4);
	rta_put(&req.n, IFA_ADDRESS, &a, 4);
	if (rtnl_request(&req.n))
		return npf_fail("add address: %s", npf_err);
	return 0;
}

/*
 * Create adapter kind in the caller's namespace (made by odd_netns() or
 * env_setup(): lo must be up), up, with its sender. 0, -1, or ODD_ABSENT
 * when this kernel cannot make such an adapter at all.
 */
static __attribute__((unused))
int odd_create(struct odd_adapter *a, enum odd_kind kind)
{
	long long v;
	int r = 0;

	memset(a, 0, sizeof(*a));
	a->fd = a->tx = a->raw = -1;
	a->kind = kind;
	a->k = &odd_kinds[kind];
	a->name = a->k->ifname;
	switch (kind) {
	case ODD_LO:
		break;
	case ODD_DUMMY:
		r = odd_link_add(a->name, "dummy", NULL, NULL);
		break;
	case ODD_TAP:
		r = odd_tuntap(a, IFF_TAP);
		break;
	case ODD_TUN:
		r = odd_tuntap(a, IFF_TUN);
		break;
	case ODD_BOND:
		r = odd_link_add(a->name, "bond", NULL, NULL);
		break;
	case ODD_BOND_SLAVE:
		r = odd_link_add(a->name, "bond", NULL, NULL);
		if (!r)
			r = odd_link_add(ODD_SLAVE, "dummy", NULL, NULL);
		if (!r)
			r = odd_link_master(ODD_SLAVE, a->name);
		break;
	case ODD_IPIP:
	case ODD_SIT:
	case ODD_GRE:
		r = odd_link_add(a->name, kind == ODD_IPIP ? "ipip" :
				 kind == ODD_SIT ? "sit" : "gre",
				 ODD_LOCAL, ODD_REMOTE);
		if (!r)
			r = odd_addr_add("lo", ODD_LOCAL, 32);
		break;
	case ODD_WG:
		r = odd_link_add(a->name, "wireguard", NULL, NULL);
		if (!r)
			r = odd_addr_add(a->name, ODD_WG_SRC, 24);
		break;
	default:
		return npf_fail("no odd adapter kind %d", kind);
	}
	if (r)
		return r;
	if (link_set_up(a->name, true))
		return -1;
	a->ifindex = link_ifindex(a->name);
	if (a->ifindex < 0)
		return -1;
	if (odd_sysfs_ll(a->name, "mtu", &v) || v <= 0)
		return npf_fail("%s: no mtu", a->name);
	a->mtu = (uint32_t)v;
	if (a->k->dlt == NPF_LINKTYPE_ETHERNET && kind != ODD_LO &&
	    odd_sysfs_addr(a->name, a->mac, 6) != 6)
		return npf_fail("%s: no MAC address", a->name);
	switch (kind) {
	case ODD_LO:
	case ODD_DUMMY:
	case ODD_BOND:
	case ODD_BOND_SLAVE:
		a->tx = tx_socket(a->ifindex);
		return a->tx < 0 ? -1 : 0;
	case ODD_IPIP:
	case ODD_SIT:
	case ODD_GRE:
		a->tx = tx_socket(link_ifindex("lo"));
		return a->tx < 0 ? -1 : 0;
	case ODD_WG:
		a->raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
		return a->raw < 0 ? npf_fail("raw socket: %s", strerror(errno)) :
				    0;
	default:
		return 0;
	}
}

#endif
