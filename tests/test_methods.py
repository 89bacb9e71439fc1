"""The method seam: one shared contract over every registered method and many model shapes.

Every method in ``ct.methods.names()`` runs on every model below (the shapes
users build: Functional, Sequential, a nested base with and without the
pooling inside it, a whole classifier nested as one layer, a nested head,
GAP with keepdims, a VGG-like head) and must return raw maps of the right
shape, no NaN, the same maps in batches as one by one, and leave the model
exactly as it was.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import camteach as ct

SIZE = 32


def _conv(x, filters, name, strides=2):
    return keras.layers.Conv2D(filters, 3, strides=strides, padding="same", activation="relu",
                               name=name)(x)


def _base(name="base", pooling=None):
    """A small pre-trained-style base: 32x32x3 -> 8x8x16 (-> 16 pooled with pooling='avg')."""
    inputs = keras.Input((SIZE, SIZE, 3))
    x = _conv(_conv(inputs, 8, f"{name}_conv1"), 16, f"{name}_features")
    if pooling == "avg":
        x = keras.layers.GlobalAveragePooling2D(name=f"{name}_avg_pool")(x)
    return keras.Model(inputs, x, name=name)


def pooled_base_sigmoid():
    """The chest X-ray transfer-learning shape: base(pooling='avg') + Dense(14, sigmoid)."""
    keras.utils.set_random_seed(11)
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.Rescaling(1 / 255.0, name="rescale")(inputs)
    outputs = keras.layers.Dense(14, activation="sigmoid", name="findings")(
        _base(pooling="avg")(x))
    return keras.Model(inputs, outputs, name="pooled_base")


def whole_classifier_nested():
    """A complete classifier used as one layer of an outer model."""
    keras.utils.set_random_seed(12)
    inner_in = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.GlobalAveragePooling2D()(_base("trunk")(inner_in))
    classifier = keras.Model(inner_in, keras.layers.Dense(5, activation="softmax")(x),
                             name="classifier")
    inputs = keras.Input((SIZE, SIZE, 3))
    return keras.Model(inputs, classifier(inputs), name="wrapped")


def nested_head():
    """``Model(inp, head(features(inp)))`` with the head a Sequential of its own."""
    keras.utils.set_random_seed(13)
    head = keras.Sequential([keras.Input((8, 8, 16)), keras.layers.GlobalAveragePooling2D(),
                             keras.layers.Dropout(0.3), keras.layers.Dense(6)], name="head")
    inputs = keras.Input((SIZE, SIZE, 3))
    return keras.Model(inputs, head(_base("features_model")(inputs)), name="nested_head")


def gap_keepdims():
    """GlobalAveragePooling2D(keepdims=True) + Flatten + Dense."""
    keras.utils.set_random_seed(14)
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.GlobalAveragePooling2D(keepdims=True, name="pool")(_base("kd")(inputs))
    outputs = keras.layers.Dense(4, activation="softmax")(keras.layers.Flatten()(x))
    return keras.Model(inputs, outputs, name="keepdims")


def resnet_pooled():
    """keras.applications ResNet50 (random weights) with pooling='avg' + Dense(3, sigmoid)."""
    keras.utils.set_random_seed(15)
    base = keras.applications.ResNet50(weights=None, include_top=False, pooling="avg",
                                       input_shape=(64, 64, 3))
    inputs = keras.Input((64, 64, 3))
    return keras.Model(inputs, keras.layers.Dense(3, activation="sigmoid")(base(inputs)),
                       name="resnet_pooled")


BUILT = {f.__name__: f for f in (pooled_base_sigmoid, whole_classifier_nested, nested_head,
                                 gap_keepdims, resnet_pooled)}
FIXTURES = ["functional_model", "sequential_model", "nested_model", "no_gap_model"]
GAP_MODELS = FIXTURES[:3] + list(BUILT)
ALL_MODELS = FIXTURES + list(BUILT)
_MODELS: dict = {}


@pytest.fixture
def get_model(request):
    def get(name):
        if name in FIXTURES:
            return request.getfixturevalue(name)
        if name not in _MODELS:
            _MODELS[name] = BUILT[name]()
        return _MODELS[name]
    return get


def _images(model, n=3, seed=0):
    shape = tuple(model.inputs[0].shape[1:])
    return np.random.default_rng(seed).uniform(0, 255, (n, *shape)).astype("float32")


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def _fingerprint(model):
    """Everything a tap could change: layers, graph nodes, weights."""
    layers = list(_all_layers(model))
    return ([layer.name for layer in layers], [len(layer._inbound_nodes) for layer in layers],
            [w.numpy().copy() for w in model.weights])


def _has_gap(model):
    return ct.graph.find_classifier(model).pool is not None


def _has_probability(model):
    return ct.graph.find_classifier(model).activation in ("sigmoid", "softmax")


#: Options a method gets in the contract, to keep its cost small (LIME: a few samples).
CONTRACT_OPTIONS = {"lime": {"num_samples": 30, "n_segments": 12}}


def contract(method: str, model, score: str = "logit", n: int = 3) -> ct.CamResult:
    """The shared contract every registered method must pass on ``model`` (with ``score``).

    ``n`` images; with one, "one image at a time" is the first call itself and is not repeated.
    """
    images = _images(model, n=n)
    options = {"score": score, **CONTRACT_OPTIONS.get(method, {})}
    before = _fingerprint(model)
    if score == "probability" and (ct.methods.get(method).logit_only
                                   or not _has_probability(model)):
        with pytest.raises(ValueError, match="^score: "):
            ct.explain(model, images, method=method, **options)
        return None
    if ct.methods.get(method).needs_gap and not _has_gap(model):
        with pytest.raises(ValueError, match="GlobalAveragePooling2D"):
            ct.explain(model, images, method=method, **options)
        return None
    res = ct.explain(model, images, method=method, top=2, **options)
    if ct.methods.get(method).maps_at_input:        # LIME: the image's pixels, no layer
        layer, size = "input", images.shape[1:3]
    else:
        site = ct.graph.last_feature_maps(model)
        layer, size = site.name, site.shape[1:3]
    k = 2
    assert isinstance(res, ct.CamResult) and res.layer == layer
    assert res.maps.shape == (n, k, *size) and res.maps.dtype == np.float32
    assert np.all(np.isfinite(res.maps)) and np.all(np.isfinite(res.logits))
    assert res.classes.shape == (n, k) and res.logits.shape == (n, model.outputs[0].shape[-1])
    np.testing.assert_array_equal(res.classes, np.argsort(-res.logits, axis=1)[:, :k])
    # the same maps one image at a time, in batches of one, and with the classes given
    one_by_one = [np.concatenate([ct.explain(model, images[i], method=method, top=2,
                                             **options).maps for i in range(n)])] if n > 1 else []
    in_ones = ct.explain(model, images, method=method, top=2, batch_size=1, **options).maps
    given = ct.explain(model, images, method=method, classes=res.classes, **options).maps
    scale = max(np.abs(res.maps).max(), 1e-12)
    for other in (*one_by_one, in_ones, given):
        np.testing.assert_allclose(other, res.maps, rtol=1e-4, atol=1e-5 * scale)
    after = _fingerprint(model)
    assert after[:2] == before[:2], "explaining must not add layers or graph nodes to the model"
    for w_before, w_after in zip(before[2], after[2]):
        np.testing.assert_array_equal(w_before, w_after)
    return res


# Score-CAM on ResNet50 (2048 masked passes per image: 250 s for the contract on 3 images)
# and LIME (1000 per image) run on one image there, on the logit only: that checks the way
# through keras.applications' nested model; batching and the probability change nothing
# specific to ResNet50, and every smaller model checks them on 3 images.
MANY_PASSES = {name for name in ct.methods.names()
               if ct.methods.get(name).forward_passes_per_channel
               or ct.methods.get(name).maps_at_input}


@pytest.mark.parametrize("model_name", ALL_MODELS)
@pytest.mark.parametrize("method", ct.methods.names())
def test_every_method_keeps_the_contract(method, model_name, get_model):
    few = method in MANY_PASSES and model_name == "resnet_pooled"
    contract(method, get_model(model_name), n=1 if few else 3)
PROBABILITY_CASES = [(method, model) for method in ct.methods.names() for model in ALL_MODELS
                     if not (method in MANY_PASSES and model == "resnet_pooled")]


@pytest.mark.parametrize("method,model_name", PROBABILITY_CASES)
def test_every_method_keeps_the_contract_on_the_probability(method, model_name, get_model):
    model = get_model(model_name)
    res = contract(method, model, score="probability")
    if res is None or method == "eigen_cam":
        return
    logit = ct.explain(model, _images(model), method=method, top=2,
                       **CONTRACT_OPTIONS.get(method, {}))
    np.testing.assert_array_equal(res.classes, logit.classes)   # chosen by score either way
    np.testing.assert_array_equal(res.logits, logit.logits)     # still the logits
    assert not np.allclose(res.maps, logit.maps), "the probability must change the maps"


@pytest.mark.parametrize("score", ["prob", "Logit", None, 1, ("logit",)])
def test_an_unknown_score_is_a_value_error_naming_it(score, functional_model, images):
    with pytest.raises(ValueError, match=r"^score: expected one of \('logit', 'probability'\)"):
        ct.explain(functional_model, images, "grad_cam", score=score)


def test_the_probability_needs_a_sigmoid_or_softmax_and_cam_refuses_it(get_model,
                                                                        functional_model, images):
    model = get_model("nested_head")                      # Dense(6), no activation
    with pytest.raises(ValueError, match="^score: 'probability' needs .* 'linear'"):
        ct.grad_cam(model, _images(model), score="probability")
    with pytest.raises(ValueError, match="^score: cam is defined on the logit only"):
        ct.explain(functional_model, images, "cam", score="probability")
    assert ct.grad_cam(functional_model, images, score="logit").maps.shape == (3, 1, 8, 8)


@pytest.mark.parametrize("model_name", GAP_MODELS)
def test_cam_identities_on_every_gap_shape(model_name, get_model):
    model = get_model(model_name)
    images = _images(model)
    res = ct.cam(model, images, top=2)
    head = ct.graph.find_classifier(model)
    bias = head.dense.bias.numpy()
    np.testing.assert_allclose(res.maps.mean(axis=(-2, -1)) + bias[res.classes],
                               np.take_along_axis(res.logits, res.classes, 1),
                               rtol=1e-4, atol=1e-4)
    grad = ct.grad_cam(model, images, classes=res.classes)
    h, w = res.maps.shape[-2:]
    expected = np.maximum(res.maps, 0) / (h * w)
    np.testing.assert_allclose(grad.maps, expected, rtol=1e-4, atol=1e-5 * expected.max())
    assert grad.layer == res.layer == head.features.name


@pytest.mark.parametrize("model_name", ALL_MODELS)
def test_logits_are_the_scores_before_the_last_activation(model_name, get_model):
    model = get_model(model_name)
    images = _images(model)
    res = ct.grad_cam(model, images)
    outputs = model.predict(images, verbose=0)
    sigmoid = model_name in ("pooled_base_sigmoid", "resnet_pooled")
    linear = model_name == "nested_head"
    expected = np.asarray(tf.sigmoid(res.logits) if sigmoid else res.logits if linear
                          else tf.nn.softmax(res.logits))
    np.testing.assert_allclose(expected, outputs, rtol=1e-4, atol=1e-5)


def test_default_layer_is_found_inside_nested_models(get_model):
    assert ct.grad_cam(get_model("pooled_base_sigmoid"), _images(get_model(
        "pooled_base_sigmoid"))).layer == "base_features"
    assert ct.graph.last_feature_maps(get_model("nested_head")).name == "features_model_features"
    assert ct.graph.last_feature_maps(get_model("gap_keepdims")).shape == (None, 8, 8, 16)
    assert ct.graph.last_feature_maps(get_model("resnet_pooled")).name == "conv5_block3_out"
    assert ct.graph.last_feature_maps(get_model("whole_classifier_nested")).name == "trunk_features"


def test_grad_cam_at_layers_without_weights(get_model):
    model = get_model("pooled_base_sigmoid")
    images = _images(model)
    for layer in ("rescale", model.layers[0].name):      # a Rescaling layer, the input
        res = ct.grad_cam(model, images, layer=layer)
        assert res.maps.shape == (3, 1, SIZE, SIZE) and res.layer == layer
        assert np.all(np.isfinite(res.maps)) and res.maps.max() > 0


def test_cam_refuses_another_layer_and_models_without_gap(get_model, no_gap_model, images):
    with pytest.raises(ValueError, match="leave layer=None"):
        ct.explain(get_model("nested_head"), _images(get_model("nested_head")), "cam",
                   layer="features_model_conv1")
    with pytest.raises(ValueError, match="grad_cam"):
        ct.cam(no_gap_model, images)


def test_subclassed_and_unbuilt_models_get_advice_that_helps(images):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.conv, self.pool = keras.layers.Conv2D(4, 3), keras.layers.GlobalAveragePooling2D()
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(self.pool(self.conv(x)))

    net = Net()
    net(images)
    with pytest.raises(ValueError, match="subclassed Net .* functional API"):
        ct.grad_cam(net, images)
    with pytest.raises(ValueError, match="keras.Input"):
        ct.cam(keras.Sequential([keras.layers.Dense(2)]), images)


def test_unknown_method_names_the_registered_ones(functional_model, images):
    with pytest.raises(ValueError, match=r"method: expected one of \['cam', 'grad_cam'"):
        ct.explain(functional_model, images, method="gradcam")


def test_compiled_once_per_model_layer_and_method(functional_model, images):
    ct.explain(functional_model, images, "grad_cam", top=2)
    ct.explain(functional_model, images, "grad_cam", top=2)
    traced = _trace_count(functional_model)
    for _ in range(3):
        ct.explain(functional_model, images, "grad_cam", top=2)
        ct.explain(functional_model, images[:2], "grad_cam", top=2)
    assert _trace_count(functional_model) == traced


def _trace_count(model):
    return sum(fn.experimental_get_tracing_count()
               for fn in ct.methods.base.compiled_functions(model))


class Uniform(ct.methods.Method):
    """A dummy method: every channel weighs 1/C (the mean activation)."""

    name = "uniform"
    gradients = False

    def weights(self, s):
        shape = tf.shape(s.A)
        return tf.ones([shape[0], tf.shape(s.classes)[1], shape[3]]) / tf.cast(shape[3], tf.float32)


def test_a_new_method_is_one_class_and_one_register_line(get_model):
    ct.methods.register(Uniform())
    try:
        assert "uniform" in ct.methods.names()
        for name in ALL_MODELS:
            res = contract("uniform", get_model(name))
            np.testing.assert_allclose(res.maps.mean(axis=1), res.maps[:, 0], rtol=1e-6)
    finally:
        ct.methods.unregister("uniform")
    assert "uniform" not in ct.methods.names()
