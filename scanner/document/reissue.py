"""Saved scans: loading one for re-rendering, and verifying a written report set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from scanner.document.build import with_sections
from scanner.document.integrity import (
    Check,
    check_html,
    check_json,
    check_signature,
    html_claims,
    load_public_key,
    seal,
)
from scanner.errors import InputError
from scanner.inputs import InputFileError, read_input, read_input_text
from scanner.render.json import schema


class SavedScanError(InputError):
    pass


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_input_text(path, "saved scan"))
    except InputFileError as exc:
        raise SavedScanError(str(exc)) from None
    except RecursionError:
        raise SavedScanError(f"{path} is not a vetscan scan (nested too deeply)") from None
    except ValueError as exc:
        raise SavedScanError(f"{path} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("tool", {}).get("name") != "vetscan":
        raise SavedScanError(f"{path} is not a vetscan scan")
    return data


def load_saved_scan(path: Path) -> dict[str, Any]:
    """A saved scan brought up to today's document (sections recomputed), sealed anew.

    The observations, findings and scores stay exactly as gathered: only the
    derived sections are recomputed, so old evidence reads with today's templates.
    An earlier "what changed" section is kept.
    """
    return upgrade_saved(_read_json(path), str(path))


def upgrade_saved(data: dict[str, Any], name: str) -> dict[str, Any]:
    original = check_json(data)
    if data.get("integrity") and not original.ok:
        raise SavedScanError(f"{name}: {original.detail}; refusing to re-issue altered evidence")
    document = seal(with_sections(data, None))
    try:
        jsonschema.validate(document, schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "the top level"
        raise SavedScanError(f"{name} is not a valid scan ({where}: {exc.message})") from None
    return document


def verify_report(path: Path, pubkey: Path | None) -> list[Check]:
    """Checks the JSON, the HTML (when both exist) and the signature of one report set."""
    if path.suffix not in (".html", ".json"):
        raise OSError(f"{path}: give the report's .html or .json file")
    json_path, html_path = path.with_suffix(".json"), path.with_suffix(".html")
    if not json_path.is_file():
        raise OSError(f"{json_path}: the report's JSON is missing; it holds the evidence")
    try:
        document = _read_json(json_path)
    except SavedScanError as exc:
        return [Check("json", False, str(exc))]
    checks = [check_json(document)]
    if html_path.is_file():
        text = read_input(html_path, "report").decode("utf-8", errors="replace")
        checks.append(check_html(text))
        claims = html_claims(text)
        stated = (document.get("integrity") or {}).get("sha256")
        run_id = document.get("scan", {}).get("run_id")
        same = (
            claims.get("vetscan-json-sha256") == stated and claims.get("vetscan-run-id") == run_id
        )
        checks.append(
            Check(
                "pair",
                same,
                "the HTML names this JSON's run ID and digest"
                if same
                else "the HTML belongs to another run or another version of the JSON",
            )
        )
    signature = json_path.with_name(json_path.name + ".sig")
    if pubkey is not None:
        if not signature.is_file():
            checks.append(Check("signature", False, f"{signature.name} is missing"))
        else:
            checks.append(
                check_signature(
                    document,
                    read_input(signature, "signature").decode("utf-8", errors="replace"),
                    load_public_key(pubkey),
                )
            )
    elif signature.is_file():
        checks.append(Check("signature", True, "present, not checked (give --pubkey)"))
    return checks
