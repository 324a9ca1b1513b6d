"""What the services probe saw on one address: its open ports as identified, the
dialogues held with them, and the date of the end-of-life table it judges by."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model import Observation
from scanner.observations.ports import PortDialogue, PortResult


@dataclass(frozen=True)
class PortAccess:
    """Whether a Redis or Docker API port handed over data to a stranger: "open"
    (it answered without a password), "protected" (it asked for one), "unknown"
    (no answer vetscan could read; ``said`` gives the reason)."""

    port: int
    service: str  # redis, docker
    outcome: str  # open, protected, unknown
    said: str


@dataclass(frozen=True)
class ServicesObservation(Observation):
    kind = "services.address"
    address: str
    hosts: tuple[str, ...]
    roles: tuple[str, ...]
    expected_ports: tuple[int, ...]
    outcome: str  # scanned, error, refused_by_policy
    reason: str
    ports: tuple[PortResult, ...]
    eol_table_date: str
    # What the mail-access and FTP ports said before TLS (greeting, STARTTLS, login).
    dialogues: tuple[PortDialogue, ...] = ()
    # Ports whose software could not be named, and why (version detection gave up).
    unidentified: tuple[tuple[int, str], ...] = ()
    # What the Redis and Docker API ports answered to vetscan's question; None in
    # scans made before it asked (their access is not assessed).
    access: tuple[PortAccess, ...] | None = None
