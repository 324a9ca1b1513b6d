"""`vetscan report`, `verify` and `keygen`: reports re-issued from saved evidence,
checked for alteration, and the key that signs them."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from scanner import api
from scanner.cli.args import existing_history, output_options
from scanner.cli.exits import EXIT_FINDINGS, EXIT_OK
from scanner.document.integrity import IntegrityError
from scanner.errors import InputError
from scanner.render import Format
from scanner.textsafe import term


def cmd_report(args: argparse.Namespace) -> int:
    from scanner.document.reissue import load_saved_scan

    output = output_options(args)
    if (args.scan_json is None) == (args.run is None):
        raise InputError("report needs a SCAN.json or --run RUN_ID (one of them)")
    if args.run is not None:
        document = _document_from_history(args)
        if not output.to_stdout and Format.JSON not in output.formats:
            # A report from history always comes with the evidence it shows.
            output = dataclasses.replace(output, formats=(*output.formats, Format.JSON))
    else:
        document = load_saved_scan(args.scan_json)
    paths = api.write_reports(document, output)
    if not args.quiet:
        name, run = term(document["provider"]["name"]), term(document["scan"]["run_id"])
        print(f"{name}: run {run} re-rendered")
        for path in paths:
            print(f"  {path}")
    return EXIT_OK


def _document_from_history(args: argparse.Namespace) -> dict[str, Any]:
    from scanner.document.reissue import upgrade_saved

    location = existing_history(args)
    with api.open_store(location, read_only=True) as history:
        stored = history.get(args.run)
    if stored is None:
        raise InputError(f"run {args.run} is not in {history.location}")
    return upgrade_saved(stored, f"run {args.run}")


def cmd_verify(args: argparse.Namespace) -> int:
    from scanner.document.reissue import verify_report

    try:
        checks = verify_report(args.report, args.pubkey)
    except (IntegrityError, OSError) as exc:
        raise InputError(str(exc)) from None
    for check in checks:
        print(f"{'ok ' if check.ok else 'BAD'} {check.name}: {term(check.detail)}")
    return EXIT_OK if all(c.ok for c in checks) else EXIT_FINDINGS


def cmd_keygen(args: argparse.Namespace) -> int:
    from scanner.document.integrity import generate_key

    try:
        public = generate_key(args.path)
    except (IntegrityError, OSError) as exc:
        raise InputError(str(exc)) from None
    print(f"private key {args.path} (keep it secret), public key {public} (share it)")
    return EXIT_OK
