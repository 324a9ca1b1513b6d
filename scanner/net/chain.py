"""Completing a chain the way browsers do: a server that sends its certificate
without the intermediate is judged by fetching the issuer from the certificate's
AIA caIssuers URL (RFC 5280 section 4.2.2.1) and validating again.

So "the intermediate is missing" (tls.cert.incomplete_chain: send it) is told apart
from "no trusted CA issued this" (tls.cert.untrusted: get a certificate).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

# (URL) -> the body served there, or why nothing usable came (one line).
IssuerFetch = Callable[[str], bytes | str]


@dataclass(frozen=True)
class Completion:
    url: str  # the AIA caIssuers URL, "" when the certificate has none
    completed: bool  # the fetched issuer completes a trusted chain
    note: str  # what happened, in plain words


def ca_issuers_url(leaf: x509.Certificate) -> str:
    try:
        aia = leaf.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return ""
    for description in aia:
        location = description.access_location
        if description.access_method == AuthorityInformationAccessOID.CA_ISSUERS and isinstance(
            location, x509.UniformResourceIdentifier
        ):
            if location.value.startswith("http://"):
                return location.value
    return ""


def _issuer(body: bytes) -> x509.Certificate | None:
    for load in (x509.load_der_x509_certificate, x509.load_pem_x509_certificate):
        try:
            return load(body)
        except ValueError:
            continue
    return None


def complete(
    leaf: x509.Certificate,
    roots: Sequence[x509.Certificate],
    fetch: IssuerFetch,
    now: dt.datetime | None = None,
) -> Completion:
    """Whether ``leaf`` validates against ``roots`` once its AIA issuer is added."""
    url = ca_issuers_url(leaf)
    if not url:
        return Completion("", False, "the certificate names no issuer URL (AIA caIssuers)")
    body = fetch(url)
    if isinstance(body, str):
        return Completion(url, False, f"the issuer could not be fetched from {url}: {body}")
    issuer = _issuer(body)
    if issuer is None:
        return Completion(url, False, f"{url} does not serve a certificate")
    names = (
        [
            n.value
            for n in leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            if isinstance(n, x509.DNSName)
        ]
        if _has_san(leaf)
        else []
    )
    if not names or not roots:
        return Completion(url, False, "no name or no trust store to validate against")
    # Trust only: the leaf's own first name, so a name mismatch (judged by its own
    # check) does not decide this.
    verifier = (
        PolicyBuilder()
        .store(Store(list(roots)))
        .time(now or dt.datetime.now(dt.UTC))
        .build_server_verifier(x509.DNSName(names[0].lstrip("*.")))
    )
    try:
        verifier.verify(leaf, [issuer])
    except (VerificationError, ValueError) as exc:
        return Completion(url, False, f"still no trusted path with the issuer from {url}: {exc}")
    return Completion(url, True, f"validates once the issuer from {url} is added")


def _has_san(leaf: x509.Certificate) -> bool:
    try:
        leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return False
    return True
