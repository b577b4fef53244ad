"""Heel raises: count the raises; per raise the heel height, the time to rise, hold and lower,
left-right symmetry, the knees, and whether the ankles roll out at the top ("sickling") or in.

The rep signal is the rise of the hip centre above its standing height, divided by
``ANKLE_LEVER`` and expressed in foot lengths: with the knees straight the body rises as much
as the ankles, which rise 0.7 x the heel about the balls of the feet. This is the one estimate
of heel height that every view sees (the heels and toes hide behind the feet from the front
and behind); the heel's own rise is reported per side where both feet are visible. The roll
of each foot at the top is the foot-roll exercise's measure (the ankle's sideways offset from
the knee->big-toe line, as an angle), judged only from straight in front or behind. Pure numpy.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..faults import Measurement
from ..profile import Profile
from ..reps import Rep
from ..skeleton import CHAIN, SIDES
from ..track import PoseTrack
from ..view import ViewEstimate
from . import feet
from .common import ExerciseAnalysis
from .foot_roll import ROLL_LEVER, ankle_offset, roll_degrees

# Heel-to-ball-of-foot distance in foot lengths: a heel rise h (foot lengths) is a foot pitch of
# asin(h / HEEL_TO_BALL) (digital human: 25 deg of pitch lifts the heel 0.316 foot lengths).
HEEL_TO_BALL = 0.75


def stepping_mask(xy: np.ndarray, t: np.ndarray, unit: float, threshold: float = 0.3, pad_s: float = 0.3) -> np.ndarray:
    """(T,) bool: frames in which a whole foot leaves the floor (a step, walking in or out).

    In a heel raise the balls of the feet stay down; a step lifts the toes of one foot, or moves
    one foot up or down relative to the other, by more than ``threshold`` foot lengths.
    """
    T = len(xy)
    toes = [xy[:, CHAIN[s]["foot"], 1] for s in SIDES]
    ankles = [xy[:, CHAIN[s]["ankle"], 1] for s in SIDES]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bad = np.zeros(T, bool)
        for y in toes:
            bad |= (np.nanmedian(y) - y) / unit > threshold
        diff = (ankles[0] - ankles[1]) / unit
        if np.isfinite(diff).any():
            bad |= np.abs(diff - np.nanmedian(diff)) > threshold
    pad = int(round(pad_s / max(float(np.median(np.diff(t))) if T > 1 else 1 / 30, 1e-3)))
    if pad and bad.any():
        idx = np.flatnonzero(bad)
        out = np.zeros(T, bool)
        for i in idx:
            out[max(0, i - pad): i + pad + 1] = True
        bad = out
    return bad


def raise_signal(pose) -> tuple[np.ndarray, np.ndarray, float]:
    """(lift (T,) foot lengths, resting frames (T,) bool, pixels per foot length).

    lift: per frame the larger of two heel-height estimates, NaN while stepping: the hip
    centre's rise / ANKLE_LEVER (every view sees it; right when the knees stay straight) and
    the mean of the ankles' rises / ANKLE_LEVER (right when the hips do not follow, e.g. one
    heel rising less than the other; from the front MediaPipe reads the ankles' rise short).
    """
    xy, t = pose.xy, pose.t
    every = np.isfinite(xy[:, 0, 0])
    unit = feet.foot_unit(xy, every)
    step = stepping_mask(xy, t, unit)
    ys = [feet.hip_centre_y(xy)] + [xy[:, CHAIN[s]["ankle"], 1] for s in SIDES]
    ys = [np.where(step, np.nan, y) for y in ys]

    def combined(rest: np.ndarray, window_s: float) -> np.ndarray:
        hip, left, right = (feet.rise(y, rest & np.isfinite(y), t, unit, window_s) / feet.ANKLE_LEVER for y in ys)
        return np.fmax(hip, feet.mean_across([left, right]))

    # Resting frames: the lowest levels, found on a coarse signal first.
    coarse = combined(np.isfinite(ys[0]), 4.0)
    rest = feet.quiet_mask(coarse, fraction=0.25)
    return combined(rest, 3.0), rest, unit


def analyze_heel_raise(track: PoseTrack, view: ViewEstimate, profile: Profile, *, quality=None) -> ExerciseAnalysis:
    pose = feet.prepare(track, profile)
    t, xy = pose.t, pose.xy
    lift, rest, unit = raise_signal(pose)
    base: dict[str, float] = {"foot_length_px": unit}
    s: dict[str, np.ndarray] = {"heel_height": lift}
    for side in SIDES:
        p = CHAIN[side]
        # Each heel's own rise, via its ankle (MediaPipe places the ankle more steadily than the
        # heel), / 0.7: heel-height units, for the left-right symmetry.
        s[f"{side}_ankle_rise"] = feet.rise(xy[:, p["ankle"], 1], rest, t, unit) / feet.ANKLE_LEVER
        off = ankle_offset(xy, side, unit)
        base[f"{side}_ankle_offset"] = feet.baseline(off, rest)
        # Up on the toes the ankle stands higher over the rolling border by the ankles' own rise
        # (ANKLE_LEVER x the heel height), so the same roll carries it further sideways: on the
        # foot bench's dev split a fixed lever read true rolls about 2x at the top of the raise.
        lever = ROLL_LEVER + feet.ANKLE_LEVER * np.clip(np.nan_to_num(lift), 0.0, None)
        s[f"{side}_roll"] = roll_degrees(off - feet.local_baseline(off, rest, t, 3.0), lever)
        s[f"{side}_knee_flexion_3d"] = feet.knee_flexion_3d(pose.world, side)
    s = feet.gate(s, view)
    square = feet.square_on(track, profile.value("views", "max_off_axis_deg", 15.0))
    for side in SIDES:
        s[f"{side}_roll"] = np.where(square, s[f"{side}_roll"], np.nan)
    s["heel_height"] = lift  # every view
    knee = np.fmax(s["left_knee_flexion_3d"], s["right_knee_flexion_3d"])
    base["knee_flexion_3d"] = feet.baseline(knee, rest)

    params = feet.rep_params(profile, 0.1)
    noise_k = float(profile.value("reps", "noise_k", 0.0))
    found = feet.find(t, lift, params, noise_k=noise_k)
    top_level = float(profile.value("reps", "top_fraction", 0.9))

    def metrics(r: Rep, v: str) -> dict[str, float | None]:
        r.bottom = feet.first_top(lift, r.start, r.end, top_level)
        a, b, e = r.start, r.bottom, r.end
        m: dict[str, float | None] = {}
        h = feet.peak_in(lift, a, e)
        m["heel_height"] = h
        m["heel_pitch_deg"] = float(np.degrees(np.arcsin(np.clip(h / HEEL_TO_BALL, -1, 1)))) if np.isfinite(h) else None
        tm = feet.timing(lift, t, a, b, e, hi=top_level)
        m["rise_s"], m["hold_s"], m["lower_s"] = tm.rise_s, tm.hold_s, tm.lower_s
        m["duration_s"] = float(t[e] - t[a])
        top = _top_frames(lift, a, e, top_level)
        for side in SIDES:
            m[f"{side}_heel_rise"] = feet.peak_in(s[f"{side}_ankle_rise"], a, e)
            m[f"{side}_roll_at_top"] = _median(s[f"{side}_roll"], top)
        lr = [m["left_heel_rise"], m["right_heel_rise"]]
        if all(x is not None and np.isfinite(x) for x in lr) and max(lr) > 0:
            m["heel_asymmetry"] = abs(lr[0] - lr[1]) / max(lr)
        else:
            m["heel_asymmetry"] = None
        m["knee_bend_deg"] = feet.peak_in(knee, a, e) - base["knee_flexion_3d"]
        return m

    def measure(r: Rep, m: dict, v: str) -> list[Measurement]:
        out = []
        i_top = r.bottom
        if m["heel_height"] is not None and np.isfinite(m["heel_height"]):
            out.append(feet.measurement("heel_raise_low", None, m["heel_height"], t, r, i_top))
        if np.isfinite(m["hold_s"]):
            out.append(feet.measurement("short_hold", None, m["hold_s"], t, r, i_top))
        if np.isfinite(m["lower_s"]):
            out.append(feet.measurement("fast_lowering", None, m["lower_s"], t, r, i_top))
        if m.get("heel_asymmetry") is not None:
            low = "left" if m["left_heel_rise"] < m["right_heel_rise"] else "right"
            out.append(feet.measurement("heel_asymmetry", low, m["heel_asymmetry"], t, r, i_top))
        for side in SIDES:
            rf = m[f"{side}_roll_at_top"]
            if rf is not None and np.isfinite(rf):
                out.append(feet.measurement("sickling", side, rf, t, r, i_top))
                out.append(feet.measurement("foot_roll", side, rf, t, r, i_top))
        return out

    notes = []
    if not np.isfinite(s["left_roll"]).any() and not np.isfinite(s["right_roll"]).any():
        notes.append("sickling (ankles rolling out at the top) needs a view from straight in front or behind; "
                     f"this video is filmed from the {view.label}")
    if not np.isfinite(s["left_ankle_rise"]).any():
        notes.append("left-right heel symmetry needs both feet in view (front or rear)")
    return feet.assemble("heel_raise", found, pose, view, profile, metrics, measure, s, lift,
                         "heel height (hip rise / 0.7), foot lengths", base, notes, "heel raise")


def _top_frames(x: np.ndarray, a: int, e: int, level: float) -> np.ndarray:
    w = x[a:e + 1]
    if not np.isfinite(w).any():
        return np.array([], int)
    lo, hi = np.nanmin(w), np.nanmax(w)
    with np.errstate(invalid="ignore"):
        return a + np.flatnonzero(w >= lo + level * (hi - lo))


def _median(x: np.ndarray, idx: np.ndarray) -> float:
    if len(idx) == 0:
        return float("nan")
    w = x[idx]
    w = w[np.isfinite(w)]
    return float(np.median(w)) if len(w) else float("nan")
