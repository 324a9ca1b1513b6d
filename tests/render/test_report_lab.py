"""The due-diligence report of each lab provider, read as a buyer would read it."""

from __future__ import annotations

import csv
import html as htmllib
import io
import json
import re
from typing import Any

import jsonschema
import pytest

from scanner import api
from scanner.document.build import build_document
from scanner.document.integrity import seal
from scanner.model import ScanResult
from scanner.options import OutputOptions
from scanner.render import Format
from scanner.render.html import render_html
from scanner.schema import schema

pytestmark = pytest.mark.lab

SECTIONS = (
    "Executive summary",
    "Top risks",
    "Questions for the provider",
    "Not assessed",
    "Assets found",
    "What changed",
    "Scope, method and how to dispute a finding",
    "Evidence integrity",
)


@pytest.fixture(scope="module")
def reports(
    default_scans: dict[str, ScanResult], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("reports")
    written = {}
    for key, result in default_scans.items():
        document = seal(build_document(result))
        paths = api.write_reports(
            document, OutputOptions((Format.HTML, Format.JSON, Format.CSV), out)
        )
        written[key] = {
            "doc": document,
            **{p.suffix.lstrip("."): p.read_text("utf-8") for p in paths},
        }
    return written


def _text(page: str) -> str:
    """What a reader sees: tags dropped, entities decoded, whitespace collapsed."""
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_every_report_has_every_section_and_validates(reports: dict[str, dict[str, Any]]) -> None:
    for key, r in reports.items():
        jsonschema.validate(json.loads(r["json"]), schema())
        seen = _text(r["html"])
        for heading in SECTIONS:
            assert heading in seen, (key, heading)
        scores = r["doc"]["scores"]
        assert f"Grade {scores['grade']}" in seen
        assert f"Run ID {r['doc']['scan']['run_id']}" in seen
        assert r["doc"]["integrity"]["sha256"] in seen


def test_the_html_is_a_function_of_the_json_alone(reports: dict[str, dict[str, Any]]) -> None:
    # Re-rendering from the written JSON gives the same page: the JSON carries
    # everything the HTML shows.
    for r in reports.values():
        assert render_html(json.loads(r["json"])) == r["html"]


def test_questions_cover_every_failing_check_with_risk(reports: dict[str, dict[str, Any]]) -> None:
    legacy = reports["legacy"]
    failing = {
        f["check_id"]
        for f in legacy["doc"]["findings"]
        if f["status"] == "fail" and f["severity"] != "info"
    }
    asked = [q["check_id"] for q in legacy["doc"]["questions"]]
    assert set(asked) == failing and len(asked) == len(failing)
    assert asked[0] == "service.database_exposed"  # the only critical failure comes first
    seen = _text(legacy["html"])
    for q in legacy["doc"]["questions"]:
        # Every affected asset with what was seen there, and what is asked.
        assert q["remediation"] in seen
        for observed in q["observations"]:
            # Once: a detail that names its asset is not prefixed with it again.
            host = observed["asset"].split(" [")[0]
            line = (
                observed["detail"]
                if host in observed["detail"]
                else f"{observed['asset']}: {observed['detail']}"
            )
            assert line in seen
    # The closing request once, not once per question.
    assert seen.count("describe the compensating control") == 1
    # An exemplary provider gets nothing to answer.
    assert reports["exemplary"]["doc"]["questions"] == []
    assert "No check failed" in _text(reports["exemplary"]["html"])


def test_top_risks_speak_plainly_about_the_worst(reports: dict[str, dict[str, Any]]) -> None:
    doc = reports["broken"]["doc"]
    risks = doc["top_risks"]
    # Every failing deal-breaker is listed (first), then the worst others up to five.
    breakers = [r for r in risks if r.get("role") == "deal-breaker"]
    assert breakers and risks[: len(breakers)] == breakers
    assert len(risks) <= max(5, len(breakers))
    assert risks[0]["severity"] == "critical"
    assert all(r["explanation"] and r["assets"] and r.get("impact") for r in risks)


def test_not_assessed_section_gives_the_reasons(reports: dict[str, dict[str, Any]]) -> None:
    stale = reports["stale"]
    seen = _text(stale["html"])
    unassessed = [f for f in stale["doc"]["findings"] if f["status"] in ("not_assessed", "error")]
    assert unassessed
    for f in unassessed[:10]:
        assert f["detail"] in seen
    assert 'A "not assessed" is never a pass' in seen


def test_inventory_lists_what_was_found(reports: dict[str, dict[str, Any]]) -> None:
    inv = reports["legacy"]["doc"]["inventory"]
    ports = {(s["port"], s["service"]) for s in inv["services"]}
    assert {(21, "ftp"), (23, "telnet"), (3306, "mysql"), (6379, "redis")} <= ports
    assert {c["endpoint"] for c in inv["certificates"]} >= {"legacy.test:443"}
    assert {h["host"] for h in inv["mx"]} == {"mail.legacy.test", "mail2.legacy.test"}
    assert {h["host"] for h in inv["ns"]} == {"ns1.legacy.test", "ns2.legacy.test"}
    seen = _text(reports["legacy"]["html"])
    assert "vsftpd 2.3.4" in seen and "mail2.legacy.test" in seen


def test_markup_from_targets_is_never_live_in_any_report(
    reports: dict[str, dict[str, Any]],
) -> None:
    for key, r in reports.items():
        assert "<script" not in r["html"].lower(), key
    broken = reports["broken"]["html"]
    # The lab's certificate subject, header and TXT record carry markup; it shows as text.
    for source in ("cert", "hdr", "txt"):
        assert f"&lt;script&gt;alert(&#39;{source}&#39;)&lt;/script&gt;" in broken, source


def test_csv_has_one_row_per_finding(reports: dict[str, dict[str, Any]]) -> None:
    for r in reports.values():
        rows = list(csv.reader(io.StringIO(r["csv"])))
        assert len(rows) - 1 == len(r["doc"]["findings"])
