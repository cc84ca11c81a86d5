// SPDX-License-Identifier: GPL-2.0
/* npfctl's generic netlink client and output; see ctl.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/npf.h>

#include "ctl.h"
#include "json.h"

#define CTL_BUFSIZE	32768	/* any dump message fits */

struct ctl_sock {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	char *buf;
};

/* --- parsing ------------------------------------------------------------ */

static const enum mnl_attr_data_type ctl_policy[NPF_A_MAX + 1] = {
	[NPF_A_VERSION]			= MNL_TYPE_NUL_STRING,
	[NPF_A_API_MAJOR]		= MNL_TYPE_U32,
	[NPF_A_API_MINOR]		= MNL_TYPE_U32,
	[NPF_A_MAX_BUFFER_SIZE]		= MNL_TYPE_U32,
	[NPF_A_OPENS]			= MNL_TYPE_U32,
	[NPF_A_OPEN_ID]			= MNL_TYPE_U64,
	[NPF_A_OPEN_PID]		= MNL_TYPE_U32,
	[NPF_A_OPEN_IFINDEX]		= MNL_TYPE_U32,
	[NPF_A_OPEN_IFNAME]		= MNL_TYPE_NUL_STRING,
	[NPF_A_OPEN_GONE]		= MNL_TYPE_FLAG,
	[NPF_A_OPEN_MODE]		= MNL_TYPE_U32,
	[NPF_A_OPEN_BUFSIZE]		= MNL_TYPE_U32,
	[NPF_A_OPEN_BUFUSED]		= MNL_TYPE_U32,
	[NPF_A_OPEN_MINTOCOPY]		= MNL_TYPE_U32,
	[NPF_A_OPEN_TIMEOUT]		= MNL_TYPE_U32,
	[NPF_A_OPEN_FILTERED]		= MNL_TYPE_FLAG,
	[NPF_A_OPEN_PROMISC]		= MNL_TYPE_FLAG,
	[NPF_A_OPEN_DUMPING]		= MNL_TYPE_FLAG,
	[NPF_A_OPEN_RECV]		= MNL_TYPE_U64,
	[NPF_A_OPEN_CAPT]		= MNL_TYPE_U64,
	[NPF_A_OPEN_DROP]		= MNL_TYPE_U64,
	[NPF_A_OPEN_FILTER_REJECTS]	= MNL_TYPE_U64,
	[NPF_A_OPEN_NOMEM]		= MNL_TYPE_U64,
	[NPF_A_OPEN_SENT]		= MNL_TYPE_U64,
};

static int ctl_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NPF_A_MAX) < 0)
		return MNL_CB_OK;		/* newer than this npfctl */
	if (ctl_policy[type] != MNL_TYPE_UNSPEC &&
	    mnl_attr_validate(attr, ctl_policy[type]) < 0)
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int ctl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	memset(tb, 0, sizeof(*tb) * (NPF_A_MAX + 1));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr) ||
	    mnl_attr_parse(nlh, sizeof(struct genlmsghdr), ctl_attr,
			   tb) < 0) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

static uint32_t u32_of(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

static uint64_t u64_of(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

static void str_of(const struct nlattr *a, char *buf, size_t size)
{
	snprintf(buf, size, "%s", a ? mnl_attr_get_str(a) : "");
}

int ctl_parse_info(const struct nlmsghdr *nlh, struct ctl_info *info)
{
	const struct nlattr *tb[NPF_A_MAX + 1];

	if (ctl_parse(nlh, tb) < 0)
		return -1;
	memset(info, 0, sizeof(*info));
	str_of(tb[NPF_A_VERSION], info->version, sizeof(info->version));
	info->api_major = u32_of(tb[NPF_A_API_MAJOR]);
	info->api_minor = u32_of(tb[NPF_A_API_MINOR]);
	info->max_buffer_size = u32_of(tb[NPF_A_MAX_BUFFER_SIZE]);
	info->opens = u32_of(tb[NPF_A_OPENS]);
	return 0;
}

static void ctl_open_counters(const struct nlattr **tb, struct ctl_open *o)
{
	o->recv = u64_of(tb[NPF_A_OPEN_RECV]);
	o->capt = u64_of(tb[NPF_A_OPEN_CAPT]);
	o->drop = u64_of(tb[NPF_A_OPEN_DROP]);
	o->filter_rejects = u64_of(tb[NPF_A_OPEN_FILTER_REJECTS]);
	o->nomem = u64_of(tb[NPF_A_OPEN_NOMEM]);
	o->sent = u64_of(tb[NPF_A_OPEN_SENT]);
}

int ctl_parse_open(const struct nlmsghdr *nlh, struct ctl_open *o)
{
	const struct nlattr *tb[NPF_A_MAX + 1];

	if (ctl_parse(nlh, tb) < 0)
		return -1;
	memset(o, 0, sizeof(*o));
	o->id = u64_of(tb[NPF_A_OPEN_ID]);
	o->pid = u32_of(tb[NPF_A_OPEN_PID]);
	o->bound = tb[NPF_A_OPEN_IFINDEX] != NULL;
	o->ifindex = u32_of(tb[NPF_A_OPEN_IFINDEX]);
	str_of(tb[NPF_A_OPEN_IFNAME], o->ifname, sizeof(o->ifname));
	o->gone = tb[NPF_A_OPEN_GONE] != NULL;
	o->mode = u32_of(tb[NPF_A_OPEN_MODE]);
	o->bufsize = u32_of(tb[NPF_A_OPEN_BUFSIZE]);
	o->bufused = u32_of(tb[NPF_A_OPEN_BUFUSED]);
	o->min_to_copy = u32_of(tb[NPF_A_OPEN_MINTOCOPY]);
	o->timeout = (int32_t)u32_of(tb[NPF_A_OPEN_TIMEOUT]);
	o->filter = tb[NPF_A_OPEN_FILTERED] != NULL;
	o->promisc = tb[NPF_A_OPEN_PROMISC] != NULL;
	o->dumping = tb[NPF_A_OPEN_DUMPING] != NULL;
	ctl_open_counters(tb, o);
	return 0;
}

/* --- the socket --------------------------------------------------------- */

static void ctl_sock_close(struct ctl_sock *s)
{
	int err = errno;

	if (s->nl)
		mnl_socket_close(s->nl);
	free(s->buf);
	errno = err;
}

static struct nlmsghdr *ctl_msg(struct ctl_sock *s, uint16_t type,
				uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(s->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++s->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/* Send @req, run @cb on the answers until the ack or the dump's end. */
static int ctl_run(struct ctl_sock *s, struct nlmsghdr *req, mnl_cb_t cb,
		   void *data)
{
	unsigned int seq = req->nlmsg_seq;
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(s->nl, req, req->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(s->nl, s->buf, CTL_BUFSIZE);
		if (n < 0)
			return -1;
		ret = mnl_cb_run(s->buf, (size_t)n, seq, s->portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -1 : 0;
}

static int ctl_family_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		*(uint16_t *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int ctl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr),
			      ctl_family_attr, data) < 0 ?
	       MNL_CB_ERROR : MNL_CB_OK;
}

/* A socket and the family's id: 0, or -1 (ENOENT: no module). */
static int ctl_sock_open(struct ctl_sock *s)
{
	struct nlmsghdr *nlh;

	memset(s, 0, sizeof(*s));
	s->buf = malloc(CTL_BUFSIZE);
	s->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!s->buf || !s->nl ||
	    mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = (unsigned int)time(NULL);
	nlh = ctl_msg(s, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NPF_GENL_NAME);
	if (ctl_run(s, nlh, ctl_family_cb, &s->family) < 0)
		goto fail;
	if (!s->family) {
		errno = ENOENT;
		goto fail;
	}
	return 0;
fail:
	ctl_sock_close(s);
	return -1;
}

static int ctl_info_cb(const struct nlmsghdr *nlh, void *data)
{
	return ctl_parse_info(nlh, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int ctl_get_info(struct ctl_info *info)
{
	struct nlmsghdr *nlh;
	struct ctl_sock s;
	int ret;

	if (ctl_sock_open(&s) < 0)
		return -1;
	memset(info, 0, sizeof(*info));
	nlh = ctl_msg(&s, s.family, NPF_CMD_GET_INFO, NPF_GENL_VERSION,
		      NLM_F_ACK);
	ret = ctl_run(&s, nlh, ctl_info_cb, info);
	ctl_sock_close(&s);
	return ret;
}

struct ctl_open_list {
	struct ctl_open *v;
	size_t n, room;
};

static int ctl_open_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctl_open_list *l = data;
	struct ctl_open *v;

	if (l->n == l->room) {
		v = reallocarray(l->v, l->room * 2 + 8, sizeof(*v));
		if (!v)
			return MNL_CB_ERROR;
		l->v = v;
		l->room = l->room * 2 + 8;
	}
	if (ctl_parse_open(nlh, &l->v[l->n]) < 0)
		return MNL_CB_ERROR;
	l->n++;
	return MNL_CB_OK;
}

int ctl_get_opens(struct ctl_open **opens, size_t *n)
{
	struct ctl_open_list l = { NULL, 0, 0 };
	struct nlmsghdr *nlh;
	struct ctl_sock s;
	int ret;

	*opens = NULL;
	*n = 0;
	if (ctl_sock_open(&s) < 0)
		return -1;
	nlh = ctl_msg(&s, s.family, NPF_CMD_GET_OPEN, NPF_GENL_VERSION,
		      NLM_F_DUMP);
	ret = ctl_run(&s, nlh, ctl_open_cb, &l);
	ctl_sock_close(&s);
	if (ret < 0) {
		free(l.v);
		return -1;
	}
	*opens = l.v;
	*n = l.n;
	return 0;
}

/* --- output ------------------------------------------------------------- */

const char *ctl_mode_name(uint32_t mode, char *buf, size_t size)
{
	switch (mode) {
	case NPF_MODE_CAPT:
		return "capt";
	case NPF_MODE_STAT:
		return "stat";
	case NPF_MODE_MON:
		return "mon";
	case NPF_MODE_DUMP:
		return "dump";
	case NPF_MODE_DUMP | NPF_MODE_STAT:
		return "stat+dump";
	}
	snprintf(buf, size, "0x%x", mode);
	return buf;
}

void ctl_print_info(FILE *f, const struct ctl_info *info, bool json)
{
	struct tool_json j;

	if (!json) {
		fprintf(f, "version          %s\n", info->version);
		fprintf(f, "api              %u.%u\n", info->api_major,
			info->api_minor);
		fprintf(f, "max_buffer_size  %u\n", info->max_buffer_size);
		fprintf(f, "opens            %u\n", info->opens);
		return;
	}
	tool_json_begin(&j, f);
	tool_json_str(&j, "version", info->version);
	tool_json_u64(&j, "api_major", info->api_major);
	tool_json_u64(&j, "api_minor", info->api_minor);
	tool_json_u64(&j, "max_buffer_size", info->max_buffer_size);
	tool_json_u64(&j, "opens", info->opens);
	tool_json_end(&j);
}

static void ctl_json_open(FILE *f, const struct ctl_open *o, const char *comm)
{
	char mode[16];
	struct tool_json j;

	tool_json_begin(&j, f);
	tool_json_u64(&j, "id", o->id);
	tool_json_u64(&j, "pid", o->pid);
	if (comm)
		tool_json_str(&j, "comm", comm);
	if (o->bound) {
		tool_json_u64(&j, "ifindex", o->ifindex);
		tool_json_str(&j, "adapter", o->ifname);
	}
	tool_json_bool(&j, "gone", o->gone);
	tool_json_str(&j, "mode", ctl_mode_name(o->mode, mode, sizeof(mode)));
	tool_json_u64(&j, "ring_used", o->bufused);
	tool_json_u64(&j, "ring_size", o->bufsize);
	tool_json_u64(&j, "min_to_copy", o->min_to_copy);
	tool_json_s64(&j, "timeout", o->timeout);
	tool_json_bool(&j, "filter", o->filter);
	tool_json_bool(&j, "promisc", o->promisc);
	tool_json_bool(&j, "dumping", o->dumping);
	tool_json_u64(&j, "recv", o->recv);
	tool_json_u64(&j, "capt", o->capt);
	tool_json_u64(&j, "drop", o->drop);
	tool_json_u64(&j, "filter_rejects", o->filter_rejects);
	tool_json_u64(&j, "nomem", o->nomem);
	tool_json_u64(&j, "sent", o->sent);
	tool_json_end(&j);
}

/* "npfv0 (ifindex 5)", "npfv0 (ifindex 5, gone)", "(gone)", "-" */
static void ctl_print_adapter(FILE *f, const struct ctl_open *o)
{
	if (o->bound)
		fprintf(f, "%s (ifindex %u%s)", o->ifname, o->ifindex,
			o->gone ? ", gone" : "");
	else
		fputs(o->gone ? "(gone)" : "-", f);
}

static void ctl_print_timeout(FILE *f, int32_t timeout)
{
	if (timeout == 0)
		fputs("timeout none", f);
	else if (timeout == -1)
		fputs("timeout immediate", f);
	else
		fprintf(f, "timeout %d ms", timeout);
}

static void ctl_print_flags(FILE *f, const struct ctl_open *o)
{
	const char *sep = "";

	fputs("flags ", f);
	if (o->filter) {
		fputs("filter", f);
		sep = ",";
	}
	if (o->promisc) {
		fprintf(f, "%spromisc", sep);
		sep = ",";
	}
	if (o->dumping) {
		fprintf(f, "%sdumping", sep);
		sep = ",";
	}
	if (!*sep)
		fputs("-", f);
}

void ctl_print_open(FILE *f, const struct ctl_open *o, const char *comm,
		    bool json)
{
	char mode[16];

	if (json) {
		ctl_json_open(f, o, comm);
		return;
	}
	fprintf(f, "open %llu: pid %u", (unsigned long long)o->id, o->pid);
	if (comm)
		fprintf(f, " (%s)", comm);
	fputs(" adapter ", f);
	ctl_print_adapter(f, o);
	fprintf(f, " mode %s\n", ctl_mode_name(o->mode, mode, sizeof(mode)));
	fprintf(f, "    ring %u/%u bytes  min_to_copy %u  ", o->bufused,
		o->bufsize, o->min_to_copy);
	ctl_print_timeout(f, o->timeout);
	fputs("  ", f);
	ctl_print_flags(f, o);
	fprintf(f, "\n    recv %llu  capt %llu  drop %llu  filter_rejects %llu  nomem %llu  sent %llu\n",
		(unsigned long long)o->recv, (unsigned long long)o->capt,
		(unsigned long long)o->drop,
		(unsigned long long)o->filter_rejects,
		(unsigned long long)o->nomem, (unsigned long long)o->sent);
}
