#!/usr/bin/env bash
# Queue benchmarks: Caravan's own queue (core/queue) and db-scheduler, each against an embedded
# PostgreSQL it starts itself. Prints throughput (jobs/s) and idle pickup latency (p50/p90/p99/max).
#
#   bash bench/queue.sh              both, one after the other
#   bash bench/queue.sh caravan      only Caravan's queue
#   bash bench/queue.sh db-scheduler only db-scheduler
#
# Options, as environment variables: BENCH_JOBS (50000 per round), BENCH_ROUNDS (3; the median is printed),
# BENCH_WARMUP_JOBS (20000), BENCH_BATCH (1000 jobs per enqueue transaction), BENCH_ENQUEUERS (4 threads),
# BENCH_CONCURRENCY (32: worker concurrency, db-scheduler threads), BENCH_POOL (10: Caravan worker's pool),
# BENCH_SAMPLES (1000 latency samples); for db-scheduler BENCH_DBS_POOL (threads + 2), BENCH_DBS_POLLING_MS
# (1000), BENCH_DBS_CROSS_SAMPLES (200). About 2.5 minutes for both on 2 cores. Builds with the Maven profile
# `bench` into target/bench; the normal build (bin/test) never compiles or runs it. docs/queue.md records the figures.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bin/find-java"
command -v mvn >/dev/null 2>&1 || { echo "The benchmarks need Maven (apt-get install maven)." >&2; exit 1; }

which=${1:-all}
case "$which" in
  all) mains=(QueueBench DbSchedulerBench) ;;
  caravan) mains=(QueueBench) ;;
  db-scheduler) mains=(DbSchedulerBench) ;;
  *) echo "usage: bench/queue.sh [all|caravan|db-scheduler]" >&2; exit 2 ;;
esac

echo "Building the benchmarks (mvn -Pbench test-compile) ..." >&2
(cd "$root" && mvn -q -B -Pbench test-compile) >&2
classpath="$root/target/bench/classes:$root/target/bench/test-classes:$(cat "$root/target/bench/classpath.txt")"

for main in "${mains[@]}"; do
  echo
  "$JAVA_HOME/bin/java" -Xms1g -Xmx1g -XX:+UseG1GC \
    -cp "$classpath" "social.caravan.bench.$main"
done
