"""Typed options: what a scan needs (ScanOptions) and what output needs
(OutputOptions), each built from plain values by one validating constructor that
raises InputError with a one-line reason. The CLI and Python callers use the same
constructors, so a value is checked the same way whoever gives it."""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner.document.integrity import IntegrityError, load_private_key
from scanner.errors import InputError
from scanner.inputs import InputFileError, check_input
from scanner.net.dnssec import load_anchors
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Nameserver, parse_nameserver
from scanner.render import Format
from scanner.render.pdf import pdf_available
from scanner.scoring.profile import Profile, load_profile
from scanner.scoring.settings import Override, SettingError

_SELECTOR = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")


@dataclass(frozen=True)
class ScanOptions:
    """How to scan. ``anchors`` None means the IANA root keys; ``nameserver`` None
    means the system resolver (tests and the lab always name one). ``settings`` are
    probe settings given for this scan (``--set``; --max-hosts, --ct-url and
    --dkim-selector are spelled as them), applied to whichever profile scans (a
    portfolio vendor's own included) by ``scan_profile``."""

    profile: Profile
    nameserver: Nameserver | None = None
    ca_file: Path | None = None
    allow_private: bool = False
    timeout: float | None = None
    anchors: Mapping[str, list[str]] | None = None
    settings: tuple[Override, ...] = ()
    # Tests only (see AddressPolicy.lab_public): not reachable from ``build``, the CLI
    # or a portfolio.
    lab_public: tuple[str, ...] = ()

    def policy(self) -> AddressPolicy:
        """The address policy every connection of this scan passes."""
        return AddressPolicy(
            self.allow_private, tuple(ipaddress.ip_network(n) for n in self.lab_public)
        )

    def scan_profile(self) -> Profile:
        """The profile with this scan's settings applied."""
        return self.profile.with_overrides(self.settings)

    def with_settings(self, *overrides: Override) -> ScanOptions:
        """These options with more settings, applied after the ones already given."""
        return dataclasses.replace(self, settings=(*self.settings, *overrides))

    def on_network(self, ca_file: Path, trust_anchors: Path, allow_private: bool) -> ScanOptions:
        """These options pointed at a network of one's own (the lab): its CA, its
        DNSSEC trust anchors, and whether its private addresses may be scanned."""
        anchors = load_anchors(trust_anchors)
        return dataclasses.replace(
            self, ca_file=ca_file, anchors=anchors, allow_private=allow_private
        )

    def given(self, table: str, key: str) -> bool:
        """Whether this scan sets ``table.key`` itself."""
        return any(o.table == table and o.key == key for o in self.settings)

    @classmethod
    def build(
        cls,
        profile: str | Profile = "default",
        nameserver: str | None = None,
        ca_file: Path | str | None = None,
        allow_private: bool = False,
        timeout: float | None = None,
        trust_anchors: Path | str | None = None,
        dkim_selectors: Iterable[str] = (),
        max_hosts: int | None = None,
        ct_urls: Iterable[str] = (),
        settings: Iterable[str | Override] = (),
    ) -> ScanOptions:
        loaded = profile if isinstance(profile, Profile) else load_profile(profile)
        overrides = [*_settings(settings), *discovery_overrides(max_hosts, tuple(ct_urls))]
        selectors = tuple(dkim_selectors)
        for selector in selectors:
            if not _SELECTOR.fullmatch(selector):
                raise InputError(f"invalid DKIM selector {selector!r}")
        if selectors:
            overrides.append(Override.of("dkim.selectors", list(selectors), extend=True))
        ns = None
        if nameserver is not None:
            if not nameserver.strip():
                # An unset variable in a cron line: never the system resolver by accident.
                raise InputError("--nameserver is empty (an unset variable?); give HOST[:PORT]")
            ns = parse_nameserver(nameserver)
        ca = Path(ca_file) if ca_file is not None else None
        if ca is not None:
            try:
                check_input(ca, "CA file")
            except InputFileError as exc:
                raise InputError(f"--ca-file {exc}") from None
        if timeout is not None and not (math.isfinite(timeout) and 0 < timeout <= 600):
            raise InputError("--timeout must be between 0 and 600 seconds")
        anchors = load_anchors(Path(trust_anchors)) if trust_anchors is not None else None
        return cls(loaded, ns, ca, allow_private, timeout, anchors, tuple(overrides))


def _settings(given: Iterable[str | Override]) -> list[Override]:
    out = []
    for item in given:
        if isinstance(item, Override):
            out.append(item)
            continue
        try:
            out.append(Override.parse(item))
        except SettingError as exc:
            raise InputError(f"--set {exc}") from None
    return out


def discovery_overrides(max_hosts: int | None, ct_urls: tuple[str, ...]) -> list[Override]:
    """--max-hosts and --ct-url as the discovery settings they stand for.
    ``certspotter=URL`` names a Certspotter-format search; a plain URL a crt.sh-format
    one; given URLs replace the profile's of both kinds."""
    out = []
    if max_hosts is not None:
        out.append(_flag("--max-hosts", "discovery.max_hosts", max_hosts))
    if ct_urls:
        spotter = [u.split("=", 1)[1] for u in ct_urls if u.startswith("certspotter=")]
        crtsh = [u.removeprefix("crtsh=") for u in ct_urls if not u.startswith("certspotter=")]
        out.append(_flag("--ct-url", "discovery.crtsh_urls", crtsh))
        out.append(_flag("--ct-url", "discovery.certspotter_urls", spotter))
    return out


def _flag(flag: str, name: str, value: Any) -> Override:
    try:
        return Override.of(name, value)
    except SettingError as exc:
        raise InputError(f"{flag} {str(exc).removeprefix(name + ' ')}") from None


def with_discovery(profile: Profile, max_hosts: int | None, ct_urls: tuple[str, ...]) -> Profile:
    """The profile with --max-hosts and --ct-url applied (checked as the profile's own
    settings are)."""
    return profile.with_overrides(discovery_overrides(max_hosts, ct_urls))


@dataclass(frozen=True)
class OutputOptions:
    """What to write and where. ``sign_key`` signs the JSON (needs json in formats)."""

    formats: tuple[Format, ...] = (Format.HTML, Format.JSON)
    out: Path = field(default_factory=lambda: Path("reports"))
    sign_key: Ed25519PrivateKey | None = None
    csv_bom: bool = False  # a UTF-8 byte-order mark first in CSV files (Excel)
    # CSV as Excel opens it in most locales: semicolons, CRLF line ends, and the BOM.
    csv_excel: bool = False

    @property
    def to_stdout(self) -> bool:
        """``--out -``: the JSON document goes to standard output, no file is written."""
        return str(self.out) == "-"

    @classmethod
    def build(
        cls,
        formats: str | Iterable[str] = "html,json",
        out: Path | str = "reports",
        sign_key: Path | str | None = None,
        csv_bom: bool = False,
        csv_excel: bool = False,
    ) -> OutputOptions:
        """The output asked for; the JSON document (the evidence every other format
        shows, and what ``verify`` checks them by) is always written beside them."""
        if str(out) == "-":
            # Standard output carries one document: the canonical JSON.
            if sign_key is not None:
                raise InputError(
                    "--out - writes the JSON to standard output; --sign-key needs files"
                )
            return cls((Format.JSON,), Path("-"), None, csv_bom)
        parsed = parse_formats(formats)
        if Format.JSON not in parsed:
            parsed = (*parsed, Format.JSON)
        key = None
        if sign_key is not None:
            if Format.JSON not in parsed:
                raise InputError("--sign-key signs the JSON: add json to --format")
            try:
                key = load_private_key(Path(sign_key))
            except IntegrityError as exc:
                raise InputError(str(exc)) from None
        return cls(parsed, Path(out), key, csv_bom or csv_excel, csv_excel)


def parse_formats(formats: str | Iterable[str]) -> tuple[Format, ...]:
    names = formats.split(",") if isinstance(formats, str) else list(formats)
    try:
        parsed = tuple(dict.fromkeys(Format(f.strip()) for f in names if f.strip()))
    except ValueError:
        shown = formats if isinstance(formats, str) else ",".join(names)
        raise InputError(
            f"unknown format in {shown!r} (choose from {', '.join(f.value for f in Format)})"
        ) from None
    if not parsed:
        raise InputError("--format names no format")
    if Format.PDF in parsed and not pdf_available():
        # Found out before the scan, not after minutes of scanning.
        raise InputError("--format pdf needs WeasyPrint: pip install 'vetscan[pdf]'")
    return parsed
