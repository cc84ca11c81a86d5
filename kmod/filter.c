// SPDX-License-Identifier: GPL-2.0
/*
 * Classic-BPF filters. NPF validated programs and JIT-compiled them with
 * its own jitter; here the kernel's checker (bpf_check_classic), its
 * cBPF-to-eBPF converter and the architecture's JIT do that work, through
 * bpf_prog_create_from_user(), exactly as for SO_ATTACH_FILTER.
 */

#include <linux/filter.h>
#include <linux/kernel.h>
#include <linux/netdevice.h>

#include "dev.h"
#include "filter.h"

static int npf_filter_create(struct bpf_prog **progp,
			     const struct npf_program *p)
{
	struct sock_fprog fprog = {
		.len = p->bf_len,
		.filter = u64_to_user_ptr(p->bf_insns),
	};

	*progp = NULL;
	if (p->bf_pad || p->bf_len > NPF_MAXINSNS)
		return -EINVAL;
	if (!p->bf_len)
		return 0;
	/* Copies the program in (-EFAULT), checks it (-EINVAL), JITs it. */
	return bpf_prog_create_from_user(progp, &fprog, NULL, false);
}

/*
 * Install @p, or remove the filter when it is empty. A rejected program
 * leaves the previous filter in force. Once the new program is visible to
 * every CPU the ring is flushed and the counters zeroed, so that nothing
 * the old filter accepted is read afterwards. Called with o->lock held.
 */
int npf_filter_set(struct npf_open *o, const struct npf_program *p)
{
	struct bpf_prog *prog, *old;
	int ret;

	ret = npf_filter_create(&prog, p);
	if (ret)
		return ret;

	old = rcu_replace_pointer(o->filter, prog, lockdep_is_held(&o->lock));
	/* Wait for taps still running the old program before flushing. */
	synchronize_net();
	npf_ring_flush(&o->ring);
	npf_stats_zero(o);
	if (old)
		bpf_prog_destroy(old);
	return 0;
}

/* At release, when no tap can run any more. */
void npf_filter_release(struct npf_open *o)
{
	struct bpf_prog *prog = rcu_dereference_protected(o->filter, 1);

	RCU_INIT_POINTER(o->filter, NULL);
	if (prog)
		bpf_prog_destroy(prog);
}
