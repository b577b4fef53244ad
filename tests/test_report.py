"""The HTML report: content and self-containment on a synthetic analysis folder (fast), the
``kinetic report`` command, and the real page of a real clip in headless Chromium (slow).

The browser is Debian's ``chromium``, driven over the DevTools protocol through a pipe
(``--remote-debugging-pipe``): no driver, no websocket library, nothing downloaded. Without
chromium or the shared footage these tests skip with the reason; under ``CI=true`` they fail.
"""
from __future__ import annotations

import base64
import csv
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from analyzer.cli import main as kinetic
from analyzer.report import REPORT_NAME, ReportError, load_analysis, render_report, write_report

from conftest import IN_CI, ROOT, VIDEOS, need

MAX_PAGE_BYTES = 2_000_000


# ---------------------------------------------------------------------------------------------
# A small analysis folder, written the way `kinetic analyze` writes one


def _fault(code, rep, side, start, end, value, threshold, unit, link, severity="moderate", band=1.5, view="side"):
    return dict(code=code, side=side, rep=rep, start_s=start, end_s=end, onset_s=start - 0.5, value=value,
                threshold=threshold, unit=unit, error_band=band, severity=severity, view=view, link=link,
                message=f"Rep {rep}: {code}")


def _metrics(**kw):
    base = dict(depth_3d_knee_flexion=100.0, knee_flexion=110.0, thigh_angle=88.0, hip_below_knee=-0.1,
                dorsiflexion=33.0, shank_foot_dorsiflexion=30.0, heel_lift=0.05, trunk_lean=35.0,
                trunk_minus_shank=5.0, knee_ankle_ratio=None, hip_shift=None, pelvic_drop=None,
                descent_s=1.5, ascent_s=0.8, bottom_pause_s=0.3, duration_s=2.3)
    for side in ("left", "right"):
        for k in ("fppa", "fppa_rel", "knee_valgus", "knee_tracking", "foot_roll"):
            base[f"{side}_{k}"] = None
    base.update(kw)
    return base


def write_folder(folder: Path, *, faults=True, replay=False, frames=300) -> Path:
    """A side-view analysis of 3 reps in the first 10 s at 30 fps; rep 2 has limited dorsiflexion
    and excessive trunk lean (root: the ankle)."""
    folder.mkdir(parents=True, exist_ok=True)
    fps, T = 30.0, frames
    t = np.arange(T) / fps
    reps = [(1, 1.0, 2.0, 3.0), (2, 4.0, 5.0, 6.0), (3, 7.0, 8.0, 9.0)]
    flt = []
    if faults:
        flt = [_fault("limited_dorsiflexion", 2, "right", 4.8, 5.6, 27.0, 30.0, "deg", "ankle", "moderate"),
               _fault("excessive_trunk_lean", 2, None, 4.9, 5.4, 24.0, 20.0, "deg", "hip", "mild", 2.5)]
    rep_dicts = []
    for i, a, b, e in reps:
        m = _metrics(dorsiflexion=27.0, trunk_minus_shank=24.0) if (faults and i == 2) else _metrics()
        codes = [f["code"] for f in flt if f["rep"] == i]
        d = dict(index=i, start_s=a, bottom_s=b, end_s=e, view="side", metrics=m, faults=codes,
                 root_cause="limited_dorsiflexion" if codes else None)
        if codes:
            d["root_cause_side"] = "right"
        rep_dicts.append(d)
    summary = dict(
        schema="kinetic/summary/1", kinetic_version="0.1.0",
        source=dict(path="/videos/my squat.mp4", frames=T, fps=fps, duration_s=T / fps, width=640, height=360,
                    rotation=0, codec="h264"),
        exercise="squat",
        view=dict(label="side", confidence=0.9, facing="right", azimuth_deg=80.0, overridden=False,
                  segments=[dict(label="side", start_s=0.0, end_s=10.0, azimuth_deg=80.0, confidence=0.9,
                                 facing="right", near_side="right")],
                  cannot_measure="filmed from the side: knee valgus/varus, knee tracking, hip shift and pelvic "
                                 "drop need a front or rear view"),
        detection_rate=1.0, reps=rep_dicts, partial_reps=[], faults=flt,
        suggestions=[dict(exercise="foot_spine", number=4, name="Foot spine (point and flex)",
                          why="your shins stayed too upright: the ankles ran out of bend; this trains the whole range",
                          instructions=["Sit with legs long.", "Point the feet."])] if faults else [],
        # The verdict analyze decided (analyzer.verdict): the report shows it, it words none of its own.
        verdict=(dict(status="faults", headline="In rep 2, your shins stayed too upright: the ankles ran out of bend.",
                      details=["Rep 2: the right shin stayed too upright: 27.0° (needs ≥ 30.0°, measured to ±1.5°)."],
                      judged=["foot", "ankle", "hip"], not_judged=[dict(link="knee", why="needs a front or rear view")])
                 if faults else
                 dict(status="clean", headline="Clean set: 3 reps, and nothing went past its limit in what was measured.",
                      details=[], judged=["foot", "ankle", "hip"], not_judged=[dict(link="knee", why="needs a front or rear view")])),
        notes=[], baselines={}, profile=dict(origin="default squat profile"),
        model=dict(path="x", name="pose_landmarker_full.task"), timings=dict(total_s=3.0, pose_fps=20.0),
    )
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    knee = 100 * np.clip(np.sin(np.pi * (t % 3.0) / 3.0), 0, None)
    with open(folder / "frames.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["frame", "time_s", "detected", "view", "rep", "phase", "rep_signal", "knee_flexion",
                    "shank_inclination", "thigh_inclination", "trunk_lean", "trunk_minus_shank", "heel_lift",
                    "left_knee_valgus"])
        for i in range(T):
            w.writerow([i, f"{t[i]:.4f}", 1, "side", "", "standing", f"{knee[i]:.3f}", f"{knee[i]:.3f}",
                        f"{0.3 * knee[i]:.3f}", f"{0.85 * knee[i]:.3f}", f"{0.35 * knee[i]:.3f}", "2.0",
                        "0.01", ""])
    if replay:
        (folder / "replay.mp4").write_bytes(b"")
    return folder


# ---------------------------------------------------------------------------------------------
# Content (fast)


EXTERNAL = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*([^"'\s>]+)|url\(\s*["']?([^"')]+)""", re.I)
ALLOWED_REFS = {"replay.mp4", "summary.json", "frames.csv", "frames.csv-metadata.json", "markers.trc", "angles.mot"}


def external_refs(page: str) -> list[str]:
    """Every reference the page makes that is not inline or one of its sibling files."""
    refs = [a or b for a, b in EXTERNAL.findall(page)]
    bad = [r for r in refs if r not in ALLOWED_REFS and not r.startswith(("#", "data:"))]
    bad += re.findall(r"(?:https?:|ftp:|wss?:)//[^\s\"'<>)]*", page)
    bad += re.findall(r"@import|<link\b|<iframe\b|<object\b|<embed\b", page, re.I)
    return bad


def test_page_is_one_self_contained_file(tmp_path):
    folder = write_folder(tmp_path / "my squat", replay=True)
    path = write_report(folder)
    assert path == folder / REPORT_NAME
    page = path.read_text(encoding="utf-8")
    assert external_refs(page) == []
    assert len(page.encode()) < MAX_PAGE_BYTES
    assert '<video id="replay" src="replay.mp4"' in page
    assert not list(folder.glob(".*.tmp"))
    # The data the plots are drawn from parses and has the shared time axis.
    data = json.loads(re.search(r'<script type="application/json" id="kinetic-data">(.*?)</script>', page, re.S)
                      .group(1).replace("<\\/", "</"))
    assert len(data["t"]) == 300 and data["duration"] == pytest.approx(10.0)
    assert {p["id"] for p in data["plots"]} >= {"depth", "ankle", "trunk"}
    ankle = next(p for p in data["plots"] if p["id"] == "ankle")
    assert [lim["y"] for lim in ankle["limits"]] == [30.0]  # the profile's threshold line


def test_a_long_recording_stays_small(tmp_path):
    """20 minutes at 30 fps: the plots are decimated, the page stays well under 2 MB."""
    page = render_report(write_folder(tmp_path / "long", frames=36_000))
    assert len(page.encode()) < MAX_PAGE_BYTES / 2


def test_headline_chain_table_and_suggestions(tmp_path):
    page = render_report(write_folder(tmp_path / "a"))
    # The top finding in plain words, with the number behind it.
    assert "In rep 2, your shins stayed too upright: the ankles ran out of bend." in page
    assert "27.0°" in page and "needs ≥ 30.0°" in page
    # Warnings seek the video to their time; reps too.
    assert re.search(r'class="warning st-bad" data-seek="4\.802"', page)
    assert 'data-seek="4.002" data-rep="2"' in page
    # The chain of the rep that shows it best (rep 2): ankle is the root, the hip followed, the
    # knee cannot be seen from the side, the lower back (no outline in this folder) is not judged.
    panel = re.search(r'data-chain-panel="2">(.*?)</div></div>', page, re.S).group(1)
    assert 'class="link st-bad is-root"' in panel and "root cause" in panel
    assert re.search(r'class="link st-warn">.*?<b>Hip</b>.*?followed', panel, re.S)
    assert re.search(r'class="link st-na">.*?<b>Knee</b>.*?needs a front or rear view', panel, re.S)
    assert "lower-back bend (estimate from the outline): not measurable in this rep" in panel
    assert re.search(r'data-chain-panel="1" hidden', page)
    # Per-rep table: the shin angle of rep 2 is flagged.
    assert re.search(r'<tr data-rep="2">.*?class="num st-bad"[^>]*>27°</td>', page, re.S)
    # Suggestions with instructions; what the view cannot measure, in plain words.
    assert "Foot spine (point and flex)" in page and "<li>Point the feet.</li>" in page
    assert "Filmed from the side: knee valgus/varus" in page


def test_clean_set_and_missing_replay(tmp_path):
    page = render_report(write_folder(tmp_path / "b", faults=False))
    assert "Clean set: 3 reps" in page
    assert "No warnings in 3 reps." in page
    assert "<video" not in page and "--no-replay" in page


def test_report_needs_an_analysis_folder(tmp_path):
    with pytest.raises(ReportError, match="no such folder"):
        load_analysis(tmp_path / "missing")
    with pytest.raises(ReportError, match="no summary.json"):
        load_analysis(tmp_path)
    (tmp_path / "summary.json").write_text('{"schema": "something/else"}')
    with pytest.raises(ReportError, match="not a kinetic summary"):
        load_analysis(tmp_path)


def test_cli_report_regenerates_pages(tmp_path, capsys):
    a = write_folder(tmp_path / "out" / "a")
    b = write_folder(tmp_path / "out" / "b", faults=False)
    assert kinetic(["report", str(a)]) == 0
    assert (a / REPORT_NAME).exists() and not (b / REPORT_NAME).exists()
    assert capsys.readouterr().out.strip() == str(a / REPORT_NAME)
    # The folder given to `analyze -o`: every analysis in it.
    assert kinetic(["report", str(tmp_path / "out")]) == 0
    assert (b / REPORT_NAME).exists()
    # Not an analysis: one line on stderr, non-zero.
    assert kinetic(["report", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no such folder" in err


def test_report_imports_no_opencv_or_mediapipe():
    code = ("import sys, analyzer.report, analyzer.report.render; "
            "bad = [m for m in ('cv2', 'mediapipe') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


# ---------------------------------------------------------------------------------------------
# Headless Chromium over the DevTools protocol (pipe transport)

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--autoplay-policy=no-user-gesture-required")


def find_chromium() -> str | None:
    for name in (os.environ.get("KINETIC_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class Chromium:
    """A headless Chromium driven over ``--remote-debugging-pipe`` (CDP messages, NUL-separated,
    on fds 3 and 4): what Puppeteer and Playwright do, in a page of code."""

    def __init__(self, exe: str, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="kinetic-chromium-")
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        # Move the child's ends above 10 so dup2 onto 3 and 4 cannot clobber them.
        c_in, c_out = fcntl.fcntl(to_child, fcntl.F_DUPFD, 10), fcntl.fcntl(from_child, fcntl.F_DUPFD, 10)
        os.close(to_child)
        os.close(from_child)

        def wire():
            os.dup2(c_in, 3)
            os.dup2(c_out, 4)

        self.proc = subprocess.Popen(
            [exe, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-pipe", "about:blank"],
            preexec_fn=wire, pass_fds=(3, 4, c_in, c_out), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(c_in)
        os.close(c_out)
        self._w = os.fdopen(from_parent, "wb", buffering=0)
        self._r = os.fdopen(to_parent, "rb", buffering=0)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def _read(self) -> dict:
        while b"\0" not in self._buf:
            chunk = self._r.read(1 << 16)
            if not chunk:
                err = self.proc.stderr.read().decode(errors="replace")[-2000:] if self.proc.stderr else ""
                raise RuntimeError(f"chromium exited: {err}")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        mid = self._id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self._w.write(json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == mid:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, session: str) -> dict:
        end = time.monotonic() + self.timeout
        while time.monotonic() < end:
            for i, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._read())
        raise TimeoutError(method)

    def page(self, width: int = 1280, height: int = 900, *, mobile: bool = False, scale: float = 1.0) -> "Tab":
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for m in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.send(m, session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile}, session=session)
        return Tab(self, session)

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.proc.wait(10)
        except Exception:
            self.proc.kill()
            self.proc.wait(10)
        finally:
            for f in (self._w, self._r, self.proc.stderr):
                try:
                    f.close()
                except Exception:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)


class Tab:
    def __init__(self, browser: Chromium, session: str) -> None:
        self.b, self.session = browser, session

    def goto(self, url: str) -> None:
        self.b.send("Page.navigate", {"url": url}, session=self.session)
        self.b.wait_event("Page.loadEventFired", self.session)

    def js(self, expr: str, *, wait: bool = False):
        r = self.b.send("Runtime.evaluate", {"expression": expr, "awaitPromise": wait, "returnByValue": True},
                        session=self.session)
        if "exceptionDetails" in r:
            raise RuntimeError(f"page script failed: {r['exceptionDetails'].get('text')} "
                               f"{r['exceptionDetails'].get('exception', {}).get('description', '')}")
        return r["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click (pressed + released) at the centre of the element."""
        box = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}});"
                      f" const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.b.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1], "button": "left",
                                                     "clickCount": 1}, session=self.session)

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser-logged errors (failed loads, CSP)."""
        self.js("0")  # drain pending events
        out = []
        for e in self.b.events:
            if e.get("sessionId") != self.session:
                continue
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in p.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append(f"exception: {d.get('text')} {d.get('exception', {}).get('description', '')}")
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        return out

    def screenshot(self, path: Path, *, full_page: bool = True) -> Path:
        params: dict = {"format": "png"}
        if full_page:
            size = self.b.send("Page.getLayoutMetrics", session=self.session)["cssContentSize"]
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        data = self.b.send("Page.captureScreenshot", params, session=self.session)["data"]
        path.write_bytes(base64.b64decode(data))
        return path


@pytest.fixture(scope="module")
def chromium():
    exe = find_chromium()
    if exe is None:
        msg = "chromium not found (Debian: apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    browser = Chromium(exe)
    yield browser
    browser.close()


WAIT_VIDEO = """new Promise(res => {
  const v = document.getElementById('replay');
  const done = () => res({readyState: v.readyState, duration: v.duration, width: v.videoWidth,
                          error: v.error ? v.error.code : null});
  if (v.readyState >= 2 || v.error) return done();
  v.addEventListener('loadeddata', done, {once: true});
  v.addEventListener('error', done, {once: true});
  setTimeout(done, 20000);
})"""

WAIT_SEEKED = """new Promise(res => {
  const v = document.getElementById('replay');
  const done = () => res(v.currentTime);
  if (!v.seeking) return setTimeout(done, 50);
  v.addEventListener('seeked', () => setTimeout(done, 50), {once: true});
  setTimeout(done, 10000);
})"""


def _shots_dir(tmp_path: Path) -> Path:
    """Screenshots go to tmp_path, and also to $KINETIC_SCREENSHOTS if set (to look at them)."""
    extra = os.environ.get("KINETIC_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        return Path(extra)
    return tmp_path


# A side clip and a front clip, each judged against a stricter profile (a coach's choice) so that
# its reps have a warning to click whatever the default thresholds are: shins >= 35 deg for the
# barbell squat; for the front clip (a clean set by the defaults: its left knee bows out ~4 deg)
# knees within 2 deg of straight.
BROWSER_CLIPS = ["backsquat_side_gym.mp4", "fms_7052.mov"]
# Both clips are clean by the defaults; a profile that no squat passes gives each a warning to
# click (what is tested here is the page, not the judgement).
STRICT = {"backsquat_side_gym.mp4": "[faults.limited_dorsiflexion]\nthreshold = 60.0\nerror_band = 1.0\n",
          "fms_7052.mov": "[faults.narrow_stance]\nthreshold = 3.0\nerror_band = 0.01\n"}


def _analysed(analyses, name, tmp_path, model_path):
    from analyzer.pipeline import AnalyzeOptions, analyze_video

    profile = tmp_path / "strict.toml"
    profile.write_text(STRICT[name])
    return analyze_video(need(VIDEOS / name), AnalyzeOptions(outdir=tmp_path / "out", model=str(model_path),
                                                             profile=str(profile), progress=False)).outdir


@pytest.mark.slow
@pytest.mark.parametrize("name", BROWSER_CLIPS)
def test_real_report_in_headless_chromium(analyses, chromium, tmp_path, model_path, name):
    out = _analysed(analyses, name, tmp_path, model_path)
    page_path = out / REPORT_NAME
    assert page_path.exists(), "kinetic analyze did not write report.html"
    html = page_path.read_text(encoding="utf-8")
    assert external_refs(html) == []
    assert len(html.encode()) < MAX_PAGE_BYTES
    summary = json.loads((out / "summary.json").read_text())
    assert summary["faults"], f"{name} should show at least one warning to click"

    tab = chromium.page(1280, 900)
    tab.goto(page_path.resolve().as_uri())
    assert tab.js("document.documentElement.getAttribute('data-ready')") == "1"
    video = tab.js(WAIT_VIDEO, wait=True)
    assert video["error"] is None and video["readyState"] >= 2, f"replay did not load/decode: {video}"
    assert video["width"] > 0
    assert video["duration"] == pytest.approx(summary["source"]["duration_s"], abs=0.1)

    # Clicking a warning moves the video to that warning's time (the last one: not the start).
    faults = summary["faults"]
    j = int(tab.js("document.querySelectorAll('.warning')[document.querySelectorAll('.warning').length - 1]"
                   ".getAttribute('data-fault')"))
    tab.click(f'.warning[data-fault="{j}"]')
    assert tab.js(WAIT_SEEKED, wait=True) == pytest.approx(faults[j]["start_s"], abs=0.01)
    assert tab.js(f"document.querySelector('.warning[data-fault=\"{j}\"]').classList.contains('active')")
    # The chain shows the rep of the warning picked.
    assert tab.js(f"!document.querySelector('[data-chain-panel=\"{faults[j]['rep']}\"]').hidden")
    # ... and so does its marker on the timeline, and a rep.
    tab.click('.tl-fault[data-fault="0"]')
    assert tab.js(WAIT_SEEKED, wait=True) == pytest.approx(faults[0]["start_s"], abs=0.01)
    rep = summary["reps"][-1]
    tab.click(f'.rep-chip[data-rep="{rep["index"]}"]')
    assert tab.js(WAIT_SEEKED, wait=True) == pytest.approx(rep["start_s"], abs=0.01)
    assert tab.js("document.querySelectorAll('figure.plot svg path.series').length") >= 2

    shot = tab.screenshot(_shots_dir(tmp_path) / f"report_{Path(name).stem}.png")
    assert shot.stat().st_size > 50_000
    assert tab.errors() == []

    # On a phone: nothing wider than the screen (tables scroll inside their box).
    phone = chromium.page(390, 844, mobile=True, scale=2)
    phone.goto(page_path.resolve().as_uri())
    assert phone.js("document.documentElement.scrollWidth") <= 390
    phone.screenshot(_shots_dir(tmp_path) / f"report_{Path(name).stem}_phone.png")
    assert phone.errors() == []


WAIT_BOTH = """new Promise(res => {
  const vs = [document.getElementById('video-a'), document.getElementById('video-b')];
  const ready = () => vs.every(v => v.readyState >= 2 && !v.seeking);
  const done = () => res(vs.map(v => ({t: v.currentTime, ready: v.readyState, error: v.error ? v.error.code : null})));
  const poll = () => ready() ? setTimeout(done, 50) : setTimeout(poll, 50);
  poll();
  setTimeout(done, 20000);
})"""


@pytest.mark.slow
def test_compare_page_plays_both_and_a_rep_click_seeks_both(analyses, chromium, tmp_path, model_path):
    """kinetic compare on two analyses of the same squats (B starts 0.5 s later, so its clock is
    shifted): both replays load, and a click on rep 2 puts each at its own rep 2's bottom."""
    import subprocess
    import sys

    from analyzer.pipeline import AnalyzeOptions, analyze_video

    demo = ROOT / "analyzer" / "demo" / "demo_side.mp4"
    a = analyses.run(demo, replay=True)
    b = analyze_video(demo, AnalyzeOptions(outdir=tmp_path / "later", model=str(model_path), progress=False,
                                           start=0.5)).outdir
    page = tmp_path / "compare.html"
    proc = subprocess.run([sys.executable, "-m", "analyzer.cli", "compare", str(a), str(b), "-o", str(page)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    html = page.read_text(encoding="utf-8")
    srcs = re.findall(r'\bsrc="([^"]*)"', html)
    assert sorted(srcs) == sorted([os.path.relpath(a / "replay.mp4", tmp_path), "later/demo_side/replay.mp4"])
    assert not re.findall(r"(?:https?:|wss?:)//", html) and "<link" not in html
    sa, sb = (json.loads((d / "summary.json").read_text()) for d in (a, b))
    assert len(sa["reps"]) == len(sb["reps"]) == 2
    tab = chromium.page()
    tab.goto(page.as_uri())
    assert tab.js("document.body.getAttribute('data-ready')") == "1"
    before = tab.js(WAIT_BOTH, wait=True)
    assert all(v["ready"] >= 2 and v["error"] is None for v in before), before
    tab.click('tr.rep[data-rep="2"]')
    after = tab.js(WAIT_BOTH, wait=True)
    assert after[0]["t"] == pytest.approx(sa["reps"][1]["bottom_s"], abs=0.04)
    assert after[1]["t"] == pytest.approx(sb["reps"][1]["bottom_s"], abs=0.04)  # its own clock: 0.5 s earlier
    assert abs(after[0]["t"] - after[1]["t"]) == pytest.approx(0.5, abs=0.05)
    assert tab.errors() == []
    tab.screenshot(_shots_dir(tmp_path) / "compare.png")
