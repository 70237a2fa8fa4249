#!/usr/bin/python3
"""The baselines for the Sonnet JMH benchmarks: NumPy (OpenBLAS) and PyTorch on the same shapes.

A benchmark tool, not a dependency: run it with Debian's /usr/bin/python3 (python3-numpy,
python3-torch, libopenblas0-pthread). run.sh calls it between JMH rounds, so both sides see the
same machine state; it can also run alone:

    /usr/bin/python3 samples/bench/baseline.py --threads 2 --seconds 1 --out baseline.jsonl

Each case prints one JSON line {"case": ..., "us": mean microseconds per op, "impl": ...}. The
case names and shapes match dev.sonnet.samples.bench (BenchShapes, TrainSteps): change both
together.
"""
import argparse
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

# {m, n, k, transA, transB}, as BenchShapes.GEMM.
GEMM = {
    "sq1024": (1024, 1024, 1024, 0, 0),
    "sq2048": (2048, 2048, 2048, 0, 0),
    "fc1_fwd": (100, 1024, 784, 0, 0),
    "fc2_fwd": (100, 1024, 1024, 0, 0),
    "fc3_fwd": (100, 10, 1024, 0, 0),
    "fc1_dw": (784, 1024, 100, 1, 0),
    "fc2_dw": (1024, 1024, 100, 1, 0),
    "fc2_dx": (100, 1024, 1024, 0, 1),
    "fc3_dx": (100, 1024, 10, 0, 1),
}
# {batch, height, width, in, out}, as BenchShapes.CONV.
CONV = {"mid": (64, 16, 16, 32, 64), "first": (64, 32, 32, 3, 32)}
LARGE = 1 << 24
SMALL = 4096
CHAIN = 8
LEARNING_RATE = 0.01


def timeit(fn, seconds, ops_per_call=1):
    """Mean microseconds per op: warm up for a third of the budget, then time whole batches."""
    fn()
    t0 = time.perf_counter()
    calls = 0
    while time.perf_counter() - t0 < seconds / 3 or calls < 2:
        fn()
        calls += 1
    per_call = (time.perf_counter() - t0) / calls
    batch = max(1, int(0.1 / max(per_call, 1e-9)))
    total = 0.0
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or n < 3 * batch:
        t = time.perf_counter()
        for _ in range(batch):
            fn()
        total += time.perf_counter() - t
        n += batch
    return total / n / ops_per_call * 1e6


def gemm_cases(rng):
    for name, (m, n, k, ta, tb) in GEMM.items():
        a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
        b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
        opa = a.T if ta else a
        opb = b.T if tb else b
        c = np.empty((m, n), dtype=np.float32)
        yield "gemm/" + name, "numpy", (lambda opa=opa, opb=opb, c=c: np.matmul(opa, opb, out=c)), 1


def conv_cases():
    g = torch.Generator().manual_seed(2)
    for name, (bt, h, w, cin, cout) in CONV.items():
        x = torch.randn(bt, cin, h, w, generator=g)
        wt = torch.randn(cout, cin, 3, 3, generator=g) * 0.1
        dy = torch.randn(bt, cout, h, w, generator=g)

        def fwd(x=x, wt=wt):
            with torch.no_grad():
                return F.conv2d(x, wt, padding=1)

        xg = x.clone().requires_grad_(True)
        wg = wt.clone().requires_grad_(True)

        def fwd_bwd(xg=xg, wg=wg, dy=dy):
            xg.grad = None
            wg.grad = None
            F.conv2d(xg, wg, padding=1).backward(dy)

        yield "conv/%s/forward" % name, "torch", fwd, 1
        yield "conv/%s/forwardBackward" % name, "torch", fwd_bwd, 1


def elementwise_cases():
    la = torch.rand(LARGE) * 2 - 1
    lb = torch.rand(LARGE) * 2 - 1
    lo = torch.empty(LARGE)
    yield "elementwise/largeAddKernel", "torch", lambda: torch.add(la, lb, out=lo), 1
    yield "elementwise/largeAddOp", "torch", lambda: la + lb, 1
    sa = torch.rand(SMALL) * 2 - 1
    sb = torch.rand(SMALL) * 2 - 1
    so = torch.empty(SMALL)
    yield "elementwise/smallAddKernel", "torch", lambda: torch.add(sa, sb, out=so), 1
    sg = sa.clone().requires_grad_(True)

    def chain(y):
        for _ in range(CHAIN):
            y = y + sb
        return y

    yield "elementwise/smallAddOp", "torch", lambda: chain(sa), CHAIN
    yield "elementwise/smallAddTaped", "torch", lambda: chain(sg), CHAIN


class ConvNet(torch.nn.Module):
    """As TrainSteps.convNet: conv 1->16, relu, pool, conv 16->32, relu, pool, dense 1568->10."""

    def __init__(self):
        super().__init__()
        self.c0 = torch.nn.Conv2d(1, 16, 3, padding=1)
        self.c1 = torch.nn.Conv2d(16, 32, 3, padding=1)
        self.fc = torch.nn.Linear(7 * 7 * 32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c0(x)), 2)
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        return self.fc(x.flatten(1))


def mlp(*sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def train_cases():
    torch.manual_seed(4)
    models = {
        "mlp_main": (mlp(784, 1024, 1024, 10), (100, 784)),
        "mlp_small": (mlp(784, 128, 10), (64, 784)),
        "convnet": (ConvNet(), (64, 1, 28, 28)),
    }
    for name, (model, xshape) in models.items():
        x = torch.randn(*xshape)
        y = torch.randint(0, 10, (xshape[0],))
        opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)

        def step(model=model, x=x, y=y, opt=opt):
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        yield "train/" + name, "torch", step, 1


# {steps, batch, input, hidden}, as RnnSteps: a time-major sequence [T, B, F].
RNN = (50, 64, 128, 256)


def rnn_cases():
    """As RnnSteps: LSTM training (loss mean(outputs^2), SGD) and LSTM/GRU inference."""
    torch.manual_seed(6)
    steps, batch, inp, hidden = RNN
    x = torch.randn(steps, batch, inp)
    lstm = torch.nn.LSTM(inp, hidden)
    opt = torch.optim.SGD(lstm.parameters(), lr=LEARNING_RATE)

    def train():
        opt.zero_grad(set_to_none=True)
        out, _ = lstm(x)
        loss = out.square().mean()
        loss.backward()
        opt.step()
        return loss

    def infer(core):
        with torch.no_grad():
            return core(x)[0]

    gru = torch.nn.GRU(inp, hidden)
    yield "rnn/lstm_train", "torch", train, 1
    # The same PyTorch step: Sonnet's two ways of running one LSTM are compared with it.
    yield "rnn/lstm_train_unroll", "torch", train, 1
    yield "rnn/lstm_infer", "torch", lambda: infer(lstm), 1
    yield "rnn/gru_infer", "torch", lambda: infer(gru), 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=1.0, help="measuring time per case")
    p.add_argument("--out", help="append the JSON lines to this file too")
    p.add_argument("--only", default="", help="run only cases whose name starts with this")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(1)
    out = open(args.out, "a") if args.out else None
    groups = [gemm_cases(rng), conv_cases(), elementwise_cases(), train_cases(), rnn_cases()]
    for group in groups:
        for case, impl, fn, ops in group:
            if not case.startswith(args.only):
                continue
            us = timeit(fn, args.seconds, ops)
            line = json.dumps({"case": case, "us": us, "impl": impl})
            print(line, flush=True)
            if out:
                out.write(line + "\n")
    if out:
        out.close()


if __name__ == "__main__":
    sys.exit(main())
