"""Questions for the provider and top risks, from literal findings."""

from __future__ import annotations

from typing import Any

from scanner.document.questions import DEADLINE_DAYS, failing_checks, questions, top_risks
from scanner.model import Severity

CHECKS = {
    "service.database_exposed": {
        "title": "Database exposed",
        "description": "A database answers from the internet.",
        "remediation": "Bind databases to private interfaces.",
        "grade_cap": "D",
    },
    "web.header.csp_missing": {
        "title": "No Content-Security-Policy",
        "description": "No CSP.",
        "remediation": "Send a Content-Security-Policy.",
        "grade_cap": None,
    },
    "tls.mozilla.old": {"title": "Mozilla old", "description": "x", "remediation": "y"},
}


def _f(check: str, status: str, severity: str, asset: str, detail: str = "seen") -> dict[str, Any]:
    return {
        "check_id": check,
        "status": status,
        "severity": severity,
        "asset": asset,
        "detail": detail,
    }


FINDINGS = [
    _f("web.header.csp_missing", "fail", "low", "a.test"),
    _f("web.header.csp_missing", "fail", "low", "b.test"),
    _f("web.header.csp_missing", "pass", "low", "c.test"),
    _f("service.database_exposed", "fail", "critical", "10.0.0.1:3306", "MySQL 5.5 answers"),
    _f("tls.mozilla.old", "fail", "info", "a.test:443"),
    _f("tls.cert.expired", "warn", "high", "a.test:443"),
]


def test_only_failing_checks_that_carry_risk_become_questions() -> None:
    failing = failing_checks(FINDINGS, CHECKS)
    assert [e["check_id"] for e in failing] == [
        "service.database_exposed",
        "web.header.csp_missing",
    ]
    assert failing[1]["assets"] == ["a.test", "b.test"]


def test_a_question_names_what_was_seen_what_to_do_and_by_when() -> None:
    asked = questions(failing_checks(FINDINGS, CHECKS), CHECKS)
    first = asked[0]
    assert first["deadline_days"] == DEADLINE_DAYS[Severity.CRITICAL] == 15
    assert "10.0.0.1:3306" in first["question"] and "MySQL 5.5 answers" in first["question"]
    assert "Bind databases to private interfaces." in first["question"]
    assert "within 15 days" in first["question"]
    assert asked[1]["deadline_days"] == 180


def test_many_assets_are_summarised_not_listed_without_end() -> None:
    many = [_f("web.header.csp_missing", "fail", "low", f"h{i}.test") for i in range(40)]
    text = questions(failing_checks(many, CHECKS), CHECKS)[0]["question"]
    assert "and 34 more" in text and "h39.test" not in text


def test_top_risks_are_at_most_five_most_severe_first() -> None:
    findings = [_f(f"x.check{i}", "fail", "medium", "a.test") for i in range(8)]
    findings.append(_f("service.database_exposed", "fail", "critical", "10.0.0.1:3306"))
    risks = top_risks(failing_checks(findings, CHECKS), CHECKS)
    assert len(risks) == 5
    assert risks[0]["title"] == "Database exposed"
    assert risks[0]["explanation"] == "A database answers from the internet."
