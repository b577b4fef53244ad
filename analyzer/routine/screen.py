"""The routine's screen: live mode's picture (or the camera's, on a timed step) with the step's
card beside it: what to do, the camera it needs and whether the set-up is right, the target and
the count or the time left, the last grade, and the keys.

The camera check (:class:`SetupCheck`) reads live's landmarks: the view live sees, and how large
the feet are in the picture (too small: "move the camera closer", never a grade).
"""
from __future__ import annotations

from collections import Counter, deque

import cv2
import numpy as np

from ..live.ui import AMBER, DARK, FONT, GREEN, GREY, WHITE, _box
from ..skeleton import L_ANKLE, L_FOOT, L_HEEL, L_KNEE, R_ANKLE, R_FOOT, R_HEEL, R_KNEE
from .steps import STEPS, Camera, Step

KEY_HELP = "n/space next   s skip   p pause   q quit"
KEYS = {ord("n"): "next", ord(" "): "next", ord("s"): "skip", ord("b"): "", ord("e"): ""}
PANEL_W = 400
MIN_H = 560
VIEW_WORDS = {"rear": "behind", "front": "the front", "side": "the side", "oblique": "an angle"}


class SetupCheck:
    """Is the camera set up for the step? Fed live's per-frame state; ``message()`` gives
    (text, ok) over the last second or so: '' while nobody has been seen."""

    def __init__(self, camera: Camera | None, long_side: float, frames: int = 30) -> None:
        self.camera, self.long_side = camera, float(long_side)
        self.sizes: deque[float] = deque(maxlen=frames)
        self.views: deque[str] = deque(maxlen=frames)

    def update(self, state) -> None:
        if self.camera is None or not state.detected:
            return
        xy = state.xy
        pairs = ((L_HEEL, L_FOOT), (R_HEEL, R_FOOT)) if self.camera.measure == "foot" else \
            ((L_KNEE, L_ANKLE), (R_KNEE, R_ANKLE))
        lengths = [float(np.linalg.norm(xy[a] - xy[b])) for a, b in pairs
                   if np.isfinite(xy[a]).all() and np.isfinite(xy[b]).all()]
        if lengths:
            self.sizes.append(max(lengths) / self.long_side)
        if state.view.label:
            self.views.append(state.view.label)

    def fraction(self) -> float | None:
        return float(np.median(self.sizes)) if len(self.sizes) >= 5 else None

    def message(self) -> tuple[str, bool]:
        cam = self.camera
        if cam is None:
            return "", True
        size = self.fraction()
        if size is None:
            return "", True
        view = Counter(self.views).most_common(1)[0][0] if self.views else ""
        what = "feet" if cam.measure == "foot" else "legs"
        if size < cam.min_fraction:
            return (f"feet too small to grade - move the camera closer ({what} {100 * size:.0f}% of the picture, "
                    f"needs {100 * cam.min_fraction:.0f}%)"), False
        if view and view not in cam.views:
            return f"turn: this step is filmed from {VIEW_WORDS[cam.views[0]]}, the camera sees you from " \
                   f"{VIEW_WORDS.get(view, view)}", False
        return "camera set-up OK", True


def wrap(text: str, width: int, scale: float, thick: int = 1) -> list[str]:
    """``text`` broken into lines at most ``width`` pixels wide in the screen's font."""
    lines, cur = [], ""
    for word in text.split():
        cand = f"{cur} {word}".strip()
        if cur and cv2.getTextSize(cand, FONT, scale, thick)[0][0] > width:
            lines.append(cur)
            cur = word
        else:
            cur = cand
    return lines + ([cur] if cur else [])


def clock(seconds: float) -> str:
    s = max(0, int(round(seconds)))
    return f"{s // 60}:{s % 60:02d}"


def compose(img: np.ndarray, step: Step, *, progress: str, progress_sub: str, setup: tuple[str, bool],
            grade: tuple[str, tuple] | None = None, short: bool = False, paused: bool = False,
            extra_note: str = "") -> np.ndarray:
    """The picture ``img`` (BGR, display size) with the step's card to its right: a new image
    ``PANEL_W`` wider (and at least ``MIN_H`` high; the picture is centred vertically)."""
    h, w = img.shape[:2]
    H = max(h, MIN_H)
    out = np.full((H, w + PANEL_W, 3), (34, 30, 28), np.uint8)
    y0 = (H - h) // 2
    out[y0:y0 + h, :w] = img
    x, inner = w + 18, PANEL_W - 36
    y = 30

    def text(t: str, scale: float, colour, thick: int = 1, gap: int = 6) -> None:
        nonlocal y
        for line in wrap(t, inner, scale, thick):
            (_, th), base = cv2.getTextSize(line, FONT, scale, thick)
            y += th
            cv2.putText(out, line, (x, y), FONT, scale, colour, thick, cv2.LINE_AA)
            y += base + gap

    n = len(STEPS)
    text(f"STEP {step.number} OF {n}" + ("  (short)" if short else ""), 0.5, GREY)
    text(step.title, 0.75, WHITE, 2, gap=10)
    for ins in step.instructions:
        text(f"- {ins}", 0.45, (225, 225, 225), gap=4)
    y += 8
    if step.camera is not None:
        text(f"Camera: {step.camera.text}; the feet large in the picture.", 0.45, GREY, gap=4)
        msg, ok = setup
        if msg:
            y += 4
            text(msg, 0.5, GREEN if ok else AMBER, 1 if ok else 2)
    for note in (step.note, extra_note):
        if note:
            y += 4
            text(note, 0.5, AMBER if "not" in note.lower() else GREY)
    # the count or the clock, large
    y = max(y + 14, H - 190)
    _box(out, w + 10, y - 8, w + PANEL_W - 10, y + 96, DARK, 0.9)
    (tw, th), _ = cv2.getTextSize(progress, FONT, 1.6, 3)
    cv2.putText(out, progress, (x, y + th + 6), FONT, 1.6, WHITE, 3, cv2.LINE_AA)
    cv2.putText(out, progress_sub, (x + tw + 14, y + th + 4), FONT, 0.5, GREY, 1, cv2.LINE_AA)
    y += th + 30
    if grade is not None:
        gt, gc = grade
        for line in wrap(gt, inner, 0.5)[:2]:
            cv2.putText(out, line, (x, y + 10), FONT, 0.5, gc, 1, cv2.LINE_AA)
            y += 22
    nxt = next((s for s in STEPS if s.number == step.number + 1), None)
    if nxt is not None:
        cv2.putText(out, f"next: {nxt.title}", (x, H - 44), FONT, 0.45, GREY, 1, cv2.LINE_AA)
    _box(out, w, H - 30, w + PANEL_W, H, DARK, 0.9)
    cv2.putText(out, "PAUSED - p to resume" if paused else KEY_HELP, (x, H - 10), FONT, 0.48,
                AMBER if paused else WHITE, 1, cv2.LINE_AA)
    return out
