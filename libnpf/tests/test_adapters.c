// SPDX-License-Identifier: MIT
/*
 * The adapter functions' parsing, over netlink messages built by hand as
 * the kernel sends them (libmnl): links, addresses, ethtool answers,
 * generic netlink families; PacketGetAdapterNames()' layout; masks;
 * timestamp modes.
 */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <string.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>

#include "internal.h"
#include "t.h"

static union {
	char c[4096];
	struct nlmsghdr align;
} msg;

static struct nlmsghdr *link_msg(int index, unsigned int flags,
				 unsigned short type, const char *name)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	memset(&msg, 0, sizeof(msg));
	nlh = mnl_nlmsg_put_header(msg.c);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = index;
	ifm->ifi_flags = flags;
	ifm->ifi_type = type;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

static void link_parse(void)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct npf_link l;

	nlh = link_msg(7, IFF_UP | IFF_RUNNING, ARPHRD_ETHER, "veth0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_nest_end(nlh, nest);
	/* A type newer than any header: skipped. */
	mnl_attr_put_u32(nlh, 0x3fff, 1);
	CHECK(npf_link_parse(nlh, &l) == 0);
	CHECK(l.index == 7 && l.type == ARPHRD_ETHER);
	CHECK(l.flags == (IFF_UP | IFF_RUNNING));
	CHECK(!strcmp(l.name, "veth0") && !strcmp(l.kind, "veth"));
	CHECK(!l.alias[0] && !l.desc[0]);

	nlh = link_msg(1, IFF_LOOPBACK, ARPHRD_LOOPBACK, "lo");
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, "the loopback");
	CHECK(npf_link_parse(nlh, &l) == 0);
	CHECK(!strcmp(l.alias, "the loopback") && !l.kind[0]);
}

static void link_parse_bad(void)
{
	struct nlmsghdr *nlh;
	struct npf_link l;

	nlh = link_msg(3, 0, ARPHRD_ETHER, NULL);
	CHECK_ERR(npf_link_parse(nlh, &l), -1, EBADMSG);	/* no name */
	nlh = link_msg(3, 0, ARPHRD_ETHER, "a-name-of-16-chr");
	CHECK_ERR(npf_link_parse(nlh, &l), -1, EBADMSG);	/* too long */
	nlh = link_msg(3, 0, ARPHRD_ETHER, "");
	CHECK_ERR(npf_link_parse(nlh, &l), -1, EBADMSG);
	nlh = link_msg(3, 0, ARPHRD_ETHER, "eth0");
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 4;	/* cut ifinfomsg */
	CHECK_ERR(npf_link_parse(nlh, &l), -1, EBADMSG);
}

/* A long alias is cut, never in the middle of a UTF-8 character. */
static void alias_cut(void)
{
	char alias[300], dst[8];
	struct nlmsghdr *nlh;
	struct npf_link l;

	memset(alias, 'a', sizeof(alias));
	strcpy(alias + ADAPTER_DESC_LENGTH - 2, "\xc3\xa9 tail");
	nlh = link_msg(4, 0, ARPHRD_ETHER, "d0");
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	CHECK(npf_link_parse(nlh, &l) == 0);
	CHECK(strlen(l.alias) == ADAPTER_DESC_LENGTH - 2);

	npf_strcpy_cut(dst, sizeof(dst), "abcdefg");
	CHECK(!strcmp(dst, "abcdefg"));
	npf_strcpy_cut(dst, sizeof(dst), "abcdefgh");
	CHECK(!strcmp(dst, "abcdefg"));
	npf_strcpy_cut(dst, sizeof(dst), "abcdef\xc3\xa9");
	CHECK(!strcmp(dst, "abcdef"));
	npf_strcpy_cut(dst, sizeof(dst), "ab\xe2\x82\xac\xe2\x82\xac");
	CHECK(!strcmp(dst, "ab\xe2\x82\xac"));
}

static void capturable_types(void)
{
	CHECK(npf_link_capturable(ARPHRD_ETHER));
	CHECK(npf_link_capturable(ARPHRD_LOOPBACK));
	CHECK(npf_link_capturable(ARPHRD_NONE));	/* tun, wireguard */
	CHECK(npf_link_capturable(ARPHRD_TUNNEL));
	CHECK(!npf_link_capturable(ARPHRD_CAN));
	CHECK(!npf_link_capturable(ARPHRD_IEEE80211_RADIOTAP));
	CHECK(!npf_link_capturable(ARPHRD_IPGRE));
	CHECK(!npf_link_capturable(824));	/* ARPHRD_NETLINK: nlmon */
}

static void fallback_descriptions(void)
{
	struct npf_link l;

	memset(&l, 0, sizeof(l));
	l.type = ARPHRD_ETHER;
	CHECK(!strcmp(npf_link_fallback_desc(&l), "Ethernet adapter"));
	l.type = ARPHRD_NONE;
	CHECK(!strcmp(npf_link_fallback_desc(&l), "IP adapter"));
	l.type = ARPHRD_LOOPBACK;
	l.flags = IFF_LOOPBACK;
	CHECK(!strcmp(npf_link_fallback_desc(&l), "loopback"));
	strcpy(l.kind, "dummy");
	CHECK(!strcmp(npf_link_fallback_desc(&l), "dummy"));
}

/* "lo\0eth0\0\0loopback\0e1000e 0000:00:19.0\0\0", as packet.dll. */
static void adapter_list_layout(void)
{
	static const char want[] =
		"lo\0eth0\0\0loopback\0e1000e 0000:00:19.0\0";
	struct npf_link l[2];
	char buf[64];

	memset(l, 0, sizeof(l));
	strcpy(l[0].name, "lo");
	strcpy(l[0].desc, "loopback");
	strcpy(l[1].name, "eth0");
	strcpy(l[1].desc, "e1000e 0000:00:19.0");
	CHECK(npf_adapter_list_size(l, 2) == sizeof(want));
	memset(buf, 'x', sizeof(buf));
	npf_adapter_list_write(l, 2, buf);
	CHECK(!memcmp(buf, want, sizeof(want)));
	CHECK(buf[sizeof(want)] == 'x');	/* not one byte more */

	/* No adapter: two empty lists. */
	CHECK(npf_adapter_list_size(l, 0) == 2);
	memset(buf, 'x', sizeof(buf));
	npf_adapter_list_write(l, 0, buf);
	CHECK(!memcmp(buf, "\0\0x", 3));
}

static struct nlmsghdr *addr_msg(int family, int index, unsigned int plen)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	memset(&msg, 0, sizeof(msg));
	nlh = mnl_nlmsg_put_header(msg.c);
	nlh->nlmsg_type = RTM_NEWADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_index = (uint32_t)index;
	ifa->ifa_prefixlen = (uint8_t)plen;
	return nlh;
}

static int is_in(const struct sockaddr_storage *ss, const char *want)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	struct in_addr a;

	return ss->ss_family == AF_INET && inet_pton(AF_INET, want, &a) == 1 &&
	       sin->sin_addr.s_addr == a.s_addr;
}

static int is_in6(const struct sockaddr_storage *ss, const char *want)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	struct in6_addr a;

	return ss->ss_family == AF_INET6 &&
	       inet_pton(AF_INET6, want, &a) == 1 &&
	       !memcmp(&sin6->sin6_addr, &a, sizeof(a));
}

static int is_zero(const struct sockaddr_storage *ss)
{
	static const struct sockaddr_storage zero;

	return !memcmp(ss, &zero, sizeof(zero));
}

static void put_in(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	mnl_attr_put(nlh, type, sizeof(a), &a);
}

static void put_in6(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	mnl_attr_put(nlh, type, sizeof(a), &a);
}

static void addr_ipv4(void)
{
	struct nlmsghdr *nlh;
	npf_if_addr a;

	/* ip addr add 10.1.2.3/24 brd + dev X */
	nlh = addr_msg(AF_INET, 5, 24);
	put_in(nlh, IFA_ADDRESS, "10.1.2.3");
	put_in(nlh, IFA_LOCAL, "10.1.2.3");
	put_in(nlh, IFA_BROADCAST, "10.1.2.255");
	mnl_attr_put_strz(nlh, IFA_LABEL, "X");
	CHECK(npf_addr_parse(nlh, 5, &a) == 1);
	CHECK(is_in(&a.IPAddress, "10.1.2.3"));
	CHECK(is_in(&a.SubnetMask, "255.255.255.0"));
	CHECK(is_in(&a.Broadcast, "10.1.2.255"));

	/* Without brd: none, all zero. A point-to-point peer is not ours. */
	nlh = addr_msg(AF_INET, 5, 32);
	put_in(nlh, IFA_ADDRESS, "192.168.9.9");
	put_in(nlh, IFA_LOCAL, "192.168.9.1");
	CHECK(npf_addr_parse(nlh, 5, &a) == 1);
	CHECK(is_in(&a.IPAddress, "192.168.9.1"));
	CHECK(is_in(&a.SubnetMask, "255.255.255.255"));
	CHECK(is_zero(&a.Broadcast));

	/* Another adapter's: not taken. */
	CHECK(npf_addr_parse(nlh, 6, &a) == 0);
}

static void addr_ipv6(void)
{
	const struct sockaddr_in6 *sin6;
	struct nlmsghdr *nlh;
	npf_if_addr a;

	nlh = addr_msg(AF_INET6, 9, 64);
	put_in6(nlh, IFA_ADDRESS, "fe80::1");
	CHECK(npf_addr_parse(nlh, 9, &a) == 1);
	sin6 = (const struct sockaddr_in6 *)&a.IPAddress;
	CHECK(is_in6(&a.IPAddress, "fe80::1") && sin6->sin6_scope_id == 9);
	CHECK(is_in6(&a.SubnetMask, "ffff:ffff:ffff:ffff::"));
	CHECK(is_zero(&a.Broadcast));

	nlh = addr_msg(AF_INET6, 9, 127);
	put_in6(nlh, IFA_ADDRESS, "fd00::5");
	CHECK(npf_addr_parse(nlh, 9, &a) == 1);
	sin6 = (const struct sockaddr_in6 *)&a.IPAddress;
	CHECK(is_in6(&a.IPAddress, "fd00::5") && sin6->sin6_scope_id == 0);
	CHECK(is_in6(&a.SubnetMask,
		     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));
}

static void addr_other_or_bad(void)
{
	struct nlmsghdr *nlh;
	npf_if_addr a;

	nlh = addr_msg(AF_PACKET, 5, 0);
	CHECK(npf_addr_parse(nlh, 5, &a) == 0);
	nlh = addr_msg(AF_INET, 5, 24);
	CHECK_ERR(npf_addr_parse(nlh, 5, &a), -1, EBADMSG);	/* no address */
	nlh = addr_msg(AF_INET, 5, 33);
	put_in(nlh, IFA_LOCAL, "10.0.0.1");
	CHECK_ERR(npf_addr_parse(nlh, 5, &a), -1, EBADMSG);
	nlh = addr_msg(AF_INET, 5, 8);
	put_in6(nlh, IFA_LOCAL, "::1");			/* 16 bytes */
	CHECK_ERR(npf_addr_parse(nlh, 5, &a), -1, EBADMSG);
	nlh = addr_msg(AF_INET, 5, 8);
	put_in(nlh, IFA_LOCAL, "10.0.0.1");
	mnl_attr_put_u16(nlh, IFA_BROADCAST, 1);
	CHECK_ERR(npf_addr_parse(nlh, 5, &a), -1, EBADMSG);
}

static void prefix_masks(void)
{
	struct sockaddr_storage m;

	npf_prefix_mask(AF_INET, 0, &m);
	CHECK(is_in(&m, "0.0.0.0"));
	npf_prefix_mask(AF_INET, 1, &m);
	CHECK(is_in(&m, "128.0.0.0"));
	npf_prefix_mask(AF_INET, 8, &m);
	CHECK(is_in(&m, "255.0.0.0"));
	npf_prefix_mask(AF_INET, 31, &m);
	CHECK(is_in(&m, "255.255.255.254"));
	npf_prefix_mask(AF_INET, 32, &m);
	CHECK(is_in(&m, "255.255.255.255"));
	npf_prefix_mask(AF_INET6, 0, &m);
	CHECK(is_in6(&m, "::"));
	npf_prefix_mask(AF_INET6, 65, &m);
	CHECK(is_in6(&m, "ffff:ffff:ffff:ffff:8000::"));
	npf_prefix_mask(AF_INET6, 128, &m);
	CHECK(is_in6(&m, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
}

static struct nlmsghdr *genl_msg(uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(&msg, 0, sizeof(msg));
	nlh = mnl_nlmsg_put_header(msg.c);
	nlh->nlmsg_type = 30;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static void ethtool_answers(void)
{
	struct npf_ethtool et = { 0, -1 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = genl_msg(ETHTOOL_MSG_LINKMODES_GET_REPLY);
	nest = mnl_attr_nest_start(nlh, ETHTOOL_A_LINKMODES_HEADER);
	mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, "veth0");
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKMODES_AUTONEG, 0);
	mnl_attr_put_u32(nlh, ETHTOOL_A_LINKMODES_SPEED, 10000);
	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKMODES_DUPLEX, DUPLEX_FULL);
	CHECK(npf_ethtool_cb(nlh, &et) == MNL_CB_OK);
	CHECK(et.speed == 10000 && et.link == -1);

	nlh = genl_msg(ETHTOOL_MSG_LINKSTATE_GET_REPLY);
	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKSTATE_LINK, 0);
	CHECK(npf_ethtool_cb(nlh, &et) == MNL_CB_OK && et.link == 0);
	nlh = genl_msg(ETHTOOL_MSG_LINKSTATE_GET_REPLY);
	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKSTATE_LINK, 1);
	CHECK(npf_ethtool_cb(nlh, &et) == MNL_CB_OK && et.link == 1);

	/* A speed that is not a u32 is a broken message. */
	nlh = genl_msg(ETHTOOL_MSG_LINKMODES_GET_REPLY);
	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKMODES_SPEED, 1);
	errno = 0;
	CHECK(npf_ethtool_cb(nlh, &et) == MNL_CB_ERROR && errno == EBADMSG);
}

static void genl_family_answer(void)
{
	struct nlmsghdr *nlh;
	uint16_t id = 0;

	nlh = genl_msg(CTRL_CMD_NEWFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "npf");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x1d);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	CHECK(npf_genl_family_cb(nlh, &id) == MNL_CB_OK && id == 0x1d);
}

static void media_of_linktypes(void)
{
	CHECK(npf_linktype_medium(NPF_LINKTYPE_ETHERNET) == NdisMedium802_3);
	CHECK(npf_linktype_medium(NPF_LINKTYPE_RAW) == NdisMediumIP);
	CHECK(npf_linktype_medium(147) == (UINT)NdisMediumNull);
	CHECK(NdisMedium802_3 == 0 && NdisMediumIP == 19);
}

static void timestamp_modes(void)
{
	static ADAPTER a = { .hFile = -1, .Name = "x", .NumWrites = 1 };
	ULONG list[6] = { 6 };
	uint32_t ts = 7;

	CHECK(!npf_tstamp_mode(TIMESTAMPMODE_SINGLE_SYNCHRONIZATION, &ts) &&
	      ts == NPF_TSTAMP_MICRO);
	CHECK(!npf_tstamp_mode(TIMESTAMPMODE_QUERYSYSTEMTIME, &ts) &&
	      ts == NPF_TSTAMP_MICRO);
	CHECK(!npf_tstamp_mode(TIMESTAMPMODE_QUERYSYSTEMTIME_PRECISE, &ts) &&
	      ts == NPF_TSTAMP_MICRO);
	CHECK(!npf_tstamp_mode(TIMESTAMPMODE_NANO, &ts) &&
	      ts == NPF_TSTAMP_NANO);
	CHECK_ERR(npf_tstamp_mode(1, &ts), -1, EINVAL);	/* Npcap's retired */
	CHECK_ERR(npf_tstamp_mode(3, &ts), -1, EINVAL);
	CHECK_ERR(PacketSetTimestampMode(&a, 3), FALSE, EINVAL);

	/* libpcap's protocol: ask the count, then the list. */
	list[0] = 0;
	CHECK_ERR(PacketGetTimestampModes(&a, list), FALSE, ENOBUFS);
	CHECK(list[0] == 4 && list[1] == 0);
	list[0] = 4;
	CHECK_ERR(PacketGetTimestampModes(&a, list), FALSE, ENOBUFS);
	CHECK(list[0] == 4 && list[1] == 0 && list[5] == 0);
	list[0] = 5;
	CHECK(PacketGetTimestampModes(&a, list));
	CHECK(list[0] == 4 && list[1] == TIMESTAMPMODE_SINGLE_SYNCHRONIZATION);
	CHECK(list[2] == TIMESTAMPMODE_QUERYSYSTEMTIME);
	CHECK(list[3] == TIMESTAMPMODE_QUERYSYSTEMTIME_PRECISE);
	CHECK(list[4] == TIMESTAMPMODE_NANO && list[5] == 0);
	CHECK_ERR(PacketGetTimestampModes(&a, NULL), FALSE, EINVAL);
	CHECK_ERR(PacketGetTimestampModes(NULL, list), FALSE, EINVAL);
}

/* The WinPcap layouts programs compute with. */
static void winpcap_layouts(void)
{
	npf_if_addr a;
	NetType t;

	CHECK(sizeof(a) == 3 * sizeof(struct sockaddr_storage));
	CHECK((char *)&a.SubnetMask - (char *)&a ==
	      sizeof(struct sockaddr_storage));
	CHECK((char *)&a.Broadcast - (char *)&a ==
	      2 * sizeof(struct sockaddr_storage));
	CHECK(sizeof(t.LinkType) == 4 && sizeof(t.LinkSpeed) == 8);
	CHECK(PACKET_IF_CONNECTION_STATUS_NOT_APPLICABLE ==
	      PACKET_IF_CONNECTION_STATUS);
	CHECK(!strcmp(PacketGetDriverName(), "npf"));
}

const struct t_case adapter_cases[] = {
	T_CASE(link_parse),
	T_CASE(link_parse_bad),
	T_CASE(alias_cut),
	T_CASE(capturable_types),
	T_CASE(fallback_descriptions),
	T_CASE(adapter_list_layout),
	T_CASE(addr_ipv4),
	T_CASE(addr_ipv6),
	T_CASE(addr_other_or_bad),
	T_CASE(prefix_masks),
	T_CASE(ethtool_answers),
	T_CASE(genl_family_answer),
	T_CASE(media_of_linktypes),
	T_CASE(timestamp_modes),
	T_CASE(winpcap_layouts),
	T_END
};
