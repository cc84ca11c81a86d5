// SPDX-License-Identifier: GPL-2.0
/*
 * npf_bpfbench: times classic-BPF filters exactly as npf's tap runs them
 * (bpf_prog_create(), then bpf_prog_run_save_cb() on an skb whose data
 * starts at the link header), for `make bench`. Benchmark helper only: it
 * is not part of npf.ko and is loaded only inside the bench VM.
 *
 * Whether bpf_prog_create() JIT-compiles the program is decided by the
 * net.core.bpf_jit_enable sysctl when the request arrives, so user space
 * gets the interpreter (___bpf_prog_run on the converted program) by
 * writing 0 there first, and the JIT by writing 1.
 *
 * Interface: debugfs file npf_bpfbench/run. write() one request:
 *
 *   struct { u32 magic, iters, npkts, ninsns; }
 *   npkts x { u32 len; u8 frame[len]; pad to 4 }
 *   ninsns x struct sock_filter
 *
 * The module builds the program and the skbs, runs the program @iters
 * times over the frames in turn (bottom halves off, in chunks), and the
 * next read() returns one line:
 *
 *   jited=J insns=N iters=I ns=TOTAL accepted=A
 *
 * where TOTAL covers the runs only (not building) and A counts the runs
 * that returned non-zero.
 */
#include <linux/debugfs.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#define BENCH_MAGIC	0x4e504642	/* "NPFB" */
#define BENCH_MAXPKTS	16
#define BENCH_MAXLEN	9216
#define BENCH_MAXREQ	(64 * 1024)
#define BENCH_CHUNK	4096		/* runs per bottom-half-off stretch */
#define BENCH_MAXITERS	100000000

struct bench_req_hdr {
	u32 magic;
	u32 iters;
	u32 npkts;
	u32 ninsns;
};

static DEFINE_MUTEX(bench_lock);
static char bench_result[160];
static struct dentry *bench_dir;

static struct sk_buff *bench_skb(const u8 *frame, u32 len)
{
	struct sk_buff *skb = alloc_skb(len + NET_SKB_PAD, GFP_KERNEL);

	if (!skb)
		return NULL;
	skb_reserve(skb, NET_SKB_PAD);
	skb_put_data(skb, frame, len);
	skb_reset_mac_header(skb);
	if (len >= ETH_HLEN) {
		skb->protocol = ((const struct ethhdr *)frame)->h_proto;
		skb_set_network_header(skb, ETH_HLEN);
	}
	skb->pkt_type = PACKET_HOST;
	return skb;
}

static int bench_run(const u8 *req, size_t size)
{
	const struct bench_req_hdr *h = (const void *)req;
	struct sk_buff *skbs[BENCH_MAXPKTS] = {};
	struct sock_fprog_kern fprog;
	struct bpf_prog *prog = NULL;
	u64 ns = 0, accepted = 0;
	size_t off = sizeof(*h);
	u32 i, done;
	int ret = -EINVAL;

	if (size < sizeof(*h) || h->magic != BENCH_MAGIC || !h->iters ||
	    h->iters > BENCH_MAXITERS || !h->npkts ||
	    h->npkts > BENCH_MAXPKTS || !h->ninsns ||
	    h->ninsns > BPF_MAXINSNS)
		return -EINVAL;
	for (i = 0; i < h->npkts; i++) {
		u32 len;

		if (size - off < 4)
			goto out;
		memcpy(&len, req + off, 4);
		off += 4;
		if (!len || len > BENCH_MAXLEN || size - off < len)
			goto out;
		skbs[i] = bench_skb(req + off, len);
		if (!skbs[i]) {
			ret = -ENOMEM;
			goto out;
		}
		off += ALIGN(len, 4);
		if (off > size)
			goto out;
	}
	if (size - off != (size_t)h->ninsns * sizeof(struct sock_filter))
		goto out;
	fprog.len = h->ninsns;
	fprog.filter = (struct sock_filter *)(req + off);
	ret = bpf_prog_create(&prog, &fprog);
	if (ret)
		goto out;

	for (done = 0; done < h->iters;) {
		u32 n = min_t(u32, BENCH_CHUNK, h->iters - done);
		u64 t0, t1;

		local_bh_disable();
		t0 = ktime_get_ns();
		for (i = 0; i < n; i++)
			accepted += !!bpf_prog_run_save_cb(prog,
						skbs[(done + i) % h->npkts]);
		t1 = ktime_get_ns();
		local_bh_enable();
		ns += t1 - t0;
		done += n;
		cond_resched();
	}
	snprintf(bench_result, sizeof(bench_result),
		 "jited=%u insns=%u iters=%u ns=%llu accepted=%llu\n",
		 prog->jited, h->ninsns, h->iters, ns, accepted);
	bpf_prog_destroy(prog);
	ret = 0;
out:
	for (i = 0; i < BENCH_MAXPKTS; i++)
		kfree_skb(skbs[i]);
	return ret;
}

static ssize_t bench_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	u8 *req;
	int ret;

	if (count > BENCH_MAXREQ)
		return -EINVAL;
	req = vmemdup_user(ubuf, count);
	if (IS_ERR(req))
		return PTR_ERR(req);
	mutex_lock(&bench_lock);
	bench_result[0] = 0;
	ret = bench_run(req, count);
	mutex_unlock(&bench_lock);
	kvfree(req);
	return ret ? ret : count;
}

static ssize_t bench_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&bench_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, bench_result,
				      strlen(bench_result));
	mutex_unlock(&bench_lock);
	return ret;
}

static const struct file_operations bench_fops = {
	.owner	= THIS_MODULE,
	.write	= bench_write,
	.read	= bench_read,
	.llseek	= default_llseek,
};

static int __init bench_init(void)
{
	bench_dir = debugfs_create_dir("npf_bpfbench", NULL);
	debugfs_create_file("run", 0600, bench_dir, NULL, &bench_fops);
	return 0;
}

static void __exit bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
}

module_init(bench_init);
module_exit(bench_exit);
MODULE_DESCRIPTION("npf benchmark helper: cBPF interpreter vs JIT timing");
MODULE_LICENSE("GPL");
