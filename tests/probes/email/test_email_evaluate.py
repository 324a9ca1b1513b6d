"""Email verdicts on hand-built observations: the cases the lab tables do not reach."""

from __future__ import annotations

from scanner.model import Severity, Status
from scanner.observations.dns import DnsOutcome
from scanner.probes.email.evaluate import evaluate_dmarc, evaluate_mta_sts, evaluate_spf
from scanner.probes.email.observations import DmarcObservation, MtaStsObservation, SpfObservation


def spf_obs(**changes: object) -> SpfObservation:
    base: dict[str, object] = dict(
        domain="example.com",
        outcome=DnsOutcome.OK,
        records=("v=spf1 -all",),
        lookups=0,
        void_lookups=0,
        errors=(),
        inconclusive=(),
        effective_all="-",
        uses_ptr=False,
    )
    base.update(changes)
    return SpfObservation(**base)  # type: ignore[arg-type]


def by_id(findings: list) -> dict:  # type: ignore[type-arg]
    return {f.check_id: f for f in findings}


def test_question_mark_all_is_high_and_plus_all_critical() -> None:
    question = by_id(evaluate_spf(spf_obs(effective_all="?")))["email.spf.permissive_all"]
    plus = by_id(evaluate_spf(spf_obs(effective_all="+")))["email.spf.permissive_all"]
    assert (question.status, question.severity) == (Status.FAIL, Severity.HIGH)
    assert (plus.status, plus.severity) == (Status.FAIL, Severity.CRITICAL)


def test_a_failed_txt_lookup_assesses_nothing() -> None:
    found = evaluate_spf(
        spf_obs(outcome=DnsOutcome.TIMEOUT, outcome_reason="no answer within 3 s", records=())
    )
    assert {f.status for f in found} == {Status.NOT_ASSESSED}


def test_void_lookups_past_two_fail() -> None:
    assert (
        by_id(evaluate_spf(spf_obs(void_lookups=3)))["email.spf.too_many_lookups"].status
        is Status.FAIL
    )


def dmarc_obs(
    records: tuple[str, ...], found_at: str = "example.com", **changes: object
) -> DmarcObservation:
    base: dict[str, object] = dict(
        domain="example.com",
        found_at=found_at,
        records=records,
        queried=("example.com",),
        inconclusive=None,
        org_domain_psl="example.com",
        rfc7489_location=found_at,
        rua_authorizations=(),
    )
    base.update(changes)
    return DmarcObservation(**base)  # type: ignore[arg-type]


def test_two_dmarc_records_are_invalid() -> None:
    found = by_id(evaluate_dmarc(dmarc_obs(("v=DMARC1; p=reject", "v=DMARC1; p=none"))))
    assert found["email.dmarc.invalid"].status is Status.FAIL
    assert found["email.dmarc.policy_none"].status is Status.INFO


def test_a_subdomain_is_judged_by_the_parents_sp() -> None:
    obs = dmarc_obs(
        ("v=DMARC1; p=reject; sp=none; rua=mailto:d@example.com",),
        found_at="example.com",
        domain="mail.example.com",
    )
    found = by_id(evaluate_dmarc(obs))
    assert found["email.dmarc.policy_none"].status is Status.FAIL
    assert found["email.dmarc.policy_none"].evidence["applied"] == "none"


def test_the_psl_disagreement_is_recorded() -> None:
    obs = dmarc_obs(
        ("v=DMARC1; p=reject; rua=mailto:d@example.com",),
        found_at="corp.example.com",
        domain="a.corp.example.com",
        rfc7489_location=None,
    )
    missing = by_id(evaluate_dmarc(obs))["email.dmarc.missing"]
    assert missing.status is Status.PASS
    assert "Public Suffix List" in missing.evidence["note"]


def test_mta_sts_redirect_or_huge_policy_is_invalid() -> None:
    obs = MtaStsObservation(
        "example.com",
        DnsOutcome.OK,
        ("v=STSv1; id=1",),
        ("mx.example.com",),
        policy_url="https://mta-sts.example.com/.well-known/mta-sts.txt",
        policy_error="HTTP 301 (redirect to https://elsewhere/, which RFC 8461 forbids following)",
    )
    found = by_id(evaluate_mta_sts(obs))
    assert found["email.mta_sts.invalid"].status is Status.FAIL
    assert "redirect" in found["email.mta_sts.invalid"].detail
    assert found["email.mta_sts.mx_mismatch"].status is Status.INFO


def test_mta_sts_wrong_content_type() -> None:
    policy = "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n"
    obs = MtaStsObservation(
        "example.com",
        DnsOutcome.OK,
        ("v=STSv1; id=1",),
        ("mx.example.com",),
        policy_text=policy,
        policy_content_type="text/html",
    )
    found = by_id(evaluate_mta_sts(obs))
    assert found["email.mta_sts.invalid"].status is Status.FAIL
    assert found["email.mta_sts.mx_mismatch"].status is Status.PASS


def test_an_spf_include_of_a_missing_domain_fails() -> None:
    from scanner.probes.email.observations import SpfObservation

    obs = SpfObservation(
        "a.test", DnsOutcome.OK, ("v=spf1 include:gone.test -all",), 2, 1,
        ("a.test includes gone.test, which has no SPF record (permerror)",), (), "-", False,
        ("gone.test",),
    )  # fmt: skip
    (found,) = [f for f in evaluate_spf(obs) if f.check_id == "email.spf.include_unresolvable"]
    assert found.status == "fail" and "gone.test" in found.detail
    fine = SpfObservation("a.test", DnsOutcome.OK, ("v=spf1 -all",), 0, 0, (), (), "-", False)
    (ok,) = [f for f in evaluate_spf(fine) if f.check_id == "email.spf.include_unresolvable"]
    assert ok.status == "pass"


def test_testing_mode_applies_the_next_milder_policy() -> None:
    # RFC 9989, the t tag: with t=y, quarantine is applied as none, reject as quarantine.
    found = by_id(evaluate_dmarc(dmarc_obs(("v=DMARC1; p=quarantine; t=y",))))
    none = found["email.dmarc.policy_none"]
    assert none.status is Status.FAIL and none.evidence["applied"] == "none"
    assert "quarantine with t=y (testing), which receivers apply as none" in none.detail
    found = by_id(evaluate_dmarc(dmarc_obs(("v=DMARC1; p=reject; t=y",))))
    assert found["email.dmarc.policy_none"].status is Status.PASS
    quarantine = found["email.dmarc.policy_quarantine"]
    assert quarantine.status is Status.FAIL and quarantine.evidence["stated"] == "reject"
    assert found["email.dmarc.partial_pct"].status is Status.FAIL


def test_psd_on_a_registrable_domain_is_invalid() -> None:
    found = by_id(evaluate_dmarc(dmarc_obs(("v=DMARC1; p=reject; psd=y",))))
    invalid = found["email.dmarc.invalid"]
    assert invalid.status is Status.FAIL and "psd=y (a public suffix domain)" in invalid.detail
    for record in ("v=DMARC1; p=reject; psd=n", "v=DMARC1; p=reject; psd=u"):
        assert by_id(evaluate_dmarc(dmarc_obs((record,))))["email.dmarc.invalid"].status is (
            Status.PASS
        )
