"""``kinetic bench accuracy``: the analyzer against exact truth on rendered digital humans.

Runs ``kinetic analyze``'s own assessment (pose quality, view, exercise detection, analysis,
verdict) on every clip of a split or suite and writes (Markdown) per fault code TP/FP/FN,
precision, recall, coverage and the per-rep value error; the false-fault rate on good reps; reps,
views and exercises right; verdict statuses per view; per-frame angle errors.
"""
from __future__ import annotations

import datetime as _dt
import time
from pathlib import Path

import numpy as np

from .. import __version__
from .runner import BenchCase, load_case, materialize_all
from .score import BenchScore, expected_view, score_case

# The targets for the test split.
MIN_POSITIVES = 15
TARGET_PR = 0.9
TARGET_GOOD_FALSE = 0.05
TARGET_REPS = 0.98
TARGET_VIEWS = 0.95


def run(scenarios: list, label: str, cache: Path, size, model: Path, out: Path | None, *, jobs: int = 1,
        rerender: bool = False, real: Path | None = None, log=print) -> dict:
    """Render/pose what is not cached, assess and score every clip, print (and write) the table;
    with ``real`` (a folder like ../shared/data), also the verdicts on its real clips."""
    t0 = time.perf_counter()
    folders = materialize_all(scenarios, cache, size, model, jobs=jobs, rerender=rerender, log=log)
    t_render = time.perf_counter() - t0
    cases: list[BenchCase] = []
    failed = []
    t1 = time.perf_counter()
    for sc, folder in zip(scenarios, folders):
        if folder is None or not (folder / "landmarks.npz").exists():
            failed.append(sc.name)
            continue
        cases.append(load_case(sc, folder))
    score = BenchScore()
    profiles: dict = {}
    for case in cases:
        score_case(case, score, profiles)
    t_analysis = time.perf_counter() - t1
    real_lines = []
    if real is not None and (real / "videos").is_dir():
        from .real import table

        real_lines = table(real, cache, model, log=log)
    result = dict(cases=cases, score=score, failed=failed, label=label, seconds=time.perf_counter() - t0,
                  render_s=t_render, analysis_s=t_analysis, real=real_lines)
    text = markdown(label, model, result)
    print(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            text = with_kept_sections(text, out.read_text())
        out.write_text(text)
        log(f"wrote {out}")
    return result


def _fmt(x, nd: int = 2) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.{nd}f}"


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def fault_table(score: BenchScore) -> list[str]:
    lines = ["| fault | true + | hits | missed | false alarms | true − | borderline (not scored) | not judged (+/−) | "
             "coverage | precision | recall | value error p50 / p90 | target |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for code, sc in sorted(score.codes.items()):
        e = np.abs(np.array(sc.errors)) if sc.errors else np.array([np.nan])
        if sc.positives >= MIN_POSITIVES:
            ok = (sc.precision >= TARGET_PR if np.isfinite(sc.precision) else False) and sc.recall >= TARGET_PR
            target = f"P, R ≥ {TARGET_PR} {_mark(ok)}"
        else:
            target = f"(< {MIN_POSITIVES} positives)"
        lines.append(f"| {code} | {sc.positives} | {sc.tp} | {sc.fn} | {sc.fp} | {sc.tn} | {sc.borderline} | "
                     f"{sc.not_judged_pos} / {sc.not_judged_neg} | {_fmt(sc.coverage)} | {_fmt(sc.precision)} | "
                     f"{_fmt(sc.recall)} | {_fmt(np.nanpercentile(e, 50))} / {_fmt(np.nanpercentile(e, 90))} | {target} |")
    tot = {k: sum(getattr(s, k) for s in score.codes.values()) for k in ("tp", "fp", "fn", "tn")}
    p = tot["tp"] / (tot["tp"] + tot["fp"]) if tot["tp"] + tot["fp"] else float("nan")
    r = tot["tp"] / (tot["tp"] + tot["fn"]) if tot["tp"] + tot["fn"] else float("nan")
    lines.append(f"| **all** | {tot['tp'] + tot['fn']} | {tot['tp']} | {tot['fn']} | {tot['fp']} | {tot['tn']} | | | | "
                 f"**{_fmt(p)}** | **{_fmt(r)}** | | |")
    return lines


def markdown(label: str, model: Path, r: dict) -> str:
    score: BenchScore = r["score"]
    cases: list[BenchCase] = r["cases"]
    n_reps = sum(len(c.truth["reps"]) for c in cases if c.exercise == "squat")
    declined = set(score.declined)
    squat_clips = sum(1 for c in cases if c.exercise != "lunge" and c.name not in declined)
    lines = [
        "# Accuracy on the digital-human bench",
        "",
        f"**{label}** — kinetic {__version__}, model `{Path(model).name}`, {len(cases)} rendered clips "
        f"({squat_clips} squat, {len(cases) - squat_clips} not squats), {n_reps} squat reps, "
        f"{sum(len(c.track) for c in cases)} frames; generated {_dt.date.today().isoformat()}.",
        "",
        "Every clip is drawn at random from `analyzer/bench/space.toml` (bodies, stances, cameras all "
        "round, lenses, frame shapes, clothes, light, noise, blur, compression, 10-30 fps, barbells "
        "and arms in front of the body; faults from clearly below threshold to severe). The analysis "
        "is `kinetic analyze --exercise auto --view auto` exactly. A rep is truly positive when the "
        "exact skeleton's value is past the threshold by more than the rule's error band, truly "
        "negative when inside by more than the band; borderline reps are not scored.",
        "",
        "## Faults, per code",
        "",
        *fault_table(score),
        "",
    ]
    good = score.good_reps_faulted / score.good_reps if score.good_reps else float("nan")
    reps = score.reps_exact / squat_clips if squat_clips else float("nan")
    views = score.views_ok / squat_clips if squat_clips else float("nan")
    lines += [
        "## The whole verdict",
        "",
        "| check | result | target |",
        "|---|---:|---|",
        f"| false-fault rate on good reps | {score.good_reps_faulted} / {score.good_reps} = {_fmt(good, 3)} | ≤ {TARGET_GOOD_FALSE} {_mark(good <= TARGET_GOOD_FALSE)} |",
        f"| reps exact, per clip | {score.reps_exact} / {squat_clips} = {_fmt(reps, 3)} | ≥ {TARGET_REPS} {_mark(reps >= TARGET_REPS)} |",
        f"| view right, per clip | {score.views_ok} / {squat_clips} = {_fmt(views, 3)} | ≥ {TARGET_VIEWS} {_mark(views >= TARGET_VIEWS)} |",
        f"| exercise right (squat, or `unknown` for lunges and ankle rocks) | {score.exercise_ok} / {score.clips} | |",
        f"| faults on truly mis-posed reps (landmarks > {15} % of a leg off) | {score.unreliable_faulted} of {score.unreliable_reps} reps | 0 {_mark(score.unreliable_faulted == 0)} |",
        f"| `clean` verdicts with nothing judged | {score.clean_without_judged} | 0 {_mark(score.clean_without_judged == 0)} |",
        f"| clips declined (\"legs not followed reliably\"; left out of the rows above) | {len(score.declined)} "
        f"({len(score.declined_wrongly)} where MediaPipe's legs were mostly right) | 0 wrongly {_mark(not score.declined_wrongly)} |",
        "",
        "Verdict status per true camera view (clips):",
        "",
        "| view | " + " | ".join(("clean", "faults", "not_judged", "unknown_exercise")) + " |",
        "|---|---:|---:|---:|---:|",
    ]
    for v in ("side", "front", "rear", "oblique"):
        lines.append(f"| {v} | " + " | ".join(str(score.statuses.get((v, s), 0))
                                               for s in ("clean", "faults", "not_judged", "unknown_exercise")) + " |")
    from .lumbar import lumbar_rows
    from .lumbar import markdown as lumbar_markdown

    lumbar = lumbar_markdown(lumbar_rows(cases))
    lines += ["", *(lumbar or ["## Lower back", "",
                               "Measured on its own bench (side views, lumbar bends injected at known sizes, three styles "
                               "of top): `kinetic bench accuracy --split lumbar_test --out docs/accuracy_lumbar.md` "
                               "([accuracy_lumbar.md](accuracy_lumbar.md); dev split: "
                               "[accuracy_lumbar_dev.md](accuracy_lumbar_dev.md)).", ""])]
    lines += ["## Foot exercises", "",
              "Measured on their own bench (the five foot exercises, random bodies and cameras, faults of random "
              "size): `kinetic bench accuracy --split feet_test --out docs/accuracy_feet.md` "
              "([accuracy_feet.md](accuracy_feet.md); dev split: [accuracy_feet_dev.md](accuracy_feet_dev.md)).", ""]
    lines += ["", "## Angles, per frame", "", "| metric | view | frames | mean abs error | p90 | bias |", "|---|---|---:|---:|---:|---:|"]
    for (metric, view), errs in sorted(score.angle_errors.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        e = np.array(errs)
        if len(e):
            lines.append(f"| {metric} | {view} | {len(e)} | {_fmt(np.mean(np.abs(e)))} | {_fmt(np.percentile(np.abs(e), 90))} | {_fmt(np.mean(e))} |")
    notes = []
    for code, sc in sorted(score.codes.items()):
        notes += [f"- missed {code}: {m}" for m in sc.misses[:12]]
        notes += [f"- false alarm {code}: {m}" for m in sc.false_alarms[:12]]
    notes += [f"- fault on a good rep: {m}" for m in score.good_rep_alarms[:12]]
    notes += [f"- reps: {m}" for m in score.rep_misses] + [f"- view: {m}" for m in score.view_misses]
    notes += [f"- declined: {m}" + (" (wrongly: the legs were mostly right)" if m in score.declined_wrongly else "")
              for m in score.declined]
    notes += [f"- exercise: {m}" for m in score.exercise_misses] + [f"- failed to render: {m}" for m in r["failed"]]
    if r.get("real"):
        lines += ["", *r["real"]]
    if notes:
        lines += ["", "## What went wrong, case by case", "", *notes]
    lines += ["", f"Bench time: {r['seconds']:.0f} s (rendering and pose {r['render_s']:.0f} s, analysis {r['analysis_s']:.0f} s).", ""]
    return "\n".join(lines)


# A "## " section of an accuracy page whose heading line is followed by this line is written by
# hand (a re-measurement, a dev-vs-test comparison, what was tried and rejected): regenerating
# the page keeps it, in its place before the case-by-case list.
KEEP_MARK = "<!-- hand-written: kept when this page is regenerated -->"


def with_kept_sections(new: str, old: str) -> str:
    """``new`` (a freshly generated page) with the hand-written sections of ``old`` (those
    marked with :data:`KEEP_MARK`) put back before its "What went wrong" list (or at the end);
    a generated section of the same heading is replaced by the kept one."""
    def sections(text: str) -> list[tuple[str, str]]:
        out, head, body = [], "", []
        for line in text.splitlines(keepends=True):
            if line.startswith("## "):
                out.append((head, "".join(body)))
                head, body = line.strip(), [line]
            else:
                body.append(line)
        out.append((head, "".join(body)))
        return out

    kept = [(h, b) for h, b in sections(old) if h and KEEP_MARK in b.split("\n", 2)[1]]
    if not kept:
        return new
    heads = {h for h, _ in kept}
    parts = [(h, b) for h, b in sections(new) if h not in heads]
    at = next((i for i, (h, _) in enumerate(parts) if h.startswith("## What went wrong")), len(parts))
    merged = parts[:at] + kept + parts[at:]
    text = "".join(b if b.endswith("\n") else b + "\n" for _, b in merged)
    return text.rstrip("\n") + "\n"


__all__ = ["run", "markdown", "expected_view", "with_kept_sections", "KEEP_MARK"]
