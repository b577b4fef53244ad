"""The Frankenstein walk's bench (no rendering): its splits draw loadable walk scenarios, seeded;
its Markdown goes into docs/accuracy_feet.md as its own section, keeping the rest."""
from __future__ import annotations

import pytest

from analyzer.bench.generate import generate, load_space
from analyzer.bench.walk_bench import SECTION, write_section


def test_walk_splits_are_seeded_walks_that_load():
    from analyzer.synth import load_scenario

    space = load_space()
    for split in ("walk_dev", "walk_test", "walk_ci"):
        assert space["splits"][split]["kind"] == "walk"
    dev = generate("walk_dev")
    assert dev == generate("walk_dev") and len(dev) == space["splits"]["walk_dev"]["n"]
    assert generate("walk_test") != dev
    kinds = {t["description"].split("(")[0] for t in dev}
    assert any("toes up" in k for k in kinds) and any("toes flat" in k for k in kinds)
    assert any("toe_drop" in r.get("faults", {}) for t in dev for r in t["reps"])
    for t in generate("walk_ci") + dev[:3]:
        sc = load_scenario(t)
        assert sc.exercise == "toe_walk" and 4 <= len(sc.reps) <= 6


def test_the_walk_table_is_its_own_section(tmp_path):
    doc = tmp_path / "accuracy_feet.md"
    doc.write_text("# Accuracy of the foot exercises\n\nthe feet's tables\n")
    write_section(doc, f"{SECTION} (`toe_walk`)\n\nfirst\n")
    write_section(doc, f"{SECTION} (`toe_walk`)\n\nsecond\n")
    text = doc.read_text()
    assert text.startswith("# Accuracy of the foot exercises\n\nthe feet's tables\n")
    assert text.count(SECTION) == 1 and "second" in text and "first" not in text


def _walk(reps, status="clean"):
    from types import SimpleNamespace as NS

    return NS(analysis=NS(reps=reps), verdict=NS(status=status), exercise="toe_walk")


def _rep(bottom_s, reading, call):
    from types import SimpleNamespace as NS

    f = NS(code="toes_dropped")
    return NS(bottom_s=bottom_s, metrics={"toe_lift": reading},
              judged_codes=[] if call == "not_judged" else ["toes_dropped"],
              faults=[f] if call == "fault" else [], borderline=[f] if call == "borderline" else [])


def test_the_toes_are_scored_as_the_squat_bench_scores_a_rule_borderline_not_scored():
    """A step is truly dropped / up only outside the rule's band of its threshold in truth (the
    truth in the reading's unit); in between it is borderline and not scored; a hit is a fault,
    a borderline call on a truly dropped step a miss, a fault on a truly up step a false alarm."""
    from types import SimpleNamespace as NS

    from analyzer.bench.walk_bench import CALIBRATION, WalkScore, markdown, score_clip, true_value

    a, b = CALIBRATION
    rule = NS(threshold=a + 20 * b, direction="below", error_band=5 * b)  # 20 deg +- 5 deg
    deg = [0.0, 40.0, 18.0, 2.0, 35.0, 10.0]
    truth = {"gait": {"steps": [dict(contact_s=float(k), foot="left", toe_ext_min=d, toes_up=d >= 20) for k, d in enumerate(deg)]}}
    assert [round(true_value(s), 4) for s in truth["gait"]["steps"][:2]] == [round(a, 4), round(a + 40 * b, 4)]
    calls = ["fault", "ok", "fault", "borderline", "fault", "not_judged"]
    reps = [_rep(float(k) + 0.1, 0.01 * k, c) for k, c in enumerate(calls)]
    sc = WalkScore()
    score_clip("c", "side", truth, _walk(reps), NS(exercise="unknown"), sc, rule)
    r = sc.rule
    assert (r.tp, r.tn, r.borderline, r.fn, r.fp, r.not_judged_pos) == (1, 1, 1, 1, 1, 1)
    assert sc.calls == {("dropped", "fault"): 2, ("up", "ok"): 1, ("dropped", "borderline"): 1, ("up", "fault"): 1}
    assert sc.rows[0][4] == "DUdDUD" and sc.rows[0][5] == "F U F B✗ F✗ n"
    assert len(sc.values) == 5 and len(r.errors) == 5
    text = markdown("split walk_dev", "m.task", sc, [], 100, 1.0, None, rule)
    assert "| toes dropped (the fault): precision | 0.50 (1 / 2) |" in text
    assert "| judged steps truly dropped / truly up / borderline (not scored) | 2 / 2 / 1 |" in text


def test_the_band_is_the_leave_one_clip_out_p90_of_the_calibrated_error():
    import numpy as np

    from analyzer.bench.walk_bench import fit_calibration

    rng = np.random.default_rng(0)
    values = [(f"c{c}", -0.03 + 0.003 * d + rng.normal(0, 0.01), d) for c in range(8) for d in (0.0, 5.0, 30.0, 35.0)]
    fit = fit_calibration(values)
    assert fit["a"] == pytest.approx(-0.03, abs=0.01) and fit["b"] == pytest.approx(0.003, abs=0.0005)
    assert fit["n"] == 32 and fit["clips"] == 8 and len(fit["loco"]) == 32
    assert 0.01 < np.percentile(fit["loco"], 90) < 0.03


def test_the_foot_bench_keeps_the_walks_section_and_either_bench_reruns_in_either_order():
    """docs/accuracy_feet*.md holds the foot bench's page and the walk bench's section: the foot
    bench rewrites its page keeping the walk's section (and hand-written ones), the walk bench
    replaces only its section - in any order, each appears once."""
    from analyzer.bench.accuracy import KEEP_MARK
    from analyzer.bench.feet_bench import kept
    from analyzer.bench.walk_bench import section_in, with_section

    def feet(n):
        return (f"# Accuracy of the foot exercises on the digital-human bench\n\nrun {n}\n\n## Counts and the exercise\n\n"
                f"counts {n}\n\n## What went wrong, case by case\n\n- miss {n}\n\nBench time: {n} s.\n")

    def walk(n):
        return f"{SECTION} (`toe_walk`)\n\nwalk run {n}\n\n| a | b |\n|---|---|\n\nMisses and false alarms:\n\n- w{n}\n"

    page = with_section(feet(1), walk(1))
    assert page.startswith(feet(1)) and page.endswith(walk(1)) and section_in(page) == walk(1)
    page = kept(feet(2), page)  # the foot bench again: its page replaced, the walk's section kept
    assert "run 1" not in page.replace("walk run 1", "") and "counts 2" in page and section_in(page) == walk(1)
    page = with_section(page, walk(2))  # the walk bench again: only its section replaced
    assert "counts 2" in page and "walk run 1" not in page and page.count(SECTION) == 1 and page.endswith(walk(2))
    page = kept(feet(3), kept(feet(3), page))
    assert page == with_section(feet(3), walk(2))
    # a section after the walk's (a hand-written one) survives the walk bench
    hand = f"## Dev against test\n{KEEP_MARK}\n\nby hand\n"
    page = with_section(feet(4), walk(4)) + "\n" + hand
    page = with_section(page, walk(5))
    assert page.count(SECTION) == 1 and "walk run 5" in page and page.endswith(hand)
    page = kept(feet(6), page)  # the foot bench keeps both
    assert "by hand" in page and "walk run 5" in page and "counts 6" in page and page.count(SECTION) == 1
    assert kept(feet(7), "") == feet(7)  # a first run: nothing to keep
