"""What changed between two scans: on literal documents, and on two real lab scans."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from support.labscan import scan_lab_provider

from scanner.document.build import build_document
from scanner.document.changes import diff, fingerprint, is_empty, regressions_since
from scanner.lab.providers import EXEMPLARY
from scanner.model import ScanResult
from scanner.net.resolver import Resolver
from scanner.scoring.profile import load_profile


def _finding(status: str = "pass", **evidence: Any) -> dict[str, Any]:
    return {
        "check_id": "tls.cert.expiring_soon",
        "status": status,
        "severity": "medium",
        "asset": "a.test:443",
        "detail": "text with a day count that changes daily",
        "evidence": {"sha256": "aa", "not_after": "2027-01-01", **evidence},
        "probe": "tls",
    }


def _doc(*findings: dict[str, Any], observations: list[Any] | None = None) -> dict[str, Any]:
    return {
        "scan": {"run_id": "r", "started": "2026-11-29T00:00:00+00:00"},
        "scores": {"grade": "A", "overall": 91.0, "pitfalls": {"transport": {"score": 91.0}}},
        "findings": list(findings),
        "observations": observations or [],
    }


def test_a_daily_countdown_is_no_change() -> None:
    change = diff(_doc(_finding(days_left=40)), _doc(_finding(days_left=39)))
    assert is_empty(change)
    assert fingerprint(_finding(days_left=40)) == fingerprint(_finding(days_left=39))


def test_crossing_a_threshold_is_a_new_problem() -> None:
    change = diff(_doc(_finding(days_left=31)), _doc(_finding("warn", days_left=29)))
    assert [(f["from_status"], f["to_status"]) for f in change["new"]] == [("pass", "warn")]


def test_a_renewed_certificate_is_a_change_with_the_same_verdict() -> None:
    change = diff(_doc(_finding()), _doc(_finding(sha256="bb", not_after="2027-03-01")))
    assert len(change["changed"]) == 1 and not change["new"]


def test_resolved_and_no_longer_assessed_are_told_apart() -> None:
    failing = _finding("fail")
    assert len(diff(_doc(failing), _doc(_finding("pass")))["resolved"]) == 1
    gone = diff(_doc(failing), _doc(_finding("not_assessed")))
    assert len(gone["no_longer_assessed"]) == 1 and not gone["resolved"]
    assert len(diff(_doc(failing), _doc())["no_longer_assessed"]) == 1


def _ports(address: str, *ports: int, outcome: str = "scanned") -> dict[str, Any]:
    return {
        "kind": "services.address",
        "address": address,
        "outcome": outcome,
        "ports": [{"port": p, "state": "open", "service": "x"} for p in ports],
    }


def test_ports_opened_and_closed_only_where_scanned_both_times() -> None:
    before = _doc(observations=[_ports("10.0.0.1", 443, 22), _ports("10.0.0.2", 25)])
    after = _doc(
        observations=[_ports("10.0.0.1", 443, 3306), _ports("10.0.0.2", outcome="timeout")]
    )
    change = diff(before, after)
    assert [p["port"] for p in change["ports_opened"]] == [3306]
    assert [(p["address"], p["port"]) for p in change["ports_closed"]] == [("10.0.0.1", 22)]


def test_an_address_not_scanned_last_time_opens_no_port() -> None:
    # The old run's port scan timed out: what is open now was not "opened".
    before = _doc(observations=[_ports("10.0.0.1", outcome="timeout")])
    after = _doc(observations=[_ports("10.0.0.1", 443, 3306)])
    assert diff(before, after)["ports_opened"] == []


def _exposed(status: str) -> dict[str, Any]:
    return {
        "check_id": "service.database_exposed",
        "status": status,
        "severity": "critical",
        "asset": "10.0.0.1:3306",
        "detail": "d",
        "evidence": {},
        "probe": "services",
    }


def test_a_check_not_assessed_last_time_yields_no_new_finding() -> None:
    before = _doc(_exposed("not_assessed"))
    after = _doc(_exposed("fail"))
    change = diff(before, after)
    assert change["new"] == [] and len(change["newly_assessed"]) == 1
    assert regressions_since(before, after, lambda _s: True) == []
    # Assessed both times, it is new (and a regression).
    assert len(diff(_doc(_exposed("pass")), after)["new"]) == 1
    assert len(regressions_since(_doc(_exposed("pass")), after, lambda _s: True)) == 1


def test_a_first_run_is_a_baseline_not_a_regression() -> None:
    assert regressions_since(None, _doc(_exposed("fail")), lambda _s: True) == []


def test_a_diff_notes_a_profile_change() -> None:
    before, after = _doc(_finding()), _doc(_finding())
    before["scan"]["profile"], after["scan"]["profile"] = "default", "strict"
    change = diff(before, after)
    assert change["profile_changed"] == {"from": "default", "to": "strict"}
    assert not is_empty(change)
    after["scan"]["profile"] = "default"
    assert diff(before, after)["profile_changed"] is None


def test_changed_records_name_what_was_added_and_removed() -> None:
    spf = {"kind": "email.spf", "domain": "a.test", "records": ["v=spf1 -all"]}
    loose = {**spf, "records": ["v=spf1 ~all"]}
    change = diff(_doc(observations=[spf]), _doc(observations=[loose]))
    assert change["records"] == [
        {"record": "a.test SPF", "removed": ["v=spf1 -all"], "added": ["v=spf1 ~all"]}
    ]


@pytest.mark.lab
def test_two_scans_of_an_unchanged_provider_show_no_change(
    lab: Path, lab_resolver: Resolver, default_scans: dict[str, ScanResult]
) -> None:
    again = scan_lab_provider(lab, lab_resolver, load_profile("default"), EXEMPLARY)
    first = build_document(default_scans[EXEMPLARY.key])
    second = build_document(again, previous=first)
    assert second["changes"] is not None
    assert is_empty(second["changes"]), second["changes"]
    # and the same provider with one certificate swapped is a change
    renewed = copy.deepcopy(first)
    for o in renewed["observations"]:
        if o["kind"] == "tls.endpoint" and o["certificate"]:
            o["certificate"]["received_chain"][0]["sha256"] = "f" * 64
            break
    assert diff(first, renewed)["certificates"]
