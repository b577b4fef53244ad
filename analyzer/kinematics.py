"""Squat kinematics from 2D image landmarks, vectorised over frames (pure numpy).

Every function takes landmark pixels ``xy`` shaped (T, 33, 2) (x right, y down; NaN where not
measured) and returns per-frame series shaped (T,). Angles are degrees; ratios are unitless.
Which of these a camera view can actually see is decided in :mod:`analyzer.view`; this module
only does geometry. Definitions follow BIOMECHANICS.md.
"""
from __future__ import annotations

import numpy as np

from . import geometry as g
from .skeleton import CHAIN, L_HIP, L_SHOULDER, R_HIP, R_SHOULDER, SIDES, L_ANKLE, R_ANKLE, L_KNEE, R_KNEE

Series = dict[str, np.ndarray]


def _pts(xy: np.ndarray, side: str) -> dict[str, np.ndarray]:
    return {name: xy[:, idx] for name, idx in CHAIN[side].items()}


def medial_direction(xy: np.ndarray, side: str) -> np.ndarray:
    """(T, 2) image direction from ``side``'s hip toward the other hip: the leg's medial side."""
    own, other = (L_HIP, R_HIP) if side == "left" else (R_HIP, L_HIP)
    return xy[:, other] - xy[:, own]


def sagittal_angles(xy: np.ndarray, forward_sign: np.ndarray | float) -> Series:
    """Angles a side view can see, per side, plus the trunk.

    Args:
        xy: (T, 33, 2) pixels.
        forward_sign: +1 if the person faces image-right, -1 if image-left; scalar or (T,).

    Returns (T,) series, degrees unless noted:
        ``{side}_knee_flexion``       180 - angle(hip, knee, ankle); 0 = straight leg.
        ``{side}_hip_flexion``        180 - angle(shoulder, hip, knee).
        ``{side}_shank_inclination``  knee ahead of ankle, from vertical (= dorsiflexion, foot flat).
        ``{side}_shank_foot_dorsiflexion``  90 - angle(ankle->knee, heel->foot_index).
        ``{side}_thigh_inclination``  hip->knee from vertical, knee forward positive.
        ``{side}_hip_below_knee``     (hip_y - knee_y) / thigh length; >= 0 at/below parallel.
        ``{side}_heel_toe_height``    (toe_y - heel_y) / foot length: the heel's height above
                                       the forefoot, unitless (compare with standing for lift).
        ``trunk_lean``                hip centre -> shoulder centre from vertical, forward +.
    """
    fs = np.broadcast_to(np.asarray(forward_sign, np.float64), xy.shape[:1])
    out: Series = {}
    for side in SIDES:
        p = _pts(xy, side)
        out[f"{side}_knee_flexion"] = g.flexion(p["hip"], p["knee"], p["ankle"])
        out[f"{side}_hip_flexion"] = g.flexion(p["shoulder"], p["hip"], p["knee"])
        out[f"{side}_shank_inclination"] = g.inclination(p["ankle"], p["knee"], fs)
        out[f"{side}_thigh_inclination"] = -g.inclination(p["knee"], p["hip"], fs)
        shank_up = p["knee"] - p["ankle"]
        foot_fwd = p["foot"] - p["heel"]
        out[f"{side}_shank_foot_dorsiflexion"] = 90.0 - g.angle_between(shank_up, foot_fwd)
        thigh = g.distance(p["hip"], p["knee"])
        foot = g.distance(p["heel"], p["foot"])
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{side}_hip_below_knee"] = (p["hip"][:, 1] - p["knee"][:, 1]) / thigh
            out[f"{side}_heel_toe_height"] = (p["foot"][:, 1] - p["heel"][:, 1]) / foot
    # In a side view the far hip and shoulder sit behind the near ones and are often dropped as
    # hidden: either point of a pair stands for the centre then (they project almost together).
    hips = _centre(xy[:, L_HIP], xy[:, R_HIP])
    shoulders = _centre(xy[:, L_SHOULDER], xy[:, R_SHOULDER])
    out["trunk_lean"] = g.inclination(hips, shoulders, fs)
    return out


def _centre(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(T, 2) midpoint of two (T, 2) point tracks, or the one that is finite where the other is not."""
    mid = 0.5 * (a + b)
    return np.where(np.isfinite(mid), mid, np.where(np.isfinite(a), a, b))


def frontal_angles(xy: np.ndarray) -> Series:
    """Measures a front or rear view can see. Medial/lateral comes from the hips, so the same
    code serves front and rear views and either facing.

    Returns (T,) series:
        ``{side}_fppa``          frontal-plane projection angle, degrees: 180 - angle(hip, knee,
                                  ankle), + when the knee is medial of the hip-ankle line (valgus).
        ``{side}_knee_offset``    knee's signed distance from the hip-ankle line, medial +,
                                  divided by the hip-ankle length (unitless).
        ``{side}_knee_over_toe``  knee x minus foot_index x, medial +, divided by hip width.
        ``{side}_foot_roll``      heel->ankle from vertical, degrees, ankle medial + (pronation).
        ``knee_ankle_ratio``      knee separation / ankle separation (< 1: knees inside ankles).
        ``hip_shift``             hip centre minus ankle centre, toward the person's left +,
                                  divided by ankle separation.
        ``pelvic_obliquity``      left hip lower than right, degrees (+ = left side drops).
    """
    out: Series = {}
    hip_width = g.distance(xy[:, L_HIP], xy[:, R_HIP])
    for side in SIDES:
        p = _pts(xy, side)
        medial = medial_direction(xy, side)
        offset = g.signed_offset_from_line(p["knee"], p["hip"], p["ankle"], medial)
        out[f"{side}_fppa"] = g.flexion(p["hip"], p["knee"], p["ankle"]) * np.sign(offset)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{side}_knee_offset"] = offset / g.distance(p["hip"], p["ankle"])
            medial_x = np.sign(medial[:, 0])
            out[f"{side}_knee_over_toe"] = (p["knee"][:, 0] - p["foot"][:, 0]) * medial_x / hip_width
        # Heel->ankle tilt: "forward" here means medial, so pronation (ankle falls in) is +.
        out[f"{side}_foot_roll"] = g.inclination(p["heel"], p["ankle"], np.sign(medial[:, 0]))
    with np.errstate(invalid="ignore", divide="ignore"):
        knee_sep = np.abs(xy[:, L_KNEE, 0] - xy[:, R_KNEE, 0])
        ankle_sep = np.abs(xy[:, L_ANKLE, 0] - xy[:, R_ANKLE, 0])
        out["knee_ankle_ratio"] = knee_sep / ankle_sep
        left_dir = np.sign(xy[:, L_HIP, 0] - xy[:, R_HIP, 0])
        hip_c = 0.5 * (xy[:, L_HIP, 0] + xy[:, R_HIP, 0])
        ankle_c = 0.5 * (xy[:, L_ANKLE, 0] + xy[:, R_ANKLE, 0])
        out["hip_shift"] = (hip_c - ankle_c) * left_dir / ankle_sep
    # y grows downward: left hip lower => yL > yR => positive.
    dy = xy[:, L_HIP, 1] - xy[:, R_HIP, 1]
    dx = np.abs(xy[:, L_HIP, 0] - xy[:, R_HIP, 0])
    out["pelvic_obliquity"] = np.degrees(np.arctan2(dy, dx))
    return out
