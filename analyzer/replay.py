"""Writing the annotated replay: browser-playable H.264 MP4 with the source's exact timestamps.

H.264 (libx264, yuv420p, BT.709 tagged) in an MP4 with the index at the front (``+faststart``)
plays and seeks in every browser while it streams. Each frame keeps the presentation time it had
in the source video, so a variable-frame-rate phone clip stays in sync with the analysis timeline
(``t`` from `analyzer.capture.iter_frames`), and the output has the same frame count and
duration as the input.

The file appears only when complete: frames go to a hidden temporary file in the target folder,
which replaces the target on a clean close and is deleted if anything fails.
"""
from __future__ import annotations

import os
import uuid
from collections import deque
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

__all__ = ["ReplayWriter", "output_size", "MAX_SIDE"]

# The replay's longer side, pixels: ample for a browser, and 720x1280 encodes ~1.6x faster than
# 1080x1920 on 2 cores (see ReplayWriter.max_side).
MAX_SIDE = 1280

# 90 kHz (the MPEG system clock) represents 24, 25, 30, 50, 60 fps, the NTSC x/1.001 rates and
# the iPhone's 1/600 s timescale exactly; anything else is within 6 microseconds.
_TIME_BASE = Fraction(1, 90_000)

# FFmpeg's AVColor* value 1 = ITU-R BT.709 for matrix, primaries, transfer; range 1 = limited.
_BT709 = 1
_RANGE_LIMITED = 1


class ReplayWriter:
    """Encode RGB frames to an H.264 MP4 at ``path``; a context manager.

    Example:
        with ReplayWriter("out/replay.mp4", info.width, info.height, info.fps) as out:
            for f in iter_frames(src):
                out.write(draw(f.rgb), f.t)

    Args:
        path: target ``.mp4`` file; its folder must exist. Replaced only on a clean close.
        width, height: size of the frames passed to `write`, in pixels.
        fps: nominal (average) frame rate, frames/s: guides the encoder's rate control and is the
            on-screen duration of the last frame unless `write` is told otherwise.
        crf: x264 constant rate factor (0-51, lower = better and bigger; 23 is x264's default).
        preset: x264 speed/size trade-off. Measured on a 2-core machine with a 1080x1920 phone
            clip (frames/s, Mbit/s): at full size ultrafast ~55 / 15.5, superfast ~45 / 6.4,
            veryfast ~37 / 4.1; scaled to 720x1280 superfast ~70 / 3.4, veryfast ~58 / 2.1.
        max_side: the output is scaled down (never up) so its longer side is at most this many
            pixels; None keeps the input size. The default 1280 (720x1280 for a portrait phone
            clip) is ample for a browser replay and encodes ~1.6x faster than 1080x1920, keeping
            the encoder (~17 ms/frame) below MediaPipe's full pose model (~21 ms/frame) here.

    The output size (`out_width`, `out_height`) is even, as H.264 4:2:0 requires: a scaled
    output is rounded to even; an unscaled odd size is padded by one replicated row/column, so
    every drawn pixel keeps its coordinates.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        width: int,
        height: int,
        fps: float,
        *,
        crf: int = 23,
        preset: str = "veryfast",
        max_side: int | None = MAX_SIDE,
    ):
        if width <= 0 or height <= 0:
            raise ValueError(f"frame size must be positive, got {width}x{height}")
        if not fps or fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.path = os.fspath(path)
        self.width, self.height = int(width), int(height)
        self.out_width, self.out_height, self._scaled = output_size(
            self.width, self.height, max_side)
        self.fps = float(fps)
        self.frames_written = 0

        target = Path(self.path)
        # Hidden, unique, same folder (so os.replace is an atomic rename on one file system).
        self._tmp = str(target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp"))
        self._t0: float | None = None  # seconds: the first frame's t (output starts at 0)
        self._last_pts: int | None = None  # ticks of the newest frame; its duration is pending
        self._durations: dict[int, int] = {}  # pts -> on-screen duration, both in ticks
        self._pending: deque[av.Packet] = deque()  # encoded packets waiting for their duration
        self._closed = False
        self._container = None
        try:
            self._container = av.open(self._tmp, mode="w", format="mp4",
                                      options={"movflags": "+faststart"})
            self._stream = self._add_stream(crf, preset)
        except BaseException:
            self.abort()
            raise

    # --- public -----------------------------------------------------------------------------

    def write(self, rgb: np.ndarray, t: float, *, duration: float | None = None) -> None:
        """Append one frame.

        Args:
            rgb: (height, width, 3) uint8 RGB, any strides.
            t: the frame's presentation time in seconds (the source frame's `t`); must increase
                from frame to frame. The output's timeline starts at the first frame's t.
            duration: seconds on screen; default: until the next frame's t (for the last frame,
                1/fps).
        """
        self._check_open()
        rgb = self._check_frame(rgb)
        if self._t0 is None:
            self._t0 = float(t)
        pts = round((float(t) - self._t0) / _TIME_BASE)
        if self._last_pts is not None:
            if pts <= self._last_pts:
                raise ValueError(f"frame times must increase: t={t!r} s after "
                                 f"{float(self._last_pts * _TIME_BASE) + self._t0!r} s")
            self._durations.setdefault(self._last_pts, pts - self._last_pts)
        if duration is not None:
            self._durations[pts] = max(1, round(duration / _TIME_BASE))
        self._last_pts = pts
        self._encode(self._to_video_frame(rgb, pts))
        self.frames_written += 1

    def close(self) -> None:
        """Finish the file and move it to `path`. With no frames written nothing is saved and
        ValueError is raised. Calling it again does nothing."""
        if self._closed:
            return
        if self.frames_written == 0:
            self.abort()
            raise ValueError(f"{Path(self.path).name}: no frames written, replay not saved")
        try:
            self._durations.setdefault(self._last_pts, max(1, round(1 / self.fps / _TIME_BASE)))
            self._encode(None)  # flush the encoder's look-ahead
            self._container.close()
            self._closed = True
            os.replace(self._tmp, self.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Stop without saving: close the encoder and delete the temporary file."""
        self._closed = True
        try:
            if self._container is not None:
                self._container.close()
        except Exception:  # a half-initialised muxer may refuse to write its trailer
            pass
        try:
            os.remove(self._tmp)
        except FileNotFoundError:
            pass

    def __enter__(self) -> "ReplayWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    # --- internals --------------------------------------------------------------------------

    def _add_stream(self, crf: int, preset: str) -> av.video.stream.VideoStream:
        """The libx264 stream: yuv420p, even size, 90 kHz clock, BT.709 tags."""
        rate = Fraction(self.fps).limit_denominator(1001 * 1000)  # 29.97... -> 30000/1001
        # No B-frames: with frame reordering the MP4's decode-order sample table cannot end the
        # track exactly at the last frame's end when frame intervals vary (FFmpeg then reads
        # a duration short by the reorder delay). Costs ~1.5x bitrate at equal crf; saves time.
        stream = self._container.add_stream(
            "libx264", rate=rate,
            options={"crf": str(int(crf)), "preset": preset, "x264-params": "bframes=0"})
        stream.width, stream.height = self.out_width, self.out_height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = _TIME_BASE
        # Tag the colour encoding so every player decodes it the way it was encoded.
        cc = stream.codec_context
        cc.colorspace = cc.color_primaries = cc.color_trc = _BT709
        cc.color_range = _RANGE_LIMITED
        stream.thread_type = "AUTO"
        return stream

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("ReplayWriter is closed")

    def _check_frame(self, rgb: np.ndarray) -> np.ndarray:
        """Validate (height, width, 3) uint8; pad an unscaled odd size by edge replication."""
        rgb = np.asarray(rgb)
        if rgb.dtype != np.uint8 or rgb.shape != (self.height, self.width, 3):
            raise ValueError(f"expected a ({self.height}, {self.width}, 3) uint8 RGB frame, "
                             f"got {rgb.shape} {rgb.dtype}")
        if not self._scaled:
            pad_h, pad_w = self.out_height - self.height, self.out_width - self.width
            if pad_h or pad_w:
                rgb = np.pad(rgb, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
        return np.ascontiguousarray(rgb)

    def _to_video_frame(self, rgb: np.ndarray, pts: int) -> av.VideoFrame:
        """(H, W, 3) RGB -> output-size yuv420p BT.709 limited-range frame at `pts` ticks.

        Converted here, not left to the encoder, to use the matrix the stream is tagged with;
        scaling happens in the same swscale pass (AREA: proper averaging when shrinking, at
        bilinear's speed).
        """
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame = frame.reformat(width=self.out_width, height=self.out_height, format="yuv420p",
                               dst_colorspace="ITU709", dst_color_range="MPEG",
                               interpolation="AREA")
        frame.pts = pts
        frame.time_base = _TIME_BASE
        return frame

    def _encode(self, frame: av.VideoFrame | None) -> None:
        """Encode (None = flush) and mux every packet whose frame duration is known.

        The MP4 muxer ends the track at the last packet's pts + duration, so each packet is
        stamped with its frame's on-screen time; a packet waits here until that is known (only
        the newest frame's is not, until the next `write` or `close`). Order is preserved.
        """
        self._pending.extend(self._stream.encode(frame))
        while self._pending and self._pending[0].pts in self._durations:
            packet = self._pending.popleft()
            packet.duration = self._durations.pop(packet.pts)
            self._container.mux(packet)


def output_size(width: int, height: int, max_side: int | None = MAX_SIDE) -> tuple[int, int, bool]:
    """(out_width, out_height, scaled): even size with the longer side <= max_side pixels."""
    longer = max(width, height)
    if max_side and longer > max_side:
        scale = max_side / longer
        even = lambda n: max(2, 2 * round(n * scale / 2))  # noqa: E731
        return even(width), even(height), True
    return width + width % 2, height + height % 2, False
