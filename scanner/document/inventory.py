"""The asset inventory a scan found: each probe's report hook reads its own
observations; this module only puts the sections together (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from scanner.probes.base import Probe


def inventory(
    observations: Sequence[Mapping[str, Any]], probes: Iterable[Probe]
) -> dict[str, list[dict[str, Any]]]:
    """Sections in probe order; a section two probes fill gets both their rows."""
    out: dict[str, list[dict[str, Any]]] = {}
    for probe in probes:
        for section, rows in probe.inventory(observations).items():
            out.setdefault(section, []).extend(rows)
    return out
