"""The live loop: newest frame -> pose -> causal processing -> screen, and the session around it.

Threads: the source's capture thread (frames into a one-frame slot), this loop (pose model,
processing, drawing, the window: OpenCV windows live on the main thread), the recorder's
writer thread, and a worker process judging finished reps. The loop never waits for the
recorder or the judge.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

# OpenCV before PyAV: both wheels bundle their own libxcb, and Qt's window plugin hangs in
# cv2.namedWindow when PyAV's copy was loaded first. Importing cv2 first loads OpenCV's.
import cv2  # (must precede .sources, which imports av)
import numpy as np

from .follow import AUTO, Follower
from .judge import Judgement, RepJudge
from .processor import LIVE_DEPTH, LiveProcessor, LiveState
from .sources import CameraSource, FrameSource, SourceError, VideoFileSource


# The number the event line gives for a rep counted by the analysis (.follow).
KEY_METRICS = ("heel_height", "point_deg", "flex_deg", "roll_in_deg", "roll_out_deg")


class LiveError(Exception):
    """A problem the user can act on (no camera, bad file, no display...); ``str()`` is one line."""


@dataclass
class LiveOptions:
    """Options of ``kinetic live`` (see ``kinetic live --help``)."""

    camera: int = 0
    source: str | None = None  # a video file played as a camera; overrides ``camera``
    exercise: str = "squat"
    view: str = "auto"
    model: str = "full"
    profile: str | None = None
    record: Path | None = Path("kinetic-live")  # parent folder of the session folder; None: no recording
    window: bool = True
    render: bool | None = None  # draw the screen without a window (benchmarks); default: = window
    mirror: bool | None = None  # default: mirrored for a camera, not for a file
    duration_s: float | None = None  # stop after this long
    speed: float = 1.0  # --source playback speed
    loop: bool = False  # --source starts over at its end
    start: float | None = None  # --source: seconds into the video to start at
    end: float | None = None  # --source: seconds into the video to stop at
    pose_max_side: int = 640  # frames are scaled down to this for the pose model (landmarks are normalised)
    camera_size: tuple[int, int] = (640, 480)
    replay: bool = True
    quiet: bool = False
    judge_process: bool = True
    # The history (an analyzer.history_cli.HistoryRun, or anything with ``prior`` and
    # ``append(summary, folder)``): the saved folder gets history.json from ``prior`` and the
    # session is appended once the folder is published. None: the history is left alone.
    history: object | None = None
    # Hooks for a caller that drives live sessions (kinetic routine):
    session_name: str | None = None  # the saved folder's name (default live-YYYYmmdd-HHMMSS)
    overlay: Callable | None = None  # overlay(display image, state, hud) -> image to show (may be larger)
    stop_actions: tuple[str, ...] = ()  # key/on_frame actions that end the session (as its ended_by)
    discard_actions: tuple[str, ...] = ()  # ... and of those, the ones whose session is not saved
    key_help: str | None = None  # the key line at the bottom of the screen


@dataclass
class LiveResult:
    outdir: Path | None  # the saved session folder (None if not recorded)
    summary: dict | None
    stats: dict
    reps: list[dict] = field(default_factory=list)
    ended_by: str = ""


def _log(opts: LiveOptions, msg: str) -> None:
    if not opts.quiet:
        print(msg, flush=True)


def run_live(opts: LiveOptions, *, source: FrameSource | None = None,
             on_frame: Callable[[np.ndarray | None, LiveState, object], str | None] | None = None,
             window=None) -> LiveResult:
    """Run a live session until quit, the end of the source, ``duration_s`` or Ctrl-C; then save it.

    Args:
        source: a ready :class:`FrameSource` (tests); default from ``opts.source``/``opts.camera``.
        on_frame: called after each processed frame is shown with (display image or None, state,
            captured frame); may return a key action ('quit', 'pause', 'baseline', 'exercise', or
            one of ``opts.stop_actions``).
        window: an open :class:`~analyzer.live.ui.Window` to show the session in (the caller's:
            left open at the end); default: one is opened (and closed) if ``opts.window``.
    Raises:
        LiveError: one-line reason (no camera, unreadable source, no display, bad model/profile).
    """
    from ..exercises import ANALYZERS
    from ..models import ModelError, resolve_model
    from ..pipeline import AnalysisError, load_checked_profile

    if opts.exercise not in ANALYZERS and opts.exercise != AUTO:
        raise LiveError(f"unknown exercise {opts.exercise!r} (choose from auto, {', '.join(ANALYZERS)})")
    if opts.view not in ("auto", "front", "side", "rear"):
        raise LiveError(f"unknown view {opts.view!r}")
    try:
        profile = _profile(opts.profile, opts.exercise)
    except AnalysisError as exc:
        raise LiveError(str(exc)) from None
    if source is None:
        source = (VideoFileSource(opts.source, speed=opts.speed, loop=opts.loop, trim=(opts.start, opts.end))
                  if opts.source
                  else CameraSource(opts.camera, width=opts.camera_size[0], height=opts.camera_size[1]))
    try:
        source.open()
    except SourceError as exc:
        raise LiveError(str(exc)) from None
    owned = window is None
    if window is None and opts.window:
        from .ui import Window, WindowError

        try:
            window = Window()
        except WindowError as exc:
            source.stop()
            raise LiveError(str(exc)) from None
    try:
        model_path = resolve_model(opts.model, progress=not opts.quiet)
        from ..pose import PoseEstimator

        PoseEstimator(model_path).close()  # a bad bundle fails here, before the session starts
    except ModelError as exc:
        source.stop()
        if window and owned:
            window.close()
        raise LiveError(str(exc)) from None
    session = _Session(opts, source, window, profile, model_path, on_frame)
    session.owns_window = owned
    return session.run()


def _profile(path: str | None, exercise: str, *, detected: bool = False):
    """The thresholds live uses for ``exercise``; for "auto" the file is checked against every
    exercise (as ``analyze --exercise auto``) and the squat's followed until one is detected.
    AnalysisError for a bad file."""
    from ..pipeline import AnalysisError, check_profile, load_checked_profile
    from ..profile import ProfileError, load_profile

    if exercise == AUTO:
        if path is not None:
            check_profile(path, AUTO)
        exercise, detected = "squat", True
    if not detected:
        return load_checked_profile(path, exercise)
    try:
        return load_profile(path, exercise, detected=True)
    except ProfileError as exc:
        raise AnalysisError(str(exc)) from None


class _Session:
    """One live session: the loop and its bookkeeping (see :func:`run_live`)."""

    def __init__(self, opts: LiveOptions, source: FrameSource, window, profile, model_path: Path, on_frame) -> None:
        from .buffer import TrackBuffer
        from .session import SessionRecorder, new_session_folder, session_name

        self.opts, self.source, self.window, self.model_path, self.on_frame = opts, source, window, model_path, on_frame
        self.is_camera = isinstance(source, CameraSource)
        self.mirror = opts.mirror if opts.mirror is not None else self.is_camera
        self.render = opts.render if opts.render is not None else window is not None or on_frame is not None
        self.name = opts.session_name or session_name()
        self.owns_window = True
        self.work = self.final = None
        self.recorder = None
        width, height = source.width, source.height
        if opts.record is not None:
            try:
                self.work, self.final = new_session_folder(Path(opts.record), self.name)
                self.recorder = SessionRecorder(self.work, width, height, source.fps)
            except OSError as exc:
                source.stop()
                raise LiveError(f"cannot write the session to {opts.record}: {(exc.strerror or str(exc)).lower()}") from None
            if (self.recorder.out_width, self.recorder.out_height) not in ((width, height), (width + width % 2, height + height % 2)):
                width, height = self.recorder.out_width, self.recorder.out_height  # landmarks are normalised
        self.buffer = TrackBuffer(width, height, source.fps)
        self.processor = LiveProcessor(self.buffer, opts.exercise, profile,
                                       view_override=None if opts.view == "auto" else opts.view)
        self.profiles = {opts.exercise: profile}
        self.judge = RepJudge(opts.profile, None if opts.view == "auto" else opts.view, process=opts.judge_process)
        # The foot exercises, and auto until it knows the exercise, are counted by analyze's own
        # analysis of the buffered session (see .follow); the squat by the live depth counter.
        self.follower = self._follower(opts.exercise, 0.0)
        self.held_events: list = []  # auto: the provisional squat counter's reps, until detection
        self.exercise_log: list[tuple[float, str]] = [(0.0, opts.exercise)]
        self.reps: list[dict] = []
        self.latency_ms: list[float] = []
        self.pose_ms: list[float] = []
        self.work_ms: list[float] = []
        self.stages: list[tuple[float, float, float, float]] = []  # seconds: capture wait, pose, result wait, draw+show
        self.processed = 0
        self.t_last = 0.0
        self.last_guidance = None
        self.ended_by = ""

    # --- the loop -----------------------------------------------------------------------------

    def run(self) -> LiveResult:
        from ..pose import PoseEstimator
        from .ui import Hud, Renderer

        opts = self.opts
        self.hud = Hud(exercise="auto: detecting" if opts.exercise == AUTO else opts.exercise,
                       counting=opts.exercise != AUTO, min_amplitude=self.processor.counter.params.min_amplitude)
        if opts.key_help is not None:
            self.hud.keys = opts.key_help
        self.renderer = Renderer(self.source.width, self.source.height, mirror=self.mirror) if self.render else None
        self.load_start = os.getloadavg()
        self.wall_start = time.perf_counter()
        self.worker: _PoseWorker | None = None
        _log(opts, f"live: {self.source.name} {self.source.width}x{self.source.height}, {opts.exercise}; "
                   + ("keys: q quit, p pause, b re-baseline, e exercise" if self.window else "Ctrl-C to stop"))
        try:
            with PoseEstimator(self.model_path) as estimator:
                self.worker = _PoseWorker(self.source, estimator, opts.pose_max_side)
                try:
                    self.source.start()
                    self.capture_start = time.perf_counter()
                    self.worker.start()
                    self._loop()
                finally:  # the model must outlive the thread that calls it
                    self.source.stop()
                    self.worker.stop()
        except KeyboardInterrupt:
            self.ended_by = "interrupted"
        except Exception as exc:  # a bug or a broken window: still save what was recorded
            self.ended_by = f"error: {exc.__class__.__name__}: {' '.join(str(exc).split())[:200]}"
            print(f"kinetic: live session stopped by an error ({self.ended_by[7:]}); saving what was recorded",
                  file=sys.stderr, flush=True)
        finally:
            self.source.stop()
            if self.window is not None and self.owns_window:
                self.window.close()
        return self._finish()

    def _loop(self) -> None:
        """Show each posed frame until quit, the end of the source or the time limit."""
        opts, worker = self.opts, self.worker
        last_rgb, last_state = None, None
        while True:
            if opts.duration_s is not None and time.perf_counter() - self.capture_start >= opts.duration_s:
                self.ended_by = "time limit"
                break
            if worker.error:
                raise worker.error
            if self.hud.paused:
                if worker.done.is_set():
                    self.ended_by = f"source ended: {self.source.end_reason}"
                    break
                if self.window is not None:
                    shown = self._render(last_rgb, last_state) if last_rgb is not None else None
                    if self._act(self.window.show(shown) if shown is not None else self.window.poll()):
                        break
                time.sleep(0.03)
                continue
            res = worker.results.take(timeout=0.01 if self.window else 0.2)
            if res is None:
                if worker.done.is_set():
                    self.ended_by = f"source ended: {self.source.end_reason}"
                    break
                if self.window and self._act(self.window.poll()):
                    break
                self._judgements()
                continue
            state, shown = self._process(res)
            last_rgb, last_state = res.frame.rgb, state
            action = ""
            if self.window is not None:
                action = self.window.show(shown)
            if self.on_frame is not None:
                action = self.on_frame(shown, state, res.frame) or action
            done = time.perf_counter()
            self.latency_ms.append(1000 * (done - res.frame.t))
            self.stages.append((res.picked - res.frame.t, res.posed - res.picked, self._taken - res.posed,
                                done - self._taken))
            if self._act(action):
                break

    def _process(self, res: "_Posed") -> tuple[LiveState, np.ndarray | None]:
        start = self._taken = time.perf_counter()
        t, rgb = res.t, res.frame.rgb
        keep = self.recorder.add(rgb, t) if self.recorder is not None else True
        state = self.processor.update(t, res.image, res.world, keep=keep)
        self.processed += 1
        self.t_last = t
        if state.event is not None:
            self._counter_event(state.event)
        self._follow()
        if self.follower is not None:  # counted by the analysis (auto: not yet known, nothing shown)
            state.in_rep = 0
            if self.follower.detected:
                state.reps = self.follower.count
        self._judgements()
        self._guidance(state)
        shown = None
        if self.renderer is not None:
            self._hud_perf()
            shown = self._render(rgb, state)
        self.pose_ms.append(res.pose_ms)
        self.work_ms.append(1000 * (time.perf_counter() - start))
        return state, shown

    def _render(self, rgb: np.ndarray, state: LiveState) -> np.ndarray:
        shown = self.renderer.render(rgb, state, self.hud)
        if self.opts.overlay is not None:
            shown = self.opts.overlay(shown, state, self.hud)
        return shown

    def _hud_perf(self) -> None:
        n = len(self.latency_ms)
        if n and n % 10 == 0:
            t = self.buffer.rate(2.0) if len(self.buffer) > 2 else 0.0
            self.hud.fps = t
            self.hud.latency_ms = float(np.median(self.latency_ms[-30:]))

    def _act(self, action: str) -> bool:
        """Handle a key; True to stop."""
        if action == "quit" or (action and action in self.opts.stop_actions):
            self.ended_by = action
            return True
        now = time.perf_counter()
        if action == "pause":
            self.hud.paused = not self.hud.paused
            if self.worker is not None:
                self.worker.paused = self.hud.paused
                if self.hud.paused:  # a frame posed just before the pause is not shown after it
                    self.worker.paused_frames += self.worker.results.discard()
        elif action == "baseline":
            self.processor.request_baseline()
            self.hud.notice, self.hud.notice_until = "baseline cleared: stand still for a second", now + 3.0
        elif action == "exercise":
            self._switch_exercise(now)
        return False

    def _switch_exercise(self, now: float) -> None:
        from ..exercises import ANALYZERS
        from ..pipeline import AnalysisError, load_checked_profile

        names = list(ANALYZERS)
        if len(names) < 2:
            self.hud.notice, self.hud.notice_until = f"only {names[0]} is available so far", now + 3.0
            return
        cur = self.processor.exercise
        nxt = names[(names.index(cur) + 1) % len(names)] if cur in names else names[0]
        try:
            profile = self.profiles.get(nxt) or load_checked_profile(self.opts.profile, nxt)
        except AnalysisError as exc:
            self.hud.notice, self.hud.notice_until = str(exc)[:80], now + 3.0
            return
        self.profiles[nxt] = profile
        self.processor.set_exercise(nxt, profile)
        self.held_events.clear()
        self.follower = self._follower(nxt, self.t_last)
        self.exercise_log.append((self.t_last, nxt))
        self.hud.exercise, self.hud.counting = nxt, True
        self.hud.min_amplitude = self.processor.counter.params.min_amplitude
        self.hud.notice, self.hud.notice_until = f"exercise: {nxt.replace('_', ' ')}", now + 3.0

    # --- reps and verdicts ----------------------------------------------------------------------

    def _follower(self, exercise: str, since_s: float) -> Follower | None:
        if exercise in LIVE_DEPTH:
            return None
        return Follower(self.judge.run, exercise, since_s=since_s, profile_path=self.opts.profile,
                        view_override=None if self.opts.view == "auto" else self.opts.view)

    def _counter_event(self, ev) -> None:
        """A rep closed by the live depth counter; in auto mode held until the exercise is known."""
        if self.follower is not None and not self.follower.detected:
            self.held_events.append(ev)
        elif self.follower is None:
            self._rep_event(ev)

    def _follow(self, *, final: bool = False) -> None:
        """Start the next analysis of the buffered session, take in a finished one (.follow)."""
        f = self.follower
        if f is None or not len(self.buffer):
            return
        t = self.buffer.t
        if final:
            changes = f.finish(self.t_last, float(t[0]), self.buffer.window)
        else:
            change = f.poll()
            changes = [change] if change is not None else []
            f.maybe_submit(self.t_last, float(t[0]), self.buffer.window)
        for c in changes:
            self._apply_change(f, c)
            if self.follower is not f:  # the squat was detected: its own counter goes on
                break

    def _apply_change(self, f: Follower, c) -> None:
        if c.detected:
            self._detected(f, c.detected)
            if self.follower is not f:
                return
        for rec in c.withdrawn:
            _log(self.opts, f"live: rep at {rec['bottom_s']:.1f} s withdrawn (the analysis of more of the session "
                            "does not find it)")
            if rec in self.reps:
                self.reps.remove(rec)
        from .ui import verdict_from

        now = time.perf_counter()
        for rec in c.added:
            self.reps.append(rec)
            j = rec["judged"]
            extra = ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in j["metrics"].items()
                              if k in KEY_METRICS and v is not None)
            _log(self.opts, f"live: rep {rec['index']} at {rec['bottom_s']:.1f} s ({rec['exercise'].replace('_', ' ')}"
                            + (f", {extra}" if extra else "") + ")")
            rep = dict(judged=j["judged"], not_judged=j["not_judged"])
            self.hud.verdict = verdict_from(Judgement(rec["index"], True, rec["exercise"], j["view"], rep, j["faults"],
                                                    j["root_cause"], borderline=j["borderline"]), now)
            for text, _ in self.hud.verdict.lines:
                _log(self.opts, f"live: {text}")
        self.reps.sort(key=lambda r: r["bottom_s"])

    def _detected(self, f: Follower, name: str) -> None:
        """``--exercise auto`` found the exercise: count it from now on (its reps so far too)."""
        _log(self.opts, f"live: exercise detected: {name.replace('_', ' ')} (at {self.t_last:.1f} s)")
        try:
            profile = self.profiles.get(name) or _profile(self.opts.profile, name, detected=True)
        except Exception:  # checked for every exercise at start
            profile = self.processor.profile
        self.profiles[name] = profile
        self.processor.adopt(name, profile)
        if self.exercise_log[-1][1] == AUTO:  # the detection covers the session so far
            self.exercise_log[-1] = (self.exercise_log[-1][0], name)
        self.hud.exercise, self.hud.counting = f"{name} (auto)", True
        self.hud.min_amplitude = self.processor.counter.params.min_amplitude
        self.hud.notice, self.hud.notice_until = f"exercise: {name.replace('_', ' ')}", time.perf_counter() + 3.0
        held, self.held_events = self.held_events, []
        if name in LIVE_DEPTH:
            self.follower = None  # the squat: the live counter that ran meanwhile takes over
            done = self.processor.counter.count - sum(1 for ev in held if ev.rep.complete)
            for ev in held:
                done += ev.rep.complete
                self._rep_event(ev, done)

    def _rep_event(self, ev, index: int | None = None) -> None:
        r = ev.rep
        index = (self.processor.counter.count if index is None else index) if r.complete else 0
        rec = dict(index=index, exercise=self.processor.exercise, start_s=round(ev.start_s, 3),
                   bottom_s=round(ev.bottom_s, 3), end_s=round(ev.end_s, 3), complete=r.complete,
                   peak_depth_deg=round(ev.peak, 1), judged=None)
        if not r.complete:
            rec["reason"] = r.reason
            _log(self.opts, f"live: incomplete rep at {ev.bottom_s:.1f} s not counted ({r.reason})")
        else:
            _log(self.opts, f"live: rep {index} at {ev.bottom_s:.1f} s (knee bend {ev.peak:.0f}°)")
            self.judge.schedule(index, ev.start_s, ev.bottom_s, ev.end_s, self.processor.exercise)
        self.reps.append(rec)

    def _judgements(self) -> None:
        self.judge.submit_due(self.t_last, self.buffer.window)
        for j in self.judge.poll():
            self._apply(j)

    def _apply(self, j) -> None:
        from .ui import verdict_from

        for rec in self.reps:
            if rec["complete"] and rec["index"] == j.live_index and rec["exercise"] == j.exercise:
                rec["judged"] = dict(confirmed=j.confirmed, view=j.view, root_cause=j.root_cause,
                                     faults=[dict(f, rep=j.live_index) for f in j.faults],
                                     analysis_s=round(j.seconds, 3), **({"error": j.error} if j.error else {}))
                if j.rep is not None:
                    rec["judged"]["metrics"] = j.rep.get("metrics", {})
        self.hud.verdict = verdict_from(j, time.perf_counter())
        for text, _ in self.hud.verdict.lines:
            _log(self.opts, f"live: {text}")

    def _guidance(self, state: LiveState) -> None:
        if state.guidance != self.last_guidance:
            if state.guidance:
                _log(self.opts, f"live: {state.guidance} (at {state.t:.1f} s)")
            self.last_guidance = state.guidance

    # --- the end ----------------------------------------------------------------------------------

    def _finish(self) -> LiveResult:
        from .session import save_session

        opts = self.opts
        ev = self.processor.finish()
        if ev is not None:
            self._counter_event(ev)
        self._follow(final=True)
        try:
            for j in self.judge.drain(self.t_last, self.buffer.window):
                self._apply(j)
        finally:
            self.judge.close()
        stats = self._stats()
        recording = self.recorder.close() if self.recorder is not None else None
        stats["recorded_frames"] = self.recorder.frames if self.recorder else 0
        stats["recording_left_out"] = self.recorder.left_out if self.recorder else 0
        if self.recorder is not None and self.recorder.error:
            stats["recording_error"] = self.recorder.error
        live = dict(source=self.source.name, camera=self.is_camera, ended_by=self.ended_by or "stopped",
                    mirror=self.mirror, exercise_switches=[dict(t_s=round(t, 3), exercise=e) for t, e in self.exercise_log],
                    rep_count=sum(1 for r in self.reps if r["complete"]), reps=self.reps,
                    baselines=[dict(t_s=round(b.t, 3), values={k: round(v, 3) for k, v in b.values.items()})
                               for b in self.processor.baselines_taken],
                    stats=stats, filters=dict(xy=_filters()[0], world=_filters()[1]))
        if self.follower is not None or opts.exercise == AUTO:
            live["follow"] = self._follow_stats()
        n = live["rep_count"]
        _log(opts, f"live: {n} rep{'' if n == 1 else 's'}; {stats['processed']} of {stats['captured']} frames processed "
                   f"({stats['dropped']} dropped), {stats['processed_fps']:.1f} fps, latency median "
                   f"{stats['latency_ms']['median']:.0f} ms, p95 {stats['latency_ms']['p95']:.0f} ms; ended: {live['ended_by']}")
        outdir = summary = None
        if self.work is not None:
            if self.processed == 0 or recording is None or self.ended_by in opts.discard_actions:
                import shutil

                from .session import release_session_folder

                release_session_folder(self.work)
                shutil.rmtree(self.work, ignore_errors=True)
                if self.ended_by not in opts.discard_actions:
                    print("kinetic: nothing recorded (no frame was processed)", file=sys.stderr)
            else:
                _log(opts, "live: saving the session...")
                exercise = self._main_exercise()
                summary = save_session(self.work, self.final, self.buffer.track(meta=self._meta()), recording,
                                       exercise=exercise, profile_path=opts.profile,
                                       view_override=None if opts.view == "auto" else opts.view,
                                       model_path=self.model_path, live=live, replay=opts.replay,
                                       history=getattr(opts.history, "prior", None))
                outdir = self.final
                k = len(summary['reps'])
                _log(opts, f"live: saved {outdir}/ (full analysis of the session: {k} rep{'' if k == 1 else 's'})")
                if opts.history is not None and summary.get("verdict") is not None:  # analysed: as analyze
                    opts.history.append(summary, outdir)
        return LiveResult(outdir, summary, stats, self.reps, live["ended_by"])

    def _follow_stats(self) -> dict:
        """How the analysis-counted exercise (or auto's detection) went, for summary.live."""
        f = self.follower
        if f is None:  # auto found the squat: its live counter took over
            return dict(exercise=self.processor.exercise, counted_by="live depth counter")
        sec = np.asarray(f.seconds or [np.nan])
        return dict(exercise=f.exercise, counted_by="analysis", analyses=f.analyses,
                    analysis_s=dict(median=round(float(np.median(sec)), 3), max=round(float(np.max(sec)), 3)),
                    detections=list(f.detections), **({"why": f.why} if f.why and not f.detected else {}),
                    errors=f.errors[:5])

    def _main_exercise(self) -> str:
        """The exercise selected for the longest time (the whole session is analysed as it)."""
        spans: dict[str, float] = {}
        marks = self.exercise_log + [(self.t_last, "")]
        for (t0, name), (t1, _) in zip(marks, marks[1:]):
            spans[name] = spans.get(name, 0.0) + (t1 - t0)
        return max(spans, key=spans.get) if spans else self.opts.exercise

    def _meta(self) -> dict:
        return dict(source=self.source.name, model=str(self.model_path), live=True,
                    timestamps="capture time (seconds from the first processed frame)")

    def _stats(self) -> dict:
        def pct(x: list[float]) -> dict:
            if not x:
                return dict(median=float("nan"), p95=float("nan"), max=float("nan"))
            a = np.asarray(x)
            return dict(median=round(float(np.median(a)), 2), p95=round(float(np.percentile(a, 95)), 2),
                        max=round(float(a.max()), 2))

        t = self.buffer.t
        span = float(t[-1] - t[0]) if len(t) > 1 else 0.0
        captured = self.source.delivered
        worker = getattr(self, "worker", None)
        paused = worker.paused_frames if worker else 0
        return dict(captured=captured, processed=self.processed, paused=paused,
                    dropped=max(0, captured - self.processed - paused),
                    dropped_before_pose=self.source.dropped,
                    dropped_after_pose=worker.results.dropped if worker else 0,
                    processed_fps=round((len(t) - 1) / span, 2) if span > 0 else 0.0,
                    source_fps=round(float(self.source.fps), 3), latency_ms=pct(self.latency_ms),
                    pose_ms=pct(self.pose_ms), other_work_ms=pct(self.work_ms),
                    latency_parts_ms={name: pct([1000 * st[k] for st in self.stages]) for k, name in
                                      enumerate(("waiting_for_pose", "pose", "waiting_for_loop", "process_draw_show"))},
                    wall_s=round(time.perf_counter() - self.wall_start, 3),
                    startup_s=round(getattr(self, "capture_start", self.wall_start) - self.wall_start, 3),
                    loadavg_start=[round(x, 2) for x in self.load_start],
                    loadavg_end=[round(x, 2) for x in os.getloadavg()],
                    pose_input_max_side=self.opts.pose_max_side)


@dataclass
class _Posed:
    """A captured frame with its landmarks: ``t`` session seconds (capture time from the first
    frame), ``image`` (33, 5) and ``world`` (33, 3) MediaPipe arrays, ``pose_ms`` model time."""

    frame: object
    t: float
    image: np.ndarray
    world: np.ndarray
    pose_ms: float
    picked: float = 0.0  # perf_counter when the pose thread took the frame
    posed: float = 0.0  # ... and when the model returned


class _PoseWorker(threading.Thread):
    """Runs the pose model on the newest captured frame, while the loop draws the previous one.

    MediaPipe releases the GIL, so on two cores the model (~25 ms a frame here) and the loop's
    processing and drawing (~10 ms) overlap. Results go through a one-frame slot too: if the
    loop falls behind, an undrawn result is dropped (counted), never queued.
    """

    def __init__(self, source: FrameSource, estimator, pose_max_side: int) -> None:
        from .sources import LatestFrame

        super().__init__(name="pose", daemon=True)
        self.source, self.estimator, self.max_side = source, estimator, pose_max_side
        self.results = LatestFrame()
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.paused = False
        self.paused_frames = 0
        self._halt = threading.Event()
        self._t0: float | None = None

    def stop(self) -> None:
        self._halt.set()
        if self.is_alive() and self is not threading.current_thread():
            self.join(timeout=10)

    def run(self) -> None:
        try:
            while not self._halt.is_set():
                if self.paused:
                    self.paused_frames += self.source.slot.discard()
                    if self.source.ended.is_set():
                        break
                    self._halt.wait(0.01)
                    continue
                frame = self.source.slot.take(timeout=0.1)
                picked = time.perf_counter()
                if frame is None:
                    if self.source.ended.is_set():
                        break
                    continue
                if self._t0 is None:
                    self._t0 = frame.t
                rgb = frame.rgb
                h, w = rgb.shape[:2]
                k = self.max_side / max(h, w) if self.max_side else 1.0
                if k < 1:
                    rgb = cv2.resize(rgb, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
                a = time.perf_counter()
                image, world, _ = self.estimator.detect(rgb, frame.t - self._t0)
                b = time.perf_counter()
                self.results.put(_Posed(frame, frame.t - self._t0, image, world, 1000 * (b - a), picked, b))
        except BaseException as exc:  # surfaces in the loop
            self.error = exc
        finally:
            self.done.set()
            self.results.close()


def _filters():
    from .processor import WORLD_FILTER, XY_FILTER

    return XY_FILTER, WORLD_FILTER
