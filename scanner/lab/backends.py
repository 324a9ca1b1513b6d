"""Throwaway Redis and PostgreSQL servers on loopback, for the distributed mode's
tests and benchmark: Debian's ``redis-server`` and a PostgreSQL cluster made with
``initdb`` in a folder of the caller's, owned by an unprivileged user (PostgreSQL
refuses to run as root). Nothing touches the system's own instances or config.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from scanner.lab.manager import LabError

REDIS_ADDRESS = "127.0.40.1"  # beside the lab (127.0.10.x) and the scale lab (127.0.20-23.x)
POSTGRES_ADDRESS = "127.0.40.2"


@dataclass(frozen=True)
class Server:
    url: str
    folder: Path
    pid: int


def free_port(address: str) -> int:
    """A port nothing listens on at ``address`` now (tests start several servers)."""
    with socket.socket() as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


def _wait_port(address: str, port: int, what: str, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((address, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    tail = log.read_text(errors="replace")[-600:] if log.exists() else ""
    raise LabError(f"{what} did not start on {address}:{port}: {tail}")


def start_redis(
    folder: Path, port: int = 6390, address: str = REDIS_ADDRESS, password: str = ""
) -> Server:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise LabError("redis-server is not installed (scripts/bootstrap.sh installs it)")
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "redis.log"
    pidfile = folder / "redis.pid"
    subprocess.run(
        [
            binary, "--bind", address, "--port", str(port), "--daemonize", "yes",
            "--pidfile", str(pidfile), "--logfile", str(log), "--dir", str(folder),
            "--save", "", "--appendonly", "no", "--protected-mode", "no",
            *(["--requirepass", password] if password else []),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    _wait_port(address, port, "redis-server", log)
    for _ in range(50):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.05)
    return Server(f"redis://{address}:{port}/0", folder, int(pidfile.read_text().strip()))


def postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise LabError("PostgreSQL is not installed (scripts/bootstrap.sh installs it)")
    return found[-1]


def _owner() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise LabError("no 'postgres' user (Debian's postgresql package makes it)") from None


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def start_postgres(
    folder: Path, port: int = 5440, address: str = POSTGRES_ADDRESS, database: str = "vetscan"
) -> Server:
    """A new cluster in ``folder`` (trust authentication, loopback only) with one
    database; its URL names user ``postgres``."""
    data = folder / "data"
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        owner = _owner()
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    log = folder / "postgres.log"
    if not (data / "PG_VERSION").exists():
        made = subprocess.run(
            _as_owner(
                [postgres_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                 "-E", "UTF8", "--no-sync"]
            ),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        if made.returncode != 0:
            raise LabError(f"initdb failed in {folder}: {made.stderr.strip()[-400:]}")
    options = f"-h {address} -p {port} -k {folder} -c fsync=off -c max_connections=200"
    started = subprocess.run(
        _as_owner([postgres_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
                   "-w", "-t", "60", "start"]),
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    if started.returncode != 0:
        tail = log.read_text(errors="replace")[-400:] if log.exists() else ""
        raise LabError(f"PostgreSQL did not start on {address}:{port}: {tail}")
    _wait_port(address, port, "PostgreSQL", log)
    subprocess.run(
        _as_owner([postgres_bin("createdb"), "-h", address, "-p", str(port), "-U", "postgres",
                   database]),
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    pid = int((data / "postmaster.pid").read_text().split()[0])
    return Server(f"postgresql://postgres@{address}:{port}/{database}", folder, pid)


def stop_postgres(server: Server) -> None:
    subprocess.run(
        _as_owner([postgres_bin("pg_ctl"), "-D", str(server.folder / "data"), "-m", "immediate",
                   "-w", "stop"]),
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stop_redis(server: Server) -> None:
    try:
        os.kill(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(server.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
