"""``kinetic bench``: the digital-human bench.

    kinetic bench generate --split dev|test|ci [--seed S --n N] [--out FILE]
    kinetic bench render   (--split NAME | --suite FILE) [--jobs N]
    kinetic bench accuracy (--split NAME | --suite FILE) [--jobs N] [--out FILE]
    kinetic bench calibrate (--split dev | --suite FILE) [--jobs N] [--out FILE]
    kinetic bench accuracy --split feet_test [--out docs/accuracy_feet.md]   (the foot exercises)
    kinetic bench accuracy --split walk_test [--out docs/accuracy_feet.md]   (the Frankenstein walk: its section)

Scenarios come from a randomised split (``analyzer/bench/space.toml`` holds the world it is
drawn from and each split's seed) or from a suite file. Renders and pose tracks are cached, so
only the first run of a split is slow (about 20 s of CPU per clip).
"""
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


def _source_args(p: argparse.ArgumentParser, default_split: str | None) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--split", default=default_split,
                     help="a randomised split of analyzer/bench/space.toml: dev, test, ci; lumbar_dev, lumbar_test; "
                          f"feet_dev, feet_test, feet_ci (the foot exercises); walk_dev, walk_test, walk_ci (the Frankenstein "
                          f"walk) (default: {default_split})")
    src.add_argument("--suite", type=Path, help="a suite TOML instead of a split (e.g. bench/suites/accuracy.toml)")
    p.add_argument("--size", type=_size, help="render size WxH (default: each scenario's own; 540x960 for a suite whose scenarios give none)")
    p.add_argument("--cache", type=Path, default=default_cache(), help="where renders and pose tracks are kept (default: %(default)s)")
    p.add_argument("--model", default="full", help="pose model (default: full)")
    p.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)), metavar="N",
                   help="render and pose N scenarios at once (default: %(default)s)")
    p.add_argument("--only", nargs="*", help="only scenarios whose name contains one of these")
    p.add_argument("--limit", type=int, help="only the first N scenarios")
    p.add_argument("--rerender", action="store_true", help="render again even if cached")
    p.add_argument("--cached", action="store_true", help="only the scenarios already rendered and posed (no rendering)")


def scenarios_of(args) -> tuple[list, str, tuple | None]:
    """(scenarios, a label for the tables, render size) for --split or --suite."""
    from ..synth import load_scenario, load_suite

    if args.suite is not None:
        scenarios = load_suite(args.suite)
        # A generated suite (``bench generate --out``) gives every scenario its own frame size.
        own = bool(scenarios) and all("size" in sc.source for sc in scenarios)
        label, size = f"suite {args.suite}", args.size or (None if own else (540, 960))
    else:
        from .generate import generate

        scenarios = [load_scenario(t) for t in generate(args.split)]
        label, size = f"split {args.split}", args.size
    if args.only:
        scenarios = [s for s in scenarios if any(o in s.name for o in args.only)]
    if args.limit:
        scenarios = scenarios[: args.limit]
    if getattr(args, "cached", False):
        from .runner import case_folder

        model = Path(args.model).name if Path(args.model).suffix == ".task" else f"pose_landmarker_{args.model}.task"
        scenarios = [s for s in scenarios if (case_folder(s, args.cache, size, Path(model)) / "landmarks.npz").exists()]
        label += f" (the {len(scenarios)} clips already rendered)"
    return scenarios, label, size


def _split_kind(split: str) -> str:
    from .generate import load_space

    return str(load_space()["splits"].get(split, {}).get("kind", "squat"))


def main(argv: list[str] | None = None, prog: str = "kinetic bench") -> int:
    p = argparse.ArgumentParser(prog=prog, description="Measure the analyzer against exact truth on rendered digital humans.")
    sub = p.add_subparsers(dest="what", metavar="WHAT")
    g = sub.add_parser("generate", help="draw random scenarios (a split) and write them as a suite TOML")
    g.add_argument("--split", default="dev", help="dev, test or ci: the split's seed and size (default: dev)")
    g.add_argument("--seed", type=int, help="another seed instead of the split's")
    g.add_argument("--n", type=int, help="how many scenarios (default: the split's)")
    g.add_argument("--out", type=Path, help="write the suite here (default: print it)")
    r = sub.add_parser("render", help="render and pose a split or suite into the cache (nothing else)")
    _source_args(r, "dev")
    a = sub.add_parser("accuracy", help="angle errors, fault precision/recall, reps, views and verdicts")
    _source_args(a, "test")
    a.add_argument("--out", type=Path, help="also write the Markdown table here (e.g. docs/accuracy.md)")
    shared = ROOT.parent / "shared" / "data"
    a.add_argument("--real", type=Path, default=shared if shared.is_dir() else None,
                   help="a folder of real clips (videos/, labels/) to add their verdicts to the table "
                        "(default: ../shared/data when it exists)")
    a.add_argument("--no-real", dest="real", action="store_const", const=None, help="no real clips")
    c = sub.add_parser("calibrate", help="fit the corrections of MediaPipe's systematic errors (dev split only; "
                                         "--split lumbar_dev fits the lower back's outline gain)")
    _source_args(c, "dev")
    c.add_argument("--out", type=Path, help="write the corrections here (e.g. analyzer/profiles/calibration.toml)")
    args = p.parse_args(argv)
    if args.what not in ("generate", "render", "accuracy", "calibrate"):
        p.print_help()
        return 2
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    if args.what == "generate":
        from .generate import generate, write_suite

        try:
            tables = generate(args.split, seed=args.seed, n=args.n)
        except ValueError as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            return 2
        header = (f"kinetic bench generate --split {args.split}"
                  + (f" --seed {args.seed}" if args.seed is not None else "") + (f" --n {args.n}" if args.n else "")
                  + f"\n{len(tables)} scenarios drawn from analyzer/bench/space.toml")
        if args.out:
            write_suite(tables, args.out, header)
            log(f"wrote {len(tables)} scenarios to {args.out}")
        else:
            import tomli_w

            sys.stdout.write(tomli_w.dumps({"scenario": tables}))
        return 0
    from ..models import ModelError, resolve_model
    from ..synth import SynthUnavailable
    from ..synth.scenario import ScenarioError

    if args.what == "calibrate" and args.suite is None and _split_kind(args.split) in ("feet", "walk"):
        print(f"{prog}: the foot bench has no calibration to fit; run `kinetic bench accuracy --split {args.split}`",
              file=sys.stderr)
        return 2
    if args.what == "calibrate" and args.suite is None and args.split not in ("dev", "lumbar_dev"):
        print(f"{prog}: calibrations are fitted on a dev split only (dev, or lumbar_dev for the lower back; "
              f"got --split {args.split})", file=sys.stderr)
        return 2
    try:
        model = resolve_model(args.model)
        scenarios, label, size = scenarios_of(args)
        if args.what == "render":
            from .runner import materialize_all

            materialize_all(scenarios, args.cache, size, model, jobs=args.jobs, rerender=args.rerender, log=log)
        elif args.what == "calibrate" and args.split == "lumbar_dev":
            from .lumbar import run_calibration

            run_calibration(scenarios, args.cache, size, model, jobs=args.jobs, log=log)
        elif args.what == "calibrate":
            from .calibrate import run as calibrate

            calibrate(scenarios, label, args.cache, size, model, args.out, jobs=args.jobs, log=log)
        elif args.suite is None and _split_kind(args.split) == "walk":
            from .walk_bench import run as run_walk

            run_walk(scenarios, label, args.cache, size, model, args.out, jobs=args.jobs, rerender=args.rerender, log=log)
        elif args.suite is None and _split_kind(args.split) == "feet":
            from .feet_bench import run as run_feet

            run_feet(scenarios, label, args.cache, size, model, args.out, jobs=args.jobs, rerender=args.rerender, log=log)
        else:
            from .accuracy import run

            run(scenarios, label, args.cache, size, model, args.out, jobs=args.jobs, rerender=args.rerender,
                real=args.real, log=log)
    except (ModelError, ScenarioError, SynthUnavailable, FileNotFoundError, ValueError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
