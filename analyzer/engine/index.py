"""``OUTDIR/index.json``: one entry per analysed video of every run into that folder, whatever
engine ran it, so thousands of results can be found and filtered without opening each folder."""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

from .. import __version__
from ..atomic import write_text

INDEX_NAME = "index.json"
INDEX_SCHEMA = "kinetic.index/1"


def entry(video: str, result: dict | None, error: str | None, engine: str) -> dict:
    """The index line of one video: status ``ok`` (with where and what was found) or ``failed``
    (with the one-line reason)."""
    base = dict(video=str(Path(video).resolve()), engine=engine,
                finished=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    if error is not None or result is None:
        return dict(base, status="failed", error=error or "not analysed")
    s = result["summary"]
    verdict = s.get("verdict") or {}
    return dict(base, status="ok", folder=Path(result["outdir"]).name, exercise=s.get("exercise"),
                view=(s.get("view") or {}).get("label"), reps=len(s.get("reps") or []),
                faults=sorted({f["code"] for f in s.get("faults") or []}), verdict=verdict.get("status"))


def write_index(outdir: Path, entries: list[dict]) -> Path:
    """Merge ``entries`` into ``outdir/index.json`` (a video analysed again replaces its old
    entry, so does another video whose result took its folder; entries whose result folder is
    gone are dropped) and write it atomically."""
    path = Path(outdir) / INDEX_NAME
    old: list[dict] = []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("schema") == INDEX_SCHEMA and isinstance(data.get("videos"), list):
            old = [e for e in data["videos"] if isinstance(e, dict)]
    except (OSError, ValueError):
        pass  # none yet, or not ours: rebuilt from this run
    new_videos = {e["video"] for e in entries}
    new_folders = {e["folder"] for e in entries if e.get("status") == "ok"}
    kept = [e for e in old if e.get("video") not in new_videos
            and (e.get("status") != "ok" or (e.get("folder") not in new_folders
                                             and (Path(outdir) / str(e.get("folder", ""))).is_dir()))]
    videos = sorted(kept + entries, key=lambda e: e.get("video", ""))
    doc = dict(schema=INDEX_SCHEMA, kinetic_version=__version__, videos=videos,
               ok=sum(e.get("status") == "ok" for e in videos), failed=sum(e.get("status") != "ok" for e in videos))
    write_text(path, json.dumps(doc, indent=1) + "\n")
    return path
