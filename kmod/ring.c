// SPDX-License-Identifier: GPL-2.0
/*
 * The per-open ring: NPF's single circular kernel buffer, from which one
 * read() copies many whole records to user space.
 */

#include <linux/mm.h>
#include <linux/npf.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "record.h"
#include "ring.h"

u8 *npf_ring_alloc(u32 size)
{
	/*
	 * Charged to the opener's memory cgroup; no allocation warning,
	 * since an absurd size is the caller's error, reported as ENOMEM.
	 */
	return __vmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN);
}

/*
 * Lent records are forgotten: the next give-back of them is a no-op. So
 * after two flushes in a row (a resize, then npf_resume()'s own flush):
 * the second must not forget that the first took a loan back.
 */
static void npf_ring_forget_lent(struct npf_ring *ring)
{
	if (ring->lent)
		ring->lent_gone = true;
	WRITE_ONCE(ring->lent, 0);
}

static void npf_ring_reset(struct npf_ring *ring)
{
	ring->head = 0;
	ring->tail = 0;
	ring->wrap = 0;
	ring->used = 0;
	ring->overflow = false;
}

int npf_ring_init(struct npf_ring *ring, u32 size)
{
	mutex_init(&ring->consumer);
	spin_lock_init(&ring->lock);
	ring->buf = npf_ring_alloc(size);
	if (!ring->buf)
		return -ENOMEM;
	ring->size = size;
	ring->readable = true;
	npf_ring_reset(ring);
	return 0;
}

void npf_ring_free(struct npf_ring *ring)
{
	vfree(ring->buf);
	ring->buf = NULL;
	mutex_destroy(&ring->consumer);
}

/*
 * Make @buf, of @size bytes (from npf_ring_alloc()), the empty ring.
 * -EBUSY, and nothing changes, while the ring is mapped.
 */
int npf_ring_install(struct npf_ring *ring, u8 *buf, u32 size)
{
	u8 *old = NULL;

	mutex_lock(&ring->consumer);
	spin_lock_bh(&ring->lock);
	if (!ring->mapped) {
		old = ring->buf;
		ring->buf = buf;
		ring->size = size;
		npf_ring_reset(ring);
		npf_ring_forget_lent(ring);
	}
	spin_unlock_bh(&ring->lock);
	mutex_unlock(&ring->consumer);
	if (!old)
		return -EBUSY;
	vfree(old);
	return 0;
}

/*
 * Replace the buffer with an empty one of @size bytes. On failure the old
 * buffer and its records stay.
 */
int npf_ring_resize(struct npf_ring *ring, u32 size)
{
	u8 *buf = npf_ring_alloc(size);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = npf_ring_install(ring, buf, size);
	if (ret)
		vfree(buf);
	return ret;
}

/*
 * Empty the ring; from now on its records have the pcap layout if @pcap,
 * and read() and BIOCMMAPNEXT may consume them if @readable.
 */
void npf_ring_flush(struct npf_ring *ring, bool pcap, bool readable)
{
	mutex_lock(&ring->consumer);
	spin_lock_bh(&ring->lock);
	npf_ring_reset(ring);
	npf_ring_forget_lent(ring);
	ring->pcap = pcap;
	ring->readable = readable;
	spin_unlock_bh(&ring->lock);
	mutex_unlock(&ring->consumer);
}

/*
 * The mapping side (kmod/mmap.c): vmas are counted under the lock that
 * npf_ring_install() tests them under, and pages are looked up under it,
 * so that a mapping always shows the buffer BIOCMMAPNEXT's offsets are
 * in. Called with the mm's mmap_lock held: only the spinlock is taken.
 */
bool npf_ring_mapped(struct npf_ring *ring)
{
	bool mapped;

	spin_lock_bh(&ring->lock);
	mapped = ring->mapped;
	spin_unlock_bh(&ring->lock);
	return mapped;
}

/* A new mapping of @len bytes: at most the ring rounded up to pages. */
int npf_ring_map(struct npf_ring *ring, unsigned long len)
{
	int ret = -EINVAL;

	spin_lock_bh(&ring->lock);
	if (len <= PAGE_ALIGN(ring->size)) {
		ring->mapped++;
		ret = 0;
	}
	spin_unlock_bh(&ring->lock);
	return ret;
}

void npf_ring_map_get(struct npf_ring *ring)
{
	spin_lock_bh(&ring->lock);
	ring->mapped++;
	spin_unlock_bh(&ring->lock);
}

void npf_ring_map_put(struct npf_ring *ring)
{
	spin_lock_bh(&ring->lock);
	ring->mapped--;
	spin_unlock_bh(&ring->lock);
}

/* The page at @off of the buffer, with a reference, or NULL. */
struct page *npf_ring_page(struct npf_ring *ring, unsigned long off)
{
	struct page *page = NULL;

	spin_lock_bh(&ring->lock);
	/* The buffer's vmalloc area is whole pages. */
	if (off < PAGE_ALIGN(ring->size)) {
		page = vmalloc_to_page(ring->buf + off);
		if (page)
			get_page(page);
	}
	spin_unlock_bh(&ring->lock);
	return page;
}

/*
 * Reserve @len contiguous bytes for a record (a multiple of NPF_ALIGNMENT,
 * unless the ring holds pcap records).
 * Called with @ring->lock held. Returns NULL, and remembers the overflow,
 * when the record does not fit: what is buffered is never overwritten.
 */
void *npf_ring_reserve(struct npf_ring *ring, u32 len)
{
	u32 off;

	if (!ring->wrap) {
		/* Data in [tail, head): free space at the end, then before tail. */
		if (ring->size - ring->head >= len) {
			off = ring->head;
		} else if (ring->tail >= len) {
			ring->wrap = ring->head;
			off = 0;
		} else {
			goto full;
		}
	} else {
		/* Data in [tail, wrap) and [0, head): free space in between. */
		if (ring->tail - ring->head < len)
			goto full;
		off = ring->head;
	}
	ring->head = off + len;
	ring->used += len;
	return ring->buf + off;
full:
	ring->overflow = true;
	return NULL;
}

/*
 * Bytes of the whole records (of the pcap layout if @pcap) at the start
 * of @recs that fit in @room.
 */
static u32 npf_ring_span(const u8 *recs, u32 len, size_t room, bool pcap)
{
	u32 off = 0;

	while (off < len) {
		u32 rec = npf_rec_stored_len(recs + off, pcap);

		if (rec > room - off)
			break;
		off += rec;
	}
	return off;
}

/* Give @len bytes at the tail back to the producers. */
static void npf_ring_consume(struct npf_ring *ring, u32 len)
{
	spin_lock_bh(&ring->lock);
	ring->tail += len;
	ring->used -= len;
	ring->overflow = false;
	if (ring->wrap && ring->tail == ring->wrap) {
		ring->tail = 0;
		ring->wrap = 0;
	}
	if (!ring->used)
		npf_ring_reset(ring);
	spin_unlock_bh(&ring->lock);
}

/*
 * Hand the buffered records to @sink, at most two contiguous runs (up to
 * the wrap point, then from 0), consuming what it takes. Returns the bytes
 * consumed, or the sink's error when it took nothing.
 */
static ssize_t npf_ring_drain_locked(struct npf_ring *ring,
				     npf_ring_sink_t sink, void *ctx)
{
	ssize_t total = 0, n = 0;
	int pass;

	/* Consuming would take what an mmap reader holds. */
	if (ring->lent)
		return -EBUSY;
	for (pass = 0; pass < 2; pass++) {
		u32 start, end;

		spin_lock_bh(&ring->lock);
		start = ring->tail;
		end = ring->wrap ? ring->wrap : ring->head;
		spin_unlock_bh(&ring->lock);
		if (start == end)
			break;

		n = sink(ctx, ring->buf + start, end - start);
		if (n <= 0)
			break;
		npf_ring_consume(ring, n);
		total += n;
		if (n < end - start)
			break;
	}
	return total ? total : min_t(ssize_t, n, 0);
}

ssize_t npf_ring_drain(struct npf_ring *ring, npf_ring_sink_t sink, void *ctx)
{
	ssize_t ret;

	mutex_lock(&ring->consumer);
	ret = npf_ring_drain_locked(ring, sink, ctx);
	mutex_unlock(&ring->consumer);
	return ret;
}

struct npf_ring_user {
	const struct npf_ring *ring;
	char __user *buf;
	size_t room;
	size_t copied;
};

static ssize_t npf_ring_user_sink(void *ctx, const u8 *recs, u32 len)
{
	struct npf_ring_user *u = ctx;
	/* Under ring->consumer, which npf_ring_flush() takes as well. */
	u32 n = npf_ring_span(recs, len, u->room - u->copied, u->ring->pcap);

	if (!n)
		return u->copied ? 0 : -EMSGSIZE;
	if (copy_to_user(u->buf + u->copied, recs, n))
		return -EFAULT;
	u->copied += n;
	return n;
}

/*
 * Copy as many whole records as fit in @count bytes to @ubuf and consume
 * them. Returns the bytes copied (0 when the ring is empty), -EMSGSIZE
 * when the next record alone does not fit, -EFAULT, or -NPF_EMODE when the
 * ring is not the reader's; what was not copied stays.
 */
ssize_t npf_ring_read(struct npf_ring *ring, char __user *ubuf, size_t count)
{
	struct npf_ring_user u = { .ring = ring, .buf = ubuf, .room = count };
	ssize_t ret = -NPF_EMODE;

	mutex_lock(&ring->consumer);
	if (ring->readable)
		ret = npf_ring_drain_locked(ring, npf_ring_user_sink, &u);
	mutex_unlock(&ring->consumer);
	return ret;
}

/*
 * mmap'ed reads (see kmod/mmap.c): the records at the tail stay in place,
 * lent to the reader, until it gives them back by their length; only then
 * do the producers get the space again.
 */

/* Consume the @len bytes lent last (0: none). -EINVAL for another length. */
int npf_ring_give_back(struct npf_ring *ring, u32 len)
{
	int ret = 0;

	mutex_lock(&ring->consumer);
	if (ring->lent_gone)
		ring->lent_gone = false;	/* already flushed */
	else if (len != ring->lent)
		ret = -EINVAL;
	else if (len)
		npf_ring_consume(ring, len);
	if (!ret)
		WRITE_ONCE(ring->lent, 0);
	mutex_unlock(&ring->consumer);
	return ret;
}

/*
 * Lend the next run of whole records: from the tail up to the wrap point
 * or the head, and at most a quarter of the ring (unless one record is
 * more), so that a reader which fell behind gives space back to the tap in
 * steps rather than all at the end. Its length (0: empty) goes to *@len
 * and its offset to *@off; -NPF_EMODE when the ring is not the reader's.
 * Nothing is lent twice: the previous loan must have been given back.
 */
int npf_ring_lend(struct npf_ring *ring, u32 *off, u32 *lenp)
{
	u32 len, max;

	mutex_lock(&ring->consumer);
	if (!ring->readable) {
		mutex_unlock(&ring->consumer);
		return -NPF_EMODE;
	}
	spin_lock_bh(&ring->lock);
	*off = ring->tail;
	len = (ring->wrap ? ring->wrap : ring->head) - ring->tail;
	spin_unlock_bh(&ring->lock);
	max = ring->size / 4;
	if (len > max) {
		/* Records between tail and head are complete and stay put. */
		u32 span = npf_ring_span(ring->buf + *off, len, max, ring->pcap);

		len = span ? span : npf_rec_stored_len(ring->buf + *off,
						      ring->pcap);
	}
	WRITE_ONCE(ring->lent, len);
	ring->lent_gone = false;
	mutex_unlock(&ring->consumer);
	*lenp = len;
	return 0;
}

/* The loan could not be told to the reader: it never happened. */
void npf_ring_unlend(struct npf_ring *ring)
{
	mutex_lock(&ring->consumer);
	WRITE_ONCE(ring->lent, 0);
	mutex_unlock(&ring->consumer);
}
