"""The argument parser: every command, option and its help, and the handler of each."""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Callable
from pathlib import Path

from scanner import __version__
from scanner.checks import PITFALLS
from scanner.cli import catalogue, labcmd, portfolio, queue, reports, scancmd
from scanner.cli.gate import add_gate_options
from scanner.errors import InputError
from scanner.render import Format
from scanner.scoring.profile import builtin_names

DESCRIPTION = "Non-intrusive security posture scanner for IT service providers."


class UsageError(InputError):
    """A command line argparse refused."""


FORMATS = ", ".join(f.value for f in Format)
PROFILES = ", ".join(builtin_names())


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        hint = did_you_mean(message, self)
        raise UsageError(f"{message}{hint}")


def _options(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string of ``parser`` and of its subcommands."""
    found: set[str] = set()
    for action in parser._actions:
        found.update(s for s in action.option_strings if s.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found |= _options(child)
    return found


_UNKNOWN = re.compile(r"unrecognized arguments: (.*)")
_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


def did_you_mean(message: str, parser: argparse.ArgumentParser) -> str:
    """'; did you mean --format?' for a mistyped option or command, else ""."""
    unknown = _UNKNOWN.search(message)
    if unknown:
        known = sorted(_options(parser))
        hints = []
        for word in unknown.group(1).split():
            if not word.startswith("--"):
                continue
            close = difflib.get_close_matches(word.split("=", 1)[0], known, n=1, cutoff=0.6)
            if close:
                hints.append((word.split("=", 1)[0], close[0]))
        if len(hints) == 1:
            return f" (did you mean {hints[0][1]}?)"
        listed = ", ".join(f"{right} for {wrong}" for wrong, right in hints)
        return f" (did you mean {listed}?)" if hints else ""
    choice = _CHOICE.search(message)
    if choice:
        options = [c.strip().strip("'") for c in choice.group(2).split(",")]
        close = difflib.get_close_matches(choice.group(1), options, n=1, cutoff=0.5)
        return f" (did you mean {close[0]}?)" if close else ""
    return ""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="vetscan", description=DESCRIPTION)
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
    network.add_argument(
        "--max-hosts",
        type=int,
        metavar="N",
        help="the most hosts one scan looks at, known ones included (profile: discovery.max_hosts)",
    )
    network.add_argument(
        "--ct-url",
        action="append",
        default=[],
        metavar="[certspotter=]URL",
        help="certificate-transparency search to use instead of the profile's (crt.sh JSON "
        "format; certspotter=URL for Certspotter's; repeatable)",
    )
    output = _Parser(add_help=False)
    output.add_argument(
        "--out",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="report folder (default ./reports); '-' writes the JSON document to stdout",
    )
    output.add_argument(
        "--csv-bom",
        action="store_true",
        help="start CSV files with a UTF-8 byte-order mark (Excel)",
    )
    output.add_argument(
        "--csv-excel",
        action="store_true",
        help="CSV as Excel opens it in most locales: semicolons, CRLF, byte-order mark",
    )
    output.add_argument(
        "--format",
        default="html,json",
        metavar="FMT[,FMT]",
        help=f"report formats, comma-separated: {FORMATS} (default html,json; the json "
        "is always written)",
    )
    output.add_argument(
        "--profile",
        default="default",
        metavar="NAME|PATH",
        help=f"the rules the scan is judged by: {PROFILES}, or a profile file (default: "
        "default; 'vetscan profiles' describes them)",
    )
    output.add_argument(
        "--framework",
        metavar="ID[,ID]",
        help="control matrices in the report: iso27001, nis2, dora, c5, soc2, "
        "cyber-essentials, pci-dss, bod-18-01 or all (default: the profile's; "
        "'vetscan frameworks' lists them)",
    )
    output.add_argument(
        "--set",
        action="append",
        default=[],
        dest="settings",
        metavar="TABLE.KEY=VALUE",
        help="a probe setting for this scan over the profile's (lists comma-separated; "
        "TABLE.KEY+=VALUE adds to a list; 'vetscan profiles show' lists them; repeatable)",
    )
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
    p.add_argument("--db", metavar="PATH|URL", help="history database ($VETSCAN_DB)")
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

    add_gate_options(p)

    demo = sub.add_parser("demo", parents=[output, verbosity], help="start the lab and scan it")
    demo.add_argument("--db", metavar="PATH|URL", help="(default: in the lab folder)")
    audit = sub.add_parser(
        "audit",
        parents=[network, output, verbosity],
        help="scan every vendor of a portfolio file, store history, alert on drift",
    )
    audit.add_argument(
        "portfolio", type=Path, nargs="?", metavar="PORTFOLIO.toml", help="(not with --resume)"
    )
    audit.add_argument("--jobs", type=int, default=4, help="vendors scanned at once (default 4)")
    audit.add_argument("--db", metavar="PATH|URL", help="history database ($VETSCAN_DB)")
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
    audit.add_argument(
        "--queue",
        metavar="URL",
        help="send the vendors to Celery workers through this broker (redis://…; "
        "$VETSCAN_QUEUE); needs --db postgresql://…",
    )
    audit.add_argument(
        "--resume", metavar="RUN_ID", help="collect a queued audit whose coordinator stopped"
    )
    audit.add_argument(
        "--queue-wait",
        type=float,
        metavar="S",
        help="how long to wait for the workers (default: vendor budget x vendors + 300 s)",
    )
    worker = sub.add_parser(
        "worker", parents=[verbosity], help="scan vendors sent by queued audits (Celery worker)"
    )
    worker.add_argument("--queue", metavar="URL", help="the broker (redis://…; $VETSCAN_QUEUE)")
    worker.add_argument(
        "--db", metavar="URL", help="the shared history (postgresql://…; $VETSCAN_DB)"
    )
    worker.add_argument(
        "--concurrency", type=int, metavar="N", help="scans at once (default: CPU count)"
    )
    worker.add_argument(
        "--allow-private",
        action="store_true",
        help="let tasks scan loopback, private and reserved addresses (labs, internal audits)",
    )
    worker.add_argument(
        "--visibility-timeout",
        type=float,
        default=3600.0,
        metavar="S",
        help="Redis: seconds before a task taken by a lost worker goes to another; longer "
        "than the longest vendor budget (default 3600)",
    )
    history = sub.add_parser(
        "history", parents=[verbosity], help="list stored runs; 'history migrate' copies one"
    )
    history.add_argument(
        "vendor", nargs="?", metavar="VENDOR|migrate", help="(default: list vendors)"
    )
    history.add_argument("--db", metavar="PATH|URL")
    history.add_argument(
        "--from", dest="migrate_from", metavar="URL", help="migrate: the history to copy"
    )
    history.add_argument("--to", dest="migrate_to", metavar="URL", help="migrate: where to")
    diff = sub.add_parser("diff", parents=[verbosity], help="what changed between two runs")
    diff.add_argument("vendor", metavar="VENDOR")
    diff.add_argument("--from", dest="from_run", metavar="RUN", help="(default: the previous run)")
    diff.add_argument("--to", metavar="RUN", help="(default: the latest run)")
    diff.add_argument("--json", action="store_true")
    diff.add_argument("--db", metavar="PATH|URL")
    report = sub.add_parser(
        "report",
        parents=[verbosity],
        help="re-render a saved scan (JSON) with today's templates",
    )
    report.add_argument("scan_json", type=Path, nargs="?", metavar="SCAN.json")
    report.add_argument("--run", metavar="RUN_ID", help="re-render a run from history instead")
    report.add_argument("--db", metavar="PATH|URL", help="history database ($VETSCAN_DB)")
    report.add_argument(
        "--out", type=Path, default=Path("reports"), metavar="DIR", help="'-': JSON to stdout"
    )
    report.add_argument("--format", default="html", metavar="FMT[,FMT]")
    report.add_argument("--csv-bom", action="store_true", help="UTF-8 byte-order mark in CSV")
    report.add_argument(
        "--csv-excel", action="store_true", help="CSV for Excel: semicolons, CRLF, BOM"
    )
    report.add_argument("--sign-key", type=Path, metavar="KEY")
    rejudge = sub.add_parser(
        "rejudge",
        parents=[verbosity],
        help="judge a saved scan again under a profile, without scanning (offline)",
    )
    rejudge.add_argument("scan_json", type=Path, nargs="?", metavar="SCAN.json")
    rejudge.add_argument("--run", metavar="RUN_ID", help="judge a run from history instead")
    rejudge.add_argument("--db", metavar="PATH|URL", help="history database ($VETSCAN_DB)")
    rejudge.add_argument(
        "--profile", default="default", metavar="NAME|FILE", help="the profile that judges"
    )
    add_gate_options(rejudge)
    rejudge.add_argument("--framework", metavar="ID[,ID]", help="control matrices in the report")
    rejudge.add_argument(
        "--out", type=Path, default=Path("reports"), metavar="DIR", help="'-': JSON to stdout"
    )
    rejudge.add_argument("--format", default="html,json", metavar="FMT[,FMT]")
    rejudge.add_argument("--csv-bom", action="store_true", help="UTF-8 byte-order mark in CSV")
    rejudge.add_argument(
        "--csv-excel", action="store_true", help="CSV for Excel: semicolons, CRLF, BOM"
    )
    rejudge.add_argument("--sign-key", type=Path, metavar="KEY")
    compare = sub.add_parser(
        "compare",
        parents=[verbosity],
        help="2 to 6 candidate providers side by side (shortlisting)",
    )
    compare.add_argument("scans", type=Path, nargs="*", metavar="SCAN.json")
    compare.add_argument(
        "--run",
        action="append",
        default=[],
        metavar="RUN_ID",
        help="a run from history (repeatable)",
    )
    compare.add_argument("--db", metavar="PATH|URL", help="history database ($VETSCAN_DB)")
    compare.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR")
    compare.add_argument(
        "--format",
        default="html,csv",
        metavar="FMT[,FMT]",
        help="html, csv, pdf (the json, which verify checks them by, is always written)",
    )
    compare.add_argument(
        "--weights",
        metavar="AREA=N[,AREA=N]",
        help="the buyer's weight of each area in the ranking (0 to 100; areas not named "
        "weigh 1; default: the profile's weights); areas: " + ", ".join(PITFALLS),
    )
    compare.add_argument(
        "--profile",
        metavar="NAME|PATH",
        help="judge every candidate again under this profile before comparing (offline; "
        "the facts stay as gathered)",
    )
    compare.add_argument("--sign-key", type=Path, metavar="KEY", help="sign the comparison")
    verify = sub.add_parser(
        "verify", parents=[verbosity], help="tell whether a report and its JSON were altered"
    )
    verify.add_argument("report", type=Path, metavar="REPORT", help="the .html, .json or .pdf file")
    verify.add_argument(
        "--pubkey", type=Path, metavar="KEY", help="also check the JSON's Ed25519 signature"
    )
    keygen = sub.add_parser("keygen", parents=[verbosity], help="create an Ed25519 signing key")
    keygen.add_argument("path", type=Path, metavar="KEY", help="private key file (KEY.pub beside)")
    sub.add_parser("probes", parents=[verbosity], help="list installed probes")
    checks = sub.add_parser("checks", parents=[verbosity], help="list the check catalogue")
    checks.add_argument("check_id", nargs="?", metavar="ID", help="explain one check")
    frameworks = sub.add_parser(
        "frameworks", parents=[verbosity], help="list the control frameworks checks map to"
    )
    frameworks.add_argument("framework", nargs="?", metavar="ID", help="its controls and checks")
    profiles = sub.add_parser(
        "profiles",
        parents=[verbosity],
        help="list, show or validate profiles; 'settings' lists the probe settings (--set)",
    )
    profiles.add_argument("action", choices=["list", "show", "validate", "settings"])
    profiles.add_argument("profile", nargs="?", metavar="NAME|PATH")
    lab = sub.add_parser("lab", parents=[verbosity], help="manage the local lab")
    lab.add_argument("action", choices=["up", "down", "status"])
    lab.add_argument("--dir", type=Path, help="lab folder (default: $VETSCAN_LAB_DIR)")
    answers = sub.add_parser(
        "answers",
        parents=[verbosity],
        help="record the provider's answers (a filled questions CSV) in the history",
    )
    answers.add_argument("action", choices=["import"])
    answers.add_argument("file", type=Path, metavar="FILE", help="the filled questions CSV")
    answers.add_argument("--db", metavar="PATH|URL", help="history database ($VETSCAN_DB)")
    kev = sub.add_parser(
        "kev",
        parents=[verbosity],
        help="show or update CISA's Known Exploited Vulnerabilities catalogue scans use",
        description="'show' names the catalogue in use; 'update --from FILE' installs a "
        "downloaded catalogue (CISA's known_exploited_vulnerabilities.json), 'update --url' "
        "downloads it first (CISA's feed, or $VETSCAN_KEV_URL), after checking it whole, "
        "for every later scan ($VETSCAN_KEV names where it is kept).",
    )
    kev.add_argument("action", choices=["show", "update"])
    given = kev.add_mutually_exclusive_group()
    given.add_argument(
        "--from", dest="source", type=Path, metavar="FILE", help="the downloaded catalogue"
    )
    given.add_argument(
        "--url",
        nargs="?",
        const="",
        metavar="URL",
        help="download it (without URL: $VETSCAN_KEV_URL, else CISA's feed)",
    )
    kev.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="the longest the download may take (default 60)",
    )
    kev.add_argument(
        "--allow-older",
        action="store_true",
        help="install it even when it is older than the catalogue in use",
    )
    return parser


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "scan": scancmd.cmd_scan,
    "demo": scancmd.cmd_demo,
    "audit": portfolio.cmd_audit,
    "history": portfolio.cmd_history,
    "worker": queue.cmd_worker,
    "diff": portfolio.cmd_diff,
    "report": reports.cmd_report,
    "rejudge": reports.cmd_rejudge,
    "verify": reports.cmd_verify,
    "compare": reports.cmd_compare,
    "keygen": reports.cmd_keygen,
    "probes": catalogue.cmd_probes,
    "checks": catalogue.cmd_checks,
    "frameworks": catalogue.cmd_frameworks,
    "profiles": catalogue.cmd_profiles,
    "lab": labcmd.cmd_lab,
    "answers": portfolio.cmd_answers,
    "kev": catalogue.cmd_kev,
}
