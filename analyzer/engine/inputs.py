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


def work_estimate(path: str) -> float:
    """A rough size of one video's analysis, for handing the longest out first: its frame count
    from the container's header (no packet is read), else its duration x rate, else its file
    size in MB; 0 for a file that cannot be opened (its analysis fails at once)."""
    import av

    try:
        with av.open(path) as container:
            stream = container.streams.video[0]
            if stream.frames:
                return float(stream.frames)
            rate = float(stream.average_rate or 30)
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base) * rate
            if container.duration is not None:
                return container.duration / 1e6 * rate
    except Exception:  # noqa: BLE001 - any unreadable file: its own analysis says why
        return 0.0
    try:
        return Path(path).stat().st_size / 1e6
    except OSError:
        return 0.0


def longest_first(videos: list[str]) -> list[int]:
    """Indices of ``videos`` in the order to hand them to parallel workers: the longest first
    (so no long video starts last while the other workers sit idle), ties in the given order."""
    sizes = [work_estimate(v) for v in videos]
    return sorted(range(len(videos)), key=lambda i: (-sizes[i], i))
