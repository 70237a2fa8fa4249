#!/usr/bin/env python3
"""Warm-up of a fresh JVM: the first steps of the main job's training step, per configuration.

Runs dev.sonnet.samples.bench.WarmupProbe in a fresh JVM per sample, the configurations
interleaved (A, B, A, B, ...) so that a change in the machine's load hits them alike, and prints
the median per step of the wall and CPU times, the sum of the first 10 steps, the steady step and
the first step from which every later median step stays within 1.5x the steady one.

  ./mvnw -B -q -ntp -pl samples -am package -DskipTests     # builds the jars it runs
  samples/bench/warmup.py --runs 7 --steps 40 \\
      --config 'warm-up off=' --config 'warm-up on=-Dsonnet.cpu.warmup=true'

Each --config is NAME=JVM FLAGS (flags split on spaces); --pause MS pauses between building the
model and the first step (the main job spends that long loading data). The class path is the
module jars under */target, or $SONNET_CP.
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE_FLAGS = [
    "--add-modules=jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED",
    "-XX:+UseParallelGC",
    "-Xmx4g",
]


def class_path():
    if os.environ.get("SONNET_CP"):
        return os.environ["SONNET_CP"]
    jars = []
    for module in ("api", "runtime-cpu", "samples"):
        found = [
            j
            for j in glob.glob(os.path.join(ROOT, module, "target", "sonnet-*.jar"))
            if not j.endswith(("-sources.jar", "-javadoc.jar", "-tests.jar"))
        ]
        if not found:
            sys.exit(f"no jar in {module}/target: build with ./mvnw -pl samples -am package")
        jars.append(found[0])
    return ":".join(jars)


def java():
    env = os.environ.get("JAVA25")
    if env:
        return env
    found = sorted(glob.glob("/usr/lib/jvm/*25*/bin/java"))
    return found[0] if found else "java"


def run_once(flags, steps, pause):
    cmd = [java()] + BASE_FLAGS + flags + [
        "-cp", class_path(), "dev.sonnet.samples.bench.WarmupProbe", str(steps), str(pause)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    wall, cpu, loss = [], [], None
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == "step":
            wall.append(float(parts[2]))
            cpu.append(float(parts[3]))
        elif parts and parts[0] == "steady":
            loss = parts[-1]
    return wall, cpu, loss


def steady_from(medians, steady):
    """First step (1-based) from which every later median is at most 1.5x the steady step."""
    s = len(medians)
    while s > 0 and medians[s - 1] <= 1.5 * steady:
        s -= 1
    return s + 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--pause", type=int, default=0)
    p.add_argument("--show", type=int, default=20, help="steps listed in the table")
    p.add_argument("--config", action="append", required=True, help="NAME=JVM FLAGS")
    a = p.parse_args()
    configs = []
    for c in a.config:
        name, _, flags = c.partition("=")
        configs.append((name, flags.split()))
    results = {name: [] for name, _ in configs}
    for r in range(a.runs):
        for name, flags in configs:
            results[name].append(run_once(flags, a.steps, a.pause))
            print(f"run {r + 1}/{a.runs} {name} done", file=sys.stderr)
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(f"{a.runs} fresh JVMs per configuration, pause {a.pause} ms; load average after: "
          f"{' '.join(load)}")
    summary = {}
    header = "| step |"
    rule = "|---:|"
    for name, _ in configs:
        header += f" {name} wall ms | {name} cpu ms |"
        rule += "---:|---:|"
    print(header)
    print(rule)
    for name, _ in configs:
        runs = results[name]
        wall = [statistics.median(w[i] for w, _, _ in runs) for i in range(a.steps)]
        cpu = [statistics.median(c[i] for _, c, _ in runs) for i in range(a.steps)]
        tail = min(20, a.steps)
        steady = statistics.median(
            statistics.median(w[a.steps - tail:]) for w, _, _ in runs)
        firsts = [sum(w[:10]) for w, _, _ in runs]
        cpus = [sum(c[:10]) for _, c, _ in runs]
        summary[name] = (wall, cpu, steady, statistics.median(firsts), statistics.median(cpus),
                         steady_from(wall, steady), {l for _, _, l in runs})
    for i in range(min(a.show, a.steps)):
        line = f"| {i + 1} |"
        for name, _ in configs:
            wall, cpu = summary[name][0], summary[name][1]
            line += f" {wall[i]:.1f} | {cpu[i]:.0f} |"
        print(line)
    print()
    print("| configuration | first 10 steps, wall ms | first 10 steps, cpu ms | steady step ms "
          "| steady from step | loss sums |")
    print("|---|---:|---:|---:|---:|---|")
    for name, _ in configs:
        _, _, steady, first, firstcpu, since, losses = summary[name]
        print(f"| {name} | {first:.0f} | {firstcpu:.0f} | {steady:.1f} | {since} "
              f"| {' '.join(sorted(losses))} |")


if __name__ == "__main__":
    main()
