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

static const char *const hidden[] = {
	"npf_parse_adapter_name", "npf_program_from_bpf", "npf_ioctl",
	"npf_ioctl_u32", "npf_device_path", "npf_sysfs_version_path",
};

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
	for (i = 0; i < sizeof(public) / sizeof(public[0]); i++) {
		CHECK(dlvsym(h, public[i], "LIBNPF_1.0") != NULL);
		if (!dlvsym(h, public[i], "LIBNPF_1.0"))
			printf("  missing: %s\n", public[i]);
	}
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		CHECK(dlsym(h, hidden[i]) == NULL);
	dlclose(h);
}

const struct t_case export_cases[] = {
	T_CASE(shared_library_exports),
	T_END
};
