"""Drawing the analysis onto video frames (OpenCV): skeleton coloured by status, key angles at
their joints, rep counter, view badge and the warning of the moment.

The per-frame content is planned once from the analysis (:class:`OverlayPlan`, pure numpy);
:func:`draw` only paints. Sizes scale with the frame so the overlay reads at 480p and 1080p.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .faults import CUES, LABELS, Fault
from .skeleton import CHAIN, EDGES, L_HIP, L_SHOULDER, R_HIP, R_SHOULDER

# BGR is OpenCV's order, but frames here are RGB: colours are given as RGB.
GREEN = (60, 200, 90)
AMBER = (255, 180, 0)
RED = (235, 60, 50)
WHITE = (255, 255, 255)
GREY = (170, 170, 170)
DARK = (20, 20, 24)
SEVERITY_COLOUR = {"mild": AMBER, "moderate": AMBER, "severe": RED}

# Which skeleton parts turn amber/red for which chain link.
LINK_PARTS = {"foot": ("foot",), "ankle": ("foot", "leg"), "knee": ("leg",), "hip": ("trunk", "leg"), "lumbar": ("trunk",)}


@dataclass
class FrameInfo:
    """What to draw on one frame (no pixels)."""

    rep_count: int
    in_rep: int  # 1-based index of the rep in progress, 0 if none
    angles: list[tuple[int, str]]  # (landmark id to label, text)
    warnings: list[Fault]
    cue: str


class OverlayPlan:
    """Per-frame overlay content from an analysis.

    Args:
        t: (T,) seconds. xy: (T, 33, 2) pixels (cleaned). series: metric name -> (T,).
        reps: objects with start/end frame indices and ``index``. faults: all faults.
        view_label, facing: the detected view, shown as a badge.
    """

    def __init__(self, t, xy, series, reps, faults, view_label: str, facing: str, exercise: str = "squat") -> None:
        self.t = np.asarray(t)
        self.xy = xy
        self.series = series
        self.reps = reps
        self.faults = faults
        self.view_label = view_label
        self.facing = facing
        self.exercise = exercise
        T = len(self.t)
        self.rep_count = np.zeros(T, int)
        self.in_rep = np.zeros(T, int)
        for r in reps:
            self.rep_count[r.end:] += 1
            self.in_rep[r.start:r.end + 1] = r.index

    def frame(self, i: int) -> FrameInfo:
        t = self.t[i]
        # A warning shows while it applies, and at least 1.5 s so it can be read.
        active = [f for f in self.faults if f.start_s - 1e-6 <= t <= max(f.end_s, f.start_s + 1.5)]
        active.sort(key=lambda f: ({"severe": 0, "moderate": 1, "mild": 2}[f.severity], f.onset_s))
        return FrameInfo(int(self.rep_count[i]), int(self.in_rep[i]), self._angles(i), active,
                         CUES.get(active[0].code, "") if active else "")

    def _angles(self, i: int) -> list[tuple[int, str]]:
        s = self.series
        out: list[tuple[int, str]] = []

        def val(name: str) -> float:
            x = s.get(name)
            return float(x[i]) if x is not None and np.isfinite(x[i]) else float("nan")

        for side in ("left", "right"):
            p = CHAIN[side]
            knee = val(f"{side}_knee_flexion")
            if np.isfinite(knee):
                out.append((p["knee"], f"knee {knee:.0f}°"))
            shank = val(f"{side}_shank_inclination")
            if np.isfinite(shank):
                out.append((p["ankle"], f"ankle {shank:.0f}°"))
            valgus = val(f"{side}_knee_valgus")
            if np.isfinite(valgus):
                word = "in" if valgus > 0 else "out"
                out.append((p["knee"], f"{abs(valgus):.0f}° {word}"))
        trunk = val("trunk_lean")
        if np.isfinite(trunk):
            out.append((-1, f"trunk {trunk:.0f}°"))
        return out


def _scale(frame: np.ndarray) -> float:
    return max(0.45, min(frame.shape[:2]) / 720.0)


def _text(img, text, org, scale, colour=WHITE, thickness=None, bg=DARK, alpha=0.65, anchor="tl"):
    """Text on a translucent box; ``anchor`` 'tl' top-left or 'tr' top-right of ``org``."""
    font = cv2.FONT_HERSHEY_SIMPLEX
    th = thickness or max(1, int(round(2 * scale)))
    (w, h), base = cv2.getTextSize(text, font, 0.8 * scale, th)
    pad = int(6 * scale)
    x, y = int(org[0]), int(org[1])
    if anchor == "tr":
        x -= w + 2 * pad
    x = max(0, min(x, img.shape[1] - w - 2 * pad))
    y = max(0, min(y, img.shape[0] - h - base - 2 * pad))
    x1, y1 = x + w + 2 * pad, y + h + base + 2 * pad
    roi = img[y:y1, x:x1]
    roi[:] = (roi * (1 - alpha) + np.array(bg) * alpha).astype(np.uint8)
    cv2.putText(img, text, (x + pad, y + pad + h), font, 0.8 * scale, colour, th, cv2.LINE_AA)
    return x1, y1


def draw(frame: np.ndarray, xy: np.ndarray, info: FrameInfo, view_label: str, facing: str, total_reps: int | None = None) -> np.ndarray:
    """Paint the overlay on an RGB frame (in place) and return it.

    Args:
        frame: (H, W, 3) uint8 RGB. xy: (33, 2) pixels for this frame (NaN = not drawn).
    """
    s = _scale(frame)
    hot: dict[str, tuple[int, int, int]] = {}
    for f in info.warnings:
        for part in LINK_PARTS.get(f.link, ()):
            if hot.get(part) != RED:
                hot[part] = SEVERITY_COLOUR[f.severity]
    lw = max(2, int(round(3 * s)))
    for a, b, part in EDGES:
        if np.isfinite(xy[[a, b]]).all():
            colour = hot.get(part, GREEN if part in ("leg", "foot", "trunk") else GREY)
            cv2.line(frame, tuple(np.int32(xy[a])), tuple(np.int32(xy[b])), colour, lw, cv2.LINE_AA)
    for k in range(11, 33):
        if np.isfinite(xy[k]).all():
            cv2.circle(frame, tuple(np.int32(xy[k])), max(2, int(4 * s)), WHITE, -1, cv2.LINE_AA)

    # Angle labels beside their joints (the trunk's at the mid-hip).
    used: list[tuple[int, int]] = []
    for lm, text in info.angles:
        if lm < 0:
            p = 0.25 * (xy[L_HIP] + xy[R_HIP] + xy[L_SHOULDER] + xy[R_SHOULDER])  # mid-torso
        else:
            p = xy[lm]
        if not np.isfinite(p).all():
            continue
        org = (int(p[0] + 12 * s), int(p[1] - 10 * s))
        while any(abs(org[1] - u[1]) < 26 * s and abs(org[0] - u[0]) < 120 * s for u in used):
            org = (org[0], int(org[1] + 28 * s))
        used.append(org)
        _text(frame, text, org, 0.75 * s, alpha=0.55)

    # Rep counter (top-left), view badge (top-right).
    reps = f"Reps {info.rep_count}" + (f"/{total_reps}" if total_reps is not None else "")
    _, y = _text(frame, reps, (int(12 * s), int(12 * s)), 1.2 * s)
    if info.in_rep:
        _text(frame, f"rep {info.in_rep} in progress", (int(12 * s), y + int(4 * s)), 0.7 * s, colour=GREY)
    badge = f"{view_label} view" + (f", facing {facing}" if facing in ("left", "right") else "")
    _text(frame, badge, (frame.shape[1] - int(12 * s), int(12 * s)), 0.8 * s, anchor="tr")

    # Warning banner (bottom), most severe first; at most two lines.
    y = frame.shape[0] - int(12 * s)
    for f in reversed(info.warnings[:2]):
        side = f"{f.side} " if f.side else ""
        text = f"! {side}{LABELS.get(f.code, f.code)}: {_short_value(f)}"
        if f is info.warnings[0] and info.cue:
            text += f" - {info.cue}"
        (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.8 * 0.9 * s, max(1, int(round(2 * s))))
        y -= h + base + int(12 * s)
        _text(frame, text, (int(12 * s), y), 0.9 * s, colour=WHITE, bg=SEVERITY_COLOUR[f.severity], alpha=0.8)
    return frame


def _short_value(f: Fault) -> str:
    if f.unit == "deg":
        return f"{f.value:.0f}° (limit {f.threshold:.0f}°)"
    return f"{100 * f.value:.0f}% (limit {100 * f.threshold:.0f}%)"
