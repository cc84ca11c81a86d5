// SPDX-License-Identifier: GPL-2.0
/*
 * bpfbench: nanoseconds per packet of classic-BPF filters, for `make bench`.
 *
 *   bpfbench [-n ITERS] [-r REPS] FILTERS_FILE
 *
 * Each expression of FILTERS_FILE (one a line, "#" comments) is compiled by
 * libpcap for Ethernet and run ITERS times over three frames in turn (a
 * 64-byte UDP/IPv4 frame to port 9, a TCP SYN to port 80, an ARP request):
 *
 *   kernel-jit     through the npf_bpfbench module (debugfs npf_bpfbench/run)
 *                  with net.core.bpf_jit_enable=1: bpf_prog_create() and
 *                  bpf_prog_run_save_cb(), npf's own filter path;
 *   kernel-interp  the same with bpf_jit_enable=0: the kernel's interpreter
 *                  (___bpf_prog_run) on the converted program;
 *   libpcap        libpcap's user-space interpreter, bpf_filter().
 *
 * The three modes alternate REPS times. The sysctl is restored on exit.
 * Output, one line per measurement:
 *
 *   filter=IDX insns=N mode=MODE rep=R ns_per_pkt=X accepted=A jited=J
 *
 * A line "error=..." reports a mode that could not run (e.g. no module).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define JIT_SYSCTL	"/proc/sys/net/core/bpf_jit_enable"
#define BENCH_FILE	"/sys/kernel/debug/npf_bpfbench/run"
#define BENCH_MAGIC	0x4e504642
#define NFRAMES		3

static uint8_t frames[NFRAMES][64];
static const uint32_t frame_len[NFRAMES] = { 64, 64, 42 };

static uint16_t csum(const uint8_t *p, int len)
{
	uint32_t s = 0;

	for (int i = 0; i + 1 < len; i += 2)
		s += (p[i] << 8) | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void ipv4(uint8_t *f, uint8_t proto, int len)
{
	static const uint8_t src[4] = { 198, 18, 0, 1 }, dst[4] = { 198, 18, 0, 2 };
	uint8_t *ip = f + 14;
	uint16_t c;

	f[12] = 0x08;
	f[13] = 0x00;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((len - 14) >> 8);
	ip[3] = (uint8_t)(len - 14);
	ip[6] = 0x40;		/* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	c = csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

static void build_frames(void)
{
	static const uint8_t dmac[6] = { 0x02, 0, 0, 0, 0, 2 },
			     smac[6] = { 0x02, 0, 0, 0, 0, 1 };
	uint8_t *f;

	for (int i = 0; i < NFRAMES; i++) {
		memcpy(frames[i], dmac, 6);
		memcpy(frames[i] + 6, smac, 6);
	}
	/* UDP 1024 -> 9, as pktgen and npfgen send */
	f = frames[0];
	ipv4(f, 17, 64);
	f[34] = 0x04; f[35] = 0x00; f[36] = 0x00; f[37] = 9;
	f[38] = 0; f[39] = 64 - 34;
	/* TCP SYN 40000 -> 80 */
	f = frames[1];
	ipv4(f, 6, 64);
	f[34] = 0x9c; f[35] = 0x40; f[36] = 0; f[37] = 80;
	f[46] = 0x50;		/* data offset 5 */
	f[47] = 0x02;		/* SYN */
	f[48] = 0xff; f[49] = 0xff;
	/* ARP request */
	f = frames[2];
	memset(f, 0xff, 6);
	f[12] = 0x08; f[13] = 0x06;
	f[14] = 0; f[15] = 1; f[16] = 0x08; f[17] = 0; f[18] = 6; f[19] = 4;
	f[20] = 0; f[21] = 1;
	memcpy(f + 22, smac, 6);
	f[28] = 198; f[29] = 18; f[30] = 0; f[31] = 1;
	f[38] = 198; f[39] = 18; f[40] = 0; f[41] = 2;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int set_jit(const char *val)
{
	int fd = open(JIT_SYSCTL, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

static int get_jit(char *buf, size_t size)
{
	int fd = open(JIT_SYSCTL, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* One run in the kernel module; 0 and the result line, or -1. */
static int kernel_run(const struct bpf_program *p, unsigned iters,
		      char *out, size_t outsize)
{
	size_t size = 16, off;
	uint8_t *req;
	uint32_t hdr[4] = { BENCH_MAGIC, iters, NFRAMES, p->bf_len };
	int fd, ret = -1;
	ssize_t n;

	for (int i = 0; i < NFRAMES; i++)
		size += 4 + ((frame_len[i] + 3) & ~3u);
	size += p->bf_len * sizeof(struct bpf_insn);
	req = calloc(1, size);
	if (!req)
		return -1;
	memcpy(req, hdr, 16);
	off = 16;
	for (int i = 0; i < NFRAMES; i++) {
		memcpy(req + off, &frame_len[i], 4);
		memcpy(req + off + 4, frames[i], frame_len[i]);
		off += 4 + ((frame_len[i] + 3) & ~3u);
	}
	memcpy(req + off, p->bf_insns, p->bf_len * sizeof(struct bpf_insn));
	fd = open(BENCH_FILE, O_RDWR);
	if (fd >= 0 && write(fd, req, size) == (ssize_t)size &&
	    lseek(fd, 0, SEEK_SET) == 0 &&
	    (n = read(fd, out, outsize - 1)) > 0) {
		out[n] = 0;
		out[strcspn(out, "\n")] = 0;
		ret = 0;
	} else {
		snprintf(out, outsize, "%s", strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	free(req);
	return ret;
}

/* The value of " KEY=" (or "KEY=" at the start) in @line, or -1. */
static long long field(const char *line, const char *key)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if (p == line || p[-1] == ' ')
			return strtoll(p + klen, NULL, 10);
		p += klen;
	}
	return -1;
}

int main(int argc, char **argv)
{
	unsigned iters = 200000, reps = 3, uiters;
	char saved[16] = "", line[1024], out[256];
	int opt, idx = 0;
	FILE *f;
	pcap_t *dead;

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		switch (opt) {
		case 'n': iters = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': reps = (unsigned)strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bpfbench [-n iters] [-r reps] FILTERS\n");
			return 2;
		}
	}
	if (optind != argc - 1 || !iters || !reps) {
		fprintf(stderr, "usage: bpfbench [-n iters] [-r reps] FILTERS\n");
		return 2;
	}
	f = fopen(argv[optind], "r");
	if (!f) {
		perror(argv[optind]);
		return 1;
	}
	build_frames();
	dead = pcap_open_dead(DLT_EN10MB, 262144);
	if (get_jit(saved, sizeof(saved)) < 0)
		printf("error=cannot-read-%s\n", JIT_SYSCTL);
	/* User space is emulated at another speed: fewer runs do. */
	uiters = iters;

	while (fgets(line, sizeof(line), f)) {
		struct bpf_program prog;

		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		if (pcap_compile(dead, &prog, line, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			printf("filter=%d error=compile:%s\n", idx, pcap_geterr(dead));
			idx++;
			continue;
		}
		for (unsigned r = 0; r < reps; r++) {
			static const char *const modes[] = { "kernel-interp", "kernel-jit" };
			unsigned acc = 0;
			double t0, t1;

			for (int m = 0; m < 2; m++) {
				if (set_jit(m ? "1" : "0") < 0) {
					printf("filter=%d mode=%s error=cannot-set-jit\n",
					       idx, modes[m]);
					continue;
				}
				if (kernel_run(&prog, iters, out, sizeof(out)) < 0) {
					printf("filter=%d mode=%s error=%s\n", idx,
					       modes[m], out);
					continue;
				}
				printf("filter=%d insns=%u mode=%s rep=%u ns_per_pkt=%.2f accepted=%lld jited=%lld\n",
				       idx, prog.bf_len, modes[m], r,
				       (double)field(out, "ns=") / iters,
				       field(out, "accepted="), field(out, "jited="));
			}
			t0 = now_ns();
			for (unsigned i = 0; i < uiters; i++)
				acc += bpf_filter(prog.bf_insns, frames[i % NFRAMES],
						  frame_len[i % NFRAMES],
						  frame_len[i % NFRAMES]) != 0;
			t1 = now_ns();
			printf("filter=%d insns=%u mode=libpcap rep=%u ns_per_pkt=%.2f accepted=%u jited=0\n",
			       idx, prog.bf_len, r, (t1 - t0) / uiters, acc);
			fflush(stdout);
		}
		pcap_freecode(&prog);
		idx++;
	}
	if (saved[0])
		set_jit(saved);
	fclose(f);
	pcap_close(dead);
	return 0;
}
