"""Questions for the provider, and the top risks, from the failing checks.

Each question names the observation, asks for the catalogue's remediation and
proposes a deadline by severity, so a buyer can send it as is or copy it into a
contract as a remediation item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.document.types import FailingCheck, FindingDoc, waived
from scanner.model import Severity
from scanner.scoring.profile import DEADLINE_DAYS

TOP_RISKS = 5
BEFORE_SIGNING, HYGIENE = "answer before signing", "hygiene"
RETEST_DAYS = 30  # what could not be tested: a new test within a month
_MAX_ASSETS_NAMED = 6


def failing_checks(
    findings: Sequence[FindingDoc], checks: Mapping[str, Mapping[str, Any]]
) -> list[FailingCheck]:
    """One entry per failing check: worst severity, affected assets, one observed detail.

    Ordered most urgent first: severity, then checks that cap the grade, then how
    many assets are affected, then the ID (stable output).
    """
    grouped: dict[str, dict[str, Any]] = {}
    for f in findings:
        # An "info" failure (not meeting Mozilla's "old" profile, say) is reported
        # for comparison only: it is no risk and nothing to ask the provider about.
        if f["status"] != "fail" or f["severity"] == "info":
            continue
        if waived(f):
            continue  # an accepted risk is not asked about again until its waiver expires
        severity = Severity(f["severity"])
        entry = grouped.setdefault(
            f["check_id"],
            {
                "check_id": f["check_id"],
                "severity": severity,
                "assets": [],
                "detail": f["detail"],
                "observations": [],
            },
        )
        seen = {"asset": f["asset"], "detail": f["detail"]}
        if seen not in entry["observations"]:
            entry["observations"].append(seen)
        if severity.rank > entry["severity"].rank:
            entry["severity"], entry["detail"] = severity, f["detail"]
        if f["asset"] not in entry["assets"]:
            entry["assets"].append(f["asset"])
    ordered = sorted(
        grouped.values(),
        key=lambda e: (
            -e["severity"].rank,
            checks.get(e["check_id"], {}).get("grade_cap") is None,
            -len(e["assets"]),
            e["check_id"],
        ),
    )
    return [
        FailingCheck(
            check_id=e["check_id"],
            severity=str(e["severity"]),
            assets=e["assets"],
            detail=e["detail"],
            observations=e["observations"],
        )
        for e in ordered
    ]


def _assets_phrase(assets: Sequence[str]) -> str:
    named = ", ".join(assets[:_MAX_ASSETS_NAMED])
    more = len(assets) - _MAX_ASSETS_NAMED
    return named + (f" and {more} more" if more > 0 else "")


def top_risks(
    failing: Sequence[FailingCheck],
    checks: Mapping[str, Mapping[str, Any]],
    page_one: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The first failing checks (every deal-breaker, at least ``TOP_RISKS``), with
    what page 1 says of each (``page_one``: role, impact, where, due, by check ID)."""
    page_one = page_one or {}
    breakers = sum(
        1 for e in failing if page_one.get(e["check_id"], {}).get("role") == "deal-breaker"
    )
    risks = []
    for entry in failing[: max(TOP_RISKS, breakers)]:
        check = checks.get(entry["check_id"], {})
        risks.append(
            {
                "check_id": entry["check_id"],
                "title": check.get("title", entry["check_id"]),
                "severity": entry["severity"],
                "explanation": check.get("description", entry["detail"]),
                "assets": list(entry["assets"]),
                **{
                    k: v
                    for k, v in page_one.get(entry["check_id"], {}).items()
                    if k in ("role", "impact", "where", "due", "days")
                },
            }
        )
    return risks


def questions(
    failing: Sequence[FailingCheck],
    checks: Mapping[str, Mapping[str, Any]],
    page_one: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """``page_one``: the profile's days and the dated deadline of each check, when the
    score card carries a decision (documents before it: the default days, no date)."""
    page_one = page_one or {}
    out = []
    for entry in failing:
        check = checks.get(entry["check_id"], {})
        dated = page_one.get(entry["check_id"], {})
        days = int(dated.get("days", DEADLINE_DAYS[Severity(entry["severity"])]))
        title = check.get("title", entry["check_id"])
        remediation = check.get("remediation", "Remediate the finding.")
        request = (
            f"Observed on {_assets_phrase(entry['assets'])}: {entry['detail']} "
            f"Request: {remediation} Please confirm in writing "
            + (
                f"by {dated['due']} ({days} days from the scan)"
                if "due" in dated
                else f"within {days} days"
            )
            + " that this is done, or describe the compensating control that makes the risk "
            "acceptable."
        )
        role = str(dated.get("role") or "")
        if not role:  # a document judged before verdicts: by severity
            role = "condition" if Severity(entry["severity"]).at_least(Severity.HIGH) else "hygiene"
        out.append(
            {
                "check_id": entry["check_id"],
                "severity": entry["severity"],
                # Deal-breakers and conditions are answered before signing; the rest is
                # hygiene, answered by its deadline.
                "role": role,
                "group": BEFORE_SIGNING if role in ("deal-breaker", "condition") else HYGIENE,
                "assets": list(entry["assets"]),
                "deadline_days": days,
                **({"due": dated["due"]} if "due" in dated else {}),
                "title": title,
                "request": request,
                "question": f"{title} ({entry['check_id']}). {request}",
                "remediation": remediation,
                "observations": [dict(o) for o in entry["observations"]],
            }
        )
    return out


def retests(doc: Mapping[str, Any], due: str | None) -> list[dict[str, Any]]:
    """A question per area that could not be tested (rule 9): which assets, why, and a
    request to make a new test possible. ``check_id`` is ``untested.<area>``, so an
    answer can name it like any other question."""
    scores = doc.get("scores") or {}
    titles = doc.get("pitfall_titles") or {}
    out = []
    for key, area in (scores.get("pitfalls") or {}).items():
        if not isinstance(area, Mapping) or area.get("state") not in (
            "not assessed",
            "partly assessed",
        ):
            continue
        untested = [u for u in area.get("untested") or [] if isinstance(u, Mapping)]
        if not untested:
            continue
        title = titles.get(key, key)
        named = _assets_phrase([str(u["asset"]) for u in untested])
        reasons = "; ".join(f"{u['asset']}: {str(u['reason']).rstrip('.')}" for u in untested)
        when = f"by {due}" if due else f"within {RETEST_DAYS} days"
        out.append(
            {
                "check_id": f"untested.{key}",
                "area": title,
                "state": area.get("state"),
                "assets": [str(u["asset"]) for u in untested],
                "reasons": reasons,
                "title": f"{title}: not tested on {named}",
                "request": (
                    f"We could not test {title.lower()} on {named} ({reasons}). Please tell "
                    f"us what runs there and make a new test possible {when} (for example by "
                    "allowing our scanner's address), or describe how it is protected."
                ),
                **({"due": due} if due else {}),
                "deadline_days": RETEST_DAYS,
            }
        )
    return out
