// SPDX-License-Identifier: GPL-2.0
/*
 * BIOCSETOID / BIOCQUERYOID: NDIS OID requests, answered from the Linux
 * truth about the bound adapter (net_device fields, its counters, ethtool
 * link settings). The only settable OID is the packet filter.
 */

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/npf.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "adapter.h"
#include "internal.h"
#include "oid.h"

/* Copy @len bytes of @src into the answer; -EINVAL if it is too short. */
static int npf_oid_put(u8 *data, u32 *length, const void *src, u32 len)
{
	if (*length < len)
		return -EINVAL;
	memcpy(data, src, len);
	*length = len;
	return 0;
}

/* NDIS counters are 32 or 64 bits wide, as the caller's buffer allows. */
static int npf_oid_put_counter(u8 *data, u32 *length, u64 value)
{
	u32 v32 = value;

	if (*length >= sizeof(value))
		return npf_oid_put(data, length, &value, sizeof(value));
	return npf_oid_put(data, length, &v32, sizeof(v32));
}

static u32 npf_oid_link_speed(struct net_device *dev)
{
	struct ethtool_link_ksettings ks;

	if (__ethtool_get_link_ksettings(dev, &ks) ||
	    ks.base.speed == SPEED_UNKNOWN || !ks.base.speed)
		return 0;
	/* Mbit/s to NDIS's units of 100 bit/s: 32 bits, so 429 Gb/s at most. */
	return min_t(u64, (u64)ks.base.speed * 10000, U32_MAX);
}

static int npf_oid_mc_list(struct net_device *dev, u8 *data, u32 *length)
{
	struct netdev_hw_addr *ha;
	u32 need, off = 0;
	int ret = 0;

	netif_addr_lock_bh(dev);
	need = netdev_mc_count(dev) * dev->addr_len;
	if (need > *length) {
		ret = -EINVAL;
	} else {
		netdev_for_each_mc_addr(ha, dev) {
			memcpy(data + off, ha->addr, dev->addr_len);
			off += dev->addr_len;
		}
		*length = off;
	}
	netif_addr_unlock_bh(dev);
	return ret;
}

/* Answer a query about @dev. RTNL held. */
static int npf_oid_query(struct npf_open *o, struct net_device *dev, u32 oid,
			 u8 *data, u32 *length)
{
	struct rtnl_link_stats64 s;
	u32 v;

	switch (oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		return npf_oid_put(data, length, &o->packet_filter, 4);
	case OID_802_3_CURRENT_ADDRESS:
		return npf_oid_put(data, length, dev->dev_addr, dev->addr_len);
	case OID_802_3_PERMANENT_ADDRESS:
		/* Virtual adapters have no burnt-in address: report the current. */
		if (memchr_inv(dev->perm_addr, 0, dev->addr_len))
			return npf_oid_put(data, length, dev->perm_addr,
					   dev->addr_len);
		return npf_oid_put(data, length, dev->dev_addr, dev->addr_len);
	case OID_802_3_MULTICAST_LIST:
		return npf_oid_mc_list(dev, data, length);
	case OID_802_3_MAXIMUM_LIST_SIZE:
		v = NPF_MC_MAX;
		return npf_oid_put(data, length, &v, 4);
	case OID_GEN_MAXIMUM_FRAME_SIZE:
		v = dev->mtu;
		return npf_oid_put(data, length, &v, 4);
	case OID_GEN_MAXIMUM_TOTAL_SIZE:
		v = dev->mtu + dev->hard_header_len;
		return npf_oid_put(data, length, &v, 4);
	case OID_GEN_LINK_SPEED:
		v = npf_oid_link_speed(dev);
		return npf_oid_put(data, length, &v, 4);
	case OID_GEN_MEDIA_CONNECT_STATUS:
		/* Connected: up with a carrier, ip's LOWER_UP. */
		v = netif_running(dev) && netif_carrier_ok(dev) ? 0 : 1;
		return npf_oid_put(data, length, &v, 4);
	case OID_GEN_MEDIA_IN_USE:
		v = o->linktype == NPF_LINKTYPE_RAW ? NPF_NDIS_MEDIUM_IP :
						      NPF_NDIS_MEDIUM_802_3;
		return npf_oid_put(data, length, &v, 4);
	}

	dev_get_stats(dev, &s);
	switch (oid) {
	case OID_GEN_XMIT_OK:
		return npf_oid_put_counter(data, length, s.tx_packets);
	case OID_GEN_RCV_OK:
		return npf_oid_put_counter(data, length, s.rx_packets);
	case OID_GEN_XMIT_ERROR:
		return npf_oid_put_counter(data, length, s.tx_errors);
	case OID_GEN_RCV_ERROR:
		return npf_oid_put_counter(data, length, s.rx_errors);
	case OID_GEN_RCV_NO_BUFFER:
		return npf_oid_put_counter(data, length,
					   s.rx_missed_errors + s.rx_fifo_errors);
	}
	return -EOPNOTSUPP;
}

static int npf_oid_set(struct npf_open *o, u32 oid, const u8 *data,
		       u32 length)
{
	u32 filter;

	switch (oid) {
	case OID_GEN_CURRENT_PACKET_FILTER:
		if (length != sizeof(filter))
			return -EINVAL;
		memcpy(&filter, data, sizeof(filter));
		return npf_adapter_set_packet_filter(o, filter);
	case OID_802_3_MULTICAST_LIST:
		return npf_adapter_set_mc_list(o, data, length);
	}
	return -EOPNOTSUPP;
}

static int npf_oid_query_bound(struct npf_open *o, u32 oid, u8 *data,
			       u32 *length)
{
	int ret;

	rtnl_lock();
	if (o->dev)
		ret = npf_oid_query(o, o->dev, oid, data, length);
	else
		ret = o->bound ? -ENODEV : -ENXIO;
	rtnl_unlock();
	return ret;
}

/* Called with o->lock held. */
long npf_oid_request(struct npf_open *o, void __user *arg, bool set)
{
	struct npf_oid_data head, __user *uhead = arg;
	u8 *data;
	long ret;

	if (copy_from_user(&head, uhead, sizeof(head)))
		return -EFAULT;
	if (head.length > NPF_OID_MAXLEN)
		return -EINVAL;
	data = memdup_user(uhead->data, head.length);
	if (IS_ERR(data))
		return PTR_ERR(data);

	if (set) {
		ret = npf_oid_set(o, head.oid, data, head.length);
	} else {
		ret = npf_oid_query_bound(o, head.oid, data, &head.length);
		if (!ret && (copy_to_user(uhead->data, data, head.length) ||
			     put_user(head.length, &uhead->length)))
			ret = -EFAULT;
	}
	kfree(data);
	return ret;
}
