"""One run of vetscan's DNS discovery, email and DNS-health probes on a lab domain,
for bench/run.py to time as a process. Writes the probes' own wall time to OUT.

    python bench/dns_once.py DOMAIN ANCHORS OUT
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.engine import run_probes
from scanner.lab.providers import NAMESERVER
from scanner.model import Target
from scanner.net.dnssec import DnssecValidator, load_anchors
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver, parse_nameserver
from scanner.probes.base import ProbeContext
from scanner.probes.discovery.probe import DnsDiscoveryProbe
from scanner.probes.dnshealth.probe import DnsHealthProbe
from scanner.probes.email.probe import EmailProbe
from scanner.scoring.profile import load_profile


def main(argv: list[str]) -> int:
    domain, anchors, out = argv[0], Path(argv[1]), Path(argv[2])
    resolver = Resolver(parse_nameserver(NAMESERVER), timeout=2.0)
    context = ProbeContext(
        resolver=resolver,
        policy=AddressPolicy(allow_private=True),
        profile=load_profile("default"),
        dnssec=DnssecValidator(resolver, load_anchors(anchors)),
    )
    start = time.perf_counter()
    run_probes(
        Target(domain, (domain,)), [DnsDiscoveryProbe(), EmailProbe(), DnsHealthProbe()], context
    )
    out.write_text(f"{time.perf_counter() - start:.4f}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
