"""What the foot exercises share: body scale, vertical rises, view gating, resting levels,
segmentation into repetitions (one-way excursions, or paired two-way ones), rep timing, and the
rep -> metrics -> faults loop (pure numpy).

Units: lengths are in **foot lengths**, estimated as ``FOOT_PER_SHANK`` x the standing shank
(knee->ankle) length in the image. The shank stands near vertical in every standing foot
exercise, so this scale is the same from the front, the side and behind, unlike the heel->toe
distance, which the front and rear views foreshorten. Angles are degrees, times seconds.
"""
from __future__ import annotations

import warnings

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..faults import Fault, Measurement, suggestions
from ..profile import Profile
from ..reps import Rep, RepParams, find_reps
from ..skeleton import CHAIN, L_HIP, R_HIP, SIDES
from ..track import PoseTrack
from ..view import ViewEstimate
from .catalog import FEET_TOO_SMALL, layout
from .common import (
    CleanPose,
    ExerciseAnalysis,
    RepResult,
    baseline,
    clean_pose,
    judge_into,
    local_baseline,
    standing_mask,
)

# Foot length from shank length (Drillis & Contini: foot 0.152 H, shank 0.246 H).
FOOT_PER_SHANK = 0.62
# A heel raise pivots about the balls of the feet; the ankle sits ~70 % of the foot length
# from them, so the ankle (and, knees straight, the hips) rise 0.7 x the heel's rise.
ANKLE_LEVER = 0.7

# Which views can see which foot-exercise metric (BIOMECHANICS.md); metrics not listed are
# measured in every view. Oblique views see a mix of both planes.
FOOT_METRIC_VIEWS: dict[str, tuple[str, ...]] = {
    "ankle_rise": ("front", "rear"),
    "roll": ("front", "rear"),
    "knee_tracking": ("front", "rear"),
    "knee_sway": ("front", "rear"),
    "toe_lift": ("side", "oblique"),
    "ankle_angle": ("side", "oblique"),
}


def visible(metric: str, view: str) -> bool:
    """True if ``metric`` (without a left_/right_ prefix) can be measured from ``view``."""
    base = metric.removeprefix("left_").removeprefix("right_")
    allowed = FOOT_METRIC_VIEWS.get(base)
    return allowed is None or view in allowed


def gate(series: dict[str, np.ndarray], view: ViewEstimate) -> dict[str, np.ndarray]:
    """NaN every frame of every series whose view cannot see that metric."""
    labels = view.frame_label
    out = {}
    for name, x in series.items():
        ok = np.array([bool(v) and visible(name, v) for v in labels])
        out[name] = np.where(ok, x, np.nan)
    return out


def near_side_only(series: dict[str, np.ndarray], view: ViewEstimate) -> dict[str, np.ndarray]:
    """In side and oblique frames keep a left_/right_ series only for the leg nearer the camera
    (the far foot hides behind the near one and MediaPipe guesses it, as in the squat)."""
    labels = view.frame_label
    sideways = np.array([v in ("side", "oblique") for v in labels])
    out = {}
    for name, x in series.items():
        side = "left" if name.startswith("left_") else "right" if name.startswith("right_") else None
        if side is not None:
            x = np.where(sideways & (view.near_side != side), np.nan, x)
        out[name] = x
    return out


def square_on(track: PoseTrack, max_off_deg: float = 15.0) -> np.ndarray:
    """(T,) bool: frames filmed square to the frontal plane, from the front or from behind
    within ``max_off_deg``, by MediaPipe's 3D azimuth smoothed over ~1 s. Frontal-plane foot
    angles (the rear-foot angle) turn into foot pitch as the camera moves off-axis."""
    from ..view import _rolling_nanmedian, frame_azimuth

    az, _ = frame_azimuth(track)
    half = max(1, int(round(0.5 * (track.fps or 30.0))))
    c = _rolling_nanmedian(np.cos(np.radians(az)), half)
    s = _rolling_nanmedian(np.sin(np.radians(az)), half)
    with np.errstate(invalid="ignore"):
        off = np.degrees(np.arctan2(np.abs(s), np.abs(c)))  # 0 = square front or rear
        return off <= max_off_deg


def prepare(track: PoseTrack, profile: Profile, min_visibility: float | None = None) -> CleanPose:
    """The track's landmarks, cleaned with the profile's [signals] settings."""
    sig = profile.section("signals")
    vis = float(sig.get("min_visibility", 0.5)) if min_visibility is None else min_visibility
    return clean_pose(track, cutoff_hz=float(sig.get("cutoff_hz", 6.0)), max_gap=int(sig.get("max_gap_frames", 10)),
                      min_visibility=vis)


def mean_across(series) -> np.ndarray:
    """(T,) per-frame mean of the finite values of several (T,) series (NaN where none is)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames where every series is NaN
        return np.nanmean(np.stack(list(series)), axis=0)


def quiet_mask(x: np.ndarray, fraction: float = 0.2, min_frames: int = 5) -> np.ndarray:
    """(T,) bool: frames near the resting level of an activity signal (larger = more active);
    the squat's standing mask with the foot exercises' defaults."""
    return standing_mask(x, fraction, min_frames)


def rest_by_visits(x: np.ndarray, t: np.ndarray, still_fraction: float = 0.3, min_still_s: float = 0.15,
                   tolerance: float = 0.2) -> np.ndarray:
    """(T,) bool: the resting frames of a signal that swings both ways from rest (a roll in and
    out, a point and a flex).

    The still stretches of the signal (slower than ``still_fraction`` of its 5-95 % range per
    second, at least ``min_still_s`` long) are grouped by level (within ``tolerance`` of the
    range). Rest is the level returned to most often - between every excursion and at both
    ends - not the level held longest (a long hold at the point would win that; consecutive still
    stretches at one level are one visit); a level between the highest and the lowest gets 1.5
    visits more (rest lies between the two ways), the level the video opens on (still within its
    first 0.7 s) one more: people start at rest. Falls back to the frames nearest the median.
    """
    finite = np.isfinite(x)
    if finite.sum() < 5:
        return finite
    lo, hi = np.nanpercentile(x, [5, 95])
    rng = max(hi - lo, 1e-9)
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1 / 30
    # Stillness on the segmentation-smoothed signal: MediaPipe's jitter is not motion.
    smooth = for_segmentation(np.where(finite, x, np.nanmedian(x)), t)
    speed = np.abs(np.gradient(smooth, dt))
    still = finite & (speed < still_fraction * rng)
    from ..signals import runs

    levels = [(float(np.median(smooth[a:b])), a, b) for a, b in runs(still) if t[b - 1] - t[a] >= min_still_s]
    if not levels:
        return quiet_mask(np.abs(x - np.nanmedian(x)), 0.2)
    groups: list[list[tuple[float, int, int]]] = []
    for lv in sorted(levels):
        if groups and lv[0] - groups[-1][0][0] <= tolerance * rng:
            groups[-1].append(lv)
        else:
            groups.append([lv])
    group_of = {q[1]: k for k, gr in enumerate(groups) for q in gr}
    in_time = [group_of[q[1]] for q in sorted(levels, key=lambda q: q[1])]
    # Visits: consecutive still stretches at the same level (a hold broken by jitter) count once.
    visits = [0] * len(groups)
    for k, g in enumerate(in_time):
        if k == 0 or in_time[k - 1] != g:
            visits[g] += 1

    t0 = t[int(np.flatnonzero(finite)[0])]
    starts_still = min(q[1] for q in levels)
    opening = in_time[0] if t[starts_still] - t0 <= 0.7 else -1  # the video opens on this level

    def score(k: int) -> float:
        return visits[k] + (1.5 if 0 < k < len(groups) - 1 else 0.0) + (1.0 if k == opening else 0.0)

    best = groups[max(range(len(groups)), key=score)]
    level = float(np.median([q[0] for q in best]))
    return still & (np.abs(smooth - level) <= tolerance * rng)


def foot_size_px(xy: np.ndarray) -> float:
    """How long the feet are in the picture, pixels: the larger of the shank-based foot length
    (:func:`foot_unit` over every frame) and the median heel->big-toe distance of the longer
    foot. Each of the two is foreshortened in some set-up (the shank of a seated person filmed
    from the front, the foot of a standing one), the larger one much less. NaN if never seen."""
    every = np.ones(len(xy), bool)
    heel_toe = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a foot never seen
        for side in SIDES:
            p = CHAIN[side]
            heel_toe.append(float(np.nanmedian(np.linalg.norm(xy[:, p["heel"]] - xy[:, p["foot"]], axis=-1))))
        v = np.array([foot_unit(xy, every)] + heel_toe)
        return float(np.nanmax(v)) if np.isfinite(v).any() else float("nan")


def too_small(xy: np.ndarray, profile: Profile) -> tuple[bool, float, float]:
    """(the feet are too small to grade, their size px, the profile's minimum px).

    Below ``[feet] min_foot_px`` MediaPipe's foot points are too coarse for the foot exercises'
    measures (see the profiles' source note); a foot never seen is not "too small" (the rules
    then say what was not measured)."""
    need = float(profile.value("feet", "min_foot_px", 0.0))
    size = foot_size_px(xy)
    return bool(np.isfinite(size) and size < need), size, need


def shank_px(xy: np.ndarray, side: str, rest: np.ndarray) -> float:
    """Resting knee->ankle length of one leg in the image, pixels (NaN if never seen)."""
    p = CHAIN[side]
    return baseline(np.linalg.norm(xy[:, p["knee"]] - xy[:, p["ankle"]], axis=-1), rest)


def foot_unit(xy: np.ndarray, rest: np.ndarray) -> float:
    """Pixels per foot length: FOOT_PER_SHANK x the mean resting shank length of the legs seen."""
    s = [shank_px(xy, side, rest) for side in SIDES]
    s = [v for v in s if np.isfinite(v)]
    return FOOT_PER_SHANK * float(np.mean(s)) if s else float("nan")


def rise(y: np.ndarray, rest: np.ndarray, t: np.ndarray, unit: float, window_s: float = 3.0) -> np.ndarray:
    """(T,) how far an image point is above its resting height, in ``unit`` pixels (up +).

    The resting height is local (the median over resting frames within +-``window_s``), so a
    slowly drifting or hand-held camera does not turn into a rise.
    """
    return (local_baseline(y, rest, t, window_s) - y) / unit


def hip_centre_y(xy: np.ndarray) -> np.ndarray:
    return 0.5 * (xy[:, L_HIP, 1] + xy[:, R_HIP, 1])


def knee_flexion_3d(world: np.ndarray, side: str) -> np.ndarray:
    """(T,) knee flexion from MediaPipe's world landmarks, degrees (view-independent)."""
    from .. import geometry as g

    p = CHAIN[side]
    return g.flexion(world[:, p["hip"]], world[:, p["knee"]], world[:, p["ankle"]])


@dataclass
class Timing:
    """Times of one excursion of a signal, from its resting level to its peak and back.

    rise_s: from ``lo`` to ``hi`` of the amplitude on the way up; hold_s: time spent at or
    above ``hi``; lower_s: from the last ``hi`` to ``lo`` on the way down.
    """

    rise_s: float
    hold_s: float
    lower_s: float


def timing(x: np.ndarray, t: np.ndarray, a: int, b: int, e: int, lo: float = 0.1, hi: float = 0.9) -> Timing:
    """:class:`Timing` of the excursion of ``x`` over frames [a, e] with its peak at ``b``."""
    w = np.asarray(x[a:e + 1], np.float64)
    if not np.isfinite(w).any():
        return Timing(np.nan, np.nan, np.nan)
    w = _fill(w)
    base = min(w[0], w[-1])
    amp = w[b - a] - base
    if not amp > 0:
        return Timing(np.nan, np.nan, np.nan)
    hi_lvl, lo_lvl = base + hi * amp, base + lo * amp
    above = np.flatnonzero(w >= hi_lvl)
    first_hi, last_hi = int(above[0]), int(above[-1])
    before = np.flatnonzero(w[:first_hi + 1] <= lo_lvl)
    after = np.flatnonzero(w[last_hi:] <= lo_lvl)
    first_lo = int(before[-1]) if len(before) else 0
    last_lo = last_hi + int(after[0]) if len(after) else len(w) - 1
    tw = t[a:e + 1]
    # Time above hi: count frames (a plateau broken by noise still counts as held).
    dt = float(np.median(np.diff(tw))) if len(tw) > 1 else 0.0
    return Timing(float(tw[first_hi] - tw[first_lo]), float(len(above) * dt), float(tw[last_lo] - tw[last_hi]))


def _fill(w: np.ndarray) -> np.ndarray:
    bad = ~np.isfinite(w)
    if bad.any():
        idx = np.arange(len(w))
        w = w.copy()
        w[bad] = np.interp(idx[bad], idx[~bad], w[~bad])
    return w


def rep_params(profile: Profile, default_amplitude: float, **overrides) -> RepParams:
    """Segmentation thresholds from the profile's [reps] section."""
    r = profile.section("reps")
    kw = dict(min_amplitude=float(r.get("min_amplitude", default_amplitude)),
              min_duration_s=float(r.get("min_duration_s", 0.5)),
              max_duration_s=float(r.get("max_duration_s", 20.0)))
    kw.update(overrides)
    return RepParams(**kw)


def peak_in(x: np.ndarray, a: int, e: int, mode: str = "max") -> float:
    """Max / min / largest-magnitude of ``x[a:e+1]`` (NaN if none is finite)."""
    w = x[a:e + 1]
    if not np.isfinite(w).any():
        return float("nan")
    if mode == "max":
        return float(np.nanmax(w))
    if mode == "min":
        return float(np.nanmin(w))
    return float(w[np.nanargmax(np.abs(w))])


def first_top(x: np.ndarray, a: int, e: int, level: float = 0.9) -> int:
    """First frame of [a, e] at or above ``level`` of the way from the lower end to the peak of
    ``x``: where a raise reaches its top (the synthetic truth's "bottom" key of a rep)."""
    w = x[a:e + 1]
    if not np.isfinite(w).any():
        return a
    base = np.nanmin([w[0], w[-1]]) if np.isfinite([w[0], w[-1]]).any() else np.nanmin(w)
    with np.errstate(invalid="ignore"):
        idx = np.flatnonzero(w >= base + level * (np.nanmax(w) - base))
    return a + int(idx[0]) if len(idx) else a + int(np.nanargmax(w))


def rep_view(view: ViewEstimate, r: Rep) -> str:
    return view.frame_label[r.bottom] or view.label


MetricsFn = Callable[[Rep, str], dict[str, float | None]]
MeasureFn = Callable[[Rep, dict, str], list[Measurement]]


def assemble(exercise: str, found: list[Rep], pose: CleanPose, view: ViewEstimate, profile: Profile,
             metrics: MetricsFn, measure: MeasureFn, series: dict[str, np.ndarray], signal: np.ndarray,
             signal_label: str, baselines: dict[str, float], notes: list[str], rep_word: str) -> ExerciseAnalysis:
    """The common tail of every foot exercise: per-rep metrics, faults, root cause, suggestions."""
    t = pose.t
    reps: list[RepResult] = []
    partial: list[RepResult] = []
    all_faults: list[Fault] = []
    borderline: list[Fault] = []
    unit = layout(exercise).unit[0]  # what one repetition is called in the findings (rep, step)
    small, size, need = too_small(pose.xy, profile)
    if np.isfinite(size):
        baselines["foot_size_px"] = size
    if small:
        notes.insert(0, f"{FEET_TOO_SMALL}: the feet are {size:.0f} px long in the picture, "
                        f"grading needs at least {need:.0f} px")
    for r in found:
        v = rep_view(view, r)
        m = metrics(r, v) if r.complete else {}  # may move r.bottom to the rep's key frame
        res = RepResult(index=len(reps) + 1, start=r.start, bottom=r.bottom, end=r.end, start_s=float(t[r.start]),
                        bottom_s=float(t[r.bottom]), end_s=float(t[r.end]), complete=r.complete, view=v,
                        metrics=m, reason=r.reason)
        if not r.complete:
            res.index = 0
            res.reason = _reason(r, pose, view)
            partial.append(res)
            continue
        if small:  # counted, not graded: every rule of the rep is "not judged", with why
            judge_into(res, [], profile, v, [dict(code=c, side=None, why=FEET_TOO_SMALL) for c in profile.rules],
                       unit=unit)
        else:
            got = measure(r, m, v)  # measurements, or (measurements, [{code, side, why}] not judged)
            measured, unjudged = got if isinstance(got, tuple) else (got, [])
            judge_into(res, measured, profile, v, unjudged, unit=unit)
        all_faults.extend(res.faults)
        borderline.extend(res.borderline)
        reps.append(res)
    if not reps:
        notes.insert(0, f"no complete {rep_word} found")
    for p in partial:
        notes.append(f"an incomplete {rep_word} at {p.bottom_s:.1f} s was not counted: {p.reason}")
    roots = [r.root_cause for r in reps if r.root_cause is not None]
    return ExerciseAnalysis(exercise=exercise, reps=reps, partial_reps=partial, faults=all_faults, series=series,
                            depth=signal, depth_label=signal_label, pose=pose, baselines=baselines,
                            suggestions=suggestions(all_faults, roots), notes=notes, borderline=borderline)


def _reason(r: Rep, pose: CleanPose, view: ViewEstimate) -> str:
    """The segmentation's reason, unless the signal stopped because the view changed to one that
    cannot measure it while the person stayed in the frame (the gap is the gate, not an exit)."""
    if "the frame" not in r.reason:
        # analyzer.reps words its reasons for a squat; a foot exercise returns to rest.
        return (r.reason.replace("before the person stands up", "before the movement returns to rest")
                .replace("return to standing", "return to rest").replace("start from standing", "start from rest"))
    i = r.end + 1 if "left" in r.reason else r.start - 1
    if 0 <= i < len(pose.t) and np.isfinite(pose.xy[i, L_HIP]).all():
        return f"the camera view changed to {view.frame_label[i] or 'another view'}, which cannot measure this"
    return r.reason


def measurement(code: str, side: str | None, value: float, t: np.ndarray, r: Rep, at: int | None = None) -> Measurement:
    """A :class:`Measurement` whose warning spans the rep (onset at frame ``at``, else the start)."""
    i = r.start if at is None or at < 0 else at
    return Measurement(code, side, float(value), float(t[i]), float(t[r.start]), float(t[r.end]))


def for_segmentation(x: np.ndarray, t: np.ndarray, cutoff_hz: float = 2.0) -> np.ndarray:
    """``x`` low-passed (zero-phase, ``cutoff_hz``) for finding repetitions only: a held pose
    (the top of a raise, a held point) wobbles with MediaPipe's jitter, which would split one
    hold into two peaks. The foot exercises' phases last 0.3 s or more."""
    from ..signals import lowpass

    fs = 1.0 / float(np.median(np.diff(t))) if len(t) > 1 else 30.0
    return lowpass(x, fs, cutoff_hz)


def find(t: np.ndarray, x: np.ndarray, params: RepParams, cutoff_hz: float = 2.0,
         noise_k: float | None = None) -> list[Rep]:
    """:func:`analyzer.reps.find_reps` on ``x`` (resting level 0) smoothed by :func:`for_segmentation`.
    Incomplete reps shorter than ``params.min_duration_s`` (a wobble where the video starts or
    ends) are dropped. ``noise_k``: see :func:`noise_floor`; a rep must then also rise ``noise_k``
    standard deviations of the signal between the reps."""
    xs = for_segmentation(x, t, cutoff_hz)

    def segment(p: RepParams) -> list[Rep]:
        return [r for r in find_reps(t, xs, p) if r.complete or t[r.end] - t[r.start] >= p.min_duration_s]

    reps = segment(params)
    if noise_k:
        floor = noise_floor(t, xs, reps, noise_k)
        if floor > params.min_amplitude:
            reps = segment(replace(params, min_amplitude=floor))
    return reps


def noise_floor(t: np.ndarray, xs: np.ndarray, reps: list[Rep], k: float, min_quiet_s: float = 2.0) -> float:
    """``k`` x the standard deviation of the smoothed signal ``xs`` (T,) outside ``reps`` (all of
    them, complete or cut), in ``xs``'s units; 0 when under ``min_quiet_s`` of such frames were
    seen. A person who sways while standing moves the signal that much with no rep at all: a
    rep smaller than that cannot be told from the sway, however the fixed threshold was set."""
    quiet = np.isfinite(xs)
    for r in reps:
        quiet[r.start:r.end + 1] = False
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1 / 30
    if quiet.sum() * dt < min_quiet_s:
        return 0.0
    return k * float(np.std(xs[quiet]))


def pair_excursions(t: np.ndarray, x: np.ndarray, params: RepParams, names: tuple[str, str],
                    cutoff_hz: float = 2.0, partner_fraction: float = 0.1, first: int | None = None,
                    lone_first: bool = False, split_at_pause: bool = False) -> list[Rep]:
    """Repetitions made of one excursion of ``x`` above 0 and one below, e.g. a roll in and a
    roll out, or a point and a flex. ``names`` words the positive and negative excursions.
    ``first``: 0 if a repetition starts with the positive excursion, 1 with the negative one,
    None for the order of the video's first whole excursion.

    Each direction's excursions are found separately with :func:`find_reps` on the signal clipped
    at 0, so one excursion runs from neutral to its peak and back to (or through) neutral. A
    lone excursion whose partner stayed under the rep threshold still makes a repetition when the
    partner reaches ``partner_fraction`` of the threshold where it belongs (a small roll out is a
    fault of the repetition, not a missing one): after a first-kind excursion, or before a
    second-kind one that follows a whole rep and a pause. A whole first-kind excursion after a
    whole rep, with no partner at all while the person is in view, is a rep too (its partner
    measures ~0); with ``lone_first``, also before the first whole rep (the video holds at
    least one). Other lone excursions are returned as incomplete reps. ``split_at_pause``: the two
    halves follow each other without a pause (a roll in straight into the roll out), so a first
    half followed by a small partner and a pause at neutral does not pair with the next whole
    second half. The rep's ``bottom`` is the positive excursion's peak. ``x`` is smoothed by
    :func:`for_segmentation` first.
    """
    x = for_segmentation(x, t, cutoff_hz)
    sig = (np.where(np.isfinite(x), np.clip(x, 0, None), np.nan), np.where(np.isfinite(x), np.clip(-x, 0, None), np.nan))
    with np.errstate(invalid="ignore"):
        pos = find_reps(t, sig[0], params)
        neg = find_reps(t, sig[1], params)
    min_len = params.min_duration_s
    done = sorted([(r.bottom, 0, r) for r in pos if r.complete] + [(r.bottom, 1, r) for r in neg if r.complete],
                  key=lambda e: e[0])
    cut = [(r.bottom, k, r) for k, rs in ((0, pos), (1, neg)) for r in rs
           if not r.complete and t[r.end] - t[r.start] >= min_len]
    reps: list[Rep] = [Rep(r.start, r.bottom, r.end, False, r.reason) for _, _, r in cut]
    if not done:
        return sorted(reps, key=lambda r: r.start)
    if first is None:
        first = done[0][1]  # the order of the first whole excursion is the exercise's order
    partner_min = partner_fraction * params.min_amplitude

    def pair(lone: bool) -> list[Rep]:
        reps: list[Rep] = [Rep(r.start, r.bottom, r.end, False, r.reason) for _, _, r in cut]
        i = 0
        while i < len(done):
            _, kind, r = done[i]
            if kind == first and i + 1 < len(done) and done[i + 1][1] != first:
                r2 = done[i + 1][2]
                # With split_at_pause, not the partner when the person paused at neutral in between
                # after a small partner of this one (a small roll out, then the next rep's tiny roll
                # in and its whole roll out): pairing across the pause would make two reps one.
                between = sig[1 - kind][r.end:r2.start + 1]
                paused = (split_at_pause and t[r2.start] - t[r.end] >= 0.5 and np.isfinite(between).any()
                          and np.nanmax(between) >= partner_min)
                if not paused:
                    reps.append(Rep(r.start, r.bottom if kind == 0 else r2.bottom, r2.end, True, ""))
                    i += 2
                    continue
            # A lone excursion. First kind: look for its small partner after it, before the next
            # excursion. Second kind: before it, but only after a whole rep and a pause (a rep whose
            # first half stayed small; an overshoot right after a rep, or a wobble in the lead-in
            # before any rep, is not one).
            other = sig[1 - kind]
            prev = [q for q in reps if q.complete]
            if kind == first:
                lo, hi = r.bottom, (done[i + 1][2].start if i + 1 < len(done) else len(t) - 1)
            elif prev and t[r.start] - t[prev[-1].end] >= 0.5:
                lo, hi = prev[-1].end, r.bottom
            else:
                lo = hi = r.bottom
            w = other[lo:hi + 1]
            if hi > lo and np.isfinite(w).any() and np.nanmax(w) >= partner_min:
                k = lo + int(np.nanargmax(w))
                level = 0.15 * other[k]
                if kind == first:
                    after = np.flatnonzero(~(other[k:hi + 1] > level))
                    a, e = r.start, k + (int(after[0]) if len(after) else hi - k)
                else:
                    before = np.flatnonzero(~(other[lo:k + 1] > level))
                    a, e = lo + (int(before[-1]) if len(before) else 0), r.end
                reps.append(Rep(a, r.bottom if kind == 0 else k, e, True, ""))
            elif kind == first and (prev or lone) and hi > lo and np.isfinite(w).mean() > 0.8:
                # A whole first half after at least one whole rep (``lone``: one anywhere in the
                # video), the person in view, and no second half at all: the rep was done without its partner (a fault of the rep: its small
                # partner is measured as ~0), not a missing rep.
                reps.append(Rep(r.start, r.bottom, r.end, True, ""))
            else:
                reps.append(Rep(r.start, r.bottom, r.end, False, f"{names[kind]} without {names[1 - kind]}"))
            i += 1
        return sorted(reps, key=lambda r: r.start)

    reps = pair(False)
    if lone_first and any(r.complete for r in reps):
        reps = pair(True)  # the video holds a whole rep: a lone first half is one too
    return reps
