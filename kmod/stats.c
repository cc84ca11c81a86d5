// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: the BIOCGSTATS counters of every open, and MODE_STAT, NPF's
 * statistics mode, where the filter only classifies and the application
 * reads, once per read timeout, how many packets and bytes it accepted.
 * Nothing is copied and nothing is allocated per packet: the tap bumps the
 * same per-CPU counters in both modes, and both kinds of reset are
 * snapshots, so the data path never sees a reset.
 */

#include <linux/ktime.h>
#include <linux/npf.h>
#include <linux/uaccess.h>

#include "adapter.h"
#include "dump.h"
#include "internal.h"
#include "stats.h"
#include "wait.h"

/* Totals of every CPU since the open was created. */
static void npf_stats_raw(struct npf_open *o, struct npf_counts *c)
{
	int cpu, i;

	memset(c, 0, sizeof(*c));
	for_each_possible_cpu(cpu) {
		const struct npf_pcpu_stats *s = per_cpu_ptr(o->stats, cpu);
		struct npf_counts one;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < NPF_STAT_MAX; i++)
				one.c[i] = u64_stats_read(&s->c[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < NPF_STAT_MAX; i++)
			c->c[i] += one.c[i];
	}
}

/* Zero what BIOCGSTATS reports. Called with o->lock held. */
void npf_stats_zero(struct npf_open *o)
{
	npf_stats_raw(o, &o->stats_base);
}

/* The counters since they were last zeroed. */
void npf_stats_get(struct npf_open *o, struct npf_counts *c)
{
	int i;

	npf_stats_raw(o, c);
	for (i = 0; i < NPF_STAT_MAX; i++)
		c->c[i] -= READ_ONCE(o->stats_base.c[i]);
}

/* BIOCGSTATS (WinPcap's 32-bit counters) and BIOCGSTATSEX. o->lock held. */
long npf_stats_ioctl(struct npf_open *o, void __user *arg, bool ex)
{
	struct bpf_stat s32;
	struct npf_stats s;
	struct npf_counts c;

	npf_stats_get(o, &c);
	s.bs_recv = c.c[NPF_STAT_RECV];
	s.bs_drop = c.c[NPF_STAT_DROP];
	s.ps_ifdrop = o->bound ? npf_adapter_ifdrop(o) : 0;
	s.bs_capt = c.c[NPF_STAT_CAPT];
	s.bs_filtered = c.c[NPF_STAT_FILTERED];
	s.bs_nomem = c.c[NPF_STAT_NOMEM];
	s.bs_sent = c.c[NPF_STAT_SENT];
	s.bs_sent_bytes = c.c[NPF_STAT_SENT_BYTES];
	s.bs_senterr = c.c[NPF_STAT_SENT_ERR];
	if (ex)
		return copy_to_user(arg, &s, sizeof(s)) ? -EFAULT : 0;

	/* They wrap, as WinPcap's did; bs_drop counts every loss. */
	s32.bs_recv = s.bs_recv;
	s32.bs_drop = s.bs_drop + s.bs_nomem;
	s32.ps_ifdrop = s.ps_ifdrop;
	s32.bs_capt = s.bs_capt;
	return copy_to_user(arg, &s32, sizeof(s32)) ? -EFAULT : 0;
}

/* Start a new MODE_STAT interval now. Called with o->lock held. */
void npf_stats_mode_reset(struct npf_open *o)
{
	npf_stats_raw(o, &o->stat_mark);
	WRITE_ONCE(o->stat_start, ktime_get());
}

/* Time left in the current MODE_STAT interval, 0 when it is over. */
ktime_t npf_stats_left(const struct npf_open *o)
{
	s32 timeout = READ_ONCE(o->timeout_ms);
	ktime_t end;

	if (timeout == -1)
		return 0;
	if (!timeout)
		return KTIME_MAX;
	end = ktime_add_ms(READ_ONCE(o->stat_start), timeout);
	return max_t(ktime_t, ktime_sub(end, ktime_get()), 0);
}

/*
 * Whether the interval is over. Intervals run from one read to the next,
 * not from the read call, so that periodic readers see no drift.
 */
bool npf_stats_due(const struct npf_open *o)
{
	return !npf_stats_left(o);
}

/*
 * Fill the record for the interval ending now; returns its size: with
 * MODE_DUMP it carries the dump file's size too.
 */
static size_t npf_stats_fill(struct npf_open *o,
			     struct npf_stat_dump_record *drec,
			     struct npf_counts *now)
{
	struct npf_stat_record *rec = &drec->stat;
	size_t size = sizeof(*rec);
	struct timespec64 ts;

	ktime_get_real_ts64(&ts);
	npf_stats_raw(o, now);
	memset(drec, 0, sizeof(*drec));
	if (o->mode & NPF_MODE_DUMP) {
		drec->dump_bytes = npf_dump_bytes(o);
		size = sizeof(*drec);
	}
	rec->hdr.bh_tstamp.tv_sec = ts.tv_sec;
	rec->hdr.bh_tstamp.tv_usec = o->tstamp_nano ? ts.tv_nsec :
						      ts.tv_nsec / NSEC_PER_USEC;
	rec->hdr.bh_caplen = size - sizeof(rec->hdr);
	rec->hdr.bh_datalen = size - sizeof(rec->hdr);
	rec->hdr.bh_hdrlen = sizeof(rec->hdr);
	/* Accepted: stored or, with MODE_DUMP, dropped by a full ring. */
	rec->packets = now->c[NPF_STAT_CAPT] - o->stat_mark.c[NPF_STAT_CAPT] +
		       now->c[NPF_STAT_DROP] - o->stat_mark.c[NPF_STAT_DROP];
	rec->bytes = now->c[NPF_STAT_BYTES] - o->stat_mark.c[NPF_STAT_BYTES];
	return size;
}

/*
 * read() in MODE_STAT: wait for the end of the interval (the tap never
 * wakes us) or, with MODE_DUMP, the dump's end, then return one record
 * with what the filter accepted during it and start the next. A failed
 * copy loses nothing: the interval goes on.
 */
ssize_t npf_stats_read(struct npf_open *o, char __user *ubuf, size_t count,
		       bool nonblock)
{
	u32 mode = READ_ONCE(o->mode) & ~NPF_MODE_PAUSED;
	size_t need = mode & NPF_MODE_DUMP ?
		      sizeof(struct npf_stat_dump_record) :
		      sizeof(struct npf_stat_record);
	struct npf_stat_dump_record rec;
	struct npf_counts now;
	ssize_t ret;
	size_t size;

	if (count < need)
		return -EMSGSIZE;
	/* An interval that never ends would make read() sleep forever. */
	if (!READ_ONCE(o->timeout_ms))
		return -EINVAL;
	ret = npf_stat_wait(o, nonblock);
	if (ret)
		return ret;

	if (mutex_lock_interruptible(&o->lock))
		return -ERESTARTSYS;
	/*
	 * A reconfiguration while we waited (a new mode, a new interval):
	 * start over, in the new mode.
	 */
	if (o->mode != mode || !npf_ready(o)) {
		mutex_unlock(&o->lock);
		return -NPF_EMODE;
	}
	size = npf_stats_fill(o, &rec, &now);
	if (READ_ONCE(o->gone) && !rec.stat.packets) {
		ret = -ENODEV;
	} else if (size > count || copy_to_user(ubuf, &rec, size)) {
		ret = size > count ? -EMSGSIZE : -EFAULT;
	} else {
		o->stat_mark = now;
		WRITE_ONCE(o->stat_start, ktime_get());
		/* The dump's end, if it came, is told now. */
		WRITE_ONCE(o->dump.end_told, READ_ONCE(o->dump.ended));
		npf_poll_rearm(o);
		ret = size;
	}
	mutex_unlock(&o->lock);
	return ret;
}
