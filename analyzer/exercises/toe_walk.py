"""The 'Frankenstein walk': walking slowly with all ten toes lifted, the balls of the feet down.
Steps are counted (each foot's contacts, :mod:`.gait`) and per step it is judged whether the
landing foot's toes stayed up while it stood on the floor.

One rep = one step: from the swinging foot's lift-off (``start``) to its contact (``bottom``,
the key moment) to the next step's lift-off (``end``; the walk's end after the last step). The
toes of a step are read over the landing foot's **stance**: from its contact to that foot's next
lift-off (the walk's end for the last steps), leaving out 0.1 s after the contact and 0.15 s
before the lift-off (the foot settling, the heel peeling off). Their lift is the big-toe tip
above the heel (:func:`.toe_lift.toe_above_heel`, foot lengths) above the same foot's **flat
level**: how it read while the person stood still before the first step (after the last when
that foot was not seen before), the stretch's 20th percentile, so toes lifted before walking
give the level before the lift (the same place in the picture: where the walk ends the camera
sees the foot from another angle, and MediaPipe's flat reading moves by up to ~0.1 foot lengths
along the walk). MediaPipe's reading of flat toes differs from
body to body and camera to camera by more than a lift (-0.10 to +0.07 foot lengths on the
bench's flat walks), so there is no fixed level: a foot never seen standing still is not judged,
and toes held up from the very first frame read as flat (the card says to stand, lift the toes,
then walk). A step's value is the median over its stance.

Views: the toes are judged from the side only (the walk crossing the picture), on the foot nearer
the camera; the far foot hides behind the near one (its steps are counted, its toes not judged).
From the front or behind the toes rise toward or away from the camera; at an angle the floor
recedes along the foot and the flat toes' reading wanders by more than a lift as the person walks
(on the walk bench's oblique-front clips flat and lifted toes read anywhere from -0.16 to +0.38
foot lengths): steps are counted there, the toes not judged.
Pure numpy.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..faults import Measurement
from ..profile import Profile
from ..reps import Rep
from ..skeleton import SIDES
from ..track import PoseTrack
from ..view import ViewEstimate
from . import feet
from .common import ExerciseAnalysis
from .gait import find_steps
from .toe_lift import toe_above_heel

SETTLE_S, PEEL_S = 0.1, 0.15  # left out of a stance after the contact / before the lift-off
FAR_FOOT = "the far foot hides behind the near one: film the walk with this foot nearer the camera"
FRONT = "the toes rise toward or away from the camera: film the walk from the side"
OBLIQUE = "filmed at an angle, the toes' height cannot be read: film the walk from the side, across the picture"


NO_FLAT = "the foot was not seen standing still before or after the walk (its toes' flat level): stand still a moment first"


def toe_series(pose, view: ViewEstimate, unit: float) -> dict[str, np.ndarray]:
    """Per side (T,) the big-toe tip above the heel, foot lengths, where the view can read it: in
    side frames, for the near foot; NaN elsewhere."""
    labels = np.asarray(view.frame_label)
    near = np.asarray(view.near_side)
    return {f"{side}_toe_lift": np.where((labels == "side") & (near == side), toe_above_heel(pose.xy, side, unit), np.nan)
            for side in SIDES}


def flat_levels(series: dict[str, np.ndarray], t: np.ndarray, stretches: list[tuple[int, int]], *,
                min_s: float, percentile: float) -> dict[str, float]:
    """Per side the toes' flat level (see the module docstring): the ``percentile``-th percentile
    of the first of the standing ``stretches`` ([a, b) frames, in order of preference) with at
    least ``min_s`` of readings; NaN for a foot with none."""
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1 / 30
    out = {}
    for side in SIDES:
        x = series[f"{side}_toe_lift"]
        levels = [float(np.nanpercentile(x[a:b], percentile)) for a, b in stretches
                  if b > a and np.isfinite(x[a:b]).sum() * dt >= min_s]
        out[side] = levels[0] if levels else float("nan")
    return out


def _why_not(view: ViewEstimate, side: str, a: int, b: int) -> str:
    """Why a foot's toes could not be read over frames [a, b)."""
    labels = [v for v in view.frame_label[a:b] if v]
    if labels and sum(v in ("front", "rear") for v in labels) >= 0.5 * len(labels):
        return FRONT
    if labels and sum(v == "oblique" for v in labels) >= 0.5 * len(labels):
        return OBLIQUE
    near = [n for n, v in zip(view.near_side[a:b], view.frame_label[a:b]) if v == "side"]
    if near and sum(n != side for n in near) >= 0.5 * len(near):
        return FAR_FOOT
    return "the toes were not seen"


def analyze_toe_walk(track: PoseTrack, view: ViewEstimate, profile: Profile, *, quality=None) -> ExerciseAnalysis:
    pose = feet.prepare(track, profile)
    t, xy = pose.t, pose.xy
    every = np.isfinite(xy[:, 0, 0])
    unit = feet.foot_unit(xy, every)
    st = profile.section("steps")
    swings, speeds = find_steps(xy, t, unit, on=float(st.get("on_speed", 1.0)), off=float(st.get("off_speed", 0.35)),
                                min_step=float(st.get("min_step", 0.25)))
    T = len(t)
    done = [w for w in swings if w.complete]
    holds = [t[b.liftoff] - t[a.contact] for a, b in zip(done, done[1:]) if b.liftoff > a.contact]
    hold = float(np.median(holds)) if holds else 0.5
    walk_end = min(T - 1, int(np.searchsorted(t, t[done[-1].contact] + max(hold, 0.2)))) if done else T - 1
    s = toe_series(pose, view, unit)
    tc = profile.section("toes")
    margin = float(tc.get("standing_margin_s", 0.15))
    stand = ([(0, int(np.searchsorted(t, t[swings[0].liftoff] - margin)))] if swings else []) + \
        ([(int(np.searchsorted(t, t[walk_end] + margin)), T)] if done else [])
    # read in any view while standing still: the view's label may flicker at the walk's ends
    raw = {f"{side}_toe_lift": toe_above_heel(xy, side, unit) for side in SIDES}
    flat = flat_levels(raw, t, stand, min_s=float(tc.get("standing_min_s", 0.3)),
                       percentile=float(tc.get("level_percentile", 20.0)))
    for side in SIDES:
        s[f"{side}_toe_lift"] = s[f"{side}_toe_lift"] - flat[side]
    toes = feet.mean_across([s["left_toe_lift"], s["right_toe_lift"]])
    s["toe_lift"] = toes
    for side in SIDES:
        s[f"{side}_foot_speed"] = speeds[side]

    found: list[Rep] = []
    stance: dict[int, tuple[int, int]] = {}
    for k, w in enumerate(swings):
        nxt = next((q for q in swings[k + 1:] if q.side == w.side), None)
        stance[k] = (w.contact, nxt.liftoff if nxt is not None else walk_end)
        end = swings[k + 1].liftoff if k + 1 < len(swings) else walk_end
        end = max(end, w.contact)
        reason = "" if w.complete else ("the video starts during this step" if w.liftoff == 0
                                        else "the video ends during this step")
        found.append(Rep(w.liftoff, w.contact, end, w.complete, reason))
    by_start = {r.start: k for k, r in enumerate(found)}

    def metrics(r: Rep, v: str) -> dict[str, float | None]:
        k = by_start[r.start]
        w = swings[k]
        a, b = stance[k]
        m: dict[str, float | None] = {"foot": 0.0 if w.side == "left" else 1.0,
                                      "step_length": w.distance, "swing_s": float(t[w.contact] - t[w.liftoff])}
        nxt = swings[k + 1] if k + 1 < len(swings) else None
        m["hold_s"] = float(t[nxt.liftoff] - t[w.contact]) if nxt is not None and nxt.liftoff > w.contact else None
        a2 = int(np.searchsorted(t, t[a] + SETTLE_S))
        b2 = int(np.searchsorted(t, t[b] - PEEL_S))
        x = s[f"{w.side}_toe_lift"][a2:max(b2, a2 + 1)]
        ok = np.isfinite(x)
        m["stance_s"] = float(t[b] - t[a])
        m["toes_seen"] = float(ok.mean()) if len(x) else 0.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            m["toe_lift"] = float(np.nanmedian(x)) if ok.sum() >= 3 else None
            m["toe_lift_low"] = float(np.nanpercentile(x, 25)) if ok.sum() >= 3 else None
        r.bottom = w.contact
        return m

    def measure(r: Rep, m: dict, v: str):
        k = by_start[r.start]
        side = swings[k].side
        if m.get("toe_lift") is not None and m["toes_seen"] >= 0.5:
            return [Measurement("toes_dropped", side, float(m["toe_lift"]), float(t[r.bottom]), float(t[r.start]),
                                float(t[min(stance[k][1], T - 1)]))]
        a, b = stance[k]
        seen = np.isfinite(toe_above_heel(pose.xy, side, unit)[a:b]).mean() >= 0.5 if b > a else False
        why = _why_not(view, side, a, b)
        if seen and not np.isfinite(flat[side]) and why not in (FRONT, OBLIQUE, FAR_FOOT):
            why = NO_FLAT
        return [], [dict(code="toes_dropped", side=side, why=why)]

    notes = []
    labels = [v for v in view.frame_label if v]
    if labels and sum(v in ("front", "rear") for v in labels) >= 0.5 * len(labels):
        notes.append(f"steps are counted from the {view.label}, the toes are not judged there: {FRONT}")
    elif labels and sum(v == "oblique" for v in labels) >= 0.5 * len(labels):
        notes.append(f"steps are counted at an angle, the toes are not judged there: {OBLIQUE}")
    elif labels and sum(v == "side" for v in labels) >= 0.5 * len(labels):
        notes.append("from the side only the near foot's toes are read; the far foot's steps are counted, "
                     "its toes not judged")
    base = {"foot_length_px": unit, "walk_hold_s": hold,
            **{f"{side}_toe_flat_level": flat[side] for side in SIDES if np.isfinite(flat[side])}}
    if not any(np.isfinite(v) for v in flat.values()) and swings:
        notes.append(f"the toes are not judged: {NO_FLAT}")
    return feet.assemble("toe_walk", found, pose, view, profile, metrics, measure, s, toes,
                         "toes' lift above flat while walking (big-toe tip above the heel, MediaPipe), foot lengths",
                         base, notes, "step")
