"""--format questions: the questions alone, as Markdown and CSV, ready to send."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from scanner import api
from scanner.document.build import build_document
from scanner.document.integrity import seal
from scanner.model import ScanResult
from scanner.options import OutputOptions
from scanner.render import Format
from scanner.render.questions import CLOSING, render_csv, render_markdown


def _document(default_scans: dict[str, ScanResult], key: str) -> dict[str, Any]:
    return seal(build_document(default_scans[key]))


def test_every_failing_check_is_asked_once_with_every_asset(
    default_scans: dict[str, ScanResult],
) -> None:
    doc = _document(default_scans, "legacy")
    questions = doc["questions"]
    assert questions  # the legacy provider fails plenty
    markdown = render_markdown(doc)
    # One section per failing check (and per area not tested), the closing request
    # once, at the end; deal-breakers and conditions before signing, hygiene after.
    items = [*questions, *doc["retests"]]
    assert markdown.count("\n### ") == len(items)
    assert markdown.count(CLOSING) == 1 and markdown.rstrip().endswith(CLOSING)
    assert markdown.index("## Answer before signing") < markdown.index("## Hygiene")
    rows = list(csv.DictReader(io.StringIO(render_csv(doc))))
    assert sorted(r["check_id"] for r in rows) == sorted(q["check_id"] for q in items)
    groups = [r["group"] for r in rows]
    assert groups == sorted(groups, key=["answer before signing", "hygiene", "not tested"].index)
    for r in rows:
        assert r["provider"] == "Legacy Systems" and r["run_id"] == doc["scan"]["run_id"]
        assert r["scan_date"] == doc["scan"]["started"][:10] and r["due"]
        assert (r["status"], r["response"], r["answered_by"]) == ("", "", "")
    # Every outdated service is listed, not only the worst one.
    (outdated,) = [q for q in questions if q["check_id"] == "service.outdated_version"]
    row = next(r for r in rows if r["check_id"] == "service.outdated_version")
    assert len(outdated["observations"]) >= 3
    for seen in outdated["observations"]:
        assert seen["asset"] in row["affected"]


def test_text_from_the_target_stays_text(default_scans: dict[str, ScanResult]) -> None:
    doc = _document(default_scans, "broken")
    markdown = render_markdown(doc)
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    for row in csv.reader(io.StringIO(render_csv(doc))):
        assert not any(cell[:1] in ("=", "+", "-", "@") for cell in row)


def test_the_export_is_written_beside_the_report(
    default_scans: dict[str, ScanResult], tmp_path: Path
) -> None:
    doc = _document(default_scans, "exemplary")
    paths = api.write_reports(doc, OutputOptions((Format.HTML, Format.QUESTIONS), tmp_path))
    suffixes = sorted(p.name.split(".", 1)[1] for p in paths)
    assert suffixes == ["html", "questions.csv", "questions.md", "questions.txt"]
    # The exemplary provider fails nothing worth asking: the export says so.
    assert doc["questions"] == []
    text = next(p for p in paths if p.name.endswith(".md")).read_text()
    assert "nothing to ask about" in text and "## " not in text
