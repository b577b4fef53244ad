"""The foot exercises' pure-numpy pieces on synthetic signals: segmentation into paired
excursions, timing of a raise, the footwork's phase order, the resting level of a two-way
signal; and the profiles' completeness (every rule sourced, worded, mapped to an exercise)."""
from __future__ import annotations

import numpy as np
import pytest

from analyzer.exercises import ANALYZERS, detect_exercise, feet
from analyzer.exercises.catalog import FAULT_EXERCISES, FAULT_WHY
from analyzer.exercises.footwork import phase_order
from analyzer.faults import CUES, LABELS
from analyzer.profile import load_profile
from analyzer.reps import RepParams
from analyzer.track import PoseTrack

FPS = 30.0
FOOT = ("heel_raise", "footwork", "foot_roll", "toe_lift", "foot_spine")


def ease(t: np.ndarray, keys: list[tuple[float, float]]) -> np.ndarray:
    """Cosine-eased piecewise signal through (time, value) keys, like the synthetic scripts."""
    kt = np.array([k[0] for k in keys])
    kv = np.array([k[1] for k in keys])
    i = np.clip(np.searchsorted(kt, t, side="right") - 1, 0, len(kt) - 2)
    s = np.clip((t - kt[i]) / (kt[i + 1] - kt[i]), 0, 1)
    return kv[i] + (kv[i + 1] - kv[i]) * (0.5 - 0.5 * np.cos(np.pi * s))


def cycles(amp_in: list[float], amp_out: list[float], rest: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    keys, t0 = [(0.0, 0.0), (0.5, 0.0)], 0.5
    for a, b in zip(amp_in, amp_out):
        keys += [(t0 + 0.8, a), (t0 + 1.0, a), (t0 + 2.6, -b), (t0 + 2.8, -b), (t0 + 3.6, 0.0), (t0 + 3.6 + rest, 0.0)]
        t0 += 3.6 + rest
    keys.append((t0 + 0.5, 0.0))
    t = np.arange(0, keys[-1][0], 1 / FPS)
    rng = np.random.default_rng(0)
    return t, ease(t, keys) + rng.normal(0, 0.3, len(t))


def test_pair_excursions_counts_in_out_cycles():
    t, x = cycles([12, 12, 12], [12, 12, 12])
    reps = feet.pair_excursions(t, x, RepParams(min_amplitude=5.0, min_duration_s=0.3), ("in", "out"))
    assert [r.complete for r in reps] == [True] * 3
    for r in reps:
        assert x[r.bottom] > 10  # the key frame is the roll in


def test_pair_excursions_keeps_a_rep_whose_second_half_is_small():
    """A roll in followed by a 2 deg roll out is one repetition (with a small roll out), not an
    incomplete one; the small half stays visible in the rep's window."""
    t, x = cycles([12, 12], [12, 2])
    reps = feet.pair_excursions(t, x, RepParams(min_amplitude=5.0, min_duration_s=0.3), ("in", "out"))
    assert [r.complete for r in reps] == [True, True]
    assert -x[reps[1].start:reps[1].end + 1].min() < 4


def test_pair_excursions_fixed_order_leaves_a_stray_as_incomplete():
    t, x = cycles([20, 20], [10, 10])
    x = x.copy()
    x[(t > 0.05) & (t < 0.45)] -= ease(t[(t > 0.05) & (t < 0.45)], [(0.05, 0), (0.25, 9), (0.45, 0)])  # a dip first
    reps = feet.pair_excursions(t, x, RepParams(min_amplitude=6.0, min_duration_s=0.3), ("a point", "a flex"), first=0)
    assert sum(r.complete for r in reps) == 2


def test_timing_of_a_raise():
    t = np.arange(0, 4, 1 / FPS)
    x = ease(t, [(0, 0), (0.5, 0), (1.2, 1.0), (1.7, 1.0), (2.5, 0), (4.0, 0)])  # rise .7, hold .5, lower .8
    a, e = 10, len(t) - 10
    b = int(np.argmax(x))
    tm = feet.timing(x, t, a, b, e, lo=0.1, hi=0.9)
    # Between the 10 % and 90 % levels a cosine ease covers 59 % of its time (+- a frame each end).
    assert tm.rise_s == pytest.approx(0.59 * 0.7, abs=0.07)
    assert tm.lower_s == pytest.approx(0.59 * 0.8, abs=0.07)
    assert tm.hold_s == pytest.approx(0.5 + 0.205 * 1.5, abs=0.07)


@pytest.mark.parametrize("order, sequence, ok", [
    (("bend", "lift", "straighten", "lower"), 0.0, True),
    (("lift", "bend", "lower", "straighten"), 1.0, True),
    (("bend", "lift", "lower", "straighten"), 0.0, False),
    (("lift", "bend", "straighten", "lower"), 1.0, False),
])
def test_footwork_phase_order(order, sequence, ok):
    keys_b, keys_l, tt = [(0.0, 0.0), (0.5, 0.0)], [(0.0, 0.0), (0.5, 0.0)], 0.5
    bent = up = 0.0
    for step in order:
        tt += 0.8
        bent = {"bend": 1.0, "straighten": 0.0}.get(step, bent)
        up = {"lift": 1.0, "lower": 0.0}.get(step, up)
        keys_b.append((tt, bent))
        keys_l.append((tt, up))
    keys_b.append((tt + 0.5, 0.0))
    keys_l.append((tt + 0.5, 0.0))
    t = np.arange(0, tt + 0.5, 1 / FPS)
    m = phase_order(ease(t, keys_b) * 30, ease(t, keys_l) * 0.3, t, 0, len(t) - 1)
    assert m["sequence"] == sequence
    assert (m["order_margin"] > 0.3) == ok


def test_rest_is_the_level_returned_to_not_the_longest_hold():
    """Point (held 2 s) and flex (brief) either side of rest: rest is found between them."""
    keys, t0 = [(0.0, 95.0), (0.6, 95.0)], 0.6
    for _ in range(2):
        keys += [(t0 + 0.8, 125.0), (t0 + 2.8, 125.0), (t0 + 3.6, 95.0), (t0 + 4.2, 95.0), (t0 + 5.0, 83.0),
                 (t0 + 5.3, 83.0), (t0 + 6.1, 95.0), (t0 + 6.6, 95.0)]
        t0 += 6.6
    t = np.arange(0, t0, 1 / FPS)
    x = ease(t, keys) + np.random.default_rng(1).normal(0, 0.5, len(t))
    rest = feet.rest_by_visits(x, t)
    assert rest.sum() > 10
    assert np.median(x[rest]) == pytest.approx(95.0, abs=2.0)


@pytest.mark.parametrize("exercise", FOOT)
def test_profile_rules_are_sourced_worded_and_mapped(exercise):
    profile = load_profile(None, exercise)
    assert profile.rules
    for code, rule in profile.rules.items():
        assert rule.source, code
        assert code in LABELS and code in CUES, code
        assert code in FAULT_EXERCISES and code in FAULT_WHY, code
    for name, section in profile.data.items():
        if isinstance(section, dict) and name not in ("faults", "profile"):
            assert section.get("source"), f"[{name}] has no source"
    assert exercise in ANALYZERS


def test_detection_says_unknown_without_a_person():
    assert detect_exercise(PoseTrack.empty(30, 360, 640, 30.0)) == "unknown"


@pytest.mark.parametrize("exercise", FOOT)
def test_analyzers_survive_a_track_without_a_person(exercise):
    from analyzer.view import estimate_view

    track = PoseTrack.empty(60, 360, 640, 30.0)
    a = ANALYZERS[exercise](track, estimate_view(track), load_profile(None, exercise))
    assert a.exercise == exercise and a.reps == []
    assert any("no complete" in n for n in a.notes)
