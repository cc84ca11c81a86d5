/* SPDX-License-Identifier: MIT */
/*
 * libnpf internals: shared by the library's sources and its unit tests
 * (which link libnpf.a and so see these hidden symbols). Nothing here is
 * exported from libnpf.so.
 */
#ifndef _NPF_INTERNAL_H
#define _NPF_INTERNAL_H

#include "Packet32.h"

/*
 * Everything is built with -fvisibility=hidden; the public functions are
 * exported one by one by this prefix of their definition (libmnl's idiom;
 * clang ignores a visibility given after the definition).
 */
#define EXPORT_SYMBOL		__attribute__((visibility("default")))

#ifndef LIBNPF_VERSION
#define LIBNPF_VERSION		"0.0.0"
#endif

/* Paths the library opens; the unit tests point them elsewhere. */
extern const char *npf_device_path;		/* "/dev/npf" */
extern const char *npf_sysfs_version_path;	/* "/sys/module/npf/version" */

/*
 * Turn an adapter name ("eth0", "\Device\NPF_eth0", ...) into the Linux
 * interface name. 0, or -1 with errno EINVAL / ENAMETOOLONG.
 */
int npf_parse_adapter_name(const char *name, char ifname[NPF_IFNAMSIZ]);

/*
 * Fill the kernel's struct npf_program from the pointer-bearing
 * struct bpf_program. 0, or -1 with errno EINVAL (instructions missing).
 */
int npf_program_from_bpf(struct npf_program *np, const struct bpf_program *fp);

/* ioctl() on an adapter's descriptor: TRUE, or FALSE and errno. */
BOOLEAN npf_ioctl(LPADAPTER adapter, unsigned long request, void *arg);

/* The module's ring size for a new open (uapi/linux/npf.h's defaults). */
#define NPF_LIB_DEFAULT_RING	1000000

/* Undo PacketReceiveMapped()'s mapping, if any. */
void npf_unmap_ring(LPADAPTER adapter);

/* The same for the ioctls that take one 32-bit value. */
BOOLEAN npf_ioctl_u32(LPADAPTER adapter, unsigned long request, uint32_t v);

/*
 * netlink.c: requests over libmnl. Each public function that asks the
 * kernel opens its own socket: no state is shared between threads.
 */
#include <libmnl/libmnl.h>

/* Large enough for any dump message (libmnl's MNL_SOCKET_DUMP_SIZE). */
#define NPF_NL_BUFSIZE		32768

struct npf_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char *buf;			/* NPF_NL_BUFSIZE bytes */
};

/* A bound socket of @bus (NETLINK_ROUTE, NETLINK_GENERIC): 0 or -1. */
int npf_nl_open(struct npf_nl *nl, int bus);
/* Close it; errno is left alone. */
void npf_nl_close(struct npf_nl *nl);

/* Start a request of @type (NLM_F_REQUEST | @flags) in nl->buf. */
struct nlmsghdr *npf_nl_msg(struct npf_nl *nl, uint16_t type,
			    uint16_t flags);

/*
 * Send @req and hand every answer to @cb, until the dump is done or the
 * request acknowledged (send requests with NLM_F_ACK or NLM_F_DUMP).
 * 0, or -1 and errno: the kernel's error, EINTR for a dump that changed
 * under the reader (NLM_F_DUMP_INTR: ask again), ENOSPC truncated.
 */
int npf_nl_run(struct npf_nl *nl, struct nlmsghdr *req, mnl_cb_t cb,
	       void *data);

/* Start a generic netlink request of family @id in nl->buf. */
struct nlmsghdr *npf_genl_msg(struct npf_nl *nl, uint16_t id, uint8_t cmd,
			      uint8_t version, uint16_t flags);

/* The id of generic netlink family @name: 0, or -1 (ENOENT: none). */
int npf_genl_family(struct npf_nl *nl, const char *name, uint16_t *id);

/* Parse a CTRL_CMD_NEWFAMILY answer: the callback of npf_genl_family. */
int npf_genl_family_cb(const struct nlmsghdr *nlh, void *data);

/* What the ethtool netlink family says about one adapter. */
struct npf_ethtool {
	uint32_t speed;		/* Mb/s; 0 or SPEED_UNKNOWN: unknown */
	int link;		/* carrier 1 or 0; -1: not reported */
};

/*
 * Ask ETHTOOL_MSG_LINKMODES_GET (speed) or ETHTOOL_MSG_LINKSTATE_GET
 * (link) about @ifname. 0, or -1 and errno: ENOENT no ethtool family,
 * EOPNOTSUPP the driver does not say, ENODEV no such adapter.
 */
int npf_ethtool_get(const char *ifname, uint8_t cmd, struct npf_ethtool *et);

/* Parse an answer of npf_ethtool_get() into the npf_ethtool @data. */
int npf_ethtool_cb(const struct nlmsghdr *nlh, void *data);

/*
 * adapters.c: an adapter as RTM_NEWLINK describes it, and what
 * PacketGetAdapterNames() says of it.
 */
struct npf_link {
	int index;
	unsigned int flags;		/* IFF_* */
	unsigned short type;		/* ARPHRD_* */
	char name[NPF_IFNAMSIZ];
	char alias[ADAPTER_DESC_LENGTH];	/* IFLA_IFALIAS, cut */
	char kind[32];			/* IFLA_INFO_KIND: "veth" */
	char desc[ADAPTER_DESC_LENGTH];	/* the description */
};

/* Fill @l from an RTM_NEWLINK message: 0, or -1 and errno EBADMSG. */
int npf_link_parse(const struct nlmsghdr *nlh, struct npf_link *l);

/* An adapter of this ARPHRD_ type can be bound (BIOCSETIF). */
int npf_link_capturable(unsigned short type);

/*
 * The description when there is no alias and no driver information:
 * the IFLA_INFO_KIND, "loopback", or a name of the link type.
 */
const char *npf_link_fallback_desc(const struct npf_link *l);

/*
 * Copy @src into @dst of @size bytes, cut at a UTF-8 character boundary
 * when it does not fit.
 */
void npf_strcpy_cut(char *dst, size_t size, const char *src);

/*
 * PacketGetAdapterNames()'s layout of @n adapters: its size, and writing
 * it into @buf (of at least that size).
 */
size_t npf_adapter_list_size(const struct npf_link *l, size_t n);
void npf_adapter_list_write(const struct npf_link *l, size_t n, char *buf);

/*
 * An RTM_NEWADDR message as an npf_if_addr, if it is an IPv4 or IPv6
 * address of adapter @ifindex: 1 filled, 0 not one of those, -1 (errno
 * EBADMSG) malformed.
 */
int npf_addr_parse(const struct nlmsghdr *nlh, int ifindex, npf_if_addr *a);

/* The netmask of an AF_INET / AF_INET6 prefix of @len bits. */
void npf_prefix_mask(int family, unsigned int len,
		     struct sockaddr_storage *mask);

/* The NdisMedium of a pcap LINKTYPE_ value. */
UINT npf_linktype_medium(int linktype);

/*
 * Npcap's timestamp mode as an NPF_TSTAMP_* value: 0, or -1 and errno
 * EINVAL.
 */
int npf_tstamp_mode(ULONG mode, uint32_t *tstamp);

#endif /* _NPF_INTERNAL_H */
