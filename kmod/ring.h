/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_RING_H
#define _NPF_RING_H

#include <linux/spinlock.h>
#include <linux/types.h>

/*
 * One open's ring of records (struct bpf_hdr + data + padding).
 *
 * Producers (the tap, on any CPU, in softirq context) reserve space under
 * @lock and fill the record before releasing it. There is a single
 * consumer at a time (the caller serialises readers): it copies records to
 * user space without holding @lock, because producers never write into the
 * used part of the ring, and only then gives the space back.
 *
 * Records never wrap: when one does not fit before the end, the end is left
 * unused (@wrap marks where the data stops) and the record goes to offset 0.
 * Invariant: @used == 0 implies @head == @tail == @wrap == 0.
 */
struct npf_ring {
	spinlock_t lock;	/* producers; the consumer's head/tail moves */
	u8 *buf;
	u32 size;	/* bytes, a multiple of NPF_ALIGNMENT */
	u32 head;	/* next write offset */
	u32 tail;	/* next read offset */
	u32 wrap;	/* 0, or where the data before offset 0 ends */
	u32 used;	/* bytes of records held */
	bool overflow;	/* a record was refused since the last read */
};

int npf_ring_init(struct npf_ring *ring, u32 size);
void npf_ring_free(struct npf_ring *ring);
int npf_ring_resize(struct npf_ring *ring, u32 size);
void npf_ring_flush(struct npf_ring *ring);
void *npf_ring_reserve(struct npf_ring *ring, u32 len);
ssize_t npf_ring_read(struct npf_ring *ring, char __user *ubuf, size_t count);

#endif /* _NPF_RING_H */
