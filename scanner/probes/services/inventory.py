"""Report hook: the open services found on each address (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.probes.base import observations_of


def shown_service(service: str, tunnel: str) -> str:
    """nmap's name for a port's service, with the TLS it was found in ("https", "ssl/imap")."""
    if tunnel == "ssl":
        return "https" if service == "http" else f"ssl/{service}"
    return service


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
        unidentified = {port: why for port, why in o.get("unidentified", [])}
        for port in o.get("ports", []):
            if port.get("state") != "open":
                continue
            notes = [] if port["port"] in o.get("expected_ports", []) else ["unexpected"]
            if port["port"] in unidentified:
                notes.append(unidentified[port["port"]])
            out.append(
                {
                    "address": o["address"],
                    "hosts": o.get("hosts", []),
                    "port": port["port"],
                    "service": shown_service(port.get("service", ""), port.get("tunnel", "")),
                    "product": port.get("product", ""),
                    "version": port.get("version", ""),
                    "note": "; ".join(notes),
                }
            )
    return sorted(out, key=lambda s: (s["address"], s["port"] or 0))
