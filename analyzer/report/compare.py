"""``kinetic compare OUT_A OUT_B``: one page with two analyses side by side, the Kinovea-style
before/after a coach shows an athlete: both replays, synchronised rep by rep (a click on a rep
seeks each video to that rep's bottom), and every rep's key metrics and findings with the
difference B - A.

Built only from the two saved folders, like the report; the page links the two ``replay.mp4``
files by relative path and holds everything else inline (no network; a CSP with a hash for its
one script).
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from string import Template

from ..atomic import write_text
from ..faults import LABELS
from .data import Analysis, ReportError, load_analysis
from .findings import exercise_name
from .render import SEEK_PAST, E, _asset, _rel, json_for_script, script_hash

# The per-rep metrics shown (those present in either analysis, in this order), with their unit.
METRICS = (("thigh_angle", "depth, thigh angle", "°"), ("knee_flexion", "knee bend", "°"),
           ("dorsiflexion", "ankle bend", "°"), ("trunk_minus_shank", "trunk beyond shins", "°"),
           ("left_knee_valgus", "left knee in", "°"), ("right_knee_valgus", "right knee in", "°"),
           ("hip_shift", "hip shift", ""), ("lockout", "lockout", "°"), ("heel_height", "heel height", ""),
           ("duration_s", "rep time", " s"))

# Beside the report's own style (the page template is the report's: same CSP, one hashed script).
_CSS = """
.pair{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.pair video{width:100%;max-height:70vh;background:#000;border-radius:8px}
table.cmp td,table.cmp th{padding:4px 8px;text-align:right}
table.cmp td:first-child,table.cmp th:first-child{text-align:left}
tr.rep{cursor:pointer} tr.rep:hover{background:rgba(0,0,0,.06)}
.scroll{overflow-x:auto}
"""


def _num(x) -> float | None:
    return float(x) if isinstance(x, (int, float)) and math.isfinite(float(x)) else None


def _metric(rep: dict, key: str) -> float | None:
    if key == "duration_s":
        a, b = _num(rep.get("start_s")), _num(rep.get("end_s"))
        return None if a is None or b is None else b - a
    return _num((rep.get("metrics") or {}).get(key))


def _findings(a: Analysis, index: int) -> list[str]:
    out = []
    for f in a.faults:
        if f.get("rep") == index:
            label = LABELS.get(f["code"], f["code"])
            out.append(f"{label} ({f['side']})" if f.get("side") else label)
    return out


def _video(a: Analysis, page_dir: Path, label: str, vid: str) -> str:
    name = Path((a.summary.get("source") or {}).get("path", "")).name or a.folder.name
    when = (a.folder / "summary.json").stat().st_mtime
    import datetime as _dt

    date = _dt.datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M")
    if a.has_replay:
        src = Path(os.path.relpath(a.folder / "replay.mp4", page_dir)).as_posix()
        media = f'<video id="{vid}" src="{E(src)}" controls muted playsinline preload="auto"></video>'
    else:
        media = '<p class="muted">no replay.mp4 in this analysis (it was run with --no-replay)</p>'
    reps = len(a.reps)
    return (f'<div><h2>{E(label)}: {E(name)}</h2><p class="muted">{E(date)} · {E(exercise_name(a.summary))} · '
            f'{reps} rep{"s" if reps != 1 else ""} · {E(((a.summary.get("view") or {}).get("label")) or "?")} view</p>'
            f'{media}</div>')


def render_compare(a: Analysis, b: Analysis, page_dir: Path) -> str:
    """The comparison page as a string; ``page_dir``: where it will be written (for the videos'
    relative paths)."""
    n = max(len(a.reps), len(b.reps))
    keys = [(k, t, u) for k, t, u in METRICS
            if any(_metric(r, k) is not None for r in [*a.reps, *b.reps])]
    head = "".join(f"<th>{E(t)} A</th><th>B</th><th>B - A</th>" for _, t, _ in keys)
    rows, reps = [], []
    for i in range(n):
        ra = a.reps[i] if i < len(a.reps) else None
        rb = b.reps[i] if i < len(b.reps) else None
        cells = []
        for k, _, unit in keys:
            va = _metric(ra, k) if ra else None
            vb = _metric(rb, k) if rb else None
            d = None if va is None or vb is None else vb - va
            fmt = (lambda v: "—" if v is None else f"{v:.2f}{unit}" if abs(v) < 1 else f"{v:.1f}{unit}")  # noqa: E731
            cells.append(f"<td>{fmt(va)}</td><td>{fmt(vb)}</td><td>{'—' if d is None else ('+' if d > 0 else '') + fmt(d)}</td>")
        fa = ", ".join(_findings(a, ra["index"])) if ra else "—"
        fb = ", ".join(_findings(b, rb["index"])) if rb else "—"
        rows.append(f'<tr class="rep" data-rep="{i + 1}"><td>rep {i + 1}</td>{"".join(cells)}'
                    f'<td>{E(fa or "none")}</td><td>{E(fb or "none")}</td></tr>')
        reps.append(dict(index=i + 1,
                         a=_rel(a, ra["bottom_s"]) + SEEK_PAST if ra else None,
                         b=_rel(b, rb["bottom_s"]) + SEEK_PAST if rb else None))
    table = (f'<table class="cmp" id="reps"><thead><tr><th>rep</th>{head}<th>findings A</th><th>findings B</th>'
             f'</tr></thead><tbody>{"".join(rows) or "<tr><td>no reps in either</td></tr>"}</tbody></table>')
    body = "\n".join([
        '<main class="wrap">',
        '<h1>Before and after</h1>',
        '<p class="muted">Click a rep to see both at its bottom; the play button plays both together.</p>',
        f'<div class="pair">{_video(a, page_dir, "A", "video-a")}{_video(b, page_dir, "B", "video-b")}</div>',
        '<p><button id="play-both" type="button">play both</button></p>',
        '<section class="card"><h2>Rep by rep</h2><div class="scroll">', table, "</div></section>",
        "</main>",
    ])
    js = "\n" + _asset("compare.js") + "\n"
    return Template(_asset("report.html")).substitute(
        title=E(f"kinetic compare — {a.folder.name} vs {b.folder.name}"), css=_asset("report.css") + _CSS,
        script_hash=script_hash(js), js=js, data=json_for_script(dict(reps=reps)), body=body)


def write_compare(folder_a: str | os.PathLike, folder_b: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Write the page comparing two analysis folders to ``out`` (a file, or a folder to put
    ``compare.html`` in). ReportError for a folder that is not an analysis."""
    a, b = load_analysis(folder_a), load_analysis(folder_b)
    if a.summary.get("exercise") != b.summary.get("exercise"):
        raise ReportError(f"{folder_a} is {a.summary.get('exercise')}, {folder_b} is {b.summary.get('exercise')}: "
                          "compare two analyses of the same exercise")
    target = Path(out)
    if target.is_dir():
        target = target / "compare.html"
    write_text(target, render_compare(a, b, target.resolve().parent))
    return target
