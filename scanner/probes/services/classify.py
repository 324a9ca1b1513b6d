"""What an open port means: pure rules over nmap's service names and versions."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

# nmap service names (nmap-services / -sV) by exposure class
# FTP has a check of its own (service.cleartext_file_transfer): with AUTH TLS it is fine.
CLEARTEXT = {"telnet", "login", "rlogin", "shell", "rsh", "exec", "rexec"}
REMOTE_DESKTOP = {
    "ms-wbt-server",
    "rdp",
    "vnc",
    "vnc-http",
    "microsoft-ds",
    "netbios-ssn",
    "msrpc",
    "x11",
}
DATABASES = {
    "mysql", "postgresql", "ms-sql-s", "ms-sql-m", "oracle", "oracle-tns", "redis", "mongodb",
    "mongod", "elasticsearch", "wap-wsp", "memcache", "memcached", "couchdb",
}  # fmt: skip
CONTAINER_APIS = {"docker", "docker-swarm", "kubernetes"}
# Ports whose product name says more than nmap's generic guess (Elasticsearch answers as http).
PRODUCT_HINTS = {"elasticsearch": "elasticsearch", "couchdb": "couchdb", "docker": "docker"}


def category(service: str, product: str) -> str | None:
    name = service.lower()
    lowered = product.lower()
    for hint, forced in PRODUCT_HINTS.items():
        if hint in lowered:
            name = forced
    if name in CONTAINER_APIS:
        return "container"
    if name in DATABASES:
        return "database"
    if name in REMOTE_DESKTOP:
        return "remote_desktop"
    if name in CLEARTEXT:
        return "cleartext"
    return None


@dataclass(frozen=True)
class EolRule:
    match: str
    minimum: str
    why: str


@dataclass(frozen=True)
class EolTable:
    date: str
    rules: tuple[EolRule, ...]


@cache
def eol_table() -> EolTable:
    text = resources.files("scanner.probes.services").joinpath("eol.toml").read_text("utf-8")
    data = tomllib.loads(text)
    rules = tuple(EolRule(p["match"], p["minimum"], p["why"]) for p in data["product"])
    return EolTable(str(data["date"]), rules)


def version_tuple(text: str) -> tuple[int, ...] | None:
    """ "8.9p1" -> (8, 9, 1); "5.5.62-log" -> (5, 5, 62); None when there is no number."""
    match = re.match(r"\s*(\d+(?:\.\d+)*)(?:p(\d+))?", text)
    if not match:
        return None
    numbers = [int(n) for n in match.group(1).split(".")]
    if match.group(2):
        numbers.append(int(match.group(2)))
    return tuple(numbers)


def outdated(product: str, version: str, table: EolTable) -> EolRule | None:
    """The rule ``product version`` falls below, or None (also when unknown)."""
    found = version_tuple(version)
    if found is None:
        return None
    for rule in table.rules:
        if product.lower().startswith(rule.match.lower()):
            minimum = version_tuple(rule.minimum)
            assert minimum is not None
            return rule if found < minimum else None
    return None
