"""How a local batch shares the machine: each worker on its own cores, the longest videos first."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from analyzer.batch import core_groups, run_batch
from analyzer.engine.inputs import longest_first, work_estimate

VIDEOS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "videos"


def _affinity(_: int) -> tuple[int, ...]:
    return tuple(sorted(os.sched_getaffinity(0)))


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs two usable cores and the affinity API")
def test_each_worker_of_a_two_job_batch_runs_on_its_own_cores(monkeypatch):
    monkeypatch.delenv("KINETIC_NO_PIN", raising=False)
    seen = set(run_batch(_affinity, [(k,) for k in range(6)], 2))
    assert len(seen) == 2, seen  # two workers, each kept to one group
    a, b = (set(x) for x in seen)
    assert not a & b and a | b == set(os.sched_getaffinity(0))


def test_pinning_is_off_for_one_job_for_more_jobs_than_cores_and_when_asked(monkeypatch):
    monkeypatch.delenv("KINETIC_NO_PIN", raising=False)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
    assert core_groups(1) == [] and core_groups(cores + 1) == []
    if cores >= 2:
        groups = core_groups(2)
        assert len(groups) == 2 and not groups[0] & groups[1]
        monkeypatch.setenv("KINETIC_NO_PIN", "1")
        assert core_groups(2) == []


def test_the_longest_videos_are_handed_out_first(tmp_path):
    if not VIDEOS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{VIDEOS} is missing")
        pytest.skip("../shared/data/videos is not here")
    clips = [str(VIDEOS / n) for n in ("fms_7026.mov", "backsquat_side_gym.mp4", "deepsquat_side_bodyweight.mp4")]
    bad = tmp_path / "not_a_video.mp4"
    bad.write_text("no")
    assert work_estimate(clips[1]) > work_estimate(clips[2]) > work_estimate(clips[0]) > 0  # 614, 322, 80 frames
    assert work_estimate(str(bad)) == 0.0 and work_estimate(str(tmp_path / "missing.mp4")) == 0.0
    assert longest_first([*clips, str(bad)]) == [1, 2, 0, 3]
