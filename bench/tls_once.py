"""One run of vetscan's TLS probe path (reachability pre-check, then the sslyze
adapter) on the endpoints given as JSON, for bench/run.py to time as a process.

    python bench/tls_once.py CA_FILE TIMEOUT '[["host", 443, "127.0.10.10", false], ...]' [own]

With ``own``, the probe's own handshakes follow sslyze (post-quantum key exchange,
cipher order, ALPN: scanner.probes.tls.own_tests), so their cost can be read apart.

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
    ready = [e for e in endpoints if reachable(e, timeout, 30.0, LAB_POLICY).ok]
    if ready:
        results = TlsScanner(ca, timeout, policy=LAB_POLICY).scan(ready)
        if argv[3:] == ["own"]:
            # Imported here, so that the plain rows do not pay for them.
            from scanner.lab.providers import NAMESERVER
            from scanner.net.handshakes import HandshakeTester
            from scanner.net.hybrid_kex import HybridKexTester
            from scanner.net.resolver import Resolver, parse_nameserver
            from scanner.probes.base import ProbeContext
            from scanner.probes.tls.own_tests import with_own_tests
            from scanner.scoring.profile import load_profile

            context = ProbeContext(
                resolver=Resolver(parse_nameserver(NAMESERVER)),
                policy=LAB_POLICY,
                profile=load_profile("default"),
                kex=HybridKexTester(LAB_POLICY, timeout),
                handshakes=HandshakeTester(LAB_POLICY, timeout),
            )
            with_own_tests(dict(zip(ready, results, strict=True)), context)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
