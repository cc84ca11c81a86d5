// SPDX-License-Identifier: MIT
/*
 * netstats: packets and bytes per second through NPF's statistics mode
 * (PACKET_MODE_STAT), as WinPcap's NetMeter did: the driver counts what
 * the filter accepts and copies nothing; each read returns, once per read
 * timeout, a bpf_hdr followed by two 64-bit counters. Then the open's own
 * counters (PacketGetStatsEx). packet.dll's API only.
 *
 *   netstats ADAPTER [SECONDS]   SECONDS one-second intervals (default 5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Packet32.h>

int main(int argc, char **argv)
{
	static char Buffer[256];
	struct bpf_stat Stats;
	LPADAPTER lpAdapter;
	LPPACKET lpPacket;
	int Seconds = 5, i;

	if (argc < 2) {
		printf("usage: netstats ADAPTER [SECONDS]\n");
		return 1;
	}
	if (argc > 2)
		Seconds = atoi(argv[2]);
	lpAdapter = PacketOpenAdapter(argv[1]);
	if (lpAdapter == NULL) {
		printf("Unable to open the adapter %s\n", argv[1]);
		return 1;
	}
	lpPacket = PacketAllocatePacket();
	if (lpPacket == NULL ||
	    PacketSetReadTimeout(lpAdapter, 1000) == FALSE ||
	    PacketSetMode(lpAdapter, PACKET_MODE_STAT) == FALSE) {
		printf("Unable to enter statistics mode\n");
		PacketFreePacket(lpPacket);
		PacketCloseAdapter(lpAdapter);
		return 1;
	}
	PacketInitPacket(lpPacket, Buffer, sizeof(Buffer));

	for (i = 0; i < Seconds; i++) {
		struct bpf_hdr *hdr = (struct bpf_hdr *)Buffer;
		ULONGLONG Counters[2];

		if (PacketReceivePacket(lpAdapter, lpPacket, TRUE) == FALSE) {
			printf("Error: PacketReceivePacket failed\n");
			break;
		}
		if (lpPacket->ulBytesReceived < hdr->bh_hdrlen + 16u)
			continue;
		/* packets, then bytes, after the header */
		memcpy(Counters, Buffer + hdr->bh_hdrlen, sizeof(Counters));
		printf("%s: %llu packets/s, %llu bits/s\n", argv[1],
		       (unsigned long long)Counters[0],
		       (unsigned long long)Counters[1] * 8);
		fflush(stdout);
	}

	if (PacketGetStatsEx(lpAdapter, &Stats))
		printf("%u packets seen by the driver\n", Stats.bs_recv);
	PacketFreePacket(lpPacket);
	PacketCloseAdapter(lpAdapter);
	return 0;
}
