// SPDX-License-Identifier: GPL-2.0
/*
 * npf: WinPcap's NPF (Netgroup Packet Filter) device model for Linux.
 * Module entry points, parameters and the layout of the user ABI.
 */

#include <linux/build_bug.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/npf.h>

#include "adapter.h"
#include "dev.h"
#include "internal.h"
#include "dump.h"
#include "netlink.h"

unsigned int npf_max_buffer_size = 128 << 20;

static int npf_param_set_max_buffer(const char *val,
				    const struct kernel_param *kp)
{
	/* Rings are vmalloc()ed and charged to the opener's cgroup. */
	return param_set_uint_minmax(val, kp, NPF_MIN_BUFFER_SIZE, 1U << 30);
}

static const struct kernel_param_ops npf_param_max_buffer_ops = {
	.set = npf_param_set_max_buffer,
	.get = param_get_uint,
};

module_param_cb(max_buffer_size, &npf_param_max_buffer_ops,
		&npf_max_buffer_size, 0644);
MODULE_PARM_DESC(max_buffer_size,
		 "Largest ring an open may ask for with BIOCSETBUFFERSIZE, in bytes (4096..1 GiB, default 128 MiB)");

/* The ABI is fixed: identical for 32- and 64-bit user space. */
static void __init npf_check_abi(void)
{
	BUILD_BUG_ON(sizeof(struct bpf_timeval) != 16);
	BUILD_BUG_ON(sizeof(struct bpf_hdr) != 32);
	BUILD_BUG_ON(offsetof(struct bpf_hdr, bh_caplen) != 16);
	BUILD_BUG_ON(offsetof(struct bpf_hdr, bh_datalen) != 20);
	BUILD_BUG_ON(offsetof(struct bpf_hdr, bh_hdrlen) != 24);
	BUILD_BUG_ON(sizeof(struct bpf_hdr) % NPF_ALIGNMENT);
	BUILD_BUG_ON(sizeof(struct npf_pcap_hdr) != 16);
	BUILD_BUG_ON(sizeof(struct npf_mmap_batch) != 16);
	BUILD_BUG_ON(offsetof(struct npf_pcap_hdr, caplen) != 8);
	BUILD_BUG_ON(sizeof(struct npf_stat_record) != 48);
	BUILD_BUG_ON(sizeof(struct bpf_stat) != 16);
	BUILD_BUG_ON(sizeof(struct npf_stats) != 72);
	BUILD_BUG_ON(sizeof(struct npf_ifname) != 16);
	BUILD_BUG_ON(sizeof(struct npf_program) != 16);
	BUILD_BUG_ON(sizeof(struct sock_filter) != 8);
	BUILD_BUG_ON(sizeof(struct npf_oid_data) != 8);
	BUILD_BUG_ON(sizeof(struct npf_dump_name) != 16);
	BUILD_BUG_ON(sizeof(struct npf_dump_fd) != 8);
	BUILD_BUG_ON(sizeof(struct npf_dump_limits) != 16);
	BUILD_BUG_ON(sizeof(struct npf_dump_stats) != 32);
	BUILD_BUG_ON(sizeof(struct npf_stat_dump_record) != 56);
	BUILD_BUG_ON(sizeof(struct npf_sendq_hdr) != 16);
	BUILD_BUG_ON(sizeof(struct npf_sendq) != 16);
	BUILD_BUG_ON(sizeof(struct npf_version) != 8);
}

static int __init npf_init(void)
{
	int ret;

	npf_check_abi();
	ret = npf_dump_init();
	if (ret)
		return ret;
	ret = npf_adapter_init();
	if (ret)
		goto err_dump;
	ret = npf_netlink_init();
	if (ret)
		goto err_adapter;
	ret = npf_dev_init();
	if (ret)
		goto err_netlink;
	pr_info("NPF device model %d.%d loaded\n", NPF_VERSION_MAJOR,
		NPF_VERSION_MINOR);
	return 0;

err_netlink:
	npf_netlink_exit();
err_adapter:
	npf_adapter_exit();
err_dump:
	npf_dump_exit();
	return ret;
}

static void __exit npf_exit(void)
{
	npf_dev_exit();
	npf_netlink_exit();
	npf_adapter_exit();
	npf_dump_exit();
}

module_init(npf_init);
module_exit(npf_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NPF (WinPcap Netgroup Packet Filter) capture device /dev/npf");
MODULE_AUTHOR("The npf for Linux authors");
MODULE_VERSION(NPF_MODULE_VERSION);
