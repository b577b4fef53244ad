"""Live mode: ``kinetic live`` — a camera (or a file played as one), analysed as it happens.

    sources.py    capture threads; the pose model always gets the newest frame (stale ones dropped)
    processor.py  causal per-frame processing: filters, metrics, rep counter, view, guidance
    metrics.py    the squat's per-frame metrics and the view for one live frame
    judge.py      each finished rep judged by the offline analysis, in a worker process
    follow.py     the foot exercises (and --exercise auto) counted by the offline analysis,
                  re-run on the buffered session about once a second in that worker
    ui.py         the screen and the window
    session.py    recording while live, and saving analyze's outputs at the end
    loop.py       the loop tying them together: :func:`run_live`

Importing this package is light (no OpenCV, MediaPipe or analysis): the judge's worker
process imports it.
"""
from __future__ import annotations

__all__ = ["LiveError", "LiveOptions", "LiveResult", "run_live"]


def __getattr__(name: str):
    if name in __all__:
        from . import loop

        return getattr(loop, name)
    raise AttributeError(name)
