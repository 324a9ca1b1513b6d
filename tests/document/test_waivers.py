"""Waivers: accepted while valid, a regression the day they expire."""

from __future__ import annotations

from datetime import date
from typing import Any

from scanner.document.changes import diff, regressions
from scanner.document.waivers import Waiver, adjusted, annotate
from scanner.model import Finding, Severity, Status

WAIVER = Waiver("service.database_exposed", "*", "behind a VPN", "CISO", date(2027, 1, 1))


def _doc(status: str = "fail") -> dict[str, Any]:
    return {
        "scan": {"run_id": "r", "started": "s"},
        "scores": None,
        "observations": [],
        "findings": [
            {
                "check_id": "service.database_exposed",
                "status": status,
                "severity": "critical",
                "asset": "10.0.0.1:3306",
                "detail": "MySQL answers",
                "evidence": {"port": 3306},
            },
            {
                "check_id": "web.header.csp_missing",
                "status": "fail",
                "severity": "low",
                "asset": "a.test",
                "detail": "no CSP",
                "evidence": {},
            },
        ],
    }


def test_a_waived_failure_is_marked_and_counts_as_passed_only_in_the_adjusted_score() -> None:
    marked = annotate(_doc(), [WAIVER], date(2026, 12, 1))
    db, csp = marked["findings"]
    assert db["status"] == "fail"  # the evidence is unchanged
    assert db["waiver"] == {
        "reason": "behind a VPN",
        "accepted_by": "CISO",
        "expires": "2027-01-01",
        "active": True,
    }
    assert "waiver" not in csp
    finding = Finding("service.database_exposed", Status.FAIL, Severity.CRITICAL, "x:1", "d")
    assert adjusted([finding], [WAIVER], date(2026, 12, 1))[0].status is Status.PASS
    assert adjusted([finding], [WAIVER], date(2027, 1, 1))[0].status is Status.FAIL


def test_an_expiring_waiver_brings_the_failure_back_as_a_regression() -> None:
    yesterday = annotate(_doc(), [WAIVER], date(2026, 12, 31))
    today = annotate(_doc(), [WAIVER], date(2027, 1, 1))
    assert today["findings"][0]["waiver"]["active"] is False
    change = diff(yesterday, today)
    assert [(r["check_id"], r["from_status"], r["to_status"]) for r in regressions(change)] == [
        ("service.database_exposed", "accepted", "fail")
    ]


def test_waiving_a_known_failure_is_not_a_regression() -> None:
    change = diff(_doc(), annotate(_doc(), [WAIVER], date(2026, 12, 1)))
    assert regressions(change) == []
    assert [f["check_id"] for f in change["accepted"]] == ["service.database_exposed"]
