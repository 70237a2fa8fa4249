#!/usr/bin/env bash
# Data-parallel training on Spark with real executor JVMs, and a lost executor.
#
# Builds the jars once, then runs SparkTrainingJob twice on local-cluster[2,1,1024] (two executor
# JVMs of one core and 1 GB on this machine, everything bound to 127.0.0.1):
#   1. uninterrupted;
#   2. with replica 1's executor JVM killed (SIGKILL) once replica 1 has completed step KILL_AFTER
#      of the first stage attempt. Spark runs the barrier stage again on a new executor, and the
#      new attempt resumes from replica 0's latest checkpoint.
# and checks that both end with the same weights (weights_sha256, over every trainable variable).
#
# Usage: samples/spark/run-local-cluster.sh [extra SparkTrainingJob options]
# Environment: STEPS (default 12), SAVE_EVERY (4), KILL_AFTER (6), RUN_ROOT (a new temp dir),
# SONNET_HEAP (driver heap, 1500m).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

STEPS=${STEPS:-12}
SAVE_EVERY=${SAVE_EVERY:-4}
KILL_AFTER=${KILL_AFTER:-6}
RUN_ROOT=${RUN_ROOT:-$(mktemp -d /tmp/sonnet-spark-cluster.XXXXXX)}
mkdir -p "$RUN_ROOT"
export MAVEN_OPTS=${MAVEN_OPTS:--Xmx1g}

echo "== building the jars and samples/target/spark-home"
./mvnw -B -q -ntp -pl samples -am package -DskipTests -Pspark-home \
  -Dmaven.javadoc.skip=true -Dmaven.source.skip=true

version=$(sed -n 's:.*<version>\(.*-SNAPSHOT\)</version>.*:\1:p' pom.xml | head -1)
jars="$root/samples/target/sonnet-samples-$version.jar,$root/api/target/sonnet-api-$version.jar"
jars="$jars,$root/runtime-cpu/target/sonnet-runtime-cpu-$version.jar"
# The driver's options: the JVM flags every Sonnet JVM gets, and Spark's module options, both
# kept once in the poms.
jvm_args=$(sed -n 's:.*<sonnet.jvm.args>\(.*\)</sonnet.jvm.args>.*:\1:p' pom.xml)
driver_options=$(sed -n 's:.*<spark.driver.options>\(.*\)</spark.driver.options>.*:\1:p' samples/pom.xml)
# The JDK 25 that ./mvnw runs Maven on.
java=$(./mvnw -v 2>/dev/null | sed -n 's/.*runtime: //p')/bin/java

export SPARK_HOME="$root/samples/target/spark-home"
export SPARK_SCALA_VERSION=2.13
export SPARK_LOCAL_IP=127.0.0.1

run() { # run-dir, log file, extra options
  # shellcheck disable=SC2086 # the option strings are word lists
  "$java" $jvm_args $driver_options -Xmx"${SONNET_HEAP:-1500m}" \
    -cp "${jars//,/:}:$SPARK_HOME/jars/*" dev.sonnet.samples.spark.SparkTrainingJob \
    --master 'local-cluster[2,1,1024]' --replicas 2 --jars "$jars" \
    --steps "$STEPS" --save-every "$SAVE_EVERY" --batch 16 --channels 16,32,32 --strides 1,2,2 \
    --eval-limit 1000 --run-dir "$1" ${3:-} "${EXTRA[@]}" 2>&1 | tee "$2"
}
EXTRA=("$@")

echo "== 1. uninterrupted run ($RUN_ROOT/clean)"
start=$(date +%s)
run "$RUN_ROOT/clean" "$RUN_ROOT/clean.log"
echo "   $(( $(date +%s) - start )) s"

echo "== 2. replica 1's executor killed after its step $KILL_AFTER ($RUN_ROOT/killed)"
start=$(date +%s)
run "$RUN_ROOT/killed" "$RUN_ROOT/killed.log" "--kill-replica 1 --kill-after-step $KILL_AFTER"
echo "   $(( $(date +%s) - start )) s"

clean=$(grep '^weights_sha256=' "$RUN_ROOT/clean.log" | cut -d= -f2)
killed=$(grep '^weights_sha256=' "$RUN_ROOT/killed.log" | cut -d= -f2)
grep -q '^killer: killed the executor' "$RUN_ROOT/killed.log" || {
  echo "FAIL: the executor was not killed (see $RUN_ROOT/killed.log)"; exit 1; }
grep -qE '^\| +[0-9]+ \| +[1-9][0-9]* \| +[1-9][0-9]* \|' "$RUN_ROOT/killed.log" || {
  echo "FAIL: no retried stage attempt resumed from a checkpoint (see $RUN_ROOT/killed.log)"
  exit 1
}
if [ -n "$clean" ] && [ "$clean" = "$killed" ]; then
  echo "OK: the run that lost an executor ends with the weights of the uninterrupted run ($clean)"
else
  echo "FAIL: weights differ: uninterrupted $clean, killed $killed"
  exit 1
fi
