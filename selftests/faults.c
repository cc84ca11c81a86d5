// SPDX-License-Identifier: GPL-2.0
/*
 * Faults: the adapter deleted or its driver unloaded under blocked
 * readers (every mode), pollers, writers (a long repeat, a full send
 * buffer, a synchronized send queue asleep) and a running dump; rmmod
 * refused while an fd or a frame in flight holds the module, and clean
 * afterwards; memory pressure: rings charged to the opener's memory cgroup,
 * and allocation failures injected (failslab, fail-nth) into open,
 * BIOCSETBUFFERSIZE, BIOCSETF, write, BIOCSETDUMPFILENAME and the
 * multicast list: each fails cleanly with ENOMEM or succeeds, and nothing
 * leaks (module references, opens; kmemleak on a debug kernel is the
 * runner's). The failslab cases need a kernel with fault injection (the
 * debug kernel of scripts/kernel/); elsewhere they are skipped. On the
 * debug kernel (NPF_EXPECT_DEBUG=1) nothing here may skip for want of a
 * kernel feature: failslab, a memory controller, tbf, dummy as a module.
 *
 *   NPF_FAULTS_DEPTH=N   allocations failed in turn per sweep (default 400)
 *   NPF_FAULTS_BPF=1     sweep BIOCSETF into the kernel's BPF allocator too
 *                        (its vmalloc warns with a stack dump on failure)
 *   NPF_ONLY=substring   run only the matching tests (all suites here)
 */
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <net/if.h>

#include "hostile_util.h"
#include "harness.h"

#define BIG	(1 << 20)
#define LATE	3000
#define FAILSLAB "/sys/kernel/debug/failslab"
#define FAILPAGE "/sys/kernel/debug/fail_page_alloc"

FIXTURE(flt) {
	struct npf_env env;
	int fd;			/* opened, not bound */
	uint8_t *buf;
	struct reclist l;
	char dir[64];
	char cg[96];		/* memory cgroup to remove, or "" */
	bool failslab_set, failpage_set;
	char fs_ignore[8], fs_verbose[8];
	char fp_ignore[8], fp_verbose[8], fp_order[8];
};

FIXTURE_SETUP(flt)
{
	reclist_init(&self->l);
	self->fd = -1;
	self->cg[0] = 0;
	self->failslab_set = false;
	self->failpage_set = false;
	self->buf = malloc(BIG);
	ASSERT_NE(NULL, self->buf);
	NPF_ONLY_OR_SKIP();
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	/* env_setup() mounted a sysfs of this namespace over /sys: bring
	 * back what lives below it */
	mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	snprintf(self->dir, sizeof(self->dir), "/tmp/npf-faults-%d", getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755));
}

FIXTURE_TEARDOWN(flt)
{
	/* frames a slow qdisc holds pin the open's socket, its namespace
	 * and the module: drop them */
	sh("tc qdisc del dev %s root", IF_A);
	if (self->fd >= 0)
		close(self->fd);
	if (self->failslab_set) {
		file_write_str(FAILSLAB "/ignore-gfp-wait", self->fs_ignore);
		file_write_str(FAILSLAB "/verbose", self->fs_verbose);
	}
	if (self->failpage_set) {
		file_write_str(FAILPAGE "/ignore-gfp-wait", self->fp_ignore);
		file_write_str(FAILPAGE "/verbose", self->fp_verbose);
		file_write_str(FAILPAGE "/min-order", self->fp_order);
	}
	if (self->cg[0])
		rmdir(self->cg);
	/* a module we unloaded must be back for the tests after us */
	if (access("/sys/module/npf", F_OK) && getenv("NPF_REPO"))
		sh("insmod %s/kmod/npf.ko", getenv("NPF_REPO"));
	sh("rm -rf %s", self->dir);
	reclist_free(&self->l);
	free(self->buf);
	env_teardown(&self->env);
}

static void mkf(struct frame *f, const struct npf_env *e, uint32_t len,
		uint32_t seq)
{
	mk_udp4(f, e->mac_a, e->mac_b, "10.0.0.2", "10.0.0.1", 1000, 2000,
		len, seq);
}

static void mkf_out(struct frame *f, const struct npf_env *e, uint32_t len,
		    uint32_t seq)
{
	mk_udp4(f, e->mac_b, e->mac_a, "10.0.0.1", "10.0.0.2", 2000, 1000,
		len, seq);
}

static int feed(struct npf_env *e, int fd, int n, uint32_t len, uint32_t seq)
{
	struct frame f;

	for (int i = 0; i < n; i++) {
		mkf(&f, e, len, seq + i);
		if (tx_send(e->tx_b, &f))
			return -1;
	}
	return fd >= 0 ? npf_wait_accounted(fd, n, 10000) : 0;
}

/* ---- a thread blocked in one system call --------------------------------- */

enum op { OP_READ, OP_WRITE, OP_POLL, OP_SENDQ_SYNC, OP_LINK_DEL,
	  OP_RMMOD };

struct blocked {
	pthread_t th;
	enum op op;
	int fd;
	const void *arg;
	size_t len;
	short events;
	char name[32];
	/* results */
	long ret;
	int err;
	short revents;
	int done;		/* atomic */
	int64_t t_end;
	uint8_t *buf;
};

static void usr1(int sig)
{
	(void)sig;
}

static void *blocked_fn(void *arg)
{
	struct blocked *b = arg;
	struct pollfd p = { .fd = b->fd, .events = b->events };

	switch (b->op) {
	case OP_READ:
		b->ret = read(b->fd, b->buf, BIG);
		break;
	case OP_WRITE:
		b->ret = write(b->fd, b->arg, b->len);
		break;
	case OP_POLL:
		b->ret = poll(&p, 1, 60000);
		b->revents = p.revents;
		break;
	case OP_SENDQ_SYNC:
		b->ret = ioctl(b->fd, BIOCSENDPACKETSSYNC, b->arg);
		break;
	case OP_LINK_DEL:
		b->ret = link_del(b->name);
		break;
	case OP_RMMOD:
		b->ret = sh("rmmod %s", b->name);
		break;
	}
	b->err = errno;
	b->t_end = now_ms();
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int blocked_start(struct blocked *b, enum op op, int fd)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = usr1;		/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	b->op = op;
	b->fd = fd;
	b->done = 0;
	if (!b->buf)
		b->buf = malloc(BIG);
	if (!b->buf || pthread_create(&b->th, NULL, blocked_fn, b))
		return npf_fail("pthread_create failed");
	return 0;
}

static bool blocked_wait(struct blocked *b, int ms)
{
	int64_t end = now_ms() + ms;

	while (!__atomic_load_n(&b->done, __ATOMIC_ACQUIRE)) {
		if (now_ms() > end)
			return false;
		sleep_ms(2);
	}
	return true;
}

/* Get the thread out (a signal ends an interruptible wait) and join it. */
static void blocked_stop(struct blocked *b)
{
	if (!b->buf)
		return;
	for (int i = 0; i < 200 && !blocked_wait(b, 50); i++)
		pthread_kill(b->th, SIGUSR1);
	if (blocked_wait(b, 0))
		pthread_join(b->th, NULL);
	free(b->buf);
	b->buf = NULL;
}

static bool is_module(const char *name)
{
	char p[96];

	snprintf(p, sizeof(p), "/sys/module/%s/refcnt", name);
	return !access(p, F_OK);
}

/* ======================================================================
 * The adapter goes away under blocked callers
 * ====================================================================== */

/*
 * rmmod dummy while, on one of its adapters, a reader blocks in every
 * mode, a poller waits, a writer repeats a frame 4 billion times and a
 * dump writes a file: rmmod completes, every caller returns, the dump
 * file is whole and holds every frame the open captured.
 */
TEST_F_TIMEOUT(flt, driver_unloaded_under_every_kind_of_caller, 90)
{
	static const struct sock_filter reject[] = { { BPF_RET | BPF_K, 0, 0, 0 } };
	struct blocked rd = { 0 }, st = { 0 }, dr = { 0 }, pl = { 0 },
		       wr = { 0 };
	struct npf_dump_stats ds;
	struct npf_stats s;
	struct pcap_check pc;
	struct frame f;
	int fr, fs, fd, fp, fw;
	char path[128];
	uint32_t v;
	int64_t t0, t1;
	int r;

	if (sh("modprobe dummy numdummies=0") || !is_module("dummy"))
		SKIP_OR_FAIL("dummy is not a loadable module here (built in or missing)");
	ASSERT_EQ(0, sh("ip link add npfdum0 type dummy && ip link set npfdum0 up"));
	fr = self->fd;
	fs = npf_open(0);
	fd = npf_open(0);
	fp = npf_open(0);
	fw = npf_open(0);
	ASSERT_LE(0, fs);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, fp);
	ASSERT_LE(0, fw);
	for (int i = 0; i < 5; i++) {
		int x = (int[]){ fr, fs, fd, fp, fw }[i];

		ASSERT_EQ(0, npf_bind(x, "npfdum0")) TH_LOG("%s", npf_err);
	}
	/* CAPT reader: nothing passes its filter, no timeout */
	ASSERT_EQ(0, npf_set_filter(fr, reject, 1));
	ASSERT_EQ(0, npf_set_timeout(fr, 0));
	/* STAT reader, an interval of a minute */
	ASSERT_EQ(0, npf_set_timeout(fs, 60000));
	ASSERT_EQ(0, npf_set_mode(fs, NPF_MODE_STAT));
	/* DUMP: a file, a reader waiting for the end */
	snprintf(path, sizeof(path), "%s/unload.pcap", self->dir);
	ASSERT_EQ(0, npf_set_timeout(fd, 0));
	ASSERT_EQ(0, npf_dump_file(fd, path, 0)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_mode(fd, NPF_MODE_DUMP));
	/* poller: rejects everything too */
	ASSERT_EQ(0, npf_set_filter(fp, reject, 1));
	ASSERT_EQ(0, npf_set_timeout(fp, 0));
	/* writer */
	v = 0xffffffff;
	ASSERT_EQ(0, ioctl(fw, BIOCSWRITEREP, &v));
	mk_raw(&f, mac_bcast, self->env.mac_a, 0x88b6, 60, 1);

	ASSERT_EQ(0, blocked_start(&rd, OP_READ, fr));
	ASSERT_EQ(0, blocked_start(&st, OP_READ, fs));
	ASSERT_EQ(0, blocked_start(&dr, OP_READ, fd));
	pl.events = POLLIN;
	ASSERT_EQ(0, blocked_start(&pl, OP_POLL, fp));
	wr.arg = f.b;
	wr.len = f.len;
	ASSERT_EQ(0, blocked_start(&wr, OP_WRITE, fw));
	sleep_ms(1000);
	EXPECT_FALSE(blocked_wait(&rd, 0)) TH_LOG("the CAPT read returned %ld", rd.ret);
	EXPECT_FALSE(blocked_wait(&st, 0)) TH_LOG("the STAT read returned %ld", st.ret);
	EXPECT_FALSE(blocked_wait(&dr, 0)) TH_LOG("the DUMP read returned %ld", dr.ret);
	EXPECT_FALSE(blocked_wait(&pl, 0)) TH_LOG("the poll returned %ld", pl.ret);
	EXPECT_FALSE(blocked_wait(&wr, 0)) TH_LOG("the write returned %ld", wr.ret);

	t0 = now_ms();
	r = sh("rmmod dummy");
	t1 = now_ms();
	EXPECT_EQ(0, r) TH_LOG("rmmod dummy failed");
	EXPECT_GT(LATE, t1 - t0) TH_LOG("rmmod dummy took %lld ms", (long long)(t1 - t0));
	EXPECT_TRUE(blocked_wait(&rd, LATE)) TH_LOG("CAPT reader still blocked");
	EXPECT_TRUE(blocked_wait(&st, LATE)) TH_LOG("STAT reader still blocked");
	EXPECT_TRUE(blocked_wait(&dr, LATE)) TH_LOG("DUMP reader still blocked");
	EXPECT_TRUE(blocked_wait(&pl, LATE)) TH_LOG("poller still blocked");
	EXPECT_TRUE(blocked_wait(&wr, LATE)) TH_LOG("writer still in its repeat");
	/* what they returned */
	EXPECT_EQ(-1, rd.ret);
	EXPECT_EQ(ENODEV, rd.err) TH_LOG("CAPT read: %s", strerror(rd.err));
	if (st.ret > 0) {
		EXPECT_EQ((long)sizeof(struct npf_stat_record), st.ret);
		EXPECT_ERRNO(ENODEV, read(fs, self->buf, BIG));
	} else {
		EXPECT_EQ(ENODEV, st.err) TH_LOG("STAT read: %s", strerror(st.err));
	}
	EXPECT_EQ(1, pl.ret);
	EXPECT_TRUE(pl.revents & (POLLHUP | POLLERR)) TH_LOG("revents %#x", pl.revents);
	EXPECT_EQ(-1, wr.ret) TH_LOG("the write of 4 billion copies succeeded");
	EXPECT_TRUE(wr.err == ENODEV || wr.err == ENETDOWN)
		TH_LOG("write: %s", strerror(wr.err));
	ASSERT_EQ(0, npf_stats(fw, &s));
	EXPECT_LT(0ULL, s.bs_sent);
	/* the dump: every frame captured is in the file, whole */
	ASSERT_EQ(0, npf_stats(fd, &s));
	ASSERT_EQ(0, npf_dump_stats(fd, &ds));
	EXPECT_EQ(0, ds.error);
	EXPECT_EQ(1U, ds.active);
	close(fd);
	ASSERT_EQ(0, pcap_check_file(path, &pc, NULL, NULL)) TH_LOG("%s", npf_err);
	EXPECT_EQ(s.bs_capt, pc.packets) TH_LOG("captured %llu, in the file %llu",
					       (unsigned long long)s.bs_capt,
					       (unsigned long long)pc.packets);
	EXPECT_LT(0ULL, pc.packets);
	blocked_stop(&rd);
	blocked_stop(&st);
	blocked_stop(&dr);
	blocked_stop(&pl);
	blocked_stop(&wr);
	close(fs);
	close(fp);
	close(fw);
}

/* A writer that writes until it blocks, or fails. */
struct writer {
	pthread_t th;
	int fd;
	const struct frame *f;
	long count;		/* atomic: frames written */
	int done;		/* atomic */
	ssize_t ret;
	int err;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;

	for (;;) {
		w->ret = write(w->fd, w->f->b, w->f->len);
		if (w->ret < 0)
			break;
		__atomic_add_fetch(&w->count, 1, __ATOMIC_RELAXED);
	}
	w->err = errno;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

struct nbfill {
	int n, err, slow;
	int64_t worst;
};

/* Non-blocking writes until EAGAIN (or 2000, or 10 s); a write that
 * sleeps is ended by SIGALRM after a second. */
static void fill_nonblocking(int fd, const struct frame *f, struct nbfill *nb)
{
	int64_t end = now_ms() + 10000;

	memset(nb, 0, sizeof(*nb));
	for (nb->n = 0; nb->n < 2000 && now_ms() < end; nb->n++) {
		int64_t t0 = now_ms(), dt;
		ssize_t r;

		alarm_ms(1000);
		r = write(fd, f->b, f->len);
		nb->err = r < 0 ? errno : 0;
		alarm_ms(0);
		dt = now_ms() - t0;
		if (dt > nb->worst)
			nb->worst = dt;
		if (dt > 300)
			nb->slow++;
		if (r < 0 && nb->err != EINTR)
			break;
	}
}

/*
 * A slow qdisc (tbf, 1 kbit/s) holds the frames an open sends.
 * Non-blocking writes fill the send buffer and then fail with EAGAIN;
 * none of them sleeps ("a writer that outruns the adapter sleeps until it
 * drains (O_NONBLOCK: EAGAIN)"). Then a blocking writer sleeps on the full
 * send buffer, a POLLOUT poller waits, and the adapter is deleted: the
 * deletion completes, both return.
 */
TEST_F_TIMEOUT(flt, deleted_under_writer_with_full_send_buffer, 90)
{
	struct blocked pl = { 0 }, del = { 0 };
	struct writer w = { 0 };
	struct nbfill nb;
	struct frame f;
	int err, slow;
	int64_t t0, end;
	long last;

	if (sh("tc qdisc add dev %s root tbf rate 1kbit burst 1600 limit 20000000",
	       IF_A))
		SKIP_OR_FAIL("cannot add a tbf qdisc (tc or sch_tbf missing)");
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	mkf_out(&f, &self->env, 1000, 0);
	/* fill the send buffer; a write that sleeps is ended by a signal */
	fill_nonblocking(self->fd, &f, &nb);
	TH_LOG("non-blocking writes: %d, the last %s; %d slept more than 300 ms (the longest %lld ms)",
	       nb.n, nb.err ? strerror(nb.err) : "sent", nb.slow,
	       (long long)nb.worst);
	slow = nb.slow;
	err = nb.err;
	EXPECT_EQ(0, slow) TH_LOG("O_NONBLOCK writes sleep when the send buffer is full");
	EXPECT_EQ(EAGAIN, err);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, 0));

	/* a blocking writer: it writes until the buffer is full, then sleeps */
	w.fd = self->fd;
	w.f = &f;
	ASSERT_EQ(0, pthread_create(&w.th, NULL, writer_fn, &w));
	pl.events = POLLOUT;
	ASSERT_EQ(0, blocked_start(&pl, OP_POLL, self->fd));
	last = -1;
	for (end = now_ms() + 20000; now_ms() < end;) {
		long c = __atomic_load_n(&w.count, __ATOMIC_RELAXED);

		if (c == last || __atomic_load_n(&w.done, __ATOMIC_ACQUIRE))
			break;
		last = c;
		sleep_ms(1500);
	}
	ASSERT_FALSE(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE))
		TH_LOG("the blocking writer failed: %s", strerror(w.err));
	EXPECT_FALSE(blocked_wait(&pl, 0)) TH_LOG("the POLLOUT poll did not block");
	TH_LOG("writer blocked after %ld more frames; deleting %s", last, IF_A);
	snprintf(del.name, sizeof(del.name), "%s", IF_A);
	t0 = now_ms();
	ASSERT_EQ(0, blocked_start(&del, OP_LINK_DEL, -1));
	EXPECT_TRUE(blocked_wait(&del, 5000))
		TH_LOG("deleting %s hangs: the blocked writer holds it", IF_A);
	for (end = now_ms() + LATE; now_ms() < end &&
	     !__atomic_load_n(&w.done, __ATOMIC_ACQUIRE);)
		sleep_ms(5);
	EXPECT_TRUE(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE))
		TH_LOG("writer still blocked");
	EXPECT_TRUE(blocked_wait(&pl, LATE)) TH_LOG("poller still blocked");
	TH_LOG("deletion took %lld ms; the writer: %s", (long long)(del.t_end - t0),
	       strerror(w.err));
	if (__atomic_load_n(&w.done, __ATOMIC_ACQUIRE)) {
		EXPECT_TRUE(w.err == ENODEV || w.err == ENETDOWN)
			TH_LOG("%s", strerror(w.err));
		pthread_join(w.th, NULL);
	} else {
		for (int i = 0; i < 100 && !__atomic_load_n(&w.done, __ATOMIC_ACQUIRE); i++) {
			pthread_kill(w.th, SIGUSR1);
			sleep_ms(50);
		}
	}
	blocked_stop(&pl);
	blocked_stop(&del);
	EXPECT_ERRNO(ENODEV, write(self->fd, f.b, f.len));
}

/*
 * A synchronized send queue sleeps until its next entry is due (30 s
 * away) when the adapter is deleted. The deletion must not wait for that
 * sleep (it waits for the device's last reference), and the queue must
 * end: the adapter is gone.
 */
TEST_F_TIMEOUT(flt, deleted_under_sleeping_sync_send_queue, 90)
{
	struct blocked sq = { 0 }, del = { 0 };
	struct npf_sendq q;
	struct npf_sendq_hdr h;
	struct frame f;
	uint8_t *qb = self->buf;
	uint32_t off = 0;
	int64_t t0;
	bool del_ok, sq_ok;

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	mkf_out(&f, &self->env, 100, 0);
	for (int i = 0; i < 2; i++) {
		h.tv_sec = 1000 + 30 * i;
		h.tv_usec = 0;
		h.caplen = h.len = f.len;
		memcpy(qb + off, &h, sizeof(h));
		memcpy(qb + off + sizeof(h), f.b, f.len);
		off += sizeof(h) + f.len;
	}
	memset(&q, 0, sizeof(q));
	q.buf = (uint64_t)(uintptr_t)qb;
	q.len = off;
	sq.arg = &q;
	ASSERT_EQ(0, blocked_start(&sq, OP_SENDQ_SYNC, self->fd));
	sleep_ms(500);
	ASSERT_FALSE(blocked_wait(&sq, 0)) TH_LOG("the queue returned %ld (%s)", sq.ret,
						  strerror(sq.err));
	snprintf(del.name, sizeof(del.name), "%s", IF_A);
	t0 = now_ms();
	ASSERT_EQ(0, blocked_start(&del, OP_LINK_DEL, -1));
	del_ok = blocked_wait(&del, 5000);
	sq_ok = blocked_wait(&sq, LATE);
	EXPECT_TRUE(del_ok) TH_LOG("deleting %s waits for the sleeping send queue (it holds the device)",
				   IF_A);
	EXPECT_TRUE(sq_ok) TH_LOG("the SYNC send queue sleeps on after its adapter was deleted");
	/* get everything unstuck: a signal ends the queue's sleep */
	blocked_stop(&sq);
	EXPECT_TRUE(blocked_wait(&del, 10000)) TH_LOG("deletion still stuck");
	TH_LOG("deletion took %lld ms; queue: %ld (%s), consumed %u",
	       (long long)(del.t_end - t0), sq.ret,
	       sq.ret < 0 ? strerror(sq.err) : "ok", q.consumed);
	if (sq_ok) {
		EXPECT_EQ(-1, sq.ret);
		EXPECT_TRUE(sq.err == ENODEV || sq.err == ENETDOWN)
			TH_LOG("%s", strerror(sq.err));
		EXPECT_EQ(sizeof(h) + f.len, q.consumed);
	}
	blocked_stop(&del);
}

struct flood {
	pthread_t th;
	int tx;
	struct frame f[4];
	int stop;
	long sent;
};

static void *flood_fn(void *arg)
{
	struct flood *fl = arg;

	while (!__atomic_load_n(&fl->stop, __ATOMIC_RELAXED)) {
		const struct frame *f = &fl->f[fl->sent % 4];

		if (send(fl->tx, f->b, f->len, 0) < 0) {
			if (errno == ENXIO || errno == ENODEV || errno == ENETDOWN)
				break;
			sleep_ms(1);
			continue;
		}
		if (++fl->sent % 64 == 0)
			usleep(500);
	}
	return NULL;
}

/* The adapter is deleted while a dump writes frames that pour in: the
 * file is whole and has exactly the frames the open captured. */
TEST_F_TIMEOUT(flt, deleted_during_dump, 60)
{
	struct flood fl = { 0 };
	struct npf_dump_stats ds;
	struct pcap_check pc;
	struct npf_stats s;
	char path[128];

	snprintf(path, sizeof(path), "%s/del.pcap", self->dir);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_dump_file(self->fd, path, 0)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_DUMP));
	for (int i = 0; i < 4; i++)
		mkf(&fl.f[i], &self->env, 60 + 400 * i, i);
	fl.tx = self->env.tx_b;
	ASSERT_EQ(0, pthread_create(&fl.th, NULL, flood_fn, &fl));
	sleep_ms(1500);
	ASSERT_EQ(0, link_del(IF_A)) TH_LOG("%s", npf_err);
	__atomic_store_n(&fl.stop, 1, __ATOMIC_RELAXED);
	pthread_join(fl.th, NULL);
	sleep_ms(300);
	ASSERT_EQ(0, npf_stats(self->fd, &s));
	ASSERT_EQ(0, npf_dump_stats(self->fd, &ds));
	EXPECT_EQ(0, ds.error);
	EXPECT_EQ(s.bs_recv, s.bs_capt + s.bs_drop + s.bs_filtered + s.bs_nomem);
	/* close finishes the file */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pcap_check_file(path, &pc, NULL, NULL)) TH_LOG("%s", npf_err);
	EXPECT_EQ(s.bs_capt, pc.packets) TH_LOG("%ld sent, recv %llu capt %llu drop %llu",
					       fl.sent, (unsigned long long)s.bs_recv,
					       (unsigned long long)s.bs_capt,
					       (unsigned long long)s.bs_drop);
	EXPECT_LT(10ULL, pc.packets);
}

/* ======================================================================
 * Module lifetime
 * ====================================================================== */

static long delete_npf(void)
{
	return syscall(SYS_delete_module, "npf", O_NONBLOCK);
}

/*
 * rmmod npf is refused while an fd is open, and while frames an open sent
 * are still in flight after its close (they belong to its socket, whose
 * protocol is the module's); once they are gone it unloads, the device
 * and the netlink family go with it, and a fresh insmod works.
 */
TEST_F_TIMEOUT(flt, rmmod_refused_while_in_use_clean_after, 90)
{
	const char *repo = getenv("NPF_REPO");
	struct frame f;
	int id, s, n;

	if (!repo)
		SKIP(return, "NPF_REPO is not set: cannot insmod the module again");
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	EXPECT_ERRNO(EWOULDBLOCK, delete_npf());
	/* frames held by a slow qdisc outlive the open */
	if (sh("tc qdisc add dev %s root tbf rate 8kbit burst 1600 limit 1000000",
	       IF_A) == 0) {
		mkf_out(&f, &self->env, 1000, 0);
		ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
		for (n = 0; n < 20; n++) {
			ASSERT_EQ(f.len, write(self->fd, f.b, f.len))
				TH_LOG("%s", strerror(errno));
		}
		close(self->fd);
		self->fd = -1;
		sleep_ms(200);
		EXPECT_ERRNO(EWOULDBLOCK, delete_npf());
		ASSERT_EQ(0, sh("tc qdisc del dev %s root", IF_A));
	} else {
		TH_LOG("no tbf qdisc: frames in flight not tested");
		close(self->fd);
		self->fd = -1;
	}
	/* nothing holds it now (the runner's own fds are closed) */
	for (n = 0; n < 50 && delete_npf(); n++)
		sleep_ms(100);
	ASSERT_NE(0, access("/sys/module/npf", F_OK))
		TH_LOG("rmmod npf: %s", strerror(errno));
	EXPECT_ERRNO(ENOENT, open(NPF_DEV, O_RDWR));
	s = genl_open(&id);
	EXPECT_EQ(-ENOENT, s) TH_LOG("the netlink family outlived the module");
	if (s >= 0)
		close(s);
	ASSERT_EQ(0, sh("insmod %s/kmod/npf.ko", repo));
	/* and it works */
	for (n = 0; n < 100 && access(NPF_DEV, F_OK); n++)
		sleep_ms(20);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(0, feed(&self->env, self->fd, 3, 100, 0)) TH_LOG("%s", npf_err);
	EXPECT_EQ(3, collect(self->fd, &self->l, 3, 3000, BIG));
}

/* ======================================================================
 * Memory pressure
 * ====================================================================== */

static long long cg_read(const char *cg, const char *file)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/%s", cg, file);
	return file_read_ll(p);
}

struct cgctx {
	const char *cg;
	int pipe;
};

static int in_memcg(void *arg)
{
	struct cgctx *c = arg;
	char p[160], pid[16];
	long long v[4];
	int fds[10];
	uint32_t size = 64 << 20;

	snprintf(p, sizeof(p), "%s/cgroup.procs", c->cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (file_write_str(p, pid))
		return 250;
	v[0] = cg_read(c->cg, "memory.current");
	for (int i = 0; i < 10; i++) {
		fds[i] = npf_open(0);
		if (fds[i] < 0)
			return 1;
	}
	v[1] = cg_read(c->cg, "memory.current");
	if (ioctl(fds[0], BIOCSETBUFFERSIZE, &size))
		return 2;
	v[2] = cg_read(c->cg, "memory.current");
	for (int i = 0; i < 10; i++)
		close(fds[i]);
	v[3] = cg_read(c->cg, "memory.current");
	if (write(c->pipe, v, sizeof(v)) != sizeof(v))
		return 3;
	return 0;
}

/*
 * Rings are charged to the opener's memory cgroup: ten opens cost the
 * cgroup ten default rings, a 64 MiB ring costs it 64 MiB, and closing
 * gives it all back. (A ring beyond the cgroup's limit is not tried: the
 * allocation would invoke the cgroup's OOM killer, whose report carries a
 * stack dump.)
 */
TEST_F_TIMEOUT(flt, rings_charged_to_memcg, 60)
{
	struct cgctx c;
	long long v[4] = { -1, -1, -1, -1 };
	int pfd[2], r;
	ssize_t n;

	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK))
		SKIP_OR_FAIL("no cgroup v2 hierarchy at /sys/fs/cgroup");
	if (sh("grep -qw memory /sys/fs/cgroup/cgroup.controllers"))
		SKIP_OR_FAIL("the kernel has no memory controller (CONFIG_MEMCG)");
	if (sh("grep -qw memory /sys/fs/cgroup/cgroup.subtree_control") &&
	    file_write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
		SKIP_OR_FAIL("cannot enable the memory controller: %s", npf_err);
	snprintf(self->cg, sizeof(self->cg), "/sys/fs/cgroup/npf-faults-%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->cg, 0755)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, pipe(pfd));
	c.cg = self->cg;
	c.pipe = pfd[1];
	r = in_child(in_memcg, &c);
	close(pfd[1]);
	n = read(pfd[0], v, sizeof(v));
	close(pfd[0]);
	ASSERT_EQ(0, r) TH_LOG("child failed at step %d", r);
	ASSERT_EQ((ssize_t)sizeof(v), n);
	TH_LOG("memory.current: %lld at first, %lld with 10 opens, %lld with a 64 MiB ring, %lld after the closes",
	       v[0], v[1], v[2], v[3]);
	/* (the charge is in pages, and per-CPU stocks blur it a little) */
	EXPECT_LE(v[0] + 9 * 1000000LL, v[1])
		TH_LOG("ten rings of 1,000,000 bytes are not charged to the cgroup");
	EXPECT_LE(v[1] + (60LL << 20), v[2])
		TH_LOG("a 64 MiB ring is not charged to the cgroup");
	/* everything uncharged once the opener is gone */
	for (int i = 0; i < 50 && cg_read(self->cg, "memory.current") > (4 << 20); i++)
		sleep_ms(100);
	EXPECT_GT(4LL << 20, cg_read(self->cg, "memory.current"))
		TH_LOG("the cgroup still carries %lld bytes",
		       cg_read(self->cg, "memory.current"));
}

/* ---- failslab --------------------------------------------------------- */

/*
 * fail-nth: the n-th fault-injectable allocation of this thread fails.
 * arm(n), the operation, then armed_left(): > 0 means the operation made
 * fewer allocations than n (nothing was injected: the sweep is over).
 */
struct nth {
	int fd;
};

static int nth_open(struct nth *t)
{
	t->fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	return t->fd < 0 ? -1 : 0;
}

static void nth_arm(struct nth *t, int n)
{
	char b[16];
	int l = snprintf(b, sizeof(b), "%d", n);

	if (pwrite(t->fd, b, l, 0) != l)
		abort();
}

/* How many allocations were left to the failure; disarms. */
static int nth_left(struct nth *t)
{
	char b[16] = { 0 };
	int v;

	if (pread(t->fd, b, sizeof(b) - 1, 0) < 0)
		abort();
	v = atoi(b);
	if (pwrite(t->fd, "0", 1, 0) != 1)
		abort();
	return v;
}

/* Skipped where the kernel has no failslab; a failure on the debug kernel. */
#define FAILSLAB_OR_SKIP()						\
	do {								\
		if (access(FAILSLAB, F_OK))				\
			SKIP_OR_FAIL("no " FAILSLAB ": this kernel has no failslab fault injection (CONFIG_FAILSLAB; the debug kernel of scripts/kernel/ has it)"); \
	} while (0)

/*
 * Slab mode: every slab allocation of this thread, sleeping ones too, can
 * be the one that fails (page allocations of the sleeping kind never do:
 * fail_page_alloc's defaults). Page mode: page allocations only (vmalloc'ed
 * rings, large buffers), slab allocations never. The sweeps that go
 * through vmalloc run in both modes where the kernel has fail_page_alloc.
 * (In slab mode, a failure inside vmalloc's own bookkeeping can make
 * kmemleak print "Cannot allocate a scan area": a notice, not a report.)
 * Called again for another mode, it keeps the settings saved first.
 */
static void failslab_setup(struct __test_metadata *_metadata,
			   FIXTURE_DATA(flt) *self, struct nth *t, bool pages)
{
	if (!self->failslab_set) {
		ASSERT_EQ(0, file_read_str(FAILSLAB "/ignore-gfp-wait", self->fs_ignore,
					   sizeof(self->fs_ignore)));
		ASSERT_EQ(0, file_read_str(FAILSLAB "/verbose", self->fs_verbose,
					   sizeof(self->fs_verbose)));
		self->failslab_set = true;
	}
	/* no stack dump per injected failure */
	ASSERT_EQ(0, file_write_str(FAILSLAB "/verbose", "0"));
	if (pages) {
		if (!self->failpage_set) {
			ASSERT_EQ(0, file_read_str(FAILPAGE "/ignore-gfp-wait",
						   self->fp_ignore,
						   sizeof(self->fp_ignore)));
			ASSERT_EQ(0, file_read_str(FAILPAGE "/verbose",
						   self->fp_verbose,
						   sizeof(self->fp_verbose)));
			ASSERT_EQ(0, file_read_str(FAILPAGE "/min-order",
						   self->fp_order,
						   sizeof(self->fp_order)));
			self->failpage_set = true;
		}
		ASSERT_EQ(0, file_write_str(FAILSLAB "/ignore-gfp-wait", "Y"));
		ASSERT_EQ(0, file_write_str(FAILPAGE "/verbose", "0"));
		ASSERT_EQ(0, file_write_str(FAILPAGE "/ignore-gfp-wait", "N"));
		ASSERT_EQ(0, file_write_str(FAILPAGE "/min-order", "0"));
	} else {
		ASSERT_EQ(0, file_write_str(FAILSLAB "/ignore-gfp-wait", "N"))
			TH_LOG("%s", npf_err);
	}
	ASSERT_EQ(0, nth_open(t)) TH_LOG("/proc/thread-self/fail-nth: %s",
					 strerror(errno));
}

/* The vmalloc sweeps: slab mode, then page mode where there is one. */
static int vmalloc_modes(void)
{
	return access(FAILPAGE, F_OK) ? 1 : 2;
}

static const char *mode_name(int mode)
{
	return mode ? "page allocations" : "slab allocations";
}

/* How deep a sweep goes: NPF_FAULTS_DEPTH (default 400) */
static int sweep_depth(void)
{
	const char *e = getenv("NPF_FAULTS_DEPTH");

	return e ? atoi(e) : 400;
}

struct sweep {
	int runs, failed, injected;
	int other;		/* failures with another errno than ENOMEM */
	char what[256];
};

static void sweep_note(struct sweep *s, int n, int err, const char *op)
{
	s->failed++;
	if (err != ENOMEM && s->other++ == 0)
		snprintf(s->what, sizeof(s->what), "%s, allocation %d: %s", op,
			 n, strerror(err));
}

static long long refcnt(void)
{
	return file_read_ll("/sys/module/npf/refcnt");
}

/* Allocation failures in open(): ENOMEM or a working open, no leak. */
TEST_F_TIMEOUT(flt, failslab_open, 120)
{
	struct sweep s = { 0 };
	struct genl_info_ans info;
	struct npf_stats st;
	struct nth t;
	long long ref0;
	int n;

	FAILSLAB_OR_SKIP();
	ref0 = refcnt();
	for (int mode = 0; mode < vmalloc_modes(); mode++) {
		memset(&s, 0, sizeof(s));
		failslab_setup(_metadata, self, &t, mode);
		for (n = 1; n <= sweep_depth(); n++) {
			int fd, err, left;

			nth_arm(&t, n);
			fd = open(NPF_DEV, O_RDWR | O_CLOEXEC);
			err = errno;
			left = nth_left(&t);
			s.runs++;
			if (fd < 0) {
				sweep_note(&s, n, err, "open");
			} else {
				if (npf_bind(fd, IF_A) || npf_stats(fd, &st)) {
					TH_LOG("open that survived allocation failure %d does not work: %s",
					       n, npf_err);
					s.other++;
				}
				close(fd);
			}
			if (left)
				break;
			s.injected++;
		}
		close(t.fd);
		TH_LOG("%s: %d runs, %d allocations failed in turn, %d calls failed",
		       mode_name(mode), s.runs, s.injected, s.failed);
		EXPECT_EQ(0, s.other) TH_LOG("%s", s.what);
		EXPECT_LT(0, s.failed) TH_LOG("%s", mode_name(mode));
	}
	EXPECT_EQ(ref0, refcnt()) TH_LOG("module references leaked");
	ASSERT_EQ(0, genl_npf_info(&info));
	EXPECT_EQ(1U, info.opens) TH_LOG("opens leaked (only the fixture's is open)");
}

TEST_F_TIMEOUT(flt, failslab_setbuffersize_keeps_old_ring, 120)
{
	struct sweep s = { 0 };
	struct nth t;
	int n;

	FAILSLAB_OR_SKIP();
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	for (int mode = 0; mode < vmalloc_modes(); mode++) {
		memset(&s, 0, sizeof(s));
		failslab_setup(_metadata, self, &t, mode);
		for (n = 1; n <= sweep_depth(); n++) {
			uint32_t size = 65536 + 8 * n;
			int r, err, left;
			struct pollfd p = { .fd = self->fd, .events = POLLIN };

			ASSERT_EQ(0, feed(&self->env, -1, 1, 100, n));
			/* timeout -1: POLLIN once the record is in the ring */
			ASSERT_EQ(1, poll(&p, 1, 5000));
			nth_arm(&t, n);
			r = ioctl(self->fd, BIOCSETBUFFERSIZE, &size);
			err = errno;
			left = nth_left(&t);
			s.runs++;
			if (r) {
				sweep_note(&s, n, err, "BIOCSETBUFFERSIZE");
				/* the old ring and its record stayed */
				reclist_clear(&self->l);
				EXPECT_EQ(1, collect(self->fd, &self->l, 1, 1000, BIG))
					TH_LOG("after failure %d: %s", n, npf_err);
			} else {
				EXPECT_EQ(0, read(self->fd, self->buf, BIG))
					TH_LOG("the new ring is not empty");
			}
			if (left)
				break;
			s.injected++;
		}
		close(t.fd);
		TH_LOG("%s: %d runs, %d calls failed", mode_name(mode), s.runs,
		       s.failed);
		EXPECT_EQ(0, s.other) TH_LOG("%s", s.what);
		EXPECT_LT(0, s.failed) TH_LOG("%s", mode_name(mode));
	}
}

/*
 * BIOCSETF: by default only npf's own allocation (the copy of the
 * program) is failed. Deeper failures, inside the kernel's BPF allocator,
 * make the kernel print an allocation-failure stack dump (its vmalloc has
 * no __GFP_NOWARN), which the runner counts as a log problem:
 * NPF_FAULTS_BPF=1 sweeps them too.
 */
TEST_F_TIMEOUT(flt, failslab_setf_keeps_old_filter, 120)
{
	static const struct sock_filter snap[] = {
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 },
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0x0800 },
		{ BPF_RET | BPF_K, 0, 0, 64 },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	static const struct sock_filter ret40[] = { { BPF_RET | BPF_K, 0, 0, 40 } };
	const char *deep = getenv("NPF_FAULTS_BPF");
	int depth = deep && *deep == '1' ? sweep_depth() : 1;
	struct sweep s = { 0 };
	struct nth t;
	struct frame f;
	int n;

	FAILSLAB_OR_SKIP();
	failslab_setup(_metadata, self, &t, false);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	for (n = 1; n <= depth; n++) {
		struct npf_program p = { 4, 0, (uint64_t)(uintptr_t)snap };
		int r, err, left;

		ASSERT_EQ(0, npf_set_filter(self->fd, ret40, 1));
		nth_arm(&t, n);
		r = ioctl(self->fd, BIOCSETF, &p);
		err = errno;
		left = nth_left(&t);
		s.runs++;
		mkf(&f, &self->env, 200, n);
		ASSERT_EQ(0, tx_send(self->env.tx_b, &f));
		reclist_clear(&self->l);
		ASSERT_EQ(1, collect(self->fd, &self->l, 1, 3000, BIG)) TH_LOG("%s", npf_err);
		if (r) {
			sweep_note(&s, n, err, "BIOCSETF");
			EXPECT_EQ(40U, self->l.r[0].h.bh_caplen)
				TH_LOG("failure %d: the old filter is not in force", n);
		} else {
			EXPECT_EQ(64U, self->l.r[0].h.bh_caplen);
		}
		if (left)
			break;
		s.injected++;
	}
	TH_LOG("%d runs, %d calls failed", s.runs, s.failed);
	EXPECT_EQ(0, s.other) TH_LOG("%s", s.what);
	EXPECT_LT(0, s.failed);
}

/* write() with 3 repeats: each copy that leaves is counted, whatever
 * fails; the peer receives exactly bs_sent frames. */
TEST_F_TIMEOUT(flt, failslab_write_counts_exactly, 120)
{
	struct sweep s = { 0 };
	struct npf_stats st, pst;
	struct nth t;
	struct frame f;
	uint32_t rep = 3;
	int n, peer;

	FAILSLAB_OR_SKIP();
	failslab_setup(_metadata, self, &t, false);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, ioctl(self->fd, BIOCSWRITEREP, &rep));
	peer = npf_open(0);
	ASSERT_LE(0, peer);
	ASSERT_EQ(0, npf_bind(peer, IF_B));
	mkf_out(&f, &self->env, 300, 0);
	for (n = 1; n <= sweep_depth(); n++) {
		ssize_t r;
		int err, left;

		nth_arm(&t, n);
		r = write(self->fd, f.b, f.len);
		err = errno;
		left = nth_left(&t);
		s.runs++;
		if (r < 0) {
			/* a clone failing after copies left: ENOBUFS */
			if (err == ENOBUFS)
				err = ENOMEM;
			sweep_note(&s, n, err, "write");
		} else {
			EXPECT_EQ((ssize_t)f.len, r);
		}
		if (left)
			break;
		s.injected++;
	}
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	ASSERT_EQ(0, npf_wait_recv(peer, st.bs_sent, 5000)) TH_LOG("%s", npf_err);
	sleep_ms(200);
	ASSERT_EQ(0, npf_stats(peer, &pst));
	TH_LOG("%d runs, %d calls failed, %llu frames sent, %llu refused",
	       s.runs, s.failed, (unsigned long long)st.bs_sent,
	       (unsigned long long)st.bs_senterr);
	EXPECT_EQ(st.bs_sent, pst.bs_recv) TH_LOG("the peer got another number of frames");
	EXPECT_EQ(st.bs_sent * f.len, st.bs_sent_bytes);
	EXPECT_EQ(0, s.other) TH_LOG("%s", s.what);
	EXPECT_LT(0, s.failed);
	close(peer);
}

/* BIOCSETDUMPFILENAME: a failure keeps the current file; the file that
 * is current at the end is whole. */
TEST_F_TIMEOUT(flt, failslab_dump_file, 120)
{
	struct sweep s = { 0 };
	struct npf_dump_stats ds;
	struct pcap_check pc;
	struct nth t;
	char path[128], cur[128];
	int n;

	FAILSLAB_OR_SKIP();
	failslab_setup(_metadata, self, &t, false);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	snprintf(cur, sizeof(cur), "%s/first.pcap", self->dir);
	ASSERT_EQ(0, npf_dump_file(self->fd, cur, 0)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_DUMP));
	for (n = 1; n <= sweep_depth(); n++) {
		struct npf_dump_name dn = { 0, 0, 0 };
		int r, err, left;

		snprintf(path, sizeof(path), "%s/f%d.pcap", self->dir, n);
		dn.path = (uint64_t)(uintptr_t)path;
		nth_arm(&t, n);
		r = ioctl(self->fd, BIOCSETDUMPFILENAME, &dn);
		err = errno;
		left = nth_left(&t);
		s.runs++;
		if (r) {
			/* tmpfs reports a failed inode allocation as ENOSPC */
			if (err == ENOSPC)
				err = ENOMEM;
			sweep_note(&s, n, err, "BIOCSETDUMPFILENAME");
		} else {
			snprintf(cur, sizeof(cur), "%s", path);
		}
		ASSERT_EQ(0, npf_dump_stats(self->fd, &ds));
		EXPECT_EQ(1U, ds.active);
		if (left)
			break;
		s.injected++;
	}
	TH_LOG("%d runs, %d calls failed", s.runs, s.failed);
	EXPECT_EQ(0, s.other) TH_LOG("%s", s.what);
	EXPECT_LT(0, s.failed);
	ASSERT_EQ(0, feed(&self->env, self->fd, 5, 100, 0)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_CAPT));
	ASSERT_EQ(0, pcap_check_file(cur, &pc, NULL, NULL)) TH_LOG("%s", npf_err);
	EXPECT_EQ(5ULL, pc.packets) TH_LOG("%s", cur);
}

/* A multicast list of 4 that fails half-way leaves no address behind. */
TEST_F_TIMEOUT(flt, failslab_multicast_list_all_or_nothing, 120)
{
	struct {
		struct npf_oid_data h;
		uint8_t d[24];
	} set = { { OID_802_3_MULTICAST_LIST, 24 }, { 0 } };
	struct sweep s = { 0 };
	struct nth t;
	int n, base;

	FAILSLAB_OR_SKIP();
	failslab_setup(_metadata, self, &t, false);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	base = mc_count_fd(self->fd);
	ASSERT_LE(0, base) TH_LOG("%s", strerror(errno));
	for (int i = 0; i < 4; i++) {
		uint8_t m[6] = { 0x01, 0x00, 0x5e, 0x44, 0x55, (uint8_t)(0x10 + i) };

		memcpy(set.d + 6 * i, m, 6);
	}
	for (n = 1; n <= sweep_depth(); n++) {
		int r, err, left, c;

		nth_arm(&t, n);
		r = ioctl(self->fd, BIOCSETOID, &set);
		err = errno;
		left = nth_left(&t);
		s.runs++;
		c = mc_count_fd(self->fd);
		if (r) {
			sweep_note(&s, n, err, "OID_802_3_MULTICAST_LIST");
			EXPECT_EQ(base, c) TH_LOG("failure %d left addresses behind", n);
		} else {
			EXPECT_EQ(base + 4, c);
			/* back to none for the next round */
			set.h.length = 0;
			ASSERT_EQ(0, ioctl(self->fd, BIOCSETOID, &set));
			set.h.length = 24;
			EXPECT_EQ(base, mc_count_fd(self->fd));
		}
		if (left)
			break;
		s.injected++;
	}
	TH_LOG("%d runs, %d calls failed", s.runs, s.failed);
	EXPECT_EQ(0, s.other) TH_LOG("%s", s.what);
	EXPECT_LT(0, s.failed);
	close(self->fd);
	self->fd = -1;
	/* the open is gone: so are its addresses */
	{
		int fd = npf_open(0);

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, npf_bind(fd, IF_A));
		EXPECT_EQ(base, mc_count_fd(fd));
		close(fd);
	}
}

TEST_HARNESS_MAIN
