"""The shape of ``summary.json`` (schema ``kinetic/summary/1``) as far as the report reads it,
and a small validator that names the first field that does not fit, in one line.

Hand-written rather than a JSON-Schema library: the spec is a few nested dicts of the types
below, and the messages say exactly which field is wrong (``faults[2].start_s: missing``).
Extra keys are allowed everywhere (the contract is "extend, never rename").
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


class SchemaError(ValueError):
    """``str()``: ``"<path>: <what is wrong>"``, one line."""


@dataclass(frozen=True)
class T:
    """A leaf type: ``kind`` one of num (finite int/float), int, str, bool, any; ``null``: None
    is allowed."""

    kind: str
    null: bool = False


@dataclass(frozen=True)
class Enum:
    """A string from ``values``."""

    values: tuple
    null: bool = False


@dataclass(frozen=True)
class Obj:
    """An object with ``fields`` (name -> spec); ``required`` must be present. ``null``: may be None."""

    fields: dict
    required: frozenset = frozenset()
    null: bool = False


@dataclass(frozen=True)
class List:
    """A list whose items all fit ``item``."""

    item: Any
    null: bool = False


@dataclass(frozen=True)
class Map:
    """An object of any string keys whose values all fit ``value``."""

    value: Any
    null: bool = False


NUM, INT, STR, BOOL = T("num"), T("int"), T("str"), T("bool")
NUM_, INT_, STR_ = T("num", True), T("int", True), T("str", True)

LINK = Enum(("foot", "ankle", "knee", "hip", "lumbar"))
_FINDING = Obj(dict(code=STR, side=STR_, rep=INT_, start_s=NUM, end_s=NUM, onset_s=NUM, value=NUM, threshold=NUM,
                    unit=STR_, error_band=NUM_, severity=STR, view=STR_, link=LINK, message=STR_),
               frozenset({"code", "start_s", "end_s", "onset_s", "value", "threshold", "severity", "link"}))
_NOT_JUDGED = Obj(dict(code=STR_, side=STR_, why=STR_, link=STR_))
_SEGMENT = Obj(dict(label=STR, start_s=NUM, end_s=NUM, azimuth_deg=NUM_, confidence=NUM_, facing=STR_,
                    near_side=STR_), frozenset({"label", "start_s", "end_s"}))

SUMMARY = Obj(dict(
    schema=STR,
    kinetic_version=STR_,
    source=Obj(dict(path=STR, frames=INT_, fps=NUM_, duration_s=NUM_, width=INT_, height=INT_, rotation=INT_,
                    codec=STR_, trim=Obj(dict(start_s=NUM, end_s=NUM_), frozenset({"start_s"}), null=True)),
               frozenset({"path"})),
    exercise=STR,
    rep_signal=STR_,
    view=Obj(dict(label=STR, confidence=NUM_, facing=STR_, azimuth_deg=NUM_, overridden=T("bool", True),
                  segments=List(_SEGMENT, null=True), cannot_measure=STR_), frozenset({"label"})),
    detection_rate=NUM_,
    reps=List(Obj(dict(index=INT, start_s=NUM, bottom_s=NUM, end_s=NUM, view=STR_, metrics=Map(NUM_, null=True),
                       faults=List(STR, null=True), borderline=List(STR, null=True), judged=List(STR, null=True),
                       not_judged=List(_NOT_JUDGED), root_cause=STR_, root_cause_side=STR_),
                  frozenset({"index", "start_s", "bottom_s", "end_s"}))),
    partial_reps=List(Obj(dict(start_s=NUM, bottom_s=NUM, end_s=NUM, reason=STR_),
                          frozenset({"start_s", "bottom_s", "end_s"}))),
    faults=List(_FINDING),
    borderline=List(_FINDING),
    verdict=Obj(dict(status=STR, headline=STR, details=List(STR), judged=List(STR, null=True),
                     not_judged=List(Obj(dict(link=STR_, why=STR_)), null=True),
                     reps=List(Obj(dict(index=INT, status=STR_, findings=List(STR, null=True),
                                        not_judged=List(_NOT_JUDGED, null=True), judged=List(STR, null=True)),
                                   frozenset({"index"})), null=True),
                     causes=List(Obj(dict(rep=INT_, link=T("str", True), code=STR_, side=STR_)), null=True)),
                frozenset({"status", "headline"}), null=True),
    quality=Obj(dict(unreliable=List(Obj(dict(start_s=NUM, end_s=NUM, text=STR_)), null=True)), null=True),
    exercise_detection=Obj(dict(why=STR_), null=True),
    people=Obj(dict(looked_for=INT_, seen=INT_, analysed=INT_, ranking=List(Map(T("any", True)), null=True)),
               null=True),
    suggestions=List(Obj(dict(exercise=STR_, name=STR_, number=INT_, why=STR, instructions=List(STR)))),
    notes=List(STR, null=True),
    baselines=Map(NUM_, null=True),
    profile=Obj(dict(origin=STR_), null=True),
    model=Obj(dict(name=STR_, path=STR_)),
    timings=Map(NUM),
), frozenset({"schema", "source", "exercise", "view", "reps", "faults"}))


def _kind(x) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "true/false"
    if isinstance(x, (int, float)):
        return "a number"
    if isinstance(x, str):
        return "a string"
    if isinstance(x, list):
        return "a list"
    if isinstance(x, dict):
        return "an object"
    return type(x).__name__


_WANT = {"num": "a number", "int": "a whole number", "str": "a string", "bool": "true or false"}


def _fail(path: str, want: str, got) -> None:
    path = path or "the file"
    shown = repr(got) if isinstance(got, (str, int, float)) and not isinstance(got, bool) else ""
    shown = f" {shown[:40]}" if shown else ""
    raise SchemaError(f"{path}: expected {want}, got {_kind(got)}{shown}")


def _at(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def check(value, spec, path: str = "") -> None:
    """Raise SchemaError naming the first field of ``value`` that does not fit ``spec``."""
    if value is None:
        if getattr(spec, "null", False):
            return
        want = (_WANT.get(spec.kind, spec.kind) if isinstance(spec, T) else "a string" if isinstance(spec, Enum)
                else "an object" if isinstance(spec, (Obj, Map)) else "a list")
        _fail(path, want, None)
    if isinstance(spec, Enum):
        if value not in spec.values:
            _fail(path, f"one of {', '.join(spec.values)}", value)
        return
    if isinstance(spec, T):
        k = spec.kind
        if k == "any":
            return
        if k in ("num", "int"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                _fail(path, _WANT[k], value)
            if not math.isfinite(value):
                _fail(path, "a finite number", value)
            if k == "int" and not (isinstance(value, int) or float(value).is_integer()):
                _fail(path, _WANT[k], value)
        elif k == "str" and not isinstance(value, str):
            _fail(path, _WANT[k], value)
        elif k == "bool" and not isinstance(value, bool):
            _fail(path, _WANT[k], value)
        return
    if isinstance(spec, List):
        if not isinstance(value, list):
            _fail(path, "a list", value)
        for i, item in enumerate(value):
            check(item, spec.item, f"{path}[{i}]")
        return
    if not isinstance(value, dict):
        _fail(path, "an object", value)
    if isinstance(spec, Map):
        for k, v in value.items():
            check(v, spec.value, _at(path, str(k)))
        return
    for name in sorted(spec.required):
        if name not in value:
            raise SchemaError(f"{_at(path, name)}: missing")
    for name, sub in spec.fields.items():
        if name in value:
            check(value[name], sub, _at(path, name))


def validate_summary(summary) -> None:
    """SchemaError (one line, naming the field) unless ``summary`` fits :data:`SUMMARY`."""
    check(summary, SUMMARY, "")
