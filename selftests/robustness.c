// SPDX-License-Identifier: GPL-2.0
/*
 * Robustness: wrong order, wrong names, wrong sizes, wrong pointers, no
 * privilege, the adapter disappearing under a blocked reader, and the
 * module pinned while an fd is open.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <linux/capability.h>

#include "npf_util.h"
#include "harness.h"

#define BIG	(1 << 20)
#define LATE	3000

FIXTURE(rob) {
	struct npf_env env;
	int fd;			/* opened, not bound */
	struct reclist l;
	struct reader rd;
	void *bad;		/* a PROT_NONE page */
	uint8_t *buf;
};

FIXTURE_SETUP(rob)
{
	reclist_init(&self->l);
	self->fd = -1;
	self->buf = malloc(BIG);
	ASSERT_NE(NULL, self->buf);
	self->bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	ASSERT_NE(MAP_FAILED, self->bad);
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	self->fd = npf_open(0);
	ASSERT_LE(0, self->fd) TH_LOG("%s", npf_err);
}

FIXTURE_TEARDOWN(rob)
{
	reader_stop(&self->rd);
	if (self->fd >= 0)
		close(self->fd);
	reclist_free(&self->l);
	free(self->buf);
	env_teardown(&self->env);
}

#define EXPECT_ERRNO(err, call)						\
	do {								\
		errno = 0;						\
		EXPECT_EQ(-1, (long)(call)) TH_LOG("%s succeeded", #call); \
		EXPECT_EQ(err, errno) TH_LOG("%s: %s", #call,		\
					     strerror(errno));		\
	} while (0)

/* ---- unbound ------------------------------------------------------------ */

TEST_F(rob, unbound_needs_binding_enxio)
{
	uint8_t oid[8 + 4] = { 0 };
	struct npf_oid_data *o = (struct npf_oid_data *)oid;
	uint32_t dlt;

	EXPECT_ERRNO(ENXIO, read(self->fd, self->buf, BIG));
	EXPECT_ERRNO(ENXIO, ioctl(self->fd, BIOCGDLT, &dlt));
	o->oid = OID_GEN_CURRENT_PACKET_FILTER;
	o->length = 4;
	*(uint32_t *)o->data = NDIS_PACKET_TYPE_PROMISCUOUS;
	EXPECT_ERRNO(ENXIO, ioctl(self->fd, BIOCSETOID, o));
	o->length = 4;
	EXPECT_ERRNO(ENXIO, ioctl(self->fd, BIOCQUERYOID, o));
	/* and with O_NONBLOCK the answer is the same, not EAGAIN */
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	EXPECT_ERRNO(ENXIO, read(self->fd, self->buf, BIG));
}

TEST_F(rob, unbound_can_be_configured)
{
	struct sock_filter ret[] = { { BPF_RET | BPF_K, 0, 0, 65535 } };
	struct npf_version v = { 0xffff, 0xffff, 0xffffffff };
	int64_t t0, dt;

	EXPECT_EQ(0, npf_set_bufsize(self->fd, 65536)) TH_LOG("%s", npf_err);
	EXPECT_EQ(0, npf_set_filter(self->fd, ret, 1)) TH_LOG("%s", npf_err);
	EXPECT_EQ(0, npf_set_timeout(self->fd, 250)) TH_LOG("%s", npf_err);
	EXPECT_EQ(0, npf_set_mintocopy(self->fd, 1000)) TH_LOG("%s", npf_err);
	EXPECT_EQ(0, ioctl(self->fd, BIOCVERSION, &v))
		TH_LOG("BIOCVERSION: %s", strerror(errno));
	EXPECT_EQ(NPF_VERSION_MAJOR, v.major);
	EXPECT_EQ(NPF_VERSION_MINOR, v.minor);
	EXPECT_EQ(0U, v.pad);
	/* the configuration survives the bind: timeout 250 ms, no traffic */
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
	t0 = now_ms();
	EXPECT_EQ(0, read(self->fd, self->buf, BIG));
	dt = now_ms() - t0;
	EXPECT_LE(250 - 12, dt);
	EXPECT_GT(250 + LATE, dt);
}

/* ---- BIOCSETIF ------------------------------------------------------ */

TEST_F(rob, setif_bad_names)
{
	struct npf_ifname n;

	EXPECT_ERRNO(ENODEV, npf_bind(self->fd, "npfnosuchdev"));
	EXPECT_ERRNO(EINVAL, npf_bind(self->fd, ""));
	memset(&n, 'x', sizeof(n));	/* no NUL anywhere */
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCSETIF, &n));
	memcpy(n.name, IF_A, strlen(IF_A));	/* a real name, unterminated */
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, BIOCSETIF, &n));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSETIF, self->bad));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSETIF, NULL));
	/* still unbound after all that */
	EXPECT_ERRNO(ENXIO, read(self->fd, self->buf, BIG));
	/* and a good name works */
	EXPECT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("%s", npf_err);
}

/* Names are looked up in the opener's namespace, not the caller's. */
TEST_F_TIMEOUT(rob, setif_uses_openers_netns, 60)
{
	struct frame f;
	struct npf_stats st;
	int fd2;

	/* self->fd was opened in the fixture's namespace N1; move to N2
	 * where IF_A is another veth */
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	fd2 = npf_open(0);
	ASSERT_LE(0, fd2) TH_LOG("%s", npf_err);
	EXPECT_ERRNO(ENODEV, npf_bind(fd2, IF_A));
	ASSERT_EQ(0, link_add_veth(IF_A, IF_B)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(fd2, IF_A)) TH_LOG("N2: %s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A)) TH_LOG("N1 via old fd: %s",
						      npf_err);
	/* the senders still live in N1 */
	mk_udp4(&f, self->env.mac_a, self->env.mac_b, "10.0.0.2", "10.0.0.1",
		1, 2, 100, 0);
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 1, 10000))
		TH_LOG("the old fd is not bound to N1's %s: %s", IF_A, npf_err);
	sleep_ms(200);
	ASSERT_EQ(0, npf_stats(fd2, &st));
	EXPECT_EQ(0ULL, st.bs_recv) TH_LOG("N2's open saw N1's frame");
	close(fd2);
}

/* An adapter with a link header that is not Ethernet (an NBMA GRE
 * tunnel, ARPHRD_IPGRE with header_ops): EOPNOTSUPP, still unbound. */
TEST_F(rob, setif_unsupported_linktype)
{
	if (system("ip link add npfgre0 type gre local 10.0.0.1 2>/dev/null"))
		SKIP(return, "this kernel cannot create a gre device");
	EXPECT_ERRNO(EOPNOTSUPP, npf_bind(self->fd, "npfgre0"));
	EXPECT_ERRNO(ENXIO, read(self->fd, self->buf, BIG));
}

/* Rebinding moves the open to the other adapter. */
TEST_F_TIMEOUT(rob, rebind_to_other_adapter, 60)
{
	struct frame f[2];

	mk_udp4(&f[0], self->env.mac_b, self->env.mac_a, "10.0.0.1",
		"10.0.0.2", 1, 2, 100, 0);
	mk_udp4(&f[1], self->env.mac_b, self->env.mac_a, "10.0.0.1",
		"10.0.0.2", 1, 2, 100, 1);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_bind(self->fd, IF_B));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	/* out of A, into B: B sees it as received */
	ASSERT_EQ(0, tx_send_all(self->env.tx_a, f, 2));
	ASSERT_EQ(2, collect(self->fd, &self->l, 2, 10000, BIG))
		TH_LOG("%s", npf_err);
	EXPECT_TRUE(rec_matches(&self->l.r[0], &f[0]));
	EXPECT_TRUE(rec_matches(&self->l.r[1], &f[1]));
}

/* ---- read buffer sizes ---------------------------------------------- */

TEST_F_TIMEOUT(rob, short_read_buffer_emsgsize_loses_nothing, 60)
{
	struct frame f[2];
	ssize_t n;

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	/* nothing buffered: no record to be too small for */
	EXPECT_EQ(0, read(self->fd, self->buf, 16));
	/* a 200-byte frame is a 232-byte record, no padding */
	mk_udp4(&f[0], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 200, 0);
	mk_udp4(&f[1], self->env.mac_a, self->env.mac_b, "10.0.0.2",
		"10.0.0.1", 1, 2, 200, 1);
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 2));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 2, 10000))
		TH_LOG("%s", npf_err);
	EXPECT_ERRNO(EMSGSIZE, read(self->fd, self->buf, 1));
	EXPECT_ERRNO(EMSGSIZE, read(self->fd, self->buf, 16));
	EXPECT_ERRNO(EMSGSIZE, read(self->fd, self->buf, HDRLEN));
	EXPECT_ERRNO(EMSGSIZE, read(self->fd, self->buf, RECLEN(200) - 1));
	/* exactly one record's worth: one record */
	n = read(self->fd, self->buf, RECLEN(200));
	ASSERT_EQ((ssize_t)RECLEN(200), n) TH_LOG("read: %s", strerror(errno));
	ASSERT_EQ(1, parse_records(self->buf, n, &self->l, false));
	EXPECT_TRUE(rec_matches(&self->l.r[0], &f[0]));
	EXPECT_ERRNO(EMSGSIZE, read(self->fd, self->buf, 100));
	n = read(self->fd, self->buf, BIG);
	ASSERT_EQ(1, parse_records(self->buf, n, &self->l, false));
	EXPECT_TRUE(rec_matches(&self->l.r[1], &f[1]));
}

/* ---- bad pointers, unknown ioctls ------------------------------------ */

TEST_F_TIMEOUT(rob, bad_pointers_efault, 60)
{
	struct frame f;

	/* unbound-legal ioctls first */
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSETBUFFERSIZE, self->bad));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSRTIMEOUT, self->bad));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSMINTOCOPY, self->bad));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSETF, self->bad));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCVERSION, self->bad));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCVERSION, NULL));

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCGSTATS, self->bad));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCGSTATSEX, self->bad));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCGSTATSEX, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCGDLT, self->bad));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSETOID, self->bad));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCQUERYOID, self->bad));
	EXPECT_ERRNO(EFAULT, ioctl(self->fd, BIOCSETIF, self->bad));

	/* read into a bad buffer with a record waiting */
	ASSERT_EQ(0, npf_set_timeout(self->fd, -1));
	mk_udp4(&f, self->env.mac_a, self->env.mac_b, "10.0.0.2", "10.0.0.1",
		1, 2, 100, 0);
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 1, 10000))
		TH_LOG("%s", npf_err);
	EXPECT_ERRNO(EFAULT, read(self->fd, self->bad, 4096));
	/* the open still works */
	ASSERT_EQ(0, tx_send(self->env.tx_b, &f));
	EXPECT_LE(1, collect(self->fd, &self->l, 1, 10000, BIG));
}

TEST_F(rob, unknown_ioctls_enotty)
{
	uint32_t v = 0;
	struct termios t;

	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(NPF_IOC_MAGIC, 0x7f)));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IOR(NPF_IOC_MAGIC, 0x7e, uint32_t), &v));
	/* a known number with the wrong size or direction is another cmd */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IOW(NPF_IOC_MAGIC, 0x01, uint32_t), &v));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IOR(NPF_IOC_MAGIC, 0x03, uint32_t), &v));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(NPF_IOC_MAGIC, 0x05)));
	/* someone else's magic */
	EXPECT_ERRNO(ENOTTY, tcgetattr(self->fd, &t));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IOR('T', 0x60, uint32_t), &v));
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(NPF_IOC_MAGIC, 0x7f)));
}

/* ---- privilege ------------------------------------------------------- */

static int capset_drop(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[cap / 32].effective &= ~(1u << (cap % 32));
	d[cap / 32].permitted &= ~(1u << (cap % 32));
	d[cap / 32].inheritable &= ~(1u << (cap % 32));
	return syscall(SYS_capset, &h, d);
}

/* Run fn in a child; its exit status is 0 when open() worked, else errno
 * (or 250+ for a setup failure). */
static int in_child(int (*fn)(const char *), const char *path)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(fn(path));
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 255;
	return WEXITSTATUS(st);
}

static int try_open(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int open_without_net_raw(const char *path)
{
	if (capset_drop(CAP_NET_RAW))
		return 250;
	return try_open(path);
}

static int open_as_nobody(const char *path)
{
	if (prctl(PR_SET_KEEPCAPS, 0) || setgroups(0, NULL) ||
	    setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return 250;
	return try_open(path);
}

TEST_F(rob, open_needs_cap_net_raw)
{
	char node[64];
	struct stat st;
	int r;

	EXPECT_EQ(0, in_child(try_open, NPF_DEV));
	r = in_child(open_without_net_raw, NPF_DEV);
	EXPECT_EQ(EPERM, r) TH_LOG("open without CAP_NET_RAW: %s",
				   r == 250 ? "capset failed" : strerror(r));

	/* an unprivileged user on a 0666 node: DAC lets it through, the
	 * capability check does not. A private node, not /dev/npf's mode. */
	ASSERT_EQ(0, stat(NPF_DEV, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	snprintf(node, sizeof(node), "/dev/.npf-selftest-%d", getpid());
	unlink(node);
	ASSERT_EQ(0, mknod(node, S_IFCHR | 0666, st.st_rdev))
		TH_LOG("mknod %s: %s", node, strerror(errno));
	ASSERT_EQ(0, chmod(node, 0666));
	r = in_child(open_as_nobody, node);
	unlink(node);
	EXPECT_EQ(EPERM, r) TH_LOG("uid 65534 on a 0666 node: %s",
				   r == 250 ? "setresuid failed" : strerror(r));
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* In a new user namespace mapping uid 0 to uid 0; with own_netns also a
 * network namespace that this user namespace owns. */
static int userns_open(bool own_netns)
{
	if (unshare(CLONE_NEWUSER))
		return errno == EPERM || errno == EINVAL ? 251 : 250;
	if (write_file("/proc/self/uid_map", "0 0 1"))
		return 252;
	if (own_netns && unshare(CLONE_NEWNET))
		return 253;
	return try_open(NPF_DEV);
}

static int userns_own(const char *unused)
{
	(void)unused;
	return userns_open(true);
}

static int userns_foreign(const char *unused)
{
	(void)unused;
	return userns_open(false);
}

/* CAP_NET_RAW counts in the user namespace owning the opener's netns. */
TEST_F(rob, open_cap_checked_in_netns_owner)
{
	int own = in_child(userns_own, NULL);
	int foreign = in_child(userns_foreign, NULL);

	if (own == 251 || foreign == 251)
		SKIP(return, "cannot create a user namespace here (chroot?)");
	EXPECT_EQ(0, own) TH_LOG("root of a userns owning the netns: %s",
				 own >= 250 ? "setup failed" : strerror(own));
	EXPECT_EQ(EPERM, foreign)
		TH_LOG("root of a userns in a netns it does not own: %s",
		       foreign >= 250 ? "setup failed" : strerror(foreign));
}

/* ---- the adapter goes away ------------------------------------------- */

/* A reader blocked without timeout wakes when the adapter is deleted,
 * gets the buffered records, then ENODEV. */
TEST_F_TIMEOUT(rob, device_removal_drains_then_enodev, 60)
{
	struct frame f[3];
	struct pollfd p;
	int c;

	for (int i = 0; i < 3; i++)
		mk_udp4(&f[i], self->env.mac_a, self->env.mac_b, "10.0.0.2",
			"10.0.0.1", 1, 2, 100, i);
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	ASSERT_EQ(0, tx_send_all(self->env.tx_b, f, 3));
	ASSERT_EQ(0, npf_wait_accounted(self->fd, 3, 10000))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, reader_start(&self->rd, self->fd)) TH_LOG("%s", npf_err);
	EXPECT_FALSE(reader_wait(&self->rd, 500))
		TH_LOG("read returned %zd before the removal", self->rd.ret);
	/* deleting the peer deletes both ends */
	ASSERT_EQ(0, link_del(IF_B)) TH_LOG("%s", npf_err);
	ASSERT_TRUE(reader_wait(&self->rd, LATE))
		TH_LOG("blocked reader not woken by the removal");
	c = self->rd.ret > 0 ?
		parse_records(self->rd.buf, self->rd.ret, &self->l, false) : -1;
	EXPECT_EQ(3, c) TH_LOG("first read after removal: %zd (%s)",
			       self->rd.ret, strerror(self->rd.err));
	for (int i = 0; i < c && i < 3; i++) {
		EXPECT_TRUE(rec_matches(&self->l.r[i], &f[i]));
	}
	p.fd = self->fd;
	p.events = POLLIN;
	p.revents = 0;
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & (POLLIN | POLLERR | POLLHUP))
		TH_LOG("revents %#x", p.revents);
	EXPECT_ERRNO(ENODEV, read(self->fd, self->buf, BIG));
	EXPECT_ERRNO(ENODEV, read(self->fd, self->buf, BIG));
	/* and the requests that need the adapter */
	{
		uint8_t oid[8 + 4] = { 0 };
		struct npf_oid_data *o = (struct npf_oid_data *)oid;
		uint32_t dlt;

		EXPECT_ERRNO(ENODEV, ioctl(self->fd, BIOCGDLT, &dlt));
		o->oid = OID_GEN_CURRENT_PACKET_FILTER;
		o->length = 4;
		EXPECT_ERRNO(ENODEV, ioctl(self->fd, BIOCSETOID, o));
		o->length = 4;
		EXPECT_ERRNO(ENODEV, ioctl(self->fd, BIOCQUERYOID, o));
	}
	/* the open can be bound again */
	EXPECT_EQ(0, npf_bind(self->fd, "lo")) TH_LOG("%s", npf_err);
}

TEST_F_TIMEOUT(rob, device_removal_empty_reader_enodev, 60)
{
	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	ASSERT_EQ(0, reader_start(&self->rd, self->fd)) TH_LOG("%s", npf_err);
	EXPECT_FALSE(reader_wait(&self->rd, 500));
	ASSERT_EQ(0, link_del(IF_A)) TH_LOG("%s", npf_err);
	ASSERT_TRUE(reader_wait(&self->rd, LATE))
		TH_LOG("blocked reader not woken by the removal");
	EXPECT_EQ(-1, self->rd.ret);
	EXPECT_EQ(ENODEV, self->rd.err) TH_LOG("%s", strerror(self->rd.err));
}

TEST_F_TIMEOUT(rob, device_removal_wakes_poller, 60)
{
	struct pollfd p = { .events = POLLIN };
	int64_t t0, dt;
	pid_t pid;
	int r;

	ASSERT_EQ(0, npf_bind(self->fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(self->fd, 0));
	p.fd = self->fd;
	EXPECT_EQ(0, poll(&p, 1, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		sleep_ms(500);
		_exit(link_del(IF_A) ? 1 : 0);
	}
	t0 = now_ms();
	r = poll(&p, 1, 20000);
	dt = now_ms() - t0;
	waitpid(pid, NULL, 0);
	EXPECT_EQ(1, r);
	EXPECT_TRUE(p.revents & (POLLIN | POLLERR | POLLHUP))
		TH_LOG("revents %#x", p.revents);
	EXPECT_GT(500 + LATE, dt);
	EXPECT_ERRNO(ENODEV, read(self->fd, self->buf, BIG));
}

/* ---- module lifetime --------------------------------------------------- */

TEST_F(rob, open_fd_pins_module)
{
	long long base, r;
	int a, b;

	/* no fd of ours open: the base count */
	close(self->fd);
	self->fd = -1;
	base = file_read_ll("/sys/module/npf/refcnt");
	ASSERT_LE(0, base) TH_LOG("%s", npf_err);
	a = npf_open(0);
	ASSERT_LE(0, a);
	r = file_read_ll("/sys/module/npf/refcnt");
	EXPECT_LT(base, r) TH_LOG("an open fd does not pin the module (refcnt %lld)",
				  r);
	b = npf_open(0);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, npf_bind(b, IF_A));
	close(a);
	r = file_read_ll("/sys/module/npf/refcnt");
	EXPECT_LT(base, r) TH_LOG("a bound fd does not pin the module");
	close(b);
	r = file_read_ll("/sys/module/npf/refcnt");
	EXPECT_EQ(base, r) TH_LOG("refcnt %lld after closing, %lld before", r,
				  base);
}

TEST_HARNESS_MAIN
