"""Analysis speed next to the pose model's own speed, measured side by side in one run.

    python bench/speed.py [VIDEO...]        (default: the shared real clips)

For each clip: frames, the pose model alone (frames / time inside PoseLandmarker), the whole
`kinetic analyze` (decode + pose + analysis + replay), and without the replay. Ratios are taken
within one run because these machines are noisy.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.pipeline import AnalyzeOptions, analyze_video  # noqa: E402

DEFAULT = ["backsquat_side_gym.mp4", "widesquat_front_bodyweight.mp4", "fms_7026.mov"]


def main(argv: list[str]) -> int:
    videos = [Path(v) for v in argv] or [ROOT.parent / "shared" / "data" / "videos" / n for n in DEFAULT]
    model = ROOT.parent / "shared" / "models" / "pose_landmarker_full.task"
    model_arg = str(model) if model.exists() else "full"
    print(f"{'clip':34s} {'frames':>6s} {'size':>10s} {'pose fps':>9s} {'analyze fps':>12s} "
          f"{'no-replay fps':>14s} {'analysis ms':>12s}")
    with tempfile.TemporaryDirectory() as tmp:
        for v in videos:
            full = analyze_video(v, AnalyzeOptions(outdir=Path(tmp) / "a", model=model_arg, progress=False))
            t0 = time.perf_counter()
            analyze_video(v, AnalyzeOptions(outdir=Path(tmp) / "b", model=model_arg, progress=False, replay=False))
            wall = time.perf_counter() - t0
            s, t = full.summary, full.timings
            n = s["source"]["frames"]
            print(f"{v.name:34s} {n:6d} {s['source']['width']:>4d}x{s['source']['height']:<5d} "
                  f"{t['pose_fps']:9.1f} {t['pipeline_fps']:12.1f} {n / wall:14.1f} {1000 * t['analysis_s']:12.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
