"""``python -m analyzer.synth`` (mountable as ``kinetic synth``): render scenarios.

    python -m analyzer.synth list
    python -m analyzer.synth show NAME|FILE [--set KEY=VALUE ...]
    python -m analyzer.synth render NAME|FILE... -o OUTDIR [--frames N] [--size WxH]
                                   [--set KEY=VALUE ...] [--no-video] [--quiet]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from . import EXTRA_HINT, SynthUnavailable, require_extra


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must be WxH, e.g. 360x640, got {text!r}") from None
    if w < 16 or h < 16:
        raise argparse.ArgumentTypeError("size must be at least 16x16")
    return w, h


def build_parser(prog: str = "python -m analyzer.synth") -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog=prog, description="Render digital-human exercise videos with exact ground truth.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="list the built-in scenarios")
    sh = sub.add_parser("show", help="print a scenario's merged settings as JSON")
    sh.add_argument("scenario")
    sh.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    r = sub.add_parser("render", help="render scenarios (built-in names, TOML files or suite files)")
    r.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    r.add_argument("-o", "--out", required=True, help="output folder: <name>.mp4 and <name>.truth.json")
    r.add_argument("--frames", type=int, help="render only the first N frames")
    r.add_argument("--size", type=_size, help="override the size, WxH pixels")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a setting, e.g. camera.azimuth=45 or body.weight=0.8 (repeatable)")
    r.add_argument("--no-video", action="store_true", help="write only the truth file (no rendering)")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return ap


def _scenarios(items, overrides):
    from .scenario import is_suite, load_scenario, load_suite

    out = []
    for s in items:
        out += load_suite(s, overrides) if is_suite(s) else [load_scenario(s, overrides)]
    return out


def main(argv: list[str] | None = None, prog: str = "python -m analyzer.synth") -> int:
    args = build_parser(prog).parse_args(argv)
    from .scenario import ScenarioError

    try:
        if args.cmd == "list":
            from .builtin import BUILTIN

            for name, t in BUILTIN.items():
                print(f"{name:22s} {t['exercise']:11s} {t.get('description', '')}")
            return 0
        if args.cmd == "show":
            sc = _scenarios([args.scenario], args.overrides)[0]
            print(json.dumps(dict(sc.source, name=sc.name), indent=2))
            return 0
        scenarios = _scenarios(args.scenarios, args.overrides)
        require_extra()
        from .pipeline import render_scenario

        failed = 0
        for sc in scenarios:
            bar = None
            if not args.quiet:
                from tqdm import tqdm

                bar = tqdm(total=1, desc=sc.name, unit="frame", file=sys.stderr, leave=True, mininterval=0.5)

            def progress(done, total, bar=bar):
                if bar is not None:
                    if bar.total != total:
                        bar.total = total
                    bar.update(done - bar.n)

            t0 = time.perf_counter()
            try:
                res = render_scenario(sc, args.out, frames=args.frames, size=args.size,
                                      video=not args.no_video, progress=progress)
            except (ScenarioError, ValueError) as e:
                print(f"{sc.name}: {e}", file=sys.stderr)
                failed += 1
                continue
            finally:
                if bar is not None:
                    bar.close()
            tm = res.timings
            print(f"{sc.name}: {res.frames} frames in {time.perf_counter() - t0:.1f} s "
                  f"(pose {tm['pose_ms_per_frame']:.0f} ms, render {tm['render_ms_per_frame']:.0f} ms, "
                  f"encode {tm['encode_ms_per_frame']:.0f} ms per frame) -> "
                  f"{res.video or '(no video)'}, {res.truth}")
        return 1 if failed else 0
    except ScenarioError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except SynthUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 3
    except ImportError as e:
        print(f"error: the synth extra is not installed ({e.name or e}): {EXTRA_HINT}", file=sys.stderr)
        return 3
    except Exception as e:  # EGL and friends: one line, not a traceback
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        if "egl" in msg.lower() or "libEGL" in msg or "context" in msg.lower():
            msg += " (headless OpenGL needs the Debian packages libegl1 libgl1 libegl-mesa0 libgl1-mesa-dri)"
        print(f"error: {type(e).__name__}: {msg}", file=sys.stderr)
        if os.environ.get("KINETIC_DEBUG"):
            raise
        return 1


if __name__ == "__main__":
    sys.exit(main())
