"""The family ranking on a handful of scenes: structure, ranges, and a wrong method last."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import camteach as ct
from camteach import ranking

GRADIENT = ["cam", "grad_cam", "hires_cam", "layer_cam"]


@pytest.fixture(scope="module")
def course_model():
    return ct.load_course_model()


@pytest.fixture(scope="module")
def scenes():
    return ct.make_scenes(8, seed=ranking.TEST_SEED)


@pytest.fixture(scope="module")
def validation():
    return ct.make_scenes(6, seed=ct.metrics.VAL_SEED)


class Inverted(ct.methods.Method):
    """A deliberately wrong method: minus the CAM, so its peak is where the evidence is least."""

    name = "inverted_cam"
    gradients = False
    needs_gap = True

    def weights(self, s):
        return -s.W_c


@pytest.fixture(scope="module")
def ranked(course_model, scenes, validation):
    ct.methods.register(Inverted())
    try:
        yield ranking.rank_methods(course_model, scenes, GRADIENT + ["inverted_cam"],
                                   validation=validation)
    finally:
        ct.methods.unregister("inverted_cam")


def test_every_method_once_best_first_and_the_wrong_one_last(ranked, scenes, validation):
    assert sorted(ranked.names) == sorted(GRADIENT + ["inverted_cam"])
    assert ranked.names[-1] == "inverted_cam"
    means = [row.mean for row in ranked.rows]
    assert means == sorted(means, reverse=True)
    assert ranked["inverted_cam"].pointing < 0.5 < ranked["grad_cam"].pointing
    assert ranked["inverted_cam"].energy < ranked["grad_cam"].energy
    assert (ranked.scenes, ranked.validation) == (len(scenes), len(validation))


def test_scores_are_in_range_and_thresholds_come_from_the_list(ranked):
    for row in ranked.rows:
        assert row.available and row.note == ""
        for value in (row.pointing, row.iou, row.energy, row.mean):
            assert 0.0 <= value <= 1.0
        assert row.pointing * 8 == pytest.approx(round(row.pointing * 8))   # hits out of 8
        assert row.threshold in ct.metrics.THRESHOLDS
        assert row.seconds_per_image > 0


def test_the_scores_are_the_metrics_of_the_true_class_maps(ranked, course_model, scenes):
    maps = ct.grad_cam(course_model, scenes.images, classes=scenes.labels[:, None]).maps[:, 0]
    row = ranked["grad_cam"]
    assert row.pointing == ct.metrics.pointing_game(maps, scenes.masks).mean()
    assert row.energy == pytest.approx(ct.metrics.energy_pointing(maps, scenes.masks).mean())
    heat = ct.upsample(maps, 224)
    iou = ct.box_iou([ct.cam_box(h, row.threshold) for h in heat], scenes.boxes).mean()
    assert row.iou == pytest.approx(iou)


def test_cam_and_hires_cam_rank_alike_on_a_gap_head(ranked):
    """On a GAP head HiRes-CAM is CAM / (h*w): every measure is scale-free, so they tie."""
    cam, hires = ranked["cam"], ranked["hires_cam"]
    assert (cam.pointing, cam.threshold) == (hires.pointing, hires.threshold)
    assert cam.iou == pytest.approx(hires.iou) and cam.energy == pytest.approx(hires.energy)


def test_the_threshold_is_chosen_on_validation_not_on_the_reported_scenes(course_model, scenes,
                                                                          validation):
    maps = ct.cam(course_model, validation.images, classes=validation.labels).maps[:, 0]
    chosen = ranking.best_threshold(maps, validation.boxes, 224)
    assert chosen == ct.choose_threshold(course_model, validation)
    fixed = ranking.rank_methods(course_model, scenes, ["cam"], validation=0.5)
    assert fixed["cam"].threshold == 0.5 and fixed.validation == 0


def test_methods_that_need_a_gap_head_are_n_a_on_the_vgg_shape():
    small = ct.make_scenes(3, seed=ranking.TEST_SEED, size=64)
    result = ranking.rank_methods(_no_gap_for(small), small, ["cam", "grad_cam"], validation=0.3)
    assert result.names == ("grad_cam", "cam")
    assert not result["cam"].available and "GlobalAveragePooling2D" in result["cam"].note
    table = result.to_markdown()
    assert table.splitlines()[-1].startswith("| - | cam | n/a")
    assert "s / image" not in result.to_markdown(seconds=False)


def _no_gap_for(scenes):
    """A small VGG-like model (Flatten + Dense) for ``scenes``' image size."""
    keras.utils.set_random_seed(3)
    inputs = keras.Input(scenes.images.shape[1:])
    x = keras.layers.Rescaling(1 / 255)(inputs)
    x = keras.layers.Conv2D(4, 3, strides=4, activation="relu")(x)
    x = keras.layers.Conv2D(8, 3, strides=2, activation="relu", name="features")(x)
    outputs = keras.layers.Dense(4, activation="sigmoid")(keras.layers.Flatten()(x))
    return keras.Model(inputs, outputs, name="small_vgg")


def test_the_markdown_table(ranked):
    lines = ranked.to_markdown().splitlines()
    assert lines[0] == ("| rank | method | pointing (15 px) | box IoU | threshold | "
                        "energy inside | mean | s / image |")
    assert len(lines) == 2 + len(GRADIENT) + 1
    assert lines[2].startswith(f"| 1 | {ranked.names[0]} | ")
    assert str(ranked) == ranked.to_markdown()


@pytest.mark.parametrize("kwargs,match", [
    ({"scenes": np.zeros((2, 224, 224, 3))}, "^scenes: expected Scenes"),
    ({"methods": "grad_cam"}, "^methods: expected a non-empty list"),
    ({"methods": ["gradcam"]}, "^method: expected one of"),
    ({"methods": ["cam", "cam"]}, "^methods: expected each method once"),
    ({"validation": 1.5}, "^validation: "),
    ({"options": {"lime": {}}, "methods": ["cam"]}, "^options: "),
    ({"score": "prob"}, r"^score: expected one of \('logit', 'probability'\)"),
])
def test_bad_arguments_are_value_errors_naming_them(kwargs, match, course_model, scenes):
    arguments = {"scenes": scenes[:2], **kwargs}
    with pytest.raises(ValueError, match=match):
        ranking.rank_methods(course_model, **arguments)


def test_on_the_probability_cam_is_n_a_and_the_others_are_scored(course_model, scenes):
    result = ranking.rank_methods(course_model, scenes[:4], ["cam", "grad_cam"],
                                  validation=0.5, score="probability")
    assert result.names == ("grad_cam", "cam") and result.score == "probability"
    assert result["cam"].note == "defined on the logit only"
    maps = ct.grad_cam(course_model, scenes.images[:4], classes=scenes.labels[:4, None],
                       score="probability").maps[:, 0]
    assert result["grad_cam"].energy == pytest.approx(
        ct.metrics.energy_pointing(maps, scenes.masks[:4]).mean())


def test_two_object_scenes_are_refused(course_model):
    with pytest.raises(ValueError, match="^scenes: expected single-object scenes"):
        ranking.rank_methods(course_model, ct.make_scenes(2, seed=5, objects=2), ["cam"])


def test_the_test_seed_is_the_training_module_s():
    from camteach import training
    assert ranking.TEST_SEED == training.TEST_SEED
