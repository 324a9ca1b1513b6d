"""How long a provider's failures stay open until fixed (#27 item 8): pure, over the
provider's scan documents.

A failure episode opens at the first run that finds a check failing on an asset, and
stays open while the check fails, warns or is accepted as a risk there. It closes at
the first run that finds it fixed: a pass (or "information", "not applicable") on
that asset, or the asset gone from a host that was assessed on the check (a closed
port: the host's other ports or the host itself have a verdict). A run that could not look (the asset not found, the check not
assessed) neither closes nor extends it: it stays open, "not seen since" its last run.

Each document carries the ledger forward from the previous run of the same provider
(``carry``), so the history store is read as it always was (the previous run) and
the times survive retention. The time to fix is measured from the run that first
found the failure to the run that found it fixed: the fix happened at some point in
between, so it is an upper bound at the scan interval's resolution. Failures open in
the first run of the ledger may be older ("at least").
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from scanner.document.types import FindingDoc, effective_status

Doc = Mapping[str, Any]
Key = tuple[str, str]

# Verdicts that keep an episode open, and those that close it.
_OPEN = frozenset({"fail", "warn", "accepted"})
_FIXED = frozenset({"pass", "info", "not_applicable"})
# A long ledger keeps its newest fixed episodes (the medians are over those).
KEEP_FIXED = 500
KEEP_OPEN = 2000


def _endpoint(asset: str) -> str:
    return asset.split(" ", 1)[0]


def host_of(asset: str) -> str:
    """The host an asset lives on: "mx1.example.test:25 [192.0.2.1]" and
    "mx1.example.test:25" -> "mx1.example.test"; "[2001:db8::1]:25" -> "2001:db8::1";
    an address or name without a port is its own host."""
    text = _endpoint(asset)
    if text.startswith("["):
        return text[1:].split("]", 1)[0]
    if text.count(":") == 1:
        return text.split(":", 1)[0]
    return text


def _worst(statuses: Iterable[str]) -> str:
    order = ("fail", "accepted", "warn", "pass", "info", "not_applicable")
    found = set(statuses)
    return next((s for s in order if s in found), "not_assessed")


class Verdicts:
    """One run's verdicts by (check, asset) and by (check, host), for episodes."""

    def __init__(self, doc: Doc) -> None:
        by_key: dict[Key, list[str]] = {}
        self.severity: dict[Key, str] = {}
        self.failed: set[Key] = set()
        for f in doc.get("findings", []):
            key = (str(f["check_id"]), str(f["asset"]))
            by_key.setdefault(key, []).append(effective_status(cast(FindingDoc, f)))
            self.severity.setdefault(key, str(f["severity"]))
            if f["status"] == "fail":
                self.failed.add(key)
        self.by_key = {k: _worst(v) for k, v in by_key.items()}
        # The same host and port named with or without its address ("mx1:25" and
        # "mx1:25 [192.0.2.1]", as a second address appears): one asset.
        by_endpoint: dict[Key, list[str]] = {}
        self.by_host: dict[Key, set[str]] = {}
        for (check, asset), status in self.by_key.items():
            by_endpoint.setdefault((check, _endpoint(asset)), []).append(status)
            self.by_host.setdefault((check, host_of(asset)), set()).add(status)
        self.by_endpoint = {k: _worst(v) for k, v in by_endpoint.items()}

    def status(self, key: Key) -> str | None:
        """The verdict on the asset of ``key``, under any of its names, or None."""
        found = self.by_key.get(key)
        return found if found is not None else self.by_endpoint.get((key[0], _endpoint(key[1])))

    def state(self, key: Key) -> str:
        """ "open", "fixed" or "unseen" for an episode of ``key``."""
        status = self.status(key)
        if status is None:
            # The asset is gone (a port closed, say): fixed if its host was assessed on
            # this check (a verdict on the host or on another of its ports), unseen if
            # not. The asset itself gone with no host part is unseen.
            host = host_of(key[1])
            near = self.by_host.get((key[0], host), set()) if host != key[1] else set()
            return "fixed" if near & (_OPEN | _FIXED) else "unseen"
        if status in _OPEN:
            return "open"
        return "fixed" if status in _FIXED else "unseen"

    def failing(self) -> list[Key]:
        """What opens an episode: a failure, accepted as a risk or not (a warning
        alone is advice, not a weakness to fix)."""
        return sorted(self.failed)


def _run(doc: Doc) -> tuple[str, str]:
    return str(doc["scan"]["run_id"]), str(doc["scan"]["started"])


def _seconds(start: str, end: str) -> int:
    return max(
        0, round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds())
    )


def _pitfall(doc: Doc, check_id: str) -> str:
    check = (doc.get("checks") or {}).get(check_id) or {}
    return str(check.get("pitfall") or "unknown")


def _title(doc: Doc, check_id: str) -> str:
    check = (doc.get("checks") or {}).get(check_id) or {}
    return str(check.get("title") or check_id)


def _valid(ledger: object) -> bool:
    return (
        isinstance(ledger, Mapping)
        and isinstance(ledger.get("runs"), int)
        and isinstance(ledger.get("open"), list)
        and isinstance(ledger.get("fixed"), list)
    )


def _ledger(previous: Doc | None) -> dict[str, Any] | None:
    if previous is None:
        return None
    if _valid(previous.get("cadence")):
        return dict(previous["cadence"])
    # A run stored before the ledger existed: it is the ledger's first run.
    return carry(None, previous)


def carry(previous: Doc | None, current: Doc) -> dict[str, Any]:
    """``current``'s ledger: the previous run's carried forward, with the episodes
    this run opens, keeps open or finds fixed, and the summary per area."""
    before = _ledger(previous)
    run_id, now = _run(current)
    verdicts = Verdicts(current)
    first_run = before is None
    opened: list[dict[str, Any]] = []
    fixed: list[dict[str, Any]] = list(before["fixed"]) if before else []
    tracked: set[Key] = set()  # (check, endpoint) of the episodes carried
    for episode in before["open"] if before else []:
        key = (str(episode["check_id"]), str(episode["asset"]))
        tracked.add((key[0], _endpoint(key[1])))
        state = verdicts.state(key)
        if state == "fixed":
            fixed.append(
                {
                    **{k: episode[k] for k in _EPISODE if k in episode},
                    "fixed": now,
                    "fixed_run": run_id,
                    "seconds": _seconds(str(episode["opened"]), now),
                }
            )
            continue
        kept = dict(episode)
        if state == "open":
            kept["seen"] = now
            kept["status"] = verdicts.status(key) or kept.get("status", "fail")
            kept["severity"] = verdicts.severity.get(key, kept.get("severity"))
        opened.append(kept)
    reopened = {(str(e["check_id"]), str(e["asset"])) for e in fixed}
    for key in verdicts.failing():
        if (key[0], _endpoint(key[1])) in tracked:  # open already, under another name
            continue
        opened.append(
            {
                "check_id": key[0],
                "asset": key[1],
                "title": _title(current, key[0]),
                "pitfall": _pitfall(current, key[0]),
                "severity": verdicts.severity[key],
                "opened": now,
                "opened_run": run_id,
                # Found in the ledger's first run: it may have been open long before.
                "before_history": first_run,
                "reopened": key in reopened,
                "seen": now,
                "status": verdicts.by_key[key],
            }
        )
    runs = (before["runs"] if before else 0) + 1
    since = str(before["since"]) if before else now
    fixed = fixed[-KEEP_FIXED:]
    # Oldest first, the most severe first among those opened together.
    opened = sorted(
        opened,
        key=lambda e: (
            str(e["opened"]),
            _RANK.get(str(e["severity"]), 9),
            e["check_id"],
            e["asset"],
        ),
    )
    opened = opened[:KEEP_OPEN]
    return {
        "runs": runs,
        "since": since,
        "measured_at": now,
        "open": opened,
        "fixed": fixed,
        "areas": summary(fixed, opened, now),
        "overall": _summary_of(fixed, opened, now),
    }


_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
_EPISODE = (
    "check_id", "asset", "title", "pitfall", "severity", "opened", "opened_run",
    "before_history", "reopened",
)  # fmt: skip


def _summary_of(
    fixed: list[dict[str, Any]], opened: list[dict[str, Any]], now: str
) -> dict[str, Any]:
    current = [e for e in opened if e.get("seen") == now]
    ages = [(_seconds(str(e["opened"]), now), e) for e in current]
    worst = max(fixed, key=lambda e: int(e["seconds"]), default=None)
    oldest = max(ages, key=lambda pair: pair[0], default=None)
    return {
        "fixed": len(fixed),
        "median_seconds": round(statistics.median(int(e["seconds"]) for e in fixed))
        if fixed
        else None,
        "worst_seconds": int(worst["seconds"]) if worst else None,
        # A failure found in the ledger's first run may be older: its time is a floor.
        "worst_at_least": bool(worst and worst.get("before_history")),
        "reopened": sum(1 for e in fixed + current if e.get("reopened")),
        "open": len(current),
        "oldest_open_seconds": oldest[0] if oldest else None,
        "oldest_open_at_least": bool(oldest and oldest[1].get("before_history")),
        "unseen": len(opened) - len(current),
    }


def summary(
    fixed: list[dict[str, Any]], opened: list[dict[str, Any]], now: str
) -> dict[str, dict[str, Any]]:
    """Per area (pitfall): fixed count, median and worst time to fix, still open and
    the oldest of those, episodes not seen in this run."""
    names = sorted({str(e["pitfall"]) for e in fixed + opened})
    return {
        name: _summary_of(
            [e for e in fixed if e["pitfall"] == name],
            [e for e in opened if e["pitfall"] == name],
            now,
        )
        for name in names
    }


def duration(seconds: int | float | None) -> str:
    """A time to fix in words: "40 seconds", "14 minutes", "1.5 hours", "12 days"."""
    if seconds is None:
        return "-"
    s = float(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if s >= size:
            text = f"{round(s / size, 1) if s < 10 * size else round(s / size):g}"
            return f"{text} {unit}{'' if text == '1' else 's'}"
    return f"{round(s)} second{'' if round(s) == 1 else 's'}"
