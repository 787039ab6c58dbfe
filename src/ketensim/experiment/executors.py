"""Executors behind one interface: serial, local processes, Dask distributed.

An executor takes independent jobs and yields ``(key, result)`` pairs as they finish, in any
order; callers sort by key. Every job carries its own seed and replication, so the results
do not depend on which executor or worker ran them (bit-identical by construction, checked
by the tests). At most ``window`` jobs are in flight, so memory stays flat however many jobs
a sweep has.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Hashable, Protocol

log = logging.getLogger(__name__)

Job = tuple[Hashable, Callable[..., Any], tuple[Any, ...]]


class ExecutorError(Exception):
    """An executor that cannot start (no scheduler at the address, Dask not installed)."""


class Executor(Protocol):
    """Runs ``fn(*args)`` for every job; yields (key, result) as results come in."""

    name: str
    workers: int

    def run(self, jobs: Iterable[Job]) -> Iterator[tuple[Any, Any]]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """In this process, one job after the other (debugging, profiling, tiny runs)."""

    name = "serial"
    workers = 1

    def run(self, jobs: Iterable[Job]) -> Iterator[tuple[Any, Any]]:
        for key, fn, args in jobs:
            yield key, fn(*args)

    def close(self) -> None:
        pass

    def __enter__(self) -> "SerialExecutor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProcessExecutor:
    """Local worker processes (the default: one per core)."""

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def run(self, jobs: Iterable[Job]) -> Iterator[tuple[Any, Any]]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
        yield from _windowed(lambda fn, args: self._pool.submit(fn, *args), jobs,  # type: ignore[union-attr]
                             2 * self.workers, _wait_concurrent)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "ProcessExecutor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskExecutor:
    """A Dask distributed cluster: an existing one (``scheduler="tcp://host:port"``) or a
    local one started here with ``workers`` single-threaded worker processes, bound to the
    loopback address only. Tasks whose worker dies are retried by the scheduler."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None,
                 timeout: float = 20) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - declared dependency
            raise ExecutorError("the Dask executor needs 'dask[distributed]' installed") from exc
        self._cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        else:
            n = max(1, workers or os.cpu_count() or 1)
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                         host="127.0.0.1", dashboard_address=None)
            self.client = Client(self._cluster)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})) or (workers or 1))
        log.info("dask executor on %s with %d workers", getattr(self.client.scheduler, "address", "?"), self.workers)

    def run(self, jobs: Iterable[Job]) -> Iterator[tuple[Any, Any]]:
        from distributed import as_completed

        window = 2 * max(self.workers, 1)
        it = iter(jobs)
        keys: dict[Any, Hashable] = {}
        ac = as_completed()
        for _ in range(window):
            if not self._submit(it, ac, keys):
                break
        for fut in ac:
            key = keys.pop(fut.key)
            result = fut.result()
            fut.release()
            yield key, result
            self._submit(it, ac, keys)

    def _submit(self, it: Iterator[Job], ac: Any, keys: dict[Any, Hashable]) -> bool:
        job = next(it, None)
        if job is None:
            return False
        key, fn, args = job
        fut = self.client.submit(fn, *args, pure=False, retries=0)
        keys[fut.key] = key
        ac.add(fut)
        return True

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> "DaskExecutor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _wait_concurrent(pending: set[Future]) -> set[Future]:
    done, _ = wait(pending, return_when=FIRST_COMPLETED)
    return done


def _windowed(submit: Callable[[Callable[..., Any], tuple[Any, ...]], Future], jobs: Iterable[Job],
              window: int, wait_some: Callable[[set[Future]], set[Future]]) -> Iterator[tuple[Any, Any]]:
    """Keep at most ``window`` futures in flight; yield each result once it is done."""
    it = iter(jobs)
    pending: dict[Future, Hashable] = {}

    def fill() -> None:
        while len(pending) < window:
            job = next(it, None)
            if job is None:
                return
            key, fn, args = job
            pending[submit(fn, args)] = key

    fill()
    while pending:
        for fut in wait_some(set(pending)):
            key = pending.pop(fut)
            yield key, fut.result()
        fill()


def make_executor(kind: str | None = None, workers: int | None = None, scheduler: str | None = None,
                  dask_workers: int | None = None) -> SerialExecutor | ProcessExecutor | DaskExecutor:
    """The executor named by the CLI options: ``--scheduler``/``--dask-workers`` choose Dask,
    ``--workers 1`` (or kind 'serial') runs in this process, otherwise local processes."""
    if scheduler or dask_workers or kind == "dask":
        return DaskExecutor(scheduler=scheduler, workers=dask_workers or workers)
    if kind == "serial" or workers == 1:
        return SerialExecutor()
    return ProcessExecutor(workers)
