"""Issue 13, nothing lost, nothing leaks: every case of the reliability matrix as a test.

The cases live in ``bench/reliability.py`` (which also writes ``docs/reliability.md``), so the
matrix and the tests are one list. Each runs the real ``kinetic`` command, or the real pipeline
in-process where a fault (a full disk, a spy on the decoder) must be injected, and asserts the
exit status, the one-line message and what is left on disk. A case whose requirement is
missing (chromium, strace, root for a tmpfs) skips with the reason; under CI=true it fails.

A few pure checks of the new modules follow the matrix.
"""
from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from conftest import IN_CI, ROOT

sys.path.insert(0, str(ROOT / "bench"))
import reliability  # noqa: E402


@pytest.fixture(scope="module")
def ctx(tmp_path_factory, model_path):
    return reliability.Context(tmp_path_factory.mktemp("reliability"), model_path)


@pytest.mark.parametrize("case", reliability.CASES, ids=[c.id for c in reliability.CASES])
def test_reliability_case(case, ctx):
    try:
        out = case.run(ctx)
    except reliability.Missing as exc:
        if IN_CI:
            pytest.fail(f"requirement missing under CI: {exc}")
        pytest.skip(str(exc))
    assert out.ok, f"{case.name}: expected {case.expected}; got {out.result}"


def test_matrix_ids_are_unique():
    ids = [c.id for c in reliability.CASES]
    assert len(ids) == len(set(ids))


# --- the pieces, directly ----------------------------------------------------------------------

def test_safe_names_are_never_special():
    from analyzer.folders import safe_name

    for stem in (".", "..", "...", "", " ", ".hidden", "/", "a/../b", "\x00", "\n", "." * 300):
        name = safe_name(stem)
        assert name not in ("", ".", "..") and not name.startswith(".") and "/" not in name, (stem, name)
        assert len(name.encode()) <= 200


def test_stale_folder_held_by_a_live_process_is_kept(tmp_path):
    """Only folders no process holds are stale: a run writing into the same -o keeps its own."""
    from analyzer.folders import clean_stale, new_work_folder

    mine = new_work_folder(tmp_path, "clip")
    (mine.path / "landmarks.npz").write_bytes(b"x")
    dead = tmp_path / ".other.partial-0123abcd"
    dead.mkdir()
    (dead / "frames.csv").write_text("x")
    removed = clean_stale(tmp_path)
    assert removed == [dead] and mine.path.exists()
    mine.discard()
    assert sorted(os.listdir(tmp_path)) == []


def test_atomic_write_leaves_no_temp_file_on_a_full_disk(tmp_path, monkeypatch):
    from analyzer import atomic

    target = tmp_path / "summary.json"
    target.write_text("old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OSError) as err:
        atomic.write_text(target, "new")
    assert err.value.errno == errno.ENOSPC and err.value.filename.endswith(".summary.json.tmp")
    assert sorted(os.listdir(tmp_path)) == ["summary.json"] and target.read_text() == "old"


def test_profile_typos_name_the_closest_key(tmp_path):
    from analyzer.profile import ProfileError, load_profile

    p = tmp_path / "p.toml"
    for text, fragment in [("[faults.knee_valgus]\nthreshhold = 8\n", "did you mean 'threshold'"),
                           ("[reps]\nmin_amplitude_dg = 30\n", "did you mean 'min_amplitude_deg'"),
                           ("[signals]\ncutoff_hz = inf\n", "finite"),
                           ("[signals]\nmin_visibility = 1.5\n", "out of range"),
                           ("[faults.knee_valgus]\ndirection = 'up'\n", "'above' or 'below'"),
                           ("[faults.knee_valgus]\nerror_band = -1.0\n", "out of range")]:
        p.write_text(text)
        with pytest.raises(ProfileError) as err:
            load_profile(p, "squat")
        assert fragment in str(err.value) and "\n" not in str(err.value), text
    p.write_text("[faults.knee_valgus]\nthreshold = 8\n[views]\nmax_off_axis_deg = 10\n")
    assert load_profile(p, "squat", detected=True).rules["knee_valgus"].threshold == 8.0  # auto: any exercise's keys


def test_summary_schema_names_the_field():
    import json

    from analyzer.report.schema import SchemaError, validate_summary

    good = dict(schema="kinetic/summary/1", source=dict(path="a.mp4"), exercise="squat", view=dict(label="side"),
                reps=[dict(index=1, start_s=0.0, bottom_s=1.0, end_s=2.0)], faults=[])
    validate_summary(good)
    for change, where in [(dict(view=None), "view"), (dict(reps=[dict(index="1", start_s=0, bottom_s=1, end_s=2)]), "reps[0].index"),
                          (dict(source=dict(path="a", duration_s="6.6")), "source.duration_s"),
                          (dict(faults=[dict(code="x", end_s=1, onset_s=0, value=1, threshold=1, severity="mild",
                                             link="knee")]), "faults[0].start_s")]:
        with pytest.raises(SchemaError) as err:
            validate_summary(json.loads(json.dumps(dict(good, **change))))
        assert str(err.value).startswith(where), (where, str(err.value))


def test_job_cap_respects_memory(monkeypatch):
    from analyzer import batch

    monkeypatch.setattr(batch, "available_mb", lambda: 1000.0)
    n, why = batch.job_cap(2)
    assert n == 1 and "memory" in why
    monkeypatch.setattr(batch, "available_mb", lambda: 64_000.0)
    n, why = batch.job_cap(1)
    assert n == 1 and why == ""


def test_offline_proxy_keeps_the_users_for_downloads(monkeypatch):
    from analyzer import offline

    monkeypatch.setattr(offline, "_saved", None)
    monkeypatch.setattr(os, "environ", dict(os.environ))  # block_usage_logging changes it: restore after
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("no_proxy", "*")
    offline.block_usage_logging()
    assert os.environ["HTTPS_PROXY"] == offline.DEAD_PROXY and "no_proxy" not in os.environ
    assert offline.user_proxy_env()["HTTPS_PROXY"] == "http://proxy.example:3128"
    assert offline.user_environ()["HTTPS_PROXY"] == "http://proxy.example:3128"
