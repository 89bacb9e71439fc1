"""Tests for camteach.pretrained: real keras.applications networks, offline.

ImageNet weights cannot be downloaded in CI, so the architectures are built
with ``weights=None`` (same layers and shapes), the download
(``keras.utils.get_file``) is replaced by a fake where the error path is
tested, and the real offline failure is checked against an empty, temporary
Keras cache (skipped when the machine is online or already has the weights).
"""

from __future__ import annotations

import json
import os
import socket
import time
from importlib.resources import files

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
import camteach.pretrained as pt  # noqa: E402

# --------------------------------------------------------------------------
# helpers and fixtures
# --------------------------------------------------------------------------


def _online(host: str = "storage.googleapis.com", port: int = 443) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3.0):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module", autouse=True)
def _fresh_session():
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


@pytest.fixture(scope="module")
def resnet50():
    keras.backend.clear_session()
    return pt.load_pretrained("resnet50", weights=None, seed=0)


@pytest.fixture(scope="module")
def inceptionv3():
    keras.backend.clear_session()
    return pt.load_pretrained("inceptionv3", weights=None, seed=0)


@pytest.fixture(scope="module")
def vgg16():
    keras.backend.clear_session()
    return pt.load_pretrained("vgg16", weights=None, seed=0)


@pytest.fixture(scope="module")
def resnet50_weights_file(resnet50, tmp_path_factory):
    """Random ResNet50 weights saved with model.save_weights."""
    path = tmp_path_factory.mktemp("weights") / "resnet50_random.weights.h5"
    resnet50.save_weights(path)
    return path


@pytest.fixture(scope="module")
def one_image():
    rng = np.random.default_rng(0)
    return rng.uniform(-1.0, 1.0, size=(1, 224, 224, 3)).astype("float32")


@pytest.fixture
def empty_keras_home(tmp_path, monkeypatch):
    """Point the Keras cache at an empty folder (never touch ~/.keras)."""
    home = tmp_path / "keras_home"
    home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


class FakeFetch:
    """Stands in for keras.utils.get_file: records the call, then fails or returns."""

    def __init__(self, error=None, result=None, partial=False):
        self.calls = []
        self.error = error
        self.result = result
        self.partial = partial

    def __call__(self, fname=None, origin=None, file_hash=None, cache_subdir="datasets",
                 cache_dir=None, **kwargs):
        self.calls.append(dict(fname=fname, origin=origin, file_hash=file_hash,
                               cache_subdir=cache_subdir, cache_dir=cache_dir))
        if self.partial:
            folder = os.path.join(cache_dir, cache_subdir)
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, fname), "wb") as fh:
                fh.write(b"\x89HDF half a file")
        if self.error is not None:
            raise self.error
        return str(self.result)


def _url_failure(origin="https://storage.googleapis.com/x.h5"):
    # The exact form keras raises offline.
    return Exception(f"URL fetch failure on {origin}: None -- [Errno -2] "
                     "Name or service not known")


def _assert_helpful(err: pt.WeightsUnavailableError, spec: pt.ArchSpec, fname: str):
    msg = str(err)
    assert fname in msg
    assert "offline" in msg
    assert "~/.keras/models" in msg
    assert err.cache_dir in msg
    assert "online" in msg and "copy" in msg
    assert "ct.load_course_model()" in msg
    assert err.filename == fname
    assert err.architecture == spec.name
    assert isinstance(err, RuntimeError)


# --------------------------------------------------------------------------
# the architecture table
# --------------------------------------------------------------------------


def test_architecture_table():
    assert set(pt.ARCHITECTURES) == {"resnet50", "inceptionv3", "vgg16"}
    assert [pt.input_size(n) for n in ("resnet50", "inceptionv3", "vgg16")] == [224, 299, 224]
    assert pt.ARCHITECTURES["resnet50"].constructor is keras.applications.ResNet50
    for alias, key in [("ResNet50", "resnet50"), ("inception_v3", "inceptionv3"),
                       ("InceptionV3", "inceptionv3"), ("VGG-16", "vgg16")]:
        assert pt.input_size(alias) == pt.ARCHITECTURES[key].input_size


@pytest.mark.parametrize("include_top", [True, False])
@pytest.mark.parametrize("name", ["resnet50", "inceptionv3", "vgg16"])
def test_weights_are_the_files_keras_itself_fetches(name, include_top, monkeypatch):
    # keras.applications fetch through the get_file of their own module, not
    # keras.utils.get_file: intercept it there to read what Keras asks for
    spec = pt.ARCHITECTURES[name]
    fake = FakeFetch(error=RuntimeError("stop here"))
    monkeypatch.setattr(spec.constructor.__globals__["file_utils"], "get_file", fake)
    keras.backend.clear_session()
    with pytest.raises(RuntimeError, match="stop here"):
        spec.constructor(weights="imagenet", include_top=include_top)
    fname, md5, url = spec.weights(include_top)
    assert [(c["fname"], c["file_hash"], c["origin"]) for c in fake.calls] == [(fname, md5, url)]
    assert fname == f"{spec.prefix}_weights_tf_dim_ordering_tf_kernels" \
        f"{'' if include_top else '_notop'}.h5"


@pytest.mark.parametrize("call", [pt.input_size, pt.weights_cached, pt.load_pretrained,
                                  lambda name: pt.preprocess(name, np.zeros((8, 8, 3)))])
def test_unknown_name(call):
    with pytest.raises(ValueError, match="^name: expected .*resnet18") as info:
        call("resnet18")
    for valid in pt.ARCHITECTURES:
        assert valid in str(info.value)


# --------------------------------------------------------------------------
# architectures built with weights=None
# --------------------------------------------------------------------------


def test_resnet50_layers(resnet50, one_image):
    assert resnet50.input_shape == (None, 224, 224, 3)
    feat = resnet50.get_layer("conv5_block3_out")
    assert tuple(feat.output.shape) == (None, 7, 7, 2048)
    pool = resnet50.get_layer("avg_pool")
    assert isinstance(pool, keras.layers.GlobalAveragePooling2D)
    assert tuple(pool.output.shape) == (None, 2048)
    dense = resnet50.get_layer("predictions")
    assert isinstance(dense, keras.layers.Dense)
    assert tuple(dense.kernel.shape) == (2048, 1000)
    assert dense.activation is keras.activations.softmax
    assert resnet50.layers[-2:] == [pool, dense]

    # one forward pass: features after ReLU are >= 0, the head is a softmax
    probe = keras.Model(resnet50.input, [feat.output, resnet50.output])
    f, p = probe(one_image, training=False)
    f, p = np.asarray(f), np.asarray(p)
    assert f.shape == (1, 7, 7, 2048) and f.min() >= 0.0
    assert p.shape == (1, 1000) and p.sum() == pytest.approx(1.0, abs=1e-4)


def test_inceptionv3_layers(inceptionv3):
    assert inceptionv3.input_shape == (None, 299, 299, 3)
    assert tuple(inceptionv3.get_layer("mixed10").output.shape) == (None, 8, 8, 2048)
    assert isinstance(inceptionv3.get_layer("avg_pool"), keras.layers.GlobalAveragePooling2D)
    dense = inceptionv3.get_layer("predictions")
    assert tuple(dense.kernel.shape) == (2048, 1000)
    assert dense.activation is keras.activations.softmax


def test_vgg16_layers(vgg16):
    assert vgg16.input_shape == (None, 224, 224, 3)
    assert tuple(vgg16.get_layer("block5_conv3").output.shape) == (None, 14, 14, 512)
    assert not any(isinstance(layer, keras.layers.GlobalAveragePooling2D)
                   for layer in vgg16.layers)
    assert [layer.name for layer in vgg16.layers[-4:]] == ["flatten", "fc1", "fc2",
                                                           "predictions"]
    assert isinstance(vgg16.get_layer("flatten"), keras.layers.Flatten)
    dense = vgg16.get_layer("predictions")
    assert tuple(dense.kernel.shape) == (4096, 1000)
    assert dense.activation is keras.activations.softmax


def test_seed_makes_random_weights_reproducible():
    kw = dict(weights=None, include_top=False, input_shape=(32, 32, 3))
    a = pt.load_pretrained("resnet50", seed=7, **kw).get_layer("conv1_conv").kernel
    b = pt.load_pretrained("resnet50", seed=7, **kw).get_layer("conv1_conv").kernel
    c = pt.load_pretrained("resnet50", seed=8, **kw).get_layer("conv1_conv").kernel
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(c))


def test_weights_file_round_trip(resnet50, resnet50_weights_file, one_image):
    expected = np.asarray(resnet50.predict_on_batch(one_image))
    # seed=1 differs from the fixture's seed=0: equality proves the file was loaded
    loaded = pt.load_pretrained("resnet50", weights=resnet50_weights_file, seed=1)
    np.testing.assert_allclose(np.asarray(loaded.predict_on_batch(one_image)), expected,
                               rtol=1e-5, atol=1e-7)


def test_missing_weights_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.weights.h5"):
        pt.load_pretrained("resnet50", weights=tmp_path / "nope.weights.h5")


# --------------------------------------------------------------------------
# weights="imagenet": the real download path, offline
# --------------------------------------------------------------------------


def test_weights_cached(empty_keras_home):
    fname = pt.ARCHITECTURES["resnet50"].weights()[0]
    assert not pt.weights_cached("resnet50")
    models = empty_keras_home / "models"
    models.mkdir()
    (models / fname).write_bytes(b"")
    assert not pt.weights_cached("resnet50")  # an empty file is not a cache
    (models / fname).write_bytes(b"not really hdf5")
    assert pt.weights_cached("ResNet50")
    assert not pt.weights_cached("resnet50", include_top=False)
    assert not pt.weights_cached("vgg16")


def test_real_offline_failure_is_quick_and_helpful(empty_keras_home, monkeypatch):
    # weights_cached reads the real cache before it is redirected
    monkeypatch.undo()
    if pt.weights_cached("resnet50"):
        pytest.skip("ResNet50 ImageNet weights are cached here: not an offline machine")
    if _online():
        pytest.skip("storage.googleapis.com is reachable: the test would download 100 MB")
    monkeypatch.setenv("KERAS_HOME", str(empty_keras_home))

    start = time.perf_counter()
    with pytest.raises(pt.WeightsUnavailableError) as info:
        pt.load_pretrained("resnet50", weights="imagenet")
    elapsed = time.perf_counter() - start
    assert elapsed < 30.0
    spec = pt.ARCHITECTURES["resnet50"]
    fname, _, url = spec.weights()
    _assert_helpful(info.value, spec, fname)
    assert info.value.url == url
    assert info.value.cache_dir == str(empty_keras_home / "models")
    assert info.value.__cause__ is not None
    # nothing left behind: no partial file, and the models/ folder keras
    # created for the download is removed again because it is empty
    assert not (empty_keras_home / "models").exists()
    assert list(empty_keras_home.rglob("*.h5")) == []


@pytest.mark.parametrize("name", ["resnet50", "inceptionv3", "vgg16"])
def test_fake_fetch_failure(name, empty_keras_home, monkeypatch):
    # download_timeout=None: no reachability check first, straight to the fake
    spec = pt.ARCHITECTURES[name]
    fname, md5, url = spec.weights()
    original = _url_failure(url)
    fake = FakeFetch(error=original)
    monkeypatch.setattr(keras.utils, "get_file", fake)
    keras.backend.clear_session()
    with pytest.raises(pt.WeightsUnavailableError) as info:
        pt.load_pretrained(name, download_timeout=None)
    assert info.value.__cause__ is original
    # the file names, hashes and URLs are the ones Keras itself would ask for,
    # and the download goes into the cache that was looked in
    assert fake.calls == [dict(fname=fname, origin=url, file_hash=md5, cache_subdir="models",
                               cache_dir=str(empty_keras_home))]
    _assert_helpful(info.value, spec, fname)
    assert info.value.url == url
    assert "Name or service not known" in str(info.value)
    assert f"about {spec.weights_mb} MB" in str(info.value)


def test_fake_fetch_failure_notop_cleans_partial_file(empty_keras_home, monkeypatch):
    spec = pt.ARCHITECTURES["resnet50"]
    fname, md5, _ = spec.weights(include_top=False)
    fake = FakeFetch(error=ConnectionResetError(104, "Connection reset by peer"),
                     partial=True)
    monkeypatch.setattr(keras.utils, "get_file", fake)
    with pytest.raises(pt.WeightsUnavailableError) as info:
        pt.load_pretrained("resnet50", include_top=False, download_timeout=None)
    assert fake.calls[0]["fname"] == fname
    assert fake.calls[0]["file_hash"] == md5
    _assert_helpful(info.value, spec, fname)
    assert not (empty_keras_home / "models").exists()


def test_unreachable_server_fails_fast_without_downloading(empty_keras_home, monkeypatch):
    # not cached: the server is tried first, with the timeout (far too short
    # here), and the download itself is never started
    fake = FakeFetch(error=AssertionError("must not be called"))
    monkeypatch.setattr(keras.utils, "get_file", fake)
    start = time.perf_counter()
    with pytest.raises(pt.WeightsUnavailableError) as info:
        pt.load_pretrained("vgg16", download_timeout=1e-6)
    assert time.perf_counter() - start < 30.0
    assert fake.calls == []
    assert isinstance(info.value.__cause__, OSError)
    spec = pt.ARCHITECTURES["vgg16"]
    _assert_helpful(info.value, spec, spec.weights()[0])
    assert not (empty_keras_home / "models").exists()


def test_fake_fetch_success_loads_those_weights(resnet50, resnet50_weights_file, one_image,
                                                empty_keras_home, monkeypatch):
    fake = FakeFetch(result=resnet50_weights_file)
    monkeypatch.setattr(keras.utils, "get_file", fake)
    model = pt.load_pretrained("resnet50", seed=3, download_timeout=None)
    assert len(fake.calls) == 1
    np.testing.assert_allclose(np.asarray(model.predict_on_batch(one_image)),
                               np.asarray(resnet50.predict_on_batch(one_image)),
                               rtol=1e-5, atol=1e-7)


def test_cached_weights_are_looked_up_first(resnet50, resnet50_weights_file, one_image,
                                            empty_keras_home, monkeypatch):
    # a cached file: no reachability check (the timeout would fail it), only
    # Keras' cache look-up (which checks the hash)
    models = empty_keras_home / "models"
    models.mkdir()
    (models / pt.ARCHITECTURES["resnet50"].weights()[0]).write_bytes(b"cached")
    assert pt.weights_cached("resnet50")
    fake = FakeFetch(result=resnet50_weights_file)
    monkeypatch.setattr(keras.utils, "get_file", fake)
    model = pt.load_pretrained("resnet50", download_timeout=1e-6)
    assert [call["cache_dir"] for call in fake.calls] == [str(empty_keras_home)]
    np.testing.assert_allclose(np.asarray(model.predict_on_batch(one_image)),
                               np.asarray(resnet50.predict_on_batch(one_image)),
                               rtol=1e-5, atol=1e-7)


def test_errors_outside_the_download_are_not_hidden(tmp_path, empty_keras_home,
                                                    monkeypatch):
    # bad arguments: a ValueError naming the argument, before any download
    fake = FakeFetch(error=AssertionError("must not be called"))
    monkeypatch.setattr(keras.utils, "get_file", fake)
    with pytest.raises(ValueError, match="^classes: expected 1000"):
        pt.load_pretrained("resnet50", classes=10)
    assert fake.calls == []
    # the download "works" but the file is garbage: loading fails, and that
    # is not reported as an offline problem
    junk = tmp_path / "junk.weights.h5"
    junk.write_bytes(b"this is not an HDF5 file")
    monkeypatch.setattr(keras.utils, "get_file", FakeFetch(result=junk))
    with pytest.raises(Exception) as info:
        pt.load_pretrained("resnet50", download_timeout=None)
    assert not isinstance(info.value, pt.WeightsUnavailableError)


def test_bad_weights_argument():
    with pytest.raises(ValueError, match="^weights: expected"):
        pt.load_pretrained("resnet50", weights=42)


# --------------------------------------------------------------------------
# class names and decode
# --------------------------------------------------------------------------

KNOWN = {0: "tench", 1: "goldfish", 207: "golden retriever", 281: "tabby",
         409: "analog clock", 817: "sports car", 999: "toilet tissue"}


def test_shipped_json_is_keras_format():
    raw = json.loads((files("camteach") / "data" / "imagenet_classes.json")
                     .read_text(encoding="utf-8"))
    assert list(raw) == [str(i) for i in range(1000)]
    wnids = [raw[str(i)][0] for i in range(1000)]
    assert len(set(wnids)) == 1000 and wnids == sorted(wnids)
    assert all(w.startswith("n") and len(w) == 9 for w in wnids)
    assert raw["0"] == ["n01440764", "tench"]
    assert raw["207"] == ["n02099601", "golden_retriever"]
    assert raw["281"] == ["n02123045", "tabby"]
    assert raw["409"] == ["n02708093", "analog_clock"]
    assert raw["817"] == ["n04285008", "sports_car"]
    assert raw["999"] == ["n15075141", "toilet_tissue"]


def test_imagenet_class_names():
    names = pt.imagenet_class_names()
    assert isinstance(names, tuple) and len(names) == 1000
    assert all(isinstance(n, str) and n for n in names)
    for index, name in KNOWN.items():
        assert names[index] == name
    assert names[134] == names[517] == "crane"


def test_decode():
    probs = np.full((2, 1000), 1e-4, dtype="float32")
    probs[0, [281, 282, 285]] = [0.5, 0.3, 0.1]
    probs[1, 817] = 0.9
    out = pt.decode(probs, top=3)
    assert len(out) == 2
    assert [(i, n) for i, n, _ in out[0]] == [(281, "tabby"), (282, "tiger cat"),
                                            (285, "Egyptian cat")]
    assert out[0][0][2] == pytest.approx(0.5)
    assert out[1][0][:2] == (817, "sports car")
    assert all(isinstance(i, int) and isinstance(s, float) for i, _, s in out[1])
    assert len(pt.decode(probs[0])) == 1 and len(pt.decode(probs[0])[0]) == 5


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 1000))
def test_decode_sorted_and_consistent(seed, top):
    logits = np.random.default_rng(seed).normal(size=(2, 1000))
    out = pt.decode(logits, top=top)
    names = pt.imagenet_class_names()
    for row, decoded in zip(logits, out):
        scores = [s for _, _, s in decoded]
        assert len(decoded) == top
        assert scores == sorted(scores, reverse=True)
        assert decoded[0][0] == int(np.argmax(row))
        assert all(names[i] == n and row[i] == s for i, n, s in decoded)


@pytest.mark.parametrize("bad, top", [(np.zeros((2, 10)), 5), (np.zeros((1, 1, 1000)), 5),
                                      (np.full(1000, np.nan), 5), (np.zeros(1000), 0),
                                      (np.zeros(1000), 1001)])
def test_decode_errors(bad, top):
    with pytest.raises(ValueError, match="^logits_or_probs: |^top: expected"):
        pt.decode(bad, top=top)


# --------------------------------------------------------------------------
# preprocess
# --------------------------------------------------------------------------


def _image(shape, dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 255, size=shape).astype(dtype)


@pytest.mark.parametrize("name", ["resnet50", "inceptionv3", "vgg16"])
def test_preprocess_matches_keras_and_does_not_mutate(name):
    spec = pt.ARCHITECTURES[name]
    s = spec.input_size
    images = _image((2, s, s, 3))
    before = images.copy()
    out = pt.preprocess(name, images)
    assert np.array_equal(images, before)  # keras alone would have changed it
    assert out.dtype == np.float32 and out.shape == (2, s, s, 3)
    np.testing.assert_array_equal(out, spec.preprocess_input(before.copy()))
    # uint8 and a single (H, W, 3) image
    img8 = _image((s, s, 3), "uint8", seed=1)
    out8 = pt.preprocess(name, img8)
    assert out8.shape == (s, s, 3)
    np.testing.assert_array_equal(out8, spec.preprocess_input(img8.astype("float32")))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["resnet50", "vgg16"]), st.integers(0, 2**32 - 1))
def test_preprocess_property(name, seed):
    images = _image((1, 224, 224, 3), seed=seed)
    before = images.copy()
    out = pt.preprocess(name, images)
    assert np.array_equal(images, before)
    np.testing.assert_array_equal(out, pt.ARCHITECTURES[name].preprocess_input(before))


def test_preprocess_resizes():
    photo = _image((300, 451, 3), "uint8")  # the shape of skimage's chelsea
    assert pt.preprocess("resnet50", photo).shape == (224, 224, 3)
    assert pt.preprocess("inceptionv3", photo[None]).shape == (1, 299, 299, 3)
    assert pt.preprocess("vgg16", photo, crop=True).shape == (224, 224, 3)
    # bilinear + antialias keeps a constant image constant
    grey = np.full((100, 150, 3), 100.0, dtype="float32")
    out = pt.preprocess("inceptionv3", grey)
    np.testing.assert_allclose(out, 100.0 / 127.5 - 1.0, atol=1e-5)
    # crop keeps the centre: left half black, right half white -> centre crop
    # of a 100x300 image is columns 100..199, all from the middle
    bands = np.zeros((100, 300, 3), dtype="uint8")
    bands[:, 100:200] = 200
    cropped = pt.preprocess("inceptionv3", bands, crop=True)
    np.testing.assert_allclose(cropped, 200 / 127.5 - 1.0, atol=1e-4)


@pytest.mark.parametrize("bad, expected", [
    (np.zeros((224, 224)), "shape"),
    (np.zeros((224, 224, 4)), "3 channels"),
    (np.zeros((1, 224, 224, 1)), "3 channels"),
    (np.zeros((1, 2, 224, 224, 3)), "shape"),
    (np.full((8, 8, 3), np.nan), "NaN"),
    (np.full((8, 8, 3), 300.0), r"\[0, 255\]"),
    (np.full((8, 8, 3), -100.0), "preprocessed"),
    (np.zeros((0, 224, 224, 3)), "empty"),
    (np.array([["a"] * 3] * 2), "numbers"),
])
def test_preprocess_validation(bad, expected):
    with pytest.raises(ValueError, match="^images: ") as info:
        pt.preprocess("resnet50", bad)
    assert info.match(expected)


def test_preprocess_clips_small_overshoot():
    # bicubic resampling elsewhere can overshoot [0, 255] a little
    img = np.full((224, 224, 3), 128.0, dtype="float32")
    img[0, 0] = [-1.5, 256.5, 255.0]
    out = pt.preprocess("inceptionv3", np.pad(img, ((0, 75), (0, 75), (0, 0)),
                                              constant_values=128.0))
    assert out.min() >= -1.0 and out.max() <= 1.0


def test_preprocess_warns_on_unit_range():
    with pytest.warns(UserWarning, match="255"):
        pt.preprocess("resnet50", np.full((224, 224, 3), 0.5, dtype="float32"))
