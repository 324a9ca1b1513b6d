"""Command line: argument parsing, wiring and exit codes, nothing else.

Exit codes: 0 scanned, nothing failed at or above the profile's fail threshold;
1 findings at or above it; 2 usage or input error; 3 the scan could not complete.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner import __version__
from scanner.engine import scan
from scanner.history.diff import regressions_since
from scanner.history.store import History, HistoryError, default_db
from scanner.inputs import InputFileError, check_input
from scanner.model import (
    AttemptStatus,
    ProbeResult,
    ScanResult,
    Severity,
    Status,
    Target,
    worst_failing,
)
from scanner.net.dnssec import AnchorError, load_anchors
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Nameserver, Resolver, ResolverConfigError, parse_nameserver
from scanner.net.targets import InvalidTarget, normalize_hostname, parse_host_port
from scanner.output import (
    WriteError,
    describe_write_error,
    replace_atomic,
    report_stem,
    write_new,
    write_set,
)
from scanner.preflight import PreflightError, preflight
from scanner.probes.context import build_context
from scanner.registry import load_registry
from scanner.render import RENDERERS, Format, PdfUnavailable
from scanner.render.html import render_index
from scanner.render.pdf import pdf_available
from scanner.report.document import build_document
from scanner.report.integrity import IntegrityError, load_private_key, seal, sign
from scanner.report.portfolio import overview_of_rows, row
from scanner.scoring.profile import Profile, ProfileError, load_profile
from scanner.textsafe import term

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


class UsageError(Exception):
    """Bad input from the user: exit code 2."""


class ScanIncomplete(Exception):
    """The scan could not be carried out: exit code 3."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="vetscan", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"vetscan {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    network = _Parser(add_help=False)
    network.add_argument("--nameserver", metavar="HOST[:PORT]", help="DNS server for every lookup")
    network.add_argument("--ca-file", metavar="PEM", type=Path, help="extra CA certificates")
    network.add_argument(
        "--allow-private",
        action="store_true",
        help="allow loopback, private and reserved addresses (labs, internal audits)",
    )
    network.add_argument("--timeout", type=float, metavar="S", help="network timeout in seconds")
    network.add_argument(
        "--trust-anchors",
        type=Path,
        metavar="FILE",
        help="DNSSEC trust anchors (DS or DNSKEY records; default: the IANA root keys)",
    )
    output = _Parser(add_help=False)
    output.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR")
    output.add_argument("--format", default="html,json", metavar="FMT[,FMT]")
    output.add_argument("--profile", default="default", metavar="NAME|PATH")
    output.add_argument(
        "--sign-key",
        type=Path,
        metavar="KEY",
        help="Ed25519 private key (vetscan keygen): write a detached signature of the JSON",
    )
    verbosity = _Parser(add_help=False)
    group = verbosity.add_mutually_exclusive_group()
    group.add_argument("-v", "--verbose", action="store_true")
    group.add_argument("-q", "--quiet", action="store_true")

    p = sub.add_parser("scan", parents=[network, output, verbosity], help="scan one provider")
    p.add_argument("domains", nargs="+", metavar="DOMAIN")
    p.add_argument("--name", help="provider name (default: the first domain)")
    p.add_argument(
        "--host",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="extra endpoint to assess (repeatable)",
    )
    p.add_argument("--db", type=Path, metavar="PATH", help="history database ($VETSCAN_DB)")
    p.add_argument(
        "--no-history", action="store_true", help="neither compare with nor store in history"
    )
    p.add_argument(
        "--dkim-selector",
        action="append",
        default=[],
        metavar="SELECTOR",
        help="DKIM selector to look up besides the common ones (repeatable)",
    )

    demo = sub.add_parser("demo", parents=[output, verbosity], help="start the lab and scan it")
    demo.add_argument("--db", type=Path, metavar="PATH", help="(default: in the lab folder)")
    audit = sub.add_parser(
        "audit",
        parents=[network, output, verbosity],
        help="scan every vendor of a portfolio file, store history, alert on drift",
    )
    audit.add_argument("portfolio", type=Path, metavar="PORTFOLIO.toml")
    audit.add_argument("--jobs", type=int, default=4, help="vendors scanned at once (default 4)")
    audit.add_argument("--db", type=Path, metavar="PATH", help="history database ($VETSCAN_DB)")
    audit.add_argument(
        "--vendor-budget",
        type=float,
        default=900.0,
        metavar="S",
        help="time budget per vendor in seconds (default 900)",
    )
    audit.add_argument("--retention", type=int, metavar="N", help="keep the last N runs per vendor")
    audit.add_argument("--notify-webhook", metavar="URL", help="POST a JSON summary on drift")
    audit.add_argument(
        "--notify-email", action="append", metavar="ADDR", help="mail the summary on drift"
    )
    audit.add_argument("--smtp", metavar="HOST[:PORT]", help="SMTP server (STARTTLS required)")
    audit.add_argument("--smtp-from", default="vetscan@localhost", metavar="ADDR")
    audit.add_argument("--smtp-ca-file", type=Path, metavar="PEM", help="CA of the SMTP server")
    audit.add_argument(
        "--smtp-user",
        metavar="USER",
        help="log in after STARTTLS; the password comes from $VETSCAN_SMTP_PASSWORD",
    )
    audit.add_argument(
        "--notify-always", action="store_true", help="send the summary even without drift"
    )
    audit.add_argument(
        "--notify-timeout",
        type=float,
        default=60.0,
        metavar="S",
        help="one deadline for all alerts together, in seconds (default 60)",
    )
    history = sub.add_parser("history", parents=[verbosity], help="list stored runs")
    history.add_argument("vendor", nargs="?", metavar="VENDOR", help="(default: list vendors)")
    history.add_argument("--db", type=Path, metavar="PATH")
    diff = sub.add_parser("diff", parents=[verbosity], help="what changed between two runs")
    diff.add_argument("vendor", metavar="VENDOR")
    diff.add_argument("--from", dest="from_run", metavar="RUN", help="(default: the previous run)")
    diff.add_argument("--to", metavar="RUN", help="(default: the latest run)")
    diff.add_argument("--json", action="store_true")
    diff.add_argument("--db", type=Path, metavar="PATH")
    report = sub.add_parser(
        "report",
        parents=[verbosity],
        help="re-render a saved scan (JSON) with today's templates",
    )
    report.add_argument("scan_json", type=Path, nargs="?", metavar="SCAN.json")
    report.add_argument("--run", metavar="RUN_ID", help="re-render a run from history instead")
    report.add_argument("--db", type=Path, metavar="PATH", help="history database ($VETSCAN_DB)")
    report.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR")
    report.add_argument("--format", default="html", metavar="FMT[,FMT]")
    report.add_argument("--sign-key", type=Path, metavar="KEY")
    verify = sub.add_parser(
        "verify", parents=[verbosity], help="tell whether a report and its JSON were altered"
    )
    verify.add_argument("report", type=Path, metavar="REPORT", help="the .html or .json file")
    verify.add_argument(
        "--pubkey", type=Path, metavar="KEY", help="also check the JSON's Ed25519 signature"
    )
    keygen = sub.add_parser("keygen", parents=[verbosity], help="create an Ed25519 signing key")
    keygen.add_argument("path", type=Path, metavar="KEY", help="private key file (KEY.pub beside)")
    sub.add_parser("probes", parents=[verbosity], help="list installed probes")
    checks = sub.add_parser("checks", parents=[verbosity], help="list the check catalogue")
    checks.add_argument("check_id", nargs="?", metavar="ID", help="explain one check")
    profiles = sub.add_parser(
        "profiles", parents=[verbosity], help="list, show or validate profiles"
    )
    profiles.add_argument("action", choices=["list", "show", "validate"])
    profiles.add_argument("profile", nargs="?", metavar="NAME|PATH")
    lab = sub.add_parser("lab", parents=[verbosity], help="manage the local lab")
    lab.add_argument("action", choices=["up", "down", "status"])
    lab.add_argument("--dir", type=Path, help="lab folder (default: $VETSCAN_LAB_DIR)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args_list or "--verbose" in args_list
    try:
        args = build_parser().parse_args(args_list)
        handler = {
            "scan": cmd_scan,
            "demo": cmd_demo,
            "audit": _audit_command("cmd_audit"),
            "history": _audit_command("cmd_history"),
            "diff": _audit_command("cmd_diff"),
            "report": cmd_report,
            "verify": cmd_verify,
            "keygen": cmd_keygen,
            "probes": cmd_probes,
            "checks": cmd_checks,
            "profiles": cmd_profiles,
            "lab": cmd_lab,
        }
        return handler[args.command](args)
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except (ScanIncomplete, WriteError) as exc:
        _error(str(exc))
        return EXIT_INCOMPLETE
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INCOMPLETE
    except BrokenPipeError:
        # The reader went away (`vetscan checks | head`): nothing left to tell anyone.
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - last resort: one line, traceback with -v
        if verbose:
            traceback.print_exc()
        _error(f"unexpected {type(exc).__name__}: {exc}" + ("" if verbose else " (use -v)"))
        return EXIT_INCOMPLETE


def entry() -> None:
    """The ``vetscan`` command: main(), then an exit nothing left behind can delay.

    Everything is written and stored before main() returns. A thread a probe left
    behind (inside a third-party library, waiting on a hostile server) may still
    be running; interpreter shutdown would join it, so the process ends at once
    instead, after flushing what it printed.
    """
    code = main()
    lingering = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and not t.daemon and t.is_alive()
    ]
    if not lingering:
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _audit_command(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from scanner.audit import commands

        handler: Callable[[argparse.Namespace], int] = getattr(commands, name)
        return handler(args)

    return run


def _error(message: str) -> None:
    print(f"vetscan: error: {term(message)}", file=sys.stderr)


@dataclass(frozen=True)
class ScanSettings:
    profile: Profile
    formats: tuple[Format, ...]
    nameserver: Nameserver | None
    ca_file: Path | None
    allow_private: bool
    timeout: float | None
    anchors: dict[str, list[str]] | None = None
    dkim_selectors: tuple[str, ...] = ()
    sign_key: Ed25519PrivateKey | None = None


def _formats(args: argparse.Namespace) -> tuple[Format, ...]:
    try:
        formats = tuple(
            dict.fromkeys(Format(f.strip()) for f in args.format.split(",") if f.strip())
        )
    except ValueError:
        raise UsageError(
            f"unknown format in {args.format!r} (choose from {', '.join(f.value for f in Format)})"
        ) from None
    if not formats:
        raise UsageError("--format names no format")
    if Format.PDF in formats and not pdf_available():
        # Found out before the scan, not after minutes of scanning.
        raise UsageError("--format pdf needs WeasyPrint: pip install 'vetscan[pdf]'")
    return formats


def _sign_key(args: argparse.Namespace, formats: Sequence[Format]) -> Ed25519PrivateKey | None:
    path = getattr(args, "sign_key", None)
    if path is None:
        return None
    if Format.JSON not in formats:
        raise UsageError("--sign-key signs the JSON: add json to --format")
    try:
        return load_private_key(path)
    except IntegrityError as exc:
        raise UsageError(str(exc)) from None


def _settings(args: argparse.Namespace, nameserver: str | None = None) -> ScanSettings:
    try:
        profile = load_profile(args.profile)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    formats = _formats(args)
    sign_key = _sign_key(args, formats)
    given = getattr(args, "nameserver", None)
    if given is not None and not given.strip():
        # An unset variable in a cron line: never fall back to the system resolver silently.
        raise UsageError("--nameserver is empty (an unset variable?); give HOST[:PORT]")
    ns_text = given if given is not None else nameserver
    try:
        ns = parse_nameserver(ns_text) if ns_text else None
    except ResolverConfigError as exc:
        raise UsageError(str(exc)) from None
    ca_file = getattr(args, "ca_file", None)
    if ca_file is not None:
        try:
            check_input(ca_file, "CA file")
        except InputFileError as exc:
            raise UsageError(f"--ca-file {exc}") from None
    timeout = getattr(args, "timeout", None)
    if timeout is not None and not 0 < timeout <= 600:
        raise UsageError("--timeout must be between 0 and 600 seconds")
    anchors_file = getattr(args, "trust_anchors", None)
    try:
        anchors = load_anchors(anchors_file) if anchors_file else None
    except AnchorError as exc:
        raise UsageError(str(exc)) from None
    selectors = tuple(getattr(args, "dkim_selector", []) or ())
    for selector in selectors:
        if not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", selector):
            raise UsageError(f"invalid DKIM selector {selector!r}")
    return ScanSettings(
        profile,
        formats,
        ns,
        ca_file,
        bool(getattr(args, "allow_private", False)),
        timeout,
        anchors,
        selectors,
        sign_key,
    )


def run_scan(
    target: Target,
    settings: ScanSettings,
    verbose: bool = False,
    deadline: float | None = None,
) -> ScanResult:
    dns_timeout = settings.timeout or settings.profile.dns_timeout
    resolver = Resolver(settings.nameserver, timeout=dns_timeout)
    policy = AddressPolicy(settings.allow_private)
    try:
        preflight(target, resolver, policy)
    except PreflightError as exc:
        if exc.usage:
            raise UsageError(str(exc)) from None
        raise ScanIncomplete(str(exc)) from None
    registry = load_registry()
    for problem in registry.errors:
        print(
            f"vetscan: warning: plugin {problem.entry_point}: {term(problem.reason)}",
            file=sys.stderr,
        )
    context = build_context(
        resolver,
        policy,
        settings.profile,
        settings.ca_file,
        settings.timeout or 5.0,
        settings.anchors,
        settings.dkim_selectors,
    )

    def progress(name: str, result: ProbeResult | None) -> None:
        if result is None:
            print(f"  {name}: started", file=sys.stderr)
        else:
            extra = f" ({term(result.reason)})" if result.reason else ""
            print(f"  {name}: {result.status} in {result.duration_s:.2f} s{extra}", file=sys.stderr)

    return scan(target, registry.probes, context, progress if verbose else None, deadline)


def write_reports(
    result: ScanResult,
    settings: ScanSettings,
    out: Path,
    previous: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[Path]]:
    """Builds the sealed document of a scan and writes it in every asked format."""
    document = seal(build_document(result, previous))
    return document, emit(document, settings.formats, out, settings.sign_key)


def emit(
    document: dict[str, Any],
    formats: Sequence[Format],
    out: Path,
    sign_key: Ed25519PrivateKey | None,
) -> list[Path]:
    # Render everything before writing anything, so a renderer failure leaves no partial set.
    try:
        rendered: dict[str, str | bytes] = {fmt.value: RENDERERS[fmt](document) for fmt in formats}
    except PdfUnavailable as exc:
        raise UsageError(str(exc)) from None
    if sign_key is not None:
        rendered["json.sig"] = sign(document, sign_key)
    started = datetime.fromisoformat(document["scan"]["started"])
    stem = report_stem(document["provider"]["name"], started)
    try:
        return write_set(out, stem, rendered)
    except OSError as exc:
        raise WriteError(f"reports not written: {describe_write_error(out, exc)}") from None


def index_row(document: dict[str, Any], paths: Sequence[Path]) -> dict[str, Any]:
    page = next((p for p in paths if p.suffix == ".html"), paths[0])
    return row(document, page.name)


def write_index(out: Path, entries: Sequence[tuple[dict[str, Any], list[Path]]]) -> Path:
    """The portfolio overview: a dated page, and index.html pointing at the latest one."""
    return write_index_rows(out, [index_row(document, paths) for document, paths in entries])


def write_index_rows(out: Path, rows: Sequence[dict[str, Any]]) -> Path:
    now = datetime.now(UTC)
    text = render_index(overview_of_rows(rows, now.isoformat(timespec="seconds")))
    try:
        dated = write_new(out, f"portfolio-{now.strftime('%Y%m%dT%H%M%SZ')}", "html", text)
        replace_atomic(out / "index.html", text)
    except OSError as exc:
        raise ScanIncomplete(f"overview not written: {describe_write_error(out, exc)}") from None
    return dated


def _target(args: argparse.Namespace) -> Target:
    try:
        domains = tuple(dict.fromkeys(normalize_hostname(d) for d in args.domains))
        hosts = tuple(parse_host_port(h) for h in args.host)
    except InvalidTarget as exc:
        raise UsageError(str(exc)) from None
    name = (args.name or domains[0]).strip()
    if not name or not name.isprintable():
        raise UsageError("--name must be printable text")
    return Target(name=name, domains=domains, extra_hosts=hosts)


def cmd_scan(args: argparse.Namespace) -> int:
    target = _target(args)
    settings = _settings(args)
    result = run_scan(target, settings, args.verbose)
    db = None if args.no_history else (args.db or default_db())
    _, paths = _report_with_history(result, settings, args.out, db, target.name)
    _summary(result, paths, args.quiet)
    if not any(p.status is AttemptStatus.COMPLETED for p in result.probes):
        raise ScanIncomplete("no probe completed; see the report for the reasons")
    worst = worst_failing(result.findings)
    failed = worst is not None and worst.at_least(settings.profile.fail_threshold)
    return EXIT_FINDINGS if failed else EXIT_OK


def _report_with_history(
    result: ScanResult, settings: ScanSettings, out: Path, db: Path | None, vendor: str
) -> tuple[dict[str, Any], list[Path]]:
    """Writes the reports, compared with and then stored in history (unless db is None).

    An unusable history database costs the comparison, not the scan: the reports
    are written and a warning says why history was skipped; the file is untouched.
    """
    history: History | None = None
    previous = None
    try:
        if db is not None:
            history = History(db)
            previous = history.latest(vendor)
    except HistoryError as exc:
        print(f"vetscan: warning: history not used: {term(exc)}", file=sys.stderr)
        history = None
    document = seal(build_document(result, previous))
    write_failure: WriteError | None = None
    paths: list[Path] = []
    try:
        paths = emit(document, settings.formats, out, settings.sign_key)
    except WriteError as exc:
        write_failure = exc  # the scan is still stored below, so nothing is lost
    saved = False
    try:
        if history is not None:
            threshold = settings.profile.fail_threshold
            found = regressions_since(previous, document, lambda s: Severity(s).at_least(threshold))
            history.save(vendor, document, bool(found))
            saved = True
    except HistoryError as exc:
        print(f"vetscan: warning: history not used: {term(exc)}", file=sys.stderr)
    finally:
        if history is not None:
            history.close()
    if write_failure is not None:
        run_id = document["scan"]["run_id"]
        stored = f"; the scan is stored in history (vetscan report --run {run_id})" if saved else ""
        raise ScanIncomplete(f"{write_failure}{stored}")
    return document, paths


def _summary(result: ScanResult, paths: Sequence[Path], quiet: bool) -> None:
    if quiet:
        return
    counts: dict[str, int] = {}
    informational = 0
    for finding in result.findings:
        counts[finding.status] = counts.get(finding.status, 0) + 1
        if finding.status is Status.FAIL and finding.severity is Severity.INFO:
            informational += 1
    parts = []
    for status, n in sorted(counts.items()):
        # "19 fail" beside an A+ reads like a contradiction; say which fails carry no risk.
        note = f" ({informational} informational)" if status == "fail" and informational else ""
        parts.append(f"{n} {status.replace('_', ' ')}{note}")
    summary = ", ".join(parts)
    card = result.scores
    grade = (
        f"grade {card.grade} ({card.overall if card.overall is not None else '-'}/100, "
        f"coverage {card.coverage:.0%}); "
        if card is not None
        else ""
    )
    print(f"{term(result.target.name)}: {grade}{summary or 'no findings'}")
    for path in paths:
        print(f"  {path}")


def cmd_demo(args: argparse.Namespace) -> int:
    from scanner.lab import manager
    from scanner.lab.providers import NAMESERVER, PROVIDERS

    try:
        lab_dir = manager.up()
    except manager.LabError as exc:
        raise ScanIncomplete(str(exc)) from None
    settings = replace(
        _settings(args, nameserver=NAMESERVER),
        ca_file=manager.ca_file(lab_dir),
        allow_private=True,
        anchors=load_anchors(manager.trust_anchors(lab_dir)),
    )
    written = []
    for provider in PROVIDERS:
        hosts = tuple(parse_host_port(h) for h in provider.extra_hosts)
        target = Target(name=provider.name, domains=(provider.domain,), extra_hosts=hosts)
        # The lab's providers name their DKIM selectors, as a vendor would when asked.
        selectors = tuple(key.selector for key in provider.dkim)
        result = run_scan(target, replace(settings, dkim_selectors=selectors), args.verbose)
        # The demo keeps its history with the lab, away from a user's real one.
        document, paths = _report_with_history(
            result, settings, args.out, args.db or lab_dir / "history.sqlite3", provider.name
        )
        _summary(result, paths, args.quiet)
        written.append((document, paths))
    index = write_index(args.out, written)
    if not args.quiet:
        print(f"overview: {index} (and {args.out / 'index.html'})")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from scanner.report.reissue import SavedScanError, load_saved_scan

    formats = _formats(args)
    key = _sign_key(args, formats)
    if (args.scan_json is None) == (args.run is None):
        raise UsageError("report needs a SCAN.json or --run RUN_ID (one of them)")
    try:
        if args.run is not None:
            document = _document_from_history(args)
        else:
            document = load_saved_scan(args.scan_json)
    except SavedScanError as exc:
        raise UsageError(str(exc)) from None
    paths = emit(document, formats, args.out, key)
    if not args.quiet:
        name, run = term(document["provider"]["name"]), term(document["scan"]["run_id"])
        print(f"{name}: run {run} re-rendered")
        for path in paths:
            print(f"  {path}")
    return EXIT_OK


def _document_from_history(args: argparse.Namespace) -> dict[str, Any]:
    from scanner.report.reissue import SavedScanError, upgrade_saved

    path = args.db if args.db is not None else default_db()
    if not path.is_file():
        raise UsageError(f"no history database at {path}")
    try:
        with History(path, read_only=True) as history:
            stored = history.document(args.run)
    except HistoryError as exc:
        raise ScanIncomplete(str(exc)) from None
    if stored is None:
        raise UsageError(f"run {args.run} is not in {path}")
    try:
        return upgrade_saved(stored, f"run {args.run}")
    except SavedScanError as exc:
        raise UsageError(str(exc)) from None


def cmd_verify(args: argparse.Namespace) -> int:
    from scanner.report.reissue import verify_report

    try:
        checks = verify_report(args.report, args.pubkey)
    except (IntegrityError, OSError, InputFileError) as exc:
        raise UsageError(str(exc)) from None
    for check in checks:
        print(f"{'ok ' if check.ok else 'BAD'} {check.name}: {term(check.detail)}")
    return EXIT_OK if all(c.ok for c in checks) else EXIT_FINDINGS


def cmd_keygen(args: argparse.Namespace) -> int:
    from scanner.report.integrity import generate_key

    try:
        public = generate_key(args.path)
    except (IntegrityError, OSError) as exc:
        raise UsageError(str(exc)) from None
    print(f"private key {args.path} (keep it secret), public key {public} (share it)")
    return EXIT_OK


def cmd_probes(args: argparse.Namespace) -> int:
    registry = load_registry()
    for probe in registry.probes:
        after = f" (after {', '.join(probe.consumes)})" if probe.consumes else ""
        print(f"{probe.name}  v{probe.version}  [{registry.origins[probe.name]}]{after}")
        print(f"    {probe.description}")
    for problem in registry.errors:
        print(f"broken plugin {problem.entry_point}: {problem.reason}")
    return EXIT_OK


def cmd_checks(args: argparse.Namespace) -> int:
    from scanner.checks import catalogue

    entries = catalogue()
    if args.check_id is None:
        for listed in sorted(entries.values(), key=lambda c: c.id):
            print(f"{listed.id:42} {listed.severity:8} {listed.pitfall:13} {listed.title}")
        return EXIT_OK
    entry = entries.get(args.check_id)
    if entry is None:
        raise UsageError(f"unknown check {args.check_id!r} (see 'vetscan checks')")
    print(f"{entry.id}: {entry.title}")
    print(f"pitfall: {entry.pitfall}; default severity: {entry.severity}")
    if entry.grade_cap:
        print(f"while failing, the grade is at most {entry.grade_cap}")
    print(f"\n{entry.description}\n\nRemediation: {entry.remediation}")
    if entry.references:
        print("References: " + "; ".join(entry.references))
    return EXIT_OK


def cmd_profiles(args: argparse.Namespace) -> int:
    import json

    from scanner.scoring.profile import builtin_names, describe

    if args.action == "list":
        for name in builtin_names():
            profile = load_profile(name)
            print(f"{name:12} {profile.description}")
        return EXIT_OK
    if args.profile is None:
        raise UsageError(f"'profiles {args.action}' needs a profile name or path")
    try:
        profile = load_profile(args.profile)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    if args.action == "show":
        print(json.dumps(describe(profile), indent=2))
    else:
        print(f"{profile.source}: valid profile {profile.name!r}")
    return EXIT_OK


def cmd_lab(args: argparse.Namespace) -> int:
    from scanner.lab import manager

    try:
        if args.action == "up":
            lab_dir = manager.up(args.dir)
            print(f"lab running (folder {lab_dir}, CA {manager.ca_file(lab_dir)})")
            return EXIT_OK
        if args.action == "down":
            manager.down(args.dir)
            print("lab stopped")
            return EXIT_OK
    except manager.LabError as exc:
        raise ScanIncomplete(str(exc)) from None
    state = manager.status(args.dir)
    for name, pid in state.items():
        print(f"{name}: {'running (pid ' + str(pid) + ')' if pid else 'stopped'}")
    return EXIT_OK if all(state.values()) else EXIT_FINDINGS
