"""The verdict is profile data (scanner.scoring.decision): which checks are
deal-breakers, from which severity a failure is a condition, and the days given."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from scanner.checks import catalogue
from scanner.model import Finding, Severity, Status
from scanner.scoring.decision import CONDITIONS, DO_NOT_SIGN, NO_DEAL_BREAKERS, judge
from scanner.scoring.profile import ProfileError, load_profile


def fail(check_id: str, status: Status = Status.FAIL) -> Finding:
    return Finding(check_id, status, catalogue()[check_id].severity, "p.test:443", "seen")


PASSING = [
    Finding(c, Status.PASS, catalogue()[c].severity, "p.test:443", "ok")
    for c in ("tls.cert.expired", "tls.protocol.tls10_tls11", "dns.caa.missing")
]


def test_a_failing_deal_breaker_means_do_not_sign() -> None:
    card = judge([*PASSING, fail("tls.cert.expired")], load_profile("default"))
    assert card.decision is not None and card.decision.verdict == DO_NOT_SIGN
    assert card.decision.deal_breakers == ("tls.cert.expired",)


def test_a_high_failure_is_a_condition_and_a_low_one_is_hygiene() -> None:
    profile = load_profile("default")
    card = judge([*PASSING, fail("tls.protocol.tls10_tls11")], profile)
    assert card.decision is not None and card.decision.verdict == CONDITIONS
    assert card.decision.conditions == ("tls.protocol.tls10_tls11",)
    card = judge([*PASSING, fail("dns.caa.missing")], profile)
    assert card.decision is not None and card.decision.verdict == NO_DEAL_BREAKERS


def test_the_profile_decides_what_breaks_the_deal() -> None:
    default = load_profile("default")
    lenient = dataclasses.replace(default, deal_breakers=frozenset())
    card = judge([*PASSING, fail("tls.cert.expired")], lenient)
    assert card.decision is not None and card.decision.verdict == CONDITIONS
    strict = dataclasses.replace(default, condition_severity=Severity.LOW)
    card = judge([*PASSING, fail("dns.caa.missing")], strict)
    assert card.decision is not None and card.decision.verdict == CONDITIONS
    assert load_profile("strict").condition_severity is Severity.MEDIUM
    assert default.deadline_days[Severity.CRITICAL] == 15


def test_a_profile_naming_an_unknown_deal_breaker_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\nextends = "default"\nfail_threshold = "high"\n'
        '[decision]\ndeal_breakers = ["tls.cert.expird"]\n'
    )
    with pytest.raises(ProfileError, match=r"decision\.deal_breakers.*tls\.cert\.expird"):
        load_profile(str(path))
    path.write_text('name = "mine"\nfail_threshold = "high"\n[deadlines]\ncritical = 0\n')
    with pytest.raises(ProfileError, match=r"deadlines\.critical"):
        load_profile(str(path))


def test_every_deal_breaker_of_the_default_profile_says_its_impact_plainly() -> None:
    checks = catalogue()
    for check_id in load_profile("default").deal_breakers:
        impact = checks[check_id].impact
        assert impact and not any(w in impact for w in ("RFC", "CVE", "--", "TLS", "SSL"))
    # Every built-in check says what it means for the business: page 1 and the
    # questions quote it, whatever the profile makes a condition.
    for check in checks.values():
        assert check.impact, f"{check.id} has no impact"
        assert "RFC" not in check.impact and "--" not in check.impact, check.id
