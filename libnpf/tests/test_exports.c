// SPDX-License-Identifier: MIT
/* libnpf.so: the public functions are exported, versioned; nothing else. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

#include "t.h"

static const char *const public[] = {
	"PacketGetVersion", "PacketGetDriverVersion", "PacketOpenAdapter",
	"PacketCloseAdapter", "PacketAllocatePacket", "PacketInitPacket",
	"PacketFreePacket", "PacketReceivePacket", "PacketSendPacket",
	"PacketSetNumWrites", "PacketSetBuff", "PacketSetBpf",
	"PacketSetSnapLen", "PacketSetMinToCopy", "PacketSetReadTimeout",
	"PacketSetMode", "PacketSetLoopbackBehavior", "PacketGetStats",
	"PacketGetStatsEx", "PacketRequest", "PacketSetHwFilter",
	"PacketGetReadEvent", "PacketGetLinkType",
};

/* Added in 1.1: the kernel dump, send queues, 64-bit counters. */
static const char *const public_1_1[] = {
	"PacketGetDumpStats", "PacketGetNpfStats", "PacketIsDumpEnded",
	"PacketSendPackets", "PacketSendQueueAlloc", "PacketSendQueueFree",
	"PacketSendQueueQueue", "PacketSetDumpLimits", "PacketSetDumpLimitsEx",
	"PacketSetDumpName",
};

/* Added in 1.2: adapters, driver name, timestamp modes. */
static const char *const public_1_2[] = {
	"PacketGetAdapterFlags", "PacketGetAdapterNames",
	"PacketGetDriverName", "PacketGetNetInfoEx", "PacketGetNetType",
	"PacketGetTimestampModes", "PacketIsLoopbackAdapter",
	"PacketSetTimestampMode",
};

/* Added in 1.3: record layouts. */
static const char *const public_1_3[] = {
	"PacketReceiveMapped", "PacketSetRecordFormat",
};

static const char *const hidden[] = {
	"npf_parse_adapter_name", "npf_program_from_bpf", "npf_ioctl",
	"npf_ioctl_u32", "npf_device_path", "npf_sysfs_version_path",
	"npf_nl_open", "npf_nl_run", "npf_link_parse", "npf_addr_parse",
	"npf_ethtool_get", "npf_genl_family", "npf_tstamp_mode",
	"npf_unmap_ring",
};

/* @name has version @ver, and not @other (a released node is fixed). */
static void check_version(void *h, const char *name, const char *ver,
			  const char *other)
{
	CHECK(dlvsym(h, name, ver) != NULL);
	if (!dlvsym(h, name, ver))
		printf("  missing: %s@%s\n", name, ver);
	CHECK(dlvsym(h, name, other) == NULL);
}

static void shared_library_exports(void)
{
	void *h;
	size_t i;

	CHECK(t_solib != NULL);
	if (!t_solib)
		return;
	h = dlopen(t_solib, RTLD_NOW | RTLD_LOCAL);
	CHECK(h != NULL);
	if (!h)
		return;
	for (i = 0; i < sizeof(public) / sizeof(public[0]); i++)
		check_version(h, public[i], "LIBNPF_1.0", "LIBNPF_1.1");
	for (i = 0; i < sizeof(public_1_1) / sizeof(public_1_1[0]); i++)
		check_version(h, public_1_1[i], "LIBNPF_1.1", "LIBNPF_1.0");
	for (i = 0; i < sizeof(public_1_2) / sizeof(public_1_2[0]); i++)
		check_version(h, public_1_2[i], "LIBNPF_1.2", "LIBNPF_1.1");
	for (i = 0; i < sizeof(public_1_3) / sizeof(public_1_3[0]); i++)
		check_version(h, public_1_3[i], "LIBNPF_1.3", "LIBNPF_1.2");
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		CHECK(dlsym(h, hidden[i]) == NULL);
	dlclose(h);
}

const struct t_case export_cases[] = {
	T_CASE(shared_library_exports),
	T_END
};
