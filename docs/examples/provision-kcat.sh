#!/usr/bin/env bash
# Publish a provision command to pgfleet with kcat and follow its answers.
#   docs/examples/provision-kcat.sh BOOTSTRAP_SERVERS DOCUMENT.json INSTANCE_KEY
# kcat sends the file's bytes as they are: the document must be JSON (from YAML, e.g.
#   python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))' < postgres.yaml > postgres.json).
# The CloudEvents attributes are ce_* headers (binary mode) and the key is the instance key (<namespace>/<name>, or
# <name> for the services' default namespace). The answers are the status events whose ce_correlationid header is the
# command id: a final one (SUCCEEDED, FAILED or REJECTED) from each of the provisioner, user-manager and backup-worker.
# Extra client settings (SASL, TLS) go in KCAT_CONFIG, a kcat -F file.
set -euo pipefail
bootstrap="$1"; file="$2"; key="$3"
config=()
[ -n "${KCAT_CONFIG:-}" ] && config=(-F "$KCAT_CONFIG")
id="$(cat /proc/sys/kernel/random/uuid)"
since="$(date +%s%3N)"
kcat "${config[@]}" -P -b "$bootstrap" -t pgfleet.command.provision -k "$key" \
  -H ce_specversion=1.0 -H "ce_id=$id" -H ce_source=/examples/kcat -H ce_type=io.pgfleet.command.provision.v1 \
  -H "ce_time=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" -H "ce_subject=$key" -H content-type=application/json "$file"
echo "published provision $id for $key"
# Every event published since then that answers this command (each once: a relay may publish one again), until each
# service has given its final answer or ten minutes have passed.
for _ in $(seq 300); do
  answers="$(kcat "${config[@]}" -C -b "$bootstrap" -t pgfleet.status -o "s@$since" -e -q -f '%h\t%s\n' \
    | grep -F "ce_correlationid=$id" | awk -F'\t' '!seen[$1]++ { print $2 }')"
  if [ "$(grep -cE '"phase" *: *"(SUCCEEDED|FAILED|REJECTED)"' <<<"$answers")" -ge 3 ]; then
    echo "$answers"
    grep -qE '"phase" *: *"(FAILED|REJECTED)"' <<<"$answers" && exit 1
    exit 0
  fi
  sleep 2
done
echo "no final answer from every service within 10 minutes" >&2
exit 124
