"""The golden scans (see scripts/make_golden.py): where they are and which reports
are compared byte for byte."""

from __future__ import annotations

import copy
import gzip
import json
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


def earlier(document: dict[str, Any]) -> dict[str, Any]:
    """A made-up earlier run of a golden scan: one port different, every leaf
    certificate another, a record more in each DNS and SPF answer, other text in
    the other mail records; what the re-audit's "What changed" shows against it."""
    old = copy.deepcopy(document)
    for o in old["observations"]:
        if o["kind"] == "services.address" and o.get("ports"):
            o["ports"] = [*o["ports"][1:], {**o["ports"][0], "port": 4444}]
        if o["kind"] == "tls.endpoint" and (o.get("certificate") or {}).get("received_chain"):
            o["certificate"]["received_chain"][0]["sha256"] = "00"
        if o["kind"] in ("email.spf", "dns.records") and o.get("records"):
            o["records"] = [*o["records"], "v=old"]
        if o["kind"] == "email.record" and o.get("texts"):
            o["texts"] = ["old"]
    return old


def reaudit(document: dict[str, Any]) -> dict[str, str]:
    """The re-audit of a golden scan against ``earlier``: its HTML and its changes."""
    from scanner.document.build import with_sections
    from scanner.document.integrity import seal

    again = seal(with_sections(document, earlier(document)))
    return {
        "reaudit.html": render_html(again),
        "reaudit-changes.json": json.dumps(again["changes"], indent=2) + "\n",
    }
