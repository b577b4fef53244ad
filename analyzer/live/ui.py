"""The live screen: the (mirrored) camera image with the skeleton, key angles, rep counter, view,
setup guidance, the last rep's verdict, cues, and the keys; plus the OpenCV window.

Drawing is cheap OpenCV primitives on a display copy (~1-2 ms at 640x480): the camera frame
itself is never written to (the recorder encodes it). Colours are BGR here (the display's
order); the frame arrives as RGB and is converted once.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..faults import LABELS
from ..skeleton import EDGES
from .processor import LiveState

GREEN = (90, 200, 60)
AMBER = (0, 180, 255)
RED = (50, 60, 235)
BLUE = (200, 130, 40)
WHITE = (255, 255, 255)
GREY = (180, 180, 180)
DARK = (28, 24, 22)
SEVERITY = {"mild": AMBER, "moderate": AMBER, "severe": RED}
FONT = cv2.FONT_HERSHEY_SIMPLEX
MAX_DISPLAY_SIDE = 960  # larger frames are shown scaled down

# Which skeleton parts turn amber/red for which chain link (as the replay's overlay).
LINK_PARTS = {"foot": ("foot",), "ankle": ("foot", "leg"), "knee": ("leg",), "hip": ("trunk", "leg"), "lumbar": ("trunk",)}

KEYS = "q quit   p pause   b re-baseline   e exercise"
KEY_CODES = {ord("q"): "quit", 27: "quit", ord("p"): "pause", ord(" "): "pause", ord("b"): "baseline",
             ord("e"): "exercise"}

PHASE_TEXT = {"descent": "going down", "ascent": "coming up"}


@dataclass
class Verdict:
    """The last judged rep, as shown: ``lines`` [(text, BGR colour)], shown until ``until``
    (perf_counter seconds); ``links`` {chain link: colour} to tint the skeleton."""

    lines: list[tuple[str, tuple[int, int, int]]]
    until: float
    links: dict[str, tuple[int, int, int]] = field(default_factory=dict)


@dataclass
class Hud:
    """Session-level things the screen shows besides the frame's state."""

    exercise: str = "squat"
    counting: bool = True  # the exercise has a live counter
    fps: float = 0.0
    latency_ms: float = 0.0
    paused: bool = False
    verdict: Verdict | None = None
    notice: str = ""  # a short message (e.g. "baseline cleared")
    notice_until: float = 0.0
    min_amplitude: float = 35.0
    keys: str = KEYS  # the key line at the bottom


def verdict_from(judgement, now: float, hold_s: float = 5.0) -> Verdict:
    """The lines to show for a :class:`~analyzer.live.judge.Judgement`."""
    from ..exercises.catalog import layout

    n = f"{layout(judgement.exercise).title} {judgement.live_index}"  # "Rep 3", "Step 3"
    if judgement.error:
        return Verdict([(f"{n}: not judged ({judgement.error[:60]})", GREY)], now + hold_s)
    if not judgement.confirmed:
        return Verdict([(f"{n}: counted live; the full analysis did not confirm it", GREY)], now + hold_s)
    if not judgement.faults:
        from ..verdict import SETUP_CODES

        judged = [c for c in (judgement.rep or {}).get("judged", []) if c not in SETUP_CODES]
        if not judged:  # nothing measurable from this angle (or the pose was hidden): not a clean rep
            why = next((nj.get("why") for nj in (judgement.rep or {}).get("not_judged", []) if nj.get("why")), "")
            return Verdict([(f"{n}: not judged" + (f" ({why[:48]})" if why else ""), GREY)], now + hold_s)
        if judgement.borderline:
            f = judgement.borderline[0]
            side = f"{f['side']} " if f.get("side") else ""
            return Verdict([(f"{n}: no faults; borderline {side}{LABELS.get(f['code'], f['code'])}", AMBER)],
                           now + hold_s)
        return Verdict([(f"{n}: no faults", GREEN)], now + hold_s)
    order = {"severe": 0, "moderate": 1}
    faults = sorted(judgement.faults, key=lambda f: (order.get(f["severity"], 3), f["onset_s"]))
    lines, links = [], {}
    for f in faults[:2]:
        side = f"{f['side']} " if f.get("side") else ""
        lines.append((f"{n}: {side}{LABELS.get(f['code'], f['code'])} {_value(f)}", SEVERITY.get(f["severity"], AMBER)))
    for f in faults:
        colour = SEVERITY.get(f["severity"], AMBER)
        if links.get(f["link"]) != RED:
            links[f["link"]] = colour
    if len(faults) > 2:
        lines[-1] = (lines[-1][0] + f"  (+{len(faults) - 2} more)", lines[-1][1])
    return Verdict(lines, now + hold_s + 1.0 * len(lines), links)


def _value(f: dict) -> str:
    """'14.2° (limit 10.0°)': the verdict's own wording, rounded so it never contradicts the call."""
    from ..verdict import fmt_pair

    negative = f["threshold"] < 0
    v, th = fmt_pair(abs(f["value"]) if negative else f["value"], abs(f["threshold"]) if negative else f["threshold"],
                     f["unit"], f.get("error_band", 0.0), "fault")
    return f"{v} (limit {th})"


class Renderer:
    """Draws a :class:`LiveState` over a camera frame.

    Args:
        width, height: camera frame size. mirror: flip left-right (a mirror for the person).
    """

    def __init__(self, width: int, height: int, *, mirror: bool) -> None:
        self.mirror = mirror
        k = min(1.0, MAX_DISPLAY_SIDE / max(width, height))
        self.width, self.height = int(round(width * k)), int(round(height * k))
        self.k = k
        self.s = max(0.6, min(self.width, self.height) / 480.0)

    def frame(self, rgb: np.ndarray) -> np.ndarray:
        """The display image (BGR, display size, mirrored if asked) of a camera frame."""
        img = rgb
        if self.k != 1.0:
            img = cv2.resize(img, (self.width, self.height), interpolation=cv2.INTER_AREA)
        if self.mirror:
            img = cv2.flip(img, 1)
        return cv2.cvtColor(img, cv2.COLOR_RGB2BGR)

    def render(self, rgb: np.ndarray, st: LiveState | None, hud: Hud) -> np.ndarray:
        """The full screen for one frame (a new BGR array)."""
        img = self.frame(rgb)
        now = time.perf_counter()
        verdict = hud.verdict if hud.verdict is not None and now <= hud.verdict.until else None
        if st is not None:
            self._skeleton(img, st, verdict)
            self._counter(img, st, hud)
            self._angles(img, st)
            if hud.counting:
                self._gauge(img, st, hud)
            self._view(img, st, hud)
        self._bottom(img, st, hud, verdict, now)
        if st is not None and st.guidance:
            self._banner(img, st.guidance[0].upper() + st.guidance[1:], AMBER, (20, 20, 20))
        if hud.paused:
            self._banner(img, "PAUSED - press p to resume", DARK, WHITE, y_frac=0.5)
        return img

    # --- pieces -----------------------------------------------------------------------------

    def _pt(self, xy: np.ndarray) -> np.ndarray:
        """Frame pixels (..., 2) -> display pixels."""
        p = xy * self.k
        if self.mirror:
            p = np.stack([self.width - 1 - p[..., 0], p[..., 1]], -1)
        return p

    def _skeleton(self, img, st: LiveState, verdict: Verdict | None) -> None:
        if not st.detected:
            return
        p = self._pt(st.xy)
        hot: dict[str, tuple] = {}
        for link, colour in (verdict.links.items() if verdict else ()):
            for part in LINK_PARTS.get(link, ()):
                if hot.get(part) != RED:
                    hot[part] = colour
        lw = max(2, int(round(3 * self.s)))
        ok = np.isfinite(p).all(-1)
        for a, b, part in EDGES:
            if ok[a] and ok[b]:
                colour = hot.get(part, GREEN if part in ("leg", "foot", "trunk") else GREY)
                cv2.line(img, _ip(p[a]), _ip(p[b]), colour, lw, cv2.LINE_AA)
        r = max(2, int(round(4 * self.s)))
        for k in range(11, 33):
            if ok[k]:
                cv2.circle(img, _ip(p[k]), r, WHITE, -1, cv2.LINE_AA)

    def _counter(self, img, st: LiveState, hud: Hud) -> None:
        s = self.s
        x, y = int(10 * s), int(10 * s)
        count = str(st.reps) if hud.counting else "-"
        (w1, h1), _ = cv2.getTextSize(count, FONT, 1.9 * s, max(2, int(4 * s)))
        # The phase comes from the squat's live counter: a foot exercise (counted by re-running
        # its analysis about once a second) has no live phase to show, and is not "standing".
        squat = hud.exercise == "squat"
        phase = PHASE_TEXT.get(st.phase, "") if st.in_rep and squat else ""
        sub = (f"rep {st.in_rep}: {phase}" if st.in_rep and phase
               else ("standing" if st.phase == "standing" and squat else ""))
        (w2, _), _ = cv2.getTextSize(sub, FONT, 0.5 * s, 1)
        w = max(w1 + int(70 * s), w2) + int(20 * s)
        h = h1 + int(44 * s)
        _box(img, x, y, x + w, y + h, DARK, 0.6)
        self._panel_right = x + w
        cv2.putText(img, "REPS", (x + int(10 * s), y + int(24 * s)), FONT, 0.5 * s, GREY, 1, cv2.LINE_AA)
        cv2.putText(img, count, (x + int(62 * s), y + h1 + int(12 * s)), FONT, 1.9 * s, WHITE, max(2, int(4 * s)), cv2.LINE_AA)
        if sub:
            cv2.putText(img, sub, (x + int(10 * s), y + h - int(10 * s)), FONT, 0.5 * s, GREY, 1, cv2.LINE_AA)
        self._panel_bottom = y + h

    def _angles(self, img, st: LiveState) -> None:
        m = st.metrics
        rows = []

        def add(label: str, name: str, fmt=lambda v: f"{v:.0f}°") -> None:
            v = m.get(name, np.nan)
            if np.isfinite(v):
                rows.append((label, fmt(v)))

        if st.view.label == "side":
            add("knee", "knee_flexion")
            add("ankle", "shank_inclination")
            add("hip", "hip_flexion")
            add("trunk", "trunk_lean")
        elif st.view.label in ("front", "rear"):
            inout = lambda v: f"{abs(v):.0f}° {'in' if v > 0 else 'out'}"  # noqa: E731
            add("L knee", "left_knee_valgus", inout)
            add("R knee", "right_knee_valgus", inout)
        if np.isfinite(st.depth) and not any(label == "knee" for label, _ in rows):
            rows.append(("knee 3D", f"{st.depth:.0f}°"))  # the rep counter's depth
        if not rows:
            return
        s = self.s
        x, y = int(10 * s), getattr(self, "_panel_bottom", int(90 * s)) + int(8 * s)
        lh = int(22 * s)
        _box(img, x, y, x + int(140 * s), y + lh * len(rows) + int(10 * s), DARK, 0.5)
        for i, (label, value) in enumerate(rows):
            yy = y + int(20 * s) + i * lh
            cv2.putText(img, label, (x + int(8 * s), yy), FONT, 0.5 * s, GREY, 1, cv2.LINE_AA)
            cv2.putText(img, value, (x + int(72 * s), yy), FONT, 0.55 * s, WHITE, 1, cv2.LINE_AA)

    def _gauge(self, img, st: LiveState, hud: Hud) -> None:
        """A vertical depth bar on the right: fills as the person goes down; the tick marks
        the depth at which a rep counts."""
        if not (np.isfinite(st.depth) and np.isfinite(st.standing)):
            return
        s = self.s
        x1 = self.width - int(14 * s)
        x0 = x1 - int(12 * s)
        y0, y1 = int(self.height * 0.25), int(self.height * 0.75)
        full = 110.0  # degrees of knee bend shown by a full bar
        frac = float(np.clip((st.depth - st.standing) / full, 0, 1))
        _box(img, x0, y0, x1, y1, DARK, 0.5)
        colour = GREEN if st.in_rep else GREY
        cv2.rectangle(img, (x0, y0 + int((1 - frac) * (y1 - y0))), (x1, y1), colour, -1)
        yt = y0 + int((1 - min(hud.min_amplitude / full, 1)) * (y1 - y0))
        cv2.line(img, (x0 - int(4 * s), yt), (x1 + int(2 * s), yt), WHITE, 1)
        (w, h), _ = cv2.getTextSize("depth", FONT, 0.4 * s, 1)
        cv2.putText(img, "depth", (min(x1 - w, (x0 + x1 - w) // 2), y1 + h + int(6 * s)), FONT, 0.4 * s, GREY, 1,
                    cv2.LINE_AA)

    def _view(self, img, st: LiveState, hud: Hud) -> None:
        s = self.s
        v = st.view
        text = f"{v.label} view" if v.label else "view: ?"
        if v.facing in ("left", "right"):
            # The person's facing as the viewer sees it on the (possibly mirrored) screen.
            facing = v.facing if not self.mirror else {"left": "right", "right": "left"}[v.facing]
            text += f", facing {facing}"
        lines = [(hud.exercise.replace("_", " ").upper(), GREY), (text, WHITE)]
        if st.baseline:  # the squat's standing baseline (the foot exercises find their own rest)
            lines.append(("baseline OK", GREEN) if st.baseline == "ok" else ("baseline: stand still", GREY))
        scale = 0.5 * s
        x1 = self.width - int(10 * s)
        room = x1 - getattr(self, "_panel_right", 0) - int(10 * s)
        w = max(cv2.getTextSize(t, FONT, scale, 1)[0][0] for t, _ in lines) + int(16 * s)
        if w > room:  # narrow (portrait) frames: smaller text
            scale *= max(0.6, room / w)
            w = min(w, room)
        lh = int(40 * scale)
        x0, y0 = x1 - w, int(10 * s)
        _box(img, x0, y0, x1, y0 + lh * len(lines) + int(8 * s), DARK, 0.55)
        for i, (t, c) in enumerate(lines):
            cv2.putText(img, t, (x0 + int(8 * s), y0 + int(36 * scale) + i * lh), FONT, scale, c, 1, cv2.LINE_AA)

    def _bottom(self, img, st: LiveState | None, hud: Hud, verdict: Verdict | None, now: float) -> None:
        s = self.s
        bar = int(24 * s)
        _box(img, 0, self.height - bar, self.width, self.height, DARK, 0.7)
        cv2.putText(img, hud.keys, (int(10 * s), self.height - int(8 * s)), FONT, 0.45 * s, WHITE, 1, cv2.LINE_AA)
        perf = f"{hud.fps:.0f} fps  {hud.latency_ms:.0f} ms"
        (w, _), _ = cv2.getTextSize(perf, FONT, 0.45 * s, 1)
        cv2.putText(img, perf, (self.width - w - int(10 * s), self.height - int(8 * s)), FONT, 0.45 * s, GREY, 1, cv2.LINE_AA)
        y = self.height - bar - int(8 * s)
        lines: list[tuple[str, tuple, tuple]] = []  # text, box colour, text colour
        if verdict is not None:
            lines += [(t, c, (20, 20, 20) if c in (AMBER, GREEN, GREY) else WHITE) for t, c in verdict.lines]
        if st is not None and st.cue:
            lines.append((st.cue, BLUE, WHITE))
        if hud.notice and now <= hud.notice_until:
            lines.append((hud.notice, DARK, WHITE))
        if not lines and st is not None and st.hint and not st.guidance:
            lines.append((st.hint, DARK, GREY))
        th = max(1, int(round(1.5 * s)))
        for text, colour, tcol in reversed(lines):
            scale = 0.6 * s
            (w, h), base = cv2.getTextSize(text, FONT, scale, th)
            if w > self.width - int(40 * s):  # narrow (portrait) frames
                scale *= (self.width - int(40 * s)) / w
                (w, h), base = cv2.getTextSize(text, FONT, scale, th)
            y0 = y - h - base - int(12 * s)
            _box(img, int(10 * s), y0, int(10 * s) + w + int(20 * s), y, colour, 0.85)
            cv2.putText(img, text, (int(20 * s), y - base - int(6 * s)), FONT, scale, tcol, th, cv2.LINE_AA)
            y = y0 - int(6 * s)

    def _banner(self, img, text: str, colour, tcol, y_frac: float = 0.42) -> None:
        s = self.s
        scale, th = 0.8 * s, max(2, int(round(2 * s)))
        (w, h), base = cv2.getTextSize(text, FONT, scale, th)
        while w > self.width - 40 and scale > 0.4:
            scale *= 0.9
            (w, h), base = cv2.getTextSize(text, FONT, scale, th)
        x = (self.width - w) // 2
        y = int(self.height * y_frac)
        pad = int(14 * s)
        _box(img, x - pad, y - h - pad, x + w + pad, y + base + pad, colour, 0.85)
        cv2.putText(img, text, (x, y), FONT, scale, tcol, th, cv2.LINE_AA)


def _ip(p: np.ndarray) -> tuple[int, int]:
    return int(round(p[0])), int(round(p[1]))


def _box(img, x0: int, y0: int, x1: int, y1: int, colour, alpha: float) -> None:
    """A translucent filled rectangle (clipped to the image)."""
    h, w = img.shape[:2]
    x0, x1 = max(0, x0), min(w, x1)
    y0, y1 = max(0, y0), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    cv2.addWeighted(roi, 1 - alpha, np.full_like(roi, colour), alpha, 0, dst=roi)


# --- the window -----------------------------------------------------------------------------


class WindowError(Exception):
    """No window can be opened; ``str()`` is one line."""


class Window:
    """The OpenCV window (Qt/GTK/Cocoa/Win32, whatever the OpenCV build has).

    ``show(bgr)`` displays a frame and returns the action of a key pressed ('quit', 'pause',
    'baseline', 'exercise', or what ``keys`` maps it to: {key code: action}, '' to ignore a
    key) or ''; closing the window counts as 'quit'.
    """

    def __init__(self, title: str = "kinetic live", keys: dict[int, str] | None = None) -> None:
        self.keys = {**KEY_CODES, **(keys or {})}
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            raise WindowError("no display to open a window on (set DISPLAY, or run with --no-window)")
        # Qt in the OpenCV wheel complains about missing bundled fonts; it draws nothing with them.
        os.environ.setdefault("QT_LOGGING_RULES", "*.debug=false;qt.qpa.*=false;default.warning=false")
        self.title = title
        try:
            cv2.namedWindow(title, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as exc:
            raise WindowError(f"cannot open a window ({' '.join(str(exc).split())[:120]}); "
                              f"run with --no-window") from None
        self._shown = False

    def show(self, bgr: np.ndarray) -> str:
        cv2.imshow(self.title, bgr)
        self._shown = True
        return self.poll()

    def poll(self) -> str:
        key = cv2.waitKey(1)
        if self._shown:
            try:
                if cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
                    return "quit"
            except cv2.error:
                return "quit"
        return self.keys.get(key & 0xFF, "") if key >= 0 else ""

    def close(self) -> None:
        try:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
        except cv2.error:
            pass
