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

M_ARENA_MAX = -8  # glibc's mallopt() parameter number (malloc.h)
ARENAS = 2


def limit_arenas(n: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``n`` (no-op off glibc or when MALLOC_ARENA_MAX is set).
    Returns True if the cap was applied."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(M_ARENA_MAX, int(n)))
    except (OSError, AttributeError):
        return False
