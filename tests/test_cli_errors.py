"""Bad input through the real ``kinetic`` command: one line on stderr, non-zero exit, no
traceback, no half-written output folder; in a batch the good files still complete."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from conftest import SYNTHETIC, need


def kinetic(*args, cwd=None, timeout=600):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, "-m", "analyzer.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout, env=env)


def assert_one_line_error(proc, *fragments):
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("kinetic:")]
    assert lines, err
    for frag in fragments:
        assert any(frag in ln for ln in lines), (frag, err)
    return lines


def make_clip(path: Path, frames: int = 30, size=(320, 240), fps: int = 30, faststart=True) -> Path:
    """A short H.264 clip of a moving gradient (no person in it)."""
    opts = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", options=opts) as c:
        s = c.add_stream("libx264", rate=fps)
        s.width, s.height = size
        s.pix_fmt = "yuv420p"
        yy, xx = np.mgrid[0:size[1], 0:size[0]]
        for i in range(frames):
            img = np.stack([(xx + 4 * i) % 256, (yy + 2 * i) % 256, np.full_like(xx, 128)], -1).astype(np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def leftovers(outdir: Path) -> list[str]:
    return sorted(p.name for p in outdir.iterdir()) if outdir.exists() else []


def test_missing_file(tmp_path, model_path):
    proc = kinetic("analyze", tmp_path / "nope.mp4", "-o", tmp_path / "out", "--model", model_path)
    assert_one_line_error(proc, "nope.mp4")
    assert leftovers(tmp_path / "out") == []


def test_not_a_video(tmp_path, model_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("this is not a video\n" * 50)
    proc = kinetic("analyze", bad, "-o", tmp_path / "out", "--model", model_path)
    assert_one_line_error(proc, "notes.mp4")
    assert leftovers(tmp_path / "out") == []


def test_empty_file(tmp_path, model_path):
    bad = tmp_path / "empty.mp4"
    bad.write_bytes(b"")
    proc = kinetic("analyze", bad, "-o", tmp_path / "out", "--model", model_path)
    assert_one_line_error(proc, "empty.mp4")


@pytest.mark.parametrize("faststart", [True, False])
def test_truncated_video(tmp_path, model_path, faststart):
    clip = make_clip(tmp_path / "whole.mp4", frames=90, faststart=faststart)
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    proc = kinetic("analyze", cut, "-o", tmp_path / "out", "--model", model_path)
    assert_one_line_error(proc, "cut.mp4")
    assert leftovers(tmp_path / "out") == []


def test_video_with_no_person(tmp_path, model_path):
    clip = make_clip(tmp_path / "gradient.mp4", frames=20)
    proc = kinetic("analyze", clip, "-o", tmp_path / "out", "--model", model_path)
    assert_one_line_error(proc, "no person")
    assert leftovers(tmp_path / "out") == []


def test_unwritable_output_folder(tmp_path, model_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    clip = make_clip(tmp_path / "gradient.mp4", frames=5)
    # A regular file where the output folder should go: even root cannot write there.
    proc = kinetic("analyze", clip, "-o", blocker / "out", "--model", model_path)
    assert_one_line_error(proc, "cannot write to output folder")


def test_bad_profile(tmp_path, model_path):
    prof = tmp_path / "p.toml"
    prof.write_text("[faults.knee_valgus]\nthreshold = 'ten'\n")
    clip = make_clip(tmp_path / "gradient.mp4", frames=5)
    proc = kinetic("analyze", clip, "-o", tmp_path / "out", "--profile", prof, "--model", model_path)
    assert_one_line_error(proc, "p.toml")


def test_missing_model_file(tmp_path):
    clip = make_clip(tmp_path / "gradient.mp4", frames=5)
    proc = kinetic("analyze", clip, "-o", tmp_path / "out", "--model", tmp_path / "missing.task")
    assert_one_line_error(proc, "missing.task")


@pytest.mark.slow
def test_batch_continues_past_bad_files(tmp_path, model_path):
    good = need(SYNTHETIC / "squat_side.mp4")
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00" * 1000)
    out = tmp_path / "out"
    proc = kinetic("analyze", bad, good, tmp_path / "missing.mov", "-o", out, "--model", model_path,
                   "--no-replay", "--jobs", "2")
    lines = assert_one_line_error(proc, "broken.mp4", "missing.mov")
    assert len(lines) == 2
    assert leftovers(out) == ["index.json", "squat_side"]  # the batch's index beside the one result
    summary = json.loads((out / "squat_side" / "summary.json").read_text())
    assert len(summary["reps"]) == 3
    assert "squat_side.mp4: squat, 3 reps" in proc.stdout
    assert sorted(p.name for p in (out / "squat_side").iterdir()) == [
        "angles.mot", "frames.csv", "frames.csv-metadata.json", "landmarks.npz", "markers.trc", "report.html",
        "summary.json"]
    index = json.loads((out / "index.json").read_text())
    assert (index["ok"], index["failed"]) == (1, 2)
    assert "1 of 3 videos analysed; failed: " in proc.stderr


def test_help_and_version():
    proc = kinetic("--help")
    assert proc.returncode == 0 and "analyze" in proc.stdout
    proc = kinetic("analyze", "--help")
    assert proc.returncode == 0 and "--jobs" in proc.stdout
    proc = kinetic("--version")
    assert proc.returncode == 0 and "kinetic" in proc.stdout
