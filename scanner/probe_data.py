"""Data files a probe ships beside its code (its checks, its profile settings): found
in each built-in probe's folder and in each plugin's package, without importing the
probes themselves (the catalogue and the profile loader must not depend on them)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from importlib import resources
from importlib.metadata import entry_points

ENTRY_POINT_GROUP = "vetscan.probes"


def probe_files(filename: str) -> Iterator[tuple[str, str]]:
    """(where, text) of ``filename`` in every probe folder: built-in ones, then plugins."""
    probes = resources.files("scanner.probes")
    for entry in sorted(probes.iterdir(), key=lambda e: e.name):
        fragment = entry.joinpath(filename)
        if entry.is_dir() and fragment.is_file():
            yield f"scanner/probes/{entry.name}/{filename}", fragment.read_text("utf-8")
    seen = set()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        package = _package_of(ep.module)
        if package is None or package in seen:
            continue
        seen.add(package)
        try:
            fragment = resources.files(package).joinpath(filename)
            if fragment.is_file():
                yield f"{package}/{filename}", fragment.read_text("utf-8")
        except (ImportError, OSError):
            continue  # a broken plugin is reported by the registry, not here


def _package_of(module: str) -> str | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    return module if spec.submodule_search_locations is not None else module.rpartition(".")[0]
