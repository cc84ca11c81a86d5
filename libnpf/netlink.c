// SPDX-License-Identifier: MIT
/*
 * Netlink for the adapter functions: a request/answer loop over libmnl,
 * generic netlink family lookup, and the ethtool family's link modes and
 * link state. Every caller opens its own socket and closes it again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>

#include "internal.h"

int npf_nl_open(struct npf_nl *nl, int bus)
{
	memset(nl, 0, sizeof(*nl));
	nl->buf = malloc(NPF_NL_BUFSIZE);
	if (!nl->buf)
		return -1;
	nl->sock = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl->sock)
		goto fail;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	return 0;
fail:
	npf_nl_close(nl);
	return -1;
}

void npf_nl_close(struct npf_nl *nl)
{
	int err = errno;

	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	memset(nl, 0, sizeof(*nl));
	errno = err;
}

struct nlmsghdr *npf_nl_msg(struct npf_nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

/* The request lives in nl->buf, which the answers overwrite. */
int npf_nl_run(struct npf_nl *nl, struct nlmsghdr *req, mnl_cb_t cb,
	       void *data)
{
	unsigned int seq = req->nlmsg_seq;
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, NPF_NL_BUFSIZE);
		if (n < 0)
			return -1;
		ret = mnl_cb_run(nl->buf, (size_t)n, seq, nl->portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -1 : 0;
}

struct nlmsghdr *npf_genl_msg(struct npf_nl *nl, uint16_t id, uint8_t cmd,
			      uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = npf_nl_msg(nl, id, flags);
	struct genlmsghdr *g;

	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int npf_genl_family_attr(const struct nlattr *attr, void *data)
{
	uint16_t *id = data;

	if (mnl_attr_get_type(attr) != CTRL_ATTR_FAMILY_ID)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
		return MNL_CB_ERROR;
	*id = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

int npf_genl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr),
			   npf_genl_family_attr, data) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int npf_genl_family(struct npf_nl *nl, const char *name, uint16_t *id)
{
	struct nlmsghdr *nlh;

	*id = 0;
	nlh = npf_genl_msg(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	if (npf_nl_run(nl, nlh, npf_genl_family_cb, id) < 0)
		return -1;
	if (!*id) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

struct npf_ethtool_walk {
	uint8_t cmd;			/* of the answer */
	struct npf_ethtool *et;
};

static int npf_ethtool_attr(const struct nlattr *attr, void *data)
{
	struct npf_ethtool_walk *w = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (w->cmd == ETHTOOL_MSG_LINKMODES_GET_REPLY &&
	    type == ETHTOOL_A_LINKMODES_SPEED) {
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		w->et->speed = mnl_attr_get_u32(attr);
	} else if (w->cmd == ETHTOOL_MSG_LINKSTATE_GET_REPLY &&
		   type == ETHTOOL_A_LINKSTATE_LINK) {
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		w->et->link = mnl_attr_get_u8(attr) ? 1 : 0;
	}
	return MNL_CB_OK;
}

int npf_ethtool_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct npf_ethtool_walk w = { 0, data };

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
		goto bad;
	w.cmd = g->cmd;
	if (mnl_attr_parse(nlh, sizeof(*g), npf_ethtool_attr, &w) < 0)
		goto bad;
	return MNL_CB_OK;
bad:
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

/* The request header: the adapter by name, bitsets compact (smaller). */
static void npf_ethtool_header(struct nlmsghdr *nlh, const char *ifname)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NLA_F_NESTED | 1);

	mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, ifname);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_FLAGS,
			 ETHTOOL_FLAG_COMPACT_BITSETS);
	mnl_attr_nest_end(nlh, nest);
}

int npf_ethtool_get(const char *ifname, uint8_t cmd, struct npf_ethtool *et)
{
	struct nlmsghdr *nlh;
	struct npf_nl nl;
	uint16_t id;
	int ret = -1;

	et->speed = 0;
	et->link = -1;
	if (npf_nl_open(&nl, NETLINK_GENERIC) < 0)
		return -1;
	if (npf_genl_family(&nl, ETHTOOL_GENL_NAME, &id) < 0)
		goto out;
	nlh = npf_genl_msg(&nl, id, cmd, ETHTOOL_GENL_VERSION, NLM_F_ACK);
	npf_ethtool_header(nlh, ifname);
	ret = npf_nl_run(&nl, nlh, npf_ethtool_cb, et);
out:
	npf_nl_close(&nl);
	return ret;
}
