"""One run of vetscan's discovery and web probes on a lab domain; writes the probes'
own wall time to OUT, for bench/run.py.

    python bench/web_once.py DOMAIN CA_FILE OUT
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.engine import run_probes
from scanner.lab.providers import NAMESERVER
from scanner.model import Target
from scanner.net.http import HttpClient
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver, parse_nameserver
from scanner.probes.base import ProbeContext
from scanner.probes.discovery.probe import DnsDiscoveryProbe
from scanner.probes.web.probe import WebProbe
from scanner.scoring.profile import load_profile

# The lab lives on loopback: these adapter tests may contact it.
LAB_POLICY = AddressPolicy(allow_private=True)


def main(argv: list[str]) -> int:
    domain, ca, out = argv[0], Path(argv[1]), Path(argv[2])
    context = ProbeContext(
        resolver=Resolver(parse_nameserver(NAMESERVER), timeout=2.0),
        policy=AddressPolicy(allow_private=True),
        profile=load_profile("default"),
        http=HttpClient(ca, timeout=3.0, policy=LAB_POLICY),
    )
    start = time.perf_counter()
    run_probes(Target(domain, (domain,)), [DnsDiscoveryProbe(), WebProbe()], context)
    out.write_text(f"{time.perf_counter() - start:.4f}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
