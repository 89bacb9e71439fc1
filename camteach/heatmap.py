"""From a small heat map to a picture: upsampling, normalising, overlaying.

The lecture's final step: rescale the 7x7 map to the input size and draw it
over the image. The colour map goes on *after* resizing (colouring first and
then resizing blends colours that do not lie on the colour map).

:func:`resize` is the package's one resizing of float arrays (heat maps here,
photos in :func:`camteach.pretrained.preprocess`).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from numpy.typing import ArrayLike
from matplotlib import colormaps

from . import checks

METHODS = ("nearest", "bilinear", "bicubic")

Size = int | tuple[int, int]


def _size(size: Size, name: str = "size") -> tuple[int, int]:
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        size = (size, size)
    try:
        height, width = (int(s) for s in size)
        ok = all(float(s) == int(s) for s in size) and height > 0 and width > 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"{name}: expected a positive int or (height, width), got {size!r}")
    return height, width


def resize(images: ArrayLike, size: Size, method: str = "bilinear", *,
           antialias: bool = False) -> np.ndarray:
    """Resize a batch of images or maps with ``tf.image.resize``.

    Parameters
    ----------
    images : array-like of numbers, (N, h, w, C)
    size : int or (int, int)
        The target (H, W).
    method : {"nearest", "bilinear", "bicubic"}
        Interpolation, with half-pixel centres. Bicubic can overshoot the
        input's range slightly.
    antialias : bool
        Low-pass filter first when shrinking (as ``tf.image.resize``).

    Returns
    -------
    numpy.ndarray, float32, (N, H, W, C)
    """
    height, width = _size(size)
    checks.one_of(method, "method", METHODS)
    out = tf.image.resize(tf.constant(images, dtype=tf.float32), (height, width),
                          method=method, antialias=antialias)
    return out.numpy()


def upsample(maps: ArrayLike, size: Size, method: str = "bilinear") -> np.ndarray:
    """Resize heat maps from (h, w) to (H, W).

    Parameters
    ----------
    maps : array-like, (..., h, w)
        Any number of leading axes (for example (N, K, 7, 7)).
    size : int or (int, int)
        The target (H, W), e.g. 224 for ResNet50's input.
    method : {"nearest", "bilinear", "bicubic"}
        Interpolation (half-pixel centres, as ``tf.image.resize``). Bicubic
        can overshoot the input's range slightly.

    Returns
    -------
    numpy.ndarray, float32, (..., H, W)
    """
    array = checks.finite_maps(maps)
    lead, (h, w) = array.shape[:-2], array.shape[-2:]
    out = resize(array.reshape(-1, h, w, 1), size, method)
    return out.reshape(*lead, *out.shape[1:3])


def normalize(maps: ArrayLike) -> np.ndarray:
    """Min-max scale each map (the last two axes) into [0, 1].

    A constant map becomes all zeros (never NaN); so does an all-negative
    map's constant part, while its shape is kept.

    Parameters
    ----------
    maps : array-like, (..., h, w)

    Returns
    -------
    numpy.ndarray, float32, (..., h, w), values in [0, 1]
    """
    array = checks.finite_maps(maps).astype(np.float64)    # float64: no overflow at +-3e38
    low = array.min(axis=(-2, -1), keepdims=True)
    span = array.max(axis=(-2, -1), keepdims=True) - low
    safe = np.where(span > 0, span, 1.0)
    return np.where(span > 0, (array - low) / safe, 0.0).astype(np.float32)


def to_uint8_rgb(image: ArrayLike, name: str = "image") -> np.ndarray:
    """An image as uint8 RGB (H, W, 3).

    Accepts uint8 (H, W, 3), (H, W, 1) or (H, W) gray, and floats in [0, 1]
    (scaled by 255) or in [0, 255]. Anything else (e.g. an image already
    preprocessed for a network, with negative values) is refused: overlay
    the raw image instead.
    """
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    if array.ndim != 3 or array.shape[-1] != 3 or 0 in array.shape:
        raise ValueError(f"{name}: expected an RGB image (H, W, 3) or a gray one (H, W), "
                         f"got shape {np.shape(image)}")
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected numbers, got dtype {array.dtype}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    low, high = float(array.min()), float(array.max())
    if low < 0 or high > 255:
        raise ValueError(f"{name}: expected values in [0, 1] or [0, 255], got "
                         f"{low:.3g}..{high:.3g}; pass the raw image, not the "
                         f"network's preprocessed input")
    scale = 255.0 if array.dtype.kind == "f" and high <= 1.0 else 1.0
    return np.clip(np.rint(array * scale), 0, 255).astype(np.uint8)


def colorize(heatmap: ArrayLike, cmap: str = "jet") -> np.ndarray:
    """Colour a heat map, min-max normalised first.

    Parameters
    ----------
    heatmap : array-like, (h, w)
    cmap : str
        A matplotlib colour map name.

    Returns
    -------
    numpy.ndarray, uint8, (h, w, 3)
    """
    try:
        colormap = colormaps[cmap]
    except KeyError:
        raise ValueError(f"cmap: unknown colour map {cmap!r}; try 'jet', 'viridis', "
                         f"'inferno' or 'magma'") from None
    unit = normalize(heatmap)
    return (colormap(unit)[..., :3] * 255).round().astype(np.uint8)


def overlay(image: ArrayLike, heatmap: ArrayLike, alpha: float = 0.4, cmap: str = "jet",
            method: str = "bilinear") -> np.ndarray:
    """Draw a heat map over an image.

    Parameters
    ----------
    image : array-like, (H, W, 3) uint8 or floats in [0, 1] / [0, 255]
        The raw image (not the network's preprocessed input).
    heatmap : array-like, (h, w)
        A map at any resolution; it is upsampled to (H, W) with ``method``,
        then min-max normalised, then coloured.
    alpha : float in [0, 1]
        Weight of the heat map: 0 shows only the image, 1 only the colours.
    cmap : str
        A matplotlib colour map name.
    method : {"nearest", "bilinear", "bicubic"}
        How to upsample the heat map.

    Returns
    -------
    numpy.ndarray, uint8, (H, W, 3)
    """
    rgb = to_uint8_rgb(image)
    heat = checks.finite_maps(heatmap, name="heatmap")
    if heat.ndim != 2:
        raise ValueError(f"heatmap: expected one map (h, w), got shape {heat.shape}")
    alpha = checks.number_in(alpha, "alpha", 0.0, 1.0)
    if heat.shape != rgb.shape[:2]:
        heat = upsample(heat, rgb.shape[:2], method=method)
    colours = colorize(heat, cmap).astype(np.float32)
    blend = (1.0 - alpha) * rgb.astype(np.float32) + alpha * colours
    return np.clip(np.rint(blend), 0, 255).astype(np.uint8)
