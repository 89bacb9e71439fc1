"""Polygon geometry shared by the objects and the background's distractors.

Ellipses and circles become polygons whose (rotated) vertices are computed
here, so Pillow only ever fills polygons on integer pixel coordinates.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=64)
def _unit_circle(m: int) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(m) * (2 * np.pi / m)
    return np.cos(t), np.sin(t)


def ellipse_points(cx: float, cy: float, rx: float, ry: float, rot: float,
                   px_per_unit: float) -> np.ndarray:
    """Vertices (m, 2) of an ellipse rotated by ``rot`` radians.

    The vertex count m (12..96) grows with the ellipse's size in pixels
    (``px_per_unit`` pixels per unit of ``rx``, ``ry``).
    """
    m = int(np.clip(2 * np.pi * max(rx, ry) * px_per_unit / 2.5, 12, 96))
    c, s = _unit_circle(m)
    x, y = rx * c, ry * s
    cr, sr = math.cos(rot), math.sin(rot)
    return np.stack([cx + x * cr - y * sr, cy + x * sr + y * cr], axis=1)


def rect(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """Vertices (4, 2) of an axis-aligned rectangle."""
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=np.float64)
