"""MediaPipe PoseLandmarker (Tasks API, VIDEO mode) -> :class:`PoseTrack` arrays.

The only module that imports mediapipe. Frames go in as upright RGB uint8 arrays with their
true timestamps; landmarks come out as numpy arrays (see :mod:`analyzer.track`).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .quiet import quiet_native_stderr
from .skeleton import N_LANDMARKS
from .track import PoseTrack

# MediaPipe's C++ core logs to stderr through absl/glog; keep the terminal for our own messages.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


class PoseEstimator:
    """A PoseLandmarker in VIDEO mode for one stream of frames; use as a context manager.

    Args:
        model_path: a ``pose_landmarker_*.task`` bundle (see :mod:`analyzer.models`).
        min_detection_confidence, min_presence_confidence, min_tracking_confidence: MediaPipe's
            thresholds, 0..1.
        segmentation: also compute the person mask (needed for lumbar curvature).
        num_poses: how many people to find per frame (``detect_all``); ``detect`` gives the first.
    """

    def __init__(self, model_path: str | os.PathLike, *, min_detection_confidence: float = 0.5,
                 min_presence_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
                 segmentation: bool = False, num_poses: int = 1) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        from .offline import block_usage_logging

        block_usage_logging()  # MediaPipe's usage report goes nowhere (see analyzer.offline)

        self._vision = vision
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(Path(model_path))),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=int(num_poses),
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_presence_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_segmentation_masks=segmentation,
        )
        self._landmarker = None
        try:
            with quiet_native_stderr():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except Exception as exc:  # MediaPipe says RuntimeError/ValueError with a multi-line status
            from .models import ModelError

            first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
            raise ModelError(f"cannot load the pose model {Path(model_path).name}: {first[:200]}") from None
        self._last_ms = -1
        self._calls = 0
        self._multi = int(num_poses) > 1

    def __enter__(self) -> "PoseEstimator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def detect(self, rgb: np.ndarray, t: float, *, with_mask: bool = False
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Landmarks of one frame.

        Args:
            rgb: (H, W, 3) uint8 upright frame.
            t: its time in seconds; must increase from call to call.
            with_mask: also convert the person mask now (else :meth:`last_mask` gives it later).

        Returns:
            image (33, 5) float32 [x, y, z, visibility, presence] (x, y normalised to 0..1),
            world (33, 3) float32 metres, mask (H, W) float32 0..1 or None; all NaN if no person.
        """
        result = self._run(rgb, t)
        self._last = (result, rgb.shape[:2])
        img = np.full((N_LANDMARKS, 5), np.nan, np.float32)
        world = np.full((N_LANDMARKS, 3), np.nan, np.float32)
        if result.pose_landmarks:
            img[:] = [(p.x, p.y, p.z, p.visibility, p.presence) for p in result.pose_landmarks[0]]
            world[:] = [(p.x, p.y, p.z) for p in result.pose_world_landmarks[0]]
        return img, world, self.last_mask() if with_mask else None

    def last_mask(self) -> np.ndarray | None:
        """The person mask (H, W) float32 0..1 of the last :meth:`detect`, or None (no person,
        or made without ``segmentation``). Converted only when asked: a full-size float copy
        costs a few milliseconds, spent only on frames that need it."""
        result, shape = getattr(self, "_last", (None, None))
        if result is None or not result.pose_landmarks or not result.segmentation_masks:
            return None
        return result.segmentation_masks[0].numpy_view().astype(np.float32, copy=False).reshape(shape)

    def detect_all(self, rgb: np.ndarray, t: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every person found in one frame (up to ``num_poses``): [(image (33, 5), world (33, 3))]
        in MediaPipe's order (no identity from frame to frame: see :mod:`analyzer.people`)."""
        result = self._run(rgb, t)
        out = []
        for lms, wlms in zip(result.pose_landmarks or [], result.pose_world_landmarks or []):
            out.append((np.array([(p.x, p.y, p.z, p.visibility, p.presence) for p in lms], np.float32),
                        np.array([(p.x, p.y, p.z) for p in wlms], np.float32)))
        return out

    def _run(self, rgb: np.ndarray, t: float):
        import mediapipe as mp

        # Timestamps must strictly increase in VIDEO mode; duplicated pts happen in phone videos.
        ms = max(int(round(t * 1000.0)), self._last_ms + 1)
        self._last_ms = ms
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self._calls == 0 or self._multi:  # MediaPipe warns about ROIs now and then with several poses
            with quiet_native_stderr():
                result = self._landmarker.detect_for_video(image, ms)
        else:
            result = self._landmarker.detect_for_video(image, ms)
        self._calls += 1
        return result


class TrackBuilder:
    """Accumulates per-frame detections into a :class:`PoseTrack`."""

    def __init__(self) -> None:
        self._t: list[float] = []
        self._img: list[np.ndarray] = []
        self._world: list[np.ndarray] = []
        self.extras: dict[str, list[np.ndarray]] = {}

    def add(self, t: float, image: np.ndarray, world: np.ndarray) -> None:
        self._t.append(t)
        self._img.append(image)
        self._world.append(world)

    def fill(self, image: np.ndarray, world: np.ndarray) -> None:
        """Replace the landmarks of every frame added so far: image (T, 33, 5), world (T, 33, 3)
        (one person chosen from several after the whole video was seen)."""
        self._img, self._world = list(image), list(world)

    def __len__(self) -> int:
        return len(self._t)

    def build(self, width: int, height: int, fps: float, meta: dict | None = None) -> PoseTrack:
        img = np.asarray(self._img, np.float32).reshape(-1, N_LANDMARKS, 5)
        track = PoseTrack(
            t=np.asarray(self._t, np.float64), image=img[..., :3].copy(), visibility=img[..., 3].copy(),
            presence=img[..., 4].copy(), world=np.asarray(self._world, np.float32).reshape(-1, N_LANDMARKS, 3),
            width=width, height=height, fps=fps, meta=dict(meta or {}),
        )
        for name, rows in self.extras.items():
            track.extras[name] = np.asarray(rows)
        return track
