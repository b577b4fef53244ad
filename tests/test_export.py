"""OpenSim exports and the self-documenting frames.csv, read back with parsers independent of
the writers (plain text parsing here; trc-data-reader, the TRC writer's library, only as a
second reader), on a real side-view squat."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from analyzer.export import column_units
from analyzer.export.units import UNDOCUMENTED
from analyzer.skeleton import INDEX, NAMES
from analyzer.track import PoseTrack
from conftest import ROOT, VIDEOS, need

CLIP = "deepsquat_side_bodyweight.mp4"


def _read_trc(path):
    """(header dict, marker names, times (T,), data (T, markers, 3)) by plain text parsing."""
    lines = path.read_text().splitlines()
    assert lines[0].startswith("PathFileType\t4\t(X/Y/Z)")
    keys, values = lines[1].split("\t"), lines[2].split("\t")
    header = dict(zip(keys, values))
    names = [c for c in lines[3].split("\t")[2:] if c]
    rows = [ln.split("\t") for ln in lines[5:] if ln.strip()]
    t = np.array([float(r[1]) for r in rows])
    vals = np.array([[float(v) if v else np.nan for v in r[2:2 + 3 * len(names)]] for r in rows])
    return header, names, t, vals.reshape(len(rows), len(names), 3)


def _read_mot(path):
    """(header dict, columns, table (T, columns)) by plain text parsing."""
    lines = path.read_text().splitlines()
    end = lines.index("endheader")
    header = dict(ln.split("=", 1) for ln in lines[1:end] if "=" in ln)
    cols = lines[end + 1].split("\t")
    table = np.array([[float(v) for v in ln.split("\t")] for ln in lines[end + 2:] if ln.strip()])
    return header, cols, table


@pytest.fixture(scope="module")
def out(analyses):
    return analyses.run(need(VIDEOS / CLIP))


def test_markers_trc(out):
    summary = json.loads((out / "summary.json").read_text())
    header, names, t, xyz = _read_trc(out / "markers.trc")
    n = summary["source"]["frames"]
    assert list(names) == list(NAMES) and int(header["NumMarkers"]) == 33
    assert int(header["NumFrames"]) == n == len(t)
    assert float(header["DataRate"]) == pytest.approx(summary["source"]["fps"], abs=1e-3)
    assert header["Units"] == "m"
    track = PoseTrack.load(out / "landmarks.npz")
    assert np.allclose(t, track.t, atol=6e-4)
    # Metres, Y up: the thigh is 0.3-0.6 m long; standing, the shoulders are above the hips.
    thigh = np.linalg.norm(xyz[:, INDEX["left_hip"]] - xyz[:, INDEX["left_knee"]], axis=1)
    assert 0.3 < np.nanmedian(thigh) < 0.6
    assert np.nanmedian(xyz[:, INDEX["left_shoulder"], 1]) > np.nanmedian(xyz[:, INDEX["left_hip"], 1]) + 0.3
    # the writer's own library reads it too (the form OpenSim and Mokka expect)
    from trc import TRCData

    again = TRCData()
    again.load(str(out / "markers.trc"))
    assert again["NumFrames"] == n and again["Markers"] == list(NAMES)


def test_angles_mot_has_the_reported_knee_angle(out):
    summary = json.loads((out / "summary.json").read_text())
    header, cols, table = _read_mot(out / "angles.mot")
    n = summary["source"]["frames"]
    assert header["inDegrees"] == "yes" and int(header["nRows"]) == n == len(table)
    assert int(header["nColumns"]) == len(cols) and cols[0] == "time"
    assert all(column_units(c)[0] == "deg" for c in cols[1:])
    with open(out / "frames.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert np.allclose(table[:, 0], [float(r["time_s"]) for r in rows], atol=1e-4)
    knee = table[:, cols.index("knee_flexion")]
    csv_knee = np.array([float(r["knee_flexion"]) if r["knee_flexion"] else np.nan for r in rows])
    ok = np.isfinite(csv_knee)
    assert ok.sum() > 0.5 * n and np.allclose(knee[ok], csv_knee[ok], rtol=1e-3, atol=0.05)
    # A deep squat: at each rep's bottom the knee is bent well past 90 degrees.
    for rep in summary["reps"]:
        i = int(np.argmin(np.abs(table[:, 0] - rep["bottom_s"])))
        assert np.nanmax(knee[max(0, i - 3):i + 4]) > 100, rep


def test_every_frames_csv_column_has_its_unit(out, analyses):
    meta = json.loads((out / "frames.csv-metadata.json").read_text())
    with open(out / "frames.csv", newline="") as f:
        header = next(csv.reader(f))
    cols = meta["tableSchema"]["columns"]
    assert meta["url"] == "frames.csv" and [c["name"] for c in cols] == header
    assert not [c["name"] for c in cols if c["dc:description"] == UNDOCUMENTED]
    assert {c["name"]: c.get("unit") for c in cols}["left_knee_flexion"] == "deg"
    # Every exercise's series, on a real track: each has its unit.
    from analyzer.assess import assess
    from analyzer.exercises import ANALYZERS

    track = PoseTrack.load(analyses.run(ROOT / "analyzer" / "demo" / "demo_front.mp4") / "landmarks.npz")
    for exercise in ANALYZERS:
        series = assess(track, exercise).analysis.series
        missing = [n for n in series if column_units(n) is None]
        assert not missing, (exercise, missing)
