"""The live screen's rep line: squat phases for the squat only (a foot exercise is counted by
re-running its analysis, so the squat counter's "going down" / "standing" would be wrong there)."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import ROOT


def _texts(monkeypatch, exercise: str) -> list[str]:
    from analyzer.capture import iter_frames
    from analyzer.live import ui
    from analyzer.live.metrics import FrameView
    from analyzer.live.processor import LiveState

    frame = next(iter(iter_frames(str(ROOT / "analyzer" / "demo" / "demo_side.mp4"))))
    drawn: list[str] = []
    real = ui.cv2.putText

    def spy(img, text, *a, **k):
        drawn.append(text)
        return real(img, text, *a, **k)

    monkeypatch.setattr(ui.cv2, "putText", spy)
    h, w = frame.rgb.shape[:2]
    st = LiveState(t=1.0, detected=True, xy=np.full((33, 2), np.nan), depth=40.0, standing=5.0, metrics={},
                   phase="descent", reps=1, in_rep=2, view=FrameView(label="side"), guidance="", hint="",
                   baseline="", cue="")
    ui.Renderer(w, h, mirror=False).render(frame.rgb, st, ui.Hud(exercise=exercise))
    return drawn


@pytest.mark.parametrize("exercise, shown", [("squat", True), ("heel_raise", False), ("foot_spine", False)])
def test_squat_phase_words_only_for_the_squat(monkeypatch, exercise, shown):
    text = " | ".join(_texts(monkeypatch, exercise))
    assert ("going down" in text) == shown, text
    assert "REPS" in text


@pytest.mark.parametrize("exercise, word", [("squat", "Rep 2"), ("toe_walk", "Step 2"), ("unknown", "Rep 2")])
def test_the_verdict_line_names_a_repetition_the_way_the_exercise_does(exercise, word):
    from analyzer.live.judge import Judgement
    from analyzer.live.ui import verdict_from

    for j in (Judgement(live_index=2, confirmed=False, exercise=exercise),
              Judgement(live_index=2, confirmed=True, exercise=exercise, error="window too short")):
        line = verdict_from(j, now=0.0).lines[0][0]
        assert line.startswith(word + ":"), line
