// SPDX-License-Identifier: GPL-2.0
/*
 * sendmmsg: the user-space transmit baseline of `make bench`: one UDP/IPv4
 * frame sent COUNT times through an AF_PACKET SOCK_RAW socket, BATCH
 * frames per sendmmsg() call (the same frame each time, so the cost is
 * the system call and the per-frame socket path, as for npfgen -n).
 *
 *   sendmmsg -i IFACE -n COUNT [-s SIZE] [-b BATCH] [-d DST_MAC] [-q]
 *
 * -q sets PACKET_QDISC_BYPASS. Prints one line:
 *   frames=N seconds=S pps=P errors=E
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXBATCH 1024

static uint16_t csum(const uint8_t *p, int len)
{
	uint32_t s = 0;

	for (int i = 0; i + 1 < len; i += 2)
		s += (p[i] << 8) | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned v[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct mmsghdr msgs[MAXBATCH];
	static struct iovec iov;
	static uint8_t frame[9216];
	uint8_t dmac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const char *ifname = NULL;
	unsigned long count = 0, sent = 0, errors = 0;
	unsigned size = 64, batch = 256;
	int opt, fd, bypass = 0;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint8_t *ip, *udp;
	double t0, t1;

	while ((opt = getopt(argc, argv, "i:n:s:b:d:q")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'n': count = strtoul(optarg, NULL, 10); break;
		case 's': size = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'b': batch = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd':
			if (parse_mac(optarg, dmac) < 0) {
				fprintf(stderr, "sendmmsg: bad MAC %s\n", optarg);
				return 2;
			}
			break;
		case 'q': bypass = 1; break;
		default:
			goto usage;
		}
	}
	if (!ifname || !count || size < 42 || size > sizeof(frame) ||
	    !batch || batch > MAXBATCH)
		goto usage;

	fd = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: send only */
	if (fd < 0) {
		perror("sendmmsg: socket");
		return 1;
	}
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "sendmmsg: no interface %s\n", ifname);
		return 1;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("sendmmsg: bind");
		return 1;
	}
	if (bypass && setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &bypass,
				 sizeof(bypass)) < 0)
		perror("sendmmsg: PACKET_QDISC_BYPASS");

	/* UDP/IPv4 198.18.0.1:1024 -> 198.18.0.2:9, as npfgen's template */
	memcpy(frame, dmac, 6);
	frame[6] = 0x02; frame[11] = 0x01;
	frame[12] = 0x08;
	ip = frame + 14;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((size - 14) >> 8); ip[3] = (uint8_t)(size - 14);
	ip[8] = 64; ip[9] = 17;
	ip[12] = 198; ip[13] = 18; ip[14] = 0; ip[15] = 1;
	ip[16] = 198; ip[17] = 18; ip[18] = 0; ip[19] = 2;
	{
		uint16_t c = csum(ip, 20);

		ip[10] = (uint8_t)(c >> 8); ip[11] = (uint8_t)c;
	}
	udp = ip + 20;
	udp[0] = 0x04; udp[1] = 0x00; udp[2] = 0; udp[3] = 9;
	udp[4] = (uint8_t)((size - 34) >> 8); udp[5] = (uint8_t)(size - 34);

	iov.iov_base = frame;
	iov.iov_len = size;
	for (unsigned i = 0; i < batch; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	t0 = now();
	while (sent < count) {
		unsigned n = count - sent < batch ? (unsigned)(count - sent) : batch;
		int r = sendmmsg(fd, msgs, n, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS || errno == EAGAIN) {
				errors++;
				continue;
			}
			perror("sendmmsg");
			return 1;
		}
		sent += (unsigned)r;
	}
	t1 = now();
	printf("frames=%lu seconds=%.6f pps=%.1f errors=%lu\n", sent, t1 - t0,
	       sent / (t1 - t0), errors);
	close(fd);
	return 0;
usage:
	fprintf(stderr, "usage: sendmmsg -i IFACE -n COUNT [-s SIZE] [-b BATCH (<= %d)] [-d DST_MAC] [-q]\n",
		MAXBATCH);
	return 2;
}
