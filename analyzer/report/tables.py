"""The per-rep table and the plot specifications (series, thresholds) of the report.

Pure Python/numpy. The plots are drawn in the browser by ``report.js`` from the compact JSON
made here: one shared time axis, a few series per plot, threshold lines from the profile.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .data import Analysis
from .findings import STATUS_RANK, fault_status, fmt, short_title

MAX_POINTS = 2000  # per series; longer recordings are decimated (min/max kept per bucket)

LEFT, RIGHT, MAIN, SECOND = "#2b6cd4", "#8e44ad", "#1f2937", "#0f9d8a"


# ---------------------------------------------------------------------------------------------
# Per-rep table


@dataclass
class Column:
    key: str
    title: str
    unit: str  # 'deg', 'foot', 's', ...
    metrics: tuple[tuple[str, str | None], ...] = ()  # (key in rep["metrics"], side): one value, or L / R
    codes: tuple[str, ...] = ()  # fault codes whose status colours the value
    help: str = ""
    signs: tuple[str, str] | None = None  # words for + and - (signed values)
    absolute: bool = False
    name: str = ""  # plain name, for "not measurable" notes
    sub: str = ""  # small print under the title ("L / R")

    @property
    def plain(self) -> str:
        return self.name or self.title.lower()


_LR = lambda name: ((f"left_{name}", "left"), (f"right_{name}", "right"))  # noqa: E731

COLUMNS: tuple[Column, ...] = (
    Column("knee", "Knee bend", "deg", (("knee_flexion", None),), help="peak knee flexion (side view; 3D estimate otherwise)"),
    Column("thigh", "Thigh angle", "deg", (("thigh_angle", None),), ("shallow_depth",),
           help="thigh from vertical at the deepest point: 90° = parallel"),
    Column("dorsi", "Shin angle", "deg", (("dorsiflexion", None),), ("limited_dorsiflexion",),
           help="peak forward lean of the shin = ankle dorsiflexion (healthy ≥ 30°)", name="shin angle (dorsiflexion)"),
    Column("heel", "Heel lift", "foot", (("heel_lift", None),), ("heel_lift",), help="peak heel rise, % of foot length"),
    Column("valgus", "Knee in/out", "deg", _LR("knee_valgus"), ("knee_valgus", "knee_varus"),
           help="each knee's rotation in (valgus) or out (varus) about the hip–ankle line, at the bottom",
           signs=("in", "out"), name="knee in/out (valgus/varus)", sub="L / R"),
    Column("fppa", "FPPA", "deg", _LR("fppa"),
           help="frontal-plane projection angle of each knee at the bottom (raw; reads high in deep squats)",
           name="knee FPPA", sub="L / R"),
    Column("track", "Knee–toe", "foot", _LR("knee_tracking"), ("knee_tracking",),
           help="each knee's sideways offset from the 2nd/3rd toe, % of foot length", absolute=True,
           name="knee over the toes", sub="L / R"),
    Column("trunk", "Trunk lean", "deg", (("trunk_lean", None),), ("excessive_trunk_lean",),
           help="trunk from vertical at the bottom"),
    Column("shift", "Hip shift", "stance", (("hip_shift", None),), ("hip_shift",), help="pelvis sideways, % of stance width",
           absolute=True),
    Column("pelvis", "Pelvic drop", "deg", (("pelvic_drop", None),), ("pelvic_drop",),
           help="left–right hip height difference", absolute=True),
)


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


def _val(m: dict, key: str | None):
    v = m.get(key) if key else None
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None


def _text(c: Column, v: float | None) -> str:
    if v is None:
        return "—"
    if c.signs:
        return f"{abs(v):.0f}° {c.signs[0] if v >= 0 else c.signs[1]}"
    if c.absolute:
        v = abs(v)
    return fmt(v, c.unit, digits=0)


def rep_table(analysis: Analysis) -> RepTable:
    reps = analysis.reps
    cols, hidden = [], []
    for c in COLUMNS:
        has = c.key == "knee" and bool(reps) or any(_val(r.get("metrics") or {}, k) is not None
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
        tempo = " / ".join(fmt(_val(m, k), "s").replace(" s", "") for k in ("descent_s", "bottom_pause_s", "ascent_s")) + " s"
        root = r.get("root_cause")
        root_text = short_title(root, r.get("root_cause_side")) if root else ""
        status = max((fault_status(f) for f in faults), key=STATUS_RANK.get, default="ok")
        rows.append(RepRow(r["index"], r["start_s"], r["bottom_s"], r["end_s"], cells, tempo, faults, root_text, status))
    return RepTable(cols, rows, hidden)


# ---------------------------------------------------------------------------------------------
# Plots


@dataclass(frozen=True)
class Line:
    series: str
    label: str
    colour: str
    scale: float = 1.0


@dataclass(frozen=True)
class Limit:
    code: str  # rule whose threshold is drawn
    mirror: bool = False  # also draw -threshold (a two-sided magnitude rule)
    label: str = ""


@dataclass(frozen=True)
class PlotSpec:
    id: str
    title: str
    note: str
    unit: str  # axis unit shown: '°' or '%'
    lines: tuple[Line, ...]
    limits: tuple[Limit, ...] = ()
    codes: tuple[str, ...] = ()  # faults marked on this plot
    fallback: tuple[Line, ...] = ()  # drawn when none of ``lines`` has data


PLOTS: tuple[PlotSpec, ...] = (
    PlotSpec("depth", "Depth", "how far you went down: knee bend, and the thigh's angle (90° = parallel)", "°",
             (Line("knee_flexion", "knee bend", MAIN), Line("thigh_inclination", "thigh from vertical", SECOND)),
             (Limit("shallow_depth", label="shallow below"),), ("shallow_depth",),
             fallback=(Line("rep_signal", "depth (the rep signal)", MAIN),)),
    PlotSpec("heel", "Heel lift", "heel rise above standing, % of foot length", "%",
             (Line("heel_lift", "heel lift", MAIN, 100.0),), (Limit("heel_lift", label="limit"),), ("heel_lift",)),
    PlotSpec("foot_roll", "Foot roll", "rear-foot angle change from standing", "°",
             (Line("left_foot_roll", "left", LEFT), Line("right_foot_roll", "right", RIGHT)),
             (Limit("foot_roll", mirror=True),), ("foot_roll",)),
    PlotSpec("ankle", "Ankle dorsiflexion", "forward lean of the shin from vertical; healthy squats reach 30° or more", "°",
             (Line("shank_inclination", "shin angle", MAIN),), (Limit("limited_dorsiflexion", label="healthy ≥"),),
             ("limited_dorsiflexion",)),
    PlotSpec("valgus", "Knees in / out", "knee rotation about the hip–ankle line: + caves in (valgus), − bows out (varus)", "°",
             (Line("left_knee_valgus", "left", LEFT), Line("right_knee_valgus", "right", RIGHT)),
             (Limit("knee_valgus", label="valgus"), Limit("knee_varus", label="varus")), ("knee_valgus", "knee_varus")),
    PlotSpec("tracking", "Knee over the toes", "knee's sideways offset from the 2nd/3rd toe, % of foot length (+ inside)", "%",
             (Line("left_knee_tracking", "left", LEFT, 100.0), Line("right_knee_tracking", "right", RIGHT, 100.0)),
             (Limit("knee_tracking", mirror=True),), ("knee_tracking",)),
    PlotSpec("hip_shift", "Hip shift", "pelvis sideways from standing, % of stance width (+ to the left)", "%",
             (Line("hip_shift", "hip shift", MAIN, 100.0),), (Limit("hip_shift", mirror=True),), ("hip_shift",)),
    PlotSpec("pelvis", "Pelvic tilt", "left–right hip height difference from standing", "°",
             (Line("pelvic_obliquity", "pelvic tilt", MAIN),), (Limit("pelvic_drop", mirror=True),), ("pelvic_drop",)),
    PlotSpec("trunk", "Trunk lean", "trunk from vertical, and how far it leans beyond the shins", "°",
             (Line("trunk_lean", "trunk lean", MAIN), Line("trunk_minus_shank", "trunk minus shin", SECOND)),
             (Limit("excessive_trunk_lean", label="limit beyond shins"),), ("excessive_trunk_lean",)),
    PlotSpec("lumbar", "Lower back (estimate)", "the back outline's bend against standing, from the person mask: "
             "+ rounds, − arches; an estimate, not validated on real people", "°",
             (Line("lumbar_curvature", "lower back", MAIN),),
             (Limit("lumbar_rounding", label="rounding"), Limit("lumbar_overarch", label="arching")),
             ("lumbar_rounding", "lumbar_overarch")),
    PlotSpec("fppa", "Knee FPPA (raw)", "frontal-plane projection angle, for clinicians: foreshortened thighs make it read high at depth", "°",
             (Line("left_fppa", "left", LEFT), Line("right_fppa", "right", RIGHT))),
)


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
    for spec in PLOTS:
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
            values = [rule.threshold] + ([-rule.threshold] if lim.mirror else [])
            for v in values:
                limits.append(dict(y=round(v * scale, 3), label=(lim.label + " " if lim.label else "") + _limit_text(v, rule.unit),
                                   code=lim.code))
        out_plots.append(dict(
            id=spec.id, title=spec.title, note=spec.note, unit=spec.unit, limits=limits, codes=list(spec.codes),
            lines=[dict(label=ln.label, colour=ln.colour, y=_round(fr.get(ln.series)[idx] * ln.scale, 2)) for ln in lines],
        ))
    return dict(
        t=[round(float(v) - t0, 3) for v in fr.t[idx]] if len(fr) else [],
        plots=out_plots,
    )


def _limit_text(v: float, unit: str) -> str:
    return fmt(v, unit, digits=0)
