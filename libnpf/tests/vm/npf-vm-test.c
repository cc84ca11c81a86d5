// SPDX-License-Identifier: MIT
/*
 * npf-vm-test: libnpf against real adapters and the real module, for
 * selftests/libnpf_vm.sh (run as root in the test VM, in a network
 * namespace of its own). Built with libnpf.so and Packet32.h only.
 *
 *   npf-vm-test facts IFACE...   one JSON line per adapter: what the
 *                                library says (flags, addresses, net type,
 *                                every OID, sysfs counters around the
 *                                counter OIDs); the script compares them
 *                                with ip -j, ethtool and sysfs
 *   npf-vm-test api TX RX        every function, between two adapters
 *                                that see each other's frames (a veth
 *                                pair): result lines "ok - NAME" /
 *                                "not ok - NAME", numbered by the script
 *   npf-vm-test hold IFACE [OPTIONS]   an open configured as told, for
 *                                npfctl: prints "ready PID", then waits
 *                                for a signal. Options: -m MODE (capt,
 *                                stat, dump), -b BUFSIZE, -c MINTOCOPY,
 *                                -t TIMEOUT, -p (promiscuous), -f (filter:
 *                                EtherType 0x88b5 only), -s COUNT (send
 *                                COUNT test frames first), -w FILE (dump)
 *   npf-vm-test hold-unbound     an open of /dev/npf bound to nothing
 *   npf-vm-test dumpname IFACE DIR RODIR   PacketSetDumpName() opening
 *                                files in DIR as fopen would (umask,
 *                                symlinks, truncation, the caller's fsuid,
 *                                errors; RODIR is a read-only mount) and
 *                                RLIMIT_FSIZE bounding the dump; frames
 *                                from a second open on IFACE
 *   npf-vm-test sendq-signals IFACE   PacketSendPackets() of numbered
 *                                frames under SIGSTOP/SIGCONT and a 1 ms
 *                                SA_RESTART timer: every frame once, SYNC
 *                                spacing kept
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <Packet32.h>

#define TEST_ETHERTYPE	0x88b5		/* IEEE local experimental */
#define FRAME_LEN	60
#define BUF_SIZE	(256 * 1024)

static int failed;

/* One result line; the script numbers them. */
static void __attribute__((format(printf, 2, 3)))
result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failed = 1;
}

/* A failed check says why. */
static int check(int cond, const char *what)
{
	if (!cond)
		printf("# failed: %s (errno %d: %s)\n", what, errno,
		       strerror(errno));
	return cond;
}

#define CHECK(cond)	check(!!(cond), #cond)

static void die(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

/* --- small helpers ------------------------------------------------------ */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static long long sysfs_ll(const char *ifname, const char *file)
{
	char path[128], buf[64];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtoll(buf, NULL, 0);
	fclose(f);
	return v;
}

static LPADAPTER open_adapter(const char *name)
{
	LPADAPTER a = PacketOpenAdapter(name);

	if (!a)
		die(name);
	return a;
}

static void make_frame(uint8_t *f, uint8_t seq)
{
	memset(f, 0, FRAME_LEN);
	memset(f, 0xff, 6);
	f[6] = 0x02;
	f[11] = 0x01;
	f[12] = TEST_ETHERTYPE >> 8;
	f[13] = TEST_ETHERTYPE & 0xff;
	f[14] = seq;
	memset(f + 15, 0x5a, FRAME_LEN - 15);
}

static struct bpf_insn test_filter[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_ETHERTYPE, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

static BOOLEAN set_test_filter(LPADAPTER a)
{
	struct bpf_program prog = { 4, test_filter };

	return PacketSetBpf(a, &prog);
}

static BOOLEAN send_frames(LPADAPTER a, int count, uint8_t seq)
{
	uint8_t frame[FRAME_LEN];
	PACKET pkt;

	make_frame(frame, seq);
	PacketInitPacket(&pkt, frame, sizeof(frame));
	return PacketSetNumWrites(a, count) && PacketSendPacket(a, &pkt, TRUE);
}

/* --- OIDs --------------------------------------------------------------- */

union oid_buf {
	PACKET_OID_DATA oid;
	uint8_t room[sizeof(PACKET_OID_DATA) + NPF_OID_MAXLEN];
};

/* Query @oid with @len bytes of room: the length, or -1 and errno. */
static long oid_query(LPADAPTER a, ULONG oid, union oid_buf *b, ULONG len)
{
	memset(b, 0xa5, sizeof(*b));
	b->oid.Oid = oid;
	b->oid.Length = len;
	if (!PacketRequest(a, FALSE, &b->oid))
		return -1;
	return b->oid.Length;
}

static unsigned long long oid_value(LPADAPTER a, ULONG oid, ULONG len)
{
	union oid_buf b;
	uint64_t v64 = 0;
	uint32_t v32;
	long n = oid_query(a, oid, &b, len);

	if (n == 8) {
		memcpy(&v64, b.oid.Data, 8);
		return v64;
	}
	if (n == 4) {
		memcpy(&v32, b.oid.Data, 4);
		return v32;
	}
	return (unsigned long long)-1;
}

static void print_mac(const uint8_t *m, long len)
{
	long i;

	putchar('"');
	for (i = 0; i < len; i++)
		printf("%s%02x", i ? ":" : "", m[i]);
	putchar('"');
}

static void fact_mac(LPADAPTER a, const char *key, ULONG oid)
{
	union oid_buf b;
	long n = oid_query(a, oid, &b, 6);

	printf(",\"%s\":", key);
	if (n == 6)
		print_mac(b.oid.Data, n);
	else
		printf("null");
}

static void fact_mc_list(LPADAPTER a)
{
	union oid_buf b;
	long i, n = oid_query(a, OID_802_3_MULTICAST_LIST, &b, NPF_OID_MAXLEN);

	printf(",\"mc_list\":[");
	for (i = 0; n > 0 && i + 6 <= n; i += 6) {
		if (i)
			putchar(',');
		print_mac(b.oid.Data + i, 6);
	}
	printf("]");
}

/* A counter OID between two reads of its sysfs counter(s). */
static void fact_counter(LPADAPTER a, const char *ifname, const char *key,
			 ULONG oid, const char *f1, const char *f2)
{
	long long b1 = sysfs_ll(ifname, f1), a1;
	long long b2 = f2 ? sysfs_ll(ifname, f2) : 0, a2;
	unsigned long long v64 = oid_value(a, oid, 8);
	unsigned long long v32 = oid_value(a, oid, 4);

	a1 = sysfs_ll(ifname, f1);
	a2 = f2 ? sysfs_ll(ifname, f2) : 0;
	printf(",\"%s\":[%lld,%llu,%llu,%lld]", key, b1 + b2, v64, v32,
	       a1 + a2);
}

static void facts_oids(LPADAPTER a, const char *ifname)
{
	printf(",\"oid\":{\"media_in_use\":%llu",
	       oid_value(a, OID_GEN_MEDIA_IN_USE, 4));
	printf(",\"max_frame\":%llu",
	       oid_value(a, OID_GEN_MAXIMUM_FRAME_SIZE, 4));
	printf(",\"max_total\":%llu",
	       oid_value(a, OID_GEN_MAXIMUM_TOTAL_SIZE, 4));
	printf(",\"link_speed\":%llu", oid_value(a, OID_GEN_LINK_SPEED, 4));
	printf(",\"connect\":%llu",
	       oid_value(a, OID_GEN_MEDIA_CONNECT_STATUS, 4));
	printf(",\"packet_filter\":%llu",
	       oid_value(a, OID_GEN_CURRENT_PACKET_FILTER, 4));
	printf(",\"mc_max\":%llu",
	       oid_value(a, OID_802_3_MAXIMUM_LIST_SIZE, 4));
	fact_mac(a, "cur_addr", OID_802_3_CURRENT_ADDRESS);
	fact_mac(a, "perm_addr", OID_802_3_PERMANENT_ADDRESS);
	fact_mc_list(a);
	printf("}");
	printf(",\"counters\":{\"_\":0");
	fact_counter(a, ifname, "xmit_ok", OID_GEN_XMIT_OK,
		     "statistics/tx_packets", NULL);
	fact_counter(a, ifname, "rcv_ok", OID_GEN_RCV_OK,
		     "statistics/rx_packets", NULL);
	fact_counter(a, ifname, "xmit_error", OID_GEN_XMIT_ERROR,
		     "statistics/tx_errors", NULL);
	fact_counter(a, ifname, "rcv_error", OID_GEN_RCV_ERROR,
		     "statistics/rx_errors", NULL);
	fact_counter(a, ifname, "rcv_no_buffer", OID_GEN_RCV_NO_BUFFER,
		     "statistics/rx_missed_errors",
		     "statistics/rx_fifo_errors");
	printf("}");
}

/* --- facts -------------------------------------------------------------- */

static void print_sockaddr(const char *key, const struct sockaddr_storage *s)
{
	char buf[INET6_ADDRSTRLEN] = "";
	const void *p = NULL;

	if (s->ss_family == AF_INET)
		p = &((const struct sockaddr_in *)s)->sin_addr;
	else if (s->ss_family == AF_INET6)
		p = &((const struct sockaddr_in6 *)s)->sin6_addr;
	printf(",\"%s\":", key);
	if (p && inet_ntop(s->ss_family, p, buf, sizeof(buf)))
		json_str(buf);
	else
		printf("null");
}

static void facts_addrs(const char *ifname)
{
	npf_if_addr a[MAX_NETWORK_ADDRESSES];
	LONG i, n = MAX_NETWORK_ADDRESSES;
	BOOLEAN ok = PacketGetNetInfoEx(ifname, a, &n);

	printf(",\"netinfo_ok\":%s,\"addrs\":[", ok ? "true" : "false");
	for (i = 0; ok && i < n; i++) {
		const struct sockaddr_in6 *s6 = (const void *)&a[i].IPAddress;

		printf("%s{\"family\":\"%s\"", i ? "," : "",
		       a[i].IPAddress.ss_family == AF_INET ? "inet" : "inet6");
		print_sockaddr("local", &a[i].IPAddress);
		print_sockaddr("mask", &a[i].SubnetMask);
		print_sockaddr("broadcast", &a[i].Broadcast);
		printf(",\"scope_id\":%u}", a[i].IPAddress.ss_family ==
		       AF_INET6 ? s6->sin6_scope_id : 0);
	}
	printf("]");
}

static void facts_one(const char *ifname)
{
	LPADAPTER a;
	ULONG flags = 0;
	BOOLEAN ok;
	NetType t;

	printf("{\"ifname\":");
	json_str(ifname);
	ok = PacketGetAdapterFlags(ifname, &flags);
	printf(",\"flags_ok\":%s,\"flags\":%u", ok ? "true" : "false", flags);
	printf(",\"loopback\":%s",
	       PacketIsLoopbackAdapter(ifname) ? "true" : "false");
	facts_addrs(ifname);
	a = open_adapter(ifname);
	if (PacketGetNetType(a, &t))
		printf(",\"linktype\":%u,\"speed\":%llu", t.LinkType,
		       (unsigned long long)t.LinkSpeed);
	printf(",\"dlt\":%d", PacketGetLinkType(a));
	facts_oids(a, ifname);
	PacketCloseAdapter(a);
	printf("}\n");
}

/* {"names":[[name, description], ...]} */
static void facts_names(void)
{
	ULONG size = 0;
	char *buf, *n, *d;

	if (PacketGetAdapterNames(NULL, &size) || errno != ENOBUFS)
		die("PacketGetAdapterNames(NULL)");
	buf = malloc(size);
	if (!buf || !PacketGetAdapterNames(buf, &size))
		die("PacketGetAdapterNames");
	for (d = buf; *d; d += strlen(d) + 1)
		;
	d++;
	printf("{\"names\":[");
	for (n = buf; *n; n += strlen(n) + 1, d += strlen(d) + 1) {
		printf("%s[", n == buf ? "" : ",");
		json_str(n);
		putchar(',');
		json_str(d);
		putchar(']');
	}
	printf("]}\n");
	free(buf);
}

static int facts(int argc, char **argv)
{
	int i;

	facts_names();
	for (i = 0; i < argc; i++)
		facts_one(argv[i]);
	return 0;
}

/* --- api: every function ------------------------------------------------ */

static void t_versions(void)
{
	const char *v = PacketGetVersion();
	const char *d = PacketGetDriverVersion();
	char sys[32] = "";
	FILE *f = fopen("/sys/module/npf/version", "re");

	if (f) {
		if (!fgets(sys, sizeof(sys), f))
			sys[0] = '\0';
		sys[strcspn(sys, "\n")] = '\0';
		fclose(f);
	}
	result(CHECK(v && v[0] >= '1' && strchr(v, '.')) &&
	       CHECK(d && !strcmp(d, sys)) &&
	       CHECK(!strcmp(PacketGetDriverName(), "npf")),
	       "PacketGetVersion, PacketGetDriverVersion (%s), PacketGetDriverName",
	       d ? d : "NULL");
}

/* packet.dll's protocol: ask the size, fill; too small writes nothing. */
static void t_adapter_names(const char *ifname)
{
	ULONG size = 0, small;
	char *buf;
	int ok;

	ok = CHECK(!PacketGetAdapterNames(NULL, &size) && errno == ENOBUFS);
	buf = malloc(size + 1);
	if (!buf)
		die("malloc");
	memset(buf, 'x', size + 1);
	small = size - 1;
	ok = ok && CHECK(!PacketGetAdapterNames(buf, &small) &&
			 errno == ENOBUFS && small == size);
	ok = ok && CHECK(buf[0] == 'x' && buf[size - 1] == 'x');
	ok = ok && CHECK(PacketGetAdapterNames(buf, &size));
	ok = ok && CHECK(buf[size] == 'x' && !buf[size - 1] && !buf[size - 2]);
	ok = ok && CHECK(memmem(buf, size, ifname, strlen(ifname) + 1));
	result(ok, "PacketGetAdapterNames: size query, too small, exact");
	free(buf);
}

static void t_open_close(const char *ifname)
{
	char dev[64];
	LPADAPTER a, b, c;

	snprintf(dev, sizeof(dev), "\\Device\\NPF_%s", ifname);
	a = PacketOpenAdapter(dev);
	snprintf(dev, sizeof(dev), "\\\\.\\NPF_%s", ifname);
	b = PacketOpenAdapter(dev);
	result(CHECK(a && !strcmp(a->Name, ifname)) && CHECK(b) &&
	       CHECK(PacketGetReadEvent(a) == a->hFile) &&
	       CHECK(PacketGetLinkType(a) == NPF_LINKTYPE_ETHERNET),
	       "PacketOpenAdapter (WinPcap names), PacketGetReadEvent, PacketGetLinkType");
	PacketCloseAdapter(a);
	PacketCloseAdapter(b);
	errno = 0;
	c = PacketOpenAdapter("npfnosuch0");
	result(CHECK(!c && errno == ENODEV), "PacketOpenAdapter: ENODEV");
	PacketCloseAdapter(c);
	result(CHECK(!PacketOpenAdapter("a-very-long-adapter-name") &&
		     errno == ENAMETOOLONG),
	       "PacketOpenAdapter: ENAMETOOLONG");
}

static void t_parameters(LPADAPTER a)
{
	int ok = CHECK(PacketSetBuff(a, 2000000)) &&
		 CHECK(!PacketSetBuff(a, 1) && errno == EINVAL) &&
		 CHECK(PacketSetMinToCopy(a, 100)) &&
		 CHECK(!PacketSetMinToCopy(a, 4000000) && errno == EINVAL) &&
		 CHECK(PacketSetReadTimeout(a, -1)) &&
		 CHECK(!PacketSetReadTimeout(a, -2) && errno == EINVAL) &&
		 CHECK(PacketSetMode(a, PACKET_MODE_STAT)) &&
		 CHECK(!PacketSetMode(a, PACKET_MODE_MON) && errno == EINVAL) &&
		 CHECK(PacketSetMode(a, PACKET_MODE_CAPT)) &&
		 CHECK(PacketSetSnapLen(a, 96) == 0) &&
		 CHECK(PacketSetLoopbackBehavior(a, NPF_ENABLE_LOOPBACK)) &&
		 CHECK(!PacketSetLoopbackBehavior(a, 7) && errno == EINVAL) &&
		 CHECK(PacketSetNumWrites(a, 1) && a->NumWrites == 1);

	result(ok, "PacketSetBuff, PacketSetMinToCopy, PacketSetReadTimeout, PacketSetMode, PacketSetSnapLen, PacketSetLoopbackBehavior, PacketSetNumWrites");
}

/* Read records for up to 2 s: how many; the first into *@h, @data. */
static int read_records(LPADAPTER a, int want, struct bpf_hdr *h,
			uint8_t *data)
{
	static uint8_t buf[BUF_SIZE];
	time_t end = time(NULL) + 2;
	PACKET pkt;
	int n = 0;

	PacketSetReadTimeout(a, 200);
	PacketSetMinToCopy(a, 0);
	while (n < want && time(NULL) <= end) {
		uint32_t off = 0;

		PacketInitPacket(&pkt, buf, sizeof(buf));
		if (!PacketReceivePacket(a, &pkt, TRUE))
			return -1;
		while (off < pkt.ulBytesReceived) {
			struct bpf_hdr *r = (struct bpf_hdr *)(buf + off);

			if (!n && h) {
				*h = *r;
				memcpy(data, buf + off + r->bh_hdrlen,
				       r->bh_caplen < FRAME_LEN ?
				       r->bh_caplen : FRAME_LEN);
			}
			n++;
			off += Packet_WORDALIGN(r->bh_hdrlen + r->bh_caplen);
		}
	}
	return n;
}

static void t_send_receive(LPADAPTER tx, LPADAPTER rx)
{
	uint8_t want[FRAME_LEN], got[FRAME_LEN];
	struct bpf_stat st;
	struct npf_stats s64;
	struct bpf_hdr h;
	int n, ok;

	make_frame(want, 7);
	ok = CHECK(set_test_filter(rx)) && CHECK(send_frames(tx, 3, 7));
	n = read_records(rx, 3, &h, got);
	ok = ok && CHECK(n == 3) && CHECK(h.bh_caplen == FRAME_LEN &&
					  h.bh_datalen == FRAME_LEN) &&
	     CHECK(!memcmp(got, want, FRAME_LEN));
	result(ok, "PacketSendPacket x3 (PacketSetNumWrites) -> PacketReceivePacket, PacketSetBpf");
	ok = CHECK(PacketGetStats(rx, &st)) && CHECK(st.bs_capt == 3) &&
	     CHECK(PacketGetStatsEx(rx, &st)) && CHECK(st.bs_capt == 3) &&
	     CHECK(PacketGetNpfStats(rx, &s64)) && CHECK(s64.bs_capt == 3) &&
	     CHECK(s64.bs_recv == s64.bs_capt + s64.bs_drop + s64.bs_filtered +
		   s64.bs_nomem) &&
	     CHECK(PacketGetNpfStats(tx, &s64)) && CHECK(s64.bs_sent == 3);
	result(ok, "PacketGetStats, PacketGetStatsEx, PacketGetNpfStats");
}

/*
 * PacketSetRecordFormat(PCAP) + PacketReceiveMapped: the frames in pcap
 * records, read in place; PacketSetBuff unmaps and the next call maps the
 * new ring; a held batch makes PacketReceivePacket fail with EBUSY.
 */
static void t_mapped(LPADAPTER tx, LPADAPTER rx)
{
	uint8_t want[FRAME_LEN], buf[64];
	struct npf_pcap_hdr h;
	time_t end = time(NULL) + 3;
	PACKET pkt;
	PVOID data;
	UINT len;
	int n = 0, ok;

	make_frame(want, 9);
	ok = CHECK(PacketSetBuff(rx, 65536)) && CHECK(set_test_filter(rx)) &&
	     CHECK(PacketSetRecordFormat(rx, PACKET_RECFMT_PCAP)) &&
	     CHECK(PacketSetReadTimeout(rx, 200)) &&
	     CHECK(PacketSetMinToCopy(rx, 0)) && CHECK(send_frames(tx, 5, 9));
	while (ok && n < 5 && time(NULL) <= end) {
		uint32_t off = 0;

		ok = CHECK(PacketReceiveMapped(rx, &data, &len));
		while (ok && off < len) {
			memcpy(&h, (uint8_t *)data + off, sizeof(h));
			ok = CHECK(h.caplen == FRAME_LEN && h.len == FRAME_LEN) &&
			     CHECK(!memcmp((uint8_t *)data + off + sizeof(h),
					   want, FRAME_LEN));
			off += sizeof(h) + h.caplen;
			n++;
		}
	}
	ok = ok && CHECK(n == 5) && CHECK(rx->RingMap != NULL) &&
	     CHECK(rx->RingMapLen == 65536);
	/* a batch is held: read() may not take it */
	ok = ok && CHECK(send_frames(tx, 1, 9)) &&
	     CHECK(PacketReceiveMapped(rx, &data, &len)) && CHECK(len) &&
	     CHECK(rx->RingLent == len);
	PacketInitPacket(&pkt, buf, sizeof(buf));
	ok = ok && CHECK(!PacketReceivePacket(rx, &pkt, TRUE) &&
			 errno == EBUSY);
	/* a new ring: unmapped, mapped again at its size */
	ok = ok && CHECK(PacketSetBuff(rx, 131072)) &&
	     CHECK(rx->RingMap == NULL) &&
	     CHECK(PacketReceiveMapped(rx, &data, &len)) &&
	     CHECK(rx->RingMapLen == 131072);
	ok = ok && CHECK(PacketSetRecordFormat(rx, PACKET_RECFMT_BPF)) &&
	     CHECK(PacketSetBuff(rx, 1000000));
	result(ok, "PacketSetRecordFormat(PCAP), PacketReceiveMapped, PacketSetBuff unmaps");
}

static void t_send_queue(LPADAPTER tx, LPADAPTER rx)
{
	PPACKET_SEND_QUEUE q = PacketSendQueueAlloc(4 * (16 + FRAME_LEN));
	struct npf_sendq_hdr h = { 0, 0, FRAME_LEN, FRAME_LEN };
	uint8_t frame[FRAME_LEN];
	int i, ok = CHECK(q != NULL);

	ok = ok && CHECK(set_test_filter(rx));
	for (i = 0; ok && i < 4; i++) {
		make_frame(frame, (uint8_t)i);
		h.tv_usec = (uint32_t)i * 1000;
		ok = CHECK(PacketSendQueueQueue(q, &h, frame) == 0);
	}
	ok = ok && CHECK(PacketSendQueueQueue(q, &h, frame) == -1 &&
			 errno == ENOBUFS);
	ok = ok && CHECK(PacketSendPackets(tx, q->buffer, q->len, FALSE) ==
			 (INT)q->len) &&
	     CHECK(PacketSendPackets(tx, q->buffer, q->len, TRUE) ==
		   (INT)q->len) &&
	     CHECK(read_records(rx, 8, NULL, NULL) == 8);
	result(ok, "PacketSendQueueAlloc, PacketSendQueueQueue, PacketSendPackets (NOSYNC, SYNC)");
	PacketSendQueueFree(q);
}

static void t_loopback(LPADAPTER tx)
{
	int ok = CHECK(set_test_filter(tx)) &&
		 CHECK(PacketSetLoopbackBehavior(tx, NPF_DISABLE_LOOPBACK)) &&
		 CHECK(send_frames(tx, 2, 1)) &&
		 CHECK(read_records(tx, 1, NULL, NULL) == 0) &&
		 CHECK(PacketSetLoopbackBehavior(tx, NPF_ENABLE_LOOPBACK)) &&
		 CHECK(send_frames(tx, 2, 1)) &&
		 CHECK(read_records(tx, 2, NULL, NULL) == 2);

	result(ok, "PacketSetLoopbackBehavior: own frames captured or not");
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The record's time, in ns, from a tv_usec of @unit ns. */
static int64_t record_ns(const struct bpf_hdr *h, int64_t unit)
{
	return h->bh_tstamp.tv_sec * 1000000000 +
	       (int64_t)h->bh_tstamp.tv_usec * unit;
}

static void t_timestamps(LPADAPTER tx, LPADAPTER rx)
{
	ULONG modes[8] = { 8 }, count = 0;
	uint8_t data[FRAME_LEN];
	struct bpf_hdr h;
	int64_t t0, t1;
	int ok;

	ok = CHECK(!PacketGetTimestampModes(rx, &count) && errno == ENOBUFS &&
		   count == 4) &&
	     CHECK(PacketGetTimestampModes(rx, modes) && modes[0] == 4 &&
		   modes[4] == TIMESTAMPMODE_NANO);
	ok = ok && CHECK(PacketSetTimestampMode(rx, TIMESTAMPMODE_NANO)) &&
	     CHECK(set_test_filter(rx));
	t0 = now_ns();
	ok = ok && CHECK(send_frames(tx, 1, 2)) &&
	     CHECK(read_records(rx, 1, &h, data) == 1);
	t1 = now_ns();
	ok = ok && CHECK(h.bh_tstamp.tv_usec < 1000000000) &&
	     CHECK(record_ns(&h, 1) >= t0 && record_ns(&h, 1) <= t1);
	ok = ok && CHECK(PacketSetTimestampMode(rx,
				TIMESTAMPMODE_QUERYSYSTEMTIME_PRECISE));
	t0 = now_ns() / 1000 * 1000;
	ok = ok && CHECK(send_frames(tx, 1, 3)) &&
	     CHECK(read_records(rx, 1, &h, data) == 1);
	t1 = now_ns();
	ok = ok && CHECK(h.bh_tstamp.tv_usec < 1000000) &&
	     CHECK(record_ns(&h, 1000) >= t0 && record_ns(&h, 1000) <= t1) &&
	     CHECK(!PacketSetTimestampMode(rx, 3) && errno == EINVAL);
	result(ok, "PacketGetTimestampModes, PacketSetTimestampMode (nano, micro)");
}

static void t_stat_mode(LPADAPTER tx, LPADAPTER rx)
{
	struct npf_stat_record rec;
	PACKET pkt;
	int ok;

	ok = CHECK(set_test_filter(rx)) &&
	     CHECK(PacketSetReadTimeout(rx, 300)) &&
	     CHECK(PacketSetMode(rx, PACKET_MODE_STAT)) &&
	     CHECK(send_frames(tx, 5, 4));
	PacketInitPacket(&pkt, &rec, sizeof(rec));
	ok = ok && CHECK(PacketReceivePacket(rx, &pkt, TRUE)) &&
	     CHECK(pkt.ulBytesReceived == sizeof(rec)) &&
	     CHECK(rec.packets == 5 && rec.bytes == 5 * FRAME_LEN) &&
	     CHECK(PacketSetMode(rx, PACKET_MODE_CAPT));
	result(ok, "PacketSetMode(PACKET_MODE_STAT): packets and bytes");
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : (long)st.st_size;
}

static void t_dump(LPADAPTER tx, LPADAPTER rx)
{
	char path[] = "/tmp/npf-vm-test-dump.pcap";
	struct npf_dump_stats ds;
	int ok;

	unlink(path);
	ok = CHECK(set_test_filter(rx)) &&
	     CHECK(PacketSetDumpLimits(rx, 0, 2)) &&
	     CHECK(PacketSetDumpLimitsEx(rx, 0, 2)) &&
	     CHECK(PacketSetDumpName(rx, path, (int)strlen(path))) &&
	     CHECK(PacketSetMode(rx, PACKET_MODE_DUMP)) &&
	     CHECK(!PacketIsDumpEnded(rx, FALSE)) &&
	     CHECK(send_frames(tx, 3, 5)) &&
	     CHECK(PacketIsDumpEnded(rx, TRUE)) &&
	     CHECK(PacketGetDumpStats(rx, &ds)) &&
	     CHECK(ds.packets == 2 && ds.ended && !ds.error) &&
	     CHECK(PacketSetMode(rx, PACKET_MODE_CAPT)) &&
	     CHECK(file_size(path) == 24 + 2 * (16 + FRAME_LEN));
	result(ok, "PacketSetDumpName, PacketSetDumpLimits(Ex), PacketIsDumpEnded, PacketGetDumpStats");
	unlink(path);
}

/* Promiscuity: the OID, sysfs' IFF_PROMISC. */
static void t_hw_filter(LPADAPTER a)
{
	union oid_buf b;
	int ok;

	ok = CHECK(PacketSetHwFilter(a, NDIS_PACKET_TYPE_PROMISCUOUS)) &&
	     CHECK(oid_query(a, OID_GEN_CURRENT_PACKET_FILTER, &b, 4) == 4) &&
	     CHECK(*(uint32_t *)b.oid.Data == NDIS_PACKET_TYPE_PROMISCUOUS) &&
	     CHECK(sysfs_ll(a->Name, "flags") & 0x100) &&
	     CHECK(PacketSetHwFilter(a, 0)) &&
	     CHECK(!(sysfs_ll(a->Name, "flags") & 0x100));
	result(ok, "PacketSetHwFilter: PROMISCUOUS sets IFF_PROMISC, 0 clears it");
}

/* `ip maddr show dev @ifname` mentions @mac. */
static int ip_maddr_has(const char *ifname, const char *mac)
{
	char cmd[96], line[256];
	int found = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip maddr show dev %s", ifname);
	p = popen(cmd, "re");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		found |= strstr(line, mac) != NULL;
	pclose(p);
	return found;
}

static void t_multicast_list(const char *ifname)
{
	static const uint8_t list[12] = {
		0x01, 0x00, 0x5e, 0x01, 0x02, 0x03,
		0x33, 0x33, 0x00, 0x00, 0x12, 0x34,
	};
	union oid_buf b;
	LPADAPTER a = open_adapter(ifname);
	int ok;

	b.oid.Oid = OID_802_3_MULTICAST_LIST;
	b.oid.Length = sizeof(list);
	memcpy(b.oid.Data, list, sizeof(list));
	ok = CHECK(PacketRequest(a, TRUE, &b.oid)) &&
	     CHECK(ip_maddr_has(ifname, "01:00:5e:01:02:03") == 1) &&
	     CHECK(ip_maddr_has(ifname, "33:33:00:00:12:34") == 1) &&
	     CHECK(oid_query(a, OID_802_3_MULTICAST_LIST, &b, 4096) >= 12);
	b.oid.Data[0] = 0x02;		/* not a multicast address */
	b.oid.Length = 6;
	ok = ok && CHECK(!PacketRequest(a, TRUE, &b.oid) && errno == EINVAL);
	PacketCloseAdapter(a);
	ok = ok && CHECK(ip_maddr_has(ifname, "01:00:5e:01:02:03") == 0);
	result(ok, "PacketRequest(set OID_802_3_MULTICAST_LIST): ip maddr, undone on close");
}

/* Every OID the module answers, with a buffer one byte short. */
static void t_oid_errors(LPADAPTER a)
{
	static const ULONG oids[][2] = {
		{ OID_GEN_CURRENT_PACKET_FILTER, 4 },
		{ OID_GEN_MEDIA_IN_USE, 4 },
		{ OID_GEN_MAXIMUM_FRAME_SIZE, 4 },
		{ OID_GEN_LINK_SPEED, 4 },
		{ OID_GEN_MAXIMUM_TOTAL_SIZE, 4 },
		{ OID_GEN_MEDIA_CONNECT_STATUS, 4 },
		{ OID_GEN_XMIT_OK, 4 }, { OID_GEN_RCV_OK, 4 },
		{ OID_GEN_XMIT_ERROR, 4 }, { OID_GEN_RCV_ERROR, 4 },
		{ OID_GEN_RCV_NO_BUFFER, 4 },
		{ OID_802_3_PERMANENT_ADDRESS, 6 },
		{ OID_802_3_CURRENT_ADDRESS, 6 },
		{ OID_802_3_MAXIMUM_LIST_SIZE, 4 },
	};
	union oid_buf b;
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(oids) / sizeof(oids[0]); i++) {
		errno = 0;
		ok &= CHECK(oid_query(a, oids[i][0], &b, oids[i][1] - 1) < 0 &&
			    errno == EINVAL) &&
		      CHECK(b.oid.Length == oids[i][1] - 1 &&
			    b.oid.Data[0] == 0xa5);
	}
	result(ok, "PacketRequest: every OID with a short buffer: EINVAL, nothing written");
	ok = CHECK(oid_query(a, OID_GEN_VENDOR_DESCRIPTION, &b, 64) < 0 &&
		   errno == EOPNOTSUPP);
	b.oid.Oid = OID_GEN_MAXIMUM_FRAME_SIZE;
	b.oid.Length = 4;
	ok = ok && CHECK(!PacketRequest(a, TRUE, &b.oid) &&
			 errno == EOPNOTSUPP);
	result(ok, "PacketRequest: unknown OID, setting a read-only OID: EOPNOTSUPP");
}

static void t_packet_objects(void)
{
	LPPACKET p = PacketAllocatePacket();
	char buf[16];
	int ok = CHECK(p && !p->Buffer && !p->Length);

	if (p)
		PacketInitPacket(p, buf, sizeof(buf));
	ok = ok && CHECK(p->Buffer == buf && p->Length == sizeof(buf));
	PacketFreePacket(p);
	result(ok, "PacketAllocatePacket, PacketInitPacket, PacketFreePacket");
}

/* A pending read wakes up when the adapter is deleted. */
static void t_adapter_gone(void)
{
	uint8_t buf[4096];
	LPADAPTER a;
	NetType t;
	PACKET pkt;
	int i, ok;

	if (system("ip link add npfgone0 type dummy"))
		die("ip link add npfgone0");
	a = open_adapter("npfgone0");
	ok = CHECK(PacketGetNetType(a, &t));
	if (system("ip link del npfgone0"))
		die("ip link del npfgone0");
	/* What was buffered first, then ENODEV. */
	for (i = 0; i < 5; i++) {
		PacketInitPacket(&pkt, buf, sizeof(buf));
		if (!PacketReceivePacket(a, &pkt, TRUE))
			break;
	}
	ok = ok && CHECK(i < 5 && errno == ENODEV) &&
	     CHECK(!PacketGetNetType(a, &t) && errno == ENODEV);
	PacketCloseAdapter(a);
	result(ok, "an adapter deleted under an open: ENODEV");
}

static int api(const char *txname, const char *rxname)
{
	LPADAPTER tx, rx;

	t_versions();
	t_adapter_names(rxname);
	t_open_close(rxname);
	t_packet_objects();
	tx = open_adapter(txname);
	rx = open_adapter(rxname);
	t_parameters(rx);
	t_send_receive(tx, rx);
	t_mapped(tx, rx);
	t_send_queue(tx, rx);
	t_loopback(tx);
	t_timestamps(tx, rx);
	t_stat_mode(tx, rx);
	t_dump(tx, rx);
	t_hw_filter(rx);
	t_oid_errors(rx);
	PacketCloseAdapter(tx);
	PacketCloseAdapter(rx);
	t_multicast_list(rxname);
	t_adapter_gone();
	return failed;
}

/* --- dumpname: PacketSetDumpName opens the file ------------------------- */

/* Descriptors of this process that point at @path. */
static int fds_on(const char *path)
{
	char link[300], target[PATH_MAX];
	struct dirent *e;
	int n = 0;
	ssize_t len;
	DIR *d = opendir("/proc/self/fd");

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		n += !strcmp(target, path);
	}
	closedir(d);
	return n;
}

static int open_fds(void)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir("/proc/self/fd");

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static BOOLEAN set_dump_name(LPADAPTER a, const char *path)
{
	return PacketSetDumpName(a, (void *)path, (int)strlen(path));
}

/* @path is a regular file of @size bytes, mode @mode, owned by @uid. */
static int file_is(const char *path, long size, mode_t mode, uid_t uid)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISREG(st.st_mode) || st.st_size != size ||
	    (st.st_mode & 07777) != mode || st.st_uid != uid) {
		printf("# %s: mode %o, %lld bytes, uid %u\n", path,
		       (unsigned int)st.st_mode, (long long)st.st_size,
		       (unsigned int)st.st_uid);
		return 0;
	}
	return 1;
}

/* mode 0666 & ~umask, the header at once, no descriptor left behind */
static void t_dumpname_umask(LPADAPTER a, const char *dir)
{
	static const mode_t masks[] = { 022, 077, 002 };
	char path[256];
	int ok = 1;
	size_t i;

	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		mode_t old = umask(masks[i]);

		snprintf(path, sizeof(path), "%s/umask%03o.pcap", dir,
			 (unsigned int)masks[i]);
		ok &= CHECK(set_dump_name(a, path)) &&
		      CHECK(file_is(path, 24, 0666 & ~masks[i], geteuid())) &&
		      CHECK(fds_on(path) == 0);
		umask(old);
	}
	result(ok, "PacketSetDumpName: mode 0666 & ~umask (022, 077, 002), header written, no descriptor kept by the library");
}

/* a symlink followed (its target created), an existing file cut */
static void t_dumpname_symlink_truncate(LPADAPTER a, const char *dir)
{
	char link[256], target[256], old[256];
	mode_t mask = umask(022);
	struct stat st;
	int fd, ok;

	snprintf(link, sizeof(link), "%s/link.pcap", dir);
	snprintf(target, sizeof(target), "%s/target.pcap", dir);
	snprintf(old, sizeof(old), "%s/old.pcap", dir);
	ok = CHECK(symlink("target.pcap", link) == 0) &&
	     CHECK(set_dump_name(a, link)) &&
	     CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode)) &&
	     CHECK(file_is(target, 24, 0644, geteuid()));
	result(ok, "PacketSetDumpName: a symlink is followed, its target created");
	fd = open(old, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ok = CHECK(fd >= 0) && CHECK(ftruncate(fd, 100000) == 0);
	if (fd >= 0)
		close(fd);
	ok = ok && CHECK(set_dump_name(a, old)) &&
	     CHECK(file_is(old, 24, 0600, geteuid()));
	result(ok, "PacketSetDumpName: an existing file is cut to the header, its mode kept");
	umask(mask);
}

/* as the caller's fsuid: EACCES where it may not write, its file where it may */
static void t_dumpname_fsuid(LPADAPTER a, const char *dir)
{
	char closed[240], open_dir[240], path[256];
	int ok;

	snprintf(closed, sizeof(closed), "%s/closed", dir);
	snprintf(open_dir, sizeof(open_dir), "%s/open", dir);
	ok = CHECK(mkdir(closed, 0755) == 0 && chmod(closed, 0755) == 0) &&
	     CHECK(mkdir(open_dir, 0777) == 0 && chmod(open_dir, 0777) == 0);
	setfsuid(65534);
	snprintf(path, sizeof(path), "%s/x.pcap", closed);
	errno = 0;
	ok = ok && CHECK(!set_dump_name(a, path) && errno == EACCES);
	snprintf(path, sizeof(path), "%s/x.pcap", open_dir);
	ok = ok && CHECK(set_dump_name(a, path));
	setfsuid(0);
	ok = ok && CHECK(file_is(path, 24, 0666 & ~022, 65534));
	result(ok, "PacketSetDumpName: the caller's fsuid (EACCES in a 0755 root directory as uid 65534; the file is 65534's where it may)");
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Refused with a clear errno, none of them blocking (a FIFO), and the
 * dump going on with the previous file.
 */
static void t_dumpname_errors(LPADAPTER a, const char *dir, const char *rodir)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	char good[256], path[256];
	struct npf_dump_stats ds;
	int ok, fds;

	snprintf(good, sizeof(good), "%s/good.pcap", dir);
	ok = CHECK(set_dump_name(a, good));
	fds = open_fds();
	errno = 0;
	ok = ok && CHECK(!set_dump_name(a, dir) && errno == EISDIR);
	snprintf(path, sizeof(path), "%s/none/x.pcap", dir);
	errno = 0;
	ok = ok && CHECK(!set_dump_name(a, path) && errno == ENOENT);
	snprintf(path, sizeof(path), "%s/x.pcap", rodir);
	errno = 0;
	ok = ok && CHECK(!set_dump_name(a, path) && errno == EROFS);
	errno = 0;
	ok = ok && CHECK(!set_dump_name(a, "/dev/null") && errno == EINVAL);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	sigaction(SIGALRM, &sa, NULL);
	alarm(5);
	errno = 0;
	ok = ok && CHECK(mkfifo(path, 0600) == 0) &&
	     CHECK(!set_dump_name(a, path) && errno == EINVAL);
	alarm(0);
	ok = ok && CHECK(open_fds() == fds) &&
	     CHECK(PacketGetDumpStats(a, &ds)) && CHECK(ds.active == 1) &&
	     CHECK(file_is(good, 24, 0644, geteuid()));
	result(ok, "PacketSetDumpName: EISDIR, ENOENT, EROFS, EINVAL (/dev/null, a FIFO, without blocking); the previous file stays");
}

static volatile sig_atomic_t xfsz_seen;

static void on_xfsz(int sig)
{
	(void)sig;
	xfsz_seen++;
}

/*
 * RLIMIT_FSIZE at PacketSetDumpName() bounds the dump in whole records:
 * it ends with EFBIG, later limits do not matter, no SIGXFSZ.
 */
static void t_dumpname_fsize(LPADAPTER a, LPADAPTER tx, const char *dir)
{
	struct sigaction sa = { .sa_handler = on_xfsz };
	const long rec = 16 + FRAME_LEN, want = 24 + 3 * rec;
	struct rlimit old, lim;
	struct npf_dump_stats ds;
	time_t end;
	char path[256];
	BOOLEAN set;
	int ok;

	snprintf(path, sizeof(path), "%s/fsize.pcap", dir);
	sigaction(SIGXFSZ, &sa, NULL);
	ok = CHECK(set_test_filter(a)) && CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
	lim = old;
	lim.rlim_cur = (rlim_t)(want + rec - 1);
	ok = ok && CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
	set = set_dump_name(a, path);
	setrlimit(RLIMIT_FSIZE, &old);
	ok = ok && CHECK(set) && CHECK(PacketSetMode(a, PACKET_MODE_DUMP)) &&
	     CHECK(send_frames(tx, 6, 6));
	for (end = time(NULL) + 10; ok && time(NULL) <= end;) {
		if (PacketIsDumpEnded(a, FALSE))
			break;
		usleep(20000);
	}
	ok = ok && CHECK(PacketGetDumpStats(a, &ds)) && CHECK(ds.ended) &&
	     CHECK(ds.error == -EFBIG) && CHECK(ds.packets == 3) &&
	     CHECK(PacketSetMode(a, PACKET_MODE_CAPT)) &&
	     CHECK(file_size(path) == want) && CHECK(!xfsz_seen);
	if (!ok)
		printf("# dump: %llu records, %llu bytes, error %d, ended %u\n",
		       (unsigned long long)ds.packets,
		       (unsigned long long)ds.bytes, ds.error, ds.ended);
	result(ok, "PacketSetDumpName: RLIMIT_FSIZE at the call ends the dump at whole records with EFBIG, no SIGXFSZ");
}

static int dumpname(const char *ifname, const char *dir, const char *rodir)
{
	LPADAPTER a = open_adapter(ifname), tx = open_adapter(ifname);
	mode_t mask = umask(022);

	t_dumpname_umask(a, dir);
	t_dumpname_symlink_truncate(a, dir);
	t_dumpname_fsuid(a, dir);
	t_dumpname_errors(a, dir, rodir);
	PacketCloseAdapter(a);
	a = open_adapter(ifname);
	t_dumpname_fsize(a, tx, dir);
	PacketCloseAdapter(a);
	PacketCloseAdapter(tx);
	umask(mask);
	return failed;
}

/* --- sendq-signals: PacketSendPackets under signals ---------------------- */

#define SIGQ_NOSYNC	10000		/* frames, back to back */
#define SIGQ_SYNC	120		/* frames, SIGQ_GAP_US apart */
#define SIGQ_GAP_US	5000

static void make_numbered(uint8_t *f, uint32_t seq)
{
	make_frame(f, 0);
	f[14] = 0xa7;			/* this test's frames */
	memcpy(f + 15, &seq, sizeof(seq));
}

static PPACKET_SEND_QUEUE numbered_queue(uint32_t n, uint32_t gap_us)
{
	PPACKET_SEND_QUEUE q = PacketSendQueueAlloc(n * (16 + FRAME_LEN));
	struct npf_sendq_hdr h = { 1000, 0, FRAME_LEN, FRAME_LEN };
	uint8_t frame[FRAME_LEN];
	uint32_t i;

	for (i = 0; q && i < n; i++) {
		uint64_t us = (uint64_t)i * gap_us;

		h.tv_sec = 1000 + (uint32_t)(us / 1000000);
		h.tv_usec = (uint32_t)(us % 1000000);
		make_numbered(frame, i);
		if (PacketSendQueueQueue(q, &h, frame) < 0)
			die("PacketSendQueueQueue");
	}
	return q;
}

static void on_tick(int sig)
{
	(void)sig;
}

/*
 * The child: a 1 ms SA_RESTART timer, one PacketSendPackets() of the
 * whole queue; writes what it returned, its errno and bs_sent's delta.
 */
static void __attribute__((noreturn))
sigq_child(const char *ifname, PPACKET_SEND_QUEUE q, BOOLEAN sync, int out)
{
	struct sigaction sa = { .sa_handler = on_tick, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	struct npf_stats s0, s1;
	LPADAPTER tx = open_adapter(ifname);
	long long r[3];

	sigaction(SIGALRM, &sa, NULL);
	PacketGetNpfStats(tx, &s0);
	setitimer(ITIMER_REAL, &it, NULL);
	errno = 0;
	r[0] = PacketSendPackets(tx, q->buffer, q->len, sync);
	r[1] = errno;
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	PacketGetNpfStats(tx, &s1);
	r[2] = (long long)(s1.bs_sent - s0.bs_sent);
	if (write(out, r, sizeof(r)) != sizeof(r))
		_exit(2);
	_exit(0);
}

/*
 * With @stop, stop and continue @pid every few ms, for 5 s at most (a
 * debug kernel under a storm this dense sends a frame or two between
 * stops, so an endless storm would only measure its speed), until it
 * exits: its status; -1 when it was still running after 60 s (killed).
 */
static int stop_and_continue(pid_t pid, int stop, int *stops)
{
	time_t start = time(NULL), end = start + 60;
	int status;

	*stops = 0;
	while (time(NULL) <= end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		if (!stop || time(NULL) > start + 5) {
			usleep(10000);
			continue;
		}
		kill(pid, SIGSTOP);
		usleep(1000);
		kill(pid, SIGCONT);
		(*stops)++;
		usleep(3000 + (*stops % 5) * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/*
 * Read the test's frames from @mon (an open on the sender's adapter: it
 * sees every frame sent), once the sender is done: all of them, until two
 * reads find nothing. Each seq's count in @seen (of @want), the first and
 * last timestamps in ns.
 */
static long read_numbered(LPADAPTER mon, uint32_t want, uint8_t *seen,
			  int64_t *first, int64_t *last)
{
	static uint8_t buf[BUF_SIZE];
	long n = 0, quiet = 0;
	PACKET pkt;

	while (quiet < 2) {
		uint32_t off = 0, seq;

		PacketInitPacket(&pkt, buf, sizeof(buf));
		if (!PacketReceivePacket(mon, &pkt, TRUE))
			return -1;
		quiet = pkt.ulBytesReceived ? 0 : quiet + 1;
		while (off < pkt.ulBytesReceived) {
			struct bpf_hdr *r = (struct bpf_hdr *)(buf + off);
			const uint8_t *f = buf + off + r->bh_hdrlen;
			int64_t t = record_ns(r, 1000);

			off += Packet_WORDALIGN(r->bh_hdrlen + r->bh_caplen);
			if (r->bh_caplen < 19 || f[14] != 0xa7)
				continue;
			memcpy(&seq, f + 15, sizeof(seq));
			if (seq < want && seen[seq] < 255)
				seen[seq]++;
			if (!n)
				*first = t;
			*last = t;
			n++;
		}
	}
	return n;
}

/*
 * A child sends the queue with one PacketSendPackets() under a 1 ms
 * SA_RESTART timer, and with @stop also SIGSTOP/SIGCONT every few ms; an
 * open on the same adapter sees what left. The module stops a queue at a
 * signal once entries left (EINTR, consumed) and libnpf resumes it: the
 * call returns Size, bs_sent and the capture hold every frame once.
 */
static void t_sendq_signals(const char *ifname, BOOLEAN sync, int stop)
{
	uint32_t n = sync ? SIGQ_SYNC : SIGQ_NOSYNC;
	PPACKET_SEND_QUEUE q = numbered_queue(n, sync ? SIGQ_GAP_US : 0);
	LPADAPTER mon = open_adapter(ifname);
	uint8_t *seen = calloc(n, 1);
	int64_t first = 0, last = 0;
	long long r[3] = { -1, -1, -1 };
	uint32_t i, once = 0, twice = 0;
	int p[2], status, stops, ok;
	long got;
	pid_t pid;

	if (!q || !seen || pipe(p) < 0)
		die("sendq-signals setup");
	ok = CHECK(set_test_filter(mon)) &&
	     CHECK(PacketSetBuff(mon, 16 << 20)) &&
	     CHECK(PacketSetMinToCopy(mon, 0)) &&
	     CHECK(PacketSetReadTimeout(mon, 200));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(p[0]);
		sigq_child(ifname, q, sync, p[1]);
	}
	close(p[1]);
	status = stop_and_continue(pid, stop, &stops);
	ok &= CHECK(status == 0) &&
	      CHECK(read(p[0], r, sizeof(r)) == sizeof(r));
	close(p[0]);
	got = read_numbered(mon, n, seen, &first, &last);
	for (i = 0; i < n; i++) {
		once += seen[i] == 1;
		twice += seen[i] > 1;
	}
	printf("# %s: %d stops; PacketSendPackets returned %lld of %u (errno %lld), bs_sent %lld; captured %ld, each once %u, twice or more %u, first to last %.3f s\n",
	       sync ? "SYNC" : "NOSYNC", stops, r[0], q->len, r[1], r[2], got,
	       once, twice, (double)(last - first) / 1e9);
	ok &= CHECK(r[0] == (long long)q->len) && CHECK(r[2] == (long long)n) &&
	      CHECK(got == (long)n) && CHECK(once == n && !twice);
	/*
	 * Frame i leaves no earlier than the call's start plus i gaps: a
	 * tick in a gap must not send the next frame early (with a tick
	 * every 1 ms and 5 ms gaps, that would shrink the span to a fraction
	 * of it: 0.2 s instead of 0.6 in the test VM). The 100 ms allow for
	 * frame 0 leaving after the call's start (a busy host). Stops only
	 * stretch the span: checked without them.
	 */
	if (sync && !stop)
		ok &= CHECK(last - first >= (int64_t)(n - 1) * SIGQ_GAP_US *
			    1000 - 100000000);
	result(ok, "PacketSendPackets(%s) of %u numbered frames under %sa 1 ms SA_RESTART timer: returns Size, every frame once%s",
	       sync ? "SYNC" : "NOSYNC", n, stop ? "SIGSTOP/SIGCONT and " : "",
	       sync && !stop ? ", the spacing kept" : "");
	PacketCloseAdapter(mon);
	PacketSendQueueFree(q);
	free(seen);
}

static int sendq_signals(const char *ifname)
{
	t_sendq_signals(ifname, FALSE, 1);
	t_sendq_signals(ifname, TRUE, 1);
	t_sendq_signals(ifname, TRUE, 0);
	return failed;
}

/* --- hold: opens for npfctl --------------------------------------------- */

/* Until a signal ends the process: the script kills its holders. */
static void __attribute__((noreturn)) ready_then_wait(void)
{
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}

static int mode_of(const char *s)
{
	if (!strcmp(s, "stat"))
		return PACKET_MODE_STAT;
	if (!strcmp(s, "dump"))
		return PACKET_MODE_DUMP;
	return PACKET_MODE_CAPT;
}

static void hold_configure(LPADAPTER a, int c, const char *arg)
{
	int ok = 1;

	switch (c) {
	case 'b':
		ok = PacketSetBuff(a, atoi(arg));
		break;
	case 'c':
		ok = PacketSetMinToCopy(a, atoi(arg));
		break;
	case 't':
		ok = PacketSetReadTimeout(a, atoi(arg));
		break;
	case 'p':
		ok = PacketSetHwFilter(a, NDIS_PACKET_TYPE_PROMISCUOUS);
		break;
	case 'f':
		ok = set_test_filter(a);
		break;
	case 's':
		ok = send_frames(a, atoi(arg), 9);
		break;
	case 'w':
		ok = PacketSetDumpName(a, (void *)arg, (int)strlen(arg));
		break;
	case 'm':
		ok = PacketSetMode(a, mode_of(arg));
		break;
	}
	if (!ok)
		die("hold: configure");
}

static int hold(int argc, char **argv)
{
	LPADAPTER a;
	int c;

	if (argc < 1)
		return 2;
	a = open_adapter(argv[0]);
	while ((c = getopt(argc, argv, "b:c:t:pfs:w:m:")) != -1)
		hold_configure(a, c, optarg);
	ready_then_wait();
}

static int hold_unbound(void)
{
	int fd = open("/dev/npf", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("/dev/npf");
	ready_then_wait();
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "facts"))
		return facts(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "api"))
		return api(argv[2], argv[3]);
	if (argc >= 3 && !strcmp(argv[1], "hold"))
		return hold(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "hold-unbound"))
		return hold_unbound();
	if (argc == 5 && !strcmp(argv[1], "dumpname"))
		return dumpname(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "sendq-signals"))
		return sendq_signals(argv[2]);
	fprintf(stderr, "usage: npf-vm-test facts IFACE... | api TX RX | hold IFACE [-m MODE] [-b N] [-c N] [-t MS] [-p] [-f] [-s N] [-w FILE] | hold-unbound | dumpname IFACE DIR RODIR | sendq-signals IFACE\n");
	return 2;
}
