"""The DANE probe: each MX's TLSA records against the chain it presents."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.concurrency import DaemonPool
from scanner.model import Finding, Observation, Target
from scanner.observations.dns import HostAddresses
from scanner.observations.tls import TlsEndpointResult
from scanner.probes.base import Probe, ProbeContext
from scanner.scoring.profile import Profile

from .evaluate import IDS, evaluate
from .gather import observe
from .observations import DaneObservation


class DaneProbe(Probe):
    name = "dane"
    description = "DANE TLSA records of each MX, matched against the certificate it presents."
    version = "1"
    rank = 50
    consumes = ("dns-discovery", "tls")
    observation_types = (DaneObservation,)
    checks = IDS

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        hosts = context.upstream["dns-discovery"].observations_of(HostAddresses)
        endpoints = context.upstream["tls"].observations_of(TlsEndpointResult)
        mx = sorted(h.host for h in hosts if "mail" in h.roles and (h.addresses or h.refused))
        with DaemonPool(8, name="dane") as pool:
            return list(pool.map(lambda host: observe(host, context, endpoints), mx))

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return [f for o in observations if isinstance(o, DaneObservation) for f in evaluate(o)]


PROBE = DaneProbe
