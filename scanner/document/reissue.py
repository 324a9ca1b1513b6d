"""Saved scans: loading one for re-rendering, and verifying a written report set."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jsonschema

from scanner.document.build import with_sections
from scanner.document.integrity import (
    JSON_NAME,
    SIGNATURE_NAME,
    Check,
    check_html,
    check_json,
    check_signature,
    document_id,
    html_claims,
    load_public_key,
    seal,
)
from scanner.errors import InputError
from scanner.inputs import InputFileError, read_input, read_input_text
from scanner.schema import schema


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

    The observations, findings and scores stay as gathered (an older schema's
    observation fields read into today's shape, the same facts): only the derived
    sections are recomputed, so old evidence reads with today's templates.
    An earlier "what changed" section is kept.
    """
    return upgrade_saved(_read_json(path), str(path))


def load_evidence(path: Path) -> dict[str, Any]:
    """A saved scan as it was written, refused when its digest or signature shows it
    was altered (what ``vetscan rejudge`` judges again)."""
    return checked_evidence(_read_json(path), str(path))


def checked_evidence(data: dict[str, Any], name: str) -> dict[str, Any]:
    original = check_json(data)
    if data.get("integrity") and not original.ok:
        raise SavedScanError(f"{name}: {original.detail}; refusing to judge altered evidence")
    return data


def upgrade_saved(data: dict[str, Any], name: str) -> dict[str, Any]:
    original = check_json(data)
    if data.get("integrity") and not original.ok:
        raise SavedScanError(f"{name}: {original.detail}; refusing to re-issue altered evidence")
    try:
        document = seal(with_sections(data, None))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        # An observation a report hook cannot read: edited by hand, or not vetscan's.
        problem = f"{type(exc).__name__}: {exc}"[:300]
        raise SavedScanError(f"{name} is not a valid scan (its observations: {problem})") from None
    try:
        jsonschema.validate(document, schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "the top level"
        raise SavedScanError(f"{name} is not a valid scan ({where}: {exc.message})") from None
    return document


def verify_report(
    path: Path,
    pubkey: Path | None,
    exports: Mapping[str, Callable[[dict[str, Any]], str]] | None = None,
) -> list[Check]:
    """Checks one report: the JSON, the HTML (when both exist) and the signature of a
    report set; a PDF by the JSON (and signature) it carries inside; an HTML page whose
    JSON was not kept by its own digest."""
    if path.suffix == ".pdf":
        return _verify_pdf(path, pubkey)
    # Exports rendered from the JSON (suffix -> its renderer, given by the caller):
    # each must be exactly what the JSON beside it renders to.
    export = next((s for s in exports or {} if path.name.endswith(s)), None)
    if exports and export is not None:
        return _verify_export(path, export, exports[export], pubkey)
    if path.suffix not in (".html", ".json"):
        raise OSError(f"{path}: give the report's .html, .json, .pdf, .sarif or .junit.xml file")
    json_path, html_path = path.with_suffix(".json"), path.with_suffix(".html")
    if not json_path.is_file():
        if path.suffix == ".html" and html_path.is_file():
            return _verify_page_alone(html_path)
        raise OSError(f"{json_path}: the report's JSON is missing; it holds the evidence")
    try:
        document = _read_json(json_path)
    except SavedScanError as exc:
        return [Check("json", False, str(exc))]
    checks = [check_json(document)]
    if html_path.is_file():
        text = read_input(html_path, "report").decode("utf-8", errors="replace")
        checks.append(check_html(text))
        checks.append(_pair(html_claims(text), document, "HTML"))
    signature = json_path.with_name(json_path.name + ".sig")
    text_of = (
        read_input(signature, "signature").decode("utf-8", errors="replace")
        if signature.is_file()
        else None
    )
    checks += _signature(document, text_of, pubkey, signature.name)
    return checks


def _verify_export(
    path: Path, suffix: str, render: Callable[[dict[str, Any]], str], pubkey: Path | None
) -> list[Check]:
    json_path = path.with_name(path.name.removesuffix(suffix) + ".json")
    if not json_path.is_file():
        raise OSError(f"{json_path}: the report's JSON is missing; it holds the evidence")
    try:
        document = _read_json(json_path)
    except SavedScanError as exc:
        return [Check("json", False, str(exc))]
    expected = render(document)
    text = read_input(path, "report").decode("utf-8", errors="replace")
    same = text == expected
    name = {".sarif": "SARIF", ".junit.xml": "JUnit XML"}.get(suffix, "OSCAL")
    checks = [
        check_json(document),
        Check(
            "pair",
            same,
            f"the {name} is what this JSON renders to"
            if same
            else f"the {name} was altered or belongs to another run or version of the JSON",
        ),
    ]
    signature = json_path.with_name(json_path.name + ".sig")
    text_of = (
        read_input(signature, "signature").decode("utf-8", errors="replace")
        if signature.is_file()
        else None
    )
    return checks + _signature(document, text_of, pubkey, signature.name)


def _pair(claims: dict[str, str], document: dict[str, Any], what: str) -> Check:
    stated = (document.get("integrity") or {}).get("sha256")
    run_id = document_id(document)
    same = claims.get("vetscan-json-sha256") == stated and claims.get("vetscan-run-id") == run_id
    return Check(
        "pair",
        same,
        f"the {what} names this JSON's run ID and digest"
        if same
        else f"the {what} belongs to another run or another version of the JSON",
    )


def _signature(
    document: dict[str, Any], signature: str | None, pubkey: Path | None, name: str
) -> list[Check]:
    if pubkey is not None:
        if signature is None:
            return [Check("signature", False, f"{name} is missing")]
        return [check_signature(document, signature, load_public_key(pubkey))]
    if signature is not None:
        return [Check("signature", True, "present, not checked (give --pubkey)")]
    return []


def _verify_page_alone(html_path: Path) -> list[Check]:
    text = read_input(html_path, "report").decode("utf-8", errors="replace")
    claims = html_claims(text)
    stated = claims.get("vetscan-json-sha256", "unknown")
    return [
        check_html(text),
        Check(
            "json",
            True,
            f"not beside the page (not checked); the page states run "
            f"{claims.get('vetscan-run-id', 'unknown')} and JSON sha256 {stated}",
        ),
    ]


def _verify_pdf(path: Path, pubkey: Path | None) -> list[Check]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:
        raise OSError("verifying a PDF needs pypdf: pip install 'vetscan[pdf]'") from None
    data = read_input(path, "report")
    try:
        reader = PdfReader(io.BytesIO(data))
        attached = {name: contents[0] for name, contents in reader.attachments.items() if contents}
        first_page = reader.pages[0].extract_text() if reader.pages else ""
    except (PyPdfError, ValueError, KeyError, IndexError) as exc:
        return [Check("pdf", False, f"not a readable PDF ({exc})")]
    if JSON_NAME not in attached:
        return [
            Check("pdf", False, f"carries no {JSON_NAME} (written before vetscan embedded it?)")
        ]
    try:
        document = json.loads(attached[JSON_NAME])
        if not isinstance(document, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        return [Check("json", False, f"the embedded JSON cannot be read ({exc})")]
    checks = [Check("pdf", True, f"carries {JSON_NAME}"), check_json(document)]
    # The cover page prints the run ID and the JSON's digest; they must be this JSON's.
    flat = "".join(first_page.split())
    stated = (document.get("integrity") or {}).get("sha256", "")
    run_id = document_id(document)
    same = bool(stated) and stated in flat and run_id in flat
    checks.append(
        Check(
            "pair",
            same,
            "the PDF's cover names this JSON's run ID and digest"
            if same
            else "the PDF's pages belong to another run or another version of the JSON",
        )
    )
    signature = attached.get(SIGNATURE_NAME)
    checks += _signature(
        document,
        signature.decode("utf-8", errors="replace") if signature is not None else None,
        pubkey,
        SIGNATURE_NAME,
    )
    return checks
