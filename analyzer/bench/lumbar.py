"""The lower-back part of the bench table: does the outline's estimate order the injected lumbar
bends, and what does each style of top do to it (``kinetic bench accuracy --split lumbar_test``).

Per rep of a side-view squat clip whose truth carries the renderer's lumbar bend: the true bend at
the bottom (against standing), the analyzer's estimate (``rep.metrics["lumbar_flexion"]``), its
confidence and its call. Spearman's rank correlation is over every rep with an estimate.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from .score import _frame, _standing, call, expected_view, match_rep

TARGET_SPEARMAN = 0.8
CODES = ("lumbar_rounding", "lumbar_overarch")


def lumbar_rows(cases: list) -> list[dict]:
    """One row per scored rep: name, clothing, injected (deg beyond the squat's own bend), true,
    measured, landmark, confidence, calls {code: fault/borderline/ok/not_judged}."""
    rows = []
    for case in cases:
        p = case.truth.get("params", {})
        injected_any = any(f["key"] == "lumbar_flexion" for r in case.truth["reps"] for f in r.get("faults", []))
        if "lumbar_flexion" not in p or case.analysis is None or expected_view(case.azimuth) != "side" \
                or not (injected_any or case.name.startswith("lumbar")):
            continue
        lf, phase = p["lumbar_flexion"], case.truth["phase"]
        clothing = case.scenario.get("look", {}).get("clothing", "tight")
        for tr in case.truth["reps"]:
            rep = match_rep(case, tr)
            if rep is None:
                continue
            true = float(lf[_frame(case, tr["bottom_s"])] - _standing(lf, phase))
            injected = next((f["value"] for f in tr.get("faults", []) if f["key"] == "lumbar_flexion"), 0.0)
            m = rep.metrics
            rows.append(dict(name=f"{case.name} rep {tr['index'] + 1}", clothing=clothing, injected=float(injected),
                             true=true, measured=_num(m.get("lumbar_flexion")), landmark=_num(m.get("lumbar_landmark")),
                             confidence=_num(m.get("lumbar_confidence")),
                             calls={c: call(rep, c, None) for c in CODES},
                             barbell=bool(case.scenario.get("props", {}).get("barbell"))))
    return rows


def _num(v) -> float:
    return float(v) if v is not None and np.isfinite(v) else float("nan")


def spearman(rows: list[dict], judged_only: bool = False) -> tuple[float, int]:
    """(Spearman's rho of measured against true, reps used)."""
    from scipy.stats import spearmanr

    use = [r for r in rows if np.isfinite(r["measured"])
           and (not judged_only or all(c != "not_judged" for c in r["calls"].values()))]
    if len(use) < 3:
        return float("nan"), len(use)
    return float(spearmanr([r["true"] for r in use], [r["measured"] for r in use])[0]), len(use)


def markdown(rows: list[dict]) -> list[str]:
    """The lower-back section of the accuracy page ([] when no rep carries lumbar truth)."""
    if not rows:
        return []
    rho, n = spearman(rows)
    rho_j, n_j = spearman(rows, judged_only=True)
    ok = np.isfinite(rho) and rho >= TARGET_SPEARMAN
    lines = ["## Lower back (outline estimate)", "",
             "Side-view squats with the renderer's lumbar bend (pelvis to chest) changed at the bottom by a known "
             "size; truth is that bend against standing (the squat's own bend is 8°). The estimate is the back "
             "outline's bend from the person mask over the dev-fitted gain (`[lumbar]` in the squat profile).", "",
             "| check | result | target |", "|---|---:|---|",
             f"| Spearman ρ, estimate vs truth (every rep with an estimate) | {rho:.3f} ({n} reps) | ≥ {TARGET_SPEARMAN} "
             f"{'✅' if ok else '❌'} |",
             f"| Spearman ρ, judged reps only | {rho_j:.3f} ({n_j} reps) | |", "",
             "Per injected size (deg beyond the squat's own bend):", "",
             "| injected | reps | true (median) | estimate p10 / p50 / p90 | rounding called | over-arch called | not judged |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    by = defaultdict(list)
    for r in rows:
        by[r["injected"]].append(r)
    for size in sorted(by):
        rs = by[size]
        est = np.array([r["measured"] for r in rs])
        q = np.nanpercentile(est, [10, 50, 90]) if np.isfinite(est).any() else [np.nan] * 3
        lines.append(f"| {size:+g} | {len(rs)} | {np.median([r['true'] for r in rs]):.1f} | "
                     f"{q[0]:.1f} / {q[1]:.1f} / {q[2]:.1f} | "
                     f"{sum(r['calls']['lumbar_rounding'] == 'fault' for r in rs)} | "
                     f"{sum(r['calls']['lumbar_overarch'] == 'fault' for r in rs)} | "
                     f"{sum(r['calls']['lumbar_rounding'] == 'not_judged' for r in rs)} |")
    lines += ["", "Per style of top (clothing) and with a barbell on the back:", "",
              "| group | reps | judged | Spearman ρ | median confidence |", "|---|---:|---:|---:|---:|"]
    groups = {f"{c} top": [r for r in rows if r["clothing"] == c and not r["barbell"]] for c in ("tight", "tshirt", "hoodie")}
    groups["barbell"] = [r for r in rows if r["barbell"]]
    for g, rs in groups.items():
        if not rs:
            continue
        judged = sum(r["calls"]["lumbar_rounding"] != "not_judged" for r in rs)
        rho_g, _ = spearman(rs)
        conf = np.nanmedian([r["confidence"] for r in rs]) if any(np.isfinite(r["confidence"]) for r in rs) else np.nan
        lines.append(f"| {g} | {len(rs)} | {judged} | {rho_g:.2f} | {conf:.2f} |")
    lines.append("")
    return lines


def calibrate(cases: list, gain_now: float, min_confidence: float) -> dict:
    """Fit the outline's gain on the dev split (raw bend change = gain x true bend, least squares
    through zero - standing is zero by construction - over the reps read confidently), checked
    leave-one-clip-out (each clip is its own random body and camera): the held-out p90 of
    |estimate - truth| is the rules' error band. ``gain_now``: what the analysis ran with (to
    recover the raw bend).

    Returns {gain, error_band, reps, clips, lobo_p50, lobo_p90, by_clothing, spearman}."""
    rows = [r for r in lumbar_rows(cases) if np.isfinite(r["measured"]) and r["confidence"] >= min_confidence]
    if len(rows) < 6:
        raise ValueError(f"only {len(rows)} confidently judged lower-back reps: render the lumbar_dev split first")
    raw = np.array([r["measured"] * gain_now for r in rows])
    true = np.array([r["true"] for r in rows])
    clip = np.array([r["name"].rsplit(" rep ", 1)[0] for r in rows])

    def fit(m):
        return float(raw[m] @ true[m] / (true[m] @ true[m]))

    g = fit(np.ones(len(rows), bool))
    held = np.full(len(rows), np.nan)
    for name in np.unique(clip):
        m = clip == name
        if (~m).sum() >= 6:
            held[m] = raw[m] / fit(~m) - true[m]
    err = np.abs(held[np.isfinite(held)])
    by = {}
    for cl in ("tight", "tshirt", "hoodie"):
        m = np.array([r["clothing"] == cl for r in rows])
        if m.sum() >= 3:
            by[cl] = dict(reps=int(m.sum()), gain=fit(m), p90=float(np.percentile(np.abs(raw[m] / g - true[m]), 90)))
    from scipy.stats import spearmanr

    return dict(gain=g, error_band=float(np.percentile(err, 90)), lobo_p50=float(np.percentile(err, 50)),
                lobo_p90=float(np.percentile(err, 90)), reps=len(rows), clips=len(np.unique(clip)), by_clothing=by,
                spearman=float(spearmanr(raw, true)[0]))


def run_calibration(scenarios: list, cache, size, model, *, jobs: int = 1, log=print) -> dict:
    """``kinetic bench calibrate --split lumbar_dev``: render/pose what is missing, fit, print the
    ``[lumbar]`` values and the lower-back rules' error band to copy into the squat profile."""
    from ..profile import load_profile
    from .runner import load_case, materialize_all

    folders = materialize_all(scenarios, cache, size, model, jobs=jobs, log=log)
    cases = [load_case(sc, f) for sc, f in zip(scenarios, folders) if f is not None and (f / "landmarks.npz").exists()]
    opts = load_profile(None, "squat").section("lumbar")
    fit = calibrate(cases, float(opts.get("gain", 0.4)), float(opts.get("min_confidence", 0.5)))
    print(f"lower back, {fit['reps']} confidently read reps of {fit['clips']} dev clips (Spearman {fit['spearman']:.2f}):")
    print(f"  bend change = {fit['gain']:.3f} x lumbar flexion")
    print(f"  leave-one-clip-out |error| p50 {fit['lobo_p50']:.1f} deg, p90 {fit['lobo_p90']:.1f} deg")
    for cl, v in fit["by_clothing"].items():
        print(f"  {cl:7s} {v['reps']:3d} reps: gain alone {v['gain']:.3f}, |error| p90 with the common fit {v['p90']:.1f} deg")
    print("\n[lumbar] in analyzer/profiles/squat.toml:")
    print(f"gain = {fit['gain']:.3f}")
    print(f"error_band of lumbar_rounding and lumbar_overarch = {fit['error_band']:.1f}")
    return fit
