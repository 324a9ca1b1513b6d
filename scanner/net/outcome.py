"""Reading DNS lookup outcomes kept as text in observations (JSON), sometimes with a
reason after the word ("timeout: 2.0 s", "servfail (lame)"). Pure and dependency-free, so parsers may use it."""

from __future__ import annotations


def _word(outcome: str) -> str:
    return outcome.replace(":", " ").split(" ", 1)[0]


def answered(outcome: str) -> bool:
    """The lookup answered: the name exists with or without the record, or does not."""
    return _word(outcome) in ("ok", "nxdomain", "nodata")


def no_record(outcome: str) -> bool:
    """The lookup answered that there is no such record (NXDOMAIN or NODATA)."""
    return _word(outcome) in ("nxdomain", "nodata")
