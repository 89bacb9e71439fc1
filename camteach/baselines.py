"""Maps that know nothing about the model: what every score must beat.

- :func:`random_maps`: uniform noise at a method's resolution (a 7x7 grid by
  default, so that upsampled it is as coarse as a CAM).
- :func:`gaussian_maps`: a Gaussian bump at the centre of every image: the
  centre bias that makes the pointing game look easy when objects sit near
  the middle.
- :func:`edge_maps`: the image's own edges (Sobel gradient magnitude). They
  look like an explanation and follow the object, but never ask the model:
  the randomisation check (:mod:`camteach.sanity`) must fail them.

All return float32 arrays (N, K, h, w), shaped like ``CamResult.maps``.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from . import checks
from .heatmap import _size

#: The Gaussian baseline's standard deviation, a fraction of the map's side.
GAUSSIAN_SIGMA = 0.25


def random_maps(n: int, size=7, classes: int = 1, *, seed: int = 0) -> np.ndarray:
    """Uniform random maps in [0, 1), (n, classes, h, w) float32.

    Parameters
    ----------
    n : int
        The number of images.
    size : int or (int, int)
        The maps' (h, w) (7: a CAM's grid; the image's size: pixel noise).
    classes : int
        Maps per image (K).
    seed : int
    """
    n, classes = checks.positive_int(n, "n"), checks.positive_int(classes, "classes")
    height, width = _size(size)
    rng = np.random.default_rng(seed)
    return rng.random((n, classes, height, width)).astype(np.float32)


def gaussian_maps(n: int, size=7, classes: int = 1, *,
                  sigma: float = GAUSSIAN_SIGMA) -> np.ndarray:
    """The same centred Gaussian for every image, (n, classes, h, w) float32, peak 1.

    Parameters
    ----------
    n, size, classes
        As :func:`random_maps`.
    sigma : float > 0
        The standard deviation as a fraction of each side (0.25: a quarter).
    """
    n, classes = checks.positive_int(n, "n"), checks.positive_int(classes, "classes")
    height, width = _size(size)
    sigma = checks.number_in(sigma, "sigma", 0.0, np.inf, low_open=True)
    y = ((np.arange(height) + 0.5) / height - 0.5) / sigma
    x = ((np.arange(width) + 0.5) / width - 0.5) / sigma
    bump = np.exp(-0.5 * (y[:, None] ** 2 + x[None, :] ** 2)).astype(np.float32)
    return np.broadcast_to(bump, (n, classes, height, width)).copy()


def edge_maps(images, classes: int = 1) -> np.ndarray:
    """Sobel gradient magnitude of each image's mean over channels, (N, classes, H, W) float32.

    Parameters
    ----------
    images : array-like, (N, H, W, C) or (H, W, C)
        Any numbers (raw or preprocessed: only their edges count).
    classes : int
        Copies per image (K): the same map for every class, as it ignores them.
    """
    x = checks.as_batch(images).mean(axis=-1)
    classes = checks.positive_int(classes, "classes")
    gy = ndimage.sobel(x, axis=1, mode="nearest")
    gx = ndimage.sobel(x, axis=2, mode="nearest")
    edges = np.hypot(gx, gy).astype(np.float32)
    return np.repeat(edges[:, None], classes, axis=1)
