"""One run of vetscan's DNS discovery probe on a lab domain, for bench/run.py to time
as a process: with the profile's discovery sources or none, and certificate
transparency from the lab's stub (or one of its failure modes). Writes the probe's
own wall time to OUT.

    python bench/discovery_once.py DOMAIN SOURCES|none CT_URL OUT
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.lab.providers import NAMESERVER
from scanner.model import Target
from scanner.net.http import HttpClient
from scanner.net.lookups import MAX_SEARCH_BODY, DiscoveryClient
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver, parse_nameserver
from scanner.options import with_discovery
from scanner.probes.base import ProbeContext
from scanner.probes.discovery.probe import DnsDiscoveryProbe
from scanner.scoring.profile import load_profile


def main(argv: list[str]) -> int:
    domain, sources, ct_url, out = argv[0], argv[1], argv[2], Path(argv[3])
    resolver = Resolver(parse_nameserver(NAMESERVER), timeout=2.0)
    policy = AddressPolicy(allow_private=True)
    profile = with_discovery(load_profile("default"), None, (ct_url, f"certspotter={ct_url}"))
    if sources == "none":
        settings = {
            **profile.settings,
            "discovery": {**profile.settings["discovery"], "sources": ()},
        }
        profile = type(profile)(**{**profile.__dict__, "settings": settings})
    client = DiscoveryClient(
        HttpClient(timeout=2.0, max_body=MAX_SEARCH_BODY, policy=policy), resolver, policy, 2.0
    )
    context = ProbeContext(
        resolver=resolver, policy=policy, profile=profile, timeout=2.0, discovery=client
    )
    start = time.perf_counter()
    DnsDiscoveryProbe().gather(Target(domain, (domain,)), context)
    out.write_text(f"{time.perf_counter() - start:.4f}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
