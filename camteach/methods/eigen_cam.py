"""Eigen-CAM (Muhammad & Yeasin, 2020): the activations' first principal component.

M. B. Muhammad and M. Yeasin, "Eigen-CAM: Class activation map using
principal components", IJCNN 2020, 1-7 (arXiv:2008.00299).

For any 4-D activation ``A`` (h, w, C), seen as a matrix ``X`` (h*w, C) with
one row per pixel, centred as pytorch-grad-cam does (each channel's mean over
the pixels subtracted)::

    Xc  = X - mean_pixels(X) = U S V^T              # tf.linalg.svd
    map = Xc @ V[:, 0]                              # h*w values -> h x w, signed

The sign of a singular vector is arbitrary; it is chosen so that the map
correlates positively with ``A``'s mean over channels (kept as the SVD gives
it when that correlation is zero). No gradients and no class: every
explained class gets the same map, whatever ``score`` says (accepted,
as by every method, and without effect). Raw: no ReLU (pytorch-grad-cam clips the
negatives afterwards, in its shared post-processing).
"""

from __future__ import annotations

import tensorflow as tf

from .base import Method, Signals


def first_component(A: tf.Tensor) -> tf.Tensor:
    """The projection of the centred ``A`` (N, h, w, C) on its first principal axis: (N, h, w)."""
    shape = tf.shape(A)
    X = tf.reshape(A, [shape[0], -1, shape[3]])                      # (N, h*w, C)
    X = X - tf.reduce_mean(X, axis=1, keepdims=True)
    _, _, v = tf.linalg.svd(X, full_matrices=False)                  # v: (N, C, min(h*w, C))
    projection = tf.linalg.matvec(X, v[:, :, 0])                     # (N, h*w), mean 0
    mean_map = tf.reshape(tf.reduce_mean(A, axis=3), [shape[0], -1])
    sign = tf.where(tf.reduce_sum(projection * mean_map, axis=1) < 0, -1.0, 1.0)
    return tf.reshape(sign[:, None] * projection, shape[:3])


class EigenCAM(Method):
    """The first principal component of the activations, for every class alike."""

    name = "eigen_cam"
    gradients = False

    def combine(self, s: Signals) -> tf.Tensor:
        k = tf.shape(s.classes)[1]
        return tf.repeat(first_component(s.A)[:, None], k, axis=1)
