// SPDX-License-Identifier: GPL-2.0
/*
 * A concurrent random-sequence fuzzer of /dev/npf. Where fuzz.c throws
 * garbage at the interface, this one makes valid-ish calls, the kind a
 * program makes, from several threads at once, on opens that the threads
 * share (one fd number, replaced now and then by a fresh open with dup3)
 * and on opens of their own, while adapters come and go:
 *
 *   BIOCSETIF among veths, a dummy, lo, adapters another thread creates,
 *   deletes, takes down and moves to another network namespace, and a name
 *   that does not exist; BIOCSETF with programs libpcap compiled; ring
 *   sizes, timeouts, MinToCopy, modes (CAPT, STAT, DUMP, STAT|DUMP), dump
 *   files (by name, and by fd where the module has BIOCSETDUMPFD), dump
 *   limits and statistics, record formats, timestamp units, counters, the
 *   packet filter and multicast list OIDs and every query OID, read()
 *   blocking and not, write() with repeats, small send queues (NOSYNC, and
 *   SYNC with gaps of a few ms), mmap/munmap and BIOCMMAPNEXT, poll(),
 *   O_NONBLOCK on and off, close and reopen; frames flow meanwhile.
 *
 * What it asserts: every call fails, if at all, with an errno that
 * uapi/linux/npf.h documents for that call in that situation (the table
 * is allowed() below; EFAULT is never right: no bad pointer is passed);
 * what read() and BIOCMMAPNEXT return on an open only one thread uses is
 * well-formed for its mode and record format; no call stays in the kernel
 * past a bound (calls that may wait are interrupted with SIGUSR1 after
 * 100 ms, so a wait is always bounded); afterwards every fd closes, every
 * reference (module, promiscuity, multicast addresses, opens) is back and
 * a plain capture works exactly. The kernel log check of the runner
 * (KASAN, lockdep, WARN, kmemleak on the debug kernel) is the other
 * oracle.
 *
 *   NPF_CFUZZ_SEED=N      the seed (default: time ^ pid; printed). Each
 *                         thread's calls come from its own generator
 *                         seeded from it; the interleaving is the
 *                         scheduler's.
 *   NPF_CFUZZ_SECONDS=S   time budget (default 20)
 *   NPF_CFUZZ_THREADS=N   fuzzing threads (default 5, 2 to 8)
 */
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <net/if.h>

#include "hostile_util.h"
#include "harness.h"

#define BIG		(1 << 20)
#define NSHARED		4
#define NPRIV		2
#define MAXTHR		8
#define KICK_MS		100	/* a call that waits longer is interrupted */
#define NETNS_DUMMY	"npfm0"	/* moved to another namespace */
#define PAGE_UP(x)	(((x) + PAGE - 1) & ~(size_t)(PAGE - 1))

static int stuck_ms(void)
{
	return npf_expect_debug() ? 40000 : 10000;
}

/* ---- the generator -------------------------------------------------------- */

#define PICK(r, arr)	((arr)[below((r), sizeof(arr) / sizeof((arr)[0]))])

/* ---- adapters ---------------------------------------------------------------- */

/*
 * What BIOCSETIF may name: the veth pair, lo, a dummy that stays, and
 * the adapters the churn thread makes and unmakes (a veth pair, a dummy,
 * a veth whose peer lives in another namespace, a dummy that moves to
 * another namespace), and one that never exists.
 */
static const char *const adapters[] = {
	IF_A, IF_B, "lo", "npfd0",
	"npfc0", "npfc1", "npfd1", "npfc2", NETNS_DUMMY,
	"npfnone",
};

/* ---- shared state -------------------------------------------------------------- */

#define NPROG	8

struct sigrec {
	char key[64];		/* op and errno, or a record problem */
	char first[1000];	/* the first occurrence, in detail */
	long n;
};

static struct {
	struct npf_env *env;
	const char *dir;
	int shared[NSHARED];
	uint32_t shared_lent[NSHARED];	/* atomic: last batch lent there */
	struct sock_filter *prog[NPROG];
	uint32_t proglen[NPROG];
	bool have_dumpfd;
	int stop;			/* atomic */
	pthread_mutex_t lock;		/* sigs */
	struct sigrec sigs[64];
	int nsigs;
	long overflow;
} g;

/* Remember a problem once per kind, with its first occurrence. */
static __attribute__((format(printf, 2, 3)))
void problem(const char *key, const char *fmt, ...)
{
	va_list ap;
	int i;

	pthread_mutex_lock(&g.lock);
	for (i = 0; i < g.nsigs; i++)
		if (!strcmp(g.sigs[i].key, key))
			break;
	if (i == g.nsigs) {
		if (g.nsigs == (int)(sizeof(g.sigs) / sizeof(g.sigs[0]))) {
			g.overflow++;
			pthread_mutex_unlock(&g.lock);
			return;
		}
		snprintf(g.sigs[i].key, sizeof(g.sigs[i].key), "%s", key);
		va_start(ap, fmt);
		vsnprintf(g.sigs[i].first, sizeof(g.sigs[i].first), fmt, ap);
		va_end(ap);
		g.nsigs++;
	}
	g.sigs[i].n++;
	pthread_mutex_unlock(&g.lock);
}

/* ---- a fuzzing thread ------------------------------------------------------------ */

/* What a thread knows of an open only it uses. */
struct slot {
	int fd;
	uint32_t mode, recfmt, ring;
	int32_t timeout;
	bool nonblock;
	uint8_t *map;
	size_t maplen;
	struct npf_mmap_batch b;	/* the last batch: b.len is lent */
	int next_err;			/* how the last BIOCMMAPNEXT ended */
	char hist[8][100];		/* the last calls on it, for reports */
	int hn;
};

struct fuzzer {
	int id;
	struct rng r;
	pthread_t th;
	struct slot priv[NPRIV];
	struct slot *cur;	/* the private open of this call, or NULL */
	char keyx[32];		/* what tells failures of this call apart */
	uint8_t *buf;
	int64_t in_call_since;	/* atomic; 0 when not in a call */
	sig_atomic_t sigs0;	/* usr1_seen when the call began */
	char what[160];		/* the current call */
	long calls, ok, failed, kicks;
	long n_op[40];
};

static void slot_init(struct slot *s, int fd)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->ring = 1000000;
	s->timeout = 1000;
}

/* SIGUSR1s this thread received: EINTR is right only after one. */
static __thread volatile sig_atomic_t usr1_seen;

static void usr1(int sig)
{
	(void)sig;
	usr1_seen++;
}

/* ---- the errno table ---------------------------------------------------------- */

enum op {
	OP_SETIF, OP_SETF, OP_BUFSIZE, OP_TIMEOUT, OP_MINTOCOPY, OP_MODE,
	OP_DUMPNAME, OP_DUMPFD, OP_DUMPLIMITS, OP_DUMPSTATS, OP_DUMPENDED,
	OP_RECFMT, OP_TSTAMP, OP_STATS, OP_STATSEX, OP_OID_PF, OP_OID_MC,
	OP_OID_RO, OP_QUERYOID, OP_DLT, OP_WRITEREP, OP_LOBBEH, OP_VERSION,
	OP_READ, OP_WRITE, OP_SENDQ, OP_MMAP, OP_MMAPNEXT, OP_MUNMAP, OP_POLL,
	OP_NONBLOCK, OP_REOPEN, OP_MAX
};

static const char *const op_name[OP_MAX] = {
	"BIOCSETIF", "BIOCSETF", "BIOCSETBUFFERSIZE", "BIOCSRTIMEOUT",
	"BIOCSMINTOCOPY", "BIOCSMODE", "BIOCSETDUMPFILENAME", "BIOCSETDUMPFD",
	"BIOCSETDUMPLIMITS", "BIOCGDUMPSTATS", "BIOCISDUMPENDED",
	"BIOCSRECFMT", "BIOCSTIMESTAMPMODE", "BIOCGSTATS", "BIOCGSTATSEX",
	"BIOCSETOID(packet filter)", "BIOCSETOID(multicast list)",
	"BIOCSETOID(read-only OID)", "BIOCQUERYOID", "BIOCGDLT",
	"BIOCSWRITEREP", "BIOCISETLOBBEH", "BIOCVERSION", "read", "write",
	"BIOCSENDPACKETS", "mmap", "BIOCMMAPNEXT", "munmap", "poll",
	"fcntl(O_NONBLOCK)", "reopen",
};

/*
 * The errnos uapi/linux/npf.h documents for each call made here with a
 * valid argument. ENXIO: no binding yet; ENODEV: the adapter went away
 * (the churn thread deletes them); EINTR: only after our SIGUSR1, which
 * the caller checks. State-dependent ones (EBUSY of a read while a batch
 * is lent, EINVAL of BIOCMMAPNEXT outside MODE_CAPT...) are narrowed for
 * the opens a thread has to itself, in check().
 */
static bool allowed(enum op op, int e)
{
	switch (op) {
	case OP_SETIF:
		/* no such adapter here, link type, a dump file is open */
		return e == ENODEV || e == EOPNOTSUPP || e == EBUSY;
	case OP_BUFSIZE:
		return e == EBUSY;		/* mapped */
	case OP_MINTOCOPY:
		return e == EINVAL;		/* above the ring size */
	case OP_DUMPNAME:
	case OP_DUMPFD:
	case OP_DLT:
		return e == ENXIO || e == ENODEV;
	case OP_OID_PF:
	case OP_QUERYOID:
		/* a query into a buffer too short: EINVAL */
		return e == ENXIO || e == ENODEV ||
		       (op == OP_QUERYOID && (e == EINVAL || e == EOPNOTSUPP));
	case OP_OID_MC:
		/* EINVAL: not an Ethernet adapter (lo) */
		return e == ENXIO || e == ENODEV || e == EINVAL;
	case OP_OID_RO:
		return e == EOPNOTSUPP;
	case OP_READ:
		/*
		 * EAGAIN non-blocking, EMSGSIZE a small buffer, EBUSY a batch
		 * lent, EINVAL MODE_STAT with timeout 0
		 */
		return e == ENXIO || e == ENODEV || e == EAGAIN ||
		       e == EMSGSIZE || e == EBUSY || e == EINVAL;
	case OP_WRITE:
	case OP_SENDQ:
		return e == ENXIO || e == ENODEV || e == ENETDOWN ||
		       e == EAGAIN || e == ENOBUFS;
	case OP_MMAP:
		/*
		 * EINVAL longer than the ring, EPERM writable; a kernel may
		 * refuse a mapping while a resize is under way
		 */
		return e == EINVAL || e == EPERM || e == EBUSY || e == EAGAIN;
	case OP_MMAPNEXT:
		/* EINVAL: MODE_STAT/DUMP, or a release that is not the loan */
		return e == ENXIO || e == ENODEV || e == EAGAIN ||
		       e == EINVAL;
	default:
		/* SETF (valid programs), scalars with valid values, queries
		 * that need no binding: nothing */
		return false;
	}
}

/* ---- record checks (opens a thread has to itself) ----------------------------- */

static bool walk_bpf(const uint8_t *p, size_t len, char *why, size_t wl)
{
	size_t off = 0;

	while (off < len) {
		struct bpf_hdr h;

		if (off % NPF_ALIGNMENT || len - off < sizeof(h)) {
			snprintf(why, wl, "record at %zu of %zu: misaligned or cut", off, len);
			return false;
		}
		memcpy(&h, p + off, sizeof(h));
		if (h.bh_hdrlen != sizeof(h) || h.bh_caplen > h.bh_datalen ||
		    h.bh_caplen > 262144 || h.bh_pad0 || h.bh_pad1 ||
		    h.bh_tstamp.tv_pad ||
		    h.bh_caplen > len - off - sizeof(h)) {
			snprintf(why, wl, "record at %zu of %zu: hdrlen %u caplen %u datalen %u",
				 off, len, h.bh_hdrlen, h.bh_caplen, h.bh_datalen);
			return false;
		}
		off += NPF_WORDALIGN(sizeof(h) + h.bh_caplen);
	}
	if (off != len) {
		snprintf(why, wl, "walk ends at %zu of %zu", off, len);
		return false;
	}
	return true;
}

static bool walk_pcap(const uint8_t *p, size_t len, char *why, size_t wl)
{
	size_t off = 0;

	while (off < len) {
		struct npf_pcap_hdr h;

		if (len - off < sizeof(h)) {
			snprintf(why, wl, "pcap record at %zu of %zu: cut", off, len);
			return false;
		}
		memcpy(&h, p + off, sizeof(h));
		if (h.caplen > h.len || h.caplen > 262144 ||
		    h.caplen > len - off - sizeof(h)) {
			snprintf(why, wl, "pcap record at %zu of %zu: caplen %u len %u",
				 off, len, h.caplen, h.len);
			return false;
		}
		off += sizeof(h) + h.caplen;
	}
	return true;
}

static bool walk_records(const uint8_t *p, size_t len, uint32_t recfmt,
			 char *why, size_t wl)
{
	sigjmp_buf jb;
	bool ok;
	int sig = sigsetjmp(jb, 1);

	if (sig) {
		fault_jmp = NULL;
		snprintf(why, wl, "signal %d reading %zu bytes", sig, len);
		return false;
	}
	fault_jmp = &jb;
	ok = recfmt == NPF_RECFMT_PCAP ? walk_pcap(p, len, why, wl) :
					 walk_bpf(p, len, why, wl);
	fault_jmp = NULL;
	return ok;
}

/* What a read() on a private open returned, for its mode. */
static void history(struct fuzzer *z, char *h, size_t len);

static void check_read(struct fuzzer *z, struct slot *s, ssize_t n)
{
	char why[160], h[900];

	if (n <= 0)
		return;
	history(z, h, sizeof(h));
	if (s->mode & NPF_MODE_STAT) {
		ssize_t want = s->mode & NPF_MODE_DUMP ?
			       (ssize_t)sizeof(struct npf_stat_dump_record) :
			       (ssize_t)sizeof(struct npf_stat_record);
		struct bpf_hdr hd;

		memcpy(&hd, z->buf, sizeof(hd));
		if (n != want || hd.bh_hdrlen != sizeof(hd) ||
		    hd.bh_caplen != want - sizeof(hd) ||
		    hd.bh_datalen != want - sizeof(hd))
			problem("read: bad MODE_STAT record",
				"thread %d call %ld: %s returned %zd bytes (hdrlen %u caplen %u) in mode %#x%s",
				z->id, z->calls, z->what, n, hd.bh_hdrlen,
				hd.bh_caplen, s->mode, h);
		return;
	}
	if (s->mode & NPF_MODE_DUMP) {
		problem("read: data in MODE_DUMP",
			"thread %d call %ld: %s returned %zd bytes in pure MODE_DUMP%s",
			z->id, z->calls, z->what, n, h);
		return;
	}
	if (!walk_records(z->buf, n, s->recfmt, why, sizeof(why)))
		problem("read: malformed records",
			"thread %d call %ld: %s (recfmt %u): %s%s", z->id,
			z->calls, z->what, s->recfmt, why, h);
}

/* ---- the calls ------------------------------------------------------------------ */

/* The calls before this one on the same private open, oldest first. */
static void history(struct fuzzer *z, char *h, size_t len)
{
	struct slot *s = z->cur;
	size_t off;

	h[0] = 0;
	if (!s)
		return;
	off = snprintf(h, len, "; before, on this open:");
	for (int i = s->hn > 8 ? s->hn - 8 : 0; i < s->hn - 1 && off < len; i++)
		off += snprintf(h + off, len - off, " [%s]", s->hist[i % 8]);
}

static void begin(struct fuzzer *z, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void begin(struct fuzzer *z, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(z->what, sizeof(z->what), fmt, ap);
	va_end(ap);
	z->sigs0 = usr1_seen;
	z->keyx[0] = 0;
	__atomic_store_n(&z->in_call_since, now_ms(), __ATOMIC_RELEASE);
}

/*
 * The call is over: r < 0 with errno e. Returns true if it failed. A
 * failure must have an errno allowed() for the call and not be
 * `impossible` in the state the thread knows; EINTR only if a SIGUSR1 came
 * during the call.
 */
static bool end(struct fuzzer *z, enum op op, long r, int e, bool impossible)
{
	bool kicked;

	__atomic_store_n(&z->in_call_since, 0, __ATOMIC_RELEASE);
	kicked = usr1_seen != z->sigs0;
	z->calls++;
	z->n_op[op]++;
	if (z->cur) {
		struct slot *s = z->cur;

		snprintf(s->hist[s->hn++ % 8], sizeof(s->hist[0]), "%.80s = %s",
			 z->what, r >= 0 ? "ok" : strerrorname_np(e) ?: "?");
	}
	if (r >= 0) {
		z->ok++;
		return false;
	}
	z->failed++;
	if (e == EINTR && kicked)
		return true;
	if (!allowed(op, e) || impossible) {
		char key[64], h[900];

		snprintf(key, sizeof(key), "%s: %s%s", op_name[op],
			 strerrorname_np(e) ?: "?", z->keyx);
		history(z, h, sizeof(h));
		problem(key, "thread %d call %ld: %s: %s%s%s", z->id, z->calls,
			z->what, strerror(e),
			impossible && allowed(op, e) ?
			" (impossible in this state)" : "", h);
	}
	return true;
}

static const uint32_t ring_sizes[] = { 4096, 8192, 16384, 65536, 100000,
				       262144, 1000000 };

/* A multicast list of k addresses. */
static uint32_t mc_list(struct rng *r, uint8_t *d, uint32_t k)
{
	for (uint32_t i = 0; i < k; i++) {
		d[6 * i] = 0x01;
		d[6 * i + 1] = 0x00;
		d[6 * i + 2] = 0x5e;
		d[6 * i + 3] = (uint8_t)below(r, 128);
		d[6 * i + 4] = (uint8_t)below(r, 4);
		d[6 * i + 5] = (uint8_t)(1 + below(r, 8));
	}
	return 6 * k;
}

/* A small send queue of n frames, SYNC gaps of at most 2 ms. */
static uint32_t build_sendq(struct fuzzer *z, uint8_t *q, uint32_t n)
{
	uint32_t off = 0, us = 0;
	struct frame f;

	for (uint32_t i = 0; i < n; i++) {
		struct npf_sendq_hdr h;

		mk_mixed(&f, mac_bcast, g.env->mac_b, below(&z->r, 8),
			 60 + below(&z->r, 400), (uint32_t)(z->id << 24 | i));
		us += below(&z->r, 2000);
		h.tv_sec = 1000;
		h.tv_usec = us;
		h.caplen = h.len = f.len;
		memcpy(q + off, &h, sizeof(h));
		memcpy(q + off + sizeof(h), f.b, f.len);
		off += sizeof(h) + f.len;
	}
	return off;
}

static void do_reopen(struct fuzzer *z, int *fdp, bool shared)
{
	int nfd, r;

	begin(z, "reopen(fd %d%s)", *fdp, shared ? ", shared" : "");
	nfd = open(NPF_DEV, O_RDWR | O_CLOEXEC);
	if (nfd < 0) {
		end(z, OP_REOPEN, -1, errno, true);
		return;
	}
	if (chance(&z->r, 60))
		ioctl(nfd, BIOCSETIF, PICK(&z->r, adapters));
	if (shared) {
		/*
		 * The fd number keeps naming an open of /dev/npf whatever
		 * another thread does with it meanwhile.
		 */
		r = dup3(nfd, *fdp, O_CLOEXEC);
		end(z, OP_REOPEN, r, errno, true);
		close(nfd);
	} else {
		/* a private open: close it with whatever state it has */
		close(*fdp);
		*fdp = nfd;
		end(z, OP_REOPEN, 0, 0, false);
	}
}

static void fuzz_one(struct fuzzer *z)
{
	struct rng *r = &z->r;
	bool shared = chance(r, 50);
	int si = shared ? (int)below(r, NSHARED) : (int)below(r, NPRIV);
	struct slot *s = shared ? NULL : &z->priv[si];
	int fd = shared ? __atomic_load_n(&g.shared[si], __ATOMIC_RELAXED) :
			  s->fd;
	enum op op = (enum op)below(r, OP_MAX);
	long ret = 0;
	uint32_t v;
	int e;

	z->cur = s;
	switch (op) {
	case OP_SETIF: {
		struct npf_ifname n = { { 0 } };

		snprintf(n.name, sizeof(n.name), "%s", PICK(r, adapters));
		begin(z, "BIOCSETIF(fd %d, %s)", fd, n.name);
		ret = ioctl(fd, BIOCSETIF, &n);
		end(z, op, ret, errno, false);
		break;
	}
	case OP_SETF: {
		int k = (int)below(r, NPROG + 1);
		struct npf_program p = { 0 };

		if (k < NPROG) {
			p.bf_len = g.proglen[k];
			p.bf_insns = (uintptr_t)g.prog[k];
		}
		begin(z, "BIOCSETF(fd %d, program %d, %u insns)", fd, k, p.bf_len);
		ret = ioctl(fd, BIOCSETF, &p);
		end(z, op, ret, errno, false);
		break;
	}
	case OP_BUFSIZE:
		v = PICK(r, ring_sizes);
		begin(z, "BIOCSETBUFFERSIZE(fd %d, %u)", fd, v);
		ret = ioctl(fd, BIOCSETBUFFERSIZE, &v);
		e = errno;
		if (!end(z, op, ret, e, s && e == EBUSY && !s->map) && s)
			s->ring = v;
		break;
	case OP_TIMEOUT: {
		static const int32_t t[] = { -1, 1, 5, 20, 50, 0 };
		int32_t tv = chance(r, 5) ? 0 : t[below(r, 5)];

		begin(z, "BIOCSRTIMEOUT(fd %d, %d)", fd, tv);
		ret = ioctl(fd, BIOCSRTIMEOUT, &tv);
		if (!end(z, op, ret, errno, false) && s)
			s->timeout = tv;
		break;
	}
	case OP_MINTOCOPY: {
		static const uint32_t m[] = { 0, 1, 100, 1500, 4096, 16000,
					      65536 };

		v = PICK(r, m);
		begin(z, "BIOCSMINTOCOPY(fd %d, %u)", fd, v);
		ret = ioctl(fd, BIOCSMINTOCOPY, &v);
		e = errno;
		end(z, op, ret, e, s && e == EINVAL && v <= s->ring);
		break;
	}
	case OP_MODE: {
		static const uint32_t m[] = { NPF_MODE_CAPT, NPF_MODE_CAPT,
					      NPF_MODE_STAT, NPF_MODE_DUMP,
					      NPF_MODE_STAT | NPF_MODE_DUMP };

		v = PICK(r, m);
		begin(z, "BIOCSMODE(fd %d, %#x)", fd, v);
		ret = ioctl(fd, BIOCSMODE, &v);
		if (!end(z, op, ret, errno, false) && s)
			s->mode = v;
		break;
	}
	case OP_DUMPNAME: {
		char path[160];
		struct npf_dump_name dn = { 0 };

		snprintf(path, sizeof(path), "%s/n%u.pcap", g.dir, below(r, 6));
		dn.path = (uintptr_t)path;
		dn.flags = below(r, 2) ? NPF_DUMP_NANO : 0;
		begin(z, "BIOCSETDUMPFILENAME(fd %d, %s)", fd, path);
		ret = ioctl(fd, BIOCSETDUMPFILENAME, &dn);
		end(z, op, ret, errno, false);
		break;
	}
	case OP_DUMPFD: {
		char path[160];
		struct npf_dump_fd df = { 0 };
		int f;

		if (!g.have_dumpfd)
			break;
		snprintf(path, sizeof(path), "%s/f%u.pcap", g.dir, below(r, 6));
		f = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (f < 0)
			break;
		df.fd = f;
		df.flags = below(r, 2) ? NPF_DUMP_NANO : 0;
		begin(z, "BIOCSETDUMPFD(fd %d, %s)", fd, path);
		ret = ioctl(fd, BIOCSETDUMPFD, &df);
		end(z, op, ret, errno, false);
		close(f);
		break;
	}
	case OP_DUMPLIMITS: {
		struct npf_dump_limits l = {
			.max_bytes = chance(r, 50) ? 0 : 24 + below(r, 200000),
			.max_packets = chance(r, 50) ? 0 : below(r, 500),
		};

		begin(z, "BIOCSETDUMPLIMITS(fd %d, %llu bytes, %llu packets)",
		      fd, (unsigned long long)l.max_bytes,
		      (unsigned long long)l.max_packets);
		ret = ioctl(fd, BIOCSETDUMPLIMITS, &l);
		end(z, op, ret, errno, false);
		break;
	}
	case OP_DUMPSTATS: {
		struct npf_dump_stats ds;

		begin(z, "BIOCGDUMPSTATS(fd %d)", fd);
		ret = ioctl(fd, BIOCGDUMPSTATS, &ds);
		end(z, op, ret, errno, false);
		break;
	}
	case OP_DUMPENDED:
		begin(z, "BIOCISDUMPENDED(fd %d)", fd);
		ret = ioctl(fd, BIOCISDUMPENDED, &v);
		if (!end(z, op, ret, errno, false) && v > 1)
			problem("BIOCISDUMPENDED: not 0 or 1",
				"thread %d: %s says %u", z->id, z->what, v);
		break;
	case OP_RECFMT:
		v = below(r, 2) ? NPF_RECFMT_PCAP : NPF_RECFMT_BPF;
		begin(z, "BIOCSRECFMT(fd %d, %u)", fd, v);
		ret = ioctl(fd, BIOCSRECFMT, &v);
		if (!end(z, op, ret, errno, false) && s)
			s->recfmt = v;
		break;
	case OP_TSTAMP:
		v = below(r, 2) ? NPF_TSTAMP_NANO : NPF_TSTAMP_MICRO;
		begin(z, "BIOCSTIMESTAMPMODE(fd %d, %u)", fd, v);
		ret = ioctl(fd, BIOCSTIMESTAMPMODE, &v);
		end(z, op, ret, errno, false);
		break;
	case OP_STATS: {
		struct bpf_stat st;

		begin(z, "BIOCGSTATS(fd %d)", fd);
		ret = ioctl(fd, BIOCGSTATS, &st);
		end(z, op, ret, errno, false);
		break;
	}
	case OP_STATSEX: {
		struct npf_stats st;

		begin(z, "BIOCGSTATSEX(fd %d)", fd);
		ret = ioctl(fd, BIOCGSTATSEX, &st);
		end(z, op, ret, errno, false);
		break;
	}
	case OP_OID_PF: {
		static const uint32_t f[] = {
			0,
			NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |
			NDIS_PACKET_TYPE_BROADCAST,
			NDIS_PACKET_TYPE_PROMISCUOUS,
			NDIS_PACKET_TYPE_ALL_MULTICAST |
			NDIS_PACKET_TYPE_DIRECTED,
			NDIS_PACKET_TYPE_PROMISCUOUS |
			NDIS_PACKET_TYPE_ALL_MULTICAST,
			NDIS_PACKET_TYPE_ALL_LOCAL,
		};
		struct {
			struct npf_oid_data h;
			uint32_t v;
		} q = { { OID_GEN_CURRENT_PACKET_FILTER, 4 }, PICK(r, f) };

		begin(z, "BIOCSETOID(fd %d, packet filter %#x)", fd, q.v);
		ret = ioctl(fd, BIOCSETOID, &q);
		end(z, op, ret, errno, false);
		break;
	}
	case OP_OID_MC: {
		struct {
			struct npf_oid_data h;
			uint8_t d[6 * 8];
		} q = { { OID_802_3_MULTICAST_LIST, 0 }, { 0 } };

		q.h.length = mc_list(r, q.d, below(r, 9));
		begin(z, "BIOCSETOID(fd %d, multicast list of %u)", fd,
		      q.h.length / 6);
		ret = ioctl(fd, BIOCSETOID, &q);
		end(z, op, ret, errno, false);
		break;
	}
	case OP_OID_RO: {
		static const uint32_t ro[] = {
			OID_GEN_MEDIA_IN_USE, OID_GEN_LINK_SPEED,
			OID_GEN_MAXIMUM_FRAME_SIZE, OID_802_3_CURRENT_ADDRESS,
			OID_GEN_RCV_OK,
		};
		struct {
			struct npf_oid_data h;
			uint8_t d[8];
		} q = { { PICK(r, ro), 4 }, { 0 } };

		begin(z, "BIOCSETOID(fd %d, read-only %#x)", fd, q.h.oid);
		ret = ioctl(fd, BIOCSETOID, &q);
		e = errno;
		/* the OID is not settable: success is wrong too */
		if (!end(z, op, ret, e, false))
			problem("BIOCSETOID(read-only OID): succeeded",
				"thread %d: %s succeeded", z->id, z->what);
		break;
	}
	case OP_QUERYOID: {
		static const uint32_t qo[] = {
			OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_MEDIA_IN_USE,
			OID_GEN_MAXIMUM_FRAME_SIZE, OID_GEN_LINK_SPEED,
			OID_GEN_MAXIMUM_TOTAL_SIZE,
			OID_GEN_MEDIA_CONNECT_STATUS, OID_GEN_XMIT_OK,
			OID_GEN_RCV_OK, OID_GEN_XMIT_ERROR, OID_GEN_RCV_ERROR,
			OID_GEN_RCV_NO_BUFFER, OID_802_3_PERMANENT_ADDRESS,
			OID_802_3_CURRENT_ADDRESS, OID_802_3_MULTICAST_LIST,
			OID_802_3_MAXIMUM_LIST_SIZE, 0x00010101,
		};
		struct {
			struct npf_oid_data h;
			uint8_t d[512];
		} q = { { PICK(r, qo), 0 }, { 0 } };

		q.h.length = chance(r, 85) ? 512 : below(r, 9);
		begin(z, "BIOCQUERYOID(fd %d, %#x, %u bytes)", fd, q.h.oid,
		      q.h.length);
		ret = ioctl(fd, BIOCQUERYOID, &q);
		e = errno;
		/*
		 * 512 bytes hold any answer (a list of 32 addresses is 192),
		 * and only the unknown OID is unsupported
		 */
		end(z, op, ret, e,
		    (e == EINVAL && q.h.length == 512) ||
		    (e == EOPNOTSUPP && q.h.oid != 0x00010101));
		break;
	}
	case OP_DLT:
		begin(z, "BIOCGDLT(fd %d)", fd);
		ret = ioctl(fd, BIOCGDLT, &v);
		if (!end(z, op, ret, errno, false) && v != NPF_LINKTYPE_ETHERNET &&
		    v != NPF_LINKTYPE_RAW)
			problem("BIOCGDLT: unknown link type",
				"thread %d: %s says %u", z->id, z->what, v);
		break;
	case OP_WRITEREP:
		v = below(r, 5);
		begin(z, "BIOCSWRITEREP(fd %d, %u)", fd, v);
		ret = ioctl(fd, BIOCSWRITEREP, &v);
		end(z, op, ret, errno, false);
		break;
	case OP_LOBBEH:
		v = below(r, 2) ? NPF_DISABLE_LOOPBACK : NPF_ENABLE_LOOPBACK;
		begin(z, "BIOCISETLOBBEH(fd %d, %u)", fd, v);
		ret = ioctl(fd, BIOCISETLOBBEH, &v);
		end(z, op, ret, errno, false);
		break;
	case OP_VERSION: {
		struct npf_version ver;

		begin(z, "BIOCVERSION(fd %d)", fd);
		ret = ioctl(fd, BIOCVERSION, &ver);
		end(z, op, ret, errno, false);
		break;
	}
	case OP_READ: {
		static const size_t sz[] = { BIG, BIG, BIG, 65536, 100, 47 };
		size_t n = PICK(r, sz);
		ssize_t got;

		begin(z, "read(fd %d, %zu)", fd, n);
		got = read(fd, z->buf, n);
		e = errno;
		if (!end(z, op, got, e,
			 s && ((e == EBUSY && !s->b.len) ||
			       (e == EAGAIN && !s->nonblock) ||
			       (e == EINVAL && !((s->mode & NPF_MODE_STAT) &&
						 !s->timeout)))) && s)
			check_read(z, s, got);
		break;
	}
	case OP_WRITE: {
		struct frame f;

		mk_mixed(&f, chance(r, 50) ? mac_bcast : g.env->mac_a,
			 g.env->mac_b, below(r, 8), 60 + below(r, 1400),
			 (uint32_t)(z->id << 24) | (uint32_t)z->calls);
		begin(z, "write(fd %d, %u bytes)", fd, f.len);
		ret = write(fd, f.b, f.len);
		e = errno;
		end(z, op, ret, e, s && e == EAGAIN && !s->nonblock);
		break;
	}
	case OP_SENDQ: {
		struct npf_sendq q = { 0 };
		bool sync = chance(r, 40);

		q.len = build_sendq(z, z->buf, 1 + below(r, 4));
		q.buf = (uintptr_t)z->buf;
		begin(z, "BIOCSENDPACKETS%s(fd %d, %u bytes)",
		      sync ? "SYNC" : "NOSYNC", fd, q.len);
		ret = ioctl(fd, sync ? BIOCSENDPACKETSSYNC :
				       BIOCSENDPACKETSNOSYNC, &q);
		e = errno;
		end(z, op, ret, e, e == EAGAIN);	/* queues do not say EAGAIN */
		break;
	}
	case OP_MMAP: {
		uint8_t *m;
		size_t len;
		int prot = PROT_READ;

		if (s && s->map)
			break;
		/* a shared open's ring may be any size: 4096 always fits */
		len = s ? PAGE_UP(s->ring) : PAGE;
		if (chance(r, 5))
			prot |= PROT_WRITE;
		else if (s && chance(r, 5))
			len += PAGE;
		begin(z, "mmap(fd %d, %zu, %s)", fd, len,
		      prot & PROT_WRITE ? "PROT_READ|PROT_WRITE" : "PROT_READ");
		m = mmap(NULL, len, prot, MAP_SHARED |
			 (chance(r, 50) ? MAP_POPULATE : 0), fd, 0);
		e = errno;
		if (m == MAP_FAILED) {
			/*
			 * Writable: EPERM; longer than the ring: EINVAL; a
			 * private open's ring is not being resized
			 */
			end(z, op, -1, e,
			    (prot & PROT_WRITE) ? e != EPERM :
			    !s ? e != EBUSY && e != EAGAIN :
			    len > PAGE_UP(s->ring) ? e != EINVAL : true);
			break;
		}
		end(z, op, 0, 0, false);
		if ((prot & PROT_WRITE) || (s && len > PAGE_UP(s->ring)))
			problem("mmap: accepted a bad mapping",
				"thread %d: %s succeeded", z->id, z->what);
		if (!s) {
			munmap(m, len);
			break;
		}
		s->map = m;
		s->maplen = len;
		break;
	}
	case OP_MMAPNEXT: {
		struct npf_mmap_batch b = { 0 };
		struct npf_mmap_batch *bp = s ? &s->b : &b;
		char why[160], h[900];

		/*
		 * A private open passes the struct as the last call left it:
		 * release = the batch it got, or what the kernel set (0)
		 * when a call failed after giving the batch back. On a shared
		 * one, whoever comes next gives back the last loan (a race
		 * makes that EINVAL).
		 */
		if (!s)
			b.release = __atomic_load_n(&g.shared_lent[si],
						    __ATOMIC_RELAXED);
		begin(z, "BIOCMMAPNEXT(fd %d, release %u; the previous one here: %s)",
		      fd, bp->release, !s ? "?" : s->next_err ?
		      strerrorname_np(s->next_err) : "0");
		if (s)
			snprintf(z->keyx, sizeof(z->keyx), " after %s",
				 s->next_err ? strerrorname_np(s->next_err) :
				 "a batch");
		ret = ioctl(fd, BIOCMMAPNEXT, bp);
		e = errno;
		if (s)
			s->next_err = ret ? e : 0;
		if (end(z, op, ret, e,
			s && ((e == EINVAL &&
			       !(s->mode & (NPF_MODE_STAT | NPF_MODE_DUMP))) ||
			      (e == EAGAIN && !s->nonblock)))) {
			/* EINVAL gave nothing back: nothing left to give */
			if (e == EINVAL) {
				bp->release = 0;
				if (!s)
					__atomic_store_n(&g.shared_lent[si], 0,
							 __ATOMIC_RELAXED);
			}
			break;
		}
		bp->release = bp->len;
		if (!s) {
			__atomic_store_n(&g.shared_lent[si], bp->len,
					 __ATOMIC_RELAXED);
			break;
		}
		if (!bp->len)
			break;
		history(z, h, sizeof(h));
		if (bp->offset + (size_t)bp->len > s->ring)
			problem("BIOCMMAPNEXT: batch outside the ring",
				"thread %d: %s: offset %u len %u, ring %u%s",
				z->id, z->what, bp->offset, bp->len, s->ring, h);
		else if (s->map &&
			 !walk_records(s->map + bp->offset, bp->len, s->recfmt,
				       why, sizeof(why)))
			problem("BIOCMMAPNEXT: malformed records",
				"thread %d call %ld: %s (recfmt %u): %s%s",
				z->id, z->calls, z->what, s->recfmt, why, h);
		break;
	}
	case OP_MUNMAP:
		if (!s || !s->map)
			break;
		begin(z, "munmap(fd %d)", fd);
		ret = munmap(s->map, s->maplen);
		end(z, op, ret, errno, true);
		s->map = NULL;
		break;
	case OP_POLL: {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
		int t = (int)below(r, 3) * 20;

		begin(z, "poll(fd %d, %d ms)", fd, t);
		ret = poll(&p, 1, t);
		end(z, op, ret, errno, true);
		break;
	}
	case OP_NONBLOCK: {
		bool nb = chance(r, 50);

		begin(z, "fcntl(fd %d, %s)", fd, nb ? "O_NONBLOCK" : "blocking");
		ret = fcntl(fd, F_SETFL, nb ? O_NONBLOCK : 0);
		if (!end(z, op, ret, errno, true) && s)
			s->nonblock = nb;
		break;
	}
	case OP_REOPEN:
		if (!chance(r, 30))
			break;
		if (s) {
			if (s->map)
				munmap(s->map, s->maplen);
			do_reopen(z, &s->fd, false);
			slot_init(s, s->fd);
		} else {
			do_reopen(z, &g.shared[si], true);
		}
		break;
	case OP_MAX:
		break;
	}
}

static __thread struct fuzzer *cur_fuzzer;

static void *fuzz_fn(void *arg)
{
	struct fuzzer *z = arg;

	cur_fuzzer = z;
	while (!__atomic_load_n(&g.stop, __ATOMIC_RELAXED))
		fuzz_one(z);
	return NULL;
}

/* ---- the other threads ---------------------------------------------------------- */

/*
 * Interrupts a call that has waited KICK_MS (and again every KICK_MS), so
 * that every wait is bounded; a call still in the kernel after
 * stuck_ms() is reported as stuck.
 */
struct kicker {
	pthread_t th;
	struct fuzzer *z;
	int n;
	int stop;
	int64_t *churn_since;	/* the churn thread's command */
	const char *churn_what;
	char stuck[240];	/* atomic-ish: set once */
	int stuck_set;
};

static void *kicker_fn(void *arg)
{
	struct kicker *k = arg;

	while (!__atomic_load_n(&k->stop, __ATOMIC_RELAXED)) {
		int64_t now = now_ms();

		for (int i = 0; i < k->n; i++) {
			struct fuzzer *z = &k->z[i];
			int64_t t = __atomic_load_n(&z->in_call_since,
						    __ATOMIC_ACQUIRE);

			if (!t || now - t < KICK_MS)
				continue;
			pthread_kill(z->th, SIGUSR1);
			z->kicks++;
			if (now - t > stuck_ms() &&
			    !__atomic_exchange_n(&k->stuck_set, 1,
						 __ATOMIC_ACQ_REL))
				snprintf(k->stuck, sizeof(k->stuck),
					 "thread %d stuck for %lld ms in %s",
					 z->id, (long long)(now - t), z->what);
		}
		if (k->churn_since) {
			int64_t t = __atomic_load_n(k->churn_since,
						    __ATOMIC_ACQUIRE);

			if (t && now - t > stuck_ms() &&
			    !__atomic_exchange_n(&k->stuck_set, 1,
						 __ATOMIC_ACQ_REL))
				snprintf(k->stuck, sizeof(k->stuck),
					 "adapter churn stuck for %lld ms in: %s (RTNL held by someone?)",
					 (long long)(now - t), k->churn_what);
		}
		sleep_ms(KICK_MS / 2);
	}
	return NULL;
}

/*
 * A namespace to move adapters to: a thread of ours that unshared its
 * network namespace and sleeps (a thread, not a child process: a child
 * would inherit the mappings of the ring and hold the opens). Adapters go
 * there by its thread id; when it exits, the namespace and what is in it
 * go away.
 */
struct nsthread {
	pthread_t th;
	pid_t tid;		/* atomic: 0 until it is in its namespace */
	int stop;		/* atomic */
};

static void *ns_fn(void *arg)
{
	struct nsthread *n = arg;

	if (unshare(CLONE_NEWNET)) {
		__atomic_store_n(&n->tid, -1, __ATOMIC_RELEASE);
		return NULL;
	}
	__atomic_store_n(&n->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&n->stop, __ATOMIC_RELAXED))
		sleep_ms(20);
	return NULL;
}

static int ns_start(struct nsthread *n)
{
	memset(n, 0, sizeof(*n));
	if (pthread_create(&n->th, NULL, ns_fn, n))
		return -1;
	while (!__atomic_load_n(&n->tid, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	return n->tid > 0 ? 0 : -1;
}

static void ns_stop(struct nsthread *n)
{
	__atomic_store_n(&n->stop, 1, __ATOMIC_RELAXED);
	pthread_join(n->th, NULL);
}

struct churn {
	pthread_t th;
	struct rng r;
	int stop;
	int64_t since;		/* atomic: when the current change began */
	char what[120];
	struct nsthread ns;	/* the other namespace */
	int ns_self;		/* our namespace, to come back to */
	long ops, failed;
	int64_t worst;		/* the slowest change, ms */
	char worst_what[120];
};

static void churn_begin(struct churn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void churn_begin(struct churn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->what, sizeof(c->what), fmt, ap);
	va_end(ap);
	__atomic_store_n(&c->since, now_ms(), __ATOMIC_RELEASE);
}

/* Refusals (EEXIST, ENODEV: the adapter is not there) are normal. */
static void churn_end(struct churn *c, int ret)
{
	int64_t t = now_ms() - __atomic_load_n(&c->since, __ATOMIC_ACQUIRE);

	if (t > c->worst) {
		c->worst = t;
		snprintf(c->worst_what, sizeof(c->worst_what), "%s", c->what);
	}
	__atomic_store_n(&c->since, 0, __ATOMIC_RELEASE);
	c->ops++;
	if (ret)
		c->failed++;
}

/* Bring the dummy back from the other namespace (this thread only). */
static int churn_fetch(struct churn *c)
{
	char path[64];
	int ns, ret;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/net", (int)getpid(),
		 (int)c->ns.tid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return -1;
	ret = setns(ns, CLONE_NEWNET);
	close(ns);
	if (ret)
		return -1;
	ret = link_move_to_pid(NETNS_DUMMY, getpid());
	if (setns(c->ns_self, CLONE_NEWNET))
		abort();	/* this thread would churn another namespace */
	return ret;
}

/*
 * Adapters come and go: a veth pair, a dummy, a veth whose peer is in the
 * other namespace, a dummy moved there and back; links go down and up; the
 * other namespace is torn down (with what is in it) and made anew.
 */
static void *churn_fn(void *arg)
{
	static const char *const updown[] = { "npfc0", "npfc1", "npfd1",
					       "npfd0", "npfc2" };
	struct churn *c = arg;
	const char *n;
	int ret = 0;

	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		switch (below(&c->r, 9)) {
		case 0:
			churn_begin(c, "add veth npfc0/npfc1");
			ret = link_add_veth("npfc0", "npfc1") ||
			      link_set_up("npfc0", true) ||
			      link_set_up("npfc1", true);
			break;
		case 1:
			churn_begin(c, "del npfc0");
			ret = link_del("npfc0");
			break;
		case 2:
			churn_begin(c, "add dummy npfd1");
			ret = link_add("npfd1", "dummy") ||
			      link_set_up("npfd1", true);
			break;
		case 3:
			churn_begin(c, "del npfd1");
			ret = link_del("npfd1");
			break;
		case 4:
			n = PICK(&c->r, updown);
			churn_begin(c, "set %s up/down", n);
			ret = link_set_up(n, chance(&c->r, 50));
			break;
		case 5:
			churn_begin(c, "add dummy " NETNS_DUMMY ", move it to the other namespace");
			ret = link_add(NETNS_DUMMY, "dummy") ||
			      link_set_up(NETNS_DUMMY, true) ||
			      link_move_to_pid(NETNS_DUMMY, c->ns.tid);
			break;
		case 6:
			churn_begin(c, "add veth npfc2, peer npfc3 in the other namespace");
			ret = link_add_veth_to("npfc2", "npfc3", c->ns.tid) ||
			      link_set_up("npfc2", true);
			break;
		case 7:
			churn_begin(c, "move " NETNS_DUMMY " back");
			ret = churn_fetch(c);
			break;
		case 8:
			/* the namespace goes, and its adapters (npfc2 too) */
			churn_begin(c, "tear down the other namespace");
			ns_stop(&c->ns);
			ret = ns_start(&c->ns);
			break;
		}
		churn_end(c, ret);
		sleep_ms(10 + (int)below(&c->r, 60));
	}
	return NULL;
}

/* Frames both ways on the veth pair. */
struct traffic {
	pthread_t th;
	int stop;
	long sent;
};

static void *traffic_fn(void *arg)
{
	struct traffic *t = arg;
	struct frame f;

	while (!__atomic_load_n(&t->stop, __ATOMIC_RELAXED)) {
		bool ab = t->sent & 1;

		mk_mixed(&f, ab ? g.env->mac_b : g.env->mac_a,
			 ab ? g.env->mac_a : g.env->mac_b,
			 (unsigned int)t->sent, 60 + (t->sent * 97) % 1400,
			 (uint32_t)t->sent);
		if (send(ab ? g.env->tx_a : g.env->tx_b, f.b, f.len, 0) > 0)
			t->sent++;
		if (t->sent % 8 == 0)
			usleep(1000);
	}
	return NULL;
}

/* ---- the fixture ------------------------------------------------------------------ */

FIXTURE(cf) {
	struct npf_env env;
	char dir[64];
	uint64_t seed;
	long long refcnt0;
	int mc0;
};

FIXTURE_SETUP(cf)
{
	static const char *const exprs[NPROG] = {
		"udp", "tcp or arp", "ether broadcast", "ip and len > 200",
		"not udp", "icmp or ip6", "vlan", "greater 1000",
	};
	struct npf_dump_fd df = { .fd = -1 };
	int fd;

	NPF_ONLY_OR_SKIP();
	memset(&g, 0, sizeof(g));
	pthread_mutex_init(&g.lock, NULL);
	for (int i = 0; i < NSHARED; i++)
		g.shared[i] = -1;
	self->seed = (uint64_t)env_long("NPF_CFUZZ_SEED",
					(long)(time(NULL) ^ (getpid() << 16)));
	if (!self->seed)
		self->seed = 1;
	TH_LOG("seed %llu (NPF_CFUZZ_SEED=%llu replays each thread's calls)",
	       (unsigned long long)self->seed,
	       (unsigned long long)self->seed);
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	g.env = &self->env;
	snprintf(self->dir, sizeof(self->dir), "/tmp/npf-cfuzz.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	g.dir = self->dir;
	ASSERT_EQ(0, link_add("npfd0", "dummy"))
		TH_LOG("cannot make a dummy adapter: %s", npf_err);
	ASSERT_EQ(0, link_set_up("npfd0", true)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, link_set_up("lo", true)) TH_LOG("%s", npf_err);
	/* snap lengths 96 and 65535: the dump file's header follows */
	for (int i = 0; i < NPROG; i++) {
		int n = compile_filter(exprs[i], i % 2 ? 96 : 65535,
				       &g.prog[i]);

		ASSERT_LT(0, n) TH_LOG("%s", npf_err);
		g.proglen[i] = (uint32_t)n;
	}
	/* BIOCSETDUMPFD is API 1.2: fuzzed where the module has it */
	fd = npf_open(0);
	ASSERT_LE(0, fd);
	g.have_dumpfd = ioctl(fd, BIOCSETDUMPFD, &df) < 0 && errno != ENOTTY;
	close(fd);
	if (!g.have_dumpfd)
		TH_LOG("BIOCSETDUMPFD: ENOTTY, not fuzzed (module without API 1.2)");
	self->mc0 = mc_count(IF_A);
	ASSERT_LE(0, self->mc0);
	self->refcnt0 = file_read_ll("/sys/module/npf/refcnt");
	/* unbound, bound to A, to B, to the dummy and non-blocking */
	for (int i = 0; i < NSHARED; i++) {
		g.shared[i] = npf_open(i == 3 ? O_NONBLOCK : 0);
		ASSERT_LE(0, g.shared[i]) TH_LOG("%s", npf_err);
	}
	ASSERT_EQ(0, npf_bind(g.shared[1], IF_A));
	ASSERT_EQ(0, npf_bind(g.shared[2], IF_B));
	ASSERT_EQ(0, npf_bind(g.shared[3], "npfd0"));
}

FIXTURE_TEARDOWN(cf)
{
	for (int i = 0; i < NSHARED; i++)
		if (g.shared[i] >= 0)
			close(g.shared[i]);
	for (int i = 0; i < NPROG; i++)
		free(g.prog[i]);
	sh("rm -rf %s", self->dir);
	env_teardown(&self->env);
}

/* Close an fd under a watch: close() must come back. */
static bool close_within(int fd, int ms)
{
	int64_t t = now_ms();

	close(fd);
	return now_ms() - t <= ms;
}

TEST_F_TIMEOUT(cf, concurrent_random_sequences, 240)
{
	int nthr = (int)env_long("NPF_CFUZZ_THREADS", 5);
	int64_t budget = 1000 * env_long("NPF_CFUZZ_SECONDS", 20), t0;
	/*
	 * Static: a thread stuck in the kernel outlives this function (the
	 * harness ends the process), and must not use a dead frame.
	 */
	static struct fuzzer z[MAXTHR];
	static struct kicker k;
	static struct churn c;
	static struct traffic t;
	struct sigaction sa;
	bool stuck = false;
	long calls = 0, ok = 0, kicks = 0;

	if (nthr < 2)
		nthr = 2;
	if (nthr > MAXTHR)
		nthr = MAXTHR;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = usr1;		/* no SA_RESTART: a kicked call returns */
	sigaction(SIGUSR1, &sa, NULL);
	install_fault_handler();

	/* every CPU: races want them */
	{
		cpu_set_t set;

		CPU_ZERO(&set);
		for (int i = 0; i < sysconf(_SC_NPROCESSORS_ONLN) && i < CPU_SETSIZE; i++)
			CPU_SET(i, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	ASSERT_EQ(0, ns_start(&c.ns));
	c.ns_self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, c.ns_self);
	c.r.s = self->seed * 31 + 17;
	for (int i = 0; i < nthr; i++) {
		memset(&z[i], 0, sizeof(z[i]));
		z[i].id = i;
		z[i].r.s = self->seed * 7919 + i + 1;
		z[i].buf = malloc(BIG);
		ASSERT_NE(NULL, z[i].buf);
		for (int j = 0; j < NPRIV; j++) {
			int fd = npf_open(0);

			ASSERT_LE(0, fd) TH_LOG("%s", npf_err);
			slot_init(&z[i].priv[j], fd);
		}
		ASSERT_EQ(0, npf_bind(z[i].priv[0].fd, IF_A));
	}
	k.z = z;
	k.n = nthr;
	k.churn_since = &c.since;
	k.churn_what = c.what;
	t0 = now_ms();
	ASSERT_EQ(0, pthread_create(&t.th, NULL, traffic_fn, &t));
	ASSERT_EQ(0, pthread_create(&c.th, NULL, churn_fn, &c));
	for (int i = 0; i < nthr; i++) {
		ASSERT_EQ(0, pthread_create(&z[i].th, NULL, fuzz_fn, &z[i]));
	}
	ASSERT_EQ(0, pthread_create(&k.th, NULL, kicker_fn, &k));
	while (now_ms() - t0 < budget &&
	       !__atomic_load_n(&k.stuck_set, __ATOMIC_ACQUIRE))
		sleep_ms(100);
	__atomic_store_n(&g.stop, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < nthr; i++) {
		if (!join_within(z[i].th, stuck_ms() + 5000)) {
			TH_LOG("thread %d stuck in %s", i, z[i].what);
			stuck = true;
		}
	}
	if (!join_within(c.th, 30000)) {
		TH_LOG("the churn thread is stuck in: %s", c.what);
		stuck = true;
	}
	__atomic_store_n(&k.stop, 1, __ATOMIC_RELAXED);
	pthread_join(k.th, NULL);
	__atomic_store_n(&t.stop, 1, __ATOMIC_RELAXED);
	if (!join_within(t.th, 10000)) {
		TH_LOG("the traffic thread is stuck in send()");
		stuck = true;
	}
	for (int i = 0; i < nthr; i++) {
		calls += z[i].calls;
		ok += z[i].ok;
		kicks += z[i].kicks;
	}
	TH_LOG("%d threads, %lld ms: %ld calls (%ld succeeded, %ld interrupted after %d ms); %ld adapter changes (%ld refused); %ld frames of traffic",
	       nthr, (long long)(now_ms() - t0), calls, ok, kicks, KICK_MS,
	       c.ops, c.failed, t.sent);
	TH_LOG("slowest adapter change: %s, %lld ms", c.worst_what,
	       (long long)c.worst);
	for (int o = 0; o < OP_MAX; o++) {
		long n = 0;

		for (int i = 0; i < nthr; i++)
			n += z[i].n_op[o];
		if (!n && (o != OP_DUMPFD || g.have_dumpfd))
			TH_LOG("no %s call was made", op_name[o]);
	}
	if (k.stuck_set)
		TH_LOG("%s", k.stuck);
	ASSERT_FALSE(stuck || k.stuck_set)
		TH_LOG("seed %llu", (unsigned long long)self->seed);
	for (int i = 0; i < g.nsigs; i++)
		TH_LOG("%ld x %s; first: %s", g.sigs[i].n, g.sigs[i].key,
		       g.sigs[i].first);
	EXPECT_EQ(0, g.nsigs + (int)g.overflow)
		TH_LOG("seed %llu", (unsigned long long)self->seed);
	EXPECT_LT(500, calls);

	/* every fd closes, promptly */
	for (int i = 0; i < nthr; i++) {
		for (int j = 0; j < NPRIV; j++) {
			if (z[i].priv[j].map)
				munmap(z[i].priv[j].map, z[i].priv[j].maplen);
			EXPECT_TRUE(close_within(z[i].priv[j].fd, stuck_ms()));
		}
		free(z[i].buf);
	}
	for (int i = 0; i < NSHARED; i++) {
		EXPECT_TRUE(close_within(g.shared[i], stuck_ms()));
		g.shared[i] = -1;
	}
	link_del("npfc0");
	link_del("npfd1");
	link_del("npfc2");
	link_del(NETNS_DUMMY);
	ns_stop(&c.ns);
	close(c.ns_self);

	/* every reference back: module, opens, promiscuity, multicast */
	{
		struct genl_info_ans info;
		long long ref = -1;

		for (int i = 0; i < 100; i++) {
			ref = file_read_ll("/sys/module/npf/refcnt");
			if (ref == self->refcnt0)
				break;
			sleep_ms(50);
		}
		EXPECT_EQ(self->refcnt0, ref)
			TH_LOG("module references: %lld, before %lld", ref,
			       self->refcnt0);
		ASSERT_EQ(0, genl_npf_info(&info)) TH_LOG("%s", npf_err);
		EXPECT_EQ(0U, info.opens) TH_LOG("opens left behind");
		EXPECT_EQ(0U, link_flags_sysfs(IF_A) &
			      (IFF_PROMISC | IFF_ALLMULTI));
		EXPECT_EQ(0U, link_flags_sysfs(IF_B) &
			      (IFF_PROMISC | IFF_ALLMULTI));
		EXPECT_EQ(self->mc0, mc_count(IF_A))
			TH_LOG("multicast addresses left behind");
	}

	/* and a plain capture works exactly */
	{
		struct reclist l;
		struct npf_stats st;
		struct frame f[30];
		int fd = npf_open(0);

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, npf_bind(fd, IF_A));
		ASSERT_EQ(0, npf_set_timeout(fd, -1));
		for (int i = 0; i < 30; i++) {
			mk_mixed(&f[i], self->env.mac_a, self->env.mac_b, i,
				 60 + 41 * i, 5000 + i);
			ASSERT_EQ(0, tx_send(self->env.tx_b, &f[i]))
				TH_LOG("%s", npf_err);
		}
		reclist_init(&l);
		ASSERT_EQ(30, collect(fd, &l, 30, 10000, BIG))
			TH_LOG("%s", npf_err);
		for (int i = 0; i < 30; i++) {
			EXPECT_TRUE(rec_matches(&l.r[i], &f[i]))
				TH_LOG("frame %d", i);
		}
		ASSERT_EQ(0, npf_stats(fd, &st));
		EXPECT_EQ(30ULL, st.bs_recv);
		EXPECT_EQ(30ULL, st.bs_capt);
		reclist_free(&l);
		close(fd);
	}
}

TEST_HARNESS_MAIN
