"""Keeping MediaPipe's usage logging off the network.

The mediapipe wheel's native library carries Google's usage logger ("clearcut": a
``TasksStatsProtoLogger`` posting to ``https://play.googleapis.com/log`` through a bundled libcurl)
and sends a report when a PoseLandmarker closes. The library offers no switch for it: its C API
has none, and the only environment it reads at that moment is curl's proxy settings
(``https_proxy``, ``all_proxy``, ``no_proxy``; found by interposing ``getenv``). So kinetic points
those at a Unix socket that does not exist (curl's ``socks5h://localhost/PATH`` form): the report
fails on a local ``connect()`` with ENOENT, with no DNS lookup and no packet leaving the machine.

Only this process's environment is changed, and only once a landmarker is about to be created;
kinetic's own model download uses the proxy settings the user had (:func:`user_proxy_env`).
"""
from __future__ import annotations

import os

DEAD_PROXY = "socks5h://localhost/nonexistent/kinetic-blocks-usage-logging.sock"
_PROXY_KEYS = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")
_NO_PROXY_KEYS = ("no_proxy", "NO_PROXY")
_saved: dict[str, str] | None = None


def user_proxy_env() -> dict[str, str]:
    """The proxy variables as the user set them (before :func:`block_usage_logging`)."""
    if _saved is not None:
        return dict(_saved)
    # DEAD_PROXY inherited from a kinetic parent process is ours, not the user's
    return {k: v for k, v in os.environ.items() if k in _PROXY_KEYS + _NO_PROXY_KEYS and v != DEAD_PROXY}


def user_environ() -> dict[str, str]:
    """``os.environ`` with the user's own proxy settings (for a subprocess such as pip)."""
    env = {k: v for k, v in os.environ.items() if k not in _PROXY_KEYS + _NO_PROXY_KEYS}
    env.update(user_proxy_env())
    return env


def block_usage_logging() -> None:
    """Route MediaPipe's usage report to a dead local socket (idempotent; see module doc).
    ``KINETIC_ALLOW_USAGE_LOGGING=1`` leaves the environment alone."""
    global _saved
    if os.environ.get("KINETIC_ALLOW_USAGE_LOGGING") == "1":
        return
    if _saved is None:
        _saved = user_proxy_env()
    for k in _PROXY_KEYS:
        os.environ[k] = DEAD_PROXY
    for k in _NO_PROXY_KEYS:  # "no_proxy=*" would send it straight out
        os.environ.pop(k, None)
