"""The one adapter to dnstwist: the look-alike names of a domain (pure: dnstwist's
Fuzzer only computes names; its scanner, which resolves through the system's
resolver, is never used).

The most plausible typos come first, so a bounded count keeps them: one letter
left out, swapped, doubled or replaced, then added letters, hyphens, vowels, flipped
bits, glyphs that read alike in plain ASCII, and last the internationalised glyphs
(most of dnstwist's output, all of them ``xn--`` names)."""

from __future__ import annotations

from dataclasses import dataclass

import dnstwist

FUZZERS = (
    "omission", "transposition", "repetition", "replacement", "insertion", "addition",
    "hyphenation", "vowel-swap", "plural", "subdomain", "bitsquatting", "various",
    "homoglyph", "cyrillic",
)  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    name: str
    fuzzer: str


class UnknownFuzzer(ValueError):
    pass


def candidates(domain: str, fuzzers: tuple[str, ...] = FUZZERS) -> list[Candidate]:
    """Every look-alike of ``domain`` the named fuzzers make, the most plausible
    first (the domain itself left out)."""
    unknown = [f for f in fuzzers if f not in FUZZERS]
    if unknown:
        raise UnknownFuzzer(
            f"unknown look-alike fuzzer(s) {', '.join(unknown)} (known: {', '.join(FUZZERS)})"
        )
    fuzzer = dnstwist.Fuzzer(domain.lower().rstrip("."), dictionary=[], tld_dictionary=[])
    fuzzer.generate(fuzzers=list(fuzzers))
    rank = {name: i for i, name in enumerate(FUZZERS)}
    seen: dict[str, Candidate] = {}
    for found in fuzzer.domains:
        name, kind = str(found["domain"]).lower(), str(found["fuzzer"])
        if name == domain.lower().rstrip(".") or kind not in rank:
            continue
        known = seen.get(name)
        if known is None or rank[kind] < rank[known.fuzzer]:
            seen[name] = Candidate(name, kind)
    return sorted(
        seen.values(),
        key=lambda c: (rank[c.fuzzer], c.name.startswith("xn--") or "--" in c.name, c.name),
    )
