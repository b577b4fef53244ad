"""``markers.trc``: MediaPipe's world landmarks as an OpenSim marker file (written by the
``trc-data-reader`` library's TRCData).

Coordinates: MediaPipe's world frame (metres, origin at the hip centre, x to the image's right,
y down, z away from the camera) turned to OpenSim's Y-up convention by a half turn about X:
(X, Y, Z) = (x, -y, -z), still right-handed. The origin stays at the hip centre in every frame
(MediaPipe does not give the body's travel), which suits inverse kinematics of the joints, not
of the pelvis' translation. A frame with no person has empty marker cells.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from trc import TRCData

from ..atomic import atomic_path
from ..skeleton import NAMES


def write_trc(path: Path, t: np.ndarray, world: np.ndarray, fps: float) -> None:
    """Write ``path`` from t (T,) seconds and world (T, 33, 3) metres; ``fps`` the nominal rate.
    Written to a temporary name in the same folder, fsynced and renamed."""
    path = Path(path)
    T = len(t)
    data = _Lazy(np.asarray(t, float), np.asarray(world, float) * np.array([1.0, -1.0, -1.0]))
    rate = round(float(fps), 4)
    data.update({"PathFileType": 4, "DataFormat": "(X/Y/Z)", "FileName": path.name, "DataRate": rate,
                 "CameraRate": rate, "NumFrames": T, "NumMarkers": len(NAMES), "Units": "m", "OrigDataRate": rate,
                 "OrigDataStartFrame": 1, "OrigNumFrames": T, "Markers": list(NAMES), "Frame#": range(1, T + 1)})
    with atomic_path(path) as tmp:
        data.save(str(tmp), add_trailing_tab=True)  # the trailing tab OpenSim's and Mokka's readers expect


class _Lazy(TRCData):
    """TRCData whose frames are made from the arrays as the library's ``save`` asks for them
    (``data[frame]``), so a long clip's markers are never held as Python lists (~5 KB a frame)."""

    def __init__(self, t: np.ndarray, xyz: np.ndarray) -> None:
        super().__init__()
        self._t, self._xyz = t, xyz

    def __missing__(self, frame):
        if isinstance(frame, int) and 1 <= frame <= len(self._t):
            return float(self._t[frame - 1]), self._xyz[frame - 1].tolist()
        raise KeyError(frame)
