"""Foot exercises on real footage, end to end through ``kinetic analyze --exercise auto``: the
heel-raise clip's count, the seated point/flex clip's detection and count, and every real squat clip
staying a squat. The clips are described in ../shared/data/README.md.

True counts, by eye (frames checked one by one):
* heel_raises_oblique.mp4: 3 heel raises (heels up ~2.6-3.5 s, ~5.0-6.0 s, ~7.6-8.9 s); a slight
  weight shift at ~1.5 s lifts the hips by a quarter of a raise and is not one; the walk out
  starts at ~9.3 s.
* ankle_point_flex_seated.mp4: still until ~3.8 s, then 6 point/flex cycles against a band
  (frames checked at 6 fps): points at ~3.9, 5.7, 7.4, 9.1, 10.9 and 12.8 s, each followed by a
  flex (~4.75, 6.4, 8.25, 9.95, 11.7, 13.55 s); the clip ends (14.77 s) as a 7th point starts,
  which is not a cycle. Seated with the knees bent; the trunk faces the camera at ~20-30 deg (the
  view reads front for 5.7-13 s) while the legs' own plane faces it squarely (|cos| 0.75-0.85),
  and the feet are ~146 px long. MediaPipe reads the points (7-21 deg) but barely any flex past
  the resting foot, and the far foot (MediaPipe's right, image-left) better than the near one.
  The first point (~3.9 s) is a small one: it reads 7.0 deg (the others 16-21 deg), just over
  the profile's 6 deg for a point, so all 6 are counted from the file; live, which drops frames
  on a busy machine, may read it under 6 (see tests/test_live_parity.py).
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


def test_heel_raise_sway_between_raises_is_under_the_noise_floor(analyses):
    """The person sways between raises 1 and 2 (~4.1 s): the heel height rises ~0.07 foot lengths
    with no raise, near the profile's fixed 0.07 (a live session that dropped frames once counted
    it). The floor of 5 standard deviations of the signal between the raises holds the count at 3
    even with the fixed threshold taken down to 0.05, which alone counts the sway."""
    from analyzer.exercises import feet
    from analyzer.report.data import read_frames
    from analyzer.reps import RepParams

    frames = read_frames(analyses.run(need(VIDEOS / "heel_raises_oblique.mp4")) / "frames.csv")
    t, h = frames.t, frames.get("heel_height")
    for amp in (0.05, 0.06):
        params = RepParams(min_amplitude=amp, min_duration_s=0.5)
        fixed = [float(t[r.bottom]) for r in feet.find(t, h, params) if r.complete]
        gated = [float(t[r.bottom]) for r in feet.find(t, h, params, noise_k=5.0) if r.complete]
        assert any(3.8 < b < 4.5 for b in fixed), fixed  # the sway, counted by the fixed threshold
        assert len(gated) == 3 and not any(3.8 < b < 4.5 for b in gated), gated


def _seated_point_flex_checks(s: dict) -> None:
    assert s["exercise"] == "foot_spine"
    assert any("toe joints" in n for n in s["notes"])
    bottoms = [r["bottom_s"] for r in s["reps"]]
    # The 6 cycles seen on the frames; the 7th point, cut by the clip's end, is not one.
    assert len(bottoms) == 6, (bottoms, s["notes"])
    assert bottoms == pytest.approx([3.9, 5.7, 7.4, 9.1, 10.9, 12.8], abs=0.7)
    v = s["verdict"]
    assert v["status"] != "clean" and "Nothing to correct" not in v["headline"]
    # Graded (the feet are ~146 px), so a verdict rests on judged links, never on none.
    assert v["judged"], v
    assert s["baselines"]["foot_size_px"] > 100
    # Every cycle's point is measured. The frames show a flex in every cycle, but from this
    # oblique view MediaPipe's foot reads some of them as no flex at all: those are not judged
    # (with why), never a "limited flex" fault or a "rushed" round timed without its flex.
    for r in s["reps"]:
        assert r["metrics"]["point_deg"] > 6
    unseen = [n for r in s["reps"] for n in r.get("not_judged", []) if "flex was not seen" in n["why"]]
    assert unseen, "no flex reported as unseen"
    faults = {(f["rep"], f["code"]) for f in s.get("faults", [])}
    for n in unseen:
        rep = next(r["index"] for r in s["reps"] if n in r.get("not_judged", []))
        assert (rep, n["code"]) not in faults


def test_seated_point_flex_counts_the_cycles_seen_on_the_frames(analyses):
    _seated_point_flex_checks(analyses.summary(need(VIDEOS / "ankle_point_flex_seated.mp4")))


def test_seated_point_flex_counted_with_foot_spine_forced(tmp_path, model_path):
    import json

    from analyzer.pipeline import AnalyzeOptions, analyze_video

    res = analyze_video(need(VIDEOS / "ankle_point_flex_seated.mp4"),
                        AnalyzeOptions(outdir=tmp_path, model=str(model_path), replay=False, progress=False,
                                       exercise="foot_spine"))
    _seated_point_flex_checks(json.loads((res.outdir / "summary.json").read_text()))


@pytest.mark.parametrize("name", SQUAT_CLIPS)
def test_real_squats_stay_squats(analyses, name):
    s = analyses.summary(need(VIDEOS / name))
    assert s["exercise"] == "squat"
