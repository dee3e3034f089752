#!/usr/bin/env bash
# Benchmark: failover (primary SIGKILLed, its data directory removed) and switchover of the reference's
# high-availability example under a write loop (one INSERT every 50 ms), printing the longest time without an
# acknowledged write and the acknowledged writes lost (must be 0).
# Usage: bench/failover.sh [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests -pl provisioner -am
mvn -B -q -ntp -pl provisioner test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
java -cp "provisioner/target/test-classes:provisioner/target/classes:$(cat provisioner/target/bench.classpath)" \
  io.pgfleet.provisioner.bench.FailoverBenchmark "${1:-3}"
