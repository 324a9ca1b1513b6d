"""Completing a chain from the certificate's AIA URL, with the lab's real PKI."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from scanner.lab import pki
from scanner.lab.pki import CertSpec
from scanner.net.chain import ca_issuers_url, complete


def _leaf_and_ca(
    tmp_path: Path, spec: CertSpec
) -> tuple[x509.Certificate, list[x509.Certificate], bytes]:
    root = pki.ensure_ca(tmp_path / "ca")
    issued = pki.issue(tmp_path / "ca", tmp_path / "out", "leaf", spec)
    issuing = x509.load_pem_x509_certificate((tmp_path / "ca" / "issuing.pem").read_bytes())
    roots = x509.load_pem_x509_certificates(root.read_bytes())
    return issued.leaf, roots, issuing.public_bytes(serialization.Encoding.DER)


def test_a_missing_intermediate_is_fetched_and_completes_the_chain(tmp_path: Path) -> None:
    leaf, roots, issuing = _leaf_and_ca(tmp_path, CertSpec(("a.test",), send_chain=False))
    assert ca_issuers_url(leaf) == pki.ISSUER_URL
    asked: list[str] = []
    done = complete(leaf, roots, lambda url: asked.append(url) or issuing)
    assert done.completed and asked == [pki.ISSUER_URL]


def test_no_completion_without_the_issuer_or_the_trust(tmp_path: Path) -> None:
    leaf, roots, issuing = _leaf_and_ca(tmp_path, CertSpec(("a.test",), send_chain=False))
    unreachable = complete(leaf, roots, lambda _url: "connection refused")
    assert not unreachable.completed
    assert unreachable.note.endswith(
        "could not be fetched from http://127.0.10.8/issuing.der: connection refused"
    )
    garbage = complete(leaf, roots, lambda _url: b"<html>not a certificate</html>")
    assert not garbage.completed and "does not serve a certificate" in garbage.note
    # The same issuer, but a trust store that does not hold its root.
    other = pki.ensure_ca(tmp_path / "other-ca")
    stranger = complete(
        leaf, x509.load_pem_x509_certificates(other.read_bytes()), lambda _u: issuing
    )
    assert not stranger.completed and "still no trusted path" in stranger.note


def test_a_self_signed_certificate_names_no_issuer_to_fetch(tmp_path: Path) -> None:
    leaf, roots, _ = _leaf_and_ca(tmp_path, CertSpec(("a.test",), self_signed=True))
    result = complete(leaf, roots, lambda _url: b"")
    assert not result.completed and result.url == ""
