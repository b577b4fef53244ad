"""Silencing native libraries' chatter on stderr (C/C++ logs that bypass Python's logging)."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager


@contextmanager
def quiet_native_stderr():
    """Point file descriptor 2 at /dev/null for the duration of the block.

    MediaPipe's C++ core (TFLite delegate, feedback-tensor warnings) and warp's CUDA probe log
    straight to fd 2 at start-up. Python-level errors raised inside still propagate normally.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
