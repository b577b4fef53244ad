"""Frame sources for live mode: a camera, or a video file played at its real rate as if it were one.

Each source runs its own capture thread and hands frames over through a :class:`LatestFrame`
slot that holds only the newest frame: when the consumer (the pose model) is busy, the frame
waiting in the slot is replaced and counted as dropped, never queued. Every frame carries its
capture time, ``time.perf_counter()`` seconds at the moment the source delivered it.

A source that stops delivering (end of file, a decode error, a camera unplugged) ends: ``ended``
becomes True with a one-line ``end_reason``, and the consumer finishes the session normally.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass

import numpy as np

from ..capture import VideoError, iter_frames, probe


class SourceError(Exception):
    """A source that cannot be opened; ``str()`` is one line."""


@dataclass(frozen=True)
class CapturedFrame:
    """One captured frame. index: 0-based count of frames the source delivered (dropped ones
    included); t: capture time, ``time.perf_counter()`` seconds; rgb: (H, W, 3) uint8 upright,
    never written to after capture (consumers copy before drawing)."""

    index: int
    t: float
    rgb: np.ndarray


class LatestFrame:
    """A one-frame mailbox: ``put`` replaces an unread frame (counted in ``dropped``), ``take``
    returns the newest unread frame."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: CapturedFrame | None = None
        self._closed = False
        self.delivered = 0  # frames put
        self.dropped = 0  # frames replaced before anyone took them

    def put(self, frame: CapturedFrame) -> None:
        with self._cond:
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self.delivered += 1
            self._cond.notify_all()

    def take(self, timeout: float | None = None) -> CapturedFrame | None:
        """The newest frame not yet taken; waits up to ``timeout`` seconds. None if none came (or
        the slot was closed and is empty)."""
        with self._cond:
            if self._frame is None and not self._closed:
                self._cond.wait(timeout)
            frame, self._frame = self._frame, None
            return frame

    def discard(self) -> int:
        """Throw away a waiting frame (while paused); returns 1 if there was one."""
        with self._cond:
            had, self._frame = self._frame is not None, None
            return int(had)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class FrameSource:
    """Base class: a capture thread that calls :meth:`_capture` and publishes into ``slot``.

    Subclasses implement ``_open()`` (raise SourceError), ``_frames()`` (a generator of RGB
    frames, each yielded at its capture moment; raising or returning ends the source) and set
    ``width``, ``height``, ``fps`` and ``name``. Use as a context manager or call start()/stop().
    """

    name = "source"
    width = height = 0
    fps = 30.0

    def __init__(self) -> None:
        self.slot = LatestFrame()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ended = threading.Event()
        self.end_reason = ""
        self.started_at: float | None = None

    # --- subclass interface ---------------------------------------------------------------

    def _open(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def _frames(self):  # pragma: no cover - interface
        raise NotImplementedError

    def _close(self) -> None:
        pass

    # --- public ---------------------------------------------------------------------------

    def open(self) -> "FrameSource":
        """Open the device/file (SourceError if impossible); does not start capturing."""
        self._open()
        return self

    def start(self) -> None:
        self.started_at = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name=f"capture:{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop capturing (idempotent), wait for the thread, release the device."""
        self._stop.set()
        if self._thread is None:  # opened but never started: release here
            self._close()
        elif self._thread is not threading.current_thread():
            self._thread.join(timeout=5.0)
        self.slot.close()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def delivered(self) -> int:
        return self.slot.delivered

    @property
    def dropped(self) -> int:
        return self.slot.dropped

    def __enter__(self) -> "FrameSource":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        reason = "the source ended"
        try:
            index = 0
            for rgb in self._frames():
                if self._stop.is_set():
                    reason = "stopped"
                    break
                self.slot.put(CapturedFrame(index, time.perf_counter(), rgb))
                index += 1
            else:
                reason = self._end_text()
        except Exception as exc:  # a camera unplugged, a file cut short: end the session cleanly
            reason = " ".join(str(exc).split()) or exc.__class__.__name__
        finally:
            self.end_reason = reason
            self._close()
            self.ended.set()
            self.slot.close()

    def _end_text(self) -> str:
        return "the source ended"


class VideoFileSource(FrameSource):
    """A video file played at its real frame rate as if it were a camera.

    Frame k is delivered at ``start + t_k / speed`` (its presentation time), so when the consumer
    falls behind, frames are dropped exactly as with a live camera. A decode error mid-file ends
    the source like an unplugged camera.

    Args:
        path: the video. speed: playback speed (1 = real time). loop: start over at the end.
        trim: (start, end) seconds of the video to play (either None: its start or end).
    """

    def __init__(self, path: str | os.PathLike, *, speed: float = 1.0, loop: bool = False,
                 trim: tuple[float | None, float | None] = (None, None)) -> None:
        super().__init__()
        self.path = os.fspath(path)
        self.name = os.path.basename(self.path) or self.path
        self.speed = float(speed)
        self.loop = loop
        self.trim = trim  # (start, end) seconds of the video to play; None: its start or end

    def _open(self) -> None:
        try:
            info = probe(self.path)
        except VideoError as exc:
            raise SourceError(str(exc)) from None
        if self.trim != (None, None):
            from ..capture import trimmed

            try:
                trimmed(info, *self.trim)
            except ValueError as exc:
                raise SourceError(f"{self.name}: {exc}") from None
        self.width, self.height, self.fps = info.width, info.height, info.fps

    def _frames(self):
        t0 = time.perf_counter()
        offset = 0.0
        while True:
            last = 0.0
            for frame in iter_frames(self.path, trim=self.trim):
                due = t0 + (offset + frame.t) / self.speed
                wait = due - time.perf_counter()
                if wait > 0 and self._stop.wait(wait):
                    return
                last = frame.t
                yield frame.rgb
            if not self.loop or self._stop.is_set():
                return
            offset += last + 1.0 / (self.fps or 30.0)

    def _end_text(self) -> str:
        return f"end of {self.name}"


class CameraSource(FrameSource):
    """A webcam through OpenCV (V4L2 on Linux, AVFoundation on macOS, MSMF on Windows).

    Args:
        index: camera number (0 = the default camera). width, height, fps: requested capture
            format; the camera may choose another (the actual one is in ``width``/``height``).
        lost_after_s: no frame for this long ends the source ("camera stopped sending frames").
    """

    def __init__(self, index: int = 0, *, width: int = 640, height: int = 480, fps: float = 30.0,
                 lost_after_s: float = 2.0) -> None:
        super().__init__()
        self.index = int(index)
        self.name = f"camera {self.index}"
        self._want = (int(width), int(height), float(fps))
        self.lost_after_s = lost_after_s
        self._cap = None

    def _open(self) -> None:
        import cv2

        if sys.platform.startswith("linux") and not os.path.exists(f"/dev/video{self.index}"):
            raise SourceError(f"camera {self.index} not found (no /dev/video{self.index}; "
                              f"connect a camera or use --source VIDEO)")
        try:
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
        except AttributeError:
            pass
        cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"camera {self.index} cannot be opened (missing, busy or no permission)")
        w, h, fps = self._want
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, w)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, h)
        cap.set(cv2.CAP_PROP_FPS, fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # newest frames, not a backlog in the driver
        ok, bgr = cap.read()
        if not ok or bgr is None:
            cap.release()
            raise SourceError(f"camera {self.index} opened but sends no frames")
        self.height, self.width = bgr.shape[:2]
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or fps) or fps
        self._cap = cap

    def _frames(self):
        import cv2

        last_ok = time.perf_counter()
        while not self._stop.is_set():
            ok, bgr = self._cap.read()
            now = time.perf_counter()
            if not ok or bgr is None:
                if now - last_ok > self.lost_after_s:
                    raise SourceError(f"camera {self.index} stopped sending frames")
                self._stop.wait(0.01)
                continue
            last_ok = now
            yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def _close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
