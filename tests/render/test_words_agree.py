"""Words that agree (#26 item 7), on the golden reports of the lab's providers: no
library text reaches a reader, asset tables and verdicts say the same, and an A+
report does not open with advice to drop TLS 1.2."""

from __future__ import annotations

import html as html_text
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.golden import GOLDEN, read, rendered

from scanner.probes.tls.mozilla_text import change_for
from scanner.probes.tls.trust_text import FALLBACK, REASONS, trust_reason

KEYS = ("broken", "exemplary", "guarded", "legacy", "sprawl", "stale", "wild")
# What validation and scanning libraries say that no reader should meet.
LIBRARY_TEXT = (
    "PhantomData", "DefinedByMarker", "AlgorithmIdentifier", "ObjectIdentifier",
    "encountered processing", "<Certificate(", "superior or equal", "Traceback",
    "candidates exhausted",
)  # fmt: skip


def golden(key: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(read(GOLDEN / key / "scan.json.gz"))
    return document


def text(page: str) -> str:
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize("key", KEYS)
def test_no_library_text_reaches_a_reader(key: str) -> None:
    for name, content in rendered(golden(key)).items():
        seen = html_text.unescape(content)
        if name == "report.html":
            # The page without its evidence lists: what every reader reads.
            seen = text(re.sub(r'<dl class="evidence">.*?</dl>', " ", content, flags=re.S))
        for marker in LIBRARY_TEXT:
            assert marker not in seen, (key, name, marker)


def test_trust_failures_are_said_in_plain_words() -> None:
    assert trust_reason(
        "validation failed: candidates exhausted: Forbidden signature algorithm: "
        "AlgorithmIdentifier { oid: DefinedByMarker(PhantomData<asn1::ObjectIdentifier>) }"
    ).startswith("a certificate in its chain is signed with an algorithm the trust store")
    assert trust_reason(
        "validation failed: cert is not valid at validation time (encountered processing "
        "<Certificate(subject=<Name(CN=broken.test)>, ...)>)"
    ).startswith("a certificate in its chain is outside its validity period")
    assert trust_reason(
        "validation failed: invalid extension: 2.5.29.35: Certificate is missing required "
        "extension (encountered processing <Certificate(...)>)"
    ) == (
        "the certificate has its authority key identifier missing, which the trust store "
        "requires of every certificate"
    )
    assert trust_reason("unable to get local issuer certificate").startswith("no path leads")
    assert trust_reason("self signed certificate in certificate chain").startswith(
        "it is self-signed"
    )
    assert trust_reason("???") == "its chain does not validate against the trust store"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=300))
def test_no_library_message_is_passed_through(message: str) -> None:
    # Whatever the library says, the reader gets one of our sentences, never its text.
    ours = {reason for _, reason in REASONS} | {FALLBACK}
    reason = trust_reason(message)
    assert reason in ours or re.fullmatch(
        r"the certificate has (its [a-z ]+|an extension) (missing|malformed), which the "
        r"trust store requires of every certificate",
        reason,
    ), reason


def test_sslyze_minimums_read_as_the_change_to_make() -> None:
    assert change_for(
        "dh_param_size: DH parameter size is 1024, should be superior or equal to 2048."
    ) == ("use Diffie-Hellman parameters of at least 2048 bits (now 1024)")
    assert change_for("HSTS max-age is 300, should be superior or equal to 31536000.") == (
        "send HSTS with a max-age of at least 31536000 seconds (now 300)"
    )
    assert change_for(
        "certificate_path_validation: Certificate path validation failed for CN=x.test."
    ) == ("serve a certificate that validates (the one for CN=x.test does not)")
    assert "superior" not in change_for("foo: Bar is 1, should be superior or equal to 2.")


def test_the_asset_table_and_the_verdict_agree_on_a_chain_completed_by_aia() -> None:
    document = golden("legacy")
    (cert,) = [
        c for c in document["inventory"]["certificates"] if c["endpoint"] == "legacy.test:443"
    ]
    assert cert["trusted"] is True
    assert cert["trust"].startswith("trusted once its chain is completed")
    verdict = next(
        f
        for f in document["findings"]
        if f["check_id"] == "tls.cert.untrusted" and f["asset"].startswith("legacy.test:443")
    )
    assert verdict["status"] == "pass" and "once the intermediate" in verdict["detail"]
    page = text(rendered(document)["report.html"])
    assert "trusted once its chain is completed (the server omits the intermediate)" in page


def test_an_a_plus_report_does_not_advise_dropping_tls_1_2() -> None:
    document = golden("exemplary")
    assert document["scores"]["grade"] == "A+"
    details = [f["detail"] for f in document["findings"]]
    assert not any("TLSv1.2" in d for d in details)
    modern = next(f for f in document["findings"] if f["check_id"] == "tls.mozilla.modern")
    assert "modern is TLS 1.3 only" in modern["detail"]
    page = text(
        re.sub(r'<dl class="evidence">.*?</dl>', " ", rendered(document)["report.html"], flags=re.S)
    )
    assert "stop offering the tls versions TLSv1.2" not in page
