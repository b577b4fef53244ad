"""SIGINT, SIGTERM and SIGHUP as one exception, so every ``finally`` and cleanup runs.

``install()`` makes each of the three signals raise :class:`Stopped` (a KeyboardInterrupt, so
code that already cleans up on Ctrl-C cleans up on all three) in the main thread, once: a second
signal while the cleanup runs is ignored rather than cutting the cleanup short.

Workers of a process pool use ``install_worker()``: they ignore SIGINT (the parent, which got the
same Ctrl-C from the terminal, decides what stops) and on SIGTERM/SIGHUP raise inside a job (its
cleanup runs) or exit at once when idle.
"""
from __future__ import annotations

import os
import signal

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """Raised by a stop signal. ``signum``: the signal; ``exit_code``: 128 + signum."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_state = {"stopping": 0, "in_job": False, "worker": False}


def stopping() -> int:
    """The signal that asked this process to stop, or 0."""
    return _state["stopping"]


def _handler(signum, _frame) -> None:
    if _state["stopping"]:
        return  # already on the way out: let the cleanup finish
    _state["stopping"] = signum
    if _state["worker"] and not _state["in_job"]:
        os._exit(128 + signum)  # an idle worker has nothing to clean up
    raise Stopped(signum)


def install() -> None:
    """Route SIGINT, SIGTERM and SIGHUP to :class:`Stopped` (main thread only)."""
    for s in SIGNALS:
        signal.signal(s, _handler)


def install_worker() -> None:
    """Pool-worker variant: SIGINT ignored, SIGTERM/SIGHUP stop the job (see module doc)."""
    _state["worker"] = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _handler)


class job:
    """``with stopping.job():`` marks a worker busy, so a stop signal raises instead of exiting."""

    def __enter__(self):
        _state["in_job"] = True
        return self

    def __exit__(self, *exc):
        _state["in_job"] = False
        return False


def exit_with_parent(poll_s: float = 0.5) -> None:
    """In a worker process: exit as soon as the parent is gone (killed, or ended without
    stopping its workers), instead of waiting forever on a queue nobody writes to. A daemon
    thread compares ``getppid()`` with the parent's pid at start-up every ``poll_s`` seconds."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(poll_s)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
