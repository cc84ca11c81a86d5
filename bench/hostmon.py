#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host side of `make bench`: CPU time of the VM's virtual CPUs per run.

    bench/hostmon.py --pid RUN_SH_PID --out HOST.txt --ack ACKFILE < console

Copies the console (scripts/vm/run.sh's output) to stdout, except the lines
"NPFBENCH-MARK ID" that bench/guest.sh prints around every measurement. At
each of those it reads, from /proc, the run time (schedstat, nanoseconds)
of every thread of the QEMU process started under RUN_SH_PID, appends

    mark=ID cpu0=NS cpu1=NS all=NS t=SECONDS

to HOST.txt and writes ID to ACKFILE (the guest waits for it, on the
shared build/ directory, before it goes on).

Why: under TCG the guest's clocks run at host wall-clock speed, so every
time the host preempts a virtual CPU (other VMs, builds) the guest sees a
slower CPU; the host CPU time a virtual CPU thread consumed is the work it
emulated, whatever else the host was doing. With MTTCG, QEMU runs each
virtual CPU in a thread of its own, created after the main thread and the
RCU thread: cpu0 and cpu1 are the third and fourth threads by thread id
(QEMU 7.2 does not name them unless -name debug-threads=on). An idle
virtual CPU halts and its thread sleeps, so idle time costs nothing.
"""
import argparse
import os
import sys
import time


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                s = f.read()
        except OSError:
            continue
        # comm may hold spaces: the fields after the last ')'
        rest = s[s.rfind(")") + 2:].split()
        comm = s[s.find("(") + 1:s.rfind(")")]
        kids.setdefault(int(rest[1]), []).append((int(d), comm))
    return kids


def find_qemu(root):
    kids = children_map()
    todo = [root]
    while todo:
        p = todo.pop()
        for c, comm in kids.get(p, []):
            if comm.startswith("qemu-system"):
                return c
            todo.append(c)
    return None


def sample(qpid):
    tids = []
    try:
        names = os.listdir("/proc/%d/task" % qpid)
    except OSError:
        return None
    for t in names:
        try:
            with open("/proc/%d/task/%s/schedstat" % (qpid, t)) as f:
                tids.append((int(t), int(f.read().split()[0])))
        except (OSError, ValueError, IndexError):
            continue
    tids.sort()
    return {
        "cpu0": tids[2][1] if len(tids) > 2 else 0,
        "cpu1": tids[3][1] if len(tids) > 3 else 0,
        "all": sum(ns for _, ns in tids),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ack", required=True)
    a = ap.parse_args()
    qpid = None
    out = open(a.out, "a")
    for line in sys.stdin:
        s = line.rstrip("\n")
        i = s.find("NPFBENCH-MARK ")
        if i < 0:
            sys.stdout.write(line)
            sys.stdout.flush()
            continue
        mid = s[i + len("NPFBENCH-MARK "):].split()[0] if s[i + 14:].split() else "?"
        if qpid is None or not os.path.exists("/proc/%d" % qpid):
            qpid = find_qemu(a.pid)
        smp = sample(qpid) if qpid else None
        if smp:
            out.write("mark=%s cpu0=%d cpu1=%d all=%d t=%.6f\n" % (
                mid, smp["cpu0"], smp["cpu1"], smp["all"], time.monotonic()))
        else:
            out.write("mark=%s error=no_qemu\n" % mid)
        out.flush()
        tmp = a.ack + ".tmp"
        with open(tmp, "w") as f:
            f.write(mid + "\n")
        os.replace(tmp, a.ack)
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
