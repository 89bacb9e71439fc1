"""The CAM core: identities, Grad-CAM's relation to CAM, model kinds, errors."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import camteach as ct
from camteach import checks

GAP_MODELS = ["functional_model", "sequential_model", "nested_model"]


def _dense(model):
    return ct.features(model, np.zeros(model.inputs[0].shape[1:], "float32"))


@pytest.mark.parametrize("name", GAP_MODELS)
def test_mean_of_cam_plus_bias_is_the_logit(name, request, images):
    model = request.getfixturevalue(name)
    res = ct.cam(model, images, top=3)
    feats = ct.features(model, images)
    chosen = np.take_along_axis(res.logits, res.classes, axis=1)
    np.testing.assert_allclose(res.maps.mean(axis=(-2, -1)) + feats.b[res.classes], chosen,
                               rtol=1e-5, atol=1e-5)
    assert res.maps.dtype == np.float32 and res.maps.shape[:2] == (3, 3)


@pytest.mark.parametrize("name", GAP_MODELS)
def test_logits_are_pre_softmax_and_model_is_unchanged(name, request, images):
    model = request.getfixturevalue(name)
    before = model.predict(images, verbose=0)
    res = ct.cam(model, images)
    np.testing.assert_allclose(keras.ops.softmax(res.logits).numpy(), before, atol=1e-6)
    assert not np.allclose(res.logits, before)
    np.testing.assert_array_equal(model.predict(images, verbose=0), before)
    activations = [getattr(layer, "activation", None) for layer in model.layers]
    assert keras.activations.softmax in activations or any(
        isinstance(layer, keras.layers.Softmax) for layer in model.layers)


@pytest.mark.parametrize("name", GAP_MODELS)
def test_cam_is_the_weighted_sum_of_feature_maps(name, request, images):
    model = request.getfixturevalue(name)
    feats = ct.features(model, images)
    res = ct.cam(model, images, classes=[0, 1, 2])
    for n, c in enumerate([0, 1, 2]):
        by_hand = sum(feats.F[n, :, :, k] * feats.W[k, c] for k in range(feats.F.shape[-1]))
        np.testing.assert_allclose(res.maps[n, 0], by_hand, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(feats.F.mean(axis=(1, 2)), feats.pooled, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", GAP_MODELS)
def test_grad_cam_is_relu_cam_over_area(name, request, images):
    model = request.getfixturevalue(name)
    res = ct.cam(model, images, top=2)
    layer = res.layer
    grad = ct.grad_cam(model, images, classes=res.classes, layer=layer)
    h, w = res.maps.shape[-2:]
    expected = np.maximum(res.maps, 0) / (h * w)
    # float32 sums in a different order: compare at the maps' own scale
    np.testing.assert_allclose(grad.maps, expected, rtol=1e-4, atol=1e-5 * expected.max())
    np.testing.assert_array_equal(grad.classes, res.classes)
    np.testing.assert_allclose(grad.logits, res.logits, rtol=1e-5, atol=1e-5)


def test_top_classes_are_sorted_best_first(functional_model, images):
    res = ct.cam(functional_model, images, top=4)
    picked = np.take_along_axis(res.logits, res.classes, axis=1)
    assert np.all(np.diff(picked, axis=1) <= 0)
    np.testing.assert_array_equal(res.classes[:, 0], res.logits.argmax(axis=1))
    grad = ct.grad_cam(functional_model, images, top=4)
    np.testing.assert_array_equal(grad.classes, res.classes)


def test_classes_forms(functional_model, images):
    as_int = ct.cam(functional_model, images, classes=2)
    as_vector = ct.cam(functional_model, images, classes=np.array([2, 2, 2]))
    as_matrix = ct.cam(functional_model, images, classes=[[2, 0], [2, 1], [2, 5]])
    np.testing.assert_array_equal(as_int.maps, as_vector.maps)
    np.testing.assert_allclose(as_matrix.maps[:, 0], as_int.maps[:, 0], rtol=1e-6)
    assert as_matrix.maps.shape == (3, 2, 8, 8)
    single = ct.cam(functional_model, images[0], classes=2)
    np.testing.assert_allclose(single.maps[0], as_int.maps[0], rtol=1e-5, atol=1e-6)


def test_nested_model_taps_inside_the_base(nested_model, images):
    default = ct.grad_cam(nested_model, images)
    assert default.layer == "features"  # found inside the nested base
    inner = ct.grad_cam(nested_model, images, layer="conv1", classes=default.classes)
    assert inner.maps.shape == (3, 1, 16, 16) and inner.layer == "conv1"
    same = ct.grad_cam(nested_model, images, layer="base", classes=default.classes)
    np.testing.assert_allclose(same.maps, default.maps, rtol=1e-5, atol=1e-7)


def test_grad_cam_without_gap(no_gap_model, images):
    with pytest.raises(ValueError, match="grad_cam"):
        ct.cam(no_gap_model, images)
    res = ct.grad_cam(no_gap_model, images, top=2)
    assert res.maps.shape == (3, 2, 8, 8) and res.layer == "features"
    assert np.all(res.maps >= 0) and res.maps.max() > 0
    np.testing.assert_allclose(keras.ops.softmax(res.logits).numpy(),
                               no_gap_model.predict(images, verbose=0), atol=1e-6)


def test_resnet50_identities(resnet50):
    x = np.random.default_rng(1).normal(size=(2, 224, 224, 3)).astype("float32") * 50
    res = ct.cam(resnet50, x, top=5)
    assert res.layer == "conv5_block3_out" and res.maps.shape == (2, 5, 7, 7)
    bias = resnet50.get_layer("predictions").bias.numpy()
    np.testing.assert_allclose(res.maps.mean(axis=(-2, -1)) + bias[res.classes],
                               np.take_along_axis(res.logits, res.classes, 1), rtol=1e-4, atol=1e-4)
    grad = ct.grad_cam(resnet50, x, classes=res.classes[:, :1])
    assert grad.layer == "conv5_block3_out"
    np.testing.assert_allclose(grad.maps, np.maximum(res.maps[:, :1], 0) / 49, rtol=1e-3, atol=1e-7)


def test_compiled_once_per_model(functional_model, images):
    ct.cam(functional_model, images)
    ct.features(functional_model, images)
    functions = ct.methods.base.compiled_functions(functional_model)
    traces = [fn.experimental_get_tracing_count() for fn in functions]
    for _ in range(3):
        ct.cam(functional_model, images, top=2)
        ct.features(functional_model, images)
    assert [fn.experimental_get_tracing_count() for fn in functions] == traces


@pytest.mark.parametrize("bad, match", [
    (np.zeros((32, 32)), "images"),
    (np.zeros((1, 32, 32, 1)), "channels"),
    (np.zeros((1, 30, 32, 3)), "32x32"),
    (np.full((1, 32, 32, 3), np.nan), "NaN"),
    (np.zeros((0, 32, 32, 3)), "at least one"),
    (np.array([["a"]]), "numbers"),
])
def test_bad_images(functional_model, bad, match):
    with pytest.raises(ValueError, match=match):
        ct.cam(functional_model, bad)
    with pytest.raises(ValueError, match=match):
        ct.grad_cam(functional_model, bad)


@pytest.mark.parametrize("classes, match", [
    (6, r"\[0, 5\]"), (-1, r"\[0, 5\]"), ([0, 1], r"\(3,\)"), (1.5, "int"), (True, "bool"),
])
def test_bad_classes(functional_model, images, classes, match):
    with pytest.raises(ValueError, match=match):
        ct.cam(functional_model, images, classes=classes)
    with pytest.raises(ValueError, match=match):
        ct.grad_cam(functional_model, images, classes=classes)


def test_bad_top_layer_and_model(functional_model, images):
    with pytest.raises(ValueError, match="top"):
        ct.cam(functional_model, images, top=7)
    with pytest.raises(ValueError, match="top"):
        ct.grad_cam(functional_model, images, top=0)
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        ct.grad_cam(functional_model, images, layer="nope")
    with pytest.raises(ValueError, match="4-D"):
        ct.grad_cam(functional_model, images, layer="avg_pool")
    with pytest.raises(TypeError, match="keras.Model"):
        ct.cam("resnet50", images)
    with pytest.raises(ValueError, match="built"):
        ct.cam(keras.Sequential([keras.layers.Dense(2)]), images)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=0, max_size=6).filter(lambda s: len(s) not in (3, 4)))
def test_any_wrong_rank_is_a_clear_error(shape):
    with pytest.raises(ValueError, match=r"images: expected a batch \(N, H, W, C\)"):
        checks.as_batch(np.zeros(shape))


@settings(max_examples=30, deadline=None)
@given(st.integers(-50, 50), st.integers(1, 20))
def test_class_indices_accept_exactly_the_valid_range(c, num_classes):
    if 0 <= c < num_classes:
        np.testing.assert_array_equal(checks.class_indices(c, 3, num_classes), [[c]] * 3)
    else:
        with pytest.raises(ValueError, match=rf"classes: class indices must be in \[0, {num_classes - 1}\]"):
            checks.class_indices(c, 3, num_classes)
