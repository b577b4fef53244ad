"""The reliability matrix: hostile input, signals, full disks, bad files, telemetry, tried for real.

    python bench/reliability.py --out docs/reliability.md [--only ID ...] [--model PATH]

Each case runs the real ``kinetic`` command (or, where a fault must be injected, the same code
in-process) on clips made from ``analyzer/demo/demo_side.mp4`` and checks what a user would see: the
exit status, the one line on stderr, and what is left on disk. ``tests/test_robustness.py``
runs every case here as a test, so the matrix and the tests cannot disagree.

A case whose requirement is missing here (chromium, strace, root for a tmpfs mount) raises
:class:`Missing`: the matrix says "skipped: why", the test skips (fails under CI=true).
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "analyzer" / "demo" / "demo_side.mp4"
SHARED_MODEL = ROOT.parent / "shared" / "models" / "pose_landmarker_full.task"


class Missing(Exception):
    """A requirement of the case is not on this machine; ``str()`` says which."""


@dataclass
class Outcome:
    ok: bool
    result: str


@dataclass
class Case:
    id: str
    group: str
    name: str
    expected: str
    run: Callable[["Context"], Outcome]


class Context:
    """Scratch space and helpers shared by the cases of one run."""

    def __init__(self, tmp: Path, model: Path) -> None:
        self.tmp = Path(tmp)
        self.model = Path(model)
        self._clips: dict[int, Path] = {}
        self._analysis: Path | None = None

    def dir(self, name: str) -> Path:
        d = self.tmp / f"{name}-{uuid.uuid4().hex[:6]}"
        d.mkdir(parents=True)
        return d

    def clip(self, frames: int | None = None) -> Path:
        """The demo clip (``frames=None``) or a copy of its first ``frames`` frames."""
        if frames is None:
            return SAMPLE
        if frames not in self._clips:
            import av

            dst = self.tmp / f"demo_first{frames}.mp4"
            with av.open(str(SAMPLE)) as src, av.open(str(dst), "w") as out:
                s_in = src.streams.video[0]
                s = out.add_stream("libx264", rate=30)
                s.width, s.height, s.pix_fmt = s_in.width, s_in.height, "yuv420p"
                for i, frame in enumerate(src.decode(s_in)):
                    if i >= frames:
                        break
                    for p in s.encode(av.VideoFrame.from_ndarray(frame.to_ndarray(format="rgb24"), format="rgb24")):
                        out.mux(p)
                for p in s.encode():
                    out.mux(p)
            self._clips[frames] = dst
        return self._clips[frames]

    def analysis(self) -> Path:
        """One finished analysis folder of the demo clip (no replay), made once."""
        if self._analysis is None:
            out = self.dir("analysis")
            proc = kinetic("analyze", SAMPLE, "-o", out, "--model", self.model, "-q", "--no-replay")
            if proc.returncode != 0:
                raise RuntimeError(f"the reference analysis failed: {proc.stderr.strip()}")
            self._analysis = out / SAMPLE.stem
        return self._analysis

    def copy_analysis(self, name: str) -> Path:
        dst = self.dir(name) / "a"
        shutil.copytree(self.analysis(), dst)
        return dst


# --------------------------------------------------------------------------------------------- helpers

def kinetic(*args, env: dict | None = None, timeout: float = 600, cwd=None) -> subprocess.CompletedProcess:
    e = dict(os.environ if env is None else env, PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, "-m", "analyzer.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=e, cwd=cwd or ROOT)


def popen(*args, env: dict | None = None) -> subprocess.Popen:
    e = dict(os.environ if env is None else env, PYTHONWARNINGS="ignore")
    return subprocess.Popen([sys.executable, "-m", "analyzer.cli", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=e, cwd=ROOT)


def err_lines(proc) -> list[str]:
    return [ln for ln in proc.stderr.splitlines() if ln.startswith("kinetic:")]


def one_line_error(proc, *fragments: str, code: int = 1) -> tuple[bool, str]:
    """(ok, first error line): exit ``code``, no traceback, one kinetic: line holding every fragment."""
    lines = err_lines(proc)
    first = lines[0] if lines else proc.stderr.strip()[-200:]
    ok = (proc.returncode == code and "Traceback" not in proc.stderr and len(lines) >= 1
          and all(any(f in ln for ln in lines) for f in fragments))
    return ok, f"exit {proc.returncode}: {first}"


def listing(d: Path) -> list[str]:
    """Every entry under ``d``, hidden ones included, as relative paths."""
    if not d.exists():
        return []
    return sorted(str(p.relative_to(d)) for p in d.rglob("*"))


def hidden(d: Path) -> list[str]:
    return [p for p in listing(d) if any(part.startswith(".") for part in Path(p).parts)]


def wait_for(pred, timeout: float = 120.0, step: float = 0.1) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return False


def partials(d: Path) -> list[Path]:
    return [p for p in d.iterdir() if ".partial-" in p.name] if d.exists() else []


def procs_left(marker: str, grace_s: float = 5.0) -> list[int]:
    """The marked processes still alive ``grace_s`` after the parent ended (then killed)."""
    wait_for(lambda: not procs_with_marker(marker), grace_s, step=0.2)
    left = procs_with_marker(marker)
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return left


def procs_with_marker(marker: str) -> list[int]:
    """Live processes whose environment holds ``KINETIC_TEST_MARK=marker``."""
    found = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            env = (p / "environ").read_bytes()
        except OSError:
            continue
        if f"KINETIC_TEST_MARK={marker}".encode() in env:
            try:
                state = (p / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state != "Z":
                found.append(int(p.name))
    return found


# --------------------------------------------------------------------------------------------- names

def _names_dotdot(ctx: Context) -> Outcome:
    out = ctx.dir("names")
    (out / "earlier").mkdir()
    (out / "earlier" / "summary.json").write_text("{}")
    (out / "notes.txt").write_text("mine")
    clip = ctx.dir("in") / "..mp4"
    shutil.copy(ctx.clip(60), clip)
    proc = kinetic("analyze", clip, "-o", out, "--model", ctx.model, "-q", "--no-replay")
    names = sorted(p.name for p in out.iterdir())
    ok = proc.returncode == 0 and names == ["earlier", "notes.txt", "video"] and (out / "video" / "summary.json").exists()
    return Outcome(ok, f"exit {proc.returncode}; -o holds {names}")


def _names_dotdotdot(ctx: Context) -> Outcome:
    parent = ctx.dir("names3")
    out = parent / "out"
    clip = ctx.dir("in") / "...mp4"
    shutil.copy(ctx.clip(60), clip)
    before = sorted(p.name for p in parent.iterdir())
    proc = kinetic("analyze", clip, "-o", out, "--model", ctx.model, "-q", "--no-replay")
    ok = (proc.returncode == 0 and sorted(p.name for p in out.iterdir()) == ["video"]
          and sorted(p.name for p in parent.iterdir()) == sorted(before + ["out"]))
    return Outcome(ok, f"exit {proc.returncode}; -o holds {sorted(p.name for p in out.iterdir())}, parent untouched")


def _names_outdir_dot(ctx: Context) -> Outcome:
    cwd = ctx.dir("cwd")
    clip = cwd / "my squat.mp4"
    shutil.copy(ctx.clip(60), clip)
    proc = kinetic("analyze", clip.name, "-o", ".", "--model", ctx.model, "-q", "--no-replay", cwd=cwd)
    ok = proc.returncode == 0 and (cwd / "my squat" / "summary.json").exists() and not hidden(cwd)
    return Outcome(ok, f"exit {proc.returncode}; {sorted(p.name for p in cwd.iterdir())}")


def _names_hidden(ctx: Context) -> Outcome:
    out = ctx.dir("hidden")
    clip = ctx.dir("in") / ".secret.mp4"
    shutil.copy(ctx.clip(60), clip)
    proc = kinetic("analyze", clip, "-o", out, "--model", ctx.model, "-q", "--no-replay")
    ok = proc.returncode == 0 and listing(out) and sorted(p.name for p in out.iterdir()) == ["secret"]
    return Outcome(ok, f"exit {proc.returncode}; -o holds {sorted(p.name for p in out.iterdir())}")


def _names_file_in_the_way(ctx: Context) -> Outcome:
    out = ctx.dir("blocked")
    (out / "clip").write_text("my notes")
    clip = ctx.dir("in") / "clip.mp4"
    shutil.copy(ctx.clip(60), clip)
    proc = kinetic("analyze", clip, "-o", out, "--model", ctx.model, "-q", "--no-replay")
    ok, line = one_line_error(proc, "is a file, not a result folder")
    ok = ok and listing(out) == ["clip"] and (out / "clip").read_text() == "my notes"
    return Outcome(ok, f"{line}; left: {listing(out)}")


def _names_user_folder_in_the_way(ctx: Context) -> Outcome:
    out = ctx.dir("userdir")
    (out / "clip").mkdir()
    (out / "clip" / "thesis.txt").write_text("precious")
    clip = ctx.dir("in") / "clip.mp4"
    shutil.copy(ctx.clip(60), clip)
    proc = kinetic("analyze", clip, "-o", out, "--model", ctx.model, "-q", "--no-replay")
    ok, line = one_line_error(proc, "not a kinetic result")
    ok = ok and listing(out) == ["clip", "clip/thesis.txt"]
    return Outcome(ok, f"{line}; left: {listing(out)}")


def _names_rerun_replaces(ctx: Context) -> Outcome:
    out = ctx.dir("rerun")
    clip = ctx.clip(60)
    a = kinetic("analyze", clip, "-o", out, "--model", ctx.model, "-q", "--no-replay")
    first = (out / clip.stem / "summary.json").stat().st_ino
    b = kinetic("analyze", clip, "-o", out, "--model", ctx.model, "-q", "--no-replay")
    second = (out / clip.stem / "summary.json").stat().st_ino
    ok = a.returncode == 0 and b.returncode == 0 and first != second and not hidden(out)
    return Outcome(ok, f"exits {a.returncode}, {b.returncode}; replaced, hidden leftovers: {hidden(out)}")


def _names_unit(ctx: Context) -> Outcome:
    from analyzer.cli import _unique_names
    from analyzer.folders import safe_name

    cases = {".": "video", "..": "video", "...": "video", "": "video", ".hidden": "hidden", "a/b": "a_b",
             "  spaced  ": "spaced", "tab\there": "tab_here", "x" * 300: "x" * 200, "ok.": "ok"}
    bad = {k: safe_name(k) for k, v in cases.items() if safe_name(k) != v}
    uniq = _unique_names(["a.mp4", "b/a.mov", "a-2.mp4", "..mp4", "...mp4"])
    ok = not bad and uniq == ["a", "a-2", "a-2-2", "video", "video-2"]
    return Outcome(ok, f"wrong: {bad or 'none'}; batch names {uniq}")


# --------------------------------------------------------------------------------------------- full disk

def _disk_tmpfs(ctx: Context) -> Outcome:
    if os.geteuid() != 0 or not shutil.which("mount"):
        raise Missing("mounting a small tmpfs needs root")
    ref = ctx.dir("ref")
    clip = ctx.clip(60)
    proc = kinetic("analyze", clip, "-o", ref, "--model", ctx.model, "-q", "--no-replay")
    if proc.returncode != 0:
        return Outcome(False, f"reference run failed: {proc.stderr.strip()[-200:]}")
    sizes = {p.name: p.stat().st_size for p in (ref / clip.stem).iterdir()}
    pages = sum(-(-v // 4096) for k, v in sizes.items() if k != "report.html")
    size_kb = 4 * pages + 8  # room for everything but the report
    mnt = ctx.dir("full")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        raise Missing(f"cannot mount a tmpfs here ({r.stderr.strip()})")
    try:
        proc = kinetic("analyze", clip, "-o", mnt, "--model", ctx.model, "-q", "--no-replay")
        left = listing(mnt)
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)
    ok, line = one_line_error(proc, "no space left on device", "nothing was saved")
    return Outcome(ok and left == [], f"{size_kb} KB disk: {line}; left on it: {left}")


def _disk_enospc(ctx: Context, target: str) -> Outcome:
    """ENOSPC injected into the write of ``target`` (in-process, the real pipeline)."""
    import builtins

    from analyzer import atomic
    from analyzer.pipeline import AnalysisError, AnalyzeOptions, analyze_video

    out = ctx.dir(f"enospc-{target}")
    real_open = builtins.open

    class Full:
        def __init__(self, f):
            self.f = f

        def write(self, data):
            self.f.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    def fake_open(path, mode="r", *a, **kw):
        f = real_open(path, mode, *a, **kw)
        return Full(f) if Path(path).name == f".{target}.tmp" and "w" in mode else f

    atomic.open = fake_open  # atomic_open's module-level lookup finds this before the builtin
    try:
        analyze_video(ctx.clip(60), AnalyzeOptions(outdir=out, model=str(ctx.model), replay=False, progress=False))
        return Outcome(False, f"no error; published {listing(out)}")
    except AnalysisError as exc:
        msg = str(exc)
        ok = "no space left on device" in msg and target in msg and listing(out) == []
        return Outcome(ok, f"AnalysisError: {msg}; left: {listing(out)}")
    finally:
        del atomic.open


def _disk_fsync_before_rename(ctx: Context) -> Outcome:
    from analyzer import folders
    from analyzer.pipeline import AnalyzeOptions, analyze_video

    out = ctx.dir("fsync")
    events = []
    real_tree, real_path = folders.fsync_tree, folders.fsync_path

    def spy_tree(p):
        events.append(("fsync_tree", Path(p).name, sorted(x.name for x in Path(p).iterdir())))
        real_tree(p)

    def spy_path(p):
        events.append(("fsync_dir", Path(p).name, (out / ctx.clip(60).stem).exists()))
        real_path(p)

    folders.fsync_tree, folders.fsync_path = spy_tree, spy_path
    try:
        analyze_video(ctx.clip(60), AnalyzeOptions(outdir=out, model=str(ctx.model), replay=False, progress=False))
    finally:
        folders.fsync_tree, folders.fsync_path = real_tree, real_path
    ok = (len(events) == 2 and events[0][0] == "fsync_tree" and events[0][1].startswith(".") and
          "report.html" in events[0][2] and events[1] == ("fsync_dir", out.name, True))
    return Outcome(ok, f"{events[0][0]} of the hidden work folder ({len(events[0][2])} files), then rename, "
                       f"then fsync of {events[1][1] if len(events) > 1 else '?'}" if events else "no fsync seen")


# --------------------------------------------------------------------------------------------- still images

def _image(ctx: Context, fmt: str, name: str) -> Outcome:
    import numpy as np
    from PIL import Image

    d = ctx.dir("img")
    path = d / name
    img = (np.random.default_rng(0).random((240, 320, 3)) * 255).astype(np.uint8)
    Image.fromarray(img).save(path, format=fmt)
    proc = kinetic("analyze", path, "-o", d / "out", "--model", ctx.model, "-q")
    ok, line = one_line_error(proc, "a still image", "not a video")
    return Outcome(ok and listing(d / "out") == [], line)


def _one_frame(ctx: Context) -> Outcome:
    d = ctx.dir("oneframe")
    shutil.copy(ctx.clip(1), d / "one.mp4")
    proc = kinetic("analyze", d / "one.mp4", "-o", d / "out", "--model", ctx.model, "-q")
    ok, line = one_line_error(proc, "only one frame")
    return Outcome(ok and listing(d / "out") == [], line)


def _too_short(ctx: Context) -> Outcome:
    d = ctx.dir("short")
    shutil.copy(ctx.clip(12), d / "blink.mp4")
    proc = kinetic("analyze", d / "blink.mp4", "-o", d / "out", "--model", ctx.model, "-q")
    ok, line = one_line_error(proc, "far too short")
    return Outcome(ok and listing(d / "out") == [], line)


# --------------------------------------------------------------------------------------------- report

def _report_malformed(ctx: Context, mutate: Callable[[dict], None], fragment: str) -> Outcome:
    good = ctx.copy_analysis("good")
    bad = good.parent / "b_bad"
    shutil.copytree(good, bad)
    (good / "report.html").unlink()
    s = json.loads((bad / "summary.json").read_text())
    mutate(s)
    (bad / "summary.json").write_text(json.dumps(s))
    proc = kinetic("report", good.parent)
    ok, line = one_line_error(proc, fragment)
    ok = ok and (good / "report.html").exists() and len(err_lines(proc)) == 1
    return Outcome(ok, f"{line}; the good folder's report built: {(good / 'report.html').exists()}")


def _set(path: str, value=None, delete: bool = False):
    def mutate(s: dict) -> None:
        *head, last = path.split(".")
        t = s
        for k in head:
            t = t[int(k)] if isinstance(t, list) else t[k]
        if delete:
            del t[last]
        else:
            t[int(last) if isinstance(t, list) else last] = value
    return mutate


def _report_fuzz(ctx: Context) -> Outcome:
    """Every field of a real summary replaced by values of the wrong kind, one at a time: the
    report is built or refused with a one-line ReportError, never anything else."""
    from analyzer.report import ReportError, render_report

    folder = ctx.copy_analysis("fuzz")
    base = json.loads((folder / "summary.json").read_text())

    def leaves(x, path=()):
        yield path
        if isinstance(x, dict):
            for k, v in x.items():
                yield from leaves(v, path + (k,))
        elif isinstance(x, list):
            for i, v in enumerate(x[:2]):
                yield from leaves(v, path + (i,))

    n = refused = 0
    crashes = []
    for p in list(leaves(base))[1:]:
        for bad in ("6.6", None, [], {}, -1, 1e308, True, float("nan"), "DEL"):
            s = copy.deepcopy(base)
            t = s
            for k in p[:-1]:
                t = t[k]
            if bad == "DEL":
                if not isinstance(t, dict):
                    continue
                del t[p[-1]]
            else:
                t[p[-1]] = bad
            (folder / "summary.json").write_text(json.dumps(s))
            n += 1
            try:
                render_report(folder)
            except ReportError as exc:
                refused += 1
                if "\n" in str(exc):
                    crashes.append((".".join(map(str, p)), repr(bad), "multi-line error"))
            except Exception as exc:  # noqa: BLE001 - exactly what this case hunts for
                crashes.append((".".join(map(str, p)), repr(bad), f"{exc.__class__.__name__}: {exc}"))
    return Outcome(not crashes, f"{n} malformed summaries: {refused} refused in one line, {n - refused - len(crashes)} "
                                f"built, {len(crashes)} crashed{': ' + str(crashes[:3]) if crashes else ''}")


# --------------------------------------------------------------------------------------------- XSS

PAYLOAD = ('"\'><img src=x data-xss="{n}" onerror="window.__xss=(window.__xss||[]).concat({n})">'
           '<script>window.__xss=(window.__xss||[]).concat({n})</script><!--')


def _string_leaves(x, path=()):
    if isinstance(x, str):
        yield path
    elif isinstance(x, dict):
        for k, v in x.items():
            yield from _string_leaves(v, path + (k,))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _string_leaves(v, path + (i,))


def _number_leaves(x, path=()):
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        yield path
    elif isinstance(x, dict):
        for k, v in x.items():
            yield from _number_leaves(v, path + (k,))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _number_leaves(v, path + (i,))


def _put(s, path, value):
    t = s
    for k in path[:-1]:
        t = t[k]
    t[path[-1]] = value


def hostile_summary(base: dict) -> tuple[dict, int, int]:
    """``base`` with a numbered script/markup payload in every string field the schema lets be
    any text, and every number field tried with one (all must be refused). Returns (summary,
    fields injected, number fields refused)."""
    from analyzer.report.schema import SchemaError, validate_summary

    s = copy.deepcopy(base)
    injected = 0
    for i, p in enumerate(_string_leaves(base)):
        if p == ("schema",):
            continue
        trial = copy.deepcopy(s)
        _put(trial, p, PAYLOAD.format(n=i))
        try:
            validate_summary(trial)
        except SchemaError:
            continue  # an enumerated field (a link name): a payload there is refused, not shown
        s = trial
        injected += 1
    refused = 0
    for p in _number_leaves(base):
        trial = copy.deepcopy(s)
        _put(trial, p, PAYLOAD.format(n=9999))
        try:
            validate_summary(trial)
        except SchemaError:
            refused += 1
    return s, injected, refused


def _xss(ctx: Context) -> Outcome:
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from test_report import Chromium, find_chromium
    except ImportError as exc:
        raise Missing(f"the test helpers need pytest ({exc})") from None
    exe = find_chromium()
    if exe is None:
        raise Missing("chromium not found (Debian: apt-get install -y chromium)")
    from analyzer.report import write_report

    folder = ctx.copy_analysis("xss")
    base = json.loads((folder / "summary.json").read_text())
    s, injected, refused = hostile_summary(base)
    numbers = len(list(_number_leaves(base)))
    (folder / "summary.json").write_text(json.dumps(s))
    page_path = write_report(folder)
    page = page_path.read_text()
    browser = Chromium(exe)
    try:
        tab = browser.page(1280, 900)
        tab.goto(page_path.as_uri())
        time.sleep(0.5)
        state = tab.js("""(() => ({xss: window.__xss || null,
            injected: document.querySelectorAll('[data-xss], img[src="x"]').length,
            scripts: document.scripts.length, ready: document.documentElement.dataset.ready || null,
            shown: document.body.textContent.includes('window.__xss=(window.__xss||[]).concat(')}))()""")
        dialogs = [e for e in browser.events if e.get("method") == "Page.javascriptDialogOpening"]
    finally:
        browser.close()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    ok = (state["xss"] is None and state["injected"] == 0 and state["scripts"] == 2 and state["ready"] == "1"
          and state["shown"] and not dialogs and "unsafe-inline" not in script_src and script_src.startswith("'sha256-")
          and refused == numbers)
    return Outcome(ok, f"{injected} string fields carry a payload: none ran (window.__xss={state['xss']}, "
                       f"{state['injected']} injected elements, {len(dialogs)} dialogs), shown as text: {state['shown']}, "
                       f"page script ran under the CSP: {state['ready'] == '1'}; {refused} of {numbers} number fields "
                       f"refused a payload; script-src {script_src[:20]}…")


# --------------------------------------------------------------------------------------------- profiles

def _profile(ctx: Context, text: str, *fragments: str) -> Outcome:
    d = ctx.dir("profile")
    prof = d / "mine.toml"
    prof.write_text(text)
    start = time.monotonic()
    # The full demo clip: decoding it at all would take seconds; the error must come first.
    proc = kinetic("analyze", SAMPLE, "-o", d / "out", "--profile", prof, "--model", ctx.model, "-q")
    took = time.monotonic() - start
    ok, line = one_line_error(proc, "mine.toml", *fragments)
    return Outcome(ok and listing(d / "out") == [], f"{line} ({took:.1f} s)")


def _profile_before_decoding(ctx: Context) -> Outcome:
    """A bad value in [signals] is refused before a single frame is decoded (in-process)."""
    from analyzer import capture, pipeline

    d = ctx.dir("profile-early")
    prof = d / "p.toml"
    prof.write_text("[signals]\ncutoff_hz = 'six'\n")
    decoded = []
    real = pipeline.iter_frames

    def spy(*a, **kw):
        decoded.append(a)
        return real(*a, **kw)

    pipeline.iter_frames = capture.iter_frames = spy
    try:
        pipeline.analyze_video(SAMPLE, pipeline.AnalyzeOptions(outdir=d / "out", model=str(ctx.model), profile=str(prof),
                                                               progress=False))
        return Outcome(False, "accepted")
    except pipeline.AnalysisError as exc:
        return Outcome(not decoded and "cutoff_hz" in str(exc), f"{exc}; frames decoded first: {len(decoded)}")
    finally:
        pipeline.iter_frames = capture.iter_frames = real


# --------------------------------------------------------------------------------------------- models

def _model(ctx: Context, make: Callable[[Path], Path], *fragments: str) -> Outcome:
    d = ctx.dir("model")
    model = make(d)
    start = time.monotonic()
    proc = kinetic("analyze", ctx.clip(60), "-o", d / "out", "--model", model, "-q")
    took = time.monotonic() - start
    ok, line = one_line_error(proc, *fragments)
    return Outcome(ok and listing(d / "out") == [], f"{line[:160]} ({took:.1f} s)")


def _random_model(d: Path) -> Path:
    p = d / "model.task"
    p.write_bytes(os.urandom(200_000))
    return p


def _empty_model(d: Path) -> Path:
    p = d / "model.task"
    p.write_bytes(b"")
    return p


def _truncated_named(ctx: Context) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        p = d / "pose_landmarker_full.task"
        p.write_bytes(ctx.model.read_bytes()[:-1])
        return p
    return make


def _near_pin(ctx: Context) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        p = d / "my_model.task"
        data = bytearray(ctx.model.read_bytes()[:-4096])
        p.write_bytes(bytes(data))
        return p
    return make


def _live_bad_model(ctx: Context) -> Outcome:
    d = ctx.dir("livemodel")
    bad = _random_model(d)
    proc = kinetic("live", "--source", ctx.clip(60), "--no-window", "--no-record", "--model", bad, "-q",
                   "--duration", "3", timeout=120)
    ok, line = one_line_error(proc, "not a usable PoseLandmarker model", code=1)
    return Outcome(ok, line[:160])


# --------------------------------------------------------------------------------------------- signals

def _signal_analyze(ctx: Context, sig: signal.Signals) -> Outcome:
    out = ctx.dir(f"sig-{sig.name}")
    p = popen("analyze", SAMPLE, "-o", out, "--model", ctx.model, "-q")
    # Once the pose pass has saved landmarks.npz, the replay is being written: the moment the
    # issue found a half-written hidden folder left behind.
    if not wait_for(lambda: any(any(x.iterdir()) for x in partials(out)), 120, step=0.02):
        p.kill()
        return Outcome(False, "the run never wrote anything")
    written = sorted(f.name for x in partials(out) for f in x.iterdir())
    p.send_signal(sig)
    _, stderr = p.communicate(timeout=60)
    lines = [ln for ln in stderr.splitlines() if ln.startswith("kinetic:")]
    ok = (p.returncode == 128 + sig and "Traceback" not in stderr and lines and f"interrupted ({sig.name})" in lines[0]
          and listing(out) == [])
    return Outcome(ok, f"signalled with {written} written; exit {p.returncode}: {lines[0] if lines else stderr[-120:]}; "
                       f"left: {listing(out)}")


def _stale_partial(ctx: Context) -> Outcome:
    out = ctx.dir("stale")
    p = popen("analyze", SAMPLE, "-o", out, "--model", ctx.model, "-q")
    if not wait_for(lambda: partials(out) and any(x.iterdir() for x in partials(out)), 120):
        p.kill()
        return Outcome(False, "the run never wrote anything")
    p.kill()  # SIGKILL: no cleanup can run
    p.wait()
    stale = [x.name for x in partials(out)]
    proc = kinetic("analyze", ctx.clip(60), "-o", out, "--model", ctx.model, "-q", "--no-replay")
    ok = stale and proc.returncode == 0 and listing(out) and not hidden(out)
    return Outcome(bool(ok), f"SIGKILL left {stale}; the next run (exit {proc.returncode}) left hidden: {hidden(out)}")


def _jobs_signal(ctx: Context, sig: signal.Signals) -> Outcome:
    d = ctx.dir(f"jobs-{sig.name}")
    clips = []
    for i in range(4):
        clips.append(d / f"clip{i}.mp4")
        shutil.copy(SAMPLE, clips[-1])
    out = d / "out"
    marker = uuid.uuid4().hex
    p = subprocess.Popen([sys.executable, "-m", "analyzer.cli", "analyze", *map(str, clips), "-o", str(out), "--model",
                          str(ctx.model), "-q", "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, KINETIC_TEST_MARK=marker, PYTHONWARNINGS="ignore"), cwd=ROOT,
                         start_new_session=True)
    if not wait_for(lambda: len(partials(out)) >= 2, 180):
        os.killpg(p.pid, signal.SIGKILL)
        return Outcome(False, "the workers never started")
    time.sleep(1.0)
    if sig == signal.SIGINT:
        os.killpg(p.pid, sig)  # Ctrl-C: the terminal signals the whole process group
    else:
        p.send_signal(sig)
    _, stderr = p.communicate(timeout=90)
    left_procs = procs_left(marker)
    lines = [ln for ln in stderr.splitlines() if ln.startswith("kinetic:")]
    line = lines[-1] if lines else stderr[-200:]
    ok = (p.returncode == 128 + sig and "Traceback" not in stderr and "cancelled before they started: clip2.mp4, clip3.mp4"
          in line and not partials(out) and not left_procs)
    return Outcome(ok, f"exit {p.returncode}: {line}; partial folders {len(partials(out))}, processes left {len(left_procs)}")


def _live_sigterm(ctx: Context) -> Outcome:
    from analyzer.capture import probe

    d = ctx.dir("livesig")
    marker = uuid.uuid4().hex
    p = subprocess.Popen([sys.executable, "-m", "analyzer.cli", "live", "--source", str(SAMPLE), "--loop", "--no-window",
                          "--record", str(d), "--model", str(ctx.model), "-q", "--no-replay"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, KINETIC_TEST_MARK=marker, PYTHONWARNINGS="ignore"), cwd=ROOT)
    if not wait_for(lambda: any(any(x.iterdir()) for x in partials(d)), 120):  # the recording's temp file
        p.kill()
        return Outcome(False, "the session never started recording")
    time.sleep(5.0)
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=120)
    left_procs = procs_left(marker)
    sessions = [x for x in d.iterdir() if x.name.startswith("live-")]
    info = None
    if sessions and (sessions[0] / "recording.mp4").exists():
        info = probe(sessions[0] / "recording.mp4")
    ok = p.returncode == 0 and len(sessions) == 1 and info is not None and info.frames > 30 and not left_procs \
        and not partials(d)
    return Outcome(ok, f"exit {p.returncode}; saved {[x.name for x in sessions]}, recording "
                       f"{f'{info.frames} frames, {info.duration_s:.1f} s, playable' if info else 'missing'}; "
                       f"processes left {len(left_procs)}")


# --------------------------------------------------------------------------------------------- live names

def _claim(args) -> str:
    parent, name, start = args
    while time.time() < start:
        time.sleep(0.001)
    from analyzer.live.session import new_session_folder

    work, final = new_session_folder(Path(parent), name)
    time.sleep(0.5)  # both hold their claims at once
    return final.name


def _live_same_second(ctx: Context) -> Outcome:
    import multiprocessing as mp

    from analyzer.live.session import session_name

    d = ctx.dir("livenames")
    name = session_name()
    start = time.time() + 3.0
    with mp.get_context("spawn").Pool(2) as pool:
        got = pool.map(_claim, [(str(d), name, start)] * 2)
    return Outcome(len(set(got)) == 2, f"two sessions named {name} at once got {got}")


# --------------------------------------------------------------------------------------------- telemetry

def _traced(ctx: Context, *args) -> Outcome:
    if not shutil.which("strace"):
        raise Missing("strace not found (Debian: apt-get install -y strace)")
    d = ctx.dir("trace")
    log = d / "net.log"
    cmd = ["strace", "-f", "-qq", "-e", "trace=network", "-o", str(log), sys.executable, "-m", "analyzer.cli",
           *[str(a).replace("{d}", str(d)) for a in args]]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env=dict(os.environ, PYTHONWARNINGS="ignore"))
    if proc.returncode != 0 and "PTRACE" in proc.stderr.upper():
        raise Missing(f"strace cannot trace here ({proc.stderr.strip()[-120:]})")
    text = log.read_text()
    inet = [ln for ln in text.splitlines() if re.search(r"\b(connect|sendto|sendmsg|sendmmsg)\(", ln)
            and ("AF_INET" in ln or "htons(" in ln)]
    named = "googleapis" in text
    ok = proc.returncode == 0 and not inet and not named
    return Outcome(ok, f"exit {proc.returncode}; {len(text.splitlines())} network syscalls traced, "
                       f"{len(inet)} reach an IP address, play.googleapis.com looked up: {named}")


# --------------------------------------------------------------------------------------------- memory, jobs

def _jobs_cap(ctx: Context) -> Outcome:
    from analyzer.batch import available_mb, job_cap

    cores = len(os.sched_getaffinity(0))
    n, why = job_cap(64)
    return Outcome(1 <= n <= cores and bool(why), f"--jobs 64 runs {n} ({why}; {available_mb() / 1024:.1f} GB available)")


# --------------------------------------------------------------------------------------------- detection

STABLE_CLIP = ROOT.parent / "shared" / "data" / "videos" / "deepsquat_side_bodyweight.mp4"


def _encode_variant(frames, fps: float, path: Path, rotation: int = 0, crf: int = 20) -> Path:
    """``frames`` (upright RGB) re-encoded at ``crf``, stored turned by ``rotation`` degrees with
    a display matrix that turns them back: the same picture for anyone who honours it."""
    import av
    import numpy as np

    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=round(fps), options={"preset": "ultrafast", "crf": str(crf)})
        s.height, s.width = np.rot90(frames[0], k=-(rotation // 90)).shape[:2]
        s.pix_fmt = "yuv420p"
        if rotation:
            s.set_display_rotation(rotation)
        for img in frames:
            stored = np.ascontiguousarray(np.rot90(img, k=-(rotation // 90)))
            for p in s.encode(av.VideoFrame.from_ndarray(stored, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def _detection_stable(ctx: Context) -> Outcome:
    if not STABLE_CLIP.exists():
        raise Missing(f"test footage missing: {STABLE_CLIP}")
    from analyzer.capture import iter_frames, probe

    d = ctx.dir("stable")
    frames = [f.rgb.copy() for f in iter_frames(STABLE_CLIP)]
    fps = probe(STABLE_CLIP).fps
    variants = {"original": STABLE_CLIP}
    for rot, crf in ((0, 18), (0, 28), (90, 20), (180, 20), (270, 20)):
        variants[f"rot{rot}-crf{crf}"] = _encode_variant(frames, fps, d / f"v_r{rot}_c{crf}.mp4", rot, crf)
    got = {}
    for label, path in variants.items():
        out = d / "out"
        proc = kinetic("analyze", path, "-o", out, "--model", ctx.model, "-q", "--no-replay")
        if proc.returncode != 0:
            got[label] = f"exit {proc.returncode}"
            continue
        s = json.loads((out / path.stem / "summary.json").read_text())
        got[label] = f"{s['exercise']} x{len(s['reps'])}"
    ok = len(set(got.values())) == 1 and next(iter(got.values())).startswith("squat")
    return Outcome(ok, ", ".join(f"{k}: {v}" for k, v in got.items()))


# --------------------------------------------------------------------------------------------- the catalog

def _cases() -> list[Case]:
    c = []

    def add(id, group, name, expected, run):
        c.append(Case(id, group, name, expected, run))

    add("names-dotdot", "names", "a video called `..mp4`", "folder `video/`; earlier results in -o untouched", _names_dotdot)
    add("names-dotdotdot", "names", "a video called `...mp4`", "folder `video/`; the parent of -o untouched", _names_dotdotdot)
    add("names-outdir-dot", "names", "`-o .`", "the result folder in the current folder, nothing hidden", _names_outdir_dot)
    add("names-hidden", "names", "a video called `.secret.mp4`", "folder `secret/` (not hidden)", _names_hidden)
    add("names-file", "names", "a plain file where the result folder goes", "one-line error, exit 1, the file untouched, nothing hidden left", _names_file_in_the_way)
    add("names-userdir", "names", "a folder of the user's (no summary.json) where the result goes", "one-line error, exit 1, the folder untouched", _names_user_folder_in_the_way)
    add("names-rerun", "names", "the same video analysed twice", "the old result replaced, no `.old` folder left", _names_rerun_replaces)
    add("names-unit", "names", "hostile stems (`.`, `..`, `/`, tabs, 300 chars) and clashing batch names", "safe, unique, never hidden", _names_unit)
    add("disk-tmpfs", "full disk", "a real disk too small for report.html (tmpfs)", "exit 1, 'no space left', nothing published, no temp file", _disk_tmpfs)
    add("disk-report", "full disk", "ENOSPC while writing report.html", "the run fails, names the file, nothing published", lambda x: _disk_enospc(x, "report.html"))
    add("disk-summary", "full disk", "ENOSPC while writing summary.json", "the run fails, names the file, nothing published", lambda x: _disk_enospc(x, "summary.json"))
    add("disk-csv", "full disk", "ENOSPC while writing frames.csv", "the run fails, names the file, nothing published", lambda x: _disk_enospc(x, "frames.csv"))
    add("disk-fsync", "full disk", "order of the final steps", "every file fsynced, then the rename, then the folder fsynced", _disk_fsync_before_rename)
    add("image-jpeg", "still images", "a JPEG", "'a still image (JPEG), not a video', exit 1", lambda x: _image(x, "JPEG", "photo.jpg"))
    add("image-png", "still images", "a PNG", "'a still image (PNG), not a video', exit 1", lambda x: _image(x, "PNG", "photo.png"))
    add("image-jpeg-as-mp4", "still images", "a JPEG renamed .mp4", "'a still image', exit 1", lambda x: _image(x, "JPEG", "photo.mp4"))
    add("image-png-as-mp4", "still images", "a PNG renamed .mp4", "'a still image', exit 1", lambda x: _image(x, "PNG", "photo.mp4"))
    add("video-one-frame", "still images", "a one-frame H.264 video", "'only one frame', exit 1", _one_frame)
    add("video-too-short", "still images", "0.4 s of a person squatting", "'far too short', exit 1, no folder", _too_short)
    add("report-duration", "report", "summary.json: source.duration_s is a string", "one line naming source.duration_s; the other folder still built", lambda x: _report_malformed(x, _set("source.duration_s", "6.6"), "source.duration_s"))
    add("report-start", "report", "summary.json: a fault without start_s", "one line naming faults[0].start_s; the other folder still built", lambda x: _report_malformed(x, _set("faults.0.start_s", delete=True), "faults[0].start_s: missing"))
    add("report-view", "report", "summary.json: view is null", "one line naming view; the other folder still built", lambda x: _report_malformed(x, _set("view", None), "view: expected an object"))
    add("report-rep", "report", "summary.json: a rep index is a string", "one line naming reps[0].index; the other folder still built", lambda x: _report_malformed(x, _set("reps.0.index", "1"), "reps[0].index"))
    add("report-fuzz", "report", "every field of a real summary given a wrong kind of value", "built or refused in one line, never a traceback", _report_fuzz)
    add("xss", "XSS", "a script/markup payload in every string field, and in every number field", "nothing runs in headless Chromium; numbers refused; CSP without 'unsafe-inline' scripts", _xss)
    add("profile-typo", "profiles", "`threshhold = 8`", "one line: unknown key, did you mean 'threshold'", lambda x: _profile(x, "[faults.knee_valgus]\nthreshhold = 8\n", "threshhold", "did you mean 'threshold'"))
    add("profile-section", "profiles", "an unknown section `[signal]`", "one line: did you mean 'signals'", lambda x: _profile(x, "[signal]\ncutoff_hz = 5\n", "[signal]", "signals"))
    add("profile-code", "profiles", "an unknown fault code `[faults.knee_valgs]`", "one line: did you mean 'knee_valgus'", lambda x: _profile(x, "[faults.knee_valgs]\nthreshold = 8\n", "knee_valgs", "knee_valgus"))
    add("profile-type-signals", "profiles", "`[signals] max_gap_frames = 'ten'`", "one line naming the key, before any frame is decoded", lambda x: _profile(x, "[signals]\nmax_gap_frames = 'ten'\n", "max_gap_frames", "must be a number"))
    add("profile-type-faults", "profiles", "`[faults.heel_lift] severe = true`", "one line naming the key", lambda x: _profile(x, "[faults.heel_lift]\nsevere = true\n", "severe", "must be a number"))
    add("profile-nan", "profiles", "`threshold = nan`", "one line: must be a finite number", lambda x: _profile(x, "[faults.knee_valgus]\nthreshold = nan\n", "threshold", "finite"))
    add("profile-cutoff", "profiles", "`cutoff_hz = 1000`", "one line: out of range, below half a 24 fps frame rate", lambda x: _profile(x, "[signals]\ncutoff_hz = 1000\n", "cutoff_hz", "out of range"))
    add("profile-early", "profiles", "a bad [signals] value, in-process", "refused before a single frame is decoded", _profile_before_decoding)
    add("model-random", "models", "a random .task file", "one line: not a usable model, before any work", lambda x: _model(x, _random_model, "not a usable PoseLandmarker model"))
    add("model-empty", "models", "an empty .task file", "one line: the model file is empty", lambda x: _model(x, _empty_model, "empty"))
    add("model-truncated", "models", "pose_landmarker_full.task missing its last byte", "one line: looks like 'full' but is not it (sha256 pin)", lambda x: _model(x, _truncated_named(x), "looks like the 'full' model", "9,398,197"))
    add("model-near-pin", "models", "a 4 KB-short copy of full under another name", "verified against the pin: one line", lambda x: _model(x, _near_pin(x), "looks like the 'full' model"))
    add("model-live", "models", "`live --model <random file>`", "one line, exit 1 (a failed run, like analyze)", _live_bad_model)
    add("signal-term", "signals", "SIGTERM during analyze", "exit 143, 'interrupted (SIGTERM)', no partial folder", lambda x: _signal_analyze(x, signal.SIGTERM))
    add("signal-hup", "signals", "SIGHUP during analyze", "exit 129, 'interrupted (SIGHUP)', no partial folder", lambda x: _signal_analyze(x, signal.SIGHUP))
    add("signal-int", "signals", "SIGINT (Ctrl-C) during analyze", "exit 130, 'interrupted (SIGINT)', no partial folder", lambda x: _signal_analyze(x, signal.SIGINT))
    add("signal-stale", "signals", "SIGKILL mid-run, then a new run into the same -o", "the stale hidden folder is removed by the new run", _stale_partial)
    add("jobs-term", "signals", "SIGTERM to `analyze --jobs 2` with 4 videos", "queued videos cancelled and listed, workers stopped, no partial folder, no process left", lambda x: _jobs_signal(x, signal.SIGTERM))
    add("jobs-int", "signals", "Ctrl-C (SIGINT to the group) on `analyze --jobs 2`", "the same", lambda x: _jobs_signal(x, signal.SIGINT))
    add("live-term", "signals", "SIGTERM during a recorded live session", "the session saved with a playable recording, no process left", _live_sigterm)
    add("live-names", "live", "two live sessions started in the same second", "two different folders", _live_same_second)
    add("net-analyze", "telemetry", "`analyze` with a local model, under strace", "no connect/send to any IP address, no lookup of play.googleapis.com", lambda x: _traced(x, "analyze", SAMPLE, "-o", "{d}/out", "--model", x.model, "-q"))
    add("net-report", "telemetry", "`report` under strace", "no network call", lambda x: _traced(x, "report", x.copy_analysis("netreport")))
    add("net-live", "telemetry", "`live --source` with a local model, under strace", "no network call", lambda x: _traced(x, "live", "--source", SAMPLE, "--no-window", "--record", "{d}/live", "--duration", "3", "--model", x.model, "-q"))
    add("detect-stable", "detection", "a squat clip re-encoded (crf 18, 28) and stored rotated 90/180/270 deg",
        "the same exercise and rep count for every copy", _detection_stable)
    add("jobs-cap", "memory", "`--jobs 64`", "capped by the cores and the available memory, with the reason", _jobs_cap)
    return c


CASES = _cases()


def _memory(ctx: Context, replay: bool, minutes: float = 5.0) -> Outcome:
    """Peak RSS of a ``minutes``-long clip (the demo looped) against a 10-second one."""
    sys.path.insert(0, str(ROOT / "bench"))
    from memory import looped, peak_rss_mb

    clips = getattr(ctx, "_memory_clips", None)
    if clips is None:
        clips = ctx._memory_clips = (looped(SAMPLE, ctx.tmp / "mem_10s.mp4", 10.0),
                                     looped(SAMPLE, ctx.tmp / f"mem_{minutes:g}min.mp4", 60.0 * minutes))
    extra = [] if replay else ["--no-replay"]
    peaks = [peak_rss_mb(["analyze", str(c), "-o", str(ctx.dir("mem")), "--model", str(ctx.model), "-q", *extra])
             for c in clips]
    ratio = peaks[1][0] / peaks[0][0]
    return Outcome(ratio <= 1.15 and peaks[0][2] == 0 and peaks[1][2] == 0,
                   f"10 s: {peaks[0][0]:.0f} MB, {minutes:g} min: {peaks[1][0]:.0f} MB ({peaks[1][1]:.0f} s), ratio {ratio:.2f}")


MEMORY_CASES = [
    Case("memory-noreplay", "memory", "peak RSS, 5-minute clip vs 10 s, --no-replay", "within 15 %",
         lambda x: _memory(x, False)),
    Case("memory-replay", "memory", "peak RSS, 5-minute clip vs 10 s, with the replay", "within 15 %",
         lambda x: _memory(x, True)),
]


def run_case(case: Case, ctx: Context) -> tuple[str, str]:
    """(status, result) for the matrix: pass / FAIL / skipped."""
    try:
        out = case.run(ctx)
    except Missing as exc:
        return "skipped", str(exc)
    except Exception as exc:  # noqa: BLE001 - a case that crashes is a failed case
        return "FAIL", f"the case crashed: {exc.__class__.__name__}: {exc}"
    return ("pass" if out.ok else "FAIL"), out.result.replace(str(ctx.tmp), "$TMP")


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the matrix (markdown) here")
    ap.add_argument("--only", nargs="*", metavar="ID", help="run only these case ids")
    ap.add_argument("--model", type=Path, default=SHARED_MODEL, help="a verified full model (default: %(default)s)")
    ap.add_argument("--memory", action="store_true", help="also measure peak memory on a 5-minute clip (~10 min)")
    args = ap.parse_args(argv)
    model = args.model
    if not model.is_file():
        from analyzer.models import resolve_model

        model = resolve_model("full")
    cases = [c for c in CASES + (MEMORY_CASES if args.memory else []) if not args.only or c.id in args.only]
    rows = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kinetic-reliability-") as tmp:
        ctx = Context(Path(tmp), model)
        for case in cases:
            t0 = time.monotonic()
            status, result = run_case(case, ctx)
            rows.append((case, status, result, time.monotonic() - t0))
            print(f"{status:7s} {case.id:22s} {time.monotonic() - t0:5.1f} s  {result[:150]}", flush=True)
    counts = {s: sum(1 for r in rows if r[1] == s) for s in ("pass", "FAIL", "skipped")}
    print(f"{counts['pass']} passed, {counts['FAIL']} failed, {counts['skipped']} skipped "
          f"in {time.monotonic() - start:.0f} s", flush=True)
    if args.out:
        lines = ["# Reliability matrix", "",
                 "Generated by `python bench/reliability.py --out docs/reliability.md` (the same cases run as "
                 "`tests/test_robustness.py`). Each case runs the real `kinetic` command on clips made from "
                 "`analyzer/demo/demo_side.mp4`, or the real pipeline in-process where a fault must be injected, and "
                 "checks the exit status, the one-line message and what is left on disk.", "",
                 f"{counts['pass']} passed, {counts['FAIL']} failed, {counts['skipped']} skipped; "
                 f"{os.cpu_count()} cores, Python {sys.version.split()[0]}.", "",
                 "| # | group | case | expected | result | status |", "|---|---|---|---|---|---|"]
        for i, (case, status, result, _) in enumerate(rows, 1):
            lines.append(f"| {i} | {case.group} | {_md(case.name)} | {_md(case.expected)} | {_md(result)} | "
                         f"{'**FAIL**' if status == 'FAIL' else status} |")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
