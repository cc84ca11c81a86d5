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
#include <linux/slab.h>

#include "filter.h"
#include "internal.h"

/*
 * The most bytes the program can keep: its largest "ret #k" (a "ret a"
 * could return anything). The dump file header needs it.
 */
static u32 npf_filter_snaplen(const struct sock_filter *insns, u32 len)
{
	u32 snap = 0, i;

	for (i = 0; i < len; i++) {
		if (BPF_CLASS(insns[i].code) != BPF_RET)
			continue;
		if (BPF_RVAL(insns[i].code) == BPF_A)
			return NPF_MAX_SNAPLEN;
		snap = max(snap, insns[i].k);
	}
	/* A program that keeps nothing: any header value is right. */
	return snap ? min_t(u32, snap, NPF_MAX_SNAPLEN) : NPF_MAX_SNAPLEN;
}

/* What a new program makes of the open's filter settings. */
struct npf_filter_new {
	struct bpf_prog *prog;
	u32 snaplen;
	u32 k;		/* with @is_const: what the program always returns */
	bool is_const;
};

static int npf_filter_create(struct npf_filter_new *f,
			     const struct npf_program *p)
{
	struct sock_fprog_kern fprog = { .len = p->bf_len };
	int ret;

	f->prog = NULL;
	f->snaplen = NPF_MAX_SNAPLEN;
	f->is_const = false;
	if (p->bf_pad || p->bf_len > NPF_MAXINSNS)
		return -EINVAL;
	if (!p->bf_len)
		return 0;
	fprog.filter = memdup_user(u64_to_user_ptr(p->bf_insns),
				   p->bf_len * sizeof(*fprog.filter));
	if (IS_ERR(fprog.filter))
		return PTR_ERR(fprog.filter);
	/*
	 * Checks the program (-EINVAL), converts it and JITs it; a JIT that
	 * ran out of memory (or of bpf_jit_limit) says -ENOTSUPP, which is
	 * not an errno user space knows.
	 */
	ret = bpf_prog_create(&f->prog, &fprog);
	if (ret == -ENOTSUPP)
		ret = -ENOMEM;
	if (!ret) {
		f->snaplen = npf_filter_snaplen(fprog.filter, fprog.len);
		f->is_const = fprog.len == 1 &&
			      fprog.filter[0].code == (BPF_RET | BPF_K);
		f->k = fprog.filter[0].k;
	}
	kfree(fprog.filter);
	return ret;
}

/*
 * Install @p, or remove the filter when it is empty. A rejected program
 * leaves the previous filter in force. Once the new program is visible to
 * every CPU the ring is flushed and the counters zeroed, so that nothing
 * the old filter accepted is read afterwards. Called with o->lock held.
 */
int npf_filter_set(struct npf_open *o, const struct npf_program *p)
{
	struct npf_filter_new f;
	struct bpf_prog *old;
	int ret;

	ret = npf_filter_create(&f, p);
	if (ret)
		return ret;

	/* No tap runs the old program once npf_pause() returns. */
	npf_pause(o);
	old = rcu_replace_pointer(o->filter, f.prog, lockdep_is_held(&o->lock));
	o->snaplen = f.snaplen;
	o->filter_const = f.is_const;
	o->filter_k = f.k;
	npf_resume(o, o->mode & ~NPF_MODE_PAUSED);
	npf_dump_filter_changed(o);
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
