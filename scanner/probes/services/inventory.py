"""Report hook: the open services found on each address (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.probes.base import observations_of


def service_rows(observations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for o in observations_of(observations, "services.address"):
        if o.get("outcome") != "scanned":
            out.append(
                {
                    "address": o["address"],
                    "hosts": o.get("hosts", []),
                    "port": None,
                    "service": "",
                    "product": "",
                    "version": "",
                    "note": f"not scanned: {o.get('reason') or o.get('outcome')}",
                }
            )
            continue
        for port in o.get("ports", []):
            if port.get("state") != "open":
                continue
            out.append(
                {
                    "address": o["address"],
                    "hosts": o.get("hosts", []),
                    "port": port["port"],
                    "service": port.get("service", ""),
                    "product": port.get("product", ""),
                    "version": port.get("version", ""),
                    "note": "" if port["port"] in o.get("expected_ports", []) else "unexpected",
                }
            )
    return sorted(out, key=lambda s: (s["address"], s["port"] or 0))
