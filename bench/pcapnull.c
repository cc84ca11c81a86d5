// SPDX-License-Identifier: GPL-2.0
/*
 * pcapnull: libpcap's Linux capture (AF_PACKET, TPACKET_V3, as tcpdump
 * uses it) with a callback that does nothing: tcpdump's kernel and
 * libpcap path without tcpdump's own per-packet work. For `make bench`'s
 * profiling runs.
 *
 *   pcapnull -i IFACE [-B KIB] [-s SNAPLEN] [expression]
 *
 * Ends on SIGINT or SIGTERM and prints one line:
 *   records=N recv=N drop=N
 */
#include <pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pcap_t *p;

static void on_signal(int sig)
{
	(void)sig;
	pcap_breakloop(p);
}

static void count(u_char *user, const struct pcap_pkthdr *h, const u_char *d)
{
	(void)h;
	(void)d;
	++*(unsigned long long *)user;
}

/* The expression: the remaining arguments, joined by spaces (as tcpdump). */
static char *join_args(int argc, char **argv, int first)
{
	size_t len = 1;
	char *s;

	for (int i = first; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		exit(1);
	for (int i = first; i < argc; i++) {
		if (i > first)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	const char *ifname = NULL;
	int opt, kib = 0, snap = 262144;
	unsigned long long records = 0;
	struct pcap_stat st = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };

	while ((opt = getopt(argc, argv, "i:B:s:")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'B': kib = atoi(optarg); break;
		case 's': snap = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: pcapnull -i IFACE [-B KiB] [-s snaplen] [expr]\n");
			return 2;
		}
	}
	if (!ifname)
		return 2;
	p = pcap_create(ifname, err);
	if (!p) {
		fprintf(stderr, "pcapnull: %s\n", err);
		return 1;
	}
	pcap_set_snaplen(p, snap);
	pcap_set_promisc(p, 1);
	pcap_set_timeout(p, 1000);	/* tcpdump's */
	if (kib)
		pcap_set_buffer_size(p, kib * 1024);
	if (pcap_activate(p) < 0) {
		fprintf(stderr, "pcapnull: %s\n", pcap_geterr(p));
		return 1;
	}
	if (optind < argc) {
		struct bpf_program bp;

		if (pcap_compile(p, &bp, join_args(argc, argv, optind), 1, PCAP_NETMASK_UNKNOWN) < 0 ||
		    pcap_setfilter(p, &bp) < 0) {
			fprintf(stderr, "pcapnull: %s\n", pcap_geterr(p));
			return 1;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "pcapnull: listening on %s\n", ifname);
	pcap_loop(p, -1, count, (u_char *)&records);
	pcap_stats(p, &st);
	printf("records=%llu recv=%u drop=%u\n", records, st.ps_recv, st.ps_drop);
	pcap_close(p);
	return 0;
}
