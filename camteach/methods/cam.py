"""The class activation map (Zhou et al., 2016): the lecture's weighted sum.

For a network whose last feature maps ``F`` (h, w, C) are globally
average-pooled and read by a dense layer with weights ``W`` (C, classes)::

    w   = W[:, c]
    cam = F[..., 0] * w[0] + ... + F[..., C-1] * w[C-1]      # h x w, signed

and, pooling and the dense layer being linear, ``cam.mean() + b[c] == logit[c]``.

The CAM is defined on the logit: its weights are the dense layer's, no score
is differentiated, so ``score="probability"`` is a ValueError (use Grad-CAM
with ``score="probability"`` to explain the model's probability).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .. import checks
from .base import Method, Signals


class CAM(Method):
    """``cam_c = sum_k W[k, c] F_k``: the weights are the dense layer's column for ``c``."""

    name = "cam"
    gradients = False
    needs_gap = True
    logit_only = True

    def weights(self, s: Signals) -> tf.Tensor:
        return s.W_c


def class_activation_maps(F: np.ndarray, W: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """The weighted sums ``maps[n, j] = sum_k F[n, :, :, k] * W[k, classes[n, j]]``, in NumPy.

    Parameters
    ----------
    F : numpy.ndarray, (N, h, w, C)
        Feature maps.
    W : numpy.ndarray, (C, num_classes)
        Dense weights.
    classes : numpy.ndarray, int, (N, K)
        Class indices.

    Returns
    -------
    numpy.ndarray, float32, (N, K, h, w)
        Raw maps: signed, no bias, no ReLU, no scaling.
    """
    F = np.asarray(F, dtype=np.float32)
    W = np.asarray(W, dtype=np.float32)
    n, h, w, c = F.shape
    if W.shape[0] != c:
        raise ValueError(f"W: expected {c} rows (one per feature map), got shape {W.shape}")
    classes = checks.class_indices(classes, n, W.shape[1])
    chosen = np.transpose(W[:, classes], (1, 0, 2))               # (N, C, K)
    maps = np.matmul(F.reshape(n, h * w, c), chosen)               # (N, h*w, K)
    return np.ascontiguousarray(maps.transpose(0, 2, 1).reshape(n, -1, h, w))
