"""``kinetic profile show|path``: the thresholds in effect, where each comes from, and where the
packaged profiles live (to copy one as the start of your own ``--profile`` file)."""
from __future__ import annotations

import textwrap
from importlib import resources
from pathlib import Path

from .profile import ProfileError, load_profile, packaged_exercises


def packaged_path(exercise: str) -> Path:
    """The packaged profile file of ``exercise``."""
    return Path(str(resources.files("analyzer.profiles").joinpath(f"{exercise}.toml")))


def show(exercise: str, user: str | None, *, wide: bool = False) -> str:
    """The effective rules of ``exercise`` (with the user's file ``user`` applied): per rule the
    threshold and direction, the unit, the error band, the severe level, whether it is judged,
    and where the threshold comes from; then each rule's own note on the number. ProfileError
    for a bad file."""
    prof = load_profile(user, exercise)
    theirs = {}
    if user is not None:
        from .profile import check_profile_file

        theirs = check_profile_file(user, exercise).get("faults", {})
    lines = [f"{exercise} profile: {prof.origin}"
             + ("" if user is None else f" over the default {exercise} profile ({packaged_path(exercise)})"), ""]
    head = f"{'rule':24s} {'limit':>16s} {'error band':>11s} {'severe':>9s}  {'judged':12s}  from"
    lines += [head, "-" * len(head)]
    for code, r in sorted(prof.rules.items()):
        sign = ">" if r.direction == "above" else "<"
        unit = "" if r.unit in ("", "ratio") else f" {r.unit}"
        judged = "no" if r.options.get("judged") is False else "yes"
        changed = sorted(k for k in theirs.get(code, {}) if k != "source")
        origin = f"{Path(user).name}: {', '.join(changed)}" if changed else "default"
        severe = "" if r.severe is None else f"{r.severe:g}"
        lines.append(f"{code:24s} {sign + ' ' + format(r.threshold, 'g') + unit:>16s} {'±' + format(r.error_band, 'g'):>11s} "
                     f"{severe:>9s}  {judged:12s}  {origin}")
    lines.append("")
    lines.append("Why each number (the profile's own notes):")
    for code, r in sorted(prof.rules.items()):
        if r.source:
            body = r.source if wide else textwrap.shorten(r.source, 300, placeholder=" …")
            lines += textwrap.wrap(f"{code}: {body}", 100, initial_indent="  ", subsequent_indent="    ")
    lines.append("")
    lines.append(f"To change one: copy {packaged_path(exercise)} (or just its [faults.CODE] section), edit it, "
                 f"pass --profile FILE.")
    return "\n".join(lines)


def add_arguments(p) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    s = sub.add_parser("show", help="the thresholds in effect, with their error bands and where each comes from")
    s.add_argument("exercise", nargs="?", default="squat", choices=packaged_exercises(),
                   help="which exercise's profile (default: %(default)s)")
    s.add_argument("--profile", metavar="FILE", help="your TOML file over the defaults, as analyze would use it")
    s.add_argument("--wide", action="store_true", help="each rule's note in full")
    w = sub.add_parser("path", help="where the packaged profile files are (copy one to start your own)")
    w.add_argument("exercise", nargs="?", choices=packaged_exercises(), help="one exercise (default: all)")


def command(args, err) -> int:
    if args.action == "path":
        for name in [args.exercise] if args.exercise else packaged_exercises():
            print(packaged_path(name))
        return 0
    if args.action == "show":
        try:
            print(show(args.exercise, args.profile, wide=args.wide))
        except ProfileError as exc:
            err(str(exc))
            return 1
        return 0
    err("profile: say show or path (kinetic profile show squat)")
    return 2
