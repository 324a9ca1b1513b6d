"""The pipeline behind scanner.api, written once, one module per job: scanning,
documents (build and judge against the previous run), reports, recording in
history, the portfolio overview. The audit runner and the API use it; the API adds
the audit on top (the runner imports this package, not the API, so the package has
no import circle)."""

from scanner.pipeline.audit_options import AuditOptions
from scanner.pipeline.documents import Prepared, build_document, judge
from scanner.pipeline.overview import (
    SUMMARY_COLUMNS,
    failed_overview_row,
    overview_row,
    summary_csv,
    write_overview,
)
from scanner.pipeline.recording import prepare, store, trend_of, with_reports
from scanner.pipeline.reports import (
    COMPARE_FORMATS,
    comparison,
    write_comparison,
    write_reports,
    written_reports,
)
from scanner.pipeline.scanning import completed, plugin_problems, require_completed, scan

__all__ = [
    "COMPARE_FORMATS",
    "SUMMARY_COLUMNS",
    "AuditOptions",
    "Prepared",
    "build_document",
    "comparison",
    "completed",
    "failed_overview_row",
    "judge",
    "overview_row",
    "plugin_problems",
    "prepare",
    "require_completed",
    "scan",
    "store",
    "summary_csv",
    "trend_of",
    "with_reports",
    "write_comparison",
    "write_overview",
    "write_reports",
    "written_reports",
]
