"""The portfolio overview: several providers' scans ranked side by side (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.document import areas
from scanner.document.changes import news
from scanner.document.types import waived

_GRADE_RANK = {"A+": 0, "A": 1, "B": 2, "C": 3, "D": 4, "F": 5, "incomplete": 6}


def row(
    doc: Mapping[str, Any],
    report: str,
    owner: str = "",
    tags: Sequence[str] = (),
    trend: Sequence[Mapping[str, Any]] = (),
    questions: str | None = None,
) -> dict[str, Any]:
    """One provider's line in the overview (small: the document itself is not kept).
    ``trend``: its last runs (grade, overall, started), oldest first (this one last)."""
    scores = doc.get("scores") or {}
    critical = {
        f["check_id"]
        for f in doc["findings"]
        if f["status"] == "fail"
        and f["severity"] == "critical"
        and not waived(f)  # an accepted risk is not counted
    }
    changes = doc.get("changes")
    change = None
    if changes is not None:
        change = {
            "from_grade": changes["from"]["grade"],
            "from_overall": changes["from"]["overall"],
            "new": len(changes["new"]) + len(changes["worsened"]),
            "resolved": len(changes["resolved"]),
            # Failures the last run could not assess: news, never "no change".
            "newly_found": len(news(changes)),
        }
    return {
        "provider": doc["provider"]["name"],
        "owner": owner,
        "tags": list(tags),
        "error": "",
        "trend": [dict(t) for t in trend],
        "accepted": sum(
            1 for f in doc["findings"] if waived(f) and f["status"] in ("fail", "warn")
        ),
        "questions": questions if questions is not None else f"{report}#questions",
        "open_questions": len(doc.get("questions") or []),
        "domains": doc["provider"]["domains"],
        "grade": scores.get("grade", "incomplete"),
        "overall": scores.get("overall"),
        # An area not assessed shows no score (scoring rule 9).
        "pitfalls": {k: areas.shown_score(v) for k, v in scores.get("pitfalls", {}).items()},
        "critical": len(critical),
        "failed_checks": len({f["check_id"] for f in doc["findings"] if f["status"] == "fail"}),
        "coverage": scores.get("coverage"),
        "change": change,
        "cadence": time_to_fix(doc.get("cadence")),
        "run_id": doc["scan"]["run_id"],
        "started": doc["scan"]["started"],
        "profile": (doc.get("scores") or {}).get("profile") or doc["scan"].get("profile", ""),
        "report": report,
        "pitfall_titles": dict(doc.get("pitfall_titles", {})),
    }


def failed_row(
    name: str,
    domains: Sequence[str],
    error: str,
    owner: str = "",
    tags: Sequence[str] = (),
    trend: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The line of a vendor whose scan failed: listed, with the reason, never dropped."""
    return {
        "provider": name,
        "owner": owner,
        "tags": list(tags),
        "error": error,
        "trend": [dict(t) for t in trend],
        "accepted": 0,
        "questions": None,
        "open_questions": 0,
        "domains": list(domains),
        "grade": "not scanned",
        "overall": None,
        "pitfalls": {},
        "critical": 0,
        "failed_checks": 0,
        "coverage": None,
        "change": None,
        "cadence": None,
        "run_id": None,
        "started": None,
        "profile": "",
        "report": None,
        "pitfall_titles": {},
    }


def overview_of_rows(rows: Sequence[dict[str, Any]], generated: str) -> dict[str, Any]:
    rows = list(rows)
    rows.sort(
        key=lambda r: (
            bool(r.get("error")),  # failed scans last, still listed
            _GRADE_RANK.get(r["grade"], 7),
            -(r["overall"] if r["overall"] is not None else -1),
            r["provider"],
        )
    )
    titles: dict[str, str] = {}
    for r in rows:
        titles.update(r["pitfall_titles"])
    return {"generated": generated, "pitfall_titles": titles, "providers": rows}


def time_to_fix(ledger: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The overview's time-to-fix cell: the ledger's whole-provider summary and how
    many runs it rests on (None for documents made before the ledger)."""
    if not isinstance(ledger, Mapping) or not isinstance(ledger.get("overall"), Mapping):
        return None
    return {"runs": ledger.get("runs", 1), **ledger["overall"]}
