"""Report sets written from documents: a scan's, a comparison's, and finding one already written."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.document.integrity import sign
from scanner.errors import InputError
from scanner.options import OutputOptions
from scanner.output import (
    WriteError,
    describe_write_error,
    report_stem,
    write_set,
)
from scanner.render import RENDERERS, Format
from scanner.render.csv import BOM, excel_csv
from scanner.render.pdf import render_pdf

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def write_reports(document: Mapping[str, Any], output: OutputOptions) -> list[Path]:
    """Renders every asked format, then writes them as one set (atomically, never over
    an earlier report). Raises WriteError (a ScanIncomplete) when the disk refuses."""
    if output.to_stdout:
        text = RENDERERS[Format.JSON](dict(document))
        assert isinstance(text, str)
        sys.stdout.write(text)
        sys.stdout.flush()
        return []
    # Render everything before writing anything, so a renderer failure leaves no partial set.
    rendered: dict[str, str | bytes] = {}
    signature = sign(dict(document), output.sign_key) if output.sign_key is not None else None
    for fmt in output.formats:
        if fmt is Format.PDF:
            # The PDF carries the JSON and its signature inside: verifiable on its own.
            rendered["pdf"] = render_pdf(dict(document), signature)
            continue
        content = RENDERERS[fmt](dict(document))
        # A format may be a set of files (questions: .md and .csv), by suffix.
        rendered.update(content if isinstance(content, dict) else {fmt.value: content})
    for suffix, content in rendered.items():
        if suffix.endswith("csv") and isinstance(content, str):
            if output.csv_excel:
                content = excel_csv(content)
            rendered[suffix] = BOM + content if output.csv_bom else content
    if signature is not None:
        rendered["json.sig"] = signature
    started = datetime.fromisoformat(document["scan"]["started"])
    stem = report_stem(document["provider"]["name"], started)
    try:
        return write_set(output.out, stem, rendered)
    except OSError as exc:
        raise WriteError(f"reports not written: {describe_write_error(output.out, exc)}") from None


# A report set's JSON is read back only to compare its digest; larger is not ours.
_MAX_REPORT_JSON = 64 * 1024 * 1024


def written_reports(document: Mapping[str, Any], output: OutputOptions) -> list[Path]:
    """The report set already written in ``output.out`` for this very document (same
    run ID and digest, every asked format present), else []. A resumed queued audit
    finds the sets the coordinator it replaces wrote, instead of writing them again."""
    integrity = document.get("integrity") or {}
    if output.to_stdout or Format.JSON not in output.formats or not integrity.get("sha256"):
        return []
    stem = report_stem(
        document["provider"]["name"], datetime.fromisoformat(document["scan"]["started"])
    )
    multi = {
        Format.QUESTIONS: "questions.md",
        Format.JUNIT: "junit.xml",
        Format.OSCAL: "oscal.json",
    }
    suffixes = {multi.get(f, f.value) for f in output.formats}
    for candidate in sorted(output.out.glob(f"{stem}*.json")):
        name = candidate.name.removesuffix(".json")
        if name != stem and not (name.startswith(f"{stem}-") and name[len(stem) + 1 :].isdigit()):
            continue
        try:
            if candidate.stat().st_size > _MAX_REPORT_JSON:
                continue
            seen = (json.loads(candidate.read_bytes()).get("integrity")) or {}
        except (OSError, ValueError, AttributeError):
            continue
        same = (seen.get("sha256"), seen.get("run_id")) == (
            integrity["sha256"],
            integrity.get("run_id"),
        )
        if same and all(candidate.with_name(f"{name}.{x}").is_file() for x in suffixes):
            return sorted(p for p in output.out.glob(f"{name}.*") if p.is_file())
    return []


COMPARE_FORMATS = ("html", "csv", "pdf", "json")


def comparison(
    documents: Sequence[Mapping[str, Any]], weights: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """The candidates side by side (2 to 6 scan documents), ranked under ``weights``
    (the buyer's; default the profile's), sealed with its digest."""
    from scanner.document.compare import compare
    from scanner.document.integrity import seal

    generated = datetime.now(UTC).isoformat(timespec="seconds")
    return seal(compare(documents, weights, generated))


def write_comparison(
    sealed: Mapping[str, Any],
    out: Path,
    formats: Sequence[str] = ("html", "csv"),
    sign_key: Ed25519PrivateKey | None = None,
) -> list[Path]:
    """A sealed comparison as one report set ``compare-<UTC time>.<format>`` in
    ``out``: HTML, CSV, PDF and always the JSON (the evidence `vetscan verify` checks
    the others by); with ``sign_key``, signed (``.json.sig``, and inside the PDF)."""
    from scanner.render import compare as renderers

    unknown = sorted(set(formats) - set(COMPARE_FORMATS))
    if unknown or not formats:
        raise InputError(f"compare writes {', '.join(COMPARE_FORMATS)} (not {', '.join(unknown)})")
    doc = dict(sealed)
    signature = sign(doc, sign_key) if sign_key is not None else None
    rendered: dict[str, str | bytes] = {}
    for fmt in dict.fromkeys([*formats, "json"]):
        if fmt == "pdf":
            rendered["pdf"] = renderers.render_compare_pdf(doc, signature)
        elif fmt == "html":
            rendered["html"] = renderers.render_compare_html(doc)
        elif fmt == "csv":
            rendered["csv"] = renderers.render_compare_csv(doc)
        else:
            rendered["json"] = renderers.render_compare_json(doc)
    if signature is not None:
        rendered["json.sig"] = signature
    stamp = datetime.fromisoformat(str(doc["generated"])).strftime("%Y%m%dT%H%M%SZ")
    try:
        return write_set(out, f"compare-{stamp}", rendered)
    except OSError as exc:
        raise WriteError(f"comparison not written: {describe_write_error(out, exc)}") from None
