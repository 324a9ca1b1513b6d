"""Report hook: mail-security records (SPF, DMARC, TLS-RPT, BIMI, ...) whose text
changed between two runs (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.probes.base import observations_of
from scanner.probes.discovery.changes import compare_records, record_line

Observations = Sequence[Mapping[str, Any]]

__all__ = ["record_changes", "record_line"]


def _mail_records(observations: Observations) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind in ("email.spf", "email.dmarc"):
        for o in observations_of(observations, kind):
            out[f"{o['domain']} {kind.split('.')[1].upper()}"] = sorted(o.get("records", []))
    for o in observations_of(observations, "email.record"):
        out[f"{o['name']} {o['record_kind'].upper()}"] = sorted(o.get("texts", []))
    return out


def record_changes(old: Observations, new: Observations) -> dict[str, list[dict[str, Any]]]:
    return {"records": compare_records(old, new, _mail_records)}
