"""The answers round trip on the lab (#26 item 5): Legacy Systems' scan stored, its
questions CSV written, filled in as a provider would (in Excel), imported with
`vetscan answers import`, and the next run shows every answer beside what it finds:
a claimed fix that still fails is flagged (news, never "OK"), a dispute stands
beside its finding, an accepted risk acts as a waiver until it expires."""

from __future__ import annotations

import csv
import dataclasses
import io
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from scanner import api
from scanner.audit.portfolio import Vendor
from scanner.audit.run import VendorOutcome, summary_row
from scanner.cli import main
from scanner.model import ScanResult
from scanner.options import OutputOptions
from scanner.render.html import render_html
from scanner.scoring.profile import load_profile

pytestmark = pytest.mark.lab

FIXED, DISPUTED, ACCEPTED = (
    "service.database_exposed",
    "tls.protocol.sslv2_sslv3",
    "dns.caa.missing",
)


def _again(result: ScanResult) -> ScanResult:
    """The next run of the same facts (nothing changed at the provider since)."""
    meta = dataclasses.replace(
        result.meta,
        run_id=str(uuid.uuid4()),
        started=result.meta.started + timedelta(days=7),
        finished=result.meta.finished + timedelta(days=7),
    )
    return dataclasses.replace(result, meta=meta)


def _fill(path: Path, expires: str) -> None:
    """The provider's answers, written back as Excel saves them (semicolons, BOM)."""
    rows = list(
        csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), delimiter=";")
    )
    for row in rows:
        if row["check_id"] == FIXED:
            row.update(
                status="fixed", response="Firewalled on 2026-12-08", answered_by="ops@legacy.test"
            )
        elif row["check_id"] == DISPUTED:
            row.update(
                status="disputed", response="Port 993 is a honeypot", answered_by="ciso@legacy.test"
            )
        elif row["check_id"] == ACCEPTED:
            row.update(
                status="accepted risk",
                response="No CA pinning needed",
                answered_by="buyer CISO",
                expires=expires,
            )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text("\ufeff" + out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def round_trip(
    default_scans: dict[str, ScanResult], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("answers")
    db = str(root / "h.db")
    profile = load_profile("default")
    first = default_scans["legacy"]
    output = OutputOptions.build("html,questions", root / "first", csv_excel=True)
    with api.open_store(db) as history:
        prepared = api.prepare(first, profile, output, None, "Legacy Systems")
        api.store(history, prepared)
    sheet = next(p for p in prepared.paths if p.name.endswith(".questions.csv"))
    expires = (first.meta.started + timedelta(days=200)).date().isoformat()
    _fill(sheet, expires)
    code = main(["answers", "import", str(sheet), "--db", db])
    second_run = _again(first)
    with api.open_store(db) as history:
        answers = history.answers("Legacy Systems")
        previous = history.previous("Legacy Systems")
        output = OutputOptions.build("html,questions", root / "second")
        again = api.prepare(
            second_run, profile, output, previous, "Legacy Systems", answers=answers,
            today=second_run.meta.started.date(),
        )  # fmt: skip
    return {
        "code": code,
        "answers": answers,
        "again": again,
        "db": db,
        "sheet": sheet,
        "first": prepared,
    }


def test_the_filled_sheet_is_recorded_with_who_and_when(round_trip: dict[str, Any]) -> None:
    assert round_trip["code"] == 0
    by_check = {a.check_id: a for a in round_trip["answers"]}
    assert set(by_check) == {FIXED, DISPUTED, ACCEPTED}
    assert (by_check[FIXED].status, by_check[FIXED].answered_by) == ("fixed", "ops@legacy.test")
    assert by_check[DISPUTED].response == "Port 993 is a honeypot"
    assert by_check[ACCEPTED].status == "accepted" and by_check[ACCEPTED].expires
    assert all(a.recorded_at and a.source.endswith(".questions.csv") for a in by_check.values())


def test_the_next_run_flags_a_claimed_fix_that_still_fails(round_trip: dict[str, Any]) -> None:
    again = round_trip["again"]
    states = {a["check_id"]: a for a in again.document["answers"]}
    assert states[FIXED]["flag"].startswith("Claimed fixed by ops@legacy.test on ")
    assert states[FIXED]["still_failing"]
    row = summary_row(VendorOutcome(Vendor("Legacy Systems", ("legacy.test",)), again))
    assert row["status"] in ("news", "regressed") and row["status"] != "ok"
    assert any(n["check_id"] == FIXED and n["why"].startswith("claimed fixed") for n in row["news"])
    html = render_html(again.document)
    assert "fix(es) the provider claimed still fail in this scan" in html
    assert "but it still fails in this scan." in html


def test_a_dispute_stands_beside_its_finding(round_trip: dict[str, Any]) -> None:
    document = round_trip["again"].document
    assert any(q["check_id"] == DISPUTED for q in document["questions"])  # still asked
    html = render_html(document)
    assert "disputed</strong>: Port 993 is a honeypot" in html


def test_an_accepted_risk_acts_as_a_waiver_until_it_expires(round_trip: dict[str, Any]) -> None:
    document = round_trip["again"].document
    waived = [f for f in document["findings"] if f["check_id"] == ACCEPTED and f.get("waiver")]
    assert waived and all(w["waiver"]["accepted_by"] == "buyer CISO" for w in waived)
    assert ACCEPTED not in {q["check_id"] for q in document["questions"]}
    assert document["adjusted_scores"] is not None


def test_the_next_questions_come_back_with_the_answers_filled_in(
    round_trip: dict[str, Any],
) -> None:
    sheet = next(p for p in round_trip["again"].paths if p.name.endswith(".questions.csv"))
    rows = {r["check_id"]: r for r in csv.DictReader(io.StringIO(sheet.read_text(), newline=""))}
    assert rows[FIXED]["status"] == "fixed" and rows[FIXED]["answered_by"] == "ops@legacy.test"
    text = next(
        p for p in round_trip["again"].paths if p.name.endswith(".questions.txt")
    ).read_text()
    assert "\\" not in text  # plain text for an e-mail: no Markdown escapes


def test_a_wrong_sheet_is_refused_with_its_line_and_nothing_recorded(
    round_trip: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = round_trip["sheet"].read_text(encoding="utf-8-sig")
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace("ops@legacy.test", "", 1), encoding="utf-8")
    assert main(["answers", "import", str(bad), "--db", round_trip["db"]]) == 2
    assert "answered_by is empty; say who answers" in capsys.readouterr().err
    other = tmp_path / "other.csv"
    run_id = round_trip["first"].document["scan"]["run_id"]
    other.write_text(text.replace(run_id, "00000000-0000-0000-0000-000000000000"), encoding="utf-8")
    assert main(["answers", "import", str(other), "--db", round_trip["db"]]) == 2
    assert "is not in" in capsys.readouterr().err
    with api.open_store(round_trip["db"]) as history:
        assert len(history.answers("Legacy Systems")) == 3
