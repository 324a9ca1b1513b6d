"""Renderers on a canned scan document: every format has one, and hostile text stays text."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import jsonschema

from scanner.model import (
    AttemptStatus,
    Finding,
    ProbeResult,
    ScanMeta,
    ScanResult,
    Severity,
    Status,
    Target,
)
from scanner.render import RENDERERS, Format
from scanner.render.json import scan_document
from scanner.schema import schema

HOSTILE = '=HYPERLINK("http://evil")<script>alert(1)</script>'


def document() -> dict[str, Any]:
    finding = Finding(
        "dns.caa.missing",
        Status.FAIL,
        Severity.LOW,
        "example.com",
        HOSTILE,
        {"txt": HOSTILE},
        "dns-health",
    )
    probe = ProbeResult("dns-health", AttemptStatus.COMPLETED, 0.1, (), (finding,))
    now = datetime(2026, 11, 29, tzinfo=UTC)
    meta = ScanMeta("run-1", now, now, "default", "127.0.10.53:53", True)
    return scan_document(ScanResult("0.1.0", Target("Example", ("example.com",)), meta, (probe,)))


def test_every_format_has_a_renderer() -> None:
    assert set(RENDERERS) == set(Format)
    for fmt in Format:
        assert RENDERERS[fmt](document())


def test_json_validates_and_html_escapes() -> None:
    doc = document()
    jsonschema.validate(json.loads(RENDERERS[Format.JSON](doc)), schema())
    html = RENDERERS[Format.HTML](doc)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_csv_has_one_row_per_finding_and_defuses_formulas() -> None:
    rows = list(csv.DictReader(io.StringIO(RENDERERS[Format.CSV](document()))))
    assert len(rows) == 1
    detail = rows[0]["detail"]
    assert detail.startswith("'=") and "<script>" in detail  # text, not a formula


def test_csv_carries_what_a_spreadsheet_reader_needs() -> None:
    doc = document()
    doc["findings"][0]["waiver"] = {
        "reason": "letter of 2026-11-02",
        "accepted_by": "CISO",
        "expires": "2027-06-30",
        "active": True,
    }
    doc["scores"] = {"grade": "B", "overall": 81.5}
    (row,) = csv.DictReader(io.StringIO(RENDERERS[Format.CSV](doc)))
    assert row["title"] == doc["checks"]["dns.caa.missing"]["title"]
    # The area by its title, as the report names it.
    assert row["area"] == "DNS resilience" and row["remediation"].startswith(
        doc["checks"]["dns.caa.missing"]["remediation"][:20]
    )
    assert (row["waiver_accepted_by"], row["waiver_expires"]) == ("CISO", "2027-06-30")
    assert (row["grade"], row["score"], row["adjusted_grade"]) == ("B", "81.5", "")
