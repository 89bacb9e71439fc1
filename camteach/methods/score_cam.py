"""Score-CAM (Wang et al., 2020): each channel weighted by what it alone lets the model see.

H. Wang, Z. Wang, M. Du, F. Yang, Z. Zhang, S. Ding, P. Mardziel and X. Hu,
"Score-CAM: Score-weighted visual explanations for convolutional neural
networks", CVPR Workshops 2020, 111-119 (arXiv:1910.01279).

For any 4-D activation ``A`` (h, w, C) of an image ``X`` (H, W, channels)::

    H^k   = minmax(upsample(A^k))        # bilinear to (H, W), then into [0, 1]
    y(X)  = the class score of X         # logit (default) or probability
    w_k   = y(X * H^k) - y(X_b)          # the increase of the score, X_b = 0
    map   = ReLU(sum_k w_k A^k)

The paper's "channel-wise increase of confidence" with the all-zero input
(black for raw RGB) as the baseline ``X_b``. The paper takes the score after
a softmax over the classes; here, as for every method, the score is the
logit by default, and ``score="probability"`` takes the model's own head:
on a softmax classifier that is exactly the paper's definition (and
tf-keras-vis's Scorecam on a model whose last activation is made linear),
on a sigmoid head the per-class sigmoid. The authors' code leaves the
baseline out (every weight shifted by the same constant), and
pytorch-grad-cam instead takes a softmax over the channels of the masked
logits. A constant channel gives an all-zero mask, the baseline itself, so
``w_k = 0``. The upsampling is ``tf.image.resize`` (half-pixel centres), as
:func:`camteach.upsample`.

No gradients, but one forward pass per channel and image: the masked
images go through the model :attr:`ScoreCAM.images_per_pass` at a time.
"""

from __future__ import annotations

import tensorflow as tf

from .base import Method, Signals


def channel_masks(A: tf.Tensor, size: tf.Tensor) -> tf.Tensor:
    """``A`` (N, h, w, C) upsampled (bilinear) to ``size`` and min-max scaled per map.

    Returns
    -------
    tf.Tensor, float32, (N, H, W, C)
        Values in [0, 1]; a constant map becomes all zeros.
    """
    up = tf.image.resize(A, size, method="bilinear")
    low = tf.reduce_min(up, axis=(1, 2), keepdims=True)
    high = tf.reduce_max(up, axis=(1, 2), keepdims=True)
    return tf.math.divide_no_nan(up - low, high - low)


def channel_chunks(A: tf.Tensor, step: tf.Tensor) -> tf.Tensor:
    """``A`` (N, h, w, C) cut into (chunks, N, h, w, step), the channels zero-padded to fill."""
    shape = tf.shape(A)
    chunks = (shape[3] + step - 1) // step
    padded = tf.pad(A, [[0, 0], [0, 0], [0, 0], [0, chunks * step - shape[3]]])
    return tf.transpose(tf.reshape(padded, [shape[0], shape[1], shape[2], chunks, step]),
                        (3, 0, 1, 2, 4))


class ScoreCAM(Method):
    """``ReLU(sum_k w_k A^k)``, ``w_k`` the confidence gained by the image masked by ``A^k``."""

    name = "score_cam"
    forward_passes_per_channel = True
    gradients = False
    #: Masked images per forward pass (channels per pass: this over the batch size).
    images_per_pass: int = 64

    def confidence(self, s: Signals, images: tf.Tensor) -> tf.Tensor:
        """The chosen scores of the explained classes: images (N, M, H, W, ch) -> (N, M, K)."""
        shape = tf.shape(images)
        scores = s.scores(tf.reshape(images, tf.concat([[-1], shape[2:]], 0)))
        scores = tf.reshape(scores, [shape[0], shape[1], -1])
        return tf.gather(scores, s.classes, axis=2, batch_dims=1)

    def weights(self, s: Signals) -> tf.Tensor:
        n, channels = tf.shape(s.A)[0], tf.shape(s.A)[3]
        size = tf.shape(s.x)[1:3]

        def masked_confidence(piece):                    # (N, h, w, step) -> (N, step, K)
            masks = tf.transpose(channel_masks(piece, size), (0, 3, 1, 2))[..., None]
            return self.confidence(s, s.x[:, None] * masks)

        pieces = channel_chunks(s.A, tf.maximum(1, self.images_per_pass // n))
        scores = tf.map_fn(masked_confidence, pieces, parallel_iterations=1,
                           fn_output_signature=tf.TensorSpec([None, None, None], tf.float32))
        scores = tf.reshape(tf.transpose(scores, (1, 3, 0, 2)), [n, tf.shape(scores)[3], -1])
        baseline = self.confidence(s, tf.zeros_like(s.x[:, None]))     # (N, 1, K)
        return scores[:, :, :channels] - tf.transpose(baseline, (0, 2, 1))

    def combine(self, s: Signals) -> tf.Tensor:
        return tf.nn.relu(super().combine(s))
