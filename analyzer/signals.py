"""Signal cleaning for landmark trajectories (pure numpy/scipy).

Offline (a recorded video): Hampel outlier rejection -> short-gap filling -> zero-phase
4th-order Butterworth low-pass (Sports2D's defaults). Live: a causal One-Euro filter.
Every function works on arrays shaped (T, ...) along axis 0 and treats NaN as "not measured":
it never invents a value for a long stretch of NaN.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import signal


def _as_2d(x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    x = np.asarray(x, np.float64)
    return x.reshape(len(x), -1), x.shape


def hampel(x: np.ndarray, half_window: int = 3, n_sigma: float = 3.0, min_scale: float = 0.0) -> np.ndarray:
    """Replace outliers with NaN: samples further than ``n_sigma`` robust standard deviations
    (1.4826 * MAD) from the median of their ``2*half_window+1`` neighbourhood.

    Args:
        x: (T, ...) samples. Returns a copy with the same shape.
        min_scale: floor on the robust deviation, in the units of ``x``, so that a perfectly
            still stretch (MAD = 0) does not flag harmless jitter.
    """
    flat, shape = _as_2d(x)
    T = len(flat)
    if T < 2 * half_window + 1:
        return flat.reshape(shape).copy()
    h = half_window
    out = flat.copy()
    floor = max(min_scale, 1e-12)
    # In blocks of frames: nanmedian copies its (T, C, W) window view a few times over (~30 KB a
    # frame for 33 landmarks), so a whole long video at once grows with its length. Each
    # output depends on its own window only: blocks (each padded with its neighbours' samples,
    # or the edge sample at the ends, as np.pad(mode="edge") would) give exactly the same result.
    for a in range(0, T, HAMPEL_BLOCK):
        b = min(T, a + HAMPEL_BLOCK)
        lo, hi = max(0, a - h), min(T, b + h)
        padded = np.pad(flat[lo:hi], ((h - (a - lo), h - (hi - b)), (0, 0)), mode="edge")
        win = sliding_window_view(padded, 2 * h + 1, axis=0)  # (b-a, C, W)
        with np.errstate(all="ignore"), _quiet_nan_warnings():
            med = np.nanmedian(win, axis=-1)
            mad = 1.4826 * np.nanmedian(np.abs(win - med[..., None]), axis=-1)
        scale = np.maximum(mad, floor)
        block = out[a:b]
        block[np.abs(flat[a:b] - med) > n_sigma * scale] = np.nan
    return out.reshape(shape)


HAMPEL_BLOCK = 256  # frames per block of :func:`hampel` (~8 MB of temporaries for 33 landmarks)


def fill_gaps(x: np.ndarray, max_gap: int = 10, *, inplace: bool = False) -> np.ndarray:
    """Linearly interpolate runs of NaN no longer than ``max_gap`` samples that have finite
    samples on both sides; longer runs and leading/trailing NaN stay NaN. (T, ...) -> same.
    ``inplace``: fill ``x`` itself (float64) instead of a copy."""
    flat, shape = _as_2d(x)
    out = flat if inplace and (flat.base is x or flat is x) else flat.copy()
    idx = np.arange(len(flat))
    for c in range(flat.shape[1]):
        col = out[:, c]
        bad = ~np.isfinite(col)
        if not bad.any() or bad.all():
            continue
        for start, stop in _runs(bad):
            if start == 0 or stop == len(col) or stop - start > max_gap:
                continue
            col[start:stop] = np.interp(idx[start:stop], [start - 1, stop], [col[start - 1], col[stop]])
    return out.reshape(shape)


def lowpass(x: np.ndarray, fs: float, cutoff_hz: float = 6.0, order: int = 4, *, inplace: bool = False) -> np.ndarray:
    """Zero-phase Butterworth low-pass over each finite stretch of ``x`` (T, ...), in place of
    nothing else: NaN stay NaN. Stretches too short to filter are left as they are.

    Args:
        fs: sampling rate in Hz (frames/s); cutoff_hz: -3 dB frequency in Hz.
        inplace: filter ``x`` itself (float64) instead of a copy (each column is filtered from
            its own samples, so writing back column by column gives the same result).
    """
    flat, shape = _as_2d(x)
    out = flat if inplace and (flat.base is x or flat is x) else flat.copy()
    if cutoff_hz >= 0.5 * fs:
        return out.reshape(shape)
    sos = signal.butter(order, cutoff_hz, fs=fs, output="sos")
    min_len = 3 * (2 * len(sos) + 1)
    for c in range(flat.shape[1]):
        col = flat[:, c]
        for start, stop in _runs(np.isfinite(col)):
            if stop - start > min_len:
                out[start:stop, c] = signal.sosfiltfilt(sos, col[start:stop])
    return out.reshape(shape)


def clean(x: np.ndarray, fs: float, *, cutoff_hz: float = 6.0, max_gap: int = 10,
          hampel_half_window: int = 3, hampel_sigma: float = 3.0, min_scale: float = 0.0) -> np.ndarray:
    """The offline chain: Hampel -> fill gaps <= ``max_gap`` -> zero-phase low-pass. (T, ...)."""
    x = hampel(x, hampel_half_window, hampel_sigma, min_scale)  # a new array: the rest works in it
    x = fill_gaps(x, max_gap, inplace=True)
    return lowpass(x, fs, cutoff_hz, inplace=True)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index pairs of the True runs of a 1-D bool array."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    edges = np.flatnonzero(np.diff(m.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


runs = _runs


class _quiet_nan_warnings:
    """Silence 'All-NaN slice' RuntimeWarnings from nanmedian on empty windows."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)


class OneEuroFilter:
    """Causal One-Euro filter (Casiez et al. 2012) for live use: smooths jitter when still, keeps
    lag low when moving. Filters a vector of any shape per call; NaN passes through and resets.

    Args:
        min_cutoff: Hz, the cutoff when still (lower = smoother).
        beta: how fast the cutoff rises with speed (higher = less lag when moving).
        d_cutoff: Hz, the cutoff for the speed estimate.
    """

    def __init__(self, min_cutoff: float = 1.5, beta: float = 0.05, d_cutoff: float = 1.0) -> None:
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray:
        tau = 1.0 / (2 * np.pi * np.asarray(cutoff))
        return 1.0 / (1.0 + tau / dt)

    def __call__(self, x: np.ndarray, t: float) -> np.ndarray:
        """Filter sample ``x`` taken at time ``t`` seconds; returns the filtered sample."""
        x = np.asarray(x, np.float64)
        if self._x is None or self._t is None or t <= self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return x.copy()
        dt = t - self._t
        self._t = t
        prev = self._x
        fresh = ~np.isfinite(prev)  # components that were missing restart from the new sample
        dx = np.where(fresh, 0.0, (x - prev) / dt)
        a_d = self._alpha(self.d_cutoff, dt)
        dx_hat = np.where(np.isfinite(self._dx), a_d * dx + (1 - a_d) * self._dx, dx)
        cutoff = self.min_cutoff + self.beta * np.abs(dx_hat)
        a = self._alpha(cutoff, dt)
        x_hat = np.where(fresh, x, a * x + (1 - a) * prev)
        x_hat = np.where(np.isfinite(x), x_hat, np.nan)
        self._x, self._dx = x_hat, np.where(np.isfinite(x), dx_hat, np.nan)
        return x_hat.copy()
