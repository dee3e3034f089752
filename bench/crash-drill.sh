#!/usr/bin/env bash
# The full crash drill (not part of the test run, which does 3 kills per command type): the local
# stack's services are SIGKILLed at randomised moments while they carry out provision (the reference's
# complete and HA examples, then more instances), add-user, backup and restore commands, N kills per
# command type, and started again; then every command must have exactly one SUCCEEDED per service, and
# every member, user, row and backup must be there (checked with psql and the restic CLI).
# Usage: bench/crash-drill.sh [kills per command type, default 10] [seed, to repeat a run's moments]
set -euo pipefail
cd "$(dirname "$0")/.."
args=(-Dpgfleet.drill.kills="${1:-10}")
if [ -n "${2:-}" ]; then
  args+=(-Dpgfleet.drill.seed="$2")
fi
exec bench/drill.sh CrashDrillIT "${args[@]}"
