// SPDX-License-Identifier: GPL-2.0
/*
 * npfread: the thinnest /dev/npf reader, for `make bench`'s profiling runs.
 * It does what npfdump's capture loop does in the kernel's view (bind,
 * filter, ring size, MinToCopy, read timeout, poll + read) but nothing
 * with the records except walking them, so that the reader's cost can be
 * split into the kernel path and the tool's own work.
 *
 *   npfread -i IFACE [-B RING_BYTES] [-b READ_BYTES] [-m MINTOCOPY]
 *           [-t TIMEOUT_MS] [-s SNAPLEN] [-P] [expression]
 *
 * The expression is compiled by libpcap (Ethernet) with SNAPLEN (default
 * 262144); "-s N" without an expression installs "ret #N". -P: read
 * without poll() first (a blocking read() waits by itself). Ends on SIGINT
 * or SIGTERM and prints one line:
 *
 *   records=N reads=N bytes=N recv=N capt=N drop=N filtered=N
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/npf.h>
#include <pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "npfread: %s: %s\n", what, strerror(errno));
	exit(1);
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
	unsigned long ring = 0, rbuf = 256000, mtc = 16000, snap = 262144;
	long timeout = 1000;
	int opt, fd, use_poll = 1, snap_set = 0;
	const char *ifname = NULL;
	struct npf_ifname ifr = { { 0 } };
	unsigned long long records = 0, reads = 0, bytes = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	struct npf_stats st;
	uint8_t *buf;

	while ((opt = getopt(argc, argv, "i:B:b:m:t:s:P")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'B': ring = strtoul(optarg, NULL, 10); break;
		case 'b': rbuf = strtoul(optarg, NULL, 10); break;
		case 'm': mtc = strtoul(optarg, NULL, 10); break;
		case 't': timeout = strtol(optarg, NULL, 10); break;
		case 's': snap = strtoul(optarg, NULL, 10); snap_set = 1; break;
		case 'P': use_poll = 0; break;
		default:
			fprintf(stderr, "usage: npfread -i IFACE [-B ring] [-b readbuf] [-m mintocopy] [-t ms] [-s snaplen] [-P] [expr]\n");
			return 2;
		}
	}
	if (!ifname || !rbuf)
		return 2;
	buf = malloc(rbuf);
	if (!buf)
		return 1;
	fd = open("/dev/npf", O_RDWR);
	if (fd < 0)
		die("/dev/npf");
	snprintf(ifr.name, sizeof(ifr.name), "%s", ifname);
	if (ioctl(fd, BIOCSETIF, &ifr) < 0)
		die("BIOCSETIF");
	if (ring) {
		uint32_t v = (uint32_t)ring;

		if (ioctl(fd, BIOCSETBUFFERSIZE, &v) < 0)
			die("BIOCSETBUFFERSIZE");
	}
	if (optind < argc || snap_set) {
		struct sock_filter ret_snap = { 0x06, 0, 0, (uint32_t)snap };
		struct npf_program np = { 0 };
		struct bpf_program bp = { 0 };

		if (optind < argc) {
			pcap_t *dead = pcap_open_dead(DLT_EN10MB, (int)snap);

			if (pcap_compile(dead, &bp, join_args(argc, argv, optind), 1,
					 PCAP_NETMASK_UNKNOWN) < 0) {
				fprintf(stderr, "npfread: %s\n", pcap_geterr(dead));
				return 1;
			}
			np.bf_len = bp.bf_len;
			np.bf_insns = (uintptr_t)bp.bf_insns;
		} else {
			np.bf_len = 1;
			np.bf_insns = (uintptr_t)&ret_snap;
		}
		if (ioctl(fd, BIOCSETF, &np) < 0)
			die("BIOCSETF");
	}
	{
		uint32_t v = (uint32_t)mtc;
		int32_t t = (int32_t)timeout;

		if (ioctl(fd, BIOCSMINTOCOPY, &v) < 0)
			die("BIOCSMINTOCOPY");
		if (ioctl(fd, BIOCSRTIMEOUT, &t) < 0)
			die("BIOCSRTIMEOUT");
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "npfread: listening on %s\n", ifname);

	while (!stop) {
		ssize_t n;
		uint32_t off = 0;

		if (use_poll) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, -1) < 0) {
				if (errno == EINTR)
					continue;
				die("poll");
			}
		}
		n = read(fd, buf, rbuf);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("read");
		}
		reads++;
		bytes += (unsigned long long)n;
		while (off < (uint32_t)n) {
			const struct bpf_hdr *h = (const void *)(buf + off);

			off += NPF_WORDALIGN(h->bh_hdrlen + h->bh_caplen);
			records++;
		}
	}
	if (ioctl(fd, BIOCGSTATSEX, &st) < 0)
		die("BIOCGSTATSEX");
	printf("records=%llu reads=%llu bytes=%llu recv=%llu capt=%llu drop=%llu filtered=%llu\n",
	       records, reads, bytes, (unsigned long long)st.bs_recv,
	       (unsigned long long)st.bs_capt, (unsigned long long)st.bs_drop,
	       (unsigned long long)st.bs_filtered);
	return 0;
}
