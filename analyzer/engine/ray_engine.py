"""Running a batch on Ray (the ``kinetic[ray]`` extra): the same per-video job as the local
engine, one actor per worker, each holding its own pose model while it runs.

Every worker writes its result folder straight into OUTDIR, exactly as a local run does, so the
cluster's workers must see the same file system (one machine, or a shared mount) and have
kinetic installed. A worker lost mid-video (its process or node killed) is restarted and the
video retried, up to ``RETRIES`` times; after that it is reported failed and the batch goes on.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

RETRIES = 2


class EngineError(Exception):
    """Ray is missing or the cluster cannot be reached; ``str()`` is one line."""


def _ray():
    try:
        import ray
    except ImportError:
        raise EngineError("--engine ray needs Ray: pip install 'kinetic[ray]'") from None
    return ray


def run_ray(fn: Callable[..., Any], tasks: list[tuple], *, workers: int, address: str | None = None,
            init: Callable[[], None] | None = None, lost: Callable[[tuple], Any] | None = None) -> Iterator[Any]:
    """Yield ``fn(*task)`` for every task, in the order they finish, computed by ``workers``
    Ray actors (one CPU each). ``address``: an existing cluster (``ray start --head`` prints
    it; ``auto`` finds the local one); None starts a private local cluster of ``workers`` CPUs
    for this batch and stops it at the end. ``init`` runs once in each actor; a task whose
    actor is lost more than RETRIES times yields ``lost(task)``. On KeyboardInterrupt the
    running tasks are cancelled and the actors killed before it propagates (as
    :class:`analyzer.batch.BatchInterrupted`, with the tasks left undone)."""
    from ..batch import BatchInterrupted, core_groups

    ray = _ray()
    started_here = not ray.is_initialized()
    if started_here:
        try:
            kw = dict(address=address) if address else dict(num_cpus=workers)
            # Workers get the allocator cap `kinetic` gives itself (analyzer.malloc): flat memory
            ray.init(**kw, include_dashboard=False, log_to_driver=False, configure_logging=False,
                     runtime_env={"env_vars": {"MALLOC_ARENA_MAX": "2"}})
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"the Ray cluster at {address}" if address else "a local Ray cluster"
            raise EngineError(f"cannot start or reach {where}: {str(exc).splitlines()[0] if str(exc) else exc}") from None

    @ray.remote(num_cpus=1, max_restarts=RETRIES, max_task_retries=RETRIES)
    class Worker:
        def __init__(self, cores=None) -> None:
            if cores:  # this machine's cores split between the actors, as local batches do
                import os

                try:
                    os.sched_setaffinity(0, cores)
                except OSError:
                    pass
            if init is not None:
                init()

        def run(self, *task):
            return fn(*task)

    n = max(1, min(workers, len(tasks)))
    # A private cluster runs on this machine: each actor gets its own cores (analyzer.batch).
    groups = core_groups(n) if started_here and not address else []
    actors = [Worker.remote(groups[k] if groups else None) for k in range(n)]  # every one made, to kill at the end
    group_of = {id(a): (groups[k] if groups else None) for k, a in enumerate(actors)}
    pending = list(tasks)
    running: dict[Any, tuple[Any, tuple]] = {}  # object ref -> (actor, task)
    free = list(actors)
    try:
        while pending or running:
            while free and pending:
                actor, task = free.pop(), pending.pop(0)
                running[actor.run.remote(*task)] = (actor, task)
            ready, _ = ray.wait(list(running), num_returns=1)
            for ref in ready:
                actor, task = running.pop(ref)
                try:
                    result = ray.get(ref)
                except ray.exceptions.RayActorError:
                    result = lost(task) if lost else None
                    cores = group_of.get(id(actor))
                    actor = Worker.remote(cores)  # a fresh one in its place, on the same cores
                    group_of[id(actor)] = cores
                    actors.append(actor)
                except ray.exceptions.RayError as exc:
                    result = (task[0], None, f"{Path(str(task[0])).name}: not analysed (Ray: {_first_line(exc)})")
                free.append(actor)
                yield result
    except KeyboardInterrupt as exc:
        undone = [t for _, t in running.values()]
        for ref in running:
            ray.cancel(ref, force=True)
        raise BatchInterrupted(exc, undone, pending) from None
    finally:
        for actor in actors:
            try:
                ray.kill(actor)
            except Exception:  # noqa: BLE001 - already gone
                pass
        if started_here:
            ray.shutdown()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else exc.__class__.__name__
