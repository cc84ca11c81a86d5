// SPDX-License-Identifier: GPL-2.0
/*
 * Delayed write: when a read returns, when poll/epoll report EPOLLIN.
 *
 * The rule (uapi/linux/npf.h): an open is ready when max(MinToCopy, 1)
 * bytes of records are buffered; or records are buffered and the ring
 * dropped since the last read; or records are buffered and the timeout is
 * -1 or expired while poll waited; or the adapter went away. A blocking
 * read waits until ready or the read timeout (0 = none, -1 = no wait).
 *
 * This runs under TCG emulation, slow and noisy: lower bounds on waits are
 * strict (a read never returns early; the only slack is one timer tick),
 * upper bounds loose.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "npf_util.h"
#include "harness.h"

#define BIG	(1 << 20)
#define EARLY	12	/* ms: a jiffy or two of timer granularity */
#define LATE	3000	/* ms: what TCG may add */

/* ---- fixture ----------------------------------------------------------- */

FIXTURE(dw) {
	struct npf_env env;
	int fd;
	struct reclist l;
	struct reader rd;
	uint8_t *buf;
};

FIXTURE_SETUP(dw)
{
	reclist_init(&self->l);
	self->fd = -1;
	self->buf = malloc(BIG);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
}

FIXTURE_TEARDOWN(dw)
{
	reader_stop(&self->rd);
	if (self->fd >= 0)
		close(self->fd);
	reclist_free(&self->l);
	free(self->buf);
	env_teardown(&self->env);
}

static void mk_n(struct frame *f, int n, const struct npf_env *e,
		 uint32_t len, int seq0)
{
	for (int i = 0; i < n; i++)
		mk_udp4(&f[i], e->mac_a, e->mac_b, "10.0.0.2", "10.0.0.1",
			3000, 3001, len, seq0 + i);
}

/* Send and wait until the tap has dealt with them. */
static int send_wait(int fd, int tx, const struct frame *f, int n,
		     uint64_t total)
{
	if (tx_send_all(tx, f, n))
		return -1;
	return npf_wait_accounted(fd, total, 10000);
}

static int nrecords(const uint8_t *buf, ssize_t n, struct reclist *l)
{
	if (n <= 0)
		return n == 0 ? 0 : -1;
	return parse_records(buf, n, l, false);
}

/* ---- read() ------------------------------------------------------------- */

/* Defaults: timeout 1000 ms, MinToCopy 16000. One small record: the read
 * waits the full second and returns it. */
TEST_F_TIMEOUT(dw, default_timeout_1000ms, 60)
{
	struct frame f;
	int64_t t0, dt;
	ssize_t n;

	mk_n(&f, 1, &self->env, 100, 0);
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, &f, 1, 1))
		TH_LOG("%s", npf_err);
	t0 = now_ms();
	n = read(self->fd, self->buf, BIG);
	dt = now_ms() - t0;
	ASSERT_EQ((ssize_t)RECLEN(100), n) TH_LOG("read: %s", strerror(errno));
	EXPECT_LE(1000 - EARLY, dt) TH_LOG("returned after %lld ms",
					   (long long)dt);
	EXPECT_GT(1000 + LATE, dt) TH_LOG("returned after %lld ms",
					  (long long)dt);
}

/* Default MinToCopy is 16000: with no timeout, 15 records of 1032 bytes
 * (15480) keep the reader waiting, the 16th (16512) releases it. */
TEST_F_TIMEOUT(dw, default_mintocopy_16000, 60)
{
	struct frame f[16];

	mk_n(f, 16, &self->env, 1000, 0);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f, 15, 15))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, reader_start(&self->rd, self->fd));
	EXPECT_FALSE(reader_wait(&self->rd, 1500))
		TH_LOG("read returned %zd with 15480 bytes buffered",
		       self->rd.ret);
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f[15]));
	ASSERT_TRUE(reader_wait(&self->rd, LATE))
		TH_LOG("read still blocked with 16512 bytes buffered");
	ASSERT_EQ(16, nrecords(self->rd.buf, self->rd.ret, &self->l))
		TH_LOG("ret %zd err %s %s", self->rd.ret,
		       strerror(self->rd.err), npf_err);
}

/* MinToCopy already buffered: the read returns at once, long before its
 * timeout, with everything. */
TEST_F_TIMEOUT(dw, mintocopy_buffered_returns_at_once, 60)
{
	struct frame f[3];
	int64_t t0, dt;
	ssize_t n;

	mk_n(f, 3, &self->env, 1000, 0);
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 3000));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 20000));
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f, 3, 3))
		TH_LOG("%s", npf_err);
	t0 = now_ms();
	n = read(self->fd, self->buf, BIG);
	dt = now_ms() - t0;
	EXPECT_LE(3000, n);
	EXPECT_EQ(3, nrecords(self->buf, n, &self->l)) TH_LOG("%s", npf_err);
	EXPECT_GT(LATE, dt) TH_LOG("took %lld ms", (long long)dt);
}

/* A blocked reader below MinToCopy stays blocked, and wakes as soon as the
 * frame that reaches MinToCopy arrives. */
TEST_F_TIMEOUT(dw, mintocopy_reached_wakes_reader, 60)
{
	struct frame f[3];
	int64_t t_send;

	mk_n(f, 3, &self->env, 1000, 0);
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 3000));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 30000));
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f, 2, 2))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, reader_start(&self->rd, self->fd));
	EXPECT_FALSE(reader_wait(&self->rd, 1500))
		TH_LOG("read returned %zd with 2064 bytes of MinToCopy 3000",
		       self->rd.ret);
	t_send = now_ms();
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f[2]));
	ASSERT_TRUE(reader_wait(&self->rd, LATE))
		TH_LOG("not woken when MinToCopy was reached");
	EXPECT_GT(t_send + LATE, self->rd.t_end);
	EXPECT_LE(3000, self->rd.ret);
	EXPECT_EQ(3, nrecords(self->rd.buf, self->rd.ret, &self->l));
}

/* Below MinToCopy: the read returns after the timeout with what is there. */
TEST_F_TIMEOUT(dw, below_mintocopy_returns_after_timeout, 60)
{
	struct frame f[2];
	int64_t t0, dt;
	ssize_t n;

	mk_n(f, 2, &self->env, 100, 0);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 700));
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f, 2, 2))
		TH_LOG("%s", npf_err);
	t0 = now_ms();
	n = read(self->fd, self->buf, BIG);
	dt = now_ms() - t0;
	ASSERT_EQ(2, nrecords(self->buf, n, &self->l))
		TH_LOG("read %zd: %s %s", n, strerror(errno), npf_err);
	EXPECT_TRUE(rec_matches(&self->l.r[0], &f[0]));
	EXPECT_TRUE(rec_matches(&self->l.r[1], &f[1]));
	EXPECT_LE(700 - EARLY, dt) TH_LOG("returned after %lld ms",
					  (long long)dt);
	EXPECT_GT(700 + LATE, dt) TH_LOG("returned after %lld ms",
					 (long long)dt);
}

/* No traffic: the read returns 0 bytes after the timeout, each time. */
TEST_F_TIMEOUT(dw, timeout_without_traffic_returns_zero, 60)
{
	ASSERT_EQ(0, npf_set_timeout(self->fd, 500));
	for (int i = 0; i < 2; i++) {
		int64_t t0 = now_ms(), dt;
		ssize_t n = read(self->fd, self->buf, BIG);

		dt = now_ms() - t0;
		EXPECT_EQ(0, n) TH_LOG("read: %s", strerror(errno));
		EXPECT_LE(500 - EARLY, dt) TH_LOG("after %lld ms",
						  (long long)dt);
		EXPECT_GT(500 + LATE, dt) TH_LOG("after %lld ms",
						 (long long)dt);
	}
}

/* Timeout -1: never wait, with or without records. */
TEST_F_TIMEOUT(dw, immediate_timeout, 60)
{
	struct frame f;
	int64_t t0, dt;
	ssize_t n;

	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	t0 = now_ms();
	n = read(self->fd, self->buf, BIG);
	dt = now_ms() - t0;
	EXPECT_EQ(0, n) TH_LOG("read: %s", strerror(errno));
	EXPECT_GT(1000, dt) TH_LOG("waited %lld ms", (long long)dt);

	mk_n(&f, 1, &self->env, 100, 0);
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, &f, 1, 1))
		TH_LOG("%s", npf_err);
	t0 = now_ms();
	n = read(self->fd, self->buf, BIG);
	dt = now_ms() - t0;
	EXPECT_EQ(1, nrecords(self->buf, n, &self->l));
	EXPECT_GT(1000, dt) TH_LOG("waited %lld ms", (long long)dt);
}

/* Timeout 0: no timeout at all, only MinToCopy releases the reader. */
TEST_F_TIMEOUT(dw, timeout_zero_waits_for_mintocopy, 60)
{
	struct frame f[3];

	mk_n(f, 1, &self->env, 100, 0);
	mk_n(f + 1, 2, &self->env, 1000, 1);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 2000));
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f, 1, 1))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, reader_start(&self->rd, self->fd));
	EXPECT_FALSE(reader_wait(&self->rd, 2500))
		TH_LOG("timeout 0 returned %zd after %lld ms", self->rd.ret,
		       (long long)(self->rd.t_end - self->rd.t_start));
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f + 1, 2));
	ASSERT_TRUE(reader_wait(&self->rd, LATE));
	EXPECT_EQ(3, nrecords(self->rd.buf, self->rd.ret, &self->l));
}

/* MinToCopy 0 behaves as 1: one record is enough. */
TEST_F_TIMEOUT(dw, mintocopy_zero_means_any_record, 60)
{
	struct frame f;
	int64_t t0, dt;
	ssize_t n;

	mk_n(&f, 1, &self->env, 60, 0);
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 0));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 20000));
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, &f, 1, 1))
		TH_LOG("%s", npf_err);
	t0 = now_ms();
	n = read(self->fd, self->buf, BIG);
	dt = now_ms() - t0;
	EXPECT_EQ(1, nrecords(self->buf, n, &self->l));
	EXPECT_GT(LATE, dt) TH_LOG("took %lld ms", (long long)dt);
}

/* O_NONBLOCK: a read that is not ready fails with EAGAIN at once. */
TEST_F_TIMEOUT(dw, nonblock_eagain_unless_ready, 60)
{
	struct frame f;
	int64_t t0;
	ssize_t n;

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 5000));
	/* nothing at all */
	t0 = now_ms();
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->buf, BIG));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_GT(t0 + 1000, now_ms());
	/* a record, below MinToCopy, timeout not expired: not ready */
	mk_n(&f, 1, &self->env, 100, 0);
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, &f, 1, 1))
		TH_LOG("%s", npf_err);
	t0 = now_ms();
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->buf, BIG));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_GT(t0 + 1000, now_ms());
	/* MinToCopy lowered under what is buffered: ready */
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 100));
	n = read(self->fd, self->buf, BIG);
	EXPECT_EQ(1, nrecords(self->buf, n, &self->l))
		TH_LOG("read %zd: %s", n, strerror(errno));
	/* empty again */
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->buf, BIG));
	EXPECT_EQ(EAGAIN, errno);
	/* timeout -1 with a record: ready; without: EAGAIN, not 0 */
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 16000));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->buf, BIG));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, &f, 1, 2))
		TH_LOG("%s", npf_err);
	n = read(self->fd, self->buf, BIG);
	EXPECT_EQ(1, nrecords(self->buf, n, &self->l))
		TH_LOG("read %zd: %s", n, strerror(errno));
}

/* A signal interrupts a blocked read (EINTR); nothing is lost. */
TEST_F_TIMEOUT(dw, signal_interrupts_read, 60)
{
	struct frame f;
	int64_t t0, dt;
	ssize_t n;

	mk_n(&f, 1, &self->env, 100, 0);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, &f, 1, 1))
		TH_LOG("%s", npf_err);
	t0 = now_ms();
	alarm_ms(500);
	errno = 0;
	n = read(self->fd, self->buf, BIG);
	dt = now_ms() - t0;
	alarm_ms(0);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EINTR, errno);
	EXPECT_LE(500 - EARLY, dt);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	n = read(self->fd, self->buf, BIG);
	EXPECT_EQ(1, nrecords(self->buf, n, &self->l));
}

/* ---- poll / epoll ----------------------------------------------------- */

static int poll1(int fd, int ms, short *revents)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r = poll(&p, 1, ms);

	*revents = p.revents;
	return r;
}

/* POLLIN exactly when MinToCopy bytes are there (no timeout in play). */
TEST_F_TIMEOUT(dw, poll_follows_mintocopy, 60)
{
	struct frame f[2];
	short rev;
	ssize_t n;

	mk_n(f, 1, &self->env, 100, 0);
	mk_n(f + 1, 1, &self->env, 1000, 1);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 1000));
	EXPECT_EQ(0, poll1(self->fd, 0, &rev)) TH_LOG("revents %#x", rev);
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f, 1, 1))
		TH_LOG("%s", npf_err);
	EXPECT_EQ(0, poll1(self->fd, 0, &rev)) TH_LOG("revents %#x", rev);
	EXPECT_EQ(0, poll1(self->fd, 500, &rev)) TH_LOG("revents %#x", rev);
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f + 1, 1, 2))
		TH_LOG("%s", npf_err);
	EXPECT_EQ(1, poll1(self->fd, 0, &rev));
	EXPECT_TRUE(rev & POLLIN) TH_LOG("revents %#x", rev);
	n = read(self->fd, self->buf, BIG);
	EXPECT_EQ(2, nrecords(self->buf, n, &self->l));
	EXPECT_EQ(0, poll1(self->fd, 0, &rev)) TH_LOG("revents %#x", rev);
}

struct sender {
	pthread_t th;
	int tx, delay_ms, n;
	const struct frame *f;
	int64_t t_sent;
};

static void *sender_fn(void *arg)
{
	struct sender *s = arg;

	sleep_ms(s->delay_ms);
	s->t_sent = now_ms();
	tx_send_all(s->tx, s->f, s->n);
	return NULL;
}

/* A poller sleeping below MinToCopy is woken when it is reached. */
TEST_F_TIMEOUT(dw, poll_woken_by_mintocopy, 60)
{
	struct frame f[3];
	struct sender s = { .delay_ms = 500, .n = 3, .f = f };
	int64_t t0, dt;
	short rev;
	int r;

	mk_n(f, 3, &self->env, 1000, 0);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 3000));
	s.tx = self->env.tx_b;
	t0 = now_ms();
	ASSERT_EQ(0, pthread_create(&s.th, NULL, sender_fn, &s));
	r = poll1(self->fd, 20000, &rev);
	dt = now_ms() - t0;
	pthread_join(s.th, NULL);
	EXPECT_EQ(1, r);
	EXPECT_TRUE(rev & POLLIN);
	EXPECT_LE(500 - EARLY, dt);
	EXPECT_GT(s.t_sent - t0 + LATE, dt) TH_LOG("woken %lld ms after the send",
						   (long long)(t0 + dt - s.t_sent));
}

/* poll() starts the read-timeout clock: with a record buffered below
 * MinToCopy, the poller is woken when the timeout expires, and the read
 * that follows returns at once. */
TEST_F_TIMEOUT(dw, poll_starts_read_timeout, 60)
{
	struct frame f;
	int64_t t0, dt;
	short rev;
	ssize_t n;

	mk_n(&f, 1, &self->env, 100, 0);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 2000));
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, &f, 1, 1))
		TH_LOG("%s", npf_err);
	t0 = now_ms();
	EXPECT_EQ(1, poll1(self->fd, 20000, &rev));
	dt = now_ms() - t0;
	EXPECT_TRUE(rev & POLLIN) TH_LOG("revents %#x", rev);
	EXPECT_LE(2000 - EARLY, dt) TH_LOG("woken after %lld ms",
					   (long long)dt);
	EXPECT_GT(2000 + LATE, dt) TH_LOG("woken after %lld ms",
					  (long long)dt);
	/* ready now: still ready for poll(0), and read does not wait */
	EXPECT_EQ(1, poll1(self->fd, 0, &rev));
	t0 = now_ms();
	n = read(self->fd, self->buf, BIG);
	dt = now_ms() - t0;
	EXPECT_EQ(1, nrecords(self->buf, n, &self->l));
	EXPECT_GT(1000, dt) TH_LOG("read waited %lld ms after the poll timeout",
				   (long long)dt);
}

/* An expired timeout with nothing buffered is not readiness. */
TEST_F_TIMEOUT(dw, poll_timeout_without_records_not_ready, 60)
{
	int64_t t0, dt;
	short rev;

	ASSERT_EQ(0, npf_set_timeout(self->fd, 300));
	t0 = now_ms();
	EXPECT_EQ(0, poll1(self->fd, 1500, &rev)) TH_LOG("revents %#x", rev);
	dt = now_ms() - t0;
	EXPECT_LE(1500 - EARLY, dt);
}

/* Timeout expired while polling, then a record arrives: ready at once. */
TEST_F_TIMEOUT(dw, poll_timeout_then_record, 60)
{
	struct frame f;
	struct sender s = { .delay_ms = 1000, .n = 1, .f = &f };
	int64_t t0, dt;
	short rev;
	int r;

	mk_n(&f, 1, &self->env, 100, 0);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 300));
	s.tx = self->env.tx_b;
	t0 = now_ms();
	ASSERT_EQ(0, pthread_create(&s.th, NULL, sender_fn, &s));
	r = poll1(self->fd, 15000, &rev);
	dt = now_ms() - t0;
	pthread_join(s.th, NULL);
	EXPECT_EQ(1, r);
	EXPECT_TRUE(rev & POLLIN);
	EXPECT_LE(1000 - EARLY, dt);
	EXPECT_GT(s.t_sent - t0 + 300 + LATE, dt)
		TH_LOG("woken %lld ms after the record arrived",
		       (long long)(t0 + dt - s.t_sent));
}

/* epoll: level-triggered readiness follows the same rule, including the
 * read-timeout wake. */
TEST_F_TIMEOUT(dw, epoll_readiness, 60)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct frame f[2];
	struct sender s = { .delay_ms = 300, .n = 1, .f = f };
	int ep, r;
	int64_t t0, dt;
	ssize_t n;

	mk_n(f, 1, &self->env, 100, 0);
	mk_n(f + 1, 1, &self->env, 1000, 1);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 1000));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ev.data.fd = self->fd;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f, 1, 1))
		TH_LOG("%s", npf_err);
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 300));
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f + 1, 1, 2))
		TH_LOG("%s", npf_err);
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 5000));
	EXPECT_TRUE(!!(out.events & EPOLLIN));
	/* level-triggered: still there */
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 0));
	n = read(self->fd, self->buf, BIG);
	EXPECT_EQ(2, nrecords(self->buf, n, &self->l));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));

	close(ep);

	/*
	 * The read-timeout wake under epoll: the registration polls once
	 * (and starts the clock), a record below MinToCopy is buffered, the
	 * wait ends when the timeout does.
	 */
	ASSERT_EQ(0, npf_set_timeout(self->fd, 1500));
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f, 1, 3))
		TH_LOG("%s", npf_err);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	t0 = now_ms();
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	r = epoll_wait(ep, &out, 1, 20000);
	dt = now_ms() - t0;
	EXPECT_EQ(1, r);
	EXPECT_LE(1500 - EARLY, dt) TH_LOG("woken after %lld ms",
					   (long long)dt);
	EXPECT_GT(1500 + LATE, dt) TH_LOG("woken after %lld ms",
					  (long long)dt);
	n = read(self->fd, self->buf, BIG);
	EXPECT_EQ(1, nrecords(self->buf, n, &self->l));

	/* and again in the usual loop (wait, read, wait): the record comes
	 * in while the second wait sleeps */
	s.tx = self->env.tx_b;
	t0 = now_ms();
	ASSERT_EQ(0, pthread_create(&s.th, NULL, sender_fn, &s));
	r = epoll_wait(ep, &out, 1, 20000);
	dt = now_ms() - t0;
	pthread_join(s.th, NULL);
	EXPECT_EQ(1, r);
	EXPECT_LE(1500 - EARLY, dt) TH_LOG("woken after %lld ms",
					   (long long)dt);
	EXPECT_GT(s.t_sent - t0 + 1500 + LATE, dt)
		TH_LOG("woken after %lld ms", (long long)dt);
	n = read(self->fd, self->buf, BIG);
	EXPECT_EQ(1, nrecords(self->buf, n, &self->l));
	close(ep);
}

/*
 * The read timeout of a read() runs from that read: a clock an earlier
 * poll() started (and gave up on) does not cut it short, nor does its
 * expiry, with no poller waiting, make a later record "ready".
 */
TEST_F_TIMEOUT(dw, earlier_poll_does_not_shorten_read_timeout, 60)
{
	struct frame f;
	int64_t t0, dt;
	short rev;
	ssize_t n;

	mk_n(&f, 1, &self->env, 100, 0);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 1500));
	EXPECT_EQ(0, poll1(self->fd, 0, &rev));	/* does not wait */
	sleep_ms(500);
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, &f, 1, 1))
		TH_LOG("%s", npf_err);
	t0 = now_ms();
	n = read(self->fd, self->buf, BIG);
	dt = now_ms() - t0;
	EXPECT_EQ(1, nrecords(self->buf, n, &self->l));
	EXPECT_LE(1500 - EARLY, dt)
		TH_LOG("read with timeout 1500 returned after %lld ms, below MinToCopy",
		       (long long)dt);
}

/* Nor does the clock of a poll that waited and gave up before it ran out. */
TEST_F_TIMEOUT(dw, abandoned_poll_does_not_shorten_read_timeout, 60)
{
	struct frame f;
	int64_t t0, dt;
	short rev;
	ssize_t n;

	mk_n(&f, 1, &self->env, 100, 0);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 1500));
	EXPECT_EQ(0, poll1(self->fd, 200, &rev));	/* waits, gives up */
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, &f, 1, 1))
		TH_LOG("%s", npf_err);
	t0 = now_ms();
	n = read(self->fd, self->buf, BIG);
	dt = now_ms() - t0;
	EXPECT_EQ(1, nrecords(self->buf, n, &self->l));
	EXPECT_LE(1500 - EARLY, dt)
		TH_LOG("read with timeout 1500 returned after %lld ms, below MinToCopy",
		       (long long)dt);
}

TEST_F_TIMEOUT(dw, stale_poll_timeout_is_not_readiness, 60)
{
	struct frame f;
	int64_t t0, dt;
	short rev;
	ssize_t n;

	mk_n(&f, 1, &self->env, 100, 0);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 300));
	EXPECT_EQ(0, poll1(self->fd, 0, &rev));	/* does not wait */
	sleep_ms(1000);				/* 300 ms pass, unwatched */
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, &f, 1, 1))
		TH_LOG("%s", npf_err);
	EXPECT_EQ(0, poll1(self->fd, 0, &rev))
		TH_LOG("one record below MinToCopy reported ready (revents %#x)",
		       rev);
	t0 = now_ms();
	n = read(self->fd, self->buf, BIG);
	dt = now_ms() - t0;
	EXPECT_EQ(1, nrecords(self->buf, n, &self->l));
	EXPECT_LE(300 - EARLY, dt)
		TH_LOG("read with timeout 300 returned after %lld ms, below MinToCopy",
		       (long long)dt);
}

/* ---- full ring --------------------------------------------------------- */

/* A full ring wakes the reader whatever MinToCopy says. */
TEST_F_TIMEOUT(dw, full_ring_wakes_reader, 60)
{
	struct frame f[5];
	short rev;

	mk_n(f, 5, &self->env, 1000, 0);
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 4096)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 4096)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f, 3, 3))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, reader_start(&self->rd, self->fd));
	EXPECT_FALSE(reader_wait(&self->rd, 1000))
		TH_LOG("read returned with 3096 bytes of MinToCopy 4096");
	/* the fourth does not fit */
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f[3]));
	ASSERT_TRUE(reader_wait(&self->rd, LATE))
		TH_LOG("a full ring did not wake the reader");
	EXPECT_EQ(3, nrecords(self->rd.buf, self->rd.ret, &self->l))
		TH_LOG("ret %zd: %s", self->rd.ret, strerror(self->rd.err));
	/* the drop was before that read: one record now is not ready */
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, &f[4], 1, 5))
		TH_LOG("%s", npf_err);
	EXPECT_EQ(0, poll1(self->fd, 0, &rev)) TH_LOG("revents %#x", rev);
}

/* The same with poll. */
TEST_F_TIMEOUT(dw, full_ring_makes_poll_ready, 60)
{
	struct frame f[4];
	short rev;

	mk_n(f, 4, &self->env, 1000, 0);
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 4096)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	/* MinToCopy stays at its default, 16000, above the ring size */
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f, 3, 3))
		TH_LOG("%s", npf_err);
	EXPECT_EQ(0, poll1(self->fd, 0, &rev)) TH_LOG("revents %#x", rev);
	ASSERT_EQ(0, send_wait(self->fd, self->env.tx_b, f + 3, 1, 4))
		TH_LOG("%s", npf_err);
	EXPECT_EQ(1, poll1(self->fd, 0, &rev));
	EXPECT_TRUE(rev & POLLIN);
}

/* ---- argument checks --------------------------------------------------- */

TEST_F(dw, mintocopy_and_timeout_bounds)
{
	int32_t t;

	/* MinToCopy may not exceed the ring */
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 1000000))
		TH_LOG("default ring is 1000000: %s", npf_err);
	errno = 0;
	EXPECT_EQ(-1, npf_set_mintocopy(self->fd, 1000001));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 100));
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 8192));
	EXPECT_EQ(0, npf_set_mintocopy(self->fd, 8192));
	errno = 0;
	EXPECT_EQ(-1, npf_set_mintocopy(self->fd, 8193));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, npf_set_mintocopy(self->fd, 0xffffffff));
	EXPECT_EQ(EINVAL, errno);

	/* ring sizes are rounded down to a multiple of NPF_ALIGNMENT: a
	 * 4103-byte request makes a 4096-byte ring */
	ASSERT_EQ(0, npf_set_mintocopy(self->fd, 100));
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 4103));
	EXPECT_EQ(0, npf_set_mintocopy(self->fd, 4096));
	errno = 0;
	EXPECT_EQ(-1, npf_set_mintocopy(self->fd, 4097))
		TH_LOG("MinToCopy 4097 accepted: the 4103-byte request was not rounded down");
	EXPECT_EQ(EINVAL, errno);

	/* timeouts: -1, 0 and positive; nothing below -1 */
	EXPECT_EQ(0, npf_set_timeout(self->fd, -1));
	EXPECT_EQ(0, npf_set_timeout(self->fd, 0));
	EXPECT_EQ(0, npf_set_timeout(self->fd, 1));
	EXPECT_EQ(0, npf_set_timeout(self->fd, 0x7fffffff));
	t = -2;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, BIOCSRTIMEOUT, &t));
	EXPECT_EQ(EINVAL, errno);
	t = INT32_MIN;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, BIOCSRTIMEOUT, &t));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, BIOCSMINTOCOPY, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, BIOCSRTIMEOUT, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_HARNESS_MAIN
