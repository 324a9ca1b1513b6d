"""`vetscan report`, `verify` and `keygen`: reports re-issued from saved evidence,
checked for alteration, and the key that signs them."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from scanner import api
from scanner.cli.args import existing_history, output_options
from scanner.cli.exits import EXIT_FINDINGS, EXIT_OK
from scanner.errors import InputError
from scanner.render import Format
from scanner.textsafe import term


def cmd_report(args: argparse.Namespace) -> int:
    output = output_options(args)
    if (args.scan_json is None) == (args.run is None):
        raise InputError("report needs a SCAN.json or --run RUN_ID (one of them)")
    if args.run is not None:
        document = api.stored_scan(existing_history(args), args.run)
        if not output.to_stdout and Format.JSON not in output.formats:
            # A report from history always comes with the evidence it shows.
            output = dataclasses.replace(output, formats=(*output.formats, Format.JSON))
    else:
        document = api.saved_scan(args.scan_json)
    paths = api.write_reports(document, output)
    if not args.quiet and not output.to_stdout:  # with --out -, stdout is the JSON's alone
        name, run = term(document["provider"]["name"]), term(document["scan"]["run_id"])
        print(f"{name}: run {run} re-rendered")
        for path in paths:
            print(f"  {path}")
    return EXIT_OK


def cmd_rejudge(args: argparse.Namespace) -> int:
    """`vetscan rejudge`: a saved scan judged again under a profile, offline."""
    from scanner.cli.args import with_frameworks
    from scanner.scoring.profile import load_profile

    output = output_options(args)
    if (args.scan_json is None) == (args.run is None):
        raise InputError("rejudge needs a SCAN.json or --run RUN_ID (one of them)")
    profile = with_frameworks(load_profile(args.profile), args)
    if args.run is not None:
        evidence = api.evidence(location=existing_history(args), run=args.run)
    else:
        evidence = api.evidence(args.scan_json)
    if not output.to_stdout and Format.JSON not in output.formats:
        # A judgement always comes with the evidence it was made on.
        output = dataclasses.replace(output, formats=(*output.formats, Format.JSON))
    result = api.rejudge(evidence, profile)
    document = api.build_document(result, profile=profile)
    paths = api.write_reports(document, output)
    if not args.quiet and not output.to_stdout:
        from scanner.cli.scancmd import summary

        gathered = term(result.meta.gathered_profile)
        print(
            f"{term(result.target.name)}: run {term(result.meta.run_id)} (gathered under "
            f"profile {gathered}) judged again under profile {term(profile.name)}"
        )
        summary(result, paths, quiet=False)
    from scanner.cli.scancmd import gate_exit

    return gate_exit(result, profile, args)


def cmd_compare(args: argparse.Namespace) -> int:
    """`vetscan compare`: 2 to 6 candidates side by side, from saved scans or history,
    ranked with reasons under the buyer's weights; the set is sealed (and signed)."""
    from scanner.checks import PITFALLS
    from scanner.document.integrity import IntegrityError, load_private_key
    from scanner.document.ranking import parse_weights

    weights = parse_weights(args.weights, PITFALLS) if args.weights else None
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    if "pdf" in formats:
        from scanner.render.pdf import pdf_available

        if not pdf_available():
            raise InputError("--format pdf needs WeasyPrint: pip install 'vetscan[pdf]'")
    key = None
    if args.sign_key is not None:
        try:
            key = load_private_key(args.sign_key)
        except IntegrityError as exc:
            raise InputError(str(exc)) from None
    if args.profile:
        from scanner.scoring.profile import load_profile

        profile = load_profile(args.profile)
        evidence = [api.evidence(path) for path in args.scans]
        if args.run:
            location = existing_history(args)
            evidence += [api.evidence(location=location, run=run) for run in args.run]
        # Judged again offline under one profile, so every verdict follows one rule.
        documents = [api.build_document(api.rejudge(e, profile), profile=profile) for e in evidence]
    else:
        documents = [api.saved_scan(path) for path in args.scans]
        if args.run:
            location = existing_history(args)
            documents += [api.stored_scan(location, run) for run in args.run]
    sealed = api.comparison(documents, weights)
    paths = api.write_comparison(sealed, args.out, formats, key)
    if not args.quiet:
        if sealed["profile_mismatch"]:
            print(f"warning: {sealed['profile_mismatch']}", file=sys.stderr)
        print(f"compared {len(documents)} candidates, ranked:")
        for row in sealed["ranking"]["order"]:
            print(f"  {row['rank']}. {term(row['name'])}: {term(row['reason'])}")
        for path in paths:
            print(f"  {path}")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    checks = api.verify_report(args.report, args.pubkey)
    for check in checks:
        print(f"{'ok ' if check.ok else 'BAD'} {check.name}: {term(check.detail)}")
    return EXIT_OK if all(c.ok for c in checks) else EXIT_FINDINGS


def cmd_keygen(args: argparse.Namespace) -> int:
    public = api.generate_key(args.path)
    print(f"private key {args.path} (keep it secret), public key {public} (share it)")
    return EXIT_OK
