"""The videos of a batch: files as given, every video in a folder, or the paths of a list file."""
from __future__ import annotations

from pathlib import Path

# What a folder is searched for (FFmpeg reads many more; name a file directly to use another).
VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".mkv", ".avi", ".webm", ".mpg", ".mpeg", ".3gp", ".wmv", ".ts", ".mts"}
LIST_SUFFIXES = {".txt", ".lst", ".list"}


class InputError(Exception):
    """An input that names no video; ``str()`` is one line."""


def expand_inputs(items: list[str]) -> list[str]:
    """Each item as it stands if it is a file; a folder -> its video files (by suffix, sorted,
    not recursive, hidden files skipped); a ``.txt``/``.lst`` file -> one path per line (blank
    lines and ``#`` comments skipped; relative paths from the list's folder). Order kept, each
    path once. A file that does not exist is kept: its analysis reports it like any bad file.
    Raises InputError for a folder with no video or an unreadable list."""
    out: list[str] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(str(c) for c in p.iterdir()
                           if c.is_file() and not c.name.startswith(".") and c.suffix.lower() in VIDEO_SUFFIXES)
            if not found:
                raise InputError(f"{item}: a folder with no video in it (looked for {', '.join(sorted(VIDEO_SUFFIXES))})")
            out.extend(found)
        elif p.suffix.lower() in LIST_SUFFIXES and p.is_file():
            try:
                lines = p.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{item}: cannot read the list ({getattr(exc, 'strerror', None) or exc})") from None
            paths = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
            if not paths:
                raise InputError(f"{item}: the list names no video")
            out.extend(str(q if (q := Path(x)).is_absolute() else p.parent / q) for x in paths)
        else:
            out.append(item)
    seen: set[str] = set()
    return [x for x in out if not (x in seen or seen.add(x))]
