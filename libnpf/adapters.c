// SPDX-License-Identifier: MIT
/*
 * The adapters of the caller's network namespace: PacketGetAdapterNames,
 * PacketGetNetInfoEx, PacketGetNetType, PacketIsLoopbackAdapter and
 * PacketGetAdapterFlags. Links and addresses come from rtnetlink, speed
 * and link state from the ethtool netlink family (netlink.c). The driver
 * name and bus of a description come from ethtool's ETHTOOL_GDRVINFO,
 * which has no netlink form. None of this needs the module or privileges.
 */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include "internal.h"

/* A dump that changed under the reader is asked again, this often. */
#define NPF_DUMP_TRIES		3
/* Longest string attribute kept (IFALIASZ, the alias). */
#define NPF_ATTR_STRMAX		256

void npf_strcpy_cut(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len >= size) {
		len = size - 1;
		/* src[len] is the first byte left out: not within a character */
		while (len && ((unsigned char)src[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* A string attribute, NUL-terminated or not, cut to @size. */
static void npf_attr_strcpy(const struct nlattr *attr, char *dst, size_t size)
{
	char tmp[NPF_ATTR_STRMAX];
	size_t len;

	dst[0] = '\0';
	if (!attr)
		return;
	len = strnlen(mnl_attr_get_payload(attr),
		      mnl_attr_get_payload_len(attr));
	if (len >= sizeof(tmp))
		len = sizeof(tmp) - 1;
	memcpy(tmp, mnl_attr_get_payload(attr), len);
	tmp[len] = '\0';
	npf_strcpy_cut(dst, size, tmp);
}

/* Collect attributes by type; types newer than these headers are skipped. */
static int npf_attr_table(const struct nlattr *attr, void *data, int max)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, (uint16_t)max) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int npf_link_attr(const struct nlattr *attr, void *data)
{
	return npf_attr_table(attr, data, IFLA_MAX);
}

static int npf_linkinfo_attr(const struct nlattr *attr, void *data)
{
	return npf_attr_table(attr, data, IFLA_INFO_MAX);
}

static int npf_addr_attr(const struct nlattr *attr, void *data)
{
	return npf_attr_table(attr, data, IFA_MAX);
}

static void npf_link_kind(const struct nlattr *linkinfo, struct npf_link *l)
{
	const struct nlattr *tb[IFLA_INFO_MAX + 1] = { NULL };

	if (linkinfo &&
	    mnl_attr_parse_nested(linkinfo, npf_linkinfo_attr, tb) >= 0)
		npf_attr_strcpy(tb[IFLA_INFO_KIND], l->kind, sizeof(l->kind));
}

int npf_link_parse(const struct nlmsghdr *nlh, struct npf_link *l)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *name;

	memset(l, 0, sizeof(*l));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm) ||
	    mnl_attr_parse(nlh, sizeof(*ifm), npf_link_attr, tb) < 0)
		goto bad;
	name = tb[IFLA_IFNAME];
	if (!name || !mnl_attr_get_payload_len(name) ||
	    strnlen(mnl_attr_get_payload(name), mnl_attr_get_payload_len(name))
	    >= NPF_IFNAMSIZ)
		goto bad;
	npf_attr_strcpy(name, l->name, sizeof(l->name));
	if (!l->name[0])
		goto bad;
	l->index = ifm->ifi_index;
	l->flags = ifm->ifi_flags;
	l->type = ifm->ifi_type;
	npf_attr_strcpy(tb[IFLA_IFALIAS], l->alias, sizeof(l->alias));
	npf_link_kind(tb[IFLA_LINKINFO], l);
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

/*
 * What the module binds: Ethernet and loopback adapters, and adapters
 * whose frames are IP packets without a link header (tun, WireGuard, IP
 * tunnels, PPP, raw-IP modems). GRE devices are left out: some have a
 * link header of their own, which the module refuses.
 */
int npf_link_capturable(unsigned short type)
{
	switch (type) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
	case ARPHRD_NONE:
	case ARPHRD_RAWIP:
	case ARPHRD_PPP:
	case ARPHRD_TUNNEL:
	case ARPHRD_TUNNEL6:
	case ARPHRD_SIT:
		return 1;
	}
	return 0;
}

const char *npf_link_fallback_desc(const struct npf_link *l)
{
	if (l->kind[0])
		return l->kind;
	if (l->flags & IFF_LOOPBACK)
		return "loopback";
	return l->type == ARPHRD_ETHER ? "Ethernet adapter" : "IP adapter";
}

/* ethtool -i: driver and bus of @name, asked on any socket @fd. */
static int npf_drvinfo(int fd, const char *name, struct ethtool_drvinfo *di)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memset(di, 0, sizeof(*di));
	npf_strcpy_cut(ifr.ifr_name, sizeof(ifr.ifr_name), name);
	di->cmd = ETHTOOL_GDRVINFO;
	ifr.ifr_data = (void *)di;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return -1;
	di->driver[sizeof(di->driver) - 1] = '\0';
	di->bus_info[sizeof(di->bus_info) - 1] = '\0';
	return di->driver[0] ? 0 : -1;
}

/* The alias; else "driver bus" (ethtool -i); else a fallback. */
static void npf_link_describe(int fd, struct npf_link *l)
{
	struct ethtool_drvinfo di;
	char buf[sizeof(di.driver) + sizeof(di.bus_info) + 1];

	if (l->alias[0]) {
		npf_strcpy_cut(l->desc, sizeof(l->desc), l->alias);
		return;
	}
	if (npf_drvinfo(fd, l->name, &di) < 0) {
		npf_strcpy_cut(l->desc, sizeof(l->desc),
			       npf_link_fallback_desc(l));
		return;
	}
	snprintf(buf, sizeof(buf), "%s%s%s", di.driver,
		 di.bus_info[0] ? " " : "", di.bus_info);
	npf_strcpy_cut(l->desc, sizeof(l->desc), buf);
}

size_t npf_adapter_list_size(const struct npf_link *l, size_t n)
{
	size_t i, size = 2;	/* the NUL after each list */

	for (i = 0; i < n; i++)
		size += strlen(l[i].name) + 1 + strlen(l[i].desc) + 1;
	return size;
}

void npf_adapter_list_write(const struct npf_link *l, size_t n, char *buf)
{
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = strlen(l[i].name) + 1;
		memcpy(buf, l[i].name, len);
		buf += len;
	}
	*buf++ = '\0';
	for (i = 0; i < n; i++) {
		len = strlen(l[i].desc) + 1;
		memcpy(buf, l[i].desc, len);
		buf += len;
	}
	*buf = '\0';
}

struct npf_link_list {
	struct npf_link *v;
	size_t n, room;
};

static int npf_link_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct npf_link_list *list = data;
	struct npf_link *v;
	struct npf_link l;

	if (npf_link_parse(nlh, &l) < 0)
		return MNL_CB_ERROR;
	if (!npf_link_capturable(l.type))
		return MNL_CB_OK;
	if (list->n == list->room) {
		v = reallocarray(list->v, list->room * 2 + 8, sizeof(*v));
		if (!v)
			return MNL_CB_ERROR;
		list->v = v;
		list->room = list->room * 2 + 8;
	}
	list->v[list->n++] = l;
	return MNL_CB_OK;
}

/*
 * One dump of @type on a fresh socket: one that changed under the reader
 * (EINTR) left the rest of its messages in the old one.
 */
static int npf_dump(struct npf_nl *nl, uint16_t type, size_t hdrlen,
		    mnl_cb_t cb, void *data, void (*reset)(void *))
{
	struct nlmsghdr *nlh;
	int tries;

	for (tries = 0; tries < NPF_DUMP_TRIES; tries++) {
		if (npf_nl_open(nl, NETLINK_ROUTE) < 0)
			return -1;
		reset(data);
		nlh = npf_nl_msg(nl, type, NLM_F_DUMP);
		/* ifinfomsg, ifaddrmsg, zeroed: all families, all adapters */
		mnl_nlmsg_put_extra_header(nlh, hdrlen);
		if (!npf_nl_run(nl, nlh, cb, data))
			return 0;
		npf_nl_close(nl);
		if (errno != EINTR)
			break;
	}
	return -1;
}

static void npf_link_list_reset(void *data)
{
	((struct npf_link_list *)data)->n = 0;
}

/* The kernel dumps by hash bucket: list by ifindex, as ip link does. */
static int npf_link_cmp(const void *a, const void *b)
{
	const struct npf_link *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* Every capturable adapter, described. Free list->v. */
static int npf_links_get(struct npf_link_list *list)
{
	struct npf_nl nl;
	size_t i;

	memset(list, 0, sizeof(*list));
	if (npf_dump(&nl, RTM_GETLINK, sizeof(struct ifinfomsg),
		     npf_link_list_cb, list, npf_link_list_reset) < 0) {
		free(list->v);
		list->v = NULL;
		return -1;
	}
	if (list->n)
		qsort(list->v, list->n, sizeof(*list->v), npf_link_cmp);
	for (i = 0; i < list->n; i++)
		npf_link_describe(mnl_socket_get_fd(nl.sock), &list->v[i]);
	npf_nl_close(&nl);
	return 0;
}

EXPORT_SYMBOL
BOOLEAN PacketGetAdapterNames(PCHAR pStr, PULONG BufferSize)
{
	struct npf_link_list list;
	BOOLEAN ok = FALSE;
	size_t need;

	if (!BufferSize) {
		errno = EINVAL;
		return FALSE;
	}
	if (npf_links_get(&list) < 0)
		return FALSE;
	need = npf_adapter_list_size(list.v, list.n);
	if (!pStr || need > *BufferSize) {
		*BufferSize = (ULONG)need;
		errno = ENOBUFS;
	} else {
		npf_adapter_list_write(list.v, list.n, pStr);
		ok = TRUE;
	}
	free(list.v);
	return ok;
}

static int npf_link_one_cb(const struct nlmsghdr *nlh, void *data)
{
	return npf_link_parse(nlh, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* The adapter named @name (any name PacketOpenAdapter takes): 0 or -1. */
static int npf_link_get(const char *name, struct npf_link *l)
{
	char ifname[NPF_IFNAMSIZ];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	struct npf_nl nl;
	int ret;

	if (npf_parse_adapter_name(name, ifname) < 0)
		return -1;
	if (npf_nl_open(&nl, NETLINK_ROUTE) < 0)
		return -1;
	l->name[0] = '\0';
	nlh = npf_nl_msg(&nl, RTM_GETLINK, NLM_F_ACK);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	ret = npf_nl_run(&nl, nlh, npf_link_one_cb, l);
	npf_nl_close(&nl);
	if (!ret && !l->name[0]) {
		errno = ENODEV;
		ret = -1;
	}
	return ret;
}

void npf_prefix_mask(int family, unsigned int len,
		     struct sockaddr_storage *mask)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)mask;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)mask;
	unsigned int i;

	memset(mask, 0, sizeof(*mask));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		if (len > 32)
			len = 32;
		sin->sin_addr.s_addr = len ? htonl(~0U << (32 - len)) : 0;
		return;
	}
	sin6->sin6_family = AF_INET6;
	for (i = 0; i < 16 && len; i++) {
		sin6->sin6_addr.s6_addr[i] = len >= 8 ? 0xff :
					     (uint8_t)(0xff << (8 - len));
		len = len >= 8 ? len - 8 : 0;
	}
}

static void npf_sockaddr_set(struct sockaddr_storage *ss, int family,
			     const void *addr, int ifindex)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
		return;
	}
	sin6->sin6_family = AF_INET6;
	memcpy(&sin6->sin6_addr, addr, 16);
	/* As getifaddrs(): link-local scopes are the adapter. */
	if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) ||
	    IN6_IS_ADDR_MC_LINKLOCAL(&sin6->sin6_addr))
		sin6->sin6_scope_id = (uint32_t)ifindex;
}

int npf_addr_parse(const struct nlmsghdr *nlh, int ifindex, npf_if_addr *a)
{
	const struct nlattr *tb[IFA_MAX + 1] = { NULL };
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *addr, *brd;
	unsigned int alen;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		goto bad;
	if ((int)ifa->ifa_index != ifindex ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return 0;
	if (mnl_attr_parse(nlh, sizeof(*ifa), npf_addr_attr, tb) < 0)
		goto bad;
	alen = ifa->ifa_family == AF_INET ? 4 : 16;
	/* IFA_LOCAL is the adapter's own; IFA_ADDRESS may be a peer's. */
	addr = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	brd = ifa->ifa_family == AF_INET ? tb[IFA_BROADCAST] : NULL;
	if (!addr || mnl_attr_get_payload_len(addr) != alen ||
	    ifa->ifa_prefixlen > alen * 8 ||
	    (brd && mnl_attr_get_payload_len(brd) != alen))
		goto bad;
	memset(a, 0, sizeof(*a));
	npf_sockaddr_set(&a->IPAddress, ifa->ifa_family,
			 mnl_attr_get_payload(addr), ifindex);
	npf_prefix_mask(ifa->ifa_family, ifa->ifa_prefixlen, &a->SubnetMask);
	if (brd)
		npf_sockaddr_set(&a->Broadcast, AF_INET,
				 mnl_attr_get_payload(brd), ifindex);
	return 1;
bad:
	errno = EBADMSG;
	return -1;
}

struct npf_addr_walk {
	int ifindex;
	npf_if_addr *buf;
	LONG room, n;
};

static int npf_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct npf_addr_walk *w = data;
	int ret;

	if (w->n >= w->room)
		return MNL_CB_OK;	/* read the rest of the dump */
	ret = npf_addr_parse(nlh, w->ifindex, &w->buf[w->n]);
	if (ret < 0)
		return MNL_CB_ERROR;
	w->n += ret;
	return MNL_CB_OK;
}

static void npf_addr_reset(void *data)
{
	((struct npf_addr_walk *)data)->n = 0;
}

static int npf_addr_dump(struct npf_addr_walk *w)
{
	struct npf_nl nl;

	if (npf_dump(&nl, RTM_GETADDR, sizeof(struct ifaddrmsg), npf_addr_cb,
		     w, npf_addr_reset) < 0)
		return -1;
	npf_nl_close(&nl);
	return 0;
}

EXPORT_SYMBOL
BOOLEAN PacketGetNetInfoEx(const char *AdapterName, npf_if_addr *buffer,
			   PLONG NEntries)
{
	struct npf_addr_walk w = { 0 };
	struct npf_link l;

	if (!NEntries) {
		errno = EINVAL;
		return FALSE;
	}
	w.buf = buffer;
	w.room = *NEntries;
	*NEntries = 0;
	if (w.room < 0 || (!buffer && w.room)) {
		errno = EINVAL;
		return FALSE;
	}
	if (npf_link_get(AdapterName, &l) < 0)
		return FALSE;
	w.ifindex = l.index;
	if (npf_addr_dump(&w) < 0)
		return FALSE;
	*NEntries = w.n;
	return TRUE;
}

UINT npf_linktype_medium(int linktype)
{
	switch (linktype) {
	case NPF_LINKTYPE_ETHERNET:
		return NdisMedium802_3;
	case NPF_LINKTYPE_RAW:
		return NdisMediumIP;
	}
	return (UINT)NdisMediumNull;
}

EXPORT_SYMBOL
BOOLEAN PacketGetNetType(LPADAPTER AdapterObject, NetType *type)
{
	struct npf_ethtool et;
	int linktype;

	if (!AdapterObject || !type) {
		errno = EINVAL;
		return FALSE;
	}
	linktype = PacketGetLinkType(AdapterObject);
	if (linktype < 0)
		return FALSE;
	type->LinkType = npf_linktype_medium(linktype);
	type->LinkSpeed = 0;
	/* Mb/s, as ethtool prints it; none for many virtual adapters. */
	if (!npf_ethtool_get(AdapterObject->Name, ETHTOOL_MSG_LINKMODES_GET,
			     &et) && et.speed != (uint32_t)SPEED_UNKNOWN)
		type->LinkSpeed = (ULONGLONG)et.speed * 1000000;
	return TRUE;
}

EXPORT_SYMBOL
BOOLEAN PacketIsLoopbackAdapter(const char *AdapterName)
{
	int err = errno;
	struct npf_link l;

	if (npf_link_get(AdapterName, &l) < 0)
		return FALSE;
	errno = err;
	return (l.flags & IFF_LOOPBACK) ? TRUE : FALSE;
}

/* The connection status bits of PacketGetAdapterFlags(). */
static ULONG npf_link_connection(const struct npf_link *l)
{
	struct npf_ethtool et;

	if (l->flags & IFF_LOOPBACK)
		return PACKET_IF_CONNECTION_STATUS_NOT_APPLICABLE;
	if (npf_ethtool_get(l->name, ETHTOOL_MSG_LINKSTATE_GET, &et) < 0)
		return errno == EOPNOTSUPP ?
		       PACKET_IF_CONNECTION_STATUS_NOT_APPLICABLE :
		       PACKET_IF_CONNECTION_STATUS_UNKNOWN;
	if (et.link < 0)
		return PACKET_IF_CONNECTION_STATUS_NOT_APPLICABLE;
	return et.link ? PACKET_IF_CONNECTION_STATUS_CONNECTED :
			 PACKET_IF_CONNECTION_STATUS_DISCONNECTED;
}

EXPORT_SYMBOL
BOOLEAN PacketGetAdapterFlags(const char *AdapterName, PULONG Flags)
{
	struct npf_link l;
	ULONG f = 0;

	if (!Flags) {
		errno = EINVAL;
		return FALSE;
	}
	if (npf_link_get(AdapterName, &l) < 0)
		return FALSE;
	if (l.flags & IFF_UP)
		f |= PACKET_IF_UP;
	if (l.flags & IFF_RUNNING)
		f |= PACKET_IF_RUNNING;
	if (l.flags & IFF_LOOPBACK)
		f |= PACKET_IF_LOOPBACK;
	*Flags = f | npf_link_connection(&l);
	return TRUE;
}
