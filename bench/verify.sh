#!/usr/bin/env bash
# Benchmark: a restore drill (verify) of a backup of a ~1 GiB database through the backup-worker, against the same work by
# hand (an empty server, restic dump | pg_restore, each table counted, pg_amcheck --all), in the same run; prints the ratio.
# Usage: bench/verify.sh [MiB, default 1024] [rounds, default 3]: alternating rounds, medians with their ranges
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests -pl backup-worker -am
mvn -B -q -ntp -pl backup-worker test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
java -cp "backup-worker/target/test-classes:backup-worker/target/classes:$(cat backup-worker/target/bench.classpath)" \
  io.pgfleet.backup.bench.VerifyBenchmark "${1:-1024}" "${2:-3}"
