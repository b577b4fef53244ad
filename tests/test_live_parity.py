"""Live mode counts the foot exercises as ``kinetic analyze`` does, and ``--exercise auto`` works
live: analyze's own analysis re-run on the buffered session (analyzer/live/follow.py).

* The bookkeeping (reps added, kept, withdrawn; auto detection needing two analyses that agree;
  a sliding window keeping the reps before it) on made-up analysis results: no model, fast.
* Real foot-exercise clips of ../shared/data/videos (see its README) played as a camera, headless:
  the live count equals the count of ``analyze`` on the same clip, equals the truth where it is
  known (heel_raises_oblique.mp4: 3 raises, counted by eye in tests/test_foot_real.py), and equals
  the saved session's own analysis. ``analyze``'s results come from the session-wide cache of
  tests/conftest.py (``--exercise auto``: on these clips it detects the exercise given to live, and
  then runs the same analysis as with ``--exercise NAME``).
* A rendered foot exercise with exact truth (the render of tests/test_footwork.py, shared through
  ``KINETIC_TEST_CACHE``), live with ``--exercise auto``.

Live plays clips in real time, so each session takes the clip's length (~1 minute in all, plus
the analyses and one render).
"""
from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest
from conftest import VIDEOS, need

from analyzer.live.follow import DETECT_MIN_S, KEEP_S, WINDOW_S, Follower, WindowResult

# --- the bookkeeping, on made-up analyses -----------------------------------------------------------


class _Runner:
    """Runs jobs as the judge's worker would, but returns the result of ``answer(track_span)``."""

    def __init__(self, answer) -> None:
        self.answer, self.spans = answer, []

    def __call__(self, fn, track, exercise, *_):
        self.spans.append((track.t0, track.t1, exercise))
        f: Future = Future()
        f.set_result(self.answer(track.t0, track.t1, exercise))
        return f


class _Span:
    def __init__(self, t0: float, t1: float) -> None:
        self.t0, self.t1 = t0, t1


def _window(t0: float, t1: float) -> _Span:
    return _Span(t0, t1)


def _result(exercise: str, t0: float, t1: float, bottoms: list[float]) -> WindowResult:
    reps = [dict(rep=dict(start_s=b - 0.5, bottom_s=b, end_s=b + 0.5, view="side", metrics={"heel_height": 0.3},
                          judged=["heel_raise_low"], not_judged=[]),
                 faults=[], borderline=[], root_cause=None) for b in bottoms]
    return WindowResult(exercise, t0, t1, int(30 * (t1 - t0)), view="side", reps=reps)


def _step(f: Follower, now: float):
    f.maybe_submit(now, 0.0, _window)
    return f.poll()


def test_reps_appear_as_the_analysis_finds_them_and_are_not_counted_twice():
    truth = [2.0, 5.0, 8.0]
    run = _Runner(lambda t0, t1, ex: _result(ex, t0, t1, [b for b in truth if b + 0.5 < t1]))
    f = Follower(run, "heel_raise")
    added = []
    for now in range(2, 11):
        c = _step(f, float(now))
        if c is not None:
            added += [r["bottom_s"] for r in c.added]
            assert not c.withdrawn
    assert added == truth and f.count == 3
    assert [r["index"] for r in f.reps] == [1, 2, 3]
    assert all(r["judged"]["confirmed"] and r["counted_by"] == "analysis" for r in f.reps)
    # Every analysis covered the session from its start (it is shorter than the window).
    assert all(t0 == 0.0 for t0, _, _ in run.spans)


def test_a_rep_the_next_analysis_does_not_find_is_withdrawn():
    answers = iter([[2.0, 4.0], [2.0], [2.0]])
    run = _Runner(lambda t0, t1, ex: _result(ex, t0, t1, next(answers)))
    f = Follower(run, "toe_lift")
    assert len(_step(f, 5.0).added) == 2
    c = _step(f, 6.5)
    assert [r["bottom_s"] for r in c.withdrawn] == [4.0] and f.count == 1


def test_auto_keeps_an_exercise_only_when_two_analyses_agree():
    answers = iter(["toe_lift", "unknown", "heel_raise", "heel_raise", "heel_raise"])
    run = _Runner(lambda t0, t1, ex: _result(next(answers) if ex == "auto" else ex, t0, t1, [1.0]))
    f = Follower(run, "auto")
    assert _step(f, DETECT_MIN_S - 0.5) is None  # too little seen to detect anything
    seen = []
    for now in (3.0, 4.0, 5.0, 6.0):
        c = _step(f, now)
        seen.append(c.detected)
    assert seen == ["", "", "", "heel_raise"]
    assert f.exercise == "heel_raise" and f.count == 1  # the detecting analysis's reps count
    _step(f, 7.0)
    assert run.spans[-1][2] == "heel_raise"  # no detection once known


def test_the_last_analysis_of_a_session_detects_alone():
    run = _Runner(lambda t0, t1, ex: _result("foot_spine" if ex == "auto" else ex, t0, t1, [2.0, 4.0]))
    f = Follower(run, "auto")
    f.finish(6.0, 0.0, _window)
    assert f.exercise == "foot_spine" and f.count == 2


def test_a_sliding_window_keeps_the_reps_before_it():
    every = [5.0 * k for k in range(1, 40)]
    run = _Runner(lambda t0, t1, ex: _result(ex, t0, t1, [b for b in every if t0 < b - 0.5 and b + 0.5 < t1]))
    f = Follower(run, "heel_raise")
    for now in range(2, int(WINDOW_S) + 60, 2):
        _step(f, float(now))
    assert run.spans[-1][0] > 0  # the window slid
    assert [r["bottom_s"] for r in f.reps] == [b for b in every if b + 0.5 < run.spans[-1][1]]
    assert KEEP_S > 1.0


# --- real clips and a render, played as a camera ------------------------------------------------------


def _live(source: Path, exercise: str, tmp_path: Path, model_path: Path):
    from analyzer.live import LiveOptions, run_live

    return run_live(LiveOptions(source=str(source), exercise=exercise, window=False, record=tmp_path,
                                model=str(model_path), quiet=True, replay=False))


def _check(res, analyzed: dict, exercise: str, truth: int | None, may_miss: tuple[float, ...] = ()) -> None:
    """``may_miss``: key frames (s) of reps analyze finds near its threshold, which live may read
    under it when it drops frames; every other rep must match."""
    live = [r for r in res.reps if r["complete"]]
    s = res.summary
    assert analyzed["exercise"] == exercise
    detail = dict(live=[r["bottom_s"] for r in live], analyze=[r["bottom_s"] for r in analyzed["reps"]],
                  follow=s["live"].get("follow"), frames=(res.stats["processed"], res.stats["captured"]))
    if truth is not None:
        assert len(analyzed["reps"]) == truth, detail
    want = analyzed["reps"]
    if len(live) < len(want) and may_miss:
        want = [r for r in want if not any(abs(r["bottom_s"] - m) < 0.6 for m in may_miss)]
    # What live showed is what analyze finds on the same clip ...
    assert len(live) == len(want), detail
    # ... and what the saved session's analysis (same frames) finds.
    assert s["exercise"] == exercise and s["live"]["rep_count"] == len(s["reps"]) == len(live), detail
    for lr, ar in zip(live, want):
        # Live times run from the first processed frame, analyze's from the video's start.
        assert lr["bottom_s"] == pytest.approx(ar["bottom_s"], abs=0.6), detail
        assert lr["judged"]["confirmed"]


REAL = [("heel_raises_oblique.mp4", "heel_raise", "heel_raise", 3),
        ("heel_raises_oblique.mp4", "auto", "heel_raise", 3),
        # 6 point/flex cycles on the frames (tests/test_foot_real.py).
        ("ankle_point_flex_seated.mp4", "foot_spine", "foot_spine", 6)]
# The seated clip's first point reads 7.0 deg from the file against the profile's 6 deg (the others
# 16-21): live, dropping even 7 % of the frames on a busy machine, read it at 6-7 deg and missed it
# in 3 of 5 runs here (the other 5 cycles always matched).
MAY_MISS = {"ankle_point_flex_seated.mp4": (4.5,)}


@pytest.mark.slow
@pytest.mark.parametrize("clip,exercise,expect,truth", REAL, ids=[f"{c}-{e}" for c, e, _, _ in REAL])
def test_live_counts_real_foot_clips_like_analyze(analyses, tmp_path, model_path, clip, exercise, expect, truth):
    path = need(VIDEOS / clip)
    res = _live(path, exercise, tmp_path, model_path)
    _check(res, analyses.summary(path), expect, truth, MAY_MISS.get(clip, ()))
    if exercise == "auto":
        follow = res.summary["live"]["follow"]
        assert follow["exercise"] == expect and follow["detections"][-1] == expect, follow


@pytest.fixture(scope="module")
def rendered_video(foot_clips):
    """exercise -> (video, truth) of tests/test_footwork.py's render of it (rendered on first use)."""
    from analyzer.synth import load_truth

    def get(exercise: str) -> tuple[Path, dict]:
        video, truth = foot_clips(exercise)
        return video, load_truth(truth)

    return get


@pytest.mark.slow
def test_live_auto_counts_a_rendered_footwork_like_analyze_and_the_truth(rendered_video, analyses, tmp_path,
                                                                         model_path):
    video, truth = rendered_video("footwork")
    res = _live(video, "auto", tmp_path, model_path)
    _check(res, analyses.summary(video), "footwork", len(truth["reps"]))
    for lr, true in zip([r for r in res.reps if r["complete"]], truth["reps"]):
        assert lr["bottom_s"] == pytest.approx(true["bottom_s"], abs=0.6)
