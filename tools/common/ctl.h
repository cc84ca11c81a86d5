/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctl.h - npfctl's side of the "npf" generic netlink family (see the end
 * of <linux/npf.h>): the module's information, every open, and how npfctl
 * prints them (text and JSON Lines).
 */
#ifndef NPF_TOOLS_CTL_H
#define NPF_TOOLS_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct nlmsghdr;

/* NPF_CMD_GET_INFO */
struct ctl_info {
	char version[32];		/* the module's version */
	uint32_t api_major, api_minor;
	uint32_t max_buffer_size;
	uint32_t opens;			/* in the caller's namespace */
};

/* NPF_CMD_GET_OPEN: one open. */
struct ctl_open {
	uint64_t id;
	uint32_t pid;			/* 0: not visible in our pid ns */
	bool bound;			/* an adapter: ifindex, ifname */
	uint32_t ifindex;
	char ifname[16];
	bool gone;			/* the adapter went away */
	uint32_t mode;			/* NPF_MODE_* */
	uint32_t bufsize, bufused;
	uint32_t min_to_copy;
	int32_t timeout;		/* ms; 0 none, -1 immediate */
	bool filter, promisc, dumping;
	uint64_t recv, capt, drop, filter_rejects, nomem, sent;
};

/*
 * Parse one answer: 0, or -1 with errno EBADMSG (an attribute of the
 * wrong size). Attributes this npfctl does not know are skipped.
 */
int ctl_parse_info(const struct nlmsghdr *nlh, struct ctl_info *info);
int ctl_parse_open(const struct nlmsghdr *nlh, struct ctl_open *o);

/*
 * Ask the module. 0, or -1 and errno: ENOENT (no "npf" family: the module
 * is not loaded), EPERM (listing the opens needs CAP_NET_ADMIN), ENOMEM,
 * EBADMSG, a socket error. ctl_get_opens() returns a malloc()ed array.
 */
int ctl_get_info(struct ctl_info *info);
int ctl_get_opens(struct ctl_open **opens, size_t *n);

/* "capt", "stat", "dump", "stat+dump", "mon", or "0x%x" into @buf. */
const char *ctl_mode_name(uint32_t mode, char *buf, size_t size);

void ctl_print_info(FILE *f, const struct ctl_info *info, bool json);

/* @comm: the opener's command name, or NULL when it cannot be read. */
void ctl_print_open(FILE *f, const struct ctl_open *o, const char *comm,
		    bool json);

#endif /* NPF_TOOLS_CTL_H */
