"""Reading DNS lookup outcomes given as text: the SPF and DMARC walks receive each TXT
answer in words ("timeout: 2.0 s"), which they quote in what they could not follow,
and the JSON of a document holds the outcome's word. Observations keep the outcome
typed (scanner.observations.dns.DnsOutcome). Pure and dependency-free, so parsers may
use it."""

from __future__ import annotations


def _word(outcome: str) -> str:
    return outcome.replace(":", " ").split(" ", 1)[0]


def answered(outcome: str) -> bool:
    """The lookup answered: the name exists with or without the record, or does not."""
    return _word(outcome) in ("ok", "nxdomain", "nodata")


def no_record(outcome: str) -> bool:
    """The lookup answered that there is no such record (NXDOMAIN or NODATA)."""
    return _word(outcome) in ("nxdomain", "nodata")
