"""Which discovery sources exist: the built-in ones plus any registered under the
``vetscan.sources`` entry-point group by another installed package."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from scanner.discovery.base import Source
from scanner.discovery.ct import CertspotterSource, CrtShSource
from scanner.discovery.san import SanSource
from scanner.discovery.spf import SpfSource
from scanner.discovery.srv import SrvSource
from scanner.discovery.wordlist import WordlistSource
from scanner.discovery.zone import AxfrSource, NsecSource

ENTRY_POINT_GROUP = "vetscan.sources"
BUILTIN: tuple[type[Source], ...] = (
    SpfSource,
    SrvSource,
    WordlistSource,
    AxfrSource,
    NsecSource,
    CrtShSource,
    CertspotterSource,
    SanSource,
)


@cache
def installed_sources() -> tuple[tuple[Source, ...], tuple[str, ...]]:
    """(sources, problems): a plugin source that fails to load is reported, not fatal."""
    sources: list[Source] = [cls() for cls in BUILTIN]
    problems: list[str] = []
    taken = {s.name for s in sources}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            cls = ep.load()
            if not (isinstance(cls, type) and issubclass(cls, Source)):
                problems.append(f"{ep.name}: does not subclass scanner.discovery.base.Source")
                continue
            source = cls()
        except Exception as exc:  # noqa: BLE001 - third-party code may raise anything
            problems.append(f"{ep.name}: {type(exc).__name__}: {exc}")
            continue
        if source.name in taken:
            problems.append(f"{ep.name}: source name {source.name!r} is already taken")
            continue
        taken.add(source.name)
        sources.append(source)
    return tuple(sources), tuple(problems)
