"""The README's promise from a built wheel, not only a checkout: the wheel carries the demo clips,
profiles and templates, and ``kinetic demo`` run from the installed wheel analyses the clips;
the environment has exactly one OpenCV distribution (two builds writing one ``cv2`` package
break each other)."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from conftest import ROOT


def test_one_opencv_distribution():
    """Every installed distribution that ships a top-level ``cv2`` package: there must be one."""
    owners = sorted({d.metadata["Name"] for d in metadata.distributions()
                     if any(str(f).startswith("cv2/") for f in (d.files or []))})
    assert len(owners) == 1, f"several distributions install cv2: {owners}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # This environment's setuptools when it has one (offline, fast); else pip's isolated build.
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("setuptools") else []
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q",
                           "-w", str(out), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheels = list(out.glob("kinetic-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_carries_what_the_commands_read(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("analyzer/demo/demo_side.mp4", "analyzer/demo/demo_front.mp4", "analyzer/profiles/squat.toml",
                   "analyzer/profiles/calibration.toml", "analyzer/bench/space.toml"):
        assert needed in names, f"{needed} is not in {wheel.name}"
    assert any(n.startswith("analyzer/templates/") for n in names)
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


@pytest.mark.slow
def test_demo_runs_from_the_installed_wheel(wheel, tmp_path, model_path):
    """Install the wheel (no dependencies: those of this environment) into its own folder and run
    ``kinetic demo`` from an unrelated working directory, so nothing of the checkout is on the path."""
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    models = tmp_path / "models"
    models.mkdir()
    (models / model_path.name).symlink_to(model_path)
    work = tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site), KINETIC_MODEL_DIR=str(models))
    code = "import analyzer, sys; from analyzer.cli import main; print(analyzer.__file__, file=sys.stderr); sys.exit(main())"
    proc = subprocess.run([sys.executable, "-c", code, "demo", "-q", "-o", "out"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert str(site) in proc.stderr.splitlines()[0], "the demo did not run from the installed wheel"
    for clip, view in (("demo_side", "side"), ("demo_front", "front")):
        folder = work / "out" / clip
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["exercise"] == "squat" and len(summary["reps"]) == 2
        assert summary["view"]["label"] == view
        assert (folder / "report.html").stat().st_size > 10_000 and (folder / "replay.mp4").stat().st_size > 10_000
