"""Atomic, durable file writes: a temp file beside the target, fsynced, then renamed over it.

A failed write (a full disk, a lost mount, a bug in the writer) removes the temp file and
re-raises, so a folder never holds a half-written file or a stray ``*.tmp``.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO, Iterator


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temp path beside ``path`` for a writer that wants a file name (a library's ``save``);
    on a clean exit the file there is fsynced and renamed to ``path``; on any exception it is
    deleted and the exception propagates."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
        fsync_path(tmp)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(tmp)  # a failed write() does not say which file
        raise


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", **kw) -> Iterator[IO]:
    """Open a temp file beside ``path`` for writing; on a clean exit it is flushed, fsynced and
    renamed to ``path``; on any exception it is deleted and the exception propagates.

    ``mode``: ``"w"`` (text; ``encoding`` defaults to utf-8) or ``"wb"``; ``kw`` go to open().
    """
    if "b" not in mode:
        kw.setdefault("encoding", "utf-8")
    with atomic_path(path) as tmp, open(tmp, mode, **kw) as f:
        yield f


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (utf-8) to ``path`` atomically and durably."""
    with atomic_open(path, "w") as f:
        f.write(text)


def fsync_path(path: str | os.PathLike) -> None:
    """fsync one file or directory (a directory's fsync makes its entries' renames durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: str | os.PathLike) -> None:
    """fsync every file under ``folder``, then each directory (bottom-up): the data is on disk
    before the folder is published under its final name."""
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            fsync_path(os.path.join(root, name))
        fsync_path(root)
