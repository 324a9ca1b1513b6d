"""DKIM key records (RFC 6376 section 3.6.1), parsed without DNS."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from scanner.probes.email.tags import parse_tags

# Selectors seen at common mail providers and appliances; the profile and
# --dkim-selector add the provider's own.
COMMON_SELECTORS = (
    "default", "dkim", "mail", "selector1", "selector2", "google", "k1", "k2", "k3", "s1", "s2",
    "smtp", "mx", "key1", "key2", "dkim1", "dkim2", "email", "mandrill", "mxvault", "everlytickey1",
    "zoho", "protonmail", "protonmail2", "protonmail3", "fm1", "fm2", "fm3", "sig1", "mailjet",
    "pm", "turbo-smtp", "cm", "amazonses",
)  # fmt: skip


@dataclass(frozen=True)
class DkimKey:
    text: str
    key_type: str  # rsa, ed25519
    key_bits: int | None  # None when the key is absent or unreadable
    revoked: bool  # empty p= (section 3.6.1)
    testing: bool  # t=y
    errors: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors


def is_dkim(text: str) -> bool:
    """A DKIM key record: v=DKIM1 first if present, and a p= tag."""
    tags, _ = parse_tags(text)
    first = text.strip().split(";", 1)[0].replace(" ", "")
    return "p" in tags and (not first.startswith("v=") or first == "v=DKIM1")


def parse(text: str) -> DkimKey:
    tags, errors = parse_tags(text)
    key_type = tags.get("k", "rsa").lower()
    flags = {f.strip() for f in tags.get("t", "").split(":")}
    if "v" in tags and tags["v"] != "DKIM1":
        errors.append(f"v={tags['v']!r} must be 'DKIM1'")
    if "p" not in tags:
        errors.append("no p= tag (public key)")
    data = "".join(tags.get("p", "").split())
    if not data:
        return DkimKey(text, key_type, None, "p" in tags, "y" in flags, tuple(errors))
    try:
        der = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        errors.append("p= is not valid base64")
        return DkimKey(text, key_type, None, False, "y" in flags, tuple(errors))
    bits: int | None = None
    if key_type == "ed25519":
        bits = 256 if len(der) == 32 else None
        if bits is None:
            errors.append("an ed25519 key must be 32 bytes")
    elif key_type == "rsa":
        try:
            key = load_der_public_key(der)
        except ValueError:
            errors.append("p= does not hold an RSA public key")
        else:
            if isinstance(key, rsa.RSAPublicKey):
                bits = key.key_size
            elif isinstance(key, ed25519.Ed25519PublicKey):
                errors.append("k=rsa but the key is Ed25519")
            else:
                errors.append("p= holds an unexpected key type")
    else:
        errors.append(f"unknown key type k={key_type!r}")
    return DkimKey(text, key_type, bits, False, "y" in flags, tuple(errors))
