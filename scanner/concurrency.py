"""A small thread pool whose threads never hold up the process's exit.

The engine abandons a probe that overruns its timeout. Threads of
concurrent.futures.ThreadPoolExecutor are joined when the interpreter exits, so
a pool inside an abandoned probe (waiting on a server that drips bytes) kept
vetscan running long after it had printed its result. These threads are daemons:
an abandoned task dies with the process. Every network call inside still has its
own deadline; this only makes sure nothing left behind can delay the exit.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class DaemonPool:
    """``submit`` and ``map`` as ThreadPoolExecutor has them, on daemon threads."""

    def __init__(self, workers: int, name: str = "pool") -> None:
        self._workers = max(1, workers)
        self._name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., R], *args: Any) -> Future[R]:
        future: Future[R] = Future()
        self._jobs.put((future, fn, args))
        with self._lock:
            if len(self._threads) < self._workers:
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
        return future

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Results in the order of ``items``; the first failure (in that order) is raised."""
        futures = [self.submit(fn, item) for item in items]
        return [future.result() for future in futures]

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            future, fn, args = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on it
                future.set_exception(exc)

    def shutdown(self) -> None:
        """Lets the threads end once the queued jobs are done; does not wait for them."""
        with self._lock:
            for _ in self._threads:
                self._jobs.put(None)

    def __enter__(self) -> DaemonPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()
