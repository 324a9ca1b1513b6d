"""From parsed arguments to the API's typed options (the checks live in scanner.options)."""

from __future__ import annotations

import argparse
import dataclasses

from scanner import api
from scanner.errors import InputError
from scanner.model import Target
from scanner.net.targets import parse_host_port, user_domain
from scanner.options import OutputOptions, ScanOptions
from scanner.scoring.profile import Profile


def with_frameworks(profile: Profile, args: argparse.Namespace) -> Profile:
    """The profile with --framework's control matrices instead of its own."""
    asked = getattr(args, "framework", None)
    if asked is None:
        return profile
    from scanner.controls import selected

    return dataclasses.replace(profile, frameworks=selected(asked.split(",")))


def scan_options(args: argparse.Namespace, nameserver: str | None = None) -> ScanOptions:
    options = _scan_options(args, nameserver)
    return dataclasses.replace(options, profile=with_frameworks(options.profile, args))


def _scan_options(args: argparse.Namespace, nameserver: str | None = None) -> ScanOptions:
    given = getattr(args, "nameserver", None)
    return ScanOptions.build(
        profile=args.profile,
        nameserver=given if given is not None else nameserver,
        ca_file=getattr(args, "ca_file", None),
        allow_private=bool(getattr(args, "allow_private", False)),
        timeout=getattr(args, "timeout", None),
        trust_anchors=getattr(args, "trust_anchors", None),
        dkim_selectors=tuple(getattr(args, "dkim_selector", None) or ()),
        max_hosts=getattr(args, "max_hosts", None),
        ct_urls=tuple(getattr(args, "ct_url", None) or ()),
        settings=tuple(getattr(args, "settings", None) or ()),
    )


def output_options(args: argparse.Namespace) -> OutputOptions:
    return OutputOptions.build(
        args.format,
        args.out,
        getattr(args, "sign_key", None),
        csv_bom=bool(getattr(args, "csv_bom", False)),
        csv_excel=bool(getattr(args, "csv_excel", False)),
    )


def history_location(args: argparse.Namespace) -> str:
    location: str | None = getattr(args, "db", None)
    return location if location is not None else api.default_location()


def existing_history(args: argparse.Namespace) -> str:
    """For commands that only read: a typo must not create an empty database."""
    return api.readable_history(history_location(args))


def target(args: argparse.Namespace) -> Target:
    domains = tuple(dict.fromkeys(user_domain(d) for d in args.domains))
    hosts = tuple(parse_host_port(h) for h in args.host)
    name = (args.name or domains[0]).strip()
    if not name or not name.isprintable():
        raise InputError("--name must be printable text")
    return Target(name=name, domains=domains, extra_hosts=hosts)
