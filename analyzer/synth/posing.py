"""From movement parameters to bone rotations: feet planted, legs by IK, spine, arms (pure numpy).

World frame (anny's, shifted so the floor is z = 0): metres, +X = the subject's left, -Y = the
subject's front, +Z = up. The subject always faces -Y; cameras move around it.

Posing model. Every bone ``b`` gets a *global delta* rotation ``G[b]`` (3x3): the rotation, in
world axes and about the bone's head, that takes the bone from its rest orientation to its posed
one. Forward kinematics is then ``head[b] = head[parent] + G[parent] @ (rest[b] - rest[parent])``
and anny's "local-ref" pose parameter of ``b`` is ``G[parent].T @ G[b]`` (see `local_deltas`).
Bones without an entry inherit their parent's rotation.

What the parameters mean (all angles in degrees; see `PoseParams`):
- Feet are rigid and planted: placed by the stance (ankle separation, toe-out), then pitched about
  the ball of the foot (heel lift: forefoot stays on the floor), then rolled about the medial
  (pronation) or lateral (supination) border of the sole. Toes stay flat on the floor unless
  extended (toe lift) or curled.
- The hip centre comes from a nominal sagittal leg with the given knee flexion and shank
  inclination, then hip shift (lateral translation) and pelvic drop (rotation about the
  antero-posterior axis) move the two hips; each leg is solved by two-bone IK to its planted
  ankle, its knee bending toward the foot's direction; valgus/varus rotates the knee about the
  hip-ankle axis (the ankle does not move).
- The trunk: ``lumbar_flexion`` is the bend between pelvis and chest, spread over the three lumbar
  bones (spine05, spine04, spine03); the chest orientation is solved so that the hip-centre ->
  shoulder-centre line leans ``trunk_lean`` from vertical; the pelvis tilt follows
  (chest - lumbar flexion).
- Seated long sitting ("sit_long"): pelvis on the floor, legs straight forward, feet move about the
  ankle (``ankle_flex``) and the toes about the balls of the feet (``toe_ext``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np

UP = np.array([0.0, 0.0, 1.0])
FORWARD = np.array([0.0, -1.0, 0.0])
LEFT = np.array([1.0, 0.0, 0.0])
SIDES = (("L", 1.0), ("R", -1.0))

LUMBAR = ("spine05", "spine04", "spine03")
LUMBAR_SHARE = (0.35, 0.70, 1.0)  # cumulative share of the lumbar bend reached at each bone
THORAX = ("spine02", "spine01")
NECK = (("neck01", 0.5), ("neck02", 0.25), ("neck03", 0.1))
TOE_ROOTS = ("toe1-1", "toe2-1", "toe3-1", "toe4-1", "toe5-1")

# Arm styles solved by IK: (wrist target relative to the shoulder centre, in the chest's frame
# for the left arm (x mirrored for the right; "overhead" is in world axes), elbow hint direction).
# Metres; the frame's axes are the world's: +X left, -Y forward, +Z up.
ARM_TARGETS = {
    "goblet": ((0.05, -0.28, -0.18), (0.3, 0.2, -1.0)),     # hands together in front of the chest
    "overhead": ((0.30, -0.05, 0.60), (1.0, 0.3, 0.0)),     # the FMS overhead squat: arms up
    "hips": ((0.17, 0.02, -0.50), (1.0, 0.6, 0.0)),         # hands on the hips
    "barbell": ((0.42, 0.07, -0.05), (0.2, 0.5, -1.0)),     # hands on a bar across the upper back
}


@dataclass
class PoseParams:
    """One frame's movement parameters. Degrees, metres; + signs as documented per field."""

    knee_flexion: float = 4.0     # nominal sagittal knee flexion (0 = straight)
    shank: float = 2.0            # nominal shank inclination from vertical, knee forward +
    trunk_lean: float = 2.0       # hip-centre -> shoulder-centre from vertical, forward +
    lumbar_flexion: float = 0.0   # pelvis-to-chest bend, flexion (rounding) +, extension -
    hip_shift: float = 0.0        # pelvis translation toward the subject's left +, metres
    pelvic_drop: float = 0.0      # pelvis rotation, left side down +
    valgus_left: float = 0.0      # knee rotation about hip-ankle axis, medial (valgus) +, varus -
    valgus_right: float = 0.0
    heel_lift_left: float = 0.0   # foot pitch about the ball of the foot, heel up +
    heel_lift_right: float = 0.0
    foot_roll_left: float = 0.0   # rotation about the foot's long axis, pronation +, supination -
    foot_roll_right: float = 0.0
    toe_ext_left: float = 0.0     # toe rotation about the MTP joints, extension (up) +, curl -
    toe_ext_right: float = 0.0
    ankle_flex_left: float = 0.0  # seated: foot about the ankle, dorsiflexion +, plantarflexion -
    ankle_flex_right: float = 0.0
    arm_forward: float = 10.0     # shoulder flexion of both arms in world terms (0 = hanging)
    arm_abduction: float = 8.0    # arms away from the body, degrees
    head_pitch: float = 0.0       # head nod, chin down +
    balance: float = 0.0          # 0..1: blend trunk_lean toward the lean that keeps the
                                  # shoulders over the feet for this knee flexion and shank
    trunk_extra: float = 0.0      # added to the (blended) trunk lean: the "excessive lean" fault
    # Walking (analyzer.synth.gait); all 0 for the exercises done in place.
    step_left: float = 0.0        # m the foot has moved forward of its stance spot
    step_right: float = 0.0
    lift_left: float = 0.0        # m the (swinging) foot is raised off the floor
    lift_right: float = 0.0
    travel: float = 0.0           # m the pelvis has moved forward (between the feet)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_dict(cls, d: dict) -> "PoseParams":
        return cls(**{k: float(v) for k, v in d.items() if k in cls.names()})


@dataclass
class Stance:
    """Where the feet stand: ankle separation (metres, None = the body's rest stance), toe-out
    of each foot from straight ahead (degrees; ``toe_out_left``/``toe_out_right`` override
    ``toe_out`` for one foot), and how far each foot stands forward of the other (metres,
    ``forward_left``/``forward_right``: a split stance for lunges and ankle rocks)."""

    width: float | None = None
    toe_out: float = 8.0
    toe_out_left: float | None = None
    toe_out_right: float | None = None
    forward_left: float = 0.0
    forward_right: float = 0.0

    def toe_out_of(self, side: str) -> float:
        v = self.toe_out_left if side == "left" else self.toe_out_right
        return float(self.toe_out if v is None else v)

    def forward_of(self, side: str) -> float:
        return float(self.forward_left if side == "left" else self.forward_right)


# ---------------------------------------------------------------- rotations

def rot(axis, deg: float) -> np.ndarray:
    """Rotation matrix about ``axis`` (any length) by ``deg`` degrees, right-handed."""
    a = np.asarray(axis, np.float64)
    n = np.linalg.norm(a)
    if n < 1e-12 or deg == 0.0:
        return np.eye(3)
    x, y, z = a / n
    th = math.radians(deg)
    c, s, C = math.cos(th), math.sin(th), 1.0 - math.cos(th)
    return np.array([[c + x * x * C, x * y * C - z * s, x * z * C + y * s],
                     [y * x * C + z * s, c + y * y * C, y * z * C - x * s],
                     [z * x * C - y * s, z * y * C + x * s, c + z * z * C]])


def rot_a_to_b(a, b) -> np.ndarray:
    """Smallest rotation taking direction ``a`` to direction ``b``."""
    a = np.asarray(a, float) / np.linalg.norm(a)
    b = np.asarray(b, float) / np.linalg.norm(b)
    v = np.cross(a, b)
    s, c = np.linalg.norm(v), float(np.dot(a, b))
    if s < 1e-12:
        return np.eye(3) if c > 0 else rot(_any_perp(a), 180.0)
    return rot(v, math.degrees(math.atan2(s, c)))


def _any_perp(a):
    p = np.cross(a, LEFT)
    if np.linalg.norm(p) < 1e-6:
        p = np.cross(a, UP)
    return p / np.linalg.norm(p)


def unit(v) -> np.ndarray:
    v = np.asarray(v, np.float64)
    return v / np.linalg.norm(v)


def frame(a, b) -> np.ndarray:
    """Orthonormal frame (columns) with first axis ``a`` and second axis ``b`` made perpendicular."""
    a = unit(a)
    b = np.asarray(b, float) - np.dot(b, a) * a
    b = unit(b)
    return np.stack([a, b, np.cross(a, b)], axis=1)


def frame_rotation(a0, b0, a1, b1) -> np.ndarray:
    """Rotation taking the frame (a0, b0) to (a1, b1): maps a0 -> a1 exactly, b0 -> b1 in plane."""
    return frame(a1, b1) @ frame(a0, b0).T


def horizontal(v) -> np.ndarray:
    v = np.array(v, np.float64)
    v[2] = 0.0
    return unit(v)


def yaw_out_deg(fwd, sg: float) -> float:
    """Toe-out of a horizontal foot direction: degrees from straight ahead (-Y) toward lateral."""
    return math.degrees(math.atan2(sg * fwd[0], -fwd[1]))


class Rigid:
    """x -> R x + t."""

    def __init__(self, R=None, t=None):
        self.R = np.eye(3) if R is None else np.asarray(R, float)
        self.t = np.zeros(3) if t is None else np.asarray(t, float)

    def __call__(self, x):
        return self.R @ np.asarray(x, float) + self.t

    @staticmethod
    def about(R, pivot) -> "Rigid":
        pivot = np.asarray(pivot, float)
        return Rigid(R, pivot - R @ pivot)

    def then(self, other: "Rigid") -> "Rigid":
        """Apply self, then other."""
        return Rigid(other.R @ self.R, other.R @ self.t + other.t)


# ---------------------------------------------------------------- rest skeleton

@dataclass
class RestSkeleton:
    """What posing needs from the body at rest (floor at z = 0).

    heads: bone name -> (3,) rest head; parents: bone name -> parent name (None for root);
    labels: bone names in anny's order (parents first).
    sole: per side ("L"/"R") the sole border offsets (metres) along the foot's lateral axis,
    measured from the ankle: {"medial": m < 0, "lateral": l > 0} (lateral axis points away from
    the body midline). balls: per side, the heel-lift pivot on the floor (see `ball`).
    """

    labels: list[str]
    parents: dict[str, str | None]
    heads: dict[str, np.ndarray]
    sole: dict[str, dict[str, float]] = field(default_factory=dict)
    balls: dict[str, np.ndarray] = field(default_factory=dict)

    def h(self, name: str) -> np.ndarray:
        return self.heads[name]

    def foot_fwd(self, s: str) -> np.ndarray:
        """Rest long axis of the foot, horizontal unit: ankle -> between 2nd and 3rd MTP."""
        mtp = 0.5 * (self.h(f"toe2-1.{s}") + self.h(f"toe3-1.{s}"))
        return horizontal(mtp - self.h(f"foot.{s}"))

    def ball(self, s: str) -> np.ndarray:
        """Rest ball of the foot on the floor (the heel-lift pivot): the given one (the front of
        the sole skinned to the foot bone), else between the 1st and 5th MTP heads, z = 0."""
        if s in self.balls:
            return self.balls[s]
        b = 0.5 * (self.h(f"toe1-1.{s}") + self.h(f"toe5-1.{s}"))
        return np.array([b[0], b[1], 0.0])

    def length(self, a: str, b: str) -> float:
        return float(np.linalg.norm(self.h(b) - self.h(a)))


def forward_kinematics(rest: RestSkeleton, G: dict[str, np.ndarray], root_pos) -> tuple[dict, dict]:
    """Posed heads and full global rotations for every bone (bones without G inherit)."""
    heads, Gall = {}, {}
    for name in rest.labels:
        par = rest.parents[name]
        if par is None:
            Gall[name] = G.get(name, np.eye(3))
            heads[name] = np.asarray(root_pos, float)
        else:
            Gall[name] = G.get(name, Gall[par])
            heads[name] = heads[par] + Gall[par] @ (rest.h(name) - rest.h(par))
    return heads, Gall


def local_deltas(rest: RestSkeleton, Gall: dict[str, np.ndarray]) -> np.ndarray:
    """anny "local-ref" pose parameters (n_bones, 3, 3): G[parent].T @ G[bone]."""
    out = np.zeros((len(rest.labels), 3, 3))
    for i, name in enumerate(rest.labels):
        par = rest.parents[name]
        Gp = np.eye(3) if par is None else Gall[par]
        out[i] = Gp.T @ Gall[name]
    return out


# ---------------------------------------------------------------- the solver

@dataclass
class Plan:
    """A solved pose: global rotations, root (pelvis) head position, predicted heads."""

    G: dict[str, np.ndarray]
    root: np.ndarray
    heads: dict[str, np.ndarray]
    Gall: dict[str, np.ndarray]
    info: dict = field(default_factory=dict)


def _two_bone_knee(H, A, Lt, Ls, fwd):
    """Knee position for hip H, ankle A, thigh/shank lengths, bending toward ``fwd``."""
    d_vec = H - A
    d = float(np.linalg.norm(d_vec))
    u = d_vec / d
    w = fwd - np.dot(fwd, u) * u
    w = unit(w)
    cb = (Ls * Ls + d * d - Lt * Lt) / (2 * Ls * d)
    cb = min(1.0, max(-1.0, cb))
    sb = math.sqrt(1.0 - cb * cb)
    return A + Ls * (cb * u + sb * w), u, w


class Poser:
    """Solves `PoseParams` into bone rotations for one body (its `RestSkeleton`)."""

    def __init__(self, rest: RestSkeleton, stance: Stance | None = None, posture: str = "stand",
                 arms: str = "angles"):
        if posture not in ("stand", "sit_long"):
            raise ValueError(f"posture must be 'stand' or 'sit_long', got {posture!r}")
        if arms not in ARM_TARGETS and arms != "angles":
            raise ValueError(f"arms must be 'angles' or one of {sorted(ARM_TARGETS)}, got {arms!r}")
        self.arms = arms
        self.rest = rest
        self.stance = stance or Stance()
        self.posture = posture
        r = rest
        self.Lt = {s: r.length(f"upperleg01.{s}", f"lowerleg01.{s}") for s, _ in SIDES}
        self.Ls = {s: r.length(f"lowerleg01.{s}", f"foot.{s}") for s, _ in SIDES}
        hips = 0.5 * (r.h("upperleg01.L") + r.h("upperleg01.R"))
        self.root_from_hips = r.h("root") - hips
        arms = 0.5 * (r.h("upperarm01.L") + r.h("upperarm01.R"))
        self.trunk_length = float(np.linalg.norm(arms - hips))
        self.seat_height = None    # sit_long: hip-joint height above the floor (calibrated)
        self.seat_slope = 0.0      # sit_long: legs slope down toward the heels, degrees

    # -- feet ------------------------------------------------------------------------------
    def place_foot(self, s: str, sg: float, p: PoseParams):
        """The foot's rigid transform (rest -> posed), its posed forward and lateral axes, and
        the toes' rotation (flat on the floor: the foot's without the heel-lift pitch)."""
        r, st = self.rest, self.stance
        A0 = r.h(f"foot.{s}")
        fwd0 = r.foot_fwd(s)
        yaw = sg * (st.toe_out_of(_side_name(s)) - yaw_out_deg(fwd0, sg))
        Rz = rot(UP, yaw)
        target = A0.copy()
        if st.width is not None:
            target[0] = sg * st.width / 2.0
        target = target + st.forward_of(_side_name(s)) * FORWARD
        step, up = getattr(p, f"step_{_side_name(s)}"), getattr(p, f"lift_{_side_name(s)}")
        if step or up:  # walking: the foot where the gait has put it
            target = target + step * FORWARD + up * UP
        T = Rigid(Rz, target - Rz @ A0)
        fwd = Rz @ fwd0
        lat = unit(sg * np.cross(UP, fwd))  # horizontal, pointing away from the midline
        R_toes = Rz
        # heel lift: pitch about the ball of the foot (the axis across the foot on the floor)
        lift = getattr(p, f"heel_lift_{_side_name(s)}")
        if lift:
            ball = T(r.ball(s))
            ball[2] = up
            T = T.then(Rigid.about(rot(np.cross(UP, fwd), lift), ball))
        # roll: about the long axis through the medial (pronation) or lateral (supination) border
        roll = getattr(p, f"foot_roll_{_side_name(s)}")
        if roll:
            border = r.sole[s]["medial" if roll > 0 else "lateral"]
            A = T(A0)
            pivot = np.array([A[0], A[1], 0.0]) + border * lat
            # + roll about fwd moves what is above the sole medially on the left foot
            Rroll = rot(fwd, sg * roll)
            T = T.then(Rigid.about(Rroll, pivot))
            R_toes = Rroll @ R_toes
        return T, fwd, lat, R_toes

    # -- the whole body --------------------------------------------------------------------
    def solve(self, p: PoseParams) -> Plan:
        if self.posture == "sit_long":
            return self._solve_seated(p)
        return self._solve_standing(p)

    def _solve_standing(self, p: PoseParams) -> Plan:
        r = self.rest
        G: dict[str, np.ndarray] = {}
        Rpel, chest = self._trunk(G, p)
        feet = {}
        for s, sg in SIDES:
            T, fwd, lat, R_toes = self.place_foot(s, sg, p)
            feet[s] = (T, fwd, lat)
            G[f"foot.{s}"] = T.R
            ext = getattr(p, f"toe_ext_{_side_name(s)}")
            Rtoe = rot(np.cross(UP, fwd), -ext) @ R_toes if ext else R_toes
            for t in TOE_ROOTS:
                G[f"{t}.{s}"] = Rtoe
        A = {s: feet[s][0](r.h(f"foot.{s}")) for s, _ in SIDES}

        kappa_target = p.knee_flexion
        kappa = kappa_target
        # the legs whose foot is on the floor carry the knee flexion (a swinging leg bends more)
        down = [s for s, _ in SIDES if not getattr(p, f"lift_{_side_name(s)}")] or [s for s, _ in SIDES]
        for _ in range(4):  # refine the nominal knee flexion so the solved legs hit the target
            P = self._pelvis(p, A, feet, kappa, Rpel)
            legs = self._legs(p, A, feet, P, Rpel)
            got = float(np.mean([legs[s]["flexion"] for s in down]))
            if abs(kappa_target - got) < 0.05:
                break
            kappa += kappa_target - got
        for s, _ in SIDES:
            G[f"upperleg01.{s}"] = G[f"upperleg02.{s}"] = legs[s]["G_thigh"]
            G[f"lowerleg01.{s}"] = G[f"lowerleg02.{s}"] = legs[s]["G_shank"]
        if self.arms == "angles":
            self._arms(G, p)
        else:
            self._arms_to(G, P, chest, self.arms)
        heads, Gall = forward_kinematics(r, G, P)
        info = dict(chest=chest, pelvic_tilt=chest - p.lumbar_flexion, knee_nominal=kappa,
                    ankles={s: A[s] for s, _ in SIDES})
        return Plan(G, P, heads, Gall, info=info)

    def _pelvis(self, p, A, feet, kappa, Rpel):
        """Pelvis (root head) position for a nominal knee flexion ``kappa``."""
        r = self.rest
        th = math.radians(p.shank)
        ph = math.radians(kappa - p.shank)
        hips = []
        for s, _ in SIDES:
            fwd = feet[s][1]
            Ls, Lt = self.Ls[s], self.Lt[s]
            K = A[s] + Ls * (math.sin(th) * fwd + math.cos(th) * UP)
            hips.append(K + Lt * (-math.sin(ph) * fwd + math.cos(ph) * UP))
        hip_c = 0.5 * (hips[0] + hips[1])
        P = hip_c + self.root_from_hips
        P[0] = 0.5 * (A["L"][0] + A["R"][0]) + p.hip_shift
        steps = (p.step_left, p.step_right, p.lift_left, p.lift_right, p.travel)
        if any(steps):  # walking: the pelvis where the gait has it, at the height of the floor's feet
            P[1] += 0.5 * (p.step_left + p.step_right) - p.travel
            P[2] -= 0.5 * (p.lift_left + p.lift_right)
        # reachability: lower the pelvis until both legs reach their ankles
        for s, _ in SIDES:
            H = P + Rpel @ (r.h(f"upperleg01.{s}") - r.h("root"))
            reach = 0.9995 * (self.Lt[s] + self.Ls[s])
            dh = H - A[s]
            horiz2 = dh[0] ** 2 + dh[1] ** 2
            if dh @ dh > reach * reach and horiz2 < reach * reach:
                P[2] -= dh[2] - math.sqrt(reach * reach - horiz2)
        return P

    def _legs(self, p, A, feet, P, Rpel, knee_dir=None):
        r = self.rest
        out = {}
        for s, sg in SIDES:
            H = P + Rpel @ (r.h(f"upperleg01.{s}") - r.h("root"))
            fwd = feet[s][1] if knee_dir is None else knee_dir
            K, u, w = _two_bone_knee(H, A[s], self.Lt[s], self.Ls[s], fwd)
            v = getattr(p, f"valgus_{_side_name(s)}")
            if v:
                Rv = rot(u, -sg * v)  # medial for this side is -sg * X
                K = A[s] + Rv @ (K - A[s])
                w = Rv @ w
            th0 = r.h(f"lowerleg01.{s}") - r.h(f"upperleg01.{s}")
            sh0 = r.h(f"foot.{s}") - r.h(f"lowerleg01.{s}")
            fwd0 = r.foot_fwd(s) if knee_dir is None else FORWARD
            G_thigh = frame_rotation(th0, fwd0, K - H, w)
            G_shank = frame_rotation(sh0, fwd0, A[s] - K, w)
            th, sh = K - H, A[s] - K
            flex = math.degrees(math.acos(np.clip(th @ sh / np.linalg.norm(th) / np.linalg.norm(sh), -1, 1)))
            out[s] = dict(H=H, K=K, G_thigh=G_thigh, G_shank=G_shank, flexion=flex)
        return out

    def _trunk(self, G, p):
        """Pelvis, spine, neck and head rotations (written into ``G``); returns the pelvis
        rotation and the chest angle. The chest angle is refined so that the hip-centre ->
        upper-arm-centre line leans ``p.trunk_lean`` (translation does not matter here)."""
        target = self.target_lean(p)
        chest = target
        for _ in range(6):
            self._spine_rotations(G, p, chest)
            heads, _ = forward_kinematics(self.rest, G, np.zeros(3))
            got = _lean(heads)
            if abs(target - got) < 0.02:
                break
            chest += target - got
        return G["root"], chest

    def balanced_lean(self, knee_flexion: float, shank: float) -> float:
        """Trunk lean (deg) that puts the shoulder centre 2 cm ahead of the ankles."""
        Lt = 0.5 * (self.Lt["L"] + self.Lt["R"])
        Ls = 0.5 * (self.Ls["L"] + self.Ls["R"])
        hip_fwd = Ls * math.sin(math.radians(shank)) - Lt * math.sin(math.radians(knee_flexion - shank))
        s = (0.02 - hip_fwd) / self.trunk_length
        return math.degrees(math.asin(min(0.95, max(-0.3, s))))

    def target_lean(self, p: PoseParams) -> float:
        lean = p.trunk_lean
        if p.balance:
            lean = (1 - p.balance) * lean + p.balance * self.balanced_lean(p.knee_flexion, p.shank)
        return lean + p.trunk_extra

    def _spine_rotations(self, G, p, chest):
        tilt = chest - p.lumbar_flexion
        G["root"] = rot(FORWARD, -p.pelvic_drop) @ rot(LEFT, tilt)
        for name, share in zip(LUMBAR, LUMBAR_SHARE):
            # the lumbar spine takes the pelvic drop back so the chest stays level
            G[name] = rot(FORWARD, -p.pelvic_drop * (1 - share)) @ rot(LEFT, tilt + share * p.lumbar_flexion)
        for name in THORAX:
            G[name] = rot(LEFT, chest)
        for name, k in NECK:
            G[name] = rot(LEFT, chest * k)
        G["head"] = rot(LEFT, p.head_pitch)

    def _arms(self, G, p):
        r = self.rest
        fa = math.radians(p.arm_forward)
        ab = math.radians(p.arm_abduction)
        for s, sg in SIDES:
            ua = r.h(f"lowerarm01.{s}") - r.h(f"upperarm01.{s}")
            la = r.h(f"wrist.{s}") - r.h(f"lowerarm01.{s}")
            tgt = np.array([sg * math.sin(ab), -math.sin(fa) * math.cos(ab), -math.cos(fa) * math.cos(ab)])
            Rua = rot_a_to_b(ua, tgt)
            G[f"upperarm01.{s}"] = G[f"upperarm02.{s}"] = Rua
            fa2 = fa + math.radians(10.0)
            tgt2 = np.array([sg * math.sin(ab) * 0.5, -math.sin(fa2), -math.cos(fa2)])
            Rla = rot_a_to_b(la, tgt2)
            G[f"lowerarm01.{s}"] = G[f"lowerarm02.{s}"] = G[f"wrist.{s}"] = Rla

    def _arms_to(self, G, P, chest: float, style: str):
        """Arms by two-bone IK: each wrist to a target held in the chest's frame (``ARM_TARGETS``),
        the elbow bending toward the style's hint direction."""
        r = self.rest
        heads, _ = forward_kinematics(r, G, P)
        Rc = rot(LEFT, chest)
        shoulders = {s: heads[f"upperarm01.{s}"] for s, _ in SIDES}
        centre = 0.5 * (shoulders["L"] + shoulders["R"])
        offset, hint = ARM_TARGETS[style]
        for s, sg in SIDES:
            S = shoulders[s]
            Lu = r.length(f"upperarm01.{s}", f"lowerarm01.{s}")
            Ll = r.length(f"lowerarm01.{s}", f"wrist.{s}")
            local = np.array([sg * offset[0], offset[1], offset[2]])
            W = centre + (Rc @ local if style != "overhead" else local)
            d = W - S
            n = float(np.linalg.norm(d))
            if n > 0.98 * (Lu + Ll):  # out of reach: straighten toward it
                W = S + d * (0.98 * (Lu + Ll) / n)
            bend = Rc @ np.array([sg * hint[0], hint[1], hint[2]])
            E, _, _ = _two_bone_knee(W, S, Ll, Lu, bend)  # elbow: the "knee" of shoulder -> wrist
            ua = r.h(f"lowerarm01.{s}") - r.h(f"upperarm01.{s}")
            la = r.h(f"wrist.{s}") - r.h(f"lowerarm01.{s}")
            G[f"upperarm01.{s}"] = G[f"upperarm02.{s}"] = rot_a_to_b(ua, E - S)
            G[f"lowerarm01.{s}"] = G[f"lowerarm02.{s}"] = G[f"wrist.{s}"] = rot_a_to_b(la, W - E)

    # -- seated, legs long -----------------------------------------------------------------
    def _solve_seated(self, p: PoseParams) -> Plan:
        r = self.rest
        G: dict[str, np.ndarray] = {}
        z_hip = self.seat_height if self.seat_height is not None else 0.10
        slope = math.radians(self.seat_slope)
        leg_dir = unit(FORWARD * math.cos(slope) - UP * math.sin(slope))
        hips_rest = 0.5 * (r.h("upperleg01.L") + r.h("upperleg01.R"))
        P = np.array([0.0, hips_rest[1], z_hip]) + self.root_from_hips
        Rpel, chest = self._trunk(G, p)
        A, feet = {}, {}
        for s, sg in SIDES:
            H = P + Rpel @ (r.h(f"upperleg01.{s}") - r.h("root"))
            A0 = r.h(f"foot.{s}")
            d_rest = float(np.linalg.norm(A0 - r.h(f"upperleg01.{s}")))
            lateral = (A0[0] - r.h(f"upperleg01.{s}")[0])
            A[s] = H + leg_dir * math.sqrt(max(d_rest ** 2 - lateral ** 2, 1e-6)) + np.array([lateral, 0, 0])
            feet[s] = (None, FORWARD, LEFT * sg)
        legs = self._legs(p, A, feet, P, Rpel, knee_dir=UP)
        for s, sg in SIDES:
            G[f"upperleg01.{s}"] = G[f"upperleg02.{s}"] = legs[s]["G_thigh"]
            G[f"lowerleg01.{s}"] = G[f"lowerleg02.{s}"] = legs[s]["G_shank"]
            Gs = legs[s]["G_shank"]
            lat_axis = Gs @ LEFT  # the ankle's flexion axis (posed mediolateral)
            # dorsiflexion + brings the toes toward the shin: rotation about +X lifts points in
            # front of the ankle toward the knee once the leg lies along -Y.
            Gf = rot(lat_axis, -getattr(p, f"ankle_flex_{_side_name(s)}")) @ Gs
            G[f"foot.{s}"] = Gf
            ext = getattr(p, f"toe_ext_{_side_name(s)}")
            Gt = rot(Gf @ LEFT, -ext) @ Gf if ext else Gf
            for t in TOE_ROOTS:
                G[f"{t}.{s}"] = Gt
        # hands rest beside the hips: open the arms until the fingertips clear the floor
        q = PoseParams(**{f: getattr(p, f) for f in PoseParams.names()})
        for _ in range(20):
            self._arms(G, q)
            heads, Gall = forward_kinematics(r, G, P)
            low = min(heads[f"{b}.{s}"][2] for b in ("finger3-3", "finger2-3", "wrist") for s, _ in SIDES)
            if low >= 0.03 or q.arm_abduction >= 85:
                break
            q.arm_abduction += 4.0
        info = dict(chest=chest, pelvic_tilt=chest - p.lumbar_flexion, ankles=A, arm_abduction=q.arm_abduction)
        return Plan(G, P, heads, Gall, info=info)


def _side_name(s: str) -> str:
    return "left" if s == "L" else "right"


def _lean(heads) -> float:
    """Trunk lean from predicted heads: hip centre -> upper-arm heads centre, forward +."""
    hip = 0.5 * (heads["upperleg01.L"] + heads["upperleg01.R"])
    sh = 0.5 * (heads["upperarm01.L"] + heads["upperarm01.R"])
    v = sh - hip
    return math.degrees(math.atan2(-v[1], v[2]))
