#!/usr/bin/env bash
# The test command: set-up, lint, type check, then the whole test suite. The suite
# starts the lab (nginx, Knot DNS, banner listeners on 127.0.10.x) itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

echo "== ruff"
.venv/bin/ruff check scanner tests bench scripts docs/probe-template
.venv/bin/ruff format --check scanner tests bench scripts docs/probe-template
echo "== mypy"
.venv/bin/mypy
# The template probe a newcomer copies is held to the package's own standard.
.venv/bin/mypy docs/probe-template/example
echo "== pytest"
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "test.sh: pytest collected no tests; that is a failure here" >&2
    exit 1
fi
exit "$status"
