/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the hostile-input suites (hostile, fuzz, faults, load), on
 * top of npf_util.h: hostile memory (PROT_NONE, read-only, unmapped pages,
 * buffers that run into a PROT_NONE page), dropping privileges, passing
 * file descriptors, a seeded generator of inputs (fuzz, cfuzz), surviving
 * a fault in a mapping (hammer, cfuzz), a small client of the "npf"
 * generic netlink family, a checker for the pcap files the kernel dump
 * writes, and shell commands.
 *
 * Everything here is static: each program includes it once.
 */
#ifndef NPF_HOSTILE_UTIL_H
#define NPF_HOSTILE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "npf_util.h"

#define NOBODY		65534
#define PAGE		4096
/* The start of the x86_64 kernel text: never a user address. */
#define KERNEL_ADDR	((void *)0xffffffff81000000UL)
/* NULL that the compiler cannot see through (read(fd, NULL, n) is what
 * the tests mean) */
static void *volatile null_ptr __attribute__((unused));

/* A value the compiler cannot reason about (huge sizes on purpose). */
static inline size_t opaque(size_t v)
{
	__asm__ volatile("" : "+r"(v));
	return v;
}

#define EXPECT_ERRNO(err, call)						\
	do {								\
		errno = 0;						\
		EXPECT_EQ(-1, (long)(call)) TH_LOG("%s succeeded", #call); \
		EXPECT_EQ(err, errno) TH_LOG("%s: %s, want %s", #call,	\
					     strerror(errno),		\
					     strerror(err));		\
	} while (0)

/* NPF_ONLY=substring runs only the tests whose name has it (a debugging
 * aid: the harness of this kernel has no filter); in FIXTURE_SETUP. */
#define NPF_ONLY_OR_SKIP()						\
	do {								\
		const char *_o = getenv("NPF_ONLY");			\
		if (_o && *_o && !strstr(_metadata->name, _o))		\
			_exit(255);					\
	} while (0)

/* A number from the environment (a seed, a size), or def. */
static __attribute__((unused)) long env_long(const char *name, long def)
{
	const char *e = getenv(name);

	return e && *e ? strtol(e, NULL, 0) : def;
}

/* ---- the generator ----------------------------------------------------- */

/* Seeded: a seed printed with a failure replays the run. */
struct rng {
	uint64_t s;
};

static __attribute__((unused)) uint64_t rnd(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

static __attribute__((unused)) uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

static __attribute__((unused)) bool chance(struct rng *r, int pct)
{
	return below(r, 100) < (uint32_t)pct;
}

/* ---- faults reading a mapping ------------------------------------------ */

/*
 * A SIGBUS/SIGSEGV reading what npf mapped is a failure to report, not the
 * end of the program: the reader points fault_jmp at its sigsetjmp() for
 * the time of the read, and the signal comes back there.
 */
static __thread sigjmp_buf *fault_jmp __attribute__((unused));

static void fault_handler(int sig)
{
	if (fault_jmp)
		siglongjmp(*fault_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static __attribute__((unused)) void install_fault_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fault_handler;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/* ---- hostile memory ---------------------------------------------------- */

struct badmem {
	uint8_t *ro;		/* a read-only page */
	uint8_t *rw;		/* a writable page, directly followed by ... */
	uint8_t *none;		/* ... a PROT_NONE page */
	uint8_t *unmapped;	/* a page that was mapped, then unmapped */
	uint8_t *base;
};

/* edge(b, n): n good bytes, then PROT_NONE. */
#define EDGE(b, n)	((b)->none - (n))

/* ro_init (ro_len bytes, may be NULL) is what the read-only page holds. */
static __attribute__((unused))
int badmem_init(struct badmem *b, const void *ro_init, size_t ro_len)
{
	uint8_t *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	memset(b, 0, sizeof(*b));
	if (p == MAP_FAILED)
		return npf_fail("mmap: %s", strerror(errno));
	b->base = p;
	b->ro = p;
	b->rw = p + PAGE;
	b->none = p + 2 * PAGE;
	b->unmapped = p + 3 * PAGE;
	if (ro_init)
		memcpy(b->ro, ro_init, ro_len < PAGE ? ro_len : PAGE);
	if (mprotect(b->ro, PAGE, PROT_READ) ||
	    mprotect(b->none, PAGE, PROT_NONE) ||
	    munmap(b->unmapped, PAGE))
		return npf_fail("mprotect/munmap: %s", strerror(errno));
	return 0;
}

static __attribute__((unused)) void badmem_free(struct badmem *b)
{
	if (b->base)
		munmap(b->base, 3 * PAGE);
	b->base = NULL;
}

/* ---- privileges and processes ------------------------------------------ */

static __attribute__((unused)) int caps_set(uint64_t keep)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)keep;
	d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &h, d))
		return npf_fail("capset: %s", strerror(errno));
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

#define CAPBIT(c)	(1ULL << (c))

/* uid/gid 65534, no supplementary groups, only the capabilities in keep. */
static __attribute__((unused)) int become_nobody(uint64_t keep)
{
	if (prctl(PR_SET_KEEPCAPS, keep ? 1 : 0, 0, 0, 0) ||
	    setgroups(0, NULL) ||
	    setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return npf_fail("dropping to uid %d: %s", NOBODY, strerror(errno));
	/* so that /proc/self stays ours (uid_map, setgroups) */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	return caps_set(keep);
}

/*
 * Run fn(arg) in a child and return its exit status (0..255), or 256 + the
 * signal that killed it. The child's stdout/stderr are the test's.
 */
static __attribute__((unused))
int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		fflush(NULL);
		_exit(fn(arg) & 0xff);
	}
	if (pid < 0)
		return 255;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 255;
	if (WIFSIGNALED(st))
		return 256 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static __attribute__((unused)) int send_fd(int sock, int fd)
{
	char c = 'f';
	struct iovec iov = { &c, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c1 = CMSG_FIRSTHDR(&m);

	memset(&u, 0, sizeof(u));
	c1->cmsg_level = SOL_SOCKET;
	c1->cmsg_type = SCM_RIGHTS;
	c1->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c1), &fd, sizeof(int));
	if (sendmsg(sock, &m, 0) != 1)
		return npf_fail("sendmsg SCM_RIGHTS: %s", strerror(errno));
	return 0;
}

static __attribute__((unused)) int recv_fd(int sock)
{
	char c;
	struct iovec iov = { &c, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c1;
	int fd;

	if (recvmsg(sock, &m, 0) != 1)
		return npf_fail("recvmsg SCM_RIGHTS: %s", strerror(errno));
	c1 = CMSG_FIRSTHDR(&m);
	if (!c1 || c1->cmsg_type != SCM_RIGHTS)
		return npf_fail("no fd received");
	memcpy(&fd, CMSG_DATA(c1), sizeof(int));
	return fd;
}

/* system() of a formatted command, output thrown away; its exit status. */
static __attribute__((format(printf, 1, 2), unused))
int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 20, fmt, ap);
	va_end(ap);
	strcat(cmd, " >/dev/null 2>&1");
	st = system(cmd);
	if (st < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Join, but give up after ms: a thread stuck in the kernel never returns. */
static __attribute__((unused)) bool join_within(pthread_t th, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return pthread_timedjoin_np(th, NULL, &ts) == 0;
}

/* The multicast list of the adapter the open fd is bound to: how many
 * addresses it has (an OID query), or -1. */
static __attribute__((unused)) int mc_count_fd(int fd)
{
	struct {
		struct npf_oid_data h;
		uint8_t d[4096];
	} q = { { OID_802_3_MULTICAST_LIST, 4096 }, { 0 } };

	if (ioctl(fd, BIOCQUERYOID, &q))
		return -1;
	return (int)(q.h.length / 6);
}

/* The same through an open of its own bound to ifname. */
static __attribute__((unused)) int mc_count(const char *ifname)
{
	int fd = npf_open(0), n = -1;

	if (fd < 0)
		return -1;
	if (!npf_bind(fd, ifname))
		n = mc_count_fd(fd);
	close(fd);
	return n;
}

/* ---- the "npf" generic netlink family ---------------------------------- */

struct nl_open {
	uint64_t id;
	uint32_t pid, ifindex, mode, bufsize, bufused, mintocopy;
	int32_t timeout;
	bool has_if, gone, filtered, promisc, dumping;
	char ifname[16];
	uint64_t recv, capt, drop, rejects, nomem, sent;
};

static int genl_talk(int s, void *req, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(s, req, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return npf_fail("genl send: %s", strerror(errno));
	return 0;
}

struct genl_req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char buf[256];
};

static void genl_put_str(struct genl_req *r, uint16_t type, const char *s)
{
	struct nlattr *a = (struct nlattr *)((char *)r +
					     NLMSG_ALIGN(r->n.nlmsg_len));
	size_t l = strlen(s) + 1;

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + l;
	memcpy((char *)a + NLA_HDRLEN, s, l);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

typedef int (*genl_cb)(void *ctx, struct nlattr *attrs, int len);

/*
 * Receive until NLMSG_DONE (dumps) or the ack/answer; cb for each answer.
 * Returns 0, or -errno from the kernel (errno set too), or -EIO.
 */
static int genl_recv(int s, genl_cb cb, void *ctx, bool dump)
{
	static char buf[65536];

	for (;;) {
		ssize_t len = recv(s, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len < 0) {
			npf_fail("genl recv: %s", strerror(errno));
			return -errno;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error)
					npf_fail("genl: %s", strerror(-e->error));
				errno = -e->error;
				return e->error;
			}
			if (cb) {
				struct genlmsghdr *g = NLMSG_DATA(h);
				int alen = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

				cb(ctx, (struct nlattr *)((char *)g + GENL_HDRLEN),
				   alen);
			}
			if (!dump)
				return 0;
		}
	}
}

#define NLA_FOR(a, attrs, len)						\
	for (a = (attrs); (len) >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) && \
	     a->nla_len <= (len);					\
	     len -= NLA_ALIGN(a->nla_len),				\
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))

static int genl_family_cb(void *ctx, struct nlattr *attrs, int len)
{
	struct nlattr *a;

	NLA_FOR(a, attrs, len)
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			*(int *)ctx = *(uint16_t *)NLA_DATA(a);
	return 0;
}

/* A socket and the family's id; -errno (ENOENT: no such family). */
static __attribute__((unused)) int genl_open(int *famid)
{
	struct genl_req r;
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int ret, id = -1;

	if (s < 0)
		return -errno;
	memset(&r, 0, sizeof(r));
	r.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r.n.nlmsg_type = GENL_ID_CTRL;
	r.n.nlmsg_flags = NLM_F_REQUEST;
	r.g.cmd = CTRL_CMD_GETFAMILY;
	r.g.version = 1;
	genl_put_str(&r, CTRL_ATTR_FAMILY_NAME, NPF_GENL_NAME);
	if (genl_talk(s, &r, r.n.nlmsg_len)) {
		close(s);
		return -EIO;
	}
	ret = genl_recv(s, genl_family_cb, &id, false);
	if (ret || id < 0) {
		close(s);
		return ret ? ret : -ENOENT;
	}
	*famid = id;
	return s;
}

static int genl_open_cb(void *ctx, struct nlattr *attrs, int len)
{
	struct nl_open **pp = ctx;
	struct nl_open *o = *pp;
	struct nlattr *a;

	memset(o, 0, sizeof(*o));
	NLA_FOR(a, attrs, len) {
		void *d = NLA_DATA(a);

		switch (a->nla_type & NLA_TYPE_MASK) {
		case NPF_A_OPEN_ID: memcpy(&o->id, d, 8); break;
		case NPF_A_OPEN_PID: o->pid = *(uint32_t *)d; break;
		case NPF_A_OPEN_IFINDEX:
			o->ifindex = *(uint32_t *)d;
			o->has_if = true;
			break;
		case NPF_A_OPEN_IFNAME:
			snprintf(o->ifname, sizeof(o->ifname), "%s", (char *)d);
			break;
		case NPF_A_OPEN_GONE: o->gone = true; break;
		case NPF_A_OPEN_MODE: o->mode = *(uint32_t *)d; break;
		case NPF_A_OPEN_BUFSIZE: o->bufsize = *(uint32_t *)d; break;
		case NPF_A_OPEN_BUFUSED: o->bufused = *(uint32_t *)d; break;
		case NPF_A_OPEN_MINTOCOPY: o->mintocopy = *(uint32_t *)d; break;
		case NPF_A_OPEN_TIMEOUT: o->timeout = *(int32_t *)d; break;
		case NPF_A_OPEN_FILTERED: o->filtered = true; break;
		case NPF_A_OPEN_PROMISC: o->promisc = true; break;
		case NPF_A_OPEN_DUMPING: o->dumping = true; break;
		case NPF_A_OPEN_RECV: memcpy(&o->recv, d, 8); break;
		case NPF_A_OPEN_CAPT: memcpy(&o->capt, d, 8); break;
		case NPF_A_OPEN_DROP: memcpy(&o->drop, d, 8); break;
		case NPF_A_OPEN_FILTER_REJECTS: memcpy(&o->rejects, d, 8); break;
		case NPF_A_OPEN_NOMEM: memcpy(&o->nomem, d, 8); break;
		case NPF_A_OPEN_SENT: memcpy(&o->sent, d, 8); break;
		}
	}
	(*pp)++;
	return 0;
}

struct genl_opens_ctx {
	struct nl_open *cur, *end;
	int n;
};

static int genl_opens_cb(void *ctx, struct nlattr *attrs, int len)
{
	struct genl_opens_ctx *c = ctx;
	struct nl_open scratch, *p = c->cur < c->end ? c->cur : &scratch;
	struct nl_open *q = p;

	genl_open_cb(&q, attrs, len);
	if (c->cur < c->end)
		c->cur++;
	c->n++;
	return 0;
}

/*
 * NPF_CMD_GET_OPEN: the opens of the caller's namespace (at most max of
 * them stored). Returns how many there are, or -errno (EPERM without
 * CAP_NET_ADMIN).
 */
static __attribute__((unused)) int genl_npf_opens(struct nl_open *out, int max)
{
	struct genl_opens_ctx c = { out, out + max, 0 };
	struct genl_req r;
	int id = 0, ret, s = genl_open(&id);

	if (s < 0)
		return s;
	memset(&r, 0, sizeof(r));
	r.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r.n.nlmsg_type = id;
	r.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.g.cmd = NPF_CMD_GET_OPEN;
	r.g.version = NPF_GENL_VERSION;
	ret = genl_talk(s, &r, r.n.nlmsg_len) ? -EIO :
	      genl_recv(s, genl_opens_cb, &c, true);
	close(s);
	return ret ? ret : c.n;
}

struct genl_info_ans {
	uint32_t opens, max_buffer_size, api_major;
	bool have_opens;
};

static int genl_info_cb(void *ctx, struct nlattr *attrs, int len)
{
	struct genl_info_ans *i = ctx;
	struct nlattr *a;

	NLA_FOR(a, attrs, len) {
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NPF_A_OPENS:
			i->opens = *(uint32_t *)NLA_DATA(a);
			i->have_opens = true;
			break;
		case NPF_A_MAX_BUFFER_SIZE:
			i->max_buffer_size = *(uint32_t *)NLA_DATA(a);
			break;
		case NPF_A_API_MAJOR:
			i->api_major = *(uint32_t *)NLA_DATA(a);
			break;
		}
	}
	return 0;
}

/* NPF_CMD_GET_INFO; 0 or -errno. */
static __attribute__((unused)) int genl_npf_info(struct genl_info_ans *ans)
{
	struct genl_req r;
	int id = 0, ret, s = genl_open(&id);

	memset(ans, 0, sizeof(*ans));
	if (s < 0)
		return s;
	memset(&r, 0, sizeof(r));
	r.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r.n.nlmsg_type = id;
	r.n.nlmsg_flags = NLM_F_REQUEST;
	r.g.cmd = NPF_CMD_GET_INFO;
	r.g.version = NPF_GENL_VERSION;
	ret = genl_talk(s, &r, r.n.nlmsg_len) ? -EIO :
	      genl_recv(s, genl_info_cb, ans, false);
	close(s);
	return ret;
}

/* ---- pcap files the kernel dump wrote ---------------------------------- */

struct pcap_check {
	uint32_t magic, snaplen, linktype;
	uint64_t packets, bytes;
};

typedef void (*pcap_rec_cb)(void *ctx, const uint8_t *data, uint32_t caplen,
			    uint32_t len);

/*
 * A whole, well-formed pcap file: a 24-byte header with a pcap magic,
 * then records whose caplen <= snaplen and <= len, ending exactly at the
 * end of the file. cb (may be NULL) sees every record.
 */
static __attribute__((unused))
int pcap_check_file(const char *path, struct pcap_check *pc, pcap_rec_cb cb,
		    void *ctx)
{
	struct stat st;
	uint8_t *m;
	size_t off = 24;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(pc, 0, sizeof(*pc));
	if (fd < 0)
		return npf_fail("open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || st.st_size < 24) {
		close(fd);
		return npf_fail("%s: %lld bytes, no pcap header", path,
				(long long)st.st_size);
	}
	m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return npf_fail("mmap %s: %s", path, strerror(errno));
	memcpy(&pc->magic, m, 4);
	memcpy(&pc->snaplen, m + 16, 4);
	memcpy(&pc->linktype, m + 20, 4);
	pc->bytes = st.st_size;
	if (pc->magic != 0xa1b2c3d4 && pc->magic != 0xa1b23c4d) {
		munmap(m, st.st_size);
		return npf_fail("%s: magic %#x", path, pc->magic);
	}
	while (off < (size_t)st.st_size) {
		uint32_t h[4];

		if (st.st_size - off < 16) {
			munmap(m, st.st_size);
			return npf_fail("%s: %zu stray bytes after record %llu",
					path, st.st_size - off,
					(unsigned long long)pc->packets);
		}
		memcpy(h, m + off, 16);
		if (h[2] > h[3] || h[2] > pc->snaplen ||
		    h[2] > st.st_size - off - 16 ||
		    h[1] >= (pc->magic == 0xa1b2c3d4 ? 1000000u : 1000000000u)) {
			munmap(m, st.st_size);
			return npf_fail("%s: record %llu at %zu: caplen %u len %u frac %u (snaplen %u, %zu bytes left)",
					path, (unsigned long long)pc->packets, off,
					h[2], h[3], h[1], pc->snaplen,
					st.st_size - off - 16);
		}
		if (cb)
			cb(ctx, m + off + 16, h[2], h[3]);
		off += 16 + h[2];
		pc->packets++;
	}
	munmap(m, st.st_size);
	return 0;
}

/* ---- dump files -------------------------------------------------------- */

static __attribute__((unused))
int npf_dump_file(int fd, const char *path, uint32_t flags)
{
	struct npf_dump_name dn;

	memset(&dn, 0, sizeof(dn));
	dn.path = (uint64_t)(uintptr_t)path;
	dn.flags = flags;
	if (ioctl(fd, BIOCSETDUMPFILENAME, &dn))
		return npf_fail("BIOCSETDUMPFILENAME %s: %s", path,
				strerror(errno));
	return 0;
}

static __attribute__((unused)) int npf_set_mode(int fd, uint32_t mode)
{
	if (ioctl(fd, BIOCSMODE, &mode))
		return npf_fail("BIOCSMODE %#x: %s", mode, strerror(errno));
	return 0;
}

static __attribute__((unused))
int npf_dump_stats(int fd, struct npf_dump_stats *ds)
{
	memset(ds, 0xa5, sizeof(*ds));
	if (ioctl(fd, BIOCGDUMPSTATS, ds))
		return npf_fail("BIOCGDUMPSTATS: %s", strerror(errno));
	return 0;
}

#endif
