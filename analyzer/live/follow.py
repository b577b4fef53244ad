"""Counting the foot exercises live, and ``--exercise auto``: analyze's own analysis, re-run on the
buffered session as it grows.

The squat has a causal depth signal and a streaming counter (:mod:`.processor`); the foot
exercises do not: their analyzers find the resting level, the rises and the holds over the whole
recording (zero-phase filters, resting percentiles). A second, causal copy of each would drift
from them (it did: live counted 0 of the 3 heel raises ``analyze`` found). So live runs exactly
what ``kinetic analyze`` runs (:func:`analyzer.assess.assess`) on the raw track buffered so far,
about once a second, off the live loop in the judge's worker process, and shows the reps that
analysis finds; each rep's verdict comes from the same analysis. The last analysis, when the
session ends, covers the whole session (up to ``WINDOW_S``): the live count is then the count
of ``analyze`` on the frames live processed.

``--exercise auto`` detects the exercise the way ``analyze --exercise auto`` does
(:func:`analyzer.exercises.detect_exercise_why`, inside ``assess``), once ``DETECT_MIN_S`` of
frames are buffered, and keeps the answer once two analyses in a row agree on it.

A rep is counted when an analysis first finds it complete; a later analysis that sees more of
the session may withdraw it (rare; it is logged). Pure bookkeeping: no OpenCV, no MediaPipe.
"""
from __future__ import annotations

import time
from concurrent.futures import BrokenExecutor, Future
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..track import PoseTrack

ANALYSE_EVERY_S = 1.0  # an analysis at most this often (session seconds) ...
COST_FACTOR = 2.0  # ... and at least this many times its last cost apart (the worker shares 2 cores)
WINDOW_S = 120.0  # the analysis looks back this far at most; reps before that are kept as counted
KEEP_S = 10.0  # a sliding window re-decides only reps whose key frame is this far inside it
MIN_SPAN_S = 1.5  # no analysis on less than this
DETECT_MIN_S = 3.0  # --exercise auto: no detection on less than this (2 s of a heel raise read as toe lifts)
DETECT_AGREE = 2  # analyses in a row that must agree before the exercise is kept
MATCH_S = 0.6  # two analyses' reps are the same rep when their key frames are this close
AUTO = "auto"
UNKNOWN = "unknown"


@dataclass
class WindowResult:
    """What one analysis of the buffered track found (plain data: it crosses processes).

    exercise: the exercise analysed (detected for auto: a name or "unknown"); why: what was
    seen instead when unknown. reps: complete reps as ``{rep: RepResult.as_dict(), faults,
    borderline: [Fault.as_dict()], root_cause}`` in session seconds; partial: [{bottom_s,
    reason}]. t0, t1: the window analysed; frames: its frame count; seconds: worker time.
    """

    exercise: str
    t0: float
    t1: float
    frames: int
    why: str = ""
    view: str = ""
    reps: list[dict] = field(default_factory=list)
    partial: list[dict] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0


def analyse_window(track: PoseTrack, exercise: str, profile_path: str | None, view_override: str | None) -> WindowResult:
    """``kinetic analyze``'s analysis of ``track`` (exercise "auto" detects it). Runs in the
    worker process; never raises."""
    from ..assess import assess

    start = time.perf_counter()
    t0, t1 = (float(track.t[0]), float(track.t[-1])) if len(track) else (0.0, 0.0)
    out = WindowResult(exercise, t0, t1, len(track))
    try:
        a = assess(track, exercise, view_override or "auto", profile_path)
        out.exercise, out.why, out.view = a.exercise, a.why_exercise, a.view.label
        if a.analysis is not None:
            out.reps = [dict(rep=r.as_dict(), faults=[f.as_dict() for f in r.faults],
                             borderline=[f.as_dict() for f in r.borderline],
                             root_cause=r.root_cause.code if r.root_cause else None) for r in a.analysis.reps]
            out.partial = [dict(bottom_s=round(r.bottom_s, 3), reason=r.reason) for r in a.analysis.partial_reps]
    except Exception as exc:  # never take the live session down
        out.error = f"{exc.__class__.__name__}: {exc}"
    out.seconds = time.perf_counter() - start
    return out


@dataclass
class Change:
    """What one analysis changed: ``added`` / ``withdrawn`` rep records (see
    :attr:`Follower.reps`), ``detected``: the exercise just kept by auto detection ('' if none)."""

    added: list[dict] = field(default_factory=list)
    withdrawn: list[dict] = field(default_factory=list)
    detected: str = ""
    result: WindowResult | None = None


class Follower:
    """Counts one exercise's reps from repeated analyses of the buffered session.

    Args:
        run: ``run(fn, *args) -> Future`` runs a job off the loop (:meth:`RepJudge.run`).
        exercise: a registered exercise, or "auto" (detect it first).
        since_s: session time the exercise started (an exercise switch): windows start there.
        profile_path, view_override: as for ``analyze``.
    Attributes:
        exercise: the exercise counted ("auto" until detected). reps: the counted reps, each
        ``{index, exercise, start_s, bottom_s, end_s, complete, judged, counted_by}`` (the
        shape of the loop's squat rep records). analyses: how many analyses came back.
    """

    def __init__(self, run: Callable[..., Future], exercise: str, *, since_s: float = 0.0,
                 profile_path: str | None = None, view_override: str | None = None) -> None:
        self._run = run
        self.exercise = exercise
        self.auto = exercise == AUTO
        self.since_s = since_s
        self.profile_path, self.view_override = profile_path, view_override
        self.reps: list[dict] = []
        self.detections: list[str] = []  # auto: the answer of each analysis until one is kept
        self.why = ""
        self.analyses = 0
        self.seconds: list[float] = []
        self.errors: list[str] = []
        self._future: Future | None = None
        self._sliding = False  # the running analysis's window starts after the exercise did
        self._final = False  # the running analysis is the session's last
        self._next_s = -np.inf

    @property
    def count(self) -> int:
        return len(self.reps)

    @property
    def detected(self) -> bool:
        return self.exercise != AUTO

    @property
    def busy(self) -> bool:
        return self._future is not None

    # --- scheduling ---------------------------------------------------------------------------

    def _span(self, now_s: float, first_s: float) -> tuple[float, float]:
        return max(self.since_s, first_s, now_s - WINDOW_S), now_s

    def maybe_submit(self, now_s: float, first_s: float, window: Callable[[float, float], PoseTrack]) -> bool:
        """Start an analysis of the buffered track if one is due and none is running.
        ``first_s``: the session's first frame time; ``window(t0, t1)`` cuts the track."""
        if self._future is not None or now_s < self._next_s:
            return False
        t0, t1 = self._span(now_s, first_s)
        if t1 - t0 < (DETECT_MIN_S if not self.detected else MIN_SPAN_S):
            return False
        self._submit(window(t0, t1), t0 > max(self.since_s, first_s))
        cost = self.seconds[-1] if self.seconds else 0.0
        self._next_s = now_s + max(ANALYSE_EVERY_S, COST_FACTOR * cost)
        return True

    def _submit(self, track: PoseTrack, sliding: bool, final: bool = False) -> None:
        self._sliding, self._final = sliding, final
        self._future = self._run(analyse_window, track, self.exercise, self.profile_path, self.view_override)

    def poll(self) -> Change | None:
        """The change made by a finished analysis, or None if none finished."""
        f = self._future
        if f is None or not f.done():
            return None
        self._future = None
        try:
            res = f.result()
        except BrokenExecutor:  # the worker process died: the next submit falls back to a thread
            self.errors.append("the analysis worker stopped")
            self._next_s = -np.inf
            return None
        except Exception as exc:  # never take the live session down
            self.errors.append(f"{exc.__class__.__name__}: {exc}")
            return None
        return self._merge(res)

    def finish(self, now_s: float, first_s: float, window: Callable[[float, float], PoseTrack],
               timeout: float = 60.0) -> list[Change]:
        """The session ends: wait for a running analysis, then analyse the whole session (up to
        ``WINDOW_S``) once more, so the final count is analyze's on the frames live saw."""
        changes = []
        deadline = time.monotonic() + timeout
        for final in (False, True):
            if final:
                t0, t1 = self._span(now_s, first_s)
                if t1 - t0 < MIN_SPAN_S:
                    break
                self._submit(window(t0, t1), t0 > max(self.since_s, first_s), final=True)
            while self._future is not None and not self._future.done() and time.monotonic() < deadline:
                time.sleep(0.01)
            c = self.poll()
            if c is not None:
                changes.append(c)
        return changes

    # --- merging ------------------------------------------------------------------------------

    def _merge(self, res: WindowResult) -> Change:
        self.analyses += 1
        self.seconds.append(res.seconds)
        change = Change(result=res)
        if res.error:
            self.errors.append(res.error)
            return change
        if not self.detected:
            self.detections.append(res.exercise)
            self.why = res.why
            # The session's last analysis sees it all, as ``analyze --exercise auto`` does: its
            # answer stands alone.
            recent = self.detections[-(1 if self._final else DETECT_AGREE):]
            if len(recent) < (1 if self._final else DETECT_AGREE) or len(set(recent)) != 1 or recent[0] == UNKNOWN:
                return change
            self.exercise = change.detected = recent[0]
            # The reps found by this (auto) analysis are the detected exercise's: count them.
        elif res.exercise != self.exercise:  # not ours (a switch raced the analysis)
            return change
        # A window that does not reach back to where the exercise started re-decides only the
        # reps well inside it; the earlier ones stay as counted.
        edge = res.t0 + KEEP_S if self._sliding else -np.inf
        kept = [r for r in self.reps if r["bottom_s"] < edge]
        found = [self._record(d, res) for d in res.reps if d["rep"]["bottom_s"] >= edge]
        old = [r for r in self.reps if r["bottom_s"] >= edge]
        new: list[dict] = []
        for rec in found:
            same = next((o for o in old if abs(o["bottom_s"] - rec["bottom_s"]) <= MATCH_S), None)
            if same is not None:
                old.remove(same)
                same.update({k: v for k, v in rec.items() if k != "index"})  # the newer analysis's numbers
                new.append(same)
            else:
                new.append(rec)
                change.added.append(rec)
        change.withdrawn = old
        self.reps = sorted(kept + new, key=lambda r: r["bottom_s"])
        for i, r in enumerate(self.reps, 1):
            r["index"] = i
        return change

    def _record(self, d: dict, res: WindowResult) -> dict:
        rep = d["rep"]
        return dict(index=0, exercise=res.exercise, start_s=rep["start_s"], bottom_s=rep["bottom_s"],
                    end_s=rep["end_s"], complete=True, counted_by="analysis",
                    judged=dict(confirmed=True, view=rep.get("view", res.view), root_cause=d["root_cause"],
                                faults=d["faults"], borderline=d["borderline"], metrics=rep.get("metrics", {}),
                                judged=rep.get("judged", []), not_judged=rep.get("not_judged", []),
                                analysis_s=round(res.seconds, 3)))
