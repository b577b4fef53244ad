"""Linear corrections of MediaPipe's systematic angle errors, fitted on the digital-human bench.

MediaPipe's landmarks are not anatomical joint centres: at the bottom of a deep squat it reads
the knee 5-10 deg too straight (the hip is placed too high and forward) and the shank a few
degrees too upright. Those errors are systematic, so a linear model of the true angle on the
measured ones removes most of them. The coefficients live in ``profiles/calibration.toml``
(written by ``kinetic bench calibrate``, with the suite, the cross-validated error and the date)
and are applied to the side-view angles before any threshold is checked.

Each corrected metric is ``intercept + sum(coef[f] * measured[f])`` over named measured series.
Pure numpy.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

import numpy as np


@dataclass(frozen=True)
class LinearModel:
    """true ~= intercept + sum(coefs[name] * measured[name])."""

    target: str
    intercept: float
    coefs: dict[str, float]
    source: str = ""

    def apply(self, measured: dict[str, np.ndarray]) -> np.ndarray:
        out = np.float64(self.intercept)
        for name, c in self.coefs.items():
            out = out + c * np.asarray(measured[name], np.float64)
        return out


def load_calibration(text: str | None = None) -> dict[str, LinearModel]:
    """The packaged calibration (or one given as TOML text): target metric -> model."""
    if text is None:
        try:
            text = resources.files("analyzer.profiles").joinpath("calibration.toml").read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
    data = tomllib.loads(text)
    models = {}
    for target, spec in data.get("models", {}).items():
        coefs = {k: float(v) for k, v in spec.get("coefs", {}).items()}
        models[target] = LinearModel(target, float(spec.get("intercept", 0.0)), coefs, str(spec.get("source", "")))
    return models


VALGUS_FEATURES = ("knee_rotation", "toe_out", "leg_tilt")


def apply_valgus(series: dict[str, np.ndarray], side: str, frame_view: np.ndarray,
                 models: dict[str, LinearModel]) -> np.ndarray:
    """The knee valgus estimate (T,) of ``side`` from its features
    (``{side}_knee_rotation``, ``_toe_out``, ``_leg_tilt``) with the model of each frame's view
    (``knee_valgus_front`` / ``knee_valgus_rear``); other frames keep the uncorrected sum."""
    out = np.asarray(series[f"{side}_knee_valgus"], np.float64).copy()
    feats = {f: np.asarray(series[f"{side}_{f}"], np.float64) for f in VALGUS_FEATURES}
    for view in ("front", "rear"):
        model = models.get(f"knee_valgus_{view}")
        if model is not None:
            m = frame_view == view
            out[m] = model.apply({f: x[m] for f, x in feats.items()})
    return out


def apply_side(series: dict[str, np.ndarray], models: dict[str, LinearModel], sides=("left", "right")) -> dict[str, np.ndarray]:
    """Correct per-side sagittal angles in place of the measured ones.

    ``series`` has ``{side}_{metric}`` arrays and ``trunk_lean``; models are keyed by the metric
    without side (``shank_inclination``, ``thigh_inclination``, ``trunk_lean``) and their
    features name metrics the same way. Knee and hip flexion are rebuilt from the corrected
    parts (in a 2D side view knee flexion = thigh + shank inclination and hip flexion = thigh +
    trunk inclination, exactly).
    """
    if not models:
        return series
    out = dict(series)
    for side in sides:
        measured = {name.removeprefix(f"{side}_"): x for name, x in series.items() if name.startswith(f"{side}_")}
        measured["trunk_lean"] = series["trunk_lean"]
        for target in ("shank_inclination", "thigh_inclination"):
            if target in models:
                out[f"{side}_{target}"] = models[target].apply(measured)
        out[f"{side}_knee_flexion"] = out[f"{side}_thigh_inclination"] + out[f"{side}_shank_inclination"]
    if "trunk_lean" in models:
        # Trunk features are the side-free (near-leg) series, e.g. ``thigh_inclination``.
        measured = {f: series[f] for f in ["trunk_lean", *models["trunk_lean"].coefs]}
        out["trunk_lean"] = models["trunk_lean"].apply(measured)
    for side in sides:
        # Likewise hip flexion = thigh + trunk inclination in a side view.
        out[f"{side}_hip_flexion"] = out[f"{side}_thigh_inclination"] + out["trunk_lean"]
    return out
