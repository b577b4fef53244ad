"""Which exercise a recording shows, from the landmarks alone (pure numpy).

The decision is a short chain of tests on view-independent cues; when none passes, the answer
is "unknown" rather than a guess:

1. **Seated** (hips near the ankles' height: the hip-ankle line lies rather than stands) -> foot
   spine, the only seated exercise.
Before step 2, a walk is "unknown" (it names ``--exercise toe_walk``), and so is a video whose
legs MediaPipe followed in under half the frames: every cue below would be a guess.

2. **Heels up with straight knees**: the hip centre and the ankles rise above their standing
   heights (the whole body goes up onto the toes) while the 3D knee flexion stays near standing. Only a heel raise
   or the footwork's "straighten with the heels up" do that; a squat's hip never rises above
   standing. If the knees also bend (>= 15 deg) in the same repetitions -> footwork, else ->
   heel raise.
3. **Knees bend >= 35 deg** (the squat's own rep detector finds a rep) with both feet side by
   side (not a lunge or an ankle rock: a split stance) and the hips staying over the feet (not
   walking) -> squat.
4. Nothing above: the feet move on their own -> foot roll if the ankle swings sideways over the
   toes well beyond the roll threshold (measured from the front or behind only), else toe lift if
   the big-toe tip rises above the heel well beyond the toe-lift threshold.
5. Otherwise -> **unknown**: none of the registered exercises fits (walking, lunges, ankle rocks,
   standing still), and the reason says what was seen instead.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..reps import RepParams, find_reps
from .gait import find_steps
from ..skeleton import CHAIN, SIDES
from ..track import PoseTrack
from . import feet

# Seated: median over the video of (ankle below hip) / (hip-ankle distance) in the image.
SEATED_MAX = 0.55
# Knees "straight" (3D flexion above the video's straightest) while the body is up on the toes,
# and while standing (the standing hip height is taken over these frames).
STRAIGHT_KNEE_DEG = 12.0
STAND_KNEE_DEG = 6.0
# A heels-up excursion: the smaller of the hip's and the ankles' rise / 0.7, in foot lengths (the
# heel-raise rep threshold; MediaPipe reads the ankles' rise short from the front: ~0.14 for a
# true 0.32).
RAISE_MIN = 0.1
# Footwork: the knees bend this far (3D, mean of both legs) within the heels-up repetitions.
FOOTWORK_BEND_DEG = 15.0
# Squat: the squat's own rep threshold on the less-bent knee.
SQUAT_MIN_DEG = 35.0
# Foot-only exercises: excursions must reach this many times their rep threshold.
FOOT_ONLY_MARGIN = 1.5
TOE_MIN = 0.025  # a toe lift, toe_lift.toml's [reps] min_amplitude
# A split stance: the ankles this far apart along the person's forward axis (3D world
# landmarks), in leg lengths (hip-ankle). Squats: up to 0.20 on the real clips and 0.32 on the
# bench's dev split (75th percentile of frames; MediaPipe's depth is rough from behind);
# rendered lunges 0.8-1.0.
SPLIT_MIN = 0.45
# Walking: the hip centre moves this many leg lengths sideways in the picture within one rep
# (a squat in place: under 0.5 on the real clips; walk_jump_two_people: 7).
TRAVEL_MAX = 1.2
# From the front or behind, ankles this far apart up the picture (leg lengths) are a split
# stance: dev-split squats read at most 0.10 (median 0.03), real front squats at most 0.07, the
# dev split's front/rear lunges 0.30 and 0.45.
STAGGER_MIN = 0.15
# Under this fraction of frames with a reliable leg the exercise is not guessed (a ci-split
# barbell clip at 360x640, noise and CRF 30: 0.35; the dev split's squats: see bench notes).
LEGS_RELIABLE_MIN = 0.5
# A walk: at least this many steps (a foot put down >= a quarter of a foot length from where it
# lifted off, analyzer/exercises/gait.py). The body rises and falls over each step with straight
# knees, which reads as heel raises (the walk bench's walk_dev split: 12 of 16 slow walks called
# heel raises or footwork). A video is a walk when at least WALK_SHARE of its raises and knee bends
# came within half a second of a step (the real heel_raises_oblique.mp4 walks out after its
# raises: a third of them).
WALK_SHARE = 0.5
WALK_MIN_STEPS = 3
# ... alternating feet, each step lifting off within this many seconds of the last one's contact
# (the walk bench's slow walks pause up to ~1 s between steps).
WALK_GAP_S = 2.0
# ... and both feet end up this many foot lengths from where they stood before the first step
# (in the picture: across it, or down it walking toward the camera). walk_dev: 0.84-9.0 (0.84
# walking toward the camera); the dev split's squats in place whose foot points jitter into
# "steps": at most 0.45, its ankle rocks 0.61.
WALK_MIN_NET = 0.75
# Feet that move this far (leg lengths, 75th percentile over the bend) are stepping or jumping:
# squats 0.32 at most (dev split, a barbell hiding the feet; real clips 0.2), the landing in
# walk_jump_two_people 7.5.
FEET_MOVE_MAX = 0.5

UNKNOWN = "unknown"


@dataclass
class Cues:
    seated: float
    raise_reps: int
    raise_reps_bent: int
    squat_reps: int
    toe_score: float
    roll_score: float
    split: float = 0.0          # how far apart front-to-back the feet stand, leg lengths
    split_reps: int = 0         # knee-bend reps done in a split stance
    moving_reps: int = 0        # knee-bend reps during which the person travelled
    stagger: float = 0.0        # front/rear views: the ankles' height apart in the picture, leg lengths
    toe_alone: int = 0          # clear toe lifts (FOOT_ONLY_MARGIN x the toe threshold) outside every raise
    steps: int = 0              # walking steps (a foot lifted and put down elsewhere), gait.find_steps
    walk_share: float = 0.0     # of the raises and knee bends found, the share within half a second of a step

    def as_dict(self) -> dict:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def split_stance(world: np.ndarray) -> np.ndarray:
    """(T,) ankle separation along the person's forward axis over the leg length (3D world
    landmarks: the forward axis is horizontal and square to the hips)."""
    from ..skeleton import L_ANKLE, L_HIP, R_ANKLE, R_HIP

    w = np.asarray(world, np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        fwd = np.cross(w[:, L_HIP] - w[:, R_HIP], np.array([0.0, -1.0, 0.0]))  # MediaPipe world: y down
        fwd /= np.linalg.norm(fwd, axis=1, keepdims=True)
        leg = np.nanmedian(np.linalg.norm(w[:, L_HIP] - w[:, L_ANKLE], axis=1))
        return np.abs(np.sum((w[:, L_ANKLE] - w[:, R_ANKLE]) * fwd, axis=1)) / leg


def leg_px(xy: np.ndarray) -> float:
    """The left hip-ankle distance in the picture, median over the video (px; NaN if never seen):
    the unit the detection cues are measured in."""
    from ..skeleton import L_ANKLE, L_HIP

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmedian(np.linalg.norm(xy[:, L_HIP] - xy[:, L_ANKLE], axis=1)))


def stagger_in_picture(track: PoseTrack, view) -> float:
    """From the front or behind, how far apart the two ankles sit up and down the picture
    (median over the front/rear frames, in leg lengths): the foot set back stands further from
    the camera, so it shows higher. MediaPipe's 3D depth barely sees a split stance along the
    camera's axis (test-split lunges from the front read 0.13-0.34 of split in 3D, squats 0.1),
    the picture does. 0 when the video is not mainly a front or rear view."""
    from ..skeleton import L_ANKLE, R_ANKLE

    if view.label not in ("front", "rear"):
        return 0.0
    xy = track.xy
    frames = np.isin(view.frame_label, ("front", "rear"))
    leg = leg_px(xy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        d = np.abs(xy[frames, L_ANKLE, 1] - xy[frames, R_ANKLE, 1]) / leg
        out = float(np.nanmedian(d)) if np.isfinite(d).any() and leg > 0 else 0.0
    return out if np.isfinite(out) else 0.0


def travel(xy: np.ndarray, start: int, stop: int) -> float:
    """How far the hip centre moved sideways in the picture in [start, stop), in leg lengths."""
    from ..skeleton import L_HIP, R_HIP

    hip = 0.5 * (xy[start:stop, L_HIP, 0] + xy[start:stop, R_HIP, 0])
    leg = leg_px(xy)
    if not np.isfinite(hip).any() or not np.isfinite(leg) or leg <= 0:
        return 0.0
    lo, hi = np.nanpercentile(hip, [2, 98])
    return float((hi - lo) / leg)


def walk_run(steps: list, t: np.ndarray) -> list:
    """The longest run of steps that alternate feet, each lifting off within WALK_GAP_S of the
    previous one's contact: a walk. One foot "stepping" again and again is a foot moving in place
    (heel raises on small feet read so), and steps seconds apart are separate moves."""
    best: list = []
    run: list = []
    for st in steps:
        if run and (st.side == run[-1].side or t[st.liftoff] - t[run[-1].contact] > WALK_GAP_S):
            run = []
        run.append(st)
        if len(run) > len(best):
            best = list(run)
    return best


def walked(xy: np.ndarray, start: int, stop: int, unit: float) -> float:
    """How far the feet ended up from where they stood: the two ankles' net displacement in the
    picture between the frames around ``start`` and around ``stop``, the smaller of the two, in
    foot lengths (``unit`` px; 0 if an ankle is unseen at either end). Taken in whichever
    left/right order moves them less, as :func:`feet_moved` does: MediaPipe trades the two ankles
    from behind, which would "move" each by the stance width."""
    from ..skeleton import L_ANKLE, R_ANKLE

    T = len(xy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        before = [np.nanmedian(xy[max(0, start - 5):start + 1, j], 0) for j in (L_ANKLE, R_ANKLE)]
        after = [np.nanmedian(xy[stop:min(T, stop + 6), j], 0) for j in (L_ANKLE, R_ANKLE)]
    same = [np.linalg.norm(after[k] - before[k]) for k in (0, 1)]
    crossed = [np.linalg.norm(after[k] - before[1 - k]) for k in (0, 1)]
    net = min((same, crossed), key=sum)
    out = min(net) / unit if unit > 0 else 0.0
    return float(out) if np.isfinite(out) else 0.0


def feet_moved(xy: np.ndarray, start: int, stop: int) -> float:
    """How far the ankles moved from where they stood at ``start`` during [start, stop), in leg
    lengths (75th percentile over the frames of the pair's mean displacement, taking the two
    ankles in whichever order fits: MediaPipe trades left and right at the bottom of a deep squat
    seen from the front): a squat keeps its feet planted, a jump or a step does not."""
    from ..skeleton import L_ANKLE, R_ANKLE

    leg = leg_px(xy)
    if not np.isfinite(leg) or leg <= 0:
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        l0 = np.nanmedian(xy[start:start + 3, L_ANKLE], axis=0)
        r0 = np.nanmedian(xy[start:start + 3, R_ANKLE], axis=0)
        L, R = xy[start:stop, L_ANKLE], xy[start:stop, R_ANKLE]
        same = np.linalg.norm(L - l0, axis=1) + np.linalg.norm(R - r0, axis=1)
        crossed = np.linalg.norm(L - r0, axis=1) + np.linalg.norm(R - l0, axis=1)
        d = 0.5 * np.fmin(same, crossed)
        return float(np.nanpercentile(d, 75)) / leg if np.isfinite(d).any() else 0.0


def cues(track: PoseTrack, quality=None) -> Cues:
    """The measurements :func:`detect` decides on."""
    from ..profile import load_profile
    from ..view import estimate_view
    from .foot_roll import roll_signals
    from .foot_spine import seated_fraction
    from .heel_raise import stepping_mask
    from .squat import squat_depth
    from .toe_lift import toe_signals

    profile = load_profile(None, "squat")
    pose = feet.prepare(track, profile)
    view = estimate_view(track, quality=quality)
    t, xy = pose.t, pose.xy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        seated = float(np.nanmedian(seated_fraction(xy))) if np.isfinite(xy[:, 0, 0]).any() else 1.0

        # Knees: mean 3D flexion of both legs above the video's straightest.
        knee = np.mean([feet.knee_flexion_3d(pose.world, s) for s in SIDES], axis=0)
        knee_rel = knee - np.nanpercentile(knee, 5)
        # Up on the toes: the hip centre AND the ankles rise above their standing heights (the
        # smaller of the two, / 0.7, in foot lengths). The hips alone also "rise" when someone
        # stands up tall after a squat; the ankles alone drift up at the bottom of a deep squat
        # (MediaPipe) - but then the knees are bent, and those frames do not count.
        # Standing = the straightest knees and, among those, the lower levels (a heel raise keeps
        # the knees straight at the top too).
        unit = feet.foot_unit(xy, np.isfinite(xy[:, 0, 0]))
        stand = knee_rel < STAND_KNEE_DEG
        # Walking: the span from the first step's lift-off to the last step's contact (padded).
        steps = walk_run(find_steps(xy, t, unit)[0] if np.isfinite(unit) else [], t)
        if len(steps) < WALK_MIN_STEPS or walked(xy, steps[0].liftoff, steps[-1].contact, unit) < WALK_MIN_NET:
            steps = []  # MediaPipe's feet jitter into "steps" in place; a walk ends somewhere else
        walking = np.zeros(len(t), bool)  # each step, and half a second either side of it
        pad = int(round(0.5 * pose.fs))
        for st in steps:
            walking[max(0, st.liftoff - pad): st.contact + pad + 1] = True
        depth = squat_depth(track, profile, view)  # the squat analyzer's own depth
        every = find_reps(t, depth, RepParams(min_amplitude=SQUAT_MIN_DEG))
        bends = [r for r in every if r.complete]
        split = split_stance(pose.world)
        split_level = float(np.nanpercentile(split, 75)) if np.isfinite(split).any() else 0.0
        split_reps = sum(1 for r in bends if np.nanmedian(split[r.start:r.end + 1]) >= SPLIT_MIN)
        # Bends cut short by the video count here too: a walk or a jump rarely looks complete.
        moving = [r for r in every if travel(xy, r.start, r.end + 1) > TRAVEL_MAX
                  or feet_moved(xy, r.start, r.end + 1) > FEET_MOVE_MAX]
        moving_reps = len(moving)
        squat = [r for r in bends if np.nanmedian(split[r.start:r.end + 1]) < SPLIT_MIN and r not in moving]
        squat_reps = len(squat)
        near_squat = np.zeros(len(t), bool)
        for r in bends:
            near_squat[max(0, r.start - int(0.5 * pose.fs)): r.end + int(1.0 * pose.fs) + 1] = True
        raise_reps = raise_bent = 0
        raise_spans: list[tuple[int, int]] = []
        raise_bottoms: list[int] = []
        if stand.sum() >= 5 and np.isfinite(unit):
            ys = [feet.hip_centre_y(xy)] + [xy[:, CHAIN[s]["ankle"], 1] for s in SIDES]
            rises = []
            for y in ys:
                ok = stand & np.isfinite(y)
                if ok.sum() < 5:
                    rises.append(np.full(len(t), np.nan))
                    continue
                coarse = feet.rise(y, ok, t, unit, 4.0)
                low = ok & (coarse <= np.nanpercentile(coarse[ok], 30) + 0.03)
                rises.append(feet.rise(y, low, t, unit, 3.0))
            ankles = np.nanmean(np.stack(rises[1:]), axis=0)
            up = np.fmin(rises[0], ankles) / feet.ANKLE_LEVER
            up[stepping_mask(xy, t, unit)] = 0.0  # walking in or out, stepping back from a rack
            lift = np.clip(np.nan_to_num(up), 0.0, None)
            for r in feet.find(t, lift, RepParams(min_amplitude=RAISE_MIN, min_duration_s=0.4)):
                if not r.complete:
                    continue
                # The knees stay straight at the top of a raise.
                top = lift[r.start:r.end + 1] >= 0.7 * lift[r.bottom]
                if np.nanmedian(knee_rel[r.start:r.end + 1][top]) > STRAIGHT_KNEE_DEG:
                    continue
                # Standing up tall right after a squat is not a raise (nor is a footwork bend deep
                # enough to count as a squat: when unsure, the squat).
                if near_squat[r.start:r.end + 1].any():
                    continue
                raise_reps += 1
                raise_spans.append((r.start, r.end))
                raise_bottoms.append(r.bottom)
                lo = max(0, r.start - int(1.5 * pose.fs))
                hi = min(len(t), r.end + int(1.5 * pose.fs) + 1)
                if np.nanmax(knee_rel[lo:hi]) >= FOOTWORK_BEND_DEG:
                    raise_bent += 1


        # What the movements were: of the raises and knee bends found, the share within a step.
        bottoms = raise_bottoms + [r.bottom for r in bends]
        walk_share = float(np.mean(walking[bottoms])) if bottoms else 1.0

        _, toe, _, _ = toe_signals(pose)
        toe_reps = feet.find(t, toe, RepParams(min_amplitude=TOE_MIN, min_duration_s=0.4))
        toe_score = max([toe[r.bottom] / TOE_MIN for r in toe_reps if r.complete] or [0.0])
        toe_score = float(toe_score) if np.isfinite(toe_score) else 0.0
        toe_alone = sum(1 for r in toe_reps if r.complete and toe[r.bottom] >= FOOT_ONLY_MARGIN * TOE_MIN
                        and not any(a <= r.bottom <= e for a, e in raise_spans))

        _, roll, _, _ = roll_signals(pose, view)
        roll_reps = feet.pair_excursions(t, roll, RepParams(min_amplitude=5.0, min_duration_s=0.3), ("in", "out"))
        amps = [max(abs(np.nanmax(roll[r.start:r.end + 1])), abs(np.nanmin(roll[r.start:r.end + 1]))) / 5.0
                for r in roll_reps if r.complete]
        roll_score = float(max(amps or [0.0]))
    return Cues(seated, raise_reps, raise_bent, squat_reps, toe_score, roll_score, split_level, split_reps, moving_reps,
                stagger_in_picture(track, view), toe_alone, len(steps), walk_share)


def legs_reliable(track: PoseTrack, quality=None) -> float:
    """Fraction (0..1) of the video's frames where at least one leg passes the pose-quality gate."""
    from ..quality import assess_quality

    q = quality if quality is not None else assess_quality(track)
    ok = np.asarray(q.ok["left_leg"]) | np.asarray(q.ok["right_leg"])
    return float(ok.mean()) if len(ok) else 0.0


def detect(track: PoseTrack, quality=None) -> tuple[str, str]:
    """(exercise name or "unknown", why) for ``kinetic analyze --exercise auto`` (see the module
    docstring); ``why`` says what was seen when nothing fits."""
    if len(track) == 0 or not track.detected.any():
        return UNKNOWN, "nobody was found in the video"
    c = cues(track, quality)
    if c.seated < SEATED_MAX:
        return "foot_spine", ""
    if c.steps >= WALK_MIN_STEPS and c.walk_share >= WALK_SHARE:
        return UNKNOWN, (f"the person walked ({c.steps} steps); for the Frankenstein walk choose "
                         "--exercise toe_walk")
    # Legs that MediaPipe holds for under half the video (lost, jumping, bones changing length:
    # a small, noisy clip under a barbell) make every cue below a guess, the heels-up one
    # included (a barbell set from the side whose legs were followed in 30-40 % of its frames read
    # as footwork: the hips' and ankles' jumps looked like rises): say so instead.
    reliable = legs_reliable(track, quality)
    if reliable < LEGS_RELIABLE_MIN:
        return UNKNOWN, (f"the legs were followed reliably in only {100 * reliable:.0f} % of the video "
                         "(pose lost or jumping): film closer, in better light, with the whole body in the picture")
    if c.raise_reps >= 1:
        if c.raise_reps_bent * 2 >= c.raise_reps:
            return "footwork", ""
        # Toe lifts whose heels also rise on some reps (the heel-lift fault) make those reps look
        # like raises; the others are toe lifts with no raise at all. Twice as many of those as
        # raises: a toe-lift set (foot bench dev split: 2 of 3 toe-lift clips read as heel raises
        # had 2-3 such lifts for 1 raise; its heel-raise clips at most 1 for 2 raises; the real
        # heel_raises_oblique.mp4 2 - standing still and walking out - for 3).
        if c.toe_alone >= 2 * c.raise_reps:
            return "toe_lift", ""
        return "heel_raise", ""
    # Knee bends in a split stance or while travelling are not squats, and a video with any is
    # not a squat video (a lunge set, a walk, a jump landing) even if some bends look like one.
    if c.split_reps or c.stagger >= STAGGER_MIN:
        return UNKNOWN, "the knees bent with one foot in front of the other (a lunge or split squat)"
    if c.moving_reps:
        return UNKNOWN, "the person moved across the picture (walking or jumping, not squatting in place)"
    if c.squat_reps >= 1:
        return "squat", ""
    if c.split >= SPLIT_MIN:
        return UNKNOWN, "one foot stood in front of the other (a split stance, such as an ankle rock)"
    # The roll is measured only from the front or behind, where the toes' rise reads short and
    # a rolling foot moves the toe against the heel too: a clear roll wins there.
    if c.roll_score >= FOOT_ONLY_MARGIN:
        return "foot_roll", ""
    if c.toe_score >= FOOT_ONLY_MARGIN:
        return "toe_lift", ""
    return UNKNOWN, "no squat and no foot exercise was seen"
