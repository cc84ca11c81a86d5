/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_XMIT_H
#define _NPF_XMIT_H

#include <linux/compiler_types.h>
#include <linux/types.h>
#include <linux/wait.h>

struct npf_open;

int npf_xmit_init(struct npf_open *o);
void npf_xmit_release(struct npf_open *o);
void npf_xmit_set_loopback(struct npf_open *o, bool enable);
void npf_xmit_wake_sleepers(struct npf_open *o);
bool npf_xmit_writeable(struct npf_open *o);
wait_queue_head_t *npf_xmit_waitq(struct npf_open *o);
ssize_t npf_xmit_write(struct npf_open *o, const char __user *ubuf,
		       size_t len, bool nonblock);
long npf_xmit_sendq(struct npf_open *o, void __user *arg, bool sync);

#endif /* _NPF_XMIT_H */
