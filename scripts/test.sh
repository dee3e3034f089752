#!/usr/bin/env bash
# The test command: installs the Debian packages the tests need when they are missing (as root, or with sudo; otherwise
# names the one command to run), then runs every test. .ci/run calls this script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/packages.sh test --install
mvn -B -ntp verify "$@"
