"""``kinetic bench accuracy [--suite FILE] [--size WxH] [--out FILE] ...``"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SUITE = ROOT / "bench" / "suites" / "accuracy.toml"


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kinetic" / "bench"


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
        return w, h
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 540x960, got {text!r}") from None


def main(argv: list[str] | None = None, prog: str = "kinetic bench") -> int:
    p = argparse.ArgumentParser(prog=prog, description="Measure the analyzer against exact truth on rendered scenarios.")
    sub = p.add_subparsers(dest="what", metavar="WHAT")
    a = sub.add_parser("accuracy", help="angle errors, fault precision/recall and rep counts on a suite")
    a.add_argument("--suite", type=Path, default=DEFAULT_SUITE, help="suite TOML (default: bench/suites/accuracy.toml)")
    a.add_argument("--size", type=_size, default=(540, 960), help="render size WxH (default: 540x960)")
    a.add_argument("--cache", type=Path, default=default_cache(), help="where renders and pose tracks are kept (default: %(default)s)")
    a.add_argument("--model", default="full", help="pose model (default: full)")
    a.add_argument("--out", type=Path, help="also write the Markdown table here (e.g. docs/accuracy.md)")
    a.add_argument("--only", nargs="*", help="only scenarios whose name contains one of these")
    a.add_argument("--rerender", action="store_true", help="render again even if cached")
    c = sub.add_parser("calibrate", help="fit the corrections of MediaPipe's systematic angle errors")
    c.add_argument("--suite", type=Path, default=ROOT / "bench" / "suites" / "calibration.toml",
                   help="suite TOML (default: bench/suites/calibration.toml)")
    c.add_argument("--size", type=_size, default=(540, 960), help="render size WxH (default: 540x960)")
    c.add_argument("--cache", type=Path, default=default_cache(), help="where renders and pose tracks are kept")
    c.add_argument("--model", default="full", help="pose model (default: full)")
    c.add_argument("--out", type=Path, help="write the corrections here (e.g. analyzer/profiles/calibration.toml)")
    args = p.parse_args(argv)
    if args.what not in ("accuracy", "calibrate"):
        p.print_help()
        return 2
    from ..models import ModelError, resolve_model
    from ..synth import SynthUnavailable
    from ..synth.scenario import ScenarioError

    try:
        model = resolve_model(args.model)
        log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
        if args.what == "calibrate":
            from .calibrate import run as calibrate

            calibrate(args.suite, args.cache, args.size, model, args.out, log=log)
        else:
            from .accuracy import run

            run(args.suite, args.cache, args.size, model, args.out, rerender=args.rerender, only=args.only, log=log)
    except (ModelError, ScenarioError, SynthUnavailable, FileNotFoundError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
