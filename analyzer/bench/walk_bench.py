"""``kinetic bench accuracy --split walk_dev|walk_test``: the Frankenstein walk on random renders.

Renders (or reuses) every clip of the split, runs ``kinetic analyze``'s own assessment with
``--exercise toe_walk`` (and ``--exercise auto``, which must not call a walk anything it
analyses), and scores against the renderer's gait truth (``gait`` of the truth file):

* steps: the analysis's complete steps against the rendered ones, exact per clip;
* toes up, per step: each true step is matched to the analysed step landing nearest in time
  (within 0.4 s); where the toes were judged, "up" = no ``toes_dropped`` fault (a borderline
  value is not a fault). Precision / recall of "toes up" and of the fault ("toes dropped");
  steps whose toes were not judged count as coverage, by view;
* the verdict of a clip whose toes could not be judged anywhere must not be ``clean``.

The Markdown section is printed and, with ``--out``, written into that file as its own section
("## The Frankenstein walk ..."), replacing an earlier one and keeping the rest of the file.
"""
from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import __version__
from .runner import materialize_all
from .score import expected_view

MATCH_S = 0.4
SECTION = "## The Frankenstein walk"


@dataclass
class WalkScore:
    clips: int = 0
    steps_exact: int = 0
    true_steps: int = 0
    found_steps: int = 0
    matched: int = 0
    tp: int = 0  # toes up, called up
    fp: int = 0  # toes dropped, called up
    fn: int = 0  # toes up, called dropped
    tn: int = 0  # toes dropped, called dropped
    not_judged: dict = field(default_factory=dict)  # view -> steps whose toes were not judged
    judged: dict = field(default_factory=dict)  # view -> steps judged
    auto: dict = field(default_factory=dict)  # what --exercise auto said -> clips
    unjudged_clean: int = 0
    unjudged_clips: int = 0
    rows: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def score_clip(name: str, view: str, truth: dict, walk, auto, sc: WalkScore) -> None:
    """Score one clip: ``walk`` = assess(--exercise toe_walk), ``auto`` = assess(auto)."""
    steps = [s for s in truth["gait"]["steps"] if s.get("rendered", True)]
    reps = walk.analysis.reps if walk.analysis is not None else []
    sc.clips += 1
    sc.true_steps += len(steps)
    sc.found_steps += len(reps)
    exact = len(reps) == len(steps)
    sc.steps_exact += exact
    sc.auto[auto.exercise] = sc.auto.get(auto.exercise, 0) + 1
    judged_here = 0
    calls = []
    for s in steps:
        near = min(reps, key=lambda r: abs(r.bottom_s - s["contact_s"]), default=None)
        if near is None or abs(near.bottom_s - s["contact_s"]) > MATCH_S:
            calls.append("·")
            continue
        sc.matched += 1
        if "toes_dropped" not in near.judged_codes:
            sc.not_judged[view] = sc.not_judged.get(view, 0) + 1
            calls.append("n")
            continue
        sc.judged[view] = sc.judged.get(view, 0) + 1
        judged_here += 1
        up = "toes_dropped" not in [f.code for f in near.faults]
        truth_up = bool(s["toes_up"])
        calls.append(("U" if up else "D") + ("" if up == truth_up else "✗"))
        if truth_up and up:
            sc.tp += 1
        elif truth_up:
            sc.fn += 1
            sc.notes.append(f"{name} step at {s['contact_s']:.1f} s ({s['foot']}): toes up ({s['toe_ext_min']:.0f}° "
                            f"at least) read {near.metrics.get('toe_lift')!s:.6} -> called dropped")
        elif up:
            sc.fp += 1
            sc.notes.append(f"{name} step at {s['contact_s']:.1f} s ({s['foot']}): toes down to {s['toe_ext_min']:.0f}° "
                            f"read {near.metrics.get('toe_lift')!s:.6} -> called up")
        else:
            sc.tn += 1
    if judged_here == 0:
        sc.unjudged_clips += 1
        if walk.verdict.status == "clean":
            sc.unjudged_clean += 1
            sc.notes.append(f"{name}: no step's toes judged, yet the verdict is clean")
    truth_calls = "".join("U" if s["toes_up"] else "D" for s in steps)
    sc.rows.append((name, view, len(steps), len(reps), truth_calls, " ".join(calls), walk.verdict.status,
                    auto.exercise))


def run(scenarios: list, label: str, cache: Path, size, model: Path, out: Path | None, *, jobs: int = 1,
        rerender: bool = False, log=print) -> WalkScore:
    from ..assess import assess
    from ..synth import load_truth
    from ..track import PoseTrack

    t0 = time.perf_counter()
    folders = materialize_all(scenarios, cache, size, model, jobs=jobs, rerender=rerender, log=log)
    sc = WalkScore()
    failed, frames = [], 0
    for s, folder in zip(scenarios, folders):
        if folder is None or not (folder / "landmarks.npz").exists():
            failed.append(s.name)
            continue
        track = PoseTrack.load(folder / "landmarks.npz")
        truth = load_truth(folder / f"{s.name}.truth.json")
        frames += len(track)
        score_clip(s.name, expected_view(float(s.camera.azimuth)), truth, assess(track, exercise="toe_walk"),
                   assess(track), sc)
    text = markdown(label, model, sc, failed, frames, time.perf_counter() - t0, out)
    print(text)
    if out is not None:
        write_section(out, text)
        log(f"wrote the walk's section into {out}")
    return sc


def write_section(path: Path, text: str) -> None:
    """Put ``text`` (starting with :data:`SECTION`) into ``path``: replacing the section already
    there (up to the next top-level heading, or the end), else appended; the rest is kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    i = old.find(SECTION)
    if i < 0:
        new = old.rstrip("\n") + ("\n\n" if old.strip() else "") + text
    else:
        j = old.find("\n# ", i)
        new = old[:i] + text + (old[j + 1:] if j >= 0 else "")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(new.rstrip("\n") + "\n", encoding="utf-8")
    tmp.replace(path)


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f} ({a} / {b})" if b else "—"


def markdown(label: str, model: Path, sc: WalkScore, failed: list[str], frames: int, seconds: float,
             out: Path | None = None) -> str:
    judged = sum(sc.judged.values())
    nj = sum(sc.not_judged.values())
    views = sorted(set(sc.judged) | set(sc.not_judged))
    lines = [
        f"{SECTION} (`toe_walk`)",
        "",
        f"**{label}** — kinetic {__version__}, model `{Path(model).name}`, {sc.clips} rendered clips, {frames} frames; "
        f"generated {_dt.date.today().isoformat()}. Made by `kinetic bench accuracy --split "
        f"{label.split()[1] if label.startswith('split ') else '?'}"
        f"{f' --out {out}' if out is not None else ''}`.",
        "",
        "Each clip is a random anny body walking 4-6 slow steps (`[walk]` of `analyzer/bench/space.toml`, the renderer's "
        "gait: `analyzer/synth/gait.py`) with the toes lifted 28-40° - some steps' toes dropping to 0-12°, some holds "
        "cut short - or with the toes flat (the control), filmed mostly from the side, sometimes from an oblique front "
        "or the front. A step's toes are truly up when the landing foot's toe extension never fell under 20° while it "
        "stood. Analysis: `kinetic analyze --exercise toe_walk`.",
        "",
        "| | |",
        "|---|---:|",
        f"| steps exact, per clip | {_ratio(sc.steps_exact, sc.clips)} |",
        f"| steps found / rendered | {sc.found_steps} / {sc.true_steps} |",
        f"| toes judged (per rendered step) | {_ratio(judged, sc.true_steps)} |",
        f"| toes up: precision | {_ratio(sc.tp, sc.tp + sc.fp)} |",
        f"| toes up: recall | {_ratio(sc.tp, sc.tp + sc.fn)} |",
        f"| toes dropped (the fault): precision | {_ratio(sc.tn, sc.tn + sc.fn)} |",
        f"| toes dropped (the fault): recall | {_ratio(sc.tn, sc.tn + sc.fp)} |",
        f"| clips with no step's toes judged given `clean` (target 0) | {sc.unjudged_clean} of {sc.unjudged_clips} |",
        f"| `--exercise auto` on the walks | {', '.join(f'{k} {v}' for k, v in sorted(sc.auto.items()))} |",
        "",
        "Toes judged per view (steps): " + ", ".join(f"{v} {sc.judged.get(v, 0)} judged / {sc.not_judged.get(v, 0)} not"
                                                     for v in views) + f" (not judged in all: {nj}).",
        "",
        "Per clip: the true toes per step (U up, D dropped or flat) and the calls (U, D; ✗ wrong; n not judged; "
        "· no step found there).",
        "",
        "| clip | view | steps | found | truth | calls | verdict | auto |",
        "|---|---|---:|---:|---|---|---|---|",
    ]
    lines += [f"| {n} | {v} | {a} | {b} | {tc} | {c} | {vd} | {au} |" for n, v, a, b, tc, c, vd, au in sc.rows]
    notes = list(sc.notes) + [f"failed to render: {f}" for f in failed]
    if notes:
        lines += ["", "Misses and false alarms:", "", *(f"- {m}" for m in notes)]
    lines += ["", f"Bench time: {seconds:.0f} s.", ""]
    return "\n".join(lines)
