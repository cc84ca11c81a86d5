// SPDX-License-Identifier: MIT
/*
 * Opening and closing adapters: PacketOpenAdapter() turns WinPcap's
 * "\Device\NPF_name" into a Linux interface name and binds a fresh open
 * of /dev/npf to it (BIOCSETIF).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

const char *npf_device_path = "/dev/npf";

/* Skip one or more backslashes; NULL if there is none. */
static const char *skip_backslashes(const char *s)
{
	if (*s != '\\')
		return NULL;
	while (*s == '\\')
		s++;
	return s;
}

/*
 * The part after WinPcap's device prefix: "\Device\NPF_x" (as printed by
 * PacketGetAdapterNames on Windows), "\\Device\\NPF_x" (the same written
 * with C-escaped backslashes, as often pasted into a shell) or "\\.\NPF_x"
 * (the Win32 device namespace form). Case-insensitive, as Windows object
 * names are. NULL when name has no such prefix.
 */
static const char *strip_device_prefix(const char *name)
{
	const char *s = skip_backslashes(name);

	if (!s)
		return NULL;
	if (!strncasecmp(s, "Device", 6))
		s += 6;
	else if (*s == '.')
		s++;
	else
		return NULL;
	s = skip_backslashes(s);
	if (!s || strncasecmp(s, "NPF_", 4))
		return NULL;
	return s + 4;
}

int npf_parse_adapter_name(const char *name, char ifname[NPF_IFNAMSIZ])
{
	const char *s;
	size_t len;

	if (!name || !ifname) {
		errno = EINVAL;
		return -1;
	}
	/* A name without the prefix is taken as it is, backslashes and all. */
	s = strip_device_prefix(name);
	if (!s)
		s = name;
	len = strlen(s);
	if (!len) {
		errno = EINVAL;
		return -1;
	}
	if (len >= NPF_IFNAMSIZ) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(ifname, s, len + 1);
	return 0;
}

/*
 * open() of /dev/npf. A device node without a driver (the module was
 * unloaded) fails with ENXIO or ENODEV; report both as ENOENT, "no driver",
 * so that ENODEV keeps meaning "no such adapter" (BIOCSETIF) for callers.
 */
static int npf_open_device(void)
{
	int fd = open(npf_device_path, O_RDWR | O_CLOEXEC);

	if (fd < 0 && (errno == ENXIO || errno == ENODEV))
		errno = ENOENT;
	return fd;
}

static LPADAPTER npf_adapter_new(const char *ifname)
{
	LPADAPTER a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->hFile = -1;
	a->NumWrites = 1;
	a->Flags = INFO_FLAG_NDIS_ADAPTER;
	a->RingSize = NPF_LIB_DEFAULT_RING;
	strcpy(a->Name, ifname);	/* < NPF_IFNAMSIZ < ADAPTER_NAME_LENGTH */
	return a;
}

EXPORT_SYMBOL
LPADAPTER PacketOpenAdapter(const char *AdapterName)
{
	struct npf_ifname ifr = { { 0 } };
	LPADAPTER a;
	int err;

	if (npf_parse_adapter_name(AdapterName, ifr.name) < 0)
		return NULL;
	a = npf_adapter_new(ifr.name);
	if (!a)
		return NULL;
	a->hFile = npf_open_device();
	if (a->hFile < 0)
		goto fail;
	if (ioctl(a->hFile, BIOCSETIF, &ifr) < 0)
		goto fail;
	return a;
fail:
	err = errno;
	PacketCloseAdapter(a);
	errno = err;
	return NULL;
}

EXPORT_SYMBOL
VOID PacketCloseAdapter(LPADAPTER AdapterObject)
{
	int err = errno;

	if (!AdapterObject)
		return;
	npf_unmap_ring(AdapterObject);
	if (AdapterObject->hFile >= 0)
		close(AdapterObject->hFile);
	free(AdapterObject);
	errno = err;	/* a void function: leave the caller's errno alone */
}

EXPORT_SYMBOL
HANDLE PacketGetReadEvent(LPADAPTER AdapterObject)
{
	if (!AdapterObject) {
		errno = EINVAL;
		return -1;
	}
	return AdapterObject->hFile;
}

EXPORT_SYMBOL
int PacketGetLinkType(LPADAPTER AdapterObject)
{
	uint32_t dlt;

	if (!npf_ioctl(AdapterObject, BIOCGDLT, &dlt))
		return -1;
	return (int)dlt;
}

BOOLEAN npf_ioctl(LPADAPTER adapter, unsigned long request, void *arg)
{
	if (!adapter || !arg) {
		errno = EINVAL;
		return FALSE;
	}
	return ioctl(adapter->hFile, request, arg) < 0 ? FALSE : TRUE;
}

BOOLEAN npf_ioctl_u32(LPADAPTER adapter, unsigned long request, uint32_t v)
{
	return npf_ioctl(adapter, request, &v);
}
