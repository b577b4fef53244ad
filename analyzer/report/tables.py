"""The per-rep table and the plot specifications (series, thresholds) of the report.

Pure Python/numpy. The plots are drawn in the browser by ``report.js`` from the compact JSON
made here: one shared time axis, a few series per plot, threshold lines from the profile.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..exercises import catalog
from .data import Analysis
from .findings import STATUS_RANK, fault_status, fmt, short_title

MAX_POINTS = 2000  # per series; longer recordings are decimated (min/max kept per bucket)

LEFT, RIGHT, MAIN, SECOND = "#2b6cd4", "#8e44ad", "#1f2937", "#0f9d8a"


# ---------------------------------------------------------------------------------------------
# Per-rep table


# The columns and plots of each exercise are data in the catalog (analyzer.exercises.catalog).
Column = catalog.Column
COLUMNS: tuple[Column, ...] = catalog.SQUAT.columns  # the squat's, as before


@dataclass
class Cell:
    parts: list[tuple[str, str]]  # (text, status) per value; joined by " / "
    title: str = ""

    @property
    def text(self) -> str:
        return " / ".join(t for t, _ in self.parts)


@dataclass
class RepRow:
    index: int
    start_s: float
    bottom_s: float
    end_s: float
    cells: dict[str, Cell]
    tempo: str
    faults: list[dict]
    root: str
    status: str


@dataclass
class RepTable:
    columns: list[Column]
    rows: list[RepRow]
    hidden: list[Column] = field(default_factory=list)  # measured by no rep in this view
    key_moment: str = "Bottom"  # header of the key frame's time
    tempo: tuple[str, str, tuple[str, str, str]] | None = None  # (header, small print, metric keys)


def _val(m: dict, key: str | None):
    v = m.get(key) if key else None
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None


def _text(c: Column, v: float | None) -> str:
    if v is None:
        return "—"
    if c.words:
        k = int(round(v))
        return c.words[k] if 0 <= k < len(c.words) else "—"
    if c.signs:
        return f"{abs(v):.0f}° {c.signs[0] if v >= 0 else c.signs[1]}"
    if c.absolute:
        v = abs(v)
    return fmt(v, c.unit, digits=0)


def rep_status(analysis: Analysis, rep: dict) -> str:
    """A rep's colour: its worst fault; green without one, grey when it judged nothing at all
    (e.g. feet too small to grade)."""
    faults = [f for f in analysis.faults if f.get("rep") == rep["index"]]
    return max((fault_status(f) for f in faults), key=STATUS_RANK.get,
               default="na" if rep.get("judged") == [] else "ok")


def layout_of(analysis: Analysis) -> catalog.Layout:
    """The exercise's report layout (the squat's for an unknown exercise)."""
    return catalog.layout(analysis.summary.get("exercise"))


def rep_table(analysis: Analysis) -> RepTable:
    reps = analysis.reps
    lay = layout_of(analysis)
    cols, hidden = [], []
    for c in lay.columns:
        has = c.key in lay.always and bool(reps) or any(_val(r.get("metrics") or {}, k) is not None
                                                     for r in reps for k, _ in c.metrics)
        (cols if has else hidden).append(c)
    rows = []
    for r in reps:
        m = r.get("metrics") or {}
        faults = [f for f in analysis.faults if f.get("rep") == r["index"]]
        borderline = [f for f in analysis.borderline if f.get("rep") == r["index"]]
        not_judged = {n.get("code") for n in r.get("not_judged") or []}
        cells = {}
        for c in cols:
            title = c.help
            parts = []
            for key, side in c.metrics:
                v = _val(m, key)
                text = _text(c, v)
                if c.key == "knee" and v is None:
                    v = _val(m, "depth_3d_knee_flexion")
                    title = "3D estimate (this view cannot see the knee angle directly)"
                    text = f"{fmt(v, 'deg', digits=0)}*" if v is not None else "—"
                # Borderline findings colour the cell amber (they are not warnings of the row).
                hits = [f for f in faults + borderline if f["code"] in c.codes and (side is None or f.get("side") in (None, side))]
                # A value of a rule this rep did not judge (pelvic drop, heel lift) is shown plain, not green.
                judged = c.codes and not set(c.codes) <= not_judged
                status = max((fault_status(f) for f in hits), key=STATUS_RANK.get) if hits else ("ok" if judged and v is not None else "")
                parts.append((text, status))
            cells[c.key] = Cell(parts, title)
        tempo = (" / ".join(fmt(_val(m, k), "s").replace(" s", "") for k in lay.tempo[2]) + " s") if lay.tempo else ""
        root = r.get("root_cause")
        root_text = short_title(root, r.get("root_cause_side")) if root else ""
        status = rep_status(analysis, r)
        rows.append(RepRow(r["index"], r["start_s"], r["bottom_s"], r["end_s"], cells, tempo, faults, root_text, status))
    return RepTable(cols, rows, hidden, lay.key_moment, lay.tempo)


# ---------------------------------------------------------------------------------------------
# Plots


COLOURS = {"main": MAIN, "second": SECOND, "left": LEFT, "right": RIGHT}
PLOTS: tuple[catalog.Plot, ...] = catalog.SQUAT.plots  # the squat's, as before


def _decimate(n: int) -> np.ndarray:
    """Indices of at most MAX_POINTS samples (every k-th)."""
    if n <= MAX_POINTS:
        return np.arange(n)
    k = int(math.ceil(n / MAX_POINTS))
    return np.arange(0, n, k)


def _round(x: np.ndarray, digits: int = 2) -> list:
    return [None if not math.isfinite(v) else round(float(v), digits) for v in x]


def plot_data(analysis: Analysis) -> dict:
    """The JSON the page's plots are drawn from: {t, plots: [...], reps, faults, duration}."""
    fr = analysis.frames
    idx = _decimate(len(fr))
    t0 = analysis.t0
    out_plots = []
    for spec in layout_of(analysis).plots:
        lines = [ln for ln in spec.lines if fr.get(ln.series) is not None and np.isfinite(fr.get(ln.series)).any()]
        spec_limits = spec.limits
        if not lines and spec.fallback:  # another quantity: the limits do not apply to it
            lines = [ln for ln in spec.fallback if fr.get(ln.series) is not None and np.isfinite(fr.get(ln.series)).any()]
            spec_limits = ()
        if not lines:
            continue
        scale = lines[0].scale
        limits = []
        for lim in spec_limits:
            rule = analysis.rules.get(lim.code)
            if rule is None:
                continue
            values = [lim.sign * rule.threshold] + ([-lim.sign * rule.threshold] if lim.mirror else [])
            for v in values:
                limits.append(dict(y=round(v * scale, 3), label=(lim.label + " " if lim.label else "")
                                   + _limit_text(abs(v) if lim.sign < 0 else v, rule.unit),
                                   code=lim.code))
        plot = dict(
            id=spec.id, title=spec.title, note=spec.note, unit=spec.unit, limits=limits, codes=list(spec.codes),
            lines=[dict(label=ln.label, colour=COLOURS.get(ln.role, MAIN), y=_round(fr.get(ln.series)[idx] * ln.scale, 2))
                   for ln in lines],
        )
        if spec.span > 0:  # the value axis spans at least this much (report.js)
            plot["min_span"] = spec.span
        out_plots.append(plot)
    return dict(
        t=[round(float(v) - t0, 3) for v in fr.t[idx]] if len(fr) else [],
        plots=out_plots,
    )


def _limit_text(v: float, unit: str) -> str:
    return fmt(v, unit, digits=0)
