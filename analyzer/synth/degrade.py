"""What a cheap camera does to a clean render: sensor noise and blur (pure numpy/scipy).

Compression is the writer's part (``capture.crf``); frame rate and resolution are the
scenario's ``fps`` and ``size``. Seeded, so a scenario renders the same video every time.
"""
from __future__ import annotations

import numpy as np


class Degrader:
    """Applies Gaussian blur (sigma in pixels) then Gaussian noise (sigma in 0..255 grey
    levels) to RGB uint8 frames (H, W, 3)."""

    def __init__(self, noise: float = 0.0, blur: float = 0.0, seed: int = 0):
        self.noise = float(noise)
        self.blur = float(blur)
        self.rng = np.random.default_rng(seed)

    @property
    def active(self) -> bool:
        return self.noise > 0 or self.blur > 0

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        if not self.active:
            return rgb
        img = rgb.astype(np.float32)
        if self.blur > 0:
            from scipy.ndimage import gaussian_filter

            img = gaussian_filter(img, sigma=(self.blur, self.blur, 0.0))
        if self.noise > 0:
            img += self.rng.normal(0.0, self.noise, img.shape).astype(np.float32)
        return np.clip(img + 0.5, 0, 255).astype(np.uint8)
