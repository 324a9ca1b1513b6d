"""PDF reports, read back with poppler-utils as a reader's PDF viewer would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from scanner import api
from scanner.document.build import build_document
from scanner.document.integrity import seal
from scanner.lab.providers import LEGACY
from scanner.model import ScanResult
from scanner.options import OutputOptions
from scanner.render import Format

pytestmark = pytest.mark.lab


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:  # scripts/bootstrap.sh installs poppler-utils; a missing tool is a failure
        pytest.fail(f"{tool} not found: apt-get install poppler-utils")
    return path


def test_pdf_report_has_the_text_and_pages_a_reader_expects(
    default_scans: dict[str, ScanResult], tmp_path: Path
) -> None:
    document = seal(build_document(default_scans[LEGACY.key]))
    (pdf,) = api.write_reports(document, OutputOptions((Format.PDF,), tmp_path))
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        [_poppler("pdftotext"), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for expected in (
        "Legacy Systems",
        "Executive summary",
        "Questions for the provider",
        "Database exposure",
        "Method and limits",
        document["scan"]["run_id"],
        document["integrity"]["sha256"],
    ):
        assert expected in text, expected
    info = subprocess.run(
        [_poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    # Cover, summary, questions, the pitfalls, not assessed, assets, changes, method:
    # each major section starts a page, and nothing runs to hundreds of pages.
    assert 8 <= pages <= 80
    assert "A4" in info or "595.276 x 841.89" in info
