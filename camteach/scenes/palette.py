"""The colours of the scenes' world, drawn from seeded random generators.

Every class pools colours from the same few families (skin tones, greys,
saturated hues) so that colour alone does not give the class away.
Saturated magentas are kept for the shortcut cue only.
"""

from __future__ import annotations

import colorsys

import numpy as np

RGB = tuple[int, int, int]

_SKIN = np.array([(255, 226, 200), (241, 194, 150), (224, 172, 105), (198, 134, 66),
                  (150, 96, 52), (96, 60, 38)], dtype=np.float64)


def clip_rgb(c) -> RGB:
    """Round three numbers to an RGB triple of ints in [0, 255]."""
    return tuple(min(255, max(0, round(float(v)))) for v in c)


def skin(rng: np.random.Generator) -> RGB:
    """A skin tone, interpolated along a light-to-dark scale, with jitter."""
    t = rng.uniform(0, len(_SKIN) - 1)
    k = min(int(t), len(_SKIN) - 2)
    c = _SKIN[k] + (t - k) * (_SKIN[k + 1] - _SKIN[k]) + rng.uniform(-10, 10, 3)
    return clip_rgb(c)


def hsv(rng: np.random.Generator, h=(0.0, 1.0), s=(0.4, 1.0), v=(0.4, 1.0)) -> RGB:
    """A colour with hue, saturation and value drawn from the given ranges."""
    hue, sat, val = rng.uniform(*h) % 1.0, rng.uniform(*s), rng.uniform(*v)
    if 0.76 < hue < 0.94 and sat > 0.3:
        # keep saturated magentas for the shortcut cue only
        hue, sat = (0.7 if hue < 0.85 else 0.97), min(sat, 0.6)
    r, g, b = colorsys.hsv_to_rgb(hue, sat, val)
    return clip_rgb((r * 255, g * 255, b * 255))


def grey(rng: np.random.Generator, low: float, high: float) -> RGB:
    """A grey between ``low`` and ``high``, with a slight tint."""
    g = rng.uniform(low, high)
    return clip_rgb(g + rng.uniform(-6, 6, 3))


def scaled(c: RGB, f: float) -> RGB:
    """``c`` darkened (f < 1) or lightened (f > 1)."""
    return clip_rgb(np.asarray(c, dtype=np.float64) * f)


def any_color(rng: np.random.Generator) -> RGB:
    """A colour from the pooled palette of all classes (for confusers)."""
    k = rng.integers(6)
    if k == 0:
        return skin(rng)
    if k == 1:
        return grey(rng, 15, 70)                                  # tyre-dark
    if k == 2:
        return hsv(rng, h=(0.95, 1.05), s=(0.5, 0.9), v=(0.35, 0.7))   # roof red
    if k == 3:
        return hsv(rng, h=(0.25, 0.4), s=(0.5, 0.9), v=(0.3, 0.7))     # leaf green
    if k == 4:
        return hsv(rng, h=(0.5, 0.62), s=(0.1, 0.35), v=(0.75, 0.95))  # glass
    return hsv(rng)
