"""The five foot exercises of the Pilates studio's article (BIOMECHANICS.md), as data, and what
each analysed exercise's report and replay show (:data:`LAYOUTS`).

Used for suggestions in the summary and the report, and by the footwork coaching modes. The
layouts are plain data: the report (``analyzer.report``) and the replay overlay
(``analyzer.overlay``) read them; no exercise's own plots, columns or phase names are written
anywhere else.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


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
    "heels_dropped": ("standing_footwork", "foot_spine"),
    "footwork_stance": ("standing_footwork",),
    "roll_in_small": ("supination_pronation",),
    "roll_out_small": ("supination_pronation",),
    "roll_asymmetry": ("supination_pronation",),
    "knees_unsteady": ("supination_pronation", "standing_footwork"),
    "toe_lift_low": ("toe_extension",),
    "limited_point": ("self_massage", "foot_spine"),
    "limited_flex": ("self_massage", "foot_spine", "standing_footwork"),
    "foot_spine_rushed": ("foot_spine",),
    "toes_dropped": ("toe_extension",),
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
    "heels_dropped": "your heels sank while the legs were meant to move with the heels held up",
    "footwork_stance": "your heels were apart: the Pilates V starts with the heels together",
    "roll_in_small": "a foot hardly rolled in",
    "roll_out_small": "a foot hardly rolled out",
    "roll_asymmetry": "a foot rolled much further one way than the other",
    "knees_unsteady": "your knees swayed with the rolling feet",
    "toe_lift_low": "your toes barely lifted",
    "limited_point": "your feet did not point far",
    "limited_flex": "your ankles did not flex far",
    "foot_spine_rushed": "the point-and-flex round was rushed",
    "toes_dropped": "your toes came down while you stood on that foot",
}


# ---------------------------------------------------------------------------------------------
# What each exercise's report and replay show


@dataclass(frozen=True)
class Line:
    """One series of ``frames.csv`` on a plot. role: main, second, left or right (its colour);
    scale: multiplies the values (foot lengths x 100 = % of foot length)."""

    series: str
    label: str
    role: str = "main"
    scale: float = 1.0


@dataclass(frozen=True)
class Limit:
    """A rule's threshold drawn on a plot: at ``sign`` x threshold (a flex is negative on the
    point-flex signal), and at its mirror too when ``mirror``."""

    code: str
    mirror: bool = False
    label: str = ""
    sign: float = 1.0


# The smallest span of a plot's value axis, per unit shown: a flat signal drawn on a 0.6 deg axis
# makes MediaPipe's jitter look like movement. About the error band of the exercises' rules.
MIN_SPAN = {"°": 10.0, "%": 10.0, "s": 1.0, "": 10.0}


@dataclass(frozen=True)
class Plot:
    """A plot of the report. unit: shown on the axis ('°', '%', 's' or ''). codes: faults marked
    on it. fallback: drawn when no series of ``lines`` has data (its limits then do not apply).
    min_span: the value axis spans at least this much (None: :data:`MIN_SPAN` of the unit)."""

    id: str
    title: str
    note: str
    unit: str
    lines: tuple[Line, ...]
    limits: tuple[Limit, ...] = ()
    codes: tuple[str, ...] = ()
    fallback: tuple[Line, ...] = ()
    min_span: float | None = None

    @property
    def span(self) -> float:
        return MIN_SPAN.get(self.unit, 1.0) if self.min_span is None else self.min_span


@dataclass(frozen=True)
class Column:
    """A column of the report's per-rep table.

    metrics: (key in the rep's metrics, side) pairs: one value, or L / R. unit: 'deg', 'foot',
    's', 'ratio', ... codes: the rules whose status colours the value. signs: words for + and -
    (signed values). words: a value shown as a word (its integer indexes them). absolute: the
    magnitude is shown. name: plain name for "not measurable" notes. sub: small print under the
    title.
    """

    key: str
    title: str
    unit: str
    metrics: tuple[tuple[str, str | None], ...] = ()
    codes: tuple[str, ...] = ()
    help: str = ""
    signs: tuple[str, str] | None = None
    absolute: bool = False
    name: str = ""
    sub: str = ""
    words: tuple[str, ...] = ()

    @property
    def plain(self) -> str:
        return self.name or self.title.lower()


@dataclass(frozen=True)
class RuleValue:
    """Where the value a rule judged is in a rep's metrics, for the report's chain: label, the
    (metric key, side) pairs, the magnitude judged (absolute), words for the signs, and a group
    for rules that share one value (a roll in / out)."""

    label: str
    metrics: tuple[tuple[str, str | None], ...]
    absolute: bool = False
    signs: tuple[str, str] | None = None
    group: str | None = None


# Why a foot exercise's reps are not graded when the feet are too few pixels in the picture
# (analyzer.exercises.feet.too_small); the report and the replay show it as is.
FEET_TOO_SMALL = "feet too small to grade — move closer"


@dataclass(frozen=True)
class Layout:
    """An exercise's report and replay.

    plots, columns: the report's plots and per-rep table columns. key_moment: the header of the
    column with the time of each rep's key frame (a squat's bottom, a raise's top). tempo:
    (header, small print, three metric keys) of the squat-style tempo column, or None.
    phases: the words the replay shows for the phases of ``frames.csv`` (descent: start to key
    frame; bottom: near the key frame; ascent: back to rest); idle: before the first rep.
    overlay: series whose value the replay prints beside the body (left_/right_ at that ankle,
    others at the hips). view_hints: per view what it cannot see for this exercise (None: the
    view's own squat-oriented sentence). camera_note: the closing remark on one camera.
    always: columns shown even when no rep has a value. unit: what one repetition and several are
    called in the verdict's words and the terminal ("rep 2", "4 steps").
    """

    plots: tuple[Plot, ...]
    columns: tuple[Column, ...]
    phases: dict[str, str]
    idle: str = "standing"
    key_moment: str = "Bottom"
    tempo: tuple[str, str, tuple[str, str, str]] | None = None
    overlay: tuple[Line, ...] = ()
    view_hints: dict[str, str] | None = None
    camera_note: str = ("All angles come from one camera: expect a few degrees of error (each warning gives its own "
                        "error band). Film from the side <em>and</em> from the front to see the whole chain.")
    always: tuple[str, ...] = ()
    plots_title: str = "Angles over time"
    rules: dict[str, RuleValue] | None = None  # the chain's reading of each rule (None: the squat's)
    unit: tuple[str, str] = ("rep", "reps")

    @property
    def title(self) -> str:
        """One repetition's name as a heading or label starts it: "Rep", "Step"."""
        return self.unit[0].capitalize()


def _lr(name: str) -> tuple[tuple[str, str], tuple[str, str]]:
    return ((f"left_{name}", "left"), (f"right_{name}", "right"))


def _lines_lr(name: str, scale: float = 1.0) -> tuple[Line, Line]:
    return (Line(f"left_{name}", "left", "left", scale), Line(f"right_{name}", "right", "right", scale))


SQUAT = Layout(
    plots=(
        Plot("depth", "Depth", "how far you went down: knee bend, and the thigh's angle (90° = parallel)", "°",
             (Line("knee_flexion", "knee bend"), Line("thigh_inclination", "thigh from vertical", "second")),
             (Limit("shallow_depth", label="shallow below"),), ("shallow_depth",),
             fallback=(Line("rep_signal", "depth (the rep signal)"),), min_span=0.0),
        Plot("heel", "Heel lift", "heel rise above standing, % of foot length", "%",
             (Line("heel_lift", "heel lift", "main", 100.0),), (Limit("heel_lift", label="limit"),), ("heel_lift",),
             min_span=0.0),
        Plot("foot_roll", "Foot roll", "rear-foot angle change from standing", "°", _lines_lr("foot_roll"),
             (Limit("foot_roll", mirror=True),), ("foot_roll",), min_span=0.0),
        Plot("ankle", "Ankle dorsiflexion", "forward lean of the shin from vertical; healthy squats reach 30° or more", "°",
             (Line("shank_inclination", "shin angle"),), (Limit("limited_dorsiflexion", label="healthy ≥"),),
             ("limited_dorsiflexion",), min_span=0.0),
        Plot("valgus", "Knees in / out", "knee rotation about the hip–ankle line: + caves in (valgus), − bows out (varus)",
             "°", _lines_lr("knee_valgus"), (Limit("knee_valgus", label="valgus"), Limit("knee_varus", label="varus")),
             ("knee_valgus", "knee_varus"), min_span=0.0),
        Plot("tracking", "Knee over the toes", "knee's sideways offset from the 2nd/3rd toe, % of foot length (+ inside)",
             "%", _lines_lr("knee_tracking", 100.0), (Limit("knee_tracking", mirror=True),), ("knee_tracking",),
             min_span=0.0),
        Plot("hip_shift", "Hip shift", "pelvis sideways from standing, % of stance width (+ to the left)", "%",
             (Line("hip_shift", "hip shift", "main", 100.0),), (Limit("hip_shift", mirror=True),), ("hip_shift",),
             min_span=0.0),
        Plot("pelvis", "Pelvic tilt", "left–right hip height difference from standing", "°",
             (Line("pelvic_obliquity", "pelvic tilt"),), (Limit("pelvic_drop", mirror=True),), ("pelvic_drop",),
             min_span=0.0),
        Plot("trunk", "Trunk lean", "trunk from vertical, and how far it leans beyond the shins", "°",
             (Line("trunk_lean", "trunk lean"), Line("trunk_minus_shank", "trunk minus shin", "second")),
             (Limit("excessive_trunk_lean", label="limit beyond shins"),), ("excessive_trunk_lean",), min_span=0.0),
        Plot("lumbar", "Lower back (estimate)", "the back outline's bend against standing, from the person mask: "
             "+ rounds, − arches; an estimate, not validated on real people", "°",
             (Line("lumbar_curvature", "lower back"),),
             (Limit("lumbar_rounding", label="rounding"), Limit("lumbar_overarch", label="arching")),
             ("lumbar_rounding", "lumbar_overarch"), min_span=0.0),
        Plot("fppa", "Knee FPPA (raw)", "frontal-plane projection angle, for clinicians: foreshortened thighs make it "
             "read high at depth", "°", _lines_lr("fppa"), min_span=0.0),
    ),
    columns=(
        Column("knee", "Knee bend", "deg", (("knee_flexion", None),), help="peak knee flexion (side view; 3D estimate otherwise)"),
        Column("thigh", "Thigh angle", "deg", (("thigh_angle", None),), ("shallow_depth",),
               help="thigh from vertical at the deepest point: 90° = parallel"),
        Column("dorsi", "Shin angle", "deg", (("dorsiflexion", None),), ("limited_dorsiflexion",),
               help="peak forward lean of the shin = ankle dorsiflexion (healthy ≥ 30°)", name="shin angle (dorsiflexion)"),
        Column("heel", "Heel lift", "foot", (("heel_lift", None),), ("heel_lift",), help="peak heel rise, % of foot length"),
        Column("valgus", "Knee in/out", "deg", _lr("knee_valgus"), ("knee_valgus", "knee_varus"),
               help="each knee's rotation in (valgus) or out (varus) about the hip–ankle line, at the bottom",
               signs=("in", "out"), name="knee in/out (valgus/varus)", sub="L / R"),
        Column("fppa", "FPPA", "deg", _lr("fppa"),
               help="frontal-plane projection angle of each knee at the bottom (raw; reads high in deep squats)",
               name="knee FPPA", sub="L / R"),
        Column("track", "Knee–toe", "foot", _lr("knee_tracking"), ("knee_tracking",),
               help="each knee's sideways offset from the 2nd/3rd toe, % of foot length", absolute=True,
               name="knee over the toes", sub="L / R"),
        Column("trunk", "Trunk lean", "deg", (("trunk_lean", None),), ("excessive_trunk_lean",),
               help="trunk from vertical at the bottom"),
        Column("shift", "Hip shift", "stance", (("hip_shift", None),), ("hip_shift",), help="pelvis sideways, % of stance width",
               absolute=True),
        Column("pelvis", "Pelvic drop", "deg", (("pelvic_drop", None),), ("pelvic_drop",),
               help="left–right hip height difference", absolute=True),
    ),
    phases={"descent": "going down", "bottom": "at the bottom", "ascent": "coming up"},
    tempo=("Tempo", "down / hold / up", ("descent_s", "bottom_pause_s", "ascent_s")),
    always=("knee",),
)

_ONE_CAMERA = "All values come from one camera: expect some error (each warning gives its own error band)."

LAYOUTS: dict[str, Layout] = {
    "squat": SQUAT,
    "heel_raise": Layout(
        plots=(
            Plot("heel_height", "Heel height", "how high the heels rose above standing, % of foot length "
                 "(the hips' rise / 0.7, seen from any view)", "%",
                 (Line("heel_height", "heel height", "main", 100.0),), (Limit("heel_raise_low", label="needs ≥"),),
                 ("heel_raise_low", "short_hold", "fast_lowering")),
            Plot("each_heel", "Each heel", "each heel's own rise (through its ankle), % of foot length: the left-right "
                 "symmetry", "%", _lines_lr("ankle_rise", 100.0), codes=("heel_asymmetry",)),
            Plot("roll", "Ankle roll", "the foot's roll against standing: + in (pronation), − out (sickling)", "°",
                 _lines_lr("roll"), (Limit("foot_roll", label="in"), Limit("sickling", label="out")),
                 ("foot_roll", "sickling")),
        ),
        columns=(
            Column("height", "Heel height", "foot", (("heel_height", None),), ("heel_raise_low",),
                   help="peak heel rise above standing, % of foot length"),
            Column("pitch", "Foot pitch", "deg", (("heel_pitch_deg", None),),
                   help="the foot's tilt at that height (heel over the balls of the feet)"),
            Column("rise", "Rise", "s", (("rise_s", None),), help="seconds from 10 % to 90 % of the raise"),
            Column("hold", "Hold", "s", (("hold_s", None),), ("short_hold",), help="seconds at the top (within 10 % of it)"),
            Column("lower", "Lowering", "s", (("lower_s", None),), ("fast_lowering",),
                   help="seconds from 90 % back to 10 % of the raise"),
            Column("each", "Each heel", "foot", _lr("heel_rise"), ("heel_asymmetry",),
                   help="each heel's own rise, % of foot length", name="each heel's rise", sub="L / R"),
            Column("roll", "Roll at top", "deg", _lr("roll_at_top"), ("foot_roll", "sickling"),
                   help="each foot's roll at the top: in (pronation) or out (sickling)", signs=("in", "out"),
                   name="the ankles' roll at the top", sub="L / R"),
        ),
        phases={"descent": "rising", "bottom": "top", "ascent": "lowering"},
        key_moment="Top",
        overlay=(Line("heel_height", "heel", "main", 100.0),),
        view_hints={
            "side": "filmed from the side: left-right heel symmetry and the ankles rolling in or out at the top need a "
                    "front or rear view",
            "oblique": "filmed at an angle: left-right heel symmetry and the ankles rolling in or out at the top need a "
                       "view from straight in front or behind",
        },
        rules={"heel_raise_low": RuleValue("heel height", (("heel_height", None),)),
               "short_hold": RuleValue("hold at the top", (("hold_s", None),)),
               "fast_lowering": RuleValue("lowering", (("lower_s", None),)),
               "heel_asymmetry": RuleValue("left-right heel difference", (("heel_asymmetry", None),)),
               "foot_roll": RuleValue("roll at the top", _lr("roll_at_top"), signs=("in", "out"), group="roll"),
               "sickling": RuleValue("roll at the top", _lr("roll_at_top"), signs=("in", "out"), group="roll")},
        camera_note=_ONE_CAMERA,
    ),
    "foot_roll": Layout(
        plots=(
            Plot("roll", "Roll angle", "each foot's roll against standing: + in (arch collapses), − out (arch lifts)", "°",
                 _lines_lr("roll"), (Limit("roll_in_small", label="in ≥"), Limit("roll_out_small", label="out ≥", sign=-1.0)),
                 ("roll_in_small", "roll_out_small", "roll_asymmetry"), fallback=(Line("roll", "both feet"),)),
            Plot("knees", "Knees steady", "each knee's sideways travel against standing, % of foot length", "%",
                 _lines_lr("knee_sway", 100.0), codes=("knees_unsteady",)),
        ),
        columns=(
            Column("in", "Roll in", "deg", _lr("roll_in_deg"), ("roll_in_small",), help="each foot's peak roll in", sub="L / R"),
            Column("out", "Roll out", "deg", _lr("roll_out_deg"), ("roll_out_small",), help="each foot's peak roll out",
                   sub="L / R"),
            Column("balance", "In / out", "ratio", _lr("in_out_asymmetry"), ("roll_asymmetry",),
                   help="|in − out| / the larger, per foot: 0 = as far each way", name="in-out balance", sub="L / R"),
            Column("sway", "Knee sway", "foot", _lr("knee_sway"), ("knees_unsteady",),
                   help="each knee's sideways travel in the rep, % of foot length", sub="L / R"),
            Column("time", "Duration", "s", (("duration_s", None),), help="seconds for the roll in and out"),
        ),
        phases={"descent": "rolling in", "bottom": "rolled in", "ascent": "rolling out"},
        key_moment="Rolled in",
        view_hints={v: f"filmed {w}: the roll of the feet and the knees' sway need a front or rear view"
                    for v, w in (("side", "from the side"), ("oblique", "at an angle"))},
        rules={"roll_in_small": RuleValue("roll in", _lr("roll_in_deg")),
               "roll_out_small": RuleValue("roll out", _lr("roll_out_deg")),
               "roll_asymmetry": RuleValue("in-out imbalance", _lr("in_out_asymmetry")),
               "knees_unsteady": RuleValue("knee sway", _lr("knee_sway"))},
        camera_note=_ONE_CAMERA,
    ),
    "foot_spine": Layout(
        plots=(
            Plot("point_flex", "Point and flex", "the ankle against rest: + pointed, − flexed (shin vs heel→toe)", "°",
                 _lines_lr("plantarflexion"),
                 (Limit("limited_point", label="point ≥"), Limit("limited_flex", label="flex ≥", sign=-1.0)),
                 ("limited_point", "limited_flex", "foot_spine_rushed"),
                 fallback=(Line("plantarflexion", "point / flex"),)),
        ),
        columns=(
            Column("point", "Point", "deg", _lr("point_deg"), ("limited_point",), help="peak point (plantarflexion) from rest",
                   sub="L / R"),
            Column("flex", "Flex", "deg", _lr("flex_deg"), ("limited_flex",), help="peak flex (dorsiflexion) from rest",
                   sub="L / R"),
            Column("hold", "Point held", "s", (("point_hold_s", None),), help="seconds within 20 % of the full point"),
            Column("round", "Round", "s", (("duration_s", None),), ("foot_spine_rushed",),
                   help="seconds for one point and flex"),
        ),
        phases={"descent": "pointing", "bottom": "pointed", "ascent": "flexing"},
        idle="at rest",
        key_moment="Point",
        overlay=(Line("plantarflexion", "ankle", "main"),),
        view_hints={v: f"filmed {w}: the ankle's point and flex need a side view"
                    for v, w in (("front", "from the front"), ("rear", "from behind"))},
        rules={"limited_point": RuleValue("point", _lr("point_deg")),
               "limited_flex": RuleValue("flex", _lr("flex_deg")),
               "foot_spine_rushed": RuleValue("one round", (("duration_s", None),))},
        camera_note=_ONE_CAMERA,
    ),
    "footwork": Layout(
        plots=(
            Plot("order", "Phase order", "knee bend (°) and heel height (% of foot length) on one axis: which starts "
                 "and which ends first is the sequence", "",
                 (Line("knee_bend", "knee bend °"), Line("heel_height", "heel height %", "second", 100.0)),
                 codes=("footwork_order", "heels_dropped", "heel_raise_low", "fast_lowering")),
            Plot("tracking", "Knees over the toes", "each knee's direction against the foot's: + inside, − outside", "°",
                 _lines_lr("knee_tracking"), (Limit("knee_tracking", mirror=True),), ("knee_tracking",)),
        ),
        columns=(
            Column("sequence", "Sequence", "", (("sequence", None),), help="which came first: the bend or the heel lift",
                   words=("bend first", "lift first")),
            Column("order", "Order margin", "s", (("order_margin", None),), ("footwork_order",),
                   help="how clearly one phase followed the other (negative: wrong order)"),
            Column("hold", "Heels held", "ratio", (("heel_hold", None),), ("heels_dropped",),
                   help="share of the heel height still held when the legs were straight again (lift-first: at the "
                        "deepest bend)"),
            Column("bend", "Knee bend", "deg", (("knee_bend", None),), help="peak knee bend above standing, from how much the legs shorten in the picture"),
            Column("height", "Heel height", "foot", (("heel_height", None),), ("heel_raise_low",),
                   help="peak heel rise, % of foot length"),
            Column("lower", "Lowering", "s", (("lower_s", None),), ("fast_lowering",), help="seconds to lower the heels"),
            Column("track", "Knee–toe", "deg", _lr("knee_tracking"), ("knee_tracking",), absolute=True,
                   help="each knee's direction off the 2nd/3rd toe", name="knees over the toes", sub="L / R"),
            Column("stance", "Heel gap", "foot", (("heel_gap", None),), ("footwork_stance",),
                   help="heels apart at rest, % of foot length (Pilates V: together)", name="the stance"),
        ),
        phases={"descent": "moving in", "bottom": "bent, heels up", "ascent": "returning"},
        key_moment="Bent, heels up",
        view_hints={v: f"filmed {w}: the knees over the 2nd/3rd toes and the stance need a front or rear view"
                    for v, w in (("side", "from the side"), ("oblique", "at an angle"))},
        rules={"footwork_order": RuleValue("phase order margin", (("order_margin", None),)),
               "heels_dropped": RuleValue("heels held", (("heel_hold", None),)),
               "heel_raise_low": RuleValue("heel height", (("heel_height", None),)),
               "fast_lowering": RuleValue("lowering", (("lower_s", None),)),
               "knee_tracking": RuleValue("knee off the 2nd/3rd toe", _lr("knee_tracking"), absolute=True),
               "footwork_stance": RuleValue("heel gap", (("heel_gap", None),))},
        camera_note=_ONE_CAMERA,
    ),
    "toe_lift": Layout(
        plots=(
            Plot("toe_lift", "Toe lift", "the big toe's rise above the heel against rest, % of foot length", "%",
                 _lines_lr("toe_lift", 100.0), (Limit("toe_lift_low", label="needs ≥"),), ("toe_lift_low", "short_hold"),
                 fallback=(Line("toe_lift", "toe lift", "main", 100.0),)),
            Plot("heels", "Heels down", "each heel's rise while the toes lift, % of foot length", "%",
                 _lines_lr("heel_rise", 100.0), (Limit("heel_lift", label="limit"),), ("heel_lift",)),
        ),
        columns=(
            Column("lift", "Toe lift", "foot", (("toe_lift", None),), ("toe_lift_low",), help="peak toe lift, % of foot length"),
            Column("each", "Each foot", "foot", _lr("toe_lift"), help="each foot's toe lift", sub="L / R"),
            Column("hold", "Hold", "s", (("hold_s", None),), ("short_hold",), help="seconds with the toes up"),
            Column("heel", "Heel rise", "foot", (("heel_rise", None),), ("heel_lift",),
                   help="the heels' rise meanwhile (they should stay down)"),
        ),
        phases={"descent": "lifting the toes", "bottom": "toes up", "ascent": "lowering"},
        key_moment="Toes up",
        overlay=(Line("toe_lift", "toes", "main", 100.0),),
        view_hints={v: f"filmed {w}: the toes rise toward or away from the camera; film from the side"
                    for v, w in (("front", "from the front"), ("rear", "from behind"))},
        rules={"toe_lift_low": RuleValue("toe lift", (("toe_lift", None),)),
               "short_hold": RuleValue("hold", (("hold_s", None),)),
               "heel_lift": RuleValue("heel rise", (("heel_rise", None),))},
        camera_note=_ONE_CAMERA,
    ),
    "toe_walk": Layout(
        plots=(
            Plot("toe_walk", "Toes while walking", "each foot's toes above flat (the big toe over the heel), % of "
                 "foot length; read from the side, the near foot only", "%", _lines_lr("toe_lift", 100.0),
                 (Limit("toes_dropped", label="up ≥"),), ("toes_dropped",),
                 fallback=(Line("toe_lift", "toes", "main", 100.0),)),
            Plot("feet", "Steps", "each foot's speed in the picture, foot lengths a second: a bump is a step", "",
                 _lines_lr("foot_speed")),
        ),
        columns=(
            Column("foot", "Foot", "", (("foot", None),), help="the foot that stepped", words=("left", "right")),
            Column("toes", "Toes up", "foot", (("toe_lift", None),), ("toes_dropped",),
                   help="the stepping foot's toes above flat while it stood on the floor (the lower quarter), % of "
                        "foot length", name="the toes' lift"),
            Column("step", "Step", "foot", (("step_length", None),), help="how far the foot moved, in foot lengths (x 100)"),
            Column("stance", "On the floor", "s", (("stance_s", None),), help="seconds the foot then stood"),
            Column("hold", "Pause", "s", (("hold_s", None),), help="seconds with both feet down before the next step"),
        ),
        phases={"descent": "stepping", "bottom": "foot down", "ascent": "standing on it"},
        idle="standing",
        key_moment="Foot down",
        overlay=(Line("toe_lift", "toes", "main", 100.0),),
        view_hints={**{v: f"filmed {w}: the toes rise toward or away from the camera; film the walk from the side"
                       for v, w in (("front", "from the front"), ("rear", "from behind"))},
                    "oblique": "filmed at an angle: the toes' height cannot be read; film the walk from the side, "
                               "across the picture"},
        rules={"toes_dropped": RuleValue("toes up", (("toe_lift", None),))},
        camera_note=_ONE_CAMERA,
        unit=("step", "steps"),
    ),
}


# The foot exercises plot heights and times as well as angles.
LAYOUTS.update({k: replace(v, plots_title="Over time") for k, v in LAYOUTS.items() if k != "squat"})


def layout(exercise: str | None) -> Layout:
    """The report and replay layout of ``exercise`` (the squat's for an unknown one)."""
    return LAYOUTS.get(exercise or "squat", SQUAT)
