"""The randomisation check (Adebayo et al. 2018) and the baselines."""

from __future__ import annotations

import numpy as np
import pytest

import camteach as ct
from camteach import sanity


def test_spearman_and_ssim_by_hand():
    a = np.arange(16.0).reshape(1, 4, 4)
    np.testing.assert_allclose(sanity.spearman(a, a ** 3), [1.0])          # same order
    np.testing.assert_allclose(sanity.spearman(a, -a), [-1.0])             # reversed
    np.testing.assert_allclose(sanity.spearman(a, np.zeros_like(a)), [0.0])  # no order at all
    b = np.array([[[1.0, 2.0], [3.0, 4.0]]])
    c = np.array([[[2.0, 1.0], [3.0, 4.0]]])
    # ranks 1..4 against 2, 1, 3, 4: 1 - 6 * sum(d^2) / (n (n^2 - 1)) = 1 - 6 * 2 / 60
    np.testing.assert_allclose(sanity.spearman(b, c), [0.8])
    rng = np.random.default_rng(0)
    x = rng.random((2, 32, 32))
    np.testing.assert_allclose(sanity.ssim(x, 5 * x + 1), [1.0, 1.0], atol=1e-6)  # min-max first
    assert sanity.ssim(x, rng.random((2, 32, 32))).max() < 0.2


def test_the_cascade_goes_from_the_logits_down():
    model = ct.load_course_model()
    steps = sanity.cascade_steps(model)
    names = [[layer.name for layer in group] for group in steps]
    assert names[0] == ["predictions"]
    assert names[1] == ["conv5_conv", "conv5_bn"]
    assert names[-1] == ["conv1_conv", "conv1_bn"]
    assert len(steps) == 9


def test_randomization_check_separates_the_model_from_a_randomised_one():
    model = ct.load_course_model()
    scenes = ct.make_scenes(8, seed=2)
    before = [w.copy() for w in model.get_weights()]
    logits = ct.explain(model, scenes.images, "cam", classes=scenes.labels).logits
    methods = {"cam": "cam", "grad_cam": "grad_cam",
               "edges": lambda m, x, c: ct.baselines.edge_maps(x)}
    check = ct.randomization_check(model, scenes.images, scenes.labels, methods, depths=(1, 9))
    assert check.steps[0] == "predictions" and check.depths == (1, 9)
    for name in ("cam", "grad_cam"):
        assert check.spearman[name].shape == (2, 8) and check.ssim[name].shape == (2, 8)
        assert np.abs(check.spearman[name][-1]).mean() < 0.5
        assert check.ssim[name][-1].mean() < 0.6
        assert check.passes[name]
    # an edge detector never asks the model: identical maps, and it fails
    np.testing.assert_allclose(check.spearman["edges"], 1.0)
    assert not check.passes["edges"]
    # the caller's model is untouched
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        ct.explain(model, scenes.images, "cam", classes=scenes.labels).logits, logits)


def test_randomization_check_refuses_bad_input():
    model = ct.load_course_model()
    scenes = ct.make_scenes(2, seed=2)
    with pytest.raises(ValueError, match="methods: expected a non-empty list"):
        ct.randomization_check(model, scenes.images, scenes.labels, [])
    with pytest.raises(ValueError, match="methods: expected a non-empty list"):
        ct.randomization_check(model, scenes.images, scenes.labels, "cam")
    with pytest.raises(ValueError, match="depths"):
        ct.randomization_check(model, scenes.images, scenes.labels, ["cam"], depths=(0,))
    with pytest.raises(ValueError, match="depths"):
        ct.randomization_check(model, scenes.images, scenes.labels, ["cam"], depths=(3, 2))
    with pytest.raises(ValueError, match="classes: expected one class per image"):
        ct.randomization_check(model, scenes.images, [[0, 1], [1, 2]], ["cam"])
    with pytest.raises(ValueError, match="method"):
        ct.randomization_check(model, scenes.images, scenes.labels, ["no_such_method"])
    with pytest.raises(ValueError, match="threshold"):
        ct.randomization_check(model, scenes.images, scenes.labels, ["cam"], threshold=0)


def test_baselines_are_shaped_like_a_methods_maps():
    rand = ct.baselines.random_maps(3, 7, classes=2, seed=4)
    assert rand.shape == (3, 2, 7, 7) and rand.dtype == np.float32
    np.testing.assert_array_equal(rand, ct.baselines.random_maps(3, 7, classes=2, seed=4))
    assert not np.array_equal(rand, ct.baselines.random_maps(3, 7, classes=2, seed=5))
    bump = ct.baselines.gaussian_maps(2, (7, 9))
    assert bump.shape == (2, 1, 7, 9)
    assert np.unravel_index(bump[0, 0].argmax(), (7, 9)) == (3, 4)      # the centre
    np.testing.assert_allclose(bump[0, 0], bump[0, 0, ::-1, ::-1])        # symmetric
    assert bump.max() == pytest.approx(1.0)
    image = np.zeros((1, 16, 16, 3))
    image[0, :, 8:] = 255                                                  # one vertical edge
    edges = ct.baselines.edge_maps(image)[0, 0]
    assert edges[:, 7:9].min() > 0 and edges[:, :6].max() == 0 and edges[:, 10:].max() == 0
    with pytest.raises(ValueError, match="n"):
        ct.baselines.random_maps(0)
    with pytest.raises(ValueError, match="sigma"):
        ct.baselines.gaussian_maps(1, sigma=0)
    with pytest.raises(ValueError, match="size"):
        ct.baselines.random_maps(1, size=(7, 0))


def test_the_gaussian_baseline_points_well_when_objects_sit_near_the_centre():
    scenes = ct.make_scenes(40, seed=2)
    bump = ct.baselines.gaussian_maps(len(scenes), 7)[:, 0]
    hits = ct.pointing_game(bump, scenes.masks)
    rand = ct.pointing_game(ct.baselines.random_maps(len(scenes), 7)[:, 0], scenes.masks)
    assert hits.mean() > rand.mean()
