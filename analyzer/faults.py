"""The vocabulary of faults, kinetic-chain attribution and corrective suggestions (pure Python).

An exercise module measures a per-rep value for each rule (a :class:`Measurement`);
:mod:`analyzer.verdict` judges it against the profile (fault, borderline or within limits).
This module names the faults and their cues, finds the root cause along the chain
foot -> ankle -> knee -> hip -> lumbar, and picks the foot exercises that address it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from .exercises.catalog import FAULT_EXERCISES, FAULT_WHY, FOOT_EXERCISES
from .profile import LINKS

LABELS = {
    "limited_dorsiflexion": "limited ankle dorsiflexion",
    "heel_lift": "heel lifts",
    "knee_valgus": "knee caves in (valgus)",
    "knee_varus": "knee bows out (varus)",
    "knee_tracking": "knee not over the 2nd/3rd toe",
    "shallow_depth": "shallow squat",
    "excessive_trunk_lean": "trunk leans far forward",
    "lumbar_rounding": "lower back rounds",
    "lumbar_overarch": "lower back over-arches",
    "hip_shift": "hips shift sideways",
    "pelvic_drop": "pelvis drops on one side",
    "foot_roll": "foot rolls",
    "narrow_stance": "feet closer than the shoulders",
    "incomplete_lockout": "does not stand all the way up",
    # foot exercises
    "heel_raise_low": "heels barely rise",
    "short_hold": "no hold at the top",
    "fast_lowering": "heels drop instead of lowering",
    "heel_asymmetry": "one heel rises less",
    "sickling": "ankle rolls out at the top (sickling)",
    "footwork_order": "footwork phases out of order",
    "heels_dropped": "heels sank before the legs were straight",
    "footwork_stance": "heels apart in the Pilates V",
    "roll_in_small": "small roll in",
    "roll_out_small": "small roll out",
    "roll_asymmetry": "rolls in and out unevenly",
    "knees_unsteady": "knees sway with the feet",
    "toe_lift_low": "toes barely lift",
    "limited_point": "limited pointing of the foot",
    "limited_flex": "limited flexing of the ankle",
    "foot_spine_rushed": "point-and-flex rushed",
    "toes_dropped": "toes dropped during the step",
}

CUES = {
    "limited_dorsiflexion": "let the knees travel forward over the toes",
    "heel_lift": "keep the heels down",
    "knee_valgus": "knees out, over the 2nd/3rd toes",
    "knee_varus": "knees in line with the toes",
    "knee_tracking": "knees over the 2nd/3rd toes",
    "shallow_depth": "sit deeper: hips to knee height",
    "excessive_trunk_lean": "chest up: trunk parallel to the shins",
    "hip_shift": "sit straight down between the feet",
    "pelvic_drop": "keep the pelvis level",
    "foot_roll": "keep the arches steady",
    "narrow_stance": "feet about shoulder-width apart",
    "incomplete_lockout": "stand all the way up between reps",
    "lumbar_rounding": "keep the lower back long",
    "lumbar_overarch": "ribs down, don't arch",
    "heel_raise_low": "rise higher onto the balls of the feet",
    "short_hold": "pause at the top",
    "fast_lowering": "lower the heels slowly",
    "heel_asymmetry": "rise evenly on both feet",
    "sickling": "weight over the big and second toes",
    "footwork_order": "one phase at a time, in order",
    "heels_dropped": "keep the heels high until the legs are straight",
    "footwork_stance": "heels together, toes a fist apart",
    "roll_in_small": "roll further in",
    "roll_out_small": "roll further out",
    "roll_asymmetry": "roll as far out as in",
    "knees_unsteady": "keep the knees still",
    "toe_lift_low": "lift all the toes higher",
    "limited_point": "point the feet further",
    "limited_flex": "pull the toes back further",
    "foot_spine_rushed": "slow down",
    "toes_dropped": "keep all the toes up as you walk",
}


@dataclass
class Measurement:
    """What an exercise measured for one rule in one rep.

    value: the rep's value in the rule's unit. onset_s: when the value first crossed the
    threshold (or, for a "too little" rule, when the limit was reached). start_s/end_s: the
    stretch during which the warning applies (shown in the replay).
    """

    code: str
    side: str | None
    value: float
    onset_s: float
    start_s: float
    end_s: float
    confidence: float | None = None  # 0..1 for an estimate (the lower back); None: a measurement


@dataclass
class Fault:
    code: str
    side: str | None
    rep: int
    start_s: float
    end_s: float
    onset_s: float
    value: float
    threshold: float
    unit: str
    error_band: float
    severity: str
    view: str
    link: str
    message: str
    confidence: float | None = None  # 0..1 for an estimate (the lower back); None: a measurement

    def as_dict(self) -> dict:
        d = asdict(self)
        for k in ("start_s", "end_s", "onset_s"):
            d[k] = round(d[k], 3)
        d["value"] = round(d["value"], 3)
        return d


def root_cause(faults: list[Fault], tolerance_s: float = 0.1) -> Fault | None:
    """The first link of the chain that went wrong.

    Faults are ordered along the chain foot -> ankle -> knee -> hip -> lumbar; the root is the
    lowest faulty link that did not start after a fault higher up (``tolerance_s`` seconds of
    slack for measurement timing). If every low fault followed a higher one, the earliest
    fault is the root.
    """
    if not faults:
        return None
    ordered = sorted(faults, key=lambda f: (LINKS.index(f.link), f.onset_s))
    for cand in ordered:
        higher = [f for f in faults if LINKS.index(f.link) > LINKS.index(cand.link)]
        if all(cand.onset_s <= f.onset_s + tolerance_s for f in higher):
            return cand
    return min(faults, key=lambda f: f.onset_s)


def suggestions(faults: list[Fault], roots: list[Fault]) -> list[dict]:
    """Foot exercises for the faults found, root causes first, each with why and how.

    Returns [{exercise, number, name, why, instructions}] without duplicates.
    """
    out: dict[str, dict] = {}
    ordered = list(roots) + [f for f in faults if f not in roots]
    for f in ordered:
        exercise_ids = FAULT_EXERCISES.get(f.code)
        note = ""
        if exercise_ids is None:
            # Hip and back faults: work on the foot/ankle root if there is one below them.
            below = [r for r in roots if LINKS.index(r.link) < LINKS.index(f.link)]
            if not below:
                continue
            exercise_ids = FAULT_EXERCISES.get(below[0].code, ())
            note = f" — and the {LABELS.get(f.code, f.code)} above it follows the feet"
        for ex_id in exercise_ids:
            if ex_id in out:
                if note and note not in out[ex_id]["why"]:
                    out[ex_id]["why"] += note
                continue
            ex = FOOT_EXERCISES[ex_id]
            why = f"{FAULT_WHY.get(f.code, LABELS.get(f.code, f.code))}; this trains {ex.trains}{note}"
            out[ex_id] = dict(exercise=ex.id, number=ex.number, name=ex.name, why=why,
                              instructions=list(ex.instructions))
    return list(out.values())
