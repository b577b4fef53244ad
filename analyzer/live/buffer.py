"""The session's pose track, grown one frame at a time, with cheap time windows (pure numpy)."""
from __future__ import annotations

import numpy as np

from ..skeleton import N_LANDMARKS
from ..track import PoseTrack


class TrackBuffer:
    """Raw MediaPipe detections of every kept frame, as a growing :class:`PoseTrack`.

    Args:
        width, height: the pixel size the normalised landmarks refer to (the recording's size).
        fps: nominal rate stored in the track (timing always uses ``t``).
    """

    def __init__(self, width: int, height: int, fps: float, capacity: int = 1024) -> None:
        self.width, self.height, self.fps = int(width), int(height), float(fps)
        self._n = 0
        self._t = np.empty(capacity, np.float64)
        self._img = np.empty((capacity, N_LANDMARKS, 5), np.float32)
        self._world = np.empty((capacity, N_LANDMARKS, 3), np.float32)

    def __len__(self) -> int:
        return self._n

    @property
    def t(self) -> np.ndarray:
        return self._t[:self._n]

    def append(self, t: float, image: np.ndarray, world: np.ndarray) -> None:
        """Add a frame: ``t`` seconds, ``image`` (33, 5) [x, y, z, visibility, presence],
        ``world`` (33, 3) metres (NaN rows if no person)."""
        if self._n == len(self._t):
            grow = lambda a: np.concatenate([a, np.empty_like(a)])  # noqa: E731
            self._t, self._img, self._world = grow(self._t), grow(self._img), grow(self._world)
        self._t[self._n] = t
        self._img[self._n] = image
        self._world[self._n] = world
        self._n += 1

    def track(self, start: int = 0, stop: int | None = None, meta: dict | None = None) -> PoseTrack:
        """Frames ``start:stop`` as a new PoseTrack (copies)."""
        s = slice(start, self._n if stop is None else min(stop, self._n))
        img = self._img[s]
        return PoseTrack(t=self._t[s].copy(), image=img[..., :3].copy(), visibility=img[..., 3].copy(),
                         presence=img[..., 4].copy(), world=self._world[s].copy(), width=self.width,
                         height=self.height, fps=self.fps, meta=dict(meta or {}))

    def window(self, t0: float, t1: float) -> PoseTrack:
        """The frames with ``t0 <= t <= t1`` seconds."""
        a = int(np.searchsorted(self.t, t0, side="left"))
        b = int(np.searchsorted(self.t, t1, side="right"))
        return self.track(a, b)

    def rate(self, last_s: float = 2.0) -> float:
        """Frames/s over the last ``last_s`` seconds (the nominal fps if too few frames)."""
        t = self.t
        if len(t) < 3:
            return self.fps
        a = int(np.searchsorted(t, t[-1] - last_s))
        span = t[-1] - t[a]
        return (len(t) - 1 - a) / span if span > 0 else self.fps
