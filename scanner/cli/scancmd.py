"""`vetscan scan` and `vetscan demo`: one provider (or each lab provider), its reports,
and history (compared with, then stored in)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from scanner import api
from scanner.cli.args import history_location, output_options, scan_options, target
from scanner.cli.exits import EXIT_FINDINGS, EXIT_OK
from scanner.cli.gate import gate_reasons
from scanner.document.counts import check_counts, describe
from scanner.errors import HistoryUnusable, InputError, ScanIncomplete
from scanner.model import ProbeResult, ScanResult, Target
from scanner.net.targets import parse_host_port
from scanner.options import OutputOptions, ScanOptions, discovery_overrides
from scanner.scoring.profile import Profile
from scanner.scoring.settings import Override
from scanner.textsafe import term


def _progress(name: str, result: ProbeResult | None) -> None:
    if result is None:
        print(f"  {name}: started", file=sys.stderr)
    else:
        extra = f" ({term(result.reason)})" if result.reason else ""
        print(f"  {name}: {result.status} in {result.duration_s:.2f} s{extra}", file=sys.stderr)


def _warn_plugins() -> None:
    for problem in api.plugin_problems():
        print(
            f"vetscan: warning: plugin {problem.entry_point}: {term(problem.reason)}",
            file=sys.stderr,
        )


def run_one(
    subject: Target,
    options: ScanOptions,
    output: OutputOptions,
    history: str | None,
    verbose: bool,
) -> tuple[ScanResult, api.Prepared]:
    """Scans, writes the reports and records the scan in ``history`` (None: no history).

    An unusable history costs the comparison, not the scan: a warning says why. A
    disk that refuses the reports costs the reports, not the history."""
    _warn_plugins()
    result = api.scan(subject, options, _progress if verbose else None)
    store = previous = None
    answers: list[api.Answer] = []
    if history is not None:
        try:
            store = api.open_store(history)
            previous = store.previous(subject.name)
            answers = store.answers(subject.name)
        except HistoryUnusable as exc:
            print(f"vetscan: warning: history not used: {term(exc)}", file=sys.stderr)
            if store is not None:
                store.close()
            store = None
    saved = False
    try:
        prepared = api.prepare(
            result, options.profile, output, previous, subject.name, answers=answers
        )
        if store is not None:
            try:
                api.store(store, prepared)
                saved = True
            except HistoryUnusable as exc:
                print(f"vetscan: warning: history not used: {term(exc)}", file=sys.stderr)
    finally:
        if store is not None:
            store.close()
    if prepared.report_error:
        run_id = prepared.document["scan"]["run_id"]
        stored = f"; the scan is stored in history (vetscan report --run {run_id})" if saved else ""
        raise ScanIncomplete(f"{prepared.report_error}{stored}")
    return result, prepared


def cmd_scan(args: argparse.Namespace) -> int:
    subject = target(args)
    options = scan_options(args)
    output = output_options(args)
    history = None if args.no_history else history_location(args)
    result, prepared = run_one(subject, options, output, history, args.verbose)
    # With --out - the JSON owns standard output; the summary goes to stderr.
    summary(result, prepared.paths, args.quiet, sys.stderr if output.to_stdout else sys.stdout)
    api.require_completed(result)
    return gate_exit(result, options.profile, args)


def gate_exit(result: ScanResult, profile: Profile, args: argparse.Namespace) -> int:
    """EXIT_FINDINGS when the findings fail the gate (scanner.cli.gate), else EXIT_OK;
    with --fail-on or --fail-on-grade, why on standard error."""
    reasons = gate_reasons(result, profile, args)
    asked = getattr(args, "fail_on", None) is not None or getattr(args, "fail_on_grade", None)
    if reasons and asked and not getattr(args, "quiet", False):
        print(f"vetscan: exit {EXIT_FINDINGS}: {'; '.join(reasons)}", file=sys.stderr)
    return EXIT_FINDINGS if reasons else EXIT_OK


def summary(
    result: ScanResult, paths: Sequence[Path], quiet: bool, stream: TextIO = sys.stdout
) -> None:
    if quiet:
        return
    counts = describe(check_counts((f.check_id, str(f.status), f.asset) for f in result.findings))
    card = result.scores
    grade = (
        f"grade {card.grade} ({card.overall if card.overall is not None else '-'}/100, "
        f"coverage {card.coverage:.0%}); "
        if card is not None
        else ""
    )
    print(f"{term(result.target.name)}: {grade}{counts}", file=stream)
    if card is not None and card.explanation:
        print(f"  {term(card.explanation)}", file=stream)
    for path in paths:
        print(f"  {path}", file=stream)


def cmd_demo(args: argparse.Namespace) -> int:
    from scanner.lab import manager
    from scanner.lab.providers import CT_URLS, HSTS_PRELOADED, NAMESERVER, PROVIDERS

    if str(args.out) == "-":
        raise InputError("--out - writes one scan's JSON to stdout; the demo needs a folder")
    lab_dir = manager.up()
    options = scan_options(args, nameserver=NAMESERVER)
    # Certificate transparency from the lab's stub unless --ct-url or --set names another.
    # ... and the lab's HSTS preload entries, which Chromium's list cannot hold.
    lab_ct = [
        o
        for o in (
            *discovery_overrides(None, CT_URLS),
            Override.of("web.hsts_preloaded", list(HSTS_PRELOADED)),
        )
        if not options.given(o.table, o.key)
    ]
    options = options.with_settings(*lab_ct).on_network(
        manager.ca_file(lab_dir), manager.trust_anchors(lab_dir), allow_private=True
    )
    output = output_options(args)
    # The demo keeps its history with the lab, away from a user's real one.
    history = args.db or str(lab_dir / "history.sqlite3")
    rows = []
    for provider in PROVIDERS:
        hosts = tuple(parse_host_port(h) for h in provider.extra_hosts)
        subject = Target(name=provider.name, domains=(provider.domain,), extra_hosts=hosts)
        # The lab's providers name their DKIM selectors, as a vendor would when asked.
        selectors = [key.selector for key in provider.dkim]
        result, prepared = run_one(
            subject,
            options.with_settings(Override.of("dkim.selectors", selectors, extend=True)),
            output,
            history,
            args.verbose,
        )
        summary(result, prepared.paths, args.quiet)
        line = api.overview_row(prepared)
        if line is not None:
            rows.append(line)
    index = api.write_overview(output.out, rows)
    if not args.quiet:
        print(f"overview: {index} (and {output.out / 'index.html'})")
    return EXIT_OK
