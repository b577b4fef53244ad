"""``kinetic routine``: the article's daily foot programme, coached live, step by step.

    steps.py    the five steps as data: card text, camera set-up, targets (and the walk)
    screen.py   the step's card beside live's picture; the camera check (view, size of the feet)
    speech.py   the optional spoken count and cues (pyttsx3, offline)
    runner.py   the steps in order: graded ones are live sessions of their exercise
                (analyzer.live.run_live: live's counter and verdicts, no copy of any exercise's
                logic), timed ones on the camera picture; the summary and the history
    page.py     the routine's report.html
    cli.py      the command's arguments
"""
from __future__ import annotations

__all__ = ["RoutineError", "RoutineOptions", "RoutineResult", "run_routine"]


def __getattr__(name: str):
    if name in __all__:
        from . import runner

        return getattr(runner, name)
    raise AttributeError(name)
