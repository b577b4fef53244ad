"""Following several people through a video and choosing the one who does the exercise.

MediaPipe returns up to N poses per frame with no identity. :class:`PeopleTracker` links them
frame to frame (nearest torso centre, no jump larger than ``MAX_JUMP`` of the frame) into tracks;
:func:`rank` orders the tracks by how likely each is the subject: seen for long, large, near the
middle of the picture, and moving up and down (a squat, a heel raise) rather than across (someone
walking past). A reflection in a gym mirror is usually smaller and further from the middle.
Pure numpy: no MediaPipe here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .skeleton import L_ANKLE, L_HIP, L_SHOULDER, N_LANDMARKS, R_ANKLE, R_HIP, R_SHOULDER

MAX_JUMP = 0.15  # a torso centre moving more than this (of the frame, per frame) is someone else


def _centre(img: np.ndarray) -> np.ndarray:
    """(2,) the torso centre (mean of shoulders and hips), normalised image coordinates."""
    return np.nanmean(img[[L_SHOULDER, R_SHOULDER, L_HIP, R_HIP], :2], axis=0)


@dataclass
class _Track:
    frames: list = field(default_factory=list)  # frame indices
    image: list = field(default_factory=list)  # (33, 5) each
    world: list = field(default_factory=list)  # (33, 3) each
    last: np.ndarray | None = None  # last torso centre


class PeopleTracker:
    """Feed it each frame's detections in order (``add``); ``tracks()`` and ``rank()`` after."""

    def __init__(self) -> None:
        self._tracks: list[_Track] = []
        self.n_frames = 0
        self.most_at_once = 0  # the most people found in one frame: how many were seen

    def add(self, detections: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """detections: [(image (33, 5), world (33, 3))] of one frame."""
        i = self.n_frames
        self.n_frames += 1
        self.most_at_once = max(self.most_at_once, len(detections))
        live = [k for k, tr in enumerate(self._tracks) if tr.frames and tr.frames[-1] >= i - 15]
        pairs = []
        for d, (img, _) in enumerate(detections):
            c = _centre(img)
            for k in live:
                dist = float(np.hypot(*(c - self._tracks[k].last)))
                gap = i - self._tracks[k].frames[-1]
                if np.isfinite(dist) and dist <= MAX_JUMP * gap:
                    pairs.append((dist, d, k))
        used_d, used_k = set(), set()
        for dist, d, k in sorted(pairs):  # greedy: closest pairs first
            if d in used_d or k in used_k:
                continue
            used_d.add(d)
            used_k.add(k)
            self._extend(self._tracks[k], i, *detections[d])
        for d, det in enumerate(detections):
            if d not in used_d:
                tr = _Track()
                self._tracks.append(tr)
                self._extend(tr, i, *det)

    @staticmethod
    def _extend(tr: _Track, i: int, img: np.ndarray, world: np.ndarray) -> None:
        tr.frames.append(i)
        tr.image.append(img)
        tr.world.append(world)
        tr.last = _centre(img)

    def arrays(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Track ``k`` over every frame: image (T, 33, 5), world (T, 33, 3); NaN where absent."""
        img = np.full((self.n_frames, N_LANDMARKS, 5), np.nan, np.float32)
        world = np.full((self.n_frames, N_LANDMARKS, 3), np.nan, np.float32)
        tr = self._tracks[k]
        if tr.frames:
            img[tr.frames] = np.asarray(tr.image)
            world[tr.frames] = np.asarray(tr.world)
        return img, world

    def rank(self, min_share: float = 0.05) -> list[dict]:
        """The tracks seen in at least ``min_share`` of the frames, most likely subject first:
        [{track, share (of frames), size (torso-to-ankle height, of the frame), centre_x, travel
        (sideways range of the torso, of the frame), bob (up-down range over size), score}]."""
        out = []
        for k, tr in enumerate(self._tracks):
            share = len(tr.frames) / max(self.n_frames, 1)
            if share < min_share:
                continue
            img = np.asarray(tr.image)
            c = np.array([_centre(x) for x in img])
            ank = np.nanmean(img[:, [L_ANKLE, R_ANKLE], 1], axis=1)
            sh = np.nanmean(img[:, [L_SHOULDER, R_SHOULDER], 1], axis=1)
            size = float(np.nanmedian(ank - sh)) if np.isfinite(ank - sh).any() else 0.0
            lo, hi = np.nanpercentile(c, [5, 95], axis=0)
            travel, rise = float(hi[0] - lo[0]), float(hi[1] - lo[1])
            bob = rise / size if size > 0 else 0.0
            centre_x = float(np.nanmedian(c[:, 0]))
            # someone walking past crosses the picture: their sideways travel outweighs any bob
            walking = travel > max(0.25, 2.0 * rise)
            score = share * max(size, 0.0) * (1.0 - min(abs(centre_x - 0.5), 0.5)) * (0.5 + min(bob, 1.0))
            score *= 0.2 if walking else 1.0
            out.append(dict(track=k, share=round(share, 3), size=round(size, 3), centre_x=round(centre_x, 3),
                            travel=round(travel, 3), bob=round(bob, 3), walking=walking, score=float(score)))
        return sorted(out, key=lambda r: -r["score"])
