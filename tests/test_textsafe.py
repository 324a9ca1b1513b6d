"""Target text shown on a terminal or a page cannot act: escapes, bells, bidi overrides."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from scanner.textsafe import term, visible

BIDI_AND_INVISIBLE = set("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
BIDI_AND_INVISIBLE |= set("\u2066\u2067\u2068\u2069\u2028\u2029\ufeff")


def _acts(ch: str) -> bool:
    control = unicodedata.category(ch) == "Cc" and ch not in "\n\t"
    return control or ch in BIDI_AND_INVISIBLE


@given(st.text())
def test_nothing_that_acts_survives(text: str) -> None:
    assert not any(_acts(ch) for ch in visible(text))
    assert "\n" not in term(text)
    # and text without such characters is shown exactly as it is
    if not any(_acts(ch) for ch in text) and "\\u" not in text:
        assert visible(text) == text


def test_terminal_escapes_and_bidi_become_visible() -> None:
    evil = "ok\x1b[2J\x1b]0;pwned\x07\u202eevil\r"
    assert visible(evil) == "ok\\u001b[2J\\u001b]0;pwned\\u0007\\u202eevil\\u000d"
    assert visible("Grüße, 東京\tok\n") == "Grüße, 東京\tok\n"
