"""Per-frame pose reliability: can this frame's landmarks be trusted? (pure numpy)

MediaPipe always answers, even for a leg behind a barbell plate or a knee it has swapped with
the other one. Every later stage reads this module's verdict on each frame instead of judging a
guess: the view ignores unreliable frames, the metrics are blanked there, and a rep with too
little reliable data is "not judged", never a fault.

Checks, per landmark group (each leg, each foot, the trunk), per frame:

* **hidden** - MediaPipe's own visibility of the group's landmarks is low (occluded).
* **out of frame** - presence is low or the landmarks lie outside the picture.
* **bone length** - a 3D segment (thigh, shank, foot; shoulder and hip width) is far from the
  person's own median length: the model has lost the limb.
* **swap** - the left and right landmarks trade places from one frame to the next.
* **jump** - a landmark moves further in one frame than a body can.

Reasons are short words a person can read: "legs hidden", "left/right swapped".
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .signals import runs
from .skeleton import (L_ANKLE, L_FOOT, L_HEEL, L_HIP, L_KNEE, L_SHOULDER, R_ANKLE, R_FOOT, R_HEEL, R_HIP, R_KNEE,
                       R_SHOULDER)
from .track import PoseTrack

GROUPS: dict[str, tuple[int, ...]] = {
    "left_leg": (L_HIP, L_KNEE, L_ANKLE),
    "right_leg": (R_HIP, R_KNEE, R_ANKLE),
    "left_foot": (L_ANKLE, L_HEEL, L_FOOT),
    "right_foot": (R_ANKLE, R_HEEL, R_FOOT),
    "trunk": (L_SHOULDER, R_SHOULDER, L_HIP, R_HIP),
}
# 3D segments whose length should stay the person's own: (a, b, groups it speaks for).
SEGMENTS = (
    (L_HIP, L_KNEE, ("left_leg",)), (L_KNEE, L_ANKLE, ("left_leg",)),
    (R_HIP, R_KNEE, ("right_leg",)), (R_KNEE, R_ANKLE, ("right_leg",)),
    (L_HEEL, L_FOOT, ("left_foot",)), (R_HEEL, R_FOOT, ("right_foot",)),
    (L_SHOULDER, R_SHOULDER, ("trunk",)), (L_HIP, R_HIP, ("trunk",)),
)

MIN_VISIBILITY = 0.5      # mean visibility of a group's landmarks (MediaPipe: P(not occluded))
MIN_PRESENCE = 0.5
FRAME_MARGIN = 0.02       # landmarks this far outside [0, 1] of the image are out of frame
BONE_RATIO = (0.7, 1.35)  # 3D segment length / the person's median
FOOT_RATIO = (0.6, 1.7)   # ... for the heel-toe segment: small, and MediaPipe stretches it at depth
                          # (1.5 at the bottom of a good squat on the digital human)
JUMP_TORSO = 0.35         # a landmark moving more than this many torso lengths in 1/30 s
SWAP_GAIN = 0.5           # swapped assignment explains the motion at least this much better
NEIGHBOURS = 2            # frames either side of a swap or jump that are also not trusted

REASON_WORDS = {
    "not detected": "no person found",
    "hidden": "hidden",
    "out of frame": "out of the picture",
    "bone length": "pose lost",
    "swap": "left/right swapped",
    "jump": "pose jumped",
}


@dataclass
class QualitySpan:
    """A stretch of unreliable frames [start, stop), in seconds too, with what was unreliable."""

    start: int
    stop: int
    start_s: float
    end_s: float
    groups: tuple[str, ...]
    reason: str

    def text(self) -> str:
        """'pose unreliable 1.9-3.0 s: legs hidden'."""
        return f"pose unreliable {self.start_s:.1f}–{self.end_s:.1f} s: {self.reason}"

    def as_dict(self) -> dict:
        return dict(start_s=round(self.start_s, 3), end_s=round(self.end_s, 3), groups=list(self.groups),
                    reason=self.reason)


@dataclass
class PoseQuality:
    """Reliability of a track, per group and frame.

    ok: group name -> (T,) bool, True where the group's landmarks can be trusted.
    reason: group name -> (T,) object array, the first failed check ('' where ok).
    t: (T,) seconds.
    """

    ok: dict[str, np.ndarray]
    reason: dict[str, np.ndarray]
    t: np.ndarray
    notes: list[str] = field(default_factory=list)

    @classmethod
    def all_ok(cls, track: PoseTrack) -> "PoseQuality":
        """Every detected frame trusted (for code paths that measure without the gate)."""
        det = track.detected
        return cls({g: det.copy() for g in GROUPS}, {g: np.where(det, "", "not detected").astype(object) for g in GROUPS},
                   track.t)

    def group_ok(self, *groups: str) -> np.ndarray:
        """(T,) bool: all of ``groups`` trusted."""
        out = np.ones(len(self.t), bool)
        for g in groups:
            out &= self.ok[g]
        return out

    def fraction(self, groups: tuple[str, ...] | list[str], start: int, stop: int) -> float:
        """Share of frames in [start, stop) where all ``groups`` are trusted, 0..1."""
        stop = max(stop, start + 1)
        return float(self.group_ok(*groups)[start:stop].mean())

    def why(self, groups: tuple[str, ...] | list[str], start: int, stop: int) -> str:
        """The most common reason the groups were not trusted in [start, stop), in words:
        "legs hidden", "left foot out of the picture", "left/right swapped"."""
        counts: dict[str, dict[str, int]] = {}
        for g in groups:
            for r in self.reason[g][start:stop]:
                if r:
                    counts.setdefault(r, {}).setdefault(g, 0)
                    counts[r][g] += 1
        if not counts:
            return ""
        top = max(counts, key=lambda r: sum(counts[r].values()))
        if top in ("swap", "jump", "bone length"):
            return REASON_WORDS[top]
        return f"{_parts_words(sorted(counts[top]))} {REASON_WORDS.get(top, top)}"

    def spans(self, groups: tuple[str, ...] = ("left_leg", "right_leg", "trunk"), min_s: float = 0.2,
              needed: dict[str, np.ndarray] | None = None) -> list[QualitySpan]:
        """Stretches where a needed group is untrusted while a person is seen, at least ``min_s``
        long, with the reason in words ("legs hidden"). ``needed``: group -> (T,) bool, the
        frames that group matters in (a side view needs only the leg nearer the camera); by
        default every frame of ``groups``."""
        T = len(self.t)
        need = needed or {g: np.ones(T, bool) for g in groups}
        seen = np.zeros(T, bool)
        for g in GROUPS:
            seen |= self.reason[g] != "not detected"
        bad = np.zeros(T, bool)
        for g, m in need.items():
            bad |= m & ~self.ok[g] & seen
        out = []
        for a, b in runs(bad):
            end = self.t[b] if b < T else self.t[-1]
            if end - self.t[a] < min_s:
                continue
            failing = tuple(g for g, m in need.items() if (m[a:b] & ~self.ok[g][a:b]).mean() > 0.5)
            reason = self.why(failing or tuple(need), a, b)
            out.append(QualitySpan(a, b, float(self.t[a]), float(end), failing, reason))
        return out


def _parts_words(groups: list[str]) -> str:
    """['left_leg', 'right_leg'] -> 'legs'; ['left_foot'] -> 'left foot'; trunk -> 'trunk'."""
    words = []
    for part, plural in (("leg", "legs"), ("foot", "feet")):
        sides = [g.split("_")[0] for g in groups if g.endswith(part)]
        if len(sides) == 2:
            words.append(plural)
        elif sides:
            words.append(f"{sides[0]} {part}")
    if "trunk" in groups:
        words.append("trunk")
    return " and ".join(words)


def assess_quality(track: PoseTrack) -> PoseQuality:
    """Reliability of every frame of ``track`` (see the module docstring)."""
    T = len(track)
    det = track.detected
    vis = np.nan_to_num(track.visibility.astype(np.float64), nan=0.0)
    pres = np.nan_to_num(track.presence.astype(np.float64), nan=0.0)
    img = track.image[..., :2].astype(np.float64)
    world = track.world.astype(np.float64)
    reason = {g: np.full(T, "", dtype=object) for g in GROUPS}

    def mark(group: str, bad: np.ndarray, why: str) -> None:
        r = reason[group]
        r[bad & (r == "")] = why

    bone_bad = _bone_outliers(world, det)
    jumps = _jumps(track, det)
    swaps = _swaps(img, track.t, det)
    for g, idx in GROUPS.items():
        mark(g, ~det, "not detected")
        mark(g, vis[:, idx].mean(1) < MIN_VISIBILITY, "hidden")
        with np.errstate(invalid="ignore"):
            outside = ((img[:, idx] < -FRAME_MARGIN) | (img[:, idx] > 1 + FRAME_MARGIN)).any(axis=(1, 2))
        mark(g, (pres[:, idx].mean(1) < MIN_PRESENCE) | outside, "out of frame")
        mark(g, bone_bad[g], "bone length")
        mark(g, swaps, "swap")
        mark(g, jumps[:, list(idx)].any(1), "jump")
    ok = {g: (r == "") for g, r in reason.items()}
    return PoseQuality(ok, reason, np.asarray(track.t, np.float64))


def _dilate(mask: np.ndarray, k: int) -> np.ndarray:
    if k <= 0 or not mask.any():
        return mask
    out = mask.copy()
    for s in range(1, k + 1):
        out[s:] |= mask[:-s]
        out[:-s] |= mask[s:]
    return out


def _bone_outliers(world: np.ndarray, det: np.ndarray) -> dict[str, np.ndarray]:
    """group -> (T,) bool: a 3D segment of the group far from the person's median length."""
    out = {g: np.zeros(len(world), bool) for g in GROUPS}
    if det.sum() < 5:
        return out
    for a, b, groups in SEGMENTS:
        length = np.linalg.norm(world[:, a] - world[:, b], axis=-1)
        med = np.nanmedian(length[det])
        if not np.isfinite(med) or med <= 0:
            continue
        lo, hi = FOOT_RATIO if groups[0].endswith("_foot") else BONE_RATIO
        with np.errstate(invalid="ignore"):
            r = length / med
            bad = det & ((r < lo) | (r > hi))
        for g in groups:
            out[g] |= bad
    return out


def _torso_px(img: np.ndarray, det: np.ndarray) -> float:
    hips = 0.5 * (img[:, L_HIP] + img[:, R_HIP])
    sh = 0.5 * (img[:, L_SHOULDER] + img[:, R_SHOULDER])
    torso = np.linalg.norm(hips - sh, axis=-1)
    return float(np.nanmedian(torso[det])) if det.any() else float("nan")


def _jumps(track: PoseTrack, det: np.ndarray) -> np.ndarray:
    """(T, 33) bool: the landmark moved implausibly far since the previous frame, in pixels
    scaled to the person's torso and to a 30 frames/s step, or back again (a one-frame spike)."""
    T = len(track)
    out = np.zeros((T, track.image.shape[1]), bool)
    if T < 3:
        return out
    xy = track.xy
    torso = _torso_px(xy, det)
    if not np.isfinite(torso) or torso <= 0:
        return out
    dt = np.diff(track.t)
    dt = np.where(dt > 0, dt, 1 / 30)
    step = np.linalg.norm(np.diff(xy, axis=0), axis=-1) / torso * (1 / 30) / dt[:, None]
    with np.errstate(invalid="ignore"):
        big = np.nan_to_num(step, nan=0.0) > JUMP_TORSO
    out[1:] |= big
    for k in range(out.shape[1]):
        out[:, k] = _dilate(out[:, k], NEIGHBOURS)
    return out


def _swaps(img: np.ndarray, t: np.ndarray, det: np.ndarray) -> np.ndarray:
    """(T,) bool: frames next to a left/right exchange of the legs (the swapped assignment
    explains the step from the previous frame much better than the labelled one)."""
    T = len(img)
    out = np.zeros(T, bool)
    if T < 3:
        return out
    left = img[:, [L_HIP, L_KNEE, L_ANKLE, L_HEEL, L_FOOT]]
    right = img[:, [R_HIP, R_KNEE, R_ANKLE, R_HEEL, R_FOOT]]
    same = np.linalg.norm(left[1:] - left[:-1], axis=-1).sum(1) + np.linalg.norm(right[1:] - right[:-1], axis=-1).sum(1)
    cross = np.linalg.norm(left[1:] - right[:-1], axis=-1).sum(1) + np.linalg.norm(right[1:] - left[:-1], axis=-1).sum(1)
    sep = np.linalg.norm(left - right, axis=-1).sum(1)[:-1]  # how far apart the legs were
    with np.errstate(invalid="ignore"):
        # A swap moves each leg onto the other's place (same ~ 2 x sep); only when the legs
        # are well apart (5 landmarks, > 1 % of the picture each) can it be told from noise.
        event = (cross < SWAP_GAIN * same) & (same > 0.6 * sep) & (sep > 0.05)
    event = np.nan_to_num(event, nan=0.0).astype(bool)
    out[1:] |= event
    return _dilate(out, NEIGHBOURS)
