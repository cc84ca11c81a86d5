// SPDX-License-Identifier: GPL-2.0
/* Walking a read buffer; see records.h. */
#include <errno.h>
#include <string.h>

#include <linux/npf.h>

#include "records.h"

int tool_record_next(const uint8_t *buf, uint32_t len, uint32_t *off,
		     struct tool_record *rec)
{
	struct bpf_hdr h;
	uint64_t size, end;

	if (*off >= len)
		return 0;
	if (len - *off < sizeof(h)) {
		errno = EBADMSG;
		return -1;
	}
	memcpy(&h, buf + *off, sizeof(h));	/* no alignment assumed */
	/* A later kernel may grow the header: bh_hdrlen says where data is. */
	size = (uint64_t)h.bh_hdrlen + h.bh_caplen;
	end = *off + size;
	if (h.bh_hdrlen < sizeof(h) || end > len) {
		errno = EBADMSG;
		return -1;
	}
	rec->sec = h.bh_tstamp.tv_sec;
	rec->frac = h.bh_tstamp.tv_usec;
	rec->caplen = h.bh_caplen;
	rec->len = h.bh_datalen;
	rec->data = buf + *off + h.bh_hdrlen;
	/* NPF_WORDALIGN in 64 bits; the last record's padding may be cut. */
	end = *off + ((size + NPF_ALIGNMENT - 1) &
		      ~(uint64_t)(NPF_ALIGNMENT - 1));
	*off = end < len ? (uint32_t)end : len;
	return 1;
}
