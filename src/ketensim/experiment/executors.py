"""Executors behind one interface: serial, local processes, Dask distributed.

An executor takes independent jobs and yields ``(key, result)`` pairs as they finish, in any
order; callers sort by key. Every job carries its own seed and replication, so the results
do not depend on which executor or worker ran them (bit-identical by construction, checked
by the tests). At most ``window`` jobs are in flight, so memory stays flat however many jobs
a sweep has.

A job that kills its worker process (a crash, the OOM killer) does not sink the batch: its
companions are retried one at a time, and a job that kills its worker ``MAX_DEATHS`` times
is given to ``on_lost(key, args, error)`` (default: the job function's ``on_worker_lost``
attribute) whose result is yielded as the job's. Local worker processes ignore Ctrl-C (the
parent handles it and kills them) and exit by themselves when the parent dies.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

log = logging.getLogger(__name__)

Job = tuple[Hashable, Callable[..., Any], tuple[Any, ...]]
OnLost = Callable[[Hashable, tuple[Any, ...], str], Any]
MAX_DEATHS = 3
"""Worker deaths a job may cause before it is recorded as failed."""


def _lost(job: Job, on_lost: OnLost | None, error: str) -> Any:
    """The failure result of a job whose worker died, or an ExecutorError when nobody
    said how to record one."""
    key, fn, args = job
    handler = on_lost or getattr(fn, "on_worker_lost", None)
    if handler is None:
        raise ExecutorError(f"job {key!r}: {error}")
    log.warning("job %r recorded as failed: %s", key, error)
    return handler(key, args, error)


def short_text(exc: BaseException, limit: int = 120) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _watch_parent(parent: int) -> None:  # pragma: no cover - runs in the worker processes
    """Worker initializer: ignore Ctrl-C (the parent decides) and exit as soon as the parent
    process is gone (SIGKILL of a sweep must not leave orphans computing for minutes)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="ketensim-parent-watch", daemon=True).start()


class ExecutorError(Exception):
    """An executor that cannot start (no scheduler at the address, Dask not installed)."""


class Executor(Protocol):
    """Runs ``fn(*args)`` for every job; yields (key, result) as results come in."""

    name: str
    workers: int

    def run(self, jobs: Iterable[Job], on_lost: OnLost | None = None) -> Iterator[tuple[Any, Any]]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """In this process, one job after the other (debugging, profiling, tiny runs)."""

    name = "serial"
    workers = 1

    def run(self, jobs: Iterable[Job], on_lost: OnLost | None = None) -> Iterator[tuple[Any, Any]]:
        for key, fn, args in jobs:
            yield key, fn(*args)

    def close(self) -> None:
        pass

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProcessExecutor:
    """Local worker processes (the default: one per core)."""

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        cores = os.cpu_count() or 1
        if workers is not None and workers > cores:  # more processes than cores only add overhead
            log.warning("--workers %d is more than the %d core(s) here: using %d", workers, cores, cores)
            workers = cores
        self.workers = max(1, workers or cores)
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, initializer=_watch_parent,
                                   initargs=(os.getpid(),))

    def run(self, jobs: Iterable[Job], on_lost: OnLost | None = None) -> Iterator[tuple[Any, Any]]:
        """Windowed like ``_windowed``; after a worker death the jobs that were in flight
        are retried one at a time, so the one that kills its worker is found and, after
        ``MAX_DEATHS`` deaths, recorded failed while the rest go on."""
        if self._pool is None:
            self._pool = self._new_pool()
        it = iter(jobs)
        pending: dict[Future, Job] = {}
        suspects: deque[Job] = deque()
        deaths: dict[Hashable, int] = {}
        window = 2 * self.workers
        try:
            while True:
                isolating = bool(suspects) or any(j[0] in deaths for j in pending.values())
                refused = False
                while len(pending) < (1 if isolating else window):
                    job = suspects.popleft() if suspects else next(it, None)
                    if job is None:
                        break
                    try:
                        pending[self._pool.submit(job[1], *job[2])] = job
                    except BrokenProcessPool:  # a worker died since the last wait: not this job's fault
                        suspects.appendleft(job)
                        refused = True
                        break
                    isolating = isolating or job[0] in deaths
                if refused and not pending:
                    self._restart()
                    continue
                if not pending:
                    return
                done, _ = wait(set(pending), return_when=FIRST_COMPLETED)
                broken: list[Job] = []
                for fut in done:
                    job = pending.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        broken.append(job)
                        continue
                    deaths.pop(job[0], None)
                    yield job[0], result
                if not broken:
                    continue
                broken += pending.values()  # the pool is dead: the rest in flight fails too
                pending.clear()
                self._restart()
                for job in broken:
                    deaths[job[0]] = deaths.get(job[0], 0) + 1
                    if deaths[job[0]] >= MAX_DEATHS:
                        deaths.pop(job[0])
                        yield job[0], _lost(job, on_lost, f"its worker process died {MAX_DEATHS} times "
                                            "(crash or out of memory); not retried")
                    else:
                        suspects.append(job)
                log.warning("a worker process died; retrying %d job(s) one at a time", len(broken))
        except BaseException:  # Ctrl-C, or the consumer stopped: do not wait for running jobs
            self._kill()
            raise

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def _kill(self) -> None:
        """Kill the workers and take the pool down so that nothing prints at exit: the pool's
        manager thread is joined and unregistered from the interpreter's exit hook, which in
        Python 3.11 otherwise may wake it through a pipe it has closed already (``_python_exit
        ... OSError: [Errno 9] Bad file descriptor``, a traceback after Ctrl-C)."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        manager = getattr(pool, "_executor_manager_thread", None)
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                proc.kill()
        with contextlib.suppress(Exception):
            pool.shutdown(wait=False, cancel_futures=True)
        if manager is not None:
            with contextlib.suppress(Exception):
                manager.join(timeout=10)
            import concurrent.futures.process as cfp

            with contextlib.suppress(Exception):
                cfp._threads_wakeups.pop(manager, None)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ProcessExecutor:
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

    def run(self, jobs: Iterable[Job], on_lost: OnLost | None = None) -> Iterator[tuple[Any, Any]]:
        """As completed, windowed. A job whose workers died (the scheduler's
        ``allowed-failures``) may only have shared a worker with the culprit, so it is run
        again alone; killing its worker alone too, it is recorded through ``on_lost`` and
        the batch goes on."""
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        window = 2 * max(self.workers, 1)
        it = iter(jobs)
        keys: dict[Any, Job] = {}
        ac = as_completed()
        suspects: deque[Job] = deque()
        alone: set[Hashable] = set()

        def submit(job: Job) -> None:
            fut = self.client.submit(job[1], *job[2], pure=False, retries=0)
            keys[fut.key] = job
            ac.add(fut)

        while True:
            if suspects:
                if not keys:
                    job = suspects.popleft()
                    alone.add(job[0])
                    submit(job)
            else:
                while len(keys) < window:
                    job = next(it, None)  # type: ignore[assignment]
                    if job is None:
                        break
                    submit(job)
            if not keys:
                return
            fut = next(ac)
            job = keys.pop(fut.key)
            try:
                result = fut.result()
            except KilledWorker as exc:
                fut.release()
                if job[0] not in alone:
                    log.warning("job %r: its Dask worker died; running it again alone", job[0])
                    suspects.append(job)
                    continue
                result = _lost(job, on_lost, f"it killed its Dask worker repeatedly, also when run alone "
                                             f"({short_text(exc)}); not retried")
            alone.discard(job[0])
            fut.release()
            yield job[0], result

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskExecutor:
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
