#!/usr/bin/env bash
# The test command: installs the Debian packages the tests need when they are missing (as root, or with sudo; otherwise
# names the one command to run), then runs every test, and ends with where the time went (scripts/test-times.sh): the
# slowest test classes, the number of tests and the wall time. .ci/run calls this script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/packages.sh test --install
start=$(date +%s)
status=0
mvn -B -ntp verify "$@" || status=$?
bash scripts/test-times.sh 20 || true
echo "== mvn verify took $(( ($(date +%s) - start) / 60 )) min $(( ($(date +%s) - start) % 60 )) s (exit ${status}) =="
exit "$status"
