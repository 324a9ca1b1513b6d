"""Does a certificate cover a host name? (RFC 6125 section 6.4, as browsers apply it)

sslyze 6 no longer answers this, so it is computed here from the leaf's
subjectAltName. The subject CN is ignored, as current browsers ignore it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable


def matches(host: str, dns_names: Iterable[str], ip_names: Iterable[str] = ()) -> bool:
    host = host.lower().rstrip(".")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return any(_dns_match(host, pattern) for pattern in dns_names)
    return any(_same_ip(ip, other) for other in ip_names)


def _same_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, other: str) -> bool:
    try:
        return ipaddress.ip_address(other) == ip
    except ValueError:
        return False


def _dns_match(host: str, pattern: str) -> bool:
    pattern = pattern.lower().rstrip(".")
    if "*" not in pattern:
        return host == pattern
    # Only a whole left-most label may be a wildcard, it stands for exactly one
    # label, and it may not sit directly on a top-level domain ("*.com").
    if not pattern.startswith("*.") or "*" in pattern[2:]:
        return False
    suffix = pattern[2:]
    if "." not in suffix:
        return False
    label, dot, rest = host.partition(".")
    return bool(label) and bool(dot) and rest == suffix
