"""Candidates side by side, from the lab's scans (the session's, no rescans)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main
from scanner.document.build import build_document
from scanner.document.compare import compare
from scanner.document.integrity import seal
from scanner.model import ScanResult

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def documents(default_scans: dict[str, ScanResult]) -> dict[str, dict[str, Any]]:
    return {
        key: seal(build_document(default_scans[key])) for key in ("exemplary", "legacy", "broken")
    }


def test_what_each_candidate_has_that_the_others_lack(documents: dict[str, dict[str, Any]]) -> None:
    result = compare([documents["exemplary"], documents["legacy"], documents["broken"]])
    exemplary, legacy, broken = result["candidates"]
    assert [c["grade"] for c in result["candidates"]] == [
        d["scores"]["grade"] for d in documents.values()
    ]
    # Exemplary passes what both others fail: DMARC enforcement, say.
    strengths = {s["check_id"]: s for s in exemplary["strengths"]}
    assert strengths and all(s["failing_at"] for s in strengths.values())
    assert not exemplary["weaknesses"]
    # Broken's expired certificate is its alone.
    assert "tls.cert.expired" in {w["check_id"] for w in broken["weaknesses"]}
    assert any(s["severity"] == "critical" for s in broken["serious"])
    # Questions: those only some must answer are listed per candidate.
    shared = {q["check_id"] for q in result["shared_questions"]}
    for candidate, doc in zip(result["candidates"], documents.values(), strict=False):
        own = {q["check_id"] for q in candidate["own_questions"]}
        assert own | shared >= {q["check_id"] for q in doc["questions"]}
        assert not own & shared
    assert legacy["explanation"] and result["same_profile"]


def test_two_to_six_different_candidates(documents: dict[str, dict[str, Any]]) -> None:
    from scanner.errors import InputError

    with pytest.raises(InputError, match="2 to 6"):
        compare([documents["legacy"]])
    with pytest.raises(InputError, match="a name appears twice"):
        compare([documents["legacy"], documents["legacy"]])


def test_vetscan_compare_writes_html_csv_pdf_and_json(
    documents: dict[str, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = []
    for key, doc in documents.items():
        path = tmp_path / f"{key}.json"
        path.write_text(json.dumps(doc))
        saved.append(str(path))
    out = tmp_path / "out"
    code = main(["compare", *saved, "--out", str(out), "--format", "html,csv,pdf,json"])
    assert code == 0, capsys.readouterr().err
    assert sorted(p.suffix for p in out.iterdir()) == [".csv", ".html", ".json", ".pdf"]
    html = next(out.glob("*.html")).read_text()
    assert "What each candidate has that the others lack" in html
    assert "<script" not in html.lower()  # the lab's hostile text stays text
    (header, *rows) = list(csv.reader(io.StringIO(next(out.glob("*.csv")).read_text())))
    assert header == ["section", "item", "Exemplary Hosting", "Legacy Systems", "Broken Networks"]
    assert rows[0][:2] == ["ranking", "rank"]
    assert main(["compare", saved[0], "--out", str(out)]) == 2
