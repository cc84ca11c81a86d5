// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: write() of one raw frame sent BIOCSWRITEREP times, and send
 * queues (BIOCSENDPACKETSNOSYNC / SYNC), NPF's traffic-generator paths.
 *
 * Every open owns a kernel struct sock (as every tun file does). Frames
 * are charged to its send buffer, so a writer that outruns the adapter
 * sleeps in sock_wfree()'s write-space wakeup instead of overflowing the
 * qdisc; and the tap's skb_loop_sk() test recognises the open's own
 * frames when loopback capture is off. Frames go through dev_queue_xmit(),
 * so qdiscs apply and every other tap (other opens, AF_PACKET) sees them.
 * Repeats are clones: the frame's data is copied from user space once.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/npf.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <net/sock.h>

#include "internal.h"
#include "stats.h"
#include "xmit.h"

/* Frames of sync send queues closer than this are not slept for. */
#define NPF_XMIT_SPIN_NS	(50 * NSEC_PER_USEC)

/* Repeats handed to the adapter with bottom halves off in one go. */
#define NPF_XMIT_BATCH		32

struct npf_xsock {
	struct sock sk;		/* first: sk_alloc() allocates the whole */
	struct socket socket;	/* its wait queue outlives the open */
};

static struct proto npf_xmit_proto = {
	.name		= "NPF",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct npf_xsock),
};

int npf_xmit_init(struct npf_open *o)
{
	struct npf_xsock *xs;

	xs = (struct npf_xsock *)sk_alloc(o->net, AF_UNSPEC, GFP_KERNEL,
					  &npf_xmit_proto, 0);
	if (!xs)
		return -ENOMEM;
	init_waitqueue_head(&xs->socket.wq.wait);
	spin_lock_init(&o->resume_lock);
	sock_init_data_uid(&xs->socket, &xs->sk, current_fsuid());
	o->sk = &xs->sk;
	o->write_rep = 1;
	return 0;
}

/*
 * Frames in flight keep the sock (and the module) until they are freed;
 * the last of them frees it.
 */
void npf_xmit_release(struct npf_open *o)
{
	sock_put(o->sk);
}

/* poll()'s EPOLLOUT: a write would not wait for send-buffer room. */
bool npf_xmit_writeable(struct npf_open *o)
{
	return sock_writeable(o->sk);
}

/* Woken when sent frames are freed and the send buffer drains. */
wait_queue_head_t *npf_xmit_waitq(struct npf_open *o)
{
	return sk_sleep(o->sk);
}

/* Whether the tap should skip the frames this open sends. */
void npf_xmit_set_loopback(struct npf_open *o, bool enable)
{
	WRITE_ONCE(o->ptype.af_packet_priv, enable ? NULL : o->sk);
}

/*
 * Whether @dev, which a sleeper holds a reference to, is no longer the
 * adapter @o is bound to (BIOCSETIF elsewhere, or it went away): the
 * sleeper must then let go of it, or its unregistration would wait for
 * us ("waiting for dev to become free").
 */
static bool npf_xmit_moved(struct npf_open *o, struct net_device *dev)
{
	return READ_ONCE(o->dev) != dev;
}

/* The binding changed (RTNL held): sleepers re-check npf_xmit_moved(). */
void npf_xmit_wake_sleepers(struct npf_open *o)
{
	/* SYNC queues sleep on the open's queue, writers on the sock's. */
	wake_up_interruptible_all(&o->wait);
	wake_up_interruptible_all(sk_sleep(o->sk));
}

/* A reference to the bound adapter, or an error pointer. */
static struct net_device *npf_xmit_get_dev(struct npf_open *o,
					   netdevice_tracker *tracker)
{
	struct net_device *dev;

	if (!READ_ONCE(o->bound))
		return ERR_PTR(-ENXIO);
	/*
	 * The notifier clears o->dev, then unregistration waits for an RCU
	 * grace period before it waits for the last reference.
	 */
	rcu_read_lock();
	dev = READ_ONCE(o->dev);
	if (dev)
		netdev_hold(dev, tracker, GFP_ATOMIC);
	rcu_read_unlock();
	if (!dev)
		return ERR_PTR(-ENODEV);
	if (!(dev->flags & IFF_UP)) {
		netdev_put(dev, tracker);
		return ERR_PTR(-ENETDOWN);
	}
	return dev;
}

/* Largest frame @dev takes, link header included: a tag may come on top. */
static bool npf_xmit_len_ok(struct net_device *dev, struct sk_buff *skb)
{
	unsigned int max = dev->mtu + dev->hard_header_len;

	if (skb->len <= max)
		return true;
	return skb->len <= max + VLAN_HLEN && dev->type == ARPHRD_ETHER &&
	       eth_type_vlan(((struct ethhdr *)skb->data)->h_proto);
}

static __be16 npf_xmit_protocol(struct net_device *dev, struct sk_buff *skb)
{
	if (dev_has_header(dev))
		return dev_parse_header_protocol(skb);
	/* Raw IP adapters: the version nibble tells. */
	switch (skb->data[0] >> 4) {
	case 4:
		return htons(ETH_P_IP);
	case 6:
		return htons(ETH_P_IPV6);
	}
	return 0;
}

/*
 * Sleep until the send buffer has room again or @dev is no longer the
 * bound adapter: 0, -EAGAIN, -ENODEV or -ERESTARTSYS.
 */
static int npf_xmit_wait_room(struct npf_open *o, struct net_device *dev,
			      bool nonblock)
{
	struct sock *sk = o->sk;

	if (sock_writeable(sk))
		return 0;
	if (nonblock)
		return -EAGAIN;
	if (wait_event_interruptible(*sk_sleep(sk), sock_writeable(sk) ||
				     npf_xmit_moved(o, dev)))
		return -ERESTARTSYS;
	return npf_xmit_moved(o, dev) ? -ENODEV : 0;
}

/*
 * An skb of @size bytes charged to the open's send buffer, waiting for
 * room unless @nonblock. Not sock_alloc_send_skb()'s own wait: it would
 * keep holding @dev after a rebind.
 */
static struct sk_buff *npf_xmit_alloc(struct npf_open *o,
				      struct net_device *dev,
				      unsigned long size, bool nonblock,
				      int *err)
{
	struct sk_buff *skb;

	for (;;) {
		skb = sock_alloc_send_skb(o->sk, size, true, err);
		if (skb || *err != -EAGAIN)
			return skb;
		*err = npf_xmit_wait_room(o, dev, nonblock);
		if (*err)
			return NULL;
	}
}

/*
 * Build the skb for a frame of @len bytes at @ubuf, charged to the open's
 * send buffer (waiting for room unless @nonblock).
 */
static struct sk_buff *npf_xmit_build(struct npf_open *o,
				      struct net_device *dev,
				      const void __user *ubuf, size_t len,
				      bool nonblock, int *err)
{
	int hlen = LL_RESERVED_SPACE(dev), tlen = dev->needed_tailroom;
	struct sk_buff *skb;

	if (!len || len > dev->mtu + dev->hard_header_len + VLAN_HLEN) {
		*err = len ? -EMSGSIZE : -EINVAL;
		return NULL;
	}
	skb = npf_xmit_alloc(o, dev, hlen + len + tlen, nonblock, err);
	if (!skb)
		return NULL;
	skb_reserve(skb, hlen);
	skb_reset_mac_header(skb);
	if (copy_from_user(skb_put(skb, len), ubuf, len)) {
		*err = -EFAULT;
		goto err_free;
	}
	if (!dev_validate_header(dev, skb->data, len)) {
		*err = -EINVAL;
		goto err_free;
	}
	if (!npf_xmit_len_ok(dev, skb)) {
		*err = -EMSGSIZE;
		goto err_free;
	}
	skb->dev = dev;
	skb->protocol = npf_xmit_protocol(dev, skb);
	skb->priority = READ_ONCE(o->sk->sk_priority);
	skb_set_network_header(skb, dev_has_header(dev) ?
				    dev->hard_header_len : 0);
	skb_probe_transport_header(skb);
	return skb;

err_free:
	kfree_skb(skb);
	return NULL;
}

/* Account frames sent and refused, in process context. */
static void npf_xmit_count(struct npf_open *o, u64 sent, u64 bytes, u64 err)
{
	local_bh_disable();
	npf_count_add(o->stats, NPF_STAT_SENT, sent);
	npf_count_add(o->stats, NPF_STAT_SENT_BYTES, bytes);
	npf_count_add(o->stats, NPF_STAT_SENT_ERR, err);
	local_bh_enable();
}

/* One repeat run: its frame, and how far it got. */
struct npf_xmit_run {
	struct npf_open *o;
	struct sk_buff *skb;	/* the frame; NULL once the last send took it */
	u32 left;		/* copies still to send */
	u64 sent;
	u64 errors;
};

/*
 * Up to NPF_XMIT_BATCH copies of the frame, charged to the send buffer
 * (stopping where it is full), the last send being the frame itself.
 * Returns how many are in @batch; 0 only when a clone failed.
 */
static u32 npf_xmit_clone_batch(struct npf_xmit_run *r, struct sk_buff **batch)
{
	u32 n = 0, max = min_t(u32, r->left, NPF_XMIT_BATCH);

	while (n < max && (!n || sock_writeable(r->o->sk))) {
		if (r->left - n == 1) {
			batch[n++] = r->skb;
			r->skb = NULL;
			break;
		}
		batch[n] = skb_clone(r->skb, GFP_KERNEL);
		if (!batch[n])
			break;
		skb_set_owner_w(batch[n++], r->o->sk);
	}
	return n;
}

/*
 * Hand @n frames to the adapter with bottom halves off: the receive work
 * they cause (a veth peer's, the taps') then runs once for the batch when
 * they are turned back on, instead of once per frame.
 */
static void npf_xmit_send_batch(struct npf_xmit_run *r, struct sk_buff **batch,
				u32 n)
{
	u32 i;
	int rc;

	local_bh_disable();
	for (i = 0; i < n; i++) {
		/* net_xmit_eval() evaluates its argument twice. */
		rc = dev_queue_xmit(batch[i]);
		if (net_xmit_eval(rc))
			r->errors++;
		else
			r->sent++;
	}
	local_bh_enable();
	r->left -= n;
}

/*
 * Send @skb @reps times (consuming it): clones share its data. Stops early,
 * with -EINTR, on a signal. A frame the qdisc or driver refuses is counted
 * as an error, not retried. Returns 0 or the error that stopped it.
 */
static int npf_xmit_repeat(struct npf_open *o, struct sk_buff *skb, u32 reps,
			   bool nonblock)
{
	struct npf_xmit_run r = { .o = o, .skb = skb, .left = reps };
	struct sk_buff *batch[NPF_XMIT_BATCH];
	u32 len = skb->len, n;
	int ret = 0;

	while (r.left) {
		/*
		 * The first copy's room was found when it was built, and it
		 * goes whatever signal is pending, so that a storm of signals
		 * cannot keep a call from making progress; after it, a signal
		 * ends the call, and bs_sent tells how far it got.
		 */
		ret = r.left == reps ? 0 : signal_pending(current) ? -EINTR :
		      npf_xmit_wait_room(o, skb->dev, nonblock);
		if (ret) {
			if (ret == -ERESTARTSYS)
				ret = -EINTR;
			break;
		}
		if (npf_xmit_moved(o, skb->dev)) {
			ret = -ENODEV;
			break;
		}
		if (!netif_running(skb->dev)) {
			ret = -ENETDOWN;
			break;
		}
		n = npf_xmit_clone_batch(&r, batch);
		if (!n) {
			ret = -ENOBUFS;
			break;
		}
		npf_xmit_send_batch(&r, batch, n);
		cond_resched();
	}
	kfree_skb(r.skb);
	npf_xmit_count(o, r.sent, r.sent * len, r.errors);
	return ret;
}

/*
 * write(): one frame, link header included, no FCS, sent BIOCSWRITEREP
 * times. Returns @len once every copy was handed to the adapter (frames the
 * qdisc or driver refused are counted in bs_senterr), or an error; a
 * signal during a long repeat ends it with -EINTR, and bs_sent tells how
 * many went out.
 */
ssize_t npf_xmit_write(struct npf_open *o, const char __user *ubuf,
		       size_t len, bool nonblock)
{
	u32 reps = READ_ONCE(o->write_rep);
	netdevice_tracker tracker;
	struct net_device *dev;
	struct sk_buff *skb;
	int err;

	dev = npf_xmit_get_dev(o, &tracker);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	skb = npf_xmit_build(o, dev, ubuf, len, nonblock, &err);
	if (!skb)
		goto out;
	if (!reps) {
		kfree_skb(skb);
		err = 0;
		goto out;
	}
	err = npf_xmit_repeat(o, skb, reps, nonblock);
out:
	netdev_put(dev, &tracker);
	return err ? err : len;
}

/*
 * SYNC queues: sleep (hrtimer) until @target, or spin for gaps too short
 * to sleep for. The adapter going away or being replaced ends the sleep:
 * the device reference held meanwhile must not stall its unregistration.
 * 0, -ENODEV or -ERESTARTSYS.
 */
static int npf_xmit_wait_until(struct npf_open *o, struct net_device *dev,
			       ktime_t target)
{
	ktime_t left = ktime_sub(target, ktime_get());
	long ret;

	if (left <= 0)
		return 0;
	if (left < NPF_XMIT_SPIN_NS) {
		while (ktime_before(ktime_get(), target))
			cpu_relax();
		return 0;
	}
	ret = wait_event_interruptible_hrtimeout(o->wait,
						 npf_xmit_moved(o, dev), left);
	if (ret == -ERESTARTSYS)
		return ret;
	return npf_xmit_moved(o, dev) ? -ENODEV : 0;
}

static ktime_t npf_xmit_entry_time(const struct npf_sendq_hdr *h)
{
	return ktime_set(h->tv_sec, (u64)h->tv_usec * NSEC_PER_USEC);
}

/* A SYNC queue's clock: entry i leaves at start + (ts[i] - first). */
struct npf_xmit_clock {
	ktime_t start;
	ktime_t first;
	bool set;
};

/*
 * A SYNC queue that a signal stopped leaves its clock behind for the call
 * that resumes it (at buf + consumed, as the contract says), so that a
 * caller whose signal handler fires often still gets the queue's timing.
 * Any other queue finds nothing.
 */
static void npf_xmit_clock_resume(struct npf_open *o, u64 buf, u32 len,
				  struct npf_xmit_clock *c)
{
	spin_lock(&o->resume_lock);
	if (o->resume.len && o->resume.buf == buf && o->resume.len == len) {
		c->start = o->resume.start;
		c->first = o->resume.first;
		c->set = true;
	}
	o->resume.len = 0;
	spin_unlock(&o->resume_lock);
}

static void npf_xmit_clock_leave(struct npf_open *o, u64 buf, u32 len,
				 const struct npf_xmit_clock *c)
{
	spin_lock(&o->resume_lock);
	o->resume.buf = buf;
	o->resume.len = len;
	o->resume.start = c->start;
	o->resume.first = c->first;
	spin_unlock(&o->resume_lock);
}

/* SYNC: wait for the departure time of the entry stamped @h. */
static int npf_xmit_wait_entry(struct npf_open *o, struct net_device *dev,
			       struct npf_xmit_clock *c,
			       const struct npf_sendq_hdr *h)
{
	ktime_t ts = npf_xmit_entry_time(h);

	if (!c->set) {
		c->start = ktime_get();
		c->first = ts;
		c->set = true;
	}
	return npf_xmit_wait_until(o, dev,
				   ktime_add(c->start, ktime_sub(ts, c->first)));
}

/*
 * Send the queue's entries in order, once each; *@consumed counts the bytes
 * of the entries sent. With @c (SYNC), entry i leaves at the first entry's
 * departure plus (ts[i] - ts[0]).
 */
static int npf_xmit_queue(struct npf_open *o, struct net_device *dev,
			  const u8 __user *buf, u32 len,
			  struct npf_xmit_clock *c, u32 *consumed)
{
	struct npf_sendq_hdr h;
	struct sk_buff *skb;
	int err = 0;

	*consumed = 0;
	while (len - *consumed >= sizeof(h)) {
		const u8 __user *entry = buf + *consumed;

		/* The first entry goes whatever is pending: see npf_xmit_repeat(). */
		if (*consumed && signal_pending(current))
			return -EINTR;

		if (copy_from_user(&h, entry, sizeof(h)))
			return -EFAULT;
		if (!h.caplen || h.caplen > len - *consumed - sizeof(h))
			return -EINVAL;
		skb = npf_xmit_build(o, dev, entry + sizeof(h), h.caplen,
				     false, &err);
		if (!skb)
			return err;
		if (c) {
			err = npf_xmit_wait_entry(o, dev, c, &h);
			if (err) {
				kfree_skb(skb);
				return err;
			}
		}
		err = npf_xmit_repeat(o, skb, 1, false);
		if (err)
			return err;
		*consumed += sizeof(h) + h.caplen;
	}
	/* Trailing bytes too short for an entry header: malformed. */
	return len == *consumed ? 0 : -EINVAL;
}

/*
 * A signal stopped the queue: before its first entry left, the call starts
 * over as any syscall does; after it, a restart would send the entries
 * again, so the call fails with EINTR and consumed says where to resume.
 */
static int npf_xmit_queue_signal(struct npf_open *o, const struct npf_sendq *q,
				 const struct npf_xmit_clock *c, u32 consumed)
{
	if (!consumed)
		return -ERESTARTSYS;
	if (c)
		npf_xmit_clock_leave(o, q->buf + consumed, q->len - consumed, c);
	return -EINTR;
}

/*
 * BIOCSENDPACKETSNOSYNC / BIOCSENDPACKETSSYNC. The bytes of whole entries
 * sent are written back to npf_sendq.consumed whether or not the queue
 * ended with an error.
 */
long npf_xmit_sendq(struct npf_open *o, void __user *arg, bool sync)
{
	struct npf_sendq __user *uq = arg;
	struct npf_xmit_clock clock = {};
	netdevice_tracker tracker;
	struct net_device *dev;
	struct npf_sendq q;
	u32 consumed = 0;
	int err;

	if (copy_from_user(&q, uq, sizeof(q)))
		return -EFAULT;
	if (sync)
		npf_xmit_clock_resume(o, q.buf, q.len, &clock);
	dev = npf_xmit_get_dev(o, &tracker);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
	} else {
		err = npf_xmit_queue(o, dev, u64_to_user_ptr(q.buf), q.len,
				     sync ? &clock : NULL, &consumed);
		netdev_put(dev, &tracker);
	}
	if (err == -ERESTARTSYS || err == -EINTR)
		err = npf_xmit_queue_signal(o, &q, sync ? &clock : NULL,
					    consumed);
	if (put_user(consumed, &uq->consumed))
		return -EFAULT;
	return err;
}
