"""Foot spine, seated with the legs long: point the feet (then the toes reach for the floor),
reverse (toes back, balls of the feet), flex the ankles fully. Side view.

The signal is the ankle's plantarflexion in the image: the angle between the shank (ankle->knee)
and the foot (heel->big toe), relative to the resting foot, + pointed, - flexed; mean of the feet
in view (which are readable is judged by each leg's own plane, not the trunk's view: seated,
the two can face different ways). A repetition is one point and one flex (pointing first is the
exercise's order); a point whose flex stays at the resting foot is a repetition with a limited
flex, not a missing one. Per repetition: the range each way, the order, and the tempo (time
into the point, held, back, into the flex). MediaPipe has no toe joints: the toes' own curl ("reach for the floor") is not seen.
Pure numpy.
"""
from __future__ import annotations


import numpy as np

from .. import geometry as g
from ..faults import Measurement
from ..profile import Profile
from ..reps import Rep
from ..skeleton import CHAIN, L_HIP, R_HIP, SIDES
from ..track import PoseTrack
from ..view import ViewEstimate
from . import feet
from .common import ExerciseAnalysis


def ankle_plantarflexion(xy: np.ndarray, side: str) -> np.ndarray:
    """(T,) image angle between the shank (ankle->knee) and the foot (heel->foot_index), degrees:
    about 90-100 with the foot at a right angle to the shank, larger when pointed, smaller when
    flexed."""
    p = CHAIN[side]
    return g.angle_between(xy[:, p["knee"]] - xy[:, p["ankle"]], xy[:, p["foot"]] - xy[:, p["heel"]])


# The image angle between shank and foot is the ankle's angle only while the leg's own plane
# (knee, ankle, heel, big toe) faces the camera: |cos| of the angle between that plane's normal
# and the camera axis, from MediaPipe's world landmarks. 0.5 = the plane turned 60 deg away.
LEG_PLANE_MIN = 0.5
# One foot's plane facing the camera this much more than the other's (median |cos|): that foot is
# the one to read (the other is seen more edge-on); otherwise the foot nearer the camera.
LEG_PLANE_MARGIN = 0.05


def leg_plane_facing(world: np.ndarray, side: str) -> np.ndarray:
    """(T,) how squarely the leg's plane (shank knee->ankle, foot heel->big toe) faces the
    camera: |cos| of its normal to the camera axis, 1 = seen square-on (a side view of the
    foot), 0 = edge-on (the legs pointing at the camera). From world landmarks (camera-aligned
    axes), so it follows the legs, not the trunk: a seated person's legs and trunk can face
    different ways."""
    p = CHAIN[side]
    w = np.asarray(world, np.float64)
    n = np.cross(w[:, p["knee"]] - w[:, p["ankle"]], w[:, p["foot"]] - w[:, p["heel"]])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(n[:, 2]) / np.linalg.norm(n, axis=1)


def _rolling_median(x: np.ndarray, half: int) -> np.ndarray:
    from ..view import _rolling_nanmedian

    return _rolling_nanmedian(x, half)


def readable_feet(track: PoseTrack, raw: dict[str, np.ndarray], view: ViewEstimate) -> dict[str, np.ndarray]:
    """The ankle-angle series kept where they can be read, by each leg's own plane
    (:func:`leg_plane_facing`, smoothed over ~1 s; where the world landmarks are missing, the
    trunk's view decides as for the other foot exercises), then one foot: the one whose plane
    faces the camera clearly more (``LEG_PLANE_MARGIN``), else the nearer one in side and
    oblique frames (:func:`feet.near_side_only`). A view the user forced (``--view``) is
    obeyed as in the other foot exercises."""
    if view.overridden:
        return feet.near_side_only(feet.gate(raw, view), view)
    half = max(1, int(round(0.5 * (track.fps or 30.0))))
    by_view = feet.gate(raw, view)
    out, facing = {}, {}
    for side in SIDES:
        name = f"{side}_ankle_angle"
        f = _rolling_median(leg_plane_facing(track.world, side), half)
        facing[side] = np.where(np.isfinite(raw[name]), f, np.nan)
        with np.errstate(invalid="ignore"):
            out[name] = np.where(np.isfinite(f), np.where(f >= LEG_PLANE_MIN, raw[name], np.nan), by_view[name])
    both = np.isfinite(facing["left"]) & np.isfinite(facing["right"])
    if both.sum() >= 5:
        med = {side: float(np.median(facing[side][both])) for side in SIDES}
        best = max(SIDES, key=med.get)
        other = "left" if best == "right" else "right"
        if med[best] - med[other] >= LEG_PLANE_MARGIN:
            keep = np.isfinite(out[f"{best}_ankle_angle"])
            out[f"{other}_ankle_angle"] = np.where(keep, np.nan, out[f"{other}_ankle_angle"])
            return out
    return feet.near_side_only(out, view)


def seated_fraction(xy: np.ndarray) -> np.ndarray:
    """(T,) the hips' height above the ankles over the hip-ankle distance (image): ~1 standing,
    near 0 sitting with the legs long (a camera at the person's side or front)."""
    hip = 0.5 * (xy[:, L_HIP] + xy[:, R_HIP])
    out = []
    for side in SIDES:
        ank = xy[:, CHAIN[side]["ankle"]]
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append((ank[:, 1] - hip[:, 1]) / g.distance(hip, ank))
    return feet.mean_across(out)


# A flex read under this (deg past the resting foot) was not seen at all.
FLEX_SEEN_DEG = 1.0
FLEX_NOT_SEEN = "the flex was not seen past the resting foot from this angle (film from the side)"


def analyze_foot_spine(track: PoseTrack, view: ViewEstimate, profile: Profile, *, quality=None) -> ExerciseAnalysis:
    pose = feet.prepare(track, profile)
    t, xy = pose.t, pose.xy
    raw = {side: ankle_plantarflexion(xy, side) for side in SIDES}
    raw = readable_feet(track, {f"{side}_ankle_angle": raw[side] for side in SIDES}, view)
    mean0 = feet.mean_across(raw.values())
    # Resting: the still level the foot returns to between the point and the flex.
    rest = feet.rest_by_visits(mean0, t)
    s: dict[str, np.ndarray] = {}
    base: dict[str, float] = {}
    for side in SIDES:
        x = raw[f"{side}_ankle_angle"]
        base[f"{side}_ankle_angle"] = feet.baseline(x, rest)
        s[f"{side}_plantarflexion"] = x - feet.local_baseline(x, rest, t, 6.0)
    pf = feet.mean_across([s["left_plantarflexion"], s["right_plantarflexion"]])
    s["plantarflexion"] = pf
    s["seated"] = seated_fraction(xy)
    params = feet.rep_params(profile, 6.0)
    # A repetition starts with the point (the exercise's order). Which came first cannot be told
    # inside a periodic point-flex-point-flex; only the video's first movement shows it.
    found = feet.pair_excursions(t, pf, params, ("a point", "a flex"), first=0, lone_first=True)

    def metrics(r: Rep, v: str) -> dict[str, float | None]:
        a, e = r.start, r.end
        m: dict[str, float | None] = {}
        m["point_deg"] = feet.peak_in(pf, a, e, "max")
        m["flex_deg"] = -feet.peak_in(pf, a, e, "min")
        for side in SIDES:
            m[f"{side}_point_deg"] = feet.peak_in(s[f"{side}_plantarflexion"], a, e, "max")
            m[f"{side}_flex_deg"] = -feet.peak_in(s[f"{side}_plantarflexion"], a, e, "min")
        w = pf[a:e + 1]
        k_point = a + int(np.nanargmax(w))
        k_flex = a + int(np.nanargmin(w))
        # Tempo of the point: into it, held (within 20 % of its peak), back out; then the flex.
        pos = np.clip(np.nan_to_num(pf, nan=0.0), 0, None)
        neg = np.clip(-np.nan_to_num(pf, nan=0.0), 0, None)
        a_p, e_p = (a, k_flex) if k_point < k_flex else (k_flex, e)
        tp = feet.timing(pos, t, a_p, k_point, e_p, hi=0.8)
        a_f, e_f = (k_point, e) if k_point < k_flex else (a, k_point)
        tf = feet.timing(neg, t, a_f, k_flex, e_f, hi=0.8)
        m["point_in_s"], m["point_hold_s"], m["point_out_s"] = tp.rise_s, tp.hold_s, tp.lower_s
        m["flex_in_s"], m["flex_hold_s"], m["flex_out_s"] = tf.rise_s, tf.hold_s, tf.lower_s
        m["duration_s"] = float(t[e] - t[a])
        # The rep's key frame: the middle of the held point (within 20 % of its peak).
        with np.errstate(invalid="ignore"):
            held = np.flatnonzero(pos[a_p:e_p + 1] >= 0.8 * pos[k_point]) + a_p
        r.bottom = int(held[len(held) // 2]) if len(held) else k_point
        return m

    def measure(r: Rep, m: dict, v: str) -> tuple[list[Measurement], list[dict]]:
        out, unjudged = [], []
        for side in SIDES:
            for code, key in (("limited_point", "point_deg"), ("limited_flex", "flex_deg")):
                val = m[f"{side}_{key}"]
                if val is None or not np.isfinite(val):
                    continue
                if code == "limited_flex" and v != "side" and val < FLEX_SEEN_DEG:
                    # Off the side, a flex that never leaves the resting foot is as likely
                    # MediaPipe's foot not following it (ankle_point_flex_seated.mp4: the
                    # frames show six flexes, the foot points read -2.5 to 0.6 deg) as no flex.
                    unjudged.append(dict(code=code, side=side, why=FLEX_NOT_SEEN))
                    continue
                out.append(feet.measurement(code, side, val, t, r))
        flex = m["flex_deg"]
        if v != "side" and (flex is None or not np.isfinite(flex) or flex < FLEX_SEEN_DEG):
            # The round's end is the flex's end: unseen, its duration is the point's alone.
            unjudged.append(dict(code="foot_spine_rushed", side=None, why=FLEX_NOT_SEEN))
        else:
            out.append(feet.measurement("foot_spine_rushed", None, m["duration_s"], t, r))
        return out, unjudged

    notes = ["the toes' own curl toward the floor is not measured: MediaPipe has no toe joints"]
    first_move = _first_movement(t, pf, params)
    if first_move == "flex":
        notes.append("the video's first movement is a flex: the foot spine points first, then flexes")
    if not np.isfinite(pf).any():
        notes.append(f"the ankle's point and flex need a side view; this video is filmed from the {view.label}")
    return feet.assemble("foot_spine", found, pose, view, profile, metrics, measure, s, pf,
                         "ankle plantarflexion (image, shank vs heel->toe, vs rest; point +), deg",
                         base, notes, "point and flex")


def _first_movement(t: np.ndarray, pf: np.ndarray, params) -> str | None:
    """'point' or 'flex': the video's first whole excursion of the ankle angle, if any."""
    from ..reps import find_reps

    x = feet.for_segmentation(pf, t)
    with np.errstate(invalid="ignore"):
        ups = [r for r in find_reps(t, np.where(np.isfinite(x), np.clip(x, 0, None), np.nan), params) if r.complete]
        downs = [r for r in find_reps(t, np.where(np.isfinite(x), np.clip(-x, 0, None), np.nan), params) if r.complete]
    firsts = [(r.start, "point") for r in ups[:1]] + [(r.start, "flex") for r in downs[:1]]
    return min(firsts)[1] if firsts else None
