"""Control mappings: for each framework (ISO/IEC 27001, NIS2, DORA, ...), the controls
each check is evidence toward, kept as dated, versioned data.

One TOML file per framework and version in ``tables/``; a plugin adds the controls
its checks bear on in a ``controls.toml`` beside its probe (the same shape, under
``[<framework id>]``). Each file is validated like ``checks.toml``: a pattern that
matches no catalogued check, an unknown key or a check both mapped and declared not
applicable is an error naming the file. Patterns are check IDs or ``fnmatch``
globs (``tls.*``). A control marked ``history`` is answered by the vendor's runs
over time (supplier oversight), not by one scan's checks.

An outside-in scan is evidence toward a control; it never shows the control is met.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

from scanner.checks import catalogue
from scanner.errors import InputError, VetscanError
from scanner.probe_data import probe_files

FRAGMENT = "controls.toml"
_FRAMEWORK_KEYS = {"id", "name", "version", "citation", "mapping_date"}
_CONTROL_KEYS = {"title", "checks", "history", "note"}


class ControlsError(VetscanError, ValueError):
    """A control table that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Control:
    id: str  # as the framework writes it: "A.8.24", "Art. 21(2)(d)", "4.2.1"
    title: str
    checks: tuple[str, ...] = ()  # check IDs, resolved from the table's patterns
    history: bool = False  # answered by the vendor's history, not by one scan
    note: str = ""


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    version: str
    citation: str
    mapping_date: str
    controls: tuple[Control, ...]
    # Checks that bear on no control of this framework, each with the reason.
    not_applicable: Mapping[str, str] = field(default_factory=dict)

    def controls_of(self, check_id: str) -> tuple[Control, ...]:
        return tuple(c for c in self.controls if check_id in c.checks)


def _expand(patterns: Iterable[str], known: Iterable[str], where: str) -> tuple[str, ...]:
    known = sorted(known)
    out: list[str] = []
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise ControlsError(f"{where}: checks must be strings")
        hits = [c for c in known if fnmatch.fnmatchcase(c, pattern)]
        if not hits:
            raise ControlsError(f"{where}: {pattern!r} matches no check in the catalogue")
        out.extend(h for h in hits if h not in out)
    return tuple(out)


def _controls(table: Mapping[str, Any], known: Iterable[str], source: str) -> list[Control]:
    out = []
    for control_id, entry in table.items():
        where = f"{source}: control {control_id}"
        if not isinstance(entry, dict):
            raise ControlsError(f"{where}: must be a table")
        unknown = set(entry) - _CONTROL_KEYS
        if unknown:
            raise ControlsError(f"{where}: unknown key {', '.join(sorted(unknown))}")
        history = entry.get("history", False)
        if not isinstance(history, bool):
            raise ControlsError(f"{where}: history must be true or false")
        checks = _expand(entry.get("checks", []), known, where)
        if not checks and not history:
            raise ControlsError(f"{where}: names no check and is not answered by history")
        out.append(
            Control(
                str(control_id),
                str(entry.get("title", "")),
                checks,
                history,
                str(entry.get("note", "")),
            )
        )
        if not out[-1].title:
            raise ControlsError(f"{where}: missing title")
    return out


def _not_applicable(
    table: Mapping[str, Any], mapped: set[str], known: Iterable[str], source: str
) -> dict[str, str]:
    out: dict[str, str] = {}
    for pattern, reason in table.items():
        where = f"{source}: not_applicable {pattern!r}"
        if not isinstance(reason, str) or not reason.strip():
            raise ControlsError(f"{where}: give the reason")
        hits = [c for c in _expand([pattern], known, where) if c not in mapped]
        if not hits:
            raise ControlsError(f"{where}: every check it matches maps to a control")
        if pattern in mapped:
            raise ControlsError(f"{where}: the check also maps to a control")
        out.update((c, reason) for c in hits if c not in out)
    return out


def parse_table(text: str, source: str, known: Iterable[str]) -> Framework:
    """A framework's table, its patterns resolved against the ``known`` check IDs."""
    known = list(known)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ControlsError(f"{source}: {exc}") from None
    head = data.get("framework")
    if not isinstance(head, dict) or set(head) != _FRAMEWORK_KEYS:
        raise ControlsError(f"{source}: [framework] needs {', '.join(sorted(_FRAMEWORK_KEYS))}")
    unknown = set(data) - {"framework", "control", "not_applicable"}
    if unknown:
        raise ControlsError(f"{source}: unknown table {', '.join(sorted(unknown))}")
    controls = _controls(data.get("control", {}), known, source)
    mapped = {c for control in controls for c in control.checks}
    na = _not_applicable(data.get("not_applicable", {}), mapped, known, source)
    return Framework(
        **{k: str(head[k]) for k in sorted(_FRAMEWORK_KEYS)},
        controls=tuple(controls),
        not_applicable=na,
    )


def add_fragment(
    frameworks: dict[str, Framework], text: str, source: str, known: Iterable[str]
) -> None:
    """A plugin's controls.toml: ``[<framework>.control."ID"]`` adds its checks to a
    control (a new one needs a title), ``[<framework>.not_applicable]`` its reasons."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ControlsError(f"{source}: {exc}") from None
    known = list(known)
    for framework_id, body in data.items():
        if framework_id not in frameworks:
            raise ControlsError(f"{source}: unknown framework {framework_id!r}")
        base = frameworks[framework_id]
        existing = {c.id: c for c in base.controls}
        added = {}
        for control_id, entry in (body.get("control") or {}).items():
            if control_id in existing and isinstance(entry, dict):
                entry = {"title": existing[control_id].title, **entry}
            added[control_id] = entry
        merged = {c.id: c for c in base.controls}
        for new in _controls(added, known, f"{source} [{framework_id}]"):
            old = merged.get(new.id)
            checks = tuple(dict.fromkeys((*(old.checks if old else ()), *new.checks)))
            merged[new.id] = replace(old or new, checks=checks)
        mapped = {c for control in merged.values() for c in control.checks}
        na = dict(base.not_applicable)
        na.update(_not_applicable(body.get("not_applicable") or {}, mapped, known, source))
        frameworks[framework_id] = replace(
            base,
            controls=tuple(merged.values()),
            not_applicable={k: v for k, v in na.items() if k not in mapped},
        )


@cache
def frameworks() -> dict[str, Framework]:
    """Every shipped framework, with the installed plugins' additions, by ID."""
    known = list(catalogue())
    out: dict[str, Framework] = {}
    origin: dict[str, str] = {}
    tables = resources.files("scanner.controls").joinpath("tables")
    for entry in sorted(tables.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        source = f"scanner/controls/tables/{entry.name}"
        framework = parse_table(entry.read_text("utf-8"), source, known)
        if framework.id in out:
            raise ControlsError(
                f"{source}: framework {framework.id} is also in {origin[framework.id]}"
            )
        out[framework.id], origin[framework.id] = framework, source
    for source, text in probe_files(FRAGMENT):
        add_fragment(out, text, source, known)
    return out


def selected(names: Iterable[str]) -> tuple[str, ...]:
    """Framework IDs as asked (``--framework iso27001,nis2``), checked; ``all`` is every one."""
    known = frameworks()
    asked = [n.strip().lower() for n in names if n.strip()]
    if "all" in asked:
        return tuple(known)
    unknown = [n for n in asked if n not in known]
    if unknown:
        raise InputError(
            f"unknown framework {', '.join(unknown)} (known: {', '.join(known)}, or all)"
        )
    return tuple(dict.fromkeys(asked))
