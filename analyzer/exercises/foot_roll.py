"""Supination and pronation rolls, standing: roll both feet in (arches collapse), then out (weight
on the outer edges), and back. Front or rear view.

The roll is read from the ankle's sideways offset from the knee->big-toe line (medial +, i.e.
pronation +): a rigid roll of the foot about its inner or outer border carries the ankle sideways
over the planted toes while the knee stays nearly put. MediaPipe's heel barely follows a roll
(the rear-foot angle read 3 deg for a true 11 on the digital human), while this offset follows it
(0.03-0.06 foot lengths for a true 0.046 at 12 deg). It is turned into degrees with the ankle's
height over the rolling border (``ROLL_LEVER`` foot lengths). A repetition is a roll in and a
roll out (in either order). Pure numpy.
"""
from __future__ import annotations


import numpy as np

from .. import geometry as g
from ..faults import Measurement
from ..kinematics import medial_direction
from ..profile import Profile
from ..reps import Rep
from ..skeleton import CHAIN, L_HIP, R_HIP, SIDES
from ..track import PoseTrack
from ..view import ViewEstimate
from . import feet
from .common import ExerciseAnalysis

# The ankle's sideways travel per unit sine of roll, in foot lengths (digital human: 12 deg of
# roll about the sole's border moves the ankle 0.046 foot lengths off the knee-toe line).
ROLL_LEVER = 0.22


def ankle_offset(xy: np.ndarray, side: str, unit: float) -> np.ndarray:
    """(T,) the ankle's offset from the knee->foot_index line, medial +, in foot lengths."""
    p = CHAIN[side]
    medial = medial_direction(xy, side)
    return g.signed_offset_from_line(xy[:, p["ankle"]], xy[:, p["knee"]], xy[:, p["foot"]], medial) / unit


def roll_degrees(offset: np.ndarray, lever: np.ndarray | float = ROLL_LEVER) -> np.ndarray:
    """Degrees of roll from the ankle's sideways offset (foot lengths) and its height over the
    rolling border (``lever``, foot lengths; ROLL_LEVER with the heel down)."""
    return np.degrees(np.arcsin(np.clip(offset / lever, -1.0, 1.0)))


def roll_signals(pose, view: ViewEstimate) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, float]:
    """(per-side roll series deg (gated to front/rear), mean roll (T,), resting frames, px per foot).

    The ankle's offset is taken relative to its resting value before it becomes an angle: from
    behind, the hidden toe sits well off the ankle's line in the image, so only changes mean roll.
    """
    xy, t = pose.xy, pose.t
    every = np.isfinite(xy[:, 0, 0])
    unit = feet.foot_unit(xy, every)
    raw = feet.gate({f"{side}_roll": ankle_offset(xy, side, unit) for side in SIDES}, view)
    mean0 = feet.mean_across(raw.values())
    # Resting = the still level the feet return to between rolls.
    rest = feet.rest_by_visits(mean0, t)
    s = {k: roll_degrees(x - feet.local_baseline(x, rest, t, 4.0)) for k, x in raw.items()}
    mean = feet.mean_across([s["left_roll"], s["right_roll"]])
    return s, mean, rest, unit


def analyze_foot_roll(track: PoseTrack, view: ViewEstimate, profile: Profile, *, quality=None) -> ExerciseAnalysis:
    pose = feet.prepare(track, profile)
    t, xy = pose.t, pose.xy
    s, roll, rest, unit = roll_signals(pose, view)
    base = {"foot_length_px": unit}
    # Knees steady: each knee's sideways travel relative to the hip centre, foot lengths.
    hip_x = 0.5 * (xy[:, L_HIP, 0] + xy[:, R_HIP, 0])
    for side in SIDES:
        p = CHAIN[side]
        medial = np.sign(medial_direction(xy, side)[:, 0])
        k = (hip_x - xy[:, p["knee"], 0]) * -medial / unit  # medial +
        s[f"{side}_knee_sway"] = k - feet.local_baseline(k, rest, t, 4.0)
    s = feet.gate(s, view)
    s["roll"] = roll
    params = feet.rep_params(profile, 5.0)
    # lone_first: a roll in (or out) whose partner stayed at neutral is a rep with a small roll
    # that way (roll_*_small), once the video holds a whole rep, as for the foot spine.
    found = feet.pair_excursions(t, roll, params, ("a roll in", "a roll out"), lone_first=True, split_at_pause=True)

    def metrics(r: Rep, v: str) -> dict[str, float | None]:
        a, e = r.start, r.end
        r.bottom = feet.first_top(roll, a, e, 0.9)  # reaching the roll in
        m: dict[str, float | None] = {}
        m["roll_in_deg"] = feet.peak_in(roll, a, e, "max")
        m["roll_out_deg"] = -feet.peak_in(roll, a, e, "min")
        for side in SIDES:
            m[f"{side}_roll_in_deg"] = feet.peak_in(s[f"{side}_roll"], a, e, "max")
            m[f"{side}_roll_out_deg"] = -feet.peak_in(s[f"{side}_roll"], a, e, "min")
            ks = s[f"{side}_knee_sway"][a:e + 1]
            m[f"{side}_knee_sway"] = float(np.nanmax(ks) - np.nanmin(ks)) if np.isfinite(ks).any() else None
        for side in SIDES:
            ri, ro = m[f"{side}_roll_in_deg"], m[f"{side}_roll_out_deg"]
            m[f"{side}_in_out_asymmetry"] = (abs(ri - ro) / max(ri, ro)
                                             if np.isfinite(ri) and np.isfinite(ro) and max(ri, ro) > 0 else None)
        lr = [max(m[f"{side}_roll_in_deg"], m[f"{side}_roll_out_deg"]) for side in SIDES]
        m["left_right_asymmetry"] = abs(lr[0] - lr[1]) / max(lr) if all(np.isfinite(lr)) and max(lr) > 0 else None
        m["duration_s"] = float(t[e] - t[a])
        # Smoothness: direction changes of the roll inside the rep beyond the two a clean
        # in-out cycle has (counted on the filtered signal, ignoring wiggles under 1 deg).
        m["extra_reversals"] = float(max(0, _reversals(roll[a:e + 1], 1.0) - 2))
        return m

    def measure(r: Rep, m: dict, v: str) -> list[Measurement]:
        out = []
        for side in SIDES:
            for way in ("in", "out"):
                val = m[f"{side}_roll_{way}_deg"]
                if val is not None and np.isfinite(val):
                    out.append(feet.measurement(f"roll_{way}_small", side, val, t, r))
            ks = m[f"{side}_knee_sway"]
            if ks is not None and np.isfinite(ks):
                out.append(feet.measurement("knees_unsteady", side, ks, t, r))
            asym = m[f"{side}_in_out_asymmetry"]
            if asym is not None:
                out.append(feet.measurement("roll_asymmetry", side, asym, t, r))
        return out

    notes = []
    if not np.isfinite(roll).any():
        notes.append(f"the roll of the feet needs a front or rear view; this video is filmed from the {view.label}")
    return feet.assemble("foot_roll", found, pose, view, profile, metrics, measure, s, roll,
                         "foot roll (mean of both feet, pronation +), deg", base, notes, "roll in and out")


def _reversals(x: np.ndarray, min_step: float) -> int:
    """Direction changes of ``x`` ignoring moves smaller than ``min_step`` (a hysteresis count)."""
    x = x[np.isfinite(x)]
    if len(x) < 3:
        return 0
    n, direction, anchor = 0, 0, x[0]
    for v in x[1:]:
        d = v - anchor
        if direction >= 0 and d <= -min_step:
            n += direction > 0
            direction, anchor = -1, v
        elif direction <= 0 and d >= min_step:
            n += direction < 0
            direction, anchor = 1, v
        elif (direction > 0 and v > anchor) or (direction < 0 and v < anchor):
            anchor = v
    return n
