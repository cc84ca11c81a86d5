// SPDX-License-Identifier: GPL-2.0
/*
 * The tap: NPF's Packet_tap. One packet_type per bound open sees every
 * frame the adapter receives and every frame it sends. The order is that
 * of af_packet's tpacket_rcv: count, filter first, copy only what is kept
 * (with skb_copy_bits, which walks non-linear skbs), count the outcome,
 * and wake the reader only when the delayed-write rule says so.
 */

#include <linux/if_vlan.h>
#include <linux/npf.h>
#include <linux/poll.h>
#include <linux/skbuff.h>

#include "filter.h"
#include "internal.h"
#include "record.h"
#include "tap.h"
#include "wait.h"

/*
 * Drivers and the VLAN layer move 802.1Q tags out of the frame into
 * skb metadata. Filters compiled by libpcap for a pcap file expect the tag
 * in place, and so do readers, so put it back, in a private copy of the
 * header. Rare (tagged frames only) and allowed to fail under memory
 * pressure, in which case the frame is counted in bs_nomem.
 */
static struct sk_buff *npf_tap_vlan_inline(struct sk_buff *skb)
{
	struct sk_buff *nskb = skb_clone(skb, GFP_ATOMIC);

	if (!nskb)
		return NULL;
	/* Frees nskb on failure. */
	return __vlan_hwaccel_push_inside(nskb);
}

/*
 * Store @caplen bytes of @skb; false when the ring is full. The clock is
 * read before the lock is taken, to keep the section other CPUs may be
 * waiting on short.
 */
static bool npf_tap_store(struct npf_open *o, const struct sk_buff *skb,
			  u32 caplen)
{
	struct timespec64 ts = ktime_to_timespec64(skb_tstamp_cond(skb, true));
	struct npf_rec_info r = {
		.sec = ts.tv_sec,
		.frac = o->tstamp_nano ? ts.tv_nsec : ts.tv_nsec / NSEC_PER_USEC,
		.caplen = caplen,
		.len = skb->len,
	};
	struct npf_ring *ring = &o->ring;
	u32 hdrlen, len;
	u8 *rec;

	spin_lock(&ring->lock);
	hdrlen = npf_rec_hdrlen(ring->pcap);
	len = npf_rec_len(ring->pcap, caplen);
	rec = npf_ring_reserve(ring, len);
	if (rec) {
		npf_rec_put(rec, ring->pcap, &r);
		/* Cannot fail: caplen <= skb->len. */
		skb_copy_bits(skb, 0, rec + hdrlen, caplen);
		memset(rec + hdrlen + caplen, 0, len - hdrlen - caplen);
	}
	spin_unlock(&ring->lock);
	return rec;
}

/* Store a frame the filter accepted; @mode is a capturing mode. */
static void npf_tap_keep(struct npf_open *o, struct sk_buff *skb, u32 snap,
			 u32 mode)
{
	/*
	 * The dump file's header promises at most o->snaplen bytes a record;
	 * a GSO frame can be longer than any program's "ret #k".
	 */
	u32 caplen = min3(snap, skb->len, READ_ONCE(o->snaplen));

	if (!npf_tap_store(o, skb, caplen)) {
		/* A full ring wakes the reader whatever MinToCopy says. */
		npf_count(o, NPF_STAT_DROP);
		if (!(mode & NPF_MODE_DUMP))
			npf_wake_reader(o);
		return;
	}
	npf_count(o, NPF_STAT_CAPT);
	if (mode & NPF_MODE_DUMP)
		npf_dump_kick(o);
	else if (npf_ready(o))
		npf_wake_reader(o);
}

static void npf_tap_capture(struct npf_open *o, struct sk_buff *skb, u32 mode)
{
	struct sk_buff *vskb = NULL;
	struct bpf_prog *prog;
	u32 snap;

	if (skb_vlan_tag_present(skb) && dev_has_header(skb->dev)) {
		vskb = npf_tap_vlan_inline(skb);
		if (!vskb) {
			npf_count(o, NPF_STAT_NOMEM);
			return;
		}
		skb = vskb;
	}

	rcu_read_lock();
	prog = rcu_dereference(o->filter);
	snap = npf_filter_run(o, prog, skb);
	rcu_read_unlock();

	if (!snap) {
		npf_count(o, NPF_STAT_FILTERED);
		goto out;
	}
	/* MODE_STAT's byte count: what the filter accepted, stored or not. */
	npf_count_add(o->stats, NPF_STAT_BYTES, skb->len);
	if (mode == NPF_MODE_STAT ||
	    ((mode & NPF_MODE_DUMP) && READ_ONCE(o->dump.ended)))
		/* Counted only: the reader is woken by its interval's end. */
		npf_count(o, NPF_STAT_CAPT);
	else
		npf_tap_keep(o, skb, snap, mode);
out:
	consume_skb(vskb);
}

/*
 * On a loopback adapter every sent frame comes back as a received one:
 * take one copy of each. The received copy is the usual one, but it was
 * orphaned on the way (loopback_xmit()), so the core's skb_loop_sk() test
 * cannot recognise an open's own frames in it: an open that does not
 * capture its own transmissions (BIOCISETLOBBEH) takes the sent copies,
 * of which the core already skipped its own.
 */
static bool npf_tap_lo_copy(const struct npf_open *o,
			    const struct sk_buff *skb)
{
	bool own_skipped = READ_ONCE(o->ptype.af_packet_priv);

	return (skb->pkt_type == PACKET_OUTGOING) == own_skipped;
}

int npf_tap_rcv(struct sk_buff *skb, struct net_device *dev,
		struct packet_type *pt, struct net_device *orig_dev)
{
	struct npf_open *o = container_of(pt, struct npf_open, ptype);
	u32 mode = READ_ONCE(o->mode);
	u8 *skb_head = skb->data;
	unsigned int skb_len = skb->len;

	/* Multicast frames the stack loops back to itself are not on the wire. */
	if (skb->pkt_type == PACKET_LOOPBACK ||
	    ((dev->flags & IFF_LOOPBACK) && !npf_tap_lo_copy(o, skb)))
		goto out;
	/* Reconfiguring, or a finished dump with nothing else to do. */
	if (unlikely(mode & NPF_MODE_PAUSED) ||
	    (mode == NPF_MODE_DUMP && READ_ONCE(o->dump.ended)))
		goto out;

	/* Received frames arrive with data at the network header. */
	if (dev_has_header(dev))
		skb_push(skb, skb->data - skb_mac_header(skb));

	npf_count(o, NPF_STAT_RECV);
	npf_tap_capture(o, skb, mode);

	/* The skb is shared with the stack and the other taps. */
	skb->data = skb_head;
	skb->len = skb_len;
out:
	consume_skb(skb);
	return 0;
}
