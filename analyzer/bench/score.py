"""Scoring bench cases against the synthetic truth: per-rep fault calls, per-rep value errors,
per-frame angle errors, rep counts, views, exercises and verdicts.

Truth conventions (see docs/synth.md for the truth file):

* A code's **true value** in a rep is the rule's own quantity computed from the exact skeleton
  (:func:`true_values`): the near leg's sagittal thigh, shin and foot angles from a side view;
  the injected knee rotation about the hip-ankle axis (relative to the foot: the coach's
  reference); the hip shift and pelvic drop against standing; the ankle-to-shoulder width ratio;
  the knees' flexion left at the top.
* A rep is **truly positive** for a code when its true value is beyond the profile's threshold
  by more than the rule's error band, **truly negative** when it is inside by more than the
  band, and **borderline** otherwise (not scored: no measurement is expected to call those).
* Only what the camera could show is scored: a code counts in a rep when the expected view of
  the camera (from its true azimuth) is one the metric is declared visible from
  (:data:`analyzer.view.METRIC_VIEWS`). When the analyzer says "not judged" (the pose was hidden,
  the foot points too unsteady), the rep is counted under ``not judged`` for that code: neither a
  hit nor a miss, and reported as coverage.
* A call: a **fault** is a hit; **borderline** or **ok** is not.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from ..skeleton import INDEX
from ..view import METRIC_VIEWS, metric_visible
from .runner import BenchCase

SIDES = ("left", "right")
# Side-view faults are measured on whichever leg is nearer the camera; which leg MediaPipe
# calls "near" is not what is being scored.
SIDE_AGNOSTIC = {"limited_dorsiflexion", "heel_lift"}
# The metric whose visibility decides whether a view can judge a code.
CODE_METRIC = {
    "shallow_depth": "thigh_inclination", "limited_dorsiflexion": "shank_inclination", "heel_lift": "heel_lift",
    "excessive_trunk_lean": "trunk_minus_shank", "knee_valgus": "knee_valgus", "knee_varus": "knee_valgus",
    "hip_shift": "hip_shift", "pelvic_drop": "pelvic_obliquity", "foot_roll": "foot_roll",
    "narrow_stance": "stance_ratio", "incomplete_lockout": "depth",
    "lumbar_rounding": "lumbar_curvature", "lumbar_overarch": "lumbar_curvature",
}
# A view-boundary band (deg) within which either neighbouring view label is right.
VIEW_TOLERANCE = 7.0
# A rep whose MediaPipe leg landmarks sit this far (median, leg lengths) from the true joints
# at the bottom is "truly unreliable": no fault may be called on it.
UNRELIABLE_ERROR = 0.15


def expected_view(azimuth: float) -> str:
    """The view a camera at ``azimuth`` degrees (0 front, 90 left side) should be called."""
    a = azimuth % 360.0
    d_front, d_rear = min(a, 360 - a), abs(a - 180)
    d_side = min(abs(a - 90), abs(a - 270))
    if d_front <= 25:
        return "front"
    if d_rear <= 25:
        return "rear"
    if d_side <= 20:
        return "side"
    return "oblique"


def acceptable_views(azimuth: float) -> set[str]:
    """The expected view and, within VIEW_TOLERANCE of a boundary, its neighbour."""
    return {expected_view(azimuth + d) for d in (-VIEW_TOLERANCE, 0.0, VIEW_TOLERANCE)}


def near_side(azimuth: float) -> str:
    """The leg nearer a side camera (azimuth 90 sees the subject's left)."""
    return "left" if (azimuth % 360.0) < 180 else "right"


def view_ok(case: BenchCase) -> bool:
    return case.view.label in acceptable_views(case.azimuth)


def true_plane(azimuth: float) -> float:
    """How far round from the front the camera is, folded: 0 front or rear, 90 either side."""
    return 90.0 - abs(90.0 - (azimuth % 180.0))


def judgeable(code: str, view: str, plane: float | None = None) -> bool:
    """Can a camera with this true view (and plane angle) show this code, by the analyzer's own
    declaration of what each view measures?"""
    metric = CODE_METRIC.get(code)
    return metric is not None and (metric not in METRIC_VIEWS or metric_visible(metric, view, plane))


# ------------------------------------------------------------------ truth

def _standing(x: np.ndarray, phase: list[str]) -> float:
    m = np.array([p in ("stand", "standing", "rest", "lead_in", "tail") for p in phase])
    v = x[m] if m.any() else x[:5]
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) else 0.0


def _window(case: BenchCase, rep: dict) -> slice:
    t = case.truth["t"]
    a = int(np.searchsorted(t, rep["start_s"]))
    b = int(np.searchsorted(t, rep["end_s"], side="right"))
    return slice(a, max(b, a + 1))


def _frame(case: BenchCase, seconds: float) -> int:
    return int(min(np.searchsorted(case.truth["t"], seconds), len(case.truth["t"]) - 1))


def true_values(case: BenchCase, rep: dict) -> dict[tuple[str, str | None], float]:
    """(fault code, side) -> the true value of the rule's quantity in this rep, for every code
    this case's camera can show."""
    a3, p, L3 = case.truth["angles3d"], case.truth["params"], case.truth["landmarks3d"]
    w = _window(case, rep)
    bottom = _frame(case, rep["bottom_s"])
    phase = case.truth["phase"]
    view = expected_view(case.azimuth)
    n = near_side(case.azimuth)
    out: dict[tuple[str, str | None], float] = {}
    pitch = np.clip(a3[f"{n}_foot_pitch"], 0.0, None)
    values = {
        ("shallow_depth", None): float(np.nanmax(a3[f"{n}_thigh_inclination"][w])),
        ("limited_dorsiflexion", n): float(np.nanmax((a3[f"{n}_shank_inclination"] - pitch)[w])),
        ("heel_lift", n): float(np.nanmax(a3[f"{n}_heel_lift"][w])),
        ("excessive_trunk_lean", None): float(a3["trunk_lean"][bottom] - a3[f"{n}_shank_inclination"][bottom]),
        ("hip_shift", None): float(np.nanmax(np.abs(a3["hip_shift"] - _standing(a3["hip_shift"], phase))[w])),
        ("pelvic_drop", None): float(np.nanmax(np.abs(a3["pelvic_obliquity"] - _standing(a3["pelvic_obliquity"], phase))[w])),
        ("incomplete_lockout", None): _true_lockout(case, rep),
        ("narrow_stance", None): _true_stance(L3, w.start),
    }
    if "lumbar_flexion" in p:  # the renderer's pelvis-to-chest bend at the bottom, against standing
        lf = p["lumbar_flexion"]
        values[("lumbar_rounding", None)] = values[("lumbar_overarch", None)] = float(lf[bottom] - _standing(lf, phase))
    for side in SIDES:
        v = p.get(f"valgus_{side}")
        if v is not None:
            values[("knee_valgus", side)] = values[("knee_varus", side)] = float(v[bottom])
        roll = a3[f"{side}_foot_roll"] - _standing(a3[f"{side}_foot_roll"], phase)
        values[("foot_roll", side)] = float(abs(roll[bottom]))
    for key, value in values.items():
        if judgeable(key[0], view, true_plane(case.azimuth)):
            out[key] = value
    return out


def _true_lockout(case: BenchCase, rep: dict) -> float:
    """Knee flexion (3D, mean of both legs) at the straightest point between this rep's bottom
    and the next rep's start, beyond standing (the lead-in)."""
    a3, t = case.truth["angles3d"], case.truth["t"]
    knee = 0.5 * (a3["left_knee_flexion_3d"] + a3["right_knee_flexion_3d"])
    reps = case.truth["reps"]
    nxt = next((r["start_s"] for r in reps if r["start_s"] > rep["start_s"]), t[-1])
    seg = knee[_frame(case, rep["bottom_s"]): _frame(case, nxt) + 1]
    stand = float(np.median(knee[: max(3, _frame(case, reps[0]["start_s"]))]))
    return float(np.nanmin(seg) - stand) if np.isfinite(seg).any() else float("nan")


def _true_stance(L3: np.ndarray, i: int) -> float:
    """Ankle-centre separation over shoulder separation, sideways (world X), at frame ``i``."""
    ank = abs(L3[i, INDEX["left_ankle"], 0] - L3[i, INDEX["right_ankle"], 0])
    sh = abs(L3[i, INDEX["left_shoulder"], 0] - L3[i, INDEX["right_shoulder"], 0])
    return float(ank / sh) if sh > 0 else float("nan")


def truth_class(value: float, rule) -> str:
    """'positive', 'negative' or 'borderline' for a true value against a rule."""
    b = (value - rule.threshold) if rule.direction == "above" else (rule.threshold - value)
    if abs(b) <= rule.error_band:
        return "borderline"
    return "positive" if b > 0 else "negative"


# ------------------------------------------------------------------ calls

def match_rep(case: BenchCase, truth_rep: dict):
    """The analyzer's rep whose bottom is nearest the true bottom (within 0.6 s), or None."""
    best = None
    if case.analysis is None:
        return None
    for r in case.analysis.reps:
        d = abs(r.bottom_s - truth_rep["bottom_s"])
        if d <= 0.6 and (best is None or d < abs(best.bottom_s - truth_rep["bottom_s"])):
            best = r
    return best


def call(rep, code: str, side: str | None) -> str:
    """What the analyzer said about (code, side) in a rep: fault, borderline, ok or not_judged."""
    def hit(f) -> bool:
        return f.code == code and (side is None or code in SIDE_AGNOSTIC or f.side == side)

    if any(hit(f) for f in rep.faults):
        return "fault"
    if any(hit(f) for f in rep.borderline):
        return "borderline"
    if any(n["code"] == code and (side is None or code in SIDE_AGNOSTIC or n.get("side") in (None, side))
           for n in rep.not_judged):
        return "not_judged"
    return "ok"


def measured_value(rep, code: str, side: str | None) -> float:
    """The analyzer's per-rep value of a code's quantity (NaN if none)."""
    m = rep.metrics
    key = {"shallow_depth": "thigh_angle", "heel_lift": "heel_lift", "excessive_trunk_lean": "trunk_minus_shank",
           "hip_shift": "hip_shift", "pelvic_drop": "pelvic_drop", "narrow_stance": "stance_ratio",
           "lumbar_rounding": "lumbar_flexion", "lumbar_overarch": "lumbar_flexion"}.get(code)
    if code == "limited_dorsiflexion":
        key = "dorsiflexion"
    if code in ("knee_valgus", "knee_varus"):
        key = f"{side}_knee_valgus"
    if code == "foot_roll":
        key = f"{side}_foot_roll"
    v = m.get(key) if key else None
    if code in ("hip_shift", "pelvic_drop", "foot_roll") and v is not None:
        v = abs(v)
    if code == "incomplete_lockout":
        v = next((f.value for f in [*rep.faults, *rep.borderline] if f.code == code), m.get("lockout"))
    return float(v) if v is not None and np.isfinite(v) else float("nan")


@dataclass
class CodeScore:
    """Confusion counts of one fault code over the bench."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    borderline: int = 0           # truly borderline reps (not scored)
    not_judged_pos: int = 0       # truly positive reps the analyzer did not judge
    not_judged_neg: int = 0
    misses: list = field(default_factory=list)
    false_alarms: list = field(default_factory=list)
    errors: list = field(default_factory=list)   # measured - true, per judged rep

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def positives(self) -> int:
        return self.tp + self.fn

    @property
    def coverage(self) -> float:
        judged = self.tp + self.fp + self.fn + self.tn
        total = judged + self.not_judged_pos + self.not_judged_neg
        return judged / total if total else float("nan")


@dataclass
class BenchScore:
    """Everything the accuracy table reports."""

    codes: dict[str, CodeScore] = field(default_factory=dict)
    good_reps: int = 0
    good_reps_faulted: int = 0
    good_rep_alarms: list = field(default_factory=list)
    unreliable_reps: int = 0          # truly mis-posed reps
    unreliable_faulted: int = 0       # ... that got a false fault anyway
    clips: int = 0
    reps_exact: int = 0
    rep_misses: list = field(default_factory=list)
    views_ok: int = 0
    view_misses: list = field(default_factory=list)
    exercise_ok: int = 0
    exercise_misses: list = field(default_factory=list)
    statuses: dict = field(default_factory=lambda: defaultdict(int))   # (true view, status) -> clips
    clean_without_judged: int = 0
    declined: list = field(default_factory=list)        # clips the analysis said it could not follow
    declined_wrongly: list = field(default_factory=list)  # ... though MediaPipe's legs were mostly right
    angle_errors: dict = field(default_factory=lambda: defaultdict(list))   # (metric, view) -> [signed]


def leg_error(case: BenchCase, frame: int, side: str | None) -> float:
    """Median 2D distance of MediaPipe's hip/knee/ankle from the truth at ``frame``, over the
    standing leg length in pixels (both legs when ``side`` is None)."""
    L2, xy = case.truth["landmarks2d"], case.track.xy
    sides = SIDES if side is None else (side,)
    idx = [INDEX[f"{s}_{j}"] for s in sides for j in ("hip", "knee", "ankle")]
    leg = np.linalg.norm(L2[0, INDEX["left_hip"]] - L2[0, INDEX["left_ankle"]])
    if frame >= len(xy):
        return float("nan")
    e = np.linalg.norm(xy[frame, idx] - L2[frame, idx], axis=-1)
    return float(np.nanmedian(e) / leg) if np.isfinite(e).any() else float("inf")


def mostly_mis_posed(case: BenchCase) -> bool:
    """Whether MediaPipe's legs were off the truth (or lost) in at least half the frames."""
    n = min(len(case.track), len(case.truth["landmarks2d"]))
    err = np.array([leg_error(case, k, None) for k in range(n)])
    return bool(np.mean(~(err <= UNRELIABLE_ERROR)) >= 0.5)


def score_case(case: BenchCase, acc: BenchScore, profiles: dict) -> None:
    """Add one rendered clip to the bench score."""
    from ..profile import load_profile

    acc.clips += 1
    if case.assessment.exercise == "unknown" and "followed reliably" in (case.assessment.why_exercise or ""):
        # "Cannot follow the legs" is an answer, not a count: right when MediaPipe's legs were
        # really off the truth (leg error over UNRELIABLE_ERROR, or lost) in most frames. Such
        # clips are left out of the rep, view and exercise counts and listed on their own.
        acc.declined.append(case.name)
        if not mostly_mis_posed(case):
            acc.declined_wrongly.append(case.name)
        return
    want_exercise = case.exercise if case.exercise != "lunge" else "unknown"
    if case.assessment.exercise == want_exercise:
        acc.exercise_ok += 1
    else:
        acc.exercise_misses.append(f"{case.name}: {case.exercise} → {case.assessment.exercise}")
    exp = expected_view(case.azimuth)
    acc.statuses[(exp, case.verdict.status)] += 1
    if case.verdict.status == "clean" and not case.verdict.judged:
        acc.clean_without_judged += 1
    if case.exercise == "lunge":
        return
    if view_ok(case):
        acc.views_ok += 1
    else:
        acc.view_misses.append(f"{case.name}: azimuth {case.azimuth:.0f}° ({exp}) → {case.view.label}")
    truth_reps = case.truth["reps"]
    counted = len(case.analysis.reps) if case.analysis is not None else 0
    if counted == len(truth_reps):
        acc.reps_exact += 1
    else:
        acc.rep_misses.append(f"{case.name}: {counted} of {len(truth_reps)}")
    if case.analysis is None or case.exercise != "squat" or case.assessment.exercise != "squat":
        return  # a squat taken for another exercise is counted under "exercise right" only
    if case.exercise not in profiles:
        profiles[case.exercise] = load_profile(None, case.exercise)
    profile = profiles[case.exercise]
    _angle_errors(case, acc)
    for truth_rep in truth_reps:
        rep = match_rep(case, truth_rep)
        if rep is None:
            continue
        tv = true_values(case, truth_rep)
        bottom = _frame(case, truth_rep["bottom_s"])
        mis_posed = leg_error(case, bottom, near_side(case.azimuth) if exp == "side" else None) > UNRELIABLE_ERROR
        if mis_posed:
            acc.unreliable_reps += 1
        classes = {}
        for (code, side), value in tv.items():
            rule = profile.rules.get(code)
            if rule is None or not np.isfinite(value):
                continue
            if code == "limited_dorsiflexion" and tv.get(("shallow_depth", None), 0.0) < float(rule.options.get("min_thigh_deg", 80.0)):
                continue  # the rule only judges reps that reach parallel
            sc = acc.codes.setdefault(code, CodeScore())
            klass = truth_class(value, rule)
            classes[(code, side)] = klass
            said = call(rep, code, side)
            label = f"{case.name} rep {truth_rep['index'] + 1}{' ' + side if side else ''}: true {value:.2f}"
            if said != "not_judged":
                mv = measured_value(rep, code, side)
                if np.isfinite(mv):
                    sc.errors.append(mv - value)
            if klass == "borderline":
                sc.borderline += 1
            elif said == "not_judged":
                if klass == "positive":
                    sc.not_judged_pos += 1
                else:
                    sc.not_judged_neg += 1
            elif klass == "positive":
                if said == "fault":
                    sc.tp += 1
                else:
                    sc.fn += 1
                    sc.misses.append(f"{label}, measured {measured_value(rep, code, side):.2f} ({said})")
            else:
                if said == "fault":
                    sc.fp += 1
                    sc.false_alarms.append(f"{label}, measured {measured_value(rep, code, side):.2f}")
                    if mis_posed:
                        acc.unreliable_faulted += 1
                else:
                    sc.tn += 1
        if classes and all(k == "negative" for k in classes.values()):
            acc.good_reps += 1
            if rep.faults:
                acc.good_reps_faulted += 1
                acc.good_rep_alarms.append(f"{case.name} rep {truth_rep['index'] + 1}: "
                                           + ", ".join(f"{f.code}{' ' + f.side if f.side else ''}" for f in rep.faults))


def _angle_errors(case: BenchCase, acc: BenchScore) -> None:
    """Per-frame signed errors of the main angles the case's view can see."""
    view = expected_view(case.azimuth)
    s = case.analysis.series
    a3, a2 = case.truth["angles3d"], case.truth["angles2d"]
    n = len(case.track)

    def add(metric, measured, truth):
        m, t = np.asarray(measured)[:n], np.asarray(truth)[:n]
        ok = np.isfinite(m) & np.isfinite(t)
        acc.angle_errors[(metric, view)].extend((m[ok] - t[ok]).tolist())

    if view == "side":
        nside = near_side(case.azimuth)
        for metric in ("knee_flexion", "shank_inclination", "thigh_inclination"):
            add(metric, s[f"{nside}_{metric}"], a3[f"{nside}_{metric}"])
        add("trunk_lean", s["trunk_lean"], a3["trunk_lean"])
    if view in ("front", "rear"):
        for side in SIDES:
            add("fppa", s[f"{side}_fppa"], a2[f"{side}_fppa"])


def rep_count(case: BenchCase) -> tuple[int, int]:
    """(counted complete reps, true reps)."""
    return (len(case.analysis.reps) if case.analysis is not None else 0), len(case.truth["reps"])
