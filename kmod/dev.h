/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_DEV_H
#define _NPF_DEV_H

int npf_dev_init(void);
void npf_dev_exit(void);

#endif /* _NPF_DEV_H */
