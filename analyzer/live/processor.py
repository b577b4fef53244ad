"""Causal, frame-by-frame analysis for live mode (pure numpy; no OpenCV, no MediaPipe).

Per frame: One-Euro filtered landmarks, the squat's per-frame metrics (:mod:`.metrics`, the
definitions of ``squat.frame_series``) against the standing reference, the streaming rep
counter (:class:`analyzer.reps.RepCounter`) on the causal depth signal (``squat.depth_signal``
of the filtered world landmarks), the view of the last second, setup guidance, the automatic
standing baseline and short cues during a rep.

Where live differs from ``analyze``: landmarks are smoothed by a causal One-Euro filter instead
of Hampel rejection + a zero-phase Butterworth, so the live depth lags slightly and its peaks
read up to a few degrees shallower (bench/live_latency.py --parity measures it). Each finished
rep is judged by the offline analysis on the buffered raw track (:mod:`.judge`), so the faults
of a rep are analyze's.
"""
from __future__ import annotations

import warnings
from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

from ..faults import CUES
from ..profile import Profile
from ..reps import RepCounter, RepEvent, RepParams
from ..signals import OneEuroFilter
from ..skeleton import (
    L_ANKLE,
    L_FOOT,
    L_HEEL,
    L_HIP,
    L_KNEE,
    L_SHOULDER,
    NOSE,
    R_ANKLE,
    R_FOOT,
    R_HEEL,
    R_HIP,
    R_KNEE,
    R_SHOULDER,
)
from .buffer import TrackBuffer
from .metrics import FrameView, frame_metrics, window_view

# One-Euro settings, tuned on the real clips against the offline zero-phase signals: image
# landmarks in normalised units (fraction of the frame) per second, world landmarks in m/s.
# World: peak depth within ~1 deg of the offline signal and bottoms within a frame or two.
XY_FILTER = dict(min_cutoff=2.0, beta=4.0, d_cutoff=1.0)
WORLD_FILTER = dict(min_cutoff=1.5, beta=10.0, d_cutoff=1.0)
MIN_VISIBILITY = 0.5

VIEW_WINDOW_S = 1.0  # the live view: the last second ...
VIEW_EVERY = 5  # ... re-classified every few frames
GUIDANCE_FRAMES = 8  # setup messages are the majority of the last N frames (no flicker)
STILL_S = 1.0  # the standing baseline is taken after this long standing still
STILL_RANGE = 0.03  # "still": hips, knees, ankles stay within this fraction of body height
REF_FRAMES = 15  # without a baseline, the reference is the median of the last standing frames
CUE_FRAMES = 3  # a cue needs its condition on this many consecutive frames
CUE_HOLD_S = 1.5  # and then stays up at least this long
CUE_DEPTH = 0.6  # cues are judged near the bottom (the offline rules judge the bottom too):
# deeper than this fraction of the expected depth (the previous rep's, or this one's if deeper;
# 80 deg before the first rep). Near standing the knee's lever is short and valgus unstable.
FIRST_REP_DEPTH = 80.0

VIEW_HINTS = {
    "front": "turn sideways to measure your ankles and back",
    "rear": "turn sideways to measure your ankles and back",
    "side": "face the camera to check your knee alignment",
    "oblique": "turn fully sideways, or face the camera",
}

# Fault code -> the live series that shows it during a rep, and whether it needs the still
# baseline (positions relative to standing). The rep's verdict comes from the offline rules.
CUE_SERIES = {
    "knee_valgus": (("left_knee_valgus", "right_knee_valgus"), False),
    "knee_varus": (("left_knee_valgus", "right_knee_valgus"), False),
    "heel_lift": (("heel_lift",), True),
    "excessive_trunk_lean": (("trunk_minus_shank",), False),
    "hip_shift": (("hip_shift",), True),
}


def _squat_depth(world: np.ndarray, xy: np.ndarray, views: np.ndarray) -> float:
    """The newest frame's squat depth from recent filtered history (T, ...): analyze's
    ``depth_signal``, whose picture cue measures the hips' drop against the standing hip-ankle
    distance (a percentile over the history: live sees only the past frames)."""
    from ..exercises.squat import depth_signal

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(depth_signal(world, xy, views)[-1])


# Exercises with a live depth signal: reps are counted and judged as they happen. The others
# (the foot exercises) are counted by analyze's own analysis re-run on the buffered session
# (:mod:`.follow`). "auto" follows the squat's depth until the exercise is detected, so no squat
# is missed meanwhile.
LIVE_DEPTH = {"squat": _squat_depth}
PROVISIONAL = {"auto": "squat"}
DEPTH_HISTORY = 300  # frames of filtered history the depth may look back on (~10 s)


@dataclass
class Baseline:
    """The standing pose taken when the person stood still: ``t`` seconds; ``xy`` (33, 2)
    pixels and ``world`` (33, 3) metres, medians over the still second; ``values``: the standing
    angles derived from it."""

    t: float
    xy: np.ndarray
    world: np.ndarray
    values: dict[str, float] = field(default_factory=dict)


@dataclass
class LiveState:
    """What one processed frame shows (the UI draws it, the loop logs it)."""

    t: float
    detected: bool
    xy: np.ndarray  # (33, 2) filtered pixels, NaN where not visible
    depth: float  # the rep counter's signal (3D knee flexion of the less-bent knee, deg)
    standing: float  # its standing level
    metrics: dict[str, float]
    phase: str  # standing | descent | ascent | ''
    reps: int  # complete reps counted live
    in_rep: int  # 1-based index of the rep in progress, 0 if none
    view: FrameView
    guidance: str  # what to do so the whole body is measured ('' = all in view)
    hint: str  # which view would measure what this one cannot
    baseline: str  # 'ok' | 'waiting' | '' (not used: the foot exercises find their own resting level)
    cue: str  # a short cue during the rep, '' if none
    event: RepEvent | None = None


def setup_message(image: np.ndarray, standing: bool = True) -> str:
    """What the person must do so the whole body is measurable; '' when nothing.

    Args:
        image: (33, 5) MediaPipe image landmarks [x, y, z, visibility, presence], NaN if no
            person. A foot counts when its ankle, heel and toe are inside the frame and visible.
        standing: the person stands (size and position are only judged then).
    """
    if not np.isfinite(image[0, 0]):
        return "step into the view: nobody seen"
    x, y, vis = image[:, 0], image[:, 1], np.nan_to_num(image[:, 3])

    def seen(*ids: int) -> bool:
        ids = list(ids)
        return bool(np.all((x[ids] >= 0) & (x[ids] <= 1) & (y[ids] >= 0) & (y[ids] <= 1)
                           & (vis[ids] >= MIN_VISIBILITY)))

    feet = seen(L_ANKLE, L_HEEL, L_FOOT) or seen(R_ANKLE, R_HEEL, R_FOOT)
    head = y[NOSE] >= 0 and (seen(NOSE) or seen(L_SHOULDER) or seen(R_SHOULDER))
    if not feet and not head:
        return "step back: your whole body must be in view"
    if not feet:
        return "step back: feet not visible"
    if not head:
        return "step back: head not visible"
    if standing:
        height = float(np.max(y[[L_HEEL, R_HEEL, L_FOOT, R_FOOT]]) - y[NOSE])
        if height < 0.4:
            return "come closer: you are small in the picture"
        if not 0.12 <= float(np.mean(x[[L_HIP, R_HIP]])) <= 0.88:
            return "move to the middle of the picture"
    return ""


class LiveProcessor:
    """Causal per-frame processing of one session.

    Args:
        buffer: the session's raw track (frames are appended to it when ``keep``).
        exercise, profile: what is being done and its thresholds.
        view_override: 'front' | 'side' | 'rear' to force the view, None to detect it.
    """

    def __init__(self, buffer: TrackBuffer, exercise: str, profile: Profile, *, view_override: str | None = None) -> None:
        self.buffer = buffer
        self.size = np.array([buffer.width, buffer.height], np.float64)
        self.view_override = view_override
        self._xy_filter = OneEuroFilter(**XY_FILTER)
        self._world_filter = OneEuroFilter(**WORLD_FILTER)
        self._messages: deque[str] = deque(maxlen=GUIDANCE_FRAMES)
        self._still: deque[tuple[float, np.ndarray, np.ndarray]] = deque()
        self._standing_xy: deque[np.ndarray] = deque(maxlen=REF_FRAMES)
        self._history: deque[tuple[np.ndarray, np.ndarray, str]] = deque(maxlen=DEPTH_HISTORY)
        self.baseline: Baseline | None = None
        self.baselines_taken: list[Baseline] = []
        self.view = FrameView()
        self._cue = ("", -np.inf)
        self._cue_run: Counter[str] = Counter()
        self.frames = 0
        self.set_exercise(exercise, profile)

    # --- controls -------------------------------------------------------------------------

    def set_exercise(self, exercise: str, profile: Profile) -> None:
        """Switch exercise: a fresh rep counter with that exercise's thresholds."""
        self.exercise, self.profile = exercise, profile
        self.depth_fn = LIVE_DEPTH.get(PROVISIONAL.get(exercise, exercise))
        self._last_peak = float("nan")
        params = RepParams(min_amplitude=profile.value("reps", "min_amplitude_deg", RepParams.min_amplitude))
        self.counter = RepCounter(params)
        self._cue_run.clear()

    def adopt(self, exercise: str, profile: Profile) -> None:
        """``--exercise auto`` found the exercise it was following provisionally (the squat):
        keep the rep counter and its reps, take the exercise's name and thresholds."""
        if LIVE_DEPTH.get(exercise) is not self.depth_fn:
            return self.set_exercise(exercise, profile)
        self.exercise, self.profile = exercise, profile

    def request_baseline(self) -> None:
        """Forget the standing baseline; a new one is taken at the next still second."""
        self.baseline = None
        self._still.clear()

    # --- per frame ------------------------------------------------------------------------

    def update(self, t: float, image: np.ndarray, world: np.ndarray, *, keep: bool = True) -> LiveState:
        """Process one frame: ``t`` seconds (capture time), MediaPipe ``image`` (33, 5) and
        ``world`` (33, 3) arrays (NaN if no person). ``keep`` adds it to the session track."""
        if keep:
            self.buffer.append(t, image, world)
        detected = bool(np.isfinite(image[0, 0]))
        norm = image[:, :2].astype(np.float64)
        norm[~(np.nan_to_num(image[:, 3]) >= MIN_VISIBILITY)] = np.nan
        xy = self._xy_filter(norm, t) * self.size
        wf = self._world_filter(world.astype(np.float64), t)

        depth, event = float("nan"), None
        self._history.append((xy, wf, self.view.label))
        if self.depth_fn is not None:
            # The recent history in every view, as analyze: the picture's hip drop (against the
            # standing hip-ankle distance of that history) confirmed by the 3D knees, which alone
            # read 55-80 % of the bend (live peaks were 28 deg short of analyze's).
            hxy, hw, hv = zip(*self._history)
            depth = self.depth_fn(np.array(hw), np.array(hxy), np.array(hv, dtype=object))
            event = self.counter.update(t, depth)
            if event is not None and event.rep.complete:
                self._last_peak = event.peak
        phase = self.counter.phase
        if self.frames % VIEW_EVERY == 0 and len(self.buffer):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                self.view = window_view(self.buffer.window(t - VIEW_WINDOW_S, t), self.view_override)
        self.frames += 1

        self._messages.append(setup_message(image, standing=phase in ("standing", "")))
        guidance = Counter(self._messages).most_common(1)[0][0]
        standing_now = detected and phase == "standing"
        if standing_now:
            self._standing_xy.append(xy)
        self._watch_stillness(t, xy, wf, standing_now and guidance == "")
        metrics = frame_metrics(xy, self.reference(xy), self.view) if detected and self.depth_fn else {}
        cue = self._update_cue(t, metrics, depth)
        in_rep = self.counter.count + 1 if self.counter.in_rep or phase == "descent" else 0
        hint = VIEW_HINTS.get(self.view.label, "") if self.exercise == "squat" and not in_rep else ""
        return LiveState(t=t, detected=detected, xy=xy, depth=depth, standing=self.counter.standing,
                         metrics=metrics, phase=phase, reps=self.counter.count, in_rep=in_rep, view=self.view,
                         guidance=guidance, hint=hint,
                         baseline=("ok" if self.baseline is not None else "waiting") if self.exercise in LIVE_DEPTH else "",
                         cue=cue, event=event)

    def finish(self) -> RepEvent | None:
        """The session ends: a rep in progress as an incomplete event."""
        return self.counter.finish()

    def reference(self, xy: np.ndarray) -> np.ndarray:
        """The standing reference pose (33, 2): the still baseline if taken, else the median of
        the latest standing frames (like analyze's local standing baseline), else ``xy``."""
        if self.baseline is not None:
            return self.baseline.xy
        if self._standing_xy:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                return np.nanmedian(np.array(self._standing_xy), 0)
        return xy

    # --- internals ------------------------------------------------------------------------

    def _watch_stillness(self, t: float, xy: np.ndarray, wf: np.ndarray, ok: bool) -> None:
        """Take the standing baseline after STILL_S seconds of standing still in full view."""
        if self.baseline is not None:
            return
        if not ok:
            self._still.clear()
            return
        self._still.append((t, xy, wf))
        while self._still[0][0] < t - STILL_S:
            self._still.popleft()
        if len(self._still) < 5 or t - self._still[0][0] < 0.8 * STILL_S:
            return
        pts = np.array([s[1] for s in self._still])  # (n, 33, 2)
        joints = pts[:, [L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANKLE, R_ANKLE]].reshape(len(pts), -1)
        with warnings.catch_warnings(), np.errstate(invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            body = np.nanmax(pts[-1, [L_HEEL, R_HEEL, L_FOOT, R_FOOT], 1]) - pts[-1, NOSE, 1]
            moved = np.nanmax(np.nanmax(joints, 0) - np.nanmin(joints, 0))
            if not (np.isfinite(body) and body > 0 and np.isfinite(moved)) or moved > STILL_RANGE * body:
                return
            xy0 = np.nanmedian(pts, 0)
            w0 = np.nanmedian(np.array([s[2] for s in self._still]), 0)
        values = {k: v for k, v in frame_metrics(xy0, xy0, self.view).items() if np.isfinite(v)}
        self.baseline = Baseline(t=t, xy=xy0, world=w0, values=values)
        self.baselines_taken.append(self.baseline)

    def _update_cue(self, t: float, metrics: dict[str, float], depth: float) -> str:
        text, until = self._cue
        c = self.counter
        expected = max(c.peak, self._last_peak if np.isfinite(self._last_peak) else c.standing + FIRST_REP_DEPTH)
        if c.in_rep and metrics and depth >= c.standing + CUE_DEPTH * (expected - c.standing):
            for code, (names, needs_base) in CUE_SERIES.items():
                rule = self.profile.rules.get(code)
                if rule is None or code not in CUES or (needs_base and self.baseline is None):
                    continue
                vals = [metrics.get(n, np.nan) for n in names]
                vals = [abs(v) if code == "hip_shift" else v for v in vals if np.isfinite(v)]
                # Calm: only clear cases, half an error band beyond the threshold.
                margin = 0.5 * rule.error_band * (1 if rule.direction == "above" else -1)
                hit = any(rule.crossed(v - margin) for v in vals)
                self._cue_run[code] = self._cue_run[code] + 1 if hit else 0
                if self._cue_run[code] >= CUE_FRAMES:
                    text, until = CUES[code], t + CUE_HOLD_S
                    break
        else:
            self._cue_run.clear()
        self._cue = (text, until)
        return text if t <= until else ""
