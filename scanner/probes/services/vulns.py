"""Which known vulnerabilities apply to a product and the version it announces: the
dated CVE table (cves.toml) and the release-number order it is compared in. Pure
functions over text; the table is validated when it is read."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from scanner.errors import VetscanError

_CVE_ID = re.compile(r"^CVE-\d{4}-\d{4,}$")
# A release number as vendors write them: "9.8p1" (OpenSSH portable), "1.3.5a"
# (ProFTPD, OpenSSL), "4.92.2" (Exim), "2.4.49", then anything (" Debian 3", "-log").
_RELEASE = re.compile(r"\s*(\d+(?:\.\d+)*)(?:p(\d+)|([a-z])(?![a-z0-9])|rc(\d+))?", re.I)


class CveTableError(VetscanError, ValueError):
    """The shipped CVE table is malformed (a packaging fault, named by entry)."""


def release_key(text: str) -> tuple[int, ...] | None:
    """The order vendors release in: "9.8p1" -> (9, 8, 0, 0, 1) after "9.8" ->
    (9, 8, 0, 0, 0); "1.3.5a" -> (1, 3, 5, 0, 1); "2.0rc1" -> (2, 0, 0, -1, 1) before
    "2.0". Short numbers are padded ("4.92" sorts before "4.92.2"). None without one."""
    match = _RELEASE.match(text)
    if not match:
        return None
    numbers = [int(n) for n in match.group(1).split(".")]
    numbers += [0] * (3 - len(numbers)) if len(numbers) < 3 else []
    if match.group(4) is not None:
        return (*numbers, -1, int(match.group(4)))
    if match.group(2) is not None:
        return (*numbers, 0, int(match.group(2)))
    if match.group(3) is not None:
        return (*numbers, 0, ord(match.group(3).lower()) - ord("a") + 1)
    return (*numbers, 0, 0)


@dataclass(frozen=True)
class Cve:
    id: str
    product: str
    affected: tuple[tuple[str, str], ...]  # [introduced, fixed) ranges
    cvss: float
    summary: str
    references: tuple[str, ...]
    condition: str = ""
    cvss_source: str = "NVD"

    def _range_of(self, version: str) -> tuple[str, str] | None:
        """The affected range [introduced, fixed) ``version`` falls in, or None."""
        found = release_key(version)
        if found is None:
            return None
        for introduced, fixed in self.affected:
            low, high = release_key(introduced), release_key(fixed)
            assert low is not None and high is not None  # validated on reading
            if low <= found < high:
                return introduced, fixed
        return None

    def applies_to(self, version: str) -> bool:
        return self._range_of(version) is not None

    def fixed_in(self, version: str) -> str:
        """The release that fixes this CVE on ``version``'s branch (the range's end)."""
        found = self._range_of(version)
        return found[1] if found else ""

    @property
    def rating(self) -> str:
        """The CVSS v3 qualitative rating of the score (FIRST, CVSS v3.1 section 5)."""
        if self.cvss >= 9.0:
            return "critical"
        if self.cvss >= 7.0:
            return "high"
        if self.cvss >= 4.0:
            return "medium"
        return "low" if self.cvss > 0 else "none"


@dataclass(frozen=True)
class CveTable:
    advisories_through: str
    curated: str
    entries: tuple[Cve, ...]

    @property
    def products(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.product for e in self.entries))

    def covers(self, product: str) -> bool:
        return any(_same_product(product, p) for p in self.products)

    def matching(self, product: str, version: str) -> list[Cve]:
        """The table's CVEs that apply to ``product`` at ``version``, worst first."""
        hits = [e for e in self.entries if _same_product(product, e.product)]
        return sorted((e for e in hits if e.applies_to(version)), key=lambda e: (-e.cvss, e.id))


def _same_product(announced: str, listed: str) -> bool:
    return announced.lower().startswith(listed.lower())


def _entry(raw: dict[str, Any]) -> Cve:
    name = raw.get("id", "?")
    try:
        cve = Cve(
            id=str(raw["id"]),
            product=str(raw["product"]),
            affected=tuple((str(a), str(b)) for a, b in raw["affected"]),
            cvss=float(raw["cvss"]),
            summary=str(raw["summary"]),
            references=tuple(str(r) for r in raw["references"]),
            condition=str(raw.get("condition", "")),
            cvss_source=str(raw.get("cvss_source", "NVD")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CveTableError(f"cves.toml entry {name}: {exc!r}") from exc
    if not _CVE_ID.match(cve.id):
        raise CveTableError(f"cves.toml entry {name}: not a CVE ID")
    if not 0.0 <= cve.cvss <= 10.0 or not cve.references or not cve.affected:
        raise CveTableError(f"cves.toml entry {name}: needs a score 0-10, ranges, references")
    for introduced, fixed in cve.affected:
        low, high = release_key(introduced), release_key(fixed)
        if low is None or high is None or not low < high:
            raise CveTableError(f"cves.toml entry {name}: bad range {introduced!r}-{fixed!r}")
    return cve


def parse_table(text: str) -> CveTable:
    data = tomllib.loads(text)
    entries = tuple(_entry(raw) for raw in data.get("cve", []))
    ids = [e.id + "/" + e.product for e in entries]
    if len(ids) != len(set(ids)):
        raise CveTableError("cves.toml lists a CVE twice for one product")
    return CveTable(str(data["advisories_through"]), str(data["curated"]), entries)


@cache
def cve_table() -> CveTable:
    text = resources.files("scanner.probes.services").joinpath("cves.toml").read_text("utf-8")
    return parse_table(text)


# Distribution builds backport fixes without changing the upstream version number,
# so a version match there is a question, not proof.
_DISTRIBUTION = re.compile(
    r"debian|ubuntu|deb\d|\+deb|red ?hat|rhel|\.el\d|centos|rocky|alma|suse|amzn|alpine", re.I
)


def distribution_build(version: str, extrainfo: str) -> str:
    """The distribution a version or nmap's extra info names ("Debian"), or ""."""
    found = _DISTRIBUTION.search(f"{version} {extrainfo}")
    return found.group(0) if found else ""
