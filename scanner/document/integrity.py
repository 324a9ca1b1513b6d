"""Evidence integrity: a digest of the canonical JSON, a self-digest of the HTML, signatures.

The digest covers the document without its ``integrity`` member, serialized with
sorted keys, no whitespace and ASCII escapes, so any reader can recompute it
from the JSON file alone. The HTML states that digest and carries a digest of
its own text (computed with its own value zeroed). Digests catch edits to one
file; a detached Ed25519 signature over the canonical bytes also catches
someone who edits both and recomputes the digests.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from scanner.errors import IntegrityFailure
from scanner.inputs import read_input

# The names of the files a PDF report carries inside: the JSON and its signature.
JSON_NAME = "vetscan-report.json"
SIGNATURE_NAME = "vetscan-report.json.sig"

CANONICALIZATION = "json-sorted-keys-compact-ascii-without-integrity"
HTML_DIGEST_META = "vetscan-html-sha256"
_ZERO = "0" * 64
_HTML_DIGEST_RE = re.compile(r'<meta name="' + HTML_DIGEST_META + r'" content="([0-9a-f]{64})">')


class IntegrityError(IntegrityFailure, ValueError):
    """A key or signature file that cannot be used."""


def canonical_bytes(doc: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != "integrity"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return text.encode("ascii")


def document_id(doc: Mapping[str, Any]) -> str:
    """What names a document: a scan's run ID, a comparison's ID."""
    if "scan" in doc:
        return str(doc["scan"]["run_id"])
    return str(doc.get("comparison_id", ""))


def digest(doc: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(doc)).hexdigest()


def seal(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The document with its integrity member (run ID, digest, how it was computed)."""
    return {
        **doc,
        "integrity": {
            "run_id": document_id(doc),
            "sha256": digest(doc),
            "canonicalization": CANONICALIZATION,
        },
    }


def html_placeholder() -> str:
    """What the HTML template writes before its own digest is known."""
    return _ZERO


def seal_html(text: str) -> str:
    if text.count(_ZERO) != 1 or not _HTML_DIGEST_RE.search(text):
        raise ValueError("the HTML template must carry exactly one digest placeholder")
    own = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return text.replace(_ZERO, own)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def check_json(doc: Mapping[str, Any]) -> Check:
    stated = (doc.get("integrity") or {}).get("sha256")
    if not stated:
        return Check("json", False, "the JSON states no digest (written before vetscan 0.2?)")
    actual = digest(doc)
    if actual != stated:
        return Check("json", False, f"altered: content digest {actual}, stated {stated}")
    return Check("json", True, f"intact, sha256 {actual}")


def html_claims(text: str) -> dict[str, str]:
    """The run ID and JSON digest an HTML report states about itself."""
    claims = {}
    for name in ("vetscan-run-id", "vetscan-json-sha256"):
        found = re.search(r'<meta name="' + name + r'" content="([^"]*)">', text)
        if found:
            claims[name] = found.group(1)
    return claims


def check_html(text: str) -> Check:
    found = _HTML_DIGEST_RE.search(text)
    if found is None:
        return Check("html", False, "the HTML carries no vetscan digest")
    stated = found.group(1)
    zeroed = text[: found.start(1)] + _ZERO + text[found.end(1) :]
    actual = hashlib.sha256(zeroed.encode("utf-8")).hexdigest()
    if actual != stated:
        return Check("html", False, "altered: the page's text no longer matches its digest")
    return Check("html", True, f"intact, sha256 {stated}")


# --- signatures ----------------------------------------------------------------


def generate_key(path: Path) -> Path:
    """Writes a new Ed25519 private key (mode 0600) at ``path`` and its public key beside it."""
    if path.exists():
        raise IntegrityError(f"{path} exists; not overwriting a key")
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private)
    public_path = path.with_name(path.name + ".pub")
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return public_path


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(read_input(path, "key"), password=None)
    except (ValueError, TypeError) as exc:
        raise IntegrityError(f"cannot read signing key {path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise IntegrityError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(read_input(path, "key"))
    except (ValueError, TypeError) as exc:
        raise IntegrityError(f"cannot read public key {path}: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise IntegrityError(f"{path} is not an Ed25519 public key")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(doc: Mapping[str, Any], key: Ed25519PrivateKey) -> str:
    """The detached signature file's text for ``doc``."""
    signature = key.sign(canonical_bytes(doc))
    record = {
        "algorithm": "ed25519",
        "key_id": key_id(key.public_key()),
        "run_id": document_id(doc),
        "sha256": digest(doc),
        "canonicalization": CANONICALIZATION,
        "signature": base64.b64encode(signature).decode("ascii"),
    }
    return json.dumps(record, indent=2) + "\n"


def check_signature(doc: Mapping[str, Any], signature_text: str, key: Ed25519PublicKey) -> Check:
    try:
        record = json.loads(signature_text)
        signature = base64.b64decode(record["signature"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error):
        return Check("signature", False, "the signature file is malformed")
    if record.get("key_id") != key_id(key):
        return Check(
            "signature", False, f"signed by key {record.get('key_id')}, not by {key_id(key)}"
        )
    try:
        key.verify(signature, canonical_bytes(doc))
    except InvalidSignature:
        return Check("signature", False, "INVALID: the JSON is not what was signed")
    return Check("signature", True, f"valid Ed25519 signature by key {key_id(key)}")
