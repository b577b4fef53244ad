"""Exercise-specific analysis: repetition segmentation, per-rep metrics and faults.

Every exercise module exposes ``analyze(track, view, profile) -> ExerciseAnalysis`` and is
registered here; ``kinetic analyze --exercise NAME`` picks one, ``auto`` asks
:func:`detect_exercise` (which may answer "unknown").
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # importing these here would loop: faults -> exercises.catalog -> this package
    from ..profile import Profile
    from ..track import PoseTrack
    from ..view import ViewEstimate
    from .common import ExerciseAnalysis


# name -> (module, function): imported on first use so that `kinetic --help` stays fast.
# The profile file is analyzer/profiles/<name>.toml.
_MODULES = {
    "squat": ("squat", "analyze_squat"),
    "heel_raise": ("heel_raise", "analyze_heel_raise"),
    "footwork": ("footwork", "analyze_footwork"),
    "foot_roll": ("foot_roll", "analyze_foot_roll"),
    "toe_lift": ("toe_lift", "analyze_toe_lift"),
    "foot_spine": ("foot_spine", "analyze_foot_spine"),
    "toe_walk": ("toe_walk", "analyze_toe_walk"),
}


def _lazy(module: str, function: str) -> Callable[..., "ExerciseAnalysis"]:
    def analyze(track: "PoseTrack", view: "ViewEstimate", profile: "Profile", **kwargs) -> "ExerciseAnalysis":
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{module}"), function)(track, view, profile, **kwargs)

    analyze.__name__ = function
    return analyze


# Each is called as analyze(track, view, profile, quality=PoseQuality | None).
ANALYZERS: dict[str, Callable[..., "ExerciseAnalysis"]] = {
    name: _lazy(*spec) for name, spec in _MODULES.items()
}


def detect_exercise(track: "PoseTrack", quality=None) -> str:
    """Which registered exercise a recording shows (``--exercise auto``), or "unknown" when none
    fits. See :mod:`analyzer.exercises.detect` for the cues."""
    return detect_exercise_why(track, quality)[0]


def detect_exercise_why(track: "PoseTrack", quality=None) -> tuple[str, str]:
    """(exercise or "unknown", what was seen instead when unknown)."""
    from .detect import detect

    return detect(track, quality)
