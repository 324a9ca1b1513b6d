"""Accepted risks (waivers) applied to a scan: pure functions, dated by the caller.

A waived failure stays a failure in the evidence and in the raw score; it is
marked with who accepted it, why and until when, counts as passed in the
adjusted score, and is left out of questions, alerts and the exit code. The day
its waiver expires it is an ordinary failure again, and the diff reports it as
a regression.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from scanner.model import Finding, Status

_WAIVABLE = ("fail", "warn")


@dataclass(frozen=True)
class Waiver:
    """An accepted risk: one check on one asset ("*" for every asset), until ``expires``."""

    check: str
    asset: str
    reason: str
    accepted_by: str
    expires: date

    def covers(self, check_id: str, asset: str) -> bool:
        return self.check == check_id and self.asset in ("*", asset)

    def active(self, today: date) -> bool:
        return today < self.expires


def waiver_for(check_id: str, asset: str, waivers: Sequence[Waiver]) -> Waiver | None:
    return next((w for w in waivers if w.covers(check_id, asset)), None)


def annotate(document: dict[str, Any], waivers: Sequence[Waiver], today: date) -> dict[str, Any]:
    """The document with each waivable finding that a waiver covers marked."""
    if not waivers:
        return document
    findings = []
    for f in document["findings"]:
        waiver = waiver_for(f["check_id"], f["asset"], waivers)
        if waiver is not None and f["status"] in _WAIVABLE:
            f = {
                **f,
                "waiver": {
                    "reason": waiver.reason,
                    "accepted_by": waiver.accepted_by,
                    "expires": waiver.expires.isoformat(),
                    "active": waiver.active(today),
                },
            }
        findings.append(f)
    return {**document, "findings": findings}


def adjusted(findings: Sequence[Finding], waivers: Sequence[Waiver], today: date) -> list[Finding]:
    """Findings for the adjusted score: an actively waived failure counts as passed."""
    out = []
    for f in findings:
        waiver = waiver_for(f.check_id, f.asset, waivers)
        if waiver is not None and waiver.active(today) and f.status in (Status.FAIL, Status.WARN):
            f = dataclasses.replace(f, status=Status.PASS)
        out.append(f)
    return out
