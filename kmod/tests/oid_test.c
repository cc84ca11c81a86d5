// SPDX-License-Identifier: GPL-2.0
/*
 * npf_oid: what BIOCQUERYOID answers that the loopback device cannot show
 * (kmod/oid.c; the ioctl itself is in dev_test.c's npf_ioctl suite), on a
 * net_device of our own that is never registered: only its ethtool
 * operations are called.
 */

#include "../oid.c"

#include <linux/etherdevice.h>

#include "npf_test.h"

/* The speed the fake device reports (Mbit/s), or an error. */
static u32 fake_speed;
static int fake_err;

static int fake_get_link_ksettings(struct net_device *dev,
				   struct ethtool_link_ksettings *ks)
{
	ks->base.speed = fake_speed;
	return fake_err;
}

static const struct ethtool_ops fake_ethtool_ops = {
	.get_link_ksettings = fake_get_link_ksettings,
};

static const struct ethtool_ops no_ethtool_ops = {};

static void netdev_free_res(struct kunit_resource *res)
{
	free_netdev(res->data);
}

static struct net_device *fake_dev(struct kunit *test)
{
	struct net_device *dev = alloc_netdev(0, "npftest%d", NET_NAME_ENUM,
					      ether_setup);

	KUNIT_ASSERT_NOT_NULL(test, dev);
	npf_test_on_exit(test, netdev_free_res, dev);
	dev->ethtool_ops = &fake_ethtool_ops;
	/* as register_netdevice() leaves it: ethtool asks present devices */
	set_bit(__LINK_STATE_PRESENT, &dev->state);
	return dev;
}

/* OID_GEN_LINK_SPEED for a link of @mbps, as BIOCQUERYOID answers it. */
static u32 speed_of(struct kunit *test, struct npf_open *o,
		    struct net_device *dev, u32 mbps)
{
	u32 v = 0xdeadbeef, len = 4;
	int ret;

	fake_speed = mbps;
	rtnl_lock();
	ret = npf_oid_query(o, dev, OID_GEN_LINK_SPEED, (u8 *)&v, &len);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, len, 4U);
	return v;
}

/*
 * NDIS reports link speed in units of 100 bit/s in 32 bits: Mbit/s times
 * 10000. Guards issue 12's "link speed clamped": from 429497 Mbit/s on
 * (400G and 800G links exist) the product wrapped around, and an 800G
 * link claimed to be 370 Gbit/s; it is clamped to the largest value.
 */
static void oid_link_speed_clamped(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	struct net_device *dev = fake_dev(test);

	fake_err = 0;
	KUNIT_EXPECT_EQ(test, speed_of(test, o, dev, 10), 100000U);
	KUNIT_EXPECT_EQ(test, speed_of(test, o, dev, 10000), 100000000U);
	KUNIT_EXPECT_EQ(test, speed_of(test, o, dev, 400000), 4000000000U);
	KUNIT_EXPECT_EQ(test, speed_of(test, o, dev, 429496), 4294960000U);
	KUNIT_EXPECT_EQ(test, speed_of(test, o, dev, 429497), U32_MAX);
	KUNIT_EXPECT_EQ(test, speed_of(test, o, dev, 800000), U32_MAX);
	KUNIT_EXPECT_EQ(test, speed_of(test, o, dev, SPEED_UNKNOWN - 1),
			U32_MAX);
	/* no link, unknown, or no answer: 0 */
	KUNIT_EXPECT_EQ(test, speed_of(test, o, dev, 0), 0U);
	KUNIT_EXPECT_EQ(test, speed_of(test, o, dev, SPEED_UNKNOWN), 0U);
	fake_err = -EOPNOTSUPP;
	KUNIT_EXPECT_EQ(test, speed_of(test, o, dev, 1000), 0U);
	fake_err = 0;
	clear_bit(__LINK_STATE_PRESENT, &dev->state);
	KUNIT_EXPECT_EQ(test, speed_of(test, o, dev, 1000), 0U);
	set_bit(__LINK_STATE_PRESENT, &dev->state);
	dev->ethtool_ops = &no_ethtool_ops;
	KUNIT_EXPECT_EQ(test, speed_of(test, o, dev, 1000), 0U);
}

static struct kunit_case npf_oid_cases[] = {
	KUNIT_CASE(oid_link_speed_clamped),
	{}
};

static struct kunit_suite npf_oid_suite = {
	.name = "npf_oid",
	.test_cases = npf_oid_cases,
};

kunit_test_suites(&npf_oid_suite);
