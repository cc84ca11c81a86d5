// SPDX-License-Identifier: MIT
/*
 * capture: capture UDP/IPv4 packets with a BPF filter, the packet.dll
 * way: open the adapter, set promiscuous mode, the kernel buffer, the read
 * timeout and MinToCopy, install a filter written by hand, then read
 * batches of packets and walk them with bh_hdrlen, bh_caplen and
 * Packet_WORDALIGN. packet.dll's API only.
 *
 *   capture ADAPTER [COUNT]   stop after COUNT packets (default 10)
 */
#include <stdio.h>
#include <stdlib.h>

#include <Packet32.h>

/* "ip and udp", at most 128 bytes of each packet (tcpdump -dd). */
struct bpf_insn UdpFilter[] = {
	BPF_STMT(BPF_LD + BPF_H + BPF_ABS, 12),		/* ethertype */
	BPF_JUMP(BPF_JMP + BPF_JEQ + BPF_K, 0x0800, 0, 3),	/* IPv4? */
	BPF_STMT(BPF_LD + BPF_B + BPF_ABS, 23),		/* protocol */
	BPF_JUMP(BPF_JMP + BPF_JEQ + BPF_K, 17, 0, 1),	/* UDP? */
	BPF_STMT(BPF_RET + BPF_K, 128),
	BPF_STMT(BPF_RET + BPF_K, 0),
};

/* One line per packet: time, lengths, MAC addresses, ethertype. */
void PrintPacket(struct bpf_hdr *hdr, UCHAR *data)
{
	printf("%lld.%06u %u/%u bytes", (long long)hdr->bh_tstamp.tv_sec,
	       (unsigned int)hdr->bh_tstamp.tv_usec,
	       (unsigned int)hdr->bh_caplen, (unsigned int)hdr->bh_datalen);
	if (hdr->bh_caplen >= 14)
		printf(" %.2x:%.2x:%.2x:%.2x:%.2x:%.2x > %.2x:%.2x:%.2x:%.2x:%.2x:%.2x type 0x%.4x",
		       data[6], data[7], data[8], data[9], data[10], data[11],
		       data[0], data[1], data[2], data[3], data[4], data[5],
		       data[12] << 8 | data[13]);
	printf("\n");
}

/* Walk one read's records; returns how many there were. */
int PrintPackets(LPPACKET lpPacket, int Max)
{
	char *buf = (char *)lpPacket->Buffer;
	ULONG off = 0;
	int n = 0;

	while (off < lpPacket->ulBytesReceived && n < Max) {
		struct bpf_hdr *hdr = (struct bpf_hdr *)(buf + off);

		PrintPacket(hdr, (UCHAR *)buf + off + hdr->bh_hdrlen);
		off += Packet_WORDALIGN(hdr->bh_hdrlen + hdr->bh_caplen);
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct bpf_program Filter;
	LPADAPTER lpAdapter;
	LPPACKET lpPacket;
	struct bpf_stat Stats;
	static char Buffer[256000];
	int Count = 10, Seen = 0;

	if (argc < 2) {
		printf("usage: capture ADAPTER [COUNT]\n");
		return 1;
	}
	if (argc > 2)
		Count = atoi(argv[2]);
	lpAdapter = PacketOpenAdapter(argv[1]);
	if (lpAdapter == NULL) {
		printf("Unable to open the adapter %s\n", argv[1]);
		return 1;
	}
	if (PacketSetHwFilter(lpAdapter, NDIS_PACKET_TYPE_PROMISCUOUS) == FALSE)
		printf("Warning: unable to set promiscuous mode\n");
	Filter.bf_len = sizeof(UdpFilter) / sizeof(UdpFilter[0]);
	Filter.bf_insns = UdpFilter;
	if (PacketSetBuff(lpAdapter, 512000) == FALSE ||
	    PacketSetReadTimeout(lpAdapter, 1000) == FALSE ||
	    PacketSetMinToCopy(lpAdapter, 0) == FALSE ||
	    PacketSetBpf(lpAdapter, &Filter) == FALSE) {
		printf("Unable to configure the adapter\n");
		PacketCloseAdapter(lpAdapter);
		return 1;
	}
	lpPacket = PacketAllocatePacket();
	if (lpPacket == NULL) {
		printf("Unable to allocate the PACKET structure\n");
		PacketCloseAdapter(lpAdapter);
		return 1;
	}
	PacketInitPacket(lpPacket, Buffer, sizeof(Buffer));

	printf("Listening on %s, UDP over IPv4 only...\n", argv[1]);
	fflush(stdout);
	while (Seen < Count) {
		if (PacketReceivePacket(lpAdapter, lpPacket, TRUE) == FALSE) {
			printf("Error: PacketReceivePacket failed\n");
			break;
		}
		Seen += PrintPackets(lpPacket, Count - Seen);
		fflush(stdout);
	}

	if (PacketGetStats(lpAdapter, &Stats))
		printf("%u packets received, %u dropped\n", Stats.bs_recv,
		       Stats.bs_drop);
	PacketFreePacket(lpPacket);
	PacketCloseAdapter(lpAdapter);
	return 0;
}
