#!/usr/bin/env bash
# The demo: set-up, then start the lab, scan each of its sample providers and
# write their reports (default: ./reports). The lab keeps running afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/vetscan demo "$@"
echo "The lab is still running: stop it with '.venv/bin/vetscan lab down'."
