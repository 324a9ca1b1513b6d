"""A short curated word list of common host names, with wildcard detection.

A zone with a wildcard answers for every name, so a word list would "find" all of
its entries. Two random labels are asked first; if they resolve, the zone has a
wildcard, names whose answers equal the wildcard's are dropped, and the wildcard
itself is noted (a reader should know that any name under the domain answers).
"""

from __future__ import annotations

import secrets
from functools import cache
from importlib import resources

from scanner.concurrency import DaemonPool
from scanner.discovery.base import Found, Source, SourceContext, SourceResult
from scanner.net.resolver import DnsOutcome, Resolver

WORKERS = 16


@cache
def builtin_words() -> tuple[str, ...]:
    text = resources.files("scanner.discovery").joinpath("wordlist.txt").read_text("utf-8")
    return tuple(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def _answers(resolver: Resolver, name: str) -> frozenset[str]:
    """The addresses ``name`` resolves to (A and AAAA); for a name without any, its
    CNAME target ("CNAME target"), since a CNAME left pointing at nothing is exactly
    what a takeover needs. Empty when the name does not exist."""
    out: set[str] = set()
    for rdtype in ("A", "AAAA"):
        answer = resolver.query(name, rdtype)
        if answer.outcome is DnsOutcome.OK:
            out.update(answer.records)
    if not out:
        answer = resolver.query(name, "CNAME")
        if answer.outcome is DnsOutcome.OK:
            out.update(f"CNAME {r}" for r in answer.records)
    return frozenset(out)


class WordlistSource(Source):
    name = "wordlist"
    description = "about 100 common host names (webmail, vpn, portal, sso, ...), wildcard-aware"

    def discover(self, domain: str, context: SourceContext) -> SourceResult:
        words = list(dict.fromkeys((*builtin_words(), *_extra(context))))
        probes = [f"{secrets.token_hex(8)}.{domain}" for _ in range(2)]
        with DaemonPool(WORKERS, name="wordlist") as pool:
            wildcard = frozenset().union(*pool.map(lambda n: _answers(context.resolver, n), probes))
            names = [f"{word}.{domain}" for word in words]
            answers = list(pool.map(lambda n: _answers(context.resolver, n), names))
        found, dropped = [], 0
        for name, addresses in zip(names, answers, strict=True):
            if not addresses:
                continue
            if wildcard and addresses <= wildcard:
                dropped += 1
                continue
            found.append(Found(name, self.name, "common host name"))
        notes: tuple[str, ...] = ()
        if wildcard:
            notes = (
                f"*.{domain} is a wildcard: any name under it resolves "
                f"({', '.join(sorted(wildcard))}); {dropped} word-list names that only the "
                "wildcard answers were left out",
            )
        return SourceResult(tuple(found), notes, dropped)


def _extra(context: SourceContext) -> tuple[str, ...]:
    words = context.settings.get("words", ())
    return tuple(str(w).lower() for w in words) if isinstance(words, tuple | list) else ()
