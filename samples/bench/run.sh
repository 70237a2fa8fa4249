#!/usr/bin/env bash
# Builds the JMH benchmarks and runs them against the NumPy/PyTorch baselines, interleaved
# (JMH round, baseline round, JMH round, ...), then prints one table of ratios.
#
#   samples/bench/run.sh            # quick: 2 rounds, 4 s warm-up, 3 s measured per case
#   samples/bench/run.sh --long     # 3 rounds, longer iterations
#   samples/bench/run.sh --only gemm/   # one group (prefix of the case names: gemm/ conv/
#                                       # elementwise/ train/ rnn/ infer/ distribute/)
#   samples/bench/run.sh --only distribute/   # all-reduce and replicated training; no baseline,
#                                             # its own table (distribute_table.py)
#
# Environment: SONNET_BENCH_THREADS (default 2) threads on both sides; SONNET_BUILD_SUFFIX
# (default -bench) the build folder suffix; SONNET_BENCH_OUT (default samples/target<suffix>/bench)
# where the round files and table.md go. Needs Debian's python3-numpy, python3-torch and
# libopenblas0-pthread (without it NumPy falls back to the reference BLAS, ~50x slower).
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=2; wi=4; it=3; secs=1; only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --long) rounds=3; wi=3; it=5; secs=2 ;;
    --rounds) rounds="$2"; shift ;;
    --only) only="$2"; shift ;;
    *) echo "unknown option $1; see the header of $0" >&2; exit 2 ;;
  esac
  shift
done

threads="${SONNET_BENCH_THREADS:-2}"
suffix="${SONNET_BUILD_SUFFIX:--bench}"
target="samples/target${suffix}"
out="${SONNET_BENCH_OUT:-$target/bench}"
java="${JAVA25:-$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)}"
py=/usr/bin/python3

if ! ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1; then
  echo "warning: libopenblas0-pthread is not installed; NumPy/PyTorch use the reference BLAS" >&2
  echo "         and the GEMM baseline is meaningless: apt-get install libopenblas0-pthread" >&2
fi

echo "== building (suffix $suffix)" >&2
# runtime-opencl: samples depends on it (test scope, for its OpenCL job test); the JMH runs force
# the CPU backend below.
./mvnw -B -q -Dsonnet.build.suffix="$suffix" -pl processor,api,runtime-cpu,runtime-opencl,samples -DskipTests \
  package dependency:build-classpath -Dmdep.outputFile=target"$suffix"/jmh.classpath >&2
# The class path as one manifest-only jar: JMH forks each benchmark JVM with the parent's class
# path on its command line, and ONNX Runtime 1.29's native library crashes (SIGSEGV while creating
# its environment) in a process whose command line is longer than a few kilobytes; the full list
# of jars is about 14 KB.
manifest="$target/jmh-classpath.mf"
{
  printf 'Manifest-Version: 1.0\nClass-Path:'
  for entry in "$PWD/$target/classes/" $(tr ':' ' ' < "$target/jmh.classpath"); do
    case "$entry" in /*) ;; *) entry="$PWD/$entry" ;; esac
    [ -d "$entry" ] && case "$entry" in */) ;; *) entry="$entry/" ;; esac
    printf ' \n file:%s' "$entry"
  done
  printf '\n'
} > "$manifest"
rm -f "$target/jmh-classpath.jar"
"$(dirname "$java")/jar" --create --file "$target/jmh-classpath.jar" --manifest "$manifest"
cp="$target/jmh-classpath.jar"

# Benchmark selection as JMH regexps, from the case prefix.
case "$only" in
  "") sel=(GemmBench ConvBench ElementwiseBench TrainBench RnnBench InferenceBench) ;;
  gemm/*) sel=(GemmBench) ;;
  conv/*) sel=(ConvBench) ;;
  elementwise/*) sel=(ElementwiseBench) ;;
  train/*) sel=(TrainBench) ;;
  rnn/*) sel=(RnnBench) ;;
  infer/*) sel=(InferenceBench) ;;
  distribute/*) sel=(DistributeBench) ;;
  *) echo "--only takes gemm/, conv/, elementwise/, train/, rnn/, infer/ or distribute/" >&2; exit 2 ;;
esac
# The machine's peak runs in every JMH round, whatever the group: the FMA-throughput probe and the
# bandwidth probe (the triad), so every table can say what fraction of the peak each case reaches.
sel+=(PeakBench.fmaPeak)
case " ${sel[*]} " in *" ElementwiseBench "*) ;; *) sel+=(ElementwiseBench.largeTriad) ;; esac

# Inference runs in JMH forks of its own under the JVM's default collector (G1), as a serving JVM
# would: under ParallelGC the loaded MLP's steady state landed at 1.8 or 2.3 ms from fork to fork
# (where a young collection happened to move the long-lived arrays), under G1 at 1.8 ms in every
# fork (samples/bench/README.md, "Inference and the garbage collector"). The other groups keep
# ParallelGC, which measured faster for training steps (they allocate far more). Four more warm-up
# iterations: a loaded model's per-second average falls for its first ~6 s (JIT compilation).
infer_sel=()
case " ${sel[*]} " in
  *" InferenceBench "*)
    infer_sel=(InferenceBench)
    rest=()
    for s in "${sel[@]}"; do [ "$s" = InferenceBench ] || rest+=("$s"); done
    sel=("${rest[@]}")
    ;;
esac

rm -rf "$out"; mkdir -p "$out"
export OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads"
dirs=()
for r in $(seq 1 "$rounds"); do
  d="$out/round$r"; mkdir -p "$d"; dirs+=("$d")
  echo "== round $r/$rounds: JMH" >&2
  "$java" --add-modules=jdk.incubator.vector -cp "$cp" org.openjdk.jmh.Main "${sel[@]}" \
    -f 1 -wi "$wi" -w 1s -i "$it" -r "${secs}s" -prof gc -foe true \
    -jvmArgs "--add-modules=jdk.incubator.vector -XX:+UseParallelGC -Xmx4g -Dsonnet.cpu.threads=$threads -Dsonnet.backend=cpu" \
    -rf json -rff "$d/jmh.json" > "$d/jmh.log" 2>&1 || { tail -30 "$d/jmh.log" >&2; exit 1; }
  if [ ${#infer_sel[@]} -gt 0 ]; then
    "$java" --add-modules=jdk.incubator.vector -cp "$cp" org.openjdk.jmh.Main "${infer_sel[@]}" \
      -f 1 -wi "$((wi + 4))" -w "${secs}s" -i "$it" -r "${secs}s" -prof gc -foe true \
      -jvmArgs "--add-modules=jdk.incubator.vector -Xmx4g -Dsonnet.cpu.threads=$threads -Dsonnet.backend=cpu" \
      -rf json -rff "$d/jmh-infer.json" > "$d/jmh-infer.log" 2>&1 \
      || { tail -30 "$d/jmh-infer.log" >&2; exit 1; }
  fi
  # DistributeBench has no NumPy/PyTorch counterpart: its table compares with the machine itself.
  case "$only" in distribute/*) continue ;; esac
  echo "== round $r/$rounds: baseline" >&2
  "$py" samples/bench/baseline.py --threads "$threads" --seconds "$secs" --only "$only" \
    --out "$d/baseline.jsonl" > /dev/null
done
{
  echo "$(date -u +%F) $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $threads threads," \
    "$rounds rounds"
  echo
  case "$only" in
    distribute/*) "$py" samples/bench/distribute_table.py "${dirs[@]}" ;;
    *) "$py" samples/bench/table.py "${dirs[@]}" ;;
  esac
} | tee "$out/table.md"
