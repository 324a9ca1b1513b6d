"""One test per scoring rule (see scanner/scoring/score.py), on hand-built findings."""

from __future__ import annotations

import dataclasses

import pytest

from scanner.checks import Check
from scanner.model import Finding, Severity, Status
from scanner.scoring.profile import Profile, load_profile
from scanner.scoring.score import INCOMPLETE, GradeCap, apply_profile, score

CHECKS = {
    "t.crit": Check("t.crit", "t", "d", "transport", Severity.CRITICAL, "fix", ()),
    "t.high": Check("t.high", "t", "d", "transport", Severity.HIGH, "fix", ()),
    "t.capped": Check("t.capped", "t", "d", "transport", Severity.MEDIUM, "fix", (), grade_cap="B"),
    "e.med": Check("e.med", "t", "d", "email", Severity.MEDIUM, "fix", ()),
    "e.low": Check("e.low", "t", "d", "email", Severity.LOW, "fix", ()),
    "d.info": Check("d.info", "t", "d", "dns", Severity.INFO, "fix", ()),
}


def f(check: str, status: Status, asset: str = "a") -> Finding:
    return Finding(check, status, CHECKS[check].severity, asset, "detail")


@pytest.fixture()
def profile() -> Profile:
    return dataclasses.replace(load_profile("default"), min_coverage=0.5)


def card(findings: list[Finding], profile: Profile):  # type: ignore[no-untyped-def]
    return score(findings, profile, CHECKS)


def test_rule1_the_worst_host_decides(profile: Profile) -> None:
    result = card(
        [f("t.high", Status.PASS, "a"), f("t.high", Status.FAIL, "b"), f("t.crit", Status.PASS)],
        profile,
    )
    transport = next(p for p in result.pitfalls if p.pitfall == "transport")
    assert transport.failed_checks == 1 and transport.scored_checks == 2


def test_rule2_info_and_unassessed_never_count(profile: Profile) -> None:
    base = [f("e.med", Status.PASS)]
    extra = [f("d.info", Status.FAIL), f("e.low", Status.NOT_ASSESSED)]
    assert card(base, profile).overall == card(base + extra, profile).overall == 100.0
    dns = next(p for p in card(base + extra, profile).pitfalls if p.pitfall == "dns")
    assert dns.score is None


def test_rule3_a_failure_takes_its_share_by_severity(profile: Profile) -> None:
    assert card([f("t.crit", Status.FAIL)], profile).overall == 75.0
    assert card([f("t.high", Status.FAIL)], profile).overall == 90.0
    assert card([f("e.med", Status.FAIL)], profile).overall == 96.0
    assert card([f("e.low", Status.FAIL)], profile).overall == 98.5
    # A warn takes half; passes around it change nothing (the area's size does not count).
    assert card([f("e.med", Status.WARN)], profile).overall == 98.0
    alone = card([f("e.low", Status.FAIL)], profile).overall
    crowded = card([f("e.low", Status.FAIL), f("e.med", Status.PASS)], profile).overall
    assert alone == crowded


def test_rule4_more_assets_cost_more_up_to_double(profile: Profile) -> None:
    def on(n: int) -> float | None:
        return card([f("t.high", Status.FAIL, f"h{i}") for i in range(n)], profile).overall

    assert on(1) == 90.0 and on(2) == 87.5 and on(3) == 85.0 and on(5) == on(9) == 80.0
    # A low failure on many hosts never costs more than one medium failure.
    many_low = card([f("e.low", Status.FAIL, f"h{i}") for i in range(20)], profile).overall
    assert many_low is not None and many_low >= card([f("e.med", Status.FAIL)], profile).overall


def test_rule5_shares_multiply_and_areas_weigh_by_the_profile(profile: Profile) -> None:
    findings = [f("t.high", Status.FAIL), f("e.med", Status.FAIL)]
    result = card(findings, profile)
    assert result.overall == round(100 * 0.90 * 0.96, 1)
    bars = {p.pitfall: p.score for p in result.pitfalls}
    assert bars["transport"] == 90.0 and bars["email"] == 96.0 and bars["dns"] is None
    twice = dataclasses.replace(profile, pitfall_weights={"transport": 2.0})
    assert card(findings, twice).overall == round(100 * 0.90**2 * 0.96, 1)
    ignored = dataclasses.replace(profile, pitfall_weights={"transport": 0.0})
    assert card(findings, ignored).overall == 96.0


@pytest.mark.parametrize(
    ("failed", "grade"),
    [(0, "A+"), (3, "A+"), (4, "A"), (6, "A"), (8, "B"), (14, "B"), (15, "C"), (28, "C"),
     (29, "D"), (45, "D"), (46, "F")],
)  # fmt: skip
def test_rule6_grade_bands(profile: Profile, failed: int, grade: str) -> None:
    # Low checks on distinct IDs (0.985 each); a low failure does not bar A+.
    checks = dict(CHECKS)
    for i in range(failed + 3):
        checks[f"x{i}"] = Check(f"x{i}", "t", "d", "email", Severity.LOW, "fix", ())
    findings = [
        Finding(f"x{i}", Status.FAIL if i < failed else Status.PASS, Severity.LOW, "a", "d")
        for i in range(failed + 3)
    ]
    assert score(findings, profile, checks).grade == grade


def test_rule6_a_plus_needs_no_medium_failure(profile: Profile) -> None:
    warned = card([f("e.med", Status.WARN)], profile)
    assert warned.overall == 98.0 and warned.grade == "A+"
    failed = card([f("e.med", Status.FAIL)], profile)
    assert failed.grade == "A"


def test_rule7_caps_from_the_catalogue_and_for_criticals(profile: Profile) -> None:
    # A medium failure leaves 96 (an A), but its catalogue cap holds the grade at B.
    capped = card([f("t.capped", Status.FAIL), f("t.high", Status.PASS)], profile)
    assert capped.grade == "B" and capped.caps == (GradeCap("t.capped", "B", applies=True),)
    # A critical failure without a cap of its own caps at C (here the score agrees).
    critical = card([f("t.crit", Status.FAIL)], profile)
    assert critical.grade == "C"
    assert critical.caps == (GradeCap("t.crit", "C", applies=False),)


def test_a_cap_the_average_already_reaches_does_not_apply(profile: Profile) -> None:
    low = card(
        [f("t.capped", Status.FAIL), f("t.crit", Status.FAIL), f("t.high", Status.FAIL)], profile
    )
    assert low.grade == "D"
    assert {c.check: c.applies for c in low.caps} == {"t.capped": False, "t.crit": False}


def test_the_grade_explains_itself_with_what_fixing_gives(profile: Profile) -> None:
    checks = {
        **CHECKS,
        "t.untrusted": Check("t.untrusted", "Certificate not trusted", "d", "transport",
                             Severity.HIGH, "fix", (), grade_cap="F"),
        "e.dmarc": Check("e.dmarc", "DMARC policy too weak", "d", "email", Severity.HIGH,
                         "fix", ()),
    }  # fmt: skip
    for i in range(8):
        checks[f"x{i}"] = Check(f"x{i}", f"x{i}", "d", "transport", Severity.HIGH, "fix", ())
    findings = [Finding(f"x{i}", Status.PASS, Severity.HIGH, "a", "d") for i in range(8)]
    findings += [
        Finding("t.untrusted", Status.FAIL, Severity.HIGH, "a", "d"),
        Finding("e.dmarc", Status.FAIL, Severity.HIGH, "a", "d"),
        Finding("e.low", Status.PASS, Severity.LOW, "a", "d"),
    ]
    result = score(findings, profile, checks)
    assert result.grade == "F"
    first = result.steps[0]
    assert first.fixing == ("t.untrusted",) and first.grade != "F"
    assert result.explanation.startswith(
        f"F because “Certificate not trusted” fails, which caps the grade at F. "
        f"Fixing that alone gives {first.grade} ({round(first.overall, 1):g}/100)"
    )
    assert "also fixing “DMARC policy too weak” gives" in result.explanation
    # What each failing check costs, in points of the overall score.
    costs = {c.check: c for c in result.costs}
    assert costs["t.untrusted"].cap == "F" and costs["e.dmarc"].points > 0
    # Fixing everything the steps name gives exactly what they say.
    fixed = [
        dataclasses.replace(x, status=Status.PASS)
        if x.check_id in {"t.untrusted", "e.dmarc"}
        else x
        for x in findings
    ]
    assert score(fixed, profile, checks).grade == result.steps[-1].grade


def test_an_uncapped_grade_says_it_is_the_average(profile: Profile) -> None:
    result = card(
        [f("t.high", Status.PASS), f("e.med", Status.FAIL), f("e.low", Status.PASS)], profile
    )
    assert result.caps == ()
    assert "what the failing checks leave of 100; no failing check caps it" in result.explanation


def test_no_grade_says_why(profile: Profile) -> None:
    findings = [f("e.med", Status.PASS)] + [
        f("t.high", Status.NOT_ASSESSED, f"h{i}") for i in range(3)
    ]
    result = card(findings, profile)
    assert result.grade == INCOMPLETE and result.explanation.startswith("No grade: coverage 25%")


def test_rule8_low_coverage_gives_no_grade(profile: Profile) -> None:
    findings = [f("e.med", Status.PASS)] + [
        f("t.high", Status.NOT_ASSESSED, f"h{i}") for i in range(3)
    ]
    result = card(findings, profile)
    assert result.grade == INCOMPLETE and result.coverage == 0.25
    assert result.not_assessed_checks == ("t.high",)


def test_profile_overrides_and_disabled_checks(profile: Profile) -> None:
    strict = dataclasses.replace(
        profile, severity={"e.low": Severity.HIGH}, disabled_checks=frozenset({"e.med"})
    )
    adjusted = apply_profile([f("e.low", Status.FAIL), f("e.med", Status.FAIL)], strict)
    assert adjusted[0].severity is Severity.HIGH
    assert adjusted[1].status is Status.NOT_ASSESSED and "disabled by profile" in adjusted[1].detail
    passive = dataclasses.replace(profile, disabled_probes=frozenset({"services"}))
    scanned = dataclasses.replace(f("e.low", Status.FAIL), probe="services")
    assert apply_profile([scanned], passive)[0].status is Status.NOT_ASSESSED


def test_rule2_a_failure_the_profile_rates_info_is_information() -> None:
    # "fail" is a weakness; not meeting Mozilla "modern" under the default profile is a
    # comparison, reported as info with what was seen. The strict profile raises it.
    seen = Finding(
        "tls.mozilla.modern",
        Status.FAIL,
        Severity.INFO,
        "a.test:443",
        "a.test:443 meets Mozilla's intermediate configuration; not modern: TLS 1.2 offered",
    )
    (default,) = apply_profile([seen], load_profile("default"))
    assert default.status is Status.INFO and default.detail == seen.detail
    (strict,) = apply_profile([seen], load_profile("strict"))
    assert (strict.status, strict.severity) == (Status.FAIL, Severity.HIGH)
