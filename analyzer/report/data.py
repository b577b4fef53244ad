"""Loading a saved analysis folder for the report: ``summary.json``, ``frames.csv``, the profile.

Pure Python/numpy; reads only what ``kinetic analyze`` wrote (no model, no video decoding).
"""
from __future__ import annotations

import csv
import json
import math
import sys
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..profile import Profile, ProfileError, Rule, load_profile
from .schema import SchemaError, validate_summary

SUMMARY_SCHEMA_PREFIX = "kinetic/summary/"


class ReportError(Exception):
    """A folder the report cannot be written for; ``str()`` is one line."""


@dataclass
class Frames:
    """``frames.csv`` as arrays: ``t`` (T,) seconds, ``view`` (T,) labels, ``rep`` (T,) ints
    (0 = none), ``phase`` (T,) names, ``series`` metric name -> (T,) float (NaN = empty)."""

    t: np.ndarray
    view: np.ndarray
    rep: np.ndarray
    phase: np.ndarray
    series: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.t)

    def get(self, name: str) -> np.ndarray | None:
        return self.series.get(name)

    @classmethod
    def empty(cls) -> "Frames":
        z = np.zeros(0)
        return cls(z, np.zeros(0, object), np.zeros(0, int), np.zeros(0, object), {})


@dataclass
class Analysis:
    """Everything the report shows, as saved in one analysis folder."""

    folder: Path
    summary: dict
    frames: Frames
    rules: dict[str, Rule]
    has_replay: bool

    @property
    def reps(self) -> list[dict]:
        return self.summary.get("reps", [])

    @property
    def faults(self) -> list[dict]:
        return self.summary.get("faults", [])

    @property
    def borderline(self) -> list[dict]:
        """Findings within their measurement's error band of the threshold (not faults)."""
        return self.summary.get("borderline", [])

    @property
    def view(self) -> dict:
        return self.summary.get("view", {})

    @property
    def duration_s(self) -> float:
        src = self.summary.get("source", {})
        d = src.get("duration_s")
        if d:
            return float(d)
        return float(self.frames.t[-1]) if len(self.frames) else 0.0

    @property
    def t0(self) -> float:
        """Time of the first frame: the replay's timeline starts there."""
        return float(self.frames.t[0]) if len(self.frames) else 0.0


def _float(s: str) -> float:
    if s == "":
        return math.nan
    try:
        return float(s)
    except ValueError:
        return math.nan


def read_frames(path: Path) -> Frames:
    """Parse ``frames.csv`` (schema: see analyzer.outputs.FRAME_COLUMNS) into :class:`Frames`.

    Row by row into typed columns (8 bytes a value): a 10-minute clip's 18,000 rows held as
    Python strings would take ~40 MB, the largest allocation of a whole ``analyze`` run."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            return Frames.empty()
        col = {name: i for i, name in enumerate(header)}
        for needed in ("time_s", "view", "rep", "phase"):
            if needed not in col:
                raise ReportError(f"{path}: not a kinetic frames.csv (no {needed!r} column)")
        fixed = {"frame", "time_s", "detected", "view", "rep", "phase"}
        names = [(name, i) for name, i in col.items() if name not in fixed]
        it, iv, ir, ip = col["time_s"], col["view"], col["rep"], col["phase"]
        t, rep = array("d"), array("q")
        view: list[str] = []
        phase: list[str] = []
        columns = {name: array("d") for name, _ in names}
        for r in reader:
            t.append(_float(r[it]))
            view.append(sys.intern(r[iv]))
            rep.append(int(r[ir]) if r[ir] else 0)
            phase.append(sys.intern(r[ip]))
            for name, i in names:
                columns[name].append(_float(r[i]) if i < len(r) else math.nan)
    series = {name: np.frombuffer(a, float).copy() if len(a) else np.zeros(0) for name, a in columns.items()}
    return Frames(np.frombuffer(t, float).copy() if len(t) else np.zeros(0), np.array(view, object),
                  np.array(rep, int), np.array(phase, object), series)


def profile_rules(summary: dict) -> dict[str, Rule]:
    """The threshold rules the analysis used: the user's profile file if it is still there,
    else the packaged defaults; thresholds recorded in the faults override either."""
    exercise = summary.get("exercise") or "squat"
    origin = (summary.get("profile") or {}).get("origin") or ""
    prof: Profile | None = None
    candidates = [origin] if origin and not origin.startswith("default ") and Path(origin).is_file() else []
    for path in candidates + [None]:
        try:
            prof = load_profile(path, exercise, detected=True)
            break
        except (ProfileError, FileNotFoundError, ModuleNotFoundError, OSError):
            continue
    rules = dict(prof.rules) if prof is not None else {}
    # A fault carries the exact threshold it was judged against.
    for f in summary.get("faults", []):
        r = rules.get(f["code"])
        if r is not None and f.get("threshold") is not None and r.threshold != f["threshold"]:
            rules[f["code"]] = Rule(r.code, float(f["threshold"]), r.direction, r.unit, r.link,
                                    float(f.get("error_band", r.error_band)), r.severe, r.source, r.options)
    return rules


def load_analysis(folder: str | Path) -> Analysis:
    """Read an analysis folder written by ``kinetic analyze``. ReportError (one line) if it is not one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such folder")
    spath = folder / "summary.json"
    if not spath.is_file():
        raise ReportError(f"{folder}: no summary.json here (not a kinetic analysis folder)")
    try:
        summary = json.loads(spath.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{spath}: cannot read ({exc.__class__.__name__})") from None
    if not isinstance(summary, dict) or not str(summary.get("schema", "")).startswith(SUMMARY_SCHEMA_PREFIX):
        raise ReportError(f"{spath}: not a kinetic summary (schema {summary.get('schema') if isinstance(summary, dict) else None!r})")
    try:
        validate_summary(summary)
    except SchemaError as exc:
        raise ReportError(f"{spath}: malformed summary ({exc})") from None
    fpath = folder / "frames.csv"
    try:
        frames = read_frames(fpath) if fpath.is_file() else Frames.empty()
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReportError(f"{fpath}: cannot read ({exc.__class__.__name__})") from None
    return Analysis(folder=folder, summary=summary, frames=frames, rules=profile_rules(summary),
                    has_replay=(folder / "replay.mp4").is_file())
