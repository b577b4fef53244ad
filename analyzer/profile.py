"""Threshold profiles: the packaged TOML defaults merged with a user's overrides.

A profile is plain data (nested dicts from TOML); :class:`Profile` gives typed access and
validates what the rules need, so a typo in a user's file is a one-line error, not a traceback.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

LINKS = ("foot", "ankle", "knee", "hip", "lumbar")


class ProfileError(ValueError):
    """A profile file that cannot be used; ``str()`` is one line."""


@dataclass(frozen=True)
class Rule:
    """One fault rule of a profile (see ``profiles/squat.toml`` for the meaning of each field)."""

    code: str
    threshold: float
    direction: str
    unit: str
    link: str
    error_band: float
    severe: float | None
    source: str
    options: dict

    def crossed(self, value: float) -> bool:
        """True if ``value`` is beyond the threshold in the rule's direction."""
        return value >= self.threshold if self.direction == "above" else value <= self.threshold

    def severity(self, value: float) -> str:
        """'severe' beyond the severe level, 'mild' within the error band of the threshold,
        otherwise 'moderate'."""
        beyond = (value - self.threshold) if self.direction == "above" else (self.threshold - value)
        if self.severe is not None and (value >= self.severe if self.direction == "above" else value <= self.severe):
            return "severe"
        return "mild" if beyond < self.error_band else "moderate"


class Profile:
    """A merged profile. ``rules`` maps fault code -> :class:`Rule`; ``data`` is the raw dict."""

    def __init__(self, data: dict, origin: str) -> None:
        self.data = data
        self.origin = origin
        self.rules: dict[str, Rule] = {}
        for code, spec in data.get("faults", {}).items():
            self.rules[code] = _rule(code, spec, origin)

    def section(self, name: str) -> dict:
        return dict(self.data.get(name, {}))

    def value(self, section: str, key: str, default: float) -> float:
        v = self.data.get(section, {}).get(key, default)
        if not isinstance(v, (int, float)):
            raise ProfileError(f"{self.origin}: [{section}] {key} must be a number, got {v!r}")
        return float(v)


def _rule(code: str, spec: dict, origin: str) -> Rule:
    try:
        direction = spec.get("direction", "above")
        if direction not in ("above", "below"):
            raise ProfileError(f"{origin}: [faults.{code}] direction must be 'above' or 'below', got {direction!r}")
        link = spec["link"]
        if link not in LINKS:
            raise ProfileError(f"{origin}: [faults.{code}] link must be one of {', '.join(LINKS)}, got {link!r}")
        known = {"threshold", "direction", "unit", "link", "error_band", "severe", "source"}
        return Rule(
            code=code, threshold=float(spec["threshold"]), direction=direction, unit=str(spec.get("unit", "")),
            link=link, error_band=float(spec.get("error_band", 0.0)),
            severe=float(spec["severe"]) if "severe" in spec else None, source=str(spec.get("source", "")),
            options={k: v for k, v in spec.items() if k not in known},
        )
    except KeyError as exc:
        raise ProfileError(f"{origin}: [faults.{code}] is missing {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ProfileError):
            raise
        raise ProfileError(f"{origin}: [faults.{code}] has a value that is not a number ({exc})") from None


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def default_profile_text(exercise: str = "squat") -> str:
    return resources.files("analyzer.profiles").joinpath(f"{exercise}.toml").read_text(encoding="utf-8")


def packaged_exercises() -> list[str]:
    """The exercises with a packaged profile (``profiles/<name>.toml``, calibration aside)."""
    names = [p.name[:-5] for p in resources.files("analyzer.profiles").iterdir() if p.name.endswith(".toml")]
    return sorted(n for n in names if n != "calibration")


def _read_user(p: Path) -> dict:
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"{p}: profile file not found") from None
    except IsADirectoryError:
        raise ProfileError(f"{p}: is a folder, not a profile file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{p}: cannot read profile ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{p}: not valid TOML ({exc})") from None


def _reference(exercise: str) -> dict:
    """What a user's file may contain for ``exercise`` ("auto": any exercise's keys, since the
    exercise is only known after detection): the packaged defaults, merged."""
    names = packaged_exercises() if exercise == "auto" else [exercise]
    ref: dict = {}
    for name in names:
        ref = _merge(ref, tomllib.loads(default_profile_text(name)))
    return ref


def check_profile_file(path: str | Path, exercise: str = "auto") -> dict:
    """Read and validate a user's profile for ``exercise`` (or "auto") before any work: every
    section, key, type and range. Returns the user's dict; ProfileError (one line naming the key,
    with the closest valid name for a typo) otherwise."""
    from .profile_check import validate_user

    p = Path(path)
    user = _read_user(p)
    validate_user(user, _reference(exercise), str(p))
    return user


def load_profile(path: str | Path | None = None, exercise: str = "squat", *, detected: bool = False) -> Profile:
    """The packaged profile for ``exercise``, overridden by the TOML file at ``path`` if given.

    ``detected``: the exercise was detected (``--exercise auto``), so the file was written for
    any exercise: its keys that this exercise does not have are left out instead of refused."""
    data = tomllib.loads(default_profile_text(exercise))
    origin = f"default {exercise} profile"
    if path is not None:
        p = Path(path)
        user = check_profile_file(p, "auto" if detected else exercise)
        if detected:
            user = _only_known(user, data)
        data = _merge(data, user)
        origin = str(p)
    return Profile(data, origin)


def _only_known(user: dict, ref: dict) -> dict:
    """``user`` without the sections, fault codes and keys that ``ref`` does not have (those of
    another exercise: the file was validated against every exercise's keys)."""
    out: dict = {}
    for k, v in user.items():
        if k not in ref:
            continue
        if k == "faults":
            out[k] = {code: spec for code, spec in v.items() if code in ref[k]}
        elif isinstance(v, dict) and isinstance(ref[k], dict):
            out[k] = {kk: vv for kk, vv in v.items() if kk in ref[k]}
        else:
            out[k] = v
    return out
