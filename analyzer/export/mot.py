"""``angles.mot``: the per-frame joint angles kinetic reports, as an OpenSim motion (storage)
file: a header ending ``endheader``, then a tab-separated table with ``time`` first.

No maintained Python package writes this format outside OpenSim itself (conda-only), and it is
five header lines and a table, so it is written here. Angles are in degrees (``inDegrees=yes``);
a value the view could not measure is NaN, as OpenSim's own Storage writes it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..atomic import atomic_open


def write_mot(path: Path, t: np.ndarray, angles: dict[str, np.ndarray]) -> list[str]:
    """Write ``path`` from t (T,) seconds and {column: (T,) degrees}; returns the columns in
    file order (``time`` first, the rest sorted)."""
    names = sorted(angles)
    T = len(t)
    cols = ["time"] + names
    table = np.column_stack([np.asarray(t, float)] + [np.asarray(angles[n], float) for n in names]) if T else \
        np.zeros((0, len(cols)))
    with atomic_open(path, "w", newline="\n") as f:
        f.write(f"{Path(path).name}\nversion=1\nnRows={T}\nnColumns={len(cols)}\ninDegrees=yes\nendheader\n")
        f.write("\t".join(cols) + "\n")
        for row in table:
            f.write("\t".join("nan" if not np.isfinite(v) else f"{v:.6f}" for v in row) + "\n")
    return cols
