"""The lab's open resolver: Debian's unbound on loopback, recursing for anyone.

A provider lists it as one of its name servers (a mistake seen in the wild: the
office resolver put into the delegation), so it is both lame for the zone and an
open resolver. It resolves only through the lab's Knot (stub zones), so it never
sends a query off the machine.
"""

from __future__ import annotations

from pathlib import Path

from scanner.lab.providers import DNS_ADDRESSES, OPEN_RESOLVER_ADDRESS


def config(directory: Path) -> str:
    knot = DNS_ADDRESSES[0]
    return f"""server:
    interface: {OPEN_RESOLVER_ADDRESS}
    port: 53
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "{directory}"
    pidfile: "{directory}/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 0
    # Anyone may ask: that is the point of this server.
    access-control: 0.0.0.0/0 allow
    access-control: ::/0 allow
    do-not-query-localhost: no
    module-config: "iterator"
    # test. is special-use (RFC 6761); unbound answers it locally unless told not to.
    local-zone: "test." nodefault
    do-ip6: no

# Every name is resolved through the lab's Knot: nothing leaves loopback.
stub-zone:
    name: "."
    stub-addr: {knot}
stub-zone:
    name: "test."
    stub-addr: {knot}

remote-control:
    control-enable: no
"""


def write(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "unbound.conf"
    path.write_text(config(directory), "utf-8")
    return path
