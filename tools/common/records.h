/* SPDX-License-Identifier: GPL-2.0 */
/*
 * records.h - walk the records one read of /dev/npf returned: struct
 * bpf_hdr, bh_caplen bytes at bh_hdrlen, padding to Packet_WORDALIGN.
 */
#ifndef NPF_TOOLS_RECORDS_H
#define NPF_TOOLS_RECORDS_H

#include <stdint.h>

struct tool_record {
	int64_t sec;		/* bh_tstamp.tv_sec */
	uint32_t frac;		/* bh_tstamp.tv_usec: usec, or nsec (NANO) */
	uint32_t caplen;	/* bytes at data */
	uint32_t len;		/* length on the wire */
	const uint8_t *data;
};

/*
 * The record at *@off of the @len bytes in @buf: 1, with *@off moved to
 * the next record; 0 at the end; -1 with errno EBADMSG when @buf does not
 * hold a whole record at *@off (a kernel bug: stop reading this buffer).
 * @buf needs no particular alignment.
 */
int tool_record_next(const uint8_t *buf, uint32_t len, uint32_t *off,
		     struct tool_record *rec);

#endif /* NPF_TOOLS_RECORDS_H */
