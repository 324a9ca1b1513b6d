"""DNS outcomes are typed in observations (schema 1.2), the reason of a failed lookup
in a field of its own; a saved scan of schema 1.1, which kept "timeout: 2.0 s" as one
text, is still read, and judged to the same words."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.model import Observation
from scanner.observations.codec import DecodeError
from scanner.observations.dns import DnsOutcome, describe, split_outcome
from scanner.probes.dane.evaluate import evaluate as dane_evaluate
from scanner.probes.dane.observations import DaneObservation
from scanner.probes.dnshealth.evaluate.names import dangling
from scanner.probes.dnshealth.evaluate.view import DomainView
from scanner.probes.dnshealth.observations import CnameObservation
from scanner.probes.email.evaluate import evaluate_domain
from scanner.probes.email.observations import (
    MtaStsObservation,
    RecordObservation,
    SpfObservation,
)

WHY = "no answer within 2 s"


def test_a_failed_lookup_reads_as_before() -> None:
    assert describe(DnsOutcome.TIMEOUT, WHY) == f"timeout: {WHY}"
    assert describe(DnsOutcome.NXDOMAIN, "") == "nxdomain"
    assert DnsOutcome.NODATA.no_record and not DnsOutcome.SERVFAIL.conclusive


@pytest.mark.parametrize(
    ("value", "word", "reason"),
    [
        (f"timeout: {WHY}", "timeout", WHY),
        ("servfail: All nameservers failed", "servfail", "All nameservers failed"),
        ("servfail", "servfail", None),  # already the word: nothing to split
        ("ok", "ok", None),
    ],
)
def test_the_old_text_form_is_split(value: str, word: str, reason: str | None) -> None:
    data = split_outcome({"outcome": value}, "outcome", "outcome_reason")
    assert data["outcome"] == word
    assert data.get("outcome_reason") == reason


def _dane_1_1(outcome: str) -> dict[str, Any]:
    return {
        "kind": "mail.dane",
        "mx": "mx.example.test",
        "zone_status": "secure",
        "zone_reason": "",
        "outcome": outcome,
        "records": [],
        "chains": [],
    }


def test_a_saved_dane_lookup_of_schema_1_1_is_judged_as_then() -> None:
    obs = DaneObservation.from_json(_dane_1_1(f"timeout: {WHY}"))
    assert obs.outcome is DnsOutcome.TIMEOUT and obs.outcome_reason == WHY
    findings = dane_evaluate(obs)
    assert findings and all(f.status == "not_assessed" for f in findings)
    assert f"TLSA lookup failed (timeout: {WHY})" in findings[0].detail
    # And back to JSON in today's shape, which reads back the same.
    again = obs.to_json()
    assert again["outcome"] == "timeout" and again["outcome_reason"] == WHY
    assert DaneObservation.from_json(again) == obs


def test_garbage_is_still_refused() -> None:
    with pytest.raises(DecodeError, match="outcome"):
        DaneObservation.from_json(_dane_1_1("maybe: who knows"))


@pytest.mark.parametrize(
    ("old", "said"),
    [
        (
            {"kind": "email.spf", "domain": "example.test", "outcome": f"timeout: {WHY}",
             "records": [], "lookups": 0, "void_lookups": 0, "errors": [],
             "inconclusive": [f"timeout: {WHY}"], "effective_all": None, "uses_ptr": False},
            f"the TXT lookup failed (timeout: {WHY})",
        ),
        (
            {"kind": "email.mta_sts", "domain": "example.test", "outcome": f"servfail: {WHY}",
             "records": []},
            f"the _mta-sts lookup failed (servfail: {WHY})",
        ),
        (
            {"kind": "email.record", "domain": "example.test", "record_kind": "tlsrpt",
             "name": "_smtp._tls.example.test", "outcome": f"timeout: {WHY}", "texts": []},
            f"the _smtp._tls.example.test lookup failed (timeout: {WHY})",
        ),
    ],
)  # fmt: skip
def test_saved_mail_lookups_of_schema_1_1_are_judged_as_then(
    old: dict[str, Any], said: str
) -> None:
    types: dict[str, type[Observation]] = {
        "email.spf": SpfObservation,
        "email.mta_sts": MtaStsObservation,
        "email.record": RecordObservation,
    }
    obs = types[old["kind"]].from_json(old)
    assert obs.outcome is not DnsOutcome.OK
    details = [f.detail for f in evaluate_domain("example.test", [obs])]
    assert any(said in d for d in details), details


def test_a_saved_cname_of_schema_1_1_is_judged_as_then() -> None:
    obs = CnameObservation.from_json(
        {"kind": "dns.cname", "domain": "example.test", "name": "old.example.test",
         "target": "", "target_outcome": f"timeout: {WHY}"}
    )  # fmt: skip
    assert obs.target_outcome is DnsOutcome.TIMEOUT and obs.target_reason == WHY
    (finding,) = dangling(DomainView.of("example.test", [obs]))
    assert finding.status == "not_assessed"
    assert finding.detail == (
        f"Not assessed: the CNAME lookup of old.example.test failed (timeout: {WHY})."
    )
    assert finding.evidence["reason"] == f"timeout: {WHY}"


def test_a_reissued_scan_of_schema_1_1_carries_todays_shape() -> None:
    """vetscan report of a 1.1 scan stamps 1.2: its observations are brought to it."""
    import copy
    import json

    from support.golden import GOLDEN, read

    from scanner.document.build import with_sections

    doc = json.loads(read(GOLDEN / "guarded" / "scan.json.gz"))
    old = copy.deepcopy(doc)
    old["schema_version"] = "1.1"
    dane = [o for o in old["observations"] if o["kind"] == "mail.dane"]
    assert dane, "the guarded provider's MX has DANE observations"
    del dane[0]["outcome_reason"]
    dane[0]["outcome"] = f"timeout: {WHY}"
    again = with_sections(old, None)
    assert again["schema_version"] == doc["schema_version"]
    index = old["observations"].index(dane[0])
    split = again["observations"][index]
    assert (split["outcome"], split["outcome_reason"]) == ("timeout", WHY)
    # Every other observation as it was.
    others = [o for i, o in enumerate(again["observations"]) if i != index]
    assert others == [o for i, o in enumerate(doc["observations"]) if i != index]
