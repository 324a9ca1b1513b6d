"""Untested is never good, as a reader sees it (scoring rule 9), on the golden
scans (no network): Guarded Mail's primary mail server limited our connections, so
about two thirds of its TLS checks could not run. Its report, terminal summary,
JSON, comparison and overview must not show that area as good, and must not promise
a better grade that what was not tested could take away."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import jsonschema
import pytest
from support.golden import GOLDEN, read

from scanner import api
from scanner.cli.scancmd import summary
from scanner.document.compare import compare
from scanner.document.integrity import seal
from scanner.document.overview import row
from scanner.registry import load_registry
from scanner.rejudge import rejudge
from scanner.render.compare import render_compare_csv, render_compare_html
from scanner.render.html import render_html
from scanner.render.json import render_json
from scanner.schema import schema
from scanner.scoring.profile import load_profile


def golden(key: str) -> dict[str, Any]:
    return json.loads(read(GOLDEN / key / "scan.json.gz"))


def text(html: str) -> str:
    """What a reader reads: the markup's text, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def chart_rows(html: str) -> dict[str, str]:
    """Each area's row of the chart: its title and the SVG drawn for it."""
    svg = html[html.index('<svg class="chart"') : html.index("</svg>")]
    parts = re.split(r'<text x="0" y="\d+" font-size="13" fill="#1d2330">([^<]+)</text>', svg)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.fixture(scope="module")
def guarded() -> dict[str, Any]:
    return golden("guarded")


def test_an_untested_area_shows_no_score_and_no_bar(guarded: dict[str, Any]) -> None:
    html = render_html(guarded)
    rows = chart_rows(html)
    transport = rows["Encryption in transit"]
    area = guarded["scores"]["pitfalls"]["transport"]
    obtained = f"{area['assessed_findings']} of {area['total_findings']} results obtained"
    assert f"not assessed ({obtained})" in transport
    assert "#1a7f37" not in transport and ">100<" not in transport  # no green, no 100
    assert "Encryption in transit not assessed" in text(html)
    assert "Encryption in transit 100 / 100" not in text(html)
    # The area's section says what could not be tested and why.
    section = text(html[html.index('id="p-transport"') :])
    assert "Nothing tested on mx1.guarded.test:25: the server limited our connections" in section
    # A partly tested area keeps its score, marked as partial.
    email = guarded["scores"]["pitfalls"]["email"]
    assert email["state"] == "partly assessed"
    assert f"{round(email['score'])}*" in rows["Email security"]
    assert f"Email security {round(email['score'])} / 100, partly assessed" in text(html)


def test_the_grade_sentence_names_the_gap_and_promises_nothing(guarded: dict[str, Any]) -> None:
    why = text(
        re.search(r'<p class="callout why" id="why">(.*?)</p>', render_html(guarded)).group(1)
    )  # type: ignore[union-attr]
    overall = guarded["scores"]["overall"]
    assert why.startswith(f" Why this grade: B ({overall:g}/100)")
    assert "nothing tested on mx1.guarded.test:25" in why
    assert "weak or missing encryption and bad certificates" in why
    assert "no better grade is offered until it is tested" in why
    # Before: "Fixing TLS-RPT record gives A", on a check its top risks do not list.
    assert "gives A" not in why and guarded["scores"]["steps"] == []


def test_an_exemplary_provider_reads_as_fully_assessed() -> None:
    html = render_html(golden("exemplary"))
    assert "not assessed (" not in str(chart_rows(html)) and "partly assessed" not in html
    assert "Not covered by the grade" not in html


def test_the_json_carries_each_area_state_and_validates(guarded: dict[str, Any]) -> None:
    jsonschema.validate(guarded, schema())
    areas = guarded["scores"]["pitfalls"]
    assert areas["transport"]["state"] == "not assessed"
    assert areas["transport"]["untested"][0]["asset"] == "mx1.guarded.test:25"
    assert areas["email"]["state"] == "partly assessed"
    assert areas["exposure"]["state"] == "assessed"
    assert guarded["scores"]["model"] == "3"


def test_the_terminal_summary_says_it_too(guarded: dict[str, Any]) -> None:
    profile = load_profile("default")
    result = rejudge(guarded, profile, load_registry(plugins=[]).probes, mark=False)
    out = io.StringIO()
    summary(result, [], quiet=False, stream=out)
    assert "Encryption in transit (not assessed" in out.getvalue()
    assert "no better grade is offered" in out.getvalue()
    document = json.loads(render_json(api.build_document(result, profile=profile)))
    assert document["scores"] == guarded["scores"]


def test_compare_never_counts_an_untested_check_as_a_pass_or_a_shortfall(
    guarded: dict[str, Any],
) -> None:
    result = compare([guarded, golden("sprawl"), golden("exemplary")])
    mail, sprawl, _ = result["candidates"]
    # Guarded Mail's mail server was not tested for TLS 1.0/1.1: no strength of it.
    strengths = {s["check_id"] for s in mail["strengths"]}
    assert "tls.protocol.tls10_tls11" not in strengths
    untested = {f["check_id"] for f in guarded["findings"] if f["status"] == "not_assessed"}
    assert not strengths & untested
    # Nor does Sprawling Services "fall short where every other passes" on them.
    assert not {w["check_id"] for w in sprawl["weaknesses"]} & untested
    assert {w["check_id"] for w in sprawl["weaknesses"]}  # what both others passed stays
    assert mail["area_labels"]["transport"] == "not assessed"
    assert mail["pitfalls"]["transport"] is None
    html = text(render_compare_html(seal(result)))
    sprawl_transport = round(golden("sprawl")["scores"]["pitfalls"]["transport"]["score"])
    exemplary_transport = round(golden("exemplary")["scores"]["pitfalls"]["transport"]["score"])
    assert f"Encryption in transit 1 not assessed {sprawl_transport} {exemplary_transport}" in html
    rows = csv.reader(io.StringIO(render_compare_csv(result)))
    transport = next(r for r in rows if r[:2] == ["pitfall", "Encryption in transit (weight 1)"])
    assert transport[2] == "not assessed"


def test_the_portfolio_overview_shows_no_score_for_an_untested_area(
    guarded: dict[str, Any],
) -> None:
    line = row(guarded, "report.html")
    assert line["pitfalls"]["transport"] is None and line["pitfalls"]["exposure"] == 100.0
