"""``kinetic bench calibrate``: fit the linear corrections of :mod:`analyzer.calibration` on the
bench's dev split (never on test).

By least squares on MediaPipe's (cleaned, uncorrected) measurements against exact truth:

* side view, every frame: the near leg's shank and thigh inclination and the trunk lean;
* front and rear views, each rep's bottom: the knee's rotation past its own foot, from the
  knee-rotation, toe-out and leg-tilt features (:func:`analyzer.exercises.squat.knee_alignment`);

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

# target -> measured features (per side, near leg; trunk features are side-free near-leg series).
# Each angle is corrected from its own measurement only, by an offset or by classical
# calibration (the reading regressed on the truth, then inverted), whichever errs less left out
# one body at a time, and not at all where the raw reading is better. A least-squares fit on
# several features regresses to the bench's typical squat: it learnt that deep thighs come with
# leaning shins (0.16 x thigh) and shrank the shin's own reading (0.56 x shank), so the demo's
# vertical shin (10 deg true, 8 deg read by MediaPipe) came out 21 deg, and a limited ankle could
# never be seen. Standing-pose features likewise fitted bodies that all stand straight (a
# soft-kneed body: 9 deg off).
SIDE_MODELS = {
    "shank_inclination": ("shank_inclination",),
    "thigh_inclination": ("thigh_inclination",),
    "trunk_lean": ("trunk_lean",),
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
                names = feats if target == "trunk_lean" else [f"{side}_{f}" for f in feats]
                X = np.stack([s[f] for f in names], -1)[:n]
                y = (a3["trunk_lean"] if target == "trunk_lean" else a3[f"{side}_{target}"])[:n]
                rows[target].add(X, y, gi)
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


def _fit_classical(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """truth = (x - a) / b with x = a + b * truth fitted (classical calibration: the measurement
    regressed on the truth, then inverted). Unlike regressing the truth on the measurement, it
    does not pull large values toward the mean - MediaPipe reads a 0.3 foot-length heel lift as
    0.15, and a threshold must still be reachable."""
    b, a = np.polyfit(y, X[:, 0], 1)
    b = max(b, 1e-6)
    return np.array([-a / b, 1.0 / b])


def _deshrunk(coef: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A least-squares fit stretched about its mean so its predictions have slope 1 on the truth
    (the multi-feature counterpart of :func:`_fit_classical`)."""
    pred = coef[0] + X @ coef[1:]
    s = np.polyfit(y, pred, 1)[0]
    if not np.isfinite(s) or s <= 0.2:
        return coef
    mean = float(np.mean(pred))
    out = coef / s
    out[0] = mean - (mean - coef[0]) / s
    return out


def _fit_offset(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """truth = X[:, 0] + c: only the median offset is corrected. A rule's per-rep value is judged
    against a threshold: a least-squares slope fitted across many near-zero reps would pull every
    large value toward the mean, and a real fault would never reach the threshold."""
    return np.array([float(np.median(y - X[:, 0])), 1.0])


def fit_with_cv(r: Rows, how: str = "least_squares") -> tuple[np.ndarray, dict]:
    """(coef [intercept, ...], errors {raw, lobo mean, lobo p90, slope}) - leave one body out.
    ``how``: least_squares | classical | offset | deshrunk (least squares stretched to slope 1)."""
    X, y, grp = np.asarray(r.X), np.asarray(r.y), np.asarray(r.group)
    fit = {"least_squares": _fit, "classical": _fit_classical, "offset": _fit_offset,
           "deshrunk": lambda X, y: _deshrunk(_fit(X, y), X, y)}[how]
    coef = fit(X, y)
    errs, pred = [], np.full(len(y), np.nan)
    for g in np.unique(grp):
        held = grp == g
        if held.all():
            continue
        c = fit(X[~held], y[~held])
        pred[held] = c[0] + X[held] @ c[1:]
        errs.extend(np.abs(pred[held] - y[held]).tolist())
    raw = X[:, 0] if r.features[0] != "knee_rotation" else X[:, 0] + X[:, 1]  # the uncorrected estimate
    slope = float(np.polyfit(y, raw, 1)[0]) if len(y) > 2 and np.ptp(y) > 0 else float("nan")
    return coef, dict(raw=float(np.mean(np.abs(raw - y))), lobo=float(np.mean(errs)) if errs else float("nan"),
                      lobo_p90=float(np.percentile(errs, 90)) if errs else float("nan"), n=len(y),
                      bodies=len(set(grp.tolist())), slope=slope, pred=pred)


def detection_score(pred: np.ndarray, y: np.ndarray, band: float, rules) -> float:
    """F1 of the calls ``pred`` would make against the truth ``y`` for ``rules`` (fault: past the
    threshold by more than ``band``; truly positive likewise; borderline reps not scored). A
    method is chosen for how well it calls faults, not only for its mean error."""
    tp = fp = fn = 0
    for rule in rules:
        sgn = 1.0 if rule.direction == "above" else -1.0
        b, bm = sgn * (y - rule.threshold), sgn * (pred - rule.threshold)
        pos, neg, call = b > band, b < -band, bm > band
        tp += int(np.sum(pos & call))
        fn += int(np.sum(pos & ~call))
        fp += int(np.sum(neg & call))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def best_fit(r: Rows, methods: tuple[str, ...], rules) -> tuple[np.ndarray, dict, str]:
    """The method (of ``methods``) whose leave-one-body-out predictions call the rules' faults
    best (F1, then the smaller error band): (coef, errors, method)."""
    best = None
    for how in methods:
        coef, e = fit_with_cv(r, how)
        ok = np.isfinite(e["pred"])
        f1 = detection_score(e["pred"][ok], np.asarray(r.y)[ok], e["lobo_p90"], rules)
        key = (f1, -e["lobo_p90"])
        if best is None or key > best[0]:
            best = (key, coef, dict(e, f1=f1), how)
    return best[1], best[2], best[3]


# Rules whose per-rep value gets its own correction (stage 2), and the codes judged on each.
VALUE_CODES = ("shallow_depth", "limited_dorsiflexion", "heel_lift", "excessive_trunk_lean", "hip_shift",
               "pelvic_drop", "narrow_stance", "incomplete_lockout")


def collect_values(cases, models: dict) -> dict[str, Rows]:
    """Per-rep rows (measured rule value -> true value) of every rule, from the analysis with the
    stage-1 corrections ``models`` (and no value corrections)."""
    from .score import match_rep, measured_value, true_values

    rows = {c: Rows(("value",)) for c in VALUE_CODES}
    stage1 = {k: v for k, v in models.items() if not k.startswith("value_")}
    for gi, case in enumerate(cases):
        if case.exercise != "squat":
            continue
        track = case.track
        quality = assess_quality(track)
        view = estimate_view(track, quality=quality)
        analysis = analyze_squat(track, view, load_profile(None, "squat"), quality=quality, calibration=stage1)
        probe = type(case)(**{**case.__dict__, "assessment": type(case.assessment)(
            **{**case.assessment.__dict__, "analysis": analysis})})
        for truth_rep in case.truth["reps"]:
            rep = match_rep(probe, truth_rep)
            if rep is None:
                continue
            tv = true_values(probe, truth_rep)
            heel_down = max((v for (c, _), v in tv.items() if c == "heel_lift"), default=0.0) <= 0.03
            for (code, side), true in tv.items():
                # The ankle's bend is read off the shin, which equals it only with the heel down:
                # its correction and error band come from those reps (a lifted heel is judged
                # apart: a shin that leaned far enough is then not judged).
                if code == "limited_dorsiflexion" and not heel_down:
                    continue
                if code in rows and code in rep.judged_codes:
                    x = measured_value(rep, code, side)
                    rows[code].add(np.array([[x]]), np.array([true]), gi)
    return rows


MIN_SLOPE = 0.2  # a measurement that moves less than this with the truth carries no signal


def slope_of(r: Rows) -> float:
    y, x = np.asarray(r.y), np.asarray(r.X)[:, 0]
    return float(np.polyfit(y, x, 1)[0]) if len(y) > 2 and np.ptp(y) > 0 else float("nan")


def e_slope_ok(r: Rows) -> bool:
    return slope_of(r) >= MIN_SLOPE


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
        if target.startswith("knee_valgus"):
            prof = load_profile(None, "squat").rules
            coef, e, how = best_fit(r, ("least_squares", "deshrunk"), [prof["knee_valgus"], prof["knee_varus"]])
        else:
            # The better of a plain offset and classical calibration, left out one body at a
            # time; none at all when the raw reading is already better.
            fits = [(how, *fit_with_cv(r, how)) for how in ("offset", "classical")]
            how, coef, e = min(fits, key=lambda f: f[2]["lobo"])
            if e["raw"] <= e["lobo"]:
                report.append(f"{target:22s} n={e['n']:6d} bodies={e['bodies']:3d}  raw {e['raw']:5.2f}  lobo {e['lobo']:5.2f}: "
                              "no correction beats the raw reading, none written")
                continue
        what = ("every side-view frame" if target in SIDE_MODELS else "each rep's bottom")
        report.append(f"{target:22s} n={e['n']:6d} bodies={e['bodies']:3d}  raw {e['raw']:5.2f}  lobo {e['lobo']:5.2f} (p90 {e['lobo_p90']:5.2f})  [{how}]")
        lines += [f"[models.{target}]", f"intercept = {coef[0]:.4f}",
                  "coefs = { " + ", ".join(f"{f} = {c:.4f}" for f, c in zip(r.features, coef[1:])) + " }",
                  f'source = "{what}, {e["n"]} rows, {e["bodies"]} bodies, {how}: raw {e["raw"]:.2f} -> '
                  f'leave-one-body-out {e["lobo"]:.2f} mean, {e["lobo_p90"]:.2f} p90"', ""]
    # Stage 2: each rule's per-rep value, measured with the corrections above, against truth.
    from ..calibration import load_calibration

    stage1 = load_calibration("\n".join(lines))
    bands = []
    for code, r in collect_values(cases, stage1).items():
        if len(r.y) < 20:
            log(f"  value_{code}: only {len(r.y)} reps, not fitted")
            continue
        if not e_slope_ok(r):
            log(f"  value_{code}: the measurement does not follow the truth (slope {slope_of(r):.2f}): not fitted; "
                "the rule should not be judged")
            bands.append((code, float("nan")))
            continue
        coef, e, how = best_fit(r, ("offset", "classical"), [load_profile(None, "squat").rules[code]])
        report.append(f"value_{code:16s} n={e['n']:6d} bodies={e['bodies']:3d}  raw {e['raw']:5.2f}  lobo {e['lobo']:5.2f} (p90 {e['lobo_p90']:5.2f})  [{how}, F1 {e['f1']:.2f}]")
        bands.append((code, e["lobo_p90"]))
        lines += [f"[models.value_{code}]", f"intercept = {coef[0]:.4f}", f"coefs = {{ value = {coef[1]:.4f} }}",
                  f'source = "each judged rep\'s {code} value, {e["n"]} reps, {e["bodies"]} bodies, {how}: raw {e["raw"]:.3f} -> '
                  f'leave-one-body-out {e["lobo"]:.3f} mean, {e["lobo_p90"]:.3f} p90 (the error band to use)"', ""]
    text = "\n".join(lines)
    for ln in report:
        print(ln)
    print("error bands from the dev split (leave-one-body-out p90 of each rule's per-rep value):")
    for code, b in bands:
        print(f"  {code:22s} {b:.3f}")
    if out is not None:
        out.write_text(text)
        log(f"wrote {out}")
    return text
