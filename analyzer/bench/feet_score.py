"""Scoring the foot-exercise bench: counts, exercise detection and each rule's calls against the
exact skeleton of the render.

A rep's **true value** for a rule is the rule's own quantity computed on the renderer's exact 3D
series (``angles3d`` of the truth file) over the rep's true window, by the same timing code the
analyzer uses (:func:`analyzer.exercises.feet.timing`, :func:`analyzer.exercises.footwork.phase_order`).
Three rules are set in MediaPipe's reading units (their profile says how a true angle reads); their
true value is the true angle converted by that stated reading (:data:`READ_AS`), never by what
this bench measured. As on the squat bench a rep is truly positive when its true value is beyond
the threshold by more than the rule's error band, truly negative when inside by more than the
band, borderline (not scored) otherwise; a rule the analysis did not judge on that rep counts as
"not judged" (coverage), neither hit nor miss.

Counts and faults are scored on ``kinetic analyze --exercise <the exercise>`` (what the routine
and a user who names the exercise get); exercise detection and the count under ``--exercise
auto`` are reported beside them.
"""
from __future__ import annotations

import warnings
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from ..exercises.feet import timing
from ..exercises.footwork import heel_hold, phase_order
from ..skeleton import INDEX
from .score import CodeScore, truth_class

SIDES = ("left", "right")
ORDER_THRESHOLD_S = 0.1  # footwork.toml [faults.footwork_order] threshold

# Reading units: how MediaPipe reads the true angle, as each rule's profile states it.
READ_AS = {
    # toe_lift.toml [reps]: 35 deg of toe extension reads 0.066-0.076 foot lengths, 12 deg ~0.043.
    "toe_lift_low": lambda deg: float(np.interp(deg, [0.0, 12.0, 35.0], [0.0, 0.043, 0.071],
                                                right=0.071 + (deg - 35.0) * 0.028 / 23.0)),
    # foot_spine.toml: the 40 deg point reads ~26 deg (0.65 x), the 15 deg flex ~11 deg (0.73 x).
    "limited_point": lambda deg: 0.65 * deg,
    "limited_flex": lambda deg: 11.0 / 15.0 * deg,
}
# Codes whose side is not scored (both feet do the same thing; the analysis reads the clearer one).
SIDE_AGNOSTIC = {"limited_point", "limited_flex"}


def _window(t: np.ndarray, rep: dict, pad_s: float = 0.1) -> tuple[int, int]:
    idx = np.flatnonzero((t >= rep["start_s"] - pad_s) & (t <= rep["end_s"] + pad_s))
    return int(idx[0]), int(idx[-1])


def _mean(a3: dict, name: str) -> np.ndarray:
    return np.mean([a3[f"{s}_{name}"] for s in SIDES], axis=0)


def _peak(x: np.ndarray, a: int, e: int) -> tuple[float, int]:
    w = x[a:e + 1]
    k = int(np.nanargmax(w))
    return float(w[k]), a + k


def true_values(exercise: str, truth: dict, i: int) -> dict[tuple[str, str | None], float]:
    """(code, side) -> the rule's true value in true rep ``i`` (0-based) of ``truth``."""
    t, a3, rep = truth["t"], truth["angles3d"], truth["reps"][i]
    a, e = _window(t, rep)
    out: dict[tuple[str, str | None], float] = {}
    if exercise in ("heel_raise", "footwork"):
        lift = _mean(a3, "heel_lift")
        h, b = _peak(lift, a, e)
        out[("heel_raise_low", None)] = h
        tm = timing(lift, t, a, b, e, hi=0.9 if exercise == "heel_raise" else 0.9)
        out[("fast_lowering", None)] = tm.lower_s
        if exercise == "heel_raise":
            out[("short_hold", None)] = tm.hold_s
            rises = {s: _peak(a3[f"{s}_heel_lift"], a, e)[0] for s in SIDES}
            low = min(rises, key=rises.get)
            out[("heel_asymmetry", low)] = abs(rises["left"] - rises["right"]) / max(rises.values())
            top = a + np.flatnonzero(lift[a:e + 1] >= 0.9 * h)
            for s in SIDES:
                roll = float(np.median(a3[f"{s}_foot_roll_3d"][top]))
                out[("sickling", s)] = roll
                out[("foot_roll", s)] = roll
        else:
            knee = _mean(a3, "knee_flexion_3d")
            bend = knee - np.nanpercentile(knee, 5)
            po = phase_order(bend, lift, t, a, e, 0.5)
            if po:
                out[("footwork_order", None)] = po["order_margin"]
                # "Heels held up while the legs straighten" presumes a sequence: a rep that bent
                # and lifted at once has none (the phase-order rule's alone).
                if po["start_gap_s"] >= ORDER_THRESHOLD_S:
                    out[("heels_dropped", None)] = heel_hold(bend, lift, a, e, po["sequence"])
            L3 = truth["landmarks3d"]
            heel = L3[0, [INDEX["left_heel"], INDEX["right_heel"]]]
            foot = np.linalg.norm(L3[0, INDEX["left_foot_index"]] - L3[0, INDEX["left_heel"]])
            out[("footwork_stance", None)] = float(np.linalg.norm((heel[0] - heel[1])[:2]) / foot)
    elif exercise == "foot_roll":
        for s in SIDES:
            roll = a3[f"{s}_foot_roll_3d"][a:e + 1]
            rin, rout = float(np.nanmax(roll)), float(np.nanmax(-roll))
            out[("roll_in_small", s)] = rin
            out[("roll_out_small", s)] = rout
            out[("roll_asymmetry", s)] = abs(rin - rout) / max(rin, rout, 1e-6)
    elif exercise == "toe_lift":
        toe = _mean(a3, "toe_height")
        _, b = _peak(toe, a, e)
        ext = np.abs(_mean(a3, "toe_extension"))
        out[("toe_lift_low", None)] = READ_AS["toe_lift_low"](float(np.nanmax(ext[a:e + 1])))
        out[("short_hold", None)] = timing(toe, t, a, b, e, hi=0.8).hold_s
        out[("heel_lift", None)] = _peak(_mean(a3, "heel_lift"), a, e)[0]
    elif exercise == "foot_spine":
        ankle = _mean(a3, "ankle_dorsiflexion_3d")
        rest = float(np.nanmedian(ankle[truth["rep"] < 0]))
        w = ankle[a:e + 1]
        out[("limited_point", None)] = READ_AS["limited_point"](rest - float(np.nanmin(w)))
        out[("limited_flex", None)] = READ_AS["limited_flex"](float(np.nanmax(w)) - rest)
        out[("foot_spine_rushed", None)] = float(rep["end_s"] - rep["start_s"])
    return {k: v for k, v in out.items() if np.isfinite(v)}


def countable(exercise: str, truth: dict, i: int, profile) -> bool:
    """Whether true rep ``i`` moves enough to be a rep by the exercise's own definition (its
    profile's [reps] min_amplitude, in true units): a heel raise of 0.04 foot lengths or a toe
    lift of 3 deg is standing still, not a rep any rule can grade."""
    t, a3, rep = truth["t"], truth["angles3d"], truth["reps"][i]
    a, e = _window(t, rep)
    need = profile.value("reps", "min_amplitude", 0.0)
    if exercise == "heel_raise":
        return _peak(_mean(a3, "heel_lift"), a, e)[0] >= need
    if exercise == "toe_lift":
        return READ_AS["toe_lift_low"](float(np.nanmax(np.abs(_mean(a3, "toe_extension"))[a:e + 1]))) >= need
    return True


@dataclass
class FootScore:
    codes: dict = field(default_factory=lambda: defaultdict(CodeScore))  # (exercise, code) -> CodeScore
    clips: dict = field(default_factory=lambda: defaultdict(int))         # exercise -> clips
    counts_exact: dict = field(default_factory=lambda: defaultdict(int))
    counts_exact_auto: dict = field(default_factory=lambda: defaultdict(int))
    detected: dict = field(default_factory=lambda: defaultdict(int))
    good_reps: int = 0
    good_reps_faulted: int = 0
    too_small: int = 0             # true reps below the exercise's own rep amplitude
    off_card: int = 0              # clips filmed from a view the exercise's measure cannot be read from
    off_card_clean: int = 0        # ... that still got a "clean" verdict (must be 0)
    notes: list[str] = field(default_factory=list)


def _matching_rep(reps: list, true_rep: dict):
    """The counted rep whose span holds the true rep's key moment, if any."""
    for r in reps:
        if r.start_s - 0.2 <= true_rep["bottom_s"] <= r.end_s + 0.2:
            return r
    return None


def _called(rep, code: str, side: str | None) -> bool:
    return any(f.code == code and (side is None or code in SIDE_AGNOSTIC or f.side in (None, side)) for f in rep.faults)


def score_clip(name: str, exercise: str, truth: dict, given, auto, score: FootScore, on_card: bool = True) -> None:
    """Score one clip: ``given`` = the assessment with the exercise named, ``auto`` = with auto.

    ``on_card``: the camera is where the exercise's own measure can be read from (``sees`` in
    space.toml). Elsewhere only the verdict is scored (it must not be "clean") and the rules the
    analysis did judge there, like any other."""
    small = [i for i in range(len(truth["reps"])) if not countable(exercise, truth, i, given.profile)]
    if small:
        score.too_small += len(small)
        score.notes.append(f"{name} ({exercise}): rep{'s' if len(small) > 1 else ''} "
                           f"{', '.join(str(i + 1) for i in small)} too small to be a rep (not expected in the count)")
    truth = dict(truth, reps=[r for i, r in enumerate(truth["reps"]) if i not in small])
    true_reps = truth["reps"]
    if not on_card:
        score.off_card += 1
        if given.verdict.status == "clean":
            score.off_card_clean += 1
            score.notes.append(f"{name} ({exercise}, filmed where its measure cannot be read): verdict 'clean'")
        _score_reps(name, exercise, truth, given, score)
        return
    score.clips[exercise] += 1
    reps = given.analysis.reps if given.analysis is not None else []
    if len(reps) == len(true_reps):
        score.counts_exact[exercise] += 1
    else:
        score.notes.append(f"{name} ({exercise}): counted {len(reps)} of {len(true_reps)} reps")
    if auto.exercise == exercise:
        score.detected[exercise] += 1
    else:
        score.notes.append(f"{name} ({exercise}): --exercise auto said {auto.exercise}")
    if auto.analysis is not None and auto.exercise == exercise and len(auto.analysis.reps) == len(true_reps):
        score.counts_exact_auto[exercise] += 1
    _score_reps(name, exercise, truth, given, score)


def _score_reps(name: str, exercise: str, truth: dict, given, score: FootScore) -> None:
    true_reps = truth["reps"]
    reps = given.analysis.reps if given.analysis is not None else []
    rules = given.profile.rules
    for i, tr in enumerate(true_reps):
        rep = _matching_rep(reps, tr)
        truths = true_values(exercise, truth, i)
        classes = {k: truth_class(v, rules[k[0]]) for k, v in truths.items() if k[0] in rules}
        good = not any(c == "positive" for c in classes.values())
        for (code, side), cls in classes.items():
            sc = score.codes[(exercise, code)]
            where = f"{name} rep {i + 1}" + (f" {side}" if side else "") + f": true {truths[(code, side)]:.3g}"
            if cls == "borderline":
                sc.borderline += 1
                continue
            if rep is None or code not in rep.judged_codes:
                if cls == "positive":
                    sc.not_judged_pos += 1
                else:
                    sc.not_judged_neg += 1
                if rep is None and cls == "positive":
                    sc.misses.append(where + " (rep not counted)")
                continue
            hit = _called(rep, code, side)
            read = rep.metrics
            if cls == "positive":
                if hit:
                    sc.tp += 1
                else:
                    sc.fn += 1
                    sc.misses.append(where + _reading(read, code))
            elif hit:
                sc.fp += 1
                sc.false_alarms.append(where + _reading(read, code))
            else:
                sc.tn += 1
        if good and rep is not None:
            score.good_reps += 1
            scored = {c for (c, _s), cls in classes.items() if cls == "borderline"}
            wrong = [f.code for f in rep.faults if f.code not in scored]
            if wrong:
                score.good_reps_faulted += 1
                score.notes.append(f"{name} rep {i + 1} ({exercise}, nothing truly wrong): called {', '.join(sorted(set(wrong)))}")


# The metric a code's call is read from, for the notes.
_READ_KEY = {"heel_raise_low": "heel_height", "short_hold": "hold_s", "fast_lowering": "lower_s",
             "footwork_order": "order_margin", "footwork_stance": "heel_gap", "heels_dropped": "heel_hold", "toe_lift_low": "toe_lift",
             "heel_lift": "heel_rise", "limited_point": "point_deg", "limited_flex": "flex_deg",
             "foot_spine_rushed": "duration_s"}


def _reading(metrics: dict, code: str) -> str:
    key = _READ_KEY.get(code)
    v = metrics.get(key) if key else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f", read {v:.3g}" if isinstance(v, (int, float)) and np.isfinite(v) else ""
