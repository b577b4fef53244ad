"""The history: analyses of the embedded demo clip appended to a SQLite database per user,
`kinetic history`, the report's "Your last sessions", and what happens when the database is
broken or written by two processes at once. Every test has its own $KINETIC_HOME."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer import history
from analyzer.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "analyzer" / "demo" / "demo_side.mp4"


def kinetic(*args, env: dict, timeout=300):
    return subprocess.run([sys.executable, "-m", "analyzer.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=dict(env, PYTHONWARNINGS="ignore"), stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, model_path):
    """The demo's side-view squat analysed twice (in-process, no replay) into one user's history."""
    root = tmp_path_factory.mktemp("history")
    home = root / "home"
    mp = pytest.MonkeyPatch()
    mp.setenv("KINETIC_HOME", str(home))
    try:
        outs = []
        for i in (1, 2):
            out = root / f"out{i}"
            assert main(["analyze", str(DEMO), "-o", str(out), "--model", str(model_path), "--no-replay", "-q"]) == 0
            outs.append(out / "demo_side")
    finally:
        mp.undo()
    return dict(home=home, outs=outs, model=model_path)


def _history_json(home: Path, capsys, *extra) -> dict:
    os.environ["KINETIC_HOME"] = str(home)  # the per-test fixture restores it
    capsys.readouterr()
    assert main(["history", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_two_analyses_are_two_sessions_with_the_summary_numbers(runs, capsys):
    doc = _history_json(runs["home"], capsys)
    assert Path(doc["database"]) == runs["home"] / "history" / "me.sqlite"
    sessions = doc["sessions"]
    assert len(sessions) == 2
    summary = json.loads((runs["outs"][1] / "summary.json").read_text())
    for s, out in zip(sessions, runs["outs"]):
        assert s["exercise"] == "squat" and s["source"] == "demo_side.mp4" and s["view"] == summary["view"]["label"]
        assert s["reps"] == len(summary["reps"]) and s["status"] == summary["verdict"]["status"]
        assert Path(s["folder"]) == out.resolve()
        # the stored numbers are the summary's: depth = mean thigh angle of the reps, faults per rep
        thighs = [r["metrics"]["thigh_angle"] for r in summary["reps"]]
        assert s["metrics"]["depth"]["value"] == pytest.approx(sum(thighs) / len(thighs))
        assert s["metrics"]["depth"]["unit"] == "deg" and s["metrics"]["depth"]["reps"] == len(thighs)
        assert s["metrics"]["faults_per_rep"]["value"] == pytest.approx(len(summary["faults"]) / len(summary["reps"]))
        for f in summary["faults"]:
            assert s["faults"][f["code"]]["count"] >= 1
            assert s["faults"][f["code"]]["reps_judged"] == sum(f["code"] in r["judged"] for r in summary["reps"])
    # the table in words: both sessions, the verdict, and no trend from two sessions
    assert main(["history"]) == 0
    text = capsys.readouterr().out
    assert "2 sessions" in text and text.count("demo_side.mp4") == 2
    assert summary["verdict"]["status"].replace("_", " ") in text
    assert "No trend yet" in text
    assert history.schema_version(Path(doc["database"])) == history.SCHEMA_VERSION


def test_the_second_report_shows_the_last_sessions(runs, tmp_path):
    first, second = (o / "report.html" for o in runs["outs"])
    assert 'id="history"' not in first.read_text()  # one session: nothing to compare
    assert not (runs["outs"][0] / "history.json").exists()
    page = second.read_text()
    assert 'id="history"' in page and "Your last sessions" in page
    section = page[page.index('id="history"'):]
    section = section[:section.index("</section>")]
    assert section.count('<svg class="hist-svg"') >= 2 and "<circle" in section
    assert 'data-metric="depth"' in section
    # the same clip twice: the depth did not change, so it is steady, in one sentence
    assert "Squat depth" in section and "steady" in section
    snap = json.loads((runs["outs"][1] / "history.json").read_text())
    assert [s.get("current", False) for s in snap["sessions"]] == [False, True]
    # `kinetic report` rebuilds it from the folder alone: no database, no model
    os.environ["KINETIC_HOME"] = str(tmp_path / "empty")
    assert main(["report", str(runs["outs"][1])]) == 0
    assert section in second.read_text()


def test_no_history_appends_nothing(runs, tmp_path, capsys):
    db = runs["home"] / "history" / "me.sqlite"
    before = len(history.load_sessions(path=db))
    os.environ["KINETIC_HOME"] = str(runs["home"])
    assert main(["analyze", str(DEMO), "-o", str(tmp_path), "--model", str(runs["model"]), "--no-replay", "-q",
                 "--end", "2.6", "--no-history"]) == 0
    assert len(history.load_sessions(path=db)) == before
    assert not (tmp_path / "demo_side" / "history.json").exists()
    assert 'id="history"' not in (tmp_path / "demo_side" / "report.html").read_text()


def test_a_corrupt_database_is_one_warning_and_the_analysis_succeeds(tmp_path, model_path):
    home = tmp_path / "home"
    (home / "history").mkdir(parents=True)
    db = home / "history" / "me.sqlite"
    garbage = b"this is not a database\n" * 200
    db.write_bytes(garbage)
    proc = kinetic("analyze", DEMO, "-o", tmp_path / "out", "--model", model_path, "--no-replay", "-q",
                   "--end", "2.6", env=dict(os.environ, KINETIC_HOME=str(home)))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    warnings = [ln for ln in proc.stderr.splitlines() if "history" in ln]
    assert len(warnings) == 1 and warnings[0].startswith("kinetic: warning: history not saved") \
        and str(db) in warnings[0], proc.stderr
    assert (tmp_path / "out" / "demo_side" / "summary.json").is_file()
    assert db.read_bytes() == garbage  # the user's file is never overwritten
    # `kinetic history` on it: one line, exit 1
    proc = kinetic("history", env=dict(os.environ, KINETIC_HOME=str(home)))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "not a readable history database" in proc.stderr


def test_an_unwritable_history_folder_is_a_warning(runs, tmp_path):
    from analyzer.history_cli import HistoryRun

    summary = json.loads((runs["outs"][0] / "summary.json").read_text())
    (tmp_path / "blocked").write_text("a file where the data folder should be")
    os.environ["KINETIC_HOME"] = str(tmp_path / "blocked")
    said: list[str] = []
    run = HistoryRun("me", True, said.append)
    run.start()
    run.append(summary, runs["outs"][0])
    run.append(summary, runs["outs"][0])
    assert len(said) == 1 and said[0].startswith("warning: history not saved") and "blocked" in said[0]


APPENDER = """
import json, sys
from analyzer.history import append_summary
summary = json.load(open(sys.argv[1]))
for i in range(int(sys.argv[2])):
    append_summary(summary, sys.argv[3], "both")
"""


def test_two_processes_appending_at_once_both_land(runs, tmp_path):
    n = 15
    env = dict(os.environ, KINETIC_HOME=str(tmp_path / "home"))
    args = [sys.executable, "-c", APPENDER, str(runs["outs"][0] / "summary.json"), str(n), str(runs["outs"][0])]
    procs = [subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    db = tmp_path / "home" / "history" / "both.sqlite"
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 2 * n
        # every session complete: its metrics and faults came with it
        assert conn.execute("SELECT COUNT(DISTINCT session_id) FROM metrics").fetchone()[0] == 2 * n
        assert conn.execute("SELECT COUNT(DISTINCT session_id) FROM faults").fetchone()[0] == 2 * n
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_schema_is_versioned_and_migrated(tmp_path):
    db = tmp_path / "old.sqlite"
    sqlite3.connect(db).close()  # an empty database: version 0
    conn = history.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"sessions", "metrics", "faults"} <= tables
        conn.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")  # as a newer kinetic would leave it
    finally:
        conn.close()
    with pytest.raises(history.HistoryError, match="newer kinetic"):
        history.connect(db)


def test_an_interrupted_append_leaves_no_half_session(runs, tmp_path):
    summary = json.loads((runs["outs"][0] / "summary.json").read_text())
    rec = history.session_record(summary, runs["outs"][0])
    rec["faults"]["broken"] = dict(count=None, reps_with=0, reps_judged=0, borderline=0)  # NOT NULL fails mid-way
    conn = history.connect(tmp_path / "h.sqlite")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            history.append_record(conn, rec)
        for table in ("sessions", "metrics", "faults"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    finally:
        conn.close()


def test_trends_follow_the_profile_direction_and_error_band():
    specs = history.metric_specs("squat")
    depth, trunk, fpr = specs["depth"], specs["trunk_lean"], specs["faults_per_rep"]
    assert depth.better == "higher" and trunk.better == "lower" and fpr.better == "lower"
    band = depth.error_band
    assert band > 0
    # deeper by more than the band over the sessions: improving; by less: steady
    assert history.trend([80, 80 + band, 80 + 2 * band], depth)["verdict"] == "improving"
    assert history.trend([80, 80 + band / 4, 80 + band / 2], depth)["verdict"] == "steady"
    assert history.trend([30, 30 + trunk.error_band, 30 + 2 * trunk.error_band], trunk)["verdict"] == "getting worse"
    assert history.trend([2.0, 1.0, 0.0], fpr)["verdict"] == "improving"
    s = history.trend_sentence(depth, history.trend([80, 80 + band, 80 + 2 * band], depth))
    assert s.startswith("Squat depth") and "improving" in s and "3 sessions" in s


def test_kinetic_history_without_a_history_and_bad_options(tmp_path, capsys):
    os.environ["KINETIC_HOME"] = str(tmp_path / "nothing")
    assert main(["history"]) == 0
    assert "No history for me yet" in capsys.readouterr().out
    assert not (tmp_path / "nothing").exists()  # listing creates nothing
    assert main(["history", "--last", "0"]) == 2
    assert main(["history", "--user", "///"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(ln.startswith("kinetic: ") for ln in err)
    with pytest.raises(SystemExit) as exc:
        main(["history", "--help"])
    assert exc.value.code == 0
    assert "SQLite" in capsys.readouterr().out


def test_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("KINETIC_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert history.db_path("Anna B") == tmp_path / "xdg" / "kinetic" / "history" / "Anna B.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    assert history.db_path() == tmp_path / "h" / ".local" / "share" / "kinetic" / "history" / "me.sqlite"
    assert history.db_path("../evil").parent == tmp_path / "h" / ".local" / "share" / "kinetic" / "history"
