"""Scoring rule 9, untested is never good, on hand-built findings: each area has its
coverage and its untested assets; an area below the profile's area_min_coverage is
not assessed; A+ needs every weighted area assessed in full; no step to a better
grade is offered while a weighted area is not assessed, and the sentence says what
could not be tested and what that can hide."""

from __future__ import annotations

import dataclasses

import pytest

from scanner.checks import Check
from scanner.model import Finding, Severity, Status
from scanner.scoring.profile import Profile, load_profile
from scanner.scoring.score import ASSESSED, NOT_ASSESSED, PARTLY, PitfallScore, ScoreCard, score

CHECKS = {
    f"t.{i}": Check(f"t.{i}", f"TLS check {i}", "d", "transport", Severity.MEDIUM, "fix", ())
    for i in range(4)
} | {
    "e.high": Check("e.high", "DMARC", "d", "email", Severity.HIGH, "fix", ()),
    "e.low": Check("e.low", "TLS-RPT", "d", "email", Severity.LOW, "fix", ()),
}


def f(check: str, status: Status, asset: str, reason: str = "") -> Finding:
    evidence = {"reason": reason} if reason else {}
    return Finding(check, status, CHECKS[check].severity, asset, "detail", evidence=evidence)


@pytest.fixture()
def profile() -> Profile:
    return dataclasses.replace(load_profile("default"), min_coverage=0.3)


def area(card: ScoreCard, pitfall: str) -> PitfallScore:
    return next(p for p in card.pitfalls if p.pitfall == pitfall)


def mail_server_untested(profile: Profile) -> ScoreCard:
    """The web host passes every TLS check; the mail server could not be reached;
    DMARC fails, TLS-RPT is missing."""
    web = [f(f"t.{i}", Status.PASS, "www.p.test:443") for i in range(4)]
    mx = [f(f"t.{i}", Status.NOT_ASSESSED, "mx.p.test:25", "connection refused") for i in range(4)]
    mx += [f(f"t.{i}", Status.NOT_ASSESSED, "mx2.p.test:25", "timed out") for i in range(4)]
    mail = [f("e.high", Status.FAIL, "p.test"), f("e.low", Status.FAIL, "p.test")]
    return score(web + mx + mail, profile, CHECKS)


def test_an_area_whose_main_assets_were_not_tested_is_not_assessed(profile: Profile) -> None:
    card = mail_server_untested(profile)
    transport = area(card, "transport")
    # What was tested passed, and the score says so; but a third of it is no grade.
    assert transport.score == 100.0 and transport.state == NOT_ASSESSED
    assert (transport.assessed_findings, transport.total_findings) == (4, 12)
    assert transport.coverage == pytest.approx(0.333)
    assert [(u.asset, u.findings, u.reason) for u in transport.untested] == [
        ("mx.p.test:25", 4, "connection refused"),
        ("mx2.p.test:25", 4, "timed out"),
    ]
    assert area(card, "email").state == ASSESSED


def test_no_better_grade_is_promised_while_an_area_is_untested(profile: Profile) -> None:
    card = mail_server_untested(profile)
    assert card.grade == "B" and card.steps == ()
    # The costs stay: what each failure takes is known.
    assert {c.check for c in card.costs} == {"e.high", "e.low"}
    assert "mx.p.test:25 and mx2.p.test:25" in card.explanation
    assert "Encryption in transit (not assessed: 4 of 12 results obtained" in card.explanation
    assert "weak or missing encryption" in card.explanation
    assert "no better grade is offered until it is tested" in card.explanation
    assert "gives" not in card.explanation


def test_the_same_scan_with_the_mail_server_tested_offers_the_steps(profile: Profile) -> None:
    findings = [f(f"t.{i}", Status.PASS, a) for i in range(4) for a in ("www", "mx", "mx2")]
    findings += [f("e.high", Status.FAIL, "p.test"), f("e.low", Status.FAIL, "p.test")]
    card = score(findings, profile, CHECKS)
    assert card.grade == "B" and card.steps and card.steps[-1].grade == "A+"
    assert "Not covered" not in card.explanation


def test_partly_assessed_areas_are_named_and_bar_a_plus(profile: Profile) -> None:
    findings = [f(f"t.{i}", Status.PASS, "www") for i in range(4) for _ in range(2)]
    findings += [f("t.0", Status.NOT_ASSESSED, "mx", "connection refused")]
    findings += [f("e.high", Status.PASS, "p.test"), f("e.low", Status.PASS, "p.test")]
    card = score(findings, profile, CHECKS)
    transport = area(card, "transport")
    assert transport.state == PARTLY and transport.untested[0].asset == "mx"
    # 100 of 100 on what was seen, but not everything was seen: A, not A+.
    assert card.overall == 100.0 and card.grade == "A"
    assert "Encryption in transit (partly assessed: 8 of 9 results obtained" in card.explanation


def test_an_area_the_profile_does_not_weigh_does_not_hold_the_grade(profile: Profile) -> None:
    weights = {**profile.pitfall_weights, "transport": 0.0}
    card = mail_server_untested(dataclasses.replace(profile, pitfall_weights=weights))
    assert area(card, "transport").state == NOT_ASSESSED
    assert card.steps and "Not covered" not in card.explanation


def test_area_min_coverage_is_profile_data(profile: Profile) -> None:
    lenient = dataclasses.replace(profile, area_min_coverage=0.3)
    assert area(mail_server_untested(lenient), "transport").state == PARTLY
    assert load_profile("strict").area_min_coverage == 0.9
    assert load_profile("default").area_min_coverage == 0.75


def test_a_capped_grade_with_an_untested_area_names_the_cap_and_no_step(
    profile: Profile,
) -> None:
    capped = dict(CHECKS)
    capped["e.high"] = dataclasses.replace(CHECKS["e.high"], grade_cap="D")
    web = [f(f"t.{i}", Status.PASS, "www") for i in range(4)]
    mx = [f(f"t.{i % 4}", Status.NOT_ASSESSED, "mx", "connection refused") for i in range(8)]
    card = score([*web, *mx, f("e.high", Status.FAIL, "p.test")], profile, capped)
    assert card.grade == "D" and card.steps == ()
    assert card.explanation.startswith("D because “DMARC” fails, which caps the grade at D.")
    assert "Fixing" not in card.explanation and "no better grade is offered" in card.explanation
