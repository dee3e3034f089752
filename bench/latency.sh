#!/usr/bin/env bash
# Benchmark: add-user commands for existing instances of the local stack, publish -> ACCEPTED and publish -> SUCCEEDED
# (p50, p99) and throughput, beside a raw Kafka consume -> produce echo at the same rate in the same run.
# Usage: bench/latency.sh [commands, default 2000] [per second, default 100]
exec "$(dirname "$0")/cli-bench.sh" LatencyBenchmark "${1:-2000}" "${2:-100}"
