"""Report hook: DNS records whose answer changed between two runs (pure). Records
only answered in both runs are compared: a lookup that failed once tells nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from scanner.net.outcome import answered
from scanner.probes.base import observations_of

Observations = Sequence[Mapping[str, Any]]
Records = Callable[[Observations], dict[str, list[str]]]


def compare_records(old: Observations, new: Observations, records: Records) -> list[dict[str, Any]]:
    """Rows of ``records`` (name -> sorted values) that differ, by name."""
    before, after = records(old), records(new)
    rows = []
    for name in sorted(set(before) & set(after)):
        a, b = set(before[name]), set(after[name])
        if a != b:
            rows.append({"record": name, "removed": sorted(a - b), "added": sorted(b - a)})
    return rows


def _dns_records(observations: Observations) -> dict[str, list[str]]:
    return {
        f"{o['name']} {o['rdtype']}": sorted(o.get("records", []))
        for o in observations_of(observations, "dns.records")
        if answered(o.get("outcome", ""))
    }


def record_changes(old: Observations, new: Observations) -> dict[str, list[dict[str, Any]]]:
    return {"records": compare_records(old, new, _dns_records)}


def record_line(_section: str, row: Mapping[str, Any]) -> str:
    return f"record changed: {row['record']}: -{row['removed']} +{row['added']}"
