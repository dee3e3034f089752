#!/usr/bin/env bash
# Runs one drill of the cli module (an integration test class) alone, with its system properties: the whole reactor is
# built (the stack runs every service from its module's target), only that class runs.
# Usage: bench/drill.sh <IT class> [-Dkey=value ...]   (bench/crash-drill.sh and bench/chaos.sh say which properties)
set -euo pipefail
cd "$(dirname "$0")/.."
drill="$1"
shift
mvn -B -ntp verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test="$drill" -Dfailsafe.failIfNoSpecifiedTests=false "$@"
