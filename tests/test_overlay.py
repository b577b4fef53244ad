"""analyzer.overlay: what the replay shows per frame (plan) and that it paints legibly at any size.

Synthetic pose, no model: a side-view squat of 3 s at 30 fps with one rep whose right ankle
is limited, and a front view with a knee caving in.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from analyzer import overlay
from analyzer.faults import Fault
from analyzer.skeleton import CHAIN, L_HIP, R_HIP

FPS, T = 30.0, 90


def _fault(code, side, start, end, value, threshold, link, severity="moderate", view="side"):
    return Fault(code=code, side=side, rep=1, start_s=start, end_s=end, onset_s=start, value=value,
                 threshold=threshold, unit="deg", error_band=1.5, severity=severity, view=view, link=link,
                 message="")


def side_pose(W: int, H: int) -> np.ndarray:
    """(T, 33, 2) pixels: a person facing right squats down and up once (frames 15..75)."""
    xy = np.full((T, 33, 2), np.nan)
    s = min(W, H) / 480.0
    depth = np.clip(np.sin(np.pi * (np.arange(T) - 15) / 60.0), 0, None)  # 0 standing .. 1 bottom
    ankle = np.array([0.45 * W, 0.85 * H])
    for i, d in enumerate(depth):
        shank = np.radians(5 + 30 * d)  # forward lean of the shin
        knee = ankle + 90 * s * np.array([np.sin(shank), -np.cos(shank)])
        thigh = np.radians(5 + 85 * d)  # thigh from vertical, pointing back from the knee
        hip = knee + 95 * s * np.array([-np.sin(thigh), -np.cos(thigh)])
        trunk = np.radians(5 + 35 * d)
        shoulder = hip + 120 * s * np.array([np.sin(trunk), -np.cos(trunk)])
        for side, off in (("right", 0.0), ("left", -4 * s)):
            p = CHAIN[side]
            xy[i, p["ankle"]] = ankle + [off, 0]
            xy[i, p["knee"]] = knee + [off, 0]
            xy[i, p["hip"]] = hip + [off, 0]
            xy[i, p["shoulder"]] = shoulder + [off, 0]
            xy[i, p["heel"]] = ankle + [off - 15 * s, 12 * s]
            xy[i, p["foot"]] = ankle + [off + 45 * s, 14 * s]
    return xy


def side_plan(W=854, H=480, faults=None):
    t = np.arange(T) / FPS
    xy = side_pose(W, H)
    depth = np.clip(np.sin(np.pi * (np.arange(T) - 15) / 60.0), 0, None) * 100
    nan = np.full(T, np.nan)
    series = {"right_knee_flexion": 10 + depth, "left_knee_flexion": nan, "right_shank_inclination": 5 + 0.25 * depth,
              "left_shank_inclination": nan, "trunk_lean": 5 + 0.3 * depth, "left_knee_valgus": nan,
              "right_knee_valgus": nan}
    rep = SimpleNamespace(index=1, start=15, bottom=45, end=75)
    if faults is None:
        faults = [_fault("limited_dorsiflexion", "right", 1.3, 2.0, 28.0, 30.0, "ankle")]
    plan = overlay.OverlayPlan(t, xy, series, [rep], faults, "side", "right", frame_view=np.full(T, "side", object),
                               depth=depth)
    return plan, xy


def test_plan_counts_reps_phases_and_warnings():
    plan, _ = side_plan()
    before, down, bottom, up, after = (plan.frame(i) for i in (5, 25, 45, 65, 85))
    assert (before.in_rep, before.rep_count, before.phase) == (0, 0, "")
    assert (down.in_rep, down.phase) == (1, "descent")
    assert bottom.phase == "bottom" and up.phase == "ascent"
    assert after.rep_count == 1 and after.in_rep == 0
    # The warning shows from its start, for at least SHOW_WARNING_S.
    assert not plan.frame(int(1.2 * FPS)).warnings
    w = plan.frame(int(1.5 * FPS)).warnings
    assert [f.code for f in w] == ["limited_dorsiflexion"]
    # A warning starting between two frames is on the frame shown at that time.
    late, _ = side_plan(faults=[_fault("limited_dorsiflexion", "right", 1.31, 2.0, 28.0, 30.0, "ankle")])
    assert late.frame(39).warnings and not late.frame(38).warnings
    # The right shank and foot turn red (a moderate fault), the left leg is untouched.
    parts = plan.frame(45).parts
    assert parts[("shank", "right")] == overlay.RED and ("shank", "left") not in parts
    # Side view: arcs at the knee, the ankle (flagged) and the hip (trunk), on the near leg.
    arcs = {a.text.split()[0]: a for a in plan.frame(45).arcs}
    assert set(arcs) == {"knee", "ankle", "trunk"}
    assert arcs["ankle"].status == "bad" and arcs["trunk"].status == "ok"
    assert arcs["ankle"].joint == CHAIN["right"]["ankle"]


def test_clean_rep_is_acknowledged():
    plan, _ = side_plan(faults=[])
    assert plan.frame(80).clean_rep == 1
    assert plan.frame(50).clean_rep == 0


def test_banner_titles_read_plainly():
    f = _fault("limited_dorsiflexion", "right", 0, 1, 28.6, 30.0, "ankle")
    assert overlay.warning_title(f) == "Right ankle: limited dorsiflexion 29°\u00a0(needs\u00a0≥\u00a030°)"
    f = _fault("knee_varus", "left", 0, 1, -12.2, -10.0, "knee")
    assert overlay.warning_title(f).startswith("Left knee bows out 12°")
    f = _fault("excessive_trunk_lean", None, 0, 1, 24.0, 20.0, "hip")
    assert overlay.warning_title(f).startswith("Trunk leans far forward 24°")


def _banner_rows(img: np.ndarray, colour) -> np.ndarray:
    """Rows where a wide run of the banner's colour is painted."""
    match = np.all(np.abs(img.astype(int) - np.array(colour)) < 40, axis=2)
    return np.flatnonzero(match.sum(axis=1) > 0.5 * img.shape[1])


@pytest.mark.parametrize("size", [(854, 480), (1920, 1080), (608, 1080)])
def test_draw_scales_with_the_frame(size):
    W, H = size
    plan, xy = side_plan(W, H)
    i = 45
    img = np.full((H, W, 3), 60, np.uint8)
    out = overlay.draw(img, xy[i], plan.frame(i), "side", "right", total_reps=1)
    assert out is img and out.shape == (H, W, 3)
    rows = _banner_rows(img, overlay.RED)
    assert len(rows), "no warning banner"
    # The banner is tall enough to read: at least 9 % of the short side (two lines of >= 3.4 %
    # text plus padding).
    assert rows.max() < H and (rows.max() - rows.min()) >= 0.09 * min(W, H)
    # Rep counter and view badge in the top corners.
    top = img[: int(0.12 * H)]
    assert (np.abs(top[:, : W // 4].astype(int) - 60).sum(axis=2) > 60).any()
    assert (np.abs(top[:, -W // 4:].astype(int) - 60).sum(axis=2) > 60).any()


def test_banner_avoids_the_head():
    """Under the counter by default (a paused browser covers the bottom with its controls);
    at the bottom when the head is up there and the feet leave room."""
    W, H = 854, 480
    plan, xy = side_plan(W, H)
    img = np.full((H, W, 3), 60, np.uint8)
    overlay.draw(img, xy[45], plan.frame(45), "side", "right", 1)  # at the bottom of a squat: head low
    assert _banner_rows(img, overlay.RED).max() < H / 2
    tall = xy[45].copy()
    tall[:, 1] = (tall[:, 1] - np.nanmin(tall[:, 1])) * 0.6 + 0.02 * H  # the head near the top edge
    img = np.full((H, W, 3), 60, np.uint8)
    overlay.draw(img, tall, plan.frame(45), "side", "right", 1)
    assert _banner_rows(img, overlay.RED).min() > H / 2


def test_text_is_large_enough_at_480p():
    # The smallest text (labels, phase) is drawn at >= 2.3 % of the short side: 11 px at 480p;
    # the banner title at 3.4 % = 16 px.
    S = overlay._Scale(np.zeros((480, 854, 3), np.uint8))
    assert S(2.3) >= 11 and S(3.4) >= 16
    assert overlay._text_mask("Ag", S(3.4), True).shape[0] >= 16


def test_front_view_draws_the_knee_line_and_offset():
    W, H = 854, 480
    xy = side_pose(W, H)[:1].copy()
    # Face the camera: hips apart, the right knee inside the hip-ankle line.
    for side, x in (("right", 0.42 * W), ("left", 0.58 * W)):
        p = CHAIN[side]
        xy[0, p["hip"]] = [x, 0.45 * H]
        xy[0, p["ankle"]] = [x, 0.85 * H]
        xy[0, p["knee"]] = [x + (0.04 * W if side == "right" else 0.0), 0.65 * H]
        xy[0, p["shoulder"]] = [x, 0.2 * H]
        xy[0, p["heel"]] = [x, 0.87 * H]
        xy[0, p["foot"]] = [x, 0.9 * H]
    series = {"right_knee_valgus": np.array([14.0]), "left_knee_valgus": np.array([2.0])}
    f = _fault("knee_valgus", "right", 0.0, 1.0, 14.0, 10.0, "knee", view="front")
    plan = overlay.OverlayPlan(np.array([0.0]), xy, series, [], [f], "front", "camera")
    info = plan.frame(0)
    assert [g[:3] for g in info.guides] == [(CHAIN["left"]["hip"], CHAIN["left"]["ankle"], CHAIN["left"]["knee"]),
                                            (CHAIN["right"]["hip"], CHAIN["right"]["ankle"], CHAIN["right"]["knee"])]
    texts = sorted(a.text for a in info.arcs)
    assert texts == ["L knee 2° in", "R knee 14° in"]
    img = np.full((H, W, 3), 60, np.uint8)
    overlay.draw(img, xy[0], info, "front", "camera", 0)
    # The offset of the flagged knee is painted red between the line and the knee.
    y = int(0.65 * H)
    row = img[y, int(0.42 * W) + 3: int(0.46 * W) - 3]
    assert (np.abs(row.astype(int) - overlay.RED).sum(axis=1) < 60).any()
    assert np.isfinite(xy[0, [L_HIP, R_HIP]]).all()


def test_missing_landmarks_draw_nothing_but_the_hud():
    plan, xy = side_plan()
    img = np.full((480, 854, 3), 60, np.uint8)
    overlay.draw(img, np.full((33, 2), np.nan), plan.frame(45), "side", "right", 1)
    body = img[200:330, 200:650]  # under the top banner, above the bottom edge
    assert (body == 60).all()
