"""Classification of cipher suites by their IANA names."""

from __future__ import annotations

import re

# NULL encryption, export-grade, anonymous key exchange, RC4, single DES, 3DES
# (SWEET32), IDEA and RC2: broken or far below today's strength.
_WEAK = re.compile(r"_(NULL|EXPORT|EXPORT1024|anon|RC4|RC2|DES40|DES|3DES|IDEA)_|_NULL$|^SSL_CK_")
_AEAD = re.compile(r"_(GCM|CCM|CCM_8|CHACHA20_POLY1305)(_|$)")


def is_weak(name: str, anonymous: bool = False) -> bool:
    return anonymous or bool(_WEAK.search(name))


def is_aead(name: str) -> bool:
    """TLS 1.3 suites are all AEAD; for TLS 1.2 and older, GCM, CCM and ChaCha20-Poly1305."""
    return bool(_AEAD.search(name))


def is_cbc(name: str) -> bool:
    return "_CBC_" in name or name.endswith("_CBC")


def has_forward_secrecy(name: str) -> bool:
    """Ephemeral (EC)DH key exchange; TLS 1.3 suites always have it. OLD_ names are
    the pre-standard ChaCha20 drafts; PSK_DHE is DHE_PSK written the other way."""
    name = name.removeprefix("OLD_")
    if not name.startswith("TLS_") or name.endswith("_SCSV"):
        return False  # SSL 2.0 suites; signalling values are no suites
    if "_WITH_" not in name:
        return True  # TLS 1.3 suite names carry no key exchange
    kex = name[len("TLS_") : name.index("_WITH_")].split("_")
    return bool({"ECDHE", "DHE"} & set(kex)) and "anon" not in kex
