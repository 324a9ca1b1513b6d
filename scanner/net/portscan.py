"""The nmap adapter (python-nmap): a TCP connect scan, and light version detection.

nmap's command line is built here from validated values only: addresses parsed
by ``ipaddress``, ports and rates as integers. No name a user or DNS supplied
ever reaches it, so nothing can smuggle an option (``-iL``, ``--script``) in.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import nmap

from scanner.concurrency import DaemonPool
from scanner.errors import EnvironmentUnusable
from scanner.net.dial import route_problem
from scanner.net.policy import AddressPolicy
from scanner.observations.ports import PortResult


class PortScanError(EnvironmentUnusable):
    """nmap could not run: missing, or failed; the message is one line."""


@dataclass(frozen=True)
class PortScanReport:
    ports: tuple[PortResult, ...]
    # Addresses nmap did not finish (host timeout, or absent from its output): an
    # empty port list there means "not known", never "nothing open".
    incomplete: dict[str, str]


def nmap_available() -> bool:
    return shutil.which("nmap") is not None


def build_arguments(
    ports: Sequence[int], max_rate: int, host_timeout: float, ipv6: bool, versions: bool = True
) -> str:
    """nmap options from typed values; each is range-checked again here. Without
    ``versions``, a connect scan only (which ports are open, no -sV)."""
    if not ports or not all(isinstance(p, int) and 1 <= p <= 65535 for p in ports):
        raise ValueError("ports must be integers from 1 to 65535")
    if not (isinstance(max_rate, int) and 1 <= max_rate <= 10000):
        raise ValueError("max_rate must be an integer from 1 to 10000")
    if not 0 < host_timeout <= 3600:
        raise ValueError("host_timeout must be between 0 and 3600 seconds")
    detection = ["-sV", "--version-light"] if versions else []
    parts = [
        "-sT",  # TCP connect: no raw packets, no root needed
        # -sV --version-light: the probes most likely to match; bounds time on tarpits
        *detection,
        "-Pn",  # the hosts are known to exist
        "-n",  # never resolve anything
        "--max-retries", "1",
        "--max-rate", str(max_rate),
        "--host-timeout", f"{int(host_timeout * 1000)}ms",
        "-p", ",".join(str(p) for p in sorted(set(ports))),
    ]  # fmt: skip
    if ipv6:
        parts.insert(0, "-6")
    return " ".join(parts)


# nmap's first version probe (NULL) waits up to 6 s for a greeting before it looks at
# its host timeout: on a port that already kept us waiting, with less than this left,
# it would overrun the port's budget and name nothing, so it is not started.
MIN_IDENTIFY_S = 5.0


class PortScanner:
    """nmap opens its own sockets: every address on its command line passes ``policy``
    here first (net/dial.py); a refused one is reported, never scanned."""

    def __init__(
        self, ports: Sequence[int], max_rate: int, host_timeout: float, *, policy: AddressPolicy
    ) -> None:
        self.policy = policy
        self.ports = tuple(ports)
        self.max_rate = max_rate
        self.host_timeout = host_timeout

    def connect_scan(self, addresses: Sequence[str]) -> PortScanReport:
        """Which of the profile's ports are open (nmap -sT); services named from nmap's
        port table only. Fast: no service waits for its version probes."""
        return self.scan(addresses, versions=False)

    def identify(
        self, address: str, port: PortResult, spent: float = 0.0, limit: float | None = None
    ) -> tuple[PortResult, str]:
        """nmap's version detection on one open port, bounded by the host timeout less
        the ``spent`` seconds the port already had (vetscan's own attempt to name it),
        and by ``limit`` (what the caller's own deadline leaves): a port that never
        answers costs that timeout once and keeps what the connect scan saw. Returns
        the port and a note ("" when nmap finished)."""
        ip = ipaddress.ip_address(address)  # ValueError on anything but an address
        if not 1 <= port.port <= 65535:
            raise ValueError("port out of range")
        if refusal := self.policy.refusal(str(ip)):
            return port, refusal
        budget = self.host_timeout - max(0.0, spent)
        silent = f"no answer naming the service within {self.host_timeout:g} s"
        if limit is not None and limit < budget:
            budget = limit
            silent = f"not identified within the {limit:.0f} s the probe had left for it"
        if budget <= 0 or budget < min(MIN_IDENTIFY_S, self.host_timeout - 1):
            return port, silent
        try:
            report = self._scan([str(ip)], ip.version == 6, True, (port.port,), budget)
        except PortScanError as exc:
            return port, f"version detection: {exc}"
        if report.incomplete:
            return port, silent
        found = [p for p in report.ports if p.port == port.port and p.state == "open"]
        if not found:
            return port, "version detection saw the port closed"
        return found[0], ""

    def scan(self, addresses: Sequence[str], versions: bool = True) -> PortScanReport:
        if not nmap_available():
            raise PortScanError("nmap not installed (apt-get install nmap)")
        ips = [ipaddress.ip_address(a) for a in addresses]  # ValueError on anything else
        # An address this machine has no route to (IPv6 on an IPv4-only network) is a
        # limit of the scanner: said so, and kept away from nmap, which would only
        # report it "down". So is an address the policy refuses.
        unroutable = {str(ip): why for ip in ips if (why := route_problem(self.policy, str(ip)))}
        ips = [ip for ip in ips if str(ip) not in unroutable]
        groups = [[str(ip) for ip in ips if ip.version == v] for v in (4, 6)]
        jobs = [
            (group, version == 6) for version, group in zip((4, 6), groups, strict=True) if group
        ]
        # IPv4 and IPv6 need separate nmap runs; run them side by side.
        with DaemonPool(2, name="nmap") as pool:
            reports = list(pool.map(lambda job: self._scan(*job, versions=versions), jobs))
        return PortScanReport(
            tuple(p for r in reports for p in r.ports),
            {**unroutable, **{a: why for r in reports for a, why in r.incomplete.items()}},
        )

    def _scan(
        self,
        addresses: list[str],
        ipv6: bool,
        versions: bool = True,
        only: Sequence[int] | None = None,
        host_timeout: float | None = None,
    ) -> PortScanReport:
        """One nmap run over ``addresses``: the profile's ports and host timeout, or
        ``only`` these ports within ``host_timeout``."""
        timeout = self.host_timeout if host_timeout is None else host_timeout
        arguments = build_arguments(
            self.ports if only is None else only, self.max_rate, timeout, ipv6, versions
        )
        scanner = nmap.PortScanner()
        try:
            # A wall-clock bound on the nmap process on top of its own host timeout.
            raw = scanner.scan(
                hosts=" ".join(addresses), arguments=arguments, timeout=int(timeout * 2 + 30)
            )
        except nmap.PortScannerTimeout:
            raise PortScanError("nmap did not finish in time") from None
        except nmap.PortScannerError as exc:
            raise PortScanError(f"nmap failed: {str(exc).strip().splitlines()[0][:200]}") from None
        xml = scanner.get_nmap_last_output()
        incomplete = _timed_out(xml, timeout)
        for address in addresses:
            if address not in raw.get("scan", {}):
                incomplete.setdefault(address, "nmap returned no result for this address")
        tunnels = _tunnels(xml)
        ports = tuple(
            dataclasses.replace(p, tunnel=tunnels.get((p.address, p.port), ""))
            for p in _convert(raw)
            if p.address not in incomplete
        )
        return PortScanReport(ports, incomplete)


def _timed_out(xml: str | bytes, host_timeout: float) -> dict[str, str]:
    """Addresses of <host timedout="true"> in nmap's XML (python-nmap drops that flag)."""
    try:
        # nmap wrote this XML (banners inside are escaped by it); python-nmap parses the same text.
        root = ElementTree.fromstring(xml)  # noqa: S314
    except ElementTree.ParseError:
        return {}
    out = {}
    for host in root.iter("host"):
        if host.get("timedout") == "true":
            for address in host.iter("address"):
                out[str(address.get("addr"))] = f"nmap's host timeout ({host_timeout:g} s) expired"
    return out


def _tunnels(xml: str | bytes) -> dict[tuple[str, int], str]:
    """(address, port) -> the tunnel nmap saw ("ssl"); python-nmap drops the attribute."""
    try:
        root = ElementTree.fromstring(xml)  # noqa: S314 - nmap's own XML, as above
    except ElementTree.ParseError:
        return {}
    out = {}
    for host in root.iter("host"):
        addresses = [str(a.get("addr")) for a in host.iter("address")]
        for port in host.iter("port"):
            service = port.find("service")
            tunnel = service.get("tunnel", "") if service is not None else ""
            if tunnel and addresses and str(port.get("portid", "")).isdigit():
                out[(addresses[0], int(str(port.get("portid"))))] = tunnel
    return out


def _convert(raw: dict[str, Any]) -> list[PortResult]:
    out = []
    for address, host in raw.get("scan", {}).items():
        for port, info in host.get("tcp", {}).items():
            out.append(
                PortResult(
                    address=address,
                    port=int(port),
                    state=str(info.get("state", "")),
                    service=str(info.get("name", "")),
                    product=str(info.get("product", "")),
                    version=str(info.get("version", "")),
                    extrainfo=str(info.get("extrainfo", "")),
                    cpe=str(info.get("cpe", "")),
                )
            )
    return out
