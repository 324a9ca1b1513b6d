"""Validation of user-supplied and DNS-supplied names before they go anywhere near a tool.

A name that passes here is a plain ASCII (A-label) hostname: letters, digits,
hyphens and dots. That alphabet is what makes it safe to hand to nmap or to put
in a URL: no whitespace, no option prefix, no shell or nmap metacharacters.
"""

from __future__ import annotations

import ipaddress
import re

from scanner.errors import InputError
from scanner.model import HostPort

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_MAX_NAME = 253


class InvalidTarget(InputError):
    """A name or endpoint that vetscan refuses to scan, with a one-line reason."""


def normalize_hostname(raw: str) -> str:
    """Return the lower-case A-label form of ``raw`` or raise InvalidTarget.

    Unicode names are converted with IDNA 2008 rules (the ``idna`` package that
    requests already depends on), so ``bücher.example`` becomes
    ``xn--bcher-kva.example``.
    """
    import idna  # local: only needed for non-ASCII input

    if not raw or raw != raw.strip() or any(c.isspace() for c in raw):
        raise InvalidTarget(f"invalid host name {raw!r}: empty or contains whitespace")
    name = raw[:-1] if raw.endswith(".") else raw
    if name.startswith("-"):
        raise InvalidTarget(f"invalid host name {raw!r}: must not start with '-'")
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise InvalidTarget(f"invalid host name {raw!r}: {exc}") from None
    name = name.lower()
    if len(name) > _MAX_NAME:
        raise InvalidTarget(f"invalid host name {raw!r}: longer than {_MAX_NAME} characters")
    labels = name.split(".")
    if len(labels) < 2:
        raise InvalidTarget(f"invalid host name {raw!r}: a domain needs at least two labels")
    for label in labels:
        if not _LABEL.match(label):
            raise InvalidTarget(
                f"invalid host name {raw!r}: label {label!r} is not letters, digits and "
                "inner hyphens (1-63 characters)"
            )
    if labels[-1].isdigit():
        raise InvalidTarget(f"invalid host name {raw!r}: the top-level label is numeric")
    return name


def user_domain(raw: str) -> str:
    """A domain a user gave (command line, portfolio file): a plain name, or an
    http(s) URL taken as its host name ("https://www.example.com/login" is
    www.example.com). A URL with a port, a login part or another scheme is refused
    with "give a domain": what it names is not a domain to scan as a whole."""
    if "://" not in raw:
        return normalize_hostname(raw)
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(raw.strip())
        port = parts.port
    except ValueError:
        raise InvalidTarget(f"{raw!r} is a URL that cannot be read; give a domain") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidTarget(f"{raw!r} is not a domain; give a domain such as example.com")
    if port is not None or parts.username or parts.password:
        raise InvalidTarget(
            f"{raw!r} names a port or a login; give a domain (extra endpoints: --host HOST:PORT)"
        )
    return normalize_hostname(parts.hostname)


def parse_host_port(raw: str, default_port: int = 443) -> HostPort:
    """Parse ``host``, ``host:port``, ``IPv4:port`` or ``[IPv6]:port``."""
    text = raw.strip()
    if text != raw or not text:
        raise InvalidTarget(f"invalid endpoint {raw!r}: empty or contains whitespace")
    host, port = text, default_port
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise InvalidTarget(f"invalid endpoint {raw!r}: unclosed '['")
        host, rest = text[1:end], text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise InvalidTarget(f"invalid endpoint {raw!r}")
            port = _port(rest[1:], raw)
        return HostPort(_ip_literal(host, raw), port)
    if text.count(":") == 1:
        host, port_text = text.split(":")
        port = _port(port_text, raw)
    elif text.count(":") > 1:
        return HostPort(_ip_literal(text, raw), port)
    try:
        return HostPort(str(ipaddress.IPv4Address(host)), port)
    except ValueError:
        return HostPort(normalize_hostname(host), port)


def _port(text: str, raw: str) -> int:
    # ASCII digits only: str.isdigit() also accepts '²', which int() then refuses.
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise InvalidTarget(f"invalid endpoint {raw!r}: port must be 1-65535")
    return int(text)


def _ip_literal(text: str, raw: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise InvalidTarget(f"invalid endpoint {raw!r}: not an IP address") from None
