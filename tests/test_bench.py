"""The randomised bench, small: the ``ci`` split of ``analyzer/bench/space.toml`` rendered and
scored exactly as ``kinetic bench accuracy --split test`` scores the test split.

Four clips drawn at random (a rear, a side, a front and a side view; two of them under a
barbell; one with a dorsiflexion limit and one with a heel lift), 13 reps. The full splits are
a benchmark command (docs/accuracy.md), not a test; this slice proves the bench and the whole
assessment run end to end and hold the verdict's invariants on bodies, cameras and faults no one
picked: reps exact, views right, no "clean" verdict with nothing judged, no fault on a truly
mis-posed rep, and calls that agree with the truth outside the error bands.
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
    from analyzer.bench.accuracy import run
    from analyzer.bench.generate import generate
    from analyzer.synth import load_scenario

    cache = Path(os.environ.get("KINETIC_TEST_CACHE") or tmp_path_factory.mktemp("bench"))
    scenarios = [load_scenario(t) for t in generate("ci")]
    out = tmp_path_factory.mktemp("bench_out") / "accuracy.md"
    return run(scenarios, "split ci", cache, None, model_path, out, jobs=1, log=lambda m: None), out


def test_reps_views_and_exercises_are_right(bench):
    result, _ = bench
    score = result["score"]
    assert not result["failed"]
    assert score.clips == 4
    # A clip MediaPipe cannot follow (ci_3003_003: 360x640, noise, CRF 30, under a barbell; its
    # legs pass the quality gate in 35 % of frames) may be declined - only when the landmarks
    # really are off the truth in most frames - and is then left out of the counts.
    assert not score.declined_wrongly, score.declined
    assert len(score.declined) <= 1
    # Four random clips are a smoke test of the whole chain, not the benchmark (the splits'
    # targets are 98 % reps and 95 % views over 100+ clips, docs/accuracy.md): at most one slip
    # in each count. (ci_3003_000, from behind: MediaPipe's 3D shoulder and hip widths swing
    # 0.55-1.47 of their median, so the trunk is trusted in 43 % of frames and the view reads
    # oblique.)
    seen = 4 - len(score.declined)
    assert score.reps_exact >= seen - 1, score.rep_misses
    assert score.views_ok >= seen - 1, score.view_misses
    assert score.exercise_ok >= seen - 1, score.exercise_misses
    assert (seen - score.reps_exact) + (seen - score.views_ok) + (seen - score.exercise_ok) <= 1, (
        score.rep_misses, score.view_misses, score.exercise_misses)


def test_verdict_invariants(bench):
    score = bench[0]["score"]
    assert score.clean_without_judged == 0
    assert score.unreliable_faulted == 0
    # Outside the error bands the calls agree with the truth: at most one slip in the slice.
    tp = sum(s.tp for s in score.codes.values())
    fp = sum(s.fp for s in score.codes.values())
    fn = sum(s.fn for s in score.codes.values())
    assert fp + fn <= 1, ({c: s.false_alarms for c, s in score.codes.items() if s.fp},
                          {c: s.misses for c, s in score.codes.items() if s.fn})
    assert tp >= 1 or tp + fn == 0  # a fault past its band, if the slice has one, is found


def test_the_table_is_written(bench):
    _, out = bench
    text = out.read_text()
    assert "## Faults, per code" in text and "false-fault rate on good reps" in text
    assert "| knee_valgus |" in text or "| hip_shift |" in text
