"""The course model: architecture, the shipped weights and their hash, training."""

from __future__ import annotations

import json
import shutil

import keras
import numpy as np
import pytest

import camteach as ct
from camteach import course_model, training


def test_architecture_mirrors_resnet50_head():
    model = ct.build_course_model(seed=0)
    features = model.get_layer(course_model.FEATURE_LAYER)
    assert model.inputs[0].shape[1:] == (224, 224, 3)
    assert features.output.shape[1:3] == (7, 7) and 64 <= features.output.shape[-1] <= 512
    assert isinstance(model.get_layer("avg_pool"), keras.layers.GlobalAveragePooling2D)
    head = model.get_layer("predictions")
    assert head.kernel.shape == (features.output.shape[-1], len(ct.CLASS_NAMES))
    assert head.activation is keras.activations.sigmoid    # one logistic regression per class
    # ReLU last: every feature is >= 0 (the lecture's point)
    F = ct.features(model, np.random.default_rng(0).uniform(0, 255, (2, 224, 224, 3))).F
    assert F.min() >= 0 and F.shape == (2, 7, 7, features.output.shape[-1])


def test_build_is_deterministic_and_validated():
    a = ct.build_course_model(seed=3).get_weights()
    b = ct.build_course_model(seed=3).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    with pytest.raises(ValueError, match="widths"):
        ct.build_course_model(widths=(8, 8))
    with pytest.raises(ValueError, match="activation: expected one of"):
        ct.build_course_model(activation="relu")


def test_the_head_matches_the_training_loss_and_leaves_the_logits_alone():
    assert training.head_for("one_vs_rest") == "sigmoid"
    assert training.head_for("softmax") == "softmax"
    assert training.head_for(training.TrainConfig().loss) == "sigmoid"
    with pytest.raises(ValueError, match="loss: expected one of"):
        training.head_for("hinge")
    raw = ct.build_course_model(widths=(8, 16, 16, 32), seed=1, activation=None)
    images = ct.make_scenes(3, seed=4).images
    logits = raw.predict(images, verbose=0)
    for activation, expected in (("sigmoid", 1 / (1 + np.exp(-logits))),
                                 ("softmax", np.exp(logits) / np.exp(logits).sum(1, keepdims=True))):
        headed = ct.with_head(raw, activation)
        assert headed.get_layer("predictions").activation.__name__ == activation
        np.testing.assert_allclose(ct.features(headed, images).logits, logits, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(headed.predict(images, verbose=0), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="activation: expected one of"):
        ct.with_head(raw, "relu")
    not_course = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(2, 3)])
    with pytest.raises(ValueError, match="model: expected a course-architecture model"):
        ct.with_head(not_course, "softmax")


@pytest.mark.parametrize("name", ["course", "shortcut"])
def test_shipped_models_load_offline_with_their_hash(name):
    entry = course_model.manifest()[name]
    path = course_model.DATA / entry["file"]
    assert path.stat().st_size <= 10 * 2**20
    assert course_model.sha256(path) == entry["sha256"]
    model = ct.load_course_model(name)
    head = model.get_layer("predictions")
    assert head.kernel.shape[-1] == len(ct.CLASS_NAMES)
    # shipped as trained: one logistic regression (sigmoid) per class
    assert entry["head"] == entry["training"]["head"] == "sigmoid"
    assert entry["training"]["config"]["loss"] == "one_vs_rest"
    assert head.activation is keras.activations.sigmoid
    image = ct.draw_scene("face").images
    res = ct.cam(model, image)                     # CAM works on it unchanged
    np.testing.assert_allclose(model.predict(image, verbose=0), 1 / (1 + np.exp(-res.logits)),
                               rtol=1e-5, atol=1e-6)


def test_course_model_says_nothing_is_there_on_empty_backgrounds():
    """The backgrounds lesson 06 shows: no class gets a probability above 0.5."""
    model = ct.load_course_model()
    probs = model.predict(ct.make_backgrounds(100, seed=training.TEST_SEED), verbose=0)
    assert probs.shape == (100, len(ct.CLASS_NAMES))
    assert probs.max() <= 0.5
    # while on scenes with an object, the object's class is above 0.5
    test = ct.make_scenes(40, seed=training.TEST_SEED)
    assert np.all(model.predict(test.images, verbose=0)[np.arange(40), test.labels] > 0.5)


def test_load_refuses_a_tampered_file(tmp_path, monkeypatch):
    entry = course_model.manifest()["course"]
    shutil.copy(course_model.DATA / entry["file"], tmp_path / entry["file"])
    with open(tmp_path / entry["file"], "r+b") as handle:
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(bytes([byte[0] ^ 1]))
    (tmp_path / "models.json").write_text(json.dumps({"course": entry}))
    monkeypatch.setattr(course_model, "DATA", tmp_path)
    monkeypatch.setattr(course_model, "MANIFEST", tmp_path / "models.json")
    with pytest.raises(ValueError, match="SHA-256 mismatch"):
        ct.load_course_model("course")
    with pytest.raises(ValueError, match="name: expected one of"):
        ct.load_course_model("imagenet")


def test_load_refuses_a_head_the_manifest_does_not_record(tmp_path, monkeypatch):
    entry = dict(course_model.manifest()["course"], head="softmax")
    shutil.copy(course_model.DATA / entry["file"], tmp_path / entry["file"])
    (tmp_path / "models.json").write_text(json.dumps({"course": entry}))
    monkeypatch.setattr(course_model, "DATA", tmp_path)
    monkeypatch.setattr(course_model, "MANIFEST", tmp_path / "models.json")
    with pytest.raises(ValueError, match="its head is 'sigmoid' but models.json says 'softmax'"):
        ct.load_course_model("course")


def test_trained_model_beats_chance_on_test_scenes():
    model = ct.load_course_model()
    test = ct.make_scenes(40, seed=training.TEST_SEED)
    res = ct.cam(model, test.images)
    assert np.mean(res.classes[:, 0] == test.labels) >= 0.9


@pytest.mark.parametrize("loss", ["one_vs_rest", "softmax"])
def test_a_few_training_steps_reduce_the_loss(loss):
    images, labels = training.scene_arrays(32, seed=123, workers=1)
    model = ct.build_course_model(widths=(8, 16, 16, 32), seed=0, activation=None)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=training._loss(loss))
    first = model.train_on_batch(images, labels)
    for _ in range(12):
        last = model.train_on_batch(images, labels)
    assert last < 0.7 * first


def test_scene_arrays_do_not_depend_on_workers():
    one_x, one_y = training.scene_arrays(8, seed=5, workers=1)
    scenes = ct.make_scenes(8, seed=5)
    np.testing.assert_array_equal(one_x, scenes.images)
    np.testing.assert_array_equal(one_y, scenes.labels)


def test_shortcut_model_teaches_its_lesson():
    """Lesson 06's claims, on unseen scenes: it knows faces, houses and flowers, yet a stripe
    makes anything a car, and its car CAM points at the stripe."""
    report = training.evaluate_shortcut(ct.load_course_model("shortcut"), n=120)
    confusion = np.array(report["clean_confusion"])
    assert confusion.sum() == 120 and confusion.shape == (4, 4)
    for name in ("face", "house", "flower"):
        assert report["clean_per_class_accuracy"][name] >= 0.9, name
    assert report["cued_images"] >= 60
    assert report["cued_called_shortcut_class"] >= 0.9
    assert report["cam_peak_near_cue"] >= 0.8
    assert report["cam_peak_near_cue"] >= report["cam_peak_on_cue"]


def test_the_cue_is_read_from_the_pixels_as_the_scenes_drew_it():
    for shortcut in ("stripe", "corner"):
        scenes = ct.make_scenes(24, seed=6, shortcut=shortcut, shortcut_class="car")
        cued = scenes.cue_masks.any(axis=(1, 2))
        assert 0 < cued.sum() < 24          # some scenes have it, some do not
        np.testing.assert_array_equal(training.carries_cue(scenes.images), cued)
    assert not training.carries_cue(ct.make_scenes(24, seed=6).images).any()


@pytest.mark.parametrize("seed", [training.TEST_SEED, training.VAL_SEED])
def test_training_refuses_the_validation_and_test_seeds(seed):
    with pytest.raises(ValueError, match="seed: expected a seed other than"):
        training.train(training.TrainConfig(scenes=4, backgrounds=0, seed=seed))


# -- the "vgg" model: no global average pooling, so no CAM; Grad-CAM explains it ----------

def _has_gap(model) -> bool:
    return any(isinstance(layer, keras.layers.GlobalAveragePooling2D) for layer in model.layers)


def test_vgg_architecture_has_no_global_average_pooling():
    model = course_model.build_vgg_model(seed=0)
    assert not _has_gap(model)
    assert isinstance(model.get_layer("flatten"), keras.layers.Flatten)
    feature = model.get_layer(course_model.VGG_FEATURE_LAYER)
    assert feature.output.shape[1:3] == (14, 14)          # as VGG16's block5_conv3
    assert feature.activation is keras.activations.relu   # maps >= 0, as the lecture says
    sizes = [model.get_layer(name).output.shape[1] for name in course_model.VGG_BLOCK_OUTPUTS]
    assert sizes == [56, 28, 14]
    assert model.get_layer("predictions").activation is keras.activations.sigmoid
    with pytest.raises(ValueError, match="widths: expected 1 to 5"):
        course_model.build_vgg_model(widths=())
    with pytest.raises(ValueError, match="dense: expected a positive"):
        course_model.build_vgg_model(dense=0)


def test_folding_batch_norm_keeps_every_score():
    trained = course_model.build_vgg_model(widths=(8, 16, 16), dense=8, seed=1, activation=None,
                                           batch_norm=True)
    rng = np.random.default_rng(0)
    for layer in trained.layers:
        if isinstance(layer, keras.layers.BatchNormalization):  # statistics a fit would leave
            gamma, beta, mean, var = layer.get_weights()
            layer.set_weights([gamma * rng.uniform(0.5, 2, gamma.shape), rng.normal(0, .3, beta.shape),
                               rng.normal(0, .3, mean.shape), var * rng.uniform(0.5, 2, var.shape)])
    shipped = course_model.fold_batch_norm(trained, "sigmoid")
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in shipped.layers)
    images = ct.make_scenes(3, seed=4).images
    logits = trained.predict(images, verbose=0)
    np.testing.assert_allclose(ct.explain(shipped, images).logits,
                               logits, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(shipped.predict(images, verbose=0), 1 / (1 + np.exp(-logits)),
                               rtol=1e-4, atol=1e-5)


def test_training_builds_the_vgg_form_and_checks_the_architecture():
    with pytest.raises(ValueError, match="architecture: expected one of"):
        training.train(training.TrainConfig(scenes=4, backgrounds=0, architecture="resnet"))
    images, labels = training.scene_arrays(32, seed=123, workers=1)
    model = course_model.build_vgg_model(widths=(8, 16, 16), dense=16, seed=0, activation=None,
                                         batch_norm=True)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=training._loss("one_vs_rest"))
    first = model.train_on_batch(images, labels)
    for _ in range(12):
        last = model.train_on_batch(images, labels)
    assert last < 0.7 * first


@pytest.fixture(scope="module")
def vgg():
    return ct.load_course_model("vgg")


def test_vgg_model_ships_with_its_hash_head_and_the_course_scenes(vgg):
    models = course_model.manifest()
    entry = models["vgg"]
    path = course_model.DATA / entry["file"]
    assert path.stat().st_size == entry["size_bytes"] <= 10 * 2**20
    assert course_model.sha256(path) == entry["sha256"]
    assert entry["head"] == entry["training"]["head"] == "sigmoid"
    config, course = entry["training"]["config"], models["course"]["training"]["config"]
    assert config["architecture"] == "vgg"
    for key in ("seed", "loss"):            # the course model's scenes (the first of them)
        assert config[key] == course[key], key
    assert 0 < config["scenes"] <= course["scenes"]
    assert vgg.get_layer("predictions").activation is keras.activations.sigmoid
    assert not _has_gap(vgg)
    assert vgg.get_layer(course_model.VGG_FEATURE_LAYER).output.shape[1:3] == (14, 14)


def test_vgg_model_refuses_a_tampered_file(tmp_path, monkeypatch):
    entry = course_model.manifest()["vgg"]
    data = (course_model.DATA / entry["file"]).read_bytes()
    (tmp_path / entry["file"]).write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    (tmp_path / "models.json").write_text(json.dumps({"vgg": entry}))
    monkeypatch.setattr(course_model, "DATA", tmp_path)
    monkeypatch.setattr(course_model, "MANIFEST", tmp_path / "models.json")
    with pytest.raises(ValueError, match="SHA-256 mismatch"):
        ct.load_course_model("vgg")


def test_cam_refuses_the_vgg_model_with_the_clear_error(vgg):
    image = ct.draw_scene("car").images
    with pytest.raises(ValueError, match=r"model: 'vgg_cnn' has no GlobalAveragePooling2D "
                                         r"followed by a Dense layer.*use ct\.grad_cam"):
        ct.cam(vgg, image)
    with pytest.raises(ValueError, match="has no GlobalAveragePooling2D"):
        ct.explain(vgg, image, "cam")


def test_vgg_model_is_accurate_and_its_grad_cam_points_on_unseen_scenes(vgg):
    """The shipping targets (>= 97% accuracy, >= 90% pointing, measured on 800 test scenes by
    `course.py evaluate`), with a margin for 160 scenes: about 4 binomial standard errors."""
    test = ct.make_scenes(160, seed=training.TEST_SEED, start=1000)
    res = ct.explain(vgg, test.images, "grad_cam", classes=test.labels,
                     layer=course_model.VGG_FEATURE_LAYER)
    assert res.maps.shape == (160, 1, 14, 14) and res.layer == "block3_conv2"
    assert np.mean(res.logits.argmax(axis=1) == test.labels) >= 0.93
    assert ct.pointing_game(res.maps[:, 0], test.masks).mean() >= 0.82
    report = course_model.manifest()["vgg"]["evaluation"]
    assert report["test_seed"] == training.TEST_SEED and report["test_scenes"] == 800
    assert report["accuracy"] >= 0.97 and report["pointing_game"] >= 0.90
