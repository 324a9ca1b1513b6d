"""The one task a queued audit sends: scan one vendor. Its payload is plain JSON
(never pickle), built by the coordinator from a validated portfolio and checked
again, field by field, by the worker that receives it: a broker is not trusted to
hand a worker only what vetscan put there.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from scanner.audit.portfolio import Vendor, vendor_from_table, vendor_table
from scanner.errors import InputError
from scanner.scoring.profile import (
    Profile,
    ProfileError,
    builtin_names,
    load_profile,
    profile_from_data,
)
from scanner.scoring.settings import Override, SettingError

TASK_NAME = "vetscan.scan_vendor"
# 2: a custom profile travels as data ("profile_data"), a bare name is a built-in one.
# 3: probe settings given for the audit travel as "settings" (--max-hosts, --ct-url and
# --set alike), replacing "max_hosts" and "ct_urls".
VERSION = 3
MAX_SETTINGS = 64
MAX_PAYLOAD = 2 * 1024 * 1024  # bytes of JSON; a CA bundle and anchors fit easily
MAX_PROFILE = 64 * 1024  # bytes of JSON of a custom profile
_AUDIT_RUN = re.compile(r"[A-Za-z0-9-]{8,64}")
_KEYS = {
    "version", "audit_run", "vendor", "profile", "profile_data", "scan", "budget",
    "retention", "today",
}  # fmt: skip
_SCAN_KEYS = {"nameserver", "ca_pem", "allow_private", "timeout", "anchors", "settings"}
_SETTING_KEYS = {"set", "value", "extend"}


class TaskError(InputError):
    """A payload this vetscan does not accept (tampered, or from another version)."""


@dataclass(frozen=True)
class ScanSettings:
    """The scan options a task carries: values, not paths (workers are other machines)."""

    nameserver: str | None = None
    ca_pem: str | None = None
    allow_private: bool = False
    timeout: float | None = None
    anchors: tuple[str, ...] | None = None  # anchor lines ("name. DS ...")
    settings: tuple[Override, ...] = ()


@dataclass(frozen=True)
class VendorTask:
    audit_run: str
    vendor: Vendor
    profile: str  # a built-in profile's name, or the name of the one in profile_data
    scan: ScanSettings
    budget: float
    retention: int | None
    today: date
    # A custom profile as plain data (scoring.profile.profile_data): workers on other
    # machines need not have its file, and never read a path a task names.
    profile_data: Mapping[str, Any] | None = None

    def load_profile(self) -> Profile:
        if self.profile_data is not None:
            return profile_from_data(
                dict(self.profile_data), f"profile {self.profile!r} sent with the task"
            )
        return load_profile(self.profile)

    def payload(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "audit_run": self.audit_run,
            "vendor": vendor_table(self.vendor),
            "profile": self.profile,
            "profile_data": dict(self.profile_data) if self.profile_data is not None else None,
            "scan": {
                "nameserver": self.scan.nameserver,
                "ca_pem": self.scan.ca_pem,
                "allow_private": self.scan.allow_private,
                "timeout": self.scan.timeout,
                "anchors": list(self.scan.anchors) if self.scan.anchors is not None else None,
                "settings": [o.to_json() for o in self.scan.settings],
            },
            "budget": self.budget,
            "retention": self.retention,
            "today": self.today.isoformat(),
        }


def _fail(message: str) -> TaskError:
    return TaskError(f"task refused: {message}")


def _exact_keys(value: Any, keys: set[str], what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _fail(f"{what} must be an object")
    if set(value) != keys:
        odd = sorted(set(value) ^ keys)
        raise _fail(f"{what} has unexpected or missing keys: {', '.join(odd)}")
    return value


def _optional(value: Any, kind: type, what: str) -> Any:
    if value is None:
        return None
    # bool is an int: never accept true as a number, or 1 as a flag.
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise _fail(f"{what} must be {kind.__name__} or null")
    return value


def _strings(value: Any, what: str, limit: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(f"{what} must be a list of strings")
    if len(value) > limit:
        raise _fail(f"{what} has more than {limit} entries")
    return tuple(value)


def parse_task(payload: Any, known_checks: set[str]) -> VendorTask:
    """The task a payload describes, or TaskError. Every field is checked: the vendor
    as a portfolio vendor, numbers finite and in range, text of bounded size."""
    try:
        size = len(json.dumps(payload, allow_nan=False))
    except (TypeError, ValueError):
        raise _fail("not plain JSON") from None
    if size > MAX_PAYLOAD:
        raise _fail(f"larger than {MAX_PAYLOAD} bytes")
    data = _exact_keys(payload, _KEYS, "the task")
    if data["version"] != VERSION:
        raise _fail(f"task version {data['version']!r}; this worker speaks {VERSION}")
    audit_run = data["audit_run"]
    if not isinstance(audit_run, str) or not _AUDIT_RUN.fullmatch(audit_run):
        raise _fail("audit_run is not an audit run ID")
    raw_vendor = data["vendor"]
    if isinstance(raw_vendor, dict) and isinstance(raw_vendor.get("waivers"), list):
        raw_vendor = {**raw_vendor, "waivers": [_dated(w) for w in raw_vendor["waivers"]]}
    try:
        vendor = vendor_from_table(raw_vendor, "task", known_checks)
    except InputError as exc:
        raise _fail(str(exc)) from None
    profile = data["profile"]
    if not isinstance(profile, str) or not profile.strip() or len(profile) > 200:
        raise _fail("profile must be a profile name")
    profile_data = data["profile_data"]
    if profile_data is None:
        if profile not in builtin_names():
            raise _fail(f"profile {profile!r} is no built-in profile and the task carries none")
    elif len(json.dumps(profile_data)) > MAX_PROFILE:
        raise _fail(f"the profile is larger than {MAX_PROFILE} bytes")
    else:
        try:
            named = profile_from_data(profile_data, "the task's profile").name
        except ProfileError as exc:
            raise _fail(str(exc)) from None
        if named != profile:
            raise _fail(f"the task names profile {profile!r} but carries {named!r}")
    budget = data["budget"]
    if (
        not isinstance(budget, int | float)
        or isinstance(budget, bool)
        or not (math.isfinite(budget) and 0 < budget <= 86400)
    ):
        raise _fail("budget must be between 0 and 86400 seconds")
    retention = _optional(data["retention"], int, "retention")
    if retention is not None and retention < 1:
        raise _fail("retention must be at least 1")
    try:
        today = date.fromisoformat(data["today"])
    except (TypeError, ValueError):
        raise _fail("today must be an ISO date") from None
    return VendorTask(
        audit_run,
        vendor,
        profile,
        _scan(data["scan"]),
        float(budget),
        retention,
        today,
        profile_data,
    )


def _dated(waiver: Any) -> Any:
    if isinstance(waiver, dict) and isinstance(waiver.get("expires"), str):
        try:
            return {**waiver, "expires": date.fromisoformat(waiver["expires"])}
        except ValueError:
            raise _fail("waiver expires must be an ISO date") from None
    return waiver


def _scan(value: Any) -> ScanSettings:
    scan = _exact_keys(value, _SCAN_KEYS, "scan")
    nameserver = _optional(scan["nameserver"], str, "nameserver")
    ca_pem = _optional(scan["ca_pem"], str, "ca_pem")
    if ca_pem is not None and len(ca_pem) > MAX_PAYLOAD:
        raise _fail("ca_pem is too large")
    allow_private = scan["allow_private"]
    if not isinstance(allow_private, bool):
        raise _fail("allow_private must be true or false")
    timeout = scan["timeout"]
    if timeout is not None and (
        not isinstance(timeout, int | float)
        or isinstance(timeout, bool)
        or not (math.isfinite(timeout) and 0 < timeout <= 600)
    ):
        raise _fail("timeout must be between 0 and 600 seconds or null")
    anchors = scan["anchors"]
    lines = None if anchors is None else _strings(anchors, "anchors", 1000)
    return ScanSettings(
        nameserver=nameserver,
        ca_pem=ca_pem,
        allow_private=allow_private,
        timeout=float(timeout) if timeout is not None else None,
        anchors=lines,
        settings=_settings(scan["settings"]),
    )


def _settings(value: Any) -> tuple[Override, ...]:
    if not isinstance(value, list) or len(value) > MAX_SETTINGS:
        raise _fail(f"settings must be a list of at most {MAX_SETTINGS}")
    out = []
    for item in value:
        entry = _exact_keys(item, _SETTING_KEYS, "a setting")
        if not isinstance(entry["set"], str) or not isinstance(entry["extend"], bool):
            raise _fail("a setting names its 'set' as text and 'extend' as true or false")
        try:
            out.append(Override.of(entry["set"], entry["value"], entry["extend"]))
        except SettingError as exc:
            raise _fail(str(exc)) from None
    return tuple(out)
