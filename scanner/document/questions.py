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

# Days to remediate, after CISA BOD 19-02 (critical 15, high 30) and common
# vendor-risk practice for the rest.
DEADLINE_DAYS = {
    Severity.CRITICAL: 15,
    Severity.HIGH: 30,
    Severity.MEDIUM: 90,
    Severity.LOW: 180,
    Severity.INFO: 180,
}
TOP_RISKS = 5
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
    failing: Sequence[FailingCheck], checks: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    risks = []
    for entry in failing[:TOP_RISKS]:
        check = checks.get(entry["check_id"], {})
        risks.append(
            {
                "check_id": entry["check_id"],
                "title": check.get("title", entry["check_id"]),
                "severity": entry["severity"],
                "explanation": check.get("description", entry["detail"]),
                "assets": list(entry["assets"]),
            }
        )
    return risks


def questions(
    failing: Sequence[FailingCheck], checks: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    out = []
    for entry in failing:
        check = checks.get(entry["check_id"], {})
        days = DEADLINE_DAYS[Severity(entry["severity"])]
        title = check.get("title", entry["check_id"])
        remediation = check.get("remediation", "Remediate the finding.")
        request = (
            f"Observed on {_assets_phrase(entry['assets'])}: {entry['detail']} "
            f"Request: {remediation} Please confirm in writing within {days} days that this "
            "is done, or describe the compensating control that makes the risk acceptable."
        )
        out.append(
            {
                "check_id": entry["check_id"],
                "severity": entry["severity"],
                "assets": list(entry["assets"]),
                "deadline_days": days,
                "title": title,
                "request": request,
                "question": f"{title} ({entry['check_id']}). {request}",
                "remediation": remediation,
                "observations": [dict(o) for o in entry["observations"]],
            }
        )
    return out
