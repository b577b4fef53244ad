"""Rendering the report page: HTML sections from the findings, with the CSS and JS inlined.

The page is one file: styles, script, figures and data are inline; the only other file it
refers to is the replay beside it (``replay.mp4``), plus plain links to ``summary.json`` and
``frames.csv`` in the same folder. No external URL of any kind.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from importlib import resources
from pathlib import Path
from string import Template

from .. import __version__
from ..exercises.catalog import FEET_TOO_SMALL
from ..faults import LABELS
from ..verdict import LINK_WORDS
from .data import Analysis
from .findings import (CHECKS, exercise_name, STATUS_RANK, Headline, RepChain, best_rep, fault_status, fault_title,
                       fault_value_text, fmt, headline, needs_view, rep_chain)
from .tables import RepTable, layout_of, plot_data, rep_status, rep_table
from .history_section import section as history_section

STATUS_WORD = {"ok": "within limits", "warn": "borderline", "bad": "fault", "na": "not measured"}


def _one(analysis: Analysis) -> str:
    """What one repetition of this exercise is called, capitalised: 'Rep', 'Step'."""
    return layout_of(analysis).title


def E(x) -> str:  # noqa: N802 - short on purpose: used everywhere below
    return html.escape(str(x), quote=True)


def _asset(name: str) -> str:
    return resources.files("analyzer").joinpath("templates", name).read_text(encoding="utf-8")


def _secs(t: float) -> str:
    return f"{t:.1f} s"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


# ---------------------------------------------------------------------------------------------


def render(analysis: Analysis) -> str:
    """The whole page as a string."""
    s = analysis.summary
    head = headline(analysis)
    table = rep_table(analysis)
    chains = [rep_chain(analysis, r) for r in analysis.reps]
    best = best_rep(analysis)
    data = plot_data(analysis)
    data.update(
        duration=round(analysis.duration_s, 3),
        reps=[dict(index=r["index"], start=_rel(analysis, r["start_s"]), bottom=_rel(analysis, r["bottom_s"]),
                   end=_rel(analysis, r["end_s"])) for r in analysis.reps],
        faults=[dict(code=f["code"], rep=f.get("rep"), side=f.get("side"), start=_rel(analysis, f["start_s"]),
                     end=_rel(analysis, f["end_s"]), status=fault_status(f), label=LABELS.get(f["code"], f["code"]))
                for f in analysis.faults],
        best_rep=best["index"] if best else None,
    )
    src = s.get("source", {})
    name = Path(src.get("path", "")).name or analysis.folder.name
    body = "\n".join([
        _header(analysis, head, name),
        '<main class="wrap">',
        *_hero_and_chain(analysis, _chain_section(analysis, chains, best)),
        _suggestions(analysis),
        _table(analysis, table),
        _plots(data, layout_of(analysis).plots_title),
        history_section(analysis),
        _limits(analysis, chains),
        _coach(analysis),
        "</main>",
        _footer(analysis),
    ])
    js = "\n" + _asset("report.js") + "\n"
    page = Template(_asset("report.html")).substitute(
        title=E(f"{_cap(exercise_name(s))} report — {name}"),
        css=_asset("report.css"),
        js=js,
        script_hash=script_hash(js),
        data=json_for_script(data),
        body=body,
    )
    return page


def script_hash(js: str) -> str:
    """The CSP source that allows exactly this inline script and no other: ``sha256-<base64>``."""
    return "sha256-" + base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")


def json_for_script(data) -> str:
    """JSON safe inside ``<script type="application/json">``: ``<``, ``>`` and ``&`` as \\u escapes,
    so no string in the data can close the element or open a comment (JSON.parse reads them back)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")




# Seeks land this far past an event's time: its first frame, not the one before (times in the
# summary are rounded to 1 ms, and a browser shows the last frame starting at or before the time).
SEEK_PAST = 0.002


def _seek(analysis: Analysis, t: float) -> float:
    return _rel(analysis, t) + SEEK_PAST


def _rel(analysis: Analysis, t: float) -> float:
    """A time on the replay's clock (it starts at the first frame)."""
    return round(max(0.0, float(t) - analysis.t0), 3)


# ---------------------------------------------------------------------------------------------
# Header


def _view_text(v: dict) -> str:
    label = v.get("label", "unknown")
    facing = v.get("facing")
    text = f"{label} view"
    if facing in ("left", "right"):
        text += f", facing {facing}"
    return text


def _header(analysis: Analysis, head: Headline, name: str) -> str:
    s = analysis.summary
    v = analysis.view
    n = len(analysis.reps)
    nf = len(analysis.faults)
    facts = [f"<li><b>{n}</b> rep{'s' if n != 1 else ''}</li>"]
    if s.get("partial_reps"):
        k = len(s["partial_reps"])
        facts.append(f"<li>+{k} incomplete</li>")
    conf = v.get("confidence")
    conf_text = f" · {100 * conf:.0f} % sure" if isinstance(conf, (int, float)) and not v.get("overridden") else ""
    facts.append(f"<li>{E(_view_text(v))}{conf_text}</li>")
    facts.append(f'<li class="{"st-" + head.status if nf else "st-ok"}"><b>{nf}</b> warning{"s" if nf != 1 else ""}</li>')
    dur = analysis.duration_s
    trim = (s.get("source") or {}).get("trim") or {}
    span = ""
    if isinstance(trim.get("start_s"), (int, float)) and isinstance(trim.get("end_s"), (int, float)):
        span = f" (its {float(trim['start_s']):.1f}–{float(trim['end_s']):.1f} s; times here from {float(trim['start_s']):.1f} s)"
    facts.append(f"<li>{E(name)} · {dur:.1f} s{E(span)}</li>")
    people = s.get("people") or {}
    if isinstance(people.get("seen"), int) and isinstance(people.get("analysed"), int) and people["seen"] > 1:
        which = ("the one exercising" if people["analysed"] == 1
                 else f"person {people['analysed']} by likelihood (--person)")
        facts.append(f'<li id="people">{people["seen"]} people seen · analysed {E(which)}</li>')
    details = "".join(f"<p>{E(d)}</p>" for d in head.details)
    return f"""<header class="top">
<div class="wrap">
<div class="brand"><span class="logo" aria-hidden="true"></span>kinetic · {E(exercise_name(s))} report</div>
<h1 class="headline st-{head.status}" id="headline">{E(head.title)}</h1>
<div class="head-details">{details}</div>
<ul class="facts">{''.join(facts)}</ul>
</div>
</header>"""


# ---------------------------------------------------------------------------------------------
# Video, timeline, warnings


def _hero_and_chain(analysis: Analysis, chain: str) -> list[str]:
    """A portrait video leaves room beside it: the chain goes under the warnings there."""
    src = analysis.summary.get("source", {})
    portrait = (src.get("height") or 9) > (src.get("width") or 16)
    return [_hero(analysis, chain if portrait else ""), "" if portrait else chain]


def _hero(analysis: Analysis, beside: str = "") -> str:
    src = analysis.summary.get("source", {})
    w, h = src.get("width") or 16, src.get("height") or 9
    if analysis.has_replay:
        player = (f'<video id="replay" src="replay.mp4" controls playsinline muted preload="auto" '
                  f'style="aspect-ratio:{int(w)}/{int(h)}"></video>')
    else:
        player = (f'<div class="no-video" style="aspect-ratio:{int(w)}/{int(h)}"><p>No replay in this folder '
                  f'(analysed with <code>--no-replay</code>). The timeline below still shows where each rep and '
                  f'warning is.</p></div>')
    portrait = h > w
    return f"""<section class="hero{' portrait' if portrait else ''}" aria-label="Replay">
<div class="player card">
{player}
{_timeline(analysis)}
</div>
<div class="side-col">
<div class="card warnings-card">
{_warnings(analysis)}
</div>
{beside}
</div>
</section>"""


def _nice_step(duration: float, target: int = 8) -> float:
    raw = max(duration, 1e-6) / target
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _timeline(analysis: Analysis) -> str:
    dur = max(analysis.duration_s, 1e-3)

    def pct(t: float) -> float:
        return max(0.0, min(100.0, 100.0 * t / dur))

    reps = []
    for r in analysis.reps:
        a, b = _rel(analysis, r["start_s"]), _rel(analysis, r["end_s"])
        nf = sum(1 for f in analysis.faults if f.get("rep") == r["index"])
        st = rep_status(analysis, r)
        reps.append(f'<button type="button" class="tl-rep st-{st}" data-seek="{a + SEEK_PAST:.3f}" data-rep="{E(r["index"])}" '
                    f'style="left:{pct(a):.3f}%;width:{max(pct(b) - pct(a), 0.8):.3f}%" '
                    f'title="{E(_one(analysis))} {E(r["index"])}: {a:.1f}–{b:.1f} s{f", {nf} warning" + ("s" if nf != 1 else "") if nf else ""}">'
                    f'<span>{E(r["index"])}</span></button>')
    for p in analysis.summary.get("partial_reps", []):
        a, b = _rel(analysis, p["start_s"]), _rel(analysis, p["end_s"])
        reps.append(f'<span class="tl-partial" style="left:{pct(a):.3f}%;width:{max(pct(b) - pct(a), 0.8):.3f}%" '
                    f'title="incomplete rep, not counted: {E(p.get("reason", ""))}"></span>')
    marks = []
    for i, f in enumerate(analysis.faults):
        a, b = _rel(analysis, f["start_s"]), _rel(analysis, f["end_s"])
        marks.append(f'<button type="button" class="tl-fault st-{fault_status(f)}" data-seek="{a + SEEK_PAST:.3f}" data-fault="{i}" '
                     f'style="left:{pct(a):.3f}%;width:{max(pct(b) - pct(a), 0.0):.3f}%" '
                     f'title="{E(fault_title(f, analysis.rules))} — rep {E(f.get("rep"))}, {a:.1f} s"><span>!</span></button>')
    step = _nice_step(dur)
    ticks = []
    k = 0
    while k * step <= dur + 1e-9:
        t = k * step
        ticks.append(f'<span style="left:{pct(t):.3f}%">{t:g} s</span>')
        k += 1
    lanes = f'<div class="tl-lane tl-reps" aria-label="Reps">{"".join(reps) or "<em>no complete rep</em>"}</div>'
    lanes += f'<div class="tl-lane tl-faults" aria-label="Warnings">{"".join(marks)}</div>'
    return f"""<div class="timeline" id="timeline" data-duration="{dur:.3f}">
<div class="tl-track">{lanes}<div class="tl-playhead" aria-hidden="true"></div></div>
<div class="tl-axis" aria-hidden="true">{''.join(ticks)}</div>
</div>"""


def _warnings(analysis: Analysis) -> str:
    faults = analysis.faults
    if not faults:
        n = len(analysis.reps)
        status = (analysis.summary.get("verdict") or {}).get("status")
        judged = (analysis.summary.get("verdict") or {}).get("judged") or []
        if status == "clean" and judged:
            words = ", ".join(LINK_WORDS.get(lk, lk) for lk in judged)
            note = f"Everything that was measured ({E(words)}) stayed within its limits. Tap a rep to jump to it."
        else:  # nothing judged, or not an exercise kinetic knows: no warning is not a clean bill
            note = "Nothing was judged, so no warning means nothing here: see the headline for why."
        body = (f'<p class="empty {"ok" if status == "clean" else "na"}">No warnings{f" in {n} rep" + ("s" if n != 1 else "") if n else ""}.</p>'
                f'<p class="muted">{note}</p>')
    else:
        items = []
        for f in sorted(faults, key=lambda f: (f["start_s"], f.get("side") or "")):
            j = faults.index(f)
            a = _rel(analysis, f["start_s"])
            items.append(
                f'<li><button type="button" class="warning st-{fault_status(f)}" data-seek="{a + SEEK_PAST:.3f}" data-fault="{j}">'
                f'<span class="w-time">{a:.1f} s</span>'
                f'<span class="w-body"><span class="w-title">{E(fault_title(f, analysis.rules))}</span>'
                f'<span class="w-meta">{E(_one(analysis))} {E(f.get("rep"))} · {E(fault_value_text(f, analysis.rules))} · {E(f.get("severity", ""))}</span></span>'
                f'</button></li>')
        body = f'<ol class="warnings" id="warnings">{"".join(items)}</ol>'
    reps = "".join(
        f'<button type="button" class="rep-chip st-{rep_status(analysis, r)}" '
        f'data-seek="{_seek(analysis, r["start_s"]):.3f}" data-rep="{E(r["index"])}">{E(_one(analysis))} {E(r["index"])}'
        f'<small>{_rel(analysis, r["bottom_s"]):.1f} s</small></button>'
        for r in analysis.reps)
    return (f'<h2>Warnings <span class="count">{len(faults)}</span></h2>{body}'
            f'<h2 class="reps-h">Jump to a {E(_one(analysis).lower())}</h2><div class="rep-chips">{reps or f"<p class=muted>No complete {E(_one(analysis).lower())}.</p>"}</div>'
            f'<p class="hint muted">Tap a warning or a {E(_one(analysis).lower())}: the replay jumps there.</p>')


# ---------------------------------------------------------------------------------------------
# The chain

# A side-view squat, facing right: where each link sits on the figure (viewBox 0 0 214 246).
FIGURE_NODES = {"foot": (124, 220), "ankle": (104, 206), "knee": (156, 160), "hip": (88, 140), "lumbar": (100, 110)}
FIGURE_LABELS = {"foot": (124, 240, "middle"), "ankle": (90, 203, "end"), "knee": (176, 165, "start"),
                 "hip": (74, 144, "end"), "lumbar": (86, 106, "end")}
FIGURE = """<g class="fig-body">
<circle cx="152" cy="36" r="17"/>
<path d="M140 62 Q112 84 100 110 Q92 126 88 140"/>
<path d="M136 68 L170 92 L192 86"/>
<path d="M88 140 L156 160 L104 206"/>
<path d="M90 220 L150 220 M104 206 L92 220"/>
</g>"""


def _figure(chain: RepChain) -> str:
    parts = []
    for ln in chain.links:
        x, y = FIGURE_NODES[ln.link]
        if ln.root:
            parts.append(f'<circle class="root-ring" cx="{x}" cy="{y}" r="15"/>')
        parts.append(f'<circle class="node st-{ln.status}" cx="{x}" cy="{y}" r="9"><title>{E(ln.title)}: '
                     f'{E(STATUS_WORD[ln.status])}</title></circle>')
        lx, ly, anchor = FIGURE_LABELS[ln.link]
        parts.append(f'<text x="{lx}" y="{ly}" text-anchor="{anchor}" class="fig-label st-{ln.status}">'
                     f'{E(ln.title.lower())}</text>')
    return (f'<svg class="figure" viewBox="0 0 214 246" role="img" aria-label="The kinetic chain on a squatting figure">'
            f'{FIGURE}{"".join(parts)}</svg>')


def _chain_links(chain: RepChain) -> str:
    items = []
    root_seen = False
    for ln in chain.links:  # foot first; CSS column-reverse shows the feet at the bottom
        badge = ""
        if ln.root:
            badge = '<span class="badge root">root cause</span>'
            root_seen = True
        elif ln.status in ("warn", "bad") and root_seen:
            badge = '<span class="badge follow">followed</span>'
        lines = "".join(f'<li class="st-{x.status}">{E(x.text)}</li>' for x in ln.lines)
        items.append(f'<li class="link st-{ln.status}{" is-root" if ln.root else ""}">'
                     f'<span class="dot" aria-hidden="true"></span>'
                     f'<div class="link-body"><div class="link-head"><b>{E(ln.title)}</b>'
                     f'<span class="status-word">{E(STATUS_WORD[ln.status])}</span>{badge}</div>'
                     f'<ul class="link-lines">{lines}</ul></div></li>')
    return f'<ol class="chain-links">{"".join(items)}</ol>'


def _chain_section(analysis: Analysis, chains: list[RepChain], best: dict | None) -> str:
    if not chains:
        return ('<section class="card" id="chain"><h2>The kinetic chain</h2>'
                '<p class="muted">No complete rep, so there is no chain to show.</p></section>')
    tabs = "".join(
        f'<button type="button" class="chain-tab st-{max((ln.status for ln in c.links), key=STATUS_RANK.get)}" '
        f'data-chain="{E(c.rep)}" aria-pressed="{"true" if best and c.rep == best["index"] else "false"}">{E(_one(analysis))} {E(c.rep)}</button>'
        for c in chains)
    panels = []
    for c in chains:
        hidden = "" if best and c.rep == best["index"] else " hidden"
        panels.append(f'<div class="chain-rep" data-chain-panel="{E(c.rep)}"{hidden}>'
                      f'<p class="story">{E(c.story)}</p>'
                      f'<div class="chain-wrap">{_figure(c)}{_chain_links(c)}</div></div>')
    which = (f"It opens on rep {E(best['index'])}, the rep that shows it best; picking a warning or a rep shows that rep."
             if best and len(chains) > 1 else "")
    return f"""<section class="card" id="chain">
<h2>The kinetic chain, from the feet up</h2>
<p class="lead">Weak or stiff feet limit the ankles; stiff ankles push the knees in or out; the hips and lower back
then compensate. Each link is <span class="key st-ok">green</span> within its limit,
<span class="key st-warn">amber</span> borderline, <span class="key st-bad">red</span> past it, or
<span class="key st-na">grey</span> when this view cannot see it. {E(which)}</p>
<div class="chain-tabs" role="group" aria-label="Choose a rep">{tabs if len(chains) > 1 else ''}</div>
{''.join(panels)}
</section>"""


# ---------------------------------------------------------------------------------------------
# Suggestions


def _suggestions(analysis: Analysis) -> str:
    sugg = analysis.summary.get("suggestions") or []
    if not sugg:
        hint = view_hint(analysis)
        verdict = analysis.summary.get("verdict") or {}
        if verdict.get("status") == "clean":
            words = ", ".join(LINK_WORDS.get(lk, lk) for lk in verdict.get("judged", []))
            text = f"Nothing to correct in what was measured ({E(words)})."
        elif verdict.get("status") == "faults":
            text = "No foot exercise addresses what was found; see the warnings above."
        else:
            text = "Nothing could be judged in this video, so there is nothing to prescribe yet."
        return f"""<section class="card" id="exercises">
<h2>What to work on</h2>
<p>{text}</p>
{f'<p class="muted">{E(_cap(hint))}: film that view too to check the rest of the chain.</p>' if hint and verdict.get("status") != "unknown_exercise" else ''}
</section>"""
    cards = []
    for x in sugg:
        why = x.get("why", "")
        trains = ""
        if "; this trains " in why:
            why, trains = why.split("; this trains ", 1)
        steps = "".join(f"<li>{E(i)}</li>" for i in x.get("instructions", []))
        cards.append(f"""<article class="exercise">
<div class="ex-num" aria-hidden="true">{E(x.get('number', ''))}</div>
<div class="ex-body"><h3>{E(x.get('name', ''))}</h3>
<p class="why"><b>Why:</b> {E(_cap(why))}.</p>
{f'<p class="trains"><b>{"It" if trains.split(" ", 1)[0].endswith("es") else "It trains"}</b> {E(trains)}.</p>' if trains else ''}
<ol class="steps">{steps}</ol></div>
</article>""")
    return f"""<section class="card" id="exercises">
<h2>What to work on</h2>
<p class="lead">Foot exercises for what went wrong, the root cause first. They come from the five foot
exercises of the Pilates article this tool is built on.</p>
<div class="exercises">{''.join(cards)}</div>
</section>"""


# ---------------------------------------------------------------------------------------------
# Per-rep table


def _table(analysis: Analysis, table: RepTable) -> str:
    if not table.rows:
        return ""
    head = ['<th scope="col">Rep</th>', f'<th scope="col">{E(table.key_moment)}</th>']
    head += [f'<th scope="col" title="{E(c.help)}">{E(c.title)}' + (f"<br><small>{E(c.sub)}</small>" if c.sub else "")
             + "</th>" for c in table.columns]
    if table.tempo:
        head.append('<th scope="col" title="seconds going down / holding near the bottom / coming up">'
                    f'{E(table.tempo[0])}<br><small>{E(table.tempo[1])}</small></th>')
    head += ['<th scope="col">Warnings</th>', '<th scope="col">Root cause</th>']
    rows = []
    for r in table.rows:
        cells = [f'<td><button type="button" class="rep-btn st-{r.status}" data-seek="{_seek(analysis, r.start_s):.3f}" '
                 f'data-rep="{E(r.index)}">{E(r.index)}</button></td>',
                 f'<td class="num">{_rel(analysis, r.bottom_s):.1f} s</td>']
        for c in table.columns:
            cell = r.cells[c.key]
            if len(cell.parts) == 1:
                text, st = cell.parts[0]
                cells.append(f'<td class="num{" st-" + st if st else ""}" title="{E(cell.title)}">{E(text)}</td>')
            else:
                worst = max((st for _, st in cell.parts if st), key=STATUS_RANK.get, default="")
                inner = '<span class="sep">/</span>'.join(f'<span class="v{" st-" + st if st else ""}">{E(text)}</span>'
                                                          for text, st in cell.parts)
                cls = f" has-{worst}" if worst in ("warn", "bad") else ""
                cells.append(f'<td class="num pair{cls}" title="{E(cell.title)}">{inner}</td>')
        if table.tempo:
            cells.append(f'<td class="num">{E(r.tempo)}</td>')
        chips = "".join(f'<span class="chip st-{fault_status(f)}">{E(fault_title(f))}</span>'
                        for f in r.faults) or '<span class="muted">none</span>'
        cells.append(f"<td>{chips}</td>")
        cells.append(f'<td>{E(r.root) if r.root else "<span class=muted>—</span>"}</td>')
        rows.append(f'<tr data-rep="{E(r.index)}">{"".join(cells)}</tr>')
    hidden = ""
    if table.hidden:
        names = ", ".join(c.plain for c in table.hidden)
        hidden = f'<p class="muted small">Not in the table because the {E(analysis.view.get("label", ""))} view cannot see them: {E(names)}.</p>'
    star = ""
    if any(r.cells.get("knee") and r.cells["knee"].text.endswith("*") for r in table.rows):
        star = '<p class="muted small">* knee bend estimated in 3D: this view cannot see the knee angle directly.</p>'
    return f"""<section class="card" id="reps">
<h2>{E(_one(analysis))} by {E(_one(analysis).lower())}</h2>
<div class="table-scroll"><table class="reps">
<thead><tr>{''.join(head)}</tr></thead>
<tbody>{''.join(rows)}</tbody>
</table></div>
{hidden}{star}
</section>"""


# ---------------------------------------------------------------------------------------------
# Plots (drawn by report.js)


def _plots(data: dict, title: str = "Angles over time") -> str:
    if not data["plots"]:
        return ""
    figs = []
    for i, p in enumerate(data["plots"]):
        legend = "".join(f'<span class="lg"><i style="background:{E(ln["colour"])}"></i>{E(ln["label"])}</span>'
                         for ln in p["lines"])
        if p["limits"]:
            legend += '<span class="lg"><i class="lim"></i>limit</span>'
        figs.append(f'<figure class="plot" data-plot="{i}"><figcaption><b>{E(p["title"])}</b> '
                    f'<span class="muted">{E(p["note"])}</span></figcaption>'
                    f'<div class="plot-area" role="img" aria-label="{E(p["title"])} over time"></div>'
                    f'<div class="legend">{legend}<span class="lg"><i class="band"></i>rep</span></div></figure>')
    return f"""<section class="card" id="plots">
<h2>{E(title)}</h2>
<p class="lead muted">Shaded: each rep. Dashed: the limit. Tap a plot to jump the replay there.</p>
<div class="plots">{''.join(figs)}</div>
</section>"""


# ---------------------------------------------------------------------------------------------
# What the view could not measure


def view_hint(analysis: Analysis) -> str:
    """What the view cannot see, for this exercise: its layout's sentence for the view, else the
    view's own (worded for the squat)."""
    hints = layout_of(analysis).view_hints
    if hints is None:
        return analysis.view.get("cannot_measure", "") or ""
    return hints.get(analysis.view.get("label", ""), "")


def _limits(analysis: Analysis, chains: list[RepChain]) -> str:
    s = analysis.summary
    v = analysis.view
    items = []
    hint = view_hint(analysis)
    ungraded = [r["index"] for r in analysis.reps
                if any(n.get("why") == FEET_TOO_SMALL for n in r.get("not_judged") or [])]
    if ungraded:  # the analysis could not grade these reps at all: first
        which = "no rep was graded" if len(ungraded) == len(analysis.reps) else \
            f"rep{'s' if len(ungraded) > 1 else ''} {', '.join(map(str, ungraded))} not graded"
        items.append(f"<li><b>{E(_cap(FEET_TOO_SMALL))}</b>: {E(which)}.</li>")
    if hint:
        items.append(f"<li><b>{E(_cap(hint))}.</b></li>")
    by_reason: dict[str, list[str]] = {}
    for c in chains:
        for ln in c.links:
            for line in ln.lines:
                if line.status == "na" and ": " in line.text and "not judged" not in line.text:
                    what, why = line.text.split(": ", 1)
                    if what not in by_reason.setdefault(why, []):
                        by_reason[why].append(what)
    for why, whats in by_reason.items():
        if hint and why.removeprefix("needs ").removeprefix("a ") in hint:
            continue  # already said by the view's own sentence
        items.append(f"<li>{E(_cap(why))}: {E(', '.join(whats))}.</li>")
    segs = v.get("segments") or []
    if len(segs) > 1:
        parts = ", ".join(f"{g['label']} {g['start_s']:.1f}–{g['end_s']:.1f} s" for g in segs)
        items.append(f"<li>The view changed during the video ({E(parts)}); each rep was judged in its own view.</li>")
    conf = v.get("confidence")
    if isinstance(conf, (int, float)) and conf < 0.6 and not v.get("overridden"):
        items.append(f"<li>The camera angle was hard to tell ({100 * conf:.0f} % sure). If it is wrong, "
                     f"run again with <code>--view side</code> or <code>--view front</code>.</li>")
    for p in s.get("partial_reps", []):
        items.append(f"<li>An incomplete rep around {p['bottom_s']:.1f} s was not counted: {E(p.get('reason', ''))}.</li>")
    rate = s.get("detection_rate")
    if isinstance(rate, (int, float)) and rate < 0.97:
        items.append(f"<li>The body was found in {100 * rate:.0f} % of the frames; the rest are gaps in the plots.</li>")
    items.append(f"<li>{layout_of(analysis).camera_note}</li>")  # trusted markup from the catalog
    if any((r.get("metrics") or {}).get("lumbar_flexion") is not None for r in analysis.reps):
        items.append("<li><b>The lower back is an estimate.</b> MediaPipe has no points on the spine: kinetic reads the "
                     "bend of your back's outline (the person mask) at the bottom against standing. It was checked on "
                     "rendered digital humans only, <em>not validated on real people</em>; loose clothing, a bar or "
                     "arms over the back lower its confidence, and below half it is not judged.</li>")
    return f"""<section class="card" id="limits">
<h2>What this video could not measure</h2>
<ul class="plain">{''.join(items)}</ul>
</section>"""


# ---------------------------------------------------------------------------------------------
# The numbers behind it


def _coach(analysis: Analysis) -> str:
    s = analysis.summary
    rows = []
    for f in analysis.faults:
        rows.append("<tr>" + "".join(f"<td>{x}</td>" for x in (
            E(f.get("rep")), E(f["code"]), E(f.get("side") or "—"), E(fmt(f["value"], f.get("unit", ""), digits=2, long=True)),
            E(fmt(f["threshold"], f.get("unit", ""), digits=1)), E("±" + fmt(f.get("error_band", 0), f.get("unit", ""), digits=1)),
            E(f.get("severity")), f"{_rel(analysis, f['onset_s']):.2f} s",
            f"{_rel(analysis, f['start_s']):.2f}–{_rel(analysis, f['end_s']):.2f} s", E(f.get("view")), E(f.get("link")))) + "</tr>")
    faults = ("<table class=data><thead><tr><th>Rep</th><th>Code</th><th>Side</th><th>Value</th><th>Threshold</th>"
              "<th>Error</th><th>Severity</th><th>Onset</th><th>Shown</th><th>View</th><th>Link</th></tr></thead>"
              f"<tbody>{''.join(rows)}</tbody></table>") if rows else "<p class=muted>No faults.</p>"
    rule_rows = []
    for code, r in analysis.rules.items():
        check = CHECKS.get(code)
        views = needs_view(check.view_metric).removeprefix("needs ") if check else "—"
        rule_rows.append("<tr>" + "".join(f"<td>{x}</td>" for x in (
            E(code), E(r.link), E(("< " if r.direction == "below" else "> ") + fmt(r.threshold, r.unit, long=True)),
            E(fmt(r.severe, r.unit) if r.severe is not None else "—"), E("±" + fmt(r.error_band, r.unit)), E(views),
            f'<span class="src">{E(r.source)}</span>')) + "</tr>")
    rules = ("<table class=data><thead><tr><th>Rule</th><th>Link</th><th>Flag when</th><th>Severe</th><th>Error</th>"
             f"<th>Seen from</th><th>Source</th></tr></thead><tbody>{''.join(rule_rows)}</tbody></table>")
    seg_rows = "".join(
        "<tr>" + "".join(f"<td>{E(x)}</td>" for x in (g.get("label"), f"{g.get('start_s', 0):.1f}–{g.get('end_s', 0):.1f} s",
                                                       (f"{g['azimuth_deg']:.0f}°" if g.get("azimuth_deg") is not None else "—"), f"{100 * (g.get('confidence') or 0):.0f} %",
                                                       g.get("facing"), g.get("near_side") or "—")) + "</tr>"
        for g in analysis.view.get("segments") or [])
    segs = ("<table class=data><thead><tr><th>View</th><th>Time</th><th>Azimuth</th><th>Confidence</th><th>Facing</th>"
            f"<th>Near leg</th></tr></thead><tbody>{seg_rows}</tbody></table>")
    metric_rows = []
    keys = []
    for r in analysis.reps:
        for k, val in (r.get("metrics") or {}).items():
            if val is not None and k not in keys:
                keys.append(k)
    if keys:
        head = "".join(f"<th>{E(_one(analysis))} {E(r['index'])}</th>" for r in analysis.reps)
        for k in keys:
            vals = "".join(f"<td class=num>{_g((r.get('metrics') or {}).get(k))}</td>" for r in analysis.reps)
            metric_rows.append(f"<tr><th scope=row><code>{E(k)}</code></th>{vals}</tr>")
        metrics = f"<table class='data narrow'><thead><tr><th>Metric</th>{head}</tr></thead><tbody>{''.join(metric_rows)}</tbody></table>"
    else:
        metrics = "<p class=muted>No rep metrics.</p>"
    src = s.get("source", {})
    model = s.get("model", {})
    t = s.get("timings", {})
    facts = [
        ("Source", f"{Path(src.get('path', '')).name} · {src.get('width')}×{src.get('height')} · {src.get('fps')} fps · "
                   f"{src.get('frames')} frames · {src.get('codec', '')}"),
        ("Body found in", f"{100 * (s.get('detection_rate') or 0):.1f} % of frames"),
        ("Model", model.get("name", "—")),
        ("Profile", (s.get("profile") or {}).get("origin", "—")),
        ("Analysed in", f"{t.get('total_s', 0):.1f} s (pose {t.get('pose_fps', 0):.0f} fps)" if t else "—"),
        ("kinetic", s.get("kinetic_version", "—")),
    ]
    dl = "".join(f"<dt>{E(k)}</dt><dd>{E(v)}</dd>" for k, v in facts)
    baselines = ", ".join(f"{k} {v:.3g}" for k, v in (s.get("baselines") or {}).items() if isinstance(v, (int, float)))
    # the folder's files, linked only where they exist (a folder from an older kinetic has fewer)
    links = [("summary.json", "summary.json"), ("frames.csv", "frames.csv"),
             ("frames.csv-metadata.json", "its units"), ("markers.trc", "markers.trc (OpenSim)"),
             ("angles.mot", "angles.mot (OpenSim)"), ("replay.mp4", "replay.mp4")]
    files = " · ".join(f'<a href="{name}">{text}</a>' for name, text in links if (analysis.folder / name).is_file())
    return f"""<details class="card coach" id="numbers">
<summary><h2>The numbers behind it <span class="muted">for coaches and physios</span></h2></summary>
<h3>Warnings</h3><div class="table-scroll">{faults}</div>
<h3>Per-rep metrics</h3><div class="table-scroll">{metrics}</div>
<h3>Thresholds</h3><div class="table-scroll">{rules}</div>
<h3>View</h3><div class="table-scroll">{segs}</div>
<h3>Standing baselines</h3><p class="small mono">{E(baselines) or '—'}</p>
<h3>Analysis</h3><dl class="facts-dl">{dl}</dl>
<p class="small">Files in this folder: {files}</p>
</details>"""


def _g(v) -> str:
    return "—" if not isinstance(v, (int, float)) or not math.isfinite(v) else f"{v:.3g}"


def _footer(analysis: Analysis) -> str:
    return (f'<footer class="wrap foot">Made by kinetic {E(__version__)} on this computer: nothing left it. '
            f'Angles from one camera are estimates, not a diagnosis.</footer>')
