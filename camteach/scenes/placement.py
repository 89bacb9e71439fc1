"""From an object's blueprint to integer pixel polygons placed in the image.

One local unit of a blueprint is ``UNIT * size * scale`` pixels, so an object
at scale 1 spans about 45% of the image side.
"""

from __future__ import annotations

import math

import numpy as np

from .objects import Primitive
from .shapes import ellipse_points

UNIT = 0.55   # one object unit, in image widths, at scale 1
_MAX_OVERLAP = 0.05   # two objects' boxes overlap by at most this share of the smaller


def polygons(prims: list[Primitive], px_per_unit: float, angle_deg: float) -> list[np.ndarray]:
    """Pixel-space float polygons (m, 2), around the origin, of the primitives."""
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    # counter-clockwise on screen (y points down)
    rot = np.array([[c, s], [-s, c]]).T * px_per_unit
    out = []
    for _, _, kind, data in prims:
        pts = data if kind == "poly" else ellipse_points(*data, px_per_unit)
        out.append(pts @ rot)
    return out


def bbox(polys: list[np.ndarray]) -> tuple[float, float, float, float]:
    """Float box ``(x0, y0, x1, y1)`` around all the polygons' vertices."""
    allp = np.concatenate(polys)
    x0, y0 = allp.min(0)
    x1, y1 = allp.max(0)
    return float(x0), float(y0), float(x1), float(y1)


class Placed:
    """One object ready to paint: its primitives and integer polygons.

    Attributes
    ----------
    label : int
    prims : list of primitives
    polys : list of numpy.ndarray, int64, (m, 2)
        The polygons shifted by ``offset`` and rounded to pixels.
    box : (int, int, int, int)
        ``(x0, y0, x1, y1)`` around the polygons, x1 and y1 exclusive.
    """

    __slots__ = ("label", "prims", "polys", "box")

    def __init__(self, label: int, prims: list[Primitive], polys: list[np.ndarray],
                 offset: np.ndarray):
        self.label = label
        self.prims = prims
        self.polys = [np.rint(p + offset).astype(np.int64) for p in polys]
        allp = np.concatenate(self.polys)
        self.box = (*allp.min(0), *(allp.max(0) + 1))


def place_at(label: int, prims: list[Primitive], size: int, scale: float, angle: float,
             center: tuple[float, float]) -> Placed:
    """Place an object with its box centred at ``center`` (fractions of ``size``)."""
    polys = polygons(prims, UNIT * size * scale, angle)
    x0, y0, x1, y1 = bbox(polys)
    off = np.array([center[0] * size - (x0 + x1) / 2, center[1] * size - (y0 + y1) / 2])
    return Placed(label, prims, polys, off)


def place_random(label: int, prims: list[Primitive], rng: np.random.Generator, size: int,
                 scale: float, angle: float, avoid: Placed | None = None) -> Placed:
    """Place an object at a random position inside the image.

    The object shrinks until it fits, and (with ``avoid``) until its box
    overlaps ``avoid``'s by at most 5% of the smaller box.
    """
    for _ in range(60):
        polys = polygons(prims, UNIT * size * scale, angle)
        x0, y0, x1, y1 = bbox(polys)
        if x1 - x0 > size - 1 or y1 - y0 > size - 1:
            scale *= 0.9
            continue
        off = np.array([rng.uniform(-x0, size - 1 - x1), rng.uniform(-y0, size - 1 - y1)])
        placed = Placed(label, prims, polys, off)
        if avoid is None or _box_overlap(placed.box, avoid.box) <= _MAX_OVERLAP:
            return placed
        scale *= 0.97
    return placed  # pragma: no cover - practically unreachable


def _box_overlap(a, b) -> float:
    """Intersection area over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / small
