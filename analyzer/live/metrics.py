"""The squat's metrics and the camera view for one live frame (pure numpy).

:func:`frame_metrics` runs analyze's own ``squat.frame_series`` on [standing reference, frame],
so live shows analyze's numbers. :func:`window_view` classifies the view of the last second
with the thresholds of :mod:`analyzer.view` (``estimate_view`` smooths every frame with Python
loops, ~10 ms a call: too slow for each live frame).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..exercises.common import CleanPose
from ..skeleton import (
    L_ANKLE,
    L_FOOT,
    L_HEEL,
    L_HIP,
    L_KNEE,
    R_ANKLE,
    R_FOOT,
    R_HEEL,
    R_HIP,
    R_KNEE,
)
from ..track import PoseTrack
from ..view import FRONTAL_MAX, SAGITTAL_MIN, ViewEstimate, frame_azimuth

# What live mode shows: near-side sagittal angles under side-free names (as frame_series does)
# and the frontal measures per side.
NEAR_NAMES = ("knee_flexion", "hip_flexion", "shank_inclination", "thigh_inclination", "hip_below_knee",
              "shank_foot_dorsiflexion", "heel_lift")
SERIES = (*NEAR_NAMES, "trunk_lean", "trunk_minus_shank", "left_knee_valgus", "right_knee_valgus",
          "left_knee_tracking", "right_knee_tracking", "hip_shift")


@dataclass(frozen=True)
class FrameView:
    """The view of the newest frames: label ('' unknown), facing, forward sign (+1 the person
    faces image-right, -1 left, NaN unknown) and the leg nearer the camera ('' unknown)."""

    label: str = ""
    facing: str = "unknown"
    forward: float = float("nan")
    near: str = ""


def window_view(track: PoseTrack, override: str | None = None) -> FrameView:
    """Classify the view over a short window (e.g. the last second) of raw track."""
    if not track.detected.any():
        return FrameView()
    az, plane = frame_azimuth(track)
    with np.errstate(all="ignore"):
        p = np.nanmedian(plane)
        a = np.degrees(np.arctan2(np.nanmedian(np.sin(np.radians(az))), np.nanmedian(np.cos(np.radians(az)))))
        xy = track.xy
        toes = np.nanmedian((xy[:, L_FOOT, 0] - xy[:, L_HEEL, 0]) + (xy[:, R_FOOT, 0] - xy[:, R_HEEL, 0]))
        # The nearer leg: smaller MediaPipe depth z, helped by visibility (as view._near_side).
        z = track.image[:, :, 2].astype(np.float64)
        vis = np.nan_to_num(track.visibility.astype(np.float64))
        left = z[:, [L_HIP, L_KNEE, L_ANKLE]].mean(1) - z[:, [R_HIP, R_KNEE, R_ANKLE]].mean(1)
        dvis = vis[:, [L_KNEE, L_ANKLE, L_HEEL]].mean(1) - vis[:, [R_KNEE, R_ANKLE, R_HEEL]].mean(1)
        score = np.nanmedian(-left + 0.5 * dvis)
    if override:
        label = override
    elif not np.isfinite(p):
        return FrameView()
    elif p >= SAGITTAL_MIN:
        label = "side"
    elif p <= FRONTAL_MAX:
        label = "front" if abs(a) < 90 else "rear"
    else:
        label = "oblique"
    forward = float(np.sign(toes)) if np.isfinite(toes) and toes != 0 else float("nan")
    facing = {"front": "camera", "rear": "away"}.get(label, "unknown")
    if label == "side" and np.isfinite(forward):
        facing = "right" if forward > 0 else "left"
    near = ("left" if score > 0 else "right") if np.isfinite(score) else ""
    return FrameView(label, facing, forward, near)


@lru_cache(maxsize=1)
def _calibration() -> dict:
    """The side-view corrections analyze applies (``analyze_squat(calibrated=True)``)."""
    try:
        from ..calibration import load_calibration
    except ImportError:  # trees without the bench calibration
        return {}
    return load_calibration()


def frame_metrics(xy: np.ndarray, ref: np.ndarray, view: FrameView, world: np.ndarray | None = None) -> dict[str, float]:
    """The squat's per-frame metrics of one frame, by ``squat.frame_series`` itself.

    frame_series is run on two frames, the standing reference and this one, with the reference
    as the only standing frame: every baseline it takes (lengths, standing heights, angles)
    then comes from the reference, and every definition, gate and calibration is analyze's.
    (~2-5 ms a call here; a per-frame copy of the formulas was 4x faster but drifted from
    squat.py as it evolved.)

    Args:
        xy: (33, 2) filtered pixels of the frame (NaN = not visible).
        ref: (33, 2) the standing reference pose in pixels (the baseline).
        view: the current view. world: (33, 3) metres (unused by the metrics; kept for shape).
    Returns:
        name -> value (NaN where this view cannot measure it) for the names in :data:`SERIES`.
    """
    from ..exercises.squat import frame_series

    both = np.stack([ref, xy]).astype(np.float64)
    w = np.zeros((2, xy.shape[0], 3)) if world is None else np.stack([world, world]).astype(np.float64)
    pose = CleanPose(xy=both, world=w, t=np.zeros(2), fs=30.0)
    two = lambda v: np.array([v, v], dtype=object)  # noqa: E731
    ve = ViewEstimate(view.label or "oblique", 1.0, view.facing, float("nan"), [], two(view.label),
                      np.array([view.forward, view.forward]), two(view.near))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        s, _ = frame_series(pose, ve, np.array([True, False]), _calibration())
    return {name: float(s[name][1]) for name in SERIES if name in s}
