// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-thread hammer: one thread reconfigures an open while another
 * reads it, frames pouring in, and every result is checked exactly.
 *
 *  - mmap/munmap + BIOCMMAPNEXT against BIOCSETBUFFERSIZE
 *    (hammer.mmap_vs_setbuffersize): while the ring is mapped the ring
 *    cannot be replaced (EBUSY), so every batch read through a live
 *    mapping holds whole, valid records of numbered frames in increasing
 *    order. A mapping made while a resize is under way that shows the old
 *    pages (offsets of the new ring, bytes of the old) gives garbage, zero
 *    pages or numbers going backwards. A resize, or two flushes in a row,
 *    take back a batch held meanwhile: its release is then ignored
 *    (hammer.resize_takes_the_batch_back, ..two_flushes_..).
 *  - BIOCSMODE CAPT -> DUMP -> CAPT under a reader blocked in read() or
 *    BIOCMMAPNEXT (modesw.*): what the tap accepts in MODE_DUMP goes to
 *    the file and never to a reader, however the reader's wait began; the
 *    file holds exactly what was accepted, the counters add up.
 *  - BIOCSETDUMPFILENAME again and again under a flood with a 4 KiB ring
 *    (hammer.dump_file_switch_under_flood_*): every call returns within a
 *    bound, every file is a pcap libpcap reads, and the files together
 *    hold exactly the records the tap stored. On tmpfs, and on a file
 *    system whose writes are slow (the test VM's 9p share of build/),
 *    where a writer that drains "until the ring is empty" never is done.
 *
 * Every call that may block is timed by a watchdog thread: a call past
 * its bound fails the test (it is interrupted with SIGUSR1 and the
 * traffic stops, so that a call spinning while frames arrive comes back)
 * instead of hanging the program.
 *
 *   NPF_HAMMER_SECONDS=S     how long the mmap hammer runs (default 6)
 *   NPF_HAMMER_BOUND_MS=MS   latency bound of a call (default 2000; 15000
 *                            on the debug kernel, where an RCU grace period
 *                            under the flood takes seconds)
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "hostile_util.h"
#include "harness.h"

#define BIG		(1 << 20)
#define PAGE_SZ		4096UL
#define PAGE_UP(x)	(((x) + PAGE_SZ - 1) & ~(PAGE_SZ - 1))

/* UDP destination ports: what a numbered frame was sent for. */
#define TAG_FLOOD	0x4e01	/* background flood */
#define TAG_CAPT	0x4e02	/* sent while the open was in MODE_CAPT */
#define TAG_DUMP	0x4e03	/* sent while it was in MODE_DUMP */
#define TAG_FLOOD2	0x4e04	/* a second flood */
#define TAG_IDX(t)	((t) & 7)	/* per-tag state in arrays of 8 */
#define SPORT		0x4e50

/* ---- numbered frames ------------------------------------------------------ */

/* Lengths vary with the number, so two runs of records never line up. */
static uint32_t seq_len(uint32_t seq)
{
	return 60 + (seq * 53) % 451;
}

static void mk_seq(struct frame *f, const struct npf_env *e, uint16_t tag,
		   uint32_t seq)
{
	mk_udp4(f, e->mac_a, e->mac_b, "10.0.0.2", "10.0.0.1", SPORT, tag,
		seq_len(seq), seq);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/*
 * Which numbered frame @d (caplen bytes, len on the wire) is: 0 with its
 * tag and number when it is byte for byte a frame mk_seq() builds, else -1.
 */
static int frame_seq(const struct npf_env *e, const uint8_t *d,
		     uint32_t caplen, uint32_t len, uint16_t *tag,
		     uint32_t *seq)
{
	struct frame f;

	if (caplen != len || len < 60 || len > MAX_FRAME)
		return -1;
	*tag = (uint16_t)(d[36] << 8 | d[37]);
	*seq = be32(d + 42);
	mk_seq(&f, e, *tag, *seq);
	return f.len == len && !memcmp(f.b, d, len) ? 0 : -1;
}

/* Send one numbered frame, waiting while the peer's backlog is full. */
static int send_seq(int tx, const struct npf_env *e, uint16_t tag,
		    uint32_t seq)
{
	int64_t end = now_ms() + 10000;
	struct frame f;

	mk_seq(&f, e, tag, seq);
	for (;;) {
		if (send(tx, f.b, f.len, 0) == (ssize_t)f.len)
			return 0;
		if (errno != ENOBUFS || now_ms() > end)
			return -1;
		usleep(500);
	}
}

/* ---- the watchdog ---------------------------------------------------------- */

enum { WD_MAIN, WD_MAPPER, WD_SETTER, WD_READER, WD_FLOOD, WD_FLOOD2,
       WD_SLOTS };

struct wd_slot {
	pthread_t th;
	int64_t t0;		/* atomic: when the call began (ms), 0: none */
	int bound;		/* ms */
	const char *what;
	int64_t worst;		/* the longest call, ms */
	const char *worst_what;
	long calls;
};

static struct {
	pthread_t th;
	int stop;			/* atomic */
	int tripped;			/* atomic: a call overran its bound */
	char msg[256];
	struct wd_slot s[WD_SLOTS];
	long kicks;
} wd;

static void usr1(int sig)
{
	(void)sig;
}

/* How long a call that should not wait may take on this kernel. */
static int lat_bound(void)
{
	return (int)env_long("NPF_HAMMER_BOUND_MS",
			     npf_expect_debug() ? 15000 : 2000);
}

static void wd_begin(int slot, const char *what, int bound)
{
	struct wd_slot *s = &wd.s[slot];

	s->th = pthread_self();
	s->what = what;
	s->bound = bound;
	__atomic_store_n(&s->t0, now_ms(), __ATOMIC_RELEASE);
}

/* The call is over: its duration in ms. */
static int64_t wd_end(int slot)
{
	struct wd_slot *s = &wd.s[slot];
	int64_t t = now_ms() - __atomic_load_n(&s->t0, __ATOMIC_ACQUIRE);

	__atomic_store_n(&s->t0, 0, __ATOMIC_RELEASE);
	s->calls++;
	if (t > s->worst) {
		s->worst = t;
		s->worst_what = s->what;
	}
	return t;
}

static bool wd_tripped(void)
{
	return __atomic_load_n(&wd.tripped, __ATOMIC_ACQUIRE);
}

/*
 * Every 5 ms: a call past its bound trips the watchdog (the first one is
 * reported), and from then on the stuck thread gets SIGUSR1 every 100 ms
 * (an interruptible wait returns EINTR). Everyone stops on a trip, the
 * floods included, so that a call looping while frames keep arriving can
 * come back.
 */
static void *wd_fn(void *arg)
{
	int64_t last_kick = 0;

	(void)arg;
	while (!__atomic_load_n(&wd.stop, __ATOMIC_RELAXED)) {
		int64_t now = now_ms();

		for (int i = 0; i < WD_SLOTS; i++) {
			struct wd_slot *s = &wd.s[i];
			int64_t t0 = __atomic_load_n(&s->t0, __ATOMIC_ACQUIRE);

			if (!t0 || now - t0 <= s->bound)
				continue;
			if (!wd_tripped()) {
				snprintf(wd.msg, sizeof(wd.msg),
					 "%s did not return within %d ms",
					 s->what, s->bound);
				__atomic_store_n(&wd.tripped, 1,
						 __ATOMIC_RELEASE);
			}
			if (now - last_kick >= 100) {
				pthread_kill(s->th, SIGUSR1);
				wd.kicks++;
				last_kick = now;
			}
		}
		sleep_ms(5);
	}
	return NULL;
}

static int wd_start(void)
{
	struct sigaction sa;

	memset(&wd, 0, sizeof(wd));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = usr1;		/* no SA_RESTART: EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	return pthread_create(&wd.th, NULL, wd_fn, NULL);
}

static void wd_stop(void)
{
	__atomic_store_n(&wd.stop, 1, __ATOMIC_RELAXED);
	pthread_join(wd.th, NULL);
}

/* An ioctl under the watchdog; sets *ms to its duration. */
static int wioctl(int slot, const char *what, int bound, int fd,
		  unsigned long cmd, void *arg, int64_t *ms)
{
	int r, e;
	int64_t t;

	wd_begin(slot, what, bound);
	r = ioctl(fd, cmd, arg);
	e = errno;
	t = wd_end(slot);
	if (ms)
		*ms = t;
	errno = e;
	return r;
}

/* ---- threads and CPUs ------------------------------------------------------ */

static int ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > CPU_SETSIZE ? CPU_SETSIZE : (int)n;
}

/* Undo env_setup()'s pinning: races want every CPU. */
static void unpin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int c = 0; c < ncpus(); c++)
		CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * A sender stays on one CPU: veth queues what it sends on that CPU's
 * backlog, so the tap sees its frames in the order they were sent.
 */
static void pin_cpu_n(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % ncpus(), &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ---- the flood ------------------------------------------------------------- */

/*
 * Numbered frames (its tag, numbers from 0 up) from IF_B to IF_A, from
 * one CPU, until stopped or the watchdog trips: one by one on an AF_PACKET
 * socket, or in send queues of 32 through an open of /dev/npf bound to
 * IF_B (the kernel hands a queue to the adapter much faster than one
 * send() per frame: the flood that keeps a small ring full).
 */
struct flood {
	pthread_t th;
	const struct npf_env *e;
	int tx;			/* AF_PACKET socket on IF_B, or -1 */
	int npf;		/* /dev/npf bound to IF_B, or -1 */
	uint16_t tag;
	int cpu;		/* the CPU it sends from */
	int stop;		/* atomic */
	uint32_t next;		/* number of the next frame */
	long sent;		/* atomic: frames handed to the adapter */
	int err;		/* errno that stopped it */
};

static void *flood_fn(void *arg)
{
	enum { QN = 32 };
	struct flood *fl = arg;
	uint8_t *q = malloc(QN * (sizeof(struct npf_sendq_hdr) + MAX_FRAME));
	struct frame f;

	pin_cpu_n(fl->cpu);
	while (q && !__atomic_load_n(&fl->stop, __ATOMIC_RELAXED) &&
	       !wd_tripped()) {
		if (fl->npf < 0) {
			mk_seq(&f, fl->e, fl->tag, fl->next);
			if (send(fl->tx, f.b, f.len, 0) == (ssize_t)f.len) {
				fl->next++;
				__atomic_add_fetch(&fl->sent, 1,
						   __ATOMIC_RELAXED);
			} else if (errno == ENOBUFS) {
				/* the peer's backlog is full */
				usleep(200);
			} else {
				fl->err = errno;
				break;
			}
			/* bursts, so that the receive softirq runs */
			if (fl->next % 32 == 0)
				usleep(100);
		} else {
			struct npf_sendq sq = { .buf = (uintptr_t)q };
			uint32_t off = 0, n = 0;

			for (int i = 0; i < QN; i++) {
				struct npf_sendq_hdr h = { 0 };

				mk_seq(&f, fl->e, fl->tag, fl->next + i);
				h.caplen = h.len = f.len;
				memcpy(q + off, &h, sizeof(h));
				memcpy(q + off + sizeof(h), f.b, f.len);
				off += sizeof(h) + f.len;
			}
			sq.len = off;
			if (wioctl(fl->tag == TAG_FLOOD2 ? WD_FLOOD2 : WD_FLOOD,
				   "BIOCSENDPACKETSNOSYNC (flood)",
				   lat_bound(), fl->npf, BIOCSENDPACKETSNOSYNC,
				   &sq, NULL) && errno != EINTR) {
				fl->err = errno;
				break;
			}
			/* entries sent: count them by their bytes */
			for (off = 0; off < sq.consumed; n++)
				off += sizeof(struct npf_sendq_hdr) +
				       seq_len(fl->next + n);
			fl->next += n;
			__atomic_add_fetch(&fl->sent, n, __ATOMIC_RELAXED);
			/*
			 * On the debug kernel two unpaced floods starve the
			 * rest (an RCU grace period takes many seconds): the
			 * latency bound is for Debian, there the floods only
			 * keep the ring busy.
			 */
			if (npf_expect_debug())
				usleep(2000);
		}
	}
	free(q);
	return NULL;
}

static int flood_start(struct flood *fl, const struct npf_env *e, int tx,
		       int npf, uint16_t tag, int cpu)
{
	memset(fl, 0, sizeof(*fl));
	fl->e = e;
	fl->tag = tag;
	fl->cpu = cpu;
	fl->tx = tx;
	fl->npf = npf;
	return pthread_create(&fl->th, NULL, flood_fn, fl);
}

/* Stop it; false if its thread does not come back. */
static bool flood_stop(struct flood *fl)
{
	__atomic_store_n(&fl->stop, 1, __ATOMIC_RELAXED);
	return join_within(fl->th, 30000);
}

/*
 * Wait until no frame is in flight: the counters account for everything
 * the tap saw and have not moved for 200 ms. 0, or -1 after ms.
 */
static int wait_settled(int fd, int ms, struct npf_stats *st)
{
	int64_t end = now_ms() + ms;
	uint64_t last = UINT64_MAX;
	int still = 0;

	for (;;) {
		if (npf_stats(fd, st))
			return -1;
		if (st->bs_recv == st->bs_capt + st->bs_drop +
				   st->bs_filtered + st->bs_nomem &&
		    st->bs_recv == last) {
			if (++still >= 4)
				return 0;
		} else {
			still = 0;
		}
		last = st->bs_recv;
		if (now_ms() > end)
			return -1;
		sleep_ms(50);
	}
}

/* ---- records --------------------------------------------------------------- */

/* Numbers seen so far by one reader, and the first problem found. */
struct seqcheck {
	const struct npf_env *e;
	uint16_t tag;		/* the tag every record must carry, 0: any */
	int64_t last;		/* last number seen, -1: none */
	long records, batches, bad;
	char why[256];
};

static __attribute__((format(printf, 2, 3)))
void sc_bad(struct seqcheck *sc, const char *fmt, ...)
{
	va_list ap;

	if (sc->bad++)
		return;
	va_start(ap, fmt);
	vsnprintf(sc->why, sizeof(sc->why), fmt, ap);
	va_end(ap);
}

/*
 * Check the records of one read or batch (len bytes at p) as the uapi
 * describes them: bh_hdrlen 32, zero pads, whole frames (no filter), each
 * a numbered frame byte for byte, numbers strictly increasing, records
 * NPF_WORDALIGN'ed, the walk ending exactly at len. Returns the records,
 * or -1 (sc->why says why).
 */
static int check_records(struct seqcheck *sc, const uint8_t *p, uint32_t len,
			 uint32_t where)
{
	uint32_t off = 0;
	int n = 0;

	sc->batches++;
	while (off < len) {
		struct bpf_hdr h;
		uint16_t tag;
		uint32_t seq;

		if (len - off < HDRLEN) {
			sc_bad(sc, "batch at %u (%u bytes): %u stray bytes at %u",
			       where, len, len - off, off);
			return -1;
		}
		memcpy(&h, p + off, sizeof(h));
		if (h.bh_hdrlen != HDRLEN || h.bh_pad0 || h.bh_pad1 ||
		    h.bh_tstamp.tv_pad || h.bh_caplen > h.bh_datalen ||
		    h.bh_caplen > len - off - HDRLEN) {
			sc_bad(sc, "batch at %u (%u bytes), record %d at %u: hdrlen %u caplen %u datalen %u pads %#x %#x %#x (a stale or torn view of the ring)",
			       where, len, n, off, h.bh_hdrlen, h.bh_caplen,
			       h.bh_datalen, h.bh_pad0, h.bh_pad1,
			       h.bh_tstamp.tv_pad);
			return -1;
		}
		if (frame_seq(sc->e, p + off + HDRLEN, h.bh_caplen,
			      h.bh_datalen, &tag, &seq)) {
			sc_bad(sc, "batch at %u (%u bytes), record %d at %u: caplen %u is no frame that was sent",
			       where, len, n, off, h.bh_caplen);
			return -1;
		}
		if (sc->tag && tag != sc->tag) {
			sc_bad(sc, "record of frame %u tagged %#x, want %#x%s",
			       seq, tag, sc->tag,
			       tag == TAG_DUMP ? " (sent while in MODE_DUMP)" : "");
			return -1;
		}
		if ((int64_t)seq <= sc->last) {
			sc_bad(sc, "batch at %u (%u bytes), record %d: frame %u after frame %lld (the ring's old contents?)",
			       where, len, n, seq, (long long)sc->last);
			return -1;
		}
		sc->last = seq;
		off += NPF_WORDALIGN(HDRLEN + h.bh_caplen);
		n++;
	}
	if (off != len) {
		sc_bad(sc, "batch at %u: the walk ended at %u of %u bytes",
		       where, off, len);
		return -1;
	}
	sc->records += n;
	return n;
}

/* check_records() on a mapping: a SIGBUS/SIGSEGV counts as bad. */
static int check_mapped(struct seqcheck *sc, const uint8_t *ring,
			uint32_t off, uint32_t len)
{
	sigjmp_buf jb;
	int sig, r;

	sig = sigsetjmp(jb, 1);
	if (sig) {
		fault_jmp = NULL;
		sc_bad(sc, "signal %d reading the batch at %u (%u bytes) through the mapping",
		       sig, off, len);
		return -1;
	}
	fault_jmp = &jb;
	r = check_records(sc, ring + off, len, off);
	fault_jmp = NULL;
	return r;
}

/* ---- pcap files ------------------------------------------------------------ */

/*
 * Read a dump file with libpcap: every record must be a numbered frame
 * with one of the tags in @tags (a mask of 1 << TAG_IDX(tag)), the numbers
 * of each tag strictly increasing after last[TAG_IDX(tag)] (updated).
 * *first: the number of the first record. Returns the records, or -1
 * (why says why).
 */
static long pcap_count(const char *path, const struct npf_env *e,
		       unsigned int tags, int64_t last[8], int64_t *first,
		       char *why, size_t wlen)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, err);
	long n = 0;
	int r;

	if (!p) {
		snprintf(why, wlen, "libpcap cannot open %s: %s", path, err);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		snprintf(why, wlen, "%s: link type %d", path, pcap_datalink(p));
		pcap_close(p);
		return -1;
	}
	while ((r = pcap_next_ex(p, &ph, &d)) == 1) {
		uint16_t tag;
		uint32_t seq;

		if (frame_seq(e, d, ph->caplen, ph->len, &tag, &seq) ||
		    !(tags & 1u << TAG_IDX(tag))) {
			snprintf(why, wlen, "%s: record %ld (caplen %u len %u) is no frame sent with the tags %#x",
				 path, n, ph->caplen, ph->len, tags);
			pcap_close(p);
			return -1;
		}
		if ((int64_t)seq <= last[TAG_IDX(tag)]) {
			snprintf(why, wlen, "%s: record %ld is frame %u (tag %#x), after frame %lld",
				 path, n, seq, tag,
				 (long long)last[TAG_IDX(tag)]);
			pcap_close(p);
			return -1;
		}
		if (first && !n)
			*first = seq;
		last[TAG_IDX(tag)] = seq;
		n++;
	}
	if (r != -2) {
		snprintf(why, wlen, "%s: libpcap stops after record %ld: %s",
			 path, n, r == -1 ? pcap_geterr(p) : "?");
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	return n;
}

static int set_dump_file(int fd, const char *path, int bound, int64_t *ms)
{
	struct npf_dump_name n;

	memset(&n, 0, sizeof(n));
	n.path = (uint64_t)(uintptr_t)path;
	return wioctl(WD_MAIN, "BIOCSETDUMPFILENAME", bound, fd,
		      BIOCSETDUMPFILENAME, &n, ms);
}

static int set_mode(int fd, uint32_t mode)
{
	return wioctl(WD_MAIN, mode & NPF_MODE_DUMP ? "BIOCSMODE DUMP" :
		      "BIOCSMODE CAPT", lat_bound(), fd, BIOCSMODE, &mode,
		      NULL);
}

/* ---- the fixture ------------------------------------------------------------ */

FIXTURE(hammer) {
	struct npf_env env;
	int fd;			/* opened and bound to IF_A */
	int tx_npf[2];		/* /dev/npf bound to IF_B, for floods */
	char dir[256];
	bool wd_on;
};

FIXTURE_SETUP(hammer)
{
	NPF_ONLY_OR_SKIP();
	self->fd = self->tx_npf[0] = self->tx_npf[1] = -1;
	self->dir[0] = 0;
	self->wd_on = false;
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
	install_fault_handler();
	ASSERT_EQ(0, wd_start());
	self->wd_on = true;
	unpin();
}

FIXTURE_TEARDOWN(hammer)
{
	char cmd[300];

	if (self->wd_on)
		wd_stop();
	if (self->fd >= 0)
		close(self->fd);
	for (int i = 0; i < 2; i++)
		if (self->tx_npf[i] >= 0)
			close(self->tx_npf[i]);
	if (self->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
		if (system(cmd))
			fprintf(stderr, "# cannot remove %s\n", self->dir);
	}
	env_teardown(&self->env);
}

static void log_worst(struct __test_metadata *_metadata)
{
	for (int i = 0; i < WD_SLOTS; i++)
		if (wd.s[i].calls)
			TH_LOG("longest of %ld watched calls: %s, %lld ms",
			       wd.s[i].calls, wd.s[i].worst_what,
			       (long long)wd.s[i].worst);
}

/* ---- 1. mmap/munmap vs BIOCSETBUFFERSIZE ---------------------------------- */

/* Two sizes, so that a stale mapping and the new ring differ in layout. */
#define RING_S	65536u
#define RING_L	262144u

struct mapper {
	pthread_t th;
	int fd;
	int stop;		/* atomic */
	struct seqcheck sc;
	long maps, beyond, errors, refused;
	long resizes;		/* atomic: the setter's successes */
	char err[160];
};

/*
 * Map the ring whole (the larger size first: EINVAL means the ring is the
 * smaller one), take a few batches through the mapping and check them,
 * unmap, now and then wait a moment unmapped so that a resize gets in.
 * MAP_POPULATE maps every page at once, as a reader that wants no faults
 * does: a mapping made during a resize then shows the old ring at once.
 */
static void *mapper_fn(void *arg)
{
	struct mapper *m = arg;
	struct npf_mmap_batch b = { 0 };
	unsigned int rnd = 12345;
	long resizes0 = 0;

	while (!__atomic_load_n(&m->stop, __ATOMIC_RELAXED) && !wd_tripped()) {
		size_t len = RING_L;
		uint8_t *ring;
		int k;

		rnd = rnd * 1103515245 + 12345;
		ring = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE,
			    m->fd, 0);
		if (ring == MAP_FAILED && errno == EINVAL) {
			len = RING_S;
			ring = mmap(NULL, len, PROT_READ,
				    MAP_SHARED | MAP_POPULATE, m->fd, 0);
		}
		if (ring == MAP_FAILED) {
			/*
			 * EINVAL: the ring grew between the two tries.
			 * EBUSY, EAGAIN: a resize is under way (a kernel
			 * may refuse a mapping then rather than wait).
			 */
			if (errno == EBUSY || errno == EAGAIN)
				m->refused++;
			else if (errno != EINVAL && !m->errors++)
				snprintf(m->err, sizeof(m->err), "mmap %zu: %s",
					 len, strerror(errno));
			continue;
		}
		m->maps++;
		for (k = 0; k <= (int)(rnd >> 16) % 4; k++) {
			int r;

			/* release: the last batch's len (set below), or what
			 * the kernel left there after a failed call */
			r = wioctl(WD_MAPPER, "BIOCMMAPNEXT", lat_bound() + 20,
				   m->fd, BIOCMMAPNEXT, &b, NULL);
			if (r) {
				if (!m->errors++)
					snprintf(m->err, sizeof(m->err),
						 "BIOCMMAPNEXT(release %u): %s%s",
						 b.release, strerror(errno),
						 __atomic_load_n(&m->resizes, __ATOMIC_ACQUIRE) != resizes0 ?
						 " (a resize took the batch back since it was lent: its release must be ignored)" : "");
				b.release = b.len = 0;
				break;
			}
			b.release = b.len;
			resizes0 = __atomic_load_n(&m->resizes, __ATOMIC_ACQUIRE);
			if (!b.len)
				continue;
			/*
			 * Legal: the ring grew between the mmap that failed
			 * and the one that worked, and the mapping is
			 * shorter than the ring. Do not touch.
			 */
			if ((size_t)b.offset + b.len > len) {
				m->beyond++;
				continue;
			}
			check_mapped(&m->sc, ring, b.offset, b.len);
		}
		munmap(ring, len);
		/*
		 * Unmapped for a moment (a resize that checked the mapping
		 * count gets in, the next mmap lands in its middle), now and
		 * then for up to 30 ms (a resize completes).
		 */
		if ((rnd >> 8) % 8 == 0)
			usleep((rnd >> 12) % 30000);
		else if ((rnd >> 8) % 4 == 0)
			usleep((rnd >> 12) % 400);
	}
	return NULL;
}

struct setter {
	pthread_t th;
	int fd;
	int stop;
	long *resizes;		/* the mapper's count */
	long ok, busy, errors;
	char err[160];
};

/*
 * BIOCSETBUFFERSIZE with alternating sizes, as fast as it goes: EBUSY
 * while the ring is mapped, success when it is not.
 */
static void *setter_fn(void *arg)
{
	struct setter *s = arg;
	uint32_t size;

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED) && !wd_tripped()) {
		int r;

		size = (s->ok + s->busy) % 2 ? RING_S : RING_L;
		r = wioctl(WD_SETTER, "BIOCSETBUFFERSIZE", lat_bound(), s->fd,
			   BIOCSETBUFFERSIZE, &size, NULL);
		if (!r) {
			s->ok++;
			__atomic_add_fetch(s->resizes, 1, __ATOMIC_RELEASE);
		} else if (errno == EBUSY) {
			s->busy++;
			sched_yield();
		} else if (!s->errors++) {
			snprintf(s->err, sizeof(s->err),
				 "BIOCSETBUFFERSIZE %u: %s", size,
				 strerror(errno));
		}
	}
	return NULL;
}

/*
 * Bug 5 of issue 12: BIOCSETBUFFERSIZE checked "mapped" before installing
 * the new ring, and ->mmap took no lock, so a mapping made in between
 * showed the old ring's pages while BIOCMMAPNEXT's offsets were the new
 * ring's. The contract says such a resize fails with EBUSY: every batch
 * read through a live mapping is then whole valid records of frames in
 * the order they were sent.
 */
TEST_F_TIMEOUT(hammer, mmap_vs_setbuffersize, 180)
{
	int64_t secs = env_long("NPF_HAMMER_SECONDS", 6), t0;
	/*
	 * Static: an ASSERT returns from here while the threads run on
	 * (until the process exits), and they must not use a dead frame.
	 */
	static struct mapper m;
	static struct setter s;
	static struct flood fl;
	uint32_t size = RING_L;

	m.fd = s.fd = self->fd;
	s.resizes = &m.resizes;

	m.sc.e = &self->env;
	m.sc.tag = TAG_FLOOD;
	m.sc.last = -1;
	ASSERT_EQ(0, npf_set_bufsize(self->fd, size)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 1));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 20));
	ASSERT_EQ(0, flood_start(&fl, &self->env, self->env.tx_b, -1, TAG_FLOOD,
				 ncpus() - 1));
	ASSERT_EQ(0, npf_wait_recv(self->fd, 1, 10000)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, pthread_create(&m.th, NULL, mapper_fn, &m));
	ASSERT_EQ(0, pthread_create(&s.th, NULL, setter_fn, &s));
	/*
	 * secs, and on until the hammer did something (20 batches, 5 resizes:
	 * the debug kernel is slow), 8 * secs at most
	 */
	t0 = now_ms();
	while (!wd_tripped() && !m.sc.bad &&
	       (now_ms() - t0 < secs * 1000 ||
		__atomic_load_n(&m.sc.batches, __ATOMIC_RELAXED) < 20 ||
		__atomic_load_n(&s.ok, __ATOMIC_RELAXED) < 5) &&
	       now_ms() - t0 < 8 * secs * 1000)
		sleep_ms(50);
	__atomic_store_n(&m.stop, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELAXED);
	EXPECT_TRUE(join_within(m.th, 30000)) TH_LOG("the mapper is stuck");
	EXPECT_TRUE(join_within(s.th, 30000)) TH_LOG("the setter is stuck");
	EXPECT_TRUE(flood_stop(&fl)) TH_LOG("the flood is stuck");
	TH_LOG("%lld ms: %ld frames, %ld mappings (%ld refused), %ld batches (%ld records, %ld beyond a shorter mapping), %ld resizes, %ld EBUSY",
	       (long long)(now_ms() - t0), fl.sent, m.maps, m.refused,
	       m.sc.batches, m.sc.records, m.beyond, s.ok, s.busy);
	log_worst(_metadata);
	EXPECT_FALSE(wd_tripped()) TH_LOG("%s", wd.msg);
	EXPECT_EQ(0, m.sc.bad) TH_LOG("%ld bad batches; first: %s", m.sc.bad,
				      m.sc.why);
	EXPECT_EQ(0, m.errors) TH_LOG("%s", m.err);
	EXPECT_EQ(0, s.errors) TH_LOG("%s", s.err);
	EXPECT_EQ(0, fl.err) TH_LOG("flood: %s", strerror(fl.err));
	/* or the hammer hammered nothing (a bad batch ends it early) */
	if (!m.sc.bad) {
		EXPECT_LE(20, m.sc.batches);
		EXPECT_LE(5, s.ok);
		EXPECT_LE(5, s.busy);
	}
}

/*
 * A ring replaced while a batch is held (the mapping gone, so the resize
 * is allowed) takes the batch back: the next BIOCMMAPNEXT's release (the
 * old batch's length, as the caller has it) is ignored, as after any
 * reconfiguration that flushes the ring; and so after two in a row. Found
 * by cfuzz: the ring forgot the loan once per flush, and a second flush
 * (the resize's own, then npf_resume()'s; or a second BIOCSETF) cleared
 * what the first had noted, so the release was refused with EINVAL.
 */
TEST_F_TIMEOUT(hammer, resize_takes_the_batch_back, 60)
{
	struct npf_mmap_batch b = { 0 };
	size_t len = PAGE_UP(RING_S);
	uint8_t *ring;
	uint32_t size = RING_S;

	ASSERT_EQ(0, npf_set_bufsize(self->fd, RING_S)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 50));
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 1));
	for (uint32_t i = 0; i < 8; i++) {
		ASSERT_EQ(0, send_seq(self->env.tx_b, &self->env, TAG_FLOOD, i))
			TH_LOG("send: %s", strerror(errno));
	}
	ASSERT_EQ(0, npf_wait_recv(self->fd, 8, 10000)) TH_LOG("%s", npf_err);
	ring = mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, ring) TH_LOG("mmap: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->fd, BIOCMMAPNEXT, &b)) TH_LOG("%s", strerror(errno));
	ASSERT_LT(0U, b.len);
	ASSERT_EQ(0, munmap(ring, len));
	/* the batch is held, the ring is not mapped: the resize is allowed */
	size = RING_L;
	ASSERT_EQ(0, ioctl(self->fd, BIOCSETBUFFERSIZE, &size))
		TH_LOG("%s", strerror(errno));
	b.release = b.len;
	EXPECT_EQ(0, ioctl(self->fd, BIOCMMAPNEXT, &b))
		TH_LOG("BIOCMMAPNEXT giving back the batch the resize took: %s",
		       strerror(errno));
	/* and nothing is lent now: read() works */
	EXPECT_LE(0, read(self->fd, (uint8_t[65536]){ 0 }, 65536))
		TH_LOG("read: %s", strerror(errno));
}

/* The same after two reconfigurations in a row (BIOCSETF twice). */
TEST_F_TIMEOUT(hammer, two_flushes_take_the_batch_back, 60)
{
	struct npf_mmap_batch b = { 0 };

	ASSERT_EQ(0, npf_set_timeout(self->fd, 50));
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 1));
	for (uint32_t i = 0; i < 8; i++) {
		ASSERT_EQ(0, send_seq(self->env.tx_b, &self->env, TAG_FLOOD, i))
			TH_LOG("send: %s", strerror(errno));
	}
	ASSERT_EQ(0, npf_wait_recv(self->fd, 8, 10000)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, ioctl(self->fd, BIOCMMAPNEXT, &b)) TH_LOG("%s", strerror(errno));
	ASSERT_LT(0U, b.len);
	ASSERT_EQ(0, npf_set_filter(self->fd, NULL, 0)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_filter(self->fd, NULL, 0)) TH_LOG("%s", npf_err);
	b.release = b.len;
	EXPECT_EQ(0, ioctl(self->fd, BIOCMMAPNEXT, &b))
		TH_LOG("BIOCMMAPNEXT giving back the batch two BIOCSETFs took: %s",
		       strerror(errno));
}

/* ---- 3. BIOCSETDUMPFILENAME under a flood, 4 KiB ring --------------------- */

/*
 * Bug 9 (last items) of issue 12: with a small ring under a flood,
 * BIOCSETDUMPFILENAME finished the old file with "write until the ring
 * is empty", holding the open's lock, and the flood refilled the ring as
 * fast as it was written: the call need not return while frames arrive.
 * Each call must return within the bound, and the files together hold
 * exactly the records the tap stored (bs_capt; the rest is bs_drop), in
 * order, each file a pcap libpcap reads.
 */
static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void dump_switch(struct __test_metadata *_metadata,
			FIXTURE_DATA(hammer) *self, const char *base, int ms)
{
	enum { MAXF = 100 };
	/*
	 * The call writes at most a ring's worth to the old file and opens
	 * the new one: a few writes. Measured on the slow file system under
	 * the flood on a loaded host: up to 1 s when it pauses the tap, and
	 * 5 to 10 s (ended by the watchdog stopping the flood) when it
	 * writes until the flood lets the ring run empty.
	 */
	int bound = lat_bound() * 3 / 2;
	int64_t worst = 0, t0, last[8];
	char path[MAXF][300], why[1024] = "";
	struct npf_stats st;
	static struct flood fl[2];	/* static: see mmap_vs_setbuffersize */
	long total = 0;
	int nf = 0, slow = -1, failed = 0;
	int64_t lat[MAXF];
	struct statfs sfs;

	for (int i = 0; i < 8; i++)
		last[i] = -1;
	snprintf(self->dir, sizeof(self->dir), "%s/npf-hammer.XXXXXX", base);
	ASSERT_NE(NULL, mkdtemp(self->dir)) TH_LOG("mkdtemp %s: %s", self->dir,
						   strerror(errno));
	ASSERT_EQ(0, statfs(self->dir, &sfs));
	TH_LOG("dump files in %s (file system type %#lx)", self->dir,
	       (unsigned long)sfs.f_type);
	for (int i = 0; i < 2; i++) {
		self->tx_npf[i] = npf_open(0);
		ASSERT_LE(0, self->tx_npf[i]) TH_LOG("%s", npf_err);
		ASSERT_EQ(0, npf_bind(self->tx_npf[i], IF_B))
			TH_LOG("%s", npf_err);
	}
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 4096)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	snprintf(path[0], sizeof(path[0]), "%s/f%03d.pcap", self->dir, 0);
	ASSERT_EQ(0, set_dump_file(self->fd, path[0], bound, NULL))
		TH_LOG("%s: %s", path[0], strerror(errno));
	nf = 1;
	/*
	 * Two floods, one per CPU, so that the ring keeps filling when
	 * one of them is not scheduled for a moment.
	 */
	ASSERT_EQ(0, flood_start(&fl[0], &self->env, -1, self->tx_npf[0],
				 TAG_FLOOD, ncpus() - 1));
	ASSERT_EQ(0, flood_start(&fl[1], &self->env, -1, self->tx_npf[1],
				 TAG_FLOOD2, 0));
	ASSERT_EQ(0, npf_wait_recv(self->fd, 200, 20000)) TH_LOG("%s", npf_err);
	/*
	 * This thread shares CPU 0 with the second flood: whenever the call
	 * sleeps on a write, the flood runs and the ring fills again.
	 */
	pin_cpu_n(0);
	t0 = now_ms();
	/* ms, and until 5 files were set (the debug kernel is slow) */
	while (nf < MAXF && !wd_tripped() &&
	       (now_ms() - t0 < ms || nf < 5) && now_ms() - t0 < 8 * ms) {
		int64_t took;

		sleep_ms(20 + nf % 5 * 10);
		snprintf(path[nf], sizeof(path[nf]), "%s/f%03d.pcap",
			 self->dir, nf);
		if (set_dump_file(self->fd, path[nf], bound, &took)) {
			TH_LOG("BIOCSETDUMPFILENAME %s: %s", path[nf],
			       strerror(errno));
			failed++;
			break;
		}
		lat[nf++] = took;
		if (took > worst) {
			worst = took;
			slow = nf - 1;
		}
	}
	for (int i = 0; i < 2; i++) {
		ASSERT_TRUE(flood_stop(&fl[i])) TH_LOG("flood %d is stuck", i);
		EXPECT_EQ(0, fl[i].err) TH_LOG("flood %d: %s", i,
					       strerror(fl[i].err));
	}
	qsort(lat + 1, nf - 1, sizeof(lat[0]), cmp64);
	TH_LOG("%d files in %lld ms, %ld frames flooded; BIOCSETDUMPFILENAME took %lld ms (median), %lld ms (90%%), %lld ms (file %d, the slowest)",
	       nf, (long long)(now_ms() - t0), fl[0].sent + fl[1].sent,
	       nf > 1 ? (long long)lat[1 + (nf - 1) / 2] : 0LL,
	       nf > 1 ? (long long)lat[1 + (nf - 1) * 9 / 10] : 0LL,
	       (long long)worst, slow);
	log_worst(_metadata);
	EXPECT_FALSE(wd_tripped()) TH_LOG("%s", wd.msg);
	EXPECT_EQ(0, failed);
	ASSERT_EQ(0, wait_settled(self->fd, 30000, &st)) TH_LOG("%s", npf_err);
	/* leaving MODE_DUMP finishes the last file (and zeroes counters) */
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_CAPT)) TH_LOG("%s", strerror(errno));
	TH_LOG("counters: recv %llu capt %llu drop %llu filtered %llu nomem %llu",
	       (unsigned long long)st.bs_recv, (unsigned long long)st.bs_capt,
	       (unsigned long long)st.bs_drop,
	       (unsigned long long)st.bs_filtered,
	       (unsigned long long)st.bs_nomem);
	EXPECT_EQ(0ULL, st.bs_filtered + st.bs_nomem);
	for (int i = 0; i < nf; i++) {
		long n = pcap_count(path[i], &self->env,
				    1u << TAG_IDX(TAG_FLOOD) |
				    1u << TAG_IDX(TAG_FLOOD2), last, NULL, why,
				    sizeof(why));

		EXPECT_LE(0, n) TH_LOG("%s", why);
		if (n < 0)
			break;
		total += n;
	}
	EXPECT_EQ((long)st.bs_capt, total)
		TH_LOG("%d files hold %ld records; the tap stored %llu and dropped %llu",
		       nf, total, (unsigned long long)st.bs_capt,
		       (unsigned long long)st.bs_drop);
	EXPECT_GE(bound, worst);
	EXPECT_LE(5, nf);
}

TEST_F_TIMEOUT(hammer, dump_file_switch_under_flood_tmpfs, 240)
{
	dump_switch(_metadata, self, "/tmp", 3000);
}

/*
 * The same on a file system whose writes are slow: in the test VM the
 * repo's build/ directory is the host's, over 9p mounted "sync", so every
 * write of the dump is a round trip to the host. That is where the flood
 * outruns the writer for good (on tmpfs the writer mostly wins the race).
 */
TEST_F_TIMEOUT(hammer, dump_file_switch_under_flood_slow_fs, 300)
{
	const char *repo = getenv("NPF_REPO");
	char base[200];

	snprintf(base, sizeof(base), "%s/build", repo ? repo : ".");
	dump_switch(_metadata, self, base, 6000);
}

/* ---- 2. BIOCSMODE CAPT <-> DUMP vs a blocked reader ------------------------ */

FIXTURE(modesw) {
	struct npf_env env;
	int fd;
	char dir[64];
	bool wd_on;
};

FIXTURE_VARIANT(modesw) {
	bool mmap;		/* the reader uses BIOCMMAPNEXT, not read() */
	int32_t timeout;	/* the read timeout */
	uint64_t limit;		/* dump limit in records (0: none) */
};

/* A read that times out while the open is in MODE_DUMP. */
FIXTURE_VARIANT_ADD(modesw, read_timeout) {
	.mmap = false, .timeout = 200, .limit = 0,
};

/* A BIOCMMAPNEXT that times out while the open is in MODE_DUMP. */
FIXTURE_VARIANT_ADD(modesw, mmapnext_timeout) {
	.mmap = true, .timeout = 200, .limit = 0,
};

/*
 * A read without timeout, woken in MODE_DUMP when the dump ends at its
 * limit (with records left in the ring that the file will not take).
 */
FIXTURE_VARIANT_ADD(modesw, read_forever_dump_ends) {
	.mmap = false, .timeout = 0, .limit = 60,
};

FIXTURE_SETUP(modesw)
{
	NPF_ONLY_OR_SKIP();
	self->fd = -1;
	self->dir[0] = 0;
	self->wd_on = false;
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	snprintf(self->dir, sizeof(self->dir), "/tmp/npf-hammer.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir)) TH_LOG("mkdtemp: %s",
						   strerror(errno));
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
	install_fault_handler();
	ASSERT_EQ(0, wd_start());
	self->wd_on = true;
	unpin();
}

FIXTURE_TEARDOWN(modesw)
{
	char cmd[300];

	if (self->wd_on)
		wd_stop();
	if (self->fd >= 0)
		close(self->fd);
	if (self->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
		if (system(cmd))
			fprintf(stderr, "# cannot remove %s\n", self->dir);
	}
	env_teardown(&self->env);
}

struct reader2 {
	pthread_t th;
	int fd;
	bool mmap;
	int32_t timeout;
	uint8_t *ring, *buf;
	int stop;		/* atomic */
	int *maybe_dump;	/* atomic: the main thread may be in MODE_DUMP */
	int64_t call_t0;	/* atomic: when the current call began, 0 */
	long got;		/* atomic: TAG_CAPT records received */
	long calls, zero, einval, errors;
	char err[160];
	struct seqcheck sc;
};

/*
 * Read (or take batches) until told to stop, checking every record: only
 * frames sent while the open was in MODE_CAPT, in order. In MODE_DUMP a
 * read returns 0 (timeout, dump ended) and BIOCMMAPNEXT fails with EINVAL.
 */
static void *reader2_fn(void *arg)
{
	struct reader2 *r = arg;
	struct npf_mmap_batch b = { 0 };
	/* a read without timeout may wait as long as no frame comes */
	int bound = r->timeout > 0 ? r->timeout + lat_bound() : 1 << 30;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED) && !wd_tripped()) {
		bool dump0 = __atomic_load_n(r->maybe_dump, __ATOMIC_ACQUIRE);
		bool dump1;
		ssize_t n;
		int e;

		__atomic_store_n(&r->call_t0, now_ms(), __ATOMIC_RELEASE);
		if (r->mmap) {
			/* release: set after the last batch, or by the kernel */
			wd_begin(WD_READER, "BIOCMMAPNEXT", bound);
			n = ioctl(r->fd, BIOCMMAPNEXT, &b);
			n = n ? -1 : (ssize_t)b.len;
			if (n >= 0)
				b.release = b.len;
		} else {
			wd_begin(WD_READER, "read", bound);
			n = read(r->fd, r->buf, BIG);
		}
		e = errno;
		wd_end(WD_READER);
		__atomic_store_n(&r->call_t0, 0, __ATOMIC_RELEASE);
		dump1 = __atomic_load_n(r->maybe_dump, __ATOMIC_ACQUIRE);
		r->calls++;
		if (n > 0) {
			int c = r->mmap ? check_mapped(&r->sc, r->ring,
						       b.offset, b.len) :
					  check_records(&r->sc, r->buf, n, 0);

			if (c > 0)
				__atomic_add_fetch(&r->got, c,
						   __ATOMIC_RELEASE);
			continue;
		}
		if (!n) {
			r->zero++;
			/* a finished dump makes reads return 0 at once */
			if (dump0 || dump1)
				sleep_ms(2);
			continue;
		}
		if (e == EINVAL && r->mmap && (dump0 || dump1)) {
			/*
			 * MODE_DUMP: the switch took back the batch we held
			 * (a reconfiguration that flushes the ring does), so
			 * there is none to give back. (A release of its length
			 * must be ignored too, hammer.two_flushes_... checks
			 * that; this test is about what the reader gets.)
			 */
			r->einval++;
			b.release = b.len = 0;
			sleep_ms(2);
			continue;
		}
		if (e == EINTR && (wd_tripped() ||
				   __atomic_load_n(&r->stop, __ATOMIC_RELAXED)))
			break;
		if (!r->errors++)
			snprintf(r->err, sizeof(r->err), "%s: %s%s",
				 r->mmap ? "BIOCMMAPNEXT" : "read", strerror(e),
				 dump0 || dump1 ? " (around MODE_DUMP)" : "");
		sleep_ms(2);
	}
	return NULL;
}

/* Wait until the reader is inside its call for 30 ms (and so waits). */
static bool reader_blocked(struct reader2 *r, int ms)
{
	int64_t end = now_ms() + ms;

	while (now_ms() < end) {
		int64_t t0 = __atomic_load_n(&r->call_t0, __ATOMIC_ACQUIRE);

		if (t0 && now_ms() - t0 >= 30)
			return true;
		sleep_ms(2);
	}
	return false;
}

/*
 * Bug 6 of issue 12: read() and BIOCMMAPNEXT checked the mode before
 * their wait, so one that began in MODE_CAPT and woke in MODE_DUMP took
 * records the file never got (or lent a batch the dump worker then could
 * not write). Cycles of: frames in MODE_CAPT (the reader must get them
 * all, then wait for more), the dump file set and MODE_DUMP, a flood of
 * frames longer than the read timeout, back to MODE_CAPT. Every frame sent
 * in MODE_DUMP is in that cycle's file (up to the limit, exactly) and none
 * reached the reader; BIOCGSTATSEX and BIOCGDUMPSTATS agree with the file.
 */
TEST_F_TIMEOUT(modesw, capt_dump_capt_under_reader, 180)
{
	enum { CYCLES = 5, NCAPT = 20, NDUMP_MIN = 120 };
	static struct reader2 r;	/* static: see mmap_vs_setbuffersize */
	static int maybe_dump;
	int bad_cycles = 0;
	uint32_t seq = 0;
	long capt_sent = 0;
	size_t maplen = PAGE_UP(1000000);

	r.fd = self->fd;
	r.mmap = variant->mmap;
	r.timeout = variant->timeout;
	r.maybe_dump = &maybe_dump;
	r.sc.e = &self->env;
	r.sc.tag = TAG_CAPT;
	r.sc.last = -1;
	ASSERT_EQ(0, npf_set_timeout(self->fd, variant->timeout));
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 1));
	if (variant->limit) {
		struct npf_dump_limits l = { .max_packets = variant->limit };

		ASSERT_EQ(0, ioctl(self->fd, BIOCSETDUMPLIMITS, &l));
	}
	if (variant->mmap) {
		r.ring = mmap(NULL, maplen, PROT_READ, MAP_SHARED, self->fd, 0);
		ASSERT_NE(MAP_FAILED, r.ring) TH_LOG("mmap: %s", strerror(errno));
	} else {
		r.buf = malloc(BIG);
		ASSERT_NE(NULL, r.buf);
	}
	ASSERT_EQ(0, pthread_create(&r.th, NULL, reader2_fn, &r));

	for (int c = 0; c < CYCLES && !wd_tripped(); c++) {
		char path[128], why[512] = "";
		struct npf_dump_stats ds;
		struct npf_stats st;
		uint32_t d0;
		int64_t t, first = -1, last[8];
		long nd = 0, n;

		/* MODE_CAPT: the reader gets every frame, then waits */
		for (int i = 0; i < NCAPT; i++) {
			ASSERT_EQ(0, send_seq(self->env.tx_b, &self->env,
					      TAG_CAPT, seq++))
				TH_LOG("send: %s", strerror(errno));
		}
		capt_sent += NCAPT;
		t = now_ms();
		while (__atomic_load_n(&r.got, __ATOMIC_ACQUIRE) < capt_sent &&
		       now_ms() - t < 10000 && !r.sc.bad)
			sleep_ms(5);
		ASSERT_EQ(capt_sent, __atomic_load_n(&r.got, __ATOMIC_ACQUIRE))
			TH_LOG("cycle %d: the reader got %ld of the %ld frames sent in MODE_CAPT; %s %s",
			       c, r.got, capt_sent, r.sc.why, r.err);
		ASSERT_TRUE(reader_blocked(&r, 5000));

		/* MODE_DUMP, a file, a flood longer than the read timeout */
		snprintf(path, sizeof(path), "%s/c%d.pcap", self->dir, c);
		ASSERT_EQ(0, set_dump_file(self->fd, path, lat_bound(), NULL))
			TH_LOG("%s: %s", path, strerror(errno));
		__atomic_store_n(&maybe_dump, 1, __ATOMIC_RELEASE);
		ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
		d0 = seq;
		t = now_ms();
		while (nd < NDUMP_MIN || now_ms() - t < variant->timeout + 150) {
			ASSERT_EQ(0, send_seq(self->env.tx_b, &self->env,
					      TAG_DUMP, seq++))
				TH_LOG("send: %s", strerror(errno));
			nd++;
			if (nd % 10 == 0)
				sleep_ms(3);
		}
		if (variant->limit) {
			/*
			 * The dump ends at the limit and the tap then
			 * ignores frames: wait for the end, then for the
			 * counters to settle.
			 */
			t = now_ms();
			do {
				ASSERT_EQ(0, ioctl(self->fd, BIOCGDUMPSTATS, &ds));
				sleep_ms(5);
			} while (!ds.ended && now_ms() - t < 10000);
			EXPECT_EQ(1U, ds.ended);
			ASSERT_EQ(0, wait_settled(self->fd, 10000, &st))
				TH_LOG("%s", npf_err);
		} else {
			ASSERT_EQ(0, npf_wait_recv(self->fd, nd, 20000))
				TH_LOG("%s", npf_err);
			ASSERT_EQ(0, wait_settled(self->fd, 10000, &st))
				TH_LOG("%s", npf_err);
			EXPECT_EQ((uint64_t)nd, st.bs_recv);
			EXPECT_EQ((uint64_t)nd, st.bs_capt + st.bs_drop);
		}
		EXPECT_EQ(0ULL, st.bs_filtered + st.bs_nomem);
		/*
		 * The worker writes at least every 100 ms: the dump
		 * statistics reach what the tap stored (the file holds at
		 * most the limit when there is one).
		 */
		if (!variant->limit) {
			t = now_ms();
			do {
				ASSERT_EQ(0, ioctl(self->fd, BIOCGDUMPSTATS, &ds));
				if (ds.packets >= st.bs_capt)
					break;
				sleep_ms(10);
			} while (now_ms() - t < 5000);
			EXPECT_EQ(st.bs_capt, ds.packets)
				TH_LOG("cycle %d: BIOCGDUMPSTATS says %llu records in the file, the tap stored %llu",
				       c, (unsigned long long)ds.packets,
				       (unsigned long long)st.bs_capt);
		}
		EXPECT_EQ(1U, ds.active);
		EXPECT_EQ(0, ds.error);
		/* back to MODE_CAPT: that finishes the file */
		ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_CAPT));
		__atomic_store_n(&maybe_dump, 0, __ATOMIC_RELEASE);

		for (int i = 0; i < 8; i++)
			last[i] = -1;
		n = pcap_count(path, &self->env, 1u << TAG_IDX(TAG_DUMP), last,
			       &first, why, sizeof(why));
		EXPECT_LE(0, n) TH_LOG("%s", why);
		if (variant->limit) {
			/* exactly the first `limit` frames of the flood */
			EXPECT_EQ((long)variant->limit, n);
			EXPECT_EQ(variant->limit, ds.packets);
			EXPECT_EQ((int64_t)d0, first);
			EXPECT_EQ((int64_t)(d0 + variant->limit - 1),
				  last[TAG_IDX(TAG_DUMP)]);
		} else {
			/* every frame stored is in the file */
			EXPECT_EQ((long)st.bs_capt, n)
				TH_LOG("cycle %d: %ld of the %llu records the tap stored in MODE_DUMP are in the file (%ld sent, %llu dropped)",
				       c, n, (unsigned long long)st.bs_capt, nd,
				       (unsigned long long)st.bs_drop);
			EXPECT_EQ((int64_t)ds.packets, n);
			if (!st.bs_drop && n == nd) {
				EXPECT_EQ((int64_t)d0, first);
				EXPECT_EQ((int64_t)(seq - 1),
					  last[TAG_IDX(TAG_DUMP)]);
			}
		}
		if (n < 0 || (variant->limit ? n != (long)variant->limit :
					       n != (long)st.bs_capt))
			bad_cycles++;
		if (r.sc.bad)
			break;
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	/* a reader without timeout waits for a frame: interrupt it */
	for (int i = 0; i < 100 && !join_within(r.th, 100); i++)
		pthread_kill(r.th, SIGUSR1);
	TH_LOG("reader: %ld calls, %ld records, %ld returned 0, %ld EINVAL in MODE_DUMP; %d cycles with a short file",
	       r.calls, r.sc.records, r.zero, r.einval, bad_cycles);
	log_worst(_metadata);
	EXPECT_FALSE(wd_tripped()) TH_LOG("%s", wd.msg);
	EXPECT_EQ(0, r.sc.bad) TH_LOG("the reader got %ld bad reads; first: %s",
				      r.sc.bad, r.sc.why);
	EXPECT_EQ(0, r.errors) TH_LOG("%s", r.err);
	if (r.ring)
		munmap(r.ring, maplen);
	free(r.buf);
}

TEST_HARNESS_MAIN
