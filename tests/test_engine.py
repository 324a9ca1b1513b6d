"""The engine: attempt envelopes, timeouts, dependencies. Probes here are tiny real
probes written for the test; no network is touched."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from scanner.engine import run_probes, scan
from scanner.model import AttemptStatus, Finding, Observation, Severity, Status, Target
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Nameserver, Resolver
from scanner.probes.base import Probe, ProbeContext
from scanner.scoring.profile import Profile, load_profile

TARGET = Target(name="Example", domains=("example.test",))


@dataclass(frozen=True)
class Seen(Observation):
    kind = "test.seen"
    value: str


class Emitter(Probe):
    name = "emitter"
    description = "emits one observation"
    checks = ("dns.domain.resolves",)

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        return [Seen("hello")]

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return [Finding("dns.domain.resolves", Status.PASS, Severity.INFO, "example.test", "ok")]


class Consumer(Probe):
    name = "consumer"
    description = "reads the emitter's observations"
    consumes = ("emitter",)
    checks = ("dns.mx.unresolvable",)

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        upstream = context.upstream["emitter"].observations_of(Seen)
        return [Seen(f"saw {upstream[0].value}")]

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return []


class Crasher(Probe):
    name = "crasher"
    description = "always crashes"
    checks = ("dns.mx.unresolvable", "dns.ns.unresolvable")

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        raise ZeroDivisionError("deliberate")

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return []


class Sleeper(Probe):
    name = "sleeper"
    description = "never finishes in time"
    checks = ("dns.ns.unresolvable",)
    release = threading.Event()

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        self.release.wait(30)
        return []

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return []


@pytest.fixture()
def context() -> ProbeContext:
    profile = load_profile("default")
    return ProbeContext(
        resolver=Resolver(Nameserver("127.0.10.53")),
        policy=AddressPolicy(),
        profile=profile,
    )


def test_a_crashing_probe_becomes_error_findings_and_the_scan_completes(
    context: ProbeContext,
) -> None:
    result = scan(TARGET, [Emitter(), Crasher()], context)
    crashed = result.probe("crasher")
    assert crashed is not None
    assert crashed.status is AttemptStatus.ERROR
    assert "ZeroDivisionError: deliberate" in crashed.reason
    errors = [f for f in result.findings if f.probe == "crasher"]
    assert {f.check_id for f in errors} == set(Crasher.checks)
    assert all(f.status is Status.ERROR and "deliberate" in f.detail for f in errors)
    emitter = result.probe("emitter")
    assert emitter is not None and emitter.status is AttemptStatus.COMPLETED
    assert [f.status for f in emitter.findings] == [Status.PASS]


def test_a_probe_past_its_timeout_is_not_assessed_and_does_not_hold_the_scan(
    context: ProbeContext,
) -> None:
    fast = ProbeContext(
        resolver=context.resolver,
        policy=context.policy,
        profile=Profile(**{**context.profile.__dict__, "probe_timeout": 0.3}),
    )
    start = time.monotonic()
    try:
        results = run_probes(TARGET, [Sleeper(), Emitter()], fast)
    finally:
        Sleeper.release.set()
    assert time.monotonic() - start < 2
    sleeper, emitter = results
    assert sleeper.status is AttemptStatus.TIMEOUT
    assert sleeper.findings[0].status is Status.NOT_ASSESSED
    assert "did not finish within 0.3 s" in sleeper.findings[0].detail
    assert emitter.status is AttemptStatus.COMPLETED


def test_consumers_run_after_their_producers_and_see_their_observations(
    context: ProbeContext,
) -> None:
    consumer, _emitter = run_probes(TARGET, [Consumer(), Emitter()], context)
    assert consumer.status is AttemptStatus.COMPLETED
    assert consumer.observations == (Seen("saw hello"),)


def test_a_consumer_without_its_producer_is_skipped_with_the_reason(
    context: ProbeContext,
) -> None:
    (consumer,) = run_probes(TARGET, [Consumer()], context)
    assert consumer.status is AttemptStatus.SKIPPED
    assert "emitter" in consumer.reason
    assert consumer.findings[0].status is Status.NOT_ASSESSED


def test_a_consumer_of_a_crashed_producer_still_runs_and_reports(context: ProbeContext) -> None:
    class CrashingEmitter(Crasher):
        name = "emitter"

    consumer, _ = run_probes(TARGET, [Consumer(), CrashingEmitter()], context)
    # The consumer finds no observation to read and crashes itself; that too is an envelope.
    assert consumer.status is AttemptStatus.ERROR
    assert consumer.findings and consumer.findings[0].status is Status.ERROR


def test_probe_findings_are_stamped_with_the_probe_name(context: ProbeContext) -> None:
    (emitter,) = run_probes(TARGET, [Emitter()], context)
    assert emitter.findings[0].probe == "emitter"
    assert emitter.duration_s >= 0


class SlowEmitter(Sleeper):
    """A producer that sleeps; its consumer can only start after it."""

    name = "emitter"
    release = threading.Event()


def test_a_scan_time_budget_bounds_every_probe_and_skips_what_cannot_start(
    context: ProbeContext,
) -> None:
    start = time.monotonic()
    try:
        results = run_probes(TARGET, [SlowEmitter(), Consumer()], context, deadline=start + 0.4)
    finally:
        SlowEmitter.release.set()
    assert time.monotonic() - start < 2  # the profile's probe timeout is far longer
    slow, consumer = results
    assert slow.status is AttemptStatus.TIMEOUT
    assert "time budget" in slow.reason
    assert consumer.status is AttemptStatus.SKIPPED
    assert "time budget was spent" in consumer.reason
    assert all(f.status is Status.NOT_ASSESSED for f in consumer.findings)
