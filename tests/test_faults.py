"""Threshold profile, fault vs borderline judgement, kinetic-chain root cause and suggestions."""
from __future__ import annotations

import pytest

from analyzer.faults import Measurement, root_cause, suggestions
from analyzer.profile import ProfileError, load_profile
from analyzer.verdict import judge_all, judge_rep


def test_default_profile_has_a_source_for_every_rule():
    prof = load_profile()
    expected = {"limited_dorsiflexion", "heel_lift", "knee_valgus", "knee_varus", "narrow_stance",
                "shallow_depth", "excessive_trunk_lean", "lumbar_rounding", "lumbar_overarch", "hip_shift",
                "pelvic_drop", "foot_roll", "incomplete_lockout"}
    assert expected <= set(prof.rules)
    for rule in prof.rules.values():
        assert len(rule.source) > 20, rule.code


def test_user_profile_overrides_and_validates(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text("[faults.knee_valgus]\nthreshold = 8.0\n")
    prof = load_profile(p)
    default = load_profile().rules["knee_valgus"]
    assert default.threshold != 8.0 and default.severe is not None
    assert prof.rules["knee_valgus"].threshold == 8.0
    assert prof.rules["knee_valgus"].severe == default.severe  # untouched keys keep defaults
    assert prof.rules["knee_valgus"].error_band == default.error_band
    p.write_text("[faults.knee_wobble]\nthreshold = 1\n")
    with pytest.raises(ProfileError, match="unknown fault code"):
        load_profile(p)
    p.write_text("not = [valid")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(p)
    with pytest.raises(ProfileError, match="not found"):
        load_profile(tmp_path / "nope.toml")


def test_judgement_fault_borderline_and_message():
    """A value past the threshold by no more than the rule's error band is borderline, never a
    fault and never severe; beyond the band it is a fault, severe past the severe level; inside
    the limit it is nothing, however close."""
    prof = load_profile()
    valgus, dorsi = prof.rules["knee_valgus"], prof.rules["limited_dorsiflexion"]
    clear = valgus.threshold + valgus.error_band + 0.5
    ms = [Measurement("knee_valgus", "left", valgus.severe + 1.0, 1.0, 0.9, 1.5),
          Measurement("knee_valgus", "right", clear, 1.0, 0.9, 1.5),
          Measurement("knee_valgus", "right", valgus.threshold + 0.5 * valgus.error_band, 1.0, 0.9, 1.5),
          Measurement("knee_valgus", "left", valgus.threshold - 0.5 * valgus.error_band, 1.0, 0.9, 1.5),
          Measurement("knee_valgus", "left", valgus.threshold - valgus.error_band - 1.0, 1.0, 0.9, 1.5),
          Measurement("limited_dorsiflexion", "left", dorsi.threshold - dorsi.error_band - 1.0, 1.0, 0.9, 1.5)]
    dorsi_value = dorsi.threshold - dorsi.error_band - 1.0
    dorsi_severity = "severe" if dorsi.severe is not None and dorsi_value <= dorsi.severe else "moderate"
    faults, borderline = judge_rep(ms, prof, rep=2, view="front")
    assert [(f.code, f.side, f.severity) for f in faults] == [
        ("knee_valgus", "left", "severe"), ("knee_valgus", "right", "moderate"),
        ("limited_dorsiflexion", "left", dorsi_severity)]
    assert [(f.side, f.severity) for f in borderline] == [("right", "borderline")]
    assert faults[0].message.startswith("Rep 2: left knee caves in")
    assert "limit 10.0°" in faults[0].message and "front view" in faults[0].message
    assert borderline[0].message.startswith("Rep 2: borderline: right knee caves in")
    assert judge_all(ms, prof, rep=2, view="front") == faults


def _faults(*spec):
    prof = load_profile()
    ms = [Measurement(code, side, value, onset, onset, onset + 0.5) for code, side, value, onset in spec]
    return judge_all(ms, prof, rep=1, view="side")


def test_root_cause_is_lowest_link_that_did_not_follow_a_higher_one():
    # Values past their limits by more than the error bands (dorsiflexion 30 - 10.5, trunk 20 + 9.9).
    # Ankle limit first, then trunk lean: the ankle is the root.
    f = _faults(("excessive_trunk_lean", None, 35.0, 1.2), ("limited_dorsiflexion", "left", 15.0, 1.0))
    assert root_cause(f).code == "limited_dorsiflexion"
    # The knee caves only after the trunk pitched forward: the knee follows, the hip is root.
    f = _faults(("knee_valgus", "left", 25.0, 1.6), ("excessive_trunk_lean", None, 35.0, 1.0))
    assert root_cause(f).code == "excessive_trunk_lean"
    # Heel lift is not judged (MediaPipe's foot points do not see it): never a fault, never a root.
    from analyzer.exercises.common import RepResult, judge_into

    rep = RepResult(1, 0, 5, 9, 0.0, 0.5, 0.9, True, "side", {})
    judge_into(rep, [Measurement("heel_lift", "left", 0.6, 1.0, 1.0, 1.5)], load_profile(), "side")
    assert rep.faults == [] and rep.root_cause is None
    assert any(n["code"] == "heel_lift" and "MediaPipe" in n["why"] for n in rep.not_judged)
    assert root_cause([]) is None


def test_suggestions_follow_the_root_and_explain_the_chain():
    f = _faults(("limited_dorsiflexion", "left", 15.0, 1.0), ("excessive_trunk_lean", None, 35.0, 1.2))
    sug = suggestions(f, [root_cause(f)])
    ids = [s["exercise"] for s in sug]
    assert ids == ["self_massage", "foot_spine", "standing_footwork"]
    assert all(s["instructions"] for s in sug)
    assert any("follows the feet" in s["why"] for s in sug)
    # Valgus points to the arch work.
    f = _faults(("knee_valgus", "left", 25.0, 1.0))
    assert [s["exercise"] for s in suggestions(f, [root_cause(f)])] == ["supination_pronation", "standing_footwork"]
