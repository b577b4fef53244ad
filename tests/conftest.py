"""Shared fixtures: the shared test footage, the pose model, and analyses cached per session.

Footage lives in ``../shared/data`` beside the project and is never copied in. When it is absent
(a user's machine), tests that need it skip with the reason; under CI (``CI=true``) a missing
file is a failure instead.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
VIDEOS = DATA / "videos"
SYNTHETIC = DATA / "synthetic"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def squat_signal(n, fs=30.0, depth=100.0, period=2.0, rest=1.0, noise=0.0, seed=0):
    """A made-up depth signal of ``n`` cosine squats: (t, x), seconds and degrees, standing at
    10 deg with ``rest`` seconds before and after, plus Gaussian ``noise`` (deg)."""
    import numpy as np

    t = np.arange(0, rest + n * period + rest, 1 / fs)
    x = np.full_like(t, 10.0)
    for i in range(n):
        a = rest + i * period
        m = (t >= a) & (t < a + period)
        x[m] = 10 + depth * 0.5 * (1 - np.cos(2 * np.pi * (t[m] - a) / period))
    return t, x + np.random.default_rng(seed).normal(0, noise, len(t))


def need(path: Path) -> Path:
    """Return ``path`` if it exists; otherwise skip (fail under CI) with the reason."""
    if not path.exists():
        msg = f"test data missing: {path} (the shared folder ../shared is not beside the project)"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def need_synth() -> None:
    """Call at a module's top: skip the whole module (fail under CI) when the synth extra (the
    renderer) is not installed."""
    from analyzer import synth

    try:
        synth.require_extra()
    except synth.SynthUnavailable as exc:
        if IN_CI:
            raise
        pytest.skip(str(exc), allow_module_level=True)


@pytest.fixture(scope="session", autouse=True)
def _kinetic_home_for_the_run(tmp_path_factory):
    """kinetic's user data folder (the history) in a temporary folder for the whole run, set
    before any other session fixture runs: no test writes into the real home."""
    mp = pytest.MonkeyPatch()
    mp.setenv("KINETIC_HOME", str(tmp_path_factory.mktemp("kinetic_home")))
    yield
    mp.undo()


@pytest.fixture(autouse=True)
def _kinetic_home(_kinetic_home_for_the_run, tmp_path_factory, monkeypatch):
    """Each test its own empty user data folder (``$KINETIC_HOME``; subprocesses inherit it)."""
    monkeypatch.setenv("KINETIC_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def model_path(tmp_path_factory) -> Path:
    """A verified full model: the shared copy if present, else resolved the normal way."""
    shared = SHARED / "models" / "pose_landmarker_full.task"
    if shared.exists():
        return shared
    if IN_CI:
        pytest.fail(f"model missing: {shared}")
    from analyzer.models import ModelError, resolve_model

    try:
        return resolve_model("full", progress=False)
    except ModelError as exc:
        pytest.skip(f"no pose model available: {exc}")


class AnalysisCache:
    """Runs ``kinetic analyze`` once per (clip, replay) in a session and hands out the results."""

    def __init__(self, root: Path, model: Path) -> None:
        self.root = root
        self.model = model
        self._done: dict[tuple[str, bool], Path] = {}

    def run(self, video: Path, replay: bool = False) -> Path:
        from analyzer.pipeline import AnalyzeOptions, analyze_video

        key = (str(video), replay)
        if key not in self._done:
            outdir = self.root / ("with_replay" if replay else "no_replay")
            res = analyze_video(video, AnalyzeOptions(outdir=outdir, model=str(self.model), replay=replay,
                                                      progress=False))
            self._done[key] = res.outdir
        return self._done[key]

    def summary(self, video: Path, replay: bool = False) -> dict:
        import json

        return json.loads((self.run(video, replay) / "summary.json").read_text())


@pytest.fixture(scope="session")
def analyses(tmp_path_factory, model_path) -> AnalysisCache:
    root = tmp_path_factory.mktemp("analyses")
    yield AnalysisCache(root, model_path)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def foot_clips(tmp_path_factory, model_path):
    """exercise -> (video, truth path) of tests/test_footwork.py's render of it, rendered once per
    run on first use and shared by every module that needs it (``KINETIC_TEST_CACHE=DIR`` keeps
    them between runs). Skips (fails under CI) without the synth extra."""
    from analyzer import synth

    try:
        synth.require_extra()
    except synth.SynthUnavailable as exc:
        if IN_CI:
            raise
        pytest.skip(str(exc))
    from test_footwork import SCENARIOS, SIZE

    from analyzer.bench.runner import scenario_key
    from analyzer.synth import load_scenario, render_scenario

    cache = Path(os.environ.get("KINETIC_TEST_CACHE") or tmp_path_factory.mktemp("foot_renders"))

    def get(exercise: str) -> tuple[Path, Path]:
        scenario = load_scenario(SCENARIOS[exercise])
        folder = cache / f"{scenario.name}-{scenario_key(scenario.source, SIZE, model_path)}"
        video, truth = folder / f"{scenario.name}.mp4", folder / f"{scenario.name}.truth.json"
        if not (video.exists() and truth.exists()):
            render_scenario(scenario, folder, size=SIZE)
            (folder / "landmarks.npz").unlink(missing_ok=True)  # a track of an older render
        return video, truth

    return get


class Xvfb:
    """An Xvfb server (``binary``: its path) on a free display number; ``display`` is ':N'."""

    def __init__(self, binary: str, size=(1280, 1024)):
        import subprocess

        r, w = os.pipe()
        self.proc = subprocess.Popen([binary, "-displayfd", str(w), "-screen", "0",
                                      f"{size[0]}x{size[1]}x24", "-nolisten", "tcp"], pass_fds=(w,),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        with os.fdopen(r) as f:
            self.display = f":{f.readline().strip()}"

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)
