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


def _squat(track: "PoseTrack", view: "ViewEstimate", profile: "Profile") -> "ExerciseAnalysis":
    from .squat import analyze_squat

    return analyze_squat(track, view, profile)


# name -> analyzer. The profile file is analyzer/profiles/<name>.toml.
ANALYZERS: dict[str, Callable[["PoseTrack", "ViewEstimate", "Profile"], "ExerciseAnalysis"]] = {
    "squat": _squat,
}


def detect_exercise(track: "PoseTrack") -> str:
    """Which registered exercise a recording shows. Only the squat is known so far."""
    return "squat"
