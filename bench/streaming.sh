#!/usr/bin/env bash
# Streaming benchmark (issue 7): 10,000 concurrent WebSocket clients on one streaming node, all
# subscribed to `public`; one public post reaches every one of them. Caravan's web role runs in the
# benchmark JVM on the embedded PostgreSQL (a fresh data directory), the streaming role in a JVM of
# its own (`caravan serve --roles streaming`, joining that PostgreSQL), and the clients (JDK
# WebSockets) in the benchmark JVM. Events travel web -> PostgreSQL NOTIFY -> streaming node.
# Prints delivery latency (post sent -> message received, p50/p95/p99 over every client and round)
# and the streaming node's memory per connection (heap after a full GC, and resident set). The
# figures go into docs/streaming.md.
#
#   bash bench/streaming.sh
#
# Options, as environment variables: BENCH_CLIENTS (10000), BENCH_ROUNDS (10 measured posts), BENCH_WARMUP (5 posts
# before them), BENCH_NODE_HEAP (2g, the streaming node's -Xmx), BENCH_JVM_OPTS.
# Builds with the Maven profile `bench` into target/bench; the normal build never sees it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bin/find-java"
command -v mvn >/dev/null 2>&1 || { echo "The benchmarks need Maven (apt-get install maven)." >&2; exit 1; }

# Two sockets per client (both ends are on this machine), plus files: raise the descriptor limit.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

echo "Building the benchmarks (mvn -Pbench test-compile) ..." >&2
(cd "$root" && mvn -q -B -Pbench test-compile) >&2
classpath="$root/target/bench/classes:$root/target/bench/test-classes:$(cat "$root/target/bench/classpath.txt")"

cd "$root"
echo "Command: bash bench/streaming.sh (clients ${BENCH_CLIENTS:-10000}, load before: $(cut -d' ' -f1-3 /proc/loadavg))"
exec "$JAVA_HOME/bin/java" -Xms2g -Xmx3g -XX:+UseG1GC ${BENCH_JVM_OPTS:-} \
  -Dbench.java="$JAVA_HOME/bin/java" -Dbench.classpath="$classpath" \
  -cp "$classpath" social.caravan.bench.StreamingBench
