"""From a pose track to a verdict: the analysis every entry point runs (pure numpy).

``kinetic analyze``, ``kinetic live`` (per rep), ``kinetic report`` and the bench all call
:func:`assess`, so they cannot disagree: pose quality first, then the view (which ignores
unreliable frames), the exercise (or "unknown"), the exercise's analysis, and the one verdict
(:mod:`analyzer.verdict`).
"""
from __future__ import annotations

from dataclasses import dataclass

from .exercises import ANALYZERS, detect_exercise_why
from .exercises.common import ExerciseAnalysis
from .profile import Profile, load_profile
from .quality import PoseQuality, assess_quality
from .track import PoseTrack
from .verdict import Verdict, decide
from .view import ViewEstimate, estimate_view

UNKNOWN = "unknown"


@dataclass
class Assessment:
    """quality: per-frame pose reliability. view: per-segment view. exercise: a registered
    exercise name or "unknown". profile: the thresholds used. analysis: None when the exercise is
    unknown. verdict: what to tell the person."""

    quality: PoseQuality
    view: ViewEstimate
    exercise: str
    profile: Profile
    analysis: ExerciseAnalysis | None
    verdict: Verdict
    why_exercise: str = ""  # what was seen instead, when the exercise is unknown


def assess(track: PoseTrack, exercise: str = "auto", view: str = "auto", profile_path: str | None = None) -> Assessment:
    """Analyse a whole track. ``exercise``: "auto" detects it (may give "unknown"); ``view``:
    "auto" detects it per segment, else forces it. Raises ProfileError for a bad profile."""
    quality = assess_quality(track)
    v = estimate_view(track, None if view == "auto" else view, quality=quality)
    name, why = detect_exercise_why(track, quality) if exercise == "auto" else (exercise, "")
    profile = load_profile(profile_path, "squat" if name == UNKNOWN else name, detected=exercise == "auto")
    analysis = None if name == UNKNOWN else ANALYZERS[name](track, v, profile, quality=quality)
    return Assessment(quality, v, name, profile, analysis, decide(name, analysis, v, quality, profile, why_unknown=why),
                      why)
