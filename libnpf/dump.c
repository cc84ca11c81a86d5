// SPDX-License-Identifier: MIT
/*
 * The kernel dump (PACKET_MODE_DUMP): the module writes the pcap file, the
 * library only names it, sets its limits and asks how it stands.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

EXPORT_SYMBOL
BOOLEAN PacketSetDumpName(LPADAPTER AdapterObject, void *name, int len)
{
	struct npf_dump_name req;
	BOOLEAN ok;
	char *path;
	int err;

	if (!AdapterObject || !name || len <= 0) {
		errno = EINVAL;
		return FALSE;
	}
	/* The kernel wants a C string; len need not count a NUL. */
	path = strndup(name, (size_t)len);
	if (!path)
		return FALSE;
	memset(&req, 0, sizeof(req));
	req.path = (uintptr_t)path;
	ok = npf_ioctl(AdapterObject, BIOCSETDUMPFILENAME, &req);
	err = errno;
	free(path);
	errno = err;
	return ok;
}

EXPORT_SYMBOL
BOOLEAN PacketSetDumpLimitsEx(LPADAPTER AdapterObject, ULONGLONG MaxBytes,
			      ULONGLONG MaxPackets)
{
	struct npf_dump_limits lim = {
		.max_bytes = MaxBytes,
		.max_packets = MaxPackets,
	};

	return npf_ioctl(AdapterObject, BIOCSETDUMPLIMITS, &lim);
}

EXPORT_SYMBOL
BOOLEAN PacketSetDumpLimits(LPADAPTER AdapterObject, UINT maxfilesize,
			    UINT maxnpacks)
{
	return PacketSetDumpLimitsEx(AdapterObject, maxfilesize, maxnpacks);
}

/* Wait until @fd is readable: 0, or -1 and errno. */
static int npf_wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, -1) < 0)
		return -1;
	if (pfd.revents & POLLIN)
		return 0;
	/* As npf_poll() reports them: closed, adapter gone, unbound. */
	if (pfd.revents & POLLNVAL)
		errno = EBADF;
	else if (pfd.revents & POLLHUP)
		errno = ENODEV;
	else
		errno = ENXIO;
	return -1;
}

static BOOLEAN npf_dump_ended(LPADAPTER a, uint32_t *ended)
{
	return npf_ioctl(a, BIOCISDUMPENDED, ended);
}

EXPORT_SYMBOL
BOOLEAN PacketIsDumpEnded(LPADAPTER AdapterObject, BOOLEAN sync)
{
	uint32_t ended = 0;

	if (!npf_dump_ended(AdapterObject, &ended))
		return FALSE;
	if (ended || !sync)
		return ended ? TRUE : FALSE;
	if (npf_wait_readable(AdapterObject->hFile) < 0)
		return FALSE;
	if (!npf_dump_ended(AdapterObject, &ended))
		return FALSE;
	return ended ? TRUE : FALSE;
}

EXPORT_SYMBOL
BOOLEAN PacketGetDumpStats(LPADAPTER AdapterObject, struct npf_dump_stats *s)
{
	return npf_ioctl(AdapterObject, BIOCGDUMPSTATS, s);
}
