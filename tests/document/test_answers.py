"""The provider's answers read from a filled questions CSV (pure): every form a
spreadsheet gives them back in, every mistake refused with its line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.document.answers import Answer, AnswerFileError, answer_states, parse_rows, waivers_of

HEADER = "group,number,provider,run_id,scan_date,check_id,severity,title,due,deadline_days,affected,observed,request,status,response,answered_by,answered_on,expires"


def line(
    check: str, status: str = "", response: str = "", by: str = "", on: str = "", expires: str = ""
) -> str:
    return f"hygiene,1,Acme,r1,2026-12-06,{check},low,T,2027-01-05,30,a.test,seen,ask,{status},{response},{by},{on},{expires}"


def test_answered_rows_are_read_and_unanswered_ones_skipped() -> None:
    text = "\n".join(
        [
            HEADER,
            line("dns.caa.missing", "Fixed", "CAA published", "ops@acme.test", "2026-12-10"),
            line("email.tlsrpt.missing"),  # not answered
            line("web.header.csp_missing", "accepted risk", "legacy app", "CISO", "", "2027-06-30"),
            line("tls.cert.untrusted", "disputed", "our CA is private", "ops"),
        ]
    )
    rows = parse_rows(text)
    assert [(r.line, r.check_id, r.status) for r in rows] == [
        (2, "dns.caa.missing", "fixed"),
        (4, "web.header.csp_missing", "accepted"),
        (5, "tls.cert.untrusted", "disputed"),
    ]
    assert rows[0].answered_on == "2026-12-10" and rows[1].answered_on is None
    assert rows[1].expires == "2027-06-30"


def test_excel_semicolons_a_byte_order_mark_and_crlf_are_read() -> None:
    text = "\ufeff" + "\r\n".join(
        [
            HEADER.replace(",", ";"),
            line("dns.caa.missing", "fixed", "done", "ops").replace(",", ";"),
        ]
    )
    (row,) = parse_rows(text)
    assert (row.check_id, row.status, row.answered_by) == ("dns.caa.missing", "fixed", "ops")


@pytest.mark.parametrize(
    ("row", "said"),
    [
        (line("a.b", "maybe", "x", "ops"), "line 2: status 'maybe' is not one of fixed"),
        (line("a.b", "fixed", "x", ""), "line 2: answered_by is empty"),
        (line("a.b", "disputed", "", "ops"), "line 2: a dispute needs its reason"),
        (line("a.b", "accepted", "ok", "ops"), "line 2: an accepted risk needs expires"),
        (
            line("a.b", "accepted", "ok", "ops", "", "30/06/2027"),
            "line 2: expires '30/06/2027' is not a date",
        ),
        (line("a.b", "fixed", "x" * 2001, "ops"), "line 2: response is longer than 2000"),
    ],
)
def test_a_malformed_row_refuses_the_file_with_its_line(row: str, said: str) -> None:
    with pytest.raises(AnswerFileError, match=said.replace("(", r"\(")):
        parse_rows(f"{HEADER}\n{row}")


def test_a_file_that_is_not_a_questions_csv_is_refused() -> None:
    with pytest.raises(AnswerFileError, match="columns run_id, check_id, status"):
        parse_rows("name,value\nx,1\n")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=400))
def test_any_text_is_read_or_refused_never_crashes(text: str) -> None:
    try:
        parse_rows(f"{HEADER}\n{text}")
    except AnswerFileError:
        pass


def _answer(check: str, status: str, on: str) -> Answer:
    return Answer("Acme", "r1", check, status, "because", "ops", on,
                  "2027-06-30" if status == "accepted" else None, f"{on}T00:00:00", "f.csv")  # fmt: skip


def test_a_claimed_fix_that_still_fails_is_flagged() -> None:
    findings = [
        {"check_id": "dns.caa.missing", "asset": "a.test", "status": "fail", "severity": "low"},
        {
            "check_id": "email.tlsrpt.missing",
            "asset": "a.test",
            "status": "pass",
            "severity": "low",
        },
    ]
    answers = [
        _answer("dns.caa.missing", "fixed", "2026-12-10"),
        _answer("email.tlsrpt.missing", "fixed", "2026-12-10"),
    ]
    answers.append(_answer("untested.transport", "fixed", "2026-12-10"))
    retests = [{"check_id": "untested.transport"}]
    states = {
        s["check_id"]: s for s in answer_states([a.as_dict() for a in answers], findings, retests)
    }
    assert states["untested.transport"]["flag"] == (
        "Claimed fixed by ops on 2026-12-10, but it still could not be tested in this scan."
    )
    assert states["dns.caa.missing"]["flag"] == (
        "Claimed fixed by ops on 2026-12-10, but it still fails in this scan."
    )
    assert (
        states["email.tlsrpt.missing"]["flag"] == ""
        and not states["email.tlsrpt.missing"]["still_failing"]
    )


def test_the_newest_answer_decides_and_an_accepted_risk_is_a_waiver() -> None:
    older = _answer("dns.caa.missing", "accepted", "2026-12-08")
    newer = _answer("dns.caa.missing", "disputed", "2026-12-09")
    assert waivers_of([older, newer]) == []
    waivers = waivers_of([older, _answer("web.sri.missing", "accepted", "2026-12-09")])
    assert {(w.check, w.asset, w.accepted_by) for w in waivers} == {
        ("dns.caa.missing", "*", "ops"),
        ("web.sri.missing", "*", "ops"),
    }
