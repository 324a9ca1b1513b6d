"""Report hook: which ports opened or closed between two runs (pure, over the two
documents' JSON observations)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.probes.base import observations_of

Observations = Sequence[Mapping[str, Any]]


def _scanned(observations: Observations) -> list[Mapping[str, Any]]:
    return [
        o
        for o in observations_of(observations, "services.address")
        if o.get("outcome") == "scanned"
    ]


def _open_ports(observations: Observations) -> set[tuple[str, int, str]]:
    return {
        (o["address"], int(p["port"]), p.get("service", ""))
        for o in _scanned(observations)
        for p in o.get("ports", [])
        if p.get("state") == "open"
    }


def port_changes(old: Observations, new: Observations) -> dict[str, list[dict[str, Any]]]:
    # A port opened or closed only if its address was scanned both times: an address
    # not scanned in one of the runs (a timeout) tells nothing about its ports.
    both = {o["address"] for o in _scanned(new)} & {o["address"] for o in _scanned(old)}
    before, after = _open_ports(old), _open_ports(new)
    opened = sorted(p for p in after - before if p[0] in both)
    closed = sorted(p for p in before - after if p[0] in both)
    return {
        "ports_opened": [{"address": a, "port": p, "service": s} for a, p, s in opened],
        "ports_closed": [{"address": a, "port": p, "service": s} for a, p, s in closed],
    }


def port_line(section: str, row: Mapping[str, Any]) -> str:
    verb = "opened" if section == "ports_opened" else "closed"
    return f"port {verb}: {row['address']}:{row['port']} {row['service']}"
