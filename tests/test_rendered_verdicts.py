"""Verdicts on rendered digital humans where the truth is known and the trap is set on purpose.

Each clip is rendered once per session (small, short), MediaPipe runs once on it, and the whole
``kinetic analyze`` assessment (pose quality, view, exercise detection, analysis, verdict) runs
on the track:

* a side-view back squat whose plates hide the hips and knees at the bottom stays "side" and
  gets no depth fault (a lost hip point is "not judged", not "shallow");
* a 45-degree oblique clip never gets a "clean" verdict with nothing judged;
* a lunge and an ankle rock (split stances) are "unknown", not squats;
* knees tracking over toes turned out 30 deg are not varus; a real valgus over the same feet is
  still found;
* three drawn barbell clips (a dev split clip and two of ``bench generate --seed 3003``): a dip
  the pose model invents while the person stands is not a rep, a bottom the plates hide is one
  rep, and legs followed in under half the frames make the exercise "unknown", not footwork.

Needs the synth extra; skipped without it, a failure under CI=true. ``KINETIC_TEST_CACHE=DIR``
keeps renders between runs.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from conftest import need_synth


need_synth()

pytestmark = pytest.mark.slow

SIZE = (360, 640)
BODY = dict(age_years=52, gender=0.35, weight=0.7, muscle=0.4, height=0.35)
SIDE = dict(azimuth=92.0, height=0.6, fov=55.0, fill=0.72)
REP = dict(descent=0.8, pause=0.2, ascent=0.8, rest=0.4)

SCENARIOS: dict[str, dict] = {
    # Deep back squats with 45 cm plates, a low camera: the near plate covers the hips at depth.
    "barbell_side": dict(exercise="squat", camera=SIDE, body=BODY, props=dict(barbell=True, plate_diameter=0.45),
                         stance=dict(width=0.34, toe_out=15.0),
                         reps=[dict(knee_flexion=132.0, **REP), dict(knee_flexion=126.0, **REP)]),
    # The way people prop a phone: halfway between the front and the side.
    "oblique_45": dict(exercise="squat", camera=dict(azimuth=45.0, height=0.8, fov=55.0, fill=0.72), body=BODY,
                       reps=[dict(knee_flexion=120.0, **REP), dict(knee_flexion=118.0, **REP)]),
    "lunge": dict(exercise="lunge", camera=dict(azimuth=85.0, height=0.9, fov=55.0, fill=0.7), body=BODY,
                  stance=dict(width=0.2, forward_left=0.42, forward_right=-0.42),
                  reps=[dict(knee_flexion=100.0), dict(knee_flexion=95.0)]),
    "ankle_rock": dict(exercise="lunge", camera=dict(azimuth=275.0, height=0.8, fov=55.0, fill=0.7), body=BODY,
                       stance=dict(width=0.2, forward_right=0.3, forward_left=-0.3),
                       reps=[dict(knee_flexion=45.0, shank=38.0, back_heel=0.0),
                             dict(knee_flexion=50.0, shank=40.0, back_heel=0.0),
                             dict(knee_flexion=45.0, shank=38.0, back_heel=0.0)]),
    # Feet turned out 30 deg, knees pushed out over them (good form), then a 24 deg valgus of the
    # left knee over the same feet.
    "toe_out_front": dict(exercise="squat", camera=dict(azimuth=4.0, height=0.85, fov=55.0, fill=0.72), body=BODY,
                          stance=dict(width=0.42, toe_out=30.0),
                          reps=[dict(knee_flexion=118.0, **REP), dict(knee_flexion=122.0, **REP),
                                dict(knee_flexion=120.0, faults=dict(valgus_left=24.0), **REP)]),
}


@pytest.fixture(scope="session")
def case(tmp_path_factory, model_path):
    """name -> BenchCase (rendered, posed and assessed on first use)."""
    from analyzer.bench.runner import load_case, materialize
    from analyzer.synth import load_scenario

    cache = Path(os.environ.get("KINETIC_TEST_CACHE") or tmp_path_factory.mktemp("verdict_renders"))
    done = {}

    def get(name: str):
        if name not in done:
            sc = load_scenario(dict(SCENARIOS[name], name=f"t_{name}", lead_in=0.8, tail=0.6))
            done[name] = load_case(sc, materialize(sc, cache, SIZE, model_path, log=lambda m: None))
        return done[name]

    return get


def test_barbell_hiding_the_hips_stays_side_with_no_depth_fault(case):
    c = case("barbell_side")
    assert {s.label for s in c.view.segments} == {"side"}, [(s.label, s.start_s, s.end_s) for s in c.view.segments]
    assert c.assessment.exercise == "squat"
    assert len(c.analysis.reps) == 2
    assert not [f for f in c.analysis.faults if f.code == "shallow_depth"], [f.message for f in c.analysis.faults]
    # Each rep's depth is either judged deep enough or plainly not judged, with a reason.
    for r in c.analysis.reps:
        if "shallow_depth" not in r.judged_codes:
            assert any(n["code"] == "shallow_depth" and n["why"] for n in r.not_judged)


def test_oblique_clip_is_never_clean_with_nothing_judged(case):
    v = case("oblique_45").verdict
    assert not (v.status == "clean" and not v.judged), v.headline
    if not v.judged:
        assert v.status in ("not_judged", "faults")
        assert "side" in v.headline and "front" in v.headline  # it says how to film instead


@pytest.mark.parametrize("name", ["lunge", "ankle_rock"])
def test_split_stance_is_an_unknown_exercise(case, name):
    c = case(name)
    assert c.assessment.exercise == "unknown", c.assessment.why_exercise
    assert c.verdict.status == "unknown_exercise"
    assert "squat" in " ".join(c.verdict.details)  # it says which exercises it supports
    assert c.analysis is None


def test_knees_over_turned_out_toes_are_not_varus_and_a_real_valgus_is_found(case):
    c = case("toe_out_front")
    assert c.view.label == "front"
    reps = c.analysis.reps
    assert len(reps) == 3
    assert not [f for f in c.analysis.faults if f.code == "knee_varus"], [f.message for f in c.analysis.faults]
    assert not [f for f in reps[0].faults + reps[1].faults if f.code == "knee_valgus"]
    # The 24 deg valgus over 30 deg toe-out reads 14-15 deg (MediaPipe's feet under-read the
    # toe-out): past the limit, inside its dev-fitted band, so at least borderline, and far from
    # the good reps.
    m = [r.metrics["left_knee_valgus"] for r in reps]
    assert ("knee_valgus", "left") in {(f.code, f.side) for f in reps[2].faults + reps[2].borderline}, (
        [f.message for f in reps[2].faults + reps[2].borderline], m)
    assert m[2] - max(m[0], m[1]) > 15.0, m


def test_a_dip_the_pose_model_invents_while_the_person_stands_is_not_a_rep(tmp_path_factory, model_path):
    """The dev split's ``dev_1001_013`` (a side-view back squat at 10 fps, 2 plates): for 0.6 s
    before the first rep, with the bar on the shoulders, MediaPipe's legs read a deep squat
    (both cues of the depth signal), while the near knee seen from the side stays straight.
    Rendered at the scenario's own size, as the bench does."""
    from analyzer.bench.generate import generate
    from analyzer.bench.runner import load_case, materialize
    from analyzer.reps import RepParams, find_reps
    from analyzer.synth import load_scenario

    table = next(t for t in generate("dev") if t["name"] == "dev_1001_013")
    sc = load_scenario(table)
    cache = Path(os.environ.get("KINETIC_TEST_CACHE") or tmp_path_factory.mktemp("dip_render"))
    c = load_case(sc, materialize(sc, cache, None, model_path, log=lambda m: None))
    an = c.analysis
    # The trap is there: the depth signal alone has one dip more than the four reps rendered.
    dips = [r for r in find_reps(an.pose.t, an.depth, RepParams(min_amplitude=35.0)) if r.complete]
    assert len(dips) == len(sc.reps) + 1 == 5
    assert len(an.reps) == 4
    truth = c.truth["reps"]
    for rep, tr in zip(an.reps, truth):  # each counted rep is a rendered one
        assert tr["start_s"] - 0.3 <= rep.bottom_s <= tr["end_s"] + 0.3, (rep.bottom_s, tr)
    assert any("was not counted as a rep" in n and "knee seen from the side" in n for n in an.notes), an.notes


def test_a_barbell_set_whose_legs_are_not_followed_is_declined_not_called_footwork(tmp_path_factory, model_path):
    """A back squat from the side, 3 plates, a small noisy phone clip (drawn by ``bench generate
    --seed 3003 --n 500``: dev_3003_026): MediaPipe follows a leg in under half the frames and its
    hips and ankles jump, which looked like the heels-up rises of footwork. The exercise is not
    guessed; the verdict says why and what to do."""
    from analyzer.bench.generate import generate
    from analyzer.bench.runner import load_case, materialize
    from analyzer.exercises.detect import LEGS_RELIABLE_MIN, legs_reliable
    from analyzer.synth import load_scenario

    table = next(t for t in generate("dev", seed=3003, n=500) if t["name"] == "dev_3003_026")
    assert table["props"]["barbell"] and table["props"]["plates"] == 3
    sc = load_scenario(table)
    cache = Path(os.environ.get("KINETIC_TEST_CACHE") or tmp_path_factory.mktemp("declined_render"))
    c = load_case(sc, materialize(sc, cache, None, model_path, log=lambda m: None))
    assert legs_reliable(c.track, c.assessment.quality) < LEGS_RELIABLE_MIN
    assert c.assessment.exercise == "unknown" and c.analysis is None
    assert "followed reliably" in c.assessment.why_exercise
    assert c.verdict.status == "unknown_exercise" and not c.verdict.judged


def test_a_rep_whose_bottom_the_plates_hide_is_one_rep_not_two_halves(tmp_path_factory, model_path):
    """``bench generate --seed 3003 --n 500``: dev_3003_444, two deep back squats from the side,
    3 plates, 1280x720: the plates hide the legs for ~0.5 s at each bottom and the last frames
    before the first gap read 8 deg shallower, which used to split that rep into two halves
    neither of which counted (1 of 2)."""
    from analyzer.bench.generate import generate
    from analyzer.bench.runner import load_case, materialize
    from analyzer.synth import load_scenario

    table = next(t for t in generate("dev", seed=3003, n=500) if t["name"] == "dev_3003_444")
    sc = load_scenario(table)
    cache = Path(os.environ.get("KINETIC_TEST_CACHE") or tmp_path_factory.mktemp("hidden_render"))
    c = load_case(sc, materialize(sc, cache, None, model_path, log=lambda m: None))
    an = c.analysis
    assert np.isnan(an.depth).any()  # the bottoms are hidden
    assert len(an.reps) == len(c.truth["reps"]) == 2
    for rep, tr in zip(an.reps, c.truth["reps"]):
        assert rep.start_s <= tr["bottom_s"] <= rep.end_s, (rep.start_s, rep.end_s, tr["bottom_s"])
