/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_FILTER_H
#define _NPF_FILTER_H

#include <linux/filter.h>
#include <linux/npf.h>

#include "internal.h"

int npf_filter_set(struct npf_open *o, const struct npf_program *prog);
void npf_filter_release(struct npf_open *o);

/*
 * The snap length @o's filter @prog gives @skb (whose data starts at the
 * link header): 0 rejects it. Runs the kernel's JIT image of the program,
 * unless the program is a lone "ret #k" (libpcap's program for an empty
 * expression): then k is the answer, without a call and without saving
 * and restoring skb->cb around it.
 */
static inline u32 npf_filter_run(const struct npf_open *o,
				 const struct bpf_prog *prog,
				 struct sk_buff *skb)
{
	if (!prog)
		return U32_MAX;
	if (o->filter_const)
		return o->filter_k;
	return bpf_prog_run_save_cb(prog, skb);
}

#endif /* _NPF_FILTER_H */
