#!/usr/bin/env bash
# Benchmark: add-user commands for existing instances of the local stack, publish -> ACCEPTED and publish -> SUCCEEDED
# (p50, p99) and throughput, beside a raw Kafka consume -> produce echo at the same rate in the same run.
# Usage: bench/latency.sh [commands, default 2000] [per second, default 100] [rounds, default 3]: beside a transactional echo
# (consume -> INSERT and COMMIT in the state PostgreSQL -> produce), alternating rounds, medians with their ranges
# The run adds its commands' users to 4 instances (500 each at the default 2000): above the default bounds on the users of
# one instance and of one namespace, which the services take from the environment.
export PGFLEET_LIMITS_MAX_USERS="${PGFLEET_LIMITS_MAX_USERS:-100000}" PGFLEET_LIMITS_NAMESPACE_USERS="${PGFLEET_LIMITS_NAMESPACE_USERS:-0}"
exec "$(dirname "$0")/cli-bench.sh" LatencyBenchmark "${1:-2000}" "${2:-100}" "${3:-3}"
