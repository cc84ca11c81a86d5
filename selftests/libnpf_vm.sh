#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# libnpf against real adapters (veth, dummy, tun, lo) in a network
# namespace of its own: what the library says about them (adapter list and
# descriptions, flags, addresses, net type, every OID) against ip -j,
# ethtool and sysfs; every function of Packet32.h on a veth pair
# (libnpf/tests/vm/npf-vm-test); npfctl against a known set of opens;
# npfdump -D; the examples, one of them built here from packet.dll-only
# source; PacketSetDumpName and npfdump -K opening the dump file in user
# space (umask, symlinks, truncation, errors, RLIMIT_FSIZE); PacketSendPackets
# under SIGSTOP/SIGCONT and a timer. TAP output, numbered here; exit 0 when
# all ok.
#
# Needs: make (libnpf with its examples and VM test program, tools), npf.ko
# loaded, ip, ethtool, python3, unshare, cc; root.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
VMTEST=$REPO/libnpf/tests/vm/npf-vm-test
NPFDUMP=$REPO/tools/npfdump
NPFCTL=$REPO/tools/npfctl
NPFGEN=$REPO/tools/npfgen
EXAMPLES=$REPO/libnpf/examples
ADAPTERS="lo npfv0 npfv1 npfd0 npfd1 npft0"

# Everything runs in a private network namespace.
if [ -z "${NPF_LIBNPF_VM_NETNS:-}" ]; then
	export NPF_LIBNPF_VM_NETNS=1
	exec unshare --net --mount -- bash "$0" "$@"
fi
# sysfs shows the devices of the namespace that mounted it
mount -t sysfs sysfs /sys || { echo "Bail out! cannot mount sysfs"; exit 1; }
export PATH=$PATH:/usr/sbin:/sbin
export LD_LIBRARY_PATH=$REPO/libnpf${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

t=0
failed=0
ok() {
	t=$((t + 1))
	echo "ok $t - $*"
}
notok() {
	t=$((t + 1))
	failed=1
	echo "not ok $t - $*"
}
check() {	# check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
# Number the "ok - X" / "not ok - X" lines of a program; pass the rest.
renumber() {
	local line
	while IFS= read -r line; do
		case $line in
		'ok - '*) ok "${line#ok - }" ;;
		'not ok - '*'# TODO'*)
			t=$((t + 1))
			echo "not ok $t - ${line#not ok - }"
			;;
		'not ok - '*) notok "${line#not ok - }" ;;
		'Bail out!'*) notok "$line" ;;
		*) echo "# $line" ;;
		esac
	done
}
finish() {
	echo "1..$t"
	exit "$failed"
}

echo "TAP version 13"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/libnpf-vm.XXXXXX") || {
	echo "Bail out! mktemp failed"
	exit 1
}
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

need() {
	if [ ! -e "$1" ]; then
		notok "$1 present (not built? make)"
		finish
	fi
}
need "$VMTEST"
need "$NPFDUMP"
need "$NPFCTL"
need "$NPFGEN"
need /dev/npf
for c in ip ethtool python3 cc; do
	command -v "$c" >/dev/null || { notok "$c installed"; finish; }
done

# --- the adapters -------------------------------------------------------------
# npfv0 up with its peer npfv1 down (no carrier), npfd0 up with an alias
# and addresses with and without a broadcast and a peer, npfd1 down, npft0
# a tun device (no link header), lo.
setup() {
	ip link set lo up &&
	ip link add npfv0 type veth peer name npfv1 &&
	ip link add npfd0 type dummy &&
	ip link add npfd1 type dummy &&
	ip tuntap add dev npft0 mode tun &&
	ip link set npfv0 mtu 1400 &&
	ip link set npfv0 up &&
	ip link set npfd0 up &&
	ip link set dev npfd0 alias "npf test dummy" &&
	ip addr add 10.11.0.1/24 brd + dev npfv0 &&
	ip addr add fd00:11::1/64 dev npfv0 nodad &&
	ip addr add 10.12.0.1/16 dev npfd0 &&
	ip addr add 192.168.77.5/32 dev npfd0 &&
	ip addr add 10.13.0.1 peer 10.13.0.2/32 dev npfd0 &&
	ip addr add fd00:12::5/64 dev npfd0 nodad &&
	ip maddr add 01:00:5e:05:06:07 dev npfv0
}
if ! setup; then
	notok "veth, dummy, tun adapters and addresses set up"
	finish
fi
ok "veth, dummy, tun adapters and addresses set up"
sleep 1		# IPv6 link-local addresses settle

# --- the comparator -------------------------------------------------------------
cat >"$tmp/compare.py" <<'EOF'
# What libnpf says (npf-vm-test facts, npfdump -D) against ip -j, ethtool
# and sysfs. Prints "ok - X" / "not ok - X" lines.
import ipaddress
import json
import subprocess
import sys

CAPTURABLE = ("ether", "loopback", "none", "rawip", "ppp", "ipip",
              "tunnel6", "sit")
NDIS_802_3, NDIS_IP = 0, 19


def run(*args):
    r = subprocess.run(args, capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else None


def ipj(*args):
    return json.loads(run("ip", "-j", *args) or "[]")


def sysfs(ifname, name):
    try:
        with open("/sys/class/net/%s/%s" % (ifname, name)) as f:
            return f.read().strip()
    except OSError:
        return None


def result(good, what, got=None, want=None, todo=None):
    if good:
        print("ok - %s" % what)
        return
    line = "not ok - %s (got %r, want %r)" % (what, got, want)
    if todo:
        line += " # TODO %s" % todo
    print(line)


def same(got, want, what, todo=None):
    result(got == want, what, got, want, todo)


class Links:
    def __init__(self):
        self.link = {l["ifname"]: l for l in ipj("-d", "link", "show")}
        self.addr = {l["ifname"]: l.get("addr_info", [])
                     for l in ipj("addr", "show")}
        self.maddr = {l["ifname"]: l.get("maddr", [])
                      for l in ipj("maddr", "show")}

    def names(self):
        links = sorted(self.link.values(), key=lambda l: l["ifindex"])
        return [l["ifname"] for l in links
                if l.get("link_type") in CAPTURABLE]

    def flags(self, ifname):
        return self.link[ifname].get("flags", [])

    def link_type(self, ifname):
        return self.link[ifname].get("link_type")


def ethtool(ifname):
    """Speed in Mb/s (0: none) and Link detected (None: not reported)."""
    speed, link = 0, None
    for line in (run("ethtool", ifname) or "").splitlines():
        key, _, value = line.strip().partition(":")
        value = value.strip()
        if key == "Speed" and value.endswith("Mb/s"):
            speed = int(value[:-4])
        elif key == "Link detected":
            link = value == "yes"
    return speed, link


def description(links, ifname):
    link = links.link[ifname]
    if link.get("ifalias"):
        return link["ifalias"]
    out = run("ethtool", "-i", ifname)
    if out is not None:
        info = {}
        for line in out.splitlines():
            key, _, value = line.partition(":")
            info[key.strip()] = value.strip()
        if info.get("driver"):
            bus = info.get("bus-info", "")
            return info["driver"] + (" " + bus if bus else "")
    kind = link.get("linkinfo", {}).get("info_kind")
    if kind:
        return kind
    if "LOOPBACK" in link.get("flags", []):
        return "loopback"
    return "Ethernet adapter" if link.get("link_type") == "ether" \
        else "IP adapter"


def flags(links, ifname):
    """PacketGetAdapterFlags() as ip, sysfs and ethtool say."""
    f = 0
    if "UP" in links.flags(ifname):
        f |= 0x2
    # IFF_RUNNING (not in sysfs' flags): up, and operationally up
    if "UP" in links.flags(ifname) and \
            links.link[ifname].get("operstate") in ("UP", "UNKNOWN"):
        f |= 0x4
    if "LOOPBACK" in links.flags(ifname):
        return f | 0x1 | 0x30
    link = ethtool(ifname)[1]
    return f | (0x30 if link is None else 0x10 if link else 0x20)


def flags_text(f):
    names = [n for bit, n in ((0x2, "Up"), (0x4, "Running"),
                              (0x1, "Loopback")) if f & bit]
    text = ", ".join(names) or "none"
    return text + {0x00: ", Connection status unknown", 0x10: ", Connected",
                   0x20: ", Disconnected", 0x30: ""}[f & 0x30]


def mask(family, plen):
    net = ipaddress.ip_network(("0.0.0.0" if family == "inet" else "::",
                                plen))
    return str(net.netmask)


def check_addrs(links, fact):
    ifname = fact["ifname"]
    want = []
    for a in links.addr.get(ifname, []):
        if a["family"] not in ("inet", "inet6"):
            continue
        scope = links.link[ifname]["ifindex"] \
            if a["local"].lower().startswith("fe80") else 0
        want.append({"family": a["family"], "local": a["local"],
                     "mask": mask(a["family"], a["prefixlen"]),
                     "broadcast": a.get("broadcast"), "scope_id": scope})
    same(fact["netinfo_ok"], True, "%s: PacketGetNetInfoEx" % ifname)
    same(fact["addrs"], want,
         "%s: PacketGetNetInfoEx: %d addresses, masks, broadcasts as ip -j addr"
         % (ifname, len(want)))


def perm_address(ifname, current):
    out = run("ethtool", "-P", ifname) or ""
    perm = out.partition(":")[2].strip()        # "not set" for some
    if len(perm) != 17 or perm == "00:00:00:00:00:00":
        return current
    return perm


def check_oids(links, fact):
    ifname, oid = fact["ifname"], fact["oid"]
    link = links.link[ifname]
    raw = link.get("link_type") == "none"
    speed = ethtool(ifname)[0]
    mtu = int(sysfs(ifname, "mtu"))
    same(oid["media_in_use"], NDIS_IP if raw else NDIS_802_3,
         "%s: OID_GEN_MEDIA_IN_USE" % ifname)
    same(oid["max_frame"], mtu, "%s: OID_GEN_MAXIMUM_FRAME_SIZE = mtu" % ifname)
    same(oid["max_total"], mtu + (0 if raw else 14),
         "%s: OID_GEN_MAXIMUM_TOTAL_SIZE = mtu + link header" % ifname)
    same(oid["link_speed"], speed * 10000,
         "%s: OID_GEN_LINK_SPEED = ethtool speed (%d Mb/s) in 100 bit/s"
         % (ifname, speed))
    same(oid["connect"], 0 if "LOWER_UP" in link.get("flags", []) else 1,
         "%s: OID_GEN_MEDIA_CONNECT_STATUS = carrier (ip LOWER_UP)" % ifname)
    addr = link.get("address") if not raw else None
    same(oid["cur_addr"], addr, "%s: OID_802_3_CURRENT_ADDRESS" % ifname)
    same(oid["perm_addr"], perm_address(ifname, addr) if addr else None,
         "%s: OID_802_3_PERMANENT_ADDRESS (ethtool -P)" % ifname)
    want = sorted(m["link"] for m in links.maddr.get(ifname, [])
                  if "link" in m)
    same(sorted(oid["mc_list"]), want,
         "%s: OID_802_3_MULTICAST_LIST = ip maddr (%d)" % (ifname, len(want)))
    same(oid["mc_max"], 32, "%s: OID_802_3_MAXIMUM_LIST_SIZE" % ifname)
    # DIRECTED | MULTICAST | BROADCAST: what the adapter delivers anyway;
    # no promiscuity held (ip -d link: promiscuity 0)
    same((oid["packet_filter"], link.get("promiscuity")), (0x0b, 0),
         "%s: OID_GEN_CURRENT_PACKET_FILTER of a new open" % ifname)


def check_counters(fact):
    ifname = fact["ifname"]
    for name, values in fact["counters"].items():
        if name == "_":
            continue
        before, v64, v32, after = values
        # the 32-bit query comes after the 64-bit one
        good = before <= v64 <= after and \
            (v32 - (v64 & 0xffffffff)) & 0xffffffff <= after - v64
        result(good, "%s: OID_GEN_%s within sysfs (%d..%d), 32 and 64 bits"
               % (ifname, name.upper(), before, after),
               (v64, v32), (before, after))


def check_fact(links, fact):
    ifname = fact["ifname"]
    link = links.link[ifname]
    raw = link.get("link_type") == "none"
    same(fact["flags"], flags(links, ifname),
         "%s: PacketGetAdapterFlags [%s]"
         % (ifname, flags_text(flags(links, ifname))))
    same(fact["loopback"], "LOOPBACK" in link.get("flags", []),
         "%s: PacketIsLoopbackAdapter" % ifname)
    check_addrs(links, fact)
    same(fact.get("linktype"), NDIS_IP if raw else NDIS_802_3,
         "%s: PacketGetNetType LinkType" % ifname)
    same(fact.get("speed"), ethtool(ifname)[0] * 1000000,
         "%s: PacketGetNetType LinkSpeed = ethtool speed" % ifname)
    same(fact["dlt"], 101 if raw else 1, "%s: PacketGetLinkType" % ifname)
    check_oids(links, fact)
    check_counters(fact)


def check_names(links, names):
    got = [n for n, _ in names]
    same(got, links.names(),
         "PacketGetAdapterNames: every capturable adapter, in ifindex order")
    for name, desc in names:
        if name in links.link:
            same(desc, description(links, name),
                 "PacketGetAdapterNames: description of %s" % name)


def facts(path):
    links = Links()
    with open(path) as f:
        for line in f:
            fact = json.loads(line)
            if "names" in fact:
                check_names(links, fact["names"])
            else:
                check_fact(links, fact)


def listing(path):
    """npfdump -D, line for line."""
    links = Links()
    want = []
    for i, name in enumerate(links.names(), 1):
        f = flags(links, name)
        text = flags_text(f)
        want.append("%d.%s (%s)%s" % (i, name, description(links, name),
                                      " [%s]" % text if f else ""))
    with open(path) as f:
        got = f.read().splitlines()
    same(got, want, "npfdump -D lists %s with descriptions and flags"
         % ", ".join(links.names()))


{"facts": facts, "listing": listing}[sys.argv[1]](sys.argv[2])
EOF

# pyrun SCRIPT ARGS...: its result lines, and a failure if it broke
pyrun() {
	local rc
	python3 "$@" >"$tmp/py.out" 2>&1
	rc=$?
	renumber <"$tmp/py.out"
	[ "$rc" = 0 ] || notok "$(basename "$1") $2: exit status $rc"
}
compare() {
	pyrun "$tmp/compare.py" "$@"
}

# --- facts: the library against ip, ethtool, sysfs ------------------------------
# shellcheck disable=SC2086
if "$VMTEST" facts $ADAPTERS >"$tmp/facts.json" 2>"$tmp/facts.err"; then
	ok "npf-vm-test facts $ADAPTERS"
	compare facts "$tmp/facts.json"
else
	notok "npf-vm-test facts $ADAPTERS"
	sed 's/^/# /' "$tmp/facts.json" "$tmp/facts.err"
fi

# --- every function, between npfv1 and npfv0 ------------------------------------
ip link set npfv1 up
for i in $(seq 50); do
	[ "$(cat /sys/class/net/npfv0/operstate)" = up ] && break
	sleep 0.1
done
"$VMTEST" api npfv1 npfv0 >"$tmp/api.out" 2>&1
rc=$?
renumber <"$tmp/api.out"
[ "$rc" -le 1 ] || notok "npf-vm-test api ended with status $rc"

# --- npfdump -D -------------------------------------------------------------------
if "$NPFDUMP" -D >"$tmp/list" 2>"$tmp/list.err"; then
	sed 's/^/# /' "$tmp/list"
	compare listing "$tmp/list"
else
	notok "npfdump -D"
	sed 's/^/# /' "$tmp/list.err"
fi

# --- npfctl against a known set of opens -------------------------------------------
# hold NAME ARGS...: an open in the background, ready once it says so
hold() {
	local name=$1 i
	shift
	"$VMTEST" "$@" >"$tmp/hold.$name" 2>&1 &
	pids+=($!)
	eval "pid_$name=$!"
	for i in $(seq 100); do
		grep -q '^ready' "$tmp/hold.$name" && return 0
		sleep 0.1
	done
	sed "s/^/# $name: /" "$tmp/hold.$name"
	return 1
}
holders() {
	hold A hold npfv0 -b 500000 -c 1000 -t 250 -p -f -s 3 &&
	hold B hold npfv1 -f -t 500 -m stat &&
	hold C hold npfd0 -w "$tmp/dump.pcap" -m dump &&
	hold D hold-unbound
}
if holders; then
	ok "four opens held (capt+promisc+filter, stat, dump, unbound)"
else
	notok "four opens held (capt+promisc+filter, stat, dump, unbound)"
fi

npfctl_ok() {	# npfctl_ok FILE ARGS...
	local out=$1
	shift
	"$NPFCTL" "$@" >"$out" 2>"$out.err" && [ ! -s "$out.err" ]
}
check "npfctl -j info" npfctl_ok "$tmp/info.json" -j info
check "npfctl -j opens" npfctl_ok "$tmp/opens.json" -j opens
check "npfctl opens (text)" npfctl_ok "$tmp/opens.txt" opens
check "npfctl (info, text)" npfctl_ok "$tmp/info.txt"
sed 's/^/# /' "$tmp/info.txt" "$tmp/opens.txt"

api_major=$(sed -n 's/^#define NPF_VERSION_MAJOR[[:space:]]*\([0-9]*\).*/\1/p' \
	"$REPO/uapi/linux/npf.h")
api_minor=$(sed -n 's/^#define NPF_VERSION_MINOR[[:space:]]*\([0-9]*\).*/\1/p' \
	"$REPO/uapi/linux/npf.h")
ifindex() {
	cat "/sys/class/net/$1/ifindex"
}
cat >"$tmp/npfctl.py" <<'EOF'
# npfctl's output against the opens held above.
import json
import re
import sys

(info_path, opens_path, text_path, version, max_buf, major, minor,
 a, b, c, d) = sys.argv[1:]


def same(got, want, what):
    if got == want:
        print("ok - %s" % what)
    else:
        print("not ok - %s (got %r, want %r)" % (what, got, want))


def pid_ifindex(s):
    pid, _, ifindex = s.partition(":")
    return int(pid), int(ifindex or 0)


with open(info_path) as f:
    info = json.loads(f.readline() or "{}")
same(info.get("version"), version, "npfctl info: version = /sys/module/npf/version")
same((info.get("api_major"), info.get("api_minor")), (int(major), int(minor)),
     "npfctl info: API version = <linux/npf.h>")
same(info.get("max_buffer_size"), int(max_buf),
     "npfctl info: max_buffer_size = the module parameter")
same(info.get("opens"), 4, "npfctl info: 4 opens in this namespace")

with open(opens_path) as f:
    opens = {o["pid"]: o for o in map(json.loads, f)}
same(len(opens), 4, "npfctl opens: 4 opens")

want = {
    "A": dict(adapter="npfv0", mode="capt", ring_size=500000,
              min_to_copy=1000, timeout=250, filter=True, promisc=True,
              dumping=False, sent=3, capt=3, ring_used=3 * 96, gone=False),
    "B": dict(adapter="npfv1", mode="stat", timeout=500, filter=True,
              promisc=False, dumping=False, gone=False),
    "C": dict(adapter="npfd0", mode="dump", dumping=True, filter=False,
              promisc=False),
}
for name, spec in (("A", a), ("B", b), ("C", c)):
    pid, ifindex = pid_ifindex(spec)
    o = opens.get(pid, {})
    same(o.get("comm"), "npf-vm-test", "npfctl opens: %s: pid and comm" % name)
    same(o.get("ifindex"), ifindex, "npfctl opens: %s: ifindex" % name)
    for key, value in want[name].items():
        same(o.get(key), value, "npfctl opens: %s: %s" % (name, key))
o = opens.get(int(d), {})
same(("adapter" in o, "ifindex" in o, o.get("mode")), (False, False, "capt"),
     "npfctl opens: D: bound to no adapter")

pid, ifindex = pid_ifindex(a)
with open(text_path) as f:
    text = f.read()
line = "pid %d (npf-vm-test) adapter npfv0 (ifindex %d) mode capt" % (pid, ifindex)
same(line in text, True, "npfctl opens (text): %s" % line)
same("ring 288/500000 bytes  min_to_copy 1000  timeout 250 ms  flags filter,promisc"
     in text, True, "npfctl opens (text): ring, MinToCopy, timeout, flags")
same(bool(re.search(r"recv \d+  capt 3  drop 0  filter_rejects \d+  "
                   r"nomem 0  sent 3\n", text)), True,
     "npfctl opens (text): counters")
EOF
pyrun "$tmp/npfctl.py" "$tmp/info.json" "$tmp/opens.json" \
	"$tmp/opens.txt" "$(cat /sys/module/npf/version)" \
	"$(cat /sys/module/npf/parameters/max_buffer_size)" \
	"$api_major" "$api_minor" \
	"${pid_A:-0}:$(ifindex npfv0)" "${pid_B:-0}:$(ifindex npfv1)" \
	"${pid_C:-0}:$(ifindex npfd0)" "${pid_D:-0}"

for p in "${pids[@]}"; do
	kill "$p" 2>/dev/null
done
wait 2>/dev/null
pids=()
for i in $(seq 50); do
	"$NPFCTL" -j >"$tmp/info2.json" 2>/dev/null &&
		grep -q '"opens":0' "$tmp/info2.json" && break
	sleep 0.1
done
check "npfctl info: 0 opens once the holders exited" \
	grep -q '"opens":0' "$tmp/info2.json"

# --- the examples ---------------------------------------------------------------------
# listadapters is packet.dll-only source: it builds here, unchanged, with
# Packet32.h and libnpf alone.
check "examples/listadapters.c builds against Packet32.h and libnpf only" \
	cc -Wall -Wextra -Werror -I"$REPO/libnpf" -I"$REPO/uapi" \
	-o "$tmp/listadapters" "$EXAMPLES/listadapters.c" \
	-L"$REPO/libnpf" -lnpf
"$tmp/listadapters" >"$tmp/la.out" 2>&1
sed 's/^/# /' "$tmp/la.out"
check "listadapters: npfd0's description and addresses" \
	grep -q 'inet 10.12.0.1 netmask 255.255.0.0' "$tmp/la.out"
check "listadapters: npfd0's alias as its description" \
	grep -q '^[0-9]*\. npfd0 (npf test dummy)' "$tmp/la.out"
check "listadapters: npfv0's link type and speed" \
	grep -q 'link type Ethernet, speed 10000 Mbit/s' "$tmp/la.out"
check "listadapters: npfv0's MAC address" \
	grep -q "MAC address $(cat /sys/class/net/npfv0/address)" "$tmp/la.out"

"$EXAMPLES/capture" npfv0 3 >"$tmp/cap.out" 2>&1 &
cap=$!
pids+=($cap)
for i in $(seq 50); do
	grep -q Listening "$tmp/cap.out" && break
	sleep 0.1
done
"$EXAMPLES/sendframe" npfv1 3 >"$tmp/send.out" 2>&1
check "sendframe npfv1 3: sent, and a send queue" \
	grep -q 'a send queue of 4 frames sent' "$tmp/send.out"
for i in $(seq 50); do
	kill -0 "$cap" 2>/dev/null || break
	sleep 0.1
done
kill "$cap" 2>/dev/null
wait "$cap"
cap_rc=$?
sed 's/^/# /' "$tmp/send.out" "$tmp/cap.out"
check "capture npfv0 3: three UDP/IPv4 frames from sendframe" \
	test "$cap_rc" = 0 -a \
	"$(grep -c 'type 0x0800' "$tmp/cap.out")" = 3

"$EXAMPLES/netstats" npfv0 2 >"$tmp/stats.out" 2>&1 &
st=$!
pids+=($st)
sleep 0.3
"$EXAMPLES/sendframe" npfv1 10 >/dev/null 2>&1
wait "$st"
st_rc=$?
sed 's/^/# /' "$tmp/stats.out"
check "netstats npfv0 2: two intervals of statistics mode" \
	test "$st_rc" = 0 -a "$(grep -c 'packets/s' "$tmp/stats.out")" = 2

# --- PacketSetDumpName: the library opens the file (libnpf 1.4) ---------------------
# uid 65534 must reach DIR/files/open: the directories above it are 0755.
dn=$tmp/dumpname
mkdir -p "$dn/files" "$dn/ro" && chmod 755 "$tmp" "$dn" "$dn/files"
if mount -t tmpfs -o ro,size=64k tmpfs "$dn/ro"; then
	"$VMTEST" dumpname npfv0 "$dn/files" "$dn/ro" >"$tmp/dn.out" 2>&1
	rc=$?
	renumber <"$tmp/dn.out"
	[ "$rc" -le 1 ] || notok "npf-vm-test dumpname ended with status $rc"
	umount "$dn/ro"
else
	notok "a read-only tmpfs for npf-vm-test dumpname"
fi

# --- PacketSendPackets under signals ---------------------------------------------------
"$VMTEST" sendq-signals npfv1 >"$tmp/sq.out" 2>&1
rc=$?
renumber <"$tmp/sq.out"
[ "$rc" -le 1 ] || notok "npf-vm-test sendq-signals ended with status $rc"

# --- npfdump -K: npfdump opens -w FILE, the kernel writes it ---------------------------
# Frames: npfgen on npfv1, UDP to port 4321 (the only frames the filter
# takes), 100 bytes: 116 bytes of pcap record each.
kd=$tmp/kdump
mkdir -p "$kd/ro" && mount -t tmpfs -o ro,size=64k tmpfs "$kd/ro" ||
	notok "a read-only tmpfs for npfdump -K"
mkfifo "$kd/fifo"
KFILTER='udp dst port 4321'
send_udp() {	# send_udp COUNT
	"$NPFGEN" -i npfv1 --dport 4321 --size 100 --loop "$1" \
		>"$kd/gen.out" 2>&1 || sed 's/^/# npfgen: /' "$kd/gen.out"
}
# whole pcap records in FILE, or "bad"
pcap_records() {
	python3 - "$1" <<'EOF'
import struct
import sys
d = open(sys.argv[1], "rb").read()
off, n = 24, 0
if len(d) < 24 or struct.unpack("<I", d[:4])[0] != 0xa1b2c3d4:
    print("bad")
    sys.exit()
while len(d) - off >= 16:
    off += 16 + struct.unpack("<I", d[off + 8:off + 12])[0]
    n += 1
print(n if off == len(d) else "bad")
EOF
}
# kdump_start NAME SETUP FILE [ARGS...]: npfdump -K -w FILE on npfv0 in the
# background, after the shell commands SETUP (umask, ulimit); ready once
# it listens. Its pid in kpid.
kdump_start() {
	local name=$1 setup=$2 file=$3 i
	shift 3
	bash -c "$setup"' && exec "$0" "$@"' "$NPFDUMP" -i npfv0 -K \
		-w "$file" "$@" "$KFILTER" >"$kd/$name.out" 2>"$kd/$name.err" &
	kpid=$!
	pids+=("$kpid")
	for i in $(seq 100); do
		grep -q 'listening on' "$kd/$name.err" && return 0
		kill -0 "$kpid" 2>/dev/null || break
		sleep 0.1
	done
	sed "s/^/# npfdump: /" "$kd/$name.err"
	return 1
}
# kdump_end: npfdump's exit status, or 124 when it was still running
# after 10 s (then killed)
kdump_end() {
	local _
	for _ in $(seq 100); do
		kill -0 "$kpid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$kpid" 2>/dev/null; then
		kill "$kpid"
		wait "$kpid"
		return 124
	fi
	wait "$kpid"
}
# kdump_case NAME SETUP FILE COUNT: npfdump -K -c COUNT under SETUP while
# COUNT frames go by; 0 when it exited 0 with COUNT records in FILE
kdump_case() {
	local name=$1 setup=$2 file=$3 count=$4 rc n
	kdump_start "$name" "$setup" "$file" -c "$count" || return 1
	send_udp "$count"
	kdump_end
	rc=$?
	n=$(pcap_records "$file")
	echo "# npfdump -K -c $count ($setup): exit $rc, $n records"
	[ "$rc" = 0 ] || sed "s/^/# npfdump: /" "$kd/$name.err"
	[ "$rc" = 0 ] && [ "$n" = "$count" ]
}
mode_of() {
	stat -c %a "$1" 2>/dev/null
}

check "npfdump -K -w FILE under umask 077: 3 packets, mode 600" \
	eval 'kdump_case um077 "umask 077" "$kd/um077.pcap" 3 &&
	      [ "$(mode_of "$kd/um077.pcap")" = 600 ]'
check "npfdump -K -w FILE under umask 022: 2 packets, mode 644" \
	eval 'kdump_case um022 "umask 022" "$kd/um022.pcap" 2 &&
	      [ "$(mode_of "$kd/um022.pcap")" = 644 ]'
ln -s target.pcap "$kd/link.pcap"
check "npfdump -K -w SYMLINK: the target is written, the link stays" \
	eval 'kdump_case link "umask 022" "$kd/link.pcap" 2 &&
	      [ -L "$kd/link.pcap" ] &&
	      [ "$(pcap_records "$kd/target.pcap")" = 2 ]'
head -c 100000 /dev/zero >"$kd/old.pcap"
check "npfdump -K -w EXISTING: truncated, 1 packet" \
	kdump_case old "umask 022" "$kd/old.pcap" 1

# one line on stderr, exit status 1, nothing left running
kdump_err() {	# kdump_err DESCRIPTION FILE EXPECTED-LINE
	local out rc
	out=$(timeout 10 "$NPFDUMP" -i npfv0 -K -w "$2" "$KFILTER" 2>&1 \
	      >/dev/null)
	rc=$?
	if [ "$rc" = 1 ] && [ "$out" = "$3" ]; then
		ok "$1"
	else
		notok "$1"
		echo "# exit $rc (want 1), stderr:"
		printf '%s\n' "$out" | sed 's/^/#   /'
		echo "# want: $3"
	fi
}
kdump_err "npfdump -K -w DIRECTORY: one line, exit 1" "$kd" \
	"npfdump: $kd: Is a directory"
kdump_err "npfdump -K -w in a missing directory: one line, exit 1" \
	"$kd/none/x.pcap" "npfdump: $kd/none/x.pcap: No such file or directory"
kdump_err "npfdump -K -w on a read-only file system: one line, exit 1" \
	"$kd/ro/x.pcap" "npfdump: $kd/ro/x.pcap: Read-only file system"
kdump_err "npfdump -K -w FIFO: not a regular file, at once" "$kd/fifo" \
	"npfdump: $kd/fifo: not a regular file (the kernel dump writes regular files only)"
kdump_err "npfdump -K -w /dev/null: not a regular file" /dev/null \
	"npfdump: /dev/null: not a regular file (the kernel dump writes regular files only)"

# ulimit -f: the dump ends at the limit (whole records), npfdump says why
fsize=$(bash -c 'ulimit -f 1 && exec cat /proc/self/limits' |
	awk '/^Max file size/ { print $4 }')
fsize_records=$(( (fsize - 24) / 116 ))
fsize_case() {
	local rc n
	kdump_start fsize "ulimit -f 1" "$kd/fsize.pcap" || return 1
	send_udp $((fsize_records + 4))
	kdump_end
	rc=$?
	n=$(pcap_records "$kd/fsize.pcap")
	echo "# ulimit -f 1 ($fsize bytes): npfdump exit $rc, $n records (want $fsize_records), $(stat -c %s "$kd/fsize.pcap") bytes"
	sed 's/^/# npfdump: /' "$kd/fsize.err"
	[ "$rc" = 1 ] && [ "$n" = "$fsize_records" ] &&
	[ "$(tail -n 1 "$kd/fsize.err")" = \
	  "npfdump: kernel dump: File too large (the file size limit, ulimit -f)" ]
}
check "npfdump -K under ulimit -f 1: $fsize_records whole packets, then 'File too large', exit 1" \
	fsize_case
umount "$kd/ro" 2>/dev/null

finish
