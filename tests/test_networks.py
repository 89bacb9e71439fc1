"""The offline rule of the real-network lessons: ct.pretrained_or_fallback in its three modes."""

from __future__ import annotations

import socket
import time

import keras
import numpy as np
import pytest

import camteach as ct
from camteach import networks
from camteach import pretrained as pt
from camteach.imagenet import imagenet_class_names

FORCE = networks.FORCE_ARCHITECTURE_ONLY


def _online() -> bool:
    try:
        socket.create_connection(("storage.googleapis.com", 443), timeout=3).close()
        return True
    except OSError:
        return False


def _offline_load(name, weights="imagenet", **kwargs):
    """load_pretrained as on a machine without the weights: "imagenet" fails."""
    if weights == "imagenet":
        spec = pt.ARCHITECTURES[name]
        fname, _, url = spec.weights()
        error = pt.WeightsUnavailableError("offline", architecture=name, filename=fname,
                                           url=url, cache_dir="/nowhere")
        raise error from OSError(-2, "Name or service not known")
    return pt.load_pretrained(name, weights=weights, **kwargs)


@pytest.fixture(scope="module")
def offline():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(FORCE, raising=False)
        mp.setattr(networks, "load_pretrained", _offline_load)
        net = ct.pretrained_or_fallback("resnet50")
    return net            # the patches end here: they must not leak into other tests


@pytest.fixture(scope="module")
def forced():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(FORCE, "1")
        mp.setattr(networks, "load_pretrained", _must_not_ask_for_imagenet)
        net = ct.pretrained_or_fallback("resnet50")
    return net            # the patches end here: they must not leak into other tests


def _must_not_ask_for_imagenet(name, weights="imagenet", **kwargs):
    assert weights is None, "forced: the ImageNet weights must not be tried"
    return pt.load_pretrained(name, weights=weights, **kwargs)


def _is_resnet50(model: keras.Model) -> None:
    assert model.name == "resnet50"
    assert tuple(model.get_layer("conv5_block3_out").output.shape[1:]) == (7, 7, 2048)
    assert tuple(model.get_layer("avg_pool").output.shape[1:]) == (2048,)
    assert tuple(model.get_layer("predictions").kernel.shape) == (2048, 1000)


@pytest.mark.parametrize("value, on", [("1", True), ("true", True), ("YES", True), ("on", True),
                                       ("0", False), ("", False), ("no", False)])
def test_force_variable_parsing(value, on, monkeypatch):
    monkeypatch.setenv(FORCE, value)
    assert networks.forced_architecture_only() is on
    monkeypatch.delenv(FORCE)
    assert networks.forced_architecture_only() is False


def test_offline_falls_back_to_the_course_model(offline):
    net = offline
    assert net.mode == "course-model" and not net.real
    # one visible line that says what happened and what runs instead
    assert "\n" not in net.status
    assert net.status.startswith("ImageNet weights unavailable here")
    assert "course model" in net.status and "weights=None" in net.status
    assert "resnet50_weights_tf_dim_ordering_tf_kernels.h5" in net.status
    assert "Name or service not known" in net.reason
    # the claims run on the course model and its scenes ...
    assert net.model.name == "course_cnn" and net.model.output.shape[-1] == len(ct.CLASS_NAMES)
    assert net.class_names == tuple(ct.CLASS_NAMES)
    assert net.images.shape == (5, 224, 224, 3) and net.images.dtype == np.uint8
    labels = ct.make_scenes(5, seed=7).labels
    assert net.expected == tuple((int(y),) for y in labels)
    assert net.captions[0] == f"a {ct.CLASS_NAMES[labels[0]]} scene"
    # ... the architecture cells on ResNet50 with weights=None
    _is_resnet50(net.architecture)
    assert net.architecture is not net.model


def test_offline_inputs(offline):
    net = offline
    raw = net.images[:2]
    # the course model rescales its raw input itself
    np.testing.assert_array_equal(net.preprocess(raw), raw.astype(np.float32))
    np.testing.assert_array_equal(net.trap(raw), ct.preprocess("resnet50", raw))
    np.testing.assert_array_equal(net.architecture_input(raw), ct.preprocess("resnet50", raw))
    assert net.preprocess(raw) is not raw


def test_forced_branch_uses_weights_none_resnet50_as_the_real_network(forced):
    net = forced
    assert net.mode == "architecture-only" and net.real
    assert "\n" not in net.status and FORCE in net.status and "weights=None" in net.status
    assert net.model is net.architecture
    _is_resnet50(net.model)
    assert net.class_names == imagenet_class_names()
    shots = ct.photos(list(networks.LESSON_PHOTOS))
    np.testing.assert_array_equal(net.images, shots.images)
    assert net.expected == shots.expected and net.captions == shots.captions
    raw = net.images[:1]
    np.testing.assert_array_equal(net.preprocess(raw), ct.preprocess("resnet50", raw))
    np.testing.assert_array_equal(net.trap(raw), raw.astype(np.float32))


def test_forced_weights_are_reproducible(forced):
    again = networks._without_weights("resnet50")
    a = forced.model.get_layer("predictions").kernel
    np.testing.assert_array_equal(np.asarray(a), np.asarray(again.get_layer("predictions").kernel))


def test_cam_identity_on_the_real_head_in_both_modes(offline, forced):
    # mean(CAM) + b = logit holds for any weights: the lesson checks it in every mode
    photo = ct.photos("chelsea").images
    for net in (offline, forced):
        feats = ct.features(net.architecture, net.architecture_input(photo))
        cams = np.einsum("nhwk,kc->nhwc", feats.F, feats.W)
        assert cams.shape == (1, 7, 7, 1000)
        np.testing.assert_allclose(cams.mean(axis=(1, 2)) + feats.b, feats.logits,
                                   rtol=1e-4, atol=1e-3)


def test_weights_found_means_imagenet_mode(monkeypatch):
    # stands in for cached weights: the "imagenet" request is answered with a model
    asked = []

    def cached(name, weights="imagenet", **kwargs):
        asked.append(weights)
        return pt.load_pretrained(name, weights=None, seed=1)

    monkeypatch.delenv(FORCE, raising=False)
    monkeypatch.setattr(networks, "load_pretrained", cached)
    net = ct.pretrained_or_fallback("resnet50", photo_names=["coffee", "rocket"])
    assert asked == ["imagenet"]
    assert net.mode == "imagenet" and net.real and net.reason == ""
    assert net.status.startswith("ResNet50 with its ImageNet weights") and "\n" not in net.status
    assert net.model is net.architecture
    assert net.images.shape == (2, 224, 224, 3)
    assert net.captions == ct.photos(["coffee", "rocket"]).captions


def test_real_offline_machine_falls_back_quickly(tmp_path, monkeypatch):
    monkeypatch.delenv(FORCE, raising=False)
    if pt.weights_cached("resnet50"):
        pytest.skip("ResNet50 ImageNet weights are cached here: not an offline machine")
    if _online():
        pytest.skip("storage.googleapis.com is reachable: the test would download 100 MB")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    start = time.perf_counter()
    net = ct.pretrained_or_fallback("resnet50", scenes=2)
    assert time.perf_counter() - start < 60.0
    assert net.mode == "course-model" and net.images.shape[0] == 2
    assert net.status.startswith("ImageNet weights unavailable here")
    assert list(tmp_path.rglob("*.h5")) == []


@pytest.mark.parametrize("kwargs, match", [
    (dict(name="resnet"), "^name: expected one of"),
    (dict(scenes=0), "^scenes: expected an int in"),
    (dict(scenes=True), "^scenes: expected an int in"),
])
def test_bad_arguments(kwargs, match, monkeypatch):
    monkeypatch.setattr(networks, "load_pretrained", _offline_load)
    with pytest.raises(ValueError, match=match):
        ct.pretrained_or_fallback(**kwargs)


def test_bad_photo_name_in_the_real_branch(monkeypatch):
    monkeypatch.setenv(FORCE, "1")
    with pytest.raises(ValueError, match="^names: expected names from"):
        ct.pretrained_or_fallback(photo_names=["kitten"])
