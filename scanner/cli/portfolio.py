"""`vetscan audit`, `history` and `diff`: a portfolio re-audited, its history read.

The audit itself is scanner.api.audit; this module validates the alert options
before anything is scanned, turns SIGTERM and Ctrl-C into the stop event the API
takes, shows progress, prints the summary, sends alerts after the history's lock is
released, and chooses the exit code."""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from scanner import api
from scanner.checks import catalogue
from scanner.cli.args import existing_history, history_location, output_options, scan_options
from scanner.cli.exits import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK
from scanner.cli.queue import cmd_migrate, queue_options
from scanner.errors import InputError
from scanner.textsafe import term


def _alerts(args: argparse.Namespace) -> api.AlertOptions:
    """Alert options are checked before the scans: a typo must not cost the alert."""
    if args.smtp_user and "VETSCAN_SMTP_PASSWORD" not in os.environ:
        # Never on the command line, where ps and cron logs would show it.
        raise InputError("--smtp-user needs the password in $VETSCAN_SMTP_PASSWORD")
    login = (args.smtp_user, os.environ["VETSCAN_SMTP_PASSWORD"]) if args.smtp_user else None
    return api.AlertOptions.build(
        webhook=args.notify_webhook,
        email=args.notify_email or (),
        smtp=args.smtp,
        smtp_from=args.smtp_from,
        smtp_ca_file=str(args.smtp_ca_file) if args.smtp_ca_file else None,
        login=login,
        timeout=args.notify_timeout,
        always=args.notify_always,
    )


def _audit_options(args: argparse.Namespace) -> api.AuditOptions:
    if str(args.out) == "-":
        raise InputError("--out - writes one scan's JSON to stdout; an audit needs a folder")
    if not 1 <= args.jobs <= 64:
        raise InputError("--jobs must be between 1 and 64")
    if not (math.isfinite(args.vendor_budget) and 0 < args.vendor_budget <= 86400):
        raise InputError("--vendor-budget must be between 0 and 86400 seconds")
    if args.retention is not None and args.retention < 1:
        raise InputError("--retention must be at least 1")
    return api.AuditOptions(
        scan=scan_options(args),
        output=output_options(args),
        history=history_location(args),
        jobs=args.jobs,
        vendor_budget=args.vendor_budget,
        retention=args.retention,
    )


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """SIGTERM (systemd stop, kill) and Ctrl-C set the event the audit checks between
    two vendors (and the alerts check while they wait): what is stored stays stored."""
    stop = threading.Event()

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def cmd_audit(args: argparse.Namespace) -> int:
    queued = queue_options(args)
    if args.portfolio is None and not (queued is not None and args.resume):
        raise InputError("audit needs PORTFOLIO.toml (or --queue URL --resume RUN_ID)")
    portfolio = (
        api.load_portfolio(args.portfolio, set(catalogue())) if args.portfolio is not None else None
    )
    options = _audit_options(args)
    alerts = _alerts(args)
    with _stop_on_signals() as stop:
        total = len(portfolio.vendors) if portfolio else None
        bar = _progress(total, args.quiet)
        done = [0]

        def advanced(row: dict[str, Any]) -> None:
            done[0] += 1
            if bar is not None:
                bar.set_postfix_str(row["vendor"][:30], refresh=False)
                bar.update(1)
            elif not args.quiet:
                # Not a terminal (a log, a CI console): a line per vendor instead of a bar.
                print(term(_progress_line(row, done[0], total)), file=sys.stderr, flush=True)

        try:
            if queued is not None:
                result = api.queued_audit(portfolio, options, queued, stop, advanced, _notice(args))
            else:
                assert portfolio is not None
                result = api.audit(portfolio, options, stop, advanced)
        finally:
            if bar is not None:
                bar.close()
        _print_summary(result.summary, args.quiet)
        if result.overview is not None and not args.quiet:
            index = result.overview.with_name("index.html")
            print(f"overview: {term(str(index))} (portfolio.json and portfolio.csv beside it)")
        code = _audit_exit(result)
        # After the lock is released: a slow alert server never holds up the next run.
        for warning in api.send_alerts(alerts, result.summary, stop):
            print(f"vetscan: warning: alert not delivered: {term(warning)}", file=sys.stderr)
        if stop.is_set():
            print(
                "vetscan: error: stopped while sending alerts; the audit itself is stored",
                file=sys.stderr,
            )
            return EXIT_INCOMPLETE
    return code


def _notice(args: argparse.Namespace) -> Callable[[str], None]:
    def say(text: str) -> None:
        if not args.quiet:
            print(f"vetscan: {term(text)}", file=sys.stderr, flush=True)

    return say


def _audit_exit(result: api.AuditResult) -> int:
    if result.unfinished:
        print(
            f"vetscan: error: {len(result.unfinished)} vendor(s) not finished by the workers; "
            f"vetscan audit --queue URL --resume {result.audit_run} collects them",
            file=sys.stderr,
        )
        return EXIT_INCOMPLETE
    unwritten = result.report_errors
    if unwritten or result.overview_error:
        # Everything scanned is stored; what is missing are files, and cron must hear it.
        what = unwritten[0]["report_error"] if unwritten else result.overview_error
        count = f" ({len(unwritten)} vendor(s))" if unwritten else ""
        print(
            f"vetscan: error: {term(what)}{count}; the scans are stored in history "
            "(vetscan report --run RUN_ID writes them again)",
            file=sys.stderr,
        )
        return EXIT_INCOMPLETE
    if result.summary["regressed"] or result.summary.get("news"):
        return EXIT_FINDINGS
    if result.all_failed:
        print("vetscan: error: no vendor could be scanned; see the messages above", file=sys.stderr)
        return EXIT_INCOMPLETE
    return EXIT_OK


def _progress_line(row: dict[str, Any], done: int, total: int | None) -> str:
    count = f"{done}/{total}" if total else str(done)
    grade = f", grade {row['grade']}" if row.get("grade") else ""
    took = f" in {row['elapsed_s']:.1f} s" if row.get("elapsed_s") else ""
    return f"vetscan: [{count}] {row['vendor']}: {row['status']}{grade}{took}"


def _progress(total: int | None, quiet: bool) -> Any:
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
            title = term(r.get("title") or r["check_id"])
            print(f"          {r['severity']}: {title} on {term(r['asset'])}")
        if len(row["regressions"]) > 10:
            print(f"          ... and {len(row['regressions']) - 10} more")
        for r in (row.get("news") or [])[:10]:
            title = term(r.get("title") or r["check_id"])
            why = term(r.get("why") or "the previous run could not assess it")
            print(f"          {r['severity']}: {title} on {term(r['asset'])} (fails; {why})")
        page = next((p for p in row["reports"] if p.endswith(".html")), None)
        if page is not None and not quiet:
            print(f"          report: {term(page)}")
    if not quiet:
        print(
            f"{len(report['vendors'])} vendor(s): {report['regressed']} regressed, "
            f"{report.get('news', 0)} with news, "
            f"{report.get('new', 0)} new, {report['errors']} error(s); "
            f"history {report['history']}"
        )


def cmd_history(args: argparse.Namespace) -> int:
    if args.vendor == "migrate" and (args.migrate_from or args.migrate_to):
        return cmd_migrate(args)
    if args.migrate_from or args.migrate_to:
        raise InputError("--from and --to belong to 'vetscan history migrate'")
    location = existing_history(args)
    with api.open_store(location, read_only=True) as history:
        if args.vendor is None:
            for name in history.vendors():
                runs = history.runs(name)
                last = runs[-1] if runs else None
                grades = " -> ".join(r.grade or "-" for r in runs[-5:])
                when = f"last {last.started[:10]}" if last else "no runs"
                print(term(f"{name}: {grades or '-'} ({len(runs)} run(s), {when})"))
            return EXIT_OK
        runs = history.runs(args.vendor)
    if not runs:
        raise InputError(f"no runs of {args.vendor!r} in {history.location}")
    for run in runs:
        overall = f"{run.overall:5.1f}" if run.overall is not None else "    -"
        flag = "  regressed" if run.regressed else ""
        print(
            f"{run.started}  {run.run_id}  {run.grade or '-':10} {overall}  "
            f"{run.failed_checks} failing check(s){flag}"
        )
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    location = existing_history(args)
    with api.open_store(location, read_only=True) as history:
        runs = [r.run_id for r in history.runs(args.vendor)]
        if not runs:
            raise InputError(f"no runs of {args.vendor!r} in {history.location}")
        to_run = args.to or runs[-1]
        if args.from_run is None and len(runs) < 2:
            raise InputError(f"{args.vendor!r} has a single run; nothing to compare")
        from_run = args.from_run or runs[runs.index(to_run) - 1 if to_run in runs else -2]
        for run in (from_run, to_run):
            if run not in runs:
                raise InputError(f"run {run} is not a run of {args.vendor!r}")
        old, new = history.get(from_run), history.get(to_run)
    assert old is not None and new is not None
    change = api.diff(old, new)
    if args.json:
        print(json.dumps(change, indent=2, ensure_ascii=True))
        return EXIT_OK
    _print_diff(change)
    return EXIT_OK


def _print_diff(change: dict[str, Any]) -> None:
    a, b = change["from"], change["to"]
    print(f"{a['started']} ({a['run_id']}) -> {b['started']} ({b['run_id']})")
    print(f"grade {a['grade']} -> {b['grade']}, score {a['overall']} -> {b['overall']}")
    from scanner.checks import PITFALL_TITLES

    for p in change["pitfalls"]:
        title = PITFALL_TITLES.get(p["pitfall"], p["pitfall"])
        print(f"  {title}: {p['from']} -> {p['to']}")
    labels = {
        "new": "new",
        "worsened": "worse",
        "resolved": "resolved",
        "improved": "better",
        "accepted": "accepted",
        "no_longer_assessed": "not assessed now",
        "newly_assessed": "assessed now, not last time (news)",
        "changed": "changed",
    }
    if change.get("profile_changed"):
        moved = change["profile_changed"]
        print(
            f"  profile changed: {moved['from']} -> {moved['to']} (verdicts may differ for that reason)"
        )
    for key, label in labels.items():
        for f in change.get(key, []):
            title = f.get("title") or f["check_id"]
            text = (
                f"  {label}: [{f['severity']}] {title} ({f['check_id']}) on {f['asset']} "
                f"({f['from_status'] or 'absent'} -> {f['to_status'] or 'absent'})"
            )
            print(term(text))
    for line in api.change_lines(change):
        print(term(f"  {line}"))


def cmd_answers(args: argparse.Namespace) -> int:
    """`vetscan answers import FILE`: the provider's answers into the history."""
    recorded = api.import_answers(existing_history(args), args.file)
    if not args.quiet:
        by_vendor: dict[str, list[api.Answer]] = {}
        for answer in recorded:
            by_vendor.setdefault(answer.vendor, []).append(answer)
        if not recorded:
            print(
                f"{term(str(args.file))}: no answered question (fill status, response, answered_by)"
            )
        for vendor, answers in sorted(by_vendor.items()):
            counts = ", ".join(
                f"{sum(1 for a in answers if a.status == s)} {s}"
                for s in ("fixed", "accepted", "disputed")
                if any(a.status == s for a in answers)
            )
            print(term(f"{vendor}: {len(answers)} answer(s) recorded ({counts})"))
            for a in answers:
                until = f" until {a.expires}" if a.expires else ""
                print(
                    term(
                        f"  {a.check_id}: {a.status}{until}, by {a.answered_by} on {a.answered_on}"
                    )
                )
        print("the next scan or audit of each vendor shows them beside what it finds")
    return EXIT_OK
