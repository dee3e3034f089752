#!/usr/bin/env bash
# Benchmark: a document with many users and databases through the user-manager vs the same
# statements as a psql script, then an unchanged re-apply.
# Usage: bench/user-manager.sh [users, default 200] [databases, default 50] [rounds, default 3]: fresh instances each round,
# alternating which goes first; medians with their ranges
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests -pl user-manager -am
mvn -B -q -ntp -pl user-manager test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
# With the members' TLS (the default), then without, in one run.
for tls in true false; do
  echo "members' TLS: $tls"
  java -Dpgfleet.bench.tls=$tls -cp "user-manager/target/test-classes:user-manager/target/classes:$(cat user-manager/target/bench.classpath)" \
    io.pgfleet.usermanager.bench.AccessBenchmark "${1:-200}" "${2:-50}" "${3:-3}"
done
