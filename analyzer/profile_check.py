"""Validating a user's threshold profile against the packaged ones, before any frame is decoded.

Every section, fault code and key of the user's file must exist in the packaged profile(s) it
overrides (a typo is named with the closest valid name, from difflib); every value must have the
packaged value's type, be finite, and lie in the range the code can use. Errors are one line:
``my.toml: [faults.knee_valgus] unknown key 'threshhold' (did you mean 'threshold'?)``.
"""
from __future__ import annotations

import difflib
import math

from .profile import LINKS, ProfileError

RULE_KEYS = ("threshold", "direction", "unit", "link", "error_band", "severe", "source")

# (section, key) -> (low, high, inclusive, why). Sections "faults.*" apply to every fault rule.
# The signal filter's cutoff must stay below the Nyquist frequency of the slowest video the
# analysis meets (24 fps film: 12 Hz); a cutoff at or above it is not a low-pass filter.
RANGES = {
    ("signals", "cutoff_hz"): (0.0, 12.0, False, "a low-pass cutoff below half a 24 fps frame rate"),
    ("signals", "max_gap_frames"): (0, 300, True, "a number of frames"),
    ("signals", "min_visibility"): (0.0, 1.0, True, "a visibility from 0 to 1"),
    ("reps", "min_amplitude_deg"): (0.0, 180.0, False, "an angle in degrees"),
    ("reps", "top_fraction"): (0.0, 1.0, True, "a fraction from 0 to 1"),
    ("reps", "phase_level"): (0.0, 1.0, True, "a fraction from 0 to 1"),
    ("views", "max_off_axis_deg"): (0.0, 90.0, True, "an angle from 0 to 90 degrees"),
    ("faults.*", "error_band"): (0.0, math.inf, True, "a measurement error, not negative"),
}
INTEGER_KEYS = {("signals", "max_gap_frames")}


def _close(word: str, choices) -> str:
    hit = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {hit[0]!r}?)" if hit else f" (valid: {', '.join(sorted(map(str, choices)))})"


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _type_name(v) -> str:
    return {bool: "true/false", str: "text", list: "a list", dict: "a table"}.get(type(v), "a number" if _is_number(v) else type(v).__name__)


def _check_value(origin: str, where: str, key: str, value, ref_value, range_key: tuple[str, str]) -> None:
    at = f"{origin}: [{where}] {key}"
    if _is_number(ref_value):
        if not _is_number(value):
            raise ProfileError(f"{at} must be a number, got {_type_name(value)} {value!r}")
        if not math.isfinite(value):
            raise ProfileError(f"{at} must be a finite number, got {value!r}")
        if range_key in INTEGER_KEYS and not float(value).is_integer():
            raise ProfileError(f"{at} must be a whole number, got {value!r}")
    elif isinstance(ref_value, bool) and not isinstance(value, bool):
        raise ProfileError(f"{at} must be true or false, got {value!r}")
    elif isinstance(ref_value, str) and not isinstance(value, str):
        raise ProfileError(f"{at} must be text, got {_type_name(value)} {value!r}")
    elif isinstance(ref_value, list) and not isinstance(value, list):
        raise ProfileError(f"{at} must be a list, got {_type_name(value)} {value!r}")
    rng = RANGES.get(range_key)
    if rng and _is_number(value):
        lo, hi, inclusive, why = rng
        ok = (lo <= value <= hi) if inclusive else (lo < value < hi)
        if not ok:
            span = f"{lo:g}..{hi:g}" if inclusive else f"between {lo:g} and {hi:g} (exclusive)"
            span = f">= {lo:g}" if math.isinf(hi) else span
            raise ProfileError(f"{at} = {value!r} is out of range: {why}, {span}")


def _check_rule(origin: str, code: str, spec, ref_spec: dict) -> None:
    where = f"faults.{code}"
    if not isinstance(spec, dict):
        raise ProfileError(f"{origin}: faults.{code} must be a table [faults.{code}], got {_type_name(spec)}")
    allowed = set(RULE_KEYS) | set(ref_spec)
    for key, value in spec.items():
        if key not in allowed:
            raise ProfileError(f"{origin}: [{where}] unknown key {key!r}{_close(key, allowed)}")
        if key == "direction":
            if value not in ("above", "below"):
                raise ProfileError(f"{origin}: [{where}] direction must be 'above' or 'below', got {value!r}")
            continue
        if key == "link":
            if value not in LINKS:
                raise ProfileError(f"{origin}: [{where}] link must be one of {', '.join(LINKS)}, got {value!r}")
            continue
        ref_value = ref_spec.get(key, 0.0 if key in ("threshold", "error_band", "severe") else "")
        _check_value(origin, where, key, value, ref_value, ("faults.*", key))


def validate_user(user: dict, ref: dict, origin: str) -> None:
    """ProfileError for the first thing in ``user`` (a parsed TOML profile) that ``ref`` (the
    packaged profile or profiles it overrides) does not allow."""
    for section, body in user.items():
        if section not in ref:
            if not isinstance(body, dict):
                raise ProfileError(f"{origin}: unknown top-level key {section!r}: values go in a section such "
                                   f"as [faults.knee_valgus]{_close(section, ref)}")
            raise ProfileError(f"{origin}: unknown section [{section}]{_close(section, ref)}")
        ref_body = ref[section]
        if not isinstance(body, dict):
            raise ProfileError(f"{origin}: {section} must be a section [{section}], got {_type_name(body)} {body!r}")
        if section == "faults":
            for code, spec in body.items():
                if code not in ref_body:
                    raise ProfileError(f"{origin}: unknown fault code [faults.{code}]{_close(code, ref_body)}")
                _check_rule(origin, code, spec, ref_body[code])
            continue
        for key, value in body.items():
            if key not in ref_body:
                raise ProfileError(f"{origin}: [{section}] unknown key {key!r}{_close(key, ref_body)}")
            if isinstance(ref_body[key], dict):
                raise ProfileError(f"{origin}: [{section}] {key} is a section, not a value")
            _check_value(origin, section, key, value, ref_body[key], (section, key))
