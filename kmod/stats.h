/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_STATS_H
#define _NPF_STATS_H

#include <linux/compiler_types.h>
#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>

struct npf_open;

/* What the tap counts; see "Counters" in uapi/linux/npf.h. */
enum npf_stat {
	NPF_STAT_RECV,
	NPF_STAT_CAPT,		/* stored, or counted in MODE_STAT */
	NPF_STAT_DROP,
	NPF_STAT_FILTERED,
	NPF_STAT_NOMEM,
	NPF_STAT_BYTES,		/* frame bytes behind NPF_STAT_CAPT */
	NPF_STAT_SENT,
	NPF_STAT_SENT_BYTES,
	NPF_STAT_SENT_ERR,
	NPF_STAT_MAX
};

/* Per CPU, so that CPUs delivering at once never share a cache line. */
struct npf_pcpu_stats {
	u64_stats_t c[NPF_STAT_MAX];
	struct u64_stats_sync syncp;
};

struct npf_counts {
	u64 c[NPF_STAT_MAX];
};

/* Data path only: BHs are off, so this CPU's counters are ours. */
static inline void npf_count_add(struct npf_pcpu_stats __percpu *stats,
				 enum npf_stat which, u64 n)
{
	struct npf_pcpu_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->c[which], n);
	u64_stats_update_end(&s->syncp);
}

void npf_stats_zero(struct npf_open *o);
void npf_stats_get(struct npf_open *o, struct npf_counts *c);
long npf_stats_ioctl(struct npf_open *o, void __user *arg, bool ex);
void npf_stats_mode_reset(struct npf_open *o);
bool npf_stats_due(const struct npf_open *o);
ktime_t npf_stats_left(const struct npf_open *o);
ssize_t npf_stats_read(struct npf_open *o, char __user *ubuf, size_t count,
		       bool nonblock);

#endif /* _NPF_STATS_H */
