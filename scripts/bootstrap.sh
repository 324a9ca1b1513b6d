#!/usr/bin/env bash
# Installs everything vetscan's demo and tests need on Debian 12 with Python >= 3.11:
# the lab's servers and nmap from apt, and vetscan with its dev tools in ./.venv.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
# chromium and poppler-utils: the report's browser and PDF tests; libpango: WeasyPrint (PDF).
# unbound: the lab's open resolver (a name server that recurses for anyone).
# redis-server and postgresql: the queued audit's broker and shared history in the tests.
APT_PACKAGES=(nginx-light knot knot-dnsutils unbound nmap openssl chromium poppler-utils
              libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core redis-server postgresql)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else echo "bootstrap: need root (or sudo) to run: $*" >&2; exit 2
    fi
}

missing=()
for bin in nginx knotd kdig unbound nmap openssl chromium pdftotext redis-server; do
    if ! PATH="$PATH:/usr/sbin:/sbin" command -v "$bin" >/dev/null 2>&1; then missing+=("$bin"); fi
done
if ! PATH="$PATH:/usr/sbin:/sbin" ldconfig -p 2>/dev/null | grep -c 'libpangoft2-1.0.so' >/dev/null; then
    missing+=(libpango)
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing+=(postgresql); fi
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    APT_PACKAGES+=(python3-venv)
    missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing Debian packages (missing: ${missing[*]})"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${APT_PACKAGES[@]}" >/dev/null
fi

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "bootstrap: vetscan needs Python 3.11 or newer ($PYTHON is $("$PYTHON" -V 2>&1))" >&2
    exit 2
}

stamp=.venv/.vetscan-installed
wanted=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "bootstrap: installing vetscan and its dev tools into .venv"
    [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[dev]'
    echo "$wanted" > "$stamp"
fi

# Peers for the cross-check test and the benchmark, in a venv of their own:
# checkdmarc 6 needs cryptography>=50, which sslyze 6.3 does not allow beside it.
if [ ! -x .venv-peers/bin/checkdmarc ]; then
    echo "bootstrap: installing checkdmarc into .venv-peers"
    "$PYTHON" -m venv .venv-peers
    .venv-peers/bin/python -m pip install --quiet --upgrade pip
    .venv-peers/bin/python -m pip install --quiet 'checkdmarc>=6,<7'
fi
