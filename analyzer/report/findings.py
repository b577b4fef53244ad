"""What the report says: the kinetic chain per rep, the headline finding, the per-rep table and
which plots to draw. Pure Python over a loaded :class:`~analyzer.report.data.Analysis`.

Status words used throughout (and as CSS classes): ``ok`` (green: measured, within limits),
``warn`` (amber: a mild fault, within the measurement error of its threshold), ``bad`` (red: a
moderate or severe fault), ``na`` (grey: this view or this version cannot measure it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..faults import LABELS
from ..profile import LINKS, Rule
from ..view import METRIC_VIEWS
from .data import Analysis

LINK_TITLES = {"foot": "Foot", "ankle": "Ankle", "knee": "Knee", "hip": "Hip", "lumbar": "Lower back"}
STATUS_RANK = {"na": 0, "ok": 1, "warn": 2, "bad": 3}
SEVERITY_STATUS = {"borderline": "warn", "mild": "warn", "moderate": "bad", "severe": "bad"}
SEVERITY_RANK = {"borderline": 0, "mild": 1, "moderate": 2, "severe": 3}

@dataclass(frozen=True)
class Check:
    """How a fault rule's per-rep value is found in ``reps[].metrics``.

    label: short name of the measured quantity. metrics: (metric key, side) pairs.
    view_metric: the METRIC_VIEWS key saying which views can see it. absolute: the rule judges
    the magnitude. group: rules sharing one measurement (valgus/varus) are shown as one line.
    signs: words for the sign of a signed two-sided value (positive, negative).
    """

    label: str
    metrics: tuple[tuple[str, str | None], ...]
    view_metric: str
    absolute: bool = False
    group: str | None = None
    signs: tuple[str, str] | None = None


_LR = lambda name: ((f"left_{name}", "left"), (f"right_{name}", "right"))  # noqa: E731

CHECKS: dict[str, Check] = {
    "heel_lift": Check("heel lift", (("heel_lift", None),), "heel_lift"),
    "foot_roll": Check("foot roll", _LR("foot_roll"), "foot_roll", absolute=True),
    "limited_dorsiflexion": Check("shin angle (dorsiflexion)", (("dorsiflexion", None),), "shank_inclination"),
    "knee_valgus": Check("knee in / out", _LR("knee_valgus"), "knee_valgus", group="knee_align", signs=("in", "out")),
    "knee_varus": Check("knee in / out", _LR("knee_valgus"), "knee_valgus", group="knee_align", signs=("in", "out")),
    "knee_tracking": Check("knee off the 2nd/3rd toe", _LR("knee_tracking"), "knee_tracking", absolute=True),
    "shallow_depth": Check("depth (thigh from vertical)", (("thigh_angle", None),), "thigh_inclination"),
    "excessive_trunk_lean": Check("trunk lean beyond the shins", (("trunk_minus_shank", None),), "trunk_minus_shank"),
    "hip_shift": Check("hip shift", (("hip_shift", None),), "hip_shift", absolute=True),
    "pelvic_drop": Check("pelvic drop", (("pelvic_drop", None),), "pelvic_obliquity", absolute=True),
    "narrow_stance": Check("stance (ankles / shoulders)", (("stance_ratio", None),), "stance_ratio"),
    "incomplete_lockout": Check("knees bent at the top", (("lockout", None),), "depth"),
    "lumbar_rounding": Check("lower-back bend (estimate from the outline)", (("lumbar_flexion", None),), "lumbar_curvature",
                             group="lumbar", signs=("rounds", "arches")),
    "lumbar_overarch": Check("lower-back bend (estimate from the outline)", (("lumbar_flexion", None),), "lumbar_curvature",
                             group="lumbar", signs=("rounds", "arches")),
}

def checks_for(exercise: str | None) -> dict[str, Check]:
    """The chain's reading of each rule for ``exercise``: the squat's :data:`CHECKS`, with the
    exercise's own readings (its layout in the catalog) in place of them."""
    from ..exercises.catalog import layout

    own = layout(exercise).rules
    if not own:
        return CHECKS
    return {**CHECKS, **{code: Check(v.label, v.metrics, "", absolute=v.absolute, group=v.group, signs=v.signs)
                         for code, v in own.items()}}


VIEW_NEEDS = {("side",): "a side view", ("front", "rear"): "a front or rear view", ("rear",): "a view from behind",
              ("front",): "a front view"}


def fmt(value: float | None, unit: str, *, digits: int = 1, long: bool = False) -> str:
    """'28.6°', '7 %' (or '7 % of foot length' with ``long``), '—' for a missing value."""
    if value is None or not math.isfinite(value):
        return "—"
    if unit == "deg":
        return f"{value:.{digits}f}°"
    if unit in ("foot", "stance", "torso"):
        tail = {"foot": " of foot length", "stance": " of stance width", "torso": " of torso length"}[unit]
        return f"{100 * value:.0f} %" + (tail if long else "")
    if unit == "s":
        return f"{value:.1f} s"
    return f"{value:.2f}"


def threshold_text(rule: Rule, *, two_sided: bool = False) -> str:
    """'needs ≥ 30.0°' for a too-little rule, 'limit 20.0°' for a too-much one."""
    thr = fmt(abs(rule.threshold) if two_sided else rule.threshold, rule.unit)
    if two_sided:
        return f"limit ±{thr}"
    return f"needs ≥ {thr}" if rule.direction == "below" else f"limit {thr}"


def needs_view(view_metric: str) -> str:
    views = METRIC_VIEWS.get(view_metric)
    if views is None:
        return "needs another view"
    return f"needs {VIEW_NEEDS.get(tuple(views), ' or '.join(views) + ' view')}"


def side_word(side: str | None) -> str:
    return {"left": "left", "right": "right"}.get(side or "", "")


def _finite(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


# ---------------------------------------------------------------------------------------------
# The chain


@dataclass
class LinkLine:
    """One measured quantity of a link in one rep."""

    text: str  # "shin angle (dorsiflexion) 28.6° · needs ≥ 30.0°"
    status: str


@dataclass
class LinkState:
    link: str
    title: str
    status: str
    summary: str  # the link's most telling value, short
    lines: list[LinkLine] = field(default_factory=list)
    root: bool = False
    codes: list[str] = field(default_factory=list)


@dataclass
class RepChain:
    rep: int
    links: list[LinkState]  # foot ... lumbar
    story: str
    root_link: str | None


def _check_values(check: Check, metrics: dict) -> list[tuple[str | None, float]]:
    out = []
    for key, side in check.metrics:
        v = metrics.get(key)
        if _finite(v):
            out.append((side, float(v)))
    return out


def _values_text(check: Check, rule: Rule, values: list[tuple[str | None, float]]) -> str:
    parts = []
    for side, v in values:
        shown = abs(v) if (check.absolute or check.signs) else v
        s = fmt(shown, rule.unit, long=False)
        if check.signs:
            s += f" {check.signs[0] if v >= 0 else check.signs[1]}"
        parts.append(f"{side[0].upper()} {s}" if side else s)
    return " · ".join(parts)


def rep_chain(analysis: Analysis, rep: dict) -> RepChain:
    """The chain foot -> lumbar for one rep: each link's status, values and the root cause."""
    rules = analysis.rules
    metrics = rep.get("metrics") or {}
    # Faults and borderline findings (within the measurement's error: amber, never red).
    rep_faults = [f for f in analysis.faults + analysis.borderline if f.get("rep") == rep["index"]]
    skipped = {n.get("code"): n.get("why", "") for n in rep.get("not_judged", []) if isinstance(n, dict)}
    root_code = rep.get("root_cause")
    root_side = rep.get("root_cause_side")
    root_fault = next((f for f in rep_faults if f["code"] == root_code and (root_side is None or f.get("side") == root_side)),
                      next((f for f in rep_faults if f["code"] == root_code), None))
    root_link = root_fault["link"] if root_fault else (rules[root_code].link if root_code in rules else None)

    checks = checks_for(analysis.summary.get("exercise"))
    links = []
    for link in LINKS:
        codes = [c for c, r in rules.items() if r.link == link]
        lines: list[LinkLine] = []
        seen_groups: set[str] = set()
        link_faults = [f for f in rep_faults if f.get("link") == link]
        statuses = []
        summary = ""
        for code in codes:
            check = checks.get(code)
            rule = rules[code]
            faults_here = [f for f in link_faults if f["code"] == code]
            status = max((SEVERITY_STATUS.get(f["severity"], "bad") for f in faults_here), key=STATUS_RANK.get, default=None)
            if check is None:  # an exercise-specific rule the report has no reader for
                if faults_here:
                    statuses.append(status)
                    lines.append(LinkLine(f"{LABELS.get(code, code)}: {fmt(faults_here[0]['value'], rule.unit)}", status))
                continue
            group_codes = [c for c in codes if checks.get(c) and checks[c].group and checks[c].group == check.group]
            if check.group:
                if check.group in seen_groups:
                    if status:
                        statuses.append(status)
                    continue
                seen_groups.add(check.group)
                gf = [f for f in link_faults if f["code"] in group_codes]
                status = max((SEVERITY_STATUS.get(f["severity"], "bad") for f in gf), key=STATUS_RANK.get, default=None)
            values = _check_values(check, metrics)
            if code in skipped and not faults_here and all(c in skipped for c in (group_codes or [code])):
                lines.append(LinkLine(f"{check.label}: not judged ({skipped[code]})", "na"))
                statuses.append("na")
                continue
            if not values:
                if metrics and any(_finite(v) for v in metrics.values()):
                    views = METRIC_VIEWS.get(check.view_metric)
                    why = needs_view(check.view_metric) if views and rep.get("view") not in views else "not measurable in this rep"
                else:
                    why = "not measured"
                lines.append(LinkLine(f"{check.label}: {why}", "na"))
                statuses.append("na")
                continue
            two_sided = bool(check.group and len(group_codes) > 1)
            thr = threshold_text(rule, two_sided=two_sided)
            group_rules = [rules[c] for c in group_codes if c in rules] if two_sided else []
            if len({abs(r.threshold) for r in group_rules}) > 1 and check.signs:
                # two sides with their own limits (the lower back: rounding +20, arching -5)
                thr = "limits " + " / ".join(f"{fmt(abs(r.threshold), r.unit)} {check.signs[0] if r.threshold >= 0 else check.signs[1]}"
                                             for r in group_rules)
            text = f"{check.label}: {_values_text(check, rule, values)} · {thr}"
            if status is None:
                status = "ok"
                if code == "limited_dorsiflexion":
                    need = float(rule.options.get("min_thigh_deg", 80.0))
                    thigh = metrics.get("thigh_angle")
                    if _finite(thigh) and thigh < need:
                        status = "na"
                        text = f"{check.label}: {_values_text(check, rule, values)} · not judged (the rep stayed above parallel)"
            lines.append(LinkLine(text, status))
            statuses.append(status)
        if not lines:
            lines.append(LinkLine("no rule for this link", "na"))
            statuses.append("na")
        measured = [s for s in statuses if s != "na"]
        link_status = max(measured, key=STATUS_RANK.get) if measured else "na"
        # The summary: the worst line's value.
        best = max(lines, key=lambda ln: STATUS_RANK[ln.status])
        summary = best.text
        links.append(LinkState(link, LINK_TITLES[link], link_status, summary, lines,
                               root=(link == root_link), codes=sorted({f["code"] for f in link_faults})))
    from ..exercises.catalog import layout

    name = f"{layout(analysis.summary.get('exercise')).title} {rep['index']}"  # "Rep 2", "Step 2"
    return RepChain(rep["index"], links, _story(name, links, root_fault), root_link)


def _story(name: str, links: list[LinkState], root_fault: dict | None) -> str:
    """The chain of one repetition in a sentence; ``name``: "Rep 2", "Step 2"."""
    faulty = [ln for ln in links if ln.status in ("warn", "bad")]
    unmeasured = [ln.title.lower() for ln in links if ln.status == "na"]
    if not faulty:
        seen = [ln.title.lower() for ln in links if ln.status == "ok"]
        if not seen:
            return f"{name}: nothing on the chain could be measured from this view."
        return (f"{name}: every link this view can see stayed within its limits ({_join(seen)})."
                + (f" Not seen: {_join(unmeasured)}." if unmeasured else ""))
    if root_fault is None:
        return f"{name}: {_join([ln.title.lower() for ln in faulty])} went past their limits."
    root_link = root_fault["link"]
    side = side_word(root_fault.get("side"))
    what = LABELS.get(root_fault["code"], root_fault["code"])
    after = [ln.title.lower() for ln in faulty if ln.link != root_link]
    text = f"{name}: the chain went wrong first at the {side + ' ' if side else ''}{LINK_TITLES[root_link].lower()} ({what})"
    if after:
        text += f", and the {_join(after)} followed"
    return text + "."


def _join(words: list[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def best_rep(analysis: Analysis) -> dict | None:
    """The rep whose chain tells the most: a root cause, the most faulty links, the worst
    severity, then the earliest; with no faults, the deepest rep."""
    reps = analysis.reps
    if not reps:
        return None
    by_rep: dict[int, list[dict]] = {}
    for f in analysis.faults:
        by_rep.setdefault(f.get("rep"), []).append(f)

    def score(r: dict):
        fs = by_rep.get(r["index"], [])
        links = {f.get("link") for f in fs}
        worst = max((SEVERITY_RANK.get(f.get("severity"), 0) for f in fs), default=0)
        depth = (r.get("metrics") or {}).get("depth_3d_knee_flexion")
        return (bool(r.get("root_cause")), len(links), worst, len(fs), depth if _finite(depth) else 0.0, -r["index"])

    return max(reps, key=score)


# ---------------------------------------------------------------------------------------------
# The headline


@dataclass
class Headline:
    title: str  # the top finding in plain words
    details: list[str]
    status: str  # ok / warn / bad / na
    top_code: str | None = None


def exercise_name(summary: dict) -> str:
    """'squat', 'heel raise', ... for display."""
    return str(summary.get("exercise") or "squat").replace("_", " ")


# The verdict's status -> the headline's colour.
VERDICT_STATUS = {"clean": "ok", "faults": "bad", "not_judged": "na", "unknown_exercise": "na"}


def headline(analysis: Analysis) -> Headline:
    """The verdict that ``kinetic analyze`` decided (:mod:`analyzer.verdict`), for display; the
    report words no verdict of its own."""
    v = analysis.summary.get("verdict")
    if not isinstance(v, dict) or not v.get("headline"):
        return Headline("This analysis was made by an older kinetic: run `kinetic analyze` again for its verdict.",
                        [], "na")
    status = VERDICT_STATUS.get(v.get("status"), "na")
    if status == "bad" and all(f.get("severity") != "severe" for f in analysis.faults) and len(analysis.faults) <= 1:
        status = "warn"
    top = next((f.get("code") for f in analysis.faults), None)
    return Headline(str(v["headline"]), [str(d) for d in v.get("details", [])], status, top)


def fault_status(f: dict) -> str:
    return SEVERITY_STATUS.get(f.get("severity"), "bad")


# Short titles of faults, (with a side, without); shared with the replay's banner.
TITLES = {
    "limited_dorsiflexion": ("{Side} ankle: limited dorsiflexion", "Ankles: limited dorsiflexion"),
    "heel_lift": ("{Side} heel lifts", "Heels lift"),
    "knee_valgus": ("{Side} knee caves in", "Knees cave in"),
    "knee_varus": ("{Side} knee bows out", "Knees bow out"),
    "knee_tracking": ("{Side} knee off the 2nd/3rd toe", "Knees off the 2nd/3rd toe"),
    "shallow_depth": ("Shallow squat", "Shallow squat"),
    "excessive_trunk_lean": ("Trunk leans far forward", "Trunk leans far forward"),
    "lumbar_rounding": ("Lower back rounds", "Lower back rounds"),
    "lumbar_overarch": ("Lower back over-arches", "Lower back over-arches"),
    "hip_shift": ("Hips shift to the {side}", "Hips shift sideways"),
    "pelvic_drop": ("Pelvis drops on the {side}", "Pelvis drops on one side"),
    "foot_roll": ("{Side} foot rolls", "Feet roll"),
}


def short_title(code: str, side: str | None) -> str:
    """'Right ankle: limited dorsiflexion', 'Knees cave in', ... for a fault code and side."""
    label = LABELS.get(code, code)
    with_side, without = TITLES.get(code, ("{Side}: " + label, label))
    text = with_side.format(side=side, Side=side.capitalize()) if side in ("left", "right") else without
    return text[:1].upper() + text[1:]


def fault_title(f: dict, rules: dict[str, Rule] | None = None) -> str:
    """'Right ankle: limited dorsiflexion' for a fault."""
    return short_title(f["code"], f.get("side"))


def fault_value_text(f: dict, rules: dict[str, Rule]) -> str:
    """'28.6° · needs ≥ 30.0° · ±1.5°'."""
    unit = f.get("unit", "")
    rule = rules.get(f["code"])
    limit = threshold_text(rule) if rule else f"threshold {fmt(f['threshold'], unit)}"
    value = f.get("value")
    if rule is not None and CHECKS.get(f["code"]) and CHECKS[f["code"]].absolute:
        value = abs(value)
    band = f" · ±{fmt(f['error_band'], unit)}" if f.get("error_band") else ""
    return f"{fmt(value, unit, long=True)} · {limit}{band}"
