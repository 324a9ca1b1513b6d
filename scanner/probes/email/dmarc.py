"""DMARC records (RFC 9989, which obsoletes RFC 7489): a pure parser and the
DNS tree walk used for policy discovery, over a lookup function."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scanner.net.outcome import answered
from scanner.probes.email.tags import parse_tags

_POLICIES = ("none", "quarantine", "reject")
_KNOWN = {"v", "p", "sp", "np", "adkim", "aspf", "rua", "ruf", "fo", "t", "psd", "pct", "rf", "ri"}
# RFC 9989 dropped these; receivers ignore them, but they tell of an old setup.
OBSOLETE = {"pct", "rf", "ri"}
_URI = re.compile(r"^mailto:[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+(!\d+[kmgt]?)?$", re.IGNORECASE)
MAX_WALK = 8  # RFC 9989 section 4.10: at most eight queries


@dataclass(frozen=True)
class DmarcRecord:
    text: str
    tags: dict[str, str]
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def policy(self) -> str | None:
        return self.tags.get("p", "none" if self.valid else None)

    @property
    def rua(self) -> list[str]:
        return _uris(self.tags.get("rua", ""))

    @property
    def ruf(self) -> list[str]:
        return _uris(self.tags.get("ruf", ""))

    @property
    def pct(self) -> int:
        value = self.tags.get("pct", "100")
        return int(value) if value.isdigit() else 100

    @property
    def testing(self) -> bool:
        return self.tags.get("t", "n").lower() == "y"

    @property
    def psd(self) -> str:
        """y: the domain says it is a public suffix domain (RFC 9989 psd tag); n or u."""
        return self.tags.get("psd", "u").lower()


# RFC 9989 (the t tag): in testing mode receivers apply the next milder policy.
TESTING_APPLIES = {"reject": "quarantine", "quarantine": "none", "none": "none"}


def applied_under_testing(policy: str | None, testing: bool) -> str | None:
    """The policy receivers apply: with t=y, reject is applied as quarantine and
    quarantine as none (RFC 9989, the t tag)."""
    if policy is None or not testing:
        return policy
    return TESTING_APPLIES.get(policy, policy)


def _uris(value: str) -> list[str]:
    return [u.strip() for u in value.split(",") if u.strip()]


def is_dmarc(text: str) -> bool:
    return re.match(r"^v\s*=\s*DMARC1\s*(;|$)", text, re.IGNORECASE) is not None


def parse(text: str) -> DmarcRecord:
    warnings: list[str] = []
    if not is_dmarc(text):
        return DmarcRecord(text, {}, ("does not start with 'v=DMARC1'",))
    tags, errors = parse_tags(text, lower_keys=True)
    warnings += [f"unknown tag {key!r} is ignored" for key in tags if key not in _KNOWN]
    for key in ("p", "sp", "np"):
        if key in tags and tags[key].lower() not in _POLICIES:
            errors.append(f"{key}={tags[key]!r} is not one of {', '.join(_POLICIES)}")
        elif key in tags:
            tags[key] = tags[key].lower()
    if "p" not in tags:
        warnings.append("no p= tag: receivers apply 'none' (RFC 9989 section 4.7)")
    for key in ("adkim", "aspf"):
        if key in tags and tags[key].lower() not in ("r", "s"):
            errors.append(f"{key}={tags[key]!r} must be 'r' or 's'")
    for key in ("t", "psd"):
        allowed = ("y", "n") if key == "t" else ("y", "n", "u")
        if key in tags and tags[key].lower() not in allowed:
            errors.append(f"{key}={tags[key]!r} must be one of {', '.join(allowed)}")
    for key in ("rua", "ruf"):
        for uri in _uris(tags.get(key, "")):
            if not _URI.match(uri):
                errors.append(f"{key} destination {uri!r} is not a mailto: URI")
    if "fo" in tags and not all(o.strip() in ("0", "1", "d", "s") for o in tags["fo"].split(":")):
        errors.append(f"fo={tags['fo']!r} must be ':'-separated 0, 1, d or s")
    if "pct" in tags and (not tags["pct"].isdigit() or int(tags["pct"]) > 100):
        errors.append(f"pct={tags['pct']!r} must be 0 to 100")
    for key in sorted(OBSOLETE & tags.keys()):
        warnings.append(f"tag {key!r} is obsolete since RFC 9989")
    return DmarcRecord(text, tags, tuple(errors), tuple(warnings))


def rua_domain(uri: str) -> str:
    """The domain that receives reports sent to a mailto: URI."""
    address = uri.split(":", 1)[-1].split("!")[0]
    return address.rsplit("@", 1)[-1].lower().rstrip(".")


# --- discovery -----------------------------------------------------------------

Fetch = Callable[[str], tuple[str, list[str]]]


@dataclass(frozen=True)
class Discovery:
    """Where the policy for ``domain`` was found by the DNS tree walk."""

    domain: str
    found_at: str | None  # the name whose _dmarc record applies
    records: tuple[str, ...]  # the DMARC records at found_at (more than one is an error)
    queried: tuple[str, ...]
    inconclusive: str | None = None  # a lookup failed before a record was found


def walk_names(domain: str) -> list[str]:
    """The names the RFC 9989 tree walk queries, in order (without the _dmarc prefix)."""
    labels = domain.rstrip(".").split(".")
    names = [".".join(labels)]
    if len(labels) > MAX_WALK:
        labels = labels[-(MAX_WALK - 1) :]
    else:
        labels = labels[1:]
    while labels:
        names.append(".".join(labels))
        labels = labels[1:]
    return names


def discover(domain: str, fetch: Fetch) -> Discovery:
    queried = []
    for name in walk_names(domain):
        queried.append(name)
        outcome, texts = fetch(f"_dmarc.{name}")
        if not answered(outcome):
            return Discovery(domain, None, (), tuple(queried), f"_dmarc.{name}: {outcome}")
        records = tuple(t for t in texts if is_dmarc(t))
        if records:
            return Discovery(domain, name, records, tuple(queried))
    return Discovery(domain, None, (), tuple(queried))
