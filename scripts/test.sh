#!/usr/bin/env bash
# The test command: installs the Debian packages the tests need when they are missing (as root, or with sudo; otherwise
# names the one command to run), then runs the tests, and ends with where the time went (scripts/test-times.sh): the
# slowest test classes, the number of tests and the wall time. .ci/run calls it without a tier: every test.
#
#   scripts/test.sh [--tier unit|integration|drill] [maven arguments...]
#     unit         the *Test classes: no server, seconds (mvn verify -DskipITs)
#     integration  every test but the drills: real PostgreSQL, Kafka, restic, pgBackRest, S3 (-DexcludedGroups=drill)
#     drill        the drills alone (@Tag("drill"): whole local stacks killed with SIGKILL, outages, point-in-time restores)
#   Maven arguments are passed on, e.g. -pl cli -am.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tier=()
if [ "${1:-}" = "--tier" ]; then
  case "${2:-}" in
    unit) tier=(-DskipITs) ;;
    integration) tier=(-DexcludedGroups=drill) ;;
    drill) tier=(-Dgroups=drill -Dsurefire.failIfNoSpecifiedTests=false -DfailIfNoTests=false) ;;
    *) echo "unknown tier '${2:-}': unit, integration or drill" >&2; exit 2 ;;
  esac
  shift 2
fi
bash scripts/packages.sh test --install
start=$(date +%s)
status=0
mvn -B -ntp verify ${tier[@]+"${tier[@]}"} "$@" || status=$?
bash scripts/test-times.sh 20 || true
echo "== mvn verify took $(( ($(date +%s) - start) / 60 )) min $(( ($(date +%s) - start) % 60 )) s (exit ${status}) =="
exit "$status"
