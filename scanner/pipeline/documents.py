"""A scan's sealed document, and a scan judged against the previous run (what regressed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from scanner.document import build as documents
from scanner.document.answers import Answer, waivers_of
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
    answers: Sequence[Answer] = (),
) -> dict[str, Any]:
    """The sealed canonical document of a scan (what the JSON holds and every report
    shows), compared with ``previous``. Waivers are marked, with the score adjusted
    under ``profile`` (the one the scan used) beside the raw one. The provider's
    ``answers`` are shown beside what this scan found; an accepted risk among them
    acts as a waiver until it expires."""
    day = today or datetime.now(UTC).date()
    waivers = [*waivers, *waivers_of(answers)]
    card = None
    if waivers and profile is not None:
        card = judge_card(adjusted(result.findings, waivers, day), profile).to_json()
    shown = [a.as_dict() for a in answers]
    chosen = profile.frameworks if profile is not None else ()
    return seal(documents.build_document(result, previous, waivers, day, card, shown, chosen))


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
    # run could not assess, and fixes the provider claimed that this scan contradicts:
    # not regressions, but news a re-audit must not call OK.
    news: tuple[dict[str, Any], ...] = ()

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)


NEWLY_ASSESSED = "the previous run could not assess it"


def broken_claims(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The provider's claims of a fix that this scan contradicts, as news entries."""
    asked = {q["check_id"]: q for q in document.get("questions") or []}
    checks = document.get("checks") or {}
    out = []
    for a in document.get("answers") or []:
        # A retest the provider claims to have made possible but that still could not
        # run is flagged in the report; news is for failures.
        if not a.get("flag") or a["check_id"].startswith("untested."):
            continue
        question = asked.get(a["check_id"], {})
        out.append(
            {
                "check_id": a["check_id"],
                "title": checks.get(a["check_id"], {}).get("title", a["check_id"]),
                "asset": ", ".join(question.get("assets") or []) or "-",
                "severity": question.get("severity")
                or checks.get(a["check_id"], {}).get("severity", "high"),
                "from_status": "claimed fixed",
                "to_status": "fail",
                "why": f"claimed fixed by {a['answered_by']} on {a['answered_on']}",
            }
        )
    return out


def judge(
    result: ScanResult,
    profile: Profile,
    previous: Mapping[str, Any] | None,
    vendor: str | None = None,
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
    answers: Sequence[Answer] = (),
) -> Prepared:
    """Compare and seal a scan, and find what regressed: a prepared scan without
    reports (a queue worker's; the coordinator writes the reports)."""
    document = build_document(result, previous, waivers, today, profile, answers)
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
    newly = [{**n, "why": NEWLY_ASSESSED} for n in newly] + broken_claims(document)
    return Prepared(
        vendor or result.target.name,
        document,
        (),
        tuple(found),
        previous is None,
        news=tuple(newly),
    )
