"""How well the lower back's landmark cross-check separates frames a person labelled "spine not
neutral" from correct ones, on ../shared/data/labels/squat_landmarks_labeled.csv (928 single
frames of MediaPipe's 33 landmarks from barbell squats; no video, no sequences).

    python bench/lumbar_labels.py [--csv PATH]

The measure is analyzer.exercises.lumbar.fold_3d (hip flexion minus knee flexion, 3D from the
image landmarks' x, y, z), fixed before this file was read: nothing is fitted on it. Prints the
AUC (probability that a not-neutral frame reads higher than a correct one) for the down and up
frames and both together, against each other class of the file too.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.exercises.lumbar import fold_3d  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "labels" / "squat_landmarks_labeled.csv"


def load(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(labels (N,), landmarks (N, 33, 3) x, y, z)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))[1:]
    labels = np.array([r[0] for r in rows])
    X = np.array([[float(v) for v in r[1:]] for r in rows]).reshape(-1, 33, 4)
    return labels, X[..., :3]


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """Mann-Whitney AUC: P(pos > neg) + 0.5 P(tie)."""
    pos, neg = pos[np.isfinite(pos)], neg[np.isfinite(neg)]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).mean()
    ties = (pos[:, None] == neg[None, :]).mean()
    return float(greater + 0.5 * ties)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT)
    args = ap.parse_args(argv)
    if not args.csv.exists():
        print(f"lumbar_labels: {args.csv} not found", file=sys.stderr)
        return 2
    labels, L = load(args.csv)
    fold = fold_3d(L)
    print(f"{args.csv.name}: {len(labels)} frames; measure: hip flexion - knee flexion (3D), deg")
    print(f"{'not neutral vs':22s} {'frames':>7s} {'down':>6s} {'up':>6s} {'all':>6s}   median fold (not neutral / other)")
    for other in ("s_correct", "s_caved_in_knees", "s_feet_spread"):
        cells = []
        for phase in ("_down", "_up", ""):
            pos = np.array([lb.startswith("s_spine_neutral") and lb.endswith(phase) for lb in labels])
            neg = np.array([lb.startswith(other) and lb.endswith(phase) for lb in labels])
            cells.append(auc(fold[pos], fold[neg]))
        pos = np.char.startswith(labels, "s_spine_neutral")
        neg = np.char.startswith(labels, other)
        print(f"{other:22s} {int(neg.sum()):7d} {cells[0]:6.3f} {cells[1]:6.3f} {cells[2]:6.3f}   "
              f"{np.nanmedian(fold[pos]):.1f} / {np.nanmedian(fold[neg]):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
