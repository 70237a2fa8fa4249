#!/usr/bin/python3
"""Joins JMH JSON results and baseline.py JSON lines, round by round, into one table of ratios.

    table.py ROUND_DIR...   (each holding jmh.json and baseline.jsonl)

A ratio is baseline time / Sonnet time, so above 1 means Sonnet is faster; it is computed per
round (a JMH run and a baseline run back to back) and the table shows the median with the range
over rounds, which says how noisy the machine was.
"""
import json
import os
import statistics
import sys

# case -> (goal ratio or None, what the baseline is); "abs_us" goals are absolute microseconds.
GOALS = {
    "gemm/sq1024": (0.9, "OpenBLAS"), "gemm/sq2048": (0.9, "OpenBLAS"),
    "gemm/fc1_fwd": (1.0, "OpenBLAS"), "gemm/fc2_fwd": (1.0, "OpenBLAS"),
    "gemm/fc3_fwd": (1.0, "OpenBLAS"), "gemm/fc1_dw": (1.0, "OpenBLAS"),
    "gemm/fc2_dw": (1.0, "OpenBLAS"), "gemm/fc2_dx": (1.0, "OpenBLAS"),
    "gemm/fc3_dx": (1.0, "OpenBLAS"),
    "conv/mid/forward": (0.8, "PyTorch"), "conv/mid/forwardBackward": (0.8, "PyTorch"),
    "conv/first/forward": (1.0, "PyTorch"), "conv/first/forwardBackward": (1.0, "PyTorch"),
    "elementwise/largeAddKernel": (0.9, "Java triad"), "elementwise/largeAddOp": (0.9, "Java triad"),
    "elementwise/smallAddKernel": (None, "PyTorch"), "elementwise/smallAddOp": ("1us", "PyTorch"),
    "elementwise/smallAddTaped": ("1us", "PyTorch"),
    "train/mlp_main": (2.0, "PyTorch"), "train/mlp_small": (2.0, "PyTorch"),
    "train/convnet": (1.0, "PyTorch"),
    "rnn/lstm_train": (None, "PyTorch"), "rnn/lstm_train_unroll": (None, "PyTorch"),
    "rnn/lstm_infer": (None, "PyTorch"), "rnn/gru_infer": (None, "PyTorch"),
}
TRIAD = "elementwise/largeTriad"


def case_of(entry):
    cls, method = entry["benchmark"].split(".")[-2:]
    params = entry.get("params") or {}
    group = {"GemmBench": "gemm", "ConvBench": "conv", "ElementwiseBench": "elementwise",
             "TrainBench": "train", "RnnBench": "rnn"}.get(cls, cls)
    if group == "gemm":
        return "gemm/" + params["shape"]
    if group == "conv":
        return "conv/%s/%s" % (params["layer"], method)
    if group in ("train", "rnn"):
        return group + "/" + params["model"]
    return group + "/" + method


def load_round(d):
    sonnet, alloc, base = {}, {}, {}
    with open(os.path.join(d, "jmh.json")) as f:
        for e in json.load(f):
            case = case_of(e)
            sonnet[case] = e["primaryMetric"]["score"]
            sec = e.get("secondaryMetrics") or {}
            if "gc.alloc.rate.norm" in sec:
                alloc[case] = sec["gc.alloc.rate.norm"]["score"]
    path = os.path.join(d, "baseline.jsonl")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip():
                    e = json.loads(line)
                    base[e["case"]] = e["us"]
    if TRIAD in sonnet:
        for case in ("elementwise/largeAddKernel", "elementwise/largeAddOp"):
            base[case] = sonnet[TRIAD]
    return sonnet, alloc, base


def fmt_us(us):
    return "%.3g" % us if us < 1000 else "%.0f" % us


def main(dirs):
    rounds = [load_round(d) for d in dirs]
    cases = [c for c in GOALS if any(c in r[0] for r in rounds)]
    print("| case | Sonnet us/op | baseline us/op | baseline | ratio (median, range) | goal | met | alloc B/op |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for case in cases:
        goal, what = GOALS[case]
        s = [r[0][case] for r in rounds if case in r[0]]
        b = [r[2][case] for r in rounds if case in r[2]]
        ratios = [r[2][case] / r[0][case] for r in rounds if case in r[0] and case in r[2]]
        allocs = [r[1][case] for r in rounds if case in r[1]]
        sm = statistics.median(s)
        if ratios:
            rm = statistics.median(ratios)
            ratio = "%.2f (%.2f-%.2f)" % (rm, min(ratios), max(ratios))
        else:
            rm, ratio = None, "n/a"
        if goal == "1us":
            goal_s, met = "<= 1 us", "yes" if sm <= 1.0 else "no"
        elif goal is None:
            goal_s, met = "-", "-"
        else:
            goal_s = ">= %.1fx" % goal
            met = "n/a" if rm is None else ("yes" if rm >= goal else "no")
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            case, fmt_us(sm), fmt_us(statistics.median(b)) if b else "n/a", what, ratio, goal_s,
            met, "%.0f" % statistics.median(allocs) if allocs else "n/a"))
    main_s = [r[0].get("train/mlp_main") for r in rounds if "train/mlp_main" in r[0]]
    main_b = [r[2].get("train/mlp_main") for r in rounds if "train/mlp_main" in r[2]]
    if main_s and main_b:
        print()
        print("Main job epoch (600 steps of batch 100, from the step time): Sonnet %.1f s, "
              "PyTorch %.1f s" % (600 * statistics.median(main_s) / 1e6,
                                  600 * statistics.median(main_b) / 1e6))
    if TRIAD in rounds[0][0]:
        gbs = 12.0 * (1 << 24) / (statistics.median([r[0][TRIAD] for r in rounds]) * 1e-6) / 1e9
        print("Java triad bandwidth in this run: %.1f GB/s" % gbs)


if __name__ == "__main__":
    main(sys.argv[1:])
