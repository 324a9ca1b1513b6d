"""The look-alike probe: domains a typo or glyph away from the provider's, registered
by someone else (dnstwist's permutations, looked up through the scan's resolver)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.model import Finding, Observation, Target
from scanner.probes.base import Probe, ProbeContext
from scanner.scoring.profile import Profile

from .evaluate import IDS, evaluate
from .gather import gather
from .inventory import rows
from .observations import LookalikeObservation


class LookalikeProbe(Probe):
    name = "lookalike"
    description = (
        "Look-alike domains (dnstwist's permutations of each provider domain) looked up "
        "through the scan's resolver: registered, mail-capable, with certificates in CT."
    )
    version = "1"
    rank = 45
    inventory_sections = ("lookalikes",)
    observation_types = (LookalikeObservation,)
    checks = IDS

    def inventory(
        self, observations: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return {"lookalikes": rows(observations)}

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        return list(gather(target, context))

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return [f for o in observations if isinstance(o, LookalikeObservation) for f in evaluate(o)]


PROBE = LookalikeProbe
