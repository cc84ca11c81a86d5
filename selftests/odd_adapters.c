// SPDX-License-Identifier: GPL-2.0
/*
 * Odd adapters: npf bound to what is not a veth pair. The loopback, a
 * dummy, a tap, a bond alone (no carrier) and one with an enslaved dummy
 * (all LINKTYPE_ETHERNET), and the header-less IP adapters npf describes
 * as LINKTYPE_RAW: ipip, sit and gre with a remote (addr_len 4), wireguard
 * and tun (addr_len 0). Each variant creates its adapter in a private
 * network namespace (odd_util.h says how each one is made to carry frames
 * whose bytes the test knows) and runs:
 *
 *   bind             the binding, BIOCGDLT, the medium, the netlink view,
 *                    rebinding, adapters npf refuses (EOPNOTSUPP); a
 *                    BIOCSETIF that fails keeps the binding, the buffered
 *                    records and the counters (issue 12, bug 9)
 *   ioctls           every ioctl of uapi/linux/npf.h with valid and edge
 *                    arguments, each capturing mode and record layout
 *                    checked against what the adapter carried, the dump
 *                    file by name and by descriptor (BIOCSETDUMPFD, API
 *                    1.2) with the adapter's link type in its header
 *   oids             every OID set and queried with data lengths 0, 1, 6,
 *                    7, 4096 and 4097 (but the multicast list set, below),
 *                    the packet filter's promiscuity and allmulti
 *   transmit         write() and send queues: what is accepted, the exact
 *                    errnos (ENETDOWN, EINVAL, EMSGSIZE), what is captured
 *                    and, on tun and tap, what comes out of the device
 *   removed          the adapter deleted under a bound open: prompt, and
 *                    the open drains, then says ENODEV
 *   multicast_list   (fixture odd_mc) OID_802_3_MULTICAST_LIST set with
 *                    every length: the list on Ethernet adapters, as
 *                    /proc/net/dev_mcast sees it; EINVAL elsewhere
 *   bond_becomes_raw (fixture odd_retype) a bound Ethernet bond takes a
 *                    tun as its first slave and turns header-less
 *
 * After every storm the open must still capture what the adapter carries,
 * exactly, in the layout BIOCGDLT announces.
 *
 * The multicast-list fixture runs last, and its wireguard and tun variants
 * last of all: issue 12's module divides by dev->addr_len (0 there) under
 * RTNL when that OID is set, an oops that leaves RTNL held, so that every
 * later test (every netns creation) hangs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostile_util.h"
#include "odd_util.h"
#include "harness.h"

#define BIG		(1 << 20)
#define NF		6		/* frames per capture check */
#define WAIT		10000		/* ms: for what must happen */
/*
 * An adapter deletion, at most: a reference npf kept would stall it for
 * good (the kernel complains after 10 s); deleting a tunnel in a busy
 * TCG guest takes up to about 2 s.
 */
#define PROMPT		5000
#define PARAM		"/sys/module/npf/parameters/max_buffer_size"

/* EXPECT_ERRNO, with a message saying which case it was. */
#define EXPECT_FAIL(err, call, fmt, ...)				\
	do {								\
		long _r;						\
		int _e;							\
									\
		errno = 0;						\
		_r = (long)(call);					\
		_e = errno;						\
		EXPECT_EQ(-1L, _r) TH_LOG(fmt ": succeeded", ##__VA_ARGS__); \
		EXPECT_EQ(err, _e) TH_LOG(fmt ": %s, want %s", ##__VA_ARGS__, \
					  strerror(_e), strerror(err));	\
	} while (0)

#define DEFAULT_FILTER	(NDIS_PACKET_TYPE_DIRECTED | \
			 NDIS_PACKET_TYPE_MULTICAST | \
			 NDIS_PACKET_TYPE_BROADCAST)

/* ---- one test's adapter and open ------------------------------------- */

struct odd_fx {
	struct odd_adapter a;
	int fd;			/* /dev/npf bound to a, timeout -1 */
	uint32_t seq;		/* frames made so far */
	uint32_t filter;	/* OID_GEN_CURRENT_PACKET_FILTER as set */
	char path[64];		/* scratch file */
};

/* Modules first, once, in the harness's process: every test forks. */
static void __attribute__((constructor)) odd_modules(void)
{
	if (!getuid())
		odd_modprobe();
}

static void fx_setup(struct __test_metadata *_metadata, struct odd_fx *x,
		     enum odd_kind kind)
{
	int r;

	NPF_ONLY_OR_SKIP();
	x->fd = -1;
	x->a.fd = x->a.tx = x->a.raw = -1;
	x->filter = DEFAULT_FILTER;
	snprintf(x->path, sizeof(x->path), "/tmp/npf-odd-%d.pcap", getpid());
	ASSERT_EQ(0, odd_netns()) TH_LOG("%s", npf_err);
	r = odd_create(&x->a, kind);
	if (r == ODD_ABSENT) {
		ASSERT_FALSE(npf_expect_debug())
			TH_LOG("the debug kernel must make a %s: %s",
			       odd_kinds[kind].what, npf_err);
		SKIP(_exit(255), "this kernel cannot make a %s: %s",
		     odd_kinds[kind].what, npf_err);
	}
	ASSERT_EQ(0, r) TH_LOG("%s: %s", odd_kinds[kind].what, npf_err);
	x->fd = npf_open(0);
	ASSERT_LE(0, x->fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(x->fd, x->a.name))
		TH_LOG("%s: %s", x->a.name, npf_err);
	ASSERT_EQ(0, npf_set_timeout(x->fd, -1));
}

static void fx_teardown(struct odd_fx *x)
{
	if (x->fd >= 0)
		close(x->fd);
	odd_destroy(&x->a);
	unlink(x->path);
}

FIXTURE(odd) {
	struct odd_fx x;
};

FIXTURE_VARIANT(odd) {
	enum odd_kind kind;
};

FIXTURE_SETUP(odd)
{
	fx_setup(_metadata, &self->x, variant->kind);
}

FIXTURE_TEARDOWN(odd)
{
	fx_teardown(&self->x);
}

/*
 * The variants, in the order they run: the adapters with addr_len 0 last
 * (in odd_mc, where the unfixed module oopses on them).
 */
#define ODD_VARIANTS(fx)						\
	FIXTURE_VARIANT_ADD(fx, lo) { .kind = ODD_LO };		\
	FIXTURE_VARIANT_ADD(fx, dummy) { .kind = ODD_DUMMY };		\
	FIXTURE_VARIANT_ADD(fx, tap) { .kind = ODD_TAP };		\
	FIXTURE_VARIANT_ADD(fx, bond) { .kind = ODD_BOND };		\
	FIXTURE_VARIANT_ADD(fx, bond_slave) { .kind = ODD_BOND_SLAVE }; \
	FIXTURE_VARIANT_ADD(fx, ipip) { .kind = ODD_IPIP };		\
	FIXTURE_VARIANT_ADD(fx, sit) { .kind = ODD_SIT };		\
	FIXTURE_VARIANT_ADD(fx, gre) { .kind = ODD_GRE };		\
	FIXTURE_VARIANT_ADD(fx, wireguard) { .kind = ODD_WG };		\
	FIXTURE_VARIANT_ADD(fx, tun) { .kind = ODD_TUN }

ODD_VARIANTS(odd);

/* ---- helpers ---------------------------------------------------------- */

static int set_u32(int fd, unsigned long cmd, uint32_t v)
{
	return ioctl(fd, cmd, &v);
}

static uint32_t get_dlt(int fd)
{
	uint32_t dlt = 0xdeadbeef;

	if (ioctl(fd, BIOCGDLT, &dlt))
		return 0xffffffff;
	return dlt;
}

/*
 * How many of n frames the adapter carries past the taps: all, or none on
 * a bond without slave (no carrier).
 */
static int want(const struct odd_fx *x, int n)
{
	return x->a.k->mute ? 0 : n;
}

/* n frames of varied lengths for the adapter, unique in this test. */
static void mk_frames(struct odd_fx *x, struct frame *f, int n)
{
	uint32_t min = x->a.k->dlt == NPF_LINKTYPE_ETHERNET ? 60 :
		       x->a.k->ipver == 6 ? 60 : 28;

	for (int i = 0; i < n; i++)
		odd_frame(&x->a, &f[i], min + 97 * (uint32_t)i, ++x->seq);
}

static int inject_all(struct odd_fx *x, const struct frame *f, int n)
{
	for (int i = 0; i < n; i++)
		if (odd_inject(&x->a, &f[i]))
			return -1;
	return 0;
}

/* What BIOCGDLT promises about the first bytes of every record. */
static bool dlt_consistent(const struct odd_fx *x, const uint8_t *d,
			   uint32_t caplen)
{
	if (x->a.k->dlt == NPF_LINKTYPE_RAW)
		return caplen >= 1 && d[0] >> 4 == x->a.k->ipver &&
		       (x->a.k->ipver != 4 || d[0] == 0x45);
	return caplen >= 14 && d[12] == 0x08 && d[13] == 0x00;
}

/* Records l[from..] are frames f[0..n), whole, in order. */
static void expect_records(struct __test_metadata *_metadata,
			   struct odd_fx *x, const struct reclist *l, int from,
			   const struct frame *f, int n, const char *when)
{
	ASSERT_EQ(from + n, l->n) TH_LOG("%s: %d records, want %d", when,
					 l->n - from, n);
	for (int i = 0; i < n; i++) {
		const struct rec *r = &l->r[from + i];

		EXPECT_TRUE(rec_matches(r, &f[i]))
			TH_LOG("%s: record %d: caplen %u datalen %u first %#04x, want %u bytes (%s)",
			       when, i, r->h.bh_caplen, r->h.bh_datalen,
			       r->h.bh_caplen ? r->data[0] : 0, f[i].len,
			       f[i].desc);
		EXPECT_TRUE(dlt_consistent(x, r->data, r->h.bh_caplen))
			TH_LOG("%s: record %d does not start as link type %u says",
			       when, i, x->a.k->dlt);
	}
}

/* Counters of an open that saw exactly n frames and kept them all. */
static void expect_counts(struct __test_metadata *_metadata, int fd,
			  uint64_t n, const char *when)
{
	struct npf_stats st;

	ASSERT_EQ(0, npf_stats(fd, &st)) TH_LOG("%s", npf_err);
	EXPECT_EQ(n, st.bs_recv) TH_LOG("%s", when);
	EXPECT_EQ(n, st.bs_capt) TH_LOG("%s", when);
	EXPECT_EQ(0ULL, st.bs_drop + st.bs_filtered + st.bs_nomem)
		TH_LOG("%s: drop %llu filtered %llu nomem %llu", when,
		       (unsigned long long)st.bs_drop,
		       (unsigned long long)st.bs_filtered,
		       (unsigned long long)st.bs_nomem);
}

/* A read that must find nothing (timeout -1 or O_NONBLOCK). */
static void expect_empty(struct __test_metadata *_metadata, int fd,
			 const char *when)
{
	uint8_t b[256];
	ssize_t n = read(fd, b, sizeof(b));

	EXPECT_TRUE(n == 0 || (n < 0 && errno == EAGAIN))
		TH_LOG("%s: a read found %zd bytes (%s)", when, n,
		       n < 0 ? strerror(errno) : "records nobody sent");
}

/*
 * Zero the counters and empty the ring (an empty BIOCSETF), make the
 * adapter carry n frames: fd (timeout -1, BPF records, MODE_CAPT) records
 * exactly them and nothing else.
 */
static void expect_capture(struct __test_metadata *_metadata,
			   struct odd_fx *x, int fd, int n, const char *when)
{
	struct frame f[NF];
	struct reclist l;

	ASSERT_GE(NF, n);
	ASSERT_EQ(0, npf_set_filter(fd, NULL, 0)) TH_LOG("%s", npf_err);
	mk_frames(x, f, n);
	ASSERT_EQ(0, inject_all(x, f, n)) TH_LOG("%s: %s", when, npf_err);
	n = want(x, n);
	reclist_init(&l);
	EXPECT_EQ(n, collect(fd, &l, n, WAIT, BIG))
		TH_LOG("%s: %s", when, npf_err);
	expect_records(_metadata, x, &l, 0, f, n, when);
	reclist_free(&l);
	expect_counts(_metadata, fd, n, when);
	expect_empty(_metadata, fd, when);
}

/* ---- OIDs --------------------------------------------------------------- */

struct oidbuf {
	struct npf_oid_data h;
	uint8_t d[NPF_OID_MAXLEN + 64];
};

#define FILLER	0xa5

static int oid_call(int fd, bool set, struct oidbuf *b, uint32_t oid,
		    uint32_t len)
{
	b->h.oid = oid;
	b->h.length = len;
	return ioctl(fd, set ? BIOCSETOID : BIOCQUERYOID, b);
}

static int oid_set_filter(int fd, uint32_t filter)
{
	struct oidbuf b;

	memcpy(b.d, &filter, 4);
	return oid_call(fd, true, &b, OID_GEN_CURRENT_PACKET_FILTER, 4);
}

/* Query into a buffer of len bytes; 0 and the answer in b, or -1. */
static int oid_query(int fd, struct oidbuf *b, uint32_t oid, uint32_t len)
{
	memset(b->d, FILLER, sizeof(b->d));
	return oid_call(fd, false, b, oid, len);
}

/* Every OID of the uapi, and some it does not answer. */
static const uint32_t known_oids[] = {
	OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_MEDIA_IN_USE,
	OID_GEN_MAXIMUM_FRAME_SIZE, OID_GEN_LINK_SPEED,
	OID_GEN_MAXIMUM_TOTAL_SIZE, OID_GEN_MEDIA_CONNECT_STATUS,
	OID_GEN_XMIT_OK, OID_GEN_RCV_OK, OID_GEN_XMIT_ERROR,
	OID_GEN_RCV_ERROR, OID_GEN_RCV_NO_BUFFER, OID_802_3_PERMANENT_ADDRESS,
	OID_802_3_CURRENT_ADDRESS, OID_802_3_MULTICAST_LIST,
	OID_802_3_MAXIMUM_LIST_SIZE,
};

static const uint32_t unknown_oids[] = {
	0, 0xffffffff, 0x00010101 /* OID_GEN_SUPPORTED_LIST */,
	0x00010105 /* OID_GEN_MAXIMUM_LOOKAHEAD */,
	0x01010105 /* OID_802_3_MAC_OPTIONS */, OID_802_3_MULTICAST_LIST + 0x100,
};

static const uint32_t oid_lens[] = { 0, 1, 6, 7, NPF_OID_MAXLEN,
				     NPF_OID_MAXLEN + 1 };

static bool is_counter(uint32_t oid)
{
	return oid >= OID_GEN_XMIT_OK && oid <= OID_GEN_RCV_NO_BUFFER;
}

static long long stat_of(const char *ifname, const char *name)
{
	char attr[64];
	long long v;

	snprintf(attr, sizeof(attr), "statistics/%s", name);
	return odd_sysfs_ll(ifname, attr, &v) ? -1 : v;
}

/*
 * The answer the adapter owes to a query of oid (whatever the buffer's
 * length; a counter is then cut to 32 bits by a buffer under 8 bytes):
 * its bytes in ans, their number, or -1 for an OID it does not answer.
 */
static int oid_truth(struct odd_fx *x, uint32_t oid, uint8_t *ans)
{
	const char *n = x->a.name;
	uint32_t v;
	uint64_t c;
	long long s, s2;
	int len, cnt;

	switch (oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		v = x->filter;
		break;
	case OID_GEN_MEDIA_IN_USE:
		v = x->a.k->dlt == NPF_LINKTYPE_RAW ? NPF_NDIS_MEDIUM_IP :
						       NPF_NDIS_MEDIUM_802_3;
		break;
	case OID_GEN_MAXIMUM_FRAME_SIZE:
		v = x->a.mtu;
		break;
	case OID_GEN_MAXIMUM_TOTAL_SIZE:
		/* NDIS: the frame with its header, which raw IP has not */
		v = x->a.mtu + x->a.k->hdrlen;
		break;
	case OID_GEN_LINK_SPEED:
		/* units of 100 bit/s; 0 when ethtool knows no speed */
		s = -1;
		odd_sysfs_ll(n, "speed", &s);
		v = s > 0 ? (uint32_t)s * 10000 : 0;
		break;
	case OID_GEN_MEDIA_CONNECT_STATUS:
		/* NdisMediaStateConnected (0): up with a carrier */
		s = -1;
		odd_sysfs_ll(n, "carrier", &s);
		v = (link_flags_sysfs(n) & IFF_UP) && s == 1 ? 0 : 1;
		break;
	case OID_802_3_MAXIMUM_LIST_SIZE:
		v = NPF_MC_MAX;
		break;
	case OID_802_3_CURRENT_ADDRESS:
		return odd_sysfs_addr(n, ans, 32);
	case OID_802_3_PERMANENT_ADDRESS:
		/* virtual adapters burn in nothing: the current one */
		len = odd_perm_addr(n, ans, 32);
		for (int i = 0; i < len; i++)
			if (ans[i])
				return len;
		return odd_sysfs_addr(n, ans, 32);
	case OID_802_3_MULTICAST_LIST:
		return odd_dev_mcast(x->a.ifindex, ans, NPF_OID_MAXLEN, &cnt);
	default:
		if (!is_counter(oid))
			return -1;
		s = stat_of(n, oid == OID_GEN_XMIT_OK ? "tx_packets" :
			       oid == OID_GEN_RCV_OK ? "rx_packets" :
			       oid == OID_GEN_XMIT_ERROR ? "tx_errors" :
			       oid == OID_GEN_RCV_ERROR ? "rx_errors" :
			       "rx_missed_errors");
		s2 = oid == OID_GEN_RCV_NO_BUFFER ?
			stat_of(n, "rx_fifo_errors") : 0;
		c = (uint64_t)s + (uint64_t)s2;
		memcpy(ans, &c, 8);
		return 8;
	}
	memcpy(ans, &v, 4);
	return 4;
}

/*
 * One query of oid with a buffer of len bytes, judged against the truth:
 * an answer that fits is written, length updated, nothing past it
 * touched; a buffer too short fails with EINVAL, nothing written; an OID
 * nobody answers fails with EOPNOTSUPP; more than NPF_OID_MAXLEN, EINVAL.
 */
static void check_query(struct __test_metadata *_metadata, struct odd_fx *x,
			int fd, uint32_t oid, uint32_t len)
{
	uint8_t want[NPF_OID_MAXLEN];
	struct oidbuf b;
	int need = oid_truth(x, oid, want), r, err;

	if (is_counter(oid) && len < 8)
		need = 4;	/* 32 bits of it, native order: the low half */
	r = oid_query(fd, &b, oid, len);
	err = errno;
	if (len > NPF_OID_MAXLEN || (need >= 0 && (uint32_t)need > len)) {
		EXPECT_EQ(-1, r) TH_LOG("%s: query %#x len %u succeeded (answer %d bytes)",
					x->a.name, oid, len, need);
		EXPECT_EQ(EINVAL, err) TH_LOG("%s: query %#x len %u: %s",
					      x->a.name, oid, len,
					      strerror(err));
		EXPECT_EQ(len, b.h.length) TH_LOG("length written on failure");
	} else if (need < 0) {
		EXPECT_EQ(-1, r) TH_LOG("%s: query of unknown OID %#x succeeded",
					x->a.name, oid);
		EXPECT_EQ(EOPNOTSUPP, err) TH_LOG("%s: query %#x len %u: %s",
						  x->a.name, oid, len,
						  strerror(err));
		EXPECT_EQ(len, b.h.length);
	} else {
		EXPECT_EQ(0, r) TH_LOG("%s: query %#x len %u: %s", x->a.name,
				       oid, len, strerror(err));
		if (r)
			return;
		EXPECT_EQ((uint32_t)need, b.h.length)
			TH_LOG("%s: query %#x len %u", x->a.name, oid, len);
		EXPECT_EQ(0, memcmp(b.d, want, need))
			TH_LOG("%s: query %#x len %u: answer differs from the adapter's (first word %#x, want %#x)",
			       x->a.name, oid, len, need >= 4 ? *(uint32_t *)b.d : 0,
			       need >= 4 ? *(uint32_t *)want : 0);
		need = b.h.length <= len ? (int)b.h.length : (int)len;
	}
	if (r)
		need = 0;
	for (uint32_t i = need; i < len && i < NPF_OID_MAXLEN; i++) {
		if (b.d[i] != FILLER) {
			EXPECT_EQ(FILLER, b.d[i])
				TH_LOG("%s: query %#x len %u wrote byte %u", x->a.name,
				       oid, len, i);
			break;
		}
	}
}

/* ---- bind --------------------------------------------------------------- */

/*
 * BIOCSETIF that fails (no such adapter, a link type npf cannot describe)
 * keeps everything: the binding, the records buffered, the counters
 * (issue 12, bug 9). A fresh open refused so stays unbound.
 */
static void failed_rebind(struct __test_metadata *_metadata, struct odd_fx *x)
{
	struct frame f[NF];
	struct reclist l;
	struct oidbuf b;
	uint32_t dlt;
	int fd = x->fd, fd2, r;

	r = odd_link_add(ODD_NBMA, "gre", "10.200.0.9", NULL);
	if (r == ODD_ABSENT) {
		ASSERT_FALSE(npf_expect_debug()) TH_LOG("no gre: %s", npf_err);
		TH_LOG("no gre here: %s", npf_err);
		return;
	}
	ASSERT_EQ(0, r) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, link_set_up(ODD_NBMA, true)) TH_LOG("%s", npf_err);

	/* from an empty ring and zero counters */
	ASSERT_EQ(0, npf_set_filter(fd, NULL, 0)) TH_LOG("%s", npf_err);
	mk_frames(x, f, 4);
	ASSERT_EQ(0, inject_all(x, f, 4)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(fd, want(x, 4), WAIT))
		TH_LOG("%s", npf_err);
	EXPECT_ERRNO(ENODEV, npf_bind(fd, "npfnosuchdev0"));
	EXPECT_ERRNO(EOPNOTSUPP, npf_bind(fd, ODD_NBMA));
	EXPECT_ERRNO(EINVAL, npf_bind(fd, ""));
	EXPECT_EQ(x->a.k->dlt, get_dlt(fd));
	expect_counts(_metadata, fd, want(x, 4), "after failed BIOCSETIFs");
	reclist_init(&l);
	EXPECT_EQ(want(x, 4), collect(fd, &l, want(x, 4), 1000, BIG))
		TH_LOG("the failed BIOCSETIFs lost buffered records: %s", npf_err);
	if (l.n == want(x, 4))
		expect_records(_metadata, x, &l, 0, f, want(x, 4), "kept records");
	reclist_free(&l);
	expect_capture(_metadata, x, fd, 2, "still bound");

	/* refused from the start: unbound */
	fd2 = npf_open(0);
	ASSERT_LE(0, fd2);
	EXPECT_ERRNO(EOPNOTSUPP, npf_bind(fd2, ODD_NBMA));
	EXPECT_ERRNO(ENXIO, ioctl(fd2, BIOCGDLT, &dlt));
	EXPECT_ERRNO(ENXIO, read(fd2, b.d, sizeof(b.d)));
	EXPECT_ERRNO(ENXIO, write(fd2, f[0].b, f[0].len));
	EXPECT_ERRNO(ENXIO, oid_query(fd2, &b, OID_GEN_MEDIA_IN_USE, 4));
	close(fd2);
}

/*
 * A fresh open binds to the adapter: BIOCGDLT, the medium and the packet
 * filter are what the link type says, the netlink family shows the
 * binding; the fallback tunnels of the namespace are bound or refused as
 * their link type says; rebinding to lo and back changes the link type;
 * failed rebinds change nothing.
 */
TEST_F_TIMEOUT(odd, bind, 60)
{
	static const struct { const char *name; uint32_t dlt; } fb[] = {
		{ "gre0", 0 },		/* header_ops: refused */
		{ "tunl0", NPF_LINKTYPE_RAW },
		{ "sit0", NPF_LINKTYPE_RAW },
		{ "gretap0", NPF_LINKTYPE_ETHERNET },
		{ "erspan0", NPF_LINKTYPE_ETHERNET },
	};
	struct { struct npf_oid_data h; uint32_t v; } q;
	struct nl_open opens[4];
	int fd = npf_open(0), n;
	uint32_t dlt;

	ASSERT_LE(0, fd) TH_LOG("%s", npf_err);
	EXPECT_ERRNO(ENXIO, ioctl(fd, BIOCGDLT, &dlt));
	ASSERT_EQ(0, npf_bind(fd, self->x.a.name)) TH_LOG("%s", npf_err);
	EXPECT_EQ(self->x.a.k->dlt, get_dlt(fd));
	q.h.oid = OID_GEN_MEDIA_IN_USE;
	q.h.length = 4;
	ASSERT_EQ(0, ioctl(fd, BIOCQUERYOID, &q)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(4U, q.h.length);
	EXPECT_EQ(self->x.a.k->dlt == NPF_LINKTYPE_RAW ?
		  (uint32_t)NPF_NDIS_MEDIUM_IP : (uint32_t)NPF_NDIS_MEDIUM_802_3,
		  q.v);
	q.h.oid = OID_GEN_CURRENT_PACKET_FILTER;
	q.h.length = 4;
	ASSERT_EQ(0, ioctl(fd, BIOCQUERYOID, &q));
	EXPECT_EQ((uint32_t)DEFAULT_FILTER, q.v);

	/* the operator's view: both opens, bound to this adapter */
	n = genl_npf_opens(opens, 4);
	ASSERT_EQ(2, n) TH_LOG("%s", npf_err);
	for (int i = 0; i < n; i++) {
		EXPECT_TRUE(opens[i].has_if);
		EXPECT_EQ((uint32_t)self->x.a.ifindex, opens[i].ifindex);
		EXPECT_STREQ(self->x.a.name, opens[i].ifname);
		EXPECT_FALSE(opens[i].gone);
		EXPECT_EQ((uint32_t)getpid(), opens[i].pid);
	}

	/* the namespace's fallback tunnels (none when the modules are not) */
	for (size_t i = 0; i < ARRAY_SIZE(fb); i++) {
		if (!if_nametoindex(fb[i].name))
			continue;
		if (!fb[i].dlt) {
			EXPECT_ERRNO(EOPNOTSUPP, npf_bind(fd, fb[i].name));
			EXPECT_EQ(self->x.a.k->dlt, get_dlt(fd))
				TH_LOG("a refused bind to %s changed the binding",
				       fb[i].name);
		} else {
			EXPECT_EQ(0, npf_bind(fd, fb[i].name))
				TH_LOG("%s: %s", fb[i].name, npf_err);
			EXPECT_EQ(fb[i].dlt, get_dlt(fd)) TH_LOG("%s", fb[i].name);
			ASSERT_EQ(0, npf_bind(fd, self->x.a.name));
		}
	}

	/* to lo (Ethernet headers) and back */
	ASSERT_EQ(0, npf_bind(fd, "lo")) TH_LOG("%s", npf_err);
	EXPECT_EQ((uint32_t)NPF_LINKTYPE_ETHERNET, get_dlt(fd));
	ASSERT_EQ(0, npf_bind(fd, self->x.a.name)) TH_LOG("%s", npf_err);
	EXPECT_EQ(self->x.a.k->dlt, get_dlt(fd));
	ASSERT_EQ(0, npf_set_timeout(fd, -1));
	expect_capture(_metadata, &self->x, fd, 3, "after rebinding");
	close(fd);
	failed_rebind(_metadata, &self->x);
}

/* ---- ioctls --------------------------------------------------------------- */

static int collect_nano(int fd, struct reclist *l, int want)
{
	uint8_t *buf = malloc(BIG);
	int64_t end = now_ms() + WAIT;
	int got = 0;

	if (!buf)
		return -1;
	while (got < want) {
		ssize_t n = read(fd, buf, BIG);

		if (n > 0) {
			int c = parse_records(buf, n, l, true);

			if (c < 0)
				break;
			got += c;
			continue;
		}
		if ((n < 0 && errno != EAGAIN) || now_ms() > end)
			break;
		sleep_ms(2);
	}
	free(buf);
	return got;
}

/* A classic program on the first bytes BIOCGDLT announces: the EtherType
 * 0x0800, or the IP version nibble (ours, or the other one: reject all). */
static void link_prog(const struct odd_fx *x, struct sock_filter *p,
		      bool accept, uint32_t snap)
{
	uint32_t want;

	if (x->a.k->dlt == NPF_LINKTYPE_ETHERNET) {
		want = accept ? 0x0800 : 0x0806;
		p[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12);
		p[1] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K,
						    0xffff);
	} else {
		want = (accept ? x->a.k->ipver : 10 - x->a.k->ipver) << 4;
		p[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0);
		p[1] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K,
						    0xf0);
	}
	p[2] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, want,
					    0, 1);
	p[3] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, snap);
	p[4] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
}

/* BIOCSETF: programs see the frame from the header BIOCGDLT names; bad
 * programs fail and leave the filter in force. */
static void storm_filter(struct __test_metadata *_metadata, struct odd_fx *x)
{
	struct sock_filter acc[5], rej[5], noret[1] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0) };
	struct sock_filter jump[2] = {
		BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0),
		BPF_STMT(BPF_RET | BPF_K, 0) };
	struct npf_program p;
	struct npf_stats st;
	struct frame f[NF];
	struct reclist l;
	int fd = x->fd;

	link_prog(x, acc, true, 20);
	link_prog(x, rej, false, 0xffff);
	ASSERT_EQ(0, npf_set_filter(fd, acc, 5)) TH_LOG("%s", npf_err);
	mk_frames(x, f, 4);
	ASSERT_EQ(0, inject_all(x, f, 4)) TH_LOG("%s", npf_err);
	reclist_init(&l);
	EXPECT_EQ(want(x, 4), collect(fd, &l, want(x, 4), WAIT, BIG))
		TH_LOG("%s", npf_err);
	for (int i = 0; i < l.n && i < 4; i++) {
		EXPECT_TRUE(rec_matches_snap(&l.r[i], &f[i], 20))
			TH_LOG("snap 20, record %d: caplen %u datalen %u",
			       i, l.r[i].h.bh_caplen, l.r[i].h.bh_datalen);
	}
	reclist_free(&l);
	expect_counts(_metadata, fd, want(x, 4), "filter accepting by link header");

	ASSERT_EQ(0, npf_set_filter(fd, rej, 5)) TH_LOG("%s", npf_err);
	/* bad programs: refused, the rejecting one stays */
	memset(&p, 0, sizeof(p));
	p.bf_insns = (uint64_t)(uintptr_t)acc;
	p.bf_len = NPF_MAXINSNS + 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, BIOCSETF, &p));
	p.bf_len = 5;
	p.bf_pad = 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, BIOCSETF, &p));
	p.bf_pad = 0;
	p.bf_insns = (uint64_t)(uintptr_t)noret;
	p.bf_len = 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, BIOCSETF, &p));
	p.bf_insns = (uint64_t)(uintptr_t)jump;
	p.bf_len = 2;
	EXPECT_ERRNO(EINVAL, ioctl(fd, BIOCSETF, &p));
	p.bf_insns = 0;
	EXPECT_ERRNO(EFAULT, ioctl(fd, BIOCSETF, &p));
	EXPECT_ERRNO(EFAULT, ioctl(fd, BIOCSETF, NULL));
	mk_frames(x, f, 4);
	ASSERT_EQ(0, inject_all(x, f, 4)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(fd, want(x, 4), WAIT))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_stats(fd, &st));
	EXPECT_EQ((uint64_t)want(x, 4), st.bs_recv);
	EXPECT_EQ((uint64_t)want(x, 4), st.bs_filtered)
		TH_LOG("the rejecting filter left");
	EXPECT_EQ(0ULL, st.bs_capt);
	expect_empty(_metadata, fd, "everything rejected");
	ASSERT_EQ(0, npf_set_filter(fd, NULL, 0));
}

/* BIOCSTIMESTAMPMODE nano, then micro: stamps in range and in time. */
static void storm_tstamp(struct __test_metadata *_metadata, struct odd_fx *x)
{
	struct frame f[NF];
	struct reclist l;
	int64_t t0, t1;
	int fd = x->fd;

	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSTIMESTAMPMODE, 2));
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSTIMESTAMPMODE, UINT32_MAX));
	ASSERT_EQ(0, set_u32(fd, BIOCSTIMESTAMPMODE, NPF_TSTAMP_NANO));
	mk_frames(x, f, 3);
	t0 = real_ns();
	ASSERT_EQ(0, inject_all(x, f, 3)) TH_LOG("%s", npf_err);
	reclist_init(&l);
	EXPECT_EQ(want(x, 3), collect_nano(fd, &l, want(x, 3)))
		TH_LOG("%s", npf_err);
	t1 = real_ns();
	expect_records(_metadata, x, &l, 0, f, want(x, 3), "nanosecond stamps");
	for (int i = 0; i < l.n; i++) {
		int64_t t = l.r[i].h.bh_tstamp.tv_sec * 1000000000LL +
			    l.r[i].h.bh_tstamp.tv_usec;

		EXPECT_TRUE(t >= t0 - 1000000 && t <= t1 + 1000000)
			TH_LOG("record %d stamped %lld, sent in [%lld, %lld]", i,
			       (long long)t, (long long)t0, (long long)t1);
	}
	reclist_free(&l);
	ASSERT_EQ(0, set_u32(fd, BIOCSTIMESTAMPMODE, NPF_TSTAMP_MICRO));
	expect_capture(_metadata, x, fd, 2, "microsecond stamps again");
}

/* BIOCSRECFMT PCAP: pcap record headers, no padding. */
static void storm_recfmt(struct __test_metadata *_metadata, struct odd_fx *x)
{
	uint8_t *buf = malloc(BIG);
	struct frame f[NF];
	int64_t end = now_ms() + WAIT;
	size_t have = 0, off = 0;
	int fd = x->fd, got = 0;

	ASSERT_NE(NULL, buf);
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSRECFMT, 2));
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSRECFMT, UINT32_MAX));
	ASSERT_EQ(0, set_u32(fd, BIOCSRECFMT, NPF_RECFMT_PCAP));
	mk_frames(x, f, 3);
	ASSERT_EQ(0, inject_all(x, f, 3)) TH_LOG("%s", npf_err);
	while (got < want(x, 3) && now_ms() < end) {
		ssize_t n = read(fd, buf + have, BIG - have);

		if (n <= 0) {
			sleep_ms(2);
			continue;
		}
		have += n;
		while (have - off >= sizeof(struct npf_pcap_hdr)) {
			struct npf_pcap_hdr h;

			memcpy(&h, buf + off, sizeof(h));
			if (have - off - sizeof(h) < h.caplen)
				break;
			ASSERT_GT(3, got);
			EXPECT_EQ(f[got].len, h.caplen);
			EXPECT_EQ(f[got].len, h.len);
			EXPECT_GT(1000000U, h.ts_frac);
			EXPECT_EQ(0, memcmp(buf + off + sizeof(h), f[got].b,
					    f[got].len < h.caplen ?
					    f[got].len : h.caplen))
				TH_LOG("pcap record %d differs", got);
			off += sizeof(h) + h.caplen;
			got++;
		}
	}
	EXPECT_EQ(want(x, 3), got);
	EXPECT_EQ(off, have) TH_LOG("a read ended inside a record");
	free(buf);
	ASSERT_EQ(0, set_u32(fd, BIOCSRECFMT, NPF_RECFMT_BPF));
}

/* MODE_STAT: the frames and their bytes, as the adapter saw them (no link
 * header on raw adapters). */
static void storm_stat(struct __test_metadata *_metadata, struct odd_fx *x)
{
	struct npf_stat_record rec;
	struct frame f[NF];
	uint64_t bytes = 0;
	int fd = x->fd;

	ASSERT_EQ(0, set_u32(fd, BIOCSMODE, NPF_MODE_STAT));
	mk_frames(x, f, 5);
	for (int i = 0; i < 5; i++)
		bytes += f[i].len;
	ASSERT_EQ(0, inject_all(x, f, 5)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(fd, want(x, 5), WAIT))
		TH_LOG("%s", npf_err);
	EXPECT_ERRNO(EMSGSIZE, read(fd, &rec, sizeof(rec) - 1));
	ASSERT_EQ((ssize_t)sizeof(rec), read(fd, &rec, sizeof(rec)))
		TH_LOG("%s", strerror(errno));
	EXPECT_EQ(16U, rec.hdr.bh_caplen);
	EXPECT_EQ(16U, rec.hdr.bh_datalen);
	EXPECT_EQ(HDRLEN, rec.hdr.bh_hdrlen);
	EXPECT_EQ((uint64_t)want(x, 5), rec.packets);
	EXPECT_EQ(want(x, 1) ? bytes : 0, rec.bytes);
	/* an interval that never ends */
	ASSERT_EQ(0, npf_set_timeout(fd, 0));
	EXPECT_ERRNO(EINVAL, read(fd, &rec, sizeof(rec)));
	ASSERT_EQ(0, npf_set_timeout(fd, -1));
	ASSERT_EQ(0, set_u32(fd, BIOCSMODE, NPF_MODE_CAPT));
}

struct dump_cmp {
	const struct frame *f;
	int n, i, bad;
};

static void dump_rec(void *ctx, const uint8_t *data, uint32_t caplen,
		     uint32_t len)
{
	struct dump_cmp *c = ctx;

	if (c->i >= c->n || caplen != c->f[c->i].len ||
	    len != c->f[c->i].len || memcmp(data, c->f[c->i].b, caplen))
		c->bad++;
	c->i++;
}

static int set_dump(int fd, const char *path, uint32_t flags)
{
	struct npf_dump_name dn;

	memset(&dn, 0, sizeof(dn));
	dn.path = (uint64_t)(uintptr_t)path;
	dn.flags = flags;
	return ioctl(fd, BIOCSETDUMPFILENAME, &dn);
}

/* The file's records are frames f[0..n), its header the adapter's link
 * type. */
static void expect_dump_file(struct __test_metadata *_metadata,
			     struct odd_fx *x, const struct frame *f, int n)
{
	struct dump_cmp c = { f, n, 0, 0 };
	struct pcap_check pc;

	ASSERT_EQ(0, pcap_check_file(x->path, &pc, dump_rec, &c))
		TH_LOG("%s", npf_err);
	EXPECT_EQ(x->a.k->dlt, pc.linktype)
		TH_LOG("the dump's header names link type %u", pc.linktype);
	EXPECT_EQ(262144U, pc.snaplen);
	EXPECT_EQ((uint64_t)n, pc.packets);
	EXPECT_EQ(0, c.bad) TH_LOG("%d records differ from the frames", c.bad);
}

/* MODE_DUMP to a file named by path: limits, end, counts, the header. */
static void storm_dump(struct __test_metadata *_metadata, struct odd_fx *x)
{
	struct npf_dump_limits lim = { 0, 3 };
	struct npf_dump_stats ds;
	struct npf_dump_name dn;
	struct frame f[NF];
	uint64_t bytes = 24;
	uint32_t ended = 7;
	int fd = x->fd;

	EXPECT_ERRNO(EINVAL, set_dump(fd, "/", 0));
	EXPECT_ERRNO(ENOENT, set_dump(fd, "/nonexistent-npf-dir/x.pcap", 0));
	EXPECT_ERRNO(EINVAL, set_dump(fd, x->path, 2));
	EXPECT_ERRNO(EFAULT, set_dump(fd, NULL, 0));
	EXPECT_ERRNO(EFAULT, ioctl(fd, BIOCSETDUMPFILENAME, NULL));
	memset(&dn, 0, sizeof(dn));
	dn.path = (uint64_t)(uintptr_t)x->path;
	dn.pad = 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, BIOCSETDUMPFILENAME, &dn));
	ASSERT_EQ(0, npf_dump_stats(fd, &ds)) TH_LOG("%s", npf_err);
	EXPECT_EQ(0U, ds.active);

	ASSERT_EQ(0, set_dump(fd, x->path, 0)) TH_LOG("%s", strerror(errno));
	/* the header names the link type: no rebinding under it */
	EXPECT_ERRNO(EBUSY, npf_bind(fd, x->a.name));
	EXPECT_ERRNO(EFAULT, ioctl(fd, BIOCSETDUMPLIMITS, NULL));
	ASSERT_EQ(0, ioctl(fd, BIOCSETDUMPLIMITS, &lim));
	ASSERT_EQ(0, set_u32(fd, BIOCSMODE, NPF_MODE_DUMP));
	ASSERT_EQ(0, ioctl(fd, BIOCISDUMPENDED, &ended));
	EXPECT_EQ(0U, ended);
	mk_frames(x, f, 4);
	for (int i = 0; i < want(x, 3); i++)
		bytes += 16 + f[i].len;
	ASSERT_EQ(0, inject_all(x, f, 4)) TH_LOG("%s", npf_err);
	/* three records reach the limit: the dump ends */
	for (int64_t end = now_ms() + WAIT; want(x, 1) && now_ms() < end;
	     sleep_ms(5)) {
		ASSERT_EQ(0, ioctl(fd, BIOCISDUMPENDED, &ended));
		if (ended)
			break;
	}
	ASSERT_EQ(0, ioctl(fd, BIOCISDUMPENDED, &ended));
	EXPECT_EQ((uint32_t)want(x, 1), ended);
	ASSERT_EQ(0, npf_dump_stats(fd, &ds)) TH_LOG("%s", npf_err);
	EXPECT_EQ((uint64_t)want(x, 3), ds.packets);
	EXPECT_EQ(bytes, ds.bytes);
	EXPECT_EQ(0, ds.error);
	EXPECT_EQ((uint32_t)want(x, 1), ds.ended);
	EXPECT_EQ(1U, ds.active);
	EXPECT_ERRNO(EFAULT, ioctl(fd, BIOCISDUMPENDED, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(fd, BIOCGDUMPSTATS, NULL));
	/* leaving MODE_DUMP finishes the file */
	ASSERT_EQ(0, set_u32(fd, BIOCSMODE, NPF_MODE_CAPT));
	ASSERT_EQ(0, npf_dump_stats(fd, &ds));
	EXPECT_EQ(0U, ds.active);
	expect_dump_file(_metadata, x, f, want(x, 3));
	lim.max_packets = 0;
	ASSERT_EQ(0, ioctl(fd, BIOCSETDUMPLIMITS, &lim));
	EXPECT_EQ(0, npf_bind(fd, x->a.name)) TH_LOG("%s", npf_err);
}

/* The ring mapped and read in place with BIOCMMAPNEXT. */
static void storm_mmap(struct __test_metadata *_metadata, struct odd_fx *x)
{
	struct npf_mmap_batch b;
	struct frame f[NF];
	struct reclist l;
	uint8_t *ring, tmp[64];
	int fd = x->fd;

	ASSERT_EQ(0, npf_set_bufsize(fd, 65536)) TH_LOG("%s", npf_err);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 65536, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 65536 + 4096, PROT_READ,
				   MAP_SHARED, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	ring = mmap(NULL, 65536, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, ring) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_ERRNO(EBUSY, npf_set_bufsize(fd, 131072));
	mk_frames(x, f, 3);
	ASSERT_EQ(0, inject_all(x, f, 3)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(fd, want(x, 3), WAIT))
		TH_LOG("%s", npf_err);
	memset(&b, 0, sizeof(b));
	b.pad = 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, BIOCMMAPNEXT, &b));
	b.pad = 0;
	b.release = 8;		/* nothing was lent */
	EXPECT_ERRNO(EINVAL, ioctl(fd, BIOCMMAPNEXT, &b));
	EXPECT_ERRNO(EFAULT, ioctl(fd, BIOCMMAPNEXT, NULL));
	b.release = 0;
	ASSERT_EQ(0, ioctl(fd, BIOCMMAPNEXT, &b)) TH_LOG("%s", strerror(errno));
	reclist_init(&l);
	ASSERT_GE(65536U, b.offset + b.len);
	EXPECT_EQ(want(x, 3), parse_records(ring + b.offset, b.len, &l, false))
		TH_LOG("%s", npf_err);
	expect_records(_metadata, x, &l, 0, f, want(x, 3), "mmap batch");
	reclist_free(&l);
	if (b.len) {
		/* a batch is held */
		EXPECT_ERRNO(EBUSY, read(fd, tmp, sizeof(tmp)));
	}
	b.release = b.len;
	ASSERT_EQ(0, ioctl(fd, BIOCMMAPNEXT, &b)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0U, b.len) TH_LOG("a second batch of frames nobody sent");
	ASSERT_EQ(0, set_u32(fd, BIOCSMODE, NPF_MODE_STAT));
	memset(&b, 0, sizeof(b));
	EXPECT_ERRNO(EINVAL, ioctl(fd, BIOCMMAPNEXT, &b));
	ASSERT_EQ(0, set_u32(fd, BIOCSMODE, NPF_MODE_CAPT));
	EXPECT_EQ(0, munmap(ring, 65536));
	EXPECT_EQ(0, npf_set_bufsize(fd, BIG)) TH_LOG("%s", npf_err);
}

static int set_dump_fd(int fd, int file, uint32_t flags)
{
	struct npf_dump_fd d = { file, flags };

	return ioctl(fd, BIOCSETDUMPFD, &d);
}

/*
 * BIOCSETDUMPFD (API 1.2): the kernel writes the caller's file; its
 * header carries the adapter's link type. Files it cannot use are refused
 * as the uapi says (not open for writing: EBADF; not a regular file, or
 * O_APPEND: EINVAL).
 */
static void storm_dump_fd(struct __test_metadata *_metadata, struct odd_fx *x)
{
	struct frame f[NF];
	int fd = x->fd, file, pipefd[2], r;

	file = open(x->path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_LE(0, file);
	EXPECT_ERRNO(EBADF, set_dump_fd(fd, file, 0));
	close(file);
	file = open(x->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ASSERT_LE(0, file);
	EXPECT_ERRNO(EINVAL, set_dump_fd(fd, file, 0));
	close(file);
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	EXPECT_ERRNO(EINVAL, set_dump_fd(fd, pipefd[1], 0));
	close(pipefd[0]);
	close(pipefd[1]);
	EXPECT_ERRNO(EBADF, set_dump_fd(fd, -1, 0));
	EXPECT_ERRNO(EFAULT, ioctl(fd, BIOCSETDUMPFD, NULL));

	file = open(x->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ASSERT_LE(0, file);
	EXPECT_ERRNO(EINVAL, set_dump_fd(fd, file, 2));
	r = set_dump_fd(fd, file, 0);
	EXPECT_EQ(0, r) TH_LOG("%s", strerror(errno));
	close(file);		/* the kernel keeps its own reference */
	if (r)
		return;		/* no dump: the rest of the storm goes on */
	EXPECT_ERRNO(EBUSY, npf_bind(fd, x->a.name));
	ASSERT_EQ(0, set_u32(fd, BIOCSMODE, NPF_MODE_DUMP));
	mk_frames(x, f, 4);
	ASSERT_EQ(0, inject_all(x, f, 4)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(fd, want(x, 4), WAIT))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, set_u32(fd, BIOCSMODE, NPF_MODE_CAPT));
	expect_dump_file(_metadata, x, f, want(x, 4));
}

/*
 * Every ioctl of the uapi on the bound adapter, valid and edge arguments,
 * each capturing mode checked with frames the adapter carried; then a
 * plain capture.
 */
TEST_F_TIMEOUT(odd, ioctls, 120)
{
	static const unsigned long cmds[] = {
		BIOCVERSION, BIOCSETIF, BIOCGDLT, BIOCSETBUFFERSIZE, BIOCSETF,
		BIOCGSTATS, BIOCGSTATSEX, BIOCSRTIMEOUT, BIOCSMODE,
		BIOCSWRITEREP, BIOCSMINTOCOPY, BIOCSETOID, BIOCQUERYOID,
		BIOCSETDUMPFILENAME, BIOCSETDUMPLIMITS, BIOCISDUMPENDED,
		BIOCSENDPACKETSNOSYNC, BIOCSENDPACKETSSYNC, BIOCISETLOBBEH,
		BIOCSTIMESTAMPMODE, BIOCGDUMPSTATS, BIOCSRECFMT, BIOCMMAPNEXT,
	};
	struct odd_fx *x = &self->x;
	struct npf_version v;
	struct npf_ifname in;
	struct pollfd pfd;
	struct frame f[NF];
	struct reclist l;
	uint32_t max = 0;
	char s[32];
	int fd = x->fd;

	/* BIOCVERSION */
	memset(&v, 0xff, sizeof(v));
	ASSERT_EQ(0, ioctl(fd, BIOCVERSION, &v));
	EXPECT_EQ(NPF_VERSION_MAJOR, v.major);
	EXPECT_EQ(NPF_VERSION_MINOR, v.minor);
	EXPECT_EQ(0U, v.pad);
	/* BIOCGDLT */
	EXPECT_EQ(x->a.k->dlt, get_dlt(fd));
	/* BIOCSETIF: bad names change nothing; the same name rebinds */
	EXPECT_ERRNO(EINVAL, npf_bind(fd, ""));
	memset(&in, 'x', sizeof(in));
	EXPECT_ERRNO(EINVAL, ioctl(fd, BIOCSETIF, &in));
	EXPECT_ERRNO(ENODEV, npf_bind(fd, "npfnosuchdev123"));
	EXPECT_EQ(x->a.k->dlt, get_dlt(fd));
	EXPECT_EQ(0, npf_bind(fd, x->a.name)) TH_LOG("%s", npf_err);
	EXPECT_EQ(x->a.k->dlt, get_dlt(fd));

	/* BIOCSETBUFFERSIZE and BIOCSMINTOCOPY: bounds and rounding */
	ASSERT_EQ(0, file_read_str(PARAM, s, sizeof(s))) TH_LOG("%s", npf_err);
	max = (uint32_t)strtoul(s, NULL, 0);
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSETBUFFERSIZE, 0));
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSETBUFFERSIZE, 4095));
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSETBUFFERSIZE, max + 1));
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSETBUFFERSIZE, UINT32_MAX));
	ASSERT_EQ(0, set_u32(fd, BIOCSETBUFFERSIZE, 4103));	/* 4096 */
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSMINTOCOPY, 4097));
	EXPECT_EQ(0, set_u32(fd, BIOCSMINTOCOPY, 4096));
	EXPECT_EQ(0, set_u32(fd, BIOCSMINTOCOPY, 0));
	ASSERT_EQ(0, set_u32(fd, BIOCSETBUFFERSIZE, 4096));
	ASSERT_EQ(0, set_u32(fd, BIOCSETBUFFERSIZE, BIG));
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSMINTOCOPY, BIG + 1));
	EXPECT_EQ(0, set_u32(fd, BIOCSMINTOCOPY, BIG));
	EXPECT_EQ(0, set_u32(fd, BIOCSMINTOCOPY, 1));
	/* BIOCSRTIMEOUT */
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSRTIMEOUT, (uint32_t)-2));
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSRTIMEOUT, (uint32_t)INT_MIN));
	EXPECT_EQ(0, set_u32(fd, BIOCSRTIMEOUT, 0));
	EXPECT_EQ(0, set_u32(fd, BIOCSRTIMEOUT, INT_MAX));
	EXPECT_EQ(0, set_u32(fd, BIOCSRTIMEOUT, (uint32_t)-1));
	/* BIOCSWRITEREP: any count */
	EXPECT_EQ(0, set_u32(fd, BIOCSWRITEREP, 0));
	EXPECT_EQ(0, set_u32(fd, BIOCSWRITEREP, UINT32_MAX));
	EXPECT_EQ(0, set_u32(fd, BIOCSWRITEREP, 1));
	/* BIOCISETLOBBEH */
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCISETLOBBEH, 0));
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCISETLOBBEH, 3));
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCISETLOBBEH, UINT32_MAX));
	EXPECT_EQ(0, set_u32(fd, BIOCISETLOBBEH, NPF_DISABLE_LOOPBACK));
	EXPECT_EQ(0, set_u32(fd, BIOCISETLOBBEH, NPF_ENABLE_LOOPBACK));
	/* BIOCSMODE: monitor mode and unknown bits */
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSMODE, NPF_MODE_MON));
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSMODE, 0x20));
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSMODE,
				     NPF_MODE_STAT | NPF_MODE_DUMP | 2));
	EXPECT_ERRNO(EINVAL, set_u32(fd, BIOCSMODE, UINT32_MAX));
	/* dump modes without a file, and back */
	EXPECT_EQ(0, set_u32(fd, BIOCSMODE, NPF_MODE_DUMP));
	EXPECT_EQ(0, set_u32(fd, BIOCSMODE, NPF_MODE_DUMP | NPF_MODE_STAT));
	EXPECT_EQ(0, set_u32(fd, BIOCSMODE, NPF_MODE_CAPT));
	/* a pointer nobody can read or write */
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_FAIL(EFAULT, ioctl(fd, cmds[i], NULL), "request %#lx",
			    cmds[i]);
	}
	/* requests that are not ours */
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO(NPF_IOC_MAGIC, 0x3f), 0));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IOR(NPF_IOC_MAGIC, 0x02, uint64_t),
				   &v));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IOW('T', 0x01, uint32_t), &max));

	/* the capturing modes and layouts, on this adapter's frames */
	expect_capture(_metadata, x, fd, NF, "after the settings");
	storm_filter(_metadata, x);
	storm_tstamp(_metadata, x);
	storm_recfmt(_metadata, x);
	storm_stat(_metadata, x);
	storm_dump(_metadata, x);
	storm_mmap(_metadata, x);
	storm_dump_fd(_metadata, x);

	/* poll: writable; readable once a frame is in (timeout -1) */
	ASSERT_EQ(0, npf_set_filter(fd, NULL, 0));
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
	mk_frames(x, f, 1);
	ASSERT_EQ(0, inject_all(x, f, 1)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(fd, want(x, 1), WAIT))
		TH_LOG("%s", npf_err);
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(want(x, 1) ? POLLIN | POLLOUT : POLLOUT, pfd.revents);
	reclist_init(&l);
	EXPECT_EQ(want(x, 1), collect(fd, &l, want(x, 1), WAIT, BIG));
	expect_records(_metadata, x, &l, 0, f, want(x, 1), "poll");
	reclist_free(&l);

	/* after all that, the open still captures */
	EXPECT_EQ(x->a.k->dlt, get_dlt(fd));
	expect_capture(_metadata, x, fd, NF, "after every ioctl");
}

/* ---- OIDs ------------------------------------------------------------------- */

/*
 * A set of oid with len bytes of data: only the packet filter is settable,
 * with exactly 4 bytes (EINVAL else); the other OIDs are read-only or
 * unknown (EOPNOTSUPP); more than NPF_OID_MAXLEN is EINVAL. A set writes
 * nothing back.
 */
static void check_set(struct __test_metadata *_metadata, struct odd_fx *x,
		      int fd, uint32_t oid, uint32_t len)
{
	int want = len > NPF_OID_MAXLEN ? EINVAL :
		   oid == OID_GEN_CURRENT_PACKET_FILTER ? EINVAL : EOPNOTSUPP;
	struct oidbuf b;

	memset(b.d, FILLER, sizeof(b.d));
	errno = 0;
	EXPECT_EQ(-1, oid_call(fd, true, &b, oid, len))
		TH_LOG("%s: set %#x len %u succeeded", x->a.name, oid, len);
	EXPECT_EQ(want, errno) TH_LOG("%s: set %#x len %u: %s, want %s",
				      x->a.name, oid, len, strerror(errno),
				      strerror(want));
	EXPECT_EQ(len, b.h.length);
	for (size_t i = 0; i < sizeof(b.d); i++) {
		if (b.d[i] != FILLER) {
			EXPECT_EQ(FILLER, b.d[i]) TH_LOG("set wrote byte %zu", i);
			break;
		}
	}
}

/* The adapter's (and a bond's slave's) promiscuity and allmulti flags. */
static unsigned int pflags(const struct odd_fx *x, bool slave)
{
	return link_flags_sysfs(slave ? ODD_SLAVE : x->a.name) &
	       (IFF_PROMISC | IFF_ALLMULTI);
}

static void expect_filter(struct __test_metadata *_metadata, struct odd_fx *x,
			  int fd, unsigned int flags, const char *when)
{
	check_query(_metadata, x, fd, OID_GEN_CURRENT_PACKET_FILTER, 4);
	EXPECT_EQ(flags, pflags(x, false))
		TH_LOG("%s: %s flags %#x, want %#x", when, x->a.name,
		       pflags(x, false), flags);
	if (x->a.kind == ODD_BOND_SLAVE) {
		/* balance-rr: the bond passes both to every slave */
		EXPECT_EQ(flags, pflags(x, true))
			TH_LOG("%s: slave flags %#x, want %#x", when,
			       pflags(x, true), flags);
	}
}

/* OID_GEN_CURRENT_PACKET_FILTER: the bits, and the counts they hold. */
static void oid_packet_filter(struct __test_metadata *_metadata,
			      struct odd_fx *x)
{
	static const struct { uint32_t v; int err; unsigned int flags; } c[] = {
		{ DEFAULT_FILTER, 0, 0 },
		{ DEFAULT_FILTER | NDIS_PACKET_TYPE_PROMISCUOUS, 0, IFF_PROMISC },
		{ 0x10, EINVAL, IFF_PROMISC },	/* source routing: unknown */
		{ 0x100, EINVAL, IFF_PROMISC },
		{ 0x80000000, EINVAL, IFF_PROMISC },
		{ NDIS_PACKET_TYPE_ALL_MULTICAST, 0, IFF_ALLMULTI },
		{ NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_PROMISCUOUS |
		  NDIS_PACKET_TYPE_ALL_LOCAL, 0, IFF_PROMISC | IFF_ALLMULTI },
		{ 0, 0, 0 },
		{ NDIS_PACKET_TYPE_ALL_LOCAL | DEFAULT_FILTER, 0, 0 },
	};
	int fd = x->fd, fd2;

	ASSERT_EQ(0U, pflags(x, false)) TH_LOG("%s starts promiscuous",
					       x->a.name);
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		char when[64];

		snprintf(when, sizeof(when), "filter %#x", c[i].v);
		if (c[i].err) {
			EXPECT_ERRNO(c[i].err, oid_set_filter(fd, c[i].v));
		} else {
			EXPECT_EQ(0, oid_set_filter(fd, c[i].v))
				TH_LOG("%s: %s", when, strerror(errno));
			x->filter = c[i].v;
		}
		expect_filter(_metadata, x, fd, c[i].flags, when);
	}
	/* two opens hold promiscuity: it ends with the last */
	fd2 = npf_open(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, npf_bind(fd2, x->a.name));
	ASSERT_EQ(0, oid_set_filter(fd, NDIS_PACKET_TYPE_PROMISCUOUS));
	ASSERT_EQ(0, oid_set_filter(fd2, NDIS_PACKET_TYPE_PROMISCUOUS));
	x->filter = NDIS_PACKET_TYPE_PROMISCUOUS;
	close(fd2);
	expect_filter(_metadata, x, fd, IFF_PROMISC, "one of two closed");
	/* a rebind starts from the default filter, holding nothing */
	ASSERT_EQ(0, npf_bind(fd, x->a.name));
	x->filter = DEFAULT_FILTER;
	expect_filter(_metadata, x, fd, 0, "rebound");
	/* and close lets go */
	fd2 = npf_open(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, npf_bind(fd2, x->a.name));
	ASSERT_EQ(0, oid_set_filter(fd2, NDIS_PACKET_TYPE_PROMISCUOUS |
				    NDIS_PACKET_TYPE_ALL_MULTICAST));
	EXPECT_EQ((unsigned int)(IFF_PROMISC | IFF_ALLMULTI), pflags(x, false));
	close(fd2);
	EXPECT_EQ(0U, pflags(x, false)) TH_LOG("close left %s flags %#x",
					       x->a.name, pflags(x, false));
}

/*
 * Every OID of the uapi, and OIDs it does not name, queried and set with
 * data lengths 0, 1, 6, 7, 4096 and 4097, answers checked against the
 * adapter's sysfs, ethtool and /proc/net/dev_mcast (the multicast list
 * set is the odd_mc fixture's). Then the packet filter's bits, and a
 * capture.
 */
TEST_F_TIMEOUT(odd, oids, 120)
{
	struct odd_fx *x = &self->x;
	int fd = x->fd;

	for (size_t i = 0; i < ARRAY_SIZE(known_oids); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(oid_lens); j++) {
			check_query(_metadata, x, fd, known_oids[i], oid_lens[j]);
			if (known_oids[i] != OID_802_3_MULTICAST_LIST)
				check_set(_metadata, x, fd, known_oids[i],
					  oid_lens[j]);
		}
		/* the exact sizes too */
		check_query(_metadata, x, fd, known_oids[i], 4);
		check_query(_metadata, x, fd, known_oids[i], 8);
	}
	for (size_t i = 0; i < ARRAY_SIZE(unknown_oids); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(oid_lens); j++) {
			check_query(_metadata, x, fd, unknown_oids[i], oid_lens[j]);
			check_set(_metadata, x, fd, unknown_oids[i], oid_lens[j]);
		}
	}
	oid_packet_filter(_metadata, x);
	expect_capture(_metadata, x, fd, NF, "after the OIDs");
}

/* ---- transmit ---------------------------------------------------------------- */

struct sq {
	uint8_t *b;
	uint32_t len;
};

static void sq_add(struct sq *q, const void *data, uint32_t caplen,
		   uint32_t datalen, uint32_t usec)
{
	struct npf_sendq_hdr h = { 100, usec, caplen, caplen };

	memcpy(q->b + q->len, &h, sizeof(h));
	q->len += sizeof(h);
	memcpy(q->b + q->len, data, datalen);
	q->len += datalen;
}

static int sq_send(int fd, const struct sq *q, bool sync, uint32_t *consumed)
{
	struct npf_sendq s = { (uint64_t)(uintptr_t)q->b, q->len, 0xdeadbeef };
	int r = ioctl(fd, sync ? BIOCSENDPACKETSSYNC : BIOCSENDPACKETSNOSYNC,
		      &s);

	*consumed = s.consumed;
	return r;
}

/* tun and tap: what the adapter sent comes out of the device, in order,
 * and nothing else. */
static void expect_dev_out(struct __test_metadata *_metadata, struct odd_fx *x,
			   const struct frame *f, int n)
{
	uint8_t buf[MAX_FRAME + 128];
	struct pollfd p = { .fd = x->a.fd, .events = POLLIN };

	if (x->a.kind != ODD_TUN && x->a.kind != ODD_TAP)
		return;
	for (int i = 0; i < n; i++) {
		ssize_t len;

		ASSERT_EQ(1, poll(&p, 1, WAIT)) TH_LOG("frame %d never came out of %s",
						       i, x->a.name);
		len = read(x->a.fd, buf, sizeof(buf));
		EXPECT_EQ((ssize_t)f[i].len, len) TH_LOG("frame %d", i);
		EXPECT_TRUE(len == (ssize_t)f[i].len &&
			    !memcmp(buf, f[i].b, f[i].len))
			TH_LOG("%s sent something else than frame %d", x->a.name, i);
	}
	EXPECT_ERRNO(EAGAIN, read(x->a.fd, buf, sizeof(buf)));
}

/* The open captured its own frames f[0..n) (loopback capture on). */
static void expect_own(struct __test_metadata *_metadata, struct odd_fx *x,
		       const struct frame *f, int n, const char *when)
{
	struct reclist l;

	reclist_init(&l);
	EXPECT_EQ(want(x, n), collect(x->fd, &l, want(x, n), WAIT, BIG))
		TH_LOG("%s: %s", when, npf_err);
	expect_records(_metadata, x, &l, 0, f, want(x, n), when);
	reclist_free(&l);
	expect_empty(_metadata, x->fd, when);
	expect_dev_out(_metadata, x, f, n);
}

/*
 * Counters of what the open handed over, and what the driver refused.
 * A bond without carrier has noop_qdisc drop each frame, saying
 * NET_XMIT_CN, which the stack counts as sent, the uapi perhaps as
 * refused ("a qdisc refuses"): there only their sum is checked.
 */
struct txcount {
	uint64_t sent, bytes, err, either;
};

static void count_tx(const struct odd_fx *x, struct txcount *c, uint64_t n,
		     uint32_t len)
{
	if (x->a.k->mute) {
		c->either += n;
	} else if (x->a.k->refuses_xmit) {
		c->err += n;
	} else {
		c->sent += n;
		c->bytes += n * len;
	}
}

static void expect_tx_counts(struct __test_metadata *_metadata,
			     struct odd_fx *x, const struct txcount *c)
{
	struct npf_stats st;

	ASSERT_EQ(0, npf_stats(x->fd, &st));
	if (x->a.k->mute) {
		EXPECT_EQ(c->either, st.bs_sent + st.bs_senterr)
			TH_LOG("sent %llu refused %llu",
			       (unsigned long long)st.bs_sent,
			       (unsigned long long)st.bs_senterr);
		return;
	}
	EXPECT_EQ(c->sent, st.bs_sent) TH_LOG("%s", x->a.name);
	EXPECT_EQ(c->bytes, st.bs_sent_bytes) TH_LOG("%s", x->a.name);
	EXPECT_EQ(c->err, st.bs_senterr) TH_LOG("%s", x->a.name);
}

/*
 * BIOCISETLOBBEH: an open that turned loopback capture off does not
 * capture what it sends, but does capture what another open sends on the
 * same adapter, once; on lo too (issue 12, bug 8: there the received copy
 * came back to it).
 */
static void tx_loopback(struct __test_metadata *_metadata, struct odd_fx *x,
			struct txcount *c)
{
	struct frame own, other;
	struct reclist l;
	int fd2 = npf_open(0);

	ASSERT_LE(0, fd2) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(fd2, x->a.name));
	ASSERT_EQ(0, npf_set_timeout(fd2, -1));
	ASSERT_EQ(0, set_u32(x->fd, BIOCISETLOBBEH, NPF_DISABLE_LOOPBACK));
	odd_frame(&x->a, &own, 120, ++x->seq);
	odd_frame(&x->a, &other, 130, ++x->seq);
	ASSERT_EQ((ssize_t)own.len, write(x->fd, own.b, own.len))
		TH_LOG("%s", strerror(errno));
	count_tx(x, c, 1, own.len);
	ASSERT_EQ((ssize_t)other.len, write(fd2, other.b, other.len))
		TH_LOG("%s", strerror(errno));
	if (x->a.k->mute) {
		/* neither went past the taps */
		expect_empty(_metadata, x->fd, "loopback capture off, mute");
		expect_empty(_metadata, fd2, "the other open, mute");
		ASSERT_EQ(0, set_u32(x->fd, BIOCISETLOBBEH, NPF_ENABLE_LOOPBACK));
		close(fd2);
		return;
	}
	/* the other open captures both, in order ... */
	reclist_init(&l);
	EXPECT_EQ(2, collect(fd2, &l, 2, WAIT, BIG)) TH_LOG("%s", npf_err);
	if (l.n == 2) {
		EXPECT_TRUE(rec_matches(&l.r[0], &own));
		EXPECT_TRUE(rec_matches(&l.r[1], &other));
	}
	/* ... this one only the other's: its own came first, if at all */
	reclist_clear(&l);
	ASSERT_EQ(0, npf_wait_accounted(x->fd, 1, WAIT)) TH_LOG("%s", npf_err);
	EXPECT_EQ(1, collect(x->fd, &l, 1, WAIT, BIG)) TH_LOG("%s", npf_err);
	EXPECT_TRUE(l.n >= 1 && rec_matches(&l.r[0], &other))
		TH_LOG("with loopback capture off, %s gave the open its own frame",
		       x->a.name);
	reclist_free(&l);
	expect_empty(_metadata, x->fd, "loopback capture off");
	expect_empty(_metadata, fd2, "the other open");
	{
		struct frame both[2] = { own, other };

		expect_dev_out(_metadata, x, both, 2);
	}
	ASSERT_EQ(0, set_u32(x->fd, BIOCISETLOBBEH, NPF_ENABLE_LOOPBACK));
	close(fd2);
}

/*
 * write() and send queues: valid frames go out once per repeat and are
 * captured by the sender (and come out of tun and tap); empty, short and
 * long ones fail with the contract's errnos, down adapters with ENETDOWN;
 * raw IP adapters take an IP packet as it is. The counters say exactly
 * what went to the driver and what it refused.
 */
TEST_F_TIMEOUT(odd, transmit, 120)
{
	struct odd_fx *x = &self->x;
	const uint32_t max = x->a.mtu + x->a.k->hdrlen;
	const bool raw = x->a.k->dlt == NPF_LINKTYPE_RAW;
	struct frame f[NF], e;
	struct txcount c = { 0 };
	uint8_t *big = calloc(1, max + 64);
	struct reclist l;
	struct sq q = { calloc(1, max + 8192), 0 };
	struct npf_sendq nullq = { 0, 100, 7 };
	uint32_t consumed;
	int fd = x->fd;

	ASSERT_NE(NULL, big);
	ASSERT_NE(NULL, q.b);

	/* one frame */
	odd_frame(&x->a, &f[0], 100, ++x->seq);
	ASSERT_EQ((ssize_t)f[0].len, write(fd, f[0].b, f[0].len))
		TH_LOG("%s", strerror(errno));
	count_tx(x, &c, 1, f[0].len);
	expect_own(_metadata, x, f, 1, "one write");

	/* BIOCSWRITEREP 3, then 0 (nothing leaves), then 1 */
	odd_frame(&x->a, &f[0], 200, ++x->seq);
	f[1] = f[2] = f[0];
	ASSERT_EQ(0, set_u32(fd, BIOCSWRITEREP, 3));
	ASSERT_EQ((ssize_t)f[0].len, write(fd, f[0].b, f[0].len));
	count_tx(x, &c, 3, f[0].len);
	expect_own(_metadata, x, f, 3, "three repeats");
	ASSERT_EQ(0, set_u32(fd, BIOCSWRITEREP, 0));
	ASSERT_EQ((ssize_t)f[0].len, write(fd, f[0].b, f[0].len));
	ASSERT_EQ(0, set_u32(fd, BIOCSWRITEREP, 1));

	/* lengths: nothing, the link header and one byte less, the most */
	EXPECT_ERRNO(EINVAL, write(fd, f[0].b, 0));
	if (!raw) {
		EXPECT_ERRNO(EINVAL, write(fd, f[0].b, 13));
		e = f[0];
		e.len = 14;
	} else {
		/* raw IP: no header to be short of; one byte is a frame */
		memset(&e, 0, sizeof(e));
		e.b[0] = x->a.k->ipver == 6 ? 0x60 : 0x45;
		e.len = 1;
	}
	ASSERT_EQ((ssize_t)e.len, write(fd, e.b, e.len))
		TH_LOG("%u bytes: %s", e.len, strerror(errno));
	count_tx(x, &c, 1, e.len);
	expect_own(_metadata, x, &e, 1, "shortest frame");
	memcpy(big, f[0].b, 14);
	for (uint32_t extra = 1; extra <= 5; extra += extra == 1 ? 3 : 1) {
		EXPECT_FAIL(EMSGSIZE, write(fd, big, max + extra),
			    "%u bytes, mtu %u", max + extra, x->a.mtu);
	}
	if (max <= MAX_FRAME) {
		/* the largest frame (not on lo: 64 KiB is a record too big
		 * for the record checker) */
		ASSERT_NE(0U, odd_frame(&x->a, &f[0], max, ++x->seq));
		ASSERT_EQ((ssize_t)max, write(fd, f[0].b, f[0].len))
			TH_LOG("%u bytes: %s", max, strerror(errno));
		count_tx(x, &c, 1, max);
		expect_own(_metadata, x, f, 1, "largest frame");
	}
	if (x->a.k->ether) {
		/* an 802.1Q tag may come on top */
		odd_frame(&x->a, &f[0], max, ++x->seq);
		memmove(f[0].b + 16, f[0].b + 12, max - 12);
		f[0].b[12] = 0x81;
		f[0].b[13] = 0x00;
		f[0].b[14] = 0x00;
		f[0].b[15] = 0x07;
		f[0].len = max + 4;
		ASSERT_EQ((ssize_t)f[0].len, write(fd, f[0].b, f[0].len))
			TH_LOG("tagged, %u bytes: %s", f[0].len, strerror(errno));
		count_tx(x, &c, 1, f[0].len);
		/* a tagged frame: not what dlt_consistent() wants */
		reclist_init(&l);
		EXPECT_EQ(want(x, 1), collect(fd, &l, want(x, 1), WAIT, BIG));
		EXPECT_TRUE(l.n == want(x, 1) &&
			    (!l.n || rec_matches(&l.r[0], &f[0])));
		reclist_free(&l);
		expect_dev_out(_metadata, x, f, 1);
	}

	/* a send queue of three */
	mk_frames(x, f, 3);
	q.len = 0;
	for (int i = 0; i < 3; i++)
		sq_add(&q, f[i].b, f[i].len, f[i].len, 1000 * i);
	EXPECT_EQ(0, sq_send(fd, &q, false, &consumed)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(q.len, consumed);
	for (int i = 0; i < 3; i++)
		count_tx(x, &c, 1, f[i].len);
	expect_own(_metadata, x, f, 3, "NOSYNC queue");
	/* SYNC: 30 ms apart */
	mk_frames(x, f, 2);
	q.len = 0;
	sq_add(&q, f[0].b, f[0].len, f[0].len, 0);
	sq_add(&q, f[1].b, f[1].len, f[1].len, 30000);
	EXPECT_EQ(0, sq_send(fd, &q, true, &consumed)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(q.len, consumed);
	count_tx(x, &c, 1, f[0].len);
	count_tx(x, &c, 1, f[1].len);
	reclist_init(&l);
	EXPECT_EQ(want(x, 2), collect(fd, &l, want(x, 2), WAIT, BIG))
		TH_LOG("%s", npf_err);
	expect_records(_metadata, x, &l, 0, f, want(x, 2), "SYNC queue");
	if (l.n == 2) {
		int64_t gap = (l.r[1].h.bh_tstamp.tv_sec -
			       l.r[0].h.bh_tstamp.tv_sec) * 1000000LL +
			      l.r[1].h.bh_tstamp.tv_usec -
			      (int64_t)l.r[0].h.bh_tstamp.tv_usec;

		/* the tap stamps the first one late at worst */
		EXPECT_LE(20000, gap) TH_LOG("SYNC entries %lld us apart",
					     (long long)gap);
	}
	reclist_free(&l);
	expect_dev_out(_metadata, x, f, 2);

	/* bad entries stop a queue; consumed counts what was sent */
	for (int bad = 0; bad < 5; bad++) {
		int want = bad == 1 ? EMSGSIZE : EINVAL;

		if (bad == 2 && raw)
			continue;	/* nothing is too short for raw IP */
		mk_frames(x, f, 1);
		q.len = 0;
		sq_add(&q, f[0].b, f[0].len, f[0].len, 0);
		switch (bad) {
		case 0:	/* an empty entry */
			sq_add(&q, f[0].b, 0, 0, 0);
			break;
		case 1:	/* longer than the adapter takes */
			sq_add(&q, big, max + 5, max + 5, 0);
			break;
		case 2:	/* shorter than the link header */
			sq_add(&q, f[0].b, 13, 13, 0);
			break;
		case 3:	/* stray bytes after the last entry */
			memset(q.b + q.len, 0, 5);
			q.len += 5;
			break;
		case 4:	/* an entry running past the queue */
			sq_add(&q, f[0].b, f[0].len, f[0].len, 0);
			q.len -= 1;
			break;
		}
		errno = 0;
		EXPECT_EQ(-1, sq_send(fd, &q, false, &consumed))
			TH_LOG("bad entry %d accepted", bad);
		EXPECT_EQ(want, errno) TH_LOG("bad entry %d: %s", bad,
					      strerror(errno));
		EXPECT_EQ((uint32_t)sizeof(struct npf_sendq_hdr) + f[0].len,
			  consumed) TH_LOG("bad entry %d", bad);
		count_tx(x, &c, 1, f[0].len);
		expect_own(_metadata, x, f, 1, "queue stopped by a bad entry");
	}
	q.len = 0;
	EXPECT_EQ(0, sq_send(fd, &q, false, &consumed));
	EXPECT_EQ(0U, consumed);
	EXPECT_ERRNO(EFAULT, ioctl(fd, BIOCSENDPACKETSNOSYNC, &nullq));
	EXPECT_EQ(0U, nullq.consumed);

	/* down: ENETDOWN, nothing sent */
	mk_frames(x, f, 1);
	q.len = 0;
	sq_add(&q, f[0].b, f[0].len, f[0].len, 0);
	ASSERT_EQ(0, link_set_up(x->a.name, false)) TH_LOG("%s", npf_err);
	EXPECT_ERRNO(ENETDOWN, write(fd, f[0].b, f[0].len));
	errno = 0;
	EXPECT_EQ(-1, sq_send(fd, &q, false, &consumed));
	EXPECT_EQ(ENETDOWN, errno) TH_LOG("queue on a down adapter: %s",
					  strerror(errno));
	EXPECT_EQ(0U, consumed);
	ASSERT_EQ(0, link_set_up(x->a.name, true)) TH_LOG("%s", npf_err);
	/* and up again, it sends */
	ASSERT_EQ((ssize_t)f[0].len, write(fd, f[0].b, f[0].len))
		TH_LOG("%s", strerror(errno));
	count_tx(x, &c, 1, f[0].len);
	expect_own(_metadata, x, f, 1, "up again");

	expect_tx_counts(_metadata, x, &c);
	tx_loopback(_metadata, x, &c);
	expect_tx_counts(_metadata, x, &c);

	expect_capture(_metadata, x, fd, NF, "after transmitting");
	expect_dev_out(_metadata, x, f, 0);
	free(big);
	free(q.b);
}

/* ---- the adapter goes away ------------------------------------------------------------ */

/*
 * Delete the adapter under a bound open holding promiscuity (and, on
 * Ethernet, a multicast address): the deletion is prompt, the open
 * drains its records, then every call that needs the adapter says ENODEV
 * (write, send queues, BIOCGDLT, OIDs, read); BIOCSETIF binds it again.
 */
TEST_F_TIMEOUT(odd, removed, 60)
{
	static const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 };
	struct odd_fx *x = &self->x;
	struct npf_sendq s;
	struct pollfd p;
	struct frame f[NF];
	struct reclist l;
	struct oidbuf b;
	uint8_t buf[64];
	int64_t t0, dt;
	uint32_t dlt;
	int fd = x->fd;

	ASSERT_EQ(0, oid_set_filter(fd, NDIS_PACKET_TYPE_PROMISCUOUS));
	if (x->a.k->ether) {
		memcpy(b.d, mc, 6);
		ASSERT_EQ(0, oid_call(fd, true, &b, OID_802_3_MULTICAST_LIST, 6))
			TH_LOG("%s", strerror(errno));
	}
	mk_frames(x, f, 3);
	ASSERT_EQ(0, inject_all(x, f, 3)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_wait_accounted(fd, want(x, 3), WAIT))
		TH_LOG("%s", npf_err);

	t0 = now_ms();
	if (x->a.kind == ODD_LO) {
		/* lo lives as long as its namespace, which the open holds */
		EXPECT_NE(0, link_del("lo"));
		EXPECT_EQ(x->a.k->dlt, get_dlt(fd));
		expect_capture(_metadata, x, fd, 2, "lo stays");
		return;
	}
	if (x->a.kind == ODD_TUN || x->a.kind == ODD_TAP) {
		close(x->a.fd);		/* a non-persistent device goes */
		x->a.fd = -1;
	} else {
		EXPECT_EQ(0, link_del(x->a.name)) TH_LOG("%s", npf_err);
	}
	dt = now_ms() - t0;
	EXPECT_GT(PROMPT, dt) TH_LOG("deleting %s took %lld ms", x->a.name,
				     (long long)dt);
	EXPECT_EQ(0U, if_nametoindex(x->a.name)) TH_LOG("%s still there",
							x->a.name);

	p = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLHUP) TH_LOG("revents %#x", p.revents);
	EXPECT_TRUE(p.revents & POLLIN) TH_LOG("revents %#x", p.revents);
	/* what was buffered, then ENODEV */
	reclist_init(&l);
	EXPECT_EQ(want(x, 3), collect(fd, &l, want(x, 3), WAIT, BIG))
		TH_LOG("%s", npf_err);
	if (l.n == want(x, 3))
		expect_records(_metadata, x, &l, 0, f, want(x, 3),
			       "drained after deletion");
	reclist_free(&l);
	EXPECT_ERRNO(ENODEV, read(fd, buf, sizeof(buf)));
	EXPECT_ERRNO(ENODEV, ioctl(fd, BIOCGDLT, &dlt));
	EXPECT_ERRNO(ENODEV, write(fd, f[0].b, f[0].len));
	memset(&s, 0, sizeof(s));
	s.buf = (uint64_t)(uintptr_t)buf;
	s.len = 0;
	s.consumed = 7;
	EXPECT_ERRNO(ENODEV, ioctl(fd, BIOCSENDPACKETSNOSYNC, &s));
	EXPECT_EQ(0U, s.consumed);
	EXPECT_ERRNO(ENODEV, oid_query(fd, &b, OID_GEN_MEDIA_IN_USE, 4));
	EXPECT_ERRNO(ENODEV, oid_set_filter(fd, DEFAULT_FILTER));
	memcpy(b.d, mc, 6);
	EXPECT_ERRNO(ENODEV, oid_call(fd, true, &b, OID_802_3_MULTICAST_LIST, 6));
	/* bound again elsewhere: lo */
	ASSERT_EQ(0, npf_bind(fd, "lo")) TH_LOG("%s", npf_err);
	EXPECT_EQ((uint32_t)NPF_LINKTYPE_ETHERNET, get_dlt(fd));
}

/* ---- the multicast list (last: the unfixed module oopses here) -------------------- */

FIXTURE(odd_mc) {
	struct odd_fx x;
};

FIXTURE_VARIANT(odd_mc) {
	enum odd_kind kind;
};

FIXTURE_SETUP(odd_mc)
{
	fx_setup(_metadata, &self->x, variant->kind);
}

FIXTURE_TEARDOWN(odd_mc)
{
	fx_teardown(&self->x);
}

ODD_VARIANTS(odd_mc);

static int mc_set(int fd, const uint8_t *addrs, uint32_t len)
{
	struct oidbuf b;

	memcpy(b.d, addrs, len);
	return oid_call(fd, true, &b, OID_802_3_MULTICAST_LIST, len);
}

/* The adapter's list (a query of 4096 bytes) is what dev_mcast says, and
 * holds (has) or lacks the n addresses at a. */
static void expect_mc(struct __test_metadata *_metadata, struct odd_fx *x,
		      int fd, const uint8_t *a, int n, bool has,
		      const char *when)
{
	uint8_t dm[NPF_OID_MAXLEN];
	struct oidbuf b;
	int len, cnt;

	len = odd_dev_mcast(x->a.ifindex, dm, sizeof(dm), &cnt);
	ASSERT_LE(0, len) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, oid_query(fd, &b, OID_802_3_MULTICAST_LIST, NPF_OID_MAXLEN))
		TH_LOG("%s: query: %s", when, strerror(errno));
	EXPECT_EQ((uint32_t)len, b.h.length) TH_LOG("%s", when);
	EXPECT_EQ(0, memcmp(dm, b.d, len))
		TH_LOG("%s: the query differs from /proc/net/dev_mcast", when);
	for (int i = 0; i < n; i++) {
		bool found = false;

		for (int j = 0; j + 6 <= len; j += 6)
			found |= !memcmp(dm + j, a + 6 * i, 6);
		EXPECT_EQ(has, found) TH_LOG("%s: address %d %s", when, i,
					     has ? "missing" : "still there");
	}
	if (x->a.kind == ODD_BOND_SLAVE) {
		/* the bond passes its list on to its slave */
		len = odd_dev_mcast(link_ifindex(ODD_SLAVE), dm, sizeof(dm), &cnt);
		for (int i = 0; i < n; i++) {
			bool found = false;

			for (int j = 0; j + 6 <= len; j += 6)
				found |= !memcmp(dm + j, a + 6 * i, 6);
			EXPECT_EQ(has, found) TH_LOG("%s: slave's address %d",
						     when, i);
		}
	}
}

/*
 * OID_802_3_MULTICAST_LIST set with data lengths 0, 1, 6, 7, 4096, 4097
 * and others. On an Ethernet adapter (dummy, tap, bond): the open's list
 * of up to NPF_MC_MAX multicast addresses, replacing the previous one,
 * shown by a query and /proc/net/dev_mcast (on the bond's slave too),
 * refcounted between opens, given back at close; every bad list fails with
 * EINVAL and keeps the previous one. On any other adapter (lo, the raw IP
 * ones) every set fails with EINVAL and the adapter's list is untouched:
 * on wireguard and tun (addr_len 0) the unfixed module divides by zero
 * under RTNL here.
 */
TEST_F_TIMEOUT(odd_mc, multicast_list, 60)
{
	static const uint8_t two[12] = {
		0x01, 0x00, 0x5e, 0x01, 0x02, 0x03,
		0x33, 0x33, 0x00, 0x00, 0x12, 0x34 };
	static const uint32_t lens[] = { 0, 1, 6, 7, 12, NPF_OID_MAXLEN,
					 NPF_OID_MAXLEN + 1 };
	struct odd_fx *x = &self->x;
	uint8_t many[NPF_OID_MAXLEN + 8], before[NPF_OID_MAXLEN];
	uint8_t after[NPF_OID_MAXLEN];
	int fd = x->fd, fd2, nb, na, cnt;

	/* multicast addresses, as many as fit */
	for (size_t i = 0; i + 6 <= sizeof(many); i += 6) {
		static const uint8_t m[6] = { 0x01, 0x00, 0x5e, 0x7f, 0, 0 };

		memcpy(many + i, m, 6);
		many[i + 4] = (uint8_t)(i / 6 >> 8);
		many[i + 5] = (uint8_t)(i / 6);
	}
	nb = odd_dev_mcast(x->a.ifindex, before, sizeof(before), &cnt);
	ASSERT_LE(0, nb) TH_LOG("%s", npf_err);

	if (!x->a.k->ether) {
		for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
			EXPECT_FAIL(EINVAL, mc_set(fd, many, lens[i]),
				    "%s (%s), %u bytes", x->a.name,
				    x->a.k->what, lens[i]);
		}
		na = odd_dev_mcast(x->a.ifindex, after, sizeof(after), &cnt);
		EXPECT_EQ(nb, na);
		EXPECT_EQ(0, memcmp(before, after, nb));
		expect_capture(_metadata, x, fd, 2, "after refused lists");
		return;
	}

	ASSERT_EQ(0, mc_set(fd, two, 12)) TH_LOG("%s", strerror(errno));
	expect_mc(_metadata, x, fd, two, 2, true, "two addresses");
	/* bad lists: EINVAL, the two stay */
	EXPECT_ERRNO(EINVAL, mc_set(fd, many, 1));
	EXPECT_ERRNO(EINVAL, mc_set(fd, many, 7));
	EXPECT_ERRNO(EINVAL, mc_set(fd, many, NPF_OID_MAXLEN));	/* 4096 % 6 */
	EXPECT_ERRNO(EINVAL, mc_set(fd, many, NPF_OID_MAXLEN + 1));
	EXPECT_ERRNO(EINVAL, mc_set(fd, many, 6 * (NPF_MC_MAX + 1)));
	EXPECT_ERRNO(EINVAL, mc_set(fd, x->a.mac, 6));		/* unicast */
	{
		uint8_t mixed[12];

		memcpy(mixed, two, 6);
		memcpy(mixed + 6, x->a.mac, 6);
		EXPECT_ERRNO(EINVAL, mc_set(fd, mixed, 12));
	}
	expect_mc(_metadata, x, fd, two, 2, true, "after bad lists");
	/* the most there may be, then one */
	ASSERT_EQ(0, mc_set(fd, many, 6 * NPF_MC_MAX)) TH_LOG("%s", strerror(errno));
	expect_mc(_metadata, x, fd, many, NPF_MC_MAX, true, "32 addresses");
	expect_mc(_metadata, x, fd, two, 2, false, "replaced by 32");
	ASSERT_EQ(0, mc_set(fd, two, 6));
	expect_mc(_metadata, x, fd, two, 1, true, "one address");
	expect_mc(_metadata, x, fd, many, NPF_MC_MAX, false, "replaced by one");
	/* two opens hold the same address: it stays until both let go */
	ASSERT_EQ(0, mc_set(fd, two, 12));
	fd2 = npf_open(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, npf_bind(fd2, x->a.name));
	ASSERT_EQ(0, mc_set(fd2, two, 6));
	ASSERT_EQ(0, mc_set(fd, two, 0)) TH_LOG("empty list: %s", strerror(errno));
	expect_mc(_metadata, x, fd, two, 1, true, "held by the other open");
	expect_mc(_metadata, x, fd, two + 6, 1, false, "let go by this one");
	close(fd2);
	expect_mc(_metadata, x, fd, two, 2, false, "both let go");
	na = odd_dev_mcast(x->a.ifindex, after, sizeof(after), &cnt);
	EXPECT_EQ(nb, na);
	EXPECT_EQ(0, memcmp(before, after, nb)) TH_LOG("the list is not back");
	/* close gives a list back */
	ASSERT_EQ(0, mc_set(fd, two, 12));
	close(fd);
	x->fd = -1;
	na = odd_dev_mcast(x->a.ifindex, after, sizeof(after), &cnt);
	EXPECT_EQ(nb, na);
	EXPECT_EQ(0, memcmp(before, after, nb)) TH_LOG("close left addresses");
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		/* an unbound open: ENXIO, but sizes first */
		fd = npf_open(0);
		ASSERT_LE(0, fd);
		EXPECT_ERRNO(lens[i] > NPF_OID_MAXLEN ? EINVAL : ENXIO,
			     mc_set(fd, many, lens[i]));
		close(fd);
	}
}


/* ---- a bond that changes type ---------------------------------------------------------- */

FIXTURE(odd_retype) {
	struct odd_adapter tun;
	int fd;
};

FIXTURE_SETUP(odd_retype)
{
	NPF_ONLY_OR_SKIP();
	self->fd = -1;
	self->tun.fd = self->tun.tx = self->tun.raw = -1;
	ASSERT_EQ(0, odd_netns()) TH_LOG("%s", npf_err);
}

FIXTURE_TEARDOWN(odd_retype)
{
	if (self->fd >= 0)
		close(self->fd);
	odd_destroy(&self->tun);
}

/* An active-backup bond (its slaves need not set a MAC address). */
static int bond_ab_add(const char *name)
{
	struct rtnl_req req;
	struct rtattr *li, *data;
	uint8_t mode = 1;
	int ret;

	li = rtnl_newlink(&req, name, "bond");
	data = rta_put(&req.n, IFLA_INFO_DATA, NULL, 0);
	rta_put(&req.n, IFLA_BOND_MODE, &mode, 1);
	rta_nest_end(&req.n, data);
	rta_nest_end(&req.n, li);
	ret = rtnl_request(&req.n);
	if (ret)
		npf_fail("add active-backup bond: %s", npf_err);
	return ret;
}

/*
 * A bond takes the type of its first slave: enslaving a tun turns an
 * Ethernet bond bound by an open (holding multicast addresses) into a
 * header-less one (addr_len 0). Refusing the change (NETDEV_PRE_TYPE_CHANGE)
 * is fine; accepting it, the open must stay consistent: what BIOCGDLT
 * says is what the records are (or it lets go of the adapter, ENODEV),
 * a multicast list set now fails with EINVAL (or ENODEV), and close and
 * deletion work.
 */
TEST_F_TIMEOUT(odd_retype, bond_becomes_raw, 60)
{
	static const uint8_t two[12] = {
		0x01, 0x00, 0x5e, 0x01, 0x02, 0x03,
		0x01, 0x00, 0x5e, 0x01, 0x02, 0x04 };
	struct odd_adapter *t = &self->tun;
	struct reclist l;
	struct oidbuf b;
	struct frame f;
	long long type = -1;
	uint32_t dlt;
	int fd, r;

	r = bond_ab_add("npfbond2");
	if (r == -EOPNOTSUPP)
		SKIP_OR_FAIL("no bonding: %s", npf_err);
	ASSERT_EQ(0, r) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, link_set_up("npfbond2", true)) TH_LOG("%s", npf_err);
	self->fd = fd = npf_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, npf_bind(fd, "npfbond2")) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_set_timeout(fd, -1));
	EXPECT_EQ((uint32_t)NPF_LINKTYPE_ETHERNET, get_dlt(fd));
	memcpy(b.d, two, 12);
	ASSERT_EQ(0, oid_call(fd, true, &b, OID_802_3_MULTICAST_LIST, 12))
		TH_LOG("%s", strerror(errno));

	/* a tun (down: bonding wants it so), the bond's first slave */
	t->kind = ODD_TUN;
	t->k = &odd_kinds[ODD_TUN];
	t->name = "npftun2";
	ASSERT_EQ(0, odd_tuntap(t, IFF_TUN)) TH_LOG("%s", npf_err);
	if (odd_link_master("npftun2", "npfbond2")) {
		TH_LOG("the type change was refused: %s", npf_err);
		EXPECT_EQ((uint32_t)NPF_LINKTYPE_ETHERNET, get_dlt(fd));
		return;
	}
	ASSERT_EQ(0, odd_sysfs_ll("npfbond2", "type", &type));
	ASSERT_EQ(65534LL, type) TH_LOG("the bond did not become ARPHRD_NONE");
	ASSERT_EQ(0, link_set_up("npftun2", true));

	/* the tun receives a packet, and passes it to its master */
	odd_frame(t, &f, 100, 1);
	ASSERT_EQ((ssize_t)f.len, write(t->fd, f.b, f.len))
		TH_LOG("%s", strerror(errno));
	dlt = 0xdeadbeef;
	r = ioctl(fd, BIOCGDLT, &dlt);
	if (r) {
		/* it let go of the adapter */
		EXPECT_EQ(ENODEV, errno) TH_LOG("BIOCGDLT: %s", strerror(errno));
	} else {
		EXPECT_EQ((uint32_t)NPF_LINKTYPE_RAW, dlt)
			TH_LOG("the bond now has no link header, BIOCGDLT says %u",
			       dlt);
		reclist_init(&l);
		EXPECT_EQ(1, collect(fd, &l, 1, WAIT, BIG)) TH_LOG("%s", npf_err);
		if (l.n == 1) {
			EXPECT_TRUE(rec_matches(&l.r[0], &f))
				TH_LOG("caplen %u first byte %#04x, BIOCGDLT %u",
				       l.r[0].h.bh_caplen, l.r[0].data[0], dlt);
		}
		reclist_free(&l);
	}
	/* no Ethernet list on a link without addresses */
	memcpy(b.d, two, 12);
	errno = 0;
	EXPECT_EQ(-1, oid_call(fd, true, &b, OID_802_3_MULTICAST_LIST, 12));
	EXPECT_TRUE(errno == EINVAL || errno == ENODEV) TH_LOG("%s",
							   strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, oid_call(fd, true, &b, OID_802_3_MULTICAST_LIST, 0));
	EXPECT_TRUE(errno == EINVAL || errno == ENODEV) TH_LOG("%s",
							   strerror(errno));
	close(fd);
	self->fd = -1;
	EXPECT_EQ(0, link_del("npfbond2")) TH_LOG("%s", npf_err);
}

TEST_HARNESS_MAIN
