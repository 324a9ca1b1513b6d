"""Gathering for the services probe: naming what silent ports run, by the service's
own greeting or answer where vetscan speaks it, else by nmap's version detection,
within the probe's share of the time budget."""

from __future__ import annotations

import dataclasses
import time

from scanner.net.exchange import exchange
from scanner.net.nameservers import server_version
from scanner.net.portscan import MIN_IDENTIFY_S
from scanner.net.reachability import tls_first_line
from scanner.observations.ports import OpenPorts, PortResult
from scanner.observations.tls_services import tls_service
from scanner.probes.base import ProbeContext
from scanner.probes.services.identify import (
    DOCKER_REQUEST,
    REDIS_REQUEST,
    Answered,
    Identity,
    dns_identity,
    docker_answer,
    greeting_complete,
    greeting_identity,
    http_identity,
    line_complete,
    redis_answer,
    redis_complete,
    telnet_identity,
    vnc_identity,
)
from scanner.probes.services.observations import PortAccess

# Ports whose service vetscan names itself (nmap would wait seconds on each, since
# a web server says nothing until asked): plain HTTP, and HTTPS or mail inside TLS.
_HTTP_NAMES = {"http", "http-alt", "http-proxy"}
_TLS_GREETING = {"imaps", "pop3s", "submissions"}
IDENTIFY_WORKERS = 8
# Share of the probe's timeout the identification may use: the rest is kept for
# judging, so a host whose every port is slow (a tarpit, a port-spoofing firewall)
# ends with the ports it found and notes, never as a probe timeout that drops them.
IDENTIFY_SHARE = 0.85
NMAP_OVERRUN_S = 6.0  # the longest wait of one nmap version probe (the NULL probe's)
# How long a VNC or telnet server gets to greet: both speak at once when they do.
GREETING_WAIT_S = 2.0
# Services vetscan asks itself (nmap's port-table name -> how): the Redis and Docker
# answers also tell whether they hand out data without a password.
_ASKED = {"redis": "redis", "docker": "docker", "vnc": "vnc", "telnet": "telnet"}


def identify(
    obs: OpenPorts, port: PortResult, context: ProbeContext, deadline: float
) -> tuple[PortResult, str, PortAccess | None]:
    """What one open port runs: named by vetscan from what it says (an HTTP Server
    header, a mail or FTP greeting, version.bind, Redis INFO, the Docker API's
    /version, a VNC or telnet greeting), otherwise by nmap's version detection on
    that port alone; never past ``deadline``. For Redis and Docker, also whether
    they answered without a password."""
    out_of_time = "not identified: the probe's time ran out with many slow ports before this one"
    started = time.monotonic()
    if deadline - started < context.timeout:
        return port, out_of_time, _untried(port)
    access = None
    if port.service in _ASKED:
        asked, access = _ask(obs, port, context)
        if asked is not None:
            return asked, "", access
    own = _own_identity(obs, port, context)
    if own is not None:
        return own, "", access
    if context.ports is None:
        return port, "no port scanner in the probe context", access
    now = time.monotonic()
    # nmap looks at its host timeout only between version probes, so a run may end
    # up to one probe's wait after it: kept clear of the deadline.
    left = deadline - now - NMAP_OVERRUN_S
    if left < MIN_IDENTIFY_S:
        return port, out_of_time, access
    # One budget per port: a tarpit that held our own request costs the host timeout
    # once, not our timeout and then nmap's; and no run may outlast the deadline.
    named, note = context.ports.identify(obs.address, port, spent=now - started, limit=left)
    return named, note, access


def _untried(port: PortResult) -> PortAccess | None:
    if port.service in ("redis", "docker"):
        return PortAccess(port.port, port.service, "unknown", "the probe's time ran out first")
    return None


def _ask(
    obs: OpenPorts, port: PortResult, context: ProbeContext
) -> tuple[PortResult | None, PortAccess | None]:
    """A Redis, Docker API, VNC or telnet port named from the answer to one question
    (or its greeting); (None, ...) when it does not answer as one, for nmap to name."""
    how = _ASKED[port.service]
    timeout = context.timeout
    identity: Identity | None = None
    answered: Answered | None = None
    if how == "redis":
        said = exchange(
            obs.address, port.port, timeout, policy=context.policy, request=REDIS_REQUEST,
            complete=redis_complete,
        )  # fmt: skip
        answered = redis_answer(said.reply) if said.ok else None
    elif how == "docker":
        request = DOCKER_REQUEST % _web_host(obs).encode("idna")
        said = exchange(obs.address, port.port, timeout, policy=context.policy, request=request)
        answered = docker_answer(said.reply) if said.ok else None
    else:
        said = exchange(
            obs.address, port.port, min(timeout, GREETING_WAIT_S), policy=context.policy,
            complete=line_complete if how == "vnc" else greeting_complete,
        )  # fmt: skip
        if said.ok:
            identity = vnc_identity(said.reply) if how == "vnc" else telnet_identity(said.reply)
    access = None
    if answered is not None:
        identity = answered.identity
        if answered.access:
            access = PortAccess(port.port, how, answered.access, answered.said)
    elif how in ("redis", "docker"):
        why = said.reason or "it did not answer as one"
        access = PortAccess(port.port, how, "unknown", f"not recognised: {why}"[:200])
    if identity is None:
        return None, access
    named = dataclasses.replace(
        port,
        service=identity.service,
        product=identity.product,
        version=identity.version,
        extrainfo=identity.extrainfo,
    )
    return named, access


def _own_identity(obs: OpenPorts, port: PortResult, context: ProbeContext) -> PortResult | None:
    known = tls_service(port.port, port.service, port.tunnel)
    host = _web_host(obs)
    identity = None
    if context.http is not None and (known is None or not known.starttls):
        if known is not None and known.service == "https":
            answer = context.http.get(host, obs.address, "/", "https", port.port, verify=False)
            if answer.status is not None:
                identity = http_identity(answer.header("Server"), tls=True)
        elif known is None and port.service in _HTTP_NAMES:
            answer = context.http.get(host, obs.address, "/", "http", port.port)
            if answer.status is not None:
                identity = http_identity(answer.header("Server"), tls=False)
    if known is not None and known.service in _TLS_GREETING:
        greeting = tls_first_line(
            obs.address, port.port, host, context.timeout, policy=context.policy
        )
        if greeting is not None:
            identity = greeting_identity(known.service, greeting)
    if port.port == 53 or port.service == "domain":
        answered, text = server_version(
            obs.address, port.port, context.timeout, policy=context.policy
        )
        if answered:
            identity = dns_identity(text)
    said = next((d.dialogue for d in obs.dialogues if d.port == port.port), None)
    if said is not None and said.ok and said.greeting:
        # The dialogue's greeting names the product as nmap's NULL probe would; when it
        # names none, nmap gets its turn.
        named = greeting_identity(said.protocol, said.greeting, tls=False)
        # nmap calls a submission port's service "smtp"; so do we.
        service = "smtp" if said.protocol == "submission" else said.protocol
        identity = dataclasses.replace(named, service=service) if named.product else None
    if identity is None:
        return None
    return dataclasses.replace(
        port,
        service=identity.service,
        product=identity.product,
        version=identity.version,
        extrainfo=identity.extrainfo,
        tunnel=identity.tunnel,
    )


def _web_host(obs: OpenPorts) -> str:
    """The name to ask for (Host header, SNI): the address's first name, else itself."""
    return obs.hosts[0] if obs.hosts else obs.address
