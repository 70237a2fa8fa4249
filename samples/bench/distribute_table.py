#!/usr/bin/env python3
"""The table of run.sh --only distribute/: DistributeBench's cases against the machine itself.

All-reduce rows give the "algorithm bandwidth" (gradient bytes / time, as NCCL reports it) and
its share of the triad bandwidth measured in the same JMH run; training rows give examples/s and
the speed-up of 2 replicas over 1. Medians over the rounds, with their range.
"""
import json
import os
import statistics
import sys

GRADIENT_BYTES = 4 * (784 * 1024 + 1024 + 1024 * 1024 + 1024 + 1024 * 10 + 10)
GLOBAL_BATCH = 128
TRIAD_BYTES = 12 * (1 << 24)
PEAK_FLOPS = 2 * 12 * 16 * 2 * (1 << 20)
# One training step of the MLP 784-1024-1024-10 at the global batch, counted as table.py counts
# TrainBench's: forward and weight gradient of every layer, input gradient of all but the first.
STEP_FLOPS = (4 * GLOBAL_BATCH * (784 * 1024 + 1024 * 1024 + 1024 * 10)
              + 2 * GLOBAL_BATCH * (1024 * 1024 + 1024 * 10))


def load(d):
    out = {}
    with open(os.path.join(d, "jmh.json")) as f:
        for e in json.load(f):
            cls, method = e["benchmark"].split(".")[-2:]
            params = e.get("params") or {}
            key = method + "/" + "/".join(params[k] for k in sorted(params))
            out[key if cls == "DistributeBench" else cls + "." + method] = e["primaryMetric"]["score"]
    return out


def med(values):
    return "%.3g (%.3g-%.3g)" % (statistics.median(values), min(values), max(values))


def main(dirs):
    rounds = [load(d) for d in dirs]
    triad = [TRIAD_BYTES / (r["ElementwiseBench.largeTriad"] * 1e3) for r in rounds
             if "ElementwiseBench.largeTriad" in r]
    peak = [PEAK_FLOPS / (r["PeakBench.fmaPeak"] * 1e3) for r in rounds if "PeakBench.fmaPeak" in r]
    if triad:
        print("Triad bandwidth: %s GB/s" % med(triad))
    if peak:
        print("FMA peak: %s GFLOP/s" % med(peak))
    print()
    print("| case | us/op (median, range) | derived |")
    print("| --- | --- | --- |")
    for transport in ("in-process", "ring"):
        key = "allReduce/" + transport
        us = [r[key] for r in rounds if key in r]
        if us:
            gbs = [GRADIENT_BYTES / (u * 1e3) for u in us]
            share = ""
            if triad:
                share = ", %.0f%% of triad" % (100 * statistics.median(gbs) / statistics.median(triad))
            print("| all-reduce MEAN 2 replicas, %s, %.2f MB | %s | %s GB/s algorithm bandwidth%s |"
                  % (transport, GRADIENT_BYTES / 1e6, med(us), med(gbs), share))
    single = None
    for replicas in ("1", "2"):
        key = "trainStep/" + replicas
        us = [r[key] for r in rounds if key in r]
        if us:
            eps = [GLOBAL_BATCH / (u * 1e-6) for u in us]
            gf = [STEP_FLOPS / (u * 1e3) for u in us]
            extra = ""
            if replicas == "1":
                single = statistics.median(us)
            elif single:
                extra = ", speed-up %.2fx over 1 replica" % (single / statistics.median(us))
            if peak:
                extra += ", %.0f%% of FMA peak" % (100 * statistics.median(gf) / statistics.median(peak))
            print("| MLP 784-1024-1024-10 step, global batch %d, %s replica(s) | %s | %s examples/s, "
                  "%s GFLOP/s%s |" % (GLOBAL_BATCH, replicas, med(us), med(eps), med(gf), extra))


if __name__ == "__main__":
    main(sys.argv[1:])
