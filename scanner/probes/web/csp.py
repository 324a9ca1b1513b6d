"""Content-Security-Policy as browsers enforce it (W3C CSP Level 3) and judged as MDN
HTTP Observatory v2 judges it: pure functions over header and <meta> text.

Several policies (several headers, a comma-separated header, a <meta> beside a
header) are all enforced: a source is allowed only if every one of them allows it,
so a weakness counts only when every enforced policy has it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Sources that allow (nearly) anything: any host, or any host over a scheme.
BROAD = frozenset(
    {"*", "http:", "https:", "ftp:", "http://*", "https://*", "http://*.*", "https://*.*"}
)
# A <meta> policy cannot carry these (HTML: attr-meta-http-equiv-content-security-policy).
NOT_IN_META = ("frame-ancestors", "report-uri", "sandbox")
_KEYED = ("'nonce-", "'sha256-", "'sha384-", "'sha512-")
_PASSIVE = ("img-src", "media-src")


@dataclass(frozen=True)
class Policy:
    directives: Mapping[str, tuple[str, ...]]  # names and sources lowercased
    origin: str  # "header" or "meta"
    duplicates: tuple[str, ...] = ()  # directives given again (browsers use the first)


@dataclass(frozen=True)
class Weakness:
    key: str
    serious: bool  # False: a warning (styles, passive content, no default-src)
    text: str


def parse(text: str, origin: str = "header") -> Policy:
    """One serialized policy (CSP3 2.2.1): the first of a repeated directive counts."""
    directives: dict[str, tuple[str, ...]] = {}
    duplicates: list[str] = []
    for part in text.split(";"):
        tokens = part.split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if name in directives:
            duplicates.append(name)
        elif not (origin == "meta" and name in NOT_IN_META):
            directives[name] = tuple(t.lower() for t in tokens[1:])
    return Policy(directives, origin, tuple(duplicates))


def policies(headers: Iterable[str], metas: Iterable[str] = ()) -> list[Policy]:
    """Every enforced policy: each header value may hold several, comma-separated."""
    found = [parse(p, "header") for value in headers for p in value.split(",")]
    found += [parse(p, "meta") for value in metas for p in value.split(",")]
    return [p for p in found if p.directives]


def sources(policy: Policy, directive: str) -> tuple[str, ...] | None:
    """What ``directive`` allows, falling back to default-src; None: unrestricted."""
    found = policy.directives.get(directive, policy.directives.get("default-src"))
    return found


def weaknesses(policy: Policy) -> list[Weakness]:
    out = _script_weaknesses(policy)
    objects = sources(policy, "object-src")
    if objects is None:
        out.append(
            Weakness(
                "objects-open", True, "no object-src or default-src: plugins load from anywhere"
            )
        )
    elif broad := [s for s in objects if s in BROAD]:
        out.append(Weakness("objects-broad", True, f"object-src allows {' '.join(broad)}"))
    active = [
        f"{name} {s}"
        for name, values in policy.directives.items()
        if name not in (*_PASSIVE, "script-src")
        for s in values
        if s.startswith(("http://", "ftp://"))
    ]
    if active:
        out.append(Weakness("active-plain", True, f"plain-HTTP sources: {', '.join(active)}"))
    styles = sources(policy, "style-src")
    if styles is not None and _open_inline(styles):
        out.append(Weakness("style-inline", False, "style-src allows inline or any styles"))
    passive = [
        f"{name} {s}"
        for name in _PASSIVE
        for s in sources(policy, name) or ()
        if s.startswith(("http:", "ftp:"))
    ]
    if passive:
        out.append(
            Weakness(
                "passive-plain", False, f"images or media over plain HTTP: {', '.join(passive)}"
            )
        )
    if "default-src" not in policy.directives:
        out.append(
            Weakness(
                "no-default-src",
                False,
                "no default-src: what it does not name (frames, fonts, connections) loads from anywhere",
            )
        )
    out += [
        Weakness(f"twice-{d}", False, f"{d} given twice (browsers use only the first)")
        for d in dict.fromkeys(policy.duplicates)
    ]
    return out


def _script_weaknesses(policy: Policy) -> list[Weakness]:
    scripts = sources(policy, "script-src")
    if scripts is None:
        return [
            Weakness(
                "scripts-open", True, "no script-src or default-src: scripts run from anywhere"
            )
        ]
    keyed = any(s.startswith(_KEYED) for s in scripts)
    strict = keyed and "'strict-dynamic'" in scripts
    # With a nonce or hash, browsers ignore 'unsafe-inline'; with 'strict-dynamic'
    # as well, they ignore host and scheme sources and 'self' (CSP3 8.2, 8.3).
    effective = [
        s
        for s in scripts
        if not (keyed and s == "'unsafe-inline'") and not (strict and not s.startswith("'"))
    ]
    out = []
    if "'unsafe-inline'" in effective:
        out.append(Weakness("script-inline", True, "script-src allows 'unsafe-inline'"))
    if "data:" in effective:
        out.append(Weakness("script-data", True, "script-src allows data: URLs"))
    if broad := [s for s in effective if s in BROAD]:
        out.append(Weakness("script-broad", True, f"script-src allows {' '.join(broad)}"))
    if "'unsafe-eval'" in scripts:
        out.append(Weakness("script-eval", True, "script-src allows 'unsafe-eval'"))
    if plain := [s for s in effective if s.startswith(("http://", "ftp://"))]:
        out.append(Weakness("script-plain", True, f"scripts over plain HTTP: {' '.join(plain)}"))
    return out


def _open_inline(values: Sequence[str]) -> bool:
    keyed = any(s.startswith(_KEYED) for s in values)
    return any((s == "'unsafe-inline'" and not keyed) or s == "data:" or s in BROAD for s in values)


def shared_weaknesses(enforced: Sequence[Policy]) -> list[Weakness]:
    """The weaknesses every enforced policy has (each one alone would block the rest)."""
    if not enforced:
        return []
    first, *others = [weaknesses(p) for p in enforced]
    keys = [{w.key for w in found} for found in others]
    return [w for w in first if all(w.key in k for k in keys)]


def upgrades_requests(enforced: Sequence[Policy]) -> bool:
    """Whether a policy makes the browser fetch http:// loads over HTTPS."""
    return any("upgrade-insecure-requests" in p.directives for p in enforced)
