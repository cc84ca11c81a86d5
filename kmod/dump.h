/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NPF_DUMP_H
#define _NPF_DUMP_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct npf_open;
struct npf_dump_batch;

/* MODE_DUMP: the pcap file the kernel writes for one open. */
struct npf_dump {
	struct mutex lock;		/* everything below but @kicked */
	struct file *file;		/* NULL: no dump file */
	struct npf_dump_batch *batch;	/* the worker's vectored write */
	loff_t pos;			/* end of the last whole record */
	u32 snaplen;			/* of the file header */
	bool nano;			/* nanosecond pcap */
	bool ended;			/* a limit or an error stopped it */
	bool end_told;			/* a MODE_STAT read said so */
	int error;			/* the write error that stopped it */
	u64 max_bytes;			/* file size limit, 0 = none */
	u64 max_packets;		/* 0 = none */
	u64 max_fsize;			/* the opener's RLIMIT_FSIZE, 0 = none */
	u64 packets;			/* records in the file */
	u64 bytes;			/* file size, header included */
	unsigned long kicked;		/* the tap asked for an early flush */
	struct delayed_work work;
};

void npf_dump_init_open(struct npf_open *o);
void npf_dump_release(struct npf_open *o);
void npf_dump_sync(struct npf_open *o);
void npf_dump_close(struct npf_open *o);
void npf_dump_kick(struct npf_open *o);
void npf_dump_filter_changed(struct npf_open *o);
u64 npf_dump_bytes(struct npf_open *o);
long npf_dump_ioctl(struct npf_open *o, unsigned int cmd, void __user *arg);

int npf_dump_init(void);
void npf_dump_exit(void);

#endif /* _NPF_DUMP_H */
