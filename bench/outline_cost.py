"""What the lower back's outline costs: the person mask and the back contour, per frame, next to
the pose model's own time, and whole `kinetic analyze --no-replay` with and without it.

    python bench/outline_cost.py [VIDEO] [--runs N] [--model PATH]

VIDEO defaults to the real side clip ../shared/data/videos/deepsquat_side_bodyweight.mp4. One
run prints, measured side by side (A B A B, the machine's speed drifts):

* the pose model per frame without and with ``output_segmentation_masks`` (the mask is made by
  the same network; what it adds is its decoding to the frame's size and smoothing), in whole
  passes taken in turn;
* reading the back (mask to float, side-view check, contour, bend) per frame where it ran;
* ``kinetic analyze --no-replay`` against ``--no-outline``: wall seconds, and the ratio.

Target (issue "See the lower back"): analyze no more than 10 % slower with the outline.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT.parent / "shared" / "data" / "videos" / "deepsquat_side_bodyweight.mp4"


def per_frame(video: Path, model: Path, passes: int = 2) -> dict:
    """ms per frame: the pose model without and with the mask, in whole passes taken in turn
    (A B A B: taking the two models frame by frame in one process hides part of the mask's cost),
    and the back's reading on the frames where it ran."""
    from analyzer.back_contour import read_back
    from analyzer.capture import iter_frames
    from analyzer.pose import PoseEstimator

    frames = [(fr.rgb, fr.t) for fr in iter_frames(video)]
    plain, masked, back = [], [], []
    for _ in range(passes):
        for seg, into in ((False, plain), (True, masked)):
            with PoseEstimator(model, segmentation=seg) as pe:
                for rgb, t in frames:
                    t0 = time.perf_counter()
                    image, _, _ = pe.detect(rgb, t)
                    t1 = time.perf_counter()
                    into.append(t1 - t0)
                    if seg:
                        h, w = rgb.shape[:2]
                        r = read_back(image[:, :3], pe.last_mask, w, h)
                        if np.isfinite(r["back_bend"]):
                            back.append(time.perf_counter() - t1)
    ms = lambda x: 1e3 * statistics.median(x) if x else float("nan")  # noqa: E731
    return dict(frames=len(frames), pose_ms=ms(plain), pose_mask_ms=ms(masked), back_ms=ms(back),
                back_frames=len(back) // passes)


def whole(video: Path, model: Path, runs: int) -> dict:
    """Wall seconds of analyze --no-replay with the outline (A) and without (B), A B A B ..."""
    exe = [sys.executable, "-m", "analyzer.cli"]
    times = {"outline": [], "no_outline": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs + 1):  # the first pair warms the caches and is not counted
            for key, extra in (("outline", []), ("no_outline", ["--no-outline"])):
                out = Path(tmp) / f"{key}{i}"
                t0 = time.perf_counter()
                subprocess.run([*exe, "analyze", str(video), "-o", str(out), "--no-replay", "-q", "--model", str(model),
                                *extra], check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                               env=dict(os.environ, PYTHONPATH=str(ROOT)))
                if i:
                    times[key].append(time.perf_counter() - t0)
    a, b = times["outline"], times["no_outline"]
    ratios = [x / y for x, y in zip(a, b)]
    return dict(outline_s=statistics.median(a), no_outline_s=statistics.median(b), ratio=statistics.median(ratios),
                ratio_min=min(ratios), ratio_max=max(ratios))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--model", default="full")
    args = ap.parse_args(argv)
    if not args.video.exists():
        print(f"outline_cost: {args.video} not found", file=sys.stderr)
        return 2
    from analyzer.models import resolve_model

    model = resolve_model(args.model)
    print(f"{args.video.name}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    f = per_frame(args.video, model)
    print(f"per frame ({f['frames']} frames): pose {f['pose_ms']:.1f} ms without the mask, {f['pose_mask_ms']:.1f} ms "
          f"with it (+{f['pose_mask_ms'] - f['pose_ms']:.1f} ms); reading the back {f['back_ms']:.2f} ms on the "
          f"{f['back_frames']} side-view frames")
    w = whole(args.video, model, args.runs)
    ok = w["ratio"] <= 1.10
    print(f"analyze --no-replay: {w['outline_s']:.1f} s with the outline, {w['no_outline_s']:.1f} s without: "
          f"{w['ratio']:.3f}x (min {w['ratio_min']:.3f}, max {w['ratio_max']:.3f}; target <= 1.10 "
          f"{'met' if ok else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
