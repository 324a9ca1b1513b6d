"""Strict HTTP URLs for following redirects a hostile server chooses.

A ``Location`` is resolved against the current URL as RFC 3986 section 5 says,
then parsed strictly: http or https, a host, a port in 1-65535, no userinfo.
The result is a typed value (scheme, host, port, request target); the client is
then handed the host's address separately, so no URL string that could name
another authority is ever built and handed to a library that resolves names.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from scanner.errors import VetscanError
from scanner.net.targets import InvalidTarget, normalize_hostname

MAX_LOCATION = 8192
# Characters RFC 3986 allows unescaped in a path (pchar and "/") and a query.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"


class BadLocation(VetscanError, ValueError):
    """A redirect target vetscan will not follow, with a one-line reason."""


@dataclass(frozen=True)
class HttpUrl:
    scheme: str  # "http" or "https"
    host: str  # an A-label host name, or an IP address in its canonical text
    port: int
    target: str  # path and query, percent-encoded: what goes on the request line

    @property
    def ip(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        """The address when the host is an IP literal."""
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = self.port == (443 if self.scheme == "https" else 80)
        return f"{self.scheme}://{host}{'' if default else f':{self.port}'}{self.target}"


def resolve_location(base: HttpUrl, location: str) -> HttpUrl:
    """The URL a ``Location`` value points to, seen from ``base``; BadLocation if it
    is not a plain http(s) URL with a valid host and port."""
    if not location or len(location) > MAX_LOCATION:
        raise BadLocation("the Location header is empty or too long")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in location):
        raise BadLocation("the Location header contains control characters")
    reference = location.strip()
    try:
        # RFC 3986 5.2.2: a reference with a scheme is taken as it is (urljoin would
        # lend "http:///x" the base's host); any other is resolved against the base.
        has_scheme = bool(urlsplit(reference).scheme)
        joined = reference if has_scheme else urljoin(str(base), reference)
    except ValueError as exc:
        raise BadLocation(f"the Location header is not a URL ({exc})") from None
    return parse_http_url(joined)


def parse_http_url(text: str) -> HttpUrl:
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise BadLocation(f"not a URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise BadLocation(f"scheme {scheme or '(none)'!r} is not http or https")
    netloc = parts.netloc
    if "@" in netloc:
        raise BadLocation("the URL carries user information (user@host), which is refused")
    host_text, port_text = _split_authority(netloc)
    host = _host(host_text)
    port = _port(port_text, 443 if scheme == "https" else 80)
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if not path.startswith("/"):
        path = "/" + path
    query = f"?{quote(parts.query, safe=_QUERY_SAFE)}" if parts.query else ""
    return HttpUrl(scheme, host, port, path + query)


def _split_authority(netloc: str) -> tuple[str, str]:
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            raise BadLocation("unclosed '[' in the host")
        rest = netloc[end + 1 :]
        if rest and not rest.startswith(":"):
            raise BadLocation("text after the IPv6 literal is not a port")
        return netloc[: end + 1], rest[1:] if rest else ""
    host, sep, port = netloc.rpartition(":")
    return (host, port) if sep else (netloc, "")


def _port(text: str, default: int) -> int:
    if text == "":
        return default
    # ASCII digits only: str.isdigit() also accepts '²' and other digit characters.
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise BadLocation(f"port {text[:20]!r} is not a number from 1 to 65535")
    return int(text)


def _host(text: str) -> str:
    if not text:
        raise BadLocation("the URL names no host")
    if text.startswith("["):
        inner = text[1:-1]
        try:
            ip6 = ipaddress.IPv6Address(inner)  # a zone ID ("%eth0") is refused here
        except ValueError:
            raise BadLocation(f"{text[:60]!r} is not an IPv6 address") from None
        if ip6.scope_id:
            raise BadLocation("an IPv6 zone ID is refused")
        return str(ip6)
    lowered = text.lower().rstrip(".")
    if _ends_in_number(lowered):
        # What browsers (WHATWG URL) and inet_aton read as IPv4: 0x7f000001,
        # 2130706433, 127.1, 0177.0.0.1. Decoded, so the address policy judges it.
        return str(_whatwg_ipv4(lowered, text))
    try:
        return normalize_hostname(text)
    except InvalidTarget as exc:
        raise BadLocation(str(exc)) from None


def _ends_in_number(host: str) -> bool:
    last = host.split(".")[-1]
    if last.isascii() and last.isdigit():
        return True
    return last.startswith("0x") and all(c in "0123456789abcdef" for c in last[2:])


def _whatwg_ipv4(host: str, raw: str) -> ipaddress.IPv4Address:
    parts = host.split(".")
    if len(parts) > 4 or any(not p for p in parts):
        raise BadLocation(f"{raw[:60]!r} is neither a host name nor an IPv4 address")
    numbers = []
    for part in parts:
        try:
            if part.startswith("0x"):
                numbers.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                numbers.append(int(part[1:], 8))
            else:
                if not (part.isascii() and part.isdigit()):
                    raise ValueError(part)
                numbers.append(int(part))
        except ValueError:
            raise BadLocation(f"{raw[:60]!r} is neither a host name nor an IPv4 address") from None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise BadLocation(f"{raw[:60]!r} is an IPv4 address out of range")
    value = last
    for i, n in enumerate(head):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)
