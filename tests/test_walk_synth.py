"""The renderer walks (analyzer/synth/gait.py): alternating steps whose feet stay planted in
stance and land a step ahead, the pelvis travelling between them, toes lifted throughout or
flat (the control), a step whose toes drop, and the truth of each step.

Truth only (no video): posing a few dozen frames, seconds. Skipped without the synth extra
(a failure under CI=true).
"""
from __future__ import annotations

import numpy as np
import pytest
from conftest import need_synth

need_synth()

from analyzer.skeleton import INDEX  # noqa: E402
from analyzer.synth import load_scenario, load_truth, render_scenario  # noqa: E402
from analyzer.synth.gait import TOES_UP_DEG  # noqa: E402
from analyzer.synth.scenario import ScenarioError  # noqa: E402

STEP, LIFT, TOES = 0.3, 0.06, 35.0
WALK = dict(name="walk", exercise="toe_walk", fps=12, size=[320, 180], camera=dict(azimuth=90.0, height=0.5, fill=0.8),
            body=dict(age_years=40, weight=0.6), lead_in=0.3, tail=0.3,
            movement=dict(toes=TOES, step_length=STEP, lift=LIFT, swing=0.6, hold=0.4, first="right"),
            reps=[{}, dict(faults=dict(toe_drop=4.0)), {}])


@pytest.fixture(scope="module")
def walks(tmp_path_factory):
    out = tmp_path_factory.mktemp("walk_truth")
    up = render_scenario(load_scenario(WALK), out, video=False)
    flat = render_scenario(load_scenario(WALK, ["name='flat'", "movement.toes=0", "reps=[{}, {}, {}]"]), out,
                           video=False)
    return load_truth(up.truth), load_truth(flat.truth)


def test_steps_alternate_feet_planted_in_stance_and_land_a_step_ahead(walks):
    d, _ = walks
    g = d["gait"]
    steps = g["steps"]
    assert [s["foot"] for s in steps] == ["right", "left", "right"]
    assert [r["index"] for r in d["reps"]] == [0, 1, 2]
    L3 = d["landmarks3d"]
    t = d["t"]
    for side in ("left", "right"):
        ankle = L3[:, INDEX[f"{side}_ankle"]]
        stance = np.array(g["frames"][f"{side}_stance"], bool)
        # between two frames both in stance the ankle does not slide
        both = stance[1:] & stance[:-1]
        assert np.abs(np.diff(ankle[:, :2], axis=0))[both].max() < 0.002
        # the swinging foot clears the floor by about the lift
        assert ankle[:, 2].max() - ankle[:, 2].min() == pytest.approx(LIFT, abs=0.012)
    # each step lands the foot STEP ahead of the other (the subject walks toward -Y)
    for s in steps:
        f = int(np.searchsorted(t, s["hold_end_s"] - 1e-6)) - 1
        me, other = L3[f, INDEX[f"{s['foot']}_ankle"], 1], L3[f, INDEX[f"{'left' if s['foot'] == 'right' else 'right'}_ankle"], 1]
        assert other - me == pytest.approx(STEP, abs=0.01)
    hips = 0.5 * (L3[:, INDEX["left_hip"], 1] + L3[:, INDEX["right_hip"], 1])
    assert hips[0] - hips[-1] == pytest.approx(2.5 * STEP, abs=0.05)  # the pelvis travelled with the feet
    # one foot swings at a time: never both off the floor
    assert not np.any(~np.array(g["frames"]["left_stance"], bool) & ~np.array(g["frames"]["right_stance"], bool))


def test_toes_stay_up_except_the_dropped_step_and_stay_flat_in_the_control(walks):
    up, flat = walks
    steps = up["gait"]["steps"]
    assert [s["toes_up"] for s in steps] == [True, False, True]
    assert steps[0]["toe_ext_min"] == pytest.approx(TOES, abs=0.5)
    assert steps[1]["toe_ext_min"] == pytest.approx(4.0, abs=0.5)
    assert up["gait"]["toes_up_deg"] == TOES_UP_DEG
    assert steps[0]["contact_s"] < steps[0]["hold_end_s"] <= steps[1]["contact_s"] < steps[0]["stance_end_s"]
    assert [s["toes_up"] for s in flat["gait"]["steps"]] == [False, False, False]
    # lifted toes are 2-5 cm higher above the floor than flat ones
    rise = steps[0]["toe_floor_min_m"] - flat["gait"]["steps"][0]["toe_floor_min_m"]
    assert 0.02 < rise < 0.05
    assert np.abs(flat["angles3d"]["left_toe_extension"]).max() < 0.5


def test_a_bad_walk_setting_is_a_scenario_error():
    with pytest.raises(ScenarioError, match="toe_walk fault"):
        load_scenario(WALK, ["reps=[{faults={valgus=3}}]"])
    with pytest.raises(ScenarioError, match="step_length must be > 0"):
        load_scenario(WALK, ["movement.step_length=0"])
