#!/usr/bin/env bash
# The test command: installs the Debian packages the tests need when they are missing (as root, or with sudo; otherwise
# names the one command to run), then runs the tests, and ends with where the time went (scripts/test-times.sh): the
# slowest test classes, the number of tests and the wall time. .ci/run calls it without a tier: every test. Without
# Maven arguments, the integration tests of the cli module and of the others run side by side (see below).
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
if [ $# -gt 0 ] || [ "${tier[*]-}" = "-DskipITs" ]; then
  # Maven arguments of the caller (a module, a test), or the unit tier: one Maven run as asked.
  mvn -B -ntp verify ${tier[@]+"${tier[@]}"} "$@" || status=$?
else
  # Two stages. First every module is built and installed, its tests compiled, none run. Then the tests run in two Maven
  # runs side by side: the cli module's (whole local stacks, about half of the time) and every other module's. They
  # mostly wait on servers, so on two cores the two runs take little more than the longer one. The second stage compiles
  # and packages nothing again (maven.main.skip, and the jars are up to date; mdep.skip keeps each module's
  # classpath.txt as the first stage wrote it): the cli's stacks run the services from those jars while the other run
  # goes on. The test provider (shared by Surefire and Failsafe) is fetched by one unit test class run first, so the two
  # runs never download it into the local repository at once.
  mvn -B -ntp install -DskipTests || status=$?
  if [ "$status" -eq 0 ]; then
    mvn -B -ntp -q surefire:test -pl events-schema -Dtest=CronExpressionTest || status=$?
  fi
  if [ "$status" -eq 0 ]; then
    again=(-B -ntp verify -Dmaven.main.skip=true -Dmdep.skip=true ${tier[@]+"${tier[@]}"})
    echo "== tests: the cli module's and the other modules' side by side (lines marked [cli] and [modules]) =="
    # The cli's stacks run one at a time and make the longer run: its unit tests join the other run, after its modules.
    # Evening the runs out does not shorten the whole: both cores are 89-100 % busy through this stage (measured from
    # /proc/stat on 2026-12-07; moving PointInTimeRestoreIT to the other run took 26 min 9 s against 25 min 12 s).
    # (pipefail: a pipeline fails when its mvn does)
    ( mvn "${again[@]}" -pl '!cli' 2>&1 | sed -u 's/^/[modules] /' \
        && mvn -B -ntp surefire:test -pl cli ${tier[@]+"${tier[@]}"} 2>&1 | sed -u 's/^/[modules] /' ) &
    modules=$!
    cli=0
    ( mvn "${again[@]}" -pl cli -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false 2>&1 | sed -u 's/^/[cli] /' ) || cli=$?
    others=0
    wait "$modules" || others=$?
    echo "== tests: cli exit ${cli}, other modules exit ${others} =="
    [ "$cli" -eq 0 ] && [ "$others" -eq 0 ] || status=1
  fi
fi
bash scripts/test-times.sh 20 || true
echo "== mvn verify took $(( ($(date +%s) - start) / 60 )) min $(( ($(date +%s) - start) % 60 )) s (exit ${status}) =="
exit "$status"
