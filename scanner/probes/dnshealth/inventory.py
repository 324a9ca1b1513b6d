"""Report hook: the mail and name servers of each domain (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.probes.base import observations_of


def host_set_rows(observations: Sequence[Mapping[str, Any]], role: str) -> list[dict[str, Any]]:
    out = []
    for o in observations_of(observations, "dns.host_set"):
        if o.get("role") != role:
            continue
        for host, addresses, outcome in o.get("hosts", []):
            out.append(
                {"domain": o["domain"], "host": host, "addresses": addresses, "outcome": outcome}
            )
    return out
