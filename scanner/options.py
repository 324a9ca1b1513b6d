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
from scanner.scoring.settings import SettingError, schemas

_SELECTOR = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")


@dataclass(frozen=True)
class ScanOptions:
    """How to scan. ``anchors`` None means the IANA root keys; ``nameserver`` None
    means the system resolver (tests and the lab always name one)."""

    profile: Profile
    nameserver: Nameserver | None = None
    ca_file: Path | None = None
    allow_private: bool = False
    timeout: float | None = None
    anchors: Mapping[str, list[str]] | None = None
    dkim_selectors: tuple[str, ...] = ()
    # --max-hosts and --ct-url: applied to whichever profile scans (a portfolio
    # vendor's own profile included), see ``discovery_profile``.
    max_hosts: int | None = None
    ct_urls: tuple[str, ...] = ()
    # Tests only (see AddressPolicy.lab_public): not reachable from ``build``, the CLI
    # or a portfolio.
    lab_public: tuple[str, ...] = ()

    def policy(self) -> AddressPolicy:
        """The address policy every connection of this scan passes."""
        return AddressPolicy(
            self.allow_private, tuple(ipaddress.ip_network(n) for n in self.lab_public)
        )

    def discovery_profile(self) -> Profile:
        """The profile with this scan's discovery overrides applied."""
        return with_discovery(self.profile, self.max_hosts, self.ct_urls)

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
    ) -> ScanOptions:
        loaded = profile if isinstance(profile, Profile) else load_profile(profile)
        urls = tuple(ct_urls)
        with_discovery(loaded, max_hosts, urls)  # checked now, applied at scan time
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
        selectors = tuple(dkim_selectors)
        for selector in selectors:
            if not _SELECTOR.fullmatch(selector):
                raise InputError(f"invalid DKIM selector {selector!r}")
        return cls(loaded, ns, ca, allow_private, timeout, anchors, selectors, max_hosts, urls)


def with_discovery(profile: Profile, max_hosts: int | None, ct_urls: tuple[str, ...]) -> Profile:
    """The profile with --max-hosts and --ct-url applied (checked as the profile's own
    settings are). ``certspotter=URL`` names a Certspotter-format search; a plain URL
    a crt.sh-format one; given URLs replace the profile's of both kinds."""
    overrides: dict[str, Any] = {}
    table = schemas()["discovery"]
    if max_hosts is not None:
        try:
            overrides["max_hosts"] = table["max_hosts"].check(max_hosts)
        except SettingError as exc:
            raise InputError(f"--max-hosts {exc}") from None
    if ct_urls:
        spotter = [u.split("=", 1)[1] for u in ct_urls if u.startswith("certspotter=")]
        crtsh = [u.removeprefix("crtsh=") for u in ct_urls if not u.startswith("certspotter=")]
        for key, urls in (("crtsh_urls", crtsh), ("certspotter_urls", spotter)):
            try:
                overrides[key] = table[key].check(urls)
            except SettingError as exc:
                raise InputError(f"--ct-url {exc}") from None
    if not overrides:
        return profile
    settings = {
        **profile.settings,
        "discovery": {**profile.settings.get("discovery", {}), **overrides},
    }
    return dataclasses.replace(profile, settings=settings)


@dataclass(frozen=True)
class OutputOptions:
    """What to write and where. ``sign_key`` signs the JSON (needs json in formats)."""

    formats: tuple[Format, ...] = (Format.HTML, Format.JSON)
    out: Path = field(default_factory=lambda: Path("reports"))
    sign_key: Ed25519PrivateKey | None = None
    csv_bom: bool = False  # a UTF-8 byte-order mark first in CSV files (Excel)

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
    ) -> OutputOptions:
        if str(out) == "-":
            # Standard output carries one document: the canonical JSON.
            if sign_key is not None:
                raise InputError(
                    "--out - writes the JSON to standard output; --sign-key needs files"
                )
            return cls((Format.JSON,), Path("-"), None, csv_bom)
        parsed = parse_formats(formats)
        key = None
        if sign_key is not None:
            if Format.JSON not in parsed:
                raise InputError("--sign-key signs the JSON: add json to --format")
            try:
                key = load_private_key(Path(sign_key))
            except IntegrityError as exc:
                raise InputError(str(exc)) from None
        return cls(parsed, Path(out), key, csv_bom)


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
