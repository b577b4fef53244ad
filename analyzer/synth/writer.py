"""The rendered video: H.264 MP4 through the project's `analyzer.replay.ReplayWriter` (PyAV,
libx264, yuv420p, +faststart), with a minimal PyAV fallback if that module is unavailable."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np


def open_video(path: str | Path, width: int, height: int, fps: float, crf: int = 20):
    """A writer with ``write(rgb, t)``, ``close()`` and ``abort()``."""
    try:
        from ..replay import ReplayWriter
    except ImportError:
        return _PyAVWriter(path, width, height, fps, crf)
    return ReplayWriter(path, width, height, fps, crf=crf)


class _PyAVWriter:
    def __init__(self, path, width, height, fps, crf):
        import av

        self.path = Path(path)
        self._c = av.open(str(self.path), "w", options={"movflags": "+faststart"})
        rate = Fraction(fps).limit_denominator(1001)
        self._s = self._c.add_stream("libx264", rate=rate)
        self._s.width, self._s.height = width + width % 2, height + height % 2
        self._s.pix_fmt = "yuv420p"
        self._s.options = {"crf": str(crf), "preset": "veryfast"}
        self._s.time_base = Fraction(1, 90000)
        self._tb = 90000

    def write(self, rgb: np.ndarray, t: float) -> None:
        import av

        h, w = rgb.shape[:2]
        if (w, h) != (self._s.width, self._s.height):
            rgb = np.pad(rgb, ((0, self._s.height - h), (0, self._s.width - w), (0, 0)), mode="edge")
        fr = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        fr.pts = int(round(t * self._tb))
        fr.time_base = self._s.time_base
        for p in self._s.encode(fr):
            self._c.mux(p)

    def close(self) -> None:
        for p in self._s.encode(None):
            self._c.mux(p)
        self._c.close()

    def abort(self) -> None:
        try:
            self._c.close()
        finally:
            self.path.unlink(missing_ok=True)
