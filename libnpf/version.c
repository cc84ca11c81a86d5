// SPDX-License-Identifier: MIT
/* Library and driver versions. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

const char *npf_sysfs_version_path = "/sys/module/npf/version";

/* WinPcap returned a pointer to static storage; per thread is safer. */
static __thread char npf_driver_version[32];

EXPORT_SYMBOL
PCHAR PacketGetVersion(void)
{
	return (PCHAR)LIBNPF_VERSION;
}

/* The module's name, as modprobe and /sys/module know it. */
EXPORT_SYMBOL
PCHAR PacketGetDriverName(void)
{
	return (PCHAR)"npf";
}

/* The module's MODULE_VERSION, as sysfs shows it without the newline. */
static int npf_version_from_sysfs(char *buf, size_t size)
{
	FILE *f = fopen(npf_sysfs_version_path, "re");
	size_t len;

	if (!f)
		return -1;
	if (!fgets(buf, (int)size, f)) {
		fclose(f);
		errno = EIO;
		return -1;
	}
	fclose(f);
	len = strcspn(buf, "\n");
	buf[len] = '\0';
	if (!len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * Ask the device itself: for a module built without MODULE_VERSION or a
 * system without sysfs. The open needs the same privilege as a capture.
 */
static int npf_version_from_device(char *buf, size_t size)
{
	struct npf_version v;
	int fd, ret, err;

	fd = open(npf_device_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENXIO || errno == ENODEV)
			errno = ENOENT;	/* a node without its driver */
		return -1;
	}
	ret = ioctl(fd, BIOCVERSION, &v);
	err = errno;
	close(fd);
	if (ret < 0) {
		errno = err;
		return -1;
	}
	snprintf(buf, size, "%u.%u", v.major, v.minor);
	return 0;
}

EXPORT_SYMBOL
PCHAR PacketGetDriverVersion(void)
{
	char *buf = npf_driver_version;

	if (!npf_version_from_sysfs(buf, sizeof(npf_driver_version)))
		return buf;
	if (!npf_version_from_device(buf, sizeof(npf_driver_version)))
		return buf;
	return NULL;
}
