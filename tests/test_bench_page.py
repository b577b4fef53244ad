"""Regenerating an accuracy page keeps its hand-written sections (a re-measurement, the dev-vs-test
comparison, what was tried and rejected) and replaces everything generated."""
from __future__ import annotations

from analyzer.bench.accuracy import KEEP_MARK, with_kept_sections

OLD = f"""# Accuracy

## Faults, per code

| old table |

## Dev and test, side by side
{KEEP_MARK}

| dev | test |

## Angles, per frame

| old angles |

## Tried on dev and rejected
{KEEP_MARK}

- a quadratic fit: worse

## What went wrong, case by case

- old miss
"""

NEW = """# Accuracy

## Faults, per code

| new table |

## Angles, per frame

| new angles |

## What went wrong, case by case

- new miss
"""


def test_hand_written_sections_survive_and_generated_ones_are_replaced():
    text = with_kept_sections(NEW, OLD)
    assert "| new table |" in text and "| new angles |" in text and "- new miss" in text
    assert "| old table |" not in text and "| old angles |" not in text and "- old miss" not in text
    assert text.count("## Dev and test, side by side") == 1 and "| dev | test |" in text
    assert "- a quadratic fit: worse" in text
    # kept sections go before the case-by-case list, in their old order
    assert text.index("## Dev and test") < text.index("## Tried on dev") < text.index("## What went wrong")


def test_a_page_without_hand_written_sections_is_just_the_new_one():
    assert with_kept_sections(NEW, NEW) == NEW
    assert with_kept_sections(NEW, "") == NEW


def test_a_kept_section_replaces_a_generated_one_of_the_same_heading():
    old = f"# A\n\n## Angles, per frame\n{KEEP_MARK}\n\nmine\n"
    text = with_kept_sections(NEW, old)
    assert "mine" in text and "| new angles |" not in text and text.count("## Angles, per frame") == 1


def test_a_generated_suite_keeps_each_scenarios_own_frame_size(tmp_path):
    """``bench generate --out`` then ``bench render --suite``: the frame sizes drawn (portrait,
    landscape, small) are rendered as drawn, not all at the 540x960 of a hand-written suite."""
    import argparse
    import subprocess
    import sys

    from analyzer.bench.cli import scenarios_of
    from conftest import ROOT

    suite = tmp_path / "drawn.toml"
    proc = subprocess.run([sys.executable, "-m", "analyzer.cli", "bench", "generate", "--seed", "7", "--n", "6",
                           "--out", str(suite)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    args = argparse.Namespace(suite=suite, split=None, size=None, only=None, limit=None, cached=False)
    scenarios, _, size = scenarios_of(args)
    assert size is None and len({s.size for s in scenarios}) > 1
    hand = ROOT / "bench" / "suites" / "accuracy.toml"
    assert scenarios_of(argparse.Namespace(suite=hand, split=None, size=None, only=None, limit=None, cached=False))[2] == (540, 960)
