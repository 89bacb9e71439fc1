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
    assert head.activation is keras.activations.softmax
    # ReLU last: every feature is >= 0 (the lecture's point)
    F = ct.features(model, np.random.default_rng(0).uniform(0, 255, (2, 224, 224, 3))).F
    assert F.min() >= 0 and F.shape == (2, 7, 7, features.output.shape[-1])


def test_build_is_deterministic_and_validated():
    a = ct.build_course_model(seed=3).get_weights()
    b = ct.build_course_model(seed=3).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    with pytest.raises(ValueError, match="widths"):
        ct.build_course_model(widths=(8, 8))


@pytest.mark.parametrize("name", ["course", "shortcut"])
def test_shipped_models_load_offline_with_their_hash(name):
    entry = course_model.manifest()[name]
    path = course_model.DATA / entry["file"]
    assert path.stat().st_size <= 10 * 2**20
    assert course_model.sha256(path) == entry["sha256"]
    model = ct.load_course_model(name)
    assert model.get_layer("predictions").kernel.shape[-1] == len(ct.CLASS_NAMES)
    ct.cam(model, ct.draw_scene("face").images)    # CAM works on it unchanged


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


def test_trained_model_beats_chance_on_test_scenes():
    model = ct.load_course_model()
    test = ct.make_scenes(40, seed=training.TEST_SEED)
    res = ct.cam(model, test.images)
    assert np.mean(res.classes[:, 0] == test.labels) >= 0.9


def test_a_few_training_steps_reduce_the_loss():
    images, labels = training.scene_arrays(32, seed=123, workers=1)
    model = ct.build_course_model(widths=(8, 16, 16, 32), seed=0)
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy())
    first = model.train_on_batch(images, labels)
    for _ in range(12):
        last = model.train_on_batch(images, labels)
    assert last < 0.7 * first


def test_scene_arrays_do_not_depend_on_workers():
    one_x, one_y = training.scene_arrays(8, seed=5, workers=1)
    scenes = ct.make_scenes(8, seed=5)
    np.testing.assert_array_equal(one_x, scenes.images)
    np.testing.assert_array_equal(one_y, scenes.labels)
