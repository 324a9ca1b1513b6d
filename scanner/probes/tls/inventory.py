"""Report hook: the certificate each TLS endpoint presented (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from scanner.probes.base import observations_of


def certificate_rows(observations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for o in observations_of(observations, "tls.endpoint"):
        cert = o.get("certificate") or {}
        chain = cert.get("received_chain") or []
        if not chain:
            continue
        leaf = chain[0]
        days_left = None
        if o.get("observed_at") and leaf.get("not_after"):
            left = datetime.fromisoformat(leaf["not_after"]) - datetime.fromisoformat(
                o["observed_at"]
            )
            days_left = left.days
        out.append(
            {
                "endpoint": f"{o['host']}:{o['port']}",
                "address": o.get("address", ""),
                "subject": leaf.get("subject", ""),
                "issuer": leaf.get("issuer", ""),
                "sans": leaf.get("sans", []),
                "not_after": leaf.get("not_after", ""),
                "days_left_at_scan": days_left,
                "key": f"{leaf.get('key_type', '')} {leaf.get('key_size', '')}".strip(),
                "sha256": leaf.get("sha256", ""),
                "trusted": cert.get("trusted"),
            }
        )
    return sorted(out, key=lambda c: (c["endpoint"], c["address"]))
