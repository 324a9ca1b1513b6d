"""Report hook: the host names a scan resolved and their addresses (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.probes.base import observations_of


def host_rows(observations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for o in observations_of(observations, "dns.host_addresses"):
        entry = merged.setdefault(
            o["host"],
            {
                "host": o["host"],
                "roles": [],
                "addresses": [],
                "refused": [],
                "found_by": [],
                "not_scanned": [],
            },
        )
        for key in ("roles", "addresses", "found_by", "not_scanned"):
            entry[key] += [v for v in o.get(key, []) if v not in entry[key]]
        entry["refused"] += [{"address": addr, "reason": why} for addr, why in o.get("refused", [])]
        if not o.get("addresses") and o.get("outcome") not in (None, "ok"):
            entry.setdefault("outcome", o["outcome"])
    return [{"outcome": "ok", **e} for e in sorted(merged.values(), key=lambda e: e["host"])]


def discovered_rows(observations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every name a discovery source returned: where from, and what the scan did."""
    return [
        {
            "name": o["name"],
            "found_by": [{"source": s, "where": w} for s, w in o.get("found_by", [])],
            "scope": o.get("scope", ""),
            "status": o.get("status", ""),
            "reason": o.get("reason", ""),
        }
        for o in observations_of(observations, "discovery.name")
    ]
