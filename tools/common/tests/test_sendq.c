// SPDX-License-Identifier: GPL-2.0
/*
 * A libnpf send queue is the record part of a pcap file: a pcap file
 * header followed by the queue's bytes is a file libpcap reads back, frame
 * for frame. (npfgen relies on the converse: a file's records, queued.)
 */
#include <string.h>

#include "util.h"		/* <pcap.h>, then <Packet32.h> */
#include "frame.h"
#include "t.h"

#define NFRAMES		5

static void put_file_header(FILE *f)
{
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t zone;
		uint32_t sigfigs, snaplen, linktype;
	} fh = { 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1 };

	fwrite(&fh, sizeof(fh), 1, f);
}

/* Frame i: a UDP frame of 60 + 37 i bytes, one in two cut to 50 bytes. */
static void make_frame(int i, uint8_t *buf, struct npf_sendq_hdr *h)
{
	struct tool_udp_frame f = {
		.src_mac = { 2, 0, 0, 0, 0, 1 },
		.dst_mac = { 2, 0, 0, 0, 0, 2 },
		.src_ip = 0xc6120001,
		.dst_ip = 0xc6120002,
		.sport = (uint16_t)(1000 + i),
		.dport = 9,
		.size = 60 + 37 * (uint32_t)i,
	};

	tool_build_udp(&f, buf);
	h->tv_sec = 1700000000 + (uint32_t)i;
	h->tv_usec = 100000 * (uint32_t)i + 7;
	h->len = f.size;
	h->caplen = i % 2 ? 50 : f.size;
}

static void queue_is_pcap_records(void)
{
	char err[PCAP_ERRBUF_SIZE];
	PPACKET_SEND_QUEUE q = PacketSendQueueAlloc(4096);
	struct npf_sendq_hdr h;
	struct pcap_pkthdr *ph;
	const u_char *data;
	uint8_t buf[512];
	FILE *f = tmpfile();
	pcap_t *p;
	int i;

	CHECK(q && f);
	if (!q || !f)
		goto out;
	for (i = 0; i < NFRAMES; i++) {
		make_frame(i, buf, &h);
		CHECK(PacketSendQueueQueue(q, &h, buf) == 0);
	}
	put_file_header(f);
	fwrite(q->buffer, 1, q->len, f);
	fflush(f);
	rewind(f);
	p = pcap_fopen_offline(f, err);
	CHECK(p != NULL);
	if (!p)
		goto out;
	f = NULL;		/* pcap_close() closes it */
	for (i = 0; i < NFRAMES; i++) {
		CHECK(pcap_next_ex(p, &ph, &data) == 1);
		make_frame(i, buf, &h);
		CHECK(ph->ts.tv_sec == h.tv_sec && ph->ts.tv_usec == h.tv_usec);
		CHECK(ph->caplen == h.caplen && ph->len == h.len);
		CHECK(!memcmp(data, buf, h.caplen));
	}
	CHECK(pcap_next_ex(p, &ph, &data) == PCAP_ERROR_BREAK);
	pcap_close(p);
out:
	if (f)
		fclose(f);
	PacketSendQueueFree(q);
}

const struct t_case sendq_cases[] = {
	T_CASE(queue_is_pcap_records),
	T_END
};
