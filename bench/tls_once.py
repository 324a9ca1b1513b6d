"""One run of vetscan's TLS probe path (reachability pre-check, then the sslyze
adapter) on the endpoints given as JSON, for bench/run.py to time as a process.

    python bench/tls_once.py CA_FILE TIMEOUT '[["host", 443, "127.0.10.10", false], ...]'
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.net.reachability import check_smtp_starttls, check_tls
from scanner.net.tls_scan import TlsScanner
from scanner.probes.tls.observations import TlsEndpoint


def main(argv: list[str]) -> int:
    ca, timeout = Path(argv[0]), float(argv[1])
    endpoints = [
        TlsEndpoint(h, p, a, "mail" if s else "web", s) for h, p, a, s in json.loads(argv[2])
    ]
    ready = [
        e
        for e in endpoints
        if (
            check_smtp_starttls(e.address, e.port, timeout)
            if e.starttls
            else check_tls(e.address, e.port, e.host, timeout)
        ).ok
    ]
    if ready:
        TlsScanner(ca, timeout).scan(ready)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
