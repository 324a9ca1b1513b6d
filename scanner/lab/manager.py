"""Starting, checking and stopping the lab's servers.

``up`` is idempotent: servers already running from the same lab folder are
left alone; a partial lab is stopped and started again. Each server runs in
its own session with a PID file, so the lab outlives the command that started
it and ``down`` can find it again.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import EnvironmentUnusable
from scanner.lab import dns, hostile, inward, pki, resolver, web
from scanner.lab.providers import (
    CT_ADDRESS,
    DNS_ADDRESSES,
    DNS_PORT,
    LOOKALIKE_CT_NAMES,
    OPEN_RESOLVER_ADDRESS,
    PROVIDERS,
    LabProvider,
    MailAccess,
)

READY_TIMEOUT = 20.0

# binary -> the Debian package that provides it
BINARIES = {
    "nginx": "nginx-light",
    "knotd": "knot",
    "keymgr": "knot",
    "openssl": "openssl",
    "unbound": "unbound",
}
# Server binaries live in sbin, which a non-login root shell may not have on PATH.
SBIN = "/usr/local/sbin:/usr/sbin:/sbin"


def search_path() -> str:
    return f"{os.environ.get('PATH', '')}:{SBIN}".strip(":")


class LabError(EnvironmentUnusable):
    """The lab could not be started or stopped; the message is one line."""


def default_dir() -> Path:
    if env := os.environ.get("VETSCAN_LAB_DIR"):
        return Path(env)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "vetscan" / "lab"


@dataclass(frozen=True)
class Component:
    name: str
    command: Callable[[Path], list[str]]
    ready: Callable[[], bool]


def tcp_open(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=0.5):
            return True
    except OSError:
        return False


def _dns_ready() -> bool:
    # A raw SOA query for a lab zone; the lab must not need the scanner's resolver to start.
    query = (
        b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
        + b"".join(bytes([len(p)]) + p.encode() for p in PROVIDERS[0].domain.split("."))
        + b"\x00\x00\x06\x00\x01"
    )
    for address in DNS_ADDRESSES:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(0.5)
            try:
                sock.sendto(query, (address, DNS_PORT))
                reply = sock.recv(4096)
            except OSError:
                return False
            if len(reply) < 4 or reply[:2] != b"\x12\x34" or reply[3] & 0x0F != 0:
                return False
    return True


def _hostile_dns_ready() -> bool:
    query = (
        b"\x43\x21\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
        + b"".join(bytes([len(p)]) + p.encode() for p in hostile.DOMAIN.split("."))
        + b"\x00\x00\x06\x00\x01"
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.5)
        try:
            sock.sendto(query, (hostile.DNS_ADDRESS, DNS_PORT))
            reply = sock.recv(4096)
        except OSError:
            return False
    return len(reply) >= 4 and reply[:2] == b"\x43\x21" and reply[3] & 0x0F == 0


def _web_ready(providers: tuple[LabProvider, ...]) -> Callable[[], bool]:
    endpoints = [
        (s.address, port) for p in providers for s in p.sites for port in (80, *s.tls_ports)
    ]
    endpoints.append((pki.ISSUER_ADDRESS, 80))
    return lambda: all(tcp_open(a, port) for a, port in endpoints)


def _banners_ready(providers: tuple[LabProvider, ...]) -> Callable[[], bool]:
    endpoints = [
        (address, b.port) for p in providers for address, bs in p.banners.items() for b in bs
    ] + [(m.address, 25) for p in providers for m in p.mail]
    endpoints += [(a.address, a.port) for p in providers for a in p.mail_access]
    endpoints += [("::1", 25)] if any(m.ipv6 for p in providers for m in p.mail) else []
    endpoints += [(item.address, item.port) for item in (*hostile.LISTENERS, *inward.LISTENERS)]
    endpoints += [(CT_ADDRESS, 80)]
    return lambda: all(tcp_open(a, port) for a, port in endpoints)


def _mail_certs(lab_dir: Path, providers: tuple[LabProvider, ...]) -> dict[str, pki.IssuedCert]:
    """STARTTLS certificates, made before the zones so TLSA records can name their keys."""
    return {
        mail.name: pki.issue(lab_dir / "ca", lab_dir / "mail", mail.name, mail.cert)
        for p in providers
        for mail in p.mail
        if mail.cert is not None
    }


def _components(
    lab_dir: Path,
    providers: tuple[LabProvider, ...],
    mail_certs: dict[str, pki.IssuedCert] | None = None,
) -> list[Component]:
    certs = mail_certs or {}
    return [
        Component(
            "dns",
            lambda d: ["knotd", "-c", str(dns.write(d / "dns", providers, certs))],
            _dns_ready,
        ),
        Component(
            "web",
            lambda d: [
                "nginx",
                "-c",
                str(web.write(d / "web", d / "ca", providers)),
                "-e",
                str(d / "web" / "logs" / "error.log"),
            ],
            _web_ready(providers),
        ),
        Component(
            "banners",
            lambda d: [
                sys.executable,
                "-m",
                "scanner.lab.banners",
                str(_banner_config(d, providers, certs)),
            ],
            _banners_ready(providers),
        ),
        Component(
            "legacy-tls",
            lambda d: [
                sys.executable,
                "-m",
                "scanner.lab.legacy_tls",
                str(_legacy_config(d, providers)),
            ],
            lambda: all(
                tcp_open(a.address, a.port)
                for p in providers
                for a in p.mail_access
                if a.tls == "legacy"
            ),
        ),
        Component(
            "modern-tls",
            lambda d: [
                sys.executable,
                "-m",
                "scanner.lab.modern_tls",
                str(_modern_config(d, providers, certs)),
            ],
            lambda: all(
                tcp_open(address, port)
                for p in providers
                for address, port in (
                    *((a.address, a.port) for a in p.mail_access if a.tls == "modern"),
                    *((c.address, c.port) for c in p.consoles),
                )
            ),
        ),
        Component(
            "resolver",
            lambda d: ["unbound", "-d", "-c", str(resolver.write(d / "resolver"))],
            lambda: tcp_open(OPEN_RESOLVER_ADDRESS, 53),
        ),
        Component(
            "hostile-dns",
            lambda _d: [sys.executable, "-m", "scanner.lab.hostile_dns"],
            _hostile_dns_ready,
        ),
    ]


def _banner_config(
    lab_dir: Path, providers: tuple[LabProvider, ...], certs: dict[str, pki.IssuedCert]
) -> Path:
    listeners: list[dict[str, object]] = [
        {"address": address, "port": b.port, "service": b.service, "version": b.version}
        for p in providers
        for address, banners in p.banners.items()
        for b in banners
    ]
    for p in providers:
        for mail in p.mail:
            issued = certs.get(mail.name)
            tls = {"cert": str(issued.cert), "key": str(issued.key)} if issued else {}
            for address in (mail.address, "::1") if mail.ipv6 else (mail.address,):
                listeners.append(
                    {
                        "address": address,
                        "port": 25,
                        "service": "smtp",
                        "name": mail.name,
                        "gate": mail.gate,
                        "greeting": mail.greeting,
                        **tls,
                    }
                )
        for access in p.mail_access:
            if access.tls in ("legacy", "modern"):
                continue  # served by scanner.lab.legacy_tls and scanner.lab.modern_tls
            listener: dict[str, object] = {
                "address": access.address,
                "port": access.port,
                "service": access.protocol,
                "name": access.name,
                "implicit": access.tls == "implicit",
                "auth_before_tls": access.tls == "starttls-late",
            }
            if access.tls != "none":
                issued = _access_cert(lab_dir, access) or certs.get(access.name)
                if issued is None:
                    raise LabError(f"{access.name}:{access.port} needs a certificate")
                listener.update(cert=str(issued.cert), key=str(issued.key))
            listeners.append(listener)
    # The hostile provider's listeners; its one certificate carries hostile text.
    issued = pki.issue(lab_dir / "ca", lab_dir / "hostile", "hostile", hostile.CERT)
    big = pki.issue(lab_dir / "ca", lab_dir / "hostile", "big", hostile.BIG_CERT)
    for item in hostile.LISTENERS:
        spec: dict[str, object] = {"address": item.address, "port": item.port}
        spec["service"] = item.service
        if item.service.startswith("tls-") or item.service == "smtp-hostile":
            chosen = big if item.service == "tls-bigcert" else issued
            spec.update(cert=str(chosen.cert), key=str(chosen.key), name=f"mx.{hostile.DOMAIN}")
        listeners.append(spec)
    listeners += _inward_listeners(lab_dir)
    names = {p.domain: list(p.ct_names) for p in providers if p.ct_names}
    names |= {domain: list(found) for domain, found in LOOKALIKE_CT_NAMES.items()}
    names[inward.DOMAIN] = list(inward.CT_NAMES)
    listeners.append({"address": CT_ADDRESS, "port": 80, "service": "ct-stub", "names": names})
    path = lab_dir / "banners.json"
    path.write_text(json.dumps(listeners, indent=1), "utf-8")
    return path


def _inward_listeners(lab_dir: Path) -> list[dict[str, object]]:
    """The inward provider's web host and its AIA hosts, each with its own certificate."""
    ca, out = lab_dir / "ca", lab_dir / "inward"
    certs = {inward.WEB: pki.issue(ca, out, "web", inward.WEB_CERT)}
    for (form, url), address in zip(inward.AIA_FORMS, inward.AIA_ADDRESSES, strict=True):
        certs[address] = pki.issue(ca, out, f"aia-{form}", inward.aia_cert(form, url))
    listeners: list[dict[str, object]] = []
    for item in inward.LISTENERS:
        spec: dict[str, object] = {"address": item.address, "port": item.port}
        spec["service"] = item.service
        if item.service.startswith("tls-"):
            spec.update(cert=str(certs[item.address].cert), key=str(certs[item.address].key))
        listeners.append(spec)
    return listeners


def _access_cert(lab_dir: Path, access: MailAccess) -> pki.IssuedCert | None:
    if access.cert is None:
        return None
    stem = f"{access.name}-{access.port}"
    return pki.issue(lab_dir / "ca", lab_dir / "mail", stem, access.cert)


def _legacy_config(lab_dir: Path, providers: tuple[LabProvider, ...]) -> Path:
    """The tlslite-ng listeners: implicit TLS with SSL 3.0, RC4 and 3DES."""
    specs = []
    for p in providers:
        for access in p.mail_access:
            if access.tls != "legacy":
                continue
            issued = _access_cert(lab_dir, access)
            if issued is None:
                raise LabError(f"{access.name}:{access.port} needs an RSA certificate")
            greeting = "* OK IMAP4rev1 ready" if access.protocol == "imap" else "+OK ready"
            specs.append(
                {
                    "address": access.address,
                    "port": access.port,
                    "cert": str(issued.cert),
                    "key": str(issued.key),
                    "greeting": greeting,
                }
            )
    path = lab_dir / "legacy-tls.json"
    path.write_text(json.dumps(specs, indent=1), "utf-8")
    return path


def _modern_config(
    lab_dir: Path, providers: tuple[LabProvider, ...], certs: dict[str, pki.IssuedCert]
) -> Path:
    """The pyOpenSSL listeners: implicit TLS on OpenSSL 3.5, with X25519MLKEM768."""
    specs: list[dict[str, object]] = []
    for p in providers:
        for access in p.mail_access:
            if access.tls != "modern":
                continue
            issued = _access_cert(lab_dir, access) or certs.get(access.name)
            if issued is None:
                raise LabError(f"{access.name}:{access.port} needs a certificate")
            specs.append(
                {
                    "address": access.address,
                    "port": access.port,
                    "name": access.name,
                    "cert": str(issued.cert),
                    "key": str(issued.key),
                    "protocol": "submission",
                }
            )
        for console in p.consoles:
            stem = f"{console.name}-{console.port}"
            issued = pki.issue(lab_dir / "ca", lab_dir / "mail", stem, console.cert)
            specs.append(
                {
                    "address": console.address,
                    "port": console.port,
                    "name": console.name,
                    "cert": str(issued.cert),
                    "key": str(issued.key),
                    "protocol": "https",
                    "lax": True,
                }
            )
    path = lab_dir / "modern-tls.json"
    path.write_text(json.dumps(specs, indent=1), "utf-8")
    return path


def trust_anchors(lab_dir: Path | None = None) -> Path:
    """DS records of the lab's signed zones, for --trust-anchors."""
    return (lab_dir or default_dir()) / "dns" / dns.ANCHORS


def _write_anchors(lab_dir: Path, providers: tuple[LabProvider, ...]) -> None:
    conf = lab_dir / "dns" / "knot.conf"
    lines = (lab_dir / "dns" / "static-anchors.txt").read_text().split("\n")
    for p in providers:
        if p.signed not in ("knot", "knot-nsec3"):
            continue
        out = subprocess.run(
            ["keymgr", "-c", str(conf), p.domain, "ds"],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PATH": search_path()},
        )
        if out.returncode != 0:
            raise LabError(f"keymgr could not export the DS of {p.domain}: {out.stderr.strip()}")
        # keymgr prints "zone. DS tag alg digest-type digest", one line per digest type
        lines += [line for line in out.stdout.splitlines() if " DS " in line]
    trust_anchors(lab_dir).write_text("\n".join(line for line in lines if line) + "\n")


def _pid_file(lab_dir: Path, name: str) -> Path:
    return lab_dir / "pids" / f"{name}.pid"


def _running_pid(lab_dir: Path, name: str) -> int | None:
    try:
        pid = int(_pid_file(lab_dir, name).read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    # A zombie still answers kill(0); treat it as gone.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return pid
    return None if state == "Z" else pid


def ca_file(lab_dir: Path | None = None) -> Path:
    return (lab_dir or default_dir()) / "ca" / "ca.pem"


def status(lab_dir: Path | None = None) -> dict[str, int | None]:
    lab_dir = lab_dir or default_dir()
    return {c.name: _running_pid(lab_dir, c.name) for c in _components(lab_dir, PROVIDERS)}


def check_binaries() -> None:
    for binary, package in BINARIES.items():
        if shutil.which(binary, path=search_path()) is None:
            raise LabError(f"{binary} not found: install it with 'apt-get install {package}'")
    if importlib.util.find_spec("tlslite") is None:
        # The legacy-TLS listeners (SSL 3.0, RC4, 3DES) need it; Debian's OpenSSL cannot.
        raise LabError("tlslite-ng not installed: install it with pip install 'vetscan[lab]'")
    if importlib.util.find_spec("OpenSSL") is None:
        # The post-quantum listener needs OpenSSL 3.5 (cryptography's), through pyOpenSSL.
        raise LabError("pyOpenSSL not installed: install it with pip install 'vetscan[lab]'")


def up(lab_dir: Path | None = None) -> Path:
    """Start every lab server that is not running; return the lab folder."""
    lab_dir = lab_dir or default_dir()
    components = _components(lab_dir, PROVIDERS)
    current = status(lab_dir)
    if all(current.values()) and all(c.ready() for c in components):
        return lab_dir
    down(lab_dir)
    check_binaries()
    busy = [c.name for c in components if c.ready()]
    if busy:
        raise LabError(
            f"lab addresses already answer ({', '.join(busy)}): is a lab from another "
            "folder running? stop it with 'vetscan lab down --dir DIR'"
        )
    if os.geteuid() != 0:
        raise LabError("the lab binds ports 53, 80 and 443 on 127.0.10.x: run it as root")
    (lab_dir / "pids").mkdir(parents=True, exist_ok=True)
    (lab_dir / "logs").mkdir(parents=True, exist_ok=True)
    pki.ensure_ca(lab_dir / "ca")
    components = _components(lab_dir, PROVIDERS, _mail_certs(lab_dir, PROVIDERS))
    env = {**os.environ, "PATH": search_path()}
    started = []
    try:
        for component in components:
            log = lab_dir / "logs" / f"{component.name}.log"
            with log.open("ab") as out:
                proc = subprocess.Popen(
                    component.command(lab_dir),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=out,
                    start_new_session=True,
                    env=env,
                    cwd=lab_dir,
                )
            _pid_file(lab_dir, component.name).write_text(f"{proc.pid}\n")
            started.append((component, proc, log))
        deadline = time.monotonic() + READY_TIMEOUT
        for component, proc, log in started:
            while not component.ready():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise LabError(f"lab {component.name} server did not start: {_last_line(log)}")
                time.sleep(0.05)
        for component, proc, log in started:
            if proc.poll() is not None:
                raise LabError(f"lab {component.name} server exited: {_last_line(log)}")
        _write_anchors(lab_dir, PROVIDERS)
    except BaseException:
        down(lab_dir)
        raise
    return lab_dir


def down(lab_dir: Path | None = None) -> None:
    lab_dir = lab_dir or default_dir()
    # Every component, last started first (a hard-coded list once forgot one).
    for name in [c.name for c in reversed(_components(lab_dir, PROVIDERS))]:
        pid = _running_pid(lab_dir, name)
        if pid is not None:
            stop_process(pid)
        _pid_file(lab_dir, name).unlink(missing_ok=True)


def stop_process(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            finished = 0
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        if finished:
            return
        time.sleep(0.05)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _last_line(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "no log"
    return lines[-1][:300] if lines else f"nothing logged (see {log})"
