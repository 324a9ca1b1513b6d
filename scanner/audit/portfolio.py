"""The portfolio file (TOML): one ``[[vendor]]`` table per vendor.

Validation is strict and whole: every problem is found before any scan starts,
and each message names the file, the line and the key, because an unattended
run should fail at once on a typo, not scan half a portfolio.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from scanner.document.waivers import Waiver
from scanner.errors import InputError
from scanner.inputs import InputFileError, read_input_text
from scanner.model import HostPort
from scanner.net.targets import InvalidTarget, parse_host_port, user_domain
from scanner.scoring.settings import Override

VENDOR_KEYS = {
    "name",
    "domains",
    "hosts",
    "profile",
    "owner",
    "tags",
    "dkim_selectors",
    "settings",
    "waivers",
}
WAIVER_KEYS = {"check", "asset", "reason", "accepted_by", "expires"}
_MAX_VENDORS = 10_000


class PortfolioError(InputError):
    pass


@dataclass(frozen=True)
class Vendor:
    name: str
    domains: tuple[str, ...]
    hosts: tuple[HostPort, ...] = ()
    profile: str = ""  # empty: the audit's --profile
    owner: str = ""
    tags: tuple[str, ...] = ()
    dkim_selectors: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    # [vendor.settings]: probe settings for this vendor's scans, as a profile's tables.
    settings: tuple[Override, ...] = ()

    def scan_settings(self) -> tuple[Override, ...]:
        """What this vendor's scans set: its settings, then its DKIM selectors (before
        the profile's)."""
        if not self.dkim_selectors:
            return self.settings
        selectors = Override.of("dkim.selectors", list(self.dkim_selectors), extend=True)
        return (*self.settings, selectors)


@dataclass(frozen=True)
class Portfolio:
    source: Path
    vendors: tuple[Vendor, ...]


class _Where:
    """Finds the line of a vendor's table or key in the file, for error messages."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.headers = [
            i for i, line in enumerate(self.lines) if re.match(r"\s*\[\[\s*vendor\s*\]\]", line)
        ]

    def line(self, vendor: int, key: str | None = None) -> int:
        if vendor >= len(self.headers):
            return 1
        start = self.headers[vendor]
        end = self.headers[vendor + 1] if vendor + 1 < len(self.headers) else len(self.lines)
        if key is not None:
            for i in range(start, end):
                if re.match(rf"\s*{re.escape(key)}\s*=", self.lines[i]) or re.match(
                    rf"\s*\[\[\s*vendor\.{re.escape(key)}\s*\]\]", self.lines[i]
                ):
                    return i + 1
        return start + 1

    def error(self, vendor: int, key: str | None, message: str) -> str:
        where = f"vendor #{vendor + 1}" + (f", key {key!r}" if key else "")
        return f"{self.path}:{self.line(vendor, key)}: {where}: {message}"


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(value)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or not value.isprintable():
        raise ValueError(f"{what} must be non-empty printable text")
    return value.strip()


def _waiver(raw: Any) -> Waiver:
    if not isinstance(raw, dict):
        raise ValueError("each waiver must be a table")
    unknown = set(raw) - WAIVER_KEYS
    if unknown:
        raise ValueError(f"unknown waiver key(s) {', '.join(sorted(unknown))}")
    missing = WAIVER_KEYS - set(raw)
    if missing:
        raise ValueError(f"waiver lacks {', '.join(sorted(missing))}")
    expires = raw["expires"]
    # A TOML date-time is a datetime, which is also a date but cannot be compared
    # with one: it used to pass here and fail every later scan of the vendor.
    if not isinstance(expires, date) or isinstance(expires, datetime):
        raise ValueError("waiver expires must be a TOML date such as 2027-03-31, not a date-time")
    return Waiver(
        check=_text(raw["check"], "waiver check"),
        asset=_text(raw["asset"], "waiver asset"),
        reason=_text(raw["reason"], "waiver reason"),
        accepted_by=_text(raw["accepted_by"], "waiver accepted_by"),
        expires=expires,
    )


def _vendor(raw: dict[str, Any], index: int, where: _Where, known_checks: set[str]) -> Vendor:
    def fail(key: str | None, message: str) -> PortfolioError:
        return PortfolioError(where.error(index, key, message))

    unknown = sorted(set(raw) - VENDOR_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key (allowed: {', '.join(sorted(VENDOR_KEYS))})")
    for key in ("name", "domains"):
        if key not in raw:
            raise fail(None, f"missing required key {key!r}")
    values: dict[str, Any] = {}
    key = "name"
    try:
        values["name"] = _text(raw["name"], "name")
        key = "domains"
        domains = _strings(raw["domains"], "domains")
        if not domains:
            raise ValueError("domains must name at least one domain")
        values["domains"] = tuple(dict.fromkeys(user_domain(d) for d in domains))
        key = "hosts"
        values["hosts"] = tuple(parse_host_port(h) for h in _strings(raw.get("hosts", []), key))
        for key in ("profile", "owner"):
            if key in raw:
                values[key] = _text(raw[key], key)
        key = "tags"
        values["tags"] = _strings(raw.get("tags", []), key)
        key = "dkim_selectors"
        selectors = _strings(raw.get(key, []), key)
        for selector in selectors:
            if not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", selector):
                raise ValueError(f"invalid DKIM selector {selector!r}")
        values[key] = selectors
        key = "settings"
        values[key] = _overrides(raw.get(key, {}))
        key = "waivers"
        if not isinstance(raw.get(key, []), list):
            raise ValueError("waivers must be an array of tables ([[vendor.waivers]])")
        waivers = tuple(_waiver(w) for w in raw.get(key, []))
        for waiver in waivers:
            if waiver.check not in known_checks:
                raise ValueError(f"waiver names unknown check {waiver.check!r}")
        values[key] = waivers
    except (ValueError, InvalidTarget) as exc:
        raise fail(key, str(exc)) from None
    return Vendor(**values)


def _overrides(raw: Any) -> tuple[Override, ...]:
    """[vendor.settings] as TOML gives it: {table: {key: value}}, checked like a profile."""
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise ValueError("settings must be a table of probe tables ([vendor.settings])")
    return tuple(
        Override.of(f"{table}.{key}", value)
        for table, keys in raw.items()
        for key, value in keys.items()
    )


def vendor_from_table(raw: Any, source: str, known_checks: set[str]) -> Vendor:
    """One vendor from a table shaped like a portfolio's [[vendor]] (a queued audit's
    task), validated exactly as the portfolio file is."""
    if not isinstance(raw, dict):
        raise PortfolioError(f"{source}: the vendor must be a table")
    return _vendor(raw, 0, _Where(Path(source), ""), known_checks)


def vendor_table(vendor: Vendor) -> dict[str, Any]:
    """The [[vendor]] table of a vendor, as JSON can carry it (dates as ISO text are
    turned back into dates by the receiver before ``vendor_from_table``)."""
    return {
        "name": vendor.name,
        "domains": list(vendor.domains),
        "hosts": [f"[{h.host}]:{h.port}" if ":" in h.host else str(h) for h in vendor.hosts],
        **({"profile": vendor.profile} if vendor.profile else {}),
        **({"owner": vendor.owner} if vendor.owner else {}),
        "tags": list(vendor.tags),
        "dkim_selectors": list(vendor.dkim_selectors),
        "settings": _settings_table(vendor.settings),
        "waivers": [
            {
                "check": w.check,
                "asset": w.asset,
                "reason": w.reason,
                "accepted_by": w.accepted_by,
                "expires": w.expires.isoformat(),
            }
            for w in vendor.waivers
        ],
    }


def parse_portfolio(text: str, source: Path, known_checks: set[str]) -> Portfolio:
    where = _Where(source, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PortfolioError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise PortfolioError(f"{source}: nested too deeply to be a portfolio") from None
    unknown = sorted(set(data) - {"vendor"})
    if unknown:
        raise PortfolioError(f"{source}: unknown top-level key {unknown[0]!r} (only [[vendor]])")
    raw_vendors = data.get("vendor", [])
    if not isinstance(raw_vendors, list) or not raw_vendors:
        raise PortfolioError(f"{source}: no [[vendor]] tables")
    if len(raw_vendors) > _MAX_VENDORS:
        raise PortfolioError(f"{source}: more than {_MAX_VENDORS} vendors")
    for i, raw in enumerate(raw_vendors):
        if not isinstance(raw, dict):
            raise PortfolioError(where.error(i, None, "each vendor must be a [[vendor]] table"))
    vendors = [_vendor(raw, i, where, known_checks) for i, raw in enumerate(raw_vendors)]
    seen: dict[str, int] = {}
    for i, vendor in enumerate(vendors):
        key = vendor.name.casefold()
        if key in seen:
            raise PortfolioError(
                where.error(i, "name", f"duplicate vendor name (also vendor #{seen[key] + 1})")
            )
        seen[key] = i
    return Portfolio(source, tuple(vendors))


def load_portfolio(path: Path, known_checks: set[str]) -> Portfolio:
    try:
        text = read_input_text(path, "portfolio")
    except InputFileError as exc:
        raise PortfolioError(str(exc)) from None
    return parse_portfolio(text, path, known_checks)


def _settings_table(overrides: tuple[Override, ...]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for o in overrides:
        out.setdefault(o.table, {})[o.key] = (
            list(o.value) if isinstance(o.value, tuple) else o.value
        )
    return out
