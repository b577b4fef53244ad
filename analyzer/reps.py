"""Repetition segmentation from a depth signal (pure numpy/scipy).

A repetition is a descent from standing to a bottom and the return: a peak of a "depth" signal
(e.g. knee flexion in degrees) that rises at least ``min_amplitude`` above the standing level on
both sides. Small pulses (bounces at the bottom, fidgeting at the top) have too little
prominence; walking in and out of frame bends one knee at a time, which the squat's depth signal
(the *less* bent knee) does not show. The offline version sees the whole recording; the
streaming one (:class:`RepCounter`) decides causally, for live use.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from .signals import runs


@dataclass
class Rep:
    """One repetition as frame indices into the track, and whether it was seen whole.

    ``start``: last frame at standing before the descent; ``bottom``: deepest frame;
    ``end``: first frame back at standing (the last frame seen if ``complete`` is False).
    """

    start: int
    bottom: int
    end: int
    complete: bool = True
    reason: str = ""


@dataclass(frozen=True)
class RepParams:
    """Thresholds of the segmentation, in the depth signal's units (degrees for knee flexion).

    min_amplitude: a rep must rise this far above standing on both sides.
    return_fraction: start/end are where the signal is within this fraction of the amplitude
        from the standing level.
    standing_tolerance: a complete rep starts and ends within this fraction of its depth above
        the standing level (the video's 5th percentile of the signal): a rep that stops a quarter
        of the way short of standing (an incomplete lockout) is still a rep.
    min_duration_s, max_duration_s: plausible rep durations.
    max_gap_s: a gap in the signal (person out of frame) longer than this splits the recording,
    max_hidden_bottom_s: ... unless it is no longer than this and the signal is deep on both
        sides of it (more than half ``min_amplitude`` above standing): the person was lost at the
        bottom of a rep (a barbell's plates over the body), not out of the frame.
    """

    min_amplitude: float = 35.0
    return_fraction: float = 0.15
    standing_tolerance: float = 0.5
    min_duration_s: float = 0.5
    max_duration_s: float = 20.0
    max_gap_s: float = 0.5
    max_hidden_bottom_s: float = 2.0


def find_reps(t: np.ndarray, depth: np.ndarray, params: RepParams = RepParams()) -> list[Rep]:
    """Segment repetitions.

    Args:
        t: (T,) seconds. depth: (T,) depth signal, larger = deeper, NaN where unmeasured.
    Returns:
        Reps in time order; incomplete ones (the video starts or ends mid-rep, or the person
        leaves the frame) have ``complete=False`` and a reason.
    """
    t = np.asarray(t, np.float64)
    depth = np.asarray(depth, np.float64)
    reps: list[Rep] = []
    for start, stop in _segments(t, depth, params):
        x = depth[start:stop]
        reps.extend(_reps_in_segment(t[start:stop], x, params, start, is_last=stop == len(t),
                                     is_first=start == 0))
    return reps


def _segments(t: np.ndarray, x: np.ndarray, p: RepParams) -> list[tuple[int, int]]:
    """Finite stretches of ``x``, joining those separated by gaps shorter than ``max_gap_s`` (or
    than ``max_hidden_bottom_s`` when both edges of the gap are deep in a rep)."""
    pieces = runs(np.isfinite(x))
    deep = float(np.nanpercentile(x, 5)) + 0.5 * p.min_amplitude if np.isfinite(x).any() else np.inf
    merged: list[list[int]] = []
    for a, b in pieces:
        if merged:
            end = merged[-1][1] - 1
            gap = t[a] - t[end]
            # Hidden deep in one rep: deep on both sides, and not rising before the gap *and*
            # going down after it (only that pair of edges leaves room for a stand between two
            # reps). Either edge alone may point the wrong way: the last frame before the plates
            # cover the legs often reads shallower (barbell clips drawn with seed 3003: 8 deg
            # shallower three frames before a 0.5 s hidden bottom, which split the rep in two
            # halves neither of which counted).
            before = x[end] - x[max(merged[-1][0], end - 3)]
            after = x[min(b - 1, a + 3)] - x[a]
            hidden_bottom = (gap <= p.max_hidden_bottom_s and x[end] > deep and x[a] > deep
                             and not (before < 0 and after > 0))
            if gap <= p.max_gap_s or hidden_bottom:
                merged[-1][1] = b
                continue
        merged.append([a, b])
    return [(a, b) for a, b in merged if b - a >= 3]


def _reps_in_segment(t, x, p: RepParams, offset: int, is_first: bool, is_last: bool) -> list[Rep]:
    xf = _interp_nan(x)
    standing = float(np.nanpercentile(xf, 5))
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1 / 30
    # Pad both ends at the standing level so a rep cut by the start or end of the video still
    # stands out as a peak (it is then reported as incomplete, not silently dropped).
    padded = np.concatenate([[standing], xf, [standing]])
    peaks, _ = find_peaks(padded, prominence=p.min_amplitude, distance=max(1, int(p.min_duration_s / dt / 2)))
    peaks = _merge_plateau_peaks(xf, peaks - 1, 0.5 * p.min_amplitude, standing, p.standing_tolerance)
    reps: list[Rep] = []
    for k, peak in enumerate(peaks):
        lo = peaks[k - 1] if k > 0 else 0
        hi = peaks[k + 1] if k + 1 < len(peaks) else len(xf) - 1
        left_base = lo + int(np.argmin(xf[lo:peak + 1]))
        right_base = peak + int(np.argmin(xf[peak:hi + 1]))
        amp_left = xf[peak] - xf[left_base]
        amp_right = xf[peak] - xf[right_base]
        if xf[peak] - standing < p.min_amplitude:
            continue
        start = _last_below(xf, left_base, peak, xf[left_base] + p.return_fraction * amp_left)
        end = _first_below(xf, peak, right_base, xf[right_base] + p.return_fraction * amp_right)
        complete, reason = True, ""
        stand_level = standing + p.standing_tolerance * (xf[peak] - standing)
        # Where the signal is cut (the person left or came into the frame), a rep counts only if
        # it was seen nearly standing: stopping short is a lockout fault only when we saw it stop.
        cut_level = standing + 0.5 * p.standing_tolerance * (xf[peak] - standing)
        left_level = cut_level if left_base == 0 and not is_first else stand_level
        right_level = cut_level if right_base == len(xf) - 1 and not is_last else stand_level
        if amp_left < p.min_amplitude or xf[left_base] > left_level:
            complete, reason = False, "the video starts during this rep" if left_base == 0 else "did not start from standing"
        elif amp_right < p.min_amplitude or xf[right_base] > right_level:
            complete = False
            reason = "the video ends before the person stands up" if right_base == len(xf) - 1 else "did not return to standing"
            end = len(xf) - 1 if right_base == len(xf) - 1 else end
        duration = t[end] - t[start]
        if complete and not (p.min_duration_s <= duration <= p.max_duration_s):
            continue
        if not complete and right_base == len(xf) - 1 and not is_last:
            reason = "the person left the frame during this rep"
        if not complete and left_base == 0 and not is_first and amp_right >= p.min_amplitude:
            reason = "the person came into the frame during this rep"
        reps.append(Rep(offset + start, offset + int(peak), offset + end, complete, reason))
    return reps


def _merge_plateau_peaks(x: np.ndarray, peaks: np.ndarray, dip: float, standing: float = -np.inf,
                         tolerance: float = 0.0) -> np.ndarray:
    """Peaks not separated by a dip of at least ``dip`` are one bottom (a flat or capped bottom
    can give find_peaks two equal maxima with full prominence each), and so are peaks whose dip
    stays deeper than a rep may end (``tolerance`` of the lower peak's depth above ``standing``):
    a bottom that MediaPipe reads jumping up and down under a barbell's plates is one rep, not
    two halves that each "did not return to standing". The higher peak stays."""
    out: list[int] = []
    for k in peaks:
        if out:
            low = float(np.min(x[out[-1]:k + 1]))
            lower_peak = min(x[out[-1]], x[k])
            if low > lower_peak - dip or low > standing + tolerance * (lower_peak - standing):
                if x[k] > x[out[-1]]:
                    out[-1] = int(k)
                continue
        out.append(int(k))
    return np.asarray(out, dtype=int)


def _interp_nan(x: np.ndarray) -> np.ndarray:
    bad = ~np.isfinite(x)
    if not bad.any():
        return x
    idx = np.arange(len(x))
    out = x.copy()
    out[bad] = np.interp(idx[bad], idx[~bad], x[~bad])
    return out


def _last_below(x: np.ndarray, lo: int, hi: int, level: float) -> int:
    """Last index in [lo, hi] with x <= level (lo if none)."""
    idx = np.flatnonzero(x[lo:hi + 1] <= level)
    return lo + int(idx[-1]) if len(idx) else lo


def _first_below(x: np.ndarray, lo: int, hi: int, level: float) -> int:
    """First index in [lo, hi] with x <= level (hi if none)."""
    idx = np.flatnonzero(x[lo:hi + 1] <= level)
    return lo + int(idx[0]) if len(idx) else hi


# --- streaming -----------------------------------------------------------------------------------


@dataclass
class RepEvent:
    """A repetition the streaming counter has just closed.

    ``rep`` holds frame numbers counted from the counter's first :meth:`RepCounter.update` call
    (one per frame, NaN frames included); the times are the ``t`` values given for those frames.
    ``peak`` and ``standing`` are in the depth signal's units.
    """

    rep: Rep
    start_s: float
    bottom_s: float
    end_s: float
    peak: float
    standing: float


class RepCounter:
    """Causal repetition segmentation: :func:`find_reps` one sample at a time, for live use.

    Feed one (time, depth) sample per frame to :meth:`update`; it returns a :class:`RepEvent`
    on the frame a repetition ends (back within ``return_fraction`` of its amplitude from the
    standing level), else None. The same :class:`RepParams` and the same definitions as the
    offline segmentation, with two things it cannot know yet replaced by what it has seen:

    * the standing level: offline, the 5th percentile of the whole stretch; here the 5th
      percentile of the last ``standing_window_s`` seconds outside repetitions;
    * the end: offline, the first frame within ``return_fraction`` of the amplitude above the
      minimum *after* the bottom; here above the standing level (the same frame when the person
      returns to their usual standing).

    A rep is entered once the signal rises ``min_amplitude`` above standing; its start is then
    found in the buffered history exactly as offline. A gap longer than ``max_gap_s`` (person out
    of frame) ends a rep in progress as incomplete and restarts the standing estimate.
    """

    def __init__(self, params: RepParams = RepParams(), standing_window_s: float = 10.0) -> None:
        self.params = params
        self.standing_window_s = standing_window_s
        self._t: list[float] = []
        self._x: list[float] = []
        self._rest_t: list[float] = []  # recent samples outside reps: the standing estimate
        self._rest_x: list[float] = []
        self._last_finite_t: float | None = None
        self._segment_start = 0  # first frame of the current finite stretch
        self._after_rep = 0  # the previous rep's end (or the stretch start): left search bound
        self._peak_i = -1  # frame of the deepest sample of the rep in progress, -1 if none
        self._finishing = False  # a rep just ended and the person is still rising
        self.standing = float("nan")
        self.count = 0  # complete reps so far

    # --- state for display ---------------------------------------------------------------

    @property
    def in_rep(self) -> bool:
        """A repetition (amplitude reached) is in progress."""
        return self._peak_i >= 0

    @property
    def peak(self) -> float:
        """Depth of the deepest sample of the rep in progress (NaN if none)."""
        return self._x[self._peak_i] if self.in_rep else float("nan")

    @property
    def phase(self) -> str:
        """'standing', 'descent', 'ascent' (of a rep in progress or starting), or '' if unknown."""
        if not self._x or not np.isfinite(self._x[-1]) or not np.isfinite(self.standing):
            return ""
        x = self._x[-1]
        if self.in_rep:
            peak = self._x[self._peak_i]
            return "ascent" if x < peak - 0.1 * (peak - self.standing) else "descent"
        if x <= self.standing + self.params.return_fraction * self.params.min_amplitude:
            return "standing"
        return "ascent" if self._finishing else "descent"

    # --- feeding -------------------------------------------------------------------------

    def update(self, t: float, depth: float) -> RepEvent | None:
        """Add the sample of the next frame; a :class:`RepEvent` if a rep ended on it."""
        p = self.params
        i = len(self._t)
        x = float(depth)
        self._t.append(float(t))
        self._x.append(x)
        if not np.isfinite(x):
            if self._last_finite_t is not None and t - self._last_finite_t > p.max_gap_s:
                return self._lost_track()
            return None
        event = None
        if self._last_finite_t is None or t - self._last_finite_t > p.max_gap_s:
            if self.in_rep:  # a gap with no frames in it (dropped or skipped): as a gap of empty frames
                event = self._incomplete(i - 1, "the person left the frame during this rep")
            self._restart(i)
        self._last_finite_t = float(t)
        if not self.in_rep:
            self._remember_rest(t, x)
            if x <= self.standing + p.return_fraction * p.min_amplitude:
                self._finishing = False
            if x - self.standing >= p.min_amplitude:
                self._peak_i = i
            return event
        if x > self._x[self._peak_i]:
            self._peak_i = i
        peak = self._x[self._peak_i]
        if x <= self.standing + p.return_fraction * (peak - self.standing):
            return self._close(i)
        return None

    def finish(self) -> RepEvent | None:
        """The stream ended: a rep in progress becomes an incomplete :class:`RepEvent`."""
        if not self.in_rep:
            return None
        return self._incomplete(len(self._x) - 1, "the session ended before the person stood up")

    # --- internals -----------------------------------------------------------------------

    def _restart(self, i: int) -> None:
        self._segment_start = self._after_rep = i
        self._rest_t.clear()
        self._rest_x.clear()
        self.standing = float("nan")

    def _remember_rest(self, t: float, x: float) -> None:
        self._rest_t.append(t)
        self._rest_x.append(x)
        cut = 0
        while self._rest_t[cut] < t - self.standing_window_s:
            cut += 1
        if cut:
            del self._rest_t[:cut], self._rest_x[:cut]
        self.standing = float(np.percentile(self._rest_x, 5))

    def _lost_track(self) -> RepEvent | None:
        self._last_finite_t = None
        if not self.in_rep:
            return None
        return self._incomplete(len(self._x) - 1, "the person left the frame during this rep")

    def _left(self, peak_i: int) -> tuple[np.ndarray, int, int, float]:
        """(interpolated signal from the left bound, offset, start frame, left amplitude)."""
        lo = self._after_rep
        x = _interp_nan(np.asarray(self._x[lo:peak_i + 1], np.float64))
        base = int(np.argmin(x))
        amp = float(x[-1] - x[base])
        start = _last_below(x, base, len(x) - 1, x[base] + self.params.return_fraction * amp)
        return x, lo, lo + start, amp

    def _close(self, i: int) -> RepEvent | None:
        p = self.params
        peak_i, peak = self._peak_i, self._x[self._peak_i]
        x, lo, start, amp_left = self._left(peak_i)
        left_base = float(np.min(x))
        self._peak_i = -1
        self._after_rep = i
        stand_level = self.standing + p.standing_tolerance * (peak - self.standing)
        duration = self._t[i] - self._t[start]
        if amp_left < p.min_amplitude or left_base > stand_level:
            reason = "the session started during this rep" if lo == self._segment_start == 0 and \
                start == lo else "did not start from standing"
            if lo == self._segment_start and start == lo and lo > 0:
                reason = "the person came into the frame during this rep"
            return self._event(Rep(start, peak_i, i, False, reason))
        if not (p.min_duration_s <= duration <= p.max_duration_s):
            return None  # as offline: too quick or too slow to be a repetition
        self.count += 1
        return self._event(Rep(start, peak_i, i, True))

    def _incomplete(self, i: int, reason: str) -> RepEvent:
        peak_i = self._peak_i
        _, _, start, _ = self._left(peak_i)
        self._peak_i = -1
        self._after_rep = i
        return self._event(Rep(start, peak_i, i, False, reason))

    def _event(self, rep: Rep) -> RepEvent:
        self._finishing = True
        return RepEvent(rep, self._t[rep.start], self._t[rep.bottom], self._t[rep.end],
                        float(self._x[rep.bottom]), self.standing)
