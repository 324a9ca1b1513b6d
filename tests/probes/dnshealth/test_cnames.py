"""Dangling CNAMEs judged on hand-built observations: a loop is never a pass."""

from __future__ import annotations

from scanner.model import Status
from scanner.observations.dns import DnsOutcome
from scanner.probes.dnshealth.evaluate import evaluate_domain
from scanner.probes.dnshealth.observations import CnameObservation


def _verdicts(*cnames: CnameObservation) -> dict[str, Status]:
    found = evaluate_domain("a.test", list(cnames))
    return {f.asset: f.status for f in found if f.check_id == "dns.cname.dangling"}


def test_dangling_resolving_and_unknown_targets() -> None:
    ok = CnameObservation("a.test", "www.a.test", "cdn.example", DnsOutcome.OK)
    gone = CnameObservation("a.test", "shop.a.test", "old.example", DnsOutcome.NXDOMAIN)
    loop = CnameObservation("a.test", "mta-sts.a.test", "mta-sts-loop.a.test", DnsOutcome.SERVFAIL)
    assert _verdicts(ok) == {"a.test": Status.PASS}
    assert _verdicts(ok, gone) == {"shop.a.test": Status.FAIL}
    assert _verdicts(ok, loop) == {"mta-sts.a.test": Status.NOT_ASSESSED}
    assert _verdicts() == {"a.test": Status.INFO}


def test_a_name_whose_cname_lookup_went_unanswered_is_not_a_pass() -> None:
    # Before, such a name was left out, and the domain passed ("Every CNAME ... resolves")
    # or was told none of its names is a CNAME.
    unasked = CnameObservation(
        "a.test", "vpn.a.test", "", DnsOutcome.TIMEOUT, "no answer within 3 s"
    )
    ok = CnameObservation("a.test", "www.a.test", "cdn.example", DnsOutcome.OK)
    assert _verdicts(unasked) == {"vpn.a.test": Status.NOT_ASSESSED}
    assert _verdicts(ok, unasked) == {"vpn.a.test": Status.NOT_ASSESSED}
    (text,) = [f.detail for f in evaluate_domain("a.test", [unasked]) if f.asset == "vpn.a.test"]
    assert (
        text
        == "Not assessed: the CNAME lookup of vpn.a.test failed (timeout: no answer within 3 s)."
    )
