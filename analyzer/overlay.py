"""Drawing the analysis onto video frames: skeleton coloured by status, angle arcs at the joints,
rep counter with the phase, view badge, and the warning of the moment in a banner.

The per-frame content is planned once from the analysis (:class:`OverlayPlan`, pure numpy);
:func:`draw` only paints (OpenCV for lines and arcs, Pillow for anti-aliased text). Every size
is a fraction of the frame's short side, so the overlay reads the same at 480p and at 1080p
(and after the replay writer scales a phone clip down).

Colours follow the report: green = measured and within its limit, amber = a mild fault (within
the measurement error of its threshold), red = a clear fault; grey = not judged from this view.
"""
from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from .exercises import catalog
from .faults import CUES, Fault
from .verdict import SETUP_CODES
from .report.findings import short_title
from .skeleton import (CHAIN, NOSE, L_ANKLE, L_ELBOW, L_FOOT, L_HEEL, L_HIP, L_KNEE, L_SHOULDER, L_WRIST, R_ANKLE, R_ELBOW,
                       R_FOOT, R_HEEL, R_HIP, R_KNEE, R_SHOULDER, R_WRIST)

# Frames are RGB: colours are RGB.
GREEN = (52, 211, 110)
AMBER = (255, 176, 32)
RED = (239, 68, 68)
WHITE = (255, 255, 255)
GREY = (190, 194, 200)
DARK = (17, 24, 39)
SEVERITY_COLOUR = {"mild": AMBER, "moderate": RED, "severe": RED}
SEVERITY_RANK = {"mild": 1, "moderate": 2, "severe": 3}

# Skeleton segments: (a, b, part, side).
SEGMENTS: tuple[tuple[int, int, str, str | None], ...] = (
    (L_SHOULDER, R_SHOULDER, "shoulders", None), (L_HIP, R_HIP, "hips", None),
    (L_SHOULDER, L_HIP, "trunk", "left"), (R_SHOULDER, R_HIP, "trunk", "right"),
    (L_SHOULDER, L_ELBOW, "arm", "left"), (L_ELBOW, L_WRIST, "arm", "left"),
    (R_SHOULDER, R_ELBOW, "arm", "right"), (R_ELBOW, R_WRIST, "arm", "right"),
    (L_HIP, L_KNEE, "thigh", "left"), (L_KNEE, L_ANKLE, "shank", "left"),
    (L_ANKLE, L_HEEL, "foot", "left"), (L_HEEL, L_FOOT, "foot", "left"), (L_ANKLE, L_FOOT, "foot", "left"),
    (R_HIP, R_KNEE, "thigh", "right"), (R_KNEE, R_ANKLE, "shank", "right"),
    (R_ANKLE, R_HEEL, "foot", "right"), (R_HEEL, R_FOOT, "foot", "right"), (R_ANKLE, R_FOOT, "foot", "right"),
)
LUMBAR_CODES = ("lumbar_rounding", "lumbar_overarch")
JUDGED_PARTS = ("trunk", "hips", "thigh", "shank", "foot")

# Which skeleton parts turn amber/red for which fault (on the fault's side, both if none).
CODE_PARTS = {
    "limited_dorsiflexion": ("shank", "foot"), "heel_lift": ("foot",), "foot_roll": ("foot",),
    "knee_valgus": ("thigh", "shank"), "knee_varus": ("thigh", "shank"), "knee_tracking": ("thigh", "shank"),
    "shallow_depth": ("thigh",), "excessive_trunk_lean": ("trunk", "shoulders"),
    "hip_shift": ("hips", "trunk"), "pelvic_drop": ("hips",), "lumbar_rounding": ("trunk",), "lumbar_overarch": ("trunk",),
}
LINK_PARTS = {"foot": ("foot",), "ankle": ("foot", "shank"), "knee": ("thigh", "shank"), "hip": ("hips", "thigh"),
              "lumbar": ("trunk",)}
PHASE_WORDS = catalog.SQUAT.phases  # the squat's; each exercise's own are in its layout (phase_words)
SHOW_WARNING_S = 1.5  # a warning stays on screen at least this long, to be read
CLEAN_REP_S = 1.0  # "Rep n: clean" shows this long after a rep without faults


@dataclass
class Arc:
    """An angle drawn at a joint: from direction ``a`` to direction ``b`` (unit vectors in image
    coordinates), a dashed reference ray along ``ref`` if given, and a label."""

    joint: int
    a: tuple[float, float]
    b: tuple[float, float]
    text: str
    status: str  # "ok", "warn", "bad" or "info"
    ref: tuple[float, float] | None = None
    label_dir: tuple[float, float] = (1.0, 0.0)
    radius: float = 6.5  # in % of the frame's short side


@dataclass
class FrameInfo:
    """What to draw on one frame (no pixels)."""

    rep_count: int
    in_rep: int  # 1-based index of the rep in progress, 0 if none
    angles: list[tuple[int, str]]  # (landmark id to label, text): the values, for simple overlays
    warnings: list[Fault]
    cue: str
    view: str = ""
    phase: str = ""
    near: str | None = None  # side view: the leg nearer the camera
    parts: dict[tuple[str, str | None], tuple[int, int, int]] = field(default_factory=dict)  # (part, side) -> colour
    arcs: list[Arc] = field(default_factory=list)
    guides: list[tuple[int, int, int, tuple[int, int, int]]] = field(default_factory=list)  # (a, b, joint, colour): dashed a-b line, joint's offset from it
    clean_rep: int = 0  # a rep that just ended without faults (and with something judged)
    notice: str = ""  # e.g. "pose unreliable 1.9-3.0 s: legs hidden" while it applies
    back_text: str = ""  # the lower-back estimate beside the back's outline ("" = none shown)
    back_status: str = "info"
    phase_text: str = ""  # the words under the rep counter: the exercise's own phase name, or its idle word
    unit: tuple[str, str] = ("rep", "reps")  # what one repetition and several are called (the walk: steps)


def phase_words(exercise: str | None) -> tuple[dict[str, str], str]:
    """(phase -> the words the replay shows, the word before the first rep) for an exercise."""
    lay = catalog.layout(exercise)
    return lay.phases, lay.idle


class OverlayPlan:
    """Per-frame overlay content from an analysis.

    Args:
        t: (T,) seconds. xy: (T, 33, 2) pixels (cleaned). series: metric name -> (T,).
        reps: objects with ``start``/``bottom``/``end`` frame indices and ``index``. faults: all faults.
        view_label, facing: the detected view of the video, shown as a badge.
        frame_view: (T,) the view of each frame ('' = none), if known; else ``view_label`` throughout.
        depth: (T,) the rep detector's signal, for the phase (going down / bottom / coming up).
        notices: [(start_s, end_s, text)] shown (grey) while no warning is, e.g. the stretches
            where the pose was unreliable.
    """

    def __init__(self, t, xy, series, reps, faults, view_label: str, facing: str, exercise: str = "squat", *,
                 frame_view=None, depth=None, notices=()) -> None:
        self.t = np.asarray(t, float)
        self.xy = xy
        self.series = series
        self.reps = list(reps)
        self.faults = list(faults)
        self.view_label = view_label
        self.facing = facing
        self.exercise = exercise
        self.notices = list(notices)
        self.layout = catalog.layout(exercise)
        T = len(self.t)
        self.frame_view = np.asarray(frame_view, object) if frame_view is not None else np.full(T, view_label, object)
        self.rep_count = np.zeros(T, int)
        self.in_rep = np.zeros(T, int)
        self.phase = np.full(T, "", object)
        self.clean = np.zeros(T, int)
        faulty = {f.rep for f in self.faults}
        ungraded = 0
        for r in self.reps:
            self.rep_count[r.end:] += 1
            self.in_rep[r.start:r.end + 1] = r.index
            self.phase[r.start:r.bottom] = "descent"
            self.phase[r.bottom:r.end + 1] = "ascent"
            if depth is not None:
                d = np.asarray(depth, float)
                ends = [v for v in (d[r.start], d[min(r.end, T - 1)]) if np.isfinite(v)]
                lo = min(ends) if ends else d[r.bottom]
                level = d[r.bottom] - 0.1 * (d[r.bottom] - lo)
                seg = np.arange(r.start, r.end + 1)
                with np.errstate(invalid="ignore"):
                    self.phase[seg[d[seg] >= level]] = "bottom"
            judged = getattr(r, "judged_codes", None)
            chain = judged is None or any(c not in SETUP_CODES for c in judged)
            if r.index not in faulty and chain:  # "clean" only where something was judged
                t_end = self.t[min(r.end, T - 1)]
                self.clean[(self.t > t_end) & (self.t <= t_end + CLEAN_REP_S)] = r.index
            why = {n.get("why") for n in getattr(r, "not_judged", None) or []}
            if judged is not None and not judged and why == {catalog.FEET_TOO_SMALL}:  # counted, not graded: why
                ungraded += 1
                t_end = self.t[min(r.end, T - 1)]
                self.notices.append((self.t[r.start], t_end + CLEAN_REP_S, f"{self.layout.title} {r.index}: {why.pop()}"))

        # Nothing graded in the whole video (feet too small): the body is grey, not "within limits".
        self.grey = bool(self.reps) and ungraded == len(self.reps)

    def _val(self, name: str, i: int) -> float:
        x = self.series.get(name)
        return float(x[i]) if x is not None and np.isfinite(x[i]) else float("nan")

    def frame(self, i: int) -> FrameInfo:
        t = self.t[i]
        # A warning shows from the frame on screen at its start (times need not fall on frames).
        t_next = self.t[i + 1] if i + 1 < len(self.t) else t + 1e-3
        active = [f for f in self.faults if f.start_s < t_next - 1e-6 and t <= max(f.end_s, f.start_s + SHOW_WARNING_S)]
        active.sort(key=lambda f: (-SEVERITY_RANK.get(f.severity, 0), f.onset_s))
        view = self.frame_view[i] or self.view_label
        near = None
        if np.isfinite(self._val("left_knee_flexion", i)) or np.isfinite(self._val("left_shank_inclination", i)):
            near = "left"
        elif np.isfinite(self._val("right_knee_flexion", i)) or np.isfinite(self._val("right_shank_inclination", i)):
            near = "right"
        info = FrameInfo(int(self.rep_count[i]), int(self.in_rep[i]), self._angles(i), active,
                         CUES.get(active[0].code, "") if active else "", view=view, phase=str(self.phase[i]),
                         near=near if view == "side" else None, clean_rep=int(self.clean[i]))
        info.notice = next((text for a, b, text in self.notices if a <= t <= b), "")
        info.unit = self.layout.unit
        if info.in_rep:
            info.phase_text = self.layout.phases.get(info.phase, "")
        elif info.rep_count == 0:
            info.phase_text = self.layout.idle
        lumbar = self._val("lumbar_curvature", i)
        if np.isfinite(lumbar) and view == "side":
            info.back_text = f"lower back {lumbar:+.0f}° (est.)"
            info.back_status = "bad" if any(f.code in LUMBAR_CODES for f in active) else "info"
        info.parts = self._parts(active)
        if self.grey:
            info.parts = {(part, side): GREY for part in JUDGED_PARTS for side in ("left", "right", None)}
        info.arcs, info.guides = self._arcs(i, info)
        return info

    def _angles(self, i: int) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for ln in self.layout.overlay:  # the exercise's own values (heel height beside the hips)
            v = self._val(ln.series, i)
            if np.isfinite(v):
                at = CHAIN["left"]["ankle"] if ln.series.startswith("left_") else \
                    CHAIN["right"]["ankle"] if ln.series.startswith("right_") else -1
                unit = " %" if ln.scale == 100.0 else "°"
                out.append((at, f"{ln.label} {v * ln.scale:.0f}{unit}"))
        for side in ("left", "right"):
            p = CHAIN[side]
            knee = self._val(f"{side}_knee_flexion", i)
            if np.isfinite(knee):
                out.append((p["knee"], f"knee {knee:.0f}°"))
            shank = self._val(f"{side}_shank_inclination", i)
            if np.isfinite(shank):
                out.append((p["ankle"], f"ankle {shank:.0f}°"))
            valgus = self._val(f"{side}_knee_valgus", i)
            if np.isfinite(valgus):
                out.append((p["knee"], f"{abs(valgus):.0f}° {'in' if valgus > 0 else 'out'}"))
        trunk = self._val("trunk_lean", i)
        if np.isfinite(trunk):
            out.append((-1, f"trunk {trunk:.0f}°"))
        return out

    def _parts(self, active: list[Fault]) -> dict[tuple[str, str | None], tuple[int, int, int]]:
        parts: dict[tuple[str, str | None], tuple[int, int, int]] = {}
        for f in sorted(active, key=lambda f: SEVERITY_RANK.get(f.severity, 0)):  # worst painted last
            colour = SEVERITY_COLOUR.get(f.severity, RED)
            for part in CODE_PARTS.get(f.code, LINK_PARTS.get(f.link, ())):
                for side in ((f.side,) if f.side in ("left", "right") else ("left", "right")):
                    parts[(part, side)] = colour
                if part in ("shoulders", "hips"):
                    parts[(part, None)] = colour
        return parts

    def _status(self, active: list[Fault], codes: tuple[str, ...], side: str | None) -> str:
        hits = [f for f in active if f.code in codes and (side is None or f.side in (None, side))]
        if not hits:
            return "ok"
        return "bad" if max(SEVERITY_RANK.get(f.severity, 2) for f in hits) >= 2 else "warn"

    def _arcs(self, i: int, info: FrameInfo) -> tuple[list[Arc], list[tuple[int, int, int, tuple[int, int, int]]]]:
        xy = self.xy[i]
        arcs: list[Arc] = []
        guides: list[tuple[int, int, int, tuple[int, int, int]]] = []
        up = (0.0, -1.0)

        def unit(a: int, b: int):
            v = xy[b] - xy[a]
            n = float(np.hypot(*v))
            return (float(v[0] / n), float(v[1] / n)) if np.isfinite(n) and n > 1e-6 else None

        if info.view == "side" and info.near:
            side = info.near
            p = CHAIN[side]
            fwd = 1.0 if self.facing == "right" else -1.0 if self.facing == "left" else 0.0
            if fwd == 0.0:
                toe = xy[p["foot"], 0] - xy[p["heel"], 0]
                fwd = 1.0 if toe >= 0 else -1.0
            knee = self._val(f"{side}_knee_flexion", i)
            thigh_dir, shank_dir = unit(p["hip"], p["knee"]), unit(p["knee"], p["ankle"])
            if np.isfinite(knee) and thigh_dir and shank_dir:
                arcs.append(Arc(p["knee"], thigh_dir, shank_dir, f"knee {knee:.0f}°",
                                self._status(info.warnings, ("shallow_depth",), None) if knee > 60 else "info",
                                ref=thigh_dir, label_dir=(fwd, 0.35)))
            shank = self._val(f"{side}_shank_inclination", i)
            ank_up = unit(p["ankle"], p["knee"])
            if np.isfinite(shank) and ank_up:
                arcs.append(Arc(p["ankle"], up, ank_up, f"ankle {shank:.0f}°",
                                self._status(info.warnings, ("limited_dorsiflexion", "heel_lift"), side),
                                ref=up, label_dir=(-fwd, 0.2), radius=9.0))
            trunk = self._val("trunk_lean", i)
            hip = 0.5 * (xy[L_HIP] + xy[R_HIP]) if np.isfinite(xy[[L_HIP, R_HIP]]).all() else xy[p["hip"]]
            sh = xy[p["shoulder"]]
            if np.isfinite(trunk) and np.isfinite(hip).all() and np.isfinite(sh).all():
                v = sh - xy[p["hip"]]
                n = float(np.hypot(*v))
                if n > 1e-6:
                    arcs.append(Arc(p["hip"], up, (float(v[0] / n), float(v[1] / n)), f"trunk {trunk:.0f}°",
                                    self._status(info.warnings, ("excessive_trunk_lean",), None),
                                    ref=up, label_dir=(-fwd, -0.6), radius=8.0))
        elif info.view in ("front", "rear"):
            for side in ("left", "right"):
                p = CHAIN[side]
                valgus = self._val(f"{side}_knee_valgus", i)
                if not np.isfinite(valgus):
                    continue
                st = self._status(info.warnings, ("knee_valgus", "knee_varus", "knee_tracking"), side)
                colour = {"ok": WHITE, "warn": AMBER, "bad": RED}[st]
                guides.append((p["hip"], p["ankle"], p["knee"], colour))
                out = 1.0 if xy[p["knee"], 0] >= 0.5 * (xy[L_HIP, 0] + xy[R_HIP, 0]) else -1.0
                word = "in" if valgus > 0 else "out"
                arcs.append(Arc(p["knee"], (0.0, 0.0), (0.0, 0.0), f"{side[0].upper()} knee {abs(valgus):.0f}° {word}",
                                st, label_dir=(0.55 * out, 0.0)))
        return arcs, guides


# ---------------------------------------------------------------------------------------------
# Text (Pillow: anti-aliased, any size, the degree sign)


def _font_file(bold: bool) -> str | None:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    candidates = []
    spec = importlib.util.find_spec("matplotlib")  # ships DejaVu; found without importing it
    if spec and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            candidates.append(Path(loc) / "mpl-data" / "fonts" / "ttf" / name)
    candidates += [Path("/usr/share/fonts/truetype/dejavu") / name, Path("/usr/share/fonts/TTF") / name,
                   Path("/Library/Fonts") / name]
    for c in candidates:
        if c.is_file():
            return str(c)
    return None


@lru_cache(maxsize=64)
def _font(size: int, bold: bool):
    from PIL import ImageFont

    path = _font_file(bold)
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)  # Pillow's own font (no bold)


@lru_cache(maxsize=2048)
def _text_mask(text: str, size: int, bold: bool = False) -> np.ndarray:
    """(h, w) float32 coverage 0..1 of ``text``; h is the font's line height."""
    from PIL import Image, ImageDraw

    font = _font(size, bold)
    ascent, descent = font.getmetrics()
    left, _, right, _ = font.getbbox(text)
    w, h = max(1, right - min(0, left)), ascent + descent
    img = Image.new("L", (w, h), 0)
    ImageDraw.Draw(img).text((-min(0, left), 0), text, font=font, fill=255)
    return np.asarray(img, np.float32) / 255.0


def _text_width(text: str, size: int, bold: bool = False) -> int:
    return _text_mask(text, size, bold).shape[1]


def _put_text(img: np.ndarray, text: str, x: int, y: int, size: int, colour=WHITE, bold: bool = False) -> tuple[int, int]:
    """Blend ``text`` with its top-left at (x, y); returns (width, height)."""
    mask = _text_mask(text, size, bold)
    h, w = mask.shape
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(img.shape[1], x + w), min(img.shape[0], y + h)
    if x1 > x0 and y1 > y0:
        m = mask[y0 - y:y1 - y, x0 - x:x1 - x, None]
        roi = img[y0:y1, x0:x1].astype(np.float32)
        img[y0:y1, x0:x1] = (roi * (1 - m) + np.array(colour, np.float32) * m).astype(np.uint8)
    return w, h


def _box(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour, alpha: float, radius: int = 0) -> None:
    """A translucent (rounded) rectangle."""
    H, W = img.shape[:2]
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    roi = img[cy0:cy1, cx0:cx1]
    mask = np.zeros(roi.shape[:2], np.uint8)
    r = max(0, min(radius, (x1 - x0) // 2, (y1 - y0) // 2))
    ox, oy = x0 - cx0, y0 - cy0
    w, h = x1 - x0, y1 - y0
    if r:
        cv2.rectangle(mask, (ox + r, oy), (ox + w - r - 1, oy + h - 1), 255, -1)
        cv2.rectangle(mask, (ox, oy + r), (ox + w - 1, oy + h - r - 1), 255, -1)
        for cx, cy in ((ox + r, oy + r), (ox + w - r - 1, oy + r), (ox + r, oy + h - r - 1), (ox + w - r - 1, oy + h - r - 1)):
            cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    else:
        mask[:] = 255
    a = (mask.astype(np.float32) * (alpha / 255.0))[..., None]
    roi[:] = (roi.astype(np.float32) * (1 - a) + np.array(colour, np.float32) * a).astype(np.uint8)


def _wrap(text: str, size: int, width: int, bold: bool = False) -> list[str]:
    words, lines, cur = [w for w in text.split(" ") if w], [], ""  # NBSP (\u00a0) keeps words together
    for word in words:
        trial = f"{cur} {word}".strip()
        if cur and _text_width(trial, size, bold) > width:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines


# ---------------------------------------------------------------------------------------------
# Painting


class _Scale:
    """Sizes as fractions of the frame's short side (u = 1 % of it)."""

    def __init__(self, frame: np.ndarray) -> None:
        self.u = max(3.2, min(frame.shape[:2]) / 100.0)

    def __call__(self, k: float) -> int:
        return max(1, int(round(k * self.u)))


def _pt(p) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def _dashed(img, a, b, colour, thickness, dash: int) -> None:
    a, b = np.asarray(a, float), np.asarray(b, float)
    n = float(np.hypot(*(b - a)))
    if not np.isfinite(n) or n < 1:
        return
    k = max(1, int(n // (2 * dash)))
    for j in range(k + 1):
        s = a + (b - a) * min(1.0, (2 * j * dash) / n)
        e = a + (b - a) * min(1.0, (2 * j * dash + dash) / n)
        cv2.line(img, _pt(s), _pt(e), colour, thickness, cv2.LINE_AA)


STATUS_COLOUR = {"ok": GREEN, "warn": AMBER, "bad": RED, "info": WHITE}


def _arc(img, S: _Scale, xy: np.ndarray, arc: Arc) -> None:
    c = xy[arc.joint]
    if not np.isfinite(c).all() or arc.a == (0.0, 0.0):
        return
    colour = STATUS_COLOUR.get(arc.status, WHITE)
    r = S(arc.radius)
    a1 = math.degrees(math.atan2(arc.a[1], arc.a[0]))
    a2 = math.degrees(math.atan2(arc.b[1], arc.b[0]))
    d = (a2 - a1) % 360.0
    start, end = (a1, a1 + d) if d <= 180 else (a2, a2 + 360.0 - d)
    if arc.ref is not None:
        tip = c + np.array(arc.ref) * r * 1.7
        _dashed(img, c, tip, WHITE, max(1, S(0.35)), S(1.1))
    # A translucent wedge, then its rim.
    x0, y0 = int(c[0]) - r - 2, int(c[1]) - r - 2
    H, W = img.shape[:2]
    if 0 <= x0 and 0 <= y0 and x0 + 2 * r + 4 <= W and y0 + 2 * r + 4 <= H:
        roi = img[y0:y0 + 2 * r + 4, x0:x0 + 2 * r + 4]
        mask = np.zeros(roi.shape[:2], np.uint8)
        cv2.ellipse(mask, (r + 2, r + 2), (r, r), 0, start, end, 255, -1, cv2.LINE_AA)
        a = (mask.astype(np.float32) * (0.38 / 255.0))[..., None]
        roi[:] = (roi.astype(np.float32) * (1 - a) + np.array(colour, np.float32) * a).astype(np.uint8)
    cv2.ellipse(img, _pt(c), (r, r), 0, start, end, colour, max(2, S(0.55)), cv2.LINE_AA)


def _label(img, S: _Scale, anchor, text: str, status: str, direction, used: list) -> None:
    """A pill with a coloured accent beside ``anchor``, pushed clear of earlier labels."""
    if not np.isfinite(np.asarray(anchor, float)).all():
        return
    size = S(3.0)
    w = _text_width(text, size, True)
    h = _text_mask(text, size, True).shape[0]
    pad, accent = S(0.9), S(0.7)
    bw, bh = w + 2 * pad + accent, h + pad
    dx, dy = direction
    gap = S(8.5)
    cx = anchor[0] + dx * gap
    cy = anchor[1] + dy * gap
    x = int(cx if dx >= 0 else cx - bw)
    y = int(cy - bh / 2)
    H, W = img.shape[:2]
    x = max(S(1), min(x, W - bw - S(1)))
    y = max(S(1), min(y, H - bh - S(1)))
    for _ in range(8):
        hit = next((u for u in used if x < u[2] and u[0] < x + bw and y < u[3] and u[1] < y + bh), None)
        if hit is None:
            break
        y = hit[3] + S(0.6) if y + bh / 2 >= (hit[1] + hit[3]) / 2 else hit[1] - bh - S(0.6)
        y = max(S(1), min(y, H - bh - S(1)))
    used.append((x, y, x + bw, y + bh))
    colour = STATUS_COLOUR.get(status, WHITE)
    _box(img, x, y, x + bw, y + bh, DARK, 0.72, radius=S(1.2))
    cv2.rectangle(img, (x + S(0.4), y + S(0.5)), (x + S(0.4) + accent - S(0.2), y + bh - S(0.5)), colour, -1)
    _put_text(img, text, x + accent + pad, y + pad // 2, size, WHITE, bold=True)


def _skeleton(img, S: _Scale, xy: np.ndarray, info: FrameInfo) -> None:
    lw = max(2, S(0.75))
    thin = max(1, S(0.35))
    far = [] if info.near is None else ["right" if info.near == "left" else "left"]
    for a, b, part, side in SEGMENTS:
        if not np.isfinite(xy[[a, b]]).all():
            continue
        if side in far:  # side view: the far leg faintly, for orientation only
            if part in ("thigh", "shank", "trunk"):
                cv2.line(img, _pt(xy[a]), _pt(xy[b]), (150, 154, 160), thin, cv2.LINE_AA)
            continue
        colour = info.parts.get((part, side), GREEN if part in JUDGED_PARTS else GREY)
        width = lw if part in JUDGED_PARTS else thin + 1
        if colour is not GREEN and colour is not GREY:
            width = lw + S(0.25)
        cv2.line(img, _pt(xy[a]), _pt(xy[b]), colour, width, cv2.LINE_AA)
    r = max(2, S(0.7))
    hidden = set()
    if info.near is not None:
        hidden = set(CHAIN["right" if info.near == "left" else "left"].values()) - {L_SHOULDER, R_SHOULDER, L_HIP, R_HIP}
    for k in (L_SHOULDER, R_SHOULDER, L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANKLE, R_ANKLE, L_HEEL, R_HEEL, L_FOOT, R_FOOT):
        if k not in hidden and np.isfinite(xy[k]).all():
            cv2.circle(img, _pt(xy[k]), r, WHITE, -1, cv2.LINE_AA)
            cv2.circle(img, _pt(xy[k]), r, DARK, 1, cv2.LINE_AA)


def _hud(img, S: _Scale, info: FrameInfo, view_label: str, facing: str, total: int | None) -> int:
    """Rep counter (top-left) and view badge (top-right); returns the y below them."""
    m = S(2.2)
    # Rep counter, top-left.
    tot = f"/{total}" if total is not None else ""
    one, many = info.unit[0].capitalize(), info.unit[1].capitalize()
    big = f"{one} {info.in_rep}{tot}" if info.in_rep else f"{info.rep_count}{tot} done" if total else f"{many} {info.rep_count}"
    small = info.phase_text or (PHASE_WORDS.get(info.phase, "") if info.in_rep else  # a FrameInfo made by hand
                                ("standing" if info.rep_count == 0 else ""))
    bs, ss = S(4.6), S(2.7)
    w = max(_text_width(big, bs, True), _text_width(small, ss) if small else 0)
    h = _text_mask(big, bs, True).shape[0] + (_text_mask(small, ss).shape[0] if small else 0)
    pad = S(1.4)
    _box(img, m, m, m + w + 2 * pad, m + h + 2 * pad, DARK, 0.7, radius=S(1.6))
    bottom = m + h + 2 * pad
    _, bh = _put_text(img, big, m + pad, m + pad, bs, WHITE, bold=True)
    if small:
        _put_text(img, small, m + pad, m + pad + bh, ss, (200, 208, 220))
    # View badge, top-right.
    view = info.view or view_label
    title = f"{view.upper()} VIEW" if view else "VIEW ?"
    sub = f"facing {facing}" if view == "side" and facing in ("left", "right") else ""
    ts, us = S(2.7), S(2.3)
    w = max(_text_width(title, ts, True), _text_width(sub, us) if sub else 0)
    h = _text_mask(title, ts, True).shape[0] + (_text_mask(sub, us).shape[0] if sub else 0)
    x1 = img.shape[1] - m
    x0 = x1 - w - 2 * pad
    _box(img, x0, m, x1, m + h + 2 * pad, DARK, 0.7, radius=S(1.6))
    _, th = _put_text(img, title, x0 + pad, m + pad, ts, WHITE, bold=True)
    if sub:
        _put_text(img, sub, x0 + pad, m + pad + th, us, (200, 208, 220))
    return bottom + S(1.5)


def _banner(img, S: _Scale, info: FrameInfo, xy: np.ndarray | None = None, top: int = 0) -> None:
    """The warning of the moment (at most two), or a short "clean" note after a clean rep."""
    H, W = img.shape[:2]
    m = S(2.2)
    pad = S(1.6)
    icon = S(5.2)
    text_w = W - 2 * m - 3 * pad - icon
    items = []
    if info.warnings:
        for k, f in enumerate(info.warnings[:2]):
            colour = SEVERITY_COLOUR.get(f.severity, RED)
            title = warning_title(f)
            cue = CUES.get(f.code, "") if k == 0 else ""
            items.append((colour, title, cue, k == 0))
    elif info.clean_rep:
        items.append((GREEN, f"{info.unit[0].capitalize()} {info.clean_rep}: clean", "", True))
    elif info.notice:
        items.append((GREY, info.notice, "not judged while it lasts", True))
    if not items:
        return
    blocks = []
    for colour, title, cue, main in items:
        ts, cs = (S(3.4), S(2.9)) if main else (S(2.8), 0)
        tl = _wrap(title, ts, text_w, True)[:2]
        cl = _wrap(cue, cs, text_w)[:2] if cue else []
        lh_t = _text_mask("Ag", ts, True).shape[0]
        lh_c = _text_mask("Ag", cs, False).shape[0] if cl else 0
        h = max(icon, len(tl) * lh_t + len(cl) * lh_c) + 2 * pad
        blocks.append((colour, tl, cl, ts, cs, lh_t, lh_c, h))
    total = sum(b[-1] for b in blocks) + S(1.0) * (len(blocks) - 1)
    # At the top, under the counter and the badge (a paused browser player covers the bottom
    # of the picture with its controls), unless the head is there and the feet leave room.
    top = max(top, m)
    at_top = True
    if xy is not None:
        head = xy[[NOSE, L_SHOULDER, R_SHOULDER], 1]
        feet = xy[[L_ANKLE, R_ANKLE, L_HEEL, R_HEEL, L_FOOT, R_FOOT], 1]
        head_y = float(np.nanmin(head)) if np.isfinite(head).any() else None
        feet_y = float(np.nanmax(feet)) if np.isfinite(feet).any() else None
        if head_y is not None and head_y < top + total + S(1.0) and (feet_y is None or feet_y < H - S(12) - total):
            at_top = False
    # Stacked top-down from y (the main warning nearest the frame's edge).
    order = blocks if at_top else list(reversed(blocks))
    y = top if at_top else H - S(10) - total  # clear of a player's controls
    for colour, tl, cl, ts, cs, lh_t, lh_c, h in order:
        y0, y = y, y + h
        x1 = W - m
        if colour is GREEN:  # a short note, not a full-width bar
            x1 = min(W - m, m + 3 * pad + icon + max(_text_width(t, ts, True) for t in tl))
        _box(img, m, y0, x1, y, colour, 0.9, radius=S(1.8))
        # icon: a dark disc with "!" (or a check for a clean rep)
        cx, cy = m + pad + icon // 2, y0 + h // 2
        cv2.circle(img, (cx, cy), icon // 2, DARK, -1, cv2.LINE_AA)
        if colour is GREEN:
            k = icon / 2
            pts = np.array([[cx - 0.45 * k, cy + 0.02 * k], [cx - 0.1 * k, cy + 0.35 * k], [cx + 0.5 * k, cy - 0.35 * k]], np.int32)
            cv2.polylines(img, [pts], False, colour, max(2, S(0.7)), cv2.LINE_AA)
        else:
            bw = max(2, S(0.75))
            cv2.line(img, (cx, cy - int(icon * 0.28)), (cx, cy + int(icon * 0.08)), colour, bw, cv2.LINE_AA)
            cv2.circle(img, (cx, cy + int(icon * 0.25)), max(1, bw // 2 + 1), colour, -1, cv2.LINE_AA)
        tx = m + 2 * pad + icon
        ty = y0 + (h - len(tl) * lh_t - len(cl) * lh_c) // 2
        for line in tl:
            _put_text(img, line, tx, ty, ts, DARK, bold=True)
            ty += lh_t
        for line in cl:
            _put_text(img, line, tx, ty, cs, DARK)
            ty += lh_c
        y += S(1.0)


def warning_title(f: Fault) -> str:
    """'Right ankle: limited dorsiflexion: 29° (needs ≥ 30°)'."""
    return f"{short_title(f.code, f.side)} {short_value(f).replace(' ', chr(0xA0))}"


def short_value(f: Fault) -> str:
    """'29° (needs ≥ 30°)', '12° (limit 10°)', '52% (limit 45%)'."""
    def num(v: float) -> str:
        if f.unit == "deg":
            return f"{v:.0f}°"
        if f.unit == "s":
            return f"{v:.1f} s"
        if f.unit in ("foot", "stance", "torso"):
            return f"{100 * v:.0f}%"
        return f"{v:.2f}"

    if f.code in ("knee_varus", "knee_valgus", "knee_tracking", "foot_roll", "hip_shift", "pelvic_drop"):
        return f"{num(abs(f.value))} (limit {num(abs(f.threshold))})"
    if f.value < f.threshold:
        return f"{num(f.value)} (needs ≥ {num(f.threshold)})"
    return f"{num(f.value)} (limit {num(f.threshold)})"


def _outline(img, S: _Scale, back: np.ndarray, hip: np.ndarray, info: FrameInfo, used: list) -> None:
    """The back's outline (the contour the lower-back estimate reads) and its chord, beside the back."""
    ok = np.isfinite(back).all(axis=1)
    if ok.sum() < 0.8 * len(back):
        return
    pts = back[ok]
    colour = STATUS_COLOUR.get(info.back_status, GREY) if info.back_status == "bad" else (94, 234, 212)
    _dashed(img, pts[0], pts[-1], GREY, max(1, S(0.3)), S(1.0))
    cv2.polylines(img, [np.round(pts).astype(np.int32).reshape(-1, 1, 2)], False, colour, max(2, S(0.5)), cv2.LINE_AA)
    mid = pts[len(pts) // 3]
    behind = float(np.sign(mid[0] - hip[0])) if np.isfinite(hip).all() else 1.0  # the label goes behind the back
    _label(img, S, mid, info.back_text, info.back_status, (behind or 1.0, 0.0), used)


def draw(frame: np.ndarray, xy: np.ndarray, info: FrameInfo, view_label: str, facing: str,
         total_reps: int | None = None, back: np.ndarray | None = None) -> np.ndarray:
    """Paint the overlay on an RGB frame (in place) and return it.

    Args:
        frame: (H, W, 3) uint8 RGB. xy: (33, 2) pixels for this frame (NaN = not drawn).
        info: from :meth:`OverlayPlan.frame`. view_label, facing: the video's view (badge).
        total_reps: shown as "Rep 2/5"; None hides the total.
        back: (N, 2) pixels of the back's outline on this frame (side views), or None.
    """
    S = _Scale(frame)
    xy = np.asarray(xy, float)
    for a, b, joint, colour in info.guides:
        if np.isfinite(xy[[a, b, joint]]).all():
            _dashed(frame, xy[a], xy[b], colour, max(1, S(0.35)), S(1.2))
            # the joint's sideways offset from the line: what the valgus angle measures
            d = xy[b] - xy[a]
            n2 = float(d @ d)
            if n2 > 1:
                foot = xy[a] + d * float((xy[joint] - xy[a]) @ d) / n2
                cv2.line(frame, _pt(foot), _pt(xy[joint]), colour, max(2, S(0.55)), cv2.LINE_AA)
    _skeleton(frame, S, xy, info)
    for arc in info.arcs:
        _arc(frame, S, xy, arc)
    used: list = []
    if back is not None and info.back_text:
        _outline(frame, S, np.asarray(back, float), 0.5 * (xy[L_HIP] + xy[R_HIP]), info, used)
    if info.arcs:
        for arc in info.arcs:
            _label(frame, S, xy[arc.joint], arc.text, arc.status, arc.label_dir, used)
    else:  # a plan without arcs (e.g. an oblique view): plain values beside the joints
        for lm, text in info.angles:
            anchor = 0.5 * (xy[L_HIP] + xy[R_HIP]) if lm < 0 else xy[lm]
            _label(frame, S, anchor, text, "info", (1.0, 0.0), used)
    below_hud = _hud(frame, S, info, view_label, facing, total_reps)
    _banner(frame, S, info, xy, below_hud)
    return frame
