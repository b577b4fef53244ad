"""Where a batch of videos runs: local worker processes (:mod:`analyzer.batch`) or a Ray cluster
(:mod:`analyzer.engine.ray_engine`), behind the same per-video function; plus what every engine
shares: the inputs a batch is given (files, folders, list files) and the index of its results.
"""
from __future__ import annotations

from .inputs import InputError, expand_inputs
from .index import write_index

__all__ = ["InputError", "expand_inputs", "write_index"]
