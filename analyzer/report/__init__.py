"""The HTML report: one self-contained page per analysis, written beside ``summary.json``.

    from analyzer.report import write_report
    write_report("results/my_squat")          # -> results/my_squat/report.html

Built only from the saved files of an analysis (``summary.json``, ``frames.csv``, the profile
named in the summary); the replay is referenced as the sibling ``replay.mp4``. Pure Python:
no OpenCV, no MediaPipe, so ``kinetic report`` regenerates a page without the model.

Modules: :mod:`.data` loads a folder, :mod:`.findings` decides what to say (headline, chain),
:mod:`.tables` builds the per-rep table and plot data, :mod:`.render` writes the HTML with the
CSS/JS of ``analyzer/templates/``.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..atomic import write_text
from .data import Analysis, ReportError, load_analysis

__all__ = ["REPORT_NAME", "ReportError", "load_analysis", "render_report", "write_report"]

REPORT_NAME = "report.html"


def render_report(folder: str | os.PathLike) -> str:
    """The report page of the analysis in ``folder`` as a string."""
    from .render import render

    return render(load_analysis(folder))


def write_report(folder: str | os.PathLike) -> Path:
    """Write ``folder/report.html`` (atomically) and return its path. ReportError if the folder
    is not an analysis; OSError if it cannot be written."""
    folder = Path(folder)
    page = render_report(folder)
    target = folder / REPORT_NAME
    write_text(target, page)  # temp file + fsync + rename; no stray temp file on a full disk
    return target


def render_analysis(analysis: Analysis) -> str:
    from .render import render

    return render(analysis)
