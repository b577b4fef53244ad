"""Signal cleaning and repetition segmentation on constructed signals."""
from __future__ import annotations

import numpy as np
import pytest

from analyzer import signals
from conftest import squat_signal

from analyzer.reps import RepParams, find_reps


def test_hampel_rejects_spikes_only():
    x = np.sin(np.linspace(0, 6, 200)) * 10
    spiky = x.copy()
    spiky[[50, 120]] += 40
    out = signals.hampel(spiky, 3, 3.0, min_scale=0.1)
    assert np.isnan(out[50]) and np.isnan(out[120])
    assert np.isfinite(out).sum() >= 195


def test_fill_gaps_short_only_and_never_at_edges():
    x = np.arange(40, dtype=float)
    x[5:8] = np.nan  # 3-frame gap: filled
    x[15:30] = np.nan  # 15-frame gap: left empty
    x[:2] = np.nan  # leading: left empty
    out = signals.fill_gaps(x, max_gap=10)
    np.testing.assert_allclose(out[5:8], [5, 6, 7])
    assert np.isnan(out[15:30]).all() and np.isnan(out[:2]).all()


def test_lowpass_is_zero_phase_and_keeps_nan():
    fs = 30.0
    t = np.arange(0, 4, 1 / fs)
    slow = np.sin(2 * np.pi * 1.0 * t)
    noisy = slow + 0.3 * np.sin(2 * np.pi * 12.0 * t)
    noisy[60:70] = np.nan
    out = signals.lowpass(noisy, fs, 6.0)
    assert np.isnan(out[60:70]).all()
    ok = np.isfinite(out)
    ok[:10] = ok[50:80] = ok[-10:] = False  # edges of each stretch
    assert np.max(np.abs(out[ok] - slow[ok])) < 0.08  # 12 Hz gone, 1 Hz kept without lag


def test_one_euro_smooths_and_follows():
    f = signals.OneEuroFilter(min_cutoff=1.0, beta=0.05)
    rng = np.random.default_rng(0)
    still = [f(np.array([10 + rng.normal(0, 1)]), i / 30)[0] for i in range(60)]
    assert np.std(still[30:]) < 0.6
    moved = [f(np.array([50.0]), (60 + i) / 30)[0] for i in range(30)]
    assert moved[-1] == pytest.approx(50.0, abs=1.0)




def test_counts_reps_and_ignores_pulses():
    t, x = squat_signal(3)
    # A 15 deg bounce at each bottom and 10 deg fidgets while standing are not reps.
    x = x + np.where(x > 90, 15 * np.sin(2 * np.pi * 4 * t), 0) + np.where(x < 15, 10 * np.abs(np.sin(np.pi * t)), 0)
    reps = find_reps(t, x)
    assert [r.complete for r in reps] == [True, True, True]
    assert [round(t[r.bottom]) for r in reps] == [2, 4, 6]
    for r in reps:
        assert t[r.start] < t[r.bottom] < t[r.end]


def test_video_ending_mid_rep_is_incomplete():
    t, x = squat_signal(3, rest=0.5)
    cut = int(np.searchsorted(t, 0.5 + 2 * 2.0 + 1.4))  # rising out of the third rep
    reps = find_reps(t[:cut], x[:cut])
    assert [r.complete for r in reps] == [True, True, False]
    assert "ends before" in reps[-1].reason


def test_person_leaving_frame_splits_and_marks():
    t, x = squat_signal(2)
    x[int(2.6 * 30):int(3.4 * 30)] = np.nan  # gone during the ascent of rep 1 (0.8 s)
    reps = find_reps(t, x, RepParams(max_gap_s=0.5))
    assert [r.complete for r in reps] == [False, False]
    assert "left the frame" in reps[0].reason and "came into the frame" in reps[1].reason
    # A short dropout (0.3 s) is bridged: both reps count.
    t, x = squat_signal(2)
    x[int(2.6 * 30):int(2.9 * 30)] = np.nan
    assert [r.complete for r in find_reps(t, x, RepParams(max_gap_s=0.5))] == [True, True]


def test_a_bottom_hidden_for_a_second_is_still_one_rep():
    """A barbell's plates can hide the person at the bottom: deep on both sides of the gap,
    going down before it and coming up after it - one rep, not two halves."""
    t, x = squat_signal(2)  # bottoms at 2.0 and 4.0 s
    x[int(1.5 * 30):int(2.5 * 30)] = np.nan  # 1 s hidden around the first bottom
    reps = find_reps(t, x, RepParams(max_gap_s=0.5))
    assert [r.complete for r in reps] == [True, True]
    assert t[reps[0].start] < 1.5 and t[reps[0].end] > 2.5


def test_a_hidden_bottom_is_one_rep_even_if_the_last_frame_before_it_reads_shallower():
    """The last frames before the plates cover the legs often read shallower (drawn barbell
    clips: 8 deg over three frames): one edge pointing the wrong way does not split the rep;
    only a rise before the gap together with a descent after it leaves room for a stand."""
    t, x = squat_signal(2)
    gap = slice(int(1.5 * 30), int(2.5 * 30))
    x[gap] = np.nan
    x[gap.start - 1] = x[gap.start - 4] - 8.0  # the last frame reads 8 deg shallower than 3 before it
    reps = find_reps(t, x, RepParams(max_gap_s=0.5))
    assert [r.complete for r in reps] == [True, True]
    assert t[reps[0].start] < 1.5 and t[reps[0].end] > 2.5


def test_a_flat_bottom_is_one_rep():
    t, x = squat_signal(1)
    x = np.minimum(x, 90.0)  # a capped bottom with equal maxima
    x[int(1.95 * 30)] = 88.0
    assert len(find_reps(t, x)) == 1


def test_shallow_motion_is_not_a_rep():
    t, x = squat_signal(3, depth=25.0)
    assert find_reps(t, x) == []


def test_counter_ends_a_rep_at_a_gap_without_frames():
    """Frames that stop arriving mid-rep (dropped, not empty) and resume after more than the
    gap limit: the rep in progress is incomplete, the counter restarts, and the session can end
    (it used to fail finding the rep's start in an empty stretch)."""
    from analyzer.reps import RepCounter

    c = RepCounter(RepParams())
    t, x = squat_signal(1, depth=100.0)
    events = [c.update(ti, xi) for ti, xi in zip(t[:60], x[:60])]  # into the descent
    assert c.in_rep and not any(events)
    later = t[59] + 5.0  # far past max_gap_s, and the person is standing again
    gap_events = [c.update(later + k / 30.0, 10.0) for k in range(30)]
    ended = [e for e in gap_events if e is not None]
    assert len(ended) == 1 and not ended[0].rep.complete and "left the frame" in ended[0].rep.reason
    assert not c.in_rep and c.finish() is None and c.count == 0
