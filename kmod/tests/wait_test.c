// SPDX-License-Identifier: GPL-2.0
/*
 * npf_ready: the delayed-write rule (npf_ready() in kmod/wait.c) on
 * hand-built opens.
 * npf_wait: the tap's once-per-read wakeup, poll()'s read timeout and
 * what a reconfiguration does to both (kmod/wait.c, npf_resume() in
 * kmod/dev.c).
 */

#include "../wait.c"

#include <linux/jiffies.h>

#include "npf_test.h"

/* --- npf_ready ---------------------------------------------------------------- */

static struct npf_open *ready_open(struct kunit *test, u32 used)
{
	struct npf_open *o = npf_test_open(test, 0);

	while (o->ring.used < used)
		KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 32, 0, 1));
	KUNIT_ASSERT_EQ(test, o->ring.used, used);
	return o;
}

static void ready_empty_never(struct kunit *test)
{
	struct npf_open *o = ready_open(test, 0);

	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	o->min_to_copy = 0;	/* max(MinToCopy, 1): still needs a byte */
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	o->timeout_ms = -1;
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	o->timed_out = true;
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	/* a record larger than the ring was refused: nothing to read */
	o->ring.overflow = true;
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
}

static void ready_min_to_copy(struct kunit *test)
{
	struct npf_open *o = ready_open(test, 128);

	o->min_to_copy = 129;
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	o->min_to_copy = 128;
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	o->min_to_copy = 0;
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	o->min_to_copy = NPF_DEFAULT_MIN_TO_COPY;
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
}

/* Below MinToCopy: a drop, an expired timeout or timeout -1 wakes. */
static void ready_other_reasons(struct kunit *test)
{
	struct npf_open *o = ready_open(test, 64);

	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	o->ring.overflow = true;
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	o->ring.overflow = false;
	o->timed_out = true;
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	o->timed_out = false;
	o->timeout_ms = -1;
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	o->timeout_ms = 0;
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	/* a reconfiguration in progress changes nothing here */
	o->mode = NPF_MODE_CAPT | NPF_MODE_PAUSED;
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
}

static void ready_gone_always(struct kunit *test)
{
	struct npf_open *o = ready_open(test, 0);

	o->gone = true;
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	o->mode = NPF_MODE_STAT;
	o->timeout_ms = 0;
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	o->mode = NPF_MODE_DUMP;
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
}

/* MODE_STAT: the end of the interval, whatever the ring says. */
static void ready_stat_mode(struct kunit *test)
{
	struct npf_open *o = ready_open(test, 64);

	o->mode = NPF_MODE_STAT;
	o->min_to_copy = 0;
	o->timeout_ms = 1000;
	o->stat_start = ktime_get();
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	o->stat_start = ktime_sub_ms(ktime_get(), 1001);
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	o->timeout_ms = -1;
	o->stat_start = ktime_get();
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	o->timeout_ms = 0;
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	o->mode = NPF_MODE_STAT | NPF_MODE_DUMP;
	o->timeout_ms = -1;
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
}

/* Pure MODE_DUMP: only the end of the dump. */
static void ready_dump_mode(struct kunit *test)
{
	struct npf_open *o = ready_open(test, 4096);

	o->mode = NPF_MODE_DUMP;
	o->min_to_copy = 0;
	o->timeout_ms = -1;
	o->ring.overflow = true;
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	o->dump.ended = true;
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
}

/*
 * Guards issue 12's "used - lent underflow": npf_ready() reads used and
 * lent without the ring's lock, so a flush or a give-back between the two
 * reads can show lent > used. That is "nothing new", not 4 GB of new
 * records: else the tap woke the reader (and poll() said EPOLLIN) with
 * nothing to read, whatever MinToCopy said.
 */
static void ready_lent_beyond_used(struct kunit *test)
{
	struct npf_open *o = ready_open(test, 64);

	o->min_to_copy = 1;
	o->timeout_ms = -1;
	o->ring.overflow = true;
	WRITE_ONCE(o->ring.lent, 128);
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	WRITE_ONCE(o->ring.lent, 64);
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	WRITE_ONCE(o->ring.lent, 0);
	KUNIT_EXPECT_TRUE(test, npf_ready(o));

	/* what is not lent counts against MinToCopy, and only that */
	o->ring.overflow = false;
	o->timeout_ms = 1000;
	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 32, 0, 2));
	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 32, 0, 3));
	WRITE_ONCE(o->ring.lent, 64);
	o->min_to_copy = 128;
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	o->min_to_copy = 129;
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	WRITE_ONCE(o->ring.lent, 0);
}

/*
 * Guards issue 12's "MODE_STAT|MODE_DUMP: poll and read agree on the
 * dump's end": the end of the dump makes a read return at once, once
 * (the read that returns it sets end_told); after that, only the end of
 * the interval does. In pure MODE_STAT the dump means nothing.
 */
static void ready_stat_dump_end(struct kunit *test)
{
	struct npf_open *o = ready_open(test, 0);

	o->mode = NPF_MODE_STAT | NPF_MODE_DUMP;
	o->timeout_ms = 100000;
	o->stat_start = ktime_get();
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	o->dump.ended = true;
	KUNIT_EXPECT_TRUE(test, npf_ready(o));
	o->dump.end_told = true;
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
	o->stat_start = ktime_sub_ms(ktime_get(), 100001);
	KUNIT_EXPECT_TRUE(test, npf_ready(o));

	o->stat_start = ktime_get();
	o->dump.end_told = false;
	o->mode = NPF_MODE_STAT;
	KUNIT_EXPECT_FALSE(test, npf_ready(o));
}

static struct kunit_case npf_ready_cases[] = {
	KUNIT_CASE(ready_empty_never),
	KUNIT_CASE(ready_min_to_copy),
	KUNIT_CASE(ready_other_reasons),
	KUNIT_CASE(ready_gone_always),
	KUNIT_CASE(ready_stat_mode),
	KUNIT_CASE(ready_dump_mode),
	KUNIT_CASE(ready_lent_beyond_used),
	KUNIT_CASE(ready_stat_dump_end),
	{}
};

static struct kunit_suite npf_ready_suite = {
	.name = "npf_ready",
	.test_cases = npf_ready_cases,
};

/* --- npf_wait ------------------------------------------------------------------ */

/* A reader asleep in read() or poll(): counts the wakeups it gets. */
struct waiter {
	struct wait_queue_entry wq;
	struct npf_open *o;
	atomic_t wakes;
};

static int waiter_wake(struct wait_queue_entry *wq, unsigned int mode,
		       int sync, void *key)
{
	struct waiter *w = container_of(wq, struct waiter, wq);

	atomic_inc(&w->wakes);
	return 0;
}

static void waiter_remove(struct kunit_resource *res)
{
	struct waiter *w = res->data;

	remove_wait_queue(&w->o->wait, &w->wq);
}

/* Put a waiter on @o's queue until the case ends. */
static struct waiter *waiter_add(struct kunit *test, struct npf_open *o)
{
	struct waiter *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->o = o;
	init_waitqueue_func_entry(&w->wq, waiter_wake);
	add_wait_queue(&o->wait, &w->wq);
	npf_test_on_exit(test, waiter_remove, w);
	return w;
}

static int wakes(struct waiter *w)
{
	return atomic_read(&w->wakes);
}

/* A MODE_CAPT open that is ready at its first record; poll() arms no timer. */
static struct npf_open *wait_open(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);

	o->min_to_copy = 1;
	o->timeout_ms = 0;
	return o;
}

/* What kmod/dev.c does around every reconfiguration (o->lock held). */
static void reconfigure(struct npf_open *o, u32 mode)
{
	mutex_lock(&o->lock);
	npf_pause(o);
	npf_resume(o, mode);
	mutex_unlock(&o->lock);
}

/* The tap wakes a reader once per read, not once per packet. */
static void wait_tap_wakes_once(struct kunit *test)
{
	struct npf_open *o = wait_open(test);
	struct waiter *w = waiter_add(test, o);

	npf_wake_reader(o);
	KUNIT_EXPECT_EQ(test, wakes(w), 1);
	KUNIT_EXPECT_EQ(test, o->woken, 1UL);
	npf_wake_reader(o);
	KUNIT_EXPECT_EQ(test, wakes(w), 1);
	/* a read re-arms it */
	npf_read_done(o);
	KUNIT_EXPECT_EQ(test, o->woken, 0UL);
	npf_wake_reader(o);
	KUNIT_EXPECT_EQ(test, wakes(w), 2);
	/* as does giving a batch back */
	npf_rearm_wakeup(o);
	npf_wake_reader(o);
	KUNIT_EXPECT_EQ(test, wakes(w), 3);
}

/*
 * Guards issue 12's lost wakeup: the tap woke the reader (o->woken set),
 * and before the reader ran a reconfiguration (BIOCSETF, BIOCSMODE,
 * BIOCSETBUFFERSIZE, ...) emptied the ring. The reader goes back to
 * sleep; the records that come next must wake it again. With the bit
 * left set the tap never woke it, and a read with timeout 0 slept
 * forever with the ring filling up.
 */
static void wait_reset_rearms_wakeup(struct kunit *test)
{
	struct npf_open *o = wait_open(test);
	struct waiter *w = waiter_add(test, o);

	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 32, 0, 1));
	KUNIT_ASSERT_TRUE(test, npf_ready(o));
	npf_wake_reader(o);
	KUNIT_EXPECT_EQ(test, wakes(w), 1);

	npf_ring_flush(&o->ring, false, true);
	npf_wait_reset(o);
	KUNIT_EXPECT_EQ(test, o->woken, 0UL);
	KUNIT_EXPECT_FALSE(test, npf_ready(o));

	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 32, 0, 2));
	KUNIT_ASSERT_TRUE(test, npf_ready(o));
	npf_wake_reader(o);
	KUNIT_EXPECT_EQ_MSG(test, wakes(w), 2,
			    "lost wakeup: records ready, reader not woken");
}

/*
 * The same through npf_pause()/npf_resume(), the brackets of every
 * reconfiguration in kmod/dev.c and kmod/filter.c, for a change in place
 * and for mode switches there and back.
 */
static void wait_resume_rearms_wakeup(struct kunit *test)
{
	static const u32 modes[] = {
		NPF_MODE_CAPT,			/* BIOCSETF, BIOCSETBUFFERSIZE... */
		NPF_MODE_DUMP, NPF_MODE_CAPT,
		NPF_MODE_STAT, NPF_MODE_CAPT,
		NPF_MODE_STAT | NPF_MODE_DUMP, NPF_MODE_CAPT,
	};
	struct npf_open *o = wait_open(test);
	struct waiter *w = waiter_add(test, o);
	int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 32, 0, i));
		npf_wake_reader(o);
		KUNIT_EXPECT_EQ(test, wakes(w), ++n);
		reconfigure(o, modes[i]);
		KUNIT_EXPECT_EQ_MSG(test, o->woken, 0UL, "mode %#x", modes[i]);
		KUNIT_EXPECT_EQ(test, o->mode, modes[i]);
		KUNIT_EXPECT_EQ(test, o->ring.used, 0U);
		/* the records of the new configuration wake the reader */
		npf_wake_reader(o);
		KUNIT_EXPECT_EQ_MSG(test, wakes(w), ++n, "mode %#x", modes[i]);
		npf_read_done(o);
	}
}

/*
 * A reconfiguration restarts the read timeout too: an expired one
 * (timed_out) would make the next record "ready" whatever MinToCopy says,
 * and a timer armed by an earlier poll() would cut the next interval
 * short. With a poller registered (epoll, whose ->poll is not called
 * again while it waits) a fresh timer is armed.
 */
static void wait_resume_restarts_timeout(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	struct waiter *w;

	/* no poller: the timer is stopped, not re-armed */
	o->timeout_ms = 100000;
	WRITE_ONCE(o->timed_out, true);
	mod_timer(&o->poll_timer, jiffies + 1000 * HZ);
	reconfigure(o, NPF_MODE_CAPT);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(o->timed_out));
	KUNIT_EXPECT_FALSE(test, timer_pending(&o->poll_timer));
	KUNIT_ASSERT_NOT_NULL(test, npf_test_put_rec(o, 32, 0, 1));
	KUNIT_EXPECT_FALSE_MSG(test, npf_ready(o),
			       "a stale timeout made 64 bytes ready (MinToCopy %u)",
			       o->min_to_copy);

	/* a poller: a fresh timer of the read timeout, not the stale one */
	w = waiter_add(test, o);
	mod_timer(&o->poll_timer, jiffies + 1000 * HZ);
	WRITE_ONCE(o->timed_out, true);
	reconfigure(o, NPF_MODE_CAPT);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(o->timed_out));
	KUNIT_EXPECT_TRUE(test, timer_pending(&o->poll_timer));
	KUNIT_EXPECT_TRUE(test,
			  time_before_eq(o->poll_timer.expires,
					 jiffies + msecs_to_jiffies(100000)));
	del_timer_sync(&o->poll_timer);
	KUNIT_EXPECT_EQ(test, wakes(w), 0);
}

/*
 * poll()'s timer in MODE_STAT runs to the end of the interval. Guards
 * issue 12's "the poll timer is never armed with a negative remainder":
 * an interval already over (a reader that comes late) fires at once;
 * a negative remainder converted to jiffies was some 584 years.
 */
static void wait_poll_arm_stat(struct kunit *test)
{
	struct npf_open *o = npf_test_open(test, 0);
	unsigned long j0, j1;

	o->mode = NPF_MODE_STAT;
	o->timeout_ms = 1000;
	o->stat_start = ktime_sub_ms(ktime_get(), 5000);
	j0 = jiffies;
	npf_poll_arm(o);
	j1 = jiffies;
	/* fired already, or about to */
	KUNIT_EXPECT_TRUE_MSG(test, time_before_eq(o->poll_timer.expires, j1),
			      "expires %ld jiffies from now",
			      (long)(o->poll_timer.expires - j1));
	KUNIT_EXPECT_TRUE(test, time_after_eq(o->poll_timer.expires, j0));
	del_timer_sync(&o->poll_timer);

	/* the remainder of the interval, a jiffy late rather than early */
	o->stat_start = ktime_get();
	j0 = jiffies;
	npf_poll_arm(o);
	j1 = jiffies;
	KUNIT_EXPECT_TRUE(test, timer_pending(&o->poll_timer));
	KUNIT_EXPECT_TRUE(test,
			  time_before_eq(o->poll_timer.expires,
					 j1 + msecs_to_jiffies(1000) + 1));
	KUNIT_EXPECT_TRUE(test, time_after(o->poll_timer.expires, j0));
	/* armed once: a second poll leaves it */
	j0 = o->poll_timer.expires;
	npf_poll_arm(o);
	KUNIT_EXPECT_EQ(test, o->poll_timer.expires, j0);
	del_timer_sync(&o->poll_timer);

	/* MODE_CAPT: the read timeout from now; 0 and -1 arm nothing */
	o->mode = NPF_MODE_CAPT;
	j0 = jiffies;
	npf_poll_arm(o);
	KUNIT_EXPECT_TRUE(test,
			  time_after_eq(o->poll_timer.expires,
					j0 + msecs_to_jiffies(1000)));
	del_timer_sync(&o->poll_timer);
	o->timeout_ms = 0;
	npf_poll_arm(o);
	KUNIT_EXPECT_FALSE(test, timer_pending(&o->poll_timer));
	o->timeout_ms = -1;
	npf_poll_arm(o);
	KUNIT_EXPECT_FALSE(test, timer_pending(&o->poll_timer));
}

static struct kunit_case npf_wait_cases[] = {
	KUNIT_CASE(wait_tap_wakes_once),
	KUNIT_CASE(wait_reset_rearms_wakeup),
	KUNIT_CASE(wait_resume_rearms_wakeup),
	KUNIT_CASE(wait_resume_restarts_timeout),
	KUNIT_CASE(wait_poll_arm_stat),
	{}
};

static struct kunit_suite npf_wait_suite = {
	.name = "npf_wait",
	.test_cases = npf_wait_cases,
};

kunit_test_suites(&npf_ready_suite, &npf_wait_suite);
