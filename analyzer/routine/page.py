"""The routine's page, ``report.html``: the steps (done or skipped, reps or seconds against the
target, each graded step's verdict and a link to its own report), the earlier routines, and for
each graded step the report's "Your last sessions" (its trend, from the step folder's
``history.json``: the same section as the step's own report). One self-contained file.
"""
from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

from ..atomic import write_text

STATUS_CLASS = {"clean": "ok", "faults": "bad", "not_judged": "na", "unknown_exercise": "na"}
STEP_STATUS = {"done": "done", "skipped": "skipped", "not_reached": "not reached", "not_played": "not played"}


def E(x) -> str:  # noqa: N802
    return html.escape(str(x), quote=True)


def _css() -> str:
    try:
        return resources.files("analyzer").joinpath("templates/report.css").read_text(encoding="utf-8")
    except (OSError, FileNotFoundError):
        return ""


def _did(r: dict) -> str:
    if r["status"] != "done":
        return "—"
    if r["graded"]:
        return f"{r['reps']} of {r['target']['reps']} {r['target']['unit']}"
    return f"{r.get('seconds') or 0:.0f} s of {r['target']['seconds']} s"


def _grade(r: dict) -> tuple[str, str]:
    if not r["graded"]:
        return "not graded (timed only)", "na"
    if r["status"] != "done":
        return "—", "na"
    st = r.get("grade") or ""
    return (r.get("headline") or st.replace("_", " ")), STATUS_CLASS.get(st, "na")


def _history_sections(folder: Path, summary: dict) -> list[str]:
    try:
        from ..report.history_section import section
    except ImportError:
        return []
    out = []
    for r in summary["steps"]:
        if not (r["graded"] and r["status"] == "done" and r.get("folder")):
            continue
        step_dir = folder / r["folder"]
        try:
            step_summary = json.loads((step_dir / "summary.json").read_text(encoding="utf-8"))
            sec = section(SimpleNamespace(folder=step_dir, summary=step_summary))
        except Exception:  # noqa: BLE001 - a step's trend missing leaves the rest of the page
            continue
        if sec:
            sec = sec.replace('id="history"', f'id="history-{r["number"]}"', 1).replace(
                "<h2>Your last sessions</h2>", f"<h2>Your last sessions: {E(r['title'])}</h2>", 1)
            out.append(sec)
    return out


def render_page(folder: Path, summary: dict, earlier: list[dict]) -> str:
    v = summary["verdict"]
    rows = []
    for r in summary["steps"]:
        grade, cls = _grade(r)
        link = (f'<a href="{E(r["folder"])}/report.html">report</a>' if r.get("folder") else "")
        note = " ".join(x for x in (r.get("note", ""), r.get("setup", "")) if x)
        rows.append(f'<tr data-step="{r["number"]}" data-status="{E(r["status"])}"><td>{r["number"]}</td>'
                    f'<td><b>{E(r["title"])}</b><br><span class="muted small">{E(note)}</span></td>'
                    f'<td>{E(STEP_STATUS.get(r["status"], r["status"]))}</td><td>{E(_did(r))}</td>'
                    f'<td class="st-{cls}">{E(grade)}</td><td>{link}</td></tr>')
        w = r.get("walk")
        if w:  # the Frankenstein walk, after the toe lifts: graded like a step when it ran
            grade, cls = _grade(w) if w.get("analysed") else ("not played" if w["status"] == "not_played" else "—", "na")
            link = (f'<a href="{E(w["folder"])}/report.html">report</a>' if w.get("folder") else "")
            note = " ".join(x for x in (w.get("note", ""), w.get("setup", "")) if x)
            rows.append(f'<tr data-step="{r["number"]}b" data-status="{E(w["status"])}"><td></td>'
                        f'<td><b>{E(w["title"])}</b><br><span class="muted small">{E(note)}</span></td>'
                        f'<td>{E(STEP_STATUS.get(w["status"], w["status"]))}</td><td>{E(_did(w))}</td>'
                        f'<td class="st-{cls}">{E(grade)}</td><td>{link}</td></tr>')
    this = dict(started_at=summary["started_at"], reps=v["steps_done"], status=v["status"],
                duration_s=summary["source"]["duration_s"], current=True)
    past = [dict(s) for s in earlier][-9:] + [this]
    hist = ""
    if len(past) > 1:
        prow = "".join(f'<tr{" class=cur" if s.get("current") else ""}><td>{E(str(s.get("started_at", ""))[:16].replace("T", " "))}'
                       f'{" (this one)" if s.get("current") else ""}</td><td>{s.get("reps")} of 5</td>'
                       f'<td>{(s.get("duration_s") or 0) / 60:.1f} min</td></tr>' for s in past)
        hist = (f'<section class="card" id="routines"><h2>Your last routines</h2><table class="reps">'
                f'<thead><tr><th>date</th><th>steps done</th><th>time</th></tr></thead><tbody>{prow}</tbody>'
                f'</table></section>')
    trends = "".join(_history_sections(folder, summary))
    cls = "ok" if v["status"] == "done" and not v["steps_with_faults"] else ("warn" if v["status"] == "partial" else "bad")
    details = "".join(f"<p>{E(d)}</p>" for d in v["details"])
    speech = summary.get("speech") or {}
    facts = [f"started {summary['started_at'][:16].replace('T', ' ')}", f"{summary['source']['duration_s'] / 60:.1f} min",
             "short programme" if summary["short"] else "full programme",
             "from videos" if "videos" in summary["input"] else f"camera {summary['input']['camera']}"]
    if speech.get("asked"):
        facts.append(f"spoken count: {speech.get('state')}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>kinetic routine {E(summary['started_at'][:10])}</title>
<style>{_css()}
table.steps {{ width: 100%; border-collapse: collapse; }} table.steps td, table.steps th {{ text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }}
td.st-ok {{ color: var(--ok); }} td.st-bad {{ color: var(--bad); }} td.st-na {{ color: var(--ink3); }} main.wrap > section {{ margin: 16px 0; }}
</style></head>
<body><header class="top"><div class="wrap"><div class="brand"><span class="logo"></span>kinetic · daily foot routine</div>
<h1 class="headline st-{cls}">{E(v['headline'][:1].upper() + v['headline'][1:])}</h1>
<div class="head-details">{details}</div>
<ul class="facts">{''.join(f'<li>{E(f)}</li>' for f in facts)}</ul></div></header>
<main class="wrap">
<section class="card" id="steps"><h2>The steps</h2>
<table class="steps"><thead><tr><th>#</th><th>exercise</th><th>status</th><th>done</th><th>grade</th><th></th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<p class="muted small">Graded steps are analysed by the exercise's own analysis (as <code>kinetic analyze</code>); each links to its
full report. The self-massage is timed, not graded. The Frankenstein walk counts the steps and judges, per step, whether
the toes stayed up (on the foot nearer the camera: film it from the side).</p></section>
{hist}
{trends}
</main></body></html>
"""


def write_page(folder: Path, summary: dict, earlier: list[dict]) -> Path:
    target = Path(folder) / "report.html"
    write_text(target, render_page(Path(folder), summary, earlier))
    return target
