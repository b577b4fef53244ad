"""Running the routine: the five steps in order, each graded step a live session of its
exercise (:func:`analyzer.live.run_live`: live's own counter, verdicts and saving), the timed
steps on the camera picture; then the routine's summary and page, and the history.

The routine's folder ``OUTDIR/routine-YYYYmmdd-HHMMSS/`` holds ``summary.json`` (schema
``kinetic/routine/1``), ``report.html`` and one live session folder per graded step
(``2-supination_pronation/`` ...: analyze's outputs, the recording, its own report). It is
built in a hidden work folder and appears only when complete (:mod:`analyzer.folders`).
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# OpenCV before PyAV (see analyzer.live.loop)
import cv2  # noqa: F401

from .. import __version__
from .screen import KEY_HELP, KEYS, SetupCheck, clock, compose
from .speech import Speaker
from .steps import STEPS, WALK, Step

SCHEMA = "kinetic/routine/1"
TARGET_GRACE_S = 3.0  # camera: the step ends this long after its target count is reached
SKIP_WORDS = ("-", "skip")  # --source entries that skip a step


class RoutineError(Exception):
    """The routine cannot run (no camera, no display, bad model/profile/output); one line."""


@dataclass
class RoutineOptions:
    camera: int = 0
    sources: list[str] | None = None  # one video per step (None: the camera)
    walk_source: str | None = None  # with sources: the Frankenstein walk's video (None: not played)
    outdir: Path = Path("kinetic-routine")
    short: bool = False
    window: bool = True
    speak: bool = False
    model: str = "full"
    profile: str | None = None
    user: str | None = None
    history: bool = True
    replay: bool = True
    mirror: bool | None = None
    quiet: bool = False


@dataclass
class RoutineResult:
    outdir: Path
    summary: dict
    steps: list[dict] = field(default_factory=list)


def _log(opts: RoutineOptions, msg: str) -> None:
    if not opts.quiet:
        print(msg, flush=True)


def _note(msg: str) -> None:
    print(f"kinetic: {msg}", file=sys.stderr, flush=True)


class _StepHistory:
    """What a step's live session sees as its history: the routine's earlier sessions (for the
    step folder's history.json); the append waits until the routine's folder is published."""

    def __init__(self, prior: dict | None) -> None:
        self.prior = prior
        self.pending: list[tuple[dict, Path]] = []

    def append(self, summary: dict, folder) -> None:
        self.pending.append((summary, Path(folder)))


def run_routine(opts: RoutineOptions) -> RoutineResult:
    from ..folders import claim_work_folder, clean_stale
    from ..history_cli import HistoryRun
    from ..live.ui import Window, WindowError
    from ..models import ModelError, resolve_model
    from ..pipeline import AnalysisError, load_checked_profile

    sources = list(opts.sources) if opts.sources is not None else None
    if sources is not None and len(sources) > len(STEPS):
        raise RoutineError(f"--source takes one video per step, at most {len(STEPS)} (got {len(sources)})")
    for step in (*STEPS, WALK):
        if step.graded:
            try:
                load_checked_profile(opts.profile, step.exercise)
            except AnalysisError as exc:
                raise RoutineError(str(exc)) from None
    try:
        model_path = resolve_model(opts.model, progress=not opts.quiet)
        from ..pose import PoseEstimator

        PoseEstimator(model_path).close()
    except ModelError as exc:
        raise RoutineError(str(exc)) from None
    history = HistoryRun(opts.user, opts.history, _note)
    history.start()
    try:
        opts.outdir.mkdir(parents=True, exist_ok=True)
        clean_stale(opts.outdir)
        wf = claim_work_folder(opts.outdir, datetime.now().strftime("routine-%Y%m%d-%H%M%S"))
    except OSError as exc:
        raise RoutineError(f"cannot write the routine to {opts.outdir}: {(exc.strerror or str(exc)).lower()}") from None
    window = None
    if opts.window:
        try:
            window = Window("kinetic routine", keys=KEYS)
        except WindowError as exc:
            wf.discard()
            raise RoutineError(str(exc)) from None
    speaker = Speaker(opts.speak, _note)
    started = datetime.now().astimezone()
    run = _Run(opts, sources, wf.path, window, speaker, model_path, _StepHistory(history.prior))
    try:
        records = run.all_steps()
    except RoutineError:
        speaker.close()
        if window is not None:
            window.close()
        wf.discard()
        raise
    finally:
        if window is not None:
            window.close()
    speaker.close()
    summary = _summary(opts, sources, records, started, run.ended_by, speaker, model_path)
    try:
        from ..outputs import write_json
        from .page import write_page

        write_json(wf.path / "summary.json", summary)
        write_page(wf.path, summary, (history.prior or {}).get("sessions", {}).get("routine", []))
        final = wf.publish()
    except OSError as exc:
        wf.discard()
        raise RoutineError(f"cannot write the routine to {opts.outdir}: {(getattr(exc, 'strerror', None) or str(exc)).lower()}") from None
    # The history: each graded step as its own exercise's session, then the routine.
    for step_summary, folder in run.step_history.pending:
        history.append(step_summary, final / folder.name)
    _append_routine(history, summary, final)
    done = sum(1 for r in records if r["status"] == "done")
    _log(opts, f"routine: {done} of {len(STEPS)} steps done -> {final}/ (report.html)")
    return RoutineResult(final, summary, records)


def _append_routine(run, summary: dict, folder: Path) -> None:
    """The routine as one session of exercise "routine" (reps = steps done), as
    :meth:`HistoryRun.append` does for an analysis: a failure is one warning line."""
    import sqlite3

    from .. import history as h

    if not run.enabled or run.failed:
        return
    path = h.db_path(run.user)
    try:
        rec = h.session_record(summary, folder)
        rec["reps"] = summary["verdict"]["steps_done"]
        conn = h.connect(path)
        try:
            h.append_record(conn, rec)
        finally:
            conn.close()
    except h.HistoryError as exc:
        run._fail(exc)
    except sqlite3.Error as exc:
        run._fail(f"{path}: not written ({exc})")


class _Run:
    """The steps, one after the other (see :func:`run_routine`)."""

    def __init__(self, opts, sources, work: Path, window, speaker: Speaker, model_path: Path, step_history) -> None:
        self.opts, self.sources, self.work, self.window, self.speaker = opts, sources, work, window, speaker
        self.model_path, self.step_history = model_path, step_history
        self.ended_by = "completed"

    def all_steps(self) -> list[dict]:
        records: list[dict] = []
        stop = False
        for k, step in enumerate(STEPS):
            if stop:
                records.append(self._record(step, "not_reached", note="the routine was stopped before this step"))
                continue
            src, missing = self._source(k)
            if missing:
                _note(f"step {step.number} ({step.title}) skipped: {missing}")
                rec = self._record(step, "skipped", note=missing)
                if step.id == "toe_extension":
                    rec["walk"] = (self._walk("")[0] if self.opts.walk_source
                                   else self._walk_record("skipped", "skipped with the toe lifts"))
                records.append(rec)
                continue
            _log(self.opts, f"routine: step {step.number}/{len(STEPS)}: {step.title}"
                            + (f" ({Path(src).name})" if src else ""))
            self.speaker.say(f"Step {step.number}. {step.title}.")
            try:
                rec, ended = (self._graded(step, src) if step.graded else self._timed(step, src))
                if step.id == "toe_extension":
                    rec["walk"], ended = self._walk(ended)
            except KeyboardInterrupt:  # (a live session saves itself when interrupted: this is before it ran)
                rec, ended = self._record(step, "not_reached", note="interrupted before this step started"), "interrupted"
            records.append(rec)
            self._say_result(rec)
            if ended in ("quit", "interrupted"):
                stop, self.ended_by = True, ended
        return records

    # --- pieces -----------------------------------------------------------------------------

    def _source(self, k: int) -> tuple[str | None, str]:
        """(video, '') for step k with --source, (None, '') for the camera, (None, why) to skip."""
        if self.sources is None:
            return None, ""
        if k >= len(self.sources):
            return None, f"no video for step {k + 1} (--source gave {len(self.sources)})"
        src = self.sources[k]
        if src.strip().lower() in SKIP_WORDS:
            return None, f"skipped on the command line ({src!r})"
        if not Path(src).is_file():
            return None, f"video not found: {src}"
        return src, ""

    def _record(self, step: Step, status: str, note: str = "", **kw) -> dict:
        target = step.goal(self.opts.short)
        rec = dict(number=step.number, id=step.id, title=step.title, exercise=step.exercise or step.id,
                   graded=step.graded, status=status,
                   target={("reps" if step.graded else "seconds"): target} | ({"unit": step.unit} if step.graded else {}),
                   reps=None, seconds=None, grade=None if step.graded else "not graded")
        if note:
            rec["note"] = note
        rec.update(kw)
        return rec

    def _walk_record(self, status: str, note: str) -> dict:
        """The walk's record when it did not run: ``analysed`` false, with why."""
        rec = self._record(WALK, status, note=note)
        rec.update(analysed=False)
        return rec

    def _walk(self, ended: str) -> tuple[dict, str]:
        """The Frankenstein walk after the toe lifts (which ended as ``ended``): a graded live
        session of toe_walk from the camera, or from ``--walk-source`` with videos."""
        if ended in ("quit", "interrupted"):
            return self._walk_record("not_reached", "the routine was stopped before the walk"), ended
        src = None
        if self.sources is not None:
            src = self.opts.walk_source
            if not src:
                return self._walk_record("not_played", "With --source the walk plays only from --walk-source VIDEO."), ended
            if not Path(src).is_file():
                _note(f"the Frankenstein walk skipped: video not found: {src}")
                return self._walk_record("skipped", f"video not found: {src}"), ended
        _log(self.opts, f"routine: step 3: {WALK.title}" + (f" ({Path(src).name})" if src else ""))
        self.speaker.say(f"{WALK.title}.")
        try:
            rec, ended = self._graded(WALK, src)
        except KeyboardInterrupt:
            return self._walk_record("not_reached", "interrupted before the walk started"), "interrupted"
        rec["analysed"] = rec["status"] == "done"
        return rec, ended

    def _open_source(self, src: str | None):
        from ..live.sources import CameraSource, VideoFileSource

        return VideoFileSource(src) if src else CameraSource(self.opts.camera, width=640, height=480)

    def _graded(self, step: Step, src: str | None) -> tuple[dict, str]:
        from ..live import LiveError, LiveOptions, run_live
        from ..live.ui import GREEN, GREY

        opts = self.opts
        target = step.goal(opts.short)
        source = self._open_source(src)
        check: SetupCheck | None = None
        said = dict(count=0, verdict=None, setup="")
        reached: dict[str, float] = {}
        is_camera = src is None

        def observe(state) -> tuple[str, bool]:
            nonlocal check
            if check is None:
                check = SetupCheck(step.camera, min(max(source.width, source.height), 1280))
            check.update(state)
            setup = check.message()
            n = state.reps
            if n > said["count"]:
                said["count"] = n
                self.speaker.say(str(n) if n < target else f"{n}. Target reached.")
            if setup[0] and not setup[1] and setup[0] != said["setup"]:
                said["setup"] = setup[0]
                self.speaker.say(setup[0].split(" (")[0])
            return setup

        def overlay(img, state, hud):
            setup = observe(state)
            grade = None
            if hud.verdict is not None:
                grade = hud.verdict.lines[0]
                if hud.verdict is not said["verdict"]:
                    said["verdict"] = hud.verdict
                    text, colour = grade
                    if colour not in (GREEN, GREY):  # a fault or borderline: the cue is worth hearing
                        self.speaker.say(text.split(":", 1)[-1].strip())
            return compose(img, step, progress=f"{state.reps} / {target}", progress_sub=step.unit, setup=setup,
                           grade=grade, short=opts.short, paused=hud.paused)

        def on_frame(shown, state, frame):
            if self.window is None:
                observe(state)
            if is_camera and state.reps >= target:
                t = reached.setdefault("t", time.perf_counter())
                if time.perf_counter() - t >= TARGET_GRACE_S:
                    return "target"
            return None

        lopts = LiveOptions(camera=opts.camera, source=src, exercise=step.exercise, model=str(self.model_path),
                            profile=opts.profile, record=self.work, window=self.window is not None, render=self.window is not None,
                            mirror=opts.mirror, replay=opts.replay, quiet=opts.quiet, history=self.step_history,
                            session_name=f"{step.number}-{step.id}", overlay=overlay if self.window else None,
                            stop_actions=("next", "skip", "target"), discard_actions=("skip",), key_help=KEY_HELP)
        try:
            res = run_live(lopts, source=source, window=self.window,
                           on_frame=on_frame)
        except LiveError as exc:
            if src is None:  # the camera: nothing else can run either
                raise RoutineError(str(exc)) from None
            _note(f"step {step.number} ({step.title}) skipped: {exc}")
            return self._record(step, "skipped", note=str(exc)), "error"
        ended = res.ended_by
        if ended == "skip":
            return self._record(step, "skipped", note="skipped (s)"), ended
        s = res.summary
        if s is None:
            return self._record(step, "skipped", note="nothing was recorded"), ended
        verdict = s.get("verdict") or {}
        setup = check.message() if check is not None else ("", True)
        rec = self._record(step, "done", reps=len(s.get("reps") or []), live_reps=(s.get("live") or {}).get("rep_count"),
                           seconds=round(float((s.get("source") or {}).get("duration_s") or 0.0), 1),
                           grade=verdict.get("status"), headline=verdict.get("headline"),
                           view=(s.get("view") or {}).get("label"), folder=Path(res.outdir).name, ended_by=ended,
                           source=Path(src).name if src else f"camera {opts.camera}",
                           faults=len(s.get("faults") or []))
        if setup[0] and not setup[1]:
            rec["setup"] = setup[0]
        if check is not None and check.fraction() is not None:
            rec["feet_size"] = round(check.fraction(), 3)
        _log(opts, f"routine: step {step.number} {step.title}: {rec['reps']} {step.unit} (target {target}), "
                   f"{(verdict.get('status') or '?').replace('_', ' ')}: {verdict.get('headline', '')}")
        return rec, ended

    def _timed(self, step: Step, src: str | None) -> tuple[dict, str]:
        """A step that is only timed: the camera picture (or the step's video) with the card and
        a clock; it ends when the time is up (or the video ends, or a key says so)."""
        from ..live.sources import SourceError
        from ..live.ui import GREY, Renderer

        opts = self.opts
        total = float(step.goal(opts.short))
        source = self._open_source(src)
        try:
            source.open()
        except SourceError as exc:
            if src is None:
                raise RoutineError(str(exc)) from None
            _note(f"step {step.number} ({step.title}) skipped: {exc}")
            return self._record(step, "skipped", note=str(exc)), "error"
        mirror = opts.mirror if opts.mirror is not None else src is None
        renderer = Renderer(source.width, source.height, mirror=mirror) if self.window is not None else None
        ended, elapsed, paused, last = "time", 0.0, False, None
        half = 0
        source.start()
        tick = time.perf_counter()
        try:
            while True:
                now = time.perf_counter()
                if not paused:
                    elapsed += now - tick
                tick = now
                if elapsed >= total:
                    break
                if step.halves and half == 0 and elapsed >= total / 2:
                    half = 1
                    self.speaker.say(f"Now the {step.halves[1]}.")
                frame = source.slot.take(timeout=0.03)
                if frame is None and source.ended.is_set():
                    ended = f"source ended: {source.end_reason}"
                    break
                if frame is not None:
                    last = frame
                action = ""
                if self.window is not None:
                    if last is not None:
                        part = total / len(step.halves) if step.halves else total
                        left = (part - (elapsed % part)) if step.halves else total - elapsed
                        sub = (f"left - {step.halves[half]}" if step.halves else f"left of {clock(total)}")
                        shown = compose(renderer.frame(last.rgb), step, progress=clock(left), progress_sub=sub,
                                        setup=("", True), grade=("not graded: timed only", GREY),
                                        short=opts.short, paused=paused)
                        action = self.window.show(shown)
                    else:
                        action = self.window.poll()
                if action == "pause":
                    paused = not paused
                elif action in ("next", "skip", "quit"):
                    ended = action
                    break
        except KeyboardInterrupt:
            ended = "interrupted"
        finally:
            source.stop()
        if ended == "skip":
            return self._record(step, "skipped", note="skipped (s)", seconds=round(elapsed, 1)), ended
        note = ""
        if ended.startswith("source ended"):
            note = f"the video ended after {elapsed:.0f} s of {total:.0f} s"
        rec = self._record(step, "done", note=note, seconds=round(elapsed, 1), ended_by=ended,
                           source=Path(src).name if src else f"camera {opts.camera}")
        _log(opts, f"routine: step {step.number} {step.title}: {elapsed:.0f} s of {total:.0f} s, not graded")
        return rec, ended

    def _say_result(self, rec: dict) -> None:
        if rec["status"] == "done" and rec["graded"]:
            self.speaker.say(f"{rec['reps']} {STEPS[rec['number'] - 1].unit}. "
                             f"{(rec.get('grade') or '').replace('_', ' ')}.")


def _summary(opts: RoutineOptions, sources, records: list[dict], started: datetime, ended_by: str,
             speaker: Speaker, model_path: Path) -> dict:
    done = [r for r in records if r["status"] == "done"]
    skipped = [r for r in records if r["status"] == "skipped"]
    seconds = sum(float(r.get("seconds") or 0) for r in records) + sum(
        float((r.get("walk") or {}).get("seconds") or 0) for r in records)
    walks = [r["walk"] for r in records if (r.get("walk") or {}).get("analysed")]
    graded = [r for r in done if r["graded"]]
    faults = [r for r in graded if r.get("grade") == "faults"]
    status = "done" if len(done) == len(STEPS) else "partial"
    head = f"{len(done)} of {len(STEPS)} steps done"
    if skipped:
        head += f" ({len(skipped)} skipped)"
    if ended_by in ("quit", "interrupted"):
        head += f"; stopped ({ended_by})"
    details = []
    for r in graded:
        details.append(f"{r['title']}: {r['reps']} of {r['target']['reps']} {r['target']['unit']}, "
                       f"{(r.get('grade') or '?').replace('_', ' ')}")
    for w in walks:
        details.append(f"{w['title']}: {w['reps']} of {w['target']['reps']} {w['target']['unit']}, "
                       f"{(w.get('grade') or '?').replace('_', ' ')}")
    mode = dict(camera=opts.camera) if sources is None else dict(videos=list(sources))
    return dict(schema=SCHEMA, kinetic_version=__version__, exercise="routine",
                started_at=started.isoformat(timespec="seconds"),
                ended_at=datetime.now().astimezone().isoformat(timespec="seconds"), ended_by=ended_by,
                short=opts.short, input=mode,
                source=dict(path=f"routine (camera {opts.camera})" if sources is None else "routine (videos)",
                            duration_s=round(seconds, 1)),
                view=dict(label=None), reps=[], faults=[],
                verdict=dict(status=status, headline=head, details=details, steps_done=len(done),
                             steps_skipped=len(skipped), steps_with_faults=len(faults)),
                steps=records,
                speech=dict(asked=opts.speak, state=speaker.state, said=speaker.said,
                            **({"problem": speaker.problem} if speaker.problem else {})),
                model=dict(path=str(model_path), name=Path(model_path).name))
