"""From a small heat map to a picture: upsampling, normalising, overlaying.

The lecture's final step: rescale the 7x7 map to the input size and draw it
over the image. The colour map goes on *after* resizing (colouring first and
then resizing blends colours that do not lie on the colour map).

Used in lessons 05 (upsampling and overlay), 06-11, the widgets and slides.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from matplotlib import colormaps

from . import checks

METHODS = ("nearest", "bilinear", "bicubic")


def _size(size, name: str = "size") -> tuple[int, int]:
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


def upsample(maps, size, method: str = "bilinear") -> np.ndarray:
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
    height, width = _size(size)
    if method not in METHODS:
        raise ValueError(f"method: expected one of {METHODS}, got {method!r}")
    lead, (h, w) = array.shape[:-2], array.shape[-2:]
    flat = tf.constant(array.reshape(-1, h, w, 1), dtype=tf.float32)
    out = tf.image.resize(flat, (height, width), method=method).numpy()
    return out.reshape(*lead, height, width)


def normalize(maps) -> np.ndarray:
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
    array = checks.finite_maps(maps).astype(np.float32)
    low = array.min(axis=(-2, -1), keepdims=True)
    span = array.max(axis=(-2, -1), keepdims=True) - low
    safe = np.where(span > 0, span, 1.0)
    return np.where(span > 0, (array - low) / safe, 0.0).astype(np.float32)


def to_uint8_rgb(image, name: str = "image") -> np.ndarray:
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


def colorize(heatmap, cmap: str = "jet") -> np.ndarray:
    """Colour a heat map (normalised first): float (h, w) -> uint8 RGB (h, w, 3)."""
    try:
        colormap = colormaps[cmap]
    except KeyError:
        raise ValueError(f"cmap: unknown colour map {cmap!r}; try 'jet', 'viridis', "
                         f"'inferno' or 'magma'") from None
    unit = normalize(heatmap)
    return (colormap(unit)[..., :3] * 255).round().astype(np.uint8)


def overlay(image, heatmap, alpha: float = 0.4, cmap: str = "jet",
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
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) \
            or not 0.0 <= float(alpha) <= 1.0:
        raise ValueError(f"alpha: expected a number in [0, 1], got {alpha!r}")
    if heat.shape != rgb.shape[:2]:
        heat = upsample(heat, rgb.shape[:2], method=method)
    colours = colorize(heat, cmap).astype(np.float32)
    blend = (1.0 - float(alpha)) * rgb.astype(np.float32) + float(alpha) * colours
    return np.clip(np.rint(blend), 0, 255).astype(np.uint8)
