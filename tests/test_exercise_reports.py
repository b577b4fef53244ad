"""Each exercise's report and replay are its own: plots, per-rep columns and phase names come from
the exercise's layout (``analyzer.exercises.catalog.LAYOUTS``), and a foot exercise filmed with
the feet too small in the picture is counted but not graded ("feet too small to grade — move
closer"), never a clean set.

On the real heel-raise clip (analysed once per session by the ``analyses`` fixture), on a copy of
it the test shrinks inside the frame with PyAV, and on the report tests' synthetic squat folder.
"""
from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import numpy as np
import pytest

from analyzer.exercises import catalog
from analyzer.profile import load_profile
from analyzer.report import render_report

from conftest import VIDEOS, need

HEEL_RAISES = VIDEOS / "heel_raises_oblique.mp4"
FOOT_EXERCISES = ("heel_raise", "foot_roll", "foot_spine", "footwork", "toe_lift", "toe_walk")
SQUAT_WORDS = ("going down", "at the bottom", "coming up")


def _page_data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="kinetic-data">(.*?)</script>', page, re.S)
    assert m, "no page data"
    return json.loads(m.group(1))


def _visible_text(page: str) -> str:
    """The page's words, without its script, style and the data JSON."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def _table(page: str) -> tuple[list[str], list[list[str]]]:
    """(header cells, rows of cells) of the per-rep table."""
    m = re.search(r'<table class="reps">(.*?)</table>', page, re.S)
    assert m, "no per-rep table"
    head = [unescape(re.sub(r"<[^>]+>", " ", h)).split()[0:3] for h in re.findall(r"<th[^>]*>(.*?)</th>", m.group(1), re.S)]
    rows = [[unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr data-rep[^>]*>(.*?)</tr>", m.group(1), re.S)]
    return [" ".join(h) for h in head], rows


# ---------------------------------------------------------------------------------------------
# The layouts themselves (fast)


@pytest.mark.parametrize("exercise", FOOT_EXERCISES)
def test_each_foot_layout_reads_its_own_rules(exercise):
    lay = catalog.layout(exercise)
    assert lay is not catalog.SQUAT
    rules = load_profile(None, exercise).rules
    for plot in lay.plots:
        assert plot.span >= 1.0, f"{plot.id}: no minimum axis span"
        for code in [lim.code for lim in plot.limits] + list(plot.codes):
            assert code in rules, f"{exercise} plot {plot.id}: no rule {code}"
    for col in lay.columns:
        assert all(code in rules for code in col.codes), f"{exercise} column {col.key}"
    assert set(lay.rules or {}) == set(rules), "the chain reads every rule of the exercise"
    assert set(lay.phases) == {"descent", "bottom", "ascent"}
    assert not set(lay.phases.values()) & set(SQUAT_WORDS)
    assert load_profile(None, exercise).value("feet", "min_foot_px", 0.0) > 0


# ---------------------------------------------------------------------------------------------
# The real heel-raise clip


@pytest.fixture(scope="module")
def heel_raise_folder(analyses) -> Path:
    return analyses.run(need(HEEL_RAISES))


def test_heel_raise_report_shows_heel_height_not_squat_depth(heel_raise_folder):
    summary = json.loads((heel_raise_folder / "summary.json").read_text())
    assert summary["exercise"] == "heel_raise" and summary["reps"]
    # The verdict does not list links the heel raise has no rule for (knees, hips, lower back).
    assert not any("no rule for it" in d for d in summary["verdict"]["details"]), summary["verdict"]["details"]
    page = render_report(heel_raise_folder)
    data = _page_data(page)
    plots = {p["id"]: p for p in data["plots"]}
    assert "depth" not in plots
    hh = plots["heel_height"]
    assert hh["title"] == "Heel height" and hh["unit"] == "%" and hh["min_span"] >= 10
    values = [v for v in hh["lines"][0]["y"] if v is not None]
    # The plotted heel height is the frames' heel height in % of foot length: the reps' peaks are on it.
    peaks = [100 * r["metrics"]["heel_height"] for r in summary["reps"]]
    assert max(values) == pytest.approx(max(peaks), abs=1.5)
    assert any(lim["code"] == "heel_raise_low" for lim in hh["limits"])

    head, rows = _table(page)
    assert head[1] == "Top" and "Heel height" in head and not any(h.startswith("Tempo") for h in head)
    col = head.index("Heel height")
    assert [row[col] for row in rows] == [f"{round(p):.0f} %" for p in peaks]
    text = _visible_text(page)
    for squat_only in ("Depth", "thigh angle", "Knee bend", "KNEE BEND", "going down", "Angles over time",
                       "heel lift and trunk lean need a side view"):
        assert squat_only.lower() not in text.lower(), squat_only
    assert "Over time" in text


def test_heel_raise_replay_names_its_own_phases(heel_raise_folder):
    from analyzer.exercises import ANALYZERS
    from analyzer.overlay import OverlayPlan
    from analyzer.track import PoseTrack
    from analyzer.view import estimate_view

    track = PoseTrack.load(heel_raise_folder / "landmarks.npz")
    view = estimate_view(track)
    a = ANALYZERS["heel_raise"](track, view, load_profile(None, "heel_raise"))
    assert len(a.reps) >= 2
    plan = OverlayPlan(a.pose.t, a.pose.xy, a.series, a.reps, a.faults, view.label, view.facing, a.exercise,
                       frame_view=view.frame_label, depth=a.depth)
    words = set()
    for r in a.reps:
        seen = [plan.frame(i).phase_text for i in range(r.start, r.end + 1)]
        assert seen[0] == "rising" and seen[-1] == "lowering"
        assert plan.frame(r.bottom).phase_text == "top"
        words |= set(seen)
    assert words == {"rising", "top", "lowering"}
    assert plan.frame(0).phase_text == "standing"
    # The heel height is printed beside the body, not a squat's knee or trunk angle.
    top = plan.frame(a.reps[0].bottom)
    assert any(text.startswith("heel ") and text.endswith("%") for _, text in top.angles)
    assert not any(text.startswith(("knee", "trunk")) for _, text in top.angles)


def test_squat_report_and_replay_keep_their_layout(tmp_path):
    from test_report import write_folder

    from analyzer.overlay import OverlayPlan

    page = render_report(write_folder(tmp_path / "squat"))
    plots = {p["id"]: p for p in _page_data(page)["plots"]}
    assert plots["depth"]["title"] == "Depth" and "min_span" not in plots["depth"]
    head, _ = _table(page)
    assert head[1] == "Bottom" and "Knee bend" in head and any(h.startswith("Tempo") for h in head)
    assert "Angles over time" in page

    class Rep:
        index, start, bottom, end = 1, 10, 20, 30

    t = np.arange(40) / 30.0
    depth = np.concatenate([np.zeros(10), np.linspace(0, 90, 10), np.linspace(90, 0, 11), np.zeros(9)])
    plan = OverlayPlan(t, np.full((40, 33, 2), np.nan), {}, [Rep()], [], "side", "right", "squat", depth=depth)
    assert {plan.frame(i).phase_text for i in range(10, 31)} == set(SQUAT_WORDS)


# ---------------------------------------------------------------------------------------------
# Feet too small in the picture


def shrink(src: Path, dst: Path, factor: float, canvas: float = 0.5) -> Path:
    """``src`` scaled by ``factor``, pasted low in the middle of a grey frame ``canvas`` x its size."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vs = inp.streams.video[0]
        W, H = vs.codec_context.width, vs.codec_context.height
        cw, ch = int(W * canvas) // 2 * 2, int(H * canvas) // 2 * 2
        w, h = int(W * factor) // 2 * 2, int(H * factor) // 2 * 2
        st = out.add_stream("libx264", rate=vs.average_rate)
        st.width, st.height, st.pix_fmt = cw, ch, "yuv420p"
        st.options = {"crf": "18", "preset": "veryfast"}
        x0, y0 = (cw - w) // 2, ch - h - (ch - h) // 4
        for frame in inp.decode(vs):
            img = np.full((ch, cw, 3), 120, np.uint8)
            img[y0:y0 + h, x0:x0 + w] = frame.to_ndarray(format="rgb24", width=w, height=h)
            for packet in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in st.encode():
            out.mux(packet)
    return dst


def test_feet_too_small_are_not_graded_and_say_move_closer(tmp_path, model_path, heel_raise_folder):
    from analyzer.pipeline import AnalyzeOptions, analyze_video

    need_px = load_profile(None, "heel_raise").value("feet", "min_foot_px", 0.0)
    full = json.loads((heel_raise_folder / "summary.json").read_text())
    assert full["baselines"]["foot_size_px"] > 3 * need_px  # the real clip is graded
    assert any(r["judged"] for r in full["reps"]) and full["verdict"]["status"] != "not_judged"

    small = shrink(need(HEEL_RAISES), tmp_path / "tiny_feet.mp4", 0.1)
    res = analyze_video(small, AnalyzeOptions(outdir=tmp_path / "out", model=str(model_path), replay=False,
                                              progress=False, exercise="heel_raise"))
    s = res.summary
    assert s["baselines"]["foot_size_px"] < need_px
    assert s["reps"], "the raises are still counted"
    for r in s["reps"]:
        assert r["judged"] == [] and r["faults"] == []
        assert {n["why"] for n in r["not_judged"]} == {catalog.FEET_TOO_SMALL}
    v = s["verdict"]
    assert v["status"] == "not_judged" and "Clean" not in v["headline"]
    assert "move closer" in v["headline"] and "no rule" not in v["headline"], v["headline"]
    assert {n["why"] for n in v["not_judged"] if n["link"] in ("foot", "ankle")} == {catalog.FEET_TOO_SMALL}
    assert s["notes"][0].startswith(catalog.FEET_TOO_SMALL)
    assert not s["suggestions"]

    text = _visible_text(render_report(res.outdir))
    assert "Feet too small to grade — move closer" in text
    assert "Clean set" not in text and "Nothing to correct" not in text
    assert re.search(r'class="rep-chip st-na"', render_report(res.outdir))  # grey, not green
