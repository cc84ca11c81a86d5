/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_DEV_H
#define _NPF_DEV_H

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
 * filter under RCU and takes only @ring.lock.
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

	wait_queue_head_t wait;
	unsigned long woken;		/* bit 0: the tap woke the reader */
	struct timer_list poll_timer;	/* read timeout for poll() */
	bool timed_out;			/* poll's read timeout expired */
	s32 timeout_ms;			/* 0 forever, -1 immediate */
	u32 min_to_copy;
	bool tstamp_nano;
	u32 recfmt;			/* NPF_RECFMT_*: layout of reads */
	atomic_t mapped;		/* mappings of the ring (vmas) */

	struct sock *sk;		/* owns what this open transmits */
	u32 write_rep;			/* BIOCSWRITEREP */

	struct npf_dump dump;		/* MODE_DUMP */
};

static inline void npf_count(struct npf_open *o, enum npf_stat which)
{
	npf_count_add(o->stats, which, 1);
}

bool npf_ready(const struct npf_open *o);
void npf_pause(struct npf_open *o);
void npf_resume(struct npf_open *o, u32 mode);
void npf_wake(struct npf_open *o, __poll_t mask);
void npf_wake_reader(struct npf_open *o);
void npf_poll_rearm(struct npf_open *o);
int npf_capt_wait(struct npf_open *o, bool nonblock);
void npf_read_done(struct npf_open *o);
void npf_rearm_wakeup(struct npf_open *o);

int npf_dev_init(void);
void npf_dev_exit(void);

extern unsigned int npf_max_buffer_size;

/* Every open, for the netlink family. */
extern struct list_head npf_opens;
extern struct mutex npf_opens_lock;

#endif /* _NPF_DEV_H */
