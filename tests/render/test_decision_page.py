"""Page 1 decides (#26 item 3), read as a buyer reads it: the first page of each lab
provider's PDF (the golden scans, no network), extracted with poppler as a PDF
viewer shows it. From that page alone a reader can say sign, sign with conditions
or don't, and why: the verdict, every deal-breaker with its business impact and a
dated deadline, host names with their addresses, and what was not tested."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.golden import GOLDEN, read

from scanner.lab.providers import PROVIDERS
from scanner.render.html import render_html
from scanner.render.pdf import html_to_pdf

EXPECTED = {
    "exemplary": "No deal-breakers found",
    "guarded": "Acceptable with conditions",
    "legacy": "Do not sign before these are fixed",
    "broken": "Do not sign before these are fixed",
    "sprawl": "Do not sign before these are fixed",
    "stale": "Do not sign before these are fixed",
    "wild": "Do not sign before these are fixed",
}


def page_one(document: dict[str, Any], tmp_path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:  # scripts/bootstrap.sh installs poppler-utils
        pytest.fail("pdftotext not found: apt-get install poppler-utils")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(html_to_pdf(render_html(document)))
    text = subprocess.run(
        [pdftotext, "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # Lines broken after a hyphen ("mail-" / "server") read as one word again.
    return re.sub(r"\s+", " ", text).replace("- ", "-")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], str]]:
    out = {}
    for provider in PROVIDERS:
        document = json.loads(read(GOLDEN / provider.key / "scan.json.gz"))
        out[provider.key] = (document, page_one(document, tmp_path_factory.mktemp(provider.key)))
    return out


def test_every_lab_provider_has_an_expected_verdict() -> None:
    assert set(EXPECTED) == {p.key for p in PROVIDERS}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_page_one_gives_the_verdict_and_every_top_risk(
    key: str, pages: dict[str, tuple[dict[str, Any], str]]
) -> None:
    document, text = pages[key]
    assert f"VERDICT {EXPECTED[key]}" in text
    for risk in document["top_risks"]:
        # Every top risk, deal-breakers first, with its plain impact and a date.
        assert risk["title"] in text, f"{key}: {risk['title']} not on page 1"
        assert risk["due"] in text
        impact = document["checks"][risk["check_id"]].get("impact")
        if impact:
            assert impact[:50] in text, f"{key}: the impact of {risk['title']}"
    roles = [r["role"] for r in document["top_risks"]]
    assert roles == sorted(roles, key=lambda r: r != "deal-breaker")
    # Technical wording stays below page 1 for the deal-breakers: no RFC or CVE there.
    for risk in document["top_risks"]:
        if risk["role"] == "deal-breaker":
            assert not re.search(r"\b(RFC|CVE)[ -]\d", risk["impact"])


def test_where_names_hosts_with_their_addresses(
    pages: dict[str, tuple[dict[str, Any], str]],
) -> None:
    _, text = pages["legacy"]
    # The database port was found on an address; the reader is told whose it is.
    assert "Where: legacy.test, www.legacy.test (127.0.10.20) port 3306" in text
    assert "mail.legacy.test (127.0.10.21) port 993" in text
    for _, page in pages.values():
        for where in re.findall(r"Where: (.*?)(?: · |$)", page):
            for place in where.split("; "):
                # A bare address is never the whole answer when the scan knows its name.
                assert not re.fullmatch(r"[\d.]+(?: port \d+)?", place), place


def test_a_deal_breaker_is_dated_from_the_scan(
    pages: dict[str, tuple[dict[str, Any], str]],
) -> None:
    document, text = pages["legacy"]
    scanned = datetime.fromisoformat(document["scan"]["started"]).date()
    # Critical: 15 days (the default profile's [deadlines]), before signing.
    critical = (scanned + timedelta(days=15)).isoformat()
    high = (scanned + timedelta(days=30)).isoformat()
    assert f"fix before signing, by {critical} (15 days)" in text
    assert f"fix by {high} (30 days)" in text  # high: a condition


def test_what_was_not_tested_is_on_page_one(
    pages: dict[str, tuple[dict[str, Any], str]],
) -> None:
    document, text = pages["guarded"]
    transport = document["scores"]["pitfalls"]["transport"]
    obtained = f"{transport['assessed_findings']} of {transport['total_findings']} results obtained"
    assert f"Not tested: Encryption in transit ({obtained}; nothing tested on" in text
    assert "mx1.guarded.test:25" in text
    assert "a new test of what could not be tested" in text
    _, exemplary = pages["exemplary"]
    assert "Not tested" not in exemplary and "No check failed." in exemplary
