"""Certificate lifetime against the CA/Browser Forum schedule and embedded SCTs against
the CT policies, on hand-built certificates, and the dated thresholds' validation."""

from __future__ import annotations

import dataclasses
import tomllib
from datetime import UTC, date, datetime, timedelta

import pytest
from test_evaluate import cert, chain, endpoint, verdicts

from scanner.model import Status
from scanner.observations.tls import Sct
from scanner.probes.tls.lifecycle import DATA, lifecycle, parse

LOG_A, LOG_B, LOG_C = "a" * 43 + "=", "b" * 43 + "=", "c" * 43 + "="


def _leaf(issued: datetime, days: float, scts: tuple[str, ...] | None = (LOG_A, LOG_B)) -> object:
    return cert(
        not_before=issued,
        not_after=issued + timedelta(days=days),
        scts=None if scts is None else tuple(Sct(log, issued) for log in scts),
    )


def _judged(check_id: str, leaf: object, **changes: object) -> tuple[Status, str]:
    found = verdicts(endpoint(certificate=chain(leaf, **changes)))[check_id]  # type: ignore[arg-type]
    return found.status, found.detail


@pytest.mark.parametrize(
    ("issued", "days", "expected"),
    [
        (datetime(2026, 3, 14, tzinfo=UTC), 398, Status.PASS),  # the day before SC-081's step
        (datetime(2026, 3, 15, tzinfo=UTC), 398, Status.FAIL),
        (datetime(2026, 3, 15, tzinfo=UTC), 200, Status.PASS),
        (datetime(2027, 3, 15, tzinfo=UTC), 101, Status.FAIL),
        (datetime(2029, 3, 15, tzinfo=UTC), 47, Status.PASS),
        (datetime(2029, 3, 15, tzinfo=UTC), 48, Status.FAIL),
        (datetime(2019, 6, 1, tzinfo=UTC), 800, Status.PASS),  # 825 days then
    ],
)
def test_the_lifetime_is_held_to_the_limit_of_its_issue_date(
    issued: datetime, days: int, expected: Status
) -> None:
    status, detail = _judged("tls.cert.lifetime", _leaf(issued, days))
    assert status is expected, detail
    if expected is Status.FAIL:
        assert "longer than the" in detail and "browsers may refuse it" in detail


def test_an_untrusted_certificate_is_not_held_to_public_rules() -> None:
    leaf = _leaf(datetime(2026, 6, 1, tzinfo=UTC), 730, scts=())
    for check in ("tls.cert.lifetime", "tls.cert.transparency"):
        status, detail = _judged(check, leaf, trusted=False, verified_chain=())
        assert status is Status.INFO and detail.startswith("Not applicable"), check


@pytest.mark.parametrize(
    ("days", "logs", "expected"),
    [
        (90, (LOG_A, LOG_B), Status.PASS),
        (90, (LOG_A, LOG_A), Status.WARN),  # two SCTs, one log
        (190, (LOG_A, LOG_B), Status.WARN),  # over 180 days asks for three
        (190, (LOG_A, LOG_B, LOG_C), Status.PASS),
        (90, (), Status.FAIL),
        (90, None, Status.NOT_ASSESSED),  # a scan saved before SCTs were recorded
    ],
)
def test_embedded_scts_are_counted_by_log(
    days: int, logs: tuple[str, ...] | None, expected: Status
) -> None:
    status, detail = _judged(
        "tls.cert.transparency", _leaf(datetime(2026, 1, 5, tzinfo=UTC), days, logs)
    )
    assert status is expected, detail
    if expected is Status.FAIL:
        assert "carries no SCT" in detail


def test_the_shipped_schedule_is_the_ca_browser_forum_one() -> None:
    data = lifecycle()
    assert [(str(limit.since), limit.max_days) for limit in data.limits][-4:] == [
        ("2020-09-01", 398), ("2026-03-15", 200), ("2027-03-15", 100), ("2029-03-15", 47)
    ]  # fmt: skip
    assert data.limit_for(date(2026, 3, 14)).max_days == 398  # type: ignore[union-attr]
    assert data.limit_for(date(2010, 1, 1)) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["lifetime"]["limit"].reverse(),
        lambda d: d["lifetime"]["limit"][0].update(max_days=0),
        lambda d: d["transparency"]["embedded"][0].update(scts=0),
        lambda d: d.pop("transparency"),
    ],
)
def test_a_malformed_schedule_is_refused(change: object) -> None:
    data = tomllib.loads(DATA.read_text("utf-8"))
    change(data)  # type: ignore[operator]
    with pytest.raises(ValueError, match=r"lifecycle\.toml"):
        parse(data)


def test_the_lifetime_counts_the_whole_validity_period() -> None:
    leaf = _leaf(datetime(2026, 4, 1, tzinfo=UTC), 200.5)
    assert dataclasses.asdict(leaf)["scts"]  # type: ignore[call-overload]
    assert _judged("tls.cert.lifetime", leaf)[0] is Status.FAIL
