"""Grad-CAM (Selvaraju et al., 2017): gradients in place of the dense weights.

For any 4-D activation ``A`` (h, w, C) and the class score ``y_c`` (the logit;
with ``score="probability"`` the model's own probability ``p_c``)::

    alpha_k = 1/(h*w) * sum_ij d y_c / d A_ij^k
    map     = ReLU(sum_k alpha_k A^k)

On a GAP + Dense head, ``d y_c / d A_ij^k = W[k, c] / (h*w)``, so Grad-CAM
equals ``ReLU(cam) / (h*w)``. With a sigmoid head and ``score="probability"``,
``d p_c / dA = sigma'(y_c) d y_c / dA`` with ``sigma'(y) = p (1 - p) > 0``, so the
map is the logit's map times ``p_c (1 - p_c)``: the same picture, shrunk towards
zero for confident predictions (a softmax head mixes in the other classes).
"""

from __future__ import annotations

import tensorflow as tf

from .base import Method, Signals


class GradCAM(Method):
    """``ReLU(sum_k alpha_k A^k)`` with ``alpha_k`` the spatial mean of the gradient."""

    name = "grad_cam"

    def weights(self, s: Signals) -> tf.Tensor:
        return tf.reduce_mean(s.grads, axis=(2, 3))

    def combine(self, s: Signals) -> tf.Tensor:
        return tf.nn.relu(super().combine(s))
