"""The foot-exercise bench, small: the ``feet_ci`` split of ``analyzer/bench/space.toml`` rendered
and scored exactly as ``kinetic bench accuracy --split feet_test`` scores the test split.

Two clips drawn at random: heel raises filmed from the side (one with the feet rolling out at
the top, which a side view cannot judge) and standing footwork from a rear oblique with a low
lift, heels dropping while the legs straighten, and bending while the heels rise (a phase-order
error). The full splits are a benchmark command (docs/accuracy_feet.md), not a test.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import need_synth

need_synth()

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bench(tmp_path_factory, model_path):
    from analyzer.bench.feet_bench import run
    from analyzer.bench.generate import generate
    from analyzer.synth import load_scenario

    cache = Path(os.environ.get("KINETIC_TEST_CACHE") or tmp_path_factory.mktemp("bench_feet"))
    scenarios = [load_scenario(t) for t in generate("feet_ci")]
    out = tmp_path_factory.mktemp("bench_feet_out") / "accuracy_feet.md"
    return run(scenarios, "split feet_ci", cache, None, model_path, out, jobs=1, log=lambda m: None), out, cache


def test_counts_and_exercises_are_right(bench):
    score, _, _ = bench
    assert dict(score.clips) == {"heel_raise": 1, "footwork": 1}
    assert dict(score.counts_exact) == {"heel_raise": 1, "footwork": 1}, score.notes
    assert dict(score.detected) == {"heel_raise": 1, "footwork": 1}, score.notes


def test_phase_order_errors_are_found(bench):
    """Bending while the heels rise is a phase-order error on the exact skeleton and is called;
    the reps done in order are not (the heels sinking 55 % while straightening holds 0.57 of
    their height: borderline for the heels-held rule, whose fault starts under 0.5)."""
    score, _, _ = bench
    order = score.codes[("footwork", "footwork_order")]
    assert order.positives == 1 and order.tp == 1, order.misses
    assert order.fp == 0 and order.tn == 2, order.false_alarms
    held = score.codes[("footwork", "heels_dropped")]
    assert held.fp == 0 and held.fn == 0 and held.borderline == 1, (held.false_alarms, held.misses)


def test_the_side_view_does_not_judge_sickling(bench):
    score, _, _ = bench
    sick = score.codes[("heel_raise", "sickling")]
    assert sick.tp + sick.fp + sick.fn + sick.tn == 0 and sick.not_judged_pos + sick.not_judged_neg >= 2


def test_calls_agree_with_the_truth(bench):
    score, _, _ = bench
    fp = sum(s.fp for s in score.codes.values())
    fn = sum(s.fn for s in score.codes.values())
    assert fp + fn <= 1, ({c: s.false_alarms for c, s in score.codes.items() if s.fp},
                          {c: s.misses for c, s in score.codes.items() if s.fn})
    assert score.good_reps >= 1 and score.good_reps_faulted == 0, score.notes


def test_the_table_is_written(bench):
    _, out, _ = bench
    text = out.read_text()
    assert "## Faults, per exercise and rule" in text and "| footwork | footwork_order |" in text
    assert "reps exact" in text


def test_the_truth_of_a_phase_order_error(bench):
    """The exact skeleton of the 'together' rep: bend and lift start together (order margin
    near 0, under the rule's 0.1 s); of the heel-drop rep: in order, with the heels sinking
    while the legs straighten."""
    from analyzer.bench.feet_score import true_values
    from analyzer.synth import load_truth

    _, _, cache = bench
    (folder,) = Path(cache).glob("feet_ci_9009_001-*")
    truth = load_truth(folder / "feet_ci_9009_001.truth.json")
    settings = [r["settings"] for r in truth["reps"]]
    assert [s["sequence"] for s in settings] == ["lift_first", "bend_first", "together"]
    values = [true_values("footwork", truth, i) for i in range(3)]
    margins = [v[("footwork_order", None)] for v in values]
    assert margins[0] > 0.3 and margins[1] > 0.1  # in order (the second drops its heels)
    assert abs(margins[2]) < 0.1  # bend and lift together
    held = [v.get(("heels_dropped", None)) for v in values]
    assert held[0] > 0.9 and 0.5 < held[1] < 0.65  # heels kept up; 55 % of the drop by the time the legs are straight
    assert held[2] is None  # bent and lifted at once: no sequence to hold the heels in
