"""A PDF report carries its evidence: the canonical JSON (and its signature) inside,
checked by `vetscan verify REPORT.pdf`; an HTML page is checked alone when its
JSON was not kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_renderers import document

from scanner.cli import main
from scanner.document.integrity import generate_key, load_private_key, seal
from scanner.options import OutputOptions
from scanner.pipeline import write_reports
from scanner.render.pdf import pdf_available

pytestmark = pytest.mark.skipif(not pdf_available(), reason="WeasyPrint is missing")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("pdf")
    generate_key(root / "key")
    output = OutputOptions(formats=OutputOptions.build("pdf,html,json").formats, out=root / "r")
    output = OutputOptions(output.formats, output.out, load_private_key(root / "key"))
    paths = write_reports(seal(document()), output)
    return next(p for p in paths if p.suffix == ".pdf"), root / "key.pub"


def test_a_pdf_alone_verifies_with_its_embedded_json_and_signature(
    written: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf, pub = written
    alone = tmp_path / pdf.name
    alone.write_bytes(pdf.read_bytes())  # nothing beside it
    assert main(["verify", str(alone), "--pubkey", str(pub)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == ["pdf:", "json:", "pair:", "signature:"]
    assert all(line.startswith("ok ") for line in lines), lines


def test_a_pdf_whose_evidence_was_edited_fails(
    written: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(written[0])
    embedded = reader.attachments["vetscan-report.json"][0].decode()
    forged = PdfWriter(clone_from=reader)
    forged._root_object.pop("/Names", None)  # drop the original attachments
    forged.add_attachment(
        "vetscan-report.json", embedded.replace('"severity": "low"', '"severity": "info"')
    )
    target = tmp_path / "forged.pdf"
    with target.open("wb") as handle:
        forged.write(handle)
    assert main(["verify", str(target)]) == 1
    out = capsys.readouterr().out
    assert "BAD json: altered" in out


def test_an_html_page_without_its_json_is_checked_on_its_own(
    written: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = written[0].with_suffix(".html")
    alone = tmp_path / page.name
    alone.write_bytes(page.read_bytes())
    assert main(["verify", str(alone)]) == 0
    out = capsys.readouterr().out
    assert "ok  html: intact" in out and "not beside the page" in out
    alone.write_text(alone.read_text().replace("Example", "Examp1e", 1))
    assert main(["verify", str(alone)]) == 1
