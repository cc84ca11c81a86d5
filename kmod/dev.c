// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/npf: one misc character device; every open is an independent NPF
 * instance (ring, filter, counters, binding). This file speaks the ioctl
 * interface, validates arguments and calls the stage that owns the state.
 */

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/npf.h>
#include <linux/poll.h>
#include <linux/rtnetlink.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "adapter.h"
#include "dev.h"
#include "filter.h"
#include "internal.h"
#include "mmap.h"
#include "oid.h"
#include "ring.h"
#include "wait.h"
#include "xmit.h"

LIST_HEAD(npf_opens);
DEFINE_MUTEX(npf_opens_lock);	/* npf_opens */
static atomic64_t npf_next_id;

/*
 * Reconfiguration (filter, ring size, adapter, mode, timestamp unit,
 * record layout) is bracketed by npf_pause() and npf_resume(): in between,
 * the tap ignores frames, so that everything accepted before the change
 * reaches the reader or the dump file's worker, and nothing of the old
 * configuration is left after it. o->lock held throughout.
 */
void npf_pause(struct npf_open *o)
{
	WRITE_ONCE(o->mode, o->mode | NPF_MODE_PAUSED);
	synchronize_net();
	npf_dump_sync(o);
}

void npf_resume(struct npf_open *o, u32 mode)
{
	/* The dump worker reads the ring's records as struct bpf_hdr. */
	bool pcap = o->recfmt == NPF_RECFMT_PCAP && !(mode & NPF_MODE_DUMP);
	/* Only MODE_CAPT's reads take records out of the ring. */
	bool readable = !(mode & (NPF_MODE_STAT | NPF_MODE_DUMP));

	npf_ring_flush(&o->ring, pcap, readable);
	npf_stats_zero(o);
	npf_stats_mode_reset(o);
	WRITE_ONCE(o->mode, mode);
	npf_wait_reset(o);
}

/*
 * A reconfiguration that failed after npf_pause(): the open goes on as
 * it was, records and counters included.
 */
void npf_unpause(struct npf_open *o, u32 mode)
{
	WRITE_ONCE(o->mode, mode);
}

static int npf_open(struct inode *inode, struct file *file)
{
	struct net *net = current->nsproxy->net_ns;
	struct npf_open *o;
	int ret;

	/* Checked here, not by the file mode: as for AF_PACKET sockets. */
	if (!ns_capable(net->user_ns, CAP_NET_RAW))
		return -EPERM;

	o = kzalloc(sizeof(*o), GFP_KERNEL_ACCOUNT);
	if (!o)
		return -ENOMEM;
	o->stats = alloc_percpu_gfp(struct npf_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (!o->stats) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = npf_ring_init(&o->ring, NPF_DEFAULT_BUFFER_SIZE);
	if (ret)
		goto err_stats;

	mutex_init(&o->lock);
	npf_wait_init(o);
	INIT_LIST_HEAD(&o->bound_node);
	o->timeout_ms = NPF_DEFAULT_TIMEOUT_MS;
	o->min_to_copy = NPF_DEFAULT_MIN_TO_COPY;
	o->snaplen = NPF_MAX_SNAPLEN;
	o->stat_start = ktime_get();
	npf_dump_init_open(o);
	o->net = get_net_track(net, &o->ns_tracker, GFP_KERNEL);
	ret = npf_xmit_init(o);
	if (ret)
		goto err_net;
	o->id = atomic64_inc_return(&npf_next_id);
	o->opener = get_pid(task_tgid(current));
	mutex_lock(&npf_opens_lock);
	list_add_tail(&o->node, &npf_opens);
	mutex_unlock(&npf_opens_lock);
	file->private_data = o;
	return nonseekable_open(inode, file);

err_net:
	put_net_track(o->net, &o->ns_tracker);
	npf_ring_free(&o->ring);
err_stats:
	free_percpu(o->stats);
err_free:
	kfree(o);
	return ret;
}

static int npf_release(struct inode *inode, struct file *file)
{
	struct npf_open *o = file->private_data;

	mutex_lock(&npf_opens_lock);
	list_del(&o->node);
	mutex_unlock(&npf_opens_lock);
	put_pid(o->opener);
	mutex_lock(&o->lock);
	npf_adapter_unbind(o);
	/* No tap runs any more: what was accepted goes to the file. */
	npf_dump_release(o);
	mutex_unlock(&o->lock);
	npf_wait_release(o);
	npf_filter_release(o);
	npf_ring_free(&o->ring);
	free_percpu(o->stats);
	npf_xmit_release(o);
	put_net_track(o->net, &o->ns_tracker);
	mutex_destroy(&o->lock);
	kfree(o);
	return 0;
}

/* read() in pure MODE_DUMP carries no data: 0 once the dump ended. */
static ssize_t npf_dump_read(struct npf_open *o, bool nonblock)
{
	int ret = npf_dump_wait(o, nonblock);

	if (!ret && READ_ONCE(o->gone))
		ret = -ENODEV;
	return ret;
}

/* read() in MODE_CAPT: whole records from the ring. */
static ssize_t npf_capt_read(struct npf_open *o, char __user *buf,
			     size_t count, bool nonblock)
{
	ssize_t ret = npf_capt_wait(o, nonblock);

	if (ret)
		return ret;
	/*
	 * The ring serialises its consumers, flush and resize, and refuses
	 * a reader once a mode change gave it to the dump worker.
	 */
	ret = npf_ring_read(&o->ring, buf, count);
	if (ret == -NPF_EMODE)
		return ret;
	if (!ret && READ_ONCE(o->gone))
		ret = -ENODEV;
	npf_read_done(o);
	return ret;
}

/*
 * The mode is checked again after every wait: a read that began in one
 * mode and woke in another (BIOCSMODE from another thread) starts over
 * in the new one, so that it never takes what the dump worker owns.
 */
static ssize_t npf_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	struct npf_open *o = file->private_data;
	bool nonblock = file->f_flags & O_NONBLOCK;
	ssize_t ret;
	u32 mode;

	if (!READ_ONCE(o->bound))
		return -ENXIO;
	do {
		mode = READ_ONCE(o->mode);
		if (mode & NPF_MODE_STAT)
			ret = npf_stats_read(o, buf, count, nonblock);
		else if (mode & NPF_MODE_DUMP)
			ret = npf_dump_read(o, nonblock);
		else
			ret = npf_capt_read(o, buf, count, nonblock);
		if (ret == -NPF_EMODE)
			/* The reconfiguration is about to set the new mode. */
			cond_resched();
	} while (ret == -NPF_EMODE);
	return ret;
}

static ssize_t npf_write(struct file *file, const char __user *buf,
			 size_t count, loff_t *ppos)
{
	struct npf_open *o = file->private_data;

	return npf_xmit_write(o, buf, count, file->f_flags & O_NONBLOCK);
}

static __poll_t npf_poll(struct file *file, poll_table *wait)
{
	struct npf_open *o = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &o->wait, wait);
	poll_wait(file, npf_xmit_waitq(o), wait);
	if (!READ_ONCE(o->bound))
		return EPOLLERR;
	if (npf_ready(o))
		mask |= EPOLLIN | EPOLLRDNORM;
	else if (!poll_does_not_wait(wait))
		/* Only a poll that waits starts the read timeout. */
		npf_poll_arm(o);
	if (npf_xmit_writeable(o))
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (READ_ONCE(o->gone))
		mask |= EPOLLERR | EPOLLHUP;
	return mask;
}

static long npf_ioc_setif(struct npf_open *o, void __user *arg)
{
	struct npf_ifname req;
	u32 mode = o->mode;
	int ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (!req.name[0] || strnlen(req.name, sizeof(req.name)) ==
	    sizeof(req.name))
		return -EINVAL;
	/* The dump file's header names the link type. */
	if (o->dump.file)
		return -EBUSY;
	/* A bad name changes nothing: no pause, no flush. */
	ret = npf_adapter_check(o, req.name);
	if (ret)
		return ret;
	npf_pause(o);
	ret = npf_adapter_bind(o, req.name);
	if (ret)
		/* The adapter went away since the check. */
		npf_unpause(o, mode);
	else
		npf_resume(o, mode);
	return ret;
}

static long npf_ioc_setbuffersize(struct npf_open *o, u32 size)
{
	u32 mode = o->mode;
	u8 *buf;
	int ret;

	if (size < NPF_MIN_BUFFER_SIZE ||
	    size > READ_ONCE(npf_max_buffer_size))
		return -EINVAL;
	/* A mapping shows the ring it was made of (checked again below). */
	if (npf_ring_mapped(&o->ring))
		return -EBUSY;
	/*
	 * Records are aligned, so is the ring. A ring smaller than MinToCopy
	 * is fine: a full ring wakes the reader whatever MinToCopy says.
	 * Allocated first: a failure changes nothing.
	 */
	size = round_down(size, NPF_ALIGNMENT);
	buf = npf_ring_alloc(size);
	if (!buf)
		return -ENOMEM;
	npf_pause(o);
	/* Under the lock ->mmap takes: no mapping is made meanwhile. */
	ret = npf_ring_install(&o->ring, buf, size);
	if (ret) {
		vfree(buf);
		npf_unpause(o, mode);
		return ret;
	}
	npf_resume(o, mode);
	return 0;
}

/*
 * Switching modes starts afresh: empty ring, zero counters, a new
 * statistics interval. Leaving MODE_DUMP finishes the file.
 */
static long npf_ioc_setmode(struct npf_open *o, u32 mode)
{
	if (mode & ~(NPF_MODE_STAT | NPF_MODE_DUMP))
		return -EINVAL;
	npf_pause(o);
	if ((o->mode & NPF_MODE_DUMP) && !(mode & NPF_MODE_DUMP))
		npf_dump_close(o);
	npf_resume(o, mode);
	return 0;
}

static long npf_ioc_tstampmode(struct npf_open *o, u32 val)
{
	u32 mode = o->mode;

	if (val != NPF_TSTAMP_MICRO && val != NPF_TSTAMP_NANO)
		return -EINVAL;
	/* Buffered records carry one unit: start afresh. */
	npf_pause(o);
	WRITE_ONCE(o->tstamp_nano, val == NPF_TSTAMP_NANO);
	npf_resume(o, mode);
	return 0;
}

static long npf_ioc_recfmt(struct npf_open *o, u32 val)
{
	u32 mode = o->mode;

	if (val != NPF_RECFMT_BPF && val != NPF_RECFMT_PCAP)
		return -EINVAL;
	/* Records of both layouts never share the ring. */
	npf_pause(o);
	o->recfmt = val;
	npf_resume(o, mode);
	return 0;
}

static long npf_ioc_setf(struct npf_open *o, void __user *arg)
{
	struct npf_program prog;

	if (copy_from_user(&prog, arg, sizeof(prog)))
		return -EFAULT;
	return npf_filter_set(o, &prog);
}

static long npf_ioc_getdlt(struct npf_open *o, u32 __user *arg)
{
	if (!o->bound)
		return -ENXIO;
	if (o->gone)
		return -ENODEV;
	return put_user(o->linktype, arg);
}

static long npf_ioc_version(void __user *arg)
{
	struct npf_version v = {
		.major = NPF_VERSION_MAJOR,
		.minor = NPF_VERSION_MINOR,
	};

	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

/* The ioctls that take a single scalar argument. o->lock held. */
static long npf_ioc_scalar(struct npf_open *o, unsigned int cmd, u32 val)
{
	switch (cmd) {
	case BIOCSETBUFFERSIZE:
		return npf_ioc_setbuffersize(o, val);
	case BIOCSRTIMEOUT:
		if ((s32)val < -1)
			return -EINVAL;
		WRITE_ONCE(o->timeout_ms, (s32)val);
		return 0;
	case BIOCSMINTOCOPY:
		if (val > o->ring.size)
			return -EINVAL;
		WRITE_ONCE(o->min_to_copy, val);
		return 0;
	case BIOCSMODE:
		return npf_ioc_setmode(o, val);
	case BIOCSTIMESTAMPMODE:
		return npf_ioc_tstampmode(o, val);
	case BIOCSRECFMT:
		return npf_ioc_recfmt(o, val);
	case BIOCSWRITEREP:
		WRITE_ONCE(o->write_rep, val);
		return 0;
	case BIOCISETLOBBEH:
		if (val != NPF_DISABLE_LOOPBACK && val != NPF_ENABLE_LOOPBACK)
			return -EINVAL;
		npf_xmit_set_loopback(o, val == NPF_ENABLE_LOOPBACK);
		return 0;
	}
	return -ENOTTY;
}

static bool npf_ioc_is_scalar(unsigned int cmd)
{
	return cmd == BIOCSETBUFFERSIZE || cmd == BIOCSRTIMEOUT ||
	       cmd == BIOCSMINTOCOPY || cmd == BIOCSMODE ||
	       cmd == BIOCSTIMESTAMPMODE || cmd == BIOCSWRITEREP ||
	       cmd == BIOCISETLOBBEH || cmd == BIOCSRECFMT;
}

static long npf_ioc_locked(struct npf_open *o, unsigned int cmd,
			   void __user *arg)
{
	u32 val;

	if (npf_ioc_is_scalar(cmd)) {
		if (get_user(val, (u32 __user *)arg))
			return -EFAULT;
		return npf_ioc_scalar(o, cmd, val);
	}
	switch (cmd) {
	case BIOCSETIF:
		return npf_ioc_setif(o, arg);
	case BIOCGDLT:
		return npf_ioc_getdlt(o, arg);
	case BIOCSETF:
		return npf_ioc_setf(o, arg);
	case BIOCGSTATS:
		return npf_stats_ioctl(o, arg, false);
	case BIOCGSTATSEX:
		return npf_stats_ioctl(o, arg, true);
	case BIOCSETOID:
		return npf_oid_request(o, arg, true);
	case BIOCQUERYOID:
		return npf_oid_request(o, arg, false);
	case BIOCSETDUMPFILENAME:
	case BIOCSETDUMPFD:
	case BIOCSETDUMPLIMITS:
	case BIOCISDUMPENDED:
	case BIOCGDUMPSTATS:
		return npf_dump_ioctl(o, cmd, arg);
	}
	return -ENOTTY;
}

static long npf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct npf_open *o = file->private_data;
	long ret;

	/* These need no state of the open that ioctls change. */
	switch (cmd) {
	case BIOCVERSION:
		return npf_ioc_version((void __user *)arg);
	case BIOCSENDPACKETSNOSYNC:
		return npf_xmit_sendq(o, (void __user *)arg, false);
	case BIOCSENDPACKETSSYNC:
		return npf_xmit_sendq(o, (void __user *)arg, true);
	case BIOCMMAPNEXT:
		/* Like read(): waits without holding o->lock. */
		return npf_mmap_next(o, (void __user *)arg,
				     file->f_flags & O_NONBLOCK);
	}
	if (mutex_lock_interruptible(&o->lock))
		return -ERESTARTSYS;
	ret = npf_ioc_locked(o, cmd, (void __user *)arg);
	mutex_unlock(&o->lock);
	return ret;
}

static const struct file_operations npf_fops = {
	.owner		= THIS_MODULE,
	.open		= npf_open,
	.release	= npf_release,
	.read		= npf_read,
	.write		= npf_write,
	.poll		= npf_poll,
	.mmap		= npf_mmap,
	.unlocked_ioctl	= npf_ioctl,
	/* Every structure has one layout for 32- and 64-bit callers. */
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static struct miscdevice npf_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "npf",
	.fops	= &npf_fops,
	.mode	= 0600,
};

int npf_dev_init(void)
{
	return misc_register(&npf_misc);
}

void npf_dev_exit(void)
{
	misc_deregister(&npf_misc);
}
