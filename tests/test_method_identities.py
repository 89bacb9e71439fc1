"""Each method against its formula: closed forms on GAP heads, references elsewhere.

On a GlobalAveragePooling2D + Dense head the gradient of the logit ``y_c``
with respect to the pooled feature maps ``F`` (h, w, C) is ``W[k, c] / (h*w)``
at every pixel, so every gradient method has a closed form in ``F`` and
``W``; these are checked on the conftest models and on the course model.
On a head without pooling (Flatten + Dense) and at an earlier layer, the
maps are checked against NumPy formulas fed by gradients taken here with
``tf.GradientTape`` (not through camteach).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import camteach as ct

GAP_MODELS = ["functional_model", "sequential_model", "nested_model", "course_model"]
GRADIENT_METHODS = ["grad_cam", "hires_cam", "grad_cam_plus_plus", "layer_cam"]


def relu(x):
    return np.maximum(x, 0)


def close(actual, expected):
    scale = max(np.abs(expected).max(), 1e-12)
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5 * scale)


@pytest.fixture(scope="module")
def course_model():
    return ct.load_course_model()


@pytest.fixture
def gap_case(request, images):
    """(model, images, every class for every image) for one GAP model."""
    def case(name):
        model = request.getfixturevalue(name)
        x = ct.make_scenes(4, seed=2).images if name == "course_model" else images
        classes = np.tile(np.arange(model.outputs[0].shape[-1]), (len(x), 1))
        return model, x, classes
    return case


# --- NumPy formulas, fed with activations A (N, h, w, C) and gradients g (N, K, h, w, C) ----

def weighted_sum(A, w):
    """``sum_k w[n, j, k] A[n, :, :, k]``: (N, K, h, w)."""
    return np.einsum("nhwc,nkc->nkhw", A, w)


def grad_cam_ref(A, g):
    return relu(weighted_sum(A, g.mean(axis=(2, 3))))


def hires_cam_ref(A, g):
    return np.einsum("nkhwc,nhwc->nkhw", g, A)


def layer_cam_ref(A, g):
    return relu(np.einsum("nkhwc,nhwc->nkhw", relu(g), A))


def grad_cam_plus_plus_ref(A, g):
    total = A.sum(axis=(1, 2))[:, None, None, None]
    denominator = 2 * g ** 2 + total * g ** 3
    safe = np.where(denominator == 0, 1.0, denominator)
    alpha = np.where(denominator == 0, 0.0, g ** 2 / safe)
    return relu(weighted_sum(A, (alpha * relu(g)).sum(axis=(2, 3))))


def eigen_cam_ref(A, k):
    """The centred first principal component by NumPy's SVD, sign towards the channel mean."""
    n, h, w, c = A.shape
    maps = []
    for a in A.astype(np.float64):
        X = a.reshape(h * w, c)
        X = X - X.mean(axis=0)
        _, _, vt = np.linalg.svd(X, full_matrices=False)
        projection = X @ vt[0]
        if projection @ a.mean(axis=-1).ravel() < 0:
            projection = -projection
        maps.append(projection.reshape(h, w))
    return np.repeat(np.stack(maps)[:, None], k, axis=1)


REFERENCES = {"grad_cam": grad_cam_ref, "hires_cam": hires_cam_ref,
              "layer_cam": layer_cam_ref, "grad_cam_plus_plus": grad_cam_plus_plus_ref}


# --- GAP heads: closed forms in F and W ------------------------------------------------------

@pytest.mark.parametrize("name", GAP_MODELS)
def test_hires_cam_is_cam_over_hw(name, gap_case):
    model, x, classes = gap_case(name)
    cam = ct.cam(model, x, classes=classes).maps
    res = ct.explain(model, x, "hires_cam", classes=classes)
    h, w = cam.shape[-2:]
    close(res.maps, cam / (h * w))
    assert (res.maps < 0).any(), "HiRes-CAM keeps the sign (no ReLU)"


@pytest.mark.parametrize("name", GAP_MODELS)
def test_layer_cam_is_cam_of_the_positive_weights_over_hw(name, gap_case):
    model, x, classes = gap_case(name)
    f = ct.features(model, x)
    h, w = f.F.shape[1:3]
    expected = relu(ct.class_activation_maps(f.F, relu(f.W), classes)) / (h * w)
    close(ct.explain(model, x, "layer_cam", classes=classes).maps, expected)


@pytest.mark.parametrize("name", GAP_MODELS)
def test_grad_cam_plus_plus_closed_form_on_a_gap_head(name, gap_case):
    """g = W[k,c]/(hw) everywhere: alpha = g^2 / (2 g^2 + hw mean(F^k) g^3)
    = 1 / (2 + W[k,c] mean(F^k)), so w_k = hw * alpha * ReLU(W[k,c])/(hw)
    = ReLU(W[k,c]) / (2 + W[k,c] mean(F^k))."""
    model, x, classes = gap_case(name)
    f = ct.features(model, x)
    Wc = np.transpose(f.W[:, classes], (1, 2, 0)).astype(np.float64)   # (N, K, C)
    mean = f.F.mean(axis=(1, 2))[:, None, :].astype(np.float64)         # (N, 1, C)
    weights = relu(Wc) / (2 + Wc * mean)
    expected = relu(weighted_sum(f.F.astype(np.float64), weights))
    res = ct.explain(model, x, "grad_cam_plus_plus", classes=classes)
    close(res.maps, expected)
    assert res.maps.max() > 0


@pytest.mark.parametrize("name", GAP_MODELS)
def test_eigen_cam_is_the_same_for_every_class_and_matches_numpy_svd(name, gap_case):
    model, x, classes = gap_case(name)
    res = ct.explain(model, x, "eigen_cam", classes=classes)
    np.testing.assert_array_equal(res.maps, np.repeat(res.maps[:, :1], classes.shape[1], 1))
    close(res.maps, eigen_cam_ref(ct.features(model, x).F, classes.shape[1]))


# --- no pooling, and an earlier layer: gradients taken here ---------------------------------

def tape_reference(model, x, layer, classes, score="logit"):
    """(A, g) at ``layer`` of the conftest ``no_gap_model``, by its own layers and a tape;
    ``g`` the gradient of the logit or (``score="probability"``) of its softmax."""
    upto = {"conv1": ["conv1"], "features": ["conv1", "features"]}[layer]
    rest = [name for name in ("conv1", "features") if name not in upto]
    A = tf.constant(x)
    for name in upto:
        A = model.get_layer(name)(A)
    dense = model.get_layer("predictions")
    grads = []
    for j in range(classes.shape[1]):
        with tf.GradientTape() as tape:
            tape.watch(A)
            out = A
            for name in rest:
                out = model.get_layer(name)(out)
            logits = tf.matmul(tf.reshape(out, [len(x), -1]), dense.kernel) + dense.bias
            if score == "probability":
                logits = tf.nn.softmax(logits)
            picked = tf.reduce_sum(logits * tf.one_hot(classes[:, j], logits.shape[-1]))
        grads.append(tape.gradient(picked, A).numpy())
    return A.numpy().astype(np.float64), np.stack(grads, axis=1).astype(np.float64)


@pytest.mark.parametrize("layer", ["features", "conv1"])
@pytest.mark.parametrize("method", GRADIENT_METHODS)
def test_gradient_methods_match_a_tape_reference_without_gap(method, layer, no_gap_model, images):
    res = ct.explain(no_gap_model, images, method, top=2, layer=layer)
    assert np.all(np.isfinite(res.maps)) and res.maps.shape[:2] == (len(images), 2)
    A, g = tape_reference(no_gap_model, images, layer, res.classes)
    close(res.maps, REFERENCES[method](A, g))


@pytest.mark.parametrize("method", GRADIENT_METHODS)
def test_gradient_methods_on_the_softmax_probability_match_a_tape(method, no_gap_model, images):
    """score="probability": the gradient of p_c = softmax(y)_c, p_c (g_c - sum_j p_j g_j)."""
    res = ct.explain(no_gap_model, images, method, top=2, score="probability")
    A, g = tape_reference(no_gap_model, images, "features", res.classes, score="probability")
    close(res.maps, REFERENCES[method](A, g))
    assert res.maps.max() > 0


@pytest.mark.parametrize("method", ["grad_cam", "hires_cam", "layer_cam"])
def test_on_a_sigmoid_head_the_probability_scales_the_logit_maps(method, course_model):
    """p_c = sigma(y_c), so d p_c / dA = sigma'(y_c) d y_c / dA with sigma'(y) = p (1 - p) > 0.
    Grad-CAM, HiRes-CAM and Layer-CAM are positively homogeneous in the gradient (a ReLU of
    a sum linear in it: ReLU(s z) = s ReLU(z) for s > 0), so their maps on the probability
    are the logit's maps times p_c (1 - p_c)."""
    x = ct.make_scenes(4, seed=2).images
    classes = np.tile(np.arange(course_model.outputs[0].shape[-1]), (len(x), 1))
    logit = ct.explain(course_model, x, method, classes=classes)
    prob = ct.explain(course_model, x, method, classes=classes, score="probability")
    p = 1 / (1 + np.exp(-np.take_along_axis(logit.logits.astype(np.float64), classes, 1)))
    close(prob.maps, logit.maps * (p * (1 - p))[..., None, None])
    assert (p * (1 - p)).min() < 0.2, "some class is confident enough for the factor to matter"


def test_no_gap_gradient_is_the_dense_column(no_gap_model, images):
    """The tape reference itself: behind Flatten + Dense, d y_c / d F = W[:, c] reshaped."""
    classes = np.array([[0, 2]] * len(images))
    A, g = tape_reference(no_gap_model, images, "features", classes)
    kernel = no_gap_model.get_layer("predictions").kernel.numpy()
    columns = kernel[:, classes].reshape(*A.shape[1:], *classes.shape)    # (h, w, C, N, K)
    expected = np.moveaxis(columns, (3, 4), (0, 1))
    np.testing.assert_allclose(g, expected, rtol=1e-6)


def test_eigen_cam_without_gap(no_gap_model, images):
    res = ct.explain(no_gap_model, images, "eigen_cam", top=3)
    A, _ = tape_reference(no_gap_model, images, "features", res.classes[:, :1])
    close(res.maps, eigen_cam_ref(A, 3))


def test_grad_cam_plus_plus_alpha_is_zero_where_its_denominator_is():
    """Zero gradients and 2 + sum(A) g = 0 give alpha = 0, never NaN."""
    A = tf.ones([1, 2, 2, 3])                              # sum over pixels: 4 per channel
    g = tf.constant([0.0, -0.5, 0.25], shape=[1, 1, 1, 1, 3]) * tf.ones([1, 1, 2, 2, 3])
    signals = ct.methods.Signals(A=A, grads=g, classes=tf.zeros([1, 1], tf.int32),
                                 logits=tf.zeros([1, 2]), W_c=None)
    weights = ct.methods.get("grad_cam_plus_plus").weights(signals).numpy()
    # channel 0: g = 0; channel 1: 2 + 4 * (-0.5) = 0; channel 2: alpha = 1 / 3, 4 pixels
    np.testing.assert_allclose(weights, [[[0.0, 0.0, 4 * 0.25 / 3]]], rtol=1e-6)


# --- Score-CAM: masked forward passes through the model itself -----------------------------

def logits_of(model, dense_name="predictions"):
    """``images -> logits`` of a conftest model whose Dense(softmax) is called ``dense_name``."""
    dense = model.get_layer(dense_name)
    before = keras.Model(model.inputs[0], dense.input)
    return lambda images: (before(images, training=False) @ dense.kernel + dense.bias).numpy()


def score_cam_ref(model, x, A, classes, score=None):
    """Each channel upsampled, min-max scaled, multiplied into the image, scored by ``score``
    (default: ``model`` itself, its softmax output); weight = y_c(masked) - y_c(zeros),
    map = ReLU(sum_k w_k A_k)."""
    score = score or (lambda images: model(images, training=False).numpy())
    up = tf.image.resize(A, x.shape[1:3], method="bilinear").numpy().astype(np.float64)
    low, high = up.min(axis=(1, 2), keepdims=True), up.max(axis=(1, 2), keepdims=True)
    masks = np.where(high > low, (up - low) / np.where(high > low, high - low, 1), 0)
    base = score(np.zeros_like(x[:1]))[0]
    weights = []
    for n in range(len(x)):
        masked = x[n][None] * np.moveaxis(masks[n], -1, 0)[..., None]   # (C, H, W, channels)
        probs = score(masked.astype(np.float32))
        weights.append((probs - base)[:, classes[n]].T)                 # (K, C)
    return relu(weighted_sum(A, np.stack(weights)))


def test_score_cam_matches_masked_forward_passes(functional_model, no_gap_model, images):
    """score="probability" on a softmax head is the paper's Score-CAM (the model's output);
    the default scores the masked images by their logits."""
    F = ct.features(functional_model, images).F
    res = ct.explain(functional_model, images, "score_cam", top=3, score="probability")
    close(res.maps, score_cam_ref(functional_model, images, F, res.classes))
    assert res.maps.max() > 0
    res = ct.explain(functional_model, images, "score_cam", top=3)
    close(res.maps, score_cam_ref(functional_model, images, F, res.classes,
                                  logits_of(functional_model)))
    assert res.maps.max() > 0
    res = ct.explain(no_gap_model, images, "score_cam", top=2, score="probability")
    A, _ = tape_reference(no_gap_model, images, "features", res.classes)
    close(res.maps, score_cam_ref(no_gap_model, images, A, res.classes))
    res = ct.explain(no_gap_model, images, "score_cam", top=2)
    close(res.maps, score_cam_ref(no_gap_model, images, A, res.classes,
                                  logits_of(no_gap_model)))


class FewImagesPerPass(ct.methods.score_cam.ScoreCAM):
    name = "score_cam_few_per_pass"
    images_per_pass = 10         # 3 images: 3 channels a pass, 16 channels padded to 18


def test_score_cam_does_not_depend_on_how_its_passes_are_cut(functional_model, images):
    ct.methods.register(FewImagesPerPass())
    try:
        few = ct.explain(functional_model, images, FewImagesPerPass.name, top=2).maps
    finally:
        ct.methods.unregister(FewImagesPerPass.name)
    close(few, ct.explain(functional_model, images, "score_cam", top=2).maps)
