"""Attack-surface discovery inside the DNS discovery probe: run the sources, keep
the names in scope, resolve them under the address policy within the host budget.

Names come with where they were found. Names of other organisations (a shared
certificate lists a CDN's names) are "related": listed, never scanned. Hosts found
beyond the budget are listed as not scanned, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from scanner.discovery.base import PROVENANCE_ORDER, Found, Source, SourceContext
from scanner.discovery.registry import installed_sources
from scanner.discovery.run import SourceRun, run_sources
from scanner.discovery.san import SanSource
from scanner.discovery.scope import clean, in_scope
from scanner.probes.base import ProbeContext

from .observations import DiscoveredName, SourceAttempt

# SAN rounds: the certificates of the hosts found read once, then once more over the
# names they added (a chain of certificates naming each other stays bounded).
SAN_ROUNDS = 2


@dataclass
class Surface:
    """Discovery's running state: names by provenance, in the order found."""

    domains: tuple[str, ...]
    provenance: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    invalid: dict[str, tuple[list[tuple[str, str]], str]] = field(default_factory=dict)

    def add(self, found: Sequence[Found]) -> list[str]:
        """Records ``found``; returns the names not seen before."""
        new = []
        for f in found:
            name, why = clean(f.name)
            if name is None:
                self.invalid.setdefault(f.name[:255], ([], why))[0].append((f.source, f.detail))
                continue
            if name not in self.provenance:
                self.provenance[name] = []
                new.append(name)
            entry = (f.source, f.detail)
            if entry not in self.provenance[name]:
                self.provenance[name].append(entry)
        return new


def _rank(sources: Sequence[tuple[str, str]]) -> int:
    ranks = [PROVENANCE_ORDER.index(s) for s, _ in sources if s in PROVENANCE_ORDER]
    return min(ranks, default=len(PROVENANCE_ORDER))


def enabled_sources(context: ProbeContext) -> tuple[list[Source], list[SourceAttempt]]:
    wanted = tuple(context.profile.setting("discovery", "sources"))
    installed, problems = installed_sources()
    by_name = {s.name: s for s in installed}
    unknown = [
        SourceAttempt(name, "*", "error", "no such discovery source is installed", 0)
        for name in wanted
        if name not in by_name
    ]
    unknown += [SourceAttempt("plugin", "*", "error", p, 0) for p in problems]
    return [by_name[n] for n in wanted if n in by_name], unknown


def source_context(context: ProbeContext, known: Mapping[str, tuple[str, ...]]) -> SourceContext:
    client = context.discovery
    settings = {
        key: context.profile.setting("discovery", key)
        for key in ("words", "crtsh_urls", "certspotter_urls")
    }
    return SourceContext(
        resolver=context.resolver,
        policy=context.policy,
        settings=settings,
        fetch=client.get if client is not None else None,
        certificate_names=client.certificate_names if client is not None else None,
        known=known,
        timeout=context.timeout,
    )


def _attempts(runs: Sequence[SourceRun]) -> list[SourceAttempt]:
    return [
        SourceAttempt(
            r.source,
            r.domain,
            r.status,
            r.reason,
            len(r.found),
            r.notes,
            r.dropped,
            dict(r.evidence),
        )
        for r in runs
    ]


# Looks new names up; returns each name's addresses (empty when it has none).
Resolve = Callable[[Sequence[str]], Mapping[str, tuple[str, ...]]]


@dataclass
class Outcome:
    surface: Surface
    attempts: list[SourceAttempt]
    # In-scope names found and looked up (within the budget), with their addresses.
    resolved: dict[str, tuple[str, ...]]
    over_budget: list[str]


def discover(
    domains: tuple[str, ...],
    context: ProbeContext,
    known: Mapping[str, tuple[str, ...]],
    resolve: Resolve,
) -> Outcome:
    """Runs the sources. ``known`` maps the hosts the scan already has to their
    addresses; new in-scope names are looked up with ``resolve`` while the budget
    (the profile's max_hosts, known hosts included) lasts."""
    sources, attempts = enabled_sources(context)
    timeout = float(context.profile.setting("discovery", "source_timeout"))
    # Known hosts without an address cost nothing: nothing is scanned there.
    scanned = sum(1 for addresses in known.values() if addresses)
    room = max(0, int(context.profile.setting("discovery", "max_hosts")) - scanned)
    outcome = Outcome(Surface(domains), attempts, {}, [])
    san = [s for s in sources if isinstance(s, SanSource)]
    first = [s for s in sources if not isinstance(s, SanSource)]

    def take(runs: Sequence[SourceRun]) -> bool:
        nonlocal room
        outcome.attempts.extend(_attempts(runs))
        outcome.surface.add([f for r in runs for f in r.found])
        fresh = sorted(
            (
                n
                for n in outcome.surface.provenance
                if in_scope(n, domains)
                and n not in known
                and n not in outcome.resolved
                and n not in outcome.over_budget
            ),
            key=lambda n: (_rank(outcome.surface.provenance[n]), n.count("."), n),
        )
        now, later = fresh[:room], fresh[room:]
        room -= len(now)
        outcome.over_budget.extend(later)
        outcome.resolved.update(resolve(now))
        return bool(now)

    take(run_sources(first, domains, source_context(context, known), timeout))
    for _ in range(SAN_ROUNDS if san else 0):
        reachable = {**known, **{n: a for n, a in outcome.resolved.items() if a}}
        if not take(run_sources(san, domains, source_context(context, reachable), timeout)):
            break
    outcome.attempts[:] = _merge_rounds(outcome.attempts)
    return outcome


def _merge_rounds(attempts: list[SourceAttempt]) -> list[SourceAttempt]:
    """One attempt per source and domain: the SAN rounds summed."""
    out: list[SourceAttempt] = []
    for a in attempts:
        same = next((o for o in out if (o.source, o.domain) == (a.source, a.domain)), None)
        if same is None:
            out.append(a)
            continue
        status = same.status if same.status != "ok" else a.status
        merged = SourceAttempt(
            a.source,
            a.domain,
            status,
            same.reason or a.reason,
            same.found + a.found,
            same.notes + a.notes,
            same.dropped + a.dropped,
        )
        out[out.index(same)] = merged
    return out


def named(outcome: Outcome, known: Mapping[str, object]) -> list[DiscoveredName]:
    """Every name the sources returned, with what the scan did with it."""
    out = []
    surface = outcome.surface
    for name, found_by in sorted(surface.provenance.items()):
        if not in_scope(name, surface.domains):
            status, reason, scope = "related", "another organisation's name: not scanned", "related"
        elif name in known:
            status, reason, scope = "known", "", "provider"
        elif name in outcome.over_budget:
            status, scope = "over_budget", "provider"
            reason = "found beyond the host budget (--max-hosts): not scanned"
        elif outcome.resolved.get(name):
            status, reason, scope = "scanned", "", "provider"
        else:
            status, reason, scope = "no_address", "does not resolve to an address", "provider"
        out.append(DiscoveredName(name, tuple(found_by), scope, status, reason))
    for raw, (found_by, why) in sorted(surface.invalid.items()):
        out.append(DiscoveredName(raw, tuple(found_by), "provider", "invalid", why))
    return out
