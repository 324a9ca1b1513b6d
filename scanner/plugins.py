"""Loading what other installed packages register under an entry-point group (probes,
discovery sources): one loader for both, so a plugin that fails is treated the same
everywhere. A plugin that fails to import, is not the expected kind, raises while
being made, or takes a name already taken is reported, never fatal."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar, cast

T = TypeVar("T")


@dataclass(frozen=True)
class Refused:
    entry_point: EntryPoint
    reason: str


@dataclass(frozen=True)
class Loaded(Generic[T]):
    # (item, the name of the distribution that registered it)
    items: tuple[tuple[T, str], ...]
    refused: tuple[Refused, ...]


def load_plugins(
    group: str,
    base: Callable[[], T],  # the class plugins must subclass (abstract ones included)
    name_of: Callable[[T], str],
    taken: Iterable[str],
    found: Iterable[EntryPoint] | None = None,
) -> Loaded[T]:
    """Instances of the ``base`` subclasses registered under ``group`` (``found``
    instead of the installed entry points, for tests), in entry-point name order."""
    names = set(taken)
    items: list[tuple[T, str]] = []
    refused: list[Refused] = []
    wanted = cast(type, base)
    kind = f"{wanted.__module__}.{wanted.__qualname__}"
    for ep in sorted(entry_points(group=group) if found is None else found, key=lambda e: e.name):
        try:
            cls = ep.load()
            if not (isinstance(cls, type) and issubclass(cls, wanted)):
                refused.append(Refused(ep, f"does not subclass {kind}"))
                continue
            item = cast(T, cls())
        except Exception as exc:  # noqa: BLE001 - third-party code may raise anything
            refused.append(Refused(ep, f"{type(exc).__name__}: {exc}"))
            continue
        name = name_of(item)
        if name in names:
            refused.append(Refused(ep, f"{_what(wanted)} name {name!r} is already taken"))
            continue
        names.add(name)
        items.append((item, ep.dist.name if ep.dist is not None else "unknown package"))
    return Loaded(tuple(items), tuple(refused))


def _what(base: type[object]) -> str:
    return {"Probe": "probe", "Source": "source"}.get(base.__name__, base.__name__.lower())
