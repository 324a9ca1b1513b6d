"""`vetscan worker`, the queue options of `vetscan audit`, and `vetscan history
migrate`: the distributed mode's command line. URLs may carry passwords; they are
shown redacted, never as given."""

from __future__ import annotations

import argparse
import math
import os
import sys

from scanner.cli.args import history_location
from scanner.cli.exits import EXIT_OK
from scanner.distributed.coordinator import QueueOptions
from scanner.errors import EnvironmentUnusable, InputError
from scanner.history.stores import open_store
from scanner.redact import redact


def queue_url(args: argparse.Namespace) -> str | None:
    given: str | None = getattr(args, "queue", None)
    url = given if given is not None else os.environ.get("VETSCAN_QUEUE") or None
    if url is None:
        return None
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in ("redis", "rediss", "amqp", "amqps"):
        raise InputError(
            f"--queue {redact(url)}: a broker URL is redis://HOST[:PORT]/DB (or amqp:// for "
            "RabbitMQ)"
        )
    return url


def _shared_history(args: argparse.Namespace, what: str) -> str:
    location = history_location(args)
    if not location.startswith(("postgresql://", "postgres://")):
        raise InputError(
            f"{what} needs a history every worker can reach: --db postgresql://USER@HOST/DB "
            "(or $VETSCAN_DB)"
        )
    return location


def queue_options(args: argparse.Namespace) -> QueueOptions | None:
    """The queue settings of `vetscan audit`, or None for a local audit."""
    url = queue_url(args)
    if url is None:
        if args.resume or args.queue_wait is not None:
            raise InputError("--resume and --queue-wait need --queue URL")
        return None
    _shared_history(args, "--queue")
    if args.queue_wait is not None and not (
        math.isfinite(args.queue_wait) and 0 < args.queue_wait <= 7 * 86400
    ):
        raise InputError("--queue-wait must be between 0 and 604800 seconds")
    if args.resume and args.portfolio is not None:
        raise InputError("--resume takes the audit's vendors from history: give no portfolio")
    return QueueOptions(broker=url, resume=args.resume, wait=args.queue_wait)


def cmd_worker(args: argparse.Namespace) -> int:
    url = queue_url(args)
    if url is None:
        raise InputError("vetscan worker needs --queue URL (or $VETSCAN_QUEUE)")
    history = _shared_history(args, "vetscan worker")
    concurrency = args.concurrency or os.cpu_count() or 1
    if not 1 <= concurrency <= 256:
        raise InputError("--concurrency must be between 1 and 256")
    if not (math.isfinite(args.visibility_timeout) and 10 <= args.visibility_timeout <= 7 * 86400):
        raise InputError("--visibility-timeout must be between 10 and 604800 seconds")
    try:
        from scanner.distributed import app as adapter
        from scanner.distributed.work import WorkerSettings
    except ImportError:
        raise EnvironmentUnusable(
            "the worker needs Celery and psycopg (pip install 'vetscan[workers]')"
        ) from None
    # The history is reached (and migrated) once, before any task is taken: a wrong
    # --db ends here with one message instead of in every task.
    with open_store(history):
        pass
    settings = WorkerSettings(history=history, allow_private=args.allow_private)
    # Restores are looked for often enough that a lost task waits little longer than
    # the visibility timeout itself.
    restore = min(10.0, args.visibility_timeout / 4)
    app = adapter.make_app(url, args.visibility_timeout, restore, worker=settings)
    adapter.check_broker(app, url)
    if not args.quiet:
        print(
            f"vetscan worker: queue {redact(url)}, history {redact(history)}, "
            f"{concurrency} process(es)"
            + (", private addresses allowed" if args.allow_private else ""),
            file=sys.stderr,
            flush=True,
        )

    def ready() -> None:
        print(f"vetscan worker ready ({concurrency} process(es))", flush=True)

    return adapter.run_worker(app, concurrency, "INFO" if args.verbose else "WARNING", ready)


def cmd_migrate(args: argparse.Namespace) -> int:
    if not (args.migrate_from and args.migrate_to):
        raise InputError("history migrate needs --from URL and --to URL")
    if args.migrate_from == args.migrate_to:
        raise InputError("history migrate: --from and --to name the same history")
    with (
        open_store(args.migrate_from, read_only=True) as source,
        open_store(args.migrate_to) as target,
    ):
        runs = list(source.export())
        added = target.import_runs(runs)
        vendors = len({r.vendor for r in runs})
        target.check()
        source_where, target_where = source.location, target.location
    if not args.quiet:
        print(
            f"copied {added} run(s) of {vendors} vendor(s) from {source_where} to {target_where}"
            + (f" ({len(runs) - added} already there)" if added < len(runs) else "")
        )
    return EXIT_OK
