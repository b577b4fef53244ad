"""Things in the scene besides the body: a barbell across the upper back (pure numpy).

A prop is a fixed triangle mesh in its own frame, moved every frame by a rigid transform taken
from the posed body, so the renderer draws it with the body (one mesh, one draw) and it hides
what it hides in a real gym: at the bottom of a back squat, the near plates cover the hips and
knees in a side view. The truth landmarks are the body's, untouched: the bench then measures
what the occlusion costs.

Units: metres. Bar frame: x along the bar (toward the subject's left), y backward, z up.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BAR_LENGTH = 2.2          # Olympic bar, m
BAR_RADIUS = 0.014
SLEEVE_START = 0.66       # inner collar, m from the centre
PLATE_THICKNESS = 0.05
BAR_COLOR = (0.62, 0.62, 0.64)
PLATE_COLOR = (0.10, 0.10, 0.11)
# The bar sits on the upper back, behind and just above the shoulder joints (high-bar).
BAR_OFFSET = np.array([0.0, 0.06, 0.04])


@dataclass
class PropMesh:
    """vertices (V, 3) in the prop's frame, faces (F, 3) int32, colors (V, 3) float32."""

    vertices: np.ndarray
    faces: np.ndarray
    colors: np.ndarray


def cylinder(radius: float, x0: float, x1: float, color, segments: int = 24) -> PropMesh:
    """A closed cylinder along x from ``x0`` to ``x1`` with flat caps (own vertices, so the
    smooth normals of the side do not bleed into the caps)."""
    a = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    ring = np.stack([np.zeros_like(a), radius * np.cos(a), radius * np.sin(a)], -1)
    side0, side1 = ring + [x0, 0, 0], ring + [x1, 0, 0]
    cap0, cap1 = side0.copy(), side1.copy()
    c0, c1 = np.array([[x0, 0, 0]]), np.array([[x1, 0, 0]])
    V = np.concatenate([side0, side1, cap0, cap1, c0, c1])
    n = segments
    i = np.arange(n)
    j = (i + 1) % n
    faces = [np.stack([i, j, n + i], -1), np.stack([j, n + j, n + i], -1),
             np.stack([np.full(n, 4 * n), 2 * n + j, 2 * n + i], -1),
             np.stack([np.full(n, 4 * n + 1), 3 * n + i, 3 * n + j], -1)]
    F = np.concatenate(faces).astype(np.int32)
    return PropMesh(V, F, np.tile(np.asarray(color, np.float32), (len(V), 1)))


def merge(meshes: list[PropMesh]) -> PropMesh:
    V, F, C, off = [], [], [], 0
    for m in meshes:
        V.append(m.vertices)
        F.append(m.faces + off)
        C.append(m.colors)
        off += len(m.vertices)
    return PropMesh(np.concatenate(V), np.concatenate(F).astype(np.int32), np.concatenate(C).astype(np.float32))


def barbell(plate_diameter: float = 0.45, plates: int = 2, plate_color=PLATE_COLOR) -> PropMesh:
    """A loaded bar: the shaft and ``plates`` plates per side from the inner collars outward."""
    parts = [cylinder(BAR_RADIUS, -BAR_LENGTH / 2, BAR_LENGTH / 2, BAR_COLOR, 12)]
    for sg in (1.0, -1.0):
        for k in range(int(plates)):
            a = sg * (SLEEVE_START + k * PLATE_THICKNESS)
            b = sg * (SLEEVE_START + (k + 1) * PLATE_THICKNESS - 0.004)
            parts.append(cylinder(plate_diameter / 2, min(a, b), max(a, b), plate_color, 40))
    return merge(parts)


def barbell_transform(heads: dict[str, np.ndarray], G: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(R (3, 3), t (3,)): where the bar is for a posed body: across the shoulders, on the upper
    back (``BAR_OFFSET`` in the chest's frame), level with the shoulder line."""
    left, right = heads["upperarm01.L"], heads["upperarm01.R"]
    centre = 0.5 * (left + right) + G["spine02"] @ BAR_OFFSET
    x = left - right
    x = x / np.linalg.norm(x)
    up = G["spine02"] @ np.array([0.0, 0.0, 1.0])
    z = up - np.dot(up, x) * x
    z /= np.linalg.norm(z)
    y = np.cross(z, x)
    return np.stack([x, y, z], axis=1), centre


def place(mesh: PropMesh, R: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(V, 3) world vertices of ``mesh`` moved by R, t."""
    return mesh.vertices @ R.T + t
