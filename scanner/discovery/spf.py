"""Names the provider's SPF policy already publishes: a:, mx:, exists: and the
include:/redirect= domains it sends through (followed while they stay under the
provider's domains, at most a few levels deep)."""

from __future__ import annotations

from scanner.discovery.base import Found, Source, SourceContext, SourceResult, SourceUnavailable
from scanner.net.resolver import DnsOutcome
from scanner.probes.email import spf

MAX_DEPTH = 3
_NAMED = ("a", "mx", "exists", "include", "redirect")


def named_domains(record: spf.SpfRecord) -> list[tuple[str, str]]:
    """(term name, domain) for every term that names a domain without macros."""
    return [
        (t.name, t.value.split("/", 1)[0].lower().rstrip("."))
        for t in record.terms
        if t.name in _NAMED and t.value and not spf.has_macros(t.value)
    ]


class SpfSource(Source):
    name = "spf"
    description = "hosts named in the SPF policy (a:, mx:, include:, redirect=)"
    # It reads the provider's own public DNS records, which every scan reads anyway.
    passive = True

    def discover(self, domain: str, context: SourceContext) -> SourceResult:
        found: list[Found] = []
        unanswered: list[str] = []
        queue, seen = [(domain, 0)], {domain}
        while queue:
            name, depth = queue.pop(0)
            answer = context.resolver.query(name, "TXT")
            if not answer.outcome.conclusive:
                if name == domain:  # no policy read is no result, not "no hosts"
                    why = answer.reason or answer.outcome.value
                    raise SourceUnavailable(
                        f"the TXT records of {domain} were not answered ({why})"
                    )
                unanswered.append(f"{name} ({answer.reason or answer.outcome.value})")
            if answer.outcome is not DnsOutcome.OK:
                continue
            for text in answer.records:
                if not spf.is_spf(text):
                    continue
                for term, target in named_domains(spf.parse(text)):
                    if not (target == domain or target.endswith("." + domain)) and term in (
                        "include",
                        "redirect",
                    ):
                        continue  # another organisation's policy: not followed, not listed
                    if term in ("include", "redirect") and depth < MAX_DEPTH and target not in seen:
                        seen.add(target)
                        queue.append((target, depth + 1))
                    # Policy names such as _spf.example hold TXT records, not hosts.
                    if not target.split(".", 1)[0].startswith("_"):
                        found.append(
                            Found(target, self.name, f"{term}: in the SPF policy of {name}")
                        )
        notes = tuple(f"the included SPF policy {u} got no answer" for u in unanswered)
        return SourceResult(tuple(found), notes)
