/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_RING_H
#define _NPF_RING_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/*
 * One open's ring of records: struct bpf_hdr + data + padding, or, when
 * @pcap is set (BIOCSRECFMT NPF_RECFMT_PCAP), struct npf_pcap_hdr + data,
 * unpadded and unaligned, the layout of a pcap file's records.
 *
 * Producers (the tap, on any CPU, in softirq context) reserve space under
 * @lock and fill the record before releasing it. Consumers (read(), the
 * dump worker) hold @consumer, which also excludes flush and resize: they
 * copy records out without holding @lock, because producers never write
 * into the used part of the ring, and only then give the space back.
 *
 * Records never wrap: when one does not fit before the end, the end is left
 * unused (@wrap marks where the data stops) and the record goes to offset 0.
 * Invariant: @used == 0 implies @head == @tail == @wrap == 0. @pcap
 * changes only in npf_ring_flush(), so records of both layouts never
 * meet; so does @readable, so that a reader that waited across a mode
 * change never takes what became the dump worker's.
 *
 * @mapped counts the vmas of an mmap()ed ring; it is changed and tested
 * under @lock, so the buffer is never replaced while a mapping exists.
 */
struct npf_ring {
	struct mutex consumer;	/* one consumer; flush and resize wait */
	spinlock_t lock;	/* producers; the consumer's head/tail moves */
	u8 *buf;
	u32 size;	/* bytes, a multiple of NPF_ALIGNMENT */
	bool pcap;	/* record layout: NPF_RECFMT_PCAP, else _BPF */
	u32 head;	/* next write offset */
	u32 tail;	/* next read offset */
	u32 wrap;	/* 0, or where the data before offset 0 ends */
	u32 used;	/* bytes of records held */
	bool overflow;	/* a record was refused since the last read */
	bool readable;	/* read() and BIOCMMAPNEXT may consume */
	int mapped;	/* vmas mapping the buffer */
	/* Under @consumer: records at the tail lent to an mmap reader. */
	u32 lent;	/* their bytes */
	bool lent_gone;	/* a flush or resize took them back */
};

/*
 * Internal only, never returned to user space: the ring is not the
 * reader's (any more); the caller starts over in the open's new mode.
 */
#define NPF_EMODE	EPROTO

int npf_ring_init(struct npf_ring *ring, u32 size);
void npf_ring_free(struct npf_ring *ring);
u8 *npf_ring_alloc(u32 size);
int npf_ring_install(struct npf_ring *ring, u8 *buf, u32 size);
int npf_ring_resize(struct npf_ring *ring, u32 size);
void npf_ring_flush(struct npf_ring *ring, bool pcap, bool readable);
bool npf_ring_mapped(struct npf_ring *ring);
int npf_ring_map(struct npf_ring *ring, unsigned long len);
void npf_ring_map_get(struct npf_ring *ring);
void npf_ring_map_put(struct npf_ring *ring);
struct page *npf_ring_page(struct npf_ring *ring, unsigned long off);
void *npf_ring_reserve(struct npf_ring *ring, u32 len);
/*
 * A consumer of whole records: gets @len bytes of back-to-back records at
 * @recs and returns how many bytes of whole records it took (0: stop), or
 * an error.
 */
typedef ssize_t (*npf_ring_sink_t)(void *ctx, const u8 *recs, u32 len);

ssize_t npf_ring_drain(struct npf_ring *ring, npf_ring_sink_t sink, void *ctx);
ssize_t npf_ring_read(struct npf_ring *ring, char __user *ubuf, size_t count);
int npf_ring_give_back(struct npf_ring *ring, u32 len);
int npf_ring_lend(struct npf_ring *ring, u32 *off, u32 *len);
void npf_ring_unlend(struct npf_ring *ring);

#endif /* _NPF_RING_H */
