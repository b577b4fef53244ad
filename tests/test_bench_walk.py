"""The Frankenstein walk's bench (no rendering): its splits draw loadable walk scenarios, seeded;
its Markdown goes into docs/accuracy_feet.md as its own section, keeping the rest."""
from __future__ import annotations

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
