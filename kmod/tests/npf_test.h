/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the npf KUnit suites (npf_kunit.ko).
 *
 * User memory: KUnit (6.1) runs every case in a kernel thread, which has
 * no user address space, so copy_{to,from}_user() would always fail. The
 * suites that go through the real ioctl/read/write paths borrow the
 * address space of the process that loaded the module (insmod, blocked in
 * finit_module() while the suites run: their suite_init runs in its
 * context): npf_test_mm_get() takes a reference in suite_init, and
 * npf_test_ualloc() attaches it to the case's thread (kthread_use_mm) and
 * maps anonymous memory in it. Without such a process (built in), those
 * cases are skipped.
 */
#ifndef _NPF_TEST_H
#define _NPF_TEST_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/filter.h>
#include <linux/npf.h>
#include <linux/uaccess.h>

struct npf_open;

int npf_test_mm_get(struct kunit_suite *suite);
void npf_test_mm_put(struct kunit_suite *suite);
void __user *npf_test_ualloc(struct kunit *test, size_t size);

/* Call @fn(resource with ->data = @data) when the case ends (LIFO). */
void npf_test_on_exit(struct kunit *test, kunit_resource_free_t fn, void *data);

/* Copy to or from user memory, failing the case when it faults. */
#define NPF_TEST_PUT(test, uptr, src, len)				\
	KUNIT_ASSERT_EQ(test, copy_to_user(uptr, src, len), 0UL)
#define NPF_TEST_GET(test, dst, uptr, len)				\
	KUNIT_ASSERT_EQ(test, copy_from_user(dst, uptr, len), 0UL)

/* A user address that is never mapped (below mmap_min_addr). */
#define NPF_TEST_BADPTR	((void __user *)16)

/*
 * A struct npf_open with what the stage under test needs, test-managed
 * (freed, ring and counters included, when the case ends): zeroed, ring
 * of @ring_size bytes (0: 4096), per-CPU counters, locks, the wait queue
 * and poll()'s read timeout (npf_wait_init()), dump state initialised,
 * the defaults of a fresh open, o->net the initial namespace. Not bound,
 * no socket, not in npf_opens. (dev.c's npf_open() is static:
 * dev_test.c uses the real one.)
 */
struct npf_open *npf_test_open(struct kunit *test, u32 ring_size);

/* Add @n to a counter as the tap does (BHs off). */
void npf_test_count(struct npf_open *o, int which, u64 n);

/*
 * Put one record of @caplen bytes (each byte @fill, bh_datalen @datalen,
 * 0 = @caplen) in the ring as the tap does. Returns the record or NULL
 * when the ring refused it.
 */
struct bpf_hdr *npf_test_put_rec(struct npf_open *o, u32 caplen, u32 datalen,
				 u8 fill);

/*
 * Fault injection (CONFIG_FAILSLAB): make the @n-th slab allocation of
 * this task from now on fail (n >= 1), as /proc/self/fail-nth does.
 * npf_test_fail_off() disarms and returns how many allocations were
 * still to come before the failure: non-zero means it never happened.
 * Needs failslab to act on GFP_KERNEL (ignore-gfp-wait = N, verbose = 0:
 * scripts/kernel/kunit-guest.sh does it); the case is skipped otherwise.
 */
void npf_test_fail_nth(struct kunit *test, unsigned int n);
unsigned int npf_test_fail_off(void);

#endif /* _NPF_TEST_H */
