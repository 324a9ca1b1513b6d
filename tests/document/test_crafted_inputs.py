"""Files a provider can hand back: `vetscan verify` and `vetscan report` on crafted PDFs
(objects nested deeper than any parser's stack, an xref table claiming a hundred
million entries, a compression bomb as the embedded JSON) and on a scan whose every
text field carries markup. Each ends within its bounds in time and memory, says
why in one line, and never lets the markup live."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

from scanner.document.integrity import JSON_NAME, seal
from scanner.model import ScanResult
from scanner.pipeline import build_document

MARKUP = "<script>alert('x')</script><img src=x onerror=alert(1)>\x1b[2J"
# What one vetscan command run prints about itself: exit code and peak memory.
CHILD = r"""
import json, os, sys
from scanner.cli import main
code = main(sys.argv[1:])
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
open(os.environ["CHILD_REPORT"], "w").write(json.dumps({"code": code, "peak_mb": peak / 1024}))
"""


def _pdf(objects: list[bytes], xref: bytes | None = None) -> bytes:
    """A PDF of ``objects`` (1 0 obj is the catalog) with a correct xref unless given."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    if xref is None:
        xref = b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        xref += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += xref
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        start,
    )
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 5 0 R >> >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"


def _embedded(stream: bytes, filters: bytes = b"") -> list[bytes]:
    names = b"<< /Names [(" + JSON_NAME.encode() + b") 6 0 R] >>"
    spec = b"<< /Type /Filespec /F (" + JSON_NAME.encode() + b") /EF << /F 7 0 R >> >>"
    file = b"<< /Type /EmbeddedFile /Length %d %s >>\nstream\n" % (len(stream), filters)
    return [names, spec, file + stream + b"\nendstream"]


def _bomb() -> bytes:
    """1 GB of zeros, deflated to about a megabyte, streamed so the test stays small."""
    squeeze = zlib.compressobj(9)
    block = b"\0" * (1 << 20)
    body = b"".join(squeeze.compress(block) for _ in range(1024)) + squeeze.flush()
    return _pdf([CATALOG, PAGES, PAGE, b"<< >>", *_embedded(body, b"/Filter /FlateDecode")])


def _deep() -> bytes:
    depth = 200_000
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /X " + b"[" * depth
    page += b"]" * depth + b" >>"
    return _pdf([CATALOG, PAGES, page, b"<< >>", *_embedded(b"{}")])


def _huge_xref() -> bytes:
    xref = b"xref\n0 100000000\n0000000000 65535 f \n" + b"0000000009 00000 n \n" * 7
    return _pdf([CATALOG, PAGES, PAGE, b"<< >>", *_embedded(b"{}")], xref=xref)


CRAFTED = {"deep": _deep, "huge-xref": _huge_xref, "bomb": _bomb}


def _run(args: list[str], tmp_path: Path) -> dict[str, Any]:
    report = tmp_path / "child.json"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CHILD_REPORT": str(report)},
    )
    child = json.loads(report.read_text()) if report.exists() else {}
    return {"proc": proc, **child}


@pytest.mark.parametrize("kind", sorted(CRAFTED))
def test_verify_refuses_a_crafted_pdf_in_bounds(kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(CRAFTED[kind]())
    ran = _run(["verify", str(path)], tmp_path)
    proc = ran["proc"]
    assert ran.get("code") == 1, (proc.stdout[-800:], proc.stderr[-800:])
    assert "Traceback" not in proc.stderr
    assert ran["peak_mb"] < 400, ran["peak_mb"]
    said = (proc.stdout + proc.stderr).lower()
    assert "pdf" in said and ("not a readable pdf" in said or "cannot be read" in said), said


def test_report_refuses_a_pdf_given_as_a_saved_scan(tmp_path: Path) -> None:
    path = tmp_path / "scan.json"
    path.write_bytes(_bomb())
    ran = _run(["report", str(path), "--out", str(tmp_path / "out")], tmp_path)
    assert ran.get("code") == 2, ran["proc"].stderr[-800:]
    said = ran["proc"].stderr
    assert "the saved scan is not UTF-8 text" in said and said.count("\n") == 1, said
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def _poison(value: Any) -> Any:
    """``value`` with markup appended to every string in it (keys kept)."""
    if isinstance(value, str):
        return value + MARKUP
    if isinstance(value, list):
        return [_poison(v) for v in value]
    if isinstance(value, dict):
        return {k: _poison(v) for k, v in value.items()}
    return value


def _poisoned(document: dict[str, Any], observations: bool) -> dict[str, Any]:
    """``document`` with markup in every text a target can fill: finding details,
    assets and evidence, the provider's name and, with ``observations``, every value
    observed (their kinds kept). Fields the schema constrains (grades, statuses,
    check IDs) keep their values."""
    poisoned = {k: v for k, v in document.items() if k != "integrity"}
    poisoned["findings"] = [
        {**f, "asset": _poison(f["asset"]), "detail": _poison(f["detail"]),
         "evidence": _poison(f["evidence"])}
        for f in document["findings"]
    ]  # fmt: skip
    if observations:
        poisoned["observations"] = [
            {**_poison(o), "kind": o["kind"], "probe": o.get("probe", "")}
            for o in document["observations"]
        ]
    poisoned["provider"] = {**document["provider"], "name": "Poisoned " + MARKUP}
    return seal(poisoned)


@pytest.mark.lab
def test_markup_in_every_text_of_a_saved_scan_never_lives(
    default_scans: dict[str, ScanResult], tmp_path: Path
) -> None:
    path = tmp_path / "poisoned.json"
    path.write_text(json.dumps(_poisoned(dict(build_document(default_scans["broken"])), False)))
    out = tmp_path / "out"
    ran = _run(["report", str(path), "--out", str(out), "--format", "html,csv,json"], tmp_path)
    assert ran.get("code") == 0, ran["proc"].stderr[-1500:]
    html = next(out.glob("*.html")).read_text()
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;" in html and "\x1b" not in html
    assert "\x1b" not in next(out.glob("*.csv")).read_text()
    verified = _run(["verify", str(next(out.glob("*.html")))], tmp_path)
    assert verified.get("code") == 0, verified["proc"].stdout[-800:]
    assert "\x1b" not in verified["proc"].stdout + verified["proc"].stderr


@pytest.mark.lab
def test_a_saved_scan_whose_observations_are_garbage_is_refused_in_one_line(
    default_scans: dict[str, ScanResult], tmp_path: Path
) -> None:
    """Markup in every observed value too: dates that are no dates, addresses that
    are no addresses. The report hooks cannot read them: a usage error, not a crash."""
    path = tmp_path / "garbage.json"
    path.write_text(json.dumps(_poisoned(dict(build_document(default_scans["broken"])), True)))
    ran = _run(["report", str(path), "--out", str(tmp_path / "out")], tmp_path)
    said = ran["proc"].stderr
    assert ran.get("code") == 2, said[-1500:]
    assert "is not a valid scan (its observations:" in said and said.count("\n") == 1, said
    assert "\x1b" not in said and "Traceback" not in said
