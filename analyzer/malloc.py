"""Keeping the process's memory flat over long videos: fewer glibc malloc arenas.

The decoder's threads (FFmpeg), MediaPipe's and the encoder's each allocate frames; glibc gives
every thread that contends for the heap an arena of its own (up to 8 per core) and returns freed
memory of an arena only from its top, so over a long video the arenas fragment and peak RSS
creeps with the length (measured in issue 13: 2.0 GB for 10 minutes; flat at ~440 MB with
``MALLOC_ARENA_MAX=2``). ``limit_arenas()`` sets the same limit from inside the process, before
any of those threads exist; a ``MALLOC_ARENA_MAX`` the user set wins.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_ARENA_MAX = -8  # glibc's mallopt() parameter number (malloc.h)
ARENAS = 2


def reexec_with_arena_limit(n: int = ARENAS) -> None:
    """Restart this process (same pid, same arguments) with ``MALLOC_ARENA_MAX=n`` in its
    environment, unless it is set already: glibc reads it when the heap starts, which holds for
    every thread (measured: ``mallopt`` from inside the CLI left the 5-minute pose pass growing
    by ~40 KB a frame in some runs; the variable kept it flat in all). Call first thing in
    ``main``, before any thread or output exists; returns only when no restart is needed."""
    if os.environ.get("MALLOC_ARENA_MAX") or not getattr(sys, "orig_argv", None):
        return
    os.environ["MALLOC_ARENA_MAX"] = str(int(n))
    try:
        os.execv(sys.executable, sys.orig_argv)
    except OSError:
        limit_arenas(n)  # cannot restart: the in-process cap is the next best


def limit_arenas(n: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``n`` (no-op off glibc or when MALLOC_ARENA_MAX is set).
    Returns True if the cap was applied."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    return _call_libc("mallopt", M_ARENA_MAX, int(n))


def release_free_memory() -> bool:
    """Hand the heap's freed pages back to the system (glibc ``malloc_trim(0)``; no-op elsewhere).
    Called between the pose pass and the replay pass: the pose model and the decoder's frames
    are freed by then, but glibc keeps freed pages of its arenas mapped, so the replay pass's own
    allocations (the encoder's lookahead frames) would stack on top of them. Returns True if
    memory was released."""
    import gc

    gc.collect()
    return _call_libc("malloc_trim", 0)


def _call_libc(function: str, *args: int) -> bool:
    """``function(*args)`` of the C library, True if it returned non-zero; False without a C
    library or that function (not glibc)."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        return bool(getattr(ctypes.CDLL(name), function)(*args))
    except (OSError, AttributeError):
        return False
