// SPDX-License-Identifier: MIT
/*
 * Send queues, wpcap's pcap_sendqueue_* for PacketSendPackets(): a buffer
 * of back-to-back struct npf_sendq_hdr + frame entries, the record format
 * of a pcap file.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The kernel reads this layout; so does every pcap reader. */
_Static_assert(sizeof(struct npf_sendq_hdr) == 16,
	       "struct npf_sendq_hdr is a 16-byte pcap record header");

EXPORT_SYMBOL
PPACKET_SEND_QUEUE PacketSendQueueAlloc(UINT memsize)
{
	PPACKET_SEND_QUEUE q;

	/* PacketSendPackets() returns an INT of bytes sent. */
	if (!memsize || memsize > INT_MAX) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->buffer = malloc(memsize);
	if (!q->buffer) {
		free(q);
		return NULL;
	}
	q->maxlen = memsize;
	return q;
}

EXPORT_SYMBOL
VOID PacketSendQueueFree(PPACKET_SEND_QUEUE queue)
{
	if (!queue)
		return;
	free(queue->buffer);
	free(queue);
}

EXPORT_SYMBOL
INT PacketSendQueueQueue(PPACKET_SEND_QUEUE queue,
			 const struct npf_sendq_hdr *header,
			 const UCHAR *data)
{
	size_t need;

	if (!queue || !header || !data || !header->caplen ||
	    queue->len > queue->maxlen) {
		errno = EINVAL;
		return -1;
	}
	need = sizeof(*header) + (size_t)header->caplen;
	if (need > queue->maxlen - queue->len) {
		errno = ENOBUFS;
		return -1;
	}
	memcpy(queue->buffer + queue->len, header, sizeof(*header));
	memcpy(queue->buffer + queue->len + sizeof(*header), data,
	       header->caplen);
	queue->len += (UINT)need;
	return 0;
}
