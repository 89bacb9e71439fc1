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


# -- the figure convention: shared zero-centred scales, colour bars, scores, sizes ---------

NEGATIVE = -np.abs(MAPS[0]) - 0.1                   # a map below zero everywhere
IMAGE_224 = np.random.default_rng(2).integers(0, 256, (224, 224, 3), dtype=np.uint8)


def _colorbars(figure):
    """The colour bars' axes (figure-level ones and those inset beside an image)."""
    axes = [a for ax in figure.axes for a in (ax, *ax.child_axes)]
    return [ax for ax in axes if getattr(ax, "_colorbar", None) is not None]


def _blue_side(image, value):
    """The colour ``image`` (an AxesImage) gives ``value``: blue > red, zero-centred norm."""
    norm = image.norm
    assert norm.vmin == -norm.vmax
    r, g, b, _ = image.cmap(norm(value))
    return b > r


def _heat_images(picture):
    """The heat layer of each map panel (the image's axes carry it as their last image)."""
    return [ax.images[-1] for ax in picture.figure.axes if ax.images]


@pytest.mark.parametrize("make", [
    lambda: ct.plots.feature_maps(NEGATIVE[None]),
    lambda: ct.plots.feature_maps(NEGATIVE[None], values=True),
    lambda: ct.plots.cams(IMAGE, NEGATIVE[None]),
    lambda: ct.plots.upsampling(NEGATIVE, 32, methods=("nearest", "bilinear")),  # no overshoot
    lambda: ct.plots.localisation(IMAGE, NEGATIVE),
])
def test_an_all_negative_map_looks_blue(make):
    picture = make()
    for image in _heat_images(picture):
        data = np.asarray(image.get_array())
        assert data.max() < 0
        assert _blue_side(image, data.max()) and _blue_side(image, data.min())


def test_signed_maps_share_one_zero_centred_scale():
    maps = np.stack([MAPS[0], 3 * MAPS[1], NEGATIVE])
    reach = float(np.abs(maps).max())
    for picture in (ct.plots.feature_maps(maps), ct.plots.cams(IMAGE_224, maps)):
        images = _heat_images(picture)
        assert len(images) == 3
        norms = {(im.norm.vmin, im.norm.vmax) for im in images}
        assert len(norms) == 1
        low, high = norms.pop()
        assert low == -high
        if picture.figure.axes[0].images[-1].get_array().shape == (7, 7):
            assert high == pytest.approx(reach)
        assert len(_colorbars(picture.figure)) == 1


def test_a_given_vmax_shares_the_scale_across_figures():
    for picture in (ct.plots.feature_maps(MAPS, vmax=10.0), ct.plots.cams(IMAGE, MAPS, vmax=10.0),
                    ct.plots.localisation(IMAGE, MAPS[0], vmax=10.0)):
        for image in _heat_images(picture):
            assert image.get_clim() == (-10.0, 10.0)


def test_non_negative_maps_start_at_zero():
    picture = ct.plots.feature_maps(np.abs(MAPS))
    for image in _heat_images(picture):
        assert image.get_clim() == pytest.approx((0, np.abs(MAPS).max()))


@pytest.mark.parametrize("make", [
    lambda: ct.plots.feature_maps(MAPS),
    lambda: ct.plots.feature_maps(MAPS, shared_scale=False),
    lambda: ct.plots.cams(IMAGE, MAPS),
    lambda: ct.plots.cams(IMAGE, MAPS, scale="normalised"),
    lambda: ct.plots.upsampling(MAPS[0], 32),
    lambda: ct.plots.localisation(IMAGE, MAPS[0]),
])
def test_map_figures_have_a_colour_bar(make):
    picture = make()
    bars = _colorbars(picture.figure)
    assert bars and all(ax.get_ylabel() for ax in bars)


def test_normalised_maps_say_so():
    picture = ct.plots.cams(IMAGE, MAPS, scale="normalised")
    (bar,) = _colorbars(picture.figure)
    assert "normalised" in bar.get_ylabel()
    for image in _heat_images(picture):
        assert image.get_clim() == (0.0, 1.0)
        data = np.asarray(image.get_array())
        assert data.min() == 0 and data.max() == pytest.approx(1)
    picture = ct.plots.localisation(IMAGE, MAPS[0], scale="normalised")
    assert "normalised" in _colorbars(picture.figure)[0].get_ylabel()


def test_titles_carry_the_class_and_its_score():
    picture = ct.plots.cams(IMAGE, MAPS, titles=["car", "face", "house"],
                            scores=[3.21, -0.5, 0.0])
    titles = [ax.get_title() for ax in picture.figure.axes if ax.images]
    assert titles == ["car\nlogit +3.21", "face\nlogit -0.50", "house\nlogit +0.00"]
    picture = ct.plots.feature_maps(MAPS[:2], scores=[1, 2], score_label="p")
    assert [ax.get_title() for ax in picture.figure.axes[:2]] == ["p +1.00", "p +2.00"]
    with pytest.raises(ValueError, match="scores"):
        ct.plots.cams(IMAGE, MAPS, scores=[1.0])


@pytest.mark.parametrize("make", [
    lambda: ct.plots.images([IMAGE_224] * 5, titles=["a\nb"] * 5),
    lambda: ct.plots.feature_maps(np.concatenate([MAPS] * 3), titles=["t"] * 9),
    lambda: ct.plots.feature_maps(MAPS[:1], values=True),
    lambda: ct.plots.feature_maps(MAPS, shared_scale=False, ncols=3),
    lambda: ct.plots.cams(IMAGE_224, MAPS, titles=["car"] * 3, scores=[1, 2, 3]),
    lambda: ct.plots.upsampling(MAPS[0], 224),
    lambda: ct.plots.localisation(IMAGE_224, MAPS[0], truth_box=[1, 2, 50, 60], title="x"),
    lambda: ct.plots.localisations([IMAGE_224] * 3, MAPS, titles=["a"] * 3, scores=[1, 2, 3],
                                   truth_boxes=[[1, 2, 50, 60]] * 3, tolerance=15),
])
def test_readable_on_a_projector(make):
    figure = make().figure
    assert figure.dpi >= 100
    width, height = figure.get_size_inches() * figure.dpi
    figure.canvas.draw()
    panels = [ax for ax in figure.axes if ax.images]
    assert panels
    for ax in panels:
        box = ax.get_window_extent()
        assert min(box.width, box.height) >= 250
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width + 1 and box.y1 <= height + 1


def test_pictures_show_at_the_figure_dpi():
    import io

    from PIL import Image
    picture = ct.plots.feature_maps(MAPS[:1])
    png = Image.open(io.BytesIO(picture._repr_png_()))
    assert png.info["dpi"][0] == pytest.approx(picture.figure.dpi, abs=1)
    width, height = picture.figure.get_size_inches() * picture.figure.dpi
    assert repr(picture) == f"Picture({width:.0f}x{height:.0f} px)"    # no address: stable


# -- localisation -----------------------------------------------------------------

def _legend(picture):
    return [t.get_text() for t in picture.figure.axes[0].get_legend().get_texts()]


def test_localisation_draws_and_names_each_thing():
    heat = np.zeros((224, 224), np.float32)
    heat[100, 60] = 5.0
    mask = np.zeros((224, 224), bool)
    mask[90:130, 50:90] = True
    picture = ct.plots.localisation(IMAGE_224, heat, truth_box=[50, 90, 90, 130],
                                    pred_box=[40, 80, 100, 140], mask=mask, tolerance=15,
                                    title="car: logit +3.21")
    ax = picture.figure.axes[0]
    assert _legend(picture) == ["object mask", "true box", "CAM box", "peak",
                                "15 px around the peak"]
    assert ax.get_title() == "car: logit +3.21"
    truth, pred = (p for p in ax.patches if p.get_label() in ("true box", "CAM box"))
    assert truth.get_label() == "true box" and truth.get_linestyle() == "-"
    assert (truth.get_x(), truth.get_y(), truth.get_width(), truth.get_height()) == \
        (49.5, 89.5, 40, 40)
    assert pred.get_label() == "CAM box" and pred.get_linestyle() == "--"
    (peak,) = [line for line in ax.lines if line.get_label() == "peak"]
    assert (peak.get_xdata()[0], peak.get_ydata()[0]) == (60, 100)
    (circle,) = [p for p in ax.patches if "around the peak" in p.get_label()]
    assert circle.center == (60, 100) and circle.radius == 15
    assert ax.collections                                   # the mask's contour
    assert _colorbars(picture.figure)


def test_localisation_names_only_what_it_draws():
    picture = ct.plots.localisation(IMAGE, MAPS[0], truth_box=[1, 1, 9, 9])
    assert _legend(picture) == ["true box", "peak"]
    picture = ct.plots.localisation(IMAGE, MAPS[0], pred_box=[1, 1, 9, 9], peak=False,
                                    pred_label="CAM box (20%)")
    assert _legend(picture) == ["CAM box (20%)"]
    assert ct.plots.localisation(IMAGE, MAPS[0], peak=False).figure.axes[0].get_legend() is None


def test_localisation_upsamples_small_maps_and_finds_their_peak():
    picture = ct.plots.localisation(IMAGE, MAPS[0])
    heat = picture.figure.axes[0].images[1].get_array()
    assert heat.shape == IMAGE.shape[:2]
    np.testing.assert_allclose(heat, ct.upsample(MAPS[0], 32), rtol=1e-6)
    (peak,) = picture.figure.axes[0].lines
    row, col = np.unravel_index(np.argmax(heat), heat.shape)
    assert (peak.get_xdata()[0], peak.get_ydata()[0]) == (col, row)


def test_localisation_draws_into_given_axes():
    figure = ct.plots.cams(IMAGE, MAPS[:2]).figure
    before = len(figure.axes)
    ax = figure.axes[0]
    picture = ct.plots.localisation(IMAGE, MAPS[0], ax=ax, colorbar=False, truth_box=[1, 1, 5, 5])
    assert picture.figure is figure and len(figure.axes) == before
    assert "true box" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_localisation_checks_its_arguments():
    with pytest.raises(ValueError, match="truth_box"):
        ct.plots.localisation(IMAGE, MAPS[0], truth_box=[5, 5, 1, 1])
    with pytest.raises(ValueError, match="mask"):
        ct.plots.localisation(IMAGE, MAPS[0], mask=np.ones((7, 7), bool))
    with pytest.raises(ValueError, match="tolerance"):
        ct.plots.localisation(IMAGE, MAPS[0], tolerance=-1)
    with pytest.raises(ValueError, match="scale"):
        ct.plots.localisation(IMAGE, MAPS[0], scale="minmax")


def test_localisations_share_one_scale_one_colour_bar_one_legend():
    heats = [MAPS[0], 4 * MAPS[1], NEGATIVE]
    masks = [IMAGE[..., 0] > 128, None, IMAGE[..., 1] > 128]
    picture = ct.plots.localisations([IMAGE] * 3, heats, truth_boxes=[[1, 1, 9, 9], None, None],
                                     pred_boxes=[None, [2, 2, 8, 8], None], masks=masks,
                                     titles=["car", "face", "house"], scores=[1, -2, 0.5],
                                     tolerance=3, ncols=3)
    figure = picture.figure
    images = _heat_images(picture)
    assert len(images) == 3
    reach = max(float(np.abs(ct.upsample(h, 32)).max()) for h in heats)
    for image in images:
        assert image.get_clim() == pytest.approx((-4 * np.abs(MAPS[1]).max(),
                                                  4 * np.abs(MAPS[1]).max()))
        assert image.norm.vmax >= reach - 1e-6
    assert _blue_side(images[2], float(np.asarray(images[2].get_array()).max()))
    assert len(_colorbars(figure)) == 1
    assert [ax.get_legend() for ax in figure.axes if ax.images] == [None] * 3
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "object mask", "true box", "peak", "3 px around the peak", "CAM box"]
    assert [ax.get_title() for ax in figure.axes if ax.images] == [
        "car\nlogit +1.00", "face\nlogit -2.00", "house\nlogit +0.50"]
    with pytest.raises(ValueError, match="truth_boxes"):
        ct.plots.localisations([IMAGE] * 2, [MAPS[0]] * 2, truth_boxes=[[1, 1, 2, 2]])
    with pytest.raises(ValueError, match="heats"):
        ct.plots.localisations([IMAGE] * 2, [MAPS[0]])
    figure = ct.plots.localisations([IMAGE_224] * 2, [MAPS[0]] * 2, scale="normalised").figure
    assert "normalised" in _colorbars(figure)[0].get_ylabel()
