"""Standing footwork in Pilates V: bend ankles and knees, lift the heels, straighten the legs with
the heels up, lower the heels; then the reverse (lift, bend, lower, straighten).

Two signals carry the exercise: the knee bend (3D knee flexion from MediaPipe's world landmarks,
mean of both legs, above standing; view-independent) and the heel lift (the ankles' rise above
standing / 0.7, in foot lengths; see :mod:`.feet`). A repetition is one excursion away from
"straight legs, heels down" and back; inside it the order in which the bend and the lift start
and end is the sequence. Per repetition: the sequence and whether its order was kept, knee bend,
heel height, the knees over the 2nd/3rd toes (front or rear view), the stance, and the control of
the heels' lowering. Pure numpy.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import geometry as g
from ..faults import Measurement
from ..kinematics import medial_direction
from ..profile import Profile
from ..reps import Rep
from ..skeleton import CHAIN, SIDES
from ..track import PoseTrack
from ..view import ViewEstimate
from . import feet
from .common import ExerciseAnalysis

SEQUENCES = ("bend_first", "lift_first")
LIFT_TOO_SMALL = "the heels barely left the floor, so the order of the phases could not be timed"
# Horizontal distance from the ankle to the big-toe tip, in foot lengths (digital human: a 25 deg
# toe-out puts the toe 0.26 foot lengths sideways of the ankle: 0.26 / sin 25 = 0.62).
ANKLE_TO_TOE = 0.62
# The knee's direction is measured only when it is at least this far (fraction of half the leg)
# from the hip-ankle line: near straight legs its sideways offset is noise.
MIN_KNEE_LEVER = 0.25


def chord_bend(xy: np.ndarray, rest: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(T,) deg: knee bend from how much each leg's hip-ankle distance in the picture shortens
    against its own standing length (mean of both legs; NaN where neither is seen).

    With thigh and shank about equal, a knee bent by k shortens the hip-ankle chord to
    cos(k / 2) of its straight length in any view the legs are not end-on to (lifting the heels
    raises hip and ankle together and leaves it alone), so k = 2 acos(chord / standing chord).
    On the foot bench's dev split MediaPipe's 3D knee angle read true 36-51 deg footwork bends
    as 7-37 deg (7-13 from behind) while this read 43-58 deg from the front, behind, the side
    and a 51 deg oblique.
    """
    out = []
    for side in SIDES:
        p = CHAIN[side]
        chord = g.distance(xy[:, p["hip"]], xy[:, p["ankle"]])
        straight = feet.local_baseline(chord, rest & np.isfinite(chord), t, 4.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(2.0 * np.degrees(np.arccos(np.clip(chord / straight, 0.0, 1.0))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(out, axis=0)


def footwork_signals(pose, rest_hint: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(bend (T,) deg, lift (T,) foot lengths, resting frames (T,) bool, pixels per foot length).

    bend: the legs' shortening in the picture (:func:`chord_bend`), MediaPipe's 3D knee angle
    above standing where the legs are not seen."""
    xy, t, w = pose.xy, pose.t, pose.world
    every = np.isfinite(xy[:, 0, 0])
    unit = feet.foot_unit(xy, every)
    knee = np.mean([feet.knee_flexion_3d(w, s) for s in SIDES], axis=0)

    def lift_for(rest: np.ndarray, window_s: float) -> np.ndarray:
        ys = [xy[:, CHAIN[s]["ankle"], 1] for s in SIDES]
        rises = [feet.rise(y, rest & np.isfinite(y), t, unit, window_s) / feet.ANKLE_LEVER for y in ys]
        return feet.mean_across(rises)

    # Resting = legs straight and heels down: the lowest knee flexion and the lowest ankles.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        k0 = knee - np.nanpercentile(knee, 5)
        l0 = lift_for(every, 1e6)
        l0 = l0 - np.nanpercentile(l0, 5)
    rest = (feet.quiet_mask(k0, 0.2) & feet.quiet_mask(l0, 0.2)) if rest_hint is None else rest_hint
    if rest.sum() < 5:
        rest = feet.quiet_mask(np.fmax(k0 / 20.0, l0 / 0.1), 0.2)
    bend3d = knee - feet.local_baseline(knee, rest, t, 4.0)
    bend = chord_bend(xy, rest, t)
    bend = np.where(np.isfinite(bend), bend, bend3d)
    return bend, lift_for(rest, 4.0), rest, unit


def knee_tracking(xy: np.ndarray, side: str, rest: np.ndarray, unit: float, lever_scale: float = 1.0) -> np.ndarray:
    """(T,) degrees: the knee's direction of travel relative to the foot's, + inside (toward the
    midline, valgus-like), - outside. NaN while the knee is near the hip-ankle line.

    From the front (or behind) the knee's distance from the hip-ankle line comes from how much
    the leg shortens in the image (as in the squat), its sideways part from the image directly;
    the foot's direction (toe-out) from the big toe's sideways offset from the ankle over the
    ankle-to-toe length. "Knees over the 2nd/3rd toes" means the two directions agree.
    ``lever_scale`` corrects the knee's distance from the hip-ankle line for MediaPipe, which
    places the hip too high on bent knees and so reads the leg too long (too little lever).
    """
    p = CHAIN[side]
    hip, knee, ankle, toe = (xy[:, p[k]] for k in ("hip", "knee", "ankle", "foot"))
    medial = medial_direction(xy, side)
    half_leg = 0.5 * feet.baseline(g.distance(hip, ankle), rest)
    chord = g.distance(hip, ankle)
    lever = np.sqrt(np.clip(half_leg ** 2 - (0.5 * chord) ** 2, 0.0, None)) * lever_scale
    off = g.signed_offset_from_line(knee, hip, ankle, medial)  # medial +
    with np.errstate(invalid="ignore", divide="ignore"):
        knee_dir = np.degrees(np.arcsin(np.clip(-off / lever, -1, 1)))  # lateral +
        lat_toe = -(toe[:, 0] - ankle[:, 0]) * np.sign(medial[:, 0]) / unit  # lateral +
        foot_dir = np.degrees(np.arcsin(np.clip(lat_toe / ANKLE_TO_TOE, -1, 1)))
        foot_dir = feet.baseline(foot_dir, rest)  # the stance's toe-out, from standing
        return np.where(lever >= MIN_KNEE_LEVER * lever_scale * half_leg, foot_dir - knee_dir, np.nan)


def phase_order(bend: np.ndarray, lift: np.ndarray, t: np.ndarray, a: int, e: int, level: float = 0.5) -> dict[str, float]:
    """When, inside frames [a, e], the bend and the lift start and end (crossing ``level`` of
    their own peak), the sequence and how well its order was kept.

    Returns seconds from the rep start: bend_on, bend_off, lift_on, lift_off; ``sequence`` 0 for
    bend-first, 1 for lift-first; ``order_margin``: the smaller of the gap between the two starts
    and the gap by which the ends came in the sequence's order (bend-first: straighten, then
    lower; lift-first: lower, then straighten). Negative = the ends came in the wrong order;
    near 0 = the two moved together instead of one after the other.
    """
    out: dict[str, float] = {}
    for name, x in (("bend", bend), ("lift", lift)):
        w = x[a:e + 1]
        if not np.isfinite(w).any() or not np.nanmax(w) > 0:
            return {}
        with np.errstate(invalid="ignore"):
            above = np.flatnonzero(w >= level * np.nanmax(w))
        out[f"{name}_on"] = float(t[a + above[0]] - t[a])
        out[f"{name}_off"] = float(t[a + above[-1]] - t[a])
    bend_first = out["bend_on"] <= out["lift_on"]
    out["sequence"] = 0.0 if bend_first else 1.0
    start_gap = abs(out["lift_on"] - out["bend_on"])
    end_gap = (out["lift_off"] - out["bend_off"]) if bend_first else (out["bend_off"] - out["lift_off"])
    out["start_gap_s"], out["end_gap_s"] = start_gap, end_gap
    out["order_margin"] = min(start_gap, end_gap)
    return out


def heel_hold(bend: np.ndarray, lift: np.ndarray, a: int, e: int, sequence: float, straight: float = 0.25) -> float:
    """Share (0..1) of the heels' peak height still held where the sequence needs them up, in
    frames [a, e]: bend-first, when the legs are straight again (the bend back under
    ``straight`` of its peak after it, before the heels lower); lift-first, when the bend first
    reaches 70 % of its peak.
    NaN when either signal is missing. Heels dropping while the legs straighten read low here
    long before the ends swap order (the phase-order rule)."""
    wb, wl = bend[a:e + 1], lift[a:e + 1]
    if not (np.isfinite(wb).any() and np.isfinite(wl).any()):
        return float("nan")
    pb, pl = np.nanmax(wb), np.nanmax(wl)
    if not (pb > 0 and pl > 0):
        return float("nan")
    kb = int(np.nanargmax(wb))
    if sequence == 0.0:
        with np.errstate(invalid="ignore"):
            after = np.flatnonzero(wb[kb:] < straight * pb)
        if not len(after):
            return float("nan")
        k = kb + int(after[0])
    else:  # the bend is reached with the heels up; lowering them while bent deepens it further,
        # so its peak comes after the heels went down: take where it first reaches 70 % of it
        with np.errstate(invalid="ignore"):
            k = int(np.flatnonzero(wb >= 0.7 * pb)[0])
    return float(wl[k] / pl) if np.isfinite(wl[k]) else float("nan")


def analyze_footwork(track: PoseTrack, view: ViewEstimate, profile: Profile, *, quality=None) -> ExerciseAnalysis:
    pose = feet.prepare(track, profile)
    t, xy = pose.t, pose.xy
    bend, lift, rest, unit = footwork_signals(pose)
    bend_ref = profile.value("reps", "bend_ref_deg", 15.0)
    lift_ref = profile.value("reps", "lift_ref", 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        activity = np.fmax(bend / bend_ref, lift / lift_ref)
    base: dict[str, float] = {"foot_length_px": unit}
    s: dict[str, np.ndarray] = {"knee_bend": bend, "heel_height": lift, "activity": activity}
    for side in SIDES:
        s[f"{side}_knee_tracking"] = knee_tracking(xy, side, rest, unit,
                                                   profile.value("knee_tracking", "lever_scale", 1.35))
        s[f"{side}_knee_flexion_3d"] = feet.knee_flexion_3d(pose.world, side)
    s = feet.gate(s, view)
    for k in ("knee_bend", "heel_height", "activity"):
        s[k] = {"knee_bend": bend, "heel_height": lift, "activity": activity}[k]
    # Stance: heel gap and toe gap at rest, in foot lengths (front / rear views see them).
    front = np.array([v in ("front", "rear") for v in view.frame_label])
    if (front & rest).sum() >= 3:
        heel_gap = np.abs(xy[:, CHAIN["left"]["heel"], 0] - xy[:, CHAIN["right"]["heel"], 0]) / unit
        toe_gap = np.abs(xy[:, CHAIN["left"]["foot"], 0] - xy[:, CHAIN["right"]["foot"], 0]) / unit
        base["heel_gap"] = feet.baseline(heel_gap, front & rest)
        base["toe_gap"] = feet.baseline(toe_gap, front & rest)
    params = feet.rep_params(profile, 1.0)
    found = feet.find(t, activity, params)
    level = profile.value("reps", "phase_level", 0.5)

    def metrics(r: Rep, v: str) -> dict[str, float | None]:
        a, e = r.start, r.end
        m: dict[str, float | None] = {}
        m["knee_bend"] = feet.peak_in(bend, a, e)
        m["heel_height"] = feet.peak_in(lift, a, e)
        m.update(phase_order(bend, lift, t, a, e, level))
        m["heel_hold"] = heel_hold(bend, lift, a, e, m["sequence"]) if "sequence" in m else None
        # Bottom = bent with the heels up: where the smaller of the two (each / its peak) is largest.
        with np.errstate(invalid="ignore", divide="ignore"):
            both = np.fmin(bend[a:e + 1] / m["knee_bend"], lift[a:e + 1] / m["heel_height"])
        if np.isfinite(both).any():
            r.bottom = a + int(np.nanargmax(both))
        k = int(np.nanargmax(np.where(np.isfinite(lift[a:e + 1]), lift[a:e + 1], -np.inf))) + a
        m["lower_s"] = feet.timing(lift, t, a, k, e).lower_s
        m["duration_s"] = float(t[e] - t[a])
        for side in SIDES:
            m[f"{side}_knee_tracking"] = _at_deepest(s[f"{side}_knee_tracking"], bend, a, e)
        m["heel_gap"] = base.get("heel_gap")
        m["toe_gap"] = base.get("toe_gap")
        return m

    def measure(r: Rep, m: dict, v: str) -> list[Measurement]:
        out = []
        # The order of a heel lift that barely left the floor is timed on noise: below the
        # lift's own reference (0.1 foot lengths) the order and the heels' hold are not judged
        # (the low lift itself is: heels barely rise).
        lifted = m["heel_height"] is not None and np.isfinite(m["heel_height"]) and m["heel_height"] >= lift_ref
        unjudged = [] if lifted else [dict(code=c, side=None, why=LIFT_TOO_SMALL) for c in ("footwork_order", "heels_dropped")]
        if lifted and m.get("order_margin") is not None:
            out.append(feet.measurement("footwork_order", None, m["order_margin"], t, r))
        if lifted and m.get("heel_hold") is not None and np.isfinite(m["heel_hold"]):
            out.append(feet.measurement("heels_dropped", None, m["heel_hold"], t, r))
        if m["heel_height"] is not None and np.isfinite(m["heel_height"]):
            out.append(feet.measurement("heel_raise_low", None, m["heel_height"], t, r, r.bottom))
        if m["lower_s"] is not None and np.isfinite(m["lower_s"]):
            out.append(feet.measurement("fast_lowering", None, m["lower_s"], t, r))
        for side in SIDES:
            kt = m[f"{side}_knee_tracking"]
            if kt is not None and np.isfinite(kt):
                out.append(feet.measurement("knee_tracking", side, abs(kt), t, r, r.bottom))
        if m.get("heel_gap") is not None and np.isfinite(m["heel_gap"]):
            out.append(feet.measurement("footwork_stance", None, m["heel_gap"], t, r))
        return out, unjudged

    notes = []
    if not np.isfinite(s["left_knee_tracking"]).any() and not np.isfinite(s["right_knee_tracking"]).any():
        notes.append(f"knees over the 2nd/3rd toes needs a front or rear view; this video is filmed from the {view.label}")
    analysis = feet.assemble("footwork", found, pose, view, profile, metrics, measure, s, activity,
                             "footwork activity: max(knee bend / 15 deg, heel height / 0.1 foot), unitless",
                             base, notes, "footwork sequence")
    done = {SEQUENCES[int(r.metrics["sequence"])] for r in analysis.reps if r.metrics.get("sequence") is not None}
    if analysis.reps and len(done) == 1:
        other = next(q for q in SEQUENCES if q not in done)
        analysis.notes.append(f"only the {done.pop().replace('_', '-')} sequence was done; the exercise also "
                              f"asks for the reverse ({other.replace('_', '-')})")
    return analysis


def _at_deepest(x: np.ndarray, bend: np.ndarray, a: int, e: int, frac: float = 0.8) -> float:
    """Median of ``x`` over the frames of [a, e] bent to at least ``frac`` of the rep's peak bend."""
    wb = bend[a:e + 1]
    if not np.isfinite(wb).any():
        return float("nan")
    with np.errstate(invalid="ignore"):
        idx = a + np.flatnonzero(wb >= frac * np.nanmax(wb))
    v = x[idx]
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) else float("nan")
