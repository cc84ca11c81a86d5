// SPDX-License-Identifier: GPL-2.0
/*
 * npf_dump: MODE_DUMP's pcap writer (kmod/dump.c): file header, record
 * format, exact limits, write errors, the ioctls. Files go to /tmp (a
 * tmpfs in the test VM), named after the case.
 */

#include "../dump.c"

#include <linux/delay.h>
#include <linux/resource.h>
#include <linux/sched/signal.h>

#include "npf_test.h"

#define PHDR	((u32)sizeof(struct npf_pcap_file_hdr))	/* 24 */
#define RHDR	((u32)sizeof(struct npf_pcap_hdr))	/* 16 */

static void file_put_res(struct kunit_resource *res)
{
	fput(res->data);
}

static const char *tmp_path(struct kunit *test, const char *tag)
{
	char *p = kunit_kzalloc(test, 128, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	snprintf(p, 128, "/tmp/npf-kunit-%s%s.pcap", test->name, tag);
	return p;
}

/* Open @path (test-managed reference). */
static struct file *open_file(struct kunit *test, const char *path, int flags)
{
	struct file *f = filp_open(path, flags | O_LARGEFILE, 0600);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "open %s: %ld", path,
			       PTR_ERR_OR_ZERO(f));
	npf_test_on_exit(test, file_put_res, f);
	return f;
}

static loff_t file_size(struct file *f)
{
	return i_size_read(file_inode(f));
}

/* The whole file at @path, in a test-managed buffer; *@len its size. */
static u8 *slurp(struct kunit *test, const char *path, size_t *len)
{
	struct file *f = open_file(test, path, O_RDONLY);
	loff_t pos = 0, size = file_size(f);
	u8 *buf = kunit_kzalloc(test, size + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kernel_read(f, buf, size, &pos), (ssize_t)size);
	*len = size;
	return buf;
}

/*
 * Make @o dump to a fresh file at @path, as BIOCSETDUMPFILENAME does
 * (without the worker). The open's release closes it.
 */
static struct file *start_dump(struct kunit *test, struct npf_open *o,
			       const char *path, bool nano, u32 snaplen)
{
	struct file *f = filp_open(path, O_RDWR | O_CREAT | O_TRUNC | O_LARGEFILE,
				   0600);

	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	KUNIT_ASSERT_EQ(test, npf_dump_write_header(f, nano, snaplen, 1, true), 0);
	o->dump.batch = kmalloc(sizeof(*o->dump.batch), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o->dump.batch);
	o->dump.file = f;
	o->dump.nano = nano;
	o->dump.snaplen = snaplen;
	o->dump.pos = PHDR;
	o->dump.bytes = PHDR;
	o->mode = NPF_MODE_DUMP;
	o->linktype = 1;
	/* as npf_resume() leaves it in MODE_DUMP: read() may not consume */
	npf_ring_flush(&o->ring, false, false);
	return f;
}

/* Three records: 10 of 100 bytes (fill 1), 60 of 60 (2), 1 of 1 (3). */
static void put3(struct kunit *test, struct npf_open *o)
{
	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 10, 100, 1));
	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 60, 0, 2));
	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 1, 0, 3));
	KUNIT_ASSERT_EQ(test, o->ring.used, 48U + 96U + 40U);
}

/* Check the record at @p: header as npf_test_put_rec() made it. */
static u32 check_rec(struct kunit *test, const u8 *p, u32 caplen, u32 len,
		     u8 fill, u32 frac)
{
	const struct npf_pcap_hdr *r = (const void *)p;

	KUNIT_EXPECT_EQ(test, r->ts_sec, 1000U + fill);
	KUNIT_EXPECT_EQ(test, r->ts_frac, frac);
	KUNIT_EXPECT_EQ(test, r->caplen, caplen);
	KUNIT_EXPECT_EQ(test, r->len, len);
	KUNIT_EXPECT_NULL(test, memchr_inv(p + RHDR, fill, caplen));
	return RHDR + caplen;
}

static void check_header(struct kunit *test, const u8 *p, u32 magic,
			 u32 snaplen, u32 linktype)
{
	const struct npf_pcap_file_hdr *h = (const void *)p;

	KUNIT_EXPECT_EQ(test, h->magic, magic);
	KUNIT_EXPECT_EQ(test, h->version_major, 2);
	KUNIT_EXPECT_EQ(test, h->version_minor, 4);
	KUNIT_EXPECT_EQ(test, h->thiszone, 0);
	KUNIT_EXPECT_EQ(test, h->sigfigs, 0U);
	KUNIT_EXPECT_EQ(test, h->snaplen, snaplen);
	KUNIT_EXPECT_EQ(test, h->linktype, linktype);
}

/* --- format -------------------------------------------------------------------- */

static void dump_pcap_header(struct kunit *test)
{
	const char *pu = tmp_path(test, "-usec"), *pn = tmp_path(test, "-nsec");
	struct file *f;
	size_t len;
	u8 *b;

	KUNIT_EXPECT_EQ(test, PHDR, 24U);
	KUNIT_EXPECT_EQ(test, RHDR, 16U);

	f = open_file(test, pu, O_RDWR | O_CREAT | O_TRUNC);
	KUNIT_ASSERT_EQ(test, npf_dump_write_header(f, false, 262144, 1, true), 0);
	b = slurp(test, pu, &len);
	KUNIT_ASSERT_EQ(test, len, (size_t)PHDR);
	check_header(test, b, 0xa1b2c3d4, 262144, 1);
	/* little-endian on x86: the bytes tcpdump looks for */
	KUNIT_EXPECT_EQ(test, b[0], 0xd4);
	KUNIT_EXPECT_EQ(test, b[3], 0xa1);

	f = open_file(test, pn, O_RDWR | O_CREAT | O_TRUNC);
	KUNIT_ASSERT_EQ(test, npf_dump_write_header(f, true, 96, 101, true), 0);
	b = slurp(test, pn, &len);
	KUNIT_ASSERT_EQ(test, len, (size_t)PHDR);
	check_header(test, b, 0xa1b23c4d, 96, 101);
}

static void dump_limit_arithmetic(struct kunit *test)
{
	struct npf_dump d = { .packets = 2, .bytes = 100 };

	KUNIT_EXPECT_FALSE(test, npf_dump_over_limit(&d, 1000, 1ULL << 40));
	d.max_packets = 3;
	KUNIT_EXPECT_FALSE(test, npf_dump_over_limit(&d, 1, 0));
	KUNIT_EXPECT_TRUE(test, npf_dump_over_limit(&d, 2, 0));
	d.max_packets = 0;
	d.max_bytes = 200;
	KUNIT_EXPECT_FALSE(test, npf_dump_over_limit(&d, 1, 100));
	KUNIT_EXPECT_TRUE(test, npf_dump_over_limit(&d, 1, 101));
	/* full: not even a 1-byte record (16 + 1) fits */
	d.max_bytes = 100 + 17;
	KUNIT_EXPECT_FALSE(test, npf_dump_full(&d));
	d.max_bytes = 100 + 16;
	KUNIT_EXPECT_TRUE(test, npf_dump_full(&d));
	d.max_bytes = 0;
	d.max_packets = 2;
	KUNIT_EXPECT_TRUE(test, npf_dump_full(&d));
}

/* --- writing -------------------------------------------------------------------- */

static void dump_sync_writes_records(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	const char *path = tmp_path(test, "");
	size_t len;
	u32 off;
	u8 *b;

	start_dump(test, o, path, false, 262144);
	put3(test, o);
	npf_dump_sync(o);
	KUNIT_EXPECT_EQ(test, o->ring.used, 0U);
	KUNIT_EXPECT_EQ(test, o->dump.packets, 3ULL);
	KUNIT_EXPECT_EQ(test, o->dump.bytes, (u64)PHDR + 3 * RHDR + 71);
	KUNIT_EXPECT_EQ(test, o->dump.pos, (loff_t)o->dump.bytes);
	KUNIT_EXPECT_FALSE(test, o->dump.ended);

	b = slurp(test, path, &len);
	KUNIT_ASSERT_EQ(test, len, (size_t)o->dump.bytes);
	check_header(test, b, 0xa1b2c3d4, 262144, 1);
	off = PHDR;
	off += check_rec(test, b + off, 10, 100, 1, 123456);
	off += check_rec(test, b + off, 60, 60, 2, 123456);
	off += check_rec(test, b + off, 1, 1, 3, 123456);
	KUNIT_EXPECT_EQ(test, (size_t)off, len);

	/* nothing in another mode: the ring is read()'s there */
	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 8, 0, 4));
	o->mode = NPF_MODE_CAPT;
	npf_dump_sync(o);
	KUNIT_EXPECT_EQ(test, o->ring.used, 40U);
	KUNIT_EXPECT_EQ(test, o->dump.packets, 3ULL);
}

/* A batch holds NPF_DUMP_BATCH records; more take several writes. */
static void dump_sync_many_batches(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 65536);
	const char *path = tmp_path(test, "");
	int i, n = NPF_DUMP_BATCH * 2 + 7;
	size_t len;
	u32 off;
	u8 *b;

	start_dump(test, o, path, true, 262144);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 8, 0, i));
	npf_dump_sync(o);
	KUNIT_EXPECT_EQ(test, o->dump.packets, (u64)n);
	KUNIT_EXPECT_EQ(test, o->ring.used, 0U);
	b = slurp(test, path, &len);
	KUNIT_ASSERT_EQ(test, len, (size_t)PHDR + n * (RHDR + 8));
	off = PHDR;
	for (i = 0; i < n; i++)
		off += check_rec(test, b + off, 8, 8, (u8)i, 123456000);
}

/* max_packets: exactly that many records, the rest stays in the ring. */
static void dump_packet_limit_exact(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	const char *path = tmp_path(test, "");
	size_t len;

	start_dump(test, o, path, false, 262144);
	o->dump.max_packets = 2;
	put3(test, o);
	npf_dump_sync(o);
	KUNIT_EXPECT_EQ(test, o->dump.packets, 2ULL);
	KUNIT_EXPECT_TRUE(test, o->dump.ended);
	KUNIT_EXPECT_EQ(test, o->dump.error, 0);
	KUNIT_EXPECT_EQ(test, o->ring.used, 40U);
	slurp(test, path, &len);
	KUNIT_EXPECT_EQ(test, len, (size_t)PHDR + 2 * RHDR + 70);
	KUNIT_EXPECT_EQ(test, o->dump.bytes, (u64)len);
	/* ended: nothing more is written */
	npf_dump_sync(o);
	KUNIT_EXPECT_EQ(test, o->dump.packets, 2ULL);
}

/* max_bytes: the file never exceeds it, and holds whole records only. */
static void dump_byte_limit_exact(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	const char *path = tmp_path(test, "");
	size_t len;

	start_dump(test, o, path, false, 262144);
	o->dump.max_bytes = PHDR + 2 * RHDR + 70;	/* two records, exactly */
	put3(test, o);
	npf_dump_sync(o);
	KUNIT_EXPECT_EQ(test, o->dump.packets, 2ULL);
	KUNIT_EXPECT_TRUE(test, o->dump.ended);
	slurp(test, path, &len);
	KUNIT_EXPECT_EQ(test, (u64)len, o->dump.max_bytes);
}

static void dump_byte_limit_tiny(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	const char *path = tmp_path(test, "");
	size_t len;

	start_dump(test, o, path, false, 262144);
	o->dump.max_bytes = PHDR + RHDR + 10 - 1;	/* not even the first */
	put3(test, o);
	npf_dump_sync(o);
	KUNIT_EXPECT_EQ(test, o->dump.packets, 0ULL);
	KUNIT_EXPECT_TRUE(test, o->dump.ended);
	KUNIT_EXPECT_EQ(test, o->ring.used, 184U);
	slurp(test, path, &len);
	KUNIT_EXPECT_EQ(test, len, (size_t)PHDR);
}

/*
 * A write that fails part-way (RLIMIT_FSIZE in the middle of the second
 * record): the file is cut back to the first, which is counted; the dump
 * ends with the error.
 */
static void dump_write_error_cuts_partial(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	const char *path = tmp_path(test, "");
	struct rlimit *rl = &current->signal->rlim[RLIMIT_FSIZE];
	struct rlimit old = *rl;
	size_t len;

	start_dump(test, o, path, false, 262144);
	put3(test, o);
	rl->rlim_cur = PHDR + RHDR + 10 + 5;
	npf_dump_sync(o);
	*rl = old;
	KUNIT_EXPECT_TRUE(test, o->dump.ended);
	KUNIT_EXPECT_EQ(test, o->dump.error, -EFBIG);
	KUNIT_EXPECT_EQ(test, o->dump.packets, 1ULL);
	KUNIT_EXPECT_EQ(test, o->dump.bytes, (u64)PHDR + RHDR + 10);
	KUNIT_EXPECT_EQ(test, o->dump.pos, (loff_t)PHDR + RHDR + 10);
	/* the record written is consumed, the others stay */
	KUNIT_EXPECT_EQ(test, o->ring.used, 96U + 40U);
	slurp(test, path, &len);
	KUNIT_EXPECT_EQ(test, len, (size_t)PHDR + RHDR + 10);
}

/* A write that fails at once: nothing counted, nothing consumed. */
static void dump_write_error_nothing_written(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	const char *path = tmp_path(test, "");
	struct file *rw;
	size_t len;

	rw = start_dump(test, o, path, false, 262144);
	/* swap in a read-only file: every write fails with EBADF */
	o->dump.file = filp_open(path, O_RDONLY, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o->dump.file));
	fput(rw);
	put3(test, o);
	npf_dump_sync(o);
	KUNIT_EXPECT_TRUE(test, o->dump.ended);
	KUNIT_EXPECT_EQ(test, o->dump.error, -EBADF);
	KUNIT_EXPECT_EQ(test, o->dump.packets, 0ULL);
	KUNIT_EXPECT_EQ(test, o->dump.bytes, (u64)PHDR);
	KUNIT_EXPECT_EQ(test, o->ring.used, 184U);
	slurp(test, path, &len);
	KUNIT_EXPECT_EQ(test, len, (size_t)PHDR);
}

/* A filter that keeps more rewrites the header's snap length, only then. */
static void dump_filter_changed_header(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	const char *path = tmp_path(test, "");
	size_t len;
	u8 *b;

	start_dump(test, o, path, false, 96);
	put3(test, o);
	npf_dump_sync(o);
	o->snaplen = 1000;
	npf_dump_filter_changed(o);
	KUNIT_EXPECT_EQ(test, o->dump.snaplen, 1000U);
	b = slurp(test, path, &len);
	KUNIT_EXPECT_EQ(test, len, (size_t)PHDR + 3 * RHDR + 71);
	check_header(test, b, 0xa1b2c3d4, 1000, 1);
	check_rec(test, b + PHDR, 10, 100, 1, 123456);

	o->snaplen = 50;
	npf_dump_filter_changed(o);
	KUNIT_EXPECT_EQ(test, o->dump.snaplen, 1000U);
	b = slurp(test, path, &len);
	check_header(test, b, 0xa1b2c3d4, 1000, 1);
}

/*
 * The header rewrite of a new filter fails part-way (RLIMIT_FSIZE below
 * the header's size): the dump ends with the error, and the records
 * already in the file stay ("a write fails: the file is cut back to its
 * last whole record").
 */
static void dump_header_rewrite_error_keeps_records(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	const char *path = tmp_path(test, "");
	struct rlimit *rl = &current->signal->rlim[RLIMIT_FSIZE];
	struct rlimit old = *rl;
	size_t len;
	u8 *b;

	start_dump(test, o, path, false, 96);
	put3(test, o);
	npf_dump_sync(o);
	KUNIT_ASSERT_EQ(test, o->dump.packets, 3ULL);
	o->snaplen = 1000;
	rl->rlim_cur = 10;
	npf_dump_filter_changed(o);
	*rl = old;
	KUNIT_EXPECT_TRUE(test, o->dump.ended);
	KUNIT_EXPECT_EQ(test, o->dump.error, -EFBIG);
	b = slurp(test, path, &len);
	KUNIT_EXPECT_EQ_MSG(test, (u64)len, o->dump.bytes,
			    "the file lost its records");
	if (len >= PHDR + RHDR + 10) {
		check_header(test, b, 0xa1b2c3d4, 96, 1);
		check_rec(test, b + PHDR, 10, 100, 1, 123456);
	}
}

/*
 * Guards issue 12's "RLIMIT_FSIZE bounds the dump (EFBIG)": the opener's
 * file size limit, taken when the file is set (d->max_fsize), bounds the
 * dump as BIOCSETDUMPLIMITS' limits do (whole records, exactly), so the
 * worker (a kworker, whose own limit is infinite) never writes past it;
 * the dump then ends with EFBIG, as a write(2) would fail, while a limit
 * the caller set ends it with 0 (also when both are reached at once).
 */
static void fsize_case(struct kunit *test, const char *tag, u64 max_fsize,
		       u64 max_bytes, u64 max_packets, int error)
{
	struct npf_open *o = npf_test_open(test, 0);
	const char *path = tmp_path(test, tag);
	size_t len;

	start_dump(test, o, path, false, 262144);
	o->dump.max_fsize = max_fsize;
	o->dump.max_bytes = max_bytes;
	o->dump.max_packets = max_packets;
	put3(test, o);
	npf_dump_sync(o);
	KUNIT_EXPECT_TRUE_MSG(test, o->dump.ended, "%s", tag);
	KUNIT_EXPECT_EQ_MSG(test, o->dump.error, error, "%s", tag);
	/* one record (16 + 10) fits, the second (16 + 60) does not */
	KUNIT_EXPECT_EQ_MSG(test, o->dump.packets, 1ULL, "%s", tag);
	KUNIT_EXPECT_EQ_MSG(test, o->dump.bytes, (u64)PHDR + RHDR + 10, "%s",
			    tag);
	KUNIT_EXPECT_EQ_MSG(test, o->ring.used, 96U + 40U, "%s", tag);
	slurp(test, path, &len);
	KUNIT_EXPECT_EQ_MSG(test, len, (size_t)PHDR + RHDR + 10, "%s", tag);
}

static void dump_fsize_limit(struct kunit *test)
{
	const u64 lim = PHDR + RHDR + 10 + 5;

	fsize_case(test, "-fsize", lim, 0, 0, -EFBIG);
	/* a byte limit the second record (16 + 60) would not reach */
	fsize_case(test, "-fsize-bytes-larger", lim, lim + 100, 0, -EFBIG);
	fsize_case(test, "-bytes", 0, lim, 0, 0);
	fsize_case(test, "-both-bytes", lim, lim, 0, 0);
	/* the second record crosses both: the caller's own limit says how */
	fsize_case(test, "-both-crossed", lim, lim + 50, 0, 0);
	fsize_case(test, "-both-packets", lim, 0, 1, 0);
}

/* Set @o's dump file to @file as BIOCSETDUMPFD does; a failure gives it back. */
static long use_file(struct npf_open *o, struct file *file, u32 flags)
{
	long ret = npf_dump_use_file(o, file, flags);

	if (ret)
		fput(file);
	return ret;
}

/* Open @path, to be handed to the open (not test-managed). */
static struct file *new_file(struct kunit *test, const char *path, int flags)
{
	struct file *f = filp_open(path, flags | O_LARGEFILE, 0600);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "open %s: %ld", path,
			       PTR_ERR_OR_ZERO(f));
	return f;
}

/* The caller's RLIMIT_FSIZE is read when the file is set. */
static void dump_fsize_from_rlimit(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	const char *path = tmp_path(test, "");
	struct rlimit *rl = &current->signal->rlim[RLIMIT_FSIZE];
	struct rlimit old = *rl;
	struct file *f;
	loff_t pos = 0;
	size_t len;
	u8 junk[100];
	long ret;

	o->linktype = 1;
	o->snaplen = 1500;
	o->mode = NPF_MODE_DUMP;
	/* a file that has something in it */
	memset(junk, 'x', sizeof(junk));
	f = open_file(test, path, O_WRONLY | O_CREAT | O_TRUNC);
	KUNIT_ASSERT_EQ(test, kernel_write(f, junk, sizeof(junk), &pos),
			(ssize_t)sizeof(junk));

	/* not even the header fits: EFBIG, the file untouched */
	rl->rlim_cur = PHDR - 1;
	ret = use_file(o, new_file(test, path, O_WRONLY), 0);
	*rl = old;
	KUNIT_EXPECT_EQ(test, ret, (long)-EFBIG);
	KUNIT_EXPECT_NULL(test, o->dump.file);
	slurp(test, path, &len);
	KUNIT_EXPECT_EQ(test, len, sizeof(junk));

	/* the header fits, no record does (16 + 1): ended at once, EFBIG */
	rl->rlim_cur = PHDR + RHDR;
	ret = use_file(o, new_file(test, path, O_WRONLY), 0);
	*rl = old;
	KUNIT_ASSERT_EQ(test, ret, 0L);
	KUNIT_EXPECT_EQ(test, o->dump.max_fsize, (u64)PHDR + RHDR);
	KUNIT_EXPECT_TRUE(test, o->dump.ended);
	KUNIT_EXPECT_EQ(test, o->dump.error, -EFBIG);
	slurp(test, path, &len);
	KUNIT_EXPECT_EQ(test, len, (size_t)PHDR);

	/* room for records: the limit is remembered, the dump goes on */
	rl->rlim_cur = 1000;
	ret = use_file(o, new_file(test, path, O_WRONLY), 0);
	*rl = old;
	KUNIT_ASSERT_EQ(test, ret, 0L);
	KUNIT_EXPECT_EQ(test, o->dump.max_fsize, 1000ULL);
	KUNIT_EXPECT_FALSE(test, o->dump.ended);
	KUNIT_EXPECT_EQ(test, o->dump.error, 0);

	/* no limit */
	rl->rlim_cur = RLIM_INFINITY;
	ret = use_file(o, new_file(test, path, O_WRONLY), 0);
	*rl = old;
	KUNIT_ASSERT_EQ(test, ret, 0L);
	KUNIT_EXPECT_EQ(test, o->dump.max_fsize, 0ULL);
	npf_dump_close(o);
}

/*
 * What a dump file must be, however it was opened (BIOCSETDUMPFD takes
 * the caller's file as it is): open for writing (else EBADF, as
 * write(2) says, checked first), a regular file (a FIFO or a device could block the
 * worker or have side effects) and not O_APPEND (records are written at
 * the dump's own offsets, and a failed write is cut back there): EINVAL.
 * A refused file changes nothing: the dump goes on in the old one.
 */
static void dump_check_file_rules(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	const char *path = tmp_path(test, ""), *keep = tmp_path(test, "-keep");
	struct file *f, *kept;
	size_t len;

	f = open_file(test, path, O_RDWR | O_CREAT | O_TRUNC);
	KUNIT_EXPECT_EQ(test, npf_dump_check_file(f), 0);
	f = open_file(test, path, O_WRONLY);
	KUNIT_EXPECT_EQ(test, npf_dump_check_file(f), 0);
	f = open_file(test, path, O_RDONLY);
	KUNIT_EXPECT_EQ(test, npf_dump_check_file(f), -EBADF);
	f = open_file(test, path, O_WRONLY | O_APPEND);
	KUNIT_EXPECT_EQ(test, npf_dump_check_file(f), -EINVAL);
	f = open_file(test, path, O_RDWR | O_APPEND);
	KUNIT_EXPECT_EQ(test, npf_dump_check_file(f), -EINVAL);
	f = open_file(test, "/dev/null", O_WRONLY);
	KUNIT_EXPECT_EQ(test, npf_dump_check_file(f), -EINVAL);
	f = open_file(test, "/dev/null", O_RDONLY);
	KUNIT_EXPECT_EQ(test, npf_dump_check_file(f), -EBADF);
	/* a directory is never open for writing: EBADF, as write(2) says */
	f = open_file(test, "/tmp", O_RDONLY | O_DIRECTORY);
	KUNIT_EXPECT_EQ(test, npf_dump_check_file(f), -EBADF);

	/* through the setter: refused, the dump goes on in its file */
	o->linktype = 1;
	o->mode = NPF_MODE_DUMP;
	KUNIT_ASSERT_EQ(test, use_file(o, new_file(test, keep, O_WRONLY |
						   O_CREAT | O_TRUNC), 0), 0L);
	kept = o->dump.file;
	KUNIT_EXPECT_EQ(test, use_file(o, new_file(test, path, O_RDONLY), 0),
			(long)-EBADF);
	KUNIT_EXPECT_EQ(test, use_file(o, new_file(test, path, O_WRONLY |
						   O_APPEND), 0), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, use_file(o, new_file(test, "/dev/null",
						   O_WRONLY), 0), (long)-EINVAL);
	KUNIT_EXPECT_PTR_EQ(test, o->dump.file, kept);
	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 8, 0, 1));
	npf_dump_sync(o);
	KUNIT_EXPECT_EQ(test, o->dump.packets, 1ULL);
	npf_dump_close(o);
	slurp(test, keep, &len);
	KUNIT_EXPECT_EQ(test, len, (size_t)PHDR + RHDR + 8);
}

/* --- the ioctls ------------------------------------------------------------------ */

static void dump_ioctl_limits_stats(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *u = npf_test_ualloc(test, 4096);
	struct npf_dump_limits lim = { .max_bytes = 0, .max_packets = 5 };
	struct npf_dump_stats st;
	u32 ended;

	/* no file: limits are remembered, stats say inactive */
	NPF_TEST_PUT(test, u, &lim, sizeof(lim));
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPLIMITS, u), 0L);
	KUNIT_EXPECT_EQ(test, o->dump.max_packets, 5ULL);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCGDUMPSTATS, u), 0L);
	NPF_TEST_GET(test, &st, u, sizeof(st));
	KUNIT_EXPECT_EQ(test, st.active, 0U);
	KUNIT_EXPECT_EQ(test, st.ended, 0U);
	KUNIT_EXPECT_EQ(test, st.pad, 0U);

	start_dump(test, o, tmp_path(test, ""), false, 262144);
	put3(test, o);
	npf_dump_sync(o);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCGDUMPSTATS, u), 0L);
	NPF_TEST_GET(test, &st, u, sizeof(st));
	KUNIT_EXPECT_EQ(test, st.packets, 3ULL);
	KUNIT_EXPECT_EQ(test, st.bytes, (u64)PHDR + 3 * RHDR + 71);
	KUNIT_EXPECT_EQ(test, st.error, 0);
	KUNIT_EXPECT_EQ(test, st.ended, 0U);
	KUNIT_EXPECT_EQ(test, st.active, 1U);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCISDUMPENDED, u), 0L);
	NPF_TEST_GET(test, &ended, u, sizeof(ended));
	KUNIT_EXPECT_EQ(test, ended, 0U);

	/* a limit already reached ends the dump at once */
	lim.max_packets = 3;
	NPF_TEST_PUT(test, u, &lim, sizeof(lim));
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPLIMITS, u), 0L);
	KUNIT_EXPECT_TRUE(test, o->dump.ended);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCISDUMPENDED, u), 0L);
	NPF_TEST_GET(test, &ended, u, sizeof(ended));
	KUNIT_EXPECT_EQ(test, ended, 1U);

	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPLIMITS, NPF_TEST_BADPTR),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCGDUMPSTATS, NPF_TEST_BADPTR),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCVERSION, u), -ENOTTY);
}

/* A tiny byte limit that cannot hold one more record ends it too. */
static void dump_ioctl_tiny_byte_limit(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *u = npf_test_ualloc(test, 4096);
	struct npf_dump_limits lim = { .max_bytes = PHDR + RHDR };

	start_dump(test, o, tmp_path(test, ""), false, 262144);
	NPF_TEST_PUT(test, u, &lim, sizeof(lim));
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPLIMITS, u), 0L);
	KUNIT_EXPECT_TRUE(test, o->dump.ended);
	KUNIT_EXPECT_EQ(test, o->dump.error, 0);
}

/* Put a BIOCSETDUMPFILENAME request for @path at @u (path after it). */
static void put_name(struct kunit *test, void __user *u, const char *path,
		     u32 flags, u32 pad)
{
	struct npf_dump_name req = {
		.path = (u64)(unsigned long)u + 64,
		.flags = flags,
		.pad = pad,
	};

	NPF_TEST_PUT(test, u, &req, sizeof(req));
	NPF_TEST_PUT(test, u + 64, path, strlen(path) + 1);
}

static void dump_set_file_errors(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *u = npf_test_ualloc(test, 4096);
	const char *path = tmp_path(test, "");
	long ret;

	put_name(test, u, path, 0, 0);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFILENAME, u), -ENXIO);
	o->bound = true;
	o->linktype = 1;
	put_name(test, u, path, 2, 0);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFILENAME, u), -EINVAL);
	put_name(test, u, path, 0, 1);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFILENAME, u), -EINVAL);
	put_name(test, u, "/nonexistent-npf-dir/x.pcap", 0, 0);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFILENAME, u), -ENOENT);
	/* a directory: open's EISDIR, or EINVAL (not a regular file) */
	put_name(test, u, "/tmp", 0, 0);
	ret = npf_dump_ioctl(o, BIOCSETDUMPFILENAME, u);
	KUNIT_EXPECT_TRUE_MSG(test, ret == -EISDIR || ret == -EINVAL, "%ld", ret);
	/* not a regular file */
	put_name(test, u, "/dev/null", 0, 0);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFILENAME, u), -EINVAL);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFILENAME,
					     NPF_TEST_BADPTR), -EFAULT);
	put_name(test, u, path, 0, 0);
	WRITE_ONCE(o->gone, true);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFILENAME, u), -ENODEV);
	KUNIT_EXPECT_NULL(test, o->dump.file);
}

/* BIOCSETDUMPFD: what is checked before the file is looked at. */
static void dump_set_fd_errors(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *u = npf_test_ualloc(test, 4096);
	struct npf_dump_fd req = { .fd = -1 };

	NPF_TEST_PUT(test, u, &req, sizeof(req));
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFD, u), -ENXIO);
	o->bound = true;
	o->linktype = 1;
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFD, u), -EBADF);
	req.fd = INT_MAX;
	NPF_TEST_PUT(test, u, &req, sizeof(req));
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFD, u), -EBADF);
	req.flags = 2;
	NPF_TEST_PUT(test, u, &req, sizeof(req));
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFD, u), -EINVAL);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFD, NPF_TEST_BADPTR),
			-EFAULT);
	req.flags = 0;
	NPF_TEST_PUT(test, u, &req, sizeof(req));
	WRITE_ONCE(o->gone, true);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFD, u), -ENODEV);
	KUNIT_EXPECT_NULL(test, o->dump.file);
}

/*
 * Success: header with the open's snap length and link type, the worker
 * writes what the ring holds within its period. A failed replacement
 * keeps the file; a good one finishes it first.
 */
static void dump_set_file_and_replace(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *u = npf_test_ualloc(test, 4096);
	const char *a = tmp_path(test, "-a"), *b = tmp_path(test, "-b");
	struct file *fa;
	size_t len;
	int i;
	u8 *p;

	o->bound = true;
	o->linktype = 101;
	o->snaplen = 1500;
	o->mode = NPF_MODE_DUMP;
	put_name(test, u, a, NPF_DUMP_NANO, 0);
	KUNIT_ASSERT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFILENAME, u), 0L);
	fa = o->dump.file;
	KUNIT_ASSERT_NOT_NULL(test, fa);
	KUNIT_EXPECT_TRUE(test, o->dump.nano);
	KUNIT_EXPECT_EQ(test, o->dump.bytes, (u64)PHDR);
	p = slurp(test, a, &len);
	KUNIT_ASSERT_EQ(test, len, (size_t)PHDR);
	check_header(test, p, 0xa1b23c4d, 1500, 101);

	/* the worker (every 100 ms) writes what the tap stores */
	put3(test, o);
	for (i = 0; i < 200 && READ_ONCE(o->ring.used); i++)
		msleep(50);
	mutex_lock(&o->dump.lock);
	KUNIT_EXPECT_EQ(test, o->dump.packets, 3ULL);
	mutex_unlock(&o->dump.lock);

	put_name(test, u, "/nonexistent-npf-dir/x.pcap", 0, 0);
	KUNIT_EXPECT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFILENAME, u), -ENOENT);
	KUNIT_EXPECT_PTR_EQ(test, o->dump.file, fa);

	/* pause the worker's mode so the next records wait in the ring */
	o->mode = NPF_MODE_CAPT;
	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 20, 0, 9));
	o->mode = NPF_MODE_DUMP;
	put_name(test, u, b, 0, 0);
	KUNIT_ASSERT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFILENAME, u), 0L);
	KUNIT_EXPECT_PTR_NE(test, o->dump.file, fa);
	KUNIT_EXPECT_EQ(test, o->dump.packets, 0ULL);
	KUNIT_EXPECT_FALSE(test, o->dump.nano);
	/* a got all four records */
	slurp(test, a, &len);
	KUNIT_EXPECT_EQ(test, len, (size_t)PHDR + 4 * RHDR + 71 + 20);
	p = slurp(test, b, &len);
	KUNIT_EXPECT_EQ(test, len, (size_t)PHDR);
	check_header(test, p, 0xa1b2c3d4, 1500, 101);

	npf_dump_close(o);
	KUNIT_EXPECT_NULL(test, o->dump.file);
	KUNIT_EXPECT_NULL(test, o->dump.batch);
}

/* Each allocation of BIOCSETDUMPFILENAME may fail: the old file stays. */
static void dump_set_file_alloc_failures(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	void __user *ua = npf_test_ualloc(test, 4096);
	void __user *ub = npf_test_ualloc(test, 4096);
	const char *a = tmp_path(test, "-a"), *b = tmp_path(test, "-b");
	unsigned int n, failed = 0;
	struct file *fa;
	long ret;

	o->bound = true;
	o->linktype = 1;
	put_name(test, ua, a, 0, 0);
	put_name(test, ub, b, 0, 0);
	KUNIT_ASSERT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFILENAME, ua), 0L);
	for (n = 1; n < 5000; n++) {
		fa = o->dump.file;
		npf_test_fail_nth(test, n);
		ret = npf_dump_ioctl(o, BIOCSETDUMPFILENAME, ub);
		if (npf_test_fail_off()) {
			KUNIT_EXPECT_EQ(test, ret, 0L);
			break;
		}
		if (ret) {
			failed++;
			KUNIT_EXPECT_LT_MSG(test, ret, 0L, "allocation %u", n);
			KUNIT_EXPECT_PTR_EQ(test, o->dump.file, fa);
			KUNIT_EXPECT_EQ(test, o->dump.bytes, (u64)PHDR);
		} else {
			KUNIT_ASSERT_EQ(test, npf_dump_ioctl(o, BIOCSETDUMPFILENAME,
							     ua), 0L);
		}
	}
	KUNIT_EXPECT_LT(test, n, 5000U);
	KUNIT_EXPECT_GE(test, failed, 2U);
	npf_dump_close(o);
}

static int dump_suite_init(struct kunit_suite *suite)
{
	int ret = npf_dump_init();

	return ret ? ret : npf_test_mm_get(suite);
}

static void dump_suite_exit(struct kunit_suite *suite)
{
	npf_test_mm_put(suite);
	npf_dump_exit();
}

static struct kunit_case npf_dump_cases[] = {
	KUNIT_CASE(dump_pcap_header),
	KUNIT_CASE(dump_limit_arithmetic),
	KUNIT_CASE(dump_sync_writes_records),
	KUNIT_CASE(dump_sync_many_batches),
	KUNIT_CASE(dump_packet_limit_exact),
	KUNIT_CASE(dump_byte_limit_exact),
	KUNIT_CASE(dump_byte_limit_tiny),
	KUNIT_CASE(dump_write_error_cuts_partial),
	KUNIT_CASE(dump_write_error_nothing_written),
	KUNIT_CASE(dump_filter_changed_header),
	KUNIT_CASE(dump_header_rewrite_error_keeps_records),
	KUNIT_CASE(dump_fsize_limit),
	KUNIT_CASE(dump_fsize_from_rlimit),
	KUNIT_CASE(dump_check_file_rules),
	KUNIT_CASE(dump_ioctl_limits_stats),
	KUNIT_CASE(dump_ioctl_tiny_byte_limit),
	KUNIT_CASE(dump_set_file_errors),
	KUNIT_CASE(dump_set_fd_errors),
	KUNIT_CASE(dump_set_file_and_replace),
	KUNIT_CASE(dump_set_file_alloc_failures),
	{}
};

static struct kunit_suite npf_dump_suite = {
	.name = "npf_dump",
	.suite_init = dump_suite_init,
	.suite_exit = dump_suite_exit,
	.test_cases = npf_dump_cases,
};

kunit_test_suites(&npf_dump_suite);
