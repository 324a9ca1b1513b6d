"""The dated thresholds of lifecycle.toml, read and checked once (pure after loading)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("lifecycle.toml")


@dataclass(frozen=True)
class Limit:
    since: date
    max_days: int


@dataclass(frozen=True)
class Lifecycle:
    limits: tuple[Limit, ...]  # oldest first
    lifetime_source: str
    embedded: tuple[tuple[int, int], ...]  # (up to days, SCTs required), shortest first
    transparency_source: str

    def limit_for(self, issued: date) -> Limit | None:
        """The lifetime limit in force on the day a certificate was issued."""
        current = None
        for limit in self.limits:
            if limit.since <= issued:
                current = limit
        return current

    def scts_required(self, lifetime_days: float) -> int:
        for up_to, count in self.embedded:
            if lifetime_days <= up_to:
                return count
        return self.embedded[-1][1]


def parse(data: dict[str, object]) -> Lifecycle:
    """lifecycle.toml's tables, validated: dates rising, counts positive."""
    try:
        lifetime = data["lifetime"]
        transparency = data["transparency"]
        assert isinstance(lifetime, dict) and isinstance(transparency, dict)
        limits = tuple(Limit(t["from"], int(t["max_days"])) for t in lifetime["limit"])
        embedded = tuple((int(t["up_to_days"]), int(t["scts"])) for t in transparency["embedded"])
        sources = (str(lifetime["source"]), str(transparency["source"]))
    except (KeyError, TypeError, AssertionError) as exc:
        raise ValueError(f"lifecycle.toml: missing or malformed entry ({exc})") from None
    if not limits or not embedded:
        raise ValueError("lifecycle.toml: no limits")
    if any(not isinstance(limit.since, date) or limit.max_days <= 0 for limit in limits):
        raise ValueError("lifecycle.toml: a limit needs a date and a positive day count")
    if [limit.since for limit in limits] != sorted({limit.since for limit in limits}):
        raise ValueError("lifecycle.toml: limits must be in date order, one per date")
    if [u for u, _ in embedded] != sorted({u for u, _ in embedded}) or min(
        c for _, c in embedded
    ) < 1:
        raise ValueError("lifecycle.toml: SCT counts must rise with lifetime and be positive")
    return Lifecycle(limits, sources[0], embedded, sources[1])


@cache
def lifecycle() -> Lifecycle:
    return parse(tomllib.loads(DATA.read_text("utf-8")))
