"""The daily programme as data: the article's five foot exercises in order (BIOMECHANICS.md),
each with its card (what to do, the camera it needs), its target and how it is followed.

Graded steps are run by live mode with the step's exercise (its counter and verdict are the
exercise's own analysis, :mod:`analyzer.live.follow`), the Frankenstein walk too (exercise
``toe_walk``: steps counted, the toes judged per step); the self-massage is only timed: nothing is
graded there, and its card says so.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..exercises.catalog import FOOT_EXERCISES


@dataclass(frozen=True)
class Camera:
    """What a step needs from the camera: ``views`` accepted (live's view labels), the words for
    it, and the smallest size of the feet in the picture (a fraction of the picture's longer
    side) along ``measure``: "foot" (heel to toe tip: side views, where the foot is seen along
    its length) or "shank" (knee to ankle: front and rear views, where the foot is foreshortened)."""

    views: tuple[str, ...]
    text: str
    measure: str = "shank"
    min_fraction: float = 0.11


# The smallest feet that are graded well, as a fraction of the picture's longer side (the pose
# model sees a 640-pixel picture). Side views: the foot analyses' own gate, [feet] min_foot_px =
# 30 px heel to toe (the profiles' source note), in live's 640-pixel picture; the real seated
# point/flex clip (feet 30-38 px there) is counted live. Front and rear: measured on the rendered
# test clips every exercise is counted exactly on (shank 100-146 px at 360x640) and the real
# heel-raise clip counted right (shank 81-93 px).
FOOT_MIN = 30 / 640  # side views: heel to toe
SHANK_MIN = 70 / 640  # front and rear views: knee to ankle


@dataclass(frozen=True)
class Step:
    """One step of the routine. ``exercise``: the live exercise that grades it (None: timed
    only); ``target``/``short_target``: reps to aim for (graded) or seconds (timed);
    ``unit``: what a rep is called; ``halves``: a timed step done once per foot."""

    number: int
    id: str
    title: str
    exercise: str | None
    instructions: tuple[str, ...]
    camera: Camera | None
    target: int
    short_target: int
    unit: str
    note: str = ""
    halves: tuple[str, ...] = ()

    @property
    def graded(self) -> bool:
        return self.exercise is not None

    def goal(self, short: bool) -> int:
        return self.short_target if short else self.target


def _ins(catalog_id: str) -> tuple[str, ...]:
    return FOOT_EXERCISES[catalog_id].instructions


STEPS: tuple[Step, ...] = (
    Step(1, "self_massage", "Self-massage of feet and calves", None,
         ("Sit with one leg long; loop a towel around the ball of the foot.",
          "Knead the sole heel to toes, then pull the towel to stretch the calf.",
          "Left foot first; switch when told."),
         None, 120, 30, "s", note="Timed only: a massage is not graded from video.",
         halves=("left foot", "right foot")),
    Step(2, "supination_pronation", "Supination and pronation", "foot_roll", _ins("supination_pronation"),
         Camera(("rear", "front"), "from behind (or in front), at shin height, 1.5-2 m away", "shank", SHANK_MIN),
         10, 3, "rolls"),
    Step(3, "toe_extension", "Toe extension", "toe_lift", _ins("toe_extension")[:2],
         Camera(("side",), "from the side, at ankle height, 1.5-2 m away", "foot", FOOT_MIN),
         10, 3, "lifts"),
    Step(4, "foot_spine", "Foot spine (point and flex)", "foot_spine", _ins("foot_spine"),
         Camera(("side",), "from the side while you sit with legs long, at ankle height, 1.5 m away", "foot",
                FOOT_MIN),
         8, 3, "rounds"),
    Step(5, "standing_footwork", "Standing footwork, forward and reverse", "footwork", _ins("standing_footwork"),
         Camera(("front", "rear"), "in front of you (or behind), at knee height, 2-2.5 m away", "shank", SHANK_MIN),
         16, 4, "rounds", note="Half of them forward (bend first), half reverse (heels up first)."),
)

# Part of step 3, after the toe lifts: a graded live session of the walk (exercise toe_walk). Filmed
# from the side, the walk crossing the picture: only the foot nearer the camera has its toes
# judged (the far one hides behind it), so the walk goes across and back (each foot near once).
WALK = Step(3, "frankenstein_walk", "Frankenstein walk", "toe_walk",
            ("Stand still a moment with the toes down, then lift all the toes, balls of the feet down.",
             "Walk slowly across the picture and back, pausing on each step, toes up all the time."),
            Camera(("side",), "from the side, the walk crossing the picture, at ankle height, 2.5-3 m away",
                   "foot", FOOT_MIN),
            12, 4, "steps", note="Steps are counted; the toes are judged on the foot nearer the camera.")
