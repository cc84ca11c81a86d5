// SPDX-License-Identifier: GPL-2.0
/*
 * npf_ioctl: the file operations of /dev/npf (kmod/dev.c) called as the
 * VFS would (open, ioctl, read, write, poll, release), without the misc
 * device: argument validation, unbound errors, and what needs an adapter
 * on the initial namespace's loopback device.
 */

#include "../dev.c"

#include <linux/file.h>
#include <linux/mm.h>
#include <net/net_namespace.h>

#include "npf_test.h"

/* --- npf_ioctl ------------------------------------------------------------------ */

static void release_res(struct kunit_resource *res)
{
	npf_release(NULL, res->data);
}

/* Open /dev/npf as the VFS would: a struct file of our own. */
static struct file *npf_file(struct kunit *test, unsigned int flags)
{
	struct file *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->f_flags = flags;
	f->f_mode = FMODE_READ | FMODE_WRITE | FMODE_LSEEK | FMODE_PREAD |
		    FMODE_PWRITE;
	KUNIT_ASSERT_EQ(test, npf_open(NULL, f), 0);
	KUNIT_ASSERT_NOT_NULL(test, f->private_data);
	npf_test_on_exit(test, release_res, f);
	return f;
}

static struct npf_open *O(struct file *f)
{
	return f->private_data;
}

static long ioc(struct file *f, unsigned int cmd, void __user *arg)
{
	return npf_ioctl(f, cmd, (unsigned long)arg);
}

static long ioc_u32(struct kunit *test, struct file *f, void __user *u,
		    unsigned int cmd, u32 val)
{
	NPF_TEST_PUT(test, u, &val, sizeof(val));
	return ioc(f, cmd, u);
}

static long setif(struct kunit *test, struct file *f, void __user *u,
		  const char *name)
{
	struct npf_ifname req = {};

	memcpy(req.name, name, min(strlen(name), sizeof(req.name)));
	NPF_TEST_PUT(test, u, &req, sizeof(req));
	return ioc(f, BIOCSETIF, u);
}

/* An open bound to lo. */
static struct file *bound_file(struct kunit *test, void __user *u,
			       unsigned int flags)
{
	struct net_device *lo = init_net.loopback_dev;
	struct file *f = npf_file(test, flags);

	if (!lo || !(lo->flags & IFF_UP))
		kunit_skip(test, "lo is not up");
	KUNIT_ASSERT_EQ(test, setif(test, f, u, "lo"), 0L);
	return f;
}

static void ioctl_open_defaults(struct kunit *test)
{
	struct file *f = npf_file(test, O_RDWR);
	struct npf_open *o = O(f);

	KUNIT_EXPECT_FALSE(test, o->bound);
	KUNIT_EXPECT_NULL(test, o->dev);
	KUNIT_EXPECT_EQ(test, o->ring.size, (u32)NPF_DEFAULT_BUFFER_SIZE);
	KUNIT_EXPECT_EQ(test, o->timeout_ms, NPF_DEFAULT_TIMEOUT_MS);
	KUNIT_EXPECT_EQ(test, o->min_to_copy, (u32)NPF_DEFAULT_MIN_TO_COPY);
	KUNIT_EXPECT_EQ(test, o->snaplen, (u32)NPF_MAX_SNAPLEN);
	KUNIT_EXPECT_EQ(test, o->mode, (u32)NPF_MODE_CAPT);
	KUNIT_EXPECT_EQ(test, o->write_rep, 1U);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(o->filter));
	KUNIT_EXPECT_NOT_NULL(test, o->sk);
	KUNIT_EXPECT_PTR_EQ(test, o->net, &init_net);
	/* nonseekable_open() */
	KUNIT_EXPECT_EQ(test, f->f_mode & (FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE),
			(fmode_t)0);
}

static void ioctl_version_and_unknown(struct kunit *test)
{
	struct file *f = npf_file(test, O_RDWR);
	void __user *u = npf_test_ualloc(test, 4096);
	struct npf_version v;

	KUNIT_EXPECT_EQ(test, ioc(f, BIOCVERSION, u), 0L);
	NPF_TEST_GET(test, &v, u, sizeof(v));
	KUNIT_EXPECT_EQ(test, v.major, NPF_VERSION_MAJOR);
	KUNIT_EXPECT_EQ(test, v.minor, NPF_VERSION_MINOR);
	KUNIT_EXPECT_EQ(test, v.pad, 0U);
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCVERSION, NPF_TEST_BADPTR), -EFAULT);

	KUNIT_EXPECT_EQ(test, ioc(f, _IO(NPF_IOC_MAGIC, 0x7f), u), -ENOTTY);
	KUNIT_EXPECT_EQ(test, ioc(f, 0, u), -ENOTTY);
	/* the right number with the wrong size is another command */
	KUNIT_EXPECT_EQ(test, ioc(f, _IOW(NPF_IOC_MAGIC, 0x01, __u32), u),
			-ENOTTY);
	KUNIT_EXPECT_EQ(test, ioc(f, _IOR(NPF_IOC_MAGIC, 0x07, __s32), u),
			-ENOTTY);
}

static void ioctl_scalars(struct kunit *test)
{
	struct file *f = npf_file(test, O_RDWR);
	void __user *u = npf_test_ualloc(test, 4096);
	struct npf_open *o = O(f);
	static const unsigned int cmds[] = {
		BIOCSETBUFFERSIZE, BIOCSRTIMEOUT, BIOCSMINTOCOPY, BIOCSMODE,
		BIOCSTIMESTAMPMODE, BIOCSWRITEREP, BIOCISETLOBBEH, BIOCSRECFMT,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		KUNIT_EXPECT_EQ_MSG(test, ioc(f, cmds[i], NPF_TEST_BADPTR),
				    -EFAULT, "cmd %#x", cmds[i]);

	/* read timeout */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSRTIMEOUT, (u32)-2), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSRTIMEOUT, 0x80000000U),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, o->timeout_ms, NPF_DEFAULT_TIMEOUT_MS);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSRTIMEOUT, (u32)-1), 0L);
	KUNIT_EXPECT_EQ(test, o->timeout_ms, -1);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSRTIMEOUT, 0), 0L);
	KUNIT_EXPECT_EQ(test, o->timeout_ms, 0);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSRTIMEOUT, 5000), 0L);
	KUNIT_EXPECT_EQ(test, o->timeout_ms, 5000);

	/* ring size: bounds, rounded down to the alignment */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSETBUFFERSIZE, 4095), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSETBUFFERSIZE,
				      npf_max_buffer_size + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSETBUFFERSIZE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, o->ring.size, (u32)NPF_DEFAULT_BUFFER_SIZE);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSETBUFFERSIZE, 4100), 0L);
	KUNIT_EXPECT_EQ(test, o->ring.size, 4096U);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSETBUFFERSIZE, 1000001), 0L);
	KUNIT_EXPECT_EQ(test, o->ring.size, 1000000U);

	/* MinToCopy: at most the ring */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMINTOCOPY, 1000001), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMINTOCOPY, 1000000), 0L);
	KUNIT_EXPECT_EQ(test, o->min_to_copy, 1000000U);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMINTOCOPY, 0), 0L);
	KUNIT_EXPECT_EQ(test, o->min_to_copy, 0U);

	/* modes */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMODE, NPF_MODE_MON), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMODE, 0x20), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMODE, NPF_MODE_PAUSED),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, o->mode, (u32)NPF_MODE_CAPT);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMODE, NPF_MODE_STAT), 0L);
	KUNIT_EXPECT_EQ(test, o->mode, (u32)NPF_MODE_STAT);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMODE,
				      NPF_MODE_STAT | NPF_MODE_DUMP), 0L);
	KUNIT_EXPECT_EQ(test, o->mode, (u32)(NPF_MODE_STAT | NPF_MODE_DUMP));
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMODE, NPF_MODE_CAPT), 0L);
	KUNIT_EXPECT_EQ(test, o->mode, (u32)NPF_MODE_CAPT);

	/* timestamp unit */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSTIMESTAMPMODE, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSTIMESTAMPMODE,
				      NPF_TSTAMP_NANO), 0L);
	KUNIT_EXPECT_TRUE(test, o->tstamp_nano);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSTIMESTAMPMODE,
				      NPF_TSTAMP_MICRO), 0L);
	KUNIT_EXPECT_FALSE(test, o->tstamp_nano);

	/* record layout: the ring's, outside MODE_DUMP */
	KUNIT_EXPECT_EQ(test, o->recfmt, (u32)NPF_RECFMT_BPF);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSRECFMT, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSRECFMT, (u32)-1), -EINVAL);
	KUNIT_EXPECT_FALSE(test, o->ring.pcap);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSRECFMT,
				      NPF_RECFMT_PCAP), 0L);
	KUNIT_EXPECT_EQ(test, o->recfmt, (u32)NPF_RECFMT_PCAP);
	KUNIT_EXPECT_TRUE(test, o->ring.pcap);
	/* the dump worker reads bpf records */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMODE, NPF_MODE_DUMP), 0L);
	KUNIT_EXPECT_FALSE(test, o->ring.pcap);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMODE, NPF_MODE_CAPT), 0L);
	KUNIT_EXPECT_TRUE(test, o->ring.pcap);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSRECFMT,
				      NPF_RECFMT_BPF), 0L);
	KUNIT_EXPECT_FALSE(test, o->ring.pcap);

	/* loopback capture */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCISETLOBBEH, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCISETLOBBEH, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCISETLOBBEH,
				      NPF_DISABLE_LOOPBACK), 0L);
	KUNIT_EXPECT_PTR_EQ(test, o->ptype.af_packet_priv, (void *)o->sk);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCISETLOBBEH,
				      NPF_ENABLE_LOOPBACK), 0L);
	KUNIT_EXPECT_NULL(test, o->ptype.af_packet_priv);

	/* write repeats: any value */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSWRITEREP, 0), 0L);
	KUNIT_EXPECT_EQ(test, o->write_rep, 0U);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSWRITEREP, 1000000), 0L);
	KUNIT_EXPECT_EQ(test, o->write_rep, 1000000U);
}

/* Everything that needs an adapter, on an open without one. */
static void ioctl_unbound(struct kunit *test)
{
	struct file *f = npf_file(test, O_RDWR | O_NONBLOCK);
	void __user *u = npf_test_ualloc(test, 4096);
	struct npf_oid_data oid = { .oid = OID_GEN_MAXIMUM_FRAME_SIZE,
				    .length = 4 };
	u32 filter = NDIS_PACKET_TYPE_DIRECTED;
	struct npf_dump_name dn = { .path = (u64)(unsigned long)u + 512 };
	struct npf_dump_fd dfd = { .fd = -1 };
	struct npf_sendq sq = { .buf = (u64)(unsigned long)u + 1024, .len = 0 };
	struct npf_stats st;

	KUNIT_EXPECT_EQ(test, ioc(f, BIOCGDLT, u), -ENXIO);
	NPF_TEST_PUT(test, u, &oid, sizeof(oid));
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCQUERYOID, u), -ENXIO);
	oid.oid = OID_GEN_CURRENT_PACKET_FILTER;
	NPF_TEST_PUT(test, u, &oid, sizeof(oid));
	NPF_TEST_PUT(test, u + sizeof(oid), &filter, sizeof(filter));
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCSETOID, u), -ENXIO);
	NPF_TEST_PUT(test, u, &dn, sizeof(dn));
	NPF_TEST_PUT(test, u + 512, "/tmp/npf-kunit-unbound.pcap", 28);
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCSETDUMPFILENAME, u), -ENXIO);
	NPF_TEST_PUT(test, u, &dfd, sizeof(dfd));
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCSETDUMPFD, u), -ENXIO);
	NPF_TEST_PUT(test, u, &sq, sizeof(sq));
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCSENDPACKETSNOSYNC, u), -ENXIO);
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCSENDPACKETSSYNC, u), -ENXIO);
	KUNIT_EXPECT_EQ(test, npf_read(f, u, 4096, NULL), (ssize_t)-ENXIO);
	KUNIT_EXPECT_EQ(test, npf_write(f, u, 60, NULL), (ssize_t)-ENXIO);
	KUNIT_EXPECT_EQ(test, npf_poll(f, NULL), (__poll_t)EPOLLERR);
	/* counters need no adapter: all zero */
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCGSTATSEX, u), 0L);
	NPF_TEST_GET(test, &st, u, sizeof(st));
	KUNIT_EXPECT_EQ(test, st.bs_recv + st.bs_drop + st.ps_ifdrop + st.bs_capt +
			st.bs_filtered + st.bs_nomem + st.bs_sent, 0ULL);
}

static void ioctl_setif(struct kunit *test)
{
	struct file *f = npf_file(test, O_RDWR);
	void __user *u = npf_test_ualloc(test, 4096);
	struct net_device *lo = init_net.loopback_dev;
	struct npf_open *o = O(f);
	struct npf_stats st;
	u32 dlt = 0;

	KUNIT_EXPECT_EQ(test, setif(test, f, u, ""), -EINVAL);
	KUNIT_EXPECT_EQ(test, setif(test, f, u, "0123456789abcdef"), -EINVAL);
	KUNIT_EXPECT_EQ(test, setif(test, f, u, "npf-nosuchdev"), -ENODEV);
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCSETIF, NPF_TEST_BADPTR), -EFAULT);
	KUNIT_EXPECT_FALSE(test, o->bound);

	if (!lo || !(lo->flags & IFF_UP))
		kunit_skip(test, "lo is not up");
	npf_test_count(o, NPF_STAT_RECV, 3);
	KUNIT_ASSERT_EQ(test, setif(test, f, u, "lo"), 0L);
	KUNIT_EXPECT_TRUE(test, o->bound);
	KUNIT_EXPECT_PTR_EQ(test, o->dev, lo);
	KUNIT_EXPECT_PTR_EQ(test, o->ptype.dev, lo);
	KUNIT_EXPECT_EQ(test, o->packet_filter, (u32)(NDIS_PACKET_TYPE_DIRECTED |
			NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_BROADCAST));
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCGDLT, u), 0L);
	NPF_TEST_GET(test, &dlt, u, sizeof(dlt));
	KUNIT_EXPECT_EQ(test, dlt, (u32)NPF_LINKTYPE_ETHERNET);
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCGDLT, NPF_TEST_BADPTR), -EFAULT);
	/* BIOCSETIF zeroes the counters */
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCGSTATSEX, u), 0L);
	NPF_TEST_GET(test, &st, u, sizeof(st));
	KUNIT_EXPECT_EQ(test, st.bs_recv, 0ULL);

	/* a failed rebind keeps the binding */
	KUNIT_EXPECT_EQ(test, setif(test, f, u, "npf-nosuchdev"), -ENODEV);
	KUNIT_EXPECT_PTR_EQ(test, o->dev, lo);
	/* rebinding to the same adapter works */
	KUNIT_EXPECT_EQ(test, setif(test, f, u, "lo"), 0L);
	KUNIT_EXPECT_PTR_EQ(test, o->dev, lo);
}

static long query(struct kunit *test, struct file *f, void __user *u, u32 id,
		  u32 len, void *out, u32 *outlen)
{
	struct npf_oid_data h = { .oid = id, .length = len };
	long ret;

	NPF_TEST_PUT(test, u, &h, sizeof(h));
	ret = ioc(f, BIOCQUERYOID, u);
	NPF_TEST_GET(test, &h, u, sizeof(h));
	*outlen = h.length;
	if (!ret && out)
		NPF_TEST_GET(test, out, u + sizeof(h), h.length);
	return ret;
}

static long set_filter_oid(struct kunit *test, struct file *f, void __user *u,
			   u32 value, u32 len)
{
	struct npf_oid_data h = { .oid = OID_GEN_CURRENT_PACKET_FILTER,
				  .length = len };

	NPF_TEST_PUT(test, u, &h, sizeof(h));
	NPF_TEST_PUT(test, u + sizeof(h), &value, sizeof(value));
	return ioc(f, BIOCSETOID, u);
}

static void ioctl_oids(struct kunit *test)
{
	/* 2 pages, then a hole */
	void __user *u = npf_test_ualloc(test, 3 * PAGE_SIZE);
	struct file *f = bound_file(test, u, O_RDWR), *g;
	struct net_device *lo = init_net.loopback_dev;
	struct npf_oid_data h = { .oid = OID_GEN_LINK_SPEED };
	void __user *hole = u + 2 * PAGE_SIZE;
	u8 out[64];
	u64 v64;
	const u32 pm = NDIS_PACKET_TYPE_PROMISCUOUS |
		       NDIS_PACKET_TYPE_ALL_MULTICAST;
	u32 v, len;
	int promisc, allmulti;

	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_MAXIMUM_FRAME_SIZE, 8,
				    &v, &len), 0L);
	KUNIT_EXPECT_EQ(test, len, 4U);
	KUNIT_EXPECT_EQ(test, v, lo->mtu);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_MAXIMUM_TOTAL_SIZE, 4,
				    &v, &len), 0L);
	KUNIT_EXPECT_EQ(test, v, lo->mtu + ETH_HLEN);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_CURRENT_PACKET_FILTER, 4,
				    &v, &len), 0L);
	KUNIT_EXPECT_EQ(test, v, 0x0bU);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_MEDIA_IN_USE, 4,
				    &v, &len), 0L);
	KUNIT_EXPECT_EQ(test, v, 0U);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_MEDIA_CONNECT_STATUS, 4,
				    &v, &len), 0L);
	KUNIT_EXPECT_EQ(test, v, netif_carrier_ok(lo) ? 0U : 1U);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_LINK_SPEED, 4,
				    &v, &len), 0L);
	KUNIT_EXPECT_EQ(test, v, 0U);	/* lo has no link settings */
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_802_3_CURRENT_ADDRESS, 64,
				    out, &len), 0L);
	KUNIT_EXPECT_EQ(test, len, 6U);
	KUNIT_EXPECT_EQ(test, memcmp(out, lo->dev_addr, 6), 0);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_802_3_PERMANENT_ADDRESS, 6,
				    out, &len), 0L);
	KUNIT_EXPECT_EQ(test, len, 6U);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_802_3_MULTICAST_LIST, 64,
				    out, &len), 0L);
	KUNIT_EXPECT_EQ(test, len % 6, 0U);
	/* counters: 64 bits when the buffer allows, else 32 */
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_XMIT_OK, 8, &v64, &len), 0L);
	KUNIT_EXPECT_EQ(test, len, 8U);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_RCV_OK, 7, &v, &len), 0L);
	KUNIT_EXPECT_EQ(test, len, 4U);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_RCV_ERROR, 3, NULL, &len),
			-EINVAL);

	/* too short, unknown, too long, bad pointer */
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_MAXIMUM_FRAME_SIZE, 3,
				    NULL, &len), -EINVAL);
	KUNIT_EXPECT_EQ(test, len, 3U);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_802_3_CURRENT_ADDRESS, 5,
				    NULL, &len), -EINVAL);
	KUNIT_EXPECT_EQ(test, query(test, f, u, 0x12345678, 64, NULL, &len),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_LINK_SPEED,
				    NPF_OID_MAXLEN, NULL, &len), 0L);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_LINK_SPEED,
				    NPF_OID_MAXLEN + 1, NULL, &len), -EINVAL);
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCQUERYOID, NPF_TEST_BADPTR), -EFAULT);
	/* the data must be readable for its whole length */
	KUNIT_ASSERT_EQ(test, vm_munmap((unsigned long)hole, PAGE_SIZE), 0);
	h.length = 64;
	NPF_TEST_PUT(test, hole - 8, &h, sizeof(h));
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCQUERYOID, hole - 8), -EFAULT);

	/* set: the packet filter only, 4 bytes, known bits */
	KUNIT_EXPECT_EQ(test, set_filter_oid(test, f, u, 1, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_filter_oid(test, f, u, 1, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_filter_oid(test, f, u, 0x100, 4), -EINVAL);
	h.oid = OID_GEN_LINK_SPEED;
	h.length = 4;
	NPF_TEST_PUT(test, u, &h, sizeof(h));
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCSETOID, u), -EOPNOTSUPP);

	/* PROMISCUOUS and ALL_MULTICAST hold a reference while set */
	promisc = lo->promiscuity;
	allmulti = lo->allmulti;
	KUNIT_EXPECT_EQ(test, set_filter_oid(test, f, u, pm | NDIS_PACKET_TYPE_DIRECTED,
					     4), 0L);
	KUNIT_EXPECT_EQ(test, (int)lo->promiscuity, promisc + 1);
	KUNIT_EXPECT_EQ(test, (int)lo->allmulti, allmulti + 1);
	KUNIT_EXPECT_TRUE(test, O(f)->promisc);
	/* setting it again takes no second reference */
	KUNIT_EXPECT_EQ(test, set_filter_oid(test, f, u, pm, 4), 0L);
	KUNIT_EXPECT_EQ(test, (int)lo->promiscuity, promisc + 1);
	KUNIT_EXPECT_EQ(test, query(test, f, u, OID_GEN_CURRENT_PACKET_FILTER, 4,
				    &v, &len), 0L);
	KUNIT_EXPECT_EQ(test, v, pm);
	KUNIT_EXPECT_EQ(test, set_filter_oid(test, f, u,
					     NDIS_PACKET_TYPE_DIRECTED, 4), 0L);
	KUNIT_EXPECT_EQ(test, (int)lo->promiscuity, promisc);
	KUNIT_EXPECT_EQ(test, (int)lo->allmulti, allmulti);
	KUNIT_EXPECT_FALSE(test, O(f)->promisc);
	KUNIT_EXPECT_FALSE(test, O(f)->allmulti);

	/* release gives back what an open holds */
	g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	KUNIT_ASSERT_EQ(test, npf_open(NULL, g), 0);
	KUNIT_EXPECT_EQ(test, setif(test, g, u, "lo"), 0L);
	KUNIT_EXPECT_EQ(test, set_filter_oid(test, g, u, pm, 4), 0L);
	KUNIT_EXPECT_EQ(test, (int)lo->promiscuity, promisc + 1);
	npf_release(NULL, g);
	KUNIT_EXPECT_EQ(test, (int)lo->promiscuity, promisc);
	KUNIT_EXPECT_EQ(test, (int)lo->allmulti, allmulti);
}

/* A poll_table that "waits" (poll_does_not_wait() is false), queueing nothing. */
static void noop_qproc(struct file *f, wait_queue_head_t *wq, poll_table *p)
{
}

/* Put a 64-byte record (32 bytes of @fill) in the open's ring. */
static void put64(struct kunit *test, struct npf_open *o, u8 fill)
{
	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 32, 0, fill));
}

/* read(): the delayed-write rule, whole records, EMSGSIZE, ENODEV. */
static void ioctl_read_paths(struct kunit *test)
{
	void __user *u = npf_test_ualloc(test, 8192);
	struct file *nb = bound_file(test, u, O_RDWR | O_NONBLOCK);
	struct npf_open *o = O(nb);
	struct bpf_hdr h;
	ktime_t t0;
	poll_table pt;

	init_poll_funcptr(&pt, noop_qproc);
	/* below MinToCopy (16000), a long read timeout: not ready */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, nb, u, BIOCSRTIMEOUT, 600000), 0L);
	put64(test, o, 1);
	KUNIT_EXPECT_EQ(test, npf_read(nb, u, 8192, NULL), (ssize_t)-EAGAIN);
	/* a poll that does not wait starts no read timeout... */
	KUNIT_EXPECT_EQ(test, npf_poll(nb, NULL),
			(__poll_t)(EPOLLOUT | EPOLLWRNORM));
	KUNIT_EXPECT_FALSE(test, timer_pending(&o->poll_timer));
	/* ...a poll that waits does */
	KUNIT_EXPECT_EQ(test, npf_poll(nb, &pt),
			(__poll_t)(EPOLLOUT | EPOLLWRNORM));
	KUNIT_EXPECT_TRUE(test, timer_pending(&o->poll_timer));

	KUNIT_EXPECT_EQ(test, ioc_u32(test, nb, u, BIOCSMINTOCOPY, 64), 0L);
	KUNIT_EXPECT_EQ(test, npf_poll(nb, &pt),
			(__poll_t)(EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM));
	KUNIT_EXPECT_EQ(test, npf_read(nb, u, 63, NULL), (ssize_t)-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, npf_read(nb, NPF_TEST_BADPTR, 64, NULL),
			(ssize_t)-EFAULT);
	/* the tap woke the reader; the read re-arms that */
	set_bit(0, &o->woken);
	KUNIT_EXPECT_EQ(test, npf_read(nb, u, 64, NULL), 64L);
	/* every read stops the clock (nobody waits) and re-arms the wakeup */
	KUNIT_EXPECT_FALSE(test, timer_pending(&o->poll_timer));
	KUNIT_EXPECT_EQ(test, o->woken, 0UL);
	NPF_TEST_GET(test, &h, u, sizeof(h));
	KUNIT_EXPECT_EQ(test, h.bh_caplen, 32U);
	KUNIT_EXPECT_EQ(test, h.bh_hdrlen, (u16)sizeof(h));
	KUNIT_EXPECT_EQ(test, o->ring.used, 0U);

	/* timeout -1: a read returns at once, even empty */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, nb, u, BIOCSRTIMEOUT, (u32)-1), 0L);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, nb, u, BIOCSMINTOCOPY, 1000), 0L);
	put64(test, o, 2);
	put64(test, o, 3);
	KUNIT_EXPECT_EQ(test, npf_read(nb, u, 100, NULL), 64L);
	KUNIT_EXPECT_EQ(test, npf_read(nb, u, 8192, NULL), 64L);
	KUNIT_EXPECT_EQ(test, npf_read(nb, u, 8192, NULL), (ssize_t)-EAGAIN);

	/* blocking, timeout 100 ms, nothing comes: 0 after the timeout */
	nb->f_flags &= ~O_NONBLOCK;
	KUNIT_EXPECT_EQ(test, ioc_u32(test, nb, u, BIOCSRTIMEOUT, 100), 0L);
	t0 = ktime_get();
	KUNIT_EXPECT_EQ(test, npf_read(nb, u, 8192, NULL), 0L);
	/* a jiffies timeout: up to a tick early against ktime */
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), t0), 90LL);
	/* blocking, timeout -1, empty: 0 at once */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, nb, u, BIOCSRTIMEOUT, (u32)-1), 0L);
	KUNIT_EXPECT_EQ(test, npf_read(nb, u, 8192, NULL), 0L);

	/* the adapter went away: drain, then ENODEV; poll says so */
	put64(test, o, 4);
	WRITE_ONCE(o->gone, true);
	KUNIT_EXPECT_EQ(test, npf_poll(nb, NULL),
			(__poll_t)(EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM |
				   EPOLLERR | EPOLLHUP));
	KUNIT_EXPECT_EQ(test, npf_read(nb, u, 8192, NULL), 64L);
	KUNIT_EXPECT_EQ(test, npf_read(nb, u, 8192, NULL), (ssize_t)-ENODEV);
	WRITE_ONCE(o->gone, false);
}

/* BIOCMMAPNEXT through the ioctl: the protocol and its errors. */
static void ioctl_mmap_next(struct kunit *test)
{
	void __user *u = npf_test_ualloc(test, 8192);
	struct file *nb = bound_file(test, u, O_RDWR | O_NONBLOCK);
	struct file *ub = npf_file(test, O_RDWR);
	struct npf_open *o = O(nb);
	struct npf_mmap_batch b = { 0 };

	NPF_TEST_PUT(test, u, &b, sizeof(b));
	KUNIT_EXPECT_EQ(test, ioc(ub, BIOCMMAPNEXT, u), -ENXIO);
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, NPF_TEST_BADPTR), -EFAULT);
	b.pad = 1;
	NPF_TEST_PUT(test, u, &b, sizeof(b));
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, u), -EINVAL);
	b.pad = 0;

	/* not ready (MinToCopy 16000): EAGAIN */
	put64(test, o, 1);
	NPF_TEST_PUT(test, u, &b, sizeof(b));
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, u), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, nb, u + 64, BIOCSMINTOCOPY, 1), 0L);
	put64(test, o, 2);
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, u), 0L);
	NPF_TEST_GET(test, &b, u, sizeof(b));
	KUNIT_EXPECT_EQ(test, b.offset, 0U);
	KUNIT_EXPECT_EQ(test, b.len, 128U);
	KUNIT_EXPECT_EQ(test, b.release, 0U);
	/* new records are ready for read(), which may not take the lent ones */
	KUNIT_EXPECT_EQ(test, npf_read(nb, u + 1024, 4096, NULL),
			(ssize_t)-EAGAIN);
	put64(test, o, 3);
	KUNIT_EXPECT_EQ(test, npf_read(nb, u + 1024, 4096, NULL),
			(ssize_t)-EBUSY);
	/* a wrong release: EINVAL, nothing given back, nor said to be */
	b.release = 64;
	NPF_TEST_PUT(test, u, &b, sizeof(b));
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, u), -EINVAL);
	KUNIT_EXPECT_EQ(test, o->ring.used, 192U);
	NPF_TEST_GET(test, &b, u, sizeof(b));
	KUNIT_EXPECT_EQ(test, b.release, 64U);
	/* the right one: consumed, then the next */
	b.release = 128;
	NPF_TEST_PUT(test, u, &b, sizeof(b));
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, u), 0L);
	NPF_TEST_GET(test, &b, u, sizeof(b));
	KUNIT_EXPECT_EQ(test, b.offset, 128U);
	KUNIT_EXPECT_EQ(test, b.len, 64U);
	KUNIT_EXPECT_EQ(test, o->ring.used, 64U);
	/*
	 * Given back, then nothing to lend: EAGAIN, and release is 0 in the
	 * caller's struct. Guards issue 12's "BIOCMMAPNEXT zeroes release
	 * once given back": a call that fails after the give-back (EAGAIN,
	 * a signal) and is made again must not give back the same length
	 * twice, which would take records the caller never saw.
	 */
	b.release = 64;
	NPF_TEST_PUT(test, u, &b, sizeof(b));
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, u), -EAGAIN);
	KUNIT_EXPECT_EQ(test, o->ring.used, 0U);
	NPF_TEST_GET(test, &b, u, sizeof(b));
	KUNIT_EXPECT_EQ(test, b.release, 0U);
	/* the call made again gives nothing back and lends the new record */
	put64(test, o, 4);
	put64(test, o, 5);
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, u), 0L);
	NPF_TEST_GET(test, &b, u, sizeof(b));
	KUNIT_EXPECT_EQ(test, b.offset, 0U);
	KUNIT_EXPECT_EQ(test, b.len, 128U);
	KUNIT_EXPECT_EQ(test, b.release, 0U);
	KUNIT_EXPECT_EQ(test, o->ring.used, 128U);
	b.release = 128;
	NPF_TEST_PUT(test, u, &b, sizeof(b));
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, u), -EAGAIN);
	KUNIT_EXPECT_EQ(test, o->ring.used, 0U);

	/* mapped: the ring cannot be replaced */
	npf_ring_map_get(&o->ring);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, nb, u + 64, BIOCSETBUFFERSIZE, 8192),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, o->ring.size, (u32)NPF_DEFAULT_BUFFER_SIZE);
	npf_ring_map_put(&o->ring);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, nb, u + 64, BIOCSETBUFFERSIZE, 8192),
			0L);

	/* statistics mode has no ring to lend */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, nb, u + 64, BIOCSMODE, NPF_MODE_STAT),
			0L);
	b.release = 0;
	NPF_TEST_PUT(test, u, &b, sizeof(b));
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, u), -EINVAL);
}

/*
 * The wake rules with a batch held: lent records are not "ready" (else the
 * tap would use up its one wakeup while the reader still holds them), and
 * giving a batch back re-arms the wakeup the tap may have used meanwhile.
 */
static void ioctl_mmap_wakeups(struct kunit *test)
{
	void __user *u = npf_test_ualloc(test, 8192);
	struct file *nb = bound_file(test, u, O_RDWR | O_NONBLOCK);
	struct npf_open *o = O(nb);
	struct npf_mmap_batch b = { 0 };

	KUNIT_EXPECT_EQ(test, ioc_u32(test, nb, u + 64, BIOCSMINTOCOPY, 64), 0L);
	put64(test, o, 1);
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	NPF_TEST_PUT(test, u, &b, sizeof(b));
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, u), 0L);
	NPF_TEST_GET(test, &b, u, sizeof(b));
	KUNIT_EXPECT_EQ(test, b.len, 64U);
	/* held: nothing new, not ready, no wakeup spent */
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	KUNIT_EXPECT_EQ(test, o->woken, 0UL);
	put64(test, o, 2);
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	/* the tap woke us while we held the batch; we give it back */
	set_bit(0, &o->woken);
	b.release = 64;
	NPF_TEST_PUT(test, u, &b, sizeof(b));
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, u), 0L);
	NPF_TEST_GET(test, &b, u, sizeof(b));
	KUNIT_EXPECT_EQ(test, b.offset, 64U);
	KUNIT_EXPECT_EQ(test, b.len, 64U);
	KUNIT_EXPECT_EQ(test, o->woken, 0UL);
	/* given back with nothing ready: EAGAIN, and the wakeup re-armed */
	set_bit(0, &o->woken);
	b.release = 64;
	NPF_TEST_PUT(test, u, &b, sizeof(b));
	KUNIT_EXPECT_EQ(test, ioc(nb, BIOCMMAPNEXT, u), -EAGAIN);
	KUNIT_EXPECT_EQ(test, o->woken, 0UL);
	KUNIT_EXPECT_EQ(test, o->ring.used, 0U);
}

/* Mode switches and BIOCSETBUFFERSIZE start afresh. */
static void ioctl_reconfig_starts_afresh(struct kunit *test)
{
	void __user *u = npf_test_ualloc(test, 4096);
	struct file *f = bound_file(test, u, O_RDWR | O_NONBLOCK);
	struct npf_open *o = O(f);
	struct npf_stats st;

	put64(test, o, 1);
	npf_test_count(o, NPF_STAT_CAPT, 1);
	npf_test_count(o, NPF_STAT_RECV, 2);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMODE, NPF_MODE_STAT), 0L);
	KUNIT_EXPECT_EQ(test, o->ring.used, 0U);
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCGSTATSEX, u), 0L);
	NPF_TEST_GET(test, &st, u, sizeof(st));
	KUNIT_EXPECT_EQ(test, st.bs_recv, 0ULL);
	KUNIT_EXPECT_EQ(test, st.bs_capt, 0ULL);

	/* MODE_STAT with timeout 0 cannot be read */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSRTIMEOUT, 0), 0L);
	KUNIT_EXPECT_EQ(test, npf_read(f, u, 4096, NULL), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, npf_read(f, u, 47, NULL), (ssize_t)-EMSGSIZE);

	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMODE, NPF_MODE_CAPT), 0L);
	put64(test, o, 2);
	npf_test_count(o, NPF_STAT_DROP, 4);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSETBUFFERSIZE, 8192), 0L);
	KUNIT_EXPECT_EQ(test, o->ring.used, 0U);
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCGSTATS, u), 0L);
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCGSTATS, NPF_TEST_BADPTR), -EFAULT);
	NPF_TEST_GET(test, &st, u, sizeof(struct bpf_stat));
	KUNIT_EXPECT_EQ(test, ((struct bpf_stat *)&st)->bs_drop, 0U);
	/* a failed resize changes nothing */
	put64(test, o, 3);
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSETBUFFERSIZE, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, o->ring.used, 64U);
	KUNIT_EXPECT_EQ(test, o->ring.size, 8192U);
}

/*
 * Guards issue 12's lost wakeup, through the ioctls: every
 * reconfiguration that empties the ring (BIOCSMODE, BIOCSETBUFFERSIZE,
 * BIOCSTIMESTAMPMODE, BIOCSRECFMT, BIOCSETIF, BIOCSETF) clears the
 * tap's "reader woken" bit, so that the next records wake the reader
 * again, and restarts the read timeout: an expired one (timed_out) or a
 * timer left by an earlier poll() would end the next read early.
 */
static void ioctl_reconfig_rearms_wakeup(struct kunit *test)
{
	static const struct { unsigned int cmd; u32 val; } steps[] = {
		{ BIOCSMODE, NPF_MODE_STAT },
		{ BIOCSMODE, NPF_MODE_CAPT },
		{ BIOCSMODE, NPF_MODE_DUMP },
		{ BIOCSMODE, NPF_MODE_CAPT },
		{ BIOCSETBUFFERSIZE, 8192 },
		{ BIOCSTIMESTAMPMODE, NPF_TSTAMP_NANO },
		{ BIOCSRECFMT, NPF_RECFMT_PCAP },
		{ BIOCSRECFMT, NPF_RECFMT_BPF },
		{ BIOCSETIF, 0 },
		{ BIOCSETF, 0 },
	};
	void __user *u = npf_test_ualloc(test, 4096);
	struct file *f = bound_file(test, u, O_RDWR | O_NONBLOCK);
	struct npf_open *o = O(f);
	struct sock_filter ins[] = { BPF_STMT(BPF_RET | BPF_K, 96) };
	struct npf_program p = {
		.bf_len = 1,
		.bf_insns = (u64)(unsigned long)u + 512,
	};
	long ret;
	int i;

	NPF_TEST_PUT(test, u + 512, ins, sizeof(ins));
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		unsigned int cmd = steps[i].cmd;

		put64(test, o, i);
		set_bit(0, &o->woken);		/* the tap woke the reader */
		WRITE_ONCE(o->timed_out, true);	/* a poll's timeout expired */
		mod_timer(&o->poll_timer, jiffies + 1000 * HZ);
		if (cmd == BIOCSETIF) {
			ret = setif(test, f, u, "lo");
		} else if (cmd == BIOCSETF) {
			NPF_TEST_PUT(test, u, &p, sizeof(p));
			ret = ioc(f, BIOCSETF, u);
		} else {
			ret = ioc_u32(test, f, u, cmd, steps[i].val);
		}
		KUNIT_EXPECT_EQ_MSG(test, ret, 0L, "step %d (cmd %#x)", i, cmd);
		KUNIT_EXPECT_EQ_MSG(test, o->ring.used, 0U, "step %d", i);
		KUNIT_EXPECT_EQ_MSG(test, o->woken, 0UL,
				    "step %d (cmd %#x): the reader's wakeup is lost",
				    i, cmd);
		KUNIT_EXPECT_FALSE_MSG(test, READ_ONCE(o->timed_out),
				       "step %d (cmd %#x)", i, cmd);
		/* nobody polls: stopped, not re-armed */
		KUNIT_EXPECT_FALSE_MSG(test, timer_pending(&o->poll_timer),
				       "step %d (cmd %#x)", i, cmd);
	}
}

/* BIOCSETF through the ioctl: copied from user space, checked. */
static void ioctl_setf(struct kunit *test)
{
	struct file *f = npf_file(test, O_RDWR);
	void __user *u = npf_test_ualloc(test, 4096);
	struct sock_filter ins[] = { BPF_STMT(BPF_RET | BPF_K, 96) };
	struct npf_program p = {
		.bf_len = 1,
		.bf_insns = (u64)(unsigned long)u + 256,
	};

	NPF_TEST_PUT(test, u + 256, ins, sizeof(ins));
	NPF_TEST_PUT(test, u, &p, sizeof(p));
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCSETF, u), 0L);
	KUNIT_EXPECT_NOT_NULL(test, rcu_access_pointer(O(f)->filter));
	KUNIT_EXPECT_EQ(test, O(f)->snaplen, 96U);
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCSETF, NPF_TEST_BADPTR), -EFAULT);
	p.bf_len = NPF_MAXINSNS + 1;
	NPF_TEST_PUT(test, u, &p, sizeof(p));
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCSETF, u), -EINVAL);
	KUNIT_EXPECT_EQ(test, O(f)->snaplen, 96U);
}

/* A dump file pins the binding; leaving MODE_DUMP finishes the file. */
static void ioctl_dump_pins_binding(struct kunit *test)
{
	void __user *u = npf_test_ualloc(test, 4096);
	struct file *f = bound_file(test, u, O_RDWR);
	struct npf_open *o = O(f);
	static const char path[] = "/tmp/npf-kunit-ioctl-dump.pcap";
	struct npf_dump_name dn = { .path = (u64)(unsigned long)u + 512 };
	struct npf_dump_stats ds;

	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMODE, NPF_MODE_DUMP), 0L);
	NPF_TEST_PUT(test, u + 512, path, sizeof(path));
	NPF_TEST_PUT(test, u, &dn, sizeof(dn));
	KUNIT_ASSERT_EQ(test, ioc(f, BIOCSETDUMPFILENAME, u), 0L);
	KUNIT_EXPECT_NOT_NULL(test, o->dump.file);
	KUNIT_EXPECT_EQ(test, setif(test, f, u, "lo"), -EBUSY);
	KUNIT_EXPECT_EQ(test, ioc(f, BIOCGDUMPSTATS, u), 0L);
	NPF_TEST_GET(test, &ds, u, sizeof(ds));
	KUNIT_EXPECT_EQ(test, ds.active, 1U);
	KUNIT_EXPECT_EQ(test, ds.bytes, 24ULL);
	/* pure MODE_DUMP: read waits for the end, here O_NONBLOCK-less, -1 */
	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSRTIMEOUT, (u32)-1), 0L);
	KUNIT_EXPECT_EQ(test, npf_read(f, u, 4096, NULL), 0L);

	KUNIT_EXPECT_EQ(test, ioc_u32(test, f, u, BIOCSMODE, NPF_MODE_CAPT), 0L);
	KUNIT_EXPECT_NULL(test, o->dump.file);
	KUNIT_EXPECT_EQ(test, setif(test, f, u, "lo"), 0L);
}

/*
 * Each allocation open() makes may fail: it then fails with ENOMEM, and
 * KASAN and kmemleak (scanned after the run) watch the unwinding.
 */
static void ioctl_open_alloc_failures(struct kunit *test)
{
	struct file *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int n, failed = 0;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, f);
	for (n = 1; n < 1000; n++) {
		memset(f, 0, sizeof(*f));
		npf_test_fail_nth(test, n);
		ret = npf_open(NULL, f);
		if (npf_test_fail_off()) {
			/* fewer than n allocations: the plain success */
			KUNIT_EXPECT_EQ(test, ret, 0);
			if (!ret)
				npf_release(NULL, f);
			break;
		}
		if (ret) {
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "allocation %u", n);
			KUNIT_EXPECT_NULL(test, f->private_data);
			failed++;
		} else {
			/* a failure the kernel absorbed (e.g. a ref tracker) */
			npf_release(NULL, f);
		}
	}
	KUNIT_EXPECT_LT(test, n, 1000U);
	KUNIT_EXPECT_GE(test, failed, 3U);
}

static int ioctl_suite_init(struct kunit_suite *suite)
{
	int ret = npf_dump_init();

	if (ret)
		return ret;
	ret = npf_adapter_init();
	if (ret) {
		npf_dump_exit();
		return ret;
	}
	return npf_test_mm_get(suite);
}

static void ioctl_suite_exit(struct kunit_suite *suite)
{
	npf_test_mm_put(suite);
	npf_adapter_exit();
	npf_dump_exit();
}

static struct kunit_case npf_ioctl_cases[] = {
	KUNIT_CASE(ioctl_open_defaults),
	KUNIT_CASE(ioctl_version_and_unknown),
	KUNIT_CASE(ioctl_scalars),
	KUNIT_CASE(ioctl_unbound),
	KUNIT_CASE(ioctl_setif),
	KUNIT_CASE(ioctl_oids),
	KUNIT_CASE(ioctl_read_paths),
	KUNIT_CASE(ioctl_mmap_next),
	KUNIT_CASE(ioctl_mmap_wakeups),
	KUNIT_CASE(ioctl_reconfig_starts_afresh),
	KUNIT_CASE(ioctl_reconfig_rearms_wakeup),
	KUNIT_CASE(ioctl_setf),
	KUNIT_CASE(ioctl_dump_pins_binding),
	KUNIT_CASE(ioctl_open_alloc_failures),
	{}
};

static struct kunit_suite npf_ioctl_suite = {
	.name = "npf_ioctl",
	.suite_init = ioctl_suite_init,
	.suite_exit = ioctl_suite_exit,
	.test_cases = npf_ioctl_cases,
};

kunit_test_suites(&npf_ioctl_suite);
