"""A pinhole camera placed around the subject (pure numpy).

OpenCV convention: ``x_cam = R @ X_world + t``; x right, y down, z forward; pixel
``u = fx * x/z + cx``. World: metres, +X = subject's left, -Y = subject's front, +Z up, floor z=0.
Azimuth 0 puts the camera in front of the subject, 90 at the subject's left side, 180 behind,
270 at the right side.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class Camera:
    K: np.ndarray   # (3, 3) intrinsics
    R: np.ndarray   # (3, 3) world -> camera rotation
    t: np.ndarray   # (3,) translation
    width: int
    height: int

    @property
    def eye(self) -> np.ndarray:
        """Camera centre in world coordinates."""
        return -self.R.T @ self.t

    def project(self, X: np.ndarray) -> np.ndarray:
        """World points (..., 3) -> pixels (..., 2)."""
        X = np.asarray(X, np.float64)
        Xc = X @ self.R.T + self.t
        x = Xc @ self.K.T
        with np.errstate(invalid="ignore", divide="ignore"):
            return x[..., :2] / x[..., 2:3]

    def depth(self, X: np.ndarray) -> np.ndarray:
        return (np.asarray(X, np.float64) @ self.R.T + self.t)[..., 2]

    def gl_mvp(self, near: float = 0.05, far: float = 60.0) -> np.ndarray:
        """OpenGL clip-space matrix equal to this camera (image row 0 at the top)."""
        W, H = self.width, self.height
        fx, fy, cx, cy = self.K[0, 0], self.K[1, 1], self.K[0, 2], self.K[1, 2]
        # maps OpenCV camera coordinates to clip space with y up = image row 0 after a flip
        P = np.array([
            [2 * fx / W, 0, 1 - 2 * cx / W, 0],
            [0, 2 * fy / H, 2 * cy / H - 1, 0],
            [0, 0, -(far + near) / (far - near), -2 * far * near / (far - near)],
            [0, 0, -1, 0],
        ])
        flip = np.diag([1.0, -1.0, -1.0, 1.0])  # OpenCV (y down, z forward) -> GL (y up, z back)
        M = np.eye(4)
        M[:3, :3], M[:3, 3] = self.R, self.t
        return P @ flip @ M

    def to_json(self) -> dict:
        return dict(K=self.K.tolist(), R=self.R.tolist(), t=self.t.tolist(),
                    width=self.width, height=self.height,
                    note="OpenCV pinhole: x_cam = R @ X_world + t; pixel = K @ x_cam / z")


def look_at(eye, target, up=(0.0, 0.0, 1.0)) -> tuple[np.ndarray, np.ndarray]:
    eye, target, up = (np.asarray(a, np.float64) for a in (eye, target, up))
    f = target - eye
    f /= np.linalg.norm(f)
    r = np.cross(f, up)
    r /= np.linalg.norm(r)
    u = np.cross(r, f)
    R = np.stack([r, -u, f])
    return R, -R @ eye


def place_camera(azimuth: float, height: float, distance: float, width: int, height_px: int, *,
                 focal: float | None = None, fov: float | None = None,
                 target=(0.0, 0.0, 0.8), roll: float = 0.0) -> Camera:
    """Camera at ``distance`` metres (horizontal) from the point above ``target``'s floor
    position, ``height`` metres above the floor, looking at ``target``.

    Focal length in pixels (``focal``) or a vertical field of view in degrees (``fov``); default
    fov 50 deg, like a phone's main camera held upright.
    """
    az = math.radians(azimuth)
    target = np.asarray(target, np.float64)
    eye = target + np.array([distance * math.sin(az), -distance * math.cos(az), 0.0])
    eye[2] = height
    if focal is None:
        fov = 50.0 if fov is None else fov
        focal = 0.5 * height_px / math.tan(math.radians(fov) / 2)
    K = np.array([[focal, 0.0, width / 2.0], [0.0, focal, height_px / 2.0], [0.0, 0.0, 1.0]])
    R, t = look_at(eye, target)
    if roll:
        c, s = math.cos(math.radians(roll)), math.sin(math.radians(roll))
        Rr = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])
        R, t = Rr @ R, Rr @ t
    return Camera(K=K, R=R, t=t, width=int(width), height=int(height_px))
