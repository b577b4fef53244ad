"""Progress bars for long work (tqdm), quiet when stderr is not a terminal (logs, CI, pipes)."""
from __future__ import annotations

import sys
from contextlib import contextmanager

from tqdm import tqdm


class _Silent:
    """The subset of tqdm's interface the pipeline uses, doing nothing."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass


@contextmanager
def progress_bar(total: int | None, desc: str, *, enabled: bool = True, position: int = 0, unit: str = "frame"):
    """A tqdm bar on stderr when ``enabled`` and stderr is a TTY; a silent stand-in otherwise."""
    if not (enabled and sys.stderr.isatty()):
        yield _Silent()
        return
    bar = tqdm(total=total or None, desc=desc, unit=unit, position=position, leave=position == 0,
               dynamic_ncols=True, file=sys.stderr)
    try:
        yield bar
    finally:
        bar.close()
