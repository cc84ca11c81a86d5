/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * npf: the NPF (WinPcap Netgroup Packet Filter) device model for Linux.
 *
 * This header is the whole user/kernel contract of /dev/npf. It is
 * self-contained (only <linux/types.h>, <linux/ioctl.h> and
 * <linux/filter.h>), uses fixed-size types only, and every structure has
 * the same layout for 32-bit and 64-bit user space (the kernel pins the
 * layouts with BUILD_BUG_ON). User pointers travel as __aligned_u64.
 *
 * Life of an open
 * ---------------
 *   fd = open("/dev/npf", O_RDWR);    needs CAP_NET_RAW in the user namespace
 *                                     that owns the opener's network namespace
 *   ioctl(fd, BIOCSETIF, &ifname);    bind to an adapter of that namespace
 *   ioctl(fd, BIOCSETF, &program);    optional classic-BPF filter
 *   read(fd, buf, len);               whole records, see "Records" below
 *   close(fd);                        undoes everything the open did
 *
 * Defaults and limits of a new open
 * ---------------------------------
 *   ring (BIOCSETBUFFERSIZE)   1,000,000 bytes; 4096 bytes at least, at most
 *                              the module parameter max_buffer_size (128 MiB
 *                              by default); other sizes fail with EINVAL and
 *                              the old ring stays; rounded down to a multiple
 *                              of NPF_ALIGNMENT
 *   MinToCopy (BIOCSMINTOCOPY) 16000 bytes; more than the current ring size
 *                              fails with EINVAL (a ring shrunk below it
 *                              later is fine: a full ring wakes the reader)
 *   read timeout               1000 ms; below -1 fails with EINVAL
 *   mode                       NPF_MODE_CAPT; no filter (frames kept whole)
 *   packet filter OID          DIRECTED | MULTICAST | BROADCAST (0x0b), on
 *                              every BIOCSETIF
 *   BIOCSWRITEREP 1, loopback capture on, microsecond timestamps,
 *   NPF_RECFMT_BPF records.
 *
 * Errors common to the ioctls: EFAULT for a bad pointer, ENOTTY for an
 * unknown request, EINVAL for a bad value; ENXIO when the request needs a
 * binding and there is none, ENODEV when the bound adapter is gone.
 * BIOCSETIF: ENODEV no such adapter in the namespace, EINVAL for an empty
 * or unterminated name, EOPNOTSUPP for a link type the tap cannot describe
 * (Ethernet, loopback and header-less IP adapters such as tun, ipip, sit,
 * gre or ppp are supported), EBUSY while
 * a dump file is open. open(): EPERM without CAP_NET_RAW.
 *
 * Records
 * -------
 * A read returns back-to-back records. Each is a struct bpf_hdr, the
 * captured bytes (bh_caplen of them, starting at offset bh_hdrlen), then
 * padding to the next multiple of NPF_ALIGNMENT. Walk a buffer with:
 *
 *   off += NPF_WORDALIGN(hdr->bh_hdrlen + hdr->bh_caplen);
 *
 * BIOCSRECFMT NPF_RECFMT_PCAP selects another layout instead: each record
 * is a struct npf_pcap_hdr then its caplen bytes, no padding, which is the
 * record format of a pcap file (timestamps in the open's unit, seconds as
 * 32 bits). A program writing a pcap file then appends whole reads to it,
 * one write per read. Walk such a buffer with:
 *
 *   off += sizeof(struct npf_pcap_hdr) + hdr->caplen;
 *
 * (records are not aligned: copy a header out before reading it). The
 * layout applies to reads in NPF_MODE_CAPT; it changes neither what
 * MODE_STAT reads return nor what the kernel dump writes.
 *
 * Captured bytes are the frame as on the wire from the link-layer header on
 * (no FCS); VLAN tags the NIC stripped are put back in place. For devices
 * without a link-layer header the capture starts at the network header and
 * BIOCGDLT reports LINKTYPE_RAW.
 *
 * Zero-copy reads (mmap)
 * ----------------------
 * In NPF_MODE_CAPT the ring can be read in place instead (a Linux
 * addition):
 *
 *   ring = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
 *   struct npf_mmap_batch b = { 0 };
 *   for (;;) {
 *           ioctl(fd, BIOCMMAPNEXT, &b);   gives back b.release bytes,
 *                                          then waits as read() does
 *           use ring[b.offset .. b.offset + b.len);   whole records
 *           b.release = b.len;
 *   }
 *
 * len is at most the ring size rounded up to pages, the offset 0, the
 * mapping read-only (PROT_WRITE: EPERM). BIOCMMAPNEXT first gives back the
 * batch it returned last (release must be its len, or 0 when there was
 * none: else EINVAL and nothing happens) and sets release to 0 in the
 * caller's struct, so that a call restarted after a signal gives nothing
 * back twice, then waits for the delayed-write
 * rule like a read (O_NONBLOCK: EAGAIN; the timeout: len 0), and returns
 * the next run of whole records at the ring's tail, up to the point where
 * the ring wraps and at most a quarter of the ring (or one record, if
 * larger); MAP_POPULATE saves the page faults of the first lap. They
 * stay in the ring, which the tap does not reuse, until the next call
 * gives them back. A reconfiguration that flushes the ring takes the
 * batch back too (its release is then ignored). While a batch is held,
 * its records do not count as buffered for the delayed-write rule (nor
 * for poll()), and read() fails with EBUSY; while the ring is mapped,
 * BIOCSETBUFFERSIZE fails with EBUSY. EINVAL in MODE_STAT and MODE_DUMP.
 *
 * Delayed write (read semantics)
 * ------------------------------
 * An open is "ready" when any of these holds:
 *   - at least max(MinToCopy, 1) bytes of records are buffered;
 *   - records are buffered and the ring had to drop a packet since the
 *     last read (a full ring always wakes the reader, whatever MinToCopy);
 *   - records are buffered and the read timeout is -1 (immediate), or it
 *     expired while poll()/select()/epoll waited;
 *   - the bound adapter went away (reads drain what is left, then fail
 *     with ENODEV); so does an adapter that changes its link type (a
 *     bond taking a slave of another type): BIOCSETIF binds to it again.
 * A blocking read() waits until the open is ready or the read timeout
 * expires (0 = no timeout, -1 = never wait), then copies as many whole
 * records as fit in the caller's buffer; it may return 0 after a timeout.
 * With O_NONBLOCK a read that is not ready fails with EAGAIN. poll() reports
 * EPOLLIN exactly when the open is ready. A poll that waits (not a poll
 * with a zero timeout) starts the read-timeout clock, so that the poller
 * is woken when the timeout expires with data buffered; for a registered
 * epoll the clock restarts after every read. A read that has to wait
 * stops that clock and waits for its own timeout; every read stops it.
 * A caller buffer smaller than the next record fails with EMSGSIZE and
 * loses nothing.
 *
 * Statistics mode (BIOCSMODE NPF_MODE_STAT)
 * ------------------------------------------
 * The filter only classifies: nothing is stored, the ring is not used.
 * A read() returns one struct npf_stat_record once the current interval
 * is over: an interval lasts one read timeout and runs from the previous
 * read (or the mode switch), so a periodic reader sees no drift; a reader
 * that comes late gets a longer interval, never lost packets. The record
 * holds the packets the filter accepted during the interval and their
 * bytes: the exact frame lengths as the adapter saw them, link header
 * included, no FCS (WinPcap added an estimate of preamble and FCS; we do
 * not). Timeout -1 returns at once with the counts since the last read;
 * timeout 0 fails with EINVAL (the interval would never end). A buffer
 * smaller than the record fails with EMSGSIZE; O_NONBLOCK before the end
 * of the interval with EAGAIN; poll() reports EPOLLIN when it is over.
 * Switching modes flushes the ring and zeroes every counter.
 *
 * Kernel dump (BIOCSMODE NPF_MODE_DUMP, optionally | NPF_MODE_STAT)
 * -----------------------------------------------------------------
 * BIOCSETDUMPFD (API 1.2) hands the kernel a file the caller opened: open
 * for writing (else EBADF, checked first, as write(2) does: a directory fd
 * gets EBADF), a regular file (else EINVAL), not O_APPEND (EINVAL: records
 * are written at known offsets); a 32-bit caller opens it with O_LARGEFILE
 * (open64), or the dump ends at 2 GiB with EFBIG. The kernel cuts it to
 * zero length, writes the pcap header and keeps its own reference, so the
 * caller may close the fd at once; permissions, symlinks, the umask and
 * O_CREAT/O_TRUNC are the opener's business, as for any program. The
 * caller's RLIMIT_FSIZE when the file is set bounds the dump as a byte
 * limit does (the dump ends with error EFBIG; no SIGXFSZ). libnpf's
 * PacketSetDumpName() opens the file itself (O_WRONLY | O_CREAT |
 * O_TRUNC, mode 0666 & ~umask, as fopen) and uses BIOCSETDUMPFD.
 * BIOCSETDUMPFILENAME, kept for API 1.0 callers, opens the path in the
 * caller's context with the same guarantees (the caller's credentials,
 * view of the file system and umask, mode 0666, symlinks followed, only
 * regular files) and then behaves as BIOCSETDUMPFD. Errors of either
 * (ENOENT, EACCES, EROFS, ENOSPC...) are the ioctl's, and a failure keeps
 * the previous file. The header carries the adapter's link type and the snap length:
 * the largest value the filter can return (262144 without a filter or for
 * "ret a"); NPF_DUMP_NANO selects the nanosecond format. In MODE_DUMP the
 * tap stores accepted frames in the ring as in MODE_CAPT (a full ring
 * drops and counts, bs_drop) and a kernel worker appends them to the file
 * in large writes, at least every 100 ms. Limits (BIOCSETDUMPLIMITS) are
 * exact and in whole records: at most max_packets records, at most
 * max_bytes of file. When one is reached, or a write fails (the file is
 * cut back to its last whole record), the dump ends: BIOCISDUMPENDED says
 * 1, BIOCGDUMPSTATS gives the counts and the error, poll() reports EPOLLIN,
 * read() returns 0, and in pure MODE_DUMP the tap ignores further frames.
 * read() in pure MODE_DUMP waits for the end (or the read timeout) and
 * returns 0; with MODE_STAT it returns struct npf_stat_dump_record at the
 * end of each interval, and once, at once, when the dump ends (poll()
 * reports EPOLLIN exactly when such a read would return).
 * BIOCSETF, BIOCSETBUFFERSIZE, BIOCSMODE and BIOCSTIMESTAMPMODE first write
 * out what is buffered; leaving MODE_DUMP and close() finish the file.
 * BIOCSETIF is refused (EBUSY) while a dump file is open.
 *
 * Transmit
 * --------
 * write() sends one raw frame (link header included, no FCS) on the bound
 * adapter BIOCSWRITEREP times (default 1; 0 sends nothing) and returns its
 * length. The frame is copied once; repeats share its data. Frames are
 * charged to the open's send buffer: a writer that outruns the adapter
 * sleeps until it drains (O_NONBLOCK: EAGAIN), and poll() reports EPOLLOUT
 * when there is room. Errors: ENXIO unbound, ENODEV adapter gone, ENETDOWN
 * adapter down, EINVAL shorter than the link header, EMSGSIZE longer than
 * MTU + link header (+4 for an 802.1Q-tagged frame). A signal (a job-control
 * stop included) ends a long repeat with EINTR once copies have left, and
 * bs_sent says how many; before the first (while it waits for send-buffer
 * room) it restarts as any syscall does (SA_RESTART). The first copy goes
 * whatever signal is pending, so that no storm of signals keeps a call
 * from making progress. Frames a qdisc or driver refuses are counted in
 * bs_senterr, not retried.
 * Send queues (BIOCSENDPACKETS*) send each entry once, in order; SYNC
 * spaces them by their timestamp deltas (sleeping on an hrtimer, spinning
 * only for gaps under 50 us). The bytes of the entries sent are written to
 * npf_sendq.consumed even when an entry stops the queue with an error
 * (EINVAL: caplen 0, or beyond the queue; the errors of write()).
 * A signal (a job-control stop included) stops a queue between entries:
 * before the first entry left (while it waits for send-buffer room or,
 * SYNC, for the entry's time), the call restarts as any syscall does;
 * after it, the call fails with EINTR and consumed says how far it got.
 * The first entry of a call goes whatever signal is pending.
 * No entry is ever sent twice: a caller resumes at buf + consumed
 * (libnpf's PacketSendPackets() does so by itself; a resumed SYNC queue
 * starts its clock again at its first remaining entry).
 * A sleeper (a SYNC queue's gap, a writer waiting for send-buffer room)
 * never holds up its adapter: BIOCSETIF to another adapter, or the
 * adapter going away, ends the wait (ENODEV; a queue's consumed is set).
 * Frames an open sends are captured by every open on the adapter,
 * itself included unless BIOCISETLOBBEH NPF_DISABLE_LOOPBACK (on the
 * loopback adapter, where every sent frame also comes back as received,
 * an open that disabled it captures the sent copies of other senders'
 * frames instead of the received ones).
 *
 * Counters (struct bpf_stat, struct npf_stats)
 * --------------------------------------------
 *   bs_recv     frames the tap saw on the adapter (received, and sent unless
 *               loopback capture is off), whatever the filter said
 *   bs_capt     frames the filter accepted and the ring stored
 *   bs_drop     frames the filter accepted that did not fit in the ring
 *               (plus, in struct bpf_stat, bs_nomem)
 *   ps_ifdrop   frames the adapter itself dropped (rx_dropped +
 *               rx_missed_errors + rx_fifo_errors) since the open was bound
 *   bs_filtered frames the filter rejected        (struct npf_stats only)
 *   bs_nomem    frames lost to a kernel allocation failure (npf_stats only)
 *   bs_sent, bs_sent_bytes, bs_senterr   frames (and bytes) this open
 *               transmitted, and those the qdisc or driver refused
 *               (npf_stats only)
 * With no traffic in flight: bs_recv = bs_capt + bs_drop + bs_filtered +
 * bs_nomem. BIOCSETF, BIOCSETBUFFERSIZE, BIOCSETIF, BIOCSMODE,
 * BIOCSTIMESTAMPMODE and BIOCSRECFMT flush the ring and zero them.
 */
#ifndef _UAPI_LINUX_NPF_H
#define _UAPI_LINUX_NPF_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/filter.h>	/* struct sock_filter: 8-byte cBPF insn */

#define NPF_VERSION_MAJOR	1
/* 1.1: BIOCSRECFMT, BIOCMMAPNEXT; 1.2: BIOCSETDUMPFD */
#define NPF_VERSION_MINOR	2

#define NPF_IFNAMSIZ		16	/* IFNAMSIZ, including the NUL */
#define NPF_MAXINSNS		4096	/* longest filter (BPF_MAXINSNS) */
#define NPF_ALIGNMENT		8	/* records start on this boundary */
#define NPF_WORDALIGN(x)	(((x) + (NPF_ALIGNMENT - 1)) & \
				 ~(__u32)(NPF_ALIGNMENT - 1))

/* Record timestamp: 64-bit seconds (y2038-safe) and the fraction. */
struct bpf_timeval {
	__s64	tv_sec;		/* seconds since the Epoch */
	__u32	tv_usec;	/* microseconds (nanoseconds in NANO mode) */
	__u32	tv_pad;		/* zero */
};

/* Header of every record a read returns (32 bytes): NPF_RECFMT_BPF. */
struct bpf_hdr {
	struct bpf_timeval bh_tstamp;	/* when the tap saw the frame */
	__u32	bh_caplen;	/* bytes captured, following the header */
	__u32	bh_datalen;	/* length of the frame on the wire */
	__u16	bh_hdrlen;	/* offset of the data from the header start */
	__u16	bh_pad0;	/* zero */
	__u32	bh_pad1;	/* zero */
};

/*
 * Header of a record in NPF_RECFMT_PCAP (16 bytes, native byte order): a
 * pcap file's record header.
 */
struct npf_pcap_hdr {
	__u32	ts_sec;		/* seconds since the Epoch (wraps in 2106) */
	__u32	ts_frac;	/* microseconds (nanoseconds in NANO mode) */
	__u32	caplen;		/* bytes captured, following the header */
	__u32	len;		/* length of the frame on the wire */
};

/* BIOCMMAPNEXT: see "Zero-copy reads" above (16 bytes). */
struct npf_mmap_batch {
	__u32	release;	/* in: len of the batch given back, or 0 */
	__u32	offset;		/* out: where the batch starts in the mapping */
	__u32	len;		/* out: its bytes (0: none before the timeout) */
	__u32	pad;		/* zero */
};

/* BIOCSRECFMT: the layout of captured records in a read. */
#define NPF_RECFMT_BPF		0	/* struct bpf_hdr, data, padding */
#define NPF_RECFMT_PCAP		1	/* struct npf_pcap_hdr, data */

/* What read() returns in NPF_MODE_STAT (48 bytes). */
struct npf_stat_record {
	struct bpf_hdr	hdr;		/* caplen = datalen = 16, time = now */
	__u64		packets;	/* accepted during the interval */
	__u64		bytes;		/* their frame lengths, summed */
};

/* BIOCGSTATS: WinPcap's four 32-bit counters (they wrap). */
struct bpf_stat {
	__u32	bs_recv;
	__u32	bs_drop;
	__u32	ps_ifdrop;
	__u32	bs_capt;
};

/* BIOCGSTATSEX: the same counters at 64 bits, and two more. */
struct npf_stats {
	__u64	bs_recv;
	__u64	bs_drop;
	__u64	ps_ifdrop;
	__u64	bs_capt;
	__u64	bs_filtered;
	__u64	bs_nomem;
	__u64	bs_sent;	/* frames this open handed to the adapter */
	__u64	bs_sent_bytes;	/* ... and their bytes */
	__u64	bs_senterr;	/* frames the qdisc or driver refused */
};

/* BIOCSETIF: adapter name, NUL-terminated, in the opener's namespace. */
struct npf_ifname {
	char	name[NPF_IFNAMSIZ];
};

/*
 * BIOCSETF: a classic-BPF program (struct sock_filter is the BSD/libpcap
 * struct bpf_insn layout). The program's return value is the snap length:
 * 0 rejects the frame, N keeps min(N, frame length) bytes. bf_len 0
 * removes the filter (every frame is kept whole).
 */
struct npf_program {
	__u32		bf_len;		/* instructions, at most NPF_MAXINSNS */
	__u32		bf_pad;		/* zero */
	__aligned_u64	bf_insns;	/* user pointer to sock_filter[bf_len] */
};

/*
 * BIOCSETOID / BIOCQUERYOID: an NDIS OID request. The ioctl size covers
 * the 8-byte head; @length bytes of @data follow it in the same buffer.
 * On query, @length is updated to the bytes written. (packet.dll's
 * PACKET_OID_DATA, with its NDIS field names, has this layout.)
 */
struct npf_oid_data {
	__u32	oid;
	__u32	length;
	__u8	data[];
};

#define NPF_OID_MAXLEN		4096	/* largest Data a request may carry */
#define NPF_MC_MAX		32	/* OID_802_3_MAXIMUM_LIST_SIZE */

/*
 * Settable OIDs: OID_GEN_CURRENT_PACKET_FILTER (4 bytes; PROMISCUOUS and
 * ALL_MULTICAST hold the adapter's promiscuity / allmulti count while set)
 * and OID_802_3_MULTICAST_LIST (a whole list of up to NPF_MC_MAX multicast
 * addresses, replacing the open's previous list; the open holds them in
 * the adapter's address list until it replaces them or closes; EINVAL on
 * an adapter that is not Ethernet, header-less ones included). A query of
 * OID_802_3_MULTICAST_LIST returns the adapter's whole list. The 802.3
 * address OIDs answer the adapter's own hardware address, whatever its
 * length (4 bytes, the local IPv4 address, on ipip, sit and gre; none on
 * tun and wireguard), and so do the multicast list's entries. Other OIDs
 * are read-only (set: EOPNOTSUPP); unknown OIDs fail with EOPNOTSUPP; a
 * query buffer too short fails with EINVAL and nothing is written.
 */

/* The OIDs the module answers (NDIS values). */
#define OID_GEN_CURRENT_PACKET_FILTER	0x0001010E
#define OID_GEN_MEDIA_IN_USE		0x00010104
#define OID_GEN_MAXIMUM_FRAME_SIZE	0x00010106
#define OID_GEN_LINK_SPEED		0x00010107
#define OID_GEN_MAXIMUM_TOTAL_SIZE	0x00010111
#define OID_GEN_MEDIA_CONNECT_STATUS	0x00010114
#define OID_GEN_XMIT_OK			0x00020101
#define OID_GEN_RCV_OK			0x00020102
#define OID_GEN_XMIT_ERROR		0x00020103
#define OID_GEN_RCV_ERROR		0x00020104
#define OID_GEN_RCV_NO_BUFFER		0x00020105
#define OID_802_3_PERMANENT_ADDRESS	0x01010101
#define OID_802_3_CURRENT_ADDRESS	0x01010102
#define OID_802_3_MULTICAST_LIST	0x01010103
#define OID_802_3_MAXIMUM_LIST_SIZE	0x01010104

/* OID_GEN_MEDIA_IN_USE answers (NDIS_MEDIUM values). */
#define NPF_NDIS_MEDIUM_802_3		0	/* Ethernet and loopback */
#define NPF_NDIS_MEDIUM_IP		19	/* raw IP adapters */

/* Bits of OID_GEN_CURRENT_PACKET_FILTER. */
#define NDIS_PACKET_TYPE_DIRECTED	0x00000001
#define NDIS_PACKET_TYPE_MULTICAST	0x00000002
#define NDIS_PACKET_TYPE_ALL_MULTICAST	0x00000004
#define NDIS_PACKET_TYPE_BROADCAST	0x00000008
#define NDIS_PACKET_TYPE_PROMISCUOUS	0x00000020
#define NDIS_PACKET_TYPE_ALL_LOCAL	0x00000080

/* BIOCSMODE */
#define NPF_MODE_CAPT		0x0000	/* capture into the ring */
#define NPF_MODE_STAT		0x0001	/* count packets and bytes only */
#define NPF_MODE_MON		0x0002	/* monitor (TME) mode: not supported */
#define NPF_MODE_DUMP		0x0010	/* the kernel writes a pcap file */

/* BIOCISETLOBBEH */
#define NPF_DISABLE_LOOPBACK	1	/* do not capture own transmissions */
#define NPF_ENABLE_LOOPBACK	2	/* capture them (default) */

/* BIOCGDLT answers with a pcap LINKTYPE_ value (the file-format number). */
#define NPF_LINKTYPE_ETHERNET	1
#define NPF_LINKTYPE_RAW	101

/* BIOCSETDUMPFILENAME: path of the pcap file the kernel writes. */
struct npf_dump_name {
	__aligned_u64	path;		/* user pointer, NUL-terminated */
	__u32		flags;		/* NPF_DUMP_* */
	__u32		pad;		/* zero */
};

#define NPF_DUMP_NANO		0x1	/* nanosecond pcap (magic a1b23c4d) */

/* BIOCSETDUMPFD: a file the caller opened for writing (8 bytes). */
struct npf_dump_fd {
	__s32	fd;
	__u32	flags;		/* NPF_DUMP_* */
};

/* BIOCSETDUMPLIMITS: 0 = unlimited. */
struct npf_dump_limits {
	__u64	max_bytes;	/* file size, header included */
	__u64	max_packets;
};

/* BIOCGDUMPSTATS: how the dump stands. */
struct npf_dump_stats {
	__u64	packets;	/* records in the file */
	__u64	bytes;		/* file size, header included */
	__s32	error;		/* -errno of the write that ended it, or 0 */
	__u32	ended;		/* a limit or an error ended it */
	__u32	active;		/* a dump file is open */
	__u32	pad;
};

/* What read() returns in NPF_MODE_STAT | NPF_MODE_DUMP (56 bytes). */
struct npf_stat_dump_record {
	struct npf_stat_record	stat;	/* caplen = datalen = 24 */
	__u64			dump_bytes;	/* the dump file's size */
};

/*
 * BIOCSENDPACKETSNOSYNC / BIOCSENDPACKETSSYNC: a send queue is back-to-back
 * entries, each a struct npf_sendq_hdr then caplen bytes of frame, no
 * padding (the record format of a pcap file, pcap_sendqueue's format).
 */
struct npf_sendq_hdr {
	__u32	tv_sec;
	__u32	tv_usec;
	__u32	caplen;
	__u32	len;
};

struct npf_sendq {
	__aligned_u64	buf;		/* user pointer to the queue */
	__u32		len;		/* its length in bytes */
	__u32		consumed;	/* out: bytes of whole entries sent */
};

/* BIOCVERSION */
struct npf_version {
	__u16	major;
	__u16	minor;
	__u32	pad;
};

/*
 * The ioctls. 0xB9 is free in Documentation/userspace-api/ioctl/
 * ioctl-number.rst. WinPcap's decimal code is given for reference.
 */
#define NPF_IOC_MAGIC	0xB9

#define BIOCVERSION		_IOR(NPF_IOC_MAGIC, 0x00, struct npf_version)
#define BIOCSETIF		_IOW(NPF_IOC_MAGIC, 0x01, struct npf_ifname)
#define BIOCGDLT		_IOR(NPF_IOC_MAGIC, 0x02, __u32)
/* [9592] ring size in bytes */
#define BIOCSETBUFFERSIZE	_IOW(NPF_IOC_MAGIC, 0x03, __u32)
/* [9030] */
#define BIOCSETF		_IOW(NPF_IOC_MAGIC, 0x04, struct npf_program)
/* [9031] */
#define BIOCGSTATS		_IOR(NPF_IOC_MAGIC, 0x05, struct bpf_stat)
#define BIOCGSTATSEX		_IOR(NPF_IOC_MAGIC, 0x06, struct npf_stats)
/* [7416] read timeout in ms: 0 = wait forever, -1 = immediate */
#define BIOCSRTIMEOUT		_IOW(NPF_IOC_MAGIC, 0x07, __s32)
/* [7412] NPF_MODE_* */
#define BIOCSMODE		_IOW(NPF_IOC_MAGIC, 0x08, __u32)
/* [7413] each write() is sent this many times */
#define BIOCSWRITEREP		_IOW(NPF_IOC_MAGIC, 0x09, __u32)
/* [7414] delayed write threshold in bytes */
#define BIOCSMINTOCOPY		_IOW(NPF_IOC_MAGIC, 0x0a, __u32)
#define BIOCSETOID		_IOWR(NPF_IOC_MAGIC, 0x0b, struct npf_oid_data)
#define BIOCQUERYOID		_IOWR(NPF_IOC_MAGIC, 0x0c, struct npf_oid_data)
/* [9029] */
#define BIOCSETDUMPFILENAME	_IOW(NPF_IOC_MAGIC, 0x0d, struct npf_dump_name)
/* [9034] */
#define BIOCSETDUMPLIMITS	_IOW(NPF_IOC_MAGIC, 0x0e, struct npf_dump_limits)
/* [7411] 1 once a dump limit was reached */
#define BIOCISDUMPENDED		_IOR(NPF_IOC_MAGIC, 0x0f, __u32)
/* [9032] */
#define BIOCSENDPACKETSNOSYNC	_IOWR(NPF_IOC_MAGIC, 0x10, struct npf_sendq)
/* [9033] */
#define BIOCSENDPACKETSSYNC	_IOWR(NPF_IOC_MAGIC, 0x11, struct npf_sendq)
/* [7410] NPF_DISABLE_LOOPBACK / NPF_ENABLE_LOOPBACK */
#define BIOCISETLOBBEH		_IOW(NPF_IOC_MAGIC, 0x12, __u32)
/* Npcap: NPF_TSTAMP_* */
#define BIOCSTIMESTAMPMODE	_IOW(NPF_IOC_MAGIC, 0x13, __u32)
#define BIOCGDUMPSTATS		_IOR(NPF_IOC_MAGIC, 0x14, struct npf_dump_stats)
/* NPF_RECFMT_*, since API 1.1 */
#define BIOCSRECFMT		_IOW(NPF_IOC_MAGIC, 0x15, __u32)
/* since API 1.1 */
#define BIOCMMAPNEXT		_IOWR(NPF_IOC_MAGIC, 0x16, struct npf_mmap_batch)
/* since API 1.2; see "Kernel dump" */
#define BIOCSETDUMPFD		_IOW(NPF_IOC_MAGIC, 0x17, struct npf_dump_fd)

#define NPF_TSTAMP_MICRO	0	/* bh_tstamp.tv_usec in microseconds */
#define NPF_TSTAMP_NANO		1	/* ... in nanoseconds */

/*
 * Generic netlink family NPF_GENL_NAME, for operators (npfctl):
 *
 *   NPF_CMD_GET_INFO  (doit)  the module: NPF_A_VERSION, NPF_A_API_MAJOR,
 *                     NPF_A_API_MINOR, NPF_A_MAX_BUFFER_SIZE, NPF_A_OPENS
 *                     (opens in the caller's network namespace)
 *   NPF_CMD_GET_OPEN  (dumpit) one message per open in the caller's network
 *                     namespace, with the NPF_A_OPEN_* attributes; needs
 *                     CAP_NET_ADMIN in that namespace
 *
 * Counters are u64 (NLA_U64, padded with NPF_A_PAD); names are strings.
 */
#define NPF_GENL_NAME		"npf"
#define NPF_GENL_VERSION	1

enum npf_genl_cmd {
	NPF_CMD_UNSPEC,
	NPF_CMD_GET_INFO,
	NPF_CMD_GET_OPEN,
	__NPF_CMD_MAX,
};

#define NPF_CMD_MAX	(__NPF_CMD_MAX - 1)

enum npf_genl_attr {
	NPF_A_UNSPEC,
	NPF_A_PAD,
	NPF_A_VERSION,		/* string: the module's version */
	NPF_A_API_MAJOR,	/* u32: NPF_VERSION_MAJOR */
	NPF_A_API_MINOR,	/* u32: NPF_VERSION_MINOR */
	NPF_A_MAX_BUFFER_SIZE,	/* u32: the module parameter */
	NPF_A_OPENS,		/* u32 */
	NPF_A_OPEN_ID,		/* u64: unique while the module is loaded */
	NPF_A_OPEN_PID,		/* u32: the opener, in the caller's pid ns */
	NPF_A_OPEN_IFINDEX,	/* u32: bound adapter (absent: none) */
	NPF_A_OPEN_IFNAME,	/* string */
	NPF_A_OPEN_GONE,	/* flag: the bound adapter went away */
	NPF_A_OPEN_MODE,	/* u32: NPF_MODE_* */
	NPF_A_OPEN_BUFSIZE,	/* u32: ring size */
	NPF_A_OPEN_BUFUSED,	/* u32: bytes buffered */
	NPF_A_OPEN_MINTOCOPY,	/* u32 */
	NPF_A_OPEN_TIMEOUT,	/* s32 (as u32): read timeout, ms */
	NPF_A_OPEN_FILTERED,	/* flag: a filter is installed */
	NPF_A_OPEN_PROMISC,	/* flag: holds promiscuous mode */
	NPF_A_OPEN_DUMPING,	/* flag: a dump file is open */
	NPF_A_OPEN_RECV,	/* u64 counters, as struct npf_stats */
	NPF_A_OPEN_CAPT,
	NPF_A_OPEN_DROP,
	NPF_A_OPEN_FILTER_REJECTS,
	NPF_A_OPEN_NOMEM,
	NPF_A_OPEN_SENT,
	__NPF_A_MAX,
};

#define NPF_A_MAX	(__NPF_A_MAX - 1)

#endif /* _UAPI_LINUX_NPF_H */
