"""The pooling explorer: move an object, the feature map moves, its average stays."""

from __future__ import annotations

import ipywidgets as ipw
import keras
import numpy as np
from matplotlib.colors import Normalize

from .. import checks, graph, maps, plots, scenes
from . import base, drawing
from .base import Explorer


def grid_positions(probe: scenes.Scenes, grid: int, scale: float) -> list[float]:
    """Object centres (fractions) that keep the object inside the image, evenly spaced.

    Parameters
    ----------
    probe : Scenes
        The scene with its object in the middle (one image).
    grid : int
        How many positions.
    scale : float
        The object's scale (for the error message).

    Returns
    -------
    list of float, (grid,)
        Increasing, symmetric about 0.5.
    """
    size = probe.images.shape[1]
    x0, y0, x1, y1 = probe.boxes[0]
    half = max(x1 - x0, y1 - y0) / 2 + 2          # 2 px margin for rasterisation
    low = float(np.ceil(100 * half / size) / 100)
    if low >= 0.5:
        raise ValueError(f"scale: the object ({scale:g}) is too large to move around")
    return [round(float(v), 3) for v in np.linspace(low, 1 - low, grid)]


class PoolingExplorer(Explorer):
    """Move an object; the channel's 7x7 map moves with it, its mean (GAP) stays.

    Built by :func:`pooling_explorer`.

    Attributes
    ----------
    positions : list of float
        The object-centre fractions the x and y sliders snap to.
    images : numpy.ndarray, uint8, (G, G, H, W, 3)
        The scene at every grid position, ``images[iy, ix]``.
    F : numpy.ndarray, float32, (G, G, h, w, C)
        The feature maps at every position (one batched forward pass).
    pooled : numpy.ndarray, float32, (G, G, C)
        Their global averages.
    target : int
        The class whose contributions order the channels.
    order : numpy.ndarray, int, (C,)
        Channels by mean contribution ``pooled_k * W[k, target]``, largest first.
    """

    def __init__(self, model: keras.Model, label: int | str, seed: int, grid: int,
                 scale: float):
        probe = scenes.draw_scene(label, center=(0.5, 0.5), scale=scale, seed=seed)
        super().__init__(4, (10.1, 4.05), width_ratios=(1, 1, 0.07, 0.8))
        self.label = label
        self.positions = grid_positions(probe, grid, scale)
        feats = self._run(model, label, seed, grid, scale)
        self.target = self._target_class(int(probe.labels[0]), feats)
        contrib = self.pooled.mean(axis=(0, 1)) * feats.W[:, self.target]
        self.order = np.argsort(-contrib, kind="stable")
        self._peak = np.maximum(self.F.max(axis=(0, 1, 2, 3)), 1e-6)       # (C,)
        self._signed = self.F.min(axis=(0, 1, 2, 3)) < 0                    # (C,)
        self._reach = np.maximum(np.abs(self.F).max(axis=(0, 1, 2, 3)), 1e-6)
        self.names = base.class_names(feats.W.shape[1], None)
        middle = self.F[grid // 2, grid // 2]                                # (h, w, C)
        self._fixed = [np.unravel_index(np.argmax(middle[..., k]), middle.shape[:2])
                       for k in range(middle.shape[-1])]
        self._draw_static()
        self._connect(self._controls(contrib, grid))

    def _run(self, model: keras.Model, label: int | str, seed: int, grid: int,
             scale: float) -> maps.Features:
        """Draw the scene at every grid position and run the network once on them all."""
        images = np.stack([scenes.draw_scene(label, center=(x, y), scale=scale,
                                             seed=seed).images[0]
                           for y in self.positions for x in self.positions])
        feats = maps.features(model, images)
        self.images = images.reshape(grid, grid, *images.shape[1:])
        self.F = feats.F.reshape(grid, grid, *feats.F.shape[1:])
        self.pooled = feats.pooled.reshape(grid, grid, -1)
        self.logits = feats.logits.reshape(grid, grid, -1)
        return feats

    @staticmethod
    def _target_class(label: int, feats: maps.Features) -> int:
        if feats.W.shape[1] == len(scenes.CLASS_NAMES):
            return label
        return int(np.argmax(feats.logits.mean(axis=0)))

    def _controls(self, contrib: np.ndarray, grid: int) -> dict[str, ipw.ValueWidget]:
        def slider(name: str) -> ipw.SelectionSlider:
            return ipw.SelectionSlider(options=[(f"{v:.2f}", v) for v in self.positions],
                                       value=self.positions[grid // 2], description=name,
                                       continuous_update=True)

        channel = ipw.Dropdown(options=[(f"{k} (contribution {contrib[k]:+.3f})", int(k))
                                        for k in self.order],
                               value=int(self.order[0]), description="channel")
        return {"x": slider("object x"), "y": slider("object y"), "channel": channel}

    def _lay_out(self) -> None:
        """Image and map 2.8 inches (280 px), the map's colour bar, the bars."""
        drawing.place_row(self.axes, [2.8, 2.8, 0.2, 2.4], [0.15, 0.1, 1.35], left=0.1,
                          bottom=0.65, height=2.8)

    def _draw_static(self) -> None:
        ax_img, ax_map, cax, ax_bar = self.axes
        size, cells = self.images.shape[2], self.F.shape[2]
        a = self.artists
        a["image"] = self._picture_axes(ax_img, self.images[0, 0])
        edges = np.arange(1, cells) * size / cells - 0.5
        self._animate(
            ax_img.vlines(edges, -0.5, size - 0.5, colors="white", linewidths=0.5, alpha=0.6),
            ax_img.hlines(edges, -0.5, size - 0.5, colors="white", linewidths=0.5, alpha=0.6))
        a["image_cell"] = self._new_box(ax_img, "yellow")
        #: The map's colour scale, shared by every object position: [0, max] of
        #: the channel (or [-m, +m], diverging, for a channel with negative values).
        self.norm = Normalize(0.0, 1.0)
        a["map"] = self._picture_axes(ax_map, self.F[0, 0, :, :, 0], cmap="viridis",
                                      norm=self.norm)
        a["colorbar"] = self._colorbar(cax, self.norm, "viridis",
                                       "feature value (same scale at every position)")
        a["map_cell"] = self._new_box(ax_map, "yellow")
        a["fixed_cell"] = self._new_box(ax_map, "white", "--")
        a["bars"] = self._new_bars(ax_bar, ["one cell\n(dashed)", "mean of all\ncells (GAP)"])
        a["bar_title"] = ax_bar.title
        self._shown_channel: int | None = None

    def _update(self) -> None:
        x, y, k = (self.controls[n].value for n in ("x", "y", "channel"))
        ix, iy = self.positions.index(x), self.positions.index(y)
        fmap = self.F[iy, ix, :, :, k]
        cell = tuple(int(v) for v in np.unravel_index(np.argmax(fmap), fmap.shape))
        fixed = tuple(int(v) for v in self._fixed[k])
        pooled = float(self.pooled[iy, ix, k])
        self.state = {"position": (x, y), "channel": int(k), "class": self.target,
                      "logit": float(self.logits[iy, ix, self.target]),
                      "pooled": pooled, "argmax_cell": cell, "map": fmap,
                      "fixed_cell": fixed, "fixed_cell_value": float(fmap[fixed]),
                      "pooled_range": (float(self.pooled[..., k].min()),
                                       float(self.pooled[..., k].max()))}
        self._draw_state()

    def _draw_state(self) -> None:
        s, a = self.state, self.artists
        iy, ix = (self.positions.index(v) for v in s["position"][::-1])
        a["image"].set_data(self.images[iy, ix])
        a["map"].set_data(s["map"])
        cell_px = self.images.shape[2] / self.F.shape[2]
        drawing.place_box(a["image_cell"], drawing.cell_box(*s["argmax_cell"]), cell=cell_px)
        drawing.place_box(a["map_cell"], drawing.cell_box(*s["argmax_cell"]))
        drawing.place_box(a["fixed_cell"], drawing.cell_box(*s["fixed_cell"]))
        drawing.set_bars(a["bars"], [s["fixed_cell_value"], s["pooled"]])
        if s["channel"] != self._shown_channel:   # new fixed scales: the map's, the bars'
            self._shown_channel = k = s["channel"]
            self._set_scale(k)
            self._invalidate()
        self._draw_titles()

    def _set_scale(self, k: int) -> None:
        """Channel ``k``'s colour scale (map and colour bar) and bar axis, fixed over positions."""
        bar_ax, image = self.axes[3], self.artists["map"]
        if self._signed[k]:
            self.norm.vmin, self.norm.vmax = drawing.symmetric(self._reach[k])
            cmap = plots.SIGNED_CMAP
            bar_ax.set_ylim(-1.1 * self._reach[k], 1.1 * self._reach[k])
        else:
            self.norm.vmin, self.norm.vmax = 0.0, float(self._peak[k])
            cmap = "viridis"
            bar_ax.set_ylim(0, 1.1 * self._peak[k])
        image.set_cmap(cmap)
        self.artists["colorbar"].mappable.set_cmap(cmap)

    def _draw_titles(self) -> None:
        s = self.state
        x, y = s["position"]
        self.axes[0].set_title(f"object at x={x:.2f}, y={y:.2f}\n"
                               f"{self.names[s['class']]}: logit {s['logit']:+.2f}",
                               fontsize=drawing.FONT)
        self.axes[1].set_title(f"channel {s['channel']}: 7x7 map\nmax at "
                               f"row {s['argmax_cell'][0]}, col {s['argmax_cell'][1]}",
                               fontsize=drawing.FONT)
        low, high = s["pooled_range"]
        self.artists["bar_title"].set_text(f"GAP = {s['pooled']:.3f}\n(all positions: "
                                           f"{low:.3f} .. {high:.3f})")


def pooling_explorer(model: keras.Model, label: int | str = "face", seed: int = 0, *,
                     grid: int = 7, scale: float = 1.0) -> PoolingExplorer:
    """Move an object and watch one feature map move while its average stays.

    The scene of ``seed`` is drawn with the object at every point of a
    ``grid`` x ``grid`` lattice of centres (only the object moves), and the
    network runs once on all of them (one batched ``ct.features`` call); the
    x and y sliders snap to that lattice.

    Shows the image (with the 7x7 cells and the hottest cell; the title gives
    the class's logit at that position), the chosen channel's 7x7 map with
    its colour bar (one scale for every position: ``[0, max]`` of the
    channel, or zero-centred ``[-m, +m]`` for a channel with negative
    values) and two bars: the
    map's value in one fixed cell (dashed: where the map peaks with the object
    in the middle), which changes as the object moves, and the global
    average, which stays nearly the same.

    Parameters
    ----------
    model : keras.Model
        A GAP + Dense classifier of 224x224 raw RGB images (the course model).
    label : str or int
        The object's class, a name in ``ct.CLASS_NAMES`` or its index.
    seed : int
        The scene (background and the object's look).
    grid : int
        Positions per axis (2..15); ``grid**2`` images go through the network.
    scale : float
        Object size, as in ``ct.draw_scene``.

    Returns
    -------
    PoolingExplorer
        Controls ``"x"``, ``"y"`` (SelectionSliders over ``.positions``) and
        ``"channel"`` (channels ordered by their contribution to the class,
        largest first). ``state``: ``position`` (x, y), ``channel``,
        ``pooled``, ``argmax_cell`` (row, col), ``map`` (7x7),
        ``fixed_cell``, ``fixed_cell_value``, ``pooled_range``, ``class``,
        ``logit`` (the class's score with the object at ``position``).
    """
    graph.check_model(model)
    grid = checks.int_in_range(grid, "grid", 2, 15)
    return PoolingExplorer(model, label, seed, grid, scale)
