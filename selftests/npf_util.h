/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the npf selftests: an isolated network namespace with a
 * veth pair, exact frame builders, raw AF_PACKET senders, thin wrappers
 * around the /dev/npf ioctls and a record parser that checks the layout
 * uapi/linux/npf.h promises.
 *
 * Nothing here asserts: helpers return -1 and leave a message in npf_err so
 * the tests (which own _metadata) decide what is a failure.
 */
#ifndef NPF_SELFTEST_UTIL_H
#define NPF_SELFTEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/npf.h>
#include <linux/rtnetlink.h>

#define NPF_DEV		"/dev/npf"
#define IF_A		"npft0"		/* the adapter npf captures on */
#define IF_B		"npft1"		/* its veth peer: traffic source */
#define HDRLEN		((uint32_t)sizeof(struct bpf_hdr))
#define RECLEN(caplen)	NPF_WORDALIGN(HDRLEN + (uint32_t)(caplen))
#define MAX_FRAME	1514

/* Last helper error, for TH_LOG. */
extern __thread char npf_err[512];

/*
 * A helper failed: the message goes to npf_err (its arguments may include
 * npf_err itself, to add what the caller was doing), errno is kept;
 * returns -1.
 */
int npf_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * True on the debug kernel (NPF_EXPECT_DEBUG=1, set by
 * scripts/kernel/selftests-debug.sh), which is built with everything the
 * tests use: fault injection, a memory controller, tbf, dummy as a module.
 */
bool npf_expect_debug(void);

/*
 * In a test: skip the case for something this kernel lacks, except on the
 * debug kernel, where the case fails instead, so that a missing feature
 * cannot pass there as a skip.
 */
#define SKIP_OR_FAIL(fmt, ...)						\
	do {								\
		ASSERT_FALSE(npf_expect_debug())			\
			TH_LOG("the debug kernel must run this: " fmt,	\
			       ##__VA_ARGS__);				\
		SKIP(return, fmt, ##__VA_ARGS__);			\
	} while (0)

/* ---- environment ---------------------------------------------------- */

struct npf_env {
	int ifindex_a, ifindex_b;
	uint8_t mac_a[6], mac_b[6];
	int tx_a;		/* AF_PACKET SOCK_RAW bound to IF_A (send only) */
	int tx_b;		/* AF_PACKET SOCK_RAW bound to IF_B (send only) */
};

/*
 * Pin to one CPU, unshare(CLONE_NEWNET), create the veth pair IF_A/IF_B
 * with IPv6 off, bring both up, wait until frames cross both ways and open
 * the two sender sockets. After it returns the namespace carries no traffic
 * but what the test sends.
 */
int env_setup(struct npf_env *e);
void env_teardown(struct npf_env *e);

/*
 * rtnetlink requests, in the caller's netns (an exec of ip costs a TCG
 * guest a quarter second). A request is built in a struct rtnl_req:
 * rtnl_newlink() starts the one for a new link, others fill in the header
 * and the ifinfomsg (ifaddrmsg) themselves; rta_put() adds attributes.
 */
struct rtnl_req {
	struct nlmsghdr n;
	union {
		struct ifinfomsg i;	/* links */
		struct ifaddrmsg a;	/* addresses */
	};
	char buf[512];
};

/* Append attribute type with len bytes of data; len 0 opens a nest. */
struct rtattr *rta_put(struct nlmsghdr *n, unsigned short type,
		       const void *data, size_t len);
/* Close the nest start: it ends where the request ends now. */
void rta_nest_end(struct nlmsghdr *n, struct rtattr *start);
/*
 * Send n (with NLM_F_REQUEST | NLM_F_ACK) and wait for its ack: 0, or
 * -errno with errno set too (EIO: no ack came) and npf_err saying what.
 */
int rtnl_request(struct nlmsghdr *n);
/*
 * Start an RTM_NEWLINK (create, exclusive) of a link name of kind (dummy,
 * bond, ipip, ...): returns its IFLA_LINKINFO, still open for an
 * IFLA_INFO_DATA; close it with rta_nest_end() before sending.
 */
struct rtattr *rtnl_newlink(struct rtnl_req *req, const char *name,
			    const char *kind);

/* Links: 0 or -1 (npf_err says why, errno is the kernel's answer). */
int link_add(const char *name, const char *kind);	/* no IFLA_INFO_DATA */
int link_add_veth(const char *name, const char *peer);
/* A veth pair whose peer goes to the network namespace of process pid. */
int link_add_veth_to(const char *name, const char *peer, int peer_pid);
int link_del(const char *name);
int link_set_up(const char *name, bool up);
/* Move a link into the network namespace of process pid. */
int link_move_to_pid(const char *name, int pid);
int link_ifindex(const char *name);
int link_mac(const char *name, uint8_t mac[6]);
unsigned int link_flags_sysfs(const char *name);	/* /sys/class/net/X/flags */
int file_write_str(const char *path, const char *val);	/* /proc, /sys */
int file_read_str(const char *path, char *buf, size_t len);
long long file_read_ll(const char *path);		/* -1 on error */

/* ---- time ------------------------------------------------------------- */

int64_t now_ms(void);		/* CLOCK_MONOTONIC */
int64_t now_us(void);
int64_t real_ns(void);		/* CLOCK_REALTIME */
void sleep_ms(int ms);

/* ---- frames ----------------------------------------------------------- */

struct frame {
	uint32_t len;
	uint8_t b[MAX_FRAME + 64];
	char desc[64];
};

/* IPv4 helpers take dotted quads. Every builder produces exactly `len`
 * bytes (len >= 60, at least the headers), payload is a pattern keyed by
 * seq so every frame is unique. Return len, or 0 if len is impossible. */
uint32_t mk_udp4(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		 const char *sip, const char *dip, uint16_t sport,
		 uint16_t dport, uint32_t len, uint32_t seq);
#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10
uint32_t mk_tcp4(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		 const char *sip, const char *dip, uint16_t sport,
		 uint16_t dport, uint8_t flags, uint32_t len, uint32_t seq);
/* TCP with 4 bytes of IP options (IHL 6). */
uint32_t mk_tcp4_opts(struct frame *f, const uint8_t dst[6],
		      const uint8_t src[6], const char *sip, const char *dip,
		      uint16_t sport, uint16_t dport, uint8_t flags,
		      uint32_t len, uint32_t seq);
/* UDP fragment: frag_off in 8-byte units, mf = more fragments. For a
 * non-first fragment there is no UDP header. */
uint32_t mk_udp4_frag(struct frame *f, const uint8_t dst[6],
		      const uint8_t src[6], const char *sip, const char *dip,
		      uint16_t sport, uint16_t dport, uint16_t frag_off,
		      bool mf, uint32_t len, uint32_t seq);
uint32_t mk_icmp4(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		  const char *sip, const char *dip, uint8_t type,
		  uint32_t len, uint32_t seq);
/* ARP request (op 1) or reply (op 2), padded to len (>= 60). */
uint32_t mk_arp(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		uint16_t op, const char *sip, const char *tip, uint32_t len);
/* IPv6 with next header 17 (UDP), 6 (TCP SYN) or 58 (ICMPv6 echo). */
uint32_t mk_ip6(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		const char *sip, const char *dip, uint8_t nxt, uint16_t sport,
		uint16_t dport, uint32_t len, uint32_t seq);
/* Any ethertype, payload pattern. */
uint32_t mk_raw(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		uint16_t ethertype, uint32_t len, uint32_t seq);
/* 802.1Q-tagged (tpid 0x8100 or 0x88a8) UDP/IPv4 frame; with inner_vid
 * >= 0 a second 0x8100 tag follows (QinQ). len counts the tags. */
uint32_t mk_vlan_udp4(struct frame *f, const uint8_t dst[6],
		      const uint8_t src[6], uint16_t tpid, uint16_t tci,
		      int inner_vid, uint32_t len, uint32_t seq);

/* A varied frame of exactly len bytes; kind cycles through UDP, TCP,
 * ICMP, IPv6, raw ethertype (ARP when len == 60 and kind says so). */
uint32_t mk_mixed(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		  unsigned int kind, uint32_t len, uint32_t seq);

extern const uint8_t mac_bcast[6];

/* ---- sockets ----------------------------------------------------------- */

/* AF_PACKET SOCK_RAW bound to ifindex with protocol 0: sends, never
 * receives. */
int tx_socket(int ifindex);
int tx_send(int s, const struct frame *f);	/* 0 or -1 */
int tx_send_all(int s, const struct frame *f, int n);
/* AF_PACKET SOCK_RAW bound to ifindex for ETH_P_ALL, optionally with a
 * classic filter attached before binding (prog may be NULL). */
int rx_socket(int ifindex, const struct sock_filter *prog, unsigned int len);

/* ---- /dev/npf ---------------------------------------------------------- */

int npf_open(int extra_flags);			/* O_RDWR | extra */
int npf_bind(int fd, const char *ifname);
int npf_set_timeout(int fd, int32_t ms);
int npf_set_mintocopy(int fd, uint32_t bytes);
int npf_set_bufsize(int fd, uint32_t bytes);
int npf_set_filter(int fd, const struct sock_filter *insns, uint32_t len);
int npf_stats(int fd, struct npf_stats *st);
int npf_stats32(int fd, struct bpf_stat *st);
/* tcpdump expression compiled by libpcap for DLT_EN10MB with snaplen;
 * *out is malloc()ed, caller frees. Returns instruction count or -1. */
int compile_filter(const char *expr, int snaplen, struct sock_filter **out);
/* libpcap's own interpreter as a third opinion: the snap length it
 * returns for this frame. */
uint32_t offline_filter(const struct sock_filter *insns, uint32_t len,
			const struct frame *f);

/* Wait until capt + drop + filtered + nomem >= n (every frame the tap saw
 * is accounted for). Returns 0, or -1 on timeout/error. */
int npf_wait_accounted(int fd, uint64_t n, int timeout_ms);
/* Wait until bs_recv >= n. */
int npf_wait_recv(int fd, uint64_t n, int timeout_ms);

/* ---- records ----------------------------------------------------------- */

struct rec {
	struct bpf_hdr h;
	uint32_t off;		/* offset in the read buffer it came from */
	uint8_t data[MAX_FRAME + 64];
};

struct reclist {
	int n, cap;
	int reads;		/* read() calls that returned > 0 */
	struct rec *r;
};

void reclist_init(struct reclist *l);
void reclist_free(struct reclist *l);
void reclist_clear(struct reclist *l);

/*
 * Parse one read()'s worth of records, checking the documented layout:
 * bh_hdrlen == 32, bh_caplen <= bh_datalen, caplen <= 65535, pad fields and
 * tv_pad zero, tv_usec below 1e6 (1e9 when nano), every record at an
 * NPF_WORDALIGN offset and the walk ending exactly at len. Appends to l.
 * Returns the number of records, or -1 (npf_err says why).
 */
int parse_records(const uint8_t *buf, size_t len, struct reclist *l,
		  bool nano);

/*
 * read() repeatedly (buffer of bufsize bytes) until `want` records have
 * been collected or timeout_ms passed. A read returning 0 or failing with
 * EAGAIN is retried after a short pause. Returns the records collected, or
 * -1 on a read error other than EAGAIN / a layout error.
 */
int collect(int fd, struct reclist *l, int want, int timeout_ms,
	    size_t bufsize);

/* Record i equals frame f byte for byte (caplen == datalen == len). */
bool rec_matches(const struct rec *r, const struct frame *f);
/* Record i is frame f cut at snap. */
bool rec_matches_snap(const struct rec *r, const struct frame *f,
		      uint32_t snap);

/* Interrupt a blocking syscall after ms milliseconds with SIGALRM (the
 * handler does nothing and is installed without SA_RESTART, so the call
 * fails with EINTR). ms == 0 disarms. */
void alarm_ms(int ms);

/* Is thread tid of this process asleep (state S) inside system call nr or
 * nr2 (/proc/self/task/TID/{stat,syscall})? */
bool task_asleep_in(int tid, long nr, long nr2);
/* Wait up to ms for it; 0 or -1 (npf_err says what it was doing). */
int wait_task_asleep_in(int tid, long nr, long nr2, int ms);

/* ---- a reader thread blocked in read() ------------------------------ */

#include <pthread.h>
#include <sys/types.h>

struct reader {
	int fd;
	pthread_t th;
	uint8_t *buf;
	size_t bufsz;
	int done;		/* atomic */
	ssize_t ret;
	int err;
	int64_t t_start, t_end;
};

/* Start a thread doing one read(fd, 1 MiB) and give it 100 ms to block. */
int reader_start(struct reader *r, int fd);
/* Has it returned within ms? */
bool reader_wait(struct reader *r, int ms);
/* Make sure the thread is gone (SIGUSR1 interrupts its read if needed). */
void reader_stop(struct reader *r);

#endif
