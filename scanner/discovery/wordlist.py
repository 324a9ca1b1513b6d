"""A short curated word list of common host names, with wildcard detection.

A zone with a wildcard answers for every name, so a word list would "find" all of
its entries. Two random labels are asked first; if they resolve, the zone has a
wildcard, names whose answers equal the wildcard's are dropped, and the wildcard
itself is noted (a reader should know that any name under the domain answers).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache
from importlib import resources

from scanner.concurrency import DaemonPool
from scanner.discovery.base import Found, Source, SourceContext, SourceResult, SourceUnavailable
from scanner.net.resolver import DnsOutcome, Resolver

WORKERS = 16


@cache
def builtin_words() -> tuple[str, ...]:
    text = resources.files("scanner.discovery").joinpath("wordlist.txt").read_text("utf-8")
    return tuple(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


@dataclass(frozen=True)
class _Answers:
    addresses: frozenset[str]
    # Why no query about the name was answered ("" when one was: "no such name"
    # is an answer).
    unanswered: str = ""


def _answers(resolver: Resolver, name: str, first: bool = False) -> _Answers:
    """The addresses ``name`` resolves to (A and AAAA); for a name without any, its
    CNAME target ("CNAME target"), since a CNAME left pointing at nothing is exactly
    what a takeover needs. Empty when the name does not exist. With ``first``, a name
    whose A query goes unanswered is not asked again (the name server is away)."""
    out: set[str] = set()
    reasons: list[str] = []
    for rdtype in ("A", "AAAA"):
        answer = resolver.query(name, rdtype)
        if answer.outcome is DnsOutcome.OK:
            out.update(answer.records)
        if not answer.outcome.conclusive:
            reasons.append(answer.reason or answer.outcome.value)
            if first and rdtype == "A":
                return _Answers(frozenset(), reasons[0])
    if not out:
        answer = resolver.query(name, "CNAME")
        if answer.outcome is DnsOutcome.OK:
            out.update(f"CNAME {r}" for r in answer.records)
        if not answer.outcome.conclusive:
            reasons.append(answer.reason or answer.outcome.value)
    # Unanswered only when A, AAAA and CNAME all went unanswered.
    return _Answers(frozenset(out), reasons[0] if len(reasons) == 3 else "")


class WordlistSource(Source):
    name = "wordlist"
    description = "about 100 common host names (webmail, vpn, portal, sso, ...), wildcard-aware"

    def discover(self, domain: str, context: SourceContext) -> SourceResult:
        words = list(dict.fromkeys((*builtin_words(), *_extra(context))))
        probes = [f"{secrets.token_hex(8)}.{domain}" for _ in range(2)]
        with DaemonPool(WORKERS, name="wordlist") as pool:
            asked = list(pool.map(lambda n: _answers(context.resolver, n, first=True), probes))
            if all(a.unanswered for a in asked):
                # A name server that answers nothing would cost every word its timeout
                # and "find" nothing: that is no result, not an empty one.
                raise SourceUnavailable(
                    f"the name server did not answer for names under {domain} "
                    f"({asked[0].unanswered}); the word list was not tried"
                )
            wildcard = frozenset().union(*(a.addresses for a in asked))
            names = [f"{word}.{domain}" for word in words]
            answers = list(pool.map(lambda n: _answers(context.resolver, n), names))
        unanswered = [a.unanswered for a in answers if a.unanswered]
        if len(unanswered) == len(answers):
            raise SourceUnavailable(
                f"no word-list name under {domain} was answered ({unanswered[0]})"
            )
        found, dropped = [], 0
        for name, answer in zip(names, answers, strict=True):
            addresses = answer.addresses
            if not addresses:
                continue
            if wildcard and addresses <= wildcard:
                dropped += 1
                continue
            found.append(Found(name, self.name, "common host name"))
        notes: list[str] = []
        if wildcard:
            notes.append(
                f"*.{domain} is a wildcard: any name under it resolves "
                f"({', '.join(sorted(wildcard))}); {dropped} word-list names that only the "
                "wildcard answers were left out"
            )
        if unanswered:
            notes.append(
                f"{len(unanswered)} of {len(names)} word-list names got no answer "
                f"({unanswered[0]}), so hosts among them may be missing"
            )
        return SourceResult(tuple(found), tuple(notes), dropped)


def _extra(context: SourceContext) -> tuple[str, ...]:
    words = context.settings.get("words", ())
    return tuple(str(w).lower() for w in words) if isinstance(words, tuple | list) else ()
