"""End to end on real footage: rep counts, views, the synthetic clip's valgus rep, angle accuracy,
upright portrait clips, and the replay's codec/frame count/duration.

The clips and what they show are described in ../shared/data/README.md.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from analyzer.capture import probe
from analyzer.track import PoseTrack

from conftest import SYNTHETIC, VIDEOS, need

pytestmark = pytest.mark.slow

# clip -> (complete reps, acceptable views). The FMS "side (slightly oblique)" clips are filmed
# 40-80 deg off the frontal plane; calling them side or oblique are both right.
CLIPS = {
    "backsquat_side_gym.mp4": (2, {"side"}),
    "deepsquat_side_bodyweight.mp4": (3, {"side"}),
    "widesquat_front_bodyweight.mp4": (9, {"front"}),
    "fms_7026.mov": (1, {"side", "oblique"}),
    "fms_7027.mov": (1, {"front"}),
    "fms_7029.mov": (1, {"front"}),
    "fms_7032.mov": (1, {"side", "oblique"}),
    "fms_7033.mov": (1, {"front"}),
    "fms_7051.mov": (1, {"side", "oblique"}),
    "fms_7052.mov": (1, {"front"}),
    "fms_7053.mov": (1, {"side", "oblique"}),
    "fms_7054.mov": (1, {"front"}),
}
SYNTH = {"squat_side.mp4": (3, {"side"}), "squat_front.mp4": (3, {"front"})}


def _path(name: str):
    return need((SYNTHETIC if name in SYNTH else VIDEOS) / name)


@pytest.mark.parametrize("name", list(CLIPS) + list(SYNTH))
def test_rep_count_and_view(analyses, name):
    reps, views = {**CLIPS, **SYNTH}[name]
    s = analyses.summary(_path(name))
    assert s["schema"] == "kinetic/summary/1"
    assert len(s["reps"]) == reps, [r["bottom_s"] for r in s["reps"]]
    assert s["view"]["label"] in views
    assert s["detection_rate"] > 0.9


@pytest.mark.parametrize("name", ["fms_7053.mov", "fms_7054.mov"])
def test_no_knee_fault_on_the_trainers_good_form_pair(analyses, name):
    """The trainer: good form, no comment. No knee fault from either view."""
    s = analyses.summary(_path(name))
    assert not [f for f in s["faults"] if f["code"] in ("knee_valgus", "knee_varus")], [f["message"] for f in s["faults"]]


@pytest.mark.parametrize("name", ["backsquat_side_gym.mp4", "deepsquat_side_bodyweight.mp4"])
def test_no_heel_lift_on_the_heels_flat_clips(analyses, name):
    s = analyses.summary(_path(name))
    assert not [f for f in s["faults"] if f["code"] == "heel_lift"], [f["message"] for f in s["faults"]]
    assert s["verdict"]["status"] in ("clean", "faults")


def test_a_walk_and_a_jump_are_not_an_exercise(analyses):
    s = analyses.summary(_path("walk_jump_two_people.mp4"))
    assert s["exercise"] == "unknown"
    assert s["verdict"]["status"] == "unknown_exercise"
    assert "squat" in " ".join(s["verdict"]["details"])  # it names what it does analyse
    assert s["reps"] == [] and s["faults"] == []


@pytest.mark.parametrize("name", ["fms_7026.mov", "fms_7032.mov", "fms_7053.mov"])
def test_oblique_phone_clips_are_never_clean_with_nothing_judged(analyses, name):
    v = analyses.summary(_path(name))["verdict"]
    assert not (v["status"] == "clean" and not v["judged"]), v["headline"]
    if not v["judged"]:
        assert "film from the side" in v["headline"]


def test_widesquat_tenth_rep_is_reported_incomplete(analyses):
    s = analyses.summary(_path("widesquat_front_bodyweight.mp4"))
    assert len(s["reps"]) == 9
    assert len(s["partial_reps"]) == 1
    partial = s["partial_reps"][0]
    assert partial["bottom_s"] == pytest.approx(16.6, abs=0.4)
    assert "ends before" in partial["reason"]
    # The README's bottoms are ~0.9 ... 16.6 s, about 1.8 s apart.
    bottoms = [r["bottom_s"] for r in s["reps"]]
    assert bottoms[0] == pytest.approx(0.9, abs=0.3)
    assert np.all(np.diff(bottoms) > 1.2)


def test_known_bottom_times(analyses):
    s = analyses.summary(_path("backsquat_side_gym.mp4"))
    assert [r["bottom_s"] for r in s["reps"]] == pytest.approx([10.6, 17.4], abs=0.4)
    s = analyses.summary(_path("deepsquat_side_bodyweight.mp4"))
    assert [r["bottom_s"] for r in s["reps"]] == pytest.approx([2.6, 5.7, 8.4], abs=0.4)


def test_side_clip_facing(analyses):
    s = analyses.summary(_path("deepsquat_side_bodyweight.mp4"))
    assert s["view"]["facing"] == "right"


def _findings(summary: dict, rep: dict, code: str) -> set[str | None]:
    """Sides of ``code`` in a rep of a summary, called a fault or borderline."""
    return {f["side"] for f in summary["faults"] + summary["borderline"] if f["code"] == code and f["rep"] == rep["index"]}


def test_synthetic_front_third_rep_valgus_left_only(analyses):
    """squat_gt.json (a render by the reference recipe, not the bench's renderer): rep 3 has the
    valgus parameter L 14 deg / R 8 deg at a shallower bottom; reps 1-2 none.

    The parameter is not the coach's valgus: in this render the good deep reps carry the knees
    22 deg outside the hip-ankle-toe plane (3D joints of squat_gt.json, against standing), and in
    rep 3 the left knee is 2.8 deg inside it. So reps 1-2 may read a little varus, never a fault;
    rep 3's left knee must come out as caving in (a fault or, inside the dev-fitted error band,
    borderline) and more than the right one."""
    s = analyses.summary(_path("squat_front.mp4"))
    r1, r2, r3 = s["reps"]
    for r in (r1, r2):
        assert not {"knee_valgus", "knee_varus"} & set(r["faults"])
        assert not _findings(s, r, "knee_valgus")
    assert "left" in _findings(s, r3, "knee_valgus")
    assert not {"knee_varus"} & set(r3["faults"])
    # The estimate follows the rotation: rep 3 against rep 1, the left knee moves in more.
    m1, m3 = r1["metrics"], r3["metrics"]
    assert m3["left_knee_valgus"] > m3["right_knee_valgus"]
    assert m3["left_knee_valgus"] - m1["left_knee_valgus"] > m3["right_knee_valgus"] - m1["right_knee_valgus"] > 5.0
    assert m3["left_knee_valgus"] - m1["left_knee_valgus"] > 10.0


def test_synthetic_side_third_rep_shallow(analyses):
    """Rep 3 of the side clip is shallower (thigh 70 deg from vertical vs 100 deg): 10 deg short
    of the 80 deg limit, inside its dev-fitted error band, so a fault or borderline, never clean."""
    s = analyses.summary(_path("squat_side.mp4"))
    r1, r2, r3 = s["reps"]
    assert _findings(s, r3, "shallow_depth")
    assert not _findings(s, r1, "shallow_depth") and not _findings(s, r2, "shallow_depth")
    assert r3["metrics"]["thigh_angle"] < min(r1["metrics"]["thigh_angle"], r2["metrics"]["thigh_angle"]) - 15


GT_LANDMARKS = {11: "coco:left_shoulder", 12: "coco:right_shoulder", 23: "bone:upperleg01.L",
                24: "bone:upperleg01.R", 25: "bone:lowerleg01.L", 26: "bone:lowerleg01.R", 27: "bone:foot.L",
                28: "bone:foot.R", 29: "coco:left_heel", 30: "coco:right_heel", 31: "coco:left_big_toe",
                32: "coco:right_big_toe"}


def _frames_csv(outdir):
    import csv

    with open(outdir / "frames.csv") as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) if r[k] else np.nan for r in rows]) for k in rows[0] if k not in ("view", "phase")}


def test_angles_against_ground_truth(analyses):
    """Angles on the digital human vs its exact 3D truth (squat_gt.json).

    Tolerances: the reference recipe measured raw MediaPipe at ~5 deg knee, ~1.3 deg shank,
    ~2 deg trunk and ~3.5 deg FPPA mean error. These bound what this analyzer reads from the
    cleaned landmarks (a little above the raw figures: against the *3D* truth the toe-out of the
    legs adds ~0.8 deg to the shank). The bias correction that beats raw MediaPipe is measured
    by the synthetic bench, not here.
    """
    gt = json.loads(need(SYNTHETIC / "squat_gt.json").read_text())["frames"]
    side = _frames_csv(analyses.run(_path("squat_side.mp4")))
    assert len(side["time_s"]) == len(gt)
    for col, key, tol_mean, tol_max in [("knee_flexion", "left_knee_flexion", 7.0, 14.0),
                                        ("shank_inclination", "left_shank_tilt_from_vertical", 3.0, 7.0),
                                        ("trunk_lean", "trunk_lean_from_vertical", 3.5, 7.0)]:
        truth = np.array([f["angles"][key] for f in gt])
        err = np.abs(side[col] - truth)
        assert np.isfinite(err).mean() > 0.95, col
        assert np.nanmean(err) < tol_mean, (col, np.nanmean(err))
        assert np.nanmax(err) < tol_max, (col, np.nanmax(err))

    # FPPA is a 2D measure: its truth is the FPPA of the exactly projected joints.
    from analyzer.kinematics import frontal_angles

    xy = np.full((len(gt), 33, 2), np.nan)
    for i, f in enumerate(gt):
        for k, name in GT_LANDMARKS.items():
            xy[i, k] = f["joints2d"]["front"][name]
    truth = frontal_angles(xy)
    front = _frames_csv(analyses.run(_path("squat_front.mp4")))
    for side_name in ("left", "right"):
        err = np.abs(front[f"{side_name}_fppa"] - truth[f"{side_name}_fppa"])
        assert np.nanmean(err) < 5.0, (side_name, np.nanmean(err))


def test_portrait_mov_is_analysed_upright(analyses):
    out = analyses.run(_path("fms_7027.mov"))
    s = json.loads((out / "summary.json").read_text())
    assert (s["source"]["width"], s["source"]["height"]) == (1080, 1920)
    track = PoseTrack.load(out / "landmarks.npz")
    # Upright person: shoulders above hips above ankles in the image (y grows downward).
    y = np.nanmedian(track.xy[..., 1], axis=0)
    assert y[11] < y[23] < y[27] and y[12] < y[24] < y[28]


@pytest.mark.parametrize("name", ["fms_7026.mov", "squat_front.mp4"])
def test_replay_is_h264_with_source_frames_and_duration(analyses, name):
    src = _path(name)
    out = analyses.run(src, replay=True)
    replay = probe(out / "replay.mp4")
    source = probe(src)
    assert replay.codec == "h264"
    assert replay.frames == source.frames
    assert replay.duration_s == pytest.approx(source.duration_s, abs=0.05)
    s = json.loads((out / "summary.json").read_text())
    assert s["timings"]["pose_fps"] > 0 and s["timings"]["pipeline_fps"] > 0


def test_landmarks_reload_without_model(analyses):
    out = analyses.run(_path("squat_side.mp4"))
    track = PoseTrack.load(out / "landmarks.npz")
    s = json.loads((out / "summary.json").read_text())
    assert len(track) == s["source"]["frames"]
    assert track.detection_rate == pytest.approx(s["detection_rate"], abs=1e-3)
    # Re-analysing the saved track reproduces the reps exactly.
    from analyzer.exercises.squat import analyze_squat
    from analyzer.profile import load_profile
    from analyzer.view import estimate_view

    again = analyze_squat(track, estimate_view(track), load_profile())
    assert [round(r.bottom_s, 3) for r in again.reps] == [r["bottom_s"] for r in s["reps"]]


def _concat(a: PoseTrack, b: PoseTrack) -> PoseTrack:
    gap = a.t[-1] + 1.0 / a.fps
    return PoseTrack(t=np.concatenate([a.t, b.t + gap]), image=np.concatenate([a.image, b.image]),
                     visibility=np.concatenate([a.visibility, b.visibility]),
                     presence=np.concatenate([a.presence, b.presence]), world=np.concatenate([a.world, b.world]),
                     width=a.width, height=a.height, fps=a.fps)


def test_view_is_segmented_when_the_camera_turns(analyses):
    """A recording that is side-on for 6 s and then front-on for 6 s gets two view segments,
    each rep is judged in its own view, and only that view's faults are reported."""
    from analyzer.exercises.squat import analyze_squat
    from analyzer.profile import load_profile
    from analyzer.view import estimate_view

    side = PoseTrack.load(analyses.run(_path("squat_side.mp4")) / "landmarks.npz")
    front = PoseTrack.load(analyses.run(_path("squat_front.mp4")) / "landmarks.npz")
    track = _concat(side, front)
    view = estimate_view(track)
    assert [s.label for s in view.segments] == ["side", "front"]
    assert view.segments[0].end_s == pytest.approx(6.0, abs=0.5)
    analysis = analyze_squat(track, view, load_profile())
    assert [r.view for r in analysis.reps] == ["side"] * 3 + ["front"] * 3
    assert all(f.view == "side" for f in analysis.faults if f.code == "shallow_depth")
    front_findings = [f for r in analysis.reps[3:] for f in r.faults + r.borderline]
    assert any(f.code == "knee_valgus" and f.rep == 6 and f.side == "left" for f in front_findings)
    assert not {f.code for f in front_findings} & {"shallow_depth", "limited_dorsiflexion", "excessive_trunk_lean"}
    # A forced view applies everywhere.
    forced = estimate_view(track, "front")
    assert forced.label == "front" and forced.overridden


def test_demo_finds_the_chain(tmp_path, model_path):
    """`kinetic demo`'s clips (rendered by this project, in analyzer/demo/): rep 1 clean, rep 2 shows
    the chain that starts at the ankles (side) and the knees caving in (front)."""
    from analyzer.pipeline import AnalyzeOptions, analyze_video
    from analyzer.samples import demo_clips

    clips = {p.stem: p for p in demo_clips()}
    assert set(clips) == {"demo_side", "demo_front"}
    side = analyze_video(clips["demo_side"], AnalyzeOptions(outdir=tmp_path, model=str(model_path), replay=False,
                                                            progress=False)).summary
    assert side["view"]["label"] == "side" and len(side["reps"]) == 2
    assert side["reps"][0]["faults"] == []
    assert "limited_dorsiflexion" in side["reps"][1]["faults"]
    assert side["reps"][1]["root_cause"] == "limited_dorsiflexion"
    front = analyze_video(clips["demo_front"], AnalyzeOptions(outdir=tmp_path, model=str(model_path), replay=False,
                                                              progress=False)).summary
    assert front["view"]["label"] == "front" and len(front["reps"]) == 2
    assert front["reps"][0]["faults"] == []
    # Valgus 29 deg left / 26 deg right (analyzer/demo/demo.toml) read ~22 / ~18: the left is a fault,
    # the right at least borderline against the dev-fitted +-8.7 deg band; nothing else.
    assert {(f["code"], f["side"]) for f in front["faults"]} == {("knee_valgus", "left")}
    assert ("knee_valgus", "right") in {(f["code"], f["side"]) for f in front["faults"] + front["borderline"]}
    assert front["reps"][1]["root_cause"] == "knee_valgus"


def test_pipelined_decoding_gives_the_sequential_results(analyses, model_path, tmp_path, monkeypatch):
    """The decoder runs ahead in its own thread (analyzer.prefetch); with it replaced by the
    plain sequential loop the same clip gives the same landmarks, summary and frames.csv."""
    import analyzer.pipeline as pipeline
    from analyzer.pipeline import AnalyzeOptions, analyze_video

    src = _path("fms_7026.mov")
    piped = analyses.run(src, replay=True)
    monkeypatch.setattr(pipeline, "prefetch", lambda items, depth=4: items)
    plain = analyze_video(src, AnalyzeOptions(outdir=tmp_path, model=str(model_path), progress=False)).outdir
    a, b = (json.loads((d / "summary.json").read_text()) for d in (piped, plain))
    for s in (a, b):
        s.pop("timings")
    assert a == b
    assert (piped / "frames.csv").read_bytes() == (plain / "frames.csv").read_bytes()
    assert np.array_equal(PoseTrack.load(piped / "landmarks.npz").xy, PoseTrack.load(plain / "landmarks.npz").xy,
                          equal_nan=True)


def test_scaled_replay_draws_the_skeleton_on_the_person(analyses):
    """A 1080x1920 clip's replay is 720x1280, scaled by the decoder before the overlay is drawn:
    the drawing lands on the person's scaled joints."""
    from analyzer.capture import iter_frames

    src = _path("fms_7026.mov")
    out = analyses.run(src, replay=True)
    assert (probe(out / "replay.mp4").width, probe(out / "replay.mp4").height) == (720, 1280)
    track = PoseTrack.load(out / "landmarks.npz")
    k = len(track) // 2
    rep = next(f for f in iter_frames(out / "replay.mp4") if f.index == k).rgb.astype(int)
    raw = next(f for f in iter_frames(src, size=(720, 1280)) if f.index == k).rgb.astype(int)
    changed = np.abs(rep - raw).sum(-1) > 60
    hits = 0
    for j in (23, 24, 25, 26, 27, 28):  # hips, knees, ankles
        x, y = track.xy[k, j] * (720 / 1080)
        if np.isfinite([x, y]).all():
            win = changed[max(0, int(y) - 6):int(y) + 7, max(0, int(x) - 6):int(x) + 7]
            hits += bool(win.any())
    assert hits >= 5, hits
    assert changed.mean() < 0.25  # an overlay, not a different picture


def test_start_end_trim_analyses_just_that_span(analyses, model_path, tmp_path):
    """--start/--end: the outputs cover the span only, with times from its start; the reps found
    in it are the whole clip's reps in that span, shifted by --start."""
    import csv

    from analyzer.pipeline import AnalyzeOptions, analyze_video

    src = _path("deepsquat_side_bodyweight.mp4")
    whole = analyses.summary(src)
    a, b = 2.0, 7.5
    out = analyze_video(src, AnalyzeOptions(outdir=tmp_path, model=str(model_path), progress=False, start=a,
                                            end=b)).outdir
    s = json.loads((out / "summary.json").read_text())
    assert s["source"]["trim"] == {"start_s": a, "end_s": b}
    assert s["source"]["duration_s"] == pytest.approx(b - a)
    assert "(its 2.0–7.5 s; times here from 2.0 s)" in (out / "report.html").read_text(encoding="utf-8")
    with open(out / "frames.csv", newline="") as f:
        t = [float(r["time_s"]) for r in csv.DictReader(f)]
    assert t[0] == 0.0 and t[-1] == pytest.approx(b - a, abs=0.04) and len(t) == s["source"]["frames"]
    replay = probe(out / "replay.mp4")
    assert replay.frames == len(t) and replay.duration_s == pytest.approx(b - a, abs=0.05)
    # a rep the span cuts is incomplete (not counted), as at a video's own start or end
    inside = [r["bottom_s"] for r in whole["reps"] if a + 0.1 < r["start_s"] and r["end_s"] < b - 0.1]
    assert inside, whole["reps"]
    got = [r["bottom_s"] + a for r in s["reps"]]
    assert len(got) == len(inside), (got, inside)
    for bottom in inside:
        assert min(abs(g - bottom) for g in got) < 0.15, (bottom, got)


def test_trim_outside_the_video_is_one_line(model_path, tmp_path):
    import subprocess
    import sys

    src = _path("deepsquat_side_bodyweight.mp4")
    run = lambda *a: subprocess.run([sys.executable, "-m", "analyzer.cli", "analyze", str(src), "-o", str(tmp_path),  # noqa: E731
                                     "--model", str(model_path), "-q", *a], capture_output=True, text=True, timeout=120)
    past = run("--start", "60")
    assert past.returncode == 1 and past.stderr.strip() == \
        "kinetic: deepsquat_side_bodyweight.mp4: --start 60 s is past the video's end (10.73 s)"
    backwards = run("--start", "5", "--end", "3")
    assert backwards.returncode == 2 and "--end after it" in backwards.stderr


def test_lockout_not_judged_when_the_body_orientation_swings(analyses):
    """The lockout (a 15 deg threshold near MediaPipe's own error) is judged on a steady side
    view, and not judged, with the reason, once the pose's 3D body orientation swings while
    standing (as a barbell-confused pose did on the dev split)."""
    from analyzer.exercises.squat import MAX_STANDING_PLANE_SWING, analyze_squat, standing_mask
    from analyzer.profile import load_profile
    from analyzer.view import estimate_view

    track = PoseTrack.load(analyses.run(_path("squat_side.mp4")) / "landmarks.npz")
    steady = analyze_squat(track, estimate_view(track), load_profile())
    assert steady.reps and all(r.metrics.get("lockout") is not None for r in steady.reps)

    swung = PoseTrack.load(analyses.run(_path("squat_side.mp4")) / "landmarks.npz")
    stand = standing_mask(steady.depth)
    turn = np.radians(np.linspace(0.0, 60.0, stand.sum()))  # drifting from stand to stand, not jitter
    c, s = np.cos(turn)[:, None], np.sin(turn)[:, None]
    w = swung.world[stand].astype(np.float64)
    x, z = w[..., 0].copy(), w[..., 2].copy()
    w[..., 0], w[..., 2] = c * x - s * z, s * x + c * z  # about the vertical axis
    swung.world[stand] = w
    view = estimate_view(swung)
    from analyzer.exercises.squat import _standing_plane_swing

    assert _standing_plane_swing(view, steady.depth) > MAX_STANDING_PLANE_SWING
    judged = analyze_squat(swung, view, load_profile())
    for r in judged.reps:
        assert r.metrics.get("lockout") is None
        assert any(n["code"] == "incomplete_lockout" and "not read steadily" in n["why"] for n in r.not_judged), r.not_judged
