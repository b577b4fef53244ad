"""Random scenarios for the Frankenstein walk bench (``[walk]`` of ``space.toml``).

Each scenario is a random anny body walking 4-6 slow steps (analyzer/synth/gait.py) with the
toes lifted - some steps' toes dropping to a random low extension, some holds cut short - or
with the toes flat (the normal-toe control), filmed mostly from the side (the walk crosses the
picture), sometimes from an oblique front or from the front (toward the camera). The truth of
each step (its contact, whether the toes stayed up) is the renderer's, from the exact skeleton.
"""
from __future__ import annotations

from .generate import Draw, _look


def _azimuth(d: Draw, view: str) -> float:
    side = 1 if d.p(0.5) else -1
    if view == "side":
        return 90.0 * side + d.u([-12, 12])
    if view == "front":
        return d.u([-12, 12])
    return side * d.u([25, 55])  # oblique, in front


def draw_walk_scenario(d: Draw, space: dict, name: str) -> dict:
    """One random walk scenario table."""
    w = space["walk"]
    view = d.pick(w["views"])
    camera = dict(azimuth=round(_azimuth(d, view) % 360.0, 2), height=round(d.u(w["camera_height"]), 3),
                  fov=round(d.u(w["fov"]), 2), roll=round(d.u([-3, 3]), 2), fill=round(d.u(w["fill"]), 3))
    short = int(d.pick(w["short_side"]))
    long = int(round(short * 16 / 9 / 2)) * 2
    body = {k: round(d.u(v), 3) for k, v in space["body"].items()}
    noise = d.pick(w["noise"])
    capture = dict(noise=round(d.u([2.0, 5.0]), 2) if noise == "light" else 0.0, blur=0.0,
                   crf=int(round(d.u(w["crf"]))), seed=int(d.rng.integers(0, 2**31 - 1)))
    kind = d.pick(w["toes"])
    toes = round(d.u(w["toes_up"] if kind == "up" else w["toes_flat"]), 2)
    movement = dict(toes=toes, toes_start=d.pick(w["toes_start"]), first="left" if d.p(0.5) else "right",
                    step_length=round(d.u(w["step_length"]), 3), swing=round(d.u(w["swing"]), 3),
                    hold=round(d.u(w["hold"]), 3), lift=round(d.u(w["lift"]), 3), sway=round(d.u(w["sway"]), 3))
    reps = []
    for _ in range(int(d.rng.integers(w["steps"][0], w["steps"][1] + 1))):
        rep: dict = {}
        if kind == "up" and d.p(w["toe_drop"]):
            rep["faults"] = {"toe_drop": round(d.u(w["toe_drop_deg"]), 2)}
        if d.p(w["short_hold"]):
            rep["hold"] = round(d.u(w["short_hold_s"]), 3)
        reps.append(rep)
    return dict(name=name, exercise="toe_walk", fps=float(d.pick(w["fps"])), size=[long, short], camera=camera,
                body=body, look=_look(d, space["look"]), capture=capture, lead_in=round(d.u(w["lead_in"]), 2),
                tail=0.6, movement=movement, reps=reps,
                description=f"walk bench: toes {kind} ({toes} deg), {len(reps)} steps, from the {view}")
