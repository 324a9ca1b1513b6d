"""Which discovery sources exist: the built-in ones plus any registered under the
``vetscan.sources`` entry-point group by another installed package."""

from __future__ import annotations

from functools import cache

from scanner.discovery.base import Source
from scanner.discovery.ct import CertspotterSource, CrtShSource
from scanner.discovery.san import SanSource
from scanner.discovery.spf import SpfSource
from scanner.discovery.srv import SrvSource
from scanner.discovery.wordlist import WordlistSource
from scanner.discovery.zone import AxfrSource, NsecSource
from scanner.plugins import load_plugins

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
    loaded = load_plugins(ENTRY_POINT_GROUP, Source, lambda s: s.name, (s.name for s in sources))
    problems = tuple(f"{r.entry_point.name}: {r.reason}" for r in loaded.refused)
    return (*sources, *(source for source, _ in loaded.items)), problems
