"""One run of vetscan's look-alike probe on a lab domain; writes the probe's own
wall time to OUT and the look-alikes it found registered to OUT.names, for
bench/run.py.

    python bench/lookalike_once.py DOMAIN OUT
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.engine import run_probes
from scanner.lab.providers import NAMESERVER
from scanner.model import Target
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver, parse_nameserver
from scanner.probes.base import ProbeContext
from scanner.probes.lookalike.observations import LookalikeObservation
from scanner.probes.lookalike.probe import LookalikeProbe
from scanner.scoring.profile import load_profile


def main(argv: list[str]) -> int:
    domain, out = argv[0], Path(argv[1])
    context = ProbeContext(
        resolver=Resolver(parse_nameserver(NAMESERVER), timeout=2.0),
        policy=AddressPolicy(allow_private=True),
        profile=load_profile("default"),
    )
    start = time.perf_counter()
    (result,) = run_probes(Target(domain, (domain,)), [LookalikeProbe()], context)
    out.write_text(f"{time.perf_counter() - start:.4f}\n")
    names = [
        f.name
        for o in result.observations
        if isinstance(o, LookalikeObservation)
        for f in o.registered
    ]
    out.with_suffix(".names").write_text("\n".join(sorted(names)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
