// SPDX-License-Identifier: MIT
/*
 * Error paths that need no module: NULL arguments, out-of-range values,
 * a missing /dev/npf, a device that is not npf, the driver version.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"

/* The lowest free descriptor: equal before and after means no leak. */
static int next_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static void null_adapter_einval(void)
{
	struct bpf_program fp = { 0, NULL };
	struct bpf_stat st;
	PACKET pkt = { NULL, 0, 0, FALSE };
	PACKET_OID_DATA oid = { OID_GEN_LINK_SPEED, 4, { 0 } };

	CHECK_ERR(PacketOpenAdapter(NULL), NULL, EINVAL);
	CHECK_ERR(PacketOpenAdapter(""), NULL, EINVAL);
	CHECK_ERR(PacketReceivePacket(NULL, &pkt, TRUE), FALSE, EINVAL);
	CHECK_ERR(PacketSendPacket(NULL, &pkt, TRUE), FALSE, EINVAL);
	CHECK_ERR(PacketSetNumWrites(NULL, 1), FALSE, EINVAL);
	CHECK_ERR(PacketSetBuff(NULL, 1000000), FALSE, EINVAL);
	CHECK_ERR(PacketSetBpf(NULL, &fp), FALSE, EINVAL);
	CHECK_ERR(PacketSetSnapLen(NULL, 96), 0, EINVAL);
	CHECK_ERR(PacketSetMinToCopy(NULL, 0), FALSE, EINVAL);
	CHECK_ERR(PacketSetReadTimeout(NULL, 0), FALSE, EINVAL);
	CHECK_ERR(PacketSetMode(NULL, PACKET_MODE_CAPT), FALSE, EINVAL);
	CHECK_ERR(PacketSetLoopbackBehavior(NULL, NPF_DISABLE_LOOPBACK), FALSE,
		  EINVAL);
	CHECK_ERR(PacketGetStats(NULL, &st), FALSE, EINVAL);
	CHECK_ERR(PacketGetStatsEx(NULL, &st), FALSE, EINVAL);
	CHECK_ERR(PacketRequest(NULL, FALSE, &oid), FALSE, EINVAL);
	CHECK_ERR(PacketSetHwFilter(NULL, NDIS_PACKET_TYPE_PROMISCUOUS), FALSE,
		  EINVAL);
	CHECK_ERR(PacketGetReadEvent(NULL), -1, EINVAL);
	CHECK_ERR(PacketGetLinkType(NULL), -1, EINVAL);
}

/* The 1.1 functions: the same rules. */
static void null_adapter_einval_1_1(void)
{
	struct npf_dump_stats ds;
	struct npf_stats st;
	char frame[60] = { 0 };

	CHECK_ERR(PacketGetNpfStats(NULL, &st), FALSE, EINVAL);
	CHECK_ERR(PacketSetDumpName(NULL, "x.pcap", 6), FALSE, EINVAL);
	CHECK_ERR(PacketSetDumpLimits(NULL, 0, 10), FALSE, EINVAL);
	CHECK_ERR(PacketSetDumpLimitsEx(NULL, 0, 10), FALSE, EINVAL);
	CHECK_ERR(PacketIsDumpEnded(NULL, FALSE), FALSE, EINVAL);
	CHECK_ERR(PacketIsDumpEnded(NULL, TRUE), FALSE, EINVAL);
	CHECK_ERR(PacketGetDumpStats(NULL, &ds), FALSE, EINVAL);
	/* 0, not -1: less than any Size, also compared unsigned */
	CHECK_ERR(PacketSendPackets(NULL, frame, sizeof(frame), FALSE), 0,
		  EINVAL);
}

/* The 1.2 functions: the same rules. */
static void null_adapter_einval_1_2(void)
{
	ULONG modes[8] = { 8 };
	NetType t;

	CHECK_ERR(PacketGetNetType(NULL, &t), FALSE, EINVAL);
	CHECK_ERR(PacketSetTimestampMode(NULL, TIMESTAMPMODE_NANO), FALSE,
		  EINVAL);
	CHECK_ERR(PacketGetTimestampModes(NULL, modes), FALSE, EINVAL);
	CHECK_ERR(PacketGetAdapterNames(NULL, NULL), FALSE, EINVAL);
	CHECK_ERR(PacketGetAdapterFlags(NULL, modes), FALSE, EINVAL);
	CHECK_ERR(PacketGetAdapterFlags("", modes), FALSE, EINVAL);
	CHECK(PacketGetDriverName() != NULL);
	CHECK_ERR(PacketSetRecordFormat(NULL, PACKET_RECFMT_PCAP), FALSE,
		  EINVAL);
	CHECK_ERR(PacketReceiveMapped(NULL, NULL, NULL), FALSE, EINVAL);
}

/* A temporary directory for paths that must not exist. */
static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char path[128];
	const char *base = getenv("TMPDIR");

	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "%s/libnpf-test.XXXXXX",
			 base && strlen(base) < 32 ? base : "/tmp");
		if (!mkdtemp(tmpdir))
			tmpdir[0] = '\0';
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* An adapter whose descriptor is closed: only argument checks can pass. */
static ADAPTER dead = { .hFile = -1, .Name = "dead", .NumWrites = 1 };

static void null_argument_einval(void)
{
	char buf[16];
	PACKET pkt = { NULL, sizeof(buf), 0, FALSE };

	CHECK_ERR(PacketReceivePacket(&dead, NULL, TRUE), FALSE, EINVAL);
	/* Length without Buffer */
	CHECK_ERR(PacketReceivePacket(&dead, &pkt, TRUE), FALSE, EINVAL);
	CHECK_ERR(PacketSendPacket(&dead, NULL, TRUE), FALSE, EINVAL);
	CHECK_ERR(PacketSetBpf(&dead, NULL), FALSE, EINVAL);
	CHECK_ERR(PacketGetStats(&dead, NULL), FALSE, EINVAL);
	CHECK_ERR(PacketGetStatsEx(&dead, NULL), FALSE, EINVAL);
	CHECK_ERR(PacketRequest(&dead, TRUE, NULL), FALSE, EINVAL);
	CHECK_ERR(PacketGetNpfStats(&dead, NULL), FALSE, EINVAL);
	CHECK_ERR(PacketGetDumpStats(&dead, NULL), FALSE, EINVAL);
	CHECK_ERR(PacketSetDumpName(&dead, NULL, 6), FALSE, EINVAL);
	CHECK_ERR(PacketSetDumpName(&dead, "x.pcap", 0), FALSE, EINVAL);
	CHECK_ERR(PacketSetDumpName(&dead, "x.pcap", -1), FALSE, EINVAL);
	CHECK_ERR(PacketSendPackets(&dead, NULL, 16, TRUE), 0, EINVAL);
	CHECK_ERR(PacketSendPackets(&dead, buf, 0x80000000u, TRUE), 0,
		  EINVAL);
	/* Valid arguments reach the (closed) descriptor. */
	CHECK_ERR(PacketSendPackets(&dead, buf, sizeof(buf), FALSE), 0, EBADF);
	/* the library opens (creates) the file, the descriptor refuses it */
	CHECK_ERR(PacketSetDumpName(&dead, (void *)tmp_path("dead.pcap"),
				    (int)strlen(tmp_path("dead.pcap"))),
		  FALSE, EBADF);
	unlink(tmp_path("dead.pcap"));
	CHECK_ERR(PacketIsDumpEnded(&dead, TRUE), FALSE, EBADF);
	CHECK_ERR(PacketSetTimestampMode(&dead, TIMESTAMPMODE_NANO), FALSE,
		  EBADF);
	CHECK_ERR(PacketSetRecordFormat(&dead, 2), FALSE, EINVAL);
	CHECK_ERR(PacketSetRecordFormat(&dead, PACKET_RECFMT_PCAP), FALSE,
		  EBADF);
	{
		PVOID data;
		UINT len;

		CHECK_ERR(PacketReceiveMapped(&dead, &data, NULL), FALSE,
			  EINVAL);
		CHECK_ERR(PacketReceiveMapped(&dead, NULL, &len), FALSE,
			  EINVAL);
		/* the mapping fails on the closed descriptor */
		CHECK_ERR(PacketReceiveMapped(&dead, &data, &len), FALSE,
			  EBADF);
		CHECK(dead.RingMap == NULL);
	}
	CHECK_ERR(PacketGetNetType(&dead, NULL), FALSE, EINVAL);
	CHECK_ERR(PacketGetNetType(&dead, (NetType *)buf), FALSE, EBADF);
}

static void bad_values_einval(void)
{
	struct bpf_program fp = { 2, NULL };

	CHECK_ERR(PacketSetBuff(&dead, -1), FALSE, EINVAL);
	CHECK_ERR(PacketSetMinToCopy(&dead, INT_MIN), FALSE, EINVAL);
	CHECK_ERR(PacketSetMode(&dead, -1), FALSE, EINVAL);
	CHECK_ERR(PacketSetNumWrites(&dead, -5), FALSE, EINVAL);
	CHECK_ERR(PacketSetReadTimeout(&dead, -2), FALSE, EINVAL);
	CHECK_ERR(PacketSetBpf(&dead, &fp), FALSE, EINVAL);
	CHECK(dead.NumWrites == 1);
	/* Valid values reach the (closed) descriptor. */
	CHECK_ERR(PacketSetReadTimeout(&dead, -1), FALSE, EBADF);
	CHECK_ERR(PacketSetBuff(&dead, 0), FALSE, EBADF);
}

static void null_objects_ignored(void)
{
	errno = 1234;
	PacketCloseAdapter(NULL);
	PacketFreePacket(NULL);
	PacketInitPacket(NULL, NULL, 0);
	CHECK(errno == 1234);
}

static void packet_objects(void)
{
	char buf[64];
	LPPACKET p = PacketAllocatePacket();

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(!p->Buffer && !p->Length && !p->ulBytesReceived && !p->bIoComplete);
	p->ulBytesReceived = 9;
	PacketInitPacket(p, buf, sizeof(buf));
	CHECK(p->Buffer == buf && p->Length == sizeof(buf));
	CHECK(p->ulBytesReceived == 0);
	PacketFreePacket(p);
}

static void no_device_enoent(void)
{
	const char *saved = npf_device_path;
	int fd = next_fd();

	npf_device_path = tmp_path("npf");
	CHECK_ERR(PacketOpenAdapter("eth0"), NULL, ENOENT);
	CHECK_ERR(PacketOpenAdapter("\\Device\\NPF_eth0"), NULL, ENOENT);
	npf_device_path = saved;
	CHECK(next_fd() == fd);
}

/* /dev/null opens, but BIOCSETIF is not its ioctl: ENOTTY, no fd leak. */
static void not_npf_device_enotty(void)
{
	const char *saved = npf_device_path;
	int fd = next_fd();

	npf_device_path = "/dev/null";
	CHECK_ERR(PacketOpenAdapter("eth0"), NULL, ENOTTY);
	npf_device_path = saved;
	CHECK(next_fd() == fd);
}

static void long_name_no_open(void)
{
	CHECK_ERR(PacketOpenAdapter("a-very-long-interface-name"), NULL,
		  ENAMETOOLONG);
}

static void versions(void)
{
	const char *saved_sys = npf_sysfs_version_path;
	const char *saved_dev = npf_device_path;
	const char *v = PacketGetVersion();
	FILE *f;

	CHECK(v && !strcmp(v, LIBNPF_VERSION));

	/* sysfs first, without its newline */
	npf_sysfs_version_path = tmp_path("version");
	f = fopen(npf_sysfs_version_path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("1.0\n", f);
		fclose(f);
		v = PacketGetDriverVersion();
		CHECK(v && !strcmp(v, "1.0"));
		unlink(npf_sysfs_version_path);
	}

	/* no module: neither sysfs nor the device */
	npf_device_path = tmp_path("npf");
	CHECK_ERR(PacketGetDriverVersion(), NULL, ENOENT);
	/* a device that does not answer BIOCVERSION */
	npf_device_path = "/dev/null";
	CHECK_ERR(PacketGetDriverVersion(), NULL, ENOTTY);

	npf_sysfs_version_path = saved_sys;
	npf_device_path = saved_dev;
	if (tmpdir[0])
		rmdir(tmpdir);
}

const struct t_case error_cases[] = {
	T_CASE(null_adapter_einval),
	T_CASE(null_adapter_einval_1_1),
	T_CASE(null_adapter_einval_1_2),
	T_CASE(null_argument_einval),
	T_CASE(bad_values_einval),
	T_CASE(null_objects_ignored),
	T_CASE(packet_objects),
	T_CASE(no_device_enoent),
	T_CASE(not_npf_device_enotty),
	T_CASE(long_name_no_open),
	T_CASE(versions),
	T_END
};
