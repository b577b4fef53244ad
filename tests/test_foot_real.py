"""Foot exercises on real footage, end to end through ``kinetic analyze --exercise auto``: the
heel-raise clip's count, the seated point/flex clip's detection, and every real squat clip
staying a squat. The clips are described in ../shared/data/README.md.

True counts, by eye (frames checked one by one):
* heel_raises_oblique.mp4: 3 heel raises (heels up ~2.6-3.5 s, ~5.0-6.0 s, ~7.6-8.9 s); a slight
  weight shift at ~1.5 s lifts the hips by a quarter of a raise and is not one; the walk out
  starts at ~9.3 s.
* ankle_point_flex_seated.mp4: still until ~3.8 s, then about 6 point/flex cycles (flexes at
  ~3.9, 5.7, 7.5, 9.1, 10.9, 12.8 s, points between them). The camera faces the person's front at
  ~25-30 deg (the view reads front/oblique) and the feet are ~60 px long: MediaPipe's ankle angle
  barely follows the point from there, so this clip is only checked for detection and for not
  over-counting.
"""
from __future__ import annotations

import pytest
from conftest import VIDEOS, need

pytestmark = pytest.mark.slow

SQUAT_CLIPS = ["backsquat_side_gym.mp4", "deepsquat_side_bodyweight.mp4", "widesquat_front_bodyweight.mp4",
               "fms_7026.mov", "fms_7027.mov", "fms_7029.mov", "fms_7032.mov", "fms_7033.mov", "fms_7051.mov",
               "fms_7052.mov", "fms_7053.mov", "fms_7054.mov"]


def test_heel_raises_real_clip(analyses):
    s = analyses.summary(need(VIDEOS / "heel_raises_oblique.mp4"))
    assert s["exercise"] == "heel_raise"
    bottoms = [r["bottom_s"] for r in s["reps"]]
    assert len(bottoms) == 3, bottoms
    # The key frame is where the heels reach the top of each raise.
    assert bottoms == pytest.approx([2.8, 5.4, 8.1], abs=0.6)
    assert all(r["end_s"] < 9.3 for r in s["reps"])  # nothing counted in the walk out
    for r in s["reps"]:
        assert 0.1 < r["metrics"]["heel_height"] < 0.7
        assert r["metrics"]["rise_s"] < 0.6  # "quick" raises


def test_seated_point_flex_is_detected_and_not_over_counted(analyses):
    s = analyses.summary(need(VIDEOS / "ankle_point_flex_seated.mp4"))
    assert s["exercise"] == "foot_spine"
    assert len(s["reps"]) <= 6
    assert any("toe joints" in n for n in s["notes"])


@pytest.mark.parametrize("name", SQUAT_CLIPS)
def test_real_squats_stay_squats(analyses, name):
    s = analyses.summary(need(VIDEOS / name))
    assert s["exercise"] == "squat"
