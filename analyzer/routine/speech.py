"""The optional spoken count and cues (``kinetic routine --speak``): offline text-to-speech with
pyttsx3 (``pip install 'kinetic[speak]'``; on Linux it speaks through espeak-ng: ``apt-get
install espeak-ng``). Nothing leaves the machine.

Speaking runs on its own thread so the live loop never waits for it; while it is behind only the
newest phrase waits (a count that is already stale is not read out). If the library is missing
or its engine fails, one note says so and the routine goes on silently.
"""
from __future__ import annotations

import sys
import threading
from typing import Callable


class Speaker:
    """``say(text)`` speaks ``text`` (or nothing when off). ``said``: phrases spoken."""

    def __init__(self, enabled: bool, note: Callable[[str], None]) -> None:
        self.enabled, self._note = enabled, note
        self.said = 0
        self.state = "off"
        self.problem = ""
        self._pending: str | None = None
        self._cv = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        if not enabled:
            return
        try:
            import pyttsx3  # noqa: F401
        except ImportError:  # (also a broken install)
            self._off("pyttsx3 is not installed: pip install 'kinetic[speak]' (and apt-get install espeak-ng)")
            return
        except Exception as exc:  # noqa: BLE001
            self._off(f"pyttsx3 could not be loaded ({exc.__class__.__name__}: {exc})")
            return
        import shutil

        if sys.platform.startswith("linux") and shutil.which("aplay") is None:
            # pyttsx3's espeak driver plays each phrase with `aplay` (alsa-utils), through a shell
            self._off("no audio player: pyttsx3 plays through aplay (apt-get install alsa-utils espeak-ng)")
            return
        self.state = "starting"
        self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
        self._thread.start()

    def _off(self, why: str) -> None:
        self.enabled, self.state, self.problem = False, "off", why
        self._note(f"spoken count off: {why}; going on silently")

    def say(self, text: str) -> None:
        if not self.enabled or not text:
            return
        with self._cv:
            self._pending = text
            self._cv.notify()

    def close(self, timeout: float = 5.0) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            import pyttsx3

            engine = pyttsx3.init()
            engine.setProperty("rate", 165)
        except Exception as exc:  # noqa: BLE001 - no driver, no espeak-ng...: silent, one note
            self._off(f"no speech engine ({' '.join(str(exc).split())[:100] or exc.__class__.__name__})")
            return
        self.state = "on"
        while True:
            with self._cv:
                while self._pending is None and not self._closed:
                    self._cv.wait()
                if self._pending is None:  # closed, nothing left to say
                    break
                text, self._pending = self._pending, None
            try:
                engine.say(text)
                engine.runAndWait()
                self.said += 1
            except Exception as exc:  # noqa: BLE001
                self._off(f"the speech engine failed ({' '.join(str(exc).split())[:100]})")
                return
        try:
            engine.stop()
        except Exception:  # noqa: BLE001
            pass
