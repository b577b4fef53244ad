"""``kinetic routine`` (the daily foot programme) and live sessions in the history.

* Live: a saved session is added to the history (and the next one's folder gets history.json);
  ``--no-history`` leaves it alone; a damaged history is one warning line.
* The routine end to end from rendered clips with exact truth (tests/test_footwork.py's renders,
  shared through ``KINETIC_TEST_CACHE``), played as the camera with ``--source``, ``--short``:
  the first run headless, the second in a window under Xvfb (a screenshot of the routine window,
  ``docs/routine_window.png`` with ``KINETIC_WRITE_DOCS=1``), whose report shows the trend.
* Bad input: one line, nothing left behind. The camera check and the optional speech, as units.

The two routine runs play ~33 s of video each in real time; with the saving, about 2 minutes.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import IN_CI, ROOT, Xvfb

SAMPLES = ROOT / "analyzer" / "demo"
DOCS = ROOT / "docs"
# The routine's graded steps in order -> the rendered clip each plays (the massage plays a
# clip too: it is only timed).
CLIPS = ("heel_raise", "foot_roll", "toe_lift", "foot_spine", "footwork")
EXERCISE_OF_STEP = {2: "foot_roll", 3: "toe_lift", 4: "foot_spine", 5: "footwork"}


def kinetic(*args, env=None, timeout=300):
    env = dict(os.environ if env is None else env, PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, "-m", "analyzer.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=timeout, env=env)


def one_line_error(proc, fragment: str, status: int = 1) -> str:
    assert proc.returncode == status, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("kinetic:")]
    assert len(lines) == 1 and fragment in lines[0], proc.stderr
    return lines[0]


def sessions(exercise: str | None = None) -> list[dict]:
    from analyzer.history import load_sessions

    return load_sessions(None, exercise=exercise)


# --- live sessions in the history --------------------------------------------------------------


@pytest.mark.slow
def test_live_sessions_are_added_to_the_history(tmp_path, model_path):
    clip = SAMPLES / "demo_side.mp4"
    live = ("live", "--source", clip, "--end", "3.2", "--no-window", "--no-replay", "--model", model_path)
    first = kinetic(*live, "--record", tmp_path / "a")
    assert first.returncode == 0, first.stderr
    folder_a = next((tmp_path / "a").glob("live-*"))
    ss = sessions()
    assert len(ss) == 1 and ss[0]["exercise"] == "squat" and Path(ss[0]["folder"]) == folder_a.resolve()
    saved = json.loads((folder_a / "summary.json").read_text())
    assert ss[0]["reps"] == len(saved["reps"]) >= 1 and ss[0]["status"] == saved["verdict"]["status"]
    assert not (folder_a / "history.json").exists()  # nothing earlier to compare with

    second = kinetic(*live, "--record", tmp_path / "b", "--user", "me")
    assert second.returncode == 0, second.stderr
    folder_b = next((tmp_path / "b").glob("live-*"))
    assert len(sessions()) == 2
    hist = json.loads((folder_b / "history.json").read_text())  # the report's "Your last sessions"
    assert [s.get("current", False) for s in hist["sessions"]] == [False, True]
    assert 'id="history"' in (folder_b / "report.html").read_text()

    skipped = kinetic(*live, "--record", tmp_path / "c", "--no-history")
    assert skipped.returncode == 0 and len(sessions()) == 2
    assert next((tmp_path / "c").glob("live-*"))

    db = Path(os.environ["KINETIC_HOME"]) / "history" / "me.sqlite"
    for extra in db.parent.glob("me.sqlite-*"):
        extra.unlink()
    db.write_bytes(b"not a database" * 100)
    damaged = kinetic(*live, "--record", tmp_path / "d")
    assert damaged.returncode == 0, damaged.stderr
    warnings = [ln for ln in damaged.stderr.splitlines() if "history not saved" in ln]
    assert len(warnings) == 1 and "Traceback" not in damaged.stderr
    assert next((tmp_path / "d").glob("live-*/summary.json"))  # the session itself is saved
    assert db.read_bytes() == b"not a database" * 100  # never overwritten


# --- the routine end to end ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def clips(foot_clips):
    """The rendered clip of each exercise (tests/test_footwork.py's scenarios), rendered on first
    use, with the number of reps in its truth."""
    from analyzer.synth import load_truth

    out = {}
    for exercise in CLIPS:
        video, truth = foot_clips(exercise)
        out[exercise] = (video, len(load_truth(truth)["reps"]))
    return out


def _need_tool(name: str) -> str | None:
    path = shutil.which(name)
    if path is None and IN_CI:
        pytest.fail(f"{name} is not installed (apt-get install -y xvfb xdotool)")
    return path


def _routine_in_a_window(args, tmp_path: Path) -> tuple[subprocess.CompletedProcess, np.ndarray | None, bool]:
    """Run ``kinetic routine ARGS`` in a window under Xvfb: press n during the massage (the step
    ends early), take a screenshot during step 2 after its first rep's verdict. Returns the
    process, the screenshot (cropped to the window) and whether keys were pressed."""
    from PIL import ImageGrab

    xdotool = _need_tool("xdotool")
    x = Xvfb(shutil.which("Xvfb"))
    env = dict(os.environ, DISPLAY=x.display, PYTHONWARNINGS="ignore", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "analyzer.cli", "routine", *map(str, args)], cwd=ROOT, env=env,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: list[str] = []
    errors: list[str] = []
    threads = [threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True),
               threading.Thread(target=lambda: errors.extend(proc.stderr), daemon=True)]
    for t in threads:
        t.start()
    shot, pressed = None, False
    try:
        deadline = time.monotonic() + 240
        while not any(ln.startswith("routine: step 1/5") for ln in lines):
            assert proc.poll() is None and time.monotonic() < deadline, (lines, errors)
            time.sleep(0.05)
        if xdotool:
            time.sleep(2.0)
            r = subprocess.run([xdotool, "search", "--sync", "--name", "kinetic routine", "windowfocus", "--sync",
                                "key", "n"], env=env, timeout=30, capture_output=True)
            pressed = r.returncode == 0
        while not any(ln.startswith("live: Rep 1:") for ln in lines):  # step 2's first verdict is up
            assert proc.poll() is None and time.monotonic() < deadline, (lines, errors)
            time.sleep(0.05)
        time.sleep(0.8)
        grab = np.asarray(ImageGrab.grab(xdisplay=x.display).convert("RGB"))
        ys, xs = np.nonzero(grab.sum(-1))
        if len(ys):
            shot = grab[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        code = proc.wait(240)
        for t in threads:
            t.join(5)
    finally:
        if proc.poll() is None:
            proc.kill()
        x.close()
    return subprocess.CompletedProcess(proc.args, code, "".join(lines), "".join(errors)), shot, pressed


def _check_routine(out: Path, clips: dict, *, first_seconds: float | None) -> tuple[Path, dict]:
    folders = [p for p in out.iterdir()]
    assert len(folders) == 1 and folders[0].name.startswith("routine-"), folders  # no partial folder left
    folder = folders[0]
    s = json.loads((folder / "summary.json").read_text())
    assert s["schema"] == "kinetic/routine/1" and s["exercise"] == "routine" and s["short"] is True
    steps = s["steps"]
    assert [r["number"] for r in steps] == [1, 2, 3, 4, 5]
    assert all(r["status"] == "done" for r in steps), steps
    massage = steps[0]
    assert massage["graded"] is False and massage["grade"] == "not graded" and massage["reps"] is None
    assert 0 < massage["seconds"] <= massage["target"]["seconds"]
    if first_seconds is not None:
        assert massage["seconds"] == pytest.approx(first_seconds, abs=1.0)
    walk = steps[2]["walk"]  # --source without --walk-source: the walk is not played (tests/test_toe_walk.py plays it)
    assert walk["analysed"] is False and walk["status"] == "not_played" and "--walk-source" in walk["note"]
    for r in steps[1:]:
        exercise = EXERCISE_OF_STEP[r["number"]]
        _, truth_reps = clips[exercise]
        step_summary = json.loads((folder / r["folder"] / "summary.json").read_text())
        assert r["exercise"] == step_summary["exercise"] == exercise
        # the step's count is its analysis's, on the frames live processed (= the truth here)
        assert r["reps"] == len(step_summary["reps"]) == r["live_reps"] == truth_reps, r
        assert r["grade"] == step_summary["verdict"]["status"] in ("clean", "faults", "not_judged")
        assert r["headline"] == step_summary["verdict"]["headline"]
        assert (folder / r["folder"] / "report.html").exists()
    assert s["verdict"]["steps_done"] == 5 and s["verdict"]["status"] == "done"
    page = (folder / "report.html").read_text()
    for r in steps:
        assert f'data-step="{r["number"]}"' in page and r["title"] in page
    assert "not graded (timed only)" in page and 'data-step="3b" data-status="not_played"' in page
    return folder, s


@pytest.mark.slow
def test_routine_from_rendered_clips_twice_with_a_trend(clips, tmp_path, model_path):
    videos = [clips[e][0] for e in CLIPS]
    args = ["--short", "--no-replay", "--model", model_path, "--source", *videos]

    # 1: headless
    first = kinetic("routine", *args, "--no-window", "-o", tmp_path / "one")
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    from analyzer.capture import probe

    length = probe(videos[0]).duration_s  # the massage is timed until its video ends (shorter than 30 s)
    folder1, s1 = _check_routine(tmp_path / "one", clips, first_seconds=length)
    assert "the video ended" in s1["steps"][0]["note"]
    page1 = (folder1 / "report.html").read_text()
    assert "Your last sessions" not in page1 and "Your last routines" not in page1  # nothing earlier
    ss = sessions()
    assert sorted(x["exercise"] for x in ss) == sorted(["routine", *EXERCISE_OF_STEP.values()])
    routine_rec = next(x for x in ss if x["exercise"] == "routine")
    assert routine_rec["reps"] == 5 and routine_rec["status"] == "done"
    assert Path(routine_rec["folder"]) == folder1.resolve()
    for x in ss:
        if x["exercise"] != "routine":
            assert Path(x["folder"]).parent == folder1.resolve() and Path(x["folder"]).is_dir()

    # 2: in a window under Xvfb (headless when Xvfb is missing), the trend in its report
    if _need_tool("Xvfb"):
        second, shot, pressed = _routine_in_a_window([*args, "-o", tmp_path / "two"], tmp_path)
    else:
        second, shot, pressed = kinetic("routine", *args, "--no-window", "-o", tmp_path / "two"), None, False
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr
    folder2, s2 = _check_routine(tmp_path / "two", clips, first_seconds=None)
    if pressed:  # n during the massage: it ended there, before its video did
        assert s2["steps"][0]["ended_by"] == "next" and s2["steps"][0]["seconds"] < s1["steps"][0]["seconds"] - 1
    assert len(sessions("routine")) == 2 and all(len(sessions(e)) == 2 for e in EXERCISE_OF_STEP.values())
    page2 = (folder2 / "report.html").read_text()
    assert "Your last routines" in page2
    for r in s2["steps"][1:]:
        hist = json.loads((folder2 / r["folder"] / "history.json").read_text())
        assert hist["exercise"] == r["exercise"] and len(hist["sessions"]) == 2
        assert f'id="history-{r["number"]}"' in page2  # the step's trend on the routine's page ...
        assert 'id="history"' in (folder2 / r["folder"] / "report.html").read_text()  # ... and on its own

    if shot is not None:
        from PIL import Image

        target = DOCS / "routine_window.png" if os.environ.get("KINETIC_WRITE_DOCS") == "1" else tmp_path / "w.png"
        Image.fromarray(shot).save(target, optimize=True)
        from analyzer.routine.screen import MIN_H, PANEL_W

        h, w = shot.shape[:2]
        assert w == 360 + PANEL_W and h == max(640, MIN_H), shot.shape  # the picture, then the card
        card, picture = shot[:, 360:], shot[:, :360]
        white = (card.min(-1) > 200).sum()
        assert white > 2000  # the card's text
        assert picture.mean() > 20  # the camera picture, not a blank
        green = (picture[..., 1] > 150) & (picture[..., 0] < 140) & (picture[..., 2] < 120)
        assert green.sum() > 200  # live's skeleton over it


# --- bad input, skipped steps ---------------------------------------------------------------------


def test_routine_bad_input_is_one_line(tmp_path, model_path):
    one_line_error(kinetic("routine", "--source", *["x.mp4"] * 6, "--no-window", "-o", tmp_path),
                   "one video per step", status=2)
    one_line_error(kinetic("routine", "--user", "../", "--no-window", "-o", tmp_path), "user", status=2)
    empty = tmp_path / "empty"
    empty.mkdir()
    one_line_error(kinetic("routine", "--source", empty, "--no-window", "-o", tmp_path / "o"), "no video", status=2)
    one_line_error(kinetic("routine", "--camera", "57", "--no-window", "--model", model_path, "-o", tmp_path / "cam"),
                   "camera 57")
    assert not any((tmp_path / "cam").iterdir())  # nothing half-written
    bad_model = tmp_path / "bad.task"
    bad_model.write_bytes(b"x" * 1000)
    one_line_error(kinetic("routine", "--model", bad_model, "--no-window", "-o", tmp_path / "m"), "bad.task")
    if sys.platform.startswith("linux"):
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        one_line_error(kinetic("routine", "--model", model_path, "-o", tmp_path / "w", env=env), "no display")
        assert not any((tmp_path / "w").iterdir())


def test_routine_skips_steps_without_a_video(tmp_path, model_path):
    proc = kinetic("routine", "--source", tmp_path / "nope.mp4", "-", "--no-window", "--model", model_path,
                   "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    notes = [ln for ln in proc.stderr.splitlines() if "skipped" in ln]
    assert len(notes) == 5 and "video not found" in notes[0] and "skipped on the command line" in notes[1]
    folder = next((tmp_path / "out").glob("routine-*"))
    s = json.loads((folder / "summary.json").read_text())
    assert [r["status"] for r in s["steps"]] == ["skipped"] * 5
    assert s["steps"][2]["walk"]["status"] == "skipped"
    assert s["verdict"]["steps_done"] == 0 and s["verdict"]["status"] == "partial"
    assert [x["exercise"] for x in sessions()] == ["routine"]  # no exercise session for a skipped step


# --- units: the camera check, the speech ------------------------------------------------------------


def _state(xy, view="side"):
    return SimpleNamespace(detected=True, xy=np.asarray(xy, float), view=SimpleNamespace(label=view))


def _pose(foot_px: float, shank_px: float) -> np.ndarray:
    from analyzer.skeleton import L_ANKLE, L_FOOT, L_HEEL, L_KNEE

    xy = np.full((33, 2), np.nan)
    xy[L_KNEE] = (100, 100)
    xy[L_ANKLE] = (100, 100 + shank_px)
    xy[L_HEEL] = (100, 100 + shank_px)
    xy[L_FOOT] = (100 + foot_px, 100 + shank_px)
    return xy


def test_camera_check_says_when_the_feet_are_too_small_or_the_view_is_wrong():
    from analyzer.routine.screen import SetupCheck
    from analyzer.routine.steps import STEPS

    spine, roll = STEPS[3], STEPS[1]  # side view, by foot length; rear view, by shank length
    c = SetupCheck(spine.camera, 640)
    assert c.message() == ("", True)  # nobody seen yet
    for _ in range(10):
        c.update(_state(_pose(20, 100)))  # under the foot analyses' own 30 px
    text, ok = c.message()
    assert not ok and text.startswith("feet too small to grade - move the camera closer")
    c = SetupCheck(spine.camera, 640)
    for _ in range(10):
        c.update(_state(_pose(32, 100)))  # the real seated clip's 30-38 px feet: counted
    assert c.message() == ("camera set-up OK", True)
    c = SetupCheck(spine.camera, 640)
    for _ in range(10):
        c.update(_state(_pose(60, 100), view="front"))
    text, ok = c.message()
    assert not ok and "from the side" in text and "the front" in text
    c = SetupCheck(roll.camera, 640)
    for _ in range(10):
        c.update(_state(_pose(15, 120), view="rear"))  # foreshortened feet from behind: the shank counts
    assert c.message() == ("camera set-up OK", True)


def test_speech_without_the_library_is_one_note_and_silence(monkeypatch):
    from analyzer.routine.speech import Speaker

    monkeypatch.setitem(sys.modules, "pyttsx3", None)  # import fails
    notes: list[str] = []
    sp = Speaker(True, notes.append)
    sp.say("one")
    sp.close()
    assert len(notes) == 1 and "pyttsx3 is not installed" in notes[0] and "kinetic[speak]" in notes[0]
    assert sp.state == "off" and sp.said == 0


def test_speech_speaks_through_the_engine(monkeypatch):
    from analyzer.routine import speech

    spoken: list[str] = []

    class Engine:
        def setProperty(self, *a):  # noqa: N802
            pass

        def say(self, text):
            spoken.append(text)

        def runAndWait(self):  # noqa: N802
            time.sleep(0.05)

        def stop(self):
            pass

    monkeypatch.setitem(sys.modules, "pyttsx3", SimpleNamespace(init=lambda: Engine()))
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/" + name)
    notes: list[str] = []
    sp = speech.Speaker(True, notes.append)
    sp.say("Step 2.")
    deadline = time.monotonic() + 5
    while not spoken and time.monotonic() < deadline:
        time.sleep(0.01)
    for n in ("1", "2", "3"):  # while it speaks, only the newest waits
        sp.say(n)
    sp.close()
    assert notes == [] and spoken[0] == "Step 2." and spoken[-1] == "3" and len(spoken) <= 3
    assert sp.said == len(spoken)
