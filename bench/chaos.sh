#!/usr/bin/env bash
# The chaos soak (not part of the test run, which runs the same drill with each kind of fault once): the local stack, with its services,
# its Kafka broker and its state PostgreSQL as OS processes of their own, under a steady mix of commands (provision,
# add-user, backup, restore, scale, switchover, delete) from an independent client and a writer with synchronous commits
# on each of two high-availability instances, while a seeded, printed schedule injects one fault at a time: SIGKILL, and
# SIGSTOP then SIGCONT, of each service, of the broker, of the state database, of primaries and of standbys, and the
# removal of a member's data directory. At the end every command must have one final answer per service that takes it,
# every acknowledged write must be there, every user must log in, every backup must restore, and no sample may have seen
# two writable members of an instance. It prints the faults by kind, the commands, the acknowledged writes and the longest
# write outage per instance (lines starting with "chaos:").
# Usage: bench/chaos.sh [minutes of faults, default 60] [seed, to repeat the schedule's choices]
set -euo pipefail
cd "$(dirname "$0")/.."
args=(-Dpgfleet.chaos.minutes="${1:-60}")
if [ -n "${2:-}" ]; then
  args+=(-Dpgfleet.chaos.seed="$2")
fi
exec bench/drill.sh ChaosDrillIT "${args[@]}"
