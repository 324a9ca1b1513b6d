"""Which addresses vetscan may send packets to.

By default only globally reachable unicast addresses. Everything else (the
machine itself, internal networks, special-purpose ranges) is refused unless
the user says --allow-private, because a scanner pointed at a public name that
resolves to 10.0.0.1 would otherwise probe the user's own network.

The ranges are those of the IANA IPv4 and IPv6 Special-Purpose Address
Registries (RFC 6890 and its updates, as of 2025) whose "Globally Reachable" is
False or N/A, written out here rather than taken from ``ipaddress.is_global``,
whose list differs between Python versions (3.11 treats fec0::/10 as global).
IPv6 addresses that carry an IPv4 address (IPv4-mapped and -compatible, NAT64,
6to4, Teredo) are judged by the IPv4 address they would reach.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from scanner.errors import InputError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# Most specific first: the first match names the reason.
IPV4_REFUSED: tuple[tuple[_V4, str], ...] = tuple(
    (ipaddress.IPv4Network(net), reason)
    for net, reason in (
        ("0.0.0.0/32", "unspecified"),
        ("0.0.0.0/8", "this-network (RFC 791)"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignment (RFC 6890)"),
        ("192.0.2.0/24", "documentation (TEST-NET-1)"),
        ("192.88.99.0/24", "deprecated 6to4 relay anycast (RFC 7526)"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking (RFC 2544)"),
        ("198.51.100.0/24", "documentation (TEST-NET-2)"),
        ("203.0.113.0/24", "documentation (TEST-NET-3)"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "limited broadcast"),
        ("240.0.0.0/4", "reserved"),
    )
)

IPV6_REFUSED: tuple[tuple[_V6, str], ...] = tuple(
    (ipaddress.IPv6Network(net), reason)
    for net, reason in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("64:ff9b:1::/48", "local-use NAT64 (RFC 8215)"),
        ("100::/64", "discard-only (RFC 6666)"),
        ("100:0:0:1::/64", "dummy prefix (RFC 9780)"),
        ("2001:2::/48", "benchmarking (RFC 5180)"),
        ("2001:db8::/32", "documentation (RFC 3849)"),
        ("2001::/23", "IETF protocol assignment (RFC 2928)"),
        ("3fff::/20", "documentation (RFC 9637)"),
        ("5f00::/16", "segment routing SID (RFC 9602)"),
        ("fc00::/7", "private (unique local)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local (deprecated, RFC 3879)"),
        ("ff00::/8", "multicast"),
    )
)
# Inside 2001::/23 but globally reachable per the registry: AMT and AS112.
IPV6_GLOBAL_EXCEPTIONS = (
    ipaddress.IPv6Network("2001:3::/32"),
    ipaddress.IPv6Network("2001:4:112::/48"),
)
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_TEREDO = ipaddress.IPv6Network("2001::/32")
_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address carries, each with the mechanism's name."""
    value = int(ip)
    if ip.ipv4_mapped is not None:
        return [("IPv4-mapped", ip.ipv4_mapped)]
    if ip in _NAT64:
        return [("NAT64", ipaddress.IPv4Address(value & 0xFFFFFFFF))]
    if ip in _SIX_TO_FOUR:
        return [("6to4", ipaddress.IPv4Address((value >> 80) & 0xFFFFFFFF))]
    if ip in _TEREDO:
        server = ipaddress.IPv4Address((value >> 64) & 0xFFFFFFFF)
        client = ipaddress.IPv4Address(~value & 0xFFFFFFFF)  # stored inverted (RFC 4380)
        return [("Teredo server", server), ("Teredo client", client)]
    if ip in _COMPATIBLE and value > 1:
        return [("IPv4-compatible", ipaddress.IPv4Address(value & 0xFFFFFFFF))]
    return []


def non_public_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a globally reachable unicast address, or None when it is one."""
    if isinstance(ip, ipaddress.IPv4Address):
        reason = next((r for net, r in IPV4_REFUSED if ip in net), None)
        if reason is None and not ip.is_global:
            reason = "special-purpose"  # anything a newer Python knows and this table not
        return reason
    embedded = embedded_ipv4(ip)
    if ip.ipv4_mapped is not None:
        return non_public_reason(ip.ipv4_mapped)
    for kind, v4 in embedded:
        inner = non_public_reason(v4)
        if inner is not None:
            return f"{kind} (embedding {inner} {v4})"
    if embedded and ip in _COMPATIBLE:
        return "deprecated IPv4-compatible (RFC 4291)"
    if embedded:
        return None  # NAT64, 6to4 or Teredo towards public IPv4 addresses
    if any(ip in net for net in IPV6_GLOBAL_EXCEPTIONS):
        return None
    reason = next((r for net, r in IPV6_REFUSED if ip in net), None)
    if reason is None and ip not in _GLOBAL_UNICAST:
        reason = "reserved (outside the global unicast space 2000::/3)"
    return reason


class AddressRefused(InputError):
    """An address the policy will not let any probe contact."""


@dataclass(frozen=True)
class AddressPolicy:
    """``lab_public`` is for tests only: lab ranges on loopback that stand in for
    public addresses, so a test can tell "the provider's own hosts" from "inside"
    while every other loopback address stays refused. No CLI flag, profile key or
    environment variable sets it; only Python code building the policy can."""

    allow_private: bool = False
    lab_public: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    def refusal(self, address: str) -> str | None:
        """A one-line reason why ``address`` may not be contacted, or None."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return f"{address!r} is not an IP address"
        if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
            return f"{address!r} carries a zone ID; refused"
        if self.allow_private or any(ip in net for net in self.lab_public):
            return None
        reason = non_public_reason(ip)
        if reason is None:
            return None
        return f"{ip} is a {reason} address; not scanned without --allow-private"

    def check(self, address: str) -> None:
        reason = self.refusal(address)
        if reason:
            raise AddressRefused(reason)
