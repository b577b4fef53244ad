"""Where the embedded demo clips are (``analyzer/demo/``, installed with the package)."""
from __future__ import annotations

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent / "demo"  # package data: ships in the wheel
DEMO_NAMES = ("demo_side.mp4", "demo_front.mp4")


def demo_clips() -> list[Path]:
    """The demo clips that exist, side view first."""
    return [SAMPLES_DIR / n for n in DEMO_NAMES if (SAMPLES_DIR / n).is_file()]
