"""The golden scans (see scripts/make_golden.py): where they are and which reports
are compared byte for byte."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from scanner.render.csv import render_csv
from scanner.render.html import render_html
from scanner.render.questions import render_questions

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"


def rendered(document: dict[str, Any]) -> dict[str, str]:
    """The text reports of a document, by file name (the PDF is not byte-stable)."""
    out = {"report.html": render_html(document), "report.csv": render_csv(document)}
    out.update(render_questions(document))
    return out


def read(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def write(path: Path, text: str) -> None:
    # mtime 0: the same text gives the same bytes, so an unchanged golden file
    # does not show as changed in git.
    path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
