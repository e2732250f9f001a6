#!/usr/bin/env bash
# Federation benchmarks: ingestion of signed Create(Note) activities into the shared inbox (accepted and
# processed rates), and delivery of one post to 10,000 remote followers on 500 loopback servers with one
# worker (shared inboxes, then personal inboxes). Caravan runs in this JVM (web and worker roles) against an
# embedded PostgreSQL the bench starts (fsync on).
#
#   bash bench/federation.sh
#
# Options, as environment variables: BENCH_ACTORS (100), BENCH_ACTIVITIES (10000), BENCH_WARMUP (3000), BENCH_SENDERS (32
# connections), BENCH_SERVERS (500), BENCH_FOLLOWERS (10000). About 2 minutes on 2 cores. Builds with the
# Maven profile `bench` into target/bench. docs/federation.md records the figures.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bin/find-java"
command -v mvn >/dev/null 2>&1 || { echo "The benchmarks need Maven (apt-get install maven)." >&2; exit 1; }

echo "Building the benchmarks (mvn -Pbench test-compile) ..." >&2
(cd "$root" && mvn -q -B -Pbench test-compile) >&2
classpath="$root/target/bench/classes:$root/target/bench/test-classes:$(cat "$root/target/bench/classpath.txt")"

# BENCH_JVM_OPTS adds JVM options, e.g. -XX:StartFlightRecording=filename=target/bench/federation.jfr
exec "$JAVA_HOME/bin/java" -Xms1g -Xmx1g -XX:+UseG1GC ${BENCH_JVM_OPTS:-} -cp "$classpath" social.caravan.bench.FederationBench
