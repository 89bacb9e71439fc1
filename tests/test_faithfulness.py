"""Deletion, insertion and ROAD: hand-computed cases, then the course model on unseen scenes."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import camteach as ct
from camteach import faithfulness


def mean_model(size: int = 8) -> keras.Model:
    """logit_0 = mean of the image, logit_1 = -mean (a 1x1 conv of weight 1, GAP, Dense)."""
    x = keras.Input((size, size, 1))
    f = keras.layers.Conv2D(1, 1, use_bias=False, kernel_initializer="ones")(x)
    pooled = keras.layers.GlobalAveragePooling2D()(f)
    out = keras.layers.Dense(2, kernel_initializer=keras.initializers.Constant([[1.0, -1.0]]),
                             bias_initializer="zeros")(pooled)
    return keras.Model(x, out)


@pytest.fixture(scope="module")
def object_case():
    image = np.zeros((1, 8, 8, 1), np.float32)
    image[0, :2, :] = 1.0                                  # the "object": 16 of 64 pixels
    return mean_model(), image, image[..., 0]             # the map: the object itself


def test_normalised_auc_by_hand():
    assert faithfulness.normalised_auc([1.0, 0.5, 0.0], [0, 0.5, 1]) == pytest.approx(0.5)
    assert faithfulness.normalised_auc([1.0, 1.0, 1.0], [0, 0.5, 1]) == pytest.approx(1.0)
    # uneven steps: the trapezoid over the real fractions, (1 + 0) / 2 * 0.25
    assert faithfulness.normalised_auc([1.0, 0.0, 0.0], [0, 0.25, 1]) == pytest.approx(0.125)
    # Petsiuk et al.'s formula for equal steps: (sum - first / 2 - last / 2) / S
    curve = np.array([0.9, 0.7, 0.2, 0.1, 0.05])
    assert faithfulness.normalised_auc(curve, np.linspace(0, 1, 5)) == pytest.approx(
        (curve.sum() - curve[0] / 2 - curve[-1] / 2) / 4)


def test_deletion_by_hand_on_a_mean_model(object_case):
    model, image, object_map = object_case
    good = faithfulness.deletion_curves(model, image, object_map, 0, steps=4, score="logit",
                                        substrate="zero")
    np.testing.assert_allclose(good.fractions, [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(good.scores, [[0.25, 0, 0, 0, 0]], atol=1e-6)   # object first
    assert good.auc[0] == pytest.approx(0.125 / 4)
    bad = faithfulness.deletion_curves(model, image, 1 - object_map, 0, steps=4, score="logit",
                                       substrate="zero")
    np.testing.assert_allclose(bad.scores, [[0.25, 0.25, 0.25, 0.25, 0]], atol=1e-6)
    assert bad.auc[0] == pytest.approx((0.25 * 3 + 0.125) / 4)
    np.testing.assert_allclose(ct.deletion_auc(model, image, object_map, 0, steps=4,
                                               score="logit", substrate="zero"), good.auc)
    # the probability of a linear head does not exist: say so
    with pytest.raises(ValueError, match="score: the model has no output activation"):
        ct.deletion_auc(model, image, object_map, 0)


def test_insertion_by_hand_on_a_mean_model(object_case):
    model, image, object_map = object_case
    curves = faithfulness.insertion_curves(model, image, object_map, 0, steps=4, score="logit")
    blurred = faithfulness.substrate_images(image, "blur")
    # restoring the object first brings the mean back to the image's at once
    expected = [blurred.mean(), 0.25 + blurred[0, 2:].sum() / 64, 0.25]
    np.testing.assert_allclose(curves.scores[0, [0, 1, 4]], expected, rtol=1e-5)
    assert curves.auc[0] == pytest.approx(
        faithfulness.normalised_auc(curves.scores[0], curves.fractions))
    assert curves.auc[0] > faithfulness.insertion_auc(model, image, 1 - object_map, 0, steps=4,
                                                      score="logit")[0]
    # the blur is Petsiuk et al.'s: sigma 5 px, cut at 11 x 11 (radius 5)
    delta = np.zeros((1, 21, 21, 1), np.float32)
    delta[0, 10, 10] = 1
    kernel = faithfulness.substrate_images(delta, "blur")[0, :, :, 0]
    assert np.count_nonzero(kernel[10]) == 11 and kernel.sum() == pytest.approx(1, rel=1e-5)


def test_small_maps_are_upsampled_the_course_way():
    model = ct.load_course_model()
    scenes = ct.make_scenes(3, seed=2)
    small = np.random.default_rng(1).normal(size=(3, 7, 7)).astype(np.float32)
    big = ct.upsample(small, 224)
    for fn in (ct.deletion_auc, ct.insertion_auc):
        np.testing.assert_allclose(fn(model, scenes.images, small, scenes.labels, steps=4),
                                   fn(model, scenes.images, big[:, None], scenes.labels, steps=4))


def test_grad_cam_beats_a_random_map_on_unseen_scenes():
    model = ct.load_course_model()
    scenes = ct.make_scenes(24, seed=2)
    grad = ct.explain(model, scenes.images, "grad_cam", classes=scenes.labels).maps
    rand = ct.baselines.random_maps(len(scenes), 7, seed=0)
    options = {"steps": 16}
    d_grad = ct.deletion_auc(model, scenes.images, grad, scenes.labels, **options)
    d_rand = ct.deletion_auc(model, scenes.images, rand, scenes.labels, **options)
    i_grad = ct.insertion_auc(model, scenes.images, grad, scenes.labels, **options)
    i_rand = ct.insertion_auc(model, scenes.images, rand, scenes.labels, **options)
    assert d_grad.mean() < d_rand.mean() - 0.2
    assert i_grad.mean() > i_rand.mean() + 0.05
    assert (d_grad < d_rand).mean() > 0.8


def test_noisy_linear_imputation_is_the_neighbours_weighted_mean():
    image = np.arange(9, dtype=np.float64).reshape(3, 3, 1) ** 2
    removed = np.zeros((3, 3), bool)
    removed[1, 1] = True
    out = faithfulness.noisy_linear_imputation(image, removed, noise=0.0)
    direct, diagonal = image[[0, 1, 1, 2], [1, 0, 2, 1], 0], image[[0, 0, 2, 2], [0, 2, 0, 2], 0]
    expected = (direct.sum() / 6 + diagonal.sum() / 12) / (4 / 6 + 4 / 12)
    assert out[1, 1, 0] == pytest.approx(expected)
    np.testing.assert_array_equal(out[~removed], image[~removed])
    # a linear ramp is imputed exactly, however large the hole (the weights are symmetric)
    ramp = np.stack(np.meshgrid(np.arange(20.0), 3 * np.arange(20.0), indexing="ij"), -1)
    hole = np.zeros((20, 20), bool)
    hole[3:15, 5:18] = True
    np.testing.assert_allclose(faithfulness.noisy_linear_imputation(ramp, hole, noise=0.0),
                               ramp, atol=1e-4)
    noisy = faithfulness.noisy_linear_imputation(ramp, hole, noise=0.01, seed=3)
    assert 0 < np.abs(noisy - ramp).max() < 0.01 * ramp.std() * 6
    with pytest.raises(ValueError, match="removed: at least one pixel must be kept"):
        faithfulness.noisy_linear_imputation(ramp, np.ones((20, 20), bool))
    with pytest.raises(ValueError, match="removed: expected a mask"):
        faithfulness.noisy_linear_imputation(ramp, hole[:5])


def test_road_ranks_grad_cam_above_a_random_map():
    model = ct.load_course_model()
    scenes = ct.make_scenes(6, seed=2)
    grad = ct.explain(model, scenes.images, "grad_cam", classes=scenes.labels).maps
    rand = ct.baselines.random_maps(len(scenes), 7, seed=0)
    options = {"percentages": (20, 50, 80)}
    good = ct.road(model, scenes.images, grad, scenes.labels, **options)
    bad = ct.road(model, scenes.images, rand, scenes.labels, **options)
    assert good.morf.shape == (6, 3) and good.percentages.tolist() == [20, 50, 80]
    assert good.morf_auc.mean() < bad.morf_auc.mean()
    assert good.lerf_auc.mean() > good.morf_auc.mean()
    assert good.gap.mean() > bad.gap.mean()


def test_bad_input_gets_clear_errors(object_case):
    model, image, object_map = object_case
    with pytest.raises(ValueError, match="maps: expected one map per image"):
        ct.deletion_auc(model, image, np.ones((2, 8, 8)), 0, score="logit")
    with pytest.raises(ValueError, match="classes"):
        ct.deletion_auc(model, image, object_map, 5, score="logit")
    with pytest.raises(ValueError, match="score"):
        ct.insertion_auc(model, image, object_map, 0, score="softmax")
    with pytest.raises(ValueError, match="steps"):
        ct.deletion_auc(model, image, object_map, 0, score="logit", steps=0)
    with pytest.raises(ValueError, match="substrate"):
        ct.deletion_auc(model, image, object_map, 0, score="logit", substrate="grey")
    with pytest.raises(ValueError, match="blur_sigma"):
        ct.insertion_auc(model, image, object_map, 0, score="logit", blur_sigma=0)
    with pytest.raises(ValueError, match="maps: contains NaN"):
        ct.deletion_auc(model, image, np.full((1, 8, 8), np.nan), 0, score="logit")
    with pytest.raises(ValueError, match="images"):
        ct.deletion_auc(model, np.zeros((1, 9, 9, 1)), object_map, 0, score="logit")
    with pytest.raises(ValueError, match="percentages"):
        ct.road(model, image, object_map, 0, score="logit", percentages=(50, 20))
    with pytest.raises(ValueError, match="percentages"):
        ct.road(model, image, object_map, 0, score="logit", percentages=(0.5,))
