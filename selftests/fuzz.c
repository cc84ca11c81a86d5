// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded random fuzzer of /dev/npf: ioctl numbers around ours
 * (_IOC(any direction, 0xB9, 0..0x3f, sizes 0..16383)), our own numbers
 * with hostile structures (huge bf_len, OID lengths, send queue lengths,
 * dump paths in unmapped or unterminated memory), other magics, random
 * 32-bit numbers; arguments that are NULL, small integers, kernel
 * addresses, unmapped or read-only pages, buffers running into a
 * PROT_NONE page; read/write/poll of random sizes; opens closed and
 * reopened with whatever state they hold. It runs on unbound and bound
 * opens, single-threaded (reproducible from its seed) and from two
 * threads with traffic flowing. Binding picks, at random, the veth pair
 * or one of the odd adapters of odd_util.h made in the same namespace
 * (lo, dummy, bond, and the header-less ipip, sit, gre, wireguard and tun,
 * addr_len 4 or 0), so that the random ioctls and OIDs hit LINKTYPE_RAW
 * and non-Ethernet links too. Afterwards a normal capture must work
 * exactly, every reference must be back (module, promiscuity, multicast
 * addresses on every adapter, opens), and close/rmmod must work (the
 * runner checks rmmod and the kernel log).
 *
 *   NPF_FUZZ_SEED=N       the seed (default: time ^ pid; printed)
 *   NPF_FUZZ_CALLS=N      calls of the single-threaded run (default 5000)
 *   NPF_FUZZ_SECONDS=S    time budget of each run (default 18, and 8 for
 *                         the threaded one)
 */
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <net/if.h>

#include "hostile_util.h"
#include "odd_util.h"
#include "harness.h"

#define BIG	(1 << 20)
#define PARAM	"/sys/module/npf/parameters/max_buffer_size"
#define NFD	4
#define ARENA	(64 << 10)

/* ---- the generator -------------------------------------------------------- */

static uint32_t interesting32(struct rng *r)
{
	static const uint32_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 13, 14, 16, 31, 32, 48, 56, 60, 64, 100,
		1000, 1514, 1515, 1518, 4095, 4096, 4097, 8192, 16000, 65535,
		65536, 1000000, 1 << 20, 0x7fffffff, 0x80000000, 0xfffffffe,
		0xffffffff, (uint32_t)-2, (uint32_t)-1000,
	};

	if (chance(r, 25))
		return (uint32_t)rnd(r);
	return v[below(r, sizeof(v) / sizeof(v[0]))];
}

static uint64_t interesting64(struct rng *r)
{
	switch (below(r, 6)) {
	case 0: return 0;
	case 1: return UINT64_MAX;
	case 2: return 1ULL << 63;
	case 3: return rnd(r);
	default: return interesting32(r);
	}
}

/* ---- one fuzzing context --------------------------------------------------- */

struct fuzzer {
	struct rng r;
	struct badmem bm;
	uint8_t *arena;		/* ARENA bytes of scratch for arguments */
	int *fds;		/* shared NFD fds */
	int nfd;
	const char *dir;
	struct npf_env *env;
	struct odd_adapter *odd;	/* the odd adapters, nodd of them */
	int nodd;
	long calls, errors_by_kind[8];
	long efault, einval, enotty, ok;
	/* for the kicker and for reports */
	int64_t in_call_since;	/* atomic; 0 when not in a call */
	pthread_t th;
	char what[160];		/* the current call */
	int stop;		/* atomic */
	long max_calls;
	int64_t deadline;
};

static void fill_random(struct rng *r, void *p, size_t n)
{
	uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rnd(r);
}

/* A pointer of the kinds the brief calls hostile; size: what the call may
 * touch there. */
static void *hostile_ptr(struct fuzzer *z, size_t size, int *kind)
{
	uint32_t k = below(&z->r, 9);

	*kind = (int)k;
	switch (k) {
	case 0: return NULL;
	case 1: return (void *)(uintptr_t)(1 + below(&z->r, 4096));
	case 2: return KERNEL_ADDR;
	case 3: return (void *)0xffff888000000000UL;
	case 4: return z->bm.unmapped + below(&z->r, PAGE);
	case 5: return z->bm.ro + below(&z->r, 64);
	case 6:
		/* straddling into the PROT_NONE page */
		if (!size)
			size = 1 + below(&z->r, 64);
		return EDGE(&z->bm, 1 + below(&z->r, (uint32_t)size));
	case 7:
		return z->bm.none;
	default: {
		uint8_t *p = z->arena + below(&z->r, ARENA / 2);

		fill_random(&z->r, p, size < ARENA / 2 ? size : ARENA / 2);
		return p;
	}
	}
}

/* Where a structure goes: the arena, or right against the PROT_NONE page
 * (whole, or cut by it). */
static void *place(struct fuzzer *z, size_t size)
{
	uint32_t c = below(&z->r, 10);

	if (c < 6 || size > PAGE)
		return z->arena + ARENA / 2 + 8 * below(&z->r, 256);
	if (c < 9 || size < 2)
		return EDGE(&z->bm, size);
	return EDGE(&z->bm, 1 + below(&z->r, (uint32_t)size - 1));
}

/* An adapter to bind: the veth pair, or one of the odd adapters. */
static const char *random_ifname(struct fuzzer *z)
{
	uint32_t c = below(&z->r, 2 + (uint32_t)z->nodd);

	return c < 2 ? (c ? IF_B : IF_A) : z->odd[c - 2].name;
}

/* A frame for write(): Ethernet, or (for the raw IP adapters) an IPv4
 * packet without link header. */
static void random_frame(struct fuzzer *z, struct frame *f, uint32_t seq)
{
	mk_udp4(f, z->env->mac_b, z->env->mac_a, "10.9.0.1", "10.9.0.2", 7, 7,
		60 + (chance(&z->r, 20) ? below(&z->r, 1400) : 0), seq);
	if (chance(&z->r, 30)) {
		memmove(f->b, f->b + 14, f->len - 14);
		f->len -= 14;
	}
}

static const unsigned int known_cmds[] = {
	BIOCVERSION, BIOCSETIF, BIOCGDLT, BIOCSETBUFFERSIZE, BIOCSETF,
	BIOCGSTATS, BIOCGSTATSEX, BIOCSRTIMEOUT, BIOCSMODE, BIOCSWRITEREP,
	BIOCSMINTOCOPY, BIOCSETOID, BIOCQUERYOID, BIOCSETDUMPFILENAME,
	BIOCSETDUMPLIMITS, BIOCISDUMPENDED, BIOCSENDPACKETSNOSYNC,
	BIOCSENDPACKETSSYNC, BIOCISETLOBBEH, BIOCSTIMESTAMPMODE,
	BIOCGDUMPSTATS,
};
#define NKNOWN	(sizeof(known_cmds) / sizeof(known_cmds[0]))

static const uint32_t oids[] = {
	OID_GEN_CURRENT_PACKET_FILTER, OID_GEN_MEDIA_IN_USE,
	OID_GEN_MAXIMUM_FRAME_SIZE, OID_GEN_LINK_SPEED,
	OID_GEN_MAXIMUM_TOTAL_SIZE, OID_GEN_MEDIA_CONNECT_STATUS,
	OID_GEN_XMIT_OK, OID_GEN_RCV_OK, OID_GEN_XMIT_ERROR, OID_GEN_RCV_ERROR,
	OID_GEN_RCV_NO_BUFFER, OID_802_3_PERMANENT_ADDRESS,
	OID_802_3_CURRENT_ADDRESS, OID_802_3_MULTICAST_LIST,
	OID_802_3_MAXIMUM_LIST_SIZE,
};

/* A random program: mostly garbage, sometimes a valid one. */
static void random_prog(struct fuzzer *z, struct sock_filter *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (chance(&z->r, 50)) {
			p[i].code = (uint16_t)below(&z->r, 0x100);
			p[i].jt = (uint8_t)below(&z->r, 4);
			p[i].jf = (uint8_t)below(&z->r, 4);
			p[i].k = chance(&z->r, 50) ? below(&z->r, 64) :
						     interesting32(&z->r);
		} else {
			fill_random(&z->r, &p[i], sizeof(p[i]));
		}
	}
	if (n && chance(&z->r, 60))
		p[n - 1] = (struct sock_filter){ BPF_RET | BPF_K, 0, 0,
						 below(&z->r, 2) ? 0xffff :
						 below(&z->r, 200) };
}

static void build_sendq(struct fuzzer *z, uint8_t *q, size_t room,
			uint32_t *len)
{
	uint32_t off = 0, n = 1 + below(&z->r, 4);
	struct frame f;

	for (uint32_t i = 0; i < n; i++) {
		struct npf_sendq_hdr h;
		uint32_t cap;

		mk_udp4(&f, z->env->mac_b, z->env->mac_a, "10.9.0.1",
			"10.9.0.2", 9, 9, 60 + below(&z->r, 100), i);
		cap = chance(&z->r, 80) ? f.len : interesting32(&z->r);
		h.tv_sec = 100;
		/* SYNC queues: gaps of at most 20 ms */
		h.tv_usec = below(&z->r, 20000);
		h.caplen = cap;
		h.len = f.len;
		if (off + sizeof(h) + f.len > room)
			break;
		memcpy(q + off, &h, sizeof(h));
		memcpy(q + off + sizeof(h), f.b, f.len);
		off += sizeof(h) + f.len;
	}
	*len = off;
}

/* A structured argument for one of our ioctls. */
static void *structured_arg(struct fuzzer *z, unsigned int cmd)
{
	int kind;

	switch (cmd) {
	case BIOCSETIF: {
		static const char *names[] = { IF_A, IF_B, "lo", "", "npfnosuch",
					       "npft0\n", "npft1 " };
		struct npf_ifname *n = place(z, sizeof(*n));

		if ((uint8_t *)n + sizeof(*n) > z->bm.none)
			return n;	/* cut by the page end: EFAULT */
		memset(n, 0, sizeof(*n));
		if (chance(&z->r, 15))
			fill_random(&z->r, n, sizeof(*n));
		else if (chance(&z->r, 50))
			snprintf(n->name, sizeof(n->name), "%s",
				 random_ifname(z));
		else
			snprintf(n->name, sizeof(n->name), "%s",
				 names[below(&z->r, 7)]);
		return n;
	}
	case BIOCSETF: {
		struct npf_program *p = place(z, sizeof(*p));
		struct npf_program v = { 0 };
		static const uint32_t lens[] = { 0, 1, 2, 3, 4, 8, 4095, 4096,
						 4097, 0xffffffff, 0x20000000 };
		uint32_t n;

		v.bf_len = chance(&z->r, 80) ? lens[below(&z->r, 11)] :
					       interesting32(&z->r);
		v.bf_pad = chance(&z->r, 90) ? 0 : interesting32(&z->r);
		n = v.bf_len <= 4096 ? v.bf_len : 4096;
		if (chance(&z->r, 70)) {
			struct sock_filter *insns = (void *)z->arena;

			random_prog(z, insns, n);
			v.bf_insns = (uint64_t)(uintptr_t)insns;
		} else {
			v.bf_insns = (uint64_t)(uintptr_t)
				hostile_ptr(z, (size_t)n * 8, &kind);
		}
		if ((uint8_t *)p + sizeof(*p) <= z->bm.none)
			*p = v;
		return p;
	}
	case BIOCSETOID:
	case BIOCQUERYOID: {
		uint32_t len = chance(&z->r, 70) ?
			(uint32_t[]){ 0, 1, 4, 6, 8, 12, 24, 192, 198, 4096 }[below(&z->r, 10)] :
			interesting32(&z->r);
		uint32_t room = len <= 4096 ? len : 64;
		struct npf_oid_data *o = place(z, 8 + room);

		if ((uint8_t *)o + 8 > z->bm.none)
			return o;
		/* the multicast list most: it divides by addr_len */
		o->oid = chance(&z->r, 20) ? OID_802_3_MULTICAST_LIST :
			 chance(&z->r, 85) ? oids[below(&z->r, 15)] :
					     interesting32(&z->r);
		o->length = len;
		if ((uint8_t *)o + 8 + room <= z->bm.none) {
			fill_random(&z->r, o->data, room);
			/* valid multicast addresses, now and then */
			if (o->oid == OID_802_3_MULTICAST_LIST && chance(&z->r, 50))
				for (uint32_t i = 0; i + 6 <= room; i += 6) {
					o->data[i] = 0x01;
					o->data[i + 1] = 0x00;
					o->data[i + 2] = 0x5e;
				}
			if (o->oid == OID_GEN_CURRENT_PACKET_FILTER && room >= 4 &&
			    chance(&z->r, 60)) {
				uint32_t f = below(&z->r, 256) &
					(NDIS_PACKET_TYPE_PROMISCUOUS |
					 NDIS_PACKET_TYPE_ALL_MULTICAST |
					 NDIS_PACKET_TYPE_DIRECTED |
					 NDIS_PACKET_TYPE_BROADCAST);

				memcpy(o->data, &f, 4);
			}
		}
		return o;
	}
	case BIOCSETDUMPFILENAME: {
		struct npf_dump_name *d = place(z, sizeof(*d));
		char *path = (char *)z->arena + 1024;
		uint64_t pv;

		switch (below(&z->r, 8)) {
		case 0: case 1: case 2:
			snprintf(path, 256, "%s/f%u.pcap", z->dir, below(&z->r, 6));
			pv = (uint64_t)(uintptr_t)path;
			break;
		case 3:
			/* unterminated, up to the PROT_NONE page */
			memset(EDGE(&z->bm, 48), 'a', 48);
			pv = (uint64_t)(uintptr_t)EDGE(&z->bm, 48);
			break;
		case 4:
			pv = (uint64_t)(uintptr_t)
				(below(&z->r, 2) ? "/dev/null" : "/");
			break;
		case 5:
			pv = (uint64_t)(uintptr_t)z->dir;
			break;
		default:
			pv = (uint64_t)(uintptr_t)hostile_ptr(z, 64, &kind);
			break;
		}
		if ((uint8_t *)d + sizeof(*d) <= z->bm.none) {
			d->path = pv;
			d->flags = chance(&z->r, 80) ? below(&z->r, 2) :
						       interesting32(&z->r);
			d->pad = chance(&z->r, 90) ? 0 : interesting32(&z->r);
		}
		return d;
	}
	case BIOCSETDUMPLIMITS: {
		struct npf_dump_limits *l = place(z, sizeof(*l));

		if ((uint8_t *)l + sizeof(*l) <= z->bm.none) {
			l->max_bytes = interesting64(&z->r);
			l->max_packets = interesting64(&z->r);
		}
		return l;
	}
	case BIOCSENDPACKETSNOSYNC:
	case BIOCSENDPACKETSSYNC: {
		struct npf_sendq *q = place(z, sizeof(*q));
		uint8_t *buf = z->arena + 4096;
		uint32_t len;

		build_sendq(z, buf, 8192, &len);
		if ((uint8_t *)q + sizeof(*q) <= z->bm.none) {
			q->buf = chance(&z->r, 75) ? (uint64_t)(uintptr_t)buf :
				 (uint64_t)(uintptr_t)hostile_ptr(z, len, &kind);
			switch (below(&z->r, 5)) {
			case 0: q->len = interesting32(&z->r); break;
			case 1: q->len = len + below(&z->r, 20); break;
			case 2: q->len = below(&z->r, len + 1); break;
			default: q->len = len; break;
			}
			q->consumed = (uint32_t)rnd(&z->r);
		}
		return q;
	}
	case BIOCSETBUFFERSIZE: case BIOCSRTIMEOUT: case BIOCSMODE:
	case BIOCSWRITEREP: case BIOCSMINTOCOPY: case BIOCISETLOBBEH:
	case BIOCSTIMESTAMPMODE: {
		uint32_t *v = place(z, 4);
		uint32_t x = interesting32(&z->r);

		/* modes and timeouts worth keeping reachable */
		if (cmd == BIOCSMODE && chance(&z->r, 70))
			x = below(&z->r, 4) == 3 ? 0x11 : (uint32_t[]){ 0, 1, 0x10 }[below(&z->r, 3)];
		if (cmd == BIOCSRTIMEOUT && chance(&z->r, 70))
			x = (uint32_t[]){ (uint32_t)-1, 0, 1, 5, 50 }[below(&z->r, 5)];
		if (cmd == BIOCSWRITEREP && chance(&z->r, 70))
			x = below(&z->r, 4);
		if (cmd == BIOCSETBUFFERSIZE && chance(&z->r, 50))
			x = 4096 + below(&z->r, 2 << 20);
		if ((uint8_t *)v + 4 <= z->bm.none)
			*v = x;
		return v;
	}
	}
	/* outputs */
	return chance(&z->r, 50) ? place(z, 128) : hostile_ptr(z, 128, &kind);
}

static unsigned int random_cmd(struct fuzzer *z)
{
	static const unsigned int sizes[] = { 0, 1, 2, 4, 8, 12, 16, 24, 32,
					      48, 56, 72, 4096 };
	uint32_t c = below(&z->r, 100);
	unsigned int size;

	/* what depends most on the link: the binding and the OIDs */
	if (c < 8)
		return (unsigned int[]){ BIOCSETIF, BIOCSETOID,
					 BIOCQUERYOID }[below(&z->r, 3)];
	if (c < 45)
		return known_cmds[below(&z->r, NKNOWN)];
	size = chance(&z->r, 70) ? sizes[below(&z->r, 13)] : below(&z->r, 16384);
	if (c < 75)
		return _IOC(below(&z->r, 4), NPF_IOC_MAGIC, below(&z->r, 0x40), size);
	if (c < 85)
		/* one of ours with another direction or size */
		return known_cmds[below(&z->r, NKNOWN)] ^
		       (chance(&z->r, 50) ? (1u << (30 + below(&z->r, 2))) :
					    ((1 + below(&z->r, 255)) << 16));
	if (c < 95)
		return _IOC(below(&z->r, 4), below(&z->r, 256), below(&z->r, 256),
			    size);
	return (unsigned int)rnd(&z->r);
}

static void note(struct fuzzer *z, long r)
{
	if (r >= 0)
		z->ok++;
	else if (errno == EFAULT)
		z->efault++;
	else if (errno == EINVAL)
		z->einval++;
	else if (errno == ENOTTY)
		z->enotty++;
}

/* One random call on one of the fds. */
static void fuzz_one(struct fuzzer *z)
{
	int slot = (int)below(&z->r, (uint32_t)z->nfd);
	int fd = __atomic_load_n(&z->fds[slot], __ATOMIC_RELAXED);
	uint32_t what = below(&z->r, 100);
	long r = 0;
	int kind;

	__atomic_store_n(&z->in_call_since, now_ms(), __ATOMIC_RELEASE);
	if (what < 62) {
		unsigned int cmd = random_cmd(z);
		void *arg = chance(&z->r, 65) ? structured_arg(z, cmd) :
						hostile_ptr(z, _IOC_SIZE(cmd), &kind);

		snprintf(z->what, sizeof(z->what), "ioctl(fd %d, %#x, %p)", fd,
			 cmd, arg);
		r = ioctl(fd, cmd, arg);
	} else if (what < 75) {
		static const size_t sizes[] = { 0, 1, 31, 32, 47, 48, 55, 56,
						4095, 4096, 65536, BIG };
		size_t n = chance(&z->r, 80) ? sizes[below(&z->r, 12)] :
					       below(&z->r, BIG);
		void *p = chance(&z->r, 60) ? (void *)z->arena :
					      hostile_ptr(z, 0, &kind);

		/* never past the arena: the kernel would write there */
		if ((uint8_t *)p >= z->arena && (uint8_t *)p < z->arena + ARENA &&
		    n > (size_t)(z->arena + ARENA - (uint8_t *)p))
			n = z->arena + ARENA - (uint8_t *)p;
		snprintf(z->what, sizeof(z->what), "read(fd %d, %p, %zu)", fd, p, n);
		r = read(fd, p, n);
	} else if (what < 85) {
		static const size_t sizes[] = { 0, 1, 13, 14, 60, 100, 1514,
						1515, 1518, 1519, 65536 };
		size_t n = chance(&z->r, 85) ? sizes[below(&z->r, 11)] :
					       below(&z->r, 70000);
		uint8_t *p = z->arena + ARENA / 2 - 2048;

		if (chance(&z->r, 70)) {
			struct frame f;

			random_frame(z, &f, (uint32_t)z->calls);
			memcpy(p, f.b, f.len);
			if (n > 2048)
				n = 2048;
		} else {
			p = hostile_ptr(z, n, &kind);
		}
		snprintf(z->what, sizeof(z->what), "write(fd %d, %p, %zu)", fd,
			 (void *)p, n);
		r = write(fd, p, n);
	} else if (what < 93) {
		struct pollfd pf = { .fd = fd, .events = (short)rnd(&z->r) };

		snprintf(z->what, sizeof(z->what), "poll(fd %d, %#x)", fd,
			 pf.events);
		r = poll(&pf, 1, below(&z->r, 2) ? 0 : 10);
	} else if (what < 96) {
		snprintf(z->what, sizeof(z->what), "fcntl(fd %d, O_NONBLOCK)", fd);
		r = fcntl(fd, F_SETFL, below(&z->r, 2) ? O_NONBLOCK : 0);
	} else {
		/* close with whatever state the open has; a fresh one,
		 * maybe bound */
		int nfd;

		snprintf(z->what, sizeof(z->what), "reopen(fd %d)", fd);
		nfd = open(NPF_DEV, O_RDWR | O_CLOEXEC);
		if (nfd >= 0) {
			if (chance(&z->r, 60))
				npf_bind(nfd, random_ifname(z));
			/* the fd number keeps naming an open of /dev/npf,
			 * whatever another thread does with it meanwhile */
			r = dup3(nfd, fd, O_CLOEXEC);
			close(nfd);
		} else {
			r = -1;
		}
	}
	__atomic_store_n(&z->in_call_since, 0, __ATOMIC_RELEASE);
	note(z, r);
	z->calls++;
}

/* A crash of the fuzzer itself: say in which call. */
static __thread struct fuzzer *cur_fuzzer;

static void segv(int sig)
{
	char b[256];
	int n = snprintf(b, sizeof(b), "# fuzzer crashed (signal %d) in or after: %s\n",
			 sig, cur_fuzzer ? cur_fuzzer->what : "?");

	if (write(2, b, n) < 0)
		_exit(3);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void *fuzz_fn(void *arg)
{
	struct fuzzer *z = arg;

	cur_fuzzer = z;
	signal(SIGSEGV, segv);
	signal(SIGBUS, segv);

	while (!__atomic_load_n(&z->stop, __ATOMIC_RELAXED) &&
	       z->calls < z->max_calls && now_ms() < z->deadline)
		fuzz_one(z);
	__atomic_store_n(&z->stop, 2, __ATOMIC_RELEASE);
	return NULL;
}

static void usr1(int sig)
{
	(void)sig;
}


/* Interrupts any fuzz call that has slept for more than 60 ms. */
struct kicker {
	pthread_t th;
	struct fuzzer **z;
	int n;
	int stop;
	long kicks;
};

static void *kicker_fn(void *arg)
{
	struct kicker *k = arg;

	while (!__atomic_load_n(&k->stop, __ATOMIC_RELAXED)) {
		int64_t now = now_ms();

		for (int i = 0; i < k->n; i++) {
			int64_t t = __atomic_load_n(&k->z[i]->in_call_since,
						    __ATOMIC_ACQUIRE);

			if (t && now - t > 60) {
				pthread_kill(k->z[i]->th, SIGUSR1);
				k->kicks++;
			}
		}
		sleep_ms(20);
	}
	return NULL;
}

struct traffic {
	pthread_t th;
	int tx;
	int stop;
	long sent;
	struct npf_env *env;
	struct odd_adapter *odd;	/* every other frame: on one of these */
	int nodd;
};

static void *traffic_fn(void *arg)
{
	struct traffic *t = arg;
	struct frame f;
	long i = 0;

	while (!__atomic_load_n(&t->stop, __ATOMIC_RELAXED)) {
		uint32_t len = 60 + (i * 97) % 1400;

		if (t->nodd && i % 2) {
			struct odd_adapter *a = &t->odd[(i / 2) % t->nodd];

			if (odd_frame(a, &f, a->k->dlt == NPF_LINKTYPE_RAW ?
				      len - 14 : len, (uint32_t)i) &&
			    !odd_inject(a, &f))
				t->sent++;
		} else {
			mk_mixed(&f, t->env->mac_a, t->env->mac_b,
				 (unsigned int)i, len, (uint32_t)i);
			if (send(t->tx, f.b, f.len, 0) > 0)
				t->sent++;
		}
		i++;
		usleep(2000);
	}
	return NULL;
}

/* ---- the fixture ------------------------------------------------------------ */

/* The odd adapters the fuzzer binds besides the veth pair. */
static const enum odd_kind fuzz_kinds[] = {
	ODD_LO, ODD_DUMMY, ODD_BOND, ODD_IPIP, ODD_SIT, ODD_GRE, ODD_WG,
	ODD_TUN,
};
#define NODD	(sizeof(fuzz_kinds) / sizeof(fuzz_kinds[0]))

FIXTURE(fz) {
	struct npf_env env;
	int fds[NFD];
	char dir[64];
	char param[32];
	uint64_t seed;
	long long refcnt0;
	int mc0;
	uint8_t *arena[2];
	struct odd_adapter odd[NODD];
	int nodd;
	int odd_mc0[NODD];	/* dev_mcast bytes of each, before */
	uint8_t odd_mc[NODD][512];
};

/* Modules first, once, in the harness's process: every test forks. */
static void __attribute__((constructor)) fuzz_modules(void)
{
	if (!getuid())
		odd_modprobe();
}

FIXTURE_SETUP(fz)
{
	NPF_ONLY_OR_SKIP();
	for (int i = 0; i < NFD; i++)
		self->fds[i] = -1;
	self->param[0] = 0;
	self->seed = (uint64_t)env_long("NPF_FUZZ_SEED",
					(long)(time(NULL) ^ (getpid() << 16)));
	if (!self->seed)
		self->seed = 1;
	ASSERT_EQ(0, env_setup(&self->env)) TH_LOG("%s", npf_err);
	snprintf(self->dir, sizeof(self->dir), "/tmp/npf-fuzz-%d", getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	/* rings of at most 2 MiB while fuzzing: a VM's memory is small */
	ASSERT_EQ(0, file_read_str(PARAM, self->param, sizeof(self->param)))
		TH_LOG("%s", npf_err);
	ASSERT_EQ(0, file_write_str(PARAM, "2097152"));
	for (int i = 0; i < 2; i++) {
		self->arena[i] = malloc(ARENA);
		ASSERT_NE(NULL, self->arena[i]);
	}
	self->mc0 = mc_count(IF_A);
	ASSERT_LE(0, self->mc0);
	/* the odd adapters, in the same namespace (lo first: the tunnels
	 * are fed through it) */
	for (size_t i = 0; i < NODD; i++) {
		struct odd_adapter *a = &self->odd[self->nodd];
		int r, cnt;

		r = odd_create(a, fuzz_kinds[i]);
		if (r == ODD_ABSENT && !npf_expect_debug()) {
			TH_LOG("no %s here: %s", odd_kinds[fuzz_kinds[i]].what,
			       npf_err);
			odd_destroy(a);
			continue;
		}
		ASSERT_EQ(0, r) TH_LOG("%s", npf_err);
		r = odd_dev_mcast(a->ifindex, self->odd_mc[self->nodd],
				  sizeof(self->odd_mc[0]), &cnt);
		ASSERT_LE(0, r) TH_LOG("%s", npf_err);
		self->odd_mc0[self->nodd++] = r;
	}
	self->refcnt0 = file_read_ll("/sys/module/npf/refcnt");
	/* unbound, bound to A, bound to B or an odd adapter (by the seed),
	 * bound to A and non-blocking */
	for (int i = 0; i < NFD; i++) {
		self->fds[i] = npf_open(i == 3 ? O_NONBLOCK : 0);
		ASSERT_LE(0, self->fds[i]) TH_LOG("%s", npf_err);
	}
	ASSERT_EQ(0, npf_bind(self->fds[1], IF_A));
	ASSERT_EQ(0, npf_bind(self->fds[2], self->seed % (self->nodd + 1) ?
			      self->odd[self->seed % (self->nodd + 1) - 1].name :
			      IF_B)) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(self->fds[3], IF_A));
}

FIXTURE_TEARDOWN(fz)
{
	for (int i = 0; i < NFD; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	if (self->param[0])
		file_write_str(PARAM, self->param);
	sh("rm -rf %s", self->dir);
	for (int i = 0; i < 2; i++)
		free(self->arena[i]);
	for (int i = 0; i < self->nodd; i++)
		odd_destroy(&self->odd[i]);
	env_teardown(&self->env);
}

/*
 * After fuzzing: the fds closed, every reference the opens took is back,
 * and a normal capture and transmit work exactly.
 */
static void check_after(struct __test_metadata *_metadata,
			FIXTURE_DATA(fz) *self)
{
	struct genl_info_ans info;
	struct reclist l;
	struct npf_stats st;
	struct frame f[50];
	long long ref = -1;
	int fd, peer;

	for (int i = 0; i < NFD; i++) {
		close(self->fds[i]);
		self->fds[i] = -1;
	}
	/* frames still in flight hold the module for a moment */
	for (int i = 0; i < 100; i++) {
		ref = file_read_ll("/sys/module/npf/refcnt");
		if (ref == self->refcnt0)
			break;
		sleep_ms(50);
	}
	EXPECT_EQ(self->refcnt0, ref) TH_LOG("module references: %lld, before %lld",
					     ref, self->refcnt0);
	ASSERT_EQ(0, genl_npf_info(&info)) TH_LOG("%s", npf_err);
	EXPECT_EQ(0U, info.opens) TH_LOG("opens left behind");
	EXPECT_EQ(0U, link_flags_sysfs(IF_A) & (IFF_PROMISC | IFF_ALLMULTI))
		TH_LOG("%s flags %#x", IF_A, link_flags_sysfs(IF_A));
	EXPECT_EQ(0U, link_flags_sysfs(IF_B) & (IFF_PROMISC | IFF_ALLMULTI))
		TH_LOG("%s flags %#x", IF_B, link_flags_sysfs(IF_B));
	EXPECT_EQ(self->mc0, mc_count(IF_A)) TH_LOG("multicast addresses left behind");
	for (int i = 0; i < self->nodd; i++) {
		struct odd_adapter *a = &self->odd[i];
		uint8_t mc[512];
		int cnt, n;

		EXPECT_EQ(0U, link_flags_sysfs(a->name) &
			      (IFF_PROMISC | IFF_ALLMULTI))
			TH_LOG("%s flags %#x", a->name, link_flags_sysfs(a->name));
		n = odd_dev_mcast(a->ifindex, mc, sizeof(mc), &cnt);
		EXPECT_EQ(self->odd_mc0[i], n) TH_LOG("%s: multicast list of %d bytes, was %d",
						      a->name, n, self->odd_mc0[i]);
		EXPECT_TRUE(n != self->odd_mc0[i] ||
			    !memcmp(mc, self->odd_mc[i], n))
			TH_LOG("%s: multicast addresses left behind", a->name);
	}

	/* a normal capture: every frame, byte for byte, counted exactly */
	ASSERT_EQ(0, file_write_str(PARAM, self->param));
	fd = npf_open(0);
	ASSERT_LE(0, fd) TH_LOG("%s", npf_err);
	ASSERT_EQ(0, npf_bind(fd, IF_A));
	ASSERT_EQ(0, npf_set_timeout(fd, -1));
	for (int i = 0; i < 50; i++) {
		mk_mixed(&f[i], self->env.mac_a, self->env.mac_b, i, 60 + 29 * i,
			 1000 + i);
		ASSERT_EQ(0, tx_send(self->env.tx_b, &f[i])) TH_LOG("%s", npf_err);
	}
	reclist_init(&l);
	ASSERT_EQ(50, collect(fd, &l, 50, 10000, BIG)) TH_LOG("%s", npf_err);
	for (int i = 0; i < 50; i++) {
		EXPECT_TRUE(rec_matches(&l.r[i], &f[i])) TH_LOG("frame %d", i);
	}
	ASSERT_EQ(0, npf_stats(fd, &st));
	EXPECT_EQ(50ULL, st.bs_recv);
	EXPECT_EQ(50ULL, st.bs_capt);
	EXPECT_EQ(0ULL, st.bs_drop + st.bs_filtered + st.bs_nomem);
	/* and a transmit */
	peer = npf_open(0);
	ASSERT_LE(0, peer);
	ASSERT_EQ(0, npf_bind(peer, IF_B));
	ASSERT_EQ(0, npf_set_timeout(peer, -1));
	mk_udp4(&f[0], self->env.mac_b, self->env.mac_a, "10.0.0.1", "10.0.0.2",
		5, 6, 333, 77);
	ASSERT_EQ((ssize_t)f[0].len, write(fd, f[0].b, f[0].len));
	reclist_clear(&l);
	ASSERT_EQ(1, collect(peer, &l, 1, 5000, BIG)) TH_LOG("%s", npf_err);
	EXPECT_TRUE(rec_matches(&l.r[0], &f[0]));
	reclist_free(&l);
	close(peer);
	close(fd);
}

static void fuzzer_init(struct fuzzer *z, FIXTURE_DATA(fz) *self,
			uint64_t seed, uint8_t *arena)
{
	memset(z, 0, sizeof(*z));
	z->r.s = seed;
	z->arena = arena;
	z->fds = self->fds;
	z->nfd = NFD;
	z->dir = self->dir;
	z->env = &self->env;
	z->odd = self->odd;
	z->nodd = self->nodd;
	memset(arena, 0, ARENA);
}

static void report(struct __test_metadata *_metadata, struct fuzzer *z,
		   const char *who)
{
	TH_LOG("%s: %ld calls: %ld succeeded, %ld EFAULT, %ld EINVAL, %ld ENOTTY, %ld other errors",
	       who, z->calls, z->ok, z->efault, z->einval, z->enotty,
	       z->calls - z->ok - z->efault - z->einval - z->enotty);
}

static void install_usr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = usr1;	/* no SA_RESTART: a kicked call returns */
	sigaction(SIGUSR1, &sa, NULL);
}

/* Single-threaded: the same seed gives the same calls. */
TEST_F_TIMEOUT(fz, fuzz_single_thread, 150)
{
	struct fuzzer z;
	struct fuzzer *zs[1] = { &z };
	struct kicker k = { .z = zs, .n = 1 };

	TH_LOG("seed %llu (NPF_FUZZ_SEED=%llu reproduces this run)",
	       (unsigned long long)self->seed, (unsigned long long)self->seed);
	fuzzer_init(&z, self, self->seed, self->arena[0]);
	ASSERT_EQ(0, badmem_init(&z.bm, "\x06\0\0\0\x20\0\0\0", 8));
	z.max_calls = env_long("NPF_FUZZ_CALLS", 5000);
	z.deadline = now_ms() + 1000 * env_long("NPF_FUZZ_SECONDS", 18);
	z.th = pthread_self();
	install_usr1();
	ASSERT_EQ(0, pthread_create(&k.th, NULL, kicker_fn, &k));
	fuzz_fn(&z);
	__atomic_store_n(&k.stop, 1, __ATOMIC_RELAXED);
	pthread_join(k.th, NULL);
	report(_metadata, &z, "fuzzer");
	TH_LOG("%ld calls interrupted after sleeping 60 ms", k.kicks);
	EXPECT_LT(1000, z.calls) TH_LOG("too few calls in the time budget");
	check_after(_metadata, self);
	badmem_free(&z.bm);
}

/* Two fuzzing threads on the same opens, frames flowing in. */
TEST_F_TIMEOUT(fz, fuzz_two_threads_with_traffic, 120)
{
	struct fuzzer z[2];
	struct fuzzer *zs[2] = { &z[0], &z[1] };
	struct kicker k = { .z = zs, .n = 2 };
	struct traffic t = { .env = &self->env };
	int64_t deadline = now_ms() + 1000 * env_long("NPF_FUZZ_SECONDS", 8);
	bool stuck = false;

	TH_LOG("seed %llu", (unsigned long long)self->seed);
	install_usr1();
	for (int i = 0; i < 2; i++) {
		fuzzer_init(&z[i], self, self->seed * 7919 + i, self->arena[i]);
		ASSERT_EQ(0, badmem_init(&z[i].bm, NULL, 0));
		z[i].max_calls = 1L << 40;
		z[i].deadline = deadline;
	}
	t.tx = self->env.tx_b;
	t.odd = self->odd;
	t.nodd = self->nodd;
	ASSERT_EQ(0, pthread_create(&t.th, NULL, traffic_fn, &t));
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_create(&z[i].th, NULL, fuzz_fn, &z[i]));
	}
	ASSERT_EQ(0, pthread_create(&k.th, NULL, kicker_fn, &k));
	for (int i = 0; i < 2; i++) {
		if (!join_within(z[i].th, (int)(deadline - now_ms()) + 20000)) {
			TH_LOG("fuzz thread %d stuck in %s", i, z[i].what);
			stuck = true;
		}
	}
	__atomic_store_n(&k.stop, 1, __ATOMIC_RELAXED);
	pthread_join(k.th, NULL);
	__atomic_store_n(&t.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t.th, NULL);
	ASSERT_FALSE(stuck);
	report(_metadata, &z[0], "thread 0");
	report(_metadata, &z[1], "thread 1");
	TH_LOG("%ld frames of traffic, %ld calls interrupted", t.sent, k.kicks);
	EXPECT_LT(200, z[0].calls + z[1].calls);
	check_after(_metadata, self);
	for (int i = 0; i < 2; i++)
		badmem_free(&z[i].bm);
}

TEST_HARNESS_MAIN
