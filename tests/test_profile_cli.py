"""``kinetic profile show|path`` and the command line's exit statuses: 1 for a run that failed,
2 only for a command line that is wrong."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def kinetic(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "analyzer.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120, stdin=subprocess.DEVNULL)


def test_profile_show_marks_what_the_user_changed(tmp_path):
    mine = tmp_path / "coach.toml"
    mine.write_text("[faults.knee_valgus]\nthreshold = 12.0\nerror_band = 6.0\n")
    proc = kinetic("profile", "show", "squat", "--profile", mine)
    assert proc.returncode == 0, proc.stderr
    rows = {ln.split()[0]: ln for ln in proc.stdout.splitlines() if ln[:1].isalpha() and "  " in ln}
    assert "> 12 deg" in rows["knee_valgus"] and "±6" in rows["knee_valgus"]
    assert rows["knee_valgus"].rstrip().endswith("coach.toml: error_band, threshold")
    assert rows["shallow_depth"].rstrip().endswith("default") and "< 80 deg" in rows["shallow_depth"]
    assert " no " in rows["lumbar_rounding"] and " no " in rows["heel_lift"]
    # the numbers are the ones analyze uses: the packaged profile's
    from analyzer.profile import load_profile

    band = load_profile(None, "squat").rules["incomplete_lockout"].error_band
    assert f"±{band:g}" in rows["incomplete_lockout"]


def test_profile_typo_is_one_line_naming_the_closest_key(tmp_path):
    bad = tmp_path / "typo.toml"
    bad.write_text("[faults.knee_valgus]\nthreshhold = 12\n")
    proc = kinetic("profile", "show", "--profile", bad)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"kinetic: {bad}: [faults.knee_valgus] unknown key 'threshhold' (did you mean 'threshold'?)"]


def test_profile_path_lists_the_packaged_files():
    proc = kinetic("profile", "path")
    assert proc.returncode == 0
    paths = [Path(p) for p in proc.stdout.split()]
    assert {p.name for p in paths} >= {"squat.toml", "heel_raise.toml", "foot_spine.toml"}
    assert all(p.is_file() for p in paths)


def test_exit_status_one_for_a_failed_run_two_for_usage(tmp_path):
    # a failed run: the camera does not exist, the output folder is a file
    assert kinetic("live", "--camera", "57", "--no-window", "--no-record").returncode == 1
    (tmp_path / "file").write_text("x")
    proc = kinetic("analyze", ROOT / "analyzer" / "demo" / "demo_side.mp4", "-o", tmp_path / "file")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    # the command line itself is wrong
    assert kinetic("analyze").returncode == 2
    assert kinetic("analyze", "x.mp4", "--jobs", "0").returncode == 2
    assert kinetic("live", "--duration", "-1", "--no-window").returncode == 2
    assert kinetic("profile", "show", "nosuchexercise").returncode == 2
    version = kinetic("--version")
    assert version.returncode == 0 and version.stdout.startswith("kinetic ")


def test_demo_inside_the_source_tree_writes_to_the_home_folder(tmp_path, model_path):
    import os

    models = tmp_path / "models"
    models.mkdir()
    (models / model_path.name).symlink_to(model_path)
    env = dict(os.environ, HOME=str(tmp_path / "home"), KINETIC_MODEL_DIR=str(models))
    (tmp_path / "home").mkdir()
    proc = subprocess.run([sys.executable, "-m", "analyzer.cli", "demo", "-q"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    where = tmp_path / "home" / "kinetic-demo"
    assert (where / "demo_side" / "report.html").is_file() and (where / "demo_front" / "summary.json").is_file()
    assert f"results in {where}/" in proc.stdout
    assert not (ROOT / "kinetic-demo").exists()
