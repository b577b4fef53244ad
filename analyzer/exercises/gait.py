"""Steps from the feet's trajectories in the picture: when each foot lifts off and lands (pure
numpy).

A foot is its three MediaPipe points (heel, ankle, foot_index), each low-passed at 3 Hz
(MediaPipe's jitter is not a step); its speed, in foot lengths per second, is the median of the
points' speeds, and how far it moved the median of the points' displacements. A **swing** is a stretch where the speed rises past ``on`` (from the
stretch's first and last frames above ``off``: lift-off and contact), and a **step** is a swing
whose foot is put down at least ``min_step`` foot lengths from where it lifted off. The
distance is what keeps MediaPipe's cross-talk out: while one foot swings past the other the
other's points are dragged along and back, at walking speed but to where they were (under 0.2
foot lengths on the bench); where the two feet still seem to swing at once, the faster one does.

Views: any in which the foot travels in the picture - across it from the side, up it toward the
camera (a stride toward a camera 3 m away moves the foot ~0.5 foot lengths down the picture).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..signals import runs
from ..skeleton import CHAIN, SIDES


@dataclass
class Swing:
    """One foot's swing: frames of lift-off and contact, and how far it moved (foot lengths)."""

    side: str
    liftoff: int
    contact: int
    distance: float
    complete: bool = True


def _filled(x: np.ndarray) -> np.ndarray:
    """``x`` (T,) with NaN gaps linearly interpolated (ends held); all-NaN stays NaN."""
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return x.copy()
    i = np.arange(len(x))
    return np.interp(i, i[ok], x[ok])


def foot_points(xy: np.ndarray, side: str) -> np.ndarray:
    """(T, 3, 2) pixels: the foot's heel, ankle and foot_index (NaN where not seen)."""
    p = CHAIN[side]
    return np.stack([xy[:, p[k]] for k in ("heel", "ankle", "foot")], axis=1)


def foot_speed(xy: np.ndarray, t: np.ndarray, side: str, unit: float, cutoff_hz: float = 3.0
               ) -> tuple[np.ndarray, np.ndarray]:
    """((T, 3, 2) the foot's three points smoothed, in foot lengths, NaN where not seen; (T,) the
    foot's speed in foot lengths/s: the median of its seen points' speeds). Each point is
    followed on its own: a mean over the points seen would jump when one of them comes into view."""
    from ..signals import lowpass

    pts = foot_points(xy, side) / unit
    seen = np.isfinite(pts[..., 0])
    fs = 1.0 / float(np.median(np.diff(t))) if len(t) > 1 else 30.0
    sm = np.full(pts.shape, np.nan)
    for j in range(3):
        for k in range(2):
            x = _filled(pts[:, j, k])
            sm[:, j, k] = lowpass(x, fs, cutoff_hz) if np.isfinite(x).all() else x
    v = np.linalg.norm(np.gradient(sm, t, axis=0), axis=-1) if len(t) > 1 else np.zeros(seen.shape)
    v[~seen] = np.nan
    sm[~seen] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames where no point is seen
        return sm, np.nanmedian(v, axis=1)


def find_swings(pos: np.ndarray, speed: np.ndarray, t: np.ndarray, side: str, *, on: float, off: float,
                min_step: float, merge_s: float = 0.25) -> list[Swing]:
    """The steps of one foot (see the module docstring). ``pos``, ``speed`` from
    :func:`foot_speed`. A swing that the video starts or ends in is returned incomplete."""
    T = len(t)
    fast = np.nan_to_num(speed) > on
    moving = np.nan_to_num(speed) > off
    spans: list[list[int]] = []
    for a, b in runs(fast):
        # widen to where the foot started and stopped moving
        while a > 0 and moving[a - 1]:
            a -= 1
        while b < T and moving[b]:
            b += 1
        if spans and t[a] - t[spans[-1][1] - 1] <= merge_s:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    out = []
    for a, b in spans:
        e = b - 1
        d = _distance(pos, a, e)
        if not d >= min_step:
            continue
        complete = a > 0 and e < T - 1
        out.append(Swing(side, a, e, d, complete))
    return out


def _distance(pos: np.ndarray, a: int, e: int) -> float:
    """How far the foot moved from frame ``a`` to ``e``: the median over its points of the distance
    between their positions around the two frames (foot lengths; NaN if no point is seen at both)."""
    T = len(pos)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a point not seen at one end
        moved = np.linalg.norm(np.nanmedian(pos[e:min(T, e + 4)], 0) - np.nanmedian(pos[max(0, a - 3):a + 1], 0), axis=-1)
        return float(np.nanmedian(moved)) if np.isfinite(moved).any() else float("nan")


def find_steps(xy: np.ndarray, t: np.ndarray, unit: float, *, on: float = 1.0, off: float = 0.35,
               min_step: float = 0.25) -> tuple[list[Swing], dict[str, np.ndarray]]:
    """Both feet's swings in time order (by contact), and per side its speed series (T,).

    One foot swings at a time. Where the two feet's swings overlap (MediaPipe drags the standing
    foot's points along while the other passes it, which keeps its speed up into the other's
    swing), each frame of the overlap belongs to the foot moving faster there; each swing is then
    its longest stretch of frames left, and still a step only if the foot moved ``min_step``."""
    swings: list[Swing] = []
    speeds, points = {}, {}
    for side in SIDES:
        pos, speed = foot_speed(xy, t, side, unit)
        speeds[side], points[side] = speed, pos
        # a stretch of movement that ends where it began is the other foot's drag, not a step
        swings += find_swings(pos, speed, t, side, on=on, off=off, min_step=min_step)
    T = len(t)
    own = {id(w): np.zeros(T, bool) for w in swings}
    for w in swings:
        own[id(w)][w.liftoff:w.contact + 1] = True
    for w in swings:
        for k in swings:
            if k.side == w.side:
                continue
            both = own[id(w)] & own[id(k)]
            slower = both & (np.nan_to_num(speeds[w.side]) < np.nan_to_num(speeds[k.side]))
            own[id(w)] &= ~slower
    out: list[Swing] = []
    for w in swings:
        spans = runs(own[id(w)])
        if not spans:
            continue
        a, b = max(spans, key=lambda r: r[1] - r[0])
        e = b - 1
        d = _distance(points[w.side], a, e)
        if d >= min_step:
            out.append(Swing(w.side, a, e, d, a > 0 and e < T - 1))
    out.sort(key=lambda s: s.contact)
    return out, speeds
