/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record formats, in one place: the two layouts the tap stores in the
 * ring (struct bpf_hdr + data + padding to NPF_ALIGNMENT, or a pcap file
 * record, unpadded), their lengths, and the pcap file headers the kernel
 * dump writes, converted from the ring's bpf records.
 */
#ifndef _NPF_RECORD_H
#define _NPF_RECORD_H

#include <linux/npf.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <asm/unaligned.h>

#define NPF_PCAP_MAGIC_USEC	0xa1b2c3d4
#define NPF_PCAP_MAGIC_NSEC	0xa1b23c4d

/* The pcap file header (24 bytes); records are struct npf_pcap_hdr. */
struct npf_pcap_file_hdr {
	u32 magic;
	u16 version_major;
	u16 version_minor;
	s32 thiszone;
	u32 sigfigs;
	u32 snaplen;
	u32 linktype;
};

/* A record's header, in either layout. */
struct npf_rec_info {
	s64 sec;
	u32 frac;	/* in the open's unit: us or ns */
	u32 caplen;
	u32 len;
};

/* Bytes before the frame data of a record of either layout. */
static inline u32 npf_rec_hdrlen(bool pcap)
{
	return pcap ? sizeof(struct npf_pcap_hdr) : sizeof(struct bpf_hdr);
}

/* Ring bytes of a record of @caplen frame bytes, padding included. */
static inline u32 npf_rec_len(bool pcap, u32 caplen)
{
	u32 len = npf_rec_hdrlen(pcap) + caplen;

	return pcap ? len : NPF_WORDALIGN(len);
}

/* Ring bytes of the stored record at @rec. */
static inline u32 npf_rec_stored_len(const u8 *rec, bool pcap)
{
	const struct npf_pcap_hdr *ph = (const void *)rec;
	const struct bpf_hdr *hdr = (const void *)rec;

	if (pcap)
		return npf_rec_len(true, get_unaligned(&ph->caplen));
	return NPF_WORDALIGN(hdr->bh_hdrlen + hdr->bh_caplen);
}

static inline void npf_rec_put_bpf(u8 *rec, const struct npf_rec_info *r)
{
	struct bpf_hdr *hdr = (struct bpf_hdr *)rec;

	hdr->bh_tstamp.tv_sec = r->sec;
	hdr->bh_tstamp.tv_usec = r->frac;
	hdr->bh_tstamp.tv_pad = 0;
	hdr->bh_caplen = r->caplen;
	hdr->bh_datalen = r->len;
	hdr->bh_hdrlen = sizeof(*hdr);
	hdr->bh_pad0 = 0;
	hdr->bh_pad1 = 0;
}

/* Unaligned: pcap records are not padded. */
static inline void npf_rec_put_pcap(u8 *rec, const struct npf_rec_info *r)
{
	struct npf_pcap_hdr hdr = {
		.ts_sec = (u32)r->sec,	/* as in a pcap file: y2106 */
		.ts_frac = r->frac,
		.caplen = r->caplen,
		.len = r->len,
	};

	memcpy(rec, &hdr, sizeof(hdr));
}

/* Write the header of a record of either layout at @rec. */
static inline void npf_rec_put(u8 *rec, bool pcap, const struct npf_rec_info *r)
{
	if (pcap)
		npf_rec_put_pcap(rec, r);
	else
		npf_rec_put_bpf(rec, r);
}

/*
 * The pcap file record header for the ring's bpf record @h, whose
 * timestamp is in ns if @ring_nano, for a file in ns if @file_nano.
 */
static inline void npf_rec_bpf_to_pcap(struct npf_pcap_hdr *ph,
				       const struct bpf_hdr *h,
				       bool ring_nano, bool file_nano)
{
	u32 frac = h->bh_tstamp.tv_usec;

	if (ring_nano && !file_nano)
		frac /= NSEC_PER_USEC;
	else if (!ring_nano && file_nano)
		frac *= NSEC_PER_USEC;
	ph->ts_sec = h->bh_tstamp.tv_sec;	/* pcap: unsigned, y2106 */
	ph->ts_frac = frac;
	ph->caplen = h->bh_caplen;
	ph->len = h->bh_datalen;
}

#endif /* _NPF_RECORD_H */
