"""MediaPipe PoseLandmarker's 33-point skeleton: ids, names, drawing edges, left/right pairs.

Pure data; no imports beyond the standard library so every layer can use it.
"""
from __future__ import annotations

NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_pinky", "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)
N_LANDMARKS = len(NAMES)
INDEX: dict[str, int] = {name: i for i, name in enumerate(NAMES)}

NOSE = 0
L_SHOULDER, R_SHOULDER = 11, 12
L_ELBOW, R_ELBOW = 13, 14
L_WRIST, R_WRIST = 15, 16
L_HIP, R_HIP = 23, 24
L_KNEE, R_KNEE = 25, 26
L_ANKLE, R_ANKLE = 27, 28
L_HEEL, R_HEEL = 29, 30
L_FOOT, R_FOOT = 31, 32  # foot_index: the tip of the big toe / forefoot

SIDES = ("left", "right")

# Per side: the landmarks the kinetic chain uses.
CHAIN: dict[str, dict[str, int]] = {
    "left": dict(shoulder=L_SHOULDER, hip=L_HIP, knee=L_KNEE, ankle=L_ANKLE, heel=L_HEEL, foot=L_FOOT),
    "right": dict(shoulder=R_SHOULDER, hip=R_HIP, knee=R_KNEE, ankle=R_ANKLE, heel=R_HEEL, foot=R_FOOT),
}

# Landmarks whose visibility decides whether a person is "in frame" for the squat.
LOWER_BODY = (L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANKLE, R_ANKLE, L_HEEL, R_HEEL, L_FOOT, R_FOOT)

# Edges for drawing: (a, b, part) with part in {"face", "arm", "trunk", "leg", "foot"}.
EDGES: tuple[tuple[int, int, str], ...] = (
    (11, 12, "trunk"), (11, 23, "trunk"), (12, 24, "trunk"), (23, 24, "trunk"),
    (11, 13, "arm"), (13, 15, "arm"), (12, 14, "arm"), (14, 16, "arm"),
    (23, 25, "leg"), (25, 27, "leg"), (24, 26, "leg"), (26, 28, "leg"),
    (27, 29, "foot"), (29, 31, "foot"), (27, 31, "foot"),
    (28, 30, "foot"), (30, 32, "foot"), (28, 32, "foot"),
)

# Mirror map: index of the same landmark on the other side (used to swap L/R).
def _mirror_name(name: str) -> str:
    return name.replace("left", "@").replace("right", "left").replace("@", "right")


MIRROR: tuple[int, ...] = tuple(INDEX[_mirror_name(n)] for n in NAMES)


def side_of(index: int) -> str | None:
    """'left', 'right' or None for a landmark id."""
    name = NAMES[index]
    if "left" in name:
        return "left"
    if "right" in name:
        return "right"
    return None
