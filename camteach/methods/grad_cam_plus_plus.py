"""Grad-CAM++ (Chattopadhay et al., 2018): Grad-CAM with pixel-weighted gradients.

A. Chattopadhay, A. Sarkar, P. Howlader and V. N. Balasubramanian,
"Grad-CAM++: Generalized gradient-based visual explanations for deep
convolutional networks", WACV 2018, 839-847 (eq. 19).

With ``g = d y_c / d A`` the gradient of the logit (or of the probability with
``score="probability"``; the paper's exponential
score turns the second and third derivatives into ``g**2`` and ``g**3``)::

    alpha_ij^k = g_ij^k**2 / (2 g_ij^k**2 + sum_ab A_ab^k g_ij^k**3)    (0 where the
                                                                        denominator is 0)
    w_k        = sum_ij alpha_ij^k ReLU(g_ij^k)
    map        = ReLU(sum_k w_k A^k)

As in the paper and pytorch-grad-cam; the alphas are not divided by their sum
(tf-keras-vis does that). On a GAP + Dense head ``g = W[k, c] / (h*w)`` at
every pixel, so ``alpha^k = 1 / (2 + W[k, c] mean(A^k))`` and
``w_k = ReLU(W[k, c]) / (2 + W[k, c] mean(A^k))``.
"""

from __future__ import annotations

import tensorflow as tf

from .base import Signals
from .grad_cam import GradCAM


class GradCAMPlusPlus(GradCAM):
    """``ReLU(sum_k w_k A^k)``, ``w_k = sum_ij alpha_ij^k ReLU(g_ij^k)`` (eq. 19)."""

    name = "grad_cam_plus_plus"

    def weights(self, s: Signals) -> tf.Tensor:
        g = s.grads                                                  # (N, K, h, w, C)
        total = tf.reduce_sum(s.A, axis=(1, 2))[:, None, None, None]  # (N, 1, 1, 1, C)
        g2 = tf.square(g)
        alpha = tf.math.divide_no_nan(g2, 2.0 * g2 + total * g2 * g)
        return tf.reduce_sum(alpha * tf.nn.relu(g), axis=(2, 3))
