"""Running a portfolio: vendors scanned in parallel, each result stored as it comes.

Workers are daemon threads: a vendor scan is bounded by its time budget (the
engine's deadline), and an interrupted audit (SIGTERM, Ctrl-C) exits without
waiting for scans in flight. Each finished vendor is stored in one transaction
by the calling thread, so whatever was stored before an interruption stays
consistent, and what was not is simply absent.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from scanner.audit.portfolio import Vendor
from scanner.pipeline import Prepared


@dataclass(frozen=True)
class VendorOutcome:
    vendor: Vendor
    prepared: Prepared | None  # None: the vendor could not be scanned (``error`` says why)
    error: str = ""
    elapsed_s: float = 0.0


T = TypeVar("T")
Worker = Callable[[Vendor], VendorOutcome]
"""Scans one vendor, writes its reports, and says what changed (never raises)."""


def run_vendors(
    vendors: Sequence[Vendor],
    worker: Worker,
    jobs: int,
    on_done: Callable[[VendorOutcome], T],
    stop: threading.Event | None = None,
) -> list[T]:
    """Runs ``worker`` over ``vendors`` with ``jobs`` at a time; ``on_done`` sees each result
    in the calling thread (where storing happens) as soon as it is ready, and what it
    returns is kept. Whole scan documents are not kept: a portfolio of hundreds of
    vendors would otherwise hold all of them in memory until the end.

    When ``stop`` is set (by a signal handler) the run ends at the next safe point,
    between two vendors, with KeyboardInterrupt; a handler that raised at once
    could land inside a finalizer, where Python ignores exceptions."""
    todo: queue.Queue[Vendor | None] = queue.Queue()
    done: queue.Queue[VendorOutcome] = queue.Queue()
    for vendor in vendors:
        todo.put(vendor)
    workers = max(1, min(jobs, len(vendors)))
    for _ in range(workers):
        todo.put(None)

    def work() -> None:
        while (vendor := todo.get()) is not None:
            start = time.monotonic()
            try:
                outcome = worker(vendor)
            except Exception as exc:  # noqa: BLE001 - one vendor's bug must not sink the audit
                tail = traceback.format_exc(limit=-1).strip().splitlines()[-1]
                outcome = VendorOutcome(vendor, None, error=f"bug: {tail or exc}")
            done.put(replace(outcome, elapsed_s=round(time.monotonic() - start, 3)))

    for n in range(workers):
        threading.Thread(target=work, name=f"audit-{n}", daemon=True).start()
    kept: list[T] = []
    while len(kept) < len(vendors):
        if stop is not None and stop.is_set():
            raise KeyboardInterrupt
        try:
            outcome = done.get(timeout=0.2)
        except queue.Empty:
            continue
        kept.append(on_done(outcome))
    return kept


def summary_row(o: VendorOutcome) -> dict[str, Any]:
    """What the summary (terminal, webhook, email) says about one vendor."""
    p = o.prepared
    document = p.document if p is not None else {}
    scores = document.get("scores") or {}
    adjusted = document.get("adjusted_scores") or {}
    changes = document.get("changes")
    return {
        "vendor": o.vendor.name,
        "owner": o.vendor.owner,
        "tags": list(o.vendor.tags),
        "status": (
            "error"
            if o.error
            else "regressed"
            if p and p.regressed
            else "news"
            if p and p.news
            else "new"
            if p and p.first_scan
            else "ok"
        ),
        "error": o.error,
        "grade": scores.get("grade"),
        "overall": scores.get("overall"),
        "adjusted_grade": adjusted.get("grade"),
        "previous_grade": changes["from"]["grade"] if changes else None,
        "first_scan": p.first_scan if p else False,
        "regressions": [_change(r) for r in (p.regressions if p else ())],
        # Failures found where the previous run could not look: news, not "ok".
        "news": [_change(r) for r in (p.news if p else ())],
        "run_id": document.get("scan", {}).get("run_id"),
        "reports": [str(path) for path in (p.paths if p else ())],
        "report_error": p.report_error if p else "",
        "elapsed_s": o.elapsed_s,
    }


def _change(r: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("check_id", "title", "asset", "severity", "from_status", "to_status", "why")
    out = {k: r.get(k, r["check_id"] if k == "title" else None) for k in keys}
    if out["why"] is None:
        out.pop("why")
    return out


def summary(rows: Iterable[dict[str, Any]], history: str) -> dict[str, Any]:
    """The audit's summary: regressions first, then news (failures found where the
    last run could not look), errors, then the rest by name."""
    order = {"regressed": 0, "news": 1, "error": 2, "new": 3, "ok": 4}
    ordered = sorted(rows, key=lambda r: (order[r["status"]], r["vendor"].casefold()))
    return {
        "tool": "vetscan",
        "vendors": ordered,
        "regressed": sum(1 for r in ordered if r["status"] == "regressed"),
        "news": sum(1 for r in ordered if r["status"] == "news"),
        "errors": sum(1 for r in ordered if r["status"] == "error"),
        "new": sum(1 for r in ordered if r["status"] == "new"),
        "history": history,
    }
