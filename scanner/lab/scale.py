"""Many generated providers for the portfolio benchmark: one Knot, one nginx, N vendors.

``python -m scanner.lab.scale up N`` serves ``v1.scale.test`` ... ``vN.scale.test``
(each with its own loopback address from 127.0.20.1 on, a web site with a lab
certificate, SPF, DMARC and CAA) from a name server on 127.0.13.53, and writes
a portfolio file listing them. It runs beside the ordinary lab, in its own folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from scanner.lab import dns, manager, pki, web
from scanner.lab.pki import CertSpec
from scanner.lab.providers import LabProvider, WebSite

NAMESERVER_ADDRESS = "127.0.13.53"
NAMESERVER = f"{NAMESERVER_ADDRESS}:53"
MAX_VENDORS = 1000


def address(index: int) -> str:
    """127.0.20.1 for vendor 1, then on through 127.0.20.250, 127.0.21.1, ..."""
    return f"127.0.{20 + (index - 1) // 250}.{1 + (index - 1) % 250}"


def providers(count: int) -> tuple[LabProvider, ...]:
    if not 1 <= count <= MAX_VENDORS:
        raise ValueError(f"between 1 and {MAX_VENDORS} vendors")
    out = []
    for i in range(1, count + 1):
        domain = f"v{i}.scale.test"
        ip = address(i)
        out.append(
            LabProvider(
                key=f"scale{i}",
                name=f"Scale Vendor {i}",
                domain=domain,
                signed=None,
                records=(
                    ("@", "NS", "ns1"),
                    ("ns1", "A", NAMESERVER_ADDRESS),
                    ("@", "A", ip),
                    ("www", "A", ip),
                    ("@", "MX", "10 mail"),
                    ("mail", "A", ip),
                    ("@", "TXT", '"v=spf1 a mx -all"'),
                    ("_dmarc", "TXT", f'"v=DMARC1; p=reject; rua=mailto:dmarc@{domain}"'),
                    ("@", "CAA", '0 issue "letsencrypt.org"'),
                ),
                sites=(
                    WebSite(
                        address=ip,
                        names=(domain, f"www.{domain}"),
                        cert=CertSpec((domain, f"www.{domain}")),
                        headers=(("Strict-Transport-Security", "max-age=31536000"),),
                    ),
                ),
            )
        )
    return tuple(out)


def portfolio_text(count: int) -> str:
    return "".join(
        f'[[vendor]]\nname = "{p.name}"\ndomains = ["{p.domain}"]\n\n' for p in providers(count)
    )


def up(count: int, root: Path) -> Path:
    """Starts Knot and nginx for ``count`` vendors under ``root``; returns the portfolio file."""
    down(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "pids").mkdir(exist_ok=True)
    lab_dir = manager.default_dir()
    pki.ensure_ca(lab_dir / "ca")
    vendors = providers(count)
    conf = dns.write(root / "dns", vendors, None, (NAMESERVER_ADDRESS,))
    nginx = web.write(
        root / "web", lab_dir / "ca", vendors, worker_connections=4096, publish_issuer=False
    )
    env = {**os.environ, "PATH": manager.search_path()}
    commands = {
        "dns": ["knotd", "-c", str(conf)],
        "web": ["nginx", "-c", str(nginx), "-e", str(root / "web" / "logs" / "error.log")],
    }
    for name, command in commands.items():
        with (root / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                command,
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=env,
                cwd=root,
            )
        (root / "pids" / f"{name}.pid").write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + 60
    last = address(count)
    while not (manager.tcp_open(last, 443) and _dns_answers()):
        if time.monotonic() > deadline:
            down(root)
            raise manager.LabError(f"the scale lab did not start (see {root}/*.log)")
        time.sleep(0.1)
    path = root / f"portfolio-{count}.toml"
    path.write_text(portfolio_text(count), "utf-8")
    return path


def _dns_answers() -> bool:
    import socket

    query = b"\x55\x55\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x02v1\x05scale\x04test\x00\x00\x06\x00\x01"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.5)
        try:
            sock.sendto(query, (NAMESERVER_ADDRESS, 53))
            reply = sock.recv(4096)
        except OSError:
            return False
    return len(reply) > 4 and reply[:2] == b"\x55\x55" and reply[3] & 0x0F == 0


def down(root: Path) -> None:
    for name in ("web", "dns"):
        pid_file = root / "pids" / f"{name}.pid"
        try:
            pid = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            continue
        manager.stop_process(pid)
        pid_file.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    root = manager.default_dir().parent / "scale-lab"
    if argv[:1] == ["down"]:
        down(root)
        return 0
    count = int(argv[1]) if len(argv) > 1 else 200
    print(up(count, root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
