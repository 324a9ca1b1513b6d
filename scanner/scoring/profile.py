"""Scoring profiles: TOML files chosen by name (built-in) or by path.

Built-in profiles live in the repository's ``profiles/`` folder and travel in
the wheel as ``scanner/_profiles``; a source checkout that was never built
reads them from the repository directly.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from scanner.model import Severity

_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "description": str,
    "fail_threshold": str,
    "probe_timeout": (int, float),
    "dns_timeout": (int, float),
    "min_coverage": (int, float),
    "thresholds": dict,
}


@dataclass(frozen=True)
class Thresholds:
    cert_expiry_warn_days: int = 30
    cert_expiry_fail_days: int = 14
    hsts_min_max_age: int = 15_552_000  # 180 days
    min_rsa_bits: int = 2048
    min_ec_bits: int = 256
    min_dh_bits: int = 2048


_THRESHOLD_KEYS = {f.name for f in fields(Thresholds)}


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    source: str
    fail_threshold: Severity
    probe_timeout: float
    dns_timeout: float
    min_coverage: float
    thresholds: Thresholds = Thresholds()


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


def load_profile(name_or_path: str) -> Profile:
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        path = Path(name_or_path)
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise ProfileError(f"{path}: cannot read profile: {exc.strerror}") from None
        return parse_profile(text, str(path))
    entry = builtin_dir().joinpath(f"{name_or_path}.toml")
    if not entry.is_file():
        raise ProfileError(
            f"unknown profile {name_or_path!r} (built-in: {', '.join(builtin_names())})"
        )
    return parse_profile(entry.read_text("utf-8"), f"built-in profile {name_or_path}")


def parse_profile(text: str, source: str) -> Profile:
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source}: {exc}") from None
    for key, value in data.items():
        expected = _KEYS.get(key)
        if expected is None:
            raise ProfileError(f"{source}: unknown key {key!r}")
        if not isinstance(value, expected) or isinstance(value, bool):
            raise ProfileError(f"{source}: key {key!r} has the wrong type")
    for key in ("name", "fail_threshold"):
        if key not in data:
            raise ProfileError(f"{source}: missing key {key!r}")
    try:
        threshold = Severity(data["fail_threshold"])
    except ValueError:
        raise ProfileError(
            f"{source}: key 'fail_threshold' must be one of " + ", ".join(s.value for s in Severity)
        ) from None
    probe_timeout = float(data.get("probe_timeout", 120))
    dns_timeout = float(data.get("dns_timeout", 3))
    for key, value in (("probe_timeout", probe_timeout), ("dns_timeout", dns_timeout)):
        if value <= 0:
            raise ProfileError(f"{source}: key {key!r} must be positive")
    raw_thresholds = data.get("thresholds", {})
    for key, value in raw_thresholds.items():
        if key not in _THRESHOLD_KEYS:
            raise ProfileError(f"{source}: unknown key 'thresholds.{key}'")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ProfileError(f"{source}: key 'thresholds.{key}' must be a whole number >= 0")
    return Profile(
        thresholds=Thresholds(**raw_thresholds),
        name=data["name"],
        description=data.get("description", ""),
        source=source,
        fail_threshold=threshold,
        probe_timeout=probe_timeout,
        dns_timeout=dns_timeout,
        min_coverage=float(data.get("min_coverage", 0.6)),
    )
