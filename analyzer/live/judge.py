"""Judging each finished rep with the offline analysis, off the live loop.

When the streaming counter closes a rep, the loop waits ``JUDGE_DELAY_S`` (so the zero-phase
filter and the offline segmentation see the person back at standing), cuts the buffered raw
track from ``PRE_ROLL_S`` before the rep's start to now, and hands it to a worker process that
runs exactly what ``kinetic analyze`` runs. The rep
of that analysis whose bottom matches the live rep's gives the faults (``analyzer.assess``: the
same pose-quality gate, view, analysis and verdict rules as ``analyze``). A separate process keeps
the analysis's Python loops from holding the GIL the live loop needs (measured: a window costs
0.2-0.5 s of CPU on this 2-core machine).

On the real clips, windows of 3 s before + 0.5 s after give every rep the same faults as
analyzing the whole clip (tests/test_live.py checks it through live mode).
"""
from __future__ import annotations

import os
import time
from concurrent.futures import (
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
)
from dataclasses import dataclass, field

from ..track import PoseTrack

JUDGE_DELAY_S = 0.5
PRE_ROLL_S = 3.0
MATCH_S = 0.6  # the offline rep's bottom must be this close to the live rep's


@dataclass
class Judgement:
    """The offline verdict on one live rep.

    live_index: the live rep's 1-based number. confirmed: the offline analysis of the window
    found the rep complete. rep: its ``RepResult.as_dict()`` (times in session seconds). faults:
    ``Fault.as_dict()`` of each fault. view: the window's view. seconds: worker time.
    """

    live_index: int
    confirmed: bool
    exercise: str
    view: str = ""
    rep: dict | None = None
    faults: list[dict] = field(default_factory=list)
    root_cause: str | None = None
    error: str = ""
    seconds: float = 0.0
    borderline: list[dict] = field(default_factory=list)


def judge_window(track: PoseTrack, live_index: int, bottom_s: float, exercise: str, profile_path: str | None,
                 view_override: str | None) -> Judgement:
    """Run the offline analysis on ``track`` and return the verdict on the rep whose bottom is
    nearest ``bottom_s`` (session seconds). Runs in the worker process."""
    from ..assess import assess

    start = time.perf_counter()
    try:
        a = assess(track, exercise, view_override or "auto", profile_path)
        near = [r for r in a.analysis.reps if abs(r.bottom_s - bottom_s) <= MATCH_S] if a.analysis else []
        if not near:
            return Judgement(live_index, False, exercise, a.view.label, seconds=time.perf_counter() - start)
        r = min(near, key=lambda r: abs(r.bottom_s - bottom_s))
        return Judgement(live_index, True, exercise, r.view, r.as_dict(), [f.as_dict() for f in r.faults],
                         r.root_cause.code if r.root_cause else None, seconds=time.perf_counter() - start,
                         borderline=[f.as_dict() for f in r.borderline])
    except Exception as exc:  # never take the live session down
        return Judgement(live_index, False, exercise, error=f"{exc.__class__.__name__}: {exc}",
                         seconds=time.perf_counter() - start)


def _background() -> None:
    """Worker initializer: below the live loop in the scheduler (2 cores are shared with the pose
    model and the loop; a judgement may as well take a little longer)."""
    from ..stopping import exit_with_parent

    exit_with_parent()  # a live session killed by a signal must not leave its judge behind
    try:
        os.nice(10)
    except (AttributeError, OSError):
        pass


def _warm() -> bool:
    """Import the analysis in the worker before the first rep needs it."""
    from ..assess import assess  # noqa: F401
    from ..exercises import detect, squat  # noqa: F401  (detect imports the foot exercises' signals)
    from ..exercises import foot_roll, foot_spine, footwork, heel_raise, toe_lift, toe_walk  # noqa: F401

    return True


class RepJudge:
    """Schedules and collects rep judgements.

    Args:
        profile_path, view_override: as for ``analyze``.
        process: run the analysis in a worker process (default); False uses a thread.
    """

    def __init__(self, profile_path: str | None, view_override: str | None, *, process: bool = True) -> None:
        self.profile_path = profile_path
        self.view_override = view_override
        self._pool: Executor
        self.mode = "process" if process else "thread"
        try:
            if not process:
                raise OSError("threads asked for")
            import multiprocessing as mp

            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"), initializer=_background)
            self._pool.submit(_warm)
        except (OSError, BrokenExecutor, RuntimeError):
            self._use_threads()
        self._waiting: list[tuple[float, int, float, float, str]] = []  # due, index, start_s, bottom_s, exercise
        self._running: dict[Future, tuple] = {}  # future -> the arguments, to retry on a thread
        self.results: dict[int, Judgement] = {}

    def _use_threads(self) -> None:
        """Fall back to a thread (a worker process could not start, e.g. an unguarded script)."""
        old = getattr(self, "_pool", None)
        if old is not None:
            old.shutdown(wait=False, cancel_futures=True)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="judge")
        self.mode = "thread"

    def _submit(self, args: tuple) -> None:
        try:
            future = self._pool.submit(judge_window, *args)
        except (BrokenExecutor, RuntimeError):
            self._use_threads()
            future = self._pool.submit(judge_window, *args)
        self._running[future] = args

    def run(self, fn, *args) -> Future:
        """Run ``fn(*args)`` on the judge's worker (the foot exercises' analyses, see
        :mod:`.follow`); a worker process that cannot take it is replaced by a thread."""
        try:
            return self._pool.submit(fn, *args)
        except (BrokenExecutor, RuntimeError):
            self._use_threads()
            return self._pool.submit(fn, *args)

    def schedule(self, live_index: int, start_s: float, bottom_s: float, end_s: float, exercise: str) -> None:
        """Judge the live rep once the session time passes ``end_s + JUDGE_DELAY_S``."""
        self._waiting.append((end_s + JUDGE_DELAY_S, live_index, start_s, bottom_s, exercise))

    def submit_due(self, now_s: float, window, *, all_now: bool = False) -> None:
        """Send the reps that are due; ``window(t0, t1) -> PoseTrack`` cuts the session track."""
        keep = []
        for item in self._waiting:
            due, index, start_s, bottom_s, exercise = item
            if all_now or now_s >= due:
                track = window(start_s - PRE_ROLL_S, now_s)
                self._submit((track, index, bottom_s, exercise, self.profile_path, self.view_override))
            else:
                keep.append(item)
        self._waiting = keep

    def poll(self) -> list[Judgement]:
        """Judgements finished since the last call."""
        done = [f for f in self._running if f.done()]
        out = []
        for f in done:
            args = self._running.pop(f)
            try:
                j = f.result()
            except BrokenExecutor:  # the worker process died: judge on a thread from now on
                if self.mode == "process":
                    self._use_threads()
                    self._submit(args)
                    continue
                j = Judgement(args[1], False, args[3], error="the judge worker stopped")
            except Exception as exc:  # never take the live session down
                j = Judgement(args[1], False, args[3], error=f"{exc.__class__.__name__}: {exc}")
            self.results[j.live_index] = j
            out.append(j)
        return out

    @property
    def pending(self) -> int:
        return len(self._waiting) + len(self._running)

    def drain(self, now_s: float, window, timeout: float = 60.0) -> list[Judgement]:
        """Submit everything still waiting and collect all results (the session is ending)."""
        self.submit_due(now_s, window, all_now=True)
        deadline = time.monotonic() + timeout
        out = []
        while self._running and time.monotonic() < deadline:
            out.extend(self.poll())
            time.sleep(0.01)
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
