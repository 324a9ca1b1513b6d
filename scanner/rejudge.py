"""A saved scan judged again: its observations parsed back into their types and run
through the probes' pure checks and the scorer under a profile, with no network.

The same profile gives the same findings, scores and reports as the scan itself
(tests/test_behaviour.py holds the lab's scans to that); another profile judges
the same facts by its own thresholds, severities and weights. What a profile
changes in *gathering* (ports scanned, discovery sources, DKIM selectors) cannot
change here: the document says which profile gathered and which judged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from scanner import __version__
from scanner.engine import completed, failed, judged
from scanner.errors import InputError
from scanner.model import AttemptStatus, Observation, ProbeResult, ScanMeta, ScanResult, Target
from scanner.net.targets import parse_host_port
from scanner.observations.codec import DecodeError
from scanner.probes.base import Probe
from scanner.scoring.profile import Profile


class RejudgeError(InputError):
    """A saved scan that cannot be judged again here; says why."""


def rejudge(
    document: Mapping[str, Any],
    profile: Profile,
    probes: Sequence[Probe],
    now: datetime | None = None,
    mark: bool = True,
) -> ScanResult:
    """The scan of ``document`` (a saved scan, already checked for alteration) judged
    under ``profile`` by ``probes``. ``mark`` records in the result that it was judged
    again (``now``); without it the result is the scan's own, as first judged."""
    try:
        target, meta = _target(document), _meta(document)
        entries = list(document["scan"]["probes"])
        saved = list(document["observations"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RejudgeError(f"not a saved vetscan scan ({type(exc).__name__}: {exc})") from None
    by_name = {p.name: p for p in probes}
    results: dict[str, ProbeResult] = {}
    for entry in entries:
        name = str(entry.get("probe"))
        probe = by_name.get(name)
        if probe is None:
            raise RejudgeError(
                f"the scan was made with the probe {name!r}, which is not installed here"
            )
        mine = [o for o in saved if isinstance(o, dict) and o.get("probe") == name]
        result = _result(probe, target, entry, mine, profile, meta.profile)
        if entry.get("finished"):
            # When the probe observed, as the scan recorded it (findings' times).
            finished = datetime.fromisoformat(str(entry["finished"]))
            result = dataclasses.replace(result, finished_at=finished)
        results[name] = result
    for probe in probes:
        if probe.name not in results:
            reason = "was not part of the saved scan (installed since)"
            results[probe.name] = failed(probe, target, AttemptStatus.SKIPPED, reason, 0.0)
    ordered = [results[p.name] for p in probes]
    scored, card = judged(ordered, profile)
    judged_meta = ScanMeta(
        run_id=meta.run_id,
        started=meta.started,
        finished=meta.finished,
        profile=profile.name,
        resolver=meta.resolver,
        allow_private=meta.allow_private,
        rejudged_at=(now or datetime.now(UTC)).replace(microsecond=0) if mark else None,
        gathered_profile=meta.profile if mark else "",
        source_addresses=meta.source_addresses,
    )
    return ScanResult(__version__, target, judged_meta, tuple(scored), card)


def _result(
    probe: Probe,
    target: Target,
    entry: Mapping[str, Any],
    saved: list[dict[str, Any]],
    profile: Profile,
    gathered_under: str,
) -> ProbeResult:
    status = AttemptStatus(entry["status"])
    version, duration = str(entry["version"]), float(entry["duration_s"])
    if probe.name in profile.disabled_probes:
        reason = f"disabled by profile {profile.name}"
        return failed(probe, target, AttemptStatus.SKIPPED, reason, 0.0, version)
    if status is not AttemptStatus.COMPLETED:
        reason = str(entry["reason"])
        if profile.name != gathered_under:
            reason = f"{reason} when the scan was made (profile {gathered_under})"
        return failed(probe, target, status, reason, duration, version)
    if version != probe.version:
        raise RejudgeError(
            f"the {probe.name} probe was version {version} when the scan was made and is "
            f"{probe.version} here: its observations are not judged by other checks"
        )
    observations = _observations(probe, saved)
    findings = probe.evaluate(observations, profile)
    return completed(probe, target, observations, findings, duration, version)


def _observations(probe: Probe, saved: list[dict[str, Any]]) -> list[Observation]:
    kinds = {t.kind: t for t in probe.observation_types}
    out = []
    for i, data in enumerate(saved):
        kind = data.get("kind")
        cls = kinds.get(str(kind))
        if cls is None:
            raise RejudgeError(f"the {probe.name} probe does not gather observations of {kind!r}")
        fields = {k: v for k, v in data.items() if k != "probe"}
        try:
            out.append(cls.from_json(fields))
        except DecodeError as exc:
            raise RejudgeError(f"observation {i} of the {probe.name} probe: {exc}") from None
    return out


def _target(document: Mapping[str, Any]) -> Target:
    provider = document["provider"]
    return Target(
        str(provider["name"]),
        tuple(str(d) for d in provider["domains"]),
        tuple(parse_host_port(str(h)) for h in provider["extra_hosts"]),
    )


def _meta(document: Mapping[str, Any]) -> ScanMeta:
    scan = document["scan"]
    return ScanMeta(
        run_id=str(scan["run_id"]),
        started=datetime.fromisoformat(scan["started"]),
        finished=datetime.fromisoformat(scan["finished"]),
        profile=str(scan.get("rejudged", {}).get("gathered_profile") or scan["profile"]),
        resolver=str(scan["resolver"]),
        allow_private=bool(scan["allow_private"]),
        source_addresses=tuple(str(a) for a in scan.get("source_addresses") or ()),
    )
