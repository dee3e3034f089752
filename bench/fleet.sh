#!/usr/bin/env bash
# Benchmark: the local stack (three services as processes of their own) provisions N development instances at once vs
# N raw initdb + pg_ctl start at once, for each N, in alternating rounds (pgfleet, raw, pgfleet, raw, ...) reported as
# medians with their ranges; then the services' CPU while the last round's N instances sit idle, their resident memory,
# and each service's start-to-ready time.
# Usage: bench/fleet.sh [sizes, default 1,10,30] [idle seconds, default 60] [rounds, default 3]
exec "$(dirname "$0")/cli-bench.sh" FleetBenchmark "${1:-1,10,30}" "${2:-60}" "${3:-3}"
