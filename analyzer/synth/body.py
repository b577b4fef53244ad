"""The digital human: anny's CC0 body model (torch), its rest skeleton, clothing regions, posing.

The only module that imports torch/anny. The first ``anny.Anny()`` on a machine builds a ~790 MB
cache in ``~/.cache/anny`` (``ANNY_CACHE_DIR`` moves it), which takes 40 s to a few minutes;
later loads take under a second.

Phenotype values are anny's, each in [0, 1] (0.5 = average): ``gender`` (0 male .. 1 female),
``age`` (see `age_from_years`), ``muscle``, ``weight``, ``height``, ``proportions``.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..quiet import quiet_native_stderr
from .posing import Plan, RestSkeleton, local_deltas

_MODEL = None

# anny's "morphological age" calibration (anny/data/shape_calibration/boys.pth, same for girls):
# anny age parameter <-> years, piecewise linear.
_AGE_ANNY = (0.0, 0.05, 0.215, 0.415, 0.67, 0.77, 0.83, 1.0)
_AGE_YEARS = (0.0, 1.0, 4.0, 11.0, 16.0, 18.0, 64.0, 110.0)

PHENOTYPE = ("gender", "age", "muscle", "weight", "height", "proportions")


def age_from_years(years: float) -> float:
    """anny's age parameter for an age in years (its morphological-age calibration)."""
    return float(np.interp(years, _AGE_YEARS, _AGE_ANNY))


def years_from_age(age: float) -> float:
    return float(np.interp(age, _AGE_ANNY, _AGE_YEARS))


def load_model():
    """anny's full-body model and COCO keypoint regressor (loaded once per process)."""
    global _MODEL
    if _MODEL is None:
        import torch

        with quiet_native_stderr():
            try:  # anny's skinning initialises NVIDIA warp: keep its banner off the terminal
                import warp

                warp.config.log_level = getattr(warp, "LOG_ERROR", 40)
            except ImportError:
                pass
            import anny

            torch.set_grad_enabled(False)
            cache = Path(os.environ.get("ANNY_CACHE_DIR") or Path.home() / ".cache" / "anny")
            if not cache.exists():
                print(f"building anny's body-model cache in {cache} (~790 MB, once; up to a few minutes)",
                      file=sys.__stdout__, flush=True)
            model = anny.Anny().to(dtype=torch.float32)
            _MODEL = (model, anny.KeypointsRegressor.coco(model))
    return _MODEL


@dataclass
class Posed:
    """One posed frame in world coordinates (floor z = 0, metres)."""

    vertices: np.ndarray            # (V, 3)
    heads: dict[str, np.ndarray]    # bone name -> joint centre (bone head)
    coco: dict[str, np.ndarray]     # anny's COCO surface keypoints
    plan: Plan


class Body:
    """One person: phenotype, rest skeleton, clothing regions; poses frames.

    Args:
        phenotype: anny phenotype values, e.g. ``{"gender": 0.0, "weight": 0.7}``.
    """

    def __init__(self, phenotype: dict[str, float] | None = None):
        import torch

        self._torch = torch
        self.model, self.kp = load_model()
        m = self.model
        self.phenotype = {k: float(v) for k, v in (phenotype or {}).items()}
        unknown = set(self.phenotype) - set(PHENOTYPE)
        if unknown:
            raise ValueError(f"unknown phenotype value(s) {sorted(unknown)}; anny knows {PHENOTYPE}")
        self._pk = {k: torch.tensor([v], dtype=torch.float32) for k, v in self.phenotype.items()}
        out = m(phenotype_kwargs=self._pk or None)
        V = out["vertices"][0].double().numpy()
        heads = out["bone_poses"][0, :, :3, 3].double().numpy()
        self.floor_z = float(V[:, 2].min())
        self.shift = np.array([0.0, 0.0, -self.floor_z])
        self.labels = list(m.bone_labels)
        self.parents_idx = [int(x) for x in m.bone_parents]
        parents = {n: (self.labels[p] if p >= 0 else None) for n, p in zip(self.labels, self.parents_idx)}
        self.rest_vertices = V + self.shift
        self.rest_heads = heads + self.shift
        self.rest_coco = self._coco(out) + self.shift
        self.faces = m.faces.numpy().astype(np.int32)
        self.anny_root = heads[0].copy()  # anny keeps the root head here whatever the pose
        w = m.vertex_bone_weights.numpy()
        idx = m.vertex_bone_indices.numpy()
        self.dominant_bone = np.asarray(self.labels, dtype=object)[idx[np.arange(len(V)), np.argmax(w, axis=1)]]
        self.rest = RestSkeleton(labels=self.labels, parents=parents,
                                 heads={n: self.rest_heads[i] for i, n in enumerate(self.labels)})
        self.rest.sole = self._sole_borders()
        self.rest.balls = self._balls()
        Vr = self.rest_vertices
        self.stature = float(Vr[:, 2].max() - Vr[:, 2].min())
        self.mass = self._mass(out)

    # -- rest measurements ---------------------------------------------------------------
    def _coco(self, out) -> np.ndarray:
        return self.kp(out)[0].double().numpy()

    def _sole_borders(self) -> dict[str, dict[str, float]]:
        """Medial/lateral edges of each sole relative to the ankle, along the lateral axis."""
        V, r = self.rest_vertices, self.rest
        out = {}
        for s, sg in (("L", 1.0), ("R", -1.0)):
            feetmask = np.array([("foot" in b or "toe" in b) and b.endswith("." + s) for b in self.dominant_bone])
            sole = V[feetmask & (V[:, 2] < 0.02)]
            fwd = r.foot_fwd(s)
            lat = sg * np.cross([0.0, 0.0, 1.0], fwd)
            lat /= np.linalg.norm(lat)
            off = (sole - r.h(f"foot.{s}")) @ lat
            out[s] = {"medial": float(np.percentile(off, 3)), "lateral": float(np.percentile(off, 97))}
        return out

    def _balls(self) -> dict[str, np.ndarray]:
        """Heel-lift pivots: the front edge of the sole skinned to the foot bone (not the toes)."""
        V, r = self.rest_vertices, self.rest
        out = {}
        for s in ("L", "R"):
            sole = V[(self.dominant_bone == f"foot.{s}") & (V[:, 2] < 0.02)]
            A = r.h(f"foot.{s}")
            fwd = r.foot_fwd(s)
            ahead = float(np.percentile((sole - A) @ fwd, 99))
            p = A + ahead * fwd
            out[s] = np.array([p[0], p[1], 0.0])
        return out

    def _mass(self, out) -> float:
        V = out["rest_vertices"][0].double().numpy()
        F = self.faces
        vol = abs(np.einsum("ij,ij->i", np.cross(V[F[:, 0]], V[F[:, 1]]), V[F[:, 2]]).sum() / 6.0)
        return float(vol * 980.0)  # anny's own density assumption (anny.anthropometry)

    def describe(self) -> dict:
        ph = {k: self.phenotype.get(k, 0.5) for k in PHENOTYPE}
        return dict(phenotype=ph, age_years=round(years_from_age(ph["age"]), 1),
                    stature_m=round(self.stature, 4), mass_kg=round(self.mass, 2))

    # -- posing --------------------------------------------------------------------------
    def pose(self, plan: Plan) -> Posed:
        """Run anny's skinning for a solved `Plan`; returns world vertices, joints, keypoints."""
        torch = self._torch
        D = local_deltas(self.rest, plan.Gall)
        P = torch.eye(4, dtype=torch.float32).repeat(1, len(self.labels), 1, 1)
        P[0, :, :3, :3] = torch.from_numpy(D.astype(np.float32))
        out = self.model(pose_parameters=P, phenotype_kwargs=self._pk or None)
        # anny rotates about its root head; put that head where the plan wants the pelvis
        t = plan.root - self.anny_root
        V = out["vertices"][0].double().numpy() + t
        H = out["bone_poses"][0, :, :3, 3].double().numpy() + t
        kp = self._coco(out) + t
        heads = {n: H[i] for i, n in enumerate(self.labels)}
        coco = {n: kp[i] for i, n in enumerate(self.kp.labels)}
        return Posed(V, heads, coco, plan)
