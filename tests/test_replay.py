"""analyzer.replay: H.264 MP4 that browsers play, with the source's frame count and timestamps."""
from __future__ import annotations

import os
import struct
from pathlib import Path

import av
import numpy as np
import pytest

from analyzer.capture import iter_frames, probe
from analyzer.replay import ReplayWriter

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "videos"


def vfr_times(n=50, seed=1) -> list[float]:
    """Irregular frame times in seconds starting at 0 (phone jitter plus gaps)."""
    rng = np.random.default_rng(seed)
    steps = rng.choice([1 / 30, 1 / 15, 0.021, 0.05, 0.0337], size=n - 1)
    return [0.0] + np.cumsum(steps).tolist()


def frame(h, w, i) -> np.ndarray:
    """(h, w, 3) uint8 with a moving bar, so frames differ."""
    img = np.full((h, w, 3), 90, np.uint8)
    x = (3 * i) % max(1, w - 4)
    img[:, x : x + 4] = 240
    return img


def read_back(path) -> tuple[list[float], dict]:
    """Decode with PyAV directly: each frame's time in s, and codec/pix_fmt/size/colorspace."""
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        meta = {"codec": s.codec_context.name, "pix_fmt": s.codec_context.pix_fmt,
                "size": (s.codec_context.width, s.codec_context.height),
                "colorspace": s.codec_context.colorspace}
        times = [float(f.pts * f.time_base) for f in c.decode(s)]
    return times, meta


def top_level_boxes(path) -> list[bytes]:
    data = Path(path).read_bytes()
    off, kinds = 0, []
    while off + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[off : off + 8])
        kinds.append(kind)
        off += size if size else len(data)
    return kinds


def test_vfr_timestamps_frame_count_and_format(tmp_path):
    out = tmp_path / "replay.mp4"
    times = vfr_times(50)
    with ReplayWriter(out, 64, 48, fps=30) as w:
        for i, t in enumerate(times):
            w.write(frame(48, 64, i), t)
    got, meta = read_back(out)
    assert meta["codec"] == "h264" and meta["pix_fmt"] == "yuv420p" and meta["size"] == (64, 48)
    assert len(got) == 50
    np.testing.assert_allclose(got, times, atol=1e-3)
    info = probe(out)
    assert info.frames == 50
    assert info.duration_s == pytest.approx(times[-1] + 1 / 30, abs=1e-3)  # last frame: 1/fps
    # browsers stream it: the index (moov) precedes the frames (mdat)
    kinds = top_level_boxes(out)
    assert kinds.index(b"moov") < kinds.index(b"mdat")


def test_explicit_last_duration_and_time_offset(tmp_path):
    out = tmp_path / "replay.mp4"
    times = [5.0 + t for t in vfr_times(20, seed=3)]  # e.g. a clip cut from the middle
    with ReplayWriter(out, 32, 32, fps=25) as w:
        for i, t in enumerate(times):
            w.write(frame(32, 32, i), t, duration=0.1 if i == len(times) - 1 else None)
    got, _ = read_back(out)
    np.testing.assert_allclose(got, np.array(times) - 5.0, atol=1e-3)  # starts at 0
    assert probe(out).duration_s == pytest.approx(times[-1] - 5.0 + 0.1, abs=1e-3)


@pytest.mark.parametrize("w,h", [(65, 47), (33, 64), (64, 35)])
def test_odd_sizes_are_padded(tmp_path, w, h):
    out = tmp_path / "odd.mp4"
    with ReplayWriter(out, w, h, fps=30) as wr:
        assert (wr.out_width, wr.out_height) == (w + w % 2, h + h % 2)
        for i in range(10):
            wr.write(frame(h, w, i), i / 30)
    frames = list(iter_frames(out))
    assert len(frames) == 10
    assert frames[0].rgb.shape == (h + h % 2, w + w % 2, 3)
    # content kept at its pixel coordinates
    src = frame(h, w, 5).astype(int)
    assert np.abs(frames[5].rgb[:h, :w].astype(int) - src).mean() < 6


def test_large_input_is_scaled_to_max_side(tmp_path):
    out = tmp_path / "big.mp4"
    with ReplayWriter(out, 1080, 1920, fps=30) as w:
        assert (w.out_width, w.out_height) == (720, 1280)
        for i in range(3):
            w.write(frame(1920, 1080, i), i / 30)
    info = probe(out)
    assert (info.width, info.height, info.frames) == (720, 1280, 3)

    out2 = tmp_path / "full.mp4"
    with ReplayWriter(out2, 1081, 1921, fps=30, max_side=None) as w:
        for i in range(2):
            w.write(frame(1921, 1081, i), i / 30)
    assert (probe(out2).width, probe(out2).height) == (1082, 1922)


def test_colours_round_trip(tmp_path):
    out = tmp_path / "colours.mp4"
    colours = [(255, 0, 0), (0, 200, 0), (20, 40, 230), (128, 128, 128), (250, 250, 250)]
    with ReplayWriter(out, 64, 64, fps=10, crf=12) as w:
        for i, c in enumerate(colours):
            w.write(np.full((64, 64, 3), c, np.uint8), i / 10)
    _, meta = read_back(out)
    assert meta["colorspace"] == 1  # tagged BT.709, the matrix it was converted with
    for f, c in zip(iter_frames(out), colours):
        centre = f.rgb[16:48, 16:48].reshape(-1, 3).mean(axis=0)
        np.testing.assert_allclose(centre, c, atol=5)


def test_exception_inside_with_leaves_nothing(tmp_path):
    out = tmp_path / "replay.mp4"
    with pytest.raises(RuntimeError, match="overlay failed"):
        with ReplayWriter(out, 64, 48, fps=30) as w:
            for i in range(10):
                w.write(frame(48, 64, i), i / 30)
            raise RuntimeError("overlay failed")
    assert os.listdir(tmp_path) == []


def test_failure_keeps_previous_file_and_success_replaces_it(tmp_path):
    out = tmp_path / "replay.mp4"
    out.write_bytes(b"previous run")
    with pytest.raises(KeyboardInterrupt):
        with ReplayWriter(out, 32, 32, fps=30) as w:
            w.write(frame(32, 32, 0), 0.0)
            raise KeyboardInterrupt
    assert out.read_bytes() == b"previous run"
    with ReplayWriter(out, 32, 32, fps=30) as w:
        for i in range(3):  # probe() calls a one-frame file a still picture
            w.write(frame(32, 32, i), i / 30)
    assert probe(out).frames == 3
    assert sorted(os.listdir(tmp_path)) == ["replay.mp4"]
    assert (out.stat().st_mode & 0o777) != 0o600  # normal permissions, not a private temp file


def test_bad_calls(tmp_path):
    out = tmp_path / "replay.mp4"
    with pytest.raises(ValueError, match="increase"):
        with ReplayWriter(out, 32, 32, fps=30) as w:
            w.write(frame(32, 32, 0), 0.5)
            w.write(frame(32, 32, 1), 0.5)
    with pytest.raises(ValueError, match=r"\(32, 32, 3\) uint8"):
        with ReplayWriter(out, 32, 32, fps=30) as w:
            w.write(np.zeros((32, 31, 3), np.uint8), 0.0)
    with pytest.raises(ValueError, match="no frames"):
        with ReplayWriter(out, 32, 32, fps=30):
            pass
    with pytest.raises(ValueError):
        ReplayWriter(out, 0, 32, fps=30)
    assert os.listdir(tmp_path) == []


def test_real_vfr_clip_round_trip(tmp_path):
    src = DATA / "fms_7026.mov"
    if not src.is_file():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"shared test footage missing in CI: {src}")
        pytest.skip(f"shared test footage not on this machine: {src}")
    info = probe(src)
    out = tmp_path / "replay.mp4"
    times = []
    with ReplayWriter(out, info.width, info.height, info.fps) as w:
        for f in iter_frames(src):
            w.write(f.rgb, f.t)
            times.append(f.t)
    got, meta = read_back(out)
    assert meta["codec"] == "h264" and meta["pix_fmt"] == "yuv420p"
    assert len(got) == info.frames == 80
    np.testing.assert_allclose(got, times, atol=1e-3)
    assert probe(out).duration_s == pytest.approx(info.duration_s, abs=1e-3)
