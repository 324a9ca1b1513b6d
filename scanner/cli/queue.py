"""`vetscan worker`, the queue options of `vetscan audit`, and `vetscan history
migrate`: the distributed mode's command line. URLs may carry passwords; they are
shown redacted, never as given."""

from __future__ import annotations

import argparse
import math
import os
import sys

from scanner import api
from scanner.cli.args import history_location
from scanner.cli.exits import EXIT_OK
from scanner.errors import InputError
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


def queue_options(args: argparse.Namespace) -> api.QueueOptions | None:
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
    return api.QueueOptions(broker=url, resume=args.resume, wait=args.queue_wait)


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
    options = api.WorkerOptions(
        broker=url,
        history=history,
        concurrency=concurrency,
        visibility_timeout=args.visibility_timeout,
        allow_private=args.allow_private,
        verbose=args.verbose,
    )

    def started() -> None:
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

    return api.run_worker(options, started, ready)


def cmd_migrate(args: argparse.Namespace) -> int:
    if not (args.migrate_from and args.migrate_to):
        raise InputError("history migrate needs --from URL and --to URL")
    added, read, vendors, source, target = api.migrate_history(args.migrate_from, args.migrate_to)
    if not args.quiet:
        print(
            f"copied {added} run(s) of {vendors} vendor(s) from {source} to {target}"
            + (f" ({read - added} already there)" if added < read else "")
        )
    return EXIT_OK
