#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The table of `make bench`, from the raw lines bench/guest.sh wrote.

    bench/report.py [--host HOST.txt] RAW.txt JSON_OUT [JSON_COPY...]

Prints the table (ratios against the targets of issue #8, PASS/MISS, raw
figures beside them) and the profiling variants when they were measured,
and writes the same as JSON to JSON_OUT and every JSON_COPY. Exit status:
0 when the table could be made (a MISS is information, not failure), 1
when the raw file holds no measurement or an error of the guest.

Definitions (per frame size, medians over the rounds):
  base          the flood alone (pktgen on va, no reader on vb)
  sender        CPU 0's work: pktgen, and vb's receive softirq with the
                taps (the tap's filter and copy), npf's wakeups
  reader        CPU 1's work: the reader process (and what the kernel runs
                for it there, e.g. the kernel dump's writer when it lands
                on CPU 1)
  cost          extra sender + reader, per captured packet, from the host
                (HOST.txt, bench/hostmon.py): the CPU time the two virtual
                CPU threads consumed between the marks, minus base's. This
                is the issue's "extra sender time + reader CPU" measured
                as emulated work, which host load does not inflate.
  guest cost    the same from inside the guest: pktgen's elapsed time minus
                base's, plus the reader process's run time (schedstat);
                under TCG this includes the time the host took the virtual
                CPUs away. The fallback when there is no HOST.txt.
  guest total   run time of every thread of the guest minus base's (kernel
                workers included)
  loss          1 - captured / expected (expected: every frame, or 1 in
                100 for the port-9 filter); the table's loss comes from
                the *-eq runs, where every tool is offered the same rate
                (90% of what pktgen reached with the reference tool), and
                shows the rates pktgen achieved (ours/reference)
The kernel dump row compares cost too (it includes the dump writer, a
kernel worker, on whichever CPU it ran); without HOST.txt, guest total.
Transmit compares CPU per frame received on vb (both virtual CPUs, from
the host) as frames per CPU-second, and shows the guest's wall-clock pps.
"""
import json
import math
import statistics
import sys
import time


def parse(path):
    recs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = {}
            for tok in line.split():
                if "=" not in tok:
                    continue
                k, v = tok.split("=", 1)
                try:
                    rec[k] = int(v)
                except ValueError:
                    try:
                        rec[k] = float(v)
                    except ValueError:
                        rec[k] = v
            recs.append(rec)
    return recs


def med(xs):
    xs = [x for x in xs if x is not None and not (isinstance(x, float) and math.isnan(x))]
    return statistics.median(xs) if xs else None


def num(x):
    return isinstance(x, (int, float))


# Which frames each capture configuration should see: 1.0 all, 0.01 the
# port-9 filter (1 flood frame in 100), 0 reject-all.
def expected_share(cfg):
    if cfg.endswith("-sel"):
        return 0.01
    if cfg.endswith("-reject"):
        return 0.0
    return 1.0


def host_deltas(rec, host):
    """h_cpu0, h_cpu1, h_all: host CPU ns of the run's marks, or None."""
    hm = rec.get("hm")
    if hm is None or not host:
        return None
    b, a = host.get("%sb" % hm), host.get("%sa" % hm)
    if not b or not a or "error" in b or "error" in a:
        return None
    return {k: a[k] - b[k] for k in ("cpu0", "cpu1", "all")}


def parse_host(path):
    host = {}
    if not path:
        return host
    try:
        for r in parse(path):
            if "mark" in r:
                host[str(r["mark"])] = r
    except OSError:
        pass
    return host


class Runs:
    """The flood measurements (kind=run), by size and configuration."""

    def __init__(self, recs, host):
        # rep -1 is the warm-up round
        self.runs = [r for r in recs if r.get("kind") == "run" and "error" not in r
                     and r.get("rep", 0) >= 0]
        for r in self.runs:
            r["_h"] = host_deltas(r, host)
        self.errors = [r for r in recs if r.get("kind") == "run" and "error" in r]
        self.base = {}
        for size in sorted({r["size"] for r in self.runs}):
            b = [r for r in self.runs if r["size"] == size and r["cfg"] == "base"]
            hb = [r["_h"] for r in b if r["_h"]]
            self.base[size] = {
                "pg_us": med([r.get("pg_us") for r in b if num(r.get("pg_us"))]),
                "total_ns": med([r["a_total"] - r["b_total"] for r in b]),
                "h_cpu0": med([h["cpu0"] for h in hb]),
                "h_cpu1": med([h["cpu1"] for h in hb]),
                "n": b[0]["n"] if b else None,
                "reps": len(b),
            }
        self.host = all(r["_h"] for r in self.runs) and bool(self.runs)

    def per_run(self, r):
        base = self.base.get(r["size"], {})
        n = r["n"]
        cap = r.get("captured") if num(r.get("captured")) else None
        drop = r.get("dropped") if num(r.get("dropped")) else None
        exp = round(n * expected_share(r["cfg"]))
        reader = (r["a_reader"] - r["b_reader"]) if num(r.get("a_reader")) else 0
        total = r["a_total"] - r["b_total"]
        sender_extra = None
        if num(r.get("pg_us")) and num(base.get("pg_us")):
            sender_extra = (r["pg_us"] - base["pg_us"]) * 1000.0
        total_extra = total - base["total_ns"] if num(base.get("total_ns")) else None
        gcost = sender_extra + reader if sender_extra is not None else None
        h = r["_h"]
        hs = hr = None
        if h and num(base.get("h_cpu0")):
            hs = h["cpu0"] - base["h_cpu0"]
            hr = h["cpu1"] - base["h_cpu1"]
        cost = hs + hr if hs is not None else None
        out = {
            "captured": cap,
            "dropped": drop,
            "expected": exp,
            "loss": (1 - cap / exp) if cap is not None and exp else (0.0 if exp == 0 else None),
            "pg_us": r.get("pg_us"),
            "sender_ns_per_frame": hs / n if hs is not None else None,
            "reader_ns_per_frame": hr / n if hr is not None else None,
            "cost_ns_per_frame": cost / n if cost is not None else None,
            "guest_sender_ns_per_frame": sender_extra / n if sender_extra is not None else None,
            "guest_reader_ns_per_frame": reader / n,
            "guest_cost_ns_per_frame": gcost / n if gcost is not None else None,
            "guest_total_ns_per_frame": total_extra / n if total_extra is not None else None,
            "kworker_ns_per_frame": (r["a_kworker"] - r["b_kworker"]) / n,
            "lost_before_tap": r.get("lost"),
            "flood_pps": n * 1e6 / r["pg_us"] if num(r.get("pg_us")) and r["pg_us"] > 0 else None,
        }
        denom = cap if cap else None
        out["cost_ns_per_captured"] = cost / denom if cost is not None and denom else None
        out["guest_cost_ns_per_captured"] = gcost / denom if gcost is not None and denom else None
        out["guest_total_ns_per_captured"] = total_extra / denom if total_extra is not None and denom else None
        return out

    def summary(self, cfg, size):
        rs = []
        for r in self.runs:
            if r["cfg"] == cfg and r["size"] == size:
                x = self.per_run(r)
                x["rep"] = r["rep"]
                rs.append(x)
        if not rs:
            return None
        keys = [k for k in rs[0].keys() if k != "rep"]
        s = {k: med([x[k] for x in rs if num(x[k])]) for k in keys}
        s["reps"] = len(rs)
        s["n"] = next(r["n"] for r in self.runs if r["cfg"] == cfg and r["size"] == size)
        s["runs"] = rs
        return s


def ratio(a, b):
    if not num(a) or not num(b) or b == 0:
        return None
    return a / b


def verdict(r, target, better):
    """better: 'le' (ratio <= target passes) or 'ge'."""
    if r is None:
        return "n/a"
    return "PASS" if (r <= target if better == "le" else r >= target) else "MISS"


def fmt(x, spec="{:.0f}"):
    if x is None:
        return "-"
    return spec.format(x)


def pct(x):
    if x is None:
        return "-"
    return "{:.1f}%".format(100 * x)


def loss_ok(ours, ref):
    return not (num(ours.get("loss")) and num(ref.get("loss")) and ours["loss"] > ref["loss"] + 1e-9)


def build(recs, host):
    env = next((r for r in recs if r.get("kind") == "env"), {})
    runs = Runs(recs, host)
    # The primary measure: host CPU of the virtual CPUs when every run has
    # it, else the guest's own clocks.
    if runs.host:
        cap_key, frame_key, dump_key = ("cost_ns_per_captured", "cost_ns_per_frame",
                                        "cost_ns_per_captured")
        alt_cap, alt_frame, alt_dump = ("guest_cost_ns_per_captured", "guest_cost_ns_per_frame",
                                        "guest_total_ns_per_captured")
        source = "host CPU of the virtual CPUs"
    else:
        cap_key, frame_key, dump_key = ("guest_cost_ns_per_captured", "guest_cost_ns_per_frame",
                                        "guest_total_ns_per_captured")
        alt_cap = alt_frame = alt_dump = None
        source = "guest clocks"
    rows = []

    def pair(row, name, ours_cfg, ref_cfg, size, key, alt, target, better, ours_label, ref_label,
             metric, check_loss):
        ours = runs.summary(ours_cfg, size)
        ref = runs.summary(ref_cfg, size)
        if not ours or not ref:
            return
        # loss: at an equal offered rate when measured (the -eq runs), else
        # at full speed
        ours_eq = runs.summary(ours_cfg + "-eq", size)
        ref_eq = runs.summary(ref_cfg + "-eq", size)
        if ours_eq and ref_eq:
            loss = {"ours": ours_eq["loss"], "ref": ref_eq["loss"], "rate_pps": ref_eq["flood_pps"],
                    "ours_rate_pps": ours_eq["flood_pps"], "how": "equal rate"}
        else:
            loss = {"ours": ours["loss"], "ref": ref["loss"], "rate_pps": None, "how": "full speed"}
        loss["full_speed"] = {"ours": ours["loss"], "ref": ref["loss"],
                              "ours_pps": ours["flood_pps"], "ref_pps": ref["flood_pps"]}
        # Paired: the two ran next to each other in every round; the
        # median of the rounds' ratios resists a disturbed round better
        # than the ratio of the medians.
        byrep = {x["rep"]: x for x in ref["runs"]}
        per_round = [ratio(x[key], byrep[x["rep"]][key]) for x in ours["runs"] if x["rep"] in byrep]
        per_round = [x for x in per_round if x is not None]
        r = med(per_round)
        alt_round = [ratio(x[alt], byrep[x["rep"]][alt]) for x in ours["runs"]
                     if alt and x["rep"] in byrep]
        v = verdict(r, target, better)
        if v == "PASS" and check_loss and not loss_ok({"loss": loss["ours"]}, {"loss": loss["ref"]}):
            v = "MISS"
        rows.append({
            "row": row, "name": name, "ours": ours_label, "ref": ref_label, "metric": metric,
            "ours_value": ours[key], "ref_value": ref[key], "ratio": r,
            "ratio_per_round": per_round,
            "alt_ratio": med([x for x in alt_round if x is not None]) if alt else None,
            "target": "{} {}x{}".format("<=" if better == "le" else ">=", target,
                                        ", loss <= ref" if check_loss else ""),
            "verdict": v, "ours_detail": strip(ours), "ref_detail": strip(ref),
            "loss": loss if check_loss else None,
        })

    # 1. capture
    for size in (64, 1500):
        for sel, label in (("", "all frames"), ("-sel", "udp dst port 9 (1%)")):
            pair("capture", "{}B, {}".format(size, label), "npfdump" + sel, "tcpdump" + sel, size,
                 cap_key, alt_cap, 0.6, "le", "npfdump -w /dev/null", "tcpdump -w /dev/null",
                 "cost ns/captured packet (extra sender + reader CPU)", True)

    # 2. filter
    filt = [r for r in recs if r.get("kind") == "filter" and "error" not in r]
    ferr = [r for r in recs if r.get("kind") == "filter" and "error" in r]
    names = filter_names()
    overhead = {}
    for idx in sorted({r["filter"] for r in filt}):
        per = {}
        for mode in ("kernel-interp", "kernel-jit", "libpcap"):
            xs = [r for r in filt if r["filter"] == idx and r["mode"] == mode]
            per[mode] = {
                "ns_per_pkt": med([r["ns_per_pkt"] for r in xs]),
                "raw": [r["ns_per_pkt"] for r in xs],
                "jited": med([r.get("jited") for r in xs]),
                "accepted": xs[0].get("accepted") if xs else None,
            }
        insns = next((r["insns"] for r in filt if r["filter"] == idx), None)
        jit, interp = per["kernel-jit"]["ns_per_pkt"], per["kernel-interp"]["ns_per_pkt"]
        ref_label = "kernel interpreter"
        ok_modes = per["kernel-jit"]["jited"] == 1 and per["kernel-interp"]["jited"] == 0
        same = per["kernel-jit"]["accepted"] == per["kernel-interp"]["accepted"]
        if interp is None and num(per["libpcap"]["ns_per_pkt"]):
            # no kernel interpreter (BPF_JIT_ALWAYS_ON): libpcap's instead
            interp = per["libpcap"]["ns_per_pkt"]
            ref_label = "libpcap bpf_filter() (no kernel interpreter)"
            ok_modes = per["kernel-jit"]["jited"] == 1
            same = per["kernel-jit"]["accepted"] == per["libpcap"]["accepted"]
        if idx == 0:
            overhead = {"jit": jit, "interp": interp}
        r = ratio(interp, jit)
        rows.append({
            "row": "filter", "name": names[idx] if idx < len(names) else "filter %d" % idx,
            "insns": insns,
            "ours": "kernel JIT", "ref": ref_label,
            "metric": "ns/packet of bpf_prog_run_save_cb() (npf's filter call)",
            "ours_value": jit, "ref_value": interp,
            "ratio": r, "ratio_meaning": "interpreter ns / JIT ns (the JIT's speed-up)",
            "target": ">= 2x (interp/JIT)",
            "verdict": (verdict(r, 2.0, "ge") if ok_modes and same else "n/a"),
            "libpcap_user_ns": per["libpcap"]["ns_per_pkt"],
            "net_of_call_overhead": {
                "jit": jit - overhead["jit"] if num(jit) and num(overhead.get("jit")) else None,
                "interp": interp - overhead["interp"] if num(interp) and num(overhead.get("interp")) else None,
            },
            "detail": per,
        })

    # 3. statistics mode (per flood frame: it captures nothing)
    for size in (64, 1500):
        pair("stat", "{}B, all frames".format(size), "npfstat", "npfdump", size, frame_key, alt_frame,
             0.3, "le", "npfstat (statistics mode)", "npfdump -w /dev/null",
             "cost ns/frame (extra sender + reader CPU)", False)

    # 4. kernel dump
    for size in (64, 1500):
        pair("dump", "{}B to tmpfs".format(size), "npfdump-K", "tcpdump-w", size, dump_key, alt_dump,
             0.7, "le", "npfdump -K -w FILE", "tcpdump -w FILE",
             "CPU ns/captured packet (both CPUs, kernel writer included)", True)
        if rows and rows[-1]["row"] == "dump" and rows[-1]["name"].startswith(str(size)):
            u = runs.summary("npfdump-w", size)
            if u:
                rows[-1]["npfdump_w_detail"] = strip(u)
                rows[-1]["npfdump_w_ratio"] = ratio(u[dump_key], rows[-1]["ref_value"])
                ue = runs.summary("npfdump-w-eq", size)
                rows[-1]["npfdump_w_loss"] = ue["loss"] if ue else u["loss"]

    # 5. transmit
    xall = [r for r in recs if r.get("kind") == "xmit" and r.get("rep", 0) >= 0]
    nmax = max([r["n"] for r in xall], default=0)
    xm = [r for r in xall if r["n"] == nmax]
    # The short runs (16 frames) of the same tool and round: its fixed cost.
    fixed = {(r["cfg"], r["rep"]): r for r in xall if r["n"] < nmax}

    def xcount(r):
        """Frames received on vb, or (vb down: -rxoff) the tool's count."""
        if r["cfg"].endswith("-rxoff"):
            return r.get("frames") if num(r.get("frames")) else 0
        return r["rx"]

    def xcpu(r, guest=False):
        """CPU ns per frame beyond the fixed cost, or None."""
        f = fixed.get((r["cfg"], r["rep"]))
        if guest:
            c = r["a_total"] - r["b_total"]
            c0 = (f["a_total"] - f["b_total"]) if f else 0
        else:
            h = host_deltas(r, host)
            if not h:
                return None
            c = h["cpu0"] + h["cpu1"]
            hf = host_deltas(f, host) if f else None
            c0 = hf["cpu0"] + hf["cpu1"] if hf else 0
        n = xcount(r) - (xcount(f) if f else 0)
        return (c - c0) / n if n > 0 else None

    xd = {}
    for cfg in ("pktgen", "npfgen", "sendmmsg", "npfgen-rxoff", "sendmmsg-rxoff"):
        xs = [r for r in xm if r["cfg"] == cfg and num(r.get("seconds")) and r["seconds"] > 0 and xcount(r)]
        cpu = [x for x in (xcpu(r) for r in xs) if x is not None]
        gcpu = [x for x in (xcpu(r, True) for r in xs) if x is not None]
        wall = [xcount(r) / r["seconds"] for r in xs]
        xd[cfg] = {
            "host_cpu_ns_per_frame": med(cpu), "raw_host_cpu_ns_per_frame": cpu,
            "guest_cpu_ns_per_frame": med(gcpu), "raw_guest_cpu_ns_per_frame": gcpu,
            "wall_pps": med(wall), "raw_wall_pps": wall,
            "frames": [xcount(r) for r in xs], "n": xs[0]["n"] if xs else None,
        }
        c = xd[cfg]["host_cpu_ns_per_frame"] if runs.host else xd[cfg]["guest_cpu_ns_per_frame"]
        xd[cfg]["pps_per_cpu"] = 1e9 / c if num(c) and c > 0 else None
    sender_only = all(xd[c]["raw_host_cpu_ns_per_frame"] or xd[c]["raw_guest_cpu_ns_per_frame"]
                      for c in ("npfgen-rxoff", "sendmmsg-rxoff"))
    if xm:
        def xcost(r):
            return xcpu(r, not runs.host)
        for ref, target, label in (("pktgen", 0.8, "pktgen"), ("sendmmsg", 3.0, "sendmmsg (AF_PACKET)")):
            # paired by round: CPU per frame of ref / of npfgen
            pr = []
            for rep in sorted({x["rep"] for x in xm}):
                a = [xcost(x) for x in xm if x["cfg"] == "npfgen" and x["rep"] == rep]
                b = [xcost(x) for x in xm if x["cfg"] == ref and x["rep"] == rep]
                if a and b and num(a[0]) and num(b[0]) and a[0] > 0:
                    pr.append(b[0] / a[0])
            r = med(pr)
            rows.append({
                "row": "xmit", "name": "64B frames",
                "ours": "npfgen -n", "ref": label,
                "metric": "frames per CPU-second (frames received on vb / CPU used)",
                "ours_value": xd["npfgen"]["pps_per_cpu"], "ref_value": xd[ref]["pps_per_cpu"],
                "ratio": r, "ratio_per_round": pr,
                "alt_ratio": ratio(xd["npfgen"]["wall_pps"], xd[ref]["wall_pps"]),
                "target": ">= {}x".format(target), "verdict": verdict(r, target, "ge"),
                "ours_detail": xd["npfgen"], "ref_detail": xd[ref],
            })
        if sender_only:
            a, b = xd["npfgen-rxoff"], xd["sendmmsg-rxoff"]
            key = "host_cpu_ns_per_frame" if runs.host else "guest_cpu_ns_per_frame"
            rows[-1]["sender_only"] = {
                "npfgen_ns_per_frame": a[key], "sendmmsg_ns_per_frame": b[key],
                "ratio": ratio(b[key], a[key]),
                "what": "vb down: veth drops in va's transmit; CPU per frame the tool sent",
            }

    # every configuration, for the raw table
    variants = []
    for size in (64, 1500):
        for cfg in sorted({r["cfg"] for r in runs.runs if r["cfg"] != "base"}):
            sm = runs.summary(cfg, size)
            if sm:
                d = strip(sm)
                d["cfg"] = cfg
                d["size"] = size
                variants.append(d)

    return {
        "env": env, "source": source, "rows": rows, "variants": variants, "base": runs.base,
        "errors": [r for r in recs if r.get("kind") == "error"] + runs.errors + ferr,
        "done": next((r for r in recs if r.get("kind") == "done"), None),
    }


def strip(sm):
    d = {k: v for k, v in sm.items() if k != "runs"}
    d["per_round"] = [{k: x[k] for k in ("rep", "captured", "cost_ns_per_frame", "sender_ns_per_frame",
                                          "reader_ns_per_frame", "guest_cost_ns_per_frame",
                                          "guest_total_ns_per_frame")} for x in sm["runs"]]
    return d


def filter_names():
    import os
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "filters.txt")
    out = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    out.append(line)
    except OSError:
        pass
    return out


def print_table(res):
    env = res["env"]
    print("npf benchmark: kernel {}, {} CPUs, {} rounds, tcpdump {} / libpcap {}, buffers {} KiB".format(
        env.get("kernel", "?"), env.get("cpus", "?"), env.get("reps", "?"),
        env.get("tcpdump", "?"), env.get("libpcap", "?"), env.get("bufkib", "?")))
    print("Measured with: {}. A ratio is the median over the rounds (one boot) of ours/reference".format(
        res["source"]))
    print("in that round; ours/reference columns are medians. PASS/MISS are informational.")
    print()
    hdr = "{:<7} {:<40} {:>10} {:>10} {:>7}  {:<20} {:<5} {}".format(
        "row", "case", "ours", "reference", "ratio", "target", "", "notes")
    print(hdr)
    print("-" * len(hdr))
    last = None
    for r in res["rows"]:
        if r["row"] != last:
            if last is not None:
                print()
            print("[{}] {} vs {}: {}{}".format(r["row"], r["ours"], r["ref"], r["metric"],
                                               " (ratio: speed-up)" if r["row"] == "filter" else ""))
            last = r["row"]
        name = r["name"]
        if len(name) > 40:
            name = name[:37] + "..."
        notes = []
        if r.get("loss"):
            lo = r["loss"]
            if lo["how"] == "equal rate":
                notes.append("loss {} vs {} at {}/{} kpps".format(
                    pct(lo["ours"]), pct(lo["ref"]),
                    fmt(lo["ours_rate_pps"] / 1e3 if num(lo["ours_rate_pps"]) else None),
                    fmt(lo["rate_pps"] / 1e3 if num(lo["rate_pps"]) else None)))
            else:
                notes.append("loss {} vs {}".format(pct(lo["ours"]), pct(lo["ref"])))
        if r["row"] == "dump" and r.get("npfdump_w_ratio") is not None:
            notes.append("npfdump -w: {} ({}x, loss {})".format(
                fmt(r["npfdump_w_detail"]["cost_ns_per_captured"] if res["source"].startswith("host")
                    else r["npfdump_w_detail"]["guest_total_ns_per_captured"]),
                fmt(r["npfdump_w_ratio"], "{:.2f}"), pct(r.get("npfdump_w_loss"))))
        if r["row"] == "filter":
            notes.append("{} insns; libpcap's bpf_filter() in user space {} ns".format(
                r["insns"], fmt(r["libpcap_user_ns"], "{:.1f}")))
        if r["row"] == "xmit":
            notes.append("wall pps {} vs {}".format(fmt(r["ours_detail"]["wall_pps"]),
                                                    fmt(r["ref_detail"]["wall_pps"])))
            so = r.get("sender_only")
            if so:
                notes.append("vb down (sender only): {} vs {} ns/frame, {}x".format(
                    fmt(so["npfgen_ns_per_frame"]), fmt(so["sendmmsg_ns_per_frame"]),
                    fmt(so["ratio"], "{:.2f}")))
        if r.get("alt_ratio") is not None:
            notes.append("guest-clock ratio {:.2f}x".format(r["alt_ratio"]))
        spec = "{:.1f}" if r["row"] == "filter" else "{:.0f}"
        print("{:<7} {:<40} {:>10} {:>10} {:>7}  {:<20} {:<5} {}".format(
            r["row"], name, fmt(r["ours_value"], spec), fmt(r["ref_value"], spec),
            fmt(r["ratio"], "{:.2f}x"), r["target"], r["verdict"], "; ".join(notes)))
    print()
    print("Raw figures: medians, ns per flood frame. sender/reader/cost: extra CPU 0 / CPU 1 / both")
    print("(host CPU of the virtual CPUs, minus base); g.*: the same from the guest's clocks (pktgen")
    print("time, reader run time) and g.total (every guest thread). base: ns per frame of the flood alone.")
    print("*-eq: the same reader offered 90% of the rate pktgen reached with the reference tool (the loss")
    print("comparison; pktgen busy-waits between bursts there, so their CPU figures are not costs).")
    print("{:<16} {:>5} {:>7} {:>8} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6}".format(
        "config", "size", "frames", "captured", "sender", "reader", "cost", "g.sender", "g.reader",
        "g.cost", "g.total", "loss", "kpps"))
    for size, b in sorted(res["base"].items()):
        n = b["n"] or 1
        print("{:<16} {:>5} {:>7} {:>8} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6}".format(
            "base", size, fmt(b["n"]), "-",
            fmt(b["h_cpu0"] / n if num(b["h_cpu0"]) else None),
            fmt(b["h_cpu1"] / n if num(b["h_cpu1"]) else None), "-",
            fmt(b["pg_us"] * 1000 / n if num(b["pg_us"]) else None), "-", "-",
            fmt(b["total_ns"] / n if num(b["total_ns"]) else None), "-",
            fmt(n / b["pg_us"] * 1e3 if num(b["pg_us"]) and b["pg_us"] else None)))
    for v in res["variants"]:
        print("{:<16} {:>5} {:>7} {:>8} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>6} {:>6}".format(
            v["cfg"], v["size"], fmt(v["n"]), fmt(v["captured"]),
            fmt(v["sender_ns_per_frame"]), fmt(v["reader_ns_per_frame"]), fmt(v["cost_ns_per_frame"]),
            fmt(v["guest_sender_ns_per_frame"]), fmt(v["guest_reader_ns_per_frame"]),
            fmt(v["guest_cost_ns_per_frame"]), fmt(v["guest_total_ns_per_frame"]), pct(v["loss"]),
            fmt(v["flood_pps"] / 1e3 if num(v["flood_pps"]) else None)))
    xr = [r for r in res["rows"] if r["row"] == "xmit"]
    if xr:
        d = {"npfgen": xr[0]["ours_detail"], "pktgen": xr[0]["ref_detail"]}
        if len(xr) > 1:
            d["sendmmsg"] = xr[1]["ref_detail"]
        print("transmit, per round: " + "; ".join(
            "{}: host CPU ns/frame {}, wall pps {}".format(
                k, ", ".join(fmt(x) for x in v["raw_host_cpu_ns_per_frame"]),
                ", ".join(fmt(x) for x in v["raw_wall_pps"])) for k, v in d.items()))
    if res["errors"]:
        print()
        print("Errors:")
        for e in res["errors"]:
            print("  " + " ".join("{}={}".format(k, v) for k, v in e.items() if not k.startswith("_")))
    if res["done"]:
        print()
        print("guest time: {} s".format(res["done"].get("seconds")))


def main():
    args = sys.argv[1:]
    host_path = None
    if len(args) >= 2 and args[0] == "--host":
        host_path = args[1]
        args = args[2:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    recs = parse(args[0])
    host = parse_host(host_path)
    res = build(recs, host)
    res["generated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    res["raw"] = [{k: v for k, v in r.items() if not k.startswith("_")} for r in recs]
    res["host_marks"] = host
    print_table(res)
    for path in args[1:]:
        with open(path, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
            f.write("\n")
    if not res["rows"] or any(r.get("kind") == "error" for r in recs):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
