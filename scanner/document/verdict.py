"""Page 1's decision (pure): the verdict a buyer signs on, in plain words, from the
score card's decision (scanner.scoring.decision), with each deal-breaker's
business impact, host names with their addresses, dated deadlines (scan date plus
the profile's days) and what could not be tested. Documents scored before the
decision existed have none: their report shows the grade only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from scanner.document import areas
from scanner.document.types import FailingCheck
from scanner.document.where import where_all

TITLES = {
    "do_not_sign": "Do not sign before these are fixed",
    "conditions": "Acceptable with conditions",
    "no_deal_breakers": "No deal-breakers found",
}


def scan_date(doc: Mapping[str, Any]) -> date:
    return datetime.fromisoformat(str(doc["scan"]["started"])).date()


def due(doc: Mapping[str, Any], days: int) -> str:
    return (scan_date(doc) + timedelta(days=days)).isoformat()


def _item(
    entry: FailingCheck,
    role: str,
    doc: Mapping[str, Any],
    checks: Mapping[str, Mapping[str, Any]],
    days: Mapping[str, int],
) -> dict[str, Any]:
    check = checks.get(entry["check_id"], {})
    hosts = (doc.get("inventory") or {}).get("hosts") or []
    n = int(days.get(entry["severity"], 180))
    return {
        "check_id": entry["check_id"],
        "title": check.get("title", entry["check_id"]),
        "severity": entry["severity"],
        "role": role,
        "impact": check.get("impact") or check.get("description", entry["detail"]),
        "where": where_all(entry["assets"], hosts),
        "days": n,
        "due": due(doc, n),
    }


def _sentence(
    verdict: str, profile: str, decision: Mapping[str, Any], items: Sequence[Mapping[str, Any]]
) -> str:
    breakers = [i for i in items if i["role"] == "deal-breaker"]
    conditions = [i for i in items if i["role"] == "condition"]
    hygiene = len(items) - len(breakers) - len(conditions)
    level = decision["condition_severity"]
    if verdict == "do_not_sign":
        text = (
            f"1 deal-breaker of the {profile} profile fails: a risk a contract should not "
            "accept. Have it fixed, and checked again, before signing."
            if len(breakers) == 1
            else f"{len(breakers)} deal-breakers of the {profile} profile fail: each is a risk "
            "a contract should not accept. Have them fixed, and checked again, before signing."
        )
        if conditions:
            text += (
                f" {len(conditions)} more failure(s) at {level} severity or above are "
                "conditions, with their dates under Questions for the provider."
            )
        return text
    if verdict == "conditions":
        parts = []
        if conditions:
            parts.append(
                f"{len(conditions)} failure(s) at {level} severity or above fixed by the dates below"
            )
        if decision.get("untested_areas") or decision.get("incomplete"):
            parts.append("a new test of what could not be tested")
        return (
            f"No deal-breaker of the {profile} profile fails. Sign only with these conditions "
            f"in the contract: {' and '.join(parts)}."
        )
    return (
        f"No deal-breaker of the {profile} profile fails, and nothing at {level} severity or "
        f"above. {hygiene} lesser item(s) remain to ask about as hygiene."
        if hygiene
        else f"No deal-breaker of the {profile} profile fails, and no check fails at all."
    )


def _decision(doc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    # Accepted risks (waivers) are the buyer's decision already: judged as accepted.
    adjusted = (doc.get("adjusted_scores") or {}).get("decision")
    return adjusted or (doc.get("scores") or {}).get("decision")


def page_one_items(
    doc: Mapping[str, Any],
    failing: Sequence[FailingCheck],
    checks: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Each failing check as page 1 says it: role (deal-breaker, condition or hygiene),
    impact, where (host names with addresses) and due date."""
    decision = _decision(doc)
    if not decision:
        return []
    days = decision.get("deadline_days") or {}
    breakers, conditions = set(decision["deal_breakers"]), set(decision["conditions"])
    role = {c: "deal-breaker" for c in breakers} | {c: "condition" for c in conditions}
    return [_item(e, role.get(e["check_id"], "hygiene"), doc, checks, days) for e in failing]


def verdict(
    doc: Mapping[str, Any],
    failing: Sequence[FailingCheck],
    checks: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any] | None:
    scores = doc.get("scores") or {}
    decision = _decision(doc)
    if not decision:
        return None
    items = page_one_items(doc, failing, checks)
    pitfalls = scores.get("pitfalls") or {}
    titles = doc.get("pitfall_titles") or {}
    not_tested = [
        {"area": titles.get(p, p), "gap": areas.gap(pitfalls.get(p), reasons=False)}
        for p in decision.get("untested_areas") or []
    ]
    return {
        "verdict": decision["verdict"],
        "title": TITLES[decision["verdict"]],
        "summary": _sentence(decision["verdict"], str(scores.get("profile", "")), decision, items),
        "deal_breakers": [i for i in items if i["role"] == "deal-breaker"],
        "conditions": [i for i in items if i["role"] == "condition"],
        "hygiene": sum(1 for i in items if i["role"] == "hygiene"),
        "not_tested": not_tested,
        "incomplete": bool(decision.get("incomplete")),
        "scan_date": scan_date(doc).isoformat(),
    }
