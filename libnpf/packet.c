// SPDX-License-Identifier: MIT
/*
 * PACKET objects and the I/O on them. On Windows these wrapped ReadFile /
 * WriteFile with an OVERLAPPED; here a read() or write() is the whole job:
 * the delayed-write wait, batching and repeated sends are the kernel's.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

EXPORT_SYMBOL
LPPACKET PacketAllocatePacket(void)
{
	return calloc(1, sizeof(PACKET));	/* errno ENOMEM on failure */
}

EXPORT_SYMBOL
VOID PacketInitPacket(LPPACKET lpPacket, PVOID Buffer, UINT Length)
{
	if (!lpPacket)
		return;
	lpPacket->Buffer = Buffer;
	lpPacket->Length = Length;
	lpPacket->ulBytesReceived = 0;
	lpPacket->bIoComplete = FALSE;
}

EXPORT_SYMBOL
VOID PacketFreePacket(LPPACKET lpPacket)
{
	free(lpPacket);
}

static BOOLEAN npf_packet_ok(LPADAPTER a, LPPACKET p)
{
	if (!a || !p || (!p->Buffer && p->Length)) {
		errno = EINVAL;
		return FALSE;
	}
	return TRUE;
}

EXPORT_SYMBOL
BOOLEAN PacketReceivePacket(LPADAPTER AdapterObject, LPPACKET lpPacket,
			    BOOLEAN Sync)
{
	ssize_t n;

	(void)Sync;	/* reads are always synchronous */
	if (!npf_packet_ok(AdapterObject, lpPacket))
		return FALSE;
	lpPacket->bIoComplete = FALSE;
	n = read(AdapterObject->hFile, lpPacket->Buffer, lpPacket->Length);
	if (n < 0)
		return FALSE;
	/* 0 bytes is a success: the read timeout expired with nothing. */
	lpPacket->ulBytesReceived = (ULONG)n;
	lpPacket->bIoComplete = TRUE;
	return TRUE;
}

void npf_unmap_ring(LPADAPTER a)
{
	if (!a->RingMap)
		return;
	munmap(a->RingMap, a->RingMapLen);
	a->RingMap = NULL;
	a->RingMapLen = 0;
	a->RingLent = 0;
}

static BOOLEAN npf_map_ring(LPADAPTER a)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = ((size_t)a->RingSize + (size_t)page - 1) &
		     ~((size_t)page - 1);
	void *p;

	/* Populated now: no page faults during the first lap of the ring. */
	p = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, a->hFile, 0);
	if (p == MAP_FAILED)
		return FALSE;
	a->RingMap = p;
	a->RingMapLen = (UINT)len;
	a->RingLent = 0;
	return TRUE;
}

EXPORT_SYMBOL
BOOLEAN PacketReceiveMapped(LPADAPTER AdapterObject, PVOID *Data,
			    PUINT Length)
{
	struct npf_mmap_batch b = { 0 };

	if (!AdapterObject || !Data || !Length) {
		errno = EINVAL;
		return FALSE;
	}
	if (!AdapterObject->RingMap && !npf_map_ring(AdapterObject))
		return FALSE;
	b.release = AdapterObject->RingLent;
	if (ioctl(AdapterObject->hFile, BIOCMMAPNEXT, &b) < 0) {
		/* These come after the batch was given back. */
		if (errno == EAGAIN || errno == EINTR || errno == ENODEV)
			AdapterObject->RingLent = 0;
		return FALSE;
	}
	AdapterObject->RingLent = b.len;
	*Data = (uint8_t *)AdapterObject->RingMap + b.offset;
	*Length = b.len;
	return TRUE;
}

EXPORT_SYMBOL
BOOLEAN PacketSendPacket(LPADAPTER AdapterObject, LPPACKET pPacket,
			 BOOLEAN Sync)
{
	ssize_t n;

	(void)Sync;
	if (!npf_packet_ok(AdapterObject, pPacket))
		return FALSE;
	pPacket->bIoComplete = FALSE;
	n = write(AdapterObject->hFile, pPacket->Buffer, pPacket->Length);
	if (n < 0)
		return FALSE;
	pPacket->bIoComplete = TRUE;
	return TRUE;
}

EXPORT_SYMBOL
BOOLEAN PacketSetNumWrites(LPADAPTER AdapterObject, int nwrites)
{
	if (nwrites < 0) {
		errno = EINVAL;
		return FALSE;
	}
	if (!npf_ioctl_u32(AdapterObject, BIOCSWRITEREP, (uint32_t)nwrites))
		return FALSE;
	AdapterObject->NumWrites = nwrites;
	return TRUE;
}

/* An entry's timestamp in ns, as the module reads it for SYNC queues. */
static int64_t npf_sendq_entry_ns(const uint8_t *entry)
{
	struct npf_sendq_hdr h;

	memcpy(&h, entry, sizeof(h));	/* the caller's buffer: unaligned */
	return (int64_t)h.tv_sec * 1000000000 + (int64_t)h.tv_usec * 1000;
}

static int64_t npf_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * A SYNC queue resumed at @done bytes: the module starts the rest's clock
 * at its first entry, which leaves at once. So that a signal does not
 * shorten the gap before it, wait first until it is due: @start (the
 * call's start, when the first entry left) plus its timestamp's offset
 * from the first entry's. Late (after a stop and continue) is at once.
 */
static void npf_sendq_wait_due(const uint8_t *buf, uint32_t done,
			       uint32_t size, int64_t start)
{
	struct timespec ts;
	int64_t due;

	if (size - done < sizeof(struct npf_sendq_hdr))
		return;		/* malformed: the module says so */
	due = npf_sendq_entry_ns(buf + done) - npf_sendq_entry_ns(buf);
	if (due <= 0)
		return;
	due += start;
	ts.tv_sec = due / 1000000000;
	ts.tv_nsec = due % 1000000000;
	/* A handler's EINTR: the entry is not due yet, sleep on. */
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

/* One BIOCSENDPACKETS* call on @len bytes at @buf: 0 or -1 and errno. */
static int npf_sendq_call(LPADAPTER a, unsigned long req, uintptr_t buf,
			  uint32_t len, uint32_t *consumed)
{
	struct npf_sendq q;
	int ret;

	memset(&q, 0, sizeof(q));
	q.buf = buf;
	q.len = len;
	ret = ioctl(a->hFile, req, &q);
	/* Written back on success and on failure alike; never past len. */
	if (q.consumed > len) {
		*consumed = 0;
		errno = EIO;
		return -1;
	}
	*consumed = q.consumed;
	return ret < 0 ? -1 : 0;
}

/*
 * The module writes npf_sendq.consumed back also when an entry stopped the
 * queue: those bytes went out, as packet.dll's return value says. A signal
 * that stops the queue once entries left (a job-control stop and continue
 * too, with no handler at all) fails the call with EINTR: the rest is sent
 * from buf + consumed, so that no entry goes twice and the caller sees one
 * call. EINTR with nothing sent comes only from a handler installed
 * without SA_RESTART (the module restarts the call otherwise): that one
 * ends the call, as it would a system call.
 */
EXPORT_SYMBOL
INT PacketSendPackets(LPADAPTER AdapterObject, PVOID PacketBuff, ULONG Size,
		      BOOLEAN Sync)
{
	unsigned long req = Sync ? BIOCSENDPACKETSSYNC : BIOCSENDPACKETSNOSYNC;
	const uint8_t *buf = PacketBuff;
	uint32_t done = 0, consumed;
	int64_t start;

	/* 0 and not -1: callers compare the result with Size, unsigned. */
	if (!AdapterObject || (!PacketBuff && Size) || Size > INT_MAX) {
		errno = EINVAL;
		return 0;
	}
	start = npf_mono_ns();
	for (;;) {
		if (!npf_sendq_call(AdapterObject, req, (uintptr_t)buf + done,
				    Size - done, &consumed))
			return (INT)(done + consumed);
		done += consumed;
		if (errno != EINTR || !consumed || done == Size)
			return (INT)done;
		if (Sync)
			npf_sendq_wait_due(buf, done, Size, start);
	}
}
