"""The lower back in a squat: lumbar bend at the bottom from the back's outline, a landmark
cross-check, and how far either can be trusted (pure numpy).

Two independent estimates per rep, both relative to the person's own standing posture:

* **outline** (the estimate the rules read): the back contour's bend (:mod:`analyzer.back_contour`,
  read from the person mask on side-view frames) at the bottom minus standing, divided by the
  outline's gain (how much of a lumbar bend shows in the outline: fitted on the bench's dev
  split, ``[lumbar] gain`` in the profile) -> degrees of lumbar flexion, rounding +.
* **landmarks** (a cross-check; MediaPipe has no spine points): how much more the hip closes
  than the knee (:func:`fold_3d`, 3D) at the bottom than in the middle of the rep's own descent.
  When the pelvis rolls under, the trunk keeps folding onto the thighs after the knees stop (+).

The confidence (0..1) is the product of what can go wrong: outline not read at the bottom or
standing, a top so loose it stands far off the back, an arm or a bar over the outline, a noisy
outline, a camera turned from the side, and the two estimates disagreeing. Below
``min_confidence`` the rep is "not judged".
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ..skeleton import INDEX

GAIN = 0.40                 # outline bend per degree of lumbar flexion (profile [lumbar] gain)
MIN_CONFIDENCE = 0.5
MIN_STANDING_FRAMES = 3
OVER_OUTLINE = 0.06         # torso lengths: a wrist or elbow this close to the outline (or beyond it) covers it
SMOOTH_S = 0.2


@dataclass
class LumbarEstimate:
    """One rep's lower back.

    value: lumbar flexion at the bottom relative to standing, deg (rounding +), from the outline;
        NaN if not read. landmark: the landmark cross-check, deg of extra trunk fold (+) at the
        bottom. confidence: 0..1. reasons: plain words for every factor that lowered it.
        frame: the bottom frame the value was read at.
    """

    value: float
    landmark: float
    confidence: float
    reasons: list[str] = field(default_factory=list)
    frame: int = -1


def rolling_median(x: np.ndarray, half: int) -> np.ndarray:
    """(T,) centred median over 2 * half + 1 samples, ignoring NaN (NaN where the sample was)."""
    if half < 1 or len(x) == 0:
        return x.copy()
    pad = np.pad(x, half, mode="constant", constant_values=np.nan)
    win = np.lib.stride_tricks.sliding_window_view(pad, 2 * half + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = np.nanmedian(win, axis=1)
    return np.where(np.isfinite(x), out, np.nan)


def lumbar_series(bend: np.ndarray, stand: np.ndarray, gain: float = GAIN, fs: float = 30.0) -> tuple[np.ndarray, float]:
    """(T,) lumbar flexion estimate from the outline, deg relative to standing (rounding +), and the
    standing bend (deg); all NaN when the outline was never read standing.

    Args:
        bend: (T,) the back contour's bend per frame, deg (NaN where not read).
        stand: (T,) bool standing frames.
        gain: the outline's bend change per degree of lumbar flexion (dev split fit).
        fs: frames per second (the outline is median-filtered over SMOOTH_S: the mask's edge
            jitters by a pixel, a degree or two of bend, from frame to frame).
    """
    bend = rolling_median(np.asarray(bend, np.float64), int(round(SMOOTH_S * fs / 2)))
    ref = bend[stand & np.isfinite(bend)]
    if len(ref) < MIN_STANDING_FRAMES:
        return np.full(len(bend), np.nan), float("nan")
    base = float(np.median(ref))
    return (bend - base) / gain, base


def _pair(xy: np.ndarray, part: str) -> np.ndarray:
    """(T, 2) the mean of the left and right ``part`` where both are seen, else the one seen (a
    side view often hides the far one)."""
    both = np.stack([xy[:, INDEX[f"left_{part}"]], xy[:, INDEX[f"right_{part}"]]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(both, axis=0)


def descent_fold(fold: np.ndarray, depth: np.ndarray, a: int, b: int, bottom: slice) -> float:
    """The landmark cross-check of one rep: :func:`fold_3d` at the bottom minus its value in the
    middle of the rep's own descent (rep signal between 30 and 60 % of the way down), deg; NaN
    if either part was not seen. A person's build and style set the fold's level; what the
    pelvis rolling under adds at the bottom is the change."""
    d = depth[a:b + 1]
    lo, hi = np.nanmin(d), np.nanmax(d)
    if not np.isfinite(hi) or hi <= lo:
        return float("nan")
    frac = (d - lo) / (hi - lo)
    mid = fold[a:b + 1][(frac >= 0.3) & (frac <= 0.6)]
    low = fold[bottom]
    if np.isfinite(mid).sum() < 2 or np.isfinite(low).sum() < 2:
        return float("nan")
    return float(np.nanmedian(low) - np.nanmedian(mid))


def fold_3d(landmarks: np.ndarray) -> np.ndarray:
    """Per frame, the landmark cross-check without a rep around it: hip flexion (trunk against
    thigh) minus knee flexion, in 3D, deg. A squat whose trunk stays parallel to the shins
    reads about 0; the pelvis rolling under (or the chest folding) makes the hip close more than
    the knee, +.

    Args:
        landmarks: (T, 33, 3) x, y, z in one scale (MediaPipe's image landmarks, or world).
    """
    P = np.asarray(landmarks, np.float64)
    mid = lambda part: 0.5 * (P[:, INDEX[f"left_{part}"]] + P[:, INDEX[f"right_{part}"]])  # noqa: E731
    sh, hip, knee, ankle = mid("shoulder"), mid("hip"), mid("knee"), mid("ankle")

    def angle(u, v):
        c = np.einsum("ij,ij->i", u, v) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
        return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))

    hip_flex = 180.0 - angle(sh - hip, knee - hip)
    knee_flex = 180.0 - angle(hip - knee, ankle - knee)
    return hip_flex - knee_flex


def _over_outline(xy: np.ndarray, outline: np.ndarray, frames: np.ndarray) -> float:
    """Share of ``frames`` with a wrist or elbow on or beyond the back's outline (a bar held on the
    back, elbows out behind with the hands on the hips): there the outline is the arm's.

    Args:
        xy: (T, 33, 2) landmarks, px. outline: (T, N, 2) the back's outline, px.
    """
    hits = np.zeros(len(frames), bool)
    for k, f in enumerate(frames):
        edge = outline[f][np.isfinite(outline[f]).all(axis=1)]
        hip, sh = _pair(xy[f:f + 1], "hip")[0], _pair(xy[f:f + 1], "shoulder")[0]
        axis = sh - hip
        L = float(np.hypot(*axis))
        if len(edge) < 3 or not np.isfinite(L) or L <= 0:
            continue
        u = axis / L
        n = np.array([-u[1], u[0]])
        if float(np.median((edge - hip) @ n)) < 0:  # toward the back: where the outline is
            n = -n
        e_along, e_out = (edge - hip) @ u / L, (edge - hip) @ n / L
        for name in ("left_wrist", "right_wrist", "left_elbow", "right_elbow"):
            p = xy[f, INDEX[name]]
            if not np.isfinite(p).all():
                continue
            along, out = float((p - hip) @ u / L), float((p - hip) @ n / L)
            if e_along.min() - 0.05 <= along <= e_along.max() + 0.05:
                near = float(np.interp(along, np.sort(e_along), e_out[np.argsort(e_along)]))
                hits[k] |= out > near - OVER_OUTLINE
    return float(hits.mean()) if len(frames) else 0.0


def estimate_rep(lumbar: np.ndarray, depth_back: np.ndarray, bend: np.ndarray, outline: np.ndarray, xy: np.ndarray,
                 fold: np.ndarray,
                 turn: np.ndarray, depth: np.ndarray, stand: np.ndarray, a: int, b: int, bottom: slice,
                 options: dict) -> LumbarEstimate:
    """The lower back of one rep.

    Args:
        lumbar: (T,) :func:`lumbar_series` (deg, rounding +).
        depth_back: (T,) the outline's distance behind the joint line over torso length.
        bend: (T,) the raw outline bend (deg), for its noise while standing.
        outline: (T, N, 2) the back's outline, px.
        xy: (T, 33, 2) cleaned image landmarks, px (for arms over the outline).
        fold: (T,) :func:`fold_3d` of the world landmarks; depth: (T,) the rep signal.
        turn: (T,) shoulder separation over torso length in the picture (0.1 from the side).
        stand: (T,) bool standing frames.
        a, b: the rep's start and bottom frames; bottom: the bottom window.
        options: the profile's ``[lumbar]`` section (gain, min_confidence, max_depth, max_noise_deg,
            max_disagreement_deg).
    """
    reasons: list[str] = []
    win = lumbar[bottom]
    seen = np.isfinite(win)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(np.nanmedian(win)) if seen.any() else float("nan")
    frame = int(bottom.start + np.nanargmax(np.where(seen, -np.abs(win - value), -np.inf))) if seen.any() else b
    conf = 1.0
    if not np.isfinite(value):
        return LumbarEstimate(float("nan"), float("nan"), 0.0, ["the back's outline was not read at the bottom "
                                                               "(film from the side, the whole back in the picture)"], b)
    # a camera turned toward the front sees the back's outline skewed: the sagittal curve fades
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        turned = float(np.nanmedian(turn[bottom]))
    ok_turn, max_turn = float(options.get("turn_ok", 0.25)), float(options.get("turn_max", 0.45))
    if np.isfinite(turned) and turned > ok_turn:
        conf *= float(np.clip((max_turn - turned) / (max_turn - ok_turn), 0.0, 1.0))
        reasons.append("the camera was turned from the side (the outline is not the back's profile)")
    if seen.mean() < 0.6:
        conf *= seen.mean()
        reasons.append("the back's outline was read in only part of the bottom")
    # a loose top: the outline stands far behind the joint line while standing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        thick = float(np.nanmedian(depth_back[stand])) if np.isfinite(depth_back[stand]).any() else float("nan")
        noise = float(np.nanmedian(np.abs(np.diff(bend[stand & np.isfinite(bend)])))) \
            if np.isfinite(bend[stand]).sum() > 3 else float("nan")
    max_depth = float(options.get("max_depth", 0.30))
    if np.isfinite(thick) and thick > max_depth:
        conf *= max(0.0, 1.0 - (thick - max_depth) / 0.1)
        reasons.append("the top stands off the back (loose clothing hides its curve)")
    max_noise = float(options.get("max_noise_deg", 2.0))
    if np.isfinite(noise) and noise > max_noise:
        conf *= max_noise / noise
        reasons.append("the outline is unsteady from frame to frame")
    behind = _over_outline(xy, outline, np.arange(bottom.start, bottom.stop))
    if behind > 0.3:
        conf *= 1.0 - behind
        reasons.append("an arm or a bar is behind the back")
    landmark = descent_fold(fold, depth, a, b, bottom)
    # The landmarks only speak against the outline when they clearly say the opposite: on the
    # digital human (whose chest lean is set apart from its lumbar bend) the descent line
    # reads -8 deg whatever the back does, so small opposite readings are the method's bias.
    strong = float(options.get("max_disagreement_deg", 20.0))
    if np.isfinite(landmark) and abs(landmark) > strong and np.sign(landmark) != np.sign(value) \
            and abs(value) > strong:
        conf *= 0.5
        reasons.append("the landmarks tell another story (the trunk's lean does not follow the outline)")
    return LumbarEstimate(value, landmark, float(np.clip(conf, 0.0, 1.0)), reasons, frame)
