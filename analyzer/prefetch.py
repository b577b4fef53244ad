"""Running a producer (the video decoder) in its own thread, a few items ahead of its consumer.

FFmpeg's decoding and scaling and MediaPipe's inference release the GIL, so on two cores the
next frame is decoded while the pose model (or the replay's drawing and encoding) works on this
one. The order and content of the items are exactly the producer's: a pipelined run gives the
same results as a sequential one.
"""
from __future__ import annotations

import queue
import threading
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """Yield ``items`` in order, produced by a background thread at most ``depth`` ahead.

    Two ahead is enough to hide the decoder behind the pose model (measured: the same speed as
    four) and keeps the frames in flight few (a 1080x1920 RGB frame is 6 MB).
    An exception in the producer is raised here, at the point it occurred in the sequence.
    Closing the generator (or an exception in the consumer) stops the producer and closes the
    producer's iterator (e.g. :func:`analyzer.capture.iter_frames` closes the file). Memory:
    at most ``depth`` + 2 items alive (for frames: depth x height x width x 3 bytes).
    """
    q: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()
    source = iter(items)

    def put(x) -> bool:
        while not stop.is_set():
            try:
                q.put(x, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for x in source:
                if not put(x):
                    break
            else:
                put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            put(_Failed(exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=run, name="kinetic-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            x = q.get()
            if x is _DONE:
                return
            if isinstance(x, _Failed):
                raise x.exc
            yield x
    finally:
        stop.set()
        worker.join(timeout=10)
