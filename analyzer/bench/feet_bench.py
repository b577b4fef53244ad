"""``kinetic bench accuracy --split feet_dev|feet_test``: the five foot exercises on random renders.

Renders (or reuses) every clip of the split, runs ``kinetic analyze``'s own assessment twice
(``--exercise <the rendered one>`` and ``--exercise auto``), scores it with :mod:`.feet_score`
and prints (and writes) a Markdown table: per exercise and rule TP/FP/FN/TN, precision, recall,
coverage; reps exact per clip; the exercise detected; faults on good reps; every miss and false
alarm with its true and read value.
"""
from __future__ import annotations

import datetime as _dt
import time
from pathlib import Path

import numpy as np

from .. import __version__
from .feet_score import FootScore, score_clip
from .generate import load_space
from .runner import materialize_all
from .score import expected_view

TARGET_PR = 0.9
MIN_POSITIVES = 8


def run(scenarios: list, label: str, cache: Path, size, model: Path, out: Path | None, *, jobs: int = 1,
        rerender: bool = False, log=print) -> FootScore:
    from ..assess import assess
    from ..synth import load_truth
    from ..track import PoseTrack

    cards = load_space()["feet"]
    t0 = time.perf_counter()
    folders = materialize_all(scenarios, cache, size, model, jobs=jobs, rerender=rerender, log=log)
    score = FootScore()
    failed, frames = [], 0
    for sc, folder in zip(scenarios, folders):
        if folder is None or not (folder / "landmarks.npz").exists():
            failed.append(sc.name)
            continue
        track = PoseTrack.load(folder / "landmarks.npz")
        truth = load_truth(folder / f"{sc.name}.truth.json")
        frames += len(track)
        on_card = expected_view(float(sc.camera.azimuth)) in cards[sc.exercise]["sees"]
        score_clip(sc.name, sc.exercise, truth, assess(track, exercise=sc.exercise), assess(track), score, on_card)
    text = markdown(label, model, score, failed, frames, time.perf_counter() - t0)
    print(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(kept(text, out.read_text(encoding="utf-8") if out.exists() else ""), encoding="utf-8")
        log(f"wrote {out}")
    return score


def kept(new: str, old: str) -> str:
    """The freshly generated page ``new`` with what ``old`` (the page it replaces) holds that this
    bench does not write: its hand-written sections (:data:`.accuracy.KEEP_MARK`) and the
    Frankenstein walk's section, which ``--split walk_*`` writes into the same page (at the end)."""
    from .accuracy import with_kept_sections
    from .walk_bench import section_in, with_section

    page = with_kept_sections(new, old) if old else new
    walk = section_in(old)
    return with_section(page, walk) if walk else page


def _fmt(x, nd: int = 2) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.{nd}f}"


def markdown(label: str, model: Path, score: FootScore, failed: list[str], frames: int, seconds: float) -> str:
    n = sum(score.clips.values())
    lines = [
        "# Accuracy of the foot exercises on the digital-human bench",
        "",
        f"**{label}** — kinetic {__version__}, model `{Path(model).name}`, {n + score.off_card} rendered clips "
        f"({n} filmed where the exercise's card asks), {frames} frames; "
        f"generated {_dt.date.today().isoformat()}.",
        "",
        "Each clip is one of the five foot exercises drawn at random from `[feet]` of `analyzer/bench/space.toml`: "
        "a random body, a camera mostly where the exercise's card asks for it (sometimes elsewhere), 2-4 reps, "
        "each good or with one fault from clearly fine to clearly faulty (low heels or toes, short holds, fast "
        "lowering, sickling, phase-order errors, heels dropping while straightening, small rolls, limited point "
        "or flex, rushed rounds). A rep's true value is the rule's own quantity on the exact skeleton; "
        "positive / negative when beyond / inside the threshold by more than the rule's error band "
        "(borderline reps are not scored). Counts and faults: `kinetic analyze --exercise <it>`.",
        "",
        "## Counts and the exercise",
        "",
        "| exercise | clips | reps exact | reps exact with `--exercise auto` | detected by `auto` |",
        "|---|---:|---:|---:|---:|",
    ]
    for ex in sorted(score.clips):
        c = score.clips[ex]
        lines.append(f"| {ex} | {c} | {score.counts_exact[ex]} / {c} | {score.counts_exact_auto[ex]} / {c} | "
                     f"{score.detected[ex]} / {c} |")
    tot = {k: sum(getattr(s, k) for s in score.codes.values()) for k in ("tp", "fp", "fn", "tn")}
    lines += [
        f"| **all** | {n} | {sum(score.counts_exact.values())} / {n} | {sum(score.counts_exact_auto.values())} / {n} | "
        f"{sum(score.detected.values())} / {n} |",
        "",
        "## Faults, per exercise and rule",
        "",
        "| exercise | rule | true + | hits | missed | false alarms | true − | borderline | not judged | coverage | "
        "precision | recall | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for (ex, code), sc in sorted(score.codes.items()):
        if sc.positives >= MIN_POSITIVES:
            ok = sc.recall >= TARGET_PR and (not np.isfinite(sc.precision) or sc.precision >= TARGET_PR)
            target = f"P, R ≥ {TARGET_PR} {'✅' if ok else '❌'}"
        else:
            target = f"(< {MIN_POSITIVES} positives)" + (" ❌ false alarms" if sc.fp else "")
        lines.append(f"| {ex} | {code} | {sc.positives} | {sc.tp} | {sc.fn} | {sc.fp} | {sc.tn} | {sc.borderline} | "
                     f"{sc.not_judged_pos + sc.not_judged_neg} | {_fmt(sc.coverage)} | {_fmt(sc.precision)} | {_fmt(sc.recall)} | {target} |")
    p = tot["tp"] / (tot["tp"] + tot["fp"]) if tot["tp"] + tot["fp"] else float("nan")
    r = tot["tp"] / (tot["tp"] + tot["fn"]) if tot["tp"] + tot["fn"] else float("nan")
    lines += [f"| **all** | | {tot['tp'] + tot['fn']} | {tot['tp']} | {tot['fn']} | {tot['fp']} | {tot['tn']} | | | | "
              f"**{_fmt(p)}** | **{_fmt(r)}** | |", ""]
    good = score.good_reps_faulted / score.good_reps if score.good_reps else float("nan")
    lines += [f"Reps with nothing truly wrong that got a fault: {score.good_reps_faulted} / {score.good_reps} "
              f"= {_fmt(good, 3)}.", "",
              f"Reps that move less than the exercise's own rep threshold (not expected in the counts, not "
              f"scored): {score.too_small}.", "",
              f"Clips filmed from a view the exercise's own measure cannot be read from (counts not scored there; "
              f"the verdict must be \"not judged\"): {score.off_card}, of which given a `clean` verdict: "
              f"**{score.off_card_clean}** (target 0).", ""]
    notes = list(score.notes)
    for (ex, code), sc in sorted(score.codes.items()):
        notes += [f"missed {ex} {code}: {m}" for m in sc.misses]
        notes += [f"false alarm {ex} {code}: {m}" for m in sc.false_alarms]
    notes += [f"failed to render: {f}" for f in failed]
    if notes:
        lines += ["## What went wrong, case by case", "", *(f"- {m}" for m in notes), ""]
    lines += [f"Bench time: {seconds:.0f} s.", ""]
    return "\n".join(lines)
