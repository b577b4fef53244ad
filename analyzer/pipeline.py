"""``kinetic analyze`` for one video: frames -> pose -> analysis -> outputs, in one output folder.

The folder ``OUTDIR/<stem>/`` appears only when everything in it is written: work happens in a
hidden sibling folder that is renamed at the end and deleted on any failure.
"""
from __future__ import annotations

import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__
from .capture import VideoError, VideoInfo, iter_frames, probe, trimmed
from .prefetch import prefetch
from .assess import Assessment, assess
from .verdict import needed_groups
from .exercises import ANALYZERS
from .exercises.common import ExerciseAnalysis, clean_pose
from .malloc import release_free_memory
from .folders import FolderError, check_target, clean_stale, new_work_folder, safe_name
from .models import ModelError, resolve_model
from .outputs import SUMMARY_SCHEMA, write_frames_csv, write_json
from .profile import Profile, ProfileError, load_profile
from .track import PoseTrack
from .view import ViewEstimate

EXERCISES = ("auto", *ANALYZERS)
VIEWS = ("auto", "front", "side", "rear", "oblique")
MIN_DETECTION_RATE = 0.05
MIN_DURATION_S = 1.0  # the quickest rep of any exercise here (a fast heel raise) takes about this


class AnalysisError(Exception):
    """A failure the user can act on; ``str()`` is one line."""


@dataclass
class AnalyzeOptions:
    outdir: Path = Path("kinetic-out")
    exercise: str = "auto"
    view: str = "auto"
    model: str = "full"
    replay: bool = True
    outline: bool = True  # read the back's outline from the person mask (the lower back's estimate)
    profile: str | None = None
    progress: bool = True
    progress_position: int = 0
    name: str | None = None  # output folder name; default: the video's stem
    people: int = 1  # how many people the pose model looks for in each frame
    person: int = 1  # which of them to analyse, by rank (1 = the likeliest subject; see analyzer.people)
    start: float | None = None  # seconds into the video to start at (None: its start)
    end: float | None = None  # seconds into the video to stop at (None: its end)
    # The user's earlier sessions (analyzer.history.prior_sessions), read by the caller: the
    # folder then gets history.json, the report's "Your last sessions". None: no history.
    history: dict | None = None

    @property
    def trim(self) -> tuple[float | None, float | None]:
        return self.start, self.end


@dataclass
class AnalyzeResult:
    outdir: Path
    summary: dict
    timings: dict = field(default_factory=dict)


def load_checked_profile(path: str | None, exercise: str) -> Profile:
    """The exercise's profile with the user's overrides; AnalysisError on a bad file."""
    try:
        return load_profile(path, exercise)
    except ProfileError as exc:
        raise AnalysisError(str(exc)) from None


def check_profile(path: str, exercise: str) -> None:
    """Validate a user's profile for ``exercise`` ("auto": for whichever is detected) before any
    frame is decoded; AnalysisError (one line naming the key) if anything in it is wrong."""
    names = list(ANALYZERS) if exercise == "auto" else [exercise]
    try:
        for name in names:
            load_profile(path, name, detected=exercise == "auto")
    except ProfileError as exc:
        raise AnalysisError(str(exc)) from None


def output_writable(outdir: Path) -> None:
    """Create ``outdir`` if needed and check we can write in it; AnalysisError if not."""
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        probe_file = outdir / f".kinetic-write-test-{uuid.uuid4().hex[:8]}"
        probe_file.write_bytes(b"")
        probe_file.unlink()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise AnalysisError(f"cannot write to output folder {outdir}: {reason.lower()}") from None


def run_pose(path: str, info: VideoInfo, model_path: Path, *, progress: bool, position: int = 0,
             segmentation: bool = True, trim: tuple = (None, None), people: int = 1,
             person: int = 1) -> tuple[PoseTrack, dict]:
    """Decode every frame and run the pose model. Returns the track and timings in seconds.
    ``segmentation``: also read the back's outline from the person mask on side-view frames
    (:mod:`analyzer.back_contour`; one person only), kept as the track's extras.
    ``people`` > 1: look for that many people, follow each and keep the ``person``-th likeliest
    subject (:mod:`analyzer.people`); the track's meta["people"] says who was seen."""
    from .pose import PoseEstimator, TrackBuilder  # imports mediapipe: only when needed
    from .progress import progress_bar

    from .back_contour import EXTRAS, read_back
    from .people import PeopleTracker

    builder = TrackBuilder()
    segmentation = segmentation and people == 1
    if segmentation:
        builder.extras = {k: [] for k in EXTRAS}
    crowd = PeopleTracker() if people > 1 else None
    t_decode = t_pose = t_back = 0.0
    try:
        estimator = PoseEstimator(model_path, segmentation=segmentation, num_poses=people)  # before any frame is decoded
    except ModelError as exc:
        raise AnalysisError(str(exc)) from None
    with estimator, \
            progress_bar(total=info.frames, desc=Path(path).name, enabled=progress, position=position) as bar:
        t_mark = time.perf_counter()
        # decode_s: the time spent waiting for the decoder, which runs a few frames ahead in its
        # own thread (prefetch), so mostly hidden behind the pose model's time
        for frame in prefetch(iter_frames(path, trim=trim)):
            t_got = time.perf_counter()
            if crowd is None:
                image, world, _ = estimator.detect(frame.rgb, frame.t)
            else:
                crowd.add(estimator.detect_all(frame.rgb, frame.t))
                image = world = None
            t_done = time.perf_counter()
            if segmentation:
                h, w = frame.rgb.shape[:2]
                back = read_back(image[:, :3], estimator.last_mask, w, h)
                for k in EXTRAS:
                    builder.extras[k].append(back[k])
                t_back += time.perf_counter() - t_done
                t_done = time.perf_counter()
            builder.add(frame.t, image, world)
            t_decode += t_got - t_mark
            t_pose += t_done - t_got
            t_mark = t_done
            bar.update(1)
            if t_pose > 0:
                bar.set_postfix_str(f"pose {len(builder) / t_pose:.0f} fps", refresh=False)
    meta = dict(source=str(path), model=str(model_path))
    if crowd is not None:
        ranking = crowd.rank()
        if not ranking:
            raise AnalysisError(f"{Path(path).name}: no person found in the video")
        if person > len(ranking):
            raise AnalysisError(f"{Path(path).name}: --person {person}, but only {len(ranking)} "
                                f"{'person was' if len(ranking) == 1 else 'people were'} seen")
        builder.fill(*crowd.arrays(ranking[person - 1]["track"]))
        meta["people"] = dict(looked_for=people, seen=crowd.most_at_once, analysed=person,
                              ranking=[{k: v for k, v in r.items() if k != "track"} for r in ranking])
    track = builder.build(info.width, info.height, info.fps, meta=meta)
    return track, dict(decode_s=t_decode, pose_s=t_pose, back_s=t_back)


def write_replay(path: str, target: Path, info: VideoInfo, analysis: ExerciseAnalysis, view: ViewEstimate, *,
                 progress: bool, position: int = 0, notices=(), trim: tuple = (None, None)) -> float:
    """Draw the overlay on every frame and encode ``replay.mp4``; returns seconds spent.
    ``notices``: [(start_s, end_s, text)] shown while no warning is (unreliable pose)."""
    from . import overlay
    from .progress import progress_bar
    from .replay import ReplayWriter, output_size

    start = time.perf_counter()
    plan = overlay.OverlayPlan(analysis.pose.t, analysis.pose.xy, analysis.series, analysis.reps,
                               analysis.faults, view.label, view.facing, analysis.exercise,
                               frame_view=view.frame_label, depth=analysis.depth, notices=notices)
    total = len(analysis.reps)
    # A replay smaller than the video is scaled by the decoder, before drawing: the overlay is
    # drawn at the replay's own resolution (crisp, and 2.25x fewer pixels to draw, copy and
    # convert for a 1080x1920 phone clip) and the encoder gets frames of its size.
    out_w, out_h, scaled = output_size(info.width, info.height)
    size = (out_w, out_h) if scaled else None
    to_out = np.array([out_w / info.width, out_h / info.height]) if scaled else np.ones(2)
    xy = analysis.pose.xy * to_out
    back = analysis.outline * to_out if analysis.outline is not None else None
    with ReplayWriter(target, *(size or (info.width, info.height)), info.fps, max_side=None) as out, \
            progress_bar(total=info.frames, desc="replay", enabled=progress, position=position) as bar:
        for frame in prefetch(iter_frames(path, size=size, trim=trim)):
            i = min(frame.index, len(xy) - 1)
            rgb = frame.rgb if frame.rgb.flags.writeable else np.array(frame.rgb)
            overlay.draw(rgb, xy[i], plan.frame(i), view.label, view.facing, total,
                         back=back[i] if back is not None else None)
            out.write(rgb, frame.t)
            bar.update(1)
    return time.perf_counter() - start


def write_exports(work: Path, track: PoseTrack, analysis: ExerciseAnalysis, header: list[str]) -> None:
    """Beside frames.csv: its units (CSVW metadata), the landmarks as OpenSim markers
    (``markers.trc``, metres) and the per-frame joint angles as an OpenSim motion file
    (``angles.mot``, degrees)."""
    from .export import column_units, write_csv_metadata, write_mot, write_trc

    write_csv_metadata(work / "frames.csv", header, analysis.depth_label)
    write_trc(work / "markers.trc", track.t, track.world, track.fps)
    angles = {n: x for n, x in analysis.series.items() if (column_units(n) or ("",))[0] == "deg"}
    write_mot(work / "angles.mot", track.t, angles)


def unreliable_notices(a: Assessment) -> list[tuple[float, float, str]]:
    """The stretches where the pose was unreliable, for the replay: [(start_s, end_s, text)]."""
    return [(sp.start_s, sp.end_s, sp.text()) for sp in a.quality.spans(needed=needed_groups(a.view))]


def empty_analysis(track: PoseTrack, exercise: str) -> ExerciseAnalysis:
    """What the outputs draw for a video whose exercise is unknown: the pose, nothing judged."""
    nan = np.full(len(track), np.nan)
    return ExerciseAnalysis(exercise=exercise, reps=[], partial_reps=[], faults=[], series={}, depth=nan,
                            depth_label="", pose=clean_pose(track), baselines={}, suggestions=[], notes=[])


def build_summary(path: str, info: VideoInfo, track: PoseTrack, a: Assessment, analysis: ExerciseAnalysis,
                  model_path: Path, timings: dict, trim: tuple = (None, None)) -> dict:
    view, exercise, profile = a.view, a.exercise, a.profile
    return dict(
        schema=SUMMARY_SCHEMA,
        kinetic_version=__version__,
        source=dict(path=str(Path(path).resolve()), frames=len(track), fps=round(info.fps, 4),
                    duration_s=round(info.duration_s, 4), width=info.width, height=info.height,
                    rotation=info.rotation, codec=info.codec,
                    # the span of the video analysed, in its own seconds; every other time is from its start
                    trim=None if trim == (None, None) else dict(start_s=round(trim[0] or 0.0, 4),
                                                               end_s=round((trim[0] or 0.0) + info.duration_s, 4))),
        exercise=exercise,
        rep_signal=analysis.depth_label,
        view=view.as_dict(),
        detection_rate=round(track.detection_rate, 4),
        reps=[r.as_dict() for r in analysis.reps],
        partial_reps=[dict(start_s=round(r.start_s, 3), bottom_s=round(r.bottom_s, 3), end_s=round(r.end_s, 3),
                           reason=r.reason) for r in analysis.partial_reps],
        faults=[f.as_dict() for f in analysis.faults],
        borderline=[f.as_dict() for f in analysis.borderline],
        verdict=a.verdict.as_dict(),
        quality=dict(unreliable=[dict(sp.as_dict(), text=sp.text()) for sp in a.quality.spans(needed=needed_groups(a.view))]),
        exercise_detection=dict(why=a.why_exercise) if a.why_exercise else {},
        people=track.meta.get("people"),
        suggestions=analysis.suggestions,
        notes=analysis.notes,
        baselines={k: (round(v, 4) if np.isfinite(v) else None) for k, v in analysis.baselines.items()},
        profile=dict(origin=profile.origin),
        model=dict(path=str(model_path), name=Path(model_path).name),
        timings={k: round(v, 3) for k, v in timings.items()},
    )


def analyze_video(path: str | os.PathLike, opts: AnalyzeOptions) -> AnalyzeResult:
    """Analyse one video into ``opts.outdir/<stem>/``. Raises AnalysisError with a one-line reason."""
    path = os.fspath(path)
    t_start = time.perf_counter()
    try:
        info = probe(path)
    except VideoError as exc:
        raise AnalysisError(str(exc)) from None
    if opts.exercise not in EXERCISES:
        raise AnalysisError(f"unknown exercise {opts.exercise!r} (choose from {', '.join(EXERCISES)})")
    if opts.view not in VIEWS:
        raise AnalysisError(f"unknown view {opts.view!r} (choose from {', '.join(VIEWS)})")
    if opts.trim != (None, None):
        try:
            info = trimmed(info, *opts.trim)
        except ValueError as exc:
            raise AnalysisError(f"{Path(path).name}: {exc}") from None
    if opts.profile is not None:  # a bad profile fails before the slow part
        check_profile(opts.profile, opts.exercise)
    output_writable(opts.outdir)
    try:
        model_path = resolve_model(opts.model, progress=opts.progress)
    except ModelError as exc:
        raise AnalysisError(str(exc)) from None

    name = safe_name(opts.name or Path(path).stem)
    try:
        clean_stale(opts.outdir)  # hidden folders a killed run left behind
        check_target(opts.outdir / name)  # before the slow part: a file in the way fails now
        work = new_work_folder(opts.outdir, name)
    except OSError as exc:
        raise AnalysisError(f"{Path(path).name}: {_os_reason(exc)}") from None
    try:
        summary, timings = _analyze_into(path, info, work.path, opts, model_path, t_start, opts.outdir / name)
        final = work.publish()
    except VideoError as exc:
        work.discard()
        raise AnalysisError(str(exc)) from None
    except FolderError as exc:
        work.discard()
        raise AnalysisError(f"{Path(path).name}: {exc}") from None
    except OSError as exc:
        work.discard()
        raise AnalysisError(f"{Path(path).name}: cannot write results ({_os_reason(exc)}); nothing was saved") from None
    except BaseException:
        work.discard()
        raise
    return AnalyzeResult(final, summary, timings)


def _os_reason(exc: OSError) -> str:
    """One line for an OSError: FolderError's own text, else the errno's words and the file."""
    if isinstance(exc, FolderError):
        return str(exc)
    what = (exc.strerror or str(exc) or exc.__class__.__name__).lower()
    if not getattr(exc, "filename", None):
        return what
    name = Path(str(exc.filename)).name  # the output it was writing, not its temp file's name
    name = name[1:-4] if name.startswith(".") and name.endswith(".tmp") else name
    return f"{what}, writing {name}"


def _analyze_into(path, info, work: Path, opts: AnalyzeOptions, model_path, t_start, final: Path | None = None):
    track, timings = run_pose(path, info, model_path, progress=opts.progress, position=opts.progress_position,
                              trim=opts.trim, people=opts.people, person=opts.person, segmentation=opts.outline)
    if len(track) == 0:
        raise AnalysisError(f"{Path(path).name}: the video has no frames")
    if track.detection_rate < MIN_DETECTION_RATE:
        raise AnalysisError(f"{Path(path).name}: no person found in the video "
                            f"(detected in {100 * track.detection_rate:.0f} % of {len(track)} frames)")
    if info.duration_s < MIN_DURATION_S:
        raise AnalysisError(f"{Path(path).name}: far too short ({info.duration_s:.2f} s, {len(track)} frames): "
                            f"one rep takes at least {MIN_DURATION_S:g} s, so nothing can be found")
    track.save(work / "landmarks.npz")
    t0 = time.perf_counter()
    try:
        a = assess(track, opts.exercise, opts.view, opts.profile)
    except ProfileError as exc:
        raise AnalysisError(str(exc)) from None
    analysis = a.analysis if a.analysis is not None else empty_analysis(track, a.exercise)
    timings["analysis_s"] = time.perf_counter() - t0
    header = write_frames_csv(work / "frames.csv", track.t, track.detected, a.view.frame_label, analysis.reps,
                              analysis.depth, analysis.series)
    write_exports(work, track, analysis, header)
    if opts.replay:
        release_free_memory()  # the pose pass's freed pages, before the encoder allocates its own
        timings["replay_s"] = write_replay(path, work / "replay.mp4", info, analysis, a.view,
                                           progress=opts.progress, position=opts.progress_position,
                                           notices=unreliable_notices(a), trim=opts.trim)
    timings["total_s"] = time.perf_counter() - t_start
    n = len(track)
    timings["pose_fps"] = n / timings["pose_s"] if timings["pose_s"] else 0.0
    timings["pipeline_fps"] = n / timings["total_s"] if timings["total_s"] else 0.0
    summary = build_summary(path, info, track, a, analysis, model_path, timings, opts.trim)
    write_json(work / "summary.json", summary)
    if opts.history is not None:
        _write_history(work, opts.history, summary, final)
    _write_report(work, path)
    return summary, timings


def _write_history(work: Path, prior: dict, summary: dict, final: Path | None) -> None:
    """``history.json``: this session after the user's earlier ones, for the report. A failed
    write (OSError) fails the run like any output; anything else leaves the file out (the
    history never fails an analysis)."""
    from .history import write_history_file

    try:
        write_history_file(work, prior, summary, final)
    except OSError:
        raise
    except Exception:  # noqa: BLE001 - the report then has no "last sessions", nothing else changes
        pass


def _write_report(work: Path, path: str) -> None:
    """``report.html`` from the files just written. A failed write (OSError: a full disk) fails
    the run like any other output; so does a bug in the report, as AnalysisError: a result
    folder is complete or not published at all."""
    from .report import ReportError, write_report

    try:
        write_report(work)
    except OSError:
        raise
    except ReportError as exc:
        raise AnalysisError(f"{Path(path).name}: report.html not written ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - a bug, still one line
        raise AnalysisError(f"{Path(path).name}: report.html not written "
                            f"(internal error {exc.__class__.__name__}: {exc})") from None


def eprint(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
