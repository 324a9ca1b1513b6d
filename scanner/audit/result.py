"""What an audit returns to its caller (the CLI prints it, alerts send its summary)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import ScanIncomplete


class AuditInterrupted(ScanIncomplete):
    """The audit was told to stop; what was stored before stays stored."""


@dataclass(frozen=True)
class AuditResult:
    summary: dict[str, Any]  # vendors (regressions first), regressed, errors, history
    overview: Path | None = None
    overview_error: str = ""  # the overview could not be written
    audit_run: str = ""  # a queued audit's run ID (--resume takes it)
    unfinished: tuple[str, ...] = ()  # queued vendors no worker finished in time

    @property
    def vendors(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.summary["vendors"]
        return rows

    @property
    def report_errors(self) -> list[dict[str, Any]]:
        """Vendors whose scans are stored but whose reports could not be written."""
        return [r for r in self.vendors if r["report_error"]]

    @property
    def all_failed(self) -> bool:
        return bool(self.vendors) and self.summary["errors"] == len(self.vendors)
