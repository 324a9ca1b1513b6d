"""Which addresses vetscan may send packets to.

By default only globally routable unicast addresses. Everything else (the
machine itself, internal networks, special-purpose ranges) is refused unless
the user says --allow-private, because a scanner pointed at a public name that
resolves to 10.0.0.1 would otherwise probe the user's own network.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.ip_network("100.64.0.0/10")


def non_public_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address, or None when it is one."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return non_public_reason(ip.ipv4_mapped)
    checks: list[tuple[bool, str]] = [
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "carrier-grade NAT"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
    ]
    for matched, reason in checks:
        if matched:
            return reason
    if not ip.is_global:
        return "special-purpose"
    return None


class AddressRefused(Exception):
    """An address the policy will not let any probe contact."""


@dataclass(frozen=True)
class AddressPolicy:
    allow_private: bool = False

    def refusal(self, address: str) -> str | None:
        """A one-line reason why ``address`` may not be contacted, or None."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return f"{address!r} is not an IP address"
        if self.allow_private:
            return None
        reason = non_public_reason(ip)
        if reason is None:
            return None
        return f"{ip} is a {reason} address; not scanned without --allow-private"

    def check(self, address: str) -> None:
        reason = self.refusal(address)
        if reason:
            raise AddressRefused(reason)
