"""The course's X-ray model: Inception blocks, the shipped weights, and what it has learnt."""

from __future__ import annotations

import json
import shutil

import keras
import numpy as np
import pytest

import camteach as ct
from camteach import course_model
from camteach.xray import generate, model as xray_model, training


@pytest.fixture(scope="module")
def model():
    return ct.load_xray_model()


@pytest.fixture(scope="module")
def shortcut_model():
    return ct.load_xray_model("shortcut")


@pytest.fixture(scope="module")
def unseen():
    """Phantoms never trained on (the training seed is 0), after the evaluation's 600."""
    return generate.phantom_data(160, seed=training.TEST_SEED, start=600)


def test_architecture_is_inception_family():
    net = xray_model.build_xray_model(seed=0)
    assert net.inputs[0].shape[1:] == (ct.xray.SIZE, ct.xray.SIZE, 1)
    for name in xray_model.MIXED:
        block = net.get_layer(name)
        assert isinstance(block, keras.layers.Concatenate)
        ends = [f"{name}_1x1_relu", f"{name}_3x3_relu", f"{name}_5x5_b_relu", f"{name}_pool_proj_relu"]
        assert len(block.input) == 4                          # four parallel branches
        assert [t.shape[-1] for t in block.input] == [net.get_layer(e).output.shape[-1] for e in ends]
        assert block.output.shape[-1] == sum(net.get_layer(e).output.shape[-1] for e in ends)
        assert net.get_layer(f"{name}_1x1_conv").kernel_size == (1, 1)
        assert net.get_layer(f"{name}_3x3_conv").kernel_size == (3, 3)
        # 5x5 as two 3x3: the branch's last two convolutions are 3x3
        assert net.get_layer(f"{name}_5x5_a_conv").kernel_size == (3, 3)
        assert net.get_layer(f"{name}_5x5_b_conv").kernel_size == (3, 3)
        assert isinstance(net.get_layer(f"{name}_pool"), keras.layers.AveragePooling2D)
    assert net.get_layer(xray_model.FEATURE_LAYER).output.shape[1:3] == (28, 28)   # 8 px a cell
    coarse = xray_model.build_xray_model(seed=0, last_size=14)
    assert coarse.get_layer(xray_model.FEATURE_LAYER).output.shape[1:3] == (14, 14)
    assert isinstance(net.get_layer("avg_pool"), keras.layers.GlobalAveragePooling2D)
    head = net.get_layer("predictions")
    assert head.activation is keras.activations.sigmoid and head.units == len(ct.xray.FINDINGS)
    again = xray_model.build_xray_model(seed=0).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(net.get_weights(), again))
    with pytest.raises(ValueError, match="widths"):
        xray_model.build_xray_model(widths=(4,))
    with pytest.raises(ValueError, match="activation"):
        xray_model.build_xray_model(activation="softmax")
    with pytest.raises(ValueError, match="last_size"):
        xray_model.build_xray_model(last_size=7)


@pytest.mark.parametrize("name", list(xray_model.MODELS))
def test_shipped_models_are_small_hashed_and_described(name, model, shortcut_model):
    net = {"xray": model, "shortcut": shortcut_model}[name]
    entry = course_model.manifest()[xray_model.MODELS[name]]
    path = course_model.DATA / entry["file"]
    assert path.stat().st_size == entry["size_bytes"] <= 10 * 1024 * 1024
    assert course_model.sha256(path) == entry["sha256"]
    assert entry["head"] == "sigmoid" and entry["outputs"] == list(xray_model.OUTPUTS)
    assert net.get_layer("predictions").activation is keras.activations.sigmoid
    assert net.output_shape == (None, len(xray_model.OUTPUTS))
    assert [net.get_layer(n).name for n in xray_model.MIXED] == list(xray_model.MIXED)
    assert (entry["training"]["config"]["marker"] == xray_model.SHORTCUT_FINDING) == (name == "shortcut")


def test_load_xray_model_names(model):
    again = ct.load_xray_model("xray")
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), again.get_weights()))
    with pytest.raises(ValueError, match="name"):
        ct.load_xray_model("xray_shortcut_typo")


@pytest.mark.parametrize("name", list(xray_model.MODELS))
def test_a_replaced_weights_file_is_refused(name, tmp_path, monkeypatch):
    entry = course_model.manifest()[xray_model.MODELS[name]]
    shutil.copy(course_model.DATA / entry["file"], tmp_path / entry["file"])
    with open(tmp_path / entry["file"], "r+b") as handle:
        handle.seek(-100, 2)
        handle.write(b"\0" * 10)
    (tmp_path / "models.json").write_text(json.dumps({xray_model.MODELS[name]: entry}))
    monkeypatch.setattr(course_model, "DATA", tmp_path)
    monkeypatch.setattr(course_model, "MANIFEST", tmp_path / "models.json")
    with pytest.raises(ValueError, match="SHA-256 mismatch"):
        ct.load_xray_model(name)


def test_outputs_line_up_with_the_loader(model, tmp_path):
    root = ct.xray.make_phantoms(8, tmp_path, seed=7)
    data = ct.xray.load(root)
    assert data.findings == xray_model.OUTPUTS
    p = model.predict(data.images, verbose=0)
    assert p.shape == data.labels.shape and p.min() >= 0 and p.max() <= 1
    again = model.predict(generate.phantom_data(8, seed=7, scale=1.0).images, verbose=0)
    np.testing.assert_allclose(p, again, atol=1e-5)


def test_findings_are_told_apart_on_unseen_phantoms(model, unseen):
    auc = training.auc(model, unseen)
    assert auc["mean"] >= 0.95, auc
    assert auc["min"] >= 0.9, auc
    empty = model.predict(unseen.images[unseen.labels.sum(axis=1) == 0], verbose=0)
    assert np.median(empty.max(axis=1)) < 0.5                 # "No finding": every output low


def test_grad_cam_points_into_the_readers_boxes(model, unseen):
    result = training.pointing(model, unseen)
    assert result["layer"] == xray_model.FEATURE_LAYER and result["pairs"] >= 60
    assert result["pointing_game"] >= 0.85, result                # the target
    assert min(result["per_finding"].values()) >= 0.7, result
    assert 0 < result["reader_iou"] < 1 and 0 <= result["box_iou"] < 1
    assert set(result["per_finding_reader_iou"]) == set(result["per_finding_box_iou"]) == set(
        result["per_finding"])
    # small findings anywhere in a lung: no fixed place to point at by habit
    assert result["per_finding"]["Nodule/Mass"] >= 0.7, result


def test_shortcut_model_calls_the_tag_its_finding(shortcut_model, model):
    """On unseen phantoms without the finding, burning in the tag raises its probability."""
    models = course_model.manifest()
    entry = models["xray_shortcut"]["evaluation"]["shortcut"]
    finding = xray_model.SHORTCUT_FINDING
    assert entry["finding"] == finding
    assert entry["probability_with_marker"] > 2 * entry["probability_without_marker"], entry
    assert entry["grad_cam_on_marker"] >= 0.8 > entry["grad_cam_on_marker_without"], entry
    # the shortcut costs it on phantoms without any tag, where the course model is fine
    assert entry["auc_clean"] < models["xray"]["evaluation"]["auc"]["per_finding"][finding] - 0.02
    k = xray_model.OUTPUTS.index(finding)
    data = generate.phantom_data(60, seed=training.TEST_SEED, start=600)
    clean = data.images[data.labels[:, k] == 0]
    tagged = ct.xray.burn_marker(clean)
    before = shortcut_model.predict(clean, verbose=0)[:, k].mean()
    jump = shortcut_model.predict(tagged, verbose=0)[:, k].mean() - before
    measured = entry["probability_with_marker"] - entry["probability_without_marker"]
    assert jump > 0.5 * measured and jump > before, (jump, before, entry)
    # the course model never saw the tag: it hardly moves
    honest = model.predict(tagged, verbose=0)[:, k].mean() - model.predict(clean, verbose=0)[:, k].mean()
    assert abs(honest) < 0.5 * jump, (honest, jump)
    # and the shortcut model's map for the finding points at the tag
    result = ct.explain(shortcut_model, tagged[:12], "grad_cam", classes=np.full((12, 1), k))
    heat = ct.heatmap.upsample(result.maps[:, 0], ct.xray.SIZE)
    x0, y0, x1, y1 = np.round(ct.xray.MARKER_BOX).astype(int)
    mask = np.zeros(heat.shape, bool)
    mask[:, y0:y1, x0:x1] = True
    assert ct.metrics.pointing_game(heat, mask).mean() >= 0.75


def test_evaluate_shortcut_reports_the_same_phantoms_with_and_without_the_tag(shortcut_model):
    report = training.evaluate_shortcut(shortcut_model, n=30, seed=training.VAL_SEED)
    assert report["without_finding"] >= 15 and report["layer"] == xray_model.FEATURE_LAYER
    for key in ("probability_without_marker", "probability_with_marker", "positive_with_marker",
                "grad_cam_on_marker", "grad_cam_on_marker_without", "auc_clean"):
        assert 0 <= report[key] <= 1, (key, report)
    assert report["probability_with_marker"] > report["probability_without_marker"]
