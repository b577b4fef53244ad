"""Recording a live session and saving it with the same outputs as ``kinetic analyze``.

During the session, :class:`SessionRecorder` encodes every processed frame (the frames the pose
model saw, with their capture times) into ``recording.mp4`` in a writer thread, so the live
loop never waits for the encoder. When the session ends, :func:`save_session` runs the offline
analysis on the session's pose track and writes, beside the recording: ``landmarks.npz`` (the
live track: raw MediaPipe landmarks with capture timestamps), ``frames.csv``, ``summary.json``
(analyze's schema plus a ``live`` section), ``replay.mp4`` (the overlay drawn on the recorded
frames, by the same code as analyze) and ``report.html`` when :mod:`analyzer.report` provides
``write_report``. ``recording.mp4`` can be fed to ``kinetic analyze`` again.

The folder appears under its final name only when complete (a hidden ``.partial`` folder is
renamed at the end), like analyze's.
"""
from __future__ import annotations

import dataclasses
import os
import queue
import threading
import time
import traceback
from datetime import datetime
from pathlib import Path

import numpy as np

from ..track import PoseTrack

RECORDING = "recording.mp4"
QUEUE_S = 3.0  # the writer may fall this far behind before frames are left out of the session
RECORD_PRESET = "ultrafast"  # x264: ~2 ms per 640x480 frame; the replay is re-encoded at the end
RECORD_CRF = 20


def session_name(now: datetime | None = None) -> str:
    """``live-YYYYmmdd-HHMMSS`` for a session starting ``now``."""
    return (now or datetime.now()).strftime("live-%Y%m%d-%H%M%S")


class SessionRecorder:
    """Encode frames to ``folder/recording.mp4`` on a writer thread.

    Args:
        folder: the session's (partial) folder, existing.
        width, height: frame size; fps: nominal rate (frames keep their own times).
    Attributes:
        out_width, out_height: the recording's size (longer side at most 1280, as the replay).
        frames: frames accepted; left_out: frames refused because the writer was behind.
    """

    def __init__(self, folder: Path, width: int, height: int, fps: float) -> None:
        from ..replay import ReplayWriter

        self.path = Path(folder) / RECORDING
        self._writer = ReplayWriter(self.path, width, height, fps, crf=RECORD_CRF, preset=RECORD_PRESET)
        self.out_width, self.out_height = self._writer.out_width, self._writer.out_height
        self._queue: queue.Queue = queue.Queue(maxsize=max(8, int(QUEUE_S * (fps or 30))))
        self.frames = 0
        self.left_out = 0
        self.error: str = ""
        self.encode_s = 0.0
        self._thread = threading.Thread(target=self._run, name="recorder", daemon=True)
        self._thread.start()

    def add(self, rgb: np.ndarray, t: float) -> bool:
        """Queue a frame (not copied: the caller must not modify it). False if it was left out
        (writer behind or failed): then it must not enter the session track either."""
        if self.error:
            self.left_out += 1
            return False
        try:
            self._queue.put_nowait((rgb, t))
        except queue.Full:
            self.left_out += 1
            return False
        self.frames += 1
        return True

    def close(self) -> Path | None:
        """Finish the file; the path, or None if nothing was recorded (or encoding failed)."""
        self._queue.put(None)
        self._thread.join()
        if self.error:
            self._writer.abort()
            return None
        try:
            self._writer.close()
        except ValueError:  # no frames
            return None
        return self.path

    def _run(self) -> None:
        try:  # Linux schedules threads individually: the encoder yields to the pose model and the loop
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 4)
        except (AttributeError, OSError):
            pass
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self.error:
                continue
            start = time.perf_counter()
            try:
                self._writer.write(*item)
            except Exception as exc:  # disk full...: stop recording, keep the session going
                self.error = f"{exc.__class__.__name__}: {exc}"
            self.encode_s += time.perf_counter() - start


# The locks on the sessions' work folders, held until each is published (see analyzer.folders).
_HELD: dict[Path, object] = {}


def new_session_folder(parent: Path, name: str) -> tuple[Path, Path]:
    """(work folder, final folder): ``parent/.NAME.partial-00000000`` created and locked for the
    first free NAME of ``name``, ``name-2``...: two sessions started in the same second (in two
    processes) get different folders. Stale work folders of killed sessions are removed first."""
    from ..folders import claim_work_folder, clean_stale

    parent.mkdir(parents=True, exist_ok=True)
    clean_stale(parent)
    wf = claim_work_folder(parent, name)
    _HELD[wf.path] = wf
    return wf.path, wf.final


def release_session_folder(work: Path) -> None:
    """Drop the lock on a session's work folder that will not be published (it is removed)."""
    wf = _HELD.pop(work, None)
    if wf is not None:
        wf.discard()


def save_session(work: Path, final: Path, track: PoseTrack, recording: Path | None, *, exercise: str,
                 profile_path: str | None, view_override: str | None, model_path: Path, live: dict,
                 replay: bool = True, history: dict | None = None) -> dict:
    """Analyse the session track and write analyze's outputs into ``work``, then rename it to
    ``final``. Never raises for an analysis problem: the summary then says what went wrong and
    the recording and landmarks are still saved. ``history``: the user's earlier sessions
    (:func:`analyzer.history.prior_sessions`): the folder then gets ``history.json`` for the
    report, as analyze's does. Returns the summary."""
    from ..assess import assess
    from ..capture import VideoInfo, probe
    from ..outputs import write_frames_csv, write_json
    from ..pipeline import (
        MIN_DETECTION_RATE,
        build_summary,
        empty_analysis,
        load_checked_profile,
        unreliable_notices,
        write_replay,
    )

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    track.save(work / "landmarks.npz")
    info = None
    if recording is not None:
        try:
            info = probe(recording)
        except Exception:
            info = None
    if info is None:
        duration = float(track.t[-1] - track.t[0]) if len(track) > 1 else 0.0
        info = VideoInfo(str(recording or ""), track.width, track.height, track.fps, len(track), duration, 0, "")
    notes: list[str] = []
    summary: dict | None = None
    try:
        profile = load_checked_profile(profile_path, "squat" if exercise == "auto" else exercise)
    except Exception as exc:  # checked at start; if it fails now, analyse with the defaults
        notes.append(f"profile not used: {exc}")
        profile, profile_path = load_checked_profile(None, "squat" if exercise == "auto" else exercise), None
    if len(track) < 3 or track.detection_rate < MIN_DETECTION_RATE:
        notes.append(f"no person found in the session (detected in {100 * track.detection_rate:.0f} % of "
                     f"{len(track)} frames): nothing to analyse")
    else:
        try:
            a = assess(track, exercise, view_override or "auto", profile_path)
            analysis = a.analysis if a.analysis is not None else empty_analysis(track, a.exercise)
            timings["analysis_s"] = time.perf_counter() - t0
            write_frames_csv(work / "frames.csv", track.t, track.detected, a.view.frame_label, analysis.reps,
                             analysis.depth, analysis.series)
            if replay and recording is not None:
                timings["replay_s"] = write_replay(str(recording), work / "replay.mp4", info, analysis, a.view,
                                                   progress=False, notices=unreliable_notices(a))
            summary = build_summary(str(final / RECORDING), info, track, a, analysis, model_path, timings)
        except Exception as exc:  # a bug must not lose the session: keep what was recorded
            notes.append(f"analysis failed: {exc.__class__.__name__}: {exc}")
            live = dict(live, traceback=traceback.format_exc(limit=8))
    if summary is None:
        info = dataclasses.replace(info, path=str(final / RECORDING)) if recording is not None else info
        summary = _bare_summary(info, track, exercise, profile, model_path, notes)
    else:
        summary["notes"] = list(summary.get("notes", [])) + notes
    summary["live"] = live
    summary["source"]["live_source"] = live.get("source")
    write_json(work / "summary.json", summary)
    if history is not None and summary.get("verdict") is not None:
        from ..pipeline import _write_history

        _write_history(work, history, summary, final)
    problem = _write_report(work)
    if problem:
        summary["notes"].append(problem)
        write_json(work / "summary.json", summary)
    _publish(work, final)
    return summary


def _bare_summary(info, track: PoseTrack, exercise: str, profile, model_path: Path, notes: list[str]) -> dict:
    from .. import __version__
    from ..outputs import SUMMARY_SCHEMA

    return dict(schema=SUMMARY_SCHEMA, kinetic_version=__version__,
                source=dict(path=str(Path(info.path).resolve()) if info.path else "", frames=len(track),
                            fps=round(info.fps, 4), duration_s=round(info.duration_s, 4), width=info.width,
                            height=info.height, rotation=0, codec=info.codec),
                exercise="unknown" if exercise == "auto" else exercise, view=dict(label="unknown", confidence=None, facing=None, segments=[]), detection_rate=round(track.detection_rate, 4), reps=[],
                partial_reps=[], faults=[], suggestions=[], notes=notes, baselines={},
                profile=dict(origin=profile.origin), model=dict(path=str(model_path), name=Path(model_path).name),
                timings={})


def _write_report(folder: Path) -> str:
    """report.html, if :mod:`analyzer.report` offers ``write_report(folder)`` (reading the
    folder's summary.json etc.); returns a note if it failed, else ''."""
    try:
        from .. import report  # type: ignore[attr-defined]
    except ImportError:
        return ""
    fn = getattr(report, "write_report", None)
    if fn is None:
        return ""
    try:
        fn(folder)
    except Exception as exc:
        return f"report not written: {exc.__class__.__name__}: {exc}"
    return ""


def _publish(work: Path, final: Path) -> None:
    """fsync and rename the work folder to ``final`` (claimed at the start: no other session
    can publish there), releasing its lock."""
    from ..folders import WorkFolder

    wf = _HELD.pop(work, None) or WorkFolder(work, final)
    wf.publish()
