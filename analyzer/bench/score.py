"""Scoring bench cases against the synthetic truth: metric errors, fault precision/recall, rep
counts and views.

Truth conventions (see docs/synth.md for the truth file):
* Side-view angles are compared with the *sagittal* angles of the exact 3D skeleton
  (``angles3d``: what BIOMECHANICS.md defines); FPPA, a 2D measure by definition, with the
  exact projection of the joints on this camera (``angles2d``); the valgus estimate with the
  leg rotation that was injected (``params``).
* A fault is "truly present" in a rep when the profile's rule, applied to the true value of
  the same metric, fires. Reps whose true value lies within the rule's error band of the
  threshold are borderline: a measurement cannot be expected to call them, so they are
  counted separately and not scored.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from ..profile import load_profile
from .runner import BenchCase

SIDES = ("left", "right")
# Side-view faults are measured on whichever leg is nearer the camera; which leg MediaPipe
# calls "near" is not what is being scored.
SIDE_AGNOSTIC = {"limited_dorsiflexion", "heel_lift"}


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


def near_side(azimuth: float) -> str:
    """The leg nearer a side camera (azimuth 90 sees the subject's left)."""
    return "left" if (azimuth % 360.0) < 180 else "right"


# metric name in the tables -> how to get (measured, true) per frame
@dataclass
class MetricErrors:
    errors: dict = field(default_factory=lambda: defaultdict(list))  # (metric, view) -> [abs errors]
    signed: dict = field(default_factory=lambda: defaultdict(list))

    def add(self, metric: str, view: str, measured: np.ndarray, truth: np.ndarray) -> None:
        ok = np.isfinite(measured) & np.isfinite(truth)
        if ok.any():
            self.errors[(metric, view)].extend(np.abs(measured[ok] - truth[ok]).tolist())
            self.signed[(metric, view)].extend((measured[ok] - truth[ok]).tolist())


def _standing(x: np.ndarray, phase: list[str]) -> float:
    m = np.array([p in ("stand", "standing", "rest", "lead_in", "tail") for p in phase])
    v = x[m] if m.any() else x[:5]
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) else 0.0


def metric_errors(case: BenchCase, acc: MetricErrors) -> None:
    """Per-frame errors of the squat metrics this case's view can see (the foot exercises are
    scored on their repetitions)."""
    if case.exercise != "squat":
        return
    view = expected_view(case.azimuth)
    s = case.analysis.series
    a3, a2 = case.truth["angles3d"], case.truth["angles2d"]
    if view == "side":
        for side in SIDES:
            for metric in ("knee_flexion", "shank_inclination", "thigh_inclination", "hip_flexion"):
                acc.add(metric, view, s[f"{side}_{metric}"], a3[f"{side}_{metric}"])
        acc.add("trunk_lean", view, s["trunk_lean"], a3["trunk_lean"])
    if view in ("front", "rear"):
        for side in SIDES:
            acc.add("fppa", view, s[f"{side}_fppa"], a2[f"{side}_fppa"])
        phase = case.truth["phase"]
        for name, truth_name in (("hip_shift", "hip_shift"), ("pelvic_obliquity", "pelvic_obliquity")):
            # Both signs are defined by the hips, not the camera: the same in front and rear views.
            acc.add(name, view, s[name], a3[truth_name] - _standing(a3[truth_name], phase))
        # The valgus estimate at each rep's bottom vs the injected rotation.
        for rep in case.analysis.reps:
            for side in SIDES:
                truth = case.truth["params"].get(f"valgus_{side}")
                if truth is not None:
                    acc.add("knee_valgus", view, np.array([rep.metrics[f"{side}_knee_valgus"] or np.nan]),
                            np.array([truth[rep.bottom]]))


@dataclass
class FaultScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    borderline: int = 0
    misses: list = field(default_factory=list)
    false_alarms: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")


def _truth_reps(case: BenchCase) -> list[dict]:
    return case.truth["reps"]


def _match(case: BenchCase, truth_rep: dict):
    """The analyzer's rep whose bottom is nearest the true bottom (within 0.6 s), or None."""
    best = None
    for r in case.analysis.reps:
        d = abs(r.bottom_s - truth_rep["bottom_s"])
        if d <= 0.6 and (best is None or d < abs(best.bottom_s - truth_rep["bottom_s"])):
            best = r
    return best


def _window(case: BenchCase, rep: dict) -> slice:
    t = case.truth["t"]
    a = int(np.searchsorted(t, rep["start_s"]))
    b = int(np.searchsorted(t, rep["end_s"], side="right"))
    return slice(a, max(b, a + 1))


def true_values(case: BenchCase, rep: dict) -> dict[tuple[str, str | None], float]:
    """(fault code, side) -> the true value of the rule's metric in this rep."""
    a3, p = case.truth["angles3d"], case.truth["params"]
    w = _window(case, rep)
    bottom = int(np.searchsorted(case.truth["t"], rep["bottom_s"]))
    phase = case.truth["phase"]
    view = expected_view(case.azimuth)
    out: dict[tuple[str, str | None], float] = {}
    if view == "side":
        n = near_side(case.azimuth)
        out[("shallow_depth", None)] = float(np.nanmax(a3[f"{n}_thigh_inclination"][w]))
        out[("limited_dorsiflexion", n)] = float(np.nanmax(a3[f"{n}_shank_inclination"][w]))
        out[("heel_lift", n)] = float(np.nanmax(a3[f"{n}_heel_lift"][w]))
        out[("excessive_trunk_lean", None)] = float(a3["trunk_lean"][bottom] - a3[f"{n}_shank_inclination"][bottom])
    if view in ("front", "rear"):
        for side in SIDES:
            v = p.get(f"valgus_{side}")
            if v is not None:
                out[("knee_valgus", side)] = float(v[bottom])
                out[("knee_varus", side)] = float(v[bottom])
        shift = a3["hip_shift"] - _standing(a3["hip_shift"], phase)
        out[("hip_shift", None)] = float(np.nanmax(np.abs(shift[w])))
        drop = a3["pelvic_obliquity"] - _standing(a3["pelvic_obliquity"], phase)
        out[("pelvic_drop", None)] = float(np.nanmax(np.abs(drop[w])))
        if view == "rear":
            for side in SIDES:
                roll = a3[f"{side}_foot_roll"] - _standing(a3[f"{side}_foot_roll"], phase)
                out[("foot_roll", side)] = float(abs(roll[bottom]))
    return out


def score_faults(case: BenchCase, scores: dict[str, FaultScore], profile_cache: dict) -> None:
    """Add this case's reps to the per-code confusion counts."""
    if case.exercise not in profile_cache:
        profile_cache[case.exercise] = load_profile(None, case.exercise)
    profile = profile_cache[case.exercise]
    for truth_rep in _truth_reps(case):
        rep = _match(case, truth_rep)
        if rep is None:
            continue  # counted by the rep-count score
        if case.exercise != "squat":
            continue
        for (code, side), value in true_values(case, truth_rep).items():
            rule = profile.rules.get(code)
            if rule is None or not np.isfinite(value):
                continue
            if code == "limited_dorsiflexion":
                thigh = true_values(case, truth_rep)[("shallow_depth", None)]
                if thigh < float(rule.options.get("min_thigh_deg", 80.0)):
                    continue  # the rule only judges reps that reach parallel
            sc = scores.setdefault(code, FaultScore())
            flagged = any(f.code == code and (side is None or code in SIDE_AGNOSTIC or f.side == side)
                          for f in rep.faults)
            if abs(value - rule.threshold) <= rule.error_band:
                sc.borderline += 1
                continue
            truly = rule.crossed(value)
            label = f"{case.name} rep {truth_rep['index'] + 1}{' ' + side if side else ''}: true {value:.2f}"
            if truly and flagged:
                sc.tp += 1
            elif truly:
                sc.fn += 1
                sc.misses.append(label)
            elif flagged:
                sc.fp += 1
                sc.false_alarms.append(label)
            else:
                sc.tn += 1


def rep_count(case: BenchCase) -> tuple[int, int]:
    """(counted complete reps, true reps)."""
    return len(case.analysis.reps), len(_truth_reps(case))


def view_ok(case: BenchCase) -> bool:
    exp = expected_view(case.azimuth)
    got = case.view.label
    return got == exp or (exp == "oblique" and got in ("side", "front", "rear"))

