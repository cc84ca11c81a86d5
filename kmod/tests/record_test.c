// SPDX-License-Identifier: GPL-2.0
/*
 * npf_record: the record formats of kmod/record.h, in one place since
 * issue 12: the two layouts the tap stores (struct bpf_hdr + data +
 * padding, or a pcap record, unpadded and unaligned), their lengths, and
 * the pcap headers the kernel dump writes from the ring's bpf records.
 */

#include "record.h"

#include "npf_test.h"

#define BHDR	((u32)sizeof(struct bpf_hdr))		/* 32 */
#define PHDR	((u32)sizeof(struct npf_pcap_hdr))	/* 16 */

static void rec_layouts(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, BHDR, 32U);
	KUNIT_EXPECT_EQ(test, PHDR, 16U);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_pcap_hdr, ts_frac), 4UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_pcap_hdr, caplen), 8UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_pcap_hdr, len), 12UL);
	KUNIT_EXPECT_EQ(test, sizeof(struct npf_pcap_file_hdr), 24UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_pcap_file_hdr, snaplen), 16UL);
	KUNIT_EXPECT_EQ(test, offsetof(struct npf_pcap_file_hdr, linktype), 20UL);
	/* what tcpdump looks for */
	KUNIT_EXPECT_EQ(test, NPF_PCAP_MAGIC_USEC, 0xa1b2c3d4);
	KUNIT_EXPECT_EQ(test, NPF_PCAP_MAGIC_NSEC, 0xa1b23c4d);
}

/* Ring bytes of a record: bpf records padded to NPF_ALIGNMENT, pcap not. */
static void rec_lengths(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, npf_rec_hdrlen(false), BHDR);
	KUNIT_EXPECT_EQ(test, npf_rec_hdrlen(true), PHDR);

	KUNIT_EXPECT_EQ(test, npf_rec_len(false, 0), 32U);
	KUNIT_EXPECT_EQ(test, npf_rec_len(false, 1), 40U);
	KUNIT_EXPECT_EQ(test, npf_rec_len(false, 8), 40U);
	KUNIT_EXPECT_EQ(test, npf_rec_len(false, 9), 48U);
	KUNIT_EXPECT_EQ(test, npf_rec_len(false, 60), 96U);
	KUNIT_EXPECT_EQ(test, npf_rec_len(false, 1514), 1552U);
	KUNIT_EXPECT_EQ(test, npf_rec_len(false, 262144), 262176U);

	KUNIT_EXPECT_EQ(test, npf_rec_len(true, 0), 16U);
	KUNIT_EXPECT_EQ(test, npf_rec_len(true, 1), 17U);
	KUNIT_EXPECT_EQ(test, npf_rec_len(true, 60), 76U);
	KUNIT_EXPECT_EQ(test, npf_rec_len(true, 1514), 1530U);
	KUNIT_EXPECT_EQ(test, npf_rec_len(true, 262144), 262160U);
}

static const struct npf_rec_info info = {
	.sec = 0x100000005LL,	/* past 2106 */
	.frac = 123456,
	.caplen = 60,
	.len = 1514,
};

/* A bpf record's header: every field, the padding zeroed, nothing more. */
static void rec_put_bpf(struct kunit *test)
{
	u8 buf[128] __aligned(8);
	const struct bpf_hdr *h = (const void *)buf;

	memset(buf, 0xff, sizeof(buf));
	npf_rec_put(buf, false, &info);
	KUNIT_EXPECT_EQ(test, h->bh_tstamp.tv_sec, 0x100000005LL);
	KUNIT_EXPECT_EQ(test, h->bh_tstamp.tv_usec, 123456U);
	KUNIT_EXPECT_EQ(test, h->bh_tstamp.tv_pad, 0U);
	KUNIT_EXPECT_EQ(test, h->bh_caplen, 60U);
	KUNIT_EXPECT_EQ(test, h->bh_datalen, 1514U);
	KUNIT_EXPECT_EQ(test, h->bh_hdrlen, (u16)BHDR);
	KUNIT_EXPECT_EQ(test, h->bh_pad0, 0);
	KUNIT_EXPECT_EQ(test, h->bh_pad1, 0U);
	/* the data is the tap's to copy */
	KUNIT_EXPECT_EQ(test, buf[BHDR], 0xff);
	KUNIT_EXPECT_EQ(test, npf_rec_stored_len(buf, false), 96U);

	/* the stored length follows bh_hdrlen, as readers walk it */
	memset(buf, 0, sizeof(buf));
	((struct bpf_hdr *)buf)->bh_hdrlen = 36;
	((struct bpf_hdr *)buf)->bh_caplen = 5;
	KUNIT_EXPECT_EQ(test, npf_rec_stored_len(buf, false), 48U);
}

/* A pcap record's header: at any offset, 16 bytes, seconds as 32 bits. */
static void rec_put_pcap(struct kunit *test)
{
	u8 buf[128] __aligned(8);
	struct npf_pcap_hdr ph;
	int off;

	for (off = 0; off < 8; off++) {
		memset(buf, 0xff, sizeof(buf));
		npf_rec_put(buf + off, true, &info);
		memcpy(&ph, buf + off, sizeof(ph));
		KUNIT_EXPECT_EQ(test, ph.ts_sec, 5U);
		KUNIT_EXPECT_EQ(test, ph.ts_frac, 123456U);
		KUNIT_EXPECT_EQ(test, ph.caplen, 60U);
		KUNIT_EXPECT_EQ(test, ph.len, 1514U);
		KUNIT_EXPECT_EQ(test, buf[off + PHDR], 0xff);
		if (off)
			KUNIT_EXPECT_EQ(test, buf[off - 1], 0xff);
		KUNIT_EXPECT_EQ_MSG(test, npf_rec_stored_len(buf + off, true),
				    76U, "offset %d", off);
	}
}

/*
 * The dump file's record header from a ring record. Moved here from the
 * dump suite (it was npf_dump_rec_hdr()): the ring holds one unit (the
 * open's), the file may want the other.
 */
static void rec_bpf_to_pcap_units(struct kunit *test)
{
	struct npf_pcap_hdr ph;
	struct bpf_hdr h = {
		.bh_tstamp = { .tv_sec = 0x100000005LL },
		.bh_caplen = 60,
		.bh_datalen = 1514,
		.bh_hdrlen = sizeof(h),
	};

	/* ring in us, file in us */
	h.bh_tstamp.tv_usec = 123456;
	npf_rec_bpf_to_pcap(&ph, &h, false, false);
	KUNIT_EXPECT_EQ(test, ph.ts_frac, 123456U);
	KUNIT_EXPECT_EQ(test, ph.caplen, 60U);
	KUNIT_EXPECT_EQ(test, ph.len, 1514U);
	/* pcap's seconds are 32 bits, unsigned */
	KUNIT_EXPECT_EQ(test, ph.ts_sec, 5U);

	/* ring in us, file in ns */
	npf_rec_bpf_to_pcap(&ph, &h, false, true);
	KUNIT_EXPECT_EQ(test, ph.ts_frac, 123456000U);
	KUNIT_EXPECT_EQ(test, ph.ts_sec, 5U);

	/* ring in ns, file in ns */
	h.bh_tstamp.tv_usec = 123456789;
	npf_rec_bpf_to_pcap(&ph, &h, true, true);
	KUNIT_EXPECT_EQ(test, ph.ts_frac, 123456789U);
	/* ring in ns, file in us: truncated, never rounded up to 1000000 */
	npf_rec_bpf_to_pcap(&ph, &h, true, false);
	KUNIT_EXPECT_EQ(test, ph.ts_frac, 123456U);
	h.bh_tstamp.tv_usec = 999999999;
	npf_rec_bpf_to_pcap(&ph, &h, true, false);
	KUNIT_EXPECT_EQ(test, ph.ts_frac, 999999U);
	/* the largest us value in ns still fits 32 bits */
	h.bh_tstamp.tv_usec = 999999;
	npf_rec_bpf_to_pcap(&ph, &h, false, true);
	KUNIT_EXPECT_EQ(test, ph.ts_frac, 999999000U);
}

static struct kunit_case npf_record_cases[] = {
	KUNIT_CASE(rec_layouts),
	KUNIT_CASE(rec_lengths),
	KUNIT_CASE(rec_put_bpf),
	KUNIT_CASE(rec_put_pcap),
	KUNIT_CASE(rec_bpf_to_pcap_units),
	{}
};

static struct kunit_suite npf_record_suite = {
	.name = "npf_record",
	.test_cases = npf_record_cases,
};

kunit_test_suites(&npf_record_suite);
