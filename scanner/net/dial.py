"""The one door out: every connection a scan makes is opened here, or, for a tool
that opens its own sockets (sslyze, dnspython, nmap), its address is approved here
by the adapter that hands it over, under the scan's address policy.

Callers do not have to remember the policy: whatever address they pass, a refused
one raises RefusedByPolicy before a socket exists. RefusedByPolicy is an OSError,
so a caller's ordinary network-error handling turns it into "not assessed" with
the policy's reason, never into a pass. (Only the operator's own destinations
pass elsewhere: the resolver named by --nameserver, alert webhooks and relays,
the history database and the queue's broker. Nothing a target says reaches them.)
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

from scanner.net.connect_errors import no_route_reason
from scanner.net.policy import AddressPolicy, AddressRefused


class RefusedByPolicy(AddressRefused, ConnectionError):
    """A connection the address policy refused; the message is the policy's reason."""


def approve(policy: AddressPolicy, address: str) -> str:
    """``address`` itself when the policy lets it be contacted; RefusedByPolicy if not."""
    reason = policy.refusal(address)
    if reason:
        raise RefusedByPolicy(reason)
    return address


def tcp(
    policy: AddressPolicy,
    address: str,
    port: int,
    timeout: float,
    source: str | None = None,
    watch: Callable[[socket.socket], None] | None = None,
) -> socket.socket:
    """A TCP connection to ``address:port`` (``watch`` sees the socket before it
    connects, so a watchdog can cut a hanging connect short)."""
    approve(policy, address)
    ip = ipaddress.ip_address(address)
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if watch is not None:
            watch(sock)
        sock.settimeout(timeout)
        if source:
            sock.bind((source, 0))
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def route_problem(policy: AddressPolicy, address: str) -> str | None:
    """Why this machine cannot send to ``address`` (no route, or the policy refuses
    it), asked without sending: connecting a UDP socket only looks up the route."""
    refusal = policy.refusal(address)
    if refusal:
        return refusal
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((address, 9))  # discard port; nothing is sent
    except OSError as exc:
        return no_route_reason(exc, address)
    return None


def route_source(address: str) -> str | None:
    """The local address the routing table picks towards ``address`` (an IP
    address), asked without sending as ``route_problem`` does; None without a route."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return None
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((str(ip), 9))  # discard port; nothing is sent
            return str(probe.getsockname()[0])
    except OSError:
        return None
