"""Input checks that turn bad arguments into clear errors.

Every public function of camteach checks its arguments here, so that a
student's mistake gives a ``ValueError`` naming the argument and what was
expected, never a TensorFlow stack trace, a silent NaN or a wrong picture.
Used everywhere (lessons 00-11).
"""

from __future__ import annotations

import numbers

import numpy as np


def as_batch(images, *, channels: int | None = None,
             size: tuple[int | None, int | None] | None = None,
             name: str = "images") -> np.ndarray:
    """Return ``images`` as a float32 batch (N, H, W, C), checked.

    Parameters
    ----------
    images : array-like, (N, H, W, C) or (H, W, C)
        Numbers (already preprocessed for the model).
    channels : int, optional
        The number of channels C the model expects.
    size : (int or None, int or None), optional
        The (H, W) the model expects; None entries accept any size.
    name : str
        The argument's name, for error messages.

    Returns
    -------
    numpy.ndarray, float32, (N, H, W, C)
    """
    if hasattr(images, "numpy") and callable(images.numpy):
        images = images.numpy()
    array = np.asarray(images)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == bool):
        raise ValueError(f"{name}: expected an array of numbers, got dtype {array.dtype}")
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4:
        raise ValueError(f"{name}: expected a batch (N, H, W, C) or one image (H, W, C), "
                         f"got an array of shape {np.shape(images)}")
    if array.shape[0] == 0:
        raise ValueError(f"{name}: expected at least one image, got an empty batch")
    if channels is not None and array.shape[-1] != channels:
        raise ValueError(f"{name}: the model expects {channels} channels (last axis), "
                         f"got shape {array.shape}")
    if size is not None:
        for axis, want in zip((1, 2), size):
            if want is not None and array.shape[axis] != want:
                raise ValueError(
                    f"{name}: the model expects images of {size[0]}x{size[1]} pixels, "
                    f"got shape {array.shape}; resize them first (e.g. with PIL)")
    array = array.astype(np.float32, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return array


def class_indices(classes, n: int, num_classes: int, name: str = "classes") -> np.ndarray:
    """Return ``classes`` as an int array (n, K) of valid class indices.

    Parameters
    ----------
    classes : int or array-like of int, () or (n,) or (n, K)
        One class for every image, one per image, or K per image.
    n : int
        Number of images.
    num_classes : int
        Number of classes of the model.

    Returns
    -------
    numpy.ndarray, int64, (n, K)
    """
    if isinstance(classes, (bool, np.bool_)):
        raise ValueError(f"{name}: expected class indices (int), got a bool")
    array = np.asarray(classes)
    if array.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected an int or an array of ints, "
                         f"got {array.dtype} values {array!r:.60}")
    if array.ndim == 0:
        array = np.full((n, 1), int(array))
    elif array.ndim == 1:
        if array.shape[0] != n:
            raise ValueError(f"{name}: expected one class per image ({n},), "
                             f"got shape {array.shape}")
        array = array[:, None]
    elif array.ndim != 2 or array.shape[0] != n or array.shape[1] == 0:
        raise ValueError(f"{name}: expected an int, shape ({n},) or ({n}, K), "
                         f"got shape {array.shape}")
    if array.min() < 0 or array.max() >= num_classes:
        raise ValueError(f"{name}: class indices must be in [0, {num_classes - 1}], "
                         f"got {array.min()}..{array.max()}")
    return array.astype(np.int64)


def positive_int(value, name: str, high: int | None = None) -> int:
    """Check that ``value`` is an int in [1, high]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name}: expected a positive int, got {value!r}")
    if value < 1 or (high is not None and value > high):
        bound = f"[1, {high}]" if high is not None else ">= 1"
        raise ValueError(f"{name}: expected an int in {bound}, got {value}")
    return int(value)


def finite_maps(maps, name: str = "maps", min_ndim: int = 2) -> np.ndarray:
    """Return ``maps`` as a float array with at least ``min_ndim`` axes, all finite."""
    array = np.asarray(maps)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected an array of numbers, got dtype {array.dtype}")
    if array.ndim < min_ndim:
        raise ValueError(f"{name}: expected at least {min_ndim} axes (..., h, w), "
                         f"got shape {array.shape}")
    if array.shape[-1] == 0 or array.shape[-2] == 0:
        raise ValueError(f"{name}: expected non-empty maps, got shape {array.shape}")
    array = array.astype(np.float32, copy=False) if array.dtype.kind != "f" else array
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return array
