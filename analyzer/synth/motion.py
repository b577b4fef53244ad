"""Movement scripts: an exercise and its reps -> a keyframed timeline of `PoseParams` (pure numpy).

A script is a list of keys (time, pose values, the phase that ends at the key, rep index);
between keys every value moves with a cosine ease (zero velocity at each key), so the phase of
a frame is the phase of the key it is heading for. Faults are pose values injected at the
rep's peak key (the bottom of a squat, the top of a heel raise) and ramp in and out with the
movement. Every rep also records its timing and faults for the truth file.

Units: degrees, metres, seconds. See `EXERCISES` for each exercise's settings and defaults.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .posing import PoseParams

SIDED = ("valgus", "heel_lift", "foot_roll", "toe_ext")

# Fault keys a rep's ``faults`` table may hold, with the fault code each maps to.
FAULT_KEYS = {
    "valgus": "knee_valgus", "valgus_left": "knee_valgus", "valgus_right": "knee_valgus",
    "dorsiflexion_cap": "limited_dorsiflexion",
    "heel_lift": "heel_lift", "heel_lift_left": "heel_lift", "heel_lift_right": "heel_lift",
    "trunk_lean_extra": "excessive_trunk_lean",
    "lumbar_flexion": "lumbar_rounding",
    "hip_shift": "hip_shift",
    "pelvic_drop": "pelvic_drop",
    "foot_roll": "foot_roll", "foot_roll_left": "foot_roll", "foot_roll_right": "foot_roll",
}

STAND = dict(knee_flexion=4.0, shank=2.0, trunk_lean=2.0, lumbar_flexion=0.0, arm_forward=10.0,
             arm_abduction=8.0, balance=0.0)

# Per exercise: default settings (any PoseParams field or timing) and the posture/stance used.
EXERCISES: dict[str, dict] = {
    "squat": dict(
        posture="stand", stance=dict(toe_out=8.0),
        defaults=dict(knee_flexion=110.0, shank=35.0, lumbar_flexion=8.0, arm_forward=80.0,
                      trunk_lean=None, descent=1.0, pause=0.2, ascent=1.0, rest=0.6, lockout=None)),
    # Not an exercise kinetic analyses: split-stance movements for the "unknown" outcome. The
    # back foot's heel rises (back_heel, deg of foot pitch) as the knees bend.
    "lunge": dict(
        posture="stand", stance=dict(width=0.22, toe_out=6.0, forward_left=0.42, forward_right=-0.42),
        defaults=dict(knee_flexion=95.0, shank=20.0, back_heel=35.0, arm_forward=10.0, arm_abduction=10.0,
                      descent=1.0, pause=0.2, ascent=1.0, rest=0.6)),
    "heel_raise": dict(
        posture="stand", stance=dict(toe_out=5.0),
        defaults=dict(height=25.0, rise=0.7, hold=0.5, lower=0.8, rest=0.5, arm_abduction=12.0)),
    "footwork": dict(
        posture="stand", stance=dict(width=0.075, toe_out=25.0),
        defaults=dict(sequence="alternate", knee_flexion=45.0, shank=22.0, height=25.0,
                      phase_time=0.8, hold=0.2, rest=0.5, arm_abduction=12.0, heel_drop=0.0)),
    "foot_roll": dict(
        posture="stand", stance=dict(toe_out=5.0),
        defaults=dict(roll_in=12.0, roll_out=12.0, phase_time=0.8, hold=0.2, rest=0.3,
                      arm_abduction=12.0)),
    "toe_lift": dict(
        posture="stand", stance=dict(toe_out=5.0),
        defaults=dict(height=35.0, rise=0.6, hold=1.0, lower=0.6, rest=0.5, arm_abduction=12.0)),
    "foot_spine": dict(
        posture="sit_long", stance=dict(toe_out=0.0),
        defaults=dict(point=40.0, curl=30.0, flex=15.0, phase_time=0.8, hold=0.3, rest=0.4)),
    # The Frankenstein walk (analyzer.synth.gait): one rep = one step; toes = toe extension (deg)
    # kept while walking (0: the normal-toe control), step_length m, swing/hold s, lift m (the
    # swing foot's clearance), sway m (pelvis over the stance foot), first = the first foot.
    "toe_walk": dict(
        posture="stand", stance=dict(width=0.2, toe_out=5.0),
        defaults=dict(toes=35.0, toes_start="flat", toe_rise=0.5, step_length=0.32, swing=0.8, hold=0.6,
                      lift=0.05, sway=0.02, first="left", arm_abduction=12.0)),
}

SEATED = dict(knee_flexion=4.0, shank=0.0, trunk_lean=0.0, lumbar_flexion=12.0, arm_forward=-30.0,
              arm_abduction=18.0, balance=0.0)


@dataclass
class Key:
    t: float
    pose: dict[str, float]
    phase: str
    rep: int  # -1 outside reps


@dataclass
class RepInfo:
    index: int
    start: float
    peak: float          # bottom of a squat, top of a raise, the rep's main key
    end: float
    phases: list[dict] = field(default_factory=list)   # [{name, start, end}]
    faults: list[dict] = field(default_factory=list)   # [{code, side, key, value, unit}]
    settings: dict = field(default_factory=dict)
    root_cause: str | None = None

    def to_json(self) -> dict:
        return dict(index=self.index, start_s=round(self.start, 4), bottom_s=round(self.peak, 4),
                    end_s=round(self.end, 4), phases=self.phases, faults=self.faults,
                    root_cause=self.root_cause, settings=self.settings)


@dataclass
class Timeline:
    keys: list[Key]
    reps: list[RepInfo]
    posture: str
    duration: float
    walk: bool = False  # a gait (toe_walk): the reps are steps (analyzer.synth.gait)

    def sample(self, t: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, list[str]]:
        """Pose values (name -> (T,)), rep index (T,) and phase name per time in ``t``."""
        t = np.asarray(t, np.float64)
        kt = np.array([k.t for k in self.keys])
        names = sorted({n for k in self.keys for n in k.pose})
        i = np.clip(np.searchsorted(kt, t, side="right") - 1, 0, len(kt) - 1)
        j = np.minimum(i + 1, len(kt) - 1)
        span = np.where(j > i, kt[j] - kt[i], 1.0)
        s = np.clip((t - kt[i]) / span, 0.0, 1.0)
        s = np.where(j > i, s, 0.0)
        e = 0.5 - 0.5 * np.cos(np.pi * s)
        vals = {}
        for n in names:
            v = np.array([k.pose.get(n, 0.0) for k in self.keys])
            vals[n] = v[i] + (v[j] - v[i]) * e
        rep = np.array([self.keys[jj].rep if jj > ii else self.keys[ii].rep for ii, jj in zip(i, j)])
        phase = [self.keys[jj].phase if jj > ii else self.keys[ii].phase for ii, jj in zip(i, j)]
        return vals, rep, phase


def pose_at(vals: dict[str, np.ndarray], f: int) -> PoseParams:
    return PoseParams.from_dict({k: v[f] for k, v in vals.items()})


# ---------------------------------------------------------------- builders

class _Builder:
    def __init__(self, base: dict, lead_in: float, idle: str = "stand"):
        self.idle = idle
        self.keys: list[Key] = [Key(0.0, dict(base), idle, -1)]
        self.t = 0.0
        self.base = base
        self.reps: list[RepInfo] = []
        self.hold(lead_in, idle, -1)

    def to(self, dt: float, pose: dict, phase: str, rep: int) -> float:
        self.t += max(float(dt), 1e-3)
        self.keys.append(Key(self.t, dict(pose), phase, rep))
        return self.t

    def hold(self, dt: float, phase: str, rep: int) -> float:
        if dt > 0:
            return self.to(dt, self.keys[-1].pose, phase, rep)
        return self.t


def _fault_values(faults: dict) -> dict[str, float]:
    """Expand a rep's faults table to pose values at the peak (sided keys for both sides)."""
    out: dict[str, float] = {}
    for k, v in faults.items():
        if k not in FAULT_KEYS:
            raise ValueError(f"unknown fault {k!r}; known: {sorted(FAULT_KEYS)}")
        if k in SIDED:
            out[f"{k}_left"] = out.get(f"{k}_left", 0.0) + float(v)
            out[f"{k}_right"] = out.get(f"{k}_right", 0.0) + float(v)
        elif k not in ("dorsiflexion_cap", "trunk_lean_extra"):
            out[k] = out.get(k, 0.0) + float(v)
    return out


def _fault_records(faults: dict, peak: dict, nominal_shank: float | None) -> list[dict]:
    recs = []
    for side in ("left", "right"):
        v = peak.get(f"valgus_{side}", 0.0)
        if v:
            recs.append(dict(code="knee_valgus" if v > 0 else "knee_varus", side=side, key="valgus",
                             value=round(v, 3), unit="deg rotation of the leg about the hip-ankle axis"))
        r = peak.get(f"foot_roll_{side}", 0.0)
        if r and ("foot_roll" in faults or f"foot_roll_{side}" in faults):
            recs.append(dict(code="foot_roll", side=side, key="foot_roll", value=round(r, 3),
                             unit="deg about the foot's long axis, pronation +"))
        h = peak.get(f"heel_lift_{side}", 0.0)
        if h and ("heel_lift" in faults or f"heel_lift_{side}" in faults):
            recs.append(dict(code="heel_lift", side=side, key="heel_lift", value=round(h, 3),
                             unit="deg foot pitch about the ball of the foot"))
    cap = faults.get("dorsiflexion_cap")
    if cap is not None and nominal_shank is not None and cap < nominal_shank:
        recs.append(dict(code="limited_dorsiflexion", side="both", key="dorsiflexion_cap",
                         value=float(cap), unit="deg maximum shank inclination"))
    if faults.get("trunk_lean_extra"):
        recs.append(dict(code="excessive_trunk_lean", side=None, key="trunk_lean_extra",
                         value=float(faults["trunk_lean_extra"]), unit="deg beyond the balanced lean"))
    lf = faults.get("lumbar_flexion")
    if lf:
        recs.append(dict(code="lumbar_rounding" if lf > 0 else "lumbar_overarch", side=None,
                         key="lumbar_flexion", value=float(lf), unit="deg pelvis-to-chest bend beyond the rep's baseline"))
    hs = faults.get("hip_shift")
    if hs:
        recs.append(dict(code="hip_shift", side="left" if hs > 0 else "right", key="hip_shift",
                         value=float(hs), unit="m, toward the subject's left +"))
    pd = faults.get("pelvic_drop")
    if pd:
        recs.append(dict(code="pelvic_drop", side="left" if pd > 0 else "right", key="pelvic_drop",
                         value=float(pd), unit="deg, left side down +"))
    return recs


def _split(rep: dict, defaults: dict) -> tuple[dict, dict, str | None]:
    s = dict(defaults)
    faults = dict(rep.get("faults", {}))
    for k, v in rep.items():
        if k in ("faults", "root_cause"):
            continue
        if k not in s and k not in PoseParams.names():
            raise ValueError(f"unknown rep setting {k!r}; known: {sorted(set(s) | set(PoseParams.names()))}")
        s[k] = v
    return s, faults, rep.get("root_cause")


def _pose_fields(s: dict) -> dict:
    return {k: float(v) for k, v in s.items() if k in PoseParams.names() and v is not None}


def build_timeline(exercise: str, reps: list[dict], movement: dict | None = None, *,
                   lead_in: float = 0.5, tail: float = 0.5, duration: float | None = None,
                   front: str = "left") -> Timeline:
    """Keys and rep truth for ``exercise`` with ``reps`` (each a dict of settings and faults)."""
    if exercise not in EXERCISES:
        raise ValueError(f"unknown exercise {exercise!r}; known: {sorted(EXERCISES)}")
    spec = EXERCISES[exercise]
    defaults = dict(spec["defaults"])
    for k, v in (movement or {}).items():
        if k not in defaults and k not in PoseParams.names():
            raise ValueError(f"unknown {exercise} setting {k!r}; known: {sorted(set(defaults) | set(PoseParams.names()))}")
        defaults[k] = v
    base = dict(SEATED if spec["posture"] == "sit_long" else STAND)
    if exercise == "squat":
        base["balance"] = 1.0
    base.update({k: float(v) for k, v in (movement or {}).items() if k in PoseParams.names() and k not in
                 ("knee_flexion", "shank", "arm_forward", "lumbar_flexion") and v is not None})
    if exercise == "toe_walk":
        base = gait.start_pose(base, defaults)
    b = _Builder(base, lead_in, "stand" if spec["posture"] == "stand" else "rest")
    b.front = front  # the forward foot of a split stance
    fn = globals()[f"_build_{exercise}"]
    for i, rep in enumerate(reps or [{}]):
        s, faults, root = _split(rep, defaults)
        fn(b, i, s, faults, root)
    if exercise == "toe_walk":
        gait.finish(b, defaults)
    b.hold(tail, "stand" if spec["posture"] == "stand" else "rest", -1)
    end = b.t
    if duration is not None and duration > end:
        b.hold(duration - end, "stand" if spec["posture"] == "stand" else "rest", -1)
    total = b.t if duration is None else float(duration)
    return Timeline(b.keys, b.reps, spec["posture"], total, walk=exercise == "toe_walk")


def _phase(rep: RepInfo, name, t0, t1):
    rep.phases.append(dict(name=name, start_s=round(t0, 4), end_s=round(t1, 4)))


def _build_squat(b: _Builder, i: int, s: dict, faults: dict, root):
    stand = dict(b.base)
    shank = float(s["shank"])
    cap = faults.get("dorsiflexion_cap")
    shank_eff = min(shank, float(cap)) if cap is not None else shank
    bottom = dict(stand)
    bottom.update(knee_flexion=float(s["knee_flexion"]), shank=shank_eff,
                  lumbar_flexion=float(s["lumbar_flexion"]), arm_forward=float(s["arm_forward"]))
    if s.get("trunk_lean") is not None:
        bottom.update(trunk_lean=float(s["trunk_lean"]), balance=0.0)
        stand_pose = dict(stand, balance=0.0)
    else:
        stand_pose = stand
    bottom["trunk_extra"] = float(faults.get("trunk_lean_extra", 0.0))
    bottom.update(_pose_fields({k: v for k, v in s.items() if k in PoseParams.names() and k not in bottom}))
    fv = _fault_values(faults)
    for k, v in fv.items():
        bottom[k] = bottom.get(k, 0.0) + v
    lockout = s.get("lockout")
    if lockout is not None and float(lockout) > stand_pose.get("knee_flexion", 0.0):
        # The rep ends short of standing: knees (and hips) stay bent at the top.
        frac = float(lockout) / max(float(s["knee_flexion"]), 1.0)
        stand_pose = dict(stand_pose, knee_flexion=float(lockout),
                          shank=max(stand_pose.get("shank", 2.0), frac * shank_eff))
    rep = RepInfo(i, b.t, 0.0, 0.0, root_cause=root,
                  settings=dict(knee_flexion=s["knee_flexion"], shank=shank, shank_effective=shank_eff,
                                descent=s["descent"], pause=s["pause"], ascent=s["ascent"],
                                lockout=None if lockout is None else float(lockout)))
    if abs(b.keys[-1].pose.get("balance", 0) - stand_pose.get("balance", 0)) > 0:
        b.keys[-1].pose.update(stand_pose)
    t0 = b.t
    rep.peak = b.to(s["descent"], bottom, "descent", i)
    _phase(rep, "descent", t0, b.t)
    t1 = b.t
    b.hold(s["pause"], "bottom", i)
    if s["pause"] > 0:
        _phase(rep, "bottom", t1, b.t)
    t2 = b.t
    b.to(s["ascent"], stand_pose, "ascent", i)
    _phase(rep, "ascent", t2, b.t)
    rep.end = b.t
    rep.faults = _fault_records(faults, bottom, shank)
    if lockout is not None and float(lockout) > STAND["knee_flexion"]:
        rep.faults.append(dict(code="incomplete_lockout", side=None, key="lockout", value=float(lockout),
                               unit="deg nominal knee flexion at the top"))
    if float(s["knee_flexion"]) < 90.0:
        rep.faults.append(dict(code="shallow_depth", side=None, key="knee_flexion",
                               value=float(s["knee_flexion"]), unit="deg nominal knee flexion at the bottom"))
    b.reps.append(rep)
    b.hold(s["rest"], b.idle, -1)


def _build_lunge(b: _Builder, i: int, s: dict, faults: dict, root):
    """Down into a split-stance lunge (both knees bend, the back heel rises) and back up. Which
    foot is in front is the stance's (``forward_left``/``forward_right``)."""
    stand = dict(b.keys[-1].pose)
    bottom = dict(stand, knee_flexion=float(s["knee_flexion"]), shank=float(s["shank"]), trunk_lean=6.0,
                  arm_forward=float(s["arm_forward"]), arm_abduction=float(s["arm_abduction"]))
    back = "right" if b.front == "left" else "left"
    bottom[f"heel_lift_{back}"] = float(s["back_heel"])
    for k, v in _fault_values(faults).items():
        bottom[k] = bottom.get(k, 0.0) + v
    rep = RepInfo(i, b.t, 0.0, 0.0, root_cause=root,
                  settings=dict(knee_flexion=s["knee_flexion"], shank=s["shank"], back_heel=s["back_heel"]))
    t0 = b.t
    rep.peak = b.to(s["descent"], bottom, "descent", i)
    _phase(rep, "descent", t0, b.t)
    if s["pause"] > 0:
        t1 = b.t
        b.hold(s["pause"], "bottom", i)
        _phase(rep, "bottom", t1, b.t)
    t2 = b.t
    b.to(s["ascent"], stand, "ascent", i)
    _phase(rep, "ascent", t2, b.t)
    rep.end = b.t
    rep.faults = _fault_records(faults, bottom, None)
    b.reps.append(rep)
    b.hold(s["rest"], b.idle, -1)


def _simple_rep(b, i, s, faults, root, peak_pose, names, times, settings):
    """Rest -> peak (names[0]) -> hold (names[1]) -> back (names[2])."""
    rest_pose = dict(b.keys[-1].pose)
    peak = dict(rest_pose)
    peak.update(peak_pose)
    for k, v in _fault_values(faults).items():
        peak[k] = peak.get(k, 0.0) + v
    rep = RepInfo(i, b.t, 0.0, 0.0, root_cause=root, settings=settings)
    t0 = b.t
    rep.peak = b.to(times[0], peak, names[0], i)
    _phase(rep, names[0], t0, b.t)
    if times[1] > 0:
        t1 = b.t
        b.hold(times[1], names[1], i)
        _phase(rep, names[1], t1, b.t)
    t2 = b.t
    b.to(times[2], rest_pose, names[2], i)
    _phase(rep, names[2], t2, b.t)
    rep.end = b.t
    rep.faults = _fault_records(faults, peak, None)
    b.reps.append(rep)
    b.hold(s["rest"], b.idle, -1)


def _build_heel_raise(b, i, s, faults, root):
    h = float(s["height"])
    _simple_rep(b, i, s, faults, root, dict(heel_lift_left=h, heel_lift_right=h, arm_abduction=s["arm_abduction"]),
                ("rise", "top", "lower"), (s["rise"], s["hold"], s["lower"]),
                dict(height=h, rise=s["rise"], hold=s["hold"], lower=s["lower"]))


def _build_toe_lift(b, i, s, faults, root):
    h = float(s["height"])
    _simple_rep(b, i, s, faults, root, dict(toe_ext_left=h, toe_ext_right=h, arm_abduction=s["arm_abduction"]),
                ("lift", "hold", "lower"), (s["rise"], s["hold"], s["lower"]),
                dict(height=h, rise=s["rise"], hold=s["hold"], lower=s["lower"]))


def _build_footwork(b, i, s, faults, root):
    seq = s["sequence"]
    if seq == "alternate":
        seq = "bend_first" if i % 2 == 0 else "lift_first"
    if seq not in ("bend_first", "lift_first", "together"):
        raise ValueError(f"footwork sequence must be bend_first, lift_first, together or alternate, got {seq!r}")
    drop = float(s["heel_drop"])
    if not 0.0 <= drop <= 1.0:
        raise ValueError(f"footwork heel_drop is the share of the heel height lost while straightening, 0..1; got {drop}")
    h, kf, sh = float(s["height"]), float(s["knee_flexion"]), float(s["shank"])
    straight = dict(b.keys[-1].pose)
    fv = _fault_values(faults)

    def pose(bent, up, height=h):
        p = dict(straight)
        if bent:
            p.update(knee_flexion=kf, shank=sh, trunk_lean=3.0)
        if up:
            p.update(heel_lift_left=height, heel_lift_right=height)
            if bent:  # heels up with bent knees: the shins stay about where they were
                p.update(shank=sh * 0.6)
        if bent:
            for k, v in fv.items():
                p[k] = p.get(k, 0.0) + v
        return p

    # A faulty bend-first rep lets the heels sink by ``heel_drop`` of their height while the legs
    # straighten; "together" (a phase-order error) bends with the heels rising and straightens
    # with them lowering, both at once.
    if seq == "bend_first":
        steps = [("bend", pose(True, False)), ("lift_heels", pose(True, True)),
                 ("straighten", pose(False, True, h * (1.0 - drop))), ("lower_heels", pose(False, False))]
    elif seq == "together":
        steps = [("bend_lift", pose(True, True)), ("straighten_lower", pose(False, False))]
    else:
        steps = [("lift_heels", pose(False, True)), ("bend", pose(True, True)),
                 ("lower_heels", pose(True, False)), ("straighten", pose(False, False))]
    rep = RepInfo(i, b.t, 0.0, 0.0, root_cause=root,
                  settings=dict(sequence=seq, knee_flexion=kf, shank=sh, height=h, phase_time=s["phase_time"],
                                heel_drop=drop))
    for n, (name, p) in enumerate(steps):
        t0 = b.t
        b.to(s["phase_time"], p, name, i)
        _phase(rep, name, t0, b.t)
        if n == min(1, len(steps) - 2):
            rep.peak = b.t
        if n < len(steps) - 1 and s["hold"] > 0:
            b.hold(s["hold"], name, i)
            rep.phases[-1]["end_s"] = round(b.t, 4)
    rep.end = b.t
    rep.faults = _fault_records(faults, pose(True, False), None)
    b.reps.append(rep)
    b.hold(s["rest"], b.idle, -1)


def _build_foot_roll(b, i, s, faults, root):
    neutral = dict(b.keys[-1].pose)
    rin, rout = float(s["roll_in"]), float(s["roll_out"])
    rep = RepInfo(i, b.t, 0.0, 0.0, root_cause=root,
                  settings=dict(roll_in=rin, roll_out=rout, phase_time=s["phase_time"]))
    fv = _fault_values(faults)
    for name, r in (("roll_in", rin), ("roll_out", -rout), ("return", 0.0)):
        p = dict(neutral, foot_roll_left=r, foot_roll_right=r)
        if name != "return":
            for k, v in fv.items():
                p[k] = p.get(k, 0.0) + v
        t0 = b.t
        b.to(s["phase_time"] * (2.0 if name == "roll_out" else 1.0), p, name, i)
        if name == "roll_in":
            rep.peak = b.t
        if name != "return" and s["hold"] > 0:
            b.hold(s["hold"], name, i)
        _phase(rep, name, t0, b.t)
    rep.end = b.t
    rep.faults = _fault_records(faults, dict(fv), None)
    b.reps.append(rep)
    b.hold(s["rest"], b.idle, -1)


def _build_foot_spine(b, i, s, faults, root):
    neutral = dict(b.keys[-1].pose)
    pt, cu, fl = float(s["point"]), float(s["curl"]), float(s["flex"])

    def feet(ankle, toes):
        return dict(neutral, ankle_flex_left=ankle, ankle_flex_right=ankle, toe_ext_left=toes, toe_ext_right=toes)

    steps = [("point", feet(-pt, 0.0)), ("curl", feet(-pt, -cu)), ("uncurl", feet(-pt, 0.0)),
             ("neutral", feet(0.0, 0.0)), ("flex", feet(fl, 0.5 * fl)), ("return", feet(0.0, 0.0))]
    rep = RepInfo(i, b.t, 0.0, 0.0, root_cause=root,
                  settings=dict(point=pt, curl=cu, flex=fl, phase_time=s["phase_time"]))
    for name, p in steps:
        t0 = b.t
        b.to(s["phase_time"], p, name, i)
        if name == "curl":
            rep.peak = b.t
        if name in ("point", "curl", "flex") and s["hold"] > 0:
            b.hold(s["hold"], name, i)
        _phase(rep, name, t0, b.t)
    rep.end = b.t
    rep.faults = _fault_records(faults, {}, None)
    b.reps.append(rep)
    b.hold(s["rest"], b.idle, -1)


from . import gait  # noqa: E402 - the walk's script uses this module's RepInfo

_build_toe_walk = gait.build_step


__all__ = ["EXERCISES", "FAULT_KEYS", "Timeline", "RepInfo", "build_timeline", "pose_at"]
