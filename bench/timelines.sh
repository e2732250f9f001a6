#!/usr/bin/env bash
# Timeline benchmarks (issue 4): a data set of 10,000 accounts, 1,000,000 statuses, a heavy-tailed follow
# graph and full home feeds, generated once (set-based SQL) and kept in the data directory for later runs;
# then Caravan's web role in-process on 127.0.0.1 and
#   - throughput of GET /api/v1/timelines/home?limit=40 (wrk, 64 connections, 30 s after a 15 s warm-up),
#   - latency at an open-loop 200 requests/s for 30 s (plain keep-alive sockets on virtual threads, same JVM),
#   - fan-out of one post to 10,000 followers' home feeds (through a worker, and FeedService.fanout alone),
#   - a profile of one request (statements, steps, EXPLAIN ANALYZE).
# Prints the figures and whether each target is met. docs/performance.md records them.
#
#   bash bench/timelines.sh                 everything (about 5 minutes the first time, 2 once the data exists)
#   bash bench/timelines.sh generate        only make (or check) the data set
#   bash bench/timelines.sh throughput|latency|fanout|explain   one part
#   bash bench/timelines.sh hold            keep the database up (BENCH_HOLD seconds, 1800) to look at it with psql
#
# Options, as environment variables: BENCH_DATA_DIR (target/bench/timelines-data: the PostgreSQL data
# directory, reused), DATABASE_URL (an external PostgreSQL instead; the data is generated into it, after
# emptying Caravan's tables: it refuses a database holding other accounts unless BENCH_WIPE=yes),
# DB_POOL (Caravan's pool, 10), BENCH_CLIENT (wrk, or java for a closed-loop Java client in the same JVM),
# BENCH_CONNECTIONS (64), BENCH_DURATION (30 s), BENCH_WARMUP (15 s), BENCH_RATE (200/s),
# BENCH_TOKENS (1000 sampled readers), BENCH_FANOUT_ROUNDS (3), BENCH_ACCOUNTS (10000),
# BENCH_STATUSES (1000000), BENCH_FAVOURITES (1000000), BENCH_PG_SHARED_BUFFERS (1GB), BENCH_JVM_OPTS.
# Builds with the Maven profile `bench` into target/bench; the normal build never sees it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bin/find-java"
command -v mvn >/dev/null 2>&1 || { echo "The benchmarks need Maven (apt-get install maven)." >&2; exit 1; }

which=${1:-all}
case "$which" in
  all|generate|throughput|latency|fanout|explain|hold) ;;
  *) echo "usage: bench/timelines.sh [all|generate|throughput|latency|fanout|explain]" >&2; exit 2 ;;
esac

if [ "${BENCH_CLIENT:-wrk}" = wrk ] && [ "$which" = all -o "$which" = throughput ] && ! command -v wrk >/dev/null 2>&1; then
  echo "Installing wrk (apt-get install -y wrk) ..." >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  { $sudo apt-get install -y -q wrk || { $sudo apt-get update -q && $sudo apt-get install -y -q wrk; }; } >&2 || {
    echo "Cannot install wrk; run with BENCH_CLIENT=java to use the Java client instead." >&2; exit 1; }
fi

echo "Building the benchmarks (mvn -Pbench test-compile) ..." >&2
(cd "$root" && mvn -q -B -Pbench test-compile) >&2
classpath="$root/target/bench/classes:$root/target/bench/test-classes:$(cat "$root/target/bench/classpath.txt")"

cd "$root"
echo "Command: bash bench/timelines.sh $which$( [ -n "${DB_POOL:-}" ] && echo " (DB_POOL=$DB_POOL)" )"
# BENCH_JVM_OPTS adds JVM options, e.g. -XX:StartFlightRecording=filename=target/bench/timelines/home.jfr
exec "$JAVA_HOME/bin/java" -Xms2g -Xmx2g -XX:+UseG1GC ${BENCH_JVM_OPTS:-} \
  -Dbench.only="$which" -cp "$classpath" social.caravan.bench.TimelineBench
