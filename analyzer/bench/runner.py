"""Bench cases: render (or reuse) a scenario, run the pose model (or reuse its track), analyse.

Renders and pose tracks are cached under a folder keyed by the scenario's merged settings, the
render size and the model, so a second run of the bench only re-runs the (fast) analysis. The
slow part (:func:`materialize`: render + pose) runs in worker processes with ``jobs`` > 1; the
analysis always runs in the calling process, exactly as ``kinetic analyze`` would run it
(:func:`analyzer.assess.assess`: quality, view, exercise detection, analysis, verdict).
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from ..track import PoseTrack


@dataclass
class BenchCase:
    """One rendered scenario with its truth, MediaPipe's track and the analysis of it.

    exercise: what was rendered (``lunge`` is not an exercise kinetic analyses: the right answer
    is "unknown"). assessment: what ``kinetic analyze --exercise auto`` concluded (its
    ``exercise`` may differ from the rendered one). ``view`` / ``analysis`` are its parts.
    """

    name: str
    exercise: str
    azimuth: float
    scenario: dict
    truth: dict  # analyzer.synth.load_truth(): arrays per frame
    track: PoseTrack
    assessment: object  # analyzer.assess.Assessment

    @property
    def view(self):
        return self.assessment.view

    @property
    def analysis(self):
        return self.assessment.analysis

    @property
    def verdict(self):
        return self.assessment.verdict


def scenario_key(source: dict, size: tuple[int, int] | None, model: Path) -> str:
    """12 hex digits identifying a render + pose run."""
    blob = json.dumps(dict(scenario=source, size=list(size) if size else None, model=Path(model).name),
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def case_folder(scenario, cache: Path, size, model: Path) -> Path:
    return cache / f"{scenario.name}-{scenario_key(scenario.source, size, model)}"


def materialize(scenario, cache: Path, size, model: Path, *, rerender: bool = False, log=print) -> Path:
    """Render and pose ``scenario`` unless cached; returns its folder (video, truth, landmarks)."""
    folder = case_folder(scenario, cache, size, model)
    video = folder / f"{scenario.name}.mp4"
    truth_path = folder / f"{scenario.name}.truth.json"
    track_path = folder / "landmarks.npz"
    if rerender or not (video.exists() and truth_path.exists()):
        from ..synth import render_scenario

        log(f"  rendering {scenario.name}")
        render_scenario(scenario, folder, size=size)
        track_path.unlink(missing_ok=True)
    if not track_path.exists():
        from ..capture import probe
        from ..pipeline import run_pose

        log(f"  pose model on {scenario.name}")
        track, _ = run_pose(str(video), probe(video), model, progress=False)
        track.save(track_path)
    return folder


def _materialize_job(table: dict, cache: str, size, model: str, rerender: bool) -> str:
    """Worker entry: rebuild the scenario from its table (pickles cheaply) and materialize it."""
    from ..synth import load_scenario

    sc = load_scenario(table)
    return str(materialize(sc, Path(cache), size, Path(model), rerender=rerender, log=lambda m: None))


def materialize_all(scenarios: list, cache: Path, size, model: Path, *, jobs: int = 1, rerender: bool = False,
                    log=print) -> list[Path]:
    """Folders of every scenario, rendering and posing what is not cached, ``jobs`` at a time,
    with a progress bar. A scenario that fails to render is reported and skipped (None)."""
    from ..progress import progress_bar

    todo = [sc for sc in scenarios if rerender or not (case_folder(sc, cache, size, model) / "landmarks.npz").exists()]
    if todo:
        log(f"rendering and posing {len(todo)} of {len(scenarios)} scenarios ({jobs} at a time; "
            f"the rest are cached in {cache})")
    done: dict[str, Path | None] = {}
    if jobs <= 1 or len(todo) <= 1:
        with progress_bar(total=len(todo), desc="bench", enabled=bool(todo)) as bar:
            for sc in todo:
                done[sc.name] = materialize(sc, cache, size, model, rerender=rerender, log=lambda m: None)
                bar.update(1)
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as pool, \
                progress_bar(total=len(todo), desc="bench") as bar:
            futs = {pool.submit(_materialize_job, dict(sc.source, name=sc.name), str(cache), size, str(model),
                                rerender): sc.name for sc in todo}
            for k, f in enumerate(as_completed(futs), 1):
                try:
                    done[futs[f]] = Path(f.result())
                    if not sys.stderr.isatty():
                        log(f"  [{k}/{len(todo)}] {futs[f]}")
                except Exception as exc:  # noqa: BLE001 - one bad scenario does not stop the bench
                    log(f"  {futs[f]}: failed ({exc.__class__.__name__}: {exc})")
                    done[futs[f]] = None
                bar.update(1)
    return [done.get(sc.name, case_folder(sc, cache, size, model)) for sc in scenarios]


def load_case(scenario, folder: Path) -> BenchCase:
    """Analyse a materialized scenario the way ``kinetic analyze --exercise auto`` would."""
    from ..assess import assess
    from ..synth import load_truth

    track = PoseTrack.load(folder / "landmarks.npz")
    truth = load_truth(folder / f"{scenario.name}.truth.json")
    return BenchCase(name=scenario.name, exercise=scenario.exercise, azimuth=float(scenario.camera.azimuth),
                     scenario=scenario.source, truth=truth, track=track, assessment=assess(track))


def prepare(scenario, cache: Path, size, model: Path, *, rerender: bool = False, log=print) -> BenchCase:
    """Render/reuse, pose/reuse and analyse one synth scenario."""
    return load_case(scenario, materialize(scenario, cache, size, model, rerender=rerender, log=log))
