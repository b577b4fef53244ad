"""Bench cases: render (or reuse) a scenario, run the pose model (or reuse its track), analyse.

Renders and pose tracks are cached under a folder keyed by the scenario's merged settings, the
render size and the model, so a second run of the bench only re-runs the (fast) analysis.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..exercises import ANALYZERS
from ..exercises.common import ExerciseAnalysis
from ..profile import load_profile
from ..track import PoseTrack
from ..view import ViewEstimate, estimate_view


@dataclass
class BenchCase:
    """One rendered scenario with its truth, MediaPipe's track and the analysis of it."""

    name: str
    exercise: str
    azimuth: float
    scenario: dict
    truth: dict  # analyzer.synth.load_truth(): arrays per frame
    track: PoseTrack
    view: ViewEstimate
    analysis: ExerciseAnalysis


def scenario_key(source: dict, size: tuple[int, int], model: Path) -> str:
    """12 hex digits identifying a render + pose run."""
    blob = json.dumps(dict(scenario=source, size=list(size), model=Path(model).name), sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def prepare(scenario, cache: Path, size: tuple[int, int], model: Path, *, rerender: bool = False,
            log=print) -> BenchCase:
    """Render/reuse, pose/reuse and analyse one synth scenario."""
    from ..synth import load_truth

    key = scenario_key(scenario.source, size, model)
    folder = cache / f"{scenario.name}-{key}"
    video = folder / f"{scenario.name}.mp4"
    truth_path = folder / f"{scenario.name}.truth.json"
    track_path = folder / "landmarks.npz"
    if rerender or not (video.exists() and truth_path.exists()):
        from ..synth import render_scenario

        log(f"  rendering {scenario.name} at {size[0]}x{size[1]}")
        render_scenario(scenario, folder, size=size)
        track_path.unlink(missing_ok=True)
    if not track_path.exists():
        from ..capture import probe
        from ..pipeline import run_pose

        log(f"  pose model on {scenario.name}")
        track, _ = run_pose(str(video), probe(video), model, progress=False)
        track.save(track_path)
    track = PoseTrack.load(track_path)
    truth = load_truth(truth_path)
    view = estimate_view(track)
    exercise = scenario.exercise
    analysis = ANALYZERS[exercise](track, view, load_profile(None, exercise))
    return BenchCase(name=scenario.name, exercise=exercise, azimuth=float(scenario.camera.azimuth),
                     scenario=scenario.source, truth=truth, track=track, view=view, analysis=analysis)
