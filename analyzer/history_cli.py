"""``kinetic history``: the sessions in a user's history, and per key metric whether it improves.

    kinetic history [--user NAME] [--exercise EX] [--last N] [--json]

And the glue ``analyze``/``demo`` use to read the earlier sessions before a run and append each
result after its folder is published (:class:`HistoryRun`): the history never fails a run.
"""
from __future__ import annotations

import argparse
import json
import sys

from . import history as h

DESCRIPTION = ("List the sessions `kinetic analyze` and `kinetic demo` added to your history (date, exercise, reps, "
               "verdict, faults per rep, key metrics) and, per key metric measured in at least "
               f"{h.TREND_MIN_SESSIONS} of them, whether it is improving, getting worse or steady (a change within the "
               "metric's measurement error band is steady). The history is a SQLite database per user: "
               "$KINETIC_HOME/history/<user>.sqlite, else $XDG_DATA_HOME/kinetic/..., else "
               "~/.local/share/kinetic/history/<user>.sqlite.")
HELP = "your past sessions, and whether each key metric improves"


def add_user_arguments(p: argparse.ArgumentParser) -> None:
    """``--user`` and ``--no-history`` for the commands that append to the history."""
    p.add_argument("--user", metavar="NAME", default=None,
                   help=f"whose history the result is added to (default: {h.DEFAULT_USER}); see `kinetic history`")
    p.add_argument("--no-history", action="store_true", help="do not add the result to your history")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from .exercises import ANALYZERS

    p.add_argument("--user", metavar="NAME", default=None, help=f"whose history (default: {h.DEFAULT_USER})")
    p.add_argument("--exercise", choices=tuple(ANALYZERS), help="only this exercise's sessions")
    p.add_argument("--last", type=int, metavar="N", help="only the N most recent sessions")
    p.add_argument("--json", action="store_true", help="print the sessions and trends as JSON")


class HistoryRun:
    """One run's use of the history: the earlier sessions read before it (:attr:`prior`, for
    the analyses' history.json) and each result appended after it is published. The first
    failure prints one warning line; after it the run goes on without the history."""

    def __init__(self, user: str | None, enabled: bool, err) -> None:
        self.user, self.enabled, self._err = user, enabled, err
        self.prior: dict | None = None
        self.failed = False

    def start(self) -> None:
        """Read the earlier sessions (once the command line has been checked)."""
        if not self.enabled:
            return
        try:
            self.prior = h.prior_sessions(self.user)
        except h.HistoryError as exc:
            self._fail(exc)
        except Exception as exc:  # noqa: BLE001 - a bug in the history must not stop an analysis
            self._fail(f"internal error {exc.__class__.__name__}: {exc}")

    def _fail(self, why) -> None:
        if not self.failed:
            self._err(f"warning: history not saved ({why}); the analysis itself is fine")
        self.failed = True
        self.prior = None

    def append(self, summary: dict, folder) -> None:
        if not self.enabled or self.failed:
            return
        try:
            rec = h.append_summary(summary, folder, self.user)
        except h.HistoryError as exc:
            self._fail(exc)
            return
        except Exception as exc:  # noqa: BLE001
            self._fail(f"internal error {exc.__class__.__name__}: {exc}")
            return
        if self.prior is not None:
            # the videos of this run not yet started see this one too (the same dict is in their options)
            ss = self.prior["sessions"].setdefault(rec["exercise"], [])
            ss.append(rec)
            del ss[:-(h.REPORT_SESSIONS - 1)]


def _date(iso: str) -> str:
    return iso[:16].replace("T", " ") if iso else "?"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def command(args, err) -> int:
    try:
        user = h.check_user(args.user)
    except ValueError as exc:
        err(str(exc))
        return 2
    if args.last is not None and args.last < 1:
        err("--last must be at least 1")
        return 2
    path = h.db_path(user)
    try:
        sessions = h.load_sessions(user, exercise=args.exercise, last=args.last, path=path)
        total = len(h.load_sessions(user, path=path)) if args.exercise and not sessions else None
    except h.HistoryError as exc:
        err(str(exc))
        return 1
    by: dict[str, list[dict]] = {}
    for s in sessions:
        by.setdefault(s["exercise"], []).append(s)
    if args.json:
        doc = dict(user=user, database=str(path), sessions=sessions,
                   trends={ex: h.trends(ss, ex) for ex, ss in by.items()},
                   metrics={ex: {k: v.as_dict() for k, v in h.metric_specs(ex).items()} for ex in by})
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    if not sessions:
        if args.exercise and total:
            print(f"No {args.exercise.replace('_', ' ')} sessions in {user}'s history ({total} of other exercises; "
                  f"{path}).")
        else:
            print(f"No history for {user} yet ({path} does not exist or is empty). `kinetic analyze VIDEO` and "
                  "`kinetic demo` add each analysis to it (unless --no-history).")
        return 0
    n = len(sessions)
    print(f"History of {user}: {n} session{'s' if n != 1 else ''}"
          f"{' (the last ' + str(args.last) + ')' if args.last else ''} — {path}")
    for ex, ss in by.items():
        specs = h.metric_specs(ex)
        keys = [k for k in specs if k != h.FAULTS_PER_REP and any(k in s["metrics"] for s in ss)]
        print(f"\n{ex.replace('_', ' ')}: {len(ss)} session{'s' if len(ss) != 1 else ''}")
        rows = [["date", "video", "view", "reps", "verdict", "faults/rep"] + [k.replace("_", " ") for k in keys]]
        for s in ss:
            fpr = s["metrics"].get(h.FAULTS_PER_REP)
            rows.append([_date(s["started_at"]), s["source"] or "?", s["view"] or "?", str(s["reps"]),
                         (s["status"] or "?").replace("_", " "),
                         f"{fpr['value']:.2f}" if fpr else "—"]
                        + [h.fmt_value(s["metrics"][k]["value"], specs[k].unit) if k in s["metrics"] else "—"
                           for k in keys])
        for line in _table(rows):
            print(line)
        ts = h.trends(ss, ex)
        if ts:
            print(f"  Trends (metrics measured in {h.TREND_MIN_SESSIONS} or more of these sessions):")
            for key, t in ts.items():
                print(f"    {h.trend_sentence(h.spec_for(specs, key), t)}")
        else:
            print(f"  No trend yet: a metric needs {h.TREND_MIN_SESSIONS} sessions.")
    sys.stdout.flush()
    return 0
