"""``kinetic live``: its arguments and the command (kept here so analyzer/cli.py stays small).

    kinetic live [--camera N | --source VIDEO] [--exercise auto|squat|heel_raise|...] [--view auto|front|side|rear]
                 [--record DIR | --no-record] [--no-window] [--mirror | --no-mirror]
                 [--duration S] [--loop] [--model full|lite|heavy|PATH] [--profile FILE]
                 [--no-replay] [--user NAME | --no-history] [-q]

Exit status: 0 after a session (whatever ended it), 2 with a one-line reason when it cannot
start (no camera, unreadable file, no display, bad model or profile), 130 on Ctrl-C before start.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = ("analyse a squat, heel raises or a foot exercise live from a camera (or a video played as one), "
        "with feedback as they happen")
DESCRIPTION = ("Live analysis (--exercise: auto, squat, heel_raise, footwork, foot_roll, toe_lift, foot_spine; toe_walk, the Frankenstein walk, when named): the camera picture with the skeleton, key angles, rep counter and view; "
               "each rep's faults the moment it ends. Keys: q quit, p pause, b re-baseline, e switch exercise. "
               "On quit (or when the camera stops) the session is saved like `kinetic analyze` output "
               "(summary.json, frames.csv, landmarks.npz, replay.mp4) plus the raw recording.mp4, and added to your "
               "history (--user NAME, --no-history; see `kinetic history`).")


def add_live_arguments(p: argparse.ArgumentParser) -> None:
    from ..exercises import ANALYZERS

    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, default=0, metavar="N", help="camera number (default: %(default)s)")
    src.add_argument("--source", metavar="VIDEO",
                     help="play a video file at its real frame rate as if it were the camera")
    p.add_argument("--exercise", default="squat", choices=("auto", *ANALYZERS),
                   help="what is being done; auto detects it as analyze does, once a few seconds are seen "
                        "(default: %(default)s)")
    p.add_argument("--view", default="auto", choices=("auto", "front", "side", "rear"),
                   help="camera view; auto detects it (default: %(default)s)")
    rec = p.add_mutually_exclusive_group()
    rec.add_argument("--record", default=Path("kinetic-live"), type=Path, metavar="DIR",
                     help="save the session in a dated folder DIR/live-YYYYmmdd-HHMMSS/ (default: %(default)s)")
    rec.add_argument("--no-record", action="store_true", help="do not save the session")
    p.add_argument("--no-window", action="store_true", help="headless: no window, events on stdout (servers, tests)")
    p.add_argument("--mirror", action=argparse.BooleanOptionalAction, default=None,
                   help="mirror the picture (default: on for a camera, off for --source)")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--loop", action="store_true", help="with --source: start over at the end")
    p.add_argument("--start", type=float, metavar="S", help="with --source: play from S seconds into the video")
    p.add_argument("--end", type=float, metavar="S", help="with --source: stop at S seconds into the video")
    p.add_argument("--model", default="full", help="pose model: full, lite, heavy or a .task path (default: %(default)s)")
    p.add_argument("--profile", metavar="FILE", help="TOML file overriding thresholds")
    p.add_argument("--no-replay", action="store_true", help="save without the annotated replay.mp4 (faster)")
    p.add_argument("-q", "--quiet", action="store_true", help="no event lines on stdout")
    from ..history_cli import add_user_arguments

    add_user_arguments(p)


def live_history(args, err):
    """The session's :class:`~analyzer.history_cli.HistoryRun` (its earlier sessions read), None
    when nothing is saved or added; False after a one-line error for a bad ``--user``."""
    from ..history import check_user
    from ..history_cli import HistoryRun

    try:
        user = check_user(args.user)
    except ValueError as exc:
        err(str(exc))
        return False
    if args.no_history or getattr(args, "no_record", False):
        return None
    run = HistoryRun(user, True, err)
    run.start()
    return run


def cmd_live(args, err=None) -> int:
    """Run ``kinetic live`` from parsed arguments; ``err(msg)`` prints a one-line error."""
    from .loop import LiveError, LiveOptions, run_live

    err = err or (lambda m: print(f"kinetic: {m}", file=sys.stderr, flush=True))
    if args.duration is not None and args.duration <= 0:
        err("--duration must be positive")
        return 2
    if (args.start is not None or args.end is not None) and not args.source:
        err("--start and --end are for --source (a video played as a camera)")
        return 2
    from ..capture import check_span

    try:
        check_span(args.start, args.end)
    except ValueError as exc:
        err(str(exc))
        return 2
    history = live_history(args, err)
    if history is False:
        return 2
    opts = LiveOptions(camera=args.camera, source=args.source, exercise=args.exercise, view=args.view,
                       model=args.model, profile=args.profile, record=None if args.no_record else args.record,
                       window=not args.no_window, mirror=args.mirror, duration_s=args.duration, loop=args.loop, start=args.start, end=args.end,
                       replay=not args.no_replay, quiet=args.quiet, history=history)
    try:
        run_live(opts)
    except LiveError as exc:  # camera, display, source or output: the run failed (2 is for usage errors)
        err(str(exc))
        return 1
    return 0
