"""Gathering for the look-alike probe: dnstwist's names, each looked up through the
scan's resolver (NS first: NXDOMAIN ends it in one query; a name that exists gets
its A, AAAA and MX), within a count and a time bound; the registered ones that are
not the provider's own are searched in certificate transparency (discovery's
searches) within the same time bound."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from scanner.concurrency import DaemonPool
from scanner.discovery.base import SourceContext, SourceUnavailable
from scanner.discovery.ct import CertspotterSource, CrtShSource
from scanner.model import Target
from scanner.net.resolver import DnsOutcome
from scanner.probes.base import ProbeContext
from scanner.probes.discovery.surface import source_context

from .observations import Lookalike, LookalikeObservation
from .permutations import Candidate, UnknownFuzzer, candidates

WORKERS = 16


def _hosts(records: Sequence[str]) -> tuple[str, ...]:
    """Host names from NS or MX data ("10 mx.example.test." -> "mx.example.test");
    a null MX ("0 .", RFC 7505) names none."""
    out = []
    for record in records:
        host = record.split()[-1].rstrip(".").lower() if record.split() else ""
        if host:
            out.append(host)
    return tuple(sorted(set(out)))


def _look_up(candidate: Candidate, context: ProbeContext, deadline: float) -> Lookalike | str:
    """The registered look-alike, or "absent", "unanswered", "late"."""
    if time.monotonic() > deadline:
        return "late"
    ns = context.resolver.query(candidate.name, "NS")
    if ns.outcome is DnsOutcome.NXDOMAIN:
        return "absent"
    if not ns.outcome.conclusive:
        return "unanswered"
    a = context.resolver.query(candidate.name, "A")
    aaaa = context.resolver.query(candidate.name, "AAAA")
    mx = context.resolver.query(candidate.name, "MX")
    return Lookalike(
        candidate.name,
        candidate.fuzzer,
        addresses=tuple(sorted({*a.records, *aaaa.records})),
        mx=_hosts(mx.records),
        ns=_hosts(ns.records),
    )


def _own(found: Lookalike, ns: tuple[str, ...], mx: tuple[str, ...]) -> str:
    shared_ns = sorted(set(found.ns) & set(ns))
    if shared_ns:
        return f"served by the provider's own name servers ({', '.join(shared_ns)})"
    shared_mx = sorted(set(found.mx) & set(mx))
    if shared_mx:
        return f"mail goes to the provider's own mail servers ({', '.join(shared_mx)})"
    return ""


def _ct_context(context: ProbeContext) -> SourceContext | None:
    """Discovery's CT searches, or None where none is configured."""
    urls = [context.profile.setting("discovery", k) for k in ("crtsh_urls", "certspotter_urls")]
    if context.discovery is None or not any(urls):
        return None
    return source_context(context, {})


def _certificates(found: Lookalike, ct: SourceContext | None, deadline: float) -> Lookalike:
    if ct is None:
        return replace(found, ct_reason="no certificate-transparency search is configured")
    if time.monotonic() > deadline:
        return replace(found, ct_reason="not searched: the time budget ran out")
    names: set[str] = set()
    try:
        for source in (CrtShSource(), CertspotterSource()):
            if ct.settings.get(source.setting):
                result = source.discover(found.name, ct)
                names |= {
                    f.name
                    for f in result.found
                    if f.name.lstrip("*.") == found.name or f.name.endswith("." + found.name)
                }
    except SourceUnavailable as exc:
        return replace(found, ct_reason=str(exc))
    return replace(found, certificates=len(names))


def observe(domain: str, context: ProbeContext) -> LookalikeObservation:
    def setting(key: str) -> Any:
        return context.profile.setting("lookalike", key)

    limit = int(setting("max_candidates"))
    try:
        made = candidates(domain, tuple(setting("fuzzers")))
    except UnknownFuzzer as exc:
        return LookalikeObservation(domain, "error", str(exc), 0, 0, 0)
    chosen = made[:limit]
    deadline = time.monotonic() + float(setting("budget"))
    own_ns = _hosts(context.resolver.query(domain, "NS").records)
    own_mx = _hosts(context.resolver.query(domain, "MX").records)
    with DaemonPool(min(WORKERS, max(1, len(chosen))), name="lookalike") as pool:
        answers = pool.map(lambda c: _look_up(c, context, deadline), chosen)
    registered = [a for a in answers if isinstance(a, Lookalike)]
    registered = [replace(f, own=_own(f, own_ns, own_mx)) for f in registered]
    ct = _ct_context(context)
    searched = [f for f in registered if not f.own][: int(setting("ct_lookups"))]
    with DaemonPool(min(4, max(1, len(searched))), name="lookalike-ct") as pool:
        looked = dict(zip(
            [f.name for f in searched], pool.map(lambda f: _certificates(f, ct, deadline), searched),
            strict=True,
        ))  # fmt: skip
    registered = [looked.get(f.name, f) for f in registered]
    late = sum(1 for a in answers if a == "late")
    unanswered = sum(1 for a in answers if a == "unanswered")
    bounds = []
    if len(made) > limit:
        bounds.append(f"the {limit} most plausible of {len(made)} look-alikes were taken")
    if late:
        bounds.append(f"{late} were left when the {float(setting('budget')):g} s budget ran out")
    return LookalikeObservation(
        domain=domain,
        outcome="partly checked" if bounds else "checked",
        reason="; ".join(bounds),
        generated=len(made),
        checked=len(chosen) - late - unanswered,
        unanswered=unanswered,
        considered=len(chosen),
        late=late,
        registered=tuple(sorted(registered, key=lambda f: f.name)),
    )


def gather(target: Target, context: ProbeContext) -> list[LookalikeObservation]:
    return [observe(domain, context) for domain in target.domains]
