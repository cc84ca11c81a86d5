// SPDX-License-Identifier: GPL-2.0
/*
 * Zero-copy reads: the ring mapped read-only into the reader, which walks
 * the records in place (BIOCMMAPNEXT lends it a batch, the next call takes
 * the batch back). What read() costs beyond the tap is the copy of every
 * byte to user space; this is what af_packet's TPACKET rings avoid too.
 *
 * Pages are found at fault time under the ring's lock and each carries a
 * reference of its own, so a mapping never reaches freed memory; the ring
 * is not replaced while it is mapped (BIOCSETBUFFERSIZE: EBUSY).
 */

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/npf.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "internal.h"
#include "mmap.h"
#include "wait.h"

static void npf_vm_open(struct vm_area_struct *vma)
{
	struct npf_open *o = vma->vm_private_data;

	npf_ring_map_get(&o->ring);
}

static void npf_vm_close(struct vm_area_struct *vma)
{
	struct npf_open *o = vma->vm_private_data;

	npf_ring_map_put(&o->ring);
}

static vm_fault_t npf_vm_fault(struct vm_fault *vmf)
{
	struct npf_open *o = vmf->vma->vm_private_data;
	struct page *page;

	page = npf_ring_page(&o->ring, vmf->pgoff << PAGE_SHIFT);
	if (!page)
		return VM_FAULT_SIGBUS;
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct npf_vm_ops = {
	.open	= npf_vm_open,
	.close	= npf_vm_close,
	.fault	= npf_vm_fault,
};

/*
 * mmap(2) of the ring: read-only, from offset 0, at most the ring rounded
 * up to pages. The vma holds the file, so the open outlives its mappings.
 */
int npf_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct npf_open *o = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	int ret;

	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if (vma->vm_pgoff)
		return -EINVAL;
	/* Counted under the ring's lock, as BIOCSETBUFFERSIZE tests it. */
	ret = npf_ring_map(&o->ring, len);
	if (ret)
		return ret;
	vma->vm_flags &= ~VM_MAYWRITE;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &npf_vm_ops;
	vma->vm_private_data = o;
	return 0;
}

/*
 * BIOCMMAPNEXT: give back the last batch, wait as read() does, lend the
 * next. Takes no o->lock, as read() does not: a reader waiting for its
 * timeout must not hold up other ioctls.
 */
long npf_mmap_next(struct npf_open *o, void __user *arg, bool nonblock)
{
	struct npf_mmap_batch __user *ub = arg;
	struct npf_mmap_batch b;
	long ret;

	if (copy_from_user(&b, ub, sizeof(b)))
		return -EFAULT;
	if (b.pad)
		return -EINVAL;
	if (!READ_ONCE(o->bound))
		return -ENXIO;
	/* The ring belongs to read() in MODE_CAPT only. */
	if (READ_ONCE(o->mode) & (NPF_MODE_STAT | NPF_MODE_DUMP))
		return -EINVAL;
	ret = npf_ring_give_back(&o->ring, b.release);
	if (ret)
		return ret;
	/*
	 * Given back: a call restarted after the wait below was interrupted
	 * must not give it back again, so say so in the caller's struct.
	 */
	if (b.release && put_user(0, &ub->release))
		return -EFAULT;
	/*
	 * As after a read: the space is back, so the tap's next "ready"
	 * must wake us. One it had signalled while we held the batch (a full
	 * ring) must not leave the bit set while we wait.
	 */
	npf_rearm_wakeup(o);
	ret = npf_capt_wait(o, nonblock);
	if (ret)
		return ret;
	/* The mode may have changed while we waited: the ring says. */
	ret = npf_ring_lend(&o->ring, &b.offset, &b.len);
	if (ret == -NPF_EMODE)
		return -EINVAL;
	npf_read_done(o);
	if (!b.len && READ_ONCE(o->gone))
		return -ENODEV;
	b.release = 0;
	if (copy_to_user(ub, &b, sizeof(b))) {
		npf_ring_unlend(&o->ring);
		return -EFAULT;
	}
	return 0;
}
