// SPDX-License-Identifier: MIT
/*
 * Send queues: PacketSendQueueQueue() lays entries out exactly as the
 * kernel walks them (struct npf_sendq_hdr, caplen bytes, no padding), and
 * the structures of the 1.1 ioctls have their documented sizes.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "Packet32.h"
#include "t.h"

static void uapi_layouts(void)
{
	CHECK(sizeof(struct npf_sendq_hdr) == 16);
	CHECK(offsetof(struct npf_sendq_hdr, tv_usec) == 4);
	CHECK(offsetof(struct npf_sendq_hdr, caplen) == 8);
	CHECK(offsetof(struct npf_sendq_hdr, len) == 12);
	CHECK(sizeof(struct npf_sendq) == 16);
	CHECK(offsetof(struct npf_sendq, consumed) == 12);
	CHECK(sizeof(struct npf_dump_name) == 16);
	CHECK(sizeof(struct npf_dump_limits) == 16);
	CHECK(sizeof(struct npf_dump_stats) == 32);
	CHECK(sizeof(struct npf_stats) == 72);
	CHECK(sizeof(struct npf_stat_record) == 48);
	CHECK(offsetof(struct npf_stat_record, packets) == 32);
	CHECK(sizeof(struct npf_stat_dump_record) == 56);
	CHECK(PACKET_MODE_STAT_DUMP == (NPF_MODE_STAT | NPF_MODE_DUMP));
	CHECK(PACKET_MODE_CAPT == 0 && PACKET_MODE_STAT == 1 &&
	      PACKET_MODE_MON == 2 && PACKET_MODE_DUMP == 0x10);
}

static void alloc_and_free(void)
{
	PPACKET_SEND_QUEUE q;

	CHECK_ERR(PacketSendQueueAlloc(0), NULL, EINVAL);
	/* PacketSendPackets() returns an INT: no queue it cannot report. */
	CHECK_ERR(PacketSendQueueAlloc(0x80000000u), NULL, EINVAL);
	q = PacketSendQueueAlloc(100);
	CHECK(q && q->maxlen == 100 && q->len == 0 && q->buffer);
	PacketSendQueueFree(q);
	PacketSendQueueFree(NULL);
}

/* Fill @h; the data is @caplen bytes of @fill. */
static void entry(struct npf_sendq_hdr *h, uint8_t *data, uint32_t sec,
		  uint32_t usec, uint32_t caplen, uint32_t len, uint8_t fill)
{
	h->tv_sec = sec;
	h->tv_usec = usec;
	h->caplen = caplen;
	h->len = len;
	memset(data, fill, caplen);
}

static int all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	while (n--)
		if (*p++ != v)
			return 0;
	return 1;
}

/* Walk the queue as npf_xmit_queue() does; 1 if it holds @want. */
static int walk_is(const PACKET_SEND_QUEUE *q,
		   const struct npf_sendq_hdr *want, size_t n)
{
	const uint8_t *buf = (const uint8_t *)q->buffer;
	uint32_t off = 0;
	size_t i = 0;

	while (q->len - off >= sizeof(struct npf_sendq_hdr)) {
		struct npf_sendq_hdr h;

		memcpy(&h, buf + off, sizeof(h));	/* may be unaligned */
		if (i >= n || memcmp(&h, &want[i], sizeof(h)) ||
		    h.caplen > q->len - off - sizeof(h) ||
		    !all_bytes(buf + off + sizeof(h), h.caplen,
			       (uint8_t)(0xa0 + i)))
			return 0;
		off += sizeof(h) + h.caplen;
		i++;
	}
	return off == q->len && i == n;
}

static void queue_layout(void)
{
	static uint8_t data[1514];
	struct npf_sendq_hdr h[3];
	PPACKET_SEND_QUEUE q;

	/* Room for exactly the three entries: 76 + 77 + 1530 bytes. */
	q = PacketSendQueueAlloc(16 + 60 + 16 + 61 + 16 + 1514);
	CHECK(q != NULL);
	if (!q)
		return;
	entry(&h[0], data, 1700000000, 1, 60, 60, 0xa0);
	CHECK(PacketSendQueueQueue(q, &h[0], data) == 0 && q->len == 76);
	/* An odd length: the next entry is not padded to any alignment. */
	entry(&h[1], data, 1700000000, 999999, 61, 1514, 0xa1);
	CHECK(PacketSendQueueQueue(q, &h[1], data) == 0 && q->len == 153);
	entry(&h[2], data, 1700000001, 0, 1514, 1514, 0xa2);
	CHECK(PacketSendQueueQueue(q, &h[2], data) == 0);
	CHECK(q->len == q->maxlen);
	CHECK(walk_is(q, h, 3));
	/* Little-endian u32s at fixed offsets, as in a pcap file. */
	CHECK(!memcmp(q->buffer + 76, "\x00\xf1\x53\x65\x3f\x42\x0f\x00"
				      "\x3d\x00\x00\x00\xea\x05\x00\x00", 16) ||
	      __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__);
	PacketSendQueueFree(q);
}

static void queue_full_and_bad(void)
{
	static uint8_t data[64];
	struct npf_sendq_hdr h;
	PPACKET_SEND_QUEUE q = PacketSendQueueAlloc(2 * (16 + 60) + 15);

	CHECK(q != NULL);
	if (!q)
		return;
	entry(&h, data, 1, 2, 60, 60, 0xa0);
	CHECK(PacketSendQueueQueue(q, &h, data) == 0);
	CHECK(PacketSendQueueQueue(q, &h, data) == 0);
	/* 15 bytes left: not even a header; the queue stays as it was. */
	CHECK_ERR(PacketSendQueueQueue(q, &h, data), -1, ENOBUFS);
	CHECK(q->len == 152);
	h.caplen = 0;
	CHECK_ERR(PacketSendQueueQueue(q, &h, data), -1, EINVAL);
	CHECK_ERR(PacketSendQueueQueue(NULL, &h, data), -1, EINVAL);
	h.caplen = 60;
	CHECK_ERR(PacketSendQueueQueue(q, NULL, data), -1, EINVAL);
	CHECK_ERR(PacketSendQueueQueue(q, &h, NULL), -1, EINVAL);
	CHECK(q->len == 152);
	/* A caplen that would wrap 32-bit arithmetic */
	h.caplen = 0xfffffff8u;
	CHECK_ERR(PacketSendQueueQueue(q, &h, data), -1, ENOBUFS);
	CHECK(q->len == 152);
	PacketSendQueueFree(q);
}

const struct t_case sendq_cases[] = {
	T_CASE(uapi_layouts),
	T_CASE(alloc_and_free),
	T_CASE(queue_layout),
	T_CASE(queue_full_and_bad),
	T_END
};
