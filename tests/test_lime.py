"""LIME through the real ``lime`` package: the same numbers as lime_image, determinism, truth, errors."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from lime import lime_image

import camteach as ct
from camteach import superpixels as sp
from camteach.methods.lime import Lime, LimeResult, logit_function

SIZE = 32
LIME = Lime()
FAST = {"num_samples": 60, "n_segments": 16}


def _explain(model, images, **options):
    return LIME.explain(model, images, **{**FAST, **options})


@pytest.fixture(scope="module")
def textured():
    """Smooth random colour blobs (superpixels follow them), 0-255, (3, 32, 32, 3)."""
    rng = np.random.default_rng(3)
    coarse = rng.uniform(0, 255, (3, 4, 4, 3))
    return np.repeat(np.repeat(coarse, 8, axis=1), 8, axis=2).astype("float32") \
        + rng.normal(0, 4, (3, SIZE, SIZE, 3)).astype("float32")


@pytest.fixture(scope="module")
def corner_model():
    """Class 0's logit is the mean brightness of the top-left 12x12 corner; class 1's its negative."""
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.Cropping2D(((0, SIZE - 12), (0, SIZE - 12)), name="corner")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    dense = keras.layers.Dense(2, name="scores")
    model = keras.Model(inputs, dense(x), name="corner_model")
    dense.set_weights([np.array([[1.0, -1.0]] * 3, "float32") / 3, np.zeros(2, "float32")])
    return model


# --- superpixels -------------------------------------------------------------------------

@pytest.mark.parametrize("method", sp.METHODS)
def test_segments_are_labelled_0_to_n_minus_1(method, textured):
    seg = sp.segment(textured[0], method, n_segments=16, seed=1)
    assert seg.shape == (SIZE, SIZE) and seg.dtype == np.int64
    assert set(np.unique(seg)) == set(range(sp.count(seg))) and sp.count(seg) > 1
    np.testing.assert_array_equal(seg, sp.segment(textured[0], method, n_segments=16, seed=1))


def test_paint_and_means_are_inverse_and_top_k_orders(textured):
    seg = sp.segment(textured[1], "slic", n_segments=16)
    values = np.random.default_rng(0).normal(size=(2, sp.count(seg)))
    painted = sp.paint(seg, values)
    assert painted.shape == (2, SIZE, SIZE)
    np.testing.assert_allclose(sp.superpixel_means(painted, seg), values, rtol=1e-6)
    top = sp.top_superpixels(values, 3)
    assert np.all(values[0, top[0]] == np.sort(values[0])[::-1][:3])
    assert sp.boundaries(seg).any() and not sp.boundaries(np.zeros((4, 4), int)).any()


def test_superpixel_errors_name_the_argument(textured):
    seg = sp.segment(textured[0], "slic", n_segments=16)
    with pytest.raises(ValueError, match="^segmentation: expected one of"):
        sp.segment(textured[0], "watershed")
    with pytest.raises(ValueError, match="^maps: expected maps at the segments' size"):
        sp.superpixel_means(np.zeros((7, 7)), seg)
    with pytest.raises(ValueError, match="^values: expected one value per superpixel"):
        sp.paint(seg, np.zeros(2))
    with pytest.raises(ValueError, match="^k: expected an int in"):
        sp.top_superpixels(np.zeros(3), 4)


# --- LIME --------------------------------------------------------------------------------

def test_the_same_numbers_as_lime_image_itself(functional_model, textured):
    """Same segments, seed and model: lime_image's own loop (batches of 10) gives our weights."""
    image, options = textured[0], {"num_samples": 200, "n_segments": 16, "seed": 5}
    res = LIME.explain(functional_model, image, top=2, **options)
    forward = logit_function(functional_model)
    explainer = lime_image.LimeImageExplainer(random_state=5)
    exp = explainer.explain_instance(
        image, lambda batch: forward(batch).numpy(), labels=tuple(res.classes[0]),
        top_labels=None, num_samples=200, segmentation_fn=lambda _: res.segments[0],
        random_seed=5)
    for j, label in enumerate(res.classes[0]):
        theirs = np.zeros(sp.count(res.segments[0]))
        for feature, weight in exp.local_exp[label]:
            theirs[feature] = weight
        np.testing.assert_allclose(res.weights[0][j], theirs, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(res.intercepts[0, j], exp.intercept[label], rtol=1e-5)
    assert res.r2[0, 1] == pytest.approx(exp.score, rel=1e-5)    # lime keeps the last label's


def test_result_shape_layer_and_painting(functional_model, textured):
    res = _explain(functional_model, textured, top=2)
    assert isinstance(res, LimeResult) and isinstance(res, ct.CamResult)
    assert res.maps.shape == (3, 2, SIZE, SIZE) and res.maps.dtype == np.float32
    assert res.layer == "input" and res.num_samples == 60
    np.testing.assert_array_equal(res.classes, np.argsort(-res.logits, axis=1)[:, :2])
    for i in range(3):
        np.testing.assert_allclose(res.maps[i], sp.paint(res.segments[i], res.weights[i]))
    assert res.r2.shape == (3, 2) and np.all(res.r2 <= 1)
    assert np.all(np.isfinite(res.maps)) and (res.maps < 0).any() and (res.maps > 0).any()


def test_the_same_seed_gives_the_same_map_and_another_seed_another(functional_model, textured):
    first = _explain(functional_model, textured[:2], seed=3)
    again = _explain(functional_model, textured[:2], seed=3, sample_batch=7, batch_size=1)
    other = _explain(functional_model, textured[:2], seed=4)
    np.testing.assert_allclose(again.maps, first.maps, rtol=1e-4, atol=1e-6)
    assert not np.allclose(other.maps, first.maps)
    one = _explain(functional_model, textured[1], seed=3)                 # position-free
    np.testing.assert_allclose(one.maps[0], first.maps[1], rtol=1e-4, atol=1e-6)


def test_given_classes_and_quickshift(functional_model, textured):
    top = _explain(functional_model, textured[:2], top=2, segmentation="quickshift")
    given = _explain(functional_model, textured[:2], classes=top.classes[:, ::-1],
                     segmentation="quickshift")
    np.testing.assert_allclose(given.maps, top.maps[:, ::-1], rtol=1e-5, atol=1e-7)


def test_the_top_superpixel_is_where_the_model_looks(corner_model, textured):
    """Only the top-left 12x12 corner moves the score: LIME must find it, and nothing else."""
    region = np.zeros((SIZE, SIZE), bool)
    region[:12, :12] = True
    res = LIME.explain(corner_model, textured, classes=0, num_samples=300, n_segments=25,
                       hide_color=0)
    for seg, w in zip(res.segments, res.weights):
        inside = sp.superpixel_means(region.astype(float), seg)      # share of each superpixel
        best = sp.top_superpixels(w[0], 1)[0]
        assert inside[best] > 0.5, "the top superpixel must lie mostly in the corner"
        outside = inside == 0
        assert np.abs(w[0, outside]).max() < 0.05 * w[0].max()
    assert res.r2.min() > 0.9                # a linear model of superpixels, fitted almost exactly
    flipped = LIME.explain(corner_model, textured, classes=1, num_samples=300, n_segments=25,
                           hide_color=0)
    np.testing.assert_allclose(flipped.maps, -res.maps, rtol=1e-4, atol=1e-4)


def test_the_probability_changes_the_maps_not_the_classes(functional_model, textured):
    logit = _explain(functional_model, textured[:2], top=2)
    prob = _explain(functional_model, textured[:2], top=2, score="probability")
    np.testing.assert_array_equal(prob.classes, logit.classes)
    assert not np.allclose(prob.maps, logit.maps)


def test_registered_under_its_name(functional_model, textured):
    assert "lime" in ct.methods.names()
    res = ct.explain(functional_model, textured[0], method="lime", **FAST)
    assert isinstance(res, LimeResult) and res.maps.shape == (1, 1, SIZE, SIZE)


def test_progress_bar_only_when_asked(functional_model, textured, capsys):
    _explain(functional_model, textured[:2])
    assert "LIME" not in capsys.readouterr().err      # not a terminal: no bar, no lime tqdm
    _explain(functional_model, textured[:2], progress=True)
    assert "LIME" in capsys.readouterr().err


@pytest.mark.parametrize("options,match", [
    ({"num_samples": 0}, "^num_samples: expected an int >= 10, got 0"),
    ({"num_samples": -5}, "^num_samples: "),
    ({"num_samples": 100.0}, "^num_samples: "),
    ({"segmentation": "felzenszwalb"}, r"^segmentation: expected one of \('slic', 'quickshift'\)"),
    ({"n_segments": 1}, "^n_segments: "),
    ({"hide_color": "grey"}, "^hide_color: expected None"),
    ({"hide_color": (1, 2)}, "^hide_color: "),
    ({"seed": -1}, "^seed: "),
    ({"kernel_width": 0}, "^kernel_width: "),
    ({"sample_batch": 0}, "^sample_batch: "),
    ({"progress": "yes"}, "^progress: "),
    ({"num_sample": 100}, "^num_sample: lime takes no such option"),
    ({"layer": "conv1"}, "^layer: lime perturbs the input image"),
    ({"top": 9}, "^top: "),
    ({"score": "prob"}, "^score: "),
])
def test_bad_options_are_value_errors_naming_them(options, match, functional_model, textured):
    with pytest.raises(ValueError, match=match):
        LIME.explain(functional_model, textured[0], **options)


def test_bad_images_are_value_errors_naming_them(functional_model, textured):
    grey = textured[0].mean(axis=-1)
    with pytest.raises(ValueError, match=r"^images: got one grayscale image of shape \(32, 32\)"):
        LIME.explain(functional_model, grey)
    with pytest.raises(ValueError, match=r"^images: the model reads RGB \(H, W, 3\) images, "
                                         r"got grayscale"):
        LIME.explain(functional_model, grey[..., None])
    with pytest.raises(ValueError, match="^images: the model expects images of 32x32"):
        LIME.explain(functional_model, textured[:, :16])
    two_channel = keras.Sequential([keras.Input((SIZE, SIZE, 2)), keras.layers.Conv2D(2, 3),
                                    keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"^model: lime .* needs a model that reads grayscale"):
        LIME.explain(two_channel, textured[..., :2])


# --- grayscale (1-channel) models: the chest X-ray model of lesson 10 ----------------------

@pytest.fixture(scope="module")
def grey_corner_model():
    """1 channel: class 0's logit is the mean intensity of the top-left 12x12 corner."""
    inputs = keras.Input((SIZE, SIZE, 1))
    x = keras.layers.Cropping2D(((0, SIZE - 12), (0, SIZE - 12)))(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    dense = keras.layers.Dense(2, name="scores")
    model = keras.Model(inputs, dense(x), name="grey_corner_model")
    dense.set_weights([np.array([[1.0, -1.0]], "float32"), np.zeros(2, "float32")])
    return model


@pytest.fixture(scope="module")
def grey(textured):
    return textured.mean(axis=-1, keepdims=True) / 255.0              # (3, 32, 32, 1) in [0, 1]


@pytest.mark.parametrize("method", sp.METHODS)
def test_grayscale_images_are_cut_into_superpixels(method, grey):
    seg = sp.segment(grey[0], method, n_segments=16, seed=1)
    assert seg.shape == (SIZE, SIZE) and set(np.unique(seg)) == set(range(sp.count(seg)))
    assert sp.count(seg) > (4 if method == "slic" else 1)    # quickshift: few on 32x32
    # the pieces follow the intensity: less spread inside a superpixel than over the image
    inside = np.mean([grey[0, ..., 0][seg == i].std() for i in range(sp.count(seg))])
    assert inside < (0.5 if method == "slic" else 0.8) * grey[0].std()


def test_lime_on_a_grayscale_model_finds_its_corner(grey_corner_model, grey):
    region = np.zeros((SIZE, SIZE), bool)
    region[:12, :12] = True
    res = LIME.explain(grey_corner_model, grey, classes=0, num_samples=300, n_segments=25,
                       hide_color=0)
    assert res.maps.shape == (3, 1, SIZE, SIZE) and res.segments.shape == (3, SIZE, SIZE)
    for seg, w in zip(res.segments, res.weights):
        inside = sp.superpixel_means(region.astype(float), seg)
        assert inside[sp.top_superpixels(w[0], 1)[0]] > 0.5
        assert np.abs(w[0, inside == 0]).max() < 0.05 * w[0].max()
    assert res.r2.min() > 0.9


def test_grayscale_mean_fill_is_each_superpixels_mean_intensity(grey_corner_model, grey):
    """hide_color=None on 1 channel: off superpixels show their own mean (lime's rule)."""
    from camteach.methods.lime import mean_colours
    seg = sp.segment(grey[1], "slic", n_segments=16)
    filled = mean_colours(grey[1], seg)
    assert filled.shape == grey[1].shape
    for i in range(sp.count(seg)):
        np.testing.assert_allclose(filled[seg == i], grey[1][seg == i].mean(), rtol=1e-5)
    # the same as lime's own loop on the RGB copy of the image (lime needs 3 channels)
    rgb = np.repeat(grey[1], 3, axis=-1)
    np.testing.assert_allclose(mean_colours(rgb, seg)[..., :1], filled, rtol=1e-5)
    first = LIME.explain(grey_corner_model, grey, classes=0, num_samples=100, n_segments=16)
    again = LIME.explain(grey_corner_model, grey, classes=0, num_samples=100, n_segments=16)
    np.testing.assert_array_equal(first.maps, again.maps)
    zero = LIME.explain(grey_corner_model, grey, classes=0, num_samples=100, n_segments=16,
                        hide_color=0)
    assert not np.allclose(zero.maps, first.maps)
    with pytest.raises(ValueError, match=r"^hide_color: expected None .* or 1 numbers"):
        LIME.explain(grey_corner_model, grey, hide_color=(0, 0, 0))
    with pytest.raises(ValueError, match=r"^images: the model reads grayscale \(H, W, 1\) "
                                         r"images, got RGB"):
        LIME.explain(grey_corner_model, np.repeat(grey, 3, axis=-1))
    with pytest.raises(ValueError, match=r"^images: got one grayscale image .* image\[\.\.\., "
                                         r"None\]"):
        LIME.explain(grey_corner_model, grey[0, ..., 0])


def test_refit_on_fewer_samples_equals_running_with_fewer(functional_model, textured):
    """lime's draws for m samples are the first m rows of a larger draw: refit needs no model."""
    from camteach.methods.lime import refit
    full = LIME.explain(functional_model, textured[:2], top=2, num_samples=200, n_segments=16)
    small = LIME.explain(functional_model, textured[:2], top=2, num_samples=50, n_segments=16)
    again = refit(full, 50)
    np.testing.assert_allclose(again.maps, small.maps, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(again.r2, small.r2, rtol=1e-5)
    assert again.num_samples == 50 and not np.allclose(again.maps, full.maps)
    with pytest.raises(ValueError, match=r"^num_samples: expected an int in \[10, 200\]"):
        refit(full, 300)


def test_lesson09_exercises_accept_their_solutions_and_name_their_mistakes(functional_model,
                                                                           textured, capsys):
    from camteach.exercises import lesson09
    res = LIME.explain(functional_model, textured[2], classes=1, num_samples=200, n_segments=16)
    heat = ct.upsample(ct.grad_cam(functional_model, textured[2:3], classes=[1]).maps[0, 0], SIZE)
    mask = np.zeros((SIZE, SIZE), bool)
    mask[8:24, 4:20] = True
    questions = lesson09.bind(res_new=res, heat=heat, mask=mask)
    for q in questions:
        namespace = q.namespace()
        exec(q.code, namespace)
        assert q.check(namespace[q.var]) is True, capsys.readouterr().out
        assert q.mistakes, f"{q.label} names no typical mistake"
        for answer, message in q.typical_mistakes():
            assert q.check(answer) is False
            assert message in capsys.readouterr().out
    with pytest.raises(ValueError, match="^res_new: "):
        lesson09.bind(res_new=ct.grad_cam(functional_model, textured[2]), heat=heat, mask=mask)


def test_stability_reuses_one_run_and_equals_running_each_setting(functional_model, textured):
    """Refits of the first seed's largest run give the same overlaps as separate runs."""
    from camteach.methods.lime import stability
    images, classes, k = textured[:2], [0, 1], 3
    opts = {"n_segments": 16, "num_samples": 40}
    stable = stability(functional_model, images, classes, seeds=(0, 1, 2), samples=(20, 80),
                       k=k, **opts)
    runs = {s: LIME.explain(functional_model, images, classes, **{**opts, "seed": s}).weights
            for s in (0, 1, 2)}
    levels = {n: LIME.explain(functional_model, images, classes,
                              **{**opts, "num_samples": n}).weights for n in (20, 80)}
    for i in range(2):
        pairs = [sp.top_overlap(runs[a][i][0], runs[b][i][0], k) for a, b in
                 ((0, 1), (0, 2), (1, 2))]
        assert stable["seeds"][i] == pytest.approx(np.mean(pairs))
        assert stable["samples"][20][i] == pytest.approx(
            sp.top_overlap(levels[20][i][0], levels[80][i][0], k))
    assert set(stable["samples"]) == {20} and np.all((stable["seeds"] >= 0)
                                                     & (stable["seeds"] <= 1))


def test_agreement_reads_a_map_per_superpixel(functional_model, textured):
    """LIME's own painted map agrees with it perfectly; its negative ranks it backwards."""
    from dataclasses import replace

    from camteach.methods.lime import agreement
    res = _explain(functional_model, textured[:2], classes=[0, 1])
    rho, shared = agreement(res, res, k=3)
    np.testing.assert_allclose(rho, 1.0)
    np.testing.assert_allclose(shared, 1.0)
    rho, shared = agreement(replace(res, maps=-res.maps), res, k=3)
    np.testing.assert_allclose(rho, -1.0)
    np.testing.assert_allclose(shared, 0.0)
    coarse = ct.grad_cam(functional_model, textured[:2], classes=[0, 1])   # its own resolution
    rho, shared = agreement(coarse, res, k=3)
    assert rho.shape == shared.shape == (2,) and np.all(np.abs(rho[np.isfinite(rho)]) <= 1)
    with pytest.raises(ValueError, match="^lime: expected LIME of the same 1 image"):
        agreement(replace(res, maps=res.maps[:1]), res)


def test_given_segments_replace_the_cut_and_are_checked(functional_model, textured):
    """Superpixels cut elsewhere (e.g. on the raw photo) give the same LIME as cutting here."""
    own = _explain(functional_model, textured[:1], classes=[2])
    seg = own.segments[0] * 10 + 3                       # any labels: relabelled 0..n-1
    given = _explain(functional_model, textured[:1], classes=[2], segments=seg)
    np.testing.assert_array_equal(given.segments, own.segments)
    np.testing.assert_allclose(given.maps, own.maps, rtol=1e-6, atol=1e-9)
    for bad in (seg[:8], seg.astype(float), -seg, np.stack([seg, seg])):
        with pytest.raises(ValueError, match=r"^segments: expected superpixel labels"):
            _explain(functional_model, textured[:1], classes=[2], segments=bad)


def test_lime_on_resnet50_reads_the_photo_cut_raw(resnet50):
    """Lesson 09's real-photo comparison, on ResNet50 with ``weights=None``: the network reads
    BGR minus the mean pixel, the superpixels are cut on the raw photo and kept as given."""
    from camteach.methods.lime import agreement
    photo = ct.photos(["chelsea"]).images
    x = ct.preprocess("resnet50", photo)
    seg = ct.superpixels.segment(photo[0])
    grad = ct.grad_cam(resnet50, x)
    res = ct.explain(resnet50, x, "lime", classes=grad.classes, num_samples=20, segments=seg)
    np.testing.assert_array_equal(res.segments[0], seg)
    assert res.maps.shape == (1, 1, 224, 224) and np.isfinite(res.maps).all()
    rho, shared = agreement(grad, res)
    assert rho.shape == shared.shape == (1,) and 0.0 <= shared[0] <= 1.0


def test_lesson09_photo_cell_runs_when_the_weights_are_there():
    """The ImageNet branch of lesson 09's photo cell, run on a stand-in network: a small
    224x224 model with 1000 classes (ResNet50 itself is covered above; 1000 samples on it
    would take minutes) and the real photo, preprocessing and superpixels."""
    import json
    from pathlib import Path
    from types import SimpleNamespace

    import matplotlib
    matplotlib.use("Agg")
    notebook = Path(__file__).resolve().parent.parent / "notebooks" / "09_gradcam_vs_lime.ipynb"
    cells = ["".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]]
    (source,) = [c for c in cells if c.startswith('if net.mode == "imagenet":')]
    keras.utils.set_random_seed(0)
    inputs = keras.Input((224, 224, 3))
    x = keras.layers.Conv2D(8, 8, strides=8, activation="relu")(inputs)
    x = keras.layers.Conv2D(16, 4, strides=4, activation="relu", name="last_conv")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(1000, activation="softmax")(x))
    net = SimpleNamespace(mode="imagenet", images=ct.photos(["chelsea"]).images, model=model,
                          preprocess=lambda images: ct.preprocess("resnet50", images),
                          class_names=ct.imagenet_class_names())
    namespace = {"ct": ct, "np": np, "net": net}
    exec(compile(source, str(notebook), "exec"), namespace)
    assert namespace["lime_photo"].segments.shape == (1, 224, 224)
    assert 0.0 <= namespace["photo_shared"][0] <= 1.0
