"""Unit and meaning of every ``frames.csv`` column, written beside it as W3C CSV on the Web
metadata (``frames.csv-metadata.json``, the name CSVW tools look for next to a CSV), so the file
documents itself and any CSVW reader (or a person) knows what ``left_fppa`` is and in what unit.

Per-leg columns are documented once without their ``left_``/``right_`` prefix.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..atomic import write_text

DEG = "deg"
SECONDS = "s"
NONE = "1"  # a ratio or a fraction: unitless

# column (without left_/right_) -> (unit, meaning)
COLUMNS: dict[str, tuple[str, str]] = {
    "frame": ("", "frame index, 0-based"),
    "time_s": (SECONDS, "the frame's presentation time from the first frame (variable frame rate kept)"),
    "detected": ("", "1 if MediaPipe found a person in the frame, else 0"),
    "view": ("", "the camera view of this frame: front, side, rear, oblique (empty: none)"),
    "rep": ("", "the repetition this frame belongs to, 1-based (empty: between reps)"),
    "phase": ("", "standing, descent, bottom or ascent (of the rep)"),
    "rep_signal": ("", "the exercise's repetition signal: summary.json rep_signal names it and its unit"),
    # side view (sagittal)
    "knee_flexion": (DEG, "180 - angle(hip, knee, ankle) in the picture; 0 = straight leg (side view)"),
    "hip_flexion": (DEG, "180 - angle(shoulder, hip, knee) in the picture (side view)"),
    "shank_inclination": (DEG, "the shin from vertical, knee ahead of ankle + (side view)"),
    "thigh_inclination": (DEG, "hip->knee from vertical, knee forward + (90 = thigh parallel to the floor)"),
    "shank_foot_dorsiflexion": (DEG, "90 - angle(ankle->knee, heel->foot tip) in the picture, less its standing value"),
    "dorsiflexion": (DEG, "ankle dorsiflexion, read off the shin's inclination with the heel down (side view)"),
    "foot_pitch": (DEG, "heel->foot tip from horizontal, heel up +, less its standing value (side view)"),
    "heel_lift": (NONE, "the heel's rise above its standing height, in foot lengths"),
    "heel_toe_height": (NONE, "(toe y - heel y) / foot length in the picture: the heel's height over the forefoot"),
    "hip_below_knee": (NONE, "(hip y - knee y) / thigh length; >= 0 at or below parallel"),
    "thigh_length_ratio": (NONE, "the thigh's length in the picture / its standing length (< 1: foreshortened)"),
    "lumbar_curvature": (DEG, "lower-back bend estimated from the back's outline (person mask), relative to standing, "
                              "rounding + / arching - (side view; an estimate, not validated on real people)"),
    "trunk_lean": (DEG, "hip centre -> shoulder centre from vertical, forward + (side view)"),
    "trunk_minus_shank": (DEG, "trunk lean minus the near shin's inclination (> 0: chest ahead of the shins)"),
    # front and rear views (frontal)
    "fppa": (DEG, "frontal-plane projection angle, 180 - angle(hip, knee, ankle), + = knee medial (valgus)"),
    "fppa_rel": (DEG, "the FPPA less the person's own standing FPPA"),
    "knee_offset": (NONE, "the knee's distance from the hip-ankle line, medial +, / hip-ankle length"),
    "knee_over_toe": (NONE, "knee x minus foot tip x, medial +, / hip width"),
    "knee_valgus": (DEG, "the knee's inward rotation past its own foot, beyond standing (+ valgus, - varus)"),
    "knee_rotation": (DEG, "the thigh's rotation toward the midline seen from the front, a knee-valgus feature"),
    "knee_tracking": (NONE, "the knee's sideways place over its foot, medial +, in foot lengths"),
    "knee_sway": (NONE, "the knee's sideways travel from its standing place, / foot length"),
    "leg_tilt": (DEG, "hip->ankle from vertical in the picture, a knee-valgus feature"),
    "toe_out": (DEG, "the foot's turn-out from straight ahead"),
    "foot_roll": (DEG, "heel->ankle from vertical, ankle medial + (pronation), - (supination), less standing"),
    "knee_ankle_ratio": (NONE, "knee separation / ankle separation (< 1: knees inside the ankles)"),
    "hip_shift": (NONE, "hip centre minus ankle centre, toward the person's left +, / ankle separation"),
    "pelvic_obliquity": (DEG, "left hip lower than the right +, from horizontal"),
    "stance_ratio": (NONE, "ankle separation / shoulder separation"),
    # foot exercises
    "heel_height": (NONE, "the heel's rise above standing, in foot lengths"),
    "heel_rise": (NONE, "the heel's rise above standing, in foot lengths"),
    "ankle_rise": (NONE, "the ankle's rise above standing as the heel's rise it means, in foot lengths"),
    "toe_lift": (NONE, "the big toe's lift above its resting place, in foot lengths"),
    "roll": (DEG, "the foot's roll onto its outer (+) or inner (-) edge, from standing"),
    "plantarflexion": (DEG, "the foot pointed beyond its resting angle (+), flexed (-)"),
    "ankle_angle": (DEG, "angle(knee, ankle, foot tip) in the picture"),
    "knee_flexion_3d": (DEG, "knee flexion from MediaPipe's 3D world landmarks"),
    "seated": (NONE, "the hips' height above the ankles / the hip-ankle distance: ~1 standing, near 0 seated, legs long"),
    "knee_bend_3d": (DEG, "knee flexion from MediaPipe's 3D world landmarks, the less-bent knee"),
    "knee_bend": (DEG, "footwork knee bend above standing, from the legs' hip-ankle shortening in the picture (mean of both legs)"),
    "heel_hold": (NONE, "footwork: share of the heels' peak height still held when the legs were straight again (lift-first: when the bend is first reached)"),
    "activity": (NONE, "how much the feet move, 0..1 (the footwork sequence detector's signal)"),
    "foot_speed": (NONE, "the foot's speed in the picture, in foot lengths per second (the walk: a bump per step)"),
}

SIDE_PREFIXES = ("left_", "right_")
UNDOCUMENTED = "not documented"


def column_units(name: str) -> tuple[str, str] | None:
    """(unit, meaning) of a ``frames.csv`` column, None if it is not documented."""
    if name in COLUMNS:
        return COLUMNS[name]
    for prefix in SIDE_PREFIXES:
        if name.startswith(prefix) and name[len(prefix):] in COLUMNS:
            unit, meaning = COLUMNS[name[len(prefix):]]
            return unit, f"{prefix[:-1]} leg: {meaning}"
    return None


def write_csv_metadata(csv_path: Path, header: list[str], rep_signal: str = "") -> Path:
    """``<csv>-metadata.json`` (CSVW) for ``csv_path`` with columns ``header``. A column this
    table does not document is written as such (``UNDOCUMENTED``; the tests fail on it: a new
    metric must say its unit), not left out."""
    columns = []
    for name in header:
        unit, meaning = column_units(name) or ("", UNDOCUMENTED)
        if name == "rep_signal" and rep_signal:
            meaning = f"the exercise's repetition signal: {rep_signal}"
        col = {"name": name, "titles": name, "dc:description": meaning}
        if unit:
            col["unit"] = unit
        columns.append(col)
    doc = {"@context": "http://www.w3.org/ns/csvw", "url": Path(csv_path).name,
           "dc:description": "kinetic per-frame measurements; empty cells: not measurable in this frame's view",
           "tableSchema": {"columns": columns}}
    out = Path(csv_path).with_name(Path(csv_path).name + "-metadata.json")
    write_text(out, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    return out
