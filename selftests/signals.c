// SPDX-License-Identifier: GPL-2.0
/*
 * Signal storms (issue 12): every call that waits or loops in the kernel,
 * hit over and over by signals, must neither replay nor lose anything.
 * uapi/linux/npf.h promises:
 *
 *   - a blocking read() interrupted by a signal restarts (SA_RESTART, or a
 *     job-control stop and continue) and loses nothing;
 *   - BIOCMMAPNEXT gives the previous batch back, sets release to 0 in the
 *     caller's struct and only then waits, so a call restarted after a
 *     signal gives nothing back twice (never EINVAL);
 *   - write() with BIOCSWRITEREP N: a signal ends the repeat with EINTR
 *     once copies left (bs_sent says how many), restarts before the first;
 *   - a send queue (NOSYNC and SYNC) stopped by a signal restarts before
 *     its first entry left, else fails with EINTR and consumed says how
 *     many bytes of whole entries left; no entry is ever sent twice and the
 *     caller resumes at buf + consumed (libnpf's PacketSendPackets() does
 *     that by itself).
 * Before the fixes of issue 12 the kernel restarted an interrupted queue
 * from its first entry (duplicates, here by the thousand) and BIOCMMAPNEXT
 * gave its batch back before the wait it then restarted (EINVAL).
 *
 * Two storms, one per variant: "stop", a thread of the test process
 * sending SIGSTOP, waiting until the victim is stopped, then SIGCONT a
 * millisecond later, every 3 to 5 ms; "usr1", a POSIX timer of the victim
 * firing SIGUSR1 at its calling thread every millisecond, caught by an
 * SA_RESTART handler. The read victims wait between bursts of frames, so
 * the signals come while they wait.
 *
 * The victim runs in a child process (so that SIGSTOP stops only it),
 * pinned to one CPU so that its frames reach the peer in order. Frames are
 * 64 bytes, ethertype 0x88b5, and carry a 32-bit sequence number: the
 * receiver (the child's /dev/npf open for the read victims, an AF_PACKET
 * socket on the peer IF_B for the send victims) counts each number, and
 * every one must arrive exactly once, none missing, none twice, in order,
 * byte for byte. The peer's rx_packets counter says how many frames were
 * on the wire.
 *
 * Bounds: the storm lasts until the victim is done, STORM_MS at most; the
 * victim gives up after CHILD_MS; the child is killed if it is not gone
 * CHILD_MS + 10 s after it started; a stopped child is always continued
 * and reaped (teardown).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "npf_util.h"
#include "harness.h"
#include "Packet32.h"		/* libnpf, linked statically */

#define BIG		(1 << 20)
#define RING		(4u << 20)	/* the read victims' ring */
#define FLEN		64		/* every numbered frame */
#define ETYPE		0x88b5
#define ENTRY		(sizeof(struct npf_sendq_hdr) + FLEN)

#define NF_RX		5000	/* frames to the read victims */
#define RX_BURST	8	/* ... sent back to back, then */
#define RX_GAP_US	1000	/* ... a pause, so that the victim waits */
#define NF_NOSYNC	10000	/* NOSYNC queue entries */
#define NF_SYNC		4000	/* SYNC queue entries, in groups of */
#define SYNC_GROUP	4	/* ... this many with the same timestamp, */
#define SYNC_GAP_US	400	/* ... groups this far apart (0.4 s) */
#define REPS		20000	/* BIOCSWRITEREP copies of one round of writes */
#define NSEQ		100000	/* sequence numbers: entries, or write calls */
/*
 * NOSYNC queues and write repeats are as fast as the machine: on one much
 * faster than the TCG guest a round may end before the storm hit it. Then
 * another round follows, until MIN_EINTR interruptions were seen, the
 * storm is over or MAX_ROUNDS rounds were sent.
 */
#define MIN_EINTR	5
#define MAX_ROUNDS	(NSEQ / NF_NOSYNC)

#define STORM_MS	5000	/* the storm stops after this, at the latest */
#define CHILD_MS	60000	/* the victim gives up after this (debug kernel) */
#define USR1_NS		1000000	/* the SIGUSR1 timer's period */
#define STOPPED_US	1000	/* how long a stop lasts */
#define RUN_US		2000	/* least time between two stops */

#define PEER_RX		"/sys/class/net/" IF_B "/statistics/rx_packets"
#define OWN_RX		"/sys/class/net/" IF_A "/statistics/rx_packets"

enum storm { STORM_STOP, STORM_USR1 };
enum victim { V_READ, V_MMAP, V_WRITE, V_NOSYNC, V_SYNC, V_LIBNPF };

static const char *const victim_name[] = {
	"read()", "BIOCMMAPNEXT", "write() BIOCSWRITEREP",
	"BIOCSENDPACKETSNOSYNC", "BIOCSENDPACKETSSYNC",
	"libnpf PacketSendPackets(Sync)",
};

/* Shared between the test process and the victim (MAP_SHARED). */
struct shared {
	/* test -> victim */
	int go;
	int storm_stop;
	int64_t storm_end;		/* ms, CLOCK_MONOTONIC */
	int64_t child_end;		/* the victim gives up then */
	/* victim -> test */
	int ready, done;
	int setup_failed;
	char setup_msg[400];
	long hits;			/* SIGUSR1 handler runs */
	long calls;			/* victim calls made */
	long eintr;			/* ... that failed with EINTR */
	long eintr_empty;		/* ... EINTR with nothing sent */
	long einval;			/* ... that failed with EINVAL */
	long errors;			/* ... that failed otherwise */
	long anomalies;			/* anything else out of contract */
	char first[512];		/* the first unexpected thing */
	uint64_t records;		/* read victims: records taken */
	uint32_t off, qlen;		/* queues: how far the last round got */
	long rounds;			/* rounds completed */
	uint64_t copies;		/* write: bs_sent deltas summed */
	long ncalls;			/* write: entries in percall[] */
	int64_t run_ms;			/* how long the victim ran */
	struct npf_stats st;		/* the victim's counters at the end */
	uint32_t percall[NSEQ];		/* write: bs_sent delta of call k */
	uint16_t seen[NSEQ];		/* read victims: records of seq i */
};

/* ---- frames ------------------------------------------------------------ */

static void mk_num(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
		   uint32_t seq)
{
	mk_raw(f, dst, src, ETYPE, FLEN, seq);
}

/* The sequence number of a numbered frame, or -1 if it is not exactly one. */
static long frame_seq(const uint8_t *b, uint32_t len, const uint8_t dst[6],
		      const uint8_t src[6])
{
	struct frame f;
	uint32_t seq;

	if (len != FLEN)
		return -1;
	seq = (uint32_t)b[14] << 24 | b[15] << 16 | b[16] << 8 | b[17];
	if (seq >= NSEQ)
		return -1;
	mk_num(&f, dst, src, seq);
	return memcmp(f.b, b, FLEN) ? -1 : (long)seq;
}

/* ---- the victim (child process) ----------------------------------------- */

static struct shared *g_sh;
static timer_t g_timer;
static bool g_timer_armed;

static void note(struct shared *sh, const char *fmt, ...)
{
	va_list ap;

	if (sh->first[0])
		return;
	va_start(ap, fmt);
	vsnprintf(sh->first, sizeof(sh->first), fmt, ap);
	va_end(ap);
}

/* Count a failed call by errno; the first one is noted. */
static void call_failed(struct shared *sh, const char *what, int err)
{
	if (err == EINTR)
		sh->eintr++;
	else if (err == EINVAL)
		sh->einval++;
	else
		sh->errors++;
	note(sh, "%s: call %ld failed: %s", what, sh->calls, strerror(err));
}

static void usr1_handler(int sig)
{
	int e = errno;

	(void)sig;
	__atomic_add_fetch(&g_sh->hits, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&g_sh->storm_stop, __ATOMIC_RELAXED) ||
	    now_ms() >= g_sh->storm_end) {
		struct itimerspec off = { 0 };

		timer_settime(g_timer, 0, &off, NULL);
	}
	errno = e;
}

static void storm_usr1_disarm(void)
{
	struct itimerspec off = { 0 };

	if (g_timer_armed)
		timer_settime(g_timer, 0, &off, NULL);
	g_timer_armed = false;
}

/* The timer aims at this thread (SIGEV_THREAD_ID), every USR1_NS. */
static int storm_usr1_setup(struct shared *sh)
{
	struct sigaction sa;
	struct sigevent sev;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = usr1_handler;
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL)) {
		snprintf(sh->setup_msg, sizeof(sh->setup_msg),
			 "sigaction: %s", strerror(errno));
		return -1;
	}
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &g_timer)) {
		snprintf(sh->setup_msg, sizeof(sh->setup_msg),
			 "timer_create: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void storm_usr1_arm(void)
{
	struct itimerspec it = {
		.it_interval = { 0, USR1_NS },
		.it_value = { 0, USR1_NS },
	};

	timer_settime(g_timer, 0, &it, NULL);
	g_timer_armed = true;
}

/* Walk one read's (or one batch's) records and count their numbers. */
static void take_records(struct shared *sh, const uint8_t *buf, size_t len,
			 const struct npf_env *e)
{
	size_t off = 0;

	while (off < len) {
		struct bpf_hdr h;
		long seq;

		if (len - off < HDRLEN) {
			sh->anomalies++;
			note(sh, "call %ld: %zu stray bytes after the records",
			     sh->calls, len - off);
			return;
		}
		memcpy(&h, buf + off, sizeof(h));
		if (h.bh_hdrlen != HDRLEN || h.bh_caplen > len - off - HDRLEN) {
			sh->anomalies++;
			note(sh, "call %ld: record at %zu: hdrlen %u caplen %u in %zu bytes",
			     sh->calls, off, h.bh_hdrlen, h.bh_caplen, len);
			return;
		}
		seq = h.bh_datalen == FLEN ?
		      frame_seq(buf + off + HDRLEN, h.bh_caplen, e->mac_a,
				e->mac_b) : -1;
		if (seq < 0) {
			sh->anomalies++;
			note(sh, "call %ld: a record (caplen %u datalen %u) is no frame the test sent",
			     sh->calls, h.bh_caplen, h.bh_datalen);
		} else if (sh->seen[seq] < UINT16_MAX) {
			sh->seen[seq]++;
		}
		sh->records++;
		off += NPF_WORDALIGN(HDRLEN + h.bh_caplen);
	}
}

static int rx_open(struct shared *sh)
{
	int fd = npf_open(0);

	if (fd < 0 || npf_bind(fd, IF_A) || npf_set_bufsize(fd, RING) ||
	    npf_set_mintocopy(fd, 1) || npf_set_timeout(fd, 100)) {
		snprintf(sh->setup_msg, sizeof(sh->setup_msg), "%.380s", npf_err);
		return -1;
	}
	return fd;
}

/* Blocking reads until every frame came (or CHILD_MS), then a drain. */
static void victim_read(struct shared *sh, int fd, const struct npf_env *e)
{
	uint8_t *buf = malloc(BIG);

	while (buf && sh->records < NF_RX && now_ms() < sh->child_end) {
		ssize_t n = read(fd, buf, BIG);

		sh->calls++;
		if (n < 0) {
			call_failed(sh, "read", errno);
			sleep_ms(1);
			continue;
		}
		take_records(sh, buf, n, e);
	}
	/* anything more (a duplicate) is buffered by now, or never comes */
	storm_usr1_disarm();
	if (buf && !npf_set_timeout(fd, -1)) {
		for (int i = 0; i < 100; i++) {
			ssize_t n = read(fd, buf, BIG);

			if (n <= 0)
				break;
			take_records(sh, buf, n, e);
		}
	}
	free(buf);
}

/* BIOCMMAPNEXT as the uapi's loop does it; release = previous len. */
static void victim_mmap(struct shared *sh, int fd, const struct npf_env *e)
{
	struct npf_mmap_batch b;
	uint8_t *ring = mmap(NULL, RING, PROT_READ, MAP_SHARED, fd, 0);

	if (ring == MAP_FAILED) {
		note(sh, "mmap of the ring: %s", strerror(errno));
		sh->errors++;
		return;
	}
	memset(&b, 0, sizeof(b));
	while (sh->records < NF_RX && now_ms() < sh->child_end) {
		int r = ioctl(fd, BIOCMMAPNEXT, &b);

		sh->calls++;
		if (r) {
			int err = errno;

			call_failed(sh, "BIOCMMAPNEXT", err);
			/*
			 * EINVAL is the unfixed kernel's restart: the first
			 * try gave the batch back before its wait, the
			 * restarted one finds nothing lent. Go on with
			 * nothing to give back, to count the frames.
			 */
			if (err == EINVAL)
				b.release = 0;
			sleep_ms(1);
			continue;
		}
		if (b.release || b.pad || b.offset > RING ||
		    b.len > RING - b.offset) {
			sh->anomalies++;
			note(sh, "call %ld: batch release %u offset %u len %u pad %u",
			     sh->calls, b.release, b.offset, b.len, b.pad);
			break;
		}
		take_records(sh, ring + b.offset, b.len, e);
		b.release = b.len;
	}
	storm_usr1_disarm();
	if (!npf_set_timeout(fd, -1)) {
		for (int i = 0; i < 100; i++) {
			if (ioctl(fd, BIOCMMAPNEXT, &b) || !b.len)
				break;
			take_records(sh, ring + b.offset, b.len, e);
			b.release = b.len;
		}
	}
	munmap(ring, RING);
}

static int tx_open(struct shared *sh)
{
	int fd = npf_open(0);

	if (fd < 0 || npf_bind(fd, IF_A)) {
		snprintf(sh->setup_msg, sizeof(sh->setup_msg), "%.380s", npf_err);
		return -1;
	}
	return fd;
}

/*
 * One round of REPS copies: write call k sends frame k BIOCSWRITEREP = what
 * is left times; on EINTR bs_sent says how many left and the next call
 * sends the rest. True when all REPS left.
 */
static bool write_round(struct shared *sh, int fd, const struct npf_env *e)
{
	uint32_t left = REPS;
	struct frame f;

	while (left && sh->ncalls < NSEQ && now_ms() < sh->child_end) {
		struct npf_stats s0, s1;
		uint64_t delta;
		ssize_t n;
		int err;

		mk_num(&f, e->mac_b, e->mac_a, sh->ncalls);
		if (ioctl(fd, BIOCSWRITEREP, &left) || npf_stats(fd, &s0)) {
			sh->errors++;
			note(sh, "BIOCSWRITEREP %u / BIOCGSTATSEX: %s", left,
			     strerror(errno));
			return false;
		}
		n = write(fd, f.b, f.len);
		err = errno;
		sh->calls++;
		if (npf_stats(fd, &s1)) {
			sh->errors++;
			note(sh, "%s", npf_err);
			return false;
		}
		delta = s1.bs_sent - s0.bs_sent;
		sh->percall[sh->ncalls++] = delta;
		sh->copies += delta;
		if (s1.bs_senterr != s0.bs_senterr) {
			sh->anomalies++;
			note(sh, "call %ld: %llu copies refused", sh->calls,
			     (unsigned long long)(s1.bs_senterr - s0.bs_senterr));
		}
		if (delta > left) {
			sh->anomalies++;
			note(sh, "call %ld: BIOCSWRITEREP %u, bs_sent moved by %llu",
			     sh->calls, left, (unsigned long long)delta);
			return false;
		}
		if (n == (ssize_t)f.len) {
			if (delta != left) {
				sh->anomalies++;
				note(sh, "call %ld: write of %u copies returned %zd with %llu sent",
				     sh->calls, left, n,
				     (unsigned long long)delta);
			}
			left = 0;
			break;
		}
		if (n >= 0) {
			sh->anomalies++;
			note(sh, "call %ld: write returned %zd", sh->calls, n);
			return false;
		}
		call_failed(sh, "write", err);
		if (err != EINTR)
			return false;
		if (!delta) {
			/* before the first copy the call must restart */
			sh->eintr_empty++;
			note(sh, "call %ld: EINTR with no copy sent", sh->calls);
		}
		left -= delta;
	}
	if (left) {
		sh->anomalies++;
		note(sh, "%u copies never sent (%ld calls)", left, sh->calls);
		return false;
	}
	return true;
}

/* Is another round needed to be sure the storm hit the victim? */
static bool more_rounds(struct shared *sh)
{
	return sh->rounds < MAX_ROUNDS && sh->eintr < MIN_EINTR &&
	       now_ms() < sh->storm_end;
}

static void victim_write(struct shared *sh, int fd, const struct npf_env *e)
{
	do {
		if (!write_round(sh, fd, e))
			return;
		sh->rounds++;
	} while (more_rounds(sh));
}

/*
 * A queue of n numbered 64-byte frames; SYNC ones in groups of SYNC_GROUP
 * with one timestamp, SYNC_GAP_US apart.
 */
static uint8_t *mk_queue(const struct npf_env *e, uint32_t n, bool sync,
			 uint32_t seq0)
{
	uint8_t *q = malloc((size_t)n * ENTRY);
	struct frame f;

	for (uint32_t i = 0; q && i < n; i++) {
		uint64_t us = sync ? (uint64_t)(i / SYNC_GROUP) * SYNC_GAP_US : 0;
		struct npf_sendq_hdr h = {
			.tv_sec = 1000 + us / 1000000,
			.tv_usec = us % 1000000,
			.caplen = FLEN, .len = FLEN,
		};

		mk_num(&f, e->mac_b, e->mac_a, seq0 + i);
		memcpy(q + (size_t)i * ENTRY, &h, sizeof(h));
		memcpy(q + (size_t)i * ENTRY + sizeof(h), f.b, FLEN);
	}
	return q;
}

/*
 * The caller's loop of the contract: on EINTR resume at buf + consumed.
 * True when the whole queue went out.
 */
static bool queue_round(struct shared *sh, int fd, const struct npf_env *e,
			bool sync, uint32_t seq0)
{
	uint32_t n = sync ? NF_SYNC : NF_NOSYNC;
	uint8_t *q = mk_queue(e, n, sync, seq0);
	unsigned long req = sync ? BIOCSENDPACKETSSYNC : BIOCSENDPACKETSNOSYNC;

	if (!q) {
		sh->errors++;
		note(sh, "out of memory");
		return false;
	}
	sh->qlen = n * ENTRY;
	sh->off = 0;
	while (sh->off < sh->qlen && now_ms() < sh->child_end) {
		struct npf_sendq sq = {
			.buf = (uint64_t)(uintptr_t)(q + sh->off),
			.len = sh->qlen - sh->off,
			.consumed = 0xdeadbeef,
		};
		int r = ioctl(fd, req, &sq), err = errno;

		sh->calls++;
		if (sq.consumed > sh->qlen - sh->off || sq.consumed % ENTRY) {
			sh->anomalies++;
			note(sh, "call %ld at offset %u: consumed %u (entries are %zu bytes, %u left)",
			     sh->calls, sh->off, sq.consumed, ENTRY,
			     sh->qlen - sh->off);
			break;
		}
		sh->off += sq.consumed;
		if (!r) {
			if (sh->off != sh->qlen) {
				sh->anomalies++;
				note(sh, "call %ld: success with %u of %u bytes consumed",
				     sh->calls, sh->off, sh->qlen);
			}
			break;
		}
		call_failed(sh, sync ? "SYNC queue" : "NOSYNC queue", err);
		if (err != EINTR)
			break;
		if (!sq.consumed) {
			/* before the first entry the call must restart */
			sh->eintr_empty++;
			note(sh, "call %ld: EINTR with nothing consumed",
			     sh->calls);
		}
	}
	free(q);
	return sh->off == sh->qlen;
}

/* SYNC queues take their time (0.4 s at least): one round is enough. */
static void victim_queue(struct shared *sh, int fd, const struct npf_env *e,
			 bool sync)
{
	do {
		if (!queue_round(sh, fd, e, sync, sh->rounds * NF_NOSYNC))
			return;
		sh->rounds++;
	} while (!sync && more_rounds(sh));
}

/*
 * libnpf's PacketSendPackets() on a SYNC queue: one call, which resumes by
 * itself where a signal stopped the queue and returns Size once every
 * entry left.
 */
static void victim_libnpf(struct shared *sh, LPADAPTER a,
			  const struct npf_env *e)
{
	uint8_t *q = mk_queue(e, NF_SYNC, true, 0);
	INT r;

	if (!q) {
		sh->errors++;
		note(sh, "out of memory");
		return;
	}
	sh->qlen = NF_SYNC * ENTRY;
	errno = 0;
	r = PacketSendPackets(a, q, sh->qlen, TRUE);
	sh->calls++;
	sh->off = r > 0 ? (uint32_t)r : 0;
	if (r != (INT)sh->qlen) {
		call_failed(sh, "PacketSendPackets", errno);
		note(sh, "PacketSendPackets returned %d of %u bytes: %s", r,
		     sh->qlen, strerror(errno));
	} else {
		sh->rounds++;
	}
	free(q);
}

static void __attribute__((noreturn))
child_main(struct shared *sh, enum storm storm, enum victim v,
	   const struct npf_env *e)
{
	LPADAPTER a = NULL;
	int64_t t0, end;
	int fd;

	g_sh = sh;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (storm == STORM_USR1 && storm_usr1_setup(sh))
		goto setup_failed;
	if (v == V_LIBNPF) {
		a = PacketOpenAdapter(IF_A);
		if (!a) {
			snprintf(sh->setup_msg, sizeof(sh->setup_msg),
				 "PacketOpenAdapter %s: %s", IF_A,
				 strerror(errno));
			goto setup_failed;
		}
		fd = a->hFile;
	} else {
		fd = v == V_READ || v == V_MMAP ? rx_open(sh) : tx_open(sh);
		if (fd < 0)
			goto setup_failed;
	}
	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	end = now_ms() + 20000;
	while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE)) {
		if (now_ms() > end)
			_exit(3);
		usleep(200);
	}
	if (storm == STORM_USR1)
		storm_usr1_arm();
	t0 = now_ms();
	switch (v) {
	case V_READ:
		victim_read(sh, fd, e);
		break;
	case V_MMAP:
		victim_mmap(sh, fd, e);
		break;
	case V_WRITE:
		victim_write(sh, fd, e);
		break;
	case V_NOSYNC:
	case V_SYNC:
		victim_queue(sh, fd, e, v == V_SYNC);
		break;
	case V_LIBNPF:
		victim_libnpf(sh, a, e);
		break;
	}
	sh->run_ms = now_ms() - t0;
	storm_usr1_disarm();
	if (npf_stats(fd, &sh->st)) {
		sh->errors++;
		note(sh, "%s", npf_err);
	}
	if (a)
		PacketCloseAdapter(a);
	else
		close(fd);
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	_exit(0);

setup_failed:
	__atomic_store_n(&sh->setup_failed, 1, __ATOMIC_RELEASE);
	_exit(2);
}

/* ---- the storm of stops (a thread of the test process) ----------------- */

struct stopper {
	pthread_t th;
	bool running;
	pid_t pid;
	struct shared *sh;
	int stop;			/* atomic */
	long sent, stopped;		/* SIGSTOPs, and those that took */
};

/* Is the process in the stopped state? */
static bool proc_stopped(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && (p[2] == 'T' || p[2] == 't');
}

static void *stopper_fn(void *arg)
{
	struct stopper *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&s->sh->done, __ATOMIC_ACQUIRE) &&
	       now_ms() < s->sh->storm_end) {
		int64_t until = now_us() + 50000;

		kill(s->pid, SIGSTOP);
		s->sent++;
		/* a SIGCONT before the stop took would cancel it */
		while (!proc_stopped(s->pid) && now_us() < until &&
		       !__atomic_load_n(&s->sh->done, __ATOMIC_ACQUIRE))
			usleep(100);
		if (proc_stopped(s->pid))
			s->stopped++;
		usleep(STOPPED_US);
		kill(s->pid, SIGCONT);
		usleep(RUN_US + (s->sent % 5) * 500);
	}
	kill(s->pid, SIGCONT);
	return NULL;
}

/* ---- the test process ---------------------------------------------------- */

FIXTURE(sig) {
	struct npf_env env;
	struct shared *sh;
	pid_t child;
	int status;			/* the child's wait status */
	int rx;				/* AF_PACKET on IF_B */
	struct stopper stopper;
	uint32_t *count;		/* send victims: frames of seq i */
};

FIXTURE_VARIANT(sig) {
	enum storm storm;
};

FIXTURE_VARIANT_ADD(sig, stop) {
	.storm = STORM_STOP,
};

FIXTURE_VARIANT_ADD(sig, usr1) {
	.storm = STORM_USR1,
};

FIXTURE_SETUP(sig)
{
	self->child = -1;
	self->rx = -1;
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	self->count = calloc(NSEQ, sizeof(*self->count));
	ASSERT_NE(NULL, self->count);
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
}

static void storm_end(struct _test_data_sig *self)
{
	__atomic_store_n(&self->sh->storm_stop, 1, __ATOMIC_RELAXED);
	if (self->stopper.running) {
		__atomic_store_n(&self->stopper.stop, 1, __ATOMIC_RELAXED);
		pthread_join(self->stopper.th, NULL);
		self->stopper.running = false;
	}
}

/* Reap the child, killing it first unless it is gone already. */
static bool child_reap(struct _test_data_sig *self)
{
	bool gone;

	if (self->child <= 0)
		return true;
	gone = waitpid(self->child, &self->status, WNOHANG) == self->child;
	if (!gone) {
		kill(self->child, SIGKILL);
		kill(self->child, SIGCONT);
		waitpid(self->child, &self->status, 0);
	}
	self->child = -1;
	return gone;
}

FIXTURE_TEARDOWN(sig)
{
	storm_end(self);
	child_reap(self);
	if (self->rx >= 0)
		close(self->rx);
	free(self->count);
	if (self->sh != MAP_FAILED)
		munmap(self->sh, sizeof(*self->sh));
	env_teardown(&self->env);
}

/* Undo env_setup()'s pinning for the test process (the victim keeps it). */
static void unpin(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	for (long c = 0; c < n && c < CPU_SETSIZE; c++)
		CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Fork the victim, wait until it is set up, start the storm and let it go.
 * Returns 0, or -1 with npf_err set.
 */
static int start(struct _test_data_sig *self, enum storm storm,
		 enum victim v)
{
	struct shared *sh = self->sh;
	int64_t end;

	memset(sh, 0, sizeof(*sh));
	sh->storm_end = INT64_MAX;
	self->child = fork();
	if (self->child < 0)
		return snprintf(npf_err, sizeof(npf_err), "fork: %s",
				strerror(errno)), -1;
	if (!self->child)
		child_main(sh, storm, v, &self->env);
	unpin();
	end = now_ms() + 20000;
	while (!__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&sh->setup_failed, __ATOMIC_ACQUIRE))
			return snprintf(npf_err, sizeof(npf_err),
					"victim setup: %s", sh->setup_msg), -1;
		if (now_ms() > end)
			return snprintf(npf_err, sizeof(npf_err),
					"the victim was not ready in 20 s"), -1;
		usleep(500);
	}
	sh->storm_end = now_ms() + STORM_MS;
	sh->child_end = now_ms() + CHILD_MS;
	if (storm == STORM_STOP) {
		memset(&self->stopper, 0, sizeof(self->stopper));
		self->stopper.pid = self->child;
		self->stopper.sh = sh;
		if (pthread_create(&self->stopper.th, NULL, stopper_fn,
				   &self->stopper))
			return snprintf(npf_err, sizeof(npf_err),
					"pthread_create failed"), -1;
		self->stopper.running = true;
	}
	__atomic_store_n(&sh->go, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Has the victim exited? Sends it nothing and leaves it a zombie, so that
 * its pid stays its own until the storm is over.
 */
static bool child_gone(struct _test_data_sig *self)
{
	siginfo_t si;

	if (self->child <= 0)
		return true;
	memset(&si, 0, sizeof(si));
	return !waitid(P_PID, self->child, &si, WEXITED | WNOHANG | WNOWAIT) &&
	       si.si_pid == self->child;
}

/*
 * Wait for the victim to finish, the storm going on meanwhile; then end the
 * storm and reap it. False if it had to be killed.
 */
static bool finish(struct _test_data_sig *self)
{
	bool gone;

	while (!(gone = child_gone(self)) &&
	       now_ms() < self->sh->child_end + 10000)
		usleep(1000);
	storm_end(self);
	return child_reap(self) && gone;
}

static void log_victim(struct __test_metadata *_metadata,
		       struct _test_data_sig *self, enum storm storm,
		       enum victim v)
{
	struct shared *sh = self->sh;

	if (storm == STORM_STOP)
		TH_LOG("%s under SIGSTOP/SIGCONT: %ld stops sent, %ld took",
		       victim_name[v], self->stopper.sent,
		       self->stopper.stopped);
	else
		TH_LOG("%s under an SA_RESTART SIGUSR1 every %d us: %ld signals handled",
		       victim_name[v], USR1_NS / 1000, sh->hits);
	TH_LOG("victim: %lld ms, %ld calls, %ld EINTR (%ld with nothing sent), %ld EINVAL, %ld other errors, %ld anomalies",
	       (long long)sh->run_ms, sh->calls, sh->eintr, sh->eintr_empty,
	       sh->einval, sh->errors, sh->anomalies);
	TH_LOG("victim counters: recv %llu capt %llu drop %llu sent %llu senterr %llu",
	       (unsigned long long)sh->st.bs_recv,
	       (unsigned long long)sh->st.bs_capt,
	       (unsigned long long)sh->st.bs_drop,
	       (unsigned long long)sh->st.bs_sent,
	       (unsigned long long)sh->st.bs_senterr);
	if (sh->first[0])
		TH_LOG("first: %s", sh->first);
}

/* The storm must have hit the victim, or the case tested nothing. */
static void check_storm(struct __test_metadata *_metadata,
			struct _test_data_sig *self, enum storm storm)
{
	if (storm == STORM_STOP) {
		EXPECT_LE(10, self->stopper.stopped);
	} else {
		EXPECT_LE(10, self->sh->hits);
	}
}

/* ---- read victims: the test process sends, the victim counts --------------- */

static void run_rx(struct __test_metadata *_metadata,
		   struct _test_data_sig *self, enum storm storm, enum victim v)
{
	struct shared *sh = self->sh;
	long long rx0 = file_read_ll(OWN_RX), rx1;
	long refused = 0, missing = 0, dup = 0, first_bad = -1;
	int64_t end;
	struct frame f;

	ASSERT_LE(0, rx0);
	ASSERT_EQ(0, start(self, storm, v)) TH_LOG("%s", npf_err);
	end = now_ms() + CHILD_MS;
	for (uint32_t seq = 0; seq < NF_RX;) {
		mk_num(&f, self->env.mac_a, self->env.mac_b, seq);
		if (send(self->env.tx_b, f.b, f.len, 0) == (ssize_t)f.len) {
			if (++seq % RX_BURST == 0)
				usleep(RX_GAP_US);
			continue;
		}
		/* the peer's backlog was full: that frame was not sent */
		ASSERT_EQ(ENOBUFS, errno) TH_LOG("send: %s", strerror(errno));
		ASSERT_GT(end, now_ms()) TH_LOG("sent %u of %d frames", seq,
						NF_RX);
		refused++;
		usleep(1000);
	}
	EXPECT_TRUE(finish(self))
		TH_LOG("the victim did not finish in %d s: killed",
		       CHILD_MS / 1000 + 10);
	rx1 = file_read_ll(OWN_RX);
	for (int i = 0; i < NF_RX; i++) {
		if (sh->seen[i] == 1)
			continue;
		if (first_bad < 0)
			first_bad = i;
		if (!sh->seen[i])
			missing++;
		else
			dup++;
	}
	log_victim(_metadata, self, storm, v);
	TH_LOG("%d frames sent (%ld refused and sent again), %lld on the wire; %llu records: %ld numbers missing, %ld seen more than once (first wrong: %ld, seen %d times)",
	       NF_RX, refused, rx1 - rx0, (unsigned long long)sh->records,
	       missing, dup, first_bad,
	       first_bad >= 0 ? sh->seen[first_bad] : 1);
	EXPECT_TRUE(WIFEXITED(self->status) && !WEXITSTATUS(self->status))
		TH_LOG("victim wait status %#x", self->status);
	EXPECT_EQ(NF_RX, rx1 - rx0);
	/* signals restart these calls: no error at all, EINVAL least */
	EXPECT_EQ(0, sh->einval);
	EXPECT_EQ(0, sh->eintr);
	EXPECT_EQ(0, sh->errors);
	EXPECT_EQ(0, sh->anomalies);
	/* every frame exactly once */
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, dup);
	EXPECT_EQ((uint64_t)NF_RX, sh->records);
	EXPECT_EQ((uint64_t)NF_RX, sh->st.bs_recv);
	EXPECT_EQ((uint64_t)NF_RX, sh->st.bs_capt);
	EXPECT_EQ(0ULL, sh->st.bs_drop);
	check_storm(_metadata, self, storm);
}

/* ---- send victims: the victim sends, the test process counts ---------------- */

struct rxcount {
	uint64_t frames;		/* incoming frames received */
	uint64_t strangers;		/* ... not numbered frames */
	uint64_t disorder;		/* ... out of order */
	uint64_t drops;			/* the socket's tp_drops */
	long last;
};

static void rx_drain(struct _test_data_sig *self, struct rxcount *c,
		     bool strict)
{
	uint8_t buf[2048];

	for (;;) {
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		ssize_t n = recvfrom(self->rx, buf, sizeof(buf),
				     MSG_DONTWAIT | MSG_TRUNC,
				     (struct sockaddr *)&sll, &sl);
		long seq;

		if (n < 0)
			return;
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		c->frames++;
		seq = frame_seq(buf, n, self->env.mac_b, self->env.mac_a);
		if (seq < 0) {
			c->strangers++;
			continue;
		}
		self->count[seq]++;
		/* queues: strictly increasing; writes: never backwards */
		if (strict ? seq <= c->last : seq < c->last)
			c->disorder++;
		c->last = seq;
	}
}

static uint64_t rx_drops(int s)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (getsockopt(s, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		return 0;
	return st.tp_drops;	/* since the last call */
}

/*
 * Count what reaches IF_B until the victim is gone and the socket has
 * every frame the peer's rx_packets counted. Returns the frames on the wire.
 */
static long long rx_until_done(struct __test_metadata *_metadata,
			       struct _test_data_sig *self, struct rxcount *c,
			       long long rx0, bool strict)
{
	int64_t settle = 0;
	long long wire = 0;
	bool gone = false;

	for (;;) {
		struct pollfd p = { .fd = self->rx, .events = POLLIN };

		poll(&p, 1, 20);
		rx_drain(self, c, strict);
		c->drops += rx_drops(self->rx);
		if (!gone && (child_gone(self) ||
			      now_ms() > self->sh->child_end + 10000)) {
			EXPECT_TRUE(finish(self))
				TH_LOG("the victim did not finish in %d s: killed",
				       CHILD_MS / 1000 + 10);
			gone = true;
			settle = now_ms() + 10000;
		}
		if (gone) {
			wire = file_read_ll(PEER_RX) - rx0;
			if ((long long)(c->frames + c->drops) >= wire ||
			    now_ms() > settle)
				return wire;
		}
	}
}

static void run_tx(struct __test_metadata *_metadata,
		   struct _test_data_sig *self, enum storm storm, enum victim v)
{
	struct shared *sh = self->sh;
	struct rxcount c = { .last = -1 };
	long n, per = v == V_NOSYNC ? NF_NOSYNC : v == V_WRITE ? 0 : NF_SYNC;
	long missing = 0, dup = 0, extra = 0, first_bad = -1, bad_calls = 0;
	int sz = 64 << 20;
	long long rx0, wire;

	self->rx = rx_socket(self->env.ifindex_b, NULL, 0);
	ASSERT_LE(0, self->rx) TH_LOG("%s", npf_err);
	/* the whole storm's worth, should the victim replay its frames */
	ASSERT_EQ(0, setsockopt(self->rx, SOL_SOCKET, SO_RCVBUFFORCE, &sz,
				sizeof(sz)));
	rx_drops(self->rx);
	rx0 = file_read_ll(PEER_RX);
	ASSERT_LE(0, rx0);
	ASSERT_EQ(0, start(self, storm, v)) TH_LOG("%s", npf_err);
	wire = rx_until_done(_metadata, self, &c, rx0, v != V_WRITE);
	/* whole rounds only: a round cut short fails below */
	n = per * (sh->rounds + (sh->off < sh->qlen));
	if (v == V_WRITE) {
		/* call k sent frame k, bs_sent says how many times */
		for (long k = 0; k < NSEQ; k++) {
			uint32_t want = k < sh->ncalls ? sh->percall[k] : 0;

			if (self->count[k] == want)
				continue;
			if (bad_calls++ == 0)
				first_bad = k;
		}
	} else {
		for (long i = 0; i < NSEQ; i++) {
			uint32_t want = i < n;

			if (self->count[i] == want)
				continue;
			if (first_bad < 0)
				first_bad = i;
			if (self->count[i] < want) {
				missing++;
				continue;
			}
			if (want)
				dup++;
			extra += self->count[i] - want;
		}
	}
	log_victim(_metadata, self, storm, v);
	if (v == V_WRITE)
		TH_LOG("%ld rounds of %d copies; %ld write calls, bs_sent deltas sum to %llu; peer: %lld on the wire, %llu received, %llu dropped by the socket, %llu strangers, %llu out of order; %ld calls whose frame count differs from bs_sent (first: call %ld, %u received, bs_sent %u)",
		       sh->rounds, REPS, sh->ncalls,
		       (unsigned long long)sh->copies, wire,
		       (unsigned long long)c.frames,
		       (unsigned long long)c.drops,
		       (unsigned long long)c.strangers,
		       (unsigned long long)c.disorder, bad_calls, first_bad,
		       first_bad >= 0 ? self->count[first_bad] : 0,
		       first_bad >= 0 && first_bad < sh->ncalls ?
		       sh->percall[first_bad] : 0);
	else
		TH_LOG("%ld rounds of %ld entries (%u bytes), the last one's caller at byte %u; peer: %lld on the wire, %llu received, %llu dropped by the socket, %llu strangers, %llu out of order; %ld numbers missing, %ld sent more than once, %ld frames too many (first wrong: %ld, received %u times)",
		       sh->rounds, per, sh->qlen, sh->off, wire,
		       (unsigned long long)c.frames,
		       (unsigned long long)c.drops,
		       (unsigned long long)c.strangers,
		       (unsigned long long)c.disorder, missing, dup,
		       extra, first_bad,
		       first_bad >= 0 ? self->count[first_bad] : 0);
	EXPECT_TRUE(WIFEXITED(self->status) && !WEXITSTATUS(self->status))
		TH_LOG("victim wait status %#x", self->status);
	/* EINTR is the contract's, once something left; nothing else */
	EXPECT_EQ(0, sh->eintr_empty);
	EXPECT_EQ(0, sh->einval);
	EXPECT_EQ(0, sh->errors);
	EXPECT_EQ(0, sh->anomalies);
	/* the storm interrupted the victim at least once (libnpf hides it) */
	if (v != V_LIBNPF) {
		EXPECT_LE(1, sh->eintr);
	} else {
		EXPECT_EQ(0, sh->eintr);
	}
	EXPECT_EQ(0ULL, c.drops);
	EXPECT_EQ(0ULL, c.strangers);
	EXPECT_EQ((uint64_t)wire, c.frames);
	EXPECT_EQ(0ULL, c.disorder);
	EXPECT_EQ(0ULL, sh->st.bs_senterr);
	if (v == V_WRITE) {
		EXPECT_LE(1, sh->rounds);
		EXPECT_EQ((uint64_t)REPS * sh->rounds, sh->copies);
		EXPECT_EQ(sh->copies, sh->st.bs_sent);
		EXPECT_EQ((long long)sh->copies, wire);
		EXPECT_EQ(0, bad_calls);
	} else {
		EXPECT_EQ(sh->qlen, sh->off);
		EXPECT_EQ((uint64_t)n, sh->st.bs_sent);
		EXPECT_EQ(n, wire);
		EXPECT_EQ(0, missing);
		EXPECT_EQ(0, dup);
		EXPECT_EQ(0, extra);
	}
	check_storm(_metadata, self, storm);
}

/* ---- the cases --------------------------------------------------------------- */

/* A blocking read() loop of NF_RX numbered frames: each exactly once. */
TEST_F_TIMEOUT(sig, blocking_read, 180)
{
	run_rx(_metadata, self, variant->storm, V_READ);
}

/*
 * A BIOCMMAPNEXT loop on the mapped ring: a restarted call must not fail
 * with EINVAL (the unfixed kernel gave the batch back before its wait, so
 * the restart found nothing lent), and each frame comes exactly once.
 */
TEST_F_TIMEOUT(sig, mmap_next, 180)
{
	run_rx(_metadata, self, variant->storm, V_MMAP);
}

/*
 * write() with BIOCSWRITEREP: REPS copies in all, each EINTR resumed with
 * what bs_sent says is left: the peer gets exactly what bs_sent counted,
 * call by call.
 */
TEST_F_TIMEOUT(sig, write_repeat, 180)
{
	run_tx(_metadata, self, variant->storm, V_WRITE);
}

/* A NOSYNC queue of numbered frames: each on the wire once, in order. */
TEST_F_TIMEOUT(sig, sendq_nosync, 180)
{
	run_tx(_metadata, self, variant->storm, V_NOSYNC);
}

/*
 * A SYNC queue (groups of SYNC_GROUP frames SYNC_GAP_US apart): a signal
 * in a gap or between two frames of a group; each frame once, in order.
 */
TEST_F_TIMEOUT(sig, sendq_sync, 180)
{
	run_tx(_metadata, self, variant->storm, V_SYNC);
}

/*
 * The same SYNC queue through libnpf: PacketSendPackets() resumes by itself
 * and returns Size (libnpf is another helper's; not changed here).
 */
TEST_F_TIMEOUT(sig, libnpf_sendq_sync, 180)
{
	run_tx(_metadata, self, variant->storm, V_LIBNPF);
}

TEST_HARNESS_MAIN
