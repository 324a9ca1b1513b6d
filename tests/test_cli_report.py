"""Re-issuing and verifying reports from the command line: evidence a buyer can trust."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.lab import manager
from scanner.lab.providers import NAMESERVER

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def signed_scan(lab: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One passive scan of the legacy provider, signed; returns (report folder, public key)."""
    root = tmp_path_factory.mktemp("signed")
    assert main(["keygen", str(root / "key")]) == 0
    out = root / "reports"
    args = ["scan", "legacy.test", "--profile", "passive", "--nameserver", NAMESERVER]
    args += ["--ca-file", str(manager.ca_file(lab)), "--allow-private", "-q"]
    args += ["--out", str(out), "--format", "html,json", "--sign-key", str(root / "key")]
    assert main(args) == 1  # legacy fails checks at the default threshold
    return out, root / "key.pub"


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    return next(dst.glob("*.html"))


def test_an_untouched_report_verifies_with_its_signature(
    signed_scan: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out, pub = signed_scan
    assert sorted(p.suffix for p in out.iterdir()) == [".html", ".json", ".sig"]
    html = next(out.glob("*.html"))
    assert main(["verify", str(html), "--pubkey", str(pub)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == ["json:", "html:", "pair:", "signature:"]
    assert all(line.startswith("ok ") for line in lines)


def test_an_edited_html_page_is_caught(
    signed_scan: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = _copy(signed_scan[0], tmp_path)
    grade = json.loads(html.with_suffix(".json").read_text())["scores"]["grade"]
    page = html.read_text()
    assert f'id="grade">{grade}<' in page and grade != "A"
    html.write_text(page.replace(f'id="grade">{grade}<', 'id="grade">A<'))
    assert main(["verify", str(html)]) == 1
    assert "BAD html: altered" in capsys.readouterr().out


def test_an_edited_json_is_caught_even_with_a_recomputed_digest(
    signed_scan: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scanner.document.integrity import seal

    html = _copy(signed_scan[0], tmp_path)
    path = html.with_suffix(".json")
    doc = json.loads(path.read_text())
    doc["scores"]["grade"] = "A"
    path.write_text(json.dumps(doc))
    assert main(["verify", str(path), "--pubkey", str(signed_scan[1])]) == 1
    assert "BAD json: altered" in capsys.readouterr().out
    # Someone who also recomputes the digest still cannot forge the signature or the page.
    path.write_text(json.dumps(seal(doc)))
    assert main(["verify", str(path), "--pubkey", str(signed_scan[1])]) == 1
    out = capsys.readouterr().out
    assert "ok  json" in out and "BAD pair" in out and "BAD signature: INVALID" in out


def test_report_reissues_a_saved_scan_with_its_run_id(
    signed_scan: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = next(signed_scan[0].glob("*.json"))
    doc = json.loads(original.read_text())
    code = main(["report", str(original), "--format", "html,json,csv", "--out", str(tmp_path)])
    assert code == 0
    written = sorted(tmp_path.iterdir())
    assert [p.suffix for p in written] == [".csv", ".html", ".json"]
    reissued = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert reissued["scan"] == doc["scan"] and reissued["findings"] == doc["findings"]
    assert main(["verify", str(next(tmp_path.glob("*.html")))]) == 0
    # Re-issuing into the same folder never replaces the first set.
    assert main(["report", str(original), "--out", str(tmp_path), "-q"]) == 0
    assert len(list(tmp_path.glob("*.html"))) == 2
    capsys.readouterr()


def test_report_upgrades_an_older_saved_scan(
    signed_scan: tuple[Path, Path], tmp_path: Path
) -> None:
    doc = json.loads(next(signed_scan[0].glob("*.json")).read_text())
    old = {k: doc[k] for k in ("tool", "provider", "scan", "observations", "findings", "scores")}
    old["schema_version"] = "1.0"
    (tmp_path / "old.json").write_text(json.dumps(old))
    assert main(["report", str(tmp_path / "old.json"), "--out", str(tmp_path / "new"), "-q"]) == 0
    page = next((tmp_path / "new").glob("*.html")).read_text()
    assert "Questions for the provider" in page and doc["scan"]["run_id"] in page


def test_report_refuses_altered_or_foreign_files(
    signed_scan: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(next(signed_scan[0].glob("*.json")).read_text())
    doc["findings"] = []
    (tmp_path / "altered.json").write_text(json.dumps(doc))
    assert main(["report", str(tmp_path / "altered.json"), "--out", str(tmp_path)]) == 2
    assert "refusing to re-issue altered evidence" in capsys.readouterr().err
    (tmp_path / "other.json").write_text('{"hello": 1}')
    assert main(["report", str(tmp_path / "other.json"), "--out", str(tmp_path)]) == 2
    assert "not a vetscan scan" in capsys.readouterr().err


def test_signing_needs_the_json_and_a_valid_key(tmp_path: Path) -> None:
    (tmp_path / "bad").write_text("not a key")
    base = ["scan", "exemplary.test", "--out", str(tmp_path)]
    assert main([*base, "--format", "html", "--sign-key", str(tmp_path / "bad")]) == 2
    assert main([*base, "--sign-key", str(tmp_path / "bad")]) == 2
    assert main(["keygen", str(tmp_path / "bad")]) == 2  # never overwrites


def test_out_dash_writes_the_json_document_to_stdout(
    signed_scan: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = next(signed_scan[0].glob("*.json"))
    assert main(["report", str(saved), "--out", "-"]) == 0
    out = capsys.readouterr().out
    document = json.loads(out)  # nothing else on stdout
    assert document["scan"]["run_id"] == json.loads(saved.read_text())["scan"]["run_id"]
    assert not list(Path.cwd().glob("-*"))


def test_csv_for_excel_starts_with_a_byte_order_mark(
    signed_scan: tuple[Path, Path], tmp_path: Path
) -> None:
    saved = next(signed_scan[0].glob("*.json"))
    assert main(["report", str(saved), "--format", "csv", "--csv-bom", "--out", str(tmp_path)]) == 0
    (sheet,) = tmp_path.glob("*.csv")
    data = sheet.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfprovider,run_id,started_utc,grade,score,adjusted_grade,")
