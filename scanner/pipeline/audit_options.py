"""How an audit runs: scan and output options, history, concurrency, retention."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scanner.options import OutputOptions, ScanOptions


@dataclass
class AuditOptions:
    """How to audit a portfolio: scan options (each vendor's profile, selectors and
    budget apply on top), output, history, concurrency and retention."""

    scan: ScanOptions
    output: OutputOptions
    history: str | Path
    jobs: int = 4
    vendor_budget: float = 900.0
    retention: int | None = None
