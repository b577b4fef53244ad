"""Vectorised geometric primitives over landmark arrays (pure numpy).

Conventions: image points are pixels with x to the right and y DOWN; arrays are shaped
``(..., 2)`` (or ``(..., 3)`` for 3D) and every function broadcasts over the leading axes, so a
whole video (T frames) is one call. Angles are degrees. NaN in, NaN out.
"""
from __future__ import annotations

import numpy as np


def _norm(v: np.ndarray) -> np.ndarray:
    return np.sqrt(np.sum(v * v, axis=-1))


def angle_between(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Unsigned angle between vectors ``u`` and ``v`` (..., D) -> (...) degrees in [0, 180]."""
    u = np.asarray(u, np.float64)
    v = np.asarray(v, np.float64)
    cross = np.cross(u, v) if u.shape[-1] == 3 else u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    cross_norm = _norm(cross) if u.shape[-1] == 3 else np.abs(cross)
    with np.errstate(invalid="ignore"):
        # atan2 of |u x v| and u.v is accurate near 0 and 180 degrees, unlike arccos.
        return np.degrees(np.arctan2(cross_norm, np.sum(u * v, axis=-1)))


def joint_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Interior angle at ``b`` of the chain a-b-c, (..., D) -> (...) degrees in [0, 180]."""
    return angle_between(np.asarray(a) - b, np.asarray(c) - b)


def flexion(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Flexion at ``b``: 180 - interior angle a-b-c; 0 when the chain is straight. Degrees."""
    return 180.0 - joint_angle(a, b, c)


def inclination(lower: np.ndarray, upper: np.ndarray, forward_sign: np.ndarray | float = 1.0) -> np.ndarray:
    """Signed inclination from image vertical of the segment lower->upper, degrees.

    0 when ``upper`` is straight above ``lower``; positive when ``upper`` lies toward the
    person's front, where ``forward_sign`` is +1 if the person faces image-right (+x) and -1 if
    they face image-left. Shapes (..., 2) -> (...); ``forward_sign`` broadcasts over (...).
    """
    d = np.asarray(upper, np.float64) - lower
    return np.degrees(np.arctan2(forward_sign * d[..., 0], -d[..., 1]))


def signed_offset_from_line(p: np.ndarray, a: np.ndarray, b: np.ndarray, toward: np.ndarray) -> np.ndarray:
    """Perpendicular distance of 2D point ``p`` from the line a->b, signed + on the side of ``toward``.

    ``toward`` is a direction vector (..., 2) (e.g. lateral->medial); the sign is that of the
    projection of the offset on it. Shapes (..., 2) -> (...), in the input's units.
    """
    p, a, b = (np.asarray(x, np.float64) for x in (p, a, b))
    ab = b - a
    n = np.stack([-ab[..., 1], ab[..., 0]], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = n / _norm(n)[..., None]
        dist = np.sum((p - a) * n, axis=-1)
        sign = np.sign(np.sum(n * toward, axis=-1))
    return dist * sign


def line_angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle of the image segment a->b above the horizontal, degrees (y down, so up is +)."""
    d = np.asarray(b, np.float64) - a
    return np.degrees(np.arctan2(-d[..., 1], np.abs(d[..., 0])))


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distance (..., D) -> (...), input units."""
    return _norm(np.asarray(a, np.float64) - b)
