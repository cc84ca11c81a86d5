// SPDX-License-Identifier: GPL-2.0
/*
 * decode_test - print a pcap file with npf_print_packet(), taking the
 * options of tcpdump -r, so that the two outputs can be compared.
 *
 *   decode_test [-n] [-e] [-x|-xx|-X|-XX] [-t|-tt] [-v] [-S]
 *               [--nano | --time-stamp-precision=nano] -r FILE
 *
 * Options may be combined as tcpdump allows ("-nev").  -S is accepted and
 * ignored: npf always prints absolute TCP sequence numbers.  The pcap file
 * format is parsed here: both the microsecond (0xa1b2c3d4) and the
 * nanosecond (0xa1b23c4d) magic, in either byte order.  Each packet is
 * read into a buffer of exactly its captured length, so that a read past
 * it is caught by AddressSanitizer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/decode.h"

#define MAX_CAPLEN (64u << 20)

struct pcap_in {
	FILE *f;
	bool swap;
	bool nano;
	int linktype;
};

static uint32_t swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) |
	       (v << 24);
}

static uint32_t field(const struct pcap_in *in, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return in->swap ? swap32(v) : v;
}

static int open_pcap(struct pcap_in *in, const char *path)
{
	uint8_t h[24];
	uint32_t magic;

	in->f = fopen(path, "rb");
	if (!in->f) {
		perror(path);
		return -1;
	}
	if (fread(h, 1, sizeof(h), in->f) != sizeof(h)) {
		fprintf(stderr, "%s: short file header\n", path);
		return -1;
	}
	memcpy(&magic, h, 4);
	in->swap = magic == swap32(0xa1b2c3d4) || magic == swap32(0xa1b23c4d);
	if (in->swap)
		magic = swap32(magic);
	if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
		fprintf(stderr, "%s: not a pcap file\n", path);
		return -1;
	}
	in->nano = magic == 0xa1b23c4d;
	in->linktype = (int)(field(in, h + 20) & 0xffff);
	return 0;
}

/* Reads one record; 1 when done, 0 at the end, -1 on a bad file. */
static int print_record(const struct pcap_in *in,
			const struct npf_print_opts *o, bool want_nano)
{
	uint8_t r[16], *data;
	uint32_t sec, frac, caplen, len;

	size_t n = fread(r, 1, sizeof(r), in->f);

	if (n == 0)
		return 0;
	if (n != sizeof(r)) {
		fprintf(stderr, "truncated record header\n");
		return -1;
	}
	sec = field(in, r);
	frac = field(in, r + 4);
	caplen = field(in, r + 8);
	len = field(in, r + 12);
	if (caplen > MAX_CAPLEN) {
		fprintf(stderr, "bogus capture length %u\n", caplen);
		return -1;
	}
	data = malloc(caplen ? caplen : 1);
	if (!data || fread(data, 1, caplen, in->f) != caplen) {
		fprintf(stderr, "truncated packet\n");
		free(data);
		return -1;
	}
	if (in->nano && !want_nano)
		frac /= 1000;
	else if (!in->nano && want_nano)
		frac *= 1000;
	npf_print_packet(stdout, o, (int64_t)sec, frac, data, caplen, len,
			 in->linktype);
	free(data);
	return 1;
}

static int parse_flags(const char *arg, struct npf_print_opts *o,
		       int *x, int *X, int *t)
{
	for (; *arg; arg++) {
		switch (*arg) {
		case 'n':
			o->numeric = true;
			break;
		case 'e':
			o->link = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'x':
			(*x)++;
			break;
		case 'X':
			(*X)++;
			break;
		case 't':
			(*t)++;
			break;
		case 'S':
			break;
		default:
			fprintf(stderr, "unknown option -%c\n", *arg);
			return -1;
		}
	}
	return 0;
}

static void print_usage(void)
{
	fprintf(stderr, "usage: decode_test [-nevxXtS] [--nano] -r FILE\n");
}

int main(int argc, char **argv)
{
	struct npf_print_opts o = { 0 };
	const char *path = NULL;
	int i, x = 0, X = 0, t = 0, ret;
	struct pcap_in in;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-r") && i + 1 < argc)
			path = argv[++i];
		else if (!strcmp(argv[i], "--nano") ||
			 !strcmp(argv[i], "--time-stamp-precision=nano"))
			o.nano = true;
		else if (argv[i][0] != '-' || argv[i][1] == '-' ||
			 parse_flags(argv[i] + 1, &o, &x, &X, &t))
			break;
	}
	if (i < argc || !path) {
		print_usage();
		return 2;
	}
	o.hex = X ? 2 : x ? 1 : 0;
	o.hex_link = X ? X > 1 : x > 1;
	o.tstamp = t > 2 ? 2 : t;
	if (open_pcap(&in, path))
		return 1;
	while ((ret = print_record(&in, &o, o.nano)) > 0)
		;
	fclose(in.f);
	return ret < 0 ? 1 : 0;
}
