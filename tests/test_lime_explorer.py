"""The LIME explorer: every setting precomputed, each control shows what LIME itself gives."""

from __future__ import annotations

import numpy as np
import pytest

import camteach as ct
from camteach import widgets
from camteach.widgets.lime_explorer import lime_explorer

LEVELS, COUNTS = (20, 60), (12, 25)


@pytest.fixture(scope="module")
def model():
    return ct.load_course_model()


@pytest.fixture(scope="module")
def scenes():
    return ct.make_scenes(2, seed=2, size=224)


@pytest.fixture(scope="module")
def explorer(model, scenes):
    return lime_explorer(model, scenes, levels=LEVELS, counts=COUNTS)


def test_registered_in_the_widgets_package():
    assert widgets.lime_explorer is lime_explorer


def test_each_setting_shows_lime_as_run_with_it(model, scenes, explorer):
    c = explorer.controls
    with explorer._held():
        c["scene"].value, c["num_samples"].value = 1, 20
        c["segmentation"].value, c["n_segments"].value = "slic", 12
    explorer.refresh()
    want = ct.explain(model, scenes.images[1], "lime", classes=int(scenes.labels[1]),
                      num_samples=20, n_segments=12)
    np.testing.assert_allclose(explorer.state["lime"], want.maps[0, 0], rtol=1e-4, atol=1e-6)
    assert explorer.state["r2"] == pytest.approx(float(want.r2[0, 0]), rel=1e-5)
    grad = ct.upsample(ct.grad_cam(model, scenes.images[1:2], classes=scenes.labels[1:2])
                       .maps[:, 0], 224)[0]
    np.testing.assert_allclose(explorer.state["grad"], grad, rtol=1e-4, atol=1e-6)


def test_controls_change_the_picture_without_the_model(explorer, monkeypatch):
    monkeypatch.setattr(ct.methods.lime.Lime, "explain",
                        lambda *a, **k: pytest.fail("a control ran LIME"))
    c = explorer.controls
    with explorer._held():
        c["scene"].value, c["num_samples"].value = 0, 60
        c["segmentation"].value, c["n_segments"].value = "slic", 25
    explorer.refresh()
    pictures = {explorer.picture}
    for name, value in (("num_samples", 20), ("segmentation", "quickshift"),
                        ("scene", 1), ("segmentation", "slic"), ("n_segments", 12)):
        explorer.controls[name].value = value
        assert explorer.state[name] == value
        pictures.add(explorer.picture)
    assert len(pictures) == 6
    assert explorer.controls["n_segments"].disabled is False
    explorer.controls["segmentation"].value = "quickshift"
    assert explorer.controls["n_segments"].disabled and explorer.state["n_segments"] is None
    for method in ("grad_cam", "lime"):
        assert set(explorer.state["truth"][method]) == {"hit", "iou", "energy"}


@pytest.mark.parametrize("kwargs,match", [
    ({"levels": [5]}, "^levels: "), ({"levels": 100}, "^levels: "),
    ({"counts": [1]}, "^counts: "), ({"seed": -1}, "^seed: ")])
def test_bad_arguments_name_them(model, scenes, kwargs, match):
    with pytest.raises(ValueError, match=match):
        lime_explorer(model, scenes, **kwargs)
    with pytest.raises(ValueError, match="^scenes: "):
        lime_explorer(model, ct.make_scenes(2, seed=2, objects=2))
