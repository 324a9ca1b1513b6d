"""The template probe's report hooks: its inventory rows, read from the document's
JSON observations (a saved scan re-renders without scanning). Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.probes.base import observations_of


def exposure_rows(observations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for o in observations_of(observations, "example.exposed_hosts"):
        for host, addresses in o["resolved"]:
            rows.append({"host": host, "addresses": addresses, "state": "resolves"})
        for host, reason in o["unresolved"]:
            rows.append({"host": host, "addresses": [], "state": f"no address: {reason}"})
    return rows
