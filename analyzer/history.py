"""The local history: every analysis appended to one SQLite database per user, and its trends.

Where: ``data_dir()/history/<user>.sqlite``, with ``data_dir()`` = ``$KINETIC_HOME`` if set,
else ``$XDG_DATA_HOME/kinetic``, else ``~/.local/share/kinetic``; the user name is made safe
for a file name (:func:`analyzer.folders.safe_name`; default ``me``).

Why SQLite (the standard library's ``sqlite3``): the data must last for years and be queried by
exercise and date; SQLite gives atomic transactions (a crash never leaves half a session), a
versioned schema (``PRAGMA user_version`` and :func:`migrate`) and safe concurrent appends from
several processes (WAL journal and a busy timeout), in one file a user can copy or delete.

Tables (schema version :data:`SCHEMA_VERSION`):

``sessions``
    id, ``started_at`` (ISO 8601 with the UTC offset: when the analysis ran; a live session:
    when it was saved), ``source`` (the video's file name), ``exercise``, ``view`` (front,
    side, rear, oblique), ``reps`` (complete reps), ``status`` (the verdict's status: clean,
    faults, not_judged, unknown_exercise), ``folder`` (the result folder, absolute),
    ``kinetic_version``, ``duration_s`` (seconds of video analysed).
``metrics``
    session_id, ``name`` (see :data:`KEY_METRICS`), ``value`` (the mean over the session's
    reps in which it was measured), ``unit`` (deg, foot = fraction of foot length, s, ratio,
    stance = fraction of ankle separation, 1/rep), ``reps`` (how many reps measured it).
``faults``
    session_id, ``code`` (a fault rule), ``count`` (findings past the limit), ``reps_with``
    (reps with at least one), ``reps_judged`` (reps in which the rule could be judged),
    ``borderline`` (findings within the measurement's error band of the limit).

Only numbers that ``summary.json`` holds are stored (means of its per-rep metrics, counts of
its findings); nothing is estimated here.

Trends (:func:`trend`): a least-squares line through a metric's session values; "steady" when
the change it implies over the sessions shown is within the metric's error band (the profile's
``error_band`` of the rule that judges it: how far off one measurement can be) or within twice
the fit's standard error; otherwise "improving" or "getting worse" by the rule's direction
(a rule that flags values *below* its threshold: higher is better, and the other way round).
"""
from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SCHEMA_VERSION = 1
DEFAULT_USER = "me"
BUSY_TIMEOUT_S = 15.0  # how long an append waits for another process's append to finish
TREND_MIN_SESSIONS = 3  # `kinetic history` shows a trend from this many sessions of a metric
REPORT_SESSIONS = 10  # the report's "Your last sessions" shows at most this many (with today's)
HISTORY_FILE = "history.json"  # the trend data a result folder keeps for its report
HISTORY_SCHEMA = "kinetic/history/1"


class HistoryError(Exception):
    """The history could not be read or written; ``str()`` is one line."""


# ---------------------------------------------------------------------------------------------
# Where the file is


def data_dir() -> Path:
    """kinetic's user data folder: ``$KINETIC_HOME``, else ``$XDG_DATA_HOME/kinetic``, else
    ``~/.local/share/kinetic`` (the XDG base-directory default)."""
    home = os.environ.get("KINETIC_HOME")
    if home:
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg and Path(xdg).is_absolute():  # the spec: a relative value is to be ignored
        return Path(xdg) / "kinetic"
    return Path.home() / ".local" / "share" / "kinetic"


def check_user(user: str | None) -> str:
    """The user name to use (``None`` or empty: :data:`DEFAULT_USER`); ValueError if it has no
    letter or digit a file name could keep."""
    user = (user or "").strip() or DEFAULT_USER
    if not any(c.isalnum() for c in user):
        raise ValueError(f"--user {user!r}: a user name needs at least one letter or digit")
    return user


def db_path(user: str | None = None) -> Path:
    """The history database of ``user``: ``data_dir()/history/<safe name>.sqlite``."""
    from .folders import safe_name

    return data_dir() / "history" / f"{safe_name(check_user(user), DEFAULT_USER)}.sqlite"


# ---------------------------------------------------------------------------------------------
# The key metrics per exercise, and where their direction and error band come from


@dataclass(frozen=True)
class KeyMetric:
    """One number per session that a trend is drawn for.

    ``keys``: the per-rep metrics of ``summary.json`` it reads (several: one per side; per rep
    the worst of them counts, by the rule's direction); ``rule``: the profile's fault rule that
    judges it (its unit, threshold, error band and direction); ``absolute``: compare sizes
    (knee in *or* out, hip shift either way)."""

    name: str
    label: str
    keys: tuple[str, ...]
    rule: str
    absolute: bool = False


FAULTS_PER_REP = "faults_per_rep"
_LR = lambda k: (f"left_{k}", f"right_{k}")  # noqa: E731

KEY_METRICS: dict[str, tuple[KeyMetric, ...]] = {
    "squat": (
        KeyMetric("depth", "squat depth (thigh from vertical, 90° = parallel)", ("thigh_angle",), "shallow_depth"),
        KeyMetric("dorsiflexion", "ankle dorsiflexion (the shin's lean)", ("dorsiflexion",), "limited_dorsiflexion"),
        KeyMetric("trunk_lean", "trunk lean past the shins", ("trunk_minus_shank",), "excessive_trunk_lean"),
        KeyMetric("knee_valgus", "knee in or out (the larger knee)", _LR("knee_valgus"), "knee_valgus", absolute=True),
        KeyMetric("hip_shift", "hip shift (of stance width)", ("hip_shift",), "hip_shift", absolute=True),
    ),
    "heel_raise": (
        KeyMetric("heel_height", "heel height (of foot length)", ("heel_height",), "heel_raise_low"),
        KeyMetric("hold_s", "hold at the top", ("hold_s",), "short_hold"),
        KeyMetric("lower_s", "lowering time", ("lower_s",), "fast_lowering"),
        KeyMetric("heel_asymmetry", "left-right heel difference", ("heel_asymmetry",), "heel_asymmetry"),
    ),
    "footwork": (
        KeyMetric("heel_height", "heel height (of foot length)", ("heel_height",), "heel_raise_low"),
        KeyMetric("lower_s", "lowering time", ("lower_s",), "fast_lowering"),
        KeyMetric("order_margin", "phase order margin", ("order_margin",), "footwork_order"),
        KeyMetric("knee_tracking", "knee off the toes (the larger knee)", _LR("knee_tracking"), "knee_tracking",
                  absolute=True),
    ),
    "foot_roll": (
        KeyMetric("roll_in", "roll in (the smaller foot)", _LR("roll_in_deg"), "roll_in_small"),
        KeyMetric("roll_out", "roll out (the smaller foot)", _LR("roll_out_deg"), "roll_out_small"),
        KeyMetric("roll_asymmetry", "in-out difference (the larger foot)", _LR("in_out_asymmetry"), "roll_asymmetry"),
        KeyMetric("knee_sway", "knee sway (of foot length)", _LR("knee_sway"), "knees_unsteady"),
    ),
    "toe_lift": (
        KeyMetric("toe_lift", "toe lift (of foot length)", ("toe_lift",), "toe_lift_low"),
        KeyMetric("hold_s", "hold with the toes up", ("hold_s",), "short_hold"),
        KeyMetric("heel_rise", "heel rise while lifting (of foot length)", ("heel_rise",), "heel_lift"),
    ),
    "toe_walk": (
        KeyMetric("toe_lift", "toes' lift while walking (of foot length)", ("toe_lift",), "toes_dropped"),
    ),
    "foot_spine": (
        KeyMetric("point", "point range (the smaller foot)", _LR("point_deg"), "limited_point"),
        KeyMetric("flex", "flex range (the smaller foot)", _LR("flex_deg"), "limited_flex"),
        KeyMetric("cycle_s", "time per point-and-flex", ("duration_s",), "foot_spine_rushed"),
    ),
}


@dataclass(frozen=True)
class MetricSpec:
    """What a stored metric means: its words, unit, which way is better, the limit and how far
    off one measurement can be (both in ``unit``; ``threshold`` None: no limit)."""

    name: str
    label: str
    unit: str
    better: str  # "higher" or "lower"
    error_band: float
    threshold: float | None

    def as_dict(self) -> dict:
        return dict(name=self.name, label=self.label, unit=self.unit, better=self.better,
                    error_band=self.error_band, threshold=self.threshold)


def metric_specs(exercise: str) -> dict[str, MetricSpec]:
    """The key metrics of ``exercise`` (and faults per rep) with their direction, unit and
    error band from the packaged profile (the user's ``--profile`` changes a limit, not what
    is better; the packaged one keeps trends comparable across sessions). Rules the profile
    does not judge (``judged = false``) give no trend."""
    from .profile import ProfileError, load_profile

    specs: dict[str, MetricSpec] = {}
    try:
        profile = load_profile(None, exercise)
    except (ProfileError, OSError, FileNotFoundError):
        profile = None
    for km in KEY_METRICS.get(exercise, ()):
        rule = profile.rules.get(km.rule) if profile else None
        if rule is None or profile.data["faults"][km.rule].get("judged", True) is False:
            continue
        threshold = abs(rule.threshold) if km.absolute else rule.threshold
        specs[km.name] = MetricSpec(km.name, km.label, rule.unit, "higher" if rule.direction == "below" else "lower",
                                    float(rule.error_band), threshold)
    specs[FAULTS_PER_REP] = MetricSpec(FAULTS_PER_REP, "faults per rep", "1/rep", "lower", 0.0, None)
    return specs


def _finite(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def session_record(summary: dict, folder: str | os.PathLike | None, started_at: str | None = None) -> dict:
    """The history's view of one analysis (``summary.json`` as a dict): the session's facts,
    each key metric's mean over the reps that measured it, and each fault rule's counts.

    Returns ``{started_at, source, exercise, view, reps, status, folder, kinetic_version,
    duration_s, metrics: {name: {value, unit, reps}}, faults: {code: {count, reps_with,
    reps_judged, borderline}}}``."""
    exercise = str(summary.get("exercise") or "unknown")
    reps = [r for r in summary.get("reps") or [] if isinstance(r, dict)]
    specs = metric_specs(exercise)
    metrics: dict[str, dict] = {}
    for km in KEY_METRICS.get(exercise, ()):
        spec = specs.get(km.name)
        if spec is None:
            continue
        per_rep = []
        for r in reps:
            vals = [_finite((r.get("metrics") or {}).get(k)) for k in km.keys]
            vals = [abs(v) if km.absolute else v for v in vals if v is not None]
            if vals:  # the worst side, as the rule judges it
                per_rep.append(min(vals) if spec.better == "higher" else max(vals))
        if per_rep:
            metrics[km.name] = dict(value=sum(per_rep) / len(per_rep), unit=spec.unit, reps=len(per_rep))
    faults: dict[str, dict] = {}

    def entry(code: str) -> dict:
        return faults.setdefault(code, dict(count=0, reps_with=0, reps_judged=0, borderline=0))

    for r in reps:
        for code in r.get("judged") or []:
            entry(code)["reps_judged"] += 1
    with_rep: dict[str, set] = {}
    for f in summary.get("faults") or []:
        entry(f["code"])["count"] += 1
        with_rep.setdefault(f["code"], set()).add(f.get("rep"))
    for code, rs in with_rep.items():
        faults[code]["reps_with"] = len(rs)
    for f in summary.get("borderline") or []:
        entry(f["code"])["borderline"] += 1
    if reps:
        n = sum(v["count"] for v in faults.values())
        metrics[FAULTS_PER_REP] = dict(value=n / len(reps), unit="1/rep", reps=len(reps))
    src = summary.get("source") or {}
    return dict(
        started_at=started_at or datetime.now().astimezone().isoformat(timespec="seconds"),
        source=Path(str(src.get("path") or "")).name,
        exercise=exercise,
        view=(summary.get("view") or {}).get("label"),
        reps=len(reps),
        status=(summary.get("verdict") or {}).get("status"),
        folder=str(Path(folder).resolve()) if folder is not None else None,
        kinetic_version=summary.get("kinetic_version"),
        duration_s=_finite(src.get("duration_s")),
        metrics=metrics,
        faults=faults,
    )


# ---------------------------------------------------------------------------------------------
# The database


# MIGRATIONS[v]: the statements that bring a database at version v to v + 1, run inside the
# migration's transaction. Append steps; never edit a released one.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    0: (
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            source TEXT NOT NULL,
            exercise TEXT NOT NULL,
            view TEXT,
            reps INTEGER NOT NULL,
            status TEXT,
            folder TEXT,
            kinetic_version TEXT,
            duration_s REAL
        )""",
        "CREATE INDEX sessions_by_exercise ON sessions (exercise, started_at)",
        """CREATE TABLE metrics (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value REAL NOT NULL,
            unit TEXT NOT NULL,
            reps INTEGER NOT NULL,
            PRIMARY KEY (session_id, name)
        )""",
        """CREATE TABLE faults (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            code TEXT NOT NULL,
            count INTEGER NOT NULL,
            reps_with INTEGER NOT NULL,
            reps_judged INTEGER NOT NULL,
            borderline INTEGER NOT NULL,
            PRIMARY KEY (session_id, code)
        )""",
    ),
}


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to :data:`SCHEMA_VERSION` in one transaction (and switch it to the WAL
    journal, which stays set in the file); returns the version it had. HistoryError if a newer
    kinetic wrote it (it is left untouched). A database already at the version is only read."""
    have = conn.execute("PRAGMA user_version").fetchone()[0]
    if have > SCHEMA_VERSION:
        raise HistoryError(f"schema version {have} was written by a newer kinetic (this one reads {SCHEMA_VERSION})")
    if have == SCHEMA_VERSION:
        return have
    _set_wal(conn)
    conn.execute("BEGIN IMMEDIATE")  # one migrator at a time; the others wait, then see it done
    try:
        have = conn.execute("PRAGMA user_version").fetchone()[0]
        for v in range(have, SCHEMA_VERSION):
            for statement in MIGRATIONS[v]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
        return have
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _reason(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    return text.splitlines()[0] if text else exc.__class__.__name__


def _set_wal(conn: sqlite3.Connection) -> None:
    """Switch to the WAL journal (readers and one writer at once, across processes). SQLite does
    not wait on its busy timeout for this switch: when two processes create the file at once,
    the loser's switch fails at once with "database is locked" (seen in CI), so it is retried
    for up to :data:`BUSY_TIMEOUT_S`."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """An open, migrated database at ``path`` (WAL journal, busy timeout, foreign keys on;
    autocommit: every write below opens its own transaction). ``create`` False: the file must
    exist, and one already at the schema version is opened read-only. HistoryError (one line:
    the file and why) if it cannot be opened or is not a kinetic history."""
    path = Path(path)
    if not create and not path.exists():
        raise HistoryError(f"{path}: no history yet")
    try:
        conn = _open(path, readonly=not create)
        if not create and conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            conn.close()  # an older file: migrate it first
            conn = _open(path, readonly=False)
        migrate(conn)
        missing = {"sessions", "metrics", "faults"} - {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if missing:
            conn.close()
            raise HistoryError(f"{path}: not a kinetic history (no table {', '.join(sorted(missing))})")
    except HistoryError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise HistoryError(f"{path}: {exc}") from None
    except OSError as exc:
        raise HistoryError(f"{path}: cannot be created ({(exc.strerror or _reason(exc)).lower()})") from None
    except sqlite3.OperationalError as exc:  # cannot open, read-only, locked for too long
        raise HistoryError(f"{path}: cannot be opened for writing ({_reason(exc)})") from None
    except sqlite3.Error as exc:  # not a database, malformed
        raise HistoryError(f"{path}: not a readable history database ({_reason(exc)})") from None
    return conn


def _open(path: Path, *, readonly: bool) -> sqlite3.Connection:
    if not readonly:
        path.parent.mkdir(parents=True, exist_ok=True)
    uri = path.resolve().as_uri() + ("?mode=ro" if readonly else "")
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if not readonly:
            conn.execute("PRAGMA synchronous = FULL")  # a committed session survives a power cut
            conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def append_record(conn: sqlite3.Connection, rec: dict) -> int:
    """Insert one session record (see :func:`session_record`) in one transaction; returns its id."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        cur = conn.execute(
            "INSERT INTO sessions (started_at, source, exercise, view, reps, status, folder, kinetic_version, "
            "duration_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rec["started_at"], rec["source"], rec["exercise"], rec["view"], rec["reps"], rec["status"],
             rec["folder"], rec["kinetic_version"], rec["duration_s"]))
        sid = cur.lastrowid
        conn.executemany("INSERT INTO metrics (session_id, name, value, unit, reps) VALUES (?, ?, ?, ?, ?)",
                         [(sid, k, m["value"], m["unit"], m["reps"]) for k, m in rec["metrics"].items()])
        conn.executemany("INSERT INTO faults (session_id, code, count, reps_with, reps_judged, borderline) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [(sid, k, f["count"], f["reps_with"], f["reps_judged"], f["borderline"])
                          for k, f in rec["faults"].items()])
        conn.execute("COMMIT")
        return int(sid)
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def append_summary(summary: dict, folder: str | os.PathLike | None, user: str | None = None) -> dict:
    """Append one finished analysis (``summary.json`` as a dict, and its published result
    folder) to ``user``'s history; returns the record stored (:func:`session_record`, with its
    ``id`` and the ``database`` path). For ``analyze``, ``demo``, live mode and a routine.
    HistoryError (one line: the file and why) if it cannot be written: the caller says so and
    carries on."""
    path = db_path(user)
    rec = session_record(summary, folder)
    conn = connect(path)
    try:
        rec["id"] = append_record(conn, rec)
    except sqlite3.Error as exc:
        raise HistoryError(f"{path}: not written ({_reason(exc)})") from None
    finally:
        conn.close()
    rec["database"] = str(path)
    return rec


def load_sessions(user: str | None = None, *, exercise: str | None = None, last: int | None = None,
                  path: Path | None = None) -> list[dict]:
    """``user``'s sessions, oldest first (the ``last`` newest only), as :func:`session_record`
    dicts plus their ``id``. An empty list when there is no history file."""
    path = path or db_path(user)
    if not path.exists():
        return []
    conn = connect(path, create=False)
    try:
        where, args = ("WHERE exercise = ?", [exercise]) if exercise else ("", [])
        limit = f"LIMIT {int(last)}" if last else ""
        rows = conn.execute(f"SELECT id, started_at, source, exercise, view, reps, status, folder, kinetic_version, "
                            f"duration_s FROM sessions {where} ORDER BY started_at DESC, id DESC {limit}",
                            args).fetchall()
        out = []
        for r in reversed(rows):
            rec = dict(id=r[0], started_at=r[1], source=r[2], exercise=r[3], view=r[4], reps=r[5], status=r[6],
                       folder=r[7], kinetic_version=r[8], duration_s=r[9], metrics={}, faults={})
            for name, value, unit, reps in conn.execute(
                    "SELECT name, value, unit, reps FROM metrics WHERE session_id = ? ORDER BY name", (r[0],)):
                rec["metrics"][name] = dict(value=value, unit=unit, reps=reps)
            for code, count, with_, judged, border in conn.execute(
                    "SELECT code, count, reps_with, reps_judged, borderline FROM faults WHERE session_id = ? "
                    "ORDER BY code", (r[0],)):
                rec["faults"][code] = dict(count=count, reps_with=with_, reps_judged=judged, borderline=border)
            out.append(rec)
        return out
    except sqlite3.Error as exc:
        raise HistoryError(f"{path}: not readable ({_reason(exc)})") from None
    finally:
        conn.close()


def schema_version(path: Path) -> int:
    """The ``PRAGMA user_version`` of the database at ``path`` (read-only)."""
    conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# Trends


def trend(values: list[float], spec: MetricSpec) -> dict:
    """The trend of one metric over sessions (oldest first): ``{n, first, last, change, slope,
    verdict}`` with ``change`` the least-squares line's rise from the first to the last session
    (in the metric's unit) and ``verdict`` "improving", "getting worse" or "steady" (see the
    module's docstring; two sessions: their difference against the error band)."""
    n = len(values)
    xs = list(range(n))
    mx, my = sum(xs) / n, sum(values) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, values)) / sxx if sxx else 0.0
    change = slope * (n - 1)
    noise = 0.0
    if n > 2:
        resid = [y - (my + slope * (x - mx)) for x, y in zip(xs, values)]
        se_slope = math.sqrt(sum(e * e for e in resid) / (n - 2) / sxx)
        noise = 2 * se_slope * (n - 1)
    margin = max(spec.error_band, noise)
    if n < 2 or abs(change) <= margin + 1e-12:
        verdict = "steady"
    else:
        better = change > 0 if spec.better == "higher" else change < 0
        verdict = "improving" if better else "getting worse"
    return dict(n=n, first=values[0], last=values[-1], change=change, slope=slope, margin=margin, verdict=verdict)


def trends(sessions: list[dict], exercise: str, min_sessions: int = TREND_MIN_SESSIONS,
           view: str | None = None) -> dict[str, dict]:
    """Per metric of ``exercise`` measured in at least ``min_sessions`` of ``sessions`` (oldest
    first, one exercise): its :func:`trend`. Faults per rep depend on what the view could judge,
    so they trend per view: key ``faults_per_rep:<view>`` (``view`` given: that view's only)."""
    specs = metric_specs(exercise)
    out = {}
    for name, spec in specs.items():
        if name == FAULTS_PER_REP:
            continue
        values = [s["metrics"][name]["value"] for s in sessions if name in s["metrics"]]
        if len(values) >= min_sessions:
            out[name] = trend(values, spec)
    views = [view] if view else list(dict.fromkeys(s.get("view") for s in sessions))
    for v in views:
        values = [s["metrics"][FAULTS_PER_REP]["value"] for s in sessions
                  if FAULTS_PER_REP in s["metrics"] and s.get("view") == v]
        if len(values) >= min_sessions:
            out[f"{FAULTS_PER_REP}:{v}"] = trend(values, specs[FAULTS_PER_REP])
    return out


def spec_for(specs: dict[str, MetricSpec], key: str) -> MetricSpec:
    """The spec of a :func:`trends` key (``faults_per_rep:side``: faults per rep, side view)."""
    name, _, view = key.partition(":")
    spec = specs[name]
    if view:
        from dataclasses import replace

        spec = replace(spec, label=f"{spec.label} ({view} view)")
    return spec


def fmt_value(v: float | None, unit: str) -> str:
    """A metric's value in words: 12°, 18 % (of foot length), 0.4 s, 0.50/rep."""
    if v is None:
        return "—"
    if unit == "deg":
        return f"{v:.0f}°"
    if unit in ("foot", "stance", "shoulder"):
        return f"{100 * v:.0f} %"
    if unit == "ratio":
        return f"{100 * v:.0f} %"
    if unit == "s":
        return f"{v:.2f} s"
    if unit == "1/rep":
        return f"{v:.2f}/rep"
    return f"{v:.3g}"


def trend_sentence(spec: MetricSpec, t: dict) -> str:
    """One sentence: the metric, its first and last value and whether it improves."""
    first, last = fmt_value(t["first"], spec.unit), fmt_value(t["last"], spec.unit)
    span = f"from {first} to {last} over {t['n']} sessions" if t["n"] > 2 else f"{first} last time, {last} now"
    band = f"±{fmt_value(spec.error_band, spec.unit)}" if spec.error_band else ""
    label = spec.label[:1].upper() + spec.label[1:]
    if t["verdict"] == "steady":
        if abs(t["change"]) < 1e-9:
            why = "no change"
        elif band and abs(t["change"]) <= spec.error_band:
            why = f"the change is within the {band} it is measured to"
        else:
            why = "the change is within the session-to-session spread"
        return f"{label}: steady ({span}; {why})."
    direction = "higher" if t["change"] > 0 else "lower"
    tail = f", by more than its {band}" if band else ""
    return f"{label}: {t['verdict']} ({span}; {direction} is {'better' if t['verdict'] == 'improving' else 'worse'}{tail})."


# ---------------------------------------------------------------------------------------------
# A result folder's copy of the trend (so `kinetic report` needs neither the model nor the DB)


def prior_sessions(user: str | None = None, per_exercise: int = REPORT_SESSIONS - 1) -> dict:
    """The last ``per_exercise`` sessions of every exercise in ``user``'s history, to hand to
    the analysis (it runs in a worker that need not see the database): ``{user, database,
    sessions: {exercise: [records]}}``. HistoryError if the database is unreadable."""
    path = db_path(user)
    by: dict[str, list[dict]] = {}
    for rec in load_sessions(user, path=path):
        by.setdefault(rec["exercise"], []).append(rec)
    return dict(user=check_user(user), database=str(path),
                sessions={k: v[-per_exercise:] for k, v in by.items()})


def history_snapshot(prior: dict, summary: dict, folder: str | os.PathLike | None) -> dict:
    """What ``history.json`` holds: this session (``current``: true) after the earlier ones of
    the same exercise, every key metric's meaning, and its trend from two sessions on."""
    exercise = str(summary.get("exercise") or "unknown")
    current = dict(session_record(summary, folder), current=True)
    sessions = [dict(s) for s in (prior.get("sessions") or {}).get(exercise, [])] + [current]
    sessions = sessions[-REPORT_SESSIONS:]
    specs = metric_specs(exercise)
    return dict(schema=HISTORY_SCHEMA, user=prior.get("user"), database=prior.get("database"), exercise=exercise,
                sessions=sessions, metrics={k: v.as_dict() for k, v in specs.items()},
                trends=trends(sessions, exercise, min_sessions=2, view=current["view"]))


def write_history_file(folder: Path, prior: dict, summary: dict,
                       final_folder: str | os.PathLike | None) -> Path | None:
    """Write ``folder/history.json`` (atomically) for the report, when ``prior`` holds an
    earlier session of this exercise (else nothing: the report has nothing to compare, and a
    first result folder stays as it was); ``final_folder`` is where the result will be
    published (recorded as this session's folder). Returns the file written, or None."""
    from .outputs import write_json

    if not (prior.get("sessions") or {}).get(str(summary.get("exercise") or "unknown")):
        return None
    target = Path(folder) / HISTORY_FILE
    write_json(target, history_snapshot(prior, summary, final_folder))
    return target


def read_history_file(folder: str | os.PathLike) -> dict | None:
    """A result folder's ``history.json``, or None if it has none or it is unreadable."""
    p = Path(folder) / HISTORY_FILE
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema") != HISTORY_SCHEMA:
        return None
    return data


def specs_from_file(data: dict) -> dict[str, MetricSpec]:
    """The metric meanings a ``history.json`` recorded."""
    out = {}
    for name, d in (data.get("metrics") or {}).items():
        try:
            out[name] = MetricSpec(name, str(d["label"]), str(d["unit"]), str(d["better"]), float(d["error_band"]),
                                   None if d.get("threshold") is None else float(d["threshold"]))
        except (KeyError, TypeError, ValueError):
            continue
    return out
