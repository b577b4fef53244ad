"""Toe lifts (toe extension), standing: lift all ten toes with the balls of the feet down, hold,
lower. Per lift: how high the toes rose, how long they were held, rise and lowering time,
left-right symmetry, and that the heels stayed down.

The rep signal is the big-toe tip's (MediaPipe foot_index) height above the heel, above its
resting value, in foot lengths, averaged over the feet in view: relative to the heel it ignores a
moving camera and the body's sway. MediaPipe reads the toe tip's rise short (0.05-0.06 foot
lengths for the digital human's true 0.14 at 35 deg of toe extension), so the thresholds are in
MediaPipe's own units, calibrated on renders. The "Frankenstein walk" (walking with the toes
lifted) is its own exercise (:mod:`.toe_walk`), measured with :func:`toe_above_heel`. Pure numpy.
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


def toe_above_heel(xy: np.ndarray, side: str, unit: float) -> np.ndarray:
    """(T,) the big-toe tip (MediaPipe foot_index) above the heel in the picture, in foot lengths
    (``unit`` px each; up +). With the foot flat it is the foot's own shape (MediaPipe reads about
    -0.03 for flat toes from the side) plus the toes' lift."""
    p = CHAIN[side]
    return (xy[:, p["heel"], 1] - xy[:, p["foot"], 1]) / unit


def toe_signals(pose) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, float]:
    """(per-side toe lift and heel rise series, mean toe lift (T,), resting frames, px per foot)."""
    xy, t = pose.xy, pose.t
    every = np.isfinite(xy[:, 0, 0])
    unit = feet.foot_unit(xy, every)
    raw, heel0 = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a clip with no toe seen at all
        for side in SIDES:
            p = CHAIN[side]
            raw[side] = toe_above_heel(xy, side, unit)
            # A first guess of the heels' rise, against their lowest level in the video, so that
            # a lift with the heels up does not pass for the resting level below.
            hy = xy[:, p["heel"], 1]
            heel0[side] = np.clip(np.nan_to_num((np.nanpercentile(hy, 90) - hy) / unit), 0.0, None)
    mean0 = feet.mean_across([raw[sd] + heel0[sd] for sd in SIDES])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a clip with no toe seen at all
        rest = feet.quiet_mask(mean0 - np.nanpercentile(mean0, 5), 0.25)
    s: dict[str, np.ndarray] = {}
    for side in SIDES:
        p = CHAIN[side]
        s[f"{side}_heel_rise"] = feet.rise(xy[:, p["heel"], 1], rest, t, unit, 4.0)
        # Heels that rise with the toes (a fault) lower the toe against the heel: add their rise
        # back, so the toes' own lift is measured and the rep is not cut in two.
        raw[side] = raw[side] + np.clip(np.nan_to_num(s[f"{side}_heel_rise"]), 0.0, None)
    mean0 = feet.mean_across(raw.values())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        rest = feet.quiet_mask(mean0 - np.nanpercentile(mean0, 5), 0.25)
    for side in SIDES:
        s[f"{side}_toe_lift"] = raw[side] - feet.local_baseline(raw[side], rest, t, 4.0)
    lift = feet.mean_across([s["left_toe_lift"], s["right_toe_lift"]])
    return s, lift, rest, unit


def analyze_toe_lift(track: PoseTrack, view: ViewEstimate, profile: Profile, *, quality=None) -> ExerciseAnalysis:
    pose = feet.prepare(track, profile)
    t = pose.t
    s, lift, _, unit = toe_signals(pose)
    s = feet.gate(s, view)
    s["toe_lift"] = lift
    # Counted from any view; graded (height, hold) only where the view sees the toes rise: from
    # the front or behind they rise toward or away from the camera and read short.
    seen = feet.gate({"toe_lift": lift}, view)["toe_lift"]
    base = {"foot_length_px": unit}
    params = feet.rep_params(profile, 0.025)
    found = feet.find(t, lift, params)
    top_level = float(profile.value("reps", "top_fraction", 0.8))

    def metrics(r: Rep, v: str) -> dict[str, float | None]:
        r.bottom = feet.first_top(lift, r.start, r.end, top_level)
        a, b, e = r.start, r.bottom, r.end
        m: dict[str, float | None] = {"toe_lift": feet.peak_in(lift, a, e)}
        tm = feet.timing(lift, t, a, b, e, hi=top_level)
        m["toe_lift_seen"] = feet.peak_in(seen, a, e)
        m["rise_s"], m["hold_s"], m["lower_s"] = tm.rise_s, tm.hold_s, tm.lower_s
        m["duration_s"] = float(t[e] - t[a])
        for side in SIDES:
            m[f"{side}_toe_lift"] = feet.peak_in(s[f"{side}_toe_lift"], a, e)
            m[f"{side}_heel_rise"] = feet.peak_in(s[f"{side}_heel_rise"], a, e)
        lr = [m["left_toe_lift"], m["right_toe_lift"]]
        m["toe_asymmetry"] = (abs(lr[0] - lr[1]) / max(lr)
                              if all(x is not None and np.isfinite(x) for x in lr) and max(lr) > 0 else None)
        hr = [m[f"{side}_heel_rise"] for side in SIDES]
        hr = [x for x in hr if x is not None and np.isfinite(x)]
        m["heel_rise"] = max(hr) if hr else None
        return m

    def measure(r: Rep, m: dict, v: str) -> list[Measurement]:
        out = []
        # Filmed from where the toes' rise cannot be read: counted, height and hold not graded.
        seen = np.isfinite(m["toe_lift_seen"])
        if seen and np.isfinite(m["toe_lift"]):
            out.append(feet.measurement("toe_lift_low", None, m["toe_lift"], t, r, r.bottom))
        if seen and np.isfinite(m["hold_s"]):
            out.append(feet.measurement("short_hold", None, m["hold_s"], t, r, r.bottom))
        if m["heel_rise"] is not None:
            out.append(feet.measurement("heel_lift", None, m["heel_rise"], t, r, r.bottom))
        return out

    notes = ["toe lifts standing; the 'Frankenstein walk' (walking with the toes lifted) is analysed as its own "
             "exercise: --exercise toe_walk"]
    if view.label in ("front", "rear"):
        notes.append(f"toe lifts are best filmed from the side; from the {view.label} the toes rise toward or away "
                     "from the camera and their height reads low")
    return feet.assemble("toe_lift", found, pose, view, profile, metrics, measure, s, lift,
                         "toe lift (big-toe tip above the heel, MediaPipe), foot lengths", base, notes, "toe lift")
