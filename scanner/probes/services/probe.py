"""The services probe: what each port the ports probe found open runs, and what it
exposes (clear-text access, databases, remote desktops, container APIs, old versions)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from scanner.concurrency import DaemonPool
from scanner.model import Finding, Observation, Target
from scanner.observations.ports import OpenPorts, PortResult
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.services.changes import port_changes, port_line
from scanner.probes.services.classify import eol_table
from scanner.probes.services.evaluate import IDS, evaluate_address
from scanner.probes.services.gather import (
    IDENTIFY_SHARE,
    IDENTIFY_WORKERS,
    identify,
)
from scanner.probes.services.inventory import service_rows
from scanner.probes.services.observations import PortAccess, ServicesObservation
from scanner.scoring.profile import Profile

__all__ = ["ServicesObservation", "ServicesProbe", "evaluate_address"]


class ServicesProbe(Probe):
    name = "services"
    description = (
        "What each open port runs and exposes: web servers named from their Server header, "
        "mail over TLS from its greeting, every other port by nmap's version detection "
        "(-sV --version-light), one bounded run per port."
    )
    version = "2"
    rank = 70
    change_sections = ("ports_opened", "ports_closed")
    inventory_sections = ("services",)
    consumes = ("ports",)
    observation_types = (ServicesObservation,)
    checks = IDS

    def changes(
        self, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return port_changes(old, new)

    def change_line(self, section: str, row: Mapping[str, Any]) -> str:
        return port_line(section, row)

    def inventory(
        self, observations: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return {"services": service_rows(observations)}

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        upstream = context.upstream["ports"]
        table_date = eol_table().date
        if upstream.status != "completed":
            reason = f"the port scan did not run: {upstream.reason or upstream.status}"
            where = target.domains[0] if target.domains else target.name
            return [ServicesObservation(where, (), (), (), "error", reason, (), table_date)]
        found = upstream.observations_of(OpenPorts)
        jobs = [(o, p) for o in found if o.outcome == "scanned" for p in o.ports]
        named: dict[tuple[str, int], tuple[PortResult, str, PortAccess | None]] = {}
        if jobs:
            deadline = time.monotonic() + context.profile.probe_timeout * IDENTIFY_SHARE
            with DaemonPool(min(IDENTIFY_WORKERS, len(jobs)), name="identify") as pool:
                identified = list(pool.map(lambda job: identify(*job, context, deadline), jobs))
            named = {(o.address, p.port): r for (o, p), r in zip(jobs, identified, strict=True)}
        out: list[Observation] = []
        for o in found:
            ports = tuple(named[(o.address, p.port)][0] for p in o.ports) if o.ports else ()
            notes = tuple(
                (p.port, note) for p in o.ports if (note := named[(o.address, p.port)][1])
            )
            access = tuple(
                seen for p in o.ports if (seen := named[(o.address, p.port)][2]) is not None
            )
            out.append(
                ServicesObservation(
                    address=o.address,
                    hosts=o.hosts,
                    roles=o.roles,
                    expected_ports=o.expected_ports,
                    outcome=o.outcome,
                    reason=o.reason,
                    ports=ports if o.outcome == "scanned" else (),
                    eol_table_date=table_date,
                    dialogues=o.dialogues,
                    unidentified=notes,
                    access=access if o.outcome == "scanned" else None,
                )
            )
        return out

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return [
            f
            for o in observations
            if isinstance(o, ServicesObservation)
            for f in evaluate_address(o)
        ]


PROBE = ServicesProbe
