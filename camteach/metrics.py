"""Measuring explanations against the truth the scenes know.

- :func:`pointing_game`: does the hottest pixel of a heat map fall on the object
  (within 15 px, Zhang et al. 2016; ``tolerance=0``: strictly inside)?
- :func:`energy_pointing`: the share of a map's positive mass that lies on the
  object (Wang et al. 2020, Score-CAM's energy-based pointing game).
- :func:`peak_distance`: how far each map's hottest pixel is from the object.
- :func:`confusion_matrix`: counts of (true class, predicted class).
- :func:`cam_box`: the CAM paper's box: keep pixels above a fraction of the
  map's maximum, take the box around the largest connected region.
- :func:`box_iou`: intersection over union of boxes.
- :func:`dissect`: network dissection: which feature channel fires where a
  part (an eye, a wheel, a roof) is.
- :func:`choose_threshold`: the CAM-box threshold with the best mean IoU on
  validation scenes (``VAL_SEED``).

Maps may come at any resolution (a 7x7 CAM or the image's): the measures
that compare them with masks upsample them first, the course's one way
(:func:`camteach.upsample`, bilinear). Faithfulness (deletion, insertion,
ROAD), the sanity check and the baselines live in their own modules and are
re-exported here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage

from . import baselines, checks
from .baselines import edge_maps, gaussian_maps, random_maps
from .faithfulness import (Curves, Road, deletion_auc, deletion_curves, insertion_auc,
                           insertion_curves, road)
from .heatmap import upsample
from .methods import cam
from .sanity import SanityCheck, randomization_check
from .scenes import VAL_SEED, mask_box   # validation scenes: thresholds are chosen on them

__all__ = ["POINTING_TOLERANCE", "THRESHOLDS", "VAL_SEED", "Curves", "Dissection", "Road",
           "SanityCheck", "baselines", "box_iou", "cam_box", "choose_threshold",
           "confusion_matrix", "deletion_auc", "deletion_curves", "dissect", "edge_maps",
           "energy_pointing", "gaussian_maps", "insertion_auc", "insertion_curves",
           "load_leaderboard", "peak_distance", "pointing_game", "random_maps",
           "randomization_check", "road"]

if TYPE_CHECKING:
    import keras

    from .scenes import Scenes

#: The CAM-box thresholds :func:`choose_threshold` tries: 0.05, 0.10, ..., 0.95.
THRESHOLDS = tuple(np.round(np.arange(0.05, 0.96, 0.05), 2))


def box_iou(a, b) -> np.ndarray:
    """Intersection over union of boxes ``(x0, y0, x1, y1)`` (x1, y1 exclusive).

    Parameters
    ----------
    a, b : array-like, (..., 4)
        Boxes; the leading axes broadcast.

    Returns
    -------
    numpy.ndarray, float64, (...)
        IoU in [0, 1]; 0 when both boxes are empty.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    for name, box in (("a", a), ("b", b)):
        if box.shape[-1:] != (4,):
            raise ValueError(f"{name}: expected boxes (..., 4) as (x0, y0, x1, y1), "
                             f"got shape {box.shape}")
        if np.any(box[..., 2] < box[..., 0]) or np.any(box[..., 3] < box[..., 1]):
            raise ValueError(f"{name}: expected x1 >= x0 and y1 >= y0")

    def area(box):
        return (box[..., 2] - box[..., 0]) * (box[..., 3] - box[..., 1])

    width = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    height = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = width * height
    union = area(a) + area(b) - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def cam_box(heatmap, threshold: float = 0.2) -> np.ndarray:
    """The CAM paper's bounding box of a heat map.

    Keeps the pixels whose value is at least ``threshold`` times the map's
    maximum, then returns the box around the largest connected region
    (8-connected). A map whose maximum is not positive is min-max normalised
    first, so that the rule still picks its hottest part.

    Parameters
    ----------
    heatmap : array-like, (H, W)
        Usually a CAM upsampled to the image size.
    threshold : float in (0, 1]
        The fraction of the maximum (0.2 in the CAM paper).

    Returns
    -------
    numpy.ndarray, int64, (4,)
        ``(x0, y0, x1, y1)``, x1 and y1 exclusive, in the map's pixels.
    """
    heat = checks.finite_maps(heatmap, name="heatmap")
    if heat.ndim != 2:
        raise ValueError(f"heatmap: expected one map (H, W), got shape {heat.shape}")
    threshold = checks.number_in(threshold, "threshold", 0.0, 1.0, low_open=True)
    if heat.max() <= 0:
        low, span = heat.min(), heat.max() - heat.min()
        heat = (heat - low) / span if span > 0 else np.ones_like(heat)
    keep = heat >= threshold * heat.max()
    regions, count = ndimage.label(keep, structure=np.ones((3, 3)))
    sizes = np.bincount(regions.ravel())[1:]
    return mask_box(regions == 1 + int(np.argmax(sizes)))


#: The pointing game's tolerance in pixels (Zhang et al. 2016, "Top-down neural
#: attention by excitation backprop": a hit if the peak is within 15 px of the object).
POINTING_TOLERANCE = 15


def at_mask_size(maps, masks, name: str = "heatmaps") -> tuple[np.ndarray, np.ndarray]:
    """``maps`` (N, h, w) upsampled (bilinear) to the size of ``masks`` (N, H, W), both checked.

    Returns
    -------
    (numpy.ndarray float, (N, H, W), numpy.ndarray bool, (N, H, W))
    """
    heat = checks.finite_maps(maps, name=name, min_ndim=3)
    masks = np.asarray(masks)
    if masks.dtype.kind not in "biu" or masks.ndim != 3:
        raise ValueError(f"masks: expected object masks (N, H, W) of bools, got dtype "
                         f"{masks.dtype} and shape {masks.shape}")
    masks = masks.astype(bool, copy=False)
    if heat.ndim != 3 or len(heat) != len(masks):
        raise ValueError(f"masks: expected one mask per map (N, H, W) with N = {len(heat)} "
                         f"for {name} of shape {heat.shape}, got {masks.shape}")
    if heat.shape[1:] != masks.shape[1:]:
        heat = upsample(heat, masks.shape[1:])
    return heat, masks


def energy_pointing(maps, masks) -> np.ndarray:
    """The share of each map's positive mass that lies on its object.

    The energy-based pointing game of Score-CAM (Wang et al. 2020):
    ``sum(ReLU(map) * mask) / sum(ReLU(map))``. Unlike the pointing game it
    looks at the whole map, not only its peak: 1 when all the positive
    evidence is on the object, the object's share of the image for a flat
    map. A map with no positive value scores 0 (it points nowhere).

    Parameters
    ----------
    maps : array-like, (N, h, w)
        Raw maps at any resolution (a 7x7 CAM or the image's); upsampled
        bilinearly to the masks' size first (:func:`camteach.upsample`).
    masks : array-like of bool, (N, H, W)
        The object's pixels (Wang et al. use the box; pass box masks for that).

    Returns
    -------
    numpy.ndarray, float64, (N,), values in [0, 1]
    """
    heat, masks = at_mask_size(maps, masks, name="maps")
    positive = np.maximum(heat.astype(np.float64), 0).reshape(len(heat), -1)
    total = positive.sum(axis=1)
    inside = (positive * masks.reshape(len(masks), -1)).sum(axis=1)
    return np.where(total > 0, inside / np.where(total > 0, total, 1.0), 0.0)


def peak_distance(heatmaps, masks) -> np.ndarray:
    """The distance in pixels from each map's hottest pixel to its object.

    0 when the peak lies on the object; otherwise the Euclidean distance to
    the nearest object pixel (``scipy.ndimage.distance_transform_edt(~mask)``
    read at the peak); ``inf`` when a mask is empty. Ties for the peak go to
    the first pixel in row-major order (``argmax``).

    Parameters
    ----------
    heatmaps : array-like, (N, h, w)
        Maps at any resolution (upsampled bilinearly to the masks' first).
    masks : array-like of bool, (N, H, W)
        The object's pixels.

    Returns
    -------
    numpy.ndarray, float64, (N,)
    """
    heat, masks = at_mask_size(heatmaps, masks)
    flat = heat.reshape(len(heat), -1).argmax(axis=1)
    on_object = masks.reshape(len(masks), -1)[np.arange(len(masks)), flat]
    distance = np.zeros(len(heat))
    for i in np.flatnonzero(~on_object):      # only the misses need a distance map
        if not masks[i].any():
            distance[i] = np.inf
            continue
        distance[i] = ndimage.distance_transform_edt(~masks[i]).flat[flat[i]]
    return distance


def pointing_game(heatmaps, masks, tolerance: float = POINTING_TOLERANCE) -> np.ndarray:
    """Whether each map's hottest pixel lies within ``tolerance`` px of its object.

    The pointing game of Zhang et al. (2016): a hit when the peak is at most
    15 px from the object's pixels (the default), which forgives a coarse map
    (a 7x7 CAM peaks at one of 49 cell centres 32 px apart) for a near miss.
    ``tolerance=0`` is the strict version: the peak must lie on the object.

    Parameters
    ----------
    heatmaps : array-like, (N, h, w)
        Maps at any resolution (upsampled bilinearly to the masks' first).
    masks : array-like of bool, (N, H, W)
        The object's pixels.
    tolerance : float >= 0
        The largest distance, in pixels, from the peak to the object that
        still counts as a hit (see :func:`peak_distance`).

    Returns
    -------
    numpy.ndarray of bool, (N,)
    """
    tolerance = checks.number_in(tolerance, "tolerance", 0.0, np.inf)
    return peak_distance(heatmaps, masks) <= tolerance


def confusion_matrix(true, predicted, num_classes: int) -> np.ndarray:
    """Counts of each (true class, predicted class) pair.

    Parameters
    ----------
    true, predicted : array-like of int, (N,)
        Class indices in [0, num_classes - 1].
    num_classes : int
        The number of classes (the matrix's side).

    Returns
    -------
    numpy.ndarray, int64, (num_classes, num_classes)
        Row ``i``, column ``j``: the images of class ``i`` predicted as ``j``;
        the diagonal holds the correct answers, each row sums to the class's
        number of images.
    """
    num_classes = checks.positive_int(num_classes, "num_classes")
    arrays = []
    for name, value in (("true", true), ("predicted", predicted)):
        array = checks.numeric_array(value, name, (None,), dtype=None)
        if array.dtype.kind not in "iu" or np.any(array < 0) or np.any(array >= num_classes):
            raise ValueError(f"{name}: expected class indices (ints) in "
                             f"[0, {num_classes - 1}], got {array[:8]!r}")
        arrays.append(array.astype(np.int64))
    if len(arrays[0]) != len(arrays[1]):
        raise ValueError(f"predicted: expected one class per true label ({len(arrays[0])}), "
                         f"got {len(arrays[1])}")
    counts = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(counts, (arrays[0], arrays[1]), 1)
    return counts


def choose_threshold(model: keras.Model, scenes: Scenes) -> float:
    """The CAM-box threshold (a fraction of the maximum) with the best mean IoU.

    Each scene's CAM for its true class is upsampled to the image size and
    boxed by :func:`cam_box` at every threshold of ``THRESHOLDS``; the one
    whose boxes overlap ``scenes.boxes`` best on average wins. Choose it on
    validation scenes (``make_scenes(n, seed=VAL_SEED)``), report on others.

    Parameters
    ----------
    model : keras.Model
        A classifier with a CAM (global average pooling + Dense head).
    scenes : Scenes
        Labelled scenes: ``images`` (N, H, W, 3), ``labels`` (N,) and
        ``boxes`` (N, 4).

    Returns
    -------
    float
        One of ``THRESHOLDS``.
    """
    maps = cam(model, scenes.images, classes=scenes.labels).maps[:, 0]
    heat = upsample(maps, scenes.images.shape[1])
    best = max(THRESHOLDS, key=lambda t: np.mean(
        box_iou([cam_box(h, t) for h in heat], scenes.boxes)))
    return float(best)


@dataclass(frozen=True)
class Dissection:
    """Network dissection of one layer.

    Attributes
    ----------
    parts : tuple of str
        The part names, in the order of the arrays below.
    channel : numpy.ndarray, int64, (P,)
        For each part, the channel whose firing overlaps it best.
    iou : numpy.ndarray, float64, (P,)
        That best IoU.
    ious : numpy.ndarray, float64, (P, C)
        The IoU of every channel with every part.
    """

    parts: tuple[str, ...]
    channel: np.ndarray
    iou: np.ndarray
    ious: np.ndarray


def dissect(F, parts: dict, resolution: int = 56) -> Dissection:
    """Which feature channel is the "wheel detector"? Network dissection.

    Each channel's maps are upsampled (bilinear) to ``resolution`` and
    thresholded so that, over the whole set, the channel fires on as many
    pixels as the part covers (a part covering 2% of all pixels is compared
    with each channel's top 2%); the IoU between where the channel fires and
    the part's mask is computed over all images at once.

    Parameters
    ----------
    F : array-like, (N, h, w, C)
        Feature maps (e.g. ``ct.features(model, images).F``).
    parts : dict of str -> bool array (N, H, W)
        Part masks (e.g. ``scenes.parts``); downsampled to ``resolution``.
    resolution : int
        Working resolution (56 keeps it fast; the masks' own size is exact).

    Returns
    -------
    Dissection
    """
    F = checks.finite_maps(np.moveaxis(np.asarray(F), -1, 1), name="F", min_ndim=4)
    n, channels = F.shape[:2]
    act = upsample(F, resolution).reshape(n, channels, -1)          # (N, C, R*R)
    act = np.moveaxis(act, 1, 0).reshape(channels, -1)               # (C, N*R*R)
    ordered = np.sort(act, axis=1)
    names, ious = [], []
    for name, mask in parts.items():
        mask = np.asarray(mask, dtype=bool)
        if mask.ndim != 3 or len(mask) != n:
            raise ValueError(f"parts[{name!r}]: expected masks (N={n}, H, W), got {mask.shape}")
        small = _downsample_mask(mask, resolution).reshape(-1)
        share = small.mean()
        if share == 0:
            continue
        cut = ordered[:, min(act.shape[1] - 1, int(round((1 - share) * act.shape[1])))]
        fires = act > cut[:, None]
        inter = (fires & small).sum(axis=1)
        union = (fires | small).sum(axis=1)
        names.append(name)
        ious.append(inter / np.maximum(union, 1))
    ious = np.array(ious, dtype=np.float64).reshape(len(names), channels)
    best = ious.argmax(axis=1) if len(names) else np.zeros(0, np.int64)
    return Dissection(parts=tuple(names), channel=best.astype(np.int64),
                      iou=ious[np.arange(len(names)), best], ious=ious)


def _downsample_mask(mask: np.ndarray, resolution: int) -> np.ndarray:
    """Nearest-neighbour (pixel-centre) sampling of masks (N, H, W) to R x R."""
    rows = ((np.arange(resolution) + 0.5) * mask.shape[1] / resolution).astype(int)
    cols = ((np.arange(resolution) + 0.5) * mask.shape[2] / resolution).astype(int)
    return mask[:, rows][:, :, cols]


#: Where ``python3 course.py leaderboard`` saves its numbers (committed with the decks).
LEADERBOARD = Path(__file__).resolve().parent.parent / "slides" / "figures" / "leaderboard.json"


def load_leaderboard(path=None, task: str = "scenes") -> dict:
    """The leaderboard's numbers for one task, as ``{method: {metric: value}}``.

    Parameters
    ----------
    path : path-like, optional
        A ``leaderboard.json`` written by ``python3 course.py leaderboard``
        (default: the committed ``slides/figures/leaderboard.json``).
    task : str
        ``"scenes"`` or ``"phantoms"``.

    Returns
    -------
    dict of str -> dict of str -> float, bool or str
        One row per method (the baselines "random" and "gaussian" included);
        a method that failed has only an ``"error"`` entry.
    """
    path = Path(LEADERBOARD if path is None else path)
    if not path.is_file():
        raise ValueError(f"path: expected a leaderboard.json written by `python3 course.py "
                         f"leaderboard`, but {path} does not exist")
    results = json.loads(path.read_text())["results"]
    if task not in results:
        raise ValueError(f"task: expected one of {sorted(results)}, got {task!r}")
    return results[task]
