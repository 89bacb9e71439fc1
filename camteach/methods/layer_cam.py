"""Layer-CAM (Jiang et al., 2021): positive gradients as per-pixel weights.

P.-T. Jiang, C.-B. Zhang, Q. Hou, M.-M. Cheng and Y. Wei, "LayerCAM:
Exploring hierarchical class activation maps for localization", IEEE
Transactions on Image Processing 30, 5875-5888, 2021.

For any 4-D activation ``A`` (h, w, C) and the class score ``y_c`` (the logit,
or the probability with ``score="probability"``)::

    w_ij^k = ReLU(d y_c / d A_ij^k)
    map_ij = ReLU(sum_k w_ij^k A_ij^k)

HiRes-CAM with the negative gradients dropped, then ReLU'd. On a GAP + Dense
head the gradient is ``W[k, c] / (h*w)`` everywhere, so Layer-CAM equals
``ReLU(CAM with max(W[:, c], 0) in place of W[:, c]) / (h*w)``.
"""

from __future__ import annotations

import tensorflow as tf

from .base import Signals
from .hires_cam import HiResCAM


class LayerCAM(HiResCAM):
    """``ReLU(sum_k ReLU(G_ij^k) A_ij^k)`` with ``G`` the gradient of the logit."""

    name = "layer_cam"

    def pixel_weights(self, s: Signals) -> tf.Tensor:
        return tf.nn.relu(s.grads)

    def combine(self, s: Signals) -> tf.Tensor:
        return tf.nn.relu(super().combine(s))
