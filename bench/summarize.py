#!/usr/bin/python3
"""summarize.py - medians per scenario and MTA from mta-bench output files.

Usage: bench/summarize.py FILE.out...
A RESULT line that is followed by RESULT-INVALIDATED (noise; the harness
repeated the run) is dropped; only status=ok runs count.  Prints one line
per scenario/MTA: median (min-max) of the key figures and the noise seen.
"""
import statistics, sys, collections

KEYS = ["msgs_per_s", "accept_s", "deliver_s", "inject_s", "cpu_mta_ms_per_msg",
        "lat_median_ms", "lat_p95_ms", "ack_median_ms", "completed", "noise"]
runs = collections.defaultdict(list)
for fn in sys.argv[1:]:
    lines = [l.split() for l in open(fn) if l.startswith("RESULT")]
    for i, l in enumerate(lines):
        if l[0] != "RESULT":
            continue
        if i + 1 < len(lines) and lines[i + 1][0] == "RESULT-INVALIDATED":
            continue
        kv = dict(x.split("=", 1) for x in l[1:] if "=" in x)
        if kv.get("status") != "ok":
            continue
        runs[(kv["scenario"], kv["mta"])].append(kv)
for (scen, mta), rs in sorted(runs.items()):
    out = []
    for k in KEYS:
        vals = [float(r[k]) for r in rs if k in r]
        if not vals:
            continue
        out.append("%s=%g (%g-%g)" % (k, statistics.median(vals), min(vals), max(vals)))
    print("%-16s %-15s n=%d  %s" % (scen, mta, len(rs), "  ".join(out)))
