"""The layer explorer: maps of several layers computed once, picked without the network."""

from __future__ import annotations

import io

import ipywidgets as ipw
import numpy as np
import pytest
from PIL import Image

import camteach as ct
from camteach import course_model, widgets

LAYERS = ["block1_conv1", *course_model.VGG_BLOCK_OUTPUTS]


@pytest.fixture(scope="module")
def vgg():
    """The "vgg" architecture with fresh weights (narrow: fast)."""
    return course_model.build_vgg_model(widths=(4, 8, 16), dense=8, seed=0)


@pytest.fixture(scope="module")
def scene():
    return ct.draw_scene("house", seed=4)


@pytest.fixture(scope="module")
def explorer(vgg, scene):
    return widgets.layer_explorer(vgg, scene.images[0], LAYERS, mask=scene.masks[0])


def test_every_layer_and_class_shows_the_methods_own_map(vgg, scene, explorer):
    assert explorer.controls["layer"].value == LAYERS[-1]        # the last layer first
    assert isinstance(explorer.controls["layer"], ipw.Dropdown)
    sizes = {56: LAYERS[1], 28: LAYERS[2], 14: LAYERS[3]}
    for size, layer in sizes.items():
        want = ct.explain(vgg, scene.images, "grad_cam", classes=[[0, 1, 2, 3]], layer=layer)
        for c in range(4):
            explorer.controls["class"].value = c
            explorer.controls["layer"].value = layer
            state = explorer.state
            assert state["size"] == (size, size)
            np.testing.assert_allclose(state["map"], want.maps[0, c], rtol=1e-5, atol=1e-7)
            assert state["heat"].shape == (224, 224)
            assert state["scale"] == pytest.approx(float(np.abs(want.maps[0, c]).max()))
            assert explorer.norm.vmin == -explorer.norm.vmax      # zero-centred
            assert state["logit"] == pytest.approx(float(want.logits[0, c]), rel=1e-5)
            peak = np.unravel_index(np.argmax(state["heat"]), (224, 224))
            assert state["peak"] == tuple(int(v) for v in peak)
            hit = ct.pointing_game(state["heat"][None], scene.masks[:1])[0]
            assert state["hit"] == bool(hit)
            assert explorer.axes[0].get_title().startswith(f"grad_cam at {layer}, {size}x{size}")


def test_no_control_change_runs_the_network(vgg, scene, monkeypatch):
    calls = []
    original = ct.methods.explain

    def counting(*args, **kwargs):
        calls.append(kwargs.get("layer"))
        return original(*args, **kwargs)

    monkeypatch.setattr(ct.methods, "explain", counting)
    built = widgets.layer_explorer(vgg, scene.images[0], LAYERS[2:],
                                   class_names=("w", "x", "y", "z"))
    assert len(calls) == 1 + 2             # the scores once, then one run per layer
    before, renders, changes = len(calls), built.renders, 0
    for layer in LAYERS[2:]:
        for c in range(4):
            for name, value in (("layer", layer), ("class", c)):
                changes += built.controls[name].value != value
                built.controls[name].value = value
    assert len(calls) == before
    assert built.renders == renders + changes          # one synchronous redraw per change
    assert built.controls["class"].options[0][0].startswith("w (p=")
    assert built.state["hit"] is None and built.state["peak_distance"] is None


def test_picture_and_blitting(explorer):
    picture = Image.open(io.BytesIO(explorer.picture))
    assert picture.size == explorer.figure.canvas.get_width_height()
    assert picture.size[0] >= 700                      # two 330 px panels and a colour bar
    for layer in (LAYERS[0], LAYERS[-1]):              # a new resolution redraws correctly
        explorer.controls["layer"].value = layer
        canvas = explorer.figure.canvas
        blitted = np.array(canvas.buffer_rgba())
        explorer.refresh(full=True)
        np.testing.assert_array_equal(blitted, np.asarray(canvas.buffer_rgba()))


def test_bad_arguments_say_what_was_expected(vgg, scene):
    image = scene.images[0]
    with pytest.raises(ValueError, match="method: 'cam' is defined at one layer only"):
        widgets.layer_explorer(ct.build_course_model(widths=(4, 8, 8, 8), seed=0), image,
                               ["conv5_out"], method="cam")
    with pytest.raises(ValueError, match="layers: expected a non-empty list"):
        widgets.layer_explorer(vgg, image, "block4_conv2")
    with pytest.raises(ValueError, match="layers: expected a non-empty list"):
        widgets.layer_explorer(vgg, image, [])
    with pytest.raises(ValueError, match="layers: 'fc1' has output shape"):
        widgets.layer_explorer(vgg, image, ["fc1"])
    with pytest.raises(ValueError, match="layer: no layer named 'block9_conv1'"):
        widgets.layer_explorer(vgg, image, ["block9_conv1"])
    with pytest.raises(ValueError, match="mask: expected a bool array of shape"):
        widgets.layer_explorer(vgg, image, LAYERS, mask=np.ones((7, 7), bool))
    with pytest.raises(ValueError, match="image: expected one RGB image"):
        widgets.layer_explorer(vgg, image[:100], LAYERS)
    with pytest.raises(ValueError, match="method: expected one of"):
        widgets.layer_explorer(vgg, image, LAYERS, method="gradcam")
