"""The slow walk of the 'Frankenstein walk' (toe extension while walking): a gait script of
alternating steps for `analyzer.synth.motion` (pure numpy).

One rep of the scenario is one **step**: the swinging foot lifts off, travels forward (raised
``lift`` m at mid-swing) and lands ``step_length`` m ahead of the other foot; then both feet
stay down for ``hold`` s (double support) before the other foot swings. The pelvis travels
forward between the feet and sways ``sway`` m over the stance foot; the legs are solved by
`analyzer.synth.posing`'s two-bone IK to the moving feet. The first step starts from both
feet together (a half stride); the walk ends where the last step lands.

Toes: every step's landing foot keeps its toes extended ``toes`` degrees (0 = the normal-toe
control: toes flat). A step's fault ``toe_drop = D`` lowers the landing foot's toes to ``D``
degrees for its stance: reached at the end of the step's hold (or at the other foot's mid-swing
with no hold), kept until the foot lifts off again, and back up during its next swing. ``toes_start``: ``"flat"``
(stand with the toes flat, lift them, walk, lower them at the end) or ``"up"`` (toes up from
the first frame to the last).

Units: metres, degrees, seconds. Forward is the subject's front (-Y): cameras at azimuth 90 or
270 see the walk cross the picture, at 0 come toward the camera.
"""
from __future__ import annotations

from .motion import RepInfo, _phase

WALK_FAULTS = {"toe_drop": "toes_dropped"}
# A step's toes stayed up when the landing foot's toe extension never fell under this during its
# stance (the truth's ``toes_up``): about half of the 35 deg exercise lift, where the toe lift's
# own rule (toe_lift_low) reads "barely lifted".
TOES_UP_DEG = 20.0
FEET = ("left", "right")


def start_pose(base: dict, defaults: dict) -> dict:
    """The standing pose before the first step (toes already up with ``toes_start = "up"``)."""
    pose = dict(base, step_left=0.0, step_right=0.0, lift_left=0.0, lift_right=0.0, travel=0.0, hip_shift=0.0)
    if defaults["toes_start"] not in ("flat", "up"):
        raise ValueError(f"toe_walk toes_start must be 'flat' or 'up', got {defaults['toes_start']!r}")
    toes = float(defaults["toes"]) if defaults["toes_start"] == "up" else 0.0
    pose.update(toe_ext_left=toes, toe_ext_right=toes)
    return pose


def build_step(b, i: int, s: dict, faults: dict, root) -> None:
    """Step ``i`` (0-based) with its settings ``s``: see the module docstring."""
    for k in faults:
        if k not in WALK_FAULTS:
            raise ValueError(f"unknown toe_walk fault {k!r}; known: {sorted(WALK_FAULTS)}")
    if s["first"] not in FEET:
        raise ValueError(f"toe_walk first must be 'left' or 'right', got {s['first']!r}")
    for key in ("step_length", "swing", "lift"):
        if not float(s[key]) > 0:
            raise ValueError(f"toe_walk {key} must be > 0, got {s[key]!r}")
    if float(s["hold"]) < 0:
        raise ValueError(f"toe_walk hold must be >= 0 s, got {s['hold']!r}")
    w = b.__dict__.setdefault("walk", dict(drop={f: None for f in FEET}, nominal={f: 0.0 for f in FEET}))
    toes = float(s["toes"])
    if i == 0 and s["toes_start"] == "flat" and toes:
        # stand with the toes flat, lift them, then walk
        up = dict(b.keys[-1].pose, toe_ext_left=toes, toe_ext_right=toes)
        b.to(float(s["toe_rise"]), up, "lift_toes", -1)
        b.hold(float(s["toe_rise"]), "toes_up", -1)
    if i == 0:
        w["nominal"] = {f: b.keys[-1].pose.get(f"toe_ext_{f}", 0.0) for f in FEET}
    first = s["first"]
    x = first if i % 2 == 0 else ("right" if first == "left" else "left")
    y = "right" if x == "left" else "left"
    cur = dict(b.keys[-1].pose)
    pos_y = cur[f"step_{y}"]
    new_x = pos_y + float(s["step_length"])
    travel_new = 0.5 * (new_x + pos_y)
    w["nominal"][x] = toes

    rep = RepInfo(i, b.t, 0.0, 0.0, root_cause=root,
                  settings=dict(foot=x, step_length=float(s["step_length"]), swing=float(s["swing"]),
                                hold=float(s["hold"]), lift=float(s["lift"]), toes=toes,
                                toe_drop=(float(faults["toe_drop"]) if "toe_drop" in faults else None)))
    t0 = b.t
    mid = dict(cur)
    mid.update({f"step_{x}": 0.5 * (cur[f"step_{x}"] + new_x), f"lift_{x}": float(s["lift"]),
                "travel": 0.5 * (cur["travel"] + travel_new), f"toe_ext_{x}": toes,
                "hip_shift": float(s["sway"]) * (1.0 if y == "left" else -1.0)})
    # the stance foot's toes: still dropped at mid-swing if its own step dropped them
    mid[f"toe_ext_{y}"] = w["drop"][y] if w["drop"][y] is not None else w["nominal"][y]
    b.to(0.5 * float(s["swing"]), mid, "swing", i)
    land = dict(mid)
    land.update({f"step_{x}": new_x, f"lift_{x}": 0.0, "travel": travel_new, "hip_shift": 0.0})
    rep.peak = b.to(0.5 * float(s["swing"]), land, "contact", i)
    _phase(rep, "swing", t0, b.t)
    drop = faults.get("toe_drop")
    w["drop"][x] = None if drop is None else float(drop)
    t1 = b.t
    if float(s["hold"]) > 0:
        held = dict(land)
        if drop is not None:
            held[f"toe_ext_{x}"] = float(drop)
        b.to(float(s["hold"]), held, "hold", i)
        _phase(rep, "hold", t1, b.t)
    rep.end = b.t
    if drop is not None:
        rep.faults.append(dict(code="toes_dropped", side=x, key="toe_drop", value=float(drop),
                               unit="deg of toe extension left during the step's stance"))
    b.reps.append(rep)


def finish(b, defaults: dict) -> None:
    """After the last step: toes down again (``toes_start = "flat"``), feet where they landed."""
    last = dict(b.keys[-1].pose)
    if defaults["toes_start"] == "flat" and (last.get("toe_ext_left") or last.get("toe_ext_right")):
        b.hold(0.3, "stand", -1)
        b.to(float(defaults["toe_rise"]), dict(last, toe_ext_left=0.0, toe_ext_right=0.0), "lower_toes", -1)


def swings(reps: list[RepInfo]) -> dict[str, list[tuple[float, float]]]:
    """Per foot, the (lift-off, contact) times of its swings, seconds."""
    out: dict[str, list[tuple[float, float]]] = {f: [] for f in FEET}
    for r in reps:
        out[r.settings["foot"]].append((r.start, r.peak))
    return out
