"""The Celery adapter: the only module that imports Celery.

One task type, JSON only (pickle is refused by ``accept_content``), acknowledged
late and rejected when its worker process is lost, so a scan that did not finish
goes back to the queue; one message at a time per worker process, so a lost
process loses nothing it had not started. Redis is the broker; RabbitMQ works
through the same URL setting (``amqp://…``), where redelivery needs no visibility
timeout.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from typing import Any

from celery import Celery, signals
from celery.exceptions import SoftTimeLimitExceeded

from scanner.distributed.task import MAX_PAYLOAD, TASK_NAME
from scanner.distributed.work import Worker, WorkerSettings
from scanner.errors import EnvironmentUnusable, HistoryUnusable
from scanner.redact import redact, scrub

QUEUE = "vetscan"
# A scan that outlives its budget by this much is ended by Celery itself.
SOFT_MARGIN_S = 60.0
HARD_MARGIN_S = 120.0
# The largest message body a worker decodes: a task at its size limit, with room for
# Celery's envelope. A larger one is refused unread (parse_task would refuse it too,
# but only after JSON decoding had cost several times its size in memory).
MAX_MESSAGE = 2 * MAX_PAYLOAD


class BrokerUnusable(EnvironmentUnusable):
    """The broker cannot be reached; the message names it without its password."""


def make_app(
    broker_url: str,
    visibility_timeout: float = 3600.0,
    restore_interval: float = 10.0,
    worker: WorkerSettings | None = None,
) -> Celery:
    """A Celery app for ``broker_url``. ``visibility_timeout``: how long a message
    taken by a worker that vanished (machine lost) stays invisible before another
    worker gets it; it must exceed the longest vendor budget, or a slow scan is
    started twice (stored once all the same)."""
    app = Celery("vetscan", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        broker_connection_timeout=10,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=10,
        broker_transport_options={
            "visibility_timeout": visibility_timeout,
            "unacked_restore_interval": restore_interval,
            "unacked_restore_throttle": 1,
        },
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    if worker is not None:
        _register(app, worker)
    return app


def _register(app: Celery, settings: WorkerSettings) -> None:
    processes: dict[int, Worker] = {}

    def current() -> Worker:
        # Per process: a forked pool process must not share its parent's connection.
        pid = os.getpid()
        if pid not in processes:
            processes.clear()
            processes[pid] = Worker(settings)
        return processes[pid]

    @app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
    def scan_vendor(self: Any, payload: Any) -> dict[str, Any]:
        worker = current()
        try:
            return worker.run(payload)
        except HistoryUnusable as exc:
            # The database is away: try again later, on this worker or another.
            worker.drop_store()
            raise self.retry(exc=exc, countdown=10, max_retries=30) from None
        except SoftTimeLimitExceeded:
            message = "the scan outlived its time budget"
            worker.give_up(payload, message)
            return {"status": "error", "error": message}


def check_broker(app: Celery, url: str) -> None:
    """Raises BrokerUnusable unless the broker answers (before anything is written)."""
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0.2, timeout=5)
    except Exception as exc:  # noqa: BLE001 - kombu and redis raise many kinds
        raise BrokerUnusable(
            f"the queue's broker {redact(url)} cannot be reached: {scrub(str(exc), url)}"
        ) from None


def send(app: Celery, url: str, payloads: Sequence[dict[str, Any]], budget: float) -> None:
    try:
        with app.producer_or_acquire() as producer:
            for payload in payloads:
                app.send_task(
                    TASK_NAME,
                    args=[payload],
                    queue=QUEUE,
                    soft_time_limit=budget + SOFT_MARGIN_S,
                    time_limit=budget + HARD_MARGIN_S,
                    producer=producer,
                    retry=True,
                    retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_max": 1},
                )
    except Exception as exc:  # noqa: BLE001 - kombu and redis raise many kinds
        raise BrokerUnusable(
            f"the queue's broker {redact(url)} refused the tasks: {scrub(str(exc), url)}"
        ) from None


def workers_answering(app: Celery, timeout: float = 1.5) -> int:
    try:
        return len(app.control.ping(timeout=timeout) or [])
    except Exception:  # noqa: BLE001 - a failed ping only means "unknown"
        return 0


def _cap_message_bodies() -> None:
    """Replaces kombu's JSON decoder in this (worker) process with one that refuses
    a body over MAX_MESSAGE before decoding it; Celery then logs the refusal, drops
    the message and goes on."""
    from kombu import serialization
    from kombu.utils import json as kombu_json

    def loads(body: str | bytes) -> Any:
        if len(body) > MAX_MESSAGE:
            raise ValueError(f"task refused unread: larger than {MAX_MESSAGE} bytes")
        return kombu_json.loads(body)  # type: ignore[no-untyped-call]

    serialization.registry.register(  # type: ignore[no-untyped-call]
        "json", kombu_json.dumps, loads, content_type="application/json", content_encoding="utf-8"
    )


def run_worker(
    app: Celery,
    concurrency: int,
    loglevel: str = "WARNING",
    on_ready: Callable[[], None] | None = None,
) -> int:
    """Runs a worker until it is told to stop (SIGTERM: finish the scans in hand);
    ``on_ready`` is called once it takes tasks."""
    _cap_message_bodies()

    @signals.worker_ready.connect(weak=False)  # type: ignore[untyped-decorator]
    def ready(**_kwargs: Any) -> None:
        if on_ready is not None:
            on_ready()

    worker = app.Worker(
        concurrency=concurrency,
        pool="prefork",
        loglevel=loglevel,
        queues=[QUEUE],
        hostname=f"vetscan-{os.getpid()}@{socket.gethostname()}",
        without_gossip=True,
        without_mingle=True,
        quiet=True,
        optimization="fair",
    )
    worker.start()
    return int(worker.exitcode or 0)
