"""``kinetic bench accuracy --split walk_dev|walk_test``: the Frankenstein walk on random renders.

Renders (or reuses) every clip of the split, runs ``kinetic analyze``'s own assessment with
``--exercise toe_walk`` (and ``--exercise auto``, which must not call a walk anything it
analyses), and scores against the renderer's gait truth (``gait`` of the truth file):

* steps: the analysis's complete steps against the rendered ones, exact per clip;
* the toes, per step, scored the way the squat bench scores a rule (:mod:`.score`): each true
  step is matched to the analysed step landing nearest in time (within 0.4 s); its true value is
  the renderer's least toe extension over the stance expressed in the reading's unit (foot
  lengths, :data:`CALIBRATION`: the reading regressed on the truth on walk_dev, classical
  calibration); truly dropped / truly up only when past / inside ``toes_dropped``'s threshold by
  more than its error band, **borderline** otherwise (not scored). The call is the rule's:
  fault, borderline, ok or not judged; a hit is a fault. Steps whose toes were not judged count
  as coverage, by view;
* the value error: |reading - truth| in foot lengths over the judged steps, with the profile's
  calibration and leave-one-clip-out (the calibration refitted without the step's clip: on
  walk_dev, its 90th percentile is ``toes_dropped``'s error band);
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
from .score import CodeScore, expected_view, truth_class

MATCH_S = 0.4
SECTION = "## The Frankenstein walk"
# The reading's calibration on the renderer's truth, fitted on walk_dev only (printed by
# ``kinetic bench accuracy --split walk_dev``): a judged step's toes (the near foot's big toe above
# the heel over its stance, against the foot's flat level, foot lengths) read
# a + b x the step's least toe extension (deg), by least squares over walk_dev's 24 judged steps
# (10 side-view clips; classical calibration, as analyzer/bench/calibrate.py). The truth in the
# reading's unit is a + b x deg; the rule's threshold is the truth's own boundary (the renderer's
# toes_up: 20 deg) in that unit, and its error band walk_dev's leave-one-clip-out 90th percentile
# of |reading - (a + b x deg)| (analyzer/profiles/toe_walk.toml).
CALIBRATION = (-0.0271, 0.00299)


def true_value(step: dict, calibration: tuple[float, float] = CALIBRATION) -> float:
    """A true step's toes in the reading's unit (foot lengths): a + b x its least toe extension."""
    a, b = calibration
    return a + b * float(step["toe_ext_min"])


def fit_calibration(values: list[tuple[str, float, float]]) -> dict:
    """The reading regressed on the truth over ``values`` [(clip, reading, least toe extension
    deg)]: {a, b, n, clips, loco: |reading - (a + b deg)| per step with a, b refitted without its
    clip (leave one clip out; empty when fewer than 3 clips)}."""
    clip = np.array([c for c, _, _ in values])
    x = np.array([r for _, r, _ in values], float)
    y = np.array([d for _, _, d in values], float)
    out = dict(a=float("nan"), b=float("nan"), n=len(x), clips=len(set(clip.tolist())), loco=[])
    if len(x) < 3 or np.ptp(y) <= 0:
        return out
    out["b"], out["a"] = (float(v) for v in np.polyfit(y, x, 1))
    if out["clips"] >= 3:
        for c in sorted(set(clip.tolist())):
            held = clip == c
            if np.ptp(y[~held]) <= 0:
                continue
            b, a = np.polyfit(y[~held], x[~held], 1)
            out["loco"] += np.abs(x[held] - (a + b * y[held])).tolist()
    return out


@dataclass
class WalkScore:
    clips: int = 0
    steps_exact: int = 0
    true_steps: int = 0
    found_steps: int = 0
    matched: int = 0
    rule: CodeScore = field(default_factory=CodeScore)  # toes_dropped, scored as the squat bench scores a rule
    calls: dict = field(default_factory=dict)  # (rendered toes "up"/"dropped", call) -> judged steps
    values: list = field(default_factory=list)  # (clip, reading, least toe extension deg) per judged step
    not_judged: dict = field(default_factory=dict)  # view -> steps whose toes were not judged
    judged: dict = field(default_factory=dict)  # view -> steps judged
    auto: dict = field(default_factory=dict)  # what --exercise auto said -> clips
    unjudged_clean: int = 0
    unjudged_clips: int = 0
    rows: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def _call(rep) -> str:
    """What the analysis said about a step's toes: fault, borderline, ok or not_judged."""
    if "toes_dropped" not in rep.judged_codes:
        return "not_judged"
    if any(f.code == "toes_dropped" for f in rep.faults):
        return "fault"
    if any(f.code == "toes_dropped" for f in rep.borderline):
        return "borderline"
    return "ok"


def _num(x) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.3f}"


def score_clip(name: str, view: str, truth: dict, walk, auto, sc: WalkScore, rule=None) -> None:
    """Score one clip: ``walk`` = assess(--exercise toe_walk), ``auto`` = assess(auto); ``rule``:
    the ``toes_dropped`` rule scored against (the packaged profile's by default)."""
    if rule is None:
        from ..profile import load_profile

        rule = load_profile(None, "toe_walk").rules["toes_dropped"]
    steps = [s for s in truth["gait"]["steps"] if s.get("rendered", True)]
    reps = walk.analysis.reps if walk.analysis is not None else []
    sc.clips += 1
    sc.true_steps += len(steps)
    sc.found_steps += len(reps)
    exact = len(reps) == len(steps)
    sc.steps_exact += exact
    sc.auto[auto.exercise] = sc.auto.get(auto.exercise, 0) + 1
    calls = []
    for s in steps:
        near = min(reps, key=lambda r: abs(r.bottom_s - s["contact_s"]), default=None)
        if near is None or abs(near.bottom_s - s["contact_s"]) > MATCH_S:
            calls.append("·")
            continue
        sc.matched += 1
        said = _call(near)
        value = true_value(s)
        klass = truth_class(value, rule)
        rendered = "up" if s["toes_up"] else "dropped"
        reading = near.metrics.get("toe_lift")
        label = (f"{name} step at {s['contact_s']:.1f} s ({s['foot']}): toes {rendered}, {s['toe_ext_min']:.0f}° "
                 f"at least (true {value:.3f} foot lengths), read {_num(reading)}")
        if said == "not_judged":
            sc.not_judged[view] = sc.not_judged.get(view, 0) + 1
            calls.append("n")
        else:
            sc.judged[view] = sc.judged.get(view, 0) + 1
            sc.calls[(rendered, said)] = sc.calls.get((rendered, said), 0) + 1
            if reading is not None and np.isfinite(reading):
                sc.values.append((name, float(reading), float(s["toe_ext_min"])))
                sc.rule.errors.append(float(reading) - value)
            wrong = (klass == "positive" and said != "fault") or (klass == "negative" and said == "fault")
            calls.append({"fault": "F", "borderline": "B", "ok": "U"}[said] + ("✗" if wrong else ""))
        if klass == "borderline":
            sc.rule.borderline += 1
        elif said == "not_judged":
            if klass == "positive":
                sc.rule.not_judged_pos += 1
            else:
                sc.rule.not_judged_neg += 1
        elif klass == "positive":
            if said == "fault":
                sc.rule.tp += 1
            else:
                sc.rule.fn += 1
                sc.rule.misses.append(f"{label} -> {said}")
        elif said == "fault":
            sc.rule.fp += 1
            sc.rule.false_alarms.append(f"{label} -> fault")
        else:
            sc.rule.tn += 1
    # judged anywhere by the analysis (a step the bench could not match to a true one counts too)
    if not any("toes_dropped" in r.judged_codes for r in reps):
        sc.unjudged_clips += 1
        if walk.verdict.status == "clean":
            sc.unjudged_clean += 1
            sc.notes.append(f"{name}: no step's toes judged, yet the verdict is clean")
    truth_calls = "".join(("U" if s["toes_up"] else "D") if truth_class(true_value(s), rule) != "borderline"
                          else ("u" if s["toes_up"] else "d") for s in steps)
    sc.rows.append((name, view, len(steps), len(reps), truth_calls, " ".join(calls), walk.verdict.status,
                    auto.exercise))


def run(scenarios: list, label: str, cache: Path, size, model: Path, out: Path | None, *, jobs: int = 1,
        rerender: bool = False, log=print) -> WalkScore:
    from ..assess import assess
    from ..profile import load_profile
    from ..synth import load_truth
    from ..track import PoseTrack

    t0 = time.perf_counter()
    folders = materialize_all(scenarios, cache, size, model, jobs=jobs, rerender=rerender, log=log)
    sc = WalkScore()
    rule = load_profile(None, "toe_walk").rules["toes_dropped"]
    failed, frames = [], 0
    for s, folder in zip(scenarios, folders):
        if folder is None or not (folder / "landmarks.npz").exists():
            failed.append(s.name)
            continue
        track = PoseTrack.load(folder / "landmarks.npz")
        truth = load_truth(folder / f"{s.name}.truth.json")
        frames += len(track)
        score_clip(s.name, expected_view(float(s.camera.azimuth)), truth, assess(track, exercise="toe_walk"),
                   assess(track), sc, rule)
    text = markdown(label, model, sc, failed, frames, time.perf_counter() - t0, out, rule)
    print(text)
    if out is not None:
        write_section(out, text)
        log(f"wrote the walk's section into {out}")
    return sc


def _span(text: str) -> tuple[int, int] | None:
    """Where the walk's section is in ``text``: from its :data:`SECTION` heading (at a line's
    start) to the next heading of its level or above ("## ", "# "), or the end; None if absent."""
    if text.startswith(SECTION):
        i = 0
    else:
        k = text.find("\n" + SECTION)
        if k < 0:
            return None
        i = k + 1
    ends = [j + 1 for j in (text.find("\n## ", i + 1), text.find("\n# ", i + 1)) if j >= 0]
    return i, min(ends, default=len(text))


def section_in(text: str) -> str:
    """The walk's section of a page (its heading to the next "## " or "# " heading), or ""."""
    span = _span(text)
    return "" if span is None else text[span[0]:span[1]].rstrip("\n") + "\n"


def with_section(page: str, section: str) -> str:
    """``page`` with the walk's ``section`` in it: replacing the one already there (only it: the
    sections after it are kept), else appended at the end."""
    span = _span(page)
    section = section.rstrip("\n") + "\n"
    if span is None:
        new = page.rstrip("\n") + ("\n\n" if page.strip() else "") + section
    else:
        rest = page[span[1]:]
        new = page[:span[0]] + section + ("\n" + rest if rest else "")
    return new.rstrip("\n") + "\n"


def write_section(path: Path, text: str) -> None:
    """Put ``text`` (starting with :data:`SECTION`) into ``path`` (:func:`with_section`); the rest of
    the file is kept. The foot bench (:mod:`.feet_bench`), which writes the rest, keeps this
    section in turn, so either can be re-run in either order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(with_section(old, text), encoding="utf-8")
    tmp.replace(path)


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f} ({a} / {b})" if b else "—"


def _pct(x: float, nd: int = 3) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.{nd}f}"


def _q(x, q: float) -> float:
    """The ``q``-th percentile of ``x`` (NaN when empty)."""
    return float(np.percentile(x, q)) if len(x) else float("nan")


def markdown(label: str, model: Path, sc: WalkScore, failed: list[str], frames: int, seconds: float,
             out: Path | None = None, rule=None) -> str:
    if rule is None:
        from ..profile import load_profile

        rule = load_profile(None, "toe_walk").rules["toes_dropped"]
    a, b = CALIBRATION
    r = sc.rule
    judged = sum(sc.judged.values())
    nj = sum(sc.not_judged.values())
    views = sorted(set(sc.judged) | set(sc.not_judged))
    err = np.abs(np.array(r.errors))
    fit = fit_calibration(sc.values)
    loco = np.array(fit["loco"])
    split = label.split()[1] if label.startswith("split ") else "?"
    thr_deg, band_deg = (rule.threshold - a) / b, rule.error_band / b
    lines = [
        f"{SECTION} (`toe_walk`)",
        "",
        f"**{label}** — kinetic {__version__}, model `{Path(model).name}`, {sc.clips} rendered clips, {frames} frames; "
        f"generated {_dt.date.today().isoformat()}. Made by `kinetic bench accuracy --split {split}"
        f"{f' --out {out}' if out is not None else ''}`.",
        "",
        "Each clip is a random anny body walking 4-6 slow steps (`[walk]` of `analyzer/bench/space.toml`, the renderer's "
        "gait: `analyzer/synth/gait.py`) with the toes lifted 28-40° - some steps' toes dropping to 0-12°, some holds "
        "cut short - or with the toes flat (the control), filmed mostly from the side, sometimes from an oblique front "
        "or the front. The renderer calls a step's toes up when the landing foot's toe extension never fell under 20° "
        "while it stood. Analysis: `kinetic analyze --exercise toe_walk`.",
        "",
        f"Scored as the squat bench scores a rule: a step's true value is its least toe extension in the reading's unit "
        f"(foot lengths: {a:.4f} + {b:.5f} x degrees, the reading regressed on the truth on walk_dev), truly dropped "
        f"or truly up only when past or inside `toes_dropped`'s threshold ({rule.threshold:.3f}, i.e. {thr_deg:.0f}°) "
        f"by more than its error band (±{rule.error_band:.3f}, i.e. ±{band_deg:.0f}° of toe extension), borderline "
        f"(not scored) otherwise. A call is a fault, borderline, ok or not judged; a hit is a fault.",
        "",
        "| | |",
        "|---|---:|",
        f"| steps exact, per clip | {_ratio(sc.steps_exact, sc.clips)} |",
        f"| steps found / rendered | {sc.found_steps} / {sc.true_steps} |",
        f"| toes judged (per rendered step) | {_ratio(judged, sc.true_steps)} |",
        f"| judged steps truly dropped / truly up / borderline (not scored) | "
        f"{r.tp + r.fn} / {r.tn + r.fp} / {sum(sc.calls.values()) - (r.tp + r.fn + r.tn + r.fp)} |",
        f"| toes dropped (the fault): hits / missed / false alarms | {r.tp} / {r.fn} / {r.fp} |",
        f"| toes dropped (the fault): precision | {_ratio(r.tp, r.tp + r.fp)} |",
        f"| toes dropped (the fault): recall | {_ratio(r.tp, r.tp + r.fn)} |",
        f"| value error, foot lengths: p50 / p90 (the profile's calibration) | {_pct(_q(err, 50))} / {_pct(_q(err, 90))} |",
        f"| value error, foot lengths, leave one clip out (calibration refitted on this split without the clip): "
        f"p50 / p90 | {_pct(_q(loco, 50))} / {_pct(_q(loco, 90))} |",
        f"| the reading regressed on the truth on this split ({fit['n']} steps, {fit['clips']} clips; only walk_dev's is used) | "
        f"{_pct(fit['a'], 4)} + {_pct(fit['b'], 5)} x deg |",
        f"| clips with no step's toes judged given `clean` (target 0) | {sc.unjudged_clean} of {sc.unjudged_clips} |",
        f"| `--exercise auto` on the walks | {', '.join(f'{k} {v}' for k, v in sorted(sc.auto.items()))} |",
        "",
        "The calls on the judged steps, by what the renderer did (all judged steps, borderline ones too):",
        "",
        "| rendered toes | fault | borderline | ok |",
        "|---|---:|---:|---:|",
        *(f"| {k} | " + " | ".join(str(sc.calls.get((k, c), 0)) for c in ("fault", "borderline", "ok")) + " |"
          for k in ("dropped", "up")),
        "",
        "Toes judged per view (steps): " + ", ".join(f"{v} {sc.judged.get(v, 0)} judged / {sc.not_judged.get(v, 0)} not"
                                                     for v in views) + f" (not judged in all: {nj}).",
        "",
        "Per clip: the true toes per step (U up, D dropped or flat; lower case: within the error band of the threshold, "
        "not scored) and the calls (F fault, B borderline, U ok; ✗ wrong; n not judged; · no step found there).",
        "",
        "| clip | view | steps | found | truth | calls | verdict | auto |",
        "|---|---|---:|---:|---|---|---|---|",
    ]
    lines += [f"| {n} | {v} | {a_} | {b_} | {tc} | {c} | {vd} | {au} |" for n, v, a_, b_, tc, c, vd, au in sc.rows]
    notes = ([f"missed: {m}" for m in r.misses] + [f"false alarm: {m}" for m in r.false_alarms] + list(sc.notes)
             + [f"failed to render: {f}" for f in failed])
    if notes:
        lines += ["", "Misses and false alarms:", "", *(f"- {m}" for m in notes)]
    lines += ["", f"Bench time: {seconds:.0f} s.", ""]
    return "\n".join(lines)
