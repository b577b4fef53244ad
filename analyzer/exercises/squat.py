"""The squat: per-frame metrics gated by view, repetitions, per-rep metrics, faults and the chain.

Pure numpy. Input: a :class:`PoseTrack`, its :class:`ViewEstimate` and a :class:`Profile`.
Output: :class:`ExerciseAnalysis` with everything the outputs layer writes or draws.
"""
from __future__ import annotations

import numpy as np

from .. import geometry as g
from .. import kinematics
from ..calibration import LinearModel, apply_side, apply_valgus, load_calibration
from ..faults import Fault, Measurement, judge_all, root_cause, suggestions
from ..profile import Profile
from ..reps import Rep, RepParams, find_reps
from ..skeleton import CHAIN, SIDES
from ..track import PoseTrack
from ..view import ViewEstimate, metric_visible
from .common import (CleanPose, ExerciseAnalysis, RepResult, at, baseline, clean_pose, first_crossing, last_crossing,
                     local_baseline, peak, standing_mask)

# Foot length from shank length (Drillis & Contini: foot 0.152 H, shank 0.246 H), for views in
# which the foot points at the camera and its length cannot be seen.
FOOT_PER_SHANK = 0.62
# Heel lift pivots about the toes; the ankle sits ~70 % of the foot length from them.
ANKLE_LEVER = 0.7
# Below this fraction of the leg's half-length, the knee is too close to the hip-ankle line for
# its sideways offset to give a stable valgus angle (near standing).
MIN_KNEE_LEVER = 0.4
# FPPA is reported only while the thigh's projected length is at least this fraction of its
# standing length (calibration suite, front view: worst error 6 deg above 0.8, 9 deg at 0.7-0.8,
# 22 deg below 0.4).
FPPA_MIN_THIGH = 0.8


def depth_signal(world: np.ndarray, xy: np.ndarray | None = None, frame_view: np.ndarray | None = None) -> np.ndarray:
    """(T,) how deep the squat is, as the knee flexion of the less-bent knee, degrees.

    From MediaPipe's 3D world landmarks: view-independent, and the *less* bent knee keeps
    walking (one knee at a time) from looking like a squat. Seen from behind, MediaPipe's 3D
    knee angle collapses (the knees travel away from the camera, along its weakest axis: 35-50
    deg read for 115-125 deg on the digital human), so rear-view frames use the image instead:
    the leg's hip-ankle length, relative to shoulder width (which a squat does not change and
    walking away shrinks alike) and to its standing value, as the knee flexion of two equal
    segments, 2 * acos(shortening).

    Args:
        world: (T, 33, 3) metres. xy: (T, 33, 2) pixels. frame_view: (T,) view label per frame.
    """
    def flex(p, side):
        c = CHAIN[side]
        return g.flexion(p[:, c["hip"]], p[:, c["knee"]], p[:, c["ankle"]])

    depth = np.minimum(flex(world, "left"), flex(world, "right"))
    if xy is None or frame_view is None:
        return depth
    rear = frame_view == "rear"
    if rear.sum() < 3:
        return depth
    shoulders = g.distance(xy[:, CHAIN["left"]["shoulder"]], xy[:, CHAIN["right"]["shoulder"]])
    legs = []
    for side in SIDES:
        c = CHAIN[side]
        ratio = g.distance(xy[:, c["hip"]], xy[:, c["ankle"]]) / shoulders
        standing = np.nanpercentile(ratio[rear], 90) if np.isfinite(ratio[rear]).any() else np.nan
        legs.append(2 * np.degrees(np.arccos(np.clip(ratio / standing, 0.0, 1.0))))
    return np.where(rear, np.minimum(*legs), depth)


def frame_series(pose: CleanPose, view: ViewEstimate, stand: np.ndarray,
                 calibration: dict[str, LinearModel] | None = None) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Every per-frame metric, gated by each frame's view; plus the standing baselines used.

    ``calibration``: linear corrections of the side-view angles (see :mod:`analyzer.calibration`);
    None or empty measures MediaPipe's geometry as it is.
    """
    xy = pose.xy
    sag = kinematics.sagittal_angles(xy, view.forward_sign)
    fro = kinematics.frontal_angles(xy)
    s: dict[str, np.ndarray] = {}
    base: dict[str, float] = {}

    for side in SIDES:
        p = CHAIN[side]
        # --- side view ---
        for name in ("knee_flexion", "hip_flexion", "shank_inclination", "thigh_inclination", "hip_below_knee"):
            s[f"{side}_{name}"] = sag[f"{side}_{name}"]
        sfd = sag[f"{side}_shank_foot_dorsiflexion"]
        base[f"{side}_shank_foot_dorsiflexion"] = baseline(sfd, stand)
        s[f"{side}_shank_foot_dorsiflexion"] = sfd - base[f"{side}_shank_foot_dorsiflexion"]
        foot_len = baseline(g.distance(xy[:, p["heel"]], xy[:, p["foot"]]), stand)
        base[f"{side}_foot_length_px"] = foot_len
        rise = {}
        for part in ("heel", "ankle", "foot"):
            y0 = local_baseline(xy[:, p[part], 1], stand, pose.t)
            rise[part] = (y0 - xy[:, p[part], 1]) / foot_len
        # A heel lift raises the heel and (less) the ankle while the toes stay down; MediaPipe's
        # heel alone drifts up at depth, so both must agree.
        lift = np.fmin(rise["heel"], rise["ankle"] / ANKLE_LEVER)
        s[f"{side}_heel_lift"] = np.where(rise["foot"] < 0.15, lift, np.nan)

        # --- front / rear view ---
        # FPPA needs the thigh in the image plane: once it points at the camera (projected
        # length under FPPA_MIN_THIGH of standing) a pixel of knee error swings the angle by
        # tens of degrees (the front-view trap of BIOMECHANICS.md), so it is not reported.
        thigh = g.distance(xy[:, p["hip"]], xy[:, p["knee"]])
        conditioned = thigh >= FPPA_MIN_THIGH * baseline(thigh, stand)
        fppa = np.where(conditioned, fro[f"{side}_fppa"], np.nan)
        s[f"{side}_fppa"] = fppa
        base[f"{side}_fppa"] = baseline(fppa, stand)
        s[f"{side}_fppa_rel"] = fppa - local_baseline(fppa, stand, pose.t)
        s[f"{side}_knee_offset"] = fro[f"{side}_knee_offset"]
        shank = baseline(g.distance(xy[:, p["knee"]], xy[:, p["ankle"]]), stand)
        half_leg = 0.5 * baseline(g.distance(xy[:, p["hip"]], xy[:, p["ankle"]]), stand)
        base[f"{side}_shank_px"] = shank
        medial_x = np.sign(kinematics.medial_direction(xy, side)[:, 0])
        off = (xy[:, p["knee"], 0] - xy[:, p["foot"], 0]) * medial_x
        # Knee lever: the knee's distance from the hip-ankle line, from how much the leg has
        # shortened in the image (thigh ~ shank ~ half the standing hip-ankle length).
        chord = g.distance(xy[:, p["hip"]], xy[:, p["ankle"]])
        lever = np.sqrt(np.clip(half_leg ** 2 - (0.5 * chord) ** 2, 0.0, None))
        valgus = np.degrees(np.arctan2(off, lever))
        s[f"{side}_knee_valgus"] = np.where(lever >= MIN_KNEE_LEVER * half_leg, valgus, np.nan)
        s[f"{side}_knee_tracking"] = off / (FOOT_PER_SHANK * shank)
        base[f"{side}_foot_roll"] = baseline(fro[f"{side}_foot_roll"], stand)
        s[f"{side}_foot_roll"] = fro[f"{side}_foot_roll"] - local_baseline(fro[f"{side}_foot_roll"], stand, pose.t)

    s["trunk_lean"] = sag["trunk_lean"]
    s["knee_ankle_ratio"] = fro["knee_ankle_ratio"]
    for name in ("hip_shift", "pelvic_obliquity"):
        base[name] = baseline(fro[name], stand)
        s[name] = fro[name] - local_baseline(fro[name], stand, pose.t)

    # Gate by view, and in side views keep only the leg nearer the camera.
    labels = view.frame_label
    for name, x in s.items():
        views = np.array([metric_visible(name, v) if v else False for v in labels])
        x = np.where(views, x, np.nan)
        side = "left" if name.startswith("left_") else "right" if name.startswith("right_") else None
        if side is not None and metric_visible(name, "side") and not metric_visible(name, "front"):
            x = np.where(view.near_side == side, x, np.nan)
        s[name] = x
    near_names = ("knee_flexion", "hip_flexion", "shank_inclination", "thigh_inclination",
                  "hip_below_knee", "shank_foot_dorsiflexion", "heel_lift")

    def near_side_names() -> None:
        # Near-side sagittal angles under side-free names (what the report and replay show).
        for name in near_names:
            s[name] = np.where(np.isfinite(s[f"left_{name}"]), s[f"left_{name}"], s[f"right_{name}"])

    near_side_names()
    if calibration:
        s.update(apply_side(s, calibration))
        near_side_names()
        for side in SIDES:
            s[f"{side}_knee_valgus"] = apply_valgus(s[f"{side}_knee_valgus"], labels, calibration)
    s["trunk_minus_shank"] = s["trunk_lean"] - s["shank_inclination"]
    return s, base


def analyze_squat(track: PoseTrack, view: ViewEstimate, profile: Profile, *, calibrated: bool = True) -> ExerciseAnalysis:
    """Reps, per-rep metrics, faults, root causes and suggestions of a squat video.

    ``calibrated``: apply the bench-fitted corrections of MediaPipe's angle errors (False gives
    MediaPipe's geometry as it is; the bench uses that to fit them).
    """
    sig = profile.section("signals")
    pose = clean_pose(track, cutoff_hz=float(sig.get("cutoff_hz", 6.0)), max_gap=int(sig.get("max_gap_frames", 10)),
                      min_visibility=float(sig.get("min_visibility", 0.5)))
    depth = depth_signal(pose.world, pose.xy, view.frame_label)
    params = RepParams(min_amplitude=profile.value("reps", "min_amplitude_deg", 35.0))
    found = find_reps(pose.t, depth, params)
    stand = standing_mask(depth)
    series, base = frame_series(pose, view, stand, load_calibration() if calibrated else None)
    notes: list[str] = []
    drift = remove_common_hip_drift(series, depth, stand, [r for r in found if r.complete])
    if drift is not None and abs(drift) >= 0.5 * profile.rules["hip_shift"].threshold:
        side = "left" if drift > 0 else "right"
        notes.append(f"in every rep the hips appear to move toward the {side} by about {100 * abs(drift):.0f} % of "
                     "stance width in proportion to depth: the camera is probably not square to you (or the shift "
                     "is habitual); only shifts that differ from this were judged per rep")

    reps: list[RepResult] = []
    partial: list[RepResult] = []
    all_faults: list[Fault] = []
    for r in found:
        rep_view = view.frame_label[r.bottom] or view.label
        index = len(reps) + 1
        result = _rep_result(index, r, pose.t, rep_view, series, depth)
        if r.complete:
            measurements = _measurements(result, series, pose.t, profile)
            result.faults = judge_all(measurements, profile, index, rep_view)
            result.root_cause = root_cause(result.faults)
            all_faults.extend(result.faults)
            reps.append(result)
        else:
            result.index = 0
            partial.append(result)
    roots = [r.root_cause for r in reps if r.root_cause is not None]
    if not reps:
        notes.append("no complete squat repetition found")
    for p in partial:
        notes.append(f"an incomplete rep at {p.bottom_s:.1f} s was not counted: {p.reason}")
    return ExerciseAnalysis(exercise="squat", reps=reps, partial_reps=partial, faults=all_faults, series=series,
                            depth=depth, depth_label="knee flexion (3D, less-bent knee), deg", pose=pose,
                            baselines=base, suggestions=suggestions(all_faults, roots), notes=notes)


def remove_common_hip_drift(series: dict[str, np.ndarray], depth: np.ndarray, stand: np.ndarray,
                            reps: list[Rep], min_reps: int = 3) -> float | None:
    """Remove the sideways hip 'shift' that every rep shares in proportion to its depth.

    A camera a few degrees off the person's front turns the hips' backward travel into an
    apparent sideways shift (10 deg off-axis: ~15 % of stance width at depth on the digital
    human), identical in every rep. With ``min_reps`` or more reps, the median over reps of
    shift / depth is that common part; it is subtracted from ``series["hip_shift"]`` in place.

    Returns the common shift at the median rep depth (fraction of stance width, + = left), or
    None if it could not be estimated.
    """
    x = series.get("hip_shift")
    if x is None or len(reps) < min_reps:
        return None
    d0 = float(np.nanmedian(depth[stand])) if stand.any() else float(np.nanmin(depth))
    slopes, depths = [], []
    for r in reps:
        dd = depth[r.bottom] - d0
        if np.isfinite(x[r.bottom]) and dd > 10:
            slopes.append(x[r.bottom] / dd)
            depths.append(dd)
    if len(slopes) < min_reps:
        return None
    slope = float(np.median(slopes))
    series["hip_shift"] = x - slope * np.clip(depth - d0, 0.0, None)
    return slope * float(np.median(depths))


def _rep_result(index: int, r: Rep, t: np.ndarray, rep_view: str, s: dict[str, np.ndarray], depth: np.ndarray) -> RepResult:
    a, b, e = r.start, r.bottom, r.end + 1
    m: dict[str, float | None] = {}
    m["depth_3d_knee_flexion"] = peak(depth, a, e)[0]
    m["knee_flexion"] = peak(s["knee_flexion"], a, e)[0]
    m["thigh_angle"] = peak(s["thigh_inclination"], a, e)[0]
    m["hip_below_knee"] = peak(s["hip_below_knee"], a, e)[0]
    m["dorsiflexion"] = peak(s["shank_inclination"], a, e)[0]
    m["shank_foot_dorsiflexion"] = peak(s["shank_foot_dorsiflexion"], a, e)[0]
    m["heel_lift"] = peak(s["heel_lift"], a, e)[0]
    m["trunk_lean"] = at(s["trunk_lean"], b)
    m["trunk_minus_shank"] = at(s["trunk_minus_shank"], b)
    for side in SIDES:
        # FPPA at the deepest frame where it is measurable (near the bottom of a deep squat
        # the thigh points at the camera and FPPA is not reported).
        k = _deepest_finite(s[f"{side}_fppa"], depth, a, e)
        m[f"{side}_fppa"] = at(s[f"{side}_fppa"], k, half=0) if k >= 0 else float("nan")
        m[f"{side}_fppa_rel"] = at(s[f"{side}_fppa_rel"], k, half=0) if k >= 0 else float("nan")
        m[f"{side}_knee_valgus"] = at(s[f"{side}_knee_valgus"], b)
        m[f"{side}_knee_tracking"] = at(s[f"{side}_knee_tracking"], b)
        m[f"{side}_foot_roll"] = at(s[f"{side}_foot_roll"], b)
    m["knee_ankle_ratio"] = at(s["knee_ankle_ratio"], b)
    m["hip_shift"] = peak(s["hip_shift"], a, e, "absmax")[0]
    m["pelvic_drop"] = peak(s["pelvic_obliquity"], a, e, "absmax")[0]
    # Tempo: descent to the bottom, time spent within 10 % of the depth range of the bottom, ascent.
    lo = min(depth[a], depth[min(e, len(depth)) - 1])
    near_bottom = np.flatnonzero(depth[a:e] >= depth[b] - 0.1 * (depth[b] - lo)) + a
    m["descent_s"] = t[b] - t[a]
    m["ascent_s"] = t[e - 1] - t[b]
    m["bottom_pause_s"] = (t[near_bottom[-1]] - t[near_bottom[0]]) if len(near_bottom) else 0.0
    m["duration_s"] = t[e - 1] - t[a]
    return RepResult(index=index, start=r.start, bottom=r.bottom, end=r.end, start_s=float(t[r.start]),
                     bottom_s=float(t[r.bottom]), end_s=float(t[r.end]), complete=r.complete, view=rep_view,
                     metrics=m, reason=r.reason)


def _measurements(rep: RepResult, s: dict[str, np.ndarray], t: np.ndarray, profile: Profile) -> list[Measurement]:
    """One :class:`Measurement` per rule the rep's view can judge."""
    a, b, e = rep.start, rep.bottom, rep.end + 1
    out: list[Measurement] = []
    rules = profile.rules
    bottom_window = (float(t[b]) - 0.25, float(t[rep.end]))

    def crossing(code: str, x: np.ndarray, side: str | None, value: float, sign: float = 1.0) -> None:
        """A measurement whose warning lasts while ``x`` (times ``sign``) is beyond threshold."""
        rule = rules.get(code)
        if rule is None or not np.isfinite(value):
            return
        xs = sign * x
        i0 = first_crossing(xs, a, e, rule.threshold, rule.direction)
        i1 = last_crossing(xs, a, e, rule.threshold, rule.direction)
        if i0 < 0:
            i0 = i1 = b
        out.append(Measurement(code, side, value, float(t[i0]), float(t[i0]), float(t[i1])))

    # Depth and ankle range are judged on the rep's extreme: the warning covers the bottom.
    if "shallow_depth" in rules and np.isfinite(rep.metrics["thigh_angle"] or np.nan):
        v, k = rep.metrics["thigh_angle"], peak(s["thigh_inclination"], a, e)[1]
        out.append(Measurement("shallow_depth", None, v, float(t[k]), *bottom_window))
    rule = rules.get("limited_dorsiflexion")
    dorsi = rep.metrics["dorsiflexion"]
    if rule is not None and dorsi is not None and np.isfinite(dorsi):
        reached = (rep.metrics["thigh_angle"] or -np.inf) >= float(rule.options.get("min_thigh_deg", 80.0))
        if reached:
            # A range limit is a property of the ankle, present from the first frame of the rep:
            # it cannot "start after" a compensation higher up, so its onset is the rep's start.
            side = _near(s, "shank_inclination", b)
            out.append(Measurement("limited_dorsiflexion", side, dorsi, float(t[a]), *bottom_window))
    crossing("heel_lift", s["heel_lift"], _near(s, "heel_lift", b), rep.metrics["heel_lift"])
    crossing("excessive_trunk_lean", s["trunk_minus_shank"], None, rep.metrics["trunk_minus_shank"])
    for side in SIDES:
        v = rep.metrics[f"{side}_knee_valgus"]
        crossing("knee_valgus", s[f"{side}_knee_valgus"], side, v)
        crossing("knee_varus", s[f"{side}_knee_valgus"], side, v)
        trk = rep.metrics[f"{side}_knee_tracking"]
        if trk is not None and np.isfinite(trk):
            crossing("knee_tracking", np.abs(s[f"{side}_knee_tracking"]), side, abs(trk))
        roll = rep.metrics[f"{side}_foot_roll"]
        if roll is not None and np.isfinite(roll):
            crossing("foot_roll", np.abs(s[f"{side}_foot_roll"]), side, abs(roll))
    shift = rep.metrics["hip_shift"]
    if shift is not None and np.isfinite(shift):
        crossing("hip_shift", np.abs(s["hip_shift"]), "left" if shift > 0 else "right", abs(shift))
    drop = rep.metrics["pelvic_drop"]
    if drop is not None and np.isfinite(drop):
        crossing("pelvic_drop", np.abs(s["pelvic_obliquity"]), "left" if drop > 0 else "right", abs(drop))
    return out


def _deepest_finite(x: np.ndarray, depth: np.ndarray, start: int, stop: int) -> int:
    """Frame in [start, stop) with the largest depth among those where ``x`` is finite; -1 if none."""
    idx = np.arange(start, stop)
    idx = idx[np.isfinite(x[start:stop]) & np.isfinite(depth[start:stop])]
    return int(idx[np.argmax(depth[idx])]) if len(idx) else -1


def _near(s: dict[str, np.ndarray], name: str, i: int) -> str | None:
    """Which side's series carries the side-view value at frame ``i``."""
    for side in SIDES:
        if np.isfinite(s[f"{side}_{name}"][i]):
            return side
    return None
