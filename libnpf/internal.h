/* SPDX-License-Identifier: MIT */
/*
 * libnpf internals: shared by the library's sources and its unit tests
 * (which link libnpf.a and so see these hidden symbols). Nothing here is
 * exported from libnpf.so.
 */
#ifndef _NPF_INTERNAL_H
#define _NPF_INTERNAL_H

#include "Packet32.h"

/*
 * Everything is built with -fvisibility=hidden; the public functions are
 * exported one by one by this prefix of their definition (libmnl's idiom;
 * clang ignores a visibility given after the definition).
 */
#define EXPORT_SYMBOL		__attribute__((visibility("default")))

#ifndef LIBNPF_VERSION
#define LIBNPF_VERSION		"0.0.0"
#endif

/* Paths the library opens; the unit tests point them elsewhere. */
extern const char *npf_device_path;		/* "/dev/npf" */
extern const char *npf_sysfs_version_path;	/* "/sys/module/npf/version" */

/*
 * Turn an adapter name ("eth0", "\Device\NPF_eth0", ...) into the Linux
 * interface name. 0, or -1 with errno EINVAL / ENAMETOOLONG.
 */
int npf_parse_adapter_name(const char *name, char ifname[NPF_IFNAMSIZ]);

/*
 * Fill the kernel's struct npf_program from the pointer-bearing
 * struct bpf_program. 0, or -1 with errno EINVAL (instructions missing).
 */
int npf_program_from_bpf(struct npf_program *np, const struct bpf_program *fp);

/* ioctl() on an adapter's descriptor: TRUE, or FALSE and errno. */
BOOLEAN npf_ioctl(LPADAPTER adapter, unsigned long request, void *arg);

/* The same for the ioctls that take one 32-bit value. */
BOOLEAN npf_ioctl_u32(LPADAPTER adapter, unsigned long request, uint32_t v);

#endif /* _NPF_INTERNAL_H */
