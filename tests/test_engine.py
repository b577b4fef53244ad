"""Batches: folders and list files as inputs, the results index, and the Ray engine giving the
same results as a local run, on a local 2-worker Ray cluster this test starts."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import IN_CI, ROOT
from analyzer.engine import InputError, expand_inputs

DEMO = ROOT / "analyzer" / "demo"


def test_expand_inputs_folders_lists_and_files(tmp_path):
    (tmp_path / "clips").mkdir()
    for n in ("b.mp4", "a.MOV", ".hidden.mp4", "notes.md"):
        (tmp_path / "clips" / n).write_bytes(b"x")
    (tmp_path / "list.txt").write_text("# my clips\nclips/b.mp4\n\n/abs/c.mp4\n")
    got = expand_inputs([str(tmp_path / "clips"), str(tmp_path / "list.txt"), "missing.mp4"])
    assert got == [str(tmp_path / "clips" / "a.MOV"), str(tmp_path / "clips" / "b.mp4"), "/abs/c.mp4", "missing.mp4"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no video"):
        expand_inputs([str(tmp_path / "empty")])
    (tmp_path / "blank.txt").write_text("# nothing\n")
    with pytest.raises(InputError, match="names no video"):
        expand_inputs([str(tmp_path / "blank.txt")])


def _kinetic(*args, cwd=None, timeout=900, env=None):
    return subprocess.run([sys.executable, "-m", "analyzer.cli", *args], cwd=cwd or ROOT, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env)


def _folder_of_clips(tmp_path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(DEMO / "demo_side.mp4", src / "side.mp4")
    shutil.copy(DEMO / "demo_front.mp4", src / "front.mp4")
    return src


@pytest.mark.slow
def test_a_folder_batch_with_a_bad_file_writes_the_index(tmp_path, model_path):
    src = _folder_of_clips(tmp_path)
    (src / "broken.mp4").write_bytes(b"not a video at all")
    proc = _kinetic("analyze", str(src), "-o", str(tmp_path / "out"), "--model", str(model_path), "-q", "--no-replay",
                    "--jobs", "2")
    assert proc.returncode == 1, proc.stderr  # one failed
    assert "2 of 3 videos analysed; failed: broken.mp4: not a video file" in proc.stderr
    index = json.loads((tmp_path / "out" / "index.json").read_text())
    by_name = {Path(e["video"]).name: e for e in index["videos"]}
    assert (index["ok"], index["failed"]) == (2, 1)
    assert by_name["broken.mp4"]["status"] == "failed" and "not a video" in by_name["broken.mp4"]["error"]
    assert by_name["side.mp4"]["view"] == "side" and by_name["front.mp4"]["view"] == "front"
    assert all(by_name[n]["reps"] == 2 and by_name[n]["exercise"] == "squat" for n in ("side.mp4", "front.mp4"))
    # A second batch with one of the clips replaces its entry and keeps the others.
    (tmp_path / "again").mkdir()
    shutil.copy(src / "front.mp4", tmp_path / "again" / "front.mp4")
    proc = _kinetic("analyze", str(src / "side.mp4"), str(tmp_path / "again" / "front.mp4"), "-o", str(tmp_path / "out"),
                    "--model", str(model_path), "-q", "--no-replay")
    assert proc.returncode == 0, proc.stderr
    again = json.loads((tmp_path / "out" / "index.json").read_text())
    by_video = {e["video"]: e for e in again["videos"]}
    # the new front.mp4 took the folder "front": the old one's entry went with its result
    assert sorted(Path(v).parent.name + "/" + Path(v).name for v in by_video) == ["again/front.mp4", "in/broken.mp4",
                                                                              "in/side.mp4"]
    assert (again["ok"], again["failed"]) == (2, 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory):
    """A local Ray head with 2 worker CPUs, started with Ray's own CLI and stopped after."""
    ray_cli = shutil.which("ray", path=str(Path(sys.executable).parent)) or shutil.which("ray")
    try:
        import ray  # noqa: F401
    except ImportError:
        if IN_CI:
            pytest.fail("ray is not installed (the kinetic[ray] extra)")
        pytest.skip("ray is not installed (pip install 'kinetic[ray]')")
    port = _free_port()
    tmp = tmp_path_factory.mktemp("ray")
    # A private test cluster: no usage reporting, and no token auth (a token left in ~/.ray by
    # another cluster would otherwise be offered to this one and refused).
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", RAY_AUTH_MODE="disabled")
    start = subprocess.run([ray_cli, "start", "--head", "--num-cpus", "2", "--port", str(port), "--include-dashboard",
                            "false", "--disable-usage-stats", "--temp-dir", str(tmp)],
                           capture_output=True, text=True, timeout=180, env=env)
    assert start.returncode == 0, start.stderr[-2000:]
    try:
        yield f"127.0.0.1:{port}", env
    finally:
        subprocess.run([ray_cli, "stop", "--force"], capture_output=True, timeout=120, env=env)


def _comparable(summary: dict) -> dict:
    """A summary without what differs between two runs of the same clip: timings, the paths."""
    s = dict(summary)
    s.pop("timings")
    s["source"] = {k: v for k, v in s["source"].items() if k != "path"}
    return s


@pytest.mark.slow
def test_ray_runner_equals_local_runs(tmp_path, model_path, ray_cluster):
    src = _folder_of_clips(tmp_path)
    local = _kinetic("analyze", str(src), "-o", str(tmp_path / "local"), "--model", str(model_path), "-q", "--no-replay")
    assert local.returncode == 0, local.stderr
    address, env = ray_cluster
    ray = _kinetic("analyze", str(src), "-o", str(tmp_path / "ray"), "--model", str(model_path), "-q", "--no-replay",
                   "--engine", "ray", "--address", address, "--jobs", "2", env=env)
    assert ray.returncode == 0, ray.stderr
    for clip in ("side", "front"):
        a = json.loads((tmp_path / "local" / clip / "summary.json").read_text())
        b = json.loads((tmp_path / "ray" / clip / "summary.json").read_text())
        assert _comparable(a) == _comparable(b)
        assert (tmp_path / "local" / clip / "frames.csv").read_bytes() == (tmp_path / "ray" / clip / "frames.csv").read_bytes()
        assert (tmp_path / "ray" / clip / "report.html").is_file()
    index = json.loads((tmp_path / "ray" / "index.json").read_text())
    assert [e["engine"] for e in index["videos"]] == ["ray", "ray"] and index["ok"] == 2


def test_address_without_ray_engine_is_a_usage_error(tmp_path):
    proc = _kinetic("analyze", str(DEMO / "demo_side.mp4"), "--address", "127.0.0.1:1", "-o", str(tmp_path))
    assert proc.returncode == 2 and "--address is for --engine ray" in proc.stderr
