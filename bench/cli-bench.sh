#!/usr/bin/env bash
# Runs a benchmark of the cli module's test classes against the local stack (services as processes of their own).
# Usage: bench/cli-bench.sh <main class in io.pgfleet.cli> [arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests
mvn -B -q -ntp -pl cli test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
main="$1"
shift
java -Dpgfleet.home="$PWD" -cp "cli/target/test-classes:cli/target/classes:$(cat cli/target/bench.classpath)" "io.pgfleet.cli.$main" "$@"
