"""``kinetic bench generate``: draw random bench scenarios from the world of ``space.toml``.

The sampler only draws: every range, weight and share lives in ``analyzer/bench/space.toml``.
A split (``dev``, ``test``, ``ci``) is a fixed seed there, so the same command always writes the
same scenarios. The output is an ordinary suite file (``[[scenario]]`` tables) that
``kinetic bench accuracy --suite`` and ``kinetic synth render`` read.

Each scenario is one person (a random anny body), one camera (view, height, lens, roll, frame
shape), one stance (width, toe-out per foot), a look (skin, clothes, floor, wall, light), what a
cheap camera does (fps, resolution, noise, blur, compression), maybe an occluder (a barbell,
arms in front of the body), and 2-4 reps. Each rep is good (small asymmetries only) or carries
one or two faults of random size, from clearly below the default threshold to severe, on one
side or both. A small share of clips are not squats at all (lunges, ankle rocks): the analyzer
must call those "unknown".
"""
from __future__ import annotations

import math
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np

# Faults each camera view can see (for drawing mostly faults the view can judge).
VIEW_FAULTS = {
    "side": ("dorsiflexion_cap", "heel_lift", "trunk_lean_extra", "shallow", "lockout"),
    "front": ("valgus", "varus", "hip_shift", "pelvic_drop"),
    "rear": ("valgus", "varus", "hip_shift", "pelvic_drop"),
    "oblique": ("valgus", "varus", "dorsiflexion_cap", "heel_lift", "trunk_lean_extra", "shallow", "lockout"),
}
ALL_FAULTS = ("valgus", "varus", "heel_lift", "dorsiflexion_cap", "trunk_lean_extra", "hip_shift",
              "pelvic_drop", "shallow", "lockout")
SKIN = {"light": (0.86, 0.68, 0.56), "medium": (0.72, 0.52, 0.38), "dark": (0.42, 0.28, 0.20)}
NOISE = {"none": (0.0, 0.0), "light": (2.0, 5.0), "heavy": (6.0, 12.0)}
BLUR = {"none": (0.0, 0.0), "light": (0.6, 1.2), "heavy": (1.5, 2.5)}


def load_space(path: str | Path | None = None) -> dict:
    """The sampling space (the packaged ``space.toml`` unless ``path`` is given)."""
    if path is None:
        text = resources.files("analyzer.bench").joinpath("space.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return tomllib.loads(text)


class Draw:
    """Seeded draws from the space's two kinds of entries: [a, b] ranges and weight tables."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def u(self, rng) -> float:
        a, b = rng
        return float(self.rng.uniform(a, b))

    def pick(self, weights: dict):
        keys = list(weights)
        p = np.array([float(weights[k]) for k in keys])
        return keys[int(self.rng.choice(len(keys), p=p / p.sum()))]

    def p(self, share: float) -> bool:
        return bool(self.rng.uniform() < share)

    def colour(self, lo: float = 0.05, hi: float = 0.95) -> list[float]:
        return [round(float(c), 3) for c in self.rng.uniform(lo, hi, 3)]


def _camera(d: Draw, cam: dict) -> tuple[dict, str, bool]:
    """Camera table, the view it was drawn as, and whether the frame is portrait."""
    view = d.pick(cam["view"])
    side = 1 if d.p(0.5) else -1
    if view == "side":
        az = 90.0 * side + d.u([-cam["side_jitter"], cam["side_jitter"]])
    elif view in ("front", "rear"):
        az = (0.0 if view == "front" else 180.0) + d.u([-cam["front_jitter"], cam["front_jitter"]])
    else:
        off = d.u(cam["oblique"])  # away from the frontal plane
        az = side * off if not d.p(cam["oblique_behind"]) else 180.0 - side * off
    portrait = d.p(cam["portrait"])
    table = dict(azimuth=round(az % 360.0, 2), height=round(d.u(cam["height"]), 3), fov=round(d.u(cam["fov"]), 2),
                 fill=round(d.u(cam["fill"]), 3), roll=round(d.u(cam["roll"]), 2))
    return table, view, portrait


def _look(d: Draw, look: dict) -> dict:
    skin = np.array(SKIN[d.pick(look["skin"])]) + d.rng.normal(0, 0.03, 3)
    out = dict(skin=[round(float(c), 3) for c in np.clip(skin, 0.05, 0.95)],
               hair=[round(float(c), 3) for c in d.rng.uniform(0.03, 0.5, 1).repeat(3) * [1.0, 0.75, 0.5]],
               shirt=d.colour(), shorts=d.colour(0.03, 0.7), background=d.colour(0.15, 0.92),
               long_sleeves=d.p(look["long_sleeves"]))
    out["feet"] = "barefoot" if d.p(look["barefoot"]) else d.colour(0.05, 0.95)
    a, b = d.colour(0.2, 0.75), d.colour(0.2, 0.75)
    out["floor"] = [a, [round(min(0.95, c * 1.12), 3) for c in a]] if d.p(0.5) else [a, b]
    az = d.u([0, 2 * math.pi])
    out["light"] = [round(math.cos(az), 3), round(math.sin(az), 3), round(d.u([0.4, 1.2]), 3)]
    return out


def _capture(d: Draw, cap: dict, portrait: bool) -> tuple[dict, list[int], float]:
    short = int(d.pick(cap["short_side"]))
    long = int(round(short * 16 / 9 / 2)) * 2
    size = [short, long] if portrait else [long, short]
    n = NOISE[d.pick(cap["noise"])]
    b = BLUR[d.pick(cap["blur"])]
    table = dict(noise=round(d.u(n), 2) if n[1] else 0.0, blur=round(d.u(b), 2) if b[1] else 0.0,
                 crf=int(round(d.u(cap["crf"]))), seed=int(d.rng.integers(0, 2**31 - 1)))
    return table, size, float(d.pick(cap["fps"]))


def _fault(d: Draw, kind: str, f: dict, rep: dict, faults: dict) -> None:
    """Add one fault of random size to a rep (settings in ``rep``, injected values in ``faults``)."""
    one = d.p(f["one_side"])
    side = "left" if d.p(0.5) else "right"
    if kind in ("valgus", "varus"):
        v = d.u(f[kind]) * (1 if kind == "valgus" else -1)
        if one:
            faults[f"valgus_{side}"] = round(faults.get(f"valgus_{side}", 0.0) + v, 2)
        else:
            faults["valgus"] = round(faults.get("valgus", 0.0) + v, 2)
    elif kind == "heel_lift":
        faults["heel_lift" if not one else f"heel_lift_{side}"] = round(d.u(f["heel_lift"]), 2)
    elif kind == "dorsiflexion_cap":
        cap = d.u(f["dorsiflexion_cap"])
        faults["dorsiflexion_cap"] = round(cap, 2)
        rep["shank"] = round(max(rep["shank"], cap + 3.0), 2)  # the cap must bind
    elif kind == "trunk_lean_extra":
        faults["trunk_lean_extra"] = round(d.u(f["trunk_lean_extra"]), 2)
    elif kind == "hip_shift":
        faults["hip_shift"] = round(faults.get("hip_shift", 0.0) + d.u(f["hip_shift"]) * (1 if d.p(0.5) else -1), 4)
    elif kind == "pelvic_drop":
        faults["pelvic_drop"] = round(faults.get("pelvic_drop", 0.0) + d.u(f["pelvic_drop"]) * (1 if d.p(0.5) else -1), 2)
    elif kind == "lockout":
        rep["lockout"] = round(d.u(f["lockout"]), 2)
    elif kind == "shallow":
        pass  # the depth was drawn shallow by the caller
    else:
        raise ValueError(kind)


def _reps(d: Draw, space: dict, view: str) -> list[dict]:
    mv, f = space["movement"], space["faults"]
    out = []
    for _ in range(int(d.rng.integers(mv["reps"][0], mv["reps"][1] + 1))):
        rep = dict(shank=round(d.u(mv["shank"]), 2), descent=round(d.u(mv["descent"]), 2),
                   pause=round(d.u(mv["pause"]), 2), ascent=round(d.u(mv["ascent"]), 2),
                   rest=round(d.u(mv["rest"]), 2))
        faults = dict(valgus_left=round(d.u([-f["jitter_valgus"], f["jitter_valgus"]]), 2),
                      valgus_right=round(d.u([-f["jitter_valgus"], f["jitter_valgus"]]), 2),
                      hip_shift=round(d.u([-f["jitter_hip_shift"], f["jitter_hip_shift"]]), 4),
                      pelvic_drop=round(d.u([-f["jitter_pelvic_drop"], f["jitter_pelvic_drop"]]), 2))
        kinds: list[str] = []
        if not d.p(f["good_rep"]):
            n = 2 if d.p(f["second_fault"]) else 1
            while len(kinds) < n:
                pool = VIEW_FAULTS[view] if d.p(f["visible"]) else ALL_FAULTS
                k = pool[int(d.rng.integers(len(pool)))]
                if k not in kinds and not ({k, *kinds} >= {"valgus", "varus"}):
                    kinds.append(k)
        rep["knee_flexion"] = round(d.u(mv["shallow_knee_flexion"] if "shallow" in kinds else mv["knee_flexion"]), 2)
        for k in kinds:
            _fault(d, k, f, rep, faults)
        rep["faults"] = {k: v for k, v in faults.items() if v != 0}
        out.append(rep)
    return out


def draw_scenario(d: Draw, space: dict, name: str, other: bool = False) -> dict:
    """One random scenario table; ``other``: not a squat (a lunge or an ankle rock)."""
    body = {k: round(d.u(v), 3) for k, v in space["body"].items()}
    camera, view, portrait = _camera(d, space["camera"])
    st = space["stance"]
    toe = d.u(st["toe_out"])
    asym = d.u(st["toe_out_asymmetry"])
    stance = dict(width=round(d.u(st["width"]), 3), toe_out_left=round(max(0.0, toe + asym / 2), 2),
                  toe_out_right=round(max(0.0, toe - asym / 2), 2))
    capture, size, fps = _capture(d, space["capture"], portrait)
    table = dict(name=name, exercise="squat", fps=fps, size=size, camera=camera, body=body, stance=stance,
                 look=_look(d, space["look"]), capture=capture,
                 lead_in=round(d.u(space["movement"]["lead_in"]), 2), tail=0.6)
    occ = space["occluders"]
    if other:
        kind = "ankle_rock" if d.p(0.5) else "lunge"
        split = d.u([0.3, 0.5]) if kind == "lunge" else d.u([0.2, 0.35])
        front = "left" if d.p(0.5) else "right"
        back = "right" if front == "left" else "left"
        table.update(exercise="lunge", stance=dict(width=round(d.u([0.15, 0.3]), 3), toe_out=round(d.u([0, 15]), 2),
                                                    **{f"forward_{front}": round(split, 3), f"forward_{back}": round(-split, 3)}))
        n = int(d.rng.integers(2, 5))
        if kind == "lunge":
            table["reps"] = [dict(knee_flexion=round(d.u([70, 110]), 2), shank=round(d.u([10, 25]), 2),
                                  back_heel=round(d.u([25, 45]), 2)) for _ in range(n)]
        else:  # the front knee drives forward over the toes, the back leg nearly straight
            table["reps"] = [dict(knee_flexion=round(d.u([35, 55]), 2), shank=round(d.u([30, 42]), 2),
                                  back_heel=round(d.u([0, 8]), 2)) for _ in range(n)]
        table["description"] = f"not a squat: {kind.replace('_', ' ')}s, {front} foot forward"
        return table
    if d.p(occ["barbell"]):
        table["props"] = dict(barbell=True, plate_diameter=round(d.u(occ["plate_diameter"]), 3),
                              plates=int(d.rng.integers(1, 4)))
        table["arms"] = "barbell"
    else:
        arms = d.pick(occ["arms"])
        table["arms"] = arms
        if arms == "angles":
            table["movement"] = dict(arm_forward=round(d.u([40, 95]), 2))
    table["reps"] = _reps(d, space, view)
    return table


def draw_lumbar_scenario(d: Draw, space: dict, name: str) -> dict:
    """One scenario of the lower-back bench (``[lumbar]``): a random body from the side, a random
    style of top, and reps whose lumbar bend at the bottom is changed by a size from ``sizes``."""
    lum = space["lumbar"]
    table = draw_scenario(d, space, name)
    cam = space["camera"]
    side = 1 if d.p(0.5) else -1
    table["camera"].update(azimuth=round((90.0 * side + d.u([-cam["side_jitter"], cam["side_jitter"]])) % 360.0, 2),
                           height=round(d.u(lum["camera_height"]), 3))
    table["look"]["clothing"] = d.pick(lum["clothing"])
    table.pop("props", None)
    table.pop("movement", None)
    if d.p(lum["barbell"]):
        table["props"] = dict(barbell=True, plate_diameter=round(d.u(space["occluders"]["plate_diameter"]), 3),
                              plates=int(d.rng.integers(1, 4)))
        table["arms"] = "barbell"
    else:
        table["arms"] = d.pick(lum["arms"])
        if table["arms"] == "angles":
            table["movement"] = dict(arm_forward=round(d.u([40, 95]), 2))
    mv, f = space["movement"], space["faults"]
    reps = []
    for _ in range(int(lum["reps"])):
        size = float(lum["sizes"][int(d.rng.integers(len(lum["sizes"])))])
        faults = dict(valgus_left=round(d.u([-f["jitter_valgus"], f["jitter_valgus"]]), 2),
                      valgus_right=round(d.u([-f["jitter_valgus"], f["jitter_valgus"]]), 2))
        if size:
            faults["lumbar_flexion"] = size
        reps.append(dict(knee_flexion=round(d.u(mv["knee_flexion"]), 2), shank=round(d.u(mv["shank"]), 2),
                         descent=round(d.u(mv["descent"]), 2), pause=round(d.u(mv["pause"]), 2),
                         ascent=round(d.u(mv["ascent"]), 2), rest=round(d.u(mv["rest"]), 2), faults=faults))
    table["reps"] = reps
    table["description"] = f"lower-back bench: {table['look']['clothing']} top, lumbar " + \
        ", ".join(f"{r['faults'].get('lumbar_flexion', 0):+g}" for r in reps)
    return table


def generate(split: str = "dev", *, seed: int | None = None, n: int | None = None,
             space: dict | None = None) -> list[dict]:
    """Scenario tables of a split (its seed and size from the space, unless given)."""
    space = space or load_space()
    spec = space["splits"].get(split, {})
    if seed is None:
        if "seed" not in spec:
            raise ValueError(f"unknown split {split!r}: give --seed, or one of {', '.join(space['splits'])}")
        seed = int(spec["seed"])
    n = int(spec.get("n", 20) if n is None else n)
    d = Draw(seed)
    if spec.get("kind") == "lumbar":
        return [draw_lumbar_scenario(d, space, f"{split}_{seed}_{i:03d}") for i in range(n)]
    if spec.get("kind") == "feet":
        from .feet_generate import draw_foot_scenario

        return [draw_foot_scenario(d, space, f"{split}_{seed}_{i:03d}", i) for i in range(n)]
    if spec.get("kind") == "walk":
        from .walk_generate import draw_walk_scenario

        return [draw_walk_scenario(d, space, f"{split}_{seed}_{i:03d}") for i in range(n)]
    others = set(d.rng.choice(n, size=int(round(space["other"]["lunge"] * n)), replace=False).tolist()) if n else set()
    return [draw_scenario(d, space, f"{split}_{seed}_{i:03d}", i in others) for i in range(n)]


def write_suite(tables: list[dict], path: str | Path, header: str = "") -> None:
    """A suite TOML of ``[[scenario]]`` tables (atomic write)."""
    import tomli_w

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"# {ln}\n" for ln in header.splitlines()) + "\n" + tomli_w.dumps({"scenario": tables})
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
