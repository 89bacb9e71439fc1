"""Superpixels: the pieces LIME switches on and off, and maps read piece by piece.

A superpixel is a patch of neighbouring pixels of similar colour. LIME
explains an image with one weight per superpixel; to compare it with a
Grad-CAM map, the map is read per superpixel too (its mean over each one).

- :func:`segment`: the image cut into superpixels, labels ``0 .. n-1``
  (SLIC or quickshift from scikit-image).
- :func:`superpixel_means`: a map's mean over each superpixel.
- :func:`paint`: one value per superpixel back to a map (each pixel gets its
  superpixel's value).
- :func:`top_superpixels`: the k superpixels with the largest values.
- :func:`boundaries`: the superpixels' outlines, for figures.
- :func:`rank_correlation`, :func:`top_overlap`: how much two explanations,
  read per superpixel, agree.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as _stats
from skimage import segmentation as _skseg

from . import checks

#: The segmentations :func:`segment` knows.
METHODS = ("slic", "quickshift")
#: lime's own quickshift settings (``lime_image.LimeImageExplainer.explain_instance``).
QUICKSHIFT = {"kernel_size": 4, "max_dist": 200, "ratio": 0.2}


def _unit_range(image: np.ndarray) -> np.ndarray:
    """``image`` (H, W, C) rescaled to [0, 1] (colour distances as scikit-image expects)."""
    low, high = float(image.min()), float(image.max())
    return (image - low) / (high - low) if high > low else np.zeros_like(image)


def _image(image, name: str = "image") -> np.ndarray:
    array = checks.as_batch(image, name=name)
    if len(array) != 1:
        raise ValueError(f"{name}: expected one image (H, W, C), got a batch of {len(array)}")
    return array[0]


def segment(image, method: str = "slic", n_segments: int = 50, seed: int = 0, *,
            compactness: float = 10.0, kernel_size: float = QUICKSHIFT["kernel_size"],
            max_dist: float = QUICKSHIFT["max_dist"],
            ratio: float = QUICKSHIFT["ratio"]) -> np.ndarray:
    """Cut ``image`` into superpixels.

    Parameters
    ----------
    image : array-like, (H, W, C)
        Any value range (it is rescaled to [0, 1] first); C = 1 (grayscale:
        SLIC on the intensity, quickshift on grey RGB) or 3.
    method : {"slic", "quickshift"}
        SLIC: k-means on colour and position, about ``n_segments`` compact
        pieces (fast). Quickshift: mode seeking on colour and position
        (lime's default; the count follows the image, not ``n_segments``).
    n_segments : int
        SLIC's target count.
    seed : int
        Quickshift's random seed (SLIC is deterministic).
    compactness : float
        SLIC: larger gives squarer pieces, smaller follows colour edges.
    kernel_size, max_dist, ratio : float
        Quickshift's settings (lime's defaults).

    Returns
    -------
    numpy.ndarray, int64, (H, W)
        Labels ``0 .. n-1``, every label used (lime's sampler needs that).
    """
    x = _unit_range(_image(image).astype(np.float64))
    method = checks.one_of(method, "segmentation", METHODS)
    if method == "slic":
        n_segments = checks.positive_int(n_segments, "n_segments")
        if x.shape[-1] == 1:       # grayscale: intensity on 0..100, the scale of Lab's L
            labels = _skseg.slic(100.0 * x[..., 0], n_segments=n_segments,
                                 compactness=compactness, start_label=0, channel_axis=None)
        elif x.shape[-1] == 3:     # RGB: scikit-image compares colours in Lab
            labels = _skseg.slic(x, n_segments=n_segments, compactness=compactness,
                                 start_label=0, channel_axis=-1)
        else:
            raise ValueError(f"image: slic needs 1 or 3 channels, got {x.shape[-1]}")
    else:
        # quickshift reads RGB: a grayscale image is segmented as grey RGB (R = G = B)
        rgb = np.repeat(x, 3, axis=-1) if x.shape[-1] == 1 else x
        if rgb.shape[-1] != 3:
            raise ValueError(f"image: quickshift needs 1 or 3 channels, got {x.shape[-1]}")
        labels = _skseg.quickshift(rgb, kernel_size=kernel_size, max_dist=max_dist, ratio=ratio,
                                   rng=int(seed))
    return np.unique(labels, return_inverse=True)[1].reshape(labels.shape).astype(np.int64)


def _segments(segments) -> np.ndarray:
    array = np.asarray(segments)
    if array.dtype.kind not in "iu" or array.ndim != 2 or array.size == 0 or array.min() < 0:
        raise ValueError(f"segments: expected superpixel labels (H, W) of ints >= 0, "
                         f"got dtype {array.dtype} and shape {array.shape}")
    return array.astype(np.int64, copy=False)


def count(segments) -> int:
    """The number of superpixels (labels ``0 .. n-1``)."""
    return int(_segments(segments).max()) + 1


def superpixel_means(maps, segments) -> np.ndarray:
    """The mean of each map over each superpixel.

    Parameters
    ----------
    maps : array-like, (..., H, W)
        At the segments' resolution (upsample a 7x7 map first).
    segments : array-like of int, (H, W)
        Labels ``0 .. n-1`` as :func:`segment` returns.

    Returns
    -------
    numpy.ndarray, float64, (..., n)
        0 for a label with no pixel.
    """
    seg = _segments(segments)
    heat = checks.finite_maps(maps, name="maps")
    if heat.shape[-2:] != seg.shape:
        raise ValueError(f"maps: expected maps at the segments' size {seg.shape}, "
                         f"got shape {heat.shape}; upsample them first (ct.upsample)")
    n = int(seg.max()) + 1
    sizes = np.bincount(seg.ravel(), minlength=n).astype(np.float64)
    flat = heat.reshape(-1, seg.size).astype(np.float64)
    index = seg.ravel()
    sums = np.stack([np.bincount(index, weights=row, minlength=n) for row in flat])
    means = np.divide(sums, sizes, out=np.zeros_like(sums), where=sizes > 0)
    return means.reshape(*heat.shape[:-2], n)


def paint(segments, values) -> np.ndarray:
    """A map with each pixel set to its superpixel's value.

    Parameters
    ----------
    segments : array-like of int, (H, W)
    values : array-like, (..., n)
        One value per superpixel.

    Returns
    -------
    numpy.ndarray, float32, (..., H, W)
    """
    seg = _segments(segments)
    values = np.asarray(values, dtype=np.float32)
    if values.ndim < 1 or values.shape[-1] <= seg.max():
        raise ValueError(f"values: expected one value per superpixel (..., {seg.max() + 1}), "
                         f"got shape {values.shape}")
    return values[..., seg]


def top_superpixels(values, k: int) -> np.ndarray:
    """The indices of the ``k`` largest values, largest first (ties: lower index first).

    Parameters
    ----------
    values : array-like, (..., n)
    k : int
        1 <= k <= n.

    Returns
    -------
    numpy.ndarray, int64, (..., k)
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim < 1 or values.shape[-1] == 0:
        raise ValueError(f"values: expected one value per superpixel (..., n), "
                         f"got shape {values.shape}")
    k = checks.positive_int(k, "k", high=values.shape[-1])
    return np.argsort(-values, axis=-1, kind="stable")[..., :k].astype(np.int64)


def boundaries(segments) -> np.ndarray:
    """bool (H, W): True on the pixels where a superpixel meets another."""
    return _skseg.find_boundaries(_segments(segments), mode="inner")


def rank_correlation(a, b) -> float:
    """Spearman's rank correlation of two value vectors (n,) over the same superpixels.

    NaN when either is constant (no ranking to compare).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape or len(a) < 2:
        raise ValueError(f"b: expected two vectors (n,) of the same length n >= 2, "
                         f"got shapes {a.shape} and {b.shape}")
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(_stats.spearmanr(a, b).statistic)


def top_overlap(a, b, k: int) -> float:
    """The share of the ``k`` top superpixels of ``a`` that are among the ``k`` top of ``b``."""
    top_a, top_b = top_superpixels(a, k), top_superpixels(b, k)
    return len(np.intersect1d(top_a, top_b)) / len(top_a)
