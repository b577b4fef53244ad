"""The digital-human bench's renderer: squats and foot exercises with exact ground truth.

Optional extra (``pip install torch==2.13.0 && pip install -e '.[synth]'``): anny's CC0 body
model (torch) posed frame by frame, rendered headless with moderngl/EGL, written as H.264 MP4
with a truth JSON (landmarks and metrics in 3D and as the camera sees them). See docs/synth.md.

Layout (one job per module):
    scenario.py  TOML scenarios, built-ins (builtin.py), overrides, suites     (pure python)
    motion.py    exercise scripts -> keyframed timeline of pose values + rep truth (numpy)
    posing.py    pose values -> bone rotations: planted feet, leg IK, spine, arms (numpy)
    body.py      anny: phenotype, rest skeleton, skinning                  (torch, anny)
    look.py      clothing/face colours per vertex                          (numpy)
    camera.py    pinhole camera around the subject                         (numpy)
    render.py    moderngl EGL renderer                                     (moderngl)
    truth.py     33 landmarks, 3D and projected metrics, truth file I/O    (numpy)
    writer.py    H.264 video writer (analyzer.replay or PyAV)
    pipeline.py  render_scenario(): scenario -> video + truth
    cli.py       ``python -m analyzer.synth`` / ``kinetic synth``
"""
from __future__ import annotations

EXTRA_HINT = "pip install torch==2.13.0 && pip install -e '.[synth]'"


class SynthUnavailable(RuntimeError):
    """The synth extra (torch, anny, moderngl) or a headless OpenGL context is missing."""


def require_extra() -> None:
    """Raise `SynthUnavailable` with the install command if torch/anny/moderngl are missing."""
    missing = []
    for mod in ("torch", "anny", "moderngl"):
        try:
            __import__(mod)
        except ImportError:
            missing.append(mod)
    if missing:
        raise SynthUnavailable(f"the synth extra is not installed (missing {', '.join(missing)}): {EXTRA_HINT}")


def __getattr__(name):  # lazy: importing the package must not import torch
    if name in ("load_scenario", "load_suite", "Scenario", "ScenarioError"):
        from . import scenario

        return getattr(scenario, name)
    if name in ("render_scenario", "RenderResult"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "load_truth":
        from .truth import load_truth

        return load_truth
    raise AttributeError(name)


__all__ = ["EXTRA_HINT", "SynthUnavailable", "require_extra", "load_scenario", "load_suite", "Scenario",
           "ScenarioError", "render_scenario", "RenderResult", "load_truth"]
