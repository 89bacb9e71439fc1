"""The background of a scene: textured colour, periodic patterns, distractors.

Distractors are shapes that look like object parts out of context (circles
that are not wheels, triangles that are not roofs, lines, rings), so that a
classifier has to look at whole objects.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from . import palette as pal
from .shapes import ellipse_points, rect


def background(rng: np.random.Generator, size: int,
               clutter: float) -> tuple[np.ndarray, np.ndarray]:
    """A textured, cluttered background and a grain field.

    Parameters
    ----------
    rng : numpy.random.Generator
        The scene's background stream (used in a fixed order).
    size : int
        Image side in pixels.
    clutter : float
        Scales the number of distractors (6-12 at 1).

    Returns
    -------
    image : numpy.ndarray, uint8, (size, size, 3)
    grain : numpy.ndarray, int16, (size, size)
        Pixel noise in [-6, 6], added after the objects are painted.
    """
    base = _colour_field(rng, size)
    _add_pattern(rng, base)
    np.clip(base, 0, 255, out=base)
    img = Image.fromarray(base.astype(np.uint8))
    _distractors(ImageDraw.Draw(img), rng, size, clutter)
    grain = rng.integers(-6, 7, size=(size, size), dtype=np.int16)
    return np.asarray(img), grain


def _bicubic(values: np.ndarray, side: int) -> np.ndarray:
    """Values clipped to uint8 (h, w, 3), resized to (side, side, 3) by Pillow."""
    small = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))
    return np.asarray(small.resize((side, side), Image.Resampling.BICUBIC))


def _colour_field(rng: np.random.Generator, size: int) -> np.ndarray:
    """A colour gradient with blotches, int16 (size, size, 3).

    A 4x4 lattice (gradient between two colours, plus noise) is upsampled to
    k x k, finer texture blotches (mostly luminance) are added, and the
    result is upsampled once more to the image size (bicubic both times).
    """
    pick = rng.random(2)
    c0 = np.array(pal.skin(rng) if pick[0] < 0.2
                  else pal.hsv(rng, s=(0.05, 0.7), v=(0.25, 0.95)), float)
    c1 = np.array(pal.skin(rng) if pick[1] < 0.2
                  else pal.hsv(rng, s=(0.05, 0.7), v=(0.25, 0.95)), float)
    th = rng.uniform(0, 2 * np.pi)
    k = int(rng.integers(8, 20))
    g = np.linspace(-1, 1, 4)
    t = (np.cos(th) * g[None, :] + np.sin(th) * g[:, None]) / (2 * 1.415) + 0.5
    low = c0 + t[..., None] * (c1 - c0) + rng.normal(0, 22, (4, 4, 3))
    low = _bicubic(low, k).astype(np.float64)
    amp = rng.uniform(8, 22)
    low += rng.normal(0, amp, (k, k, 1)) + rng.normal(0, amp * 0.4, (k, k, 3))
    return _bicubic(low, size).astype(np.int16)


@lru_cache(maxsize=8)
def _coords(size: int) -> np.ndarray:
    return np.arange(size, dtype=np.float32)


def _add_pattern(rng: np.random.Generator, base: np.ndarray) -> None:
    """Sometimes (1 in 2) add low-contrast stripes or checks to ``base`` in place."""
    kind = rng.integers(4)
    if kind >= 2:
        return
    size = base.shape[0]
    x = _coords(size)
    period = rng.uniform(0.03, 0.09) * size
    a = rng.uniform(0, np.pi)
    ca, sa = math.cos(a) * 2 / period, math.sin(a) * 2 / period
    pat = np.floor(x[None, :] * ca + x[:, None] * sa).astype(np.int16) & 1
    if kind == 1:
        pat ^= np.floor(x[:, None] * ca - x[None, :] * sa).astype(np.int16) & 1
    amp = int(rng.integers(6, 17))
    base += (pat * (2 * amp) - amp)[..., None]


def _distractors(draw: ImageDraw.ImageDraw, rng: np.random.Generator, size: int,
                 clutter: float) -> None:
    """Draw ``clutter`` x 6-12 random shapes in random colours."""
    count = int(round(clutter * rng.integers(6, 13)))
    for _ in range(count):
        kind = rng.integers(6)
        color = pal.any_color(rng) if rng.random() < 0.5 else pal.hsv(rng, s=(0.0, 1.0),
                                                                      v=(0.1, 1.0))
        cx, cy = rng.uniform(-0.05, 1.05, 2) * size
        r = rng.uniform(0.025, 0.12) * size
        if kind == 4:
            _line(draw, rng, size, cx, cy, r, color)
        elif kind == 5:
            _ring(draw, rng, size, cx, cy, r, color)
        else:
            pts = _filled_shape(rng, kind, cx, cy, r)
            draw.polygon(np.rint(pts).astype(np.int64).ravel().tolist(), fill=color)


def _filled_shape(rng: np.random.Generator, kind: int, cx: float, cy: float,
                  r: float) -> np.ndarray:
    """Vertices of a disc (0), an oval (1), a triangle (2) or a rectangle (3)."""
    if kind == 0:
        return ellipse_points(cx, cy, r, r, 0.0, 1.0)
    if kind == 1:
        return ellipse_points(cx, cy, r, r * rng.uniform(0.35, 0.8), rng.uniform(0, np.pi), 1.0)
    if kind == 2:
        a = rng.uniform(0, 2 * np.pi) + np.array([0, 2.1, 4.2]) + rng.uniform(-0.4, 0.4, 3)
        return np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], 1)
    # a rectangle, maybe rotated, maybe large
    w, h = rng.uniform(0.3, 1.0, 2) * r * (2.5 if rng.random() < 0.2 else 1.0)
    a = rng.uniform(-0.6, 0.6) if rng.random() < 0.5 else 0.0
    ca, sa = math.cos(a), math.sin(a)
    return rect(-w, -h, w, h) @ np.array([[ca, sa], [-sa, ca]]) + (cx, cy)


def _line(draw, rng, size: int, cx: float, cy: float, r: float, color) -> None:
    a = rng.uniform(0, np.pi)
    d = r * 2 * np.array([math.cos(a), math.sin(a)])
    width = max(1, int(round(rng.uniform(1.5, 5) * size / 224)))
    draw.line([(round(cx - d[0]), round(cy - d[1])), (round(cx + d[0]), round(cy + d[1]))],
              fill=color, width=width)


def _ring(draw, rng, size: int, cx: float, cy: float, r: float, color) -> None:
    pts = ellipse_points(cx, cy, r, r, 0.0, 1.0)
    width = max(1, int(round(rng.uniform(2, 5) * size / 224)))
    p = np.rint(pts).astype(np.int64)
    draw.line(p.ravel().tolist() + p[0].tolist(), fill=color, width=width)
