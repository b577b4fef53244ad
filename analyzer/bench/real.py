"""The real clips of ``../shared/data`` next to what is known about them: kinetic's verdict beside
the trainer's comment for every front/side pair of the FMS clips, and the rep counts, views and
verdicts of the other clips (gym, bodyweight, foot exercises, a walk). Part of
``kinetic bench accuracy``'s table; pose tracks are cached like the renders.
"""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from ..assess import assess
from ..track import PoseTrack

# What ../shared/data/README.md says each clip shows (reps and the facts a verdict can be held to).
KNOWN = {
    "backsquat_side_gym.mp4": "2 deep barbell back squats, heels flat",
    "deepsquat_side_bodyweight.mp4": "3 full-depth bodyweight squats, heels down",
    "widesquat_front_bodyweight.mp4": "9 complete wide-stance squats, toes out, knees pushed out over them",
    "heel_raises_oblique.mp4": "3 quick heel raises, ~60 deg front-side",
    "ankle_point_flex_seated.mp4": "~6 seated point/flex cycles, feet small and far",
    "walk_jump_two_people.mp4": "no exercise of ours: a balance walk, a jump, a second person walking past",
}


def _track(video: Path, cache: Path, model: Path) -> PoseTrack:
    from ..capture import probe
    from ..pipeline import run_pose

    digest = hashlib.sha256(video.read_bytes()).hexdigest()[:12]
    path = cache / "real" / f"{video.stem}-{digest}-{Path(model).name}.npz"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        track, _ = run_pose(str(video), probe(video), model, progress=False)
        track.save(path)
    return PoseTrack.load(path)


def _findings(a) -> str:
    parts = []
    for row in a.verdict.reps:
        parts += [f"rep {row['index']}: {x}" for x in row["findings"]]
    return "<br>".join(parts) if parts else "—"


def _trainer(data: Path) -> dict[str, dict]:
    """clip file name -> the trainer's row (both clips of a pair point at the same row)."""
    path = data / "labels" / "fms_trainer_scores.csv"
    if not path.exists():
        return {}
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for key in ("Filename Side", "Filename Front"):
                name = Path(row[key]).name.replace("IMG_", "fms_")
                out[name] = row
    return out


def table(data: Path, cache: Path, model: Path, log=print) -> list[str]:
    """Markdown lines: the FMS pairs with the trainer's words, then the other clips."""
    videos = sorted((data / "videos").glob("*"))
    if not videos:
        return []
    trainer = _trainer(data)
    results = {}
    for v in videos:
        log(f"  real clip {v.name}")
        results[v.name] = assess(_track(v, cache, model))
    lines = ["## Real clips", "",
             "kinetic's verdict on the shared real footage (`../shared/data/videos/`, never in this repository), "
             "`kinetic analyze --exercise auto --view auto`. FMS clips come in side/front pairs of one rep, scored by "
             "a trainer (`labels/fms_trainer_scores.csv`).", "",
             "| pair | trainer (squat / knee stability score, comment) | clip | view | kinetic's verdict | findings |",
             "|---|---|---|---|---|---|"]
    seen = set()
    for name, row in trainer.items():
        side = Path(row["Filename Side"]).name.replace("IMG_", "fms_")
        front = Path(row["Filename Front"]).name.replace("IMG_", "fms_")
        if (side, front) in seen:
            continue
        seen.add((side, front))
        comment = f"{row['Squat Score']} / {row['Knee Stability']}: {row['Description'].strip() or '—'}"
        for clip in (side, front):
            a = results.get(clip)
            if a is None:
                lines.append(f"| {side[:-4]} + {front[:-4]} | {comment} | {clip} | — | (clip not in the shared data) | |")
                continue
            lines.append(f"| {side[:-4]} + {front[:-4]} | {comment} | {clip} | {a.view.label} | "
                         f"**{a.verdict.status}**: {a.verdict.headline} | {_findings(a)} |")
    lines += ["", "| clip | what it shows | exercise | reps | view | kinetic's verdict | findings |", "|---|---|---|---:|---|---|---|"]
    for name, a in results.items():
        if name.startswith("fms_"):
            continue
        reps = len(a.analysis.reps) if a.analysis is not None else 0
        lines.append(f"| {name} | {KNOWN.get(name, '')} | {a.exercise} | {reps} | {a.view.label} | "
                     f"**{a.verdict.status}**: {a.verdict.headline} | {_findings(a)} |")
    return lines + [""]
