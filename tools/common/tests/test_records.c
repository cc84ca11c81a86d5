// SPDX-License-Identifier: GPL-2.0
/* tool_record_next() over buffers laid out as the kernel lays them out. */
#include <errno.h>
#include <string.h>

#include <linux/npf.h>

#include "records.h"
#include "t.h"

/* Put a record at @off; return the offset of the next one. */
static uint32_t put(uint8_t *buf, uint32_t off, int64_t sec, uint32_t usec,
		    uint32_t caplen, uint32_t len, uint16_t hdrlen, uint8_t fill)
{
	struct bpf_hdr h;

	memset(&h, 0, sizeof(h));
	h.bh_tstamp.tv_sec = sec;
	h.bh_tstamp.tv_usec = usec;
	h.bh_caplen = caplen;
	h.bh_datalen = len;
	h.bh_hdrlen = hdrlen;
	memset(buf + off, 0, hdrlen);
	memcpy(buf + off, &h, sizeof(h));
	memset(buf + off + hdrlen, fill, caplen);
	return off + NPF_WORDALIGN(hdrlen + caplen);
}

static void walk(void)
{
	static uint8_t buf[4096] __attribute__((aligned(8)));
	struct tool_record r;
	uint32_t len = 0, off = 0;

	len = put(buf, len, 1700000000, 123456, 60, 60, 32, 0xa1);
	len = put(buf, len, 4102444800LL, 999999, 1, 1514, 32, 0xa2);
	len = put(buf, len, 5, 6, 7, 8, 48, 0xa3);	/* longer header */
	CHECK(len == 96 + 40 + 56);

	CHECK(tool_record_next(buf, len, &off, &r) == 1);
	CHECK(r.sec == 1700000000 && r.frac == 123456);
	CHECK(r.caplen == 60 && r.len == 60 && r.data == buf + 32);
	CHECK(off == 96);
	CHECK(tool_record_next(buf, len, &off, &r) == 1);
	CHECK(r.sec == 4102444800LL && r.caplen == 1 && r.len == 1514);
	CHECK(r.data[0] == 0xa2 && off == 136);
	CHECK(tool_record_next(buf, len, &off, &r) == 1);
	CHECK(r.data == buf + 136 + 48 && r.data[6] == 0xa3);
	CHECK(off == len);
	CHECK(tool_record_next(buf, len, &off, &r) == 0);
	CHECK(tool_record_next(buf, 0, &(uint32_t){ 0 }, &r) == 0);
}

/* The last record's padding may be missing from the read. */
static void last_padding_cut(void)
{
	static uint8_t buf[256] __attribute__((aligned(8)));
	struct tool_record r;
	uint32_t off = 0;

	put(buf, 0, 1, 2, 3, 3, 32, 0xff);
	CHECK(tool_record_next(buf, 35, &off, &r) == 1);
	CHECK(off == 35 && r.caplen == 3);
	CHECK(tool_record_next(buf, 35, &off, &r) == 0);
}

/* Records at odd addresses: the walker copies the header. */
static void unaligned_buffer(void)
{
	static uint8_t raw[256] __attribute__((aligned(8)));
	uint8_t *buf = raw + 1;
	struct tool_record r;
	uint32_t len, off = 0;

	len = put(buf, 0, -7, 1, 10, 10, 32, 0x5a);
	CHECK(tool_record_next(buf, len, &off, &r) == 1);
	CHECK(r.sec == -7 && r.caplen == 10 && r.data[9] == 0x5a);
}

static void malformed(void)
{
	static uint8_t buf[256] __attribute__((aligned(8)));
	struct tool_record r;
	uint32_t off;

	/* header cut short */
	put(buf, 0, 1, 2, 3, 3, 32, 0);
	off = 0;
	CHECK_ERR(tool_record_next(buf, 20, &off, &r), -1, EBADMSG);
	/* data beyond the read */
	off = 0;
	CHECK_ERR(tool_record_next(buf, 34, &off, &r), -1, EBADMSG);
	/* bh_hdrlen smaller than the header */
	put(buf, 0, 1, 2, 3, 3, 8, 0);
	off = 0;
	CHECK_ERR(tool_record_next(buf, 64, &off, &r), -1, EBADMSG);
	/* caplen near 4 GiB must not wrap the bounds check */
	put(buf, 0, 1, 2, 0, 0, 32, 0);
	((struct bpf_hdr *)buf)->bh_caplen = 0xfffffff0;
	off = 0;
	CHECK_ERR(tool_record_next(buf, 64, &off, &r), -1, EBADMSG);
	CHECK(off == 0);
}

const struct t_case record_cases[] = {
	T_CASE(walk),
	T_CASE(last_padding_cut),
	T_CASE(unaligned_buffer),
	T_CASE(malformed),
	T_END
};
