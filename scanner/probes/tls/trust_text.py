"""Why a certificate is not trusted, in a reader's words (pure), from the validation
libraries' messages: cryptography's X.509 verifier speaks Rust debug output
("Forbidden signature algorithm: AlgorithmIdentifier { oid: DefinedByMarker(...)"),
OpenSSL its own codes. The message itself stays in the observation for an expert;
no library text reaches the report."""

from __future__ import annotations

import re

# The extensions a verifier names by OID when one is missing or malformed.
_EXTENSIONS = {
    "2.5.29.14": "subject key identifier",
    "2.5.29.15": "key usage",
    "2.5.29.17": "subject alternative name",
    "2.5.29.19": "basic constraints",
    "2.5.29.35": "authority key identifier",
    "2.5.29.37": "extended key usage",
}
_OID = re.compile(r"\b(2\.5\.29\.\d+)\b")
FALLBACK = "its chain does not validate against the trust store"

# (what the message says, what the reader is told), first match wins.
REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), reason)
    for pattern, reason in (
        (
            r"forbidden signature algorithm|signature algorithm.*(?:md5|sha-?1)|"
            r"ca md too weak|weak signature",
            "a certificate in its chain is signed with an algorithm the trust store no "
            "longer accepts (such as SHA-1 or MD5)",
        ),
        (
            r"not valid at validation time|certificate has expired|"
            r"certificate is not yet valid|expired",
            "a certificate in its chain is outside its validity period (expired or not yet valid)",
        ),
        (r"self[- ]signed", "it is self-signed: no trusted authority vouches for it"),
        (
            r"no matching subjectaltname|hostname mismatch",
            "it is not issued for this host name",
        ),
        (
            r"basic ?constraints|not a ca|invalid ca|path length",
            "a certificate in its chain is not allowed to issue certificates",
        ),
        (
            r"extended key usage|\beku\b|unsupported purpose",
            "it is not issued for use by a server",
        ),
        (
            r"candidates exhausted|unable to get (?:local )?issuer|no path|"
            r"unknown (?:ca|issuer)|untrusted",
            "no path leads from it to an authority the trust store holds (the issuer is "
            "unknown, or the server leaves out an intermediate certificate)",
        ),
    )
)


def trust_reason(message: str) -> str:
    """Why validation failed, as a clause ("it is self-signed ..."); a message of no
    known kind becomes a plain statement, never the message itself."""
    text = message or ""
    if re.search(r"missing required extension|invalid extension|duplicate extension", text, re.I):
        oid = _OID.search(text)
        name = _EXTENSIONS.get(oid.group(1), "an extension") if oid else "an extension"
        missing = "missing" if re.search(r"missing", text, re.I) else "malformed"
        article = "" if name == "an extension" else "its "
        return (
            f"the certificate has {article}{name} {missing}, which the trust store requires "
            "of every certificate"
        )
    for pattern, reason in REASONS:
        if pattern.search(text):
            return reason
    return FALLBACK
