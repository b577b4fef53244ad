"""The five foot exercises of the Pilates studio's article (BIOMECHANICS.md), as data.

Used for suggestions in the summary and the report, and by the footwork coaching modes.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FootExercise:
    id: str
    number: int
    name: str
    trains: str
    instructions: tuple[str, ...]


FOOT_EXERCISES: dict[str, FootExercise] = {e.id: e for e in (
    FootExercise(
        "self_massage", 1, "Self-massage of feet and calves with a towel",
        "the plantar fascia and the calves: easing them frees the ankle to bend",
        ("Sit with one leg long; loop a towel around the ball of the foot.",
         "Roll and knead the sole with your hands or a ball, heel to toes, 1-2 minutes.",
         "Pull the towel gently toward you to stretch the calf, 3 x 30 s per leg."),
    ),
    FootExercise(
        "supination_pronation", 2, "Supination and pronation",
        "control of the arches and of the rolling in and out that steers the knees",
        ("Stand with feet hip-width apart, weight even.",
         "Roll both feet in (arches collapse), then out (arches lift, weight on the outer edges).",
         "Alternate smoothly 10-15 times, knees steady, balance kept."),
    ),
    FootExercise(
        "toe_extension", 3, "Toe extension and the 'Frankenstein walk'",
        "the small foot muscles that hold the arch and keep the foot from rolling",
        ("Stand tall; lift all ten toes while the balls of the feet stay down.",
         "Hold 3-5 s, lower slowly; repeat 10 times.",
         "Then walk slowly across the room with the toes lifted."),
    ),
    FootExercise(
        "foot_spine", 4, "Foot spine (point and flex)",
        "the whole range of the ankle and toes: plantar- and dorsiflexion in order",
        ("Sit with legs long.",
         "Point the feet, then let the toes reach for the floor.",
         "Reverse: toes back, then the balls of the feet, then flex the ankles fully. 8-10 slow rounds."),
    ),
    FootExercise(
        "standing_footwork", 5, "Standing footwork in Pilates V",
        "ankle dorsiflexion under load with the knees tracking over the 2nd/3rd toes",
        ("Heels together, toes a fist apart (Pilates V).",
         "Bend ankles and knees: shins forward over the 2nd/3rd toes, not past them.",
         "Lift the heels, straighten the legs with the heels up, lower the heels with control.",
         "Then the reverse: heels up, bend, lower the heels while bent, straighten. 8 rounds each way."),
    ),
)}

# Which foot exercises address which fault (BIOMECHANICS.md, "Map from faults to exercises").
FAULT_EXERCISES: dict[str, tuple[str, ...]] = {
    "limited_dorsiflexion": ("self_massage", "foot_spine", "standing_footwork"),
    "heel_lift": ("self_massage", "foot_spine", "standing_footwork"),
    "shallow_depth": ("self_massage", "foot_spine", "standing_footwork"),
    "knee_valgus": ("supination_pronation", "standing_footwork"),
    "knee_varus": ("supination_pronation", "standing_footwork"),
    "knee_tracking": ("supination_pronation", "standing_footwork"),
    "foot_roll": ("supination_pronation", "toe_extension"),
    # faults found in the foot exercises themselves: more of the same exercise, and its helpers
    "heel_raise_low": ("self_massage", "foot_spine", "standing_footwork"),
    "short_hold": ("standing_footwork",),
    "fast_lowering": ("standing_footwork",),
    "heel_asymmetry": ("self_massage", "foot_spine", "standing_footwork"),
    "sickling": ("supination_pronation", "toe_extension"),
    "footwork_order": ("standing_footwork",),
    "footwork_stance": ("standing_footwork",),
    "roll_in_small": ("supination_pronation",),
    "roll_out_small": ("supination_pronation",),
    "roll_asymmetry": ("supination_pronation",),
    "knees_unsteady": ("supination_pronation", "standing_footwork"),
    "toe_lift_low": ("toe_extension",),
    "limited_point": ("self_massage", "foot_spine"),
    "limited_flex": ("self_massage", "foot_spine", "standing_footwork"),
    "foot_spine_rushed": ("foot_spine",),
}

FAULT_WHY: dict[str, str] = {
    "limited_dorsiflexion": "your shins stayed too upright: the ankles ran out of bend",
    "heel_lift": "your heels came up: the ankles ran out of bend, so the body went up onto the toes",
    "shallow_depth": "the squat stayed above parallel, often because the ankles do not bend far enough",
    "knee_valgus": "your knees collapsed inward: the feet and arches did not hold the knees over the toes",
    "knee_varus": "your knees bowed outward of the feet",
    "knee_tracking": "your knees did not stay over the 2nd/3rd toes",
    "foot_roll": "your feet rolled: the arches did not stay steady",
    "heel_raise_low": "your heels barely left the floor: the calves and ankles did not take you up",
    "short_hold": "you did not pause at the top: the ankle was not held there",
    "fast_lowering": "your heels dropped instead of lowering with control",
    "heel_asymmetry": "one heel rose less than the other",
    "sickling": "your ankles rolled out at the top, onto the little toes",
    "footwork_order": "the bend and the heel lift did not come one after the other in order",
    "footwork_stance": "your heels were apart: the Pilates V starts with the heels together",
    "roll_in_small": "a foot hardly rolled in",
    "roll_out_small": "a foot hardly rolled out",
    "roll_asymmetry": "a foot rolled much further one way than the other",
    "knees_unsteady": "your knees swayed with the rolling feet",
    "toe_lift_low": "your toes barely lifted",
    "limited_point": "your feet did not point far",
    "limited_flex": "your ankles did not flex far",
    "foot_spine_rushed": "the point-and-flex round was rushed",
}
