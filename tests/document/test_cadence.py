"""Time to fix (#27 item 8) on literal documents: episodes open at a failure, close at
the first run that finds them fixed, and a run that could not look closes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from scanner.document.cadence import carry, duration, host_of
from scanner.document.changes import diff

START = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
CHECKS = {
    "service.database_exposed": {"pitfall": "exposure", "title": "Database exposed"},
    "service.outdated_version": {"pitfall": "hygiene", "title": "Outdated software"},
    "web.header.csp_missing": {"pitfall": "web", "title": "Content Security Policy"},
}


def f(check: str, asset: str, status: str, severity: str = "high", **more: Any) -> dict[str, Any]:
    return {
        "check_id": check,
        "asset": asset,
        "status": status,
        "severity": severity,
        "detail": "",
        "evidence": {},
        **more,
    }


def run(
    day: int, *findings: dict[str, Any], previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "scan": {"run_id": f"run-{day}", "started": (START + timedelta(days=day)).isoformat()},
        "findings": list(findings),
        "checks": CHECKS,
        "scores": None,
        "observations": [],
    }
    doc["cadence"] = carry(previous, doc)
    return doc


DB = "service.database_exposed"
OLD = "service.outdated_version"
CSP = "web.header.csp_missing"


def test_a_first_run_needs_a_second_and_its_failures_may_be_older() -> None:
    first = run(0, f(DB, "192.0.2.1:6379", "fail"), f(CSP, "example.test", "pass"))
    ledger = first["cadence"]
    assert ledger["runs"] == 1
    (episode,) = ledger["open"]
    assert episode["asset"] == "192.0.2.1:6379" and episode["before_history"]
    assert ledger["overall"]["fixed"] == 0 and ledger["overall"]["median_seconds"] is None


def test_a_failure_fixed_on_its_asset_counts_from_first_seen_to_found_fixed() -> None:
    one = run(0, f(CSP, "example.test", "pass"))
    two = run(3, f(CSP, "example.test", "fail"), previous=one)
    three = run(10, f(CSP, "example.test", "fail"), previous=two)
    four = run(17, f(CSP, "example.test", "pass"), previous=three)
    ledger = four["cadence"]
    assert ledger["runs"] == 4
    (fixed,) = ledger["fixed"]
    assert fixed["seconds"] == 14 * 86400 and not fixed["before_history"]
    assert fixed["fixed_run"] == "run-17" and fixed["opened_run"] == "run-3"
    web = ledger["areas"]["web"]
    assert (web["fixed"], web["median_seconds"], web["worst_seconds"], web["open"]) == (
        1,
        14 * 86400,
        14 * 86400,
        0,
    )


def test_a_closed_port_is_fixed_when_its_host_passes_the_check() -> None:
    one = run(0, f(DB, "192.0.2.1:6379", "fail"), f(DB, "192.0.2.2", "pass"))
    two = run(2, f(DB, "192.0.2.1", "pass"), f(DB, "192.0.2.2", "pass"), previous=one)
    (fixed,) = two["cadence"]["fixed"]
    assert fixed["asset"] == "192.0.2.1:6379" and fixed["seconds"] == 2 * 86400
    assert fixed["before_history"] and two["cadence"]["overall"]["worst_at_least"]
    # What changed says the same: resolved, not "no longer assessed".
    change = diff(one, two)
    assert [c["asset"] for c in change["resolved"]] == ["192.0.2.1:6379"]
    assert change["no_longer_assessed"] == []


def test_a_run_that_could_not_look_closes_nothing() -> None:
    one = run(0, f(DB, "192.0.2.1:6379", "fail"))
    gone = run(1, f(DB, "192.0.2.9", "pass"), previous=one)  # the host was not scanned
    blind = run(2, f(DB, "192.0.2.1", "not_assessed"), previous=gone)
    for doc in (gone, blind):
        ledger = doc["cadence"]
        assert ledger["fixed"] == []
        assert [e["asset"] for e in ledger["open"] if e["seen"] != ledger["measured_at"]] == [
            "192.0.2.1:6379"
        ]
        assert ledger["overall"]["unseen"] == 1 and ledger["overall"]["open"] == 0
    # Its host assessed again, the port gone while another fails: that port is fixed.
    other_port = run(3, f(DB, "192.0.2.1:3306", "fail"), previous=blind)
    assert [(e["asset"], e["seconds"] // 86400) for e in other_port["cadence"]["fixed"]] == [
        ("192.0.2.1:6379", 3)
    ]
    fixed = run(8, f(DB, "192.0.2.1", "pass"), previous=other_port)
    assert [(e["asset"], e["seconds"] // 86400) for e in fixed["cadence"]["fixed"]][-1] == (
        "192.0.2.1:3306",
        5,
    )


def test_an_asset_named_with_its_address_is_the_same_asset() -> None:
    # A second address appears: "mx1.example.test:25" is now named with each address.
    one = run(0, f(DB, "mx1.example.test:25", "fail"))
    two = run(1, f(DB, "mx1.example.test:25 [192.0.2.1]", "fail"), previous=one)
    ledger = two["cadence"]
    assert ledger["fixed"] == []
    assert [e["asset"] for e in ledger["open"] if e["seen"] == ledger["measured_at"]] == [
        "mx1.example.test:25"
    ]
    assert diff(one, two)["resolved"] == []


def test_a_warning_or_an_accepted_risk_is_not_a_fix() -> None:
    waiver = {"active": True, "reason": "legacy client", "expires": "2027-01-01"}
    one = run(0, f(OLD, "192.0.2.1:21", "fail"), f(CSP, "example.test", "fail"))
    two = run(
        1,
        f(OLD, "192.0.2.1:21", "warn"),
        f(CSP, "example.test", "fail", waiver=waiver),
        previous=one,
    )
    ledger = two["cadence"]
    assert ledger["fixed"] == []
    assert {(e["check_id"], e["status"]) for e in ledger["open"]} == {
        (OLD, "warn"),
        (CSP, "accepted"),
    }
    # A warning alone opens nothing: it is advice, not a weakness to fix.
    assert run(0, f(OLD, "192.0.2.1:21", "warn"))["cadence"]["open"] == []


def test_a_failure_back_after_a_fix_is_a_new_episode_marked_reopened() -> None:
    one = run(0, f(CSP, "example.test", "fail"))
    two = run(1, f(CSP, "example.test", "pass"), previous=one)
    three = run(4, f(CSP, "example.test", "fail"), previous=two)
    ledger = three["cadence"]
    (episode,) = ledger["open"]
    assert episode["reopened"] and not episode["before_history"]
    assert ledger["overall"]["reopened"] == 1 and ledger["overall"]["open"] == 1
    assert ledger["overall"]["oldest_open_seconds"] == 0


def test_a_previous_run_stored_before_the_ledger_is_its_first_run() -> None:
    old = run(0, f(DB, "192.0.2.1:6379", "fail"))
    del old["cadence"]
    new = run(5, f(DB, "192.0.2.1:6379", "pass"), previous=old)
    assert new["cadence"]["runs"] == 2
    assert new["cadence"]["fixed"][0]["seconds"] == 5 * 86400


def test_assets_name_their_hosts() -> None:
    assert host_of("mx1.example.test:25 [192.0.2.1]") == "mx1.example.test"
    assert host_of("mx1.example.test:25") == "mx1.example.test"
    assert host_of("[2001:db8::1]:25") == "2001:db8::1"
    assert host_of("2001:db8::1") == "2001:db8::1"
    assert host_of("example.test") == "example.test"


def test_durations_read_in_words() -> None:
    assert duration(None) == "-"
    assert duration(0) == "0 seconds" and duration(20) == "20 seconds"
    assert duration(60) == "1 minute"
    assert duration(5400) == "1.5 hours"
    assert duration(14 * 86400) == "14 days"


STATUSES = st.sampled_from(["fail", "warn", "pass", "not_assessed", None])


@given(st.lists(st.tuples(STATUSES, st.integers(min_value=0, max_value=30)), max_size=12))
def test_every_failure_is_either_open_or_fixed_once(steps: list[tuple[str | None, int]]) -> None:
    doc: dict[str, Any] | None = None
    day = 0
    episodes = 0
    opened = False
    for status, gap in steps:
        day += gap
        findings = [] if status is None else [f(CSP, "example.test", status)]
        doc = run(day, *findings, previous=doc)
        if status == "fail" and not opened:
            episodes, opened = episodes + 1, True
        elif status == "pass":
            opened = False
    if doc is None:
        return
    ledger = doc["cadence"]
    assert len(ledger["fixed"]) + len(ledger["open"]) == episodes
    assert len(ledger["open"]) == (1 if opened else 0)
    assert all(e["seconds"] >= 0 for e in ledger["fixed"])
    assert ledger["overall"]["fixed"] == len(ledger["fixed"])
