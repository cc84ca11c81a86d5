// SPDX-License-Identifier: MIT
/*
 * listadapters: the adapters, their addresses, link type and speed, and
 * MAC address, the way WinPcap's packet.dll examples found them.
 *
 * Written against WinPcap 4.1.3's packet.dll documentation only: its
 * functions, types and constants, <Packet32.h> and the C library, nothing
 * of Linux (nor of Npcap), in the style of WinPcap's own examples. It
 * builds unchanged against libnpf (WinPcap's SDK: link Packet.lib).
 *
 *   listadapters             every adapter
 *   listadapters ADAPTER     that one only
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Packet32.h>

#define Max_Num_Adapter	64

char AdapterList[Max_Num_Adapter][ADAPTER_NAME_LENGTH];
char AdapterDesc[Max_Num_Adapter][ADAPTER_DESC_LENGTH];

/* Split PacketGetAdapterNames' buffer: names, "\0", descriptions. */
int GetAdapterList(void)
{
	char *AdapterNames, *temp;
	ULONG AdapterLength = 0;
	int i, AdapterNum = 0;

	/* First ask how much room the list needs, as packet.dll allows. */
	PacketGetAdapterNames(NULL, &AdapterLength);
	AdapterNames = (char *)malloc(AdapterLength);
	if (AdapterNames == NULL)
		return -1;
	if (PacketGetAdapterNames(AdapterNames, &AdapterLength) == FALSE) {
		printf("Unable to retrieve the list of adapters!\n");
		free(AdapterNames);
		return -1;
	}
	temp = AdapterNames;
	while (*temp != '\0' && AdapterNum < Max_Num_Adapter) {
		strncpy(AdapterList[AdapterNum], temp, ADAPTER_NAME_LENGTH - 1);
		temp += strlen(temp) + 1;
		AdapterNum++;
	}
	while (*temp != '\0')		/* names beyond Max_Num_Adapter */
		temp += strlen(temp) + 1;
	temp++;
	for (i = 0; i < AdapterNum && *temp != '\0'; i++) {
		strncpy(AdapterDesc[i], temp, ADAPTER_DESC_LENGTH - 1);
		temp += strlen(temp) + 1;
	}
	free(AdapterNames);
	return AdapterNum;
}

/* IPv4 as inet_ntoa() prints it, IPv6 as eight groups of hex. */
void PrintAddress(struct sockaddr_storage *sa, const char *what)
{
	UCHAR *a;
	int i;

	if (sa->ss_family == AF_INET) {
		printf(" %s %s", what,
		       inet_ntoa(((struct sockaddr_in *)sa)->sin_addr));
	} else if (sa->ss_family == AF_INET6) {
		a = ((struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		printf(" %s ", what);
		for (i = 0; i < 16; i += 2)
			printf("%x%s", a[i] << 8 | a[i + 1], i < 14 ? ":" : "");
	}
}

void PrintAddresses(char *AdapterName)
{
	npf_if_addr Addresses[MAX_NETWORK_ADDRESSES];
	LONG NumAddresses = MAX_NETWORK_ADDRESSES;
	LONG i;

	if (PacketGetNetInfoEx(AdapterName, Addresses, &NumAddresses) ==
	    FALSE) {
		printf("    no address information\n");
		return;
	}
	for (i = 0; i < NumAddresses; i++) {
		printf("   ");
		PrintAddress(&Addresses[i].IPAddress,
			     Addresses[i].IPAddress.ss_family == AF_INET ?
			     "inet" : "inet6");
		PrintAddress(&Addresses[i].SubnetMask, "netmask");
		PrintAddress(&Addresses[i].Broadcast, "broadcast");
		printf("\n");
	}
}

/* What needs an open adapter: the module, and the right to capture. */
void PrintAdapterInfo(char *AdapterName)
{
	char OidBuffer[sizeof(PACKET_OID_DATA) + 6];
	PPACKET_OID_DATA OidData = (PPACKET_OID_DATA)OidBuffer;
	LPADAPTER lpAdapter;
	NetType Type;

	lpAdapter = PacketOpenAdapter(AdapterName);
	if (lpAdapter == NULL) {
		printf("    (cannot open the adapter: link type, speed and MAC address unknown)\n");
		return;
	}
	if (PacketGetNetType(lpAdapter, &Type)) {
		if (Type.LinkType == NdisMedium802_3)
			printf("    link type Ethernet");
		else
			printf("    link type NdisMedium %d", (int)Type.LinkType);
		printf(", speed %.0f Mbit/s\n", (double)Type.LinkSpeed / 1e6);
	}
	memset(OidBuffer, 0, sizeof(OidBuffer));
	OidData->Oid = OID_802_3_CURRENT_ADDRESS;
	OidData->Length = 6;
	if (PacketRequest(lpAdapter, FALSE, OidData) && OidData->Length == 6)
		printf("    MAC address %.2x:%.2x:%.2x:%.2x:%.2x:%.2x\n",
		       OidData->Data[0], OidData->Data[1], OidData->Data[2],
		       OidData->Data[3], OidData->Data[4], OidData->Data[5]);
	PacketCloseAdapter(lpAdapter);
}

int main(int argc, char **argv)
{
	char *DriverVersion;
	int AdapterNum, i;

	printf("packet.dll version %s", PacketGetVersion());
	DriverVersion = PacketGetDriverVersion();
	printf(", driver version %s\n", DriverVersion ? DriverVersion :
	       "(not loaded)");

	AdapterNum = GetAdapterList();
	if (AdapterNum < 0)
		return 1;
	for (i = 0; i < AdapterNum; i++) {
		if (argc > 1 && strcmp(argv[1], AdapterList[i]) != 0)
			continue;
		printf("%d. %s (%s)\n", i + 1, AdapterList[i], AdapterDesc[i]);
		PrintAddresses(AdapterList[i]);
		PrintAdapterInfo(AdapterList[i]);
	}
	return 0;
}
