"""Clothing and face colours painted on the body's vertices (pure numpy).

anny ships no colour texture: each vertex gets a region from its dominant skinning bone and its
rest position (shirt, shorts, feet/shoes, hair, eyes, brows, mouth; the rest is skin), and each
region a colour. Regions are computed on the rest mesh, so clothes move with the skin.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Color = tuple[float, float, float]


@dataclass
class Look:
    """Colours (RGB, 0..1) of the person and the scene. ``feet = None`` means barefoot."""

    skin: Color = (0.80, 0.60, 0.48)
    hair: Color = (0.18, 0.11, 0.06)
    shirt: Color = (0.15, 0.30, 0.65)
    shorts: Color = (0.12, 0.12, 0.14)
    feet: Color | None = (0.92, 0.92, 0.92)
    long_sleeves: bool = False
    clothing: str = "tight"  # tight | tshirt | hoodie: how far the top stands off the skin (Dresser)
    background: Color = (0.78, 0.80, 0.83)
    floor: tuple[Color, Color] = field(default_factory=lambda: ((0.55, 0.50, 0.45), (0.62, 0.57, 0.52)))
    floor_tile: float = 0.5
    light: tuple[float, float, float] = (0.4, -0.6, 0.8)


def regions(body) -> dict[str, np.ndarray]:
    """Boolean vertex masks per region for a `analyzer.synth.body.Body`."""
    V = body.rest_vertices
    dom = body.dominant_bone
    K = body.rest_coco
    kp = dict(zip(body.kp.labels, K))
    z = V[:, 2]
    knee_z, hip_z = kp["left_knee"][2], kp["left_hip"][2]
    is_arm = np.array([("arm" in d or "wrist" in d or "finger" in d or "metacarpal" in d) for d in dom])
    trunk_bones = ["spine05", "spine04", "spine03", "spine02", "spine01", "clavicle.L", "clavicle.R",
                   "shoulder01.L", "shoulder01.R", "pelvis.L", "pelvis.R", "root"]
    shirt = np.isin(dom, trunk_bones + ["upperarm01.L", "upperarm01.R", "upperleg01.L", "upperleg01.R",
                                        "upperleg02.L", "upperleg02.R"]) & (z > hip_z + 0.06)
    sleeves = np.isin(dom, ["upperarm01.L", "upperarm01.R", "upperarm02.L", "upperarm02.R",
                            "lowerarm01.L", "lowerarm01.R", "lowerarm02.L", "lowerarm02.R"])
    shorts = (z <= hip_z + 0.06) & (z > knee_z + 0.12) & ~is_arm
    feet = np.array([("foot" in d) or ("toe" in d) for d in dom]) | (z < kp["left_ankle"][2] - 0.01)
    head = np.isin(dom, ["head", "neck03"])
    hair = (head & (z > kp["left_eye"][2] + 0.035)) | (
        (dom == "head") & (z > kp["left_ear"][2] - 0.02) & (V[:, 1] > kp["left_ear"][1] + 0.01))
    eyes = np.zeros(len(V), bool)
    brows = np.zeros(len(V), bool)
    for e in ("left_eye", "right_eye"):
        c = kp[e]
        eyes |= (np.linalg.norm(V - c, axis=1) < 0.011) & (V[:, 1] < c[1] + 0.01)
        d = V - (c + np.array([0, 0, 0.022]))
        brows |= (np.abs(d[:, 0]) < 0.022) & (np.abs(d[:, 2]) < 0.004) & (V[:, 1] < c[1] + 0.015)
    nose = kp["nose"]
    mouth = ((np.abs(V[:, 0] - nose[0]) < 0.02) & (np.abs(V[:, 2] - (nose[2] - 0.038)) < 0.004)
             & (V[:, 1] < nose[1] + 0.025))
    return dict(shirt=shirt, sleeves=sleeves, shorts=shorts, feet=feet, hair=hair, eyes=eyes,
                brows=brows, mouth=mouth)


def vertex_colors(body, look: Look) -> np.ndarray:
    """(V, 3) float32 colours for ``body`` dressed as ``look``."""
    R = regions(body)
    col = np.tile(np.asarray(look.skin, np.float64), (len(body.rest_vertices), 1))
    col[R["shirt"]] = look.shirt
    if look.long_sleeves or look.clothing == "hoodie":
        col[R["sleeves"]] = look.shirt
    col[R["shorts"]] = look.shorts
    if look.feet is not None:
        col[R["feet"]] = look.feet
    col[R["hair"]] = look.hair
    col[R["eyes"]] = (0.08, 0.06, 0.05)
    col[R["brows"]] = np.asarray(look.hair) * 0.9 + 0.02
    col[R["mouth"]] = (0.60, 0.30, 0.28)
    return col.astype(np.float32)


# How each style of top sits on the body: (offset off the skin in metres, smoothing passes).
# A loose hoodie stands off the skin and bridges the hollows, so the outline no longer follows
# the lower back's curve: the bench measures what that does to the back-contour estimate.
CLOTHING = {"tight": (0.0, 0), "tshirt": (0.008, 2), "hoodie": (0.035, 14)}


class Dresser:
    """Moves the top's vertices of a posed body: offset along the normals, then Laplacian
    smoothing within the top (``CLOTHING``). Built once per body; ``__call__`` per frame."""

    def __init__(self, body, faces: np.ndarray, look: Look):
        from scipy import sparse

        if look.clothing not in CLOTHING:
            raise ValueError(f"look.clothing must be one of {', '.join(CLOTHING)}, got {look.clothing!r}")
        self.offset, self.passes = CLOTHING[look.clothing]
        R = regions(body)
        top = R["shirt"] | (R["sleeves"] if look.long_sleeves or look.clothing == "hoodie" else False)
        self.top = np.flatnonzero(top)
        n = len(body.rest_vertices)
        i = np.concatenate([faces[:, 0], faces[:, 1], faces[:, 2], faces[:, 1], faces[:, 2], faces[:, 0]])
        j = np.concatenate([faces[:, 1], faces[:, 2], faces[:, 0], faces[:, 0], faces[:, 1], faces[:, 2]])
        A = sparse.csr_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
        A.data[:] = 1.0
        deg = np.asarray(A.sum(axis=1)).ravel()
        self.avg = (sparse.diags(1.0 / np.maximum(deg, 1)) @ A)[self.top]  # neighbour mean of top vertices
        self.faces = faces

    @property
    def active(self) -> bool:
        return self.offset > 0 or self.passes > 0

    def __call__(self, V: np.ndarray) -> np.ndarray:
        """(V, 3) posed vertices -> dressed copy."""
        if not self.active:
            return V
        from .render import vertex_normals

        V = np.array(V, np.float64)
        V[self.top] += self.offset * vertex_normals(V, self.faces)[self.top]
        for _ in range(self.passes):
            V[self.top] = 0.5 * V[self.top] + 0.5 * (self.avg @ V)
        return V
