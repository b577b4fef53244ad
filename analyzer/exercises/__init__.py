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


def _heel_raise(track: "PoseTrack", view: "ViewEstimate", profile: "Profile") -> "ExerciseAnalysis":
    from .heel_raise import analyze_heel_raise

    return analyze_heel_raise(track, view, profile)


def _footwork(track: "PoseTrack", view: "ViewEstimate", profile: "Profile") -> "ExerciseAnalysis":
    from .footwork import analyze_footwork

    return analyze_footwork(track, view, profile)


def _foot_roll(track: "PoseTrack", view: "ViewEstimate", profile: "Profile") -> "ExerciseAnalysis":
    from .foot_roll import analyze_foot_roll

    return analyze_foot_roll(track, view, profile)


def _toe_lift(track: "PoseTrack", view: "ViewEstimate", profile: "Profile") -> "ExerciseAnalysis":
    from .toe_lift import analyze_toe_lift

    return analyze_toe_lift(track, view, profile)


def _foot_spine(track: "PoseTrack", view: "ViewEstimate", profile: "Profile") -> "ExerciseAnalysis":
    from .foot_spine import analyze_foot_spine

    return analyze_foot_spine(track, view, profile)


# name -> analyzer. The profile file is analyzer/profiles/<name>.toml.
ANALYZERS: dict[str, Callable[["PoseTrack", "ViewEstimate", "Profile"], "ExerciseAnalysis"]] = {
    "squat": _squat,
    "heel_raise": _heel_raise,
    "footwork": _footwork,
    "foot_roll": _foot_roll,
    "toe_lift": _toe_lift,
    "foot_spine": _foot_spine,
}


def detect_exercise(track: "PoseTrack") -> str:
    """Which registered exercise a recording shows (``--exercise auto``); the squat when unsure.
    See :mod:`analyzer.exercises.detect` for the cues."""
    from .detect import detect

    return detect(track)
