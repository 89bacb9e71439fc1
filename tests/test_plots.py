"""The shared figures: each returns a Picture that renders and saves."""

from __future__ import annotations

import numpy as np
import pytest

import camteach as ct

IMAGE = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
MAPS = np.random.default_rng(1).normal(size=(3, 7, 7)).astype(np.float32)


@pytest.mark.parametrize("make", [
    lambda: ct.plots.images([IMAGE, IMAGE], titles=["a", "b"], masks=[IMAGE[..., 0] > 128] * 2,
                            boxes=[[2, 3, 20, 30]] * 2),
    lambda: ct.plots.feature_maps(MAPS, values=True),
    lambda: ct.plots.cams(IMAGE, MAPS, boxes=[None, [1, 1, 9, 9], None]),
    lambda: ct.plots.upsampling(MAPS[0], 32),
    lambda: ct.plots.bars(np.array([0.5, -0.2, 0.0]), ["x", "y", "z"], highlight=1),
])
def test_pictures_render_to_png_and_save(make, tmp_path):
    picture = make()
    assert picture._repr_png_().startswith(b"\x89PNG")
    picture.save(tmp_path / "figure.png")
    assert (tmp_path / "figure.png").stat().st_size > 1000


def test_symmetric_scale_puts_zero_in_the_middle():
    picture = ct.plots.feature_maps(MAPS, cmap="RdBu_r", shared_scale=False, symmetric=True)
    for ax, grid in zip(picture.figure.axes, MAPS):
        low, high = ax.images[0].get_clim()
        assert low == -high == pytest.approx(-np.abs(grid).max())


def test_box_corners_follow_pixel_edges():
    picture = ct.plots.images([IMAGE], boxes=[[2, 3, 20, 30]])
    patch = picture.figure.axes[0].patches[0]
    assert (patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height()) == (1.5, 2.5, 18, 27)
