/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_NETLINK_H
#define _NPF_NETLINK_H

int npf_netlink_init(void);
void npf_netlink_exit(void);

#endif /* _NPF_NETLINK_H */
