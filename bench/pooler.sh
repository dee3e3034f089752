#!/usr/bin/env bash
# Benchmark: pgbench -C (a new connection for every transaction, select-only) straight to a local instance's primary and
# through its PgBouncer transaction pool (spec.pooler), in alternating rounds of the same run, TLS required and off;
# prints each round's transactions per second and the pooler/direct ratio (goal: >= 3x).
# Usage: bench/pooler.sh [rounds, default 3] [seconds per run, default 10] [clients, default 8]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests -pl clusters -am
mvn -B -q -ntp -pl clusters test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
java -cp "clusters/target/test-classes:clusters/target/classes:$(cat clusters/target/bench.classpath)" \
  io.pgfleet.clusters.local.bench.PoolerBenchmark "${1:-3}" "${2:-10}" "${3:-8}"
