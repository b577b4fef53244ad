"""Random scenarios for the foot-exercise bench (``[feet]`` of ``space.toml``).

Each scenario is one of the five foot exercises done by a random anny body, filmed mostly from
the view the exercise's instruction card asks for (sometimes another, whose blind spots must come
out "not judged"), with 2-4 reps. A rep is good or carries one fault whose size is drawn from
clearly inside the rule to clearly beyond it; the truth of each rep is computed afterwards from
the exact skeleton (:mod:`.feet_score`), never from what was meant to be injected.

Fault kinds per exercise (render settings; see docs/synth.md):

* heel_raise: ``low`` (height, deg of foot pitch), ``short_hold`` (hold, s), ``fast_lowering``
  (lower, s), ``sickling`` (the feet rolling out at the top, deg, one foot or both);
* footwork: ``low`` (heel height, deg), ``together`` (a phase-order error: bend and lift at
  once), ``heel_drop`` (share of the heel height lost while straightening); some clips stand
  with the heels apart;
* foot_roll: ``roll_in_small`` / ``roll_out_small`` (deg);
* toe_lift: ``low`` (toe extension, deg), ``short_hold`` (s), ``heel_lift`` (heels rising, deg);
* foot_spine: ``limited_point`` / ``limited_flex`` (deg), ``rushed`` (phase time, s; no holds).
"""
from __future__ import annotations

from .generate import Draw, _look

VIEW_AZIMUTH = {"front": 0.0, "rear": 180.0}
JITTER = 12.0  # deg around the card's view


def _azimuth(d: Draw, view: str) -> float:
    side = 1 if d.p(0.5) else -1
    if view in VIEW_AZIMUTH:
        return VIEW_AZIMUTH[view] + d.u([-JITTER, JITTER])
    if view == "side":
        return 90.0 * side + d.u([-JITTER, JITTER])
    off = d.u([25, 60])  # oblique: in front or behind
    return side * off if d.p(0.6) else 180.0 - side * off


def _rep(d: Draw, ex: str, spec: dict, kind: str | None) -> dict:
    """One rep's settings for exercise ``ex`` with fault ``kind`` (None: a good rep)."""
    u = lambda key: round(d.u(spec[key]), 3)  # noqa: E731
    f = spec["faults"]
    if ex == "heel_raise":
        rep = dict(height=u("height"), rise=u("rise"), hold=u("hold"), lower=u("lower"), rest=u("rest"))
        if kind == "low":
            rep["height"] = round(d.u(f["low"]), 2)
        elif kind == "short_hold":
            rep["hold"] = round(d.u(f["short_hold"]), 3)
        elif kind == "fast_lowering":
            rep["lower"] = round(d.u(f["fast_lowering"]), 3)
        elif kind == "sickling":
            size = -round(d.u(f["sickling"]), 2)
            key = "foot_roll" if d.p(0.5) else f"foot_roll_{'left' if d.p(0.5) else 'right'}"
            rep["faults"] = {key: size}
        return rep
    if ex == "footwork":
        rep = dict(sequence="bend_first" if d.p(0.5) else "lift_first", height=u("height"),
                   knee_flexion=u("knee_flexion"), phase_time=u("phase_time"), hold=u("hold"), rest=u("rest"))
        if kind == "low":
            rep["height"] = round(d.u(f["low"]), 2)
        elif kind == "together":
            rep["sequence"] = "together"
        elif kind == "heel_drop":
            rep.update(sequence="bend_first", heel_drop=round(d.u(f["heel_drop"]), 3))
        return rep
    if ex == "foot_roll":
        rep = dict(roll_in=u("roll"), roll_out=u("roll"), phase_time=u("phase_time"), hold=u("hold"), rest=u("rest"))
        if kind in ("roll_in_small", "roll_out_small"):
            rep[kind.replace("_small", "")] = round(d.u(f[kind]), 2)
        return rep
    if ex == "toe_lift":
        rep = dict(height=u("height"), rise=u("rise"), hold=u("hold"), lower=u("lower"), rest=u("rest"))
        if kind == "low":
            rep["height"] = round(d.u(f["low"]), 2)
        elif kind == "short_hold":
            rep["hold"] = round(d.u(f["short_hold"]), 3)
        elif kind == "heel_lift":
            rep["faults"] = {"heel_lift": round(d.u(f["heel_lift"]), 2)}
        return rep
    if ex == "foot_spine":
        rep = dict(point=u("point"), flex=u("flex"), phase_time=u("phase_time"), hold=u("hold"), rest=u("rest"))
        if kind == "limited_point":
            rep["point"] = round(d.u(f["limited_point"]), 2)
        elif kind == "limited_flex":
            rep["flex"] = round(d.u(f["limited_flex"]), 2)
        elif kind == "rushed":
            rep.update(phase_time=round(d.u(f["rushed"]), 3), hold=0.0)
        return rep
    raise ValueError(f"not a foot exercise: {ex!r}")


def draw_foot_scenario(d: Draw, space: dict, name: str, index: int) -> dict:
    """One random foot-exercise scenario table; the exercises take turns (``index``)."""
    fs = space["feet"]
    ex = list(fs["exercises"])[index % len(fs["exercises"])]
    spec = fs[ex]
    view = d.pick(spec["views"])
    if d.p(fs["other_view"]):
        view = d.pick({v: 1 for v in ("front", "rear", "side", "oblique") if v not in spec["views"]} or spec["views"])
    camera = dict(azimuth=round(_azimuth(d, view) % 360.0, 2), height=round(d.u(fs["camera_height"]), 3),
                  fov=round(d.u(fs["fov"]), 2), roll=round(d.u([-3, 3]), 2))
    if ex == "foot_spine":  # seated: the standing height does not frame it
        camera.update(distance=round(d.u(spec["distance"]), 3), target_height=0.4)
    else:
        camera["fill"] = round(d.u(fs["fill"]), 3)
    portrait = d.p(fs["portrait"])
    short = int(d.pick(fs["short_side"]))
    long = int(round(short * 16 / 9 / 2)) * 2
    body = {k: round(d.u(v), 3) for k, v in space["body"].items()}
    noise = d.pick(fs["noise"])
    capture = dict(noise=round(d.u([2.0, 5.0]), 2) if noise == "light" else 0.0, blur=0.0,
                   crf=int(round(d.u(fs["crf"]))), seed=int(d.rng.integers(0, 2**31 - 1)))
    table = dict(name=name, exercise=ex, fps=float(d.pick(fs["fps"])), size=[short, long] if portrait else [long, short],
                 camera=camera, body=body, look=_look(d, space["look"]), capture=capture,
                 lead_in=round(d.u(fs["lead_in"]), 2), tail=0.6)
    if ex == "footwork":
        apart = d.p(spec["heels_apart"])
        table["stance"] = dict(width=round(d.u(spec["apart_width" if apart else "width"]), 3), toe_out=25.0)
    kinds = list(spec["faults"])
    reps = []
    for _ in range(int(d.rng.integers(fs["reps"][0], fs["reps"][1] + 1))):
        kind = None if d.p(fs["good_rep"]) else kinds[int(d.rng.integers(len(kinds)))]
        reps.append(_rep(d, ex, spec, kind))
    table["reps"] = reps
    table["description"] = f"foot bench: {ex.replace('_', ' ')} from the {view}"
    return table
