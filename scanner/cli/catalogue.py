"""`vetscan probes`, `checks` and `profiles`: what is installed, what is checked, how
it is scored."""

from __future__ import annotations

import argparse
import os

from scanner.cli.exits import EXIT_OK
from scanner.errors import InputError
from scanner.scoring.profile import Profile, load_profile


def cmd_probes(args: argparse.Namespace) -> int:
    from scanner.registry import load_registry

    registry = load_registry()
    for probe in registry.probes:
        after = f" (after {', '.join(probe.consumes)})" if probe.consumes else ""
        print(f"{probe.name}  v{probe.version}  [{registry.origins[probe.name]}]{after}")
        print(f"    {probe.description}")
    for problem in registry.errors:
        print(f"broken plugin {problem.entry_point}: {problem.reason}")
    from scanner.discovery.registry import BUILTIN, installed_sources

    sources, problems = installed_sources()
    builtin = {cls.name for cls in BUILTIN}
    print("\ndiscovery sources (the profile's discovery.sources picks them):")
    for source in sources:
        origin = "built-in" if source.name in builtin else "plugin"
        quiet = ", sends nothing to the provider" if source.passive else ""
        print(f"{source.name}  [{origin}{quiet}]")
        print(f"    {source.description}")
    for broken in problems:
        print(f"broken discovery source {broken}")
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
        raise InputError(f"unknown check {args.check_id!r} (see 'vetscan checks')")
    print(f"{entry.id}: {entry.title}")
    print(f"pitfall: {entry.pitfall}; default severity: {entry.severity}")
    if entry.grade_cap:
        print(f"while failing, the grade is at most {entry.grade_cap}")
    print(f"\n{entry.description}\n\nRemediation: {entry.remediation}")
    if entry.references:
        print("References: " + "; ".join(entry.references))
    return EXIT_OK


def cmd_frameworks(args: argparse.Namespace) -> int:
    from scanner.controls import frameworks, selected

    known = frameworks()
    if args.framework is None:
        for framework in known.values():
            print(f"{framework.id:18} {framework.name} (mapping of {framework.mapping_date})")
        return EXIT_OK
    framework = known[selected([args.framework])[0]]
    print(f"{framework.name}, version {framework.version}\n{framework.citation}")
    print(f"mapping of {framework.mapping_date}: evidence toward each control, never proof\n")
    for control in framework.controls:
        print(f"{control.id}  {control.title}")
        if control.history:
            print("    answered by the vendor's history of runs")
        for check_id in control.checks:
            print(f"    {check_id}")
    if framework.not_applicable:
        print("\nnot applicable:")
        for check_id, reason in sorted(framework.not_applicable.items()):
            print(f"    {check_id}: {reason}")
    return EXIT_OK


def cmd_profiles(args: argparse.Namespace) -> int:
    import json

    from scanner.scoring.profile import builtin_names, describe

    if args.action == "list":
        for name in builtin_names():
            profile = load_profile(name)
            print(f"{name:12} {profile.description}")
        return EXIT_OK
    if args.action == "settings":
        return _settings(load_profile(args.profile or "default"))
    if args.profile is None:
        raise InputError(f"'profiles {args.action}' needs a profile name or path")
    profile = load_profile(args.profile)
    if args.action == "show":
        print(json.dumps(describe(profile), indent=2))
    else:
        print(f"{profile.source}: valid profile {profile.name!r}")
    return EXIT_OK


def _settings(profile: Profile) -> int:
    """Every probe setting: what --set and a profile's tables take, with this
    profile's value."""
    from scanner.scoring.settings import schemas

    for table, settings in sorted(schemas().items()):
        for key, setting in settings.items():
            value = profile.setting(table, key)
            shown = ",".join(str(v) for v in value) if isinstance(value, tuple) else value
            print(f"{table}.{key} ({setting.kind}) = {shown}")
            print(f"    {setting.help}")
    return EXIT_OK


def cmd_kev(args: argparse.Namespace) -> int:
    """`vetscan kev show` and `vetscan kev update --from FILE`."""
    from scanner import api

    if args.action == "update":
        url = None
        if args.url is not None:
            from scanner.probes.services.kev import KEV_URL

            url = args.url or os.environ.get("VETSCAN_KEV_URL") or KEV_URL
        elif args.source is None:
            raise InputError("kev update needs --from FILE or --url (CISA's catalogue JSON)")
        if not (0 < args.timeout <= 3600):
            raise InputError("--timeout must be between 0 and 3600 seconds")
        catalogue, where = api.update_kev(args.source, args.allow_older, url, args.timeout)
        print(
            f"installed the KEV catalogue {catalogue.version} of {catalogue.released_day} "
            f"({len(catalogue.entries)} vulnerabilities) at {where}"
        )
        return EXIT_OK
    current = api.kev_catalogue()
    print(
        f"KEV catalogue {current.version} of {current.released_day}: "
        f"{len(current.entries)} vulnerabilities, {current.origin}"
    )
    return EXIT_OK
