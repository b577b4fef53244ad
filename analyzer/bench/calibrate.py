"""``kinetic bench calibrate``: fit the linear corrections of :mod:`analyzer.calibration`.

Fits, by least squares over every frame of a suite of rendered scenarios, the true sagittal
shank, thigh and trunk angles on MediaPipe's (cleaned, uncorrected) measurements, and the true
leg rotation on the valgus estimate, per view. Reports the leave-one-scenario-out error so the
fit is judged on bodies and cameras it did not see, and writes ``profiles/calibration.toml``.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..exercises.squat import analyze_squat
from ..profile import load_profile
from .runner import BenchCase, prepare
from .score import SIDES, expected_view

# target -> measured features (per side, near leg; trunk features are side-free near-leg series)
SIDE_MODELS = {
    "shank_inclination": ("shank_inclination", "thigh_inclination"),
    "thigh_inclination": ("thigh_inclination", "shank_inclination"),
    "trunk_lean": ("trunk_lean", "thigh_inclination"),
}


@dataclass
class Rows:
    """Design rows of one target: X (n, k) features, y (n,) truth, group (n,) scenario index."""

    X: list
    y: list
    group: list


def _side_rows(cases: list[BenchCase]) -> dict[str, Rows]:
    rows = {t: Rows([], [], []) for t in SIDE_MODELS}
    profile = load_profile(None, "squat")
    for gi, case in enumerate(cases):
        if case.exercise != "squat" or expected_view(case.azimuth) != "side":
            continue
        s = analyze_squat(case.track, case.view, profile, calibrated=False).series
        a3 = case.truth["angles3d"]
        for target, feats in SIDE_MODELS.items():
            for side in SIDES:
                if target == "trunk_lean":
                    X = np.stack([s["trunk_lean"]] + [s[f"{side}_{f}"] for f in feats[1:]], -1)
                    y = a3["trunk_lean"]
                else:
                    X = np.stack([s[f"{side}_{f}"] for f in feats], -1)
                    y = a3[f"{side}_{target}"]
                ok = np.isfinite(X).all(1) & np.isfinite(y)
                rows[target].X.extend(X[ok].tolist())
                rows[target].y.extend(y[ok].tolist())
                rows[target].group.extend([gi] * int(ok.sum()))
    return rows


def _valgus_rows(cases: list[BenchCase]) -> dict[str, Rows]:
    rows = {v: Rows([], [], []) for v in ("front", "rear")}
    profile = load_profile(None, "squat")
    for gi, case in enumerate(cases):
        view = expected_view(case.azimuth)
        if case.exercise != "squat" or view not in rows:
            continue
        s = analyze_squat(case.track, case.view, profile, calibrated=False).series
        for side in SIDES:
            truth = case.truth["params"].get(f"valgus_{side}")
            if truth is None:
                continue
            x = s[f"{side}_knee_valgus"]
            ok = np.isfinite(x) & np.isfinite(truth)
            rows[view].X.extend(x[ok, None].tolist())
            rows[view].y.extend(truth[ok].tolist())
            rows[view].group.extend([gi] * int(ok.sum()))
    return rows


def _fit(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    A = np.hstack([np.ones((len(X), 1)), X])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return coef


def fit_with_cv(r: Rows) -> tuple[np.ndarray, float, float]:
    """(coef [intercept, ...], leave-one-scenario-out mean abs error, uncorrected mean abs error)."""
    X, y, grp = np.asarray(r.X), np.asarray(r.y), np.asarray(r.group)
    coef = _fit(X, y)
    errs = []
    for g in np.unique(grp):
        held = grp == g
        if held.all():
            continue
        c = _fit(X[~held], y[~held])
        pred = c[0] + X[held] @ c[1:]
        errs.extend(np.abs(pred - y[held]).tolist())
    return coef, float(np.mean(errs)) if errs else float("nan"), float(np.mean(np.abs(X[:, 0] - y)))


def run(suite: Path, cache: Path, size, model: Path, out: Path | None, log=print) -> str:
    from ..synth import load_suite

    cases = [prepare(sc, cache, size, model, log=log) for sc in load_suite(suite)]
    today = _dt.date.today().isoformat()
    lines = [
        "# Linear corrections of MediaPipe's systematic angle errors (analyzer/calibration.py).",
        f"# Written by `kinetic bench calibrate --suite {suite.name}` on {today}: least squares over every",
        f"# frame of {len(cases)} rendered scenarios; 'loso' = leave-one-scenario-out mean abs error (deg),",
        "# 'raw' = the uncorrected mean abs error. Delete this file to measure without corrections.",
        "",
    ]
    report = []
    for target, r in _side_rows(cases).items():
        if len(r.y) < 50:
            continue
        coef, loso, raw = fit_with_cv(r)
        feats = SIDE_MODELS[target]
        report.append(f"{target:20s} side  n={len(r.y):5d}  raw {raw:5.2f}  loso {loso:5.2f}")
        lines += [f"[models.{target}]", f"intercept = {coef[0]:.4f}",
                  "coefs = { " + ", ".join(f"{f} = {c:.4f}" for f, c in zip(feats, coef[1:])) + " }",
                  f'source = "side view, {len(r.y)} frames, {len(set(r.group))} scenarios: raw {raw:.2f} deg -> loso {loso:.2f} deg"', ""]
    for view, r in _valgus_rows(cases).items():
        if len(r.y) < 20:
            continue
        coef, loso, raw = fit_with_cv(r)
        report.append(f"knee_valgus_{view:8s}      n={len(r.y):5d}  raw {raw:5.2f}  loso {loso:5.2f}")
        lines += [f"[models.knee_valgus_{view}]", f"intercept = {coef[0]:.4f}", f"coefs = {{ knee_valgus = {coef[1]:.4f} }}",
                  f'source = "{view} view, {len(r.y)} frames, {len(set(r.group))} scenarios: raw {raw:.2f} deg -> loso {loso:.2f} deg"', ""]
    text = "\n".join(lines)
    for ln in report:
        print(ln)
    if out is not None:
        out.write_text(text)
        log(f"wrote {out}")
    return text
