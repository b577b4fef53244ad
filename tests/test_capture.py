"""analyzer.capture on clips made here with PyAV (exact truth) and on the shared real footage."""
from __future__ import annotations

import contextlib
import os
import re
import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from analyzer.capture import Frame, VideoError, VideoInfo, iter_frames, probe

TB = Fraction(1, 90_000)
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "videos"


# --- clip factory -----------------------------------------------------------------------------


def upright_pattern(h: int, w: int, i: int = 0, noise: bool = False) -> np.ndarray:
    """(h, w, 3) uint8 grey image whose orientation is visible: white bar along the top, red bar
    along the left, a small moving square so frames differ; `noise` makes every frame cost
    about the same number of bytes (for cutting files in half)."""
    img = np.full((h, w, 3), 60, np.uint8)
    if noise:
        img += np.random.default_rng(i).integers(0, 40, img.shape, dtype=np.uint8)
    img[: h // 6] = 255
    img[:, : w // 6] = (220, 30, 30)
    y, x = h // 2, (w // 3 + 2 * i) % (w - 8)
    img[y : y + 6, x : x + 6] = 0
    return img


def write_clip(path, images, pts, *, durations=None, rotation=None, preset="ultrafast",
               faststart=False, rate=30, fmt=None):
    """Encode `images` (list of (H, W, 3) uint8) with pts in 1/90000 s ticks to H.264.

    durations (ticks, per frame) are stamped on the packets, as a camera's muxer would; rotation
    is a counter-clockwise display rotation in degrees stored as the stream's display matrix.
    """
    h, w = images[0].shape[:2]
    durations = durations or [b - a for a, b in zip(pts, pts[1:])] + [round(1 / rate / TB)]
    dur_by_pts = dict(zip(pts, durations))
    opts = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format=fmt, options=opts) as c:
        s = c.add_stream("libx264", rate=rate, options={"preset": preset, "crf": "20"})
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.codec_context.time_base = TB
        if rotation is not None:
            s.set_display_rotation(rotation)

        def mux(packets):
            for p in packets:
                p.duration = dur_by_pts[p.pts]
                c.mux(p)

        for img, p in zip(images, pts):
            f = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            f.pts, f.time_base = p, TB
            mux(s.encode(f))
        mux(s.encode())
    return path


def cfr_clip(path, n=30, h=48, w=64, noise=False, **kw):
    pts = [i * 3000 for i in range(n)]  # 30 fps
    return write_clip(path, [upright_pattern(h, w, i, noise) for i in range(n)], pts, **kw)


def vfr_pts(n=40, seed=0):
    """Irregular frame times (ticks): phone-like jitter plus a few long gaps."""
    rng = np.random.default_rng(seed)
    steps = rng.choice([1500, 2970, 3000, 3030, 6000, 9000], size=n - 1)
    return [0] + np.cumsum(steps).tolist()


def one_line_naming(err: VideoError, name: str) -> str:
    msg = str(err)
    assert "\n" not in msg
    assert msg.startswith(f"{name}: "), msg
    return msg


# --- good clips -------------------------------------------------------------------------------


def test_constant_rate_clip(tmp_path):
    clip = cfr_clip(tmp_path / "cfr.mp4", n=30)
    info = probe(clip)
    assert info == VideoInfo(path=str(clip), width=64, height=48, fps=30.0, frames=30,
                             duration_s=1.0, rotation=0, codec="h264")
    frames = list(iter_frames(clip))
    assert [f.index for f in frames] == list(range(30))
    np.testing.assert_allclose([f.t for f in frames], np.arange(30) / 30, atol=1e-9)
    for f in frames:
        assert isinstance(f, Frame)
        assert f.rgb.shape == (48, 64, 3) and f.rgb.dtype == np.uint8
        assert f.rgb.flags["C_CONTIGUOUS"]


@pytest.mark.parametrize("fmt,suffix", [("mp4", ".mp4"), ("matroska", ".mkv")])
def test_variable_frame_rate_gives_true_times(tmp_path, fmt, suffix):
    pts = vfr_pts(40)
    last_dur = 3000
    clip = write_clip(tmp_path / f"vfr{suffix}", [upright_pattern(48, 64, i) for i in range(40)],
                      pts, preset="veryfast", fmt=fmt)  # veryfast: B-frames reorder packets
    times = [f.t for f in iter_frames(clip)]
    expected = [float(p * TB) for p in pts]
    assert len(times) == 40
    np.testing.assert_allclose(times, expected, atol=1e-6 if fmt == "mp4" else 1e-3)
    assert np.all(np.diff(times) > 0)
    # the clip is really irregular: index / average fps would be off by over a frame somewhere
    naive = np.arange(40) * float((pts[-1] + last_dur) * TB) / 40
    assert np.abs(np.array(times) - naive).max() > 0.05

    info = probe(clip)
    assert info.frames == 40  # mkv declares no count: counted
    assert info.duration_s == pytest.approx(float((pts[-1] + last_dur) * TB), abs=1e-3)
    assert info.fps == pytest.approx(40 / info.duration_s)


def test_wide_frames_are_c_contiguous(tmp_path):
    # 1080 px * 3 bytes = 3240 bytes per row; swscale pads rows to 3264, so PyAV's own array is
    # a strided view. MediaPipe silently fails on such arrays.
    clip = cfr_clip(tmp_path / "wide.mp4", n=3, h=32, w=1080)
    with av.open(str(clip)) as c:
        raw = next(c.decode(video=0)).to_ndarray(format="rgb24")
    assert not raw.flags["C_CONTIGUOUS"], "precondition: PyAV pads rows here"
    for f in iter_frames(clip):
        assert f.rgb.flags["C_CONTIGUOUS"] and f.rgb.shape == (32, 1080, 3)
        np.testing.assert_array_equal(f.rgb, np.ascontiguousarray(f.rgb))


# --- orientation ------------------------------------------------------------------------------


def assert_upright(rgb: np.ndarray) -> None:
    """White bar at the top, red bar at the left, as drawn by upright_pattern."""
    h, w = rgb.shape[:2]
    top, bottom = rgb[: h // 10].mean(), rgb[-h // 10 :].mean()
    assert top > 200 and bottom < 120, (top, bottom)
    left = rgb[h // 3 : -h // 4, : w // 10].astype(int)
    right = rgb[h // 3 : -h // 4, -w // 10 :].astype(int)
    assert (left[..., 0] - left[..., 1]).mean() > 100, "red bar not on the left (mirrored?)"
    assert (right[..., 0] - right[..., 1]).mean() < 30


@pytest.mark.parametrize("rotation", [0, 90, 180, 270, -90])
@pytest.mark.parametrize("suffix", [".mp4", ".mov"])
def test_rotation_metadata_gives_upright_frames(tmp_path, rotation, suffix):
    # Upright is portrait 80x48 (like a phone held upright); the camera stores the pixels
    # turned clockwise by `rotation` and records that displaying needs `rotation` CCW.
    h, w, n = 80, 48, 5
    stored = [np.rot90(upright_pattern(h, w, i), k=-(rotation // 90)) for i in range(n)]
    clip = write_clip(tmp_path / f"rot{suffix}", stored, [i * 3000 for i in range(n)],
                      rotation=rotation)
    info = probe(clip)
    assert (info.width, info.height) == (w, h)
    assert info.rotation == rotation % 360
    frames = list(iter_frames(clip))
    assert len(frames) == n
    for f in frames:
        assert f.rgb.shape == (h, w, 3) and f.rgb.flags["C_CONTIGUOUS"]
        assert_upright(f.rgb)


def _find_box(data: bytes, path: list[bytes], start=0, end=None) -> int:
    """Offset of the payload of the first box along `path` (e.g. [b'moov', b'trak', b'tkhd'])."""
    end = len(data) if end is None else end
    off = start
    while off + 8 <= end:
        size, kind = struct.unpack(">I4s", data[off : off + 8])
        if kind == path[0]:
            if len(path) == 1:
                return off + 8
            return _find_box(data, path[1:], off + 8, off + size)
        off += size
    raise KeyError(path[0])


def test_iphone_portrait_track_matrix(tmp_path):
    """Independent of PyAV's writer: the matrix an iPhone writes for portrait video, put into the
    QuickTime track header by hand. (a, b, c, d) = (0, 1, -1, 0) maps a stored pixel (x, y) to
    (-y + tx, x): the stored top row becomes the right column, i.e. turn 90 degrees clockwise."""
    h, w, n = 80, 48, 4
    upright = [upright_pattern(h, w, i) for i in range(n)]
    stored = [np.rot90(u, k=1) for u in upright]  # sensor landscape: upright turned CCW
    clip = write_clip(tmp_path / "IMG_0001.MOV", stored, [i * 3000 for i in range(n)])
    data = bytearray(clip.read_bytes())
    tkhd = _find_box(data, [b"moov", b"trak", b"tkhd"])
    version = data[tkhd]
    matrix_at = tkhd + 4 + (32 if version == 1 else 20) + 16
    one, w_fixed = 1 << 16, 1 << 30
    data[matrix_at : matrix_at + 36] = struct.pack(
        ">9i", 0, one, 0, -one, 0, 0, stored[0].shape[0] * one, 0, w_fixed)
    clip.write_bytes(bytes(data))

    info = probe(clip)
    assert (info.width, info.height, info.rotation) == (w, h, 270)
    for f, u in zip(iter_frames(clip), upright):
        assert f.rgb.shape == (h, w, 3)
        assert_upright(f.rgb)
        assert np.abs(f.rgb.astype(int) - u).mean() < 4


# --- bad input --------------------------------------------------------------------------------


def _fail_both(path) -> list[str]:
    """probe and iter_frames both raise VideoError; their messages."""
    msgs = []
    with pytest.raises(VideoError) as e1:
        probe(path)
    msgs.append(str(e1.value))
    with pytest.raises(VideoError) as e2:
        for _ in iter_frames(path):
            pass
    msgs.append(str(e2.value))
    return msgs


def test_missing_file(tmp_path):
    for msg in _fail_both(tmp_path / "nope.mp4"):
        assert msg == "nope.mp4: file not found"


def test_directory(tmp_path):
    d = tmp_path / "videos.mp4"
    d.mkdir()
    for msg in _fail_both(d):
        assert msg == "videos.mp4: is a directory, not a video file"


def test_text_file_renamed_mp4(tmp_path):
    f = tmp_path / "notes.mp4"
    f.write_text("squat notes\nthree reps\n")
    for msg in _fail_both(f):
        assert msg.startswith("notes.mp4: not a video file") and "\n" not in msg


def test_empty_file(tmp_path):
    f = tmp_path / "empty.mp4"
    f.write_bytes(b"")
    for msg in _fail_both(f):
        assert msg == "empty.mp4: empty file (0 bytes)"


def test_audio_only_file(tmp_path):
    f = tmp_path / "clip.mp4"
    with av.open(str(f), "w") as c:
        s = c.add_stream("aac", rate=44100)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp",
                                           layout="mono")
        frame.sample_rate, frame.pts = 44100, 0
        for p in [*s.encode(frame), *s.encode()]:
            c.mux(p)
    for msg in _fail_both(f):
        assert msg == "clip.mp4: not a video file (no video stream)"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path):
    clip = cfr_clip(tmp_path / "locked.mp4", n=3)
    clip.chmod(0)
    try:
        for msg in _fail_both(clip):
            assert msg == "locked.mp4: cannot read file (permission denied)"
    finally:
        clip.chmod(0o644)


def _half(path: Path) -> Path:
    cut = path.with_name("cut_" + path.name)
    data = path.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    return cut


def test_truncated_index_at_end(tmp_path):
    # Without faststart the index (moov) follows the frames: half a file has no index at all.
    clip = cfr_clip(tmp_path / "clip.mp4", n=60, h=96, w=128, noise=True)
    for msg in _fail_both(_half(clip)):
        assert msg.startswith("cut_clip.mp4: truncated or corrupt") and "\n" not in msg


def test_truncated_faststart_reports_where(tmp_path):
    # With faststart the index comes first and promises 60 frames; half of them are missing.
    clip = cfr_clip(tmp_path / "clip.mp4", n=60, h=96, w=128, noise=True, faststart=True)
    cut = _half(clip)
    with pytest.raises(VideoError) as e:
        probe(cut)
    assert re.fullmatch(r"cut_clip\.mp4: truncated or corrupt after frame \d+ of 60", str(e.value))
    seen = 0
    with pytest.raises(VideoError) as e:
        for f in iter_frames(cut):
            seen += 1
    m = re.match(r"cut_clip\.mp4: truncated or corrupt after frame (\d+) of 60", str(e.value))
    assert m and "\n" not in str(e.value), str(e.value)
    assert int(m.group(1)) == seen and 10 < seen < 50


def test_truncated_at_a_frame_boundary(tmp_path):
    # A download cut exactly between two frames: no decode error, the frames just stop early.
    clip = cfr_clip(tmp_path / "clip.mp4", n=60, h=96, w=128, noise=True, faststart=True)
    with av.open(str(clip)) as c:
        ends = sorted(p.pos + p.size for p in c.demux(video=0) if p.size)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[: ends[29]])
    frames = []
    with pytest.raises(VideoError) as e:
        for f in iter_frames(cut):
            frames.append(f)
    assert str(e.value) == f"cut.mp4: truncated or corrupt after frame {len(frames)} of 60"
    assert 25 <= len(frames) <= 30
    with pytest.raises(VideoError, match=r"^cut\.mp4: truncated or corrupt after frame 30 of 60$"):
        probe(cut)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_container_closed_on_error_and_early_stop(tmp_path):
    clip = cfr_clip(tmp_path / "clip.mp4", n=60, h=96, w=128, noise=True, faststart=True)
    cut = _half(clip)
    before = _open_fds()
    for _ in range(3):
        with pytest.raises(VideoError):
            list(iter_frames(cut))
        with contextlib.closing(iter_frames(clip)) as frames:
            next(frames)
    assert _open_fds() == before


def test_error_message_is_one_line_even_if_ffmpeg_says_more():
    err = VideoError("/some/dir/clip.mp4", "bad\nthings   happened\n")
    assert str(err) == "clip.mp4: bad things happened"
    assert err.path == "/some/dir/clip.mp4"


# --- real footage -----------------------------------------------------------------------------


def real(name: str) -> Path:
    """Path of a shared test clip; skip (fail in CI) when the shared data is absent."""
    path = DATA / name
    if not path.is_file():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"shared test footage missing in CI: {path}")
        pytest.skip(f"shared test footage not on this machine: {path}")
    return path


def test_real_iphone_portrait_clip():
    path = real("fms_7026.mov")
    info = probe(path)
    assert (info.width, info.height) == (1080, 1920)
    assert info.frames == 80 and info.codec == "h264"
    assert info.fps == pytest.approx(30.11, abs=0.01)  # variable: 80 frames in 2.657 s
    assert info.duration_s == pytest.approx(2.6567, abs=1e-3)
    times = []
    for f in iter_frames(path):
        assert f.rgb.shape == (1920, 1080, 3) and f.rgb.flags["C_CONTIGUOUS"]
        times.append(f.t)
        if f.index == 40:
            h = f.rgb.shape[0]
            # upright: white wall above, dark carpet below
            assert f.rgb[: h // 4].mean() > f.rgb[-h // 4 :].mean() + 40
    assert len(times) == info.frames == 80
    assert times[0] == 0.0 and np.all(np.diff(times) > 0)
    assert times[-1] < info.duration_s


def test_real_landscape_phone_export():
    path = real("backsquat_side_gym.mp4")
    info = probe(path)
    assert (info.width, info.height, info.frames) == (608, 1080, 614)
    assert info.fps == pytest.approx(30000 / 1001)
    n = 0
    last_t = -1.0
    for f in iter_frames(path):
        assert f.t > last_t
        last_t = f.t
        n += 1
    assert n == 614
    assert last_t == pytest.approx(613 * 1001 / 30000)
