"""Result folders: safe names, a locked hidden work folder, stale-folder cleanup, publishing.

An analysis is written into ``OUTDIR/.NAME.partial-XXXXXXXX/`` and renamed to ``OUTDIR/NAME/``
only when complete. The work folder is held with ``flock`` for the life of the process that
writes it (the kernel drops the lock when the process dies, even on SIGKILL), so a later run can
tell a stale folder from one another process is still writing, and remove only the stale ones.

Nothing but ``OUTDIR/NAME`` itself is ever renamed or replaced, and it is replaced only when it
is a previous result (a folder with ``summary.json``, or empty): a plain file, a symlink or a
folder of the user's own there is a clear error.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from .atomic import fsync_path, fsync_tree

MAX_NAME_BYTES = 200  # NAME_MAX is 255; leave room for ".NAME.partial-XXXXXXXX"
PARTIAL_RE = re.compile(r"^\..+\.(partial|old)-[0-9a-f]{8}$")
RESULT_MARKER = "summary.json"


class FolderError(OSError):
    """The result folder cannot be placed; ``str()`` is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def safe_name(stem: str, fallback: str = "video") -> str:
    """A folder name made from ``stem`` that is never empty, ``.``, ``..``, hidden, or a path.

    Path separators and control characters become ``_``; leading dots and surrounding spaces
    are dropped; the name is cut to ``MAX_NAME_BYTES`` UTF-8 bytes. ``"..mp4"``'s stem ``"."``
    gives ``fallback``; ``".hidden"`` gives ``"hidden"``.
    """
    s = unicodedata.normalize("NFC", str(stem))
    s = "".join("_" if (c in "/\\" or unicodedata.category(c).startswith("C")) else c for c in s)
    s = s.strip().lstrip(".").strip()
    while len(s.encode("utf-8")) > MAX_NAME_BYTES:
        s = s[:-1]
    s = s.rstrip(". ")
    return s or fallback


@dataclass
class WorkFolder:
    """A hidden, locked work folder and the final folder it becomes.

    Attributes:
        path: ``OUTDIR/.NAME.partial-XXXXXXXX`` (exists while the work goes on).
        final: ``OUTDIR/NAME``.
    """

    path: Path
    final: Path
    _fd: int = -1

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing drops the flock
            self._fd = -1

    def discard(self) -> None:
        """Remove the work folder and everything in it (after a failure)."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.release()

    def publish(self) -> Path:
        """fsync everything, then move the work folder to ``final`` (replacing an older result).
        Raises FolderError if ``final`` is something that is not a kinetic result."""
        check_target(self.final)
        fsync_tree(self.path)
        if self.final.is_dir():
            old = self.final.with_name(f".{self.final.name}.old-{uuid.uuid4().hex[:8]}")
            fd = os.open(self.final, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # held: no cleaner takes it while it is set aside
                os.rename(self.final, old)
                try:
                    os.rename(self.path, self.final)
                except BaseException:
                    os.rename(old, self.final)  # put the previous result back
                    raise
                shutil.rmtree(old, ignore_errors=True)
            finally:
                os.close(fd)
        else:
            os.rename(self.path, self.final)
        fsync_path(self.final.parent)
        self.release()
        return self.final


def check_target(final: Path) -> None:
    """FolderError unless ``final`` is free or a previous kinetic result that may be replaced."""
    if final.is_symlink():
        raise FolderError(f"{final} is a symbolic link, not a result folder: remove it or choose another -o")
    if not final.exists():
        return
    if not final.is_dir():
        raise FolderError(f"{final} is a file, not a result folder: move it or choose another -o")
    try:
        entries = [p.name for p in final.iterdir()]
    except OSError as exc:
        raise FolderError(f"{final}: cannot read ({(exc.strerror or str(exc)).lower()})") from None
    if entries and RESULT_MARKER not in entries:
        raise FolderError(f"{final} exists and is not a kinetic result (no {RESULT_MARKER}): "
                          f"not replaced; move it or choose another -o")


def _make_locked(path: Path) -> int | None:
    """mkdir ``path`` and flock it; None if it exists already (or a cleaner took it meanwhile)."""
    try:
        path.mkdir()
    except FileExistsError:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:  # another run's clean_stale took it before we could lock it
        return None
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:  # ... or between the open and the flock
        same = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        same = False
    if not same:
        os.close(fd)
        return None
    return fd


def new_work_folder(outdir: Path, name: str) -> WorkFolder:
    """Create and lock ``outdir/.name.partial-XXXXXXXX`` for the result ``outdir/name``."""
    final = outdir / name
    check_target(final)
    while True:
        path = outdir / f".{name}.partial-{uuid.uuid4().hex[:8]}"
        fd = _make_locked(path)
        if fd is not None:
            return WorkFolder(path, final, fd)


# The claim a live session makes on its name: a work folder whose suffix is fixed, so that two
# sessions started in the same second cannot both take ``live-YYYYmmdd-HHMMSS``.
CLAIM_SUFFIX = "00000000"


def claim_work_folder(parent: Path, name: str) -> WorkFolder:
    """A locked work folder for the first free name of ``name``, ``name-2``, ``name-3``...: free
    means no such result and no other process holding the same claim (mkdir is atomic)."""
    k = 1
    while True:
        candidate = name if k == 1 else f"{name}-{k}"
        final = parent / candidate
        k += 1
        if final.exists() or final.is_symlink():
            continue
        fd = _make_locked(parent / f".{candidate}.partial-{CLAIM_SUFFIX}")
        if fd is None:
            continue
        if final.exists():  # published by another process just now
            os.close(fd)
            shutil.rmtree(parent / f".{candidate}.partial-{CLAIM_SUFFIX}", ignore_errors=True)
            continue
        return WorkFolder(parent / f".{candidate}.partial-{CLAIM_SUFFIX}", final, fd)


def clean_stale(outdir: Path) -> list[Path]:
    """Remove the hidden ``.NAME.partial-*`` / ``.NAME.old-*`` folders in ``outdir`` that no
    live process holds (left by a killed run or a power loss). Returns what was removed."""
    removed = []
    try:
        entries = list(os.scandir(outdir))
    except OSError:
        return removed
    for e in entries:
        if not PARTIAL_RE.match(e.name) or not e.is_dir(follow_symlinks=False):
            continue
        try:
            fd = os.open(e.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                os.close(fd)
                continue  # another process is writing it right now
            os.close(fd)
            continue
        try:
            shutil.rmtree(e.path, ignore_errors=True)
            if not os.path.exists(e.path):
                removed.append(Path(e.path))
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)
    return removed
