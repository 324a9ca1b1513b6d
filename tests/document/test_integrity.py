"""Digests and signatures of report sets: what they catch and what they do not."""

from __future__ import annotations

import copy
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from scanner.document.integrity import (
    IntegrityError,
    check_html,
    check_json,
    check_signature,
    digest,
    generate_key,
    load_private_key,
    load_public_key,
    seal,
    seal_html,
    sign,
)

DOC: dict[str, Any] = {
    "scan": {"run_id": "run-1", "started": "2026-11-29T00:00:00+00:00"},
    "findings": [{"check_id": "a.b", "detail": "caf\u00e9 <b>", "score": 0.1}],
}


def test_digest_ignores_key_order_and_json_round_trips() -> None:
    reordered = json.loads(json.dumps(dict(reversed(list(DOC.items())))))
    assert digest(reordered) == digest(DOC)
    sealed = seal(DOC)
    assert check_json(json.loads(json.dumps(sealed, indent=2))).ok


def test_an_edited_json_no_longer_matches_its_digest() -> None:
    sealed = seal(DOC)
    edited = copy.deepcopy(sealed)
    edited["findings"][0]["detail"] = "fine"
    result = check_json(edited)
    assert not result.ok and "altered" in result.detail


def test_html_self_digest_catches_any_edit() -> None:
    page = '<html><meta name="vetscan-html-sha256" content="' + "0" * 64 + '"><p>Grade F</p></html>'
    sealed = seal_html(page)
    assert check_html(sealed).ok
    assert not check_html(sealed.replace("Grade F", "Grade A")).ok
    assert not check_html(page.replace("0" * 64, "1" * 64)).ok


def test_signature_verifies_and_catches_edits_and_other_keys(tmp_path: Path) -> None:
    public = generate_key(tmp_path / "key")
    other_public = generate_key(tmp_path / "other")
    sealed = seal(DOC)
    signature = sign(sealed, load_private_key(tmp_path / "key"))
    assert check_signature(sealed, signature, load_public_key(public)).ok
    edited = copy.deepcopy(sealed)
    edited["findings"][0]["score"] = 0.2
    assert not check_signature(edited, signature, load_public_key(public)).ok
    assert not check_signature(sealed, signature, load_public_key(other_public)).ok
    assert not check_signature(sealed, "not json", load_public_key(public)).ok


def test_keygen_keeps_the_private_key_private_and_never_overwrites(tmp_path: Path) -> None:
    generate_key(tmp_path / "key")
    assert stat.S_IMODE((tmp_path / "key").stat().st_mode) == 0o600
    with pytest.raises(IntegrityError):
        generate_key(tmp_path / "key")
    with pytest.raises(IntegrityError):
        load_private_key(tmp_path / "key.pub")
