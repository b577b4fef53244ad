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
        the standing level (the video's 5th percentile of the signal).
    min_duration_s, max_duration_s: plausible rep durations.
    max_gap_s: a gap in the signal (person out of frame) longer than this splits the recording.
    """

    min_amplitude: float = 35.0
    return_fraction: float = 0.15
    standing_tolerance: float = 0.3
    min_duration_s: float = 0.5
    max_duration_s: float = 20.0
    max_gap_s: float = 0.5


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
    for start, stop in _segments(t, depth, params.max_gap_s):
        x = depth[start:stop]
        reps.extend(_reps_in_segment(t[start:stop], x, params, start, is_last=stop == len(t),
                                     is_first=start == 0))
    return reps


def _segments(t: np.ndarray, x: np.ndarray, max_gap_s: float) -> list[tuple[int, int]]:
    """Finite stretches of ``x``, joining those separated by gaps shorter than ``max_gap_s``."""
    pieces = runs(np.isfinite(x))
    merged: list[list[int]] = []
    for a, b in pieces:
        if merged and t[a] - t[merged[-1][1] - 1] <= max_gap_s:
            merged[-1][1] = b
        else:
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
    peaks = peaks - 1
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
        if amp_left < p.min_amplitude or xf[left_base] > stand_level:
            complete, reason = False, "the video starts during this rep" if left_base == 0 else "did not start from standing"
        elif amp_right < p.min_amplitude or xf[right_base] > stand_level:
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
