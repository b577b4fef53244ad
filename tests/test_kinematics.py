"""Geometry and kinematics on hand-built landmarks with known angles."""
from __future__ import annotations

import numpy as np
import pytest

from analyzer import geometry as g
from analyzer import kinematics as k
from analyzer.skeleton import CHAIN, MIRROR, NAMES


def test_mirror_map_swaps_sides():
    for i, name in enumerate(NAMES):
        j = MIRROR[i]
        assert NAMES[j] == name.replace("left", "X").replace("right", "left").replace("X", "right")


def test_joint_angle_and_flexion_broadcast():
    a = np.array([[0.0, 0.0], [0.0, 0.0]])
    b = np.array([[0.0, 1.0], [0.0, 1.0]])
    c = np.array([[0.0, 2.0], [1.0, 1.0]])
    np.testing.assert_allclose(g.joint_angle(a, b, c), [180.0, 90.0])
    np.testing.assert_allclose(g.flexion(a, b, c), [0.0, 90.0])
    assert np.isnan(g.joint_angle(np.array([np.nan, 0]), np.array([0, 1.0]), np.array([0, 2.0])))


def test_inclination_sign_follows_facing():
    ankle = np.array([100.0, 200.0])
    knee = np.array([100.0 + 50 * np.tan(np.radians(30)), 150.0])  # 30 deg toward +x
    assert g.inclination(ankle, knee, +1.0) == pytest.approx(30.0)
    assert g.inclination(ankle, knee, -1.0) == pytest.approx(-30.0)


def _standing(T=1, hip_w=40.0, spread=0.0):
    """Front-view person facing the camera: person's left on image right (+x). y down, px."""
    xy = np.full((T, 33, 2), np.nan)
    for side, sx in (("left", 1), ("right", -1)):
        p = CHAIN[side]
        xy[:, p["shoulder"]] = [200 + sx * 50, 100]
        xy[:, p["hip"]] = [200 + sx * hip_w / 2, 250]
        xy[:, p["knee"]] = [200 + sx * (hip_w / 2 + spread), 350]
        xy[:, p["ankle"]] = [200 + sx * (hip_w / 2 + 2 * spread), 450]
        xy[:, p["heel"]] = [200 + sx * (hip_w / 2 + 2 * spread), 460]
        xy[:, p["foot"]] = [200 + sx * (hip_w / 2 + 2 * spread + 5), 470]
    return xy


def test_fppa_sign_is_valgus_positive_for_both_legs_and_views():
    xy = _standing()
    base = k.frontal_angles(xy)
    assert base["left_fppa"][0] == pytest.approx(0.0, abs=1e-9)
    # Knees move medially by 20 px (toward the midline at x=200): valgus on both legs.
    valgus = xy.copy()
    valgus[:, 25, 0] -= 20  # left knee (image right) moves to smaller x
    valgus[:, 26, 0] += 20
    fa = k.frontal_angles(valgus)
    expected = 2 * np.degrees(np.arctan(20 / 100))
    assert fa["left_fppa"][0] == pytest.approx(expected)
    assert fa["right_fppa"][0] == pytest.approx(expected)
    assert fa["knee_ankle_ratio"][0] < 1
    # Seen from behind the image is mirrored (and so are left/right): still valgus.
    rear = valgus.copy()
    rear[..., 0] = 400 - rear[..., 0]
    fr = k.frontal_angles(rear)
    assert fr["left_fppa"][0] == pytest.approx(expected)
    # Knees out: varus, negative.
    varus = xy.copy()
    varus[:, 25, 0] += 20
    varus[:, 26, 0] -= 20
    assert k.frontal_angles(varus)["left_fppa"][0] == pytest.approx(-expected)


def test_hip_shift_and_pelvic_obliquity_signs():
    xy = _standing()
    xy[:, [23, 24], 0] += 8  # pelvis moves toward the person's left (image right, front view)
    xy[:, 23, 1] += 5  # left hip lower
    fa = k.frontal_angles(xy)
    assert fa["hip_shift"][0] == pytest.approx(8 / 40)
    assert fa["pelvic_obliquity"][0] == pytest.approx(np.degrees(np.arctan2(5, 40)))


def test_sagittal_angles_of_a_side_squat():
    """Side view, person faces image-right: build a pose with known thigh/shank/trunk angles."""
    shank, thigh, trunk, L = 35.0, 95.0, 40.0, 100.0
    ankle = np.array([300.0, 500.0])
    knee = ankle + L * np.array([np.sin(np.radians(shank)), -np.cos(np.radians(shank))])
    # Thigh goes back (-x) and up from the knee; thigh angle measured from vertical-down at the hip.
    hip = knee + L * np.array([-np.sin(np.radians(thigh)), np.cos(np.radians(thigh))]) * np.array([1, -1])
    shoulder = hip + 120 * np.array([np.sin(np.radians(trunk)), -np.cos(np.radians(trunk))])
    xy = np.full((1, 33, 2), np.nan)
    for side in ("left", "right"):
        p = CHAIN[side]
        xy[0, p["ankle"]], xy[0, p["knee"]], xy[0, p["hip"]], xy[0, p["shoulder"]] = ankle, knee, hip, shoulder
        xy[0, p["heel"]] = ankle + [-20, 15]
        xy[0, p["foot"]] = ankle + [60, 15]
    a = k.sagittal_angles(xy, +1.0)
    assert a["left_shank_inclination"][0] == pytest.approx(shank)
    assert a["left_knee_flexion"][0] == pytest.approx(shank + thigh)
    assert a["left_thigh_inclination"][0] == pytest.approx(thigh)
    assert a["trunk_lean"][0] == pytest.approx(trunk)
    assert a["left_shank_foot_dorsiflexion"][0] == pytest.approx(shank)
    assert a["left_hip_below_knee"][0] > 0  # thigh past horizontal
    # Mirror the scene (faces image-left) with forward_sign -1: same angles.
    m = xy.copy()
    m[..., 0] = 1000 - m[..., 0]
    b = k.sagittal_angles(m, -1.0)
    for key in ("left_shank_inclination", "left_knee_flexion", "trunk_lean"):
        assert b[key][0] == pytest.approx(a[key][0])
