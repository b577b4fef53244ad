"""Peak memory of ``kinetic analyze`` against the video's length: a 10-second clip and a
5-minute one (the demo clip looped), with and without the replay.

    python bench/memory.py [--minutes 5] [--no-replay-only] [--model PATH]

Each run is a fresh ``kinetic analyze`` process started by a small wrapper; its peak RSS is
the kernel's (``wait4`` rusage, the maximum resident set of that process). Target (issue 13): the long clip's peak
within 15 % of the short one's. Prints one line per run and the ratio.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "analyzer" / "demo" / "demo_side.mp4"
MODEL = ROOT.parent / "shared" / "models" / "pose_landmarker_full.task"


def looped(src: Path, dst: Path, seconds: float) -> Path:
    """``src`` repeated (decoded once, re-encoded) until it lasts ``seconds``; same size and rate."""
    import av

    with av.open(str(src)) as c:
        s_in = c.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(s_in)]
        fps = round(float(s_in.average_rate))
    n = int(seconds * fps)
    with av.open(str(dst), "w") as out:
        s = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast", "crf": "23"})
        s.height, s.width = frames[0].shape[:2]
        s.pix_fmt = "yuv420p"
        for i in range(n):
            # forward then backward, so the loop has no jump for the rep counter to trip on
            k = i % (2 * len(frames) - 2)
            img = frames[k if k < len(frames) else 2 * len(frames) - 2 - k]
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    return dst


# Linux keeps a process's peak RSS across fork and exec: a child of a big process (this one holds
# the decoded clip) would report the parent's peak as its own. So each run is started by a small,
# fresh interpreter, which reports its child's peak (wait4 rusage) on stdout.
_WRAPPER = """
import os, subprocess, sys, time
start = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = p.stderr.read()
_, status, usage = os.wait4(p.pid, 0)
sys.stderr.buffer.write(err[-500:])
print(usage.ru_maxrss, time.monotonic() - start, os.waitstatus_to_exitcode(status))
"""


def peak_rss_mb(args: list[str], env: dict | None = None) -> tuple[float, float, int]:
    """(peak RSS MB, seconds, exit status) of one ``kinetic`` run, measured from a fresh process."""
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, sys.executable, "-m", "analyzer.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, env=dict(os.environ if env is None else env))
    kb, secs, code = proc.stdout.split()
    if int(code) != 0:
        print(proc.stderr[-500:], file=sys.stderr)
    return int(kb) / 1024, float(secs), int(code)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--no-replay-only", action="store_true", help="skip the runs with the replay")
    ap.add_argument("--model", type=Path, default=MODEL)
    ap.add_argument("--glibc-default", action="store_true",
                    help="also run the long clip with glibc's default arena count (MALLOC_ARENA_MAX=8 x cores), "
                         "i.e. without kinetic's cap")
    args = ap.parse_args(argv)
    modes = [("no replay", ["--no-replay"])] + ([] if args.no_replay_only else [("replay", [])])
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="kinetic-memory-") as tmp:
        tmp = Path(tmp)
        short = looped(SAMPLE, tmp / "short_10s.mp4", 10.0)
        long = looped(SAMPLE, tmp / f"long_{args.minutes:g}min.mp4", 60.0 * args.minutes)
        for label, extra in modes:
            peaks = []
            for clip in (short, long):
                mb, secs, code = peak_rss_mb(["analyze", str(clip), "-o", str(tmp / "out"), "--model", str(args.model),
                                              "-q", *extra])
                peaks.append(mb)
                print(f"{label:9s} {clip.name:16s} peak RSS {mb:7.0f} MB  ({secs:5.0f} s, exit {code})", flush=True)
            if args.glibc_default:
                env = dict(os.environ, MALLOC_ARENA_MAX=str(8 * (os.cpu_count() or 1)))
                mb, secs, code = peak_rss_mb(["analyze", str(long), "-o", str(tmp / "out"), "--model", str(args.model),
                                              "-q", *extra], env=env)
                print(f"{label:9s} {long.name:16s} peak RSS {mb:7.0f} MB  ({secs:5.0f} s, exit {code}) "
                      f"with glibc's default arenas", flush=True)
            ratio = peaks[1] / peaks[0]
            worst = max(worst, ratio)
            print(f"{label:9s} long / short = {ratio:.2f} (target <= 1.15)", flush=True)
    return 0 if worst <= 1.15 else 1


if __name__ == "__main__":
    sys.exit(main())
