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

/*
 * The kernel writes npf_sendq.consumed back also when an entry stopped the
 * queue: those bytes went out, as packet.dll's return value says.
 */
EXPORT_SYMBOL
INT PacketSendPackets(LPADAPTER AdapterObject, PVOID PacketBuff, ULONG Size,
		      BOOLEAN Sync)
{
	unsigned long req = Sync ? BIOCSENDPACKETSSYNC : BIOCSENDPACKETSNOSYNC;
	struct npf_sendq q;

	/* 0 and not -1: callers compare the result with Size, unsigned. */
	if (!AdapterObject || (!PacketBuff && Size) || Size > INT_MAX) {
		errno = EINVAL;
		return 0;
	}
	memset(&q, 0, sizeof(q));
	q.buf = (uintptr_t)PacketBuff;
	q.len = Size;
	ioctl(AdapterObject->hFile, req, &q);
	return (INT)q.consumed;
}
