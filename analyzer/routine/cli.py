"""``kinetic routine``: its arguments and the command.

    kinetic routine [--camera N | --source VIDEO... | --source FOLDER] [--short] [--speak]
                    [-o OUTDIR] [--no-window] [--user NAME | --no-history] [--model M] [--profile FILE]
                    [--no-replay] [--mirror | --no-mirror] [-q]

Exit status: 0 after a routine (however far it went), 1 when it cannot run (no camera, no
display, bad model, profile or output folder), 2 for a wrong command line.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "the daily foot programme, live: the article's five exercises in order, counted and graded as you go"
DESCRIPTION = (
    "Coach the five foot exercises in order: (1) self-massage of feet and calves (timed, 60 s a foot, not graded), "
    "(2) supination/pronation, (3) toe extension and the Frankenstein walk (steps counted, the toes judged per step), "
    "(4) foot spine, (5) standing footwork forward and reverse. Each step shows a card (what to do, the camera it "
    "needs, whether the feet are large enough in the picture), its target and the count and grade as they happen "
    "(live mode's own counting and analysis). Keys: n or space next step, s skip, p pause, q quit (what was done "
    "is saved). At the end OUTDIR/routine-YYYYmmdd-HHMMSS/ holds summary.json, report.html and each graded step's "
    "session; the routine and each graded step are added to your history.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, default=0, metavar="N", help="camera number (default: %(default)s)")
    src.add_argument("--source", nargs="+", metavar="VIDEO",
                     help="play videos as the camera, one per step in order (a folder: its videos by name; "
                          "'-' or a missing file skips that step)")
    p.add_argument("--walk-source", metavar="VIDEO",
                   help="with --source: the video of the Frankenstein walk, played after step 3's toe lifts (without it "
                        "the walk is not played)")
    p.add_argument("--short", action="store_true",
                   help="a short programme: 15 s of massage a foot, 3 reps a graded step (4 footwork rounds), 4 walk steps")
    p.add_argument("--speak", action="store_true",
                   help="speak the count and cues (offline; needs pip install 'kinetic[speak]' and espeak-ng on Linux; "
                        "without them a one-line note and silence)")
    p.add_argument("-o", "--outdir", type=Path, default=Path("kinetic-routine"),
                   help="folder for the routine's folder (default: %(default)s)")
    p.add_argument("--no-window", action="store_true", help="headless: no window, progress on stdout")
    p.add_argument("--mirror", action=argparse.BooleanOptionalAction, default=None,
                   help="mirror the picture (default: on for a camera, off for --source)")
    p.add_argument("--model", default="full", help="pose model: full, lite, heavy or a .task path (default: %(default)s)")
    p.add_argument("--profile", metavar="FILE", help="TOML file overriding thresholds")
    p.add_argument("--no-replay", action="store_true", help="save the steps without their annotated replay.mp4 (faster)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stdout")
    from ..history_cli import add_user_arguments

    add_user_arguments(p)


def command(args, err=None) -> int:
    from ..engine.inputs import InputError, expand_inputs
    from ..history import check_user
    from .runner import RoutineError, RoutineOptions, run_routine

    err = err or (lambda m: print(f"kinetic: {m}", file=sys.stderr, flush=True))
    try:
        user = check_user(args.user)
    except ValueError as exc:
        err(str(exc))
        return 2
    sources = None
    if args.source is not None:
        try:
            sources = [s for item in args.source
                       for s in (expand_inputs([item]) if Path(item).is_dir() else [item])]
        except InputError as exc:
            err(str(exc))
            return 2
        from .steps import STEPS

        if len(sources) > len(STEPS):
            err(f"--source takes one video per step, at most {len(STEPS)} (got {len(sources)})")
            return 2
    if args.walk_source is not None and sources is None:
        err("--walk-source plays the walk's video with --source (the camera films the walk itself)")
        return 2
    opts = RoutineOptions(camera=args.camera, sources=sources, walk_source=args.walk_source, outdir=args.outdir,
                          short=args.short,
                          window=not args.no_window, speak=args.speak, model=args.model, profile=args.profile,
                          user=user, history=not args.no_history, replay=not args.no_replay, mirror=args.mirror,
                          quiet=args.quiet)
    try:
        run_routine(opts)
    except RoutineError as exc:
        err(str(exc))
        return 1
    return 0
