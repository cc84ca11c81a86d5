// SPDX-License-Identifier: GPL-2.0
/*
 * npfctl: the generic netlink answers it parses (built by hand as the
 * module sends them), what it prints, its command line; npfdump -D's
 * flags and list. None of it needs the module.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/npf.h>

#include "ctl.h"
#include "util.h"
#include "t.h"

static union {
	char c[4096];
	struct nlmsghdr align;
} msg;

static struct nlmsghdr *genl_msg(uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(&msg, 0, sizeof(msg));
	nlh = mnl_nlmsg_put_header(msg.c);
	nlh->nlmsg_type = 0x20;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = NPF_GENL_VERSION;
	return nlh;
}

/* As the module: nla_put_u64_64bit() pads with NPF_A_PAD first. */
static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	mnl_attr_put(nlh, NPF_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

static struct nlmsghdr *open_msg(void)
{
	struct nlmsghdr *nlh = genl_msg(NPF_CMD_GET_OPEN);

	put_u64(nlh, NPF_A_OPEN_ID, 42);
	mnl_attr_put_u32(nlh, NPF_A_OPEN_PID, 1234);
	mnl_attr_put_u32(nlh, NPF_A_OPEN_IFINDEX, 5);
	mnl_attr_put_strz(nlh, NPF_A_OPEN_IFNAME, "npfv0");
	mnl_attr_put_u32(nlh, NPF_A_OPEN_MODE, NPF_MODE_CAPT);
	mnl_attr_put_u32(nlh, NPF_A_OPEN_BUFSIZE, 1000000);
	mnl_attr_put_u32(nlh, NPF_A_OPEN_BUFUSED, 960);
	mnl_attr_put_u32(nlh, NPF_A_OPEN_MINTOCOPY, 16000);
	mnl_attr_put_u32(nlh, NPF_A_OPEN_TIMEOUT, (uint32_t)-1);
	mnl_attr_put(nlh, NPF_A_OPEN_FILTERED, 0, NULL);
	mnl_attr_put(nlh, NPF_A_OPEN_PROMISC, 0, NULL);
	put_u64(nlh, NPF_A_OPEN_RECV, 12);
	put_u64(nlh, NPF_A_OPEN_CAPT, 10);
	put_u64(nlh, NPF_A_OPEN_DROP, 0);
	put_u64(nlh, NPF_A_OPEN_FILTER_REJECTS, 2);
	put_u64(nlh, NPF_A_OPEN_NOMEM, 0);
	put_u64(nlh, NPF_A_OPEN_SENT, 1ULL << 40);
	/* An attribute of a later module: skipped. */
	mnl_attr_put_u32(nlh, NPF_A_MAX + 7, 1);
	return nlh;
}

static void parse_info(void)
{
	struct nlmsghdr *nlh = genl_msg(NPF_CMD_GET_INFO);
	struct ctl_info info;

	mnl_attr_put_strz(nlh, NPF_A_VERSION, "1.0");
	mnl_attr_put_u32(nlh, NPF_A_API_MAJOR, 1);
	mnl_attr_put_u32(nlh, NPF_A_API_MINOR, 0);
	mnl_attr_put_u32(nlh, NPF_A_MAX_BUFFER_SIZE, 134217728);
	mnl_attr_put_u32(nlh, NPF_A_OPENS, 3);
	CHECK(ctl_parse_info(nlh, &info) == 0);
	CHECK(!strcmp(info.version, "1.0") && info.api_major == 1 &&
	      info.api_minor == 0);
	CHECK(info.max_buffer_size == 134217728 && info.opens == 3);

	nlh = genl_msg(NPF_CMD_GET_INFO);
	mnl_attr_put_u16(nlh, NPF_A_OPENS, 3);		/* wrong size */
	CHECK_ERR(ctl_parse_info(nlh, &info), -1, EBADMSG);
}

static void parse_open(void)
{
	struct ctl_open o;

	CHECK(ctl_parse_open(open_msg(), &o) == 0);
	CHECK(o.id == 42 && o.pid == 1234 && o.bound && o.ifindex == 5);
	CHECK(!strcmp(o.ifname, "npfv0") && !o.gone);
	CHECK(o.mode == NPF_MODE_CAPT && o.bufsize == 1000000 &&
	      o.bufused == 960 && o.min_to_copy == 16000 && o.timeout == -1);
	CHECK(o.filter && o.promisc && !o.dumping);
	CHECK(o.recv == 12 && o.capt == 10 && o.filter_rejects == 2 &&
	      o.sent == 1ULL << 40);
}

static void parse_open_unbound(void)
{
	struct nlmsghdr *nlh = genl_msg(NPF_CMD_GET_OPEN);
	struct ctl_open o;

	put_u64(nlh, NPF_A_OPEN_ID, 7);
	mnl_attr_put(nlh, NPF_A_OPEN_GONE, 0, NULL);
	CHECK(ctl_parse_open(nlh, &o) == 0);
	CHECK(o.id == 7 && !o.bound && o.gone && !o.ifname[0]);
	nlh = genl_msg(NPF_CMD_GET_OPEN);
	mnl_attr_put_u32(nlh, NPF_A_OPEN_ID, 7);	/* not a u64 */
	CHECK_ERR(ctl_parse_open(nlh, &o), -1, EBADMSG);
}

/* What @print writes, as a string to free(). */
static char *printed(const struct ctl_open *o, const char *comm, bool json)
{
	char *text = NULL;
	size_t size;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	ctl_print_open(f, o, comm, json);
	fclose(f);
	return text;
}

static void print_open_text(void)
{
	struct ctl_open o;
	char *s;

	ctl_parse_open(open_msg(), &o);
	s = printed(&o, "npfdump", false);
	CHECK(s && !strcmp(s,
		"open 42: pid 1234 (npfdump) adapter npfv0 (ifindex 5) mode capt\n"
		"    ring 960/1000000 bytes  min_to_copy 16000  timeout immediate  flags filter,promisc\n"
		"    recv 12  capt 10  drop 0  filter_rejects 2  nomem 0  sent 1099511627776\n"));
	free(s);
	memset(&o, 0, sizeof(o));
	o.mode = NPF_MODE_DUMP | NPF_MODE_STAT;
	o.timeout = 250;
	s = printed(&o, NULL, false);
	CHECK(s && !strcmp(s, "open 0: pid 0 adapter - mode stat+dump\n"
		"    ring 0/0 bytes  min_to_copy 0  timeout 250 ms  flags -\n"
		"    recv 0  capt 0  drop 0  filter_rejects 0  nomem 0  sent 0\n"));
	free(s);
}

static void print_open_json(void)
{
	struct ctl_open o;
	char *s;

	ctl_parse_open(open_msg(), &o);
	s = printed(&o, "a\"b", true);
	CHECK(s && !strcmp(s,
		"{\"id\":42,\"pid\":1234,\"comm\":\"a\\\"b\",\"ifindex\":5,"
		"\"adapter\":\"npfv0\",\"gone\":false,\"mode\":\"capt\","
		"\"ring_used\":960,\"ring_size\":1000000,\"min_to_copy\":16000,"
		"\"timeout\":-1,\"filter\":true,\"promisc\":true,"
		"\"dumping\":false,\"recv\":12,\"capt\":10,\"drop\":0,"
		"\"filter_rejects\":2,\"nomem\":0,\"sent\":1099511627776}\n"));
	free(s);
	/* Unbound: no adapter key, no comm when it is not known. */
	memset(&o, 0, sizeof(o));
	s = printed(&o, NULL, true);
	CHECK(s && !strstr(s, "\"adapter\"") && !strstr(s, "\"comm\""));
	free(s);
}

static void print_info(void)
{
	struct ctl_info info = { "1.0", 1, 0, 134217728, 2 };
	char *text = NULL;
	size_t size;
	FILE *f = open_memstream(&text, &size);

	CHECK(f != NULL);
	if (!f)
		return;
	ctl_print_info(f, &info, false);
	ctl_print_info(f, &info, true);
	fclose(f);
	CHECK(text && !strcmp(text,
		"version          1.0\n"
		"api              1.0\n"
		"max_buffer_size  134217728\n"
		"opens            2\n"
		"{\"version\":\"1.0\",\"api_major\":1,\"api_minor\":0,"
		"\"max_buffer_size\":134217728,\"opens\":2}\n"));
	free(text);
}

static void mode_names(void)
{
	char buf[16];

	CHECK(!strcmp(ctl_mode_name(NPF_MODE_CAPT, buf, sizeof(buf)), "capt"));
	CHECK(!strcmp(ctl_mode_name(NPF_MODE_STAT, buf, sizeof(buf)), "stat"));
	CHECK(!strcmp(ctl_mode_name(NPF_MODE_DUMP, buf, sizeof(buf)), "dump"));
	CHECK(!strcmp(ctl_mode_name(0x400, buf, sizeof(buf)), "0x400"));
}

#define CTL(r, ...)	\
	CHECK(t_run(r, t_npfctl, __VA_ARGS__, (const char *)NULL) == 0)

static void ctl_command_line(void)
{
	struct t_run r;

	if (!t_can_run(t_npfctl))
		SKIP("no npfctl binary given");
	CTL(&r, "--help");
	CHECK(r.status == 0 && !strncmp(r.out, "Usage: npfctl", 13));
	CTL(&r, "--version");
	CHECK(r.status == 0 && strstr(r.out, "npfctl version"));
	CTL(&r, "-z");
	CHECK(t_error_line(&r, "npfctl", "invalid option -- 'z'"));
	CTL(&r, "--bogus");
	CHECK(t_error_line(&r, "npfctl", "unrecognized option '--bogus'"));
	CTL(&r, "list");
	CHECK(t_error_line(&r, "npfctl", "unknown command 'list'"));
	CTL(&r, "info", "opens");
	CHECK(t_error_line(&r, "npfctl", "unexpected argument 'opens'"));
}

static void ctl_no_module(void)
{
	struct t_run r;

	if (!t_can_run(t_npfctl))
		SKIP("no npfctl binary given");
	if (access("/sys/module/npf", F_OK) == 0)
		SKIP("the npf module is loaded here");
	CTL(&r, "info");
	CHECK(t_error_line(&r, "npfctl", "the npf module is not loaded"));
	CTL(&r, "-j", "opens");
	CHECK(t_error_line(&r, "npfctl", "the npf module is not loaded"));
}

static void if_flags(void)
{
	char buf[96];

	CHECK(!strcmp(tool_format_if_flags(PACKET_IF_UP | PACKET_IF_RUNNING |
		PACKET_IF_LOOPBACK |
		PACKET_IF_CONNECTION_STATUS_NOT_APPLICABLE, buf, sizeof(buf)),
		"Up, Running, Loopback"));
	CHECK(!strcmp(tool_format_if_flags(PACKET_IF_UP | PACKET_IF_RUNNING |
		PACKET_IF_CONNECTION_STATUS_CONNECTED, buf, sizeof(buf)),
		"Up, Running, Connected"));
	CHECK(!strcmp(tool_format_if_flags(PACKET_IF_UP |
		PACKET_IF_CONNECTION_STATUS_DISCONNECTED, buf, sizeof(buf)),
		"Up, Disconnected"));
	CHECK(!strcmp(tool_format_if_flags(
		PACKET_IF_CONNECTION_STATUS_DISCONNECTED, buf, sizeof(buf)),
		"none, Disconnected"));
	CHECK(!strcmp(tool_format_if_flags(
		PACKET_IF_CONNECTION_STATUS_NOT_APPLICABLE, buf, sizeof(buf)),
		"none"));
	CHECK(!strcmp(tool_format_if_flags(PACKET_IF_UP, buf, sizeof(buf)),
		      "Up, Connection status unknown"));
	CHECK(!strcmp(tool_format_if_flags(0, buf, sizeof(buf)), ""));
}

/* npfdump -D needs no module: this machine's lo is listed. */
static void dump_list_interfaces(void)
{
	struct t_run r;

	if (!t_can_run(t_npfdump))
		SKIP("no npfdump binary given");
	CHECK(t_run(&r, t_npfdump, "-D", (const char *)NULL) == 0);
	CHECK(r.status == 0 && !r.err[0]);
	CHECK(!strncmp(r.out, "1.", 2));
	CHECK(strstr(r.out, ".lo (") != NULL);
	CHECK(t_run(&r, t_npfdump, "--list-interfaces",
		    (const char *)NULL) == 0);
	CHECK(r.status == 0 && strstr(r.out, ".lo (") != NULL);
}

const struct t_case ctl_cases[] = {
	T_CASE(parse_info),
	T_CASE(parse_open),
	T_CASE(parse_open_unbound),
	T_CASE(print_open_text),
	T_CASE(print_open_json),
	T_CASE(print_info),
	T_CASE(mode_names),
	T_CASE(ctl_command_line),
	T_CASE(ctl_no_module),
	T_CASE(if_flags),
	T_CASE(dump_list_interfaces),
	T_END
};
