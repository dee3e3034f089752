#!/usr/bin/env bash
# What pgfleet needs from Debian, in one place: the demo (./pgfleet demo, up) and the tests (scripts/test.sh, .ci/run).
#   bash scripts/packages.sh demo|test            prints the missing packages, one line (nothing when all are there)
#   bash scripts/packages.sh demo|test --install  installs them (as root, or with sudo), or names the exact command and fails
set -euo pipefail
need="${1:?demo or test}"
missing=()
# PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup, pg_dump) under /usr/lib/postgresql/<major>/bin.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v restic >/dev/null || missing+=(restic)
# pgBackRest archives WAL and takes base backups.
command -v pgbackrest >/dev/null || missing+=(pgbackrest)
# PgBouncer: the local driver's connection pooler per instance (spec.pooler).
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
# runuser: PostgreSQL runs as an unprivileged account when pgfleet runs as root.
command -v runuser >/dev/null || missing+=(util-linux)
# openssl makes the local members' CA and certificates and checksums streamed dumps (dgst -sha256), with tee and mkfifo (coreutils).
command -v openssl >/dev/null || missing+=(openssl)
command -v mkfifo >/dev/null || missing+=(coreutils)
# The kill program (not the shell's builtin): the backup-worker stops a restic process with SIGINT.
[ -x /usr/bin/kill ] || [ -x /bin/kill ] || missing+=(procps)
if [ "$need" = test ]; then
  # docker-compose v1 validates docker-compose.yml (ComposeFileTest) without a Docker engine; no recommends, so no engine.
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  # promtool checks the chart's alerting rules and shows them firing (MonitoringChartTest).
  command -v promtool >/dev/null || missing+=(prometheus)
  # The producer examples of docs/examples (PgfleetCommandIT runs them): Debian's python3 with confluent-kafka and PyYAML
  # (the python3 first on the PATH may be another one), and kcat.
  /usr/bin/python3 -c 'import confluent_kafka' 2>/dev/null || missing+=(python3-confluent-kafka)
  /usr/bin/python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
  command -v kcat >/dev/null || missing+=(kcat)
fi
if [ "${2:-}" != --install ]; then
  echo "${missing[*]}"
  exit 0
fi
[ "${#missing[@]}" -eq 0 ] && exit 0
command="apt-get install -y -qq --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "pgfleet: missing Debian packages: ${missing[*]}; install them with: sudo apt-get update && sudo $command" >&2
  exit 1
fi
echo "pgfleet: installing Debian packages: ${missing[*]} ..." >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp -t pgfleet-apt.XXXXXX)"
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "pgfleet: installing ${missing[*]} failed (whole output: $log)" >&2
  exit 1
fi
rm -f "$log"
echo "pgfleet: installed ${missing[*]}" >&2
