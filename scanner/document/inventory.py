"""The asset inventory a scan found, read off its observations (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any


def _of(observations: Sequence[Mapping[str, Any]], kind: str) -> list[Mapping[str, Any]]:
    return [o for o in observations if o.get("kind") == kind]


def _hosts(observations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for o in _of(observations, "dns.host_addresses"):
        entry = merged.setdefault(
            o["host"], {"host": o["host"], "roles": [], "addresses": [], "refused": []}
        )
        for key in ("roles", "addresses"):
            entry[key] += [v for v in o.get(key, []) if v not in entry[key]]
        entry["refused"] += [{"address": addr, "reason": why} for addr, why in o.get("refused", [])]
        if not o.get("addresses") and o.get("outcome") not in (None, "ok"):
            entry.setdefault("outcome", o["outcome"])
    return [{"outcome": "ok", **e} for e in sorted(merged.values(), key=lambda e: e["host"])]


def _host_sets(observations: Sequence[Mapping[str, Any]], role: str) -> list[dict[str, Any]]:
    out = []
    for o in _of(observations, "dns.host_set"):
        if o.get("role") != role:
            continue
        for host, addresses, outcome in o.get("hosts", []):
            out.append(
                {"domain": o["domain"], "host": host, "addresses": addresses, "outcome": outcome}
            )
    return out


def _services(observations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for o in _of(observations, "services.address"):
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


def _certificates(observations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for o in _of(observations, "tls.endpoint"):
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


def inventory(observations: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "hosts": _hosts(observations),
        "mx": _host_sets(observations, "mail"),
        "ns": _host_sets(observations, "ns"),
        "services": _services(observations),
        "certificates": _certificates(observations),
    }
