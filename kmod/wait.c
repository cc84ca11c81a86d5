// SPDX-License-Identifier: GPL-2.0
/*
 * The delayed-write rule of uapi/linux/npf.h and everything that wakes
 * or puts to sleep a reader or a poller because of it: whether an open is
 * "ready", the tap's once-per-read wakeup, the read timeout of read() and
 * of poll(), and MODE_STAT's interval. Every stage that changes what
 * "ready" means (the tap, reads, mmap'ed reads, the dump worker, a
 * reconfiguration) goes through here, so the rule has one home.
 */

#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/npf.h>
#include <linux/sched/signal.h>

#include "internal.h"
#include "wait.h"

/* Records the reader has not seen: lent ones are not new to it. */
static u32 npf_wait_new_bytes(const struct npf_open *o)
{
	u32 used = READ_ONCE(o->ring.used);
	u32 lent = READ_ONCE(o->ring.lent);

	/* Read without the ring's lock: a flush may show lent > used. */
	return used > lent ? used - lent : 0;
}

/* MODE_STAT|MODE_DUMP: the dump ended and no read has said so yet. */
static bool npf_wait_dump_end_untold(const struct npf_open *o)
{
	return READ_ONCE(o->dump.ended) && !READ_ONCE(o->dump.end_told);
}

/*
 * Whether a read would return now. Lockless: the tap evaluates it after
 * every stored record. poll() reports EPOLLIN exactly when it holds.
 */
bool npf_ready(const struct npf_open *o)
{
	u32 mode = READ_ONCE(o->mode);
	u32 used;

	if (READ_ONCE(o->gone))
		return true;
	if (mode & NPF_MODE_STAT)
		return npf_stats_due(o) ||
		       ((mode & NPF_MODE_DUMP) && npf_wait_dump_end_untold(o));
	if (mode & NPF_MODE_DUMP)
		return READ_ONCE(o->dump.ended);
	used = npf_wait_new_bytes(o);
	if (!used)
		return false;
	return used >= READ_ONCE(o->min_to_copy) ||
	       READ_ONCE(o->ring.overflow) ||
	       READ_ONCE(o->timed_out) ||
	       READ_ONCE(o->timeout_ms) == -1;
}

void npf_wake(struct npf_open *o, __poll_t mask)
{
	/* wq_has_sleeper() pairs with the barrier in prepare_to_wait(). */
	if (wq_has_sleeper(&o->wait))
		wake_up_interruptible_poll(&o->wait, mask);
}

/*
 * From the tap, once the open is ready: wake the reader once per read,
 * not once per packet until it runs (a wakeup costs a lock and an IPI).
 * The bit is cleared by whatever makes the reader wait again: a read
 * (npf_read_done()), a batch given back, a reconfiguration
 * (npf_wait_reset()); anything that arrives after that either finds the
 * bit clear or is seen by the reader's own check before it sleeps.
 */
void npf_wake_reader(struct npf_open *o)
{
	if (!READ_ONCE(o->woken) && !test_and_set_bit(0, &o->woken))
		npf_wake(o, EPOLLIN | EPOLLRDNORM);
}

/* The reader consumed: the tap's next "ready" wakes it again. */
void npf_rearm_wakeup(struct npf_open *o)
{
	clear_bit(0, &o->woken);
	/* Before the next check of the condition. */
	smp_mb__after_atomic();
}

/*
 * Arm poll()'s read timeout, unless it runs already: in MODE_CAPT it runs
 * from the first poll that waits, in MODE_STAT the interval ends at a
 * fixed time (already past: fire at once, the wake sees "due").
 */
void npf_poll_arm(struct npf_open *o)
{
	s32 timeout = READ_ONCE(o->timeout_ms);
	unsigned long expires;
	ktime_t left;

	if (timeout <= 0 || timer_pending(&o->poll_timer))
		return;
	if (READ_ONCE(o->mode) & NPF_MODE_STAT) {
		left = ktime_sub(ktime_add_ms(READ_ONCE(o->stat_start), timeout),
				 ktime_get());
		/* One jiffy late rather than early: the wake must see "due". */
		expires = left > 0 ? nsecs_to_jiffies(ktime_to_ns(left)) + 1 : 0;
	} else {
		expires = msecs_to_jiffies(timeout);
	}
	mod_timer(&o->poll_timer, jiffies + expires);
}

/*
 * The read timeout starts over (after a read, a MODE_STAT record, a
 * reconfiguration): a timer left by an earlier poll must not make the
 * next read return early, and a registered poller (epoll, whose ->poll is
 * not called while it waits) gets a fresh one.
 */
void npf_poll_rearm(struct npf_open *o)
{
	del_timer_sync(&o->poll_timer);
	WRITE_ONCE(o->timed_out, false);
	if (wq_has_sleeper(&o->wait))
		npf_poll_arm(o);
}

/* After a read (read() or BIOCMMAPNEXT) consumed or lent records. */
void npf_read_done(struct npf_open *o)
{
	npf_rearm_wakeup(o);
	npf_poll_rearm(o);
}

/*
 * After a reconfiguration emptied the ring (o->lock held, the new mode
 * set): nothing the tap signalled before it stands, so the next "ready"
 * must wake the reader again, and the read timeout starts over.
 */
void npf_wait_reset(struct npf_open *o)
{
	npf_read_done(o);
}

/* poll() armed the read timeout and it expired: data may now be read. */
static void npf_poll_timeout(struct timer_list *t)
{
	struct npf_open *o = from_timer(o, t, poll_timer);

	WRITE_ONCE(o->timed_out, true);
	if (npf_ready(o))
		npf_wake(o, EPOLLIN | EPOLLRDNORM);
}

void npf_wait_init(struct npf_open *o)
{
	init_waitqueue_head(&o->wait);
	timer_setup(&o->poll_timer, npf_poll_timeout, 0);
}

/* At release: no poller and no tap is left to re-arm the timer. */
void npf_wait_release(struct npf_open *o)
{
	del_timer_sync(&o->poll_timer);
}

/* Wait as the read timeout says; 0 or -ERESTARTSYS. */
static int npf_wait_timeout(struct npf_open *o)
{
	s32 timeout = READ_ONCE(o->timeout_ms);
	long ret;

	if (timeout == -1)
		return 0;
	if (!timeout)
		return wait_event_interruptible(o->wait, npf_ready(o));
	ret = wait_event_interruptible_timeout(o->wait, npf_ready(o),
					       msecs_to_jiffies(timeout));
	return ret < 0 ? ret : 0;
}

/*
 * MODE_CAPT: wait until the open is ready (read() and BIOCMMAPNEXT).
 * 0, -EAGAIN or -ERESTARTSYS.
 */
int npf_capt_wait(struct npf_open *o, bool nonblock)
{
	if (npf_ready(o))
		return 0;
	if (nonblock)
		return -EAGAIN;
	/* A poll's clock must not cut this read's own timeout short. */
	del_timer_sync(&o->poll_timer);
	WRITE_ONCE(o->timed_out, false);
	return npf_wait_timeout(o);
}

/*
 * Pure MODE_DUMP: read() carries no data; it waits for the dump to end
 * (or the read timeout). 0, -EAGAIN or -ERESTARTSYS.
 */
int npf_dump_wait(struct npf_open *o, bool nonblock)
{
	if (npf_ready(o))
		return 0;
	return nonblock ? -EAGAIN : npf_wait_timeout(o);
}

/*
 * MODE_STAT: wait for the end of the interval (the tap never wakes us),
 * the adapter going away or, with MODE_DUMP, the dump's end. 0, -EAGAIN
 * or -ERESTARTSYS.
 */
int npf_stat_wait(struct npf_open *o, bool nonblock)
{
	int ret;

	if (npf_ready(o))
		return 0;
	if (nonblock)
		return -EAGAIN;
	ret = wait_event_interruptible_hrtimeout(o->wait, npf_ready(o),
						 npf_stats_left(o));
	return ret == -ERESTARTSYS ? ret : 0;
}
