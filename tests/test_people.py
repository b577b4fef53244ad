"""Choosing the right person: a composite the test makes (a person standing still beside one who
squats) and the real walk-and-jump clip with a passer-by; ``--person`` switches."""
from __future__ import annotations

import json

import numpy as np
import pytest

from analyzer.capture import iter_frames
from analyzer.people import PeopleTracker
from analyzer.pipeline import AnalysisError, AnalyzeOptions, analyze_video
from analyzer.replay import ReplayWriter
from conftest import ROOT, VIDEOS, need

DEMO = ROOT / "analyzer" / "demo"


@pytest.fixture(scope="module")
def composite(tmp_path_factory) -> str:
    """demo_front's first frame, held still, on the left; demo_side's two squats on the right."""
    still = next(iter_frames(DEMO / "demo_front.mp4")).rgb
    path = tmp_path_factory.mktemp("people") / "two_people.mp4"
    frames = list(iter_frames(DEMO / "demo_side.mp4"))
    h, w = frames[0].rgb.shape[:2]
    assert still.shape == (h, w, 3)
    with ReplayWriter(path, 2 * w, h, 30.0) as out:
        for f in frames:
            out.write(np.hstack([still, f.rgb]), f.t)
    return str(path)


@pytest.mark.slow
def test_the_squatter_is_chosen_and_person_switches(composite, tmp_path, model_path):
    first = analyze_video(composite, AnalyzeOptions(outdir=tmp_path / "a", model=str(model_path), progress=False,
                                                    replay=False, people=2)).summary
    assert first["people"]["seen"] == 2 and first["people"]["analysed"] == 1
    assert first["exercise"] == "squat" and len(first["reps"]) == 2
    top = first["people"]["ranking"][0]
    assert top["centre_x"] > 0.5 and top["bob"] > first["people"]["ranking"][1]["bob"]
    report = (tmp_path / "a" / "two_people" / "report.html").read_text(encoding="utf-8")
    assert '<li id="people">2 people seen · analysed the one exercising' in report
    other = analyze_video(composite, AnalyzeOptions(outdir=tmp_path / "b", model=str(model_path), progress=False,
                                                    replay=False, people=2, person=2)).summary
    assert other["people"]["analysed"] == 2 and len(other["reps"]) == 0  # the one standing still
    with pytest.raises(AnalysisError, match="--person 3, but only"):
        analyze_video(composite, AnalyzeOptions(outdir=tmp_path / "c", model=str(model_path), progress=False,
                                                replay=False, people=3, person=3))


@pytest.mark.slow
def test_a_passer_by_is_not_the_subject(tmp_path, model_path):
    s = analyze_video(need(VIDEOS / "walk_jump_two_people.mp4"),
                      AnalyzeOptions(outdir=tmp_path, model=str(model_path), progress=False, replay=False,
                                     people=2)).summary
    ranking = s["people"]["ranking"]
    assert s["people"]["seen"] == 2
    assert not ranking[0]["walking"] and any(r["walking"] for r in ranking[1:])


def test_tracker_links_people_by_place():
    """Two made-up people whose order in MediaPipe's output swaps every frame stay two tracks."""
    def person(x):
        img = np.full((33, 5), np.nan, np.float32)
        img[:, 0], img[:, 1] = x, np.linspace(0.2, 0.9, 33)
        return img, np.zeros((33, 3), np.float32)

    tr = PeopleTracker()
    for i in range(40):
        a, b = person(0.3 + 0.001 * i), person(0.7)
        tr.add([a, b] if i % 2 else [b, a])
    ranks = tr.rank()
    assert len(ranks) == 2 and all(r["share"] == 1.0 for r in ranks)
    img, _ = tr.arrays(ranks[0]["track"])
    assert np.ptp(img[:, 0, 0]) < 0.05  # one person's x throughout, never the other's
