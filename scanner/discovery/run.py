"""Runs the discovery sources: all at once, each under its own deadline, each
failure a note that never stops the others."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from scanner.concurrency import DaemonPool
from scanner.discovery.base import Found, Source, SourceContext, SourceResult, SourceUnavailable
from scanner.errors import VetscanError


@dataclass(frozen=True)
class SourceRun:
    """The attempt record of one source on one domain."""

    source: str
    domain: str
    status: str  # ok, unavailable, timeout, error
    reason: str
    found: tuple[Found, ...]
    notes: tuple[str, ...]
    dropped: int = 0
    evidence: Mapping[str, object] = field(default_factory=dict)


def _one(source: Source, domain: str, context: SourceContext) -> SourceResult:
    return source.discover(domain, context)


def run_sources(
    sources: Sequence[Source], domains: Sequence[str], context: SourceContext, timeout: float
) -> list[SourceRun]:
    """One record per (source, domain), in that order, within ``timeout`` seconds."""
    jobs = [(s, d) for s in sources for d in domains]
    if not jobs:
        return []
    out: list[SourceRun] = []
    with DaemonPool(len(jobs), name="discovery") as pool:
        futures = [pool.submit(_one, s, d, context) for s, d in jobs]
        deadline = time.monotonic() + timeout
        for (source, domain), future in zip(jobs, futures, strict=True):
            try:
                result = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                # Abandoned on its daemon thread; every network call in it has its own
                # deadline, so it ends on its own soon after.
                out.append(
                    SourceRun(
                        source.name, domain, "timeout", f"no result within {timeout:g} s", (), ()
                    )
                )
                continue
            except SourceUnavailable as exc:
                out.append(SourceRun(source.name, domain, "unavailable", str(exc), (), ()))
                continue
            except VetscanError as exc:
                out.append(SourceRun(source.name, domain, "error", str(exc), (), ()))
                continue
            except Exception as exc:  # noqa: BLE001 - a plugin source may raise anything
                reason = f"the source failed: {type(exc).__name__}: {exc}"
                out.append(SourceRun(source.name, domain, "error", reason, (), ()))
                continue
            out.append(
                SourceRun(
                    source.name,
                    domain,
                    "ok",
                    "",
                    result.found,
                    result.notes,
                    result.dropped,
                    result.evidence,
                )
            )
    return out
