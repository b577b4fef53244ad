"""Camera view detection (front / side / rear / oblique, facing, near side) and metric gating.

Pure numpy. The view is estimated per frame from two independent cues and then smoothed into
segments, so a video in which the camera or the person turns gets one label per stretch:

* 3D: MediaPipe's world landmarks give the person's left-right axis (hips and shoulders); its
  angle to the image plane is the camera's azimuth around the person.
* 2D: the apparent hip + shoulder width relative to torso length in the image, divided by the
  same ratio in 3D, is |cos(azimuth)| - a projection that needs no depth estimate.

Azimuth convention (same as the synthetic bench): 0 = camera in front of the person, +90 = at
the person's left side, 180 = behind.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .signals import runs
from .skeleton import L_ANKLE, L_FOOT, L_HEEL, L_HIP, L_KNEE, L_SHOULDER, R_ANKLE, R_FOOT, R_HEEL, R_HIP, R_KNEE, R_SHOULDER
from .track import PoseTrack

VIEWS = ("front", "side", "rear", "oblique")

# Angle of the person's left-right axis to the image plane, degrees: below FRONTAL_MAX the
# camera sees the frontal plane, above SAGITTAL_MIN the sagittal plane; in between is oblique.
FRONTAL_MAX = 30.0
SAGITTAL_MIN = 65.0
MIN_SEGMENT_S = 1.5

# Which view can see which metric (BIOMECHANICS.md). Metrics not listed are view-independent.
METRIC_VIEWS: dict[str, tuple[str, ...]] = {
    "knee_flexion": ("side",),
    "hip_flexion": ("side",),
    "shank_inclination": ("side",),
    "shank_foot_dorsiflexion": ("side",),
    "thigh_inclination": ("side",),
    "hip_below_knee": ("side",),
    "heel_lift": ("side",),
    "foot_pitch": ("side",),
    "dorsiflexion": ("side",),
    "trunk_lean": ("side",),
    "trunk_minus_shank": ("side",),
    "lumbar_curvature": ("side",),
    "fppa": ("front", "rear"),
    "fppa_rel": ("front", "rear"),
    "knee_valgus": ("front", "rear"),
    "knee_rotation": ("front", "rear"),
    "toe_out": ("front", "rear"),
    "leg_tilt": ("front", "rear"),
    "knee_offset": ("front", "rear"),
    "knee_tracking": ("front", "rear"),
    "knee_ankle_ratio": ("front", "rear"),
    "hip_shift": ("front", "rear"),
    "pelvic_obliquity": ("front", "rear"),
    "stance_ratio": ("front", "rear"),
    # From the front the heel hides behind the ankle and the shank leans toward the camera:
    # the heel->ankle angle is only a rear-foot angle when seen from behind.
    "foot_roll": ("rear",),
}

VIEW_HINTS = {
    "front": "filmed from the front: ankle dorsiflexion, knee bend, heel lift and trunk lean need a side view",
    "rear": "filmed from behind: ankle dorsiflexion, knee bend, heel lift and trunk lean need a side view",
    "side": "filmed from the side: knee valgus/varus, knee tracking, hip shift and pelvic drop need a front or rear view",
    "oblique": "filmed at an angle: joint angles are distorted in this view; film from the side and from the front to measure them",
}


# An oblique camera this close to the side (the left-right axis at least this many degrees out of
# the picture's plane) still sees the sagittal angles, corrected for how far round it is
# (:func:`sagittal_correction`); the bench measures what that costs (docs/accuracy.md).
OBLIQUE_SIDE_MIN = 50.0


def metric_visible(metric: str, view: str, plane: float | None = None) -> bool:
    """True if ``metric`` (without its left_/right_ prefix) can be measured from ``view``; an
    ``oblique`` frame whose ``plane`` angle is at least OBLIQUE_SIDE_MIN counts as a side view."""
    base = metric.removeprefix("left_").removeprefix("right_")
    allowed = METRIC_VIEWS.get(base)
    if allowed is None or view in allowed:
        return True
    return view == "oblique" and plane is not None and plane >= OBLIQUE_SIDE_MIN and "side" in allowed


def effective_labels(view: "ViewEstimate") -> np.ndarray:
    """(T,) the view each frame's metrics are judged as: side-obliques count as "side" (their
    sagittal angles are corrected), other labels as they are."""
    labels = np.asarray(view.frame_label, object).copy()
    if view.frame_plane is not None:
        labels[(labels == "oblique") & (np.nan_to_num(view.frame_plane) >= OBLIQUE_SIDE_MIN)] = "side"
    return labels


def sagittal_correction(xy: np.ndarray, view: "ViewEstimate", ref: int) -> np.ndarray:
    """(T, 33, 2) landmarks with the sideways image axis stretched back by 1 / cos(90 - plane)
    about landmark ``ref`` in side-oblique frames: a camera turned 30 deg off the side sees every
    forward distance cos 30 = 0.87 short, which would read every sagittal angle low."""
    out = np.array(xy, np.float64)
    if view.frame_plane is None:
        return out
    labels = np.asarray(view.frame_label)
    plane = np.nan_to_num(view.frame_plane, nan=90.0)
    m = (labels == "oblique") & (plane >= OBLIQUE_SIDE_MIN)
    if m.any():
        stretch = 1.0 / np.cos(np.radians(90.0 - np.clip(plane[m], OBLIQUE_SIDE_MIN, 90.0)))
        x0 = out[m, ref, 0][:, None]
        out[m, :, 0] = x0 + (out[m, :, 0] - x0) * stretch[:, None]
    return out


@dataclass
class ViewSegment:
    """A stretch of frames [start, stop) seen from one view."""

    label: str
    start: int
    stop: int
    start_s: float
    end_s: float
    azimuth_deg: float
    confidence: float
    facing: str
    near_side: str | None

    def as_dict(self) -> dict:
        return dict(label=self.label, start_s=round(self.start_s, 3), end_s=round(self.end_s, 3),
                    azimuth_deg=round(self.azimuth_deg, 1), confidence=round(self.confidence, 2),
                    facing=self.facing, near_side=self.near_side)


@dataclass
class ViewEstimate:
    """The view of a whole video.

    Attributes:
        label, confidence (0..1), facing, azimuth_deg: of the dominant segment.
        segments: every stretch with its own view.
        frame_label: (T,) object array, the view of each frame ('' where no person).
        frame_plane: (T,) degrees, how far round from the front the camera sees the person (the
            left-right axis's angle out of the image plane: 0 front/rear, 90 side), smoothed.
        forward_sign: (T,) +1 where the person faces image-right, -1 image-left.
        near_side: (T,) object array, 'left'/'right' (the side closer to the camera) or ''.
        overridden: the user forced the label with ``--view``.
    """

    label: str
    confidence: float
    facing: str
    azimuth_deg: float
    segments: list[ViewSegment]
    frame_label: np.ndarray
    forward_sign: np.ndarray
    near_side: np.ndarray
    overridden: bool = False
    notes: list[str] = field(default_factory=list)
    frame_plane: np.ndarray | None = None  # (T,) deg: 0 = frontal plane seen, 90 = sagittal (smoothed)

    def as_dict(self) -> dict:
        return dict(label=self.label, confidence=round(self.confidence, 2), facing=self.facing,
                    azimuth_deg=round(self.azimuth_deg, 1), overridden=self.overridden,
                    segments=[s.as_dict() for s in self.segments], cannot_measure=VIEW_HINTS[self.label])


def _rolling_nanmedian(x: np.ndarray, half: int) -> np.ndarray:
    out = np.full_like(x, np.nan)
    for i in range(len(x)):
        w = x[max(0, i - half): i + half + 1]
        if np.isfinite(w).any():
            out[i] = np.nanmedian(w)
    return out


def frame_azimuth(track: PoseTrack) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame camera azimuth around the person.

    Returns:
        azimuth: (T,) degrees in (-180, 180]; 0 front, +90 person's left side, 180 behind.
        plane_angle: (T,) degrees 0..90, the left-right axis's angle out of the image plane
            (0 = frontal view, 90 = side view), fused from the 3D and the 2D cue.
    """
    w = track.world.astype(np.float64)
    xy = track.xy
    left_axis = (w[:, L_HIP] - w[:, R_HIP]) + (w[:, L_SHOULDER] - w[:, R_SHOULDER])
    az3 = np.degrees(np.arctan2(-left_axis[:, 2], left_axis[:, 0]))
    plane3 = np.degrees(np.arctan2(np.abs(left_axis[:, 2]), np.abs(left_axis[:, 0])))

    def width(p: np.ndarray, a: int, b: int) -> np.ndarray:
        return np.linalg.norm(p[:, a] - p[:, b], axis=-1)

    def torso(p: np.ndarray) -> np.ndarray:
        return np.linalg.norm(0.5 * (p[:, L_HIP] + p[:, R_HIP]) - 0.5 * (p[:, L_SHOULDER] + p[:, R_SHOULDER]), axis=-1)

    with np.errstate(invalid="ignore", divide="ignore"):
        ratio2 = np.abs(xy[:, L_HIP, 0] - xy[:, R_HIP, 0]) + np.abs(xy[:, L_SHOULDER, 0] - xy[:, R_SHOULDER, 0])
        ratio2 = ratio2 / torso(xy)
        ratio3 = (width(w, L_HIP, R_HIP) + width(w, L_SHOULDER, R_SHOULDER)) / torso(w)
        plane2 = np.degrees(np.arccos(np.clip(ratio2 / ratio3, 0.0, 1.0)))
    plane = np.where(np.isfinite(plane2), 0.5 * (plane3 + plane2), plane3)
    return az3, plane


def _facing_sign(xy: np.ndarray) -> np.ndarray:
    """(T,) +1 if the toes point image-right of the heels (person faces right), -1 if left."""
    toes = (xy[:, L_FOOT, 0] - xy[:, L_HEEL, 0]) + (xy[:, R_FOOT, 0] - xy[:, R_HEEL, 0])
    return np.sign(toes)


def _classify(plane: float, az: float) -> str:
    if not np.isfinite(plane):
        return ""
    if plane >= SAGITTAL_MIN:
        return "side"
    if plane <= FRONTAL_MAX:
        return "front" if abs(az) < 90 else "rear"
    return "oblique"


def estimate_view(track: PoseTrack, override: str | None = None, *, quality=None) -> ViewEstimate:
    """Detect the view per frame and per segment; ``override`` ('front'|'side'|'rear'|'oblique')
    forces it. ``quality`` (a :class:`~analyzer.quality.PoseQuality`): frames whose trunk is
    not trusted (a barbell's plates over the hips, a swap) give no view cue; they take the view
    of the trusted frames around them, so hidden legs cannot flip the view."""
    T = len(track)
    xy = track.xy
    az, plane = frame_azimuth(track)
    if quality is not None:
        bad = ~quality.ok["trunk"]
        az, plane = np.where(bad, np.nan, az), np.where(bad, np.nan, plane)
    half = max(1, int(round(0.5 * (track.fps or 30.0))))
    plane_s = _rolling_nanmedian(plane, half)
    # Unit-vector smoothing of the signed azimuth avoids the wrap at +-180 degrees.
    cs = _rolling_nanmedian(np.cos(np.radians(az)), half)
    sn = _rolling_nanmedian(np.sin(np.radians(az)), half)
    az_s = np.degrees(np.arctan2(sn, cs))
    labels = np.array([_classify(p, a) for p, a in zip(plane_s, az_s)], dtype=object)
    labels = _fill_detected(labels, track.detected)
    if override:
        labels = np.where(labels != "", override, "").astype(object)
    labels = _merge_short(labels, track.t, MIN_SEGMENT_S)

    fwd = _rolling_nanmedian(_facing_sign(xy), half)
    fwd = np.where(np.isfinite(fwd) & (fwd != 0), np.sign(fwd), np.nan)
    near = _near_side(track, half)

    segments = []
    for label in VIEWS:
        for start, stop in runs(labels == label):
            segments.append(_segment(track, label, start, stop, plane_s, az_s, fwd, near))
    segments.sort(key=lambda s: s.start)
    if not segments:
        return ViewEstimate("oblique", 0.0, "unknown", float("nan"), [], labels, np.full(T, np.nan),
                            near, overridden=bool(override))
    # The dominant view is the one that covers the most time.
    total = {v: sum(s.end_s - s.start_s for s in segments if s.label == v) for v in VIEWS}
    best = max(total, key=total.get)
    main = max((s for s in segments if s.label == best), key=lambda s: s.end_s - s.start_s)
    conf = float(np.mean([s.confidence for s in segments if s.label == best]))
    fwd_filled = _ffill(fwd)
    return ViewEstimate(best, 1.0 if override else conf, main.facing, main.azimuth_deg, segments, labels,
                        fwd_filled, near, overridden=bool(override), frame_plane=_ffill(plane_s))


def _segment(track, label, start, stop, plane, az, fwd, near) -> ViewSegment:
    sl = slice(start, stop)
    if np.isfinite(plane[sl]).any():
        p = float(np.nanmedian(plane[sl]))
        a = float(np.degrees(np.arctan2(np.nanmedian(np.sin(np.radians(az[sl]))), np.nanmedian(np.cos(np.radians(az[sl]))))))
    else:  # a stretch with no trusted view cue (its label came from its neighbours)
        p = a = float("nan")
    # Confidence: how far the plane angle sits from the class boundaries (10 deg = sure).
    if label == "side":
        margin = p - SAGITTAL_MIN
    elif label in ("front", "rear"):
        margin = FRONTAL_MAX - p
    else:
        margin = min(p - FRONTAL_MAX, SAGITTAL_MIN - p)
    conf = float(np.clip(0.5 + margin / 20.0, 0.05, 1.0)) if np.isfinite(margin) else 0.3
    if label == "side":
        f = np.nanmedian(fwd[sl])
        facing = "right" if f > 0 else "left" if f < 0 else "unknown"
    elif label == "front":
        facing = "camera"
    elif label == "rear":
        facing = "away"
    else:
        facing = "unknown"
    sides = [s for s in near[sl] if s]
    near_side = max(set(sides), key=sides.count) if sides else None
    t = track.t
    end = t[stop] if stop < len(t) else t[-1] + (1.0 / track.fps if track.fps else 0.0)
    return ViewSegment(label, int(start), int(stop), float(t[start]), float(end), a,
                       conf, facing, near_side if label in ("side", "oblique") else None)


def _near_side(track: PoseTrack, half: int) -> np.ndarray:
    """(T,) 'left'/'right': the leg closer to the camera (smaller MediaPipe depth z, weighted by
    visibility), smoothed over ~1 s so a single mislabelled frame does not flip it."""
    z = track.image[:, :, 2].astype(np.float64)
    vis = np.nan_to_num(track.visibility.astype(np.float64))
    left = z[:, [L_HIP, L_KNEE, L_ANKLE]].mean(1) - z[:, [R_HIP, R_KNEE, R_ANKLE]].mean(1)
    dvis = vis[:, [L_KNEE, L_ANKLE, L_HEEL]].mean(1) - vis[:, [R_KNEE, R_ANKLE, R_HEEL]].mean(1)
    # Negative z difference = left is nearer; a visibility lead of 0.2 counts like 0.1 of depth.
    score = _rolling_nanmedian(-left + 0.5 * dvis, half)
    return np.where(np.isfinite(score), np.where(score > 0, "left", "right"), "").astype(object)


def _merge_short(labels: np.ndarray, t: np.ndarray, min_s: float) -> np.ndarray:
    """Relabel runs shorter than ``min_s`` seconds with the label of their longer neighbour."""
    labels = labels.copy()
    changed = True
    while changed:
        changed = False
        bounds = _label_runs(labels)
        if len(bounds) <= 1:
            break
        durations = [t[min(stop, len(t) - 1)] - t[start] for _, start, stop in bounds]
        order = np.argsort(durations)
        for k in order:
            label, start, stop = bounds[k]
            if label == "" or durations[k] >= min_s:
                continue
            neighbours = [bounds[j] for j in (k - 1, k + 1) if 0 <= j < len(bounds) and bounds[j][0] != ""]
            if not neighbours:
                continue
            target = max(neighbours, key=lambda b: b[2] - b[1])[0]
            if target != label:
                labels[start:stop] = target
                changed = True
                break
    return labels


def _fill_detected(labels: np.ndarray, detected: np.ndarray) -> np.ndarray:
    """Frames with a person but no view cue take the label of the nearest frame with one."""
    have = np.flatnonzero(labels != "")
    if not len(have):
        return labels
    out = labels.copy()
    need = np.flatnonzero((labels == "") & detected)
    if len(need):
        pos = np.clip(np.searchsorted(have, need), 1, len(have)) - 1
        nxt = np.clip(pos + 1, 0, len(have) - 1)
        pick = np.where(np.abs(have[nxt] - need) < np.abs(have[pos] - need), have[nxt], have[pos])
        out[need] = labels[pick]
    return out


def _label_runs(labels: np.ndarray) -> list[tuple[str, int, int]]:
    out = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            out.append((labels[start], start, i))
            start = i
    return out


def _ffill(x: np.ndarray) -> np.ndarray:
    """Forward- then backward-fill NaN in a 1-D array (the last known facing persists)."""
    x = x.copy()
    idx = np.where(np.isfinite(x), np.arange(len(x)), 0)
    np.maximum.accumulate(idx, out=idx)
    x = x[idx]
    if np.isnan(x).any() and np.isfinite(x).any():
        first = x[np.isfinite(x)][0]
        x[np.isnan(x)] = first
    return x
