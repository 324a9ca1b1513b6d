"""The pipeline behind scanner.api, written once: scan, build the document, write the
reports, prepare for history, store. The audit runner and the API use it; the API
module adds the audit on top (the runner imports this module, not the API, so the
package has no import circle)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from scanner.audit.portfolio import Vendor, Waiver
from scanner.audit.waivers import adjusted
from scanner.document import build as documents
from scanner.document.integrity import seal, sign
from scanner.document.overview import failed_row, overview_of_rows, row
from scanner.engine import Observer
from scanner.engine import scan as run_engine
from scanner.errors import InputError, ScanIncomplete
from scanner.history.base import HistoryStore
from scanner.history.diff import regressions_since
from scanner.model import ScanResult, Severity, Target
from scanner.net.resolver import Resolver
from scanner.options import OutputOptions, ScanOptions
from scanner.output import (
    WriteError,
    describe_write_error,
    replace_atomic,
    report_stem,
    write_new,
    write_set,
)
from scanner.preflight import preflight
from scanner.probes.context import build_context
from scanner.registry import PluginError, installed
from scanner.render import RENDERERS, Format
from scanner.render.csv import BOM, cell
from scanner.render.html import render_index
from scanner.render.pdf import render_pdf
from scanner.scoring.profile import Profile
from scanner.scoring.score import score


def plugin_problems() -> tuple[PluginError, ...]:
    """Plugins that failed to load (the scan goes on without them)."""
    return installed().errors


def scan(
    target: Target,
    options: ScanOptions,
    observer: Observer | None = None,
    deadline: float | None = None,
) -> ScanResult:
    """Scans ``target`` with every installed probe. ``observer`` hears each probe
    start and end; ``deadline`` (time.monotonic()) bounds the whole scan.

    Raises InputError when a target does not exist or is refused by the address
    policy, ScanIncomplete when the resolver does not answer; a probe that fails
    becomes "not assessed" findings with the reason, never an exception."""
    timeout = options.timeout or options.profile.dns_timeout
    resolver = Resolver(options.nameserver, timeout=timeout)
    policy = options.policy()
    preflight(target, resolver, policy)
    context = build_context(
        resolver,
        policy,
        options.scan_profile(),
        options.ca_file,
        options.timeout or 5.0,
        dict(options.anchors) if options.anchors is not None else None,
    )
    return run_engine(target, installed().probes, context, observer, deadline)


def build_document(
    result: ScanResult,
    previous: Mapping[str, Any] | None = None,
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
    profile: Profile | None = None,
) -> dict[str, Any]:
    """The sealed canonical document of a scan (what the JSON holds and every report
    shows), compared with ``previous``. Waivers are marked, with the score adjusted
    under ``profile`` (the one the scan used) beside the raw one."""
    day = today or datetime.now(UTC).date()
    card = None
    if waivers and profile is not None:
        card = score(adjusted(result.findings, waivers, day), profile).to_json()
    return seal(documents.build_document(result, previous, waivers, day, card))


def write_reports(document: Mapping[str, Any], output: OutputOptions) -> list[Path]:
    """Renders every asked format, then writes them as one set (atomically, never over
    an earlier report). Raises WriteError (a ScanIncomplete) when the disk refuses."""
    if output.to_stdout:
        text = RENDERERS[Format.JSON](dict(document))
        assert isinstance(text, str)
        sys.stdout.write(text)
        sys.stdout.flush()
        return []
    # Render everything before writing anything, so a renderer failure leaves no partial set.
    rendered: dict[str, str | bytes] = {}
    signature = sign(dict(document), output.sign_key) if output.sign_key is not None else None
    for fmt in output.formats:
        if fmt is Format.PDF:
            # The PDF carries the JSON and its signature inside: verifiable on its own.
            rendered["pdf"] = render_pdf(dict(document), signature)
            continue
        content = RENDERERS[fmt](dict(document))
        # A format may be a set of files (questions: .md and .csv), by suffix.
        rendered.update(content if isinstance(content, dict) else {fmt.value: content})
    if output.csv_bom:
        for suffix, content in rendered.items():
            if suffix.endswith("csv") and isinstance(content, str):
                rendered[suffix] = BOM + content
    if signature is not None:
        rendered["json.sig"] = signature
    started = datetime.fromisoformat(document["scan"]["started"])
    stem = report_stem(document["provider"]["name"], started)
    try:
        return write_set(output.out, stem, rendered)
    except OSError as exc:
        raise WriteError(f"reports not written: {describe_write_error(output.out, exc)}") from None


@dataclass(frozen=True)
class Prepared:
    """A scan made ready for history: its document, its reports and what regressed."""

    vendor: str
    document: dict[str, Any]
    paths: tuple[Path, ...] = ()
    regressions: tuple[dict[str, Any], ...] = ()
    first_scan: bool = True
    report_error: str = ""  # the reports could not be written; the scan is still stored

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)


def judge(
    result: ScanResult,
    profile: Profile,
    previous: Mapping[str, Any] | None,
    vendor: str | None = None,
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
) -> Prepared:
    """Compare and seal a scan, and find what regressed: a prepared scan without
    reports (a queue worker's; the coordinator writes the reports)."""
    document = build_document(result, previous, waivers, today, profile)
    threshold = profile.fail_threshold
    found = regressions_since(previous, document, lambda s: Severity(s).at_least(threshold))
    return Prepared(vendor or result.target.name, document, (), tuple(found), previous is None)


# A report set's JSON is read back only to compare its digest; larger is not ours.
_MAX_REPORT_JSON = 64 * 1024 * 1024


def written_reports(document: Mapping[str, Any], output: OutputOptions) -> list[Path]:
    """The report set already written in ``output.out`` for this very document (same
    run ID and digest, every asked format present), else []. A resumed queued audit
    finds the sets the coordinator it replaces wrote, instead of writing them again."""
    integrity = document.get("integrity") or {}
    if output.to_stdout or Format.JSON not in output.formats or not integrity.get("sha256"):
        return []
    stem = report_stem(
        document["provider"]["name"], datetime.fromisoformat(document["scan"]["started"])
    )
    suffixes = {"questions.md" if f is Format.QUESTIONS else f.value for f in output.formats}
    for candidate in sorted(output.out.glob(f"{stem}*.json")):
        name = candidate.name.removesuffix(".json")
        if name != stem and not (name.startswith(f"{stem}-") and name[len(stem) + 1 :].isdigit()):
            continue
        try:
            if candidate.stat().st_size > _MAX_REPORT_JSON:
                continue
            seen = (json.loads(candidate.read_bytes()).get("integrity")) or {}
        except (OSError, ValueError, AttributeError):
            continue
        same = (seen.get("sha256"), seen.get("run_id")) == (
            integrity["sha256"],
            integrity.get("run_id"),
        )
        if same and all(candidate.with_name(f"{name}.{x}").is_file() for x in suffixes):
            return sorted(p for p in output.out.glob(f"{name}.*") if p.is_file())
    return []


def with_reports(prepared: Prepared, output: OutputOptions) -> Prepared:
    """The prepared scan with its reports written. A full disk costs the reports, not
    the scan (``report_error`` says so)."""
    try:
        paths, report_error = tuple(write_reports(prepared.document, output)), ""
    except WriteError as exc:
        paths, report_error = (), str(exc)
    return dataclasses.replace(prepared, paths=paths, report_error=report_error)


def prepare(
    result: ScanResult,
    profile: Profile,
    output: OutputOptions,
    previous: Mapping[str, Any] | None,
    vendor: str | None = None,
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
) -> Prepared:
    """Compare, seal, write reports and find regressions: every step but storing.
    A full disk costs the reports, not the scan (``report_error`` says so)."""
    return with_reports(judge(result, profile, previous, vendor, waivers, today), output)


def store(
    history: HistoryStore,
    prepared: Prepared,
    retention: int | None = None,
    audit_run: str | None = None,
    outcome: Mapping[str, Any] | None = None,
) -> bool:
    """Stores a prepared scan in one transaction (and applies retention). With
    ``audit_run`` and ``outcome`` (a queued audit), False when that audit already
    stored the vendor: nothing was written."""
    stored = history.save(
        prepared.vendor, prepared.document, prepared.regressed, audit_run, outcome
    )
    if stored and retention is not None:
        history.prune(prepared.vendor, retention)
    return stored


def write_overview(
    out: Path, rows: Sequence[dict[str, Any]], summary: Mapping[str, Any] | None = None
) -> Path:
    """The portfolio overview: a dated page, and index.html pointing at the latest one.
    With the audit's ``summary``, also portfolio.json and portfolio.csv beside it (and
    dated copies), for scripts and spreadsheets."""
    now = datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    text = render_index(overview_of_rows(rows, now.isoformat(timespec="seconds")))
    try:
        dated = write_new(out, f"portfolio-{stamp}", "html", text)
        replace_atomic(out / "index.html", text)
        if summary is not None:
            for suffix, content in (
                ("json", json.dumps(summary, indent=2, ensure_ascii=True) + "\n"),
                ("csv", summary_csv(summary)),
            ):
                write_new(out, f"portfolio-{stamp}", suffix, content)
                replace_atomic(out / f"portfolio.{suffix}", content)
    except OSError as exc:
        raise WriteError(f"overview not written: {describe_write_error(out, exc)}") from None
    return dated


SUMMARY_COLUMNS = (
    "vendor", "owner", "tags", "status", "grade", "overall", "adjusted_grade", "previous_grade",
    "first_scan", "regressions", "error", "run_id", "reports",
)  # fmt: skip


def summary_csv(summary: Mapping[str, Any]) -> str:
    """The audit summary, one row per vendor (cells defused as in the report CSV)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for r in summary["vendors"]:
        values = {
            **r,
            "tags": "; ".join(r["tags"]),
            "regressions": len(r["regressions"]),
            "reports": "; ".join(r["reports"]),
        }
        writer.writerow(
            [cell("" if values.get(k) is None else str(values[k])) for k in SUMMARY_COLUMNS]
        )
    return out.getvalue()


def overview_row(
    prepared: Prepared, vendor: Vendor | None = None, trend: Sequence[str] = ()
) -> dict[str, Any] | None:
    """The overview's line for a prepared scan (None when it has no report page)."""
    if not prepared.paths:
        return None
    page = next((p for p in prepared.paths if p.suffix == ".html"), prepared.paths[0])
    questions = next((p.name for p in prepared.paths if p.name.endswith(".questions.md")), None)
    return row(
        prepared.document,
        page.name,
        owner=vendor.owner if vendor else "",
        tags=vendor.tags if vendor else (),
        trend=trend,
        questions=questions,
    )


def failed_overview_row(vendor: Vendor, error: str, trend: Sequence[str] = ()) -> dict[str, Any]:
    return failed_row(vendor.name, vendor.domains, error, vendor.owner, vendor.tags, trend)


def trend_of(history: HistoryStore, vendor: str, runs: int = 5) -> list[str]:
    """The grades of a vendor's last runs, oldest first."""
    return [r.grade or "-" for r in history.runs(vendor)[-runs:]]


COMPARE_FORMATS = ("html", "csv", "pdf", "json")


def write_comparison(
    documents: Sequence[Mapping[str, Any]], out: Path, formats: Sequence[str] = ("html", "csv")
) -> list[Path]:
    """The candidates side by side (2 to 6 scan documents) as one report set
    ``compare-<UTC time>.<format>`` in ``out``: HTML, CSV, PDF or JSON."""
    from scanner.document.compare import compare
    from scanner.render import compare as renderers

    unknown = sorted(set(formats) - set(COMPARE_FORMATS))
    if unknown or not formats:
        raise InputError(f"compare writes {', '.join(COMPARE_FORMATS)} (not {', '.join(unknown)})")
    comparison = compare(documents)
    now = datetime.now(UTC)
    generated = now.isoformat(timespec="seconds")
    render: dict[str, Callable[[dict[str, Any], str], str | bytes]] = {
        "html": renderers.render_compare_html,
        "csv": renderers.render_compare_csv,
        "pdf": renderers.render_compare_pdf,
        "json": renderers.render_compare_json,
    }
    rendered: dict[str, str | bytes] = {f: render[f](comparison, generated) for f in formats}
    try:
        return write_set(out, f"compare-{now.strftime('%Y%m%dT%H%M%SZ')}", rendered)
    except OSError as exc:
        raise WriteError(f"comparison not written: {describe_write_error(out, exc)}") from None


@dataclass
class AuditOptions:
    """How to audit a portfolio: scan options (each vendor's profile, selectors and
    budget apply on top), output, history, concurrency and retention."""

    scan: ScanOptions
    output: OutputOptions
    history: str | Path
    jobs: int = 4
    vendor_budget: float = 900.0
    retention: int | None = None


def completed(result: ScanResult) -> bool:
    """Whether any probe completed (a scan where none did is incomplete)."""
    return any(p.status == "completed" for p in result.probes)


def require_completed(result: ScanResult) -> None:
    if not completed(result):
        raise ScanIncomplete("no probe completed; see the report for the reasons")
