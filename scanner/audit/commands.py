"""The portfolio commands: audit, history, diff (wiring only; the work is elsewhere)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from scanner.audit.lock import AuditLock, Locked, LockUnavailable
from scanner.audit.memory import limit_arenas, release_memory
from scanner.audit.notify import (
    NotifyError,
    deliver,
    post_webhook,
    send_email,
    validate_email_options,
    validate_webhook,
)
from scanner.audit.portfolio import PortfolioError, Vendor, load_portfolio
from scanner.audit.run import VendorOutcome, run_vendors, summary, summary_row
from scanner.audit.waivers import adjusted
from scanner.checks import catalogue
from scanner.cli import (
    EXIT_FINDINGS,
    EXIT_INCOMPLETE,
    EXIT_OK,
    ScanIncomplete,
    ScanSettings,
    UsageError,
    _settings,
    emit,
    index_row,
    run_scan,
    write_index_rows,
)
from scanner.history.diff import diff, regressions_since
from scanner.history.store import History, HistoryError, default_db
from scanner.model import Severity, Target
from scanner.output import WriteError
from scanner.report.document import build_document
from scanner.report.integrity import seal
from scanner.scoring.profile import Profile, ProfileError, load_profile
from scanner.scoring.score import score
from scanner.textsafe import term

EXIT_LOCKED = 4
DEFAULT_BUDGET_S = 900.0


def _db(args: argparse.Namespace) -> Path:
    path: Path | None = getattr(args, "db", None)
    return path if path is not None else default_db()


def _profiles(vendors: tuple[Vendor, ...], default: str) -> dict[str, Profile]:
    out = {}
    for name in sorted({v.profile or default for v in vendors}):
        try:
            out[name] = load_profile(name)
        except ProfileError as exc:
            raise UsageError(f"portfolio: {exc}") from None
    return out


STOP = threading.Event()


def _terminate(_signum: int, _frame: FrameType | None) -> None:
    # SIGTERM (systemd stop, kill) and Ctrl-C end the audit between two vendors:
    # what is stored stays stored (run_vendors raises KeyboardInterrupt there).
    STOP.set()


def _scan_vendor(
    vendor: Vendor,
    settings: ScanSettings,
    profile: Profile,
    db: Path,
    out: Path,
    budget: float,
    today: Any,
) -> VendorOutcome:
    start = time.monotonic()
    target = Target(vendor.name, vendor.domains, vendor.hosts)
    vendor_settings = replace(settings, profile=profile, dkim_selectors=vendor.dkim_selectors)
    try:
        result = run_scan(target, vendor_settings, deadline=start + budget)
    except (UsageError, ScanIncomplete) as exc:
        return VendorOutcome(vendor, None, error=str(exc))
    # Each worker reads the previous run through its own connection (WAL readers
    # do not block the writer); the audit checked the database once when it opened it.
    with History(db, verify=False) as history:
        previous = history.latest(vendor.name)
    card = (
        score(adjusted(result.findings, vendor.waivers, today), profile).to_json()
        if vendor.waivers
        else None
    )
    document = seal(build_document(result, previous, vendor.waivers, today, card))
    threshold = profile.fail_threshold
    found = regressions_since(previous, document, lambda s: Severity(s).at_least(threshold))
    try:
        paths = emit(document, settings.formats, out, settings.sign_key)
        report_error = ""
    except WriteError as exc:
        # A full disk costs the reports, not the scan: it is still stored in history.
        paths, report_error = [], str(exc)
    return VendorOutcome(
        vendor,
        document,
        tuple(paths),
        tuple(found),
        regressed=bool(found),
        first_scan=previous is None,
        report_error=report_error,
    )


def cmd_audit(args: argparse.Namespace) -> int:
    portfolio = _load(args)
    profiles = _profiles(portfolio.vendors, args.profile)
    settings = _settings(args)
    if args.jobs < 1 or args.jobs > 64:
        raise UsageError("--jobs must be between 1 and 64")
    if not 0 < args.vendor_budget <= 86400:  # also refuses nan and inf
        raise UsageError("--vendor-budget must be between 0 and 86400 seconds")
    if args.retention is not None and args.retention < 1:
        raise UsageError("--retention must be at least 1")
    if args.notify_webhook:
        try:
            validate_webhook(args.notify_webhook)
        except NotifyError as exc:
            raise UsageError(str(exc)) from None
    if args.notify_email and not args.smtp:
        raise UsageError("--notify-email needs --smtp HOST[:PORT]")
    if args.notify_email:
        # Checked before the scans, not after them: a typo must not cost the alert.
        try:
            validate_email_options(
                args.notify_email,
                args.smtp_from,
                args.smtp,
                str(args.smtp_ca_file) if args.smtp_ca_file else None,
            )
        except NotifyError as exc:
            raise UsageError(str(exc)) from None
    if not 0 < args.notify_timeout <= 3600:
        raise UsageError("--notify-timeout must be between 0 and 3600 seconds")
    if args.smtp_user and "VETSCAN_SMTP_PASSWORD" not in os.environ:
        # Never on the command line, where ps and cron logs would show it.
        raise UsageError("--smtp-user needs the password in $VETSCAN_SMTP_PASSWORD")
    db = _db(args)
    limit_arenas()
    STOP.clear()
    previous_handlers = {
        sig: signal.signal(sig, _terminate) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        with AuditLock(db):
            code, report = _audit(args, portfolio.vendors, profiles, settings, db)
        # After the lock is released: a slow alert server never holds up the next run.
        _notify(args, report)
        if STOP.is_set():
            raise ScanIncomplete("stopped while sending alerts; the audit itself is stored")
        return code
    except LockUnavailable as exc:
        raise ScanIncomplete(str(exc)) from None
    except Locked as exc:
        print(f"vetscan: error: {exc}; this run exits (code {EXIT_LOCKED})", file=sys.stderr)
        return EXIT_LOCKED
    except HistoryError as exc:
        raise ScanIncomplete(str(exc)) from None
    finally:
        for sig, handler in previous_handlers.items():
            signal.signal(sig, handler)


def _load(args: argparse.Namespace) -> Any:
    try:
        return load_portfolio(args.portfolio, set(catalogue()))
    except PortfolioError as exc:
        raise UsageError(str(exc)) from None


def _audit(
    args: argparse.Namespace,
    vendors: tuple[Vendor, ...],
    profiles: dict[str, Profile],
    settings: ScanSettings,
    db: Path,
) -> tuple[int, dict[str, Any]]:
    today = datetime.now(UTC).date()
    with History(db) as history:
        bar = _progress(len(vendors), args.quiet)
        index_rows: list[dict[str, Any]] = []

        def store(outcome: VendorOutcome) -> dict[str, Any]:
            if outcome.document is not None:
                history.save(outcome.vendor.name, outcome.document, outcome.regressed)
                if outcome.paths:
                    index_rows.append(index_row(outcome.document, list(outcome.paths)))
                if args.retention is not None:
                    history.prune(outcome.vendor.name, args.retention)
            if bar is not None:
                bar.set_postfix_str(outcome.vendor.name[:30], refresh=False)
                bar.update(1)
            kept = summary_row(outcome)
            release_memory()
            return kept

        rows = run_vendors(
            vendors,
            lambda v: _scan_vendor(
                v,
                settings,
                profiles[v.profile or args.profile],
                db,
                args.out,
                args.vendor_budget,
                today,
            ),
            args.jobs,
            store,
            STOP,
        )
        if bar is not None:
            bar.close()
    overview_error = ""
    if index_rows:
        try:
            write_index_rows(args.out, index_rows)
        except ScanIncomplete as exc:
            overview_error = str(exc)
    report = summary(rows, db)
    _print_summary(report, args.quiet)
    unwritten = [r for r in report["vendors"] if r["report_error"]]
    if unwritten or overview_error:
        # Everything scanned is stored; what is missing are files, and cron must hear it.
        what = unwritten[0]["report_error"] if unwritten else overview_error
        count = f" ({len(unwritten)} vendor(s))" if unwritten else ""
        print(
            f"vetscan: error: {term(what)}{count}; the scans are stored in history "
            "(vetscan report --run RUN_ID writes them again)",
            file=sys.stderr,
        )
        return EXIT_INCOMPLETE, report
    if report["regressed"]:
        return EXIT_FINDINGS, report
    if report["errors"] == len(vendors):
        print("vetscan: error: no vendor could be scanned; see the messages above", file=sys.stderr)
        return EXIT_INCOMPLETE, report
    return EXIT_OK, report


def _progress(total: int, quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except OSError:
        size = os.terminal_size((80, 24))
    # A terminal that reports no size (a bare pty, some CI consoles) would hide the bar.
    return tqdm(
        total=total,
        unit="vendor",
        file=sys.stderr,
        leave=False,
        ncols=size.columns or 80,
        nrows=size.lines or 24,
    )


def _print_summary(report: dict[str, Any], quiet: bool) -> None:
    for row in report["vendors"]:
        if quiet and row["status"] == "ok":
            continue
        grade = row["grade"] or "-"
        was = f" (was {row['previous_grade']})" if row["previous_grade"] else ""
        waived = f", {row['adjusted_grade']} with accepted risks" if row["adjusted_grade"] else ""
        line = f"{row['status'].upper():9} {row['vendor']}: grade {grade}{was}{waived}"
        print(term(line))
        if row["error"]:
            print(f"          {term(row['error'])}")
        for r in row["regressions"][:10]:
            print(f"          {r['severity']}: {r['check_id']} on {term(r['asset'])}")
        if len(row["regressions"]) > 10:
            print(f"          ... and {len(row['regressions']) - 10} more")
    if not quiet:
        print(
            f"{len(report['vendors'])} vendor(s): {report['regressed']} regressed, "
            f"{report['errors']} error(s); history {report['history']}"
        )


def _notify(args: argparse.Namespace, report: dict[str, Any]) -> None:
    if not (report["regressed"] or report["errors"]) and not args.notify_always:
        return
    alerts: list[tuple[str, Callable[[], object]]] = []
    if args.notify_webhook:
        url = args.notify_webhook
        alerts.append(("webhook", lambda: post_webhook(url, report)))
    if args.notify_email:
        host, port = validate_email_options(
            args.notify_email,
            args.smtp_from,
            args.smtp,
            str(args.smtp_ca_file) if args.smtp_ca_file else None,
        )
        login = (args.smtp_user, os.environ["VETSCAN_SMTP_PASSWORD"]) if args.smtp_user else None
        alerts.append(
            (
                "email",
                lambda: send_email(
                    report,
                    host,
                    port,
                    args.smtp_from,
                    args.notify_email,
                    str(args.smtp_ca_file) if args.smtp_ca_file else None,
                    login=login,
                ),
            )
        )
    for warning in deliver(alerts, args.notify_timeout, STOP):
        print(f"vetscan: warning: alert not delivered: {term(warning)}", file=sys.stderr)


def _existing_db(args: argparse.Namespace) -> Path:
    path = _db(args)
    if not path.is_file():
        # Reading a history never creates one (a typo in --db used to make an empty file).
        raise UsageError(f"no history database at {path}")
    return path


def cmd_history(args: argparse.Namespace) -> int:
    _existing_db(args)
    try:
        with History(_db(args), read_only=True) as history:
            if args.vendor is None:
                for name in history.vendors():
                    print(term(name))
                return EXIT_OK
            runs = history.runs(args.vendor)
    except HistoryError as exc:
        raise ScanIncomplete(str(exc)) from None
    if not runs:
        raise UsageError(f"no runs of {args.vendor!r} in {_db(args)}")
    for run in runs:
        overall = f"{run.overall:5.1f}" if run.overall is not None else "    -"
        flag = "  regressed" if run.regressed else ""
        print(
            f"{run.started}  {run.run_id}  {run.grade or '-':10} {overall}  "
            f"{run.failed_checks} failing check(s){flag}"
        )
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    _existing_db(args)
    try:
        with History(_db(args), read_only=True) as history:
            runs = [r.run_id for r in history.runs(args.vendor)]
            if not runs:
                raise UsageError(f"no runs of {args.vendor!r} in {_db(args)}")
            to_run = args.to or runs[-1]
            if args.from_run is None and len(runs) < 2:
                raise UsageError(f"{args.vendor!r} has a single run; nothing to compare")
            from_run = args.from_run or runs[runs.index(to_run) - 1 if to_run in runs else -2]
            for run in (from_run, to_run):
                if run not in runs:
                    raise UsageError(f"run {run} is not a run of {args.vendor!r}")
            old, new = history.document(from_run), history.document(to_run)
    except HistoryError as exc:
        raise ScanIncomplete(str(exc)) from None
    assert old is not None and new is not None
    change = diff(old, new)
    if args.json:
        print(json.dumps(change, indent=2, ensure_ascii=True))
        return EXIT_OK
    _print_diff(change)
    return EXIT_OK


def _print_diff(change: dict[str, Any]) -> None:
    a, b = change["from"], change["to"]
    print(f"{a['started']} ({a['run_id']}) -> {b['started']} ({b['run_id']})")
    print(f"grade {a['grade']} -> {b['grade']}, score {a['overall']} -> {b['overall']}")
    for p in change["pitfalls"]:
        print(f"  pitfall {p['pitfall']}: {p['from']} -> {p['to']}")
    labels = {
        "new": "new",
        "worsened": "worse",
        "resolved": "resolved",
        "improved": "better",
        "accepted": "accepted",
        "no_longer_assessed": "not assessed now",
        "changed": "changed",
    }
    for key, label in labels.items():
        for f in change[key]:
            text = f"  {label}: {f['check_id']} on {f['asset']} ({f['from_status'] or 'absent'} -> {f['to_status'] or 'absent'})"
            print(term(text))
    for p in change["ports_opened"]:
        print(f"  port opened: {p['address']}:{p['port']} {term(p['service'])}")
    for p in change["ports_closed"]:
        print(f"  port closed: {p['address']}:{p['port']} {term(p['service'])}")
    for c in change["certificates"]:
        print(f"  certificate changed: {term(c['endpoint'])} (expires {c['to_not_after']})")
    for r in change["records"]:
        print(term(f"  record changed: {r['record']}: -{r['removed']} +{r['added']}"))
