"""The machine-readable outputs of an analysis: ``summary.json`` and ``frames.csv``.

The contract (ARCHITECTURE.md) is stable: other tools read these files. Extend, never rename.
"""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np

from .atomic import atomic_open

SUMMARY_SCHEMA = "kinetic/summary/1"

# frames.csv: these columns first, then every metric series in a stable (sorted) order.
# rep_signal: the exercise's repetition signal (summary.json "rep_signal" says what it is).
FRAME_COLUMNS = ("frame", "time_s", "detected", "view", "rep", "phase", "rep_signal")


def _clean(x):
    """JSON-safe: numpy scalars to Python, NaN/inf to None, recursively."""
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return None if not math.isfinite(float(x)) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def write_json(path: Path, data: dict) -> None:
    """Write JSON atomically (temp file + fsync + rename; the temp file is removed on failure)."""
    text = json.dumps(_clean(data), indent=2, ensure_ascii=False) + "\n"
    with atomic_open(path, "w") as f:
        f.write(text)


def phases(T: int, reps, depth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T,) rep index (0 = none) and phase name per frame: standing, descent, bottom, ascent."""
    rep_idx = np.zeros(T, int)
    phase = np.full(T, "standing", dtype=object)
    for r in reps:
        rep_idx[r.start:r.end + 1] = r.index
        phase[r.start:r.bottom] = "descent"
        phase[r.bottom:r.end + 1] = "ascent"
        lo = min(depth[r.start], depth[r.end])
        level = depth[r.bottom] - 0.1 * (depth[r.bottom] - lo)
        seg = np.arange(r.start, r.end + 1)
        phase[seg[depth[seg] >= level]] = "bottom"
    return rep_idx, phase


def write_frames_csv(path: Path, t: np.ndarray, detected: np.ndarray, frame_view: np.ndarray, reps,
                     depth: np.ndarray, series: dict[str, np.ndarray]) -> list[str]:
    """One row per frame: time and every metric, empty where not measurable. Returns the header."""
    T = len(t)
    rep_idx, phase = phases(T, reps, depth)
    names = sorted(series)
    header = list(FRAME_COLUMNS) + names
    with atomic_open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        cols = [series[n] for n in names]
        for i in range(T):
            row = [i, f"{t[i]:.4f}", int(bool(detected[i])), frame_view[i] or "", rep_idx[i] or "", phase[i],
                   _num(depth[i])]
            row.extend(_num(c[i]) for c in cols)
            w.writerow(row)
    return header


def _num(v) -> str:
    v = float(v)
    return "" if not math.isfinite(v) else f"{v:.4g}" if abs(v) >= 1e-3 else f"{v:.4f}"
