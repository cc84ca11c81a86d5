// SPDX-License-Identifier: MIT
/*
 * The kernel dump (PACKET_MODE_DUMP): the module writes the pcap file; the
 * library opens it (as fopen(name, "w") would), hands it over, sets the
 * limits and asks how the dump stands.
 */
#define _GNU_SOURCE		/* O_LARGEFILE: 32-bit callers, files > 2 GiB */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/*
 * Only regular files are dump files (the module refuses the rest with
 * EINVAL), and opening anything else can block or have effects of its own:
 * a FIFO waits for a reader, a tape rewinds, a watchdog arms. So what is
 * there already and is neither a regular file nor a directory (which
 * open() refuses itself, EISDIR) is refused before it is opened. A path
 * that does not resolve is left to open(): created, or its error.
 */
static int npf_dump_check_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return 0;
	errno = EINVAL;
	return -1;
}

/*
 * Open @path as fopen(path, "w") does: write-only, created with mode 0666
 * less the umask, truncated, symlinks followed, with the caller's
 * credentials, relative to the working directory. O_NONBLOCK covers what
 * may replace the path after the check: a FIFO without a reader then
 * fails (ENXIO, reported as EINVAL) instead of blocking; a lease holder
 * (a file server) makes the open fail with EAGAIN instead of waiting for
 * the lease to be broken. The module gets the file without O_NONBLOCK, as
 * fopen's. The descriptor, or -1 and errno.
 */
static int npf_dump_open(const char *path)
{
	int fd, fl;

	if (npf_dump_check_path(path) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY |
			O_NONBLOCK | O_LARGEFILE, 0666);
	if (fd < 0) {
		if (errno == ENXIO)	/* a FIFO, a socket, a device */
			errno = EINVAL;
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* BIOCSETDUMPFD (API 1.2): the module keeps its own reference. */
static BOOLEAN npf_dump_set_fd(LPADAPTER a, int fd, uint32_t flags)
{
	struct npf_dump_fd req = { .fd = fd, .flags = flags };

	return npf_ioctl(a, BIOCSETDUMPFD, &req);
}

/* BIOCSETDUMPFILENAME (API 1.0): the module opens the path itself. */
static BOOLEAN npf_dump_set_name(LPADAPTER a, const char *path,
				 uint32_t flags)
{
	struct npf_dump_name req;

	memset(&req, 0, sizeof(req));
	req.path = (uintptr_t)path;
	req.flags = flags;
	return npf_ioctl(a, BIOCSETDUMPFILENAME, &req);
}

/*
 * Open, hand over, close: on success the module holds the file, on
 * failure it keeps the previous one. A module older than API 1.2 does not
 * know BIOCSETDUMPFD (ENOTTY): it is given the path, which it opens with
 * the same guarantees.
 */
static BOOLEAN npf_dump_set_path(LPADAPTER a, const char *path,
				 uint32_t flags)
{
	BOOLEAN ok;
	int fd, err;

	fd = npf_dump_open(path);
	if (fd < 0)
		return FALSE;
	ok = npf_dump_set_fd(a, fd, flags);
	err = errno;
	close(fd);
	if (!ok && err == ENOTTY)
		return npf_dump_set_name(a, path, flags);
	errno = err;
	return ok;
}

EXPORT_SYMBOL
BOOLEAN PacketSetDumpName(LPADAPTER AdapterObject, void *name, int len)
{
	BOOLEAN ok;
	char *path;
	int err;

	if (!AdapterObject || !name || len <= 0) {
		errno = EINVAL;
		return FALSE;
	}
	/* A C string; len need not count a NUL. */
	path = strndup(name, (size_t)len);
	if (!path)
		return FALSE;
	ok = npf_dump_set_path(AdapterObject, path, 0);
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
