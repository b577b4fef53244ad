"""Scenarios: what to render, as TOML (or a built-in name), with inheritance, overrides, suites.

A scenario file (all tables optional but ``exercise``)::

    name = "squat_valgus_front"
    base = "squat_good"          # optional: a built-in name or a TOML path to start from
    exercise = "squat"           # squat | heel_raise | footwork | foot_roll | toe_lift | foot_spine | toe_walk
    fps = 30
    size = [720, 1280]           # width, height in pixels
    duration = 6.0               # seconds; default: the script's length

    [camera]                     # see analyzer.synth.camera.place_camera
    azimuth = 0                  # deg: 0 front, 90 subject's left, 180 behind, 270 right
    height = 0.9                 # m above the floor
    distance = 2.8               # m, horizontal, from the point between the feet
    fill = 0.7                   # instead of distance: the person's share of the frame height
    fov = 50                     # vertical field of view, deg (or focal = pixels)
    target_height = 0.85         # m, the point looked at (default: 0.47 x stature)

    [body]                       # anny phenotype, each 0..1 (0.5 = average)
    gender = 0.0                 # 0 male .. 1 female
    age_years = 30               # or age = anny's 0..1 value
    muscle = 0.5
    weight = 0.5
    height = 0.5
    proportions = 0.5

    [look]                       # RGB 0..1; feet = "barefoot" or a colour (socks/shoes)
    shirt = [0.15, 0.30, 0.65]
    background = [0.78, 0.80, 0.83]

    [stance]
    width = 0.30                 # ankle separation, m (default: the exercise's / body's rest)
    toe_out = 8                  # deg per foot (toe_out_left / toe_out_right: one foot)
    forward_left = 0.0           # m the left foot stands forward (a split stance; also _right)

    arms = "angles"              # angles (arm_forward/arm_abduction) | goblet | overhead | hips | barbell

    [props]
    barbell = false              # a barbell across the upper back (arms = "barbell")
    plate_diameter = 0.45        # m; plates = 2 per side (each 5 cm thick)

    [capture]                    # what a cheap camera does to the picture
    noise = 0                    # Gaussian sensor noise, sigma in 0..255 grey levels
    blur = 0                     # Gaussian blur sigma, pixels
    crf = 20                     # H.264 quality (phone bitrate: 30-36)

    [movement]                   # the exercise's settings for every rep (see motion.EXERCISES)
    knee_flexion = 110

    [[reps]]                     # one table per rep: settings overrides + injected faults
    [[reps]]
    knee_flexion = 100
    root_cause = "limited_dorsiflexion"
    faults = { dorsiflexion_cap = 20, valgus_left = 12, valgus_right = 8 }

Overrides use dotted keys with TOML values: ``camera.azimuth=90``, ``body.weight=0.8``,
``reps=[{}, {faults={valgus=10}}]``. A suite file has ``[suite]`` with ``base`` (and optional
overrides) and ``[suite.matrix]`` mapping dotted keys to lists; it expands to the cartesian
product, or lists explicit ``[[scenario]]`` tables (each may use ``base``).
"""
from __future__ import annotations

import copy
import itertools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .look import Look
from .motion import EXERCISES, build_timeline

TOP_KEYS = {"name", "base", "description", "exercise", "fps", "size", "duration", "seed", "camera",
            "body", "look", "stance", "movement", "reps", "lead_in", "tail", "arms", "props", "capture"}
CAMERA_KEYS = {"azimuth", "height", "distance", "fov", "focal", "target_height", "roll", "fill"}
BODY_KEYS = {"gender", "age", "age_years", "muscle", "weight", "height", "proportions"}
STANCE_KEYS = {"width", "toe_out", "toe_out_left", "toe_out_right", "forward_left", "forward_right"}
ARM_STYLES = ("angles", "goblet", "overhead", "hips", "barbell")
PROPS_KEYS = {"barbell", "plate_diameter", "plates", "plate_color"}
CAPTURE_KEYS = {"noise", "blur", "crf", "seed"}
LOOK_KEYS = {"skin", "hair", "shirt", "shorts", "feet", "long_sleeves", "clothing", "background", "floor",
             "floor_tile", "light"}


class ScenarioError(ValueError):
    """A scenario that cannot be read or is invalid; the message says which key and why."""


@dataclass
class CameraSpec:
    azimuth: float = 0.0
    height: float = 0.9
    distance: float = 2.8
    fov: float | None = None
    focal: float | None = None
    target_height: float | None = None
    roll: float = 0.0
    fill: float | None = None  # the standing person's share of the frame height (sets distance)


@dataclass
class Scenario:
    name: str
    exercise: str
    fps: float = 30.0
    size: tuple[int, int] = (720, 1280)
    duration: float | None = None
    camera: CameraSpec = field(default_factory=CameraSpec)
    body: dict = field(default_factory=dict)
    look: Look = field(default_factory=Look)
    stance: dict = field(default_factory=dict)
    movement: dict = field(default_factory=dict)
    reps: list[dict] = field(default_factory=lambda: [{}])
    lead_in: float = 0.5
    tail: float = 0.5
    arms: str = "angles"
    props: dict = field(default_factory=dict)
    capture: dict = field(default_factory=dict)
    description: str = ""
    source: dict = field(default_factory=dict)  # the fully merged table, echoed in the truth

    @property
    def width(self) -> int:
        return int(self.size[0])

    @property
    def height(self) -> int:
        return int(self.size[1])


# ---------------------------------------------------------------- reading

def deep_merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def parse_override(text: str) -> dict:
    """``"camera.azimuth=90"`` -> ``{"camera": {"azimuth": 90}}`` (value parsed as TOML)."""
    if "=" not in text:
        raise ScenarioError(f"override {text!r} is not KEY=VALUE")
    key, value = text.split("=", 1)
    key = key.strip()
    try:
        val = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        val = value.strip()  # a bare word: take it as a string
    return _dotted(key, val)


def resolve_table(src: str | Path | dict, _seen: tuple = ()) -> dict:
    """The merged table of a scenario: built-in name, TOML path or dict, with ``base`` applied."""
    from .builtin import BUILTIN

    if isinstance(src, dict):
        table, where = copy.deepcopy(src), None
    elif str(src) in BUILTIN:
        table, where = copy.deepcopy(BUILTIN[str(src)]), None
        table.setdefault("name", str(src))
    else:
        path = Path(src)
        if not path.exists():
            raise ScenarioError(f"no scenario {str(src)!r}: not a built-in name ({', '.join(sorted(BUILTIN))}) "
                                "nor an existing file")
        try:
            table = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as e:
            raise ScenarioError(f"{path}: invalid TOML: {e}") from None
        table.setdefault("name", path.stem)
        where = path.parent
    base = table.pop("base", None)
    if base is not None:
        if base in _seen:
            raise ScenarioError(f"scenario base loop through {base!r}")
        bsrc = base
        if where is not None and base not in BUILTIN and not Path(base).is_absolute():
            bsrc = where / base
        parent = resolve_table(bsrc, _seen + (base,))
        parent.pop("name", None)
        table = deep_merge(parent, table)
    return table


def _check_keys(table: dict, allowed: set, where: str):
    unknown = set(table) - allowed
    if unknown:
        raise ScenarioError(f"unknown key(s) {sorted(unknown)} in {where}; allowed: {sorted(allowed)}")


def _color(v, where):
    if not (isinstance(v, (list, tuple)) and len(v) == 3 and all(isinstance(c, (int, float)) for c in v)):
        raise ScenarioError(f"{where} must be an RGB list of three numbers in 0..1, got {v!r}")
    if not all(0 <= c <= 1 for c in v):
        raise ScenarioError(f"{where} components must lie in 0..1, got {v!r}")
    return tuple(float(c) for c in v)


def from_table(table: dict) -> Scenario:
    """Validate a merged table into a `Scenario`."""
    t = copy.deepcopy(table)
    _check_keys(t, TOP_KEYS, "the scenario")
    ex = t.get("exercise")
    if ex not in EXERCISES:
        raise ScenarioError(f"exercise must be one of {sorted(EXERCISES)}, got {ex!r}")
    cam = t.get("camera", {})
    _check_keys(cam, CAMERA_KEYS, "[camera]")
    body = t.get("body", {})
    _check_keys(body, BODY_KEYS, "[body]")
    for k, v in body.items():
        if k != "age_years" and not (isinstance(v, (int, float)) and 0 <= v <= 1):
            raise ScenarioError(f"body.{k} must be a number in 0..1 (anny's scale), got {v!r}")
    stance = t.get("stance", {})
    _check_keys(stance, STANCE_KEYS, "[stance]")
    for k, v in stance.items():
        if not isinstance(v, (int, float)):
            raise ScenarioError(f"stance.{k} must be a number, got {v!r}")
    props = dict(t.get("props", {}))
    _check_keys(props, PROPS_KEYS, "[props]")
    if "plate_color" in props:
        props["plate_color"] = _color(props["plate_color"], "props.plate_color")
    capture = dict(t.get("capture", {}))
    _check_keys(capture, CAPTURE_KEYS, "[capture]")
    for k in ("noise", "blur"):
        if not (isinstance(capture.get(k, 0.0), (int, float)) and 0 <= capture.get(k, 0.0) <= 50):
            raise ScenarioError(f"capture.{k} must be a number in 0..50, got {capture.get(k)!r}")
    if not (isinstance(capture.get("crf", 20), int) and 0 <= capture.get("crf", 20) <= 51):
        raise ScenarioError(f"capture.crf must be an integer in 0..51 (H.264), got {capture.get('crf')!r}")
    arms = t.get("arms", "barbell" if props.get("barbell") else "angles")
    if arms not in ARM_STYLES:
        raise ScenarioError(f"arms must be one of {', '.join(ARM_STYLES)}, got {arms!r}")
    lk = t.get("look", {})
    _check_keys(lk, LOOK_KEYS, "[look]")
    look = Look()
    for k, v in lk.items():
        if k == "feet":
            look.feet = None if v in ("barefoot", "skin", None) else _color(v, "look.feet")
        elif k == "floor":
            if not (isinstance(v, list) and len(v) == 2):
                raise ScenarioError("look.floor must be two RGB colours")
            look.floor = (_color(v[0], "look.floor[0]"), _color(v[1], "look.floor[1]"))
        elif k in ("long_sleeves",):
            look.long_sleeves = bool(v)
        elif k == "clothing":
            from .look import CLOTHING

            if v not in CLOTHING:
                raise ScenarioError(f"look.clothing must be one of {', '.join(CLOTHING)}, got {v!r}")
            look.clothing = v
        elif k in ("floor_tile",):
            look.floor_tile = float(v)
        elif k == "light":
            look.light = tuple(float(c) for c in v)
        else:
            setattr(look, k, _color(v, f"look.{k}"))
    size = t.get("size", [720, 1280])
    if not (isinstance(size, (list, tuple)) and len(size) == 2 and all(int(x) >= 16 for x in size)):
        raise ScenarioError(f"size must be [width, height] in pixels, got {size!r}")
    fps = float(t.get("fps", 30))
    if not 1 <= fps <= 240:
        raise ScenarioError(f"fps must be in 1..240, got {fps}")
    reps = t.get("reps", [{}])
    if not isinstance(reps, list) or not all(isinstance(r, dict) for r in reps):
        raise ScenarioError("reps must be an array of tables ([[reps]])")
    try:  # the movement script is checked here so a bad rep fails at load, not mid-render
        build_timeline(ex, reps, dict(t.get("movement", {})), duration=t.get("duration"))
    except (ValueError, TypeError, KeyError) as e:
        raise ScenarioError(f"scenario {t.get('name', '?')!r}: {e}") from None
    return Scenario(
        name=str(t.get("name", "scenario")), exercise=ex, fps=fps, size=(int(size[0]), int(size[1])),
        duration=(float(t["duration"]) if t.get("duration") is not None else None),
        camera=CameraSpec(**{k: (float(v) if v is not None else None) for k, v in cam.items()}),
        body=dict(body), look=look, stance=dict(stance), movement=dict(t.get("movement", {})),
        reps=reps, lead_in=float(t.get("lead_in", 0.5)), tail=float(t.get("tail", 0.5)),
        arms=arms, props=props, capture=capture, description=str(t.get("description", "")), source=table)


def load_scenario(src: str | Path | dict, overrides: list[str] | tuple = ()) -> Scenario:
    """A scenario from a built-in name, a TOML file or a dict, with dotted ``overrides``."""
    table = resolve_table(src)
    for o in overrides:
        table = deep_merge(table, parse_override(o))
    return from_table(table)


def is_suite(src: str | Path) -> bool:
    p = Path(src)
    if not p.is_file():
        return False
    try:
        t = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError:
        return False
    return "suite" in t or "scenario" in t


def load_suite(src: str | Path, overrides: list[str] | tuple = ()) -> list[Scenario]:
    """Scenarios of a suite file: ``[suite]`` + ``[suite.matrix]`` and/or ``[[scenario]]``."""
    path = Path(src)
    try:
        t = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{path}: invalid TOML: {e}") from None
    out: list[Scenario] = []
    suite = t.get("suite")
    if suite:
        suite = dict(suite)
        matrix = suite.pop("matrix", {})
        prefix = suite.pop("name", path.stem)
        base = resolve_table(_relative(suite.pop("base"), path) if "base" in suite else {})
        base = deep_merge(base, suite)
        keys = list(matrix)
        for combo in itertools.product(*(matrix[k] for k in keys)) if keys else [()]:
            table = copy.deepcopy(base)
            parts = [prefix]
            for k, v in zip(keys, combo):
                table = deep_merge(table, _dotted(k, v))
                parts.append(f"{k.split('.')[-1]}={v}")
            table["name"] = "__".join(parts)
            for o in overrides:
                table = deep_merge(table, parse_override(o))
            out.append(from_table(table))
    for i, sc in enumerate(t.get("scenario", [])):
        sc = dict(sc)
        if "base" in sc:
            sc["base"] = str(_relative(sc["base"], path))
        table = resolve_table(sc)
        table.setdefault("name", f"{path.stem}_{i}")
        for o in overrides:
            table = deep_merge(table, parse_override(o))
        out.append(from_table(table))
    return out


def _relative(base: str, path: Path):
    from .builtin import BUILTIN

    if base in BUILTIN or Path(base).is_absolute():
        return base
    return path.parent / base


def _dotted(key: str, value) -> dict:
    d: dict = {}
    cur = d
    parts = key.split(".")
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = value
    return d
