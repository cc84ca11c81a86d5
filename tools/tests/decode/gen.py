#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the packet decoder's test captures (pcap files) into a directory.

    gen.py OUTDIR

Every frame is built by hand here (python3 standard library only) so that
the captures are reproducible byte for byte.  The files:

  eth.pcap      Ethernet: ARP, IPv4/IPv6 with TCP, UDP, ICMP, ICMPv6,
                VLAN/QinQ, fragments, IP options, unknown types
  raw.pcap      LINKTYPE_RAW (101): bare IPv4 and IPv6 packets
  nano.pcap     nanosecond-resolution file (magic 0xa1b23c4d)
  be.pcap       big-endian (byte-swapped) file header and records
  trunc.pcap    frames cut by a snap length at every possible byte
  mangled.pcap  malformed headers inside the decoded protocols
  fuzz.pcap     random bytes (robustness only: tcpdump decodes far more
  fuzzraw.pcap  protocols than npfdump, so they are not compared)

and NAME.count with the number of packets in each.
"""

import os
import random
import struct
import sys

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
MAC_BC = b"\xff" * 6
MAC_V6MC = bytes.fromhex("3333ff000002")

IP_A = bytes([10, 0, 0, 1])
IP_B = bytes([10, 0, 0, 2])
IP_C = bytes([192, 168, 1, 77])

V6_A = bytes.fromhex("fe800000000000000000000000000001")
V6_B = bytes.fromhex("fe800000000000000000000000000002")
V6_G1 = bytes.fromhex("20010db8000000000000000000000001")
V6_G2 = bytes.fromhex("20010db8000100020003000400050006")
V6_SNM = bytes.fromhex("ff0200000000000000000001ff000002")
V6_ALLN = bytes.fromhex("ff020000000000000000000000000001")
V6_ALLR = bytes.fromhex("ff020000000000000000000000000002")
V6_ANY = bytes(16)

ETH_IP = 0x0800
ETH_ARP = 0x0806
ETH_IP6 = 0x86DD
ETH_VLAN = 0x8100
ETH_QINQ = 0x88A8


# ---------------------------------------------------------------- pcap


def write_pcap(path, frames, linktype=1, nano=False, big=False):
    """frames: list of (sec, frac, data, wirelen)."""
    end = ">" if big else "<"
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    with open(path, "wb") as f:
        f.write(struct.pack(end + "IHHiIII", magic, 2, 4, 0, 0,
                            262144, linktype))
        for sec, frac, data, wirelen in frames:
            f.write(struct.pack(end + "IIII", sec, frac, len(data),
                                wirelen))
            f.write(data)


class Capture:
    """Collects frames with increasing, varied time stamps."""

    def __init__(self, nano=False, start=1700000000):
        self.frames = []
        self.nano = nano
        self.sec = start
        self.n = 0

    def add(self, data, wirelen=None, caplen=None):
        self.n += 1
        self.sec += (self.n * 7919) % 5
        unit = 1000000000 if self.nano else 1000000
        frac = (self.n * 104729 * 1237) % unit
        if caplen is not None:
            wirelen = len(data) if wirelen is None else wirelen
            data = data[:caplen]
        if wirelen is None:
            wirelen = len(data)
        self.frames.append((self.sec, frac, data, wirelen))


# ---------------------------------------------------------- protocols


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload, pad=True):
    frame = dst + src + struct.pack("!H", etype) + payload
    if pad and len(frame) < 60:
        frame += bytes(60 - len(frame))
    return frame


def vlan_tag(vid, etype, pcp=0, dei=0):
    return struct.pack("!HH", (pcp << 13) | (dei << 12) | vid, etype)


def arp(op, sha, spa, tha, tpa, hrd=1, pro=0x0800, hln=6, pln=4):
    return (struct.pack("!HHBBH", hrd, pro, hln, pln, op) +
            sha + spa + tha + tpa)


def ipv4(src, dst, proto, payload, ttl=64, ident=1, df=True, mf=False,
         off=0, tos=0, options=b"", tot=None, bad_sum=False, ver=4,
         ihl=None):
    if ihl is None:
        ihl = 5 + len(options) // 4
    if tot is None:
        tot = 20 + len(options) + len(payload)
    fl = (0x4000 if df else 0) | (0x2000 if mf else 0) | (off // 8)
    hdr = struct.pack("!BBHHHBBH4s4s", (ver << 4) | ihl, tos, tot, ident,
                      fl, ttl, proto, 0, src, dst) + options
    s = csum(hdr)
    if bad_sum:
        s ^= 0x1234
    hdr = hdr[:10] + struct.pack("!H", s) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, nh, payload, hlim=64, flow=0, tc=0, plen=None):
    if plen is None:
        plen = len(payload)
    first = (6 << 28) | (tc << 20) | flow
    return struct.pack("!IHBB", first, plen, nh, hlim) + src + dst + payload


def pseudo4(src, dst, proto, length):
    return src + dst + struct.pack("!BBH", 0, proto, length)


def pseudo6(src, dst, nh, length):
    return src + dst + struct.pack("!I3xB", length, nh)


def tcp(sport, dport, seq, ack, flags, payload=b"", win=65535, opts=b"",
        urp=0, off=None, ph=None, bad_sum=False):
    if off is None:
        off = 5 + (len(opts) + 3) // 4
    opts += bytes((-len(opts)) % 4)
    hdr = struct.pack("!HHIIHHHH", sport, dport, seq, ack,
                      (off << 12) | flags, win, 0, urp) + opts
    seg = hdr + payload
    if ph is not None:
        s = csum(ph(len(seg)) + seg)
        if bad_sum:
            s ^= 0x4321
        seg = seg[:16] + struct.pack("!H", s) + seg[18:]
    return seg


def udp(sport, dport, payload, ph=None, ulen=None, zero_sum=False,
        bad_sum=False):
    if ulen is None:
        ulen = 8 + len(payload)
    seg = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    if ph is not None and not zero_sum:
        s = csum(ph(len(seg)) + seg) or 0xFFFF
        if bad_sum:
            s ^= 0x00FF
        seg = seg[:6] + struct.pack("!H", s) + seg[8:]
    return seg


def icmp(typ, code, rest, payload=b""):
    msg = struct.pack("!BBH", typ, code, 0) + rest + payload
    s = csum(msg)
    return msg[:2] + struct.pack("!H", s) + msg[4:]


def icmp6(src, dst, typ, code, body):
    msg = struct.pack("!BBH", typ, code, 0) + body
    s = csum(pseudo6(src, dst, 58, len(msg)) + msg)
    return msg[:2] + struct.pack("!H", s) + msg[4:]


F_FIN, F_SYN, F_RST, F_PSH, F_ACK, F_URG, F_ECE, F_CWR = (
    1, 2, 4, 8, 16, 32, 64, 128)

SYN_OPTS = (b"\x02\x04\x05\xb4" + b"\x04\x02" + b"\x08\x0a" +
            struct.pack("!II", 123456, 0) + b"\x01" + b"\x03\x03\x07")
TS_OPTS = b"\x01\x01\x08\x0a" + struct.pack("!II", 1000, 2000)


def ph4(src, dst, proto):
    return lambda n: pseudo4(src, dst, proto, n)


def ph6(src, dst, nh):
    return lambda n: pseudo6(src, dst, nh, n)


def tcp4(src, dst, sport, dport, seq, ack, flags, **kw):
    ip_kw = {k: kw.pop(k) for k in list(kw) if k.startswith("ip_")}
    seg = tcp(sport, dport, seq, ack, flags, ph=ph4(src, dst, 6), **kw)
    return ipv4(src, dst, 6, seg, **{k[3:]: v for k, v in ip_kw.items()})


def udp4(src, dst, sport, dport, payload, **kw):
    ip_kw = {k: kw.pop(k) for k in list(kw) if k.startswith("ip_")}
    seg = udp(sport, dport, payload, ph=ph4(src, dst, 17), **kw)
    return ipv4(src, dst, 17, seg, **{k[3:]: v for k, v in ip_kw.items()})


def tcp6(src, dst, sport, dport, seq, ack, flags, **kw):
    seg = tcp(sport, dport, seq, ack, flags, ph=ph6(src, dst, 6), **kw)
    return ipv6(src, dst, 6, seg)


def udp6(src, dst, sport, dport, payload, **kw):
    seg = udp(sport, dport, payload, ph=ph6(src, dst, 17), **kw)
    return ipv6(src, dst, 17, seg)


def e4(ip, src=MAC_A, dst=MAC_B):
    return eth(dst, src, ETH_IP, ip)


def e6(ip, src=MAC_A, dst=MAC_B):
    return eth(dst, src, ETH_IP6, ip)


def echo_body(ident, seq, n):
    return struct.pack("!HH", ident, seq) + bytes((i & 0xFF) for i in
                                                   range(n))


# ------------------------------------------------------------- frames


def arp_frames():
    z = bytes(6)
    out = [
        eth(MAC_BC, MAC_A, ETH_ARP, arp(1, MAC_A, IP_A, z, IP_B)),
        eth(MAC_A, MAC_B, ETH_ARP, arp(2, MAC_B, IP_B, MAC_A, IP_A)),
        eth(MAC_BC, MAC_A, ETH_ARP, arp(1, MAC_A, IP_A, MAC_B, IP_B)),
        eth(MAC_BC, MAC_A, ETH_ARP, arp(1, MAC_A, IP_A, z, IP_A)),
        eth(MAC_BC, MAC_A, ETH_ARP, arp(2, MAC_A, IP_A, z, IP_A)),
        eth(MAC_BC, MAC_A, ETH_ARP, arp(3, MAC_A, z[:4], MAC_A, z[:4])),
        eth(MAC_BC, MAC_A, ETH_ARP, arp(4, MAC_B, IP_B, MAC_A, IP_A)),
        eth(MAC_BC, MAC_A, ETH_ARP, arp(8, MAC_A, IP_A, MAC_B, z[:4])),
        eth(MAC_BC, MAC_A, ETH_ARP, arp(9, MAC_B, IP_B, MAC_A, IP_A)),
        eth(MAC_BC, MAC_A, ETH_ARP, arp(77, MAC_A, IP_A, MAC_B, IP_B)),
        eth(MAC_BC, MAC_A, ETH_ARP, arp(1, MAC_A, IP_A, z, IP_B),
            pad=False),
        eth(MAC_BC, MAC_A, 0x8035, arp(3, MAC_A, z[:4], MAC_A, z[:4])),
    ]
    return out


def tcp_frames():
    out = []
    a, b = IP_A, IP_B
    out.append(e4(tcp4(a, b, 45000, 80, 1000, 0, F_SYN, opts=SYN_OPTS)))
    out.append(e4(tcp4(b, a, 80, 45000, 5000, 1001, F_SYN | F_ACK,
                       opts=SYN_OPTS, win=28960), MAC_B, MAC_A))
    out.append(e4(tcp4(a, b, 45001, 22, 1001, 5001, F_ACK, win=502,
                       opts=TS_OPTS)))
    out.append(e4(tcp4(a, b, 45002, 6000, 3000000000, 7, F_PSH | F_ACK,
                       payload=bytes(range(100)), win=502, opts=TS_OPTS)))
    out.append(e4(tcp4(a, b, 45003, 5001, 77, 88, F_FIN | F_ACK, win=9)))
    out.append(e4(tcp4(a, b, 45004, 5002, 4294967295, 0, F_RST, win=0)))
    out.append(e4(tcp4(a, b, 45005, 5003, 5, 6, F_RST | F_ACK, win=0)))
    out.append(e4(tcp4(a, b, 45006, 5004, 5, 6, F_URG | F_ACK,
                       payload=b"x", urp=1)))
    out.append(e4(tcp4(a, b, 45007, 5005, 5, 0,
                       F_SYN | F_ECE | F_CWR)))
    out.append(e4(tcp4(a, b, 45008, 5006, 5, 6, 0xFF, payload=b"ab",
                       urp=3)))
    out.append(e4(tcp4(a, b, 45009, 5007, 5, 6, 0)))
    out.append(e4(tcp4(a, b, 45010, 5008, 5, 6, F_PSH,
                       payload=b"hello")))
    out.append(e4(tcp4(a, b, 45011, 5009, 5, 6, F_FIN)))
    # SACK, eol, unknown option, option with a bad length
    sack = (b"\x01\x01\x05\x12" + struct.pack("!IIII", 100, 200, 300, 400)
            + b"\x01\x01\x04\x02")
    out.append(e4(tcp4(a, b, 45012, 5010, 5, 6, F_ACK, opts=sack)))
    out.append(e4(tcp4(a, b, 45013, 5011, 5, 6, F_ACK,
                       opts=b"\x01\x00\x00\x00")))
    out.append(e4(tcp4(a, b, 45014, 5012, 5, 6, F_ACK,
                       opts=b"\x63\x04\xab\xcd")))
    out.append(e4(tcp4(a, b, 45015, 5013, 5, 6, F_ACK,
                       opts=b"\x02\x09\x05\xb4")))
    out.append(e4(tcp4(a, b, 45016, 5014, 5, 6, F_ACK,
                       opts=b"\x02\x03\x05\x01")))
    out.append(e4(tcp4(a, b, 45017, 5015, 5, 6, F_ACK,
                       opts=b"\x03\x04\x07\x00")))
    out.append(e4(tcp4(a, b, 45018, 5016, 5, 6, F_ACK,
                       opts=b"\x05\x0b" + bytes(9) + b"\x00")))
    out.append(e4(tcp4(a, b, 45019, 5017, 5, 6, F_SYN,
                       opts=b"\x1c\x04\x80\x0a")))
    out.append(e4(tcp4(a, b, 45020, 5018, 5, 6, F_ACK,
                       opts=b"\x08\x0a\x00\x00\x00\x01")))
    out.append(e4(tcp4(a, b, 45021, 5019, 5, 6, F_ACK,
                       opts=b"\x02\x04\x05")))
    out.append(e4(tcp4(a, b, 45022, 5020, 5, 6, F_ACK,
                       opts=b"\x02\x00\x05\xb4")))
    # wrong checksum (shown with -v), header length problems
    out.append(e4(tcp4(a, b, 45023, 5021, 5, 6, F_ACK, bad_sum=True)))
    out.append(e4(tcp4(a, b, 45024, 5022, 5, 6, F_ACK, off=4)))
    out.append(e4(tcp4(a, b, 45025, 5023, 5, 6, F_ACK, off=15)))
    out.append(e4(tcp4(a, b, 45026, 5024, 5, 6, F_ACK, off=2,
                       payload=bytes(60))))
    # names without -n: a well-known port on both sides
    out.append(e4(tcp4(a, b, 443, 8080, 5, 0, F_SYN)))
    out.append(e4(tcp4(a, b, 3306, 7, 5, 0, F_SYN)))
    # IPv6
    out.append(e6(tcp6(V6_G1, V6_G2, 45027, 80, 1, 0, F_SYN,
                       opts=SYN_OPTS)))
    out.append(e6(tcp6(V6_G2, V6_G1, 5080, 45028, 9, 2, F_PSH | F_ACK,
                       payload=b"0123456789", opts=TS_OPTS), MAC_B, MAC_A))
    out.append(e6(tcp6(V6_A, V6_B, 45029, 5025, 9, 2, F_ACK,
                       bad_sum=True)))
    return out


def udp_frames():
    out = []
    a, b = IP_A, IP_B
    out.append(e4(udp4(a, b, 40000, 5000, b"hello")))
    out.append(e4(udp4(a, b, 40001, 9, bytes(64))))
    out.append(e4(udp4(b, a, 7, 13, b"x" * 3), MAC_B, MAC_A))
    out.append(e4(udp4(a, b, 40002, 5001, bytes(10), zero_sum=True)))
    out.append(e4(udp4(a, b, 40003, 5002, bytes(10), bad_sum=True)))
    out.append(e4(udp4(a, b, 40004, 5003, bytes(10), ulen=7)))
    out.append(e4(udp4(a, b, 40005, 5004, bytes(10), ulen=100)))
    out.append(e4(udp4(a, b, 40006, 5005, bytes(10), ulen=12)))
    out.append(e4(udp4(a, b, 40007, 443, bytes(1400))))
    out.append(e6(udp6(V6_A, V6_B, 40008, 5006, b"hello6")))
    out.append(e6(udp6(V6_G1, V6_G2, 40009, 9, bytes(33))))
    out.append(e6(udp6(V6_G1, V6_G2, 40010, 5007, bytes(33),
                       bad_sum=True)))
    out.append(e6(udp6(V6_G1, V6_G2, 40011, 5008, bytes(33), ulen=5)))
    return out


def inner_udp(src=IP_A, dst=IP_B, sport=40000, dport=5678):
    return udp4(src, dst, sport, dport, bytes(8), ip_ttl=1)


def icmp_frames():
    out = []
    a, b = IP_A, IP_B
    E = lambda ip: e4(ip)
    out.append(E(ipv4(a, b, 1, icmp(8, 0, b"", echo_body(1, 1, 56)))))
    out.append(E(ipv4(b, a, 1, icmp(0, 0, b"", echo_body(1, 1, 56)))))
    out.append(E(ipv4(a, b, 1, icmp(8, 0, b"", echo_body(0xbeef, 65535,
                                                          0)))))
    inner = inner_udp()
    tcpin = tcp4(a, b, 45000, 80, 1000, 0, F_SYN)
    for code in range(16):
        out.append(E(ipv4(b, a, 1, icmp(3, code, bytes(4), inner[:28]))))
    out.append(E(ipv4(b, a, 1, icmp(3, 3, bytes(4), tcpin[:28]))))
    out.append(E(ipv4(b, a, 1, icmp(3, 3, bytes(4),
                                    ipv4(a, b, 99, bytes(8))))))
    out.append(E(ipv4(b, a, 1, icmp(3, 2, bytes(4),
                                    ipv4(a, b, 99, bytes(8))))))
    out.append(E(ipv4(b, a, 1, icmp(3, 4, struct.pack("!HH", 0, 1400),
                                    inner[:28]))))
    out.append(E(ipv4(b, a, 1, icmp(3, 4, bytes(4), inner[:28]))))
    out.append(E(ipv4(b, a, 1, icmp(3, 77, bytes(4), inner[:28]))))
    out.append(E(ipv4(b, a, 1, icmp(11, 0, bytes(4), inner[:28]))))
    out.append(E(ipv4(b, a, 1, icmp(11, 1, bytes(4), inner[:28]))))
    out.append(E(ipv4(b, a, 1, icmp(11, 5, bytes(4), inner[:28]))))
    out.append(E(ipv4(b, a, 1, icmp(4, 0, bytes(4), inner[:28]))))
    out.append(E(ipv4(b, a, 1, icmp(5, 1, IP_C, inner[:28]))))
    out.append(E(ipv4(b, a, 1, icmp(12, 0, b"\x14\0\0\0", inner[:28]))))
    out.append(E(ipv4(a, b, 1, icmp(13, 0, struct.pack("!HH", 7, 8),
                                    bytes(12)))))
    out.append(E(ipv4(b, a, 1, icmp(14, 0, struct.pack("!HH", 7, 8),
                                    bytes(12)))))
    out.append(E(ipv4(a, b, 1, icmp(17, 0, struct.pack("!HH", 7, 8),
                                    bytes(4)))))
    out.append(E(ipv4(b, a, 1, icmp(18, 0, struct.pack("!HH", 7, 8),
                                    b"\xff\xff\xff\0"))))
    out.append(E(ipv4(a, b, 1, icmp(10, 0, bytes(4)))))
    out.append(E(ipv4(a, b, 1, icmp(99, 3, bytes(4), b"abcd"))))
    out.append(E(ipv4(a, b, 1, icmp(8, 0, b"", echo_body(2, 3, 8))[:6])))
    return out


def nd_opt(typ, data):
    n = (2 + len(data) + 7) // 8
    return bytes([typ, n]) + data + bytes(n * 8 - 2 - len(data))


def icmp6_frames():
    out = []
    a, b = V6_A, V6_B

    def E(src, dst, typ, code, body, **kw):
        return e6(ipv6(src, dst, 58, icmp6(src, dst, typ, code, body),
                       **kw))
    out.append(E(V6_G1, V6_G2, 128, 0, echo_body(7, 1, 56)))
    out.append(E(V6_G2, V6_G1, 129, 0, echo_body(7, 1, 56)))
    out.append(E(V6_ANY, V6_SNM, 135, 0, bytes(4) + b, hlim=255))
    out.append(E(a, V6_SNM, 135, 0, bytes(4) + b + nd_opt(1, MAC_A),
                 hlim=255))
    out.append(E(b, a, 136, 0, b"\xe0\0\0\0" + b + nd_opt(2, MAC_B),
                 hlim=255))
    out.append(E(b, V6_ALLN, 136, 0, b"\x20\0\0\0" + b, hlim=255))
    out.append(E(a, V6_ALLR, 133, 0, bytes(4) + nd_opt(1, MAC_A),
                 hlim=255))
    ra = struct.pack("!BBHII", 64, 0xC0, 1800, 0, 0)
    pfx = nd_opt(3, struct.pack("!BBIII", 64, 0xC0, 86400, 14400, 0) +
                 V6_G1[:8] + bytes(8))
    mtu = nd_opt(5, struct.pack("!HI", 0, 1500))
    out.append(E(b, V6_ALLN, 134, 0, ra + nd_opt(1, MAC_B) + mtu + pfx,
                 hlim=255))
    out.append(E(b, V6_ALLN, 134, 0, ra, hlim=255))
    inner = udp6(V6_G1, V6_G2, 40000, 5678, bytes(8))
    for code in range(8):
        out.append(E(V6_G2, V6_G1, 1, code, bytes(4) + inner))
    out.append(E(V6_G2, V6_G1, 2, 0, struct.pack("!I", 1280) + inner))
    out.append(E(V6_G2, V6_G1, 3, 0, bytes(4) + inner))
    out.append(E(V6_G2, V6_G1, 3, 1, bytes(4) + inner))
    out.append(E(V6_G2, V6_G1, 4, 1, struct.pack("!I", 6) + inner))
    out.append(E(V6_G2, V6_G1, 137, 0, bytes(4) + V6_G1 + V6_G2))
    out.append(E(V6_G2, V6_G1, 200, 0, bytes(12)))
    return out


def ip_misc_frames():
    out = []
    a, b = IP_A, IP_B
    big = udp(40000, 5000, bytes(3000), ph=ph4(a, b, 17))
    out.append(e4(ipv4(a, b, 17, big[:1480], ident=0x1234, df=False,
                       mf=True, tot=1500)))
    out.append(e4(ipv4(a, b, 17, big[1480:2960], ident=0x1234, df=False,
                       mf=True, off=1480)))
    out.append(e4(ipv4(a, b, 17, big[2960:], ident=0x1234, df=False,
                       off=2960)))
    out.append(e4(ipv4(a, b, 6, bytes(40), ident=7, df=False, off=800)))
    out.append(e4(ipv4(a, b, 1, bytes(16), ident=8, df=False, mf=True,
                       off=64)))
    out.append(e4(ipv4(a, b, 99, b"payload")))
    out.append(e4(ipv4(a, b, 253, bytes(30), tos=0x10)))
    out.append(e4(ipv4(a, b, 17, udp(40000, 5000, b"opt",
                                     ph=ph4(a, b, 17)),
                       options=b"\x94\x04\x00\x00")))
    out.append(e4(ipv4(a, b, 1, icmp(8, 0, b"", echo_body(3, 4, 4)),
                       options=b"\x01\x01\x01\x00", tos=0xb8, ttl=1)))
    out.append(e4(ipv4(a, b, 17, udp(40000, 5000, b"x", ph=ph4(a, b, 17)),
                       bad_sum=True)))
    out.append(e4(ipv4(a, b, 17, udp(40000, 5000, b"x"), ihl=4)))
    out.append(e4(ipv4(a, b, 17, udp(40000, 5000, b"x"), ver=5)))
    out.append(e4(ipv4(a, b, 17, udp(40000, 5000, b"x"), tot=19)))
    out.append(e4(ipv4(a, b, 17, udp(40000, 5000, b"x"), tot=300)))
    out.append(e4(ipv4(a, b, 17, udp(40000, 5000, b"xyz",
                                     ph=ph4(a, b, 17)), tot=30)))
    # IPv6 extension headers, unknown next header
    frag = struct.pack("!BBHI", 17, 0, 0x0001, 0xabcdef)
    out.append(e6(ipv6(V6_G1, V6_G2, 44,
                       frag + udp(40000, 5000, bytes(16),
                                  ph=ph6(V6_G1, V6_G2, 17)))))
    frag2 = struct.pack("!BBHI", 17, 0, (1232 & ~7), 0xabcdef)
    out.append(e6(ipv6(V6_G1, V6_G2, 44, frag2 + bytes(64))))
    hbh = struct.pack("!BB", 58, 0) + b"\x05\x02\x00\x00\x01\x00"
    mld = icmp6(V6_A, V6_ALLR, 143, 0, bytes(4))
    out.append(e6(ipv6(V6_A, V6_ALLR, 0, hbh + mld, hlim=1)))
    out.append(e6(ipv6(V6_G1, V6_G2, 59, b"")))
    out.append(e6(ipv6(V6_G1, V6_G2, 143, b"abcdefgh", tc=0xb8,
                       flow=0x12345)))
    out.append(e6(ipv6(V6_G1, V6_G2, 17, udp(1, 2, b"a"), plen=500)))
    out.append(e6(ipv6(V6_G1, V6_G2, 17, udp(1, 2, b"a"), plen=0)))
    v6bad = bytearray(ipv6(V6_G1, V6_G2, 17, udp(1, 2, b"a")))
    v6bad[0] = 0x50
    out.append(e6(bytes(v6bad)))
    return out


def link_frames():
    out = []
    a, b = IP_A, IP_B
    u = udp4(a, b, 40000, 5000, b"vlan")
    out.append(eth(MAC_B, MAC_A, ETH_VLAN, vlan_tag(10, ETH_IP) + u))
    out.append(eth(MAC_B, MAC_A, ETH_VLAN,
                   vlan_tag(4094, ETH_IP, pcp=5, dei=1) + u))
    out.append(eth(MAC_B, MAC_A, ETH_QINQ, vlan_tag(100, ETH_VLAN) +
                   vlan_tag(10, ETH_IP) + u))
    out.append(eth(MAC_B, MAC_A, ETH_VLAN, vlan_tag(20, ETH_VLAN, 7) +
                   vlan_tag(30, ETH_IP6) +
                   udp6(V6_A, V6_B, 40000, 5000, b"qq")))
    out.append(eth(MAC_BC, MAC_A, ETH_VLAN, vlan_tag(10, ETH_ARP) +
                   arp(1, MAC_A, IP_A, bytes(6), IP_B)))
    out.append(eth(MAC_B, MAC_A, ETH_VLAN, vlan_tag(0, 0x88b5) + b"data"))
    out.append(eth(MAC_B, MAC_A, 0x88b5, b"local experimental payload"))
    out.append(eth(MAC_B, MAC_A, 0x9999, bytes(range(50)), pad=False))
    out.append(eth(MAC_B, MAC_A, 0x88b6, b"", pad=False))
    out.append(eth(MAC_V6MC, MAC_A, ETH_IP6,
                   ipv6(V6_A, V6_B, 17, udp(1, 2, b"abc"))[:30],
                   pad=False))
    return out


def llc(dsap, ssap, ctl, payload=b""):
    c = bytes([ctl]) if ctl & 3 == 3 else struct.pack("<H", ctl)
    return bytes([dsap, ssap]) + c + payload


def more_frames():
    """LLC/SNAP, tunnels, MLD, router discovery and other rarer cases."""
    out = []
    a, b = IP_A, IP_B
    for frame in (llc(0x12, 0x34, 0x03, b"hello"), llc(0x12, 0x35, 0xbf),
                  llc(0x13, 0x34, 0x0001), llc(0x12, 0x34, 0x0604),
                  llc(0x12, 0x34, 0x0105), llc(0x12, 0x34, 0xaf, b"\x81ab"),
                  llc(0x12, 0x34, 0xf3, b"\x81"), llc(0x12, 0x34, 0x63),
                  llc(0x06, 0x06, 0x03, udp4(a, b, 40000, 5000, b"llc")),
                  llc(0xaa, 0xaa, 0x03, b"\0\0\0\x08\x00" +
                      udp4(a, b, 40000, 5000, b"snap")),
                  llc(0xaa, 0xaa, 0x03, b"\0\0\0\x88\xb5xyz"),
                  llc(0xaa, 0xaa, 0x03, b"\x00\x90\x69\x12\x34abc"),
                  b"\x12", b""):
        out.append(eth(MAC_B, MAC_A, len(frame), frame))
    out.append(eth(MAC_B, MAC_A, ETH_VLAN, vlan_tag(5, 7) +
                   llc(0x12, 0x34, 0x03, b"tagged")))
    out.append(eth(MAC_B, MAC_A, 0x9100, vlan_tag(7, ETH_IP) +
                   udp4(a, b, 40000, 5000, b"9100")))
    # tunnels
    out.append(e4(ipv4(IP_C, a, 4, udp4(a, b, 40000, 5000, b"ipip"))))
    out.append(e4(ipv4(IP_C, a, 41, udp6(V6_G1, V6_G2, 1, 2, b"6in4"))))
    out.append(e6(ipv6(V6_A, V6_B, 41, udp6(V6_G1, V6_G2, 1, 2, b"6in6"))))
    out.append(e6(ipv6(V6_A, V6_B, 4, udp4(a, b, 40000, 5000, b"4in6"))))
    out.append(e6(ipv6(V6_A, V6_B, 143, eth(MAC_B, MAC_A, ETH_IP,
                                            udp4(a, b, 1, 2, b"e")))))
    out.append(e4(ipv4(a, b, 58, bytes(8))))
    out.append(e6(ipv6(V6_A, V6_B, 1, bytes(8))))
    out.append(e6(ipv6(V6_A, V6_B, 60, b"\x11\x00\x01\x04\0\0\0\0" +
                       udp(1, 2, b"dst", ph=ph6(V6_A, V6_B, 17)))))
    out.append(e6(ipv6(V6_A, V6_B, 0, b"\x3b\x00\xc2\x04\x00\x01\x00\x00")))
    # ICMP router advertisement, quoted packets cut short (-v)
    adv = struct.pack("!BBH", 2, 2, 1800) + IP_C + b"\0\0\0\x05" + \
        IP_B + b"\xff\xff\xff\xff"
    out.append(e4(ipv4(b, a, 1, icmp(9, 0, adv[:4], adv[4:]))))
    out.append(e4(ipv4(b, a, 1, icmp(9, 0, struct.pack("!BBH", 1, 3, 30),
                                     bytes(8)))))
    out.append(e4(ipv4(b, a, 1, icmp(9, 0, struct.pack("!BBH", 3, 2,
                                                       7200), bytes(8)))))
    out.append(e4(ipv4(b, a, 1, icmp(11, 0, bytes(4),
                                     inner_udp()[:20]))))
    out.append(e4(ipv4(b, a, 1, icmp(3, 1, bytes(4), bytes(4)))))
    # MLD, home agent, unknown ICMPv6
    mld = V6_SNM
    out.append(e6(ipv6(V6_A, V6_SNM, 58, icmp6(V6_A, V6_SNM, 131, 0,
                                               bytes(4) + mld))))
    out.append(e6(ipv6(V6_A, V6_SNM, 58, icmp6(V6_A, V6_SNM, 132, 0,
                                               bytes(4) + mld))))
    out.append(e6(ipv6(V6_A, V6_ALLN, 58, icmp6(V6_A, V6_ALLN, 130, 0,
                                                b"\x27\x10\0\0" +
                                                bytes(16)))))
    out.append(e6(ipv6(V6_A, V6_ALLN, 58, icmp6(V6_A, V6_ALLN, 130, 0,
                                                b"\x80\x10\0\0" + bytes(16) +
                                                b"\x0a\x90\x00\x01" +
                                                V6_G1))))
    rec = b"\x04\x00\x00\x01" + V6_SNM + V6_G1
    out.append(e6(ipv6(V6_A, V6_ALLR, 58, icmp6(V6_A, V6_ALLR, 143, 0,
                                                b"\0\0\0\x02" + rec +
                                                b"\x09" + rec[1:]))))
    out.append(e6(ipv6(V6_A, V6_B, 58, icmp6(V6_A, V6_B, 144, 0,
                                             b"\x12\x34\0\0"))))
    out.append(e6(ipv6(V6_A, V6_B, 58, icmp6(V6_A, V6_B, 250, 0,
                                             bytes(20)))))
    out.append(e6(ipv6(V6_A, V6_B, 58, b"")))
    # TCP: RST with text (-v), MD5 signature, header cut short after EOL
    out.append(e4(tcp4(a, b, 45100, 5100, 9, 0, F_RST,
                       payload=b"Connection refused\n\x01\xff" + bytes(20))))
    out.append(e4(tcp4(a, b, 45101, 5101, 9, 0, F_SYN,
                       opts=b"\x13\x12" + bytes(range(16)))))
    out.append(e4(tcp4(a, b, 45102, 5102, 9, 0, F_SYN,
                       opts=b"\x00" + bytes(7))))
    return out


def eth_capture():
    cap = Capture()
    for group in (arp_frames, tcp_frames, udp_frames, icmp_frames,
                  icmp6_frames, ip_misc_frames, link_frames, more_frames):
        for f in group():
            cap.add(f)
    # TCP header captured up to an early EOL option, then cut
    syn = e4(tcp4(IP_A, IP_B, 45103, 5103, 9, 0, F_SYN | F_PSH,
                  opts=b"\x00" + bytes(11), payload=b"data"))
    cap.add(syn, caplen=14 + 20 + 21)
    # a long frame captured whole, and a frame cut by a snap length
    cap.add(e4(udp4(IP_A, IP_B, 40000, 5000, bytes(range(256)) * 4)))
    cap.add(e4(tcp4(IP_A, IP_B, 45000, 5001, 1, 2, F_PSH | F_ACK,
                    payload=bytes(1400))), caplen=96)
    return cap


def raw_capture():
    cap = Capture(start=1500000000)
    cap.add(udp4(IP_A, IP_B, 40000, 5000, b"raw"))
    cap.add(tcp4(IP_A, IP_B, 45000, 80, 1000, 0, F_SYN, opts=SYN_OPTS))
    cap.add(ipv4(IP_A, IP_B, 1, icmp(8, 0, b"", echo_body(9, 9, 16))))
    cap.add(udp6(V6_G1, V6_G2, 40000, 5000, b"raw6"))
    cap.add(ipv6(V6_G2, V6_G1, 58, icmp6(V6_G2, V6_G1, 129, 0,
                                          echo_body(1, 2, 8))))
    cap.add(b"\x00" * 20)
    cap.add(b"\x45")
    cap.add(b"")
    cap.add(tcp4(IP_A, IP_B, 45000, 80, 1000, 0, F_SYN, opts=SYN_OPTS),
            caplen=30)
    return cap


def nano_capture():
    cap = Capture(nano=True, start=1600000000)
    cap.add(e4(udp4(IP_A, IP_B, 40000, 5000, b"nano")))
    cap.add(eth(MAC_BC, MAC_A, ETH_ARP, arp(1, MAC_A, IP_A, bytes(6),
                                            IP_B)))
    cap.add(e6(tcp6(V6_G1, V6_G2, 45027, 80, 1, 0, F_SYN,
                    opts=SYN_OPTS)))
    cap.frames.append((1600000100, 999999999,
                       e4(udp4(IP_A, IP_B, 1, 2, b"end")), 60))
    cap.frames.append((1600000101, 0, e4(udp4(IP_A, IP_B, 1, 2, b"z")),
                       60))
    return cap


def be_capture():
    cap = Capture(start=1400000000)
    cap.add(e4(udp4(IP_A, IP_B, 40000, 5000, b"big endian")))
    cap.add(eth(MAC_BC, MAC_A, ETH_ARP, arp(1, MAC_A, IP_A, bytes(6),
                                            IP_B)))
    cap.add(e4(tcp4(IP_A, IP_B, 45000, 80, 1000, 0, F_SYN)), caplen=40)
    return cap


def trunc_capture():
    cap = Capture(start=1300000000)
    inner = inner_udp()
    nd = icmp6(V6_A, V6_SNM, 135, 0, bytes(4) + V6_B + nd_opt(1, MAC_A))
    ra = icmp6(V6_B, V6_ALLN, 134, 0,
               struct.pack("!BBHII", 64, 0xC0, 1800, 0, 0) +
               nd_opt(1, MAC_B) + nd_opt(5, struct.pack("!HI", 0, 1500)))
    templates = [
        eth(MAC_BC, MAC_A, ETH_ARP, arp(1, MAC_A, IP_A, bytes(6), IP_B),
            pad=False),
        e4(tcp4(IP_A, IP_B, 45000, 80, 1000, 0, F_SYN, opts=SYN_OPTS)),
        e4(tcp4(IP_A, IP_B, 45000, 5000, 1, 2, F_ACK,
                opts=b"\x01\x01\x05\x0a" + struct.pack("!II", 10, 20))),
        eth(MAC_B, MAC_A, ETH_QINQ, vlan_tag(100, ETH_VLAN) +
            vlan_tag(10, ETH_IP) + udp4(IP_A, IP_B, 40000, 5000, b"abc")),
        e4(ipv4(IP_B, IP_A, 1, icmp(3, 3, bytes(4), inner[:28]))),
        e4(ipv4(IP_B, IP_A, 1, icmp(8, 0, b"", echo_body(1, 2, 4)))),
        e6(ipv6(V6_A, V6_SNM, 58, nd, hlim=255)),
        e6(ipv6(V6_B, V6_ALLN, 58, ra, hlim=255)),
        e6(udp6(V6_G1, V6_G2, 40000, 5000, b"abc")),
        e6(ipv6(V6_G1, V6_G2, 44, struct.pack("!BBHI", 17, 0, 1, 9) +
                udp(40000, 5000, bytes(4)))),
    ]
    for t in templates:
        for n in range(len(t)):
            cap.add(t, caplen=n)
    return cap


# TCP ports above 1023 for which tcpdump decodes the payload.
TCP_DISSECTED = {1723, 2049, 6379, 6633, 6653, 8080, 8554, 10288}


def mangle(rng, frame, start, count):
    b = bytearray(frame)
    for _ in range(count):
        i = rng.randrange(start, len(b))
        b[i] = rng.randrange(256)
    return bytes(b)


def rand_bytes(rng, n):
    return bytes(rng.randrange(256) for _ in range(n))


def tcp_random_options(rng):
    """Mostly well-formed option lists, now and then a broken one."""
    out = b""
    for _ in range(rng.randrange(0, 6)):
        k = rng.choice(["nop", "eol", "mss", "ws", "sackok", "sack", "ts",
                        "md5", "uto", "tfo", "exp", "scps", "ao", "cc",
                        "unknown", "junk"])
        if k == "nop":
            out += b"\x01"
        elif k == "eol":
            out += b"\x00"
        elif k == "mss":
            out += b"\x02\x04" + rand_bytes(rng, 2)
        elif k == "ws":
            out += b"\x03\x03" + rand_bytes(rng, 1)
        elif k == "sackok":
            out += b"\x04\x02"
        elif k == "sack":
            n = rng.randrange(1, 4)
            out += bytes([5, 2 + 8 * n]) + rand_bytes(rng, 8 * n)
        elif k == "ts":
            out += b"\x08\x0a" + rand_bytes(rng, 8)
        elif k == "md5":
            out += b"\x13\x12" + rand_bytes(rng, 16)
        elif k == "uto":
            out += b"\x1c\x04" + rand_bytes(rng, 2)
        elif k == "tfo":
            n = rng.choice([0, 3, 4, 8, 16, 18])
            out += bytes([34, 2 + n]) + rand_bytes(rng, n)
        elif k == "exp":
            n = rng.choice([0, 2, 4, 6])
            magic = rng.choice([b"\xf9\x89", rand_bytes(rng, 2)])
            out += bytes([254, 4 + n]) + magic + rand_bytes(rng, n)
        elif k == "scps":
            out += b"\x14\x04" + rand_bytes(rng, 2)
        elif k == "ao":
            n = rng.randrange(0, 8)
            out += bytes([29, 2 + n]) + rand_bytes(rng, n)
        elif k == "cc":
            out += bytes([rng.choice([6, 7, 11, 12, 13]), 6]) + \
                rand_bytes(rng, 4)
        elif k == "unknown":
            kind = rng.choice([9, 10, 14, 15, 16, 17, 18, 21, 22, 27,
                               31, 99, 200, 253])
            n = rng.randrange(0, 8)
            out += bytes([kind, 2 + n]) + rand_bytes(rng, n)
        else:
            out += rand_bytes(rng, rng.randrange(1, 4))
    return out[:40]


def nd_random_options(rng):
    out = b""
    for _ in range(rng.randrange(0, 4)):
        k = rng.choice([1, 2, 3, 4, 5, 7, 8, 24, 25, 31, 99, 0])
        if k in (1, 2):
            out += nd_opt(k, rand_bytes(rng, rng.choice([6, 6, 14])))
        elif k == 3:
            out += nd_opt(3, rand_bytes(rng, 14) + V6_G1)
        elif k == 4:
            out += nd_opt(4, bytes(6) + rand_bytes(rng, 8))
        elif k in (5, 7):
            out += nd_opt(k, rand_bytes(rng, 6))
        elif k == 8:
            out += nd_opt(8, rand_bytes(rng, 6))
        elif k == 24:
            n = rng.randrange(0, 3)
            out += nd_opt(24, bytes([rng.randrange(129)]) +
                          rand_bytes(rng, 5) + V6_G2[:8 * n])
        elif k == 25:
            n = rng.randrange(0, 3)
            out += nd_opt(25, rand_bytes(rng, 6) + V6_G1 * n)
        elif k == 31:
            out += nd_opt(31, rand_bytes(rng, 6) +
                          b"\x07example\x03com\x00")
        elif k == 99:
            out += nd_opt(99, rand_bytes(rng, rng.randrange(14)))
        else:
            out += rand_bytes(rng, rng.randrange(1, 8))
    return out


def ip_random_options(rng):
    out = b""
    while len(out) < 40 and rng.random() < 0.8:
        k = rng.choice(["nop", "eol", "ra", "rr", "lsrr", "ssrr", "ts",
                        "sec", "unknown", "junk"])
        if k == "nop":
            out += b"\x01"
        elif k == "eol":
            out += b"\x00"
        elif k == "ra":
            out += b"\x94\x04" + rng.choice([b"\0\0", rand_bytes(rng, 2)])
        elif k in ("rr", "lsrr", "ssrr"):
            n = rng.randrange(0, 4)
            code = {"rr": 7, "lsrr": 131, "ssrr": 137}[k]
            ptr = rng.choice([4, 8, 4 + 4 * n, rng.randrange(256)])
            out += bytes([code, 3 + 4 * n, ptr]) + rand_bytes(rng, 4 * n)
        elif k == "ts":
            n = rng.randrange(0, 3)
            flag = rng.choice([0, 1, 3, 2, 5]) | rng.randrange(4) << 4
            hop = 4 if flag & 15 == 0 else 8
            ptr = rng.choice([5, 5 + hop, rng.randrange(256)])
            out += bytes([68, 4 + hop * n, ptr, flag]) + \
                rand_bytes(rng, hop * n)
        elif k == "sec":
            out += bytes([130, 11]) + rand_bytes(rng, 9)
        elif k == "unknown":
            n = rng.randrange(0, 5)
            out += bytes([rng.choice([25, 82, 149, 222]), 2 + n]) + \
                rand_bytes(rng, n)
        else:
            out += rand_bytes(rng, rng.randrange(1, 4))
    out = out[:40]
    return out + bytes((-len(out)) % 4)


def mangled_capture():
    """Valid frames with random bytes changed in fields whose every value
    the decoder is meant to print as tcpdump does."""
    rng = random.Random(4242)
    cap = Capture(start=1200000000)
    def port():
        # a port without a tcpdump payload dissector
        while True:
            p = rng.randrange(1024, 65536)
            if p not in TCP_DISSECTED:
                return p

    for _ in range(150):
        opts = tcp_random_options(rng)
        flags = rng.randrange(256)
        off = 5 + (len(opts) + 3) // 4 if rng.random() < 0.8 else \
            rng.randrange(16)
        t = tcp4(IP_A, IP_B, port(), port(), rng.randrange(1 << 32),
                 rng.randrange(1 << 32), flags, opts=opts, off=off,
                 win=rng.randrange(65536), urp=rng.randrange(65536),
                 payload=bytes(rng.randrange(0, 20)))
        cap.add(e4(t))
    for _ in range(80):
        typ = rng.choice([0, 3, 4, 5, 8, 11, 12, 13, 14, 17, 18,
                          rng.randrange(256)])
        code = rng.randrange(20) if rng.random() < 0.7 else \
            rng.randrange(256)
        inner = udp4(IP_A, IP_B, 40000, rng.randrange(1024, 65536),
                     bytes(8))
        body = bytes(rng.randrange(256) for _ in range(4)) + inner[:28]
        cap.add(e4(ipv4(IP_B, IP_A, 1, icmp(typ, code, body[:4],
                                            body[4:]))))
    for _ in range(60):
        typ = rng.choice([1, 2, 3, 4, 128, 129, 133, 134, 135, 136])
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(60)))
        cap.add(e6(ipv6(V6_A, V6_B, 58, icmp6(V6_A, V6_B, typ,
                                              rng.randrange(9), body))))
    for _ in range(80):
        typ = rng.choice([133, 134, 135, 136, 137])
        fixed = {133: 4, 134: 12, 135: 20, 136: 20, 137: 36}[typ]
        body = rand_bytes(rng, fixed) + nd_random_options(rng)
        cap.add(e6(ipv6(V6_A, V6_B, 58, icmp6(V6_A, V6_B, typ, 0, body),
                        hlim=255)))
    for _ in range(60):
        opts = ip_random_options(rng)
        cap.add(e4(ipv4(IP_A, IP_B, 17, udp(40000, 5000, b"o"),
                        options=opts, bad_sum=rng.random() < 0.2)))
    for _ in range(60):
        a = arp(rng.choice([1, 2, 3, 4, 8, 9, rng.randrange(65536)]),
                MAC_A, IP_A, MAC_B, IP_B)
        cap.add(eth(MAC_BC, MAC_A, ETH_ARP, mangle(rng, a, 0, 2)))
    return cap


def fuzz_capture(raw=False):
    rng = random.Random(1234 + raw)
    cap = Capture(start=1100000000)
    seeds = []
    for group in (arp_frames, tcp_frames, udp_frames, icmp_frames,
                  icmp6_frames, ip_misc_frames, link_frames):
        seeds.extend(f[14:] if raw else f for f in group()
                     if len(f) > 14)
    for _ in range(2000):
        f = rng.choice(seeds)
        f = mangle(rng, f, 0, rng.randrange(1, 12))
        n = rng.randrange(len(f) + 1)
        wire = rng.choice([len(f), n, rng.randrange(65536)])
        cap.add(f, wirelen=wire, caplen=n)
    for _ in range(300):
        n = rng.randrange(200)
        cap.add(bytes(rng.randrange(256) for _ in range(n)))
    return cap


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    files = [
        ("eth", eth_capture(), 1),
        ("raw", raw_capture(), 101),
        ("nano", nano_capture(), 1),
        ("be", be_capture(), 1),
        ("trunc", trunc_capture(), 1),
        ("mangled", mangled_capture(), 1),
        ("fuzz", fuzz_capture(), 1),
        ("fuzzraw", fuzz_capture(raw=True), 101),
    ]
    for name, cap, lt in files:
        write_pcap(os.path.join(out, name + ".pcap"), cap.frames,
                   linktype=lt, nano=cap.nano, big=(name == "be"))
        with open(os.path.join(out, name + ".count"), "w") as f:
            f.write("%d\n" % len(cap.frames))


if __name__ == "__main__":
    main()
