#!/usr/bin/env bash
# Benchmark: restore a ~1 GiB database (plus a quarter of that as WAL after its base backup) to a point in time
# through the backup-worker (into another instance) and with raw pgbackrest restore --type=time + pg_ctl start,
# in the same run, alternating rounds; prints medians with their ranges and the ratio.
# Usage: bench/pitr.sh [MiB, default 1024] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests -pl backup-worker -am
mvn -B -q -ntp -pl backup-worker test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
java -cp "backup-worker/target/test-classes:backup-worker/target/classes:$(cat backup-worker/target/bench.classpath)" \
  io.pgfleet.backup.bench.PitrBenchmark "${1:-1024}" "${2:-3}"
