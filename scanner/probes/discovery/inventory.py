"""Report hook: the host names a scan resolved and their addresses (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.probes.base import observations_of


def host_rows(observations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for o in observations_of(observations, "dns.host_addresses"):
        entry = merged.setdefault(
            o["host"], {"host": o["host"], "roles": [], "addresses": [], "refused": []}
        )
        for key in ("roles", "addresses"):
            entry[key] += [v for v in o.get(key, []) if v not in entry[key]]
        entry["refused"] += [{"address": addr, "reason": why} for addr, why in o.get("refused", [])]
        if not o.get("addresses") and o.get("outcome") not in (None, "ok"):
            entry.setdefault("outcome", o["outcome"])
    return [{"outcome": "ok", **e} for e in sorted(merged.values(), key=lambda e: e["host"])]
