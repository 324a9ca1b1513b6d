"""DKIM presence without the selector (pure, on literal observations): "no DKIM" is
said only when it is known, from an NXDOMAIN at _domainkey (RFC 8020)."""

from __future__ import annotations

from scanner.model import Status
from scanner.observations.dns import DnsOutcome
from scanner.probes.email.evaluate.dkim import evaluate_dkim
from scanner.probes.email.observations import DkimObservation

KEY = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"


def verdict(
    domainkey: DnsOutcome | None, found: tuple[tuple[str, str], ...] = ()
) -> tuple[Status, str]:
    obs = DkimObservation("acme.test", ("default", "selector1"), found, (), domainkey)
    (f,) = [f for f in evaluate_dkim(obs) if f.check_id == "email.dkim.not_found"]
    return f.status, f.detail


def test_nxdomain_at_domainkey_is_known_absence() -> None:
    status, detail = verdict(DnsOutcome.NXDOMAIN)
    assert status is Status.FAIL
    assert "_domainkey.acme.test does not exist (NXDOMAIN)" in detail


def test_names_under_domainkey_leave_room_for_an_unknown_selector() -> None:
    for outcome in (DnsOutcome.NODATA, DnsOutcome.OK):
        status, detail = verdict(outcome)
        assert status is Status.WARN and "names exist under _domainkey.acme.test" in detail


def test_an_answer_that_says_nothing_or_an_old_scan_stays_a_warning() -> None:
    for outcome in (None, DnsOutcome.SERVFAIL, DnsOutcome.TIMEOUT):
        status, detail = verdict(outcome)
        assert status is Status.WARN and "may use another selector" in detail


def test_a_key_found_passes_whatever_the_parent_answered() -> None:
    status, _ = verdict(DnsOutcome.NXDOMAIN, (("default", KEY),))
    assert status is Status.PASS
