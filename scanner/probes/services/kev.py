"""CISA's Known Exploited Vulnerabilities catalogue: which CVEs attackers are known
to use. A dated snapshot ships with vetscan (kev.json.gz, the catalogue's own JSON
as CISA publishes it); ``vetscan kev update --from FILE`` installs a newer download
in the user data directory, where every later scan reads it, and ``--url`` fetches
it first (from CISA by default; the lab's stub serves the same file and the ways
a download goes wrong).

Parsing is pure and strict: a file that is not the catalogue's format (its JSON
schema's required fields, a count that matches, dates that are dates) is refused
whole, so a truncated or wrong download never replaces a good catalogue.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from scanner.errors import InputError
from scanner.net.feeds import FeedError, fetch_feed, shown_url

# The catalogue was 1.3 MB in 2025; a file far beyond that is not it.
MAX_CATALOGUE_BYTES = 64 * 1024 * 1024
_CVE_ID = re.compile(r"^CVE-[0-9]{4}-[0-9]{4,19}$")
# The fields CISA's schema requires of every entry (known_exploited_vulnerabilities_schema.json).
_REQUIRED = (
    "cveID",
    "vendorProject",
    "product",
    "vulnerabilityName",
    "dateAdded",
    "shortDescription",
    "requiredAction",
    "dueDate",
)
SHIPPED = "shipped with vetscan"
# Where CISA publishes the catalogue ($VETSCAN_KEV_URL or --url names another).
KEV_URL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
DOWNLOAD_TIMEOUT_S = 60.0


class KevError(InputError):
    """A file offered as the KEV catalogue is not one; the message says why."""


@dataclass(frozen=True)
class KevEntry:
    cve: str
    name: str
    date_added: str
    ransomware: bool  # knownRansomwareCampaignUse == "Known"


@dataclass(frozen=True)
class KevCatalogue:
    version: str  # catalogVersion, "2025.08.25"
    released: str  # dateReleased, ISO 8601
    entries: dict[str, KevEntry]
    origin: str = SHIPPED  # where it was read from

    @property
    def released_day(self) -> str:
        return self.released[:10]

    @property
    def released_at(self) -> datetime:
        return _instant(self.released)

    def get(self, cve: str) -> KevEntry | None:
        return self.entries.get(cve)


def _instant(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise KevError(f"{where}: '{key}' is missing or not text")
    return value


def parse_catalogue(data: bytes, origin: str = SHIPPED) -> KevCatalogue:
    """The catalogue in ``data`` (its JSON, or that JSON gzipped), or KevError."""
    if len(data) > MAX_CATALOGUE_BYTES:
        raise KevError(f"the file is larger than {MAX_CATALOGUE_BYTES // 2**20} MiB")
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise KevError(f"the gzip file is damaged: {exc}") from exc
        if len(data) > MAX_CATALOGUE_BYTES:
            raise KevError(f"the file is larger than {MAX_CATALOGUE_BYTES // 2**20} MiB")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise KevError(f"not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise KevError("not the KEV catalogue: the JSON is not an object")
    version = _text(doc, "catalogVersion", "the catalogue")
    released = _text(doc, "dateReleased", "the catalogue")
    try:
        _instant(released)
    except ValueError as exc:
        raise KevError(f"the catalogue's dateReleased {released[:40]!r} is not a date") from exc
    vulns = doc.get("vulnerabilities")
    count = doc.get("count")
    if not isinstance(vulns, list) or not isinstance(count, int) or isinstance(count, bool):
        raise KevError("not the KEV catalogue: no 'vulnerabilities' list and 'count'")
    if count != len(vulns):
        raise KevError(f"the catalogue says {count} entries but holds {len(vulns)} (truncated?)")
    entries: dict[str, KevEntry] = {}
    for n, raw in enumerate(vulns, 1):
        where = f"entry {n}"
        if not isinstance(raw, dict):
            raise KevError(f"{where} is not an object")
        for key in _REQUIRED:
            _text(raw, key, where)
        cve = raw["cveID"]
        if not _CVE_ID.match(cve):
            raise KevError(f"{where}: {cve[:40]!r} is not a CVE ID")
        for key in ("dateAdded", "dueDate"):
            try:
                date.fromisoformat(raw[key])
            except ValueError as exc:
                raise KevError(f"{where} ({cve}): {key} {raw[key][:20]!r} is not a date") from exc
        entries[cve] = KevEntry(
            cve,
            raw["vulnerabilityName"],
            raw["dateAdded"],
            raw.get("knownRansomwareCampaignUse") == "Known",
        )
    return KevCatalogue(version, released, entries, origin)


def stored_path() -> Path:
    """$VETSCAN_KEV, or kev.json.gz in the user data directory (platformdirs)."""
    configured = os.environ.get("VETSCAN_KEV")
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_data_dir("vetscan")) / "kev.json.gz"


@cache
def shipped_catalogue() -> KevCatalogue:
    data = resources.files("scanner.probes.services").joinpath("kev.json.gz").read_bytes()
    return parse_catalogue(data)


@cache
def _read_stored(path: str, mtime_ns: int, size: int) -> KevCatalogue:
    return parse_catalogue(Path(path).read_bytes(), origin=path)


def active_catalogue() -> KevCatalogue:
    """The installed catalogue when there is one, else the shipped snapshot. A stored
    file that cannot be read falls back to the snapshot and says so in ``origin``."""
    path = stored_path()
    try:
        stat = path.stat()
    except OSError:
        return shipped_catalogue()
    try:
        return _read_stored(str(path), stat.st_mtime_ns, stat.st_size)
    except (OSError, KevError) as exc:
        shipped = shipped_catalogue()
        why = f"{SHIPPED} (the catalogue at {path} could not be read: {exc})"
        return KevCatalogue(shipped.version, shipped.released, shipped.entries, why)


def install_url(
    url: str, allow_older: bool = False, timeout: float = DOWNLOAD_TIMEOUT_S
) -> tuple[KevCatalogue, Path]:
    """Downloads the catalogue at ``url`` and installs it as ``install`` does; a
    failed or malformed download changes nothing."""
    try:
        data = fetch_feed(url, timeout, MAX_CATALOGUE_BYTES)
    except FeedError as exc:
        raise KevError(f"{exc}; nothing installed") from None
    return _install(data, shown_url(url), allow_older)


def install(source: Path, allow_older: bool = False) -> tuple[KevCatalogue, Path]:
    """Check ``source`` and make it the catalogue later scans read; the previous one
    stays until the new one is complete on disk (written beside it, then renamed).
    An older catalogue than the one in use is refused unless ``allow_older``."""
    try:
        size = source.stat().st_size
        if size > MAX_CATALOGUE_BYTES:
            raise KevError(f"{source} is larger than {MAX_CATALOGUE_BYTES // 2**20} MiB")
        data = source.read_bytes()
    except OSError as exc:
        raise KevError(f"cannot read {source}: {exc.strerror or exc}") from exc
    return _install(data, str(source), allow_older)


def _install(data: bytes, source: str, allow_older: bool) -> tuple[KevCatalogue, Path]:
    from scanner.output import replace_atomic

    target = stored_path()
    try:
        catalogue = parse_catalogue(data, origin=str(target))
    except KevError as exc:
        raise KevError(f"{source} is not a usable KEV catalogue, nothing installed: {exc}") from exc
    current = active_catalogue()
    if not allow_older and catalogue.released_at < current.released_at:
        raise KevError(
            f"{source} is the catalogue of {catalogue.released_day}, older than the one in "
            f"use ({current.released_day}, {current.origin}); --allow-older installs it anyway"
        )
    raw = data if data[:2] == b"\x1f\x8b" else gzip.compress(data, 9, mtime=0)
    replace_atomic(target, raw)
    return catalogue, target
