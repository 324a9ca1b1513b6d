"""Re-audit news (#26 item 8): a serious failure found where the previous run could
not look is news in the audit summary, the overview, the report, alerts and the
exit code, never "OK". Stale Signatures as the issue saw it: its first run could
not assess DNSSEC (no trust anchors), its second finds the critical failure."""

from __future__ import annotations

import copy
import dataclasses
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from support.golden import GOLDEN, read
from support.receivers import Receiver

from scanner import api
from scanner.audit.alerts import AlertOptions, send_alerts
from scanner.audit.notify import email_text
from scanner.audit.portfolio import Vendor
from scanner.audit.run import VendorOutcome, summary, summary_row
from scanner.cli import main
from scanner.document.integrity import seal
from scanner.history.sqlite import SqliteHistory
from scanner.pipeline import judge
from scanner.pipeline.overview import summary_csv
from scanner.render.html import render_html, render_index
from scanner.scoring.profile import load_profile

NOT_ASSESSED = "the resolver could not validate: no trust anchors given"


def _stale() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(read(GOLDEN / "stale" / "scan.json.gz"))
    return document


def _earlier(document: dict[str, Any]) -> dict[str, Any]:
    """The same scan as a first run that could not assess DNSSEC."""
    old = copy.deepcopy(document)
    old["scan"]["run_id"] = "earlier-run"
    old["scan"]["started"] = "2026-11-06T09:00:00+00:00"
    for f in old["findings"]:
        if f["check_id"].startswith("dns.dnssec"):
            f["status"], f["detail"] = "not_assessed", NOT_ASSESSED
    old.pop("integrity", None)
    return seal(old)


@pytest.fixture(scope="module")
def second() -> dict[str, Any]:
    document = _stale()
    profile = load_profile("default")
    previous = _earlier(document)
    prepared = judge(api.rejudge(document, profile), profile, previous, "Stale Signatures")
    vendor = Vendor("Stale Signatures", ("stale.test",))
    row = summary_row(VendorOutcome(vendor, prepared))
    return {"prepared": prepared, "previous": previous, "row": row, "vendor": vendor}


def test_the_audit_summary_calls_it_news_not_ok(second: dict[str, Any]) -> None:
    prepared, row = second["prepared"], second["row"]
    assert not prepared.regressed  # it may have failed all along: not a regression
    assert row["status"] == "news"
    (found,) = row["news"]
    assert found["check_id"] == "dns.dnssec.invalid" and found["severity"] == "critical"
    assert found["title"] == "DNSSEC validation"
    report = summary([row], "h.db")
    assert report["news"] == 1
    assert "news" in summary_csv(report).splitlines()[0].split(",")
    subject, body = email_text(report)
    assert "1 with news" in subject
    assert (
        "critical: DNSSEC validation on stale.test (fails; the previous run could not assess it)"
        in body
    )


def test_alerts_go_out_for_news(second: dict[str, Any]) -> None:
    report = summary([second["row"]], "h.db")
    receiver = Receiver()
    try:
        warnings = send_alerts(AlertOptions(webhook=receiver.url), report, threading.Event())
    finally:
        receiver.close()
    assert warnings == []
    ((_, body),) = receiver.bodies
    assert body["news"] == 1 and body["vendors"][0]["status"] == "news"


def test_the_report_and_the_overview_show_the_news(second: dict[str, Any]) -> None:
    document = second["prepared"].document
    html = render_html(document)
    assert "News: 1 serious failure(s) found where the previous scan could not look" in html
    assert "DNSSEC validation (critical) on stale.test" in html
    line = api.overview_row(
        dataclasses.replace(second["prepared"], paths=(Path("stale.html"),)),
        second["vendor"],
        [
            {"grade": "incomplete", "overall": None, "started": "2026-11-06"},
            {"grade": "F", "overall": 61.0, "started": "2026-11-20"},
            {"grade": document["scores"]["grade"], "overall": 63.5, "started": "2026-12-06"},
        ],
    )
    assert line is not None and line["change"]["newly_found"] == 1
    page = render_index({"generated": "now", "pitfall_titles": {}, "providers": [line]})
    assert "1 serious failure(s) found where the last scan could not look" in page
    assert "incomplete → F →" in page
    assert 'aria-label="score over the last 2 runs: 61.0, 63.5"' in page
    assert f"<td>{document['scores']['profile']}</td>" in page


def test_diff_and_history_name_checks_and_grades(
    second: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.db"
    with SqliteHistory(db) as history:
        history.save("Stale Signatures", second["previous"], False)
        history.save("Stale Signatures", second["prepared"].document, False)
    assert main(["diff", "Stale Signatures", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert (
        "assessed now, not last time (news): [critical] DNSSEC validation "
        "(dns.dnssec.invalid) on stale.test (not_assessed -> fail)"
    ) in out
    assert main(["history", "--db", str(db)]) == 0
    listed = capsys.readouterr().out
    grade = second["prepared"].document["scores"]["grade"]
    earlier = second["previous"]["scores"]["grade"]
    assert f"Stale Signatures: {earlier} -> {grade} (2 run(s), last 2026-12-" in listed
