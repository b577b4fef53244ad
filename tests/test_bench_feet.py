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
    """The heels dropping while the legs straighten and the bend with the heels rising are
    both phase-order errors on the exact skeleton, and both are called; the clean reps are not."""
    score, _, _ = bench
    order = score.codes[("footwork", "footwork_order")]
    assert order.positives >= 2, order
    assert order.recall == 1.0, order.misses
    assert order.fp == 0, order.false_alarms


def test_the_side_view_does_not_judge_sickling(bench):
    score, _, _ = bench
    sick = score.codes[("heel_raise", "sickling")]
    assert sick.tp + sick.fp + sick.fn + sick.tn == 0 and sick.not_judged >= 2


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
    near 0, under the rule's 0.1 s); of the heel-drop rep: the heels come down before the legs
    are straight (negative margin)."""
    from analyzer.bench.feet_score import true_values
    from analyzer.synth import load_truth

    _, _, cache = bench
    (folder,) = Path(cache).glob("feet_ci_9009_001-*")
    truth = load_truth(folder / "feet_ci_9009_001.truth.json")
    settings = [r["settings"] for r in truth["reps"]]
    assert [s["sequence"] for s in settings] == ["lift_first", "bend_first", "together"]
    margins = [true_values("footwork", truth, i)[("footwork_order", None)] for i in range(3)]
    assert margins[0] > 0.3  # a clean lift-first rep
    assert margins[1] < 0.0  # heels dropped 55 % while straightening
    assert abs(margins[2]) < 0.1
