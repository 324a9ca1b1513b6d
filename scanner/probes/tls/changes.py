"""Report hook: which endpoints present another certificate than in the previous run
(pure, over the two documents' JSON observations)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.probes.base import observations_of

Observations = Sequence[Mapping[str, Any]]


def _leaves(observations: Observations) -> dict[str, Mapping[str, Any]]:
    out = {}
    for o in observations_of(observations, "tls.endpoint"):
        chain = (o.get("certificate") or {}).get("received_chain") or []
        if chain:
            out[f"{o['host']}:{o['port']} ({o.get('address', '')})"] = chain[0]
    return out


def certificate_changes(old: Observations, new: Observations) -> dict[str, list[dict[str, Any]]]:
    before, after = _leaves(old), _leaves(new)
    rows = []
    for endpoint in sorted(set(before) | set(after)):
        a, b = before.get(endpoint) or {}, after.get(endpoint) or {}
        if a.get("sha256") != b.get("sha256"):
            rows.append(
                {
                    "endpoint": endpoint,
                    "from_sha256": a.get("sha256"),
                    "to_sha256": b.get("sha256"),
                    "from_not_after": a.get("not_after"),
                    "to_not_after": b.get("not_after"),
                    "to_subject": b.get("subject"),
                }
            )
    return {"certificates": rows}


def certificate_line(_section: str, row: Mapping[str, Any]) -> str:
    return f"certificate changed: {row['endpoint']} (expires {row['to_not_after']})"
