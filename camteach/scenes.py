"""A procedural world of objects built from named parts, with exact masks.

Offline there are no ImageNet photos, so the course brings its own world in
which every explanation can be *measured*. A scene is a cluttered, textured
background with one (or two) objects on it. Each object is drawn from named
parts that echo the lecture ("one feature for the nose, one for the eyes";
"the wheel feature")::

    face   : eye, nose, mouth (+ head: the skin oval with its ears and hair)
    car    : body (with its cabin and lights), wheel, window
    house  : wall, roof (with its chimney), door, window
    flower : petal, centre, stem (+ leaf)

For every scene the generator also returns the exact mask of every object and
of every part (the pixels where it is *visible* in the final image), its tight
box, and, for the shortcut variant of lesson 06, the pixels of the spurious
cue. So "the CAM points at the face" or "channel 17 is the wheel detector" can
be checked against the truth.

Everything is drawn with Pillow on integer pixel coordinates (ellipses and
circles are polygons whose rotated vertices are computed here), and one label
image is painted per scene: the RGB image is coloured from that label image,
and the masks are read from it, so image and masks agree pixel for pixel.

Scene ``i`` of ``make_scenes(n, seed)`` depends only on ``(seed, i)``
(``numpy.random.default_rng([seed, i, stream])``), so generation can be split
in chunks with ``start=`` and gives the same pixels on every machine (for a
given Pillow version).

Used in lessons 01-06 and 11, and to train the course model.

Examples
--------
>>> s = make_scenes(8, seed=0, size=224)
>>> s.images.shape, s.masks.shape, s.parts["wheel"].shape, s.boxes.shape
((8, 224, 224, 3), (8, 224, 224), (8, 224, 224), (8, 4))
>>> sorted(s.labels.tolist())
[0, 0, 1, 1, 2, 2, 3, 3]
"""

from __future__ import annotations

import colorsys
import math
import numbers
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

__all__ = [
    "CLASS_NAMES", "PARTS", "PART_NAMES", "CUE_COLOR", "Scenes", "PartMasks",
    "make_scenes", "draw_scene", "scene_batches",
]

#: The four object classes, in label order (label ``k`` is ``CLASS_NAMES[k]``).
#: Used in lessons 01-06 and 11.
CLASS_NAMES: tuple[str, ...] = ("face", "car", "house", "flower")

#: The named parts of each class. The lecture's parts come first; ``head``
#: (the face's skin oval, ears and hair) and ``leaf`` (the flower's leaf) are
#: extras so that every painted pixel of an object belongs to a named part.
#: Used in lessons 01, 04-06 and 11.
PARTS: dict[str, tuple[str, ...]] = {
    "face": ("eye", "nose", "mouth", "head"),
    "car": ("body", "wheel", "window"),
    "house": ("wall", "roof", "door", "window"),
    "flower": ("petal", "centre", "stem", "leaf"),
}

#: Every part name once, in the order of ``PARTS`` ("window" is shared by car
#: and house). The keys of ``Scenes.parts``.
PART_NAMES: tuple[str, ...] = tuple(dict.fromkeys(p for ps in PARTS.values() for p in ps))

#: The colour of the shortcut cue of lesson 06 (a saturated magenta).
CUE_COLOR: tuple[int, int, int] = (255, 0, 255)

_PART_INDEX = {name: i for i, name in enumerate(PART_NAMES)}
_CUE_ID = 255            # label-image value of the cue's pixels
_CUE_RATE = 0.95         # fraction of eligible images that get the cue
_UNIT = 0.55             # one object unit, in image widths, at scale 1
_STREAM_BG, _STREAM_LOOK, _STREAM_PLACE, _STREAM_CUE, _STREAM_LABEL = range(5)
_SHORTCUTS = ("corner", "stripe")
_SHORTCUT_MODES = ("train", "swap", "none")


# --------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------

class PartMasks(Mapping):
    """Part name -> bool mask (n, size, size): the part's visible pixels.

    A read-only mapping with a key for every name in ``PART_NAMES`` (a part
    absent from a scene has an all-False mask there); it behaves like a
    ``dict`` (``parts["wheel"]``, ``.items()``, ``dict(parts)``). The masks
    are computed on access from one compact label image, ``label_map``, so a
    batch of scenes does not hold 14 boolean arrays. Each access returns a new
    array. Used in lessons 01, 04-06 and 11.

    Attributes
    ----------
    label_map : numpy.ndarray, uint8, (n, size, size)
        0 where no part is visible, else ``1 + PART_NAMES.index(part)``.
    """

    __slots__ = ("label_map",)

    def __init__(self, label_map: np.ndarray):
        self.label_map = label_map

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in _PART_INDEX:
            raise KeyError(f"unknown part {name!r}; expected one of {PART_NAMES}")
        return self.label_map == (_PART_INDEX[name] + 1)

    def __iter__(self) -> Iterator[str]:
        return iter(PART_NAMES)

    def __len__(self) -> int:
        return len(PART_NAMES)

    def __repr__(self) -> str:
        return f"PartMasks({list(PART_NAMES)}, shape={self.label_map.shape})"


@dataclass(frozen=True, eq=False)
class Scenes:
    """A batch of generated scenes and their ground truth.

    With ``objects=k`` objects per scene (k = 1 or 2) the per-object fields
    have an extra axis of length k when k > 1.

    Attributes
    ----------
    images : numpy.ndarray, uint8, (n, size, size, 3)
        RGB images.
    labels : numpy.ndarray, int64, (n,) or (n, k)
        Class index of each object (into ``class_names``).
    masks : numpy.ndarray, bool, (n, size, size) or (n, k, size, size)
        Each object's visible pixels (the union of its parts).
    parts : PartMasks (a mapping str -> bool array (n, size, size))
        Each part's visible pixels, union over the objects of a scene.
    boxes : numpy.ndarray, int64, (n, 4) or (n, k, 4)
        Tight box ``(x0, y0, x1, y1)`` of each object mask, x1 and y1
        exclusive: ``mask[y0:y1, x0:x1]`` holds all of it.
    class_names : tuple of str
        ``CLASS_NAMES``.
    cue_masks : numpy.ndarray, bool, (n, size, size), or None
        The shortcut cue's pixels (lesson 06); None when no shortcut was asked.

    Notes
    -----
    ``len(scenes)`` is n; ``scenes[i]``, ``scenes[a:b]``, ``scenes[[0, 3]]``
    or ``scenes[bool_array]`` return a ``Scenes`` subset (an integer keeps
    the batch axis: ``scenes[3]`` has n == 1). Used in lessons 01-06 and 11.
    """

    images: np.ndarray
    labels: np.ndarray
    masks: np.ndarray
    parts: PartMasks
    boxes: np.ndarray
    class_names: tuple[str, ...] = CLASS_NAMES
    cue_masks: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.images.shape[0])

    def __getitem__(self, idx) -> Scenes:
        if isinstance(idx, (numbers.Integral, np.integer)) and not isinstance(idx, bool):
            n = len(self)
            if not -n <= int(idx) < n:
                raise IndexError(f"scene index {idx} out of range for {n} scenes")
            idx = [int(idx)]
        return Scenes(images=self.images[idx], labels=self.labels[idx],
                      masks=self.masks[idx], parts=PartMasks(self.parts.label_map[idx]),
                      boxes=self.boxes[idx], class_names=self.class_names,
                      cue_masks=None if self.cue_masks is None else self.cue_masks[idx])

    def __repr__(self) -> str:
        size = self.images.shape[1] if self.images.ndim == 4 else "?"
        return (f"Scenes(n={len(self)}, size={size}, objects="
                f"{1 if self.labels.ndim == 1 else self.labels.shape[1]}, "
                f"cue={'no' if self.cue_masks is None else 'yes'})")


# --------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------

def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value}")
    return int(value)


def _check_float(value, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: expected a number in [{low}, {high}], got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name}: expected a number in [{low}, {high}], got {value}")
    return value


def _class_index(value, name: str) -> int:
    if isinstance(value, str):
        if value not in CLASS_NAMES:
            raise ValueError(f"{name}: unknown class {value!r}; expected one of {CLASS_NAMES} "
                             f"or an index 0..{len(CLASS_NAMES) - 1}")
        return CLASS_NAMES.index(value)
    if (isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool)
            and 0 <= value < len(CLASS_NAMES)):
        return int(value)
    raise ValueError(f"{name}: expected a class name in {CLASS_NAMES} or an index "
                     f"0..{len(CLASS_NAMES) - 1}, got {value!r}")


def _check_classes(classes) -> tuple[int, ...]:
    if classes is None:
        return tuple(range(len(CLASS_NAMES)))
    if isinstance(classes, (str, numbers.Integral, np.integer)):
        classes = [classes]
    try:
        items = list(classes)
    except TypeError:
        raise ValueError(f"classes: expected a sequence of class names or indices, "
                         f"got {classes!r}") from None
    if not items:
        raise ValueError("classes: expected at least one class, got an empty sequence")
    out = tuple(dict.fromkeys(_class_index(c, "classes") for c in items))
    return tuple(sorted(out))


@dataclass(frozen=True)
class _Config:
    seed: int
    size: int
    objects: int
    classes: tuple[int, ...]
    clutter: float
    shortcut: str | None
    shortcut_class: int
    shortcut_mode: str


def _config(seed, size, objects, classes, clutter, shortcut, shortcut_class,
            shortcut_mode) -> _Config:
    seed = _check_int(seed, "seed", 0)
    size = _check_int(size, "size", 64)
    if isinstance(objects, bool) or objects not in (1, 2):
        raise ValueError(f"objects: expected 1 or 2 objects per scene, got {objects!r}")
    classes = _check_classes(classes)
    if objects == 2 and len(classes) < 2:
        raise ValueError(f"classes: objects=2 needs at least two classes, got {classes}")
    clutter = _check_float(clutter, "clutter", 0.0, 5.0)
    if shortcut is not None and shortcut not in _SHORTCUTS:
        raise ValueError(f"shortcut: expected None or one of {_SHORTCUTS}, got {shortcut!r}")
    if shortcut_mode not in _SHORTCUT_MODES:
        raise ValueError(f"shortcut_mode: expected one of {_SHORTCUT_MODES}, "
                         f"got {shortcut_mode!r}")
    shortcut_class = _class_index(shortcut_class, "shortcut_class")
    return _Config(seed, size, int(objects), classes, clutter, shortcut, shortcut_class,
                   shortcut_mode)


# --------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------

_SKIN = np.array([(255, 226, 200), (241, 194, 150), (224, 172, 105), (198, 134, 66),
                  (150, 96, 52), (96, 60, 38)], dtype=np.float64)


def _clip_rgb(c) -> tuple[int, int, int]:
    return tuple(min(255, max(0, round(float(v)))) for v in c)


def _skin(rng) -> tuple[int, int, int]:
    t = rng.uniform(0, len(_SKIN) - 1)
    k = min(int(t), len(_SKIN) - 2)
    c = _SKIN[k] + (t - k) * (_SKIN[k + 1] - _SKIN[k]) + rng.uniform(-10, 10, 3)
    return _clip_rgb(c)


def _hsv(rng, h=(0.0, 1.0), s=(0.4, 1.0), v=(0.4, 1.0)) -> tuple[int, int, int]:
    hue, sat, val = rng.uniform(*h) % 1.0, rng.uniform(*s), rng.uniform(*v)
    if 0.76 < hue < 0.94 and sat > 0.3:
        # keep saturated magentas for the shortcut cue only (lesson 06)
        hue, sat = (0.7 if hue < 0.85 else 0.97), min(sat, 0.6)
    r, g, b = colorsys.hsv_to_rgb(hue, sat, val)
    return _clip_rgb((r * 255, g * 255, b * 255))


def _grey(rng, low, high) -> tuple[int, int, int]:
    g = rng.uniform(low, high)
    return _clip_rgb(g + rng.uniform(-6, 6, 3))


def _scaled(c, f) -> tuple[int, int, int]:
    return _clip_rgb(np.asarray(c, dtype=np.float64) * f)


def _any_color(rng) -> tuple[int, int, int]:
    """A colour from the pooled palette of all classes (for confusers)."""
    k = rng.integers(6)
    if k == 0:
        return _skin(rng)
    if k == 1:
        return _grey(rng, 15, 70)                                  # tyre-dark
    if k == 2:
        return _hsv(rng, h=(0.95, 1.05), s=(0.5, 0.9), v=(0.35, 0.7))   # roof red
    if k == 3:
        return _hsv(rng, h=(0.25, 0.4), s=(0.5, 0.9), v=(0.3, 0.7))     # leaf green
    if k == 4:
        return _hsv(rng, h=(0.5, 0.62), s=(0.1, 0.35), v=(0.75, 0.95))  # glass
    return _hsv(rng)


# --------------------------------------------------------------------------
# Geometry: object blueprints in local units, then pixels
# --------------------------------------------------------------------------
# A primitive is (part, rgb, kind, data): kind "poly" with data an (m, 2)
# array of local (x, y) points (y down), or "ellipse" with data
# (cx, cy, rx, ry, rot) (rot in radians, in the local frame). One local unit
# is _UNIT * size * scale pixels. Primitives are painted in list order.

@lru_cache(maxsize=64)
def _unit_circle(m: int) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(m) * (2 * np.pi / m)
    return np.cos(t), np.sin(t)


def _ellipse_points(cx, cy, rx, ry, rot, px_per_unit) -> np.ndarray:
    m = int(np.clip(2 * np.pi * max(rx, ry) * px_per_unit / 2.5, 12, 96))
    c, s = _unit_circle(m)
    x, y = rx * c, ry * s
    cr, sr = math.cos(rot), math.sin(rot)
    return np.stack([cx + x * cr - y * sr, cy + x * sr + y * cr], axis=1)


def _rect(x0, y0, x1, y1) -> np.ndarray:
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=np.float64)


def _face(rng) -> list:
    skin = _skin(rng)
    rx, ry = rng.uniform(0.33, 0.39), rng.uniform(0.44, 0.5)
    prims = []
    ear = _scaled(skin, rng.uniform(0.85, 0.95))
    ey = rng.uniform(-0.05, 0.05)
    for sx in (-1, 1):
        prims.append(("head", ear, "ellipse", (sx * (rx - 0.01), ey, 0.065, 0.1, 0.0)))
    prims.append(("head", skin, "ellipse", (0.0, 0.0, rx, ry, 0.0)))
    if rng.random() < 0.7:      # hair: a cap over the top of the head
        hair = [_grey(rng, 15, 50), _hsv(rng, (0.05, 0.1), (0.5, 0.8), (0.2, 0.45)),
                _hsv(rng, (0.1, 0.14), (0.4, 0.7), (0.7, 0.95)), _grey(rng, 150, 210),
                _hsv(rng, (0.02, 0.06), (0.6, 0.9), (0.45, 0.7))][rng.integers(5)]
        t = np.linspace(np.pi, 2 * np.pi, 25)
        top = np.stack([1.04 * rx * np.cos(t), 1.05 * ry * np.sin(t)], 1)
        low = rng.uniform(0.3, 0.55) * ry
        fringe = np.array([(1.04 * rx, -0.15 * ry), (0.5 * rx, -low), (-0.4 * rx, -low + 0.03),
                           (-1.04 * rx, -0.1 * ry)])
        prims.append(("head", hair, "poly", np.concatenate([top, fringe])))
    yeye, dx = rng.uniform(-0.12, -0.05), rng.uniform(0.12, 0.16)
    erx, ery = rng.uniform(0.065, 0.085), rng.uniform(0.04, 0.055)
    white = _grey(rng, 225, 250)
    iris = [_hsv(rng, (0.05, 0.1), (0.5, 0.9), (0.2, 0.45)),
            _hsv(rng, (0.55, 0.62), (0.4, 0.8), (0.4, 0.7)),
            _hsv(rng, (0.25, 0.4), (0.4, 0.7), (0.3, 0.55)), _grey(rng, 10, 40)][rng.integers(4)]
    look = rng.uniform(-0.3, 0.3) * erx
    for sx in (-1, 1):
        prims.append(("eye", white, "ellipse", (sx * dx, yeye, erx, ery, 0.0)))
        prims.append(("eye", iris, "ellipse", (sx * dx + look, yeye, 0.7 * ery, 0.85 * ery, 0.0)))
        prims.append(("eye", (15, 15, 20), "ellipse",
                      (sx * dx + look, yeye, 0.33 * ery, 0.4 * ery, 0.0)))
    nw, nb = rng.uniform(0.04, 0.06), rng.uniform(0.09, 0.13)
    prims.append(("nose", _scaled(skin, rng.uniform(0.68, 0.8)), "poly",
                  np.array([(0.0, yeye + 0.03), (nw, nb), (0.0, nb + 0.015), (-nw, nb)])))
    ym, mw = rng.uniform(0.21, 0.27), rng.uniform(0.1, 0.15)
    upper, lower = rng.uniform(0.0, 0.025), rng.uniform(0.04, 0.075)
    x = np.linspace(-mw, mw, 15)
    bow = 1 - (x / mw) ** 2
    lips = [_hsv(rng, (0.95, 1.02), (0.5, 0.85), (0.45, 0.8)), _scaled(skin, 0.55),
            _hsv(rng, (0.93, 0.98), (0.3, 0.6), (0.6, 0.9))][rng.integers(3)]
    prims.append(("mouth", lips, "poly", np.concatenate([
        np.stack([x, ym + upper * bow], 1), np.stack([x[::-1], ym + lower * bow[::-1]], 1)])))
    return prims


def _car(rng) -> list:
    k = rng.random()
    if k < 0.25:
        body = _skin(rng)
    elif k < 0.4:
        body = _grey(rng, 30, 230)
    else:
        body = _hsv(rng, s=(0.45, 1.0), v=(0.35, 1.0))
    glass = _hsv(rng, (0.5, 0.62), (0.1, 0.4), (0.55, 0.9))
    tyre, hub = _grey(rng, 15, 55), _grey(rng, 150, 225)
    top, bottom = -rng.uniform(0.06, 0.09), rng.uniform(0.11, 0.14)
    prims = []
    # cabin (part of the body), then windows on it
    cb0, cb1 = rng.uniform(-0.36, -0.26), rng.uniform(0.16, 0.26)
    ch = rng.uniform(0.17, 0.22)
    ct0, ct1 = cb0 + rng.uniform(0.06, 0.12), cb1 - rng.uniform(0.1, 0.16)
    prims.append(("body", body, "poly", np.array([(cb0, top + 0.01), (ct0, top - ch),
                                                  (ct1, top - ch), (cb1, top + 0.01)])))
    prims.append(("body", body, "poly", np.array([
        (-0.5, top + 0.04), (-0.47, top), (0.43, top), (0.5, top + 0.06),
        (0.5, bottom - 0.02), (0.48, bottom), (-0.48, bottom), (-0.5, bottom - 0.02)])))
    inset = 0.028
    mid = 0.5 * (ct0 + ct1) + rng.uniform(-0.03, 0.03)
    yb, yt = top - 0.01, top - ch + inset
    lean0 = (ct0 - cb0) * (yb - yt) / ch
    lean1 = (cb1 - ct1) * (yb - yt) / ch
    prims.append(("window", glass, "poly", np.array([
        (cb0 + inset + lean0 + 0.01, yb), (ct0 + inset, yt), (mid - 0.015, yt),
        (mid - 0.015, yb)])))
    prims.append(("window", glass, "poly", np.array([
        (mid + 0.015, yb), (mid + 0.015, yt), (ct1 - inset, yt), (cb1 - inset - lean1, yb)])))
    prims.append(("body", _hsv(rng, (0.12, 0.17), (0.2, 0.7), (0.9, 1.0)), "ellipse",
                  (0.475, top + 0.05, 0.022, 0.02, 0.0)))
    prims.append(("body", _hsv(rng, (0.97, 1.01), (0.7, 1.0), (0.6, 0.9)), "ellipse",
                  (-0.485, top + 0.05, 0.014, 0.022, 0.0)))
    r = rng.uniform(0.095, 0.115)
    for wx in (-0.3 + rng.uniform(-0.03, 0.03), 0.3 + rng.uniform(-0.03, 0.03)):
        prims.append(("wheel", tyre, "ellipse", (wx, bottom, r, r, 0.0)))
        prims.append(("wheel", hub, "ellipse", (wx, bottom, 0.45 * r, 0.45 * r, 0.0)))
    if rng.random() < 0.5:       # facing left
        prims = [(p, c, kind, _mirror(kind, d)) for p, c, kind, d in prims]
    return prims


def _mirror(kind, data):
    if kind == "poly":
        return data * np.array([-1.0, 1.0])
    cx, cy, rx, ry, rot = data
    return (-cx, cy, rx, ry, -rot)


def _house(rng) -> list:
    k = rng.random()
    if k < 0.4:
        wall = _skin(rng)
    elif k < 0.55:
        wall = _grey(rng, 160, 245)
    elif k < 0.75:
        wall = _hsv(rng, (0.0, 0.05), (0.5, 0.8), (0.45, 0.75))      # brick
    else:
        wall = _hsv(rng, s=(0.15, 0.5), v=(0.6, 0.95))
    roof = [_hsv(rng, (0.97, 1.03), (0.55, 0.85), (0.35, 0.65)), _grey(rng, 40, 110),
            _hsv(rng, (0.05, 0.1), (0.4, 0.8), (0.25, 0.5)),
            _hsv(rng, (0.55, 0.65), (0.2, 0.5), (0.3, 0.55))][rng.integers(4)]
    door = [_hsv(rng, (0.05, 0.1), (0.4, 0.8), (0.2, 0.5)), _hsv(rng)][int(rng.random() < 0.4)]
    glass = _hsv(rng, (0.5, 0.62), (0.1, 0.45), (0.6, 0.95)) if rng.random() < 0.75 else \
        _hsv(rng, (0.12, 0.16), (0.3, 0.7), (0.85, 1.0))
    frame = _grey(rng, 225, 250) if rng.random() < 0.6 else _grey(rng, 30, 80)
    wh, top, bottom = rng.uniform(0.3, 0.37), rng.uniform(-0.08, -0.02), rng.uniform(0.4, 0.46)
    rh, over = rng.uniform(0.26, 0.36), rng.uniform(0.03, 0.07)
    prims = []
    if rng.random() < 0.6:       # chimney behind the roof
        cx = rng.choice([-1, 1]) * rng.uniform(0.35, 0.6) * wh
        cw = rng.uniform(0.05, 0.07)
        prims.append(("roof", _scaled(roof, 0.8), "poly",
                      _rect(cx - cw, top - rh * 0.95, cx + cw, top - 0.02)))
    prims.append(("wall", wall, "poly", _rect(-wh, top, wh, bottom)))
    prims.append(("roof", roof, "poly", np.array([(-wh - over, top + 0.01), (wh + over, top + 0.01),
                                                  (0.0, top - rh)])))
    dw, dh = rng.uniform(0.06, 0.08), rng.uniform(0.2, 0.25)
    dx = rng.uniform(-0.35, 0.35) * wh
    prims.append(("door", door, "poly", _rect(dx - dw, bottom - dh, dx + dw, bottom)))
    prims.append(("door", _grey(rng, 180, 230) if sum(door) < 400 else _grey(rng, 20, 60),
                  "ellipse", (dx + 0.6 * dw, bottom - 0.45 * dh, 0.012, 0.012, 0.0)))
    ws = rng.uniform(0.065, 0.085)
    wy = top + rng.uniform(0.1, 0.14)
    fb = 0.012
    for wx in (-0.55 * wh, 0.55 * wh):
        prims.append(("window", frame, "poly",
                      _rect(wx - ws - fb, wy - ws - fb, wx + ws + fb, wy + ws + fb)))
        prims.append(("window", glass, "poly", _rect(wx - ws, wy - ws, wx + ws, wy + ws)))
        prims.append(("window", frame, "poly", _rect(wx - 0.006, wy - ws, wx + 0.006, wy + ws)))
        prims.append(("window", frame, "poly", _rect(wx - ws, wy - 0.006, wx + ws, wy + 0.006)))
    return prims


def _flower(rng) -> list:
    k = rng.random()
    if k < 0.25:
        petal = _skin(rng)
    else:
        petal = _hsv(rng, s=(0.35, 1.0), v=(0.6, 1.0))
    centre = [_hsv(rng, (0.11, 0.16), (0.7, 1.0), (0.8, 1.0)),
              _hsv(rng, (0.05, 0.1), (0.6, 0.9), (0.2, 0.5)),
              _grey(rng, 20, 60)][rng.integers(3)]
    green = _hsv(rng, (0.22, 0.4), (0.45, 0.9), (0.3, 0.7))
    cy = -0.22
    prims = []
    # stem: a slightly bent band from the head down to y = 0.4
    bend = rng.uniform(-0.06, 0.06)
    t = np.linspace(0, 1, 9)
    x = bend * 4 * t * (1 - t)
    y = cy + t * (0.4 - cy)
    hw = rng.uniform(0.02, 0.03)
    prims.append(("stem", green, "poly", np.concatenate([np.stack([x - hw, y], 1),
                                                          np.stack([x[::-1] + hw, y[::-1]], 1)])))
    side = rng.choice([-1, 1])
    ly = rng.uniform(0.08, 0.24)
    lt = (ly - cy) / (0.4 - cy)
    lx = bend * 4 * lt * (1 - lt)
    lrx, lry = rng.uniform(0.09, 0.12), rng.uniform(0.03, 0.045)
    la = np.radians(rng.uniform(20, 45))
    prims.append(("leaf", _scaled(green, rng.uniform(0.85, 1.15)), "ellipse",
                  (lx + side * lrx * math.cos(la), ly - lrx * math.sin(la), lrx, lry, -side * la)))
    n = int(rng.integers(6, 10))
    pr, prx = rng.uniform(0.12, 0.16), rng.uniform(0.09, 0.12)
    pry = rng.uniform(0.055, 0.08) * (1.15 if n <= 7 else 1.0)
    phase = rng.uniform(0, 2 * np.pi)
    for i in range(n):
        a = phase + 2 * np.pi * i / n
        prims.append(("petal", petal, "ellipse",
                      (pr * math.cos(a), cy + pr * math.sin(a), prx, pry, a)))
    r = rng.uniform(0.07, 0.09)
    prims.append(("centre", centre, "ellipse", (0.0, cy, r, r, 0.0)))
    return prims


_BLUEPRINTS = (_face, _car, _house, _flower)


def _polygons(prims, px_per_unit: float, angle_deg: float) -> list[np.ndarray]:
    """Pixel-space float polygons (around the origin) of the primitives."""
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    # counter-clockwise on screen (y points down)
    rot = np.array([[c, s], [-s, c]]).T * px_per_unit
    out = []
    for _, _, kind, data in prims:
        pts = data if kind == "poly" else _ellipse_points(*data, px_per_unit)
        out.append(pts @ rot)
    return out


def _bbox(polys) -> tuple[float, float, float, float]:
    allp = np.concatenate(polys)
    x0, y0 = allp.min(0)
    x1, y1 = allp.max(0)
    return float(x0), float(y0), float(x1), float(y1)


class _Placed:
    """One object ready to paint: its primitives and integer polygons."""

    __slots__ = ("label", "prims", "polys", "box")

    def __init__(self, label, prims, polys, offset):
        self.label = label
        self.prims = prims
        self.polys = [np.rint(p + offset).astype(np.int64) for p in polys]
        allp = np.concatenate(self.polys)
        self.box = (*allp.min(0), *(allp.max(0) + 1))


def _place_random(label, prims, rng, size, scale, angle, avoid=None) -> _Placed:
    for _ in range(60):
        polys = _polygons(prims, _UNIT * size * scale, angle)
        x0, y0, x1, y1 = _bbox(polys)
        if x1 - x0 > size - 1 or y1 - y0 > size - 1:
            scale *= 0.9
            continue
        off = np.array([rng.uniform(-x0, size - 1 - x1), rng.uniform(-y0, size - 1 - y1)])
        placed = _Placed(label, prims, polys, off)
        if avoid is None or _box_overlap(placed.box, avoid.box) <= 0.05:
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


# --------------------------------------------------------------------------
# Background
# --------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _coords(size: int) -> np.ndarray:
    return np.arange(size, dtype=np.float32)


def _upsample(small: np.ndarray, size: int) -> np.ndarray:
    return np.asarray(Image.fromarray(small).resize((size, size), Image.BICUBIC))


def _background(rng, size: int, clutter: float) -> tuple[np.ndarray, np.ndarray]:
    """Textured, cluttered background (uint8 RGB) and a grain field (int16)."""
    pick = rng.random(2)
    c0 = np.array(_skin(rng) if pick[0] < 0.2 else _hsv(rng, s=(0.05, 0.7), v=(0.25, 0.95)), float)
    c1 = np.array(_skin(rng) if pick[1] < 0.2 else _hsv(rng, s=(0.05, 0.7), v=(0.25, 0.95)), float)
    # a colour gradient with blotches (4x4 lattice), plus finer texture blotches
    # (k x k, mostly luminance), upsampled once (bicubic)
    th = rng.uniform(0, 2 * np.pi)
    k = int(rng.integers(8, 20))
    g = np.linspace(-1, 1, 4)
    t = (np.cos(th) * g[None, :] + np.sin(th) * g[:, None]) / (2 * 1.415) + 0.5
    low = c0 + t[..., None] * (c1 - c0) + rng.normal(0, 22, (4, 4, 3))
    low = np.asarray(Image.fromarray(np.clip(low, 0, 255).astype(np.uint8)).resize(
        (k, k), Image.BICUBIC), dtype=np.float64)
    amp = rng.uniform(8, 22)
    low += rng.normal(0, amp, (k, k, 1)) + rng.normal(0, amp * 0.4, (k, k, 3))
    base = _upsample(np.clip(low, 0, 255).astype(np.uint8), size).astype(np.int16)
    # sometimes a periodic texture (stripes, checks) of low contrast
    kind = rng.integers(4)
    if kind < 2:
        x = _coords(size)
        period = rng.uniform(0.03, 0.09) * size
        a = rng.uniform(0, np.pi)
        ca, sa = math.cos(a) * 2 / period, math.sin(a) * 2 / period
        pat = np.floor(x[None, :] * ca + x[:, None] * sa).astype(np.int16) & 1
        if kind == 1:
            pat ^= np.floor(x[:, None] * ca - x[None, :] * sa).astype(np.int16) & 1
        amp = int(rng.integers(6, 17))
        base += (pat * (2 * amp) - amp)[..., None]
    np.clip(base, 0, 255, out=base)
    img = Image.fromarray(base.astype(np.uint8))
    _distractors(ImageDraw.Draw(img), rng, size, clutter)
    grain = rng.integers(-6, 7, size=(size, size), dtype=np.int16)
    return np.asarray(img), grain


def _distractors(draw, rng, size: int, clutter: float) -> None:
    count = int(round(clutter * rng.integers(6, 13)))
    for _ in range(count):
        kind = rng.integers(6)
        color = _any_color(rng) if rng.random() < 0.5 else _hsv(rng, s=(0.0, 1.0), v=(0.1, 1.0))
        cx, cy = rng.uniform(-0.05, 1.05, 2) * size
        r = rng.uniform(0.025, 0.12) * size
        if kind == 0:                                    # loose circle / disc
            pts = _ellipse_points(cx, cy, r, r, 0.0, 1.0)
        elif kind == 1:                                  # oval
            pts = _ellipse_points(cx, cy, r, r * rng.uniform(0.35, 0.8), rng.uniform(0, np.pi), 1.0)
        elif kind == 2:                                  # triangle
            a = rng.uniform(0, 2 * np.pi) + np.array([0, 2.1, 4.2]) + rng.uniform(-0.4, 0.4, 3)
            pts = np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], 1)
        elif kind == 3:                                  # rectangle, maybe rotated, maybe large
            w, h = rng.uniform(0.3, 1.0, 2) * r * (2.5 if rng.random() < 0.2 else 1.0)
            a = rng.uniform(-0.6, 0.6) if rng.random() < 0.5 else 0.0
            box = _rect(-w, -h, w, h)
            ca, sa = math.cos(a), math.sin(a)
            pts = box @ np.array([[ca, sa], [-sa, ca]]) + (cx, cy)
        elif kind == 4:                                  # line
            a = rng.uniform(0, np.pi)
            d = r * 2 * np.array([math.cos(a), math.sin(a)])
            width = max(1, int(round(rng.uniform(1.5, 5) * size / 224)))
            draw.line([(round(cx - d[0]), round(cy - d[1])), (round(cx + d[0]), round(cy + d[1]))],
                      fill=color, width=width)
            continue
        else:                                            # ring (circle outline)
            pts = _ellipse_points(cx, cy, r, r, 0.0, 1.0)
            width = max(1, int(round(rng.uniform(2, 5) * size / 224)))
            p = np.rint(pts).astype(np.int64)
            draw.line(p.ravel().tolist() + p[0].tolist(), fill=color, width=width)
            continue
        draw.polygon(np.rint(pts).astype(np.int64).ravel().tolist(), fill=color)


# --------------------------------------------------------------------------
# One scene
# --------------------------------------------------------------------------

def _rng(seed: int, index: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, index, stream])


def _labels_for(cfg: _Config, index: int, cache: dict) -> tuple[int, ...]:
    """Balanced labels: each aligned block of indices holds every class (pair) once."""
    if cfg.objects == 1:
        combos = [(c,) for c in cfg.classes]
    else:
        combos = [(a, b) for a in cfg.classes for b in cfg.classes if a != b]
    block, pos = divmod(index, len(combos))
    perm = cache.get(block)
    if perm is None:
        perm = _rng(cfg.seed, block, _STREAM_LABEL).permutation(len(combos))
        cache.clear()
        cache[block] = perm
    return combos[perm[pos]]


def _cue_region(rng, cfg: _Config, labels) -> tuple[slice, slice] | None:
    """Where the shortcut cue goes in this scene, or None."""
    s = cfg.size
    has_class = cfg.shortcut_class in labels
    p = rng.random()
    if cfg.shortcut_mode == "none":
        return None
    eligible = has_class if cfg.shortcut_mode == "train" else not has_class
    if not eligible or p >= _CUE_RATE:
        return None
    k = s / 224
    if cfg.shortcut == "corner":
        side = max(6, int(round(rng.integers(16, 21) * k)))
        mx, my = (max(2, int(round(v * k))) for v in rng.integers(4, 13, 2))
        corner = rng.integers(4)
        x0 = mx if corner in (0, 3) else s - mx - side
        y0 = my if corner in (0, 1) else s - my - side
        return slice(y0, y0 + side), slice(x0, x0 + side)
    height = max(4, int(round(rng.integers(8, 13) * k)))
    y0 = 0 if rng.random() < 0.5 else s - height
    return slice(y0, y0 + height), slice(0, s)


def _compose(size, bg, grain, placed: list[_Placed], cue, draw_objects=True, light_rng=None):
    """Paint objects (and cue) over the background. Returns image and label image."""
    ids_img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(ids_img)
    lut = np.zeros((256, 3), np.float32)
    part_lut = np.zeros(256, np.uint8)
    obj_lut = np.full(256, -1, np.int8)
    light = []
    pid = 1
    for k, obj in enumerate(placed):
        x0, y0, x1, y1 = obj.box
        a = light_rng.uniform(0, 2 * np.pi)
        strength = light_rng.uniform(0.05, 0.14) / max(x1 - x0, y1 - y0, 1) * 2
        light.append(((x0 + x1) / 2, (y0 + y1) / 2, math.cos(a) * strength, math.sin(a) * strength))
        for (part, color, _, _), poly in zip(obj.prims, obj.polys):
            if draw_objects:
                draw.polygon(poly.ravel().tolist(), fill=pid)
            lut[pid] = color
            part_lut[pid] = _PART_INDEX[part] + 1
            obj_lut[pid] = k
            pid += 1
    ids = np.array(ids_img)
    if cue is not None:
        ids[cue] = _CUE_ID
        part_lut[_CUE_ID], obj_lut[_CUE_ID] = 0, -1
    img = bg.astype(np.int16)
    painted = (ids != 0) & (ids != _CUE_ID) if cue is not None else ids != 0
    if placed and painted.any():
        ys, xs = np.nonzero(painted)
        pix = ids[ys, xs]
        shade = np.ones(len(pix), np.float32)
        objk = obj_lut[pix]
        for k, (cx, cy, dx, dy) in enumerate(light):
            sel = objk == k
            shade[sel] = 1 + (xs[sel] - cx) * dx + (ys[sel] - cy) * dy
        img[ys, xs] = np.rint(lut[pix] * shade[:, None]).astype(np.int16)
    img += grain[..., None]
    np.clip(img, 0, 255, out=img)
    img = img.astype(np.uint8)
    if cue is not None:
        img[ids == _CUE_ID] = CUE_COLOR
    return img, ids, part_lut, obj_lut


def _render(cfg: _Config, index: int, label_cache: dict, *, draw_objects: bool = True):
    labels = _labels_for(cfg, index, label_cache)
    rng_bg = _rng(cfg.seed, index, _STREAM_BG)
    bg, grain = _background(rng_bg, cfg.size, cfg.clutter)
    rng_look = _rng(cfg.seed, index, _STREAM_LOOK)
    rng_place = _rng(cfg.seed, index, _STREAM_PLACE)
    placed = []
    for lab in labels:
        prims = _BLUEPRINTS[lab](rng_look)
        if cfg.objects == 1:
            scale = rng_place.uniform(0.7, 1.3)
        else:
            scale = rng_place.uniform(0.55, 0.85)
        angle = rng_place.uniform(-15, 15)
        placed.append(_place_random(lab, prims, rng_place, cfg.size, scale, angle,
                                    avoid=placed[0] if placed else None))
    cue = None
    if cfg.shortcut is not None:
        cue = _cue_region(_rng(cfg.seed, index, _STREAM_CUE), cfg, labels)
    img, ids, part_lut, obj_lut = _compose(cfg.size, bg, grain, placed, cue, draw_objects,
                                           light_rng=rng_look)
    return labels, img, ids, part_lut, obj_lut


def _tight_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows = np.flatnonzero(mask.any(1))
    if rows.size == 0:
        return (0, 0, 0, 0)
    cols = np.flatnonzero(mask.any(0))
    return (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)


def _assemble(cfg: _Config, indices, *, draw_objects=True, masks=True) -> Scenes:
    n, s, k = len(indices), cfg.size, cfg.objects
    images = np.empty((n, s, s, 3), np.uint8)
    labels = np.empty((n, k), np.int64)
    obj_masks = np.zeros((n, k, s, s), bool) if masks else None
    part_map = np.zeros((n, s, s), np.uint8) if masks else None
    boxes = np.zeros((n, k, 4), np.int64)
    cue_masks = np.zeros((n, s, s), bool) if (masks and cfg.shortcut is not None) else None
    cache: dict = {}
    for j, index in enumerate(indices):
        labs, img, ids, part_lut, obj_lut = _render(cfg, index, cache, draw_objects=draw_objects)
        images[j] = img
        labels[j] = labs
        if not masks:
            continue
        part_map[j] = part_lut[ids]
        owner = obj_lut[ids]
        for o in range(k):
            np.equal(owner, o, out=obj_masks[j, o])
            boxes[j, o] = _tight_box(obj_masks[j, o])
        if cue_masks is not None:
            np.equal(ids, _CUE_ID, out=cue_masks[j])
    if not masks:
        return images, labels[:, 0] if k == 1 else labels
    if k == 1:
        labels, obj_masks, boxes = labels[:, 0], obj_masks[:, 0], boxes[:, 0]
    return Scenes(images=images, labels=labels, masks=obj_masks, parts=PartMasks(part_map),
                  boxes=boxes, class_names=CLASS_NAMES, cue_masks=cue_masks)


# --------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------

def make_scenes(n: int, seed: int = 0, size: int = 224, *, start: int = 0, objects: int = 1,
                classes: Sequence[int | str] | None = None, clutter: float = 1.0,
                shortcut: str | None = None, shortcut_class: str | int = "car",
                shortcut_mode: str = "train") -> Scenes:
    """Generate ``n`` scenes with their exact object and part masks.

    Scene ``i`` is a function of ``(seed, start + i)`` only, so
    ``make_scenes(10, seed, start=5)`` equals ``make_scenes(20, seed)[5:15]``
    and large sets can be made in chunks (or in parallel processes).
    Used in lessons 01, 03-06 and 11, and to train the course model.

    Parameters
    ----------
    n : int
        Number of scenes (>= 1).
    seed : int
        Non-negative seed of the whole set.
    size : int
        Image side in pixels (>= 64); the model uses 224.
    start : int
        Index of the first scene (for chunked generation).
    objects : {1, 2}
        Objects per scene. With 2, the objects are of different classes,
        each smaller (scale 0.55-0.85 instead of 0.7-1.3), and their boxes
        overlap by at most 5% of the smaller box (lesson 04's top-k CAMs).
    classes : sequence of str or int, optional
        Restrict the scenes to these classes (labels still index
        ``CLASS_NAMES``). Default: all four.
    clutter : float
        Scales the number of distractor shapes (0 = a plain textured
        background; 1 = 6-12 distractors; at most 5).
    shortcut : {None, "corner", "stripe"}
        Add a spurious cue (lesson 06): "corner" is a magenta square of
        16-20 px (at 224; scaled with ``size``) 4-12 px from a random corner;
        "stripe" is a magenta band 8-12 px high along the top or bottom edge.
        The cue is painted last, over everything, so object and part masks
        exclude its pixels.
    shortcut_class : str or int
        The class the cue goes with.
    shortcut_mode : {"train", "swap", "none"}
        "train": the cue is on 95% of the scenes containing
        ``shortcut_class`` and on no other; "swap": on 95% of the scenes
        *without* ``shortcut_class`` and never with it; "none": no cue (but
        ``cue_masks`` is an all-False array). The cue never changes the rest
        of the scene: outside ``cue_masks`` the images equal those made with
        ``shortcut=None``.

    Returns
    -------
    Scenes
        ``images`` uint8 (n, size, size, 3); ``labels`` int64 (n,) or (n, 2);
        ``masks`` bool (n, size, size) or (n, 2, size, size); ``parts``
        mapping part -> bool (n, size, size); ``boxes`` int64 (n, 4) or
        (n, 2, 4); ``cue_masks`` bool (n, size, size) or None.

    Notes
    -----
    Labels are balanced: every aligned block of ``len(classes)`` indices
    (of ``len(classes) * (len(classes) - 1)`` ordered pairs when
    ``objects=2``) holds each class (pair) once, in a seeded random order.
    Memory: about 200 KB per 224x224 scene (images, masks, part label map);
    for tens of thousands of training images use :func:`scene_batches`.

    Raises
    ------
    ValueError
        On a bad argument, naming it and what was expected.
    """
    n = _check_int(n, "n", 1)
    start = _check_int(start, "start", 0)
    cfg = _config(seed, size, objects, classes, clutter, shortcut, shortcut_class, shortcut_mode)
    return _assemble(cfg, range(start, start + n))


def draw_scene(label: int | str, center: tuple[float, float] = (0.5, 0.5), scale: float = 1.0,
               angle: float = 0.0, seed: int = 0, size: int = 224,
               clutter: float = 1.0) -> Scenes:
    """Draw one scene with an explicitly placed object.

    The background, the distractors, the grain and the object's look
    (colours, proportions) depend only on ``seed`` (and ``label``); the
    placement only on ``center``, ``scale`` and ``angle``. So two calls that
    differ only in ``center`` move the object over an identical scene: lesson
    02 uses this to show that the 7x7 feature map moves with the object while
    its global average stays. Used in lessons 02, 04 and 05.

    Parameters
    ----------
    label : str or int
        The object's class, a name in ``CLASS_NAMES`` or its index.
    center : (float, float)
        Centre (x, y) of the object's box, in fractions of the image side.
    scale : float
        Object size; 1.0 is typical (the object spans about 45% of the image
        side; random scenes use 0.7-1.3). In (0, 3].
    angle : float
        Rotation in degrees, counter-clockwise on screen (random scenes use
        -15..15). In [-180, 180].
    seed : int
        Non-negative seed of the scene (background and look).
    size : int
        Image side in pixels (>= 64).
    clutter : float
        Number of distractors, as in :func:`make_scenes`.

    Returns
    -------
    Scenes
        With n == 1 (``labels`` (1,), ``masks`` (1, size, size), ...).

    Raises
    ------
    ValueError
        On a bad argument, or if the object would not fit inside the image.
    """
    lab = _class_index(label, "label")
    try:
        cx, cy = center
    except (TypeError, ValueError):
        raise ValueError(f"center: expected a pair (x, y) of fractions in [0, 1], "
                         f"got {center!r}") from None
    cx = _check_float(cx, "center", 0.0, 1.0)
    cy = _check_float(cy, "center", 0.0, 1.0)
    scale = _check_float(scale, "scale", 0.0, 3.0)
    if scale <= 0:
        raise ValueError(f"scale: expected a number in (0, 3], got {scale}")
    angle = _check_float(angle, "angle", -180.0, 180.0)
    cfg = _config(seed, size, 1, [lab], clutter, None, 0, "none")
    rng_bg = _rng(cfg.seed, 0, _STREAM_BG)
    bg, grain = _background(rng_bg, cfg.size, cfg.clutter)
    rng_look = _rng(cfg.seed, 0, _STREAM_LOOK)
    prims = _BLUEPRINTS[lab](rng_look)
    polys = _polygons(prims, _UNIT * cfg.size * scale, angle)
    x0, y0, x1, y1 = _bbox(polys)
    off = np.array([cx * cfg.size - (x0 + x1) / 2, cy * cfg.size - (y0 + y1) / 2])
    placed = _Placed(lab, prims, polys, off)
    bx0, by0, bx1, by1 = placed.box
    if bx0 < 0 or by0 < 0 or bx1 > cfg.size or by1 > cfg.size:
        raise ValueError(
            f"center: the object (scale={scale:g}, angle={angle:g}) spans "
            f"{bx1 - bx0}x{by1 - by0} px and does not fit inside the {cfg.size}x{cfg.size} "
            f"image at center={tuple(center)}; move it towards the middle or use a smaller scale")
    img, ids, part_lut, obj_lut = _compose(cfg.size, bg, grain, [placed], None, True,
                                           light_rng=rng_look)
    mask = obj_lut[ids] == 0
    return Scenes(images=img[None], labels=np.array([lab], np.int64), masks=mask[None],
                  parts=PartMasks(part_lut[ids][None]),
                  boxes=np.array([_tight_box(mask)], np.int64), class_names=CLASS_NAMES,
                  cue_masks=None)


def make_backgrounds(n: int, seed: int = 0, size: int = 224, *, start: int = 0,
                     clutter: float = 1.0) -> np.ndarray:
    """Scenes with no object: the textured background and distractors only.

    Background ``i`` is scene ``start + i`` of ``make_scenes(..., seed, size,
    clutter=clutter)`` with its object left out. Used to train the course
    model: without such images a classifier can learn its last class as
    "none of the others" and its CAM then points at the background (lesson 06
    tells that story).

    Parameters
    ----------
    n, seed, size, start, clutter
        As in :func:`make_scenes`.

    Returns
    -------
    numpy.ndarray, uint8, (n, size, size, 3)
    """
    n = _check_int(n, "n", 1)
    start = _check_int(start, "start", 0)
    cfg = _config(seed, size, 1, None, clutter, None, "car", "train")
    return _assemble(cfg, range(start, start + n), draw_objects=False, masks=False)[0]


def scene_batches(batch_size: int, seed: int = 0, size: int = 224,
                  **kwargs) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless batches of training scenes, without the masks (faster, lighter).

    Batch ``b`` holds scenes ``start + b * batch_size`` ... of
    ``make_scenes(..., seed, size, **kwargs)``: the same pixels and labels,
    so a model's training data can be regenerated exactly. Used to train
    the course model (and in lesson 06, with ``shortcut=``).

    Parameters
    ----------
    batch_size : int
        Scenes per batch (>= 1).
    seed, size : int
        As in :func:`make_scenes`.
    **kwargs
        ``start``, ``objects``, ``classes``, ``clutter``, ``shortcut``,
        ``shortcut_class``, ``shortcut_mode`` as in :func:`make_scenes`.

    Yields
    ------
    images : numpy.ndarray, uint8, (batch_size, size, size, 3)
    labels : numpy.ndarray, int64, (batch_size,) or (batch_size, 2)

    Raises
    ------
    ValueError
        On a bad argument (checked at the call, before the first batch).
    """
    batch_size = _check_int(batch_size, "batch_size", 1)
    allowed = {"start", "objects", "classes", "clutter", "shortcut", "shortcut_class",
               "shortcut_mode"}
    unknown = sorted(set(kwargs) - allowed)
    if unknown:
        raise ValueError(f"kwargs: unknown argument(s) {unknown}; "
                         f"expected some of {sorted(allowed)}")
    start = _check_int(kwargs.pop("start", 0), "start", 0)
    cfg = _config(seed, size, kwargs.get("objects", 1), kwargs.get("classes"),
                  kwargs.get("clutter", 1.0), kwargs.get("shortcut"),
                  kwargs.get("shortcut_class", "car"), kwargs.get("shortcut_mode", "train"))

    def batches():
        first = start
        while True:
            yield _assemble(cfg, range(first, first + batch_size), masks=False)
            first += batch_size

    return batches()
