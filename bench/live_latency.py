"""Live mode's speed: processed frames/s, capture-to-display latency and dropped frames, with the
raw MediaPipe speed measured side by side in the same run (these machines are shared and noisy).

    python bench/live_latency.py [--clip NAME ...] [--seconds S] [--window] [--parity]

For each clip it makes a 640x480, 30 fps copy in a temp folder (centre crop to 4:3, PyAV), then:
  1. raw pose: the full model on every frame as fast as it goes (decoded beforehand), ms/frame;
  2. live: `kinetic live --source COPY` headless with the screen drawn (as in window mode, without
     the window) and the session recorded: processed fps, latency median/p95, dropped frames;
  3. with --window, the same in a real OpenCV window on an Xvfb display (if Xvfb is installed).
Latency is capture -> displayed: from the moment the source delivers a frame (a camera's read()
returning) to the moment its annotated picture is handed to the window (imshow + waitKey) or,
headless, is drawn. A real camera adds its own exposure/USB delay before that, not measured here.
With --parity it also runs `analyze` and live on the original clips and compares reps and faults.
Targets (issue 5): >= 25 processed frames/s; latency median <= 60 ms, p95 <= 100 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402,F401  (before av: see analyzer/live/loop.py)
import numpy as np  # noqa: E402

VIDEOS = ROOT.parent / "shared" / "data" / "videos"
MODEL = ROOT.parent / "shared" / "models" / "pose_landmarker_full.task"
DEFAULT_CLIPS = ["deepsquat_side_bodyweight.mp4", "widesquat_front_bodyweight.mp4"]


def make_640x480(src: Path, dst: Path, fps: float = 30.0) -> Path:
    """A 640x480 copy of ``src`` (centre crop to 4:3, area scaling), re-timed to ``fps``."""
    import av

    from analyzer.capture import iter_frames
    from analyzer.replay import ReplayWriter

    with ReplayWriter(dst, 640, 480, fps, crf=18, preset="veryfast") as out:
        for k, f in enumerate(iter_frames(src)):
            h, w = f.rgb.shape[:2]
            if w / h > 4 / 3:
                cw = round(h * 4 / 3)
                img = f.rgb[:, (w - cw) // 2:(w - cw) // 2 + cw]
            else:
                ch = round(w * 3 / 4)
                img = f.rgb[(h - ch) // 2:(h - ch) // 2 + ch]
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            out.write(frame.reformat(width=640, height=480, interpolation="AREA").to_ndarray(format="rgb24"), k / fps)
    return dst


def raw_pose(path: Path, model: str) -> dict:
    """The pose model alone on every frame of ``path``."""
    from analyzer.capture import iter_frames
    from analyzer.pose import PoseEstimator

    frames = [f for f in iter_frames(path)]
    ms = []
    with PoseEstimator(model) as est:
        start = time.perf_counter()
        for f in frames:
            a = time.perf_counter()
            est.detect(f.rgb, f.t)
            ms.append(1000 * (time.perf_counter() - a))
        wall = time.perf_counter() - start
    return dict(fps=len(frames) / wall, median_ms=float(np.median(ms)), p95_ms=float(np.percentile(ms, 95)))


def live_run(path: Path, model: str, seconds: float | None, record: Path, window: bool = False) -> dict:
    """One live session on ``path`` in a fresh process; returns its stats."""
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from analyzer.live import LiveOptions, run_live\n"
        "if __name__ == '__main__':\n"
        f"    r = run_live(LiveOptions(source={str(path)!r}, model={model!r}, record=Path({str(record)!r}),\n"
        f"                 window={window}, render=True, quiet=True, duration_s={seconds!r}, replay=False))\n"
        "    print('@@' + json.dumps(dict(stats=r.stats, reps=len([x for x in r.reps if x['complete']]))))\n"
    )
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("@@")), None)
    if line is None:
        raise RuntimeError(f"live run failed: {proc.stderr.strip()[-400:]}")
    return json.loads(line[2:])


def xvfb() -> tuple[subprocess.Popen, str] | None:
    """Start Xvfb on a free display; (process, ':N') or None if Xvfb is not installed."""
    import shutil

    if not shutil.which("Xvfb"):
        return None
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        number = f.readline().strip()
    return proc, f":{number}"


def load_line() -> str:
    la = os.getloadavg()
    return f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} on {os.cpu_count()} cores"


def parity(clips: list[str], model: str, tmp: Path) -> None:
    """analyze vs live on the original clips: reps, per-rep faults, peak depth and bottom times."""
    from analyzer.live.judge import MATCH_S
    from analyzer.pipeline import AnalyzeOptions, analyze_video

    print("\nparity: analyze vs live (live rep verdicts = offline analysis of a window of the live track)")
    for name in clips:
        clip = VIDEOS / name if (VIDEOS / name).exists() else ROOT / "analyzer" / "demo" / name
        a = analyze_video(clip, AnalyzeOptions(outdir=tmp / "analyze", model=model, exercise="squat", replay=False,
                                               progress=False)).summary
        code = (
            "import json\nfrom pathlib import Path\nfrom analyzer.live import LiveOptions, run_live\n"
            "if __name__ == '__main__':\n"
            f"    r = run_live(LiveOptions(source={str(clip)!r}, model={model!r}, record=Path({str(tmp / 'live')!r}),"
            " window=False, quiet=True, replay=False))\n"
            "    print('@@' + json.dumps(dict(summary=r.summary, reps=r.reps)))\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
        res = json.loads(next(ln for ln in out.stdout.splitlines() if ln.startswith("@@"))[2:])
        live_reps = [r for r in res["reps"] if r["complete"]]
        s = res["summary"]
        print(f"  {name}: analyze {len(a['reps'])} reps, live counter {len(live_reps)}, "
              f"session re-analysis {len(s['reps'])}; processed {s['live']['stats']['processed_fps']:.1f} fps")
        for ar in a["reps"]:
            lr = min(live_reps, key=lambda r: abs(r["bottom_s"] - ar["bottom_s"]), default=None)
            if lr is None or abs(lr["bottom_s"] - ar["bottom_s"]) > 2 * MATCH_S:
                print(f"    rep at {ar['bottom_s']:.2f} s: MISSING live")
                continue
            key = lambda f: f"{f['code']}{'/' + f['side'] if f.get('side') else ''}{'*' if f['severity'] == 'mild' else ''}"  # noqa: E731
            lf = sorted(key(f) for f in (lr["judged"] or {}).get("faults", []))
            af = sorted(key(f) for f in a["faults"] if f["rep"] == ar["index"])
            print(f"    rep {ar['index']}: bottom {ar['bottom_s']:.2f} vs {lr['bottom_s']:.2f} s, "
                  f"depth {ar['metrics']['depth_3d_knee_flexion']:.1f} vs live {lr['peak_depth_deg']:.1f} deg, "
                  f"faults {'same' if lf == af else 'DIFFER'}: analyze {af} live {lf}")
    print("  (* = mild: within the error band of its threshold)")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", action="append", help="clip name in ../shared/data/videos (repeatable)")
    ap.add_argument("--seconds", type=float, default=None, help="stop each live run after S seconds")
    ap.add_argument("--window", action="store_true", help="also run in an OpenCV window under Xvfb")
    ap.add_argument("--parity", action="store_true", help="compare live with analyze on the original clips")
    ap.add_argument("--parity-only", action="store_true", help="only the comparison (no speed runs)")
    args = ap.parse_args(argv)
    clips = args.clip or DEFAULT_CLIPS
    model = str(MODEL) if MODEL.exists() else "full"
    print(f"start: {load_line()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        display = xvfb() if args.window else None
        if args.parity_only:
            clips_for_speed: list[str] = []
        else:
            clips_for_speed = clips
        try:
            print(f"{'clip (640x480@30)':32s} {'mode':8s} {'raw pose fps':>12s} {'raw ms med/p95':>15s} "
                  f"{'live fps':>9s} {'lat med':>8s} {'lat p95':>8s} {'dropped':>12s} {'reps':>5s}  load")
            for name in clips_for_speed:
                copy = make_640x480(VIDEOS / name, tmp / f"{Path(name).stem}_640x480.mp4")
                raw = raw_pose(copy, model)
                modes = [("headless", None)] + ([("window", display[1])] if display else [])
                for mode, disp in modes:
                    if disp:
                        os.environ["DISPLAY"] = disp
                    res = live_run(copy, model, args.seconds, tmp / "rec", window=disp is not None)
                    st = res["stats"]
                    print(f"{name[:32]:32s} {mode:8s} {raw['fps']:12.1f} {raw['median_ms']:7.1f}/{raw['p95_ms']:<7.1f} "
                          f"{st['processed_fps']:9.1f} {st['latency_ms']['median']:8.1f} {st['latency_ms']['p95']:8.1f} "
                          f"{st['dropped']:5d}/{st['captured']:<6d} {res['reps']:5d}  "
                          f"{st['loadavg_start'][0]:.2f}->{st['loadavg_end'][0]:.2f}")
                    parts = st.get("latency_parts_ms", {})
                    print("    latency parts, median/p95 ms: " + ", ".join(
                        f"{k.replace('_', ' ')} {v['median']:.0f}/{v['p95']:.0f}" for k, v in parts.items()))
        finally:
            if display:
                display[0].terminate()
        if args.parity or args.parity_only:
            parity(clips, model, tmp)
    print(f"end: {load_line()}")
    print("targets: live fps >= 25, latency median <= 60 ms, p95 <= 100 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
