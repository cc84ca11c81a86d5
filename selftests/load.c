// SPDX-License-Identifier: GPL-2.0
/*
 * Load: 32 opens on one adapter and several adapters at once, traffic
 * sent from every CPU (one sender thread pinned to each CPU, each on its
 * own veth pair), filters, ring sizes, MinToCopy and timeouts changed
 * while it flows, two reader threads draining every open through epoll.
 *
 * Every frame carries its sender, its adapter, a sequence number and a
 * checksum of its payload, and its bytes are a function of those: every
 * captured record (whole or cut by a snap length) is compared byte for
 * byte with the frame it claims to be, and no open may see a frame twice.
 * Then, with the changes stopped and every open reset, a known burst:
 * for every open received = captured + dropped + filtered + nomem
 * exactly, every open of an adapter saw the same frames, the counts match
 * what each filter accepts of the burst, and what was read is what was
 * captured. A kernel dump runs through it all and its file is checked
 * the same way.
 */
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <net/if.h>

#include "hostile_util.h"
#include "harness.h"

#define NPAIR		3
#define MANY		32	/* opens on pair 0's adapter A */
#define SIDE		4	/* opens on pairs 1 and 2 */
#define NB_B		2	/* opens on pair 0's adapter B (outgoing) */
#define NOPEN		(MANY + 2 * SIDE + NB_B + 1)	/* + the dump */
#define MAXSEND		8
#define MAXSEQ		(1 << 18)
#define RBUF		(256 << 10)
#define BURST		400	/* frames per sender in the exact phase */
#define BACKLOG		"/proc/sys/net/core/netdev_max_backlog"

enum filt { F_ALL, F_SNAP64, F_EVEN, F_NONE, F_EVEN_SNAP, NFILT };

static const struct sock_filter p_snap64[] = { { BPF_RET | BPF_K, 0, 0, 64 } };
static const struct sock_filter p_none[] = { { BPF_RET | BPF_K, 0, 0, 0 } };
/* IPv4 with an even UDP destination port (the sequence number's parity) */
static const struct sock_filter p_even[] = {
	{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 },
	{ BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0x0800 },
	{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 36 },
	{ BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1 },
	{ BPF_RET | BPF_K, 0, 0, 65535 },
	{ BPF_RET | BPF_K, 0, 0, 0 },
};
static const struct sock_filter p_even_snap[] = {
	{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 },
	{ BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0x0800 },
	{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 36 },
	{ BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1 },
	{ BPF_RET | BPF_K, 0, 0, 100 },
	{ BPF_RET | BPF_K, 0, 0, 0 },
};

static int set_filt(int fd, enum filt f)
{
	switch (f) {
	case F_ALL: return npf_set_filter(fd, NULL, 0);
	case F_SNAP64: return npf_set_filter(fd, p_snap64, 1);
	case F_EVEN: return npf_set_filter(fd, p_even, 6);
	case F_NONE: return npf_set_filter(fd, p_none, 1);
	default: return npf_set_filter(fd, p_even_snap, 6);
	}
}

/* What filter f keeps of a frame (seq, len): 0 = rejected. */
static uint32_t filt_snap(enum filt f, uint64_t seq, uint32_t len)
{
	uint32_t s;

	switch (f) {
	case F_ALL: s = 65535; break;
	case F_SNAP64: s = 64; break;
	case F_EVEN: s = seq % 2 ? 0 : 65535; break;
	case F_NONE: s = 0; break;
	default: s = seq % 2 ? 0 : 100; break;
	}
	return s < len ? s : len;
}

/* ---- frames --------------------------------------------------------------- */

struct pair {
	char a[16], b[16];
	uint8_t mac_a[6], mac_b[6];
	int tx_b;
};

#define HDR	42		/* Ethernet + IPv4 + UDP */
#define MAGIC	0x4e50464cu	/* "NPFL" */

struct tag {			/* right after the UDP header */
	uint32_t magic;
	uint16_t sender;
	uint8_t pair;
	uint8_t pad;
	uint64_t seq;		/* the first 16 bytes identify the frame */
	uint32_t len;
	uint32_t csum;		/* of the payload after the tag */
};
#define TAG_ID	16

static uint32_t frame_len(uint32_t sender, uint64_t seq)
{
	return 66 + (uint32_t)((seq * 131 + sender * 17) % 1449);
}

static uint32_t csum32(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The one frame (sender, pair, seq) is. */
static uint32_t build(uint8_t *b, const struct pair *p, uint32_t sender,
		      uint32_t pairno, uint64_t seq)
{
	uint32_t len = frame_len(sender, seq);
	struct tag t = { MAGIC, (uint16_t)sender, (uint8_t)pairno, 0, seq, len, 0 };
	uint16_t ip_len = (uint16_t)(len - 14), udp_len = (uint16_t)(len - 34);
	uint16_t dport = (uint16_t)(1024 + (seq & 0x3ff));

	memcpy(b, p->mac_a, 6);
	memcpy(b + 6, p->mac_b, 6);
	b[12] = 0x08;
	b[13] = 0x00;
	memset(b + 14, 0, 20);
	b[14] = 0x45;
	b[16] = ip_len >> 8;
	b[17] = ip_len & 0xff;
	b[22] = 64;
	b[23] = 17;
	b[26] = 10; b[27] = 7; b[28] = (uint8_t)pairno; b[29] = (uint8_t)sender;
	b[30] = 10; b[31] = 7; b[32] = (uint8_t)pairno; b[33] = 200;
	b[34] = 0x9c;
	b[35] = (uint8_t)sender;
	b[36] = dport >> 8;
	b[37] = dport & 0xff;
	b[38] = udp_len >> 8;
	b[39] = udp_len & 0xff;
	b[40] = b[41] = 0;
	for (uint32_t i = HDR + sizeof(t); i < len; i++)
		b[i] = (uint8_t)(seq * 7 + i * 13 + sender);
	t.csum = csum32(b + HDR + sizeof(t), len - HDR - sizeof(t));
	memcpy(b + HDR, &t, sizeof(t));
	return len;
}

/* ---- opens ------------------------------------------------------------------ */

struct open_st {
	int fd;
	int pair;
	bool side_b;
	enum filt filt;		/* configured (the exact phase's) */
	uint32_t mode;
	bool chaos;		/* reconfigured during traffic */
	/* verification, by its reader only */
	uint8_t *seen[MAXSEND];	/* bitmap per sender */
	long recs, bad, dups, reads, stat_recs;
	long p2_recs;		/* records read in the exact phase */
	bool p2;		/* counting for the exact phase */
	char first_bad[200];
};

struct ld_ctx {
	struct pair pairs[NPAIR];
	struct open_st o[NOPEN];
	int nsend;
	char dumpfile[96];
};

static void bad(struct open_st *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bad(struct open_st *o, const char *fmt, ...)
{
	va_list ap;

	if (o->bad++ == 0) {
		va_start(ap, fmt);
		vsnprintf(o->first_bad, sizeof(o->first_bad), fmt, ap);
		va_end(ap);
	}
}

/* Check one captured frame (caplen bytes of a frame of len bytes). */
static void check_frame(struct ld_ctx *c, struct open_st *o, const uint8_t *d,
			uint32_t caplen, uint32_t len, bool strict_filter)
{
	static __thread uint8_t want[2048];
	struct tag t;
	uint32_t snap;

	if (caplen < HDR + TAG_ID) {
		bad(o, "record of %u bytes: too short to identify", caplen);
		return;
	}
	memset(&t, 0, sizeof(t));
	memcpy(&t, d + HDR, caplen >= HDR + sizeof(t) ? sizeof(t) : TAG_ID);
	if (t.magic != MAGIC || t.sender >= (uint32_t)c->nsend ||
	    t.pair >= NPAIR || t.seq >= MAXSEQ) {
		bad(o, "record of %u/%u bytes: not one of our frames (magic %#x sender %u pair %u)",
		    caplen, len, t.magic, t.sender, t.pair);
		return;
	}
	if ((int)t.pair != o->pair) {
		bad(o, "frame of pair %u captured on pair %d", t.pair, o->pair);
		return;
	}
	if (len != frame_len(t.sender, t.seq)) {
		bad(o, "sender %u seq %llu: datalen %u, sent %u", t.sender,
		    (unsigned long long)t.seq, len, frame_len(t.sender, t.seq));
		return;
	}
	build(want, &c->pairs[t.pair], t.sender, t.pair, t.seq);
	if (memcmp(want, d, caplen)) {
		bad(o, "sender %u seq %llu: captured bytes differ from the frame",
		    t.sender, (unsigned long long)t.seq);
		return;
	}
	/* whole frames: their own length and checksum agree too */
	if (caplen == len &&
	    (t.len != len ||
	     csum32(d + HDR + sizeof(t), len - HDR - sizeof(t)) != t.csum)) {
		bad(o, "sender %u seq %llu: payload checksum", t.sender,
		    (unsigned long long)t.seq);
		return;
	}
	snap = filt_snap(o->filt, t.seq, len);
	if (strict_filter) {
		if (!snap)
			bad(o, "seq %llu passed a filter that rejects it",
			    (unsigned long long)t.seq);
		else if (caplen != snap)
			bad(o, "seq %llu: caplen %u, the filter keeps %u",
			    (unsigned long long)t.seq, caplen, snap);
	} else if (caplen != len && caplen != 64 && caplen != 100) {
		bad(o, "seq %llu: caplen %u of %u is no snap length in use",
		    (unsigned long long)t.seq, caplen, len);
	}
	if (o->seen[t.sender][t.seq / 8] & (1 << (t.seq % 8))) {
		if (o->dups++ == 0)
			bad(o, "sender %u seq %llu captured twice", t.sender,
			    (unsigned long long)t.seq);
	}
	o->seen[t.sender][t.seq / 8] |= 1 << (t.seq % 8);
}

/* Walk one read's records: the layout of uapi/linux/npf.h, then each
 * frame. */
static void check_read(struct ld_ctx *c, struct open_st *o, const uint8_t *buf,
		       size_t n, bool strict)
{
	size_t off = 0;

	o->reads++;
	while (off < n) {
		struct bpf_hdr h;

		if (n - off < sizeof(h)) {
			bad(o, "%zu stray bytes", n - off);
			return;
		}
		memcpy(&h, buf + off, sizeof(h));
		if (h.bh_hdrlen != sizeof(h) || h.bh_pad0 || h.bh_pad1 ||
		    h.bh_tstamp.tv_pad || h.bh_caplen > h.bh_datalen ||
		    off + sizeof(h) + h.bh_caplen > n ||
		    h.bh_tstamp.tv_usec >= 1000000) {
			bad(o, "bad record header at %zu: hdrlen %u caplen %u datalen %u",
			    off, h.bh_hdrlen, h.bh_caplen, h.bh_datalen);
			return;
		}
		check_frame(c, o, buf + off + sizeof(h), h.bh_caplen,
			    h.bh_datalen, strict);
		o->recs++;
		if (o->p2)
			o->p2_recs++;
		off += NPF_WORDALIGN(sizeof(h) + h.bh_caplen);
	}
}

/* ---- threads ---------------------------------------------------------------- */

struct sender {
	pthread_t th;
	struct ld_ctx *c;
	int id, cpu, pair;
	uint64_t seq;		/* next */
	long limit;		/* stop when seq reaches it (exact phase) */
	int stop;
	long failed;		/* sends that failed (the frame may or may
				 * not have been seen by the taps) */
};

static void *sender_fn(void *arg)
{
	struct sender *s = arg;
	struct pair *p = &s->c->pairs[s->pair];
	uint8_t b[2048];
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(s->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED) &&
	       (s->limit < 0 || (long)s->seq < s->limit) && s->seq < MAXSEQ) {
		uint32_t len = build(b, p, s->id, s->pair, s->seq);

		/* a failed send may still have passed the taps (the driver
		 * dropped it after them): never send the same frame twice */
		if (send(p->tx_b, b, len, 0) != (ssize_t)len) {
			s->failed++;
			s->seq++;
			usleep(1000);
			continue;
		}
		s->seq++;
		if (s->seq % 8 == 0)
			usleep(400);
	}
	return NULL;
}

struct reader_th {
	pthread_t th;
	struct ld_ctx *c;
	int ep;
	int stop;
	bool strict;
	uint8_t *buf;
};

static void drain(struct ld_ctx *c, struct open_st *o, uint8_t *buf, bool strict)
{
	for (int i = 0; i < 1000; i++) {
		ssize_t n = read(o->fd, buf, RBUF);

		if (n <= 0) {
			if (n < 0 && errno != EAGAIN)
				bad(o, "read: %s", strerror(errno));
			return;
		}
		if (o->mode & NPF_MODE_STAT) {
			const struct npf_stat_record *r = (const void *)buf;

			if (n != sizeof(*r) || r->hdr.bh_caplen != 16 ||
			    r->hdr.bh_hdrlen != sizeof(r->hdr))
				bad(o, "statistics record of %zd bytes", n);
			o->stat_recs++;
			return;
		}
		check_read(c, o, buf, n, strict);
	}
}

static void *reader_fn(void *arg)
{
	struct reader_th *r = arg;
	struct epoll_event ev[16];

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		int n = epoll_wait(r->ep, ev, 16, 20);

		for (int i = 0; i < n; i++)
			drain(r->c, ev[i].data.ptr, r->buf,
			      __atomic_load_n(&r->strict, __ATOMIC_RELAXED));
	}
	return NULL;
}

struct chaos {
	pthread_t th;
	struct ld_ctx *c;
	int stop;
	long ops, errors;
	char what[600];
};

static void *chaos_fn(void *arg)
{
	static const uint32_t sizes[] = { 4096, 16384, 65536, 1000000, 8192 };
	static const int32_t tos[] = { -1, 5, 50, 1 };
	struct chaos *ch = arg;
	uint64_t x = 88172645463325252ULL;

	while (!__atomic_load_n(&ch->stop, __ATOMIC_RELAXED)) {
		struct open_st *o;
		int r = 0;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		o = &ch->c->o[x % NOPEN];
		if (!o->chaos)
			continue;
		switch ((x >> 20) % 4) {
		case 0: r = set_filt(o->fd, (enum filt)((x >> 24) % 3)); break;
		case 1: r = npf_set_bufsize(o->fd, sizes[(x >> 24) % 5]); break;
		case 2: r = npf_set_timeout(o->fd, tos[(x >> 24) % 4]); break;
		default: r = npf_set_mintocopy(o->fd, (uint32_t)((x >> 24) % 4000)); break;
		}
		/* MinToCopy above a shrunk ring is refused: that is the rule */
		if (r && errno != EINVAL && ch->errors++ == 0)
			snprintf(ch->what, sizeof(ch->what), "%s", npf_err);
		ch->ops++;
		usleep(10000);
	}
	return NULL;
}

/* ---- the test ----------------------------------------------------------------- */

FIXTURE(ld) {
	struct npf_env env;
	struct ld_ctx *c;
	char backlog[32];
	char dir[64];
};

FIXTURE_SETUP(ld)
{
	char name[16];

	NPF_ONLY_OR_SKIP();
	self->backlog[0] = 0;
	self->c = calloc(1, sizeof(*self->c));
	ASSERT_NE(NULL, self->c);
	for (int i = 0; i < NOPEN; i++)
		self->c->o[i].fd = -1;
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	snprintf(self->dir, sizeof(self->dir), "/tmp/npf-load-%d", getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	for (int p = 0; p < NPAIR; p++) {
		struct pair *pp = &self->c->pairs[p];

		if (p == 0) {
			snprintf(pp->a, sizeof(pp->a), "%s", IF_A);
			snprintf(pp->b, sizeof(pp->b), "%s", IF_B);
		} else {
			snprintf(pp->a, sizeof(pp->a), "npfl%da", p);
			snprintf(pp->b, sizeof(pp->b), "npfl%db", p);
			ASSERT_EQ(0, link_add_veth(pp->a, pp->b)) TH_LOG("%s", npf_err);
			ASSERT_EQ(0, link_set_up(pp->a, true));
			ASSERT_EQ(0, link_set_up(pp->b, true));
		}
		ASSERT_EQ(0, link_mac(pp->a, pp->mac_a));
		ASSERT_EQ(0, link_mac(pp->b, pp->mac_b));
		pp->tx_b = tx_socket(link_ifindex(pp->b));
		ASSERT_LE(0, pp->tx_b) TH_LOG("%s", npf_err);
	}
	(void)name;
	/* the receive backlog must not drop what the taps should see */
	if (!file_read_str(BACKLOG, self->backlog, sizeof(self->backlog)))
		file_write_str(BACKLOG, "100000");
}

FIXTURE_TEARDOWN(ld)
{
	for (int i = 0; i < NOPEN; i++) {
		if (self->c->o[i].fd >= 0)
			close(self->c->o[i].fd);
		for (int s = 0; s < MAXSEND; s++)
			free(self->c->o[i].seen[s]);
	}
	for (int p = 0; p < NPAIR; p++)
		if (self->c->pairs[p].tx_b > 0)
			close(self->c->pairs[p].tx_b);
	if (self->backlog[0])
		file_write_str(BACKLOG, self->backlog);
	sh("rm -rf %s", self->dir);
	free(self->c);
	env_teardown(&self->env);
}

static long long softnet_drops(void)
{
	FILE *f = fopen("/proc/net/softnet_stat", "r");
	unsigned int a, b;
	long long sum = 0;

	if (!f)
		return -1;
	while (fscanf(f, "%x %x%*[^\n]", &a, &b) == 2)
		sum += b;
	fclose(f);
	return sum;
}

/* Configure open i. */
static int setup_open(struct ld_ctx *c, int i, const char *dumpdir)
{
	static const enum filt many_f[8] = { F_ALL, F_SNAP64, F_EVEN, F_NONE,
					     F_ALL, F_EVEN_SNAP, F_ALL, F_ALL };
	static const uint32_t many_sz[8] = { 1000000, 65536, 16384, 4096, 4096,
					     1000000, 65536, 262144 };
	static const int32_t many_to[8] = { -1, 5, 50, 5, -1, 0, 100, 20 };
	static const uint32_t many_mtc[8] = { 0, 1, 1, 0, 0, 4096, 0, 2000 };
	struct open_st *o = &c->o[i];
	int k;

	o->fd = npf_open(O_NONBLOCK);
	if (o->fd < 0)
		return -1;
	for (int s = 0; s < MAXSEND; s++) {
		o->seen[s] = calloc(1, MAXSEQ / 8);
		if (!o->seen[s])
			return npf_fail("out of memory");
	}
	if (i < MANY) {
		o->pair = 0;
		k = i % 8;
	} else if (i < MANY + 2 * SIDE) {
		o->pair = 1 + (i - MANY) / SIDE;
		k = (int[]){ 0, 1, 2, 7 }[(i - MANY) % SIDE];
	} else if (i < MANY + 2 * SIDE + NB_B) {
		o->pair = 0;
		o->side_b = true;
		k = 0;
	} else {
		/* the dump */
		o->pair = 0;
		o->filt = F_ALL;
		o->mode = NPF_MODE_DUMP;
		if (npf_bind(o->fd, c->pairs[0].a) ||
		    npf_set_bufsize(o->fd, 4 << 20))
			return -1;
		snprintf(c->dumpfile, sizeof(c->dumpfile), "%s/load.pcap", dumpdir);
		if (npf_dump_file(o->fd, c->dumpfile, 0) ||
		    npf_set_mode(o->fd, NPF_MODE_DUMP))
			return -1;
		return 0;
	}
	o->filt = many_f[k];
	o->mode = k == 6 ? NPF_MODE_STAT : NPF_MODE_CAPT;
	o->chaos = !o->side_b && (k == 0 || k == 1 || k == 2 || k == 7) &&
		   (i % 16 < 8 || o->pair);
	if (npf_bind(o->fd, o->side_b ? c->pairs[o->pair].b : c->pairs[o->pair].a) ||
	    npf_set_bufsize(o->fd, many_sz[k]) ||
	    npf_set_timeout(o->fd, many_to[k]) ||
	    npf_set_mintocopy(o->fd, many_mtc[k]) ||
	    set_filt(o->fd, o->filt) ||
	    (o->mode && npf_set_mode(o->fd, o->mode)))
		return -1;
	return 0;
}

TEST_F_TIMEOUT(ld, many_opens_all_cpus_reconfigured_exact_counts, 300)
{
	struct ld_ctx *c = self->c;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct sender s[MAXSEND];
	struct reader_th rt[2];
	struct chaos ch = { .c = c };
	long long drops0, drops1;
	uint64_t recv_a[NPAIR] = { 0 }, p2_start[MAXSEND];
	long sent_p2[NPAIR] = { 0 }, even_p2[NPAIR] = { 0 };
	long failed_p2[NPAIR] = { 0 }, failed0[MAXSEND];
	struct npf_stats st;
	cpu_set_t all;
	int nbad = 0;

	if (ncpu < 1)
		ncpu = 1;
	c->nsend = (int)(ncpu > NPAIR ? ncpu : NPAIR);
	if (c->nsend > MAXSEND)
		c->nsend = MAXSEND;
	CPU_ZERO(&all);
	for (long i = 0; i < ncpu && i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	sched_setaffinity(0, sizeof(all), &all);
	for (int i = 0; i < NOPEN; i++) {
		ASSERT_EQ(0, setup_open(c, i, self->dir)) TH_LOG("open %d: %s", i, npf_err);
	}
	TH_LOG("%d opens (%d on %s), %d senders on %ld CPUs, %d adapters",
	       NOPEN, MANY + NB_B + 1, IF_A, c->nsend, ncpu, 2 * NPAIR);

	/* readers: epoll over every open but the dump */
	for (int r = 0; r < 2; r++) {
		memset(&rt[r], 0, sizeof(rt[r]));
		rt[r].c = c;
		rt[r].ep = epoll_create1(EPOLL_CLOEXEC);
		rt[r].buf = malloc(RBUF);
		ASSERT_LE(0, rt[r].ep);
		ASSERT_NE(NULL, rt[r].buf);
	}
	for (int i = 0; i < NOPEN; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &c->o[i] };

		if (c->o[i].mode == NPF_MODE_DUMP)
			continue;
		ASSERT_EQ(0, epoll_ctl(rt[i % 2].ep, EPOLL_CTL_ADD, c->o[i].fd, &ev));
	}
	for (int r = 0; r < 2; r++) {
		ASSERT_EQ(0, pthread_create(&rt[r].th, NULL, reader_fn, &rt[r]));
	}

	/* phase 1: traffic from every CPU, reconfiguration under it */
	for (int i = 0; i < c->nsend; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].c = c;
		s[i].id = i;
		s[i].cpu = (int)(i % ncpu);
		s[i].pair = i % NPAIR;
		s[i].limit = -1;
		ASSERT_EQ(0, pthread_create(&s[i].th, NULL, sender_fn, &s[i]));
	}
	ASSERT_EQ(0, pthread_create(&ch.th, NULL, chaos_fn, &ch));
	sleep_ms(6000);
	__atomic_store_n(&ch.stop, 1, __ATOMIC_RELAXED);
	pthread_join(ch.th, NULL);
	for (int i = 0; i < c->nsend; i++) {
		__atomic_store_n(&s[i].stop, 1, __ATOMIC_RELAXED);
		pthread_join(s[i].th, NULL);
	}
	sleep_ms(500);
	/* settled: every open's counters add up */
	for (int i = 0; i < NOPEN; i++) {
		ASSERT_EQ(0, npf_stats(c->o[i].fd, &st));
		EXPECT_EQ(st.bs_recv, st.bs_capt + st.bs_drop + st.bs_filtered +
				      st.bs_nomem)
			TH_LOG("open %d after the changes: recv %llu capt %llu drop %llu filtered %llu nomem %llu",
			       i, (unsigned long long)st.bs_recv,
			       (unsigned long long)st.bs_capt,
			       (unsigned long long)st.bs_drop,
			       (unsigned long long)st.bs_filtered,
			       (unsigned long long)st.bs_nomem);
	}
	{
		long sent = 0;

		for (int i = 0; i < c->nsend; i++)
			sent += (long)s[i].seq;
		TH_LOG("phase 1: %ld frames sent, %ld reconfigurations", sent, ch.ops);
		EXPECT_LT(100, sent);
		EXPECT_LT(5, ch.ops);
		EXPECT_EQ(0, ch.errors) TH_LOG("%s", ch.what);
	}

	/* phase 2: the readers stop (a read under way must not be counted
	 * after the reset), every open is reset to its configuration, the
	 * readers start again, a known burst */
	for (int r = 0; r < 2; r++) {
		__atomic_store_n(&rt[r].stop, 1, __ATOMIC_RELAXED);
		pthread_join(rt[r].th, NULL);
		rt[r].stop = 0;
		rt[r].strict = true;
	}
	for (int i = 0; i < NOPEN; i++) {
		struct open_st *o = &c->o[i];

		if (o->mode == NPF_MODE_DUMP)
			continue;
		ASSERT_EQ(0, npf_set_timeout(o->fd, o->mode ? 50 : -1));
		if (!o->mode) {
			ASSERT_EQ(0, npf_set_mintocopy(o->fd, 0));
		}
		if (o->chaos) {
			ASSERT_EQ(0, npf_set_bufsize(o->fd, 1000000));
		}
		/* flushes the ring and zeroes the counters */
		ASSERT_EQ(0, set_filt(o->fd, o->filt));
		__atomic_store_n(&o->p2, true, __ATOMIC_RELEASE);
	}
	for (int r = 0; r < 2; r++) {
		ASSERT_EQ(0, pthread_create(&rt[r].th, NULL, reader_fn, &rt[r]));
	}
	drops0 = softnet_drops();
	for (int i = 0; i < c->nsend; i++) {
		p2_start[i] = s[i].seq;
		failed0[i] = s[i].failed;
		s[i].limit = (long)s[i].seq + BURST;
		s[i].stop = 0;
		ASSERT_EQ(0, pthread_create(&s[i].th, NULL, sender_fn, &s[i]));
	}
	for (int i = 0; i < c->nsend; i++) {
		pthread_join(s[i].th, NULL);
		sent_p2[s[i].pair] += (long)(s[i].seq - p2_start[i]);
		failed_p2[s[i].pair] += s[i].failed - failed0[i];
		for (uint64_t q = p2_start[i]; q < s[i].seq; q++)
			even_p2[s[i].pair] += q % 2 == 0;
	}
	sleep_ms(1000);
	drops1 = softnet_drops();
	for (int r = 0; r < 2; r++) {
		__atomic_store_n(&rt[r].stop, 1, __ATOMIC_RELAXED);
		pthread_join(rt[r].th, NULL);
	}
	/* what is left in the rings */
	for (int i = 0; i < NOPEN; i++)
		if (c->o[i].mode == NPF_MODE_CAPT)
			drain(c, &c->o[i], rt[0].buf, true);

	for (int i = 0; i < NOPEN; i++) {
		struct open_st *o = &c->o[i];
		long acc = 0;

		if (o->mode == NPF_MODE_DUMP)
			continue;
		ASSERT_EQ(0, npf_stats(o->fd, &st));
		EXPECT_EQ(st.bs_recv, st.bs_capt + st.bs_drop + st.bs_filtered +
				      st.bs_nomem)
			TH_LOG("open %d: recv %llu capt %llu drop %llu filtered %llu nomem %llu",
			       i, (unsigned long long)st.bs_recv,
			       (unsigned long long)st.bs_capt,
			       (unsigned long long)st.bs_drop,
			       (unsigned long long)st.bs_filtered,
			       (unsigned long long)st.bs_nomem);
		/* every open of an adapter saw the same frames */
		if (!o->side_b) {
			if (!recv_a[o->pair])
				recv_a[o->pair] = st.bs_recv;
			EXPECT_EQ(recv_a[o->pair], st.bs_recv)
				TH_LOG("open %d on pair %d saw another number of frames",
				       i, o->pair);
		} else if (!failed_p2[o->pair]) {
			/* outgoing frames are all seen */
			EXPECT_EQ((uint64_t)sent_p2[o->pair], st.bs_recv);
		} else {
			EXPECT_LE((uint64_t)(sent_p2[o->pair] - failed_p2[o->pair]),
				  st.bs_recv);
			EXPECT_GE((uint64_t)sent_p2[o->pair], st.bs_recv);
		}
		if (drops1 == drops0 && !failed_p2[o->pair]) {
			EXPECT_EQ((uint64_t)sent_p2[o->pair], st.bs_recv)
				TH_LOG("open %d: %llu frames, %ld sent", i,
				       (unsigned long long)st.bs_recv, sent_p2[o->pair]);
			switch (o->filt) {
			case F_ALL: case F_SNAP64: acc = sent_p2[o->pair]; break;
			case F_EVEN: case F_EVEN_SNAP: acc = even_p2[o->pair]; break;
			default: acc = 0; break;
			}
			EXPECT_EQ((uint64_t)acc, st.bs_capt + st.bs_drop)
				TH_LOG("open %d: filter %d accepts %ld of the burst", i,
				       o->filt, acc);
			EXPECT_EQ((uint64_t)(sent_p2[o->pair] - acc), st.bs_filtered);
		}
		if (o->mode == NPF_MODE_CAPT) {
			EXPECT_EQ(st.bs_capt, (uint64_t)o->p2_recs)
				TH_LOG("open %d: %llu captured, %ld records read", i,
				       (unsigned long long)st.bs_capt, o->p2_recs);
		} else {
			EXPECT_EQ(0ULL, st.bs_drop);
			EXPECT_LT(0, o->stat_recs);
		}
		EXPECT_EQ(0, o->bad) TH_LOG("open %d (%d bad, %ld duplicates): %s", i,
					    (int)o->bad, o->dups, o->first_bad);
		nbad += o->bad != 0;
	}
	{
		long recs = 0, stats = 0;

		for (int i = 0; i < NOPEN; i++) {
			recs += c->o[i].recs;
			stats += c->o[i].stat_recs;
		}
		TH_LOG("phase 2: %ld + %ld + %ld frames (%ld + %ld + %ld sends failed); softnet drops %lld; %ld records and %ld statistics records checked; %d opens with bad records",
		       sent_p2[0], sent_p2[1], sent_p2[2], failed_p2[0],
		       failed_p2[1], failed_p2[2], drops1 - drops0, recs,
		       stats, nbad);
		EXPECT_LT(10000, recs);
	}

	/* the dump: every frame in it intact, none twice, all it captured */
	{
		struct open_st *o = &c->o[NOPEN - 1];
		struct npf_dump_stats ds;
		struct pcap_check pc;
		int fd = o->fd;
		FILE *f;
		uint8_t *b;
		uint32_t h[4];

		ASSERT_EQ(0, npf_stats(fd, &st));
		EXPECT_EQ(st.bs_recv, st.bs_capt + st.bs_drop + st.bs_filtered +
				      st.bs_nomem);
		ASSERT_EQ(0, npf_set_mode(fd, NPF_MODE_CAPT));
		ASSERT_EQ(0, npf_dump_stats(fd, &ds));
		EXPECT_EQ(0, ds.error);
		o->fd = -1;
		close(fd);
		o->recs = 0;
		pc.packets = 0;
		ASSERT_EQ(0, pcap_check_file(c->dumpfile, &pc, NULL, NULL))
			TH_LOG("%s", npf_err);
		EXPECT_EQ(st.bs_capt, pc.packets);
		EXPECT_EQ(ds.packets, pc.packets);
		/* each record of the file through the same checks */
		f = fopen(c->dumpfile, "r");
		b = malloc(1 << 16);
		do {

			ASSERT_NE(NULL, f);
			ASSERT_NE(NULL, b);
			ASSERT_EQ(1U, fread(b, 24, 1, f));
			while (fread(h, 16, 1, f) == 1) {
				ASSERT_GE(65536U, h[2]);
				ASSERT_EQ(1U, fread(b, h[2], 1, f));
				check_frame(c, o, b, h[2], h[3], true);
				o->recs++;
			}
			fclose(f);
			free(b);
		} while (0);
		EXPECT_EQ(pc.packets, (uint64_t)o->recs);
		EXPECT_EQ(0, o->bad) TH_LOG("dump file: %s", o->first_bad);
		TH_LOG("dump: %llu packets, %llu dropped by its ring",
		       (unsigned long long)pc.packets, (unsigned long long)st.bs_drop);
	}
	for (int r = 0; r < 2; r++) {
		close(rt[r].ep);
		free(rt[r].buf);
	}
}

TEST_HARNESS_MAIN
