// SPDX-License-Identifier: MIT
/*
 * sendframe: send a UDP/IPv4 broadcast frame, repeated by the driver
 * (PacketSetNumWrites: one system call for all the copies), then one
 * send queue of a few different frames. packet.dll's API only.
 *
 *   sendframe ADAPTER [COUNT]   COUNT copies (default 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Packet32.h>

#define FRAME_LEN	60	/* 14 Ethernet + 20 IP + 8 UDP + 18 data */

/* The IPv4 header checksum (RFC 1071). */
USHORT IpChecksum(UCHAR *ip, int len)
{
	ULONG sum = 0;
	int i;

	for (i = 0; i < len; i += 2)
		sum += (ULONG)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (USHORT)~sum;
}

/* Broadcast, from 02:00:00:00:00:01, 10.0.0.1:1024 to 10.0.0.255:9. */
void BuildFrame(UCHAR *f, UCHAR seq)
{
	USHORT sum;

	memset(f, 0, FRAME_LEN);
	memset(f, 0xff, 6);			/* destination */
	f[6] = 0x02;				/* source, locally administered */
	f[11] = 0x01;
	f[12] = 0x08;				/* IPv4 */
	f[14] = 0x45;				/* version 4, 20 bytes */
	f[17] = FRAME_LEN - 14;			/* total length */
	f[22] = 64;				/* TTL */
	f[23] = 17;				/* UDP */
	f[26] = 10; f[29] = 1;			/* 10.0.0.1 */
	f[30] = 10; f[33] = 255;		/* 10.0.0.255 */
	sum = IpChecksum(f + 14, 20);
	f[24] = (UCHAR)(sum >> 8);
	f[25] = (UCHAR)sum;
	f[34] = 0x04;				/* source port 1024 */
	f[37] = 9;				/* discard */
	f[39] = FRAME_LEN - 34;			/* UDP length, no checksum */
	f[42] = seq;
}

/* A send queue: a pcap record header, then the frame, for each frame. */
int SendQueue(LPADAPTER lpAdapter, int n)
{
	static char Queue[16 * (sizeof(struct npf_sendq_hdr) + FRAME_LEN)];
	struct npf_sendq_hdr *hdr;
	ULONG len = 0;
	int i;

	for (i = 0; i < n && i < 16; i++) {
		hdr = (struct npf_sendq_hdr *)(Queue + len);
		memset(hdr, 0, sizeof(*hdr));
		hdr->caplen = hdr->len = FRAME_LEN;
		BuildFrame((UCHAR *)Queue + len + sizeof(*hdr), (UCHAR)(i + 1));
		len += sizeof(*hdr) + FRAME_LEN;
	}
	return PacketSendPackets(lpAdapter, Queue, len, FALSE) == (INT)len;
}

int main(int argc, char **argv)
{
	UCHAR Frame[FRAME_LEN];
	LPADAPTER lpAdapter;
	LPPACKET lpPacket;
	int Count = 1;

	if (argc < 2) {
		printf("usage: sendframe ADAPTER [COUNT]\n");
		return 1;
	}
	if (argc > 2)
		Count = atoi(argv[2]);
	lpAdapter = PacketOpenAdapter(argv[1]);
	if (lpAdapter == NULL) {
		printf("Unable to open the adapter %s\n", argv[1]);
		return 1;
	}
	lpPacket = PacketAllocatePacket();
	if (lpPacket == NULL) {
		PacketCloseAdapter(lpAdapter);
		return 1;
	}
	BuildFrame(Frame, 0);
	PacketInitPacket(lpPacket, Frame, FRAME_LEN);
	if (PacketSetNumWrites(lpAdapter, Count) == FALSE ||
	    PacketSendPacket(lpAdapter, lpPacket, TRUE) == FALSE) {
		printf("Error sending the frame\n");
		PacketFreePacket(lpPacket);
		PacketCloseAdapter(lpAdapter);
		return 1;
	}
	printf("%d frame%s of %d bytes sent on %s\n", Count,
	       Count == 1 ? "" : "s", FRAME_LEN, argv[1]);
	if (SendQueue(lpAdapter, 4))
		printf("a send queue of 4 frames sent\n");
	else
		printf("Error sending the queue\n");
	PacketFreePacket(lpPacket);
	PacketCloseAdapter(lpAdapter);
	return 0;
}
