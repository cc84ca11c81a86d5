// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input: who may open and what an fd carries, network namespace
 * isolation, invalid filters of every kind, absurd sizes, tiny read
 * buffers in every mode, bad write lengths, mode changes in every state
 * (unbound, bound, dumping, adapter gone) and dump paths that fail. Every
 * expectation is a sentence of uapi/linux/npf.h or SECURITY.md.
 */
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <net/if.h>
#include <linux/if_tun.h>

#include "hostile_util.h"
#include "harness.h"

#define BIG	(1 << 20)
#define LATE	3000
#define PARAM	"/sys/module/npf/parameters/max_buffer_size"

FIXTURE(hos) {
	struct npf_env env;
	int fd;			/* opened, not bound */
	struct badmem bm;
	uint8_t *buf;
	struct reclist l;
	struct reader rd;
	char dir[64];		/* scratch directory, removed afterwards */
	mode_t devmode;
	bool devmode_changed;
	char param[32];		/* max_buffer_size to restore, or "" */
	pid_t child;		/* killed in teardown */
};

/* "ret #77": lives on the read-only page (filters may come from there). */
static const struct sock_filter ret77[] = { { BPF_RET | BPF_K, 0, 0, 77 } };

FIXTURE_SETUP(hos)
{
	struct npf_oid_data q = { OID_GEN_CURRENT_PACKET_FILTER, 4 };
	uint8_t ro[128];

	NPF_ONLY_OR_SKIP();
	reclist_init(&self->l);
	self->fd = -1;
	self->child = 0;
	self->param[0] = 0;
	self->buf = malloc(BIG);
	ASSERT_NE(NULL, self->buf);
	/* the read-only page: ret #77 at 0, a packet filter query at 64 */
	memset(ro, 0, sizeof(ro));
	memcpy(ro, ret77, sizeof(ret77));
	memcpy(ro + 64, &q, sizeof(q));
	ASSERT_EQ(0, badmem_init(&self->bm, ro, sizeof(ro)))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
	snprintf(self->dir, sizeof(self->dir), "/tmp/npf-hostile-%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755)) TH_LOG("mkdir %s: %s", self->dir,
						    strerror(errno));
}

FIXTURE_TEARDOWN(hos)
{
	reader_stop(&self->rd);
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->fd >= 0)
		close(self->fd);
	if (self->devmode_changed)
		chmod(NPF_DEV, self->devmode);
	if (self->param[0])
		file_write_str(PARAM, self->param);
	sh("umount -R %s/mnt; rm -rf %s", self->dir, self->dir);
	reclist_free(&self->l);
	free(self->buf);
	badmem_free(&self->bm);
	env_teardown(&self->env);
}

/* A UDP frame from B to A (received on A). */
static void mkf(struct frame *f, const struct npf_env *e, uint32_t len,
		uint32_t seq)
{
	mk_udp4(f, e->mac_a, e->mac_b, "10.0.0.2", "10.0.0.1", 1000, 2000,
		len, seq);
}

/* A UDP frame from A to B (what A transmits). */
static void mkf_out(struct frame *f, const struct npf_env *e, uint32_t len,
		    uint32_t seq)
{
	mk_udp4(f, e->mac_b, e->mac_a, "10.0.0.1", "10.0.0.2", 2000, 1000,
		len, seq);
}

/* Send n frames of len bytes into A and wait until fd accounted them. */
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

static void chmod_dev(struct __test_metadata *_metadata,
		      FIXTURE_DATA(hos) *self, mode_t mode)
{
	struct stat st;

	ASSERT_EQ(0, stat(NPF_DEV, &st));
	if (!self->devmode_changed) {
		self->devmode = st.st_mode & 07777;
		self->devmode_changed = true;
	}
	ASSERT_EQ(0, chmod(NPF_DEV, mode));
}

/* ======================================================================
 * Who may open, and what an fd carries
 * ====================================================================== */

static int nobody_opens(void *arg)
{
	static const int flags[] = { O_RDWR, O_RDONLY, O_WRONLY,
				     O_RDWR | O_NONBLOCK };

	(void)arg;
	if (become_nobody(0))
		return 250;
	for (int i = 0; i < 4; i++) {
		int fd = open(NPF_DEV, flags[i]);

		if (fd >= 0)
			return 10 + i;	/* opened: a hole */
		if (errno != EPERM)
			return 20 + i;	/* denied, but not by the capability */
	}
	return 0;
}

/* A world-writable /dev/npf lets the DAC check through: the kernel's
 * CAP_NET_RAW check still refuses an unprivileged user. */
TEST_F(hos, perm_nobody_on_world_writable_node_eperm)
{
	int r;

	chmod_dev(_metadata, self, 0666);
	r = in_child(nobody_opens, NULL);
	EXPECT_EQ(0, r) TH_LOG("uid %d, no capabilities, node 0666: %s", NOBODY,
			      r >= 20 && r < 30 ? "denied with another errno than EPERM" :
			      r >= 10 && r < 20 ? "OPENED /dev/npf" : "setup failed");
}

struct capctx {
	struct npf_env *env;
	int fd;
	int sock;
	const char *path;
};

/* uid 65534 with CAP_NET_RAW only: opens, binds, sends, captures and may
 * hold promiscuous mode (as an AF_PACKET socket may). */
static int capped_user_captures(void *arg)
{
	struct capctx *c = arg;
	struct frame f;
	struct reclist l;
	struct {
		struct npf_oid_data h;
		uint32_t v;
	} oid = { { OID_GEN_CURRENT_PACKET_FILTER, 4 },
		  NDIS_PACKET_TYPE_PROMISCUOUS };
	int fd;

	if (become_nobody(CAPBIT(CAP_NET_RAW)))
		return 250;
	fd = npf_open(0);
	if (fd < 0)
		return 1;
	if (npf_bind(fd, IF_A) || npf_set_timeout(fd, -1))
		return 2;
	mkf_out(&f, c->env, 120, 7);
	if (write(fd, f.b, f.len) != (ssize_t)f.len)
		return 3;
	reclist_init(&l);
	if (collect(fd, &l, 1, 5000, BIG) != 1 || !rec_matches(&l.r[0], &f))
		return 4;
	if (ioctl(fd, BIOCSETOID, &oid))
		return 5;
	if (!(link_flags_sysfs(IF_A) & IFF_PROMISC))
		return 6;
	close(fd);
	return 0;
}

TEST_F(hos, perm_uid_with_cap_net_raw_only_captures)
{
	struct capctx c = { .env = &self->env };
	int r;

	chmod_dev(_metadata, self, 0666);
	r = in_child(capped_user_captures, &c);
	EXPECT_EQ(0, r) TH_LOG("uid %d with CAP_NET_RAW: step %d failed", NOBODY,
			      r);
	/* the child's close gave the promiscuity back */
	EXPECT_EQ(0U, link_flags_sysfs(IF_A) & IFF_PROMISC);
}

/*
 * An fd opened by root and handed to an unprivileged process keeps its
 * power, as a socket does: that process can bind (in the opener's
 * namespace), filter, read, send and hold promiscuity, though it could
 * not open /dev/npf itself.
 */
static int nobody_uses_passed_fd(void *arg)
{
	struct capctx *c = arg;
	struct frame f;
	struct reclist l;
	struct {
		struct npf_oid_data h;
		uint32_t v;
	} oid = { { OID_GEN_CURRENT_PACKET_FILTER, 4 },
		  NDIS_PACKET_TYPE_PROMISCUOUS };
	int fd;

	if (become_nobody(0))
		return 250;
	/* the node's mode (0600) or the capability check keeps it out */
	fd = open(NPF_DEV, O_RDWR);
	if (fd >= 0 || (errno != EPERM && errno != EACCES))
		return 1;
	fd = recv_fd(c->sock);
	if (fd < 0)
		return 2;
	if (npf_bind(fd, IF_B) || npf_bind(fd, IF_A))
		return 3;
	if (npf_set_filter(fd, NULL, 0) || npf_set_timeout(fd, -1) ||
	    npf_set_bufsize(fd, 65536))
		return 4;
	mkf_out(&f, c->env, 200, 9);
	if (write(fd, f.b, f.len) != (ssize_t)f.len)
		return 5;
	reclist_init(&l);
	if (collect(fd, &l, 1, 5000, BIG) != 1 || !rec_matches(&l.r[0], &f))
		return 6;
	if (ioctl(fd, BIOCSETOID, &oid))
		return 7;
	close(fd);
	return 0;
}

TEST_F(hos, perm_fd_passed_to_nobody_keeps_its_power)
{
	struct capctx c = { .env = &self->env };
	int sv[2], r;
	pid_t pid;
	int st;

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	c.sock = sv[1];
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sv[0]);
		close(self->fd);
		_exit(nobody_uses_passed_fd(&c));
	}
	close(sv[1]);
	ASSERT_EQ(0, send_fd(sv[0], self->fd)) TH_LOG("%s", npf_err);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	r = WIFEXITED(st) ? WEXITSTATUS(st) : 256;
	EXPECT_EQ(0, r) TH_LOG("uid %d with a passed fd: step %d failed", NOBODY,
			      r);
	close(sv[0]);
	/* the open (ours now) still holds the promiscuity it took; close
	 * gives it back */
	EXPECT_NE(0U, link_flags_sysfs(IF_A) & IFF_PROMISC);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0U, link_flags_sysfs(IF_A) & IFF_PROMISC);
}

/* The dump file is opened with the credentials of the caller of
 * BIOCSETDUMPFILENAME, relative to its working directory. */
static int nobody_sets_dump_files(void *arg)
{
	struct capctx *c = arg;
	char p[128];

	if (become_nobody(0))
		return 250;
	snprintf(p, sizeof(p), "%s/private/x.pcap", c->path);
	if (!npf_dump_file(c->fd, p, 0) || errno != EACCES)
		return 1;
	snprintf(p, sizeof(p), "%s/pub/root.pcap", c->path);
	if (!npf_dump_file(c->fd, p, 0) || errno != EACCES)
		return 2;
	snprintf(p, sizeof(p), "%s/pub", c->path);
	if (chdir(p))
		return 3;
	if (npf_dump_file(c->fd, "rel.pcap", 0))
		return 4;
	return 0;
}

TEST_F(hos, perm_dump_file_opened_with_callers_credentials)
{
	struct capctx c = { .env = &self->env, .path = self->dir };
	struct pcap_check pc;
	struct stat st;
	char p[128];
	int r, fd;

	snprintf(p, sizeof(p), "%s/private", self->dir);
	ASSERT_EQ(0, mkdir(p, 0700));
	snprintf(p, sizeof(p), "%s/pub", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));
	ASSERT_EQ(0, chmod(p, 01777));
	snprintf(p, sizeof(p), "%s/pub/root.pcap", self->dir);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	c.fd = self->fd;
	r = in_child(nobody_sets_dump_files, &c);
	ASSERT_EQ(0, r) TH_LOG("step %d failed", r);
	snprintf(p, sizeof(p), "%s/pub/rel.pcap", self->dir);
	ASSERT_EQ(0, stat(p, &st)) TH_LOG("%s not created: %s", p,
					  strerror(errno));
	EXPECT_EQ((uid_t)NOBODY, st.st_uid);
	snprintf(p, sizeof(p), "%s/pub/root.pcap", self->dir);
	ASSERT_EQ(0, stat(p, &st));
	EXPECT_EQ(0, st.st_size) TH_LOG("root's file was truncated/written");
	/* the file nobody set up is the open's dump file: it gets frames */
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_DUMP)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, feed(&self->env, self->fd, 3, 100, 0)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_CAPT));
	snprintf(p, sizeof(p), "%s/pub/rel.pcap", self->dir);
	ASSERT_EQ(0, pcap_check_file(p, &pc, NULL, NULL)) TH_LOG("%s", npf_err);
	EXPECT_EQ(3ULL, pc.packets);
}

/* ======================================================================
 * Network namespaces
 * ====================================================================== */

static int open_in_new_netns(void *arg)
{
	int sock = *(int *)arg, fd;

	if (unshare(CLONE_NEWNET))
		return 1;
	fd = npf_open(0);
	if (fd < 0)
		return 2;
	return send_fd(sock, fd) ? 3 : 0;
}

static int count_opens(void)
{
	struct nl_open o[64];

	return genl_npf_opens(o, 64);
}

/*
 * An fd opened in namespace B and passed into A looks adapters up in B:
 * A's adapters are out of its reach, B's loopback (B kept alive by the
 * open, though no process is left in it) is what it binds, and it sees
 * nothing of A's traffic. The netlink family in A does not list it.
 */
TEST_F_TIMEOUT(hos, netns_foreign_open_cannot_reach_our_adapters, 60)
{
	struct npf_stats st;
	struct frame f;
	int sv[2], fdb, fda, n0, n1, r;

	n0 = count_opens();
	ASSERT_LE(0, n0) TH_LOG("genl: %s", strerror(-n0));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	r = in_child(open_in_new_netns, &sv[1]);
	ASSERT_EQ(0, r) TH_LOG("child step %d: %s", r, npf_err);
	fdb = recv_fd(sv[0]);
	ASSERT_LE(0, fdb) TH_LOG("%s", npf_err);
	close(sv[0]);
	close(sv[1]);
	n1 = count_opens();
	EXPECT_EQ(n0, n1) TH_LOG("an open of another namespace is listed here");

	EXPECT_ERRNO(ENODEV, npf_bind(fdb, IF_A));
	EXPECT_ERRNO(ENODEV, npf_bind(fdb, IF_B));
	ASSERT_EQ(0, npf_bind(fdb, "lo")) TH_LOG("B's lo: %s", npf_err);
	/* B's lo is down: nothing can be sent there */
	mk_raw(&f, mac_bcast, self->env.mac_a, 0x88b5, 60, 1);
	EXPECT_ERRNO(ENETDOWN, write(fdb, f.b, f.len));

	/* A's lo, with an open of A on it */
	ASSERT_EQ(0, link_set_up("lo", true)) TH_LOG("%s", npf_err);
	fda = npf_open(0);
	ASSERT_LE(0, fda);
	ASSERT_EQ(0, npf_bind(fda, "lo"));
	ASSERT_EQ(f.len, write(fda, f.b, f.len)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, npf_wait_recv(fda, 1, 5000)) TH_LOG("%s", npf_err);
	sleep_ms(100);
	ASSERT_EQ(0, npf_stats(fdb, &st));
	EXPECT_EQ(0ULL, st.bs_recv) TH_LOG("B's open saw A's loopback traffic");
	close(fda);
	/* the last reference to namespace B goes */
	close(fdb);
}

struct userns_ctx {
	int step;
};

static int userns_nobody_open(void *arg)
{
	int fd;

	(void)arg;
	if (become_nobody(0))
		return 250;
	fd = open(NPF_DEV, O_RDWR);
	if (fd >= 0 || errno != EPERM)
		return 1;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return 251;
	if (file_write_str("/proc/self/setgroups", "deny") ||
	    file_write_str("/proc/self/uid_map", "0 65534 1") ||
	    file_write_str("/proc/self/gid_map", "0 65534 1"))
		return 252;
	/* root of a user namespace that owns this network namespace */
	fd = open(NPF_DEV, O_RDWR);
	if (fd < 0)
		return errno == EACCES ? 2 : 3;
	if (npf_bind(fd, IF_A) == 0 || errno != ENODEV)
		return 4;
	if (npf_bind(fd, "lo"))
		return 5;
	/* the module parameter is not its to change */
	if (!file_write_str(PARAM, "4096"))
		return 6;
	close(fd);
	return 0;
}

static int userns_nobody_open_dac(void *arg)
{
	int fd;

	(void)arg;
	if (become_nobody(0))
		return 250;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return 251;
	if (file_write_str("/proc/self/setgroups", "deny") ||
	    file_write_str("/proc/self/uid_map", "0 65534 1"))
		return 252;
	fd = open(NPF_DEV, O_RDWR);
	if (fd >= 0)
		return 1;
	return errno == EACCES ? 0 : 2;
}

/*
 * An unprivileged user may create a user and network namespace of its
 * own and is then root there: CAP_NET_RAW in the user namespace owning its
 * network namespace. If the node's mode lets it in, it opens /dev/npf, as
 * it could open an AF_PACKET socket, but reaches only its own namespace's
 * adapters. With the default mode 0600 the node keeps it out.
 */
TEST_F(hos, netns_unprivileged_userns_reaches_only_its_own_netns)
{
	int r;

	chmod_dev(_metadata, self, 0666);
	r = in_child(userns_nobody_open, NULL);
	if (r == 251)
		SKIP(return, "unprivileged user namespaces are disabled here");
	EXPECT_EQ(0, r) TH_LOG("step %d failed (2: EACCES, 3: other error on open)",
			      r);
	ASSERT_EQ(0, chmod(NPF_DEV, 0600));
	r = in_child(userns_nobody_open_dac, NULL);
	EXPECT_EQ(0, r) TH_LOG("node 0600: step %d failed (1: opened!)", r);
}

static int sleep_in_new_netns(void *arg)
{
	int p = *(int *)arg;

	if (unshare(CLONE_NEWNET))
		return 1;
	if (write(p, "r", 1) != 1)
		return 2;
	pause();
	return 0;
}

/*
 * The adapter is moved to another namespace: its opens detach as if it
 * had been deleted. A blocked reader wakes, drains, gets ENODEV; the name
 * no longer resolves in the opener's namespace; a dump keeps what it had.
 */
TEST_F_TIMEOUT(hos, netns_adapter_moved_away_detaches_enodev, 60)
{
	struct pcap_check pc;
	struct pollfd p = { .events = POLLIN };
	struct frame f;
	struct nl_open o[16];
	char path[128], c;
	int pfd[2], fd2, n, c1;
	uint32_t dlt;

	ASSERT_EQ(0, pipe(pfd));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0)
		_exit(sleep_in_new_netns(&pfd[1]));
	ASSERT_EQ(1, read(pfd[0], &c, 1));

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	fd2 = npf_open(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, npf_bind(fd2, IF_A));
	snprintf(path, sizeof(path), "%s/moved.pcap", self->dir);
	ASSERT_EQ(0, npf_dump_file(fd2, path, 0)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_mode(fd2, NPF_MODE_DUMP));
	ASSERT_EQ(0, feed(&self->env, self->fd, 2, 150, 0)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(fd2, 2, 5000)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, reader_start(&self->rd, self->fd)) TH_LOG("%s", npf_err);
	EXPECT_FALSE(reader_wait(&self->rd, 300));

	ASSERT_EQ(0, link_move_to_pid(IF_A, self->child)) TH_LOG("%s", npf_err);
	ASSERT_TRUE(reader_wait(&self->rd, LATE))
		TH_LOG("blocked reader not woken when the adapter left");
	c1 = self->rd.ret > 0 ?
		parse_records(self->rd.buf, self->rd.ret, &self->l, false) : -1;
	EXPECT_EQ(2, c1) TH_LOG("read after the move: %zd (%s)", self->rd.ret,
				strerror(self->rd.err));
	EXPECT_ERRNO(ENODEV, read(self->fd, self->buf, BIG));
	EXPECT_ERRNO(ENODEV, ioctl(self->fd, BIOCGDLT, &dlt));
	mkf_out(&f, &self->env, 100, 0);
	EXPECT_ERRNO(ENODEV, write(self->fd, f.b, f.len));
	p.fd = self->fd;
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLHUP) TH_LOG("revents %#x", p.revents);
	/* the adapter is not in the opener's namespace any more */
	EXPECT_ERRNO(ENODEV, npf_bind(self->fd, IF_A));
	n = genl_npf_opens(o, 16);
	ASSERT_LE(2, n);
	for (int i = 0; i < n && i < 16; i++) {
		EXPECT_TRUE(o[i].gone) TH_LOG("open %llu not marked gone",
					      (unsigned long long)o[i].id);
		EXPECT_FALSE(o[i].has_if);
	}
	/* the dump has both frames, whole */
	close(fd2);
	ASSERT_EQ(0, pcap_check_file(path, &pc, NULL, NULL)) TH_LOG("%s", npf_err);
	EXPECT_EQ(2ULL, pc.packets);
	/* and the open can bind again */
	EXPECT_EQ(0, npf_bind(self->fd, IF_B)) TH_LOG("%s", npf_err);
}

static int genl_as_nobody(void *arg)
{
	struct genl_info_ans info;
	struct nl_open o[4];
	uint64_t keep = *(uint64_t *)arg;
	int r;

	if (become_nobody(keep))
		return 250;
	if (genl_npf_info(&info) || !info.have_opens)
		return 1;
	r = genl_npf_opens(o, 4);
	if (keep & CAPBIT(CAP_NET_ADMIN))
		return r >= 1 ? 0 : 2;
	return r == -EPERM ? 0 : 3;
}

static int genl_root_without_net_admin(void *arg)
{
	struct nl_open o[4];
	long long last = file_read_ll("/proc/sys/kernel/cap_last_cap");

	(void)arg;
	if (last < 0)
		last = CAP_LAST_CAP;
	/* every capability but CAP_NET_ADMIN */
	if (caps_set(((1ULL << (last + 1)) - 1) & ~CAPBIT(CAP_NET_ADMIN)))
		return 250;
	return genl_npf_opens(o, 4) == -EPERM ? 0 : 1;
}

static int genl_in_new_netns(void *arg)
{
	struct genl_info_ans info;
	struct nl_open o[4];

	(void)arg;
	if (unshare(CLONE_NEWNET))
		return 250;
	if (genl_npf_info(&info) || info.opens != 0)
		return 1;
	return genl_npf_opens(o, 4) == 0 ? 0 : 2;
}

/* The family is read-only; listing opens needs CAP_NET_ADMIN in the
 * namespace and shows that namespace's opens only. */
TEST_F(hos, netlink_opens_need_cap_net_admin_and_stay_in_netns)
{
	struct genl_info_ans info;
	struct nl_open o[8];
	uint64_t keep;
	int fd2, n, r;

	fd2 = npf_open(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, npf_bind(fd2, IF_A));
	ASSERT_EQ(0, genl_npf_info(&info)) TH_LOG("%s", npf_err);
	EXPECT_EQ(2U, info.opens);
	n = genl_npf_opens(o, 8);
	ASSERT_EQ(2, n) TH_LOG("%d", n);
	for (int i = 0; i < n; i++) {
		EXPECT_EQ((uint32_t)getpid(), o[i].pid);
	}
	EXPECT_TRUE(o[0].has_if || o[1].has_if);

	keep = 0;
	r = in_child(genl_as_nobody, &keep);
	EXPECT_EQ(0, r) TH_LOG("uid %d without capabilities: step %d", NOBODY, r);
	keep = CAPBIT(CAP_NET_ADMIN);
	r = in_child(genl_as_nobody, &keep);
	EXPECT_EQ(0, r) TH_LOG("uid %d with CAP_NET_ADMIN: step %d", NOBODY, r);
	r = in_child(genl_root_without_net_admin, NULL);
	EXPECT_EQ(0, r) TH_LOG("root without CAP_NET_ADMIN could list opens");
	r = in_child(genl_in_new_netns, NULL);
	EXPECT_EQ(0, r) TH_LOG("another namespace sees our opens (step %d)", r);
	close(fd2);
}

/*
 * One request of @cmd to the family, with @attr (an attribute type, or -1
 * for none) carrying a string, the genetlink header's reserved field set
 * to @reserved, as a dump if @dump: what the kernel answered, 0 or -errno.
 */
static int genl_strict_try(int cmd, int attr, uint16_t reserved, bool dump)
{
	struct genl_req r;
	int id = 0, ret, s = genl_open(&id);

	if (s < 0)
		return s;
	memset(&r, 0, sizeof(r));
	r.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r.n.nlmsg_type = id;
	r.n.nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0);
	r.g.cmd = cmd;
	r.g.version = NPF_GENL_VERSION;
	r.g.reserved = reserved;
	if (attr >= 0)
		genl_put_str(&r, attr, "x");
	ret = genl_talk(s, &r, r.n.nlmsg_len) ? -EIO :
	      genl_recv(s, NULL, NULL, dump);
	close(s);
	return ret;
}

/*
 * The family validates strictly: its requests carry no attributes, so
 * any attribute (known to the family, unknown, or beyond its maximum) and
 * a non-zero reserved header field are refused with EINVAL, for the doit
 * and the dump alike; the plain requests are answered.
 */
TEST_F(hos, netlink_validates_strictly)
{
	static const int attrs[] = { NPF_A_VERSION, NPF_A_OPEN_ID,
				     NPF_A_MAX, NPF_A_MAX + 1, 200 };

	EXPECT_EQ(0, genl_strict_try(NPF_CMD_GET_INFO, -1, 0, false));
	EXPECT_EQ(0, genl_strict_try(NPF_CMD_GET_OPEN, -1, 0, true));
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		EXPECT_EQ(-EINVAL, genl_strict_try(NPF_CMD_GET_INFO, attrs[i],
						   0, false))
			TH_LOG("GET_INFO with attribute %d", attrs[i]);
		EXPECT_EQ(-EINVAL, genl_strict_try(NPF_CMD_GET_OPEN, attrs[i],
						   0, true))
			TH_LOG("GET_OPEN dump with attribute %d", attrs[i]);
	}
	EXPECT_EQ(-EINVAL, genl_strict_try(NPF_CMD_GET_INFO, -1, 1, false));
	EXPECT_EQ(-EINVAL, genl_strict_try(NPF_CMD_GET_OPEN, -1, 1, true));
}

/* ======================================================================
 * Invalid filters
 * ====================================================================== */

static int setf_raw(int fd, uint32_t len, uint32_t pad, const void *insns)
{
	struct npf_program p = {
		.bf_len = len,
		.bf_pad = pad,
		.bf_insns = (uint64_t)(uintptr_t)insns,
	};

	return ioctl(fd, BIOCSETF, &p);
}

/* The cBPF opcodes the kernel's checker accepts (chk_code_allowed). */
static bool opcode_valid(unsigned int c)
{
	static const uint16_t ok[] = {
		BPF_ALU | BPF_ADD | BPF_K, BPF_ALU | BPF_ADD | BPF_X,
		BPF_ALU | BPF_SUB | BPF_K, BPF_ALU | BPF_SUB | BPF_X,
		BPF_ALU | BPF_MUL | BPF_K, BPF_ALU | BPF_MUL | BPF_X,
		BPF_ALU | BPF_DIV | BPF_K, BPF_ALU | BPF_DIV | BPF_X,
		BPF_ALU | BPF_MOD | BPF_K, BPF_ALU | BPF_MOD | BPF_X,
		BPF_ALU | BPF_AND | BPF_K, BPF_ALU | BPF_AND | BPF_X,
		BPF_ALU | BPF_OR | BPF_K, BPF_ALU | BPF_OR | BPF_X,
		BPF_ALU | BPF_XOR | BPF_K, BPF_ALU | BPF_XOR | BPF_X,
		BPF_ALU | BPF_LSH | BPF_K, BPF_ALU | BPF_LSH | BPF_X,
		BPF_ALU | BPF_RSH | BPF_K, BPF_ALU | BPF_RSH | BPF_X,
		BPF_ALU | BPF_NEG,
		BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_H | BPF_ABS,
		BPF_LD | BPF_B | BPF_ABS, BPF_LD | BPF_W | BPF_LEN,
		BPF_LD | BPF_W | BPF_IND, BPF_LD | BPF_H | BPF_IND,
		BPF_LD | BPF_B | BPF_IND, BPF_LD | BPF_IMM, BPF_LD | BPF_MEM,
		BPF_LDX | BPF_W | BPF_LEN, BPF_LDX | BPF_B | BPF_MSH,
		BPF_LDX | BPF_IMM, BPF_LDX | BPF_MEM,
		BPF_ST, BPF_STX, BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA,
		BPF_RET | BPF_K, BPF_RET | BPF_A,
		BPF_JMP | BPF_JA, BPF_JMP | BPF_JEQ | BPF_K,
		BPF_JMP | BPF_JEQ | BPF_X, BPF_JMP | BPF_JGE | BPF_K,
		BPF_JMP | BPF_JGE | BPF_X, BPF_JMP | BPF_JGT | BPF_K,
		BPF_JMP | BPF_JGT | BPF_X, BPF_JMP | BPF_JSET | BPF_K,
		BPF_JMP | BPF_JSET | BPF_X,
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ok[i] == c)
			return true;
	return false;
}

/* ST M[0]; STX M[1]; <code>; ret #1 -- with operands that are valid for
 * a valid code. */
static void probe_prog(struct sock_filter p[4], unsigned int code)
{
	uint32_t k = 0;

	if (code == (BPF_ALU | BPF_DIV | BPF_K) ||
	    code == (BPF_ALU | BPF_MOD | BPF_K) ||
	    code == (BPF_ALU | BPF_LSH | BPF_K) ||
	    code == (BPF_ALU | BPF_RSH | BPF_K))
		k = 1;
	p[0] = (struct sock_filter){ BPF_ST, 0, 0, 0 };
	p[1] = (struct sock_filter){ BPF_STX, 0, 0, 1 };
	p[2] = (struct sock_filter){ (uint16_t)code, 0, 0, k };
	p[3] = (struct sock_filter){ BPF_RET | BPF_K, 0, 0, 1 };
}

/* Frame in, record out: the filter in force keeps `snap` bytes. */
static void expect_snap(struct __test_metadata *_metadata,
			FIXTURE_DATA(hos) *self, uint32_t snap, uint32_t seq)
{
	struct frame f;

	reclist_clear(&self->l);
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	mkf(&f, &self->env, 300, seq);
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f));
	ASSERT_EQ(1, collect(self->fd, &self->l, 1, 5000, BIG)) TH_LOG("%s", npf_err);
	EXPECT_TRUE(rec_matches_snap(&self->l.r[0], &f, snap))
		TH_LOG("caplen %u, want %u", self->l.r[0].h.bh_caplen,
		       snap < f.len ? snap : f.len);
}

/* Every opcode: the valid ones install, every other one is EINVAL and
 * leaves the filter in force. */
TEST_F_TIMEOUT(hos, filter_every_opcode, 120)
{
	struct sock_filter p[4];
	int wrong = 0;

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	for (unsigned int c = 0; c < 0x100; c++) {
		if (!opcode_valid(c))
			continue;
		probe_prog(p, c);
		if (setf_raw(self->fd, 4, 0, p) && wrong++ < 5)
			TH_LOG("valid opcode %#x rejected: %s", c, strerror(errno));
	}
	EXPECT_EQ(0, wrong);
	/* the filter now: ret #77, straight from a read-only page */
	ASSERT_EQ(0, setf_raw(self->fd, 1, 0, self->bm.ro))
		TH_LOG("%s", strerror(errno));
	wrong = 0;
	for (unsigned int c = 0; c < 0x10000; c++) {
		int r;

		/* every low byte, and a sample of codes with high bits */
		if (c >= 0x100 && (c & 0xff) != 0x06 && (c & 0xff) != 0x00 &&
		    (c & 0xff) != 0x20 && (c & 0xff) != 0x15 && c != 0xffff)
			continue;
		if (opcode_valid(c))
			continue;
		probe_prog(p, c);
		errno = 0;
		r = setf_raw(self->fd, 4, 0, p);
		if ((r != -1 || errno != EINVAL) && wrong++ < 5)
			TH_LOG("invalid opcode %#x: %s", c,
			       r ? strerror(errno) : "accepted");
	}
	EXPECT_EQ(0, wrong);
	expect_snap(_metadata, self, 77, 1);
}

#define INS(c, t, f, k)	((struct sock_filter){ (c), (t), (f), (k) })
#define RETK(k)		INS(BPF_RET | BPF_K, 0, 0, k)

struct badprog {
	const char *what;
	int err;
	uint32_t len;
	struct sock_filter p[4];
};

static const struct badprog badprogs[] = {
	{ "ja past the end", EINVAL, 2,
	  { INS(BPF_JMP | BPF_JA, 0, 0, 1), RETK(1) } },
	{ "ja far past the end", EINVAL, 2,
	  { INS(BPF_JMP | BPF_JA, 0, 0, 0xffffffff), RETK(1) } },
	{ "jeq jt past the end", EINVAL, 2,
	  { INS(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0), RETK(1) } },
	{ "jgt jf past the end", EINVAL, 3,
	  { INS(BPF_JMP | BPF_JGT | BPF_K, 0, 200, 0), RETK(1), RETK(0) } },
	{ "jset jt 255", EINVAL, 2,
	  { INS(BPF_JMP | BPF_JSET | BPF_X, 255, 0, 0), RETK(1) } },
	{ "no ret at the end", EINVAL, 1,
	  { INS(BPF_LD | BPF_IMM, 0, 0, 1) } },
	{ "code after the last ret", EINVAL, 2,
	  { RETK(1), INS(BPF_LD | BPF_IMM, 0, 0, 1) } },
	{ "div by constant zero", EINVAL, 2,
	  { INS(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0), RETK(1) } },
	{ "mod by constant zero", EINVAL, 2,
	  { INS(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 0), RETK(1) } },
	{ "lsh by 32", EINVAL, 2,
	  { INS(BPF_ALU | BPF_LSH | BPF_K, 0, 0, 32), RETK(1) } },
	{ "rsh by 0xffffffff", EINVAL, 2,
	  { INS(BPF_ALU | BPF_RSH | BPF_K, 0, 0, 0xffffffff), RETK(1) } },
	{ "ld M[16]", EINVAL, 3,
	  { INS(BPF_ST, 0, 0, 0), INS(BPF_LD | BPF_MEM, 0, 0, 16), RETK(1) } },
	{ "ldx M[0xffffffff]", EINVAL, 2,
	  { INS(BPF_LDX | BPF_MEM, 0, 0, 0xffffffff), RETK(1) } },
	{ "st M[16]", EINVAL, 2, { INS(BPF_ST, 0, 0, 16), RETK(1) } },
	{ "stx M[1000]", EINVAL, 2, { INS(BPF_STX, 0, 0, 1000), RETK(1) } },
	{ "ld M[3] never stored", EINVAL, 3,
	  { INS(BPF_ST, 0, 0, 2), INS(BPF_LD | BPF_MEM, 0, 0, 3), RETK(1) } },
	{ "ldx M[0] stored on one path only", EINVAL, 4,
	  { INS(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), INS(BPF_ST, 0, 0, 0),
	    INS(BPF_LDX | BPF_MEM, 0, 0, 0), RETK(1) } },
	{ "unknown ancillary load", EINVAL, 2,
	  { INS(BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)SKF_AD_OFF + 0x300),
	    RETK(1) } },
	{ "ret X", EINVAL, 1, { INS(BPF_RET | BPF_X, 0, 0, 0) } },
	{ "opcode 0xffff", EINVAL, 2, { INS(0xffff, 0, 0, 0), RETK(1) } },
};

/* Structural errors, hostile lengths and pointers: each is refused with
 * the documented errno and the filter in force stays. */
TEST_F_TIMEOUT(hos, filter_structural_errors_and_bad_pointers, 60)
{
	struct sock_filter *big;
	size_t i;

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_filter(self->fd, ret77, 1));
	for (i = 0; i < sizeof(badprogs) / sizeof(badprogs[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, setf_raw(self->fd, badprogs[i].len, 0,
				       badprogs[i].p))
			TH_LOG("%s: accepted", badprogs[i].what);
		EXPECT_EQ(badprogs[i].err, errno)
			TH_LOG("%s: %s", badprogs[i].what, strerror(errno));
	}
	/* lengths: 4096 instructions is the limit, inclusive */
	big = calloc(NPF_MAXINSNS + 1, sizeof(*big));
	ASSERT_NE(NULL, big);
	for (i = 0; i < NPF_MAXINSNS + 1; i++)
		big[i] = RETK(77);
	EXPECT_ERRNO(EINVAL, setf_raw(self->fd, NPF_MAXINSNS + 1, 0, big));
	EXPECT_ERRNO(EINVAL, setf_raw(self->fd, 0xffffffff, 0, big));
	EXPECT_ERRNO(EINVAL, setf_raw(self->fd, 0x20000000, 0, big));
	EXPECT_ERRNO(EINVAL, setf_raw(self->fd, 0x80000000, 0, NULL));
	/* bf_pad must be zero, with or without a program */
	EXPECT_ERRNO(EINVAL, setf_raw(self->fd, 1, 1, ret77));
	EXPECT_ERRNO(EINVAL, setf_raw(self->fd, 0, 0x80000000, NULL));
	/* pointers */
	EXPECT_ERRNO(EFAULT, setf_raw(self->fd, 1, 0, NULL));
	EXPECT_ERRNO(EFAULT, setf_raw(self->fd, 1, 0, self->bm.unmapped));
	EXPECT_ERRNO(EFAULT, setf_raw(self->fd, 1, 0, self->bm.none));
	EXPECT_ERRNO(EFAULT, setf_raw(self->fd, 1, 0, KERNEL_ADDR));
	EXPECT_ERRNO(EFAULT, setf_raw(self->fd, 4096, 0, KERNEL_ADDR));
	EXPECT_ERRNO(EFAULT, setf_raw(self->fd, 1, 0, (void *)-8L));
	/* a program whose last instruction lies on the PROT_NONE page */
	memcpy(EDGE(&self->bm, 8), ret77, 8);
	EXPECT_ERRNO(EFAULT, setf_raw(self->fd, 2, 0, EDGE(&self->bm, 8)));
	EXPECT_EQ(0, setf_raw(self->fd, 1, 0, EDGE(&self->bm, 8)))
		TH_LOG("a program right at a page's end: %s", strerror(errno));
	/* the npf_program itself on a bad page */
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSETF, EDGE(&self->bm, 8)));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSETF, KERNEL_ADDR));
	expect_snap(_metadata, self, 77, 1);

	/* the longest program is accepted */
	for (i = 0; i < NPF_MAXINSNS - 1; i++)
		big[i] = INS(BPF_LD | BPF_IMM, 0, 0, (uint32_t)i);
	big[NPF_MAXINSNS - 1] = RETK(55);
	EXPECT_EQ(0, setf_raw(self->fd, NPF_MAXINSNS, 0, big))
		TH_LOG("%d instructions: %s", NPF_MAXINSNS, strerror(errno));
	expect_snap(_metadata, self, 55, 2);
	/* bf_len 0 removes the filter, whatever the pointer says */
	EXPECT_EQ(0, setf_raw(self->fd, 0, 0, KERNEL_ADDR));
	expect_snap(_metadata, self, 65535, 3);
	free(big);
}

/* ======================================================================
 * Absurd sizes and values
 * ====================================================================== */

/* The ring size the netlink family reports for the newest open of ours. */
static uint32_t my_ring_size(void)
{
	struct nl_open o[16];
	int n = genl_npf_opens(o, 16);
	uint64_t best = 0;
	uint32_t size = 0;

	for (int i = 0; i < n && i < 16; i++)
		if (o[i].pid == (uint32_t)getpid() && o[i].id >= best) {
			best = o[i].id;
			size = o[i].bufsize;
		}
	return size;
}

TEST_F_TIMEOUT(hos, sizes_ring_limits, 60)
{
	static const uint32_t bad[] = { 0, 1, 8, 4095, 128u << 20 | 1,
					(128u << 20) + 8, 1u << 30, 0x7fffffff,
					0x80000000, 0xfffffff8, 0xffffffff };
	uint32_t max = (uint32_t)file_read_ll(PARAM);

	ASSERT_EQ(128u << 20, max) TH_LOG("max_buffer_size is not the default");
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 65536));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(0, feed(&self->env, self->fd, 1, 100, 0)) TH_LOG("%s", npf_err);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_ERRNO(EINVAL, npf_set_bufsize(self->fd, bad[i]));
	}
	/* the old ring stayed, with its record */
	EXPECT_EQ(65536U, my_ring_size());
	ASSERT_EQ(1, collect(self->fd, &self->l, 1, 3000, BIG)) TH_LOG("%s", npf_err);
	/* limits inclusive; sizes rounded down to NPF_ALIGNMENT */
	EXPECT_EQ(0, npf_set_bufsize(self->fd, 4096));
	EXPECT_EQ(4096U, my_ring_size());
	EXPECT_EQ(0, npf_set_bufsize(self->fd, 4103));
	EXPECT_EQ(4096U, my_ring_size());
	EXPECT_EQ(0, npf_set_bufsize(self->fd, 100001));
	EXPECT_EQ(100000U, my_ring_size());
	EXPECT_EQ(0, npf_set_bufsize(self->fd, max));
	EXPECT_EQ(max, my_ring_size());
	/* MinToCopy cannot exceed the ring */
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 8192));
	EXPECT_ERRNO(EINVAL, npf_set_mintocopy(self->fd, 8193));
	EXPECT_ERRNO(EINVAL, npf_set_mintocopy(self->fd, 0xffffffff));
	EXPECT_EQ(0, npf_set_mintocopy(self->fd, 8192));
	/* a tiny ring still captures, and drops what does not fit */
	ASSERT_EQ(0, npf_set_bufsize(self->fd, 4096));
	ASSERT_EQ(0, feed(&self->env, self->fd, 40, 1000, 10)) TH_LOG("%s", npf_err);
	{
		struct npf_stats st;

		ASSERT_EQ(0, npf_stats(self->fd, &st));
		EXPECT_EQ(40ULL, st.bs_recv);
		EXPECT_EQ(40ULL, st.bs_capt + st.bs_drop);
		EXPECT_EQ(3ULL, st.bs_capt) TH_LOG("4096 bytes hold 3 records of 1032");
	}
}

TEST_F(hos, sizes_module_parameter_bounds)
{
	ASSERT_EQ(0, file_read_str(PARAM, self->param, sizeof(self->param)));
	EXPECT_NE(0, file_write_str(PARAM, "4095"));
	EXPECT_NE(0, file_write_str(PARAM, "1073741825"));
	EXPECT_NE(0, file_write_str(PARAM, "-1"));
	EXPECT_NE(0, file_write_str(PARAM, "99999999999999999999"));
	EXPECT_NE(0, file_write_str(PARAM, "lots"));
	EXPECT_EQ(0, file_write_str(PARAM, "1073741824"));
	ASSERT_EQ(0, file_write_str(PARAM, "8192"));
	EXPECT_ERRNO(EINVAL, npf_set_bufsize(self->fd, 8200));
	EXPECT_EQ(0, npf_set_bufsize(self->fd, 8192));
	EXPECT_ERRNO(EINVAL, npf_set_bufsize(self->fd, 8199));
	/* a new open still gets the default 1,000,000-byte ring: the limit
	 * is for BIOCSETBUFFERSIZE */
	{
		int fd2 = npf_open(0);

		EXPECT_LE(0, fd2);
		EXPECT_EQ(1000000U, my_ring_size());
		close(fd2);
	}
}

struct oidbuf {
	struct npf_oid_data h;
	uint8_t d[NPF_OID_MAXLEN + 16];
};

TEST_F(hos, sizes_oid_lengths_and_pointers)
{
	struct oidbuf *b = calloc(1, sizeof(*b));
	struct npf_oid_data *e;

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	b->h.oid = OID_802_3_CURRENT_ADDRESS;
	b->h.length = NPF_OID_MAXLEN + 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCQUERYOID, b));
	b->h.length = 0xffffffff;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCQUERYOID, b));
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCSETOID, b));
	b->h.length = NPF_OID_MAXLEN;
	EXPECT_EQ(0, ioctl(self->fd, BIOCQUERYOID, b)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(6U, b->h.length);
	EXPECT_EQ(0, memcmp(b->d, self->env.mac_a, 6));
	/* too short for the answer: EINVAL, nothing written */
	memset(b->d, 0xee, 16);
	b->h.length = 5;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCQUERYOID, b));
	EXPECT_EQ(5U, b->h.length);
	EXPECT_EQ(0xee, b->d[0]);
	b->h.length = 0;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCQUERYOID, b));
	/* data running into a PROT_NONE page */
	e = (struct npf_oid_data *)EDGE(&self->bm, 8 + 4);
	e->oid = OID_802_3_CURRENT_ADDRESS;
	e->length = 6;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCQUERYOID, e));
	e->length = NPF_OID_MAXLEN;
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCQUERYOID, e));
	e->oid = OID_GEN_CURRENT_PACKET_FILTER;
	e->length = 4;
	EXPECT_EQ(0, ioctl(self->fd, BIOCQUERYOID, e)) TH_LOG("%s", strerror(errno));
	/* the head itself cut by the page end */
	e = (struct npf_oid_data *)EDGE(&self->bm, 4);
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCQUERYOID, e));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSETOID, KERNEL_ADDR));
	/* an answer into a read-only buffer */
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCQUERYOID, self->bm.ro + 64));
	/* OIDs: unknown, read-only, wrong lengths */
	b->h.oid = 0xdeadbeef;
	b->h.length = 4;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, BIOCQUERYOID, b));
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, BIOCSETOID, b));
	b->h.oid = OID_GEN_LINK_SPEED;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(self->fd, BIOCSETOID, b));
	b->h.oid = OID_GEN_CURRENT_PACKET_FILTER;
	b->h.length = 3;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCSETOID, b));
	b->h.length = 8;
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCSETOID, b));
	b->h.length = 4;
	memset(b->d, 0xff, 4);	/* unknown NDIS_PACKET_TYPE_ bits */
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCSETOID, b));
	EXPECT_EQ(0U, link_flags_sysfs(IF_A) & IFF_PROMISC);
	/* multicast lists: not a multiple of 6, unicast, too many */
	b->h.oid = OID_802_3_MULTICAST_LIST;
	b->h.length = 7;
	memset(b->d, 0x01, 7);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCSETOID, b));
	b->h.length = 6;
	memcpy(b->d, self->env.mac_b, 6);
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCSETOID, b));
	b->h.length = 6 * (NPF_MC_MAX + 1);
	for (int i = 0; i < NPF_MC_MAX + 1; i++) {
		uint8_t m[6] = { 0x01, 0x00, 0x5e, 0x01, 0x02, (uint8_t)i };

		memcpy(b->d + 6 * i, m, 6);
	}
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCSETOID, b));
	b->h.length = 6 * NPF_MC_MAX;
	EXPECT_EQ(0, ioctl(self->fd, BIOCSETOID, b)) TH_LOG("%s", strerror(errno));
	b->h.length = 0;
	EXPECT_EQ(0, ioctl(self->fd, BIOCSETOID, b)) TH_LOG("%s", strerror(errno));
	free(b);
}

static int sendq(int fd, const void *buf, uint32_t len, uint32_t *consumed)
{
	struct npf_sendq q = { .buf = (uint64_t)(uintptr_t)buf, .len = len,
			       .consumed = 0xdeadbeef };
	int r = ioctl(fd, BIOCSENDPACKETSNOSYNC, &q);

	*consumed = q.consumed;
	return r;
}

/* Put one send-queue entry of frame f at p; returns its size. */
static uint32_t put_entry(uint8_t *p, const struct frame *f, uint32_t caplen)
{
	struct npf_sendq_hdr h = { 0, 0, caplen, f->len };

	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), f->b, caplen < f->len ? caplen : f->len);
	return sizeof(h) + caplen;
}

TEST_F_TIMEOUT(hos, sizes_send_queue_lengths_and_pointers, 60)
{
	uint8_t *q = self->buf;
	struct npf_stats st;
	struct frame f;
	uint32_t c, one, n;

	mkf_out(&f, &self->env, 100, 0);
	one = put_entry(q, &f, f.len);
	EXPECT_ERRNO(ENXIO, sendq(self->fd, q, one, &c));
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	/* empty */
	EXPECT_EQ(0, sendq(self->fd, q, 0, &c));
	EXPECT_EQ(0U, c);
	EXPECT_EQ(0, sendq(self->fd, NULL, 0, &c));
	/* trailing bytes too short for an entry header */
	EXPECT_ERRNO(EINVAL, sendq(self->fd, q, 15, &c));
	EXPECT_EQ(0U, c);
	EXPECT_ERRNO(EINVAL, sendq(self->fd, q, one + 5, &c));
	EXPECT_EQ(one, c);
	/* caplen 0, caplen past the queue, too short, too long */
	n = put_entry(q, &f, f.len);
	n += put_entry(q + n, &f, 0);
	EXPECT_ERRNO(EINVAL, sendq(self->fd, q, n, &c));
	EXPECT_EQ(one, c);
	n = put_entry(q, &f, f.len);
	EXPECT_ERRNO(EINVAL, sendq(self->fd, q, n - 1, &c));
	EXPECT_EQ(0U, c);
	((struct npf_sendq_hdr *)q)->caplen = 0xffffffff;
	EXPECT_ERRNO(EINVAL, sendq(self->fd, q, 0xffffffff, &c));
	EXPECT_EQ(0U, c);
	n = put_entry(q, &f, 13);
	EXPECT_ERRNO(EINVAL, sendq(self->fd, q, n, &c));
	n = put_entry(q, &f, 1515);
	EXPECT_ERRNO(EMSGSIZE, sendq(self->fd, q, n, &c));
	/* a huge length over one good entry: it goes, then EFAULT */
	n = put_entry(EDGE(&self->bm, one), &f, f.len);
	EXPECT_ERRNO(EFAULT, sendq(self->fd, EDGE(&self->bm, one), 0xffffffff,
				   &c));
	EXPECT_EQ(one, c);
	/* bad queue pointers */
	EXPECT_ERRNO(EFAULT, sendq(self->fd, NULL, one, &c));
	EXPECT_ERRNO(EFAULT, sendq(self->fd, KERNEL_ADDR, one, &c));
	EXPECT_ERRNO(EFAULT, sendq(self->fd, self->bm.unmapped, one, &c));
	/* a queue on a read-only page is fine */
	EXPECT_EQ(0, sendq(self->fd, self->bm.ro, 0, &c));
	/* the npf_sendq on a bad page; its consumed on a read-only one */
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSENDPACKETSNOSYNC, self->bm.none));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSENDPACKETSSYNC, KERNEL_ADDR));
	{
		uint8_t *rw = self->bm.rw;
		struct npf_sendq qq = { (uint64_t)(uintptr_t)q, 0, 0 };

		/* an npf_sendq whose consumed field is on PROT_NONE */
		memcpy(EDGE(&self->bm, 12), &qq, 12);
		EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSENDPACKETSNOSYNC,
					   EDGE(&self->bm, 12)));
		(void)rw;
	}
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(3ULL, st.bs_sent) TH_LOG("entries sent before the errors");
}

TEST_F_TIMEOUT(hos, sizes_write_repeat_zero_and_huge, 60)
{
	struct npf_stats st;
	struct frame f;
	uint32_t rep;
	int64_t t0, dt;
	ssize_t n;

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	mkf_out(&f, &self->env, 60, 0);
	rep = 0;
	ASSERT_EQ(0, ioctl(self->fd, BIOCSWRITEREP, &rep));
	EXPECT_EQ(f.len, write(self->fd, f.b, f.len));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ(0ULL, st.bs_sent);
	EXPECT_EQ(0ULL, st.bs_recv) TH_LOG("repeat 0 sent something");
	/* 4 billion repeats: a signal ends it, and bs_sent says how far */
	rep = 0xffffffff;
	ASSERT_EQ(0, ioctl(self->fd, BIOCSWRITEREP, &rep));
	t0 = now_ms();
	alarm_ms(300);
	n = write(self->fd, f.b, f.len);
	alarm_ms(0);
	dt = now_ms() - t0;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EINTR, errno) TH_LOG("%s", strerror(errno));
	EXPECT_GT(300 + LATE, dt) TH_LOG("the signal took %lld ms to end it",
					 (long long)dt);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_LT(0ULL, st.bs_sent);
	EXPECT_GT(0xffffffffULL, st.bs_sent);
}

TEST_F(hos, sizes_bad_scalar_values_change_nothing)
{
	static const int32_t bad_to[] = { -2, -1000, INT32_MIN };
	static const uint32_t bad_mode[] = { NPF_MODE_MON, 0x80000000, 0x100,
					     NPF_MODE_STAT | 0x4, 0xffffffff };
	static const uint32_t bad_ts[] = { 2, 0xffffffff };
	static const uint32_t bad_lb[] = { 0, 3, 0xffffffff };
	struct nl_open o[4];
	int n;

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	for (size_t i = 0; i < sizeof(bad_to) / sizeof(bad_to[0]); i++) {
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCSRTIMEOUT, &bad_to[i]));
	}
	for (size_t i = 0; i < sizeof(bad_mode) / sizeof(bad_mode[0]); i++) {
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCSMODE, &bad_mode[i]));
	}
	for (size_t i = 0; i < sizeof(bad_ts) / sizeof(bad_ts[0]); i++) {
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCSTIMESTAMPMODE, &bad_ts[i]));
	}
	for (size_t i = 0; i < sizeof(bad_lb) / sizeof(bad_lb[0]); i++) {
		EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCISETLOBBEH, &bad_lb[i]));
	}
	n = genl_npf_opens(o, 4);
	ASSERT_EQ(1, n);
	EXPECT_EQ((uint32_t)NPF_MODE_CAPT, o[0].mode);
	EXPECT_EQ(1000, o[0].timeout);
	EXPECT_EQ(16000U, o[0].mintocopy);
	EXPECT_EQ(1000000U, o[0].bufsize);
}

static uint8_t lowbuf[4096];

/* ======================================================================
 * Tiny read buffers, in every mode
 * ====================================================================== */

TEST_F_TIMEOUT(hos, read_tiny_buffers_every_mode, 60)
{
	uint32_t m;
	ssize_t n;

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	/* CAPT: a record waiting */
	ASSERT_EQ(0, feed(&self->env, self->fd, 1, 100, 0)) TH_LOG("%s", npf_err);
	EXPECT_ERRNO(EMSGSIZE, read(self->fd, self->buf, 0));
	EXPECT_ERRNO(EMSGSIZE, read(self->fd, null_ptr, 0));
	EXPECT_ERRNO(EMSGSIZE, read(self->fd, self->buf, HDRLEN + 99));
	EXPECT_ERRNO(EFAULT, read(self->fd, null_ptr, BIG));
	EXPECT_ERRNO(EFAULT, read(self->fd, KERNEL_ADDR, BIG));
	EXPECT_ERRNO(EFAULT, read(self->fd, self->bm.ro, PAGE));
	EXPECT_ERRNO(EFAULT, read(self->fd, EDGE(&self->bm, 64), BIG));
	/* a huge count (the VFS caps it at MAX_RW_COUNT); a buffer low in
	 * the address space so that the whole range is user memory */
	EXPECT_EQ((ssize_t)RECLEN(100), read(self->fd, lowbuf, opaque((size_t)1 << 40)))
		TH_LOG("%s", strerror(errno));

	/* STAT: one 48-byte record */
	m = NPF_MODE_STAT;
	ASSERT_EQ(0, ioctl(self->fd, BIOCSMODE, &m));
	ASSERT_EQ(0, feed(&self->env, self->fd, 2, 100, 1)) TH_LOG("%s", npf_err);
	EXPECT_ERRNO(EMSGSIZE, read(self->fd, self->buf, 0));
	EXPECT_ERRNO(EMSGSIZE, read(self->fd, self->buf,
				    sizeof(struct npf_stat_record) - 1));
	EXPECT_ERRNO(EFAULT, read(self->fd, null_ptr, 4096));
	EXPECT_ERRNO(EFAULT, read(self->fd, EDGE(&self->bm, 40), 4096));
	n = read(self->fd, self->buf, sizeof(struct npf_stat_record));
	ASSERT_EQ((ssize_t)sizeof(struct npf_stat_record), n);
	/* the failed reads lost nothing */
	EXPECT_EQ(2ULL, ((struct npf_stat_record *)self->buf)->packets);

	/* STAT|DUMP: 56 bytes */
	m = NPF_MODE_STAT | NPF_MODE_DUMP;
	ASSERT_EQ(0, ioctl(self->fd, BIOCSMODE, &m));
	EXPECT_ERRNO(EMSGSIZE, read(self->fd, self->buf,
				    sizeof(struct npf_stat_record)));
	EXPECT_ERRNO(EMSGSIZE, read(self->fd, self->buf,
				    sizeof(struct npf_stat_dump_record) - 1));
	EXPECT_EQ((ssize_t)sizeof(struct npf_stat_dump_record),
		  read(self->fd, self->buf, sizeof(struct npf_stat_dump_record)));

	/* DUMP: no data; any buffer, even none, returns 0 */
	m = NPF_MODE_DUMP;
	ASSERT_EQ(0, ioctl(self->fd, BIOCSMODE, &m));
	EXPECT_EQ(0, read(self->fd, null_ptr, 0));
	EXPECT_EQ(0, read(self->fd, null_ptr, BIG));
}

/* A read whose buffer runs into a PROT_NONE page after the first record
 * loses nothing and duplicates nothing. */
TEST_F_TIMEOUT(hos, read_efault_midway_loses_nothing, 60)
{
	struct frame f0, f1;
	ssize_t n;
	int got = 0, c;

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	ASSERT_EQ(0, feed(&self->env, self->fd, 2, 200, 0)) TH_LOG("%s", npf_err);
	/* room for record 1 and half of record 2 */
	n = read(self->fd, EDGE(&self->bm, RECLEN(200) + 100), BIG);
	if (n > 0) {
		EXPECT_EQ((ssize_t)RECLEN(200), n)
			TH_LOG("a short read must end at a whole record");
		c = parse_records(EDGE(&self->bm, RECLEN(200) + 100), n,
				  &self->l, false);
		EXPECT_EQ(1, c);
		got += c > 0 ? c : 0;
	} else {
		EXPECT_EQ(EFAULT, errno) TH_LOG("%s", strerror(errno));
	}
	c = collect(self->fd, &self->l, 2 - got, 1000, BIG);
	EXPECT_EQ(2 - got, c);
	EXPECT_EQ(0, read(self->fd, self->buf, BIG))
		TH_LOG("more records than frames");
	ASSERT_EQ(2, self->l.n);
	mkf(&f0, &self->env, 200, 0);
	mkf(&f1, &self->env, 200, 1);
	EXPECT_TRUE(rec_matches(&self->l.r[0], &f0));
	EXPECT_TRUE(rec_matches(&self->l.r[1], &f1));
}

/* ======================================================================
 * Bad write lengths
 * ====================================================================== */

TEST_F_TIMEOUT(hos, write_bad_lengths_ethernet, 60)
{
	struct npf_stats st;
	struct frame f;
	int cap, ok = 0;
	uint8_t *big = calloc(1, 70000);

	ASSERT_NE(NULL, big);
	mkf_out(&f, &self->env, 60, 0);
	EXPECT_ERRNO(ENXIO, write(self->fd, f.b, f.len));
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	/* a second open on B counts what arrives */
	cap = npf_open(0);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, npf_bind(cap, IF_B));
	EXPECT_ERRNO(EINVAL, write(self->fd, f.b, 0));
	EXPECT_ERRNO(EINVAL, write(self->fd, f.b, 1));
	EXPECT_ERRNO(EINVAL, write(self->fd, f.b, 13));
	EXPECT_EQ(14, write(self->fd, f.b, 14)) TH_LOG("%s", strerror(errno));
	ok++;
	memcpy(big, f.b, 14);
	EXPECT_EQ(1514, write(self->fd, big, 1514)) TH_LOG("%s", strerror(errno));
	ok++;
	EXPECT_ERRNO(EMSGSIZE, write(self->fd, big, 1515));
	/* an 802.1Q-tagged frame may be 4 bytes longer */
	big[12] = 0x81;
	big[13] = 0x00;
	EXPECT_EQ(1518, write(self->fd, big, 1518)) TH_LOG("%s", strerror(errno));
	ok++;
	EXPECT_ERRNO(EMSGSIZE, write(self->fd, big, 1519));
	EXPECT_ERRNO(EMSGSIZE, write(self->fd, big, 65536));
	/* SIZE_MAX: the VFS refuses it first (access_ok) */
	errno = 0;
	EXPECT_EQ(-1, write(self->fd, big, opaque(SIZE_MAX)));
	EXPECT_TRUE(errno == EFAULT || errno == EMSGSIZE) TH_LOG("%s", strerror(errno));
	EXPECT_ERRNO(EMSGSIZE, write(self->fd, big, opaque((size_t)1 << 40)));
	/* bad pointers */
	EXPECT_ERRNO(EFAULT, write(self->fd, null_ptr, 60));
	EXPECT_ERRNO(EFAULT, write(self->fd, KERNEL_ADDR, 60));
	EXPECT_ERRNO(EFAULT, write(self->fd, self->bm.unmapped, 60));
	EXPECT_ERRNO(EFAULT, write(self->fd, EDGE(&self->bm, 30), 60));
	/* a frame on a read-only page is fine */
	EXPECT_EQ(60, write(self->fd, self->bm.ro, 60)) TH_LOG("%s", strerror(errno));
	ok++;
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)ok, st.bs_sent);
	EXPECT_EQ(14ULL + 1514 + 1518 + 60, st.bs_sent_bytes);
	EXPECT_EQ(0, npf_wait_recv(cap, ok, 5000)) TH_LOG("%s", npf_err);
	sleep_ms(100);
	ASSERT_EQ(0, npf_stats(cap, &st));
	EXPECT_EQ((uint64_t)ok, st.bs_recv) TH_LOG("the peer saw other frames");
	/* down: ENETDOWN */
	ASSERT_EQ(0, link_set_up(IF_A, false));
	EXPECT_ERRNO(ENETDOWN, write(self->fd, f.b, f.len));
	close(cap);
	free(big);
}

/* A header-less adapter (tun): any length from 1 byte on, the first
 * nibble naming the protocol or not. */
TEST_F_TIMEOUT(hos, write_headerless_adapter, 60)
{
	struct ifreq ifr;
	uint8_t pkt[1600], in[2048];
	struct npf_stats st;
	uint32_t dlt;
	int tun, sent = 0;

	tun = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	if (tun < 0)
		SKIP(return, "no /dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "npftun0");
	ASSERT_EQ(0, ioctl(tun, TUNSETIFF, &ifr)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, npf_bind(self->fd, "npftun0"));
	ASSERT_EQ(0, ioctl(self->fd, BIOCGDLT, &dlt));
	EXPECT_EQ((uint32_t)NPF_LINKTYPE_RAW, dlt);
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x45;
	EXPECT_ERRNO(ENETDOWN, write(self->fd, pkt, 20));
	ASSERT_EQ(0, link_set_up("npftun0", true));
	EXPECT_ERRNO(EINVAL, write(self->fd, pkt, 0));
	/* 1 byte of "IPv4", a truncated IPv4 header, truncated IPv6, no IP
	 * at all, the largest */
	EXPECT_EQ(1, write(self->fd, pkt, 1)) TH_LOG("%s", strerror(errno));
	sent++;
	EXPECT_EQ(19, write(self->fd, pkt, 19)) TH_LOG("%s", strerror(errno));
	sent++;
	pkt[0] = 0x60;
	EXPECT_EQ(39, write(self->fd, pkt, 39)) TH_LOG("%s", strerror(errno));
	sent++;
	pkt[0] = 0x00;
	EXPECT_EQ(7, write(self->fd, pkt, 7)) TH_LOG("%s", strerror(errno));
	sent++;
	pkt[0] = 0xff;
	EXPECT_EQ(1500, write(self->fd, pkt, 1500)) TH_LOG("%s", strerror(errno));
	sent++;
	EXPECT_ERRNO(EMSGSIZE, write(self->fd, pkt, 1505));
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	EXPECT_EQ((uint64_t)sent, st.bs_sent + st.bs_senterr);
	/* whatever reached the tun reader is what was written */
	sleep_ms(100);
	for (int i = 0; i < sent; i++) {
		ssize_t n = read(tun, in, sizeof(in));

		if (n < 0)
			break;
		EXPECT_TRUE(n == 1 || n == 19 || n == 39 || n == 7 || n == 1500)
			TH_LOG("tun read %zd bytes", n);
	}
	close(tun);
	/* the tun device is gone with its fd: the open detached */
	EXPECT_ERRNO(ENODEV, write(self->fd, pkt, 20));
}

/* ======================================================================
 * Mode changes in every state
 * ====================================================================== */

static const uint32_t modes[] = { NPF_MODE_CAPT, NPF_MODE_STAT, NPF_MODE_DUMP,
				  NPF_MODE_STAT | NPF_MODE_DUMP };

TEST_F(hos, mode_changes_unbound)
{
	struct npf_dump_stats ds;
	struct pollfd p = { .fd = self->fd, .events = POLLIN | POLLOUT };
	char path[128];

	snprintf(path, sizeof(path), "%s/u.pcap", self->dir);
	for (size_t i = 0; i < 4; i++) {
		for (size_t j = 0; j < 4; j++) {
			EXPECT_EQ(0, npf_set_mode(self->fd, modes[i]));
			EXPECT_EQ(0, npf_set_mode(self->fd, modes[j]));
			EXPECT_ERRNO(ENXIO, read(self->fd, self->buf, BIG));
		}
		p.revents = 0;
		EXPECT_EQ(1, poll(&p, 1, 0));
		EXPECT_TRUE(p.revents & POLLERR) TH_LOG("revents %#x", p.revents);
		EXPECT_ERRNO(ENXIO, npf_dump_file(self->fd, path, 0));
		EXPECT_EQ(0, npf_dump_stats(self->fd, &ds));
		EXPECT_EQ(0U, ds.active);
	}
	EXPECT_ERRNO(ENOENT, access(path, F_OK));
}

TEST_F_TIMEOUT(hos, mode_changes_bound_every_pair, 90)
{
	struct npf_stats st;

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	for (size_t i = 0; i < 4; i++) {
		for (size_t j = 0; j < 4; j++) {
			ASSERT_EQ(0, npf_set_mode(self->fd, modes[i]));
			ASSERT_EQ(0, feed(&self->env, self->fd, 2, 80, 0))
				TH_LOG("%s", npf_err);
			ASSERT_EQ(0, npf_set_mode(self->fd, modes[j]))
				TH_LOG("%#x -> %#x: %s", modes[i], modes[j],
				       npf_err);
			ASSERT_EQ(0, npf_stats(self->fd, &st));
			EXPECT_EQ(0ULL, st.bs_recv + st.bs_capt + st.bs_drop +
					st.bs_filtered)
				TH_LOG("%#x -> %#x: counters not zeroed", modes[i],
				       modes[j]);
			if (modes[j] == NPF_MODE_CAPT) {
				EXPECT_EQ(0, read(self->fd, self->buf, BIG))
					TH_LOG("%#x -> CAPT: the ring was not flushed",
					       modes[i]);
			}
		}
	}
}

TEST_F_TIMEOUT(hos, mode_changes_while_dumping, 60)
{
	struct npf_dump_stats ds;
	struct pcap_check pc;
	struct npf_stats st;
	char path[128];
	uint64_t total = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/d.pcap", self->dir);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 200));
	ASSERT_EQ(0, npf_dump_file(self->fd, path, 0)) TH_LOG("%s", npf_err);
	/* a file is open: BIOCSETIF is refused, whatever the mode */
	EXPECT_ERRNO(EBUSY, npf_bind(self->fd, IF_B));
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_DUMP));
	EXPECT_ERRNO(EBUSY, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, feed(&self->env, self->fd, 3, 100, 0)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	total += st.bs_capt;
	/* DUMP -> DUMP|STAT: what was buffered reaches the file first */
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_DUMP | NPF_MODE_STAT));
	ASSERT_EQ(0, npf_dump_stats(self->fd, &ds));
	EXPECT_EQ(3ULL, ds.packets);
	EXPECT_EQ(1U, ds.active);
	ASSERT_EQ(0, feed(&self->env, self->fd, 2, 100, 3)) TH_LOG("%s", npf_err);
	n = read(self->fd, self->buf, BIG);
	EXPECT_EQ((ssize_t)sizeof(struct npf_stat_dump_record), n);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	total += st.bs_capt;
	/* -> DUMP -> DUMP (same mode again) -> CAPT: the file is finished */
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, feed(&self->env, self->fd, 1, 100, 5)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	total += st.bs_capt;
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_CAPT));
	ASSERT_EQ(0, npf_dump_stats(self->fd, &ds));
	EXPECT_EQ(0U, ds.active);
	EXPECT_EQ(total, ds.packets);
	EXPECT_EQ(6ULL, total);
	ASSERT_EQ(0, pcap_check_file(path, &pc, NULL, NULL)) TH_LOG("%s", npf_err);
	EXPECT_EQ(total, pc.packets);
	EXPECT_EQ(ds.bytes, pc.bytes);
	/* DUMP again without a file: nothing to write, read returns 0 */
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_DUMP));
	EXPECT_EQ(0, read(self->fd, self->buf, BIG));
	/* no file: BIOCSETIF works again */
	EXPECT_EQ(0, npf_bind(self->fd, IF_B)) TH_LOG("%s", npf_err);
}

/*
 * After the adapter went away: modes still switch, and a read in any mode
 * fails with ENODEV once nothing is left ("reads drain what is left, then
 * fail with ENODEV"); poll says POLLHUP.
 */
TEST_F_TIMEOUT(hos, mode_changes_after_adapter_gone, 60)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	char path[128];

	snprintf(path, sizeof(path), "%s/g.pcap", self->dir);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 100));
	ASSERT_EQ(0, link_del(IF_A)) TH_LOG("%s", npf_err);
	for (size_t i = 0; i < 4; i++) {
		ASSERT_EQ(0, npf_set_mode(self->fd, modes[i]))
			TH_LOG("mode %#x after the adapter left: %s", modes[i],
			       npf_err);
		errno = 0;
		EXPECT_EQ(-1, read(self->fd, self->buf, BIG))
			TH_LOG("mode %#x: read after the adapter left returned, not ENODEV",
			       modes[i]);
		EXPECT_EQ(ENODEV, errno) TH_LOG("mode %#x: %s", modes[i],
						strerror(errno));
		p.revents = 0;
		EXPECT_EQ(1, poll(&p, 1, 0));
		EXPECT_TRUE(p.revents & POLLHUP) TH_LOG("revents %#x", p.revents);
	}
	EXPECT_ERRNO(ENODEV, npf_dump_file(self->fd, path, 0));
}

/* ======================================================================
 * Dump paths that fail
 * ====================================================================== */

static int setdump_raw(int fd, const void *path, uint32_t flags, uint32_t pad)
{
	struct npf_dump_name dn = { (uint64_t)(uintptr_t)path, flags, pad };

	return ioctl(fd, BIOCSETDUMPFILENAME, &dn);
}

/* Start a dump to good.pcap on IF_A with 2 frames in it. */
static void start_good_dump(struct __test_metadata *_metadata,
			    FIXTURE_DATA(hos) *self, char *good, size_t len)
{
	snprintf(good, len, "%s/good.pcap", self->dir);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_dump_file(self->fd, good, 0)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_DUMP));
	ASSERT_EQ(0, feed(&self->env, self->fd, 2, 100, 0)) TH_LOG("%s", npf_err);
}

/* After failures, the first file is still the dump file and complete. */
static void check_good_dump(struct __test_metadata *_metadata,
			    FIXTURE_DATA(hos) *self, const char *good)
{
	struct npf_dump_stats ds;
	struct pcap_check pc;
	struct npf_stats st;

	ASSERT_EQ(0, feed(&self->env, -1, 1, 100, 9)) TH_LOG("%s", npf_err);
	sleep_ms(200);
	ASSERT_EQ(0, npf_stats(self->fd, &st));
	ASSERT_EQ(0, npf_dump_stats(self->fd, &ds));
	EXPECT_EQ(1U, ds.active) TH_LOG("a failed BIOCSETDUMPFILENAME closed the old file");
	EXPECT_EQ(0, ds.error);
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_CAPT));
	ASSERT_EQ(0, pcap_check_file(good, &pc, NULL, NULL)) TH_LOG("%s", npf_err);
	EXPECT_EQ(3ULL, pc.packets) TH_LOG("the old file lost or gained records");
}

TEST_F_TIMEOUT(hos, dump_bad_paths_keep_the_old_file, 60)
{
	char good[128], p[256], *longp;
	uint8_t *unterminated = EDGE(&self->bm, 64);

	start_good_dump(_metadata, self, good, sizeof(good));
	memset(unterminated, 'a', 64);
	EXPECT_ERRNO(EFAULT, setdump_raw(self->fd, NULL, 0, 0));
	EXPECT_ERRNO(EFAULT, setdump_raw(self->fd, self->bm.unmapped, 0, 0));
	EXPECT_ERRNO(EFAULT, setdump_raw(self->fd, KERNEL_ADDR, 0, 0));
	EXPECT_ERRNO(EFAULT, setdump_raw(self->fd, unterminated, 0, 0));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSETDUMPFILENAME, self->bm.none));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSETDUMPFILENAME, NULL));
	/* flags and pad */
	snprintf(p, sizeof(p), "%s/flags.pcap", self->dir);
	EXPECT_ERRNO(EINVAL, setdump_raw(self->fd, p, 2, 0));
	EXPECT_ERRNO(EINVAL, setdump_raw(self->fd, p, 0xffffffff, 0));
	EXPECT_ERRNO(EINVAL, setdump_raw(self->fd, p, 0, 1));
	EXPECT_ERRNO(ENOENT, access(p, F_OK));
	/* longer than PATH_MAX */
	longp = malloc(8192);
	ASSERT_NE(NULL, longp);
	memset(longp, 'b', 8191);
	longp[8191] = 0;
	errno = 0;
	EXPECT_EQ(-1, setdump_raw(self->fd, longp, 0, 0));
	EXPECT_TRUE(errno == ENAMETOOLONG || errno == EINVAL)
		TH_LOG("%s", strerror(errno));
	free(longp);
	/* what the file system says */
	/* "" names the caller's working directory for the kernel (a
	 * directory: EINVAL); open(2) would say ENOENT */
	errno = 0;
	EXPECT_EQ(-1, setdump_raw(self->fd, "", 0, 0));
	EXPECT_TRUE(errno == ENOENT || errno == EINVAL) TH_LOG("%s", strerror(errno));
	snprintf(p, sizeof(p), "%s/no/such/dir/x.pcap", self->dir);
	EXPECT_ERRNO(ENOENT, setdump_raw(self->fd, p, 0, 0));
	/* a directory is not a regular file */
	EXPECT_ERRNO(EINVAL, setdump_raw(self->fd, self->dir, 0, 0));
	snprintf(p, sizeof(p), "%s/good.pcap/x", self->dir);
	EXPECT_ERRNO(ENOTDIR, setdump_raw(self->fd, p, 0, 0));
	snprintf(p, sizeof(p), "%s/loop", self->dir);
	ASSERT_EQ(0, symlink(p, p));
	EXPECT_ERRNO(ELOOP, setdump_raw(self->fd, p, 0, 0));
	/* anything but a regular file: EINVAL */
	EXPECT_ERRNO(EINVAL, setdump_raw(self->fd, "/dev/null", 0, 0));
	EXPECT_ERRNO(EINVAL, setdump_raw(self->fd, NPF_DEV, 0, 0));
	/* a read-only file system */
	snprintf(p, sizeof(p), "%s/mnt", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));
	ASSERT_EQ(0, mount("npf-ro", p, "tmpfs", MS_RDONLY, "size=64k"))
		TH_LOG("%s", strerror(errno));
	snprintf(p, sizeof(p), "%s/mnt/ro.pcap", self->dir);
	EXPECT_ERRNO(EROFS, setdump_raw(self->fd, p, 0, 0));
	check_good_dump(_metadata, self, good);
}

/* A FIFO is not a regular file: EINVAL, at once. Opening it for writing
 * must not wait for a reader. */
TEST_F_TIMEOUT(hos, dump_to_fifo_einval_without_blocking, 30)
{
	char good[128], p[128];
	int64_t t0, dt;
	int r;

	start_good_dump(_metadata, self, good, sizeof(good));
	snprintf(p, sizeof(p), "%s/fifo", self->dir);
	ASSERT_EQ(0, mkfifo(p, 0644));
	t0 = now_ms();
	alarm_ms(3000);
	errno = 0;
	r = setdump_raw(self->fd, p, 0, 0);
	alarm_ms(0);
	dt = now_ms() - t0;
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EINVAL, errno) TH_LOG("%s after %lld ms%s", strerror(errno),
					(long long)dt,
					errno == EINTR ?
					" (BIOCSETDUMPFILENAME blocked opening the FIFO until a signal)" : "");
	EXPECT_GT(1000, dt);
	check_good_dump(_metadata, self, good);
}

/* The file system fills up in the middle of a dump: the dump ends with
 * ENOSPC, the file ends with its last whole record, read() returns 0 and
 * poll() says POLLIN. */
TEST_F_TIMEOUT(hos, dump_enospc_midway_keeps_whole_records, 60)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	struct npf_dump_stats ds;
	struct pcap_check pc;
	struct stat st;
	char path[128];
	uint32_t ended = 0;
	int64_t end;
	int i;

	snprintf(path, sizeof(path), "%s/mnt", self->dir);
	ASSERT_EQ(0, mkdir(path, 0755));
	ASSERT_EQ(0, mount("npf-small", path, "tmpfs", 0, "size=64k"))
		TH_LOG("%s", strerror(errno));
	snprintf(path, sizeof(path), "%s/mnt/full.pcap", self->dir);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	ASSERT_EQ(0, npf_dump_file(self->fd, path, 0)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_mode(self->fd, NPF_MODE_DUMP));
	end = now_ms() + 20000;
	for (i = 0; !ended && now_ms() < end; i++) {
		ASSERT_EQ(0, feed(&self->env, -1, 8, 1000, i * 8))
			TH_LOG("%s", npf_err);
		sleep_ms(20);
		ASSERT_EQ(0, ioctl(self->fd, BIOCISDUMPENDED, &ended));
	}
	ASSERT_EQ(1U, ended) TH_LOG("64 KiB of tmpfs never filled up");
	ASSERT_EQ(0, npf_dump_stats(self->fd, &ds));
	EXPECT_EQ(-ENOSPC, ds.error) TH_LOG("error %d", ds.error);
	EXPECT_EQ(1U, ds.ended);
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLIN);
	EXPECT_EQ(0, read(self->fd, self->buf, BIG));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ((long long)ds.bytes, (long long)st.st_size);
	ASSERT_EQ(0, pcap_check_file(path, &pc, NULL, NULL)) TH_LOG("%s", npf_err);
	EXPECT_EQ(ds.packets, pc.packets);
	EXPECT_LT(10ULL, pc.packets);
	/* frames that come now are not written */
	ASSERT_EQ(0, feed(&self->env, -1, 4, 1000, 9999)) TH_LOG("%s", npf_err);
	sleep_ms(300);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ((long long)ds.bytes, (long long)st.st_size);
}

/* The new file cannot even take its header: ENOSPC, and the old dump goes
 * on. */
TEST_F_TIMEOUT(hos, dump_full_fs_for_header_keeps_old_file, 60)
{
	char good[128], p[128], junk[4096];
	int fd;

	start_good_dump(_metadata, self, good, sizeof(good));
	snprintf(p, sizeof(p), "%s/mnt", self->dir);
	ASSERT_EQ(0, mkdir(p, 0755));
	ASSERT_EQ(0, mount("npf-full", p, "tmpfs", 0, "size=16k"))
		TH_LOG("%s", strerror(errno));
	snprintf(p, sizeof(p), "%s/mnt/filler", self->dir);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, fd);
	memset(junk, 'j', sizeof(junk));
	while (write(fd, junk, sizeof(junk)) > 0)
		;
	close(fd);
	snprintf(p, sizeof(p), "%s/mnt/new.pcap", self->dir);
	EXPECT_ERRNO(ENOSPC, setdump_raw(self->fd, p, 0, 0));
	check_good_dump(_metadata, self, good);
}

TEST_HARNESS_MAIN
