// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit, as uapi/linux/npf.h documents it: write() sends one raw frame
 * (link header on, no FCS) on the bound adapter BIOCSWRITEREP times
 * (default 1, 0 sends nothing) and returns its length; EINVAL shorter than
 * the link header, EMSGSIZE longer than MTU + link header (+4 with an
 * 802.1Q tag), ENXIO unbound, ENETDOWN adapter down; a signal ends a long
 * repeat with EINTR and bs_sent says how many copies left; the send buffer
 * makes a writer that outruns the adapter sleep (O_NONBLOCK: EAGAIN) and
 * poll() reports EPOLLOUT when there is room. Send queues send each entry
 * once, in order, SYNC ones spaced by their timestamps; `consumed` is the
 * bytes of the entries sent, even when a malformed entry (EINVAL) stops
 * the queue. Every open on the adapter captures what an open sends, the
 * sender included unless BIOCISETLOBBEH NPF_DISABLE_LOOPBACK.
 *
 * Frames leave IF_A; the peer IF_B's rx_packets counter and an AF_PACKET
 * socket on IF_B say what arrived.
 *
 * Timing (SYNC queues): the lower bounds are strict, since each entry
 * leaves no earlier than the first one's departure plus its timestamp
 * delta. The upper bound is that plus SYNC_SLACK ms, for a TCG guest on a
 * loaded 2-core host (late hrtimer wakeups, slow sends); it is still far
 * below what a wrong unit or a per-entry drift would give.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>

#include "npf_util.h"
#include "harness.h"

#define BIG		(1 << 20)
#define PEER_RX		"/sys/class/net/" IF_B "/statistics/rx_packets"
#define SYNC_SLACK	1000	/* ms */

FIXTURE(xmit) {
	struct npf_env env;
	int fd;
	int rx;			/* AF_PACKET on IF_B */
	bool qdisc;		/* a tc qdisc to delete on IF_A */
	uint8_t *buf;
	struct reclist l;
};

FIXTURE_SETUP(xmit)
{
	reclist_init(&self->l);
	self->fd = self->rx = -1;
	self->qdisc = false;
	self->buf = malloc(BIG);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
}

FIXTURE_TEARDOWN(xmit)
{
	alarm_ms(0);
	/*
	 * Frames held by a qdisc would pin the open's sock, so the netns
	 * and the module, until the qdisc lets them go.
	 */
	if (self->qdisc && system("tc qdisc del dev " IF_A
				  " root 2>/dev/null"))
		fprintf(stderr, "# tc qdisc del failed\n");
	if (self->fd >= 0)
		close(self->fd);
	if (self->rx >= 0)
		close(self->rx);
	reclist_free(&self->l);
	free(self->buf);
	env_teardown(&self->env);
}

/* ---- helpers ----------------------------------------------------------- */

static long long peer_rx(void)
{
	return file_read_ll(PEER_RX);
}

/* Wait until the peer's rx_packets reaches want; its value. */
static long long wait_peer_rx(long long want, int ms)
{
	int64_t end = now_ms() + ms;
	long long v;

	while ((v = peer_rx()) < want && now_ms() < end)
		sleep_ms(5);
	return v;
}

/* Wait until the peer's rx_packets stops moving (300 ms unchanged). */
static long long settle_peer_rx(int ms)
{
	int64_t end = now_ms() + ms;
	long long v = peer_rx(), w;

	for (;;) {
		sleep_ms(300);
		w = peer_rx();
		if (w == v || now_ms() > end)
			return w;
		v = w;
	}
}

/* A UDP frame from IF_A to IF_B. */
static uint32_t mk_out(struct frame *f, const struct npf_env *e, uint32_t len,
		       uint32_t seq)
{
	return mk_udp4(f, e->mac_b, e->mac_a, "10.0.0.1", "10.0.0.2", 7000,
		       7001, len, seq);
}

/* Frames on an AF_PACKET socket (incoming only), with their times. */
static int rx_frames(int s, struct frame *f, int64_t *ts_ns, int n, int ms)
{
	int64_t end = now_ms() + ms;
	int got = 0;

	while (got < n && now_ms() <= end) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		char ctl[256];
		struct sockaddr_ll sll;
		struct iovec iov = { f[got].b, sizeof(f[got].b) };
		struct msghdr mh = {
			.msg_name = &sll, .msg_namelen = sizeof(sll),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl, .msg_controllen = sizeof(ctl),
		};
		ssize_t len;

		if (poll(&p, 1, 50) <= 0)
			continue;
		len = recvmsg(s, &mh, MSG_TRUNC);
		if (len < 0)
			return -1;
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		f[got].len = len;
		if (ts_ns) {
			ts_ns[got] = 0;
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
			     c = CMSG_NXTHDR(&mh, c)) {
				if (c->cmsg_level == SOL_SOCKET &&
				    c->cmsg_type == SCM_TIMESTAMPNS) {
					struct timespec t;

					memcpy(&t, CMSG_DATA(c), sizeof(t));
					ts_ns[got] = t.tv_sec * 1000000000LL +
						     t.tv_nsec;
				}
			}
		}
		got++;
	}
	return got;
}

/* Frames still queued on the socket, after a short wait. */
static int rx_extra(int s, int ms)
{
	struct frame f;

	return rx_frames(s, &f, NULL, 1, ms);
}

static bool same(const struct frame *a, const struct frame *b)
{
	return a->len == b->len && !memcmp(a->b, b->b, a->len);
}

static int set_rep(int fd, uint32_t n)
{
	return ioctl(fd, BIOCSWRITEREP, &n);
}

static int set_lobbeh(int fd, uint32_t v)
{
	return ioctl(fd, BIOCISETLOBBEH, &v);
}

/* ---- send queues ---------------------------------------------------------- */

struct q {
	uint8_t *b;
	uint32_t len;
	uint32_t ends[64];	/* offset after entry i */
	int n;
};

static void q_init(struct q *q)
{
	memset(q, 0, sizeof(*q));
	q->b = calloc(1, 256 * 1024);
}

static void q_free(struct q *q)
{
	free(q->b);
}

/* Append an entry: header {sec, usec, caplen, len} + caplen bytes. */
static void q_add_raw(struct q *q, uint32_t sec, uint32_t usec,
		      uint32_t caplen, uint32_t len, const void *data,
		      uint32_t datalen)
{
	struct npf_sendq_hdr h = { sec, usec, caplen, len };

	memcpy(q->b + q->len, &h, sizeof(h));
	q->len += sizeof(h);
	if (datalen)
		memcpy(q->b + q->len, data, datalen);
	q->len += datalen;
	q->ends[q->n++] = q->len;
}

static void q_add(struct q *q, const struct frame *f, uint32_t sec,
		  uint32_t usec)
{
	q_add_raw(q, sec, usec, f->len, f->len, f->b, f->len);
}

/* Run a queue; returns the ioctl's result, *consumed gets the field. */
static int q_send(int fd, const struct q *q, bool sync, uint32_t *consumed)
{
	struct npf_sendq sq;
	int ret;

	memset(&sq, 0, sizeof(sq));
	sq.buf = (uint64_t)(uintptr_t)q->b;
	sq.len = q->len;
	sq.consumed = 0xdeadbeef;
	ret = ioctl(fd, sync ? BIOCSENDPACKETSSYNC : BIOCSENDPACKETSNOSYNC,
		    &sq);
	*consumed = sq.consumed;
	return ret;
}

/* ---- write() ----------------------------------------------------------- */

/* One write: one frame on the peer, byte for byte, and the counters. */
TEST_F_TIMEOUT(xmit, write_one_frame, 60)
{
	struct frame f, got;
	struct npf_stats st;
	long long rx0, rx1;

	self->rx = rx_socket(self->env.ifindex_b, NULL, 0);
	ASSERT_LE(0, self->rx) TH_LOG("%s", npf_err);
	ASSERT_NE(0U, mk_out(&f, &self->env, 100, 1));
	rx0 = peer_rx();
	ASSERT_LE(0, rx0);
	ASSERT_EQ((ssize_t)f.len, write(self->fd, f.b, f.len))
		TH_LOG("%s", strerror(errno));
	rx1 = wait_peer_rx(rx0 + 1, 5000);
	EXPECT_EQ(rx0 + 1, rx1);
	ASSERT_EQ(1, rx_frames(self->rx, &got, NULL, 1, 5000));
	EXPECT_TRUE(same(&got, &f)) TH_LOG("peer got %u bytes", got.len);
	EXPECT_EQ(0, rx_extra(self->rx, 200));
	EXPECT_EQ(rx0 + 1, peer_rx());
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(1ULL, st.bs_sent);
	EXPECT_EQ(100ULL, st.bs_sent_bytes);
	EXPECT_EQ(0ULL, st.bs_senterr);
}

/* BIOCSWRITEREP n: exactly n copies leave, bs_sent = n, bytes n * len. */
TEST_F_TIMEOUT(xmit, write_repeat_exact, 180)
{
	static const uint32_t reps[] = { 1000, 10000, 3 };
	struct frame f;
	struct npf_stats st;
	uint64_t sent = 0, bytes = 0;

	for (size_t i = 0; i < ARRAY_SIZE(reps); i++) {
		uint32_t len = i == 1 ? 60 : 1514;
		long long rx0 = peer_rx(), rx1;

		ASSERT_NE(0U, mk_out(&f, &self->env, len, i));
		ASSERT_EQ(0, set_rep(self->fd, reps[i]));
		ASSERT_EQ((ssize_t)len, write(self->fd, f.b, f.len))
			TH_LOG("rep %u: %s", reps[i], strerror(errno));
		sent += reps[i];
		bytes += (uint64_t)reps[i] * len;
		rx1 = wait_peer_rx(rx0 + reps[i], 30000);
		EXPECT_EQ(rx0 + reps[i], rx1) TH_LOG("rep %u", reps[i]);
		EXPECT_EQ(rx0 + reps[i], settle_peer_rx(3000))
			TH_LOG("rep %u", reps[i]);
		ASSERT_EQ(0, npf_stats(self->fd, &st));
		EXPECT_EQ(sent, st.bs_sent);
		EXPECT_EQ(bytes, st.bs_sent_bytes);
		EXPECT_EQ(0ULL, st.bs_senterr);
	}
}

/* BIOCSWRITEREP 0: write returns the length and sends nothing. */
TEST_F_TIMEOUT(xmit, write_repeat_zero_sends_nothing, 60)
{
	struct frame f;
	struct npf_stats st;
	long long rx0;

	self->rx = rx_socket(self->env.ifindex_b, NULL, 0);
	ASSERT_LE(0, self->rx);
	ASSERT_NE(0U, mk_out(&f, &self->env, 200, 1));
	ASSERT_EQ(0, set_rep(self->fd, 0));
	rx0 = peer_rx();
	ASSERT_EQ((ssize_t)f.len, write(self->fd, f.b, f.len))
		TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, rx_extra(self->rx, 300));
	EXPECT_EQ(rx0, peer_rx());
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(0ULL, st.bs_sent);
	EXPECT_EQ(0ULL, st.bs_sent_bytes);
	/* and 1 again sends one */
	ASSERT_EQ(0, set_rep(self->fd, 1));
	ASSERT_EQ((ssize_t)f.len, write(self->fd, f.b, f.len));
	EXPECT_EQ(rx0 + 1, wait_peer_rx(rx0 + 1, 5000));
}

/* Shorter than the Ethernet header: EINVAL; the header alone is a frame. */
TEST_F_TIMEOUT(xmit, shorter_than_link_header_einval, 60)
{
	static const size_t bad[] = { 0, 1, 10, 13 };
	struct frame f, got;
	struct npf_stats st;
	long long rx0 = peer_rx();

	self->rx = rx_socket(self->env.ifindex_b, NULL, 0);
	ASSERT_LE(0, self->rx);
	ASSERT_NE(0U, mk_out(&f, &self->env, 60, 1));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, write(self->fd, f.b, bad[i]))
			TH_LOG("%zu bytes accepted", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%zu bytes: %s", bad[i],
						 strerror(errno));
	}
	EXPECT_EQ(0, rx_extra(self->rx, 200));
	EXPECT_EQ(rx0, peer_rx());
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(0ULL, st.bs_sent);

	/* 14 bytes: a link header and nothing else, a valid frame */
	f.len = 14;
	ASSERT_EQ(14, write(self->fd, f.b, 14)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(rx0 + 1, wait_peer_rx(rx0 + 1, 5000));
	ASSERT_EQ(1, rx_frames(self->rx, &got, NULL, 1, 5000));
	EXPECT_TRUE(same(&got, &f));
}

/* A frame with an 802.1Q tag (TPID 0x8100) of len bytes in all. */
static void mk_tagged(struct frame *f, const struct npf_env *e, uint32_t len)
{
	mk_vlan_udp4(f, e->mac_b, e->mac_a, 0x8100, 42, -1, len, len);
}

static int set_mtu(const char *ifname, int mtu)
{
	struct ifreq ifr;
	int s = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_mtu = mtu;
	ret = ioctl(s, SIOCSIFMTU, &ifr);
	close(s);
	return ret;
}

/*
 * Longer than MTU + 14: EMSGSIZE, except for the 4 bytes of an 802.1Q
 * tag. The adapter's current MTU is what counts.
 */
TEST_F_TIMEOUT(xmit, longer_than_mtu_emsgsize, 60)
{
	static uint8_t big[4096];
	struct frame f;
	struct npf_stats st;
	long long rx0 = peer_rx();
	int ok = 0;

	/* MTU 1500 */
	ASSERT_NE(0U, mk_out(&f, &self->env, 1514, 1));
	ASSERT_EQ(1514, write(self->fd, f.b, 1514));
	ok++;
	memcpy(big, f.b, f.len);
	for (int i = 1514; i < 1600; i++)
		big[i] = (uint8_t)i;
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, big, 1515));
	EXPECT_EQ(EMSGSIZE, errno) TH_LOG("%s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, big, 1518));
	EXPECT_EQ(EMSGSIZE, errno) TH_LOG("untagged 1518: %s",
					  strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, big, sizeof(big)));
	EXPECT_EQ(EMSGSIZE, errno);
	mk_tagged(&f, &self->env, 1518);
	ASSERT_EQ(1518U, f.len);
	EXPECT_EQ(1518, write(self->fd, f.b, 1518)) TH_LOG("tagged 1518: %s",
							   strerror(errno));
	ok++;
	memcpy(big, f.b, f.len);
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, big, 1519));
	EXPECT_EQ(EMSGSIZE, errno) TH_LOG("tagged 1519: %s", strerror(errno));

	/* MTU 1000 */
	ASSERT_EQ(0, set_mtu(IF_A, 1000)) TH_LOG("%s", strerror(errno));
	ASSERT_NE(0U, mk_out(&f, &self->env, 1014, 2));
	EXPECT_EQ(1014, write(self->fd, f.b, 1014)) TH_LOG("%s",
							   strerror(errno));
	ok++;
	ASSERT_NE(0U, mk_out(&f, &self->env, 1015, 3));
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, f.b, 1015));
	EXPECT_EQ(EMSGSIZE, errno);
	mk_tagged(&f, &self->env, 1018);
	EXPECT_EQ(1018, write(self->fd, f.b, 1018)) TH_LOG("%s",
							   strerror(errno));
	ok++;
	mk_tagged(&f, &self->env, 1019);
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, f.b, 1019));
	EXPECT_EQ(EMSGSIZE, errno);

	EXPECT_EQ(rx0 + ok, wait_peer_rx(rx0 + ok, 5000));
	EXPECT_EQ(rx0 + ok, settle_peer_rx(2000));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)ok, st.bs_sent);
	EXPECT_EQ(1514ULL + 1518 + 1014 + 1018, st.bs_sent_bytes);
}

/* Unbound: ENXIO for write() and send queues. */
TEST_F_TIMEOUT(xmit, unbound_enxio, 60)
{
	struct frame f;
	struct q q;
	uint32_t consumed;
	int fd = npf_open(0);

	ASSERT_LE(0, fd);
	ASSERT_NE(0U, mk_out(&f, &self->env, 60, 1));
	errno = 0;
	EXPECT_EQ(-1, write(fd, f.b, f.len));
	EXPECT_EQ(ENXIO, errno);
	q_init(&q);
	q_add(&q, &f, 0, 0);
	errno = 0;
	EXPECT_EQ(-1, q_send(fd, &q, false, &consumed));
	EXPECT_EQ(ENXIO, errno);
	errno = 0;
	EXPECT_EQ(-1, q_send(fd, &q, true, &consumed));
	EXPECT_EQ(ENXIO, errno);
	q_free(&q);
	close(fd);
}

/* Adapter down: ENETDOWN for write() and send queues, nothing sent. */
TEST_F_TIMEOUT(xmit, adapter_down_enetdown, 60)
{
	struct frame f;
	struct npf_stats st;
	struct q q;
	uint32_t consumed;

	ASSERT_NE(0U, mk_out(&f, &self->env, 60, 1));
	ASSERT_EQ(0, link_set_up(IF_A, false)) TH_LOG("%s", npf_err);
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, f.b, f.len));
	EXPECT_EQ(ENETDOWN, errno) TH_LOG("%s", strerror(errno));
	q_init(&q);
	q_add(&q, &f, 0, 0);
	errno = 0;
	EXPECT_EQ(-1, q_send(self->fd, &q, false, &consumed));
	EXPECT_EQ(ENETDOWN, errno);
	ASSERT_EQ(0, set_rep(self->fd, 1000));
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, f.b, f.len));
	EXPECT_EQ(ENETDOWN, errno);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(0ULL, st.bs_sent);
	q_free(&q);
}

/* ---- send queues ---------------------------------------------------------- */

/*
 * NOSYNC: every entry once, in order, byte for byte; consumed = the whole
 * queue; the timestamps (200 ms apart here) are ignored.
 */
TEST_F_TIMEOUT(xmit, sendq_nosync_in_order, 60)
{
	enum { K = 24 };
	struct frame f[K], got[K];
	struct npf_stats st;
	struct q q;
	uint32_t consumed;
	uint64_t bytes = 0;
	long long rx0 = peer_rx();
	int64_t t;

	self->rx = rx_socket(self->env.ifindex_b, NULL, 0);
	ASSERT_LE(0, self->rx);
	q_init(&q);
	for (int i = 0; i < K; i++) {
		ASSERT_NE(0U, mk_out(&f[i], &self->env,
				     60 + (i * 331) % 1455, i));
		q_add(&q, &f[i], 100 + i / 5, (i % 5) * 200000);
		bytes += f[i].len;
	}
	t = now_ms();
	EXPECT_EQ(0, q_send(self->fd, &q, false, &consumed))
		TH_LOG("%s", strerror(errno));
	t = now_ms() - t;
	EXPECT_EQ(q.len, consumed);
	EXPECT_GT(1500, t) TH_LOG("NOSYNC took %lld ms", (long long)t);
	ASSERT_EQ(K, rx_frames(self->rx, got, NULL, K, 10000));
	for (int i = 0; i < K; i++) {
		EXPECT_TRUE(same(&got[i], &f[i])) TH_LOG("frame %d", i);
	}
	EXPECT_EQ(0, rx_extra(self->rx, 200));
	EXPECT_EQ(rx0 + K, peer_rx());
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)K, st.bs_sent);
	EXPECT_EQ(bytes, st.bs_sent_bytes);
	q_free(&q);
}

/*
 * SYNC: 10 entries 20 ms apart (across a second boundary): the call takes
 * at least 180 ms, entry i reaches the peer no earlier than i * 20 ms after
 * the call began, and the whole lasts less than 180 ms + SYNC_SLACK.
 */
TEST_F_TIMEOUT(xmit, sendq_sync_timing, 60)
{
	enum { K = 10, GAP_US = 20000 };
	struct frame f[K], got[K];
	int64_t ts[K], t0_real, t0, t;
	struct q q;
	uint32_t consumed;
	int on = 1;

	self->rx = rx_socket(self->env.ifindex_b, NULL, 0);
	ASSERT_LE(0, self->rx);
	ASSERT_EQ(0, setsockopt(self->rx, SOL_SOCKET, SO_TIMESTAMPNS, &on,
				sizeof(on)));
	q_init(&q);
	for (int i = 0; i < K; i++) {
		uint64_t us = 900000ULL + (uint64_t)i * GAP_US;

		ASSERT_NE(0U, mk_out(&f[i], &self->env, 100 + i, i));
		q_add(&q, &f[i], 1000 + us / 1000000, us % 1000000);
	}
	t0_real = real_ns();
	t0 = now_us();
	EXPECT_EQ(0, q_send(self->fd, &q, true, &consumed))
		TH_LOG("%s", strerror(errno));
	t = now_us() - t0;
	EXPECT_EQ(q.len, consumed);
	EXPECT_LE((int64_t)(K - 1) * GAP_US, t);
	EXPECT_GT((int64_t)(K - 1) * GAP_US + SYNC_SLACK * 1000, t)
		TH_LOG("SYNC queue took %lld us", (long long)t);
	ASSERT_EQ(K, rx_frames(self->rx, got, ts, K, 10000));
	for (int i = 0; i < K; i++) {
		EXPECT_TRUE(same(&got[i], &f[i])) TH_LOG("frame %d", i);
		ASSERT_NE(0, ts[i]) TH_LOG("no timestamp on frame %d", i);
		EXPECT_LE((int64_t)i * GAP_US * 1000, ts[i] - t0_real)
			TH_LOG("frame %d arrived %lld us after the start", i,
			       (long long)(ts[i] - t0_real) / 1000);
	}
	EXPECT_GT((int64_t)(K - 1) * GAP_US * 1000 +
		  SYNC_SLACK * 1000000LL, ts[K - 1] - ts[0]);
	q_free(&q);
}

/*
 * Malformed queues stop at the bad entry with an error; `consumed` is the
 * bytes of the entries sent before it, and exactly those reached the peer.
 */
TEST_F_TIMEOUT(xmit, sendq_malformed, 120)
{
	enum { CAPLEN0, BEYOND, TRAILING, RUNT, HUGE, EMPTY, CAPLEN0_SYNC };
	static const struct {
		const char *name;
		int good;	/* good entries before the bad one */
		int err;
		bool sync;
	} cases[] = {
		[CAPLEN0] = { "caplen 0", 3, EINVAL, false },
		[BEYOND] = { "caplen beyond the queue", 2, EINVAL, false },
		[TRAILING] = { "8 trailing bytes", 2, EINVAL, false },
		[RUNT] = { "10-byte frame", 1, EINVAL, false },
		[HUGE] = { "1600-byte frame", 2, EMSGSIZE, false },
		[EMPTY] = { "empty queue", 0, 0, false },
		[CAPLEN0_SYNC] = { "caplen 0, SYNC", 3, EINVAL, true },
	};
	static uint8_t junk[2048];
	struct frame f[4], got[4];
	struct npf_stats st;
	uint64_t sent = 0;

	self->rx = rx_socket(self->env.ifindex_b, NULL, 0);
	ASSERT_LE(0, self->rx);
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		int good = cases[c].good, ret;
		long long rx0 = peer_rx();
		uint32_t consumed;
		struct q q;

		q_init(&q);
		for (int i = 0; i < good; i++) {
			ASSERT_NE(0U, mk_out(&f[i], &self->env, 80 + 10 * i,
					     100 * c + i));
			q_add(&q, &f[i], 5, i * 1000);
		}
		switch (c) {
		case CAPLEN0:
		case CAPLEN0_SYNC:
			q_add_raw(&q, 5, 9000, 0, 60, NULL, 0);
			/* a good entry after it must not go */
			q_add(&q, &f[0], 5, 10000);
			break;
		case BEYOND:
			q_add_raw(&q, 5, 9000, 500, 500, junk, 60);
			break;
		case TRAILING:
			memcpy(q.b + q.len, junk, 8);
			q.len += 8;
			break;
		case RUNT:
			q_add_raw(&q, 5, 9000, 10, 10, f[0].b, 10);
			q_add(&q, &f[0], 5, 10000);
			break;
		case HUGE:
			memcpy(junk, f[0].b, 14);
			q_add_raw(&q, 5, 9000, 1600, 1600, junk, 1600);
			q_add(&q, &f[0], 5, 10000);
			break;
		}
		errno = 0;
		ret = q_send(self->fd, &q, cases[c].sync, &consumed);
		if (cases[c].err) {
			EXPECT_EQ(-1, ret) TH_LOG("%s", cases[c].name);
			EXPECT_EQ(cases[c].err, errno)
				TH_LOG("%s: %s", cases[c].name,
				       strerror(errno));
		} else {
			EXPECT_EQ(0, ret) TH_LOG("%s: %s", cases[c].name,
						 strerror(errno));
		}
		EXPECT_EQ(good ? q.ends[good - 1] : 0, consumed)
			TH_LOG("%s", cases[c].name);
		sent += good;
		EXPECT_EQ(good, rx_frames(self->rx, got, NULL, good, 5000))
			TH_LOG("%s", cases[c].name);
		for (int i = 0; i < good; i++) {
			EXPECT_TRUE(same(&got[i], &f[i]))
				TH_LOG("%s: frame %d", cases[c].name, i);
		}
		EXPECT_EQ(0, rx_extra(self->rx, 200)) TH_LOG("%s",
							     cases[c].name);
		EXPECT_EQ(rx0 + good, peer_rx()) TH_LOG("%s", cases[c].name);
		ASSERT_EQ(0, npf_stats(self->fd, &st));
		EXPECT_EQ(sent, st.bs_sent) TH_LOG("%s", cases[c].name);
		q_free(&q);
	}
}

/* ---- signals, loopback, send buffer ----------------------------------- */

/*
 * A signal during a very long repeat: write() fails with EINTR soon after
 * it, bs_sent > 0 copies left and the peer received exactly that many.
 * (The runner's kernel-log check catches soft lockups and RCU stalls.)
 */
TEST_F_TIMEOUT(xmit, signal_ends_long_repeat, 120)
{
	struct frame f;
	struct npf_stats st;
	long long rx0 = peer_rx(), rx1;
	int64_t t;
	ssize_t n;
	int err;

	ASSERT_NE(0U, mk_out(&f, &self->env, 60, 1));
	ASSERT_EQ(0, set_rep(self->fd, 100000000));
	t = now_ms();
	alarm_ms(1000);
	n = write(self->fd, f.b, f.len);
	err = errno;
	t = now_ms() - t;
	alarm_ms(0);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EINTR, err) TH_LOG("%s", strerror(err));
	EXPECT_LE(1000, t);
	EXPECT_GT(1000 + 5000, t) TH_LOG("write returned %lld ms after the alarm",
					 (long long)t - 1000);
	rx1 = settle_peer_rx(10000);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	TH_LOG("%llu copies in %lld ms", (unsigned long long)st.bs_sent,
	       (long long)t);
	EXPECT_LT(0ULL, st.bs_sent);
	EXPECT_GT(100000000ULL, st.bs_sent);
	EXPECT_EQ((uint64_t)(rx1 - rx0), st.bs_sent);
	EXPECT_EQ(st.bs_sent * 60, st.bs_sent_bytes);
	EXPECT_EQ(0ULL, st.bs_senterr);

	/* the open still works */
	ASSERT_EQ(0, set_rep(self->fd, 1));
	ASSERT_EQ(60, write(self->fd, f.b, f.len));
	EXPECT_EQ(rx1 + 1, wait_peer_rx(rx1 + 1, 5000));
}

/*
 * Every open on the adapter captures what an open sends (outgoing), the
 * sender too; with NPF_DISABLE_LOOPBACK the sender skips its own frames
 * only (not the peer's, not another sender's), the others still see them;
 * NPF_ENABLE_LOOPBACK restores it; other values are EINVAL.
 */
TEST_F_TIMEOUT(xmit, loopback_behaviour, 60)
{
	static const uint32_t bad[] = { 0, 3, 0xffffffffu };
	struct reclist l2;
	struct frame f[6];
	struct npf_stats st;
	int fd2;

	reclist_init(&l2);
	for (int i = 0; i < 6; i++)
		ASSERT_NE(0U, mk_out(&f[i], &self->env, 100 + 50 * i, i));
	/* from the peer, to IF_A */
	mk_udp4(&f[2], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 150, 2);
	fd2 = npf_open(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, npf_bind(fd2, IF_A));
	ASSERT_EQ(0, npf_set_timeout(fd2, -1));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));

	/* default: both capture the sender's frame */
	ASSERT_EQ((ssize_t)f[0].len, write(self->fd, f[0].b, f[0].len));
	ASSERT_EQ(1, collect(self->fd, &self->l, 1, 5000, BIG))
		TH_LOG("%s", npf_err);
	EXPECT_TRUE(rec_matches(&self->l.r[0], &f[0]));
	ASSERT_EQ(1, collect(fd2, &l2, 1, 5000, BIG)) TH_LOG("%s", npf_err);
	EXPECT_TRUE(rec_matches(&l2.r[0], &f[0]));

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, set_lobbeh(self->fd, bad[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("value %u", bad[i]);
	}

	/* disabled: the sender does not see its own frame, fd2 does */
	ASSERT_EQ(0, set_lobbeh(self->fd, NPF_DISABLE_LOOPBACK));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(1ULL, st.bs_recv);
	ASSERT_EQ((ssize_t)f[1].len, write(self->fd, f[1].b, f[1].len));
	ASSERT_EQ(1, collect(fd2, &l2, 1, 5000, BIG));
	EXPECT_TRUE(rec_matches(&l2.r[1], &f[1]));
	EXPECT_EQ(0, collect(self->fd, &self->l, 1, 300, BIG));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(1ULL, st.bs_recv) TH_LOG("its own frame reached the tap");
	/* ... but it sees the peer's frames */
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f[2]));
	ASSERT_EQ(1, collect(self->fd, &self->l, 1, 5000, BIG));
	EXPECT_TRUE(rec_matches(&self->l.r[1], &f[2]));
	ASSERT_EQ(1, collect(fd2, &l2, 1, 5000, BIG));
	/* ... and another sender's (an AF_PACKET socket on IF_A) */
	ASSERT_EQ(0, tx_send(self->env.tx_a, &f[3]));
	ASSERT_EQ(1, collect(self->fd, &self->l, 1, 5000, BIG));
	EXPECT_TRUE(rec_matches(&self->l.r[2], &f[3]));
	ASSERT_EQ(1, collect(fd2, &l2, 1, 5000, BIG));
	/* ... and fd2's */
	ASSERT_EQ((ssize_t)f[4].len, write(fd2, f[4].b, f[4].len));
	ASSERT_EQ(1, collect(self->fd, &self->l, 1, 5000, BIG));
	EXPECT_TRUE(rec_matches(&self->l.r[3], &f[4]));
	ASSERT_EQ(1, collect(fd2, &l2, 1, 5000, BIG));
	EXPECT_TRUE(rec_matches(&l2.r[4], &f[4]));

	/* enabled again */
	ASSERT_EQ(0, set_lobbeh(self->fd, NPF_ENABLE_LOOPBACK));
	ASSERT_EQ((ssize_t)f[5].len, write(self->fd, f[5].b, f[5].len));
	ASSERT_EQ(1, collect(self->fd, &self->l, 1, 5000, BIG));
	EXPECT_TRUE(rec_matches(&self->l.r[4], &f[5]));
	ASSERT_EQ(1, collect(fd2, &l2, 1, 5000, BIG));
	EXPECT_TRUE(rec_matches(&l2.r[5], &f[5]));
	reclist_free(&l2);
	close(fd2);
}

struct delayed_cmd {
	pthread_t th;
	int delay_ms;
	const char *cmd;
	int ret;
};

static void *delayed_cmd_fn(void *arg)
{
	struct delayed_cmd *d = arg;

	sleep_ms(d->delay_ms);
	d->ret = system(d->cmd);
	return NULL;
}

static void noop(int sig)
{
	(void)sig;
}

/* A thread writing the same frame with blocking writes until told to stop. */
struct writer {
	pthread_t th;
	int fd;
	const struct frame *f;
	int count;		/* atomic: writes done */
	int in_write;		/* atomic: inside write() */
	int stop;		/* atomic */
	int done;		/* atomic */
	int err;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;

	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		ssize_t r;

		__atomic_store_n(&w->in_write, 1, __ATOMIC_RELEASE);
		r = write(w->fd, w->f->b, w->f->len);
		__atomic_store_n(&w->in_write, 0, __ATOMIC_RELEASE);
		if (r != (ssize_t)w->f->len) {
			w->err = r < 0 ? errno : EIO;
			break;
		}
		__atomic_add_fetch(&w->count, 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * The send buffer: poll() reports EPOLLOUT while there is room. Frames
 * held by a qdisc (tbf at 1 kbit/s: one 1514-byte frame every 12 s) fill
 * it: an O_NONBLOCK write then fails with EAGAIN (and never sleeps), a
 * blocking writer sleeps, poll() does not report EPOLLOUT meanwhile, a
 * signal (SA_RESTART) before the first copy restarts the write, and a
 * waiting poller (and the writer) are woken once the qdisc lets go of
 * the frames.
 */
TEST_F_TIMEOUT(xmit, send_buffer_eagain_and_pollout, 120)
{
	struct pollfd p = { .fd = self->fd, .events = POLLOUT };
	struct delayed_cmd del;
	struct sigaction sa;
	struct npf_stats st;
	struct writer w;
	struct frame f;
	int fl, n = 0, err = 0, c;
	int64_t t, end;
	ssize_t r;

	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(!!(p.revents & POLLOUT));
	/* tbf keeps the frames' owner (netem would orphan them) */
	if (system("tc qdisc add dev " IF_A
		   " root tbf rate 1kbit burst 1600 limit 4000000 2>/dev/null"))
		SKIP_OR_FAIL("tc qdisc tbf not available");
	self->qdisc = true;
	ASSERT_NE(0U, mk_out(&f, &self->env, 1514, 1));

	/* O_NONBLOCK: EAGAIN once full; never a sleep (the alarm says so) */
	fl = fcntl(self->fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	alarm_ms(3000);
	while (n < 20000) {
		r = write(self->fd, f.b, f.len);
		if (r < 0) {
			err = errno;
			break;
		}
		ASSERT_EQ((ssize_t)f.len, r);
		n++;
	}
	alarm_ms(0);
	EXPECT_EQ(EAGAIN, err) TH_LOG("after %d writes: %s%s", n,
				      strerror(err), err == EINTR ?
				      " (an O_NONBLOCK write slept)" : "");
	EXPECT_LT(0, n);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)n, st.bs_sent);
	if (err == EAGAIN) {
		p.revents = 0;
		EXPECT_EQ(0, poll(&p, 1, 0)) TH_LOG("revents %#x after EAGAIN",
						    p.revents);
	}

	/* blocking: a writer sleeps; meanwhile no EPOLLOUT */
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl));
	memset(&w, 0, sizeof(w));
	w.fd = self->fd;
	w.f = &f;
	ASSERT_EQ(0, pthread_create(&w.th, NULL, writer_fn, &w));
	end = now_ms() + 10000;
	do {
		c = __atomic_load_n(&w.count, __ATOMIC_ACQUIRE);
		sleep_ms(500);
	} while (c != __atomic_load_n(&w.count, __ATOMIC_ACQUIRE) &&
		 now_ms() < end);
	EXPECT_EQ(1, __atomic_load_n(&w.in_write, __ATOMIC_ACQUIRE))
		TH_LOG("the writer is not asleep in write() (error %s)",
		       strerror(w.err));
	EXPECT_EQ(0, __atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
	p.revents = 0;
	EXPECT_EQ(0, poll(&p, 1, 0)) TH_LOG("revents %#x while a write sleeps",
					    p.revents);

	/*
	 * A signal before the first copy: with SA_RESTART the write starts
	 * over (and goes on sleeping).
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop;
	sa.sa_flags = SA_RESTART;
	ASSERT_EQ(0, sigaction(SIGUSR2, &sa, NULL));
	c = __atomic_load_n(&w.count, __ATOMIC_ACQUIRE);
	pthread_kill(w.th, SIGUSR2);
	sleep_ms(300);
	EXPECT_EQ(0, __atomic_load_n(&w.done, __ATOMIC_ACQUIRE))
		TH_LOG("SA_RESTART: the write failed with %s",
		       strerror(w.err));
	EXPECT_EQ(c, __atomic_load_n(&w.count, __ATOMIC_ACQUIRE));

	/* room again: the waiting poller and the writer are woken */
	memset(&del, 0, sizeof(del));
	del.delay_ms = 300;
	del.cmd = "tc qdisc del dev " IF_A " root";
	ASSERT_EQ(0, pthread_create(&del.th, NULL, delayed_cmd_fn, &del));
	p.revents = 0;
	t = now_ms();
	EXPECT_EQ(1, poll(&p, 1, 10000));
	t = now_ms() - t;
	pthread_join(del.th, NULL);
	EXPECT_EQ(0, del.ret);
	if (!del.ret)
		self->qdisc = false;
	EXPECT_TRUE(!!(p.revents & POLLOUT)) TH_LOG("revents %#x after %lld ms",
						     p.revents, (long long)t);
	EXPECT_LE(250, t);
	c = __atomic_load_n(&w.count, __ATOMIC_ACQUIRE);
	__atomic_store_n(&w.stop, 1, __ATOMIC_RELEASE);
	end = now_ms() + 5000;
	while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE) && now_ms() < end)
		sleep_ms(10);
	EXPECT_EQ(1, __atomic_load_n(&w.done, __ATOMIC_ACQUIRE))
		TH_LOG("the writer was not woken");
	while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE)) {
		pthread_kill(w.th, SIGALRM);
		sleep_ms(10);
	}
	pthread_join(w.th, NULL);
	EXPECT_LE(c, w.count);
	EXPECT_EQ(0, w.err) TH_LOG("%s", strerror(w.err));

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ((ssize_t)f.len, write(self->fd, f.b, f.len))
		TH_LOG("%s", strerror(errno));
}

TEST_HARNESS_MAIN
