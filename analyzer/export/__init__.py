"""Interchange files beside ``frames.csv``, each a thin writer over what an analysis saved:

- ``markers.trc``: the 33 MediaPipe landmarks as OpenSim markers, metres (:mod:`.trc`);
- ``angles.mot``: the per-frame joint angles, degrees, as an OpenSim motion file (:mod:`.mot`);
- ``frames.csv-metadata.json``: unit and meaning of every ``frames.csv`` column, as W3C CSV on
  the Web metadata (:mod:`.units`).
"""
from __future__ import annotations

from .mot import write_mot
from .trc import write_trc
from .units import column_units, write_csv_metadata

__all__ = ["write_trc", "write_mot", "write_csv_metadata", "column_units"]
