// SPDX-License-Identifier: MIT
/*
 * The ioctls the library issues, checked against a fake kernel: this file
 * defines ioctl(), which the libnpf.a objects of the test binary call.
 * While fake.on is false every call goes to the real system call. The
 * "device" is /dev/null (opens read-write; reads return 0).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "t.h"

#define MAXCALLS	8

static struct {
	bool on;
	int fail_errno;			/* != 0: every call fails with it */
	int ncalls;
	unsigned long req[MAXCALLS];
	uint8_t arg[MAXCALLS][64];	/* what the caller passed */
	char path[64];			/* of the last BIOCSETDUMPFILENAME */
	uint32_t consumed;		/* send queues: bytes "sent" */
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

/* What the kernel reads behind the argument: the path, the queue. */
static void fake_follow(unsigned long req, void *arg)
{
	const struct npf_dump_name *dn = arg;
	struct npf_sendq *q = arg;

	if (req == BIOCSETDUMPFILENAME)
		snprintf(fake.path, sizeof(fake.path), "%s",
			 (const char *)(uintptr_t)dn->path);
	/* Written back on success and on failure alike. */
	if (is_sendq(req))
		q->consumed = fake.consumed;
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

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!fake.on)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	if (fake.ncalls < MAXCALLS) {
		fake.req[fake.ncalls] = req;
		memcpy(fake.arg[fake.ncalls], arg, fake_arg_len(req, arg));
		fake.ncalls++;
	}
	fake_follow(req, arg);
	if (fake.fail_errno) {
		errno = fake.fail_errno;
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

static void dump_calls(void)
{
	struct npf_dump_limits lim = { 1500000, 10 };
	struct npf_dump_stats ds;
	struct npf_dump_name dn;
	char name[8] = "abc.pcap";	/* no NUL: len says where it ends */
	LPADAPTER a;

	fake_start();
	a = open_fake();
	CHECK(a != NULL);
	if (!a)
		goto out;
	CHECK(PacketSetDumpName(a, name, sizeof(name)));
	CHECK(fake.req[0] == BIOCSETDUMPFILENAME &&
	      !strcmp(fake.path, "abc.pcap"));
	memcpy(&dn, fake.arg[0], sizeof(dn));
	CHECK(dn.flags == 0 && dn.pad == 0 && dn.path != 0);
	/* A NUL inside len ends the name. */
	CHECK(PacketSetDumpName(a, "d/x.pcap\0junk", 13));
	CHECK(!strcmp(fake.path, "d/x.pcap"));
	CHECK(PacketSetDumpLimits(a, 1500000, 10));
	CHECK(last_arg(BIOCSETDUMPLIMITS, &lim, sizeof(lim)));
	lim.max_bytes = 5ULL << 32;
	lim.max_packets = 0;
	CHECK(PacketSetDumpLimitsEx(a, 5ULL << 32, 0));
	CHECK(last_arg(BIOCSETDUMPLIMITS, &lim, sizeof(lim)));
	CHECK(PacketGetDumpStats(a, &ds));
	CHECK(!memcmp(&ds, &fake_dump, sizeof(ds)));
	fake.fail_errno = ENOENT;
	CHECK_ERR(PacketSetDumpName(a, name, sizeof(name)), FALSE, ENOENT);
out:
	PacketCloseAdapter(a);
	fake_stop();
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
	T_CASE(dump_ended),
	T_CASE(send_packets),
	T_CASE(receive_and_send),
	T_CASE(timestamp_mode),
	T_CASE(record_format),
	T_CASE(net_type),
	T_END
};
