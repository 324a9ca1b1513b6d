"""Mozilla departures as the changes a provider makes (pure, on sslyze's messages)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.probes.tls.mozilla_text import change_for


def test_offered_suites_and_versions_become_what_to_stop_offering() -> None:
    issue = (
        "ciphers: Cipher suites {'TLS_RSA_WITH_AES_256_CBC_SHA', 'TLS_RSA_WITH_AES_128_CBC_SHA'}"
        " are supported, but should be rejected."
    )
    assert change_for(issue) == (
        "stop offering the cipher suites TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_256_CBC_SHA"
    )
    assert (
        change_for("tls_versions: TLS versions {'TLSv1.2'} are supported, but should be rejected.")
        == "stop offering the tls versions TLSv1.2"
    )


def test_deployed_certificate_properties_say_what_to_deploy() -> None:
    issue = (
        "certificate_types: Deployed certificate types are {'rsa'}, should have at least one of "
        "{'ecdsa'}."
    )
    assert change_for(issue) == "deploy certificate types including one of ecdsa (now rsa)"


def test_anything_else_reads_without_python_reprs() -> None:
    text = change_for("tls_curves: Supported curves are {'X25519', 'prime256v1'}, which is odd.")
    assert text == "supported curves are X25519, prime256v1, which is odd"
    assert "{" not in text and "'" not in text


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=200))
def test_any_message_gives_text(issue: str) -> None:
    assert isinstance(change_for(issue), str)
