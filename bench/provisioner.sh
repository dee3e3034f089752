#!/usr/bin/env bash
# Benchmark: publish -> SUCCEEDED through the provisioner vs the raw initdb + pg_basebackup +
# pg_ctl start sequence, for the reference's development and high-availability examples.
# Usage: bench/provisioner.sh [runs per shape, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests -pl provisioner -am
mvn -B -q -ntp -pl provisioner test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
# Two provisioners side by side, members with TLS (the default) and without, timed in interleaved rounds.
java -cp "provisioner/target/test-classes:provisioner/target/classes:$(cat provisioner/target/bench.classpath)" \
  io.pgfleet.provisioner.bench.ProvisionBenchmark "${1:-3}"
