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
 *
 * As WinPcap's Packet32.h included <winsock2.h>, this one includes the
 * socket headers (struct sockaddr_storage, struct sockaddr_in, htons(),
 * inet_ntoa()...), so that such programs need no other include.
 *
 * The reference pages are libnpf(3) and one page per group of functions.
 */
#ifndef _NPF_PACKET32_H
#define _NPF_PACKET32_H

#include <stdint.h>
#include <sys/socket.h>	/* struct sockaddr_storage: npf_if_addr */
#include <netinet/in.h>
#include <arpa/inet.h>
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
typedef char		CHAR, *PCHAR, *PSTR, *LPSTR;
typedef const char	*PCCH, *LPCSTR;
typedef char		TCHAR, *PTSTR, *LPTSTR;	/* ANSI: no UNICODE build */
typedef uint8_t		UCHAR, *PUCHAR, BYTE;
typedef uint8_t		BOOLEAN, *PBOOLEAN;
typedef int		BOOL, INT;
typedef unsigned int	UINT, *PUINT;
typedef uint16_t	USHORT, WORD;
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
/* WinPcap's limits, which its programs size their arrays with. */
#define ADAPTER_DESC_LENGTH	128	/* descriptions are shorter */
#define MAX_LINK_NAME_LENGTH	64
#define MAX_MAC_ADDR_LENGTH	8
#define MAX_NETWORK_ADDRESSES	16

/*
 * NDIS OIDs that packet.dll programs name, beside those of <linux/npf.h>.
 * The module answers the OIDs <linux/npf.h> lists (see PacketRequest(3));
 * a request for any other fails with EOPNOTSUPP.
 */
#ifndef OID_GEN_SUPPORTED_LIST
#define OID_GEN_SUPPORTED_LIST		0x00010101
#endif
#ifndef OID_GEN_HARDWARE_STATUS
#define OID_GEN_HARDWARE_STATUS		0x00010102
#endif
#ifndef OID_GEN_MEDIA_SUPPORTED
#define OID_GEN_MEDIA_SUPPORTED		0x00010103
#endif
#ifndef OID_GEN_MAXIMUM_LOOKAHEAD
#define OID_GEN_MAXIMUM_LOOKAHEAD	0x00010105
#endif
#ifndef OID_GEN_TRANSMIT_BUFFER_SPACE
#define OID_GEN_TRANSMIT_BUFFER_SPACE	0x00010108
#endif
#ifndef OID_GEN_RECEIVE_BUFFER_SPACE
#define OID_GEN_RECEIVE_BUFFER_SPACE	0x00010109
#endif
#ifndef OID_GEN_TRANSMIT_BLOCK_SIZE
#define OID_GEN_TRANSMIT_BLOCK_SIZE	0x0001010A
#endif
#ifndef OID_GEN_RECEIVE_BLOCK_SIZE
#define OID_GEN_RECEIVE_BLOCK_SIZE	0x0001010B
#endif
#ifndef OID_GEN_VENDOR_ID
#define OID_GEN_VENDOR_ID		0x0001010C
#endif
#ifndef OID_GEN_VENDOR_DESCRIPTION
#define OID_GEN_VENDOR_DESCRIPTION	0x0001010D
#endif
#ifndef OID_GEN_CURRENT_LOOKAHEAD
#define OID_GEN_CURRENT_LOOKAHEAD	0x0001010F
#endif
#ifndef OID_GEN_DRIVER_VERSION
#define OID_GEN_DRIVER_VERSION		0x00010110
#endif
#ifndef OID_GEN_MAC_OPTIONS
#define OID_GEN_MAC_OPTIONS		0x00010113
#endif
#ifndef OID_GEN_MAXIMUM_SEND_PACKETS
#define OID_GEN_MAXIMUM_SEND_PACKETS	0x00010115
#endif
#ifndef OID_GEN_VENDOR_DRIVER_VERSION
#define OID_GEN_VENDOR_DRIVER_VERSION	0x00010116
#endif
#ifndef OID_802_3_MAXIMUM_LIST_SIZE
#define OID_802_3_MAXIMUM_LIST_SIZE	0x01010104
#endif
#ifndef OID_802_3_MAC_OPTIONS
#define OID_802_3_MAC_OPTIONS		0x01010105
#endif
#ifndef OID_802_3_RCV_ERROR_ALIGNMENT
#define OID_802_3_RCV_ERROR_ALIGNMENT	0x01020101
#endif
#ifndef OID_802_3_XMIT_ONE_COLLISION
#define OID_802_3_XMIT_ONE_COLLISION	0x01020102
#endif
#ifndef OID_802_3_XMIT_MORE_COLLISIONS
#define OID_802_3_XMIT_MORE_COLLISIONS	0x01020103
#endif

/*
 * NDIS media: NetType.LinkType (PacketGetNetType) and the answer to
 * OID_GEN_MEDIA_IN_USE. _NTDDNDIS_ is the guard of Windows' <ntddndis.h>.
 */
#ifndef _NTDDNDIS_
typedef enum _NDIS_MEDIUM {
	NdisMedium802_3,	/* Ethernet, and Linux loopback (0) */
	NdisMedium802_5,
	NdisMediumFddi,
	NdisMediumWan,
	NdisMediumLocalTalk,
	NdisMediumDix,
	NdisMediumArcnetRaw,
	NdisMediumArcnet878_2,
	NdisMediumAtm,
	NdisMediumWirelessWan,
	NdisMediumIrda,
	NdisMediumBpc,
	NdisMediumCoWan,
	NdisMedium1394,
	NdisMediumInfiniBand,
	NdisMediumTunnel,
	NdisMediumNative802_11,
	NdisMediumLoopback,
	NdisMediumWiMAX,
	NdisMediumIP,		/* no link header: raw IP (19) */
	NdisMediumMax
} NDIS_MEDIUM, *PNDIS_MEDIUM;

/* OID_GEN_MEDIA_CONNECT_STATUS */
typedef enum _NDIS_MEDIA_STATE {
	NdisMediaStateConnected,
	NdisMediaStateDisconnected
} NDIS_MEDIA_STATE, *PNDIS_MEDIA_STATE;
#endif

/* WinPcap's media of its own, for link types NDIS has no name for. */
#ifndef NdisMediumNull
#define NdisMediumNull		-1
#endif
#ifndef NdisMediumCHDLC
#define NdisMediumCHDLC		-2
#endif
#ifndef NdisMediumPPPSerial
#define NdisMediumPPPSerial	-3
#endif
#ifndef NdisMediumBare80211
#define NdisMediumBare80211	-4
#endif
#ifndef NdisMediumRadio80211
#define NdisMediumRadio80211	-5
#endif
#ifndef NdisMediumPpi
#define NdisMediumPpi		-6
#endif

/*
 * Npcap's timestamp modes (PacketSetTimestampMode). On Linux the three
 * are one clock, see there; TIMESTAMPMODE_NANO is a Linux addition.
 */
#define TIMESTAMPMODE_SINGLE_SYNCHRONIZATION	0
#define TIMESTAMPMODE_QUERYSYSTEMTIME		2
#define TIMESTAMPMODE_QUERYSYSTEMTIME_PRECISE	4
#define TIMESTAMPMODE_NANO			0x100

/* Linux addition: PacketSetRecordFormat()'s layouts (<linux/npf.h>). */
#define PACKET_RECFMT_BPF			NPF_RECFMT_BPF
#define PACKET_RECFMT_PCAP			NPF_RECFMT_PCAP

/*
 * Linux addition: PacketGetAdapterFlags(). The values of libpcap's
 * PCAP_IF_* flags.
 */
#define PACKET_IF_LOOPBACK			0x00000001
#define PACKET_IF_UP				0x00000002
#define PACKET_IF_RUNNING			0x00000004
#define PACKET_IF_CONNECTION_STATUS		0x00000030
#define PACKET_IF_CONNECTION_STATUS_UNKNOWN	0x00000000
#define PACKET_IF_CONNECTION_STATUS_CONNECTED	0x00000010
#define PACKET_IF_CONNECTION_STATUS_DISCONNECTED 0x00000020
#define PACKET_IF_CONNECTION_STATUS_NOT_APPLICABLE 0x00000030

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
	/* Linux addition (1.3): PacketReceiveMapped()'s state. */
	PVOID	RingMap;		/* the mapped ring, or NULL */
	UINT	RingMapLen;		/* bytes mapped */
	UINT	RingSize;		/* the ring's size, as last set */
	UINT	RingLent;		/* bytes of the batch held, or 0 */
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

/*
 * One address of an adapter (PacketGetNetInfoEx): AF_INET or AF_INET6
 * socket addresses, as in WinPcap. A member that does not apply is all
 * zero (ss_family AF_UNSPEC).
 */
typedef struct npf_if_addr {
	struct sockaddr_storage IPAddress;	/* the address */
	struct sockaddr_storage SubnetMask;	/* netmask of its prefix */
	struct sockaddr_storage Broadcast;	/* broadcast address */
} npf_if_addr;

/* PacketGetNetType() */
typedef struct NetType {
	UINT		LinkType;	/* NdisMedium* */
	ULONGLONG	LinkSpeed;	/* bits per second; 0: unknown */
} NetType;

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
 * Name of the driver: "npf", the module (Npcap answers "NPCAP"). Never
 * NULL; do not modify or free.
 */
PCHAR PacketGetDriverName(void);

/*
 * The adapters of the caller's network namespace that npf can capture on
 * (Ethernet, loopback, and IP adapters without a link header), in ifindex
 * order. On success pStr holds the interface names, each NUL-terminated,
 * then one more NUL, then a description of each adapter in the same
 * order, each NUL-terminated, then one more NUL, and *BufferSize is left
 * alone. A description is the adapter's alias (ip link set ... alias), or
 * its driver and bus (ethtool -i: "e1000e 0000:00:19.0", "veth"), or
 * "loopback"; never empty, shorter than ADAPTER_DESC_LENGTH.
 * When pStr is NULL or *BufferSize is smaller than the list: FALSE, errno
 * ENOBUFS, *BufferSize set to the bytes needed and nothing written (as
 * packet.dll, which said ERROR_INSUFFICIENT_BUFFER). Other errors: EINVAL
 * (BufferSize NULL), those of netlink sockets (ENOMEM...).
 * Needs no privilege and no npf module: it asks rtnetlink.
 */
BOOLEAN PacketGetAdapterNames(PCHAR pStr, PULONG BufferSize);

/*
 * The IPv4 and IPv6 addresses of an adapter (any name PacketOpenAdapter()
 * takes): *NEntries is the room in buffer on entry and the entries filled
 * on return; addresses beyond the room are left out (not an error). In
 * each entry SubnetMask is the prefix as a mask and Broadcast the
 * broadcast address the kernel has for an IPv4 address (ip addr's "brd";
 * all zero when it has none, and for IPv6, which has no broadcast). An
 * IPv6 link-local address has sin6_scope_id set to the ifindex. Order:
 * IPv4 first, then IPv6, each as "ip addr" lists them. FALSE and errno:
 * EINVAL (NULL pointers, *NEntries negative, a bad name), ENODEV (no such
 * adapter); then *NEntries is 0. Needs no privilege and no npf module.
 */
BOOLEAN PacketGetNetInfoEx(const char *AdapterName, npf_if_addr *buffer,
			   PLONG NEntries);

/*
 * Npcap's: TRUE when the adapter is a loopback one (IFF_LOOPBACK: "lo").
 * FALSE both for "not loopback" and for an error; errno tells them apart
 * for a caller that zeroes it before the call (ENODEV: no such adapter).
 */
BOOLEAN PacketIsLoopbackAdapter(const char *AdapterName);

/*
 * Linux addition: the state of an adapter in *Flags, as libpcap's
 * pcap_findalldevs() reports it (tcpdump -D): PACKET_IF_UP (IFF_UP),
 * PACKET_IF_RUNNING (IFF_RUNNING: up, and the link is), PACKET_IF_LOOPBACK,
 * and in PACKET_IF_CONNECTION_STATUS whether the link has a carrier
 * (CONNECTED, DISCONNECTED), NOT_APPLICABLE for loopback adapters and
 * adapters whose driver does not report a link state (ethtool's "Link
 * detected"), UNKNOWN when the kernel cannot be asked. FALSE and errno:
 * EINVAL, ENODEV (no such adapter).
 */
BOOLEAN PacketGetAdapterFlags(const char *AdapterName, PULONG Flags);

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
 * ENODEV the adapter went away or the open was bound elsewhere, ...). 0
 * and errno EINVAL for a NULL adapter, a NULL buffer or a Size over
 * INT_MAX.
 * Signals (libnpf 1.4): a signal that stops the queue once entries left,
 * a job-control stop and continue (^Z, fg) included, does not end the
 * call: the library sends the rest from the first entry not sent, with
 * another system call, and no entry goes twice. With Sync that entry
 * first waits until it is due (measured from the start of the call; at
 * once when late, after a stop), so the rest keep their spacing. A handler
 * installed without SA_RESTART ends the call (EINTR, and the bytes sent
 * so far) only when it interrupts the system call before its first entry
 * left (of the call, or of a resumption; not the wait for a resumed
 * entry's time): send a long queue in pieces if a signal must be able to
 * end it early.
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
 * Npcap's timestamp modes (BIOCSTIMESTAMPMODE). Npcap's modes choose a
 * clock; Linux has one for this: the kernel stamps each frame from the
 * realtime clock (CLOCK_REALTIME, at its full resolution, following
 * settimeofday() and NTP), so TIMESTAMPMODE_SINGLE_SYNCHRONIZATION,
 * TIMESTAMPMODE_QUERYSYSTEMTIME and TIMESTAMPMODE_QUERYSYSTEMTIME_PRECISE
 * all select it, with bh_tstamp.tv_usec in microseconds (the default).
 * TIMESTAMPMODE_NANO (Linux addition) selects the same clock with
 * tv_usec in nanoseconds. A change flushes the ring and zeroes the
 * counters, as PacketSetMode(). EINVAL for any other mode.
 */
BOOLEAN PacketSetTimestampMode(LPADAPTER AdapterObject, ULONG mode);

/*
 * Npcap's list of the modes PacketSetTimestampMode() takes. On entry
 * p_mode_list[0] is the length of the array in ULONGs, itself included;
 * on return it is the number of modes N, and p_mode_list[1..N] the modes:
 * TIMESTAMPMODE_SINGLE_SYNCHRONIZATION, TIMESTAMPMODE_QUERYSYSTEMTIME,
 * TIMESTAMPMODE_QUERYSYSTEMTIME_PRECISE, TIMESTAMPMODE_NANO. An array too
 * short for them: FALSE, errno ENOBUFS, p_mode_list[0] = N (the array
 * needs N + 1 ULONGs). EINVAL for NULL pointers.
 */
BOOLEAN PacketGetTimestampModes(LPADAPTER AdapterObject, PULONG p_mode_list);

/*
 * Linux addition (LIBNPF_1.3, BIOCSRECFMT): the layout of the records
 * PacketReceivePacket() returns in capture mode. PACKET_RECFMT_BPF (the
 * default): struct bpf_hdr, data, padding to Packet_WORDALIGN.
 * PACKET_RECFMT_PCAP: struct npf_pcap_hdr (a pcap file's 16-byte record
 * header: 32-bit seconds, fraction in the timestamp mode's unit, caplen,
 * len), data, no padding; a buffer of them can be appended to a pcap file
 * as it is. A change flushes the ring and zeroes the counters, as
 * PacketSetMode(). EINVAL for any other value; ENOTTY from a module older
 * than API 1.1.
 */
BOOLEAN PacketSetRecordFormat(LPADAPTER AdapterObject, UINT format);

/*
 * Linux addition (LIBNPF_1.3, mmap and BIOCMMAPNEXT): a zero-copy
 * PacketReceivePacket(). The first call maps the ring (read-only); each
 * call gives back the batch the previous one returned, waits as a read
 * does (MinToCopy, the read timeout), and sets *Data to the next batch of
 * whole records in the mapping and *Length to its bytes (0 after a read
 * timeout with nothing buffered). The records, in the layout of
 * PacketSetRecordFormat(), stay valid until the next call,
 * PacketSetBuff() (which unmaps the ring) or PacketCloseAdapter(). Capture
 * mode only (EINVAL in the others); do not mix with PacketReceivePacket()
 * while a batch is held (that read fails with EBUSY).
 */
BOOLEAN PacketReceiveMapped(LPADAPTER AdapterObject, PVOID *Data,
			    PUINT Length);

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
 * it; WinPcap also took UTF-16, Linux paths are bytes). The library opens
 * it as fopen(name, "w") would (libnpf 1.4): created with mode 0666 less
 * the umask, truncated, symlinks followed, with the caller's credentials,
 * relative to the working directory. It hands the descriptor to the
 * module (BIOCSETDUMPFD), which writes the pcap header at once and keeps
 * the file, and closes its own; the file size limit (RLIMIT_FSIZE) at
 * this call bounds the dump, which ends there with error EFBIG (no
 * SIGXFSZ). A module older than API 1.2 is given the path instead
 * (BIOCSETDUMPFILENAME) and opens it itself. Errors: open()'s (ENOENT,
 * EACCES, EROFS, EISDIR a directory, ENOSPC, EAGAIN another process holds
 * a lease on the file...); EINVAL for an existing path that is not a
 * regular file (a FIFO, a device: refused without being opened, so the
 * call never blocks); and the module's (ENODEV, ...). On failure the
 * previous file stays (a file the call created or truncated before the
 * module refused it stays so).
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

/*
 * Link type and speed of an open adapter. LinkType: NdisMedium802_3 for
 * Ethernet and loopback adapters (frames start with an Ethernet header),
 * NdisMediumIP for adapters without a link header (frames start with the
 * IP header), from the module's link type (PacketGetLinkType). LinkSpeed:
 * bits per second as ethtool reports the speed (its netlink interface),
 * 0 when the driver reports none (dummy, loopback, a link that is down).
 * FALSE and errno: EINVAL, ENODEV (the adapter went away).
 */
BOOLEAN PacketGetNetType(LPADAPTER AdapterObject, NetType *type);

#ifdef __cplusplus
}
#endif

#endif /* _NPF_PACKET32_H */
