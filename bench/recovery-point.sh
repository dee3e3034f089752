#!/usr/bin/env bash
# Benchmark: the age of the newest restorable point while pgbench writes (local instance archiving with pgBackRest to
# the S3 server over TLS). Usage: bench/recovery-point.sh [seconds, default 120]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests -pl backup-worker -am
mvn -B -q -ntp -pl backup-worker test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
java -cp "backup-worker/target/test-classes:backup-worker/target/classes:$(cat backup-worker/target/bench.classpath)" \
  io.pgfleet.backup.bench.RecoveryPointBenchmark "${1:-120}"
