"""Helpers every exercise uses: cleaned landmarks, standing baselines, per-rep windows."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import signals
from ..faults import Fault
from ..track import PoseTrack


@dataclass
class CleanPose:
    """Filtered landmarks of a track.

    xy: (T, 33, 2) pixels, NaN where the landmark was not visible enough (and not in a short gap).
    world: (T, 33, 3) metres, MediaPipe world landmarks, filtered (no visibility gating: the 3D
        model keeps occluded joints plausible, which the rep detector needs).
    t: (T,) seconds. fs: sampling rate used by the filters, frames/s.
    """

    xy: np.ndarray
    world: np.ndarray
    t: np.ndarray
    fs: float


@dataclass
class RepResult:
    """One repetition: 1-based ``index``, frame indices, times in seconds, metrics and faults."""

    index: int
    start: int
    bottom: int
    end: int
    start_s: float
    bottom_s: float
    end_s: float
    complete: bool
    view: str
    metrics: dict[str, float | None]
    faults: list[Fault] = field(default_factory=list)
    root_cause: Fault | None = None
    reason: str = ""
    borderline: list[Fault] = field(default_factory=list)
    not_judged: list[dict] = field(default_factory=list)  # [{code, side, link, why}]
    judged_links: list[str] = field(default_factory=list)
    judged_codes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = dict(index=self.index, start_s=round(self.start_s, 3), bottom_s=round(self.bottom_s, 3),
                 end_s=round(self.end_s, 3), view=self.view,
                 metrics={k: (None if v is None or not np.isfinite(v) else round(float(v), 3)) for k, v in self.metrics.items()},
                 faults=[f.code for f in self.faults],
                 borderline=[f.code for f in self.borderline],
                 judged=list(self.judged_codes), not_judged=list(self.not_judged),
                 root_cause=self.root_cause.code if self.root_cause else None)
        if self.root_cause is not None:
            d["root_cause_side"] = self.root_cause.side
        if not self.complete:
            d["complete"] = False
            d["reason"] = self.reason
        return d


@dataclass
class ExerciseAnalysis:
    """Everything measured in one video of one exercise; what the outputs layer writes or draws.

    exercise: its name ("squat", "heel_raise", ...).
    reps / partial_reps: complete repetitions, and those cut by the video or the frame.
    faults: every fault of every rep. series: per-frame metric series, name -> (T,), NaN where
        the view cannot see it. depth: (T,) the rep detector's signal (``depth_label`` says what
        and in which unit). pose: the cleaned landmarks (for drawing). baselines: standing values
        used. suggestions: foot exercises with why and how. notes: plain-language remarks.
        borderline: findings within the measurement error of their threshold (not faults).
        outline: (T, N, 2) pixels of the back's outline per frame (NaN where not read), or None.
    """

    exercise: str
    reps: list[RepResult]
    partial_reps: list[RepResult]
    faults: list[Fault]
    series: dict[str, np.ndarray]
    depth: np.ndarray
    depth_label: str
    pose: CleanPose
    baselines: dict[str, float]
    suggestions: list[dict]
    notes: list[str]
    borderline: list[Fault] = field(default_factory=list)
    outline: np.ndarray | None = None


def clean_pose(track: PoseTrack, *, cutoff_hz: float = 6.0, max_gap: int = 10, min_visibility: float = 0.5,
               quality=None) -> CleanPose:
    """Visibility gating, pose-quality gating (``quality``: a :class:`~analyzer.quality.PoseQuality`;
    the landmarks of an untrusted group are blanked in that frame), Hampel outlier rejection,
    short-gap filling and zero-phase low-pass."""
    fs = _sampling_rate(track)
    xy = track.xy  # a new array already: blanked in place
    low = ~(np.nan_to_num(track.visibility, nan=0.0) >= min_visibility)
    xy[low] = np.nan
    if quality is not None:
        from ..quality import GROUPS

        # Each group blanks its own landmarks: a leg its hip, knee and ankle; a foot its heel and
        # toe (the ankle is the leg's); the trunk its shoulders (the hips are the legs').
        own = {g: (idx[1:] if g.endswith("_foot") else idx[:2] if g == "trunk" else idx) for g, idx in GROUPS.items()}
        for g, idx in own.items():
            bad = ~quality.ok[g]
            for k in idx:
                xy[bad, k] = np.nan
    xy = signals.clean(xy, fs, cutoff_hz=cutoff_hz, max_gap=max_gap, min_scale=1.0)
    world = signals.clean(track.world.astype(np.float64), fs, cutoff_hz=cutoff_hz, max_gap=max_gap, min_scale=0.005)
    return CleanPose(xy=xy, world=world, t=track.t, fs=fs)


def judge_into(res: RepResult, measurements: list, profile, view: str, not_judged: list[dict] | None = None,
               unit: str = "rep") -> None:
    """Judge a rep's measurements into ``res`` (faults, borderline, root cause, judged links,
    not-judged rules with why). Rules of the profile that got no measurement and are not in
    ``not_judged`` are listed as "not measurable from this view". ``unit``: what one repetition
    is called in the findings' words (rep, step)."""
    from ..faults import root_cause
    from ..verdict import judge_rep

    rules = profile.rules
    # A rule the bench found the camera cannot measure is shown, never judged (profile:
    # judged = false, with why).
    off = {c for c, r in rules.items() if r.options.get("judged", True) is False}
    not_judged = list(not_judged or []) + [dict(code=m.code, side=m.side, why=str(rules[m.code].options.get("why", "not judged")))
                                           for m in measurements if m.code in off]
    measurements = [m for m in measurements if m.code not in off]
    res.faults, res.borderline = judge_rep(measurements, profile, res.index, view, unit)
    res.root_cause = root_cause(res.faults)
    res.judged_links = sorted({rules[m.code].link for m in measurements if m.code in rules}, key=_link_order)
    res.judged_codes = sorted({m.code for m in measurements if m.code in rules})
    measured = {m.code for m in measurements}
    listed = {(n["code"], n.get("side")) for n in (not_judged or [])}
    out = [dict(n, link=rules[n["code"]].link) for n in (not_judged or []) if n["code"] in rules]
    for code, rule in rules.items():
        if code not in measured and not any(c == code for c, _ in listed):
            out.append(dict(code=code, side=None, link=rule.link, why=f"not measurable from a {view} view"))
    res.not_judged = out


def _link_order(link: str) -> int:
    from ..profile import LINKS

    return LINKS.index(link) if link in LINKS else len(LINKS)


def _sampling_rate(track: PoseTrack) -> float:
    """Frames/s from the timestamps (robust to variable frame rate), else the nominal rate."""
    if len(track.t) > 2:
        dt = np.diff(track.t)
        dt = dt[dt > 0]
        if len(dt):
            return float(1.0 / np.median(dt))
    return float(track.fps or 30.0)


def standing_mask(depth: np.ndarray, fraction: float = 0.15, min_frames: int = 3) -> np.ndarray:
    """(T,) bool: frames near the standing level of a depth signal (larger = deeper).

    Standing = within ``fraction`` of the signal's 5-95 % range above its 5th percentile; if
    that leaves fewer than ``min_frames``, the shallowest ``min_frames`` frames.
    """
    finite = np.isfinite(depth)
    if not finite.any():
        return np.zeros(len(depth), bool)
    lo, hi = np.nanpercentile(depth, [5, 95])
    mask = finite & (depth <= lo + fraction * max(hi - lo, 1e-9))
    if mask.sum() < min_frames:
        order = np.argsort(np.where(finite, depth, np.inf))[:min_frames]
        mask = np.zeros(len(depth), bool)
        mask[order] = True
    return mask


def baseline(x: np.ndarray, mask: np.ndarray) -> float:
    """Median of ``x`` over the frames of ``mask`` (NaN if none are finite)."""
    v = x[mask]
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) else float("nan")


def local_baseline(x: np.ndarray, mask: np.ndarray, t: np.ndarray, window_s: float = 2.0) -> np.ndarray:
    """(T,) per-frame baseline: the median of ``x`` over the ``mask`` (standing) frames within
    +-``window_s`` seconds; where there are none, the nearest standing frames' median.

    A local baseline follows slow drift (a person who steps, a camera that creeps, someone who
    walks toward the camera at the end) that one global value would turn into fake changes.
    """
    x = np.asarray(x, np.float64)
    ok = mask & np.isfinite(x)
    if not ok.any():
        return np.full(len(x), np.nan)
    ts, vs = t[ok], x[ok]
    lo = np.searchsorted(ts, t - window_s, side="left")
    hi = np.searchsorted(ts, t + window_s, side="right")
    out = np.empty(len(x))
    for i in range(len(x)):
        a, b = lo[i], hi[i]
        if b <= a:  # no standing frame near: use the closest one on either side
            j = min(max(a, 0), len(ts) - 1)
            a, b = max(0, j - 2), min(len(ts), j + 3)
        out[i] = np.median(vs[a:b])
    return out


def at(x: np.ndarray, i: int, half: int = 2) -> float:
    """Median of ``x`` in a window of +-``half`` frames around frame ``i`` (NaN if none)."""
    w = x[max(0, i - half): i + half + 1]
    w = w[np.isfinite(w)]
    return float(np.median(w)) if len(w) else float("nan")


def peak(x: np.ndarray, start: int, stop: int, mode: str = "max") -> tuple[float, int]:
    """(value, frame) of the max / min / largest-magnitude of ``x[start:stop]``; (NaN, -1) if empty."""
    w = x[start:stop]
    if not np.isfinite(w).any():
        return float("nan"), -1
    if mode == "max":
        k = int(np.nanargmax(w))
    elif mode == "min":
        k = int(np.nanargmin(w))
    else:
        k = int(np.nanargmax(np.abs(w)))
    return float(w[k]), start + k


def first_crossing(x: np.ndarray, start: int, stop: int, threshold: float, direction: str) -> int:
    """First frame in [start, stop) where ``x`` is beyond ``threshold``; -1 if never."""
    w = x[start:stop]
    with np.errstate(invalid="ignore"):
        hit = w >= threshold if direction == "above" else w <= threshold
    idx = np.flatnonzero(hit)
    return start + int(idx[0]) if len(idx) else -1


def last_crossing(x: np.ndarray, start: int, stop: int, threshold: float, direction: str) -> int:
    """Last frame in [start, stop) where ``x`` is beyond ``threshold``; -1 if never."""
    w = x[start:stop]
    with np.errstate(invalid="ignore"):
        hit = w >= threshold if direction == "above" else w <= threshold
    idx = np.flatnonzero(hit)
    return start + int(idx[-1]) if len(idx) else -1
