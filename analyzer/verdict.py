"""The one place that turns measurements into a verdict (pure Python).

Two layers:

* Per rule and rep, :func:`classify` decides **fault** (beyond the threshold by more than the
  measurement's error band), **borderline** (past the threshold, but by no more than the error
  band: the measurement cannot tell it from a good rep), or **ok** (within the limit: a value
  inside the limit is not flagged, however close, so a good rep is not painted amber). A rule the view or the pose quality could not
  measure is **not judged** (the exercise module says why). :func:`judge_rep` applies it to a
  rep's measurements.
* Per video, :func:`decide` gives the status (``clean`` only when something was judged;
  ``faults``; ``not_judged``; ``unknown_exercise``), the headline, which links of the chain were
  judged and which not (and why), the per-rep findings in words, and the causes - only ever at
  links that were measured.

Report, replay, live window and terminal render this; none of them words a verdict of its own.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
from dataclasses import asdict, dataclass, field

from .faults import LABELS, Fault, Measurement
from .profile import LINKS, Profile, Rule

LINK_WORDS = {"foot": "feet", "ankle": "ankles", "knee": "knees", "hip": "hips", "lumbar": "lower back"}
LINK_WORD_ONE = {"foot": "foot", "ankle": "ankle", "knee": "knee", "hip": "hips", "lumbar": "lower back"}
# What a finding says, (one side, both sides / no side). {side}: left/right.
FINDING_TEXT = {
    "limited_dorsiflexion": ("the {side} shin stayed too upright: the ankle ran out of bend",
                             "the shins stayed too upright: the ankles ran out of bend"),
    "heel_lift": ("the {side} heel came up", "the heels came up"),
    "shallow_depth": ("the squat stayed above parallel", "the squat stayed above parallel"),
    "knee_valgus": ("the {side} knee caved in", "both knees caved in"),
    "knee_varus": ("the {side} knee bowed out past the foot", "both knees bowed out past the feet"),
    "knee_tracking": ("the {side} knee drifted off the line of the 2nd/3rd toe",
                      "the knees drifted off the line of the 2nd/3rd toes"),
    "excessive_trunk_lean": ("the chest dropped forward: the trunk leaned much further than the shins",) * 2,
    "hip_shift": ("the hips shifted to the {side}", "the hips shifted sideways"),
    "pelvic_drop": ("the pelvis dropped on the {side}", "the pelvis dropped on one side"),
    "foot_roll": ("the {side} foot rolled", "the feet rolled"),
    "incomplete_lockout": ("you did not stand all the way up between reps",) * 2,
    "narrow_stance": ("the feet stood closer together than the shoulders",) * 2,
    "lumbar_rounding": ("the lower back rounded at the bottom",) * 2,
    "lumbar_overarch": ("the lower back over-arched at the bottom",) * 2,
}
SUPPORTED = "squat, heel raise, Pilates footwork, foot roll, toe lift and foot spine (the Frankenstein walk: --exercise toe_walk)"
# Checks of how a rep is done rather than of the chain: on their own they do not make a set
# "judged" (an oblique view sees whether you stood up, not how your knees and ankles moved).
SETUP_CODES = {"incomplete_lockout"}


# ------------------------------------------------------------------ per rule

def beyond(value: float, rule: Rule) -> float:
    """How far ``value`` is past the threshold in the rule's direction (negative: within)."""
    return (value - rule.threshold) if rule.direction == "above" else (rule.threshold - value)


def classify(value: float, rule: Rule) -> str:
    """'fault', 'borderline' or 'ok' for a finite value (see the module docstring)."""
    b = beyond(value, rule)
    if b <= 1e-9 * max(1.0, abs(rule.threshold)):  # at the limit (a duration of whole frames: 0.3 s as 0.29999..)
        return "ok"
    return "borderline" if b <= rule.error_band else "fault"


def severity(value: float, rule: Rule) -> str:
    """'severe' at or past the rule's severe level, else 'moderate' (for a fault)."""
    if rule.severe is not None and (value >= rule.severe if rule.direction == "above" else value <= rule.severe):
        return "severe"
    return "moderate"


def fmt_value(value: float, unit: str, digits: int | None = None) -> str:
    """'34.2°', '28 % of foot length', '0.4 s' for a value in a profile unit."""
    if unit == "deg":
        return f"{value:.{1 if digits is None else digits}f}°"
    if unit in ("foot", "stance", "torso", "shoulder"):
        tail = {"foot": " of foot length", "stance": " of stance width", "torso": " of torso length",
                "shoulder": " of shoulder width"}[unit]
        return f"{100 * value:.{0 if digits is None else max(0, digits - 1)}f} %{tail}"
    if unit == "s":
        return f"{value:.{1 if digits is None else digits}f} s"
    if unit == "ratio":
        return f"{value:.{2 if digits is None else digits}f}"
    return f"{value:.{2 if digits is None else digits}f}"


def fmt_numbers(value: float, threshold: float, unit: str, band: float = 0.0, status: str | None = None
                ) -> tuple[str, str, str]:
    """The value, the threshold and the error band in words, with as many digits as it takes for
    what is printed to agree with the call: a value that differs from the limit never prints equal
    to it (no "10.0° (limit 10.0°)" for 10.04), a fault prints further from the limit than the
    error band and a borderline value no further (no "0.2 s (needs ≥ 0.3 s, ±0.1 s)" for 0.1999),
    all three at the same precision, and none that is not 0 prints as 0 (no "±0 %" for a band
    of 0.003 foot lengths, no "-0 %")."""
    base = {"deg": 1, "s": 1, "ratio": 2}.get(unit, 1)
    scale = 100.0 if unit in ("foot", "stance", "torso", "shoulder") else 1.0
    texts = None
    for digits in range(base, base + 4):
        nd = digits - (1 if scale != 1 else 0)
        texts = fmt_value(value, unit, digits), fmt_value(threshold, unit, digits), fmt_value(band, unit, digits)
        nonzero = all(x == 0 or round(x * scale, nd) != 0 for x in (value, threshold, band))
        if value == threshold:
            if nonzero:
                return texts
            continue
        shown = round(value * scale, nd) - round(threshold * scale, nd)
        gap = round(band * scale, nd)
        consistent = (texts[0] != texts[1] and (status != "fault" or abs(shown) > gap)
                      and (status != "borderline" or abs(shown) <= gap))
        if consistent and nonzero:
            return texts
    return texts


def fmt_pair(value: float, threshold: float, unit: str, band: float = 0.0, status: str | None = None) -> tuple[str, str]:
    """The value and the threshold in words, as :func:`fmt_numbers` prints them."""
    return fmt_numbers(value, threshold, unit, band, status)[:2]


def limit_words(rule: Rule, threshold_text: str) -> str:
    """'limit 20.0°' for a too-much rule, 'needs ≥ 30.0°' for a too-little one (a negative
    'below' threshold, such as varus at -10°, is a limit on the magnitude)."""
    if rule.direction == "below" and rule.threshold >= 0:
        return f"needs ≥ {threshold_text}"
    return f"limit {threshold_text}"


def judge(m: Measurement, rule: Rule, rep: int, view: str, unit: str = "rep") -> Fault | None:
    """A :class:`Fault` (severity moderate/severe) or a borderline one (severity
    ``borderline``) for a measurement; None if it is within limits or not finite. ``unit``: what
    one repetition is called (rep, step)."""
    if not math.isfinite(m.value):
        return None
    status = classify(m.value, rule)
    if status == "ok":
        return None
    side = f"{m.side} " if m.side else ""
    negative = rule.direction == "below" and rule.threshold < 0
    shown, thr, band_text = fmt_numbers(abs(m.value) if negative else m.value,
                                        abs(rule.threshold) if negative else rule.threshold, rule.unit,
                                        rule.error_band, status)
    band = f", ±{band_text}" if rule.error_band else ""
    word = "borderline: " if status == "borderline" else ""
    conf = "" if m.confidence is None else f", estimate from the outline, confidence {m.confidence:.1f}"
    message = (f"{_cap(unit)} {rep}: {word}{side}{LABELS.get(m.code, m.code)} — {shown} "
               f"({limit_words(rule, thr)}{band}, {view} view{conf})")
    return Fault(code=m.code, side=m.side, rep=rep, start_s=m.start_s, end_s=m.end_s, onset_s=m.onset_s,
                 value=float(m.value), threshold=rule.threshold, unit=rule.unit, error_band=rule.error_band,
                 severity="borderline" if status == "borderline" else severity(m.value, rule), view=view,
                 link=rule.link, message=message, confidence=m.confidence)


def judge_rep(measurements: list[Measurement], profile: Profile, rep: int, view: str,
              unit: str = "rep") -> tuple[list[Fault], list[Fault]]:
    """(faults, borderline findings) of one rep's measurements."""
    faults, borderline = [], []
    for m in measurements:
        rule = profile.rules.get(m.code)
        if rule is None:
            continue
        f = judge(m, rule, rep, view, unit)
        if f is not None:
            (borderline if f.severity == "borderline" else faults).append(f)
    return faults, borderline


def judge_all(measurements: list[Measurement], profile: Profile, rep: int, view: str) -> list[Fault]:
    """The faults of one rep (borderline findings dropped: callers that keep them use judge_rep)."""
    return judge_rep(measurements, profile, rep, view)[0]


# ------------------------------------------------------------------ per video

@dataclass
class Verdict:
    """What kinetic concludes about a video.

    status: clean | faults | not_judged | unknown_exercise. headline: one sentence. details:
    more sentences, in order of importance. judged: links of the chain measured in at least one
    rep. not_judged: [{link, why}] for the others. reps: per rep {index, status, findings
    [sentences], not_judged [{code, side, why}]}. causes: per faulty rep {rep, link, code, side}
    - the root cause, always at a measured link. unreliable: pose-quality spans in words.
    """

    status: str
    headline: str
    details: list[str] = field(default_factory=list)
    judged: list[str] = field(default_factory=list)
    not_judged: list[dict] = field(default_factory=list)
    reps: list[dict] = field(default_factory=list)
    causes: list[dict] = field(default_factory=list)
    unreliable: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _join(words: list[str]) -> str:
    words = [w for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def finding_text(code: str, sides: set) -> str:
    """The finding in words for the sides it was seen on ({'left'}, {'left', 'right'}, {None})."""
    one, both = FINDING_TEXT.get(code, (LABELS.get(code, code),) * 2)
    real = {s for s in sides if s in ("left", "right")}
    if len(real) == 1:
        return one.format(side=next(iter(real)))
    return both


def rep_phrase(indices: list[int], total: int, unit: tuple[str, str] = ("rep", "reps")) -> str:
    """'In rep 2', 'In reps 1 and 3', 'In all 4 reps' (``unit``: the exercise's word for one
    repetition and for several, :attr:`analyzer.exercises.catalog.Layout.unit`)."""
    one, many = unit
    if total == 1:
        return f"In your {one}"
    if len(indices) == total:
        return f"In both {many}" if total == 2 else f"In all {total} {many}"
    if len(indices) == 1:
        return f"In {one} {indices[0]}"
    return f"In {many} {_join([str(i) for i in indices])}"


def counted(n: int, unit: tuple[str, str] = ("rep", "reps")) -> str:
    """'1 rep', '3 reps', '1 step', '4 steps'."""
    return f"{n} {unit[0] if n == 1 else unit[1]}"


def number_sentence(f: Fault, rules: dict[str, Rule], unit: str = "rep") -> str:
    """'Left knee caved in: 14.2° in rep 2 (limit 10.0°, measured to ±4.0°).' (``unit``: what one
    repetition of the exercise is called: rep, step)"""
    rule = rules.get(f.code)
    value = abs(f.value) if f.code in ("knee_varus", "hip_shift", "pelvic_drop", "foot_roll", "knee_tracking") else f.value
    threshold = abs(f.threshold) if f.code == "knee_varus" else f.threshold
    shown, thr, band_text = fmt_numbers(value, threshold, f.unit, f.error_band,
                                        "borderline" if f.severity == "borderline" else "fault")
    what = finding_text(f.code, {f.side})
    limit = limit_words(rule, thr) if rule is not None else f"threshold {thr}"
    band = f", measured to ±{band_text}" if f.error_band else ""
    if f.confidence is not None:  # an estimate, not a measurement: say so, and how sure
        band = f", estimated from the back's outline to ±{band_text}, confidence {f.confidence:.1f}"
    return f"{_cap(what)}: {shown} in {unit} {f.rep} ({limit}{band})."


def _not_judged_links(analysis, rules: dict[str, Rule]) -> tuple[list[str], list[dict]]:
    """Links with at least one judged rule in some rep, and the others with the reason."""
    judged: set[str] = set()
    why: dict[str, Counter] = {lk: Counter() for lk in LINKS}
    for r in analysis.reps:
        for code in r.judged_codes:
            if code not in SETUP_CODES and code in rules:
                judged.add(rules[code].link)
        for nj in r.not_judged:
            why[nj["link"]][nj["why"]] += 1
    out = []
    for lk in LINKS:
        if lk in judged:
            continue
        # What stopped the measurement this view could have made (legs hidden, foot points
        # unsteady) says more than what another view would have measured.
        specific = Counter({w: n for w, n in why[lk].items() if not w.startswith("needs ")})
        reason = (specific or why[lk]).most_common(1)[0][0] if why[lk] else NO_RULE
        out.append(dict(link=lk, why=reason))
    return [lk for lk in LINKS if lk in judged], out


NO_RULE = "no rule for it in this exercise"
# The measure each foot exercise's key rule reads (profile ``key = true``), for a headline.
KEY_WORDS = {"toe_lift_low": "the toes' height", "heel_raise_low": "the heels' height",
             "footwork_order": "the order of the phases", "roll_in_small": "the roll in and out",
             "roll_out_small": "the roll in and out", "limited_point": "the point and flex of the ankle",
             "limited_flex": "the point and flex of the ankle", "toes_dropped": "whether the toes stayed up"}


def _film_hint(view_label: str, exercise: str) -> str:
    if exercise == "toe_walk":  # its toes are read from the side only (analyzer/exercises/toe_walk.py)
        return "film the walk from the side, across the picture, feet large in it"
    if exercise != "squat":
        return "film the whole body, feet large in the picture"
    if view_label == "oblique":
        return "film from the side (for the ankles, depth and trunk) and from the front (for the knees and hips)"
    if view_label == "side":
        return "film from the front as well, for the knees and hips"
    return "film from the side as well, for the ankles, depth and trunk"


def needed_groups(view) -> dict:
    """group -> (T,) bool: the frames in which each landmark group matters for this view (a side
    view measures the leg and foot nearer the camera; the far ones hide behind them)."""
    labels = np.asarray(view.frame_label)
    near = np.asarray(view.near_side)
    side = labels == "side"
    out = {"trunk": labels != ""}
    for s in ("left", "right"):
        out[f"{s}_leg"] = (labels != "") & (~side | (near == s))
        out[f"{s}_foot"] = side & (near == s)
    return out


def decide(exercise: str, analysis, view, quality, profile: Profile, *, why_unknown: str = "") -> Verdict:
    """The verdict on a whole video (see :class:`Verdict`)."""
    spans = [s.text() for s in quality.spans(needed=needed_groups(view))] if quality is not None else []
    if exercise == "unknown" or analysis is None:
        what = f": {why_unknown}" if why_unknown else ""
        return Verdict("unknown_exercise",
                       f"This does not look like an exercise kinetic analyses{what}.",
                       [f"kinetic analyses the {SUPPORTED}; film one of them, or choose it with --exercise."],
                       unreliable=spans)
    from .exercises.catalog import layout

    name = exercise.replace("_", " ")
    unit = layout(exercise).unit  # what one repetition is called: ("rep", "reps"), ("step", "steps")
    reps = analysis.reps
    judged, not_judged = _not_judged_links(analysis, profile.rules)
    rep_rows = [_rep_row(r, profile.rules, unit[0]) for r in reps]
    if not reps:
        notes = [_cap(n) + "." for n in analysis.notes if n and not n.startswith("no complete")]
        one = "repetition" if unit[0] == "rep" else unit[0]
        return Verdict("not_judged", f"No complete {name} {one} was found in this video.",
                       notes or ["Stand still for a moment, then start; keep your whole body in the picture."],
                       judged, not_judged, rep_rows, unreliable=spans)
    faults = analysis.faults
    hint = _film_hint(view.label, exercise)
    if not judged and not faults:
        # The headline's reason is what stopped the links this exercise has rules for (feet too
        # small, legs hidden); "from this angle" only when that reason is the view.
        reasons = Counter(nj["why"] for nj in not_judged if nj["why"] != NO_RULE)
        reason = reasons.most_common(1)[0][0] if reasons else ""
        about_view = (any(w in reason for w in ("view", "camera", "angle")) or reason.startswith("needs ")
                      or (not reason and view.label == "oblique"))
        lead = ("Nothing could be judged from this angle" if about_view
                else f"Nothing could be judged ({reason})" if reason else "Nothing could be judged")
        # A rule the bench showed too coarse to judge from any camera (judged = false): filming
        # it again another way would not help, so no filming advice.
        limits = {str(r.options.get("why", "")) for r in profile.rules.values() if r.options.get("judged", True) is False}
        headline = f"{lead}." if reason in limits and not about_view else f"{lead}: {hint}."
        return Verdict("not_judged", headline,
                       [f"{counted(len(reps), unit)} counted; no link of the chain could be "
                        "measured reliably, so no verdict is given."] + spans,
                       judged, not_judged, rep_rows, unreliable=spans)
    key = [c for c, rule in profile.rules.items() if rule.options.get("key")]
    if key and not faults and not any(c in key for r in reps for c in r.judged_codes):
        # A foot exercise whose own measure (heel height, toe height, the roll or point range, the
        # phase order) was never read: what else was measured does not make the set clean.
        whys = Counter(nj["why"] for r in reps for nj in r.not_judged if nj["code"] in key)
        reason = whys.most_common(1)[0][0] if whys else f"not measurable from a {view.label} view"
        what = _join(list(dict.fromkeys(KEY_WORDS.get(c, c.replace("_", " ")) for c in key)))
        view_hint = (layout(exercise).view_hints or {}).get(view.label)
        about_view = "view" in reason or reason.startswith("needs ")
        headline = (f"{_cap(what)} could not be judged: {view_hint.replace(':', ',', 1)}." if view_hint and about_view
                    else f"{_cap(what)} could not be judged ({reason}): {hint}.")
        return Verdict("not_judged", headline,
                       [f"{counted(len(reps), unit)} counted; without {what} no verdict is given."]
                       + spans, judged, not_judged, rep_rows, unreliable=spans)
    causes = [dict(rep=r.index, link=r.root_cause.link, code=r.root_cause.code, side=r.root_cause.side)
              for r in reps if r.root_cause is not None and r.root_cause.link in judged]
    # Links this exercise has no rule for are not news in a headline (the chain shows them grey).
    missing = [f"{LINK_WORDS[n['link']]} ({n['why']})" for n in not_judged if n["why"] != NO_RULE]
    if not faults:
        n = len(reps)
        title = (f"Clean set: {counted(n, unit)}, and nothing went past its limit in what was measured "
                 f"({_join([LINK_WORDS[lk] for lk in judged])}).")
        details = []
        border = [f for r in reps for f in r.borderline]
        if border:
            codes = sorted({f.code for f in border})
            details.append("Borderline, within the measurement's error (not called a fault): "
                           + "; ".join(f"{LABELS.get(c, c)} ({_in(sorted({f.rep for f in border if f.code == c}), unit)})"
                                       for c in codes) + ".")
        if missing:
            details.append(f"Not judged: {_join(missing)}; {hint}.")
        return Verdict("clean", title, details + spans, judged, not_judged, rep_rows, causes, spans)

    rules = profile.rules
    roots = Counter(c["code"] for c in causes)

    def key(code: str):
        sev = max((2 if f.severity == "severe" else 1 for f in faults if f.code == code), default=0)
        link = rules[code].link if code in rules else "lumbar"
        return (roots.get(code, 0), sev, -LINKS.index(link) if link in LINKS else 0)

    top = max(list(roots) or [f.code for f in faults], key=key)
    top_faults = [f for f in faults if f.code == top]
    in_reps = sorted({f.rep for f in top_faults})
    title = f"{rep_phrase(in_reps, len(reps), unit)}, {finding_text(top, {f.side for f in top_faults})}."
    worst = max(top_faults, key=lambda f: (f.severity == "severe", abs(f.value - f.threshold)))
    details = [number_sentence(worst, rules, unit[0])]
    if roots.get(top):
        link = rules[top].link
        later = sorted({f.link for f in faults if f.rep in in_reps and f.link != link and f.link in judged},
                       key=LINKS.index)
        text = f"That is where the chain went wrong first: the {LINK_WORDS[link]}"
        if later:
            text += f", and the {_join([LINK_WORDS[lk] for lk in later])} followed"
        details.append(text + ".")
    others = sorted({f.code for f in faults if f.code != top}, key=lambda c: LINKS.index(rules[c].link) if c in rules else 9)
    if others:
        parts = []
        for c in others:
            fs = [f for f in faults if f.code == c]
            rs = sorted({f.rep for f in fs})
            parts.append(f"{finding_text(c, {f.side for f in fs})} ({_in(rs, unit)})")
        details.append("Also: " + "; ".join(parts) + ".")
    if not judged:
        details.append(f"Nothing else could be judged from this angle: {hint}.")
    elif missing:
        details.append(f"Not judged: {_join(missing)}.")
    return Verdict("faults", title, details + spans, judged, not_judged, rep_rows, causes, spans)


def _in(indices: list[int], unit: tuple[str, str]) -> str:
    """'rep 2', 'reps 1, 3', 'steps 2, 4'."""
    return f"{unit[0] if len(indices) == 1 else unit[1]} {', '.join(map(str, indices))}"


def _rep_row(r, rules: dict[str, Rule], unit: str = "rep") -> dict:
    """One rep's findings in words (faults first, then borderline), for terminal and report."""
    findings = [number_sentence(f, rules, unit) for f in r.faults]
    findings += ["Borderline — " + number_sentence(f, rules, unit)[0].lower() + number_sentence(f, rules, unit)[1:]
                 for f in r.borderline]
    chain = [c for c in r.judged_codes if c not in SETUP_CODES]
    status = "faults" if r.faults else ("clean" if chain else "not_judged")
    return dict(index=r.index, status=status, findings=findings, not_judged=list(r.not_judged),
                judged=list(r.judged_codes))
