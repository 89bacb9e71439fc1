"""The interactive explorers: state, artists, pictures, no re-run of the network."""

from __future__ import annotations

import io

import ipywidgets as ipw
import keras
import numpy as np
import pytest
import tensorflow as tf
from IPython.core.formatters import format_display_data
from matplotlib import colormaps as plt_colormaps
from matplotlib.figure import Figure
from PIL import Image

import camteach as ct
from camteach import maps as maps_module
from camteach import scenes as scenes_module
from camteach import widgets

SEED = 3


@pytest.fixture(scope="module")
def model():
    return ct.build_course_model(seed=0)


@pytest.fixture(scope="module")
def car():
    return ct.draw_scene("car", seed=1)


@pytest.fixture(scope="module")
def face():
    return ct.draw_scene("face", center=(0.45, 0.55), seed=2)


@pytest.fixture(scope="module")
def pooling(model):
    return widgets.pooling_explorer(model, "face", seed=SEED, grid=5)


class CountingRescaling(keras.layers.Rescaling):
    """``Rescaling`` that counts the batches going through it: every run of the network."""

    runs = tf.Variable(0, dtype=tf.int64, trainable=False)

    def call(self, inputs):
        CountingRescaling.runs.assign_add(1)
        return super().call(inputs)


@pytest.fixture(scope="module")
def counted_model(model):
    """The course model's architecture with a counting ``rescale`` layer after the input."""
    def swap(layer):
        kind = CountingRescaling if layer.name == "rescale" else type(layer)
        return kind.from_config(layer.get_config())
    counted = keras.models.clone_model(model, clone_function=swap)
    assert isinstance(counted.get_layer("rescale"), CountingRescaling)
    return counted


def _assert_blit_matches_full_redraw(explorer):
    """The blitted picture equals a from-scratch drawing of the same state."""
    canvas = explorer.figure.canvas
    blitted, picture = np.array(canvas.buffer_rgba()), explorer.picture
    explorer.refresh(full=True)
    np.testing.assert_array_equal(blitted, np.asarray(canvas.buffer_rgba()))
    assert explorer.picture == picture


def _values(control):
    """The values a control can take: its options' values, or its range's ends."""
    if hasattr(control, "options"):
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    return [control.min, control.max]


def _drive(explorer):
    """Set every control to another value and back; return the number of changes."""
    changes = 0
    for control in explorer.controls.values():
        values = _values(control)
        start = control.value
        for value in [v for v in values if v != start][:2] + [start]:
            control.value = value
            changes += 1
    return changes


# -- the common machinery ----------------------------------------------------

def test_explorers_have_the_common_interface(model, car, pooling):
    explorers = [pooling, widgets.weights_explorer(model, car.images[0]),
                 widgets.cam_builder(model, car.images[0]),
                 widgets.cam_viewer(model, car.images[0], car.boxes[0])]
    for explorer in explorers:
        assert isinstance(explorer.widget, ipw.VBox)
        assert isinstance(explorer.figure, Figure)
        assert explorer.controls and all(isinstance(c, ipw.ValueWidget)
                                         for c in explorer.controls.values())
        assert explorer.state
        picture = Image.open(io.BytesIO(explorer.picture))
        assert picture.size == explorer.figure.canvas.get_width_height()
        assert explorer.widget.children[-1].value == explorer.picture
        assert format_display_data(explorer) == format_display_data(explorer.widget)
        before = explorer.renders
        changes = _drive(explorer)
        assert explorer.renders == before + changes        # one synchronous redraw each
        _assert_blit_matches_full_redraw(explorer)


def test_no_control_change_runs_the_network(counted_model, car, monkeypatch):
    runs = CountingRescaling.runs
    before = int(runs.numpy())
    explorers = [widgets.pooling_explorer(counted_model, "car", seed=SEED, grid=3),
                 widgets.weights_explorer(counted_model, car.images[0]),
                 widgets.cam_builder(counted_model, car.images[0]),
                 widgets.cam_viewer(counted_model, car.images[0])]
    built = int(runs.numpy())
    assert built - before == len(explorers)             # one batched run each, when built
    calls = []

    def counting(name, original):
        def wrapper(*args, **kwargs):
            calls.append(name)
            return original(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(maps_module, "features", counting("features", maps_module.features))
    monkeypatch.setattr(scenes_module, "draw_scene", counting("draw", scenes_module.draw_scene))
    for explorer in explorers:
        _drive(explorer)
    assert calls == []
    assert int(runs.numpy()) == built                    # the network never ran again


# -- 1. pooling explorer ----------------------------------------------------------

def test_pooling_state_is_the_network_on_the_drawn_scene(model, pooling):
    grid = pooling.positions
    for x, y in [(grid[0], grid[-1]), (grid[-1], grid[1])]:
        pooling.controls["x"].value, pooling.controls["y"].value = x, y
        s = pooling.state
        assert s["position"] == (x, y)
        scene = ct.draw_scene("face", center=(x, y), seed=SEED)
        feats = ct.features(model, scene.images)
        k = s["channel"]
        np.testing.assert_allclose(s["pooled"], feats.pooled[0, k], rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(s["map"], feats.F[0, :, :, k], rtol=1e-4, atol=1e-6)
        assert s["map"][s["argmax_cell"]] == s["map"].max()
        assert feats.F[0, :, :, k][s["argmax_cell"]] == pytest.approx(
            feats.F[0, :, :, k].max(), abs=1e-5)
        np.testing.assert_array_equal(pooling.artists["image"].get_array(), scene.images[0])
        np.testing.assert_array_equal(pooling.artists["map"].get_array(), s["map"])
        row, col = s["argmax_cell"]
        assert pooling.artists["map_cell"].get_xy() == (col - 0.5, row - 0.5)
        heights = [bar.get_height() for bar in pooling.artists["bars"].patches]
        assert heights == pytest.approx([s["fixed_cell_value"], s["pooled"]])


def test_pooling_channels_are_ordered_by_contribution(model, pooling):
    feats = ct.features(model, pooling.images.reshape(-1, 224, 224, 3))
    contrib = feats.pooled.mean(axis=0) * feats.W[:, pooling.target]
    assert pooling.target == ct.CLASS_NAMES.index("face")
    assert pooling.state["channel"] == int(np.argmax(contrib)) or \
        contrib[pooling.state["channel"]] == pytest.approx(contrib.max())
    k = int(pooling.order[5])
    pooling.controls["channel"].value = k
    assert pooling.state["channel"] == k
    assert pooling.state["pooled"] == pytest.approx(
        pooling.pooled[pooling.positions.index(pooling.state["position"][1]),
                       pooling.positions.index(pooling.state["position"][0]), k])


def test_pooling_grid_keeps_the_object_inside(pooling):
    grid = pooling.positions
    assert len(grid) == 5 and grid == sorted(grid) and 0 < grid[0] < 0.5 < grid[-1] < 1
    assert grid[0] == pytest.approx(1 - grid[-1])
    # the object moves, the background stays: corner pixels agree across positions
    np.testing.assert_array_equal(pooling.images[0, 0, :8, -8:], pooling.images[-1, -1, :8, -8:])
    assert not np.array_equal(pooling.images[0, 0], pooling.images[-1, -1])


# -- 2. weights explorer ----------------------------------------------------------

def test_weights_explorer_logits_and_edits(model, car):
    kernel_before = np.array(model.get_layer("predictions").kernel)
    feats = ct.features(model, car.images)
    explorer = widgets.weights_explorer(model, car.images[0], c=1)
    s = explorer.state
    np.testing.assert_allclose(s["logits"], feats.logits[0], rtol=1e-6, atol=1e-7)
    # the model's own head (sigmoid for the course model), as model.predict gives it
    np.testing.assert_allclose(s["probabilities"], model.predict(car.images, verbose=0)[0],
                               atol=1e-6)
    assert s["edited"] == {} and s["class"] == 1
    contrib = np.abs(feats.pooled[0] * feats.W[:, 1])
    assert explorer.targets == [int(k) for k in np.argsort(-contrib, kind="stable")[:3]]
    k, delta = explorer.targets[1], 0.05
    old = float(feats.W[k, 1])
    explorer.controls["weight_1"].value = old + delta
    s = explorer.state
    change = s["logits"] - feats.logits[0].astype(np.float64)
    assert change[1] == pytest.approx(delta * float(feats.pooled[0, k]), rel=1e-6, abs=1e-9)
    np.testing.assert_allclose(np.delete(change, 1), 0, atol=1e-7)
    assert s["edited"] == {(k, 1): pytest.approx(old + delta)}
    widths = [bar.get_width() for bar in explorer.artists["contributions"].patches]
    np.testing.assert_allclose(widths, s["contributions"])
    heights = [bar.get_height() for bar in explorer.artists["logits"].patches]
    np.testing.assert_allclose(heights, s["logits"])
    np.testing.assert_array_equal(np.array(model.get_layer("predictions").kernel), kernel_before)


def test_weights_explorer_keeps_edits_across_classes_and_resets(model, car):
    explorer = widgets.weights_explorer(model, car.images[0], c=0)
    k = explorer.targets[0]
    explorer.controls["weight_0"].value = 0.2
    explorer.controls["class"].value = 2
    assert explorer.state["class"] == 2
    assert [explorer.controls[f"weight_{i}"].value for i in range(3)] == pytest.approx(
        [explorer.W[j, 2] for j in explorer.targets])
    assert explorer.state["edited"] == {(k, 0): pytest.approx(0.2)}
    explorer.controls["class"].value = 0
    assert explorer.controls["weight_0"].value == pytest.approx(0.2)
    explorer.reset()
    assert explorer.state["edited"] == {}
    assert explorer.controls["weight_0"].value == pytest.approx(explorer.W[k, 0])


def test_weights_explorer_takes_the_browsers_rounded_echo_for_no_edit(model, car):
    explorer = widgets.weights_explorer(model, car.images[0], c=0)
    explorer.controls["class"].value = 2
    renders, state = explorer.renders, dict(explorer.state)
    slider = explorer.controls["weight_0"]
    # what a browser slider sends back after the kernel set an off-grid value
    slider.value = slider.min + round((slider.value - slider.min) / slider.step) * slider.step
    assert explorer.renders == renders and explorer.state["edited"] == {}
    np.testing.assert_array_equal(explorer.state["logits"], state["logits"])
    slider.value = slider.value + slider.step            # one step: a student's edit
    assert explorer.renders == renders + 1
    assert list(explorer.state["edited"]) == [(explorer.targets[0], 2)]


# -- 3. CAM builder ---------------------------------------------------------------

def test_cam_builder_sums_terms_up_to_the_cam(model, face):
    image = face.images[0]
    explorer = widgets.cam_builder(model, image, c=2)
    feats = ct.features(model, face.images)
    reference = ct.cam(model, face.images, classes=2).maps[0, 0]
    n_all = feats.F.shape[-1]
    explorer.controls["n_terms"].value = n_all
    s = explorer.state
    np.testing.assert_allclose(s["partial"], reference, rtol=1e-4, atol=1e-5)
    assert s["error"] == pytest.approx(0, abs=1e-6) and s["correlation"] == pytest.approx(1)
    assert s["score"] == pytest.approx(float(feats.logits[0, 2]), abs=1e-5)
    explorer.controls["n_terms"].value = 0
    assert np.all(explorer.state["partial"] == 0) and explorer.state["error"] == pytest.approx(1)
    explorer.controls["n_terms"].value = 1
    order = np.argsort(-np.abs(feats.pooled[0] * feats.W[:, 2]), kind="stable")
    assert explorer.state["term_channel"] == int(order[0])
    np.testing.assert_allclose(explorer.state["partial"],
                               feats.F[0, :, :, order[0]] * feats.W[order[0], 2],
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(explorer.artists["partial"].get_array(),
                                  explorer.state["partial"])


def test_cam_builder_class_dropdown(model, car):
    explorer = widgets.cam_builder(model, car.images[0])
    logits = ct.features(model, car.images).logits[0]
    assert explorer.state["class"] == int(np.argmax(logits))
    explorer.controls["class"].value = 3
    explorer.controls["n_terms"].value = explorer.controls["n_terms"].max
    np.testing.assert_allclose(explorer.state["cam"],
                               ct.cam(model, car.images, classes=3).maps[0, 0],
                               rtol=1e-4, atol=1e-5)


# -- 4. CAM viewer ----------------------------------------------------------------

@pytest.mark.parametrize("method", ["nearest", "bilinear", "bicubic"])
def test_cam_viewer_box_and_iou(model, car, method):
    explorer = widgets.cam_viewer(model, car.images[0], truth_box=car.boxes[0])
    res = ct.cam(model, car.images, top=4)
    assert [v for _, v in explorer.controls["class"].options] == res.classes[0].tolist()
    c = int(res.classes[0, 1])
    explorer.controls["class"].value = c
    explorer.controls["method"].value = method
    for threshold in (0.2, 0.6):
        explorer.controls["threshold"].value = threshold
        s = explorer.state
        heat = ct.upsample(res.maps[0, 1], 224, method=method)
        expected = ct.cam_box(heat, threshold)
        np.testing.assert_array_equal(s["box"], expected)
        assert s["iou"] == pytest.approx(float(ct.box_iou(expected, car.boxes[0])))
        x0, y0, x1, y1 = expected
        assert explorer.artists["box"].get_bbox().bounds == pytest.approx(
            (x0 - 0.5, y0 - 0.5, x1 - x0, y1 - y0))
    assert (s["class"], s["method"]) == (c, method)


def test_cam_viewer_alpha_and_cmap(model, car):
    image = car.images[0]
    explorer = widgets.cam_viewer(model, image)
    assert explorer.state["iou"] is None and not explorer.artists["truth"].get_visible()
    explorer.controls["alpha"].value = 0.0
    np.testing.assert_array_equal(explorer.state["overlay"], image)
    np.testing.assert_array_equal(explorer.artists["overlay"].get_array(), image)
    explorer.controls["alpha"].value = 1.0
    explorer.controls["cmap"].value = "viridis"
    s = explorer.state
    np.testing.assert_array_equal(s["overlay"], ct.colorize(s["heat"], "viridis"))
    assert explorer.artists["cam"].get_cmap().name == "viridis"
    assert (s["alpha"], s["cmap"]) == (1.0, "viridis")


# -- argument checks -------------------------------------------------------------

def test_bad_arguments_name_the_argument(model, car):
    image = car.images[0]
    with pytest.raises(ValueError, match="image"):
        widgets.cam_builder(model, image[:100])
    with pytest.raises(ValueError, match="image"):
        widgets.weights_explorer(model, image[None])
    with pytest.raises(ValueError, match="label"):
        widgets.pooling_explorer(model, "giraffe")
    with pytest.raises(ValueError, match="label"):
        widgets.pooling_explorer(model, 7)
    with pytest.raises(ValueError, match="grid"):
        widgets.pooling_explorer(model, "car", grid=1)
    with pytest.raises(ValueError, match="^c:"):
        widgets.cam_builder(model, image, c=4)
    with pytest.raises(ValueError, match="^c:"):
        widgets.weights_explorer(model, image, c=-1)
    with pytest.raises(ValueError, match="truth_box"):
        widgets.cam_viewer(model, image, truth_box=(10, 10, 5, 20))
    with pytest.raises(ValueError, match="top"):
        widgets.cam_viewer(model, image, top=0)
    with pytest.raises(ValueError, match="n_edit"):
        widgets.weights_explorer(model, image, n_show=2, n_edit=3)


# -- the figure convention in the explorers ---------------------------------------

def _colorbar_axes(figure):
    return [ax for ax in figure.axes if getattr(ax, "_colorbar", None) is not None]


def _is_blue(image, value):
    """``image`` (an AxesImage) colours ``value`` with more blue than red."""
    r, _, b, _ = image.cmap(image.norm(value))
    return b > r


def test_explorers_are_readable_on_a_projector(model, car, pooling):
    explorers = {"pooling": (pooling, ["image", "map"]),
                 "builder": (widgets.cam_builder(model, car.images[0]),
                             ["term", "partial", "cam"]),
                 "viewer": (widgets.cam_viewer(model, car.images[0], car.boxes[0]),
                            ["cam", "upsampled", "overlay"])}
    for name, (explorer, panels) in explorers.items():
        figure = explorer.figure
        assert figure.dpi >= 100, name
        width, height = figure.get_size_inches() * figure.dpi
        assert (width, height) == explorer.figure.canvas.get_width_height()
        for panel in panels:
            box = explorer.artists[panel].axes.get_window_extent()
            assert min(box.width, box.height) >= 250, (name, panel)
            assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height
        assert _colorbar_axes(figure), name


def test_cam_builder_draws_terms_and_sums_on_one_zero_centred_scale(model, face):
    explorer = widgets.cam_builder(model, face.images[0], c=2)
    a = explorer.artists
    norm = a["term"].norm
    assert a["partial"].norm is norm and a["cam"].norm is norm
    assert norm.vmin == -norm.vmax == pytest.approx(-explorer.state["scale"])
    (bar,) = _colorbar_axes(explorer.figure)
    assert bar._colorbar.norm is norm
    t = explorer.terms_of(2)
    assert explorer.state["scale"] == pytest.approx(
        max(np.abs(t["terms"]).max(), np.abs(t["partials"]).max()))
    # the scale stays while terms are added: every term and sum compares
    negative = next(n for n in range(1, len(t["order"]) + 1)
                    if explorer.W[t["order"][n - 1], 2] < 0)
    explorer.controls["n_terms"].value = negative
    s = explorer.state
    assert (norm.vmin, norm.vmax) == (-s["scale"], s["scale"])
    term = np.asarray(a["term"].get_array())
    np.testing.assert_array_equal(term, s["term"])
    assert term.max() <= 0 < -term.min()                     # a negative term ...
    assert _is_blue(a["term"], term.min())                   # ... looks blue
    title = explorer.artists["term"].axes.get_title()
    assert f"w {explorer.W[s['term_channel'], 2]:+.3f}" in title and "against" in title
    assert "logit" in explorer.artists["cam"].axes.get_title()
    # another class: a new shared scale
    explorer.controls["class"].value = 0
    t0 = explorer.terms_of(0)
    assert norm.vmax == pytest.approx(max(np.abs(t0["terms"]).max(),
                                          np.abs(t0["partials"]).max()))
    _assert_blit_matches_full_redraw(explorer)


def test_cam_builder_negative_cells_look_blue_positive_ones_red(model, car):
    explorer = widgets.cam_builder(model, car.images[0])
    explorer.controls["n_terms"].value = explorer.controls["n_terms"].max
    for c in range(len(explorer.logits)):
        explorer.controls["class"].value = c
        cam = explorer.artists["cam"]
        for value in np.asarray(cam.get_array()).ravel():
            if value != 0:
                assert _is_blue(cam, value) == (value < 0)


def test_cam_viewer_names_its_boxes_and_marks_the_peak(model, car):
    explorer = widgets.cam_viewer(model, car.images[0], truth_box=car.boxes[0],
                                  mask=car.masks[0])
    legend = [t.get_text() for t in explorer.figure.legends[0].get_texts()]
    assert legend == ["CAM box", "true box", "object mask", "peak"]
    assert explorer.artists["box"].get_linestyle() == "--"
    assert explorer.artists["truth"].get_linestyle() == "-"
    for threshold in (0.2, 0.7):
        explorer.controls["threshold"].value = threshold
        for method in ("nearest", "bicubic"):
            explorer.controls["method"].value = method
            s = explorer.state
            row, col = np.unravel_index(np.argmax(s["heat"]), s["heat"].shape)
            assert s["peak"] == (row, col)
            peak = explorer.artists["peak"]
            assert (peak.get_xdata()[0], peak.get_ydata()[0]) == (col, row)
            assert s["hit"] == bool(car.masks[0][row, col])
            assert (s["peak_distance"] == 0) == s["hit"]
            title = explorer.artists["overlay"].axes.get_title()
            assert ("peak on the object" in title) == s["hit"]
    plain = widgets.cam_viewer(model, car.images[0])
    assert [t.get_text() for t in plain.figure.legends[0].get_texts()] == ["CAM box", "peak"]
    assert plain.state["hit"] is None and plain.state["peak_distance"] is None
    with pytest.raises(ValueError, match="mask"):
        widgets.cam_viewer(model, car.images[0], mask=np.ones((7, 7), bool))


def test_cam_viewer_signed_scale_and_normalised_colour_bar(model, car):
    explorer = widgets.cam_viewer(model, car.images[0], top=4)
    assert explorer.state["cmap"] == "RdBu_r" and explorer.state["scale"] == "signed"
    limit = max(float(np.abs(m).max()) for m in explorer.cams.values())
    (bar,) = _colorbar_axes(explorer.figure)
    for c in explorer.cams:
        explorer.controls["class"].value = c
        cam = explorer.artists["cam"]
        assert cam.get_clim() == pytest.approx((-limit, limit))       # shared by the classes
        assert bar._colorbar.norm.vmin == -bar._colorbar.norm.vmax == pytest.approx(-limit)
        if explorer.state["cam"].max() < 0:
            assert _is_blue(cam, explorer.state["cam"].max())
        explorer.controls["alpha"].value = 1.0
        heat = explorer.state["heat"]
        expected = plt_colormaps["RdBu_r"](ct.plots.signed_norm(vmax=limit)(heat))[..., :3]
        np.testing.assert_allclose(explorer.state["overlay"], np.round(expected * 255), atol=1)
        assert "shared scale" in bar.get_ylabel()
    explorer.controls["cmap"].value = "jet"
    assert explorer.state["scale"] == "normalised"
    assert "normalised" in bar.get_ylabel()
    assert bar._colorbar.norm.vmin == 0 and bar._colorbar.norm.vmax == 1
    _assert_blit_matches_full_redraw(explorer)
    explorer.controls["cmap"].value = "RdBu_r"
    assert "shared scale" in bar.get_ylabel()
    _assert_blit_matches_full_redraw(explorer)


def test_pooling_explorer_colour_bar_and_score(model, pooling):
    (bar,) = _colorbar_axes(pooling.figure)
    k = pooling.state["channel"]
    assert pooling.artists["map"].norm is bar._colorbar.norm
    assert pooling.artists["map"].get_clim() == pytest.approx((0, pooling.F[..., k].max()))
    title = pooling.artists["image"].axes.get_title()
    x, y = pooling.state["position"]
    iy, ix = pooling.positions.index(y), pooling.positions.index(x)
    feats = ct.features(model, pooling.images[iy, ix][None])
    assert pooling.state["logit"] == pytest.approx(float(feats.logits[0, pooling.target]),
                                                   abs=1e-4)
    assert f"face: logit {pooling.state['logit']:+.2f}" in title


def test_weights_explorer_title_and_sign_colours(model, car):
    explorer = widgets.weights_explorer(model, car.images[0], c=1)
    s = explorer.state
    title = explorer.axes[0].get_title()
    assert f"car: logit {s['logits'][1]:+.2f}" in title
    for rect, value in zip(explorer.artists["contributions"].patches, s["contributions"]):
        r, _, b, _ = rect.get_facecolor()
        assert (r > b) == (value >= 0)
