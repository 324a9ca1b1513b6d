"""The template probe: joins its parts (the engine wraps each run in an attempt
record, so a crash or a timeout becomes "not assessed", never a lost scan)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.model import Finding, Observation, Target
from scanner.probes.base import Probe, ProbeContext
from scanner.scoring.profile import Profile

from .evaluate import IDS, evaluate
from .gather import exposed_hosts
from .observations import ExposedHosts
from .report import exposure_rows


class ExampleProbe(Probe):
    name = "example"
    description = "How many hosts the provider exposes, on which protocols (a template)."
    version = "1"
    rank = 900  # after the built-ins in the document; report_rank moves its section
    consumes = ("dns-discovery",)
    observation_types = (ExposedHosts,)
    checks = IDS
    inventory_sections = ("example_exposure",)

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        return [exposed_hosts(target, context.upstream["dns-discovery"])]

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return [
            f for o in observations if isinstance(o, ExposedHosts) for f in evaluate(o, profile)
        ]

    def inventory(
        self, observations: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return {"example_exposure": exposure_rows(observations)}


PROBE = ExampleProbe
