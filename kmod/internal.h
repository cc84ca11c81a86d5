/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state of one open of /dev/npf and the rules every stage shares about
 * it, in one place (as net/packet/internal.h keeps struct packet_sock).
 */
#ifndef _NPF_INTERNAL_H
#define _NPF_INTERNAL_H

#include <linux/bpf.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <net/net_namespace.h>

#include "dump.h"
#include "ring.h"
#include "stats.h"

#define NPF_MODULE_VERSION	"1.0"

/* Defaults of a new open: WinPcap's, where it had one. */
#define NPF_DEFAULT_BUFFER_SIZE	1000000	/* WinPcap's default ring */
#define NPF_MIN_BUFFER_SIZE	4096
#define NPF_DEFAULT_TIMEOUT_MS	1000	/* WinPcap's read timeout */
#define NPF_DEFAULT_MIN_TO_COPY	16000	/* libpcap-on-Windows' MinToCopy */
#define NPF_MAX_SNAPLEN		262144	/* tcpdump's */

/* o->mode bit while a reconfiguration is under way: the tap ignores frames. */
#define NPF_MODE_PAUSED		0x80000000

/*
 * One open of /dev/npf: NPF's OPEN_INSTANCE.
 *
 * Locking: @lock serialises ioctls, reads and (un)binding of this open.
 * The binding itself (@dev, @gone, @bound_node, the packet_type and the
 * promiscuity this open holds) is changed only under RTNL as well, because
 * the netdevice notifier, which runs under RTNL and cannot take @lock,
 * detaches opens whose adapter goes away. Lock order: @lock, then RTNL,
 * then @ring.lock. The data path (the tap) takes no mutex: it reads the
 * filter under RCU and takes only @ring.lock. Sleepers that hold a
 * reference to @dev (transmit) wait for @dev to change, and detaching
 * wakes them: see npf_xmit_moved().
 */
struct npf_open {
	struct mutex lock;		/* see above */
	struct list_head node;		/* in npf_opens */
	u64 id;				/* for npfctl */
	struct pid *opener;		/* for npfctl */
	struct net *net;		/* the opener's namespace */
	netns_tracker ns_tracker;

	struct net_device *dev;		/* bound adapter; NULL once it is gone */
	netdevice_tracker dev_tracker;
	struct packet_type ptype;
	struct list_head bound_node;	/* in the adapter list, under RTNL */
	bool bound;			/* BIOCSETIF succeeded at least once */
	bool gone;			/* the bound adapter was unregistered */
	bool promisc;			/* this open holds a promiscuity ref */
	bool allmulti;			/* ... and an allmulti ref */
	u32 packet_filter;		/* NDIS_PACKET_TYPE_* last set */
	u8 *mc_list;			/* multicast addresses this open holds */
	u32 mc_count;
	u32 mc_addr_len;		/* their length when they were added */
	u32 linktype;			/* LINKTYPE_* of the bound adapter */
	u64 ifdrop_base;		/* adapter drops when bound */
	u64 ifdrop_final;		/* adapter drops when it went away */

	struct bpf_prog __rcu *filter;	/* NULL: keep every frame whole */
	u32 snaplen;			/* the most the filter can keep */
	bool filter_const;		/* the filter is "ret #filter_k" */
	u32 filter_k;
	struct npf_ring ring;
	struct npf_pcpu_stats __percpu *stats;
	struct npf_counts stats_base;	/* subtracted: zeroing is a snapshot */
	struct npf_counts stat_mark;	/* MODE_STAT: raw totals at last read */
	ktime_t stat_start;		/* MODE_STAT: start of this interval */
	u32 mode;			/* NPF_MODE_* */

	/* The delayed-write rule and its wakeups: kmod/wait.c. */
	wait_queue_head_t wait;
	unsigned long woken;		/* bit 0: the tap woke the reader */
	struct timer_list poll_timer;	/* read timeout for poll() */
	bool timed_out;			/* poll's read timeout expired */
	s32 timeout_ms;			/* 0 forever, -1 immediate */
	u32 min_to_copy;
	bool tstamp_nano;
	u32 recfmt;			/* NPF_RECFMT_*: layout of reads */

	struct sock *sk;		/* owns what this open transmits */
	u32 write_rep;			/* BIOCSWRITEREP */
	/* A SYNC send queue a signal stopped, for the call resuming it. */
	spinlock_t resume_lock;
	struct {
		u64 buf;		/* user address of its next entry */
		u32 len;		/* bytes left; 0: nothing to resume */
		ktime_t start;		/* its clock */
		ktime_t first;
	} resume;

	struct npf_dump dump;		/* MODE_DUMP */
};

static inline void npf_count(struct npf_open *o, enum npf_stat which)
{
	npf_count_add(o->stats, which, 1);
}

/* Reconfiguration brackets: kmod/dev.c. */
void npf_pause(struct npf_open *o);
void npf_resume(struct npf_open *o, u32 mode);
void npf_unpause(struct npf_open *o, u32 mode);

extern unsigned int npf_max_buffer_size;

/* Every open, for the netlink family. */
extern struct list_head npf_opens;
extern struct mutex npf_opens_lock;

#endif /* _NPF_INTERNAL_H */
