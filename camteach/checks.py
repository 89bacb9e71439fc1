"""Input checks that turn bad arguments into clear errors.

Every public function of camteach checks its arguments here, so that a
student's mistake gives a ``ValueError`` naming the argument and what was
expected, never a TensorFlow stack trace, a silent NaN or a wrong picture.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Sequence

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
    """Check that ``value`` is an int in [1, high] (high=None: no upper bound)."""
    return int_in_range(value, name, 1, high)


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


def class_index(value, num_classes: int, name: str = "class") -> int:
    """Return ``value`` as one class index, an int in [0, num_classes - 1]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or not 0 <= value < num_classes:
        raise ValueError(f"{name}: expected a class index in [0, {num_classes - 1}], "
                         f"got {value!r}")
    return int(value)


def numeric_array(value, name: str, shape: tuple[int | None, ...],
                  dtype: type | np.dtype | None = np.float64) -> np.ndarray:
    """Return ``value`` as a finite array of the given shape and dtype.

    Parameters
    ----------
    value : array-like
        Numbers (bool allowed).
    name : str
        The argument's name, for error messages.
    shape : tuple of (int or None)
        The expected shape; a None entry accepts any length on that axis.
    dtype : numpy dtype or None
        The result's dtype (float64 by default); None keeps the input's.

    Returns
    -------
    numpy.ndarray, ``shape``
    """
    if hasattr(value, "numpy") and callable(value.numpy):
        value = value.numpy()
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        array = np.asarray(None)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name}: expected an array of numbers, got {type(value).__name__}")
    if array.ndim != len(shape):
        raise ValueError(f"{name}: expected {len(shape)} axes, got shape {array.shape}")
    if any(want is not None and want != got for want, got in zip(shape, array.shape)):
        axes = ", ".join("any" if n is None else str(n) for n in shape)
        raise ValueError(f"{name}: expected shape ({axes}{',' if len(shape) == 1 else ''}), "
                         f"got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return array if dtype is None else array.astype(dtype, copy=False)


def int_in_range(value, name: str, low: int, high: int | None = None) -> int:
    """Return ``value`` as an int in [low, high] (high=None: no upper bound)."""
    bound = f"in [{low}, {high}]" if high is not None else f">= {low}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or value < low or (high is not None and value > high):
        raise ValueError(f"{name}: expected an int {bound}, got {value!r}")
    return int(value)


def box(value, name: str = "box", size: tuple[int, int] | None = None) -> np.ndarray:
    """Return ``value`` as one box ``(x0, y0, x1, y1)`` with x1 >= x0 and y1 >= y0.

    Parameters
    ----------
    value : array-like, (4,)
        Pixel coordinates, x1 and y1 exclusive.
    name : str
        The argument's name, for error messages.
    size : (int, int), optional
        The image's (H, W), named in the error message.

    Returns
    -------
    numpy.ndarray, float64, (4,)
    """
    array = numeric_array(value, name, (4,), dtype=None)
    where = "" if size is None else f" in pixels of the {size[1]}x{size[0]} image"
    if array.dtype.kind == "b" or array[2] < array[0] or array[3] < array[1]:
        raise ValueError(f"{name}: expected (x0, y0, x1, y1) with x1 >= x0 and y1 >= y0"
                         f"{where}, got {value!r}")
    return array.astype(np.float64)


def number_in(value, name: str, low: float, high: float, *, low_open: bool = False) -> float:
    """Return ``value`` as a finite float in [low, high] ((low, high] if ``low_open``)."""
    above = (lambda v: v > low) if low_open else (lambda v: v >= low)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not (np.isfinite(value) and above(value) and value <= high):
        bound = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise ValueError(f"{name}: expected a number in {bound}, got {value!r}")
    return float(value)


def one_of(value, name: str, choices: tuple):
    """Return ``value`` if it is one of ``choices``, else raise naming ``name``."""
    if not isinstance(value, Hashable) or value not in choices:
        raise ValueError(f"{name}: expected one of {choices}, got {value!r}")
    return value


def name_or_index(value, names: Sequence[str], name: str) -> int:
    """Return the index of ``value``, a name in ``names`` or an index into it."""
    index = names.index(value) if isinstance(value, str) and value in names else value
    try:
        return class_index(index, len(names), name)
    except ValueError:
        raise ValueError(f"{name}: expected a name in {tuple(names)} or an index in "
                         f"[0, {len(names) - 1}], got {value!r}") from None


def names_or_indices(values, names: Sequence[str], name: str) -> tuple[int, ...]:
    """Sorted distinct indices of ``values``, names or indices (None: all of them).

    One name or index alone is accepted too; see :func:`name_or_index`.
    """
    if values is None:
        return tuple(range(len(names)))
    if isinstance(values, (str, numbers.Integral)):
        values = [values]
    try:
        items = list(values)
    except TypeError:
        raise ValueError(f"{name}: expected a sequence of names or indices, "
                         f"got {values!r}") from None
    if not items:
        raise ValueError(f"{name}: expected at least one name or index, got an empty sequence")
    return tuple(sorted({name_or_index(v, names, name) for v in items}))
