"""Scoring profiles: TOML files chosen by name (built-in) or by path.

A profile may extend another (``extends = "default"``): tables merge key by key,
lists and values are replaced. Every key is checked; an unknown key, a wrong
type, an unknown check ID, a cycle or an unknown parent is an error naming the
file and the key. Built-in profiles live in the repository's ``profiles/``
folder and travel in the wheel as ``scanner/_profiles``.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from scanner.checks import PITFALLS
from scanner.errors import InputError
from scanner.inputs import InputFileError, read_input_text
from scanner.model import Severity
from scanner.scoring.settings import Override, SettingError, overridden, resolve, schemas


class ProfileError(InputError):
    """A profile that cannot be used; the message names the file and the key."""


# Days to remediate by severity, after CISA BOD 19-02 (critical 15, high 30) and
# common vendor-risk practice for the rest; a profile's [deadlines] replaces them.
DEADLINE_DAYS = {
    Severity.CRITICAL: 15,
    Severity.HIGH: 30,
    Severity.MEDIUM: 90,
    Severity.LOW: 180,
    Severity.INFO: 180,
}


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    source: str
    fail_threshold: Severity
    probe_timeout: float
    dns_timeout: float
    min_coverage: float
    severity: Mapping[str, Severity] = field(default_factory=dict)
    disabled_checks: frozenset[str] = frozenset()
    disabled_probes: frozenset[str] = frozenset()
    pitfall_weights: Mapping[str, float] = field(default_factory=dict)
    # The probes' own tables ([services], [dkim], a plugin's), with their defaults:
    # each probe ships its settings.toml (scanner.scoring.settings).
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    extends: str | None = None
    # Below this share of its findings assessed, an area is shown as not assessed
    # (no score bar, no "100"): its main assets were not tested.
    area_min_coverage: float = 0.75
    # The decision page ([decision], [deadlines]): checks that stop a signature while
    # they fail, the severity from which another failure is a condition of signing,
    # and the days the provider gets to fix a failure, by severity.
    deal_breakers: frozenset[str] = frozenset()
    condition_severity: Severity = Severity.HIGH
    deadline_days: Mapping[Severity, int] = field(default_factory=lambda: dict(DEADLINE_DAYS))
    # The frameworks whose control matrix the report shows (scanner.controls), unless
    # --framework names others.
    frameworks: tuple[str, ...] = ()

    def weight(self, pitfall: str) -> float:
        return self.pitfall_weights.get(pitfall, 1.0)

    def with_overrides(self, overrides: Sequence[Override]) -> Profile:
        """This profile with a scan's ``--set`` values applied (already checked)."""
        if not overrides:
            return self
        return dataclasses.replace(self, settings=overridden(self.settings, tuple(overrides)))

    def setting(self, table: str, key: str) -> Any:
        """A probe setting, falling back to the probe's default."""
        if table in self.settings and key in self.settings[table]:
            return self.settings[table][key]
        return schemas()[table][key].default


# key -> (expected type(s), description for messages)
_TOP: dict[str, tuple[type | tuple[type, ...], str]] = {
    "name": (str, "a string"),
    "description": (str, "a string"),
    "extends": (str, "a profile name or path"),
    "fail_threshold": (str, "a severity"),
    "probe_timeout": ((int, float), "a number of seconds"),
    "dns_timeout": ((int, float), "a number of seconds"),
    "min_coverage": ((int, float), "a share between 0 and 1"),
    "area_min_coverage": ((int, float), "a share between 0 and 1"),
    "severity": (dict, "a table of check ID = severity"),
    "checks": (dict, "a table"),
    "probes": (dict, "a table"),
    "pitfalls": (dict, "a table of pitfall = weight"),
    "decision": (dict, "a table"),
    "deadlines": (dict, "a table of severity = days"),
    "frameworks": (list, "a list of framework IDs ('vetscan frameworks')"),
}
_TABLES: dict[str, dict[str, tuple[type | tuple[type, ...], str]]] = {
    "checks": {"disabled": (list, "a list of check IDs")},
    "probes": {"disabled": (list, "a list of probe names")},
    "decision": {
        "deal_breakers": (list, "a list of check IDs"),
        "condition_severity": (str, "a severity"),
    },
    "deadlines": {s.value: (int, "a number of days") for s in Severity if s is not Severity.INFO},
}


def builtin_dir() -> Traversable:
    packaged = resources.files("scanner").joinpath("_profiles")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "profiles"


def builtin_names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in builtin_dir().iterdir()
        if entry.name.endswith(".toml")
    )


def _is_path(name_or_path: str) -> bool:
    return name_or_path.endswith(".toml") or "/" in name_or_path


def _read(name_or_path: str, relative_to: Path | None = None) -> tuple[str, str, Path | None]:
    """(text, source label, folder for relative 'extends') of a profile."""
    if _is_path(name_or_path):
        path = Path(name_or_path)
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        try:
            return read_input_text(path, "profile"), str(path), path.parent
        except InputFileError as exc:
            raise ProfileError(str(exc)) from None
    entry = builtin_dir().joinpath(f"{name_or_path}.toml")
    if not entry.is_file():
        raise ProfileError(
            f"unknown profile {name_or_path!r} (built-in: {', '.join(builtin_names())})"
        )
    return entry.read_text("utf-8"), f"built-in profile {name_or_path}", None


def load_profile(name_or_path: str) -> Profile:
    text, source, folder = _read(name_or_path)
    return _resolve(text, source, folder, ())


def parse_profile(text: str, source: str) -> Profile:
    return _resolve(text, source, None, ())


def profile_data(name_or_path: str) -> dict[str, Any]:
    """The profile as plain data with its ``extends`` chain laid in: what a queued
    audit sends its workers, whose machines need not have the file."""
    text, source, folder = _read(name_or_path)
    data = _load_toml(text, source)
    _check_keys(data, source)
    merged = _resolve_data(data, source, folder, (str(data.get("name", source)),))
    merged.pop("extends", None)
    return merged


def profile_from_data(data: Any, source: str) -> Profile:
    """A profile from ``profile_data``'s plain data, checked key by key as a file is.
    It may not extend another: data sent over a queue must not make a worker read
    files."""
    if not isinstance(data, dict):
        raise ProfileError(f"{source}: a profile must be a table")
    if "extends" in data:
        raise ProfileError(f"{source}: key 'extends' is not accepted here")
    _check_keys(data, source)
    return _build(dict(data), source)


def _resolve(text: str, source: str, folder: Path | None, chain: tuple[str, ...]) -> Profile:
    data = _load_toml(text, source)
    _check_keys(data, source)
    merged = _resolve_data(data, source, folder, (*chain, str(data.get("name", source))))
    merged["extends"] = data.get("extends")
    return _build(merged, source)


def _resolve_data(
    data: dict[str, Any], source: str, folder: Path | None, chain: tuple[str, ...]
) -> dict[str, Any]:
    """``data`` laid over its ancestors; ``chain`` holds the names already visited."""
    parent_name = data.get("extends")
    if parent_name is None:
        return data
    if parent_name in chain:
        raise ProfileError(
            f"{source}: key 'extends': cycle through {' -> '.join((*chain, parent_name))}"
        )
    try:
        text, parent_source, parent_folder = _read(parent_name, folder)
    except ProfileError as exc:
        raise ProfileError(f"{source}: key 'extends': {exc}") from None
    parent = _load_toml(text, parent_source)
    _check_keys(parent, parent_source)
    base = _resolve_data(parent, parent_source, parent_folder, (*chain, parent_name))
    return _merge(base, {k: v for k, v in data.items() if k != "extends"})


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _load_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source}: {exc}") from None
    except RecursionError:
        raise ProfileError(f"{source}: nested too deeply to be a profile") from None


def _type_ok(value: Any, expected: type | tuple[type, ...]) -> bool:
    return isinstance(value, expected) and not isinstance(value, bool)


def _check_keys(data: dict[str, Any], source: str) -> None:
    probe_tables = schemas()
    for key, value in data.items():
        if key in probe_tables:
            if not isinstance(value, dict):
                raise ProfileError(f"{source}: key {key!r} must be a table")
            continue  # checked against the probe's settings.toml when the profile is built
        if key not in _TOP:
            raise ProfileError(f"{source}: unknown key {key!r}")
        expected, what = _TOP[key]
        if not _type_ok(value, expected):
            raise ProfileError(f"{source}: key {key!r} must be {what}")
        for sub_key, sub_value in value.items() if key in _TABLES else ():
            if sub_key not in _TABLES[key]:
                raise ProfileError(f"{source}: unknown key '{key}.{sub_key}'")
            sub_expected, sub_what = _TABLES[key][sub_key]
            if not _type_ok(sub_value, sub_expected):
                raise ProfileError(f"{source}: key '{key}.{sub_key}' must be {sub_what}")


def _build(data: dict[str, Any], source: str) -> Profile:
    from scanner.checks import catalogue  # the catalogue names every valid check ID

    known = catalogue()
    for key in ("name", "fail_threshold"):
        if key not in data:
            raise ProfileError(f"{source}: missing key {key!r}")
    threshold = _severity(data["fail_threshold"], source, "fail_threshold")
    numbers = {
        key: _number(data.get(key, default), source, key, low, high)
        for key, default, low, high in (
            ("probe_timeout", 120, 0.0, 3600.0),
            ("dns_timeout", 3, 0.0, 60.0),
        )
    }
    coverage = _number(data.get("min_coverage", 0.6), source, "min_coverage", 0.0, 1.0, True)
    area_coverage = _number(
        data.get("area_min_coverage", 0.75), source, "area_min_coverage", 0.0, 1.0, True
    )
    overrides = {}
    for check_id, value in data.get("severity", {}).items():
        if check_id not in known:
            raise ProfileError(f"{source}: key 'severity.{check_id}': unknown check ID")
        if not isinstance(value, str):
            raise ProfileError(f"{source}: key 'severity.{check_id}' must be a severity")
        overrides[check_id] = _severity(value, source, f"severity.{check_id}")
    disabled = data.get("checks", {}).get("disabled", [])
    for check_id in disabled:
        if check_id not in known:
            raise ProfileError(f"{source}: key 'checks.disabled': unknown check ID {check_id!r}")
    probes = data.get("probes", {}).get("disabled", [])
    if not all(isinstance(p, str) for p in probes):
        raise ProfileError(f"{source}: key 'probes.disabled' must be a list of probe names")
    if "services" in probes and "ports" not in probes:
        # "No services probe" has always meant "no port scan": the connect scan is the
        # ports probe now, so it goes too.
        probes = [*probes, "ports"]
    weights = {}
    for pitfall, weight in data.get("pitfalls", {}).items():
        if pitfall not in PITFALLS:
            raise ProfileError(f"{source}: key 'pitfalls.{pitfall}': unknown pitfall")
        weights[pitfall] = _number(weight, source, f"pitfalls.{pitfall}", 0.0, 100.0, True)
    decision = data.get("decision", {})
    breakers = decision.get("deal_breakers", [])
    for check_id in breakers:
        if check_id not in known:
            raise ProfileError(
                f"{source}: key 'decision.deal_breakers': unknown check ID {check_id!r}"
            )
    condition = _severity(
        decision.get("condition_severity", "high"), source, "decision.condition_severity"
    )
    days = dict(DEADLINE_DAYS)
    for name, value in data.get("deadlines", {}).items():
        days[Severity(name)] = int(_number(value, source, f"deadlines.{name}", 0.0, 3650.0))
    from scanner.controls import selected

    try:
        chosen = selected(data.get("frameworks", []))
    except InputError as exc:
        raise ProfileError(f"{source}: key 'frameworks': {exc}") from None
    try:
        settings = resolve(data, source)
    except SettingError as exc:
        raise ProfileError(str(exc)) from None
    return Profile(
        name=data["name"],
        description=data.get("description", ""),
        source=source,
        fail_threshold=threshold,
        probe_timeout=numbers["probe_timeout"],
        dns_timeout=numbers["dns_timeout"],
        min_coverage=coverage,
        severity=overrides,
        disabled_checks=frozenset(disabled),
        disabled_probes=frozenset(probes),
        pitfall_weights=weights,
        settings=settings,
        extends=data.get("extends"),
        area_min_coverage=area_coverage,
        deal_breakers=frozenset(breakers),
        condition_severity=condition,
        deadline_days=days,
        frameworks=chosen,
    )


def _number(
    value: Any, source: str, key: str, low: float, high: float, low_included: bool = False
) -> float:
    """A finite number in (low, high] (or [low, high]): nan and inf hung or crashed scans."""
    number = float(value) if _type_ok(value, (int, float)) else math.nan
    above = number >= low if low_included else number > low
    if not (math.isfinite(number) and above and number <= high):
        bracket = "[" if low_included else "("
        raise ProfileError(
            f"{source}: key {key!r} must be a finite number in {bracket}{low:g}, {high:g}]"
        )
    return number


def _severity(value: str, source: str, key: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise ProfileError(
            f"{source}: key {key!r} must be one of " + ", ".join(s.value for s in Severity)
        ) from None


def describe(profile: Profile) -> dict[str, Any]:
    """The resolved profile as plain data (for `vetscan profiles show`)."""
    return {
        "name": profile.name,
        "description": profile.description,
        "source": profile.source,
        "extends": profile.extends,
        "fail_threshold": str(profile.fail_threshold),
        "min_coverage": profile.min_coverage,
        "area_min_coverage": profile.area_min_coverage,
        "probe_timeout": profile.probe_timeout,
        "dns_timeout": profile.dns_timeout,
        "severity": {k: str(v) for k, v in sorted(profile.severity.items())},
        "checks": {"disabled": sorted(profile.disabled_checks)},
        "probes": {"disabled": sorted(profile.disabled_probes)},
        "pitfalls": {p: profile.weight(p) for p in PITFALLS},
        "decision": {
            "deal_breakers": sorted(profile.deal_breakers),
            "condition_severity": str(profile.condition_severity),
        },
        "deadlines": {
            str(s): d for s, d in profile.deadline_days.items() if s is not Severity.INFO
        },
        "frameworks": list(profile.frameworks),
        **{
            table: {
                key: list(v) if isinstance(v := profile.setting(table, key), tuple) else v
                for key in settings
            }
            for table, settings in sorted(schemas().items())
        },
    }
