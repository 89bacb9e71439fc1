"""Each method against tf-keras-vis 0.8.7 (a test-only dependency) on the same model and layer.

tf-keras-vis differentiates whatever the model outputs; its documentation
recommends ``ReplaceToLinear`` (the output layer's activation made linear) so
that the score is the logit, as camteach's default. The raw maps are compared
before tf-keras-vis's own post-processing (``normalize_cam=False``,
``expand_cam=False``; ReLU left as each method defines it).

Where the definitions differ, the difference is applied and the rest must agree:

- Grad-CAM++: tf-keras-vis scores ``exp(y_c)`` (the paper's exponential, so
  its weights carry a factor ``exp(y_c)``) and divides the alphas by their sum
  over the positions; the paper's eq. 19 and pytorch-grad-cam do not divide.
  Ours with that division, times ``exp(y_c)``, is theirs.
- Score-CAM: tf-keras-vis takes the softmax of the (linear) outputs, which is
  ``score="probability"`` on a softmax model, does not subtract the
  baseline's score ``p_c(0)``, and upsamples with ``scipy.ndimage.zoom``
  (corner-aligned) where camteach uses ``tf.image.resize`` (half-pixel).
  At a layer with the input's resolution (no upsampling) the maps agree once
  the baseline is subtracted from theirs; at a coarser layer (12x12 to
  24x24) only the upsampling differs: the maps agree in rank (Spearman > 0.95)
  and within 25% in L2 (measured: 6-16% on these images).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import camteach as ct

pytest.importorskip("tf_keras_vis")
from tf_keras_vis.gradcam import Gradcam  # noqa: E402
from tf_keras_vis.gradcam_plus_plus import GradcamPlusPlus  # noqa: E402
from tf_keras_vis.layercam import Layercam  # noqa: E402
from tf_keras_vis.scorecam import Scorecam  # noqa: E402
from tf_keras_vis.utils.model_modifiers import ReplaceToLinear  # noqa: E402
from tf_keras_vis.utils.scores import CategoricalScore  # noqa: E402

SIZE = 24
# Scorecam calls model.predict with a list for a single-input model: Keras warns, harmlessly.
pytestmark = pytest.mark.filterwarnings("ignore:The structure of `inputs`:UserWarning")


@pytest.fixture(scope="module")
def model():
    """No global pooling (so no closed form): conv (24x24x6) -> conv (12x12x8) -> Flatten ->
    Dense(4, softmax)."""
    keras.utils.set_random_seed(21)
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.Conv2D(6, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu",
                            name="features")(x)
    outputs = keras.layers.Dense(4, activation="softmax", name="predictions")(
        keras.layers.Flatten()(x))
    return keras.Model(inputs, outputs, name="small")


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(7).uniform(0, 1, (4, SIZE, SIZE, 3)).astype("float32")


def close(actual, expected, rtol=1e-4):
    scale = max(np.abs(expected).max(), 1e-12)
    assert scale > 1e-6, "a comparison of all-zero maps proves nothing"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=1e-5 * scale)


def theirs(cls, model, images, classes, layer, linear=True, **kwargs):
    """tf-keras-vis's raw map (N, h, w) of ``classes`` (N,) at ``layer``."""
    vis = cls(model, model_modifier=ReplaceToLinear() if linear else None, clone=True)
    return np.asarray(vis(CategoricalScore(list(classes)), images, penultimate_layer=layer,
                          seek_penultimate_conv_layer=False, expand_cam=False,
                          normalize_cam=False, **kwargs))


def ours(model, images, method, layer, **options):
    res = ct.explain(model, images, method, layer=layer, **options)
    return res.maps[:, 0], res.classes[:, 0], res.logits


@pytest.mark.parametrize("layer", ["features", "conv1"])
def test_grad_cam_agrees(model, images, layer):
    maps, classes, _ = ours(model, images, "grad_cam", layer)
    close(maps, theirs(Gradcam, model, images, classes, layer))


@pytest.mark.parametrize("layer", ["features", "conv1"])
def test_layer_cam_agrees(model, images, layer):
    maps, classes, _ = ours(model, images, "layer_cam", layer)
    close(maps, theirs(Layercam, model, images, classes, layer))


def test_hires_cam_is_layercam_without_its_two_relus(model, images):
    maps, classes, _ = ours(model, images, "hires_cam", "features")
    close(maps, theirs(Layercam, model, images, classes, "features",
                       gradient_modifier=None, activation_modifier=None))
    assert (maps < 0).any()


def test_grad_cam_on_the_probability_is_tf_keras_vis_on_the_unmodified_model(model, images):
    maps, classes, _ = ours(model, images, "grad_cam", "features", score="probability")
    close(maps, theirs(Gradcam, model, images, classes, "features", linear=False))


class NormalisedAlphas(ct.methods.grad_cam_plus_plus.GradCAMPlusPlus):
    """Ours with tf-keras-vis's two differences applied: alphas divided by their sum over
    the positions (kept where that sum is 0), weights times exp(y_c)."""

    name = "grad_cam_plus_plus_tf_keras_vis"

    def weights(self, s):
        g = s.grads
        total = tf.reduce_sum(s.A, axis=(1, 2))[:, None, None, None]
        g2 = tf.square(g)
        alpha = tf.math.divide_no_nan(g2, 2.0 * g2 + total * g2 * g)
        norm = tf.reduce_sum(alpha, axis=(2, 3), keepdims=True)
        alpha = alpha / tf.where(norm == 0, 1.0, norm)
        scale = tf.exp(tf.gather(s.logits, s.classes, batch_dims=1))[:, :, None]
        return scale * tf.reduce_sum(alpha * tf.nn.relu(g), axis=(2, 3))


@pytest.fixture
def normalised_alphas():
    method = ct.methods.register(NormalisedAlphas())
    yield method.name
    ct.methods.unregister(method.name)


@pytest.mark.parametrize("layer", ["features", "conv1"])
def test_grad_cam_plus_plus_agrees_once_the_alphas_are_normalised(model, images, layer,
                                                                   normalised_alphas):
    maps, classes, _ = ours(model, images, normalised_alphas, layer)
    reference = theirs(GradcamPlusPlus, model, images, classes, layer)
    close(maps, reference)
    paper, _, _ = ours(model, images, "grad_cam_plus_plus", layer)
    assert not np.allclose(paper, reference, rtol=1e-2), "the paper's eq. 19 differs"


def test_score_cam_agrees_at_full_resolution_once_the_baseline_is_subtracted(model, images):
    maps, classes, _ = ours(model, images, "score_cam", "conv1", score="probability")
    raw = theirs(Scorecam, model, images, classes, "conv1", activation_modifier=None, max_N=-1)
    A = keras.Model(model.inputs[0], model.get_layer("conv1").output)(images).numpy()
    baseline = tf.nn.softmax(_logits(model, np.zeros_like(images[:1])))[0].numpy()[classes]
    close(maps, np.maximum(raw - baseline[:, None, None] * A.sum(-1), 0), rtol=1e-3)


def test_score_cam_agrees_in_rank_where_only_the_upsampling_differs(model, images):
    maps, classes, _ = ours(model, images, "score_cam", "features", score="probability")
    raw = theirs(Scorecam, model, images, classes, "features", activation_modifier=None,
                 max_N=-1)
    A = keras.Model(model.inputs[0], model.get_layer("features").output)(images).numpy()
    baseline = tf.nn.softmax(_logits(model, np.zeros_like(images[:1])))[0].numpy()[classes]
    reference = np.maximum(raw - baseline[:, None, None] * A.sum(-1), 0)
    assert maps.shape == reference.shape == (len(images), 12, 12)
    for a, b in zip(maps, reference):
        assert _spearman(a.ravel(), b.ravel()) > 0.95
        assert np.linalg.norm(a - b) < 0.25 * np.linalg.norm(b)


def _logits(model, x):
    dense = model.get_layer("predictions")
    before = keras.Model(model.inputs[0], dense.input)
    return before(x, training=False) @ dense.kernel + dense.bias


def _spearman(a, b):
    return np.corrcoef(np.argsort(np.argsort(a)), np.argsort(np.argsort(b)))[0, 1]
