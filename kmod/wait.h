/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_WAIT_H
#define _NPF_WAIT_H

#include <linux/poll.h>
#include <linux/types.h>

struct npf_open;

void npf_wait_init(struct npf_open *o);
void npf_wait_release(struct npf_open *o);
void npf_wait_reset(struct npf_open *o);

bool npf_ready(const struct npf_open *o);
void npf_wake(struct npf_open *o, __poll_t mask);
void npf_wake_reader(struct npf_open *o);
void npf_rearm_wakeup(struct npf_open *o);
void npf_read_done(struct npf_open *o);

int npf_capt_wait(struct npf_open *o, bool nonblock);
int npf_dump_wait(struct npf_open *o, bool nonblock);
int npf_stat_wait(struct npf_open *o, bool nonblock);

void npf_poll_arm(struct npf_open *o);
void npf_poll_rearm(struct npf_open *o);

#endif /* _NPF_WAIT_H */
