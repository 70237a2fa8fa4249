#!/usr/bin/python3
"""Joins JMH JSON results and baseline.py JSON lines, round by round, into one table of ratios.

    table.py ROUND_DIR...   (each holding jmh.json and baseline.jsonl)

A ratio is baseline time / Sonnet time, so above 1 means Sonnet is faster; it is computed per
round (a JMH run and a baseline run back to back) and the table shows the median with the range
over rounds, which says how noisy the machine was.

Each round also holds the machine's peak (run.sh adds it to every JMH run): PeakBench.fmaPeak, the
FMA throughput of the benchmark threads, and ElementwiseBench.largeTriad, the memory bandwidth.
"GFLOP/s" is a case's products and convolutions (FLOPS below) over its time; "% of peak" is that
rate over the same round's FMA peak ("FMA"), or for the large elementwise cases, which move the
triad's bytes, the triad's time over the case's ("bw"): the median over rounds.
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
    # The same steps with -Dsonnet.fusion=false (TrainBench's fusion=false): the unfused ops, in
    # the same run, against the same PyTorch step.
    "train/mlp_main_unfused": (None, "PyTorch"), "train/mlp_small_unfused": (None, "PyTorch"),
    "train/convnet_unfused": (None, "PyTorch"),
    "rnn/lstm_train": (None, "PyTorch"), "rnn/lstm_train_unroll": (None, "PyTorch"),
    "rnn/lstm_infer": (None, "PyTorch"), "rnn/gru_infer": (None, "PyTorch"),
    # InferenceBench: a function loaded from a saved model vs ONNX Runtime (Java) running the
    # exported .onnx file on the same threads, both in the same JMH run.
    "infer/mlp_b1": (None, "ONNX Runtime"), "infer/mlp_b100": (1.0, "ONNX Runtime"),
    "infer/convnet_b1": (None, "ONNX Runtime"), "infer/convnet_b100": (1.0, "ONNX Runtime"),
}
TRIAD = "elementwise/largeTriad"
PEAK = "peak/fmaPeak"
# PeakBench.FLOPS: floating-point operations per fmaPeak invocation, all threads together.
PEAK_FLOPS = 2 * 12 * 16 * 2 * (1 << 20)
# Bytes one large elementwise case moves: 2^24 float32 elements, two read and one written.
LARGE_BYTES = 12 * (1 << 24)


def _gemm(m, n, k):
    return 2.0 * m * n * k


def _conv(batch, h, w, c, o):
    """A 3x3 SAME stride-1 convolution's forward multiply-adds, as flops."""
    return 2.0 * batch * h * w * 9 * c * o


def _mlp_step(batch, *sizes):
    """Forward x W, weight gradient x^T dy and input gradient dy W^T (not for the first layer)."""
    flops = 0.0
    for i in range(len(sizes) - 1):
        f = _gemm(batch, sizes[i + 1], sizes[i])
        flops += 3 * f if i > 0 else 2 * f
    return flops


def _convnet_step(batch):
    """TrainSteps.convNet: conv 1->16 on 28x28 (no input gradient), conv 16->32 on 14x14, dense."""
    return (2 * _conv(batch, 28, 28, 1, 16) + 3 * _conv(batch, 14, 14, 16, 32)
            + 3 * _gemm(batch, 10, 7 * 7 * 32))


# RnnSteps: 50 steps, batch 64, input 128, 256 units; per step one product of [x, h] by the gates.
_LSTM_FWD = 50 * _gemm(64, 4 * 256, 128 + 256)
_GRU_FWD = 50 * _gemm(64, 3 * 256, 128 + 256)



def _INFER_MLP(batch):
    """InferenceBench's MLP (samples' Models.mlp, 784-1024-1024-10), forward only."""
    return _gemm(batch, 1024, 784) + _gemm(batch, 1024, 1024) + _gemm(batch, 10, 1024)


def _INFER_CONVNET(batch):
    """InferenceBench's ConvNet (samples' Models.convNet), forward only."""
    return (_conv(batch, 28, 28, 1, 32) + _conv(batch, 14, 14, 32, 64)
            + _gemm(batch, 128, 7 * 7 * 64) + _gemm(batch, 10, 128))


# case -> floating-point operations per call (the products and convolutions; elementwise work is
# left out, so the percentage is a lower bound of the arithmetic the case really does). The shapes
# are those of BenchShapes (GEMM, CONV), TrainBench/TrainSteps and RnnSteps.
FLOPS = {
    "gemm/sq1024": _gemm(1024, 1024, 1024), "gemm/sq2048": _gemm(2048, 2048, 2048),
    "gemm/fc1_fwd": _gemm(100, 1024, 784), "gemm/fc2_fwd": _gemm(100, 1024, 1024),
    "gemm/fc3_fwd": _gemm(100, 10, 1024), "gemm/fc1_dw": _gemm(784, 1024, 100),
    "gemm/fc2_dw": _gemm(1024, 1024, 100), "gemm/fc2_dx": _gemm(100, 1024, 1024),
    "gemm/fc3_dx": _gemm(100, 1024, 10),
    "conv/mid/forward": _conv(64, 16, 16, 32, 64),
    "conv/mid/forwardBackward": 3 * _conv(64, 16, 16, 32, 64),
    "conv/first/forward": _conv(64, 32, 32, 3, 32),
    "conv/first/forwardBackward": 3 * _conv(64, 32, 32, 3, 32),
    "train/mlp_main": _mlp_step(100, 784, 1024, 1024, 10),
    "train/mlp_small": _mlp_step(64, 784, 128, 10),
    "train/convnet": _convnet_step(64),
    "train/mlp_main_unfused": _mlp_step(100, 784, 1024, 1024, 10),
    "train/mlp_small_unfused": _mlp_step(64, 784, 128, 10),
    "train/convnet_unfused": _convnet_step(64),
    "rnn/lstm_train": 3 * _LSTM_FWD, "rnn/lstm_train_unroll": 3 * _LSTM_FWD,
    "rnn/lstm_infer": _LSTM_FWD, "rnn/gru_infer": _GRU_FWD,
    "infer/mlp_b1": _INFER_MLP(1), "infer/mlp_b100": _INFER_MLP(100),
    "infer/convnet_b1": _INFER_CONVNET(1), "infer/convnet_b100": _INFER_CONVNET(100),
}
# Bandwidth-bound cases: the same bytes as the triad, so their share of bandwidth is triad / time.
BANDWIDTH = ("elementwise/largeAddKernel", "elementwise/largeAddOp")


def case_of(entry):
    cls, method = entry["benchmark"].split(".")[-2:]
    params = entry.get("params") or {}
    group = {"GemmBench": "gemm", "ConvBench": "conv", "ElementwiseBench": "elementwise",
             "TrainBench": "train", "RnnBench": "rnn", "PeakBench": "peak",
             "InferenceBench": "infer"}.get(cls, cls)
    if group == "gemm":
        return "gemm/" + params["shape"]
    if group == "conv":
        return "conv/%s/%s" % (params["layer"], method)
    if group in ("train", "rnn"):
        unfused = params.get("fusion") == "false"
        return group + "/" + params["model"] + ("_unfused" if unfused else "")
    if group == "infer":
        return "infer/%s_b%s" % (params["model"], params["batch"])
    return group + "/" + method


def load_round(d):
    sonnet, alloc, base = {}, {}, {}
    threads = None
    entries = []
    for name in ("jmh.json", "jmh-infer.json"):  # run.sh runs inference in forks of its own
        path = os.path.join(d, name)
        if os.path.exists(path):
            with open(path) as f:
                entries.extend(json.load(f))
    for e in entries:
        case = case_of(e)
        # InferenceBench measures its baseline (ONNX Runtime) in the same JMH run.
        if e["benchmark"].endswith(".onnxRuntime"):
            base[case] = e["primaryMetric"]["score"]
            continue
        for arg in e.get("jvmArgs") or []:
            if arg.startswith("-Dsonnet.cpu.threads="):
                threads = int(arg.split("=", 1)[1])
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
    for case in list(sonnet):
        if case.endswith("_unfused") and case[: -len("_unfused")] in base:
            base[case] = base[case[: -len("_unfused")]]
    if TRIAD in sonnet:
        for case in ("elementwise/largeAddKernel", "elementwise/largeAddOp"):
            base[case] = sonnet[TRIAD]
    return sonnet, alloc, base, threads


def peak_share(r, case):
    """This round's share of the peak for case, as a fraction and a label, or None."""
    sonnet = r[0]
    if case not in sonnet:
        return None
    if case in FLOPS and PEAK in sonnet:
        return (FLOPS[case] / sonnet[case]) / (PEAK_FLOPS / sonnet[PEAK]), "FMA"
    if case in BANDWIDTH and TRIAD in sonnet:
        return sonnet[TRIAD] / sonnet[case], "bw"
    return None


def fmt_us(us):
    return "%.3g" % us if us < 1000 else "%.0f" % us


def main(dirs):
    rounds = [load_round(d) for d in dirs]
    cases = [c for c in GOALS if any(c in r[0] for r in rounds)]
    if PEAK in rounds[0][0]:
        gf = [PEAK_FLOPS / (r[0][PEAK] * 1e3) for r in rounds if PEAK in r[0]]
        print("FMA peak (PeakBench, Vector API, 12 accumulators, %s threads): %.1f GFLOP/s "
              "(median, range %.1f-%.1f)" % (rounds[0][3] or "?", statistics.median(gf),
                                             min(gf), max(gf)))
    if TRIAD in rounds[0][0]:
        bw = [LARGE_BYTES / (r[0][TRIAD] * 1e3) for r in rounds if TRIAD in r[0]]
        print("Triad bandwidth (ElementwiseBench.largeTriad): %.1f GB/s (median, range %.1f-%.1f)"
              % (statistics.median(bw), min(bw), max(bw)))
    print()
    print("| case | Sonnet us/op | baseline us/op | baseline | ratio (median, range) | goal | met "
          "| alloc B/op | GFLOP/s | % of peak |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
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
        shares = [x for x in (peak_share(r, case) for r in rounds) if x]
        if shares:
            share = "%.0f%% %s" % (100 * statistics.median([x[0] for x in shares]), shares[0][1])
        else:
            share = "-"
        gflops = "%.1f" % (FLOPS[case] / (sm * 1e3)) if case in FLOPS else "-"
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            case, fmt_us(sm), fmt_us(statistics.median(b)) if b else "n/a", what, ratio, goal_s,
            met, "%.0f" % statistics.median(allocs) if allocs else "n/a", gflops, share))
    main_s = [r[0].get("train/mlp_main") for r in rounds if "train/mlp_main" in r[0]]
    main_b = [r[2].get("train/mlp_main") for r in rounds if "train/mlp_main" in r[2]]
    if main_s and main_b:
        print()
        print("Main job epoch (600 steps of batch 100, from the step time): Sonnet %.1f s, "
              "PyTorch %.1f s" % (600 * statistics.median(main_s) / 1e6,
                                  600 * statistics.median(main_b) / 1e6))


if __name__ == "__main__":
    main(sys.argv[1:])
