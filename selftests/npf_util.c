// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the npf selftests; see npf_util.h. */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <pcap/pcap.h>

#include "npf_util.h"

__thread char npf_err[512];

bool npf_expect_debug(void)
{
	const char *e = getenv("NPF_EXPECT_DEBUG");

	return e && !strcmp(e, "1");
}

int npf_fail(const char *fmt, ...)
{
	char msg[sizeof(npf_err)];
	va_list ap;
	int e = errno;

	/* through msg: the arguments may include npf_err itself */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(npf_err, msg, sizeof(npf_err));
	errno = e;
	return -1;
}

const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---- time ------------------------------------------------------------- */

int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t now_ms(void)
{
	return now_us() / 1000;
}

int64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void alarm_handler(int sig)
{
	(void)sig;
}

void alarm_ms(int ms)
{
	struct sigaction sa;
	struct itimerval it;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = alarm_handler;	/* no SA_RESTART: EINTR */
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

/* ---- files -------------------------------------------------------------- */

int file_write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return npf_fail("open %s: %s", path, strerror(errno));
	n = write(fd, val, strlen(val));
	close(fd);
	if (n != (ssize_t)strlen(val))
		return npf_fail("write '%s' to %s: %s", val, path,
				n < 0 ? strerror(errno) : "short");
	return 0;
}

int file_read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return npf_fail("open %s: %s", path, strerror(errno));
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return npf_fail("read %s: %s", path, strerror(errno));
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

long long file_read_ll(const char *path)
{
	char buf[64];

	if (file_read_str(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 0);
}

unsigned int link_flags_sysfs(const char *name)
{
	char path[128];
	long long v;

	snprintf(path, sizeof(path), "/sys/class/net/%s/flags", name);
	v = file_read_ll(path);
	return v < 0 ? 0 : (unsigned int)v;
}

/* ---- rtnetlink ------------------------------------------------------- */

struct rtattr *rta_put(struct nlmsghdr *n, unsigned short type,
		       const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)n +
					       NLMSG_ALIGN(n->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

void rta_nest_end(struct nlmsghdr *n, struct rtattr *start)
{
	start->rta_len = (char *)n + n->nlmsg_len - (char *)start;
}

int rtnl_request(struct nlmsghdr *n)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[4096];
	int s, ret = -EIO;
	ssize_t len;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0) {
		npf_fail("netlink socket: %s", strerror(errno));
		return -errno;
	}
	n->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	n->nlmsg_seq = 1;
	if (sendto(s, n, n->nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		ret = -errno;
		npf_fail("netlink send: %s", strerror(errno));
		goto out;
	}
	len = recv(s, buf, sizeof(buf), 0);
	if (len < 0) {
		ret = -errno;
		npf_fail("netlink recv: %s", strerror(errno));
		goto out;
	}
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
	     h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			ret = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (ret) {
				errno = -ret;
				npf_fail("rtnetlink: %s", strerror(-ret));
			}
			goto out;
		}
	}
	errno = EIO;
	npf_fail("rtnetlink: no ack");
out:
	close(s);
	return ret;
}

struct rtattr *rtnl_newlink(struct rtnl_req *req, const char *name,
			    const char *kind)
{
	struct rtattr *linkinfo;

	memset(req, 0, sizeof(*req));
	req->n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req->n.nlmsg_type = RTM_NEWLINK;
	req->n.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	req->i.ifi_family = AF_UNSPEC;
	rta_put(&req->n, IFLA_IFNAME, name, strlen(name) + 1);
	linkinfo = rta_put(&req->n, IFLA_LINKINFO, NULL, 0);
	rta_put(&req->n, IFLA_INFO_KIND, kind, strlen(kind));
	return linkinfo;
}

int link_add(const char *name, const char *kind)
{
	struct rtnl_req req;
	struct rtattr *linkinfo = rtnl_newlink(&req, name, kind);

	rta_nest_end(&req.n, linkinfo);
	if (rtnl_request(&req.n))
		return npf_fail("add %s link %s: %s", kind, name, npf_err);
	return 0;
}

int link_add_veth_to(const char *name, const char *peer, int peer_pid)
{
	struct rtnl_req req;
	struct rtattr *linkinfo, *data, *pinfo;
	struct ifinfomsg pi = { .ifi_family = AF_UNSPEC };
	uint32_t pid = (uint32_t)peer_pid;

	linkinfo = rtnl_newlink(&req, name, "veth");
	data = rta_put(&req.n, IFLA_INFO_DATA, NULL, 0);
	pinfo = rta_put(&req.n, VETH_INFO_PEER, NULL, 0);
	/* the peer's ifinfomsg sits in front of its attributes */
	memcpy((char *)&req + req.n.nlmsg_len, &pi, sizeof(pi));
	req.n.nlmsg_len += NLMSG_ALIGN(sizeof(pi));
	rta_put(&req.n, IFLA_IFNAME, peer, strlen(peer) + 1);
	if (peer_pid)
		rta_put(&req.n, IFLA_NET_NS_PID, &pid, sizeof(pid));
	rta_nest_end(&req.n, pinfo);
	rta_nest_end(&req.n, data);
	rta_nest_end(&req.n, linkinfo);
	if (rtnl_request(&req.n))
		return npf_fail("add veth %s/%s: %s", name, peer, npf_err);
	return 0;
}

int link_add_veth(const char *name, const char *peer)
{
	return link_add_veth_to(name, peer, 0);
}

int link_ifindex(const char *name)
{
	unsigned int i = if_nametoindex(name);

	if (!i)
		return npf_fail("if_nametoindex %s: %s", name, strerror(errno));
	return (int)i;
}

int link_del(const char *name)
{
	struct rtnl_req req;
	int idx = link_ifindex(name);

	if (idx < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.n.nlmsg_type = RTM_DELLINK;
	req.i.ifi_family = AF_UNSPEC;
	req.i.ifi_index = idx;
	if (rtnl_request(&req.n))
		return npf_fail("del link %s: %s", name, npf_err);
	return 0;
}

int link_set_up(const char *name, bool up)
{
	struct rtnl_req req;
	int idx = link_ifindex(name);

	if (idx < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.n.nlmsg_type = RTM_NEWLINK;
	req.i.ifi_family = AF_UNSPEC;
	req.i.ifi_index = idx;
	req.i.ifi_change = IFF_UP;
	req.i.ifi_flags = up ? IFF_UP : 0;
	if (rtnl_request(&req.n))
		return npf_fail("set %s %s: %s", name, up ? "up" : "down", npf_err);
	return 0;
}

int link_move_to_pid(const char *name, int pid)
{
	struct rtnl_req req;
	int idx = link_ifindex(name);
	uint32_t p = pid;

	if (idx < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.n.nlmsg_type = RTM_NEWLINK;
	req.i.ifi_family = AF_UNSPEC;
	req.i.ifi_index = idx;
	rta_put(&req.n, IFLA_NET_NS_PID, &p, sizeof(p));
	if (rtnl_request(&req.n))
		return npf_fail("move %s to pid %d: %s", name, pid, npf_err);
	return 0;
}

int link_mac(const char *name, uint8_t mac[6])
{
	struct ifreq ifr;
	int s = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return npf_fail("socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFHWADDR, &ifr)) {
		close(s);
		return npf_fail("SIOCGIFHWADDR %s: %s", name, strerror(errno));
	}
	close(s);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/* ---- sockets ---------------------------------------------------------- */

int tx_socket(int ifindex)
{
	struct sockaddr_ll sll;
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	int sz = 4 << 20;

	if (s < 0)
		return npf_fail("AF_PACKET socket: %s", strerror(errno));
	setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0;
	sll.sll_ifindex = ifindex;
	if (bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
		close(s);
		return npf_fail("bind AF_PACKET: %s", strerror(errno));
	}
	return s;
}

int tx_send(int s, const struct frame *f)
{
	ssize_t n = send(s, f->b, f->len, 0);

	if (n != (ssize_t)f->len)
		return npf_fail("send %u bytes (%s): %s", f->len, f->desc,
				n < 0 ? strerror(errno) : "short");
	return 0;
}

int tx_send_all(int s, const struct frame *f, int n)
{
	for (int i = 0; i < n; i++)
		if (tx_send(s, &f[i]))
			return -1;
	return 0;
}

int rx_socket(int ifindex, const struct sock_filter *prog, unsigned int len)
{
	struct sockaddr_ll sll;
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	int sz = 8 << 20;

	if (s < 0)
		return npf_fail("AF_PACKET socket: %s", strerror(errno));
	setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	if (prog) {
		struct sock_fprog fp = {
			.len = (unsigned short)len,
			.filter = (struct sock_filter *)prog,
		};

		if (setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &fp,
			       sizeof(fp))) {
			close(s);
			return npf_fail("SO_ATTACH_FILTER: %s", strerror(errno));
		}
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
		close(s);
		return npf_fail("bind AF_PACKET: %s", strerror(errno));
	}
	return s;
}

/* ---- environment ------------------------------------------------------ */

static int pin_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return npf_fail("sched_getaffinity: %s", strerror(errno));
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (CPU_ISSET(c, &set)) {
			CPU_ZERO(&set);
			CPU_SET(c, &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				return npf_fail("sched_setaffinity: %s",
						strerror(errno));
			return 0;
		}
	}
	return npf_fail("no CPU in affinity mask");
}

/* Send a probe from one side until the other side's sniffer sees it: the
 * qdisc is attached and the carrier is up only some time after IFF_UP. */
static int probe(int tx, int rx_ifindex, const uint8_t dst[6],
		 const uint8_t src[6])
{
	struct frame f;
	uint8_t buf[2048];
	int rx = rx_socket(rx_ifindex, NULL, 0);
	int64_t end = now_ms() + 20000;

	if (rx < 0)
		return -1;
	mk_raw(&f, dst, src, 0x88b5, 60, 0xdeadbeef);
	while (now_ms() < end) {
		struct pollfd p = { .fd = rx, .events = POLLIN };

		if (tx_send(tx, &f))
			goto err;
		while (poll(&p, 1, 50) > 0) {
			ssize_t n = recv(rx, buf, sizeof(buf), 0);

			if (n == (ssize_t)f.len && !memcmp(buf, f.b, f.len)) {
				close(rx);
				return 0;
			}
		}
	}
	npf_fail("veth pair never passed a probe frame");
err:
	close(rx);
	return -1;
}

int env_setup(struct npf_env *e)
{
	char path[128];

	memset(e, 0, sizeof(*e));
	e->tx_a = e->tx_b = -1;
	if (pin_cpu())
		return -1;
	/* a mount namespace too: sysfs shows the network devices of the
	 * namespace that mounted it, so mount our own */
	if (unshare(CLONE_NEWNET | CLONE_NEWNS))
		return npf_fail("unshare(CLONE_NEWNET | CLONE_NEWNS): %s",
				strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return npf_fail("make / private: %s", strerror(errno));
	if (mount("sysfs", "/sys", "sysfs", 0, NULL))
		return npf_fail("mount sysfs: %s", strerror(errno));
	/* IPv6 off before the links exist (no ND/MLD/RS ever); the kernel
	 * may lack IPv6 entirely, then there is nothing to turn off. */
	if (!access("/proc/sys/net/ipv6", F_OK)) {
		if (file_write_str("/proc/sys/net/ipv6/conf/all/disable_ipv6",
				   "1") ||
		    file_write_str("/proc/sys/net/ipv6/conf/default/disable_ipv6",
				   "1"))
			return -1;
	}
	file_write_str("/proc/sys/net/ipv4/ip_forward", "0");
	if (link_add_veth(IF_A, IF_B))
		return -1;
	if (!access("/proc/sys/net/ipv6", F_OK)) {
		snprintf(path, sizeof(path),
			 "/proc/sys/net/ipv6/conf/%s/disable_ipv6", IF_A);
		if (file_write_str(path, "1"))
			return -1;
		snprintf(path, sizeof(path),
			 "/proc/sys/net/ipv6/conf/%s/disable_ipv6", IF_B);
		if (file_write_str(path, "1"))
			return -1;
	}
	e->ifindex_a = link_ifindex(IF_A);
	e->ifindex_b = link_ifindex(IF_B);
	if (e->ifindex_a < 0 || e->ifindex_b < 0)
		return -1;
	if (link_mac(IF_A, e->mac_a) || link_mac(IF_B, e->mac_b))
		return -1;
	if (link_set_up(IF_A, true) || link_set_up(IF_B, true))
		return -1;
	e->tx_a = tx_socket(e->ifindex_a);
	if (e->tx_a < 0)
		return -1;
	e->tx_b = tx_socket(e->ifindex_b);
	if (e->tx_b < 0)
		return -1;
	if (probe(e->tx_b, e->ifindex_a, e->mac_a, e->mac_b) ||
	    probe(e->tx_a, e->ifindex_b, e->mac_b, e->mac_a))
		return -1;
	return 0;
}

void env_teardown(struct npf_env *e)
{
	if (e->tx_a >= 0)
		close(e->tx_a);
	if (e->tx_b >= 0)
		close(e->tx_b);
	e->tx_a = e->tx_b = -1;
	/* the namespace, and the veth pair with it, go when the test
	 * process exits */
}

/* ---- frames ----------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (p[i] << 8) | p[i + 1];
	if (len & 1)
		s += p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

static void fill(uint8_t *p, size_t len, uint32_t seq)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seq * 31 + i * 7 + (i >> 8));
	/* the sequence number up front makes every frame unique */
	for (size_t i = 0; i < 4 && i < len; i++)
		p[i] = (uint8_t)(seq >> (24 - 8 * i));
}

static size_t eth(uint8_t *b, const uint8_t dst[6], const uint8_t src[6],
		  uint16_t type)
{
	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	put16(b + 12, type);
	return 14;
}

static uint32_t ip4addr(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return ntohl(a.s_addr);
}

/* IPv4 header at b: ihl in words, total = IP total length. */
static void ip4(uint8_t *b, unsigned int ihl, uint16_t total, uint16_t id,
		uint16_t frag, uint8_t proto, const char *sip, const char *dip)
{
	memset(b, 0, ihl * 4);
	b[0] = 0x40 | ihl;
	put16(b + 2, total);
	put16(b + 4, id);
	put16(b + 6, frag);
	b[8] = 64;
	b[9] = proto;
	put32(b + 12, ip4addr(sip));
	put32(b + 16, ip4addr(dip));
	if (ihl > 5)
		b[20] = 1, b[21] = 1, b[22] = 1, b[23] = 0;	/* NOPs, EOL */
	put16(b + 10, csum(b, ihl * 4));
}

static void setdesc(struct frame *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->desc, sizeof(f->desc), fmt, ap);
	va_end(ap);
}

uint32_t mk_udp4(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		 const char *sip, const char *dip, uint16_t sport,
		 uint16_t dport, uint32_t len, uint32_t seq)
{
	uint8_t *b = f->b;

	if (len < 14 + 20 + 8 || len > MAX_FRAME)
		return f->len = 0;
	memset(b, 0, sizeof(f->b));
	eth(b, dst, src, ETH_P_IP);
	ip4(b + 14, 5, len - 14, seq & 0xffff, 0x4000, 17, sip, dip);
	put16(b + 34, sport);
	put16(b + 36, dport);
	put16(b + 38, len - 34);
	fill(b + 42, len - 42, seq);
	f->len = len;
	setdesc(f, "udp %s:%u>%s:%u len %u", sip, sport, dip, dport, len);
	return len;
}

static uint32_t tcp4(struct frame *f, const uint8_t dst[6],
		     const uint8_t src[6], const char *sip, const char *dip,
		     uint16_t sport, uint16_t dport, uint8_t flags,
		     uint32_t len, uint32_t seq, unsigned int ihl)
{
	uint8_t *b = f->b;
	size_t l4 = 14 + ihl * 4;

	if (len < l4 + 20 || len > MAX_FRAME)
		return f->len = 0;
	memset(b, 0, sizeof(f->b));
	eth(b, dst, src, ETH_P_IP);
	ip4(b + 14, ihl, len - 14, seq & 0xffff, 0x4000, 6, sip, dip);
	put16(b + l4, sport);
	put16(b + l4 + 2, dport);
	put32(b + l4 + 4, 1000 + seq * 7919);
	put32(b + l4 + 8, (flags & TH_ACK) ? 5000 + seq : 0);
	b[l4 + 12] = 5 << 4;
	b[l4 + 13] = flags;
	put16(b + l4 + 14, 65535);
	fill(b + l4 + 20, len - l4 - 20, seq);
	f->len = len;
	setdesc(f, "tcp %s:%u>%s:%u fl %#x len %u%s", sip, sport, dip, dport,
		flags, len, ihl > 5 ? " ipopts" : "");
	return len;
}

uint32_t mk_tcp4(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		 const char *sip, const char *dip, uint16_t sport,
		 uint16_t dport, uint8_t flags, uint32_t len, uint32_t seq)
{
	return tcp4(f, dst, src, sip, dip, sport, dport, flags, len, seq, 5);
}

uint32_t mk_tcp4_opts(struct frame *f, const uint8_t dst[6],
		      const uint8_t src[6], const char *sip, const char *dip,
		      uint16_t sport, uint16_t dport, uint8_t flags,
		      uint32_t len, uint32_t seq)
{
	return tcp4(f, dst, src, sip, dip, sport, dport, flags, len, seq, 6);
}

uint32_t mk_udp4_frag(struct frame *f, const uint8_t dst[6],
		      const uint8_t src[6], const char *sip, const char *dip,
		      uint16_t sport, uint16_t dport, uint16_t frag_off,
		      bool mf, uint32_t len, uint32_t seq)
{
	uint8_t *b = f->b;
	uint16_t frag = (frag_off & 0x1fff) | (mf ? 0x2000 : 0);

	if (len < 60 || len > MAX_FRAME)
		return f->len = 0;
	memset(b, 0, sizeof(f->b));
	eth(b, dst, src, ETH_P_IP);
	ip4(b + 14, 5, len - 14, 0x7000 + (seq & 0xfff), frag, 17, sip, dip);
	if (frag_off == 0) {
		put16(b + 34, sport);
		put16(b + 36, dport);
		put16(b + 38, 2000);	/* whole datagram, longer */
		fill(b + 42, len - 42, seq);
	} else {
		/* bytes where a UDP header would be look like port 53 */
		fill(b + 34, len - 34, seq);
		put16(b + 34, dport);
		put16(b + 36, dport);
	}
	f->len = len;
	setdesc(f, "udp frag off %u%s len %u", frag_off, mf ? " MF" : "",
		len);
	return len;
}

uint32_t mk_icmp4(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		  const char *sip, const char *dip, uint8_t type,
		  uint32_t len, uint32_t seq)
{
	uint8_t *b = f->b;

	if (len < 14 + 20 + 8 || len > MAX_FRAME)
		return f->len = 0;
	memset(b, 0, sizeof(f->b));
	eth(b, dst, src, ETH_P_IP);
	ip4(b + 14, 5, len - 14, seq & 0xffff, 0, 1, sip, dip);
	b[34] = type;
	b[35] = 0;
	put16(b + 38, 0x1234);
	put16(b + 40, seq & 0xffff);
	fill(b + 42, len - 42, seq);
	put16(b + 36, csum(b + 34, len - 34));
	f->len = len;
	setdesc(f, "icmp type %u %s>%s len %u", type, sip, dip, len);
	return len;
}

uint32_t mk_arp(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		uint16_t op, const char *sip, const char *tip, uint32_t len)
{
	uint8_t *b = f->b;

	if (len < 60 || len > MAX_FRAME)
		return f->len = 0;
	memset(b, 0, sizeof(f->b));
	eth(b, dst, src, ETH_P_ARP);
	put16(b + 14, 1);
	put16(b + 16, ETH_P_IP);
	b[18] = 6;
	b[19] = 4;
	put16(b + 20, op);
	memcpy(b + 22, src, 6);
	put32(b + 28, ip4addr(sip));
	if (op == 2)
		memcpy(b + 32, dst, 6);
	put32(b + 38, ip4addr(tip));
	f->len = len;
	setdesc(f, "arp op %u %s>%s len %u", op, sip, tip, len);
	return len;
}

uint32_t mk_ip6(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		const char *sip, const char *dip, uint8_t nxt, uint16_t sport,
		uint16_t dport, uint32_t len, uint32_t seq)
{
	uint8_t *b = f->b, *l4 = b + 54;
	size_t l4len;

	if (len < 14 + 40 + 20 || len > MAX_FRAME)
		return f->len = 0;
	memset(b, 0, sizeof(f->b));
	eth(b, dst, src, ETH_P_IPV6);
	b[14] = 0x60;
	put16(b + 18, len - 54);
	b[20] = nxt;
	b[21] = 64;
	inet_pton(AF_INET6, sip, b + 22);
	inet_pton(AF_INET6, dip, b + 38);
	l4len = len - 54;
	fill(l4, l4len, seq);
	switch (nxt) {
	case 17:
		put16(l4, sport);
		put16(l4 + 2, dport);
		put16(l4 + 4, l4len);
		put16(l4 + 6, 0x1111);
		break;
	case 6:
		put16(l4, sport);
		put16(l4 + 2, dport);
		put32(l4 + 4, 77 + seq);
		put32(l4 + 8, 0);
		l4[12] = 5 << 4;
		l4[13] = TH_SYN;
		put16(l4 + 14, 65535);
		put16(l4 + 16, 0x2222);
		put16(l4 + 18, 0);
		break;
	case 58:
		l4[0] = 128;
		l4[1] = 0;
		put16(l4 + 2, 0x3333);
		break;
	}
	f->len = len;
	setdesc(f, "ip6 nxt %u %s>%s len %u", nxt, sip, dip, len);
	return len;
}

uint32_t mk_raw(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		uint16_t ethertype, uint32_t len, uint32_t seq)
{
	if (len < 60 || len > MAX_FRAME)
		return f->len = 0;
	memset(f->b, 0, sizeof(f->b));
	eth(f->b, dst, src, ethertype);
	fill(f->b + 14, len - 14, seq);
	f->len = len;
	setdesc(f, "ethertype %#06x len %u", ethertype, len);
	return len;
}

uint32_t mk_vlan_udp4(struct frame *f, const uint8_t dst[6],
		      const uint8_t src[6], uint16_t tpid, uint16_t tci,
		      int inner_vid, uint32_t len, uint32_t seq)
{
	uint8_t *b = f->b;
	size_t off = 12, tags = inner_vid >= 0 ? 8 : 4;

	if (len < 14 + tags + 28 || len > MAX_FRAME + tags)
		return f->len = 0;
	memset(b, 0, sizeof(f->b));
	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	put16(b + off, tpid);
	put16(b + off + 2, tci);
	off += 4;
	if (inner_vid >= 0) {
		put16(b + off, ETH_P_8021Q);
		put16(b + off + 2, (uint16_t)inner_vid);
		off += 4;
	}
	put16(b + off, ETH_P_IP);
	off += 2;
	ip4(b + off, 5, len - off, seq & 0xffff, 0x4000, 17, "10.0.0.2",
	    "10.0.0.1");
	put16(b + off + 20, 4000);
	put16(b + off + 22, 4001);
	put16(b + off + 24, len - off - 20);
	fill(b + off + 28, len - off - 28, seq);
	f->len = len;
	setdesc(f, "vlan tpid %#06x tci %#x%s len %u", tpid, tci,
		inner_vid >= 0 ? " qinq" : "", len);
	return len;
}

uint32_t mk_mixed(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		  unsigned int kind, uint32_t len, uint32_t seq)
{
	switch (kind % 6) {
	case 0:
		return mk_udp4(f, dst, src, "10.0.0.2", "10.0.0.1",
			       10000 + seq % 1000, 9999, len, seq);
	case 1:
		return mk_tcp4(f, dst, src, "10.0.0.2", "10.0.0.1",
			       20000 + seq % 1000, 80, TH_ACK | TH_PSH, len,
			       seq);
	case 2:
		return mk_icmp4(f, dst, src, "10.0.0.2", "10.0.0.1", 8, len,
				seq);
	case 3:
		if (len >= 74)
			return mk_ip6(f, dst, src, "2001:db8::2",
				      "2001:db8::1", 17, 5000, 5001, len, seq);
		return mk_raw(f, dst, src, 0x88b5, len, seq);
	case 4:
		if (len == 60)
			return mk_arp(f, mac_bcast, src, 1, "10.0.0.2",
				      "10.0.0.1", len);
		return mk_raw(f, dst, src, 0x88b6, len, seq);
	default:
		return mk_raw(f, dst, src, 0x88b5, len, seq);
	}
}

/* ---- /dev/npf --------------------------------------------------------- */

int npf_open(int extra_flags)
{
	int fd = open(NPF_DEV, O_RDWR | O_CLOEXEC | extra_flags);

	if (fd < 0)
		return npf_fail("open %s: %s", NPF_DEV, strerror(errno));
	return fd;
}

int npf_bind(int fd, const char *ifname)
{
	struct npf_ifname n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", ifname);
	if (ioctl(fd, BIOCSETIF, &n))
		return npf_fail("BIOCSETIF %s: %s", ifname, strerror(errno));
	return 0;
}

int npf_set_timeout(int fd, int32_t ms)
{
	if (ioctl(fd, BIOCSRTIMEOUT, &ms))
		return npf_fail("BIOCSRTIMEOUT %d: %s", ms, strerror(errno));
	return 0;
}

int npf_set_mintocopy(int fd, uint32_t bytes)
{
	if (ioctl(fd, BIOCSMINTOCOPY, &bytes))
		return npf_fail("BIOCSMINTOCOPY %u: %s", bytes, strerror(errno));
	return 0;
}

int npf_set_bufsize(int fd, uint32_t bytes)
{
	if (ioctl(fd, BIOCSETBUFFERSIZE, &bytes))
		return npf_fail("BIOCSETBUFFERSIZE %u: %s", bytes,
				strerror(errno));
	return 0;
}

int npf_set_filter(int fd, const struct sock_filter *insns, uint32_t len)
{
	struct npf_program p;

	memset(&p, 0, sizeof(p));
	p.bf_len = len;
	p.bf_insns = (uint64_t)(uintptr_t)insns;
	if (ioctl(fd, BIOCSETF, &p))
		return npf_fail("BIOCSETF (%u insns): %s", len, strerror(errno));
	return 0;
}

int npf_stats(int fd, struct npf_stats *st)
{
	memset(st, 0xa5, sizeof(*st));
	if (ioctl(fd, BIOCGSTATSEX, st))
		return npf_fail("BIOCGSTATSEX: %s", strerror(errno));
	return 0;
}

int npf_stats32(int fd, struct bpf_stat *st)
{
	memset(st, 0xa5, sizeof(*st));
	if (ioctl(fd, BIOCGSTATS, st))
		return npf_fail("BIOCGSTATS: %s", strerror(errno));
	return 0;
}

int compile_filter(const char *expr, int snaplen, struct sock_filter **out)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, snaplen);
	struct bpf_program prog;
	size_t sz;

	if (!p)
		return npf_fail("pcap_open_dead failed");
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		npf_fail("pcap_compile '%s': %s", expr, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	sz = prog.bf_len * sizeof(struct sock_filter);
	*out = malloc(sz ? sz : 1);
	memcpy(*out, prog.bf_insns, sz);
	pcap_freecode(&prog);
	pcap_close(p);
	return (int)(sz / sizeof(struct sock_filter));
}

uint32_t offline_filter(const struct sock_filter *insns, uint32_t len,
			const struct frame *f)
{
	(void)len;
	return bpf_filter((const struct bpf_insn *)insns, f->b, f->len,
			  f->len);
}

static int wait_stat(int fd, uint64_t n, int timeout_ms, bool recv_only)
{
	int64_t end = now_ms() + timeout_ms;
	struct npf_stats st;
	uint64_t v = 0;

	for (;;) {
		if (npf_stats(fd, &st))
			return -1;
		v = recv_only ? st.bs_recv : st.bs_capt + st.bs_drop +
			st.bs_filtered + st.bs_nomem;
		if (v >= n)
			return 0;
		if (now_ms() > end)
			break;
		sleep_ms(2);
	}
	return npf_fail("waited %d ms for %s >= %llu, have %llu (recv %llu capt %llu drop %llu filtered %llu nomem %llu)",
			timeout_ms, recv_only ? "bs_recv" : "accounted",
			(unsigned long long)n, (unsigned long long)v,
			(unsigned long long)st.bs_recv,
			(unsigned long long)st.bs_capt,
			(unsigned long long)st.bs_drop,
			(unsigned long long)st.bs_filtered,
			(unsigned long long)st.bs_nomem);
}

int npf_wait_accounted(int fd, uint64_t n, int timeout_ms)
{
	return wait_stat(fd, n, timeout_ms, false);
}

int npf_wait_recv(int fd, uint64_t n, int timeout_ms)
{
	return wait_stat(fd, n, timeout_ms, true);
}

/* ---- records ----------------------------------------------------------- */

void reclist_init(struct reclist *l)
{
	memset(l, 0, sizeof(*l));
}

void reclist_free(struct reclist *l)
{
	free(l->r);
	memset(l, 0, sizeof(*l));
}

void reclist_clear(struct reclist *l)
{
	l->n = 0;
	l->reads = 0;
}

int parse_records(const uint8_t *buf, size_t len, struct reclist *l,
		  bool nano)
{
	size_t off = 0;
	int count = 0;

	while (off < len) {
		struct bpf_hdr h;
		struct rec *r;

		if (off % NPF_ALIGNMENT)
			return npf_fail("record at offset %zu not %d-aligned", off,
					NPF_ALIGNMENT);
		if (len - off < HDRLEN)
			return npf_fail("%zu stray bytes at the end of a %zu-byte read",
					len - off, len);
		memcpy(&h, buf + off, sizeof(h));
		if (h.bh_hdrlen != HDRLEN)
			return npf_fail("record %d at %zu: bh_hdrlen %u, want %u",
					count, off, h.bh_hdrlen, HDRLEN);
		if (h.bh_pad0 || h.bh_pad1 || h.bh_tstamp.tv_pad)
			return npf_fail("record %d at %zu: pad fields not zero (%#x %#x %#x)",
					count, off, h.bh_pad0, h.bh_pad1,
					h.bh_tstamp.tv_pad);
		if (h.bh_caplen > h.bh_datalen || h.bh_caplen > 65535)
			return npf_fail("record %d at %zu: caplen %u datalen %u",
					count, off, h.bh_caplen, h.bh_datalen);
		if (h.bh_tstamp.tv_usec >= (nano ? 1000000000u : 1000000u))
			return npf_fail("record %d at %zu: tv_usec %u out of range",
					count, off, h.bh_tstamp.tv_usec);
		if (off + HDRLEN + h.bh_caplen > len)
			return npf_fail("record %d at %zu: caplen %u runs past the %zu-byte read",
					count, off, h.bh_caplen, len);
		if (h.bh_caplen > MAX_FRAME + 64)
			return npf_fail("record %d: caplen %u larger than any frame sent",
					count, h.bh_caplen);
		if (l->n == l->cap) {
			int cap = l->cap ? l->cap * 2 : 64;
			struct rec *nr = realloc(l->r, cap * sizeof(*nr));

			if (!nr)
				return npf_fail("out of memory");
			l->r = nr;
			l->cap = cap;
		}
		r = &l->r[l->n++];
		r->h = h;
		r->off = off;
		memcpy(r->data, buf + off + HDRLEN, h.bh_caplen);
		off += NPF_WORDALIGN(HDRLEN + h.bh_caplen);
		count++;
	}
	if (off != len)
		return npf_fail("walk ended at %zu, read returned %zu (last record's padding missing?)",
				off, len);
	return count;
}

int collect(int fd, struct reclist *l, int want, int timeout_ms,
	    size_t bufsize)
{
	int64_t end = now_ms() + timeout_ms;
	uint8_t *buf = malloc(bufsize);
	int got = 0;

	if (!buf)
		return npf_fail("out of memory");
	while (got < want) {
		ssize_t n = read(fd, buf, bufsize);

		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			npf_fail("read: %s", strerror(errno));
			free(buf);
			return -1;
		}
		if (n > 0) {
			int c = parse_records(buf, n, l, false);

			if (c < 0) {
				free(buf);
				return -1;
			}
			got += c;
			l->reads++;
			continue;
		}
		if (now_ms() > end)
			break;
		sleep_ms(2);
	}
	free(buf);
	return got;
}

bool rec_matches(const struct rec *r, const struct frame *f)
{
	return r->h.bh_caplen == f->len && r->h.bh_datalen == f->len &&
	       !memcmp(r->data, f->b, f->len);
}

bool rec_matches_snap(const struct rec *r, const struct frame *f,
		      uint32_t snap)
{
	uint32_t cap = f->len < snap ? f->len : snap;

	return r->h.bh_caplen == cap && r->h.bh_datalen == f->len &&
	       !memcmp(r->data, f->b, cap);
}

/* ---- threads asleep in a system call ---------------------------------- */

static ssize_t task_file(int tid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/%s", tid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

bool task_asleep_in(int tid, long nr, long nr2)
{
	char buf[512], *p;
	long sc;

	if (task_file(tid, "stat", buf, sizeof(buf)) <= 0)
		return false;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] != 'S')
		return false;
	/* "NR args...", or "running" */
	if (task_file(tid, "syscall", buf, sizeof(buf)) <= 0 ||
	    buf[0] < '0' || buf[0] > '9')
		return false;
	sc = strtol(buf, NULL, 10);
	return sc == nr || sc == nr2;
}

int wait_task_asleep_in(int tid, long nr, long nr2, int ms)
{
	int64_t end = now_ms() + ms;
	char st[512] = "", sc[128] = "";

	while (!task_asleep_in(tid, nr, nr2)) {
		if (now_ms() > end) {
			task_file(tid, "stat", st, sizeof(st));
			task_file(tid, "syscall", sc, sizeof(sc));
			return npf_fail("thread %d not asleep in syscall %ld after %d ms: stat '%.60s' syscall '%.40s'",
					tid, nr, ms, st, sc);
		}
		usleep(500);
	}
	return 0;
}

/* ---- reader thread ------------------------------------------------------ */

static void usr1(int sig)
{
	(void)sig;
}

static void *reader_fn(void *arg)
{
	struct reader *r = arg;

	r->t_start = now_ms();
	r->ret = read(r->fd, r->buf, r->bufsz);
	r->err = errno;
	r->t_end = now_ms();
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

int reader_start(struct reader *r, int fd)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = usr1;		/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->bufsz = 1 << 20;
	r->buf = malloc(r->bufsz);
	if (!r->buf)
		return npf_fail("out of memory");
	r->t_start = now_ms();
	if (pthread_create(&r->th, NULL, reader_fn, r)) {
		free(r->buf);
		r->buf = NULL;
		return npf_fail("pthread_create failed");
	}
	sleep_ms(100);
	return 0;
}

bool reader_wait(struct reader *r, int ms)
{
	int64_t end = now_ms() + ms;

	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
		if (now_ms() > end)
			return false;
		sleep_ms(2);
	}
	return true;
}

void reader_stop(struct reader *r)
{
	if (!r->buf)
		return;
	while (!reader_wait(r, 100))
		pthread_kill(r->th, SIGUSR1);
	pthread_join(r->th, NULL);
	free(r->buf);
	r->buf = NULL;
}
