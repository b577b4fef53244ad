"""Ground truth: the 33 MediaPipe landmarks of the posed body, and the BIOMECHANICS.md metrics
computed from them, exactly in 3D and as this camera sees them (pure numpy).

Landmarks (world metres, MediaPipe order of `analyzer.skeleton`), from anny:
- joint centres (bone heads): hips = upperleg01, knees = lowerleg01, ankles = foot,
  elbows = lowerarm01, wrists = wrist, pinky = finger5-2, index = finger2-2, thumb = finger1-3;
- anny's COCO surface keypoint regressor: nose, eyes, ears, shoulders, heels, foot_index = big toe;
- mesh vertices picked once on the rest mesh: eye inner/outer corners, mouth corners.

``angles3d`` runs the project's own metric code (`analyzer.kinematics`) on exact orthographic
views of the 3D landmarks in the body's planes (sagittal: seen from the subject's left; frontal:
seen from the front), plus 3D-only values (true knee flexion, lumbar flexion, pelvic tilt, heel
and toe heights, foot roll and pitch). ``angles2d`` runs the same code on the landmarks projected
by the scenario's camera, so the bench compares the analyzer with truth like for like.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ..kinematics import frontal_angles, sagittal_angles
from ..skeleton import NAMES, N_LANDMARKS

SCHEMA = "kinetic/synth-truth/1"
UP = np.array([0.0, 0.0, 1.0])

_BONES = {
    "left_elbow": "lowerarm01.L", "right_elbow": "lowerarm01.R",
    "left_wrist": "wrist.L", "right_wrist": "wrist.R",
    "left_pinky": "finger5-2.L", "right_pinky": "finger5-2.R",
    "left_index": "finger2-2.L", "right_index": "finger2-2.R",
    "left_thumb": "finger1-3.L", "right_thumb": "finger1-3.R",
    "left_hip": "upperleg01.L", "right_hip": "upperleg01.R",
    "left_knee": "lowerleg01.L", "right_knee": "lowerleg01.R",
    "left_ankle": "foot.L", "right_ankle": "foot.R",
}
_COCO = {
    "nose": "nose", "left_eye": "left_eye", "right_eye": "right_eye", "left_ear": "left_ear",
    "right_ear": "right_ear", "left_shoulder": "left_shoulder", "right_shoulder": "right_shoulder",
    "left_heel": "left_heel", "right_heel": "right_heel",
    "left_foot_index": "left_big_toe", "right_foot_index": "right_big_toe",
}
_VERTEX = ("left_eye_inner", "left_eye_outer", "right_eye_inner", "right_eye_outer",
           "mouth_left", "mouth_right")


def face_vertices(rest_vertices: np.ndarray, rest_coco: dict[str, np.ndarray]) -> dict[str, int]:
    """Mesh vertex indices for the eye corners and mouth corners, found on the rest mesh."""
    V = rest_vertices
    out = {}
    for side, sg in (("left", 1.0), ("right", -1.0)):
        e = rest_coco[f"{side}_eye"]
        for name, dx, dy in (("inner", -0.016, 0.002), ("outer", 0.018, 0.008)):
            target = e + np.array([sg * dx, dy, 0.0])
            out[f"{side}_eye_{name}"] = int(np.argmin(np.linalg.norm(V - target, axis=1)))
    n = rest_coco["nose"]
    for side, sg in (("left", 1.0), ("right", -1.0)):
        target = n + np.array([sg * 0.024, 0.018, -0.042])
        out[f"mouth_{side}"] = int(np.argmin(np.linalg.norm(V - target, axis=1)))
    return out


def landmark_sources(face_idx: dict[str, int]) -> list[str]:
    src = []
    for n in NAMES:
        if n in _BONES:
            src.append(f"bone:{_BONES[n]}")
        elif n in _COCO:
            src.append(f"coco:{_COCO[n]}")
        else:
            src.append(f"vertex:{face_idx[n]}")
    return src


def landmarks33(heads: dict, coco: dict, vertices: np.ndarray, face_idx: dict[str, int]) -> np.ndarray:
    """(33, 3) world landmarks of one posed frame."""
    out = np.empty((N_LANDMARKS, 3))
    for i, n in enumerate(NAMES):
        if n in _BONES:
            out[i] = heads[_BONES[n]]
        elif n in _COCO:
            out[i] = coco[_COCO[n]]
        else:
            out[i] = vertices[face_idx[n]]
    return out


# ---------------------------------------------------------------- metrics

def ortho_side(L3: np.ndarray) -> np.ndarray:
    """Orthographic view from the subject's left: image x = world +Y (backward), y = -Z.
    The subject faces image-left (forward_sign = -1)."""
    return np.stack([L3[..., 1], -L3[..., 2]], axis=-1)


def ortho_front(L3: np.ndarray) -> np.ndarray:
    """Orthographic view from the front: image x = world +X (subject's left), y = -Z."""
    return np.stack([L3[..., 0], -L3[..., 2]], axis=-1)


def metrics2d(xy: np.ndarray, forward_sign) -> dict[str, np.ndarray]:
    """The project's sagittal and frontal metrics on image landmarks (T, 33, 2)."""
    out = dict(sagittal_angles(xy, forward_sign))
    out.update(frontal_angles(xy))
    return out


def _sagittal_angle(v: np.ndarray) -> np.ndarray:
    """Inclination of direction(s) (..., 3) from vertical in the sagittal plane, forward (-Y) +."""
    return np.degrees(np.arctan2(-v[..., 1], v[..., 2]))


def metrics3d(L3: np.ndarray, frames: list[dict], rest: dict) -> dict[str, np.ndarray]:
    """Exact metrics from the 3D landmarks (T, 33, 3) and per-frame bone data.

    ``frames[f]`` holds ``G`` (bone -> global rotation) and ``heads`` for the bones used here;
    ``rest`` holds rest values (heel/toe heights, foot length, foot axes).
    """
    out = dict(sagittal_angles(ortho_side(L3), -1.0))
    out.update(frontal_angles(ortho_front(L3)))
    idx = {n: i for i, n in enumerate(NAMES)}
    for side, s in (("left", "L"), ("right", "R")):
        hip, knee, ank = (L3[:, idx[f"{side}_{j}"]] for j in ("hip", "knee", "ankle"))
        th, sh = knee - hip, ank - knee
        cosk = np.sum(th * sh, -1) / np.linalg.norm(th, axis=-1) / np.linalg.norm(sh, axis=-1)
        out[f"{side}_knee_flexion_3d"] = np.degrees(np.arccos(np.clip(cosk, -1, 1)))
        heel, toe = L3[:, idx[f"{side}_heel"]], L3[:, idx[f"{side}_foot_index"]]
        out[f"{side}_heel_height"] = heel[:, 2] - rest[f"{side}_heel_z"]
        out[f"{side}_heel_lift"] = out[f"{side}_heel_height"] / rest["foot_length"]
        out[f"{side}_toe_height"] = toe[:, 2] - rest[f"{side}_toe_z"]
        fwd = np.array([fr["G"][f"foot.{s}"] @ rest[f"{side}_foot_fwd"] for fr in frames])
        lat = np.array([fr["G"][f"foot.{s}"] @ rest[f"{side}_foot_lat"] for fr in frames])
        toe_dir = np.array([fr["G"][f"toe2-1.{s}"] @ rest[f"{side}_foot_fwd"] for fr in frames])
        out[f"{side}_foot_pitch"] = -np.degrees(np.arcsin(np.clip(fwd[:, 2], -1, 1)))   # heel up +
        out[f"{side}_foot_roll_3d"] = np.degrees(np.arcsin(np.clip(lat[:, 2], -1, 1)))  # pronation +
        # toe extension: toes' direction relative to the foot's, about the foot's lateral axis
        cross = np.cross(fwd, toe_dir)
        sgn = -np.sign(np.sum(cross * (lat * (1.0 if s == "L" else -1.0)), -1))
        out[f"{side}_toe_extension"] = sgn * np.degrees(np.arccos(np.clip(np.sum(fwd * toe_dir, -1), -1, 1)))
        # ankle: the foot's rotation relative to where it would point if rigid with the shank,
        # about the shank's lateral axis, plus the rest shank tilt; dorsiflexion +
        rigid = np.array([fr["G"][f"lowerleg02.{s}"] @ rest[f"{side}_foot_fwd"] for fr in frames])
        slat = np.array([fr["G"][f"lowerleg02.{s}"] @ rest[f"{side}_foot_lat"] for fr in frames])
        c = np.cross(rigid, fwd)
        sgn = np.sign(np.sum(c * slat, -1)) * (1.0 if s == "L" else -1.0)
        rel = sgn * np.degrees(np.arccos(np.clip(np.sum(rigid * fwd, -1), -1, 1)))
        out[f"{side}_ankle_dorsiflexion_3d"] = rest[f"{side}_rest_shank"] - rel
    pel = np.array([fr["G"]["root"] @ UP for fr in frames])
    chest = np.array([fr["G"]["spine02"] @ UP for fr in frames])
    out["pelvic_tilt"] = _sagittal_angle(pel)
    out["chest_inclination"] = _sagittal_angle(chest)
    out["lumbar_flexion"] = out["chest_inclination"] - out["pelvic_tilt"]
    sp = np.array([[fr["heads"][b] for b in ("spine05", "spine03", "spine01")] for fr in frames])
    chord = sp[:, 2] - sp[:, 0]
    mid = sp[:, 1] - sp[:, 0]
    clen = np.linalg.norm(chord, axis=-1)
    # back side of the chord in the sagittal plane: perpendicular pointing backward (+Y-ish)
    perp = np.stack([np.zeros(len(frames)), chord[:, 2], -chord[:, 1]], -1) / clen[:, None]
    out["lumbar_curvature"] = np.sum(mid * perp, -1) / clen
    hipc = 0.5 * (L3[:, idx["left_hip"]] + L3[:, idx["right_hip"]])
    ankc = 0.5 * (L3[:, idx["left_ankle"]] + L3[:, idx["right_ankle"]])
    out["hip_shift_m"] = hipc[:, 0] - ankc[:, 0]
    dl = L3[:, idx["left_hip"]] - L3[:, idx["right_hip"]]
    out["pelvic_drop"] = np.degrees(np.arctan2(-dl[:, 2], np.hypot(dl[:, 0], dl[:, 1])))
    return out


def forward_sign(camera, L3: np.ndarray) -> np.ndarray:
    """+1 where the subject faces image-right in this camera, -1 image-left (0 never: ties +1)."""
    idx = {n: i for i, n in enumerate(NAMES)}
    hipc = 0.5 * (L3[:, idx["left_hip"]] + L3[:, idx["right_hip"]])
    a = camera.project(hipc)
    b = camera.project(hipc + 0.3 * np.array([0.0, -1.0, 0.0]))
    return np.where(b[:, 0] - a[:, 0] < 0, -1.0, 1.0)


# ---------------------------------------------------------------- file

def _r(a, nd):
    return np.round(np.asarray(a, np.float64), nd).tolist()


def _clean(x):
    """JSON-safe: NaN/inf -> None."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, list):
        return [_clean(v) for v in x]
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    return x


def frames_json(t, rep, phase, params, L3, L2, a3, a2) -> list[dict]:
    out = []
    for f in range(len(t)):
        out.append(dict(
            frame=f, t=round(float(t[f]), 6), rep=int(rep[f]), phase=phase[f],
            params={k: round(float(v[f]), 4) for k, v in params.items()},
            landmarks3d=_r(L3[f], 5), landmarks2d=_r(L2[f], 3),
            angles3d={k: round(float(v[f]), 4) for k, v in a3.items()},
            angles2d={k: round(float(v[f]), 4) for k, v in a2.items()},
        ))
    return out


def write_truth(path: str | Path, doc: dict) -> None:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(_clean(doc), separators=(",", ":")))
    tmp.replace(path)


def load_truth(path: str | Path) -> dict:
    """A truth file with per-frame data gathered into arrays:
    ``t`` (T,), ``rep`` (T,), ``phase`` list, ``landmarks3d`` (T, 33, 3), ``landmarks2d``
    (T, 33, 2), ``angles3d`` / ``angles2d`` / ``params``: name -> (T,) (NaN where null);
    everything else as stored."""
    doc = json.loads(Path(path).read_text())
    fr = doc.pop("frames")
    doc["t"] = np.array([f["t"] for f in fr])
    doc["rep"] = np.array([f["rep"] for f in fr])
    doc["phase"] = [f["phase"] for f in fr]
    doc["landmarks3d"] = np.array([f["landmarks3d"] for f in fr], np.float64)
    doc["landmarks2d"] = np.array([f["landmarks2d"] for f in fr], np.float64)
    for key in ("angles3d", "angles2d", "params"):
        names = fr[0][key].keys() if fr else []
        doc[key] = {n: np.array([np.nan if f[key][n] is None else f[key][n] for f in fr], np.float64)
                    for n in names}
    return doc


# ---------------------------------------------------------------- walking

def gait_truth(t: np.ndarray, steps: list[dict], L3: np.ndarray, a3: dict[str, np.ndarray],
               toes_up_deg: float) -> dict:
    """The walk's truth (analyzer.synth.gait): per frame which foot is on the floor and each
    foot's toe extension (deg) and toe-tip height above the floor (m); per step its foot, times
    (lift-off, contact, end of the double-support hold, end of the foot's stance: its next
    lift-off, or the end of the walk - the last step's hold - s) and, over the landing foot's stance, the least toe extension
    and toe-tip height, and whether the toes stayed up (least extension >= ``toes_up_deg``).

    steps: the rep records of the timeline (each with settings.foot, start_s, bottom_s, end_s).
    """
    idx = {n: i for i, n in enumerate(NAMES)}
    T = len(t)
    stance = {s: np.ones(T, bool) for s in ("left", "right")}
    for r in steps:
        stance[r["settings"]["foot"]] &= ~((t > r["start_s"]) & (t < r["bottom_s"]))
    floor = {s: L3[:, idx[f"{s}_foot_index"], 2] for s in ("left", "right")}
    out_steps = []
    for k, r in enumerate(steps):
        foot = r["settings"]["foot"]
        nxt = [q["start_s"] for q in steps[k + 1:] if q["settings"]["foot"] == foot]
        other = [q["start_s"] for q in steps[k + 1:] if q["settings"]["foot"] != foot]
        end = nxt[0] if nxt else steps[-1]["end_s"]  # the walk ends with the last step's hold
        w = (t >= r["bottom_s"]) & (t <= end)
        ext = a3[f"{foot}_toe_extension"][w]
        rec = dict(index=r["index"], foot=foot, liftoff_s=r["start_s"], contact_s=r["bottom_s"],
                   hold_end_s=(other[0] if other else r["end_s"]), stance_end_s=round(end, 4),
                   contact_time_s=round(end - r["bottom_s"], 4),
                   rendered=bool(w.any()))
        if w.any():
            rec.update(toe_ext_min=round(float(ext.min()), 3), toe_ext_median=round(float(np.median(ext)), 3),
                       toe_floor_min_m=round(float(floor[foot][w].min()), 5),
                       toes_up=bool(ext.min() >= toes_up_deg))
        out_steps.append(rec)
    return dict(
        note="stance: the foot is on the floor (not swinging); toe_extension: deg, toes up +; toe_floor: the "
             "big-toe tip's height above the floor, m; a step's stance runs from its contact to the same foot's "
             f"next lift-off; toes_up: least toe extension over that stance >= {toes_up_deg} deg",
        toes_up_deg=toes_up_deg,
        frames=dict(left_stance=stance["left"].astype(int).tolist(), right_stance=stance["right"].astype(int).tolist(),
                    left_toe_extension=_r(a3["left_toe_extension"], 3), right_toe_extension=_r(a3["right_toe_extension"], 3),
                    left_toe_floor=_r(floor["left"], 5), right_toe_floor=_r(floor["right"], 5)),
        steps=out_steps)
