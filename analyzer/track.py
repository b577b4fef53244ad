"""PoseTrack: a whole video's pose as numpy arrays, saved to and loaded from ``landmarks.npz``.

Pure numpy: the analysis layer uses this without importing MediaPipe.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .skeleton import N_LANDMARKS

SCHEMA = "kinetic/landmarks/1"


@dataclass
class PoseTrack:
    """One person's landmarks over T frames.

    Attributes:
        t: (T,) float64 — presentation time of each frame in seconds from the first frame.
        image: (T, 33, 3) float32 — MediaPipe image landmarks: x, y normalised to [0, 1] of the
            (upright) frame width/height, z relative depth (same scale as x). NaN where no person.
        visibility: (T, 33) float32 — probability the landmark is visible (not occluded), NaN if none.
        presence: (T, 33) float32 — probability the landmark is in the frame, NaN if none.
        world: (T, 33, 3) float32 — world landmarks in metres, origin at the hip centre, NaN if none.
        width, height: frame size in pixels, after rotation metadata was applied.
        fps: nominal frame rate of the source (frames/s); timing always uses ``t``.
        meta: free-form provenance (source path, model, rotation, timings).
        extras: optional per-frame arrays keyed by name, e.g. a back contour for lumbar curvature,
            each shaped (T, ...).
    """

    t: np.ndarray
    image: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray
    width: int
    height: int
    fps: float
    meta: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        T = len(self.t)
        shapes = {
            "image": (T, N_LANDMARKS, 3), "visibility": (T, N_LANDMARKS),
            "presence": (T, N_LANDMARKS), "world": (T, N_LANDMARKS, 3),
        }
        for name, shape in shapes.items():
            if getattr(self, name).shape != shape:
                raise ValueError(f"PoseTrack.{name} has shape {getattr(self, name).shape}, expected {shape}")

    def __len__(self) -> int:
        return len(self.t)

    @classmethod
    def empty(cls, n_frames: int, width: int, height: int, fps: float, t: np.ndarray | None = None) -> "PoseTrack":
        """A track of ``n_frames`` frames with no person detected (all NaN)."""
        nan = np.float32(np.nan)
        return cls(
            t=np.arange(n_frames) / fps if t is None else np.asarray(t, np.float64),
            image=np.full((n_frames, N_LANDMARKS, 3), nan, np.float32),
            visibility=np.full((n_frames, N_LANDMARKS), nan, np.float32),
            presence=np.full((n_frames, N_LANDMARKS), nan, np.float32),
            world=np.full((n_frames, N_LANDMARKS, 3), nan, np.float32),
            width=width, height=height, fps=fps,
        )

    @property
    def detected(self) -> np.ndarray:
        """(T,) bool — a person was found in the frame."""
        return np.isfinite(self.image[:, 0, 0])

    @property
    def detection_rate(self) -> float:
        """Fraction of frames with a person, 0..1."""
        return float(self.detected.mean()) if len(self) else 0.0

    @property
    def xy(self) -> np.ndarray:
        """(T, 33, 2) float64 image landmarks in pixels (x right, y down)."""
        return self.image[..., :2].astype(np.float64) * np.array([self.width, self.height], np.float64)

    def slice(self, start: int, stop: int) -> "PoseTrack":
        """Frames ``start:stop`` as a new track (shares no memory with this one)."""
        s = slice(start, stop)
        return PoseTrack(
            t=self.t[s].copy(), image=self.image[s].copy(), visibility=self.visibility[s].copy(),
            presence=self.presence[s].copy(), world=self.world[s].copy(), width=self.width,
            height=self.height, fps=self.fps, meta=dict(self.meta),
            extras={k: v[s].copy() for k, v in self.extras.items()},
        )

    def save(self, path: str | os.PathLike) -> None:
        """Write a compressed ``.npz`` atomically (temp file + rename)."""
        path = Path(path)
        arrays = dict(
            t=self.t, image=self.image, visibility=self.visibility, presence=self.presence,
            world=self.world, **{f"extra_{k}": v for k, v in self.extras.items()},
        )
        header = dict(schema=SCHEMA, width=self.width, height=self.height, fps=self.fps, meta=self.meta)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez_compressed(f, header=np.array(json.dumps(header)), **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike) -> "PoseTrack":
        """Read a track written by :meth:`save`. Raises ValueError if it is not one."""
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(str(z["header"]))
                if header.get("schema") != SCHEMA:
                    raise ValueError(f"{path}: not a kinetic landmarks file (schema {header.get('schema')!r})")
                extras = {k[len("extra_"):]: z[k] for k in z.files if k.startswith("extra_")}
                return cls(
                    t=z["t"], image=z["image"], visibility=z["visibility"], presence=z["presence"],
                    world=z["world"], width=int(header["width"]), height=int(header["height"]),
                    fps=float(header["fps"]), meta=header.get("meta", {}), extras=extras,
                )
        except (OSError, KeyError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: cannot read landmarks ({exc})") from None
