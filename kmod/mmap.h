/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_MMAP_H
#define _NPF_MMAP_H

#include <linux/mm_types.h>
#include <linux/types.h>

struct file;
struct npf_open;

int npf_mmap(struct file *file, struct vm_area_struct *vma);
long npf_mmap_next(struct npf_open *o, void __user *arg, bool nonblock);

#endif /* _NPF_MMAP_H */
