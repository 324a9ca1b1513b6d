"""SPF records (RFC 7208): a pure parser, and the recursive evaluation of a
domain's policy over a lookup function (so it is tested without DNS)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from scanner.net.outcome import answered, no_record

LOOKUP_LIMIT = 10  # RFC 7208 section 4.6.4
VOID_LIMIT = 2
MAX_DEPTH = 20  # beyond any legitimate policy; stops runaway chains early

_MECHANISMS = {"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"}
_QUERYING = {"include", "a", "mx", "ptr", "exists"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
# domain-spec: macro-string ending in a toplevel, loosely (macros checked apart)
_DOMAIN_SPEC = re.compile(r"^[\x21-\x7e]+$")
_MACRO = re.compile(r"%\{[slodiphcrtv]\d*r?[-.+,/_=]*\}|%%|%_|%-")


@dataclass(frozen=True)
class Term:
    qualifier: str  # "+", "-", "~", "?" (mechanisms); "" for modifiers
    name: str  # mechanism or modifier name, lower case
    value: str  # text after ":" or "=", or ""
    modifier: bool = False

    def __str__(self) -> str:
        sep = "=" if self.modifier else ":"
        qual = "" if self.qualifier in ("", "+") else self.qualifier
        return f"{qual}{self.name}{sep + self.value if self.value else ''}"


@dataclass(frozen=True)
class SpfRecord:
    text: str
    terms: tuple[Term, ...] = ()
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def all_qualifier(self) -> str | None:
        for term in self.terms:
            if term.name == "all" and not term.modifier:
                return term.qualifier
        return None

    @property
    def redirect(self) -> str | None:
        return next((t.value for t in self.terms if t.modifier and t.name == "redirect"), None)

    @property
    def includes(self) -> list[str]:
        return [t.value for t in self.terms if t.name == "include" and not t.modifier]

    @property
    def lookups(self) -> int:
        """DNS-querying terms in this record alone (redirect counts, exp does not)."""
        return sum(
            1
            for t in self.terms
            if (t.name in _QUERYING and not t.modifier) or (t.modifier and t.name == "redirect")
        )

    def uses(self, mechanism: str) -> bool:
        return any(t.name == mechanism and not t.modifier for t in self.terms)


def is_spf(text: str) -> bool:
    """RFC 7208 section 4.5: "v=spf1" followed by a space or the end of the record."""
    lowered = text.lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def parse(text: str) -> SpfRecord:
    if not is_spf(text):
        return SpfRecord(text, errors=("does not start with 'v=spf1'",))
    errors: list[str] = []
    warnings: list[str] = []
    terms: list[Term] = []
    if not text.isascii():
        errors.append("contains non-ASCII characters")
    seen_modifiers: set[str] = set()
    for raw in text.split(" ")[1:]:
        if raw == "":
            continue  # repeated spaces are tolerated by receivers; not worth a verdict
        term, problem = _term(raw)
        if problem:
            errors.append(problem)
            continue
        assert term is not None
        if term.modifier:
            if term.name in ("redirect", "exp") and term.name in seen_modifiers:
                errors.append(f"modifier {term.name!r} appears more than once (section 6)")
            seen_modifiers.add(term.name)
        terms.append(term)
    names = [t.name for t in terms if not t.modifier]
    if "all" in names:
        after = names[names.index("all") + 1 :]
        if after:
            warnings.append(f"terms after 'all' are never evaluated: {', '.join(after)}")
        if any(t.modifier and t.name == "redirect" for t in terms):
            warnings.append("'redirect' is ignored because the record has 'all' (section 6.1)")
    if "ptr" in names:
        warnings.append("the 'ptr' mechanism is deprecated (section 5.5)")
    return SpfRecord(text, tuple(terms), tuple(errors), tuple(warnings))


def _term(raw: str) -> tuple[Term | None, str | None]:
    qualifier = "+"
    body = raw
    if body[0] in "+-~?":
        qualifier, body = body[0], body[1:]
    # A modifier is name=value where name is not a mechanism (section 4.6.1).
    name_part = re.split(r"[:/=]", body, maxsplit=1)[0]
    if "=" in body and (
        body.index("=") < min((body.index(c) for c in ":/" if c in body), default=len(body))
    ):
        name, value = body.split("=", 1)
        if raw[0] in "+-~?":
            return None, f"modifier {raw!r} cannot carry a qualifier"
        if not _NAME.match(name):
            return None, f"invalid modifier name in {raw!r}"
        name = name.lower()
        if name in ("redirect", "exp") and not _valid_domain_spec(value):
            return None, f"invalid domain in {raw!r}"
        return Term("", name, value, modifier=True), None
    name = name_part.lower()
    if name not in _MECHANISMS:
        return None, f"unknown mechanism {raw!r}"
    rest = body[len(name_part) :]
    value = ""
    if rest.startswith(":"):
        value = rest[1:]
    elif rest and not rest.startswith("/"):
        return None, f"malformed term {raw!r}"
    elif rest:
        value = rest  # a or mx with only a CIDR length, e.g. "a/24"
    problem = _check_value(name, value, raw)
    return (None, problem) if problem else (Term(qualifier, name, value), None)


def _check_value(name: str, value: str, raw: str) -> str | None:
    if name == "all":
        return f"'all' takes no argument: {raw!r}" if value else None
    if name in ("include", "exists"):
        return None if value and _valid_domain_spec(value) else f"{name} needs a domain: {raw!r}"
    if name in ("ip4", "ip6"):
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return f"invalid address in {raw!r}"
        if (name == "ip4") != (network.version == 4):
            return f"{name} with an IPv{network.version} address: {raw!r}"
        return None
    # a, mx, ptr: optional domain, optional dual CIDR
    domain, _, cidr = value.partition("/") if not value.startswith("/") else ("", "", value[1:])
    if domain and not _valid_domain_spec(domain):
        return f"invalid domain in {raw!r}"
    if cidr:
        if name == "ptr":
            return f"ptr takes no CIDR length: {raw!r}"
        for part in cidr.split("//"):
            if part and (not part.isdigit() or int(part) > 128):
                return f"invalid CIDR length in {raw!r}"
    return None


def _valid_domain_spec(value: str) -> bool:
    if not _DOMAIN_SPEC.match(value):
        return False
    stripped = _MACRO.sub("x", value)
    return "%" not in stripped and "." in stripped.strip(".")


def has_macros(value: str) -> bool:
    return "%{" in value


# --- recursive evaluation ----------------------------------------------------

Fetch = Callable[[str], tuple[str, list[str]]]
"""name -> (outcome, TXT strings); outcome is "ok", "nxdomain", "nodata" or an error."""
Exists = Callable[[str, str], str]
"""(name, rdtype) -> outcome of an A/AAAA/MX lookup, for void-lookup counting."""


@dataclass
class SpfTree:
    """A domain's SPF policy with everything it pulls in."""

    domain: str
    record: SpfRecord | None = None
    outcome: str = "ok"  # of the TXT lookup: ok, nxdomain, nodata, servfail, timeout, ...
    records_found: int = 0
    children: list[SpfTree] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class SpfResult:
    tree: SpfTree
    lookups: int
    void_lookups: int
    errors: list[str]  # permerror conditions: syntax, several records, loops, missing includes
    inconclusive: list[str]  # temporary DNS failures: the verdict cannot be trusted
    # include:/redirect= domains that do not exist (NXDOMAIN): whoever registers one
    # writes part of this policy.
    missing_includes: list[str] = field(default_factory=list)

    @property
    def record(self) -> SpfRecord | None:
        return self.tree.record

    @property
    def effective_all(self) -> str | None:
        """The 'all' qualifier that ends evaluation, following redirect= if needed."""
        node: SpfTree | None = self.tree
        while node is not None and node.record is not None:
            if node.record.all_qualifier is not None:
                return node.record.all_qualifier
            target = node.record.redirect
            node = next((c for c in node.children if c.domain == target), None)
        return None


def evaluate(domain: str, fetch: Fetch, exists: Exists) -> SpfResult:
    counter = {"lookups": 0, "void": 0}
    errors: list[str] = []
    inconclusive: list[str] = []
    missing: list[str] = []

    def walk(name: str, path: tuple[str, ...]) -> SpfTree:
        node = SpfTree(name)
        outcome, texts = fetch(name)
        node.outcome = outcome
        spf_texts = [t for t in texts if is_spf(t)]
        node.records_found = len(spf_texts)
        if not answered(outcome):
            inconclusive.append(f"TXT lookup for {name} failed ({outcome})")
            return node
        if len(spf_texts) > 1:
            errors.append(f"{name} publishes {len(spf_texts)} SPF records (section 4.5: permerror)")
            node.record = parse(spf_texts[0])
            return node
        if not spf_texts:
            if path:  # an include or redirect target without a record
                errors.append(f"{path[-1]} includes {name}, which has no SPF record (permerror)")
            return node
        record = parse(spf_texts[0])
        node.record = record
        errors.extend(f"{name}: {e}" for e in record.errors)
        if record.errors:
            return node
        for term in record.terms:
            querying = (term.name in _QUERYING and not term.modifier) or (
                term.modifier and term.name == "redirect"
            )
            if not querying:
                continue
            if term.modifier and record.all_qualifier is not None:
                continue  # redirect is ignored next to all
            counter["lookups"] += 1
            if counter["lookups"] > LOOKUP_LIMIT + 5:
                return node  # far past the limit: stop querying, the verdict is set
            target = term.value.split("/")[0] if term.name in ("a", "mx", "ptr") else term.value
            target = target or name
            if has_macros(target):
                node.problems.append(f"{term}: macros depend on the sender; not expanded")
                continue
            if term.name in ("include", "redirect"):
                if target in path or target == name:
                    errors.append(f"SPF loop: {' -> '.join((*path, name, target))}")
                    continue
                if len(path) >= MAX_DEPTH:
                    errors.append(f"include chain deeper than {MAX_DEPTH} at {name}")
                    continue
                child = walk(target, (*path, name))
                node.children.append(child)
                if child.outcome == "nxdomain" and target not in missing:
                    missing.append(target)
                if no_record(child.outcome) or (child.outcome == "ok" and child.records_found == 0):
                    counter["void"] += 1
            elif term.name in ("a", "mx", "exists"):
                rdtype = {"a": "A", "mx": "MX", "exists": "A"}[term.name]
                result = exists(target, rdtype)
                if result in ("nxdomain", "nodata"):
                    counter["void"] += 1
                elif result != "ok":
                    inconclusive.append(f"{term} lookup failed ({result})")
        return node

    tree = walk(domain, ())
    return SpfResult(tree, counter["lookups"], counter["void"], errors, inconclusive, missing)
