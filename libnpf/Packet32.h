/* SPDX-License-Identifier: MIT */
/*
 * Packet32.h: libnpf, WinPcap's packet.dll API over Linux's /dev/npf.
 *
 * The function names, argument lists and return conventions are those of
 * WinPcap 4.1.3's Packet32.h, so that programs written against packet.dll
 * build unchanged where the semantics allow. Differences:
 *
 *  - Failure is FALSE, NULL or -1 (as documented per function) with errno
 *    set; there is no GetLastError(). The library never prints or exits.
 *  - ULONG is 32 bits, as on Windows (LLP64): WinPcap structures that use
 *    it (PACKET_OID_DATA, ...) keep their layout.
 *  - A "handle" (HANDLE, ADAPTER.hFile, PacketGetReadEvent) is a file
 *    descriptor: wait on it with poll()/select()/epoll.
 *  - struct bpf_hdr has a 64-bit tv_sec and is 32 bytes (see <linux/npf.h>);
 *    always walk a read buffer with bh_hdrlen, bh_caplen and
 *    Packet_WORDALIGN, never with sizeof(struct bpf_hdr).
 *
 * Include order: when a program uses libpcap as well (e.g. pcap_compile()
 * for the filters), include <pcap.h> BEFORE <Packet32.h>. libpcap then
 * supplies struct bpf_program and struct bpf_insn, and this header does not
 * define them again. Including <pcap.h> after <Packet32.h> fails to compile
 * (two definitions of struct bpf_program), exactly as with WinPcap.
 *
 * Programs that bring their own Windows type definitions can define
 * NPF_NO_WINTYPES before including this header; their definitions must then
 * be layout compatible with the ones below.
 */
#ifndef _NPF_PACKET32_H
#define _NPF_PACKET32_H

#include <stdint.h>
#include <linux/npf.h>	/* struct bpf_hdr, struct bpf_stat, NPF_WORDALIGN */

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Windows scalar types. _WINDEF_ is defined by Windows' and Wine's
 * <windef.h>: with those, the types exist already.
 */
#if !defined(NPF_NO_WINTYPES) && !defined(_WINDEF_) && !defined(_NPF_WINTYPES)
#define _NPF_WINTYPES
typedef void		VOID;
typedef void		*PVOID, *LPVOID;
typedef char		CHAR, *PCHAR;
typedef uint8_t		UCHAR, *PUCHAR;
typedef uint8_t		BOOLEAN, *PBOOLEAN;
typedef int		BOOL, INT;
typedef unsigned int	UINT;
typedef uint16_t	USHORT;
typedef int32_t		LONG, *PLONG;
typedef uint32_t	ULONG, *PULONG, DWORD;	/* 32-bit, as on LLP64 */
typedef uint64_t	ULONGLONG;
typedef int		HANDLE;			/* a file descriptor */
#endif

#ifndef TRUE
#define TRUE	1
#endif
#ifndef FALSE
#define FALSE	0
#endif

/*
 * The filter program of PacketSetBpf(). libpcap's <pcap/bpf.h> (guard
 * lib_pcap_bpf_h) and BSD's <net/bpf.h> define the same structures; if one
 * of them came first, use theirs. WinPcap tested BPF_MAJOR_VERSION instead,
 * but on Linux <linux/filter.h> (included above) defines that macro.
 */
#if !defined(lib_pcap_bpf_h) && !defined(_NET_BPF_H_) && \
	!defined(_NET_BPF_H_INCLUDED) && !defined(_BPF_H_) && !defined(_H_BPF)
#define _NPF_BPF_PROGRAM	/* ours, not libpcap's */
struct bpf_insn {
	USHORT	code;
	UCHAR	jt;
	UCHAR	jf;
	ULONG	k;
};

struct bpf_program {
	UINT	bf_len;			/* instructions in bf_insns */
	struct bpf_insn *bf_insns;
};
#endif
struct bpf_program;

/* Records in a read buffer start on this boundary (8, not WinPcap's 4). */
#define Packet_ALIGNMENT	NPF_ALIGNMENT
#define Packet_WORDALIGN(x)	NPF_WORDALIGN(x)

/* PacketSetMode() */
#define PACKET_MODE_CAPT	NPF_MODE_CAPT
#define PACKET_MODE_STAT	NPF_MODE_STAT
#define PACKET_MODE_MON		NPF_MODE_MON
#define PACKET_MODE_DUMP	NPF_MODE_DUMP
#define PACKET_MODE_STAT_DUMP	(PACKET_MODE_DUMP | PACKET_MODE_STAT)

/* ADAPTER.Flags: every adapter of this implementation is an NDIS one. */
#define INFO_FLAG_NDIS_ADAPTER	0

/* WinPcap's size of ADAPTER.Name; the name itself is an ifname. */
#define ADAPTER_NAME_LENGTH	(256 + 12)

/*
 * An open adapter. Only PacketOpenAdapter() creates one and only
 * PacketCloseAdapter() destroys it: never allocate, copy or embed an
 * ADAPTER, as later versions may add members at the end. Treat it as
 * read-only. hFile is the /dev/npf descriptor, for the rare WinPcap program
 * that touches it (poll it, or call an ioctl of <linux/npf.h> that has no
 * Packet* wrapper); do not close it.
 */
typedef struct _ADAPTER {
	HANDLE	hFile;			/* /dev/npf file descriptor */
	CHAR	Name[ADAPTER_NAME_LENGTH]; /* Linux interface name */
	INT	NumWrites;		/* last PacketSetNumWrites() value */
	UINT	Flags;			/* INFO_FLAG_NDIS_ADAPTER */
} ADAPTER, *LPADAPTER;

/*
 * A buffer for PacketReceivePacket() / PacketSendPacket(). WinPcap's
 * hEvent and OVERLAPPED members are gone (I/O is synchronous).
 */
typedef struct _PACKET {
	PVOID	Buffer;			/* the caller's memory */
	UINT	Length;			/* its size in bytes */
	ULONG	ulBytesReceived;	/* set by PacketReceivePacket() */
	BOOLEAN	bIoComplete;		/* TRUE once an I/O completed */
} PACKET, *LPPACKET;

/*
 * PacketRequest()'s argument: allocate
 * sizeof(PACKET_OID_DATA) - 1 + data length, as on Windows. It has the
 * layout of struct npf_oid_data (two 32-bit words, then the data).
 */
typedef struct _PACKET_OID_DATA {
	ULONG	Oid;			/* OID_* of <linux/npf.h> */
	ULONG	Length;			/* bytes in Data; updated by a query */
	UCHAR	Data[1];
} PACKET_OID_DATA, *PPACKET_OID_DATA;

/* Library version, e.g. "1.0.0". Never NULL; do not modify or free. */
PCHAR PacketGetVersion(void);

/*
 * Version of the npf module, e.g. "1.0": /sys/module/npf/version, or
 * BIOCVERSION when sysfs does not have it. NULL and errno on failure
 * (ENOENT: the module is not loaded). The string lives in thread-local
 * storage until this thread's next call.
 */
PCHAR PacketGetDriverVersion(void);

/*
 * Open /dev/npf and bind it to an adapter. AdapterName is a Linux
 * interface name ("eth0") or WinPcap's device name for it
 * ("\Device\NPF_eth0"; also with doubled backslashes, or "\\.\NPF_eth0").
 * The open starts with the module's defaults (ring size, read timeout,
 * MinToCopy, no filter, not promiscuous). NULL and errno on failure:
 *   EINVAL        NULL or empty name
 *   ENAMETOOLONG  interface name of NPF_IFNAMSIZ bytes or more
 *   ENOENT        no /dev/npf: the npf module is not loaded (also when a
 *                 stale /dev/npf node has no driver behind it)
 *   EACCES/EPERM  no permission (the device needs CAP_NET_RAW)
 *   ENODEV        no such adapter in this network namespace
 *   EOPNOTSUPP    the adapter's link type cannot be captured
 */
LPADAPTER PacketOpenAdapter(const char *AdapterName);

/* Close the adapter and free it. NULL is ignored. */
VOID PacketCloseAdapter(LPADAPTER AdapterObject);

/* A zeroed PACKET, NULL and errno ENOMEM on failure. */
LPPACKET PacketAllocatePacket(void);
/* Point the PACKET at the caller's buffer (not copied, not freed). */
VOID PacketInitPacket(LPPACKET lpPacket, PVOID Buffer, UINT Length);
/* Free a PACKET of PacketAllocatePacket(), not its Buffer. NULL ignored. */
VOID PacketFreePacket(LPPACKET lpPacket);

/*
 * One read(): as many whole records as fit into lpPacket->Buffer; sets
 * ulBytesReceived and bIoComplete. TRUE also when the read timeout
 * expired with nothing captured (ulBytesReceived = 0). Sync is ignored:
 * the read is synchronous (blocking unless hFile was made O_NONBLOCK).
 * FALSE and errno on failure: EINTR (a signal), EAGAIN (non-blocking and
 * nothing ready), EMSGSIZE (the buffer is smaller than the next record),
 * ENODEV (the adapter went away and everything buffered was read).
 */
BOOLEAN PacketReceivePacket(LPADAPTER AdapterObject, LPPACKET lpPacket,
			    BOOLEAN Sync);

/*
 * Transmit the frame in lpPacket (link-layer header included, no FCS)
 * PacketSetNumWrites() times with one write(). Sync is ignored. FALSE and
 * errno: ENETDOWN, EMSGSIZE (longer than the adapter takes), EINVAL
 * (shorter than its link header), EAGAIN (O_NONBLOCK and the send buffer
 * is full), EINTR: a signal, even a stop and continue (^Z, fg) with no
 * handler installed, ends a long repeat early; PacketGetNpfStats()'s
 * bs_sent tells how many copies went out.
 */
BOOLEAN PacketSendPacket(LPADAPTER AdapterObject, LPPACKET pPacket,
			 BOOLEAN Sync);

/* BIOCSWRITEREP: each PacketSendPacket() sends the frame nwrites times. */
BOOLEAN PacketSetNumWrites(LPADAPTER AdapterObject, int nwrites);

/*
 * Send a queue of frames with one system call (BIOCSENDPACKETSNOSYNC, or
 * BIOCSENDPACKETSSYNC when Sync is TRUE: the frames leave spaced as their
 * timestamps say). PacketBuff holds back-to-back entries, each a
 * struct npf_sendq_hdr then caplen bytes of frame, no padding: the record
 * format of a pcap file, which PacketSendQueueQueue() builds. Every entry
 * is sent once, PacketSetNumWrites() does not apply.
 * Returns the bytes of the entries sent, as packet.dll did: Size when all
 * went out; less, with errno set, when an entry stopped the queue (EINVAL
 * caplen 0 or past the end, EMSGSIZE too long for the adapter, ENETDOWN,
 * EINTR a signal, ...). 0 and errno EINVAL for a NULL adapter, a NULL
 * buffer or a Size over INT_MAX.
 */
INT PacketSendPackets(LPADAPTER AdapterObject, PVOID PacketBuff, ULONG Size,
		      BOOLEAN Sync);

/*
 * Linux addition: a send queue, wpcap's pcap_send_queue under packet.dll
 * names (pcap_sendqueue_alloc/queue/destroy). buffer holds len bytes of
 * entries in PacketSendPackets()' format; send them with
 * PacketSendPackets(adapter, q->buffer, q->len, sync).
 */
typedef struct _PACKET_SEND_QUEUE {
	UINT	maxlen;			/* size of buffer */
	UINT	len;			/* bytes of entries in it */
	PCHAR	buffer;
} PACKET_SEND_QUEUE, *PPACKET_SEND_QUEUE;

/*
 * An empty queue of memsize bytes (1 to INT_MAX). NULL and errno EINVAL
 * or ENOMEM.
 */
PPACKET_SEND_QUEUE PacketSendQueueAlloc(UINT memsize);

/* Free a queue and its buffer. NULL is ignored. */
VOID PacketSendQueueFree(PPACKET_SEND_QUEUE queue);

/*
 * Append one entry: the header as given (its caplen bytes of data follow
 * it) and caplen bytes of data. 0, or -1 and errno: EINVAL for NULL
 * pointers or caplen 0, ENOBUFS when the entry does not fit (the queue is
 * unchanged).
 */
INT PacketSendQueueQueue(PPACKET_SEND_QUEUE queue,
			 const struct npf_sendq_hdr *header,
			 const UCHAR *data);

/*
 * Kernel ring size in bytes (BIOCSETBUFFERSIZE); flushes the ring and
 * zeroes the counters. EINVAL for a size the module refuses (too small,
 * or over its limit).
 */
BOOLEAN PacketSetBuff(LPADAPTER AdapterObject, int dim);

/*
 * Install a classic-BPF filter (BIOCSETF); its return value is the snap
 * length. bf_len 0 removes the filter. Flushes the ring and zeroes the
 * counters. On failure the previous filter stays.
 */
BOOLEAN PacketSetBpf(LPADAPTER AdapterObject, struct bpf_program *fp);

/*
 * As on WinPcap with NDIS adapters, the adapter has no snap length
 * setting: the filter's return value is the snap length (compile the
 * filter with the wanted snaplen, pcap_compile() does). Returns 0 ("not
 * supported, nothing changed"), with errno EINVAL for a NULL adapter.
 */
INT PacketSetSnapLen(LPADAPTER AdapterObject, int snaplen);

/*
 * Delayed write: a read waits for this many bytes (BIOCSMINTOCOPY). The
 * module refuses (EINVAL) a value larger than the ring.
 */
BOOLEAN PacketSetMinToCopy(LPADAPTER AdapterObject, int nbytes);

/* Read timeout in ms: 0 waits forever, -1 returns at once (BIOCSRTIMEOUT). */
BOOLEAN PacketSetReadTimeout(LPADAPTER AdapterObject, int timeout);

/*
 * PACKET_MODE_* (BIOCSMODE); flushes the ring and zeroes the counters.
 * What PacketReceivePacket() then returns:
 *   PACKET_MODE_CAPT       records (struct bpf_hdr + frame), as above
 *   PACKET_MODE_STAT       one struct npf_stat_record per read timeout:
 *                          the packets and bytes the filter accepted in
 *                          that interval, which runs from the previous
 *                          read; -1 returns at once with the counts since
 *                          then; with 0 the read fails (EINVAL)
 *   PACKET_MODE_DUMP       nothing (0 bytes): the module writes the pcap
 *                          file of PacketSetDumpName(); a read waits for
 *                          the end of the dump or the read timeout
 *   PACKET_MODE_STAT_DUMP  one struct npf_stat_dump_record per interval
 *                          (the above and the dump file's size)
 * PACKET_MODE_MON (WinPcap's TME) is refused with EINVAL.
 */
BOOLEAN PacketSetMode(LPADAPTER AdapterObject, int mode);

/* NPF_DISABLE_LOOPBACK or NPF_ENABLE_LOOPBACK (BIOCISETLOBBEH). */
BOOLEAN PacketSetLoopbackBehavior(LPADAPTER AdapterObject,
				  UINT LoopbackBehavior);

/*
 * The four 32-bit counters of the open (BIOCGSTATS): bs_recv, bs_drop,
 * ps_ifdrop, bs_capt; see <linux/npf.h> for their meaning. WinPcap's
 * PacketGetStats filled only bs_recv and bs_drop; here both fill all four.
 */
BOOLEAN PacketGetStats(LPADAPTER AdapterObject, struct bpf_stat *s);
BOOLEAN PacketGetStatsEx(LPADAPTER AdapterObject, struct bpf_stat *s);

/*
 * Set (Set = TRUE, BIOCSETOID) or query (BIOCQUERYOID) an NDIS OID. On a
 * query OidData->Length is the room in Data on entry and the bytes
 * written on return.
 */
BOOLEAN PacketRequest(LPADAPTER AdapterObject, BOOLEAN Set,
		      PPACKET_OID_DATA OidData);

/*
 * OID_GEN_CURRENT_PACKET_FILTER: NDIS_PACKET_TYPE_PROMISCUOUS puts the
 * adapter in promiscuous mode for as long as this open keeps it set.
 */
BOOLEAN PacketSetHwFilter(LPADAPTER AdapterObject, ULONG Filter);

/*
 * Kernel dump (PACKET_MODE_DUMP): the module itself writes the packets the
 * filter accepts to a pcap file. Set the file and the limits, then the
 * mode; leaving the mode or closing the adapter finishes the file.
 *
 * PacketSetDumpName: name is a path of len bytes (a NUL within them ends
 * it; WinPcap also took UTF-16, Linux paths are bytes). The module opens
 * (creates, truncates) it at once, with the caller's credentials, relative
 * to the caller's working directory, and writes the pcap header; its
 * errors are this call's (ENOENT, EACCES, EROFS, EINVAL not a regular
 * file...), and on failure the previous file stays.
 */
BOOLEAN PacketSetDumpName(LPADAPTER AdapterObject, void *name, int len);

/*
 * Stop the dump at maxfilesize bytes of file (header included) or
 * maxnpacks packets, whichever comes first; 0 = no limit. Exact, in whole
 * packets.
 */
BOOLEAN PacketSetDumpLimits(LPADAPTER AdapterObject, UINT maxfilesize,
			    UINT maxnpacks);

/* Linux addition: the same with 64-bit limits (files over 4 GiB). */
BOOLEAN PacketSetDumpLimitsEx(LPADAPTER AdapterObject, ULONGLONG MaxBytes,
			      ULONGLONG MaxPackets);

/*
 * TRUE once a limit (or a write error, see PacketGetDumpStats) ended the
 * dump. With sync TRUE and the dump still running, it first waits until
 * the descriptor is readable: in PACKET_MODE_DUMP that is the end of the
 * dump, in PACKET_MODE_STAT_DUMP also the end of each statistics interval.
 * FALSE both for "not ended" and for an error; errno tells them apart for
 * a caller that zeroes it before the call: EINTR (a signal ended the
 * wait), ENODEV (the adapter went away), ...
 */
BOOLEAN PacketIsDumpEnded(LPADAPTER AdapterObject, BOOLEAN sync);

/*
 * Linux addition: how the dump stands (BIOCGDUMPSTATS): packets and bytes
 * in the file, whether it ended, and the -errno of the write that ended
 * it (0 for a limit).
 */
BOOLEAN PacketGetDumpStats(LPADAPTER AdapterObject, struct npf_dump_stats *s);

/*
 * The descriptor to wait on for "data ready" (poll()/select()/epoll:
 * readable exactly when a read would return at once). -1 and errno EINVAL
 * for a NULL adapter. Do not close it.
 */
HANDLE PacketGetReadEvent(LPADAPTER AdapterObject);

/*
 * Linux addition: all the counters of the open at 64 bits (BIOCGSTATSEX),
 * with bs_filtered, bs_nomem and the transmit counters bs_sent,
 * bs_sent_bytes and bs_senterr; see <linux/npf.h>.
 */
BOOLEAN PacketGetNpfStats(LPADAPTER AdapterObject, struct npf_stats *s);

/*
 * Linux addition: the pcap LINKTYPE_ value of the adapter (BIOCGDLT),
 * NPF_LINKTYPE_ETHERNET (1) or NPF_LINKTYPE_RAW (101). -1 and errno on
 * failure.
 */
int PacketGetLinkType(LPADAPTER AdapterObject);

#ifdef __cplusplus
}
#endif

#endif /* _NPF_PACKET32_H */
