"""Where a finding is, as a reader knows it (pure): host names with their
addresses, never a bare address. "127.0.10.20:3306" reads "legacy.test
(127.0.10.20) port 3306"; "mail.legacy.test:993" reads "mail.legacy.test
(127.0.10.21) port 993"; a domain's records stay "legacy.test"."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any


def _split(asset: str) -> tuple[str, str]:
    """(host or address, port or "") of an asset: "h:443", "[::1]:443", "h", "::1"."""
    if asset.startswith("["):
        host, _, rest = asset[1:].partition("]")
        return host, rest.removeprefix(":")
    head, sep, tail = asset.rpartition(":")
    if sep and tail.isdigit() and ":" not in head:
        return head, tail
    return asset, ""


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def where(asset: str, hosts: Sequence[Mapping[str, Any]]) -> str:
    host, port = _split(asset)
    suffix = f" port {port}" if port else ""
    if _is_address(host):
        names = sorted({str(h["host"]) for h in hosts if host in (h.get("addresses") or [])})
        if not names:
            return f"{host}{suffix}"
        return f"{', '.join(names)} ({host}){suffix}"
    if not port:  # a domain's records (DMARC, DNSSEC): its addresses say nothing
        return host
    addresses = next((list(h.get("addresses") or []) for h in hosts if h.get("host") == host), [])
    if not addresses:
        return f"{host}{suffix}"
    return f"{host} ({', '.join(addresses)}){suffix}"


def where_all(assets: Sequence[str], hosts: Sequence[Mapping[str, Any]], limit: int = 4) -> str:
    """Assets in a phrase, at most ``limit`` named ("and 3 more")."""
    named = [where(a, hosts) for a in assets[:limit]]
    more = len(assets) - len(named)
    return "; ".join(named) + (f"; and {more} more" if more > 0 else "")
