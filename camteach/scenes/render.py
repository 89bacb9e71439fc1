"""Painting scenes and reading their ground truth from one label image.

Each scene paints one label image (a part-primitive id per pixel): the RGB
image is coloured from it and the masks are read from it, so image and masks
agree pixel for pixel. Scene ``index`` of a set draws its random numbers
from ``numpy.random.default_rng([seed, index, stream])``, one stream per
purpose, so it depends only on ``(seed, index)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw

from .background import background
from .objects import BLUEPRINTS, Primitive
from .placement import Placed, place_random
from .truth import CLASS_NAMES, CUE_COLOR, PART_ID, PartMasks, Scenes, mask_box

STREAM_BG, STREAM_LOOK, STREAM_PLACE, STREAM_CUE, STREAM_LABEL = range(5)
_CUE_ID = 255            # label-image value of the cue's pixels
_CUE_RATE = 0.95         # fraction of eligible images that get the cue


@dataclass(frozen=True)
class Config:
    """The checked settings of a set of scenes (see ``make_scenes``)."""

    seed: int
    size: int
    objects: int
    classes: tuple[int, ...]
    clutter: float
    shortcut: str | None
    shortcut_class: int
    shortcut_mode: str
    scale: float = 1.0


class Painted(NamedTuple):
    """One painted scene.

    Attributes
    ----------
    labels : tuple of int
        The class of each object.
    image : numpy.ndarray, uint8, (size, size, 3)
    ids : numpy.ndarray, uint8, (size, size)
        The label image: 0 for background, else a primitive's id (255: cue).
    part_lut : numpy.ndarray, uint8, (256,)
        Primitive id -> part id (``PART_ID``; 0 for none).
    obj_lut : numpy.ndarray, int8, (256,)
        Primitive id -> object index (-1 for none).
    """

    labels: tuple[int, ...]
    image: np.ndarray
    ids: np.ndarray
    part_lut: np.ndarray
    obj_lut: np.ndarray


#: A function (label, primitives, objects placed so far) -> the placed object.
Placer = Callable[[int, list[Primitive], list[Placed]], Placed]


def rng(seed: int, index: int, stream: int) -> np.random.Generator:
    """The random stream ``stream`` of scene ``index`` of the set ``seed``."""
    return np.random.default_rng([seed, index, stream])


def paint(cfg: Config, index: int, labels: Sequence[int], place: Placer,
          cue: tuple[slice, slice] | None = None, draw_objects: bool = True) -> Painted:
    """Paint the objects ``labels``, placed by ``place``, over the background."""
    bg, grain = background(rng(cfg.seed, index, STREAM_BG), cfg.size, cfg.clutter)
    look = rng(cfg.seed, index, STREAM_LOOK)
    placed: list[Placed] = []
    for label in labels:
        placed.append(place(label, BLUEPRINTS[label](look), placed))
    image, ids, part_lut, obj_lut = _compose(cfg.size, bg, grain, placed, cue, draw_objects,
                                             light_rng=look)
    return Painted(tuple(labels), image, ids, part_lut, obj_lut)


def render(cfg: Config, index: int, draw_objects: bool = True) -> Painted:
    """Scene ``index`` of the set ``cfg``: balanced labels, random placement, cue."""
    labels = labels_for(cfg, index)
    where = rng(cfg.seed, index, STREAM_PLACE)
    lo, hi = (0.7, 1.3) if cfg.objects == 1 else (0.55, 0.85)

    def place(label: int, prims: list[Primitive], placed: list[Placed]) -> Placed:
        scale = where.uniform(lo, hi) * cfg.scale
        angle = where.uniform(-15, 15)
        return place_random(label, prims, where, cfg.size, scale, angle,
                            avoid=placed[0] if placed else None)

    cue = None
    if cfg.shortcut is not None:
        cue = _cue_region(rng(cfg.seed, index, STREAM_CUE), cfg, labels)
    return paint(cfg, index, labels, place, cue, draw_objects)


@lru_cache(maxsize=16)
def _block_order(seed: int, block: int, count: int) -> np.ndarray:
    return rng(seed, block, STREAM_LABEL).permutation(count)


def labels_for(cfg: Config, index: int) -> tuple[int, ...]:
    """Balanced labels: each aligned block of indices holds every class (pair) once."""
    if cfg.objects == 1:
        combos = [(c,) for c in cfg.classes]
    else:
        combos = [(a, b) for a in cfg.classes for b in cfg.classes if a != b]
    block, pos = divmod(index, len(combos))
    return combos[_block_order(cfg.seed, block, len(combos))[pos]]


def _cue_region(rng: np.random.Generator, cfg: Config,
                labels: Sequence[int]) -> tuple[slice, slice] | None:
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


def _compose(size: int, bg: np.ndarray, grain: np.ndarray, placed: list[Placed],
             cue: tuple[slice, slice] | None, draw_objects: bool,
             light_rng: np.random.Generator):
    """Paint objects (and cue) over the background.

    Returns the image, the label image and its part and object look-up tables
    (see :class:`Painted`).
    """
    ids_img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(ids_img)
    lut = np.zeros((256, 3), np.float32)
    part_lut = np.zeros(256, np.uint8)
    obj_lut = np.full(256, -1, np.int8)
    light = []
    pid = 1
    for k, obj in enumerate(placed):
        light.append(_light(obj.box, light_rng))
        for (part, color, _, _), poly in zip(obj.prims, obj.polys):
            if draw_objects:
                draw.polygon(poly.ravel().tolist(), fill=pid)
            lut[pid] = color
            part_lut[pid] = PART_ID[part]
            obj_lut[pid] = k
            pid += 1
    ids = np.array(ids_img)
    if cue is not None:
        ids[cue] = _CUE_ID
        part_lut[_CUE_ID], obj_lut[_CUE_ID] = 0, -1
    img = bg.astype(np.int16)
    painted = (ids != 0) & (ids != _CUE_ID) if cue is not None else ids != 0
    if placed and painted.any():
        _shade(img, ids, painted, lut, obj_lut, light)
    img += grain[..., None]
    np.clip(img, 0, 255, out=img)
    img = img.astype(np.uint8)
    if cue is not None:
        img[ids == _CUE_ID] = CUE_COLOR
    return img, ids, part_lut, obj_lut


def _light(box, rng: np.random.Generator) -> tuple[float, float, float, float]:
    """A linear light gradient across an object: centre (x, y) and slope (dx, dy)."""
    x0, y0, x1, y1 = box
    a = rng.uniform(0, 2 * np.pi)
    strength = rng.uniform(0.05, 0.14) / max(x1 - x0, y1 - y0, 1) * 2
    return (x0 + x1) / 2, (y0 + y1) / 2, math.cos(a) * strength, math.sin(a) * strength


def _shade(img: np.ndarray, ids: np.ndarray, painted: np.ndarray, lut: np.ndarray,
           obj_lut: np.ndarray, light: list) -> None:
    """Colour the painted pixels of ``img`` (int16, in place), lit per object."""
    ys, xs = np.nonzero(painted)
    pix = ids[ys, xs]
    shade = np.ones(len(pix), np.float32)
    objk = obj_lut[pix]
    for k, (cx, cy, dx, dy) in enumerate(light):
        sel = objk == k
        shade[sel] = 1 + (xs[sel] - cx) * dx + (ys[sel] - cy) * dy
    img[ys, xs] = np.rint(lut[pix] * shade[:, None]).astype(np.int16)


def assemble(cfg: Config, indices: Sequence[int],
             painter: Callable[[int], Painted] | None = None) -> Scenes:
    """Paint the scenes ``indices`` and gather their ground truth.

    Parameters
    ----------
    cfg : Config
    indices : sequence of int
        Scene indices in the set.
    painter : callable int -> Painted, optional
        Paints one scene (default: :func:`render` of ``cfg``).

    Returns
    -------
    Scenes
        With per-object axes of length ``cfg.objects`` (dropped when 1).
    """
    painter = painter or (lambda index: render(cfg, index))
    n, s, k = len(indices), cfg.size, cfg.objects
    images = np.empty((n, s, s, 3), np.uint8)
    labels = np.empty((n, k), np.int64)
    masks = np.zeros((n, k, s, s), bool)
    part_map = np.zeros((n, s, s), np.uint8)
    boxes = np.zeros((n, k, 4), np.int64)
    cue_masks = np.zeros((n, s, s), bool) if cfg.shortcut is not None else None
    for j, index in enumerate(indices):
        scene = painter(index)
        images[j], labels[j] = scene.image, scene.labels
        part_map[j] = scene.part_lut[scene.ids]
        owner = scene.obj_lut[scene.ids]
        for o in range(k):
            np.equal(owner, o, out=masks[j, o])
            boxes[j, o] = mask_box(masks[j, o])
        if cue_masks is not None:
            np.equal(scene.ids, _CUE_ID, out=cue_masks[j])
    if k == 1:
        labels, masks, boxes = labels[:, 0], masks[:, 0], boxes[:, 0]
    return Scenes(images=images, labels=labels, masks=masks, parts=PartMasks(part_map),
                  boxes=boxes, class_names=CLASS_NAMES, cue_masks=cue_masks)


def images_and_labels(cfg: Config, indices: Sequence[int],
                      draw_objects: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The images and labels of the scenes ``indices``, without the masks.

    Returns
    -------
    images : numpy.ndarray, uint8, (n, size, size, 3)
    labels : numpy.ndarray, int64, (n,) or (n, objects)
    """
    n, s = len(indices), cfg.size
    images = np.empty((n, s, s, 3), np.uint8)
    labels = np.empty((n, cfg.objects), np.int64)
    for j, index in enumerate(indices):
        scene = render(cfg, index, draw_objects)
        images[j], labels[j] = scene.image, scene.labels
    return images, labels[:, 0] if cfg.objects == 1 else labels
