"""What every history store writes for one run, computed once: the run's columns,
its findings rows and the compressed canonical document (stored as produced, so any
machine re-renders the same reports from it)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.document.changes import fingerprint
from scanner.errors import HistoryUnusable


@dataclass(frozen=True)
class StoredRun:
    """One run as a store holds it (what ``history migrate`` copies)."""

    vendor: str
    document: dict[str, Any]
    regressed: bool
    audit_run: str | None = None


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    vendor: str
    started: str
    finished: str
    profile: str
    grade: str | None
    overall: float | None
    adjusted_overall: float | None
    failed_checks: int
    regressed: bool
    sha256: str
    blob: bytes
    findings: tuple[tuple[str, str, str, str, bool, str], ...]
    audit_run: str | None


def run_record(
    vendor: str, document: Mapping[str, Any], regressed: bool, audit_run: str | None = None
) -> RunRecord:
    scores = document.get("scores") or {}
    adjusted = document.get("adjusted_scores") or {}
    findings = document["findings"]
    return RunRecord(
        run_id=document["scan"]["run_id"],
        vendor=vendor,
        started=document["scan"]["started"],
        finished=document["scan"]["finished"],
        profile=document["scan"]["profile"],
        grade=scores.get("grade"),
        overall=scores.get("overall"),
        adjusted_overall=adjusted.get("overall", scores.get("overall")),
        failed_checks=len({f["check_id"] for f in findings if f["status"] == "fail"}),
        regressed=regressed,
        sha256=(document.get("integrity") or {}).get("sha256", ""),
        blob=zlib.compress(json.dumps(document, separators=(",", ":")).encode("utf-8"), 6),
        findings=tuple(
            (
                f["check_id"],
                f["asset"],
                f["status"],
                f["severity"],
                bool(f.get("waiver")),
                fingerprint(f),
            )
            for f in findings
        ),
        audit_run=audit_run,
    )


def load_document(blob: bytes, error: type[HistoryUnusable]) -> dict[str, Any]:
    try:
        document: dict[str, Any] = json.loads(zlib.decompress(blob))
    except (zlib.error, ValueError) as exc:
        raise error(f"a stored run cannot be read ({exc})") from None
    return document


def dump_row(row: Mapping[str, Any]) -> str:
    return json.dumps(row, separators=(",", ":"), sort_keys=True)
