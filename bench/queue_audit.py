"""Benchmark section: portfolio audits through the queue (Celery workers, Redis,
PostgreSQL) against a local audit of the same generated vendors, in one run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from run import PYTHON, Goal, Row, timed

from scanner.lab import backends, manager, scale

PER_WORKER = 4  # scans at once in each worker process


def _database(server: str, name: str) -> str:
    import psycopg

    base = server.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name}".encode())
        db.execute(f"CREATE DATABASE {name}".encode())
    return f"{base}/{name}"


def _workers(count: int, broker: str, db: str, logs: Path) -> list[subprocess.Popen[bytes]]:
    procs = []
    for n in range(count):
        log = (logs / f"worker-{n}.log").open("wb")
        procs.append(
            subprocess.Popen(
                [PYTHON, "-m", "scanner", "worker", "--queue", broker, "--db", db,
                 "--concurrency", str(PER_WORKER), "--allow-private"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        )  # fmt: skip
    deadline = time.monotonic() + 60
    for n in range(count):
        while "worker ready" not in (logs / f"worker-{n}.log").read_text(errors="replace"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker {n} did not start")
            time.sleep(0.1)
    return procs


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _network(ca: Path) -> list[str]:
    return ["--nameserver", scale.NAMESERVER, "--allow-private", "--ca-file", str(ca), "-q"]


def bench_queue(ca: Path, repeat: int, quick: bool) -> tuple[list[Row], list[Goal]]:
    """The same generated vendors audited through the queue by 1, 2 and 4 worker
    processes (4 scans each), and locally with the largest one's concurrency."""
    # Quick mode (CI) only keeps the section from rotting: one worker, four vendors.
    vendors = 4 if quick else 200
    counts = (1,) if quick else (1, 2, 4)
    root = Path(tempfile.mkdtemp(prefix="vetscan-queue-bench-"))
    servers = []
    try:
        portfolio = scale.up(vendors, root / "scale")
        redis = backends.start_redis(root / "redis", backends.free_port(backends.REDIS_ADDRESS))
        servers.append(redis)
        pg_folder = Path(tempfile.mkdtemp(prefix="vetscan-postgres-"))
        postgres = backends.start_postgres(pg_folder, backends.free_port(backends.POSTGRES_ADDRESS))
        servers.append(postgres)
    except (manager.LabError, OSError, subprocess.CalledProcessError) as exc:
        scale.down(root / "scale")
        return [Row("queued audits", note=f"skipped: {exc}")], []
    rows: list[Row] = []
    totals: dict[int, float] = {}
    cores = os.cpu_count() or 1
    try:
        for count in counts:
            db = _database(postgres.url, f"bench{count}")
            broker = f"{redis.url.rsplit('/', 1)[0]}/{count}"
            procs = _workers(count, broker, db, root)
            try:
                with tempfile.TemporaryDirectory() as out:
                    elapsed, rss = timed(
                        [PYTHON, "-m", "scanner", "audit", str(portfolio), *_network(ca),
                         "--queue", broker, "--db", db, "--out", out],
                        timeout=7200,
                    )  # fmt: skip
            finally:
                _stop(procs)
            totals[count] = elapsed
            per_hour = vendors / elapsed * 3600
            rows.append(
                Row(
                    f"queued audit of {vendors} generated vendors, {count} worker process(es) "
                    f"x {PER_WORKER} scans",
                    [elapsed],
                    rss,
                    f"{per_hour:.0f} vendors/hour, {per_hour / cores:.0f} per core ({cores} cores)"
                    + (f"; speed-up x{totals[1] / elapsed:.2f} over 1 worker" if count > 1 else ""),
                )
            )
        jobs = PER_WORKER * max(counts)
        local = None
        if not quick:  # the Portfolio section already audits locally in quick mode
            with tempfile.TemporaryDirectory() as work:
                local, rss = timed(
                    [PYTHON, "-m", "scanner", "audit", str(portfolio), *_network(ca),
                     "--jobs", str(jobs), "--db", f"{work}/h.db", "--out", f"{work}/reports"],
                    timeout=7200,
                )  # fmt: skip
            rows.append(
                Row(
                    f"local audit of the same {vendors} vendors, --jobs {jobs} (SQLite)",
                    [local],
                    rss,
                    f"{vendors / local * 3600:.0f} vendors/hour",
                )
            )
    finally:
        scale.down(root / "scale")
        backends.stop_redis(redis)
        backends.stop_postgres(postgres)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(pg_folder, ignore_errors=True)
    widest = max(counts)
    text = f"queue overhead under 10% ({widest} workers x {PER_WORKER} vs local --jobs {jobs})"
    if local is None:
        return rows, [Goal(text, None, "not measured in quick mode")]
    overhead = totals[widest] / local
    detail = f"{totals[widest]:.0f} s vs {local:.0f} s: ratio {overhead:.2f}"
    return rows, [Goal(text, overhead <= 1.10, detail)]
