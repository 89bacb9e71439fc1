"""HiRes-CAM (Draelos & Carin, 2020): the gradient times the activation, pixel by pixel.

R. L. Draelos and L. Carin, "Use HiResCAM instead of Grad-CAM for faithful
explanations of convolutional neural networks", arXiv:2011.08891, 2020.

For any 4-D activation ``A`` (h, w, C) and the class score ``y_c`` (the logit,
or the probability with ``score="probability"``)::

    map_ij = sum_k (d y_c / d A_ij^k) * A_ij^k          # h x w, signed, no ReLU

Grad-CAM averages the gradient over the pixels first; HiRes-CAM does not, so
each pixel keeps its own gradient. On a GAP + Dense head,
``d y_c / d A_ij^k = W[k, c] / (h*w)`` and HiRes-CAM equals ``cam / (h*w)``.
"""

from __future__ import annotations

import tensorflow as tf

from .base import Method, Signals


class HiResCAM(Method):
    """``sum_k G_ij^k A_ij^k`` with ``G`` the gradient (see :meth:`pixel_weights`)."""

    name = "hires_cam"

    def pixel_weights(self, s: Signals) -> tf.Tensor:
        """The per-pixel channel weights (N, K, h, w, C): here the gradient itself."""
        return s.grads

    def combine(self, s: Signals) -> tf.Tensor:
        """``sum_k pixel_weights[n, j, :, :, k] * A[n, :, :, k]``: (N, K, h, w)."""
        return tf.einsum("nkhwc,nhwc->nkhw", self.pixel_weights(s), s.A)
