"""The control matrix in the document, the HTML and the CSV, on the lab's real scans."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
from support.controls import with_frameworks

from scanner.controls.matrix import control_section, history_evidence
from scanner.render.csv import render_csv
from scanner.render.html import render_html
from scanner.schema import schema


def framework(doc: dict, name: str) -> dict:
    return next(f for f in doc["controls"]["frameworks"] if f["id"] == name)


def control(doc: dict, name: str, control_id: str) -> dict:
    return next(c for c in framework(doc, name)["controls"] if c["id"] == control_id)


def test_the_matrix_is_in_the_json_and_validates() -> None:
    doc = with_frameworks("legacy")
    jsonschema.validate(json.loads(json.dumps(doc)), schema())
    assert (
        "never" not in doc["controls"]["statement"] or "not proof" in doc["controls"]["statement"]
    )
    assert "compliant" not in json.dumps(doc["controls"]).lower()


def test_legacy_weaknesses_show_against_the_controls_they_bear_on() -> None:
    doc = with_frameworks("legacy")
    crypto = control(doc, "iso27001", "A.8.24")
    assert crypto["evidence"] == "weakness"
    failing = {r["check_id"] for r in crypto["checks"] if r["status"] == "fail"}
    # legacy.test accepts TLS 1.0 and serves FTP and telnet in the clear.
    assert {"tls.protocol.tls10_tls11", "service.cleartext_remote_access"} <= failing
    row = next(r for r in crypto["checks"] if r["check_id"] == "service.cleartext_remote_access")
    assert any(":23" in a for a in row["assets"])
    assert control(doc, "pci-dss", "4.2.1")["evidence"] == "weakness"
    assert control(doc, "bod-18-01", "Weak protocols and ciphers")["evidence"] in (
        "weakness",
        "no_weakness_found",
    )


def test_exemplary_shows_no_weakness_where_it_has_none_and_never_a_pass() -> None:
    doc = with_frameworks("exemplary")
    crypto = control(doc, "iso27001", "A.8.24")
    # Its only remarks on cryptography are warnings, not weaknesses.
    assert crypto["evidence"] in ("no_weakness_found", "warning")
    assert not [r for r in crypto["checks"] if r["status"] == "fail"]
    assert control(doc, "iso27001", "A.8.22")["evidence"] == "no_weakness_found"
    assert {c["evidence"] for f in doc["controls"]["frameworks"] for c in f["controls"]} <= {
        "weakness",
        "accepted",
        "warning",
        "not_assessed",
        "no_weakness_found",
        "history",
    }


def test_a_control_whose_checks_could_not_run_is_not_assessed() -> None:
    doc = json.loads(json.dumps(with_frameworks("exemplary")))
    for f in doc["findings"]:
        if f["check_id"].startswith("tls."):
            f["status"] = "not_assessed"
    section = control_section(doc, ["iso27001"])
    assert section is not None
    crypto = next(c for c in section["frameworks"][0]["controls"] if c["id"] == "A.8.24")
    assert crypto["evidence"] != "not_assessed"  # mail and DNSSEC checks still ran
    assert "tls.protocol.tls10_tls11" in crypto["not_assessed"]
    only_tls = [f for f in doc["findings"] if f["check_id"].startswith("tls.")]
    section = control_section({**doc, "findings": only_tls}, ["soc2"])
    assert section is not None
    transit = next(c for c in section["frameworks"][0]["controls"] if c["id"] == "CC6.7")
    assert transit["evidence"] == "not_assessed"


def test_supplier_oversight_is_answered_by_the_history() -> None:
    doc = with_frameworks("legacy")
    oversight = control(doc, "iso27001", "A.5.22")
    assert oversight["evidence"] == "history"
    assert oversight["history"]["runs"] == 1
    assert oversight["history"]["assessed"] == doc["scan"]["started"]
    later = {
        **doc,
        "cadence": {
            "runs": 3,
            "since": "2026-11-01T00:00:00+00:00",
            "overall": {"fixed": 2, "median_seconds": 86400, "open": 5},
        },
        "changes": {
            "from": {"started": "2026-11-20T00:00:00+00:00"},
            "new": [{}],
            "resolved": [{}, {}],
        },
    }
    history = history_evidence(later)
    assert (
        history["runs"] == 3
        and history["fixed"] == 2
        and history["previous"].startswith("2026-11-20")
    )
    assert history["changes"]["resolved"] == 2


def test_the_report_shows_the_matrix_and_each_finding_its_controls() -> None:
    doc = with_frameworks("legacy", ("iso27001", "nis2"))
    page = render_html(doc)
    assert "Controls: what this scan is evidence toward" in page
    assert "A.8.24</strong> Use of cryptography" in page
    assert "Weakness found" in page and "not proof" in page
    assert "Evidence toward: iso27001 " in page
    assert "vendor&#39;s first run" in page or "vendor's first run" in page
    rows = list(csv.DictReader(io.StringIO(render_csv(doc))))
    tls = next(r for r in rows if r["check_id"] == "tls.protocol.tls10_tls11")
    assert "iso27001: " in tls["controls"] and "A.8.24" in tls["controls"]
    assert "nis2: " in tls["controls"]


def test_no_framework_no_matrix() -> None:
    doc = with_frameworks("legacy", ())
    assert doc["controls"] is None
    assert "Controls: what this scan" not in render_html(doc)
