"""Which probes exist: every folder of scanner/probes that names its probe (``PROBE``
in its ``probe.py``, or in its ``__init__`` when it has no probe.py), plus any registered under the ``vetscan.probes`` entry-point
group by another installed package. Adding a built-in probe is adding its folder."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.metadata import EntryPoint

import scanner.probes
from scanner.plugins import load_plugins
from scanner.probes.base import Probe

ENTRY_POINT_GROUP = "vetscan.probes"


@dataclass(frozen=True)
class PluginError:
    entry_point: str
    reason: str


@dataclass(frozen=True)
class Registry:
    probes: tuple[Probe, ...]
    errors: tuple[PluginError, ...]
    origins: dict[str, str]

    def names(self) -> list[str]:
        return [p.name for p in self.probes]

    def volatile_evidence(self) -> frozenset[str]:
        """Every probe's run-to-run evidence keys (its report hook for history)."""
        return frozenset().union(*(p.volatile_evidence for p in self.probes))

    def in_report_order(self) -> list[Probe]:
        """The probes as their report sections follow each other."""
        ranked = [(p.rank if p.report_rank is None else p.report_rank, i, p) for i, p in
                  enumerate(self.probes)]  # fmt: skip
        return [p for _, _, p in sorted(ranked, key=lambda r: (r[0], r[1]))]

    def in_changes_order(self) -> list[Probe]:
        """The probes as their sections of "what changed" follow each other."""
        return changes_order(self.probes)


def changes_order(probes: Iterable[Probe]) -> list[Probe]:
    def position(probe: Probe) -> int:
        for rank in (probe.changes_rank, probe.report_rank):
            if rank is not None:
                return rank
        return probe.rank

    return [p for _, p in sorted(enumerate(probes), key=lambda e: (position(e[1]), e[0]))]


REPORT_FRAGMENT = "report.html.j2"
CHANGES_FRAGMENT = "changes.html.j2"


def report_fragment(probe: Probe, name: str = REPORT_FRAGMENT) -> str | None:
    """The probe's report.html.j2 beside its code (its sections of "Assets found"), or
    its changes.html.j2 (its sections of "What changed")."""
    module = sys.modules[type(probe).__module__]
    package = module.__spec__.parent if module.__spec__ is not None else ""
    try:
        entry = resources.files(package or module.__name__).joinpath(name)
        return entry.read_text("utf-8") if entry.is_file() else None
    except (ImportError, OSError, ValueError):
        return None


def builtin() -> list[type[Probe]]:
    """The probe of every folder under scanner/probes, by rank (then name)."""
    found = []
    for module in pkgutil.iter_modules(scanner.probes.__path__):
        if not module.ispkg:
            continue
        package = f"scanner.probes.{module.name}"
        home = f"{package}.probe" if importlib.util.find_spec(f"{package}.probe") else package
        probe = getattr(importlib.import_module(home), "PROBE", None)
        if isinstance(probe, type) and issubclass(probe, Probe):
            found.append(probe)
    return sorted(found, key=lambda cls: (cls.rank, cls.name))


def load_registry(plugins: Iterable[EntryPoint] | None = None) -> Registry:
    """Built-ins first; a plugin that fails to load or clashes is reported, not fatal."""
    probes: list[Probe] = [cls() for cls in builtin()]
    origins = {p.name: "built-in" for p in probes}
    loaded = load_plugins(ENTRY_POINT_GROUP, Probe, lambda p: p.name, origins, plugins)
    errors = [
        PluginError(f"{r.entry_point.name} = {r.entry_point.value}", r.reason)
        for r in loaded.refused
    ]
    for probe, dist in loaded.items:
        probes.append(probe)
        origins[probe.name] = f"plugin from {dist}"
    return Registry(tuple(probes), tuple(errors), origins)


@cache
def installed() -> Registry:
    """The installed probes, loaded once per process (entry points do not change while
    it runs): a scan, its document and the plugin warnings read the same registry."""
    return load_registry()
