// SPDX-License-Identifier: GPL-2.0
/*
 * npf_kunit.ko: the KUnit suites of npf. The suites are registered by
 * kunit_test_suites() in each *_test.c and run when the module is loaded;
 * this file has what they share (see npf_test.h) and what kmod/main.c
 * would otherwise provide.
 */

#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <kunit/resource.h>

#include "filter.h"
#include "internal.h"
#include "wait.h"
#include "xmit.h"
#include "npf_test.h"

/* kmod/main.c's module parameter, at its default. */
unsigned int npf_max_buffer_size = 128 << 20;

void npf_test_on_exit(struct kunit *test, kunit_resource_free_t fn, void *data)
{
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL, fn,
							 GFP_KERNEL, data));
}

/* --- user memory ----------------------------------------------------------- */

static struct mm_struct *npf_test_mm;
static unsigned int npf_test_mm_refs;

/* suite_init: runs in the context of the process loading the module. */
int npf_test_mm_get(struct kunit_suite *suite)
{
	struct mm_struct *mm = current->mm;

	if (!mm || (current->flags & PF_KTHREAD))
		return 0;
	if (npf_test_mm && npf_test_mm != mm)
		return 0;
	mmget(mm);
	npf_test_mm = mm;
	npf_test_mm_refs++;
	return 0;
}

void npf_test_mm_put(struct kunit_suite *suite)
{
	struct mm_struct *mm = npf_test_mm;

	if (!npf_test_mm_refs || current->mm != mm)
		return;
	if (!--npf_test_mm_refs)
		npf_test_mm = NULL;
	mmput(mm);
}

static void npf_test_detach(struct kunit_resource *res)
{
	struct mm_struct *mm = res->data;

	/*
	 * Normally in the case's thread. After a failed assertion the
	 * thread is gone (its exit dropped the reference taken below) and
	 * this runs in the loading process: nothing to undo.
	 */
	if ((current->flags & PF_KTHREAD) && current->mm == mm) {
		kthread_unuse_mm(mm);
		mmput(mm);
	}
}

struct npf_test_umap {
	unsigned long addr;
	size_t len;
};

static void npf_test_unmap(struct kunit_resource *res)
{
	struct npf_test_umap *m = res->data;

	if (current->mm && current->mm == npf_test_mm)
		vm_munmap(m->addr, m->len);
}

void __user *npf_test_ualloc(struct kunit *test, size_t size)
{
	struct npf_test_umap *m;
	unsigned long addr;

	if (!npf_test_mm)
		kunit_skip(test, "no user address space to borrow");
	if (!current->mm) {
		mmget(npf_test_mm);
		kthread_use_mm(npf_test_mm);
		npf_test_on_exit(test, npf_test_detach, npf_test_mm);
	}
	KUNIT_ASSERT_PTR_EQ(test, current->mm, npf_test_mm);
	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->len = PAGE_ALIGN(size ? size : 1);
	addr = vm_mmap(NULL, 0, m->len, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "vm_mmap: %ld",
			       (long)addr);
	m->addr = addr;
	npf_test_on_exit(test, npf_test_unmap, m);
	return (void __user *)addr;
}

/* --- fault injection -------------------------------------------------------- */

void npf_test_fail_nth(struct kunit *test, unsigned int n)
{
#ifdef CONFIG_FAILSLAB
	static int armed = -1;

	if (armed < 0) {
		void *p;

		current->fail_nth = 1;
		p = kmalloc(32, GFP_KERNEL);
		armed = !p;
		current->fail_nth = 0;
		kfree(p);
	}
	if (!armed)
		kunit_skip(test, "failslab ignores GFP_KERNEL (ignore-gfp-wait)");
	current->fail_nth = n;
#else
	kunit_skip(test, "no CONFIG_FAILSLAB");
#endif
}

unsigned int npf_test_fail_off(void)
{
#ifdef CONFIG_FAULT_INJECTION
	unsigned int left = current->fail_nth;

	current->fail_nth = 0;
	return left;
#else
	return 1;
#endif
}

/* --- a hand-made open ---------------------------------------------------- */

static void npf_test_open_free(struct kunit_resource *res)
{
	struct npf_open *o = res->data;

	npf_wait_release(o);
	npf_dump_release(o);
	npf_filter_release(o);
	if (o->sk)
		npf_xmit_release(o);
	npf_ring_free(&o->ring);
	free_percpu(o->stats);
	mutex_destroy(&o->lock);
}

struct npf_open *npf_test_open(struct kunit *test, u32 ring_size)
{
	struct npf_open *o;

	o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	o->stats = alloc_percpu(struct npf_pcpu_stats);
	KUNIT_ASSERT_NOT_NULL(test, o->stats);
	if (npf_ring_init(&o->ring, ring_size ? ring_size : 4096)) {
		free_percpu(o->stats);
		KUNIT_ASSERT_FAILURE(test, "npf_ring_init(%u) failed", ring_size);
	}
	mutex_init(&o->lock);
	/* kmod/wait.c's own: the wait queue and poll()'s read timeout */
	npf_wait_init(o);
	INIT_LIST_HEAD(&o->node);
	INIT_LIST_HEAD(&o->bound_node);
	o->timeout_ms = NPF_DEFAULT_TIMEOUT_MS;
	o->min_to_copy = NPF_DEFAULT_MIN_TO_COPY;
	o->snaplen = NPF_MAX_SNAPLEN;
	o->stat_start = ktime_get();
	o->write_rep = 1;
	o->net = &init_net;
	npf_dump_init_open(o);
	npf_test_on_exit(test, npf_test_open_free, o);
	return o;
}

void npf_test_count(struct npf_open *o, int which, u64 n)
{
	local_bh_disable();
	npf_count_add(o->stats, which, n);
	local_bh_enable();
}

struct bpf_hdr *npf_test_put_rec(struct npf_open *o, u32 caplen, u32 datalen,
				 u8 fill)
{
	u32 len = NPF_WORDALIGN(sizeof(struct bpf_hdr) + caplen);
	struct bpf_hdr *h;

	spin_lock_bh(&o->ring.lock);
	h = npf_ring_reserve(&o->ring, len);
	if (h) {
		memset(h, 0, len);
		h->bh_tstamp.tv_sec = 1000 + fill;
		h->bh_tstamp.tv_usec = 123456;
		h->bh_caplen = caplen;
		h->bh_datalen = datalen ? datalen : caplen;
		h->bh_hdrlen = sizeof(*h);
		memset(h + 1, fill, caplen);
	}
	spin_unlock_bh(&o->ring.lock);
	return h;
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of npf (ring, records, wait, stats, dump, xmit, filter, oid, ioctl)");
