// SPDX-License-Identifier: MIT
/*
 * Parameters, statistics and OID requests of an open adapter: each is one
 * ioctl of <linux/npf.h>; the checks here only catch what the kernel
 * cannot see (NULL pointers, negative sizes that would wrap to u32).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* Both describe one classic-BPF instruction to the kernel. */
_Static_assert(sizeof(struct bpf_insn) == sizeof(struct sock_filter),
	       "struct bpf_insn must have the layout of struct sock_filter");
/* PACKET_OID_DATA's head is struct npf_oid_data. */
_Static_assert(offsetof(PACKET_OID_DATA, Length) ==
	       offsetof(struct npf_oid_data, length) &&
	       offsetof(PACKET_OID_DATA, Data) ==
	       offsetof(struct npf_oid_data, data),
	       "PACKET_OID_DATA must start like struct npf_oid_data");

/* An int parameter that the kernel takes as u32: negative is an error. */
static BOOLEAN npf_set_count(LPADAPTER a, unsigned long request, int v)
{
	if (v < 0) {
		errno = EINVAL;
		return FALSE;
	}
	return npf_ioctl_u32(a, request, (uint32_t)v);
}

EXPORT_SYMBOL
BOOLEAN PacketSetBuff(LPADAPTER AdapterObject, int dim)
{
	if (!AdapterObject || dim < 0) {
		errno = EINVAL;
		return FALSE;
	}
	/* The kernel replaces no ring that is mapped; the new one is mapped anew. */
	npf_unmap_ring(AdapterObject);
	if (!npf_set_count(AdapterObject, BIOCSETBUFFERSIZE, dim))
		return FALSE;
	/* The module rounds it down to the record alignment. */
	AdapterObject->RingSize = (UINT)dim & ~(UINT)(NPF_ALIGNMENT - 1);
	return TRUE;
}

EXPORT_SYMBOL
BOOLEAN PacketSetMinToCopy(LPADAPTER AdapterObject, int nbytes)
{
	return npf_set_count(AdapterObject, BIOCSMINTOCOPY, nbytes);
}

EXPORT_SYMBOL
BOOLEAN PacketSetMode(LPADAPTER AdapterObject, int mode)
{
	return npf_set_count(AdapterObject, BIOCSMODE, mode);
}

EXPORT_SYMBOL
BOOLEAN PacketSetLoopbackBehavior(LPADAPTER AdapterObject,
				  UINT LoopbackBehavior)
{
	return npf_ioctl_u32(AdapterObject, BIOCISETLOBBEH, LoopbackBehavior);
}

/*
 * Npcap's modes pick a clock; the kernel has one for this, so they all
 * mean microseconds of it. The Linux addition asks for nanoseconds.
 */
int npf_tstamp_mode(ULONG mode, uint32_t *tstamp)
{
	switch (mode) {
	case TIMESTAMPMODE_SINGLE_SYNCHRONIZATION:
	case TIMESTAMPMODE_QUERYSYSTEMTIME:
	case TIMESTAMPMODE_QUERYSYSTEMTIME_PRECISE:
		*tstamp = NPF_TSTAMP_MICRO;
		return 0;
	case TIMESTAMPMODE_NANO:
		*tstamp = NPF_TSTAMP_NANO;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

EXPORT_SYMBOL
BOOLEAN PacketSetTimestampMode(LPADAPTER AdapterObject, ULONG mode)
{
	uint32_t tstamp;

	if (npf_tstamp_mode(mode, &tstamp) < 0)
		return FALSE;
	return npf_ioctl_u32(AdapterObject, BIOCSTIMESTAMPMODE, tstamp);
}

EXPORT_SYMBOL
BOOLEAN PacketSetRecordFormat(LPADAPTER AdapterObject, UINT format)
{
	if (format != PACKET_RECFMT_BPF && format != PACKET_RECFMT_PCAP) {
		errno = EINVAL;
		return FALSE;
	}
	return npf_ioctl_u32(AdapterObject, BIOCSRECFMT, format);
}

EXPORT_SYMBOL
BOOLEAN PacketGetTimestampModes(LPADAPTER AdapterObject, PULONG p_mode_list)
{
	static const ULONG modes[] = {
		TIMESTAMPMODE_SINGLE_SYNCHRONIZATION,
		TIMESTAMPMODE_QUERYSYSTEMTIME,
		TIMESTAMPMODE_QUERYSYSTEMTIME_PRECISE,
		TIMESTAMPMODE_NANO,
	};
	const ULONG n = sizeof(modes) / sizeof(modes[0]);
	ULONG room;

	if (!AdapterObject || !p_mode_list) {
		errno = EINVAL;
		return FALSE;
	}
	room = p_mode_list[0];
	p_mode_list[0] = n;
	if (room < n + 1) {
		errno = ENOBUFS;
		return FALSE;
	}
	memcpy(p_mode_list + 1, modes, sizeof(modes));
	return TRUE;
}

EXPORT_SYMBOL
BOOLEAN PacketSetReadTimeout(LPADAPTER AdapterObject, int timeout)
{
	int32_t ms = timeout;

	/* -1 is "immediate"; other negative values mean nothing. */
	if (timeout < -1) {
		errno = EINVAL;
		return FALSE;
	}
	return npf_ioctl(AdapterObject, BIOCSRTIMEOUT, &ms);
}

EXPORT_SYMBOL
INT PacketSetSnapLen(LPADAPTER AdapterObject, int snaplen)
{
	(void)snaplen;
	/*
	 * WinPcap did the same for every NDIS adapter: there is no snap
	 * length setting, the filter's return value is the snap length.
	 * Emulating one would mean rewriting the caller's filter.
	 */
	if (!AdapterObject)
		errno = EINVAL;
	return 0;
}

int npf_program_from_bpf(struct npf_program *np, const struct bpf_program *fp)
{
	if (!np || !fp || (fp->bf_len && !fp->bf_insns)) {
		errno = EINVAL;
		return -1;
	}
	memset(np, 0, sizeof(*np));
	np->bf_len = fp->bf_len;
	np->bf_insns = (uintptr_t)fp->bf_insns;
	return 0;
}

EXPORT_SYMBOL
BOOLEAN PacketSetBpf(LPADAPTER AdapterObject, struct bpf_program *fp)
{
	struct npf_program np;

	if (npf_program_from_bpf(&np, fp) < 0)
		return FALSE;
	return npf_ioctl(AdapterObject, BIOCSETF, &np);
}

EXPORT_SYMBOL
BOOLEAN PacketGetStats(LPADAPTER AdapterObject, struct bpf_stat *s)
{
	return npf_ioctl(AdapterObject, BIOCGSTATS, s);
}

EXPORT_SYMBOL
BOOLEAN PacketGetStatsEx(LPADAPTER AdapterObject, struct bpf_stat *s)
{
	return npf_ioctl(AdapterObject, BIOCGSTATS, s);
}

EXPORT_SYMBOL
BOOLEAN PacketGetNpfStats(LPADAPTER AdapterObject, struct npf_stats *s)
{
	return npf_ioctl(AdapterObject, BIOCGSTATSEX, s);
}

/*
 * The kernel reads the 8-byte head the ioctl size covers, then Length
 * bytes of Data behind it: OidData is passed as it is.
 */
EXPORT_SYMBOL
BOOLEAN PacketRequest(LPADAPTER AdapterObject, BOOLEAN Set,
		      PPACKET_OID_DATA OidData)
{
	return npf_ioctl(AdapterObject, Set ? BIOCSETOID : BIOCQUERYOID,
			 OidData);
}

EXPORT_SYMBOL
BOOLEAN PacketSetHwFilter(LPADAPTER AdapterObject, ULONG Filter)
{
	union {
		PACKET_OID_DATA oid;
		uint8_t room[sizeof(PACKET_OID_DATA) + sizeof(ULONG)];
	} req;

	memset(&req, 0, sizeof(req));
	req.oid.Oid = OID_GEN_CURRENT_PACKET_FILTER;
	req.oid.Length = sizeof(Filter);
	/* Via room: Data is declared with one byte only. */
	memcpy(req.room + offsetof(PACKET_OID_DATA, Data), &Filter,
	       sizeof(Filter));
	return PacketRequest(AdapterObject, TRUE, &req.oid);
}
