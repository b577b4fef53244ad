"""``kinetic bench calibrate``: fit the linear corrections of :mod:`analyzer.calibration` on the
bench's dev split (never on test).

By least squares on MediaPipe's (cleaned, uncorrected) measurements against exact truth:

* side view, every frame: the near leg's shank and thigh inclination and the trunk lean;
* front and rear views, each rep's bottom: the knee's rotation past its own foot, from the
  knee-rotation, toe-out and leg-tilt features (:func:`analyzer.exercises.squat.knee_alignment`);
* side view, each rep's bottom: the foot's pitch, on the measured pitch and the thigh's angle
  (MediaPipe lifts the heel point at depth, more the deeper the squat).

Each fit is checked leave-one-body-out (every dev scenario is its own random body and camera):
the table says the uncorrected and the held-out error. Writes ``profiles/calibration.toml``.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..calibration import VALGUS_FEATURES
from ..exercises.squat import analyze_squat
from ..profile import load_profile
from ..quality import assess_quality
from ..view import estimate_view
from .runner import load_case, materialize_all
from .score import SIDES, expected_view, near_side

# target -> measured features (per side, near leg; trunk features are side-free near-leg series)
SIDE_MODELS = {
    "shank_inclination": ("shank_inclination", "thigh_inclination"),
    "thigh_inclination": ("thigh_inclination", "shank_inclination"),
    "trunk_lean": ("trunk_lean", "thigh_inclination"),
}


@dataclass
class Rows:
    """Design rows of one target: X (n, k) features, y (n,) truth, group (n,) scenario index."""

    features: tuple[str, ...]
    X: list = field(default_factory=list)
    y: list = field(default_factory=list)
    group: list = field(default_factory=list)

    def add(self, X: np.ndarray, y: np.ndarray, group: int) -> None:
        ok = np.isfinite(X).all(1) & np.isfinite(y)
        self.X.extend(X[ok].tolist())
        self.y.extend(y[ok].tolist())
        self.group.extend([group] * int(ok.sum()))


def _uncorrected(case):
    track = case.track
    quality = assess_quality(track)
    view = estimate_view(track, quality=quality)
    return analyze_squat(track, view, load_profile(None, "squat"), calibrated=False, quality=quality)


def collect(cases) -> dict[str, Rows]:
    """Design rows of every model from the bench cases (squats only)."""
    rows = {t: Rows(SIDE_MODELS[t]) for t in SIDE_MODELS}
    rows.update({f"knee_valgus_{v}": Rows(VALGUS_FEATURES) for v in ("front", "rear")})
    rows["foot_pitch"] = Rows(("foot_pitch", "thigh_inclination"))
    for gi, case in enumerate(cases):
        view = expected_view(case.azimuth)
        if case.exercise != "squat" or view not in ("side", "front", "rear"):
            continue
        a = _uncorrected(case)
        s, a3 = a.series, case.truth["angles3d"]
        t = case.truth["t"]
        n = min(len(t), len(case.track))
        bottoms = [int(np.searchsorted(t, r["bottom_s"])) for r in case.truth["reps"]]
        if view == "side":
            side = near_side(case.azimuth)
            for target, feats in SIDE_MODELS.items():
                if target == "trunk_lean":
                    X = np.stack([s["trunk_lean"]] + [s[f"{side}_{f}"] for f in feats[1:]], -1)[:n]
                    y = a3["trunk_lean"][:n]
                else:
                    X = np.stack([s[f"{side}_{f}"] for f in feats], -1)[:n]
                    y = a3[f"{side}_{target}"][:n]
                rows[target].add(X, y, gi)
            for b in bottoms:
                w = slice(max(0, b - 3), b + 4)
                with np.errstate(all="ignore"):
                    x = np.array([[np.nanmedian(s[f"{side}_foot_pitch"][w]), np.nanmedian(s[f"{side}_thigh_inclination"][w])]])
                rows["foot_pitch"].add(x, np.array([a3[f"{side}_foot_pitch"][b]]), gi)
        else:
            for side in SIDES:
                truth = case.truth["params"].get(f"valgus_{side}")
                if truth is None:
                    continue
                for b in bottoms:
                    w = slice(max(0, b - 2), b + 3)
                    with np.errstate(all="ignore"):
                        x = np.array([[np.nanmedian(s[f"{side}_{f}"][w]) for f in VALGUS_FEATURES]])
                    rows[f"knee_valgus_{view}"].add(x, np.array([truth[b]]), gi)
    return rows


def _fit(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    A = np.hstack([np.ones((len(X), 1)), X])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return coef


def fit_with_cv(r: Rows) -> tuple[np.ndarray, dict]:
    """(coef [intercept, ...], errors {raw, lobo mean, lobo p90}) - leave one body out."""
    X, y, grp = np.asarray(r.X), np.asarray(r.y), np.asarray(r.group)
    coef = _fit(X, y)
    errs = []
    for g in np.unique(grp):
        held = grp == g
        if held.all():
            continue
        c = _fit(X[~held], y[~held])
        errs.extend(np.abs(c[0] + X[held] @ c[1:] - y[held]).tolist())
    raw = X[:, 0] if r.features[0] != "knee_rotation" else X[:, 0] + X[:, 1]  # the uncorrected estimate
    return coef, dict(raw=float(np.mean(np.abs(raw - y))), lobo=float(np.mean(errs)) if errs else float("nan"),
                      lobo_p90=float(np.percentile(errs, 90)) if errs else float("nan"), n=len(y),
                      bodies=len(set(grp.tolist())))


def run(scenarios: list, label: str, cache: Path, size, model: Path, out: Path | None, *, jobs: int = 1,
        log=print) -> str:
    folders = materialize_all(scenarios, cache, size, model, jobs=jobs, log=log)
    cases = [load_case(sc, f) for sc, f in zip(scenarios, folders) if f is not None and (f / "landmarks.npz").exists()]
    today = _dt.date.today().isoformat()
    lines = [
        "# Linear corrections of MediaPipe's systematic errors (analyzer/calibration.py).",
        f"# Written by `kinetic bench calibrate` on {label} on {today}: least squares over {len(cases)} rendered",
        "# clips, each its own random body and camera; 'lobo' = leave-one-body-out mean (and p90) abs error,",
        "# 'raw' = the uncorrected mean abs error, in the target's unit. Delete this file to measure without",
        "# corrections. Fitted on the dev split only: the test split measures them (docs/accuracy.md).",
        "",
    ]
    report = []
    for target, r in collect(cases).items():
        if len(r.y) < 20:
            log(f"  {target}: only {len(r.y)} rows, not fitted")
            continue
        coef, e = fit_with_cv(r)
        what = ("every side-view frame" if target in SIDE_MODELS else "each rep's bottom")
        report.append(f"{target:22s} n={e['n']:6d} bodies={e['bodies']:3d}  raw {e['raw']:5.2f}  lobo {e['lobo']:5.2f} (p90 {e['lobo_p90']:5.2f})")
        lines += [f"[models.{target}]", f"intercept = {coef[0]:.4f}",
                  "coefs = { " + ", ".join(f"{f} = {c:.4f}" for f, c in zip(r.features, coef[1:])) + " }",
                  f'source = "{what}, {e["n"]} rows, {e["bodies"]} bodies: raw {e["raw"]:.2f} -> '
                  f'leave-one-body-out {e["lobo"]:.2f} mean, {e["lobo_p90"]:.2f} p90"', ""]
    text = "\n".join(lines)
    for ln in report:
        print(ln)
    if out is not None:
        out.write_text(text)
        log(f"wrote {out}")
    return text
