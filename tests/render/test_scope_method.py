"""Scope, method and dispute (#26 item 6), on live lab scans: every report says what
was and was not tested and why, where the scan came from and when each finding was
seen, the profile, the consent statement, and how a provider disputes a finding."""

from __future__ import annotations

import csv
import html as html_text
import io
import ipaddress
import json
import re
from datetime import datetime
from typing import Any

import jsonschema
import pytest

from scanner import api
from scanner.document.build import build_document
from scanner.document.integrity import seal
from scanner.model import ScanResult
from scanner.render.csv import render_csv
from scanner.render.html import render_html
from scanner.render.json import render_json
from scanner.schema import schema

pytestmark = pytest.mark.lab


def text(page: str) -> str:
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def documents(default_scans: dict[str, ScanResult]) -> dict[str, dict[str, Any]]:
    return {k: seal(build_document(default_scans[k])) for k in ("guarded", "sprawl")}


def test_the_scan_says_where_it_came_from(documents: dict[str, dict[str, Any]]) -> None:
    for doc in documents.values():
        sources = doc["scan"]["source_addresses"]
        assert sources and all(ipaddress.ip_address(a).is_loopback for a in sources)
        page = text(render_html(doc))
        assert f"Scanned from {', '.join(sources)} (this scanner's addresses" in page


def test_every_finding_says_when_it_was_observed(documents: dict[str, dict[str, Any]]) -> None:
    doc = documents["sprawl"]
    started = datetime.fromisoformat(doc["scan"]["started"]).replace(microsecond=0)
    finished = datetime.fromisoformat(doc["scan"]["finished"])
    for f in doc["findings"]:
        assert started <= datetime.fromisoformat(f["observed_at"]) <= finished, f["check_id"]
    rows = list(csv.DictReader(io.StringIO(render_csv(doc))))
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r["observed_utc"]) for r in rows)
    for probe in doc["scan"]["probes"]:
        assert probe["started"] <= probe["finished"]
    jsonschema.validate(json.loads(render_json(doc)), schema())


def test_the_report_says_what_was_not_tested_and_why(documents: dict[str, dict[str, Any]]) -> None:
    page = text(render_html(documents["guarded"]))
    section = page[page.index("Scope, method and how to dispute a finding What was tested") :]
    assert "Areas not fully tested Encryption in transit (not assessed):" in section
    assert "Nothing tested on mx1.guarded.test:25:" in section
    assert "Never tested what cannot be seen from the internet" in section
    assert "Profile default: its thresholds, severities, deal-breakers and deadlines" in section


def test_consent_and_dispute_are_stated(documents: dict[str, dict[str, Any]]) -> None:
    page = text(render_html(documents["sprawl"]))
    assert "Consent and use This assessment looked only at what the provider publishes" in page
    assert "It is not a penetration test and proves no control" in page
    assert "If you are the provider: how to dispute a finding" in page
    assert "set status to disputed with your reason in response" in page


def test_judged_again_the_times_and_sources_stay(documents: dict[str, dict[str, Any]]) -> None:
    doc = documents["sprawl"]
    again = api.build_document(api.rejudge(doc, "default"))
    assert again["scan"]["source_addresses"] == doc["scan"]["source_addresses"]
    assert [f.get("observed_at") for f in again["findings"]] == [
        f.get("observed_at") for f in doc["findings"]
    ]


def test_the_method_names_the_dated_tables_the_findings_were_judged_by(
    default_scans: dict[str, ScanResult],
) -> None:
    """A reader comparing two reports must see which CVE table and KEV catalogue
    judged the versions: a newer one may judge the same version differently."""
    from scanner.probes.services.kev import active_catalogue
    from scanner.probes.services.vulns import cve_table

    page = text(render_html(seal(build_document(default_scans["legacy"]))))
    row = page[page.index("Reference data") :][:400]
    assert f"vetscan's CVE table, advisories through {cve_table().advisories_through}" in row
    assert f"Known Exploited Vulnerabilities catalogue {active_catalogue().version}" in row
    assert "end-of-life table of" in row
