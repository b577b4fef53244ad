"""Running a batch of videos in worker processes, and stopping it cleanly.

``run_batch(fn, items, jobs)`` keeps ``jobs`` spawned workers busy, handing each one item at a
time over its own pipe (nothing is queued inside a worker, so a queued item is one the parent
never sent). On a stop signal in the parent (a :class:`KeyboardInterrupt`, which
:mod:`analyzer.stopping` makes of SIGINT, SIGTERM and SIGHUP) no new item is sent, every worker
gets SIGTERM (it stops its job, which removes its work folder, and exits), stragglers are killed
after a grace period, and the interrupt propagates with the items left undone attached. No
semaphores, so no multiprocessing resource tracker is started that could outlive the parent.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import time
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator

# One worker holds MediaPipe, the decoder and the replay encoder: ~390 MB measured on a 1080p
# clip; the cap leaves headroom for longer clips and the parent.
WORKER_MB = 600
STOP_GRACE_S = 20.0  # seconds a stopped worker gets to remove its work folder


def job_cap(wanted: int) -> tuple[int, str]:
    """``wanted`` workers capped by the usable cores and by the memory available now, at
    ``WORKER_MB`` each. Returns the count and why it is lower than asked ('' when it is not)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    avail_mb = available_mb()
    by_mem = max(1, int(avail_mb // WORKER_MB)) if avail_mb else wanted
    n = max(1, min(wanted, cores, by_mem))
    if n == wanted:
        return n, ""
    if n == cores and cores <= by_mem:
        return n, f"{cores} cores"
    return n, f"{avail_mb / 1024:.1f} GB of memory available, ~{WORKER_MB} MB per job"


def available_mb() -> float:
    """MemAvailable from /proc/meminfo in MB, or 0 where there is none."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def core_groups(jobs: int) -> list[set[int]]:
    """The usable cores split into ``jobs`` disjoint groups (round robin), one per worker; []
    when there are fewer cores than jobs, only one job, no affinity API, or ``KINETIC_NO_PIN`` is
    set. Each of kinetic's jobs runs threads of its own (the decoder, MediaPipe, the replay's
    x264): unpinned, two jobs on two cores spread their threads over both and contend (8 real
    clips: --jobs 2 took 1.44x less time than --jobs 1, where one job on one core runs only
    0-14 % slower than on two)."""
    if jobs < 2 or os.environ.get("KINETIC_NO_PIN") or not hasattr(os, "sched_getaffinity"):
        return []
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < jobs:
        return []
    return [set(cores[k::jobs]) for k in range(jobs)]


def _worker(conn, fn: Callable, init: Callable | None, cores: set[int] | None = None) -> None:
    if cores:
        try:
            os.sched_setaffinity(0, cores)  # before any thread starts: they inherit it
        except OSError:
            pass
    if init is not None:
        init()
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        conn.send(fn(*task))


class BatchInterrupted(KeyboardInterrupt):
    """The batch was stopped. ``cause``: the original interrupt; ``undone``: the items that
    were running (stopped) or never started (cancelled)."""

    def __init__(self, cause: BaseException, running: list, queued: list) -> None:
        super().__init__(str(cause))
        self.cause, self.running, self.queued = cause, running, queued
        self.signum = getattr(cause, "signum", 2)

    @property
    def name(self) -> str:
        return getattr(self.cause, "name", "SIGINT")

    @property
    def exit_code(self) -> int:
        return getattr(self.cause, "exit_code", 130)


def run_batch(fn: Callable[..., Any], tasks: Iterable[tuple], jobs: int, *,
              init: Callable[[], None] | None = None, lost: Callable[[tuple], Any] | None = None) -> Iterator[Any]:
    """Yield ``fn(*task)`` for every task, computed in ``jobs`` spawned processes, in the order
    they finish. ``init`` runs once in each worker. A worker that dies mid-task (killed from
    outside) yields ``lost(task)`` and is replaced. Raises BatchInterrupted on a stop signal."""
    ctx = mp.get_context("spawn")  # MediaPipe and FFmpeg run threads: never fork them
    pending = list(tasks)
    workers: dict[Any, tuple[Any, tuple | None]] = {}  # conn -> (process, task it is doing)
    groups = core_groups(min(jobs, len(pending)))
    slot: dict[Any, int] = {}  # conn -> its worker's core group

    def start() -> None:
        free = [k for k in range(len(groups)) if k not in slot.values()]
        k = free[0] if free else None
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_worker, args=(child, fn, init, groups[k] if k is not None else None), daemon=True)
        p.start()
        child.close()
        workers[parent] = (p, None)
        if k is not None:
            slot[parent] = k

    try:
        for _ in range(min(jobs, len(pending))):
            start()
        for conn in list(workers):
            p, _ = workers[conn]
            task = pending.pop(0)
            conn.send(task)
            workers[conn] = (p, task)
        while any(t is not None for _, t in workers.values()):
            ready = wait(list(workers) + [p.sentinel for p, _ in workers.values()])
            for conn in [c for c in list(workers) if c in ready or workers[c][0].sentinel in ready]:
                p, task = workers[conn]
                try:
                    result = conn.recv()
                except (EOFError, OSError):  # the worker died
                    del workers[conn]
                    slot.pop(conn, None)
                    p.join(1)
                    if task is not None:
                        yield lost(task) if lost else None
                    if pending:
                        start()
                        new = next(c for c in workers if workers[c][1] is None)
                        nxt = pending.pop(0)
                        new.send(nxt)
                        workers[new] = (workers[new][0], nxt)
                    continue
                if pending:
                    nxt = pending.pop(0)
                    conn.send(nxt)
                    workers[conn] = (p, nxt)
                else:
                    conn.send(None)
                    workers[conn] = (p, None)
                yield result
    except KeyboardInterrupt as exc:
        running = [t for _, t in workers.values() if t is not None]
        _stop(workers)
        raise BatchInterrupted(exc, running, pending) from None
    finally:
        _stop(workers)


def _stop(workers: dict) -> None:
    """SIGTERM every live worker, wait up to STOP_GRACE_S, then SIGKILL; close the pipes."""
    procs = [p for p, _ in workers.values()]
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + STOP_GRACE_S
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(5)
    for conn in workers:
        conn.close()
    workers.clear()
