/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_TAP_H
#define _NPF_TAP_H

#include <linux/netdevice.h>

int npf_tap_rcv(struct sk_buff *skb, struct net_device *dev,
		struct packet_type *pt, struct net_device *orig_dev);

#endif /* _NPF_TAP_H */
