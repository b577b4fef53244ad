"""The back's outline from a person mask, as a handful of numbers per frame (pure numpy).

MediaPipe has no spine landmarks. Seen from the side, the silhouette's back edge between the hip
and shoulder levels still shows how the pelvis sits under the chest: when the lumbar spine
rounds ("butt wink") the pelvis rolls under and the lowest part of the back turns toward the
upper back's line; when it over-arches it turns away.

For one frame: walk from the hip centre to the shoulder centre (image landmarks) in
``N_STATIONS`` steps (a little below the hip to the shoulder); at each station march
perpendicular to that chord, toward the back, until the mask ends. The edge points are the back
contour. Its **bend** is the angle between a line fitted to the contour's lowest part (sacrum and
the top of the buttocks, ``PELVIS``) and one fitted to the upper back (``THORAX``), in degrees,
**positive = bulging out (rounding), negative = hollowing (arching)**. Seen from the side, a
lumbar flexion of x degrees turns it by about 0.4 x on the digital human (the bench's dev split
fits the factor: ``[lumbar] gain`` in the squat profile). Only these numbers are kept (no mask is
stored), so memory stays flat.
"""
from __future__ import annotations

import numpy as np

from .skeleton import INDEX

STATIONS = np.round(np.arange(-0.10, 1.0001, 0.05), 3)   # share of hip -> shoulder
N_STATIONS = len(STATIONS)
PELVIS = (-0.10, 0.20)           # stations of the lowest part of the back
THORAX = (0.50, 0.90)            # stations of the upper back
MAX_DEPTH = 0.5                  # search this far (torso lengths) from the joint line for the edge
                                 # (the back half of a torso is 0.15-0.35; further is a mirror or a wall)
MIN_TORSO_PX = 40.0              # a smaller torso is too few pixels to read a curve from
MAX_SIDE_RATIO = 0.45            # shoulder separation / torso length above this: not a side view
MASK_LEVEL = 0.5

_PELVIS = (STATIONS >= PELVIS[0] - 1e-9) & (STATIONS <= PELVIS[1] + 1e-9)
_THORAX = (STATIONS >= THORAX[0] - 1e-9) & (STATIONS <= THORAX[1] + 1e-9)


def _direction(points: np.ndarray) -> np.ndarray | None:
    """Unit direction (2,) of the least-squares line through (n, 2) points (either way along it),
    or None if a point is missing."""
    if not np.isfinite(points).all():
        return None
    q = points - points.mean(0)
    return np.linalg.eigh(q.T @ q)[1][:, 1]


def back_contour(mask: np.ndarray, hip: np.ndarray, shoulder: np.ndarray, facing: int) -> dict | None:
    """The back contour of one frame.

    Args:
        mask: (H, W) float 0..1 person mask.
        hip, shoulder: (2,) pixel positions (x, y) of the hip centre and shoulder centre.
        facing: +1 if the person faces image-right, -1 image-left (the back is the other way).

    Returns:
        None when the torso is too small, else a dict:
        ``points`` (N_STATIONS, 2) float32 pixel (x, y) of the back edge (NaN where not found),
        ``bend`` float deg — the lower back's turn against the upper back's line (rounding +;
        NaN if either part of the edge was not found),
        ``depth`` float — median distance of the edge from the joint line over torso length
        (how thick the torso's back half looks: loose clothing makes it large).
    """
    hip = np.asarray(hip, np.float64)
    shoulder = np.asarray(shoulder, np.float64)
    axis = shoulder - hip
    L = float(np.hypot(*axis))
    if not np.isfinite(L) or L < MIN_TORSO_PX or facing not in (-1, 1):
        return None
    u = axis / L
    n = np.array([-u[1], u[0]])
    if n[0] * -facing < 0:  # point the normal toward the back
        n = -n
    H, W = mask.shape
    steps = np.arange(0.0, MAX_DEPTH * L, 1.0)
    base = hip[None, :] + STATIONS[:, None] * axis[None, :]               # (N, 2)
    pts = base[:, None, :] + steps[None, :, None] * n[None, None, :]      # (N, S, 2)
    xi = np.rint(pts[..., 0]).astype(np.int64)
    yi = np.rint(pts[..., 1]).astype(np.int64)
    inside = (xi >= 0) & (xi < W) & (yi >= 0) & (yi < H)
    val = np.zeros(xi.shape, np.float32)
    val[inside] = mask[yi[inside], xi[inside]]
    out = val < MASK_LEVEL
    # the edge: the first step out of the body, starting inside it and ending inside the frame
    first_out = np.where(out.any(axis=1), out.argmax(axis=1), 0)
    rows = np.arange(N_STATIONS)
    ok = ~out[:, 0] & (first_out > 0) & inside[rows, first_out]
    depth = np.where(ok, steps[first_out] - 0.5, np.nan)                  # px from the joint line
    points = np.where(ok[:, None], base + depth[:, None] * n[None, :], np.nan).astype(np.float32)
    bend = float("nan")
    low, high = _direction(points[_PELVIS]), _direction(points[_THORAX])
    if low is not None and high is not None:
        if low @ high < 0:
            low = -low
        cross = low[0] * high[1] - low[1] * high[0]
        # the turn from the lower line to the upper one, signed so that a turn toward the front
        # (the back bulging out) is positive whichever way the person faces
        bend = float(np.degrees(np.arctan2(cross, low @ high))) * facing
    return dict(points=points, bend=bend, depth=float(np.nanmedian(depth) / L) if ok.any() else float("nan"))


def turn_ratio(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """(T,) the shoulders' separation across the picture over the torso's length: about 0.1 from
    the side, rising as the camera turns toward the front (MAX_SIDE_RATIO and above is not a
    side view). ``image``: (T, 33, 3) normalised image landmarks."""
    p = np.asarray(image[..., :2], np.float64) * (width, height)
    ls, rs = p[:, INDEX["left_shoulder"]], p[:, INDEX["right_shoulder"]]
    hip = 0.5 * (p[:, INDEX["left_hip"]] + p[:, INDEX["right_hip"]])
    torso = np.hypot(*(0.5 * (ls + rs) - hip).T)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(ls[:, 0] - rs[:, 0]) / torso


def frame_back(image: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Where to look for the back in one frame: (hip centre px, shoulder centre px, facing), or
    None when the frame is not a side view (the shoulders far apart in the picture), the person
    was not found, or the way they face cannot be told.

    Args:
        image: (33, 3) MediaPipe image landmarks, x and y normalised to the frame.
    """
    if not np.isfinite(image[:, :2]).all():
        return None
    p = image[:, :2].astype(np.float64) * (width, height)
    hip = 0.5 * (p[INDEX["left_hip"]] + p[INDEX["right_hip"]])
    shoulder = 0.5 * (p[INDEX["left_shoulder"]] + p[INDEX["right_shoulder"]])
    torso = float(np.hypot(*(shoulder - hip)))
    if torso < MIN_TORSO_PX or turn_ratio(image[None], width, height)[0] > MAX_SIDE_RATIO:
        return None
    toes = 0.5 * (p[INDEX["left_foot_index"]] + p[INDEX["right_foot_index"]])
    heels = 0.5 * (p[INDEX["left_heel"]] + p[INDEX["right_heel"]])
    lead = toes[0] - heels[0]
    if abs(lead) < 0.02 * torso:  # feet seen end-on: fall back on the nose ahead of the ears
        lead = p[INDEX["nose"]][0] - 0.5 * (p[INDEX["left_ear"]][0] + p[INDEX["right_ear"]][0])
    if abs(lead) < 0.02 * torso:
        return None
    return hip, shoulder, (1 if lead > 0 else -1)


# names of the per-frame numbers a track keeps (PoseTrack.extras)
EXTRAS = ("back_points", "back_bend", "back_depth")


def empty() -> dict:
    """The per-frame numbers of a frame where the back was not read."""
    return dict(back_points=np.full((N_STATIONS, 2), np.nan, np.float32), back_bend=np.float32(np.nan),
                back_depth=np.float32(np.nan))


def read_back(image: np.ndarray, get_mask, width: int, height: int) -> dict:
    """The per-frame numbers (see :data:`EXTRAS`) of one frame: NaN unless it is a side view
    with a mask. ``get_mask``: a callable giving the (H, W) mask or None, called only for a
    side-view frame (the mask is not even converted for the others)."""
    where = frame_back(image, width, height)
    mask = get_mask() if where is not None else None
    if mask is None:
        return empty()
    r = back_contour(mask, *where)
    if r is None:
        return empty()
    return dict(back_points=r["points"], back_bend=np.float32(r["bend"]), back_depth=np.float32(r["depth"]))
