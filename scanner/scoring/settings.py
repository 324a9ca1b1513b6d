"""Profile settings that belong to probes: each probe folder may ship a settings.toml
naming its profile table and the keys in it (kind, range, default, help). Profiles
are validated against them here, so a probe (a plugin's too) brings its own settings
and an unknown key is still an error naming the file and the key."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from scanner.errors import VetscanError
from scanner.probe_data import probe_files

SETTINGS_FILE = "settings.toml"
KINDS = ("ports", "integer", "seconds", "names", "urls")
_NAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")


class SettingsSchemaError(VetscanError):
    """A probe's settings.toml that cannot be used."""


class SettingError(ValueError):
    """A profile value that does not fit its setting; the message says what fits."""


@dataclass(frozen=True)
class Setting:
    table: str
    key: str
    kind: str
    default: Any
    help: str = ""
    low: float | None = None
    high: float | None = None

    def check(self, value: Any) -> Any:
        """The value in its canonical form, or SettingError."""
        if self.kind == "ports":
            if (
                not isinstance(value, list)
                or not value
                or not all(_integer(p) and 1 <= p <= 65535 for p in value)
            ):
                raise SettingError("must be a list of TCP ports 1-65535")
            return tuple(sorted(set(value)))
        if self.kind == "integer":
            if not _integer(value) or not self._in_range(value, closed_low=True):
                raise SettingError(f"must be a whole number from {self.low:g} to {self.high:g}")
            return int(value)
        if self.kind == "seconds":
            number = float(value) if _number(value) else math.nan
            if not (math.isfinite(number) and self._in_range(number, closed_low=False)):
                raise SettingError(
                    f"must be a finite number of seconds in ({self.low:g}, {self.high:g}]"
                )
            return number
        if self.kind == "urls":
            if not isinstance(value, list) or not all(
                isinstance(v, str) and _url(v) for v in value
            ):
                raise SettingError("must be a list of http:// or https:// URLs with a host")
            return tuple(value)
        if not isinstance(value, list) or not all(
            isinstance(v, str) and _NAME.fullmatch(v) for v in value
        ):
            raise SettingError("must be a list of names (letters, digits, - _ and dots)")
        return tuple(value)

    def _in_range(self, value: float, closed_low: bool) -> bool:
        low_ok = self.low is None or (value >= self.low if closed_low else value > self.low)
        return low_ok and (self.high is None or value <= self.high)


def _url(value: str) -> bool:
    parts = urlsplit(value)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and value.isprintable()
        and " " not in value
        and parts.username is None
    )


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@cache
def schemas() -> dict[str, dict[str, Setting]]:
    """Settings by profile table and key, from every probe's settings.toml."""
    tables: dict[str, dict[str, Setting]] = {}
    for source, text in probe_files(SETTINGS_FILE):
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsSchemaError(f"{source}: {exc}") from None
        table = data.get("table")
        if not isinstance(table, str) or not table or table in tables:
            raise SettingsSchemaError(f"{source}: 'table' must name a table no other probe uses")
        settings = {}
        for key, entry in data.get("setting", {}).items():
            if entry.get("kind") not in KINDS:
                raise SettingsSchemaError(f"{source}: setting {key}: kind must be one of {KINDS}")
            setting = Setting(
                table, key, entry["kind"], None, entry.get("help", ""),
                entry.get("min"), entry.get("max"),
            )  # fmt: skip
            try:
                settings[key] = Setting(
                    **{**setting.__dict__, "default": setting.check(entry["default"])}
                )
            except (KeyError, SettingError) as exc:
                raise SettingsSchemaError(f"{source}: setting {key}: default {exc}") from None
        tables[table] = settings
    return tables


def resolve(data: Mapping[str, Any], source: str) -> dict[str, dict[str, Any]]:
    """Every probe table of a profile, with defaults for what the profile leaves out.
    Raises SettingError naming the file and the key."""
    out: dict[str, dict[str, Any]] = {}
    for table, settings in schemas().items():
        given = data.get(table, {})
        for key in given:
            if key not in settings:
                raise SettingError(f"{source}: unknown key '{table}.{key}'")
        values = {}
        for key, setting in settings.items():
            if key in given:
                try:
                    values[key] = setting.check(given[key])
                except SettingError as exc:
                    raise SettingError(f"{source}: key '{table}.{key}' {exc}") from None
            else:
                values[key] = setting.default
        out[table] = values
    return out


@dataclass(frozen=True)
class Override:
    """One probe setting given for a scan (``--set TABLE.KEY=VALUE``), checked as the
    profile's own value would be. ``extend`` (``+=``) puts the given names before the
    profile's instead of replacing them (the list kinds only)."""

    table: str
    key: str
    value: Any
    extend: bool = False

    @property
    def name(self) -> str:
        return f"{self.table}.{self.key}"

    @classmethod
    def of(cls, name: str, value: Any, extend: bool = False) -> Override:
        """Checked against the settings the probes declare; SettingError says why not."""
        setting = _setting(name)
        if extend and setting.kind not in LIST_KINDS:
            raise SettingError(f"{name} is a single value: use = (+= adds to lists)")
        try:
            checked = setting.check(value)
        except SettingError as exc:
            raise SettingError(f"{name} {exc}") from None
        return cls(setting.table, setting.key, checked, extend)

    @classmethod
    def parse(cls, text: str) -> Override:
        """``TABLE.KEY=VALUE`` or ``TABLE.KEY+=VALUE`` from a command line; a list is
        comma-separated, a number is written as one."""
        name, sep, raw = text.partition("=")
        if not sep or not name.strip():
            raise SettingError(f"{text!r}: give TABLE.KEY=VALUE (vetscan profiles show lists them)")
        extend = name.endswith("+")
        name = name.removesuffix("+").strip()
        setting = _setting(name)
        raw = raw.strip()
        value: Any
        if setting.kind in LIST_KINDS:
            items = [v.strip() for v in raw.split(",") if v.strip()]
            value = [_number_or_text(v) for v in items] if setting.kind == "ports" else items
        else:
            value = _number_or_text(raw)
        return cls.of(name, value, extend)

    def to_json(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"set": self.name, "value": value, "extend": self.extend}


LIST_KINDS = ("ports", "names", "urls")


def _setting(name: str) -> Setting:
    table, _, key = name.partition(".")
    known = schemas()
    if table not in known or key not in known[table]:
        choices = ", ".join(f"{t}.{k}" for t in sorted(known) for k in known[t])
        raise SettingError(f"unknown setting {name!r} (settings: {choices})")
    return known[table][key]


def _number_or_text(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def overridden(
    settings: Mapping[str, Mapping[str, Any]], overrides: tuple[Override, ...]
) -> dict[str, dict[str, Any]]:
    """Resolved profile settings with ``overrides`` applied in order."""
    out = {table: dict(values) for table, values in settings.items()}
    for override in overrides:
        values = out.setdefault(override.table, {})
        current = values.get(override.key, schemas()[override.table][override.key].default)
        if override.extend:
            merged = tuple(dict.fromkeys((*override.value, *current)))
            ports = _setting(override.name).kind == "ports"
            values[override.key] = tuple(sorted(merged)) if ports else merged
        else:
            values[override.key] = override.value
    return out
