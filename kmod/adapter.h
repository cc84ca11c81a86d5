/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_ADAPTER_H
#define _NPF_ADAPTER_H

#include <linux/types.h>

struct npf_open;

int npf_adapter_check(struct npf_open *o, const char *name);
int npf_adapter_bind(struct npf_open *o, const char *name);
void npf_adapter_unbind(struct npf_open *o);
int npf_adapter_set_packet_filter(struct npf_open *o, u32 filter);
int npf_adapter_set_mc_list(struct npf_open *o, const u8 *addrs, u32 len);
u64 npf_adapter_ifdrop(struct npf_open *o);

int npf_adapter_init(void);
void npf_adapter_exit(void);

#endif /* _NPF_ADAPTER_H */
