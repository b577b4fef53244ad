"""Exercise-specific analysis: repetition segmentation, per-rep metrics and faults.

Every exercise module exposes ``analyze(track, view, profile) -> ExerciseAnalysis`` and is
registered here; ``kinetic analyze --exercise NAME`` picks one, ``auto`` asks
:func:`detect_exercise`.
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
}


def _lazy(module: str, function: str) -> Callable[["PoseTrack", "ViewEstimate", "Profile"], "ExerciseAnalysis"]:
    def analyze(track: "PoseTrack", view: "ViewEstimate", profile: "Profile") -> "ExerciseAnalysis":
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{module}"), function)(track, view, profile)

    analyze.__name__ = function
    return analyze


ANALYZERS: dict[str, Callable[["PoseTrack", "ViewEstimate", "Profile"], "ExerciseAnalysis"]] = {
    name: _lazy(*spec) for name, spec in _MODULES.items()
}


def detect_exercise(track: "PoseTrack") -> str:
    """Which registered exercise a recording shows (``--exercise auto``); the squat when unsure.
    See :mod:`analyzer.exercises.detect` for the cues."""
    from .detect import detect

    return detect(track)
