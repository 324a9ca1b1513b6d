"""Runs probes concurrently and wraps every run in an attempt record.

This is the one place with a broad exception handler: whatever a probe does,
the scan goes on, and the probe's checks are reported as error or not
assessed with the reason. Probes run in daemon threads so that a probe which
overruns its timeout can be abandoned without holding up the scan or the exit.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from scanner import __version__
from scanner.checks import CatalogueError, lookup
from scanner.model import (
    AttemptStatus,
    Finding,
    Observation,
    ProbeResult,
    ScanMeta,
    ScanResult,
    Severity,
    Status,
    Target,
)
from scanner.net.source import source_addresses
from scanner.probes.base import Probe, ProbeContext, ProbeOutput
from scanner.scoring.decision import judge
from scanner.scoring.profile import Profile
from scanner.scoring.score import ScoreCard, apply_profile

Observer = Callable[[str, ProbeResult | None], None]
"""Called with (probe name, None) when a probe starts and with its result when it ends."""


@dataclass(frozen=True)
class _Done:
    name: str
    output: ProbeOutput | None
    error: BaseException | None
    tb: str
    duration: float


def scan(
    target: Target,
    probes: Sequence[Probe],
    context: ProbeContext,
    observer: Observer | None = None,
    deadline: float | None = None,
) -> ScanResult:
    """Runs ``probes`` on ``target``; ``deadline`` (time.monotonic()) bounds the whole scan."""
    started = datetime.now(UTC)
    profile = context.profile
    results = run_probes(
        target, probes, context, observer, disabled=profile.disabled_probes, deadline=deadline
    )
    results, card = judged(results, profile)
    meta = ScanMeta(
        run_id=str(uuid.uuid4()),
        started=started,
        finished=datetime.now(UTC),
        profile=context.profile.name,
        resolver=context.resolver.description,
        allow_private=context.policy.allow_private,
        source_addresses=source_addresses(context.resolver.addresses(), results, context.policy),
    )
    return ScanResult(__version__, target, meta, tuple(results), card)


def judged(results: Sequence[ProbeResult], profile: Profile) -> tuple[list[ProbeResult], ScoreCard]:
    """Scoring, a pure step over finished results: the profile's severity overrides
    and disabled checks, then the score card."""
    out = [
        dataclasses.replace(r, findings=tuple(apply_profile(r.findings, profile))) for r in results
    ]
    return out, judge([f for r in out for f in r.findings], profile)


def run_probes(
    target: Target,
    probes: Sequence[Probe],
    context: ProbeContext,
    observer: Observer | None = None,
    disabled: frozenset[str] = frozenset(),
    deadline: float | None = None,
) -> list[ProbeResult]:
    timeout = context.profile.probe_timeout
    budget_end = deadline if deadline is not None else float("inf")
    by_name = {p.name: p for p in probes}
    results: dict[str, ProbeResult] = {}
    pending = dict(by_name)
    running: dict[str, float] = {}  # name -> deadline (monotonic)
    done: queue.Queue[_Done] = queue.Queue()
    notify = observer or (lambda _name, _result: None)

    def finish(result: ProbeResult) -> None:
        result = dataclasses.replace(result, finished_at=datetime.now(UTC))
        results[result.probe] = result
        notify(result.probe, result)

    for name in [n for n in pending if n in disabled]:
        # A disabled probe still answers for its checks: not assessed, with the reason,
        # so switching a probe off lowers coverage instead of raising the grade.
        reason = f"disabled by profile {context.profile.name}"
        finish(failed(pending.pop(name), target, AttemptStatus.SKIPPED, reason, 0.0))

    while pending or running:
        for name, probe in list(pending.items()):
            missing = [dep for dep in probe.consumes if dep not in by_name]
            if missing:
                del pending[name]
                reason = f"needs probe(s) not enabled: {', '.join(missing)}"
                finish(failed(probe, target, AttemptStatus.SKIPPED, reason, 0.0))
                continue
            deps = (*probe.consumes, *(d for d in probe.after if d in by_name))
            if all(dep in results for dep in deps):
                del pending[name]
                if time.monotonic() >= budget_end:
                    reason = "was not started: the scan's time budget was spent"
                    finish(failed(probe, target, AttemptStatus.SKIPPED, reason, 0.0))
                    continue
                upstream = {dep: results[dep] for dep in deps}
                probe_context = dataclasses.replace(context, upstream=upstream)
                running[name] = min(time.monotonic() + timeout, budget_end)
                notify(name, None)
                threading.Thread(
                    target=_run_one,
                    args=(probe, target, probe_context, done),
                    name=f"probe-{name}",
                    daemon=True,
                ).start()
        if not running:
            # Whatever is still pending waits on itself: a dependency cycle.
            for probe in pending.values():
                finish(failed(probe, target, AttemptStatus.SKIPPED, "dependency cycle", 0.0))
            break
        wait = max(0.0, min(running.values()) - time.monotonic())
        try:
            item = done.get(timeout=wait)
        except queue.Empty:
            now = time.monotonic()
            for name, due in list(running.items()):
                if due <= now:
                    del running[name]
                    if due < budget_end:
                        reason = f"did not finish within {timeout:g} s"
                    else:
                        reason = "did not finish within the scan's time budget"
                    finish(failed(by_name[name], target, AttemptStatus.TIMEOUT, reason, timeout))
            continue
        if item.name not in running:
            continue  # a probe that already timed out came back late; its result is dropped
        del running[item.name]
        finish(_envelope(by_name[item.name], target, item))

    return [results[p.name] for p in probes]


def _run_one(probe: Probe, target: Target, context: ProbeContext, done: queue.Queue[_Done]) -> None:
    start = time.monotonic()
    try:
        output = probe.run(target, context)
    except BaseException as exc:  # noqa: BLE001 - the engine boundary: any crash is a result
        done.put(_Done(probe.name, None, exc, traceback.format_exc(), time.monotonic() - start))
        return
    done.put(_Done(probe.name, output, None, "", time.monotonic() - start))


def _envelope(probe: Probe, target: Target, item: _Done) -> ProbeResult:
    if item.error is not None:
        reason = f"probe crashed (bug): {type(item.error).__name__}: {item.error}"
        return dataclasses.replace(
            failed(probe, target, AttemptStatus.ERROR, reason, item.duration), reason=reason
        )
    assert item.output is not None
    return completed(
        probe, target, item.output.observations, item.output.findings, round(item.duration, 3)
    )


def completed(
    probe: Probe,
    target: Target,
    observations: Sequence[Observation],
    findings: Sequence[Finding],
    duration: float,
    version: str | None = None,
) -> ProbeResult:
    """The attempt record of a probe that finished: its findings named after it, and a
    "not assessed" finding for each declared check it reached no verdict on. Also how
    a saved scan's observations are judged again (scanner.rejudge)."""
    findings = tuple(dataclasses.replace(f, probe=probe.name) for f in findings)
    reported = {f.check_id for f in findings}
    unreported = [c for c in probe.checks if c not in reported]
    if unreported:
        # A declared check with no finding at all would vanish from coverage and from
        # "Not assessed": it answers "not assessed", with the reason, on the target.
        asset = target.domains[0] if target.domains else target.name
        reason = f"the {probe.name} probe reached nothing to check this on"
        findings += tuple(
            Finding(
                check_id=check_id,
                status=Status.NOT_ASSESSED,
                severity=_severity(check_id),
                asset=asset,
                detail=f"Not assessed: {reason} (no host, endpoint or record answered).",
                evidence={"reason": reason},
                probe=probe.name,
            )
            for check_id in unreported
        )
    return ProbeResult(
        probe=probe.name,
        status=AttemptStatus.COMPLETED,
        duration_s=duration,
        observations=tuple(observations),
        findings=findings,
        version=probe.version if version is None else version,
    )


def failed(
    probe: Probe,
    target: Target,
    status: AttemptStatus,
    reason: str,
    duration: float,
    version: str | None = None,
) -> ProbeResult:
    """An attempt that produced no verdicts: each of the probe's checks says why."""
    finding_status = Status.ERROR if status is AttemptStatus.ERROR else Status.NOT_ASSESSED
    asset = target.domains[0] if target.domains else target.name
    findings = tuple(
        Finding(
            check_id=check_id,
            status=finding_status,
            severity=_severity(check_id),
            asset=asset,
            detail=f"Not assessed: the {probe.name} probe {reason}.",
            evidence={"reason": reason},
            probe=probe.name,
        )
        for check_id in probe.checks
    )
    return ProbeResult(
        probe=probe.name,
        status=status,
        duration_s=round(duration, 3),
        findings=findings,
        reason=reason,
        version=probe.version if version is None else version,
    )


def _severity(check_id: str) -> Severity:
    try:
        return lookup(check_id).severity
    except CatalogueError:
        return Severity.INFO
