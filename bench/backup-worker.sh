#!/usr/bin/env bash
# Benchmark: back up and restore a ~1 GiB database through the backup-worker and with raw
# pg_dump | restic backup --stdin and restic dump | pg_restore, in the same run; prints the ratios.
# Usage: bench/backup-worker.sh [MiB, default 1024] [rounds, default 3]: alternating rounds, medians with their ranges
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests -pl backup-worker -am
mvn -B -q -ntp -pl backup-worker test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
java -cp "backup-worker/target/test-classes:backup-worker/target/classes:$(cat backup-worker/target/bench.classpath)" \
  io.pgfleet.backup.bench.BackupBenchmark "${1:-1024}" "${2:-3}"
