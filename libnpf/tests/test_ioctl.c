// SPDX-License-Identifier: MIT
/*
 * The ioctls the library issues, checked against a fake kernel: this file
 * defines ioctl(), which the libnpf.a objects of the test binary call.
 * While fake.on is false every call goes to the real system call. The
 * "device" is /dev/null (opens read-write; reads return 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"

#define MAXCALLS	8

/* One answer to a send queue: the bytes "sent", then this errno (or 0). */
struct fake_sendq {
	uint32_t consumed;
	int err;
};

static struct {
	bool on;
	int fail_errno;			/* != 0: every call fails with it */
	unsigned long fail_req;		/* this request fails with... */
	int fail_req_errno;		/* ...this errno */
	int ncalls;
	unsigned long req[MAXCALLS];
	uint8_t arg[MAXCALLS][64];	/* what the caller passed */
	int64_t ns[MAXCALLS];		/* when (CLOCK_MONOTONIC) */
	char path[256];			/* of the last BIOCSETDUMPFILENAME */
	/* the descriptor of the last BIOCSETDUMPFD, as the kernel saw it */
	int dfd_ok;			/* fstat and fcntl worked */
	struct stat dfd_st;
	int dfd_fl, dfd_fdfl;		/* F_GETFL, F_GETFD */
	uint32_t consumed;		/* send queues: bytes "sent" */
	struct fake_sendq sendq[MAXCALLS];	/* scripted answers, first */
	int nsendq, sendq_calls;
	int ended_from;			/* BIOCISDUMPENDED: 1 from this call */
	int ended_calls;
} fake;

/* What a query returns: BIOCGSTATS, BIOCGDLT, BIOCQUERYOID... */
static const struct bpf_stat fake_stats = { 10, 2, 1, 7 };
static const struct npf_stats fake_stats64 = {
	.bs_recv = 1ULL << 40, .bs_capt = 7, .bs_sent = 100000,
	.bs_sent_bytes = 6000000, .bs_senterr = 3,
};
static const struct npf_dump_stats fake_dump = {
	.packets = 10, .bytes = 24 + 10 * 76, .error = -ENOSPC, .ended = 1,
	.active = 1,
};
static const uint8_t fake_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static bool is_sendq(unsigned long req)
{
	return req == BIOCSENDPACKETSNOSYNC || req == BIOCSENDPACKETSSYNC;
}

static void fake_answer(unsigned long req, void *arg)
{
	struct npf_oid_data *oid = arg;
	uint32_t dlt = NPF_LINKTYPE_ETHERNET, ended;

	if (req == BIOCGSTATS) {
		memcpy(arg, &fake_stats, sizeof(fake_stats));
	} else if (req == BIOCGSTATSEX) {
		memcpy(arg, &fake_stats64, sizeof(fake_stats64));
	} else if (req == BIOCGDUMPSTATS) {
		memcpy(arg, &fake_dump, sizeof(fake_dump));
	} else if (req == BIOCISDUMPENDED) {
		fake.ended_calls++;
		ended = fake.ended_from && fake.ended_calls >= fake.ended_from;
		memcpy(arg, &ended, sizeof(ended));
	} else if (req == BIOCGDLT) {
		memcpy(arg, &dlt, sizeof(dlt));
	} else if (req == BIOCQUERYOID && oid->length >= sizeof(fake_mac)) {
		memcpy(oid->data, fake_mac, sizeof(fake_mac));
		oid->length = sizeof(fake_mac);
	}
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* What the kernel looks at behind the argument: the descriptor. */
static void fake_dump_fd(const struct npf_dump_fd *df)
{
	fake.dfd_fl = fcntl(df->fd, F_GETFL);
	fake.dfd_fdfl = fcntl(df->fd, F_GETFD);
	fake.dfd_ok = fake.dfd_fl >= 0 && fake.dfd_fdfl >= 0 &&
		      !fstat(df->fd, &fake.dfd_st);
}

/*
 * What the kernel reads behind the argument (the path, the descriptor,
 * the queue) and writes back; the errno the call fails with, or 0.
 */
static int fake_follow(unsigned long req, void *arg)
{
	const struct npf_dump_name *dn = arg;
	struct npf_sendq *q = arg;
	int err = req == fake.fail_req ? fake.fail_req_errno : fake.fail_errno;

	if (req == BIOCSETDUMPFILENAME)
		snprintf(fake.path, sizeof(fake.path), "%s",
			 (const char *)(uintptr_t)dn->path);
	if (req == BIOCSETDUMPFD)
		fake_dump_fd(arg);
	if (!is_sendq(req))
		return err;
	/* Written back on success and on failure alike. */
	if (fake.sendq_calls < fake.nsendq) {
		q->consumed = fake.sendq[fake.sendq_calls].consumed;
		err = fake.sendq[fake.sendq_calls].err;
	} else {
		q->consumed = fake.consumed;
	}
	fake.sendq_calls++;
	return err;
}

/* How much of the argument to record: the ioctl size, OID data too. */
static size_t fake_arg_len(unsigned long req, const void *arg)
{
	size_t len = _IOC_SIZE(req);

	if (req == BIOCSETOID || req == BIOCQUERYOID)
		len += ((const struct npf_oid_data *)arg)->length;
	return len < sizeof(fake.arg[0]) ? len : sizeof(fake.arg[0]);
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int err;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!fake.on)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	if (fake.ncalls < MAXCALLS) {
		fake.req[fake.ncalls] = req;
		memcpy(fake.arg[fake.ncalls], arg, fake_arg_len(req, arg));
		fake.ns[fake.ncalls] = mono_ns();
		fake.ncalls++;
	}
	err = fake_follow(req, arg);
	if (err) {
		errno = err;
		return -1;
	}
	fake_answer(req, arg);
	return 0;
}

static const char *saved_path;

static void fake_start(void)
{
	memset(&fake, 0, sizeof(fake));
	saved_path = npf_device_path;
	npf_device_path = "/dev/null";
	fake.on = true;
}

static void fake_stop(void)
{
	fake.on = false;
	npf_device_path = saved_path;
}

/* The adapter the cases work on, opened through the fake. */
static LPADAPTER open_fake(void)
{
	LPADAPTER a = PacketOpenAdapter("\\Device\\NPF_eth0");

	fake.ncalls = 0;
	return a;
}

/* The last call was @req with a 32-bit argument @v. */
static int last_u32(unsigned long req, uint32_t v)
{
	uint32_t got;

	if (fake.ncalls < 1 || fake.req[fake.ncalls - 1] != req)
		return 0;
	memcpy(&got, fake.arg[fake.ncalls - 1], sizeof(got));
	return got == v;
}

static void open_binds(void)
{
	struct npf_ifname want = { "eth0" };
	LPADAPTER a;

	fake_start();
	a = PacketOpenAdapter("\\Device\\NPF_eth0");
	CHECK(a != NULL);
	CHECK(fake.ncalls == 1 && fake.req[0] == BIOCSETIF);
	/* The whole name, NUL-padded: the kernel copies 16 bytes. */
	CHECK(!memcmp(fake.arg[0], &want, sizeof(want)));
	if (a) {
		CHECK(a->hFile >= 0);
		CHECK(PacketGetReadEvent(a) == a->hFile);
		CHECK(!strcmp(a->Name, "eth0"));
		CHECK(a->NumWrites == 1);
	}
	PacketCloseAdapter(a);
	fake_stop();
}

static void open_bind_fails(void)
{
	fake_start();
	fake.fail_errno = ENODEV;
	CHECK_ERR(PacketOpenAdapter("nosuch0"), NULL, ENODEV);
	fake_stop();
}

static void u32_parameters(void)
{
	LPADAPTER a;

	fake_start();
	a = open_fake();
	CHECK(a != NULL);
	if (!a)
		goto out;
	CHECK(PacketSetBuff(a, 2000000) && last_u32(BIOCSETBUFFERSIZE, 2000000));
	CHECK(PacketSetMinToCopy(a, 0) && last_u32(BIOCSMINTOCOPY, 0));
	CHECK(PacketSetMode(a, PACKET_MODE_STAT) &&
	      last_u32(BIOCSMODE, NPF_MODE_STAT));
	CHECK(PacketSetNumWrites(a, 1000) && last_u32(BIOCSWRITEREP, 1000));
	CHECK(a->NumWrites == 1000);
	CHECK(PacketSetLoopbackBehavior(a, NPF_DISABLE_LOOPBACK) &&
	      last_u32(BIOCISETLOBBEH, NPF_DISABLE_LOOPBACK));
	CHECK(PacketSetReadTimeout(a, -1) &&
	      last_u32(BIOCSRTIMEOUT, (uint32_t)-1));
	CHECK(PacketSetReadTimeout(a, 1000) && last_u32(BIOCSRTIMEOUT, 1000));
	CHECK(PacketGetLinkType(a) == NPF_LINKTYPE_ETHERNET);
	CHECK(fake.req[fake.ncalls - 1] == BIOCGDLT);
	/* Kernel errors come back as FALSE and errno. */
	fake.fail_errno = EINVAL;
	CHECK_ERR(PacketSetBuff(a, 1), FALSE, EINVAL);
	CHECK_ERR(PacketSetNumWrites(a, 7), FALSE, EINVAL);
	CHECK(a->NumWrites == 1000);
	/* No ioctl for the snap length. */
	fake.ncalls = 0;
	CHECK(PacketSetSnapLen(a, 96) == 0 && fake.ncalls == 0);
out:
	PacketCloseAdapter(a);
	fake_stop();
}

static void set_bpf(void)
{
	struct bpf_insn insns[2] = {
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 },
		{ BPF_RET | BPF_K, 0, 0, 96 },
	};
	struct bpf_program fp = { 2, insns };
	struct npf_program np;
	LPADAPTER a;

	fake_start();
	a = open_fake();
	CHECK(a && PacketSetBpf(a, &fp));
	CHECK(fake.ncalls == 1 && fake.req[0] == BIOCSETF);
	memcpy(&np, fake.arg[0], sizeof(np));
	CHECK(np.bf_len == 2 && np.bf_pad == 0);
	CHECK(np.bf_insns == (uintptr_t)insns);
	PacketCloseAdapter(a);
	fake_stop();
}

static void stats(void)
{
	struct bpf_stat st;
	LPADAPTER a;

	fake_start();
	a = open_fake();
	memset(&st, 0, sizeof(st));
	CHECK(a && PacketGetStats(a, &st));
	CHECK(!memcmp(&st, &fake_stats, sizeof(st)));
	memset(&st, 0, sizeof(st));
	CHECK(a && PacketGetStatsEx(a, &st));
	CHECK(st.bs_recv == 10 && st.bs_drop == 2 && st.ps_ifdrop == 1 &&
	      st.bs_capt == 7);
	CHECK(fake.ncalls == 2 && fake.req[0] == BIOCGSTATS &&
	      fake.req[1] == BIOCGSTATS);
	PacketCloseAdapter(a);
	fake_stop();
}

static void oid_requests(void)
{
	uint8_t room[sizeof(PACKET_OID_DATA) + 16];
	PPACKET_OID_DATA oid = (PPACKET_OID_DATA)room;
	struct npf_oid_data *sent;
	uint32_t filter;
	LPADAPTER a;

	CHECK(_IOC_SIZE(BIOCSETOID) == 8 && _IOC_SIZE(BIOCQUERYOID) == 8);
	fake_start();
	a = open_fake();
	CHECK(a && PacketSetHwFilter(a, NDIS_PACKET_TYPE_PROMISCUOUS));
	CHECK(fake.ncalls == 1 && fake.req[0] == BIOCSETOID);
	sent = (struct npf_oid_data *)fake.arg[0];
	memcpy(&filter, sent->data, sizeof(filter));
	CHECK(sent->oid == OID_GEN_CURRENT_PACKET_FILTER);
	CHECK(sent->length == 4 && filter == NDIS_PACKET_TYPE_PROMISCUOUS);

	memset(room, 0, sizeof(room));
	oid->Oid = OID_802_3_CURRENT_ADDRESS;
	oid->Length = 16;
	CHECK(a && PacketRequest(a, FALSE, oid));
	CHECK(fake.req[fake.ncalls - 1] == BIOCQUERYOID);
	CHECK(oid->Length == 6 && !memcmp(oid->Data, fake_mac, 6));

	/* A set carries the head and Length bytes of data behind it. */
	memset(room, 0, sizeof(room));
	oid->Oid = OID_802_3_MULTICAST_LIST;
	oid->Length = 12;
	memcpy(oid->Data, "\x01\x00\x5e\x01\x02\x03\x33\x33\x00\x00\x12\x34",
	       12);
	CHECK(a && PacketRequest(a, TRUE, oid));
	sent = (struct npf_oid_data *)fake.arg[fake.ncalls - 1];
	CHECK(fake.req[fake.ncalls - 1] == BIOCSETOID);
	CHECK(sent->oid == OID_802_3_MULTICAST_LIST && sent->length == 12);
	CHECK(!memcmp(sent->data, oid->Data, 12));
	PacketCloseAdapter(a);
	fake_stop();
}

static void stats64(void)
{
	struct npf_stats st;
	LPADAPTER a;

	fake_start();
	a = open_fake();
	memset(&st, 0xff, sizeof(st));
	CHECK(a && PacketGetNpfStats(a, &st));
	CHECK(!memcmp(&st, &fake_stats64, sizeof(st)));
	CHECK(fake.ncalls == 1 && fake.req[0] == BIOCGSTATSEX);
	PacketCloseAdapter(a);
	fake_stop();
}

/* The last call was @req with @len bytes of argument @want. */
static int last_arg(unsigned long req, const void *want, size_t len)
{
	return fake.ncalls >= 1 && fake.req[fake.ncalls - 1] == req &&
	       !memcmp(fake.arg[fake.ncalls - 1], want, len);
}

/* A directory of its own for a case's files, and the way back. */
static char case_dir[64];
static int case_cwd = -1;

static int case_dir_make(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(case_dir, sizeof(case_dir), "%s/libnpf-test.XXXXXX",
		 base && strlen(base) < 32 ? base : "/tmp");
	if (!mkdtemp(case_dir)) {
		case_dir[0] = '\0';
		return -1;
	}
	case_cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return case_cwd < 0 || chdir(case_dir) < 0 ? -1 : 0;
}

static void case_dir_remove(void)
{
	char cmd[128];

	if (case_cwd >= 0) {
		if (fchdir(case_cwd) < 0)
			CHECK(0);
		close(case_cwd);
		case_cwd = -1;
	}
	if (!case_dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", case_dir);
	if (system(cmd))
		printf("  cannot remove %s\n", case_dir);
	case_dir[0] = '\0';
}

/* The lowest free descriptor: equal before and after means no leak. */
static int next_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* The argument of call @i, a BIOCSETDUMPFD. */
static struct npf_dump_fd dump_fd_arg(int i)
{
	struct npf_dump_fd df;

	memcpy(&df, fake.arg[i], sizeof(df));
	return df;
}

/*
 * Call @i was BIOCSETDUMPFD with flags 0 and a descriptor of @path: a
 * regular file open write-only, not O_APPEND, not O_NONBLOCK (as fopen's),
 * close-on-exec, of mode @mode; closed again once the call returned (the
 * module holds its own reference).
 */
static int gave_file(int i, const char *path, mode_t mode)
{
	struct npf_dump_fd df = dump_fd_arg(i);
	struct stat st;

	return fake.ncalls > i && fake.req[i] == BIOCSETDUMPFD &&
	       df.flags == 0 && fake.dfd_ok && !stat(path, &st) &&
	       st.st_dev == fake.dfd_st.st_dev &&
	       st.st_ino == fake.dfd_st.st_ino && S_ISREG(st.st_mode) &&
	       (st.st_mode & 07777) == mode &&
	       (fake.dfd_fl & O_ACCMODE) == O_WRONLY &&
	       !(fake.dfd_fl & (O_APPEND | O_NONBLOCK)) &&
	       (fake.dfd_fdfl & FD_CLOEXEC) &&
	       fcntl(df.fd, F_GETFD) < 0 && errno == EBADF;
}

static long long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : (long long)st.st_size;
}

static void dump_calls(void)
{
	struct npf_dump_limits lim = { 1500000, 10 };
	struct npf_dump_stats ds;
	char name[8] = "abc.pcap";	/* no NUL: len says where it ends */
	LPADAPTER a;
	mode_t mask = umask(022);

	fake_start();
	a = open_fake();
	CHECK(a != NULL);
	CHECK(case_dir_make() == 0);
	if (!a || !case_dir[0])
		goto out;
	/* The library opens it (relative to the working directory). */
	CHECK(PacketSetDumpName(a, name, sizeof(name)));
	CHECK(fake.ncalls == 1 && gave_file(0, "abc.pcap", 0644));
	/* A NUL inside len ends the name. */
	fake.ncalls = 0;
	CHECK(mkdir("d", 0755) == 0);
	CHECK(PacketSetDumpName(a, "d/x.pcap\0junk", 13));
	CHECK(fake.ncalls == 1 && gave_file(0, "d/x.pcap", 0644));
	CHECK(size_of("d/x.pcap") == 0 && size_of("d/x.pcapjunk") < 0);
	CHECK(PacketSetDumpLimits(a, 1500000, 10));
	CHECK(last_arg(BIOCSETDUMPLIMITS, &lim, sizeof(lim)));
	lim.max_bytes = 5ULL << 32;
	lim.max_packets = 0;
	CHECK(PacketSetDumpLimitsEx(a, 5ULL << 32, 0));
	CHECK(last_arg(BIOCSETDUMPLIMITS, &lim, sizeof(lim)));
	CHECK(PacketGetDumpStats(a, &ds));
	CHECK(!memcmp(&ds, &fake_dump, sizeof(ds)));
	/* The module's refusal is the call's. */
	fake.fail_errno = ENODEV;
	CHECK_ERR(PacketSetDumpName(a, name, sizeof(name)), FALSE, ENODEV);
out:
	PacketCloseAdapter(a);
	fake_stop();
	case_dir_remove();
	umask(mask);
}

/*
 * PacketSetDumpName() opens the file as fopen(name, "w") would: created
 * with 0666 less the umask, truncated, through a symlink; the module gets
 * the descriptor, which the library closes again.
 */
static void dump_name_opens_file(void)
{
	mode_t mask = umask(077);
	int fd, lowest = next_fd();
	LPADAPTER a;

	fake_start();
	a = open_fake();
	CHECK(a != NULL);
	CHECK(case_dir_make() == 0);
	if (!a || !case_dir[0])
		goto out;
	CHECK(PacketSetDumpName(a, "a.pcap", 6));
	CHECK(fake.ncalls == 1 && gave_file(0, "a.pcap", 0600));
	umask(022);
	fake.ncalls = 0;
	CHECK(PacketSetDumpName(a, "b.pcap", 6));
	CHECK(fake.ncalls == 1 && gave_file(0, "b.pcap", 0644));
	umask(0);
	fake.ncalls = 0;
	CHECK(PacketSetDumpName(a, "c.pcap", 6));
	CHECK(fake.ncalls == 1 && gave_file(0, "c.pcap", 0666));

	/* an existing file: cut to nothing, its mode kept */
	fd = open("old.pcap", O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
	CHECK(fd >= 0 && write(fd, "old data", 8) == 8);
	close(fd);
	CHECK(chmod("old.pcap", 0640) == 0);
	fake.ncalls = 0;
	CHECK(PacketSetDumpName(a, "old.pcap", 8));
	CHECK(fake.ncalls == 1 && gave_file(0, "old.pcap", 0640));
	CHECK(size_of("old.pcap") == 0);

	/* a symlink: followed, its target created */
	umask(022);
	CHECK(mkdir("t", 0755) == 0 && symlink("t/target.pcap", "link") == 0);
	fake.ncalls = 0;
	CHECK(PacketSetDumpName(a, "link", 4));
	CHECK(fake.ncalls == 1 && gave_file(0, "t/target.pcap", 0644));
	CHECK(gave_file(0, "link", 0644));
out:
	PacketCloseAdapter(a);
	fake_stop();
	case_dir_remove();
	CHECK(next_fd() == lowest);
	umask(mask);
}

/*
 * What cannot be a dump file fails before the module is asked, with
 * open()'s errno (EISDIR, ENOENT) or EINVAL for what is there and not a
 * regular file; a FIFO without a reader never blocks the call.
 */
static void dump_name_refused(void)
{
	int lowest = next_fd(), r;
	LPADAPTER a;

	fake_start();
	a = open_fake();
	CHECK(a != NULL);
	CHECK(case_dir_make() == 0);
	if (!a || !case_dir[0])
		goto out;
	CHECK(mkdir("dir", 0755) == 0);
	CHECK_ERR(PacketSetDumpName(a, "dir", 3), FALSE, EISDIR);
	CHECK_ERR(PacketSetDumpName(a, "dir/", 4), FALSE, EISDIR);
	CHECK_ERR(PacketSetDumpName(a, "none/x.pcap", 11), FALSE, ENOENT);
	CHECK_ERR(PacketSetDumpName(a, "/dev/null", 9), FALSE, EINVAL);
	CHECK(mkfifo("fifo", 0644) == 0);
	alarm(10);	/* a blocked open ends the test, not the suite */
	CHECK_ERR(PacketSetDumpName(a, "fifo", 4), FALSE, EINVAL);
	/* with a reader: still not a regular file */
	r = open("fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	CHECK(r >= 0);
	CHECK_ERR(PacketSetDumpName(a, "fifo", 4), FALSE, EINVAL);
	close(r);
	alarm(0);
	CHECK(fake.ncalls == 0);
	/* a place this user may not write (root may write anywhere) */
	if (geteuid() != 0) {
		CHECK(chmod("dir", 0555) == 0);
		CHECK_ERR(PacketSetDumpName(a, "dir/x.pcap", 10), FALSE,
			  EACCES);
		CHECK(fake.ncalls == 0);
	}
out:
	PacketCloseAdapter(a);
	fake_stop();
	case_dir_remove();
	CHECK(next_fd() == lowest);
}

/*
 * A module older than API 1.2 does not know BIOCSETDUMPFD (ENOTTY): the
 * path goes to BIOCSETDUMPFILENAME. Any other refusal is the call's, with
 * no second try; either way the library's descriptor is closed.
 */
static void dump_name_old_module(void)
{
	int lowest = next_fd();
	struct npf_dump_name dn;
	LPADAPTER a;

	fake_start();
	a = open_fake();
	CHECK(a != NULL);
	CHECK(case_dir_make() == 0);
	if (!a || !case_dir[0])
		goto out;
	fake.fail_req = BIOCSETDUMPFD;
	fake.fail_req_errno = ENOTTY;
	CHECK(PacketSetDumpName(a, "old.pcap\0x", 10));
	CHECK(fake.ncalls == 2 && fake.req[1] == BIOCSETDUMPFILENAME);
	CHECK(!strcmp(fake.path, "old.pcap"));
	memcpy(&dn, fake.arg[1], sizeof(dn));
	CHECK(dn.flags == 0 && dn.pad == 0);
	CHECK(fcntl(dump_fd_arg(0).fd, F_GETFD) < 0 && errno == EBADF);
	/* the old module's own errors */
	fake.ncalls = 0;
	fake.fail_errno = EACCES;
	CHECK_ERR(PacketSetDumpName(a, "old.pcap", 8), FALSE, EACCES);
	CHECK(fake.ncalls == 2);
	/* a new module's refusal: no fallback */
	fake.ncalls = 0;
	fake.fail_req_errno = EBADF;
	fake.fail_errno = 0;
	CHECK_ERR(PacketSetDumpName(a, "old.pcap", 8), FALSE, EBADF);
	CHECK(fake.ncalls == 1 && fake.req[0] == BIOCSETDUMPFD);
	fake.ncalls = 0;
	fake.fail_req_errno = EINVAL;
	CHECK_ERR(PacketSetDumpName(a, "old.pcap", 8), FALSE, EINVAL);
	CHECK(fake.ncalls == 1);
out:
	PacketCloseAdapter(a);
	fake_stop();
	case_dir_remove();
	CHECK(next_fd() == lowest);
}

static void dump_ended(void)
{
	LPADAPTER a;

	fake_start();
	a = open_fake();
	CHECK(a != NULL);
	if (!a)
		goto out;
	/* Not ended: FALSE, errno untouched. */
	errno = 0;
	CHECK(PacketIsDumpEnded(a, FALSE) == FALSE && errno == 0);
	CHECK(fake.ncalls == 1 && fake.req[0] == BIOCISDUMPENDED);
	/* Sync: not yet, wait (/dev/null is readable at once), ended. */
	fake.ncalls = 0;
	fake.ended_calls = 0;
	fake.ended_from = 2;
	CHECK(PacketIsDumpEnded(a, TRUE) == TRUE);
	CHECK(fake.ncalls == 2);
	/* Ended already: no wait, one question. */
	fake.ncalls = 0;
	CHECK(PacketIsDumpEnded(a, TRUE) == TRUE && fake.ncalls == 1);
	fake.fail_errno = ENXIO;
	CHECK_ERR(PacketIsDumpEnded(a, TRUE), FALSE, ENXIO);
out:
	PacketCloseAdapter(a);
	fake_stop();
}

static void send_packets(void)
{
	static uint8_t buf[3 * 76];
	struct npf_sendq q;
	LPADAPTER a;

	fake_start();
	a = open_fake();
	CHECK(a != NULL);
	if (!a)
		goto out;
	fake.consumed = sizeof(buf);
	CHECK(PacketSendPackets(a, buf, sizeof(buf), FALSE) == sizeof(buf));
	CHECK(fake.req[0] == BIOCSENDPACKETSNOSYNC);
	memcpy(&q, fake.arg[0], sizeof(q));
	CHECK(q.buf == (uintptr_t)buf && q.len == sizeof(buf));
	CHECK(q.consumed == 0);		/* an output only */
	CHECK(PacketSendPackets(a, buf, sizeof(buf), TRUE) == sizeof(buf));
	CHECK(fake.req[1] == BIOCSENDPACKETSSYNC);
	/* An entry stopped the queue: the bytes before it, and errno. */
	fake.consumed = 76;
	fake.fail_errno = EMSGSIZE;
	CHECK_ERR(PacketSendPackets(a, buf, sizeof(buf), FALSE), 76, EMSGSIZE);
	fake.consumed = 0;
	fake.fail_errno = ENETDOWN;
	CHECK_ERR(PacketSendPackets(a, buf, sizeof(buf), TRUE), 0, ENETDOWN);
out:
	PacketCloseAdapter(a);
	fake_stop();
}

/* A queue of 3 entries of 60 bytes (76 with the header), at @usec[i]. */
#define ENTRY	76
static void make_queue(uint8_t *buf, const uint32_t sec[3],
		       const uint32_t usec[3])
{
	struct npf_sendq_hdr h = { 0, 0, 60, 60 };
	int i;

	memset(buf, 0x5a, 3 * ENTRY);
	for (i = 0; i < 3; i++) {
		h.tv_sec = sec[i];
		h.tv_usec = usec[i];
		memcpy(buf + i * ENTRY, &h, sizeof(h));
	}
}

/* Call @i sent @len bytes from buf + @off. */
static int sent_from(int i, const uint8_t *buf, uint32_t off, uint32_t len)
{
	struct npf_sendq q;

	memcpy(&q, fake.arg[i], sizeof(q));
	return q.buf == (uintptr_t)buf + off && q.len == len;
}

/* The next calls answer as @n scripted (consumed, errno) pairs. */
static void script(const struct fake_sendq *answers, int n)
{
	memcpy(fake.sendq, answers, (size_t)n * sizeof(*answers));
	fake.nsendq = n;
	fake.sendq_calls = 0;
	fake.ncalls = 0;
}

/*
 * A signal that stops a queue once entries left fails the ioctl with
 * EINTR: the library resumes at buf + consumed until the queue is done or
 * fails otherwise, so that no entry goes twice. EINTR with nothing sent
 * (a handler without SA_RESTART) ends the call.
 */
static void send_packets_resume(void)
{
	static const uint32_t sec[3], usec[3];
	static const struct fake_sendq twice[] = {
		{ ENTRY, EINTR }, { ENTRY, EINTR }, { ENTRY, 0 },
	}, first[] = {
		{ 0, EINTR },
	}, then_handler[] = {
		{ ENTRY, EINTR }, { 0, EINTR },
	}, then_error[] = {
		{ 2 * ENTRY, EINTR }, { 0, EMSGSIZE },
	}, all_went[] = {
		{ 3 * ENTRY, EINTR },
	}, too_much[] = {
		{ 3 * ENTRY + 1, EINTR },
	};
	static uint8_t buf[3 * ENTRY];
	LPADAPTER a;
	int sync;

	make_queue(buf, sec, usec);
	fake_start();
	a = open_fake();
	CHECK(a != NULL);
	if (!a)
		goto out;
	for (sync = 0; sync < 2; sync++) {
		script(twice, 3);
		errno = 0;
		CHECK(PacketSendPackets(a, buf, sizeof(buf), sync) ==
		      sizeof(buf));
		CHECK(fake.ncalls == 3 && sent_from(0, buf, 0, 3 * ENTRY) &&
		      sent_from(1, buf, ENTRY, 2 * ENTRY) &&
		      sent_from(2, buf, 2 * ENTRY, ENTRY));
		CHECK(fake.req[2] == (sync ? BIOCSENDPACKETSSYNC :
					     BIOCSENDPACKETSNOSYNC));

		script(first, 1);
		CHECK_ERR(PacketSendPackets(a, buf, sizeof(buf), sync), 0,
			  EINTR);
		CHECK(fake.ncalls == 1);

		script(then_handler, 2);
		CHECK_ERR(PacketSendPackets(a, buf, sizeof(buf), sync), ENTRY,
			  EINTR);
		CHECK(fake.ncalls == 2 && sent_from(1, buf, ENTRY, 2 * ENTRY));

		script(then_error, 2);
		CHECK_ERR(PacketSendPackets(a, buf, sizeof(buf), sync),
			  2 * ENTRY, EMSGSIZE);
		CHECK(fake.ncalls == 2 && sent_from(1, buf, 2 * ENTRY, ENTRY));

		script(all_went, 1);
		CHECK(PacketSendPackets(a, buf, sizeof(buf), sync) ==
		      sizeof(buf));
		CHECK(fake.ncalls == 1);

		/* a module that says it sent more than it had: no resume */
		script(too_much, 1);
		CHECK_ERR(PacketSendPackets(a, buf, sizeof(buf), sync), 0,
			  EIO);
		CHECK(fake.ncalls == 1);
	}
out:
	PacketCloseAdapter(a);
	fake_stop();
}

/*
 * A resumed SYNC queue: the module starts the rest's clock at its first
 * entry, which it sends at once; the library first waits until that entry
 * is due (the call's start plus its offset from the first entry), so that
 * a signal does not shorten the gap. Entries already late (timestamps
 * going back, or a long stop) go at once, and NOSYNC never waits.
 */
static void send_packets_sync_resume_waits(void)
{
	static const uint32_t sec[3] = { 100, 100, 100 };
	static const uint32_t usec[3] = { 0, 150000, 180000 };
	static const uint32_t sec_far[3] = { 100, 110, 90 };
	static const struct fake_sendq cut[] = {
		{ ENTRY, EINTR }, { ENTRY, EINTR }, { ENTRY, 0 },
	}, back[] = {
		{ 2 * ENTRY, EINTR }, { ENTRY, 0 },
	};
	static uint8_t buf[3 * ENTRY];
	int64_t t0;
	LPADAPTER a;

	fake_start();
	a = open_fake();
	CHECK(a != NULL);
	if (!a)
		goto out;
	make_queue(buf, sec, usec);
	script(cut, 3);
	t0 = mono_ns();
	CHECK(PacketSendPackets(a, buf, sizeof(buf), TRUE) == sizeof(buf));
	CHECK(fake.ncalls == 3);
	/* entry 1 is due 150 ms, entry 2 180 ms after the call began */
	CHECK(fake.ns[1] - t0 >= 150000000);
	CHECK(fake.ns[2] - t0 >= 180000000);
	CHECK(fake.ns[2] - t0 < 5000000000LL);

	/* 10 s apart: NOSYNC does not wait */
	make_queue(buf, sec_far, usec);
	script(cut, 3);
	t0 = mono_ns();
	CHECK(PacketSendPackets(a, buf, sizeof(buf), FALSE) == sizeof(buf));
	CHECK(fake.ncalls == 3 && mono_ns() - t0 < 5000000000LL);

	/* SYNC, entry 2 before entry 0: due already */
	make_queue(buf, sec_far, usec);
	script(back, 2);
	t0 = mono_ns();
	CHECK(PacketSendPackets(a, buf, sizeof(buf), TRUE) == sizeof(buf));
	CHECK(fake.ncalls == 2 && mono_ns() - t0 < 5000000000LL);
out:
	PacketCloseAdapter(a);
	fake_stop();
}

/* read()/write() of the PACKET buffer, over a pipe in place of the fd. */
static void receive_and_send(void)
{
	char out[100], in[256];
	PACKET pkt;
	LPADAPTER a;
	int p[2];

	fake_start();
	a = open_fake();
	fake_stop();
	if (!a || pipe(p) < 0) {
		CHECK(0);
		PacketCloseAdapter(a);
		return;
	}
	memset(out, 0xab, sizeof(out));

	close(a->hFile);
	a->hFile = p[1];
	PacketInitPacket(&pkt, out, sizeof(out));
	CHECK(PacketSendPacket(a, &pkt, TRUE) && pkt.bIoComplete);

	a->hFile = p[0];
	PacketInitPacket(&pkt, in, sizeof(in));
	CHECK(PacketReceivePacket(a, &pkt, TRUE));
	CHECK(pkt.ulBytesReceived == sizeof(out) && pkt.bIoComplete);
	CHECK(!memcmp(in, out, sizeof(out)));

	/* A read that returns 0 bytes (a timeout) is a success. */
	close(p[1]);
	pkt.ulBytesReceived = 77;
	CHECK(PacketReceivePacket(a, &pkt, TRUE));
	CHECK(pkt.ulBytesReceived == 0 && pkt.bIoComplete);

	/* read() errors come back as FALSE and errno. */
	a->hFile = p[1];	/* closed */
	CHECK_ERR(PacketReceivePacket(a, &pkt, TRUE), FALSE, EBADF);
	CHECK(!pkt.bIoComplete);
	a->hFile = p[0];
	PacketCloseAdapter(a);
}

/* Npcap's modes become BIOCSTIMESTAMPMODE's two. */
static void timestamp_mode(void)
{
	LPADAPTER a;

	fake_start();
	a = open_fake();
	CHECK(a != NULL);
	CHECK(PacketSetTimestampMode(a, TIMESTAMPMODE_NANO) &&
	      last_u32(BIOCSTIMESTAMPMODE, NPF_TSTAMP_NANO));
	CHECK(PacketSetTimestampMode(a, TIMESTAMPMODE_QUERYSYSTEMTIME) &&
	      last_u32(BIOCSTIMESTAMPMODE, NPF_TSTAMP_MICRO));
	CHECK(PacketSetTimestampMode(a, TIMESTAMPMODE_SINGLE_SYNCHRONIZATION) &&
	      last_u32(BIOCSTIMESTAMPMODE, NPF_TSTAMP_MICRO));
	CHECK(PacketSetTimestampMode(a,
				     TIMESTAMPMODE_QUERYSYSTEMTIME_PRECISE) &&
	      last_u32(BIOCSTIMESTAMPMODE, NPF_TSTAMP_MICRO));
	fake.ncalls = 0;
	CHECK_ERR(PacketSetTimestampMode(a, 1), FALSE, EINVAL);
	CHECK(fake.ncalls == 0);
	PacketCloseAdapter(a);
	fake_stop();
}

/* PacketSetRecordFormat: BIOCSRECFMT with the layout, checked first. */
static void record_format(void)
{
	LPADAPTER a;

	fake_start();
	a = open_fake();
	CHECK(a != NULL);
	CHECK(PacketSetRecordFormat(a, PACKET_RECFMT_PCAP) &&
	      last_u32(BIOCSRECFMT, NPF_RECFMT_PCAP));
	CHECK(PacketSetRecordFormat(a, PACKET_RECFMT_BPF) &&
	      last_u32(BIOCSRECFMT, NPF_RECFMT_BPF));
	fake.ncalls = 0;
	CHECK_ERR(PacketSetRecordFormat(a, 2), FALSE, EINVAL);
	CHECK_ERR(PacketSetRecordFormat(a, (UINT)-1), FALSE, EINVAL);
	CHECK(fake.ncalls == 0);
	PacketCloseAdapter(a);
	fake_stop();
}

/* The link type comes from BIOCGDLT (the speed from ethtool's netlink). */
static void net_type(void)
{
	NetType t = { 77, 77 };
	LPADAPTER a;

	fake_start();
	a = open_fake();
	CHECK(a && PacketGetNetType(a, &t));
	CHECK(fake.ncalls == 1 && fake.req[0] == BIOCGDLT);
	CHECK(t.LinkType == NdisMedium802_3 && t.LinkSpeed != 77);
	fake.fail_errno = ENODEV;
	CHECK_ERR(PacketGetNetType(a, &t), FALSE, ENODEV);
	PacketCloseAdapter(a);
	fake_stop();
}

const struct t_case ioctl_cases[] = {
	T_CASE(open_binds),
	T_CASE(open_bind_fails),
	T_CASE(u32_parameters),
	T_CASE(set_bpf),
	T_CASE(stats),
	T_CASE(oid_requests),
	T_CASE(stats64),
	T_CASE(dump_calls),
	T_CASE(dump_name_opens_file),
	T_CASE(dump_name_refused),
	T_CASE(dump_name_old_module),
	T_CASE(dump_ended),
	T_CASE(send_packets),
	T_CASE(send_packets_resume),
	T_CASE(send_packets_sync_resume_waits),
	T_CASE(receive_and_send),
	T_CASE(timestamp_mode),
	T_CASE(record_format),
	T_CASE(net_type),
	T_END
};
