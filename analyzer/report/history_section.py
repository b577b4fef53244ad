"""The report's "Your last sessions": per key metric, a small plot over the user's last sessions
of this exercise and one sentence saying whether it improves.

Read from the result folder's ``history.json`` (written at analysis time by
:func:`analyzer.history.write_history_file`), never from the database: a saved folder's report
is rebuilt the same by ``kinetic report`` anywhere (another machine, a copied folder, after
later sessions) and without the model. Shown only when that file holds at least two sessions.

The plots are inline SVG like the report's others (same grid, axis, series and limit styles),
drawn here rather than by ``report.js``: their axis is the session, not the video's time, and
they need no script.
"""
from __future__ import annotations

import html
import math

from ..history import (FAULTS_PER_REP, MetricSpec, fmt_value, read_history_file, spec_for, specs_from_file, trend,
                       trend_sentence)
from .data import Analysis

W, H = 360, 150  # the SVG's own units (it is scaled to the column's width)
M = dict(l=44, r=10, t=14, b=24)
VERDICT_STATUS = {"improving": "ok", "getting worse": "bad", "steady": "na"}


def E(x) -> str:  # noqa: N802
    return html.escape(str(x), quote=True)


PERCENT = ("foot", "stance", "shoulder", "ratio")  # shown as % (of foot length, stance width...)


def _nice_step(span: float, n: int) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about ``n`` ticks (as the
    report's own plots do)."""
    raw = span / max(n, 1)
    if raw <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    return next((m * mag for m in (1, 2, 2.5, 5) if raw <= m * mag), 10 * mag)


def _fmt_axis(v: float, unit: str) -> str:
    v = 0.0 if abs(v) < 1e-12 else v
    if unit in PERCENT:
        return f"{100 * v:.4g}%"
    if unit == "deg":
        return f"{v:.4g}°"
    if unit == "s":
        return f"{v:.3g} s"
    return f"{v:.3g}"


def plot_svg(values: list[float | None], dates: list[str], spec: MetricSpec) -> str:
    """One metric over sessions (oldest first; the last is this one): points joined by a line,
    the limit dashed, the first and last dates under the axis."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None]
    ys = [v for _, v in pts]
    lo, hi = min(ys), max(ys)
    if spec.threshold is not None:
        span = max(hi - lo, 1e-9)
        if lo - span <= spec.threshold <= hi + span:  # show the limit when it is near the data
            lo, hi = min(lo, spec.threshold), max(hi, spec.threshold)
    if hi - lo < 1e-9:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    pad = 0.12 * (hi - lo)
    scale = 100.0 if spec.unit in PERCENT else 1.0  # ticks at round numbers of what is shown
    step = _nice_step((hi - lo + 2 * pad) * scale, 3) / scale
    lo, hi = math.floor((lo - pad) / step) * step, math.ceil((hi + pad) / step) * step
    n = len(values)
    X = lambda i: M["l"] + (W - M["l"] - M["r"]) * (i / (n - 1) if n > 1 else 0.5)  # noqa: E731
    Y = lambda v: M["t"] + (H - M["t"] - M["b"]) * (hi - v) / (hi - lo)  # noqa: E731
    out = ['<g class="grid">']
    ticks = [lo + k * step for k in range(int(round((hi - lo) / step)) + 1)]
    out += [f'<line x1="{M["l"]}" x2="{W - M["r"]}" y1="{Y(v):.1f}" y2="{Y(v):.1f}"/>' for v in ticks]
    out.append('</g><g class="axis">')
    out += [f'<text x="{M["l"] - 5}" y="{Y(v) + 3.5:.1f}" text-anchor="end">{E(_fmt_axis(v, spec.unit))}</text>'
            for v in ticks]
    for i in sorted({0, n - 1}):
        anchor = "start" if i == 0 and n > 1 else "end" if n > 1 else "middle"
        label = "now" if i == n - 1 else dates[i]
        out.append(f'<text x="{X(i):.1f}" y="{H - 6}" text-anchor="{anchor}">{E(label)}</text>')
    out.append("</g>")
    if spec.threshold is not None and lo <= spec.threshold <= hi:
        out.append(f'<line class="limit" x1="{M["l"]}" x2="{W - M["r"]}" y1="{Y(spec.threshold):.1f}" '
                   f'y2="{Y(spec.threshold):.1f}"/>')
        out.append(f'<text class="limit-label" x="{W - M["r"] - 2}" y="{Y(spec.threshold) - 4:.1f}" '
                   f'text-anchor="end">limit</text>')
    d = " ".join(f'{"M" if k == 0 else "L"}{X(i):.1f} {Y(v):.1f}' for k, (i, v) in enumerate(pts))
    out.append(f'<path class="series" stroke="#1f2937" d="{d}"/>')
    for i, v in pts:
        now = i == n - 1
        out.append(f'<circle class="hist-pt{" now" if now else ""}" cx="{X(i):.1f}" cy="{Y(v):.1f}" r="{4 if now else 3}">'
                   f'<title>{E(("this session" if now else dates[i]) + ": " + fmt_value(v, spec.unit))}</title></circle>')
    return (f'<svg class="hist-svg" viewBox="0 0 {W} {H}" role="img" '
            f'aria-label="{E(spec.label)} over the last {n} sessions">{"".join(out)}</svg>')


def section(analysis: Analysis) -> str:
    """The section's HTML, or '' when the folder has no history of at least two sessions."""
    data = read_history_file(analysis.folder)
    if not data:
        return ""
    sessions = [s for s in data.get("sessions") or [] if isinstance(s, dict)]
    if len(sessions) < 2 or data.get("exercise") != analysis.summary.get("exercise"):
        return ""
    specs = specs_from_file(data)
    dates = [str(s.get("started_at") or "")[:10] for s in sessions]
    figs, lines = [], []
    view = sessions[-1].get("view")
    for name, spec in specs.items():
        key = name
        values = [((s.get("metrics") or {}).get(name) or {}).get("value") for s in sessions]
        if name == FAULTS_PER_REP:  # what is judged depends on the view: this view's sessions only
            key = f"{name}:{view}"
            values = [v if s.get("view") == view else None for v, s in zip(values, sessions)]
            spec = spec_for(specs, key)
        values = [float(v) if isinstance(v, (int, float)) else None for v in values]
        measured = [v for v in values if v is not None]
        if len(measured) < 2 or values[-1] is None:  # a trend needs this session and one before
            continue
        t = (data.get("trends") or {}).get(key) or trend(measured, spec)
        sentence = trend_sentence(spec, t)
        status = VERDICT_STATUS.get(t.get("verdict"), "na")
        better = "higher is better" if spec.better == "higher" else "lower is better"
        figs.append(f'<figure class="plot hist-plot" data-metric="{E(name)}"><figcaption><b>{E(spec.label[:1].upper() + spec.label[1:])}</b> '
                    f'<span class="muted">{E(better)}</span></figcaption>'
                    f'<div class="hist-area">{plot_svg(values, dates, spec)}</div>'
                    f'<p class="hist-trend st-{status}">{E(sentence)}</p></figure>')
        lines.append(sentence)
    if not figs:
        return ""
    exercise = str(data.get("exercise", "")).replace("_", " ")
    who = data.get("user") or "you"
    return f"""<section class="card" id="history">
<h2>Your last sessions</h2>
<p class="lead muted">{E(_cap(exercise))}: this session and the {len(sessions) - 1} before it in the history of “{E(who)}”
(each point: the mean over that session's reps). A change within what a measurement can be off by is "steady".</p>
<div class="plots">{''.join(figs)}</div>
</section>"""


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s
