"""Built-in named scenarios (same tables a TOML file would hold). Views of a scenario are made
with overrides, e.g. ``squat_chain camera.azimuth=0``; bodies with ``body.weight=0.8``."""
from __future__ import annotations

SIDE = dict(azimuth=90.0, height=0.9, distance=2.8)
FRONT = dict(azimuth=0.0, height=0.9, distance=2.8)

BUILTIN: dict[str, dict] = {
    "squat_good": dict(
        description="Three good squats to below parallel, side view.",
        exercise="squat", camera=SIDE, body=dict(age_years=30),
        reps=[{}, {}, {}]),
    "squat_chain": dict(
        description="One good squat, then one with a foot-up chain fault: limited dorsiflexion "
                    "(shank capped at 22 deg) -> knees cave in -> the lower back rounds.",
        exercise="squat", camera=SIDE, body=dict(age_years=30),
        reps=[{}, dict(root_cause="limited_dorsiflexion",
                       faults=dict(dorsiflexion_cap=22.0, valgus_left=12.0, valgus_right=9.0,
                                   lumbar_flexion=18.0))]),
    "squat_valgus_front": dict(
        description="Front view: a good squat, then knee valgus (left 14, right 8 deg), then varus 10.",
        exercise="squat", camera=FRONT, body=dict(age_years=30, gender=1.0),
        reps=[{}, dict(faults=dict(valgus_left=14.0, valgus_right=8.0)),
              dict(faults=dict(valgus=-10.0))]),
    "squat_asymmetry_rear": dict(
        description="Rear view: hip shift 5 cm to the left with a 5 deg pelvic drop, then foot roll.",
        exercise="squat", camera=dict(azimuth=180.0, height=0.9, distance=2.8),
        body=dict(age_years=45, weight=0.7),
        reps=[{}, dict(faults=dict(hip_shift=0.05, pelvic_drop=5.0)),
              dict(faults=dict(foot_roll=10.0, heel_lift=12.0))]),
    "squat_shallow_lean": dict(
        description="Side view: a shallow squat (75 deg), then a deep one with 20 deg extra trunk lean.",
        exercise="squat", camera=SIDE, body=dict(age_years=60, muscle=0.3, weight=0.6),
        reps=[dict(knee_flexion=75.0), dict(faults=dict(trunk_lean_extra=20.0))]),
    "heel_raise": dict(
        description="Three heel raises, side view, barefoot.",
        exercise="heel_raise", camera=SIDE, body=dict(age_years=30, gender=1.0),
        look=dict(feet="barefoot", shorts=[0.20, 0.20, 0.25]),
        reps=[{}, {}, dict(faults=dict(foot_roll=-10.0))]),
    "footwork": dict(
        description="Standing footwork in Pilates V, front view 20 deg off-axis: bend-first then lift-first.",
        exercise="footwork", camera=dict(azimuth=20.0, height=0.8, distance=2.6),
        body=dict(age_years=35, gender=1.0), look=dict(feet="barefoot"),
        reps=[{}, {}]),
    "foot_roll": dict(
        description="Supination/pronation rolls, rear view, low camera.",
        exercise="foot_roll", camera=dict(azimuth=180.0, height=0.6, distance=2.4),
        body=dict(age_years=30), look=dict(feet="barefoot"),
        reps=[{}, {}]),
    "toe_lift": dict(
        description="Toe lifts (toes extended, balls of the feet down), side view.",
        exercise="toe_lift", camera=dict(azimuth=70.0, height=0.7, distance=2.4),
        body=dict(age_years=30), look=dict(feet="barefoot"),
        reps=[{}, {}]),
    "toe_walk": dict(
        description="The Frankenstein walk: four slow steps across the picture with the toes lifted (the third "
                    "step's toes drop to 5 deg), side view, landscape. movement.toes=0: the normal-toe control.",
        exercise="toe_walk", camera=dict(azimuth=90.0, height=0.5, fill=0.55), size=[1280, 720],
        body=dict(age_years=30), look=dict(feet="barefoot"),
        reps=[{}, {}, dict(faults=dict(toe_drop=5.0)), {}]),
    "foot_spine": dict(
        description="Foot spine, seated with legs long: point, toes to the floor, reverse, flex.",
        exercise="foot_spine", camera=dict(azimuth=90.0, height=0.6, distance=2.4, target_height=0.4),
        body=dict(age_years=30, gender=1.0), look=dict(feet="barefoot"),
        reps=[{}]),
}
