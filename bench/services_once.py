"""One run of vetscan's ports and services probes on the ADDRESSes (connect scan and
dialogues, then each open port named by vetscan or by nmap on that port alone), for
bench/run.py to time as a process next to plain nmap -sV over the same ports.

    python bench/services_once.py ADDRESS...
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.lab.providers import NAMESERVER
from scanner.model import AttemptStatus, ProbeResult, Target
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver, parse_nameserver
from scanner.observations.dns import HostAddresses
from scanner.probes.context import build_context
from scanner.probes.ports.probe import PortsProbe
from scanner.probes.services.probe import ServicesProbe
from scanner.scoring.profile import load_profile


def main(argv: list[str]) -> int:
    addresses = argv
    profile = load_profile("default")
    resolver = Resolver(parse_nameserver(NAMESERVER), timeout=2.0)
    context = build_context(resolver, AddressPolicy(allow_private=True), profile, None, 5.0)
    assert context.ports is not None
    # The addresses as discovery would hand them over (one web host each).
    hosts = tuple(
        HostAddresses(f"host{i}.legacy.test", ("web",), (address,), (), "ok", "")
        for i, address in enumerate(addresses)
    )
    target = Target("bench", ("legacy.test",))
    discovery = ProbeResult("dns-discovery", AttemptStatus.COMPLETED, 0.0, hosts)
    found = PortsProbe().gather(
        target, dataclasses.replace(context, upstream={"dns-discovery": discovery})
    )
    ports = ProbeResult("ports", AttemptStatus.COMPLETED, 0.0, tuple(found))
    ServicesProbe().gather(target, dataclasses.replace(context, upstream={"ports": ports}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
