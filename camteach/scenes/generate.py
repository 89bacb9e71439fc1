"""The public ways to make scenes: sets, one placed object, backgrounds, batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from .. import checks
from .objects import Primitive
from .placement import Placed, place_at
from .render import Config, assemble, images_and_labels, paint
from .truth import CLASS_NAMES, Scenes

SHORTCUTS = ("corner", "stripe")
SHORTCUT_MODES = ("train", "swap", "none")
_BATCH_OPTIONS = ("start", "objects", "classes", "clutter", "shortcut", "shortcut_class",
                  "shortcut_mode", "scale")


def _config(seed, size, objects=1, classes=None, clutter=1.0, shortcut=None,
            shortcut_class="car", shortcut_mode="train", scale=1.0) -> Config:
    """Check the arguments of a set of scenes; raise ValueError naming a bad one."""
    seed = checks.int_in_range(seed, "seed", 0)
    size = checks.int_in_range(size, "size", 64)
    objects = checks.int_in_range(objects, "objects", 1, 2)
    classes = checks.names_or_indices(classes, CLASS_NAMES, "classes")
    if objects == 2 and len(classes) < 2:
        raise ValueError(f"classes: expected at least two classes with objects=2, got {classes}")
    return Config(seed=seed, size=size, objects=objects, classes=classes,
                  clutter=checks.number_in(clutter, "clutter", 0.0, 5.0),
                  shortcut=checks.one_of(shortcut, "shortcut", (None, *SHORTCUTS)),
                  shortcut_class=checks.name_or_index(shortcut_class, CLASS_NAMES,
                                                      "shortcut_class"),
                  shortcut_mode=checks.one_of(shortcut_mode, "shortcut_mode", SHORTCUT_MODES),
                  scale=checks.number_in(scale, "scale", 0.0, 2.0, low_open=True))


def make_scenes(n: int, seed: int = 0, size: int = 224, *, start: int = 0, objects: int = 1,
                classes: Sequence[int | str] | None = None, clutter: float = 1.0,
                shortcut: str | None = None, shortcut_class: str | int = "car",
                shortcut_mode: str = "train", scale: float = 1.0) -> Scenes:
    """Generate ``n`` scenes with their exact object and part masks.

    Scene ``i`` is a function of ``(seed, start + i)`` only, so
    ``make_scenes(10, seed, start=5)`` equals ``make_scenes(20, seed)[5:15]``
    and large sets can be made in chunks (or in parallel processes).

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
        overlap by at most 5% of the smaller box.
    classes : sequence of str or int, optional
        Restrict the scenes to these classes (labels still index
        ``CLASS_NAMES``). Default: all four.
    clutter : float
        Scales the number of distractor shapes (0 = a plain textured
        background; 1 = 6-12 distractors; at most 5).
    shortcut : {None, "corner", "stripe"}
        Add a spurious cue: "corner" is a magenta square of 16-20 px (at
        224; scaled with ``size``) 4-12 px from a random corner; "stripe" is
        a magenta band 8-12 px high along the top or bottom edge. The cue is
        painted last, over everything, so object and part masks exclude its
        pixels.
    shortcut_class : str or int
        The class the cue goes with.
    shortcut_mode : {"train", "swap", "none"}
        "train": the cue is on 95% of the scenes containing
        ``shortcut_class`` and on no other; "swap": on 95% of the scenes
        *without* ``shortcut_class`` and never with it; "none": no cue (but
        ``cue_masks`` is an all-False array). The cue never changes the rest
        of the scene: outside ``cue_masks`` the images equal those made with
        ``shortcut=None``.
    scale : float
        Multiplies every object's random size (in (0, 2]; 1 is what the
        models were trained on). The same seed gives the same scenes with
        the objects shrunk or grown: background, look and placement draws
        are unchanged (an object that would not fit is shrunk until it does).

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
    n = checks.int_in_range(n, "n", 1)
    start = checks.int_in_range(start, "start", 0)
    cfg = _config(seed, size, objects, classes, clutter, shortcut, shortcut_class, shortcut_mode,
                  scale)
    return assemble(cfg, range(start, start + n))


def draw_scene(label: int | str, center: tuple[float, float] = (0.5, 0.5), scale: float = 1.0,
               angle: float = 0.0, seed: int = 0, size: int = 224,
               clutter: float = 1.0) -> Scenes:
    """Draw one scene with an explicitly placed object.

    The background, the distractors, the grain and the object's look
    (colours, proportions) depend only on ``seed`` (and ``label``); the
    placement only on ``center``, ``scale`` and ``angle``. So two calls that
    differ only in ``center`` move the object over an identical scene (the
    feature map moves with the object while its global average stays).

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
    lab = checks.name_or_index(label, CLASS_NAMES, "label")
    where = _center(center)
    scale = checks.number_in(scale, "scale", 0.0, 3.0, low_open=True)
    angle = checks.number_in(angle, "angle", -180.0, 180.0)
    cfg = _config(seed, size, 1, [lab], clutter, None, 0, "none")

    def place(label: int, prims: list[Primitive], placed: list[Placed]) -> Placed:
        obj = place_at(label, prims, cfg.size, scale, angle, where)
        x0, y0, x1, y1 = obj.box
        if x0 < 0 or y0 < 0 or x1 > cfg.size or y1 > cfg.size:
            raise ValueError(
                f"center: the object (scale={scale:g}, angle={angle:g}) spans "
                f"{x1 - x0}x{y1 - y0} px and does not fit inside the {cfg.size}x{cfg.size} "
                f"image at center={tuple(center)}; move it towards the middle or use a "
                f"smaller scale")
        return obj

    return assemble(cfg, [0], lambda index: paint(cfg, index, (lab,), place))


def _center(center) -> tuple[float, float]:
    try:
        cx, cy = center
    except (TypeError, ValueError):
        raise ValueError(f"center: expected a pair (x, y) of fractions in [0, 1], "
                         f"got {center!r}") from None
    return (checks.number_in(cx, "center", 0.0, 1.0),
            checks.number_in(cy, "center", 0.0, 1.0))


def make_backgrounds(n: int, seed: int = 0, size: int = 224, *, start: int = 0,
                     clutter: float = 1.0) -> np.ndarray:
    """Scenes with no object: the textured background and distractors only.

    Background ``i`` is scene ``start + i`` of ``make_scenes(..., seed, size,
    clutter=clutter)`` with its object left out. Used to train the course
    model: without such images a classifier can learn its last class as
    "none of the others" and its CAM then points at the background.

    Parameters
    ----------
    n, seed, size, start, clutter
        As in :func:`make_scenes`.

    Returns
    -------
    numpy.ndarray, uint8, (n, size, size, 3)
    """
    n = checks.int_in_range(n, "n", 1)
    start = checks.int_in_range(start, "start", 0)
    cfg = _config(seed, size, clutter=clutter)
    return images_and_labels(cfg, range(start, start + n), draw_objects=False)[0]


def scene_batches(batch_size: int, seed: int = 0, size: int = 224,
                  **kwargs) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless batches of training scenes, without the masks (faster, lighter).

    Batch ``b`` holds scenes ``start + b * batch_size`` ... of
    ``make_scenes(..., seed, size, **kwargs)``: the same pixels and labels,
    so a model's training data can be regenerated exactly.

    Parameters
    ----------
    batch_size : int
        Scenes per batch (>= 1).
    seed, size : int
        As in :func:`make_scenes`.
    **kwargs
        ``start``, ``objects``, ``classes``, ``clutter``, ``shortcut``,
        ``shortcut_class``, ``shortcut_mode``, ``scale`` as in :func:`make_scenes`.

    Yields
    ------
    images : numpy.ndarray, uint8, (batch_size, size, size, 3)
    labels : numpy.ndarray, int64, (batch_size,) or (batch_size, 2)

    Raises
    ------
    ValueError
        On a bad argument (checked at the call, before the first batch).
    """
    batch_size = checks.int_in_range(batch_size, "batch_size", 1)
    unknown = sorted(set(kwargs) - set(_BATCH_OPTIONS))
    if unknown:
        raise ValueError(f"kwargs: expected some of {sorted(_BATCH_OPTIONS)}, "
                         f"got unknown argument(s) {unknown}")
    start = checks.int_in_range(kwargs.pop("start", 0), "start", 0)
    cfg = _config(seed, size, **kwargs)

    def batches() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        first = start
        while True:
            yield images_and_labels(cfg, range(first, first + batch_size))
            first += batch_size

    return batches()
