// SPDX-License-Identifier: GPL-2.0
/*
 * Binding an open to an adapter (BIOCSETIF), the NDIS packet filter it
 * holds on it, and what happens when the adapter goes away under it.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/poll.h>
#include <linux/npf.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "adapter.h"
#include "internal.h"
#include "tap.h"
#include "wait.h"
#include "xmit.h"

/* Bound opens, for the netdevice notifier. Protected by RTNL. */
static LIST_HEAD(npf_bound_opens);

/* The pcap link type of what the tap delivers for @dev, or -1. */
static int npf_adapter_linktype(const struct net_device *dev)
{
	/*
	 * Without a link header the capture starts at the network header:
	 * raw IP, for the adapter types that carry nothing else (a CAN
	 * adapter has no header either, and no IP).
	 */
	if (!dev_has_header(dev)) {
		switch (dev->type) {
		case ARPHRD_NONE:	/* tun, wireguard */
		case ARPHRD_RAWIP:
		case ARPHRD_TUNNEL:
		case ARPHRD_TUNNEL6:
		case ARPHRD_SIT:
		case ARPHRD_IPGRE:
		case ARPHRD_IP6GRE:
		case ARPHRD_PPP:
			return NPF_LINKTYPE_RAW;
		}
		return -1;
	}
	switch (dev->type) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:	/* Linux loopback frames carry an Ethernet header */
		return NPF_LINKTYPE_ETHERNET;
	}
	return -1;
}

static u64 npf_adapter_drops(struct net_device *dev)
{
	struct rtnl_link_stats64 s;

	dev_get_stats(dev, &s);
	return s.rx_dropped + s.rx_missed_errors + s.rx_fifo_errors;
}

/* Hold or release this open's promiscuity and allmulti refs. RTNL held. */
static int npf_adapter_apply_filter(struct npf_open *o, bool promisc,
				    bool allmulti)
{
	int ret;

	if (promisc != o->promisc) {
		ret = dev_set_promiscuity(o->dev, promisc ? 1 : -1);
		if (ret)
			return ret;
		o->promisc = promisc;
	}
	if (allmulti != o->allmulti) {
		ret = dev_set_allmulti(o->dev, allmulti ? 1 : -1);
		if (ret)
			return ret;
		o->allmulti = allmulti;
	}
	return 0;
}

/* Drop the multicast memberships this open holds. RTNL held. */
static void npf_adapter_mc_release(struct npf_open *o)
{
	u32 i;

	/* With the length they were added with: a bond can change type. */
	for (i = 0; i < o->mc_count; i++)
		dev_mc_del(o->dev, o->mc_list + i * o->mc_addr_len);
	kfree(o->mc_list);
	o->mc_list = NULL;
	o->mc_count = 0;
}

/*
 * Take the open off its adapter: no new tap calls once this returns, but
 * one may still be running on another CPU (the caller synchronises).
 * RTNL held.
 */
static void npf_adapter_detach(struct npf_open *o)
{
	ASSERT_RTNL();
	__dev_remove_pack(&o->ptype);
	npf_adapter_apply_filter(o, false, false);
	npf_adapter_mc_release(o);
	o->ifdrop_final = npf_adapter_drops(o->dev) - o->ifdrop_base;
	list_del_init(&o->bound_node);
	netdev_put(o->dev, &o->dev_tracker);
	WRITE_ONCE(o->dev, NULL);
	/*
	 * Transmit sleepers hold a reference of their own to the adapter:
	 * they end their wait when they see it is no longer the bound one.
	 */
	npf_xmit_wake_sleepers(o);
}

static void npf_adapter_attach(struct npf_open *o, struct net_device *dev,
			       int linktype)
{
	ASSERT_RTNL();
	netdev_hold(dev, &o->dev_tracker, GFP_KERNEL);
	WRITE_ONCE(o->dev, dev);
	o->linktype = linktype;
	WRITE_ONCE(o->gone, false);
	WRITE_ONCE(o->bound, true);
	o->ifdrop_base = npf_adapter_drops(dev);
	o->ifdrop_final = 0;
	list_add(&o->bound_node, &npf_bound_opens);
	/*
	 * No net_enable_timestamp(): that would stamp every frame every
	 * adapter of the system receives, for as long as any open is bound
	 * (a transmit-only open included). The tap stamps what it keeps when
	 * it sees it, as af_packet does.
	 */

	o->ptype.type = htons(ETH_P_ALL);
	o->ptype.dev = dev;
	o->ptype.func = npf_tap_rcv;
	dev_add_pack(&o->ptype);
}

/* The link type of the adapter @name of @o's namespace, or an error. RTNL held. */
static int npf_adapter_lookup(struct npf_open *o, const char *name,
			      struct net_device **devp)
{
	struct net_device *dev = __dev_get_by_name(o->net, name);
	int linktype;

	if (!dev)
		return -ENODEV;
	linktype = npf_adapter_linktype(dev);
	if (linktype < 0)
		return -EOPNOTSUPP;
	*devp = dev;
	return linktype;
}

/*
 * Whether @o could be bound to @name now: 0, -ENODEV or -EOPNOTSUPP, so
 * that a bad name fails before anything is paused or flushed.
 */
int npf_adapter_check(struct npf_open *o, const char *name)
{
	struct net_device *dev;
	int ret;

	rtnl_lock();
	ret = npf_adapter_lookup(o, name, &dev);
	rtnl_unlock();
	return ret < 0 ? ret : 0;
}

/*
 * Bind @o to the adapter @name of its namespace, replacing any previous
 * binding (whose packet filter is not carried over). On failure the old
 * binding stays. Called with o->lock held, the open paused.
 */
int npf_adapter_bind(struct npf_open *o, const char *name)
{
	struct net_device *dev;
	int linktype;

	rtnl_lock();
	linktype = npf_adapter_lookup(o, name, &dev);
	if (linktype < 0) {
		rtnl_unlock();
		return linktype;
	}
	if (o->dev)
		npf_adapter_detach(o);
	/*
	 * o->ptype may have been on another device's list (this binding's,
	 * or one the notifier took away): an RCU walker of that list may
	 * still stand on it, and would follow it into the new list for
	 * ever. Reuse it only after a grace period.
	 */
	if (o->bound)
		synchronize_net();
	npf_adapter_attach(o, dev, linktype);
	o->packet_filter = NDIS_PACKET_TYPE_DIRECTED |
			   NDIS_PACKET_TYPE_MULTICAST |
			   NDIS_PACKET_TYPE_BROADCAST;
	rtnl_unlock();
	return 0;
}

/* At release. Called with o->lock held; no tap runs once it returns. */
void npf_adapter_unbind(struct npf_open *o)
{
	if (!o->bound)
		return;
	rtnl_lock();
	if (o->dev)
		npf_adapter_detach(o);
	rtnl_unlock();
	/* Also covers a detach done by the notifier, which did not wait. */
	synchronize_net();
}

/*
 * NDIS_PACKET_TYPE_PROMISCUOUS and _ALL_MULTICAST take a reference on the
 * adapter's promiscuity / allmulti count for as long as this open keeps
 * them set; the other bits describe what a NIC always delivers and are
 * only remembered. Called with o->lock held.
 */
int npf_adapter_set_packet_filter(struct npf_open *o, u32 filter)
{
	const u32 known = NDIS_PACKET_TYPE_DIRECTED |
			  NDIS_PACKET_TYPE_MULTICAST |
			  NDIS_PACKET_TYPE_ALL_MULTICAST |
			  NDIS_PACKET_TYPE_BROADCAST |
			  NDIS_PACKET_TYPE_PROMISCUOUS |
			  NDIS_PACKET_TYPE_ALL_LOCAL;
	int ret;

	if (filter & ~known)
		return -EINVAL;
	rtnl_lock();
	if (!o->dev) {
		ret = o->bound ? -ENODEV : -ENXIO;
	} else {
		bool promisc = filter & NDIS_PACKET_TYPE_PROMISCUOUS;
		bool allmulti = filter & NDIS_PACKET_TYPE_ALL_MULTICAST;

		ret = npf_adapter_apply_filter(o, promisc, allmulti);
		if (!ret)
			o->packet_filter = filter;
	}
	rtnl_unlock();
	return ret;
}

/* Add @n addresses of @addrs to @dev; on failure none is left added. */
static int npf_adapter_mc_add(struct net_device *dev, const u8 *addrs, u32 n)
{
	u32 i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = dev_mc_add(dev, addrs + i * ETH_ALEN);
		if (ret)
			goto undo;
	}
	return 0;
undo:
	while (i--)
		dev_mc_del(dev, addrs + i * ETH_ALEN);
	return ret;
}

/*
 * OID_802_3_MULTICAST_LIST: replace this open's multicast memberships
 * with @len bytes of addresses. On failure the old list stays. o->lock held.
 */
int npf_adapter_set_mc_list(struct npf_open *o, const u8 *addrs, u32 len)
{
	struct net_device *dev;
	u8 *copy = NULL;
	u32 n, i;
	int ret;

	rtnl_lock();
	dev = o->dev;
	ret = dev ? 0 : (o->bound ? -ENODEV : -ENXIO);
	if (ret)
		goto out;
	/* Ethernet multicast lists only; header-less links have no address. */
	ret = -EINVAL;
	if (dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN)
		goto out;
	n = len / ETH_ALEN;
	if (len % ETH_ALEN || n > NPF_MC_MAX)
		goto out;
	for (i = 0; i < n; i++)
		if (!is_multicast_ether_addr(addrs + i * ETH_ALEN))
			goto out;
	ret = -ENOMEM;
	if (n) {
		copy = kmemdup(addrs, len, GFP_KERNEL_ACCOUNT);
		if (!copy)
			goto out;
	}
	ret = npf_adapter_mc_add(dev, addrs, n);
	if (ret) {
		kfree(copy);
		goto out;
	}
	npf_adapter_mc_release(o);
	o->mc_list = copy;
	o->mc_count = n;
	o->mc_addr_len = ETH_ALEN;
out:
	rtnl_unlock();
	return ret;
}

/* Frames the adapter dropped since the open was bound. o->lock held. */
u64 npf_adapter_ifdrop(struct npf_open *o)
{
	u64 drops;

	rtnl_lock();
	drops = o->dev ? npf_adapter_drops(o->dev) - o->ifdrop_base :
			 o->ifdrop_final;
	rtnl_unlock();
	return drops;
}

/*
 * An adapter is unregistered (deleted, its driver unloaded, or moved to
 * another namespace), or changed its type (a bond that took a slave of
 * another link type): detach every open bound to it, so that the device
 * reference we hold does not stall the unregistration and no open goes on
 * with a link type its reader and its dump file no longer describe, and
 * wake readers: they drain what is buffered, then read() fails with
 * ENODEV (BIOCSETIF binds again, to the new type).
 */
static void npf_adapter_gone(struct net_device *dev)
{
	struct npf_open *o, *tmp;

	list_for_each_entry_safe(o, tmp, &npf_bound_opens, bound_node) {
		if (o->dev != dev)
			continue;
		npf_adapter_detach(o);
		WRITE_ONCE(o->gone, true);
		npf_wake(o, EPOLLIN | EPOLLRDNORM | EPOLLERR | EPOLLHUP);
	}
}

/*
 * Before a type change, the multicast addresses we added go, with the
 * address length they were added with (the device flushes its lists
 * anyway; after the change dev_mc_del() would compare with the new one).
 */
static void npf_adapter_pre_type_change(struct net_device *dev)
{
	struct npf_open *o;

	list_for_each_entry(o, &npf_bound_opens, bound_node)
		if (o->dev == dev)
			npf_adapter_mc_release(o);
}

static int npf_adapter_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	switch (event) {
	case NETDEV_PRE_TYPE_CHANGE:
		npf_adapter_pre_type_change(dev);
		break;
	case NETDEV_POST_TYPE_CHANGE:
	case NETDEV_UNREGISTER:
		npf_adapter_gone(dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block npf_adapter_notifier = {
	.notifier_call = npf_adapter_event,
};

int npf_adapter_init(void)
{
	return register_netdevice_notifier(&npf_adapter_notifier);
}

void npf_adapter_exit(void)
{
	unregister_netdevice_notifier(&npf_adapter_notifier);
}
