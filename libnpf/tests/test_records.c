// SPDX-License-Identifier: MIT
/*
 * Walking a read buffer the way WinPcap programs do, over a buffer built
 * by hand as the kernel lays it out (header, data, padding to 8).
 */
#include <stdint.h>
#include <string.h>

#include "Packet32.h"
#include "t.h"

struct rec {
	int64_t sec;
	uint32_t usec;
	uint32_t caplen;
	uint32_t datalen;
	uint16_t hdrlen;
};

/* The records: odd lengths, an empty one, a longer (future) header. */
static const struct rec recs[] = {
	{ 1700000000, 1, 60, 60, sizeof(struct bpf_hdr) },
	{ 1700000000, 999999, 1, 1514, sizeof(struct bpf_hdr) },
	{ 4102444800LL, 0, 0, 64, sizeof(struct bpf_hdr) },	/* > y2038 */
	{ -1, 7, 7, 7, sizeof(struct bpf_hdr) + 8 },
	{ 1, 2, 33, 9000, sizeof(struct bpf_hdr) },
};

#define NRECS	(sizeof(recs) / sizeof(recs[0]))

/* Lay out @r at @off like the kernel; return the next record's offset. */
static uint32_t put_record(uint8_t *buf, uint32_t off, const struct rec *r,
			   uint8_t fill)
{
	struct bpf_hdr h;

	memset(&h, 0, sizeof(h));
	h.bh_tstamp.tv_sec = r->sec;
	h.bh_tstamp.tv_usec = r->usec;
	h.bh_caplen = r->caplen;
	h.bh_datalen = r->datalen;
	h.bh_hdrlen = r->hdrlen;
	memset(buf + off, 0xee, r->hdrlen);	/* unknown header tail */
	memcpy(buf + off, &h, sizeof(h));
	memset(buf + off + r->hdrlen, fill, r->caplen);
	return off + Packet_WORDALIGN(r->hdrlen + r->caplen);
}

static int data_is(const uint8_t *p, uint32_t len, uint8_t fill)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (p[i] != fill)
			return 0;
	return 1;
}

static void header_layout(void)
{
	CHECK(sizeof(struct bpf_hdr) == 32);
	CHECK(sizeof(struct bpf_stat) == 16);
	CHECK(sizeof(((struct bpf_hdr *)0)->bh_tstamp.tv_sec) == 8);
}

static void wordalign(void)
{
	CHECK(Packet_WORDALIGN(0) == 0);
	CHECK(Packet_WORDALIGN(1) == 8);
	CHECK(Packet_WORDALIGN(32) == 32);
	CHECK(Packet_WORDALIGN(33) == 40);
	CHECK(Packet_WORDALIGN(39) == 40);
	CHECK(Packet_ALIGNMENT == 8);
}

static void walk_records(void)
{
	static uint8_t buf[16384] __attribute__((aligned(8)));
	uint32_t len = 0, off = 0;
	size_t i, n = 0;

	memset(buf, 0x55, sizeof(buf));
	for (i = 0; i < NRECS; i++)
		len = put_record(buf, len, &recs[i], (uint8_t)(i + 1));

	/* The loop of a packet.dll program, as in WinPcap's TestApp. */
	while (off < len) {
		const struct bpf_hdr *h = (const struct bpf_hdr *)(buf + off);
		const uint8_t *data = buf + off + h->bh_hdrlen;

		CHECK(off % Packet_ALIGNMENT == 0);
		CHECK(n < NRECS);
		if (n >= NRECS)
			break;
		CHECK(h->bh_tstamp.tv_sec == recs[n].sec);
		CHECK(h->bh_tstamp.tv_usec == recs[n].usec);
		CHECK(h->bh_caplen == recs[n].caplen);
		CHECK(h->bh_datalen == recs[n].datalen);
		CHECK(data_is(data, h->bh_caplen, (uint8_t)(n + 1)));
		off += Packet_WORDALIGN(h->bh_hdrlen + h->bh_caplen);
		n++;
	}
	CHECK(n == NRECS);
	CHECK(off == len);
	/* 92, 33, 32, 47, 65 bytes: each rounded up to 8. */
	CHECK(len == 96 + 40 + 32 + 48 + 72);
}

const struct t_case record_cases[] = {
	T_CASE(header_layout),
	T_CASE(wordalign),
	T_CASE(walk_records),
	T_END
};
