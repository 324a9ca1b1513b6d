"""The web probe: HTTPS redirect, security headers, cookies, version disclosure and
security.txt of the provider's web hosts."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.concurrency import DaemonPool
from scanner.model import Finding, Observation, Target
from scanner.observations.dns import HostAddresses
from scanner.probes.base import Probe, ProbeContext
from scanner.scoring.profile import Profile

from .evaluate import IDS, evaluate_host
from .gather import answered_http, follow, observe
from .observations import Hop, WebObservation

__all__ = ["Hop", "WebObservation", "WebProbe", "follow"]


class WebProbe(Probe):
    name = "web"
    description = "HTTPS redirect, security headers (CSP, cross-origin isolation), cookies, mixed content, login forms, HSTS preloading, version disclosure and security.txt of the web hosts."
    version = "2"
    rank = 80
    consumes = ("dns-discovery",)
    observation_types = (WebObservation,)
    checks = IDS

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        hosts = [
            h
            for h in context.upstream["dns-discovery"].observations_of(HostAddresses)
            if ("web" in h.roles or "discovered" in h.roles) and h.addresses
        ]
        with DaemonPool(8, name="web") as pool:
            seen = pool.map(lambda h: observe(h, context), hosts)
        # A host discovery found is judged as a website only if it serves one.
        return [
            o
            for h, o in zip(hosts, seen, strict=True)
            if "web" in h.roles or o.https_status is not None or answered_http(o)
        ]

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return [f for o in observations if isinstance(o, WebObservation) for f in evaluate_host(o)]


PROBE = WebProbe
