// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel dump (BIOCSMODE NPF_MODE_DUMP), as uapi/linux/npf.h documents it:
 * BIOCSETDUMPFD (API 1.2) takes a file the caller opened (a regular file,
 * open for writing, not O_APPEND), cuts it and keeps its own reference;
 * the caller's RLIMIT_FSIZE at that call bounds the dump (EFBIG, no
 * SIGXFSZ). BIOCSETDUMPFILENAME opens (creates, truncates) the file with the
 * caller's credentials and view of the file system. Either writes a standard
 * pcap header (magic a1b2c3d4, or a1b23c4d with NPF_DUMP_NANO; v2.4; the
 * snap length is the largest value the filter can return, 262144 without
 * one; the adapter's link type); its errors are the ioctl's, EINVAL for
 * anything but a regular file, and a failure keeps the previous file. A
 * worker appends the accepted frames; limits are exact and in whole
 * records; a write error ends the dump with whole records only; the end is
 * reported by BIOCISDUMPENDED, BIOCGDUMPSTATS, poll() and read(); leaving
 * MODE_DUMP and close() finish the file; BIOCSETIF is EBUSY meanwhile;
 * MODE_STAT|MODE_DUMP reads return struct npf_stat_dump_record.
 *
 * Files go to a private directory under /tmp (tmpfs in the test VM); the
 * tests that need a full or read-only file system mount a small tmpfs of
 * their own inside it (env_setup() gave the test a private mount
 * namespace).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <pcap/pcap.h>

#include "npf_util.h"
#include "harness.h"

#define BIG		(1 << 20)
#define PCAP_HDR	24u
#define PCAP_RECHDR	16u
#define PCAP_USEC	0xa1b2c3d4u
#define PCAP_NSEC	0xa1b23c4du
#define SNAP_MAX	262144u
#define STATDUMPREC	((ssize_t)sizeof(struct npf_stat_dump_record))

FIXTURE(dump) {
	struct npf_env env;
	int fd;
	char dir[64];
	char mnt[96];		/* a tmpfs of the test's own, when mounted */
	uint8_t *buf;
};

FIXTURE_SETUP(dump)
{
	self->fd = -1;
	self->dir[0] = self->mnt[0] = 0;
	self->buf = malloc(BIG);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	snprintf(self->dir, sizeof(self->dir), "/tmp/npf-dump.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir)) TH_LOG("mkdtemp: %s",
						   strerror(errno));
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
}

FIXTURE_TEARDOWN(dump)
{
	char cmd[128];

	setfsuid(0);
	if (self->fd >= 0)
		close(self->fd);
	if (self->mnt[0])
		umount2(self->mnt, MNT_DETACH);
	if (self->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
		if (system(cmd))
			fprintf(stderr, "# cannot remove %s\n", self->dir);
	}
	free(self->buf);
	env_teardown(&self->env);
}

/* ---- ioctls ------------------------------------------------------------ */

static int set_mode(int fd, uint32_t mode)
{
	return ioctl(fd, BIOCSMODE, &mode);
}

static int set_file(int fd, const char *path, uint32_t flags)
{
	struct npf_dump_name n;

	memset(&n, 0, sizeof(n));
	n.path = (uint64_t)(uintptr_t)path;
	n.flags = flags;
	return ioctl(fd, BIOCSETDUMPFILENAME, &n);
}

/* BIOCSETDUMPFD (API 1.2): a file the caller opened. */
static int set_fd(int fd, int file, uint32_t flags)
{
	struct npf_dump_fd d = { .fd = file, .flags = flags };

	return ioctl(fd, BIOCSETDUMPFD, &d);
}

static int set_limits(int fd, uint64_t bytes, uint64_t packets)
{
	struct npf_dump_limits l = { .max_bytes = bytes,
				     .max_packets = packets };

	return ioctl(fd, BIOCSETDUMPLIMITS, &l);
}

static int get_dstats(int fd, struct npf_dump_stats *ds)
{
	memset(ds, 0xa5, sizeof(*ds));
	return ioctl(fd, BIOCGDUMPSTATS, ds);
}

static int is_ended(int fd)
{
	uint32_t v = 0xa5a5a5a5;

	if (ioctl(fd, BIOCISDUMPENDED, &v))
		return -1;
	return (int)v;
}

/* Wait until the file holds at least n records (or the dump ended). */
static int wait_packets(int fd, uint64_t n, int ms, struct npf_dump_stats *ds)
{
	int64_t end = now_ms() + ms;

	for (;;) {
		if (get_dstats(fd, ds))
			return -1;
		if (ds->packets >= n)
			return 0;
		if (now_ms() > end)
			return -1;
		sleep_ms(10);
	}
}

static int wait_ended(int fd, int ms, struct npf_dump_stats *ds)
{
	int64_t end = now_ms() + ms;

	for (;;) {
		if (get_dstats(fd, ds))
			return -1;
		if (ds->ended)
			return 0;
		if (now_ms() > end)
			return -1;
		sleep_ms(10);
	}
}

static long long file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	return st.st_size;
}

/* ---- pcap files ---------------------------------------------------------- */

struct prec {
	uint32_t sec, frac, caplen, len;
	const uint8_t *data;
};

struct pcapf {
	uint8_t *buf;
	size_t size;
	uint32_t magic, snaplen, linktype, sigfigs;
	uint16_t vmaj, vmin;
	int32_t zone;
	int n;
	struct prec *r;
	char err[256];
};

static void pcap_free(struct pcapf *p)
{
	free(p->buf);
	free(p->r);
	memset(p, 0, sizeof(*p));
}

/*
 * Load a pcap file written in this machine's byte order. 0 when it is a
 * header followed by whole records only (the file size is then exactly
 * 24 + the sum of 16 + caplen), -1 with p->err otherwise.
 */
static int pcap_load(const char *path, struct pcapf *p)
{
	size_t off = PCAP_HDR;
	FILE *f;
	long sz;

	memset(p, 0, sizeof(*p));
	f = fopen(path, "rb");
	if (!f) {
		snprintf(p->err, sizeof(p->err), "open %s: %s", path,
			 strerror(errno));
		return -1;
	}
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	p->size = sz;
	p->buf = malloc(sz + 1);
	if (!p->buf || fread(p->buf, 1, sz, f) != (size_t)sz) {
		fclose(f);
		snprintf(p->err, sizeof(p->err), "read %s failed", path);
		return -1;
	}
	fclose(f);
	if (p->size < PCAP_HDR) {
		snprintf(p->err, sizeof(p->err), "%s: %zu bytes, no header",
			 path, p->size);
		return -1;
	}
	memcpy(&p->magic, p->buf, 4);
	memcpy(&p->vmaj, p->buf + 4, 2);
	memcpy(&p->vmin, p->buf + 6, 2);
	memcpy(&p->zone, p->buf + 8, 4);
	memcpy(&p->sigfigs, p->buf + 12, 4);
	memcpy(&p->snaplen, p->buf + 16, 4);
	memcpy(&p->linktype, p->buf + 20, 4);
	while (off < p->size) {
		struct prec r;

		if (p->size - off < PCAP_RECHDR) {
			snprintf(p->err, sizeof(p->err),
				 "%s: %zu stray bytes after record %d",
				 path, p->size - off, p->n);
			return -1;
		}
		memcpy(&r.sec, p->buf + off, 4);
		memcpy(&r.frac, p->buf + off + 4, 4);
		memcpy(&r.caplen, p->buf + off + 8, 4);
		memcpy(&r.len, p->buf + off + 12, 4);
		if (r.caplen > p->size - off - PCAP_RECHDR) {
			snprintf(p->err, sizeof(p->err),
				 "%s: record %d (caplen %u) cut short at %zu of %zu",
				 path, p->n, r.caplen, off, p->size);
			return -1;
		}
		if (r.caplen > r.len || r.caplen > p->snaplen) {
			snprintf(p->err, sizeof(p->err),
				 "%s: record %d caplen %u len %u snaplen %u",
				 path, p->n, r.caplen, r.len, p->snaplen);
			return -1;
		}
		r.data = p->buf + off + PCAP_RECHDR;
		if (!(p->n & 63)) {
			struct prec *nr = realloc(p->r,
						  (p->n + 64) * sizeof(*nr));

			if (!nr)
				return -1;
			p->r = nr;
		}
		p->r[p->n++] = r;
		off += PCAP_RECHDR + r.caplen;
	}
	return 0;
}

/* Record i is frame f cut at snap. */
static bool prec_is(const struct prec *r, const struct frame *f, uint32_t snap)
{
	uint32_t cap = f->len < snap ? f->len : snap;

	return r->len == f->len && r->caplen == cap &&
	       !memcmp(r->data, f->b, cap);
}

#define EXPECT_PCAP_HDR(p, want_magic, snap)				\
	do {								\
		EXPECT_EQ((uint32_t)(want_magic), (p).magic);		\
		EXPECT_EQ(2, (p).vmaj);					\
		EXPECT_EQ(4, (p).vmin);					\
		EXPECT_EQ(0, (p).zone);					\
		EXPECT_EQ(0U, (p).sigfigs);				\
		EXPECT_EQ((uint32_t)(snap), (p).snaplen);		\
		EXPECT_EQ(1U, (p).linktype);				\
	} while (0)

/* ---- traffic ------------------------------------------------------------- */

/* A varied frame: kind and length (60..1514) depend on i. */
static uint32_t mk_var(struct frame *f, const struct npf_env *e, uint32_t i)
{
	uint32_t len = 60 + (i * 397) % (MAX_FRAME - 60 + 1);

	return mk_mixed(f, e->mac_a, e->mac_b, i, len, 0x7000 + i);
}

static int send_frames(int tx, const struct frame *f, int n)
{
	return tx_send_all(tx, f, n);
}

struct sender {
	pthread_t th;
	int tx, n, delay_ms;
	const struct frame *f;
	int ret;
};

static void *sender_fn(void *arg)
{
	struct sender *s = arg;

	sleep_ms(s->delay_ms);
	s->ret = send_frames(s->tx, s->f, s->n);
	return NULL;
}

/* Receive n frames from an AF_PACKET socket (incoming only). */
static int rx_frames(int s, struct frame *f, int n, int ms)
{
	int64_t end = now_ms() + ms;
	int got = 0;

	while (got < n) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		ssize_t len;

		if (now_ms() > end)
			break;
		if (poll(&p, 1, 100) <= 0)
			continue;
		len = recvfrom(s, f[got].b, sizeof(f[got].b), MSG_TRUNC,
			       (struct sockaddr *)&sll, &sl);
		if (len < 0)
			return -1;
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		f[got].len = len;
		got++;
	}
	return got;
}

static void path_in(char *out, size_t len, const char *dir, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* Mount a tmpfs of its own at dir/sub. */
static int mount_tmpfs(char *mnt, size_t len, const char *dir,
		       const char *sub, unsigned long flags, const char *opts)
{
	path_in(mnt, len, dir, sub);
	if (mkdir(mnt, 0755) && errno != EEXIST)
		return -1;
	return mount("tmpfs", mnt, "tmpfs", flags, opts);
}

/* ---- format --------------------------------------------------------------- */

/*
 * The file is a standard pcap: header at once (the ioctl writes it), then
 * the records, byte-identical to what an AF_PACKET socket on the same
 * adapter captured, in the same order, with plausible, monotonic times.
 */
TEST_F_TIMEOUT(dump, pcap_matches_af_packet, 120)
{
	enum { N = 40 };
	struct frame *sent = calloc(N, sizeof(*sent));
	struct frame *seen = calloc(N, sizeof(*seen));
	struct npf_dump_stats ds;
	struct npf_stats st;
	struct pcapf p;
	char path[128];
	int64_t t0, t1;
	int rx;

	ASSERT_NE(NULL, sent);
	ASSERT_NE(NULL, seen);
	rx = rx_socket(self->env.ifindex_a, NULL, 0);
	ASSERT_LE(0, rx) TH_LOG("%s", npf_err);
	path_in(path, sizeof(path), self->dir, "a.pcap");

	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP)) TH_LOG("%s",
							    strerror(errno));
	ASSERT_EQ(0, set_file(self->fd, path, 0)) TH_LOG("%s",
							  strerror(errno));
	EXPECT_EQ(0, is_ended(self->fd));
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(0ULL, ds.packets);
	EXPECT_EQ((uint64_t)PCAP_HDR, ds.bytes);
	EXPECT_EQ(0, ds.error);
	EXPECT_EQ(0U, ds.ended);
	EXPECT_EQ(1U, ds.active);
	EXPECT_EQ((long long)PCAP_HDR, file_size(path))
		TH_LOG("the header is written by the ioctl");

	for (int i = 0; i < N; i++)
		ASSERT_NE(0U, mk_var(&sent[i], &self->env, i));
	t0 = real_ns() / 1000;
	ASSERT_EQ(0, send_frames(self->env.tx_b, sent, N)) TH_LOG("%s",
								   npf_err);
	ASSERT_EQ(N, rx_frames(rx, seen, N, 10000));
	ASSERT_EQ(0, wait_packets(self->fd, N, 10000, &ds))
		TH_LOG("%llu records", (unsigned long long)ds.packets);
	t1 = real_ns() / 1000;
	EXPECT_EQ((uint64_t)N, ds.packets);
	EXPECT_EQ(0U, ds.ended);
	EXPECT_EQ(0, ds.error);

	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	EXPECT_PCAP_HDR(p, PCAP_USEC, SNAP_MAX);
	EXPECT_EQ((uint64_t)p.size, ds.bytes);
	ASSERT_EQ(N, p.n);
	for (int i = 0; i < N; i++) {
		int64_t ts = p.r[i].sec * 1000000LL + p.r[i].frac;

		EXPECT_TRUE(prec_is(&p.r[i], &seen[i], SNAP_MAX))
			TH_LOG("record %d is not AF_PACKET's frame %d", i, i);
		EXPECT_TRUE(prec_is(&p.r[i], &sent[i], SNAP_MAX))
			TH_LOG("record %d is not sent frame %d (%s)", i, i,
			       sent[i].desc);
		EXPECT_GT(1000000U, p.r[i].frac);
		EXPECT_LE(t0 - 1000000, ts);
		EXPECT_GE(t1 + 1000000, ts);
		if (i) {
			EXPECT_LE(p.r[i - 1].sec * 1000000LL + p.r[i - 1].frac,
				  ts) TH_LOG("record %d earlier than %d", i,
					     i - 1);
		}
	}
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)N, st.bs_recv);
	EXPECT_EQ((uint64_t)N, st.bs_capt);
	EXPECT_EQ(0ULL, st.bs_drop);
	pcap_free(&p);
	close(rx);
	free(sent);
	free(seen);
}

/* NPF_DUMP_NANO: magic a1b23c4d, fractions in nanoseconds. */
TEST_F_TIMEOUT(dump, nano_magic, 60)
{
	enum { N = 6 };
	struct frame f[N];
	struct npf_dump_stats ds;
	struct pcapf p;
	char path[128];
	int64_t t0, t1;

	path_in(path, sizeof(path), self->dir, "nano.pcap");
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	/* unknown flags */
	errno = 0;
	EXPECT_EQ(-1, set_file(self->fd, path, 0x2));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(0U, ds.active);

	ASSERT_EQ(0, set_file(self->fd, path, NPF_DUMP_NANO))
		TH_LOG("%s", strerror(errno));
	for (int i = 0; i < N; i++)
		mk_var(&f[i], &self->env, i);
	t0 = real_ns();
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, N));
	ASSERT_EQ(0, wait_packets(self->fd, N, 10000, &ds));
	t1 = real_ns();
	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	EXPECT_PCAP_HDR(p, PCAP_NSEC, SNAP_MAX);
	ASSERT_EQ(N, p.n);
	for (int i = 0; i < N; i++) {
		int64_t ts = p.r[i].sec * 1000000000LL + p.r[i].frac;

		EXPECT_TRUE(prec_is(&p.r[i], &f[i], SNAP_MAX));
		EXPECT_GT(1000000000U, p.r[i].frac);
		EXPECT_LE(t0 - 1000000000LL, ts);
		EXPECT_GE(t1 + 1000000000LL, ts);
	}
	pcap_free(&p);
}

/*
 * A filter compiled like `tcpdump -s 96 udp`: the header's snap length is
 * 96, only UDP frames are in the file, cut at 96 bytes, with their full
 * length in `len`.
 */
TEST_F_TIMEOUT(dump, filter_snaplen_96_udp_only, 60)
{
	static const uint32_t lens[] = { 60, 95, 96, 97, 200, 1514, 61, 500 };
	enum { N = 2 * ARRAY_SIZE(lens) };
	struct frame f[N];
	struct sock_filter *prog;
	struct npf_dump_stats ds;
	struct npf_stats st;
	struct pcapf p;
	char path[128];
	int n, udp = 0, k = 0;

	n = compile_filter("udp", 96, &prog);
	ASSERT_LT(0, n) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_filter(self->fd, prog, n)) TH_LOG("%s", npf_err);
	path_in(path, sizeof(path), self->dir, "udp96.pcap");
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, set_file(self->fd, path, 0)) TH_LOG("%s",
							  strerror(errno));
	for (int i = 0; i < N; i++) {
		uint32_t len = lens[i / 2];

		if (i % 2 == 0) {
			mk_udp4(&f[i], self->env.mac_a, self->env.mac_b,
				"10.0.0.2", "10.0.0.1", 1000 + i, 53, len, i);
			udp++;
		} else if (i % 4 == 1) {
			mk_tcp4(&f[i], self->env.mac_a, self->env.mac_b,
				"10.0.0.2", "10.0.0.1", 1000 + i, 80, TH_SYN,
				len, i);
		} else {
			mk_raw(&f[i], self->env.mac_a, self->env.mac_b, 0x88b5,
			       len, i);
		}
		ASSERT_NE(0U, f[i].len);
		ASSERT_EQ(i % 2 == 0, offline_filter(prog, n, &f[i]) != 0);
	}
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, N));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, N, 10000)) TH_LOG("%s",
								     npf_err);
	ASSERT_EQ(0, wait_packets(self->fd, udp, 10000, &ds));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)udp, st.bs_capt);
	EXPECT_EQ((uint64_t)(N - udp), st.bs_filtered);
	/* nothing more comes */
	sleep_ms(300);
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ((uint64_t)udp, ds.packets);

	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	EXPECT_PCAP_HDR(p, PCAP_USEC, 96);
	ASSERT_EQ(udp, p.n);
	for (int i = 0; i < N; i += 2, k++) {
		EXPECT_TRUE(prec_is(&p.r[k], &f[i], 96))
			TH_LOG("record %d: caplen %u len %u, frame %d len %u",
			       k, p.r[k].caplen, p.r[k].len, i, f[i].len);
	}
	pcap_free(&p);
	free(prog);
}

/*
 * Snap length from a filter: the largest of its `ret #k`, 262144 for
 * `ret a`.
 */
TEST_F_TIMEOUT(dump, filter_snaplen_largest_return, 60)
{
	/* IPv4: keep 300 bytes, anything else: 100 */
	struct sock_filter two[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0800, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, 100),
		BPF_STMT(BPF_RET | BPF_K, 300),
	};
	/* keep len bytes: the whole frame, "ret a" */
	struct sock_filter reta[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct frame f[4];
	struct npf_dump_stats ds;
	struct pcapf p;
	char path[128];
	int fd2;

	ASSERT_EQ(0, npf_set_filter(self->fd, two, 4)) TH_LOG("%s", npf_err);
	path_in(path, sizeof(path), self->dir, "two.pcap");
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, set_file(self->fd, path, 0)) TH_LOG("%s",
							  strerror(errno));
	mk_udp4(&f[0], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 1000, 0);
	mk_raw(&f[1], self->env.mac_a, self->env.mac_b, 0x88b5, 1000, 1);
	mk_udp4(&f[2], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 200, 2);
	mk_raw(&f[3], self->env.mac_a, self->env.mac_b, 0x88b5, 60, 3);
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, 4));
	ASSERT_EQ(0, wait_packets(self->fd, 4, 10000, &ds));
	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	EXPECT_PCAP_HDR(p, PCAP_USEC, 300);
	ASSERT_EQ(4, p.n);
	EXPECT_TRUE(prec_is(&p.r[0], &f[0], 300));
	EXPECT_TRUE(prec_is(&p.r[1], &f[1], 100));
	EXPECT_TRUE(prec_is(&p.r[2], &f[2], 300));
	EXPECT_TRUE(prec_is(&p.r[3], &f[3], 100));
	pcap_free(&p);

	/* `ret a`: no bound known, 262144 */
	fd2 = npf_open(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, npf_bind(fd2, IF_A));
	ASSERT_EQ(0, npf_set_filter(fd2, reta, 2)) TH_LOG("%s", npf_err);
	path_in(path, sizeof(path), self->dir, "reta.pcap");
	ASSERT_EQ(0, set_mode(fd2, NPF_MODE_DUMP));
	ASSERT_EQ(0, set_file(fd2, path, 0));
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, 2));
	ASSERT_EQ(0, wait_packets(fd2, 2, 10000, &ds));
	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	EXPECT_PCAP_HDR(p, PCAP_USEC, SNAP_MAX);
	ASSERT_EQ(2, p.n);
	EXPECT_TRUE(prec_is(&p.r[0], &f[0], SNAP_MAX));
	EXPECT_TRUE(prec_is(&p.r[1], &f[1], SNAP_MAX));
	pcap_free(&p);
	close(fd2);
}

/*
 * BIOCSETF first writes out what is buffered: frames accepted before the
 * change are all in the file, and the new filter decides after it.
 */
TEST_F_TIMEOUT(dump, filter_change_writes_buffered_first, 60)
{
	enum { N = 12 };
	struct frame f[2 * N];
	struct sock_filter *prog;
	struct npf_dump_stats ds;
	struct pcapf p;
	char path[128];
	int n, k;

	n = compile_filter("udp", 65535, &prog);
	ASSERT_LT(0, n) TH_LOG("%s", npf_err);
	path_in(path, sizeof(path), self->dir, "change.pcap");
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, set_file(self->fd, path, 0));
	for (int i = 0; i < 2 * N; i++) {
		if (i % 2)
			mk_tcp4(&f[i], self->env.mac_a, self->env.mac_b,
				"10.0.0.2", "10.0.0.1", 7, 80, TH_ACK,
				100 + i, i);
		else
			mk_udp4(&f[i], self->env.mac_a, self->env.mac_b,
				"10.0.0.2", "10.0.0.1", 7, 53, 100 + i, i);
	}
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, N));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, N, 10000));
	/* at once: the worker may not have run yet */
	ASSERT_EQ(0, npf_set_filter(self->fd, prog, n)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ((uint64_t)N, ds.packets)
		TH_LOG("BIOCSETF did not write out what was buffered");
	ASSERT_EQ(0, send_frames(self->env.tx_b, f + N, N));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, N, 10000));
	ASSERT_EQ(0, wait_packets(self->fd, N + N / 2, 10000, &ds));
	sleep_ms(300);
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ((uint64_t)(N + N / 2), ds.packets);
	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	ASSERT_EQ(N + N / 2, p.n);
	for (k = 0; k < N; k++) {
		EXPECT_TRUE(prec_is(&p.r[k], &f[k], SNAP_MAX))
			TH_LOG("record %d", k);
	}
	for (int i = N; i < 2 * N; i += 2, k++) {
		EXPECT_TRUE(prec_is(&p.r[k], &f[i], SNAP_MAX))
			TH_LOG("record %d", k);
	}
	pcap_free(&p);
	free(prog);
}

/* ---- limits and the end ---------------------------------------------------- */

/*
 * max_packets 5, 12 frames: exactly 5 records; the end is reported by
 * BIOCISDUMPENDED, BIOCGDUMPSTATS, poll() (which it wakes) and read()
 * (which returns 0 at once); further frames are ignored.
 */
TEST_F_TIMEOUT(dump, packet_limit_exact, 60)
{
	enum { N = 12, LIM = 5 };
	struct pollfd pf = { .fd = self->fd, .events = POLLIN };
	struct frame f[N + 5], seen[5];
	struct npf_dump_stats ds, ds2;
	struct sender snd;
	struct pcapf p;
	char path[128];
	int64_t t;
	int rx, fl;

	path_in(path, sizeof(path), self->dir, "plimit.pcap");
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, set_limits(self->fd, 0, LIM));
	ASSERT_EQ(0, set_file(self->fd, path, 0));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 5000));
	for (int i = 0; i < N + 5; i++)
		mk_var(&f[i], &self->env, i);

	/* not ended: poll says nothing, O_NONBLOCK read EAGAIN */
	EXPECT_EQ(0, poll(&pf, 1, 0));
	fl = fcntl(self->fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->buf, BIG));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl));

	/* a waiting poll is woken by the end */
	memset(&snd, 0, sizeof(snd));
	snd.tx = self->env.tx_b;
	snd.f = f;
	snd.n = N;
	snd.delay_ms = 300;
	ASSERT_EQ(0, pthread_create(&snd.th, NULL, sender_fn, &snd));
	t = now_ms();
	EXPECT_EQ(1, poll(&pf, 1, 10000));
	t = now_ms() - t;
	pthread_join(snd.th, NULL);
	ASSERT_EQ(0, snd.ret) TH_LOG("%s", npf_err);
	EXPECT_TRUE(!!(pf.revents & POLLIN)) TH_LOG("revents %#x after %lld ms",
						    pf.revents, (long long)t);
	EXPECT_LE(250, t) TH_LOG("poll did not wait for the end");
	EXPECT_EQ(1, is_ended(self->fd));
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ((uint64_t)LIM, ds.packets);
	EXPECT_EQ(1U, ds.ended);
	EXPECT_EQ(0, ds.error);
	EXPECT_EQ(1U, ds.active);
	/* read returns 0 at once */
	t = now_ms();
	EXPECT_EQ(0, read(self->fd, self->buf, BIG));
	EXPECT_GT(2500, now_ms() - t);

	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	EXPECT_EQ((uint64_t)p.size, ds.bytes);
	ASSERT_EQ(LIM, p.n);
	for (int i = 0; i < LIM; i++) {
		EXPECT_TRUE(prec_is(&p.r[i], &f[i], SNAP_MAX));
	}
	pcap_free(&p);

	/* more frames reach the adapter but not the file */
	rx = rx_socket(self->env.ifindex_a, NULL, 0);
	ASSERT_LE(0, rx);
	ASSERT_EQ(0, send_frames(self->env.tx_b, f + N, 5));
	ASSERT_EQ(5, rx_frames(rx, seen, 5, 10000));
	sleep_ms(400);
	ASSERT_EQ(0, get_dstats(self->fd, &ds2));
	EXPECT_EQ(ds.packets, ds2.packets);
	EXPECT_EQ(ds.bytes, ds2.bytes);
	EXPECT_EQ((long long)ds.bytes, file_size(path));
	close(rx);
	/* close changes nothing either */
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ((long long)ds.bytes, file_size(path));
}

/*
 * max_bytes counts the whole file, header included, in whole records:
 * one byte short of k+1 records gives k; exactly k records' worth gives k;
 * a limit below the first record gives none.
 */
TEST_F_TIMEOUT(dump, byte_limit_exact, 90)
{
	enum { N = 10 };
	struct frame f[N];
	struct npf_dump_stats ds;
	struct pcapf p;
	char path[128];
	uint64_t sizes[N + 1];
	static const struct { int k; int minus; } cases[] = {
		{ 3, 1 }, { 4, 0 }, { 0, 1 },
	};

	sizes[0] = PCAP_HDR;
	for (int i = 0; i < N; i++) {
		mk_var(&f[i], &self->env, 3 * i + 1);
		sizes[i + 1] = sizes[i] + PCAP_RECHDR + f[i].len;
	}
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		int k = cases[c].k;
		uint64_t max = sizes[k];
		char name[32];
		int fd;

		if (cases[c].minus)
			max = sizes[k + 1] - 1;
		fd = npf_open(0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, npf_bind(fd, IF_A));
		snprintf(name, sizeof(name), "blimit%zu.pcap", c);
		path_in(path, sizeof(path), self->dir, name);
		ASSERT_EQ(0, set_mode(fd, NPF_MODE_DUMP));
		ASSERT_EQ(0, set_limits(fd, max, 0));
		ASSERT_EQ(0, set_file(fd, path, 0));
		ASSERT_EQ(0, send_frames(self->env.tx_b, f, N));
		ASSERT_EQ(0, wait_ended(fd, 10000, &ds))
			TH_LOG("case %zu: not ended, %llu records", c,
			       (unsigned long long)ds.packets);
		EXPECT_EQ((uint64_t)k, ds.packets) TH_LOG("case %zu", c);
		EXPECT_EQ(sizes[k], ds.bytes) TH_LOG("case %zu", c);
		EXPECT_EQ(0, ds.error);
		EXPECT_EQ(1, is_ended(fd));
		ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
		EXPECT_GE(max, (uint64_t)p.size);
		EXPECT_EQ(sizes[k], (uint64_t)p.size);
		ASSERT_EQ(k, p.n) TH_LOG("case %zu", c);
		for (int i = 0; i < k; i++) {
			EXPECT_TRUE(prec_is(&p.r[i], &f[i], SNAP_MAX));
		}
		pcap_free(&p);
		close(fd);
		EXPECT_EQ((long long)sizes[k], file_size(path));
	}
}

/* close() right after the traffic: every accepted frame is in the file. */
TEST_F_TIMEOUT(dump, close_flushes_everything, 120)
{
	enum { N = 300 };
	struct frame *f = calloc(N, sizeof(*f));
	struct npf_dump_stats ds;
	struct npf_stats st;
	struct pcapf p;
	char path[128];

	ASSERT_NE(NULL, f);
	path_in(path, sizeof(path), self->dir, "close.pcap");
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, set_file(self->fd, path, 0));
	for (int i = 0; i < N; i++)
		mk_var(&f[i], &self->env, i);
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, N));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, N, 20000));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	ASSERT_EQ((uint64_t)N, st.bs_capt) TH_LOG("drop %llu",
					    (unsigned long long)st.bs_drop);
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	TH_LOG("%llu of %d records written before close()",
	       (unsigned long long)ds.packets, N);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	ASSERT_EQ(N, p.n);
	for (int i = 0; i < N; i++) {
		EXPECT_TRUE(prec_is(&p.r[i], &f[i], SNAP_MAX))
			TH_LOG("record %d", i);
	}
	pcap_free(&p);
	free(f);
}

/*
 * A full file system: the dump ends with -ENOSPC, and the file holds
 * whole records only (its size is exactly the header plus whole records),
 * the first ones sent, in order.
 */
TEST_F_TIMEOUT(dump, full_fs_enospc_whole_records, 120)
{
	enum { N = 80 };
	struct pollfd pf = { .fd = self->fd, .events = POLLIN };
	struct frame *f = calloc(N, sizeof(*f));
	struct npf_dump_stats ds;
	struct pcapf p;
	char path[160];
	uint64_t sum = PCAP_HDR;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, mount_tmpfs(self->mnt, sizeof(self->mnt), self->dir,
				 "small", 0, "size=64k"))
		TH_LOG("mount tmpfs: %s", strerror(errno));
	path_in(path, sizeof(path), self->mnt, "full.pcap");
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, set_file(self->fd, path, 0)) TH_LOG("%s",
							  strerror(errno));
	/* 1514-byte frames, 122 KB in all; odd sizes in between */
	for (int i = 0; i < N; i++) {
		mk_udp4(&f[i], self->env.mac_a, self->env.mac_b, "10.0.0.2",
			"10.0.0.1", 9, 9, i % 7 == 3 ? 333 : MAX_FRAME, i);
	}
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, N));
	ASSERT_EQ(0, wait_ended(self->fd, 20000, &ds))
		TH_LOG("not ended: %llu records, error %d",
		       (unsigned long long)ds.packets, ds.error);
	EXPECT_EQ(-ENOSPC, ds.error);
	EXPECT_EQ(1U, ds.ended);
	EXPECT_EQ(1, is_ended(self->fd));
	EXPECT_EQ(1, poll(&pf, 1, 0));
	EXPECT_EQ(0, read(self->fd, self->buf, BIG));

	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	EXPECT_PCAP_HDR(p, PCAP_USEC, SNAP_MAX);
	EXPECT_LT(0, p.n);
	EXPECT_GT(N, p.n);
	EXPECT_EQ(ds.packets, (uint64_t)p.n);
	EXPECT_EQ(ds.bytes, (uint64_t)p.size);
	EXPECT_GE(65536U, p.size);
	for (int i = 0; i < p.n; i++) {
		EXPECT_TRUE(prec_is(&p.r[i], &f[i], SNAP_MAX))
			TH_LOG("record %d", i);
		sum += PCAP_RECHDR + p.r[i].caplen;
	}
	EXPECT_EQ(sum, (uint64_t)p.size);
	pcap_free(&p);
	/* closing does not change it */
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ((long long)sum, file_size(path));
	free(f);
}

/* ---- opening the file ------------------------------------------------------ */

/*
 * The open's errors are the ioctl's: ENOENT, EROFS, ENOSPC (for the
 * header), EINVAL for what is not a regular file, EFAULT for a bad
 * pointer, ENXIO unbound. Nothing is left open after a failure.
 */
TEST_F_TIMEOUT(dump, open_errors, 60)
{
	char path[160], ro[96];
	struct npf_dump_stats ds;
	int fd2, filler;
	static char junk[4096];

	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));

	path_in(path, sizeof(path), self->dir, "none/x.pcap");
	errno = 0;
	EXPECT_EQ(-1, set_file(self->fd, path, 0));
	EXPECT_EQ(ENOENT, errno);

	errno = 0;
	EXPECT_EQ(-1, set_file(self->fd, "/dev/null", 0));
	EXPECT_EQ(EINVAL, errno) TH_LOG("/dev/null: %s", strerror(errno));

	errno = 0;
	EXPECT_EQ(-1, set_file(self->fd, (const char *)8, 0));
	EXPECT_EQ(EFAULT, errno);

	/* a read-only file system */
	ASSERT_EQ(0, mount_tmpfs(ro, sizeof(ro), self->dir, "ro", MS_RDONLY,
				 "size=64k")) TH_LOG("%s", strerror(errno));
	path_in(path, sizeof(path), ro, "x.pcap");
	errno = 0;
	EXPECT_EQ(-1, set_file(self->fd, path, 0));
	EXPECT_EQ(EROFS, errno) TH_LOG("%s", strerror(errno));
	umount2(ro, MNT_DETACH);

	/* a full one: the header does not fit */
	ASSERT_EQ(0, mount_tmpfs(self->mnt, sizeof(self->mnt), self->dir,
				 "full", 0, "size=64k"))
		TH_LOG("%s", strerror(errno));
	path_in(path, sizeof(path), self->mnt, "filler");
	filler = open(path, O_WRONLY | O_CREAT, 0600);
	ASSERT_LE(0, filler);
	while (write(filler, junk, sizeof(junk)) > 0)
		;
	close(filler);
	path_in(path, sizeof(path), self->mnt, "x.pcap");
	errno = 0;
	EXPECT_EQ(-1, set_file(self->fd, path, 0));
	EXPECT_EQ(ENOSPC, errno) TH_LOG("%s", strerror(errno));

	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(0U, ds.active);

	/* unbound */
	fd2 = npf_open(0);
	ASSERT_LE(0, fd2);
	path_in(path, sizeof(path), self->dir, "unbound.pcap");
	errno = 0;
	EXPECT_EQ(-1, set_file(fd2, path, 0));
	EXPECT_EQ(ENXIO, errno);
	close(fd2);
}

/*
 * A FIFO is not a regular file: EINVAL, whether or not a reader has it
 * open, and never an ioctl blocked waiting for a reader.
 */
TEST_F_TIMEOUT(dump, fifo_einval, 60)
{
	struct npf_dump_stats ds;
	char path[128];
	int r, ret, err;

	path_in(path, sizeof(path), self->dir, "fifo");
	ASSERT_EQ(0, mkfifo(path, 0600));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));

	r = open(path, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, r);
	errno = 0;
	EXPECT_EQ(-1, set_file(self->fd, path, 0));
	EXPECT_EQ(EINVAL, errno) TH_LOG("FIFO with a reader: %s",
					strerror(errno));
	close(r);

	alarm_ms(3000);
	ret = set_file(self->fd, path, 0);
	err = errno;
	alarm_ms(0);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EINVAL, err) TH_LOG("FIFO without a reader: %s%s",
				      strerror(err), err == EINTR ?
				      " (the ioctl blocked in open)" : "");
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(0U, ds.active);
}

/*
 * The file is opened with the caller's credentials (fsuid) and relative
 * to the caller's working directory.
 */
TEST_F_TIMEOUT(dump, caller_credentials_and_cwd, 60)
{
	char open_dir[128], closed_dir[128], path[160];
	struct npf_dump_stats ds;
	struct frame f[2];
	struct pcapf p;
	struct stat st;

	path_in(open_dir, sizeof(open_dir), self->dir, "open");
	path_in(closed_dir, sizeof(closed_dir), self->dir, "closed");
	ASSERT_EQ(0, mkdir(open_dir, 0777));
	ASSERT_EQ(0, chmod(open_dir, 0777));
	ASSERT_EQ(0, mkdir(closed_dir, 0755));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));

	/* relative to the working directory */
	ASSERT_EQ(0, chdir(open_dir));
	ASSERT_EQ(0, set_file(self->fd, "rel.pcap", 0)) TH_LOG("%s",
								strerror(errno));
	path_in(path, sizeof(path), open_dir, "rel.pcap");
	EXPECT_EQ((long long)PCAP_HDR, file_size(path));

	/* as user 4321: EACCES where that user may not write */
	setfsuid(4321);
	ASSERT_EQ(4321, setfsuid(-1));
	path_in(path, sizeof(path), closed_dir, "x.pcap");
	errno = 0;
	EXPECT_EQ(-1, set_file(self->fd, path, 0));
	EXPECT_EQ(EACCES, errno) TH_LOG("%s", strerror(errno));
	/* and the file is that user's where it may */
	path_in(path, sizeof(path), open_dir, "u.pcap");
	EXPECT_EQ(0, set_file(self->fd, path, 0)) TH_LOG("%s",
							  strerror(errno));
	setfsuid(0);
	ASSERT_EQ(0, chdir("/"));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(4321U, st.st_uid);

	/* and the worker writes to it */
	mk_var(&f[0], &self->env, 1);
	mk_var(&f[1], &self->env, 2);
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, 2));
	ASSERT_EQ(0, wait_packets(self->fd, 2, 10000, &ds));
	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	ASSERT_EQ(2, p.n);
	EXPECT_TRUE(prec_is(&p.r[0], &f[0], SNAP_MAX));
	EXPECT_TRUE(prec_is(&p.r[1], &f[1], SNAP_MAX));
	pcap_free(&p);
}

/*
 * A failed BIOCSETDUMPFILENAME keeps the previous file dumping; a
 * successful one finishes the old file and starts the new one.
 */
TEST_F_TIMEOUT(dump, failed_name_keeps_previous_file, 60)
{
	enum { N = 11 };
	struct frame f[N];
	struct npf_dump_stats ds;
	struct pcapf p;
	char a[128], b[128], bad[128];

	for (int i = 0; i < N; i++)
		mk_var(&f[i], &self->env, 5 * i);
	path_in(a, sizeof(a), self->dir, "a.pcap");
	path_in(b, sizeof(b), self->dir, "b.pcap");
	path_in(bad, sizeof(bad), self->dir, "none/b.pcap");
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, set_file(self->fd, a, 0));
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, 4));
	ASSERT_EQ(0, wait_packets(self->fd, 4, 10000, &ds));

	errno = 0;
	EXPECT_EQ(-1, set_file(self->fd, bad, 0));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(-1, set_file(self->fd, "/dev/null", 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(1U, ds.active);
	EXPECT_EQ(4ULL, ds.packets);
	EXPECT_EQ(0U, ds.ended);

	ASSERT_EQ(0, send_frames(self->env.tx_b, f + 4, 4));
	ASSERT_EQ(0, wait_packets(self->fd, 8, 10000, &ds));

	/* a good name: a is finished, b starts afresh */
	ASSERT_EQ(0, set_file(self->fd, b, 0)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(0ULL, ds.packets);
	EXPECT_EQ((uint64_t)PCAP_HDR, ds.bytes);
	ASSERT_EQ(0, send_frames(self->env.tx_b, f + 8, 3));
	ASSERT_EQ(0, wait_packets(self->fd, 3, 10000, &ds));
	close(self->fd);
	self->fd = -1;

	ASSERT_EQ(0, pcap_load(a, &p)) TH_LOG("%s", p.err);
	ASSERT_EQ(8, p.n);
	for (int i = 0; i < 8; i++) {
		EXPECT_TRUE(prec_is(&p.r[i], &f[i], SNAP_MAX))
			TH_LOG("a: record %d", i);
	}
	pcap_free(&p);
	ASSERT_EQ(0, pcap_load(b, &p)) TH_LOG("%s", p.err);
	ASSERT_EQ(3, p.n);
	for (int i = 0; i < 3; i++) {
		EXPECT_TRUE(prec_is(&p.r[i], &f[8 + i], SNAP_MAX))
			TH_LOG("b: record %d", i);
	}
	pcap_free(&p);
}

/* ---- BIOCSETDUMPFD ---------------------------------------------------------- */

/* Create @path with @len bytes of old content; open it with @flags. */
static int file_with(const char *path, size_t len, int flags)
{
	static const char old[256] = "old content that must go";
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	if (len > sizeof(old) || write(fd, old, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	close(fd);
	return open(path, flags | O_CLOEXEC);
}

/* The frames libpcap reads from @path, or -1 with its error in npf_err. */
static int libpcap_count(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p = pcap_open_offline(path, err);
	int n = 0, r;

	if (!p) {
		snprintf(npf_err, sizeof(npf_err), "%s", err);
		return -1;
	}
	while ((r = pcap_next_ex(p, &h, &data)) == 1)
		n++;
	if (r != PCAP_ERROR_BREAK) {
		snprintf(npf_err, sizeof(npf_err), "%s", pcap_geterr(p));
		n = -1;
	}
	pcap_close(p);
	return n;
}

/*
 * A file the caller opened (no O_TRUNC, old content in it): the ioctl cuts
 * it and writes the header; the caller closes its descriptor at once, and
 * the dump goes on through the kernel's own reference, to a file libpcap
 * reads. NPF_DUMP_NANO selects the nanosecond magic as with a path.
 */
TEST_F_TIMEOUT(dump, dumpfd_caller_closes_at_once, 60)
{
	enum { N = 7 };
	struct npf_dump_stats ds;
	struct frame f[N];
	struct pcapf p;
	char path[128], nano[128];
	int file;

	for (int i = 0; i < N; i++)
		mk_var(&f[i], &self->env, 11 * i);
	path_in(path, sizeof(path), self->dir, "byfd.pcap");
	file = file_with(path, 200, O_WRONLY);
	ASSERT_LE(0, file) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, set_fd(self->fd, file, 0)) TH_LOG("BIOCSETDUMPFD: %s",
						       strerror(errno));
	ASSERT_EQ(0, close(file));
	EXPECT_EQ((long long)PCAP_HDR, file_size(path));
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(1U, ds.active);
	EXPECT_EQ((uint64_t)PCAP_HDR, ds.bytes);

	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, N));
	ASSERT_EQ(0, wait_packets(self->fd, N, 10000, &ds));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_CAPT));
	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	EXPECT_PCAP_HDR(p, PCAP_USEC, SNAP_MAX);
	ASSERT_EQ(N, p.n);
	for (int i = 0; i < N; i++) {
		EXPECT_TRUE(prec_is(&p.r[i], &f[i], SNAP_MAX))
			TH_LOG("record %d", i);
	}
	pcap_free(&p);
	EXPECT_EQ(N, libpcap_count(path)) TH_LOG("libpcap: %s", npf_err);

	/* the nanosecond format, an O_RDWR descriptor */
	path_in(nano, sizeof(nano), self->dir, "byfd-nano.pcap");
	file = file_with(nano, 10, O_RDWR);
	ASSERT_LE(0, file);
	ASSERT_EQ(0, set_fd(self->fd, file, NPF_DUMP_NANO))
		TH_LOG("%s", strerror(errno));
	close(file);
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, 2));
	ASSERT_EQ(0, wait_packets(self->fd, 2, 10000, &ds));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pcap_load(nano, &p)) TH_LOG("%s", p.err);
	EXPECT_PCAP_HDR(p, PCAP_NSEC, SNAP_MAX);
	EXPECT_EQ(2, p.n);
	pcap_free(&p);
	EXPECT_EQ(2, libpcap_count(nano)) TH_LOG("libpcap: %s", npf_err);
}

/*
 * What BIOCSETDUMPFD refuses: a descriptor not open for writing (EBADF,
 * as write(2) says; so does a directory, which never is), O_APPEND
 * (EINVAL: records go at known offsets), anything else open for writing
 * that is not a regular file (EINVAL: a pipe, a socket, /dev/null), a
 * descriptor that is not open (EBADF), unknown flags (EINVAL), a bad
 * pointer (EFAULT), an unbound open (ENXIO). A refused file is not cut,
 * and no dump starts.
 */
TEST_F_TIMEOUT(dump, dumpfd_refused, 60)
{
	char ro[128], app[128], good[128];
	struct npf_dump_stats ds;
	int file, sv[2], pfd[2], fd2;

	path_in(ro, sizeof(ro), self->dir, "ro.pcap");
	path_in(app, sizeof(app), self->dir, "append.pcap");
	path_in(good, sizeof(good), self->dir, "good.pcap");

	file = file_with(ro, 100, O_RDONLY);
	ASSERT_LE(0, file);
	errno = 0;
	EXPECT_EQ(-1, set_fd(self->fd, file, 0));
	EXPECT_EQ(EBADF, errno) TH_LOG("O_RDONLY: %s", strerror(errno));
	close(file);
	EXPECT_EQ(100LL, file_size(ro));

	file = file_with(app, 100, O_WRONLY | O_APPEND);
	ASSERT_LE(0, file);
	errno = 0;
	EXPECT_EQ(-1, set_fd(self->fd, file, 0));
	EXPECT_EQ(EINVAL, errno) TH_LOG("O_APPEND: %s", strerror(errno));
	close(file);
	EXPECT_EQ(100LL, file_size(app));

	file = open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, file);
	errno = 0;
	EXPECT_EQ(-1, set_fd(self->fd, file, 0));
	EXPECT_EQ(EBADF, errno) TH_LOG("a directory: %s", strerror(errno));
	close(file);

	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	errno = 0;
	EXPECT_EQ(-1, set_fd(self->fd, pfd[1], 0));
	EXPECT_EQ(EINVAL, errno) TH_LOG("a pipe: %s", strerror(errno));
	close(pfd[0]);
	close(pfd[1]);

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	errno = 0;
	EXPECT_EQ(-1, set_fd(self->fd, sv[0], 0));
	EXPECT_EQ(EINVAL, errno) TH_LOG("a socket: %s", strerror(errno));
	close(sv[0]);
	close(sv[1]);

	file = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, file);
	errno = 0;
	EXPECT_EQ(-1, set_fd(self->fd, file, 0));
	EXPECT_EQ(EINVAL, errno) TH_LOG("/dev/null: %s", strerror(errno));
	close(file);

	/* no such descriptor */
	errno = 0;
	EXPECT_EQ(-1, set_fd(self->fd, -1, 0));
	EXPECT_EQ(EBADF, errno) TH_LOG("fd -1: %s", strerror(errno));
	ASSERT_EQ(-1, fcntl(4000, F_GETFD));
	errno = 0;
	EXPECT_EQ(-1, set_fd(self->fd, 4000, 0));
	EXPECT_EQ(EBADF, errno) TH_LOG("fd 4000: %s", strerror(errno));

	/* a good file, bad flags: not cut either */
	file = file_with(good, 100, O_WRONLY);
	ASSERT_LE(0, file);
	errno = 0;
	EXPECT_EQ(-1, set_fd(self->fd, file, 0x2));
	EXPECT_EQ(EINVAL, errno) TH_LOG("flags 0x2: %s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, set_fd(self->fd, file, 0x80000000u | NPF_DUMP_NANO));
	EXPECT_EQ(EINVAL, errno) TH_LOG("flags 0x80000001: %s",
					strerror(errno));
	EXPECT_EQ(100LL, file_size(good));
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, BIOCSETDUMPFD, NULL));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(0U, ds.active);

	/* unbound */
	fd2 = npf_open(0);
	ASSERT_LE(0, fd2);
	errno = 0;
	EXPECT_EQ(-1, set_fd(fd2, file, 0));
	EXPECT_EQ(ENXIO, errno) TH_LOG("unbound: %s", strerror(errno));
	close(fd2);
	EXPECT_EQ(100LL, file_size(good));
	close(file);
}

/*
 * A refused BIOCSETDUMPFD keeps the previous file dumping; a good one
 * finishes the old file and starts the new one, as with a path.
 */
TEST_F_TIMEOUT(dump, dumpfd_failure_keeps_previous_file, 60)
{
	enum { N = 11 };
	struct frame f[N];
	struct npf_dump_stats ds;
	struct pcapf p;
	char a[128], b[128], ro[128];
	int file, pfd[2];

	for (int i = 0; i < N; i++)
		mk_var(&f[i], &self->env, 5 * i + 2);
	path_in(a, sizeof(a), self->dir, "a.pcap");
	path_in(b, sizeof(b), self->dir, "b.pcap");
	path_in(ro, sizeof(ro), self->dir, "ro.pcap");
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	file = file_with(a, 0, O_WRONLY);
	ASSERT_LE(0, file);
	ASSERT_EQ(0, set_fd(self->fd, file, 0)) TH_LOG("%s", strerror(errno));
	close(file);
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, 4));
	ASSERT_EQ(0, wait_packets(self->fd, 4, 10000, &ds));

	file = file_with(ro, 0, O_RDONLY);
	ASSERT_LE(0, file);
	errno = 0;
	EXPECT_EQ(-1, set_fd(self->fd, file, 0));
	EXPECT_EQ(EBADF, errno);
	close(file);
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	errno = 0;
	EXPECT_EQ(-1, set_fd(self->fd, pfd[1], 0));
	EXPECT_EQ(EINVAL, errno);
	close(pfd[0]);
	close(pfd[1]);
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(1U, ds.active);
	EXPECT_EQ(4ULL, ds.packets);
	EXPECT_EQ(0U, ds.ended);

	ASSERT_EQ(0, send_frames(self->env.tx_b, f + 4, 4));
	ASSERT_EQ(0, wait_packets(self->fd, 8, 10000, &ds));

	file = file_with(b, 50, O_WRONLY);
	ASSERT_LE(0, file);
	ASSERT_EQ(0, set_fd(self->fd, file, 0)) TH_LOG("%s", strerror(errno));
	close(file);
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(0ULL, ds.packets);
	EXPECT_EQ((uint64_t)PCAP_HDR, ds.bytes);
	ASSERT_EQ(0, send_frames(self->env.tx_b, f + 8, 3));
	ASSERT_EQ(0, wait_packets(self->fd, 3, 10000, &ds));
	close(self->fd);
	self->fd = -1;

	ASSERT_EQ(0, pcap_load(a, &p)) TH_LOG("%s", p.err);
	ASSERT_EQ(8, p.n);
	for (int i = 0; i < 8; i++) {
		EXPECT_TRUE(prec_is(&p.r[i], &f[i], SNAP_MAX))
			TH_LOG("a: record %d", i);
	}
	pcap_free(&p);
	ASSERT_EQ(0, pcap_load(b, &p)) TH_LOG("%s", p.err);
	ASSERT_EQ(3, p.n);
	for (int i = 0; i < 3; i++) {
		EXPECT_TRUE(prec_is(&p.r[i], &f[8 + i], SNAP_MAX))
			TH_LOG("b: record %d", i);
	}
	pcap_free(&p);
}

static volatile sig_atomic_t xfsz_seen;

static void on_xfsz(int sig)
{
	(void)sig;
	xfsz_seen++;
}

/*
 * RLIMIT_FSIZE as it was at BIOCSETDUMPFD bounds the dump as a byte limit
 * does: whole records up to it, then the dump ends with -EFBIG; raising
 * the limit afterwards changes nothing, and no SIGXFSZ reaches anyone.
 */
TEST_F_TIMEOUT(dump, dumpfd_rlimit_fsize_efbig, 60)
{
	enum { N = 8, LEN = 100 };
	struct sigaction sa = { .sa_handler = on_xfsz };
	struct rlimit old, lim;
	struct npf_dump_stats ds;
	struct frame f[N];
	struct pcapf p;
	char path[128];
	uint64_t limit = PCAP_HDR + 3 * (PCAP_RECHDR + LEN) + 50;
	int file, ret, err;

	for (int i = 0; i < N; i++) {
		ASSERT_EQ((uint32_t)LEN, mk_udp4(&f[i], self->env.mac_a,
						 self->env.mac_b, "10.0.0.2",
						 "10.0.0.1", 9, 9, LEN, i));
	}
	ASSERT_EQ(0, sigaction(SIGXFSZ, &sa, NULL));
	path_in(path, sizeof(path), self->dir, "fsize.pcap");
	file = file_with(path, 0, O_WRONLY);
	ASSERT_LE(0, file);
	ASSERT_EQ(0, getrlimit(RLIMIT_FSIZE, &old));
	lim = old;
	lim.rlim_cur = limit;
	ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &lim));
	ret = set_fd(self->fd, file, 0);
	err = errno;
	ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &old));
	close(file);
	ASSERT_EQ(0, ret) TH_LOG("BIOCSETDUMPFD: %s", strerror(err));

	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, N));
	ASSERT_EQ(0, wait_ended(self->fd, 10000, &ds))
		TH_LOG("not ended: %llu records, %llu bytes, error %d",
		       (unsigned long long)ds.packets,
		       (unsigned long long)ds.bytes, ds.error);
	EXPECT_EQ(-EFBIG, ds.error);
	EXPECT_EQ(3ULL, ds.packets);
	EXPECT_EQ((uint64_t)(PCAP_HDR + 3 * (PCAP_RECHDR + LEN)), ds.bytes);
	EXPECT_EQ(1, is_ended(self->fd));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, xfsz_seen);
	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	ASSERT_EQ(3, p.n);
	for (int i = 0; i < 3; i++)
		EXPECT_TRUE(prec_is(&p.r[i], &f[i], SNAP_MAX));
	pcap_free(&p);
}

/* BIOCSETIF while a dump file is open: EBUSY; once closed, allowed. */
TEST_F_TIMEOUT(dump, setif_ebusy_while_dumping, 60)
{
	struct npf_dump_stats ds;
	struct frame f[3];
	struct pcapf p;
	char path[128];

	path_in(path, sizeof(path), self->dir, "busy.pcap");
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, set_file(self->fd, path, 0));
	errno = 0;
	EXPECT_NE(0, npf_bind(self->fd, IF_B));
	EXPECT_EQ(EBUSY, errno);
	errno = 0;
	EXPECT_NE(0, npf_bind(self->fd, IF_A));
	EXPECT_EQ(EBUSY, errno);
	/* still dumping from IF_A */
	for (int i = 0; i < 3; i++)
		mk_var(&f[i], &self->env, i);
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, 3));
	ASSERT_EQ(0, wait_packets(self->fd, 3, 10000, &ds));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_CAPT));
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(0U, ds.active);
	EXPECT_EQ(0, npf_bind(self->fd, IF_B)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	EXPECT_EQ(3, p.n);
	pcap_free(&p);
}

/* ---- modes ----------------------------------------------------------------- */

#define EXPECT_STATDUMP_LAYOUT(r)					\
	do {								\
		EXPECT_EQ(24U, (r).stat.hdr.bh_caplen);			\
		EXPECT_EQ(24U, (r).stat.hdr.bh_datalen);		\
		EXPECT_EQ(32U, (r).stat.hdr.bh_hdrlen);			\
		EXPECT_EQ(0U, (r).stat.hdr.bh_pad0);			\
		EXPECT_EQ(0U, (r).stat.hdr.bh_pad1);			\
		EXPECT_EQ(0U, (r).stat.hdr.bh_tstamp.tv_pad);		\
	} while (0)

/*
 * DUMP -> STAT|DUMP keeps the file (and counts); DUMP -> CAPT finishes and
 * closes it with every record complete.
 */
TEST_F_TIMEOUT(dump, mode_switch_keeps_or_closes_file, 60)
{
	enum { N = 11 };
	struct npf_stat_dump_record r;
	struct frame f[N];
	struct npf_dump_stats ds;
	struct pcapf p;
	char path[128];
	uint64_t bytes = 0;
	size_t size;

	for (int i = 0; i < N; i++)
		mk_var(&f[i], &self->env, 7 * i);
	path_in(path, sizeof(path), self->dir, "switch.pcap");
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, set_file(self->fd, path, 0));
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, 5));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 5, 10000));

	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT | NPF_MODE_DUMP));
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(1U, ds.active);
	EXPECT_EQ(5ULL, ds.packets) TH_LOG("the switch writes what is buffered");
	ASSERT_EQ(0, send_frames(self->env.tx_b, f + 5, 6));
	for (int i = 5; i < N; i++)
		bytes += f[i].len;
	ASSERT_EQ(0, wait_packets(self->fd, N, 10000, &ds));
	ASSERT_EQ(STATDUMPREC, read(self->fd, self->buf, BIG))
		TH_LOG("%s", strerror(errno));
	memcpy(&r, self->buf, sizeof(r));
	EXPECT_STATDUMP_LAYOUT(r);
	EXPECT_EQ(6ULL, r.stat.packets);
	EXPECT_EQ(bytes, r.stat.bytes);
	EXPECT_EQ((uint64_t)file_size(path), r.dump_bytes);
	EXPECT_EQ(ds.bytes, r.dump_bytes);

	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_CAPT));
	ASSERT_EQ(0, get_dstats(self->fd, &ds));
	EXPECT_EQ(0U, ds.active);
	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	ASSERT_EQ(N, p.n);
	for (int i = 0; i < N; i++) {
		EXPECT_TRUE(prec_is(&p.r[i], &f[i], SNAP_MAX))
			TH_LOG("record %d", i);
	}
	size = p.size;
	pcap_free(&p);
	/* capturing again, to the ring */
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, 1));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 1, 10000));
	EXPECT_LT(0, read(self->fd, self->buf, BIG));
	EXPECT_EQ((long long)size, file_size(path));
}

/*
 * MODE_STAT|MODE_DUMP: one 56-byte record per interval (caplen 24) with
 * the packets and bytes accepted and the file's size; a 48-byte buffer is
 * too small.
 */
TEST_F_TIMEOUT(dump, stat_dump_record, 60)
{
	enum { N = 9 };
	struct npf_stat_dump_record r;
	struct frame f[N];
	struct npf_dump_stats ds;
	char path[128];
	uint64_t bytes = 0;
	int64_t t0, t;

	for (int i = 0; i < N; i++) {
		mk_var(&f[i], &self->env, 11 * i);
		bytes += f[i].len;
	}
	path_in(path, sizeof(path), self->dir, "statdump.pcap");
	ASSERT_EQ(0, npf_set_timeout(self->fd, 800));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_STAT | NPF_MODE_DUMP));
	t0 = now_ms();		/* after the interval started */
	ASSERT_EQ(0, set_file(self->fd, path, 0));
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, N));
	ASSERT_EQ(0, wait_packets(self->fd, N, 10000, &ds));
	while (now_ms() - t0 <= 900)
		sleep_ms(20);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->buf, sizeof(struct npf_stat_record)));
	EXPECT_EQ(EMSGSIZE, errno);
	t = now_ms();
	ASSERT_EQ(STATDUMPREC, read(self->fd, self->buf, BIG))
		TH_LOG("%s", strerror(errno));
	EXPECT_GT(600, now_ms() - t);
	memcpy(&r, self->buf, sizeof(r));
	EXPECT_STATDUMP_LAYOUT(r);
	EXPECT_EQ((uint64_t)N, r.stat.packets);
	EXPECT_EQ(bytes, r.stat.bytes);
	EXPECT_EQ(PCAP_HDR + N * PCAP_RECHDR + bytes, r.dump_bytes);
	EXPECT_EQ((uint64_t)file_size(path), r.dump_bytes);
	/* the next interval: nothing, file unchanged */
	ASSERT_EQ(STATDUMPREC, read(self->fd, self->buf, BIG));
	memcpy(&r, self->buf, sizeof(r));
	EXPECT_EQ(0ULL, r.stat.packets);
	EXPECT_EQ(0ULL, r.stat.bytes);
	EXPECT_EQ((uint64_t)file_size(path), r.dump_bytes);
}

/*
 * Pure MODE_DUMP: read() carries no data; it waits for the read timeout
 * while the dump goes on, then returns 0.
 */
TEST_F_TIMEOUT(dump, read_waits_and_returns_zero, 60)
{
	char path[128];
	int64_t t;

	path_in(path, sizeof(path), self->dir, "rd.pcap");
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, set_file(self->fd, path, 0));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 400));
	t = now_ms();
	EXPECT_EQ(0, read(self->fd, self->buf, BIG));
	t = now_ms() - t;
	EXPECT_LE(400 - 12, t);
	EXPECT_GT(400 + 2000, t);
}

/*
 * A ring too small for the worker to keep up: what does not fit is counted
 * in bs_drop, and the file holds exactly the bs_capt records stored, in
 * order.
 */
TEST_F_TIMEOUT(dump, small_ring_drops_counted, 120)
{
	enum { N = 300 };
	struct frame *f = calloc(N, sizeof(*f));
	struct npf_stats st;
	struct pcapf p;
	char path[128];
	int j = 0;

	ASSERT_NE(NULL, f);
	path_in(path, sizeof(path), self->dir, "drops.pcap");
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 4096));
	ASSERT_EQ(0, set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, set_file(self->fd, path, 0));
	for (int i = 0; i < N; i++)
		mk_udp4(&f[i], self->env.mac_a, self->env.mac_b, "10.0.0.2",
			"10.0.0.1", 9, 9, MAX_FRAME, i);
	ASSERT_EQ(0, send_frames(self->env.tx_b, f, N));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, N, 20000));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)N, st.bs_recv);
	EXPECT_EQ((uint64_t)N, st.bs_capt + st.bs_drop);
	TH_LOG("ring of 4096: %llu stored, %llu dropped",
	       (unsigned long long)st.bs_capt, (unsigned long long)st.bs_drop);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pcap_load(path, &p)) TH_LOG("%s", p.err);
	EXPECT_EQ(st.bs_capt, (uint64_t)p.n);
	/* a subsequence of what was sent, in order */
	for (int i = 0; i < p.n; i++) {
		while (j < N && !prec_is(&p.r[i], &f[j], SNAP_MAX))
			j++;
		EXPECT_GT(N, j) TH_LOG("record %d is no frame after the previous one", i);
		j++;
	}
	pcap_free(&p);
	free(f);
}

TEST_HARNESS_MAIN
