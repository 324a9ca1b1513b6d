"""What the look-alike probe saw of one provider domain: how many look-alikes were
made and looked up, and each registered one with its addresses, mail servers, name
servers and certificates in CT."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model import Observation


@dataclass(frozen=True)
class Lookalike:
    name: str
    fuzzer: str  # dnstwist's name for how it was made ("transposition", ...)
    addresses: tuple[str, ...] = ()
    mx: tuple[str, ...] = ()  # mail hosts (a null MX, "0 .", is none)
    ns: tuple[str, ...] = ()
    # Certificates CT lists for it (or names under it); None: not looked up (why).
    certificates: int | None = None
    ct_reason: str = ""
    # Why it looks like the provider's own (same name servers or mail hosts), or "".
    own: str = ""


@dataclass(frozen=True)
class LookalikeObservation(Observation):
    kind = "dns.lookalikes"
    domain: str
    outcome: str  # "checked", "partly checked" (count or time bound), "error"
    reason: str  # for "partly checked" and "error"
    generated: int  # look-alikes dnstwist made
    checked: int  # looked up with a conclusive answer
    unanswered: int  # looked up, no conclusive answer (timeout, SERVFAIL, refused)
    registered: tuple[Lookalike, ...] = ()
    considered: int = 0  # the most plausible ones taken (max_candidates)
    late: int = 0  # taken but not looked up before the time budget ran out
