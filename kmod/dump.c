// SPDX-License-Identifier: GPL-2.0
/*
 * MODE_DUMP: the module writes the pcap file itself. WinPcap 3.0 had this
 * (and shipped it broken); here it is done the kernel way:
 *
 *  - the caller opens the file and hands us the fd (BIOCSETDUMPFD), so
 *    permissions, symlinks and the umask are user space's as for any
 *    program; BIOCSETDUMPFILENAME (API 1.0) opens it in the caller's
 *    context with the same rules and then goes the same way;
 *  - the tap only stores records in the ring, as in MODE_CAPT, and never
 *    sleeps or does I/O; a worker drains the ring and writes batches of
 *    pcap records with one vectored write each: record headers from a
 *    small array, frame data straight from the ring, one copy in all;
 *  - limits are exact and count whole records only; the file never holds
 *    a partial record, even after a write error;
 *  - nothing the filter accepted is lost: configuration changes, mode
 *    switches and close() write what is buffered first.
 */

#include <linux/file.h>
#include <linux/namei.h>
#include <linux/fs.h>
#include <linux/npf.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "dump.h"
#include "internal.h"
#include "record.h"
#include "ring.h"
#include "wait.h"

#define NPF_DUMP_BATCH		256		/* records per write */
#define NPF_DUMP_PERIOD		(HZ / 10)	/* flush at least this often */

struct npf_dump_batch {
	struct npf_pcap_hdr hdrs[NPF_DUMP_BATCH];
	struct kvec iov[2 * NPF_DUMP_BATCH];
};

static struct workqueue_struct *npf_dump_wq;

/*
 * Write @nr kvecs (@bytes in all) at @pos, as the file's opener. Returns
 * the bytes written: fewer than @bytes only with an error in *@err.
 */
static size_t npf_dump_write(struct file *file, loff_t pos, struct kvec *iov,
			     unsigned long nr, size_t bytes, int *err)
{
	const struct cred *old = override_creds(file->f_cred);
	struct iov_iter it;
	size_t done = 0;
	ssize_t ret = 0;

	iov_iter_kvec(&it, ITER_SOURCE, iov, nr, bytes);
	file_start_write(file);
	while (done < bytes) {
		ret = vfs_iter_write(file, &it, &pos, 0);
		if (ret <= 0)
			break;
		done += ret;
		/* A size limit truncates the iterator: count, do not trust it. */
		iov_iter_reexpand(&it, bytes - done);
	}
	file_end_write(file);
	revert_creds(old);
	*err = done < bytes ? (ret < 0 ? ret : -EFBIG) : 0;
	return done;
}

/* After a failed write: the file ends with its last whole record. */
static int npf_dump_cut(struct file *file, loff_t pos)
{
	const struct cred *old = override_creds(file->f_cred);
	int ret = vfs_truncate(&file->f_path, pos);

	revert_creds(old);
	return ret;
}

/* Stop dumping; readers and pollers learn it from BIOCISDUMPENDED. */
static void npf_dump_end(struct npf_open *o, int error)
{
	struct npf_dump *d = &o->dump;

	d->error = error;
	WRITE_ONCE(d->ended, true);
	npf_wake(o, EPOLLIN | EPOLLRDNORM);
}

/* Whether @bytes more would go past the opener's RLIMIT_FSIZE. */
static bool npf_dump_over_fsize(const struct npf_dump *d, u64 bytes)
{
	return d->max_fsize && d->bytes + bytes > d->max_fsize;
}

/* Whether @n more records of @bytes in all would break a limit set. */
static bool npf_dump_over_set_limit(const struct npf_dump *d, u32 n,
				    u64 bytes)
{
	return (d->max_packets && d->packets + n > d->max_packets) ||
	       (d->max_bytes && d->bytes + bytes > d->max_bytes);
}

static bool npf_dump_over_limit(const struct npf_dump *d, u32 n, u64 bytes)
{
	return npf_dump_over_set_limit(d, n, bytes) ||
	       npf_dump_over_fsize(d, bytes);
}

/*
 * How a dump stopped by a limit ends: normally for BIOCSETDUMPLIMITS',
 * with EFBIG for RLIMIT_FSIZE alone, as a write(2) past it would fail.
 */
static int npf_dump_limit_error(const struct npf_dump *d, u32 n, u64 bytes)
{
	return npf_dump_over_set_limit(d, n, bytes) ? 0 : -EFBIG;
}

#define NPF_DUMP_MIN_REC	(sizeof(struct npf_pcap_hdr) + 1)

/* Whether no record at all can be added any more. */
static bool npf_dump_full(const struct npf_dump *d)
{
	return npf_dump_over_limit(d, 1, NPF_DUMP_MIN_REC);
}

/*
 * A write of @n records failed after @done bytes: keep the records it
 * wrote whole, cut the rest. Returns how many records were kept.
 */
static u32 npf_dump_keep(struct npf_dump *d, u32 n, size_t done)
{
	struct npf_dump_batch *b = d->batch;
	size_t kept = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		size_t rec = sizeof(b->hdrs[i]) + b->hdrs[i].caplen;

		if (kept + rec > done)
			break;
		kept += rec;
	}
	npf_dump_cut(d->file, d->pos + kept);
	d->pos += kept;
	d->packets += i;
	d->bytes += kept;
	return i;
}

/* Ring bytes taken by the first @n records at @recs. */
static u32 npf_dump_ring_len(const u8 *recs, u32 n)
{
	u32 off = 0;

	while (n--) {
		const struct bpf_hdr *h = (const void *)(recs + off);

		off += NPF_WORDALIGN(h->bh_hdrlen + h->bh_caplen);
	}
	return off;
}

/*
 * The ring's sink: write up to NPF_DUMP_BATCH of the records at @recs,
 * stopping at a limit. Returns the ring bytes written out (0: stop).
 */
static ssize_t npf_dump_sink(void *ctx, const u8 *recs, u32 len)
{
	struct npf_open *o = ctx;
	struct npf_dump *d = &o->dump;
	struct npf_dump_batch *b = d->batch;
	int limit = 1;	/* 1: none hit, else how the dump ends */
	u32 off = 0, n = 0;
	size_t bytes = 0, done;
	int err;

	if (d->ended)
		return 0;
	while (off < len && n < NPF_DUMP_BATCH) {
		const struct bpf_hdr *h = (const void *)(recs + off);
		u32 rec = sizeof(b->hdrs[0]) + h->bh_caplen;

		if (npf_dump_over_limit(d, n + 1, bytes + rec)) {
			limit = npf_dump_limit_error(d, n + 1, bytes + rec);
			break;
		}
		/* The ring holds one unit (BIOCSTIMESTAMPMODE flushes it). */
		npf_rec_bpf_to_pcap(&b->hdrs[n], h, o->tstamp_nano, d->nano);
		b->iov[2 * n].iov_base = &b->hdrs[n];
		b->iov[2 * n].iov_len = sizeof(b->hdrs[n]);
		b->iov[2 * n + 1].iov_base = (void *)(recs + off + h->bh_hdrlen);
		b->iov[2 * n + 1].iov_len = h->bh_caplen;
		bytes += rec;
		off += NPF_WORDALIGN(h->bh_hdrlen + h->bh_caplen);
		n++;
	}
	if (n) {
		done = npf_dump_write(d->file, d->pos, b->iov, 2 * n, bytes,
				      &err);
		if (err) {
			npf_dump_end(o, err);
			return npf_dump_ring_len(recs, npf_dump_keep(d, n, done));
		}
		d->pos += bytes;
		d->packets += n;
		d->bytes += bytes;
	}
	if (limit == 1 && npf_dump_full(d))
		limit = npf_dump_limit_error(d, 1, NPF_DUMP_MIN_REC);
	if (limit != 1)
		npf_dump_end(o, limit);
	return off;
}

/*
 * Write out what the ring holds, at most about one ring's worth (so that a
 * flood cannot keep the worker here forever): true if more may be left.
 * d->lock held.
 */
static bool npf_dump_flush(struct npf_open *o)
{
	struct npf_dump *d = &o->dump;
	u64 budget = o->ring.size;
	ssize_t n;

	/* In the other modes the ring belongs to read(). */
	if (!d->file || d->ended || !(READ_ONCE(o->mode) & NPF_MODE_DUMP))
		return false;
	do {
		n = npf_ring_drain(&o->ring, npf_dump_sink, o);
		if (n <= 0)
			return false;
		budget -= min_t(u64, budget, n);
	} while (budget);
	return true;
}

static void npf_dump_work(struct work_struct *work)
{
	struct npf_dump *d = container_of(to_delayed_work(work),
					  struct npf_dump, work);
	struct npf_open *o = container_of(d, struct npf_open, dump);
	unsigned long delay = NPF_DUMP_PERIOD;

	clear_bit(0, &d->kicked);
	mutex_lock(&d->lock);
	if (npf_dump_flush(o))
		delay = 0;
	if (d->file && !d->ended)
		queue_delayed_work(npf_dump_wq, &d->work, delay);
	mutex_unlock(&d->lock);
}

/* From the tap: the ring is filling up, do not wait for the period. */
void npf_dump_kick(struct npf_open *o)
{
	struct npf_dump *d = &o->dump;

	if (READ_ONCE(o->ring.used) >= o->ring.size / 4 &&
	    !test_and_set_bit(0, &d->kicked))
		mod_delayed_work(npf_dump_wq, &d->work, 0);
}

/* Before the ring is flushed: write what it holds. o->lock held. */
void npf_dump_sync(struct npf_open *o)
{
	struct npf_dump *d = &o->dump;

	mutex_lock(&d->lock);
	while (npf_dump_flush(o))
		;
	mutex_unlock(&d->lock);
}

/* Finish the file: write everything buffered, close it. d->lock held. */
static void npf_dump_close_locked(struct npf_open *o)
{
	struct npf_dump *d = &o->dump;

	if (!d->file)
		return;
	while (npf_dump_flush(o))
		;
	fput(d->file);
	d->file = NULL;
	kfree(d->batch);
	d->batch = NULL;
}

/* Leaving MODE_DUMP. o->lock held; the worker must not run. */
void npf_dump_close(struct npf_open *o)
{
	struct npf_dump *d = &o->dump;

	cancel_delayed_work_sync(&d->work);
	mutex_lock(&d->lock);
	npf_dump_close_locked(o);
	mutex_unlock(&d->lock);
}

/*
 * Write the file header; a failure on a new file leaves it empty, on a
 * rewrite (@fresh false) the records stay and only the dump ends.
 */
static int npf_dump_write_header(struct file *file, bool nano, u32 snaplen,
				 u32 linktype, bool fresh)
{
	struct npf_pcap_file_hdr fh = {
		.magic = nano ? NPF_PCAP_MAGIC_NSEC : NPF_PCAP_MAGIC_USEC,
		.version_major = 2,
		.version_minor = 4,
		.snaplen = snaplen,
		.linktype = linktype,
	};
	struct kvec iov = { .iov_base = &fh, .iov_len = sizeof(fh) };
	int err;

	if (npf_dump_write(file, 0, &iov, 1, sizeof(fh), &err) != sizeof(fh) &&
	    fresh)
		npf_dump_cut(file, 0);
	return err;
}

/*
 * A new filter may keep more bytes: the header's snap length must cover
 * every record. o->lock held.
 */
void npf_dump_filter_changed(struct npf_open *o)
{
	struct npf_dump *d = &o->dump;

	mutex_lock(&d->lock);
	if (d->file && !d->ended && o->snaplen > d->snaplen) {
		int err = npf_dump_write_header(d->file, d->nano, o->snaplen,
						o->linktype, false);

		if (err)
			npf_dump_end(o, err);
		else
			d->snaplen = o->snaplen;
	}
	mutex_unlock(&d->lock);
}

/* Whether @path names something other than a regular file. */
static bool npf_dump_not_regular(const char *path)
{
	struct path p;
	bool ret;

	if (kern_path(path, LOOKUP_FOLLOW, &p))
		return false;	/* to be created (or an error open reports) */
	ret = !d_is_reg(p.dentry);
	path_put(&p);
	return ret;
}

/*
 * BIOCSETDUMPFILENAME: open @path as the caller's fopen(path, "w") would
 * (its credentials, view of the file system and umask, mode 0666,
 * symlinks followed). Only regular files: opening a FIFO or a device
 * would block or have side effects, and the worker must never block on
 * one. O_NONBLOCK covers what may appear between the check and the open;
 * it means nothing to regular files.
 */
static struct file *npf_dump_open_path(const char __user *upath)
{
	struct file *file;
	char *path;

	path = strndup_user(upath, PATH_MAX);
	if (IS_ERR(path))
		return ERR_CAST(path);
	if (npf_dump_not_regular(path)) {
		kfree(path);
		return ERR_PTR(-EINVAL);
	}
	file = filp_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_LARGEFILE |
			 O_NOCTTY | O_NONBLOCK, 0666);
	kfree(path);
	return file;
}

/*
 * What a dump file must be, however it was opened: regular, open for
 * writing (as write(2) says EBADF), and written at our offsets (O_APPEND
 * would put records after a failed write's remains).
 */
static int npf_dump_check_file(struct file *file)
{
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!S_ISREG(file_inode(file)->i_mode) ||
	    !(file->f_mode & FMODE_CAN_WRITE) || (file->f_flags & O_APPEND))
		return -EINVAL;
	return 0;
}

/* The caller's RLIMIT_FSIZE, as a byte limit (0: none). */
static u64 npf_dump_fsize_limit(void)
{
	unsigned long lim = rlimit(RLIMIT_FSIZE);

	return lim == RLIM_INFINITY ? 0 : lim;
}

/*
 * Start @file afresh: empty, with a pcap header. Errors are the caller's
 * to report; @file is untouched by a check that fails.
 */
static int npf_dump_start_file(struct npf_open *o, struct file *file,
			       bool nano, u64 max_fsize)
{
	int ret = npf_dump_check_file(file);

	if (ret)
		return ret;
	if (max_fsize && max_fsize < sizeof(struct npf_pcap_file_hdr))
		return -EFBIG;
	if (i_size_read(file_inode(file))) {
		ret = npf_dump_cut(file, 0);
		if (ret)
			return ret;
	}
	return npf_dump_write_header(file, nano, o->snaplen, o->linktype,
				     true);
}

/*
 * Make @file (a reference the caller gives us) the dump file. The old
 * one, if any, is finished and closed only once the new one has its
 * header: a failure keeps the old. The tap is paused meanwhile, so that
 * finishing the old file under a flood ends. o->lock held.
 */
static long npf_dump_use_file(struct npf_open *o, struct file *file, u32 flags)
{
	struct npf_dump *d = &o->dump;
	bool nano = flags & NPF_DUMP_NANO;
	u64 max_fsize = npf_dump_fsize_limit();
	struct npf_dump_batch *batch;
	u32 mode = o->mode;
	int ret;

	batch = kmalloc(sizeof(*batch), GFP_KERNEL_ACCOUNT);
	if (!batch)
		return -ENOMEM;
	ret = npf_dump_start_file(o, file, nano, max_fsize);
	if (ret) {
		kfree(batch);
		return ret;
	}

	npf_pause(o);
	cancel_delayed_work_sync(&d->work);
	mutex_lock(&d->lock);
	/* The old file got what was buffered for it: close it. */
	npf_dump_close_locked(o);
	d->file = file;
	d->batch = batch;
	d->nano = nano;
	d->snaplen = o->snaplen;
	d->max_fsize = max_fsize;
	d->pos = sizeof(struct npf_pcap_file_hdr);
	d->bytes = d->pos;
	d->packets = 0;
	d->error = 0;
	WRITE_ONCE(d->end_told, false);
	WRITE_ONCE(d->ended, false);
	if (npf_dump_full(d))
		npf_dump_end(o, npf_dump_limit_error(d, 1, NPF_DUMP_MIN_REC));
	queue_delayed_work(npf_dump_wq, &d->work, NPF_DUMP_PERIOD);
	mutex_unlock(&d->lock);
	npf_unpause(o, mode);
	return 0;
}

/* A dump needs the adapter's link type. */
static int npf_dump_check_bound(struct npf_open *o)
{
	if (!o->bound)
		return -ENXIO;
	return o->gone ? -ENODEV : 0;
}

static long npf_dump_set_name(struct npf_open *o, void __user *arg)
{
	struct npf_dump_name req;
	struct file *file;
	long ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~NPF_DUMP_NANO || req.pad)
		return -EINVAL;
	ret = npf_dump_check_bound(o);
	if (ret)
		return ret;
	file = npf_dump_open_path(u64_to_user_ptr(req.path));
	if (IS_ERR(file))
		return PTR_ERR(file);
	ret = npf_dump_use_file(o, file, req.flags);
	if (ret)
		fput(file);
	return ret;
}

static long npf_dump_set_fd(struct npf_open *o, void __user *arg)
{
	struct npf_dump_fd req;
	struct file *file;
	long ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~NPF_DUMP_NANO)
		return -EINVAL;
	ret = npf_dump_check_bound(o);
	if (ret)
		return ret;
	/* Our own reference: the caller may close its fd at once. */
	file = fget(req.fd);
	if (!file)
		return -EBADF;
	ret = npf_dump_use_file(o, file, req.flags);
	if (ret)
		fput(file);
	return ret;
}

static long npf_dump_set_limits(struct npf_open *o, void __user *arg)
{
	struct npf_dump *d = &o->dump;
	struct npf_dump_limits lim;

	if (copy_from_user(&lim, arg, sizeof(lim)))
		return -EFAULT;
	mutex_lock(&d->lock);
	d->max_bytes = lim.max_bytes;
	d->max_packets = lim.max_packets;
	/* Already there (a tiny byte limit may not even fit a record). */
	if (d->file && !d->ended && npf_dump_full(d))
		npf_dump_end(o, npf_dump_limit_error(d, 1, NPF_DUMP_MIN_REC));
	mutex_unlock(&d->lock);
	return 0;
}

static long npf_dump_get_stats(struct npf_open *o, void __user *arg)
{
	struct npf_dump *d = &o->dump;
	struct npf_dump_stats s = {};

	mutex_lock(&d->lock);
	s.packets = d->packets;
	s.bytes = d->bytes;
	s.error = d->error;
	s.ended = d->ended;
	s.active = !!d->file;
	mutex_unlock(&d->lock);
	return copy_to_user(arg, &s, sizeof(s)) ? -EFAULT : 0;
}

/* For MODE_STAT|MODE_DUMP reads: the file's size so far. */
u64 npf_dump_bytes(struct npf_open *o)
{
	u64 bytes;

	mutex_lock(&o->dump.lock);
	bytes = o->dump.bytes;
	mutex_unlock(&o->dump.lock);
	return bytes;
}

/* o->lock held. */
long npf_dump_ioctl(struct npf_open *o, unsigned int cmd, void __user *arg)
{
	switch (cmd) {
	case BIOCSETDUMPFILENAME:
		return npf_dump_set_name(o, arg);
	case BIOCSETDUMPFD:
		return npf_dump_set_fd(o, arg);
	case BIOCSETDUMPLIMITS:
		return npf_dump_set_limits(o, arg);
	case BIOCISDUMPENDED:
		return put_user((u32)READ_ONCE(o->dump.ended), (u32 __user *)arg);
	case BIOCGDUMPSTATS:
		return npf_dump_get_stats(o, arg);
	}
	return -ENOTTY;
}

void npf_dump_init_open(struct npf_open *o)
{
	mutex_init(&o->dump.lock);
	INIT_DELAYED_WORK(&o->dump.work, npf_dump_work);
}

/* At close, once no tap runs: everything accepted reaches the file. */
void npf_dump_release(struct npf_open *o)
{
	npf_dump_close(o);
	mutex_destroy(&o->dump.lock);
}

int npf_dump_init(void)
{
	/* File writes may block for long: unbound, not per CPU. */
	npf_dump_wq = alloc_workqueue("npf_dump", WQ_UNBOUND, 0);
	return npf_dump_wq ? 0 : -ENOMEM;
}

void npf_dump_exit(void)
{
	destroy_workqueue(npf_dump_wq);
}
