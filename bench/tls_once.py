"""One run of vetscan's TLS probe path (reachability pre-check, then the sslyze
adapter) on the endpoints given as JSON, for bench/run.py to time as a process.

    python bench/tls_once.py CA_FILE TIMEOUT '[["host", 443, "127.0.10.10", false], ...]'

An endpoint may name its service fifth ("imaps", "imap", ...; scanner.observations.tls_services).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.net.policy import AddressPolicy
from scanner.net.tls_scan import TlsScanner
from scanner.observations.tls import TlsEndpoint
from scanner.probes.tls.probe import reachable

# The lab lives on loopback: these adapter tests may contact it.
LAB_POLICY = AddressPolicy(allow_private=True)


def main(argv: list[str]) -> int:
    ca, timeout = Path(argv[0]), float(argv[1])
    endpoints = []
    for host, port, address, starttls, *service in json.loads(argv[2]):
        kind = service[0] if service else ("smtp" if starttls else "https")
        role = "mail" if starttls or kind != "https" else "web"
        endpoints.append(TlsEndpoint(host, port, address, role, starttls, kind))
    ready = [e for e in endpoints if reachable(e, timeout, 30.0).ok]
    if ready:
        TlsScanner(ca, timeout, policy=LAB_POLICY).scan(ready)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
