"""A scan's sealed document, and a scan judged against the previous run (what regressed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from scanner.document import build as documents
from scanner.document.changes import news, regressions_since
from scanner.document.integrity import seal
from scanner.document.waivers import Waiver, adjusted
from scanner.model import ScanResult, Severity
from scanner.scoring.decision import judge as judge_card
from scanner.scoring.profile import Profile


def build_document(
    result: ScanResult,
    previous: Mapping[str, Any] | None = None,
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
    profile: Profile | None = None,
) -> dict[str, Any]:
    """The sealed canonical document of a scan (what the JSON holds and every report
    shows), compared with ``previous``. Waivers are marked, with the score adjusted
    under ``profile`` (the one the scan used) beside the raw one."""
    day = today or datetime.now(UTC).date()
    card = None
    if waivers and profile is not None:
        card = judge_card(adjusted(result.findings, waivers, day), profile).to_json()
    return seal(documents.build_document(result, previous, waivers, day, card))


@dataclass(frozen=True)
class Prepared:
    """A scan made ready for history: its document, its reports and what regressed."""

    vendor: str
    document: dict[str, Any]
    paths: tuple[Path, ...] = ()
    regressions: tuple[dict[str, Any], ...] = ()
    first_scan: bool = True
    report_error: str = ""  # the reports could not be written; the scan is still stored
    # Failures (high or above, or at the profile's threshold) of checks the previous
    # run could not assess: not a regression, but news a re-audit must not call OK.
    news: tuple[dict[str, Any], ...] = ()

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)


def judge(
    result: ScanResult,
    profile: Profile,
    previous: Mapping[str, Any] | None,
    vendor: str | None = None,
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
) -> Prepared:
    """Compare and seal a scan, and find what regressed: a prepared scan without
    reports (a queue worker's; the coordinator writes the reports)."""
    document = build_document(result, previous, waivers, today, profile)
    threshold = profile.fail_threshold
    found = regressions_since(previous, document, lambda s: Severity(s).at_least(threshold))
    changes = document.get("changes")
    newly = (
        news(
            changes,
            lambda s: Severity(s).at_least(Severity.HIGH) or Severity(s).at_least(threshold),
        )
        if changes
        else []
    )
    return Prepared(
        vendor or result.target.name,
        document,
        (),
        tuple(found),
        previous is None,
        news=tuple(newly),
    )
