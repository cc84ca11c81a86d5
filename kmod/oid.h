/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_OID_H
#define _NPF_OID_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct npf_open;

long npf_oid_request(struct npf_open *o, void __user *arg, bool set);

#endif /* _NPF_OID_H */
